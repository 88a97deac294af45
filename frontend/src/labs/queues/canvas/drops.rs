//! Drops on the canvas: where each recent drop happened (at the sender's
//! end of its pipe for a full mark, at the port for no peer or no
//! matching subscription, at the receiver for a drop on arrival, at the
//! connecter for messages lost with a connection) and why, fading over
//! [`DROP_MEMORY`] events.

use fanout_shared::{
    sim::{DropReason, EventKind, Fate, HopFate, Route},
    socket::{ConnId, MsgId, SocketId},
};

use super::geometry::{Geo, Pt, at};
use crate::labs::queues::snap::Snap;

/// Drops stay on the canvas for this many events.
pub const DROP_MEMORY: u64 = 60;

/// A drop on the canvas: where, why, which message.
#[derive(Clone, Debug, PartialEq)]
pub struct DropMark {
    pub key: u64,
    pub at: Pt,
    pub reason: DropReason,
    pub msg: Option<MsgId>,
    pub age: u64,
}

pub fn drop_marks(s: &Snap, g: &Geo) -> Vec<DropMark> {
    let mut out = Vec::new();
    let sender_end = |conn: ConnId, from: SocketId| -> Option<Pt> {
        let l = g.links.get(&conn)?;
        let dir = if from == l.out {
            l.forward_dir
        } else {
            1 - l.forward_dir
        };
        Some(at(&l.pipe_curve(dir), 0.2))
    };
    for (e, _) in s.log.iter().rev() {
        let age = s.steps.saturating_sub(e.step + 1);
        if age >= DROP_MEMORY {
            break;
        }
        let key = e.step * 64;
        match &e.kind {
            EventKind::Send {
                socket, route, msg, ..
            } => match route {
                Route::Fanout { hops } => {
                    for (i, h) in hops.iter().enumerate() {
                        if h.fate == HopFate::DroppedHwm
                            && let Some(p) = sender_end(h.conn, *socket)
                        {
                            out.push(DropMark {
                                key: key + i as u64 % 64,
                                at: p,
                                reason: DropReason::Hwm,
                                msg: Some(*msg),
                                age,
                            });
                        }
                    }
                    if hops.iter().all(|h| h.fate == HopFate::Filtered)
                        && let Some((p, _)) = g.ports.get(socket)
                    {
                        out.push(DropMark {
                            key,
                            at: (p.0 + 10.0, p.1 - 12.0),
                            reason: DropReason::Filtered,
                            msg: Some(*msg),
                            age,
                        });
                    }
                }
                Route::Dropped { reason } => {
                    if let Some((p, _)) = g.ports.get(socket) {
                        out.push(DropMark {
                            key,
                            at: (p.0 + 10.0, p.1 - 12.0),
                            reason: *reason,
                            msg: Some(*msg),
                            age,
                        });
                    }
                }
                _ => {}
            },
            EventKind::Deliver {
                conn,
                to,
                msg,
                fate,
                ..
            } => {
                if let Fate::Dropped { reason } = fate
                    && let Some((p, _)) = g.ports.get(to)
                {
                    let _ = conn;
                    out.push(DropMark {
                        key,
                        at: (p.0 - 14.0, p.1 - 12.0),
                        reason: *reason,
                        msg: Some(*msg),
                        age,
                    });
                }
            }
            EventKind::Disconnected { conn, lost } if *lost > 0 => {
                if let Some(c) = s.topo.conns.get(conn.0 as usize)
                    && let Some((p, _)) = g.ports.get(&c.connecter)
                {
                    out.push(DropMark {
                        key,
                        at: (p.0, p.1 - 14.0),
                        reason: DropReason::Disconnected,
                        msg: None,
                        age,
                    });
                }
            }
            _ => {}
        }
    }
    out
}
