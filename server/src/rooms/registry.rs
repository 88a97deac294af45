//! The server's rooms, by join code.
//!
//! The registry only maps codes to the command channels of running room
//! tasks, and enforces how many rooms may exist. There is no way to list
//! rooms: a room's traffic reaches only sessions that presented its code.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use fanout_shared::{
    protocol::ZmtpEndpoint,
    room::{Refusal, RoomCore, RoomRefusal},
    sim::{Simulator, timeline::ScenarioRef},
};
use tokio::sync::{mpsc, watch};

use super::{codes, limits::RoomLimits, room::Command, room::Room};
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
    ) -> Arc<Rooms> {
        Arc::new(Rooms {
            limits: Arc::new(limits),
            zmtp,
            shutdown,
            rooms: Mutex::new(HashMap::new()),
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
        let exposed = zmtp
            .then(|| listener::expose(&resolved, self.zmtp))
            .flatten();
        let dials = match exposed {
            Some(_) => dialer::dials(&resolved),
            None => Vec::new(),
        };
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
        let core = RoomCore::new(
            code.clone(),
            token.clone(),
            scenario,
            sim,
            self.limits.rules(),
        );
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
        drop(rooms);
        let room = Room::new(core, Arc::clone(self));
        tokio::spawn(room.run(rx, self.shutdown.clone()));
        if let Some(exposed) = exposed {
            listener::spawn(exposed, &handle, self);
            dialer::spawn(dials, &handle, self);
        }
        Ok(Created { handle, token })
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
