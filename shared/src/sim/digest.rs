//! A cheap running digest of the whole trace, so two runs (native and wasm,
//! CLI and browser, before and after a refactor) can be compared by one hex
//! string without keeping or serialising the trace.
//!
//! Each event is fed as a handful of 64-bit words (a compact encoding, not
//! JSON) into two independent multiply–rotate lanes, finished with the
//! splitmix64 avalanche. It is a fingerprint for equality, not a
//! cryptographic hash. Changing the encoding changes every digest: update
//! the golden file deliberately (see `shared/tests/trace_digest.rs`).

use std::fmt;

use super::event::{BlockReason, Event, EventKind, Fate, HopFate, Route, SleepWhy};
use crate::socket::{FsmState, OpKind, SocketError};

const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// The digest state; part of the simulator, so snapshots carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceDigest {
    a: u64,
    b: u64,
    words: u64,
}

impl Default for TraceDigest {
    fn default() -> Self {
        TraceDigest {
            a: 0x6a09_e667_f3bc_c908,
            b: 0xbb67_ae85_84ca_a73b,
            words: 0,
        }
    }
}

fn avalanche(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl TraceDigest {
    #[inline]
    pub fn word(&mut self, w: u64) {
        self.a = (self.a ^ w).wrapping_mul(K1).rotate_left(29);
        self.b = (self.b.rotate_left(17) ^ w).wrapping_mul(K2);
        self.words += 1;
    }

    /// Bytes, eight at a time, then their length.
    pub fn bytes(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(buf));
        }
        self.word(bytes.len() as u64);
    }

    /// The 128-bit fingerprint as 32 hex digits.
    pub fn hex(&self) -> String {
        self.to_string()
    }

    pub fn feed(&mut self, e: &Event) {
        self.word(e.step);
        self.word(e.time.0);
        let opt = |x: Option<u32>| x.map_or(u64::MAX, u64::from);
        match &e.kind {
            EventKind::NodeStarted {
                node,
                bound,
                connecting,
            } => {
                self.word(1);
                self.word(u64::from(node.0));
                for (s, ep) in bound {
                    self.word(u64::from(s.0));
                    self.bytes(ep.as_str().as_bytes());
                }
                for (s, ep, c) in connecting {
                    self.word(u64::from(s.0));
                    self.bytes(ep.as_str().as_bytes());
                    self.word(opt(c.map(|c| c.0)));
                }
            }
            EventKind::NodeHalted { node } => {
                self.word(2);
                self.word(u64::from(node.0));
            }
            EventKind::Bound { socket, endpoint } => {
                self.word(3);
                self.word(u64::from(socket.0));
                self.bytes(endpoint.as_str().as_bytes());
            }
            EventKind::Connecting {
                socket,
                endpoint,
                conn,
            } => {
                self.word(4);
                self.word(u64::from(socket.0));
                self.bytes(endpoint.as_str().as_bytes());
                self.word(opt(conn.map(|c| c.0)));
            }
            EventKind::Connected {
                conn,
                connecter,
                binder,
            } => {
                self.word(5);
                self.word(u64::from(conn.0));
                self.word(u64::from(connecter.0) << 32 | u64::from(binder.0));
            }
            EventKind::Disconnected { conn, lost } => {
                self.word(6);
                self.word(u64::from(conn.0) << 32 | u64::from(*lost));
            }
            EventKind::Subscribe {
                node,
                socket,
                topic,
                on,
                upstream,
            } => {
                self.word(7);
                self.word(u64::from(node.0) << 32 | u64::from(socket.0));
                self.bytes(topic.as_bytes());
                self.word(u64::from(*on) | u64::from(*upstream) << 1);
            }
            EventKind::SubscriptionArrived {
                conn,
                publisher,
                topic,
                on,
            } => {
                self.word(8);
                self.word(u64::from(conn.0) << 32 | u64::from(publisher.0));
                self.bytes(topic.as_bytes());
                self.word(u64::from(*on));
            }
            EventKind::Send {
                node,
                socket,
                msg,
                payload,
                route,
                state,
            } => {
                self.word(9);
                self.word(u64::from(node.0) << 32 | u64::from(socket.0));
                self.word(msg.0);
                self.bytes(payload.as_bytes());
                self.route(route);
                self.word(fsm(*state));
            }
            EventKind::Depart {
                conn,
                from,
                to,
                first,
                last,
                count,
                arrives,
                reopened,
            } => {
                self.word(10);
                self.word(u64::from(conn.0) << 32 | u64::from(*count));
                self.word(u64::from(from.0) << 32 | u64::from(to.0));
                self.word(first.0);
                self.word(last.0);
                self.word(arrives.0);
                self.word(u64::from(*reopened));
            }
            EventKind::Deliver {
                conn,
                from,
                to,
                msg,
                fate,
                wakes,
            } => {
                self.word(11);
                self.word(u64::from(conn.0));
                self.word(u64::from(from.0) << 32 | u64::from(to.0));
                self.word(msg.0);
                self.word(match fate {
                    Fate::Queued => 0,
                    Fate::Dropped { reason } => 1 + *reason as u64,
                });
                self.word(opt(wakes.map(|n| n.0)));
            }
            // The payload is fixed by the message id (fed with its send).
            EventKind::Recv {
                node,
                socket,
                msg,
                conn,
                state,
                ..
            } => {
                self.word(12);
                self.word(u64::from(node.0) << 32 | u64::from(socket.0));
                self.word(msg.0);
                self.word(u64::from(conn.0));
                self.word(fsm(*state));
            }
            EventKind::Block {
                node,
                socket,
                op,
                reason,
                waits,
            } => {
                self.word(13);
                self.word(u64::from(node.0) << 32 | u64::from(socket.0));
                let r = match reason {
                    BlockReason::NoPeer => 0,
                    BlockReason::PipesFull { hwm } => 1 + (u64::from(*hwm) << 8),
                    BlockReason::Empty => 2,
                };
                self.word(r << 2 | u64::from(*op == OpKind::Send) << 1 | u64::from(*waits));
            }
            EventKind::Unblock { node, socket } => {
                self.word(14);
                self.word(u64::from(node.0) << 32 | u64::from(socket.0));
            }
            EventKind::Error {
                node,
                socket,
                error,
            } => {
                self.word(15);
                self.word(u64::from(node.0) << 32 | u64::from(socket.0));
                match error {
                    SocketError::Efsm { kind, op, state } => {
                        self.word(1);
                        self.word(*kind as u64);
                        self.word(*op as u64);
                        self.word(fsm(Some(*state)));
                    }
                    SocketError::NotSupported { kind, op } => {
                        self.word(2);
                        self.word(*kind as u64);
                        self.word(*op as u64);
                    }
                }
            }
            EventKind::Sleep { node, until, why } => {
                self.word(16);
                self.word(u64::from(node.0));
                self.word(until.0);
                self.word(match why {
                    SleepWhy::Interval => 0,
                    SleepWhy::Service => 1,
                });
            }
            EventKind::Timer { node } => {
                self.word(17);
                self.word(u64::from(node.0));
            }
            EventKind::Log { node, entry } => {
                self.word(18);
                self.word(u64::from(node.0));
                entry.digest(self);
            }
            EventKind::Edited { action } => {
                self.word(19);
                // Edits are rare: their JSON is a fine encoding.
                let json = serde_json::to_string(action).unwrap_or_default();
                self.bytes(json.as_bytes());
            }
            EventKind::NodeRemoved { node, lost } => {
                self.word(20);
                self.word(u64::from(node.0) << 32 | u64::from(*lost));
            }
            EventKind::TimedOut {
                node,
                socket,
                after,
            } => {
                self.word(21);
                self.word(u64::from(node.0) << 32 | u64::from(socket.0));
                self.word(after.0);
            }
            EventKind::Reopened {
                node,
                old,
                new,
                lost,
            } => {
                self.word(22);
                self.word(u64::from(node.0) << 32 | u64::from(*lost));
                self.word(u64::from(old.0) << 32 | u64::from(new.0));
            }
            #[cfg(feature = "reliability")]
            EventKind::Fault(f) => {
                self.word(23);
                self.value(f);
            }
            #[cfg(feature = "reliability")]
            EventKind::Broker(b) => {
                self.word(24);
                self.value(b);
            }
        }
    }

    fn route(&mut self, route: &Route) {
        match route {
            Route::Peer {
                conn,
                peer,
                skipped,
            } => {
                self.word(1);
                self.word(u64::from(conn.0) << 32 | peer.map_or(0xffff_ffff, |p| u64::from(p.0)));
                for s in skipped {
                    self.word(u64::from(s.conn.0) << 32 | u64::from(s.hwm));
                }
                self.word(skipped.len() as u64);
            }
            Route::Reply { conn, peer } => {
                self.word(2);
                self.word(u64::from(conn.0) << 32 | peer.map_or(0xffff_ffff, |p| u64::from(p.0)));
            }
            Route::Fanout { hops } => {
                self.word(3);
                for h in hops {
                    let f = match h.fate {
                        HopFate::Queued => 0,
                        HopFate::Filtered => 1,
                        HopFate::DroppedHwm => 2,
                    };
                    self.word(u64::from(h.conn.0) << 8 | f);
                }
                self.word(hops.len() as u64);
            }
            Route::Dropped { reason } => {
                self.word(4);
                self.word(*reason as u64);
            }
        }
    }
}

fn fsm(state: Option<FsmState>) -> u64 {
    match state {
        None => 0,
        Some(FsmState::ReadyToSend) => 1,
        Some(FsmState::AwaitingReply) => 2,
        Some(FsmState::AwaitingRequest) => 3,
        Some(FsmState::MustReply) => 4,
    }
}

impl fmt::Display for TraceDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hi = avalanche(self.a ^ self.words.wrapping_mul(K2));
        let lo = avalanche(self.b ^ hi);
        write!(f, "{hi:016x}{lo:016x}")
    }
}
