//! The Tasks view's side of a WebSocket session: on `tasks_watch`, the
//! Redis node's Celery contents as a snapshot, then the node's events that
//! can change the view, gathered into `tasks_events` frames.
//!
//! Bounded like the cache lab's stream: a small task reads the node's
//! broadcast feed and waits on the session's bounded outbox; a browser that
//! reads slowly makes it wait, the feed overflows (`Lagged`), and instead
//! of the lost events the watcher gets a fresh snapshot (`resync: true`).
//! The node never waits for a watcher, and nothing grows per event.

use std::{sync::Arc, time::Duration};

use fanout_shared::{
    celery,
    protocol::{ServerFrame, TasksFrame, TasksRefusal},
    redis::Event,
};
use tokio::{
    sync::{
        broadcast::error::{RecvError, TryRecvError},
        mpsc,
    },
    task::JoinHandle,
};

use crate::redis::{Node, node::Watch, unix_millis};

/// How long events are gathered into one frame.
pub const COALESCE: Duration = Duration::from_millis(50);

/// The most events one `tasks_events` frame carries; past it the rest go
/// in the next frame.
pub const MAX_EVENTS_PER_FRAME: usize = 500;

/// The Tasks part of one session's state.
#[derive(Debug)]
pub struct TasksSession {
    node: Option<Arc<Node>>,
    outbox: mpsc::Sender<ServerFrame>,
    watching: Option<JoinHandle<()>>,
}

impl Drop for TasksSession {
    fn drop(&mut self) {
        if let Some(task) = self.watching.take() {
            task.abort();
        }
    }
}

impl TasksSession {
    /// `node` is the server's Redis node (`None` under `--redis off`).
    pub fn new(node: Option<Arc<Node>>, outbox: mpsc::Sender<ServerFrame>) -> TasksSession {
        TasksSession {
            node,
            outbox,
            watching: None,
        }
    }

    /// Answers a Tasks frame.
    pub fn handle(&mut self, frame: TasksFrame) -> ServerFrame {
        match frame {
            TasksFrame::Watch(request) => {
                let Some(node) = &self.node else {
                    return ServerFrame::refused(TasksRefusal::RedisOff);
                };
                if let Some(task) = self.watching.take() {
                    task.abort();
                }
                let mut watch = node.watch();
                let (at, events) =
                    watch.resync(|model| (unix_millis(), celery::snapshot_events(model)));
                self.watching = Some(tokio::spawn(forward(
                    watch,
                    node.addr.to_string(),
                    self.outbox.clone(),
                )));
                ServerFrame::TasksSnapshot {
                    redis: node.addr.to_string(),
                    at,
                    events,
                    resync: false,
                    id: request.id,
                }
            }
            TasksFrame::Unwatch(request) => {
                if let Some(task) = self.watching.take() {
                    task.abort();
                }
                ServerFrame::TasksUnwatched { id: request.id }
            }
        }
    }
}

/// Moves the node's relevant events into the session's outbox.
async fn forward(mut watch: Watch, redis: String, outbox: mpsc::Sender<ServerFrame>) {
    loop {
        let mut events: Vec<Event> = Vec::new();
        let mut lagged = false;
        match watch.receiver.recv().await {
            Ok(event) => {
                if celery::is_relevant(&event) {
                    events.push(event);
                }
            }
            Err(RecvError::Lagged(_)) => lagged = true,
            Err(RecvError::Closed) => return,
        }
        if !lagged {
            if events.is_empty() {
                continue;
            }
            tokio::time::sleep(COALESCE).await;
            while events.len() < MAX_EVENTS_PER_FRAME {
                match watch.receiver.try_recv() {
                    Ok(event) if celery::is_relevant(&event) => events.push(event),
                    Ok(_) => {}
                    Err(TryRecvError::Lagged(_)) => {
                        lagged = true;
                        break;
                    }
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
        }
        let frame = if lagged {
            // Events were lost: what was gathered is stale too. Start over
            // from the node's contents.
            let (at, events) =
                watch.resync(|model| (unix_millis(), celery::snapshot_events(model)));
            ServerFrame::TasksSnapshot {
                redis: redis.clone(),
                at,
                events,
                resync: true,
                id: None,
            }
        } else {
            ServerFrame::TasksEvents {
                at: unix_millis(),
                events,
            }
        };
        if outbox.send(frame).await.is_err() {
            return;
        }
    }
}
