//! Two socket calls the Lazy Pirate needs: a recv that gives up after a
//! timeout (`zmq_poll` with a timeout, then recv), and reopening a socket
//! (close it, losing what its pipes hold, and open a new one with the same
//! settings, binds and connects), the Guide's way out of a REQ stuck
//! waiting for a reply that will never come.

use std::sync::Arc;

use super::{
    NodeId, Simulator,
    event::EventKind,
    nodes::{Op, Resume},
    scenario::{ConnectSpec, SocketSpec},
    simulator::TaskKind,
};
use crate::{
    socket::{OpKind, Role, SocketId},
    time::Tick,
};

/// A poll under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollState {
    pub deadline: Tick,
    pub id: u32,
    pub socket: SocketId,
    pub timeout: Tick,
}

impl Simulator {
    /// A recv that waits at most `timeout`; the deadline is set when it
    /// first has to wait and kept while it is woken and waits again.
    pub(crate) fn poll(&mut self, id: NodeId, socket: SocketId, timeout: Tick) -> EventKind {
        let event = self.perform(id, Op::Recv { socket }, true);
        let now = self.now;
        let n = &mut self.nodes[id.0 as usize];
        if n.blocked == Some((socket, OpKind::Recv)) {
            n.next_op = Some(Op::Poll { socket, timeout });
            if n.poll.is_none_or(|p| p.socket != socket) {
                let pid = n.poll.map_or(1, |p| p.id + 1);
                let deadline = now.saturating_add(timeout);
                n.poll = Some(PollState {
                    deadline,
                    id: pid,
                    socket,
                    timeout,
                });
                self.schedule(deadline, TaskKind::PollTimeout(id, pid));
            }
        } else if let Some(p) = &mut n.poll {
            // Keep the number so a stale timeout is recognised.
            p.deadline = Tick::MAX;
            p.socket = SocketId(u32::MAX);
        }
        event
    }

    pub(crate) fn poll_timeout(
        &mut self,
        node: NodeId,
        pid: u32,
        task: TaskKind,
    ) -> Option<EventKind> {
        let n = self.nodes.get(node.0 as usize)?;
        let p = n.poll.filter(|p| p.id == pid && p.deadline != Tick::MAX)?;
        if !n.alive || n.crashed || n.blocked != Some((p.socket, OpKind::Recv)) {
            return None;
        }
        if self.defer_if_paused(node, task) {
            return None;
        }
        let n = &mut self.nodes[node.0 as usize];
        n.blocked = None;
        n.next_op = None;
        n.poll = Some(PollState {
            deadline: Tick::MAX,
            socket: SocketId(u32::MAX),
            ..p
        });
        n.resume = Resume::TimedOut;
        self.schedule_run(node);
        Some(EventKind::TimedOut {
            node,
            socket: p.socket,
            after: p.timeout,
        })
    }

    /// Closes `socket` and opens one like it (same type, marks, binds,
    /// connects and subscriptions), as `zmq_close` and `zmq_socket` do.
    pub(crate) fn reopen(&mut self, id: NodeId, socket: SocketId) -> EventKind {
        let slot = &self.sockets[socket.0 as usize];
        let spec = SocketSpec {
            name: slot.name.to_string(),
            kind: slot.role.kind(),
            bind: slot.binds.clone(),
            connect: slot
                .connects
                .iter()
                .map(|c| ConnectSpec {
                    endpoint: c.endpoint.clone(),
                    latency: Some(c.latency),
                    handshake: Some(c.handshake),
                })
                .collect(),
            subscribe: match &slot.role {
                Role::Sub(s) => s.subs.topics().map(|t| t.to_string()).collect(),
                _ => Vec::new(),
            },
            sndhwm: Some(slot.sndhwm),
            rcvhwm: Some(slot.rcvhwm),
        };
        let lost = self.close_socket(socket);
        let new = self.make_socket(id, Arc::new(spec));
        for s in &mut self.nodes[id.0 as usize].sockets {
            if *s == socket {
                *s = new;
            }
        }
        for endpoint in self.sockets[new.0 as usize].binds.clone() {
            self.bind_endpoint(new, &endpoint);
        }
        for index in 0..self.sockets[new.0 as usize].connects.len() {
            self.start_connect(new, index);
        }
        let n = &mut self.nodes[id.0 as usize];
        n.resume = Resume::Reopened(new);
        self.schedule_run(id);
        EventKind::Reopened {
            node: id,
            old: socket,
            new,
            lost,
        }
    }
}
