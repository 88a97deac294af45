//! The engine's refusals in words: every [`ActionError`] and
//! [`ScenarioError`] in English and in Chinese, one exhaustive `match` per
//! language, side by side, so a new refusal does not compile until both
//! languages say it.
//!
//! Names (nodes, sockets, endpoints, programs, parameters) and socket types
//! stay as they are in the scenario: they are code, the same in every
//! language.

use super::{
    action::{ActionError, Setting},
    scenario::{Bound, MAX_NODES, MAX_SOCKETS_PER_NODE, ParamProblem, ScenarioError},
};
use crate::{
    lang::{Lang, Say},
    socket::SocketKind,
    time::Tick,
};

impl Say for ActionError {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => action_en(self),
            Lang::Zh => action_zh(self),
        }
    }
}

impl Say for ScenarioError {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => scenario_en(self),
            Lang::Zh => scenario_zh(self),
        }
    }
}

impl Say for ParamProblem {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => param_en(self),
            Lang::Zh => param_zh(self),
        }
    }
}

/// "PUSH or PULL" / "PUSH 或 PULL".
fn kinds(want: &[SocketKind], or: &str) -> String {
    want.iter()
        .map(|kind| kind.name())
        .collect::<Vec<_>>()
        .join(or)
}

fn action_en(e: &ActionError) -> String {
    match e {
        ActionError::NoNode { node } => format!("no node named {node}"),
        ActionError::NoSocket { node, socket } => {
            format!("node {node} has no socket named {socket}")
        }
        ActionError::NotExternal { node, program } => format!(
            "node {node} runs the {program} program; only an external node's sockets take send/recv from outside"
        ),
        ActionError::NotSub { node, socket, kind } => {
            format!("node {node}: socket {socket} is {kind}; only a SUB socket subscribes")
        }
        ActionError::NoSuchSetting {
            node,
            program,
            setting,
        } => {
            let what = match setting {
                Setting::Interval => "interval",
                Setting::Service => "service time",
            };
            format!("node {node}: the {program} program has no {what} to change")
        }
        ActionError::InUse {
            node,
            socket,
            endpoint,
            by,
        } => format!("node {node}: socket {socket} cannot bind {endpoint}: already bound by {by}"),
        ActionError::SocketInUse {
            node,
            socket,
            program,
        } => format!(
            "node {node}: socket {socket} is used by the {program} program; remove the node instead"
        ),
        ActionError::NotConnected {
            node,
            socket,
            endpoint,
        } => format!("node {node}: socket {socket} has no connect to {endpoint}"),
        ActionError::AlreadyConnected {
            node,
            socket,
            endpoint,
        } => format!("node {node}: socket {socket} already connects to {endpoint}"),
        ActionError::AlreadyExternal { node } => {
            format!("node {node} is already driven from outside")
        }
        ActionError::NotTakeable { node, program } => format!(
            "node {node} runs the {program} program, which talks over a broker connection, not sockets: it cannot be driven from outside"
        ),
        ActionError::AlreadyCrashed { node } => format!("node {node} has crashed already"),
        ActionError::NotCrashed { node } => {
            format!("node {node} is running; only a crashed node restarts")
        }
        ActionError::Crashed { node } => {
            format!("node {node} has crashed; restart it first")
        }
        ActionError::AlreadyPaused { node } => format!("node {node} is paused already"),
        ActionError::NotPaused { node } => format!("node {node} is not paused"),
        ActionError::EmptyGroup => {
            "a partition or link fault needs at least one node on each side".into()
        }
        ActionError::Overlap { node } => {
            format!("node {node} is on both sides; the two groups must not share a node")
        }
        ActionError::BadRate { rate } => format!("rate {rate} is not between 0 and 1"),
        ActionError::NoBrokerLink { a, b } => format!(
            "no broker connection runs between {a} and {b}: drop and duplicate act on broker links only (ZeroMQ's TCP pipes fail as connections; use partition or crash)"
        ),
        ActionError::NotProducer { node, program } => format!(
            "node {node} runs the {program} program; only a task_producer sends a poison message"
        ),
        ActionError::NotLive { node, program } => format!(
            "node {node} runs the {program} program; publish and task_done speak to a live task_producer or task_worker (\"live\": true) only"
        ),
        ActionError::NotHandedOut { node, task } => {
            format!("{node} was not handed task {task}, or it is not waiting for it any more")
        }
        ActionError::Invalid { scenario } => scenario_en(scenario),
    }
}

fn action_zh(e: &ActionError) -> String {
    match e {
        ActionError::NoNode { node } => format!("没有名为 {node} 的节点"),
        ActionError::NoSocket { node, socket } => {
            format!("节点 {node} 没有名为 {socket} 的套接字")
        }
        ActionError::NotExternal { node, program } => format!(
            "节点 {node} 运行着 {program} 程序；只有外部节点的套接字才接受来自外部的 send/recv"
        ),
        ActionError::NotSub { node, socket, kind } => {
            format!("节点 {node}：套接字 {socket} 是 {kind}；只有 SUB 套接字才能订阅")
        }
        ActionError::NoSuchSetting {
            node,
            program,
            setting,
        } => {
            let what = match setting {
                Setting::Interval => "发送间隔",
                Setting::Service => "处理时间",
            };
            format!("节点 {node}：{program} 程序没有可以修改的{what}")
        }
        ActionError::InUse {
            node,
            socket,
            endpoint,
            by,
        } => format!("节点 {node}：套接字 {socket} 无法绑定 {endpoint}：它已被 {by} 绑定"),
        ActionError::SocketInUse {
            node,
            socket,
            program,
        } => format!("节点 {node}：套接字 {socket} 正被 {program} 程序使用；请改为删除整个节点"),
        ActionError::NotConnected {
            node,
            socket,
            endpoint,
        } => format!("节点 {node}：套接字 {socket} 没有连接到 {endpoint}"),
        ActionError::AlreadyConnected {
            node,
            socket,
            endpoint,
        } => format!("节点 {node}：套接字 {socket} 已经连接到 {endpoint}"),
        ActionError::AlreadyExternal { node } => format!("节点 {node} 已经由外部驱动"),
        ActionError::NotTakeable { node, program } => format!(
            "节点 {node} 运行着 {program} 程序，它通过消息代理连接而不是套接字通信：不能从外部驱动"
        ),
        ActionError::AlreadyCrashed { node } => format!("节点 {node} 已经崩溃了"),
        ActionError::NotCrashed { node } => {
            format!("节点 {node} 正在运行；只有崩溃的节点才能重启")
        }
        ActionError::Crashed { node } => format!("节点 {node} 已经崩溃；请先重启它"),
        ActionError::AlreadyPaused { node } => format!("节点 {node} 已经暂停了"),
        ActionError::NotPaused { node } => format!("节点 {node} 没有暂停"),
        ActionError::EmptyGroup => "网络分区或链路故障的两边都至少要有一个节点".into(),
        ActionError::Overlap { node } => {
            format!("节点 {node} 同时在两边；两组节点不能有重叠")
        }
        ActionError::BadRate { rate } => format!("比率 {rate} 不在 0 到 1 之间"),
        ActionError::NoBrokerLink { a, b } => format!(
            "{a} 与 {b} 之间没有消息代理连接：drop 和 duplicate 只作用于代理链路（ZeroMQ 的 TCP 管道只会整条连接失效；请用 partition 或 crash）"
        ),
        ActionError::NotProducer { node, program } => {
            format!("节点 {node} 运行着 {program} 程序；只有 task_producer 才能发出毒消息")
        }
        ActionError::NotLive { node, program } => format!(
            "节点 {node} 运行着 {program} 程序；publish 和 task_done 只对实时的 task_producer 或 task_worker（\"live\": true）有效"
        ),
        ActionError::NotHandedOut { node, task } => {
            format!("{node} 没有拿到任务 {task}，或者已经不在等它了")
        }
        ActionError::Invalid { scenario } => scenario_zh(scenario),
    }
}

fn scenario_en(e: &ScenarioError) -> String {
    match e {
        // No path: the text is not JSON, or a page read it (pages do
        // not track paths: `json::decode`).
        ScenarioError::Json { path, message } if path.is_empty() => {
            format!("scenario JSON: {message}")
        }
        ScenarioError::Json { path, message } => format!("scenario JSON at {path}: {message}"),
        ScenarioError::UnknownPreset { name, presets } => {
            format!("unknown scenario `{name}`; presets are: {presets}")
        }
        ScenarioError::NoNodes => "the scenario has no nodes".into(),
        ScenarioError::TooManyNodes { count } => {
            format!("the scenario has {count} nodes; at most {MAX_NODES} are allowed")
        }
        ScenarioError::EmptyNodeName => "a node has an empty name".into(),
        ScenarioError::DuplicateNode { node } => format!("two nodes are named {node}"),
        ScenarioError::EmptySocketName { node } => {
            format!("node {node}: a socket has an empty name")
        }
        ScenarioError::DuplicateSocket { node, socket } => {
            format!("node {node}: two sockets are named {socket}")
        }
        ScenarioError::TooManySockets { node, count } => {
            format!("node {node} has {count} sockets; at most {MAX_SOCKETS_PER_NODE} are allowed")
        }
        ScenarioError::BoundTwice {
            node,
            socket,
            other_node,
            other_socket,
            endpoint,
        } => format!(
            "node {node}: socket {socket} and node {other_node}'s socket {other_socket} both bind {endpoint}"
        ),
        ScenarioError::Unbound {
            node,
            socket,
            endpoint,
        } => format!("node {node}: socket {socket} connects to {endpoint}, which no socket binds"),
        ScenarioError::SelfConnect {
            node,
            socket,
            endpoint,
        } => format!("node {node}: socket {socket} both binds and connects {endpoint}"),
        ScenarioError::Incompatible {
            node,
            socket,
            kind,
            peer_kind,
            endpoint,
            binder_node,
            binder_socket,
            want,
        } => format!(
            "node {node}: socket {socket} is {kind} but connects to a {peer_kind} endpoint ({endpoint}, bound by {binder_node}.{binder_socket}); {kind} talks to {want}"
        ),
        ScenarioError::SubscribeNotSub { node, socket, kind } => {
            format!("node {node}: socket {socket} is {kind}; only a SUB socket subscribes")
        }
        ScenarioError::MissingSocket {
            node,
            program,
            role,
            socket,
            want,
        } => format!(
            "node {node}: program {program} needs a socket named {socket} (its `{role}`, {}), but the node has none",
            kinds(want, " or ")
        ),
        ScenarioError::RoleKind {
            node,
            program,
            role,
            socket,
            want,
            kind,
        } => format!(
            "node {node}: program {program} uses socket {socket} as its `{role}`, which must be {}, but {socket} is {kind}",
            kinds(want, " or ")
        ),
        ScenarioError::BadParam {
            node,
            param,
            socket,
            problem,
        } => match socket {
            Some(socket) => format!(
                "node {node}: {param} of socket {socket}: {}",
                param_en(problem)
            ),
            None => format!("node {node}: {param} {}", param_en(problem)),
        },
        ScenarioError::NoBroker {
            node,
            program,
            broker,
        } => format!(
            "node {node}: program {program} connects to broker {broker}, but no broker node has that name"
        ),
        ScenarioError::NoQueue {
            node,
            broker,
            queue,
        } => format!("node {node}: broker {broker} declares no queue named {queue}"),
        ScenarioError::NotAFault { index, op } => format!(
            "faults[{index}]: `{op}` is not a fault (crash, restart, pause, resume, partition, heal, delay, drop, duplicate, poison)"
        ),
        ScenarioError::FaultTarget { index, node } => {
            format!("faults[{index}]: there is no node named {node}")
        }
    }
}

fn scenario_zh(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Json { path, message } if path.is_empty() => {
            format!("场景 JSON 有误（读取器的原话：{message}）")
        }
        ScenarioError::Json { path, message } => {
            format!("场景 JSON 的 {path} 处有误（读取器的原话：{message}）")
        }
        ScenarioError::UnknownPreset { name, presets } => {
            format!("没有名为 `{name}` 的场景；预设场景有：{presets}")
        }
        ScenarioError::NoNodes => "场景中没有节点".into(),
        ScenarioError::TooManyNodes { count } => {
            format!("场景有 {count} 个节点；最多允许 {MAX_NODES} 个")
        }
        ScenarioError::EmptyNodeName => "有一个节点的名字是空的".into(),
        ScenarioError::DuplicateNode { node } => format!("有两个节点都叫 {node}"),
        ScenarioError::EmptySocketName { node } => {
            format!("节点 {node}：有一个套接字的名字是空的")
        }
        ScenarioError::DuplicateSocket { node, socket } => {
            format!("节点 {node}：有两个套接字都叫 {socket}")
        }
        ScenarioError::TooManySockets { node, count } => {
            format!("节点 {node} 有 {count} 个套接字；最多允许 {MAX_SOCKETS_PER_NODE} 个")
        }
        ScenarioError::BoundTwice {
            node,
            socket,
            other_node,
            other_socket,
            endpoint,
        } => format!(
            "节点 {node}：套接字 {socket} 与节点 {other_node} 的套接字 {other_socket} 都绑定了 {endpoint}"
        ),
        ScenarioError::Unbound {
            node,
            socket,
            endpoint,
        } => format!("节点 {node}：套接字 {socket} 连接到 {endpoint}，但没有套接字绑定它"),
        ScenarioError::SelfConnect {
            node,
            socket,
            endpoint,
        } => format!("节点 {node}：套接字 {socket} 既绑定又连接 {endpoint}"),
        ScenarioError::Incompatible {
            node,
            socket,
            kind,
            peer_kind,
            endpoint,
            binder_node,
            binder_socket,
            want,
        } => format!(
            "节点 {node}：套接字 {socket} 是 {kind}，却连接到一个 {peer_kind} 端点（{endpoint}，由 {binder_node}.{binder_socket} 绑定）；{kind} 只与 {want} 通信"
        ),
        ScenarioError::SubscribeNotSub { node, socket, kind } => {
            format!("节点 {node}：套接字 {socket} 是 {kind}；只有 SUB 套接字才能订阅")
        }
        ScenarioError::MissingSocket {
            node,
            program,
            role,
            socket,
            want,
        } => format!(
            "节点 {node}：{program} 程序需要一个名为 {socket} 的套接字（作为它的 `{role}`，类型为 {}），但该节点没有",
            kinds(want, " 或 ")
        ),
        ScenarioError::RoleKind {
            node,
            program,
            role,
            socket,
            want,
            kind,
        } => format!(
            "节点 {node}：{program} 程序把套接字 {socket} 用作它的 `{role}`，类型必须是 {}，但 {socket} 是 {kind}",
            kinds(want, " 或 ")
        ),
        ScenarioError::BadParam {
            node,
            param,
            socket,
            problem,
        } => match socket {
            Some(socket) => format!(
                "节点 {node}：套接字 {socket} 的 {param}{}",
                param_zh(problem)
            ),
            None => format!("节点 {node}：{param}{}", param_zh(problem)),
        },
        ScenarioError::NoBroker {
            node,
            program,
            broker,
        } => format!(
            "节点 {node}：{program} 程序连接到消息代理 {broker}，但没有叫这个名字的代理节点"
        ),
        ScenarioError::NoQueue {
            node,
            broker,
            queue,
        } => format!("节点 {node}：消息代理 {broker} 没有声明名为 {queue} 的队列"),
        ScenarioError::NotAFault { index, op } => format!(
            "faults[{index}]：`{op}` 不是故障（crash、restart、pause、resume、partition、heal、delay、drop、duplicate、poison）"
        ),
        ScenarioError::FaultTarget { index, node } => {
            format!("faults[{index}]：没有名为 {node} 的节点")
        }
    }
}

fn param_en(p: &ParamProblem) -> String {
    match p {
        ParamProblem::TooLarge { value, max, unit } => match unit {
            Bound::Messages => format!("is {value}, at most {max} (0 = unlimited)"),
            Bound::Duration => format!("is {}, at most {}", Tick(*value), Tick(*max)),
        },
        ParamProblem::OutOfRange { value, min, max } => {
            format!("is {value}, must be {min} to {max}")
        }
        ParamProblem::ZeroLatency => {
            "is 0; it must be at least 1us (a message cannot arrive before it leaves)".into()
        }
        ParamProblem::TooManyTopics { max } => format!("at most {max} topics"),
        ParamProblem::EndlessZeroInterval => {
            "is always 0 and there is no count: the node would send forever without time passing"
                .into()
        }
        ParamProblem::ForwarderPair { socket, want } => format!(
            "a forwarder passes SUB to PUB or PULL to PUSH, so socket {socket} must be {want}"
        ),
        ParamProblem::EmptyList => "is empty; it needs at least one entry".into(),
        ParamProblem::BadQueue { queue } => format!(
            "names queue `{queue}`, which is blank, declared twice, itself, or not declared"
        ),
    }
}

fn param_zh(p: &ParamProblem) -> String {
    match p {
        ParamProblem::TooLarge { value, max, unit } => match unit {
            Bound::Messages => format!(" 为 {value}，最多 {max}（0 表示不限）"),
            Bound::Duration => format!(" 为 {}，最多 {}", Tick(*value), Tick(*max)),
        },
        ParamProblem::OutOfRange { value, min, max } => {
            format!(" 为 {value}，必须在 {min} 到 {max} 之间")
        }
        ParamProblem::ZeroLatency => " 为 0；至少要 1us（消息不可能在发出之前到达）".into(),
        ParamProblem::TooManyTopics { max } => format!(" 最多 {max} 个主题"),
        ParamProblem::EndlessZeroInterval => {
            " 始终为 0 且没有设定数量：节点会在模拟时间不前进的情况下无限发送".into()
        }
        ParamProblem::ForwarderPair { socket, want } => format!(
            "：转发器把 SUB 接到 PUB，或把 PULL 接到 PUSH，所以套接字 {socket} 必须是 {want}"
        ),
        ParamProblem::EmptyList => " 是空的；至少需要一项".into(),
        ParamProblem::BadQueue { queue } => {
            format!(" 指向的队列 `{queue}` 为空名、重复声明、指向自己或未声明")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    /// The Chinese tables say the facts in Chinese: no refusal sentence is
    /// the English one, and each keeps the names it is about.
    #[test]
    fn every_refusal_sentence_is_chinese_and_keeps_its_names() {
        let refusals: Vec<ScenarioError> = [
            r#"{"name":"x","nodes":[]}"#,
            r#"{"name":"x","nodes":[{"name":"a","program":{"kind":"external"},"sockets":[]},{"name":"a","program":{"kind":"external"},"sockets":[]}]}"#,
            r#"{"name":"x","nodes":[{"name":"a","program":{"kind":"external"},"sockets":[{"name":"s","type":"PUSH","connect":["tcp://nowhere"]}]}]}"#,
        ]
        .into_iter()
        .map(|text| Scenario::from_json(text).unwrap_err())
        .collect();
        for refusal in &refusals {
            let zh = refusal.say(Lang::Zh);
            assert_ne!(zh, refusal.say(Lang::En));
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
        let unbound = &refusals[2];
        assert!(
            unbound.say(Lang::Zh).contains("tcp://nowhere"),
            "{unbound:?}"
        );
    }

    #[test]
    fn refusals_travel_as_typed_facts() {
        let refusal = ActionError::Invalid {
            scenario: Box::new(ScenarioError::BadParam {
                node: "n".into(),
                param: "bits".into(),
                socket: None,
                problem: ParamProblem::OutOfRange {
                    value: 40,
                    min: 1,
                    max: 32,
                },
            }),
        };
        let json = serde_json::to_value(&refusal).unwrap();
        assert_eq!(json["code"], "invalid");
        assert_eq!(json["scenario"]["code"], "bad_param");
        assert_eq!(json["scenario"]["problem"]["problem"], "out_of_range");
        let back: ActionError = serde_json::from_value(json).unwrap();
        assert_eq!(back, refusal);
        assert_eq!(back.to_string(), "node n: bits is 40, must be 1 to 32");
    }

    /// The compact decoder reads back exactly what the derive writes, for
    /// every variant (`json::decode_tagged!`).
    #[test]
    fn every_engine_refusal_reads_back_as_written() {
        use crate::socket::Endpoint;
        let endpoint = || Endpoint::parse("tcp://x").unwrap();
        let n = || "n".to_string();
        let s = || "s".to_string();
        let scenario = vec![
            ScenarioError::Json {
                path: "nodes[0]".into(),
                message: "bad".into(),
            },
            ScenarioError::UnknownPreset {
                name: "x".into(),
                presets: "pi".into(),
            },
            ScenarioError::NoNodes,
            ScenarioError::TooManyNodes { count: 300 },
            ScenarioError::EmptyNodeName,
            ScenarioError::DuplicateNode { node: n() },
            ScenarioError::EmptySocketName { node: n() },
            ScenarioError::DuplicateSocket {
                node: n(),
                socket: s(),
            },
            ScenarioError::TooManySockets {
                node: n(),
                count: 99,
            },
            ScenarioError::BoundTwice {
                node: n(),
                socket: s(),
                other_node: "m".into(),
                other_socket: "t".into(),
                endpoint: endpoint(),
            },
            ScenarioError::Unbound {
                node: n(),
                socket: s(),
                endpoint: endpoint(),
            },
            ScenarioError::SelfConnect {
                node: n(),
                socket: s(),
                endpoint: endpoint(),
            },
            ScenarioError::Incompatible {
                node: n(),
                socket: s(),
                kind: SocketKind::Pull,
                peer_kind: SocketKind::Pub,
                endpoint: endpoint(),
                binder_node: "b".into(),
                binder_socket: "out".into(),
                want: SocketKind::Sub,
            },
            ScenarioError::SubscribeNotSub {
                node: n(),
                socket: s(),
                kind: SocketKind::Push,
            },
            ScenarioError::MissingSocket {
                node: n(),
                program: "worker".into(),
                role: "in".into(),
                socket: s(),
                want: Box::new([SocketKind::Pull, SocketKind::Sub]),
            },
            ScenarioError::RoleKind {
                node: n(),
                program: "worker".into(),
                role: "in".into(),
                socket: s(),
                want: Box::new([SocketKind::Pull]),
                kind: SocketKind::Pub,
            },
            ScenarioError::BadParam {
                node: n(),
                param: "sndhwm".into(),
                socket: Some(s()),
                problem: ParamProblem::ZeroLatency,
            },
            ScenarioError::NoBroker {
                node: n(),
                program: "task_worker".into(),
                broker: "b".into(),
            },
            ScenarioError::NoQueue {
                node: n(),
                broker: "b".into(),
                queue: "q".into(),
            },
            ScenarioError::NotAFault {
                index: 2,
                op: "set_hwm".into(),
            },
            ScenarioError::FaultTarget {
                index: 3,
                node: n(),
            },
        ];
        crate::json::assert_every_variant_round_trips(
            &scenario,
            "code",
            ScenarioError::DECODED_TAGS,
        );
        let problems = vec![
            ParamProblem::TooLarge {
                value: 5,
                max: 4,
                unit: Bound::Duration,
            },
            ParamProblem::OutOfRange {
                value: -1,
                min: 1,
                max: 32,
            },
            ParamProblem::ZeroLatency,
            ParamProblem::TooManyTopics { max: 64 },
            ParamProblem::EndlessZeroInterval,
            ParamProblem::ForwarderPair {
                socket: s(),
                want: SocketKind::Pub,
            },
            ParamProblem::EmptyList,
            ParamProblem::BadQueue { queue: "q".into() },
        ];
        crate::json::assert_every_variant_round_trips(
            &problems,
            "problem",
            ParamProblem::DECODED_TAGS,
        );
        let actions = vec![
            ActionError::NoNode { node: n() },
            ActionError::NoSocket {
                node: n(),
                socket: s(),
            },
            ActionError::NotExternal {
                node: n(),
                program: "sink".into(),
            },
            ActionError::NotSub {
                node: n(),
                socket: s(),
                kind: SocketKind::Req,
            },
            ActionError::NoSuchSetting {
                node: n(),
                program: "sink".into(),
                setting: Setting::Interval,
            },
            ActionError::InUse {
                node: n(),
                socket: s(),
                endpoint: endpoint(),
                by: "m.out".into(),
            },
            ActionError::SocketInUse {
                node: n(),
                socket: s(),
                program: "sink".into(),
            },
            ActionError::NotConnected {
                node: n(),
                socket: s(),
                endpoint: endpoint(),
            },
            ActionError::AlreadyConnected {
                node: n(),
                socket: s(),
                endpoint: endpoint(),
            },
            ActionError::AlreadyExternal { node: n() },
            ActionError::NotTakeable {
                node: n(),
                program: "sink".into(),
            },
            ActionError::AlreadyCrashed { node: n() },
            ActionError::NotCrashed { node: n() },
            ActionError::Crashed { node: n() },
            ActionError::AlreadyPaused { node: n() },
            ActionError::NotPaused { node: n() },
            ActionError::EmptyGroup,
            ActionError::Overlap { node: n() },
            ActionError::BadRate { rate: "2".into() },
            ActionError::NoBrokerLink {
                a: n(),
                b: "m".into(),
            },
            ActionError::NotProducer {
                node: n(),
                program: "sink".into(),
            },
            ActionError::NotLive {
                node: n(),
                program: "sink".into(),
            },
            ActionError::NotHandedOut {
                node: n(),
                task: "t3".into(),
            },
            ActionError::Invalid {
                scenario: Box::new(ScenarioError::BadParam {
                    node: n(),
                    param: "latency".into(),
                    socket: None,
                    problem: ParamProblem::ZeroLatency,
                }),
            },
        ];
        crate::json::assert_every_variant_round_trips(&actions, "code", ActionError::DECODED_TAGS);
        // Unknown tags and missing fields are refused by name.
        let e = serde_json::from_str::<ActionError>(r#"{"code":"nope"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown variant `nope`"), "{e}");
        let e = serde_json::from_str::<ActionError>(r#"{"code":"no_node"}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `node`"), "{e}");
    }
}
