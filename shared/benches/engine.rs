//! Simulated events per second (`cargo bench -p fanout-shared`): the π
//! scenario, a 100-subscriber fan-out, a pipeline and a broker under
//! faults (`reliability`, and `reliability-calm` without them), each run for a fixed number of
//! events through the same pure function the browser times in wasm
//! (`fanout_shared::sim::bench::run_workload`). Divan reports time per run;
//! events/s is the event count over that time (divan prints it as
//! "items/s" because each run declares its event count as items).
//! Results and commands are recorded in docs/BENCHMARKS.md.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use divan::{Bencher, counter::ItemsCount};
    use fanout_shared::sim::bench::run_workload;

    const EVENTS: u64 = 200_000;

    #[divan::bench(args = ["pi", "fanout100", "pipeline", "reliability-calm", "reliability"], sample_count = 10, sample_size = 1)]
    fn events(bencher: Bencher, workload: &str) {
        bencher
            .counter(ItemsCount::new(EVENTS))
            .bench(|| run_workload(divan::black_box(workload), 1, EVENTS));
    }

    pub fn main() {
        divan::main();
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
