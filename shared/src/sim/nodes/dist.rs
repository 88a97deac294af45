//! Random durations for rates and service times, written in scenarios as
//! `"2ms"` (constant), `{"uniform": {"min": "1ms", "max": "3ms"}}` or
//! `{"exponential": {"mean": "2ms"}}`. Drawn from the node's own
//! [`SimRng`] stream, so they are reproducible.

use std::fmt;

use serde::{
    Deserialize, Deserializer, Serialize,
    de::{self, MapAccess, value::MapAccessDeserializer},
};

use crate::{rng::SimRng, time::Tick};

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
                            return Err(de::Error::custom(format!(
                                "uniform min {min} is above max {max}"
                            )));
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
}
