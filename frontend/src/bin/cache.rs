//! The cache lab's page (`/cache`, `/embed/cache`): its own wasm, so the
//! page downloads no other lab. See the library's `start`.

use fanout_shared::protocol::{ServerFrame, server::area};

fn main() {
    fanout_frontend::start(fanout_frontend::LabPage {
        lab: fanout_shared::lab::Lab::Cache,
        view: || leptos::prelude::IntoAny::into_any(fanout_frontend::CacheLab()),
        read_frame: ServerFrame::read_in::<{ area::SESSION | area::CACHE | area::WARMUP }>,
    });
}
