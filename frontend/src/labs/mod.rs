//! The four labs, one module each, plus what they share.

pub mod cache;
pub mod queues;
pub mod shards;
pub mod tasks;

use leptos::prelude::*;

use crate::{
    connection::LinkState,
    i18n::{Lang, use_lang},
    text::Texts,
};

/// Tells the learner plainly whether a lab's live part can run: live
/// experiments need the Fanout server, simulations do not.
#[component]
pub fn NeedsServer(
    /// What the live part would do, per language (e.g. "talk to the cache
    /// nodes"); it completes the sentences in `text::Texts`.
    what: fn(Lang) -> &'static str,
) -> impl IntoView {
    let link = expect_context::<ReadSignal<LinkState>>();
    let lang = use_lang();
    move || {
        let lang = lang.get();
        let texts = Texts::of(lang);
        match link.get() {
            LinkState::Connected { .. } => view! {
                <p class="notice live" data-needs-server="available">
                    {(texts.needs_server_live)(what(lang))}
                </p>
            }
            .into_any(),
            LinkState::Connecting => view! {
                <p class="notice" data-needs-server="connecting">{texts.contacting}</p>
            }
            .into_any(),
            LinkState::Offline { .. } => view! {
                <p class="notice offline" data-needs-server="missing">
                    {(texts.needs_server_missing)(what(lang))}
                    {texts.start_one_with} <code>"cargo xtask run"</code> {texts.and_reload}
                </p>
            }
            .into_any(),
        }
    }
}
