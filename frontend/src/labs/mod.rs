//! The three labs, one module each, plus what they share.

pub mod cache;
pub mod queues;
pub mod shards;

use leptos::prelude::*;

use crate::connection::LinkState;

/// Tells the learner plainly whether a lab's live part can run: live
/// experiments need the Fanout server, simulations do not.
#[component]
pub fn NeedsServer(
    /// What the live part would do, e.g. "talk to the cache nodes".
    what: &'static str,
) -> impl IntoView {
    let link = expect_context::<ReadSignal<LinkState>>();
    move || match link.get() {
        LinkState::Connected { .. } => view! {
            <p class="notice live" data-needs-server="available">
                "Live: this lab will " {what} " on the Fanout server you are connected to."
            </p>
        }
        .into_any(),
        LinkState::Connecting => view! {
            <p class="notice" data-needs-server="connecting">"Contacting the Fanout server…"</p>
        }
        .into_any(),
        LinkState::Offline { .. } => view! {
            <p class="notice offline" data-needs-server="missing">
                "Needs the Fanout server to " {what} ", and none is reachable. "
                "Start one with " <code>"cargo xtask run"</code> " and reload this page."
            </p>
        }
        .into_any(),
    }
}
