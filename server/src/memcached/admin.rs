//! Commands about the server rather than an item: flush_all, version,
//! verbosity, quit, cache_memlimit, slabs automove.

use fanout_shared::cache::Cache;

use super::{
    Ctx, Flow,
    parse::{Request, Tokens, flags_token, i32_token, u64_token},
    reply,
};

/// The version this node reports: the protocol level it follows, marked
/// as Fanout's.
pub const VERSION: &str = "1.6.18-fanout";

#[derive(Debug)]
pub enum Admin {
    FlushAll {
        delay: i64,
        noreply: bool,
    },
    Version,
    Verbosity {
        noreply: bool,
    },
    Quit,
    MemLimit {
        mebibytes: u64,
        noreply: bool,
    },
    /// `slabs automove <0|1|2>` or `slabs automove ratio <x>`: accepted
    /// and answered as memcached does. A node has no slab mover to tune,
    /// so the setting changes nothing.
    SlabsAutomove {
        noreply: bool,
    },
}

pub fn parse<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    let ntokens = tokens.ntokens();
    let noreply = tokens.noreply();
    match tokens.at(0) {
        b"version" => Request::Admin(Admin::Version),
        b"quit" => Request::Admin(Admin::Quit),
        b"flush_all" => {
            if !(2..=4).contains(&ntokens) {
                return Request::Reply("ERROR", false);
            }
            let delay = if ntokens == if noreply { 3 } else { 2 } {
                0
            } else {
                match i32_token(tokens.at(1)) {
                    Some(delay) => i64::from(delay),
                    None => {
                        return Request::Reply("CLIENT_ERROR invalid exptime argument", noreply);
                    }
                }
            };
            Request::Admin(Admin::FlushAll { delay, noreply })
        }
        b"verbosity" => {
            if ntokens != 3 && ntokens != 4 {
                return Request::Reply("ERROR", false);
            }
            if u64_token(tokens.at(1)).is_none() {
                return Request::Reply("CLIENT_ERROR bad command line format", noreply);
            }
            Request::Admin(Admin::Verbosity { noreply })
        }
        b"slabs" => parse_slabs(tokens),
        _ => {
            // cache_memlimit
            if ntokens != 3 && ntokens != 4 {
                return Request::Reply("ERROR", false);
            }
            match u64_token(tokens.at(1)) {
                Some(mebibytes) if mebibytes < 8 => Request::Reply(
                    "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m",
                    noreply,
                ),
                Some(mebibytes) => Request::Admin(Admin::MemLimit { mebibytes, noreply }),
                None => Request::Reply("ERROR", noreply),
            }
        }
    }
}

/// memcached's `process_slabs_command`, for `automove`. (`slabs reassign`
/// moves pages between slab classes, which a node does not model: it gets
/// `ERROR`.)
fn parse_slabs<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    let ntokens = tokens.ntokens();
    if ntokens < 4 || tokens.at(1) != b"automove" {
        return Request::Reply("ERROR", false);
    }
    let noreply = tokens.noreply();
    if tokens.at(2) == b"ratio" {
        if ntokens < 5 || c_double(tokens.at(3)).is_none() {
            return Request::Reply("ERROR", noreply);
        }
        return Request::Admin(Admin::SlabsAutomove { noreply });
    }
    match flags_token(tokens.at(2)) {
        None => Request::Reply("CLIENT_ERROR bad command line format", noreply),
        Some(0..=2) => Request::Admin(Admin::SlabsAutomove { noreply }),
        Some(_) => Request::Reply("ERROR", noreply),
    }
}

/// memcached's `safe_strtod` on a whole token: a decimal number, or C's
/// `inf`/`nan` spellings; out of range (`1e999`) is refused.
fn c_double(token: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(token).ok()?;
    let value: f64 = text.parse().ok()?;
    let spelled_infinite = text.to_ascii_lowercase().contains("inf");
    (!value.is_infinite() || spelled_infinite).then_some(value)
}

pub fn execute(admin: &Admin, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) -> Flow {
    match *admin {
        Admin::FlushAll { delay, noreply } => {
            cache.flush_all(delay, ctx.now, ctx.conn);
            if !noreply {
                reply::line(out, "OK");
            }
        }
        Admin::Version => {
            out.extend_from_slice(b"VERSION ");
            reply::line(out, VERSION);
        }
        Admin::Verbosity { noreply } => {
            if !noreply {
                reply::line(out, "OK");
            }
        }
        Admin::Quit => return Flow::Close,
        Admin::SlabsAutomove { noreply } => {
            if !noreply {
                reply::line(out, "OK");
            }
        }
        Admin::MemLimit { mebibytes, noreply } => {
            cache.set_limit(mebibytes.saturating_mul(1 << 20), ctx.now, ctx.conn);
            if !noreply {
                reply::line(out, "OK");
            }
        }
    }
    Flow::Continue
}
