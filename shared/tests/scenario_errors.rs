//! Scenarios come from users and URLs: nonsense is refused with a sentence
//! that names the node and socket at fault, and nothing panics.

use fanout_shared::sim::{Scenario, ScenarioError, Simulator};
use proptest::prelude::*;

fn pi_with(from: &str, to: &str) -> String {
    let text = fanout_shared::sim::presets::text("pi").unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

fn error(json: &str) -> String {
    Scenario::from_json(json).unwrap_err().to_string()
}

#[test]
fn wrong_socket_pairing_names_node_and_socket() {
    let json = pi_with(
        r#"{ "name": "to_pyth", "type": "REQ", "connect": ["tcp://127.0.0.1:6701"] }"#,
        r#"{ "name": "to_pyth", "type": "REQ", "connect": ["tcp://127.0.0.1:6700"] }"#,
    );
    let e = error(&json);
    assert!(
        e.starts_with("node judge: socket to_pyth is REQ but connects to a PUB endpoint"),
        "{e}"
    );
    assert!(e.contains("bound by bitsource.out"), "{e}");
}

#[test]
fn precise_messages_for_each_mistake() {
    let cases = [
        (
            pi_with(r#""name": "tally","#, r#""name": "judge","#),
            "two nodes are named judge",
        ),
        (
            pi_with(
                r#""bind": ["tcp://127.0.0.1:6702"]"#,
                r#""bind": ["tcp://127.0.0.1:6701"]"#,
            ),
            "node tally: socket in and node pythagoras's socket rep both bind tcp://127.0.0.1:6701",
        ),
        (
            pi_with(
                r#""connect": ["tcp://127.0.0.1:6701"]"#,
                r#""connect": ["tcp://nowhere"]"#,
            ),
            "node judge: socket to_pyth connects to tcp://nowhere, which no socket binds",
        ),
        (
            pi_with(
                r#"{ "name": "out", "type": "PUSH", "connect": ["tcp://127.0.0.1:6702"] }"#,
                r#"{ "name": "out", "type": "PUSH", "connect": ["tcp://127.0.0.1:6702"], "subscribe": ["x"] }"#,
            ),
            "node always_yes: socket out is PUSH; only a SUB socket subscribes",
        ),
        (
            pi_with(r#""ask": "to_pyth""#, r#""ask": "oracle""#),
            "node judge: program judge needs a socket named oracle (its `ask`, REQ), but the node has none",
        ),
        (
            pi_with(r#""ask": "to_pyth""#, r#""ask": "out""#),
            "node judge: program judge uses socket out as its `ask`, which must be REQ, but out is PUSH",
        ),
        (
            pi_with(r#""bits": 32, "interval""#, r#""bits": 99, "interval""#),
            "node bitsource: bits is 99, must be 1 to 32",
        ),
        (
            pi_with(r#""interval": "10ms""#, r#""interval": "10""#),
            "duration `10` has no unit",
        ),
        (
            pi_with(r#""type": "PUB""#, r#""type": "XPUB""#),
            "unknown variant `XPUB`",
        ),
        (
            pi_with(r#""kind": "tally""#, r#""kind": "tally", "colour": "red""#),
            "unknown field `colour`",
        ),
        (
            pi_with(
                r#""bind": ["tcp://127.0.0.1:6700"]"#,
                r#""bind": ["127.0.0.1:6700"]"#,
            ),
            "endpoint `127.0.0.1:6700` has no transport",
        ),
    ];
    for (json, expected) in cases {
        let e = error(&json);
        assert!(e.contains(expected), "expected {expected:?} in {e:?}");
    }
}

#[test]
fn json_errors_name_the_path() {
    let e = error(&pi_with(r#""type": "PUB""#, r#""type": "XPUB""#));
    assert!(
        e.starts_with("scenario JSON at nodes[0].sockets[0].type"),
        "{e}"
    );
}

#[test]
fn unknown_presets_list_the_real_ones() {
    match Scenario::preset("nope") {
        Err(ScenarioError::UnknownPreset { presets, .. }) => {
            assert!(presets.contains("pi") && presets.contains("slow-joiner"));
        }
        other => panic!("{other:?}"),
    }
}

proptest! {
    #[test]
    fn garbage_never_panics(text in ".{0,400}") {
        let _ = Simulator::from_json(&text, 1);
    }

    #[test]
    fn mutated_presets_never_panic(cut in 0usize..4000, insert in "[{}\\[\\]\",:0-9a-z ]{0,12}") {
        let text = fanout_shared::sim::presets::text("pi").unwrap();
        let cut = cut.min(text.len());
        let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let mutated = format!("{}{}{}", &text[..cut], insert, &text[cut..]);
        if let Ok(mut sim) = Simulator::from_json(&mutated, 1) {
            sim.run_steps(2000);
        }
    }
}
