//! Intrinsic functions (`States.*`) as typed builders, context object paths, JSONata
//! expressions, and a builder for JSONPath payloads (`"key.$": "$.path"`).

use std::fmt;

use indexmap::IndexMap;

use crate::core::value::Value;

/// An argument of an intrinsic function.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A reference path, `$.x` or `$$.Execution.Id` (written as is).
    Path(String),
    /// A string literal (quoted; `'`, `{`, `}` and `\` escaped).
    Str(String),
    /// The template of `States.Format`: quoted, its `{}` placeholders kept.
    Template(String),
    Number(serde_json::Number),
    Bool(bool),
    Null,
    /// A nested intrinsic function.
    Call(Box<Intrinsic>),
}

impl Arg {
    pub fn path(p: impl Into<String>) -> Arg {
        Arg::Path(p.into())
    }
    pub fn str(s: impl Into<String>) -> Arg {
        Arg::Str(s.into())
    }
    pub fn int(n: i64) -> Arg {
        Arg::Number(n.into())
    }
}

impl From<Intrinsic> for Arg {
    fn from(i: Intrinsic) -> Self {
        Arg::Call(Box::new(i))
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Number(n.into())
    }
}

impl From<bool> for Arg {
    fn from(b: bool) -> Self {
        Arg::Bool(b)
    }
}

/// A path written as an argument: `"$.x".into()` is a path; use [`Arg::str`] for text.
impl From<&str> for Arg {
    fn from(p: &str) -> Self {
        Arg::Path(p.to_string())
    }
}

impl From<ContextPath> for Arg {
    fn from(p: ContextPath) -> Self {
        Arg::Path(p.0.to_string())
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Path(p) => f.write_str(p),
            Arg::Str(s) => {
                f.write_str("'")?;
                for c in s.chars() {
                    if matches!(c, '\'' | '{' | '}' | '\\') {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("'")
            }
            Arg::Template(s) => {
                f.write_str("'")?;
                for c in s.chars() {
                    if matches!(c, '\'' | '\\') {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("'")
            }
            Arg::Number(n) => write!(f, "{n}"),
            Arg::Bool(b) => write!(f, "{b}"),
            Arg::Null => f.write_str("null"),
            Arg::Call(i) => write!(f, "{i}"),
        }
    }
}

/// An intrinsic function call; `to_string()` renders its exact `States.*` text.
#[derive(Debug, Clone, PartialEq)]
pub struct Intrinsic {
    name: &'static str,
    args: Vec<Arg>,
}

impl fmt::Display for Intrinsic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "States.{}(", self.name)?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        f.write_str(")")
    }
}

fn call(name: &'static str, args: Vec<Arg>) -> Intrinsic {
    Intrinsic { name, args }
}

/// The intrinsic functions.
pub struct States;

impl States {
    /// `States.Format('template {}', args...)`.
    pub fn format(template: &str, args: impl IntoIterator<Item = Arg>) -> Intrinsic {
        let mut all = vec![Arg::Template(template.to_string())];
        all.extend(args);
        call("Format", all)
    }
    pub fn string_to_json(a: impl Into<Arg>) -> Intrinsic {
        call("StringToJson", vec![a.into()])
    }
    pub fn json_to_string(a: impl Into<Arg>) -> Intrinsic {
        call("JsonToString", vec![a.into()])
    }
    pub fn array(items: impl IntoIterator<Item = Arg>) -> Intrinsic {
        call("Array", items.into_iter().collect())
    }
    pub fn array_partition(array: impl Into<Arg>, size: impl Into<Arg>) -> Intrinsic {
        call("ArrayPartition", vec![array.into(), size.into()])
    }
    pub fn array_contains(array: impl Into<Arg>, value: impl Into<Arg>) -> Intrinsic {
        call("ArrayContains", vec![array.into(), value.into()])
    }
    pub fn array_range(
        first: impl Into<Arg>,
        last: impl Into<Arg>,
        step: impl Into<Arg>,
    ) -> Intrinsic {
        call("ArrayRange", vec![first.into(), last.into(), step.into()])
    }
    pub fn array_get_item(array: impl Into<Arg>, index: impl Into<Arg>) -> Intrinsic {
        call("ArrayGetItem", vec![array.into(), index.into()])
    }
    pub fn array_length(array: impl Into<Arg>) -> Intrinsic {
        call("ArrayLength", vec![array.into()])
    }
    pub fn array_unique(array: impl Into<Arg>) -> Intrinsic {
        call("ArrayUnique", vec![array.into()])
    }
    pub fn base64_encode(a: impl Into<Arg>) -> Intrinsic {
        call("Base64Encode", vec![a.into()])
    }
    pub fn base64_decode(a: impl Into<Arg>) -> Intrinsic {
        call("Base64Decode", vec![a.into()])
    }
    /// `States.Hash(data, 'SHA-256')`; algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512.
    pub fn hash(data: impl Into<Arg>, algorithm: &str) -> Intrinsic {
        call("Hash", vec![data.into(), Arg::str(algorithm)])
    }
    pub fn json_merge(a: impl Into<Arg>, b: impl Into<Arg>, deep: bool) -> Intrinsic {
        call("JsonMerge", vec![a.into(), b.into(), Arg::Bool(deep)])
    }
    pub fn math_random(start: impl Into<Arg>, end: impl Into<Arg>) -> Intrinsic {
        call("MathRandom", vec![start.into(), end.into()])
    }
    pub fn math_add(a: impl Into<Arg>, b: impl Into<Arg>) -> Intrinsic {
        call("MathAdd", vec![a.into(), b.into()])
    }
    pub fn string_split(s: impl Into<Arg>, delimiter: &str) -> Intrinsic {
        call("StringSplit", vec![s.into(), Arg::str(delimiter)])
    }
    pub fn uuid() -> Intrinsic {
        call("UUID", vec![])
    }
}

/// A path into the context object (`$$`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextPath(pub &'static str);

impl ContextPath {
    pub const EXECUTION_ID: ContextPath = ContextPath("$$.Execution.Id");
    pub const EXECUTION_NAME: ContextPath = ContextPath("$$.Execution.Name");
    pub const EXECUTION_INPUT: ContextPath = ContextPath("$$.Execution.Input");
    pub const EXECUTION_START_TIME: ContextPath = ContextPath("$$.Execution.StartTime");
    pub const EXECUTION_ROLE_ARN: ContextPath = ContextPath("$$.Execution.RoleArn");
    pub const STATE_NAME: ContextPath = ContextPath("$$.State.Name");
    pub const STATE_ENTERED_TIME: ContextPath = ContextPath("$$.State.EnteredTime");
    pub const STATE_RETRY_COUNT: ContextPath = ContextPath("$$.State.RetryCount");
    pub const STATE_MACHINE_ID: ContextPath = ContextPath("$$.StateMachine.Id");
    pub const STATE_MACHINE_NAME: ContextPath = ContextPath("$$.StateMachine.Name");
    pub const MAP_ITEM_VALUE: ContextPath = ContextPath("$$.Map.Item.Value");
    pub const MAP_ITEM_INDEX: ContextPath = ContextPath("$$.Map.Item.Index");
    pub const TASK_TOKEN: ContextPath = ContextPath("$$.Task.Token");

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// A JSONata expression as a field value: `{% expression %}`.
pub fn jsonata(expression: &str) -> Value {
    Value::String(format!("{{% {} %}}", expression.trim()))
}

/// A JSONPath payload (Parameters, ResultSelector, ItemSelector): literal fields, and fields
/// taken from paths or intrinsics, whose keys get the `.$` suffix.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Payload {
    fields: IndexMap<String, Value>,
}

impl Payload {
    pub fn new() -> Self {
        Self::default()
    }

    /// `"key": value` (a literal or a token).
    pub fn value(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.to_string(), value.into());
        self
    }

    /// `"key.$": "$.path"`.
    pub fn path(mut self, key: &str, path: impl Into<String>) -> Self {
        self.fields
            .insert(format!("{key}.$"), Value::String(path.into()));
        self
    }

    /// `"key.$": "$$.Execution.Id"` and the like.
    pub fn context(self, key: &str, path: ContextPath) -> Self {
        self.path(key, path.0)
    }

    /// `"key.$": "States.Format(...)"`.
    pub fn intrinsic(mut self, key: &str, function: Intrinsic) -> Self {
        self.fields
            .insert(format!("{key}.$"), Value::String(function.to_string()));
        self
    }

    /// A nested payload under `key`.
    pub fn object(mut self, key: &str, nested: Payload) -> Self {
        self.fields.insert(key.to_string(), nested.into());
        self
    }
}

impl From<Payload> for Value {
    fn from(p: Payload) -> Self {
        Value::Object(p.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsics_render_their_exact_text() {
        let split = States::string_split(ContextPath::EXECUTION_ID, ":");
        assert_eq!(
            States::array_get_item(split, 6).to_string(),
            "States.ArrayGetItem(States.StringSplit($$.Execution.Id, ':'), 6)"
        );
        assert_eq!(
            States::format(
                "{}:{}:{}",
                [
                    "$.arn.workflow".into(),
                    "$.arn.uuid1".into(),
                    "$.arn.uuid2".into()
                ]
            )
            .to_string(),
            "States.Format('{}:{}:{}', $.arn.workflow, $.arn.uuid1, $.arn.uuid2)"
        );
        assert_eq!(
            States::array_range(1, 5, 1).to_string(),
            "States.ArrayRange(1, 5, 1)"
        );
        assert_eq!(
            States::math_add(States::array_length("$.resultItems"), -1).to_string(),
            "States.MathAdd(States.ArrayLength($.resultItems), -1)"
        );
        assert_eq!(States::uuid().to_string(), "States.UUID()");
        assert_eq!(
            States::hash("$.data", "SHA-256").to_string(),
            "States.Hash($.data, 'SHA-256')"
        );
        assert_eq!(
            States::format("it's {}", [Arg::str("a\\b{")]).to_string(),
            "States.Format('it\\'s {}', 'a\\\\b\\{')"
        );
        assert_eq!(
            States::json_merge("$.a", "$.b", false).to_string(),
            "States.JsonMerge($.a, $.b, false)"
        );
        assert_eq!(
            States::array([Arg::int(1), Arg::Null, Arg::Bool(true), Arg::str("x")]).to_string(),
            "States.Array(1, null, true, 'x')"
        );
    }

    #[test]
    fn payload_keys_get_the_path_suffix() {
        let p: Value = Payload::new()
            .value("TableName", "t")
            .path("id", "$.id")
            .context("at", ContextPath::STATE_ENTERED_TIME)
            .intrinsic("uuid", States::uuid())
            .into();
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["TableName", "id.$", "at.$", "uuid.$"]);
    }
}
