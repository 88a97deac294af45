//! "What just happened": one sentence for the last event, in plain words.
//!
//! The engine decides what is said ([`Caption`], the facts with names
//! resolved) and says it in English ([`Caption::english`], the same
//! sentence `fanout sim --trace` prints). This file says the same facts in
//! Chinese, one arm per kind of fact, so every event kind has its
//! sentence in both languages.

use fanout_shared::{
    sim::{BlockReason, Caption, DropReason, SentTo, StartPart, action::Action, event::SleepWhy},
    socket::{FsmState, OpKind, SocketError},
};
use leptos::prelude::*;

use super::Lab;
use crate::i18n::Lang;

/// The sentence for a caption in a language.
pub fn sentence(lang: Lang, c: &Caption) -> String {
    match lang {
        Lang::En => c.english(),
        Lang::Zh => zh(c),
    }
}

fn zh_topic(topic: &str) -> String {
    if topic.is_empty() {
        "全部（\"\"）".into()
    } else {
        format!("{topic:?}")
    }
}

fn zh_nobody(p: &Option<String>) -> String {
    p.clone().unwrap_or_else(|| "（尚无）".to_string())
}

pub fn zh_op(op: OpKind) -> &'static str {
    match op {
        OpKind::Send => "发送",
        OpKind::Recv => "接收",
    }
}

pub fn zh_fsm(s: FsmState) -> &'static str {
    match s {
        FsmState::ReadyToSend => "可以发送请求",
        FsmState::AwaitingReply => "等待回复",
        FsmState::AwaitingRequest => "等待请求",
        FsmState::MustReply => "必须回复",
    }
}

pub fn zh_drop(reason: DropReason) -> &'static str {
    match reason {
        DropReason::Hwm => "管道已达高水位线",
        DropReason::NoPeer => "没有对端",
        DropReason::Filtered => "没有匹配的订阅",
        DropReason::Disconnected => "连接已关闭",
    }
}

fn zh_error(e: &SocketError) -> String {
    match e {
        SocketError::Efsm { kind, op, state } => format!(
            "EFSM：当前状态下无法完成该操作（{kind} 在“{}”时不能{}）",
            zh_fsm(*state),
            zh_op(*op)
        ),
        SocketError::NotSupported { kind, op } => {
            format!("ENOTSUP：{kind} 套接字不能{}", zh_op(*op))
        }
    }
}

fn zh_action(a: &Action) -> String {
    let json = serde_json::to_string(a).unwrap_or_else(|_| "?".into());
    format!("编辑：{json}")
}

/// The sentence in Simplified Chinese.
pub fn zh(c: &Caption) -> String {
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
            format!("{socket} {verb} {}{tail}", zh_topic(topic))
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
            zh_topic(topic)
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
                            zh_nobody(peer)
                        ));
                    }
                    s
                }
                SentTo::Reply { peer } => {
                    format!("{who} 把回复 {msg} {body} 发回提问的 {}", zh_nobody(peer))
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
                                .map(|t| format!("（{}）", zh_topic(t)))
                                .unwrap_or_default();
                            format!("{}{m}", zh_nobody(name))
                        })
                        .collect();
                    let filtered: Vec<String> = filtered.iter().map(zh_nobody).collect();
                    let dropped: Vec<String> = dropped.iter().map(zh_nobody).collect();
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
                    zh_drop(*reason)
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
                fanout_shared::sim::caption::clock(*arrives)
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
            format!("{msg} 到达 {to} 后被丢弃：{}", zh_drop(*reason))
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
                zh_nobody(from)
            );
            if let Some(st) = state {
                s.push_str(&format!("（现在{}）", zh_fsm(*st)));
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
                format!("{node} 在 {socket} 上{}时阻塞：{why}", zh_op(*op))
            } else {
                format!("{node} 在 {socket} 上的{}返回 EAGAIN：{why}", zh_op(*op))
            }
        }
        Caption::Unblocked { node, socket } => format!("{node} 又可以在 {socket} 上发送了"),
        Caption::Failed {
            node,
            socket,
            error,
        } => format!("{node} 在 {socket} 上：{}", zh_error(error)),
        Caption::Sleeps { node, span, why } => match why {
            SleepWhy::Interval => format!("{node} 等待 {span} 后再发下一条消息"),
            SleepWhy::Service => format!("{node} 处理这条消息需要 {span}"),
        },
        Caption::Ready { node } => format!("{node} 又准备好了"),
        Caption::Printed { node, entry } => format!("{node} 打印：{entry}"),
        Caption::Edited { action } => zh_action(action),
        Caption::NodeRemoved { node, lost } => {
            format!("{node} 已移除；排队中的 {lost} 条消息丢失")
        }
    }
}

/// The caption of the last event, kept to one line, announced politely to
/// screen readers when paused (not sixty times a second while playing).
#[component]
pub fn WhatJustHappened(lab: Lab) -> impl IntoView {
    let t = move || lab.texts();
    let text = move || {
        let lang = lab.lang.get();
        lab.snap.with(|s| match s.last() {
            Some((e, c)) => (Some(e.step), sentence(lang, c)),
            None => (None, texts_nothing(lab)),
        })
    };
    view! {
        <div class="what-happened">
            <h2>{move || t().what_happened}</h2>
            <p
                class="caption"
                aria-live=move || if lab.playing.get() { "off" } else { "polite" }
                data-step=move || text().0.map(|s| s.to_string()).unwrap_or_default()
            >
                <span class="caption-step" hidden=move || text().0.is_none()>
                    {move || text().0.map(|step| (t().event_n)(step))}
                </span>
                <span class="caption-text">{move || text().1}</span>
            </p>
        </div>
    }
}

fn texts_nothing(lab: Lab) -> String {
    lab.texts().nothing_yet.to_string()
}

#[cfg(test)]
mod tests {
    use fanout_shared::sim::{Scenario, Simulator, presets};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    /// Every event of every preset has a Chinese sentence that names the
    /// same message as the English one.
    #[wasm_bindgen_test]
    fn every_event_has_a_chinese_sentence() {
        for name in presets::NAMES {
            let mut sim = Simulator::new(&Scenario::preset(name).unwrap(), 1).unwrap();
            for _ in 0..1500 {
                let Some(e) = sim.step() else { break };
                let c = sim.caption_facts(&e);
                let text = zh(&c);
                assert!(!text.is_empty());
                assert!(
                    text.chars()
                        .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                    "{name}: {text}"
                );
                if let Some(m) = c.msg() {
                    assert!(text.contains(&m.to_string()), "{name}: {text}");
                }
            }
        }
    }
}
