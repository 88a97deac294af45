//! Simulated events per second in wasm, for docs/BENCHMARKS.md: not a test
//! (nothing is asserted about speed) and ignored unless asked for:
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$PWD/target/tools/bin/wasm-bindgen-test-runner \
//!   cargo test --release -p fanout-shared --target wasm32-unknown-unknown \
//!   --test wasm_bench -- --include-ignored
//! ```
//!
//! It runs in Node (V8, as Chromium); the browser calls the same
//! `run_workload` and the lead records its figures from headless Chromium.

#[cfg(target_arch = "wasm32")]
mod wasm {
    use fanout_shared::sim::bench::run_workload;
    use wasm_bindgen_test::{console_log, wasm_bindgen_test};

    const EVENTS: u64 = 200_000;

    #[wasm_bindgen_test]
    #[ignore = "a benchmark: run with --include-ignored on a release build"]
    fn events_per_second_in_wasm() {
        for workload in [
            "pi",
            "fanout100",
            "pipeline",
            "reliability-calm",
            "reliability",
        ] {
            // One warm-up run, then the best of five.
            let _ = run_workload(workload, 1, EVENTS);
            let mut best = f64::MAX;
            let mut digest = String::new();
            for _ in 0..5 {
                let start = js_sys::Date::now();
                let r = run_workload(workload, 1, EVENTS).expect("workload runs");
                best = best.min(js_sys::Date::now() - start);
                digest = r.trace_digest;
            }
            console_log!(
                "{workload}: {EVENTS} events in {best} ms = {:.2} million events/s (digest {digest})",
                EVENTS as f64 / best / 1000.0
            );
        }
    }
}
