//! Widget mode (`/embed/<lab>`): a lab without the site's chrome, set up by
//! URL parameters and scriptable by the host page through `postMessage`.
//!
//! Labs read [`EmbedOptions`] from context (absent in the full app) and
//! react to [`HostCommand`]s; they report what happens with [`post_event`].
//! The message format is documented in docs/embedding.md.

use leptos::prelude::*;
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, closure::Closure};

use crate::i18n::query_param;

/// How much of a lab's control panel a widget shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Controls {
    /// None: the host page drives the widget.
    None,
    /// Play/pause and step only.
    Min,
    Full,
}

/// A widget's URL parameters (docs/embedding.md, "URL parameters").
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedOptions {
    pub controls: Controls,
    pub autoplay: bool,
    /// Virtual time per real time.
    pub speed: Option<f64>,
    /// Stepping is locked to events `from..=to` when set.
    pub from: Option<u64>,
    pub to: Option<u64>,
}

impl EmbedOptions {
    /// Reads the options from a `?a=1&b=2` query string; unreadable values
    /// fall back to their defaults (a widget should always render).
    pub fn from_query(search: &str) -> EmbedOptions {
        let param = |name| query_param(search, name);
        EmbedOptions {
            controls: match param("controls").as_deref() {
                Some("none") => Controls::None,
                Some("min") => Controls::Min,
                _ => Controls::Full,
            },
            autoplay: matches!(param("autoplay").as_deref(), Some("1" | "true" | "yes")),
            speed: param("speed")
                .and_then(|speed| speed.parse::<f64>().ok())
                .filter(|speed| speed.is_finite())
                .map(|speed| speed.clamp(0.1, 1000.0)),
            from: param("from").and_then(|from| from.parse().ok()),
            to: param("to").and_then(|to| to.parse().ok()),
        }
    }
}

/// The widget options of this page, or `None` in the full app.
pub fn use_embed() -> Option<EmbedOptions> {
    use_context::<EmbedOptions>()
}

/// A command from the host page.
#[derive(Debug, Clone, PartialEq)]
pub enum HostCommand {
    Play,
    Pause,
    Step,
    Seek(u64),
    /// A preset name or scenario JSON, with an optional seed.
    Load {
        scenario: String,
        seed: Option<u64>,
    },
}

impl HostCommand {
    /// Reads `{fanout: 1, command: …}`; anything else is not for us.
    pub fn from_message(data: &Value) -> Option<HostCommand> {
        if data.get("fanout")?.as_u64()? != 1 {
            return None;
        }
        Some(match data.get("command")?.as_str()? {
            "play" => HostCommand::Play,
            "pause" => HostCommand::Pause,
            "step" => HostCommand::Step,
            "seek" => HostCommand::Seek(data.get("step")?.as_u64()?),
            "load" => HostCommand::Load {
                scenario: match data.get("scenario")? {
                    Value::String(name) => name.clone(),
                    other => other.to_string(),
                },
                seed: data.get("seed").and_then(Value::as_u64),
            },
            _ => return None,
        })
    }
}

/// The latest host command with a sequence number, so that two equal
/// commands in a row (step, step) are both seen by a lab's effect.
pub type HostCommands = ReadSignal<Option<(u64, HostCommand)>>;

/// Provides the widget options of an `/embed/…` route and tells the host
/// page the widget is ready.
pub fn provide_widget_mode(search: &str, lab: &str) {
    provide_context(EmbedOptions::from_query(search));
    post_event("ready", json!({ "lab": lab }));
}

/// Listens to `message` events for the page's whole life and provides the
/// commands as context. Called once, at the app root (a widget's host may
/// send commands before the lab is drawn; the latest one is kept).
pub fn listen_to_host() {
    let (commands, set_commands) = signal(None::<(u64, HostCommand)>);
    provide_context(commands);
    let sequence = std::cell::Cell::new(0u64);
    let listener =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Ok(text) = js_sys::JSON::stringify(&event.data()) else {
                return;
            };
            let Some(text) = text.as_string() else { return };
            let Ok(data) = serde_json::from_str::<Value>(&text) else {
                return;
            };
            if let Some(command) = HostCommand::from_message(&data) {
                sequence.set(sequence.get() + 1);
                set_commands.set(Some((sequence.get(), command)));
            }
        });
    let _ = window().add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    // The listener lives as long as the page, like the app itself.
    listener.forget();
}

/// Commands from the host page, when this is a widget (`None` in the full
/// app, which never obeys a framing page).
pub fn use_host_commands() -> Option<HostCommands> {
    use_embed()?;
    use_context::<HostCommands>()
}

/// Tells the host page (if any) that something happened: posts
/// `{fanout: 1, event, ...fields}` to the parent window.
pub fn post_event(event: &str, fields: Value) {
    let window = window();
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if js_sys::Object::is(&parent, &window) {
        return;
    }
    let mut message = json!({"fanout": 1, "event": event});
    if let (Some(message), Value::Object(fields)) = (message.as_object_mut(), fields) {
        message.extend(fields);
    }
    let Ok(value) = js_sys::JSON::parse(&message.to_string()) else {
        return;
    };
    let _ = parent.post_message(&value, "*");
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{Controls, EmbedOptions, HostCommand};

    #[wasm_bindgen_test]
    fn options_default_to_the_full_lab() {
        let options = EmbedOptions::from_query("");
        assert_eq!(options.controls, Controls::Full);
        assert!(!options.autoplay);
        assert_eq!(
            (options.speed, options.from, options.to),
            (None, None, None)
        );
    }

    #[wasm_bindgen_test]
    fn options_are_read_and_bounded() {
        let options =
            EmbedOptions::from_query("?controls=none&autoplay=1&speed=5000&from=10&to=20");
        assert_eq!(options.controls, Controls::None);
        assert!(options.autoplay);
        assert_eq!(options.speed, Some(1000.0));
        assert_eq!((options.from, options.to), (Some(10), Some(20)));
        assert_eq!(EmbedOptions::from_query("?speed=fast").speed, None);
    }

    #[wasm_bindgen_test]
    fn host_commands_are_recognised_and_strangers_ignored() {
        assert_eq!(
            HostCommand::from_message(&json!({"fanout": 1, "command": "seek", "step": 40})),
            Some(HostCommand::Seek(40))
        );
        assert_eq!(
            HostCommand::from_message(
                &json!({"fanout": 1, "command": "load", "scenario": "pipeline"})
            ),
            Some(HostCommand::Load {
                scenario: "pipeline".into(),
                seed: None
            })
        );
        assert_eq!(HostCommand::from_message(&json!({"command": "play"})), None);
        assert_eq!(
            HostCommand::from_message(&json!({"fanout": 1, "command": "dance"})),
            None
        );
        assert_eq!(HostCommand::from_message(&json!("play")), None);
    }
}
