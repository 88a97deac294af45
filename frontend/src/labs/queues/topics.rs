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

/// Shape outlines centred on (0, 0), about 10 px across.
const SHAPES: [&str; 4] = [
    "M-5 0a5 5 0 1 0 10 0a5 5 0 1 0 -10 0Z",
    "M-4.5 -4.5h9v9h-9Z",
    "M0 -6L6 0L0 6L-6 0Z",
    "M0 -6L5.5 4.5H-5.5Z",
];

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
    pub shape: &'static str,
}

pub fn topic_of(payload: &str) -> String {
    let p = payload.trim();
    if p.len() >= 2 && p.bytes().all(|b| b == b'0' || b == b'1') {
        return p[..2].to_string();
    }
    if p == "Y" || p == "N" {
        return p.to_string();
    }
    if p.starts_with('[') {
        return "[n, m]".to_string();
    }
    if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
        return "n²+m²".to_string();
    }
    let word = p.split([' ', '#']).next().unwrap_or(p);
    word.chars().take(16).collect()
}

pub fn look(payload: &str) -> Look {
    let topic = topic_of(payload);
    let index = KNOWN
        .iter()
        .find(|(t, _)| *t == topic)
        .map(|(_, i)| *i)
        .unwrap_or_else(|| hash(&topic) % 32);
    Look {
        colour: COLOURS[index % 8],
        shape: SHAPES[(index / 8) % 4],
        topic,
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
    }
}
