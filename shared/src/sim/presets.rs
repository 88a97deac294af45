//! The built-in scenarios, one JSON file each in `presets/`. They are data,
//! checked by the same validation as a user's scenario, and double as
//! examples of the schema in `docs/scenarios.md`.

/// The built-in scenarios (the reliability lessons follow the chapter's
/// own: faults, a broker with acknowledgements, the Lazy Pirate), so that what is said about each (titles,
/// lessons) is matched exhaustively: a new preset does not compile until
/// every language describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    Pi,
    Pipeline,
    Pubsub,
    Rpc,
    Signup,
    Logs,
    SlowSubscriber,
    SlowJoiner,
    AtMostOnce,
    AtLeastOnce,
    EffectivelyOnce,
    VisibilityTimeout,
    Poison,
    PrefetchStarvation,
    BrokerRestart,
    FlowControl,
    LazyPirate,
}

impl Preset {
    /// In the order a menu shows them.
    pub const ALL: [Preset; 17] = [
        Preset::Pi,
        Preset::Pipeline,
        Preset::Pubsub,
        Preset::Rpc,
        Preset::Signup,
        Preset::Logs,
        Preset::SlowSubscriber,
        Preset::SlowJoiner,
        Preset::AtMostOnce,
        Preset::AtLeastOnce,
        Preset::EffectivelyOnce,
        Preset::VisibilityTimeout,
        Preset::Poison,
        Preset::PrefetchStarvation,
        Preset::BrokerRestart,
        Preset::FlowControl,
        Preset::LazyPirate,
    ];

    /// The name scenarios, links and `fanout sim --scenario` use.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Pi => "pi",
            Preset::Pipeline => "pipeline",
            Preset::Pubsub => "pubsub",
            Preset::Rpc => "rpc",
            Preset::Signup => "signup",
            Preset::Logs => "logs",
            Preset::SlowSubscriber => "slow-subscriber",
            Preset::SlowJoiner => "slow-joiner",
            Preset::AtMostOnce => "at-most-once",
            Preset::AtLeastOnce => "at-least-once",
            Preset::EffectivelyOnce => "effectively-once",
            Preset::VisibilityTimeout => "visibility-timeout",
            Preset::Poison => "poison",
            Preset::PrefetchStarvation => "prefetch-starvation",
            Preset::BrokerRestart => "broker-restart",
            Preset::FlowControl => "flow-control",
            Preset::LazyPirate => "lazy-pirate",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The preset's JSON text.
    pub fn text(self) -> &'static str {
        match self {
            Preset::Pi => include_str!("presets/pi.json"),
            Preset::Pipeline => include_str!("presets/pipeline.json"),
            Preset::Pubsub => include_str!("presets/pubsub.json"),
            Preset::Rpc => include_str!("presets/rpc.json"),
            Preset::Signup => include_str!("presets/signup.json"),
            Preset::Logs => include_str!("presets/logs.json"),
            Preset::SlowSubscriber => include_str!("presets/slow-subscriber.json"),
            Preset::SlowJoiner => include_str!("presets/slow-joiner.json"),
            Preset::AtMostOnce => include_str!("presets/at-most-once.json"),
            Preset::AtLeastOnce => include_str!("presets/at-least-once.json"),
            Preset::EffectivelyOnce => include_str!("presets/effectively-once.json"),
            Preset::VisibilityTimeout => include_str!("presets/visibility-timeout.json"),
            Preset::Poison => include_str!("presets/poison.json"),
            Preset::PrefetchStarvation => include_str!("presets/prefetch-starvation.json"),
            Preset::BrokerRestart => include_str!("presets/broker-restart.json"),
            Preset::FlowControl => include_str!("presets/flow-control.json"),
            Preset::LazyPirate => include_str!("presets/lazy-pirate.json"),
        }
    }
}

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
    "at-most-once",
    "at-least-once",
    "effectively-once",
    "visibility-timeout",
    "poison",
    "prefetch-starvation",
    "broker-restart",
    "flow-control",
    "lazy-pirate",
];

/// The JSON text of a preset.
pub fn text(name: &str) -> Option<&'static str> {
    Preset::from_name(name).map(Preset::text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    #[test]
    fn the_names_list_the_presets_in_menu_order() {
        let names: Vec<&str> = Preset::ALL.into_iter().map(Preset::name).collect();
        assert_eq!(names, NAMES);
    }

    #[test]
    fn every_preset_is_valid() {
        for name in NAMES {
            let s = Scenario::preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.name, *name);
        }
    }
}
