//! The inspector's two kinds of control: a one-field form whose submit
//! turns the text into an engine `Action`, and a button that applies one.
//! Either shows the engine's refusal (or the text's mistake) beside it, in
//! the learner's language. A live room is the server's to change: the
//! local engine's edits would not reach it, so they are hidden while live.

use fanout_shared::{lang::Say, sim::Action};
use leptos::prelude::*;

use crate::labs::queues::{QueueLab, problem::Problem};

/// A one-field form whose submit turns the text into an action.
#[component]
pub fn ActionField(
    lab: QueueLab,
    label: Signal<&'static str>,
    button: Signal<&'static str>,
    initial: String,
    #[prop(optional)] class: &'static str,
    make: impl Fn(String) -> Result<Action, Problem> + Send + Sync + 'static,
) -> impl IntoView {
    let value = RwSignal::new(initial);
    let error = RwSignal::new(None::<Problem>);
    let ok = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let result = make(value.get_untracked()).and_then(|a| lab.apply(a));
        ok.set(result.is_ok());
        error.set(result.err());
    };
    view! {
        <form class=format!("action-field {class}") on:submit=submit hidden=move || lab.is_live()>
            <label>
                <span>{label}</span>
                <input type="text" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
            <button type="submit">{button}</button>
            {move || ok.get().then(|| view! { <span class="done" aria-live="polite">{lab.texts().applied}</span> })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{move || e.say(lab.lang.get())}</p> })}
        </form>
    }
}

/// A button that applies one action, with its refusal beside it.
#[component]
pub fn ActionButton(
    lab: QueueLab,
    text: Signal<String>,
    action: Action,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let error = RwSignal::new(None::<Problem>);
    view! {
        <span class="action-button" hidden=move || lab.is_live()>
            <button
                type="button"
                class=class
                on:click=move |_| error.set(lab.apply(action.clone()).err())
            >
                {text}
            </button>
            {move || error.get().map(|e| view! { <span class="form-error" role="alert">{move || e.say(lab.lang.get())}</span> })}
        </span>
    }
}
