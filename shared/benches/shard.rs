//! Keys placed per second by each shard scheme (`cargo bench -p
//! fanout-shared --bench shard`): the client-side cost of choosing a server,
//! on the shipped word list (73,697 keys), for 4 and 16 servers. Divan
//! reports time per pass over all keys and, as "items/s", keys per second.
//!
//! `from_text` is what a client pays per request: hash the key string, then
//! place it. `precomputed` reuses the key's MD5 and CRC (as the lab does when
//! only the server count changes), leaving the placement step itself.
//! Results are recorded in docs/BENCHMARKS.md, "Shard functions".

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::sync::LazyLock;

    use divan::{Bencher, black_box, counter::ItemsCount};
    use fanout_shared::shard::{self, KeySet, Placer, Scheme, Settings};

    static KEYS: LazyLock<KeySet> =
        LazyLock::new(|| KeySet::parse(include_str!("../../static/words.txt"), true));

    fn placer(scheme: Scheme, servers: usize) -> Placer {
        Placer::new(scheme, &shard::servers(servers), &Settings::default()).expect("servers")
    }

    #[divan::bench(args = Scheme::ALL, consts = [4, 16], sample_count = 20)]
    fn from_text<const SERVERS: usize>(bencher: Bencher, scheme: Scheme) {
        let keys: Vec<&str> = KEYS.keys().iter().map(|k| k.text.as_str()).collect();
        let placer = placer(scheme, SERVERS);
        bencher.counter(ItemsCount::new(keys.len())).bench(|| {
            for key in &keys {
                black_box(placer.place(black_box(key)));
            }
        });
    }

    #[divan::bench(args = Scheme::ALL, consts = [4, 16], sample_count = 20)]
    fn precomputed<const SERVERS: usize>(bencher: Bencher, scheme: Scheme) {
        let placer = placer(scheme, SERVERS);
        bencher
            .counter(ItemsCount::new(KEYS.len()))
            .bench(|| black_box(placer.assign(black_box(&KEYS))));
    }

    /// Building a ketama ring (160 points per server): paid once per change
    /// of the server list.
    #[divan::bench(consts = [4, 16])]
    fn ketama_ring<const SERVERS: usize>(bencher: Bencher) {
        let servers = shard::servers(SERVERS);
        bencher.bench(|| black_box(shard::Ring::new(black_box(&servers), 160)));
    }

    pub fn main() {
        divan::main();
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
