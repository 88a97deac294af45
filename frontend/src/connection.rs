//! The browser's link to the Fanout server: one WebSocket on `/ws`, opened
//! with `hello`, reopened with back-off when it drops, shared by every lab.
//!
//! - [`LinkState`] (a signal in context) says whether live features are
//!   available; labs that work offline never wait on it.
//! - [`Server::request`] sends a frame with a fresh `id` and resolves with
//!   the frame that answers it (the server echoes ids, errors included).
//! - [`Server::listen`] hands every incoming frame to a callback until the
//!   calling component is cleaned up; that is how pushed frames (cache
//!   events, room traffic) reach a lab.
//!
//! Server-side subscriptions (such as `cache_watch`) end with the socket: a
//! lab that needs one re-sends it whenever the state becomes `Connected`.

use std::{
    cell::{Cell, RefCell},
    collections::BTreeMap,
    rc::Rc,
    time::Duration,
};

use fanout_shared::{
    lang::Say,
    protocol::{Hello, PROTOCOL_VERSION, Refusal, ServerFrame, SessionFrame},
};
use futures_channel::oneshot;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{MessageEvent, WebSocket};

use crate::text::Texts;

/// What the app knows about its server link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    /// `welcome` received; carries the server's version.
    Connected {
        server_version: String,
    },
    /// No server reachable (or it refused us).
    Offline {
        reason: OfflineReason,
    },
}

/// Why the link is down, so the tooltip can say it in the learner's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineReason {
    /// Opened from a file or another non-HTTP origin: there is no server to ask.
    NotServedOverHttp,
    /// The browser refused to open the socket at all.
    CannotOpen,
    /// The server closed the connection or never answered.
    Unreachable,
}

impl LinkState {
    /// A stable machine-readable name, used as `data-state` for tests and CSS.
    pub fn key(&self) -> &'static str {
        match self {
            LinkState::Connecting => "connecting",
            LinkState::Connected { .. } => "connected",
            LinkState::Offline { .. } => "offline",
        }
    }

    /// The badge's word for this state.
    pub fn label(&self, texts: &Texts) -> &'static str {
        match self {
            LinkState::Connecting => texts.connecting,
            LinkState::Connected { .. } => texts.connected,
            LinkState::Offline { .. } => texts.offline,
        }
    }

    /// A sentence for the badge's tooltip.
    pub fn explanation(&self, texts: &Texts) -> String {
        match self {
            LinkState::Connecting => texts.connecting_hint.to_owned(),
            LinkState::Connected { server_version } => (texts.connected_hint)(server_version),
            LinkState::Offline { reason } => (texts.offline_hint)(match reason {
                OfflineReason::NotServedOverHttp => texts.reason_not_http,
                OfflineReason::CannotOpen => texts.reason_cannot_open,
                OfflineReason::Unreachable => texts.reason_unreachable,
            }),
        }
    }
}

/// The longest pause between reconnection attempts.
const MAX_RETRY: Duration = Duration::from_secs(8);

thread_local! {
    /// The one link of this page. The browser runs the app on one thread;
    /// keeping the link here (not in a signal) lets it hold JS objects.
    static LINK: RefCell<Option<Rc<Link>>> = const { RefCell::new(None) };
}

/// How a page reads the server's frames: only those of the areas it uses
/// (see [`crate::LabPage::read_frame`]). A frame it does not read is
/// logged and skipped.
pub type FrameReader = fn(serde_json::Value) -> Result<ServerFrame, String>;

/// Opens the link, provides [`Server`] and the [`LinkState`] signal as
/// context, and returns the state. Call once, at the app root.
pub fn connect(read_frame: FrameReader) -> ReadSignal<LinkState> {
    let (state, set_state) = signal(LinkState::Connecting);
    let link = Rc::new(Link {
        set_state,
        state,
        socket: RefCell::new(None),
        retry: Cell::new(Duration::from_millis(500)),
        next_id: Cell::new(1),
        pending: RefCell::new(BTreeMap::new()),
        listeners: RefCell::new(BTreeMap::new()),
        read_frame,
    });
    LINK.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&link)));
    link.open();
    provide_context(state);
    provide_context(Server { _private: () });
    state
}

/// Why a request got no answer. It says itself in the learner's language
/// (`Say`, in `text.rs`): from the `error` frame's typed `refusal` when the
/// server sent one, else in the server's own English `message`.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestError {
    /// Not connected when asked, or the connection dropped before the answer.
    Disconnected,
    /// The server answered with an `error` frame.
    Refused {
        message: String,
        field: Option<String>,
        /// The typed fact behind `message` (docs/protocol.md, "Errors").
        refusal: Option<Refusal>,
    },
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

/// A handle on the page's server link, available from context anywhere in
/// the app (`expect_context::<Server>()`). Copying it is free.
#[derive(Debug, Clone, Copy)]
pub struct Server {
    _private: (),
}

impl Server {
    /// Sends a frame with a fresh request `id` and waits for the frame that
    /// carries the same `id` back. An `error` answer becomes
    /// [`RequestError::Refused`].
    ///
    /// `frame` is a `ClientFrame` or one area's frame (a `RoomFrame` …),
    /// which is written the same: a page that sends one area's frames
    /// links that area's serialisers only, not every area's.
    pub fn request<F: Serialize>(
        &self,
        frame: F,
    ) -> impl Future<Output = Result<ServerFrame, RequestError>> + use<F> {
        Self::request_value(frame_value(&frame))
    }

    async fn request_value(frame: serde_json::Value) -> Result<ServerFrame, RequestError> {
        let link = current_link().ok_or(RequestError::Disconnected)?;
        let receiver = link.send_request(frame)?;
        match receiver.await {
            Ok(ServerFrame::Error {
                message,
                field,
                refusal,
                ..
            }) => Err(RequestError::Refused {
                message,
                field,
                refusal,
            }),
            Ok(answer) => Ok(answer),
            Err(_) => Err(RequestError::Disconnected),
        }
    }

    /// Sends a frame expecting no particular answer (a `ClientFrame` or
    /// one area's, as [`Server::request`]). Returns whether it left.
    pub fn send<F: Serialize>(&self, frame: &F) -> bool {
        current_link().is_some_and(|link| link.send_value(&frame_value(frame)))
    }

    /// Calls `handler` with every frame the server sends, until the
    /// component (reactive owner) that called this is cleaned up.
    pub fn listen(&self, handler: impl Fn(&ServerFrame) + 'static) {
        let Some(link) = current_link() else { return };
        let key = link.next_id.get();
        link.next_id.set(key + 1);
        link.listeners.borrow_mut().insert(key, Rc::new(handler));
        on_cleanup(move || {
            if let Some(link) = current_link() {
                link.listeners.borrow_mut().remove(&key);
            }
        });
    }
}

fn current_link() -> Option<Rc<Link>> {
    LINK.with(|slot| slot.borrow().clone())
}

/// A frame as JSON, to send (with its request id put in). Written as text
/// and read back rather than by `serde_json::to_value`: the pages write
/// scenarios and actions as text already (links, export), and a second,
/// `Value`-writing copy of every frame's serialiser cost the queue and
/// reliability pages KBs of their wasm.
fn frame_value<F: Serialize>(frame: &F) -> serde_json::Value {
    serde_json::to_string(frame)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// A callback registered with [`Server::listen`].
type Listener = Rc<dyn Fn(&ServerFrame)>;

struct Link {
    set_state: WriteSignal<LinkState>,
    state: ReadSignal<LinkState>,
    /// The open socket and the callbacks it holds; replaced on reconnect.
    socket: RefCell<Option<Attached>>,
    retry: Cell<Duration>,
    /// Request ids and listener keys, never reused within a page.
    next_id: Cell<u64>,
    /// Requests waiting for their answer, by id.
    pending: RefCell<BTreeMap<u64, oneshot::Sender<ServerFrame>>>,
    listeners: RefCell<BTreeMap<u64, Listener>>,
    /// This page's reader of the server's frames.
    read_frame: FrameReader,
}

/// A socket together with the JS callbacks registered on it. Keeping them
/// together means they are dropped together, after being detached.
struct Attached {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        // Detach first: a callback firing after its closure is freed throws.
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

impl Link {
    fn open(self: &Rc<Self>) {
        let url = match websocket_url() {
            Some(url) => url,
            None => {
                self.set_state.set(LinkState::Offline {
                    reason: OfflineReason::NotServedOverHttp,
                });
                return;
            }
        };
        let socket = match WebSocket::new(&url) {
            Ok(socket) => socket,
            Err(_) => {
                self.set_state.set(LinkState::Offline {
                    reason: OfflineReason::CannotOpen,
                });
                self.schedule_retry();
                return;
            }
        };

        let on_open = {
            let socket = socket.clone();
            Closure::<dyn FnMut()>::new(move || {
                let hello = SessionFrame::Hello(Hello {
                    protocol: PROTOCOL_VERSION,
                    client: Some("fanout-frontend".into()),
                });
                if let Ok(text) = serde_json::to_string(&hello) {
                    let _ = socket.send_with_str(&text);
                }
            })
        };
        let on_message = {
            let link = Rc::clone(self);
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    link.receive(&text);
                }
            })
        };
        let on_close = {
            let link = Rc::clone(self);
            Closure::<dyn FnMut()>::new(move || {
                link.set_state.set(LinkState::Offline {
                    reason: OfflineReason::Unreachable,
                });
                // Dropping the senders fails every waiting request.
                link.pending.borrow_mut().clear();
                link.schedule_retry();
            })
        };
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.socket.borrow_mut() = Some(Attached {
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
    }

    /// Sends a JSON frame if the link is up (past `welcome`).
    fn send_value(&self, value: &serde_json::Value) -> bool {
        if !matches!(self.state.get_untracked(), LinkState::Connected { .. }) {
            return false;
        }
        let socket = self.socket.borrow();
        let Some(attached) = socket.as_ref() else {
            return false;
        };
        attached.socket.send_with_str(&value.to_string()).is_ok()
    }

    fn send_request(
        &self,
        mut value: serde_json::Value,
    ) -> Result<oneshot::Receiver<ServerFrame>, RequestError> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        if let Some(object) = value.as_object_mut() {
            object.insert("id".into(), id.into());
        }
        let (sender, receiver) = oneshot::channel();
        self.pending.borrow_mut().insert(id, sender);
        if !self.send_value(&value) {
            self.pending.borrow_mut().remove(&id);
            return Err(RequestError::Disconnected);
        }
        Ok(receiver)
    }

    fn receive(&self, text: &str) {
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(error) => {
                leptos::logging::warn!("unreadable server frame: {error}");
                return;
            }
        };
        let id = value.get("id").and_then(serde_json::Value::as_u64);
        let frame = match (self.read_frame)(value) {
            Ok(frame) => frame,
            // A newer server may send frames this build does not know, or
            // a frame of a lab this page does not read. A request it
            // answered must not wait forever: dropping its sender ends it.
            Err(error) => {
                leptos::logging::warn!("unread server frame: {error}");
                if let Some(id) = id {
                    self.pending.borrow_mut().remove(&id);
                }
                return;
            }
        };
        if let ServerFrame::Welcome { version, .. } = &frame {
            self.retry.set(Duration::from_millis(500));
            self.set_state.set(LinkState::Connected {
                server_version: version.clone(),
            });
        }
        if let Some(sender) = id.and_then(|id| self.pending.borrow_mut().remove(&id)) {
            let _ = sender.send(frame);
            return;
        }
        if let ServerFrame::Error { message, .. } = &frame {
            leptos::logging::warn!("server error frame: {message}");
        }
        // Listeners may add or remove listeners: call a copy of the list.
        let listeners: Vec<_> = self.listeners.borrow().values().cloned().collect();
        for listener in listeners {
            listener(&frame);
        }
    }

    fn schedule_retry(self: &Rc<Self>) {
        let delay = self.retry.get();
        self.retry.set((delay * 2).min(MAX_RETRY));
        // Closures held by the old socket are dropped here, after detaching.
        // The timer closure is deferred so we are not inside its own callback.
        let link = Rc::clone(self);
        set_timeout(
            move || {
                link.socket.borrow_mut().take();
                link.open();
            },
            delay,
        );
    }
}

/// Where the Fanout server is: `?server=HOST:PORT` (or a full `ws://…`
/// URL) when the page names one — for the static build served by another
/// host — else the page's own origin.
fn websocket_url() -> Option<String> {
    let location = window().location();
    let protocol = location.protocol().ok()?;
    let named = location
        .search()
        .ok()
        .and_then(|search| crate::i18n::query_param(&search, "server"))
        .and_then(|server| js_sys::decode_uri_component(&server).ok()?.as_string());
    server_url(&protocol, &location.host().ok()?, named.as_deref())
}

/// The WebSocket URL for a page loaded over `protocol` from `host`, or for
/// the server the page names.
fn server_url(protocol: &str, host: &str, named: Option<&str>) -> Option<String> {
    let secure = protocol == "https:";
    if let Some(named) = named.map(str::trim).filter(|named| !named.is_empty()) {
        if named.starts_with("ws://") || named.starts_with("wss://") {
            return Some(named.to_owned());
        }
        let scheme = if secure { "wss" } else { "ws" };
        return Some(format!("{scheme}://{}/ws", named.trim_end_matches('/')));
    }
    let scheme = match protocol {
        "http:" => "ws",
        "https:" => "wss",
        _ => return None,
    };
    Some(format!("{scheme}://{host}/ws"))
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{LinkState, OfflineReason};
    use crate::{i18n::Lang, text::Texts};

    #[wasm_bindgen_test]
    fn the_server_is_the_page_origin_unless_the_page_names_one() {
        use super::server_url;
        assert_eq!(
            server_url("http:", "127.0.0.1:8080", None).as_deref(),
            Some("ws://127.0.0.1:8080/ws")
        );
        assert_eq!(
            server_url("https:", "fanout.example", None).as_deref(),
            Some("wss://fanout.example/ws")
        );
        assert_eq!(server_url("file:", "", None), None);
        assert_eq!(
            server_url("http:", "static.example", Some("10.0.0.5:8080")).as_deref(),
            Some("ws://10.0.0.5:8080/ws")
        );
        assert_eq!(
            server_url("file:", "", Some("ws://h:1/ws")).as_deref(),
            Some("ws://h:1/ws")
        );
    }

    #[wasm_bindgen_test]
    fn every_state_has_a_word_not_only_a_colour() {
        let states = [
            LinkState::Connecting,
            LinkState::Connected {
                server_version: "0.1.0".into(),
            },
            LinkState::Offline {
                reason: OfflineReason::Unreachable,
            },
        ];
        let keys: Vec<_> = states.iter().map(LinkState::key).collect();
        assert_eq!(keys, ["connecting", "connected", "offline"]);
        for lang in Lang::ALL {
            let texts = Texts::of(lang);
            for state in &states {
                assert!(!state.label(texts).is_empty());
            }
            assert!(
                states[2]
                    .explanation(texts)
                    .contains(texts.reason_unreachable)
            );
        }
    }
}
