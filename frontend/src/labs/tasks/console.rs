//! The page's own hands on the node: a command line like `redis-cli`'s
//! (the line split as redis-cli splits it, the reply printed as redis-cli
//! prints it, a short history, ↑ and ↓ to recall a line), a few commands
//! to click, and "send a task": the Celery protocol-2 message
//! `celery_tasks.add(x, y)` built by `fanout_shared::celery::task_envelope`
//! and pushed onto the `celery` queue as `delay()` would, so a real
//! worker runs it and its result shows in the Tasks table.
//!
//! Each command goes to the server as `tasks_command`; the server runs it
//! through the session's own connection on the node (`docs/protocol.md`,
//! "Tasks"). Refusals (BLPOP, SUBSCRIBE …) are said in the page's language.

use std::collections::VecDeque;

use fanout_shared::{
    celery::{NewTask, task_envelope, uuid4},
    lang::Say,
    protocol::{ClientFrame, CommandArg, ServerFrame, TasksCommand, TasksFrame},
    redis::cli::{join_args, split_line},
};
use leptos::{prelude::*, task::spawn_local};

use super::{NodeLink, TasksLab};
use crate::connection::{RequestError, Server};

/// How many commands the history keeps.
const HISTORY: usize = 12;
/// Longest command shown in the history (a task message is long).
const SHOWN_COMMAND: usize = 160;

/// Commands to click: what the other panels show, read by hand.
const EXAMPLES: &[&str] = &[
    "LLEN celery",
    "LRANGE celery 0 -1",
    "KEYS *",
    "HGETALL unacked",
    "ZRANGE unacked_index 0 -1 WITHSCORES",
    "GET celery-task-meta-<id>",
];

/// The task "send a task" sends: the example app's (`/clients/celery_tasks.py`,
/// module `celery_tasks`, function `add`).
pub const EXAMPLE_TASK: &str = "celery_tasks.add";

/// What came back for one command.
#[derive(Debug, Clone)]
enum Outcome {
    Waiting,
    Reply {
        text: String,
        error: bool,
    },
    Refused(RequestError),
    /// The line did not split (unbalanced quotes).
    Invalid,
}

#[derive(Debug, Clone)]
struct Entry {
    serial: u64,
    prompt: String,
    command: String,
    outcome: Outcome,
    /// The id of the task this command sent, for "send a task".
    task: Option<String>,
}

/// The prompt redis-cli would show: `127.0.0.1:6379[1](TX)> `.
fn prompt(addr: &str, db: usize, multi: bool) -> String {
    let db = if db == 0 {
        String::new()
    } else {
        format!("[{db}]")
    };
    let tx = if multi { "(TX)" } else { "" };
    format!("{addr}{db}{tx}>")
}

fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    for byte in &mut bytes {
        *byte = (js_sys::Math::random() * 256.0) as u8;
    }
    uuid4(bytes)
}

/// An argument typed in "send a task": JSON (`2`, `"text"`, `[1, 2]`), or
/// else the text itself.
fn task_arg(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
}

#[component]
pub fn Console(lab: TasksLab) -> impl IntoView {
    let t = move || lab.texts();
    let server = expect_context::<Server>();
    let line = RwSignal::new(String::new());
    let history = RwSignal::new(VecDeque::<Entry>::new());
    let serial = StoredValue::new(0u64);
    // The session's connection: its database and transaction, as the
    // last reply said.
    let db = RwSignal::new(0usize);
    let multi = RwSignal::new(false);
    // ↑/↓: how far back in the typed lines.
    let recall = StoredValue::new(None::<usize>);
    let typed = StoredValue::new(Vec::<String>::new());
    let x = RwSignal::new("2".to_owned());
    let y = RwSignal::new("3".to_owned());
    let addr = move || match lab.node.get() {
        NodeLink::Watching { redis } => redis,
        _ => "redis".to_owned(),
    };

    let run = move |args: Vec<Vec<u8>>, shown: String, task: Option<String>| {
        let number = serial.get_value() + 1;
        serial.set_value(number);
        let parsed = !args.is_empty() || shown.trim().is_empty();
        let outcome = if parsed {
            Outcome::Waiting
        } else {
            Outcome::Invalid
        };
        let entry = Entry {
            serial: number,
            prompt: prompt(&addr(), db.get_untracked(), multi.get_untracked()),
            command: shown,
            outcome,
            task,
        };
        history.update(|history| {
            history.push_back(entry);
            while history.len() > HISTORY {
                history.pop_front();
            }
        });
        if args.is_empty() {
            return;
        }
        let frame = ClientFrame::Tasks(TasksFrame::Command(TasksCommand {
            args: args.into_iter().map(CommandArg).collect(),
            id: None,
        }));
        spawn_local(async move {
            let outcome = match server.request(frame).await {
                Ok(ServerFrame::TasksReply {
                    text,
                    error,
                    db: now_db,
                    multi: now_multi,
                    ..
                }) => {
                    db.try_set(now_db);
                    multi.try_set(now_multi);
                    Outcome::Reply { text, error }
                }
                Ok(other) => Outcome::Reply {
                    text: format!("{other:?}"),
                    error: true,
                },
                Err(error) => Outcome::Refused(error),
            };
            history.try_update(|history| {
                if let Some(entry) = history.iter_mut().find(|entry| entry.serial == number) {
                    entry.outcome = outcome;
                }
            });
        });
    };

    let submit = move |text: String| {
        if text.trim().is_empty() {
            return;
        }
        typed.update_value(|typed| {
            typed.push(text.clone());
            if typed.len() > 50 {
                typed.remove(0);
            }
        });
        recall.set_value(None);
        match split_line(&text) {
            Some(args) => run(args, text, None),
            None => run(Vec::new(), text, None),
        }
        line.set(String::new());
    };

    let send_task = move || {
        let id = random_uuid();
        let host = window().location().hostname().unwrap_or_default();
        let args = [task_arg(&x.get_untracked()), task_arg(&y.get_untracked())];
        let message = task_envelope(&NewTask {
            task: EXAMPLE_TASK,
            id: &id,
            args: &args,
            kwargs: &[],
            queue: "celery",
            origin: &format!("browser@{host}"),
            reply_to: &random_uuid(),
            delivery_tag: &random_uuid(),
        });
        let args = vec![b"LPUSH".to_vec(), b"celery".to_vec(), message.into_bytes()];
        let shown = join_args(&args);
        run(args, shown, Some(id));
    };

    let on_key = move |event: leptos::ev::KeyboardEvent| {
        let typed_lines = typed.get_value();
        if typed_lines.is_empty() {
            return;
        }
        let back = match (event.key().as_str(), recall.get_value()) {
            ("ArrowUp", None) => Some(typed_lines.len() - 1),
            ("ArrowUp", Some(at)) => Some(at.saturating_sub(1)),
            ("ArrowDown", Some(at)) if at + 1 < typed_lines.len() => Some(at + 1),
            ("ArrowDown", _) => None,
            _ => return,
        };
        event.prevent_default();
        recall.set_value(back);
        line.set(back.map(|at| typed_lines[at].clone()).unwrap_or_default());
    };

    view! {
        <section class="tasks-panel console" data-testid="console">
            <h2>{move || t().console_title}</h2>
            <p class="hint">{move || t().console_hint}</p>
            <div class="console-examples">
                <span>{move || t().console_try}</span>
                {EXAMPLES.iter().map(|example| view! {
                    <button type="button" class="link" data-example=*example
                        on:click=move |_| {
                            if example.contains('<') {
                                line.set((*example).to_owned());
                            } else {
                                submit((*example).to_owned());
                            }
                        }>
                        <code>{*example}</code>
                    </button>
                }).collect_view()}
            </div>
            // Anchored at its end, as a terminal is: the newest reply stays
            // in sight however long the history (CSS: column-reverse).
            <div class="console-scroll" class:empty=move || history.with(VecDeque::is_empty)>
            <ol class="console-history" data-testid="console-history">
                {move || history.get().into_iter().map(|entry| {
                    let command = if entry.command.chars().count() > SHOWN_COMMAND {
                        let cut: String = entry.command.chars().take(SHOWN_COMMAND).collect();
                        format!("{cut}…")
                    } else {
                        entry.command.clone()
                    };
                    let (state, body) = match &entry.outcome {
                        Outcome::Waiting => ("waiting", "…".to_owned()),
                        Outcome::Reply { text, error } => (if *error { "error" } else { "reply" }, text.clone()),
                        Outcome::Refused(error) => ("refused", error.say(lab.lang.get())),
                        Outcome::Invalid => ("error", t().invalid_args.to_owned()),
                    };
                    let sent = entry.task.clone();
                    view! {
                        <li data-state=state data-command=entry.command.clone()>
                            <div class="console-line"><span class="prompt">{entry.prompt.clone()}</span> " "
                                <code>{command}</code></div>
                            <pre class="console-reply" class:bad=state != "reply" && state != "waiting">{body}</pre>
                            {sent.map(|id| view! {
                                <p class="hint" data-sent-task=id.clone()>{(t().task_sent)(&id)}</p>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            </div>
            <form class="console-input" on:submit=move |event| {
                event.prevent_default();
                submit(line.get_untracked());
            }>
                <label>
                    <span class="prompt">{move || prompt(&addr(), db.get(), multi.get())}</span>
                    <input type="text" data-testid="console-line" spellcheck="false" autocomplete="off"
                        aria-label=move || t().console_title
                        placeholder=move || t().console_placeholder
                        prop:value=move || line.get()
                        on:input=move |event| line.set(event_target_value(&event))
                        on:keydown=on_key />
                </label>
                <button type="submit">{move || t().console_run}</button>
            </form>
            <div class="send-task">
                <h3>{move || t().send_title}</h3>
                <p class="hint">{move || t().send_hint}</p>
                <form on:submit=move |event| {
                    event.prevent_default();
                    send_task();
                }>
                    <code>{EXAMPLE_TASK} "("</code>
                    <input type="text" size="6" data-testid="task-x" prop:value=move || x.get()
                        on:input=move |event| x.set(event_target_value(&event)) />
                    <code>", "</code>
                    <input type="text" size="6" data-testid="task-y" prop:value=move || y.get()
                        on:input=move |event| y.set(event_target_value(&event)) />
                    <code>")"</code> " "
                    <button type="submit" data-testid="send-task">{move || t().send_button}</button>
                </form>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_is_redis_clis() {
        assert_eq!(prompt("127.0.0.1:6379", 0, false), "127.0.0.1:6379>");
        assert_eq!(prompt("127.0.0.1:6379", 2, true), "127.0.0.1:6379[2](TX)>");
    }

    #[test]
    fn task_arguments_are_json_or_text() {
        assert_eq!(task_arg(" 2 "), serde_json::json!(2));
        assert_eq!(task_arg("[1, 2]"), serde_json::json!([1, 2]));
        assert_eq!(task_arg("two"), serde_json::json!("two"));
    }
}
