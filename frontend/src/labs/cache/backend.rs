//! Where the lab's frames go: the Fanout server's real nodes when it is
//! reachable, the in-browser model (`model.rs`) when it is not. Both speak
//! the same protocol frames, so every panel is written once.

use fanout_shared::protocol::{ClientFrame, ServerFrame};

use super::model::model;
use crate::connection::{RequestError, Server};

/// Which nodes the lab is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Still finding out whether a server is there.
    Waiting,
    /// The server's memcached nodes.
    Live,
    /// The model in the browser.
    Offline,
}

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Live(Server),
    Model,
}

impl Backend {
    /// Sends a request and waits for its answer (an `error` answer becomes
    /// [`RequestError::Refused`]).
    pub async fn request(self, frame: ClientFrame) -> Result<ServerFrame, RequestError> {
        match self {
            Backend::Live(server) => server.request(frame).await,
            Backend::Model => model().handle(frame),
        }
    }

    /// The backend's clock in ms since the unix epoch (the model's is
    /// virtual and may run ahead).
    pub fn now_ms(self) -> f64 {
        match self {
            Backend::Live(_) => js_sys::Date::now(),
            Backend::Model => model().now_ms(),
        }
    }
}
