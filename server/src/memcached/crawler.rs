//! `lru_crawler`: memcached's crawler commands, as 1.6.18 answers them
//! (`process_lru_crawler_command`, `crawler.c`).
//!
//! `metadump` is how a tool learns the keys a server already holds (Fanout's
//! own `--observe-memcached` reads real memcached that way, and can read a
//! node the same way): one line per live item, `key=<url-encoded> exp=<unix
//! time, -1 never> la=<unix time of its last move to the head> cas=…
//! fetch=yes|no cls=<class> size=<whole item>`, then `END`. memcached's
//! crawler thread walks the LRUs while commands go on; a node lists its
//! items in slab order a chunk at a time, letting go of the cache between
//! chunks, so a dump never stalls the other clients and an item stored or
//! removed meanwhile may or may not be listed, as there.
//!
//! `crawl` reclaims expired items at once, of every class whatever the ids,
//! in chunks the same way (the node's sweep does it anyway, a little at a
//! time). `tocrawl`, `sleep`, `enable` and `disable` are checked and
//! answered as memcached's running crawler answers them, and change
//! nothing: a node's crawler has no thread to tune or stop (after
//! `disable`, memcached refuses `metadump`; a node goes on answering).

use fanout_shared::cache::Cache;

use super::{Ctx, parse::Request, parse::Tokens, reply};

/// Slots looked at per hold of the cache lock. A chunk's lines are at most
/// a few hundred KiB even with 250-byte keys, each escaped to three bytes.
const CHUNK_SLOTS: usize = 1_000;

/// memcached's `MAX_NUMBER_OF_SLAB_CLASSES`: class ids run below it.
const CLASS_LIMIT: u64 = 64;

/// A crawler command that needs the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crawler {
    /// `lru_crawler metadump all|hash|<ids>`.
    Metadump(Classes),
    /// `lru_crawler crawl all|<ids>`.
    Crawl,
}

/// Which slab classes a command covers: bit `id` for class `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classes(u64);

impl Classes {
    const ALL: Classes = Classes(u64::MAX);

    fn contains(self, class: u32) -> bool {
        class < u64::BITS && self.0 & (1 << class) != 0
    }

    /// memcached's `lru_crawler_crawl` list: `all`, or class ids between
    /// commas (empty pieces skipped). `None`: a bad id (`BADCLASS`).
    fn parse(token: &[u8]) -> Option<Classes> {
        if token == b"all" {
            return Some(Classes::ALL);
        }
        let mut classes = 0u64;
        for piece in token.split(|&b| b == b',').filter(|p| !p.is_empty()) {
            let id = super::parse::u64_token(piece).filter(|id| (1..CLASS_LIMIT).contains(id))?;
            classes |= 1 << id;
        }
        Some(Classes(classes))
    }
}

pub fn parse<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    const BAD_FORMAT: &str = "CLIENT_ERROR bad command line format";
    match (tokens.ntokens(), tokens.get(1)) {
        (4, Some(b"metadump")) => {
            if tokens.at(2) == b"hash" {
                return Request::Crawler(Crawler::Metadump(Classes::ALL));
            }
            classes_or_refusal(tokens.at(2), Crawler::Metadump)
        }
        // memcached walks the hash table only to dump it.
        (4, Some(b"crawl")) if tokens.at(2) == b"hash" => {
            Request::Reply("ERROR an unknown error happened", false)
        }
        (4, Some(b"crawl")) => classes_or_refusal(tokens.at(2), |_| Crawler::Crawl),
        (4, Some(b"tocrawl")) => match super::parse::u32_token(tokens.at(2)) {
            Some(_) => Request::Reply("OK", false),
            None => Request::Reply(BAD_FORMAT, false),
        },
        (4, Some(b"sleep")) => match super::parse::u32_token(tokens.at(2)) {
            Some(microseconds) if microseconds > 1_000_000 => {
                Request::Reply("CLIENT_ERROR sleep must be one second or less", false)
            }
            Some(_) => Request::Reply("OK", false),
            None => Request::Reply(BAD_FORMAT, false),
        },
        // memcached's crawler runs from the start, so starting it again
        // fails there; a node's is always there.
        (3, Some(b"enable")) => Request::Reply("ERROR failed to start lru crawler thread", false),
        (3, Some(b"disable")) => Request::Reply("OK", false),
        _ => Request::Reply("ERROR", false),
    }
}

fn classes_or_refusal<'a>(token: &[u8], command: impl FnOnce(Classes) -> Crawler) -> Request<'a> {
    match Classes::parse(token) {
        Some(Classes(0)) => Request::Reply("NOTSTARTED no items to crawl", false),
        Some(classes) => Request::Crawler(command(classes)),
        None => Request::Reply("BADCLASS invalid class id", false),
    }
}

/// Lists the live items of `classes` from slot `from` on, a chunk at a
/// time. Returns the slot to go on from, `None` once `END` is written.
pub fn metadump(
    classes: Classes,
    from: usize,
    cache: &Cache,
    ctx: &Ctx,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let next = cache.dump(from, CHUNK_SLOTS, ctx.now, |line| {
        if classes.contains(line.cls) {
            line.write(out);
        }
    });
    if next.is_none() {
        reply::line(out, "END");
    }
    next
}

/// One chunk of `crawl`: reclaims the expired items of the next
/// [`CHUNK_SLOTS`] slots. Returns whether the whole slab is done, counting
/// the slots looked at in `looked`; writes `OK` at the end.
pub fn crawl(looked: &mut usize, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) -> bool {
    cache.sweep(ctx.now, CHUNK_SLOTS);
    *looked += CHUNK_SLOTS;
    let done = *looked >= cache.slot_count();
    if done {
        reply::line(out, "OK");
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_lists_read_as_memcached_reads_them() {
        assert_eq!(Classes::parse(b"all"), Some(Classes::ALL));
        assert_eq!(Classes::parse(b"1,3"), Some(Classes(0b1010)));
        assert_eq!(Classes::parse(b",,2,"), Some(Classes(0b100)));
        assert_eq!(Classes::parse(b","), Some(Classes(0)));
        assert_eq!(Classes::parse(b"63"), Some(Classes(1 << 63)));
        for bad in [&b"0"[..], b"64", b"x", b"1,-2", b"1,2x"] {
            assert_eq!(
                Classes::parse(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(Classes(0b10).contains(1));
        assert!(!Classes(0b10).contains(2));
    }
}
