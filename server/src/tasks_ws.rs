//! The Tasks view's side of a WebSocket session: on `tasks_watch`, the
//! Redis node's Celery contents as a snapshot, then the node's events that
//! can change the view, gathered into `tasks_events` frames.
//!
//! Bounded like the cache lab's stream: a small task reads the node's
//! broadcast feed and waits on the session's bounded outbox; a browser that
//! reads slowly makes it wait, the feed overflows (`Lagged`), and instead
//! of the lost events the watcher gets a fresh snapshot (`resync: true`).
//! The node never waits for a watcher, and nothing grows per event.
//!
//! `tasks_command` runs one command from the page's own command line on
//! the node, through a connection of this session's own: made on the
//! first command, closed when the session ends (or after QUIT), so SELECT
//! and MULTI last between commands as in a redis-cli session. It goes
//! through the same `Redis::handle` the TCP clients use. A command that
//! would wait (BLPOP) or turn the connection into a stream (SUBSCRIBE) is
//! refused before it runs, as is one that looks like HTTP; arguments are
//! capped in number and size, and the printed reply in length.

use std::{sync::Arc, time::Duration};

use fanout_shared::{
    celery,
    protocol::{
        MAX_COMMAND_ARGS, MAX_COMMAND_BYTES, MAX_REPLY_TEXT, ServerFrame, TasksCommand, TasksFrame,
        TasksRefusal, needs_a_real_client,
    },
    redis::{ConnId, Event, Flow, cli, command},
};
use tokio::{
    sync::{
        broadcast::error::{RecvError, TryRecvError},
        mpsc,
    },
    task::JoinHandle,
};

use crate::redis::{
    Node,
    node::{Inbox, Watch},
    unix_millis,
};

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
    /// The session's own connection on the node, once it sent a command.
    conn: Option<(ConnId, Inbox)>,
}

impl Drop for TasksSession {
    fn drop(&mut self) {
        if let Some(task) = self.watching.take() {
            task.abort();
        }
        self.hang_up();
    }
}

impl TasksSession {
    /// `node` is the server's Redis node (`None` under `--redis off`).
    pub fn new(node: Option<Arc<Node>>, outbox: mpsc::Sender<ServerFrame>) -> TasksSession {
        TasksSession {
            node,
            outbox,
            watching: None,
            conn: None,
        }
    }

    /// Closes the session's connection on the node, if it has one.
    fn hang_up(&mut self) {
        if let (Some(node), Some((conn, _))) = (&self.node, self.conn.take()) {
            node.disconnect(conn);
        }
    }

    /// Runs one command from the page's command line.
    fn command(&mut self, request: TasksCommand) -> ServerFrame {
        let Some(node) = self.node.clone() else {
            return ServerFrame::refused(TasksRefusal::RedisOff);
        };
        let args = request.args;
        let Some(name) = args.first() else {
            return ServerFrame::refused(TasksRefusal::EmptyCommand);
        };
        if args.len() > MAX_COMMAND_ARGS {
            return ServerFrame::refused(TasksRefusal::TooManyArgs {
                max: MAX_COMMAND_ARGS,
            });
        }
        if args.iter().map(|arg| arg.0.len()).sum::<usize>() > MAX_COMMAND_BYTES {
            return ServerFrame::refused(TasksRefusal::CommandTooLarge {
                max: MAX_COMMAND_BYTES,
            });
        }
        if let Some(need) = needs_a_real_client(&name.0) {
            return ServerFrame::refused(TasksRefusal::NeedsRealClient {
                command: String::from_utf8_lossy(&name.0).to_uppercase(),
                need,
            });
        }
        let argv: Vec<&[u8]> = args.iter().map(|arg| arg.0.as_slice()).collect();
        if command::is_http(&argv) {
            return ServerFrame::refused(TasksRefusal::LooksLikeHttp);
        }
        let (conn, inbox) = self.conn.get_or_insert_with(|| node.connect());
        let conn = *conn;
        let mut out = Vec::new();
        inbox.drain_into(&mut out);
        let flow = node.with_model(|model| model.handle(conn, &argv, unix_millis(), &mut out));
        match flow {
            Flow::Continue => {}
            // Refused above; should a command still wait, its wait ends
            // at once with the empty reply of a timeout.
            Flow::Blocked { .. } => {
                node.with_model(|model| model.time_out(conn, &mut out));
            }
            Flow::Close | Flow::SecurityAttack => {}
        }
        if let Some((_, inbox)) = &mut self.conn {
            inbox.drain_into(&mut out);
        }
        let (mut conn, mut db, mut multi) = (conn, 0, false);
        if matches!(flow, Flow::Close | Flow::SecurityAttack) {
            self.hang_up();
            conn = 0;
        } else {
            (db, multi) = node.with_model(|model| {
                model
                    .client(conn)
                    .map_or((0, false), |client| (client.db, client.multi.is_some()))
            });
        }
        ServerFrame::TasksReply {
            text: cli::render_replies(&out, MAX_REPLY_TEXT),
            error: matches!(out.first(), Some(b'-' | b'!')),
            conn,
            db,
            multi,
            id: request.id,
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
            TasksFrame::Command(request) => self.command(request),
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
