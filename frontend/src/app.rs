//! The app shell: header (name, the labs, the server link badge, the
//! language switcher) around one lab. Each lab lives in its own module
//! under `labs/` and is its own wasm (`src/bin/`); `/embed/<lab>` shows the
//! same lab as a widget, without the header (see `embed.rs`).
//!
//! A page holds one lab, so there is no client-side router: the path is
//! read once ([`Page::of`]) and the links between labs are page loads.

use leptos::prelude::*;

use fanout_shared::lab::Lab;

use crate::{
    connection::{self, LinkState},
    embed,
    i18n::{self, Lang, query_param},
    text::Texts,
};

/// The lab a page's wasm shows.
#[derive(Clone, Copy)]
pub struct LabPage {
    /// Which lab.
    pub lab: Lab,
    /// Builds the lab's view.
    pub view: fn() -> AnyView,
    /// Reads the server's frames this lab uses (the session's and its
    /// own): `ServerFrame::read_in::<{ area::… }>`. Chosen by the page's
    /// `main`, so the other labs' frame decoders are not in its wasm.
    pub read_frame: connection::FrameReader,
}

/// The lab that `/` opens.
const HOME: Lab = Lab::Queues;

/// A lab's name in the learner's language (the header's links, in
/// [`Lab::ALL`]'s order).
fn lab_name(lab: Lab, texts: &Texts) -> &'static str {
    match lab {
        Lab::Queues => texts.queues,
        Lab::Cache => texts.cache,
        Lab::Shards => texts.shards,
        Lab::Tasks => texts.tasks,
        Lab::Reliability => texts.reliability,
    }
}

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
    /// Reads `path` (without a trailing slash) for the page of `lab`.
    fn of(path: &str, lab: Lab) -> Page {
        let (path, slug) = (path.trim_start_matches('/'), lab.slug());
        if path == slug || (path.is_empty() && lab == HOME) {
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
    connection::connect(lab.read_frame);

    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let slug = lab.lab.slug();
    let page = Page::of(&path, lab.lab);
    if page == Page::Lab && path != format!("/{slug}") {
        // `/` opens the home lab under its own address.
        replace_path(&format!("/{slug}"));
    }
    match page {
        Page::Lab => view! {
            <SiteHeader current=Some(lab.lab) />
            <main id="main">{(lab.view)()}</main>
        }
        .into_any(),
        Page::Widget => {
            embed::provide_widget_mode(&location.search().unwrap_or_default(), slug);
            view! { <main id="main" class="widget">{(lab.view)()}</main> }.into_any()
        }
        Page::NotFound => view! {
            <SiteHeader current=None />
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

/// The site's header; `current` is the lab shown, if any.
#[component]
fn SiteHeader(current: Option<Lab>) -> impl IntoView {
    let lang = i18n::use_lang();
    let link = expect_context::<ReadSignal<LinkState>>();
    let texts = move || Texts::of(lang.get());
    view! {
        <header class="site-header">
            <a class="brand" href="/queues">"Fanout"</a>
            <nav aria-label=move || texts().labs_nav>
                {Lab::ALL
                    .into_iter()
                    .map(|lab| {
                        view! {
                            <a
                                href=format!("/{}", lab.slug())
                                aria-current=(Some(lab) == current).then_some("page")
                            >
                                {move || lab_name(lab, texts())}
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
    let texts = move || Texts::of(lang.get());
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
        <div class="lang-switch" role="group" aria-label=move || Texts::of(lang.get()).language>
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
    let texts = move || Texts::of(lang.get());
    view! {
        <section class="lab">
            <h1>{move || texts().not_found_title}</h1>
            <p>
                {move || texts().not_found_body} " "
                {Lab::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(index, lab)| {
                        view! {
                            {(index > 0).then_some(" · ")}
                            <a href=format!("/{}", lab.slug())>{move || lab_name(lab, texts())}</a>
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

    use super::{Lab, Page};

    #[wasm_bindgen_test]
    fn each_lab_page_answers_its_own_paths_only() {
        assert_eq!(Page::of("/queues", Lab::Queues), Page::Lab);
        assert_eq!(Page::of("/", Lab::Queues), Page::Lab);
        assert_eq!(Page::of("/", Lab::Cache), Page::NotFound);
        assert_eq!(Page::of("/cache", Lab::Cache), Page::Lab);
        assert_eq!(Page::of("/embed/shards", Lab::Shards), Page::Widget);
        assert_eq!(Page::of("/embed/shards", Lab::Queues), Page::NotFound);
        assert_eq!(Page::of("/shards", Lab::Queues), Page::NotFound);
        assert_eq!(Page::of("/queues/extra", Lab::Queues), Page::NotFound);
        assert_eq!(Page::of("/nowhere", Lab::Queues), Page::NotFound);
    }
}
