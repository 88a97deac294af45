//! The example clients in `static/clients/`, embedded in the binary and
//! served at `/clients/<file>`, so a student can fetch `worker.py` from the
//! teacher's server whatever directory it was started in.

use axum::{
    body::Body,
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../static/clients"]
struct Clients;

pub async fn serve(Path(path): Path<String>) -> Response {
    let Some(file) = Clients::get(&path) else {
        return (
            StatusCode::NOT_FOUND,
            format!("no such client: /clients/{path}\n"),
        )
            .into_response();
    };
    let mime = if path.ends_with(".py") {
        "text/x-python; charset=utf-8"
    } else {
        file.metadata.mimetype()
    };
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
