//! What the page draws, taken from the run after each change: [`Snap`]
//! (everything but the moving messages) and [`Motion`] (the messages in
//! flight and the clock, redrawn every frame while playing). A local run
//! and a live room's feed both produce them, so every section draws either
//! the same way.

use fanout_shared::{
    sim::{Caption, Event, PiTally, Topology, WireMsg, timeline::ScenarioRef},
    socket::SocketId,
    time::Tick,
};

use super::{
    layout::Structure,
    runner::{Bounds, Runner},
};

/// How many of the most recent events the log shows.
pub const LOG_SHOWN: usize = 120;
/// The most messages drawn in flight at once.
pub const MAX_DOTS: usize = 2500;

/// Everything the page draws, taken from the runner after each change.
#[derive(Debug)]
pub struct Snap {
    pub topo: Topology,
    pub structure: Structure,
    pub steps: u64,
    pub now: Tick,
    pub horizon: u64,
    pub bounds: Bounds,
    pub tally: Option<PiTally>,
    pub digest: String,
    /// The most recent events (oldest first) with their caption facts.
    pub log: Vec<(Event, Caption)>,
    pub scenario: ScenarioRef,
    pub scenario_name: String,
    pub seed: u64,
    pub edits: usize,
    /// Nothing is scheduled any more (or the locked range ends here).
    pub ended: bool,
    /// The ledger and the brokers (the reliability page only).
    #[cfg(feature = "reliability")]
    pub rel: super::reliability::RelSnap,
}

impl Snap {
    pub fn of(r: &Runner) -> Snap {
        let sim = r.timeline().sim();
        let topo = sim.topology();
        let skip = r.log().len().saturating_sub(LOG_SHOWN);
        Snap {
            structure: Structure::of(&topo),
            topo,
            steps: r.steps(),
            now: r.now(),
            horizon: r.horizon(),
            bounds: r.bounds,
            tally: sim.pi_tally(),
            digest: sim.trace_digest(),
            log: r
                .log()
                .iter()
                .skip(skip)
                .map(|e| (e.clone(), sim.caption_facts(e)))
                .collect(),
            scenario: r.scenario().clone(),
            scenario_name: r.resolved().name.clone(),
            seed: sim.seed(),
            edits: r.actions().len(),
            ended: sim.next_time().is_none() || !r.can_step(),
            #[cfg(feature = "reliability")]
            rel: super::reliability::RelSnap::of(sim),
        }
    }

    pub fn last(&self) -> Option<&(Event, Caption)> {
        self.log.last()
    }

    pub fn node_name(&self, id: fanout_shared::sim::NodeId) -> &str {
        self.topo
            .nodes
            .get(id.0 as usize)
            .map_or("?", |n| n.name.as_str())
    }

    /// `node.socket`
    pub fn socket_label(&self, id: SocketId) -> String {
        match self.topo.sockets.get(id.0 as usize) {
            Some(s) => format!("{}.{}", self.node_name(s.node), s.name),
            None => "?".into(),
        }
    }
}

/// The messages in flight and the virtual clock: all the dots (and the
/// legend of topics on the wires) need. Kept apart from [`Snap`] because
/// while playing it changes every frame and the rest does not.
#[derive(Debug, Default)]
pub struct Motion {
    pub wire: Vec<WireMsg>,
    pub now: Tick,
}

impl Motion {
    pub fn of(r: &Runner) -> Motion {
        Motion {
            wire: r.timeline().sim().in_flight(MAX_DOTS),
            now: r.now(),
        }
    }
}
