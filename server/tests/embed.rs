//! Embedding from a course page's point of view: who may frame what, the
//! oEmbed endpoint, and the discovery link in lab pages.

mod common;

use common::{Fanout, http_get};

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

#[tokio::test]
async fn widgets_may_be_framed_by_anyone_and_the_app_by_no_one() {
    let fanout = Fanout::start(&[]);
    let (status, headers, _) = http_get(fanout.http, "/embed/queues?scenario=pi").await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-security-policy"),
        Some("frame-ancestors *")
    );
    assert_eq!(header(&headers, "x-frame-options"), None);

    for path in ["/", "/queues", "/cache?lang=zh"] {
        let (status, headers, _) = http_get(fanout.http, path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            header(&headers, "content-security-policy"),
            Some("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(header(&headers, "x-frame-options"), Some("DENY"), "{path}");
    }
}

#[tokio::test]
async fn embed_origins_restricts_who_may_frame_widgets() {
    let fanout = Fanout::start(&[
        "--embed-origins",
        "https://course.example.edu,http://localhost:3000",
    ]);
    let (_, headers, _) = http_get(fanout.http, "/embed/shards").await;
    assert_eq!(
        header(&headers, "content-security-policy"),
        Some("frame-ancestors 'self' https://course.example.edu http://localhost:3000")
    );
}

#[test]
fn a_bad_embed_origin_is_refused_in_one_line() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fanout"))
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--embed-origins",
            "course.example.edu",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--embed-origins"), "{stderr}");
    assert!(stderr.contains("http://"), "{stderr}");
}

#[tokio::test]
async fn oembed_answers_a_rich_iframe_for_lab_pages() {
    let fanout = Fanout::start(&[]);
    let page = format!("http://{}/queues?scenario=pipeline&seed=3", fanout.http);
    let query = format!(
        "/oembed?url={}&maxwidth=600",
        page.replace(':', "%3A")
            .replace('/', "%2F")
            .replace('?', "%3F")
            .replace('&', "%26")
            .replace('=', "%3D")
    );
    let (status, headers, body) = http_get(fanout.http, &query).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["version"], "1.0");
    assert_eq!(answer["type"], "rich");
    assert_eq!(answer["width"], 600);
    assert_eq!(answer["title"], "Fanout queue lab: pipeline");
    let html = answer["html"].as_str().unwrap();
    let src = format!(
        "src=\"http://{}/embed/queues?scenario=pipeline&amp;seed=3\"",
        fanout.http
    );
    assert!(html.starts_with("<iframe "), "{html}");
    assert!(html.contains(&src), "{html}");
    assert!(
        html.contains("title=\"Fanout queue lab: pipeline\""),
        "{html}"
    );
    assert!(html.contains("width=\"600\""), "{html}");
}

#[tokio::test]
async fn oembed_refuses_what_it_cannot_embed() {
    let fanout = Fanout::start(&[]);
    let (status, _, body) = http_get(fanout.http, "/oembed?url=http%3A%2F%2Fh%2Fhealthz").await;
    assert_eq!(status, 404);
    assert!(body.contains("names no lab"), "{body}");
    let (status, _, _) = http_get(fanout.http, "/oembed").await;
    assert_eq!(status, 400);
    let (status, _, _) =
        http_get(fanout.http, "/oembed?url=http%3A%2F%2Fh%2Fcache&format=xml").await;
    assert_eq!(status, 501);
}

#[tokio::test]
async fn lab_pages_carry_the_oembed_discovery_link() {
    let fanout = Fanout::start(&[]);
    let (_, _, body) = http_get(fanout.http, "/shards?lang=zh").await;
    let expected = format!(
        "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"http://{0}/oembed?url=http%3A%2F%2F{1}%2Fshards%3Flang%3Dzh\" title=\"Fanout 分片实验\">",
        fanout.http,
        fanout.http.to_string().replace(':', "%3A"),
    );
    assert!(body.contains(&expected), "{body}");
    let head_end = body.find("</head>").expect("a head");
    assert!(body.find(&expected).unwrap() < head_end);

    let (_, _, body) = http_get(fanout.http, "/no-such-page").await;
    assert!(!body.contains("json+oembed"), "{body}");
}
