//! Section 5: the consistent-hashing ring drawn as ketama builds it. Every
//! tick is one of a server's points; a key (a dot inside the ring) belongs
//! to the first tick clockwise from it. Fewer points per server make the
//! arcs, and so the shares, less even: the learner can try.

use std::f64::consts::PI;

use fanout_shared::shard::{Scheme, ketama::key_hash};
use leptos::prelude::*;

use super::{
    Phase, ShardLab,
    model::{percent, sample, server_label, thousands},
    text::Texts,
};
use crate::i18n::use_lang;

const POINT_CHOICES: [u32; 6] = [1, 4, 10, 40, 160, 400];
const KEY_DOTS: usize = 120;

/// A server's colour: evenly spaced hues, keyed by its number so a server
/// keeps its colour when others join or leave.
pub fn server_colour(name: &str, index: usize) -> String {
    let number: usize = server_label(name, index).parse().unwrap_or(index + 1);
    let hue = (number * 137) % 360;
    format!("hsl({hue} 65% 45%)")
}

fn at(position: u32, radius: f64) -> (f64, f64) {
    // Position 0 at the top, increasing clockwise.
    let angle = position as f64 / 4_294_967_296.0 * 2.0 * PI - PI / 2.0;
    (radius * angle.cos(), radius * angle.sin())
}

#[component]
pub fn RingSection(lab: ShardLab) -> impl IntoView {
    let lang = use_lang();
    let t = move || &Texts::of(lang.get()).ring;
    let focus = RwSignal::new(None::<String>);
    let after = move || lab.phase.get() == Phase::After;
    view! {
        <section class="panel" aria-labelledby="ring-title">
            <h2 id="ring-title">{move || t().title}</h2>
            <p class="hint">{move || t().hint}</p>
            <div class="ring-controls">
                <label>
                    {move || t().points_label}
                    <select on:change=move |ev| {
                        if let Ok(points) = event_target_value(&ev).parse::<u32>() {
                            lab.ketama_points.set(points);
                        }
                    }>
                        {POINT_CHOICES
                            .into_iter()
                            .map(|p| {
                                let label = move || if p == 160 { t().default_points.to_owned() } else { p.to_string() };
                                view! { <option value=p.to_string() selected=move || lab.ketama_points.get() == p>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <span class="phase-note" role="status">
                    {move || if after() { t().showing_after } else { t().showing_before }}
                </span>
            </div>
            {move || {
                let t = t();
                let keys = lab.keys.get()?;
                lab.runs.get().map(|runs| {
                    let (ring, servers, assignment) = if after() {
                        (&runs.ring_after, &runs.after_servers, &runs.scheme(Scheme::Ketama).after)
                    } else {
                        (&runs.ring_before, &runs.before_servers, &runs.scheme(Scheme::Ketama).before)
                    };
                    let shares = ring.shares();
                    let mut counts = vec![0u64; servers.len()];
                    for &server in assignment {
                        counts[server as usize] += 1;
                    }
                    let joined: Vec<bool> = servers.iter().map(|s| !runs.before_servers.contains(s)).collect();
                    let groups = servers
                        .iter()
                        .enumerate()
                        .map(|(index, name)| {
                            let colour = server_colour(name, index);
                            let is_new = joined[index];
                            let (inner, outer) = if is_new { (100.0, 140.0) } else { (110.0, 130.0) };
                            // One path per server: thousands of <line>s
                            // made every change slow to lay out.
                            let mut ticks = String::new();
                            for &(position, owner) in ring.points() {
                                if owner as usize == index {
                                    let (x1, y1) = at(position, inner);
                                    let (x2, y2) = at(position, outer);
                                    ticks.push_str(&format!("M{x1:.1} {y1:.1}L{x2:.1} {y2:.1}"));
                                }
                            }
                            let name_for_dim = name.clone();
                            view! {
                                <g
                                    class="ring-server"
                                    class:new-server=is_new
                                    class:dim=move || focus.get().is_some_and(|f| f != name_for_dim)
                                    stroke=colour
                                    data-server=index.to_string()
                                >
                                    <path d=ticks />
                                </g>
                            }
                        })
                        .collect_view();
                    let dots = sample(keys.len(), KEY_DOTS)
                        .into_iter()
                        .map(|k| {
                            let (x, y) = at(key_hash(&keys.keys()[k].md5), 92.0);
                            let owner = &servers[assignment[k] as usize];
                            let owner_for_dim = owner.clone();
                            view! {
                                <circle
                                    class="ring-key"
                                    class:dim=move || focus.get().is_some_and(|f| f != owner_for_dim)
                                    cx=format!("{x:.1}")
                                    cy=format!("{y:.1}")
                                    r="2.2"
                                >
                                    <title>{format!("{} → {}", keys.keys()[k].text, owner)}</title>
                                </circle>
                            }
                        })
                        .collect_view();
                    let legend = servers
                        .iter()
                        .enumerate()
                        .map(|(index, name)| {
                            let colour = server_colour(name, index);
                            let name_pressed = name.clone();
                            let name_click = name.clone();
                            let note = if joined[index] { t.new_note } else { "" };
                            view! {
                                <tr data-server=index.to_string()>
                                    <th scope="row">
                                        <button
                                            type="button"
                                            class="legend-button"
                                            aria-pressed=move || (focus.get().as_deref() == Some(name_pressed.as_str())).to_string()
                                            on:click=move |_| {
                                                focus.update(|f| {
                                                    *f = if f.as_deref() == Some(name_click.as_str()) { None } else { Some(name_click.clone()) };
                                                })
                                            }
                                        >
                                            <span class="swatch" style:background=colour aria-hidden="true"></span>
                                            {format!("{}{note}", name)}
                                        </button>
                                    </th>
                                    <td>{percent(shares[index])}</td>
                                    <td>{thousands(counts[index])}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    let points = ring.points().len();
                    view! {
                        <div class="ring-layout">
                            <svg
                                class="ring"
                                viewBox="-150 -150 300 300"
                                role="img"
                                aria-label=(t.ring_label)(servers.len(), points)
                            >
                                <circle class="ring-circle" cx="0" cy="0" r="120" />
                                {groups}
                                {dots}
                                <text class="axis-label" x="0" y="-136" text-anchor="middle">"0"</text>
                            </svg>
                            <div class="table-scroll">
                                <table class="ring-legend">
                                    <caption>{t.caption}</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">{t.server}</th>
                                            <th scope="col">{t.ring}</th>
                                            <th scope="col">{t.keys}</th>
                                        </tr>
                                    </thead>
                                    <tbody>{legend}</tbody>
                                </table>
                            </div>
                        </div>
                    }
                })
            }}
        </section>
    }
}
