//! Matchers over synthesized templates, so tests state exactly what matters.
//!
//! ```no_run
//! # use constructs::{App, Stack};
//! # use constructs::assertions::Template;
//! # use serde_json::json;
//! # let stack = Stack::new("S");
//! let template = Template::from_stack(&stack);
//! template.resource_count_is("AWS::DynamoDB::Table", 1);
//! template.has_resource_properties("AWS::DynamoDB::Table", json!({"BillingMode": "PAY_PER_REQUEST"}));
//! ```
//!
//! These are test helpers: a failed expectation panics with a message that shows what was
//! expected and what the template holds.

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::core::app::App;
use crate::core::stack::Stack;

/// A synthesized template under test.
#[derive(Debug, Clone)]
pub struct Template {
    json: Json,
}

/// Where a value first differs from what was expected (a JSON pointer, `/B/C/1/D`), and how.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{at}: {difference}")]
pub struct Mismatch {
    /// Where: a JSON pointer into the actual value (`""` for the value itself).
    pub at: String,
    /// How it differs there (boxed: the values it holds make it large).
    pub difference: Box<Difference>,
}

/// How a value differs from what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Difference {
    /// A key the expected object has and the actual one lacks.
    #[error("missing (expected {expected})")]
    Missing {
        /// What was expected there.
        expected: Json,
    },
    /// An array of another length.
    #[error("expected {expected} items, found {found}: {actual}")]
    Length {
        /// The expected length.
        expected: usize,
        /// The actual length.
        found: usize,
        /// The actual array.
        actual: Json,
    },
    /// Another value.
    #[error("expected {expected}, found {found}")]
    Value {
        /// What was expected.
        expected: Json,
        /// What is there.
        found: Json,
    },
}

/// Checks `actual` against `expected`: objects match when every key of `expected` is in
/// `actual` and matches (deeply, so nested objects are partial too); arrays match when they
/// have the same length and match item by item; anything else must be equal. The error
/// names the first place that differs.
pub fn object_like(expected: &Json, actual: &Json) -> Result<(), Mismatch> {
    fn go(expected: &Json, actual: &Json, at: &str) -> Result<(), Mismatch> {
        let differs = |difference| Mismatch {
            at: at.to_string(),
            difference: Box::new(difference),
        };
        match (expected, actual) {
            (Json::Object(e), Json::Object(a)) => {
                for (k, ev) in e {
                    let here = format!("{at}/{k}");
                    match a.get(k) {
                        Some(av) => go(ev, av, &here)?,
                        None => {
                            return Err(Mismatch {
                                at: here,
                                difference: Box::new(Difference::Missing {
                                    expected: ev.clone(),
                                }),
                            })
                        }
                    }
                }
                Ok(())
            }
            (Json::Array(e), Json::Array(a)) => {
                if e.len() != a.len() {
                    return Err(differs(Difference::Length {
                        expected: e.len(),
                        found: a.len(),
                        actual: actual.clone(),
                    }));
                }
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    go(ev, av, &format!("{at}/{i}"))?;
                }
                Ok(())
            }
            _ if expected == actual => Ok(()),
            _ => Err(differs(Difference::Value {
                expected: expected.clone(),
                found: actual.clone(),
            })),
        }
    }
    go(expected, actual, "")
}

impl Template {
    /// Synthesizes a one-stack app (code assets found under the current directory).
    /// Panics with every problem when synth fails.
    pub fn from_stack(stack: &Stack) -> Template {
        let root = std::env::current_dir().unwrap_or_else(|_| ".".into());
        Self::from_stack_in(root, stack)
    }

    /// Like [`Template::from_stack`], with code assets found under `root`.
    pub fn from_stack_in(root: impl Into<std::path::PathBuf>, stack: &Stack) -> Template {
        let mut app = App::new(root);
        app.add_stack(stack.clone());
        Self::from_app(&app, stack.name())
    }

    /// The template of one stack of a synthesized app (cross-stack exports included), or of
    /// one nested stack.
    pub fn from_app(app: &App, stack: &str) -> Template {
        match app.synth() {
            Ok(assembly) => match (assembly.stack(stack), assembly.nested(stack)) {
                (Some(s), _) => Template {
                    json: s.template.clone(),
                },
                (None, Some(n)) => Template {
                    json: n.template.clone(),
                },
                (None, None) => panic!("the app has no stack {stack}"),
            },
            Err(e) => {
                let problems: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
                panic!("synth failed: {e}\n{}", problems.join("\n"))
            }
        }
    }

    /// A template already in JSON, a synthesized one read back or written by hand.
    pub fn from_json(json: Json) -> Template {
        Template { json }
    }

    /// The template as JSON, for assertions the helpers do not cover.
    pub fn to_json(&self) -> &Json {
        &self.json
    }

    fn resources_of_type(&self, type_name: &str) -> IndexMap<String, Json> {
        self.json
            .get("Resources")
            .and_then(Json::as_object)
            .map(|r| {
                r.iter()
                    .filter(|(_, v)| v.get("Type").and_then(Json::as_str) == Some(type_name))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts the number of resources of a type.
    pub fn resource_count_is(&self, type_name: &str, count: usize) {
        let found = self.resources_of_type(type_name).len();
        assert_eq!(
            found, count,
            "expected {count} resources of type {type_name}, found {found}"
        );
    }

    /// The resources of a type whose properties match `properties` (object-like).
    pub fn find_resources(&self, type_name: &str, properties: Json) -> IndexMap<String, Json> {
        self.resources_of_type(type_name)
            .into_iter()
            .filter(|(_, r)| {
                let actual = r
                    .get("Properties")
                    .cloned()
                    .unwrap_or(Json::Object(Default::default()));
                object_like(&properties, &actual).is_ok()
            })
            .collect()
    }

    /// Asserts that some resource of the type has properties matching `properties`.
    pub fn has_resource_properties(&self, type_name: &str, properties: Json) {
        let candidates = self.resources_of_type(type_name);
        if candidates.is_empty() {
            panic!("no resource of type {type_name} in the template");
        }
        let mut reasons = Vec::new();
        for (id, r) in &candidates {
            let actual = r
                .get("Properties")
                .cloned()
                .unwrap_or(Json::Object(Default::default()));
            match object_like(&properties, &actual) {
                Ok(()) => return,
                Err(e) => reasons.push(format!("  {id}: {e}")),
            }
        }
        panic!(
            "no {type_name} has the expected properties {properties}\n{}",
            reasons.join("\n")
        );
    }

    /// Asserts that some resource of the type matches `resource` as a whole (attributes
    /// such as `DeletionPolicy` and `DependsOn` included).
    pub fn has_resource(&self, type_name: &str, resource: Json) {
        let candidates = self.resources_of_type(type_name);
        let mut reasons = Vec::new();
        for (id, r) in &candidates {
            match object_like(&resource, r) {
                Ok(()) => return,
                Err(e) => reasons.push(format!("  {id}: {e}")),
            }
        }
        panic!("no {type_name} matches {resource}\n{}", reasons.join("\n"));
    }

    /// Asserts that the output `id` exists and matches `output` (object-like).
    pub fn has_output(&self, id: &str, output: Json) {
        let Some(actual) = self.json.get("Outputs").and_then(|o| o.get(id)) else {
            panic!(
                "no output {id}; outputs: {}",
                self.json.get("Outputs").unwrap_or(&Json::Null)
            );
        };
        if let Err(e) = object_like(&output, actual) {
            panic!("output {id} differs: {e}");
        }
    }

    /// The logical id of the single resource of a type (panics unless there is exactly one).
    pub fn logical_id_of_type(&self, type_name: &str) -> String {
        let found = self.resources_of_type(type_name);
        assert_eq!(found.len(), 1, "expected exactly one {type_name}");
        found.keys().next().cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn object_like_is_partial_for_objects_and_exact_for_arrays() {
        let actual = json!({"A": 1, "B": {"C": [1, {"D": 2, "E": 3}]}});
        assert!(object_like(&json!({"B": {"C": [1, {"D": 2}]}}), &actual).is_ok());
        let e = object_like(&json!({"B": {"C": [1]}}), &actual).unwrap_err();
        assert!(e.to_string().starts_with("/B/C: expected 1 items"), "{e}");
        let e = object_like(&json!({"B": {"C": [1, {"D": 3}]}}), &actual).unwrap_err();
        assert_eq!(
            e,
            Mismatch {
                at: "/B/C/1/D".into(),
                difference: Box::new(Difference::Value {
                    expected: json!(3),
                    found: json!(2)
                })
            }
        );
        assert_eq!(e.to_string(), "/B/C/1/D: expected 3, found 2");
        assert_eq!(
            object_like(&json!({"Z": 1}), &actual)
                .unwrap_err()
                .to_string(),
            "/Z: missing (expected 1)"
        );
    }
}
