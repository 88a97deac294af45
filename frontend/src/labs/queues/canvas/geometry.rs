//! Where things are drawn: the cards (laid out, or dragged), their ports,
//! and each connection's pipes as curves from the socket that sends
//! "forward" to the one that receives, a reply pipe beside the request
//! pipe for REQ/REP. Plain functions of the snapshot, so the dots
//! (`dots.rs`) and the tests place things exactly as the canvas draws them.

use std::collections::{BTreeMap, BTreeSet};

use fanout_shared::{
    sim::NodeId,
    socket::{ConnId, SocketId, SocketKind},
};

use crate::labs::queues::{
    layout::{self, CARD_W, Card, MARGIN, Structure},
    snap::Snap,
};

/// How far apart a REQ/REP connection's two pipes are drawn.
const PAIR_OFFSET: f64 = 6.0;

pub type Pt = (f64, f64);

/// One connection's drawing: the curve from the socket that sends
/// "forward" (PUB, PUSH, REQ) to the one that receives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub conn: ConnId,
    pub out: SocketId,
    pub inn: SocketId,
    pub a: Pt,
    pub b: Pt,
    /// REQ/REP: replies travel back on a second pipe.
    pub both: bool,
    /// Which pipe (`dir`) carries the forward direction.
    pub forward_dir: u8,
}

/// Where everything is, once cards have been placed (and dragged).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Geo {
    pub cards: BTreeMap<NodeId, Card>,
    pub ports: BTreeMap<SocketId, (Pt, bool)>,
    pub links: BTreeMap<ConnId, Link>,
    /// Connections the sockets' endpoints declare that do not exist yet
    /// (at step 0 nothing has connected; later, a peer that went away or
    /// has not come up): from the sending port to the receiving one,
    /// drawn dotted so the picture shows the system's shape from the start.
    pub declared: Vec<(Pt, Pt)>,
    pub width: f64,
    pub height: f64,
}

/// What drawing the pipes needs of the topology, per connection: which of
/// its pipes carries the forward direction (the engine says which pipe
/// the sending socket sends on), and whether messages also travel back
/// (REQ/REP: the engine's socket rules say both ends send).
pub type PipeMeta = BTreeMap<ConnId, (u8, bool)>;

pub fn pipe_meta(s: &Snap) -> PipeMeta {
    let kind = |id: SocketId| s.topo.sockets.get(id.0 as usize).map(|x| x.kind);
    s.structure
        .links
        .iter()
        .filter_map(|&(conn, out, inn)| {
            let view = s.topo.conns.get(conn.0 as usize)?;
            let forward_dir = view.pipe_from(out).unwrap_or(0);
            let both = kind(out).is_some_and(SocketKind::can_recv)
                && kind(inn).is_some_and(SocketKind::can_send);
            Some((conn, (forward_dir, both)))
        })
        .collect()
}

/// The drawing of a snapshot as first laid out (nothing dragged).
#[cfg(test)]
pub fn geometry_of(s: &Snap) -> Geo {
    let auto = layout::layout(&s.structure);
    geometry(&s.structure, &auto, &BTreeMap::new(), &pipe_meta(s))
}

/// Where the cards (laid out, or where the learner dragged them), their
/// ports and the pipes between them are.
pub fn geometry(
    s: &Structure,
    auto: &layout::Layout,
    moved: &BTreeMap<String, Pt>,
    meta: &PipeMeta,
) -> Geo {
    let mut g = Geo::default();
    for (id, name, _) in &s.nodes {
        if let Some(card) = auto.cards.get(id) {
            let mut card = *card;
            if let Some((x, y)) = moved.get(name) {
                card.x = *x;
                card.y = *y;
            }
            g.cards.insert(*id, card);
        }
    }
    for (sid, port) in &auto.ports {
        if let Some(card) = g.cards.get(&port.node) {
            g.ports
                .insert(*sid, ((card.x + port.dx, card.y + port.dy), port.right));
        }
    }
    for (conn, out, inn) in &s.links {
        let (Some((a, _)), Some((b, _))) = (g.ports.get(out), g.ports.get(inn)) else {
            continue;
        };
        let (forward_dir, both) = meta.get(conn).copied().unwrap_or((0, false));
        g.links.insert(
            *conn,
            Link {
                conn: *conn,
                out: *out,
                inn: *inn,
                a: *a,
                b: *b,
                both,
                forward_dir,
            },
        );
    }
    let linked: BTreeSet<(SocketId, SocketId)> =
        s.links.iter().map(|&(_, out, inn)| (out, inn)).collect();
    for pair in &s.declared {
        if linked.contains(pair) {
            continue;
        }
        if let (Some((a, _)), Some((b, _))) = (g.ports.get(&pair.0), g.ports.get(&pair.1)) {
            g.declared.push((*a, *b));
        }
    }
    let (mut w, mut h) = (auto.width, auto.height);
    for c in g.cards.values() {
        w = w.max(c.x + CARD_W + MARGIN);
        h = h.max(c.y + c.h + MARGIN);
    }
    g.width = w.max(320.0);
    g.height = h.max(200.0);
    g
}

/// The cubic curve of a link, shifted `off` pixels down.
pub fn curve(a: Pt, b: Pt, off: f64) -> [Pt; 4] {
    let dx = if b.0 > a.0 + 20.0 {
        ((b.0 - a.0) / 2.0).max(40.0)
    } else {
        90.0
    };
    [
        (a.0, a.1 + off),
        (a.0 + dx, a.1 + off),
        (b.0 - dx, b.1 + off),
        (b.0, b.1 + off),
    ]
}

pub fn at(c: &[Pt; 4], t: f64) -> Pt {
    let u = 1.0 - t;
    let (a, b, cc, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        a * c[0].0 + b * c[1].0 + cc * c[2].0 + d * c[3].0,
        a * c[0].1 + b * c[1].1 + cc * c[2].1 + d * c[3].1,
    )
}

pub fn path_d(c: &[Pt; 4]) -> String {
    format!(
        "M{:.1} {:.1}C{:.1} {:.1},{:.1} {:.1},{:.1} {:.1}",
        c[0].0, c[0].1, c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1
    )
}

impl Link {
    /// The curve a pipe's messages travel, from its sender to its
    /// receiver (t = 0 at the sender).
    pub fn pipe_curve(&self, dir: u8) -> [Pt; 4] {
        let forward = dir == self.forward_dir;
        let off = if self.both {
            if forward { -PAIR_OFFSET } else { PAIR_OFFSET }
        } else {
            0.0
        };
        let c = curve(self.a, self.b, off);
        if forward { c } else { [c[3], c[2], c[1], c[0]] }
    }

    pub fn dirs(&self) -> Vec<u8> {
        if self.both {
            vec![self.forward_dir, 1 - self.forward_dir]
        } else {
            vec![self.forward_dir]
        }
    }
}

/// A short endpoint for a port label: `tcp://127.0.0.1:6700` → `:6700`.
pub fn short_endpoint(e: &str) -> String {
    let rest = e.split_once("://").map_or(e, |(_, r)| r);
    for host in ["127.0.0.1", "localhost", "0.0.0.0", "*"] {
        if let Some(port) = rest.strip_prefix(host)
            && port.starts_with(':')
        {
            return port.to_string();
        }
    }
    rest.to_string()
}

pub fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let head: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{head}…")
    }
}
