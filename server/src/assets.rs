//! The browser app, embedded in the binary so `fanout serve` works from any
//! working directory and a single file is all a classroom needs.
//!
//! `build.rs` picks the folder (`dist/` after `cargo xtask build`, else a
//! placeholder page). Client-side routes such as `/queues` are not files: any
//! path without a file extension is answered with `index.html` and the app's
//! router takes it from there.

use axum::{
    body::Body,
    http::{HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$FANOUT_UI_DIR"]
struct Ui;

/// Serves an embedded file, or the app shell for client-side routes.
pub async fn serve_ui(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(response) = embedded_file(path) {
        return response;
    }
    let looks_like_a_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if looks_like_a_file {
        return (StatusCode::NOT_FOUND, format!("no such file: /{path}\n")).into_response();
    }
    embedded_file("index.html").unwrap_or_else(|| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the UI has no index.html\n",
        )
            .into_response()
    })
}

fn embedded_file(path: &str) -> Option<Response> {
    let path = if path.is_empty() { "index.html" } else { path };
    let file = Ui::get(path)?;
    let mime = file.metadata.mimetype();
    // Trunk names built assets by content hash, so they never change under
    // the same name; index.html and unhashed files must be revalidated.
    let cache_control = if is_content_hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    Some(response)
}

/// Trunk's hashed names look like `fanout-frontend-3f2a…9c_bg.wasm`.
fn is_content_hashed(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .and_then(|name| name.split(['-', '_', '.']).find(|part| part.len() == 16))
        .is_some_and(|part| part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_content_hashed(
            "fanout-frontend-3f2a11aa22bb339c_bg.wasm"
        ));
        assert!(is_content_hashed("style-0123456789abcdef.css"));
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("words.txt"));
    }
}
