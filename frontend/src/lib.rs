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
#[cfg(feature = "reliability")]
pub use labs::queues::ReliabilityLab;
pub use labs::{cache::CacheLab, queues::QueuesLab, shards::ShardsLab, tasks::TasksLab};
