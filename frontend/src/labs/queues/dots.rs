//! The messages in flight, painted on a `<canvas>` laid over the SVG.
//!
//! Everything else on the canvas is SVG, drawn by Leptos views. The dots
//! are not, for speed: a thousand messages in flight over fast links are
//! a thousand different messages a few frames later. As one component
//! per dot, every frame re-ran a thousand sets of render effects (and
//! Leptos unsubscribes each from a list holding all the others, so the
//! cost grew with the square of the dots): 5 frames/s. As a pool of SVG
//! groups moved by one effect, the browser still re-recorded and
//! re-rasterised the whole SVG, cards and text included, every frame.
//! Painted here, a frame is one pass over `Motion::wire` into a bitmap on its
//! own layer, and the SVG under it only repaints what changed in it.
//!
//! The canvas takes no pointer events, so cards, ports and pipes under it
//! work as before; the canvas component's handlers ask [`dot_at`] which
//! message is under the pointer, to select it (a click) or describe it
//! (a tooltip with the payload).

use fanout_shared::{sim::WireMsg, socket::MsgId, time::Tick};
use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use super::{
    QueueLab,
    canvas::{Geo, at},
    topics::{self, Shape},
};

/// Dots are about 12 units across; a pointer this close picks one.
const PICK_RADIUS: f64 = 8.0;

/// Where `wire` is drawn at virtual time `now`: along its pipe's curve by
/// the share of its trip already done. `None` while its pipe is not drawn.
pub fn dot_position(wire: &WireMsg, now: Tick, geo: &Geo) -> Option<(f64, f64)> {
    let link = geo.links.get(&wire.conn)?;
    let span = wire.arrives.0.saturating_sub(wire.left.0).max(1) as f64;
    let done = now.0.saturating_sub(wire.left.0) as f64 / span;
    Some(at(&link.pipe_curve(wire.dir), done.clamp(0.02, 0.98)))
}

/// The message drawn nearest to `point` (SVG units), if one is within
/// reach. Later dots are painted on top, so they win ties.
pub fn dot_at(wires: &[WireMsg], now: Tick, geo: &Geo, point: (f64, f64)) -> Option<WireMsg> {
    let mut best: Option<(f64, &WireMsg)> = None;
    for wire in wires {
        let Some((x, y)) = dot_position(wire, now, geo) else {
            continue;
        };
        let d2 = (x - point.0).powi(2) + (y - point.1).powi(2);
        if d2 <= PICK_RADIUS * PICK_RADIUS && best.is_none_or(|(b, _)| d2 <= b) {
            best = Some((d2, wire));
        }
    }
    best.map(|(_, w)| w.clone())
}

/// The hover text of a dot: id, payload and topic.
pub fn describe(wire: &WireMsg) -> String {
    format!(
        "{} {:?} ({})",
        wire.msg,
        wire.payload.as_str(),
        topics::topic_of(&wire.payload)
    )
}

/// What the painter keeps between frames.
struct Painter {
    ctx: CanvasRenderingContext2d,
    /// The bitmap's size in SVG units (the canvas is stretched by CSS to
    /// the SVG's box, as the SVG's viewBox is), and its pixels per unit.
    size: (f64, f64),
    scale: f64,
    /// The page's outline colours (`--surface` around every dot, `--text`
    /// around the selected one), read from CSS when the layout changes.
    outline: String,
    focus_outline: String,
    /// The colour scheme the outlines were read for (see [`scheme_changes`]).
    scheme: u32,
    /// Each look's dot, painted once into a small bitmap of its own and
    /// copied (`drawImage`) to every place it is on the wire: one cheap
    /// call per dot instead of a path to fill and stroke. Emptied by `fit`.
    sprites: Vec<Sprite>,
}

/// A dot of one look, ready to copy.
struct Sprite {
    colour: &'static str,
    shape: Shape,
    bitmap: web_sys::HtmlCanvasElement,
}

/// A sprite's side in SVG units: the largest shape (12 across) with its
/// outline and a margin.
const SPRITE_UNITS: f64 = 16.0;

/// Device pixels per SVG unit: sharp on high-density screens, at most 2.
fn density() -> f64 {
    window().device_pixel_ratio().clamp(1.0, 2.0)
}

impl Painter {
    fn new(canvas: &web_sys::HtmlCanvasElement) -> Option<Painter> {
        // `desynchronized`: the bitmap goes to the screen without a copy
        // through the compositor's commit, which cost ~5 ms a frame in
        // Chromium's software compositing (docs/BENCHMARKS.md).
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"desynchronized".into(), &true.into());
        let ctx = canvas
            .get_context_with_context_options("2d", &options)
            .ok()??
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        Some(Painter {
            ctx,
            size: (0.0, 0.0),
            scale: 0.0,
            outline: String::new(),
            focus_outline: String::new(),
            scheme: 0,
            sprites: Vec::new(),
        })
    }

    /// The index of a look's sprite, painted on first use.
    fn sprite(&mut self, colour: &'static str, shape: Shape) -> Option<usize> {
        Some(
            match self
                .sprites
                .iter()
                .position(|s| s.colour == colour && s.shape == shape)
            {
                Some(index) => index,
                None => {
                    let side = (SPRITE_UNITS * self.scale).ceil();
                    let bitmap = document()
                        .create_element("canvas")
                        .ok()?
                        .dyn_into::<web_sys::HtmlCanvasElement>()
                        .ok()?;
                    bitmap.set_width(side as u32);
                    bitmap.set_height(side as u32);
                    let ctx = bitmap
                        .get_context("2d")
                        .ok()??
                        .dyn_into::<CanvasRenderingContext2d>()
                        .ok()?;
                    ctx.begin_path();
                    shape.trace(&ctx, side / 2.0, side / 2.0, self.scale);
                    ctx.set_fill_style_str(colour);
                    ctx.fill();
                    ctx.set_line_width(self.scale);
                    ctx.set_stroke_style_str(&self.outline);
                    ctx.stroke();
                    self.sprites.push(Sprite {
                        colour,
                        shape,
                        bitmap,
                    });
                    self.sprites.len() - 1
                }
            },
        )
    }

    /// Matches the bitmap to the SVG's user space and the screen's
    /// density, and rereads the outline colours when the layout or the
    /// colour scheme (`scheme`, a count of its changes) changed.
    fn fit(&mut self, canvas: &web_sys::HtmlCanvasElement, geo: &Geo, scheme: u32) {
        let size = (geo.width, geo.height);
        let scale = density();
        if size == self.size && scale == self.scale && scheme == self.scheme {
            return;
        }
        self.scheme = scheme;
        self.size = size;
        self.scale = scale;
        canvas.set_width((geo.width * scale).ceil() as u32);
        canvas.set_height((geo.height * scale).ceil() as u32);
        let css = window().get_computed_style(canvas).ok().flatten();
        let read = |name: &str, fallback: &str| {
            css.as_ref()
                .and_then(|c| c.get_property_value(name).ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_string())
        };
        self.outline = read("--surface", "#ffffff");
        self.focus_outline = read("--text", "#1a1a1a");
        self.sprites.clear();
    }

    /// Paints every message on the wire; returns how many were drawn.
    fn paint(&mut self, wires: &[WireMsg], now: Tick, geo: &Geo, focus: Option<MsgId>) -> usize {
        let k = self.scale;
        self.ctx.clear_rect(0.0, 0.0, geo.width * k, geo.height * k);
        // Sprites are placed on whole pixels: crisp, and a plain copy.
        let half = (SPRITE_UNITS * k).ceil() / 2.0;
        let mut drawn = 0;
        let mut focused = None;
        for wire in wires {
            let Some((x, y)) = dot_position(wire, now, geo) else {
                continue;
            };
            let (colour, shape) = topics::style(topics::topic_of(&wire.payload));
            if focus == Some(wire.msg) {
                focused = Some((x * k, y * k, colour, shape));
                continue;
            }
            let Some(sprite) = self.sprite(colour, shape) else {
                continue;
            };
            let _ = self.ctx.draw_image_with_html_canvas_element(
                &self.sprites[sprite].bitmap,
                (x * k - half).round(),
                (y * k - half).round(),
            );
            drawn += 1;
        }
        // The selected message last, on top, with a heavy outline.
        if let Some((x, y, colour, shape)) = focused {
            let ctx = &self.ctx;
            ctx.begin_path();
            shape.trace(ctx, x, y, k);
            ctx.set_fill_style_str(colour);
            ctx.set_line_width(2.5 * k);
            ctx.set_stroke_style_str(&self.focus_outline);
            ctx.fill();
            ctx.stroke();
            drawn += 1;
        }
        drawn
    }
}

/// Counts the reader's switches between light and dark (the page follows
/// `prefers-color-scheme` unless `?theme=` fixes it), so the painter
/// rereads its colours from CSS: the SVG follows by itself, the bitmap
/// would keep the old outlines.
fn scheme_changes() -> ReadSignal<u32> {
    let (changes, set_changes) = signal(1u32);
    if let Ok(Some(query)) = window().match_media("(prefers-color-scheme: dark)") {
        let on_change = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            set_changes.update(|n| *n += 1);
        });
        let _ =
            query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        // The listener is removed with the lab; the closure lives as long.
        let listener = on_change.into_js_value();
        on_cleanup(move || {
            let _ = query.remove_event_listener_with_callback("change", listener.unchecked_ref());
        });
    }
    changes
}

/// The canvas the messages are painted on, repainted whenever they move
/// (`QueueLab::motion`: every frame while playing), the layout or the selection
/// changes.
#[component]
pub fn Dots(lab: QueueLab, geo: Memo<Geo>, focus_msg: Memo<Option<MsgId>>) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let scheme = scheme_changes();
    Effect::new(move |painter: Option<Option<Painter>>| {
        let Some(el) = canvas.get() else {
            return painter.flatten();
        };
        let mut painter = painter.flatten().or_else(|| Painter::new(&el))?;
        let focus = focus_msg.get();
        let drawn = lab.motion.with(|motion| {
            geo.with(|geo| {
                painter.fit(&el, geo, scheme.get());
                painter.paint(&motion.wire, motion.now, geo, focus)
            })
        });
        // For tests and benchmarks: how many dots this frame shows.
        let _ = el.set_attribute("data-dots", &drawn.to_string());
        Some(painter)
    });
    view! { <canvas class="message-layer" node_ref=canvas aria-hidden="true"></canvas> }
}

#[cfg(test)]
mod tests {
    use fanout_shared::sim::timeline::ScenarioRef;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::labs::queues::{
        runner::Runner,
        snap::{Motion, Snap},
    };

    #[wasm_bindgen_test]
    fn a_dot_is_picked_where_it_is_drawn() {
        let mut runner = Runner::new(ScenarioRef::Preset("pipeline".into()), 1).unwrap();
        // Step until several messages are on the wires (the e2e test sees
        // one at event 60).
        let (motion, geo, on_wire) = loop {
            assert!(runner.step(), "pipeline keeps going");
            let geo = crate::labs::queues::canvas::geometry_of(&Snap::of(&runner));
            let motion = Motion::of(&runner);
            let on_wire: Vec<_> = motion
                .wire
                .iter()
                .filter_map(|w| Some((w.clone(), dot_position(w, motion.now, &geo)?)))
                .collect();
            if on_wire.len() >= 2 {
                break (motion, geo, on_wire);
            }
            assert!(
                runner.steps() < 5_000,
                "pipeline never had 2 messages in flight"
            );
        };
        for (wire, (x, y)) in on_wire {
            let picked = dot_at(&motion.wire, motion.now, &geo, (x + 2.0, y - 2.0))
                .expect("a click on a dot picks a message");
            let (px, py) = dot_position(&picked, motion.now, &geo).unwrap();
            assert!(
                (px - x).abs() + (py - y).abs() <= 2.0 * PICK_RADIUS,
                "{} picked for {} at ({x}, {y})",
                picked.msg,
                wire.msg
            );
        }
        assert_eq!(
            dot_at(&motion.wire, motion.now, &geo, (-100.0, -100.0)),
            None
        );
    }
}
