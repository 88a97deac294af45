//! The shard lab (`/shards`): how clients place keys on servers by hashing.
//!
//! For now the page introduces the lab; placement, balance charts and the
//! ring arrive with the shard functions in `fanout-shared`.

use leptos::prelude::*;

#[component]
pub fn ShardsLab() -> impl IntoView {
    view! {
        <section class="lab" aria-labelledby="shards-title">
            <h1 id="shards-title">"Shard lab"</h1>
            <p class="lede">
                "Partitioning keys over servers: first letters are lopsided, a good hash spreads "
                "keys evenly, and every client must compute the same placement. Compare the "
                "chapter's schemes with what real clients use, and see what moves when a server "
                "joins or leaves."
            </p>
            <p class="notice offline-ok" data-needs-server="no">
                "Placement is computed in your browser; only the live check needs the server."
            </p>
        </section>
    }
}
