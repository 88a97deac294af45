//! Play, pause, step, step back, speed, seed, reset and the timeline
//! scrubber, as labelled buttons; and the keys: Space plays or pauses,
//! → steps one event, ← steps one back.

use fanout_shared::lang::Say;
use leptos::{ev, prelude::*};
use wasm_bindgen::JsCast;

use super::{
    QueueLab,
    problem::{Number, Problem},
    url_state::SPEEDS,
};

/// Registers the keys for as long as the lab is shown. Keys typed into a
/// form field, or Space on a focused button, keep their usual meaning.
pub fn keyboard(lab: QueueLab) {
    let handle = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
            return;
        }
        let target = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let tag = target
            .as_ref()
            .map(|t| t.tag_name().to_ascii_lowercase())
            .unwrap_or_default();
        if matches!(tag.as_str(), "input" | "select" | "textarea")
            || target
                .as_ref()
                .is_some_and(|t| t.has_attribute("contenteditable"))
        {
            return;
        }
        match e.key().as_str() {
            " " | "Spacebar" => {
                if matches!(tag.as_str(), "button" | "summary" | "a") {
                    return;
                }
                e.prevent_default();
                lab.toggle();
            }
            "ArrowRight" => {
                e.prevent_default();
                lab.step();
            }
            "ArrowLeft" => {
                e.prevent_default();
                lab.back();
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

#[component]
pub fn ControlBar(lab: QueueLab, full: bool) -> impl IntoView {
    let t = move || lab.texts();
    let snap = lab.snap;
    let at_start = move || snap.with(|s| s.steps <= s.bounds.from);
    let at_end = move || snap.with(|s| s.ended);
    let seed_text = RwSignal::new(snap.with_untracked(|s| s.seed.to_string()));
    Effect::new(move |_| {
        let seed = snap.with(|s| s.seed);
        seed_text.set(seed.to_string());
    });
    let seed_error = RwSignal::new(None::<Problem>);
    let restart = move || {
        let text = seed_text.get_untracked();
        match text.trim().parse::<u64>() {
            Ok(seed) => {
                seed_error.set(None);
                lab.reset(seed);
            }
            Err(_) => seed_error.set(Some(Problem::NotWholeNumber {
                what: Number::Seed,
                text,
            })),
        }
    };

    view! {
        <div class="queue-controls" role="toolbar" aria-label=move || t().controls_label>
            <div class="buttons">
                <button
                    type="button"
                    class="primary play"
                    aria-pressed=move || lab.player.playing.get().to_string()
                    disabled=move || at_end() && !lab.player.playing.get()
                    on:click=move |_| lab.toggle()
                >
                    <span aria-hidden="true">{move || if lab.player.playing.get() { "❚❚ " } else { "▶ " }}</span>
                    {move || if lab.player.playing.get() { t().pause } else { t().play }}
                </button>
                <button type="button" class="back" disabled=at_start on:click=move |_| lab.back()>
                    <span aria-hidden="true">"← "</span>
                    {move || t().step_back}
                </button>
                <button type="button" class="step" disabled=at_end on:click=move |_| lab.step()>
                    {move || t().step}
                    <span aria-hidden="true">" →"</span>
                </button>
                <label class="speed">
                    <span>{move || t().speed}</span>
                    <select on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            lab.player.speed.set(v);
                        }
                    }>
                        {SPEEDS
                            .iter()
                            .map(|&v| {
                                view! {
                                    <option value=v.to_string() selected=move || lab.player.speed.get() == v>
                                        {format!("{v}×")}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <Show when=move || full>
                    <form
                        class="seed"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            restart();
                        }
                    >
                        <label>
                            <span>{move || t().seed}</span>
                            <input
                                type="number"
                                min="0"
                                inputmode="numeric"
                                prop:value=move || seed_text.get()
                                on:input=move |ev| seed_text.set(event_target_value(&ev))
                            />
                        </label>
                        <button type="submit" class="reset">{move || t().reset}</button>
                    </form>
                </Show>
            </div>
            {move || seed_error.get().map(|e| view! { <p class="form-error" role="alert">{move || e.say(lab.lang.get())}</p> })}
            <Show when=move || full>
                <label class="scrubber">
                    <span class="visually-hidden">{move || t().scrubber}</span>
                    <input
                        type="range"
                        min=move || snap.with(|s| s.bounds.from.to_string())
                        max=move || snap.with(|s| s.horizon.max(s.bounds.from).to_string())
                        prop:value=move || snap.with(|s| s.steps.to_string())
                        aria-valuetext=move || snap.with(|s| (t().event_of)(s.steps, s.horizon))
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                                lab.seek(v);
                            }
                        }
                    />
                </label>
            </Show>
            <p class="status" aria-live="off">
                <span class="clock">
                    {move || snap.with(|s| (t().status)(s.steps, s.horizon, &clock(s.now)))}
                </span>
                {move || lab.player.behind.get().then(|| view! { <span class="behind">{t().behind}</span> })}
                {move || snap.with(|s| s.ended).then(|| view! { <span class="ended">{t().ended}</span> })}
                <span class="keys">{move || t().keys_hint}</span>
            </p>
        </div>
    }
}

/// Virtual time for people: `12.345 ms`, `3.20 s`.
pub fn clock(t: fanout_shared::time::Tick) -> String {
    let us = t.0;
    if us < 1_000_000 {
        format!("{:.3} ms", us as f64 / 1000.0)
    } else {
        format!("{:.3} s", us as f64 / 1_000_000.0)
    }
}
