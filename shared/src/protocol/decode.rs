//! Reading client frames strictly, and writing server frames.
//!
//! A frame that cannot be read is explained precisely: not JSON, not an
//! object, no `type`, an unknown `type`, or a field of the wrong kind
//! (named by its path), as a typed [`FrameRefusal`].

use super::{
    CacheFrame, ClientFrame, RoomFrame, ServerFrame, SessionFrame, TasksFrame, WarmupFrame,
    refusal::{FieldProblem, FrameRefusal, JsonKind},
};

/// The numeric `id` of a client frame, read leniently from its raw text: used
/// to label the error answering a frame that could not be decoded or honoured.
pub fn request_id(text: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("id")?.as_u64()
}

/// Decodes one client text frame, explaining precisely what is wrong when it
/// cannot.
pub fn decode_client_frame(text: &str) -> Result<ClientFrame, FrameRefusal> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| FrameRefusal::NotJson {
            detail: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
    decode_value(value)
}

/// [`decode_client_frame`] for a frame already read as JSON.
pub(crate) fn decode_value(value: serde_json::Value) -> Result<ClientFrame, FrameRefusal> {
    let serde_json::Value::Object(mut body) = value else {
        return Err(FrameRefusal::NotAnObject {
            got: JsonKind::of(&value),
        });
    };
    let frame_type = match body.remove("type") {
        None => return Err(FrameRefusal::MissingType),
        Some(serde_json::Value::String(name)) => name,
        Some(other) => {
            return Err(FrameRefusal::TypeNotString {
                got: JsonKind::of(&other),
            });
        }
    };
    let body = serde_json::Value::Object(body);
    let decoded = if SessionFrame::TYPES.contains(&frame_type.as_str()) {
        SessionFrame::decode_body(&frame_type, body).map(|r| r.map(ClientFrame::Session))
    } else if CacheFrame::TYPES.contains(&frame_type.as_str()) {
        CacheFrame::decode_body(&frame_type, body).map(|r| r.map(ClientFrame::Cache))
    } else if WarmupFrame::TYPES.contains(&frame_type.as_str()) {
        WarmupFrame::decode_body(&frame_type, body).map(|r| r.map(ClientFrame::Warmup))
    } else if TasksFrame::TYPES.contains(&frame_type.as_str()) {
        TasksFrame::decode_body(&frame_type, body).map(|r| r.map(ClientFrame::Tasks))
    } else {
        RoomFrame::decode_body(&frame_type, body).map(|r| r.map(ClientFrame::Room))
    };
    let Some(decoded) = decoded else {
        return Err(FrameRefusal::UnknownType { name: frame_type });
    };
    decoded.map_err(|(path, error)| {
        let detail = error.to_string();
        let (problem, named) = FieldProblem::read(&detail);
        // serde names the field itself for missing/unknown fields; for a
        // field of the wrong kind only the path knows which one it was
        // (none without `path-errors`).
        let field = named.or_else(|| (!path.is_empty() && path != ".").then_some(path));
        FrameRefusal::Field {
            frame: frame_type,
            field,
            problem,
            detail,
        }
    })
}

/// Encodes a server frame as the JSON text sent over the socket.
pub fn encode_server_frame(frame: &ServerFrame) -> String {
    // Serialising these plain enums cannot fail: no maps with non-string
    // keys, no non-finite floats reach here.
    serde_json::to_string(frame).expect("server frames always serialise")
}
