//! Fanout's cache node against real memcached 1.6 (the oracle): seeded
//! random command streams, malformed ones included, are sent byte for byte
//! to both, and the replies must be identical apart from stats values,
//! the version string and cas uniques.
//!
//! Left out of the streams, because memcached's answer depends on timing
//! or on its memory layout rather than on the protocol: expiry times of a
//! few seconds, delayed flush_all, lines over 2 KiB without a newline
//! (memcached hangs up only if its read ends mid-line), `stats` sub-commands
//! that describe slab classes, a too-long key inside a multi-key get
//! (memcached also takes back replies to earlier commands of the same read),
//! and NUL bytes (memcached's C strings end there).

mod cache_support;
mod common;

use cache_support::{Memcached, exchange, tool};
use common::Fanout;

/// A small seeded generator (SplitMix64), so a failing seed replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const KEYS: &[&str] = &[
    "a",
    "b",
    "num",
    "k:1",
    "k:2",
    "\u{1}ctl",
    "long_key_0123456789",
];

fn key(rng: &mut Rng) -> String {
    if rng.chance(3) {
        "x".repeat(251)
    } else if rng.chance(2) {
        "y".repeat(250)
    } else {
        rng.pick(KEYS).to_owned()
    }
}

fn value(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => rng.below(1000).to_string(),
        // (Not 2^64 - 1: once in a few thousand runs memcached 1.6.18
        // calls a value that large non-numeric; the wrap-around is checked
        // by the hand-picked cases and the model's tests.)
        1 => "9223372036854775807".into(),
        2 => String::new(),
        3 => " 7".into(),
        _ => {
            let len = rng.below(40) as usize;
            (0..len)
                .map(|_| (b'a' + rng.below(26) as u8) as char)
                .collect()
        }
    }
}

fn number_token(rng: &mut Rng) -> String {
    rng.pick(&[
        "0",
        "1",
        "42",
        "-1",
        "abc",
        "4294967296",
        "99999999999999999999",
        "+5",
        "",
    ])
    .to_owned()
}

fn exptime(rng: &mut Rng) -> String {
    // Only expiry times whose effect cannot depend on when a second ticks.
    rng.pick(&["0", "0", "1000", "-1", "2592001", "abc"])
        .to_owned()
}

fn noreply(rng: &mut Rng) -> &'static str {
    if rng.chance(15) { " noreply" } else { "" }
}

fn storage(rng: &mut Rng, out: &mut String) {
    let command = rng.pick(&["set", "set", "add", "replace", "append", "prepend", "cas"]);
    let key = key(rng);
    let flags = if rng.chance(10) {
        number_token(rng)
    } else {
        rng.below(70000).to_string()
    };
    let data = value(rng);
    let announced = match rng.below(12) {
        0 => data.len() + 1,
        1 => data.len().saturating_sub(1),
        _ => data.len(),
    };
    let length = if rng.chance(3) {
        number_token(rng)
    } else {
        announced.to_string()
    };
    let cas = if command == "cas" {
        format!(" {}", rng.pick(&["1", "2", "12345", "abc"]))
    } else {
        String::new()
    };
    let extra = if rng.chance(3) { " junk" } else { "" };
    out.push_str(&format!(
        "{command} {key} {flags} {} {length}{cas}{extra}{}\r\n{data}\r\n",
        exptime(rng),
        noreply(rng)
    ));
}

fn meta(rng: &mut Rng, out: &mut String) {
    let key = if rng.chance(3) {
        "z".repeat(251)
    } else {
        rng.pick(KEYS).to_owned()
    };
    let mut flags = Vec::new();
    let choose = |rng: &mut Rng, pool: &[&str], flags: &mut Vec<String>| {
        for flag in pool {
            if rng.chance(30) {
                flags.push((*flag).to_owned());
            }
        }
    };
    match rng.below(5) {
        0 => {
            choose(
                rng,
                &["v", "f", "t", "c", "k", "s", "Oab", "q", "T1000", "h"],
                &mut flags,
            );
            out.push_str(&format!("mg {key} {}\r\n", flags.join(" ")));
        }
        1 => {
            let data = value(rng);
            choose(rng, &["c", "F5", "T1000", "k", "Oxy", "q", "I"], &mut flags);
            if rng.chance(40) {
                flags.push(format!("M{}", rng.pick(&["E", "A", "P", "R", "S"])));
            }
            if rng.chance(10) {
                flags.push("C999999999".into());
            }
            out.push_str(&format!(
                "ms {key} {} {}\r\n{data}\r\n",
                data.len(),
                flags.join(" ")
            ));
        }
        2 => {
            choose(rng, &["q", "k", "Oab", "C999999999"], &mut flags);
            out.push_str(&format!("md {key} {}\r\n", flags.join(" ")));
        }
        3 => {
            choose(
                rng,
                &["N0", "J13", "D4", "v", "t", "k", "Oz", "q", "MD"],
                &mut flags,
            );
            out.push_str(&format!("ma {key} {}\r\n", flags.join(" ")));
        }
        _ => out.push_str("mn\r\n"),
    }
}

fn garbage(rng: &mut Rng, out: &mut String) {
    let line = match rng.below(8) {
        0 => "GET a".to_owned(),
        1 => "bogus command here".to_owned(),
        2 => String::new(),
        3 => "get".to_owned(),
        4 => "incr".to_owned(),
        5 => format!("set {}", key(rng)),
        6 => "delete".to_owned(),
        _ => {
            let len = rng.below(100) as usize;
            (0..len)
                .map(|_| char::from(1 + rng.below(126) as u8))
                .filter(|c| *c != '\n' && *c != '\r')
                .collect()
        }
    };
    out.push_str(&line);
    out.push_str("\r\n");
}

/// One random stream of commands.
fn stream(seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut out = String::from("flush_all\r\n");
    let mut oversized = false;
    for _ in 0..(20 + rng.below(60)) {
        match rng.below(20) {
            0..=4 => storage(&mut rng, &mut out),
            5..=7 => {
                let command = rng.pick(&["get", "gets", "get", "gat 1000", "gats 0", "gat abc"]);
                let keys: Vec<_> = (0..1 + rng.below(4))
                    .map(|_| rng.pick(KEYS).to_owned())
                    .collect();
                out.push_str(&format!("{command} {}\r\n", keys.join(" ")));
            }
            8 => {
                let tail = rng.pick(&["", " 0", " noreply", " 0 noreply", " 5", " x y"]);
                out.push_str(&format!("delete {}{tail}\r\n", key(&mut rng)));
            }
            9 | 10 => {
                let command = rng.pick(&["incr", "decr"]);
                let delta = if rng.chance(20) {
                    number_token(&mut rng)
                } else {
                    rng.below(100).to_string()
                };
                out.push_str(&format!(
                    "{command} {} {delta}{}\r\n",
                    key(&mut rng),
                    noreply(&mut rng)
                ));
            }
            11 => out.push_str(&format!(
                "touch {} {}{}\r\n",
                key(&mut rng),
                exptime(&mut rng),
                noreply(&mut rng)
            )),
            12 => out.push_str(rng.pick(&[
                "version\r\n",
                "verbosity 1\r\n",
                "verbosity\r\n",
                "verbosity x\r\n",
                "flush_all\r\n",
                "flush_all 0\r\n",
                "flush_all noreply\r\n",
                "flush_all abc\r\n",
                "cache_memlimit 64\r\n",
                "cache_memlimit 2\r\n",
                "cache_memlimit\r\n",
                "stats\r\n",
                "stats nonsense\r\n",
            ])),
            13..=15 => meta(&mut rng, &mut out),
            16 if !oversized => {
                // A value too large for the cache: refused, data swallowed.
                // One per stream: after several megabytes of swallowed data
                // memcached 1.6.18 sometimes drops the next command (its
                // read-buffer handling, not the protocol).
                oversized = true;
                // The block has line breaks, so that if an earlier wrong
                // length makes it be read as commands, its lines are short
                // (memcached hangs up on a 2 KiB line, dropping replies it
                // has not sent yet: a matter of timing).
                let size = 1_048_576 + rng.below(1000) as usize;
                let mut block = "v".repeat(998) + "\r\n";
                block = block.repeat(size / 1000 + 1);
                block.truncate(size);
                out.push_str(&format!(
                    "set {} 0 0 {size}{}\r\n{block}\r\n",
                    rng.pick(KEYS),
                    noreply(&mut rng),
                ));
            }
            _ => garbage(&mut rng, &mut out),
        }
    }
    // Complete any data block a wrong length left open: memcached drops
    // replies it has not sent yet when the client hangs up mid-block.
    out.push_str(&"\r\n".repeat(40));
    if rng.chance(10) {
        out.push_str("quit\r\nget a\r\n");
    }
    out
}

/// The request with long lines cut, for failure messages.
fn abbreviate(request: &str) -> String {
    request
        .split("\r\n")
        .map(|line| {
            if line.len() > 60 {
                format!(
                    "{}…({} bytes)",
                    &line[..line.floor_char_boundary(40)],
                    line.len()
                )
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Masks what may legitimately differ: stats values, version, cas uniques,
/// and the blanks incr/decr leave after a number that got shorter (memcached
/// rewrites the value in place only when no other thread holds the item at
/// that instant, so whether they appear is a matter of timing).
fn normalize(reply: &[u8]) -> String {
    let text = String::from_utf8_lossy(reply);
    let mut lines = Vec::new();
    let mut pending_value = false;
    for line in text.split("\r\n") {
        if pending_value {
            pending_value = false;
            let trimmed = line.trim_end_matches(' ');
            if trimmed.len() != line.len() && !trimmed.is_empty() {
                if let Some(header) = lines.pop() {
                    let header: String = header;
                    let mut words: Vec<String> = header.split(' ').map(str::to_owned).collect();
                    let size_at = if words[0] == "VALUE" { 3 } else { 1 };
                    words[size_at] = trimmed.len().to_string();
                    lines.push(words.join(" "));
                }
                lines.push(trimmed.to_owned());
                continue;
            }
        }
        if line.starts_with("VALUE ") || line.starts_with("VA ") {
            pending_value = true;
        }
        let words: Vec<&str> = line.split(' ').collect();
        if let ["STAT", name, ..] = words.as_slice()
            && BACKGROUND_STATS.contains(name)
        {
            continue;
        }
        let masked = match words.as_slice() {
            ["STAT", name, ..] => format!("STAT {name} _"),
            ["VERSION", ..] => "VERSION _".to_owned(),
            ["VALUE", key, flags, bytes, _cas] => format!("VALUE {key} {flags} {bytes} _"),
            [
                status @ ("HD" | "VA" | "EN" | "NF" | "NS" | "EX"),
                rest @ ..,
            ] => {
                let rest: Vec<String> = rest
                    .iter()
                    .map(|flag| {
                        if flag.starts_with('c') && flag[1..].chars().all(|c| c.is_ascii_digit()) {
                            "c_".to_owned()
                        } else {
                            (*flag).to_owned()
                        }
                    })
                    .collect();
                std::iter::once(status.to_string())
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            _ => line.to_owned(),
        };
        lines.push(masked);
    }
    lines.join("\r\n")
}

/// memcached's background threads (LRU maintainer and crawler, slab
/// mover) touch items while commands run; with them on, a few answers in
/// a thousand depend on timing (an item's "fetched" bit, an incr that finds
/// its item busy). The oracle runs without them.
const ORACLE_OPTIONS: &[&str] = &["-o", "no_lru_crawler,no_lru_maintainer,slab_automove=0"];

/// `stats` names that memcached prints only while the background threads
/// of [`ORACLE_OPTIONS`] run.
const BACKGROUND_STATS: &[&str] = &[
    "lru_crawler_running",
    "lru_crawler_starts",
    "lru_maintainer_juggles",
    "evicted_active",
    "moves_to_cold",
    "moves_to_warm",
    "moves_within_lru",
    "direct_reclaims",
    "lru_bumps_dropped",
];

#[test]
fn random_streams_get_the_same_replies_as_real_memcached() {
    let Some(binary) = tool("FANOUT_MEMCACHED") else {
        return;
    };
    let mut oracle = Memcached::start_with(&binary, 64, ORACLE_OPTIONS);
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let seeds: u64 = std::env::var("FANOUT_DIFF_STREAMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let mut checked_bytes = 0;
    let mut failures = Vec::new();
    for seed in 0..seeds {
        // A fresh oracle now and then, so that no stream depends on what
        // thousands of earlier ones did to memcached's slab classes.
        if seed > 0 && seed % 250 == 0 {
            oracle = Memcached::start_with(&binary, 64, ORACLE_OPTIONS);
        }
        let request = stream(seed);
        let expected = exchange(oracle.addr, request.as_bytes());
        let actual = exchange(node, request.as_bytes());
        checked_bytes += expected.len();
        let (expected, actual) = (normalize(&expected), normalize(&actual));
        if expected != actual {
            let shown = abbreviate(&request);
            let saved = cache_support::target_dir().join(format!("tmp/cache-diff-seed-{seed}.txt"));
            let _ = std::fs::create_dir_all(saved.parent().unwrap());
            let _ = std::fs::write(&saved, &request);
            let first = expected
                .split("\r\n")
                .zip(actual.split("\r\n"))
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let window = |text: &str| -> Vec<String> {
                text.split("\r\n")
                    .skip(first.saturating_sub(3))
                    .take(6)
                    .map(str::to_owned)
                    .collect()
            };
            let (expected, actual) = (window(&expected), window(&actual));
            failures.push(format!(
                "seed {seed} differs (reply line {first}; request saved in {}); reply lines from {}\n--- request\n{shown:?}\n--- memcached\n{expected:?}\n--- fanout\n{actual:?}",
                saved.display(),
                first.saturating_sub(3)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {seeds} streams differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{seeds} streams, {checked_bytes} reply bytes identical");
}

#[test]
fn hand_picked_error_cases_match_real_memcached() {
    let Some(binary) = tool("FANOUT_MEMCACHED") else {
        return;
    };
    let oracle = Memcached::start(&binary, 64);
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let big = "x".repeat(1_048_576);
    let cases: Vec<String> = vec![
        "set k 0 0 2\r\nabc\r\nget k\r\n".into(),
        "set k 0 0 2 noreply\r\nabc\r\nget k\r\n".into(),
        format!("set {} 0 0 1\r\nx\r\n", "a".repeat(251)),
        "set k 0 0 -1\r\nx\r\n".into(),
        format!("set k 0 0 2\r\nab\r\nset k 0 0 1048576\r\n{big}\r\nget k\r\n"),
        format!("set k 0 0 1048516\r\n{}\r\nmn\r\n", "x".repeat(1_048_516)),
        format!("set k 0 0 1048517\r\n{}\r\nmn\r\n", "x".repeat(1_048_517)),
        "x".repeat(3000),
        format!("get {}\r\n", "x".repeat(3000)),
        format!("get {}\r\n", "abc ".repeat(1000)),
        "set n 0 0 2\r\n10\r\ndecr n 1\r\nget n\r\nincr n abc\r\nincr n -1\r\n".into(),
        "delete k 0\r\ndelete k 5\r\ndelete k noreply\r\ndelete k x y\r\n".into(),
        "cache_memlimit\r\ncache_memlimit 1\r\ncache_memlimit abc\r\ncache_memlimit 64\r\n".into(),
        // `stats cachedump` is left out: which items memcached lists depends
        // on its slab classes and background LRU segments (it differs run
        // to run); it is checked on its own below.
        "stats detail\r\nstats foo\r\n".into(),
        "quit\r\nget k\r\n".into(),
        "ms k 2000000\r\n".to_owned() + &"x".repeat(2_000_000) + "\r\nmn\r\n",
        "ms k abc\r\nhi\r\nms k 2 MX\r\nhi\r\nmg k zz\r\nmg k v v\r\nmz k\r\nmn foo\r\n".into(),
        "set k 0 0 1\r\nx\r\nmg k f q h\r\nmg k h\r\ntouch k 0\r\nmg k h\r\nme\r\nme nokey\r\n"
            .into(),
        "delete k\r\nma k N0 Oz\r\nmg k h\r\nma k N0 q\r\nma k q v\r\nma k v\r\nmg nokey k Oq\r\n"
            .into(),
    ];
    for case in cases {
        let expected = normalize(&exchange(oracle.addr, case.as_bytes()));
        let actual = normalize(&exchange(node, case.as_bytes()));
        let shown = abbreviate(&case);
        assert_eq!(actual, expected, "{shown:?}");
    }
    // Clients call `stats cachedump` and expect a well-formed answer, not an error.
    let dump = normalize(&exchange(node, b"stats cachedump 1 1\r\n"));
    assert!(dump.ends_with("END\r\n"), "{dump:?}");
    assert!(!dump.contains("ERROR"), "{dump:?}");
}
