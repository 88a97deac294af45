//! The room creator's token, kept across a reload of their page.
//!
//! Only the page that created a room holds its token, and the token is
//! what lets it close the room (and, as the owner, act on it). A teacher
//! who reloads the page, or whose browser restores the tab, would
//! otherwise come back as an ordinary participant of their own room.
//! So the creator's page puts the room's join link in its address
//! (`?room=CODE`, which a reload joins) and the token in the tab's
//! `sessionStorage`: it survives a reload of that tab and is not shared
//! with other tabs or windows, so a student opening the same link in the
//! same browser joins as a participant, as they should. Leaving or
//! closing the room forgets it.

use leptos::prelude::window;

/// The storage key of `code`'s token.
fn key(code: &str) -> String {
    format!("fanout.room-owner.{}", code.to_ascii_uppercase())
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Keeps the creator's `token` for `code` in this tab, and puts the
/// room's join link in the address, so a reload rejoins as the owner.
pub fn remember(code: &str, token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&key(code), token);
    }
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let mut query = format!("?room={code}");
    if let Some(lang) = crate::i18n::query_param(&location.search().unwrap_or_default(), "lang") {
        query.push_str(&format!("&lang={lang}"));
    }
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{query}")),
        );
    }
}

/// The token this tab kept for `code`, if it created that room.
pub fn token_for(code: &str) -> Option<String> {
    storage()?.get_item(&key(code)).ok().flatten()
}

/// Forgets `code`'s token (the room was left or closed).
pub fn forget(code: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(code));
    }
}
