//! The interface's languages: English and Simplified Chinese (the chapter's
//! language).
//!
//! Texts are plain Rust: each part of the UI keeps a struct of its strings
//! with one constant per language, so a missing translation is a compile
//! error rather than a blank on screen. This module holds the language
//! itself (chosen by `?lang=`, then a remembered choice, then the browser's
//! preference) and the texts of the app shell.

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

/// Strings of the app shell.
#[derive(Debug)]
pub struct ShellTexts {
    pub labs_nav: &'static str,
    pub queues: &'static str,
    pub cache: &'static str,
    pub shards: &'static str,
    pub language: &'static str,
    pub connecting: &'static str,
    pub connected: &'static str,
    pub offline: &'static str,
    pub connecting_hint: &'static str,
    pub connected_hint: fn(&str) -> String,
    pub offline_hint: fn(&str) -> String,
    pub reason_not_http: &'static str,
    pub reason_cannot_open: &'static str,
    pub reason_unreachable: &'static str,
    pub needs_server_live: fn(&str) -> String,
    pub needs_server_missing: fn(&str) -> String,
    pub start_one_with: &'static str,
    pub and_reload: &'static str,
    pub contacting: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
}

pub const SHELL_EN: ShellTexts = ShellTexts {
    labs_nav: "Labs",
    queues: "Queues",
    cache: "Cache",
    shards: "Shards",
    language: "Language",
    connecting: "connecting…",
    connected: "connected",
    offline: "offline",
    connecting_hint: "Contacting the Fanout server…",
    connected_hint: |version| {
        format!(
            "Connected to the Fanout server (version {version}). Live experiments are available."
        )
    },
    offline_hint: |reason| {
        format!(
            "No Fanout server: {reason}. Simulations still work; live experiments need `cargo xtask run`."
        )
    },
    reason_not_http: "this page was not served over HTTP",
    reason_cannot_open: "the browser could not open a WebSocket",
    reason_unreachable: "the server closed the connection or cannot be reached",
    needs_server_live: |what| {
        format!("Live: this lab will {what} on the Fanout server you are connected to.")
    },
    needs_server_missing: |what| {
        format!("Needs the Fanout server to {what}, and none is reachable. ")
    },
    start_one_with: "Start one with ",
    and_reload: " and reload this page, or add ?server=HOST:PORT to this page's address to use a Fanout server elsewhere.",
    contacting: "Contacting the Fanout server…",
    not_found_title: "Not found",
    not_found_body: "There is no such page. Try one of the labs:",
};

pub const SHELL_ZH: ShellTexts = ShellTexts {
    labs_nav: "实验",
    queues: "消息队列",
    cache: "缓存",
    shards: "分片",
    language: "语言",
    connecting: "连接中…",
    connected: "已连接",
    offline: "离线",
    connecting_hint: "正在连接 Fanout 服务器…",
    connected_hint: |version| {
        format!("已连接到 Fanout 服务器（版本 {version}），可以进行实时实验。")
    },
    offline_hint: |reason| {
        format!(
            "没有 Fanout 服务器：{reason}。模拟仍可运行；实时实验需要先运行 `cargo xtask run`。"
        )
    },
    reason_not_http: "本页不是通过 HTTP 打开的",
    reason_cannot_open: "浏览器无法打开 WebSocket",
    reason_unreachable: "服务器关闭了连接或无法访问",
    needs_server_live: |what| format!("实时：本实验将在已连接的 Fanout 服务器上{what}。"),
    needs_server_missing: |what| format!("本实验需要 Fanout 服务器来{what}，但现在连不上。"),
    start_one_with: "请用 ",
    and_reload: " 启动服务器后刷新本页；或在本页地址后加上 ?server=主机:端口 以使用别处的 Fanout 服务器。",
    contacting: "正在连接 Fanout 服务器…",
    not_found_title: "页面不存在",
    not_found_body: "没有这个页面。试试这些实验：",
};

impl ShellTexts {
    pub fn get(lang: Lang) -> &'static ShellTexts {
        match lang {
            Lang::En => &SHELL_EN,
            Lang::Zh => &SHELL_ZH,
        }
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{Lang, ShellTexts, query_param};

    #[wasm_bindgen_test]
    fn query_parameters_are_found_by_name() {
        assert_eq!(
            query_param("?scenario=pi&lang=zh", "lang").as_deref(),
            Some("zh")
        );
        assert_eq!(query_param("?language=zh", "lang"), None);
        assert_eq!(query_param("", "lang"), None);
    }

    #[wasm_bindgen_test]
    fn both_languages_fill_the_parameterised_texts() {
        for lang in Lang::ALL {
            let texts = ShellTexts::get(lang);
            assert!((texts.connected_hint)("9.9").contains("9.9"));
            assert!((texts.offline_hint)("gone").contains("gone"));
            assert!((texts.needs_server_missing)("X").contains('X'));
        }
    }
}
