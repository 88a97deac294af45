//! Scenarios and sharing: a picker with every preset and a sentence tying
//! it to the chapter's lesson; a link that reproduces exactly this state;
//! export of the scenario (or, with edits, the whole recording) as JSON,
//! and import of either.

use fanout_shared::{
    lang::Say,
    sim::{Recording, Scenario, presets::Preset, timeline::ScenarioRef},
};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

use super::{QueueLab, problem::Problem, url_state::encode};

/// What to export: the scenario alone when nothing was edited (it runs
/// with `fanout sim --scenario file.json`), else the recording with the
/// scenario inline.
pub fn export_json(lab: QueueLab) -> (String, String) {
    lab.with_local(|r| {
        let name = r.resolved().name.clone();
        if r.actions().is_empty() {
            (format!("{name}.json"), r.resolved().to_json())
        } else {
            let mut rec = r.recording();
            rec.scenario = ScenarioRef::Inline(Box::new(r.resolved().clone()));
            (
                format!("{name}-recording.json"),
                fanout_shared::json::to_pretty(&rec),
            )
        }
    })
    .unwrap_or_default()
}

/// Opens pasted or loaded JSON: a recording (`scenario`, `seed`, …) or a
/// scenario (`name`, `nodes`, …).
pub fn import_json(lab: QueueLab, text: &str) -> Result<(), Problem> {
    let value = fanout_shared::json::parse(text)?;
    if value.get("seed").is_some() && value.get("scenario").is_some() {
        let rec: Recording = fanout_shared::json::decode(value)?;
        lab.open(&rec)
    } else {
        let scenario = Scenario::from_json(text)?;
        let seed = lab.snap.with_untracked(|s| s.seed);
        lab.open(&Recording {
            scenario: ScenarioRef::Inline(Box::new(scenario)),
            seed,
            actions: Vec::new(),
            step: 0,
            time: Default::default(),
            settled: false,
        })
    }
}

#[component]
pub fn ScenarioBar(lab: QueueLab) -> impl IntoView {
    let t = move || lab.texts();
    // Memos: the snapshot changes every frame while playing, and the
    // picker's options would be rewritten with it.
    let current = Memo::new(move |_| {
        lab.snap.with(|s| match &s.scenario {
            ScenarioRef::Preset(name) => name.clone(),
            ScenarioRef::Inline(_) => String::new(),
        })
    });
    let custom_name = Memo::new(move |_| lab.snap.with(|s| s.scenario_name.clone()));
    let explanation = move || match Preset::from_name(&current.get()) {
        Some(preset) => (t().preset_explanation)(preset).to_string(),
        None => (t().custom_scenario)(&custom_name.get()),
    };
    let link_text = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let copy_link = move |_| {
        let link = lab.link();
        link_text.set(Some(link.clone()));
        copied.set(false);
        // Without a clipboard (plain http on a classroom address) the link
        // stays in the box below, with "copy it by hand".
        spawn_local(async move {
            if crate::clipboard::copy_text(&link).await {
                copied.set(true);
            }
        });
    };
    let import_text = RwSignal::new(String::new());
    let import_error = RwSignal::new(None::<Problem>);
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        import_error.set(import_json(lab, &import_text.get_untracked()).err());
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let promise = file.text();
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(text) => {
                    let text = text.as_string().unwrap_or_default();
                    import_text.set(text.clone());
                    import_error.set(import_json(lab, &text).err());
                }
                Err(_) => import_error.set(Some(Problem::UnreadableFile)),
            }
        });
    };
    let export = Memo::new(move |_| {
        lab.snap
            .with(|s| (s.scenario_name.clone(), s.edits, s.seed));
        export_json(lab)
    });

    view! {
        <section class="scenario-bar" aria-label=move || t().scenario_label>
            <div class="scenario-pick">
                <label>
                    <span>{move || t().scenario}</span>
                    <select
                        class="scenario-select"
                        on:change=move |ev| {
                            let name = event_target_value(&ev);
                            if !name.is_empty() {
                                let seed = lab.snap.with_untracked(|s| s.seed);
                                lab.load(ScenarioRef::Preset(name), seed);
                            }
                        }
                    >
                        {move || {
                            current
                                .get()
                                .is_empty()
                                .then(|| {
                                    view! {
                                        <option value="" selected=true>
                                            {move || (t().custom_name)(&custom_name.get())}
                                        </option>
                                    }
                                })
                        }}
                        {Preset::of_lab(lab.page)
                            .map(|preset| {
                                let name = preset.name();
                                view! {
                                    <option value=name selected=move || current.with(|c| c == name)>
                                        {move || (t().preset_title)(preset)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <p class="scenario-explain" data-scenario=current>{explanation}</p>
            </div>
            <div class="share">
                <button type="button" class="copy-link" on:click=copy_link>
                    {move || t().copy_link}
                </button>
                {move || {
                    link_text
                        .get()
                        .map(|link| {
                            view! {
                                <label class="link-out">
                                    <span class="visually-hidden">{t().link_label}</span>
                                    <input type="text" readonly prop:value=link.clone() on:focus=move |ev| {
                                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                            input.select();
                                        }
                                    } />
                                </label>
                                <span class="copied" role="status">
                                    {move || if copied.get() { t().copied } else { t().copy_by_hand }}
                                </span>
                            }
                        })
                }}
                <details class="export">
                    <summary>{move || t().export}</summary>
                    <p class="hint small">{move || t().export_hint}</p>
                    <textarea readonly rows="8" class="export-json" prop:value=move || export.get().1></textarea>
                    <a
                        class="download"
                        download=move || export.get().0
                        href=move || format!("data:application/json;charset=utf-8,{}", encode(&export.get().1))
                    >
                        {move || t().download}
                    </a>
                </details>
                <details class="import">
                    <summary>{move || t().import}</summary>
                    <form on:submit=import>
                        <label>
                            <span>{move || t().import_paste}</span>
                            <textarea
                                rows="6"
                                class="import-json"
                                prop:value=move || import_text.get()
                                on:input=move |ev| import_text.set(event_target_value(&ev))
                            ></textarea>
                        </label>
                        <label class="file">
                            <span>{move || t().import_file}</span>
                            <input type="file" accept=".json,application/json" on:change=on_file />
                        </label>
                        <button type="submit">{move || t().open}</button>
                        {move || import_error.get().map(|e| view! { <p class="form-error" role="alert">{move || e.say(lab.lang.get())}</p> })}
                    </form>
                </details>
            </div>
        </section>
    }
}
