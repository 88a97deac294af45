//! Everything that lets a course page embed Fanout: the framing policy, the
//! oEmbed endpoint, and the oEmbed discovery link in lab pages.
//!
//! Framing policy: the widget routes (`/embed/…`) may be framed by any
//! origin, or only by those given with `--embed-origins`; every other page
//! refuses to be framed (clickjacking protection for the full app).

use std::sync::Arc;

use axum::{
    Json,
    extract::{Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use fanout_shared::embed::{PageUrl, iframe_html};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;

/// Which origins may frame the widgets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbedOrigins {
    Any,
    /// Only these origins (and this server itself, so its course page works).
    Only(Vec<String>),
}

impl EmbedOrigins {
    /// Parses `--embed-origins`: `*`, or a comma-separated list of origins
    /// such as `https://course.example.edu,http://localhost:3000`.
    pub fn parse(text: &str) -> Result<EmbedOrigins, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(EmbedOrigins::Any);
        }
        let mut origins = Vec::new();
        for origin in text.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .ok_or_else(|| {
                    format!("{origin:?} is not an origin: it must start with http:// or https://")
                })?;
            if rest.is_empty() || rest.contains(['/', '?', '#', ' ', ';', '\'', '"']) {
                return Err(format!(
                    "{origin:?} is not an origin: give scheme://host[:port] only, no path"
                ));
            }
            origins.push(origin.to_owned());
        }
        if origins.is_empty() {
            return Err("no origin given: use * or a comma-separated list of origins".into());
        }
        Ok(EmbedOrigins::Only(origins))
    }

    /// The `frame-ancestors` source list for widget routes.
    fn frame_ancestors(&self) -> String {
        match self {
            EmbedOrigins::Any => "*".to_owned(),
            EmbedOrigins::Only(origins) => format!("'self' {}", origins.join(" ")),
        }
    }
}

/// Paths a course page may put in an iframe.
fn is_widget_path(path: &str) -> bool {
    path == "/embed" || path.starts_with("/embed/")
}

/// Sets the framing headers on every HTML page according to its path.
pub async fn framing_policy(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let widget = is_widget_path(request.uri().path());
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let headers = response.headers_mut();
    if widget {
        let policy = format!("frame-ancestors {}", state.embed_origins.frame_ancestors());
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    } else {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// The query of `GET /oembed` (https://oembed.com, section 2.2).
#[derive(Debug, Deserialize)]
pub struct OembedQuery {
    url: Option<String>,
    maxwidth: Option<u32>,
    maxheight: Option<u32>,
    format: Option<String>,
}

/// `GET /oembed?url=…`: a `rich` response whose `html` is the widget iframe.
pub async fn oembed(Query(query): Query<OembedQuery>) -> Response {
    if query
        .format
        .as_deref()
        .is_some_and(|format| format != "json")
    {
        return (
            StatusCode::NOT_IMPLEMENTED,
            "only format=json is supported\n",
        )
            .into_response();
    }
    let Some(url) = query.url.as_deref() else {
        return (StatusCode::BAD_REQUEST, "missing query parameter: url\n").into_response();
    };
    let page = match PageUrl::parse(url) {
        Ok(page) => page,
        // oEmbed says 404 for a URL the provider has no response for.
        Err(reason) => return (StatusCode::NOT_FOUND, format!("{reason}\n")).into_response(),
    };
    let (default_width, default_height) = page.lab.default_size();
    let width = query
        .maxwidth
        .map_or(default_width, |max| default_width.min(max));
    let height = query
        .maxheight
        .map_or(default_height, |max| default_height.min(max));
    let title = page.title();
    Json(json!({
        "version": "1.0",
        "type": "rich",
        "provider_name": "Fanout",
        "provider_url": format!("{}/", page.origin),
        "title": title,
        "html": iframe_html(&page.embed_src(), &title, width, height),
        "width": width,
        "height": height,
    }))
    .into_response()
}

/// The discovery `<link>` for a lab page, so that oEmbed consumers reading
/// the raw HTML (they run no JavaScript) find the endpoint. `None` for pages
/// that are not labs.
pub fn discovery_link(headers: &HeaderMap, path_and_query: &str) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    let page_url = format!("{scheme}://{host}{path_and_query}");
    let page = PageUrl::parse(&page_url).ok()?;
    let href = format!(
        "{scheme}://{host}/oembed?url={}",
        percent_encode_component(&page_url)
    );
    Some(format!(
        "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"{}\" title=\"{}\">",
        fanout_shared::embed::escape_attribute(&href),
        fanout_shared::embed::escape_attribute(&page.title()),
    ))
}

/// Percent-encodes a URL query component (RFC 3986 unreserved kept).
fn percent_encode_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_or_say_why_not() {
        assert_eq!(EmbedOrigins::parse("*"), Ok(EmbedOrigins::Any));
        assert_eq!(
            EmbedOrigins::parse("https://a.example, http://localhost:3000"),
            Ok(EmbedOrigins::Only(vec![
                "https://a.example".into(),
                "http://localhost:3000".into()
            ]))
        );
        assert!(
            EmbedOrigins::parse("a.example")
                .unwrap_err()
                .contains("http://")
        );
        assert!(
            EmbedOrigins::parse("https://a.example/course")
                .unwrap_err()
                .contains("no path")
        );
        assert!(
            EmbedOrigins::parse(" , ")
                .unwrap_err()
                .contains("no origin")
        );
    }

    #[test]
    fn frame_ancestors_always_lets_this_site_frame_its_widgets() {
        let only = EmbedOrigins::Only(vec!["https://a.example".into()]);
        assert_eq!(only.frame_ancestors(), "'self' https://a.example");
        assert_eq!(EmbedOrigins::Any.frame_ancestors(), "*");
    }

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(
            percent_encode_component("http://h:1/queues?a=1&b=2"),
            "http%3A%2F%2Fh%3A1%2Fqueues%3Fa%3D1%26b%3D2"
        );
    }
}
