//! Inside a room: where real ZeroMQ programs connect to it (the endpoints
//! its scenario binds, listening on TCP ports, and the addresses it
//! connects to for its external nodes; `docs/protocol.md`,
//! "ZeroMQ programs in a room") and, for the chapter's π system, the
//! commands that run its functions as separate processes
//! (`docs/queuepi.md`).

use fanout_shared::{
    protocol::{ZmtpEndpoint, ZmtpRole},
    socket::SocketKind,
};
use leptos::prelude::*;

use super::Live;

/// The URL a program connects to: the listening address, or this page's
/// host when the server listens on every address.
fn connect_url(listening: &ZmtpEndpoint) -> String {
    let everywhere =
        listening.address.starts_with("0.0.0.0:") || listening.address.starts_with("[::]:");
    if everywhere {
        let host = window().location().hostname().unwrap_or_default();
        format!("tcp://{host}:{}", listening.port)
    } else {
        format!("tcp://{}", listening.address)
    }
}

/// The chapter's commands for the connecting functions, when the room
/// binds the π system's three endpoints.
fn pi_commands(listening: &[ZmtpEndpoint]) -> Option<String> {
    let url = |kind: SocketKind| listening.iter().find(|l| l.kind == kind).map(connect_url);
    let (pubsub, reqrep, pushpull) = (
        url(SocketKind::Pub)?,
        url(SocketKind::Rep)?,
        url(SocketKind::Pull)?,
    );
    let origin = window().location().origin().unwrap_or_default();
    Some(format!(
        "curl -O {origin}/clients/queuepi.py\npip install pyzmq\n\
         python3 -c \"import zmq, queuepi; queuepi.judge(zmq.Context(), '{pubsub}', '{reqrep}', '{pushpull}')\"\n\
         python3 -c \"import zmq, queuepi; queuepi.always_yes(zmq.Context(), '{pubsub}', '{pushpull}')\""
    ))
}

/// The room's ZeroMQ endpoints, and the π commands for a π room.
#[component]
pub fn ZeroMq(live: Live, scenario: String, listening: Vec<ZmtpEndpoint>) -> impl IntoView {
    let t = move || &live.lab.texts().live;
    if listening.is_empty() {
        return view! {
            <div class="live-zmtp"><p class="hint">{move || t().zmtp_none}</p></div>
        }
        .into_any();
    }
    let pi = (scenario == "pi")
        .then(|| pi_commands(&listening))
        .flatten();
    let lines = listening
        .into_iter()
        .map(|l| {
            let url = connect_url(&l);
            let (endpoint, port) = (l.endpoint.clone(), l.port.to_string());
            view! {
                <li data-endpoint=endpoint data-port=port>
                    {move || match l.role {
                        ZmtpRole::Listen => (t().zmtp_endpoint)(&l.endpoint, l.kind.name(), &l.node, &url),
                        ZmtpRole::Dial => (t().zmtp_dial)(&l.endpoint, l.kind.name(), &l.node),
                    }}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="live-zmtp">
            <h3>{move || t().zmtp_heading}</h3>
            <p class="hint">{move || t().zmtp_hint}</p>
            <ul class="zmtp-endpoints">{lines}</ul>
            {pi.map(|commands| view! {
                <p class="hint">{move || t().zmtp_pi}</p>
                <pre class="zmtp-pi"><code>{commands}</code></pre>
            })}
        </div>
    }
    .into_any()
}
