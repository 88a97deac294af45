//! Experiments the server runs on a session's behalf against its real
//! cache nodes, so that the browser's latency does not distort what is
//! measured. Each reports progress through the session's outbox, like the
//! cache events.
//!
//! - [`warmup`]: the chapter's `compute_square` warm-up (`warmup_start`,
//!   `warmup_cancel`).

pub mod warmup;

pub use warmup::WarmupSession;
