//! The shards lab's page (`/shards`, `/embed/shards`): its own wasm, so the
//! page downloads no other lab. See the library's `start`.

use fanout_shared::protocol::{ServerFrame, server::area};

fn main() {
    fanout_frontend::start(fanout_frontend::LabPage {
        lab: fanout_shared::lab::Lab::Shards,
        view: || leptos::prelude::IntoAny::into_any(fanout_frontend::ShardsLab()),
        read_frame: ServerFrame::read_in::<{ area::SESSION | area::CACHE }>,
    });
}
