//! Outside a room: the "Run live" button, or why it cannot work here (no
//! server: how to start one, or point the page at one).

use leptos::prelude::*;

use super::{Live, Notice};
use crate::connection::LinkState;

/// Not in a room: the "Run live" button, or why it cannot work here.
#[component]
pub fn Outside(live: Live, link_state: ReadSignal<LinkState>) -> impl IntoView {
    let t = move || &live.lab.texts().live;
    let busy = move || matches!(live.notice.get(), Some(Notice::Busy(_)));
    move || match link_state.get() {
        LinkState::Connected { .. } => view! {
            <div class="live-start">
                <button
                    type="button"
                    class="run-live"
                    disabled=busy
                    on:click=move |_| live.create()
                >
                    <span class="live-dot" aria-hidden="true"></span>
                    {t().run_live}
                </button>
                <p class="hint">{t().run_live_hint}</p>
            </div>
        }
        .into_any(),
        LinkState::Connecting => view! {
            <p class="hint" data-needs-server="connecting">{t().contacting}</p>
        }
        .into_any(),
        LinkState::Offline { .. } => view! {
            <div class="live-start">
                <button type="button" class="run-live" disabled=true>
                    {t().run_live}
                </button>
                <p class="notice offline" data-needs-server="missing">
                    {t().needs_server} " " {t().start_with} " " <code>"cargo xtask run"</code> " "
                    {t().or_point_at} " " <code>"?server=HOST:PORT"</code>
                </p>
            </div>
        }
        .into_any(),
    }
}
