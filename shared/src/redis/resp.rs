//! The wire format: decoding requests (RESP multibulk, or the inline form
//! a person types into telnet) and writing replies in RESP2 or RESP3.
//!
//! Decoding is incremental and resumable, as Redis's own is: a request
//! whose bytes arrive over many reads is never scanned from its start
//! again (re-scanning would make a large pipelined request cost the square
//! of its size). [`Decoded::Incomplete`] is mini-redis's `Incomplete`:
//! read more and call again with the same buffer, grown.
//!
//! The limits and the error texts are Redis 7.0's (`networking.c`), except
//! the longest bulk string, which is [`Limits::max_bulk_len`] instead of
//! Redis's 512 MB so that one connection's memory stays small.

use std::borrow::Cow;

use super::number::{write_g17, write_int};

/// Redis's `PROTO_INLINE_MAX_SIZE`: the longest inline request, and the
/// longest `*<count>` or `$<len>` line.
pub const INLINE_MAX: usize = 64 * 1024;

/// The most arguments a multibulk request may announce (Redis 7.0's limit,
/// `INT_MAX`; what bounds memory is the connection's input limit).
pub const MAX_MULTIBULK: i64 = i32::MAX as i64;

/// The default longest bulk string: 16 MiB (Redis allows 512 MB).
pub const DEFAULT_MAX_BULK_LEN: usize = 16 * 1024 * 1024;

/// Bounds on what one request may announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest bulk string (Redis's `proto-max-bulk-len`).
    pub max_bulk_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bulk_len: DEFAULT_MAX_BULK_LEN,
        }
    }
}

/// Why a request cannot be read; Redis replies the text and hangs up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("ERR Protocol error: too big inline request")]
    InlineTooBig,
    #[error("ERR Protocol error: unbalanced quotes in request")]
    UnbalancedQuotes,
    #[error("ERR Protocol error: too big mbulk count string")]
    MultibulkCountTooBig,
    #[error("ERR Protocol error: invalid multibulk length")]
    InvalidMultibulkLength,
    #[error("ERR Protocol error: too big bulk count string")]
    BulkCountTooBig,
    #[error("ERR Protocol error: invalid bulk length")]
    InvalidBulkLength,
    #[error("ERR Protocol error: expected '$', got '{}'", char::from(*.0))]
    ExpectedDollar(u8),
}

/// What [`Decoder::decode`] found at the front of the buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded<'b> {
    /// Not a whole request yet.
    Incomplete,
    /// Bytes that hold no request (an empty line, `*0`): skip them.
    Skip(usize),
    /// A request's arguments and the bytes it used.
    Request(Vec<Cow<'b, [u8]>>, usize),
    /// Reply this error and close the connection.
    Error(ProtocolError),
}

/// Resumable decoding state for one connection.
#[derive(Debug, Default)]
pub struct Decoder {
    limits: Limits,
    /// Inside a multibulk request: the arguments read so far, as spans of
    /// the buffer, and where reading goes on.
    partial: Option<Partial>,
}

#[derive(Debug)]
struct Partial {
    remaining: usize,
    spans: Vec<(usize, usize)>,
    at: usize,
}

impl Decoder {
    pub fn new(limits: Limits) -> Decoder {
        Decoder {
            limits,
            partial: None,
        }
    }

    /// Decodes the request at the front of `buf`. After `Incomplete`, call
    /// again with the same bytes and more after them; after anything
    /// else, the next call's `buf` starts after the bytes used.
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Decoded<'b> {
        if self.partial.is_none() {
            match buf.first() {
                None => return Decoded::Incomplete,
                Some(b'*') => {}
                Some(_) => return decode_inline(buf),
            }
            let Some(line_end) = find_cr(buf, 1) else {
                if buf.len() > INLINE_MAX {
                    return Decoded::Error(ProtocolError::MultibulkCountTooBig);
                }
                return Decoded::Incomplete;
            };
            if line_end + 1 >= buf.len() {
                return Decoded::Incomplete;
            }
            let count = match super::number::parse_i64(&buf[1..line_end]) {
                Some(count) if count <= MAX_MULTIBULK => count,
                _ => return Decoded::Error(ProtocolError::InvalidMultibulkLength),
            };
            if count <= 0 {
                return Decoded::Skip(line_end + 2);
            }
            self.partial = Some(Partial {
                remaining: count as usize,
                spans: Vec::with_capacity((count as usize).min(64)),
                at: line_end + 2,
            });
        }
        let max_bulk_len = self.limits.max_bulk_len;
        let partial = self.partial.as_mut().expect("set above");
        while partial.remaining > 0 {
            let at = partial.at;
            if at >= buf.len() {
                return Decoded::Incomplete;
            }
            // As in Redis, the line is looked for before its first byte.
            let Some(line_end) = find_cr(buf, at) else {
                if buf.len() - at > INLINE_MAX {
                    self.partial = None;
                    return Decoded::Error(ProtocolError::BulkCountTooBig);
                }
                return Decoded::Incomplete;
            };
            if line_end + 1 >= buf.len() {
                return Decoded::Incomplete;
            }
            if buf[at] != b'$' {
                self.partial = None;
                return Decoded::Error(ProtocolError::ExpectedDollar(buf[at]));
            }
            let len = match super::number::parse_i64(&buf[at + 1..line_end]) {
                Some(len) if len >= 0 && len as u64 <= max_bulk_len as u64 => len as usize,
                _ => {
                    self.partial = None;
                    return Decoded::Error(ProtocolError::InvalidBulkLength);
                }
            };
            let start = line_end + 2;
            // Redis skips the two bytes after the data without looking
            // at them; so does this.
            if buf.len() < start + len + 2 {
                return Decoded::Incomplete;
            }
            partial.spans.push((start, len));
            partial.at = start + len + 2;
            partial.remaining -= 1;
        }
        let partial = self.partial.take().expect("set above");
        let args = partial
            .spans
            .iter()
            .map(|&(start, len)| Cow::Borrowed(&buf[start..start + len]))
            .collect();
        Decoded::Request(args, partial.at)
    }

    /// Whether a multibulk request has been started but not finished.
    pub fn in_request(&self) -> bool {
        self.partial.is_some()
    }
}

/// The position of the first `\r` at or after `from`.
fn find_cr(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .iter()
        .position(|&b| b == b'\r')
        .map(|i| i + from)
}

fn decode_inline(buf: &[u8]) -> Decoded<'_> {
    let Some(newline) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > INLINE_MAX {
            return Decoded::Error(ProtocolError::InlineTooBig);
        }
        return Decoded::Incomplete;
    };
    let mut line = &buf[..newline];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    match split_args(line) {
        None => Decoded::Error(ProtocolError::UnbalancedQuotes),
        Some(args) if args.is_empty() => Decoded::Skip(newline + 1),
        Some(args) => Decoded::Request(args.into_iter().map(Cow::Owned).collect(), newline + 1),
    }
}

/// Redis's `sdssplitargs`: words split on white space, with "double
/// quotes" (escapes `\n \r \t \b \a \\ \" \xHH`) and 'single quotes'
/// (escape `\'`). `None` for unbalanced quotes, or a closing quote not
/// followed by a space.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        let mut current = Vec::new();
        let (mut in_double, mut in_single) = (false, false);
        loop {
            let Some(&c) = line.get(i) else {
                if in_double || in_single {
                    return None;
                }
                break;
            };
            if in_double {
                if c == b'\\'
                    && line.get(i + 1) == Some(&b'x')
                    && line.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
                    && line.get(i + 3).is_some_and(u8::is_ascii_hexdigit)
                {
                    let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                    current.push(hex(line[i + 2]) * 16 + hex(line[i + 3]));
                    i += 3;
                } else if c == b'\\' && i + 1 < line.len() {
                    i += 1;
                    current.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if line.get(i + 1).is_some_and(|&next| !is_space(next)) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    current.push(c);
                }
            } else if in_single {
                if c == b'\\' && line.get(i + 1) == Some(&b'\'') {
                    i += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if line.get(i + 1).is_some_and(|&next| !is_space(next)) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        i += 1;
                        break;
                    }
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    _ => current.push(c),
                }
            }
            i += 1;
        }
        args.push(current);
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Which reply format a client asked for (`HELLO 2|3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Resp2,
    Resp3,
}

/// Writes replies into a connection's output buffer, in its protocol.
#[derive(Debug)]
pub struct Out<'a> {
    pub buf: &'a mut Vec<u8>,
    pub protocol: Protocol,
}

impl<'a> Out<'a> {
    pub fn new(buf: &'a mut Vec<u8>, protocol: Protocol) -> Out<'a> {
        Out { buf, protocol }
    }

    pub fn resp3(&self) -> bool {
        self.protocol == Protocol::Resp3
    }

    fn header(&mut self, tag: u8, len: usize) {
        self.buf.push(tag);
        write_int(len as i64, self.buf);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `+OK`.
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    pub fn simple(&mut self, text: &str) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An error line; CR and LF in `text` become spaces.
    pub fn error(&mut self, text: &str) {
        self.buf.push(b'-');
        self.buf.extend(
            text.bytes()
                .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn int(&mut self, value: i64) {
        self.buf.push(b':');
        write_int(value, self.buf);
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn bulk(&mut self, value: &[u8]) {
        self.header(b'$', value.len());
        self.buf.extend_from_slice(value);
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn bulk_int(&mut self, value: i64) {
        let mut digits = Vec::with_capacity(20);
        write_int(value, &mut digits);
        self.bulk(&digits);
    }

    /// A missing string: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        self.buf
            .extend_from_slice(if self.resp3() { b"_\r\n" } else { b"$-1\r\n" });
    }

    /// A missing array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        self.buf
            .extend_from_slice(if self.resp3() { b"_\r\n" } else { b"*-1\r\n" });
    }

    pub fn array(&mut self, len: usize) {
        self.header(b'*', len);
    }

    /// A map of `len` pairs: a flat array of twice as many in RESP2.
    pub fn map(&mut self, len: usize) {
        if self.resp3() {
            self.header(b'%', len);
        } else {
            self.header(b'*', len * 2);
        }
    }

    /// A set: an array in RESP2.
    pub fn set(&mut self, len: usize) {
        self.header(if self.resp3() { b'~' } else { b'*' }, len);
    }

    /// An out-of-band message (pub/sub): an array in RESP2.
    pub fn push(&mut self, len: usize) {
        self.header(if self.resp3() { b'>' } else { b'*' }, len);
    }

    /// A double: `%.17g` as a bulk string in RESP2, `,` in RESP3.
    pub fn double(&mut self, value: f64) {
        if self.resp3() {
            self.buf.push(b',');
            write_g17(value, self.buf);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            let mut text = Vec::with_capacity(24);
            write_g17(value, &mut text);
            self.bulk(&text);
        }
    }

    /// Text for people (INFO): a verbatim `txt` string in RESP3.
    pub fn verbatim(&mut self, text: &str) {
        if self.resp3() {
            self.header(b'=', text.len() + 4);
            self.buf.extend_from_slice(b"txt:");
            self.buf.extend_from_slice(text.as_bytes());
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> Vec<Result<Vec<Vec<u8>>, ProtocolError>> {
        let mut decoder = Decoder::default();
        let mut at = 0;
        let mut found = Vec::new();
        loop {
            match decoder.decode(&bytes[at..]) {
                Decoded::Incomplete => return found,
                Decoded::Skip(used) => at += used,
                Decoded::Request(args, used) => {
                    found.push(Ok(args.into_iter().map(Cow::into_owned).collect()));
                    at += used;
                }
                Decoded::Error(error) => {
                    found.push(Err(error));
                    return found;
                }
            }
        }
    }

    fn words(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn multibulk_and_inline_requests_decode() {
        assert_eq!(
            decode_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n\r\n*0\r\nset \"a b\" 'c\\'d'\r\n"),
            vec![
                Ok(words(&["GET", "k"])),
                Ok(words(&["PING"])),
                Ok(words(&["set", "a b", "c'd"])),
            ]
        );
    }

    #[test]
    fn protocol_errors_have_redis_texts() {
        for (bytes, want) in [
            (&b"*x\r\n"[..], ProtocolError::InvalidMultibulkLength),
            (b"*2147483648\r\n", ProtocolError::InvalidMultibulkLength),
            (b"*1\r\n:1\r\n", ProtocolError::ExpectedDollar(b':')),
            (b"*1\r\n$-1\r\n", ProtocolError::InvalidBulkLength),
            (b"*1\r\n$16777217\r\n", ProtocolError::InvalidBulkLength),
            (b"set \"a\r\n", ProtocolError::UnbalancedQuotes),
            (b"set \"a\"b\r\n", ProtocolError::UnbalancedQuotes),
        ] {
            assert_eq!(
                decode_all(bytes),
                vec![Err(want)],
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert_eq!(
            ProtocolError::ExpectedDollar(b':').to_string(),
            "ERR Protocol error: expected '$', got ':'"
        );
        let long = vec![b'a'; INLINE_MAX + 1];
        assert_eq!(decode_all(&long), vec![Err(ProtocolError::InlineTooBig)]);
        let mut count = b"*".to_vec();
        count.extend(vec![b'1'; INLINE_MAX + 1]);
        assert_eq!(
            decode_all(&count),
            vec![Err(ProtocolError::MultibulkCountTooBig)]
        );
    }

    #[test]
    fn a_request_cut_anywhere_decodes_the_same_and_resumes() {
        let whole = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
        for cut in 0..whole.len() {
            let mut decoder = Decoder::default();
            assert_eq!(
                decoder.decode(&whole[..cut]),
                Decoded::Incomplete,
                "cut {cut}"
            );
            match decoder.decode(whole) {
                Decoded::Request(args, used) => {
                    assert_eq!(used, whole.len());
                    assert_eq!(args.len(), 3);
                    assert_eq!(&*args[2], b"value");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn replies_differ_by_protocol() {
        let mut buf = Vec::new();
        let mut out = Out::new(&mut buf, Protocol::Resp2);
        out.null();
        out.map(1);
        out.double(1.5);
        out.error("ERR a\r\nb");
        assert_eq!(buf, b"$-1\r\n*2\r\n$3\r\n1.5\r\n-ERR a  b\r\n");
        let mut buf = Vec::new();
        let mut out = Out::new(&mut buf, Protocol::Resp3);
        out.null();
        out.map(1);
        out.double(1.5);
        out.verbatim("x");
        assert_eq!(buf, b"_\r\n%1\r\n,1.5\r\n=5\r\ntxt:x\r\n");
    }
}
