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

/// A room's limits with a different number in each field, so a field
/// read into another's place shows.
fn sample_limits() -> RoomLimitsInfo {
    RoomLimitsInfo {
        rate: 1,
        message_bytes: 2,
        room_queued_bytes: 3,
        members: 4,
        nodes: 5,
        rooms: 6,
        idle_s: 7,
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
            zmtp: true,
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
        ClientFrame::Room(RoomFrame::Recording(RecordingRequest {
            after: Some(3),
            id: None,
        })),
        ClientFrame::Room(RoomFrame::Act(RoomAct {
            action: crate::sim::Action::RemoveNode { node: "n".into() },
            id: None,
        })),
        ClientFrame::Room(RoomFrame::NodeAdd(NodeAdd {
            name: None,
            program: None,
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
        ClientFrame::Tasks(TasksFrame::Watch(TasksRequest { id: None })),
        ClientFrame::Tasks(TasksFrame::Unwatch(TasksRequest { id: None })),
        ClientFrame::Tasks(TasksFrame::Command(TasksCommand {
            args: vec![CommandArg(b"LLEN".to_vec()), CommandArg(b"celery".to_vec())],
            id: Some(1),
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

/// The compact decoder reads back exactly what the derive writes, for
/// every frame refusal (`json::decode_tagged!`), and the refusal families
/// around them travel whole.
#[test]
fn every_frame_refusal_reads_back_as_written() {
    use crate::protocol::{FieldProblem, FrameRefusal, JsonKind};
    let samples = vec![
        FrameRefusal::NotJson {
            detail: "EOF".into(),
            line: 1,
            column: 2,
        },
        FrameRefusal::NotAnObject {
            got: JsonKind::Array,
        },
        FrameRefusal::MissingType,
        FrameRefusal::TypeNotString {
            got: JsonKind::Number,
        },
        FrameRefusal::UnknownType {
            name: "dance".into(),
        },
        FrameRefusal::Field {
            frame: "cache_get".into(),
            field: Some("key".into()),
            problem: FieldProblem::Missing,
            detail: "missing field `key`".into(),
        },
        FrameRefusal::HelloFirst { got: "ping".into() },
        FrameRefusal::VersionUnsupported {
            asked: 9,
            supported: 1,
        },
        FrameRefusal::BinaryFrame,
        FrameRefusal::Transport {
            detail: "too big".into(),
        },
    ];
    crate::json::assert_every_variant_round_trips(&samples, "code", FrameRefusal::DECODED_TAGS);
    let frame = ServerFrame::refused(FrameRefusal::HelloFirst { got: "ping".into() });
    let back: ServerFrame = serde_json::from_str(&serde_json::to_string(&frame).unwrap()).unwrap();
    assert_eq!(back, frame);
}

/// Every server frame reads back as the derive wrote it (the compact
/// decoder of `json::decode_tagged!`), with the engine's real views inside.
#[test]
fn every_server_frame_reads_back_as_written() {
    use crate::{
        cache::Stats,
        sim::{BlockReason, Scenario, Simulator, Timeline, timeline::ScenarioRef},
        socket::{MsgId, Payload, SocketId, SocketKind},
    };
    let mut sim = Simulator::new(&Scenario::preset("pipeline").unwrap(), 1).unwrap();
    let events: Vec<_> = (0..40).filter_map(|_| sim.step()).collect();
    let topology = Box::new(sim.topology());
    let summary = Box::new(sim.summary());
    let mut timeline = Timeline::new(ScenarioRef::Preset("pi".into()), 3).unwrap();
    timeline.step();
    let recording = Box::new(timeline.recording());
    let room = || "ABC-DEF".to_string();
    let members = vec![MemberInfo {
        member: 1,
        name: "teacher".into(),
        nodes: vec!["w".into()],
        owner: true,
        watching: true,
    }];
    let limits = sample_limits();
    let samples = vec![
        ServerFrame::Welcome {
            protocol: 1,
            server: "fanout".into(),
            version: "0.1.0".into(),
            features: vec!["cache".into()],
        },
        ServerFrame::Pong { id: Some(4) },
        ServerFrame::CacheNodes {
            nodes: vec![CacheNodeInfo {
                node: 0,
                addr: "127.0.0.1:1".into(),
                limit_bytes: 1,
                bytes: 2,
                items: 3,
                connections: 4,
                bump_interval: 60,
            }],
            observed: vec![ObservedNodeInfo {
                node: 1,
                addr: "cache.example:11211".into(),
                link: ObservedLink::Unreachable,
            }],
            conn: 9,
            id: None,
        },
        ServerFrame::CacheLink {
            node: 1,
            link: ObservedLink::Watching,
        },
        ServerFrame::CacheWatching {
            node: 0,
            watching: true,
            id: None,
        },
        ServerFrame::CacheEvents {
            node: 0,
            events: Vec::new(),
            skipped: 2,
            stats: Stats::default(),
        },
        ServerFrame::CacheSnapshot {
            node: 1,
            items: Vec::new(),
            truncated: 0,
            stats: Stats::default(),
            id: Some(1),
        },
        ServerFrame::CacheValue {
            node: 0,
            key: "k".into(),
            found: true,
            value: Some("v".into()),
            flags: Some(0),
            cas: None,
            ttl: Some(5),
            id: None,
        },
        ServerFrame::CacheResult {
            node: 0,
            op: crate::cache::lab_ops::CacheOp::Set,
            key: Some("k".into()),
            outcome: crate::cache::lab_ops::CacheOutcome::Stored,
            id: Some(2),
        },
        ServerFrame::WarmupStarted {
            node: 0,
            runs: 1,
            requests: 2,
            max_n: 3,
            cost_ms: 4,
            seed: 5,
            conn: 6,
            id: None,
        },
        ServerFrame::WarmupRun {
            node: 0,
            run: 1,
            runs: 2,
            requests: 3,
            hits: 4,
            misses: 5,
            elapsed_us: 6,
            compute_ms: 7,
            evictions: 8,
            items: 9,
            bytes: 10,
            limit_bytes: 11,
        },
        ServerFrame::WarmupDone {
            node: 0,
            runs_done: 1,
            cancelled: false,
            id: None,
        },
        ServerFrame::TasksSnapshot {
            redis: "127.0.0.1:6379".into(),
            at: 1_796_366_715_304,
            events: vec![crate::redis::Event {
                kind: crate::redis::EventKind::Push,
                db: 0,
                key: "celery".into(),
                field: String::new(),
                value: "{}".into(),
                count: 1,
                conn: 3,
            }],
            resync: true,
            id: Some(4),
        },
        ServerFrame::TasksEvents {
            at: 1,
            events: Vec::new(),
        },
        ServerFrame::TasksUnwatched { id: None },
        ServerFrame::TasksReply {
            text: "(integer) 1\n".into(),
            error: false,
            conn: 12,
            db: 0,
            multi: false,
            id: Some(5),
        },
        ServerFrame::RoomJoined {
            room: room(),
            member: 1,
            token: Some("secret".into()),
            owner: true,
            scenario: "pipeline".into(),
            seed: 1,
            watching: true,
            now: crate::time::Tick(5),
            limits,
            topology: topology.clone(),
            members: members.clone(),
            zmtp: Some(vec![
                crate::protocol::ZmtpEndpoint {
                    endpoint: "tcp://127.0.0.1:6700".into(),
                    role: crate::protocol::ZmtpRole::Listen,
                    node: "bitsource".into(),
                    socket: "out".into(),
                    kind: crate::socket::SocketKind::Pub,
                    address: "127.0.0.1:6700".into(),
                    port: 6700,
                },
                crate::protocol::ZmtpEndpoint {
                    endpoint: "tcp://127.0.0.1:6701".into(),
                    role: crate::protocol::ZmtpRole::Dial,
                    node: "pythagoras".into(),
                    socket: "rep".into(),
                    kind: crate::socket::SocketKind::Rep,
                    address: "127.0.0.1:6701".into(),
                    port: 6701,
                },
            ]),
            id: Some(3),
        },
        ServerFrame::RoomNotice {
            room: room(),
            message: "closed".into(),
            notice: crate::room::RoomNotice::ZmtpRefused {
                endpoint: "tcp://127.0.0.1:6700".into(),
                from: "127.0.0.1:5000".into(),
                error: crate::zmtp::ZmtpError::NotZmtp {
                    first: b"GET".to_vec(),
                },
            },
        },
        ServerFrame::room_left(room(), crate::room::LeftReason::RemovedByCreator, None),
        ServerFrame::room_closed(
            room(),
            crate::room::RoomEnd::QueuesTooLarge { bytes: 3, limit: 1 },
            Some(4),
        ),
        ServerFrame::RoomKicked {
            room: room(),
            member: 2,
            nodes: vec!["w".into()],
            id: None,
        },
        ServerFrame::RoomWatching {
            room: room(),
            on: false,
            id: None,
        },
        ServerFrame::RoomEvents {
            room: room(),
            events: events.clone(),
            skipped: 1,
            summary,
            queued_messages: 2,
            queued_bytes: 3,
            behind_us: 0,
        },
        ServerFrame::RoomTopology {
            room: room(),
            topology,
            members,
            id: None,
        },
        ServerFrame::RoomRecording {
            room: room(),
            recording,
            after: Some(2),
            members: 3,
            complete: true,
            trace_digest: "abc".into(),
            id: None,
        },
        ServerFrame::RoomActed {
            event: Some(Box::new(events[0].clone())),
            id: None,
        },
        ServerFrame::NodeAdded {
            node: "w".into(),
            taken: false,
            sockets: vec![SocketInfo {
                name: "in".into(),
                kind: SocketKind::Pull,
                socket: SocketId(3),
                auto_recv: true,
            }],
            id: None,
        },
        ServerFrame::NodeRemoved {
            node: "w".into(),
            lost: 2,
            id: None,
        },
        ServerFrame::Sent {
            node: "w".into(),
            socket: "out".into(),
            msgs: vec![MsgId(1)],
            eagain: Some(BlockReason::PipesFull { hwm: 10 }),
            id: None,
        },
        ServerFrame::Received {
            node: "w".into(),
            socket: "in".into(),
            messages: vec![Delivered {
                msg: MsgId(2),
                payload: Payload::new("task 1"),
            }],
            eagain: None,
            id: Some(8),
        },
        ServerFrame::RecvAuto {
            node: "w".into(),
            on: true,
            limit: None,
            id: None,
        },
        ServerFrame::Task {
            room: "KFC-7PX".into(),
            node: "w".into(),
            task: 3,
            redelivered: true,
            poison: false,
            work_us: 200_000,
        },
        ServerFrame::Confirmed {
            room: "KFC-7PX".into(),
            node: "p".into(),
            tasks: vec![1, 2],
        },
        ServerFrame::refused(FrameRefusal::MissingType).with_request_id(Some(9)),
    ];
    crate::json::assert_every_variant_round_trips(&samples, "type", ServerFrame::DECODED_TAGS);
    // A missing field and an unknown type are refused by name.
    let e = serde_json::from_str::<ServerFrame>(r#"{"type":"room_left","room":"x"}"#).unwrap_err();
    assert!(e.to_string().contains("missing field `reason`"), "{e}");
    let e = serde_json::from_str::<ServerFrame>(r#"{"type":"dance"}"#).unwrap_err();
    assert!(e.to_string().contains("unknown variant `dance`"), "{e}");
}

#[test]
fn a_command_carries_text_and_bytes() {
    let frame = decode_client_frame(
        r#"{"type":"tasks_command","args":["SET","k",{"base64":"/w=="}],"id":3}"#,
    )
    .expect("decodes");
    let ClientFrame::Tasks(TasksFrame::Command(command)) = &frame else {
        panic!("{frame:?}");
    };
    assert_eq!(command.args[2], CommandArg(vec![0xff]));
    // Bytes that are no UTF-8 go back out as base64, text as text.
    let json = serde_json::to_value(&frame).unwrap();
    assert_eq!(
        json["args"],
        serde_json::json!(["SET", "k", {"base64": "/w=="}])
    );
    assert!(decode_client_frame(r#"{"type":"tasks_command","args":[{"base64":"%%"}]}"#).is_err());
    assert!(decode_client_frame(r#"{"type":"tasks_command","args":[3]}"#).is_err());
}

#[test]
fn commands_that_need_a_real_client_are_named() {
    assert_eq!(needs_a_real_client(b"BLPOP"), Some(ClientNeed::Blocks));
    assert_eq!(needs_a_real_client(b"bzpopmin"), Some(ClientNeed::Blocks));
    assert_eq!(needs_a_real_client(b"Subscribe"), Some(ClientNeed::Streams));
    assert_eq!(needs_a_real_client(b"MONITOR"), Some(ClientNeed::Streams));
    assert_eq!(needs_a_real_client(b"LPUSH"), None);
    let refusal = TasksRefusal::NeedsRealClient {
        command: "BLPOP".into(),
        need: ClientNeed::Blocks,
    };
    use crate::lang::Lang;
    assert!(refusal.say(Lang::En).contains("real client"));
    assert!(refusal.say(Lang::Zh).contains("真正的客户端"));
    let samples = [
        TasksRefusal::RedisOff,
        TasksRefusal::EmptyCommand,
        TasksRefusal::TooManyArgs { max: 64 },
        TasksRefusal::CommandTooLarge { max: 32 * 1024 },
        refusal,
        TasksRefusal::LooksLikeHttp,
    ];
    crate::json::assert_every_variant_round_trips(&samples, "kind", TasksRefusal::DECODED_TAGS);
}

/// A page reads the session's frames and its own lab's: another lab's frame
/// is refused as such (not as unknown), and the same frame is read by a
/// reader of its area exactly as the full decoder reads it.
#[test]
fn a_reader_of_some_areas_reads_those_and_refuses_the_others() {
    use super::server::area;
    let cache_frame = ServerFrame::CacheResult {
        node: 0,
        op: crate::cache::lab_ops::CacheOp::Set,
        key: Some("k".into()),
        outcome: crate::cache::lab_ops::CacheOutcome::Stored,
        id: Some(3),
    };
    let value = serde_json::to_value(&cache_frame).unwrap();
    let full: ServerFrame = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(full, cache_frame);
    assert_eq!(
        ServerFrame::read_in::<{ area::SESSION | area::CACHE }>(value.clone()),
        Ok(cache_frame)
    );
    let refused = ServerFrame::read_in::<{ area::SESSION | area::ROOM }>(value).unwrap_err();
    assert!(
        refused.contains("`cache_result` is not read here"),
        "{refused}"
    );

    let pong = serde_json::to_value(ServerFrame::Pong { id: Some(1) }).unwrap();
    assert_eq!(
        ServerFrame::read_in::<{ area::SESSION }>(pong),
        Ok(ServerFrame::Pong { id: Some(1) })
    );
    // A member's own ZeroMQ sockets' answers are `ROOM_ZMQ`'s, not `ROOM`'s
    // (the reliability page reads rooms without them).
    let received = serde_json::json!({"type": "recv_auto", "node": "w", "on": true});
    assert!(
        ServerFrame::read_in::<{ area::SESSION | area::ROOM | area::ROOM_ZMQ }>(received.clone())
            .is_ok()
    );
    let refused = ServerFrame::read_in::<{ area::SESSION | area::ROOM }>(received).unwrap_err();
    assert!(
        refused.contains("`recv_auto` is not read here"),
        "{refused}"
    );

    let unknown = serde_json::json!({"type": "from_a_newer_server"});
    let refused = ServerFrame::read_in::<{ area::SESSION }>(unknown).unwrap_err();
    assert!(
        refused.starts_with("unknown variant `from_a_newer_server`"),
        "{refused}"
    );
}

/// `Refusal`'s own reader reads every area back as the derived `Serialize`
/// writes it, and names the areas when one is unknown.
#[test]
fn every_refusal_area_reads_back() {
    use crate::{room::RoomRefusal, sim::ActionError, sim::ScenarioError};
    let samples = [
        Refusal::Frame(FrameRefusal::HelloFirst { got: "ping".into() }),
        Refusal::Action(ActionError::NoNode {
            node: "judge".into(),
        }),
        Refusal::Scenario(ScenarioError::UnknownPreset {
            name: "tau".into(),
            presets: "pi, pipeline".into(),
        }),
        Refusal::Cache(crate::cache::Refusal::KeyCharacters),
        Refusal::Room(RoomRefusal::AlreadyInRoom {
            room: "KFC-7PX".into(),
        }),
        Refusal::Tasks(TasksRefusal::RedisOff),
    ];
    let mut areas = Vec::new();
    for sample in &samples {
        let value = serde_json::to_value(sample).unwrap();
        areas.push(value["area"].as_str().unwrap().to_owned());
        let back: Refusal = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(&back, sample, "{value}");
    }
    assert_eq!(areas, Refusal::AREAS);
    let unknown = serde_json::json!({"area": "moon", "fact": {}});
    let error = serde_json::from_value::<Refusal>(unknown)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown variant `moon`"), "{error}");
    let wrong = serde_json::json!({"area": "cache", "fact": {"code": "no_such_code"}});
    assert!(serde_json::from_value::<Refusal>(wrong).is_err());
}

/// A page that follows rooms by their recording (the reliability page)
/// reads the rooms' frames without their feed: `room_joined` with an empty
/// topology, `room_events` and `room_topology` refused as not read there;
/// the queue page (the feed too) reads `room_joined`'s topology. A room's
/// recording is read by the path-tracked reader, so a mistake inside it is
/// named by its path.
#[test]
fn a_page_without_the_room_feed_reads_rooms_but_not_their_topology_or_events() {
    use super::server::area;
    let topology = crate::sim::Timeline::new(
        crate::sim::timeline::ScenarioRef::Preset("pipeline".into()),
        1,
    )
    .unwrap()
    .sim()
    .topology();
    assert!(!topology.nodes.is_empty());
    let joined = ServerFrame::RoomJoined {
        room: "APC-CHR".into(),
        member: 1,
        token: None,
        owner: false,
        scenario: "pipeline".into(),
        seed: 1,
        watching: false,
        now: crate::time::Tick::ZERO,
        limits: sample_limits(),
        topology: Box::new(topology.clone()),
        members: Vec::new(),
        zmtp: Some(vec![crate::protocol::ZmtpEndpoint {
            endpoint: "tcp://127.0.0.1:6700".into(),
            role: crate::protocol::ZmtpRole::Listen,
            node: "bitsource".into(),
            socket: "out".into(),
            kind: crate::socket::SocketKind::Pub,
            address: "127.0.0.1:6700".into(),
            port: 6700,
        }]),
        id: Some(2),
    };
    let value = serde_json::to_value(&joined).unwrap();
    assert_eq!(
        ServerFrame::read_in::<{ area::SESSION | area::ROOM | area::ROOM_FEED | area::ROOM_ZMQ }>(
            value.clone()
        ),
        Ok(joined.clone())
    );
    match ServerFrame::read_in::<{ area::SESSION | area::ROOM }>(value) {
        Ok(ServerFrame::RoomJoined {
            topology,
            room,
            zmtp,
            ..
        }) => {
            assert_eq!(room, "APC-CHR");
            assert_eq!(*topology, crate::sim::Topology::default());
            assert_eq!(zmtp, None);
        }
        other => panic!("{other:?}"),
    }
    let feed = ServerFrame::RoomTopology {
        room: "APC-CHR".into(),
        topology: Box::new(topology),
        members: Vec::new(),
        id: None,
    };
    let refused = ServerFrame::read_in::<{ area::SESSION | area::ROOM }>(
        serde_json::to_value(&feed).unwrap(),
    )
    .unwrap_err();
    assert!(
        refused.contains("`room_topology` is not read here"),
        "{refused}"
    );
    // `room_acted` answers a page's `room_act` whatever it reads; its
    // event is the feed's (the reliability page reads it as none).
    let acted = serde_json::json!({"type": "room_acted", "event": {"step": 1}, "id": 7});
    assert_eq!(
        ServerFrame::read_in::<{ area::SESSION | area::ROOM }>(acted),
        Ok(ServerFrame::RoomActed {
            event: None,
            id: Some(7)
        })
    );

    let wrong = serde_json::json!({"type": "room_recording", "room": "APC-CHR", "complete": true,
        "trace_digest": "x", "recording": {"scenario": {"name": "x", "nodes": [{"name": "a",
        "program": {"kind": "sink"}, "sockets": [{"name": "in", "type": "PULLL"}]}]}, "seed": 1, "step": 0}});
    let refused = ServerFrame::read_in::<{ area::SESSION | area::ROOM }>(wrong).unwrap_err();
    assert!(
        refused.contains("field `recording`: scenario.nodes[0].sockets[0].type:"),
        "{refused}"
    );
}
