//! The reliability lab's own panels, beside the canvas it shares with the
//! queue lab: **predict, then run** (each lesson asks how many tasks will
//! end one way, then runs and reads the answer from the ledger), a **fault
//! toolbar** (crash, restart, pause, partition … a node or a link now, as
//! an edit of the run, so stepping back over it and forward again replays
//! it), the **guarantee meter** (the ledger's outcomes beside what each
//! queue's configuration promises), the **brokers' queues** as message
//! chips, and the **task table** in Celery's terms.
//!
//! Everything shown is read from the engine (`Simulator::ledger`,
//! `broker_views`, `tasks_in_hand`) when the page takes its snapshot
//! ([`RelSnap`]); nothing here decides what happened. Built only into the
//! reliability page's wasm (the `reliability` feature).
//!
//! In a live room the prediction waits for the page's own run; the fault
//! toolbar is the room creator's: a fault is sent to the room as
//! `room_act` (`docs/protocol.md`, "Editing"), where the creator alone may
//! break things, and the room's recording, which the page follows, shows
//! it.

mod text;

use fanout_shared::{
    broker::{LedgerSummary, Outcome, TaskId},
    embed::escape_attribute,
    lang::Say,
    protocol::{RoomAct, RoomFrame},
    sim::{
        Action, NodeId, Simulator,
        broker_view::{BrokerView, Chip},
        presets::Preset,
        timeline::ScenarioRef,
    },
    time::Tick,
};
use leptos::prelude::*;

use self::text::RelTexts;
use super::{
    QueueLab,
    canvas::{curve, path_d},
    data_pick,
    layout::{CARD_W, Card, HEADER_H},
    snap::Snap,
};

/// When a prediction is checked: the virtual time `fanout sim` runs a
/// scenario for by default, so the page and the command line agree.
const CHECK_AT: Tick = Tick::from_secs(10);
/// Most events a check plays to reach [`CHECK_AT`] (the busiest lesson,
/// flow control, needs about 30,000).
const CHECK_BUDGET: usize = 400_000;
/// Task rows shown before "Show all", and at most with it.
const ROWS: usize = 40;
const MAX_ROWS: usize = 600;

/// The reliability part of a snapshot.
#[derive(Debug, Default)]
pub struct RelSnap {
    pub ledger: Option<LedgerSummary>,
    pub brokers: Vec<BrokerView>,
    /// The task each busy worker holds now.
    pub in_hand: Vec<(TaskId, NodeId)>,
}

impl RelSnap {
    pub fn of(sim: &Simulator) -> RelSnap {
        RelSnap {
            ledger: sim.ledger(),
            brokers: sim.broker_views(),
            in_hand: sim.tasks_in_hand(),
        }
    }
}

/// A fault the toolbar offers. Node faults need a node; link faults (from
/// `Partition` on) a second one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    Crash,
    Restart,
    Pause,
    Resume,
    Poison,
    Partition,
    Heal,
    Delay,
    Drop,
    Duplicate,
}

impl FaultKind {
    const ALL: [FaultKind; 10] = [
        FaultKind::Crash,
        FaultKind::Restart,
        FaultKind::Pause,
        FaultKind::Resume,
        FaultKind::Poison,
        FaultKind::Partition,
        FaultKind::Heal,
        FaultKind::Delay,
        FaultKind::Drop,
        FaultKind::Duplicate,
    ];

    /// Its name in the page's attributes (`data-fault`).
    fn tag(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Restart => "restart",
            FaultKind::Pause => "pause",
            FaultKind::Resume => "resume",
            FaultKind::Poison => "poison",
            FaultKind::Partition => "partition",
            FaultKind::Heal => "heal",
            FaultKind::Delay => "delay",
            FaultKind::Drop => "drop",
            FaultKind::Duplicate => "duplicate",
        }
    }

    fn on_link(self) -> bool {
        self as u8 >= FaultKind::Partition as u8
    }

    /// The engine's action: on `node` (and `peer`), for `duration`.
    fn action(self, node: String, peer: String, duration: Option<Tick>) -> Action {
        let (a, b) = (vec![node.clone()], vec![peer]);
        match self {
            FaultKind::Crash => Action::Crash {
                node,
                on: None,
                duration,
            },
            FaultKind::Restart => Action::Restart { node },
            FaultKind::Pause => Action::Pause { node, duration },
            FaultKind::Resume => Action::Resume { node },
            FaultKind::Poison => Action::Poison { node },
            FaultKind::Partition => Action::Partition {
                a,
                b,
                one_way: false,
                duration,
            },
            FaultKind::Heal => Action::Heal { a, b },
            FaultKind::Delay => Action::Delay {
                a,
                b,
                latency: Tick::from_millis(200),
                jitter: Tick::ZERO,
                duration,
            },
            FaultKind::Drop => Action::Drop {
                a,
                b,
                rate: 0.5,
                duration,
            },
            FaultKind::Duplicate => Action::Duplicate {
                a,
                b,
                rate: 0.5,
                duration,
            },
        }
    }
}

/// The question the lesson on screen asks, if it is a preset that has one.
fn question_of(s: &Snap) -> Option<Outcome> {
    match &s.scenario {
        ScenarioRef::Preset(name) => Preset::from_name(name)?.question(),
        _ => None,
    }
}

/// Predict, then run, and the fault toolbar: above the canvas.
///
/// Written as HTML text, like [`RelLower`] and for the same reason (the
/// page's size budget), and drawn again only when the language or the
/// scenario changes, so what the learner typed stays while the run plays.
/// A click is read from the `data-pick` of what was clicked, and the
/// fields' values from the fields themselves at that moment. In a live
/// room (its creator's page: `rel_panels`) only the fault toolbar shows,
/// and a fault goes to the room.
#[component]
pub fn RelUpper(lab: QueueLab) -> impl IntoView {
    let server = expect_context::<crate::connection::Server>();
    // (scenario, what the learner said)
    let said: RwSignal<Option<(String, u64)>> = RwSignal::new(None);
    let fault_problem = RwSignal::new(None::<String>);
    let scenario = Memo::new(move |_| lab.snap.with(|s| s.scenario_name.clone()));
    let form = Memo::new(move |_| {
        let lang = lab.lang.get();
        scenario.track();
        lab.snap.with_untracked(|s| render_upper(s, lang))
    });
    let panel: NodeRef<leptos::html::Div> = NodeRef::new();
    // The value of the field `selector` in this panel.
    let field = move |selector: &str| -> String {
        panel
            .get_untracked()
            .and_then(|p| p.query_selector(selector).ok().flatten())
            .and_then(|e| js_sys::Reflect::get(&e, &"value".into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let check = move || {
        let Ok(n) = field(".rel-guess").trim().parse::<u64>() else {
            return;
        };
        lab.pause();
        said.set(Some((scenario.get_untracked(), n)));
        let ran = lab.local(|r| {
            if r.now() < CHECK_AT {
                r.play_until(CHECK_AT, CHECK_BUDGET);
            }
        });
        if ran.is_some() {
            lab.changed();
        }
    };
    let apply = move |kind: FaultKind| {
        let ms = field(".rel-fault-duration")
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|ms| *ms > 0);
        let action = kind.action(
            field(".rel-fault-node"),
            field(".rel-fault-peer"),
            ms.map(Tick::from_millis),
        );
        if lab.mode.with_untracked(super::mode::Mode::is_live) {
            fault_problem.set(None);
            leptos::task::spawn_local(async move {
                let act = RoomFrame::Act(RoomAct { action, id: None });
                if let Err(error) = server.request(act).await {
                    fault_problem.set(Some(error.say(lab.lang.get_untracked())));
                }
            });
            return;
        }
        lab.pause();
        let result = lab.apply(action);
        fault_problem.set(result.err().map(|p| p.say(lab.lang.get_untracked())));
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let pick = data_pick(&ev);
        if let Some(k) = FaultKind::ALL
            .into_iter()
            .find(|k| Some(k.tag()) == pick.as_deref())
        {
            apply(k);
        }
    };
    // The check button, or Enter in the prediction's field.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check();
    };
    // The prediction against the ledger, once the run reached the time
    // asked about; then what the engine said to a refused fault.
    let verdict_html = move || {
        let t = RelTexts::of(lab.lang.get());
        let mut h = String::new();
        if let Some((name, n)) = said.get() {
            lab.snap.with(|s| {
                if let Some(outcome) = question_of(s).filter(|_| s.scenario_name == name && s.now >= CHECK_AT) {
                    let counted = s.rel.ledger.as_ref().map_or(0, |l| l.count(outcome));
                    h = format!(
                        r#"<p class="rel-verdict" data-outcome="{}" data-said="{n}" data-counted="{counted}" data-right="{}">{}</p>"#,
                        outcome_tag(outcome),
                        n == counted,
                        (t.verdict)(n, counted, outcome, &s.now.to_string())
                    );
                }
            });
        }
        h
    };
    let problem_html = move || {
        fault_problem
            .get()
            .map(|p| {
                format!(
                    r#"<p class="notice problem" role="alert">{}</p>"#,
                    fanout_shared::embed::escape_attribute(&p)
                )
            })
            .unwrap_or_default()
    };
    // The prediction is about the page's own run: not shown in a room.
    let predict_html = move || {
        if lab.is_live() {
            String::new()
        } else {
            form.with(|f| f.0.clone())
        }
    };
    view! {
        <div class="rel-upper" node_ref=panel on:click=on_click on:submit=on_submit>
            <div inner_html=predict_html></div>
            <div class="rel-said" inner_html=move || if lab.is_live() { String::new() } else { verdict_html() }></div>
            <div inner_html=move || form.with(|f| f.1.clone())></div>
            <div class="rel-refused" inner_html=problem_html></div>
        </div>
    }
}

/// The prediction's panel, and the fault toolbar's.
fn render_upper(s: &Snap, lang: crate::i18n::Lang) -> (String, String) {
    use fanout_shared::embed::escape_attribute as esc;
    use std::fmt::Write;
    let t = RelTexts::of(lang);
    let mut h = format!(
        r#"<section class="rel-panel rel-predict"><h2>{}</h2>"#,
        t.predict_heading
    );
    match question_of(s) {
        Some(outcome) => {
            let _ = write!(
                h,
                r#"<form class="rel-question"><label>{} <input type="number" min="0" inputmode="numeric" class="rel-guess"></label><button type="submit" class="rel-check">{}</button></form>"#,
                (t.question)(outcome, &CHECK_AT.to_string()),
                t.check
            );
        }
        None => {
            let _ = write!(h, r#"<p class="hint">{}</p>"#, t.no_question);
        }
    }
    let options: String = s
        .topo
        .nodes
        .iter()
        .map(|n| format!("<option>{}</option>", esc(&n.name)))
        .collect();
    h.push_str("</section>");
    let mut f = String::new();
    let _ = write!(
        f,
        r#"<section class="rel-panel rel-faults"><h2>{}</h2><div class="rel-fault-targets"><label>{}<select class="rel-fault-node">{options}</select></label><label>{}<select class="rel-fault-peer">{options}</select></label><label title="{hint}">{}<input type="number" min="0" class="rel-fault-duration" placeholder="{hint}"></label></div><div class="rel-fault-buttons" role="toolbar">"#,
        t.faults_heading,
        t.fault_node,
        t.fault_peer,
        t.fault_duration,
        hint = t.fault_duration_hint,
    );
    for k in FaultKind::ALL {
        let _ = write!(
            f,
            r#"<button type="button" class="{}" data-fault="{tag}" data-pick="{tag}" title="{}">{}</button>"#,
            if k.on_link() { "link-fault" } else { "" },
            (t.fault_hint)(k),
            (t.fault)(k),
            tag = k.tag(),
        );
    }
    f.push_str("</div></section>");
    (h, f)
}

/// The guarantee meter, the brokers' queues and the task table: below the
/// canvas.
///
/// These three are written as HTML text from the snapshot rather than as
/// Leptos views: each of their lists, typed as views, costs the page's
/// wasm its own generated code (about 20 KB gzipped for the three), which
/// the page's size budget does not have. Every name from the scenario is
/// escaped; a click anywhere in them is read from the `data-pick` of what
/// was clicked (`outcome:…`, `task:…`, `all`).
#[component]
pub fn RelLower(lab: QueueLab) -> impl IntoView {
    let filter = RwSignal::new(None::<Outcome>);
    let picked = RwSignal::new(None::<u64>);
    let all_rows = RwSignal::new(false);
    let html = move || {
        let lang = lab.lang.get();
        let (filter, picked, all) = (filter.get(), picked.get(), all_rows.get());
        lab.snap
            .with(|s| render_lower(s, lang, filter, picked, all))
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(pick) = data_pick(&ev) else {
            return;
        };
        match pick.split_once(':') {
            Some(("outcome", o)) => {
                let o = Outcome::ALL.into_iter().find(|x| outcome_tag(*x) == o);
                filter.update(|f| *f = if *f == o { None } else { o });
            }
            Some(("task", t)) => {
                let t = t.parse().ok();
                picked.update(|p| *p = if *p == t { None } else { t });
            }
            _ => all_rows.set(true),
        }
    };
    view! { <div class="rel-lower" on:click=on_click inner_html=html></div> }
}

/// An outcome's name in the page's attributes (`data-outcome`).
fn outcome_tag(o: Outcome) -> &'static str {
    match o {
        Outcome::ExactlyOnce => "exactlyonce",
        Outcome::Duplicated => "duplicated",
        Outcome::Lost => "lost",
        Outcome::DeadLettered => "deadlettered",
        Outcome::Failed => "failed",
        Outcome::Pending => "pending",
    }
}

fn render_lower(
    s: &Snap,
    lang: crate::i18n::Lang,
    filter: Option<Outcome>,
    picked: Option<u64>,
    all: bool,
) -> String {
    use fanout_shared::embed::escape_attribute as esc;
    use std::fmt::Write;
    let t = RelTexts::of(lang);
    let name = |id: NodeId| esc(s.node_name(id));
    let mut h = String::new();

    // The meter.
    let _ = write!(
        h,
        r#"<section class="rel-panel rel-meter"><h2>{}</h2>"#,
        t.meter_heading
    );
    match &s.rel.ledger {
        None => {
            let _ = write!(h, r#"<p class="hint">{}</p>"#, t.no_tasks);
        }
        Some(l) => {
            h.push_str(r#"<ul class="rel-promises">"#);
            for q in &l.queues {
                let line = match q.guarantee {
                    Some(g) => (t.promise)(&q.queue, &g.say(lang)),
                    None => (t.nobody_consumes)(&q.queue),
                };
                let _ = write!(h, "<li>{}</li>", esc(&line));
            }
            h.push_str(r#"</ul><div class="rel-buckets">"#);
            let lost_confirmed: u64 = l.queues.iter().map(|q| q.lost_confirmed).sum();
            for o in Outcome::ALL {
                let tag = outcome_tag(o);
                let _ = write!(
                    h,
                    r#"<button type="button" class="rel-bucket outcome-{tag}" data-outcome="{tag}" data-pick="outcome:{tag}" aria-pressed="{}"><span class="count">{}</span><span class="what">{}</span>"#,
                    filter == Some(o),
                    l.count(o),
                    o.say(lang)
                );
                if o == Outcome::Lost && lost_confirmed > 0 {
                    let _ = write!(h, "<small>{}</small>", (t.lost_confirmed)(lost_confirmed));
                }
                h.push_str("</button>");
            }
            h.push_str("</div>");
        }
    }
    let _ = write!(h, r#"<p class="hint">{}</p></section>"#, t.meter_hint);

    // The brokers' queues, as chips.
    let _ = write!(
        h,
        r#"<section class="rel-panel rel-brokers"><h2>{}</h2>"#,
        t.brokers_heading
    );
    for b in &s.rel.brokers {
        let _ = write!(
            h,
            r#"<div class="rel-broker{}" data-node="{n}"><h3>{n} <small>{} {}</small></h3>"#,
            if b.up { "" } else { " down" },
            if b.up { "" } else { t.broker_down },
            (t.on_disk)(b.on_disk),
            n = name(b.node),
        );
        for q in &b.queues {
            let kind = if q.dead_letters_of.is_empty() {
                (if q.durable {
                    t.durable
                } else {
                    t.transient_queue
                })
                .to_string()
            } else {
                (t.dead_letters_of)(&q.dead_letters_of.join(", "))
            };
            let _ = write!(
                h,
                r#"<div class="rel-queue" data-queue="{n}"><h4>{n} <small>{}</small></h4>"#,
                esc(&kind),
                n = esc(&q.name)
            );
            for (label, list, total, class) in [
                ((t.ready)(q.ready_total), &q.ready, q.ready_total, "ready"),
                (
                    (t.unacked)(q.unacked_total),
                    &q.unacked,
                    q.unacked_total,
                    "unacked",
                ),
            ] {
                let _ = write!(
                    h,
                    r#"<p class="label">{label}</p><ul class="chips {class}">"#
                );
                for c in list {
                    let task = c.task.to_string();
                    let owner = c.owner.map(name);
                    let deadline = c.deadline.map(|d| d.to_string());
                    let title = (t.chip_title)(
                        &task,
                        c.persistent,
                        c.on_disk,
                        owner.as_deref(),
                        deadline.as_deref(),
                    );
                    let _ = write!(
                        h,
                        r#"<li class="chip{}{}{}" data-task="{task}" title="{}">{task}{}{}</li>"#,
                        if c.persistent { "" } else { " transient" },
                        if c.owner.is_some() { " held" } else { "" },
                        if c.redelivered { " redelivered" } else { "" },
                        esc(&title),
                        owner.map(|o| format!(" → {o}")).unwrap_or_default(),
                        if c.on_disk { " ▪" } else { "" },
                    );
                }
                if total > list.len() {
                    let _ = write!(
                        h,
                        r#"<li class="chip more">{}</li>"#,
                        (t.more)(total - list.len())
                    );
                }
                h.push_str("</ul>");
            }
            h.push_str("</div>");
        }
        h.push_str("</div>");
    }
    let _ = write!(h, r#"<p class="hint">{}</p></section>"#, t.chips_legend);

    // The task table, in Celery's terms.
    let _ = write!(
        h,
        r#"<section class="rel-panel rel-table"><h2>{}</h2>"#,
        t.tasks_heading
    );
    match &s.rel.ledger {
        None => {
            let _ = write!(h, r#"<p class="hint">{}</p>"#, t.no_tasks);
        }
        Some(l) => {
            if let Some(line) =
                picked.and_then(|p| l.tasks.iter().find(|line| line.record.task.0 == p))
            {
                let _ = write!(
                    h,
                    r#"<p class="rel-task-ledger" role="status">{}</p>"#,
                    esc(&(t.task_ledger)(&line.record))
                );
            }
            let _ = write!(
                h,
                "<table class=\"rel-tasks\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                t.col_task, t.col_state, t.col_tries, t.col_worker, t.col_result
            );
            let matching: Vec<_> = l
                .tasks
                .iter()
                .filter(|line| filter.is_none_or(|o| line.outcome == o))
                .collect();
            let shown = matching.len().min(if all { MAX_ROWS } else { ROWS });
            for line in &matching[..shown] {
                let r = &line.record;
                let worker = match s.rel.in_hand.iter().find(|(task, _)| *task == r.task) {
                    Some((_, w)) => format!("{} ({})", name(*w), t.running),
                    None => r.worker.map(|w| name(NodeId(w))).unwrap_or_default(),
                };
                let _ = write!(
                    h,
                    r#"<tr class="rel-task" data-task="{}" data-pick="task:{}" data-outcome="{}" aria-selected="{}" title="{}"><td>{}</td><td>{}</td><td>{}</td><td>{worker}</td><td>{}</td></tr>"#,
                    r.task,
                    r.task.0,
                    outcome_tag(line.outcome),
                    picked == Some(r.task.0),
                    esc(&(t.task_ledger)(r)),
                    r.task,
                    r.state.name(),
                    r.delivered,
                    line.outcome.say(lang),
                );
            }
            let _ = write!(
                h,
                r#"</tbody></table><p class="hint">{}"#,
                (t.showing)(shown, matching.len())
            );
            if shown < matching.len() && !all {
                let _ = write!(
                    h,
                    r#" <button type="button" class="link-button" data-pick="all">{}</button>"#,
                    t.show_all
                );
            }
            h.push_str("</p>");
        }
    }
    h.push_str("</section>");
    h
}

/// Message chips on a card's empty row, as SVG markup: on a broker's, its
/// messages (unacknowledged first, then ready; "…" marks unacknowledged,
/// a dashed outline a transient message), on a worker's, the task in its
/// hands. Each says on hover what the brokers' panel says of it: whether
/// it is persistent and on disk, who holds it and until when.
pub fn card_chips(s: &Snap, id: NodeId, lang: crate::i18n::Lang) -> String {
    use std::fmt::Write;
    const SLOTS: usize = 5;
    let t = RelTexts::of(lang);
    let mut chips: Vec<(TaskId, Option<&Chip>)> = Vec::new();
    let mut total = 0;
    if let Some(b) = s.rel.brokers.iter().find(|b| b.node == id) {
        for q in &b.queues {
            total += q.unacked_total + q.ready_total;
            chips.extend(q.unacked.iter().map(|c| (c.task, Some(c))));
        }
        for q in &b.queues {
            chips.extend(q.ready.iter().map(|c| (c.task, Some(c))));
        }
    } else if let Some((task, _)) = s.rel.in_hand.iter().find(|(_, w)| *w == id) {
        // The broker's record of the delivery, when it still has one.
        let held = s
            .rel
            .brokers
            .iter()
            .flat_map(|b| &b.queues)
            .flat_map(|q| &q.unacked)
            .find(|c| c.task == *task && c.owner == Some(id));
        chips.push((*task, held));
        total = 1;
    }
    let shown = if total > SLOTS {
        SLOTS - 1
    } else {
        total.min(chips.len())
    };
    let mut svg = String::new();
    for (i, (task, chip)) in chips.iter().take(shown).enumerate() {
        let x = 12 + i * 36;
        // A worker's task is in its hands even when the broker has
        // forgotten the delivery (its connection closed).
        let held = chip.is_none_or(|c| c.owner.is_some());
        let persistent = chip.is_none_or(|c| c.persistent);
        let title = chip.map(|c| {
            let owner = c.owner.map(|o| s.node_name(o).to_string());
            let deadline = c.deadline.map(|d| d.to_string());
            (t.chip_title)(
                &task.to_string(),
                c.persistent,
                c.on_disk,
                owner.as_deref(),
                deadline.as_deref(),
            )
        });
        let _ = write!(
            svg,
            r#"<g class="chip{}{}" data-task="{task}"><title>{}</title><rect x="{x}" y="54" width="33" height="18" rx="3"/><text x="{}" y="67">{task}{}</text></g>"#,
            if held { " held" } else { "" },
            if persistent { "" } else { " transient" },
            escape_attribute(&title.unwrap_or_else(|| task.to_string())),
            x + 4,
            if held { "…" } else { "" },
        );
    }
    if total > shown {
        let _ = write!(
            svg,
            r#"<text class="chip-more" x="{}" y="67">+{}</text>"#,
            12 + shown * 36,
            total - shown
        );
    }
    svg
}

/// The task programs' broker connections on the canvas, as SVG markup:
/// from the card tasks leave to the one they reach (producer to broker,
/// broker to worker), solid while the connection is open, dashed when it
/// is not (before it connects, after a crash closed it, while a partition
/// or a pause holds it).
pub fn broker_links(
    s: &Snap,
    cards: &std::collections::BTreeMap<NodeId, Card>,
    lang: crate::i18n::Lang,
) -> String {
    use std::fmt::Write;
    let t = RelTexts::of(lang);
    let mut svg = String::new();
    for n in &s.topo.nodes {
        let Some(link) = n.broker_link else { continue };
        let (from, to) = link.flow(n.id);
        let (Some(a), Some(b)) = (cards.get(&from), cards.get(&to)) else {
            continue;
        };
        let start = (a.x + CARD_W, a.y + HEADER_H / 2.0);
        let end = (b.x, b.y + HEADER_H / 2.0);
        let _ = write!(
            svg,
            r#"<path class="broker-link{}" data-client="{}" d="{}" marker-end="url(#q-arrow)"><title>{}</title></path>"#,
            if link.open { "" } else { " down" },
            escape_attribute(&n.name),
            path_d(&curve(start, end, 0.0)),
            (t.broker_link)(link.open),
        );
    }
    svg
}

/// The legend's line for the broker connections.
pub fn broker_link_legend(lang: crate::i18n::Lang) -> &'static str {
    RelTexts::of(lang).broker_link_legend
}
