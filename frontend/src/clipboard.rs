//! Copying text for the user, where the browser allows it.
//!
//! `navigator.clipboard` is missing outside secure contexts: a classroom
//! server reached by its IP address over plain http. Calling it there
//! throws, so both copy buttons (the lab's link, the Embed snippet) ask
//! here, and on `false` leave the text selected for Ctrl+C instead.

use wasm_bindgen::JsValue;

/// Puts `text` on the clipboard; `true` once it is there, `false` at once
/// when this page has no clipboard or the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let navigator = leptos::prelude::window().navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|clipboard| !clipboard.is_undefined());
    if !has_clipboard {
        return false;
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
