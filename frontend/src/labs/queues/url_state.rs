//! The lab's whole state in its address: `/queues?scenario=pi&seed=7&step=200`
//! opens that run at that event, and a copied link reproduces exactly what
//! the learner was looking at in a fresh page.
//!
//! | parameter | meaning |
//! |---|---|
//! | `scenario` | a preset name, or a whole scenario as JSON (URL-encoded) |
//! | `seed` | the run's seed (default 1) |
//! | `step` | the event the run stands before (default 0) |
//! | `t` | the clock in µs, when playing left it past the last event |
//! | `edits` | the edits made while running: JSON `[{step, time, action}]` |
//! | `speed`, `autoplay`, `controls`, `from`, `to`, `theme` | how the lab is shown (docs/embedding.md) |
//!
//! Parameters this file does not know (`lang`, `server`) are kept as they
//! are when the address is rewritten.

use fanout_shared::{
    lab::Lab,
    sim::{
        Recording, Scenario, ScenarioError,
        presets::Preset,
        timeline::{Recorded, ScenarioRef},
    },
    time::Tick,
};

use super::problem::{Number, Problem};

/// How much of the control panel shows (an embedding page chooses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Controls {
    /// None: the host page drives the lab.
    None,
    /// Play/pause and step only.
    Min,
    #[default]
    Full,
}

/// Everything the lab can be opened with. The full app reads it from the
/// address; a widget gets the same parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct LabParams {
    /// The page showing the lab: the queue lab's or the reliability lab's
    /// (the same canvas with the reliability lessons).
    pub page: Lab,
    pub scenario: ScenarioRef,
    pub seed: u64,
    pub step: u64,
    pub time: Option<Tick>,
    /// `Recording::settled`: every task due at that time had run.
    pub settled: bool,
    pub edits: Vec<Recorded>,
    /// Virtual time per real time, 0.1–1000.
    pub speed: f64,
    pub autoplay: bool,
    pub controls: Controls,
    pub from: Option<u64>,
    pub to: Option<u64>,
    /// `light` or `dark`, when the page asks for one.
    pub theme: Option<String>,
    /// Parameters that could not be read (the lab opens with defaults and
    /// says so).
    pub problems: Vec<Problem>,
}

impl Default for LabParams {
    fn default() -> Self {
        LabParams {
            page: Lab::Queues,
            scenario: ScenarioRef::Preset(default_preset(Lab::Queues).into()),
            seed: 1,
            step: 0,
            time: None,
            settled: false,
            edits: Vec::new(),
            speed: 1.0,
            autoplay: false,
            controls: Controls::Full,
            from: None,
            to: None,
            theme: None,
            problems: Vec::new(),
        }
    }
}

pub const SPEEDS: [f64; 11] = [
    0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 100.0, 250.0, 1000.0,
];

/// The query's `name=value` pairs, percent-decoded, in order.
pub fn pairs(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let text = text.replace('+', " ");
    js_sys::decode_uri_component(&text)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or(text)
}

pub fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// The preset a page opens with: the first of its menu.
pub fn default_preset(page: Lab) -> &'static str {
    Preset::of_lab(page).next().map_or("pi", Preset::name)
}

impl LabParams {
    /// The queue lab's parameters.
    #[cfg(test)]
    pub fn from_query(search: &str) -> LabParams {
        LabParams::for_page(Lab::Queues, search)
    }

    /// The parameters of `page` (the queue or reliability lab).
    pub fn for_page(page: Lab, search: &str) -> LabParams {
        let mut p = LabParams {
            page,
            scenario: ScenarioRef::Preset(default_preset(page).into()),
            ..LabParams::default()
        };
        for (key, value) in pairs(search) {
            match key.as_str() {
                "scenario" => match parse_scenario(&value) {
                    Ok(s) => p.scenario = s,
                    Err(e) => p.problems.push(e.into()),
                },
                "seed" => match value.parse() {
                    Ok(seed) => p.seed = seed,
                    Err(_) => p.problems.push(Problem::NotWholeNumber {
                        what: Number::Seed,
                        text: value,
                    }),
                },
                "step" => match value.parse() {
                    Ok(step) => p.step = step,
                    Err(_) => p.problems.push(Problem::NotWholeNumber {
                        what: Number::Step,
                        text: value,
                    }),
                },
                "t" => p.time = value.parse().ok().map(Tick),
                "settled" => p.settled = value == "1",
                "edits" => match fanout_shared::json::decode_str::<Vec<Recorded>>(&value) {
                    Ok(edits) => p.edits = edits,
                    Err(e) => p.problems.push(Problem::Edits(e)),
                },
                "speed" => {
                    if let Some(speed) = value.parse::<f64>().ok().filter(|s| s.is_finite()) {
                        p.speed = speed.clamp(0.1, 1000.0);
                    }
                }
                "autoplay" => p.autoplay = matches!(value.as_str(), "1" | "true" | "yes"),
                "controls" => {
                    p.controls = match value.as_str() {
                        "none" => Controls::None,
                        "min" => Controls::Min,
                        _ => Controls::Full,
                    }
                }
                "from" => p.from = value.parse().ok(),
                "to" => p.to = value.parse().ok(),
                "theme" if value == "light" || value == "dark" => p.theme = Some(value),
                _ => {}
            }
        }
        p
    }

    /// The recording these parameters describe.
    pub fn recording(&self) -> Recording {
        Recording {
            scenario: self.scenario.clone(),
            seed: self.seed,
            actions: self.edits.clone(),
            step: self.step,
            time: self.time.unwrap_or_default(),
            settled: self.settled,
        }
    }
}

/// A preset name, or a scenario's JSON.
pub fn parse_scenario(value: &str) -> Result<ScenarioRef, ScenarioError> {
    let value = value.trim();
    if value.starts_with('{') {
        let scenario = Scenario::from_json(value)?;
        return Ok(ScenarioRef::Inline(Box::new(scenario)));
    }
    Scenario::preset(value).map(|_| ScenarioRef::Preset(value.to_string()))
}

/// The query string for a recording, keeping the other parameters of
/// `current` (language, display options) as they were.
pub fn query_for(current: &str, rec: &Recording, last_event_time: Option<Tick>) -> String {
    // `room` too: a local run's address joins no room (a page that left
    // one must not rejoin it on reload).
    let mine = ["scenario", "seed", "step", "t", "settled", "edits", "room"];
    let mut out: Vec<String> = Vec::new();
    let scenario = match &rec.scenario {
        ScenarioRef::Preset(name) => name.clone(),
        ScenarioRef::Inline(s) => serde_json::to_string(s).unwrap_or_default(),
    };
    out.push(format!("scenario={}", encode(&scenario)));
    out.push(format!("seed={}", rec.seed));
    if rec.step > 0 {
        out.push(format!("step={}", rec.step));
    }
    if last_event_time.is_none_or(|t| rec.time > t) && rec.time > Tick::ZERO {
        out.push(format!("t={}", rec.time.0));
    }
    if rec.settled {
        out.push("settled=1".into());
    }
    if !rec.actions.is_empty() {
        let edits = serde_json::to_string(&rec.actions).unwrap_or_default();
        out.push(format!("edits={}", encode(&edits)));
    }
    for (key, value) in pairs(current) {
        if !mine.contains(&key.as_str()) {
            out.push(format!("{}={}", encode(&key), encode(&value)));
        }
    }
    format!("?{}", out.join("&"))
}

#[cfg(test)]
mod tests {
    use fanout_shared::sim::Action;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn defaults_and_a_plain_link() {
        assert_eq!(LabParams::from_query(""), LabParams::default());
        let p = LabParams::from_query("?scenario=pipeline&seed=7&step=200&lang=zh");
        assert_eq!(p.scenario, ScenarioRef::Preset("pipeline".into()));
        assert_eq!((p.seed, p.step), (7, 200));
        assert!(p.problems.is_empty());
    }

    #[wasm_bindgen_test]
    fn bad_parameters_are_reported_not_fatal() {
        let p = LabParams::from_query("?scenario=nope&seed=x&speed=99999&controls=min");
        assert_eq!(p.scenario, ScenarioRef::Preset("pi".into()));
        assert_eq!(p.problems.len(), 2);
        assert_eq!(p.speed, 1000.0);
        assert_eq!(p.controls, Controls::Min);
    }

    #[wasm_bindgen_test]
    fn a_recording_round_trips_through_the_query() {
        let inline = Scenario::preset("signup").unwrap();
        let rec = Recording {
            scenario: ScenarioRef::Inline(Box::new(inline)),
            seed: 9,
            actions: vec![Recorded {
                step: 12,
                time: Tick(3000),
                settled: true,
                action: Action::Subscribe {
                    node: "a b".into(),
                    socket: "in&out".into(),
                    topic: "weather.".into(),
                },
            }],
            step: 40,
            time: Tick(9000),
            settled: true,
        };
        let query = query_for("?lang=zh&step=3&controls=min", &rec, Some(Tick(8000)));
        assert!(query.contains("lang=zh") && query.contains("controls=min"));
        let back = LabParams::from_query(&query);
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        assert_eq!(back.recording(), rec);
        assert_eq!(back.controls, Controls::Min);
    }
}
