//! The meta commands of memcached 1.6: mg (get), ms (set), md (delete),
//! ma (arithmetic), mn (no-op) and me (debug). Each is `<cmd> <key>
//! [datalen] <flag>*` with single-letter flags, some carrying a token
//! (`T30`, `Oabc`). This file reads the flags and writes the answers as
//! memcached 1.6.18's `proto_text.c` does; what the flags do to an item
//! (win, stale, vivify, invalidate, the cas rules) is the shared model's
//! (`fanout_shared::cache::Cache::meta_*`).
//!
//! One deliberate difference: an opaque token longer than 32 bytes is
//! refused before anything runs. memcached notices it while writing the
//! answer, after `T`, `N` or `ma`'s increment have already changed the
//! item; here bad input harms nothing.

use std::borrow::Cow;

use fanout_shared::cache::{
    Cache, MetaArith, MetaDeleted, MetaGet, MetaSet, Step, StoreMode, StoreOutcome, expiry,
    item_size,
};

use super::{
    Ctx,
    parse::{KEY_MAX, Parse, Request, Tokens, flags_token, i32_token, u64_token},
    reply,
    storage::{Swallow, TooLarge},
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
    /// The key, base64-decoded when the `b` flag asked for it.
    key: Cow<'a, [u8]>,
    /// The line's tokens: the flags are echoed from them in order.
    tokens: Tokens<'a>,
    /// The index of the first flag token.
    first_flag: usize,
    flags: Flags,
    /// ms: the data block (`None` when it did not end in "\r\n").
    data: Option<&'a [u8]>,
}

/// The flags of one meta command, as memcached's `_meta_flag_preparse`
/// reads them (every command accepts every known flag; each command
/// uses the ones that mean something to it).
#[derive(Debug, Clone, Copy)]
struct Flags {
    value: bool,
    quiet: bool,
    no_bump: bool,
    key_binary: bool,
    invalidate: bool,
    ttl: Option<i64>,
    client_flags: u32,
    compare: Option<u64>,
    mode: Option<u8>,
    delta: u64,
    initial: Option<u64>,
    /// T, N, R and t in the client's order.
    steps: [Step; 4],
    step_count: usize,
}

impl Default for Flags {
    fn default() -> Flags {
        Flags {
            value: false,
            quiet: false,
            no_bump: false,
            key_binary: false,
            invalidate: false,
            ttl: None,
            client_flags: 0,
            compare: None,
            mode: None,
            delta: 1,
            initial: None,
            steps: [Step::ReportTtl; 4],
            step_count: 0,
        }
    }
}

impl Flags {
    fn steps(&self) -> &[Step] {
        &self.steps[..self.step_count]
    }

    fn push(&mut self, step: Step) {
        // Each of T, N, R and t is at most once (a repeat is refused).
        self.steps[self.step_count] = step;
        self.step_count += 1;
    }
}

const BAD_FORMAT: &str = "CLIENT_ERROR bad command line format";
const BAD_TOKEN: &str = "CLIENT_ERROR bad token in command line format";
/// md and ma answer every flag error with this.
const INVALID_OR_DUPLICATE: &str = "CLIENT_ERROR invalid or duplicate flag";
/// memcached's `MFLAG_MAX_OPT_LENGTH`: more tokens than this are refused.
const MAX_TOKENS: usize = 20;
/// memcached's `MFLAG_MAX_OPAQUE_LENGTH`, counting the `O`.
const MAX_OPAQUE: usize = 32;

/// Parses a meta command line (and an ms data block).
pub fn parse<'a>(
    tokens: &Tokens<'a>,
    data: &'a [u8],
    after: usize,
    item_size_max: u64,
) -> Parse<'a> {
    let done = |request| Parse::Done(request, after);
    let reply = |text| done(Request::Reply(text, false));
    let kind = match tokens.at(0) {
        b"mn" => return reply("MN"),
        b"mg" => Kind::Get,
        b"ms" => Kind::Set,
        b"md" => Kind::Delete,
        b"ma" => Kind::Arith,
        b"me" => Kind::Debug,
        _ => return reply("ERROR"),
    };
    let ntokens = tokens.ntokens();
    let Some(key) = tokens.get(1) else {
        return reply(if kind == Kind::Debug {
            BAD_FORMAT
        } else {
            "ERROR"
        });
    };
    if key.len() > KEY_MAX {
        return reply(BAD_FORMAT);
    }
    if kind == Kind::Debug {
        return parse_debug(tokens, key, after);
    }
    if kind == Kind::Set && ntokens == 3 {
        return reply(BAD_FORMAT);
    }
    if ntokens > MAX_TOKENS {
        return reply(if kind == Kind::Get {
            "CLIENT_ERROR options flags are too long"
        } else {
            "CLIENT_ERROR options flags too long"
        });
    }
    let (first_flag, length) = if kind == Kind::Set {
        match tokens.get(2).and_then(i32_token) {
            Some(n) if n >= 0 => (3, Some(n as usize)),
            _ => return reply(BAD_FORMAT),
        }
    } else {
        (2, None)
    };
    // md and ma answer any flag error alike; the mode and opaque checks
    // keep their own messages.
    let parsed = preparse(tokens, first_flag)
        .map_err(|text| match kind {
            Kind::Delete | Kind::Arith => INVALID_OR_DUPLICATE,
            _ => text,
        })
        .and_then(|(flags, key)| {
            check_command(kind, tokens, first_flag, &flags)?;
            Ok((flags, key))
        });
    let meta = |flags, key, data| Meta {
        kind,
        key,
        tokens: *tokens,
        first_flag,
        flags,
        data,
    };
    let Some(length) = length else {
        return match parsed {
            Ok((flags, key)) => done(Request::Meta(meta(flags, key, None))),
            Err(text) => reply(text),
        };
    };
    // ms: an error found after the length still skips the data block; an
    // item too large also drops the key's old value, whatever the mode.
    let refusal = match &parsed {
        Err(text) => Some((*text, None)),
        Ok((flags, key)) if item_size(key.len(), length) > item_size_max => {
            // Logged as the store it would have run as (C makes set and
            // replace a cas).
            let mode = match (store_mode(flags), flags.compare) {
                (StoreMode::Set | StoreMode::Replace, Some(unique)) => StoreMode::Cas(unique),
                (mode, _) => mode,
            };
            let too_large = TooLarge {
                key: key.clone(),
                mode,
                forget: true,
            };
            Some(("SERVER_ERROR object too large for cache", Some(too_large)))
        }
        Ok(_) => None,
    };
    if let Some((text, too_large)) = refusal {
        let swallow = Swallow {
            bytes: length + 2,
            reply: text,
            noreply: false,
            too_large,
        };
        return done(Request::Swallow(swallow));
    }
    let Some(block) = data.get(..length + 2) else {
        return Parse::Incomplete;
    };
    let value = block.ends_with(b"\r\n").then(|| &block[..length]);
    let (flags, key) = parsed.expect("refusals returned above");
    Parse::Done(Request::Meta(meta(flags, key, value)), after + length + 2)
}

/// `me <key> [b]`.
fn parse_debug<'a>(tokens: &Tokens<'a>, key: &'a [u8], after: usize) -> Parse<'a> {
    let key = if tokens.get(2) == Some(b"b") {
        match base64_decode(key) {
            Some(decoded) => Cow::Owned(decoded),
            None => return Parse::Done(Request::Reply(BAD_FORMAT, false), after),
        }
    } else {
        Cow::Borrowed(key)
    };
    let meta = Meta {
        kind: Kind::Debug,
        key,
        tokens: *tokens,
        first_flag: 2,
        flags: Flags::default(),
        data: None,
    };
    Parse::Done(Request::Meta(meta), after)
}

const OPAQUE_TOO_LONG: &str = "CLIENT_ERROR opaque token too long";

/// memcached's `_meta_flag_preparse`: a repeated or unknown flag stops at
/// once; a bad token is remembered and parsing goes on (a later unknown
/// flag still wins).
fn preparse<'a>(tokens: &Tokens<'a>, first: usize) -> Result<(Flags, Cow<'a, [u8]>), &'static str> {
    let mut flags = Flags::default();
    let mut key = Cow::Borrowed(tokens.at(1));
    let mut error: Option<&'static str> = None;
    let mut seen = 0u128;
    for token in tokens.iter().skip(first) {
        let letter = token[0];
        let rest = &token[1..];
        if letter >= 127 || seen & (1 << letter) != 0 {
            return Err("CLIENT_ERROR duplicate flag");
        }
        seen |= 1 << letter;
        let number = |text: &[u8]| i32_token(text).map(i64::from).ok_or(BAD_TOKEN);
        let step = |make: fn(i64) -> Step| number(rest).map(make);
        let outcome: Result<(), &'static str> = match letter {
            b'b' => {
                flags.key_binary = true;
                base64_decode(tokens.at(1))
                    .map(|decoded| key = Cow::Owned(decoded))
                    .ok_or("CLIENT_ERROR error decoding key")
            }
            b'N' => step(Step::Vivify).map(|s| flags.push(s)),
            b'T' => step(Step::Touch).map(|s| {
                if let Step::Touch(ttl) = s {
                    flags.ttl = Some(ttl);
                }
                flags.push(s);
            }),
            b'R' => step(Step::Recache).map(|s| flags.push(s)),
            b't' => {
                flags.push(Step::ReportTtl);
                Ok(())
            }
            b'O' | b'P' | b'L' | b'k' | b's' | b'c' | b'f' | b'h' | b'l' => Ok(()),
            b'v' => {
                flags.value = true;
                Ok(())
            }
            b'u' => {
                flags.no_bump = true;
                Ok(())
            }
            b'q' => {
                flags.quiet = true;
                Ok(())
            }
            // memcached sets no message of its own for a bad F: the last
            // one set stands.
            b'F' => flags_token(rest)
                .map(|value| flags.client_flags = value)
                .ok_or(error.unwrap_or(BAD_FORMAT)),
            b'C' => u64_token(rest)
                .map(|unique| flags.compare = Some(unique))
                .ok_or(BAD_TOKEN),
            b'M' => match rest {
                [mode] => {
                    flags.mode = Some(*mode);
                    Ok(())
                }
                _ => Err("CLIENT_ERROR incorrect length for M token"),
            },
            b'J' => u64_token(rest)
                .map(|initial| flags.initial = Some(initial))
                .ok_or("CLIENT_ERROR invalid numeric initial value"),
            b'D' => u64_token(rest)
                .map(|delta| flags.delta = delta)
                .ok_or("CLIENT_ERROR invalid numeric delta value"),
            b'I' => {
                flags.invalidate = true;
                Ok(())
            }
            _ => return Err("CLIENT_ERROR invalid flag"),
        };
        if let Err(text) = outcome {
            error = Some(text);
        }
    }
    match error {
        Some(text) => Err(text),
        None => Ok((flags, key)),
    }
}

/// The checks memcached makes after the flags: a valid mode letter, and
/// opaque tokens of at most 32 bytes (made here before anything runs).
fn check_command(
    kind: Kind,
    tokens: &Tokens<'_>,
    first: usize,
    flags: &Flags,
) -> Result<(), &'static str> {
    match (kind, flags.mode) {
        (_, None) => {}
        (Kind::Set, Some(b'E' | b'A' | b'P' | b'R' | b'S')) => {}
        (Kind::Set, Some(_)) => return Err("CLIENT_ERROR invalid mode for ms M token"),
        (Kind::Arith, Some(b'I' | b'+' | b'D' | b'-')) => {}
        (Kind::Arith, Some(_)) => return Err("CLIENT_ERROR invalid mode for ma M token"),
        _ => {}
    }
    let long_opaque = tokens
        .iter()
        .skip(first)
        .any(|token| token[0] == b'O' && token.len() > MAX_OPAQUE);
    if long_opaque {
        return Err(OPAQUE_TOO_LONG);
    }
    Ok(())
}

/// The flag tokens of a command, in order.
fn flag_tokens<'m, 'a>(meta: &'m Meta<'a>) -> impl Iterator<Item = &'a [u8]> + 'm {
    meta.tokens.iter().skip(meta.first_flag)
}

/// `k`: the key, base64-encoded and followed by ` b` for a binary key.
fn write_key(out: &mut Vec<u8>, key: &[u8], binary: bool) {
    out.extend_from_slice(b" k");
    if binary {
        base64_encode(out, key);
        out.extend_from_slice(b" b");
    } else {
        out.extend_from_slice(key);
    }
}

/// The echo of a miss or a refusal: only the opaque and the key.
fn write_opaque_and_key(out: &mut Vec<u8>, meta: &Meta<'_>) {
    for token in flag_tokens(meta) {
        match token[0] {
            b'O' => {
                out.push(b' ');
                out.extend_from_slice(token);
            }
            b'k' => write_key(out, &meta.key, meta.flags.key_binary),
            _ => {}
        }
    }
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
    let request = MetaGet {
        steps: flags.steps(),
        no_bump: flags.no_bump,
    };
    let Some(hit) = cache.meta_get(&meta.key, &request, ctx.now, ctx.conn) else {
        if !flags.quiet {
            out.extend_from_slice(b"EN");
            write_opaque_and_key(out, meta);
            out.extend_from_slice(b"\r\n");
        }
        return;
    };
    let item = hit.item;
    if flags.value {
        out.extend_from_slice(b"VA ");
        reply::number(out, item.value.len() as u64);
    } else {
        out.extend_from_slice(b"HD");
    }
    for token in flag_tokens(meta) {
        let letter = token[0];
        let number = match letter {
            b's' => item.value.len() as u64,
            b'c' => item.cas,
            b'f' => u64::from(item.flags),
            // Seconds since it last moved to the head, before this read.
            b'l' => item.idle(ctx.now),
            b'h' => u64::from(item.fetched_before),
            b't' => {
                out.extend_from_slice(b" t");
                reply::number(out, hit.ttl.unwrap_or(-1));
                continue;
            }
            b'O' => {
                out.push(b' ');
                out.extend_from_slice(token);
                continue;
            }
            b'k' => {
                write_key(out, item.key, item.marks.key_binary());
                continue;
            }
            _ => continue,
        };
        out.push(b' ');
        out.push(letter);
        reply::number(out, number);
    }
    for (on, mark) in [
        (hit.already_won, &b" Z"[..]),
        (hit.stale, b" X"),
        (hit.won, b" W"),
    ] {
        if on {
            out.extend_from_slice(mark);
        }
    }
    out.extend_from_slice(b"\r\n");
    if flags.value {
        out.extend_from_slice(item.value);
        out.extend_from_slice(b"\r\n");
    }
}

fn set(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let flags = &meta.flags;
    let Some(value) = meta.data else {
        reply::line(out, "CLIENT_ERROR bad data chunk");
        return;
    };
    let mode = store_mode(flags);
    let request = MetaSet {
        compare: flags.compare,
        invalidate: flags.invalidate,
        key_binary: flags.key_binary,
    };
    let outcome = cache.meta_set(
        mode,
        &meta.key,
        value,
        flags.client_flags,
        flags.ttl.unwrap_or(0),
        &request,
        ctx.now,
        ctx.conn,
    );
    let (code, cas) = match outcome {
        StoreOutcome::Stored(_) if flags.quiet => return,
        StoreOutcome::Stored(cas) => ("HD", cas),
        StoreOutcome::NotStored => ("NS", 0),
        StoreOutcome::Exists => ("EX", 0),
        StoreOutcome::NotFound => ("NF", 0),
        StoreOutcome::TooLarge => {
            return reply::line(out, "SERVER_ERROR object too large for cache");
        }
        StoreOutcome::OutOfMemory => {
            return reply::line(out, "SERVER_ERROR out of memory storing object");
        }
    };
    out.extend_from_slice(code.as_bytes());
    for token in flag_tokens(meta) {
        match token[0] {
            b'O' => {
                out.push(b' ');
                out.extend_from_slice(token);
            }
            b'k' => write_key(out, &meta.key, flags.key_binary),
            b'c' => {
                out.extend_from_slice(b" c");
                reply::number(out, cas);
            }
            _ => {}
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// The store an `ms` runs as, by its `M` flag (the parser refused any
/// letter but these).
fn store_mode(flags: &Flags) -> StoreMode {
    match flags.mode {
        Some(b'E') => StoreMode::Add,
        Some(b'A') => StoreMode::Append,
        Some(b'P') => StoreMode::Prepend,
        Some(b'R') => StoreMode::Replace,
        _ => StoreMode::Set,
    }
}

fn delete(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let flags = &meta.flags;
    let invalidate = flags.invalidate.then_some(flags.ttl);
    let code = match cache.meta_delete(&meta.key, flags.compare, invalidate, ctx.now, ctx.conn) {
        MetaDeleted::Deleted | MetaDeleted::Invalidated if flags.quiet => return,
        MetaDeleted::Deleted | MetaDeleted::Invalidated => "HD",
        MetaDeleted::NotFound => "NF",
        MetaDeleted::Exists => "EX",
    };
    out.extend_from_slice(code.as_bytes());
    write_opaque_and_key(out, meta);
    out.extend_from_slice(b"\r\n");
}

fn arith(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let flags = &meta.flags;
    let incr = !matches!(flags.mode, Some(b'D' | b'-'));
    let outcome = cache.meta_arith(
        &meta.key,
        incr,
        flags.delta,
        flags.compare,
        flags.initial,
        flags.steps(),
        ctx.now,
        ctx.conn,
    );
    let (value, cas, ttl) = match outcome {
        // memcached's q hides a success, value included, unless N created
        // the item.
        MetaArith::Value { created: false, .. } if flags.quiet => return,
        MetaArith::Value {
            value, cas, ttl, ..
        } => (value, cas, ttl),
        MetaArith::NotFound | MetaArith::Exists => {
            let code: &[u8] = if outcome == MetaArith::NotFound {
                b"NF"
            } else {
                b"EX"
            };
            out.extend_from_slice(code);
            write_opaque_and_key(out, meta);
            out.extend_from_slice(b"\r\n");
            return;
        }
        MetaArith::NonNumeric => {
            return reply::line(
                out,
                "CLIENT_ERROR cannot increment or decrement non-numeric value",
            );
        }
        MetaArith::OutOfMemory => {
            return reply::line(out, "SERVER_ERROR Out of memory allocating new item");
        }
    };
    let digits = value.to_string();
    if flags.value {
        out.extend_from_slice(b"VA ");
        reply::number(out, digits.len() as u64);
    } else {
        out.extend_from_slice(b"HD");
    }
    for token in flag_tokens(meta) {
        match token[0] {
            b'c' => {
                out.extend_from_slice(b" c");
                reply::number(out, cas);
            }
            b't' => {
                out.extend_from_slice(b" t");
                reply::number(out, ttl.unwrap_or(-1));
            }
            b'O' => {
                out.push(b' ');
                out.extend_from_slice(token);
            }
            b'k' => write_key(out, &meta.key, flags.key_binary),
            _ => {}
        }
    }
    out.extend_from_slice(b"\r\n");
    if flags.value {
        reply::line(out, &digits);
    }
}

/// `me <key>`: `ME <key> exp=<ttl> la=<idle> cas=<cas> fetch=<yes|no>
/// cls=<class> size=<bytes>`, or `EN`; `la` is the seconds since the item
/// last moved to the head of its LRU.
fn debug(meta: &Meta<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    use std::io::Write;
    let Some(item) = cache.peek_logged(&meta.key, ctx.now, ctx.conn) else {
        reply::line(out, "EN");
        return;
    };
    let (key, binary) = (item.key.to_vec(), item.marks.key_binary());
    let (value_len, flags, size) = (item.value.len(), item.flags, item.size());
    let (expires_at, cas, fetched) = (item.expires_at, item.cas, item.fetched_before);
    let idle = item.idle(ctx.now);
    let class = cache.placement(key.len(), value_len, flags).class;
    out.extend_from_slice(b"ME ");
    if binary {
        base64_encode(out, &key);
    } else {
        out.extend_from_slice(&key);
    }
    let _ = write!(
        out,
        " exp={} la={idle} cas={cas} fetch={} cls={class} size={size}\r\n",
        expiry::remaining(expires_at, ctx.now),
        if fetched { "yes" } else { "no" },
    );
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// memcached's `base64_decode`: characters outside the alphabet are
/// skipped, the rest must come in groups of four, and a group with `=`
/// padding ends the key. `None` where memcached returns 0 bytes.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let value = |byte: u8| match byte {
        b'=' => Some(0),
        _ => BASE64.iter().position(|&c| c == byte).map(|at| at as u8),
    };
    let count = text.iter().filter(|&&b| value(b).is_some()).count();
    if count == 0 || count % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(count / 4 * 3);
    let (mut block, mut filled, mut pad) = ([0u8; 4], 0, 0);
    for &byte in text {
        let Some(bits) = value(byte) else { continue };
        if byte == b'=' {
            pad += 1;
        }
        block[filled] = bits;
        filled += 1;
        if filled == 4 {
            out.push((block[0] << 2) | (block[1] >> 4));
            out.push((block[1] << 4) | (block[2] >> 2));
            out.push((block[2] << 6) | block[3]);
            filled = 0;
            if pad > 0 {
                if pad > 2 {
                    return None;
                }
                out.truncate(out.len() - pad);
                break;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Standard base64 with padding, as memcached's `base64_encode`.
fn base64_encode(out: &mut Vec<u8>, bytes: &[u8]) {
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let sextets = [
            b[0] >> 2,
            ((b[0] & 0x03) << 4) | (b[1] >> 4),
            ((b[1] & 0x0f) << 2) | (b[2] >> 6),
            b[2] & 0x3f,
        ];
        for (i, sextet) in sextets.iter().enumerate() {
            if i <= chunk.len() {
                out.push(BASE64[usize::from(*sextet)]);
            } else {
                out.push(b'=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_keys_decode_as_memcached_does() {
        assert_eq!(base64_decode(b"Zm9v").as_deref(), Some(&b"foo"[..]));
        assert_eq!(base64_decode(b"Zg==").as_deref(), Some(&b"f"[..]));
        assert_eq!(base64_decode(b"Zm8=").as_deref(), Some(&b"fo"[..]));
        // Characters outside the alphabet are skipped.
        assert_eq!(base64_decode(b"Zm!9v").as_deref(), Some(&b"foo"[..]));
        // Padding ends the key.
        assert_eq!(base64_decode(b"Zg==Zm9v").as_deref(), Some(&b"f"[..]));
        assert_eq!(base64_decode(b"Zm9"), None);
        assert_eq!(base64_decode(b"===="), None);
        assert_eq!(base64_decode(b"!!"), None);
        let mut out = Vec::new();
        base64_encode(&mut out, b"foo");
        base64_encode(&mut out, b"f");
        base64_encode(&mut out, b"fo");
        assert_eq!(out, b"Zm9vZg==Zm8=");
    }
}
