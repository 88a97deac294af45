//! The Embed button each lab shows beside its title: a small panel with the
//! `<iframe>` snippet for what the teacher is looking at, a few options,
//! and a Copy button.
//!
//! One component serves the three labs, so the snippet, its options and
//! their wording are the same everywhere; the markup itself comes from
//! `fanout_shared::embed::iframe_html`, which `/oembed` uses too, so the
//! button and oEmbed can never disagree. Widgets (`/embed/…`) do not show
//! the button: a reader of a course page has nothing to embed.

use fanout_shared::embed::{Lab as EmbedLab, PageUrl, iframe_html};
use leptos::{ev, html, prelude::*, task::spawn_local};

use crate::{
    embed::{Controls, use_embed},
    i18n::{Lang, use_lang},
    text::{Embed, Texts},
};

/// What a teacher chose in the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choices {
    /// Only the queue lab has controls to hide.
    pub controls: Controls,
    /// Only the queue lab plays.
    pub autoplay: bool,
    /// `light` or `dark`; `None` follows the reader's preference.
    pub theme: Option<&'static str>,
}

impl Default for Choices {
    fn default() -> Self {
        Choices {
            controls: Controls::Full,
            autoplay: false,
            theme: None,
        }
    }
}

/// The widget's address and its `<iframe>` snippet, for `link` (the lab's
/// address in the full app, with its state) and the teacher's choices.
/// `None` if `link` is not a lab page (it always is when the app built it).
pub fn snippet(
    lab: EmbedLab,
    link: &str,
    choices: Choices,
    lang: Lang,
) -> Option<(String, String)> {
    let mut page = PageUrl::parse(link).ok()?;
    // Options the lab page may carry in its own address are replaced by
    // the teacher's choices; `full` and "no autoplay" are the defaults, so
    // they are left out to keep the snippet short.
    let queues = matches!(lab, EmbedLab::Queues | EmbedLab::Reliability);
    let controls = match choices.controls {
        Controls::None => Some("none"),
        Controls::Min => Some("min"),
        Controls::Full => None,
    };
    page.set_param("controls", controls.filter(|_| queues));
    page.set_param("autoplay", (queues && choices.autoplay).then_some("1"));
    page.set_param("theme", choices.theme);
    // The widget speaks the language the teacher is reading the lab in,
    // whatever the reader's browser prefers.
    page.set_param("lang", Some(lang.code()));
    let src = page.embed_src();
    let (width, height) = lab.default_size();
    let html = iframe_html(&src, &page.title(), width, height);
    Some((src, html))
}

/// The Embed button and its panel. `link` is the lab's current address in
/// the full app (the queue lab's carries its scenario, seed and step);
/// without it the lab's plain address is used.
#[component]
pub fn EmbedButton(
    lab: EmbedLab,
    #[prop(optional, into)] link: Option<Signal<String>>,
) -> impl IntoView {
    if use_embed().is_some() {
        return ().into_any();
    }
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).embed;
    let link = link.unwrap_or_else(|| {
        let origin = window().location().origin().unwrap_or_default();
        Signal::stored(format!("{origin}/{}", lab.slug()))
    });
    let open = RwSignal::new(false);
    let choices = RwSignal::new(Choices::default());
    // `Some(true)`: on the clipboard; `Some(false)`: selected for the
    // teacher to copy by hand.
    let copied = RwSignal::new(None::<bool>);
    // Computed only while the panel is open: the queue lab's link changes
    // on every frame while it plays.
    let made = Memo::new(move |_| {
        open.get()
            .then(|| snippet(lab, &link.get(), choices.get(), lang.get()))
            .flatten()
    });
    Effect::new(move |_| {
        made.track();
        copied.set(None);
    });
    let opener = NodeRef::<html::Button>::new();
    let area = NodeRef::<html::Textarea>::new();
    let select_snippet = move || {
        if let Some(area) = area.get_untracked() {
            let _ = area.focus();
            area.select();
        }
    };
    let close = move || {
        open.set(false);
        if let Some(button) = opener.get_untracked() {
            let _ = button.focus();
        }
    };
    let copy = move |_| {
        let Some((_, html)) = made.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let done = crate::clipboard::copy_text(&html).await;
            if !done {
                select_snippet();
            }
            let _ = copied.try_set(Some(done));
        });
    };
    let controls_option = move |value: Controls, label: fn(&Embed) -> &'static str| {
        view! {
            <label class="embed-choice">
                <input
                    type="radio"
                    name="embed-controls"
                    value=match value {
                        Controls::Full => "full",
                        Controls::Min => "min",
                        Controls::None => "none",
                    }
                    prop:checked=move || choices.with(|c| c.controls == value)
                    on:change=move |_| choices.update(|c| c.controls = value)
                />
                " "
                {move || label(t())}
            </label>
        }
    };
    let queues = matches!(lab, EmbedLab::Queues | EmbedLab::Reliability);

    view! {
        <div class="embed-tool">
            <button
                type="button"
                class="embed-open"
                data-testid="embed-button"
                node_ref=opener
                aria-expanded=move || open.get().to_string()
                aria-controls="embed-panel"
                on:click=move |_| open.update(|open| *open = !*open)
            >
                <span aria-hidden="true">"</> "</span>
                {move || t().button}
            </button>
            <Show when=move || open.get()>
                <section
                    id="embed-panel"
                    class="embed-panel"
                    aria-labelledby="embed-heading"
                    data-src=move || made.get().map(|(src, _)| src)
                    on:keydown=move |e: ev::KeyboardEvent| {
                        if e.key() == "Escape" {
                            e.prevent_default();
                            close();
                        }
                    }
                >
                    <div class="embed-head">
                        <h2 id="embed-heading">{move || t().heading}</h2>
                        <button
                            type="button"
                            class="embed-close"
                            aria-label=move || t().close
                            on:click=move |_| close()
                        >
                            <span aria-hidden="true">"×"</span>
                        </button>
                    </div>
                    <p class="embed-intro">{move || t().intro}</p>
                    <Show when=move || queues>
                        <fieldset class="embed-controls">
                            <legend>{move || t().controls}</legend>
                            {controls_option(Controls::Full, |t| t.controls_full)}
                            {controls_option(Controls::Min, |t| t.controls_min)}
                            {controls_option(Controls::None, |t| t.controls_none)}
                        </fieldset>
                        <label class="embed-choice embed-autoplay">
                            <input
                                type="checkbox"
                                prop:checked=move || choices.with(|c| c.autoplay)
                                on:change=move |e| {
                                    let on = event_target_checked(&e);
                                    choices.update(|c| c.autoplay = on);
                                }
                            />
                            " "
                            {move || t().autoplay}
                        </label>
                    </Show>
                    <label class="embed-theme">
                        <span class="embed-label">{move || t().theme}</span>
                        <select on:change=move |e| {
                            let theme = match event_target_value(&e).as_str() {
                                "light" => Some("light"),
                                "dark" => Some("dark"),
                                _ => None,
                            };
                            choices.update(|c| c.theme = theme);
                        }>
                            <option value="" selected=move || choices.with(|c| c.theme.is_none())>
                                {move || t().theme_reader}
                            </option>
                            <option value="light" selected=move || choices.with(|c| c.theme == Some("light"))>
                                {move || t().theme_light}
                            </option>
                            <option value="dark" selected=move || choices.with(|c| c.theme == Some("dark"))>
                                {move || t().theme_dark}
                            </option>
                        </select>
                    </label>
                    <p class="embed-language">{move || t().language}</p>
                    <label class="embed-snippet">
                        <span class="embed-label">{move || t().snippet}</span>
                        <textarea
                            readonly
                            rows="5"
                            spellcheck="false"
                            data-testid="embed-snippet"
                            node_ref=area
                            prop:value=move || made.get().map(|(_, html)| html).unwrap_or_default()
                            on:focus=move |_| select_snippet()
                        ></textarea>
                    </label>
                    <div class="embed-actions">
                        <button type="button" class="primary embed-copy" on:click=copy>
                            {move || t().copy}
                        </button>
                        <a
                            class="embed-preview"
                            target="_blank"
                            rel="noopener"
                            href=move || made.get().map(|(src, _)| src)
                        >
                            {move || t().preview}
                        </a>
                        <span class="embed-status" role="status">
                            {move || match copied.get() {
                                Some(true) => t().copied,
                                Some(false) => t().copy_by_hand,
                                None => "",
                            }}
                        </span>
                    </div>
                </section>
            </Show>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use fanout_shared::embed::Lab as EmbedLab;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{Choices, snippet};
    use crate::{embed::Controls, i18n::Lang};

    #[wasm_bindgen_test]
    fn the_queue_snippet_keeps_the_state_and_applies_the_choices() {
        let link = "http://h:8/queues?scenario=pipeline&seed=7&step=40&controls=none&lang=en";
        let choices = Choices {
            controls: Controls::Min,
            autoplay: true,
            theme: Some("dark"),
        };
        let (src, html) = snippet(EmbedLab::Queues, link, choices, Lang::Zh).unwrap();
        assert_eq!(
            src,
            "http://h:8/embed/queues?scenario=pipeline&seed=7&step=40&controls=min&autoplay=1&theme=dark&lang=zh-CN"
        );
        assert!(
            html.contains("title=\"Fanout 消息队列实验: pipeline\""),
            "{html}"
        );
        assert!(html.contains("width=\"760\" height=\"520\""), "{html}");
    }

    #[wasm_bindgen_test]
    fn defaults_are_left_out_and_other_labs_have_no_play_options() {
        let (src, _) = snippet(
            EmbedLab::Queues,
            "http://h/queues?scenario=pi&seed=1&autoplay=1",
            Choices::default(),
            Lang::En,
        )
        .unwrap();
        assert_eq!(src, "http://h/embed/queues?scenario=pi&seed=1&lang=en");
        let choices = Choices {
            controls: Controls::None,
            autoplay: true,
            theme: None,
        };
        let (src, html) = snippet(EmbedLab::Cache, "http://h/cache", choices, Lang::En).unwrap();
        assert_eq!(src, "http://h/embed/cache?lang=en");
        assert!(html.contains("title=\"Fanout cache lab\""), "{html}");
        assert_eq!(
            snippet(EmbedLab::Shards, "/shards", choices, Lang::En),
            None
        );
    }
}
