//! Where the lab's frames go: the Fanout server's real nodes when it is
//! reachable, the in-browser model (`model.rs`) when it is not. Both speak
//! the same protocol frames, so every panel is written once.

use fanout_shared::{
    cache::Refusal,
    protocol::{ClientFrame, Refusal as ProtocolRefusal, ServerFrame},
};

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

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum LabError {
    /// Not connected when asked, or the connection dropped before the answer.
    Disconnected,
    /// The server answered with an `error` frame: its typed `refusal`
    /// (said in the learner's language), or, from a server that sent none,
    /// its English `message`.
    ServerRefused {
        message: String,
        refusal: Option<ProtocolRefusal>,
    },
    /// The offline model refused, for this reason.
    ModelRefused(Refusal),
}

impl From<RequestError> for LabError {
    fn from(error: RequestError) -> LabError {
        match error {
            RequestError::Disconnected => LabError::Disconnected,
            RequestError::Refused {
                message, refusal, ..
            } => LabError::ServerRefused { message, refusal },
        }
    }
}

impl Backend {
    /// Sends a request and waits for its answer.
    pub async fn request(self, frame: ClientFrame) -> Result<ServerFrame, LabError> {
        match self {
            Backend::Live(server) => Ok(server.request(frame).await?),
            Backend::Model => model().handle(frame).map_err(LabError::ModelRefused),
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
