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

/// Keys for the meta commands: plain ones, base64 ones for the `b` flag
/// (`Zm9v` is "foo", `YQ==` is "a"), and ones that do not decode.
const META_KEYS: &[&str] = &["a", "b", "num", "Zm9v", "YQ==", "Zm9", "!!"];

/// A meta command using any of memcached 1.6.18's flags, in any order
/// (the order decides what `t` reports and which of `T` and `N` sets the
/// expiry), with a few unknown, repeated and malformed ones.
///
/// `ma` is sent right after an `mn`: memcached increments in place only
/// when no earlier reply of the same read still holds the item, and `mn`
/// flushes those replies first. Without it, whether an incremented item
/// keeps its `h`, `Z` and `X` marks depends on memcached's write timing.
/// For the same reason `ma` gets no `T` here (memcached loses it when it
/// replaces the item: see `meta_differences_that_stay`).
fn meta(rng: &mut Rng, out: &mut String) {
    let key = if rng.chance(3) {
        "z".repeat(251)
    } else {
        rng.pick(META_KEYS).to_owned()
    };
    let choose = |rng: &mut Rng, pool: &[&str]| -> Vec<String> {
        let mut flags: Vec<String> = pool
            .iter()
            .filter(|_| rng.chance(30))
            .map(|flag| (*flag).to_owned())
            .collect();
        // Shuffle (Fisher–Yates): flag order matters to memcached.
        for i in (1..flags.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            flags.swap(i, j);
        }
        flags
    };
    match rng.below(6) {
        0 => {
            let flags = choose(
                rng,
                &[
                    "v", "f", "t", "c", "k", "s", "Oab", "q", "T1000", "h", "u", "N1000", "R2000",
                    "R30", "b", "l", "P", "L", "I", "C5", "F3", "zz",
                ],
            );
            out.push_str(&format!("mg {key} {}\r\n", flags.join(" ")));
        }
        1 => {
            let data = rng.pick(&["", "5", "abc", "12"]);
            let mut flags = choose(
                rng,
                &[
                    "c",
                    "F5",
                    "T1000",
                    "k",
                    "Oxy",
                    "q",
                    "I",
                    "b",
                    "C1",
                    "C999999999",
                    "s",
                    "v",
                    "t",
                    "N30",
                ],
            );
            if rng.chance(40) {
                flags.push(format!("M{}", rng.pick(&["E", "A", "P", "R", "S", "x"])));
            }
            out.push_str(&format!(
                "ms {key} {} {}\r\n{data}\r\n",
                data.len(),
                flags.join(" ")
            ));
        }
        2 => {
            let flags = choose(
                rng,
                &["q", "k", "Oab", "C999999999", "I", "T1000", "b", "c", "x"],
            );
            out.push_str(&format!("md {key} {}\r\n", flags.join(" ")));
        }
        3 => {
            let mut flags = choose(
                rng,
                &[
                    "N0",
                    "J13",
                    "D4",
                    "v",
                    "t",
                    "k",
                    "Oz",
                    "q",
                    "MD",
                    "C999999999",
                    "b",
                    "M+",
                ],
            );
            if rng.chance(20) {
                flags.push("M-".into());
            }
            out.push_str(&format!("mn\r\nma {key} {}\r\n", flags.join(" ")));
        }
        4 => {
            let plain = rng.pick(&["a", "b", "num"]);
            let line = match rng.below(6) {
                0 => format!("set {plain} 0 {} 2\r\n10\r\n", rng.pick(&["0", "1000"])),
                1 => format!("get {plain}\r\n"),
                2 => format!("delete {plain}\r\n"),
                3 => format!("mn\r\nincr {plain} 5\r\n"),
                4 => format!("touch {plain} 1000\r\n"),
                _ => "mn\r\n".to_owned(),
            };
            out.push_str(&line);
        }
        _ => out.push_str(&format!("mg {key} v k h t\r\n")),
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
                // After an `mn`, for the reason given at `meta`.
                out.push_str(&format!(
                    "mn\r\n{command} {} {delta}{}\r\n",
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
/// the meta flags `l` and positive `t` (seconds, read off each server's
/// own clock), and the blanks incr/decr leave after a number that got shorter (memcached
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
                // cas uniques; `l` (seconds since the last access) and a
                // `t` above 0 (seconds left): memcached's clock ticks once
                // a second on its own, so a tick between a store and a read
                // makes `t1000` a `t999` on one server and not the other.
                // The shared model's tests check these numbers exactly.
                let rest: Vec<String> = rest
                    .iter()
                    .map(|flag| {
                        let digits =
                            flag.len() > 1 && flag[1..].chars().all(|c| c.is_ascii_digit());
                        if digits && (flag.starts_with('c') || flag.starts_with('l')) {
                            format!("{}_", &flag[..1])
                        } else if digits && flag.starts_with('t') && &flag[1..] != "0" {
                            "t+".to_owned()
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

/// The meta protocol's herd protection and every flag, case by case, each
/// on a flushed cache: the cases issue 18 found broken, then the rules
/// around them (recache, invalidation with a TTL, the cas rules of `ms`,
/// `q`, `u`, base64 keys, flag errors, the flag-count limit).
#[test]
fn meta_flags_match_real_memcached_case_by_case() {
    let Some(binary) = tool("FANOUT_MEMCACHED") else {
        return;
    };
    let oracle = Memcached::start_with(&binary, 64, ORACLE_OPTIONS);
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let cases: &[&str] = &[
        // A vivified miss: the first reader wins (W), the second is told
        // someone already has (Z), until the winner stores the value.
        "mg hot v N30 c t\r\nmg hot v N30\r\nmg hot v\r\nmg hot k s t\r\n\
         ms hot 5 T30\r\nfresh\r\nmg hot v\r\n",
        // md … I marks stale instead of deleting: the next reader gets the
        // stale value with X W, the one after with Z X; a store clears it.
        "set hotkey 0 0 3\r\nabc\r\nmd hotkey I\r\nmg hotkey v\r\nmg hotkey v\r\n\
         ms hotkey 3\r\nnew\r\nmg hotkey v\r\n",
        "set k 0 0 1\r\na\r\nmd k I T30 q\r\nmg k t v\r\nmg k v\r\nmd k I\r\nmg k v t\r\n",
        // Base64 keys: stored decoded, echoed encoded with ` b`.
        "ms Zm9v 2 b\r\nhi\r\nmg foo v k\r\nmg Zm9v b v k\r\nmd Zm9v b k\r\nmg foo v\r\n\
         mg Zm9v b k N30 v\r\nmg foo k v\r\nma YWJj b N0 J7 v k\r\nget abc\r\n",
        "mg Zm9 b\r\nmg !! b k\r\nms Zm9 1 b\r\nx\r\nmd Zm9 b\r\nma Zm9 b\r\nme Zm9 b\r\nme Zm9v b\r\n",
        // Recache: a win when less TTL is left than the token, once.
        "set k 0 1000 1\r\na\r\nmg k R30 v\r\nmg k R2000 v\r\nmg k R2000 v\r\nmg k v\r\n",
        "set k 0 0 1\r\na\r\nmg k R30 v\r\nmg k T10 R30 v t\r\nmg k R30 T20 v t\r\n",
        // Flags apply in order: t before and after T, N's and T's TTLs.
        "mg v N30 T60 t\r\nmg v t\r\nmg w T60 N30 t\r\nmg w t\r\nmg x t N30\r\n",
        "ma c1 N0 t T50 t\r\nma c2 t N50 v\r\nmg c2 t\r\n",
        // ms with I and a cas lower than the item's: stored, marked stale,
        // expiry kept; a higher one is refused; C0 never matches.
        "set k 0 1000 1\r\na\r\nset k 0 1000 1\r\nb\r\nms k 1 C1 I T99\r\nc\r\nmg k v t\r\n\
         mg k v\r\nms k 1 C999999999 I\r\nd\r\nms k 1 C1\r\ne\r\nms k 1 I\r\nf\r\nmg k v\r\n",
        // The cas rules of the modes.
        "set k 0 0 1\r\na\r\nms k 1 MA C999999999\r\nb\r\nms k 1 MA C0\r\nc\r\n\
         ms k 1 ME C5\r\nd\r\nms nokey 1 MR C5\r\ne\r\nms nokey 1 C5\r\nf\r\nms nokey 1 C0\r\ng\r\n\
         ms nokey 1 MA C5\r\nh\r\nmd k C999999999\r\nmn\r\nma k C999999999\r\nmg k v\r\n",
        // q: hides HD (and ma's success unless N created the item) and a
        // miss's EN, never NS, EX, NF or an error.
        "mg nokey q v\r\nmg nokey q k Oa\r\nms k 1 q\r\na\r\nms k 1 q ME\r\nb\r\nmd k q\r\n\
         md k q\r\nma n q\r\nma n q N0 v\r\nmn\r\nma n q v\r\nmg k q zz\r\nmn\r\n",
        // u: no LRU bump, so the item stays unread.
        "set k 0 0 1\r\na\r\nmg k u h\r\nmg k h\r\nmg k h\r\n",
        // Opaque tokens up to 32 bytes with the O; errors on every command.
        "mg nokey O1234567890123456789012345678901 k\r\n\
         md nokey O1234567890123456789012345678901234\r\n\
         ms k 1 O1234567890123456789012345678901234\r\nx\r\nmg k v\r\n",
        "mg k zz\r\nmg k v v\r\nmg k F\r\nmg k Fx\r\nmg k C\r\nmg k Mx\r\nmg k MEE\r\n\
         ms k 1 MEE\r\na\r\nms k 1 Mx\r\na\r\nms k 1 Me\r\na\r\nma k Mi\r\nma k Mx\r\n\
         md k Mx\r\nmd k zz\r\nmd k x\r\nmg k E5\r\nms k 1 E5\r\na\r\nmg k Jx\r\nmg k Dx\r\n\
         mg k Nx\r\nmg k Tx zz\r\nmg k Rx F1\r\nms k 1 Cx\r\na\r\nmg\r\nms\r\nms k\r\n",
        // At most 20 tokens counting the terminator.
        "set k 0 0 1\r\na\r\nmg k v f t c k s h q u l P L O1 T500 N5 R5\r\n\
         mg k v f t c k s h q u l P L O1 T500 N5 R5 I\r\nmd k q k O1 T5 I b P L c s t f h u v l R1\r\n\
         md k q k O1 T5 I P L c s t f h u v l R1\r\n",
        // Anything after mn is ignored.
        "mn\r\nmn x y\r\n",
        // slabs automove is accepted as memcached accepts it.
        "slabs automove 1\r\nslabs automove 0\r\nslabs automove 2\r\nslabs automove 3\r\n\
         slabs automove x\r\nslabs automove ratio 0.5\r\nslabs automove ratio\r\n\
         slabs automove ratio x\r\nslabs automove\r\nslabs\r\nslabs automove 1 noreply\r\n\
         slabs automove 9 noreply\r\nslabs bogus 1 2\r\nmn\r\n",
    ];
    for case in cases {
        let request = format!("flush_all\r\n{case}");
        let expected = normalize(&exchange(oracle.addr, request.as_bytes()));
        let actual = normalize(&exchange(node, request.as_bytes()));
        assert_eq!(actual, expected, "{case:?}");
    }
}

/// memcached's LRU moves an item on a read only when it last moved more
/// than a minute ago (`ITEM_UPDATE_INTERVAL`): a key read right after it
/// was stored is still its class's least recently used, and the next store
/// that needs a chunk evicts it, on both servers. (A textbook LRU would
/// evict `fill1` instead.)
#[test]
fn a_read_within_the_minute_leaves_the_key_last_in_line() {
    let Some(binary) = tool("FANOUT_MEMCACHED") else {
        return;
    };
    let oracle = Memcached::start_with(&binary, 8, ORACLE_OPTIONS);
    let fanout = Fanout::start(&["--cache-nodes", "1", "--cache-memory", "8"]);
    // 400,000-byte values take class 39's half-page chunks: 16 in 8 MiB.
    // Two exchanges: memcached skips an item that an answer still being
    // written holds, so a pipelined read would change what it evicts.
    let value = "v".repeat(400_000);
    let mut fill = String::new();
    for i in 0..16 {
        fill.push_str(&format!(
            "set fill{i} 0 0 {} noreply\r\n{value}\r\n",
            value.len()
        ));
    }
    fill.push_str("mg fill0 s\r\n");
    let one_more = format!(
        "set fill16 0 0 {} noreply\r\n{value}\r\nmg fill0 s\r\nmg fill1 s\r\nmg fill16 s\r\n",
        value.len()
    );
    for (server, name) in [
        (oracle.addr, "memcached"),
        (fanout.cache_nodes[0], "Fanout"),
    ] {
        assert_eq!(
            normalize(&exchange(server, fill.as_bytes())),
            "HD s400000\r\n",
            "{name}"
        );
        assert_eq!(
            normalize(&exchange(server, one_more.as_bytes())),
            "EN\r\nHD s400000\r\nHD s400000\r\n",
            "{name}: fill0 was still the least recently used"
        );
    }
}

/// `lru_crawler`: `metadump` lists the same items with the same fields
/// (its lines sorted, since each server walks its memory in its own order,
/// and the unix times of `exp` and `la` masked: each server's clock ticks
/// on its own), and every other form gets memcached's answer. Each on a
/// fresh connection, in this order: memcached 1.6.18 keeps a refused
/// `metadump ,`'s client slot, and refuses every later dump.
#[test]
fn lru_crawler_answers_as_real_memcached() {
    let Some(binary) = tool("FANOUT_MEMCACHED") else {
        return;
    };
    // With its crawler: the oracle of the other tests runs without.
    let oracle = Memcached::start(&binary, 64);
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let fill = "set a 0 0 1\r\nx\r\nset b 5 100 2\r\nyy\r\nset k:1/\u{fc}% 0 0 3\r\nzzz\r\n\
                set big 0 0 2000\r\n"
        .to_owned()
        + &"v".repeat(2000)
        + "\r\nget a\r\n";
    let commands = [
        "lru_crawler metadump all",
        "lru_crawler metadump hash",
        "lru_crawler metadump 1",
        "lru_crawler metadump 1,,2",
        "lru_crawler metadump 0",
        "lru_crawler metadump 64",
        "lru_crawler metadump x",
        "lru_crawler metadump",
        "lru_crawler metadump all x",
        "lru_crawler crawl all",
        "lru_crawler crawl 3",
        "lru_crawler crawl hash",
        "lru_crawler crawl 0",
        "lru_crawler tocrawl x",
        "lru_crawler tocrawl 5",
        "lru_crawler sleep 2000000",
        "lru_crawler sleep 10",
        "lru_crawler enable",
        "lru_crawler foo",
        "lru_crawler",
        "lru_crawler metadump ,",
    ];
    let masked = |reply: Vec<u8>| -> Vec<String> {
        let text = String::from_utf8_lossy(&reply).into_owned();
        let mut lines: Vec<String> = text
            .split_inclusive('\n')
            .map(|line| {
                line.split(' ')
                    .map(|word| match word.split_once('=') {
                        Some(("la", _)) => "la=_".to_owned(),
                        Some(("exp", "-1")) => word.to_owned(),
                        Some(("exp", _)) => "exp=_".to_owned(),
                        _ => word.to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        lines.sort();
        lines
    };
    for (server, name) in [
        (oracle.addr, "memcached"),
        (fanout.cache_nodes[0], "Fanout"),
    ] {
        assert_eq!(
            normalize(&exchange(server, fill.as_bytes())),
            "STORED\r\nSTORED\r\nSTORED\r\nSTORED\r\nVALUE a 0 1\r\nx\r\nEND\r\n",
            "{name}"
        );
    }
    for command in commands {
        let request = format!("{command}\r\n");
        // memcached's crawler is a thread of its own that may still be
        // finishing the previous request after its `END` reached us; it
        // then answers BUSY, and asked again a moment later, the answer.
        let mut attempts = 0;
        let expected = loop {
            let reply = exchange(oracle.addr, request.as_bytes());
            if reply.starts_with(b"BUSY") && attempts < 100 {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            }
            break masked(reply);
        };
        let actual = masked(exchange(fanout.cache_nodes[0], request.as_bytes()));
        assert_eq!(actual, expected, "{command}");
        if command == "lru_crawler metadump all" {
            // Not an empty agreement: the four items, `a` read once.
            assert_eq!(expected.len(), 5, "{expected:?}");
            assert!(
                expected.contains(&"key=a exp=-1 la=_ cas=1 fetch=yes cls=1 size=61\n".to_owned()),
                "{expected:?}"
            );
            assert!(
                expected.contains(
                    &"key=k%3A1%2F%C3%BC%25 exp=-1 la=_ cas=3 fetch=no cls=1 size=69\n".to_owned()
                ),
                "{expected:?}"
            );
        }
    }
}

/// Where Fanout's meta answers differ from memcached 1.6.18's on purpose.
/// Each case shows Fanout's answer; the comment says what memcached says
/// and why Fanout does not copy it.
#[test]
fn meta_differences_that_stay() {
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let long_opaque = format!("O{}", "x".repeat(32));
    let cases: Vec<(String, &str)> = vec![
        // (First: the cas unique is the node's first.) memcached 1.6.18 prints `me`'s exp with the sign reversed
        // (exp=-1000; later 1.6 releases fixed it). Fanout prints the
        // seconds left. `la` and mg's `l` (seconds since the item last
        // moved to the head) are 0 on both, read in the second of the set.
        (
            "set k 0 1000 1\r\na\r\nme k\r\nmg k l\r\n".to_owned(),
            "STORED\r\nME k exp=1000 la=0 cas=1 fetch=no cls=1 size=61\r\nHD l0\r\n",
        ),
        // memcached notices a too-long opaque while writing the answer,
        // after the increment (and an mg's T or N) already happened: it
        // answers the error and the value is 11. Bad input harms nothing
        // here: the error comes first and the value stays 10.
        (
            format!("set n 0 0 2\r\n10\r\nma n {long_opaque}\r\nmg n v\r\n"),
            "STORED\r\nCLIENT_ERROR opaque token too long\r\nVA 2\r\n10\r\n",
        ),
        // memcached 1.6.18 touches the replaced copy when an incremented
        // number outgrows the stored one (or when another reply still
        // holds the item), so the TTL stays -1. protocol.txt says T
        // updates the TTL on success; Fanout does.
        (
            "set n 0 0 2\r\n99\r\nmn\r\nma n T100\r\nmg n t\r\n".to_owned(),
            "STORED\r\nMN\r\nHD\r\nHD t100\r\n",
        ),
    ];
    for (request, expected) in cases {
        let actual = exchange(node, request.as_bytes());
        assert_eq!(String::from_utf8_lossy(&actual), expected, "{request:?}");
    }
}

/// A client's `watch` connection.
struct Watcher {
    client: cache_support::Client,
}

impl Watcher {
    fn start(addr: std::net::SocketAddr, categories: &str) -> Watcher {
        let mut client = cache_support::Client::connect(addr);
        assert_eq!(client.call(&format!("watch {categories}\r\n")), "OK\r\n");
        Watcher { client }
    }

    /// The lines logged until a connection closes (the client that ran a
    /// stream: its lines all come before its `conn_close`), in `gid`
    /// order (memcached's threads may deliver them out of order), with
    /// what may differ masked: the time, the line number, the client's
    /// file descriptor and port (and the class of a too-large store, see
    /// below).
    fn lines_until_close(&mut self) -> Vec<String> {
        let mut text = String::new();
        while !text.contains("type=conn_close") {
            text.push_str(&String::from_utf8_lossy(&self.client.read_until(b"\n")));
        }
        let mut lines: Vec<(u64, String)> = text
            .lines()
            .map(|line| {
                let mut gid = 0;
                let words: Vec<String> = line
                    .split(' ')
                    .filter_map(|word| match word.split_once('=') {
                        Some(("ts", _)) => None,
                        Some(("gid", n)) => {
                            gid = n.parse().unwrap_or(0);
                            None
                        }
                        Some((name @ ("cfd" | "rport"), _)) => Some(format!("{name}=_")),
                        // Seconds left: see `normalize` on `t`.
                        Some(("ttl", n)) if n != "0" && n != "-1" => Some("ttl=+".to_owned()),
                        // memcached 1.6.18 logs a store refused as too large
                        // with the client's file descriptor where the class
                        // belongs (its LOGGER_LOG call in proto_text.c).
                        Some(("clsid", _)) if line.contains("status=too_large") => {
                            Some("clsid=_".to_owned())
                        }
                        _ => Some(word.to_owned()),
                    })
                    .collect();
                (gid, words.join(" "))
            })
            .collect();
        lines.sort_by_key(|(gid, _)| *gid);
        lines.into_iter().map(|(_, line)| line).collect()
    }
}

/// `watch` lines from Fanout and from real memcached for the same
/// random meta streams (every flag, stores, reads, deletes, incr, touch),
/// each sent on its own connection: equal apart from the time, the line
/// numbers (`ts`, `gid`), the client's file descriptor and port (`cfd`,
/// `rport`), which belong to each server's process, and how many seconds
/// a TTL has left (see `normalize`). The streams
/// never `flush_all` (see `watch_differences_that_stay`).
#[test]
fn watch_lines_match_real_memcached() {
    let Some(binary) = tool("FANOUT_MEMCACHED") else {
        return;
    };
    let oracle = Memcached::start_with(&binary, 64, ORACLE_OPTIONS);
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let categories = "fetchers mutations evictions connevents";
    let mut expected_watch = Watcher::start(oracle.addr, categories);
    let mut actual_watch = Watcher::start(node, categories);
    let mut checked = 0;
    for seed in 0..40 {
        let mut rng = Rng(seed);
        let mut request = String::new();
        for _ in 0..(10 + rng.below(40)) {
            meta(&mut rng, &mut request);
        }
        if seed % 10 == 0 {
            // A store too large for the cache: refused, and logged so.
            request.push_str("set big 0 0 2000000 noreply\r\n");
            request.push_str(&"x".repeat(2_000_000));
            request.push_str("\r\n");
        }
        let expected_reply = normalize(&exchange(oracle.addr, request.as_bytes()));
        let actual_reply = normalize(&exchange(node, request.as_bytes()));
        assert_eq!(actual_reply, expected_reply, "seed {seed}: replies");
        let expected = expected_watch.lines_until_close();
        let actual = actual_watch.lines_until_close();
        checked += expected.len();
        assert_eq!(
            actual,
            expected,
            "seed {seed}: watch lines for {:?}",
            abbreviate(&request)
        );
    }
    println!("{checked} watch lines identical");
}

/// Where a node's `watch` differs from memcached 1.6.18's on purpose; each
/// case shows the node's lines, the comment what memcached prints.
#[test]
fn watch_differences_that_stay() {
    let fanout = Fanout::start(&["--cache-nodes", "1", "--cache-memory", "8"]);
    let node = fanout.cache_nodes[0];
    let mut watch = Watcher::start(node, "fetchers mutations deletions evictions");
    // A second watcher of connevents tells when each client is done.
    // `deletions` is memcached 1.6.20's (1.6.18 answers `ERROR`); the
    // lines are 1.6.20's `type=deleted`, for `delete` and `md` but not
    // for `md … I`, which keeps the item.
    let mut closes = Watcher::start(node, "connevents");
    exchange(
        node,
        b"set d 0 0 1\r\na\r\ndelete d\r\nset e 0 0 2\r\nab\r\nmd e I\r\nmd e\r\n",
    );
    let _ = closes.lines_until_close();
    // memcached flushes lazily and logs `status=flushed` when a read meets
    // a flushed item; a node empties itself at once, so the read finds
    // nothing. An expiry time in the past makes memcached print a
    // wrapped-around ttl (4294966373); the node prints 0.
    exchange(
        node,
        b"set f 0 0 1\r\na\r\nflush_all\r\nget f\r\nset g 0 -1 1\r\na\r\nget g\r\n",
    );
    let _ = closes.lines_until_close();
    // Evictions, with `la` masked: the seconds since the item's store are 0
    // unless the clock ticks between the store and its eviction (the
    // model's tests check `la` exactly).
    let value = "v".repeat(1_000_000);
    let mut fill = String::new();
    for i in 0..12 {
        fill.push_str(&format!(
            "set fill{i} 0 0 {} noreply\r\n{value}\r\n",
            value.len()
        ));
    }
    exchange(node, fill.as_bytes());
    let _ = closes.lines_until_close();
    let mut text = String::new();
    while !text.contains("type=eviction key=fill1 ") {
        text.push_str(&String::from_utf8_lossy(&watch.client.read_until(b"\n")));
    }
    let lines: Vec<String> = text
        .lines()
        // (A read may bring the later evictions too.)
        .take_while(|line| !line.contains("type=eviction key=fill2 "))
        .map(|line| {
            line.split(' ')
                .filter(|word| !word.starts_with("ts=") && !word.starts_with("gid="))
                .map(|word| {
                    if word.starts_with("cfd=") {
                        "cfd=_"
                    } else if word.starts_with("la=") {
                        "la=_"
                    } else {
                        word
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|line| {
            line.contains("type=deleted")
                || line.contains("key=f ")
                || line.contains("key=g ")
                || line.contains("type=eviction")
        })
        .collect();
    assert_eq!(
        lines,
        [
            "type=deleted key=d cmd=delete clsid=1 size=1",
            "type=deleted key=e cmd=md clsid=1 size=2",
            "type=item_get key=f status=not_found clsid=0 cfd=_ size=0",
            "type=item_store key=f status=stored cmd=set ttl=0 clsid=1 cfd=_ size=1",
            "type=item_get key=f status=not_found clsid=0 cfd=_ size=0",
            "type=item_get key=g status=not_found clsid=0 cfd=_ size=0",
            "type=item_store key=g status=stored cmd=set ttl=0 clsid=1 cfd=_ size=1",
            "type=item_get key=g status=expired clsid=0 cfd=_ size=0",
            // A 1 MB item takes chunks of the largest class (39 with the
            // default -f and -n); memcached files a chunked item's header
            // in a smaller class (docs/protocol.md, "Slab classes").
            "type=eviction key=fill0 fetch=no ttl=-1 la=_ clsid=39 size=1000000",
            "type=eviction key=fill1 fetch=no ttl=-1 la=_ clsid=39 size=1000000",
        ]
    );
}
