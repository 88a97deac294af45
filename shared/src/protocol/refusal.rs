//! Why a request was refused, as typed facts: each area's refusals are one
//! family of [`Refusal`], and each family says itself in every language
//! ([`Say`]), so the server's English `message` and the browser's Chinese
//! come from the same fact.
//!
//! An area that refuses things adds its family here as one variant; the
//! `error` frame carries the fact under `refusal` (`docs/protocol.md`,
//! "Errors") beside its English `message`.

use serde::{Deserialize, Serialize};

use crate::{
    lang::{Lang, Say},
    protocol::{ClientFrame, PROTOCOL_VERSION},
    room::RoomRefusal,
    sim::{ActionError, ScenarioError},
};

/// Every refusal the server sends, by area.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "area", content = "fact", rename_all = "snake_case")]
pub enum Refusal {
    /// A frame that could not be read, or came out of turn.
    Frame(FrameRefusal),
    /// The engine refused an action (a member's call or edit).
    Action(ActionError),
    /// A scenario that does not make sense.
    Scenario(ScenarioError),
    /// The cache lab refused a request (a key, a node, a memory limit, a
    /// warm-up).
    Cache(crate::cache::Refusal),
    /// A live room (or the session in front of it) would not do it.
    Room(RoomRefusal),
    /// The Tasks view cannot be watched (no Redis node).
    Tasks(super::TasksRefusal),
}

/// Read compactly: the area, then the fact by its family's own reader.
/// serde's derive for an adjacently tagged enum buffers the whole value
/// through its generic `Content` machinery, several KB in every page's wasm
/// (every page reads `error` frames).
impl<'de> Deserialize<'de> for Refusal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Every area is read below (this match is exhaustive).
        let _ = |refusal: &Refusal| match refusal {
            Refusal::Frame(_)
            | Refusal::Action(_)
            | Refusal::Scenario(_)
            | Refusal::Cache(_)
            | Refusal::Room(_)
            | Refusal::Tasks(_) => (),
        };
        let mut fields = crate::json::TaggedFields::read(deserializer, "area")?;
        let refusal = match fields.tag() {
            "frame" => fields.take("fact").map(Refusal::Frame),
            "action" => fields.take("fact").map(Refusal::Action),
            "scenario" => fields.take("fact").map(Refusal::Scenario),
            "cache" => fields.take("fact").map(Refusal::Cache),
            "room" => fields.take("fact").map(Refusal::Room),
            "tasks" => fields.take("fact").map(Refusal::Tasks),
            _ => Err(fields.unknown(Refusal::AREAS)),
        };
        refusal.map_err(serde::de::Error::custom)
    }
}

impl Refusal {
    /// The areas (`area` on the wire), one per family.
    pub const AREAS: &'static [&'static str] =
        &["frame", "action", "scenario", "cache", "room", "tasks"];

    /// The offending field (`"type"`, `"key"`, `"limits.rate"` …), when
    /// the fault lies in one.
    pub fn field(&self) -> Option<String> {
        match self {
            Refusal::Frame(refusal) => refusal.field(),
            Refusal::Action(error) => Some(action_field(error).into()),
            Refusal::Scenario(_) => Some("scenario".into()),
            Refusal::Cache(refusal) => Some(refusal.field().into()),
            Refusal::Room(refusal) => Some(refusal.field().into()),
            Refusal::Tasks(refusal) => Some(refusal.field().into()),
        }
    }

    /// On a version mismatch: the version this server speaks.
    pub fn supported(&self) -> Option<u32> {
        match self {
            Refusal::Frame(FrameRefusal::VersionUnsupported { supported, .. }) => Some(*supported),
            Refusal::Frame(_)
            | Refusal::Action(_)
            | Refusal::Scenario(_)
            | Refusal::Cache(_)
            | Refusal::Room(_)
            | Refusal::Tasks(_) => None,
        }
    }
}

impl Say for Refusal {
    fn say(&self, lang: Lang) -> String {
        match self {
            Refusal::Frame(refusal) => refusal.say(lang),
            Refusal::Action(error) => error.say(lang),
            Refusal::Cache(refusal) => refusal.say(lang),
            Refusal::Tasks(refusal) => refusal.say(lang),
            // It was read from the request's `scenario` field.
            Refusal::Scenario(error) => match lang {
                Lang::En => format!("scenario: {}", error.say(lang)),
                Lang::Zh => format!("场景：{}", error.say(lang)),
            },
            Refusal::Room(refusal) => refusal.say(lang),
        }
    }
}

/// The field an engine refusal is about.
fn action_field(error: &ActionError) -> &'static str {
    match error {
        ActionError::NoNode { .. }
        | ActionError::NotExternal { .. }
        | ActionError::AlreadyExternal { .. }
        | ActionError::NotTakeable { .. }
        | ActionError::AlreadyCrashed { .. }
        | ActionError::NotCrashed { .. }
        | ActionError::Crashed { .. }
        | ActionError::AlreadyPaused { .. }
        | ActionError::NotPaused { .. }
        | ActionError::NotProducer { .. }
        | ActionError::NotLive { .. } => "node",
        ActionError::NotHandedOut { .. } => "task",
        ActionError::EmptyGroup
        | ActionError::Overlap { .. }
        | ActionError::NoBrokerLink { .. } => "a",
        ActionError::BadRate { .. } => "rate",
        // A new node's name is its own field (`node_add`'s `name`).
        ActionError::Invalid { scenario } => match **scenario {
            ScenarioError::DuplicateNode { .. } | ScenarioError::EmptyNodeName => "name",
            _ => "sockets",
        },
        ActionError::NoSocket { .. }
        | ActionError::NotSub { .. }
        | ActionError::NoSuchSetting { .. }
        | ActionError::InUse { .. }
        | ActionError::SocketInUse { .. }
        | ActionError::NotConnected { .. }
        | ActionError::AlreadyConnected { .. } => "socket",
    }
}

impl From<ActionError> for Refusal {
    fn from(error: ActionError) -> Self {
        Refusal::Action(error)
    }
}

impl From<ScenarioError> for Refusal {
    fn from(error: ScenarioError) -> Self {
        Refusal::Scenario(error)
    }
}

impl From<crate::cache::Refusal> for Refusal {
    fn from(refusal: crate::cache::Refusal) -> Self {
        Refusal::Cache(refusal)
    }
}

impl From<RoomRefusal> for Refusal {
    fn from(refusal: RoomRefusal) -> Self {
        Refusal::Room(refusal)
    }
}

impl From<super::TasksRefusal> for Refusal {
    fn from(refusal: super::TasksRefusal) -> Self {
        Refusal::Tasks(refusal)
    }
}

impl From<FrameRefusal> for Refusal {
    fn from(refusal: FrameRefusal) -> Self {
        Refusal::Frame(refusal)
    }
}

/// What kind of JSON value stood where another was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonKind {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

impl JsonKind {
    pub fn of(value: &serde_json::Value) -> JsonKind {
        match value {
            serde_json::Value::Null => JsonKind::Null,
            serde_json::Value::Bool(_) => JsonKind::Boolean,
            serde_json::Value::Number(_) => JsonKind::Number,
            serde_json::Value::String(_) => JsonKind::String,
            serde_json::Value::Array(_) => JsonKind::Array,
            serde_json::Value::Object(_) => JsonKind::Object,
        }
    }
}

impl Say for JsonKind {
    fn say(&self, lang: Lang) -> String {
        let words = match lang {
            Lang::En => match self {
                JsonKind::Null => "null",
                JsonKind::Boolean => "a boolean",
                JsonKind::Number => "a number",
                JsonKind::String => "a string",
                JsonKind::Array => "an array",
                JsonKind::Object => "an object",
            },
            Lang::Zh => match self {
                JsonKind::Null => "null",
                JsonKind::Boolean => "布尔值",
                JsonKind::Number => "数字",
                JsonKind::String => "字符串",
                JsonKind::Array => "数组",
                JsonKind::Object => "对象",
            },
        };
        words.to_owned()
    }
}

/// What was wrong with one field of a frame, as far as serde tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Missing,
    Unknown,
    Duplicate,
    /// Present, but not a value of the expected kind or range.
    WrongValue,
}

impl FieldProblem {
    /// Reads serde's message ("missing field `protocol`") into the problem
    /// and the field it names, if it names one.
    pub(crate) fn read(serde_message: &str) -> (FieldProblem, Option<String>) {
        let problem = [
            ("missing field", FieldProblem::Missing),
            ("unknown field", FieldProblem::Unknown),
            ("duplicate field", FieldProblem::Duplicate),
        ]
        .into_iter()
        .find(|(prefix, _)| serde_message.starts_with(prefix))
        .map(|(_, problem)| problem);
        let Some(problem) = problem else {
            return (FieldProblem::WrongValue, None);
        };
        let named = serde_message.find('`').and_then(|start| {
            let rest = &serde_message[start + 1..];
            rest.find('`').map(|len| rest[..len].to_owned())
        });
        (problem, named)
    }
}

/// A frame the session could not take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FrameRefusal {
    /// The text is not JSON; `detail` is the parser's own words.
    NotJson {
        detail: String,
        line: usize,
        column: usize,
    },
    NotAnObject {
        got: JsonKind,
    },
    MissingType,
    TypeNotString {
        got: JsonKind,
    },
    UnknownType {
        name: String,
    },
    /// A field of a known frame is missing, unknown or wrong; `detail` is
    /// serde's own words (it names the expected type).
    Field {
        frame: String,
        field: Option<String>,
        problem: FieldProblem,
        detail: String,
    },
    /// Something other than `hello` came first.
    HelloFirst {
        got: String,
    },
    VersionUnsupported {
        asked: u32,
        supported: u32,
    },
    BinaryFrame,
    /// The WebSocket itself failed (an oversized frame, say): the session
    /// ends after this.
    Transport {
        detail: String,
    },
}

// Read compactly (see `json::decode_tagged!`); written by the derive above.
crate::json::decode_tagged!(FrameRefusal by "code" {
    "not_json" => NotJson { detail, line, column },
    "not_an_object" => NotAnObject { got },
    "missing_type" => MissingType,
    "type_not_string" => TypeNotString { got },
    "unknown_type" => UnknownType { name },
    "field" => Field { frame, field, problem, detail },
    "hello_first" => HelloFirst { got },
    "version_unsupported" => VersionUnsupported { asked, supported },
    "binary_frame" => BinaryFrame,
    "transport" => Transport { detail },
});

impl FrameRefusal {
    pub fn field(&self) -> Option<String> {
        match self {
            FrameRefusal::MissingType
            | FrameRefusal::TypeNotString { .. }
            | FrameRefusal::UnknownType { .. }
            | FrameRefusal::HelloFirst { .. } => Some("type".into()),
            FrameRefusal::Field { field, .. } => field.clone(),
            FrameRefusal::VersionUnsupported { .. } => Some("protocol".into()),
            FrameRefusal::NotJson { .. }
            | FrameRefusal::NotAnObject { .. }
            | FrameRefusal::BinaryFrame
            | FrameRefusal::Transport { .. } => None,
        }
    }
}

impl Say for FrameRefusal {
    fn say(&self, lang: Lang) -> String {
        match lang {
            Lang::En => english(self),
            Lang::Zh => chinese(self),
        }
    }
}

fn hello_frame() -> String {
    format!("{{\"type\":\"hello\",\"protocol\":{PROTOCOL_VERSION}}}")
}

fn english(refusal: &FrameRefusal) -> String {
    match refusal {
        FrameRefusal::NotJson { detail, .. } => format!("frame is not valid JSON: {detail}"),
        FrameRefusal::NotAnObject { got } => format!(
            "a frame must be a JSON object with a \"type\" field, got {}",
            got.say(Lang::En)
        ),
        FrameRefusal::MissingType => "missing field \"type\" (a string such as \"hello\")".into(),
        FrameRefusal::TypeNotString { got } => {
            format!("field \"type\" must be a string, got {}", got.say(Lang::En))
        }
        FrameRefusal::UnknownType { name } => format!(
            "unknown frame type \"{name}\"; expected one of: {}",
            ClientFrame::types().collect::<Vec<_>>().join(", ")
        ),
        FrameRefusal::Field {
            frame,
            field,
            detail,
            ..
        } => match field {
            Some(name) if !detail.contains(&format!("`{name}`")) => {
                format!("{frame}: field \"{name}\": {detail}")
            }
            _ => format!("{frame}: {detail}"),
        },
        FrameRefusal::HelloFirst { got } => {
            format!("send {} before \"{got}\"", hello_frame())
        }
        FrameRefusal::VersionUnsupported { asked, supported } => format!(
            "protocol version {asked} is not supported; this server speaks version {supported}"
        ),
        FrameRefusal::BinaryFrame => {
            "binary frames are not part of the protocol; send JSON text frames".into()
        }
        FrameRefusal::Transport { detail } => format!("connection error: {detail}"),
    }
}

fn chinese(refusal: &FrameRefusal) -> String {
    match refusal {
        FrameRefusal::NotJson { line, column, .. } => {
            format!("帧不是合法的 JSON（第 {line} 行第 {column} 列出错）")
        }
        FrameRefusal::NotAnObject { got } => format!(
            "帧必须是带 \"type\" 字段的 JSON 对象，收到的却是{}",
            got.say(Lang::Zh)
        ),
        FrameRefusal::MissingType => "缺少字段 \"type\"（一个字符串，例如 \"hello\"）".into(),
        FrameRefusal::TypeNotString { got } => {
            format!(
                "字段 \"type\" 必须是字符串，收到的却是{}",
                got.say(Lang::Zh)
            )
        }
        FrameRefusal::UnknownType { name } => format!(
            "未知的帧类型 \"{name}\"；可用的类型：{}",
            ClientFrame::types().collect::<Vec<_>>().join("、")
        ),
        FrameRefusal::Field {
            frame,
            field,
            problem,
            detail,
        } => {
            let field = field.as_deref().unwrap_or("?");
            match problem {
                FieldProblem::Missing => format!("{frame}：缺少字段 \"{field}\""),
                FieldProblem::Unknown => format!("{frame}：没有名为 \"{field}\" 的字段"),
                FieldProblem::Duplicate => format!("{frame}：字段 \"{field}\" 出现了两次"),
                FieldProblem::WrongValue => {
                    format!("{frame}：字段 \"{field}\" 的值不对（serde：{detail}）")
                }
            }
        }
        FrameRefusal::HelloFirst { got } => {
            format!("请先发送 {}，再发送 \"{got}\"", hello_frame())
        }
        FrameRefusal::VersionUnsupported { asked, supported } => {
            format!("不支持协议版本 {asked}；本服务器使用版本 {supported}")
        }
        FrameRefusal::BinaryFrame => "协议中没有二进制帧；请发送 JSON 文本帧".into(),
        FrameRefusal::Transport { .. } => "连接出错，会话结束".into(),
    }
}
