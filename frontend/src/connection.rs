//! The browser's link to the Fanout server: one WebSocket on `/ws`, opened
//! with `hello`, reopened with back-off when it drops.
//!
//! The rest of the app reads [`LinkState`] to know whether live features are
//! available; labs that work offline never wait on it.

use std::{cell::RefCell, rc::Rc, time::Duration};

use fanout_shared::protocol::{ClientFrame, Hello, PROTOCOL_VERSION, ServerFrame};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{MessageEvent, WebSocket};

use crate::i18n::ShellTexts;

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
    pub fn label(&self, texts: &ShellTexts) -> &'static str {
        match self {
            LinkState::Connecting => texts.connecting,
            LinkState::Connected { .. } => texts.connected,
            LinkState::Offline { .. } => texts.offline,
        }
    }

    /// A sentence for the badge's tooltip.
    pub fn explanation(&self, texts: &ShellTexts) -> String {
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

/// Opens the link and returns its state signal. Call once, at the app root.
pub fn connect() -> ReadSignal<LinkState> {
    let (state, set_state) = signal(LinkState::Connecting);
    let link = Rc::new(Link {
        set_state,
        socket: RefCell::new(None),
        retry: RefCell::new(Duration::from_millis(500)),
    });
    link.open();
    state
}

struct Link {
    set_state: WriteSignal<LinkState>,
    /// The open socket and the callbacks it holds; replaced on reconnect.
    socket: RefCell<Option<Attached>>,
    retry: RefCell<Duration>,
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
                let hello = ClientFrame::Hello(Hello {
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

    fn receive(&self, text: &str) {
        match serde_json::from_str::<ServerFrame>(text) {
            Ok(ServerFrame::Welcome { version, .. }) => {
                *self.retry.borrow_mut() = Duration::from_millis(500);
                self.set_state.set(LinkState::Connected {
                    server_version: version,
                });
            }
            Ok(ServerFrame::Error { message, .. }) => {
                leptos::logging::warn!("server error frame: {message}");
            }
            Ok(_) => {}
            Err(error) => leptos::logging::warn!("unreadable server frame: {error}"),
        }
    }

    fn schedule_retry(self: &Rc<Self>) {
        let delay = *self.retry.borrow();
        *self.retry.borrow_mut() = (delay * 2).min(MAX_RETRY);
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

/// `ws://host/ws` or `wss://host/ws` for the page's own origin.
fn websocket_url() -> Option<String> {
    let location = window().location();
    let protocol = location.protocol().ok()?;
    let host = location.host().ok()?;
    let scheme = match protocol.as_str() {
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
    use crate::i18n::{Lang, ShellTexts};

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
            let texts = ShellTexts::get(lang);
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
