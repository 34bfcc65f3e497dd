//! Intrinsic functions (`States.*`) as typed builders, context object paths, JSONata
//! expressions, and a builder for JSONPath payloads (`"key.$": "$.path"`).

use std::fmt;

use indexmap::IndexMap;

use crate::core::value::Value;

use super::input::Input;
use super::model::QueryLanguage;

/// An argument of an intrinsic function. A `&str` is a string literal; paths, context paths
/// and variables have their own constructors, so `"world".into()` can never be read as a
/// path.
///
/// A plain `&str` or `String` given with `into()` that reads as a path (`"$.orderId"`), a
/// context path (`"$$.Execution.Id"`) or a variable (`"$total"`) is refused at synth: it
/// would be formatted as that text, not as the value it names (the AWS CDK's
/// `JsonPath.format` quotes such a string too, and its users learn it from wrong output).
/// Say what you mean: [`Arg::path`], [`Arg::var`], a [`ContextPath`], or [`Arg::str`] for
/// the text itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A reference path, `$.x` (written as is).
    Path(String),
    /// A path into the context object, `$$.Execution.Id`.
    Context(ContextPath),
    /// A variable, `$total` (the name is written without the `$`).
    Var(String),
    /// A string literal (quoted; `'`, `{`, `}` and `\` escaped), given as such with
    /// [`Arg::str`].
    Str(String),
    /// A plain string given with `into()`: rendered as a string literal, like [`Arg::Str`];
    /// one that reads as a path, a context path or a variable is refused at synth.
    Plain(String),
    /// The template of `States.Format`: quoted, its `{}` placeholders kept.
    Template(String),
    /// A number literal.
    Number(serde_json::Number),
    /// A boolean literal.
    Bool(bool),
    /// `null`.
    Null,
    /// A nested intrinsic function.
    Call(Box<Intrinsic>),
}

impl Arg {
    /// A reference path, `$.order.id`.
    pub fn path(p: impl Into<String>) -> Arg {
        Arg::Path(p.into())
    }
    /// A variable, by its name without the `$`.
    pub fn var(name: impl Into<String>) -> Arg {
        Arg::Var(name.into())
    }
    /// A string literal.
    pub fn str(s: impl Into<String>) -> Arg {
        Arg::Str(s.into())
    }
    /// An integer literal.
    pub fn int(n: i64) -> Arg {
        Arg::Number(n.into())
    }

    fn problems(&self, out: &mut Vec<String>) {
        match self {
            Arg::Path(p) if !(p == "$" || p.starts_with("$.") || p.starts_with("$[")) => {
                out.push(format!(
                    "{p:?} is not a reference path ($.x); for text use Arg::str, for the context Arg::Context, for a variable Arg::var"
                ));
            }
            Arg::Var(name) => {
                let ok = name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    out.push(format!(
                        "{name:?} is not a variable name (a letter or _, then letters, digits or _)"
                    ));
                }
            }
            Arg::Plain(text) => {
                if let Some((what, fix)) = reads_as_reference(text) {
                    out.push(format!(
                        "the argument {text:?} is a string literal, but it reads as {what}: \
                         it would be formatted as the text {text:?}, not the value; write \
                         {fix}, or Arg::str({text:?}) for the text itself"
                    ));
                }
            }
            Arg::Call(i) => out.extend(i.problems()),
            _ => {}
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match self {
            Arg::Number(n) => n.as_i64(),
            _ => None,
        }
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

/// What a plain string argument reads as, when it reads as a reference: the thing, and how
/// to write it.
fn reads_as_reference(text: &str) -> Option<(&'static str, String)> {
    let t = text.trim();
    if t.starts_with("$$.") || t == "$$" {
        return Some((
            "a context path",
            format!("ContextPath(\"{t}\") (or a ContextPath constant)"),
        ));
    }
    if t == "$" || t.starts_with("$.") || t.starts_with("$[") {
        return Some(("a path", format!("Arg::path({t:?})")));
    }
    let name = t.strip_prefix('$')?;
    let first = name.split(['.', '[']).next().unwrap_or_default();
    let is_name = first
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    is_name.then(|| ("a variable", format!("Arg::var({first:?})")))
}

/// The string literals of an intrinsic function's text (`States.Format('{}', '$.id')`) that
/// read as a path or a context path, each with how to write it as one: what a definition
/// written as JSON (or a `Payload` already rendered to a value) says where it surely meant
/// the value. Variables are left alone there: `'$USD'` may well be text.
pub(crate) fn quoted_references(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        literal.push(n);
                    }
                }
                '\'' => break,
                c => literal.push(c),
            }
        }
        if let Some((what, fix)) = reads_as_reference(&literal) {
            if what != "a variable" {
                out.push((literal, format!("{what}: write it unquoted, as {fix}")));
            }
        }
    }
    out
}

/// Text: `"world".into()` renders as `'world'`; use [`Arg::path`] for a path (a plain string
/// that reads as one is refused at synth).
impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Plain(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Plain(s)
    }
}

impl From<ContextPath> for Arg {
    fn from(p: ContextPath) -> Self {
        Arg::Context(p)
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Path(p) => f.write_str(p),
            Arg::Context(p) => f.write_str(p.as_str()),
            Arg::Var(name) => write!(f, "${name}"),
            Arg::Str(s) | Arg::Plain(s) => {
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

/// The most items `States.ArrayRange` may produce.
pub const MAX_ARRAY_RANGE_ITEMS: i64 = 1000;

/// The hash algorithms `States.Hash` knows.
pub const HASH_ALGORITHMS: &[&str] = &["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

impl Intrinsic {
    /// The function's name, `Format` for `States.Format`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What Step Functions would reject when it runs: an argument that is not the path it
    /// claims to be, a `States.ArrayRange` of literals giving 0 or more than 1,000 items, an
    /// unknown hash algorithm (nested calls included).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for a in &self.args {
            a.problems(&mut out);
        }
        match self.name {
            "ArrayRange" => {
                if let [first, last, step] = self.args.as_slice() {
                    if let (Some(first), Some(last), Some(step)) =
                        (first.as_i64(), last.as_i64(), step.as_i64())
                    {
                        if step == 0 {
                            out.push(format!("{self}: the step must not be 0"));
                        } else {
                            let count = if (last - first).signum() * step.signum() < 0 {
                                0
                            } else {
                                (last - first) / step + 1
                            };
                            if !(1..=MAX_ARRAY_RANGE_ITEMS).contains(&count) {
                                out.push(format!(
                                    "{self} gives {count} items; States.ArrayRange gives 1 to {MAX_ARRAY_RANGE_ITEMS}"
                                ));
                            }
                        }
                    }
                }
            }
            "Hash" => {
                if let Some(Arg::Str(algorithm)) = self.args.get(1) {
                    if !HASH_ALGORITHMS.contains(&algorithm.as_str()) {
                        out.push(format!(
                            "{self}: the algorithm must be one of {}",
                            HASH_ALGORITHMS.join(", ")
                        ));
                    }
                }
            }
            _ => {}
        }
        out
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
    /// `States.StringToJson(a)`: parses a JSON string into its value.
    pub fn string_to_json(a: impl Into<Arg>) -> Intrinsic {
        call("StringToJson", vec![a.into()])
    }
    /// `States.JsonToString(a)`: serializes a value as a JSON string.
    pub fn json_to_string(a: impl Into<Arg>) -> Intrinsic {
        call("JsonToString", vec![a.into()])
    }
    /// `States.Array(items...)`: an array of the arguments.
    pub fn array(items: impl IntoIterator<Item = Arg>) -> Intrinsic {
        call("Array", items.into_iter().collect())
    }
    /// `States.ArrayPartition(array, size)`: the array cut into chunks of `size` items.
    pub fn array_partition(array: impl Into<Arg>, size: impl Into<Arg>) -> Intrinsic {
        call("ArrayPartition", vec![array.into(), size.into()])
    }
    /// `States.ArrayContains(array, value)`: true when the array holds the value.
    pub fn array_contains(array: impl Into<Arg>, value: impl Into<Arg>) -> Intrinsic {
        call("ArrayContains", vec![array.into(), value.into()])
    }
    /// `States.ArrayRange(first, last, step)`: the numbers from `first` to `last`, `step` apart (at
    /// most 1,000).
    pub fn array_range(
        first: impl Into<Arg>,
        last: impl Into<Arg>,
        step: impl Into<Arg>,
    ) -> Intrinsic {
        call("ArrayRange", vec![first.into(), last.into(), step.into()])
    }
    /// `States.ArrayGetItem(array, index)`: the item at `index`, from 0.
    pub fn array_get_item(array: impl Into<Arg>, index: impl Into<Arg>) -> Intrinsic {
        call("ArrayGetItem", vec![array.into(), index.into()])
    }
    /// `States.ArrayLength(array)`: the number of items.
    pub fn array_length(array: impl Into<Arg>) -> Intrinsic {
        call("ArrayLength", vec![array.into()])
    }
    /// `States.ArrayUnique(array)`: the array without duplicate values.
    pub fn array_unique(array: impl Into<Arg>) -> Intrinsic {
        call("ArrayUnique", vec![array.into()])
    }
    /// `States.Base64Encode(a)`: the string encoded as base64.
    pub fn base64_encode(a: impl Into<Arg>) -> Intrinsic {
        call("Base64Encode", vec![a.into()])
    }
    /// `States.Base64Decode(a)`: the base64 string decoded.
    pub fn base64_decode(a: impl Into<Arg>) -> Intrinsic {
        call("Base64Decode", vec![a.into()])
    }
    /// `States.Hash(data, 'SHA-256')`; algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512.
    pub fn hash(data: impl Into<Arg>, algorithm: &str) -> Intrinsic {
        call("Hash", vec![data.into(), Arg::str(algorithm)])
    }
    /// `States.JsonMerge(a, b, deep)`: the two objects merged, `b`'s keys winning (only a shallow
    /// merge is supported, `deep` false).
    pub fn json_merge(a: impl Into<Arg>, b: impl Into<Arg>, deep: bool) -> Intrinsic {
        call("JsonMerge", vec![a.into(), b.into(), Arg::Bool(deep)])
    }
    /// `States.MathRandom(start, end)`: a random integer between `start` and `end`.
    pub fn math_random(start: impl Into<Arg>, end: impl Into<Arg>) -> Intrinsic {
        call("MathRandom", vec![start.into(), end.into()])
    }
    /// `States.MathAdd(a, b)`: the sum of two integers.
    pub fn math_add(a: impl Into<Arg>, b: impl Into<Arg>) -> Intrinsic {
        call("MathAdd", vec![a.into(), b.into()])
    }
    /// `States.StringSplit(s, delimiter)`: the string cut at each delimiter, as an array.
    pub fn string_split(s: impl Into<Arg>, delimiter: &str) -> Intrinsic {
        call("StringSplit", vec![s.into(), Arg::str(delimiter)])
    }
    /// `States.UUID()`: a new version 4 UUID.
    pub fn uuid() -> Intrinsic {
        call("UUID", vec![])
    }
}

/// A path into the context object (`$$`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextPath(pub &'static str);

impl ContextPath {
    /// `$$.Execution.Id`: the execution's ARN.
    pub const EXECUTION_ID: ContextPath = ContextPath("$$.Execution.Id");
    /// `$$.Execution.Name`: the execution's name.
    pub const EXECUTION_NAME: ContextPath = ContextPath("$$.Execution.Name");
    /// `$$.Execution.Input`: the input the execution started with.
    pub const EXECUTION_INPUT: ContextPath = ContextPath("$$.Execution.Input");
    /// `$$.Execution.StartTime`: when the execution started (ISO 8601).
    pub const EXECUTION_START_TIME: ContextPath = ContextPath("$$.Execution.StartTime");
    /// `$$.Execution.RoleArn`: the role the execution runs as.
    pub const EXECUTION_ROLE_ARN: ContextPath = ContextPath("$$.Execution.RoleArn");
    /// `$$.State.Name`: the current state's name.
    pub const STATE_NAME: ContextPath = ContextPath("$$.State.Name");
    /// `$$.State.EnteredTime`: when the current state was entered (ISO 8601).
    pub const STATE_ENTERED_TIME: ContextPath = ContextPath("$$.State.EnteredTime");
    /// `$$.State.RetryCount`: how many times the current state has been retried.
    pub const STATE_RETRY_COUNT: ContextPath = ContextPath("$$.State.RetryCount");
    /// `$$.StateMachine.Id`: the state machine's ARN.
    pub const STATE_MACHINE_ID: ContextPath = ContextPath("$$.StateMachine.Id");
    /// `$$.StateMachine.Name`: the state machine's name.
    pub const STATE_MACHINE_NAME: ContextPath = ContextPath("$$.StateMachine.Name");
    /// `$$.Map.Item.Value`: the item a Map iteration processes.
    pub const MAP_ITEM_VALUE: ContextPath = ContextPath("$$.Map.Item.Value");
    /// `$$.Map.Item.Index`: the position of that item, from 0.
    pub const MAP_ITEM_INDEX: ContextPath = ContextPath("$$.Map.Item.Index");
    /// `$$.Task.Token`: the token a `.waitForTaskToken` task is resumed with.
    pub const TASK_TOKEN: ContextPath = ContextPath("$$.Task.Token");

    /// The path as written, `$$.Task.Token`.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// A JSONata expression as a field value: `{% expression %}`.
pub fn jsonata(expression: &str) -> Value {
    Value::String(format!("{{% {} %}}", expression.trim()))
}

/// A payload (Parameters, Arguments, ItemSelector, a task's input): literal fields, and
/// fields taken from paths, intrinsics or JSONata expressions. As a task's input it renders by
/// the state's query language (`"key.$": "$.path"` or `"key": "{% $states.input.path %}"`);
/// as a plain [`Value`] it renders as JSONPath.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Payload {
    fields: IndexMap<String, Input>,
}

impl Payload {
    /// An empty payload.
    pub fn new() -> Self {
        Self::default()
    }

    /// `"key": value` (a literal or a token).
    pub fn value(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields
            .insert(key.to_string(), Input::Value(value.into()));
        self
    }

    /// `"key.$": "$.path"` (JSONPath) or `"key": "{% $states.input.path %}"` (JSONata).
    pub fn path(mut self, key: &str, path: impl Into<String>) -> Self {
        self.fields
            .insert(key.to_string(), Input::Path(path.into()));
        self
    }

    /// `"key.$": "$$.Execution.Id"` and the like.
    pub fn context(self, key: &str, path: ContextPath) -> Self {
        self.path(key, path.0)
    }

    /// `"key.$": "States.Format(...)"` (JSONPath only).
    pub fn intrinsic(mut self, key: &str, function: Intrinsic) -> Self {
        self.fields
            .insert(key.to_string(), Input::Intrinsic(function));
        self
    }

    /// `"key": "{% expression %}"` (JSONata only).
    pub fn expr(mut self, key: &str, expression: &str) -> Self {
        self.fields.insert(key.to_string(), Input::expr(expression));
        self
    }

    /// A nested payload under `key`.
    pub fn object(mut self, key: &str, nested: Payload) -> Self {
        self.fields.insert(key.to_string(), nested.into());
        self
    }
}

impl From<Payload> for Input {
    fn from(p: Payload) -> Self {
        Input::Object(p.fields)
    }
}

impl From<Payload> for Value {
    fn from(p: Payload) -> Self {
        Input::from(p).render(QueryLanguage::JsonPath)
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
                    Arg::path("$.arn.workflow"),
                    Arg::path("$.arn.uuid1"),
                    Arg::path("$.arn.uuid2")
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
            States::math_add(States::array_length(Arg::path("$.resultItems")), -1).to_string(),
            "States.MathAdd(States.ArrayLength($.resultItems), -1)"
        );
        assert_eq!(States::uuid().to_string(), "States.UUID()");
        assert_eq!(
            States::hash(Arg::path("$.data"), "SHA-256").to_string(),
            "States.Hash($.data, 'SHA-256')"
        );
        assert_eq!(
            States::format("it's {}", [Arg::str("a\\b{")]).to_string(),
            "States.Format('it\\'s {}', 'a\\\\b\\{')"
        );
        assert_eq!(
            States::json_merge(Arg::path("$.a"), Arg::path("$.b"), false).to_string(),
            "States.JsonMerge($.a, $.b, false)"
        );
        assert_eq!(
            States::array([Arg::int(1), Arg::Null, Arg::Bool(true), Arg::str("x")]).to_string(),
            "States.Array(1, null, true, 'x')"
        );
    }

    #[test]
    fn a_str_is_a_literal_and_a_path_says_so() {
        assert_eq!(
            States::format("hello {}", ["world".into()]).to_string(),
            "States.Format('hello {}', 'world')"
        );
        assert_eq!(
            States::format(
                "{} {}",
                [Arg::var("total"), ContextPath::EXECUTION_ID.into()]
            )
            .to_string(),
            "States.Format('{} {}', $total, $$.Execution.Id)"
        );
        assert!(States::format("{}", [Arg::path("world")]).problems()[0]
            .contains("is not a reference path"));
        assert!(
            States::format("{}", [Arg::var("1x")]).problems()[0].contains("is not a variable name")
        );
    }

    #[test]
    fn array_range_gives_1_to_1000_items() {
        assert!(States::array_range(1, 1000, 1).problems().is_empty());
        assert!(States::array_range(10, 1, -1).problems().is_empty());
        assert_eq!(
            States::array_range(1, 100_000, 1).problems(),
            ["States.ArrayRange(1, 100000, 1) gives 100000 items; States.ArrayRange gives 1 to 1000"]
        );
        assert!(States::array_range(5, 1, 1).problems()[0].contains("gives 0 items"));
        assert!(States::array_range(1, 5, 0).problems()[0].contains("must not be 0"));
        // nested, and with a path the count is not known
        assert_eq!(
            States::array_length(States::array_range(0, 2000, 1))
                .problems()
                .len(),
            1
        );
        assert!(States::array_range(Arg::path("$.from"), 5, 1)
            .problems()
            .is_empty());
        assert!(States::hash(Arg::path("$.x"), "SHA-3").problems()[0].contains("algorithm"));
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
