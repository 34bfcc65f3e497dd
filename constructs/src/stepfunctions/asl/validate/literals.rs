//! Intrinsic functions written as values (a Pass's `Parameters`, a `ResultSelector`, a
//! parsed definition) whose string literals read as paths: Step Functions formats them as
//! that text, not as the value they name (`States.Format('ORDER#{}', '$.orderId')` gives
//! `ORDER#$.orderId`). Typed task inputs are checked more closely by their `Arg`s.

use crate::core::value::Value;

use super::super::intrinsics::quoted_references;
use super::super::model::{State, StateKind};

/// The problems of the JSONPath fields of `state` written as values.
pub(super) fn quoted_paths(state: &State) -> Vec<String> {
    let mut fields: Vec<(&str, &Option<Value>)> = vec![("Assign", &state.assign)];
    match &state.kind {
        StateKind::Pass(p) => fields.push(("Parameters", &p.parameters)),
        StateKind::Task(t) => fields.extend([
            ("Parameters", &t.parameters),
            ("ResultSelector", &t.result_selector),
        ]),
        StateKind::Parallel(p) => fields.extend([
            ("Parameters", &p.parameters),
            ("ResultSelector", &p.result_selector),
        ]),
        StateKind::Map(m) => fields.extend([
            ("ItemSelector", &m.item_selector),
            ("ResultSelector", &m.result_selector),
        ]),
        _ => {}
    }
    let mut out = Vec::new();
    for (field, value) in fields {
        if let Some(v) = value {
            walk(v, field, &mut out);
        }
    }
    out
}

fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, item) in m {
                let here = format!("{at}.{k}");
                match item.as_str() {
                    Some(text) if k.ends_with(".$") && text.starts_with("States.") => {
                        for (literal, fix) in quoted_references(text) {
                            out.push(format!(
                                "{here}: the argument '{literal}' of {text} is a string literal, \
                                 but it reads as {fix}"
                            ));
                        }
                    }
                    _ => walk(item, &here, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}
