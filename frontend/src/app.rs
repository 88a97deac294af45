//! The app shell: header (name, the three labs, the server link badge) and
//! the routes. Each lab lives in its own module under `labs/`.

use leptos::prelude::*;
use leptos_router::{
    components::{A, Redirect, Route, Router, Routes},
    path,
};

use crate::{
    connection::{self, LinkState},
    labs::{cache::CacheLab, queues::QueuesLab, shards::ShardsLab},
};

#[component]
pub fn App() -> impl IntoView {
    let link = connection::connect();
    provide_context(link);

    view! {
        <Router>
            <header class="site-header">
                <a class="brand" href="/queues">"Fanout"</a>
                <nav aria-label="Labs">
                    <A href="/queues">"Queues"</A>
                    <A href="/cache">"Cache"</A>
                    <A href="/shards">"Shards"</A>
                </nav>
                <LinkBadge state=link />
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Redirect path="/queues" /> } />
                    <Route path=path!("/queues") view=QueuesLab />
                    <Route path=path!("/cache") view=CacheLab />
                    <Route path=path!("/shards") view=ShardsLab />
                </Routes>
            </main>
        </Router>
    }
}

/// Shows whether the Fanout server is reachable, in words (not colour alone).
#[component]
fn LinkBadge(state: ReadSignal<LinkState>) -> impl IntoView {
    view! {
        <span
            class="link-badge"
            role="status"
            aria-live="polite"
            data-state=move || state.get().key()
            title=move || state.get().explanation()
        >
            <span class="dot" aria-hidden="true"></span>
            {move || state.get().label()}
        </span>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="lab">
            <h1>"Not found"</h1>
            <p>"There is no such page. Try one of the labs: "
                <a href="/queues">"Queues"</a>", "<a href="/cache">"Cache"</a>" or "
                <a href="/shards">"Shards"</a>"."</p>
        </section>
    }
}
