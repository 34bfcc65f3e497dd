//! Parsing ASL JSON into the typed model; unknown fields are errors.

use std::collections::HashSet;

use serde_json::{Map as JsonMap, Value as Json};

use crate::core::value::Value;

use super::condition::Condition;
use super::model::*;

mod map;
use map::parse_map;

/// Why a definition could not be parsed: where (a JSON-pointer-like path) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if at.is_empty() { String::new() } else { format!("{at}: ") })]
pub struct ParseError {
    /// Where in the definition (`/States/Wait 30s/Seconds`), or the line and column of bad
    /// JSON text.
    pub at: String,
    /// What is wrong there.
    pub message: String,
}

type Result<T> = std::result::Result<T, ParseError>;

fn err<T>(at: &str, message: impl Into<String>) -> Result<T> {
    Err(ParseError {
        at: at.to_string(),
        message: message.into(),
    })
}

/// An object whose fields are taken one by one; what is left is reported.
struct Fields<'a> {
    at: String,
    map: &'a JsonMap<String, Json>,
    taken: HashSet<&'a str>,
}

impl<'a> Fields<'a> {
    fn new(at: &str, v: &'a Json) -> Result<Self> {
        match v.as_object() {
            Some(map) => Ok(Fields {
                at: at.to_string(),
                map,
                taken: HashSet::new(),
            }),
            None => err(at, "expected an object"),
        }
    }
    fn here(&self, key: &str) -> String {
        format!("{}/{key}", self.at)
    }
    fn take(&mut self, key: &'a str) -> Option<&'a Json> {
        let v = self.map.get(key)?;
        self.taken.insert(key);
        Some(v)
    }
    fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }
    fn string(&mut self, key: &'a str) -> Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => err(&self.here(key), "expected a string"),
        }
    }
    fn required_string(&mut self, key: &'a str) -> Result<String> {
        match self.string(key)? {
            Some(s) => Ok(s),
            None => err(&self.at, format!("{key} is required")),
        }
    }
    fn u32(&mut self, key: &'a str) -> Result<Option<u32>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) => Ok(Some(n)),
                None => err(&self.here(key), "expected a non-negative integer"),
            },
        }
    }
    fn value(&mut self, key: &'a str) -> Option<Value> {
        self.take(key).cloned().map(Value::from)
    }
    fn path_value(&mut self, key: &'a str) -> Result<Option<PathValue>> {
        match self.take(key) {
            None => Ok(None),
            Some(Json::Null) => Ok(Some(PathValue::Null)),
            Some(Json::String(s)) => Ok(Some(PathValue::Path(s.clone()))),
            Some(_) => err(&self.here(key), "expected a path or null"),
        }
    }
    /// `Key` (a number or a JSONata string) or `KeyPath`.
    fn amount(&mut self, key: &'a str, path_key: &'a str) -> Result<Option<Amount>> {
        let direct = match self.take(key) {
            None => None,
            Some(Json::Number(n)) => Some(Amount::Value(n.clone())),
            Some(Json::String(s)) => Some(Amount::Expr(s.clone())),
            Some(_) => return err(&self.here(key), "expected a number or a JSONata expression"),
        };
        let path = self.string(path_key)?.map(Amount::Path);
        match (direct, path) {
            (Some(_), Some(_)) => err(
                &self.at,
                format!("{key} and {path_key} are mutually exclusive"),
            ),
            (d, p) => Ok(d.or(p)),
        }
    }
    fn transition(&mut self) -> Result<Option<Transition>> {
        let next = self.string("Next")?;
        let end = match self.take("End") {
            None => None,
            Some(Json::Bool(b)) => Some(*b),
            Some(_) => return err(&self.here("End"), "expected true or false"),
        };
        match (next, end) {
            (Some(_), Some(true)) => err(&self.at, "Next and End: true are mutually exclusive"),
            (Some(n), _) => Ok(Some(Transition::Next(n))),
            (None, Some(true)) => Ok(Some(Transition::End)),
            (None, _) => Ok(None),
        }
    }
    fn finish(self) -> Result<()> {
        let mut unknown: Vec<&String> = self
            .map
            .keys()
            .filter(|k| !self.taken.contains(k.as_str()))
            .collect();
        unknown.sort();
        match unknown.first() {
            None => Ok(()),
            Some(k) => err(&self.here(k), format!("unknown field {k}")),
        }
    }
}

fn error_names(at: &str, v: Option<&Json>) -> Result<Vec<ErrorName>> {
    let Some(Json::Array(items)) = v else {
        return err(at, "ErrorEquals must be an array of error names");
    };
    items
        .iter()
        .map(|i| match i.as_str() {
            Some(s) => Ok(ErrorName::parse(s)),
            None => err(at, "an error name must be a string"),
        })
        .collect()
}

fn retriers(f: &mut Fields<'_>) -> Result<Vec<Retrier>> {
    let Some(v) = f.take("Retry") else {
        return Ok(Vec::new());
    };
    let at = f.here("Retry");
    let Some(items) = v.as_array() else {
        return err(&at, "expected an array");
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut r = Fields::new(&format!("{at}/{i}"), item)?;
            let error_equals = error_names(&r.here("ErrorEquals"), r.take("ErrorEquals"))?;
            let backoff_rate = match r.take("BackoffRate") {
                None => None,
                Some(Json::Number(n)) => Some(n.clone()),
                Some(_) => return err(&r.here("BackoffRate"), "expected a number"),
            };
            let jitter_strategy = match r.string("JitterStrategy")?.as_deref() {
                None => None,
                Some("FULL") => Some(Jitter::Full),
                Some("NONE") => Some(Jitter::None),
                Some(other) => {
                    return err(
                        &r.here("JitterStrategy"),
                        format!("{other} is not FULL or NONE"),
                    )
                }
            };
            let retrier = Retrier {
                error_equals,
                interval_seconds: r.u32("IntervalSeconds")?,
                max_attempts: r.u32("MaxAttempts")?,
                backoff_rate,
                max_delay_seconds: r.u32("MaxDelaySeconds")?,
                jitter_strategy,
                comment: r.string("Comment")?,
            };
            r.finish()?;
            Ok(retrier)
        })
        .collect()
}

fn catchers(f: &mut Fields<'_>) -> Result<Vec<Catcher>> {
    let Some(v) = f.take("Catch") else {
        return Ok(Vec::new());
    };
    let at = f.here("Catch");
    let Some(items) = v.as_array() else {
        return err(&at, "expected an array");
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut c = Fields::new(&format!("{at}/{i}"), item)?;
            let catcher = Catcher {
                error_equals: error_names(&c.here("ErrorEquals"), c.take("ErrorEquals"))?,
                next: c.required_string("Next")?,
                result_path: c.path_value("ResultPath")?,
                output: c.value("Output"),
                assign: c.value("Assign"),
                comment: c.string("Comment")?,
            };
            c.finish()?;
            Ok(catcher)
        })
        .collect()
}

fn parse_rules(f: &mut Fields<'_>) -> Result<Vec<ChoiceRule>> {
    let at = f.here("Choices");
    let Some(Json::Array(items)) = f.take("Choices") else {
        return err(&f.at, "a Choice state needs Choices (an array of rules)");
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{at}/{i}");
            let Some(map) = item.as_object() else {
                return err(&here, "expected an object");
            };
            let condition = Condition::from_json(map, &["Next", "Comment", "Assign", "Output"])
                .or_else(|e| err(&here, e.to_string()))?;
            let next = match map.get("Next") {
                Some(Json::String(n)) => n.clone(),
                _ => return err(&here, "a choice rule needs Next"),
            };
            Ok(ChoiceRule {
                condition,
                next,
                comment: map
                    .get("Comment")
                    .and_then(Json::as_str)
                    .map(str::to_string),
                assign: map.get("Assign").cloned().map(Value::from),
                output: map.get("Output").cloned().map(Value::from),
            })
        })
        .collect()
}

fn parse_state(at: &str, v: &Json) -> Result<State> {
    let mut f = Fields::new(at, v)?;
    let type_name = f.required_string("Type")?;
    let comment = f.string("Comment")?;
    let query_language = match f.string("QueryLanguage")?.as_deref() {
        None => None,
        Some("JSONPath") => Some(QueryLanguage::JsonPath),
        Some("JSONata") => Some(QueryLanguage::Jsonata),
        Some(other) => {
            return err(
                &f.here("QueryLanguage"),
                format!("{other} is not JSONPath or JSONata"),
            )
        }
    };
    let kind = match type_name.as_str() {
        "Pass" => StateKind::Pass(Pass {
            parameters: f.value("Parameters"),
            result: f.value("Result"),
            result_path: f.path_value("ResultPath")?,
            next: f.transition()?,
        }),
        "Task" => {
            let resource = match f.take("Resource") {
                Some(Json::String(s)) => Value::String(s.clone()),
                Some(_) => return err(&f.here("Resource"), "expected a string"),
                None => return err(at, "a Task state needs Resource"),
            };
            StateKind::Task(Task {
                resource,
                parameters: f.value("Parameters"),
                arguments: f.value("Arguments"),
                result_selector: f.value("ResultSelector"),
                result_path: f.path_value("ResultPath")?,
                timeout: f.amount("TimeoutSeconds", "TimeoutSecondsPath")?,
                heartbeat: f.amount("HeartbeatSeconds", "HeartbeatSecondsPath")?,
                credentials: f.value("Credentials"),
                retry: retriers(&mut f)?,
                catch: catchers(&mut f)?,
                next: f.transition()?,
                input: None,
                policy: Vec::new(),
                permissions_managed_elsewhere: false,
            })
        }
        "Choice" => StateKind::Choice(Choice {
            choices: parse_rules(&mut f)?,
            default: f.string("Default")?,
        }),
        "Wait" => {
            let mut forms = Vec::new();
            match f.take("Seconds") {
                Some(Json::Number(n)) => match n.as_u64() {
                    Some(n) => forms.push(WaitFor::Seconds(n)),
                    None => return err(&f.here("Seconds"), "expected a non-negative integer"),
                },
                Some(Json::String(e)) => forms.push(WaitFor::SecondsExpr(e.clone())),
                Some(_) => {
                    return err(
                        &f.here("Seconds"),
                        "expected a number or a JSONata expression",
                    )
                }
                None => {}
            }
            if let Some(p) = f.string("SecondsPath")? {
                forms.push(WaitFor::SecondsPath(p));
            }
            if let Some(t) = f.string("Timestamp")? {
                forms.push(if t.trim_start().starts_with("{%") {
                    WaitFor::TimestampExpr(t)
                } else {
                    WaitFor::Timestamp(t)
                });
            }
            if let Some(p) = f.string("TimestampPath")? {
                forms.push(WaitFor::TimestampPath(p));
            }
            if forms.len() != 1 {
                return err(at, format!(
                    "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath (it has {})",
                    forms.len()
                ));
            }
            StateKind::Wait(Wait {
                wait: forms.remove(0),
                next: f.transition()?,
            })
        }
        "Succeed" => StateKind::Succeed,
        "Fail" => StateKind::Fail(Fail {
            error: f.string("Error")?,
            error_path: f.string("ErrorPath")?,
            cause: f.string("Cause")?,
            cause_path: f.string("CausePath")?,
        }),
        "Parallel" => {
            let at_b = f.here("Branches");
            let Some(Json::Array(items)) = f.take("Branches") else {
                return err(at, "a Parallel state needs Branches (an array)");
            };
            let branches = items
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    parse_definition_at(&format!("{at_b}/{i}"), b, Scope::Branch).map(|(d, _)| d)
                })
                .collect::<Result<Vec<_>>>()?;
            StateKind::Parallel(Parallel {
                branches,
                parameters: f.value("Parameters"),
                arguments: f.value("Arguments"),
                result_selector: f.value("ResultSelector"),
                result_path: f.path_value("ResultPath")?,
                retry: retriers(&mut f)?,
                catch: catchers(&mut f)?,
                next: f.transition()?,
            })
        }
        "Map" => StateKind::Map(Box::new(parse_map(&mut f)?)),
        other => return err(&f.here("Type"), format!("{other} is not a state type")),
    };
    let mut state = State::new(kind);
    state.comment = comment;
    state.query_language = query_language;
    if f.has("InputPath") {
        state.input_path = f.path_value("InputPath")?;
    }
    if f.has("OutputPath") {
        state.output_path = f.path_value("OutputPath")?;
    }
    state.assign = f.value("Assign");
    state.output = f.value("Output");
    f.finish()?;
    Ok(state)
}

#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Top,
    Branch,
    Processor,
}

fn parse_definition_at(
    at: &str,
    v: &Json,
    scope: Scope,
) -> Result<(Definition, Option<ProcessorConfig>)> {
    let mut f = Fields::new(at, v)?;
    let processor_config = if scope == Scope::Processor {
        match f.take("ProcessorConfig") {
            None => None,
            Some(c) => {
                let mut cf = Fields::new(&f.here("ProcessorConfig"), c)?;
                let mode = match cf.string("Mode")?.as_deref() {
                    Some("INLINE") | None => ProcessorMode::Inline,
                    Some("DISTRIBUTED") => ProcessorMode::Distributed,
                    Some(other) => {
                        return err(
                            &cf.here("Mode"),
                            format!("{other} is not INLINE or DISTRIBUTED"),
                        )
                    }
                };
                let execution_type = match cf.string("ExecutionType")?.as_deref() {
                    None => None,
                    Some("STANDARD") => Some(ExecutionType::Standard),
                    Some("EXPRESS") => Some(ExecutionType::Express),
                    Some(other) => {
                        return err(
                            &cf.here("ExecutionType"),
                            format!("{other} is not STANDARD or EXPRESS"),
                        )
                    }
                };
                cf.finish()?;
                Some(ProcessorConfig {
                    mode,
                    execution_type,
                })
            }
        }
    } else {
        None
    };
    let comment = f.string("Comment")?;
    let start_at = f.required_string("StartAt")?;
    let states_at = f.here("States");
    let Some(Json::Object(states_json)) = f.take("States") else {
        return err(at, "States is required (an object)");
    };
    let mut states = indexmap::IndexMap::new();
    for (name, s) in states_json {
        states.insert(
            name.clone(),
            parse_state(&format!("{states_at}/{name}"), s)?,
        );
    }
    let (timeout_seconds, version, query_language) = if scope == Scope::Top {
        let ql = match f.string("QueryLanguage")?.as_deref() {
            None => None,
            Some("JSONPath") => Some(QueryLanguage::JsonPath),
            Some("JSONata") => Some(QueryLanguage::Jsonata),
            Some(other) => {
                return err(
                    &f.here("QueryLanguage"),
                    format!("{other} is not JSONPath or JSONata"),
                )
            }
        };
        (f.u32("TimeoutSeconds")?, f.string("Version")?, ql)
    } else {
        (None, None, None)
    };
    f.finish()?;
    Ok((
        Definition {
            comment,
            start_at,
            states,
            timeout_seconds,
            version,
            query_language,
        },
        processor_config,
    ))
}

/// The deepest a definition's JSON may nest: as deep as JSON text is read (serde_json's
/// limit), so a definition given as a value (built, or resolved from a template) is held to
/// what its text would be. The parser recurses into each nested definition and condition.
pub const MAX_DEFINITION_DEPTH: usize = 128;

impl Definition {
    /// Parses a state machine definition; unknown fields, wrong types and malformed states
    /// are errors naming where they are (`/States/Wait 30s/Seconds`).
    pub fn from_json(v: &Json) -> Result<Definition> {
        let deep = crate::core::value::json_depth(v);
        if deep > MAX_DEFINITION_DEPTH {
            return err(
                "",
                format!(
                    "the definition nests {deep} levels deep; at most {MAX_DEFINITION_DEPTH} are read"
                ),
            );
        }
        parse_definition_at("", v, Scope::Top).map(|(d, _)| d)
    }

    /// Parses a definition from JSON text.
    pub fn from_json_str(text: &str) -> Result<Definition> {
        let v: Json = serde_json::from_str(text).map_err(|e| ParseError {
            at: format!("line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
        Self::from_json(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A definition nested Parallel within Parallel, `levels` deep.
    fn nested(levels: usize) -> Json {
        let mut d = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
        for _ in 0..levels {
            d = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [d]}}});
        }
        d
    }

    #[test]
    fn a_definition_nested_deeper_than_json_text_is_read_is_refused_not_overflowed() {
        assert!(Definition::from_json(&nested(20)).is_ok());
        let e = Definition::from_json(&nested(40)).unwrap_err();
        assert_eq!(e.at, "");
        assert!(e.message.contains("levels deep; at most 128"), "{e}");
        // from text, serde_json's own limit answers first, with the place
        let e = Definition::from_json_str(&nested(40).to_string()).unwrap_err();
        assert!(e.at.starts_with("line 1 column"), "{e}");
        // conditions nest too
        let mut c = json!({"Variable": "$.a", "IsPresent": true});
        for _ in 0..130 {
            c = json!({"Not": c});
        }
        let d = json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "E",
            "Choices": [{"And": [c], "Next": "E"}]}, "E": {"Type": "Succeed"}}});
        assert!(Definition::from_json(&d)
            .unwrap_err()
            .message
            .contains("levels deep"));
    }
}
