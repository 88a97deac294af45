//! A SUB's subscriptions in the inspector: remove one, add one (prefixes;
//! "" is everything).

use fanout_shared::{sim::Action, socket::SocketId};
use leptos::prelude::*;

use super::fields::{ActionButton, ActionField};
use crate::labs::queues::QueueLab;

/// A SUB's subscriptions: remove one, add one (prefixes; "" is everything).
#[component]
pub fn Subscriptions(lab: QueueLab, id: SocketId, node: String, socket: String) -> impl IntoView {
    let t = move || lab.texts();
    let subs = move || {
        lab.snap.with(|s| {
            s.topo
                .sockets
                .get(id.0 as usize)
                .map(|x| {
                    x.subscriptions
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let (n1, s1) = (node.clone(), socket.clone());
    view! {
        <h4>{move || t().subscriptions_title}</h4>
        <ul class="subs">
            {move || {
                let list = subs();
                if list.is_empty() {
                    return view! { <li class="empty">{t().no_subscription}</li> }.into_any();
                }
                list.into_iter()
                    .map(|topic| {
                        let shown = if topic.is_empty() { t().everything.to_string() } else { format!("{topic:?}") };
                        let label = (t().unsubscribe_from)(&shown);
                        view! {
                            <li data-topic=topic.clone()>
                                <code>{shown}</code>
                                " "
                                <ActionButton
                                    lab
                                    class="unsubscribe"
                                    text=Signal::derive(move || label.clone())
                                    action=Action::Unsubscribe { node: n1.clone(), socket: s1.clone(), topic: topic.clone() }
                                />
                            </li>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </ul>
        <ActionField
            lab
            class="subscribe"
            label=Signal::derive(move || t().subscribe_prefix)
            button=Signal::derive(move || t().subscribe)
            initial=String::new()
            make=move |topic| Ok(Action::Subscribe { node: node.clone(), socket: socket.clone(), topic })
        />
    }
}
