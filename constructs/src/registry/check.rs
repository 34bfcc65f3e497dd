//! The check of a resource's properties against its type's registry schema: a small
//! interpreter of the JSON-schema keywords the registry and cfn-lint use, which judges only
//! literal values and does not act on a branch that a value known at deploy could decide.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value as Json};

use super::schema;

/// One way a resource's properties break its type's schema: where (`KeySpec`,
/// `Tags[0].Key`, empty for the properties as a whole), what is wrong, and what to do when
/// that is known (the closest known property name of a misspelled one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The property path: names joined by `.`, list indexes in brackets.
    pub property: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What to do, when known.
    pub help: Option<String>,
}

/// The violations of `properties` (a resource's `Properties`, rendered) against the schema of
/// `type_name`; `None` when the registry does not have the type. Required properties in
/// `skip_required` are not reported missing (a typed resource's own check reports them).
pub fn check(type_name: &str, properties: &Json, skip_required: &[&str]) -> Option<Vec<Violation>> {
    let schema = schema(type_name)?;
    let mut checker = Checker {
        root: &schema,
        out: Vec::new(),
        depth: 0,
        uncertain: false,
    };
    let empty = Json::Object(Map::new());
    let properties = if properties.is_null() {
        &empty
    } else {
        properties
    };
    checker.value(properties, &schema, "", skip_required);
    let mut out = checker.out;
    out.dedup();
    Some(out)
}

/// Whether `v` is an intrinsic function or a `Ref`: a value known only at deploy.
fn intrinsic(v: &Json) -> bool {
    match v.as_object() {
        Some(m) if m.len() == 1 => m
            .keys()
            .next()
            .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::")),
        _ => false,
    }
}

/// Whether `v` holds an intrinsic function anywhere.
fn holds_intrinsic(v: &Json) -> bool {
    intrinsic(v)
        || match v {
            Json::Object(m) => m.values().any(holds_intrinsic),
            Json::Array(items) => items.iter().any(holds_intrinsic),
            _ => false,
        }
}

/// `base` with `name` appended as a property path.
fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}.{name}")
    }
}

/// The kind of a JSON value, as a message names it.
fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// A number as CloudFormation reads it: a JSON number, or a string holding one.
fn number(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// Whether `v` is of the schema type `t`, as leniently as CloudFormation converts scalars.
fn is_type(v: &Json, t: &str) -> bool {
    match t {
        "string" => matches!(v, Json::String(_) | Json::Number(_) | Json::Bool(_)),
        "integer" => match v {
            Json::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            Json::String(s) => s.trim().parse::<i128>().is_ok(),
            _ => false,
        },
        "number" => number(v).is_some(),
        "boolean" => match v {
            Json::Bool(_) => true,
            Json::String(s) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
            _ => false,
        },
        "object" => v.is_object(),
        "array" => v.is_array(),
        "null" => v.is_null(),
        _ => true,
    }
}

/// The scalar's text, as an enum or a pattern compares it.
fn text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A compiled pattern, once per process; `None` when the engine cannot take it.
pub(super) fn pattern(source: &str) -> Option<Arc<regex_lite::Regex>> {
    static COMPILED: OnceLock<Mutex<HashMap<String, Option<Arc<regex_lite::Regex>>>>> =
        OnceLock::new();
    let cache = COMPILED.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().ok()?;
    cache
        .entry(source.to_string())
        // `\Z` (Java's and Python's end of input) is the engine's `\z`
        .or_insert_with(|| {
            regex_lite::Regex::new(&source.replace("\\Z", "\\z"))
                .ok()
                .map(Arc::new)
        })
        .clone()
}

/// The known name closest to `name` (an edit distance of at most a third of its length, and
/// at least 2), for "did you mean".
pub(crate) fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(2);
    known
        .map(|k| (distance(&name.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, k)| k)
}

/// Levenshtein distance, by characters.
pub(super) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The schema `schema`'s `$ref` points at (`#/definitions/Tag`) within the type's schema
/// `root`, followed through at most 16 references; `schema` itself when it has none.
pub(super) fn resolve_ref<'s>(root: &'s Json, schema: &'s Json) -> &'s Json {
    let mut schema = schema;
    for _ in 0..16 {
        let Some(reference) = schema.get("$ref").and_then(Json::as_str) else {
            return schema;
        };
        let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
        else {
            return schema;
        };
        schema = target;
    }
    schema
}

/// The deepest a schema is followed (through `$ref`s): schemas that refer to themselves are
/// followed as deep as a template's value goes, and no deeper than this.
const MAX_DEPTH: usize = 64;

struct Checker<'s> {
    root: &'s Json,
    out: Vec<Violation>,
    depth: usize,
    /// Whether a part of the value could not be judged (an intrinsic function, a pattern the
    /// engine cannot take): a schema it passes may still refuse it at deploy, so a
    /// combination (`if`, `not`, `oneOf`) must not act on "it matched".
    uncertain: bool,
}

/// Whether a value satisfies a schema: surely, surely not, or cannot be told at synth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Yes,
    No,
    Unknown,
}

impl<'s> Checker<'s> {
    /// The schema `$ref` points at (`#/definitions/Tag`), within the type's schema.
    fn resolve(&self, schema: &'s Json) -> &'s Json {
        resolve_ref(self.root, schema)
    }

    fn push(&mut self, property: &str, message: String, help: Option<String>) {
        self.out.push(Violation {
            property: property.to_string(),
            message,
            help,
        });
    }

    /// Whether `v` satisfies `schema`, its violations not reported: `Unknown` when it broke
    /// nothing but a part of it could not be judged.
    fn satisfies(&mut self, v: &Json, schema: &'s Json, at: &str) -> Match {
        let before = self.out.len();
        let was = std::mem::replace(&mut self.uncertain, false);
        self.value(v, schema, at, &[]);
        let failed = self.out.len() > before;
        self.out.truncate(before);
        let unsure = std::mem::replace(&mut self.uncertain, was);
        if failed {
            Match::No
        } else if unsure {
            Match::Unknown
        } else {
            Match::Yes
        }
    }

    fn value(&mut self, v: &Json, schema: &'s Json, at: &str, skip_required: &[&str]) {
        if intrinsic(v) || self.depth > MAX_DEPTH {
            self.uncertain = true;
            return;
        }
        let schema = self.resolve(schema);
        if !schema.is_object() {
            return;
        }
        self.depth += 1;
        self.checks(v, schema, at, skip_required);
        self.depth -= 1;
    }

    fn checks(&mut self, v: &Json, schema: &'s Json, at: &str, skip_required: &[&str]) {
        // type
        let types: Vec<&str> = match schema.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|t| is_type(v, t)) {
            let wanted: Vec<String> = types
                .iter()
                .map(|t| match *t {
                    "array" => "a list".to_string(),
                    "object" | "integer" => format!("an {t}"),
                    other => format!("a {other}"),
                })
                .collect();
            self.push(
                at,
                format!("must be {}, not {}", wanted.join(" or "), kind(v)),
                None,
            );
            return;
        }

        // scalars
        if let Some(options) = schema.get("enum").and_then(Json::as_array) {
            if let Some(t) = text(v) {
                let insensitive = schema
                    .get("enumCaseInsensitive")
                    .and_then(Json::as_bool)
                    .unwrap_or(false);
                let allowed: Vec<String> = options.iter().filter_map(text).collect();
                // numbers compare as numbers (7.0 is 7), other scalars as text
                let found = options
                    .iter()
                    .any(|o| match (number(o), o.is_number(), number(v)) {
                        (Some(a), true, Some(b)) => a == b,
                        _ => text(o).is_some_and(|a| {
                            if insensitive {
                                a.eq_ignore_ascii_case(&t)
                            } else {
                                a == t
                            }
                        }),
                    });
                if !found && !allowed.is_empty() {
                    let listed = if allowed.len() <= 12 {
                        allowed.join(", ")
                    } else {
                        format!(
                            "{}, ... ({} values)",
                            allowed[..12].join(", "),
                            allowed.len()
                        )
                    };
                    // a misspelling has a closest value; a number has none
                    let (shown, near) = match v {
                        Json::String(_) if number(v).is_none() => (
                            format!("{t:?}"),
                            closest(&t, allowed.iter().map(String::as_str)),
                        ),
                        _ => (t.clone(), None),
                    };
                    self.push(
                        at,
                        format!(
                            "{shown} is not one of the values CloudFormation accepts: {listed}"
                        ),
                        near.map(|n| format!("did you mean {n}?")),
                    );
                }
            }
        }
        if let Some(constant) = schema.get("const") {
            if text(v).is_some() && text(v) != text(constant) {
                self.push(at, format!("must be {constant}, not {v}"), None);
            }
        }
        if let Json::String(s) = v {
            let length = s.chars().count();
            if let Some(min) = schema.get("minLength").and_then(Json::as_u64) {
                if (length as u64) < min {
                    self.push(
                        at,
                        format!("{s:?} is {length} characters long; the least is {min}"),
                        None,
                    );
                }
            }
            if let Some(max) = schema.get("maxLength").and_then(Json::as_u64) {
                if (length as u64) > max {
                    self.push(
                        at,
                        format!("a value of {length} characters is longer than the most, {max}"),
                        None,
                    );
                }
            }
            if let Some(source) = schema.get("pattern").and_then(Json::as_str) {
                match pattern(source) {
                    Some(re) if !re.is_match(s) => self.push(
                        at,
                        format!("{s:?} does not match the pattern {source}"),
                        None,
                    ),
                    Some(_) => {}
                    None => self.uncertain = true,
                }
            }
        }
        if !v.is_string() || types.iter().any(|t| *t == "integer" || *t == "number") {
            if let Some(n) = number(v) {
                let shown = text(v).unwrap_or_default();
                if let Some(min) = schema.get("minimum").and_then(Json::as_f64) {
                    if n < min {
                        self.push(at, format!("{shown} is less than the minimum, {min}"), None);
                    }
                }
                if let Some(max) = schema.get("maximum").and_then(Json::as_f64) {
                    if n > max {
                        self.push(at, format!("{shown} is more than the maximum, {max}"), None);
                    }
                }
                if let Some(step) = schema.get("multipleOf").and_then(Json::as_f64) {
                    if step > 0.0 && ((n / step).round() * step - n).abs() > 1e-9 * n.abs().max(1.0)
                    {
                        self.push(at, format!("{shown} is not a multiple of {step}"), None);
                    }
                }
                if let Some(min) = schema.get("exclusiveMinimum").and_then(Json::as_f64) {
                    if n <= min {
                        self.push(at, format!("{shown} must be more than {min}"), None);
                    }
                }
                if let Some(max) = schema.get("exclusiveMaximum").and_then(Json::as_f64) {
                    if n >= max {
                        self.push(at, format!("{shown} must be less than {max}"), None);
                    }
                }
            }
        }

        // lists
        if let Json::Array(items) = v {
            if let Some(min) = schema.get("minItems").and_then(Json::as_u64) {
                if (items.len() as u64) < min {
                    self.push(
                        at,
                        format!("has {} items; the least is {min}", items.len()),
                        None,
                    );
                }
            }
            if let Some(max) = schema.get("maxItems").and_then(Json::as_u64) {
                if (items.len() as u64) > max {
                    self.push(
                        at,
                        format!("has {} items; the most is {max}", items.len()),
                        None,
                    );
                }
            }
            if schema.get("uniqueItems").and_then(Json::as_bool) == Some(true)
                && !items.iter().any(holds_intrinsic)
            {
                if let Some(i) = (1..items.len()).find(|&i| items[..i].contains(&items[i])) {
                    self.push(
                        &format!("{at}[{i}]"),
                        "repeats an earlier item; the items must be unique".to_string(),
                        None,
                    );
                }
            }
            if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
                for (i, item) in items.iter().enumerate() {
                    self.value(item, item_schema, &format!("{at}[{i}]"), &[]);
                }
            }
        }

        // objects
        if let Json::Object(given) = v {
            self.object(given, schema, at, skip_required);
        }

        // combinations
        if let Some(all) = schema.get("allOf").and_then(Json::as_array) {
            for sub in all {
                self.value(v, sub, at, &[]);
            }
        }
        if let Some(any) = schema.get("anyOf").and_then(Json::as_array) {
            let results: Vec<Match> = any.iter().map(|sub| self.satisfies(v, sub, at)).collect();
            if !any.is_empty() && results.iter().all(|m| *m == Match::No) {
                self.push(at, describe_alternatives(v, any, "any"), None);
            } else if !results.contains(&Match::Yes) && !any.is_empty() {
                self.uncertain = true;
            }
        }
        if let Some(one) = schema.get("oneOf").and_then(Json::as_array) {
            let results: Vec<Match> = one.iter().map(|sub| self.satisfies(v, sub, at)).collect();
            let yes = results.iter().filter(|m| **m == Match::Yes).count();
            let unknown = results.iter().filter(|m| **m == Match::Unknown).count();
            if !one.is_empty() && yes == 0 && unknown == 0 {
                self.push(at, describe_alternatives(v, one, "one"), None);
            } else if yes > 1 {
                self.push(at, describe_alternatives(v, one, "only one"), None);
            } else if unknown > 0 {
                self.uncertain = true;
            }
        }
        if let Some(not) = schema.get("not") {
            let result = if not.is_object() {
                self.satisfies(v, not, at)
            } else {
                Match::No
            };
            if result == Match::Unknown {
                self.uncertain = true;
            }
            if result == Match::Yes {
                let message = match not.get("required").and_then(Json::as_array) {
                    Some(names) => format!(
                        "may not set {} together",
                        names
                            .iter()
                            .filter_map(Json::as_str)
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                    None => "is a value the schema excludes".to_string(),
                };
                self.push(at, message, None);
            }
        }
        if let Some(condition) = schema.get("if") {
            // a condition that cannot be told applies neither branch
            let branch = match self.satisfies(v, condition, at) {
                Match::Yes => schema.get("then"),
                Match::No => schema.get("else"),
                Match::Unknown => {
                    self.uncertain = true;
                    None
                }
            };
            if let Some(branch) = branch {
                self.value(v, branch, at, &[]);
            }
        }
    }

    fn object(
        &mut self,
        given: &Map<String, Json>,
        schema: &'s Json,
        at: &str,
        skip_required: &[&str],
    ) {
        let properties = schema.get("properties").and_then(Json::as_object);
        let patterns = schema.get("patternProperties").and_then(Json::as_object);
        // a key whose value is an intrinsic may be dropped at deploy (an Fn::If with
        // AWS::NoValue): present, but not surely
        let surely = |name: &str| given.get(name).is_some_and(|v| !intrinsic(v));
        let maybe = |name: &str| given.contains_key(name);
        if let Some(required) = schema.get("required").and_then(Json::as_array) {
            for name in required.iter().filter_map(Json::as_str) {
                if !maybe(name) && !skip_required.contains(&name) {
                    self.push(
                        &join(at, name),
                        format!("{name} is required and missing"),
                        None,
                    );
                } else if maybe(name) && !surely(name) {
                    self.uncertain = true;
                }
            }
        }
        for (bound, is_min) in [("minProperties", true), ("maxProperties", false)]
            .iter()
            .filter_map(|(k, min)| Some((schema.get(*k)?.as_u64()?, *min)))
        {
            let n = given.len() as u64;
            if (is_min && n < bound) || (!is_min && n > bound) {
                self.push(
                    at,
                    format!(
                        "has {n} keys; the {} is {bound}",
                        if is_min { "least" } else { "most" }
                    ),
                    None,
                );
            }
        }
        if let Some(dependencies) = schema.get("dependencies").and_then(Json::as_object) {
            for (name, needs) in dependencies {
                if !surely(name) {
                    if maybe(name) {
                        self.uncertain = true;
                    }
                    continue;
                }
                match needs {
                    Json::Array(others) => {
                        for other in others.iter().filter_map(Json::as_str) {
                            if !maybe(other) {
                                self.push(
                                    &join(at, other),
                                    format!("{other} is required when {name} is set"),
                                    None,
                                );
                            }
                        }
                    }
                    Json::Object(_) => self.value(&Json::Object(given.clone()), needs, at, &[]),
                    _ => {}
                }
            }
        }
        // cfn-lint's keywords: properties that require or exclude others, one or at least one
        // of a set
        if let Some(dependent) = schema.get("dependentRequired").and_then(Json::as_object) {
            for (name, others) in dependent {
                if !surely(name) {
                    if maybe(name) {
                        self.uncertain = true;
                    }
                    continue;
                }
                for other in others
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                {
                    if !maybe(other) {
                        self.push(
                            &join(at, other),
                            format!("{other} is required when {name} is set"),
                            None,
                        );
                    }
                }
            }
        }
        if let Some(excluded) = schema.get("dependentExcluded").and_then(Json::as_object) {
            for (name, others) in excluded {
                if !maybe(name) {
                    continue;
                }
                for other in others
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                {
                    if maybe(other) && !(surely(name) && surely(other)) {
                        self.uncertain = true;
                    } else if surely(other) {
                        self.push(
                            &join(at, other),
                            format!("{other} may not be set together with {name}"),
                            None,
                        );
                    }
                }
            }
        }
        for (keyword, exactly) in [("requiredXor", true), ("requiredOr", false)] {
            let Some(names) = schema.get(keyword).and_then(Json::as_array) else {
                continue;
            };
            let names: Vec<&str> = names.iter().filter_map(Json::as_str).collect();
            let sure = names.iter().filter(|n| surely(n)).count();
            let present = names.iter().filter(|n| maybe(n)).count();
            if exactly && sure <= 1 && present > 1 {
                self.uncertain = true;
            }
            if present == 0 || (exactly && sure > 1) {
                self.push(
                    at,
                    format!(
                        "must set {} of {}",
                        if exactly {
                            "exactly one"
                        } else {
                            "at least one"
                        },
                        names.join(", ")
                    ),
                    None,
                );
            }
        }
        let closed = schema.get("additionalProperties") == Some(&Json::Bool(false));
        let additional = schema.get("additionalProperties").filter(|s| s.is_object());
        for (name, value) in given {
            let here = join(at, name);
            let mut known = false;
            if let Some(sub) = properties.and_then(|p| p.get(name)) {
                known = true;
                self.value(value, sub, &here, &[]);
            }
            if let Some(patterns) = patterns {
                for (source, sub) in patterns {
                    match pattern(source) {
                        Some(re) if re.is_match(name) => {
                            known = true;
                            self.value(value, sub, &here, &[]);
                        }
                        Some(_) => {}
                        // a pattern the engine cannot take: the name may be one it allows
                        None => {
                            known = true;
                            self.uncertain = true;
                        }
                    }
                }
            }
            if known {
                continue;
            }
            if let Some(sub) = additional {
                self.value(value, sub, &here, &[]);
            } else if closed && properties.is_some() {
                let near = properties.and_then(|p| closest(name, p.keys().map(String::as_str)));
                self.push(
                    &here,
                    format!("{name} is not a property of this type"),
                    Some(match near {
                        Some(n) => format!("did you mean {n}?"),
                        None => "remove it, or check the type's documentation".to_string(),
                    }),
                );
            }
        }
    }
}

/// The message of a value that matches none (or more than one) of `alternatives`.
fn describe_alternatives(v: &Json, alternatives: &[Json], how: &str) -> String {
    let sets: Vec<String> = alternatives
        .iter()
        .filter_map(|a| a.get("required").and_then(Json::as_array))
        .map(|names| {
            names
                .iter()
                .filter_map(Json::as_str)
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .filter(|s| !s.is_empty())
        .collect();
    if sets.len() == alternatives.len() && v.is_object() {
        format!("must set {how} of: {}", sets.join("; "))
    } else if how == "only one" {
        format!(
            "matches more than one of the {} forms the schema allows; it must match exactly one",
            alternatives.len()
        )
    } else {
        format!(
            "matches none of the {} forms the schema allows",
            alternatives.len()
        )
    }
}
