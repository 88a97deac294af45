//! How a message looks on the canvas: a colour *and* a shape per topic or
//! kind (never colour alone), with a legend naming each.
//!
//! The topic of a payload is read the way a learner would: the π points'
//! first two bits (the prefix the subscriptions filter on), `Y`/`N`
//! decisions, the judge's `[n, m]` requests and pythagoras's numeric
//! replies, and otherwise the first word (`weather.paris #3` →
//! `weather.paris`, `task 41` → `task`).

/// Colour-blind-safe hues (Okabe–Ito, plus two greys).
const COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#8c8c00", "#6b6b6b",
];

/// The four shapes, about 10 units across, centred on (0, 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    Circle,
    Square,
    Diamond,
    Triangle,
}

const SHAPES: [Shape; 4] = [
    Shape::Circle,
    Shape::Square,
    Shape::Diamond,
    Shape::Triangle,
];

/// The diamond's and the triangle's corners.
const DIAMOND: [(f64, f64); 4] = [(0.0, -6.0), (6.0, 0.0), (0.0, 6.0), (-6.0, 0.0)];
const TRIANGLE: [(f64, f64); 3] = [(0.0, -6.0), (5.5, 4.5), (-5.5, 4.5)];

impl Shape {
    /// The outline as SVG path data (legend, inspector).
    pub fn svg(self) -> &'static str {
        match self {
            Shape::Circle => "M-5 0a5 5 0 1 0 10 0a5 5 0 1 0 -10 0Z",
            Shape::Square => "M-4.5 -4.5h9v9h-9Z",
            Shape::Diamond => "M0 -6L6 0L0 6L-6 0Z",
            Shape::Triangle => "M0 -6L5.5 4.5H-5.5Z",
        }
    }

    /// Adds the outline, centred on (`x`, `y`) and scaled by `k`, to the
    /// context's current path: the same figure as [`Shape::svg`], so many
    /// dots go into one path and are filled and stroked at once.
    pub fn trace(self, ctx: &web_sys::CanvasRenderingContext2d, x: f64, y: f64, k: f64) {
        let corners: &[(f64, f64)] = match self {
            Shape::Circle => {
                ctx.move_to(x + 5.0 * k, y);
                let _ = ctx.arc(x, y, 5.0 * k, 0.0, std::f64::consts::TAU);
                return;
            }
            Shape::Square => {
                ctx.rect(x - 4.5 * k, y - 4.5 * k, 9.0 * k, 9.0 * k);
                return;
            }
            Shape::Diamond => &DIAMOND,
            Shape::Triangle => &TRIANGLE,
        };
        ctx.move_to(x + corners[0].0 * k, y + corners[0].1 * k);
        for &(cx, cy) in &corners[1..] {
            ctx.line_to(x + cx * k, y + cy * k);
        }
        ctx.close_path();
    }
}

/// Fixed looks for the π system's kinds, so they are always distinct.
const KNOWN: [(&str, usize); 8] = [
    ("00", 0),
    ("01", 9),
    ("10", 18),
    ("11", 27),
    ("Y", 2),
    ("N", 4),
    ("[n, m]", 11),
    ("n²+m²", 13),
];

/// A message's look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Look {
    pub topic: String,
    pub colour: &'static str,
    pub shape: Shape,
}

/// The topic of a payload: a slice of it, or a fixed name. It allocates
/// nothing, as the painter asks it for every dot in every frame.
pub fn topic_of(payload: &str) -> &str {
    let p = payload.trim();
    if p.len() >= 2 && p.bytes().all(|b| b == b'0' || b == b'1') {
        return &p[..2];
    }
    if p == "Y" || p == "N" {
        return p;
    }
    if p.starts_with('[') {
        return "[n, m]";
    }
    if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
        return "n²+m²";
    }
    let word = p.split([' ', '#']).next().unwrap_or(p);
    // At most 16 characters.
    word.char_indices()
        .nth(16)
        .map_or(word, |(end, _)| &word[..end])
}

/// The colour and shape of a topic.
pub fn style(topic: &str) -> (&'static str, Shape) {
    let index = KNOWN
        .iter()
        .find(|(t, _)| *t == topic)
        .map(|(_, i)| *i)
        .unwrap_or_else(|| hash(topic) % 32);
    (COLOURS[index % 8], SHAPES[(index / 8) % 4])
}

pub fn look(payload: &str) -> Look {
    let topic = topic_of(payload);
    let (colour, shape) = style(topic);
    Look {
        topic: topic.to_owned(),
        colour,
        shape,
    }
}

/// FNV-1a: stable across runs and platforms.
fn hash(text: &str) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h as usize
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn the_chapters_kinds_look_distinct() {
        let looks: Vec<Look> = ["0011", "0110", "1000", "1101", "Y", "N", "[1, 2]", "5"]
            .iter()
            .map(|p| look(p))
            .collect();
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert!((a.colour, a.shape) != (b.colour, b.shape), "{a:?} {b:?}");
            }
        }
        assert_eq!(topic_of("weather.paris #3"), "weather.paris");
        assert_eq!(topic_of("task 41"), "task");
        assert_eq!(
            topic_of("ünïcödé-topic-longer-than-sixteen"),
            "ünïcödé-topic-lo"
        );
        assert_eq!(topic_of(" 0110 "), "01");
    }
}
