//! Fanout's cache nodes: real TCP servers speaking memcached's text and
//! meta protocols over the shared cache model (`fanout_shared::cache`).
//!
//! As in pelikan, the protocol is kept apart from storage: the model knows
//! nothing of bytes on a wire, and this module knows nothing of LRU lists.
//!
//! - [`parse`]: incremental framing and tokenizing (`Incomplete` for a
//!   partial request); [`http_guard`]: hanging up on HTTP requests (a web
//!   page must not drive a cache on localhost);
//! - one file per command family, each with its `parse_*` and `execute`:
//!   [`retrieval`] (get, gets, gat, gats), [`storage`] (set, add, replace,
//!   append, prepend, cas), [`arithmetic`] (incr, decr), [`keys`] (delete,
//!   touch), [`admin`] (flush_all, version, verbosity, quit,
//!   cache_memlimit, slabs automove), [`stats`], [`meta`] (mg, ms, md, ma,
//!   mn, me);
//! - [`reply`]: writing answers;
//! - [`connection`]: one client's read–parse–execute–write loop;
//! - [`node`]: one cache and its listener; [`cluster`]: the N nodes of
//!   `fanout serve`;
//! - [`watch`]: memcached's `watch` lines, from the cache's event stream;
//! - [`crawler`]: `lru_crawler metadump` (every live item) and its kin;
//! - [`observer`]: the lab's view of a real memcached (`--observe-memcached`),
//!   read with `lru_crawler metadump`, `stats` and `watch`.

pub mod admin;
pub mod arithmetic;
pub mod clock;
pub mod cluster;
pub mod connection;
pub mod crawler;
pub mod http_guard;
pub mod keys;
pub mod meta;
pub mod node;
pub mod observer;
pub mod parse;
pub mod reply;
pub mod retrieval;
pub mod stats;
pub mod storage;
pub mod watch;
pub mod workers;

use fanout_shared::cache::{Cache, ConnId};

pub use cluster::Cluster;
pub use node::{Node, NodeSettings};
use parse::Request;

/// What a request runs with besides the cache.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub conn: ConnId,
    /// Unix seconds.
    pub now: u64,
    pub node: &'a node::Counters,
}

/// Whether the connection goes on after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Close,
}

/// Runs one request against the cache, writing its answer to `out`.
/// (Multi-key reads go through [`retrieval::execute`] so they can pause.)
pub fn execute(request: &Request<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) -> Flow {
    match request {
        Request::Get(get) => {
            let mut from = 0;
            while let Some(next) = retrieval::execute(get, from, cache, ctx, out) {
                from = next;
            }
        }
        Request::Store(store) => storage::execute(store, cache, ctx, out),
        Request::Swallow(swallow) => storage::execute_swallow(swallow, cache, ctx, out),
        Request::Arith(arith) => arithmetic::execute(arith, cache, ctx, out),
        Request::Delete(delete) => keys::execute_delete(delete, cache, ctx, out),
        Request::Touch(touch) => keys::execute_touch(touch, cache, ctx, out),
        Request::Admin(admin) => return admin::execute(admin, cache, ctx, out),
        Request::Stats(stats) => stats::execute(stats, cache, ctx, out),
        Request::Meta(meta) => {
            ctx.node
                .cmd_meta
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            meta::execute(meta, cache, ctx, out)
        }
        // The connection turns into a watch stream before this
        // (`connection.rs`); a caller without a stream only gets the
        // acknowledgement.
        Request::Watch(_) => reply::line(out, "OK"),
        // `connection.rs` lets go of the cache between chunks; a caller
        // without a stream gets the whole answer at once.
        Request::Crawler(crawler::Crawler::Metadump(classes)) => {
            let mut from = 0;
            while let Some(next) = crawler::metadump(*classes, from, cache, ctx, out) {
                from = next;
            }
        }
        Request::Crawler(crawler::Crawler::Crawl) => {
            let mut looked = 0;
            while !crawler::crawl(&mut looked, cache, ctx, out) {}
        }
        Request::Reply(text, noreply) => {
            if !noreply {
                reply::line(out, text);
            }
        }
    }
    Flow::Continue
}

/// The current unix time in whole seconds.
/// Reads `--cache-growth-factor`: a number greater than 1, as memcached
/// requires of `-f`.
pub fn parse_growth_factor(text: &str) -> Result<f64, String> {
    use fanout_shared::cache::slabs::{BadSlabSettings, SlabSettings};
    let growth_factor: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    let settings = SlabSettings {
        growth_factor,
        ..SlabSettings::default()
    };
    match settings.check() {
        Ok(_) => Ok(growth_factor),
        Err(BadSlabSettings::FactorNotAboveOne | BadSlabSettings::MinChunkZero) => {
            Err("the growth factor must be greater than 1".into())
        }
    }
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod fuzz {
    //! Arbitrary bytes, cut into arbitrary reads, through the parser and
    //! the commands: no panic, every answer a whole line, and the buffered
    //! input bounded as the connection's comments promise.

    use std::sync::atomic::AtomicU64;

    use fanout_shared::cache::{Cache, DEFAULT_ITEM_SIZE_MAX};
    use proptest::prelude::*;

    use super::{
        Ctx, Flow, execute,
        node::Counters,
        parse::{MAX_GET_LINE, Parse, parse},
    };

    /// What one connection may hold: an incomplete request (at most a get
    /// line or a storage line plus its block) plus one read.
    const INPUT_BOUND: usize = MAX_GET_LINE + DEFAULT_ITEM_SIZE_MAX as usize + 4096;

    /// Feeds `chunks` as successive reads; returns the output and whether
    /// the connection was closed.
    fn drive(cache: &mut Cache, chunks: &[Vec<u8>]) -> (Vec<u8>, bool) {
        let counters = Counters {
            started: AtomicU64::new(0),
            ..Counters::default()
        };
        let ctx = Ctx {
            conn: 1,
            now: 1_700_000_000,
            node: &counters,
        };
        let (mut input, mut out, mut swallow) = (Vec::new(), Vec::new(), 0usize);
        for chunk in chunks {
            input.extend_from_slice(chunk);
            let mut start = 0;
            loop {
                if swallow > 0 {
                    let skipped = swallow.min(input.len() - start);
                    start += skipped;
                    swallow -= skipped;
                    if swallow > 0 {
                        break;
                    }
                }
                match parse(&input[start..], DEFAULT_ITEM_SIZE_MAX) {
                    Parse::Incomplete => break,
                    Parse::Close(line) => {
                        if let Some(line) = line {
                            super::reply::line(&mut out, line);
                        }
                        return (out, true);
                    }
                    Parse::Hangup => return (Vec::new(), true),
                    Parse::Done(request, used) => {
                        assert!(used > 0 && used <= input.len() - start);
                        if let super::parse::Request::Swallow(refused) = &request {
                            swallow = refused.bytes;
                        }
                        if execute(&request, cache, &ctx, &mut out) == Flow::Close {
                            return (out, true);
                        }
                        start += used;
                    }
                }
            }
            input.drain(..start);
            assert!(input.len() <= INPUT_BOUND, "{} bytes buffered", input.len());
        }
        (out, false)
    }

    /// Protocol-shaped noise: real command words, numbers, flags and
    /// separators mixed with arbitrary bytes.
    fn noisy_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"get ".to_vec()),
            Just(b"gets ".to_vec()),
            Just(b"set k 0 0 3\r\n".to_vec()),
            Just(b"set k 0 0 ".to_vec()),
            Just(b"cas k 0 0 1 ".to_vec()),
            Just(b"incr k ".to_vec()),
            Just(b"mg k v c t ".to_vec()),
            Just(b"ms k 2 ".to_vec()),
            Just(b"ma k N0 ".to_vec()),
            Just(b"md k q ".to_vec()),
            Just(b"md k I T5 ".to_vec()),
            Just(b"mg k N30 R5 v k b ".to_vec()),
            Just(b"ms Zm9v 2 b C1 I ".to_vec()),
            Just(b"watch fetchers ".to_vec()),
            Just(b"slabs automove ".to_vec()),
            Just(b"flush_all ".to_vec()),
            Just(b"stats ".to_vec()),
            Just(b"gat 10 ".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            Just(b" ".to_vec()),
            Just(b"noreply".to_vec()),
            Just(b"-1".to_vec()),
            Just(b"18446744073709551615".to_vec()),
            Just(b"4294967296".to_vec()),
            prop::collection::vec(any::<u8>(), 0..40),
        ];
        prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn arbitrary_bytes_never_panic_and_answers_are_whole_lines(
            bytes in prop_oneof![noisy_bytes(), prop::collection::vec(any::<u8>(), 0..2000)],
            cuts in prop::collection::vec(1usize..64, 1..20),
        ) {
            let mut chunks = Vec::new();
            let mut rest = &bytes[..];
            for cut in cuts.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let n = (*cut).min(rest.len());
                chunks.push(rest[..n].to_vec());
                rest = &rest[n..];
            }
            let mut cache = Cache::new(1 << 20);
            let (out, _) = drive(&mut cache, &chunks);
            prop_assert!(out.is_empty() || out.ends_with(b"\r\n"));
            // The same bytes in one read give the same answers.
            let mut fresh = Cache::new(1 << 20);
            let (whole, _) = drive(&mut fresh, std::slice::from_ref(&bytes));
            prop_assert_eq!(whole, out);
            prop_assert!(cache.stats().bytes <= cache.limit());
        }
    }

    #[test]
    fn a_long_line_without_newline_closes_and_memory_stays_bounded() {
        let mut cache = Cache::new(1 << 20);
        let chunk = vec![b'x'; 64 * 1024];
        let chunks: Vec<_> = std::iter::repeat_n(chunk, 1600).collect();
        let (_, closed) = drive(&mut cache, &chunks);
        assert!(closed);
        let mut get = b"get ".to_vec();
        get.extend(vec![b'k'; 64 * 1024]);
        let mut chunks = vec![get];
        chunks.extend(std::iter::repeat_n(vec![b'k'; 64 * 1024], 1600));
        let (out, closed) = drive(&mut cache, &chunks);
        assert!(closed);
        assert_eq!(
            out,
            b"SERVER_ERROR out of memory reading request\r\n".to_vec()
        );
    }

    #[test]
    fn a_huge_announced_size_is_refused_and_its_data_skipped() {
        let mut cache = Cache::new(1 << 20);
        let mut chunks = vec![b"set k 0 0 104857600\r\n".to_vec()];
        chunks.extend(std::iter::repeat_n(vec![b'v'; 1 << 20], 100));
        chunks.push(b"\r\nget k\r\n".to_vec());
        let (out, closed) = drive(&mut cache, &chunks);
        assert!(!closed);
        assert_eq!(
            out,
            b"SERVER_ERROR object too large for cache\r\nEND\r\n".to_vec()
        );
    }
}
