//! The built-in scenarios, one JSON file each in `presets/`. They are data,
//! checked by the same validation as a user's scenario, and double as
//! examples of the schema in `docs/scenarios.md`.

/// Preset names, in the order a menu shows them.
pub const NAMES: &[&str] = &[
    "pi",
    "pipeline",
    "pubsub",
    "rpc",
    "signup",
    "logs",
    "slow-subscriber",
    "slow-joiner",
];

/// The JSON text of a preset.
pub fn text(name: &str) -> Option<&'static str> {
    Some(match name {
        "pi" => include_str!("presets/pi.json"),
        "pipeline" => include_str!("presets/pipeline.json"),
        "pubsub" => include_str!("presets/pubsub.json"),
        "rpc" => include_str!("presets/rpc.json"),
        "signup" => include_str!("presets/signup.json"),
        "logs" => include_str!("presets/logs.json"),
        "slow-subscriber" => include_str!("presets/slow-subscriber.json"),
        "slow-joiner" => include_str!("presets/slow-joiner.json"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    #[test]
    fn every_preset_is_valid() {
        for name in NAMES {
            let s = Scenario::preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.name, *name);
        }
    }
}
