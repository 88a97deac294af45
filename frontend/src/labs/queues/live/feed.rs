//! A live room as the page sees it: the room's `Topology` (names,
//! sockets, connections, queue depths; pushed when it changes and every
//! second), exact counters from each `room_events` summary, and the
//! sampled events, captioned by the engine's own `Topology::caption_facts`.
//! [`Feed::snap`] makes the lab's [`Snap`] of it, so every section draws a
//! room as it draws a local run.

use std::collections::VecDeque;

use fanout_shared::{
    sim::{Caption, Event, EventKind, Summary, Topology, WireMsg, timeline::ScenarioRef},
    socket::{MsgId, Payload},
};

use super::Room;
use crate::labs::queues::{
    layout::Structure,
    runner::Bounds,
    snap::{LOG_SHOWN, Motion, Snap},
};

/// What the server has streamed about the room so far.
pub struct Feed {
    pub topology: Topology,
    summary: Option<Summary>,
    /// The most recent events with their captions, oldest first.
    log: VecDeque<(Event, Caption)>,
    /// Messages that left in the last frame, drawn until they arrive.
    wire: Vec<WireMsg>,
    /// Events the server left out of its sampled frames, in total.
    pub skipped: u64,
    pub members: usize,
}

impl Feed {
    pub fn new(topology: Topology, members: usize) -> Feed {
        Feed {
            topology,
            summary: None,
            log: VecDeque::with_capacity(LOG_SHOWN),
            wire: Vec::new(),
            skipped: 0,
            members,
        }
    }

    /// Takes in one `room_events` frame: captions are read against the
    /// topology as it stands, which is what the simulator does right
    /// after each event.
    pub fn take_events(&mut self, events: &[Event], skipped: u64, summary: &Summary) {
        let mut payloads = std::collections::BTreeMap::<MsgId, Payload>::new();
        self.wire.clear();
        for event in events {
            match &event.kind {
                EventKind::Send { msg, payload, .. } => {
                    payloads.insert(*msg, payload.clone());
                }
                EventKind::Depart {
                    conn,
                    from,
                    first,
                    arrives,
                    ..
                } => {
                    // The engine says which pipe the sender sends on; a
                    // connection newer than the last topology is not drawn
                    // until the next one arrives.
                    let Some(dir) = self
                        .topology
                        .conns
                        .get(conn.0 as usize)
                        .and_then(|view| view.pipe_from(*from))
                    else {
                        continue;
                    };
                    self.wire.push(WireMsg {
                        conn: *conn,
                        dir,
                        msg: *first,
                        payload: payloads
                            .get(first)
                            .cloned()
                            .unwrap_or_else(|| Payload::new(first.to_string())),
                        left: event.time,
                        arrives: *arrives,
                    });
                }
                _ => {}
            }
            if self.log.len() == LOG_SHOWN {
                self.log.pop_front();
            }
            self.log
                .push_back((event.clone(), self.topology.caption_facts(event)));
        }
        self.skipped += skipped;
        self.summary = Some(summary.clone());
    }

    /// The lab's snapshot of the room: the last topology with the exact
    /// counters of the last summary, and the sampled messages still on
    /// their way.
    pub fn snap(&self, room: &Room) -> (Snap, Motion) {
        let mut topo = self.topology.clone();
        if let Some(summary) = &self.summary {
            for node in &mut topo.nodes {
                if let Some(counters) = summary.nodes.get(&node.name) {
                    node.counters = counters.clone();
                }
            }
            topo.now = topo.now.max(summary.now);
            topo.steps = topo.steps.max(summary.events);
        }
        let (steps, now) = (topo.steps, topo.now);
        let motion = Motion {
            wire: self
                .wire
                .iter()
                .filter(|w| w.arrives > now)
                .cloned()
                .collect(),
            now,
        };
        let snap = Snap {
            structure: Structure::of(&topo),
            steps,
            now,
            horizon: steps,
            bounds: Bounds::default(),
            tally: self.summary.as_ref().and_then(|s| s.tally.clone()),
            digest: self
                .summary
                .as_ref()
                .map(|s| s.trace_digest.clone())
                .unwrap_or_default(),
            log: self.log.iter().cloned().collect(),
            scenario: ScenarioRef::Preset(room.scenario.clone()),
            scenario_name: room.scenario.clone(),
            seed: room.seed,
            edits: 0,
            ended: false,
            topo,
            // Rooms do not run brokers yet: nothing for the reliability panels.
            #[cfg(feature = "reliability")]
            rel: Default::default(),
        };
        (snap, motion)
    }
}
