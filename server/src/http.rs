//! The HTTP surface of `fanout serve`: one router, so a reader sees every
//! endpoint in one place.

use std::sync::Arc;

use axum::{Json, Router, extract::State, middleware, routing::get};
use serde_json::{Value, json};
use tower_http::{compression::CompressionLayer, trace::TraceLayer};

use crate::{AppState, assets, embed, origin, rooms, ws};

/// Builds the router for the whole server.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/ws",
            get(ws::upgrade).route_layer(middleware::from_fn_with_state(
                Arc::clone(&state),
                origin::guard,
            )),
        )
        .route("/oembed", get(embed::oembed))
        .route("/clients/{*path}", get(rooms::clients::serve))
        .fallback(assets::serve_ui)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            embed::framing_policy,
        ))
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Liveness for scripts and test harnesses: answers as soon as the server
/// accepts connections.
async fn healthz(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_s": state.started.elapsed().as_secs(),
    }))
}
