//! From a definition's JSON to the graph the layout places: a scope per level (the top level,
//! each Parallel branch, each Map iterator), its states and transitions.

use serde_json::{Map, Value as Json};

use super::{EdgeKind, NodeKind};

/// The deepest nesting of Parallel and Map states drawn (a bound on hostile input).
pub const MAX_DEPTH: usize = 32;
/// The most states drawn (a bound on hostile input: a definition's 1 MB holds fewer).
pub const MAX_STATES: usize = 20_000;
/// The longest label drawn whole; a longer one is cut, and given in full as its tooltip.
const MAX_LABEL: usize = 36;

/// Why a definition cannot be drawn: what is wrong, and where (a state's path).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct DiagramError {
    /// The state (its path), or `definition`.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

fn error(at: &str, message: impl Into<String>) -> DiagramError {
    DiagramError {
        at: if at.is_empty() {
            "definition".into()
        } else {
            at.to_string()
        },
        message: message.into(),
    }
}

/// A box before layout.
#[derive(Debug, Clone)]
pub(super) struct GNode {
    pub path: String,
    pub name: String,
    pub kind: NodeKind,
    pub detail: Option<String>,
    pub retriers: usize,
    /// The scopes a frame holds (a Parallel's branches, a Map's iterator).
    pub scopes: Vec<usize>,
}

/// A transition before layout, between boxes of one scope.
#[derive(Debug, Clone)]
pub(super) struct GEdge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub label: Option<String>,
    pub title: Option<String>,
}

/// One level: its boxes (the first is where it starts) and transitions.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    pub nodes: Vec<GNode>,
    pub edges: Vec<GEdge>,
    /// The frame it is in (its path), for a branch or an iterator.
    pub parent: Option<String>,
}

/// Every scope; the first is the top level.
#[derive(Debug, Clone, Default)]
pub(super) struct Graph {
    pub scopes: Vec<Scope>,
}

/// The graph of a definition.
pub(super) fn graph(definition: &Json) -> Result<Graph, DiagramError> {
    let mut g = Graph::default();
    let mut count = 0;
    scope(&mut g, definition, "", None, 0, &mut count)?;
    Ok(g)
}

fn scope(
    g: &mut Graph,
    definition: &Json,
    prefix: &str,
    parent: Option<&str>,
    depth: usize,
    count: &mut usize,
) -> Result<usize, DiagramError> {
    if depth > MAX_DEPTH {
        return Err(error(
            prefix,
            format!("Parallel and Map states nested more than {MAX_DEPTH} deep"),
        ));
    }
    let at = prefix.trim_end_matches('/');
    let definition = definition
        .as_object()
        .ok_or_else(|| error(at, "is not an object"))?;
    let states = definition
        .get("States")
        .and_then(Json::as_object)
        .ok_or_else(|| error(at, "has no States object"))?;
    let start = definition
        .get("StartAt")
        .and_then(Json::as_str)
        .ok_or_else(|| error(at, "has no StartAt"))?;
    if !states.contains_key(start) {
        return Err(error(
            at,
            format!("StartAt names {start:?}, which is not one of its States"),
        ));
    }
    *count += states.len();
    if *count > MAX_STATES {
        return Err(error(
            at,
            format!("has more than {MAX_STATES} states to draw"),
        ));
    }
    let index = g.scopes.len();
    g.scopes.push(Scope {
        parent: parent.map(str::to_string),
        ..Scope::default()
    });
    let top = parent.is_none();
    let mut nodes = Vec::new();
    if top {
        nodes.push(GNode {
            path: "Start".into(),
            name: "Start".into(),
            kind: NodeKind::Start,
            detail: None,
            retriers: 0,
            scopes: Vec::new(),
        });
    }
    // the start state first, then the others in the order written
    let mut order: Vec<(&String, &Json)> = states.iter().filter(|(n, _)| *n == start).collect();
    order.extend(states.iter().filter(|(n, _)| *n != start));
    let first = nodes.len();
    for (name, state) in &order {
        let path = format!("{prefix}{name}");
        let state = state
            .as_object()
            .ok_or_else(|| error(&path, "is not an object"))?;
        let kind = kind_of(state, &path)?;
        let mut scopes = Vec::new();
        match kind {
            NodeKind::Parallel => {
                let branches = state
                    .get("Branches")
                    .and_then(Json::as_array)
                    .ok_or_else(|| error(&path, "is a Parallel state without Branches"))?;
                for (i, branch) in branches.iter().enumerate() {
                    let inner = format!("{path}/{}/", i + 1);
                    scopes.push(scope(g, branch, &inner, Some(&path), depth + 1, count)?);
                }
            }
            NodeKind::Map { .. } => {
                let processor = state
                    .get("ItemProcessor")
                    .or_else(|| state.get("Iterator"))
                    .ok_or_else(|| error(&path, "is a Map state without ItemProcessor"))?;
                let inner = format!("{path}/");
                scopes.push(scope(g, processor, &inner, Some(&path), depth + 1, count)?);
            }
            _ => {}
        }
        nodes.push(GNode {
            detail: detail_of(kind, state),
            retriers: state
                .get("Retry")
                .and_then(Json::as_array)
                .map_or(0, Vec::len),
            path,
            name: (*name).clone(),
            kind,
            scopes,
        });
    }
    let end = nodes.len();
    // the End marker, when a state ends there (Succeed and Fail states are ends of their own)
    let ends_somewhere = order
        .iter()
        .any(|(_, s)| s.get("End").and_then(Json::as_bool) == Some(true));
    if top && ends_somewhere {
        nodes.push(GNode {
            path: "End".into(),
            name: "End".into(),
            kind: NodeKind::End,
            detail: None,
            retriers: 0,
            scopes: Vec::new(),
        });
    }
    let positions: std::collections::HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.as_str(), i + first))
        .collect();
    let position = |name: &str| -> Option<usize> { positions.get(name).copied() };
    let mut edges = Vec::new();
    let edge = |from: usize, to: usize, kind: EdgeKind, label: Option<String>| {
        let (label, title) = match label {
            Some(l) => {
                let short = shorten(&l);
                let title = (short != l).then_some(l);
                (Some(short), title)
            }
            None => (None, None),
        };
        GEdge {
            from,
            to,
            kind,
            label,
            title,
        }
    };
    if top {
        edges.push(edge(0, first, EdgeKind::Next, None));
    }
    for (i, (name, state)) in order.iter().enumerate() {
        let from = i + first;
        let path = format!("{prefix}{name}");
        let target = |next: &str| {
            position(next).ok_or_else(|| {
                error(
                    &path,
                    format!("goes to {next:?}, which is not a state of its level"),
                )
            })
        };
        let state = state
            .as_object()
            .ok_or_else(|| error(&path, "is not an object"))?;
        if let Some(rules) = state.get("Choices").and_then(Json::as_array) {
            for rule in rules {
                let next = rule
                    .get("Next")
                    .and_then(Json::as_str)
                    .ok_or_else(|| error(&path, "has a Choice rule without Next"))?;
                edges.push(edge(
                    from,
                    target(next)?,
                    EdgeKind::Choice,
                    Some(condition(rule)),
                ));
            }
            if let Some(default) = state.get("Default").and_then(Json::as_str) {
                edges.push(edge(
                    from,
                    target(default)?,
                    EdgeKind::Default,
                    Some("Default".into()),
                ));
            }
        }
        if let Some(next) = state.get("Next").and_then(Json::as_str) {
            edges.push(edge(from, target(next)?, EdgeKind::Next, None));
        }
        // a Succeed or Fail state is an end of its own (a pill of its colour); a state with
        // `End` goes to the End marker
        let ends = state.get("End").and_then(Json::as_bool).unwrap_or(false);
        if ends && top {
            edges.push(edge(from, end, EdgeKind::Next, None));
        }
        for catcher in state
            .get("Catch")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let next = catcher
                .get("Next")
                .and_then(Json::as_str)
                .ok_or_else(|| error(&path, "has a Catch without Next"))?;
            let errors: Vec<&str> = catcher
                .get("ErrorEquals")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            let label = format!("catch {}", errors.join(", "));
            edges.push(edge(from, target(next)?, EdgeKind::Catch, Some(label)));
        }
    }
    g.scopes[index].nodes = nodes;
    g.scopes[index].edges = edges;
    Ok(index)
}

fn kind_of(state: &Map<String, Json>, path: &str) -> Result<NodeKind, DiagramError> {
    Ok(match state.get("Type").and_then(Json::as_str) {
        Some("Task") => NodeKind::Task,
        Some("Pass") => NodeKind::Pass,
        Some("Choice") => NodeKind::Choice,
        Some("Wait") => NodeKind::Wait,
        Some("Succeed") => NodeKind::Succeed,
        Some("Fail") => NodeKind::Fail,
        Some("Parallel") => NodeKind::Parallel,
        Some("Map") => NodeKind::Map {
            distributed: state
                .get("ItemProcessor")
                .and_then(|p| p.get("ProcessorConfig"))
                .and_then(|c| c.get("Mode"))
                .and_then(Json::as_str)
                == Some("DISTRIBUTED"),
        },
        Some(other) => return Err(error(path, format!("has the unknown Type {other:?}"))),
        None => return Err(error(path, "has no Type")),
    })
}

/// The second line of a box.
fn detail_of(kind: NodeKind, state: &Map<String, Json>) -> Option<String> {
    let text = match kind {
        NodeKind::Task => {
            let call = state.get("Resource").map(resource)?;
            // an invoked function by its name
            let function = ["Parameters", "Arguments"]
                .iter()
                .filter_map(|k| state.get(*k)?.get("FunctionName")?.as_str())
                .next();
            match function {
                Some(f) if call.starts_with("lambda:invoke") => {
                    let name = f.rsplit(':').next().unwrap_or(f);
                    format!("{call} {name}")
                }
                _ => call,
            }
        }
        NodeKind::Wait => {
            let get = |k: &str| state.get(k);
            if let Some(s) = get("Seconds") {
                format!("{} s", plain(s))
            } else if let Some(p) = get("SecondsPath") {
                format!("{} s", plain(p))
            } else if let Some(t) = get("Timestamp").or_else(|| get("TimestampPath")) {
                format!("until {}", plain(t))
            } else {
                return None;
            }
        }
        NodeKind::Fail => plain(state.get("Error")?),
        NodeKind::Map { .. } => {
            let label = state.get("Label").map(plain);
            let concurrency = state
                .get("MaxConcurrency")
                .map(|c| format!("max {}", plain(c)));
            match (label, concurrency) {
                (Some(l), Some(c)) => format!("{l} · {c}"),
                (Some(x), None) | (None, Some(x)) => x,
                (None, None) => return None,
            }
        }
        _ => return None,
    };
    Some(shorten(&text))
}

/// A value as the box says it: a string as it is, anything else as JSON.
fn plain(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A task's resource, short: the integration (`dynamodb:putItem`, `lambda:invoke.waitForTaskToken`),
/// a function's name, an activity's.
fn resource(v: &Json) -> String {
    let Some(arn) = v.as_str() else {
        // an intrinsic function (a template's Fn::GetAtt): the resource it names
        if let Some(target) = v
            .get("Fn::GetAtt")
            .and_then(|a| a.get(0))
            .and_then(Json::as_str)
        {
            return target.to_string();
        }
        if let Some(target) = v.get("Ref").and_then(Json::as_str) {
            return target.to_string();
        }
        return "Task".into();
    };
    let parts: Vec<&str> = arn.split(':').collect();
    // an integration, in any partition: arn:<partition>:states:::<service>:<action>
    if let ["arn", _, "states", "", "", rest @ ..] = parts.as_slice() {
        if !rest.is_empty() {
            return rest.join(":");
        }
    }
    match parts.as_slice() {
        [_, _, "lambda", _, _, "function", name, ..] => format!("lambda: {name}"),
        [_, _, "states", _, _, "activity", name] => format!("activity: {name}"),
        _ => arn.to_string(),
    }
}

/// A Choice rule's condition, as code reads it: `$.status == "DONE"`, `$.n > 3 && present($.x)`.
fn condition(rule: &Json) -> String {
    if let Some(c) = rule.get("Condition").and_then(Json::as_str) {
        let c = c.trim();
        let inner = c
            .strip_prefix("{%")
            .and_then(|c| c.strip_suffix("%}"))
            .unwrap_or(c);
        return inner.trim().to_string();
    }
    let join = |key: &str, op: &str| -> Option<String> {
        let parts: Vec<String> = rule.get(key)?.as_array()?.iter().map(condition).collect();
        Some(format!("({})", parts.join(op)))
    };
    if let Some(s) = join("And", " && ").or_else(|| join("Or", " || ")) {
        return s;
    }
    if let Some(not) = rule.get("Not") {
        return format!("!({})", condition(not));
    }
    let variable = rule.get("Variable").map(plain).unwrap_or_default();
    const OPS: &[(&str, &str)] = &[
        ("StringEquals", "=="),
        ("StringLessThan", "<"),
        ("StringGreaterThan", ">"),
        ("StringLessThanEquals", "<="),
        ("StringGreaterThanEquals", ">="),
        ("StringMatches", "matches"),
        ("NumericEquals", "=="),
        ("NumericLessThan", "<"),
        ("NumericGreaterThan", ">"),
        ("NumericLessThanEquals", "<="),
        ("NumericGreaterThanEquals", ">="),
        ("BooleanEquals", "=="),
        ("TimestampEquals", "=="),
        ("TimestampLessThan", "<"),
        ("TimestampGreaterThan", ">"),
        ("TimestampLessThanEquals", "<="),
        ("TimestampGreaterThanEquals", ">="),
    ];
    if let Some(object) = rule.as_object() {
        for (key, value) in object {
            let (base, path) = match key.strip_suffix("Path") {
                Some(b) if b != "Is" => (b, true),
                _ => (key.as_str(), false),
            };
            if let Some((_, op)) = OPS.iter().find(|(k, _)| *k == base) {
                let rhs = if path {
                    plain(value)
                } else {
                    value.to_string()
                };
                return format!("{variable} {op} {rhs}");
            }
            if let Some(test) = key.strip_prefix("Is") {
                let yes = value.as_bool().unwrap_or(true);
                let name = test.to_lowercase();
                return format!("{}{name}({variable})", if yes { "" } else { "!" });
            }
        }
    }
    variable
}

/// `text` cut to [`MAX_LABEL`] characters (an ellipsis marks the cut).
pub(super) fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_LABEL {
        return one_line;
    }
    let cut: String = one_line.chars().take(MAX_LABEL - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditions_read_as_code() {
        let c = |v: Json| condition(&v);
        assert_eq!(
            c(json!({"Variable": "$.s", "StringEquals": "DONE"})),
            "$.s == \"DONE\""
        );
        assert_eq!(
            c(json!({"Variable": "$.n", "NumericGreaterThanPath": "$.max"})),
            "$.n > $.max"
        );
        assert_eq!(
            c(json!({"Variable": "$.x", "IsPresent": false})),
            "!present($.x)"
        );
        assert_eq!(
            c(
                json!({"And": [{"Variable": "$.a", "BooleanEquals": true}, {"Not": {"Variable": "$.b", "NumericLessThan": 3}}]})
            ),
            "($.a == true && !($.b < 3))"
        );
        assert_eq!(
            c(json!({"Condition": "{% $states.input.n > 3 %}"})),
            "$states.input.n > 3"
        );
    }

    #[test]
    fn resources_read_short() {
        assert_eq!(
            resource(&json!("arn:aws:states:::dynamodb:putItem")),
            "dynamodb:putItem"
        );
        assert_eq!(
            resource(&json!(
                "arn:aws:lambda:us-east-1:123456789012:function:Work"
            )),
            "lambda: Work"
        );
        assert_eq!(resource(&json!({"Fn::GetAtt": ["Fn", "Arn"]})), "Fn");
    }

    #[test]
    fn long_labels_are_cut() {
        let long = "a".repeat(50);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), MAX_LABEL);
        assert!(short.ends_with('…'));
    }
}
