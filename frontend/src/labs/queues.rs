//! The queue lab (`/queues`): message flows in the ZeroMQ style, stepped on
//! virtual time by the shared engine running in the browser.
//!
//! For now the page introduces the lab; the canvas, controls and inspector
//! arrive with the engine (see the project's issues).

use leptos::prelude::*;

#[component]
pub fn QueuesLab() -> impl IntoView {
    view! {
        <section class="lab" aria-labelledby="queues-title">
            <h1 id="queues-title">"Queue lab"</h1>
            <p class="lede">
                "Pipeline (PUSH/PULL), publish–subscribe (PUB/SUB) and request–reply (REQ/REP), "
                "as ZeroMQ really behaves: round-robin, fair queueing, prefix filters, "
                "high-water marks and the strict REQ/REP dance."
            </p>
            <p class="notice offline-ok" data-needs-server="no">
                "Runs entirely in your browser: simulations work without a server."
            </p>
            <figure class="topology" aria-label="The chapter's Monte Carlo π system">
                <pre>
"bitsource PUB ── \"00…\" ──▶ always_yes SUB ── PUSH ─┐
    └── \"01…\",\"10…\",\"11…\" ──▶ judge SUB ── REQ ⇄ REP pythagoras
                                     └── PUSH ─┴──▶ tally PULL: π ≈ 4·Y/(Y+N)"
                </pre>
                <figcaption>"The chapter's π estimator: five nodes, three patterns."</figcaption>
            </figure>
        </section>
    }
}
