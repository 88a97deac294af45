//! Socket calls: what `zmq_send` and `zmq_recv` do for each socket type,
//! on the simulator's pipes. The choice of pipe is made by the per-type
//! state in `crate::socket` (load balancer, fair queue, REQ/REP
//! alternation, publisher filters); this file applies it to the pipes and
//! reports it as a [`Route`].

use super::{
    Simulator,
    event::{BlockReason, DropReason, Hop, HopFate, Route, Skip},
    simulator::ConnState,
};
use crate::socket::{ConnId, Msg, MsgId, OpKind, Payload, Role, SocketError, SocketId, SocketKind};

/// The outcome of one call.
#[derive(Debug)]
pub(crate) enum Call {
    Sent { msg: MsgId, route: Route },
    Received { msg: Msg, conn: ConnId },
    Blocked(BlockReason),
    Failed(SocketError),
}

impl Simulator {
    fn mint(&mut self) -> MsgId {
        let id = MsgId(self.next_msg);
        self.next_msg += 1;
        id
    }

    fn write(&mut self, conn: ConnId, socket: SocketId, msg: Msg) {
        let c = &mut self.conns[conn.0 as usize];
        let dir = c.out_dir(socket);
        c.pipes[dir].write(msg);
        self.schedule_flush(conn, dir);
    }

    fn count_drop(&mut self, socket: SocketId, reason: DropReason, n: u64) {
        self.drops.add(reason, n);
        let node = self.sockets[socket.0 as usize].node;
        self.nodes[node.0 as usize].counters.dropped += n;
    }

    pub(crate) fn call_send(&mut self, socket: SocketId, payload: &Payload) -> Call {
        let Simulator { sockets, conns, .. } = self;
        let slot = &mut sockets[socket.0 as usize];
        let sndhwm = slot.sndhwm;
        let kind = slot.role.kind();
        match &mut slot.role {
            Role::Push(p) => {
                let pick =
                    p.lb.pick(|c| conns[c.0 as usize].pipes_out(socket).check_write());
                match pick.chosen {
                    Some(conn) => {
                        let skipped = skips(conns, socket, p.lb.inactive());
                        self.deliver_to_peer(socket, conn, payload, skipped)
                    }
                    None => Call::Blocked(if p.lb.is_empty() {
                        BlockReason::NoPeer
                    } else {
                        BlockReason::PipesFull { hwm: sndhwm }
                    }),
                }
            }
            Role::Req(r) => {
                if let Err(e) = r.check_send() {
                    return Call::Failed(e);
                }
                let pick =
                    r.lb.pick(|c| conns[c.0 as usize].pipes_out(socket).check_write());
                match pick.chosen {
                    Some(conn) => {
                        r.awaiting = Some(conn);
                        let skipped = skips(conns, socket, r.lb.inactive());
                        self.deliver_to_peer(socket, conn, payload, skipped)
                    }
                    None => Call::Blocked(if r.lb.is_empty() {
                        BlockReason::NoPeer
                    } else {
                        BlockReason::PipesFull { hwm: sndhwm }
                    }),
                }
            }
            Role::Rep(r) => {
                let target = match r.check_send() {
                    Ok(t) => t,
                    Err(e) => return Call::Failed(e),
                };
                r.replying_to = None;
                let msg = self.mint();
                let up = target.filter(|c| self.conns[c.0 as usize].state == ConnState::Up);
                match up {
                    Some(conn) => {
                        let c = &mut self.conns[conn.0 as usize];
                        let peer = c.peer_of(socket);
                        if c.pipes_out(socket).check_write() {
                            self.write(
                                conn,
                                socket,
                                Msg {
                                    id: msg,
                                    payload: payload.clone(),
                                },
                            );
                            Call::Sent {
                                msg,
                                route: Route::Reply { conn, peer },
                            }
                        } else {
                            self.count_drop(socket, DropReason::Hwm, 1);
                            Call::Sent {
                                msg,
                                route: Route::Dropped {
                                    reason: DropReason::Hwm,
                                },
                            }
                        }
                    }
                    None => {
                        self.count_drop(socket, DropReason::NoPeer, 1);
                        Call::Sent {
                            msg,
                            route: Route::Dropped {
                                reason: DropReason::NoPeer,
                            },
                        }
                    }
                }
            }
            Role::Pub(p) => {
                let bytes = payload.as_bytes();
                let mut hops = Vec::with_capacity(p.pipes().len());
                for &conn in p.pipes() {
                    let c = &mut conns[conn.0 as usize];
                    let peer = c.peer_of(socket);
                    let fate = if !p.matches(conn, bytes) {
                        HopFate::Filtered
                    } else if c.pipes_out(socket).check_write() {
                        HopFate::Queued
                    } else {
                        HopFate::DroppedHwm
                    };
                    hops.push(Hop { conn, peer, fate });
                }
                let msg = self.mint();
                let mut queued = 0;
                let mut dropped = 0;
                for hop in &hops {
                    match hop.fate {
                        HopFate::Queued => {
                            queued += 1;
                            self.write(
                                hop.conn,
                                socket,
                                Msg {
                                    id: msg,
                                    payload: payload.clone(),
                                },
                            );
                        }
                        HopFate::DroppedHwm => dropped += 1,
                        HopFate::Filtered => {}
                    }
                }
                if dropped > 0 {
                    self.count_drop(socket, DropReason::Hwm, dropped);
                }
                let route = if hops.is_empty() {
                    self.count_drop(socket, DropReason::NoPeer, 1);
                    Route::Dropped {
                        reason: DropReason::NoPeer,
                    }
                } else {
                    if queued == 0 && dropped == 0 {
                        self.count_drop(socket, DropReason::Filtered, 1);
                    }
                    Route::Fanout { hops }
                };
                Call::Sent { msg, route }
            }
            Role::Sub(_) | Role::Pull(_) => Call::Failed(SocketError::NotSupported {
                kind,
                op: OpKind::Send,
            }),
        }
    }

    fn deliver_to_peer(
        &mut self,
        socket: SocketId,
        conn: ConnId,
        payload: &Payload,
        skipped: Vec<Skip>,
    ) -> Call {
        let msg = self.mint();
        let peer = self.conns[conn.0 as usize].peer_of(socket);
        self.write(
            conn,
            socket,
            Msg {
                id: msg,
                payload: payload.clone(),
            },
        );
        Call::Sent {
            msg,
            route: Route::Peer {
                conn,
                peer,
                skipped,
            },
        }
    }

    pub(crate) fn call_recv(&mut self, socket: SocketId) -> Call {
        let Simulator { sockets, conns, .. } = self;
        let slot = &mut sockets[socket.0 as usize];
        let kind = slot.role.kind();
        let got = match &mut slot.role {
            Role::Pull(p) => p.fq.recv(|c| conns[c.0 as usize].pipes_in(socket).read()),
            Role::Sub(s) => s.fq.recv(|c| conns[c.0 as usize].pipes_in(socket).read()),
            Role::Rep(r) => {
                if let Err(e) = r.check_recv() {
                    return Call::Failed(e);
                }
                let got = r.fq.recv(|c| conns[c.0 as usize].pipes_in(socket).read());
                if let Some((conn, _)) = &got {
                    r.replying_to = Some(Some(*conn));
                }
                got
            }
            Role::Req(r) => {
                let conn = match r.check_recv() {
                    Ok(c) => c,
                    Err(e) => return Call::Failed(e),
                };
                let got = conns[conn.0 as usize]
                    .pipes_in(socket)
                    .read()
                    .map(|m| (conn, m));
                if got.is_some() {
                    r.awaiting = None;
                }
                got
            }
            Role::Pub(_) | Role::Push(_) => {
                return Call::Failed(SocketError::NotSupported {
                    kind,
                    op: OpKind::Recv,
                });
            }
        };
        match got {
            Some((conn, (msg, credit))) => {
                if credit {
                    let dir = self.conns[conn.0 as usize].in_dir(socket);
                    self.schedule_flush(conn, dir);
                }
                Call::Received { msg, conn }
            }
            None => Call::Blocked(BlockReason::Empty),
        }
    }
}

/// The load balancer's full pipes, for the caption "skipped: pipe full".
fn skips(conns: &[super::simulator::Conn], socket: SocketId, inactive: &[ConnId]) -> Vec<Skip> {
    inactive
        .iter()
        .map(|&conn| {
            let c = &conns[conn.0 as usize];
            Skip {
                conn,
                peer: c.peer_of(socket),
                hwm: c.pipes[c.out_dir(socket)].sndhwm(),
            }
        })
        .collect()
}

impl super::simulator::Conn {
    pub(crate) fn pipes_out(&mut self, socket: SocketId) -> &mut crate::socket::pipe::Pipe {
        let d = self.out_dir(socket);
        &mut self.pipes[d]
    }
    pub(crate) fn pipes_in(&mut self, socket: SocketId) -> &mut crate::socket::pipe::Pipe {
        let d = self.in_dir(socket);
        &mut self.pipes[d]
    }
}

/// Which socket kinds a call is meaningful for (used by captions).
pub fn can(kind: SocketKind, op: OpKind) -> bool {
    match op {
        OpKind::Send => kind.can_send(),
        OpKind::Recv => kind.can_recv(),
    }
}
