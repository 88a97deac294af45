//! The app shell's words (header, server link, "needs the server", the
//! Embed panel, "not found"), in English and Simplified Chinese: [`Texts`],
//! one constant per language behind [`Texts::of`], so a missing
//! translation is a compile error. The shell's one fact, a request the
//! server refused ([`RequestError`]), says itself here too.

use fanout_shared::lang::Say;

use crate::{connection::RequestError, i18n::Lang};

/// The shell's words.
#[derive(Debug)]
pub struct Texts {
    pub labs_nav: &'static str,
    pub queues: &'static str,
    pub cache: &'static str,
    pub shards: &'static str,
    pub tasks: &'static str,
    pub reliability: &'static str,
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
    /// The Embed button's panel.
    pub embed: Embed,
    /// The shell's own facts: a request the server did not answer.
    pub not_connected: &'static str,
}

pub const EN: Texts = Texts {
    labs_nav: "Labs",
    queues: "Queues",
    cache: "Cache",
    shards: "Shards",
    tasks: "Tasks",
    reliability: "Reliability",
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
    embed: Embed {
        button: "Embed",
        heading: "Embed in a course page",
        intro: "Paste this HTML into a course page: it shows the lab as you see it now, without \
                the site's header.",
        controls: "Controls",
        controls_full: "all",
        controls_min: "play and step only",
        controls_none: "none (the page drives it)",
        autoplay: "Start playing when the page opens",
        theme: "Colours",
        theme_reader: "the reader's preference",
        theme_light: "light",
        theme_dark: "dark",
        language: "The widget speaks English; switch this page to 中文 for a Chinese one.",
        snippet: "HTML to paste",
        copy: "Copy",
        copied: "Copied.",
        copy_by_hand: "Selected: press Ctrl+C (⌘C on a Mac) to copy.",
        preview: "Open the widget",
        close: "Close",
    },
    not_connected: "not connected to the Fanout server",
};

pub const ZH: Texts = Texts {
    labs_nav: "实验",
    queues: "消息队列",
    cache: "缓存",
    shards: "分片",
    tasks: "任务",
    reliability: "可靠性",
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
    embed: Embed {
        button: "嵌入",
        heading: "嵌入到课程页面",
        intro: "把这段 HTML 粘贴到课程页面里：它显示你现在看到的实验，不带本网站的页眉。",
        controls: "控件",
        controls_full: "全部",
        controls_min: "只有播放和单步",
        controls_none: "无（由页面控制）",
        autoplay: "页面打开时自动播放",
        theme: "配色",
        theme_reader: "跟随读者的设置",
        theme_light: "浅色",
        theme_dark: "深色",
        language: "嵌入的实验使用中文；把本页切换到 English 可得到英文版。",
        snippet: "要粘贴的 HTML",
        copy: "复制",
        copied: "已复制。",
        copy_by_hand: "已选中：按 Ctrl+C（Mac 上按 ⌘C）复制。",
        preview: "打开嵌入页面",
        close: "关闭",
    },
    not_connected: "没有连接到 Fanout 服务器",
};

impl Texts {
    pub fn of(lang: Lang) -> &'static Texts {
        match lang {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// A request the server did not answer as asked, in words: its typed
/// refusal said in the learner's language, or, from a server that sent no
/// typed fact, its English `message` as it came.
impl Say for RequestError {
    fn say(&self, lang: Lang) -> String {
        match self {
            RequestError::Disconnected => Texts::of(lang).not_connected.to_owned(),
            RequestError::Refused {
                refusal: Some(refusal),
                ..
            } => refusal.say(lang),
            RequestError::Refused { message, .. } => message.clone(),
        }
    }
}

/// The Embed panel's words (every lab shows the same one).
#[derive(Debug)]
pub struct Embed {
    pub button: &'static str,
    pub heading: &'static str,
    pub intro: &'static str,
    pub controls: &'static str,
    pub controls_full: &'static str,
    pub controls_min: &'static str,
    pub controls_none: &'static str,
    pub autoplay: &'static str,
    pub theme: &'static str,
    pub theme_reader: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub language: &'static str,
    pub snippet: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub copy_by_hand: &'static str,
    pub preview: &'static str,
    pub close: &'static str,
}

#[cfg(test)]
mod tests {
    use fanout_shared::{
        lang::Say,
        protocol::{Refusal, ServerFrame},
        sim::ActionError,
    };
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{Lang, Texts};
    use crate::connection::RequestError;

    #[wasm_bindgen_test]
    fn both_languages_fill_the_parameterised_texts() {
        for lang in Lang::ALL {
            let texts = Texts::of(lang);
            assert!((texts.connected_hint)("9.9").contains("9.9"));
            assert!((texts.offline_hint)("gone").contains("gone"));
            assert!((texts.needs_server_missing)("X").contains('X'));
        }
    }

    /// A refusal carrying its typed fact is said in the learner's language;
    /// one without (an older server's) keeps the server's English words.
    #[wasm_bindgen_test]
    fn a_refusal_is_said_from_its_fact_when_it_has_one() {
        let fact = ActionError::NoNode {
            node: "ghost".into(),
        };
        let ServerFrame::Error {
            message, refusal, ..
        } = ServerFrame::refused(fact.clone())
        else {
            unreachable!("refused makes an error frame");
        };
        let typed = RequestError::Refused {
            message: message.clone(),
            field: None,
            refusal,
        };
        assert_eq!(typed.say(Lang::Zh), Refusal::Action(fact).say(Lang::Zh));
        assert_ne!(typed.say(Lang::Zh), message);
        let untyped = RequestError::Refused {
            message: "no room \"AAA-AAA\"".into(),
            field: None,
            refusal: None,
        };
        assert_eq!(untyped.say(Lang::Zh), "no room \"AAA-AAA\"");
        assert_ne!(
            RequestError::Disconnected.say(Lang::Zh),
            RequestError::Disconnected.say(Lang::En)
        );
    }
}
