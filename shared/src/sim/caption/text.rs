//! What a caption says, in English and in Chinese side by side: one
//! function per language, each an exhaustive `match` over [`Caption`], so
//! a new kind of event does not compile until both languages say it.
//! `fanout sim --trace` prints these sentences (`--lang zh` the Chinese
//! ones); the queue lab shows them in the learner's language.
//!
//! Names (nodes, sockets, endpoints), message ids, socket types and errno
//! names stay as they are: they are the code a learner reads.

use super::{Caption, SentTo, StartPart, clock};
use crate::{
    lang::{Lang, Say},
    sim::{
        action::Action,
        event::{BlockReason, DropReason, SleepWhy},
    },
};

impl Say for Caption {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => english(self),
            Lang::Zh => chinese(self),
        }
    }
}

impl Say for DropReason {
    fn say(&self, lang: Lang) -> String {
        let words = match lang {
            Lang::En => match self {
                DropReason::Hwm => "the pipe is at its high-water mark",
                DropReason::NoPeer => "there is no peer",
                DropReason::Filtered => "no subscription matches",
                DropReason::Disconnected => "its connection closed",
            },
            Lang::Zh => match self {
                DropReason::Hwm => "管道已达高水位线",
                DropReason::NoPeer => "没有对端",
                DropReason::Filtered => "没有匹配的订阅",
                DropReason::Disconnected => "连接已关闭",
            },
        };
        words.to_owned()
    }
}

fn english(c: &Caption) -> String {
    let nobody = |p: &Option<String>| p.clone().unwrap_or_else(|| "nobody yet".to_string());
    match c {
        Caption::NodeStarted { node, parts } => {
            let parts: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    StartPart::Binds { socket, endpoint } => {
                        format!("{socket} binds {endpoint}")
                    }
                    StartPart::Connects { socket, endpoint } => {
                        format!("{socket} connects to {endpoint}")
                    }
                    StartPart::CannotConnect { socket, endpoint } => {
                        format!("{socket} cannot connect to {endpoint}")
                    }
                })
                .collect();
            if parts.is_empty() {
                format!("{node} starts")
            } else {
                format!("{node} starts: {}", parts.join("; "))
            }
        }
        Caption::NodeHalted { node } => format!("{node} has finished its program"),
        Caption::Bound { socket, endpoint } => format!("{socket} binds {endpoint}"),
        Caption::Connecting {
            socket,
            endpoint,
            pending,
        } => {
            if *pending {
                format!("{socket} will connect to {endpoint} once someone binds it")
            } else {
                format!("{socket} connects to {endpoint}")
            }
        }
        Caption::Connected { connecter, binder } => {
            format!("handshake done: {connecter} and {binder} now count each other as peers")
        }
        Caption::Disconnected { conn, lost } => {
            format!("connection #{conn} closed; {lost} queued message(s) lost")
        }
        Caption::Subscribe {
            socket,
            topic,
            on,
            upstream,
        } => {
            let verb = if *on {
                "subscribes to"
            } else {
                "unsubscribes from"
            };
            let tail = if *upstream {
                "; publishers are told"
            } else {
                " (no change upstream: counted duplicate)"
            };
            format!("{socket} {verb} {}{tail}", quote_topic(topic))
        }
        Caption::SubscriptionArrived {
            publisher,
            subscriber,
            topic,
            on,
        } => format!(
            "{publisher} learns that {} {} {}",
            subscriber.as_deref().unwrap_or("?"),
            if *on { "wants" } else { "no longer wants" },
            quote_topic(topic)
        ),
        Caption::Send {
            node: who,
            msg,
            body,
            kind: k,
            to,
            awaits_reply,
        } => {
            let mut text = match to {
                SentTo::Peer {
                    peer,
                    endpoint,
                    skipped,
                } => {
                    let mut s = match peer {
                        Some(peer) => {
                            format!("{who} sends {msg} {body}: {k} gave {msg} to {peer}")
                        }
                        None => format!(
                            "{who} sends {msg} {body}: {k} queued it on its pipe to {endpoint}, which nobody binds yet"
                        ),
                    };
                    for (peer, hwm) in skipped {
                        s.push_str(&format!(
                            "; {} skipped: pipe full (HWM {hwm})",
                            nobody(peer)
                        ));
                    }
                    s
                }
                SentTo::Reply { peer } => {
                    format!("{who} replies {msg} {body} to {}, who asked", nobody(peer))
                }
                SentTo::Fanout {
                    got,
                    filtered,
                    dropped,
                } => {
                    let got: Vec<String> = got
                        .iter()
                        .map(|(name, matched)| {
                            let m = matched
                                .as_ref()
                                .map(|t| format!(" ({})", quote_topic(t)))
                                .unwrap_or_default();
                            format!("{}{m}", nobody(name))
                        })
                        .collect();
                    let filtered: Vec<String> = filtered.iter().map(nobody).collect();
                    let dropped: Vec<String> = dropped.iter().map(nobody).collect();
                    let mut s = format!("{who} publishes {msg} {body}");
                    if got.is_empty() && dropped.is_empty() {
                        s.push_str(": no subscription matches, so it is not sent");
                    } else if !got.is_empty() {
                        s.push_str(&format!(": to {}", got.join(", ")));
                    }
                    if !filtered.is_empty() {
                        s.push_str(&format!("; filtered out for {}", filtered.join(", ")));
                    }
                    if !dropped.is_empty() {
                        s.push_str(&format!(
                            "; dropped for {} (pipe at its high-water mark)",
                            dropped.join(", ")
                        ));
                    }
                    s
                }
                SentTo::Dropped { reason } => format!(
                    "{who} sends {msg} {body} on its {k}, which discards it: {}",
                    reason.say(Lang::En)
                ),
            };
            if *awaits_reply {
                text.push_str(&format!(" (its {k} now waits for the reply)"));
            }
            text
        }
        Caption::Depart {
            first,
            last,
            count,
            from,
            to,
            arrives,
            reopened,
        } => {
            let which = if *count == 1 {
                format!("{first}")
            } else {
                format!("{first}…{last} ({count} messages)")
            };
            let mut s = format!(
                "{which} leaves {from} on the wire to {to}, arriving at {}",
                clock(*arrives)
            );
            if *reopened {
                s.push_str("; the pipe has room again");
            }
            s
        }
        Caption::Delivered { msg, to, wakes } => match wakes {
            Some(n) => format!("{msg} arrives at {to}; {n} wakes up"),
            None => format!("{msg} arrives at {to} and waits in its queue"),
        },
        Caption::DeliverDropped { msg, to, reason } => format!(
            "{msg} arrives at {to} and is discarded: {}",
            reason.say(Lang::En)
        ),
        Caption::Received {
            node,
            msg,
            body,
            from,
            socket,
            state,
        } => {
            let mut s = format!(
                "{node} receives {msg} {body} from {} on {socket}",
                nobody(from)
            );
            if let Some(st) = state {
                s.push_str(&format!(" (now {})", st.say(Lang::En)));
            }
            s
        }
        Caption::Blocked {
            node,
            socket,
            op,
            reason,
            waits,
        } => {
            let why = match reason {
                BlockReason::NoPeer => "no peer has connected yet".to_string(),
                BlockReason::PipesFull { hwm } => {
                    format!("every peer's pipe is at its high-water mark ({hwm})")
                }
                BlockReason::Empty => "nothing has arrived".to_string(),
            };
            if *waits {
                format!("{node} blocks in {op} on {socket}: {why}")
            } else {
                format!("{node}'s {op} on {socket} returns EAGAIN: {why}")
            }
        }
        Caption::Unblocked { node, socket } => format!("{node} can send on {socket} again"),
        Caption::Failed {
            node,
            socket,
            error,
        } => format!("{node} on {socket}: {error}"),
        Caption::Sleeps { node, span, why } => match why {
            SleepWhy::Interval => format!("{node} waits {span} before its next message"),
            SleepWhy::Service => format!("{node} works on its message for {span}"),
        },
        Caption::Ready { node } => format!("{node} is ready again"),
        Caption::Printed { node, entry } => format!("{node} prints: {entry}"),
        Caption::Edited { action } => format!(
            "edit: {}",
            serde_json::to_string(action).unwrap_or_else(|_| "?".into())
        ),
        Caption::NodeRemoved { node, lost } => {
            format!("{node} removed; {lost} queued message(s) lost")
        }
        Caption::TimedOut {
            node,
            socket,
            after,
        } => format!("{node}'s poll on {socket} times out: no reply within {after}"),
        Caption::Reopened { node, socket, lost } => format!(
            "{node} closes {socket} and opens a new one like it ({lost} queued message(s) lost)"
        ),
        #[cfg(feature = "reliability")]
        Caption::Fault { fact, names } => super::reliability_text::fault(fact, names, Lang::En),
        #[cfg(feature = "reliability")]
        Caption::Broker { fact, names } => super::reliability_text::broker(fact, names, Lang::En),
    }
}

fn quote_topic(topic: &str) -> String {
    if topic.is_empty() {
        "everything (\"\")".into()
    } else {
        format!("{topic:?}")
    }
}

fn quote_topic_zh(topic: &str) -> String {
    if topic.is_empty() {
        "全部（\"\"）".into()
    } else {
        format!("{topic:?}")
    }
}

fn nobody_zh(p: &Option<String>) -> String {
    p.clone().unwrap_or_else(|| "（尚无）".to_string())
}

fn edit_zh(a: &Action) -> String {
    let json = serde_json::to_string(a).unwrap_or_else(|_| "?".into());
    format!("编辑：{json}")
}

fn chinese(c: &Caption) -> String {
    match c {
        Caption::NodeStarted { node, parts } => {
            let parts: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    StartPart::Binds { socket, endpoint } => format!("{socket} 绑定 {endpoint}"),
                    StartPart::Connects { socket, endpoint } => {
                        format!("{socket} 连接到 {endpoint}")
                    }
                    StartPart::CannotConnect { socket, endpoint } => {
                        format!("{socket} 无法连接到 {endpoint}")
                    }
                })
                .collect();
            if parts.is_empty() {
                format!("{node} 启动")
            } else {
                format!("{node} 启动：{}", parts.join("；"))
            }
        }
        Caption::NodeHalted { node } => format!("{node} 的程序已运行完毕"),
        Caption::Bound { socket, endpoint } => format!("{socket} 绑定 {endpoint}"),
        Caption::Connecting {
            socket,
            endpoint,
            pending,
        } => {
            if *pending {
                format!("{socket} 将在有人绑定 {endpoint} 后连接过去")
            } else {
                format!("{socket} 连接到 {endpoint}")
            }
        }
        Caption::Connected { connecter, binder } => {
            format!("握手完成：{connecter} 和 {binder} 现在互相视为对端")
        }
        Caption::Disconnected { conn, lost } => {
            format!("连接 #{conn} 已关闭；排队中的 {lost} 条消息丢失")
        }
        Caption::Subscribe {
            socket,
            topic,
            on,
            upstream,
        } => {
            let verb = if *on { "订阅" } else { "取消订阅" };
            let tail = if *upstream {
                "；并通知发布者"
            } else {
                "（重复的订阅只计数，不通知上游）"
            };
            format!("{socket} {verb} {}{tail}", quote_topic_zh(topic))
        }
        Caption::SubscriptionArrived {
            publisher,
            subscriber,
            topic,
            on,
        } => format!(
            "{publisher} 得知 {} {} {}",
            subscriber.as_deref().unwrap_or("?"),
            if *on { "想要" } else { "不再想要" },
            quote_topic_zh(topic)
        ),
        Caption::Send {
            node: who,
            msg,
            body,
            kind: k,
            to,
            awaits_reply,
        } => {
            let mut text = match to {
                SentTo::Peer {
                    peer,
                    endpoint,
                    skipped,
                } => {
                    let mut s = match peer {
                        Some(peer) => {
                            format!("{who} 发送 {msg} {body}：{k} 把 {msg} 交给了 {peer}")
                        }
                        None => format!(
                            "{who} 发送 {msg} {body}：{k} 把它放进通往 {endpoint} 的管道排队，那里还没人绑定"
                        ),
                    };
                    for (peer, hwm) in skipped {
                        s.push_str(&format!(
                            "；跳过 {}：管道已满（HWM {hwm}）",
                            nobody_zh(peer)
                        ));
                    }
                    s
                }
                SentTo::Reply { peer } => {
                    format!("{who} 把回复 {msg} {body} 发回提问的 {}", nobody_zh(peer))
                }
                SentTo::Fanout {
                    got,
                    filtered,
                    dropped,
                } => {
                    let got: Vec<String> = got
                        .iter()
                        .map(|(name, matched)| {
                            let m = matched
                                .as_ref()
                                .map(|t| format!("（{}）", quote_topic_zh(t)))
                                .unwrap_or_default();
                            format!("{}{m}", nobody_zh(name))
                        })
                        .collect();
                    let filtered: Vec<String> = filtered.iter().map(nobody_zh).collect();
                    let dropped: Vec<String> = dropped.iter().map(nobody_zh).collect();
                    let mut s = format!("{who} 发布 {msg} {body}");
                    if got.is_empty() && dropped.is_empty() {
                        s.push_str("：没有匹配的订阅，所以根本不发送");
                    } else if !got.is_empty() {
                        s.push_str(&format!("：发给 {}", got.join("、")));
                    }
                    if !filtered.is_empty() {
                        s.push_str(&format!("；被 {} 的过滤条件滤掉", filtered.join("、")));
                    }
                    if !dropped.is_empty() {
                        s.push_str(&format!(
                            "；给 {} 的副本被丢弃（管道已达高水位线）",
                            dropped.join("、")
                        ));
                    }
                    s
                }
                SentTo::Dropped { reason } => format!(
                    "{who} 在 {k} 上发送 {msg} {body}，但它被丢弃：{}",
                    reason.say(Lang::Zh)
                ),
            };
            if *awaits_reply {
                text.push_str(&format!("（它的 {k} 现在等待回复）"));
            }
            text
        }
        Caption::Depart {
            first,
            last,
            count,
            from,
            to,
            arrives,
            reopened,
        } => {
            let which = if *count == 1 {
                format!("{first}")
            } else {
                format!("{first}…{last}（{count} 条消息）")
            };
            let mut s = format!(
                "{which} 离开 {from}，经线路发往 {to}，将于 {} 到达",
                clock(*arrives)
            );
            if *reopened {
                s.push_str("；管道又有空位了");
            }
            s
        }
        Caption::Delivered { msg, to, wakes } => match wakes {
            Some(n) => format!("{msg} 到达 {to}；{n} 被唤醒"),
            None => format!("{msg} 到达 {to}，在队列中等待"),
        },
        Caption::DeliverDropped { msg, to, reason } => {
            format!("{msg} 到达 {to} 后被丢弃：{}", reason.say(Lang::Zh))
        }
        Caption::Received {
            node,
            msg,
            body,
            from,
            socket,
            state,
        } => {
            let mut s = format!(
                "{node} 在 {socket} 上收到来自 {} 的 {msg} {body}",
                nobody_zh(from)
            );
            if let Some(st) = state {
                s.push_str(&format!("（现在{}）", st.say(Lang::Zh)));
            }
            s
        }
        Caption::Blocked {
            node,
            socket,
            op,
            reason,
            waits,
        } => {
            let why = match reason {
                BlockReason::NoPeer => "还没有对端连上".to_string(),
                BlockReason::PipesFull { hwm } => {
                    format!("每个对端的管道都已达到高水位线（{hwm}）")
                }
                BlockReason::Empty => "还没有消息到达".to_string(),
            };
            if *waits {
                format!("{node} 在 {socket} 上{}时阻塞：{why}", op.say(Lang::Zh))
            } else {
                format!(
                    "{node} 在 {socket} 上的{}返回 EAGAIN：{why}",
                    op.say(Lang::Zh)
                )
            }
        }
        Caption::Unblocked { node, socket } => format!("{node} 又可以在 {socket} 上发送了"),
        Caption::Failed {
            node,
            socket,
            error,
        } => format!("{node} 在 {socket} 上：{}", error.say(Lang::Zh)),
        Caption::Sleeps { node, span, why } => match why {
            SleepWhy::Interval => format!("{node} 等待 {span} 后再发下一条消息"),
            SleepWhy::Service => format!("{node} 处理这条消息需要 {span}"),
        },
        Caption::Ready { node } => format!("{node} 又准备好了"),
        Caption::Printed { node, entry } => format!("{node} 打印：{entry}"),
        Caption::Edited { action } => edit_zh(action),
        Caption::NodeRemoved { node, lost } => {
            format!("{node} 已移除；排队中的 {lost} 条消息丢失")
        }
        Caption::TimedOut {
            node,
            socket,
            after,
        } => format!("{node} 在 {socket} 上的轮询超时：{after} 内没有回复"),
        Caption::Reopened { node, socket, lost } => {
            format!("{node} 关闭 {socket}，再打开一个同样的新套接字（排队中的 {lost} 条消息丢失）")
        }
        #[cfg(feature = "reliability")]
        Caption::Fault { fact, names } => super::reliability_text::fault(fact, names, Lang::Zh),
        #[cfg(feature = "reliability")]
        Caption::Broker { fact, names } => super::reliability_text::broker(fact, names, Lang::Zh),
    }
}
