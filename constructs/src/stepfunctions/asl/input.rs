//! What a task sends, written once and rendered by the query language in force for its state:
//! `Parameters` with `"key.$": "$.path"` fields under JSONPath, `Arguments` with
//! `"key": "{% $states.input.path %}"` under JSONata.

use indexmap::IndexMap;

use crate::core::value::Value;

use super::intrinsics::{ContextPath, Intrinsic};
use super::model::QueryLanguage;

/// A value of a task's input, or of a part of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A literal (tokens allowed), the same in both languages.
    Value(Value),
    /// A reference path: `$`, `$.order.id`, `$['a b']`, `$$.Execution.Id`, or a variable
    /// `$total`. Under JSONata it becomes `$states.input.order.id`, `$states.context...`.
    Path(String),
    /// A value from a path, as a string: `States.Format('{}', $.n)` under JSONPath,
    /// `$string($states.input.n)` under JSONata (DynamoDB wants numbers as strings).
    PathAsString(String),
    /// A value from a path, as its JSON text: `States.JsonToString($.tags)` under JSONPath,
    /// `$string($states.input.tags)` under JSONata (an SNS `String.Array` attribute wants
    /// its array as text).
    PathAsJson(String),
    /// An intrinsic function: JSONPath only (JSONata has its own functions).
    Intrinsic(Intrinsic),
    /// A JSONata expression, without the `{% %}`: JSONata only.
    Expr(String),
    /// An object of inputs.
    Object(IndexMap<String, Input>),
    /// An array of inputs (under JSONPath only literals may be in an array).
    Array(Vec<Input>),
}

impl Input {
    /// A reference path (`$.id`).
    pub fn path(p: impl Into<String>) -> Input {
        Input::Path(p.into())
    }

    /// A JSONata expression (`$states.input.id & '-x'`).
    pub fn expr(e: impl Into<String>) -> Input {
        Input::Expr(e.into().trim().to_string())
    }

    /// The whole input of the state (`$`).
    pub fn state_input() -> Input {
        Input::Path("$".into())
    }

    /// An empty object to add fields to with [`Input::field`].
    pub fn object() -> Input {
        Input::Object(IndexMap::new())
    }

    /// Adds a field to an object (does nothing to other kinds).
    pub fn field(mut self, key: &str, value: impl Into<Input>) -> Input {
        if let Input::Object(m) = &mut self {
            m.insert(key.to_string(), value.into());
        }
        self
    }

    /// The value as rendered under `language` (problems are reported by
    /// [`Input::problems`]; the rendering is best effort).
    pub fn render(&self, language: QueryLanguage) -> Value {
        match language {
            QueryLanguage::JsonPath => self.render_json_path(),
            QueryLanguage::Jsonata => self.render_jsonata(),
        }
    }

    fn render_json_path(&self) -> Value {
        match self {
            Input::Value(v) => v.clone(),
            Input::Path(p) => Value::String(p.clone()),
            Input::PathAsString(p) => Value::String(format_path_as_string(p)),
            Input::PathAsJson(p) => Value::String(format!("States.JsonToString({p})")),
            Input::Intrinsic(i) => Value::String(i.to_string()),
            Input::Expr(e) => Value::String(format!("{{% {e} %}}")),
            Input::Array(items) => Value::Array(items.iter().map(Self::render_json_path).collect()),
            Input::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| match v {
                        Input::Path(_)
                        | Input::PathAsString(_)
                        | Input::PathAsJson(_)
                        | Input::Intrinsic(_) => (format!("{k}.$"), v.render_json_path()),
                        _ => (k.clone(), v.render_json_path()),
                    })
                    .collect(),
            ),
        }
    }

    fn render_jsonata(&self) -> Value {
        match self {
            Input::Value(v) => v.clone(),
            Input::Path(p) => Value::String(format!(
                "{{% {} %}}",
                jsonata_of_path(p).unwrap_or_else(|_| p.clone())
            )),
            Input::PathAsString(p) => Value::String(format!(
                "{{% $string({}) %}}",
                jsonata_of_path(p).unwrap_or_else(|_| p.clone())
            )),
            Input::PathAsJson(p) => Value::String(format!(
                "{{% $string({}) %}}",
                jsonata_of_path(p).unwrap_or_else(|_| p.clone())
            )),
            Input::Intrinsic(i) => Value::String(i.to_string()),
            Input::Expr(e) => Value::String(format!("{{% {e} %}}")),
            Input::Array(items) => Value::Array(items.iter().map(Self::render_jsonata).collect()),
            Input::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.render_jsonata()))
                    .collect(),
            ),
        }
    }

    /// What cannot be rendered under `language`: an intrinsic under JSONata, an expression
    /// under JSONPath, a path JSONata cannot express, a path inside an array under JSONPath,
    /// a whole input that is not an object under JSONPath.
    pub fn problems(&self, language: QueryLanguage, field: &str) -> Vec<String> {
        let mut out = Vec::new();
        if language == QueryLanguage::JsonPath
            && !matches!(self, Input::Object(_) | Input::Value(Value::Object(_)))
        {
            out.push(format!(
                "{field} must be an object under JSONPath; select the input with InputPath instead"
            ));
        }
        self.collect_problems(language, field, false, &mut out);
        out
    }

    fn collect_problems(
        &self,
        language: QueryLanguage,
        at: &str,
        in_array: bool,
        out: &mut Vec<String>,
    ) {
        let jsonata = language == QueryLanguage::Jsonata;
        match self {
            Input::Value(_) => {}
            Input::Path(p) | Input::PathAsString(p) | Input::PathAsJson(p) => {
                if let Err(e) = check_path(p) {
                    out.push(format!("{at}: {e}"));
                } else if jsonata {
                    if let Err(e) = jsonata_of_path(p) {
                        out.push(format!("{at}: {e}"));
                    }
                } else if in_array {
                    out.push(format!(
                        "{at}: JSONPath cannot take {p} inside an array; build the array with States.Array"
                    ));
                }
            }
            Input::Intrinsic(i) => {
                if jsonata {
                    out.push(format!(
                        "{at}: {i} is an intrinsic function, which JSONata states do not have; write a JSONata expression (Input::Expr)"
                    ));
                }
                out.extend(i.problems().into_iter().map(|p| format!("{at}: {p}")));
            }
            Input::Expr(e) => {
                if !jsonata {
                    out.push(format!(
                        "{at}: {{% {e} %}} is a JSONata expression, but the state uses JSONPath"
                    ));
                }
            }
            Input::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    item.collect_problems(language, &format!("{at}[{i}]"), true, out);
                }
            }
            Input::Object(m) => {
                for (k, v) in m {
                    if k.is_empty() {
                        out.push(format!(
                            "{at}: a field has an empty name (a DynamoDB attribute, a request field: AWS accepts none)"
                        ));
                    }
                    if k.ends_with(".$") {
                        out.push(format!(
                            "{at}.{k}: write the key without \".$\" and give the value as a path (Input::Path): the suffix is added for JSONPath"
                        ));
                    }
                    v.collect_problems(language, &format!("{at}.{k}"), false, out);
                }
            }
        }
    }

    /// True when the input takes anything from the state's input or context (a path, an
    /// intrinsic or an expression).
    pub fn is_dynamic(&self) -> bool {
        match self {
            Input::Value(_) => false,
            Input::Path(_)
            | Input::PathAsString(_)
            | Input::PathAsJson(_)
            | Input::Intrinsic(_)
            | Input::Expr(_) => true,
            Input::Array(items) => items.iter().any(Input::is_dynamic),
            Input::Object(m) => m.values().any(Input::is_dynamic),
        }
    }

    /// The literal value, when the input is one.
    pub fn as_value(&self) -> Option<&Value> {
        match self {
            Input::Value(v) => Some(v),
            _ => None,
        }
    }
}

fn format_path_as_string(p: &str) -> String {
    format!("States.Format('{{}}', {p})")
}

impl From<Value> for Input {
    fn from(v: Value) -> Self {
        Input::Value(v)
    }
}

/// A literal string (use [`Input::path`] for a path).
impl From<&str> for Input {
    fn from(s: &str) -> Self {
        Input::Value(Value::from(s))
    }
}

impl From<String> for Input {
    fn from(s: String) -> Self {
        Input::Value(Value::from(s))
    }
}

impl From<bool> for Input {
    fn from(b: bool) -> Self {
        Input::Value(Value::from(b))
    }
}

impl From<i64> for Input {
    fn from(n: i64) -> Self {
        Input::Value(Value::Number(n.into()))
    }
}

impl From<u32> for Input {
    fn from(n: u32) -> Self {
        Input::Value(Value::Number(n.into()))
    }
}

impl From<Intrinsic> for Input {
    fn from(i: Intrinsic) -> Self {
        Input::Intrinsic(i)
    }
}

impl From<ContextPath> for Input {
    fn from(p: ContextPath) -> Self {
        Input::Path(p.as_str().to_string())
    }
}

/// Why a text is refused as a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Not a reference path (it does not start with `$`).
    #[error("{0:?} is not a path: a path starts with $ ($.id, $$.Execution.Id, $variable); a literal is a value")]
    NotAPath(String),
    /// A path that reads what no JSONata expression of the same form reads (a filter, a
    /// wildcard, a deep scan).
    #[error("the path {0} has no JSONata translation (only .field, ['field'] and [index] do); write a JSONata expression")]
    Untranslatable(String),
}

/// Checks that `p` is a reference path: `$`, `$.x...`, `$[...]`, `$$...` or a variable.
pub fn check_path(p: &str) -> Result<(), PathError> {
    let mut chars = p.chars();
    let ok = match (chars.next(), chars.next()) {
        (Some('$'), None) => true,
        (Some('$'), Some(c)) => matches!(c, '.' | '[' | '$' | '_') || c.is_ascii_alphabetic(),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(PathError::NotAPath(p.to_string()))
    }
}

/// The JSONata expression reading what the JSONPath reference path `p` reads: `$` is
/// `$states.input`, `$$` is `$states.context`, a variable stays a variable. Paths with
/// filters, wildcards or deep scans have no such translation and are an error.
pub fn jsonata_of_path(p: &str) -> Result<String, PathError> {
    let (mut out, rest) = if let Some(rest) = p.strip_prefix("$$") {
        ("$states.context".to_string(), rest)
    } else if p == "$" || p.starts_with("$.") || p.starts_with("$[") {
        ("$states.input".to_string(), &p[1..])
    } else if let Some(variable) = p.strip_prefix('$') {
        // a variable: `$name.rest` reads the same in JSONata
        let end = variable.find(['.', '[']).map_or(p.len(), |i| i + 1);
        (p[..end].to_string(), &p[end..])
    } else {
        return Err(PathError::NotAPath(p.to_string()));
    };
    let untranslatable = || PathError::Untranslatable(p.to_string());
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '.' => {
                let start = i + 1;
                let mut end = rest.len();
                while let Some(&(j, c)) = chars.peek() {
                    if c == '.' || c == '[' {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                let name = &rest[start..end];
                if name.is_empty() || name == "*" || name.contains(['*', '?', '@', '(']) {
                    return Err(untranslatable());
                }
                push_field(&mut out, name);
            }
            '[' => {
                let close = rest[i..]
                    .find(']')
                    .map(|j| i + j)
                    .ok_or_else(untranslatable)?;
                let inner = &rest[i + 1..close];
                while chars.peek().is_some_and(|&(j, _)| j <= close) {
                    chars.next();
                }
                if let Some(quoted) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    if quoted.contains('`') {
                        return Err(untranslatable());
                    }
                    push_field(&mut out, quoted);
                } else if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
                    out.push('[');
                    out.push_str(inner);
                    out.push(']');
                } else {
                    return Err(untranslatable());
                }
            }
            _ => return Err(untranslatable()),
        }
    }
    Ok(out)
}

fn push_field(out: &mut String, name: &str) {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    out.push('.');
    if plain {
        out.push_str(name);
    } else {
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_translate_to_jsonata() {
        assert_eq!(jsonata_of_path("$").unwrap(), "$states.input");
        assert_eq!(jsonata_of_path("$.a.b").unwrap(), "$states.input.a.b");
        assert_eq!(jsonata_of_path("$.a[0].b").unwrap(), "$states.input.a[0].b");
        assert_eq!(
            jsonata_of_path("$['a b'].c").unwrap(),
            "$states.input.`a b`.c"
        );
        assert_eq!(
            jsonata_of_path("$.order-id").unwrap(),
            "$states.input.`order-id`"
        );
        assert_eq!(
            jsonata_of_path("$$.Execution.Id").unwrap(),
            "$states.context.Execution.Id"
        );
        assert_eq!(jsonata_of_path("$total.sum").unwrap(), "$total.sum");
        assert!(jsonata_of_path("$..a").is_err());
        assert!(jsonata_of_path("$.a[*]").is_err());
        assert!(jsonata_of_path("$.a[?(@.b)]").is_err());
        assert!(jsonata_of_path("order.id").is_err());
    }

    #[test]
    fn an_input_renders_by_language() {
        let input = Input::object()
            .field("TableName", "orders")
            .field("Id", Input::path("$.id"))
            .field("At", Input::path("$$.State.EnteredTime"))
            .field("N", Input::PathAsString("$.n".into()));
        let jp = serde_json::to_value(input.render(QueryLanguage::JsonPath)).unwrap();
        assert_eq!(
            jp,
            serde_json::json!({
                "TableName": "orders",
                "Id.$": "$.id",
                "At.$": "$$.State.EnteredTime",
                "N.$": "States.Format('{}', $.n)"
            })
        );
        let ja = serde_json::to_value(input.render(QueryLanguage::Jsonata)).unwrap();
        assert_eq!(
            ja,
            serde_json::json!({
                "TableName": "orders",
                "Id": "{% $states.input.id %}",
                "At": "{% $states.context.State.EnteredTime %}",
                "N": "{% $string($states.input.n) %}"
            })
        );
        assert!(input
            .problems(QueryLanguage::JsonPath, "Parameters")
            .is_empty());
        assert!(input
            .problems(QueryLanguage::Jsonata, "Arguments")
            .is_empty());
    }

    #[test]
    fn what_a_language_cannot_say_is_a_problem() {
        let e = Input::object().field("x", Input::expr("$now()"));
        assert_eq!(
            e.problems(QueryLanguage::JsonPath, "Parameters"),
            ["Parameters.x: {% $now() %} is a JSONata expression, but the state uses JSONPath"]
        );
        let i = Input::object().field("x", super::super::intrinsics::States::uuid());
        assert_eq!(i.problems(QueryLanguage::Jsonata, "Arguments").len(), 1);
        let whole = Input::path("$.x");
        assert_eq!(
            whole.problems(QueryLanguage::JsonPath, "Parameters").len(),
            1
        );
        assert!(whole
            .problems(QueryLanguage::Jsonata, "Arguments")
            .is_empty());
        let empty = Input::object().field("Item", Input::object().field("", "x"));
        assert_eq!(
            empty.problems(QueryLanguage::JsonPath, "Parameters"),
            ["Parameters.Item: a field has an empty name (a DynamoDB attribute, a request field: AWS accepts none)"]
        );
        let not_a_path = Input::object().field("x", Input::path("id"));
        assert!(
            not_a_path.problems(QueryLanguage::JsonPath, "Parameters")[0].contains("is not a path")
        );
    }
}
