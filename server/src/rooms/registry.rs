//! The server's rooms, by join code.
//!
//! The registry only maps codes to the command channels of running room
//! tasks, and enforces how many rooms may exist. There is no way to list
//! rooms: a room's traffic reaches only sessions that presented its code.
//!
//! With a store (`--data-dir`), a room whose scenario has a broker with a
//! durable queue is kept there, and [`Rooms::recover`] starts every kept
//! room again at start, with its code and token.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use fanout_shared::{
    protocol::ZmtpEndpoint,
    room::{Refusal, RoomCore, RoomRefusal},
    sim::{Scenario, Simulator, nodes::ProgramSpec, timeline::ScenarioRef},
};
use tokio::sync::{mpsc, watch};

use super::{
    codes,
    durable::Persist,
    limits::RoomLimits,
    room::{Command, Room},
    store::{RoomRecord, RoomStore, StoreError},
};
use crate::zmtp::{ZmtpConfig, dialer, listener};

/// Commands waiting for a room task; a session sending more waits (and so
/// stops reading its client) until the room catches up.
const COMMANDS: usize = 1024;

/// How to reach a running room.
#[derive(Debug, Clone)]
pub struct RoomHandle {
    pub code: String,
    pub commands: mpsc::Sender<Command>,
    /// The endpoints open to real ZeroMQ programs (listening, or dialed),
    /// if the room was created with `zmtp`.
    pub zmtp: Option<Arc<[ZmtpEndpoint]>>,
}

#[derive(Debug)]
pub struct Rooms {
    limits: Arc<RoomLimits>,
    zmtp: ZmtpConfig,
    shutdown: watch::Receiver<bool>,
    rooms: Mutex<HashMap<String, RoomHandle>>,
    /// Where durable rooms are kept (`--data-dir`), unless `off`.
    store: Option<Arc<RoomStore>>,
}

/// A room just created: its handle and the creator's token.
#[derive(Debug)]
pub struct Created {
    pub handle: RoomHandle,
    pub token: String,
}

impl Rooms {
    pub fn new(
        limits: RoomLimits,
        zmtp: ZmtpConfig,
        shutdown: watch::Receiver<bool>,
        store: Option<Arc<RoomStore>>,
    ) -> Arc<Rooms> {
        Arc::new(Rooms {
            limits: Arc::new(limits),
            zmtp,
            shutdown,
            rooms: Mutex::new(HashMap::new()),
            store,
        })
    }

    pub fn limits(&self) -> &RoomLimits {
        &self.limits
    }

    /// Whether rooms may open ports to ZeroMQ programs (not `--zmtp off`).
    pub fn zmtp_enabled(&self) -> bool {
        self.zmtp.host.0.is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, RoomHandle>> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many rooms are open.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Starts a room running `scenario` (already checked) with `seed`;
    /// with `zmtp`, the endpoints it binds listen for ZeroMQ programs.
    pub fn create(
        self: &Arc<Self>,
        scenario: ScenarioRef,
        seed: u64,
        zmtp: bool,
    ) -> Result<Created, Refusal> {
        let resolved = scenario.resolve().map_err(Refusal::Scenario)?;
        let sim = Simulator::new(&resolved, seed).map_err(Refusal::Scenario)?;
        let mut rooms = self.lock();
        if rooms.len() >= self.limits.rooms as usize {
            return Err(RoomRefusal::TooManyRooms {
                open: rooms.len() as u64,
            }
            .into());
        }
        let code = loop {
            let code = codes::new_code();
            if !rooms.contains_key(&code) {
                break code;
            }
        };
        let token = codes::new_token();
        // Stored by the room's first turn, before its creator hears the
        // code (the answer to the creator's join waits for that turn).
        let persist = self.store_for(&resolved).map(|store| {
            let record = RoomRecord {
                token: token.clone(),
                scenario: scenario.clone(),
                seed,
                zmtp,
            };
            Persist::new(store, Some(record), 0)
        });
        let core = RoomCore::new(
            code.clone(),
            token.clone(),
            scenario,
            sim,
            self.limits.rules(),
        );
        let handle = self.spawn(&mut rooms, core, &resolved, zmtp, persist);
        Ok(Created { handle, token })
    }

    /// The store, if `scenario` is a durable room's: one with a broker
    /// that has a durable queue (only those have anything to keep).
    fn store_for(&self, scenario: &Scenario) -> Option<Arc<RoomStore>> {
        let durable = scenario.nodes.iter().any(|node| match &node.program {
            ProgramSpec::Broker(spec) => spec.queues.iter().any(|q| q.durable),
            _ => false,
        });
        self.store.as_ref().filter(|_| durable).cloned()
    }

    /// Registers a room and starts its task (and its ZeroMQ endpoints).
    fn spawn(
        self: &Arc<Self>,
        rooms: &mut HashMap<String, RoomHandle>,
        core: RoomCore,
        resolved: &Scenario,
        zmtp: bool,
        persist: Option<Persist>,
    ) -> RoomHandle {
        let code = core.code().to_owned();
        let exposed = zmtp
            .then(|| listener::expose(resolved, self.zmtp))
            .flatten();
        let dials = match exposed {
            Some(_) => dialer::dials(resolved),
            None => Vec::new(),
        };
        let (tx, rx) = mpsc::channel(COMMANDS);
        let handle = RoomHandle {
            code: code.clone(),
            commands: tx,
            zmtp: exposed.as_ref().map(|exposed| {
                exposed
                    .iter()
                    .map(|e| e.info.clone())
                    .chain(dials.iter().map(|d| d.info.clone()))
                    .collect()
            }),
        };
        rooms.insert(code, handle.clone());
        let room = Room::new(core, Arc::clone(self), persist);
        tokio::spawn(room.run(rx, self.shutdown.clone()));
        if let Some(exposed) = exposed {
            listener::spawn(exposed, &handle, self);
            dialer::spawn(dials, &handle, self);
        }
        handle
    }

    /// Starts every room the store kept, with its code and token: a fresh
    /// engine from its scenario and seed, whose brokers start again on
    /// their stored disks (every recovered message redelivered, as after
    /// a broker's crash). Returns the rooms started and how many messages
    /// came back. A kept room that can no longer be made (its scenario is
    /// refused now) is left in the store and said in the log.
    pub fn recover(self: &Arc<Self>) -> Result<(usize, u64), StoreError> {
        let Some(store) = &self.store else {
            return Ok((0, 0));
        };
        let kept = store.load()?;
        let (mut started, mut messages) = (0, 0);
        let mut rooms = self.lock();
        for kept in kept {
            let resolved = match kept.record.scenario.resolve() {
                Ok(resolved) => resolved,
                Err(error) => {
                    tracing::error!(room = %kept.code, ?error, "a kept room's scenario is refused; left in the store");
                    continue;
                }
            };
            let mut core = match RoomCore::create(
                kept.code.clone(),
                kept.record.token.clone(),
                kept.record.scenario.clone(),
                kept.record.seed,
                self.limits.rules(),
            ) {
                Ok(core) => core,
                Err(error) => {
                    tracing::error!(room = %kept.code, ?error, "a kept room cannot be made again; left in the store");
                    continue;
                }
            };
            core.resume_task_ids(kept.next_task);
            for (node, disk) in kept.disks {
                match core.recover_disk(&node, disk) {
                    Some(n) => messages += u64::from(n),
                    None => {
                        tracing::warn!(room = %kept.code, node, "no such broker now; its stored messages are not recovered")
                    }
                }
            }
            let next_task = core.sim().next_task_id().0;
            let persist = Persist::new(Arc::clone(store), None, next_task);
            tracing::info!(room = %kept.code, "room recovered from the store");
            self.spawn(&mut rooms, core, &resolved, kept.record.zmtp, Some(persist));
            started += 1;
        }
        Ok((started, messages))
    }

    /// The room a typed code names.
    pub fn get(&self, typed: &str) -> Option<RoomHandle> {
        let code = codes::normalize(typed)?;
        self.lock().get(&code).cloned()
    }

    /// Forgets a room whose task ended.
    pub(crate) fn remove(&self, code: &str) {
        self.lock().remove(code);
    }
}
