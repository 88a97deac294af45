//! The Tasks view's frames: watching what a Celery app does with the
//! server's Redis node. The server sends the node's contents as events
//! (`tasks_snapshot`), then the events that can change the view
//! (`tasks_events`); the browser interprets both with
//! `crate::celery::TasksView`.
//!
//! The page's own command line sends `tasks_command`: one command run on
//! the node through a connection of the session's own, as `redis-cli`
//! would run it, answered by `tasks_reply` with the reply printed the way
//! redis-cli prints it (`crate::redis::cli`).

use serde::{Deserialize, Serialize};

use crate::lang::{Lang, Say};

area_frames! {
    /// Frames about the Tasks view (`tasks_*`).
    TasksFrame {
        "tasks_watch" => Watch(TasksRequest),
        "tasks_unwatch" => Unwatch(TasksRequest),
        "tasks_command" => Command(TasksCommand),
    }
}

/// Starts or stops watching the Redis node's Celery traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TasksRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// The most arguments one `tasks_command` may carry, the name included.
pub const MAX_COMMAND_ARGS: usize = 64;

/// The most bytes all of one command's arguments may hold together (a
/// task message is about 1 KiB).
pub const MAX_COMMAND_BYTES: usize = 32 * 1024;

/// The most bytes of printed reply a `tasks_reply` carries; the rest is
/// left out, and the last line says how much.
pub const MAX_REPLY_TEXT: usize = 16 * 1024;

/// Runs one command on the Redis node, through this session's own
/// connection (created by the first command, closed with the session, so
/// `SELECT` and `MULTI` last as in a redis-cli session).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TasksCommand {
    /// The command's name and arguments, as `crate::redis::cli::split_line`
    /// splits a typed line.
    pub args: Vec<CommandArg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// One argument: a JSON string when it is UTF-8 text, otherwise
/// `{"base64": "…"}` (a typed `"\xff"` makes bytes that are no text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandArg(pub Vec<u8>);

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ArgOnWire {
    Text(String),
    Bytes { base64: String },
}

impl Serialize for CommandArg {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        match std::str::from_utf8(&self.0) {
            Ok(text) => ArgOnWire::Text(text.to_owned()),
            Err(_) => ArgOnWire::Bytes {
                base64: base64::engine::general_purpose::STANDARD.encode(&self.0),
            },
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CommandArg {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use base64::Engine as _;
        match ArgOnWire::deserialize(deserializer)? {
            ArgOnWire::Text(text) => Ok(CommandArg(text.into_bytes())),
            ArgOnWire::Bytes { base64 } => base64::engine::general_purpose::STANDARD
                .decode(base64.as_bytes())
                .map(CommandArg)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Commands the page will not run: they would hold the session's
/// connection waiting (BLPOP …) or turn it into a stream of messages
/// (SUBSCRIBE, MONITOR), which one command and one reply cannot show.
pub fn needs_a_real_client(name: &[u8]) -> Option<ClientNeed> {
    const BLOCKING: &[&str] = &[
        "blpop",
        "brpop",
        "brpoplpush",
        "blmove",
        "blmpop",
        "bzpopmin",
        "bzpopmax",
        "bzmpop",
        "xread",
        "xreadgroup",
        "wait",
        "waitaof",
    ];
    const STREAMING: &[&str] = &[
        "subscribe",
        "psubscribe",
        "ssubscribe",
        "monitor",
        "sync",
        "psync",
    ];
    let is = |names: &[&str]| {
        names
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
    };
    if is(BLOCKING) {
        Some(ClientNeed::Blocks)
    } else if is(STREAMING) {
        Some(ClientNeed::Streams)
    } else {
        None
    }
}

/// Why a command needs a real client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientNeed {
    /// It waits for an element (BLPOP, BRPOP …).
    Blocks,
    /// It turns the connection into a stream (SUBSCRIBE, MONITOR).
    Streams,
}

/// Why the Tasks area refused a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TasksRefusal {
    /// The server was started with `--redis off`: there is no node.
    RedisOff,
    /// `tasks_command` without a command.
    EmptyCommand,
    /// More than [`MAX_COMMAND_ARGS`] arguments.
    TooManyArgs { max: usize },
    /// Arguments longer than [`MAX_COMMAND_BYTES`] together.
    CommandTooLarge { max: usize },
    /// A command that blocks or subscribes (upper case, as typed).
    NeedsRealClient { command: String, need: ClientNeed },
    /// The command looked like an HTTP request (the node hangs up on
    /// those, as Redis does): not run.
    LooksLikeHttp,
}

// Read compactly (see `json::decode_tagged!`): every page reads refusals,
// and serde's derived reader of a tagged enum costs each page's wasm.
crate::json::decode_tagged!(TasksRefusal by "kind" {
    "redis_off" => RedisOff,
    "empty_command" => EmptyCommand,
    "too_many_args" => TooManyArgs { max },
    "command_too_large" => CommandTooLarge { max },
    "needs_real_client" => NeedsRealClient { command, need },
    "looks_like_http" => LooksLikeHttp,
});

impl TasksRefusal {
    pub fn field(&self) -> &'static str {
        match self {
            TasksRefusal::RedisOff => "type",
            TasksRefusal::EmptyCommand
            | TasksRefusal::TooManyArgs { .. }
            | TasksRefusal::CommandTooLarge { .. }
            | TasksRefusal::NeedsRealClient { .. }
            | TasksRefusal::LooksLikeHttp => "args",
        }
    }
}

impl Say for TasksRefusal {
    fn say(&self, lang: Lang) -> String {
        match (self, lang) {
            (TasksRefusal::RedisOff, Lang::En) => {
                "this server runs no Redis node (it was started with --redis off)".into()
            }
            (TasksRefusal::RedisOff, Lang::Zh) => {
                "这台服务器没有运行 Redis 节点（启动时用了 --redis off）".into()
            }
            (TasksRefusal::EmptyCommand, Lang::En) => "no command was given".into(),
            (TasksRefusal::EmptyCommand, Lang::Zh) => "没有给出命令".into(),
            (TasksRefusal::TooManyArgs { max }, Lang::En) => {
                format!("too many arguments: this command line takes at most {max}")
            }
            (TasksRefusal::TooManyArgs { max }, Lang::Zh) => {
                format!("参数太多：这个命令行最多接受 {max} 个")
            }
            (TasksRefusal::CommandTooLarge { max }, Lang::En) => format!(
                "the arguments are too long: this command line takes at most {} KiB",
                max / 1024
            ),
            (TasksRefusal::CommandTooLarge { max }, Lang::Zh) => {
                format!("参数太长：这个命令行最多接受 {} KiB", max / 1024)
            }
            (TasksRefusal::NeedsRealClient { command, need }, Lang::En) => {
                let what = match need {
                    ClientNeed::Blocks => "waits on the connection until an element arrives",
                    ClientNeed::Streams => "turns the connection into a stream of messages",
                };
                format!(
                    "{command} {what}; this command line shows one reply per command, so it needs a real client: run it in redis-cli, or let a Celery worker do it"
                )
            }
            (TasksRefusal::NeedsRealClient { command, need }, Lang::Zh) => {
                let what = match need {
                    ClientNeed::Blocks => "会占住连接，一直等到有元素到来",
                    ClientNeed::Streams => "会把连接变成一串消息流",
                };
                format!(
                    "{command} {what}；这个命令行每条命令只显示一个回复，所以需要真正的客户端：请用 redis-cli 或 Celery worker 运行它"
                )
            }
            (TasksRefusal::LooksLikeHttp, Lang::En) => {
                "this looks like an HTTP request; a Redis node hangs up on those (\"Possible SECURITY ATTACK detected\"), so it was not run".into()
            }
            (TasksRefusal::LooksLikeHttp, Lang::Zh) => {
                "这看起来像一个 HTTP 请求；Redis 节点遇到这种请求会直接断开（\"Possible SECURITY ATTACK detected\"），所以没有执行".into()
            }
        }
    }
}
