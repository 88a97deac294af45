//! The app shell: header (name, the three labs, the server link badge, the
//! language switcher) and the routes. Each lab lives in its own module under
//! `labs/`; `/embed/<lab>` shows the same lab as a widget, without the
//! header (see `embed.rs`).

use leptos::prelude::*;
use leptos_router::{
    components::{A, Redirect, Route, Router, Routes},
    hooks::use_location,
    path,
};

use crate::{
    connection::{self, LinkState},
    embed,
    i18n::{self, Lang, ShellTexts, query_param},
    labs::{cache::CacheLab, queues::QueuesLab, shards::ShardsLab},
};

#[component]
pub fn App() -> impl IntoView {
    drop_trailing_slash();
    i18n::provide_lang();
    apply_theme_from_url();
    embed::listen_to_host();
    connection::connect();

    view! {
        <Router>
            <Shell />
        </Router>
    }
}

/// The header (hidden in widgets) and the routed page.
#[component]
fn Shell() -> impl IntoView {
    let location = use_location();
    let is_widget = move || location.pathname.get().starts_with("/embed/");
    view! {
        <Show when=move || !is_widget()>
            <SiteHeader />
        </Show>
        <main id="main" class:widget=is_widget>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/queues" /> } />
                <Route path=path!("/queues") view=QueuesLab />
                <Route path=path!("/cache") view=CacheLab />
                <Route path=path!("/shards") view=ShardsLab />
                <Route path=path!("/embed/queues") view=|| widget("queues", QueuesLab) />
                <Route path=path!("/embed/cache") view=|| widget("cache", CacheLab) />
                <Route path=path!("/embed/shards") view=|| widget("shards", ShardsLab) />
            </Routes>
        </main>
    }
}

/// A lab as a widget: its options come from the URL.
fn widget<V: IntoView>(lab: &str, view: impl FnOnce() -> V) -> V {
    let search = window().location().search().unwrap_or_default();
    embed::provide_widget_mode(&search, lab);
    view()
}

/// Static hosts serve `/queues` as `/queues/` (a folder's index.html); the
/// routes have no trailing slash, so the address is tidied before routing.
fn drop_trailing_slash() {
    let location = window().location();
    let Ok(path) = location.pathname() else {
        return;
    };
    if path.len() <= 1 || !path.ends_with('/') {
        return;
    }
    let tidy = format!(
        "{}{}{}",
        path.trim_end_matches('/'),
        location.search().unwrap_or_default(),
        location.hash().unwrap_or_default()
    );
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&tidy));
    }
}

/// `?theme=light|dark` overrides the reader's colour-scheme preference.
fn apply_theme_from_url() {
    let search = window().location().search().unwrap_or_default();
    let theme = query_param(&search, "theme").filter(|theme| theme == "light" || theme == "dark");
    if let (Some(theme), Some(root)) = (theme, document().document_element()) {
        let _ = root.set_attribute("data-theme", &theme);
    }
}

#[component]
fn SiteHeader() -> impl IntoView {
    let lang = i18n::use_lang();
    let link = expect_context::<ReadSignal<LinkState>>();
    let texts = move || ShellTexts::get(lang.get());
    view! {
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
