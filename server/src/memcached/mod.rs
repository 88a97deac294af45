//! Fanout's cache nodes: real TCP servers speaking memcached's text and
//! meta protocols over the shared cache model (`fanout_shared::cache`).
//!
//! As in pelikan, the protocol is kept apart from storage: the model knows
//! nothing of bytes on a wire, and this module knows nothing of LRU lists.
//!
//! - [`parse`]: incremental framing and tokenizing (`Incomplete` for a
//!   partial request);
//! - one file per command family, each with its `parse_*` and `execute`:
//!   [`retrieval`] (get, gets, gat, gats), [`storage`] (set, add, replace,
//!   append, prepend, cas), [`arithmetic`] (incr, decr), [`keys`] (delete,
//!   touch), [`admin`] (flush_all, version, verbosity, quit,
//!   cache_memlimit), [`stats`], [`meta`] (mg, ms, md, ma, mn);
//! - [`reply`]: writing answers;
//! - [`connection`]: one client's read–parse–execute–write loop;
//! - [`node`]: one cache and its listener; [`cluster`]: the N nodes of
//!   `fanout serve`.

pub mod admin;
pub mod arithmetic;
pub mod cluster;
pub mod connection;
pub mod keys;
pub mod meta;
pub mod node;
pub mod parse;
pub mod reply;
pub mod retrieval;
pub mod stats;
pub mod storage;

use fanout_shared::cache::{Cache, ConnId};

pub use cluster::Cluster;
pub use node::Node;
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
        Request::Reply(text, noreply) => {
            if !noreply {
                reply::line(out, text);
            }
        }
    }
    Flow::Continue
}

/// The current unix time in whole seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
