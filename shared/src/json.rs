//! One way to turn JSON into the engine's and protocol's types, everywhere.
//!
//! Every decode goes through [`decode`]: a `serde_json::Value` read by
//! `serde_path_to_error`, so a mistake is reported with the path of the
//! field at fault (`nodes[2].sockets[0].type`). Using one deserializer
//! type also matters for the browser's download: serde generates each
//! type's decoding code once per deserializer it is used with, and the
//! wasm carried the scenario, event and frame decoders three times over
//! (from text, from a `Value`, and path-tracked).

use serde::de::DeserializeOwned;
use serde_json::Value;

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

/// Decodes `value` as a `T`, naming the offending field on failure.
pub fn decode<T: DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(|e| DecodeError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
        syntax: None,
    })
}

/// Parses `text` as JSON and decodes it as a `T`.
pub fn decode_str<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DecodeError {
        path: String::new(),
        syntax: (e.is_syntax() || e.is_eof()).then(|| (e.line(), e.column())),
        message: e.to_string(),
    })?;
    decode(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

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
