//! The Tasks view's page (`/tasks`, `/embed/tasks`): its own wasm, so the
//! page downloads no other lab. See the library's `start`.

use fanout_shared::protocol::{ServerFrame, server::area};

fn main() {
    fanout_frontend::start(fanout_frontend::LabPage {
        lab: fanout_shared::lab::Lab::Tasks,
        view: || leptos::prelude::IntoAny::into_any(fanout_frontend::TasksLab()),
        read_frame: ServerFrame::read_in::<{ area::SESSION | area::TASKS }>,
    });
}
