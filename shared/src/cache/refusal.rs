//! Why the cache lab refused a request, as typed facts: the server's
//! WebSocket sessions and the browser's offline model refuse the same
//! requests for the same reasons, and each reason names the field at fault
//! and carries the numbers its sentence needs.
//!
//! The sentences live here, English and Chinese side by side ([`Say`]): the
//! `error` frame carries the fact (area `cache`) and its English sentence as
//! `message` (`docs/protocol.md`, "Errors"); the lab shows the learner's
//! language.

use serde::{Deserialize, Serialize};

use super::KEY_MAX_LENGTH;
use crate::{
    lang::{Lang, Say},
    protocol::ServerFrame,
};

/// A warm-up knob (`warmup_start`'s fields with bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarmupKnob {
    Runs,
    Requests,
    MaxN,
    CostMs,
}

impl WarmupKnob {
    /// The field's name in `warmup_start`.
    pub fn field(self) -> &'static str {
        match self {
            WarmupKnob::Runs => "runs",
            WarmupKnob::Requests => "requests",
            WarmupKnob::MaxN => "max_n",
            WarmupKnob::CostMs => "cost_ms",
        }
    }
}

/// A cache-lab request refused, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// A key outside memcached's 1 to [`KEY_MAX_LENGTH`] bytes.
    KeyLength { len: usize },
    /// A key with a space or a control character (memcached's rule).
    KeyCharacters,
    /// A memory limit under the smallest the lab allows.
    LimitTooSmall { bytes: u64, min: u64 },
    /// No node with this number; `nodes` is how many there are (0: the
    /// server was started with `--cache-nodes 0`).
    NoSuchNode { node: usize, nodes: usize },
    /// `node` is a real memcached the server only observes
    /// (`--observe-memcached`): the lab reads it and never changes it.
    ObservedReadOnly { node: usize },
    /// A frame the cache lab's operations do not answer (the offline model
    /// answers cache frames only).
    NotALabOperation,
    /// This session is already running a warm-up, on `node`.
    WarmupRunning { node: usize },
    /// Another session's warm-up holds `node`.
    NodeBusy { node: usize },
    /// `warmup_cancel` with no warm-up running in this session.
    NoWarmup,
    /// A warm-up knob out of its bounds.
    OutOfRange {
        knob: WarmupKnob,
        value: u32,
        low: u32,
        high: u32,
    },
    /// `runs × requests × cost_ms` over
    /// [`MAX_TOTAL_COST_MS`](super::warmup::MAX_TOTAL_COST_MS).
    TooMuchComputing { total_ms: u64, max_ms: u64 },
}

// Read compactly (see `json::decode_tagged!`); written by the derive above.
// serde's derive for an internally tagged enum buffers the value through
// its generic `Content` machinery: about 15 KB of every page's wasm, since
// every page reads `error` frames.
crate::json::decode_tagged!(Refusal by "code" {
    "key_length" => KeyLength { len },
    "key_characters" => KeyCharacters,
    "limit_too_small" => LimitTooSmall { bytes, min },
    "no_such_node" => NoSuchNode { node, nodes },
    "not_a_lab_operation" => NotALabOperation,
    "warmup_running" => WarmupRunning { node },
    "node_busy" => NodeBusy { node },
    "no_warmup" => NoWarmup,
    "out_of_range" => OutOfRange { knob, value, low, high },
    "too_much_computing" => TooMuchComputing { total_ms, max_ms },
    "observed_read_only" => ObservedReadOnly { node },
});

impl Refusal {
    /// The field at fault, as the `error` frame's `field` names it.
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::KeyLength { .. } | Refusal::KeyCharacters => "key",
            Refusal::LimitTooSmall { .. } => "bytes",
            Refusal::NoSuchNode { .. }
            | Refusal::NodeBusy { .. }
            | Refusal::ObservedReadOnly { .. } => "node",
            Refusal::NotALabOperation | Refusal::WarmupRunning { .. } | Refusal::NoWarmup => "type",
            Refusal::OutOfRange { knob, .. } => knob.field(),
            // The knob most often raised too far.
            Refusal::TooMuchComputing { .. } => "requests",
        }
    }

    /// The `error` frame a server sends for it: the English sentence as
    /// `message`, and the fact itself under `refusal` (area `cache`).
    pub fn into_frame(self) -> ServerFrame {
        ServerFrame::refused(self)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

impl std::error::Error for Refusal {}

impl Say for Refusal {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => english(self),
            Lang::Zh => chinese(self),
        }
    }
}

fn english(refusal: &Refusal) -> String {
    match *refusal {
        Refusal::KeyLength { len } => {
            format!("a key is 1 to {KEY_MAX_LENGTH} bytes long, this one is {len}")
        }
        Refusal::KeyCharacters => "a key may not contain spaces or control characters".into(),
        Refusal::LimitTooSmall { min, .. } => format!("bytes must be at least {min}"),
        Refusal::NoSuchNode { node, nodes: 0 } => {
            format!("no cache node {node}: this server runs no cache nodes (--cache-nodes 0)")
        }
        Refusal::NoSuchNode { node, nodes } => {
            format!(
                "no cache node {node}; nodes are numbered 0 to {}",
                nodes - 1
            )
        }
        Refusal::ObservedReadOnly { node } => format!(
            "node {node} is a real memcached this server only observes; the lab does not change it"
        ),
        Refusal::NotALabOperation => "not a cache lab operation".into(),
        Refusal::WarmupRunning { node } => format!(
            "this session is already running a warm-up on node {node}; send warmup_cancel first"
        ),
        Refusal::NodeBusy { node } => format!(
            "node {node} is running a warm-up for another session; wait for it to finish or choose another node"
        ),
        Refusal::NoWarmup => "no warm-up is running in this session".into(),
        Refusal::OutOfRange {
            knob,
            value,
            low,
            high,
        } => format!("{} must be from {low} to {high}, not {value}", knob.field()),
        Refusal::TooMuchComputing { total_ms, max_ms } => format!(
            "runs × requests × cost_ms is {total_ms} ms of pretend computing; at most {max_ms} ms is allowed"
        ),
    }
}

fn chinese(refusal: &Refusal) -> String {
    match *refusal {
        Refusal::KeyLength { len } => {
            format!("键的长度须为 1 到 {KEY_MAX_LENGTH} 字节，这个键有 {len} 字节")
        }
        Refusal::KeyCharacters => "键里不能有空格或控制字符".into(),
        Refusal::LimitTooSmall { min, .. } => format!("内存上限至少为 {min} 字节"),
        Refusal::NoSuchNode { node, nodes: 0 } => {
            format!("没有缓存节点 {node}：本服务器没有运行缓存节点（--cache-nodes 0）")
        }
        Refusal::NoSuchNode { node, nodes } => {
            format!("没有缓存节点 {node}；节点编号为 0 到 {}", nodes - 1)
        }
        Refusal::ObservedReadOnly { node } => {
            format!("节点 {node} 是本服务器只观察的真实 memcached；实验不会修改它")
        }
        Refusal::NotALabOperation => "这不是缓存实验的操作".into(),
        Refusal::WarmupRunning { node } => {
            format!("本会话已在节点 {node} 上运行预热实验；请先发送 warmup_cancel")
        }
        Refusal::NodeBusy { node } => {
            format!("节点 {node} 正在为另一个会话运行预热实验；请等它结束，或换一个节点")
        }
        Refusal::NoWarmup => "本会话没有正在运行的预热实验".into(),
        Refusal::OutOfRange {
            knob,
            value,
            low,
            high,
        } => format!("{} 须在 {low} 到 {high} 之间，而不是 {value}", knob.field()),
        Refusal::TooMuchComputing { total_ms, max_ms } => format!(
            "runs × requests × cost_ms 共 {total_ms} 毫秒的假装计算；最多允许 {max_ms} 毫秒"
        ),
    }
}

/// The refusal for a node number outside `0..nodes`, if it is.
pub fn check_node(node: usize, nodes: usize) -> Result<(), Refusal> {
    if node < nodes {
        Ok(())
    } else {
        Err(Refusal::NoSuchNode { node, nodes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_names_its_field_and_says_itself_in_both_languages() {
        let all = [
            Refusal::KeyLength { len: 251 },
            Refusal::KeyCharacters,
            Refusal::LimitTooSmall {
                bytes: 10,
                min: 1024,
            },
            Refusal::NoSuchNode { node: 7, nodes: 2 },
            Refusal::NoSuchNode { node: 0, nodes: 0 },
            Refusal::ObservedReadOnly { node: 4 },
            Refusal::NotALabOperation,
            Refusal::WarmupRunning { node: 1 },
            Refusal::NodeBusy { node: 0 },
            Refusal::NoWarmup,
            Refusal::OutOfRange {
                knob: WarmupKnob::MaxN,
                value: 0,
                low: 1,
                high: 1_000_000,
            },
            Refusal::TooMuchComputing {
                total_ms: 200_000,
                max_ms: 120_000,
            },
        ];
        let mut one_each = all.to_vec();
        one_each.remove(4);
        crate::json::assert_every_variant_round_trips(&one_each, "code", Refusal::DECODED_TAGS);
        for refusal in all {
            let (en, zh) = (refusal.say(Lang::En), refusal.say(Lang::Zh));
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{refusal:?}");
            assert_eq!(refusal.to_string(), en);
            let ServerFrame::Error {
                message,
                field,
                refusal: carried,
                ..
            } = refusal.into_frame()
            else {
                panic!("an error frame");
            };
            assert_eq!((message, field.as_deref()), (en, Some(refusal.field())));
            assert_eq!(carried, Some(crate::protocol::Refusal::Cache(refusal)));
            // The wire shape a later protocol version can carry.
            let json = serde_json::to_value(refusal).unwrap();
            assert_eq!(serde_json::from_value::<Refusal>(json).unwrap(), refusal);
        }
        assert_eq!(
            Refusal::NoSuchNode { node: 7, nodes: 2 }.english(),
            "no cache node 7; nodes are numbered 0 to 1"
        );
        let out_of_range = Refusal::OutOfRange {
            knob: WarmupKnob::CostMs,
            value: 11,
            low: 0,
            high: 10,
        };
        assert_eq!(out_of_range.field(), "cost_ms");
        assert_eq!(
            out_of_range.english(),
            "cost_ms must be from 0 to 10, not 11"
        );
        assert_eq!(check_node(1, 2), Ok(()));
        assert_eq!(
            check_node(2, 2),
            Err(Refusal::NoSuchNode { node: 2, nodes: 2 })
        );
    }
}
