//! Sending by hand in a live room: the page adds its own node with a PUSH
//! (or PUB) socket connected to the scenario's first bound PULL (or SUB)
//! endpoint, and sends what the learner types, one message per click. In
//! the π room that is the tally's inbox: type `Y` and watch the estimate
//! move, as a real program connecting there would make it move. The room's
//! engine routes it like any member's message, and answers `sent` with its
//! id, or `EAGAIN` and why it could not go (no peer yet, a full queue).

use fanout_shared::{
    protocol::{NodeAdd, RoomFrame, SendRequest, ServerFrame},
    sim::{BlockReason, Topology, scenario::SocketSpec},
    socket::{MsgId, SocketKind},
};
use leptos::{prelude::*, task::spawn_local};

use super::{Live, bound_endpoint};

/// This page's sending node in the room, and what its last send did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sender {
    pub node: String,
    pub sent: u64,
    /// The last message's id, or why it could not be sent.
    pub last: Option<Result<MsgId, BlockReason>>,
}

/// Where a hand sender connects and with which socket: a PUSH to the
/// first PULL that binds (a pipeline's collector, π's tally), else a PUB
/// to the first SUB that binds.
pub fn send_target(topology: &Topology) -> Option<(SocketKind, String)> {
    bound_endpoint(topology, SocketKind::Pull)
        .map(|e| (SocketKind::Push, e))
        .or_else(|| bound_endpoint(topology, SocketKind::Sub).map(|e| (SocketKind::Pub, e)))
}

/// The socket's name in the sending node.
const SOCKET: &str = "out";

impl Live {
    /// Sends `payload` from this page's sending node, adding the node
    /// first if the page has none yet.
    fn send_by_hand(self, kind: SocketKind, endpoint: String, payload: String) {
        spawn_local(async move {
            let node = match self.sender.get_untracked() {
                Some(sender) => sender.node,
                None => {
                    let Ok(spec) = fanout_shared::json::decode::<SocketSpec>(serde_json::json!({
                        "name": SOCKET, "type": kind.to_string(), "connect": [endpoint],
                    })) else {
                        return;
                    };
                    let added = self
                        .server
                        .request(RoomFrame::NodeAdd(NodeAdd {
                            name: None,
                            program: None,
                            sockets: vec![spec],
                            auto_recv: false,
                            auto_limit: None,
                            id: None,
                        }))
                        .await;
                    match added {
                        Ok(ServerFrame::NodeAdded { node, .. }) => {
                            self.sender.set(Some(Sender {
                                node: node.clone(),
                                ..Sender::default()
                            }));
                            node
                        }
                        Ok(_) => return,
                        Err(error) => return self.refused(error),
                    }
                }
            };
            let answer = self
                .server
                .request(RoomFrame::Send(SendRequest {
                    node,
                    socket: SOCKET.into(),
                    payload: Some(payload),
                    payloads: None,
                    id: None,
                }))
                .await;
            match answer {
                Ok(ServerFrame::Sent { msgs, eagain, .. }) => self.sender.update(|sender| {
                    if let Some(sender) = sender {
                        sender.sent += msgs.len() as u64;
                        sender.last = match (msgs.first(), eagain) {
                            (Some(msg), _) => Some(Ok(*msg)),
                            (None, Some(why)) => Some(Err(why)),
                            (None, None) => None,
                        };
                    }
                }),
                Ok(_) => {}
                Err(error) => self.refused(error),
            }
        });
    }
}

/// The form: a message, a Send button, and what the last send did.
#[component]
pub fn SendByHand(live: Live, kind: SocketKind, endpoint: String) -> impl IntoView {
    let t = move || &live.lab.texts().live;
    let text = RwSignal::new(String::new());
    let hint = (t().send_hint)(&kind.to_string(), &endpoint);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let payload = text.get_untracked();
        if !payload.is_empty() {
            live.send_by_hand(kind, endpoint.clone(), payload);
        }
    };
    view! {
        <form class="send-by-hand" on:submit=submit>
            <label>
                <span>{move || t().send_label}</span>
                <input
                    type="text"
                    maxlength="200"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </label>
            <button type="submit">{move || t().send_button}</button>
            <p class="hint">{hint}</p>
            {move || {
                live.sender.get().map(|sender| {
                    let last = match sender.last {
                        Some(Ok(msg)) => (t().sent_as)(&msg.to_string()),
                        Some(Err(why)) => (t().not_sent)(why),
                        None => String::new(),
                    };
                    view! {
                        <p class="sent-status" role="status" data-node=sender.node.clone() data-sent=sender.sent.to_string()>
                            {(t().sent_count)(&sender.node, sender.sent)} " " {last}
                        </p>
                    }
                })
            }}
        </form>
    }
}
