//! Framing and tokenizing of the memcached text protocol, incrementally.
//!
//! [`parse`] looks at the bytes a connection has buffered and answers one
//! of: a complete [`Request`] and how many bytes it used; [`Parse::Incomplete`]
//! (wait for more bytes, as mini-redis's `Incomplete`); [`Parse::Close`]
//! (memcached hangs up on a long line that is not a get); or
//! [`Parse::Hangup`] (a web request's line, see `http_guard`).
//! Nothing here touches the cache: each command family's file turns tokens
//! into a typed request (`parse_*`) and, separately, runs it (`execute`).
//!
//! The rules follow memcached 1.6's `proto_text.c`: lines end in "\n"
//! (an "\r" before it is dropped), tokens are separated by spaces only, a
//! line has at most 24 tokens (the last keeps the rest), and the number of
//! tokens decides between `ERROR` and `CLIENT_ERROR`.

use super::{admin, arithmetic, crawler, http_guard, keys, meta, retrieval, stats, storage, watch};

/// A line longer than this without a newline closes the connection unless
/// it is a `get`/`gets` (memcached's rule: "we didn't have a '\n' in the
/// first k").
pub const MAX_LINE: usize = 2048;

/// How long a `get`/`gets` line may grow (memcached lets them grow without
/// bound; a bound keeps each connection's memory bounded).
pub const MAX_GET_LINE: usize = 256 * 1024;

/// memcached's `MAX_TOKENS`.
const MAX_TOKENS: usize = 24;

/// What [`parse`] found at the front of the buffer.
// Lives on the stack for one request at a time; boxing would cost an
// allocation per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Parse<'a> {
    /// No complete request yet; read more and call again.
    Incomplete,
    /// Hang up, after writing this line when there is one.
    Close(Option<&'static str>),
    /// Hang up at once, answering nothing, not even what earlier requests
    /// of the same read were owed: this line is part of an HTTP request.
    Hangup,
    /// A request, and the number of bytes it took from the buffer.
    Done(Request<'a>, usize),
}

/// One request, typed by command family.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Request<'a> {
    Get(retrieval::Get<'a>),
    Store(storage::Store<'a>),
    /// A store whose data block must be skipped without being buffered
    /// (too large, or refused before the data was read).
    Swallow(storage::Swallow<'a>),
    Arith(arithmetic::Arith<'a>),
    Delete(keys::Delete<'a>),
    Touch(keys::Touch<'a>),
    Admin(admin::Admin),
    Stats(stats::Stats<'a>),
    Meta(meta::Meta<'a>),
    /// `watch`: the connection becomes a stream of log lines.
    Watch(watch::Categories),
    /// `lru_crawler metadump` and `crawl`, which go through the cache a
    /// chunk at a time.
    Crawler(crawler::Crawler),
    /// A fixed answer (`ERROR`, a `CLIENT_ERROR …`), silenced by noreply.
    Reply(&'static str, bool),
}

/// The space-separated tokens of one line.
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    items: [&'a [u8]; MAX_TOKENS],
    len: usize,
    /// What follows the 23rd token when the line has more (get's keys).
    pub rest: &'a [u8],
}

impl<'a> Tokens<'a> {
    pub fn new(line: &'a [u8]) -> Tokens<'a> {
        let mut tokens = Tokens {
            items: [&[]; MAX_TOKENS],
            len: 0,
            rest: &[],
        };
        let mut i = 0;
        while i < line.len() {
            while i < line.len() && line[i] == b' ' {
                i += 1;
            }
            if i == line.len() {
                break;
            }
            if tokens.len == MAX_TOKENS - 1 {
                tokens.rest = &line[i..];
                break;
            }
            let start = i;
            while i < line.len() && line[i] != b' ' {
                i += 1;
            }
            tokens.items[tokens.len] = &line[start..i];
            tokens.len += 1;
        }
        tokens
    }

    /// memcached's `ntokens`: the tokens plus one for the terminator.
    pub fn ntokens(&self) -> usize {
        self.len + 1 + usize::from(!self.rest.is_empty())
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        (i < self.len).then(|| self.items[i])
    }

    /// Token `i`, which the caller has checked exists.
    pub fn at(&self, i: usize) -> &'a [u8] {
        self.items[i]
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.items[..self.len].iter().copied()
    }

    /// memcached's `set_noreply_maybe`: the last token is `noreply`.
    pub fn noreply(&self) -> bool {
        self.rest.is_empty() && self.len > 0 && self.items[self.len - 1] == b"noreply"
    }
}

/// Finds the next request at the front of `buf`.
pub fn parse(buf: &[u8], item_size_max: u64) -> Parse<'_> {
    let Some(newline) = memchr::memchr(b'\n', buf) else {
        return unterminated(buf);
    };
    let end = if newline > 0 && buf[newline - 1] == b'\r' {
        newline - 1
    } else {
        newline
    };
    let line = &buf[..end];
    let after = newline + 1;
    let tokens = Tokens::new(line);
    if http_guard::is_web_request(&tokens) {
        return Parse::Hangup;
    }
    let Some(command) = tokens.get(0) else {
        return Parse::Done(Request::Reply("ERROR", false), after);
    };
    let request = match command {
        b"get" | b"gets" | b"gat" | b"gats" => retrieval::parse(&tokens),
        b"set" | b"add" | b"replace" | b"append" | b"prepend" | b"cas" => {
            return storage::parse(&tokens, &buf[after..], after, item_size_max);
        }
        b"incr" | b"decr" => arithmetic::parse(&tokens),
        b"delete" => keys::parse_delete(&tokens),
        b"touch" => keys::parse_touch(&tokens),
        b"stats" => stats::parse(&tokens),
        b"flush_all" | b"version" | b"verbosity" | b"quit" | b"cache_memlimit" | b"slabs" => {
            admin::parse(&tokens)
        }
        b"watch" => watch::parse(&tokens),
        b"lru_crawler" => crawler::parse(&tokens),
        [b'm', _] => return meta::parse(&tokens, &buf[after..], after, item_size_max),
        _ => Request::Reply("ERROR", false),
    };
    Parse::Done(request, after)
}

/// No newline yet: wait, unless memcached would give up on this line.
fn unterminated(buf: &[u8]) -> Parse<'_> {
    if buf.len() <= MAX_LINE {
        return Parse::Incomplete;
    }
    let blanks = buf.iter().take_while(|&&b| b == b' ').count();
    let start = &buf[blanks..];
    let is_get = start.starts_with(b"get ") || start.starts_with(b"gets ");
    if blanks > 100 || !is_get {
        return Parse::Close(None);
    }
    if buf.len() > MAX_GET_LINE {
        return Parse::Close(Some("SERVER_ERROR out of memory reading request"));
    }
    Parse::Incomplete
}

/// The longest key memcached accepts.
pub const KEY_MAX: usize = fanout_shared::cache::KEY_MAX_LENGTH;

/// C's `strtoull` behind memcached's `safe_strtoull`, on a whole token.
pub fn u64_token(token: &[u8]) -> Option<u64> {
    fanout_shared::cache::number::parse_delta(token)
}

/// memcached's `safe_strtoul` into a 32-bit field (flags, the crawler's
/// settings): values past 2^32 are accepted and truncated, as there.
pub fn u32_token(token: &[u8]) -> Option<u32> {
    u64_token(token).map(|value| value as u32)
}

/// An item's client flags ([`u32_token`]).
pub fn flags_token(token: &[u8]) -> Option<u32> {
    u32_token(token)
}

/// memcached's `safe_strtol` into a 32-bit signed field (exptime, lengths):
/// C's `strtol` on 64 bits, then stored into 32 — so 4294967296 reads as 0
/// there, and here.
pub fn i32_token(token: &[u8]) -> Option<i32> {
    let (negative, digits) = match token.first() {
        Some(b'-') => (true, &token[1..]),
        Some(b'+') => (false, &token[1..]),
        _ => (false, token),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: i64 = 0;
    for &digit in digits {
        value = value
            .checked_mul(10)?
            .checked_add(i64::from(digit - b'0'))?;
    }
    let value = if negative { -value } else { value };
    Some(value as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(buf: &[u8]) -> (Request<'_>, usize) {
        match parse(buf, 1 << 20) {
            Parse::Done(request, used) => (request, used),
            other => panic!("expected a request, got {other:?}"),
        }
    }

    #[test]
    fn partial_frames_are_incomplete() {
        assert!(matches!(parse(b"get fo", 1 << 20), Parse::Incomplete));
        assert!(matches!(
            parse(b"set k 0 0 5\r\nhel", 1 << 20),
            Parse::Incomplete
        ));
        assert!(matches!(
            parse(b"set k 0 0 5\r\nhello\r", 1 << 20),
            Parse::Incomplete
        ));
        let (_, used) = done(b"set k 0 0 5\r\nhello\r\nget k\r\n");
        assert_eq!(used, 20);
    }

    #[test]
    fn tokens_split_on_spaces_only() {
        let tokens = Tokens::new(b"  get  a\tb  c ");
        assert_eq!(
            tokens.iter().collect::<Vec<_>>(),
            [&b"get"[..], b"a\tb", b"c"]
        );
        assert_eq!(tokens.ntokens(), 4);
        let many = (0..30)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let tokens = Tokens::new(many.as_bytes());
        assert_eq!(tokens.len(), 23);
        assert!(tokens.rest.starts_with(b"k23"));
    }

    #[test]
    fn long_lines_close_unless_they_are_gets() {
        assert!(matches!(parse(&[b'x'; 3000], 1 << 20), Parse::Close(None)));
        let mut get = b"get ".to_vec();
        get.extend_from_slice(&[b'k'; 3000]);
        assert!(matches!(parse(&get, 1 << 20), Parse::Incomplete));
        get.extend_from_slice(&vec![b'k'; MAX_GET_LINE]);
        assert!(matches!(parse(&get, 1 << 20), Parse::Close(Some(_))));
    }

    #[test]
    fn a_web_request_hangs_up_before_its_body_is_read() {
        let post = b"POST / HTTP/1.1\r\nHost: x\r\n\r\nset pwned 0 0 3\r\nyes\r\n";
        assert!(matches!(parse(post, 1 << 20), Parse::Hangup));
        assert!(matches!(parse(b"Host: x\r\n", 1 << 20), Parse::Hangup));
        let (_, used) = done(b"get / HTTP/1.1\r\n");
        assert_eq!(used, 16, "a get of two keys");
    }

    #[test]
    fn numbers_read_like_memcached() {
        assert_eq!(i32_token(b"-5"), Some(-5));
        assert_eq!(i32_token(b"4294967296"), Some(0));
        assert_eq!(i32_token(b"99999999999999999999"), None);
        assert_eq!(i32_token(b"1x"), None);
        assert_eq!(flags_token(b"4294967296"), Some(0));
        assert_eq!(flags_token(b"-1"), None);
    }
}
