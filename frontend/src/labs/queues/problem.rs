//! What the queue lab refuses, as typed facts: the engine's own refusals
//! (an edit, a scenario, a recording, an endpoint, a duration) and the few
//! the lab adds itself (a number that is not one, a range an embedding
//! page locked, a link's edit that no longer applies). Each one says itself
//! through `Say`; its sentences, in every language, are in `text.rs`, so a
//! refusal is shown in the learner's language whenever it is drawn.

use fanout_shared::{
    json::DecodeError,
    lang::Say,
    sim::{ActionError, ScenarioError, nodes::DistError, timeline::ReplayError},
    socket::EndpointError,
};

/// Why something the learner (or the page's address) asked for was not done.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The engine refused an edit.
    Action(ActionError),
    /// A scenario (a link's, a host page's, an import) that does not make
    /// sense.
    Scenario(ScenarioError),
    /// A recording that does not replay.
    Replay(ReplayError),
    Endpoint(EndpointError),
    /// A duration or a distribution as typed (`2ms`, `1ms-3ms`, `exp 2ms`).
    Dist(DistError),
    /// JSON that is not what was expected (an import, a form's node).
    Json(DecodeError),
    /// The address's `edits` that do not decode.
    Edits(DecodeError),
    /// `text` was meant to be a whole number.
    NotWholeNumber {
        what: Number,
        text: String,
    },
    /// An edit at the end of a range an embedding page locked.
    Locked {
        from: u64,
        to: u64,
    },
    /// A link's edit (`action`, as JSON) that the engine refused at
    /// event `step` on the way to the link's position.
    LinkEdit {
        action: String,
        step: u64,
    },
    /// A file that could not be read as text.
    UnreadableFile,
    /// A socket that is gone since it was drawn (the run moved on).
    Vanished,
    /// The page is in a live room, which is the server's to change.
    Live,
    /// The lab was closed while the request was on its way.
    Closed,
}

/// What a whole number was meant to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Number {
    /// A run's seed (0 or more).
    Seed,
    /// The event a link stands before.
    Step,
    /// A high-water mark (0 means no limit).
    Mark,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

impl From<ActionError> for Problem {
    fn from(error: ActionError) -> Self {
        Problem::Action(error)
    }
}

impl From<ScenarioError> for Problem {
    fn from(error: ScenarioError) -> Self {
        Problem::Scenario(error)
    }
}

impl From<ReplayError> for Problem {
    fn from(error: ReplayError) -> Self {
        Problem::Replay(error)
    }
}

impl From<EndpointError> for Problem {
    fn from(error: EndpointError) -> Self {
        Problem::Endpoint(error)
    }
}

impl From<DistError> for Problem {
    fn from(error: DistError) -> Self {
        Problem::Dist(error)
    }
}

impl From<DecodeError> for Problem {
    fn from(error: DecodeError) -> Self {
        Problem::Json(error)
    }
}
