//! The keys: the shipped English word list, fetched from the server that
//! served the page, or the learner's own words pasted or uploaded. Words are
//! split on whitespace and, as in the chapter, lower-cased (optional here).

use fanout_shared::shard::KeySet;
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, Response};

use super::{
    Phase, ShardLab,
    model::Shared,
    text::{Keys, Texts},
};
use crate::i18n::use_lang;

/// Where Trunk puts `static/words.txt`.
const WORDS_URL: &str = "/words.txt";

/// Where the keys come from; put into words in the learner's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The shipped word list is on its way.
    Loading,
    /// The shipped word list could not be fetched.
    Failed(FetchError),
    Builtin,
    Pasted,
    /// An uploaded file, by name.
    File(String),
}

/// Why the word list did not arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    Network,
    NotHttp,
    Status(u16),
    Unreadable,
}

/// Why the learner's own words were not used.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WordsError {
    NothingTyped,
    NoWords(String),
    NotText(String),
}

impl FetchError {
    fn describe(&self, texts: &Keys) -> String {
        match self {
            FetchError::Network => texts.network.to_owned(),
            FetchError::NotHttp => texts.not_http.to_owned(),
            FetchError::Status(status) => format!("HTTP {status}"),
            FetchError::Unreadable => texts.unreadable.to_owned(),
        }
    }
}

impl Source {
    /// The source as a phrase: "your pasted words".
    fn describe(&self, texts: &Keys) -> String {
        match self {
            Source::Loading | Source::Failed(_) | Source::Builtin => texts.builtin.to_owned(),
            Source::Pasted => texts.pasted.to_owned(),
            Source::File(name) => (texts.file)(name),
        }
    }
}

impl WordsError {
    fn describe(&self, texts: &Keys) -> String {
        match self {
            WordsError::NothingTyped => texts.nothing_typed.to_owned(),
            WordsError::NoWords(name) => (texts.no_words)(name),
            WordsError::NotText(name) => (texts.not_text)(name),
        }
    }
}

/// Starts fetching the shipped word list into `lab.keys`.
pub fn load_builtin(lab: ShardLab) {
    lab.source.set(Source::Loading);
    spawn_local(async move {
        match fetch_text(WORDS_URL).await {
            Ok(text) => use_text(lab, &text, true, Source::Builtin),
            Err(error) => {
                lab.source.try_set(Source::Failed(error));
            }
        }
    });
}

fn use_text(lab: ShardLab, text: &str, lowercase: bool, source: Source) {
    if lab.source.is_disposed() {
        return; // the learner left the lab while the words were loading
    }
    let keys = KeySet::parse(text, lowercase);
    lab.source.set(source);
    lab.phase.set(Phase::Before);
    lab.keys.set(Some(Shared::new(keys)));
}

async fn fetch_text(url: &str) -> Result<String, FetchError> {
    let response = JsFuture::from(window().fetch_with_str(url))
        .await
        .map_err(|_| FetchError::Network)?;
    let response: Response = response.dyn_into().map_err(|_| FetchError::NotHttp)?;
    if !response.ok() {
        return Err(FetchError::Status(response.status()));
    }
    let text = response.text().map_err(|_| FetchError::Unreadable)?;
    JsFuture::from(text)
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or(FetchError::Unreadable)
}

#[component]
pub fn KeysPanel(lab: ShardLab) -> impl IntoView {
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).keys;
    let pasted = RwSignal::new(String::new());
    let lowercase = RwSignal::new(true);
    let words_error = RwSignal::new(None::<WordsError>);

    let use_pasted = move |_| {
        let text = pasted.get_untracked();
        if text.split_whitespace().next().is_none() {
            words_error.set(Some(WordsError::NothingTyped));
            return;
        }
        words_error.set(None);
        use_text(lab, &text, lowercase.get_untracked(), Source::Pasted);
    };

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|target| target.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        let name = file.name();
        spawn_local(async move {
            match JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string())
            {
                Some(text) if text.split_whitespace().next().is_some() => {
                    words_error.try_set(None);
                    use_text(lab, &text, lowercase.get_untracked(), Source::File(name));
                }
                Some(_) => {
                    words_error.try_set(Some(WordsError::NoWords(name)));
                }
                None => {
                    words_error.try_set(Some(WordsError::NotText(name)));
                }
            }
        });
    };

    // Distinct keys and words read, for the test hooks.
    let counts = move || {
        lab.keys
            .with(|keys| keys.as_ref().map(|keys| (keys.len(), keys.words_read())))
    };
    let summary = move || {
        let texts = t();
        lab.source.with(|source| match source {
            Source::Loading => (texts.loading)(texts.builtin),
            Source::Failed(error) => (texts.load_failed)(&error.describe(texts)),
            _ => match counts() {
                Some((keys, words_read)) => (texts.summary)(
                    keys as u64,
                    (words_read != keys).then_some(words_read as u64),
                    &source.describe(texts),
                ),
                None => String::new(),
            },
        })
    };

    view! {
        <section class="panel" aria-labelledby="keys-title">
            <h2 id="keys-title">{move || t().title}</h2>
            <p
                class="keys-summary"
                role="status"
                data-keys=move || counts().map(|c| c.0.to_string())
                data-words=move || counts().map(|c| c.1.to_string())
            >
                {summary}
            </p>
            <details class="own-words">
                <summary>{move || t().own_words}</summary>
                <label for="shard-paste">{move || t().paste_label}</label>
                <textarea
                    id="shard-paste"
                    rows="4"
                    spellcheck="false"
                    prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))
                ></textarea>
                <div class="own-words-actions">
                    <button type="button" on:click=use_pasted>{move || t().place_these}</button>
                    <label class="file">
                        {move || t().upload}
                        <input type="file" accept=".txt,text/plain" on:change=on_file />
                    </label>
                </div>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || lowercase.get()
                        on:change=move |ev| lowercase.set(event_target_checked(&ev))
                    />
                    {move || t().lowercase}
                </label>
                <p>
                    <button type="button" class="link-button" on:click=move |_| load_builtin(lab)>
                        {move || t().back}
                    </button>
                </p>
                {move || {
                    words_error
                        .get()
                        .map(|error| {
                            view! { <p class="form-error" role="alert">{error.describe(t())}</p> }
                        })
                }}
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{FetchError, Source, Texts};
    use crate::i18n::Lang;

    #[wasm_bindgen_test]
    fn both_languages_say_where_the_keys_come_from() {
        for lang in Lang::ALL {
            let texts = &Texts::of(lang).keys;
            let file = Source::File("words.txt".into()).describe(texts);
            assert!(file.contains("words.txt"));
            let summary = (texts.summary)(73_697, Some(102_401), &file);
            assert!(summary.contains("73,697") && summary.contains("102,401"));
            assert!(!(texts.summary)(5, None, &file).contains("102,401"));
            assert!(
                (texts.load_failed)(&FetchError::Status(404).describe(texts)).contains("HTTP 404")
            );
        }
    }
}
