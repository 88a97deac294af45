//! The shard functions against the real programs they reproduce, key by
//! key: the chapter's own Python functions, CPython's `hash()` under several
//! `PYTHONHASHSEED`s, python-memcached 1.62, pymemcache 4.0.0 and
//! libmemcached's ketama (through ctypes).
//!
//! `shared/tests/shard/placements.py` prints what the real programs decide;
//! these tests compare. They need the project's Python (`FANOUT_PYTHON`, set
//! by `cargo xtask test`); without it each test prints why it skipped.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::atomic::{AtomicUsize, Ordering},
};

use fanout_shared::shard::{
    self, KeySet, Placer, Scheme, Settings, builtin_hash, ketama::Ring, md5_byte,
};
use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shard/placements.py");
const WORDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../static/words.txt");

/// Server counts compared: every count the lab offers.
const COUNTS: [usize; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

fn python() -> Option<PathBuf> {
    match std::env::var_os("FANOUT_PYTHON") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            eprintln!(
                "skipped: FANOUT_PYTHON is not set (run `cargo xtask test unit`, which \
                 installs python-memcached and pymemcache into target/python)"
            );
            None
        }
    }
}

/// Every 20th word of the shipped list, lower-cased as the chapter does,
/// plus keys that exercise non-ASCII handling (Latin-1, CJK, astral).
fn test_keys() -> KeySet {
    let words = std::fs::read_to_string(WORDS).expect("static/words.txt");
    let mut text: String = words
        .lines()
        .step_by(20)
        .map(|word| format!("{word}\n"))
        .collect();
    text.push_str("asunción\natatürk\nréservé\n缓存\n消息队列\n😀key\nkey😀key\n");
    KeySet::parse(&text, true)
}

/// Writes the keys to a file of their own (tests run in parallel).
fn keys_file(keys: &KeySet, name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let unique = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("shard-{name}-{}-{unique}.txt", std::process::id()));
    let text: String = keys
        .keys()
        .iter()
        .map(|k| format!("{}\n", k.text))
        .collect();
    std::fs::write(&path, text).expect("write keys");
    path
}

/// Runs placements.py; `None` when the script reports a skip.
fn run(python: &Path, args: &[String], envs: &[(&str, String)]) -> Option<Value> {
    let output = Command::new(python)
        .arg(SCRIPT)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "placements.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON from placements.py");
    if let Some(reason) = value.get("skip") {
        eprintln!("skipped: {}", reason.as_str().unwrap_or("?"));
        return None;
    }
    Some(value)
}

/// Asks the script for `scheme`'s placements over the first N of `servers`
/// for each N in `counts`, and compares with `ours(N)`.
fn compare(
    python: &Path,
    scheme: &str,
    keys: &KeySet,
    servers: &[String],
    counts: &[usize],
    envs: &[(&str, String)],
    ours: impl Fn(&[String]) -> Vec<u32>,
) -> usize {
    let file = keys_file(keys, scheme);
    let mut args = vec![scheme.to_owned(), file.display().to_string()];
    args.extend(servers.iter().cloned());
    args.push("--counts".into());
    args.push(
        counts
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    let Some(answer) = run(python, &args, envs) else {
        return 0;
    };
    let mut compared = 0;
    for &n in counts {
        let theirs: Vec<u32> = answer["placements"][n.to_string()]
            .as_array()
            .unwrap_or_else(|| panic!("{scheme}: no placements for {n}"))
            .iter()
            .map(|v| v.as_u64().expect("index") as u32)
            .collect();
        let mine = ours(&servers[..n]);
        assert_eq!(theirs.len(), mine.len());
        for (i, (a, b)) in theirs.iter().zip(&mine).enumerate() {
            assert_eq!(
                a,
                b,
                "{scheme} with {n} servers: key {:?} goes to {a} there, {b} here",
                keys.keys()[i].text
            );
        }
        compared += mine.len();
    }
    eprintln!("{scheme}: {compared} placements identical");
    compared
}

fn assign(scheme: Scheme, settings: Settings) -> impl Fn(&[String]) -> Vec<u32> {
    move |servers: &[String]| {
        let keys = test_keys();
        Placer::new(scheme, servers, &settings)
            .expect("placer")
            .assign(&keys)
    }
}

#[test]
fn chapter_alpha_shard() {
    let Some(python) = python() else { return };
    let compared = compare(
        &python,
        "chapter_alpha",
        &test_keys(),
        &shard::servers(4),
        &[4],
        &[],
        assign(Scheme::FirstLetter, Settings::default()),
    );
    assert!(compared > 3000);
}

#[test]
fn chapter_md5_shard() {
    let Some(python) = python() else { return };
    compare(
        &python,
        "chapter_md5",
        &test_keys(),
        &shard::servers(16),
        &COUNTS,
        &[],
        assign(Scheme::Md5LastByte, Settings::default()),
    );
}

#[test]
fn python_memcached_crc32() {
    let Some(python) = python() else { return };
    compare(
        &python,
        "python_memcached",
        &test_keys(),
        &shard::servers(16),
        &COUNTS,
        &[],
        assign(Scheme::Crc32, Settings::default()),
    );
}

#[test]
fn pymemcache_rendezvous() {
    let Some(python) = python() else { return };
    compare(
        &python,
        "pymemcache",
        &test_keys(),
        &shard::servers(16),
        &COUNTS,
        &[],
        assign(Scheme::Rendezvous, Settings::default()),
    );
}

#[test]
fn libmemcached_ketama_on_other_ports() {
    // On a port other than 11211 libmemcached names points "host:port-i",
    // as libketama and Fanout do.
    let Some(python) = python() else { return };
    let servers: Vec<String> = (1..=16).map(|i| format!("10.0.0.{i}:11212")).collect();
    compare(
        &python,
        "libmemcached",
        &test_keys(),
        &servers,
        &COUNTS,
        &[],
        assign(Scheme::Ketama, Settings::default()),
    );
}

#[test]
fn libmemcached_ketama_drops_the_default_port() {
    // On 11211 libmemcached hashes the host alone ("10.0.0.1-0"): a ring
    // built from bare host names matches it.
    let Some(python) = python() else { return };
    let with_port: Vec<String> = shard::servers(16);
    let keys = test_keys();
    compare(
        &python,
        "libmemcached",
        &keys,
        &with_port,
        &COUNTS,
        &[],
        |servers: &[String]| {
            let hosts: Vec<String> = servers
                .iter()
                .map(|s| s.trim_end_matches(":11211").to_owned())
                .collect();
            let ring = Ring::new(&hosts, 160);
            keys.keys()
                .iter()
                .map(|k| ring.lookup(shard::ketama::key_hash(&k.md5)) as u32)
                .collect()
        },
    );
}

/// Seeds compared: randomisation off, small, typical and the largest.
const SEEDS: [u32; 5] = [0, 1, 42, 31_337, u32::MAX];

#[test]
fn cpython_hash_for_each_seed() {
    let Some(python) = python() else { return };
    let keys = test_keys();
    let file = keys_file(&keys, "raw_hash");
    for seed in SEEDS {
        let answer = run(
            &python,
            &["raw_hash".into(), file.display().to_string()],
            &[("PYTHONHASHSEED", seed.to_string())],
        )
        .expect("raw_hash never skips");
        let theirs = answer["hashes"].as_array().expect("hashes");
        for (key, theirs) in keys.keys().iter().zip(theirs) {
            assert_eq!(
                theirs.as_i64(),
                Some(builtin_hash::python_str_hash(&key.text, seed)),
                "hash({:?}) with PYTHONHASHSEED={seed}",
                key.text
            );
        }
        eprintln!("PYTHONHASHSEED={seed}: {} hashes identical", keys.len());
    }
}

#[test]
fn chapter_hash_shard_for_each_seed() {
    let Some(python) = python() else { return };
    for seed in SEEDS {
        let settings = Settings {
            python_hash_seed: seed,
            ..Settings::default()
        };
        compare(
            &python,
            "chapter_hash",
            &test_keys(),
            &shard::servers(16),
            &COUNTS,
            &[("PYTHONHASHSEED", seed.to_string())],
            assign(Scheme::BuiltinHash, settings),
        );
    }
}

#[test]
fn cpython_hash_secret_keys() {
    let Some(python) = python() else { return };
    for seed in SEEDS {
        let answer = run(
            &python,
            &["secret".into()],
            &[("PYTHONHASHSEED", seed.to_string())],
        )
        .expect("secret never skips");
        assert_eq!(answer["algorithm"], "siphash13");
        let (k0, k1) = builtin_hash::secret_keys(seed);
        assert_eq!(answer["k0"].as_u64(), Some(k0), "k0 for {seed}");
        assert_eq!(answer["k1"].as_u64(), Some(k1), "k1 for {seed}");
    }
}

#[test]
fn md5_digests_match_hashlib() {
    // The md-5 crate against the RFC is in the unit tests; here the whole
    // digest is compared with Python's hashlib through the chapter's md5
    // shard at 256 "servers", which exposes the full last byte.
    let Some(python) = python() else { return };
    let keys = test_keys();
    let servers: Vec<String> = (0..256).map(shard::server_name).collect();
    compare(&python, "chapter_md5", &keys, &servers, &[256], &[], |_| {
        keys.keys()
            .iter()
            .map(|k| u32::from(md5_byte::digest(&k.text)[15]))
            .collect()
    });
}
