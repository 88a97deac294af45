//! The browser app, embedded in the binary so `fanout serve` works from any
//! working directory and a single file is all a classroom needs.
//!
//! `build.rs` picks the folder (`dist/` after `cargo xtask build`, else a
//! placeholder page). Lab routes such as `/queues` are not files: any path
//! without a file extension is answered with its lab's page ([`page_for`]:
//! `cache.html`, `shards.html`, else `index.html`, the queue lab's, which
//! also shows the app's "not found"). Each page carries only its lab's wasm.
//! Lab pages get an oEmbed discovery link written into them, because oEmbed
//! consumers read raw HTML.
//!
//! The bundle is gzipped when it is built (`cargo xtask build` writes
//! `NAME.gz` beside each file that compresses, at the best level): a file
//! is sent as its `.gz` to a browser that accepts gzip, straight from the
//! binary. Gzipping the 2.2 MB wasm on the fly took about 140 ms per
//! request, the largest part of a fresh page's time to interactive; doing
//! it as the server started read the whole bundle into its memory (12 MB
//! of a cache node's resident size). The lab pages, edited per request,
//! and a bundle without `.gz` files (the placeholder UI) are compressed on
//! the fly by the router's compression layer.

use axum::{
    body::{Body, Bytes},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use fanout_shared::embed::Lab;
use rust_embed::RustEmbed;
use std::borrow::Cow;

#[derive(RustEmbed)]
#[folder = "$FANOUT_UI_DIR"]
struct Ui;

/// Pages kept in `static/` that are served under a clean path.
const PAGES: &[(&str, &str)] = &[("course-example", "course-example.html")];

/// The page that shows a route: `/cache` and `/embed/cache` → `cache.html`;
/// `/queues`, `/` and unknown routes → `index.html`.
fn page_name(path: &str) -> &'static str {
    let path = path.trim_matches('/');
    let lab = path.strip_prefix("embed/").unwrap_or(path);
    Lab::from_slug(lab).map_or(Lab::Queues.page(), Lab::page)
}

/// [`page_name`], or `index.html` when the bundle lacks that page (the
/// placeholder UI of a server built before the browser app).
fn page_for(path: &str) -> &'static str {
    Some(page_name(path))
        .filter(|page| Ui::get(page).is_some())
        .unwrap_or("index.html")
}

/// Text and wasm compress well; the pages are rewritten per request.
fn worth_gzipping(path: &str) -> bool {
    path != "index.html"
        && Lab::ALL.iter().all(|lab| lab.page() != path)
        && [".wasm", ".js", ".css", ".html", ".svg", ".txt", ".json"]
            .iter()
            .any(|ext| path.ends_with(ext))
}

/// Does the request's `Accept-Encoding` allow gzip (`gzip`, not `gzip;q=0`)?
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// Serves an embedded file, or the app shell for client-side routes.
pub async fn serve_ui(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = PAGES
        .iter()
        .find(|(clean, _)| path.trim_end_matches('/') == *clean)
        .map_or(path, |(_, file)| *file);
    if !path.is_empty()
        && let Some(response) = embedded_file(path, accepts_gzip(&headers))
    {
        return response;
    }
    let looks_like_a_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if looks_like_a_file {
        return (StatusCode::NOT_FOUND, format!("no such file: /{path}\n")).into_response();
    }
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    app_shell(
        page_for(path),
        crate::embed::discovery_link(&headers, path_and_query),
    )
}

/// The lab `page`, with `extra_head` (if any) inserted before `</head>`.
fn app_shell(page: &str, extra_head: Option<String>) -> Response {
    let Some(mut response) = embedded_file(page, false) else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the UI has no {page}\n"),
        )
            .into_response();
    };
    let Some(extra_head) = extra_head else {
        return response;
    };
    let Some(file) = Ui::get(page) else {
        return response;
    };
    let html = String::from_utf8_lossy(&file.data);
    let html = match html.find("</head>") {
        Some(at) => format!("{}{extra_head}\n{}", &html[..at], &html[at..]),
        None => html.into_owned(),
    };
    *response.body_mut() = Body::from(html);
    response
}

fn embedded_file(path: &str, gzip: bool) -> Option<Response> {
    let path = if path.is_empty() { "index.html" } else { path };
    let file = Ui::get(path)?;
    let gzipped = (gzip && worth_gzipping(path))
        .then(|| Ui::get(&format!("{path}.gz")))
        .flatten();
    let mime = file.metadata.mimetype().to_owned();
    // Trunk names built assets by content hash, so they never change under
    // the same name; the pages and unhashed files must be revalidated.
    let cache_control = if is_content_hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let is_gzipped = gzipped.is_some();
    let body = Body::from(static_bytes(gzipped.unwrap_or(file).data));
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    if is_gzipped {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Ok(value) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    Some(response)
}

/// The embedded bytes without a copy (a release build's are static).
fn static_bytes(data: Cow<'static, [u8]>) -> Bytes {
    match data {
        Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        Cow::Owned(bytes) => Bytes::from(bytes),
    }
}

/// Trunk's hashed names look like `fanout-queues-3f2a…9c_bg.wasm`.
fn is_content_hashed(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .and_then(|name| name.split(['-', '_', '.']).find(|part| part.len() == 16))
        .is_some_and(|part| part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::{HeaderMap, HeaderValue, accepts_gzip, header, is_content_hashed, page_name};

    #[test]
    fn each_lab_route_is_answered_with_its_own_page() {
        assert_eq!(page_name("cache"), "cache.html");
        assert_eq!(page_name("embed/cache/"), "cache.html");
        assert_eq!(page_name("shards"), "shards.html");
        assert_eq!(page_name("embed/shards"), "shards.html");
        assert_eq!(page_name("queues"), "index.html");
        assert_eq!(page_name("embed/queues"), "index.html");
        assert_eq!(page_name(""), "index.html");
        assert_eq!(page_name("cachex"), "index.html");
        assert_eq!(page_name("embed/nowhere"), "index.html");
    }

    #[test]
    fn gzip_is_sent_only_where_accepted() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0, br"));
        assert!(!with("gzip; q=0.000"));
        assert!(!with("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_content_hashed("fanout-queues-3f2a11aa22bb339c_bg.wasm"));
        assert!(is_content_hashed("style-0123456789abcdef.css"));
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("words.txt"));
    }
}
