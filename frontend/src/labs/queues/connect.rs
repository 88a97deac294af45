//! What dropping one socket's port on another's asks the engine: whichever
//! of the two binds an endpoint, the other connects to it; if neither
//! binds, the socket dropped on binds a fresh endpoint named after it and
//! the other connects there. This is the gesture's meaning only: whether
//! the two may talk (PUSH to PULL, not PULL to PUB) is the engine's to
//! say, when the actions are applied.

use fanout_shared::{
    sim::{Action, Topology, scenario::ConnectSpec},
    socket::{Endpoint, SocketId},
};

use super::problem::Problem;

/// The actions that connect `from` (where the drag started) to `to` (where
/// it was dropped), to be applied together.
pub fn plan(topo: &Topology, from: SocketId, to: SocketId) -> Result<Vec<Action>, Problem> {
    let socket = |id: SocketId| topo.sockets.get(id.0 as usize).filter(|s| s.alive);
    let node = |id: SocketId| {
        socket(id).and_then(|s| topo.nodes.get(s.node.0 as usize).map(|n| n.name.clone()))
    };
    let (Some(a), Some(b), Some(a_node), Some(b_node)) =
        (socket(from), socket(to), node(from), node(to))
    else {
        return Err(Problem::Vanished);
    };
    let connect = |node: &str, socket: &str, endpoint: Endpoint| Action::Connect {
        node: node.to_owned(),
        socket: socket.to_owned(),
        connect: ConnectSpec::to(endpoint),
    };
    if let Some(endpoint) = b.binds.first() {
        return Ok(vec![connect(&a_node, &a.name, endpoint.clone())]);
    }
    if let Some(endpoint) = a.binds.first() {
        return Ok(vec![connect(&b_node, &b.name, endpoint.clone())]);
    }
    let endpoint = Endpoint::parse(&fresh_endpoint(topo, &b_node, &b.name))?;
    Ok(vec![
        Action::Bind {
            node: b_node.clone(),
            socket: b.name.clone(),
            endpoint: endpoint.clone(),
        },
        connect(&a_node, &a.name, endpoint),
    ])
}

/// `tcp://node-socket`, numbered (`-2`, `-3` …) past any endpoint already
/// bound, with whitespace (which an endpoint cannot hold) as dashes.
fn fresh_endpoint(topo: &Topology, node: &str, socket: &str) -> String {
    let base: String = format!("tcp://{node}-{socket}")
        .chars()
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .collect();
    let taken = |text: &str| {
        topo.sockets
            .iter()
            .flat_map(|s| &s.binds)
            .any(|e| e.as_str() == text)
    };
    let mut text = base.clone();
    let mut n = 2;
    while taken(&text) {
        text = format!("{base}-{n}");
        n += 1;
    }
    text
}

#[cfg(test)]
mod tests {
    use fanout_shared::sim::{Scenario, Simulator};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn socket(sim: &Simulator, node: &str, socket: &str) -> SocketId {
        sim.socket_id(node, socket).unwrap()
    }

    /// tally's PULL binds: judge's PUSH dropped on it, or it dropped on
    /// judge's PUSH, connects judge's PUSH there (the engine then says
    /// whether it may: here it already does).
    #[wasm_bindgen_test]
    fn the_socket_that_binds_is_connected_to() {
        let sim = Simulator::new(&Scenario::preset("pi").unwrap(), 1).unwrap();
        let topo = sim.topology();
        let (judge_out, tally_in) = (socket(&sim, "judge", "out"), socket(&sim, "tally", "in"));
        let want = Action::Connect {
            node: "judge".into(),
            socket: "out".into(),
            connect: ConnectSpec::to(Endpoint::parse("tcp://127.0.0.1:6702").unwrap()),
        };
        assert_eq!(plan(&topo, judge_out, tally_in), Ok(vec![want.clone()]));
        assert_eq!(plan(&topo, tally_in, judge_out), Ok(vec![want]));
    }

    /// Neither binds: the socket dropped on binds a fresh endpoint named
    /// after it, numbered past one already taken, and the other connects.
    #[wasm_bindgen_test]
    fn when_neither_binds_the_target_binds_a_fresh_endpoint() {
        let mut sim = Simulator::new(&Scenario::preset("pi").unwrap(), 1).unwrap();
        sim.apply(Action::Bind {
            node: "judge".into(),
            socket: "out".into(),
            endpoint: Endpoint::parse("tcp://always_yes-out").unwrap(),
        })
        .unwrap();
        let topo = sim.topology();
        let actions = plan(
            &topo,
            socket(&sim, "judge", "to_pyth"),
            socket(&sim, "always_yes", "out"),
        )
        .unwrap();
        let fresh = Endpoint::parse("tcp://always_yes-out-2").unwrap();
        assert_eq!(
            actions,
            vec![
                Action::Bind {
                    node: "always_yes".into(),
                    socket: "out".into(),
                    endpoint: fresh.clone(),
                },
                Action::Connect {
                    node: "judge".into(),
                    socket: "to_pyth".into(),
                    connect: ConnectSpec::to(fresh),
                },
            ]
        );
    }

    #[wasm_bindgen_test]
    fn a_socket_that_is_gone_is_said_to_be() {
        let sim = Simulator::new(&Scenario::preset("pi").unwrap(), 1).unwrap();
        let topo = sim.topology();
        assert_eq!(
            plan(&topo, SocketId(999), socket(&sim, "tally", "in")),
            Err(Problem::Vanished)
        );
    }
}
