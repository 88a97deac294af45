//! Connections: binding, connecting, the handshake, pipes moving messages
//! over the wire, subscriptions travelling upstream, and connections
//! closing.
//!
//! A `connect` to a bound endpoint opens a connection that counts for
//! neither socket until its handshake completes (`handshake` ticks later);
//! then both sockets attach it in their queues, a SUB sends its whole
//! subscription set, and a PUSH blocked for lack of peers wakes. A connect
//! to an endpoint nobody binds waits, and starts when someone binds it, as
//! libzmq's reconnection does.

use super::{
    NodeId, Simulator,
    event::{DropReason, EventKind, Fate},
    simulator::{Conn, ConnState, TaskKind},
};
use crate::{
    socket::{ConnId, Endpoint, Payload, Role, SocketId, SocketKind, pipe::Pipe},
    time::Tick,
};

impl Simulator {
    pub(crate) fn start_node(&mut self, id: NodeId) -> Option<EventKind> {
        let n = self.nodes.get_mut(id.0 as usize)?;
        if !n.alive || n.started {
            return None;
        }
        n.started = true;
        let sockets = n.sockets.clone();
        let mut bound = Vec::new();
        let mut connecting = Vec::new();
        for sid in sockets {
            for endpoint in self.sockets[sid.0 as usize].binds.clone() {
                if self.bind_endpoint(sid, &endpoint) {
                    bound.push((sid, endpoint));
                }
            }
            for index in 0..self.sockets[sid.0 as usize].connects.len() {
                let conn = self.start_connect(sid, index);
                let endpoint = self.sockets[sid.0 as usize].connects[index]
                    .endpoint
                    .clone();
                connecting.push((sid, endpoint, conn));
            }
        }
        if !self.nodes[id.0 as usize].program.is_external() {
            self.schedule_run(id);
        }
        Some(EventKind::NodeStarted {
            node: id,
            bound,
            connecting,
        })
    }

    /// Claims an endpoint and starts the connections waiting for it.
    /// `false` if someone else holds it (checked before edits apply).
    pub(crate) fn bind_endpoint(&mut self, socket: SocketId, endpoint: &Endpoint) -> bool {
        if self.endpoints.contains_key(endpoint) {
            return false;
        }
        self.endpoints.insert(endpoint.clone(), socket);
        let binder_kind = self.sockets[socket.0 as usize].role.kind();
        // Sockets whose connect was waiting for this endpoint, in id order.
        let mut waiting = Vec::new();
        for (i, s) in self.sockets.iter().enumerate() {
            if !s.alive || !self.nodes[s.node.0 as usize].started {
                continue;
            }
            for (index, c) in s.connects.iter().enumerate() {
                if c.conn.is_none()
                    && &c.endpoint == endpoint
                    && s.role.kind().peer() == binder_kind
                {
                    waiting.push((SocketId(i as u32), index));
                }
            }
        }
        for (sid, index) in waiting {
            self.start_connect(sid, index);
        }
        true
    }

    /// Opens the connection for `connects[index]` if its endpoint is bound
    /// by a compatible socket.
    pub(crate) fn start_connect(&mut self, socket: SocketId, index: usize) -> Option<ConnId> {
        let slot = self.sockets[socket.0 as usize].connects.get(index)?.clone();
        if slot.conn.is_some() {
            return slot.conn;
        }
        let binder = *self.endpoints.get(&slot.endpoint)?;
        let (ckind, csnd, crcv) = {
            let s = &self.sockets[socket.0 as usize];
            (s.role.kind(), s.sndhwm, s.rcvhwm)
        };
        let b = &self.sockets[binder.0 as usize];
        if b.role.kind() != ckind.peer() || binder == socket {
            return None;
        }
        let conn = ConnId(self.conns.len() as u32);
        self.conns.push(Conn {
            connecter: socket,
            binder,
            endpoint: slot.endpoint.clone(),
            state: ConnState::Handshaking,
            pipes: [
                Pipe::new(csnd, b.rcvhwm, slot.latency),
                Pipe::new(b.sndhwm, crcv, slot.latency),
            ],
            subs_wire: Default::default(),
        });
        self.sockets[socket.0 as usize].connects[index].conn = Some(conn);
        self.sockets[socket.0 as usize].conns.push(conn);
        self.sockets[binder.0 as usize].conns.push(conn);
        let at = self.now.saturating_add(slot.handshake);
        self.schedule(at, TaskKind::Handshake(conn));
        Some(conn)
    }

    pub(crate) fn handshake(&mut self, conn: ConnId) -> Option<EventKind> {
        let c = self.conns.get_mut(conn.0 as usize)?;
        if c.state != ConnState::Handshaking {
            return None;
        }
        c.state = ConnState::Up;
        let (connecter, binder) = (c.connecter, c.binder);
        for side in [connecter, binder] {
            self.sockets[side.0 as usize].role.attach(conn);
        }
        for side in [connecter, binder] {
            if let Role::Sub(sub) = &self.sockets[side.0 as usize].role {
                let topics: Vec<Payload> = sub.subs.topics().cloned().collect();
                for topic in topics {
                    self.send_subscription(conn, side, topic, true);
                }
            }
            self.wake_sender(side);
        }
        Some(EventKind::Connected {
            conn,
            connecter,
            binder,
        })
    }

    /// Puts a (un)subscription on the wire from the SUB end `sub`.
    pub(crate) fn send_subscription(
        &mut self,
        conn: ConnId,
        sub: SocketId,
        topic: Payload,
        on: bool,
    ) {
        let c = &mut self.conns[conn.0 as usize];
        let latency = c.pipes[c.out_dir(sub)].latency;
        let at = self.now.saturating_add(latency);
        c.subs_wire.push_back((at, topic, on));
        self.schedule(at, TaskKind::SubArrive(conn));
    }

    pub(crate) fn subscription_arrives(&mut self, conn: ConnId) -> Option<EventKind> {
        let c = self.conns.get_mut(conn.0 as usize)?;
        if c.state != ConnState::Up {
            return None;
        }
        let (_, topic, on) = c.subs_wire.pop_front()?;
        let publisher = if self.sockets[c.connecter.0 as usize].role.kind() == SocketKind::Pub {
            c.connecter
        } else {
            c.binder
        };
        if let Role::Pub(p) = &mut self.sockets[publisher.0 as usize].role
            && let Some(filter) = p.filter_mut(conn)
        {
            if on {
                filter.insert_once(&topic);
            } else {
                filter.remove_all(&topic);
            }
        }
        Some(EventKind::SubscriptionArrived {
            conn,
            publisher,
            topic,
            on,
        })
    }

    /// A SUB's `setsockopt(SUBSCRIBE/UNSUBSCRIBE)`.
    pub(crate) fn subscribe(&mut self, socket: SocketId, topic: Payload, on: bool) -> EventKind {
        let slot = &mut self.sockets[socket.0 as usize];
        let node = slot.node;
        let upstream = match &mut slot.role {
            Role::Sub(s) if on => s.subs.subscribe(&topic),
            Role::Sub(s) => s.subs.unsubscribe(&topic),
            _ => false,
        };
        if upstream {
            let conns = slot.conns.clone();
            for conn in conns {
                if self.conns[conn.0 as usize].state == ConnState::Up {
                    self.send_subscription(conn, socket, topic.clone(), on);
                }
            }
        }
        EventKind::Subscribe {
            node,
            socket,
            topic,
            on,
            upstream,
        }
    }

    pub(crate) fn flush(&mut self, conn: ConnId, dir: usize) -> Option<EventKind> {
        let now = self.now;
        let c = self.conns.get_mut(conn.0 as usize)?;
        c.pipes[dir].flush_scheduled = false;
        if c.state != ConnState::Up {
            return None;
        }
        let dep = c.pipes[dir].depart(now);
        let (from, to) = c.ends(dir);
        let (Some(first), Some(last)) = (dep.first, dep.last) else {
            return None;
        };
        self.schedule(dep.arrives, TaskKind::Arrive(conn, dir as u8));
        if dep.writer_reactivated {
            self.sockets[from.0 as usize].role.write_activated(conn);
            self.wake_sender(from);
        }
        Some(EventKind::Depart {
            conn,
            from,
            to,
            first,
            last,
            count: dep.count,
            arrives: dep.arrives,
            reopened: dep.writer_reactivated,
        })
    }

    pub(crate) fn arrive(&mut self, conn: ConnId, dir: usize) -> Option<EventKind> {
        let now = self.now;
        let c = self.conns.get_mut(conn.0 as usize)?;
        if c.state != ConnState::Up {
            return None;
        }
        let msg = c.pipes[dir].take_arrived(now)?;
        if c.pipes[dir].next_arrival().is_some_and(|t| t <= now) {
            self.schedule(now, TaskKind::Arrive(conn, dir as u8));
        }
        let c = &mut self.conns[conn.0 as usize];
        let (from, to) = c.ends(dir);
        let msg_id = msg.id;
        // A SUB filters what arrives too (libzmq xsub), so a message in
        // flight when its topic was unsubscribed is discarded here.
        let unwanted = match &self.sockets[to.0 as usize].role {
            Role::Sub(s) => !s.subs.matches(msg.payload.as_bytes()),
            _ => false,
        };
        if unwanted {
            if c.pipes[dir].discard_arrived() {
                self.schedule_flush(conn, dir);
            }
            self.drops.add(DropReason::Filtered, 1);
            let node = self.sockets[to.0 as usize].node;
            self.nodes[node.0 as usize].counters.dropped += 1;
            return Some(EventKind::Deliver {
                conn,
                from,
                to,
                msg: msg_id,
                fate: Fate::Dropped {
                    reason: DropReason::Filtered,
                },
                wakes: None,
            });
        }
        if c.pipes[dir].enqueue_arrived(msg) {
            self.sockets[to.0 as usize].role.read_activated(conn);
        }
        let wakes = self.wake_receiver(to);
        Some(EventKind::Deliver {
            conn,
            from,
            to,
            msg: msg_id,
            fate: Fate::Queued,
            wakes,
        })
    }

    /// Closes a connection: both sockets forget it and its queued messages
    /// are lost (counted as `disconnected`). The connecting side's connect
    /// stays, waiting for the endpoint to be bound again. Returns the loss.
    pub(crate) fn close_conn(&mut self, conn: ConnId) -> u32 {
        let Some(c) = self.conns.get_mut(conn.0 as usize) else {
            return 0;
        };
        if c.state == ConnState::Closed {
            return 0;
        }
        let was_up = c.state == ConnState::Up;
        c.state = ConnState::Closed;
        let lost = (c.pipes[0].drain_all().len() + c.pipes[1].drain_all().len()) as u32;
        c.subs_wire.clear();
        let (connecter, binder) = (c.connecter, c.binder);
        for side in [connecter, binder] {
            let s = &mut self.sockets[side.0 as usize];
            if was_up {
                s.role.detach(conn);
            }
            s.conns.retain(|x| *x != conn);
            for slot in &mut s.connects {
                if slot.conn == Some(conn) {
                    slot.conn = None;
                }
            }
        }
        self.drops.add(DropReason::Disconnected, u64::from(lost));
        lost
    }

    /// Closes a socket: its connections, its endpoints.
    pub(crate) fn close_socket(&mut self, socket: SocketId) -> u32 {
        let conns = self.sockets[socket.0 as usize].conns.clone();
        let lost = conns.into_iter().map(|c| self.close_conn(c)).sum();
        self.endpoints.retain(|_, s| *s != socket);
        let s = &mut self.sockets[socket.0 as usize];
        s.alive = false;
        s.connects.clear();
        lost
    }

    /// Changes a connection's latency (both directions; arrivals already
    /// scheduled keep their time, and order is preserved).
    pub(crate) fn set_conn_latency(&mut self, conn: ConnId, latency: Tick) {
        if let Some(c) = self.conns.get_mut(conn.0 as usize) {
            for p in &mut c.pipes {
                p.latency = latency;
            }
        }
    }
}
