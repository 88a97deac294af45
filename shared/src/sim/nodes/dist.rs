//! Random durations for rates and service times, written in scenarios as
//! `"2ms"` (constant), `{"uniform": {"min": "1ms", "max": "3ms"}}` or
//! `{"exponential": {"mean": "2ms"}}`, and by people as `2ms`, `1ms-3ms` or
//! `exp 2ms` ([`Dist::read`]). Drawn from the node's own [`SimRng`]
//! stream, so they are reproducible.

use std::fmt;

use serde::{
    Deserialize, Deserializer, Serialize,
    de::{self, MapAccess, value::MapAccessDeserializer},
};

use crate::{
    json::DecodeError,
    lang::{Lang, Say},
    rng::SimRng,
    time::{Tick, TimeParseError},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dist {
    Constant(Tick),
    Uniform { min: Tick, max: Tick },
    Exponential { mean: Tick },
}

impl Default for Dist {
    fn default() -> Self {
        Dist::Constant(Tick::ZERO)
    }
}

impl Dist {
    pub fn sample(&self, rng: &mut SimRng) -> Tick {
        match *self {
            Dist::Constant(t) => t,
            Dist::Uniform { min, max } => Tick(rng.between(min.0, max.0)),
            Dist::Exponential { mean } => Tick(rng.exponential(mean.0)),
        }
    }

    /// The average, for summaries.
    pub fn mean(&self) -> Tick {
        match *self {
            Dist::Constant(t) => t,
            Dist::Uniform { min, max } => Tick(min.0 / 2 + max.0 / 2),
            Dist::Exponential { mean } => mean,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.mean() == Tick::ZERO && !matches!(self, Dist::Uniform { max, .. } if *max > Tick::ZERO)
    }
}

/// Why a distribution written by a person was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DistError {
    /// One of its durations.
    Duration(TimeParseError),
    MinAboveMax {
        min: Tick,
        max: Tick,
    },
    /// The scenario JSON form (`{"uniform": …}`) did not decode.
    Json(DecodeError),
}

impl std::error::Error for DistError {}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

impl Say for DistError {
    fn say(&self, lang: Lang) -> String {
        match (lang, self) {
            (_, DistError::Duration(error)) => error.say(lang),
            (_, DistError::Json(error)) => error.say(lang),
            (Lang::En, DistError::MinAboveMax { min, max }) => {
                format!("uniform min {min} is above max {max}")
            }
            (Lang::Zh, DistError::MinAboveMax { min, max }) => {
                format!("均匀分布的下限 {min} 大于上限 {max}")
            }
        }
    }
}

impl From<TimeParseError> for DistError {
    fn from(error: TimeParseError) -> Self {
        DistError::Duration(error)
    }
}

impl Dist {
    /// Reads a distribution the way people write it: `2ms` (constant),
    /// `1ms-3ms` or `uniform 1ms–3ms`, `exp 2ms` or `exponential, mean 2ms`
    /// (what [`Display`](fmt::Display) writes), or the scenario JSON form.
    pub fn read(text: &str) -> Result<Dist, DistError> {
        let t = text.trim();
        if t.starts_with('{') {
            return crate::json::decode_str(t).map_err(DistError::Json);
        }
        let lower = t.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("exponential")
            .or_else(|| lower.strip_prefix("exp"));
        if let Some(rest) = rest {
            let mean = rest
                .trim_start_matches([',', ' '])
                .trim_start_matches("mean")
                .trim();
            return Ok(Dist::Exponential {
                mean: Tick::parse(mean)?,
            });
        }
        let body = lower.strip_prefix("uniform").unwrap_or(&lower).trim();
        let parts: Vec<&str> = body.split(['–', '—']).collect();
        let parts = if parts.len() == 2 {
            parts
        } else {
            body.splitn(2, "..").collect::<Vec<_>>()
        };
        let parts = if parts.len() == 2 {
            parts
        } else {
            body.splitn(2, '-').collect()
        };
        match parts[..] {
            [min, max] => {
                let (min, max) = (Tick::parse(min)?, Tick::parse(max)?);
                if min > max {
                    return Err(DistError::MinAboveMax { min, max });
                }
                Ok(Dist::Uniform { min, max })
            }
            _ => Ok(Dist::Constant(Tick::parse(body)?)),
        }
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dist::Constant(t) => write!(f, "{t}"),
            Dist::Uniform { min, max } => write!(f, "uniform {min}–{max}"),
            Dist::Exponential { mean } => write!(f, "exponential, mean {mean}"),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Shaped {
    Constant(Tick),
    Uniform { min: Tick, max: Tick },
    Exponential { mean: Tick },
}

/// A plain duration means constant; an object names its shape. Written by
/// hand so a typo gets a precise message, not "did not match any variant".
impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Dist;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a duration (\"2ms\") or {\"uniform\": {\"min\": …, \"max\": …}} or {\"exponential\": {\"mean\": …}}",
                )
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dist, E> {
                Ok(Dist::Constant(Tick(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dist, E> {
                u64::try_from(v)
                    .map(|v| Dist::Constant(Tick(v)))
                    .map_err(|_| E::custom("a duration cannot be negative"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dist, E> {
                Tick::parse(v).map(Dist::Constant).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Dist, A::Error> {
                let shaped = Shaped::deserialize(MapAccessDeserializer::new(map))?;
                Ok(match shaped {
                    Shaped::Constant(t) => Dist::Constant(t),
                    Shaped::Uniform { min, max } => {
                        if min > max {
                            return Err(de::Error::custom(DistError::MinAboveMax { min, max }));
                        }
                        Dist::Uniform { min, max }
                    }
                    Shaped::Exponential { mean } => Dist::Exponential { mean },
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_shape() {
        let d: Dist = serde_json::from_str("\"2ms\"").unwrap();
        assert_eq!(d, Dist::Constant(Tick(2000)));
        let d: Dist = serde_json::from_str(r#"{"uniform": {"min": "1ms", "max": "3ms"}}"#).unwrap();
        assert_eq!(
            d,
            Dist::Uniform {
                min: Tick(1000),
                max: Tick(3000)
            }
        );
        let d: Dist = serde_json::from_str(r#"{"exponential": {"mean": 500}}"#).unwrap();
        assert_eq!(d, Dist::Exponential { mean: Tick(500) });
        let back: Dist = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn refuses_bad_shapes() {
        let e = serde_json::from_str::<Dist>(r#"{"normal": {"mean": 5}}"#).unwrap_err();
        assert!(e.to_string().contains("normal"), "{e}");
        let e = serde_json::from_str::<Dist>(r#"{"uniform": {"min": "3ms", "max": "1ms"}}"#)
            .unwrap_err();
        assert!(e.to_string().contains("above"), "{e}");
    }

    /// Moved from the queue lab's inspector, where people type them.
    #[test]
    fn distributions_are_read_as_written() {
        let parse_dist = Dist::read;
        assert_eq!(parse_dist("2ms"), Ok(Dist::Constant(Tick(2000))));
        let uniform = Dist::Uniform {
            min: Tick(1000),
            max: Tick(3000),
        };
        assert_eq!(parse_dist("1ms-3ms"), Ok(uniform));
        assert_eq!(parse_dist("uniform 1ms–3ms"), Ok(uniform));
        assert_eq!(parse_dist(&uniform.to_string()), Ok(uniform));
        let exp = Dist::Exponential { mean: Tick(2000) };
        assert_eq!(parse_dist("exp 2ms"), Ok(exp));
        assert_eq!(parse_dist(&exp.to_string()), Ok(exp));
        assert!(parse_dist("10").unwrap_err().to_string().contains("unit"));
        assert!(parse_dist("3ms-1ms").is_err());
    }

    #[test]
    fn written_distributions_are_refused_as_typed_facts() {
        assert_eq!(
            Dist::read("3ms-1ms"),
            Err(DistError::MinAboveMax {
                min: Tick(3000),
                max: Tick(1000)
            })
        );
        assert!(matches!(
            Dist::read("10"),
            Err(DistError::Duration(TimeParseError::MissingUnit(_)))
        ));
        assert!(Dist::read(r#"{"uniform": {"min": "3ms", "max": "1ms"}}"#).is_err());
        assert_eq!(
            Dist::read(r#"{"uniform": {"min": "1ms", "max": "3ms"}}"#),
            Ok(Dist::Uniform {
                min: Tick(1000),
                max: Tick(3000)
            })
        );
    }
}
