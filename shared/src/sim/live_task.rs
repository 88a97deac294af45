//! Task programs with a live participant (a room's `worker.py`, a test's
//! producer): the engine keeps the broker connection, the client library's
//! rules (prefetch, acknowledgements, confirms) and the ledger, and the
//! participant supplies only what a real process would: a worker's handler
//! (each task is handed out and the worker waits for `task_done`), a
//! producer's decision to publish (`publish`, then as fast as its window
//! lets it). Both are actions, so a live run replays offline.

use super::{
    Simulator,
    action::ActionError,
    broker_event::WaitWhy,
    nodes::{Program, ProgramSpec},
};
use crate::{
    broker::{TaskId, client::Delivery},
    sim::nodes::Resume,
};

impl Simulator {
    /// A live producer is told to publish `count` more tasks.
    pub(crate) fn order_publish(&mut self, node: &str, count: u32) -> Result<(), ActionError> {
        let id = self.node_id(node)?;
        let n = &mut self.nodes[id.0 as usize];
        match &mut n.program {
            Program::TaskProducer(p) if p.spec.live => p.orders += u64::from(count),
            _ => return Err(not_live(node, &n.spec.program)),
        }
        if n.rel.broker_wait == Some(WaitWhy::Member) {
            self.wake_member_wait(id);
        }
        Ok(())
    }

    /// A live worker's participant finished the task it was handed: the
    /// worker goes on as after its handler returned (its side effect, then
    /// a late ack).
    pub(crate) fn task_done(&mut self, node: &str, task: TaskId) -> Result<(), ActionError> {
        let id = self.node_id(node)?;
        let n = &self.nodes[id.0 as usize];
        let handed = match &n.program {
            Program::TaskWorker(w) if w.spec.live => self.handed_out(id).map(|d| d.task),
            _ => return Err(not_live(node, &n.spec.program)),
        };
        if handed != Some(task) {
            return Err(ActionError::NotHandedOut {
                node: node.to_owned(),
                task: task.to_string(),
            });
        }
        self.wake_member_wait(id);
        Ok(())
    }

    /// Tasks the producers made so far (each is in the ledger).
    pub fn tasks_made(&self) -> u64 {
        self.rel.next_task
    }

    /// Whether the node `name` runs a live task program.
    pub fn runs_live_task(&self, name: &str) -> bool {
        self.node_id(name)
            .is_ok_and(|id| self.nodes[id.0 as usize].spec.program.is_live_task())
    }

    /// The task a live worker has handed to its participant and waits
    /// for, if any.
    pub fn handed_out(&self, node: super::NodeId) -> Option<&Delivery> {
        let n = self.nodes.get(node.0 as usize)?;
        match &n.program {
            Program::TaskWorker(w)
                if w.spec.live && n.rel.broker_wait == Some(WaitWhy::Member) && !n.crashed =>
            {
                w.current.as_ref()
            }
            _ => None,
        }
    }

    fn wake_member_wait(&mut self, id: super::NodeId) {
        let n = &mut self.nodes[id.0 as usize];
        n.rel.broker_wait = None;
        n.resume = Resume::Woke;
        n.next_op = None;
        self.schedule_run(id);
    }
}

fn not_live(node: &str, program: &ProgramSpec) -> ActionError {
    ActionError::NotLive {
        node: node.to_owned(),
        program: program.kind_name().to_owned(),
    }
}
