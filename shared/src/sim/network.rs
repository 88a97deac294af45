//! Connections: binding, connecting, the handshake, pipes moving messages
//! over the wire, subscriptions travelling upstream, and connections
//! closing.
//!
//! A `connect` gives the connecting socket its pipe at once (libzmq with
//! ZMQ_IMMEDIATE off: a connecting PUSH may queue up to its mark even
//! before anyone binds the endpoint). Once the endpoint is bound, the
//! handshake takes `handshake` ticks; only then does the binding socket
//! count the peer (so a binding PUSH or PUB ignores late joiners until
//! they are ready), messages start to flow, and a SUB sends its whole
//! subscription set. When a binder goes away, its connecters get a fresh
//! pending pipe and reconnect when someone binds again.

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
        if !self.nodes[id.0 as usize].program.is_passive() {
            self.schedule_run(id);
        }
        #[cfg(feature = "reliability")]
        if self.nodes[id.0 as usize].program.broker_client().is_some() {
            self.open_link(id);
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
        // Connects waiting for this endpoint, in socket order: pending
        // connections start their handshake.
        let mut waiting = Vec::new();
        for (i, s) in self.sockets.iter().enumerate() {
            if !s.alive || !self.nodes[s.node.0 as usize].started {
                continue;
            }
            for (index, c) in s.connects.iter().enumerate() {
                if &c.endpoint == endpoint && s.role.kind().peer() == binder_kind {
                    waiting.push((SocketId(i as u32), index, c.conn, c.handshake));
                }
            }
        }
        for (sid, index, conn, handshake) in waiting {
            match conn {
                Some(c) if self.conns[c.0 as usize].state == ConnState::Pending => {
                    self.adopt(c, socket, handshake);
                }
                Some(_) => {}
                None => {
                    self.start_connect(sid, index);
                }
            }
        }
        true
    }

    /// Opens the connection for `connects[index]`. As in libzmq (with
    /// ZMQ_IMMEDIATE off), the connecting socket gets its pipe at once: a
    /// PUSH may queue up to its mark before anyone binds the endpoint, and
    /// the messages leave once the handshake completes. `None` only if the
    /// endpoint's binder is of the wrong type.
    pub(crate) fn start_connect(&mut self, socket: SocketId, index: usize) -> Option<ConnId> {
        let slot = self.sockets[socket.0 as usize].connects.get(index)?.clone();
        if slot.conn.is_some() {
            return slot.conn;
        }
        let (ckind, csnd, crcv) = {
            let s = &self.sockets[socket.0 as usize];
            (s.role.kind(), s.sndhwm, s.rcvhwm)
        };
        let binder = self.endpoints.get(&slot.endpoint).copied();
        if let Some(b) = binder
            && (self.sockets[b.0 as usize].role.kind() != ckind.peer() || b == socket)
        {
            return None;
        }
        let conn = ConnId(self.conns.len() as u32);
        self.conns.push(Conn {
            connecter: socket,
            binder: None,
            endpoint: slot.endpoint.clone(),
            state: ConnState::Pending,
            // The binder's marks are filled in when it appears.
            pipes: [
                Pipe::new(csnd, 0, slot.latency),
                Pipe::new(0, crcv, slot.latency),
            ],
            subs_wire: Default::default(),
            #[cfg(feature = "reliability")]
            stalled: false,
            #[cfg(feature = "reliability")]
            stall: 0,
            handshake_held: false,
        });
        let s = &mut self.sockets[socket.0 as usize];
        s.connects[index].conn = Some(conn);
        s.conns.push(conn);
        s.role.attach(conn);
        self.wake_sender(socket);
        if let Some(b) = binder {
            self.adopt(conn, b, slot.handshake);
        }
        Some(conn)
    }

    /// A pending connection's endpoint got its binder: the handshake starts.
    fn adopt(&mut self, conn: ConnId, binder: SocketId, handshake: Tick) {
        let (bsnd, brcv) = {
            let b = &self.sockets[binder.0 as usize];
            (b.sndhwm, b.rcvhwm)
        };
        let c = &mut self.conns[conn.0 as usize];
        c.binder = Some(binder);
        c.state = ConnState::Handshaking;
        c.pipes[0].set_rcvhwm(brcv);
        c.pipes[1].set_sndhwm(bsnd);
        self.sockets[binder.0 as usize].conns.push(conn);
        let at = self.now.saturating_add(handshake);
        self.schedule(at, TaskKind::Handshake(conn));
    }

    pub(crate) fn handshake(&mut self, conn: ConnId) -> Option<EventKind> {
        let c = self.conns.get_mut(conn.0 as usize)?;
        if c.state != ConnState::Handshaking {
            return None;
        }
        let (connecter, Some(binder)) = (c.connecter, c.binder) else {
            return None;
        };
        #[cfg(feature = "reliability")]
        if !self.rel.partitions.is_empty() {
            let (a, b) = (self.socket_node(connecter), self.socket_node(binder));
            if self.blocked(a, b) || self.blocked(b, a) {
                // The handshake cannot cross the partition; it completes
                // when the partition heals (or TCP gives up first).
                self.conns[conn.0 as usize].handshake_held = true;
                return None;
            }
        }
        let c = &mut self.conns[conn.0 as usize];
        c.handshake_held = false;
        c.state = ConnState::Up;
        // The connecting side has counted this pipe since `connect`.
        self.sockets[binder.0 as usize].role.attach(conn);
        for dir in 0..2 {
            self.schedule_flush(conn, dir);
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
            c.binder?
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
        let (from, to) = c.ends(dir);
        #[cfg(not(feature = "reliability"))]
        let dep = self.conns[conn.0 as usize].pipes[dir].depart(now);
        #[cfg(feature = "reliability")]
        let dep = if self.rel.link_faults.is_empty() {
            self.conns[conn.0 as usize].pipes[dir].depart(now)
        } else {
            // A `delay` fault lengthens this departure's trip; the pipe
            // keeps its order (arrivals never go backwards), as TCP does.
            let extra = self.extra_delay(self.socket_node(from), self.socket_node(to));
            let pipe = &mut self.conns[conn.0 as usize].pipes[dir];
            let base = pipe.latency;
            pipe.latency = base.saturating_add(extra);
            let dep = pipe.depart(now);
            pipe.latency = base;
            dep
        };
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
        let c = self.conns.get(conn.0 as usize)?;
        if c.state != ConnState::Up {
            return None;
        }
        #[cfg(feature = "reliability")]
        if !self.rel.partitions.is_empty() {
            let (from, to) = c.ends(dir);
            if self.blocked(self.socket_node(from), self.socket_node(to)) {
                // Held on the wire (TCP retransmits) until the partition
                // heals, or the connection is given up.
                return None;
            }
        }
        let c = self.conns.get_mut(conn.0 as usize)?;
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
    /// stays (see [`close_socket`](Self::close_socket)). Returns the loss.
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
        // The connecting side attached at `connect`, the binding side at
        // the handshake.
        let s = &mut self.sockets[connecter.0 as usize];
        s.role.detach(conn);
        s.conns.retain(|x| *x != conn);
        for slot in &mut s.connects {
            if slot.conn == Some(conn) {
                slot.conn = None;
            }
        }
        if let Some(binder) = binder {
            let b = &mut self.sockets[binder.0 as usize];
            if was_up {
                b.role.detach(conn);
            }
            b.conns.retain(|x| *x != conn);
        }
        self.drops.add(DropReason::Disconnected, u64::from(lost));
        lost
    }

    /// Closes a socket: its connections, its endpoints. Sockets that had
    /// connected to it keep their connect and get a new pending pipe, as
    /// libzmq's reconnecting sockets do.
    pub(crate) fn close_socket(&mut self, socket: SocketId) -> u32 {
        self.endpoints.retain(|_, s| *s != socket);
        let conns = self.sockets[socket.0 as usize].conns.clone();
        let mut lost = 0;
        let mut reconnect = Vec::new();
        for conn in conns {
            let c = &self.conns[conn.0 as usize];
            if c.binder == Some(socket) {
                reconnect.push(c.connecter);
            }
            lost += self.close_conn(conn);
        }
        let s = &mut self.sockets[socket.0 as usize];
        s.alive = false;
        s.connects.clear();
        for connecter in reconnect {
            if !self.sockets[connecter.0 as usize].alive {
                continue;
            }
            for index in 0..self.sockets[connecter.0 as usize].connects.len() {
                self.start_connect(connecter, index);
            }
        }
        lost
    }

    #[cfg(feature = "reliability")]
    pub(crate) fn socket_node(&self, socket: SocketId) -> NodeId {
        self.sockets[socket.0 as usize].node
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
