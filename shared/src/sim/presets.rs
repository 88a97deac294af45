//! The built-in scenarios, one JSON file each in `presets/`. They are data,
//! checked by the same validation as a user's scenario, and double as
//! examples of the schema in `docs/scenarios.md`.

use crate::lab::Lab;

/// The built-in scenarios, so that what is said about each (titles,
/// lessons) is matched exhaustively: a new preset does not compile until
/// every language describes it.
///
/// The nine reliability lessons (faults, a broker with acknowledgements,
/// the Lazy Pirate) need the reliability engine: they exist with the
/// `reliability` feature only, and the `/reliability` page shows them.
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
    #[cfg(feature = "reliability")]
    AtMostOnce,
    #[cfg(feature = "reliability")]
    AtLeastOnce,
    #[cfg(feature = "reliability")]
    EffectivelyOnce,
    #[cfg(feature = "reliability")]
    VisibilityTimeout,
    #[cfg(feature = "reliability")]
    Poison,
    #[cfg(feature = "reliability")]
    PrefetchStarvation,
    #[cfg(feature = "reliability")]
    BrokerRestart,
    #[cfg(feature = "reliability")]
    FlowControl,
    #[cfg(feature = "reliability")]
    LazyPirate,
}

impl Preset {
    /// Every preset compiled in, the queue lab's first, each lab's in the
    /// order its menu shows them.
    pub const ALL: &'static [Preset] = &[
        Preset::Pi,
        Preset::Pipeline,
        Preset::Pubsub,
        Preset::Rpc,
        Preset::Signup,
        Preset::Logs,
        Preset::SlowSubscriber,
        Preset::SlowJoiner,
        #[cfg(feature = "reliability")]
        Preset::AtMostOnce,
        #[cfg(feature = "reliability")]
        Preset::AtLeastOnce,
        #[cfg(feature = "reliability")]
        Preset::EffectivelyOnce,
        #[cfg(feature = "reliability")]
        Preset::VisibilityTimeout,
        #[cfg(feature = "reliability")]
        Preset::Poison,
        #[cfg(feature = "reliability")]
        Preset::PrefetchStarvation,
        #[cfg(feature = "reliability")]
        Preset::BrokerRestart,
        #[cfg(feature = "reliability")]
        Preset::FlowControl,
        #[cfg(feature = "reliability")]
        Preset::LazyPirate,
    ];

    /// The lab whose menu offers it: the ZeroMQ patterns in the queue lab,
    /// the reliability lessons in the reliability lab.
    pub fn lab(self) -> Lab {
        match self {
            Preset::Pi
            | Preset::Pipeline
            | Preset::Pubsub
            | Preset::Rpc
            | Preset::Signup
            | Preset::Logs
            | Preset::SlowSubscriber
            | Preset::SlowJoiner => Lab::Queues,
            #[cfg(feature = "reliability")]
            _ => Lab::Reliability,
        }
    }

    /// The reliability lab's "predict, then run" question: how many tasks
    /// will end with this outcome, over all the run's queues, once it has
    /// run to its end. The answer is the ledger's, read from the run, never
    /// written down here. The Lazy Pirate has no broker and so no ledger
    /// (its lesson is the client's retries, in the log): `None`, as for the
    /// queue lab's presets.
    #[cfg(feature = "reliability")]
    pub fn question(self) -> Option<crate::broker::Outcome> {
        use crate::broker::Outcome;
        match self {
            Preset::AtMostOnce | Preset::BrokerRestart | Preset::FlowControl => Some(Outcome::Lost),
            // Prefetch costs waiting, not tasks: none is lost.
            Preset::PrefetchStarvation => Some(Outcome::Lost),
            Preset::AtLeastOnce | Preset::EffectivelyOnce | Preset::VisibilityTimeout => {
                Some(Outcome::Duplicated)
            }
            Preset::Poison => Some(Outcome::DeadLettered),
            _ => None,
        }
    }

    /// The presets `lab` offers, in its menu's order.
    pub fn of_lab(lab: Lab) -> impl Iterator<Item = Preset> {
        Preset::ALL.iter().copied().filter(move |p| p.lab() == lab)
    }

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
            #[cfg(feature = "reliability")]
            Preset::AtMostOnce => "at-most-once",
            #[cfg(feature = "reliability")]
            Preset::AtLeastOnce => "at-least-once",
            #[cfg(feature = "reliability")]
            Preset::EffectivelyOnce => "effectively-once",
            #[cfg(feature = "reliability")]
            Preset::VisibilityTimeout => "visibility-timeout",
            #[cfg(feature = "reliability")]
            Preset::Poison => "poison",
            #[cfg(feature = "reliability")]
            Preset::PrefetchStarvation => "prefetch-starvation",
            #[cfg(feature = "reliability")]
            Preset::BrokerRestart => "broker-restart",
            #[cfg(feature = "reliability")]
            Preset::FlowControl => "flow-control",
            #[cfg(feature = "reliability")]
            Preset::LazyPirate => "lazy-pirate",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.iter().copied().find(|p| p.name() == name)
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
            #[cfg(feature = "reliability")]
            Preset::AtMostOnce => include_str!("presets/at-most-once.json"),
            #[cfg(feature = "reliability")]
            Preset::AtLeastOnce => include_str!("presets/at-least-once.json"),
            #[cfg(feature = "reliability")]
            Preset::EffectivelyOnce => include_str!("presets/effectively-once.json"),
            #[cfg(feature = "reliability")]
            Preset::VisibilityTimeout => include_str!("presets/visibility-timeout.json"),
            #[cfg(feature = "reliability")]
            Preset::Poison => include_str!("presets/poison.json"),
            #[cfg(feature = "reliability")]
            Preset::PrefetchStarvation => include_str!("presets/prefetch-starvation.json"),
            #[cfg(feature = "reliability")]
            Preset::BrokerRestart => include_str!("presets/broker-restart.json"),
            #[cfg(feature = "reliability")]
            Preset::FlowControl => include_str!("presets/flow-control.json"),
            #[cfg(feature = "reliability")]
            Preset::LazyPirate => include_str!("presets/lazy-pirate.json"),
        }
    }
}

/// Every preset's name, as [`Preset::ALL`] lists them.
pub const NAMES: &[&str] = &[
    "pi",
    "pipeline",
    "pubsub",
    "rpc",
    "signup",
    "logs",
    "slow-subscriber",
    "slow-joiner",
    #[cfg(feature = "reliability")]
    "at-most-once",
    #[cfg(feature = "reliability")]
    "at-least-once",
    #[cfg(feature = "reliability")]
    "effectively-once",
    #[cfg(feature = "reliability")]
    "visibility-timeout",
    #[cfg(feature = "reliability")]
    "poison",
    #[cfg(feature = "reliability")]
    "prefetch-starvation",
    #[cfg(feature = "reliability")]
    "broker-restart",
    #[cfg(feature = "reliability")]
    "flow-control",
    #[cfg(feature = "reliability")]
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
        let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
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
