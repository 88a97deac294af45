//! Outside a room: the "Run live" button, or why it cannot work here (no
//! server: how to start one, or point the page at one). Written as HTML
//! text, as the rest of the panel is (`live.rs`, `LiveRoom`).

use fanout_shared::embed::escape_attribute as esc;

use crate::connection::LinkState;

use super::LiveTexts;

/// Not in a room: the "Run live" button (`data-pick="run-live"`, disabled
/// while the page is `busy` creating or joining one), or why it cannot
/// work here.
pub fn html(t: &LiveTexts, link: &LinkState, busy: bool) -> String {
    match link {
        LinkState::Connected { .. } => format!(
            r#"<div class="live-start"><button type="button" class="run-live" data-pick="run-live"{}><span class="live-dot" aria-hidden="true"></span>{}</button><p class="hint">{}</p></div>"#,
            if busy { " disabled" } else { "" },
            esc(t.run_live),
            esc(t.run_live_hint),
        ),
        LinkState::Connecting => format!(
            r#"<p class="hint" data-needs-server="connecting">{}</p>"#,
            esc(t.contacting)
        ),
        LinkState::Offline { .. } => format!(
            r#"<div class="live-start"><button type="button" class="run-live" disabled>{}</button><p class="notice offline" data-needs-server="missing">{} {} <code>cargo xtask run</code> {} <code>?server=HOST:PORT</code></p></div>"#,
            esc(t.run_live),
            esc(t.needs_server),
            esc(t.start_with),
            esc(t.or_point_at),
        ),
    }
}
