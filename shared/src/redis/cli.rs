//! What `redis-cli` does on either side of a command, for the browser's
//! own command line on the Tasks page: splitting a typed line into
//! arguments (Redis's `sdssplitargs`, [`split_line`]) and printing the
//! node's reply the way redis-cli prints it on a terminal
//! ([`render_replies`]: `(integer) 1`, `"text"`, `(nil)`, numbered lines
//! for arrays, `(error) ERR …`).
//!
//! The reply is read from the RESP bytes the model wrote (RESP2, or RESP3
//! after `HELLO 3`), so what the page shows is exactly what a TCP client
//! would have received.

use super::resp::split_args;

/// Splits a typed line into arguments as redis-cli does (white space,
/// "double quotes" with `\n \" \xHH` escapes, 'single quotes'). `None`
/// when quotes are unbalanced (redis-cli says "Invalid argument(s)").
pub fn split_line(line: &str) -> Option<Vec<Vec<u8>>> {
    split_args(line.as_bytes())
}

/// One reply, as hiredis reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Status(String),
    Error(String),
    Integer(i64),
    Bulk(Vec<u8>),
    /// RESP3's verbatim string, its `txt:` format removed.
    Verbatim(Vec<u8>),
    Double(String),
    BigNumber(String),
    Boolean(bool),
    Nil,
    Array(Vec<Reply>),
    Set(Vec<Reply>),
    Push(Vec<Reply>),
    /// Keys and values, alternating.
    Map(Vec<Reply>),
}

/// How deep replies may nest before the reader gives up (hiredis allows 7
/// levels; the model never nests more than 3).
const MAX_DEPTH: usize = 16;

/// Reads every complete reply in `bytes`; `None` if they are not RESP.
pub fn parse_replies(bytes: &[u8]) -> Option<Vec<Reply>> {
    let mut replies = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (reply, used) = parse(&bytes[at..], 0)?;
        replies.push(reply);
        at += used;
    }
    Some(replies)
}

fn line(bytes: &[u8]) -> Option<(&str, usize)> {
    let end = bytes.windows(2).position(|pair| pair == b"\r\n")?;
    Some((std::str::from_utf8(&bytes[1..end]).ok()?, end + 2))
}

fn parse(bytes: &[u8], depth: usize) -> Option<(Reply, usize)> {
    if depth > MAX_DEPTH {
        return None;
    }
    let kind = *bytes.first()?;
    let (text, mut used) = line(bytes)?;
    let reply = match kind {
        b'+' => Reply::Status(text.to_owned()),
        b'-' => Reply::Error(text.to_owned()),
        b':' => Reply::Integer(text.parse().ok()?),
        b',' => Reply::Double(text.to_owned()),
        b'(' => Reply::BigNumber(text.to_owned()),
        b'#' => Reply::Boolean(text == "t"),
        b'_' => Reply::Nil,
        b'$' | b'=' | b'!' => {
            let len: i64 = text.parse().ok()?;
            if len < 0 {
                return Some((Reply::Nil, used));
            }
            let len = usize::try_from(len).ok()?;
            let data = bytes.get(used..used.checked_add(len)?)?.to_vec();
            if bytes.get(used + len..used + len + 2)? != b"\r\n" {
                return None;
            }
            used += len + 2;
            match kind {
                b'$' => Reply::Bulk(data),
                b'!' => Reply::Error(String::from_utf8_lossy(&data).into_owned()),
                _ => Reply::Verbatim(data.get(4..).unwrap_or_default().to_vec()),
            }
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let count: i64 = text.parse().ok()?;
            if count < 0 {
                return Some((Reply::Nil, used));
            }
            let count = usize::try_from(count).ok()?;
            let items = if matches!(kind, b'%' | b'|') {
                count.checked_mul(2)?
            } else {
                count
            };
            // Every element takes at least three bytes.
            if items > bytes.len() {
                return None;
            }
            let mut elements = Vec::with_capacity(items);
            for _ in 0..items {
                let (element, size) = parse(&bytes[used..], depth + 1)?;
                elements.push(element);
                used += size;
            }
            match kind {
                b'*' => Reply::Array(elements),
                b'~' => Reply::Set(elements),
                b'>' => Reply::Push(elements),
                b'%' => Reply::Map(elements),
                // An attribute precedes the reply it describes; redis-cli
                // shows only the reply.
                _ => {
                    let (reply, size) = parse(&bytes[used..], depth + 1)?;
                    return Some((reply, used + size));
                }
            }
        }
        _ => return None,
    };
    Some((reply, used))
}

/// Redis's `sdscatrepr`: `bytes` in double quotes, `\\ \" \n \r \t \a \b`
/// escaped and other unprintable bytes as `\xHH` (UTF-8 text included,
/// as redis-cli shows it).
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &byte in bytes {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
    out
}

/// A command's arguments as one would type them back: a word as it is
/// when it needs no quotes, quoted (`sdscatrepr`) otherwise.
pub fn join_args(args: &[Vec<u8>]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|arg| {
            let plain = !arg.is_empty()
                && arg
                    .iter()
                    .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
            if plain {
                String::from_utf8_lossy(arg).into_owned()
            } else {
                quote(arg)
            }
        })
        .collect();
    words.join(" ")
}

/// redis-cli's `cliFormatReplyTTY`: the reply as a terminal shows it,
/// each line ending in `\n`.
pub fn render(reply: &Reply) -> String {
    let mut out = String::new();
    format_reply(reply, "", &mut out);
    out
}

fn format_reply(reply: &Reply, prefix: &str, out: &mut String) {
    match reply {
        Reply::Error(text) => {
            out.push_str("(error) ");
            out.push_str(text);
            out.push('\n');
        }
        Reply::Status(text) => {
            out.push_str(text);
            out.push('\n');
        }
        Reply::Integer(n) => out.push_str(&format!("(integer) {n}\n")),
        Reply::Double(text) => out.push_str(&format!("(double) {text}\n")),
        Reply::BigNumber(text) => out.push_str(&format!("(big number) {text}\n")),
        Reply::Bulk(bytes) => {
            out.push_str(&quote(bytes));
            out.push('\n');
        }
        Reply::Verbatim(bytes) => {
            out.push_str(&String::from_utf8_lossy(bytes));
            out.push('\n');
        }
        Reply::Nil => out.push_str("(nil)\n"),
        Reply::Boolean(value) => out.push_str(if *value { "(true)\n" } else { "(false)\n" }),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) | Reply::Map(items) => {
            if items.is_empty() {
                out.push_str(match reply {
                    Reply::Array(_) => "(empty array)\n",
                    Reply::Map(_) => "(empty hash)\n",
                    Reply::Set(_) => "(empty set)\n",
                    _ => "(empty push)\n",
                });
                return;
            }
            let is_map = matches!(reply, Reply::Map(_));
            let entries = if is_map { items.len() / 2 } else { items.len() };
            let width = entries.to_string().len();
            let inner = format!("{prefix}{}", " ".repeat(width + 2));
            let separator = match reply {
                Reply::Set(_) => '~',
                Reply::Map(_) => '#',
                _ => ')',
            };
            let step = if is_map { 2 } else { 1 };
            for (index, chunk) in items.chunks(step).enumerate() {
                // The first element's prefix is the parent's line already.
                let lead = if index == 0 { "" } else { prefix };
                out.push_str(&format!("{lead}{:>width$}{separator} ", index + 1));
                format_reply(&chunk[0], &inner, out);
                if let Some(value) = chunk.get(1) {
                    out.pop();
                    out.push_str(" => ");
                    format_reply(value, &inner, out);
                }
            }
        }
    }
}

/// Renders the replies in `bytes` (a command's reply, after anything the
/// node pushed to the connection first), cut after `max_bytes` of text
/// with a last line saying how much was left out. Bytes that are not RESP
/// are shown quoted.
pub fn render_replies(bytes: &[u8], max_bytes: usize) -> String {
    let mut text = match parse_replies(bytes) {
        Some(replies) => replies.iter().map(render).collect::<String>(),
        None => format!("{}\n", quote(bytes)),
    };
    if text.len() > max_bytes {
        let mut cut = max_bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = text[..cut].rfind('\n').map_or(cut, |at| at + 1);
        let left = text.len() - cut;
        text.truncate(cut);
        text.push_str(&format!("… ({left} more bytes not shown)\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        split_line(line)
            .expect("balanced")
            .into_iter()
            .map(|arg| String::from_utf8(arg).unwrap())
            .collect()
    }

    #[test]
    fn lines_split_as_redis_cli_splits_them() {
        assert_eq!(args("  LLEN   celery "), ["LLEN", "celery"]);
        assert_eq!(args(r#"SET k "a b\n\"c\"""#), ["SET", "k", "a b\n\"c\""]);
        assert_eq!(args(r"SET k 'it\'s here'"), ["SET", "k", "it's here"]);
        assert_eq!(args(r#"SET k "\x41\x4a""#), ["SET", "k", "AJ"]);
        assert_eq!(args(r#"SET k """#), ["SET", "k", ""]);
        // Single quotes keep backslashes other than \'.
        assert_eq!(args(r"SET k 'a\nb'"), ["SET", "k", "a\\nb"]);
        assert_eq!(
            split_line(r#"SET k "\xff""#).unwrap()[2],
            vec![0xff],
            "\\xHH makes any byte"
        );
        assert_eq!(split_line(""), Some(vec![]));
        assert_eq!(split_line(r#"SET k "open"#), None);
        assert_eq!(split_line("SET k 'open"), None);
        assert_eq!(
            split_line(r#"SET k "a"b"#),
            None,
            "a quote must end its word"
        );
    }

    fn shown(bytes: &[u8]) -> String {
        render_replies(bytes, usize::MAX)
    }

    #[test]
    fn replies_print_as_redis_cli_prints_them() {
        assert_eq!(shown(b":1\r\n"), "(integer) 1\n");
        assert_eq!(shown(b"+OK\r\n"), "OK\n");
        assert_eq!(shown(b"$4\r\ntext\r\n"), "\"text\"\n");
        assert_eq!(shown(b"$-1\r\n"), "(nil)\n");
        assert_eq!(shown(b"*-1\r\n"), "(nil)\n");
        assert_eq!(shown(b"_\r\n"), "(nil)\n");
        assert_eq!(shown(b"*0\r\n"), "(empty array)\n");
        assert_eq!(
            shown(b"-ERR unknown command 'FOO'\r\n"),
            "(error) ERR unknown command 'FOO'\n"
        );
        assert_eq!(
            shown(b"*2\r\n$1\r\na\r\n:2\r\n"),
            "1) \"a\"\n2) (integer) 2\n"
        );
        assert_eq!(shown(b",1.5\r\n"), "(double) 1.5\n");
        assert_eq!(shown(b"#t\r\n"), "(true)\n");
        assert_eq!(shown(b"=8\r\ntxt:line\r\n"), "line\n");
    }

    #[test]
    fn binary_bytes_are_escaped() {
        assert_eq!(
            shown(b"$7\r\n\x00\xff\"\\\n\t\x07\r\n"),
            "\"\\x00\\xff\\\"\\\\\\n\\t\\a\"\n"
        );
        // UTF-8 text is bytes to redis-cli too.
        assert_eq!(shown("$3\r\n中\r\n".as_bytes()), "\"\\xe4\\xb8\\xad\"\n");
    }

    #[test]
    fn nested_arrays_are_indented_under_their_number() {
        // SCAN's reply: the cursor, then the keys.
        let scan = b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n";
        assert_eq!(shown(scan), "1) \"0\"\n2) 1) \"a\"\n   2) \"b\"\n");
        // Ten elements widen the numbers, and the nesting with them.
        let mut ten = b"*10\r\n".to_vec();
        for _ in 0..9 {
            ten.extend_from_slice(b":0\r\n");
        }
        ten.extend_from_slice(b"*2\r\n:1\r\n*1\r\n:2\r\n");
        let text = shown(&ten);
        assert!(
            text.starts_with(" 1) (integer) 0\n 2) (integer) 0\n"),
            "{text}"
        );
        assert!(
            text.ends_with("10) 1) (integer) 1\n    2) 1) (integer) 2\n"),
            "{text}"
        );
    }

    #[test]
    fn maps_and_sets_use_their_own_marks() {
        let map = b"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n:2\r\n";
        assert_eq!(
            shown(map),
            "1# \"a\" => (integer) 1\n2# \"b\" => 1) (integer) 2\n"
        );
        assert_eq!(shown(b"~1\r\n$1\r\nx\r\n"), "1~ \"x\"\n");
        assert_eq!(shown(b"%0\r\n"), "(empty hash)\n");
    }

    #[test]
    fn several_replies_and_cuts() {
        assert_eq!(shown(b":1\r\n:2\r\n"), "(integer) 1\n(integer) 2\n");
        let mut many = b"*100\r\n".to_vec();
        for _ in 0..100 {
            many.extend_from_slice(b"$5\r\nhello\r\n");
        }
        let text = render_replies(&many, 100);
        assert!(text.len() < 200, "{text}");
        assert!(text.ends_with("more bytes not shown)\n"), "{text}");
        assert!(text.starts_with("  1) \"hello\"\n"), "{text}");
        // Not RESP: shown, not panicked on.
        assert_eq!(render_replies(b"*5\r\n", 100), "\"*5\\r\\n\"\n");
        assert_eq!(
            render_replies(b"*99999999999\r\n", 100),
            "\"*99999999999\\r\\n\"\n"
        );
    }

    #[test]
    fn arguments_join_back_into_a_line_that_splits_the_same() {
        let original = vec![
            b"LPUSH".to_vec(),
            b"celery".to_vec(),
            b"{\"a\": 1}\n\xff".to_vec(),
            Vec::new(),
        ];
        let line = join_args(&original);
        assert_eq!(line, r#"LPUSH celery "{\"a\": 1}\n\xff" """#);
        assert_eq!(split_line(&line), Some(original));
    }
}
