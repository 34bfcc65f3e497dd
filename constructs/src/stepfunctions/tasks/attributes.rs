//! Message attributes of `sqs:sendMessage` and `sns:publish` (`MessageAttributes`), typed,
//! written once for JSONPath and JSONata, and checked at synth against what AWS documents:
//!
//! - SQS (Developer Guide, "Amazon SQS message attributes"; SendMessage, `MessageAttributes`;
//!   `MessageAttributeValue`): at most 10 attributes per message; types `String`, `Number`
//!   (sent as `StringValue`) and `Binary`; a name of up to 256 characters of `A-Z a-z 0-9 _ - .`,
//!   not starting with `AWS.` or `Amazon.` (any case), not starting or ending with a period,
//!   without two periods in a row, unique in the message; name, type and value not empty;
//!   every part counts toward the 262,144-byte message size.
//! - SNS (Developer Guide, "Amazon SNS message attributes"; `MessageAttributeValue`): the same
//!   names; types `String`, `String.Array`, `Number` and `Binary`; name, type and value not
//!   empty; every part counts toward the 262,144-byte message size. SNS sets no count, but an
//!   SQS subscription with raw message delivery discards a message of more than 10.
//! - Step Functions (the SQS and SNS optimized integrations): the attributes are the API's,
//!   `{"name": {"DataType": "String", "StringValue": ...}}`, a value from the input given as
//!   `"StringValue.$"`.
//!
//! A value read from the input is sent as text (`States.Format('{}', $.n)`,
//! `$string($states.input.n)`), since both services take every value as a string; a
//! `String.Array` from the input as its JSON text (`States.JsonToString`).

use crate::core::value::Value;

use super::super::asl::Input;

/// The most attributes SQS takes on one message.
pub const MAX_SQS_MESSAGE_ATTRIBUTES: usize = 10;
/// The longest attribute name, in characters (SQS and SNS).
pub const MAX_MESSAGE_ATTRIBUTE_NAME: usize = 256;
/// The largest message, body and attributes together, in bytes (SQS and SNS).
pub const MAX_MESSAGE_BYTES: usize = 262_144;

/// A message attribute's data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAttributeType {
    /// `String`: Unicode text.
    String,
    /// `Number`: a decimal number, sent as text.
    Number,
    /// `Binary`: bytes, given as base64 text.
    Binary,
    /// `String.Array` (SNS only): a JSON array of strings, numbers, `true`, `false` and
    /// `null`, sent as its text.
    StringArray,
}

impl MessageAttributeType {
    /// The `DataType` the services name it by.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageAttributeType::String => "String",
            MessageAttributeType::Number => "Number",
            MessageAttributeType::Binary => "Binary",
            MessageAttributeType::StringArray => "String.Array",
        }
    }
}

/// A message attribute of [`SendMessage`](super::SendMessage) or
/// [`Publish`](super::Publish): its type and its value, a literal or from the state's input
/// (`Input::path("$.total")`, a JSONata expression, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct MessageAttribute {
    /// The data type.
    pub kind: MessageAttributeType,
    /// The value.
    pub value: Input,
}

impl MessageAttribute {
    /// A `String` attribute; a number or boolean given is sent as its text.
    pub fn string(value: impl Into<Input>) -> Self {
        Self::of(MessageAttributeType::String, value)
    }
    /// A `Number` attribute: a number, or text that is a decimal number.
    pub fn number(value: impl Into<Input>) -> Self {
        Self::of(MessageAttributeType::Number, value)
    }
    /// A `Binary` attribute, given as base64 text.
    pub fn binary(base64: impl Into<Input>) -> Self {
        Self::of(MessageAttributeType::Binary, base64)
    }
    /// A `String.Array` attribute (SNS only): a JSON array (a literal array of strings,
    /// numbers, booleans and nulls, its text, or an array read from the input).
    pub fn string_array(value: impl Into<Input>) -> Self {
        Self::of(MessageAttributeType::StringArray, value)
    }

    fn of(kind: MessageAttributeType, value: impl Into<Input>) -> Self {
        MessageAttribute {
            kind,
            value: value.into(),
        }
    }
}

/// The service a message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Service {
    Sqs,
    Sns,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Sqs => "SQS",
            Service::Sns => "SNS",
        }
    }
}

/// What is wrong with an attribute name, if anything.
fn name_problem(name: &str) -> Option<String> {
    let n = name.chars().count();
    if n == 0 || n > MAX_MESSAGE_ATTRIBUTE_NAME {
        return Some(format!(
            "the name has {n} characters; it takes 1 to {MAX_MESSAGE_ATTRIBUTE_NAME}"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!(
            "the name holds {c:?}; it takes letters, digits, '_', '-' and '.'"
        ));
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("aws.") || lower.starts_with("amazon.") {
        return Some("names starting with AWS. or Amazon. are reserved for AWS".into());
    }
    if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        return Some("a name must not start or end with a period, nor hold two in a row".into());
    }
    None
}

/// True for a decimal number's text (`-12`, `3.5`, `1e-3`).
fn is_number(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((i, f)) => {
            (digits(i) || i.is_empty())
                && (digits(f) || f.is_empty())
                && !(i.is_empty() && f.is_empty())
        }
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

/// True for base64 text (the standard alphabet, padded to a multiple of 4).
fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len() % 4 == 0
        && text.len() - body.len() <= 2
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
}

/// The attribute's value as sent, and what is wrong with it.
fn value_of(a: &MessageAttribute) -> (Input, Option<String>) {
    use MessageAttributeType as T;
    let empty = || Some("the value is empty; SQS and SNS refuse an empty value".to_string());
    match (&a.value, a.kind) {
        (Input::Value(Value::String(s)), _) if s.is_empty() => (a.value.clone(), empty()),
        (Input::Value(Value::Null), _) => (a.value.clone(), empty()),
        (Input::Value(Value::Number(n)), T::String | T::Number) => {
            (Input::Value(Value::String(n.to_string())), None)
        }
        (Input::Value(Value::Bool(b)), T::String) => {
            (Input::Value(Value::String(b.to_string())), None)
        }
        (Input::Value(Value::String(s)), T::Number) if !is_number(s) => {
            (a.value.clone(), Some(format!("{s:?} is not a number")))
        }
        (Input::Value(Value::String(s)), T::Binary) if !is_base64(s) => (
            a.value.clone(),
            Some("a Binary value is given as base64 text, and this is not base64".into()),
        ),
        (Input::Value(Value::String(s)), T::StringArray) => {
            let parsed: Result<serde_json::Value, _> = serde_json::from_str(s);
            match parsed {
                Ok(serde_json::Value::Array(items))
                    if items.iter().all(|i| !i.is_object() && !i.is_array()) =>
                {
                    (a.value.clone(), None)
                }
                _ => (
                    a.value.clone(),
                    Some(format!(
                        "{s:?} is not a JSON array of strings, numbers, booleans and nulls"
                    )),
                ),
            }
        }
        (Input::Value(Value::Array(items)), T::StringArray) => {
            let scalar = |v: &Value| {
                matches!(
                    v,
                    Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null
                )
            };
            if items.iter().all(scalar) {
                let text = serde_json::Value::Array(items.iter().map(literal_json).collect());
                (Input::Value(Value::String(text.to_string())), None)
            } else {
                (
                    a.value.clone(),
                    Some("a String.Array holds only strings, numbers, booleans and nulls".into()),
                )
            }
        }
        (Input::Value(Value::Object(_) | Value::Array(_) | Value::Bool(_)), _)
        | (Input::Value(Value::Number(_)), T::Binary | T::StringArray) => (
            a.value.clone(),
            Some(format!("a {} attribute's value is text", a.kind.as_str())),
        ),
        (Input::Path(p), T::StringArray) => (Input::PathAsJson(p.clone()), None),
        (Input::Path(p), _) => (Input::PathAsString(p.clone()), None),
        _ => (a.value.clone(), None),
    }
}

fn literal_json(v: &Value) -> serde_json::Value {
    match v {
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Number(n) => serde_json::Value::Number(n.clone()),
        Value::Bool(b) => serde_json::Value::Bool(*b),
        _ => serde_json::Value::Null,
    }
}

/// A lower bound of the bytes of `input` as sent: its literal text (the strings, keys and
/// numbers it holds; nothing for what comes from the state's input).
pub(super) fn literal_bytes(input: &Input) -> usize {
    fn of(v: &Value) -> usize {
        match v {
            Value::String(s) => s.len(),
            Value::Number(n) => n.to_string().len(),
            Value::Array(items) => items.iter().map(of).sum(),
            Value::Object(m) => m.iter().map(|(k, v)| k.len() + of(v)).sum(),
            _ => 0,
        }
    }
    match input {
        Input::Value(v) => of(v),
        Input::Object(m) => m.iter().map(|(k, v)| k.len() + literal_bytes(v)).sum(),
        Input::Array(items) => items.iter().map(literal_bytes).sum(),
        _ => 0,
    }
}

/// The `MessageAttributes` of a message to `service`, and what it would refuse, each as
/// `state "<name>": MessageAttributes.<attribute>: ...`; `body` counts toward the size.
pub(super) fn render(
    state: &str,
    service: Service,
    attributes: &[(String, MessageAttribute)],
    body: &Input,
) -> (Option<Input>, Vec<String>) {
    let mut problems = Vec::new();
    if attributes.is_empty() {
        return (None, problems);
    }
    let at = |name: &str| format!("state {state:?}: MessageAttributes.{name}");
    if service == Service::Sqs && attributes.len() > MAX_SQS_MESSAGE_ATTRIBUTES {
        problems.push(format!(
            "state {state:?}: MessageAttributes: {} attributes; SQS takes at most {MAX_SQS_MESSAGE_ATTRIBUTES} on a message",
            attributes.len()
        ));
    }
    let mut out = Input::object();
    let mut bytes = literal_bytes(body);
    for (i, (name, attribute)) in attributes.iter().enumerate() {
        if let Some(p) = name_problem(name) {
            problems.push(format!("{}: {p}", at(name)));
        }
        if attributes[..i].iter().any(|(n, _)| n == name) {
            problems.push(format!(
                "{}: the message has two attributes of this name; names are unique in a message",
                at(name)
            ));
        }
        if service == Service::Sqs && attribute.kind == MessageAttributeType::StringArray {
            problems.push(format!(
                "{}: SQS has no String.Array attribute (String, Number and Binary only); send the array's JSON text as a String",
                at(name)
            ));
        }
        let (value, problem) = value_of(attribute);
        if let Some(p) = problem {
            problems.push(format!("{}: {p}", at(name)));
        }
        let field = match attribute.kind {
            MessageAttributeType::Binary => "BinaryValue",
            _ => "StringValue",
        };
        bytes += name.len() + attribute.kind.as_str().len() + literal_bytes(&value);
        out = out.field(
            name,
            Input::object()
                .field("DataType", attribute.kind.as_str())
                .field(field, value),
        );
    }
    if bytes > MAX_MESSAGE_BYTES {
        problems.push(format!(
            "state {state:?}: MessageAttributes: the message and its attributes have at least {bytes} bytes; {} takes at most {MAX_MESSAGE_BYTES}",
            service.name()
        ));
    }
    (Some(out), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_base64_are_recognised() {
        for n in ["0", "-12", "3.5", ".5", "5.", "1e-3", "+2E10"] {
            assert!(is_number(n), "{n}");
        }
        for n in ["", "-", "1.2.3", "e5", "1e", "0x10", "12a", "."] {
            assert!(!is_number(n), "{n}");
        }
        assert!(is_base64("aGVsbG8="));
        assert!(is_base64(""));
        assert!(!is_base64("aGVsbG8"));
        assert!(!is_base64("aGVs bG8="));
        assert!(!is_base64("a==="));
    }

    #[test]
    fn names_follow_the_services_rules() {
        assert!(name_problem("order.kind-2_x").is_none());
        assert!(name_problem(&"a".repeat(256)).is_none());
        assert!(name_problem(&"a".repeat(257)).is_some());
        for bad in ["", "AWS.x", "amazon.y", ".a", "a.", "a..b", "a b", "é"] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }
}
