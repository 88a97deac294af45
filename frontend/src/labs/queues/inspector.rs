//! The inspector: what is selected, in detail, and its settings. One file
//! per kind of selection under `inspector/`:
//!
//! - `node_panel`: program, state, counters, sockets; its interval or
//!   service time (edited with immediate effect); remove it; add a socket;
//! - `socket_panel`: type, binds and connects (latency, disconnect), marks,
//!   `subscriptions` (add, remove), REQ/REP state, its pipes; bind an
//!   endpoint, connect to one, remove the socket;
//! - `conn_panel`: a pipe's two directions, their stages against their
//!   marks, and the queued messages with their payloads;
//! - `msg_panel`: a message, where it is now and what it carries.
//!
//! Every change is an engine `Action` (`fields`); a refusal is shown under
//! the form that asked for it.

mod conn_panel;
mod fields;
mod msg_panel;
mod node_panel;
mod socket_panel;
mod subscriptions;

use leptos::prelude::*;

use self::{
    conn_panel::ConnPanel, msg_panel::MsgPanel, node_panel::NodePanel, socket_panel::SocketPanel,
};
use super::{QueueLab, Selection};

#[component]
pub fn Inspector(lab: QueueLab) -> impl IntoView {
    let t = move || lab.texts();
    view! {
        <aside class="panel inspector" aria-labelledby="queue-inspector-title">
            <h2 id="queue-inspector-title">{move || t().inspector_title}</h2>
            {move || match lab.selection.get() {
                Selection::None => view! { <p class="hint">{move || t().inspector_hint}</p> }.into_any(),
                Selection::Node(id) => view! { <NodePanel lab id /> }.into_any(),
                Selection::Socket(id) => view! { <SocketPanel lab id /> }.into_any(),
                Selection::Conn(id) => view! { <ConnPanel lab id /> }.into_any(),
                Selection::Msg(id) => view! { <MsgPanel lab id /> }.into_any(),
            }}
        </aside>
    }
}
