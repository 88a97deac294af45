//! get, gets, gat, gats: `VALUE <key> <flags> <bytes> [<cas>]`, the data,
//! then one `END`; misses are left out.

use fanout_shared::cache::Cache;

use super::{
    Ctx,
    parse::{KEY_MAX, Request, Tokens, i32_token},
    reply,
};

/// A read of one or more keys.
#[derive(Debug)]
pub struct Get<'a> {
    tokens: Tokens<'a>,
    /// Index of the first key among the tokens.
    first_key: usize,
    /// gets/gats: include the cas unique.
    with_cas: bool,
    /// gat/gats: the new exptime.
    touch: Option<i64>,
}

pub fn parse<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    if tokens.ntokens() < 3 {
        return Request::Reply("ERROR", false);
    }
    let command = tokens.at(0);
    let with_cas = command.ends_with(b"s");
    let (touch, first_key) = if command.starts_with(b"gat") {
        match i32_token(tokens.at(1)) {
            Some(exptime) => (Some(i64::from(exptime)), 2),
            None => return Request::Reply("CLIENT_ERROR invalid exptime argument", false),
        }
    } else {
        (None, 1)
    };
    Request::Get(Get {
        tokens: *tokens,
        first_key,
        with_cas,
        touch,
    })
}

/// Once this much output is pending, a read stops so the connection can
/// send it: one connection's buffer stays bounded however many large
/// values a single `get` names.
pub const OUTPUT_HIGH_WATER: usize = 1 << 20;

/// Answers the keys from number `from` on. Returns the number of the next
/// key when it stopped early to let the output drain, `None` when done.
pub fn execute(
    get: &Get<'_>,
    from: usize,
    cache: &mut Cache,
    ctx: &Ctx,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let start = out.len();
    let keys = get
        .tokens
        .iter()
        .skip(get.first_key)
        .chain(
            get.tokens
                .rest
                .split(|&b| b == b' ')
                .filter(|k| !k.is_empty()),
        )
        .enumerate()
        .skip(from);
    for (index, key) in keys {
        if out.len() > OUTPUT_HIGH_WATER {
            return Some(index);
        }
        if key.len() > KEY_MAX {
            // memcached takes back what it had already answered (here: what
            // has not been sent yet).
            out.truncate(if from == 0 { start } else { out.len() });
            reply::line(out, "CLIENT_ERROR bad command line format");
            return None;
        }
        let item = match get.touch {
            Some(exptime) => cache.get_and_touch(key, exptime, ctx.now, ctx.conn),
            None => cache.get(key, ctx.now, ctx.conn),
        };
        if let Some(item) = item {
            out.extend_from_slice(b"VALUE ");
            out.extend_from_slice(item.key);
            out.push(b' ');
            reply::number(out, u64::from(item.flags));
            out.push(b' ');
            reply::number(out, item.value.len() as u64);
            if get.with_cas {
                out.push(b' ');
                reply::number(out, item.cas);
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(item.value);
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"END\r\n");
    None
}
