//! A readable automatic layout: nodes in columns left to right by the
//! direction messages flow (PUB → SUB, PUSH → PULL, REQ → REP), ordered in
//! each column to keep edges short; each node a card with its sending
//! sockets on the right edge and its receiving sockets on the left.
//!
//! The layout depends only on the structure (which nodes, sockets and
//! connections exist), never on queue depths, so the canvas stays still
//! while a run plays. Dragged nodes keep where the learner put them.

use std::collections::BTreeMap;

use fanout_shared::{
    sim::{ConnPhase, NodeId, NodeState, Topology},
    socket::{ConnId, SocketId, SocketKind},
};

pub const CARD_W: f64 = 200.0;
pub const HEADER_H: f64 = 48.0;
pub const ROW_H: f64 = 42.0;
const GAP_X: f64 = 130.0;
const GAP_Y: f64 = 26.0;
pub const MARGIN: f64 = 24.0;

/// A node as the layout sees it: id, name, sockets in order.
pub type NodeShape = (NodeId, String, Vec<(SocketId, SocketKind)>);

/// What the layout depends on (compared to decide whether to redo it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Structure {
    pub nodes: Vec<NodeShape>,
    /// (conn, the socket that sends "forward", the one that receives).
    pub links: Vec<(ConnId, SocketId, SocketId)>,
    /// The same pairs as the sockets' endpoints declare them, before any
    /// connection exists: at step 0 nothing has connected yet, and a layout
    /// from live connections alone would stack every card in one column and
    /// then jump once they come up.
    pub declared: Vec<(SocketId, SocketId)>,
    /// Task programs' broker connections (the reliability page), from the
    /// node tasks leave to the one they reach: producer to broker, broker
    /// to worker. Not ZeroMQ pipes, but they place the cards as pipes do,
    /// and are known from the programs' specs before anything connects.
    pub brokered: Vec<(NodeId, NodeId)>,
}

impl Structure {
    pub fn of(topo: &Topology) -> Structure {
        let alive_socket = |id: SocketId| topo.sockets.get(id.0 as usize).is_some_and(|s| s.alive);
        let nodes = topo
            .nodes
            .iter()
            .filter(|n| n.state != NodeState::Removed)
            .map(|n| {
                let sockets = n
                    .sockets
                    .iter()
                    .filter(|s| alive_socket(**s))
                    .filter_map(|s| topo.sockets.get(s.0 as usize).map(|v| (v.id, v.kind)))
                    .collect();
                (n.id, n.name.clone(), sockets)
            })
            .collect();
        let links = topo
            .conns
            .iter()
            .filter(|c| c.state != ConnPhase::Closed)
            .filter_map(|c| {
                let binder = c.binder?;
                let kind = topo.sockets.get(c.connecter.0 as usize)?.kind;
                if !alive_socket(binder) || !alive_socket(c.connecter) {
                    return None;
                }
                Some(if is_outbound(kind) {
                    (c.id, c.connecter, binder)
                } else {
                    (c.id, binder, c.connecter)
                })
            })
            .collect();
        let alive: Vec<_> = topo.sockets.iter().filter(|s| s.alive).collect();
        let mut declared = Vec::new();
        for connecter in &alive {
            for endpoint in &connecter.connects {
                for binder in alive.iter().filter(|b| b.binds.contains(endpoint)) {
                    declared.push(if is_outbound(connecter.kind) {
                        (connecter.id, binder.id)
                    } else {
                        (binder.id, connecter.id)
                    });
                }
            }
        }
        declared.sort_unstable();
        declared.dedup();
        Structure {
            nodes,
            links,
            declared,
            brokered: brokered(topo),
        }
    }
}

#[cfg(feature = "reliability")]
fn brokered(topo: &Topology) -> Vec<(NodeId, NodeId)> {
    topo.nodes
        .iter()
        .filter(|n| n.state != NodeState::Removed)
        .filter_map(|n| Some(n.broker_link?.flow(n.id)))
        .collect()
}

#[cfg(not(feature = "reliability"))]
fn brokered(_topo: &Topology) -> Vec<(NodeId, NodeId)> {
    Vec::new()
}

/// Sockets that start a flow (their port is on the card's right edge).
pub fn is_outbound(kind: SocketKind) -> bool {
    matches!(kind, SocketKind::Pub | SocketKind::Push | SocketKind::Req)
}

/// A card's place and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Card {
    pub x: f64,
    pub y: f64,
    pub h: f64,
}

/// A port relative to its card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Port {
    pub node: NodeId,
    pub dx: f64,
    pub dy: f64,
    pub right: bool,
    pub row: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub cards: BTreeMap<NodeId, Card>,
    pub ports: BTreeMap<SocketId, Port>,
    pub width: f64,
    pub height: f64,
}

pub fn card_height(sockets: usize) -> f64 {
    HEADER_H + ROW_H * sockets.max(1) as f64 + 6.0
}

pub fn layout(s: &Structure) -> Layout {
    let owner: BTreeMap<SocketId, usize> = s
        .nodes
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.2.iter().map(move |(sid, _)| (*sid, i)))
        .collect();
    let mut edges: Vec<(usize, usize)> = s
        .links
        .iter()
        .map(|(_, from, to)| (from, to))
        .chain(s.declared.iter().map(|(from, to)| (from, to)))
        .filter_map(|(from, to)| Some((*owner.get(from)?, *owner.get(to)?)))
        .chain(s.brokered.iter().filter_map(|(from, to)| {
            let index = |id: &NodeId| s.nodes.iter().position(|n| n.0 == *id);
            Some((index(from)?, index(to)?))
        }))
        .filter(|(a, b)| a != b)
        .collect();
    edges.sort_unstable();
    edges.dedup();

    // Longest path from the sources; a cycle stops growing after n rounds.
    let n = s.nodes.len();
    let mut layer = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for &(a, b) in &edges {
            if layer[b] < layer[a] + 1 && layer[a] + 1 < n.max(1) {
                layer[b] = layer[a] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let columns = layer.iter().copied().max().map_or(0, |m| m + 1);
    let mut cols: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (i, &l) in layer.iter().enumerate() {
        cols[l].push(i);
    }
    // Order each column by the mean position of its neighbours in the
    // previous column, then sweep back once from the right.
    let mut pos = vec![0.0f64; n];
    let set_pos = |cols: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for col in cols {
            for (k, &i) in col.iter().enumerate() {
                pos[i] = k as f64;
            }
        }
    };
    set_pos(&cols, &mut pos);
    for sweep in 0..2 {
        let order: Vec<usize> = if sweep == 0 {
            (1..columns).collect()
        } else {
            (0..columns.saturating_sub(1)).rev().collect()
        };
        for c in order {
            let mut keyed: Vec<(f64, usize)> = cols[c]
                .iter()
                .map(|&i| {
                    let neigh: Vec<f64> = edges
                        .iter()
                        .filter_map(|&(a, b)| {
                            if sweep == 0 && b == i && layer[a] < c {
                                Some(pos[a])
                            } else if sweep == 1 && a == i && layer[b] > c {
                                Some(pos[b])
                            } else {
                                None
                            }
                        })
                        .collect();
                    let key = if neigh.is_empty() {
                        pos[i]
                    } else {
                        neigh.iter().sum::<f64>() / neigh.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            cols[c] = keyed.into_iter().map(|(_, i)| i).collect();
            set_pos(&cols, &mut pos);
        }
    }

    let heights: Vec<f64> = s.nodes.iter().map(|n| card_height(n.2.len())).collect();
    let col_h: Vec<f64> = cols
        .iter()
        .map(|col| col.iter().map(|&i| heights[i] + GAP_Y).sum::<f64>() - GAP_Y)
        .collect();
    let tallest = col_h.iter().copied().fold(0.0, f64::max);
    let mut out = Layout::default();
    for (c, col) in cols.iter().enumerate() {
        let mut y = MARGIN + (tallest - col_h[c]) / 2.0;
        let x = MARGIN + c as f64 * (CARD_W + GAP_X);
        for &i in col {
            let (id, _, sockets) = &s.nodes[i];
            out.cards.insert(
                *id,
                Card {
                    x,
                    y,
                    h: heights[i],
                },
            );
            for (row, (sid, kind)) in sockets.iter().enumerate() {
                let right = is_outbound(*kind);
                out.ports.insert(
                    *sid,
                    Port {
                        node: *id,
                        dx: if right { CARD_W } else { 0.0 },
                        dy: HEADER_H + ROW_H * row as f64 + ROW_H / 2.0,
                        right,
                        row,
                    },
                );
            }
            y += heights[i] + GAP_Y;
        }
    }
    out.width = MARGIN * 2.0 + columns as f64 * CARD_W + columns.saturating_sub(1) as f64 * GAP_X;
    out.height = MARGIN * 2.0 + tallest;
    out
}

#[cfg(test)]
mod tests {
    use fanout_shared::sim::{Scenario, Simulator};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn layout_of(name: &str) -> (Topology, Layout) {
        layout_after(name, 400)
    }

    fn layout_after(name: &str, steps: u64) -> (Topology, Layout) {
        let mut sim = Simulator::new(&Scenario::preset(name).unwrap(), 1).unwrap();
        sim.run_steps(steps);
        let topo = sim.topology();
        let l = layout(&Structure::of(&topo));
        (topo, l)
    }

    fn x_of(topo: &Topology, l: &Layout, name: &str) -> f64 {
        let id = topo.nodes.iter().find(|n| n.name == name).unwrap().id;
        l.cards[&id].x
    }

    #[wasm_bindgen_test]
    fn pi_flows_left_to_right() {
        let (topo, l) = layout_of("pi");
        let x = |n| x_of(&topo, &l, n);
        assert!(x("bitsource") < x("judge"));
        assert!(x("judge") < x("pythagoras"));
        assert!(x("always_yes") < x("tally"));
        assert!(x("judge") < x("tally"));
        assert_eq!(l.cards.len(), 5);
    }

    #[wasm_bindgen_test]
    fn the_first_layout_is_the_connected_one() {
        // At step 0 nothing has connected; the declared endpoints already
        // place the cards where they stay once connections come up.
        for name in ["pi", "pipeline", "pubsub", "rpc"] {
            let (_, before) = layout_after(name, 0);
            let (_, after) = layout_after(name, 400);
            assert_eq!(before.cards, after.cards, "{name}");
        }
        let (topo, l) = layout_after("pi", 0);
        assert!(x_of(&topo, &l, "bitsource") < x_of(&topo, &l, "tally"));
    }

    /// Task programs have no sockets; their broker connections place them:
    /// producer, then broker, then workers, from step 0 on.
    #[cfg(feature = "reliability")]
    #[wasm_bindgen_test]
    fn broker_connections_place_producer_broker_and_workers_in_flow_order() {
        for steps in [0, 400] {
            let (topo, l) = layout_after("at-least-once", steps);
            let x = |n| x_of(&topo, &l, n);
            assert!(x("producer") < x("broker"), "step {steps}");
            assert!(x("broker") < x("worker-1"), "step {steps}");
            assert_eq!(x("worker-1"), x("worker-2"), "step {steps}");
        }
    }

    #[wasm_bindgen_test]
    fn cards_in_a_column_do_not_overlap() {
        for name in fanout_shared::sim::presets::NAMES {
            let (_, l) = layout_of(name);
            let cards: Vec<&Card> = l.cards.values().collect();
            for (i, a) in cards.iter().enumerate() {
                for b in &cards[i + 1..] {
                    if a.x == b.x {
                        assert!(a.y + a.h <= b.y || b.y + b.h <= a.y, "{name}");
                    }
                }
            }
            assert!(l.width > 0.0 && l.height > 0.0);
        }
    }
}
