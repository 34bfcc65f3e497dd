//! Choice states: rules tried in order, every comparison operator, the type tests, And/Or/Not
//! and JSONata conditions.

use std::cmp::Ordering;

use constructs::stepfunctions::asl::condition::ValueKind;
use constructs::stepfunctions::asl::{
    Choice, Comparison, Condition, IsTest, Operand, QueryLanguage, State,
};
use serde_json::Value as Json;

use super::data::Seen;
use super::task::Stepped;
use super::{Env, Exec, Flow, Frame};
use crate::clock;
use crate::error::Failure;

impl Exec<'_> {
    pub(crate) fn choice(
        &mut self,
        env: &Env<'_>,
        state: &State,
        c: &Choice,
        input: Json,
        frame: &Frame,
    ) -> Flow<Stepped> {
        let jsonata = env.language == QueryLanguage::Jsonata;
        let effective = if jsonata {
            input.clone()
        } else {
            self.input_path(env, state, &input, frame)?
        };
        let mut taken = None;
        for rule in &c.choices {
            if self.holds(env, &rule.condition, &effective, frame)? {
                taken = Some(rule);
                break;
            }
        }
        let next = match (taken, &c.default) {
            (Some(rule), _) => rule.next.clone(),
            (None, Some(default)) => default.clone(),
            (None, None) => {
                return Err(Failure::new(
                    "States.NoChoiceMatched",
                    format!(
                        "No Choice Rule of state '{}' matched its input, and it has no Default",
                        env.name
                    ),
                )
                .into())
            }
        };
        let seen = Seen::input(&effective);
        let mut assigned = self.assign(env, state.assign.as_ref(), seen, frame)?;
        if let Some(rule) = taken {
            if let Some(more) = self.assign(env, rule.assign.as_ref(), seen, frame)? {
                assigned.get_or_insert_with(Default::default).extend(more);
            }
        }
        let out = if jsonata {
            let output = taken
                .and_then(|r| r.output.as_ref())
                .or(state.output.as_ref());
            self.jsonata_output(env, output, seen, input.clone(), frame)?
        } else {
            self.output_path(env, state, effective, frame)?
        };
        Ok((out, Some(next), assigned))
    }

    fn holds(
        &mut self,
        env: &Env<'_>,
        condition: &Condition,
        input: &Json,
        frame: &Frame,
    ) -> Result<bool, Failure> {
        Ok(match condition {
            Condition::And(all) => {
                for c in all {
                    if !self.holds(env, c, input, frame)? {
                        return Ok(false);
                    }
                }
                true
            }
            Condition::Or(any) => {
                for c in any {
                    if self.holds(env, c, input, frame)? {
                        return Ok(true);
                    }
                }
                false
            }
            Condition::Not(c) => !self.holds(env, c, input, frame)?,
            Condition::Is {
                variable,
                test,
                value,
            } => {
                let found = self.find_path(env, variable, input, frame)?;
                let answer = match (test, &found) {
                    (IsTest::IsPresent, f) => f.is_some(),
                    (_, None) => return Err(invalid_path(variable)),
                    (IsTest::IsNull, Some(v)) => v.is_null(),
                    (IsTest::IsNumeric, Some(v)) => v.is_number(),
                    (IsTest::IsString, Some(v)) => v.is_string(),
                    (IsTest::IsBoolean, Some(v)) => v.is_boolean(),
                    (IsTest::IsTimestamp, Some(v)) => v.as_str().and_then(clock::parse).is_some(),
                };
                answer == *value
            }
            Condition::Compare {
                variable,
                op,
                operand,
            } => {
                let left = self
                    .find_path(env, variable, input, frame)?
                    .ok_or_else(|| invalid_path(variable))?;
                let right = match operand {
                    Operand::Literal(v) => v.clone(),
                    Operand::Path(p) => self
                        .find_path(env, p, input, frame)?
                        .ok_or_else(|| invalid_path(p))?,
                };
                compare(*op, &left, &right)
            }
            Condition::Jsonata(text) => {
                let v = self.jsonata_value(env, text, Seen::input(input), frame)?;
                match v {
                    Json::Bool(b) => b,
                    other => {
                        return Err(Failure::query(format!(
                            "The Condition '{text}' of state '{}' gives {}, not a boolean",
                            env.name,
                            crate::paths::compact(&other)
                        )))
                    }
                }
            }
        })
    }
}

fn invalid_path(path: &str) -> Failure {
    Failure::runtime(format!(
        "Invalid path '{path}': The choice state's condition path references an invalid value."
    ))
}

/// A comparison: values of the wrong type for the operator make it false.
fn compare(op: Comparison, left: &Json, right: &Json) -> bool {
    if op == Comparison::StringMatches {
        return match (left.as_str(), right.as_str()) {
            (Some(s), Some(pattern)) => string_matches(s, pattern),
            _ => false,
        };
    }
    let ordering = match op.kind() {
        ValueKind::String => match (left.as_str(), right.as_str()) {
            (Some(a), Some(b)) => Some(a.cmp(b)),
            _ => None,
        },
        ValueKind::Numeric => match (left, right) {
            (Json::Number(a), Json::Number(b)) => numeric_cmp(a, b),
            _ => None,
        },
        ValueKind::Boolean => match (left.as_bool(), right.as_bool()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => None,
        },
        ValueKind::Timestamp => {
            match (
                left.as_str().and_then(clock::parse),
                right.as_str().and_then(clock::parse),
            ) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => None,
            }
        }
    };
    let Some(o) = ordering else { return false };
    let name = op.name();
    if name.ends_with("GreaterThanEquals") {
        o != Ordering::Less
    } else if name.ends_with("LessThanEquals") {
        o != Ordering::Greater
    } else if name.ends_with("GreaterThan") {
        o == Ordering::Greater
    } else if name.ends_with("LessThan") {
        o == Ordering::Less
    } else {
        o == Ordering::Equal
    }
}

/// Two numbers in order: integers exactly (9007199254740993 is more than 9007199254740992,
/// which a double cannot tell), anything else as doubles.
fn numeric_cmp(a: &serde_json::Number, b: &serde_json::Number) -> Option<Ordering> {
    let int = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal.
fn string_matches(s: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => toks.push(Tok::Char(n)),
                None => toks.push(Tok::Char('\\')),
            },
            '*' => toks.push(Tok::Star),
            other => toks.push(Tok::Char(other)),
        }
    }
    let text: Vec<char> = s.chars().collect();
    // classic wildcard matching with one backtrack point
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Tok::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Tok::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks[p..].iter().all(|t| *t == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards_and_escapes() {
        assert!(string_matches("log-2025.txt", "log-*.txt"));
        assert!(string_matches("anything", "*"));
        assert!(!string_matches("log.csv", "log-*.txt"));
        assert!(string_matches("a*b", "a\\*b"));
        assert!(!string_matches("axb", "a\\*b"));
        assert!(string_matches("", "*"));
        assert!(string_matches("abcbc", "a*bc"));
    }

    #[test]
    fn wrong_types_compare_false() {
        assert!(!compare(Comparison::NumericEquals, &json!("1"), &json!(1)));
        assert!(compare(
            Comparison::NumericLessThanEquals,
            &json!(1),
            &json!(1.0)
        ));
        // integers beyond 2^53 keep every digit
        assert!(!compare(
            Comparison::NumericEquals,
            &json!(9_007_199_254_740_993_u64),
            &json!(9_007_199_254_740_992_u64)
        ));
        assert!(compare(
            Comparison::NumericGreaterThan,
            &json!(9_007_199_254_740_993_u64),
            &json!(9_007_199_254_740_992_i64)
        ));
        assert!(compare(
            Comparison::NumericLessThan,
            &json!(-9_007_199_254_740_993_i64),
            &json!(18_446_744_073_709_551_615_u64)
        ));
        assert!(compare(
            Comparison::StringLessThan,
            &json!("a"),
            &json!("b")
        ));
        assert!(compare(
            Comparison::TimestampGreaterThan,
            &json!("2025-01-01T00:00:01Z"),
            &json!("2025-01-01T00:00:00.500Z")
        ));
        assert!(!compare(
            Comparison::TimestampEquals,
            &json!("yesterday"),
            &json!("yesterday")
        ));
    }
}
