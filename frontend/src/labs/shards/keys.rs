//! The keys: the shipped English word list, fetched from the server that
//! served the page, or the learner's own words pasted or uploaded. Words are
//! split on whitespace and, as in the chapter, lower-cased (optional here).

use fanout_shared::shard::KeySet;
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, Response};

use super::{Lab, Phase, model::Shared, model::thousands};
use crate::i18n::{Lang, use_lang};

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

/// Strings of the keys panel.
#[derive(Debug)]
struct KeysTexts {
    title: &'static str,
    builtin: &'static str,
    loading: fn(&str) -> String,
    load_failed: fn(&str) -> String,
    network: &'static str,
    not_http: &'static str,
    unreadable: &'static str,
    pasted: &'static str,
    file: fn(&str) -> String,
    /// Distinct keys, words read when repeats were merged, and the source.
    summary: fn(u64, Option<u64>, &str) -> String,
    nothing_typed: &'static str,
    no_words: fn(&str) -> String,
    not_text: fn(&str) -> String,
    own_words: &'static str,
    paste_label: &'static str,
    place_these: &'static str,
    upload: &'static str,
    lowercase: &'static str,
    back: &'static str,
}

const EN: KeysTexts = KeysTexts {
    title: "1. The keys",
    builtin: "the SCOWL English word list (Debian's /usr/share/dict/words, the file the \
              chapter reads)",
    loading: |source| format!("Loading {source}…"),
    load_failed: |error| {
        format!("Could not load the word list ({error}). Paste or upload your own words below.")
    },
    network: "the network request failed",
    not_http: "not an HTTP response",
    unreadable: "unreadable body",
    pasted: "your pasted words",
    file: |name| format!("your file {name}"),
    summary: |keys, words_read, source| {
        let detail = match words_read {
            Some(words) => format!(
                " ({} words read; repeats after lower-casing count once)",
                thousands(words)
            ),
            None => String::new(),
        };
        format!("{} distinct keys{detail} from {source}.", thousands(keys))
    },
    nothing_typed: "Type or paste some words first.",
    no_words: |name| format!("{name} holds no words."),
    not_text: |name| format!("{name} could not be read as text."),
    own_words: "Use your own words",
    paste_label: "Paste words, separated by spaces or new lines:",
    place_these: "Place these words",
    upload: "…or upload a text file: ",
    lowercase: " lower-case every word first, as the chapter does",
    back: "Back to the English word list",
};

const ZH: KeysTexts = KeysTexts {
    title: "1. 键",
    builtin: "英语单词表 SCOWL（Debian 的 /usr/share/dict/words，就是本章读取的那个文件）",
    loading: |source| format!("正在加载{source}…"),
    load_failed: |error| format!("无法加载单词表（{error}）。请在下面粘贴或上传你自己的单词。"),
    network: "网络请求失败",
    not_http: "不是 HTTP 响应",
    unreadable: "无法读取响应内容",
    pasted: "你粘贴的单词",
    file: |name| format!("你的文件 {name}"),
    summary: |keys, words_read, source| {
        let detail = match words_read {
            Some(words) => format!(
                "（读入 {} 个单词；转成小写后重复的单词只算一次）",
                thousands(words)
            ),
            None => String::new(),
        };
        format!("{} 个不同的键{detail}，来自{source}。", thousands(keys))
    },
    nothing_typed: "请先输入或粘贴一些单词。",
    no_words: |name| format!("{name} 里没有单词。"),
    not_text: |name| format!("无法把 {name} 当作文本读取。"),
    own_words: "使用你自己的单词",
    paste_label: "粘贴单词，用空格或换行分隔：",
    place_these: "放置这些单词",
    upload: "……或上传一个文本文件：",
    lowercase: " 先把每个单词都转成小写，和本章的做法一样",
    back: "换回英语单词表",
};

fn texts(lang: Lang) -> &'static KeysTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

impl FetchError {
    fn describe(&self, texts: &KeysTexts) -> String {
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
    fn describe(&self, texts: &KeysTexts) -> String {
        match self {
            Source::Loading | Source::Failed(_) | Source::Builtin => texts.builtin.to_owned(),
            Source::Pasted => texts.pasted.to_owned(),
            Source::File(name) => (texts.file)(name),
        }
    }
}

impl WordsError {
    fn describe(&self, texts: &KeysTexts) -> String {
        match self {
            WordsError::NothingTyped => texts.nothing_typed.to_owned(),
            WordsError::NoWords(name) => (texts.no_words)(name),
            WordsError::NotText(name) => (texts.not_text)(name),
        }
    }
}

/// Starts fetching the shipped word list into `lab.keys`.
pub fn load_builtin(lab: Lab) {
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

fn use_text(lab: Lab, text: &str, lowercase: bool, source: Source) {
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
pub fn KeysPanel(lab: Lab) -> impl IntoView {
    let lang = use_lang();
    let t = move || texts(lang.get());
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

    use super::{FetchError, Source, texts};
    use crate::i18n::Lang;

    #[wasm_bindgen_test]
    fn both_languages_say_where_the_keys_come_from() {
        for lang in Lang::ALL {
            let texts = texts(lang);
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
