//! The reliability lab's page (`/reliability`, `/embed/reliability`): its
//! own wasm, the only one built with the reliability engine (fanout-shared's
//! `reliability` feature), so the other pages do not download it. See the
//! library's `start`.

use fanout_shared::protocol::{ServerFrame, server::area};

fn main() {
    fanout_frontend::start(fanout_frontend::LabPage {
        lab: fanout_shared::lab::Lab::Reliability,
        view: || leptos::prelude::IntoAny::into_any(fanout_frontend::ReliabilityLab()),
        read_frame: ServerFrame::read_in::<AREAS>,
    });
}

/// The frames this page reads: the session's and the rooms' (not their
/// feed: its live panel follows a room by the room's recording; nor a
/// member's ZeroMQ hands', which broker rooms do not use).
const AREAS: u8 = area::SESSION | area::ROOM;
