//! The protocol's own tests: frames decode and encode as `docs/protocol.md`
//! says, and every mistake is explained.

use super::*;
use crate::lang::Say;

/// A refusal as the `error` frame shows it: its English `message` and its
/// `field`.
#[derive(Debug)]
struct Shown {
    message: String,
    field: Option<String>,
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn refused(text: &str) -> Shown {
    let refusal = decode_client_frame(text).unwrap_err();
    Shown {
        message: refusal.english(),
        field: refusal.field(),
    }
}

#[test]
fn hello_round_trips() {
    let frame = decode_client_frame(r#"{"type":"hello","protocol":1}"#).unwrap();
    assert_eq!(
        frame,
        ClientFrame::Session(SessionFrame::Hello(Hello {
            protocol: 1,
            client: None
        }))
    );
}

#[test]
fn types_list_matches_the_enum() {
    let samples = [
        ClientFrame::Session(SessionFrame::Hello(Hello {
            protocol: 1,
            client: None,
        })),
        ClientFrame::Session(SessionFrame::Ping(Ping { id: None })),
        ClientFrame::Cache(CacheFrame::Nodes(CacheNodes { id: None })),
        ClientFrame::Cache(CacheFrame::Watch(CacheNodeRef { node: 0, id: None })),
        ClientFrame::Cache(CacheFrame::Unwatch(CacheNodeRef { node: 0, id: None })),
        ClientFrame::Cache(CacheFrame::Snapshot(CacheSnapshotRequest {
            node: 0,
            max_items: None,
            id: None,
        })),
        ClientFrame::Cache(CacheFrame::Get(CacheKeyRef {
            node: 0,
            key: "k".into(),
            id: None,
        })),
        ClientFrame::Cache(CacheFrame::Set(CacheSet {
            node: 0,
            key: "k".into(),
            value: "v".into(),
            ttl: 0,
            flags: 0,
            id: None,
        })),
        ClientFrame::Cache(CacheFrame::Delete(CacheKeyRef {
            node: 0,
            key: "k".into(),
            id: None,
        })),
        ClientFrame::Cache(CacheFrame::Touch(CacheTouch {
            node: 0,
            key: "k".into(),
            ttl: 5,
            id: None,
        })),
        ClientFrame::Cache(CacheFrame::Flush(CacheNodeRef { node: 0, id: None })),
        ClientFrame::Cache(CacheFrame::Limit(CacheLimit {
            node: 0,
            bytes: 1 << 20,
            id: None,
        })),
        ClientFrame::Cache(CacheFrame::Restart(CacheNodeRef { node: 0, id: None })),
        ClientFrame::Warmup(WarmupFrame::Start(WarmupStart {
            node: 0,
            runs: None,
            requests: None,
            max_n: None,
            cost_ms: None,
            seed: None,
            id: None,
        })),
        ClientFrame::Warmup(WarmupFrame::Cancel(WarmupCancel { id: None })),
        ClientFrame::Room(RoomFrame::Create(RoomCreate {
            scenario: "pipeline".into(),
            seed: None,
            name: None,
            watch: false,
            id: None,
        })),
        ClientFrame::Room(RoomFrame::Join(RoomJoin {
            room: "KFC-7PX".into(),
            name: None,
            watch: false,
            token: None,
            id: None,
        })),
        ClientFrame::Room(RoomFrame::Leave(RoomRequest { id: None })),
        ClientFrame::Room(RoomFrame::Close(RoomClose {
            room: "KFC-7PX".into(),
            token: "t".into(),
            id: None,
        })),
        ClientFrame::Room(RoomFrame::Kick(RoomKick {
            room: "KFC-7PX".into(),
            token: "t".into(),
            member: Some(2),
            node: None,
            id: None,
        })),
        ClientFrame::Room(RoomFrame::Watch(RoomWatch { on: true, id: None })),
        ClientFrame::Room(RoomFrame::Topology(RoomRequest { id: None })),
        ClientFrame::Room(RoomFrame::Recording(RoomRequest { id: None })),
        ClientFrame::Room(RoomFrame::Act(RoomAct {
            action: crate::sim::Action::RemoveNode { node: "n".into() },
            id: None,
        })),
        ClientFrame::Room(RoomFrame::NodeAdd(NodeAdd {
            name: None,
            sockets: Vec::new(),
            auto_recv: false,
            auto_limit: None,
            id: None,
        })),
        ClientFrame::Room(RoomFrame::NodeTake(NodeTake {
            node: "worker-1".into(),
            auto_recv: false,
            auto_limit: None,
            id: None,
        })),
        ClientFrame::Room(RoomFrame::NodeRemove(NodeRef {
            node: "n".into(),
            id: None,
        })),
        ClientFrame::Room(RoomFrame::Send(SendRequest {
            node: "n".into(),
            socket: "out".into(),
            payload: Some("hi".into()),
            payloads: None,
            id: None,
        })),
        ClientFrame::Room(RoomFrame::Recv(RecvRequest {
            node: "n".into(),
            socket: "in".into(),
            max: None,
            id: None,
        })),
        ClientFrame::Room(RoomFrame::RecvAuto(RecvAuto {
            node: "n".into(),
            socket: None,
            on: true,
            limit: None,
            id: None,
        })),
    ];
    let names: Vec<_> = samples.iter().map(ClientFrame::type_name).collect();
    assert_eq!(names, ClientFrame::types().collect::<Vec<_>>());
    for sample in samples {
        let json = serde_json::to_value(&sample).unwrap();
        assert_eq!(json["type"], sample.type_name());
    }
}

#[test]
fn not_json_is_explained() {
    let err = refused("{oops");
    assert!(err.message.starts_with("frame is not valid JSON"), "{err}");
}

#[test]
fn non_object_is_explained() {
    let err = refused("[1,2]");
    assert_eq!(
        err.message,
        "a frame must be a JSON object with a \"type\" field, got an array"
    );
}

#[test]
fn missing_type_names_the_field() {
    let err = refused(r#"{"protocol":1}"#);
    assert_eq!(err.field.as_deref(), Some("type"));
}

#[test]
fn unknown_type_lists_the_known_ones() {
    let err = refused(r#"{"type":"helo"}"#);
    assert_eq!(err.field.as_deref(), Some("type"));
    assert!(err.message.contains("\"helo\""), "{err}");
    assert!(err.message.contains("hello, ping"), "{err}");
}

#[test]
fn wrong_kind_names_the_field_and_the_expectation() {
    let err = refused(r#"{"type":"hello","protocol":"one"}"#);
    assert_eq!(err.field.as_deref(), Some("protocol"));
    assert!(err.message.contains("u32"), "{err}");
}

#[test]
fn missing_field_is_named() {
    let err = refused(r#"{"type":"hello"}"#);
    assert_eq!(err.field.as_deref(), Some("protocol"));
    assert!(err.message.contains("missing field"), "{err}");
}

#[test]
fn unknown_field_is_named() {
    let err = refused(r#"{"type":"hello","protocol":1,"protcol":1}"#);
    assert_eq!(err.field.as_deref(), Some("protcol"));
}

#[test]
fn cache_set_defaults_ttl_and_flags() {
    let frame =
        decode_client_frame(r#"{"type":"cache_set","node":1,"key":"k","value":"v"}"#).unwrap();
    assert_eq!(
        frame,
        ClientFrame::Cache(CacheFrame::Set(CacheSet {
            node: 1,
            key: "k".into(),
            value: "v".into(),
            ttl: 0,
            flags: 0,
            id: None,
        }))
    );
    let err = refused(r#"{"type":"cache_get","node":"x","key":"k"}"#);
    assert_eq!(err.field.as_deref(), Some("node"));
}

#[test]
fn room_frames_decode_with_scenarios_and_actions_inside() {
    let frame = decode_client_frame(
        r#"{"type":"node_add","name":"alice","auto_recv":true,
            "sockets":[{"name":"in","type":"PULL","connect":["tcp://ventilator"]}]}"#,
    )
    .unwrap();
    let ClientFrame::Room(RoomFrame::NodeAdd(add)) = frame else {
        panic!("{frame:?}")
    };
    assert_eq!(add.sockets[0].kind, crate::socket::SocketKind::Pull);
    assert!(add.auto_recv);
    let err = refused(r#"{"type":"node_add","sockets":[{"name":"in","type":"XPULL"}]}"#);
    assert_eq!(err.field.as_deref(), Some("sockets[0].type"), "{err}");
    let frame = decode_client_frame(
        r#"{"type":"room_act","action":{"op":"set_hwm","node":"sink","socket":"in","rcvhwm":5}}"#,
    )
    .unwrap();
    assert!(matches!(frame, ClientFrame::Room(RoomFrame::Act(_))));
    let frame = decode_client_frame(r#"{"type":"room_create","scenario":{"name":"x","nodes":[]}}"#)
        .unwrap();
    assert!(matches!(frame, ClientFrame::Room(RoomFrame::Create(_))));
}

#[test]
fn server_frames_carry_their_type() {
    let text = encode_server_frame(&ServerFrame::Pong { id: Some(7) });
    assert_eq!(text, r#"{"type":"pong","id":7}"#);
}
