//! The canvas's legend: which topics are on the wires now (their colour
//! and shape), and what the marks mean.

use leptos::prelude::*;

use crate::labs::queues::{QueueLab, topics};

/// Which topics are on the wires now, and what the marks mean.
#[component]
pub fn Legend(lab: QueueLab) -> impl IntoView {
    let t = move || lab.texts();
    // Redrawn with the page (`snap`), not with every frame's dots.
    let topics = Memo::new(move |_| {
        lab.snap.track();
        lab.motion.with_untracked(|m| {
            let mut seen: Vec<topics::Look> = Vec::new();
            for w in &m.wire {
                let topic = topics::topic_of(&w.payload);
                if !seen.iter().any(|l| l.topic == topic) {
                    seen.push(topics::look(&w.payload));
                }
                if seen.len() >= 10 {
                    break;
                }
            }
            seen.sort_by(|a, b| a.topic.cmp(&b.topic));
            seen
        })
    });
    view! {
        <div class="canvas-legend" aria-label=move || t().legend_label>
            <span class="legend-title">{move || t().legend_title}</span>
            <For each=move || topics.get() key=|l| l.topic.clone() let:l>
                <span class="legend-item">
                    <svg class="swatch" viewBox="-7 -7 14 14" width="14" height="14" aria-hidden="true">
                        <path d=l.shape.svg() fill=l.colour />
                    </svg>
                    {l.topic.clone()}
                </span>
            </For>
            <span class="legend-item">
                <svg class="swatch" viewBox="-7 -7 14 14" width="14" height="14" aria-hidden="true">
                    <path class="drop-x" d="M-5 -5L5 5M5 -5L-5 5" />
                </svg>
                {move || t().legend_drop}
            </span>
            <span class="legend-item">
                <span class="swatch-card blocked" aria-hidden="true"></span>
                {move || t().legend_blocked}
            </span>
            <span class="legend-item">
                <svg class="swatch" viewBox="0 -7 20 14" width="20" height="14" aria-hidden="true">
                    <path class="pipe-declared" d="M1 0H19" />
                </svg>
                {move || t().declared_pipe}
            </span>
            {broker_link_item(lab)}
            <span class="legend-item">
                <span class="swatch-bar" aria-hidden="true"></span>
                {move || t().legend_depth}
            </span>
            <span class="legend-hint">{move || t().canvas_hint}</span>
        </div>
    }
}

/// The task programs' broker connections (the reliability page only).
#[cfg(feature = "reliability")]
fn broker_link_item(lab: QueueLab) -> impl IntoView {
    view! {
        <span class="legend-item">
            <svg class="swatch" viewBox="0 -7 20 14" width="20" height="14" aria-hidden="true">
                <path class="broker-link" d="M1 0H19" />
            </svg>
            {move || crate::labs::queues::reliability::broker_link_legend(lab.lang.get())}
        </span>
    }
}

#[cfg(not(feature = "reliability"))]
fn broker_link_item(_lab: QueueLab) -> impl IntoView {}
