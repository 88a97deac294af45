//! "What just happened": one sentence for the last event, in plain words.
//!
//! The engine decides what is said ([`Caption`], the facts with names
//! resolved) and how, in every language (`Say`, beside the facts in
//! `shared/`): the same sentences `fanout sim --trace --lang` prints. This
//! file only shows them.

use fanout_shared::{lang::Say, sim::Caption};
use leptos::prelude::*;

use super::QueueLab;
use crate::i18n::Lang;

/// The sentence for a caption in a language.
pub fn sentence(lang: Lang, c: &Caption) -> String {
    c.say(lang)
}

/// The caption of the last event, kept to one line, announced politely to
/// screen readers when paused (not sixty times a second while playing).
#[component]
pub fn WhatJustHappened(lab: QueueLab) -> impl IntoView {
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
                aria-live=move || if lab.player.playing.get() { "off" } else { "polite" }
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

fn texts_nothing(lab: QueueLab) -> String {
    lab.texts().nothing_yet.to_string()
}
