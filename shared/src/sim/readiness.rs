//! What a socket could do right now, asked of the engine instead of
//! counted beside it.
//!
//! A live room receives for its members as messages arrive, and must never
//! try a call the socket's pattern forbids (a REQ receiving before it
//! asked, a REP receiving twice) nor keep its own tally of what waits in
//! the pipes: both are the engine's state. These queries read that state
//! and change nothing; the rules themselves are the socket types' own
//! (`crate::socket::Role`: `may_send`, `may_recv`, `recv_pipes`,
//! `recvs_in_a_row`).

use super::Simulator;
use crate::socket::SocketId;

impl Simulator {
    /// How many `recv` calls on `socket`, made one after another right now,
    /// would each return a message: what waits in its receive stages,
    /// within what its pattern allows in a row (REQ only the reply to its
    /// request, and only once it asked; REP one request while it awaits
    /// one; PULL and SUB everything queued). 0 for a closed socket.
    pub fn receivable(&self, socket: SocketId) -> u64 {
        let Some(slot) = self.sockets.get(socket.0 as usize).filter(|s| s.alive) else {
            return 0;
        };
        let waiting: u64 = slot
            .role
            .recv_pipes()
            .iter()
            .filter_map(|conn| self.conns.get(conn.0 as usize))
            .map(|c| c.pipes[c.in_dir(socket)].receiving().len() as u64)
            .sum();
        match slot.role.recvs_in_a_row() {
            Some(turn) => waiting.min(turn),
            None => waiting,
        }
    }

    /// Whether a `recv` on `socket` now would be accepted by its pattern
    /// (it may still return `EAGAIN`): false for a REQ that has not sent,
    /// a REP that owes a reply, a PUB or PUSH, a closed socket.
    pub fn may_recv(&self, socket: SocketId) -> bool {
        self.sockets
            .get(socket.0 as usize)
            .is_some_and(|s| s.alive && s.role.may_recv())
    }

    /// Whether a `send` on `socket` now would be accepted by its pattern
    /// (it may still return `EAGAIN`): false for a REQ awaiting its reply,
    /// a REP that has no request to answer, a SUB or PULL, a closed socket.
    pub fn may_send(&self, socket: SocketId) -> bool {
        self.sockets
            .get(socket.0 as usize)
            .is_some_and(|s| s.alive && s.role.may_send())
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        sim::{Action, ActionError, EventKind, Scenario, Simulator},
        socket::SocketId,
        time::Tick,
    };

    /// A copy of the engine with `node` driven from outside (its queues,
    /// connections and REQ/REP state kept), so calls can be tried on it.
    fn taken(sim: &Simulator, node: &str) -> Simulator {
        let mut probe = sim.clone();
        match probe.apply(Action::TakeOver { node: node.into() }) {
            Ok(_) | Err(ActionError::AlreadyExternal { .. }) => probe,
            Err(e) => panic!("{e}"),
        }
    }

    fn call(sim: &mut Simulator, node: &str, socket: &str, send: bool) -> EventKind {
        let action = if send {
            Action::Send {
                node: node.into(),
                socket: socket.into(),
                payload: "probe".into(),
            }
        } else {
            Action::Recv {
                node: node.into(),
                socket: socket.into(),
            }
        };
        sim.apply(action).expect("an external node's call").kind
    }

    /// Every socket of the running presets, at many points of their runs
    /// (programs still driving them): `receivable` is exactly how many
    /// `recv`s in a row succeed on a copy of the engine, and
    /// `may_recv`/`may_send` exactly whether the call escapes
    /// `EFSM`/`ENOTSUP`.
    #[test]
    fn the_answers_match_what_the_calls_do() {
        for preset in ["pipeline", "slow-subscriber", "rpc", "pi"] {
            let mut sim = Simulator::new(&Scenario::preset(preset).unwrap(), 3).unwrap();
            let (mut waiting_seen, mut req_rep_turns) = (0, [false; 2]);
            for round in 1..=80u64 {
                sim.run_until(Tick::from_micros(2_500 * round));
                let topology = sim.topology();
                for (i, view) in topology.sockets.iter().enumerate() {
                    let sid = SocketId(i as u32);
                    if !view.alive {
                        continue;
                    }
                    let node = &topology.nodes[view.node.0 as usize].name;
                    let what = format!("{preset} {node}.{} at round {round}", view.name);

                    let mut probe = taken(&sim, node);
                    let mut got = 0;
                    let mut outcome = call(&mut probe, node, &view.name, false);
                    let accepted = !matches!(outcome, EventKind::Error { .. });
                    assert_eq!(sim.may_recv(sid), accepted, "{what}");
                    while let EventKind::Recv { .. } = outcome {
                        got += 1;
                        if !probe.may_recv(sid) {
                            break;
                        }
                        outcome = call(&mut probe, node, &view.name, false);
                    }
                    assert_eq!(sim.receivable(sid), got, "{what}");
                    waiting_seen += got;

                    let sent = call(&mut taken(&sim, node), node, &view.name, true);
                    let accepted = !matches!(sent, EventKind::Error { .. });
                    assert_eq!(sim.may_send(sid), accepted, "{what}");
                    if view.fsm.is_some() {
                        req_rep_turns[usize::from(sim.may_send(sid))] = true;
                    }
                }
            }
            if preset == "pipeline" || preset == "slow-subscriber" {
                assert!(
                    waiting_seen > 0,
                    "{preset}: some socket had messages waiting"
                );
            }
            if preset == "rpc" || preset == "pi" {
                assert_eq!(req_rep_turns, [true, true], "{preset}: both turns seen");
            }
        }
    }

    /// Two REQs asked one REP: two requests wait, but the REP may take
    /// only one before it replies; the REQ may take only its own reply.
    #[test]
    fn req_and_rep_take_one_at_a_time() {
        let scenario = Scenario::from_json(
            r#"{"name": "pair", "nodes": [
                {"name": "server", "program": {"kind": "external"},
                 "sockets": [{"name": "rep", "type": "REP", "bind": ["tcp://svc"]}]},
                {"name": "a", "program": {"kind": "external"},
                 "sockets": [{"name": "req", "type": "REQ", "connect": ["tcp://svc"]}]},
                {"name": "b", "program": {"kind": "external"},
                 "sockets": [{"name": "req", "type": "REQ", "connect": ["tcp://svc"]}]}]}"#,
        )
        .unwrap();
        let mut sim = Simulator::new(&scenario, 1).unwrap();
        sim.run_until(Tick::from_millis(20));
        let rep = sim.socket_id("server", "rep").unwrap();
        let a = sim.socket_id("a", "req").unwrap();
        assert!(!sim.may_recv(a), "a REQ receives only after it asked");
        assert!(!sim.may_send(rep), "a REP sends only a reply");
        for node in ["a", "b"] {
            call(&mut sim, node, "req", true);
        }
        sim.run_until(Tick::from_millis(40));
        assert_eq!(sim.receivable(rep), 1, "two requests wait; one at a time");
        assert!(matches!(
            call(&mut sim, "server", "rep", false),
            EventKind::Recv { .. }
        ));
        assert_eq!(sim.receivable(rep), 0, "it owes a reply first");
        assert!(!sim.may_recv(rep) && sim.may_send(rep));
        call(&mut sim, "server", "rep", true);
        assert_eq!(sim.receivable(rep), 1, "the second request");
        sim.run_until(Tick::from_millis(60));
        assert_eq!(sim.receivable(a), 1, "a's reply arrived");
        assert!(!sim.may_send(a), "a awaits it");
        call(&mut sim, "a", "req", false);
        assert_eq!(sim.receivable(a), 0);
        assert!(sim.may_send(a) && !sim.may_recv(a));
    }
}
