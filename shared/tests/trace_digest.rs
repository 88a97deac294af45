//! Same scenario and seed, same trace: on native and on wasm32.
//!
//! `golden/digests.txt` holds, per line, `workload seed steps digest`: the
//! trace digest after exactly `steps` events. The native `#[test]` and the
//! `#[wasm_bindgen_test]` (run with `cargo test -p fanout-shared --target
//! wasm32-unknown-unknown`) both compare against it, so both platforms
//! produce the same traces. The workloads cover every source of
//! non-trivial arithmetic: the π bit strings and sums of squares, uniform
//! and exponential (libm) service times, random topic picks, REQ/REP and a
//! 100-way fan-out; and, with faults and brokers, every reliability preset
//! (each run to the end of its lesson) and the `reliability` workload,
//! whose link jitter, drop and duplicate rates draw from the seed.
//!
//! A digest changes whenever the engine's behaviour or the digest encoding
//! changes. If that was intended, regenerate the file deliberately with
//! `FANOUT_BLESS=1 cargo test -p fanout-shared --test trace_digest`, read
//! the diff, and commit it with the change that caused it.

use fanout_shared::sim::bench::run_workload;

const GOLDEN: &str = include_str!("golden/digests.txt");

const WORKLOADS: [(&str, u64, u64); 17] = [
    ("pi", 7, 20_000),
    ("pi", 1, 5_000),
    ("pipeline", 3, 20_000),
    ("signup", 5, 5_000),
    ("pubsub", 2, 10_000),
    ("rpc", 1, 10_000),
    ("fanout100", 1, 20_000),
    ("at-most-once", 1, 270),
    ("at-least-once", 1, 320),
    ("effectively-once", 1, 320),
    ("visibility-timeout", 1, 470),
    ("poison", 1, 330),
    ("prefetch-starvation", 1, 380),
    ("broker-restart", 1, 120),
    ("flow-control", 1, 20_000),
    ("lazy-pirate", 1, 390),
    ("reliability", 3, 20_000),
];

fn computed() -> String {
    let mut out = String::new();
    for (name, seed, steps) in WORKLOADS {
        let r = run_workload(name, seed, steps).expect("workload runs");
        assert_eq!(r.events, steps, "{name} ran out of events");
        out.push_str(&format!("{name} {seed} {steps} {}\n", r.trace_digest));
    }
    out
}

fn compare() {
    let got = computed();
    assert_eq!(
        got.trim(),
        GOLDEN.trim(),
        "trace digests differ from tests/golden/digests.txt (see this file's header)"
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_trace_digests_match_golden() {
    if std::env::var_os("FANOUT_BLESS").is_some() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/digests.txt");
        std::fs::write(&path, computed()).expect("write golden digests");
        println!("wrote {}", path.display());
        return;
    }
    compare();
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
fn wasm_trace_digests_match_golden() {
    compare();
}
