//! Hanging up on web requests.
//!
//! Any web page the learner (or a teacher) visits can make the browser send
//! an HTTP request to a port on their machine: a form post or a `fetch` to
//! `http://127.0.0.1:11211/`. The request's header lines are nonsense to a
//! cache node, but its body arrives after them, and a node that answered
//! `ERROR` to each header and read on would then run the body's commands
//! (`set pwned 0 0 3`, `flush_all`). So a node closes the connection at
//! once, running nothing and answering nothing, on:
//!
//! - memcached's rule (1.6, `proto_text.c`, the last branch of
//!   `process_command_ascii`): a line whose command memcached does not know
//!   and whose last token (of the first 23) begins with `HTTP/`. Every
//!   request line a browser sends (`POST / HTTP/1.1`, `OPTIONS * HTTP/1.1`
//!   for a preflight) is such a line. Commands that memcached dispatches
//!   before that branch never get there: a two-byte command starting with
//!   `m` (the meta commands), a command starting with `g s a c i d t`
//!   (`gxx / HTTP/1.1` gets `ERROR`), and memcached's other command words;
//!   so `get / HTTP/1.1` is still a get of the keys `/` and `HTTP/1.1`.
//! - Redis's rule, which memcached lacks (it answers `ERROR`): a line whose
//!   first token is `Host:` (any case), the header every HTTP/1.1 request
//!   carries.
//!
//! memcached also drops the answers it still owed to earlier commands of the
//! same read; a node does the same (`Parse::Hangup`). `docs/protocol.md`
//! ("Cache nodes over TCP") states the rule.

use super::parse::Tokens;

/// memcached 1.6.18's command words that start with none of `g s a c i d t`
/// and are not meta commands: a line starting with one of them is that
/// command's, even if it ends in `HTTP/…` (Debian's build, which has
/// extstore and TLS; `misbehave` exists only in debug builds).
const MEMCACHED_WORDS: [&[u8]; 12] = [
    b"replace",
    b"prepend",
    b"bget",
    b"flush_all",
    b"version",
    b"quit",
    b"lru_crawler",
    b"watch",
    b"verbosity",
    b"lru",
    b"extstore",
    b"refresh_certs",
];

/// Whether the line holding `tokens` is part of an HTTP request, so the
/// connection must close now.
pub fn is_web_request(tokens: &Tokens<'_>) -> bool {
    let Some(command) = tokens.get(0) else {
        return false;
    };
    if command.eq_ignore_ascii_case(b"host:") {
        return true;
    }
    reaches_unknown_command(command) && tokens.at(tokens.len() - 1).starts_with(b"HTTP/")
}

/// Whether memcached would find `command` unknown and reach the branch
/// that looks for `HTTP/`.
fn reaches_unknown_command(command: &[u8]) -> bool {
    match command {
        // Too short to be any command: `ERROR` before anything else.
        [] | [_] => false,
        // The meta commands' dispatch (an unknown one is `ERROR`).
        [b'm', _] => false,
        [b'g' | b's' | b'a' | b'c' | b'i' | b'd' | b't', ..] => false,
        _ => !MEMCACHED_WORDS.contains(&command),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(line: &str) -> bool {
        is_web_request(&Tokens::new(line.as_bytes()))
    }

    #[test]
    fn browser_request_lines_and_host_lines_are_web_requests() {
        for line in [
            "GET / HTTP/1.1",
            "POST / HTTP/1.1",
            "PUT /path HTTP/1.1",
            "DELETE HTTP/1.1",
            "HEAD / HTTP/1.0",
            "OPTIONS * HTTP/1.1",
            "PATCH /x?y=z HTTP/1.1",
            "  GET / HTTP/1.1",
            "GET / HTTP/1.1\t",
            "FOO HTTP/2",
            "mget / HTTP/1.1",
            "misbehave HTTP/1.1",
            "Host: 127.0.0.1:11211",
            "host: example.com",
            "HOST:",
        ] {
            assert!(web(line), "{line:?}");
        }
    }

    #[test]
    fn memcached_commands_and_near_misses_are_not() {
        for line in [
            "get / HTTP/1.1",
            "delete HTTP/1.1",
            "gxx / HTTP/1.1",
            "sTATS / HTTP/1.1",
            "dummy / HTTP/1.1",
            "mx / HTTP/1.1",
            "mg / HTTP/1.1",
            "X HTTP/1.1",
            "version HTTP/1.1",
            "watch / HTTP/1.1",
            "FOO bar http/1.1",
            "FOO HTTP/1.1 extra",
            "GET /\tHTTP/1.1",
            "Hostname: x",
            "Host",
            "",
        ] {
            assert!(!web(line), "{line:?}");
        }
    }

    #[test]
    fn only_the_23rd_token_counts_on_a_long_line() {
        let letters: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        // "zz" + 21 tokens + "HTTP/1.1": the 23rd token, then more.
        let at_23 = format!("zz {} HTTP/1.1 w x", letters.join(" "));
        assert!(web(&at_23));
        let at_24 = format!("zz {} v HTTP/1.1 w", letters.join(" "));
        assert!(!web(&at_24));
    }
}
