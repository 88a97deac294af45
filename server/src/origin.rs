//! Who may open the WebSocket (`/ws`): the page's origin, checked at the
//! handshake.
//!
//! A browser lets any page open a WebSocket to any address, so without a
//! check every page a learner or a teacher visits could flush the cache
//! nodes, create rooms and send into them. A browser always sends the
//! page's origin with the handshake (`Origin`, which the page cannot set),
//! so the server admits a handshake only:
//!
//! - from its own origin: the `Origin`'s host and port are those of the
//!   request's `Host` header, the address the browser used to reach this
//!   server (the scheme is not compared: behind a proxy that ends TLS the
//!   page is `https` and the server cannot know it). That holds however the server is reached (`127.0.0.1:8080`,
//!   `localhost:8080`, `--http 0.0.0.0:8080` opened to a classroom as
//!   `http://192.168.1.20:8080`, a reverse proxy that passes `Host` on) with
//!   nothing to configure; it is the usual same-origin test (as in
//!   gorilla/websocket's `checkSameOrigin`). The widgets embedded in a
//!   course page are Fanout's own pages, so they pass it too;
//! - from an origin listed with `--allow-origin` (repeatable): a static
//!   build served elsewhere (`?server=HOST:PORT`), a course site's own
//!   scripts;
//! - with no `Origin` at all: programs (`static/clients/worker.py`,
//!   scripts, the integration tests) send none, and a page cannot leave
//!   it out, so its absence means no page is involved. Such a program can
//!   reach the server anyway; the check protects browsers' users from
//!   pages, not the server from programs.
//!
//! A refused handshake gets `403 Forbidden` and a warning that names the
//! origin (and the flag that would admit it). `docs/protocol.md`
//! ("Opening") states the rule.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::AppState;

/// The origins `--allow-origin` admits besides the server's own, each as
/// `scheme://host[:port]` in lower case without a default port.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    pub fn new(origins: &[String]) -> AllowedOrigins {
        AllowedOrigins(origins.to_vec())
    }

    fn contains(&self, origin: &str) -> bool {
        self.0.iter().any(|allowed| allowed == origin)
    }
}

/// Parses one `--allow-origin` value (`http://host:port`,
/// `https://course.example.edu`) into its normal form.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    let parsed = WebOrigin::parse(text.trim_end_matches('/')).ok_or_else(|| {
        format!(
            "{text:?} is not an origin: give scheme://host[:port], such as http://192.168.1.20:3000"
        )
    })?;
    Ok(parsed.to_string())
}

/// An `http` or `https` origin, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WebOrigin {
    secure: bool,
    /// `host` or `host:port`, lower case, without the scheme's default port.
    authority: String,
}

impl WebOrigin {
    fn parse(text: &str) -> Option<WebOrigin> {
        let lower = text.to_ascii_lowercase();
        let (secure, authority) = if let Some(rest) = lower.strip_prefix("https://") {
            (true, rest)
        } else {
            (false, lower.strip_prefix("http://")?)
        };
        let bad = |c: char| c.is_ascii_whitespace() || c.is_ascii_control() || "/?#@\\".contains(c);
        if authority.is_empty() || authority.contains(bad) {
            return None;
        }
        Some(WebOrigin {
            secure,
            authority: without_default_port(authority, secure).to_owned(),
        })
    }
}

impl std::fmt::Display for WebOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.secure { "https" } else { "http" };
        write!(f, "{scheme}://{}", self.authority)
    }
}

/// `host:80` for http (`:443` for https) is `host`.
fn without_default_port(authority: &str, secure: bool) -> &str {
    let default = if secure { ":443" } else { ":80" };
    authority.strip_suffix(default).unwrap_or(authority)
}

/// Why a handshake was admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admitted {
    /// No `Origin`: a program, not a page.
    NoOrigin,
    /// The page came from this server.
    SameOrigin,
    /// The page's origin is listed with `--allow-origin`.
    Allowed,
}

/// Decides on a handshake from its headers.
pub fn check(headers: &HeaderMap, allowed: &AllowedOrigins) -> Result<Admitted, String> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(Admitted::NoOrigin);
    };
    let origin = origin.to_str().map_err(|_| "(not text)".to_owned())?;
    // "null" (a sandboxed frame, a file:// page) and other schemes fail here.
    let parsed = WebOrigin::parse(origin).ok_or_else(|| origin.to_owned())?;
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .map(|host| host.trim().to_ascii_lowercase());
    if host.is_some_and(|host| without_default_port(&host, parsed.secure) == parsed.authority) {
        return Ok(Admitted::SameOrigin);
    }
    if allowed.contains(&parsed.to_string()) {
        return Ok(Admitted::Allowed);
    }
    Err(origin.to_owned())
}

/// Guards the WebSocket route: a handshake from another origin gets 403.
pub async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match check(request.headers(), &state.allowed_origins) {
        Ok(_) => next.run(request).await,
        Err(origin) => {
            tracing::warn!(
                %origin,
                "refused a WebSocket handshake from another origin; \
                 start the server with --allow-origin {origin} to admit it"
            );
            (
                StatusCode::FORBIDDEN,
                format!(
                    "WebSocket handshakes from {origin} are refused: only this server's own pages \
                     and origins given with --allow-origin may connect\n"
                ),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(origin: Option<&str>, host: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        if let Some(host) = host {
            headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        }
        headers
    }

    fn verdict(origin: Option<&str>, host: &str, allowed: &[&str]) -> Result<Admitted, String> {
        let allowed: Vec<String> = allowed.iter().map(|o| parse_origin(o).unwrap()).collect();
        check(&headers(origin, Some(host)), &AllowedOrigins::new(&allowed))
    }

    #[test]
    fn a_page_from_the_server_itself_is_admitted_however_it_was_reached() {
        for (origin, host) in [
            ("http://127.0.0.1:8080", "127.0.0.1:8080"),
            ("http://localhost:8080", "localhost:8080"),
            ("http://192.168.1.20:8080", "192.168.1.20:8080"),
            ("http://[::1]:8080", "[::1]:8080"),
            ("HTTP://Fanout.Example.EDU", "fanout.example.edu"),
            ("https://fanout.example.edu", "fanout.example.edu:443"),
            ("http://fanout.example.edu:80", "fanout.example.edu"),
        ] {
            assert_eq!(
                verdict(Some(origin), host, &[]),
                Ok(Admitted::SameOrigin),
                "{origin} on {host}"
            );
        }
    }

    #[test]
    fn other_origins_are_refused_unless_listed() {
        for (origin, host) in [
            ("http://evil.example", "127.0.0.1:8080"),
            ("http://127.0.0.1:9999", "127.0.0.1:8080"),
            ("http://localhost:8080", "127.0.0.1:8080"),
            ("null", "127.0.0.1:8080"),
            ("file://", "127.0.0.1:8080"),
            ("http://127.0.0.1:8080/path", "127.0.0.1:8080"),
        ] {
            assert_eq!(
                verdict(Some(origin), host, &[]),
                Err(origin.to_owned()),
                "{origin} on {host}"
            );
        }
        let listed = ["http://evil.example", "https://course.example.edu/"];
        assert_eq!(
            verdict(Some("http://evil.example"), "127.0.0.1:8080", &listed),
            Ok(Admitted::Allowed)
        );
        assert_eq!(
            verdict(Some("https://COURSE.example.edu:443"), "h:1", &listed),
            Ok(Admitted::Allowed)
        );
        assert!(verdict(Some("http://course.example.edu"), "h:1", &listed).is_err());
        // No Host header: only the list can admit a page.
        let no_host = headers(Some("http://127.0.0.1:8080"), None);
        assert!(check(&no_host, &AllowedOrigins::default()).is_err());
    }

    #[test]
    fn programs_that_send_no_origin_are_admitted() {
        assert_eq!(verdict(None, "127.0.0.1:8080", &[]), Ok(Admitted::NoOrigin));
    }

    #[test]
    fn allow_origin_values_are_checked_and_normalised() {
        assert_eq!(
            parse_origin("HTTP://Host.Example:80/").as_deref(),
            Ok("http://host.example")
        );
        assert_eq!(
            parse_origin("https://h:8443").as_deref(),
            Ok("https://h:8443")
        );
        for bad in [
            "host.example",
            "ftp://h",
            "http://",
            "http://h/path",
            "http://u@h",
            "*",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
