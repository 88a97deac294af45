//! Inside a room: its code and join link (and, for its creator, the way to
//! close it), the counts, the way out ("Stop and replay offline"), written
//! as HTML text as the rest of the panel is (`live.rs`, `LiveRoom`); and
//! (on the queue page) this page's own PULL worker with what it received,
//! and where real ZeroMQ programs connect, as Leptos views.

use fanout_shared::embed::escape_attribute as esc;
#[cfg(not(feature = "reliability"))]
use leptos::prelude::*;

use super::{Live, LiveTexts, Room};
#[cfg(not(feature = "reliability"))]
use super::{
    Worker, push_endpoint,
    sender::{SendByHand, send_target},
    zmtp::ZeroMq,
};

/// The room's head: the badge, its code, the join `link` with its copy
/// button (`data-pick="copy"`) and whether the copy worked (`copied`:
/// `Some(false)` asks to copy by hand), and the hint under it (the
/// creator's, or a participant's with the room's scenario).
pub fn head_html(
    t: &LiveTexts,
    copy_words: (&str, &str),
    room: &Room,
    link: &str,
    copied: Option<bool>,
) -> String {
    let code = esc(&room.code);
    let copied = match copied {
        Some(done) => format!(
            r#"<span class="copied" role="status">{}</span>"#,
            esc(if done { copy_words.0 } else { copy_words.1 })
        ),
        None => String::new(),
    };
    let hint = if room.token.is_some() {
        t.owner_hint.to_string()
    } else {
        (t.member_hint)(&room.scenario)
    };
    format!(
        r#"<div class="live-head"><span class="live-badge"><span class="live-dot" aria-hidden="true"></span>{}</span><span class="room-code-label">{}</span><strong class="room-code" data-room="{code}">{code}</strong><label class="join-link"><span class="visually-hidden">{}</span><input type="text" readonly value="{}"></label><button type="button" class="copy-join-link" data-pick="copy">{}</button>{copied}</div><p class="hint">{}</p>"#,
        esc(t.live_badge),
        esc(t.join_code),
        esc(t.join_link),
        esc(link),
        esc(t.copy_link),
        esc(&hint),
    )
}

/// The counts under the room: (events, skipped, members).
pub fn status_html(t: &LiveTexts, (events, skipped, members): (u64, u64, usize)) -> String {
    format!(
        r#"<p class="live-status" data-members="{members}">{}</p>"#,
        esc(&(t.status)(events, skipped, members))
    )
}

/// The way out: replay offline (`data-pick="replay"`), and close the room
/// (its creator) or leave it (`data-pick="leave"`).
pub fn buttons_html(t: &LiveTexts, owner: bool) -> String {
    format!(
        r#"<div class="live-buttons"><button type="button" class="replay-offline" title="{}" data-pick="replay">{}</button><button type="button" class="leave-room" data-pick="leave">{}</button></div>"#,
        esc(t.replay_hint),
        esc(t.replay),
        esc(if owner { t.close_room } else { t.leave_room }),
    )
}

/// The ZeroMQ hands in a room: this page's PULL worker, sending by hand,
/// and where real ZeroMQ programs connect.
#[cfg(not(feature = "reliability"))]
pub fn zeromq_hands(live: Live, room: &Room) -> impl leptos::IntoView + use<> {
    let t = move || &live.lab.texts().live;
    let zmtp = view! { <ZeroMq live scenario=room.scenario.clone() listening=room.zmtp.clone() /> };
    // A memo, so the button below is redrawn only when the endpoint
    // changes, not with every frame of the room (a click would be lost).
    let endpoint = Memo::new(move |_| live.lab.snap.with(|s| push_endpoint(&s.topo)));
    let target = Memo::new(move |_| live.lab.snap.with(|s| send_target(&s.topo)));
    view! {
        {move || match live.worker.get() {
            Some(worker) => view! { <WorkerView live worker /> }.into_any(),
            None => match endpoint.get() {
                Some(endpoint) => view! {
                    <div class="live-worker">
                        <button type="button" class="join-worker" on:click={
                            let endpoint = endpoint.clone();
                            move |_| live.add_worker(endpoint.clone())
                        }>
                            {move || t().join_worker}
                        </button>
                        <p class="hint">{(t().join_worker_hint)(&endpoint)}</p>
                    </div>
                }
                .into_any(),
                None => view! { <p class="hint">{move || t().no_push_endpoint}</p> }.into_any(),
            },
        }}
        {move || target.get().map(|(kind, endpoint)| view! { <SendByHand live kind endpoint /> })}
        {zmtp}
    }
}

/// The reliability page's rooms run brokers and task programs: a ZeroMQ
/// PULL worker or hand sender has nothing to connect to there, and
/// leaving them out keeps their code out of that page's wasm.
#[cfg(feature = "reliability")]
pub fn zeromq_hands(_live: Live, _room: &Room) -> impl leptos::IntoView + use<> {}

/// This page's worker: its inbox count and the last messages it got.
#[cfg(not(feature = "reliability"))]
#[component]
fn WorkerView(live: Live, worker: Worker) -> impl IntoView {
    let t = move || &live.lab.texts().live;
    let node = worker.node.clone();
    view! {
        <div class="live-worker mine" data-node=worker.node.clone() data-received=worker.received.to_string()>
            <h3>{move || (t().your_worker)(&node)}</h3>
            <p class="inbox">
                <output class="received-count">{worker.received}</output>
                " "
                {move || t().received}
            </p>
            <h4>{move || t().last_messages}</h4>
            {if worker.last.is_empty() {
                view! { <p class="hint">{move || t().none_yet}</p> }.into_any()
            } else {
                view! {
                    <ol class="last-messages">
                        {worker
                            .last
                            .iter()
                            .map(|(msg, payload)| view! { <li><code>{msg.to_string()}</code> " " <code>{payload.clone()}</code></li> })
                            .collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </div>
    }
}
