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

/// A value that does not have the expected shape.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() || path == "." { String::new() } else { format!("{path}: ") })]
pub struct DecodeError {
    /// Where in the value (`nodes[2].sockets[0].type`; `.` for the top).
    pub path: String,
    pub message: String,
}

/// Decodes `value` as a `T`, naming the offending field on failure.
pub fn decode<T: DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(|e| DecodeError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Parses `text` as JSON and decodes it as a `T`.
pub fn decode_str<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DecodeError {
        path: String::new(),
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
}
