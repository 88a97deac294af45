//! The warm-up experiment's frames: the chapter's `compute_square` runs,
//! started and cancelled by a session and run by the server.

use serde::{Deserialize, Serialize};

area_frames! {
    /// Frames about this session's warm-up experiment (`warmup_*`).
    WarmupFrame {
        "warmup_start" => Start(WarmupStart),
        "warmup_cancel" => Cancel(WarmupCancel),
    }
}

/// Starts the chapter's warm-up experiment on a node, run by the server
/// (so the browser's latency does not distort it). Absent parameters take
/// the chapter's values (`fanout_shared::cache::warmup::CHAPTER`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmupStart {
    pub node: usize,
    /// Successive runs, 1–20 (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<u32>,
    /// `compute_square` calls per run, 1–10,000 (default 2,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<u32>,
    /// `n` is drawn from `0..=max_n`, 1–1,000,000 (default 5,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_n: Option<u32>,
    /// Pretend cost of one square in ms, 0–10 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_ms: Option<u32>,
    /// Fixes the sequence of `n` (default: a fresh one, echoed back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Stops this session's warm-up experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmupCancel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}
