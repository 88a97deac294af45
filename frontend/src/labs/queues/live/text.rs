//! Every string of the queue lab's live rooms ("Run live", joining by
//! code, the page's own worker), in English and Simplified Chinese, kept
//! beside `live.rs` so the lab's main text table stays about the
//! simulation. A missing translation is a compile error.

use crate::i18n::Lang;

#[derive(Debug)]
pub struct LiveTexts {
    pub section_label: &'static str,
    pub run_live: &'static str,
    pub run_live_hint: &'static str,
    pub contacting: &'static str,
    /// The page has no server: what live runs need and how to get one.
    pub needs_server: &'static str,
    pub start_with: &'static str,
    pub or_point_at: &'static str,
    pub creating: &'static str,
    pub joining: fn(&str) -> String,
    pub not_connected: &'static str,
    pub refused: fn(&str) -> String,
    pub live_badge: &'static str,
    pub join_code: &'static str,
    pub join_link: &'static str,
    pub copy_link: &'static str,
    pub owner_hint: &'static str,
    pub member_hint: fn(&str) -> String,
    pub status: fn(u64, u64, usize) -> String,
    pub close_room: &'static str,
    pub leave_room: &'static str,
    pub replay: &'static str,
    pub replay_hint: &'static str,
    pub join_worker: &'static str,
    pub join_worker_hint: fn(&str) -> String,
    pub no_push_endpoint: &'static str,
    pub your_worker: fn(&str) -> String,
    pub received: &'static str,
    pub last_messages: &'static str,
    pub none_yet: &'static str,
    pub ended: fn(&str) -> String,
    pub lost: &'static str,
}

pub fn live_texts(lang: Lang) -> &'static LiveTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

pub const EN: LiveTexts = LiveTexts {
    section_label: "Live room",
    run_live: "Run live",
    run_live_hint: "Run this scenario on the Fanout server, in real time, as a room others join \
                    with a short code: their browsers and scripts become workers beside the \
                    scenario's own.",
    contacting: "Contacting the Fanout server…",
    needs_server: "Live runs need a Fanout server, and this page is not connected to one. \
                   The simulation above still works.",
    start_with: "Start one with",
    or_point_at: "and open the lab from it, or point this page at a running server by adding \
                  this to its address:",
    creating: "Creating the room…",
    joining: |code| format!("Joining room {code}…"),
    not_connected: "Not connected to the Fanout server.",
    refused: |message| format!("The server refused: {message}"),
    live_badge: "Live",
    join_code: "Join code",
    join_link: "Join link",
    copy_link: "Copy join link",
    owner_hint: "Read the code aloud or share the link. Everyone who opens it sees this room \
                 and can join as a worker; you hold the room's key, so only you can close it.",
    member_hint: |scenario| {
        format!(
            "You are in a live run of “{scenario}” on the Fanout server, with everyone who has \
             its code. The canvas shows the room as the server runs it."
        )
    },
    status: |events, skipped, members| {
        let sampled = if skipped > 0 {
            format!("; the log shows a sample ({skipped} not shown)")
        } else {
            String::new()
        };
        let who = if members == 1 {
            "1 member".to_string()
        } else {
            format!("{members} members")
        };
        format!("{who} · {events} events so far{sampled}")
    },
    close_room: "Close the room",
    leave_room: "Leave the room",
    replay: "Stop and replay offline",
    replay_hint: "Ends your live view and steps through everything the room did, in your \
                  browser, with the scrubber.",
    join_worker: "Join as a PULL worker",
    join_worker_hint: |endpoint| {
        format!(
            "Adds your own node with a PULL socket connected to {endpoint}. The PUSH there \
             counts you in its round-robin, as libzmq would."
        )
    },
    no_push_endpoint: "This scenario has no PUSH socket that binds, so there is nothing for a \
                       PULL worker to connect to.",
    your_worker: |node| format!("Your worker {node}"),
    received: "received",
    last_messages: "Last messages",
    none_yet: "Nothing yet.",
    ended: |reason| {
        format!(
            "The live room ended ({reason}). The lab is back to the simulation in your browser."
        )
    },
    lost: "The connection to the server dropped, and with it your place in the room (a \
           participant who vanishes is removed, with its nodes). The lab is back to the \
           simulation in your browser.",
};

pub const ZH: LiveTexts = LiveTexts {
    section_label: "实时房间",
    run_live: "实时运行",
    run_live_hint: "在 Fanout 服务器上实时运行这个场景，开成一个房间：别人用一个简短的代码加入，\
                    他们的浏览器和脚本就成为与场景自带工作者并列的工作者。",
    contacting: "正在联系 Fanout 服务器……",
    needs_server: "实时运行需要 Fanout 服务器，而本页面没有连接到服务器。上面的模拟仍然可用。",
    start_with: "可以用",
    or_point_at: "启动一个服务器并从它打开本实验，或者在本页地址后加上下面这段，指向一个正在运行的服务器：",
    creating: "正在创建房间……",
    joining: |code| format!("正在加入房间 {code}……"),
    not_connected: "没有连接到 Fanout 服务器。",
    refused: |message| format!("服务器拒绝了：{message}"),
    live_badge: "实时",
    join_code: "加入代码",
    join_link: "加入链接",
    copy_link: "复制加入链接",
    owner_hint: "把代码念给大家，或者分享链接。打开链接的人都能看到这个房间，并可以作为工作者加入；\
                 房间的密钥在你手里，只有你能关闭它。",
    member_hint: |scenario| {
        format!(
            "你正在 Fanout 服务器上参与“{scenario}”的实时运行，同房间的是所有拿到代码的人。\
             画布显示的是服务器运行中的房间。"
        )
    },
    status: |events, skipped, members| {
        let sampled = if skipped > 0 {
            format!("；日志只显示抽样（{skipped} 个事件未显示）")
        } else {
            String::new()
        };
        format!("{members} 位成员 · 已发生 {events} 个事件{sampled}")
    },
    close_room: "关闭房间",
    leave_room: "离开房间",
    replay: "停止并离线回放",
    replay_hint: "结束实时视图，在浏览器中用进度条逐步查看房间里发生的一切。",
    join_worker: "作为 PULL 工作者加入",
    join_worker_hint: |endpoint| {
        format!(
            "添加你自己的节点，它的 PULL 套接字连接到 {endpoint}。那里的 PUSH 会把你算进轮询，\
             和 libzmq 一样。"
        )
    },
    no_push_endpoint: "这个场景没有绑定端点的 PUSH 套接字，PULL 工作者无处可连。",
    your_worker: |node| format!("你的工作者 {node}"),
    received: "已接收",
    last_messages: "最近的消息",
    none_yet: "还没有。",
    ended: |reason| format!("实时房间已结束（{reason}）。实验回到浏览器中的模拟。"),
    lost: "与服务器的连接断开了，你在房间中的位置也随之消失（消失的参与者会连同其节点一起被移除）。\
           实验回到浏览器中的模拟。",
};
