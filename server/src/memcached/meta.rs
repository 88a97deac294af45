//! The meta commands of memcached 1.6: mg (get), ms (set), md (delete),
//! ma (arithmetic) and mn (no-op). Each is `<cmd> <key> [datalen] <flag>*`
//! with single-letter flags, some carrying a token (`T30`, `Oabc`).
//! Return flags are echoed in the order the client gave them.

use fanout_shared::cache::{Arith, Cache, StoreMode, StoreOutcome, expiry, item_size};

use super::{
    Ctx,
    parse::{KEY_MAX, Parse, Request, Tokens, flags_token, i32_token, u64_token},
    reply,
    storage::Swallow,
};

/// Which meta command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Get,
    Set,
    Delete,
    Arith,
    /// me: what memcached knows about an item, for people.
    Debug,
}

/// A parsed meta command.
#[derive(Debug)]
pub struct Meta<'a> {
    kind: Kind,
    key: &'a [u8],
    flags: Flags<'a>,
    /// ms: the data block (`None` when it did not end in "\r\n").
    data: Option<&'a [u8]>,
}

/// The flags of one meta command.
#[derive(Debug, Default)]
struct Flags<'a> {
    /// Flags to echo back, in the client's order.
    echo: Vec<u8>,
    opaque: Option<&'a [u8]>,
    value: bool,
    quiet: bool,
    /// T: a new TTL.
    ttl: Option<i64>,
    /// N: create on miss with this TTL.
    vivify: Option<i64>,
    /// F: client flags for ms.
    client_flags: u32,
    /// C: compare cas.
    compare: Option<u64>,
    /// M: mode letter.
    mode: Option<u8>,
    /// D: delta for ma.
    delta: Option<u64>,
    /// J: initial value for ma with N.
    initial: Option<u64>,
    /// `t` came before `T`: memcached applies flags in order, so `t` then
    /// reports the TTL from before the touch.
    ttl_before_touch: bool,
}

const BAD_FORMAT: &str = "CLIENT_ERROR bad command line format";
const BAD_TOKEN: &str = "CLIENT_ERROR bad token in command line format";

/// Parses a meta command line (and an ms data block).
pub fn parse<'a>(
    tokens: &Tokens<'a>,
    data: &'a [u8],
    after: usize,
    item_size_max: u64,
) -> Parse<'a> {
    let done = |request| Parse::Done(request, after);
    let kind = match tokens.at(0) {
        b"mn" => return done(Request::Reply("MN", false)),
        b"mg" => Kind::Get,
        b"ms" => Kind::Set,
        b"md" => Kind::Delete,
        b"ma" => Kind::Arith,
        b"me" => Kind::Debug,
        _ => return done(Request::Reply("ERROR", false)),
    };
    if kind == Kind::Debug && tokens.get(1).is_none() {
        return done(Request::Reply(BAD_FORMAT, false));
    }
    let Some(key) = tokens.get(1) else {
        return done(Request::Reply("ERROR", false));
    };
    if key.len() > KEY_MAX || !tokens.rest.is_empty() {
        return done(Request::Reply(BAD_FORMAT, false));
    }
    let mut first_flag = 2;
    let mut length = None;
    if kind == Kind::Set {
        match tokens.get(2).and_then(i32_token) {
            Some(n) if n >= 0 => length = Some(n as usize),
            _ => return done(Request::Reply(BAD_FORMAT, false)),
        }
        first_flag = 3;
    }
    let flags = parse_flags(kind, tokens, first_flag);
    let Some(length) = length else {
        return match flags {
            Ok(flags) => done(Request::Meta(Meta {
                kind,
                key,
                flags,
                data: None,
            })),
            Err(text) => done(Request::Reply(text, false)),
        };
    };
    // ms: an error found after the length still skips the data block.
    let refusal = match &flags {
        Err(text) => Some(*text),
        Ok(_) if item_size(key.len(), length) > item_size_max => {
            Some("SERVER_ERROR object too large for cache")
        }
        Ok(_) => None,
    };
    if let Some(text) = refusal {
        let swallow = Swallow {
            bytes: length + 2,
            reply: text,
            noreply: false,
            forget: None,
        };
        return done(Request::Swallow(swallow));
    }
    let Some(block) = data.get(..length + 2) else {
        return Parse::Incomplete;
    };
    let value = block.ends_with(b"\r\n").then(|| &block[..length]);
    let meta = Meta {
        kind,
        key,
        flags: flags.expect("checked above"),
        data: value,
    };
    Parse::Done(Request::Meta(meta), after + length + 2)
}

fn parse_flags<'a>(
    kind: Kind,
    tokens: &Tokens<'a>,
    first: usize,
) -> Result<Flags<'a>, &'static str> {
    let invalid = if kind == Kind::Arith {
        "CLIENT_ERROR invalid or duplicate flag"
    } else {
        "CLIENT_ERROR invalid flag"
    };
    let duplicate = if kind == Kind::Arith {
        invalid
    } else {
        "CLIENT_ERROR duplicate flag"
    };
    let allowed: &[u8] = match kind {
        Kind::Get => b"cfhkOqstuvNT",
        Kind::Set => b"cCFIkOqsTM",
        Kind::Delete => b"CIkOqT",
        Kind::Arith => b"cCNJDTMOqtvk",
        Kind::Debug => b"",
    };
    let mut flags = Flags::default();
    let mut seen = 0u128;
    for token in tokens.iter().skip(first) {
        let letter = token[0];
        let rest = &token[1..];
        if !allowed.contains(&letter) {
            return Err(invalid);
        }
        let bit = 1u128 << (letter & 0x7f);
        if seen & bit != 0 {
            return Err(duplicate);
        }
        seen |= bit;
        let number = |text: &[u8]| i32_token(text).map(i64::from).ok_or(BAD_TOKEN);
        match letter {
            b'v' => flags.value = true,
            b'q' => flags.quiet = true,
            b'O' => {
                flags.opaque = Some(rest);
                flags.echo.push(letter);
            }
            b'T' => {
                flags.ttl = Some(number(rest)?);
                flags.ttl_before_touch = flags.echo.contains(&b't');
            }
            b'N' => flags.vivify = Some(number(rest)?),
            b'F' => flags.client_flags = flags_token(rest).ok_or(BAD_TOKEN)?,
            b'C' => flags.compare = Some(u64_token(rest).ok_or(BAD_TOKEN)?),
            b'M' => flags.mode = Some(*rest.first().ok_or(BAD_TOKEN)?),
            b'D' => flags.delta = Some(u64_token(rest).ok_or(invalid)?),
            b'J' => flags.initial = Some(u64_token(rest).ok_or(BAD_TOKEN)?),
            b'I' | b'u' => {}
            _ => flags.echo.push(letter),
        }
    }
    Ok(flags)
}

/// What the return flags describe.
struct Described<'a> {
    key: &'a [u8],
    cas: u64,
    client_flags: u32,
    size: usize,
    ttl: i64,
    fetched_before: bool,
    /// Whether an item was found (or stored). memcached echoes only the
    /// key, opaque and cas flags with a miss or a refusal.
    found: bool,
}

fn write_flags(out: &mut Vec<u8>, flags: &Flags<'_>, item: Option<&Described<'_>>) {
    for &letter in &flags.echo {
        if item.is_some_and(|item| !item.found) && !matches!(letter, b'O' | b'k' | b'c') {
            continue;
        }
        out.push(b' ');
        out.push(letter);
        match (letter, item) {
            (b'O', _) => out.extend_from_slice(flags.opaque.unwrap_or_default()),
            (b'k', Some(item)) => out.extend_from_slice(item.key),
            (b'c', Some(item)) => reply::number(out, item.cas),
            (b'f', Some(item)) => reply::number(out, u64::from(item.client_flags)),
            (b's', Some(item)) => reply::number(out, item.size as u64),
            (b't', Some(item)) => reply::signed(out, item.ttl),
            (b'h', Some(item)) => reply::number(out, u64::from(item.fetched_before)),
            _ => {}
        }
    }
}

fn status(out: &mut Vec<u8>, code: &str, flags: &Flags<'_>, item: Option<&Described<'_>>) {
    out.extend_from_slice(code.as_bytes());
    write_flags(out, flags, item);
    out.extend_from_slice(b"\r\n");
}

fn value_reply(out: &mut Vec<u8>, flags: &Flags<'_>, item: &Described<'_>, value: &[u8]) {
    out.extend_from_slice(b"VA ");
    reply::number(out, value.len() as u64);
    write_flags(out, flags, Some(item));
}

pub fn execute(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    match meta.kind {
        Kind::Get => get(meta, cache, ctx, out),
        Kind::Set => set(meta, cache, ctx, out),
        Kind::Delete => delete(meta, cache, ctx, out),
        Kind::Arith => arith(meta, cache, ctx, out),
        Kind::Debug => debug(meta, cache, ctx, out),
    }
}

fn get(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let flags = &meta.flags;
    let mut won = false;
    if let Some(ttl) = flags.vivify
        && cache.peek(meta.key, ctx.now).is_none()
    {
        cache.store(StoreMode::Add, meta.key, b"", 0, ttl, ctx.now, ctx.conn);
        won = true;
    }
    let old_ttl = if flags.ttl_before_touch {
        cache
            .peek(meta.key, ctx.now)
            .map(|item| expiry::remaining(item.expires_at, ctx.now))
    } else {
        None
    };
    let item = match flags.ttl {
        Some(ttl) => cache.get_and_touch(meta.key, ttl, ctx.now, ctx.conn),
        None => cache.get(meta.key, ctx.now, ctx.conn),
    };
    let Some(item) = item else {
        if !flags.quiet {
            // A miss echoes only the opaque and the key.
            out.extend_from_slice(b"EN");
            for &letter in &flags.echo {
                match letter {
                    b'O' => {
                        out.extend_from_slice(b" O");
                        out.extend_from_slice(flags.opaque.unwrap_or_default());
                    }
                    b'k' => {
                        out.extend_from_slice(b" k");
                        out.extend_from_slice(meta.key);
                    }
                    _ => {}
                }
            }
            out.extend_from_slice(b"\r\n");
        }
        return;
    };
    let described = Described {
        key: item.key,
        cas: item.cas,
        client_flags: item.flags,
        size: item.value.len(),
        ttl: old_ttl.unwrap_or_else(|| expiry::remaining(item.expires_at, ctx.now)),
        fetched_before: item.fetched_before,
        found: true,
    };
    if flags.value {
        value_reply(out, flags, &described, item.value);
        if won {
            out.extend_from_slice(b" W");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(item.value);
        out.extend_from_slice(b"\r\n");
    } else {
        out.extend_from_slice(b"HD");
        write_flags(out, flags, Some(&described));
        if won {
            out.extend_from_slice(b" W");
        }
        out.extend_from_slice(b"\r\n");
    }
}

fn set(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let flags = &meta.flags;
    let Some(value) = meta.data else {
        reply::line(out, "CLIENT_ERROR bad data chunk");
        return;
    };
    let mode = match flags.mode {
        None | Some(b'S' | b's') => StoreMode::Set,
        Some(b'E' | b'e') => StoreMode::Add,
        Some(b'A' | b'a') => StoreMode::Append,
        Some(b'P' | b'p') => StoreMode::Prepend,
        Some(b'R' | b'r') => StoreMode::Replace,
        Some(_) => {
            reply::line(out, "CLIENT_ERROR invalid mode for ms M token");
            return;
        }
    };
    // As in memcached: C turns set and replace into cas; append and prepend
    // first need the item, then a matching cas; add ignores it.
    let current = cache.peek(meta.key, ctx.now).map(|item| item.cas);
    let mode = match (mode, flags.compare, current) {
        (StoreMode::Set | StoreMode::Replace, Some(unique), _) => StoreMode::Cas(unique),
        (StoreMode::Append | StoreMode::Prepend, Some(unique), Some(cas)) if cas != unique => {
            status(out, "EX", flags, Some(&failed(meta.key)));
            return;
        }
        (mode, _, _) => mode,
    };
    let outcome = cache.store(
        mode,
        meta.key,
        value,
        flags.client_flags,
        flags.ttl.unwrap_or(0),
        ctx.now,
        ctx.conn,
    );
    let described = |cas| Described {
        key: meta.key,
        cas,
        client_flags: flags.client_flags,
        size: value.len(),
        ttl: -1,
        fetched_before: false,
        found: cas != 0,
    };
    match outcome {
        StoreOutcome::Stored(cas) => {
            if !flags.quiet {
                status(out, "HD", flags, Some(&described(cas)));
            }
        }
        StoreOutcome::NotStored => status(out, "NS", flags, Some(&described(0))),
        StoreOutcome::Exists => status(out, "EX", flags, Some(&described(0))),
        StoreOutcome::NotFound => status(out, "NF", flags, Some(&described(0))),
        StoreOutcome::TooLarge => reply::line(out, "SERVER_ERROR object too large for cache"),
        StoreOutcome::OutOfMemory => reply::line(out, "SERVER_ERROR out of memory storing object"),
    }
}

/// What the return flags may say about a key that was not found or not
/// stored.
fn failed(key: &[u8]) -> Described<'_> {
    Described {
        key,
        cas: 0,
        client_flags: 0,
        size: 0,
        ttl: -1,
        fetched_before: false,
        found: false,
    }
}

fn delete(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let flags = &meta.flags;
    let described = Described {
        key: meta.key,
        cas: 0,
        client_flags: 0,
        size: 0,
        ttl: -1,
        fetched_before: false,
        found: false,
    };
    let current = cache.peek(meta.key, ctx.now).map(|item| item.cas);
    match (current, flags.compare) {
        (None, _) => status(out, "NF", flags, Some(&described)),
        (Some(cas), Some(wanted)) if cas != wanted => status(out, "EX", flags, Some(&described)),
        (Some(_), _) => {
            cache.delete(meta.key, ctx.now, ctx.conn);
            if !flags.quiet {
                status(out, "HD", flags, Some(&described));
            }
        }
    }
}

fn arith(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let flags = &meta.flags;
    let incr = match flags.mode {
        None | Some(b'I' | b'i' | b'+') => true,
        Some(b'D' | b'd' | b'-') => false,
        Some(_) => {
            reply::line(out, "CLIENT_ERROR invalid mode for ma M token");
            return;
        }
    };
    let current = cache.peek(meta.key, ctx.now).map(|item| item.cas);
    let base = Described {
        key: meta.key,
        cas: 0,
        client_flags: 0,
        size: 0,
        ttl: -1,
        fetched_before: false,
        found: false,
    };
    // memcached's q hides HD only for an existing item, not a created one.
    let created = current.is_none() && flags.vivify.is_some();
    let outcome = match (current, flags.compare, flags.vivify) {
        (Some(cas), Some(wanted), _) if cas != wanted => {
            status(out, "EX", flags, Some(&base));
            return;
        }
        (None, _, Some(ttl)) => {
            let initial = flags.initial.unwrap_or(0);
            let digits = initial.to_string();
            match cache.store(
                StoreMode::Add,
                meta.key,
                digits.as_bytes(),
                0,
                ttl,
                ctx.now,
                ctx.conn,
            ) {
                StoreOutcome::Stored(cas) => Arith::Value(initial, cas),
                _ => {
                    status(out, "NS", flags, Some(&base));
                    return;
                }
            }
        }
        _ => cache.incr_decr(meta.key, flags.delta.unwrap_or(1), incr, ctx.now, ctx.conn),
    };
    match outcome {
        Arith::Value(value, cas) => {
            if let Some(ttl) = flags.ttl {
                cache.touch(meta.key, ttl, ctx.now, ctx.conn);
            }
            let ttl = cache
                .peek(meta.key, ctx.now)
                .map_or(-1, |item| expiry::remaining(item.expires_at, ctx.now));
            let digits = value.to_string();
            let described = Described {
                cas,
                ttl,
                size: digits.len(),
                found: true,
                ..base
            };
            if flags.quiet && !created {
                // q hides a successful answer, value included.
            } else if flags.value {
                value_reply(out, flags, &described, digits.as_bytes());
                out.extend_from_slice(b"\r\n");
                reply::line(out, &digits);
            } else {
                status(out, "HD", flags, Some(&described));
            }
        }
        Arith::NotFound => status(out, "NF", flags, Some(&base)),
        Arith::NonNumeric => reply::line(
            out,
            "CLIENT_ERROR cannot increment or decrement non-numeric value",
        ),
    }
}

/// `me <key>`: `ME <key> exp=<ttl> la=<idle> cas=<cas> fetch=<yes|no>
/// cls=<class> size=<bytes>`, or `EN`. Fanout has no slab classes (1) and
/// does not track idle time (0).
fn debug(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    use std::io::Write;
    match cache.peek(meta.key, ctx.now) {
        None => reply::line(out, "EN"),
        Some(item) => {
            out.extend_from_slice(b"ME ");
            out.extend_from_slice(item.key);
            let _ = write!(
                out,
                " exp={} la=0 cas={} fetch={} cls=1 size={}\r\n",
                expiry::remaining(item.expires_at, ctx.now),
                item.cas,
                if item.fetched_before { "yes" } else { "no" },
                item.size()
            );
        }
    }
}
