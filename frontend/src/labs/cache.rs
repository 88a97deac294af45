//! The cache lab (`/cache`): the server's memcached nodes, live.
//!
//! For now the page introduces the lab and says whether the server it needs
//! is reachable; the node views arrive with the cache nodes.

use leptos::prelude::*;

use super::NeedsServer;
use crate::i18n::Lang;

#[component]
pub fn CacheLab() -> impl IntoView {
    view! {
        <section class="lab" aria-labelledby="cache-title">
            <h1 id="cache-title">"Cache lab"</h1>
            <p class="lede">
                "memcached as the chapter teaches it: a shared LRU dictionary with expiry, "
                "spread over several servers. Watch keys arrive, age and get evicted; "
                "warm a cache up and see requests get faster."
            </p>
            <NeedsServer what=|lang| match lang {
                Lang::En => "talk to the cache nodes",
                Lang::Zh => "访问缓存节点",
            } />
        </section>
    }
}
