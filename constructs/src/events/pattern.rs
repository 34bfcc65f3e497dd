//! Event patterns, typed: the fields of the event envelope (`source`, `detail-type`, `account`,
//! `region`, `resources`), `detail` as JSON or field by field, and the content filters
//! (prefix and suffix, each also ignoring case, anything-but, numeric, exists,
//! equals-ignore-case, wildcard, cidr).

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

/// A numeric comparison of [`Matcher::numeric`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `=`.
    Eq,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl Cmp {
    fn as_str(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// One value a field of an event may match.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// The value itself (a string, number, boolean or null).
    Exactly(Json),
    /// `{"prefix": ...}`.
    Prefix(String),
    /// `{"suffix": ...}`.
    Suffix(String),
    /// `{"prefix": {"equals-ignore-case": ...}}`.
    PrefixIgnoreCase(String),
    /// `{"suffix": {"equals-ignore-case": ...}}`.
    SuffixIgnoreCase(String),
    /// `{"anything-but": [...]}`: any value but these.
    AnythingBut(Vec<Json>),
    /// `{"anything-but": {"prefix": ...}}`.
    AnythingButPrefix(String),
    /// `{"numeric": [op, n, op, n]}`: one or two comparisons, all true.
    Numeric(Vec<(Cmp, f64)>),
    /// `{"exists": true|false}`: the field is there, or is not.
    Exists(bool),
    /// `{"equals-ignore-case": ...}`.
    EqualsIgnoreCase(String),
    /// `{"wildcard": ...}`: `*` matches any characters.
    Wildcard(String),
    /// `{"cidr": ...}`: an IP address in this range.
    Cidr(String),
}

impl Matcher {
    /// The value itself.
    pub fn exactly(value: impl Into<Json>) -> Matcher {
        Matcher::Exactly(value.into())
    }
    /// A string starting with `prefix`.
    pub fn prefix(prefix: impl Into<String>) -> Matcher {
        Matcher::Prefix(prefix.into())
    }
    /// A string ending with `suffix`.
    pub fn suffix(suffix: impl Into<String>) -> Matcher {
        Matcher::Suffix(suffix.into())
    }
    /// A string starting with `prefix` regardless of case.
    pub fn prefix_ignore_case(prefix: impl Into<String>) -> Matcher {
        Matcher::PrefixIgnoreCase(prefix.into())
    }
    /// A string ending with `suffix` regardless of case.
    pub fn suffix_ignore_case(suffix: impl Into<String>) -> Matcher {
        Matcher::SuffixIgnoreCase(suffix.into())
    }
    /// Any value but these.
    pub fn anything_but<V: Into<Json>>(values: impl IntoIterator<Item = V>) -> Matcher {
        Matcher::AnythingBut(values.into_iter().map(Into::into).collect())
    }
    /// Any string not starting with `prefix`.
    pub fn anything_but_prefix(prefix: impl Into<String>) -> Matcher {
        Matcher::AnythingButPrefix(prefix.into())
    }
    /// A number for which every comparison holds: `numeric([(Cmp::Gt, 0.0), (Cmp::Le, 5.0)])`.
    pub fn numeric(comparisons: impl IntoIterator<Item = (Cmp, f64)>) -> Matcher {
        Matcher::Numeric(comparisons.into_iter().collect())
    }
    /// The field is present (`true`) or absent (`false`).
    pub fn exists(present: bool) -> Matcher {
        Matcher::Exists(present)
    }
    /// A string equal to `value` regardless of case.
    pub fn equals_ignore_case(value: impl Into<String>) -> Matcher {
        Matcher::EqualsIgnoreCase(value.into())
    }
    /// A string matching `pattern`, where `*` stands for any characters.
    pub fn wildcard(pattern: impl Into<String>) -> Matcher {
        Matcher::Wildcard(pattern.into())
    }
    /// An IP address in the CIDR range `range`.
    pub fn cidr(range: impl Into<String>) -> Matcher {
        Matcher::Cidr(range.into())
    }

    /// The matcher as it is written in a pattern (for use inside hand-written `detail` JSON).
    pub fn to_json(&self) -> Json {
        match self {
            Matcher::Exactly(v) => v.clone(),
            Matcher::Prefix(p) => json!({"prefix": p}),
            Matcher::Suffix(s) => json!({"suffix": s}),
            Matcher::PrefixIgnoreCase(p) => json!({"prefix": {"equals-ignore-case": p}}),
            Matcher::SuffixIgnoreCase(s) => json!({"suffix": {"equals-ignore-case": s}}),
            Matcher::AnythingBut(values) => json!({"anything-but": values}),
            Matcher::AnythingButPrefix(p) => json!({"anything-but": {"prefix": p}}),
            Matcher::Numeric(cmps) => {
                let mut items = Vec::new();
                for (op, n) in cmps {
                    items.push(json!(op.as_str()));
                    items.push(json!(n));
                }
                json!({ "numeric": items })
            }
            Matcher::Exists(b) => json!({"exists": b}),
            Matcher::EqualsIgnoreCase(v) => json!({"equals-ignore-case": v}),
            Matcher::Wildcard(w) => json!({"wildcard": w}),
            Matcher::Cidr(c) => json!({"cidr": c}),
        }
    }
}

impl From<&str> for Matcher {
    fn from(s: &str) -> Self {
        Matcher::Exactly(Json::String(s.to_string()))
    }
}

impl From<String> for Matcher {
    fn from(s: String) -> Self {
        Matcher::Exactly(Json::String(s))
    }
}

/// An event pattern (`EventPattern`): `EventPattern::new()` then a method per field; every
/// field set must match.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventPattern {
    fields: IndexMap<String, Json>,
}

fn matchers<M: Into<Matcher>>(values: impl IntoIterator<Item = M>) -> Json {
    Json::Array(values.into_iter().map(|m| m.into().to_json()).collect())
}

impl EventPattern {
    /// A pattern with no field yet (one with none is refused at synth).
    pub fn new() -> Self {
        Self::default()
    }
    /// `source`: events from one of these sources (`"my.orders"`, `"aws.s3"`).
    pub fn source<M: Into<Matcher>>(self, values: impl IntoIterator<Item = M>) -> Self {
        self.field("source", values)
    }
    /// `detail-type`: events of one of these types.
    pub fn detail_type<M: Into<Matcher>>(self, values: impl IntoIterator<Item = M>) -> Self {
        self.field("detail-type", values)
    }
    /// `account`: events from one of these accounts.
    pub fn account<M: Into<Matcher>>(self, values: impl IntoIterator<Item = M>) -> Self {
        self.field("account", values)
    }
    /// `region`: events from one of these regions.
    pub fn region<M: Into<Matcher>>(self, values: impl IntoIterator<Item = M>) -> Self {
        self.field("region", values)
    }
    /// `resources`: events about one of these resource ARNs.
    pub fn resources<M: Into<Matcher>>(self, values: impl IntoIterator<Item = M>) -> Self {
        self.field("resources", values)
    }
    /// Any top-level field of the event (`time`, `id`, ...).
    pub fn field<M: Into<Matcher>>(
        mut self,
        name: &str,
        values: impl IntoIterator<Item = M>,
    ) -> Self {
        self.fields.insert(name.to_string(), matchers(values));
        self
    }
    /// `detail` as written by hand: an object whose leaves are arrays of values or filters
    /// (use [`Matcher::to_json`] inside it). Replaces what [`EventPattern::detail_field`] set.
    pub fn detail(mut self, detail: Json) -> Self {
        self.fields.insert("detail".into(), detail);
        self
    }
    /// One field of `detail`, by its dotted path (`"order.total"`), matching one of `values`.
    pub fn detail_field<M: Into<Matcher>>(
        mut self,
        path: &str,
        values: impl IntoIterator<Item = M>,
    ) -> Self {
        let entry = self
            .fields
            .entry("detail".into())
            .or_insert_with(|| Json::Object(Map::new()));
        let mut current = entry;
        let keys: Vec<&str> = path.split('.').collect();
        for (i, key) in keys.iter().enumerate() {
            if !current.is_object() {
                *current = Json::Object(Map::new());
            }
            let Json::Object(map) = current else { break };
            if i + 1 == keys.len() {
                map.insert(key.to_string(), matchers(values));
                break;
            }
            current = map
                .entry(key.to_string())
                .or_insert_with(|| Json::Object(Map::new()));
        }
        self
    }

    /// The pattern as JSON, fields in the order set.
    pub fn to_json(&self) -> Json {
        Json::Object(
            self.fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// What EventBridge would refuse in this pattern, each with where it is (`detail.total`).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.fields.is_empty() {
            out.push("an event pattern needs at least one field".into());
        }
        for (k, v) in &self.fields {
            check_entry(k, k, v, &mut out);
        }
        out
    }
}

/// A field of a pattern object; `$or` holds a list of patterns, any of which may match.
fn check_entry(at: &str, key: &str, value: &Json, out: &mut Vec<String>) {
    match (key, value) {
        ("$or", Json::Array(alternatives)) if alternatives.len() >= 2 => {
            for a in alternatives {
                check_node(at, a, out);
            }
        }
        ("$or", _) => out.push(format!("{at}: $or takes a list of at least two patterns")),
        _ => check_node(at, value, out),
    }
}

/// A node of a pattern: an object of nodes, or a leaf that is a non-empty array of values and
/// filters.
fn check_node(at: &str, node: &Json, out: &mut Vec<String>) {
    match node {
        Json::Object(map) => {
            if map.is_empty() {
                out.push(format!("{at}: an empty object matches nothing"));
            }
            for (k, v) in map {
                check_entry(&format!("{at}.{k}"), k, v, out);
            }
        }
        Json::Array(items) => {
            if items.is_empty() {
                out.push(format!("{at}: an empty list matches no event"));
            }
            for item in items {
                check_leaf(at, item, out);
            }
        }
        other => out.push(format!(
            "{at}: a pattern's values are lists ([{other}]), not a single value"
        )),
    }
}

fn check_leaf(at: &str, item: &Json, out: &mut Vec<String>) {
    let Json::Object(filter) = item else {
        if item.is_array() {
            out.push(format!("{at}: a list inside a list is not a pattern"));
        }
        return;
    };
    let Some((kind, arg)) = filter.iter().next().filter(|_| filter.len() == 1) else {
        out.push(format!(
            "{at}: a filter is an object of one key ({{\"prefix\": ...}}), not {item}"
        ));
        return;
    };
    let string_arg = |out: &mut Vec<String>| {
        if !arg.is_string() {
            out.push(format!("{at}: {kind} takes a string, not {arg}"));
        }
    };
    match kind.as_str() {
        "prefix" | "suffix" => {
            let ignoring_case = arg.as_object().is_some_and(|inner| {
                inner.len() == 1
                    && inner
                        .get("equals-ignore-case")
                        .is_some_and(Json::is_string)
            });
            if !arg.is_string() && !ignoring_case {
                out.push(format!(
                    "{at}: {kind} takes a string or {{\"equals-ignore-case\": a string}}, not {arg}"
                ));
            }
        }
        "equals-ignore-case" | "cidr" => string_arg(out),
        "wildcard" => {
            string_arg(out);
            if arg.as_str().is_some_and(|w| w.contains("**")) {
                out.push(format!(
                    "{at}: the wildcard {arg} has consecutive *, which EventBridge refuses"
                ));
            }
        }
        "exists" => {
            if !arg.is_boolean() {
                out.push(format!("{at}: exists takes true or false, not {arg}"));
            }
        }
        "anything-but" => match arg {
            Json::Array(values) if values.is_empty() => {
                out.push(format!("{at}: anything-but needs at least one value"))
            }
            Json::Array(values) => {
                let strings = values.iter().all(Json::is_string);
                let numbers = values.iter().all(Json::is_number);
                if !strings && !numbers {
                    out.push(format!(
                        "{at}: anything-but takes a list of strings or a list of numbers, not {arg}"
                    ));
                }
            }
            Json::Object(inner) => {
                let ok = inner.len() == 1
                    && inner.iter().all(|(k, v)| {
                        matches!(
                            k.as_str(),
                            "prefix" | "suffix" | "equals-ignore-case" | "wildcard"
                        ) && (v.is_string()
                            || v.as_array().is_some_and(|a| a.iter().all(Json::is_string)))
                    });
                if !ok {
                    out.push(format!(
                        "{at}: anything-but takes values or one of prefix, suffix, equals-ignore-case, wildcard, not {arg}"
                    ));
                }
            }
            Json::String(_) | Json::Number(_) => {}
            other => out.push(format!(
                "{at}: anything-but takes strings or numbers, not {other}"
            )),
        },
        "numeric" => check_numeric(at, arg, out),
        other => out.push(format!(
            "{at}: \"{other}\" is not a filter EventBridge knows (prefix, suffix, anything-but, numeric, exists, equals-ignore-case, wildcard, cidr)"
        )),
    }
}

fn check_numeric(at: &str, arg: &Json, out: &mut Vec<String>) {
    let items = arg.as_array().map(Vec::as_slice).unwrap_or_default();
    let pairs: Vec<(&str, f64)> = items
        .chunks(2)
        .filter_map(|c| match c {
            [Json::String(op), Json::Number(n)] => Some((op.as_str(), n.as_f64()?)),
            _ => None,
        })
        .collect();
    if items.is_empty() || items.len() % 2 != 0 || pairs.len() * 2 != items.len() {
        out.push(format!(
            "{at}: numeric takes pairs of a comparison and a number ([\">\", 0, \"<=\", 5]), not {arg}"
        ));
        return;
    }
    let lower = pairs.iter().filter(|(op, _)| op.starts_with('>')).count();
    let upper = pairs.iter().filter(|(op, _)| op.starts_with('<')).count();
    let equal = pairs.iter().filter(|(op, _)| *op == "=").count();
    let known = pairs
        .iter()
        .all(|(op, _)| matches!(*op, "=" | "<" | "<=" | ">" | ">="));
    if !known || lower > 1 || upper > 1 || (equal > 0 && pairs.len() > 1) {
        out.push(format!(
            "{at}: numeric takes \"=\" alone, or at most one lower (>, >=) and one upper (<, <=) bound, not {arg}"
        ));
    }
}
