//! The labs: the one list of them. The server's routes, the build's pages
//! (xtask includes this file as a module of its own, so the build needs
//! none of the engine), the site's header and the embed snippets all read
//! [`Lab::ALL`]; a new lab is a new variant, and the compiler lists every
//! place that must learn it.

/// A lab: a page of its own (and its own wasm), a header link and an
/// embeddable widget. The one list of labs: the server's routes, the build's
/// pages and the site's header all read [`Lab::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lab {
    Queues,
    Cache,
    Shards,
    /// Celery's tasks on the server's Redis node (no simulation: it
    /// needs the server).
    Tasks,
    /// Faults, a broker with acknowledgements, the ledger: the reliability
    /// engine (fanout-shared's `reliability` feature), which only this
    /// page's wasm carries.
    Reliability,
}

impl Lab {
    pub const ALL: [Lab; 5] = [
        Lab::Queues,
        Lab::Cache,
        Lab::Shards,
        Lab::Tasks,
        Lab::Reliability,
    ];

    /// The path segment: `/queues`, `/embed/queues` …
    pub fn slug(self) -> &'static str {
        match self {
            Lab::Queues => "queues",
            Lab::Cache => "cache",
            Lab::Shards => "shards",
            Lab::Tasks => "tasks",
            Lab::Reliability => "reliability",
        }
    }

    /// The page's file in the bundle (`dist/`); Trunk builds it from the
    /// file of the same name in `frontend/`. The queue lab's page is
    /// `index.html`: the server answers `/` and unknown paths with it.
    pub fn page(self) -> &'static str {
        match self {
            Lab::Queues => "index.html",
            Lab::Cache => "cache.html",
            Lab::Shards => "shards.html",
            Lab::Tasks => "tasks.html",
            Lab::Reliability => "reliability.html",
        }
    }

    /// The cargo features its wasm is built with (the same as its page's
    /// `data-cargo-features`, which Trunk reads): only the reliability
    /// lab carries the reliability engine.
    pub fn cargo_features(self) -> &'static str {
        match self {
            Lab::Reliability => "reliability",
            Lab::Queues | Lab::Cache | Lab::Shards | Lab::Tasks => "",
        }
    }

    /// The lab at `slug`, if there is one.
    pub fn from_slug(slug: &str) -> Option<Lab> {
        Lab::ALL.into_iter().find(|lab| lab.slug() == slug)
    }

    /// A sensible iframe size for the widget, in CSS pixels: wide enough for
    /// the lab's main view, short enough to sit inside a lesson.
    pub fn default_size(self) -> (u32, u32) {
        match self {
            Lab::Queues => (760, 520),
            Lab::Cache => (760, 560),
            Lab::Shards => (760, 560),
            Lab::Tasks => (760, 640),
            Lab::Reliability => (760, 520),
        }
    }

    /// The iframe's accessible title (screen readers announce it).
    pub fn title(self, lang_is_chinese: bool, scenario: Option<&str>) -> String {
        let name = match (self, lang_is_chinese) {
            (Lab::Queues, false) => "Fanout queue lab",
            (Lab::Cache, false) => "Fanout cache lab",
            (Lab::Shards, false) => "Fanout shard lab",
            (Lab::Queues, true) => "Fanout 消息队列实验",
            (Lab::Cache, true) => "Fanout 缓存实验",
            (Lab::Shards, true) => "Fanout 分片实验",
            (Lab::Tasks, false) => "Fanout Celery tasks",
            (Lab::Tasks, true) => "Fanout Celery 任务",
            (Lab::Reliability, false) => "Fanout reliability lab",
            (Lab::Reliability, true) => "Fanout 可靠性实验",
        };
        match scenario {
            Some(scenario) if !scenario.is_empty() => format!("{name}: {scenario}"),
            _ => name.to_owned(),
        }
    }
}
