//! Section 5: the consistent-hashing ring drawn as ketama builds it. Every
//! tick is one of a server's points; a key (a dot inside the ring) belongs
//! to the first tick clockwise from it. Fewer points per server make the
//! arcs, and so the shares, less even: the learner can try.

use std::f64::consts::PI;

use fanout_shared::shard::{Scheme, ketama::key_hash};
use leptos::prelude::*;

use super::{
    Lab, Phase,
    model::{percent, sample, server_label, thousands},
};
use crate::i18n::{Lang, use_lang};

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

/// Strings of the ring section.
#[derive(Debug)]
struct RingTexts {
    title: &'static str,
    hint: &'static str,
    points_label: &'static str,
    /// The option for libmemcached's 160 points.
    default_points: &'static str,
    showing_before: &'static str,
    showing_after: &'static str,
    /// Servers and points in all: the drawing's label.
    ring_label: fn(usize, usize) -> String,
    /// After a server that joined, in the legend.
    new_note: &'static str,
    caption: &'static str,
    server: &'static str,
    ring: &'static str,
    keys: &'static str,
}

const EN: RingTexts = RingTexts {
    title: "5. The consistent-hashing ring",
    hint: "Each tick is a point a server placed on the ring by hashing \"host:port-i\" with md5; \
           each dot inside is a key at md5(key). A key belongs to the first tick clockwise. \
           Even 160 points per server leave the shares a few percent apart; try fewer points \
           to see the ring turn lopsided. Pick a server below to see only its points.",
    points_label: "Points per server: ",
    default_points: "160 (libmemcached's default)",
    showing_before: "Showing the ring before the change.",
    showing_after: "Showing the ring after the change.",
    ring_label: |servers, points| {
        format!(
            "The ketama ring: {servers} servers, {points} points in all; the table beside it \
             gives each server's share"
        )
    },
    new_note: " (new: long ticks)",
    caption: "Share of the ring and keys per server",
    server: "Server (press to show only its points)",
    ring: "Ring",
    keys: "Keys",
};

const ZH: RingTexts = RingTexts {
    title: "5. 一致性散列环",
    hint: "每个刻度是一台服务器用 md5 散列 \"host:port-i\" 后放到环上的一个点；\
           环内的每个圆点是位于 md5(key) 处的一个键。键属于顺时针方向遇到的第一个刻度。\
           即使每台服务器放 160 个点，各服务器的份额仍会相差几个百分点；试试更少的点，\
           看环变得多不均匀。在下面选一台服务器，就只显示它的点。",
    points_label: "每台服务器的点数：",
    default_points: "160（libmemcached 的默认值）",
    showing_before: "显示变化之前的环。",
    showing_after: "显示变化之后的环。",
    ring_label: |servers, points| {
        format!("ketama 环：{servers} 台服务器，共 {points} 个点；旁边的表格列出每台服务器的份额")
    },
    new_note: "（新加入：长刻度）",
    caption: "每台服务器在环上的份额和键数",
    server: "服务器（按下只显示它的点）",
    ring: "环上份额",
    keys: "键数",
};

fn texts(lang: Lang) -> &'static RingTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

#[component]
pub fn RingSection(lab: Lab) -> impl IntoView {
    let lang = use_lang();
    let t = move || texts(lang.get());
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
