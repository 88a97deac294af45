//! Property tests of the Redis model, fuzzing included: arbitrary bytes
//! and mutated valid requests, cut into arbitrary reads, through the
//! decoder and every command. Nothing may panic, every reply must be whole
//! RESP, the same bytes in one read must give the same replies, memory
//! accounting must stay exact and within the limit, and a hostile client
//! must not disturb another.

use proptest::prelude::*;

use super::{
    Decoded, Decoder, Flow, Limits, MemoryConfig, NodeInfo, Policy, Redis, command::COMMANDS,
};

const LIMIT: u64 = 256 << 10;
const NOW: u64 = 1_800_000_000_000;

fn model(policy: Policy) -> Redis {
    let info = NodeInfo {
        port: 6379,
        started: NOW,
        max_clients: 100,
    };
    let memory = MemoryConfig {
        limit: LIMIT,
        policy,
    };
    Redis::new(memory, 1 << 16, info, 7)
}

/// Feeds `chunks` as successive reads from connection 1; returns its
/// output and whether it was closed. A blocked client times out at once.
fn drive(redis: &mut Redis, chunks: &[Vec<u8>]) -> (Vec<u8>, bool) {
    let mut decoder = Decoder::new(Limits {
        max_bulk_len: 1 << 16,
    });
    let (mut input, mut out) = (Vec::new(), Vec::new());
    redis.connect(1, NOW);
    for chunk in chunks {
        input.extend_from_slice(chunk);
        let mut start = 0;
        loop {
            match decoder.decode(&input[start..]) {
                Decoded::Incomplete => break,
                Decoded::Skip(used) => start += used,
                Decoded::Error(error) => {
                    out.push(b'-');
                    out.extend_from_slice(error.to_string().as_bytes());
                    out.extend_from_slice(b"\r\n");
                    return (out, true);
                }
                Decoded::Request(args, used) => {
                    assert!(used > 0 && used <= input.len() - start);
                    let argv: Vec<&[u8]> = args.iter().map(|a| a.as_ref()).collect();
                    let flow = redis.handle(1, &argv, NOW, &mut out);
                    drop(args);
                    start += used;
                    match flow {
                        Flow::Continue => {}
                        Flow::Blocked { .. } => {
                            assert!(redis.time_out(1, &mut out));
                        }
                        Flow::Close | Flow::SecurityAttack => return (out, true),
                    }
                }
            }
        }
        input.drain(..start);
    }
    // Messages the connection published to itself, in RESP2, never go
    // through the outbox; nothing else may be queued for a lone client.
    assert!(redis.drain_outbox().all(|delivery| delivery.conn == 1));
    (out, false)
}

/// Whether `bytes` is a sequence of whole RESP2/RESP3 values.
fn whole_resp(mut bytes: &[u8]) -> bool {
    fn value(bytes: &[u8]) -> Option<usize> {
        let end = bytes.windows(2).position(|w| w == b"\r\n")?;
        let line = &bytes[1..end];
        let after = end + 2;
        let number = || std::str::from_utf8(line).ok()?.parse::<i64>().ok();
        match bytes.first()? {
            b'+' | b'-' | b':' | b',' | b'_' | b'#' => Some(after),
            b'$' | b'=' => {
                let len = number()?;
                if len < 0 {
                    return Some(after);
                }
                let total = after + len as usize + 2;
                (bytes.len() >= total && &bytes[total - 2..total] == b"\r\n").then_some(total)
            }
            b'*' | b'%' | b'~' | b'>' => {
                let count = number()?;
                let items = if bytes[0] == b'%' { count * 2 } else { count };
                let mut at = after;
                for _ in 0..items.max(0) {
                    at += value(&bytes[at..])?;
                }
                Some(at)
            }
            _ => None,
        }
    }
    while !bytes.is_empty() {
        match value(bytes) {
            Some(used) => bytes = &bytes[used..],
            None => return false,
        }
    }
    true
}

fn encode(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// An argument: short words and numbers that commands care about, or
/// arbitrary bytes.
fn argument() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "k",
            "list",
            "h",
            "0",
            "1",
            "-1",
            "2",
            "10",
            "inf",
            "-inf",
            "(1",
            "[a",
            "+",
            "-",
            "NX",
            "XX",
            "GT",
            "LT",
            "CH",
            "INCR",
            "EX",
            "PX",
            "KEEPTTL",
            "GET",
            "WITHSCORES",
            "LIMIT",
            "BYSCORE",
            "BYLEX",
            "REV",
            "LEFT",
            "RIGHT",
            "BEFORE",
            "AFTER",
            "MATCH",
            "COUNT",
            "TYPE",
            "*",
            "ch",
            "0.01",
            "3",
            "9223372036854775807",
            "nan",
            "",
        ])
        .prop_map(|word| word.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..12),
        (0usize..3000).prop_map(|len| vec![b'v'; len]),
    ]
}

/// A request naming any command of the table (or a subcommand), with
/// arguments of any number.
fn request() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let names: Vec<String> = COMMANDS
        .iter()
        .flat_map(|spec| {
            let mut names = vec![spec.name.to_owned()];
            names.extend(
                spec.subcommands
                    .iter()
                    .map(|sub| format!("{} {}", spec.name, sub.name)),
            );
            names
        })
        .chain(["quit".to_owned(), "nosuch".to_owned()])
        .collect();
    (
        prop::sample::select(names),
        prop::collection::vec(argument(), 0..7),
    )
        .prop_map(|(name, args)| {
            let mut request: Vec<Vec<u8>> =
                name.split(' ').map(|w| w.as_bytes().to_vec()).collect();
            request.extend(args);
            request
        })
}

/// Protocol-shaped noise: whole requests, pieces of frames, and bytes.
fn noise() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => request().prop_map(|args| encode(&args)),
        1 => request().prop_map(|args| {
            let mut line = args.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>().join(" ").into_bytes();
            line.extend_from_slice(b"\r\n");
            line
        }),
        1 => prop::sample::select(vec![
            "*3\r\n", "$5\r\n", "*-1\r\n", "$-1\r\n", "*0\r\n", "\r\n", "\n", "\"", "'",
            "*1\r\n$70000\r\n", "*2147483648\r\n", "POST / HTTP/1.1\r\n", "MULTI\r\n", "EXEC\r\n",
        ])
        .prop_map(|bytes| bytes.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn cut(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    let mut rest = bytes;
    for cut in cuts.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = (*cut).min(rest.len());
        chunks.push(rest[..n].to_vec());
        rest = &rest[n..];
    }
    chunks
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_bytes_give_whole_replies_and_exact_bounded_memory(
        bytes in prop_oneof![noise(), prop::collection::vec(any::<u8>(), 0..3000)],
        cuts in prop::collection::vec(1usize..80, 1..20),
        evicting in any::<bool>(),
    ) {
        let policy = if evicting { Policy::AllKeysLru } else { Policy::NoEviction };
        let mut redis = model(policy);
        let (out, _) = drive(&mut redis, &cut(&bytes, &cuts));
        prop_assert!(whole_resp(&out), "not whole RESP: {:?}", String::from_utf8_lossy(&out));
        prop_assert_eq!(redis.used_memory(), redis.recount_memory());
        // The limit is checked before each command that may grow the
        // data, so one request may pass it by at most its own size.
        prop_assert!(redis.used_memory() <= LIMIT + bytes.len() as u64 * 3 + 4096);
        // The same bytes in one read give the same replies.
        let mut fresh = model(policy);
        let (whole, _) = drive(&mut fresh, std::slice::from_ref(&bytes));
        prop_assert_eq!(whole, out);
    }

    #[test]
    fn every_command_survives_arbitrary_arguments(
        requests in prop::collection::vec(request(), 1..60),
        resp3 in any::<bool>(),
    ) {
        let mut redis = model(Policy::NoEviction);
        let mut bytes = Vec::new();
        if resp3 {
            bytes.extend(encode(&[b"HELLO".to_vec(), b"3".to_vec()]));
        }
        for request in &requests {
            bytes.extend(encode(request));
        }
        let (out, _) = drive(&mut redis, &[bytes]);
        prop_assert!(whole_resp(&out), "not whole RESP: {:?}", String::from_utf8_lossy(&out));
        prop_assert_eq!(redis.used_memory(), redis.recount_memory());
    }
}

#[test]
fn a_hostile_client_leaves_another_unharmed() {
    let mut redis = model(Policy::NoEviction);
    let mut out = Vec::new();
    redis.connect(2, NOW);
    redis.handle(2, &[b"SET", b"mine", b"1"], NOW, &mut out);
    let (_, closed) = drive(
        &mut redis,
        &[b"POST / HTTP/1.1\r\nHost: x\r\n\r\nFLUSHALL\r\n".to_vec()],
    );
    assert!(closed);
    out.clear();
    redis.handle(2, &[b"GET", b"mine"], NOW, &mut out);
    assert_eq!(out, b"$1\r\n1\r\n");
}

#[test]
fn waiting_clients_are_served_in_arrival_order() {
    let mut redis = model(Policy::NoEviction);
    let mut out = Vec::new();
    for conn in [1, 2, 3] {
        redis.connect(conn, NOW);
        let flow = redis.handle(conn, &[b"BRPOP", b"q", b"0"], NOW, &mut out);
        assert_eq!(flow, Flow::Blocked { deadline: None });
    }
    redis.connect(4, NOW);
    redis.handle(4, &[b"LPUSH", b"q", b"x", b"y"], NOW, &mut out);
    assert_eq!(out, b":2\r\n");
    let served: Vec<(u64, Vec<u8>)> = redis
        .drain_outbox()
        .map(|delivery| (delivery.conn, delivery.bytes))
        .collect();
    assert_eq!(
        served,
        vec![
            (1, b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n".to_vec()),
            (2, b"*2\r\n$1\r\nq\r\n$1\r\ny\r\n".to_vec()),
        ]
    );
    // The third still waits, and times out with a null array.
    out.clear();
    assert!(redis.time_out(3, &mut out));
    assert_eq!(out, b"*-1\r\n");
    assert!(!redis.time_out(1, &mut out));
}
