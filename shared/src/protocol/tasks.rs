//! The Tasks view's frames: watching what a Celery app does with the
//! server's Redis node. The server sends the node's contents as events
//! (`tasks_snapshot`), then the events that can change the view
//! (`tasks_events`); the browser interprets both with
//! `crate::celery::TasksView`.

use serde::{Deserialize, Serialize};

use crate::lang::{Lang, Say};

area_frames! {
    /// Frames about the Tasks view (`tasks_*`).
    TasksFrame {
        "tasks_watch" => Watch(TasksRequest),
        "tasks_unwatch" => Unwatch(TasksRequest),
    }
}

/// Starts or stops watching the Redis node's Celery traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TasksRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// Why the Tasks area refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TasksRefusal {
    /// The server was started with `--redis off`: there is no node.
    RedisOff,
}

impl TasksRefusal {
    pub fn field(self) -> &'static str {
        match self {
            TasksRefusal::RedisOff => "type",
        }
    }
}

impl Say for TasksRefusal {
    fn say(&self, lang: Lang) -> String {
        match (self, lang) {
            (TasksRefusal::RedisOff, Lang::En) => {
                "this server runs no Redis node (it was started with --redis off)".into()
            }
            (TasksRefusal::RedisOff, Lang::Zh) => {
                "这台服务器没有运行 Redis 节点（启动时用了 --redis off）".into()
            }
        }
    }
}
