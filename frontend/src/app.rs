//! The app shell: header (name, the three labs, the server link badge, the
//! language switcher) around one lab. Each lab lives in its own module
//! under `labs/` and is its own wasm (`src/bin/`); `/embed/<lab>` shows the
//! same lab as a widget, without the header (see `embed.rs`).
//!
//! A page holds one lab, so there is no client-side router: the path is
//! read once ([`Page::of`]) and the links between labs are page loads.

use leptos::prelude::*;

use crate::{
    connection::{self, LinkState},
    embed,
    i18n::{self, Lang, ShellTexts, query_param},
};

/// The lab a page's wasm shows.
#[derive(Clone, Copy)]
pub struct LabPage {
    /// The lab's path segment: `queues`, `cache` or `shards`.
    pub slug: &'static str,
    /// Builds the lab's view.
    pub view: fn() -> AnyView,
}

/// The lab that `/` opens.
const HOME: &str = "queues";

/// A lab's name in the learner's language.
type LabName = fn(&ShellTexts) -> &'static str;

/// The three labs, in the header's order, with their names.
const LABS: [(&str, LabName); 3] = [
    ("queues", |texts| texts.queues),
    ("cache", |texts| texts.cache),
    ("shards", |texts| texts.shards),
];

/// Mounts the app for `lab` on `<body>`; the whole of each binary's `main`.
pub fn start(lab: LabPage) {
    // A Rust panic then shows up readably in the console.
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(move || view! { <App lab /> });
}

/// What a path shows on the page of `lab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// The lab with the site's header.
    Lab,
    /// The lab as a widget (`/embed/<lab>`).
    Widget,
    /// Anything else: the shell's "not found" page.
    NotFound,
}

impl Page {
    /// Reads `path` (without a trailing slash) for the page of lab `slug`.
    fn of(path: &str, slug: &str) -> Page {
        let path = path.trim_start_matches('/');
        if path == slug || (path.is_empty() && slug == HOME) {
            Page::Lab
        } else if path.strip_prefix("embed/") == Some(slug) {
            Page::Widget
        } else {
            Page::NotFound
        }
    }
}

#[component]
fn App(lab: LabPage) -> impl IntoView {
    drop_trailing_slash();
    i18n::provide_lang();
    apply_theme_from_url();
    embed::listen_to_host();
    connection::connect();

    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let page = Page::of(&path, lab.slug);
    if page == Page::Lab && path != format!("/{}", lab.slug) {
        // `/` opens the home lab under its own address.
        replace_path(&format!("/{}", lab.slug));
    }
    match page {
        Page::Lab => view! {
            <SiteHeader current=lab.slug />
            <main id="main">{(lab.view)()}</main>
        }
        .into_any(),
        Page::Widget => {
            embed::provide_widget_mode(&location.search().unwrap_or_default(), lab.slug);
            view! { <main id="main" class="widget">{(lab.view)()}</main> }.into_any()
        }
        Page::NotFound => view! {
            <SiteHeader current="" />
            <main id="main"><NotFound /></main>
        }
        .into_any(),
    }
}

/// Replaces the address's path, keeping its query and fragment.
fn replace_path(path: &str) {
    let location = window().location();
    let tidy = format!(
        "{path}{}{}",
        location.search().unwrap_or_default(),
        location.hash().unwrap_or_default()
    );
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&tidy));
    }
}

/// Static hosts serve `/queues` as `/queues/` (a folder's index.html); the
/// routes have no trailing slash, so the address is tidied before routing.
fn drop_trailing_slash() {
    let Ok(path) = window().location().pathname() else {
        return;
    };
    if path.len() > 1 && path.ends_with('/') {
        replace_path(path.trim_end_matches('/'));
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

/// The site's header; `current` is the slug of the lab shown, if any.
#[component]
fn SiteHeader(current: &'static str) -> impl IntoView {
    let lang = i18n::use_lang();
    let link = expect_context::<ReadSignal<LinkState>>();
    let texts = move || ShellTexts::get(lang.get());
    view! {
        <header class="site-header">
            <a class="brand" href="/queues">"Fanout"</a>
            <nav aria-label=move || texts().labs_nav>
                {LABS
                    .into_iter()
                    .map(|(slug, name)| {
                        view! {
                            <a
                                href=format!("/{slug}")
                                aria-current=(slug == current).then_some("page")
                            >
                                {move || name(texts())}
                            </a>
                        }
                    })
                    .collect_view()}
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
                {LABS
                    .into_iter()
                    .enumerate()
                    .map(|(index, (slug, name))| {
                        view! {
                            {(index > 0).then_some(" · ")}
                            <a href=format!("/{slug}")>{move || name(texts())}</a>
                        }
                    })
                    .collect_view()}
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::Page;

    #[wasm_bindgen_test]
    fn each_lab_page_answers_its_own_paths_only() {
        assert_eq!(Page::of("/queues", "queues"), Page::Lab);
        assert_eq!(Page::of("/", "queues"), Page::Lab);
        assert_eq!(Page::of("/", "cache"), Page::NotFound);
        assert_eq!(Page::of("/cache", "cache"), Page::Lab);
        assert_eq!(Page::of("/embed/shards", "shards"), Page::Widget);
        assert_eq!(Page::of("/embed/shards", "queues"), Page::NotFound);
        assert_eq!(Page::of("/shards", "queues"), Page::NotFound);
        assert_eq!(Page::of("/queues/extra", "queues"), Page::NotFound);
        assert_eq!(Page::of("/nowhere", "queues"), Page::NotFound);
    }
}
