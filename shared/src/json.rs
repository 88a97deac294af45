//! One way to turn JSON into the engine's and protocol's types, everywhere.
//!
//! Every decode goes through [`decode`]: a `serde_json::Value` read, with
//! fanout-shared's `path-errors` feature (the server's, the tests'), by
//! `serde_path_to_error`, so a mistake is reported with the path of the
//! field at fault (`nodes[2].sockets[0].type`). Using one deserializer
//! type also matters for the browser's download: serde generates each
//! type's decoding code once per deserializer it is used with, and the
//! wasm carried the scenario, event and frame decoders three times over
//! (from text, from a `Value`, and path-tracked). The pages are built
//! without `path-errors`: they read a `Value` as `serde_json::from_value`
//! does, the one copy the rest of the page uses too, and say serde's words
//! without the path (13.6 KB gzip less on the reliability page).
//!
//! The same concern shapes [`decode_tagged!`]: the typed refusals an
//! `error` frame carries (dozens of variants, tagged by a field such as
//! `code`) decode through one small map reader instead of serde's derived
//! visitors, which cost the browser's wasm 38 KB gzip for them alone.

use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use serde_json::{Map, Value};

use crate::{
    lang::{Lang, Say},
    protocol::FieldProblem,
};

/// A value that does not have the expected shape. Its sentences, in every
/// language, are below; serde's own words (`message`) are quoted as they
/// are, like a tool's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Where in the value (`nodes[2].sockets[0].type`; `.` for the top).
    pub path: String,
    /// serde's (or the JSON reader's) own words.
    pub message: String,
    /// Where the text stopped being JSON (line and column, from 1), when
    /// it is not JSON at all.
    pub syntax: Option<(usize, usize)>,
}

impl std::error::Error for DecodeError {}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

impl DecodeError {
    /// The path as a prefix for a sentence, if it says anything.
    fn place(&self) -> Option<&str> {
        (!self.path.is_empty() && self.path != ".").then_some(self.path.as_str())
    }
}

impl Say for DecodeError {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self.place() {
                Some(path) => format!("{path}: {}", self.message),
                None => self.message.clone(),
            },
            Lang::Zh => {
                if let Some((line, column)) = self.syntax {
                    return format!("不是合法的 JSON（第 {line} 行第 {column} 列出错）");
                }
                let place = self
                    .place()
                    .map(|path| format!("`{path}`："))
                    .unwrap_or_default();
                match FieldProblem::read(&self.message) {
                    (FieldProblem::Missing, Some(field)) => format!("{place}缺少字段 `{field}`"),
                    (FieldProblem::Unknown, Some(field)) => {
                        format!("{place}没有名为 `{field}` 的字段")
                    }
                    (FieldProblem::Duplicate, Some(field)) => {
                        format!("{place}字段 `{field}` 出现了两次")
                    }
                    _ => format!("{place}值不对（serde 的原话：{}）", self.message),
                }
            }
        }
    }
}

/// Decodes `value` as a `T`, naming the offending field on failure (with
/// `path-errors`; without it the path is empty).
pub fn decode<T: DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    tracked(value).map_err(|(path, e)| DecodeError {
        path,
        message: e.to_string(),
        syntax: None,
    })
}

/// Reads `value` as a `T`; on failure, the path of the field at fault
/// (`.` for the top; empty without `path-errors`) and serde's error.
pub(crate) fn tracked<T: DeserializeOwned>(value: Value) -> Result<T, (String, serde_json::Error)> {
    #[cfg(feature = "path-errors")]
    let read =
        serde_path_to_error::deserialize(value).map_err(|e| (e.path().to_string(), e.into_inner()));
    #[cfg(not(feature = "path-errors"))]
    let read = serde_json::from_value(value).map_err(|e| (String::new(), e));
    read
}

/// Parses `text` as JSON and decodes it as a `T`.
pub fn decode_str<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    decode(parse(text)?)
}

/// Parses `text` as JSON, whatever its shape.
pub fn parse(text: &str) -> Result<Value, DecodeError> {
    serde_json::from_str(text).map_err(|e| DecodeError {
        path: String::new(),
        syntax: (e.is_syntax() || e.is_eof()).then(|| (e.line(), e.column())),
        message: e.to_string(),
    })
}

/// `value` as indented JSON text, exactly as `serde_json::to_string_pretty`
/// writes it: written compactly, then indented ([`pretty`]). A page that
/// writes both ways links every type's serialiser twice (once per
/// formatter); this way it links one, and the indenting once.
pub fn to_pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value)
        .map(|text| pretty(&text))
        .unwrap_or_default()
}

/// Indents compact JSON text (no whitespace outside strings, as
/// `serde_json::to_string` writes it) the way serde_json's pretty
/// formatter does: two spaces a level, `": "` after a key, `[]` and `{}`
/// when empty.
pub fn pretty(compact: &str) -> String {
    fn newline(out: &mut String, depth: usize) {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    let mut out = String::with_capacity(compact.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chars = compact.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if let Some(close @ ('}' | ']')) = chars.peek().copied() {
                    chars.next();
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

/// The fields of one internally tagged fact (`{"code": "no_node",
/// "node": "x"}`), read once into a map, for [`decode_tagged!`]. Only
/// [`TaggedFields::read`] depends on the deserializer; the rest is plain
/// code, compiled once however many formats read the fact.
#[derive(Debug)]
pub struct TaggedFields {
    tag: String,
    fields: Map<String, Value>,
}

impl TaggedFields {
    /// Reads a map and takes its tag (the field named `tag_key`) out.
    pub fn read<'de, D: Deserializer<'de>>(
        deserializer: D,
        tag_key: &'static str,
    ) -> Result<TaggedFields, D::Error> {
        let mut fields = Map::deserialize(deserializer)?;
        match fields.remove(tag_key) {
            Some(Value::String(tag)) => Ok(TaggedFields { tag, fields }),
            Some(_) => Err(serde::de::Error::custom(format!(
                "field `{tag_key}` must be a string"
            ))),
            None => Err(serde::de::Error::missing_field(tag_key)),
        }
    }

    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Takes one field's value; a missing field is `null` to an `Option`
    /// (as serde's derive has it) and an error to anything else.
    pub fn take<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<T, String> {
        match self.fields.remove(name) {
            Some(value) => {
                serde_json::from_value(value).map_err(|e| format!("field `{name}`: {e}"))
            }
            None => {
                serde_json::from_value(Value::Null).map_err(|_| format!("missing field `{name}`"))
            }
        }
    }

    /// Takes one field's value through [`decode`], the path-tracked
    /// reader: for a field whose type a page also reads from a file or a
    /// link (a room's `recording`), so that page links one decoder of that
    /// type, not two (one per deserializer), and a mistake is named by its
    /// path inside the field.
    pub fn take_tracked<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<T, String> {
        let value = self.fields.remove(name).unwrap_or(Value::Null);
        decode(value).map_err(|e| format!("field `{name}`: {e}"))
    }

    /// Leaves one field unread (its area is not read here), giving the
    /// type's default.
    pub fn skip<T: Default>(&mut self, name: &'static str) -> T {
        self.fields.remove(name);
        T::default()
    }

    /// The same fields read as a fact nested in a newtype variant (serde
    /// writes `Fault(FaultEvent)` tagged `"type"` as one map holding the
    /// inner fact's own tag too): the inner tag, `tag_key`, taken out.
    pub fn nested(mut self, tag_key: &'static str) -> Result<TaggedFields, String> {
        match self.fields.remove(tag_key) {
            Some(Value::String(tag)) => Ok(TaggedFields {
                tag,
                fields: self.fields,
            }),
            Some(_) => Err(format!("field `{tag_key}` must be a string")),
            None => Err(format!("missing field `{tag_key}`")),
        }
    }

    /// Takes one field's value, or the type's default when it is missing
    /// (serde's `#[serde(default)]`).
    pub fn take_or_default<T: DeserializeOwned + Default>(
        &mut self,
        name: &'static str,
    ) -> Result<T, String> {
        match self.fields.remove(name) {
            Some(value) => {
                serde_json::from_value(value).map_err(|e| format!("field `{name}`: {e}"))
            }
            None => Ok(T::default()),
        }
    }

    /// Refuses a field the variant does not have, in serde's words
    /// (`deny_unknown_fields`): `expected` are the variant's fields.
    pub fn only(&self, expected: &'static [&'static str]) -> Result<(), String> {
        match self
            .fields
            .keys()
            .find(|key| !expected.contains(&key.as_str()))
        {
            Some(field) => Err(<serde_json::Error as serde::de::Error>::unknown_field(
                field, expected,
            )
            .to_string()),
            None => Ok(()),
        }
    }

    /// The rest of the map read as a newtype variant's inner struct, by
    /// its own derive (its defaults and `deny_unknown_fields` hold).
    pub fn into_struct<T: DeserializeOwned>(self) -> Result<T, String> {
        T::deserialize(Value::Object(self.fields)).map_err(|e| e.to_string())
    }

    /// A unit variant: nothing may be left beside the tag.
    pub fn into_unit(self) -> Result<(), String> {
        match self.fields.keys().next() {
            Some(field) => Err(format!("unknown field `{field}`, there are no fields")),
            None => Ok(()),
        }
    }

    /// The error for a tag that names no variant.
    pub fn unknown(&self, expected: &'static [&'static str]) -> String {
        format!(
            "unknown variant `{}`, expected one of {}",
            self.tag,
            expected
                .iter()
                .map(|tag| format!("`{tag}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Implements `Deserialize` for an enum whose `Serialize` is derived with
/// `#[serde(tag = …, rename_all = "snake_case")]`: the same JSON, read by
/// [`TaggedFields`]. Every variant must be listed with its tag and all its
/// fields: a variant left out fails the exhaustive match below, a field
/// left out fails the variant's construction, so neither compiles. The
/// tags are checked against the derived `Serialize` by a round-trip test
/// of every variant beside each enum (`DECODED_TAGS`). A newtype variant
/// around another `decode_tagged!` enum is written `"tag" => Variant(Inner)`:
/// the inner enum reads the same map by its own tag.
macro_rules! decode_tagged {
    ($fact:ident by $tag_key:literal {
        $($tag:literal => $variant:ident $({ $($field:ident),* $(,)? })? $(($inner:ident))?),+ $(,)?
    }) => {
        impl $fact {
            /// The tags this enum is read by, one per variant.
            #[allow(dead_code)]
            pub(crate) const DECODED_TAGS: &'static [&'static str] = &[$($tag),+];

            /// The field holding the tag.
            #[allow(dead_code)]
            pub(crate) const TAG_KEY: &'static str = $tag_key;

            pub(crate) fn from_tagged(
                #[allow(unused_mut)] mut fields: $crate::json::TaggedFields,
            ) -> Result<Self, String> {
                // Every variant is listed (this match is exhaustive).
                let _ = |fact: &$fact| match fact {
                    $($fact::$variant { .. } => (),)+
                };
                Ok(match fields.tag() {
                    $($tag => $fact::$variant
                        $({ $($field: fields.take(stringify!($field))?,)* })?
                        $(($inner::from_tagged(fields.nested($inner::TAG_KEY)?)?))?,)+
                    _ => return Err(fields.unknown(Self::DECODED_TAGS)),
                })
            }
        }

        $crate::json::decode_tagged!(@deserialize $fact by $tag_key);
    };
    // Variants that exist only with a cargo feature (the reliability
    // engine's events) follow the others as `if feature "name" { … }`: their
    // tags are read, listed and checked only when the feature is on.
    ($fact:ident by $tag_key:literal {
        $($tag:literal => $variant:ident $({ $($field:ident),* $(,)? })? $(($inner:ident))?),+ $(,)?
    } if feature $feature:literal {
        $($ftag:literal => $fvariant:ident $({ $($ffield:ident),* $(,)? })? $(($finner:ident))?),+ $(,)?
    }) => {
        impl $fact {
            /// The tags this enum is read by, one per variant.
            #[allow(dead_code)]
            #[cfg(not(feature = $feature))]
            pub(crate) const DECODED_TAGS: &'static [&'static str] = &[$($tag),+];

            /// The tags this enum is read by, one per variant.
            #[allow(dead_code)]
            #[cfg(feature = $feature)]
            pub(crate) const DECODED_TAGS: &'static [&'static str] = &[$($tag,)+ $($ftag),+];

            /// The field holding the tag.
            #[allow(dead_code)]
            pub(crate) const TAG_KEY: &'static str = $tag_key;

            pub(crate) fn from_tagged(
                #[allow(unused_mut)] mut fields: $crate::json::TaggedFields,
            ) -> Result<Self, String> {
                // Every variant is listed (this match is exhaustive).
                let _ = |fact: &$fact| match fact {
                    $($fact::$variant { .. } => (),)+
                    $(#[cfg(feature = $feature)] $fact::$fvariant { .. } => (),)+
                };
                Ok(match fields.tag() {
                    $($tag => $fact::$variant
                        $({ $($field: fields.take(stringify!($field))?,)* })?
                        $(($inner::from_tagged(fields.nested($inner::TAG_KEY)?)?))?,)+
                    $(#[cfg(feature = $feature)] $ftag => $fact::$fvariant
                        $({ $($ffield: fields.take(stringify!($ffield))?,)* })?
                        $(($finner::from_tagged(fields.nested($finner::TAG_KEY)?)?))?,)+
                    _ => return Err(fields.unknown(Self::DECODED_TAGS)),
                })
            }
        }

        $crate::json::decode_tagged!(@deserialize $fact by $tag_key);
    };
    // Variants grouped in areas (bits of a `u8`): besides `from_tagged`,
    // which reads every variant, `from_tagged_in::<AREAS>` reads only the
    // areas in `AREAS`. Its arms for the other areas are constant-false, so
    // a program that calls only one instance (a browser page reading its
    // own lab's frames) links none of their fields' decoders. A field may
    // say how it is read: `(if AREA)` only when `AREA` is read too (else
    // its default: a room's topology belongs to the room's feed), and
    // `(tracked)` through the path-tracked reader (`take_tracked`).
    ($fact:ident by $tag_key:literal in areas {
        $($area:ident: $tag:literal => $variant:ident {
            $($field:ident $(($($how:tt)+))?),* $(,)?
        }),+ $(,)?
    }) => {
        impl $fact {
            /// The tags this enum is read by, one per variant.
            #[allow(dead_code)]
            pub(crate) const DECODED_TAGS: &'static [&'static str] = &[$($tag),+];

            /// The field holding the tag.
            #[allow(dead_code)]
            pub(crate) const TAG_KEY: &'static str = $tag_key;

            pub(crate) fn from_tagged(fields: $crate::json::TaggedFields) -> Result<Self, String> {
                Self::from_tagged_in::<{ u8::MAX }>(fields)
            }

            /// Reads a variant of the areas in `AREAS` only; a known tag
            /// of another area is refused as not read here.
            pub(crate) fn from_tagged_in<const AREAS: u8>(
                #[allow(unused_mut)] mut fields: $crate::json::TaggedFields,
            ) -> Result<Self, String> {
                // Every variant is listed (this match is exhaustive).
                let _ = |fact: &$fact| match fact {
                    $($fact::$variant { .. } => (),)+
                };
                Ok(match fields.tag() {
                    $($tag if AREAS & $area != 0 => $fact::$variant
                        { $($field: $crate::json::decode_tagged!(
                            @field fields AREAS $field $($($how)+)?
                        ),)* },)+
                    tag if Self::DECODED_TAGS.contains(&tag) => {
                        return Err(format!("`{tag}` is not read here (another lab's frame)"))
                    }
                    _ => return Err(fields.unknown(Self::DECODED_TAGS)),
                })
            }
        }

        $crate::json::decode_tagged!(@deserialize $fact by $tag_key);
    };
    (@field $fields:ident $areas:ident $field:ident) => {
        $fields.take(stringify!($field))?
    };
    (@field $fields:ident $areas:ident $field:ident tracked) => {
        $fields.take_tracked(stringify!($field))?
    };
    (@field $fields:ident $areas:ident $field:ident if $area:ident) => {
        if $areas & $area != 0 {
            $fields.take(stringify!($field))?
        } else {
            $fields.skip(stringify!($field))
        }
    };
    (@deserialize $fact:ident by $tag_key:literal) => {
        impl<'de> serde::Deserialize<'de> for $fact {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let fields = $crate::json::TaggedFields::read(deserializer, $tag_key)?;
                Self::from_tagged(fields).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use decode_tagged;

/// Checks a [`decode_tagged!`] enum against its derived `Serialize`:
/// `samples` hold one value per variant (every tag in `decoded_tags`, no
/// other), and each one written and read back is itself.
#[cfg(test)]
pub(crate) fn assert_every_variant_round_trips<T>(
    samples: &[T],
    tag_key: &str,
    decoded_tags: &[&str],
) where
    T: serde::Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let mut written = Vec::new();
    for sample in samples {
        let value = serde_json::to_value(sample).unwrap();
        let tag = value[tag_key].as_str().unwrap().to_owned();
        let back: T =
            serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(&back, sample, "{value}");
        let from_text: T = serde_json::from_str(&value.to_string()).unwrap();
        assert_eq!(&from_text, sample);
        written.push(tag);
    }
    written.sort();
    let mut expected: Vec<String> = decoded_tags.iter().map(|tag| (*tag).to_owned()).collect();
    expected.sort();
    assert_eq!(
        written, expected,
        "one sample per variant, tags as serde writes them"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    /// [`to_pretty`] writes what `serde_json::to_string_pretty` writes:
    /// every preset, escapes, empty and nested containers.
    #[test]
    fn pretty_is_serde_jsons_pretty() {
        for name in crate::sim::presets::NAMES {
            let scenario = Scenario::preset(name).unwrap();
            assert_eq!(
                to_pretty(&scenario),
                serde_json::to_string_pretty(&scenario).unwrap(),
                "{name}"
            );
        }
        let odd = serde_json::json!({
            "a": [], "b": {}, "c": [[], {}, [1, [2, {"d": null}]]],
            "e\"s": "x\\\"]},:[{", "f": -1.5e-7, "g": "多"
        });
        assert_eq!(to_pretty(&odd), serde_json::to_string_pretty(&odd).unwrap());
        assert_eq!(to_pretty(&[0u8; 0]), "[]");
    }

    #[test]
    fn errors_name_the_field() {
        let e = decode_str::<Scenario>(r#"{"name": "x", "nodes": [{"name": "a", "program": {"kind": "sink"}, "sockets": [{"name": "in", "type": "PULLL"}]}]}"#)
            .unwrap_err();
        assert_eq!(e.path, "nodes[0].sockets[0].type");
        assert!(
            e.to_string()
                .starts_with("nodes[0].sockets[0].type: unknown variant `PULLL`"),
            "{e}"
        );
        let e = decode_str::<Scenario>("{").unwrap_err();
        assert_eq!(e.path, "");
        assert!(e.to_string().contains("EOF"), "{e}");
    }

    #[test]
    fn mistakes_say_themselves_in_chinese_with_serdes_words_quoted() {
        let e = decode_str::<Scenario>("{").unwrap_err();
        assert_eq!(e.say(Lang::Zh), "不是合法的 JSON（第 1 行第 1 列出错）");
        let e = decode_str::<Scenario>(r#"{"nodes": []}"#).unwrap_err();
        assert_eq!(e.say(Lang::Zh), "缺少字段 `name`");
        let e = decode_str::<Scenario>(r#"{"name": "x", "nodes": [{"name": "a", "program": {"kind": "sink"}, "sockets": [{"name": "in", "type": "PULLL"}]}]}"#)
            .unwrap_err();
        let zh = e.say(Lang::Zh);
        assert!(
            zh.starts_with(
                "`nodes[0].sockets[0].type`：值不对（serde 的原话：unknown variant `PULLL`"
            ),
            "{zh}"
        );
    }
}
