//! What the socket facts say, in English and in Chinese side by side: the
//! REQ/REP states, the errno-named errors and the endpoint mistakes. Socket
//! types, `send`/`recv` and errno names stay as libzmq spells them: they
//! are what a learner looks up.

use super::{EndpointError, FsmState, OpKind, SocketError};
use crate::lang::{Lang, Say};

impl Say for FsmState {
    fn say(&self, lang: Lang) -> String {
        let words = match lang {
            Lang::En => match self {
                FsmState::ReadyToSend => "ready to send a request",
                FsmState::AwaitingReply => "waiting for the reply",
                FsmState::AwaitingRequest => "waiting for a request",
                FsmState::MustReply => "owing a reply",
            },
            Lang::Zh => match self {
                FsmState::ReadyToSend => "可以发送请求",
                FsmState::AwaitingReply => "等待回复",
                FsmState::AwaitingRequest => "等待请求",
                FsmState::MustReply => "必须回复",
            },
        };
        words.to_owned()
    }
}

impl Say for OpKind {
    fn say(&self, lang: Lang) -> String {
        let words = match lang {
            Lang::En => match self {
                OpKind::Send => "send",
                OpKind::Recv => "recv",
            },
            Lang::Zh => match self {
                OpKind::Send => "发送",
                OpKind::Recv => "接收",
            },
        };
        words.to_owned()
    }
}

impl Say for SocketError {
    fn say(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, SocketError::Efsm { kind, op, state }) => format!(
                "EFSM: operation cannot be accomplished in current state ({kind} cannot {op} while {})",
                state.say(lang)
            ),
            (Lang::En, SocketError::NotSupported { kind, op }) => {
                format!("ENOTSUP: a {kind} socket cannot {op}")
            }
            (Lang::Zh, SocketError::Efsm { kind, op, state }) => format!(
                "EFSM：当前状态下无法完成该操作（{kind} 在“{}”时不能{}）",
                state.say(lang),
                op.say(lang)
            ),
            (Lang::Zh, SocketError::NotSupported { kind, op }) => {
                format!("ENOTSUP：{kind} 套接字不能{}", op.say(lang))
            }
        }
    }
}

impl Say for EndpointError {
    fn say(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, EndpointError::NoTransport(text)) => format!(
                "endpoint `{text}` has no transport; write e.g. `tcp://127.0.0.1:6700` or `tcp://pubsub`"
            ),
            (Lang::En, EndpointError::UnknownTransport { text, transport }) => {
                format!("endpoint `{text}` uses transport `{transport}`; use tcp, ipc or inproc")
            }
            (Lang::En, EndpointError::Empty(text)) => {
                format!("endpoint `{text}` has nothing after `://`")
            }
            (Lang::En, EndpointError::Whitespace(text)) => {
                format!("endpoint `{text}` contains whitespace")
            }
            (Lang::Zh, EndpointError::NoTransport(text)) => format!(
                "端点 `{text}` 缺少传输方式；请写成 `tcp://127.0.0.1:6700` 或 `tcp://pubsub` 这样的形式"
            ),
            (Lang::Zh, EndpointError::UnknownTransport { text, transport }) => format!(
                "端点 `{text}` 使用的传输方式 `{transport}` 不受支持；请用 tcp、ipc 或 inproc"
            ),
            (Lang::Zh, EndpointError::Empty(text)) => format!("端点 `{text}` 的 `://` 后面是空的"),
            (Lang::Zh, EndpointError::Whitespace(text)) => format!("端点 `{text}` 含有空白字符"),
        }
    }
}
