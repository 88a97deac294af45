//! Section 7: the live check. Placing real keys on the server's memcached
//! nodes through the chosen scheme and reading each node's item count back
//! needs the cache nodes' WebSocket frames, which the server does not offer
//! yet; until it does, the section says so and its controls stay disabled.

use leptos::prelude::*;

#[component]
pub fn LiveSection() -> impl IntoView {
    view! {
        <section class="panel live-check" aria-labelledby="live-title" data-live="unavailable">
            <h2 id="live-title">"7. Live check on real cache nodes"</h2>
            <p class="notice offline" data-needs-server="cache-nodes">
                "Not available yet: this needs the Fanout server's cache nodes, which are still being "
                "built. When they arrive, this section will store the keys on the server's nodes "
                "through the scheme you pick and read each node's item count back, to compare with "
                "the charts above."
            </p>
            <fieldset disabled>
                <legend>"Place keys on the server's nodes"</legend>
                <label>
                    "Scheme: "
                    <select>
                        <option>"python-memcached crc32"</option>
                    </select>
                </label>
                " "
                <button type="button">"Place and count"</button>
            </fieldset>
        </section>
    }
}
