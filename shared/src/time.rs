//! Virtual time for the simulator: an integer tick count, never a float and
//! never the wall clock.
//!
//! One tick is one **microsecond** of simulated time, so `--until 10s` is
//! 10 000 000 ticks and the chapter's `time.sleep(0.01)` is 10 000. Integers
//! keep runs identical on every platform (no rounding that differs between
//! x86_64 and wasm32), and a microsecond is fine enough for link latencies
//! while a `u64` still lasts for 584 000 years of simulated time.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, de};

use crate::lang::{Lang, Say};

/// A point in simulated time, or a span of it, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Tick(pub u64);

/// Why a duration string was refused; shown to whoever typed it (its
/// sentences, in every language, are at the end of this file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeParseError {
    Empty,
    MissingUnit(String),
    UnknownUnit { text: String, unit: String },
    NotANumber(String),
    TooFine(String),
    TooLong(String),
}

impl std::error::Error for TimeParseError {}

impl fmt::Display for TimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

impl Tick {
    pub const ZERO: Tick = Tick(0);
    pub const MAX: Tick = Tick(u64::MAX);
    /// Ticks per millisecond.
    pub const PER_MS: u64 = 1_000;
    /// Ticks per second.
    pub const PER_SEC: u64 = 1_000_000;

    pub const fn from_micros(us: u64) -> Tick {
        Tick(us)
    }
    pub const fn from_millis(ms: u64) -> Tick {
        Tick(ms.saturating_mul(Self::PER_MS))
    }
    pub const fn from_secs(s: u64) -> Tick {
        Tick(s.saturating_mul(Self::PER_SEC))
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Seconds as a float, for display and rates only (never fed back into
    /// the simulation, so float rounding cannot change a run).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / Self::PER_SEC as f64
    }
    pub const fn saturating_add(self, other: Tick) -> Tick {
        Tick(self.0.saturating_add(other.0))
    }
    pub const fn saturating_sub(self, other: Tick) -> Tick {
        Tick(self.0.saturating_sub(other.0))
    }

    /// Parses `10ms`, `1.5s`, `250us` (or `250µs`), `2min`. A bare number is
    /// refused: `10` could mean anything.
    pub fn parse(text: &str) -> Result<Tick, TimeParseError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(TimeParseError::Empty);
        }
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let unit = unit.trim();
        if number.is_empty() {
            return Err(TimeParseError::NotANumber(t.to_string()));
        }
        let scale: u64 = match unit {
            "" => return Err(TimeParseError::MissingUnit(t.to_string())),
            "us" | "µs" => 1,
            "ms" => Self::PER_MS,
            "s" => Self::PER_SEC,
            "min" | "m" => 60 * Self::PER_SEC,
            other => {
                return Err(TimeParseError::UnknownUnit {
                    text: t.to_string(),
                    unit: other.to_string(),
                });
            }
        };
        // Integer arithmetic on the decimal digits so `0.1s` is exactly
        // 100 000 ticks on every platform.
        let (whole, frac) = match number.split_once('.') {
            Some((w, f)) => (w, f),
            None => (number, ""),
        };
        if frac.contains('.') || (whole.is_empty() && frac.is_empty()) {
            return Err(TimeParseError::NotANumber(t.to_string()));
        }
        let too_long = || TimeParseError::TooLong(t.to_string());
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_long())?
        };
        let mut ticks = whole.checked_mul(scale).ok_or_else(too_long)?;
        let mut place = scale;
        for digit in frac.bytes() {
            let d = u64::from(digit - b'0');
            if !place.is_multiple_of(10) {
                if d != 0 {
                    return Err(TimeParseError::TooFine(t.to_string()));
                }
                continue;
            }
            place /= 10;
            ticks = ticks.checked_add(d * place).ok_or_else(too_long)?;
        }
        Ok(Tick(ticks))
    }
}

impl FromStr for Tick {
    type Err = TimeParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tick::parse(s)
    }
}

/// Shortest exact form: `10s`, `250ms`, `1500us`; parses back to itself.
impl fmt::Display for Tick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us != 0 && us.is_multiple_of(Self::PER_SEC) {
            write!(f, "{}s", us / Self::PER_SEC)
        } else if us != 0 && us.is_multiple_of(Self::PER_MS) {
            write!(f, "{}ms", us / Self::PER_MS)
        } else {
            write!(f, "{us}us")
        }
    }
}

/// Accepts an integer number of microseconds or a duration string, so
/// hand-written scenarios can say `"10ms"` and generated ones `10000`.
impl<'de> Deserialize<'de> for Tick {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Tick;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as \"10ms\" or an integer number of microseconds")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tick, E> {
                Ok(Tick(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tick, E> {
                u64::try_from(v)
                    .map(Tick)
                    .map_err(|_| E::custom("a duration cannot be negative"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tick, E> {
                Tick::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A duration mistake in words. Units (`ms`, `us`, `min`) and the
/// learner's own text stay as written: they are what to type.
impl Say for TimeParseError {
    fn say(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, TimeParseError::Empty) => {
                "empty duration; write e.g. `10ms`, `1.5s` or `250us`".into()
            }
            (Lang::En, TimeParseError::MissingUnit(text)) => {
                format!(
                    "duration `{text}` has no unit; write e.g. `{text}ms` (units: us, ms, s, min)"
                )
            }
            (Lang::En, TimeParseError::UnknownUnit { text, unit }) => {
                format!("duration `{text}` has an unknown unit `{unit}` (units: us, ms, s, min)")
            }
            (Lang::En, TimeParseError::NotANumber(text)) => {
                format!("duration `{text}` is not a number followed by a unit, e.g. `10ms`")
            }
            (Lang::En, TimeParseError::TooFine(text)) => {
                format!("duration `{text}` is finer than a microsecond, the simulator's tick")
            }
            (Lang::En, TimeParseError::TooLong(text)) => format!("duration `{text}` is too long"),
            (Lang::Zh, TimeParseError::Empty) => {
                "时长是空的；请写成 `10ms`、`1.5s` 或 `250us` 这样的形式".into()
            }
            (Lang::Zh, TimeParseError::MissingUnit(text)) => {
                format!(
                    "时长 `{text}` 没有单位；请写成 `{text}ms` 这样的形式（单位：us、ms、s、min）"
                )
            }
            (Lang::Zh, TimeParseError::UnknownUnit { text, unit }) => {
                format!("时长 `{text}` 的单位 `{unit}` 不认识（单位：us、ms、s、min）")
            }
            (Lang::Zh, TimeParseError::NotANumber(text)) => {
                format!("时长 `{text}` 不是“数字加单位”的形式，例如 `10ms`")
            }
            (Lang::Zh, TimeParseError::TooFine(text)) => {
                format!("时长 `{text}` 比一微秒（模拟器的最小时间单位）还细")
            }
            (Lang::Zh, TimeParseError::TooLong(text)) => format!("时长 `{text}` 太长了"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_exactly() {
        assert_eq!(Tick::parse("10s"), Ok(Tick(10_000_000)));
        assert_eq!(Tick::parse("10ms"), Ok(Tick(10_000)));
        assert_eq!(Tick::parse("1.5s"), Ok(Tick(1_500_000)));
        assert_eq!(Tick::parse("0.1s"), Ok(Tick(100_000)));
        assert_eq!(Tick::parse("250us"), Ok(Tick(250)));
        assert_eq!(Tick::parse("2min"), Ok(Tick(120_000_000)));
        assert_eq!(Tick::parse(".5ms"), Ok(Tick(500)));
    }

    #[test]
    fn refuses_nonsense() {
        assert_eq!(
            Tick::parse("10"),
            Err(TimeParseError::MissingUnit("10".into()))
        );
        assert!(matches!(
            Tick::parse("10h"),
            Err(TimeParseError::UnknownUnit { .. })
        ));
        assert!(matches!(
            Tick::parse("0.5us"),
            Err(TimeParseError::TooFine(_))
        ));
        assert!(matches!(
            Tick::parse("ms"),
            Err(TimeParseError::NotANumber(_))
        ));
        assert!(matches!(
            Tick::parse("1.2.3s"),
            Err(TimeParseError::NotANumber(_))
        ));
        assert!(matches!(
            Tick::parse("99999999999999999999s"),
            Err(TimeParseError::TooLong(_))
        ));
        assert_eq!(Tick::parse(""), Err(TimeParseError::Empty));
    }

    #[test]
    fn mistakes_say_themselves_in_both_languages_keeping_what_was_typed() {
        let mistake = Tick::parse("10").unwrap_err();
        assert!(mistake.to_string().contains("no unit"), "{mistake}");
        let zh = mistake.say(Lang::Zh);
        assert!(zh.contains("`10`") && zh.contains("单位"), "{zh}");
    }

    #[test]
    fn display_round_trips() {
        for t in [0, 1, 999, 1000, 1500, 10_000, 1_000_000, 2_500_000] {
            let text = Tick(t).to_string();
            assert_eq!(Tick::parse(&text), Ok(Tick(t)), "{text}");
        }
    }

    #[test]
    fn deserializes_numbers_and_strings() {
        let t: Tick = serde_json::from_str("\"10ms\"").unwrap();
        assert_eq!(t, Tick(10_000));
        let t: Tick = serde_json::from_str("42").unwrap();
        assert_eq!(t, Tick(42));
        assert!(serde_json::from_str::<Tick>("-1").is_err());
    }
}
