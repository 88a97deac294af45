//! The engine's benchmark workloads, callable from the page so the
//! browser's figure in docs/BENCHMARKS.md is measured on exactly the work
//! the native benchmark does (`fanout_shared::sim::bench::run_workload`).
//! Trunk exposes it as `window.wasmBindings.queue_lab_workload(…)`; the
//! caller times it with `performance.now()`.

use wasm_bindgen::prelude::wasm_bindgen;

/// Runs `events` events of a workload (`pi`, `pipeline`, `fanout100`, …)
/// with `seed`; returns the result as JSON (`events`, `simulated`,
/// `trace_digest`) or `{"error": …}`.
#[wasm_bindgen]
pub fn queue_lab_workload(name: &str, seed: f64, events: f64) -> String {
    match fanout_shared::sim::bench::run_workload(name, seed as u64, events as u64) {
        Ok(result) => serde_json::to_string(&result).unwrap_or_default(),
        Err(e) => serde_json::json!({ "error": e.to_string() }).to_string(),
    }
}
