//! The keys: the shipped English word list, fetched from the server that
//! served the page, or the learner's own words pasted or uploaded. Words are
//! split on whitespace and, as in the chapter, lower-cased (optional here).

use fanout_shared::shard::KeySet;
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, Response};

use super::{Lab, Phase, model::Shared, model::thousands};

/// Where Trunk puts `static/words.txt`.
const WORDS_URL: &str = "/words.txt";
const BUILTIN_SOURCE: &str = "the SCOWL English word list (Debian's /usr/share/dict/words, \
                              the file the chapter reads)";

/// Starts fetching the shipped word list into `lab.keys`.
pub fn load_builtin(lab: Lab) {
    lab.source.set(format!("Loading {BUILTIN_SOURCE}…"));
    spawn_local(async move {
        match fetch_text(WORDS_URL).await {
            Ok(text) => use_text(lab, &text, true, BUILTIN_SOURCE.to_owned()),
            Err(error) => lab.source.set(format!(
                "Could not load the word list ({error}). Paste or upload your own words below."
            )),
        }
    });
}

fn use_text(lab: Lab, text: &str, lowercase: bool, source: String) {
    let keys = KeySet::parse(text, lowercase);
    lab.source.set(source);
    lab.phase.set(Phase::Before);
    lab.keys.set(Some(Shared::new(keys)));
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let response = JsFuture::from(window().fetch_with_str(url))
        .await
        .map_err(|_| "the network request failed".to_owned())?;
    let response: Response = response
        .dyn_into()
        .map_err(|_| "not an HTTP response".to_owned())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = response.text().map_err(|_| "unreadable body".to_owned())?;
    JsFuture::from(text)
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| "unreadable body".to_owned())
}

#[component]
pub fn KeysPanel(lab: Lab) -> impl IntoView {
    let pasted = RwSignal::new(String::new());
    let lowercase = RwSignal::new(true);
    let upload_error = RwSignal::new(None::<String>);

    let use_pasted = move |_| {
        let text = pasted.get_untracked();
        if text.split_whitespace().next().is_none() {
            upload_error.set(Some("Type or paste some words first.".into()));
            return;
        }
        upload_error.set(None);
        use_text(
            lab,
            &text,
            lowercase.get_untracked(),
            "your pasted words".into(),
        );
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
                    upload_error.set(None);
                    use_text(
                        lab,
                        &text,
                        lowercase.get_untracked(),
                        format!("your file {name}"),
                    );
                }
                Some(_) => upload_error.set(Some(format!("{name} holds no words."))),
                None => upload_error.set(Some(format!("{name} could not be read as text."))),
            }
        });
    };

    let summary = move || {
        lab.keys.get().map(|keys| {
            let repeats = keys.words_read() - keys.len();
            let detail = if repeats == 0 {
                String::new()
            } else {
                format!(
                    " ({} words read; repeats after lower-casing count once)",
                    thousands(keys.words_read() as u64)
                )
            };
            (
                keys.len(),
                keys.words_read(),
                format!("{} distinct keys{detail}", thousands(keys.len() as u64)),
            )
        })
    };

    view! {
        <section class="panel" aria-labelledby="keys-title">
            <h2 id="keys-title">"1. The keys"</h2>
            <p
                class="keys-summary"
                role="status"
                data-keys=move || summary().map(|s| s.0.to_string())
                data-words=move || summary().map(|s| s.1.to_string())
            >
                {move || match summary() {
                    Some((_, _, text)) => format!("{text} from {}.", lab.source.get()),
                    None => lab.source.get(),
                }}
            </p>
            <details class="own-words">
                <summary>"Use your own words"</summary>
                <label for="shard-paste">"Paste words, separated by spaces or new lines:"</label>
                <textarea
                    id="shard-paste"
                    rows="4"
                    spellcheck="false"
                    prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))
                ></textarea>
                <div class="own-words-actions">
                    <button type="button" on:click=use_pasted>"Place these words"</button>
                    <label class="file">
                        "…or upload a text file: "
                        <input type="file" accept=".txt,text/plain" on:change=on_file />
                    </label>
                </div>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || lowercase.get()
                        on:change=move |ev| lowercase.set(event_target_checked(&ev))
                    />
                    " lower-case every word first, as the chapter does"
                </label>
                <p>
                    <button type="button" class="link-button" on:click=move |_| load_builtin(lab)>
                        "Back to the English word list"
                    </button>
                </p>
                {move || upload_error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            </details>
        </section>
    }
}
