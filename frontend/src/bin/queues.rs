//! The queue lab's page (`/queues`, `/embed/queues`, and `/`): its own
//! wasm, so the page downloads no other lab. See the library's `start`.

use wasm_bindgen::prelude::wasm_bindgen;

use fanout_shared::protocol::{ServerFrame, server::area};

fn main() {
    fanout_frontend::start(fanout_frontend::LabPage {
        lab: fanout_shared::lab::Lab::Queues,
        view: || leptos::prelude::IntoAny::into_any(fanout_frontend::QueuesLab()),
        read_frame: ServerFrame::read_in::<
            { area::SESSION | area::ROOM | area::ROOM_FEED | area::ROOM_ZMQ },
        >,
    });
}

/// Runs `events` events of one of the engine's benchmark workloads (`pi`,
/// `pipeline`, `fanout100`, …) with `seed`; returns the result as JSON
/// (`events`, `simulated`, `trace_digest`) or `{"error": …}`.
///
/// So the browser's figure in docs/BENCHMARKS.md is measured on exactly the
/// work the native benchmark does (`fanout_shared::sim::bench::run_workload`).
/// Trunk exposes it as `window.wasmBindings.queue_lab_workload(…)`; the
/// caller times it with `performance.now()`. It lives here, not in the
/// library, so that only this page's wasm carries it.
#[wasm_bindgen]
pub fn queue_lab_workload(name: &str, seed: f64, events: f64) -> String {
    match fanout_shared::sim::bench::run_workload(name, seed as u64, events as u64) {
        Ok(result) => serde_json::to_string(&result).unwrap_or_default(),
        Err(e) => serde_json::json!({ "error": e.to_string() }).to_string(),
    }
}
