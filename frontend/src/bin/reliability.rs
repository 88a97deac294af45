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

/// The frames this page reads: with its live-room panel
/// (`reliability-live`), the rooms' (not their feed: it follows a room by
/// its recording).
#[cfg(feature = "reliability-live")]
const AREAS: u8 = area::SESSION | area::ROOM;
#[cfg(not(feature = "reliability-live"))]
const AREAS: u8 = area::SESSION;
