//! Fanout's browser app as a library: the shell (header, language, server
//! link, widget mode) and the three labs.
//!
//! Each lab is built as a binary of its own (`src/bin/`), so each page
//! downloads one lab's wasm rather than all three: one wasm held every lab
//! at 802 KiB gzip, well past the 600 KiB a page should cost. Moving
//! between labs is therefore a page load, which the shell's plain links
//! do. A binary is one line: [`start`] with its [`LabPage`].

mod app;
mod clipboard;
mod connection;
mod embed;
mod embed_button;
mod i18n;
mod labs;
mod text;

pub use app::{LabPage, start};

// The frontend's `reliability` feature turns on fanout-shared's, and its
// own code (the reliability presets' words, the log's fault and broker
// rows) follows it; features unify within a cargo run, so a run that builds
// fanout-shared with the engine for another reason (its own tests, the
// server) must not build this crate without its feature. `cargo xtask`
// builds and lints the frontend in runs of its own for that reason.
const _: () = assert!(
    fanout_shared::RELIABILITY == cfg!(feature = "reliability"),
    "fanout-frontend's `reliability` feature must match fanout-shared's: build the frontend in a cargo run of its own (as `cargo xtask` does), with --features reliability for the reliability page"
);
#[cfg(feature = "reliability")]
pub use labs::queues::ReliabilityLab;
pub use labs::{cache::CacheLab, queues::QueuesLab, shards::ShardsLab, tasks::TasksLab};
