//! The app shell: header (name, the three labs, the server link badge, the
//! language switcher) and the routes. Each lab lives in its own module under
//! `labs/`.

use leptos::prelude::*;
use leptos_router::{
    components::{A, Redirect, Route, Router, Routes},
    path,
};

use crate::{
    connection::{self, LinkState},
    i18n::{self, Lang, ShellTexts},
    labs::{cache::CacheLab, queues::QueuesLab, shards::ShardsLab},
};

#[component]
pub fn App() -> impl IntoView {
    let lang = i18n::provide_lang();
    let link = connection::connect();
    let texts = move || ShellTexts::get(lang.get());

    view! {
        <Router>
            <header class="site-header">
                <a class="brand" href="/queues">"Fanout"</a>
                <nav aria-label=move || texts().labs_nav>
                    <A href="/queues">{move || texts().queues}</A>
                    <A href="/cache">{move || texts().cache}</A>
                    <A href="/shards">{move || texts().shards}</A>
                </nav>
                <LanguageSwitcher />
                <LinkBadge state=link />
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Redirect path="/queues" /> } />
                    <Route path=path!("/queues") view=QueuesLab />
                    <Route path=path!("/cache") view=CacheLab />
                    <Route path=path!("/shards") view=ShardsLab />
                </Routes>
            </main>
        </Router>
    }
}

/// Shows whether the Fanout server is reachable, in words (not colour alone).
#[component]
fn LinkBadge(state: ReadSignal<LinkState>) -> impl IntoView {
    let lang = i18n::use_lang();
    let texts = move || ShellTexts::get(lang.get());
    view! {
        <span
            class="link-badge"
            role="status"
            aria-live="polite"
            data-state=move || state.get().key()
            title=move || state.get().explanation(texts())
        >
            <span class="dot" aria-hidden="true"></span>
            {move || state.get().label(texts())}
        </span>
    }
}

/// Two buttons, each naming its language in that language.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let lang = i18n::use_lang();
    view! {
        <div class="lang-switch" role="group" aria-label=move || ShellTexts::get(lang.get()).language>
            {Lang::ALL
                .into_iter()
                .map(|choice| {
                    view! {
                        <button
                            type="button"
                            lang=choice.code()
                            aria-pressed=move || (lang.get() == choice).to_string()
                            on:click=move |_| i18n::choose_lang(choice)
                        >
                            {choice.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let lang = i18n::use_lang();
    let texts = move || ShellTexts::get(lang.get());
    view! {
        <section class="lab">
            <h1>{move || texts().not_found_title}</h1>
            <p>
                {move || texts().not_found_body} " "
                <a href="/queues">{move || texts().queues}</a> " · "
                <a href="/cache">{move || texts().cache}</a> " · "
                <a href="/shards">{move || texts().shards}</a>
            </p>
        </section>
    }
}
