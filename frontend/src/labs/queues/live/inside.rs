//! Inside a room: its code and join link (and, for its creator, the way to
//! close it), the counts, the way out ("Stop and replay offline"), and
//! (on the queue page) this page's own PULL worker with what it received,
//! and where real ZeroMQ programs connect.

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

use super::{Live, Room, join_link};
#[cfg(not(feature = "reliability"))]
use super::{
    Worker, push_endpoint,
    sender::{SendByHand, send_target},
    zmtp::ZeroMq,
};

/// In a room: its code and link (and the creator's close), the counts,
/// the way out, and this page's worker.
#[component]
pub fn Inside(live: Live, room: Room) -> impl IntoView {
    let t = move || &live.lab.texts().live;
    let lab_t = move || live.lab.texts();
    let link = join_link(&room.code);
    let owner = room.token.is_some();
    let copied = RwSignal::new(None::<bool>);
    let copy = {
        let link = link.clone();
        move |_| {
            let promise = window().navigator().clipboard().write_text(&link);
            copied.set(Some(false));
            spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(Some(true));
                }
            });
        }
    };
    let scenario = room.scenario.clone();
    let hands = zeromq_hands(live, &room);

    view! {
        <div class="live-head">
            <span class="live-badge"><span class="live-dot" aria-hidden="true"></span>{move || t().live_badge}</span>
            <span class="room-code-label">{move || t().join_code}</span>
            <strong class="room-code" data-room=room.code.clone()>{room.code.clone()}</strong>
            <label class="join-link">
                <span class="visually-hidden">{move || t().join_link}</span>
                <input
                    type="text"
                    readonly
                    prop:value=link.clone()
                    on:focus=move |ev| {
                        if let Some(input) = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            input.select();
                        }
                    }
                />
            </label>
            <button type="button" class="copy-join-link" on:click=copy>{move || t().copy_link}</button>
            {move || {
                copied.get().map(|done| view! {
                    <span class="copied" role="status">
                        {move || if done { lab_t().copied } else { lab_t().copy_by_hand }}
                    </span>
                })
            }}
        </div>
        <p class="hint">
            {move || if owner { t().owner_hint.to_string() } else { (t().member_hint)(&scenario) }}
        </p>
        <p class="live-status" data-members=move || live.counts.get().2.to_string()>
            {move || {
                let (events, skipped, members) = live.counts.get();
                (t().status)(events, skipped, members)
            }}
        </p>
        <div class="live-buttons">
            <button type="button" class="replay-offline" title=move || t().replay_hint on:click=move |_| live.replay()>
                {move || t().replay}
            </button>
            <button type="button" class="leave-room" on:click=move |_| spawn_local(live.stop())>
                {move || if owner { t().close_room } else { t().leave_room }}
            </button>
        </div>
        {hands}
    }
}

/// The ZeroMQ hands in a room: this page's PULL worker, sending by hand,
/// and where real ZeroMQ programs connect.
#[cfg(not(feature = "reliability"))]
fn zeromq_hands(live: Live, room: &Room) -> impl IntoView + use<> {
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
fn zeromq_hands(_live: Live, _room: &Room) -> impl IntoView + use<> {}

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
