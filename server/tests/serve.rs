//! `fanout serve` as a user meets it: the HTTP endpoints, the WebSocket
//! protocol's handshake and error handling, start-up failures and shutdown.

mod common;

use std::net::TcpListener;

use common::{Fanout, http_get, recv_json, send_json, send_text, ws_connect, ws_hello};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::{Message, protocol::frame::coding::CloseCode};

#[tokio::test]
async fn healthz_answers_ok() {
    let fanout = Fanout::start(&[]);
    let (status, _, body) = http_get(fanout.http, "/healthz").await;
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn serves_the_app_shell_for_client_routes_from_any_directory() {
    let fanout = Fanout::start_in(std::path::Path::new("/"), &[]);
    // Each lab is a page with its own wasm. Before `cargo xtask build` the
    // server embeds a one-page placeholder instead, which names no wasm.
    for (path, lab) in [
        ("/", "queues"),
        ("/queues", "queues"),
        ("/embed/queues", "queues"),
        ("/cache", "cache"),
        ("/embed/cache/", "cache"),
        ("/shards", "shards"),
        ("/embed/shards", "shards"),
        ("/no-such-page", "queues"),
    ] {
        let (status, headers, body) = http_get(fanout.http, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("<title>Fanout"), "{path}: {body}");
        if body.contains("_bg.wasm") {
            assert!(
                body.contains(&format!("/fanout-{lab}-")),
                "{path} is the {lab} lab's page: {body}"
            );
            for other in ["queues", "cache", "shards"]
                .into_iter()
                .filter(|o| *o != lab)
            {
                assert!(
                    !body.contains(&format!("/fanout-{other}-")),
                    "{path} loads no {other} wasm"
                );
            }
        }
        let content_type = headers.iter().find(|(name, _)| name == "content-type");
        assert_eq!(
            content_type.map(|(_, v)| v.as_str()),
            Some("text/html"),
            "{path}"
        );
    }
    let (status, _, _) = http_get(fanout.http, "/no-such-file.js").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn hello_gets_welcome_with_version() {
    let fanout = Fanout::start(&[]);
    let mut ws = ws_connect(&fanout).await;
    send_json(
        &mut ws,
        &json!({"type": "hello", "protocol": 1, "client": "test"}),
    )
    .await;
    let welcome = recv_json(&mut ws).await;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(welcome["protocol"], 1);
    assert_eq!(welcome["server"], "fanout");
    assert_eq!(welcome["version"], env!("CARGO_PKG_VERSION"));
    assert!(welcome["features"].is_array());
}

#[tokio::test]
async fn unsupported_version_names_the_supported_one() {
    let fanout = Fanout::start(&[]);
    let mut ws = ws_connect(&fanout).await;
    send_json(&mut ws, &json!({"type": "hello", "protocol": 99})).await;
    let error = recv_json(&mut ws).await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["field"], "protocol");
    assert_eq!(error["supported"], 1);
    assert!(error["message"].as_str().unwrap().contains("version 1"));
    // The connection is still usable: a correct hello now succeeds.
    send_json(&mut ws, &json!({"type": "hello", "protocol": 1})).await;
    assert_eq!(recv_json(&mut ws).await["type"], "welcome");
}

#[tokio::test]
async fn frames_before_hello_are_refused_politely() {
    let fanout = Fanout::start(&[]);
    let mut ws = ws_connect(&fanout).await;
    send_json(&mut ws, &json!({"type": "ping", "id": 1})).await;
    let error = recv_json(&mut ws).await;
    assert_eq!(error["type"], "error");
    assert!(
        error["message"].as_str().unwrap().contains("hello"),
        "{error}"
    );
}

#[tokio::test]
async fn every_kind_of_malformed_frame_gets_a_precise_error_and_the_socket_survives() {
    let fanout = Fanout::start(&[]);
    let mut ws = ws_hello(&fanout).await;
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("{not json", None, "not valid JSON"),
        ("42", None, "must be a JSON object"),
        (r#"{"id": 3}"#, Some("type"), "missing field \"type\""),
        (r#"{"type": 3}"#, Some("type"), "must be a string"),
        (
            r#"{"type": "subscribe"}"#,
            Some("type"),
            "unknown frame type \"subscribe\"",
        ),
        (r#"{"type": "ping", "id": "x"}"#, Some("id"), "expected u64"),
        (
            r#"{"type": "ping", "idd": 1}"#,
            Some("idd"),
            "unknown field",
        ),
        (r#"{"type": "hello"}"#, Some("protocol"), "missing field"),
    ];
    for (text, field, needle) in cases {
        send_text(&mut ws, text).await;
        let error = recv_json(&mut ws).await;
        assert_eq!(error["type"], "error", "{text}");
        assert_eq!(error["field"].as_str(), *field, "{text}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(needle), "{text}: {message}");
    }
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    let error = recv_json(&mut ws).await;
    assert!(
        error["message"].as_str().unwrap().contains("binary"),
        "{error}"
    );

    send_json(&mut ws, &json!({"type": "ping", "id": 9})).await;
    assert_eq!(recv_json(&mut ws).await, json!({"type": "pong", "id": 9}));
}

#[tokio::test]
async fn an_oversized_frame_ends_only_that_session() {
    let fanout = Fanout::start(&[]);
    let mut bystander = ws_hello(&fanout).await;
    let mut offender = ws_hello(&fanout).await;
    let huge = format!(r#"{{"type":"ping","pad":"{}"}}"#, "x".repeat(200_000));
    let _ = offender.send(Message::text(huge)).await;
    // The offender's connection ends (possibly after an error frame).
    let mut ended = false;
    for _ in 0..3 {
        match tokio::time::timeout(std::time::Duration::from_secs(5), offender.next()).await {
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => {
                ended = true;
                break;
            }
            Ok(Some(Ok(_))) => continue,
            Err(_) => break,
        }
    }
    assert!(ended, "the oversized sender's session should end");
    send_json(&mut bystander, &json!({"type": "ping", "id": 1})).await;
    assert_eq!(recv_json(&mut bystander).await["type"], "pong");
}

#[test]
fn a_port_in_use_names_the_flag_to_change() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fanout"))
        .args(["serve", "--http", &addr])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(lines[0].contains("already in use"), "{stderr}");
    assert!(lines[0].contains("--http"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully_and_says_goodbye() {
    let fanout = Fanout::start(&[]);
    let mut ws = ws_hello(&fanout).await;
    let status = tokio::task::spawn_blocking(move || fanout.terminate())
        .await
        .unwrap();
    assert!(status.success(), "exit status {status}");
    let mut close_code = None;
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(std::time::Duration::from_secs(5), ws.next()).await
    {
        if let Message::Close(frame) = message {
            close_code = frame.map(|f| f.code);
            break;
        }
    }
    assert_eq!(close_code, Some(CloseCode::Away));
}
