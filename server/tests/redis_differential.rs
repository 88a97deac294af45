//! Fanout's Redis node against Debian's real redis-server 7.0.15 (the
//! oracle): seeded random command streams over the supported commands,
//! errors and wrong types included, are sent to both, in RESP2 and in
//! RESP3, and every reply must be the same bytes.
//!
//! The differences that must stay, so left out of the streams or compared
//! with the order of elements ignored (docs/protocol.md, "Redis", lists
//! them too):
//! - order of members of sets Redis keeps as hash tables (any set holding
//!   a non-integer), and of KEYS and PUBSUB CHANNELS: that is the order of
//!   Redis's hash tables, keyed at random per process. Sets of integers
//!   only (intsets) are compared byte for byte, as are small hashes;
//! - replies that tell time, identity or configuration: TIME, PTTL, INFO,
//!   CONFIG, CLIENT ID, HELLO's `id`, SCAN's cursors, PUBSUB NUMPAT (the
//!   server-wide count also sees the other tests' connections);
//! - scripts other than the known ones (Redis runs any Lua; Fanout runs
//!   the eight scripts of redis-py, kombu and Celery natively);
//! - FLUSHALL, SELECT, SCRIPT FLUSH and QUIT, which would reach across the
//!   streams that run side by side in databases of their own.

mod common;
mod redis_support;

use common::Fanout;
use redis_support::{RedisServer, Resp, Value, tool};

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

/// Where the two servers listen.
#[derive(Debug, Clone, Copy)]
struct Servers {
    redis_addr: std::net::SocketAddr,
    fanout_addr: std::net::SocketAddr,
}

/// How a command's replies are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    Exact,
    /// Each reply value's elements in any order.
    Unordered,
}

/// What a stream draws its arguments from.
struct Pools {
    /// Set members: integers only (intsets, ordered) or mixed.
    members: &'static [&'static str],
    db: usize,
    in_multi: bool,
}

const KEYS: &[&str] = &["a", "b", "c", "num", "list", "hash", "set", "zset", "other"];
const VALUES: &[&str] = &[
    "v",
    "",
    "0",
    "1",
    "-1",
    "42",
    "10.5",
    "hello world",
    "x y",
    "9223372036854775807",
    "-9223372036854775808",
    "01",
    " 1",
];
const INTEGERS: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "3",
    "10",
    "-7",
    "100",
    "abc",
    "1.5",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
];
const FIELDS: &[&str] = &["f1", "f2", "f3", "count", "name", "f6", "e"];
const INT_MEMBERS: &[&str] = &["1", "2", "3", "10", "-5", "100", "7", "42"];
const MIXED_MEMBERS: &[&str] = &["1", "2", "a", "b", "c", "10", "x:y", "-5"];
const SCORES: &[&str] = &[
    "1",
    "2.5",
    "-1",
    "0",
    "-0",
    "inf",
    "-inf",
    "+inf",
    "1e3",
    "3.14159",
    "1.1",
    "abc",
    "",
    "(1",
    "nan",
    "12345678.9",
];
const RANGES: &[&str] = &[
    "-inf", "+inf", "0", "(0", "1", "(2.5", "10", "abc", "", "-1", "(-inf", "1e2",
];
const LEX: &[&str] = &["-", "+", "[a", "(a", "[m", "(z", "a", "[", "("];
const ENDS: &[&str] = &["LEFT", "RIGHT", "left", "middle"];

/// Expiry times that cannot pass while a stream runs (short ones would
/// expire on one server and not yet on the other), or that are refused.
fn ttl(rng: &mut Rng) -> String {
    rng.pick(&["1000", "100000", "0", "-1", "x", "9223372036854775807"])
        .to_owned()
}

fn key(rng: &mut Rng) -> String {
    rng.pick(KEYS).to_owned()
}

fn int_arg(rng: &mut Rng) -> String {
    if rng.chance(70) {
        (rng.below(12) as i64 - 4).to_string()
    } else {
        rng.pick(INTEGERS).to_owned()
    }
}

/// One random command and how to compare its replies.
fn command(rng: &mut Rng, pools: &Pools) -> (Vec<String>, Compare) {
    loop {
        let (args, compare) = any_command(rng, pools);
        // An unordered reply inside EXEC's array could not be compared.
        if compare == Compare::Exact || !pools.in_multi {
            return (args, compare);
        }
    }
}

fn any_command(rng: &mut Rng, pools: &Pools) -> (Vec<String>, Compare) {
    use Compare::{Exact, Unordered};
    let channel = |rng: &mut Rng| format!("t{}:ch{}", pools.db, rng.below(3));
    let member = |rng: &mut Rng| rng.pick(pools.members).to_owned();
    let v = |rng: &mut Rng| rng.pick(VALUES).to_owned();
    let k = key;
    let n = int_arg;
    let s = |list: &[&str]| list.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let cmd = match rng.below(100) {
        // Strings.
        0..=2 => {
            let mut c = vec!["SET".into(), k(rng), v(rng)];
            for _ in 0..rng.below(3) {
                match rng.below(9) {
                    0 => c.push("NX".into()),
                    1 => c.push("XX".into()),
                    2 => c.push("GET".into()),
                    3 => c.push("KEEPTTL".into()),
                    4 => c.extend(["EX".into(), ttl(rng)]),
                    5 => c.extend([
                        "PX".into(),
                        rng.pick(&["0", "-5", "100000", "9999999", "x"]).into(),
                    ]),
                    6 => c.extend(["EXAT".into(), rng.pick(&["4000000000", "0"]).into()]),
                    7 => c.extend(["PXAT".into(), rng.pick(&["-1", "4000000000000"]).into()]),
                    _ => c.push(rng.pick(&["EX", "bogus"]).into()),
                }
            }
            return (c, Exact);
        }
        3..=5 => vec!["GET".into(), k(rng)],
        6 => vec!["GETSET".into(), k(rng), v(rng)],
        7 => vec!["GETDEL".into(), k(rng)],
        8 => {
            let mut c = vec!["GETEX".into(), k(rng)];
            match rng.below(6) {
                0 => c.extend(["EX".into(), ttl(rng)]),
                1 => c.push("PERSIST".into()),
                2 => c.extend(["PXAT".into(), "1".into()]),
                3 => c.extend(["EXAT".into(), "4000000000".into()]),
                4 => c.push("NX".into()),
                _ => {}
            }
            c
        }
        9 => vec!["MGET".into(), k(rng), k(rng), k(rng)],
        10 => {
            let mut c = vec![rng.pick(&["MSET", "MSETNX"]).into(), k(rng), v(rng)];
            if rng.chance(70) {
                c.extend([k(rng), v(rng)]);
            } else {
                c.push(k(rng));
            }
            c
        }
        11 => vec![
            rng.pick(&["SETNX", "APPEND", "GETSET"]).into(),
            k(rng),
            v(rng),
        ],
        12 => vec![
            rng.pick(&["SETEX", "PSETEX"]).into(),
            k(rng),
            rng.pick(&["100000", "0", "-1", "x", "1000000"]).into(),
            v(rng),
        ],
        13..=15 => match rng.below(4) {
            0 => vec!["INCR".into(), k(rng)],
            1 => vec!["DECR".into(), k(rng)],
            2 => vec!["INCRBY".into(), k(rng), n(rng)],
            _ => vec!["DECRBY".into(), k(rng), n(rng)],
        },
        16 => vec!["STRLEN".into(), k(rng)],
        17 => vec!["GETRANGE".into(), k(rng), n(rng), n(rng)],
        18 => vec!["SETRANGE".into(), k(rng), rng.below(12).to_string(), v(rng)],
        // Keys.
        19..=20 => vec![
            rng.pick(&["DEL", "UNLINK", "EXISTS", "TOUCH"]).into(),
            k(rng),
            k(rng),
        ],
        21 => vec!["TYPE".into(), k(rng)],
        22 => vec![rng.pick(&["RENAME", "RENAMENX"]).into(), k(rng), k(rng)],
        23 => {
            let mut c = vec![rng.pick(&["EXPIRE", "PEXPIRE"]).into(), k(rng)];
            c.push(
                rng.pick(&[
                    "100000",
                    "1000000",
                    "0",
                    "-1",
                    "abc",
                    "99999999999999999",
                    "500000",
                ])
                .into(),
            );
            if rng.chance(40) {
                c.push(rng.pick(&["NX", "XX", "GT", "LT", "bogus"]).into());
            }
            if rng.chance(10) {
                c.push(rng.pick(&["NX", "GT", "LT"]).into());
            }
            c
        }
        24 => vec![
            rng.pick(&["EXPIREAT", "PEXPIREAT"]).into(),
            k(rng),
            rng.pick(&["1", "4000000000", "4000000000000"]).into(),
        ],
        25 => vec![rng.pick(&["TTL", "PERSIST", "EXPIRETIME"]).into(), k(rng)],
        26 => {
            return (
                vec![
                    "KEYS".into(),
                    rng.pick(&["*", "?", "[ab]*", "*u*", "h[^x]sh", "\\*"])
                        .into(),
                ],
                Unordered,
            );
        }
        27 => vec!["DBSIZE".into()],
        // Lists.
        28..=31 => {
            let mut c = vec![
                rng.pick(&["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]).into(),
                k(rng),
            ];
            for _ in 0..=rng.below(3) {
                c.push(v(rng));
            }
            c
        }
        32..=33 => {
            let mut c = vec![rng.pick(&["LPOP", "RPOP"]).into(), k(rng)];
            if rng.chance(30) {
                c.push(rng.pick(&["0", "1", "3", "-1", "x"]).into());
            }
            c
        }
        34..=35 => vec!["LRANGE".into(), k(rng), n(rng), n(rng)],
        36 => vec!["LLEN".into(), k(rng)],
        37 => vec!["LINDEX".into(), k(rng), n(rng)],
        38 => vec!["LSET".into(), k(rng), n(rng), v(rng)],
        39 => vec!["LREM".into(), k(rng), n(rng), v(rng)],
        40 => vec!["LTRIM".into(), k(rng), n(rng), n(rng)],
        41 => vec![
            "LINSERT".into(),
            k(rng),
            rng.pick(&["BEFORE", "after", "x"]).into(),
            v(rng),
            v(rng),
        ],
        42 => vec!["RPOPLPUSH".into(), k(rng), k(rng)],
        43 => vec![
            "LMOVE".into(),
            k(rng),
            k(rng),
            rng.pick(ENDS).into(),
            rng.pick(ENDS).into(),
        ],
        44 => {
            let mut c = vec![rng.pick(&["BLPOP", "BRPOP"]).into(), k(rng)];
            if rng.chance(50) {
                c.push(k(rng));
            }
            c.push(rng.pick(&["0.01", "0.02", "-1", "x"]).into());
            c
        }
        45 => vec![
            "BLMOVE".into(),
            k(rng),
            k(rng),
            rng.pick(ENDS).into(),
            rng.pick(ENDS).into(),
            rng.pick(&["0.01", "-1"]).into(),
        ],
        // Hashes (values stay short and fields few, so Redis keeps them
        // as listpacks, whose order is defined).
        46..=49 => {
            let mut c = vec![rng.pick(&["HSET", "HMSET"]).into(), k(rng)];
            for _ in 0..=rng.below(2) {
                c.extend([rng.pick(FIELDS).into(), v(rng)]);
            }
            if rng.chance(5) {
                c.push("odd".into());
            }
            c
        }
        50 => vec!["HSETNX".into(), k(rng), rng.pick(FIELDS).into(), v(rng)],
        51..=52 => vec![
            rng.pick(&["HGET", "HEXISTS", "HSTRLEN"]).into(),
            k(rng),
            rng.pick(FIELDS).into(),
        ],
        53 => vec![
            "HMGET".into(),
            k(rng),
            rng.pick(FIELDS).into(),
            rng.pick(FIELDS).into(),
        ],
        54 => vec![
            "HDEL".into(),
            k(rng),
            rng.pick(FIELDS).into(),
            rng.pick(FIELDS).into(),
        ],
        55..=56 => vec![
            rng.pick(&["HGETALL", "HKEYS", "HVALS", "HLEN"]).into(),
            k(rng),
        ],
        57 => vec!["HINCRBY".into(), k(rng), rng.pick(FIELDS).into(), n(rng)],
        // Sets.
        58..=60 => {
            let mut c = vec![rng.pick(&["SADD", "SREM"]).into(), k(rng)];
            for _ in 0..=rng.below(3) {
                c.push(member(rng));
            }
            c
        }
        61..=62 => {
            let c = vec![rng.pick(&["SMEMBERS", "SCARD"]).into(), k(rng)];
            return (
                c,
                if pools.members == INT_MEMBERS {
                    Exact
                } else {
                    Unordered
                },
            );
        }
        63 => vec![
            rng.pick(&["SISMEMBER", "SMISMEMBER"]).into(),
            k(rng),
            member(rng),
        ],
        64 => vec!["SMOVE".into(), k(rng), k(rng), member(rng)],
        65 => {
            let c = vec![
                rng.pick(&["SINTER", "SUNION", "SDIFF"]).into(),
                k(rng),
                k(rng),
            ];
            return (
                c,
                if pools.members == INT_MEMBERS {
                    Exact
                } else {
                    Unordered
                },
            );
        }
        // Sorted sets.
        66..=69 => {
            let mut c = vec!["ZADD".into(), k(rng)];
            for _ in 0..rng.below(3) {
                c.push(rng.pick(&["NX", "XX", "GT", "LT", "CH", "INCR"]).into());
            }
            for _ in 0..=rng.below(2) {
                c.extend([rng.pick(SCORES).into(), member(rng)]);
            }
            c
        }
        70 => vec![
            "ZINCRBY".into(),
            k(rng),
            rng.pick(SCORES).into(),
            member(rng),
        ],
        71 => vec!["ZREM".into(), k(rng), member(rng), member(rng)],
        72 => vec![
            rng.pick(&["ZSCORE", "ZRANK", "ZREVRANK"]).into(),
            k(rng),
            member(rng),
        ],
        73 => vec!["ZMSCORE".into(), k(rng), member(rng), member(rng)],
        74 => vec!["ZCARD".into(), k(rng)],
        75 => vec![
            "ZCOUNT".into(),
            k(rng),
            rng.pick(RANGES).into(),
            rng.pick(RANGES).into(),
        ],
        76..=78 => {
            let by = rng.below(3);
            let (min, max) = match by {
                0 => (n(rng), n(rng)),
                1 => (rng.pick(RANGES).to_owned(), rng.pick(RANGES).to_owned()),
                _ => (rng.pick(LEX).to_owned(), rng.pick(LEX).to_owned()),
            };
            let mut c = vec!["ZRANGE".into(), k(rng), min, max];
            match by {
                1 => c.push("BYSCORE".into()),
                2 => c.push("BYLEX".into()),
                _ => {}
            }
            if rng.chance(30) {
                c.push("REV".into());
            }
            if rng.chance(30) {
                c.extend(["LIMIT".into(), n(rng), n(rng)]);
            }
            if rng.chance(40) {
                c.push("WITHSCORES".into());
            }
            c
        }
        79 => {
            let mut c = vec!["ZREVRANGE".into(), k(rng), n(rng), n(rng)];
            if rng.chance(50) {
                c.push("WITHSCORES".into());
            }
            c
        }
        80..=81 => {
            let mut c = vec![
                rng.pick(&["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]).into(),
                k(rng),
                rng.pick(RANGES).into(),
                rng.pick(RANGES).into(),
            ];
            if rng.chance(40) {
                c.push("WITHSCORES".into());
            }
            if rng.chance(30) {
                c.extend(["LIMIT".into(), n(rng), n(rng)]);
            }
            c
        }
        82 => vec![
            rng.pick(&["ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT"])
                .into(),
            k(rng),
            rng.pick(LEX).into(),
            rng.pick(LEX).into(),
        ],
        83 => vec![
            "ZREMRANGEBYSCORE".into(),
            k(rng),
            rng.pick(RANGES).into(),
            rng.pick(RANGES).into(),
        ],
        84 => vec!["ZREMRANGEBYRANK".into(), k(rng), n(rng), n(rng)],
        85 => {
            let mut c = vec![rng.pick(&["ZPOPMIN", "ZPOPMAX"]).into(), k(rng)];
            if rng.chance(50) {
                c.push(rng.pick(&["0", "1", "2", "-1", "x"]).into());
            }
            c
        }
        // Transactions.
        86 => s(&["MULTI"]),
        87 => s(&[rng.pick(&["EXEC", "EXEC", "DISCARD"])]),
        88 => vec!["WATCH".into(), k(rng)],
        89 => s(&["UNWATCH"]),
        // Pub/sub (channels of this stream only).
        90 => vec!["PUBLISH".into(), channel(rng), v(rng)],
        91 => vec![rng.pick(&["SUBSCRIBE", "UNSUBSCRIBE"]).into(), channel(rng)],
        92 => vec![
            rng.pick(&["PSUBSCRIBE", "PUNSUBSCRIBE"]).into(),
            format!("t{}:ch[01]", pools.db),
        ],
        93 => vec!["PUBSUB".into(), "NUMSUB".into(), channel(rng)],
        // Scripts (the one redis-py's Lock releases with).
        94 => {
            let body = include_str!("../../shared/src/redis/scripts/redis_py_lock_release.lua");
            match rng.below(4) {
                0 => vec!["SCRIPT".into(), "LOAD".into(), body.into()],
                1 => vec!["EVAL".into(), body.into(), "1".into(), k(rng), v(rng)],
                2 => vec![
                    "EVALSHA".into(),
                    "c3f8721cbb97f72bc19e972846bd7aaf91901658".into(),
                    "1".into(),
                    k(rng),
                    v(rng),
                ],
                _ => vec![
                    "SCRIPT".into(),
                    "EXISTS".into(),
                    "c3f8721cbb97f72bc19e972846bd7aaf91901658".into(),
                    "ffff".into(),
                ],
            }
        }
        // Connection and errors.
        95 => vec![rng.pick(&["PING", "ECHO"]).into(), v(rng)],
        96 => s(&[rng.pick(&["PING", "RESET", "DBSIZE"])]),
        97 => vec![
            "CLIENT".into(),
            rng.pick(&["SETNAME", "GETNAME", "NOPE"]).into(),
            rng.pick(&["me", "bad name", ""]).into(),
        ],
        98 => vec![rng.pick(&["AUTH", "nosuch", "get", "HSET"]).into(), v(rng)],
        _ => vec![
            "AUTH".into(),
            rng.pick(&["default", "alice"]).into(),
            "pw".into(),
        ],
    };
    (cmd, Exact)
}

/// Runs one stream on both servers; panics at the first divergence.
fn run_stream(
    servers: Servers,
    seed: u64,
    resp3: bool,
    members: &'static [&'static str],
    db: usize,
    count: usize,
) -> usize {
    let mut oracle = Resp::connect(servers.redis_addr);
    let mut fanout = Resp::connect(servers.fanout_addr);
    for conn in [&mut oracle, &mut fanout] {
        if resp3 {
            let hello = conn.call(&["HELLO", "3"]);
            assert!(
                matches!(&hello, Value::Aggregate(b'%', children) if children.len() == 14),
                "{hello:?}"
            );
        }
        let db = db.to_string();
        assert_eq!(conn.call(&["SELECT", &db]), Value::Line(b"+OK".to_vec()));
        assert_eq!(conn.call(&["FLUSHDB"]), Value::Line(b"+OK".to_vec()));
    }
    let mut pools = Pools {
        members,
        db,
        in_multi: false,
    };
    let mut rng = Rng(seed);
    let mut in_multi = false;
    let mut history: Vec<String> = Vec::new();
    let mut compared = 0;
    for index in 0..count {
        pools.in_multi = in_multi;
        let (args, compare) = command(&mut rng, &pools);
        let name = args[0].to_ascii_uppercase();
        history.push(args.join(" "));
        if std::env::var_os("FANOUT_DIFF_TRACE").is_some() {
            eprintln!("{index}: {}", args.join(" "));
        }
        let marker = format!("end-of-{index}");
        // Inside MULTI (or after MULTI) a marker would be queued: read
        // exactly one reply instead.
        let queued = in_multi || name == "MULTI";
        let transcripts: Vec<Vec<Value>> = [&mut oracle, &mut fanout]
            .into_iter()
            .map(|conn| {
                let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
                let mut request = redis_support::encode_command(&argv);
                if !queued {
                    request.extend(redis_support::encode_command(&[b"PING", marker.as_bytes()]));
                }
                conn.send(&request);
                let mut values = Vec::new();
                loop {
                    let value = conn.read_value();
                    let is_marker = !queued
                        && value
                            .bytes()
                            .windows(marker.len())
                            .any(|w| w == marker.as_bytes());
                    if is_marker {
                        break;
                    }
                    let done = queued && !value.is_push();
                    values.push(value);
                    if done {
                        break;
                    }
                }
                values
            })
            .collect();
        let normalise = |values: &[Value]| -> Vec<u8> {
            let mut out = Vec::new();
            for value in values {
                match compare {
                    Compare::Exact => value.encode(&mut out),
                    Compare::Unordered => value.sorted().encode(&mut out),
                }
            }
            out
        };
        let (want, got) = (normalise(&transcripts[0]), normalise(&transcripts[1]));
        if want != got {
            let recent = history[history.len().saturating_sub(12)..].join("\n  ");
            panic!(
                "divergence (seed {seed}, resp3 {resp3}, command {index}: {:?})\n  redis:  {:?}\n  fanout: {:?}\nlast commands:\n  {recent}",
                args.join(" "),
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got),
            );
        }
        compared += 1;
        if name == "RESET" {
            // RESET selects database 0, which other streams share: back
            // to this stream's own.
            for conn in [&mut oracle, &mut fanout] {
                assert_eq!(
                    conn.call(&["SELECT", &db.to_string()]),
                    Value::Line(b"+OK".to_vec())
                );
            }
        }
        if let Some(Value::Line(line)) = transcripts[0].last() {
            match name.as_str() {
                "MULTI" if line == b"+OK" => in_multi = true,
                "EXEC" | "DISCARD" | "RESET" => in_multi = false,
                _ => {}
            }
        } else if matches!(name.as_str(), "EXEC" | "DISCARD" | "RESET") {
            in_multi = false;
        }
    }
    println!("seed {seed} resp3 {resp3}: {compared} commands, 0 divergences");
    compared
}

/// The streams: (seed, RESP3, set members, database, commands).
const STREAMS: &[(u64, bool, &[&str], usize, usize)] = &[
    (1, false, INT_MEMBERS, 1, 3000),
    (2, false, MIXED_MEMBERS, 2, 3000),
    (3, true, INT_MEMBERS, 3, 3000),
    (4, true, MIXED_MEMBERS, 4, 3000),
    (11, false, INT_MEMBERS, 5, 2000),
    (12, false, MIXED_MEMBERS, 6, 2000),
    (13, true, INT_MEMBERS, 7, 2000),
    (14, true, MIXED_MEMBERS, 8, 2000),
];

/// One test, so that both servers are stopped however it ends; the
/// streams run side by side, each in a database of its own.
#[test]
fn random_command_streams_get_the_same_replies_as_redis() {
    let Some(binary) = tool("FANOUT_REDIS_SERVER") else {
        return;
    };
    let redis = RedisServer::start(&binary);
    let fanout = Fanout::start(&["--cache-nodes", "0"]);
    let servers = Servers {
        redis_addr: redis.addr,
        fanout_addr: fanout.redis.expect("the redis node is on"),
    };
    // FANOUT_DIFF_SEED=n runs one stream; FANOUT_DIFF_OFFSET=n shifts every
    // seed (to explore new streams by hand).
    let only: Option<u64> = std::env::var("FANOUT_DIFF_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok());
    let offset: u64 = std::env::var("FANOUT_DIFF_OFFSET")
        .ok()
        .and_then(|offset| offset.parse().ok())
        .unwrap_or(0);
    let total: usize = std::thread::scope(|scope| {
        let runs: Vec<_> = STREAMS
            .iter()
            .filter(|(seed, ..)| only.is_none_or(|wanted| wanted == *seed))
            .map(|&(seed, resp3, members, db, count)| {
                scope.spawn(move || run_stream(servers, seed + offset, resp3, members, db, count))
            })
            .collect();
        runs.into_iter()
            .map(|run| {
                run.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .sum()
    });
    println!("{total} commands compared, 0 divergences");
}
