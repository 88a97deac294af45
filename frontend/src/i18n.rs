//! The interface's languages: English and Simplified Chinese (the chapter's
//! language), chosen by `?lang=`, then a remembered choice, then the
//! browser's preference.
//!
//! Words are plain Rust: each lab has one text module (`labs/<lab>/text.rs`)
//! and the shell has `text.rs`, each a struct of its strings with one
//! constant per language behind `Texts::of(lang)`, so a missing translation
//! is a compile error rather than a blank on screen. Facts (the engine's,
//! and the labs' own refusals) say themselves through `Say`.

use leptos::prelude::*;

pub use fanout_shared::lang::Lang;

/// `?lang=` first (so links and embeds decide), then the learner's last
/// choice, then the browser's preferred languages, then English.
pub fn detect_lang() -> Lang {
    let window = window();
    let from_url = window
        .location()
        .search()
        .ok()
        .and_then(|search| query_param(&search, "lang"))
        .and_then(|tag| Lang::from_tag(&tag));
    if let Some(lang) = from_url {
        return lang;
    }
    let remembered = window
        .local_storage()
        .ok()
        .flatten()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|tag| Lang::from_tag(&tag));
    if let Some(lang) = remembered {
        return lang;
    }
    let preferred = window.navigator().languages();
    preferred
        .iter()
        .filter_map(|value| value.as_string())
        .find_map(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

const STORAGE_KEY: &str = "fanout.lang";

/// The value of `name` in a `?a=1&b=2` query string (no percent-decoding is
/// needed for the parameters we read this way).
pub fn query_param(search: &str, name: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Makes the language available to every component and keeps `<html lang>`
/// in step with it (screen readers and CJK font selection rely on it).
pub fn provide_lang() -> RwSignal<Lang> {
    let lang = RwSignal::new(detect_lang());
    provide_context(lang);
    Effect::new(move |_| {
        let code = lang.get().code();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", code);
        }
    });
    lang
}

/// Switches language and remembers the choice for the next visit.
pub fn choose_lang(lang: Lang) {
    if let Some(signal) = use_context::<RwSignal<Lang>>() {
        signal.set(lang);
    }
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
}

/// The current language (English outside the app, e.g. in unit tests).
pub fn use_lang() -> Signal<Lang> {
    match use_context::<RwSignal<Lang>>() {
        Some(lang) => lang.into(),
        None => Signal::stored(Lang::En),
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::query_param;

    #[wasm_bindgen_test]
    fn query_parameters_are_found_by_name() {
        assert_eq!(
            query_param("?scenario=pi&lang=zh", "lang").as_deref(),
            Some("zh")
        );
        assert_eq!(query_param("?language=zh", "lang"), None);
        assert_eq!(query_param("", "lang"), None);
    }
}
