//! The reliability lab's page (`/reliability`, `/embed/reliability`): its
//! own wasm, the only one built with the reliability engine (fanout-shared's
//! `reliability` feature), so the other pages do not download it. See the
//! library's `start`.

use fanout_shared::protocol::{ServerFrame, server::area};

fn main() {
    fanout_frontend::start(fanout_frontend::LabPage {
        lab: fanout_shared::lab::Lab::Reliability,
        view: || leptos::prelude::IntoAny::into_any(fanout_frontend::ReliabilityLab()),
        read_frame: ServerFrame::read_in::<{ area::SESSION | area::ROOM }>,
    });
}
