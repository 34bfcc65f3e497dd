//! Mappings (the template's `Mappings` section) and `Fn::FindInMap`, typed: a mapping is
//! declared on a stack with its keys and values, and read with [`MappingRef::find`]; a
//! lookup of a literal key or attribute the mapping lacks is a synth problem (CloudFormation
//! would fail the stack at deploy), as is a mapping used in another stack.
//!
//! ```
//! use constructs::core::mapping::Mapping;
//! use constructs::{Aws, Stack};
//!
//! let mut stack = Stack::new("Web");
//! let sizes = stack.add_mapping(
//!     "Sizes",
//!     Mapping::new()
//!         .set("us-east-1", "Memory", "1024")
//!         .set("eu-west-1", "Memory", "512"),
//! );
//! let memory = sizes.find(Aws::region(), "Memory"); // {"Fn::FindInMap": ["Sizes", {"Ref": "AWS::Region"}, "Memory"]}
//! # let _ = memory;
//! ```
//!
//! Rules (CloudFormation User Guide, "Mappings syntax" and "CloudFormation quotas"): keys and
//! values are literals, values strings or lists of strings; the mapping's name and each
//! attribute name (the second-level key) alphanumeric; at most 200 mappings per template, 200
//! attributes per mapping, names of at most 255 characters.

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

use super::token::Token;
use super::value::Value;

/// The most mappings a template may declare.
pub const MAX_MAPPINGS: usize = 200;
/// The most attributes one mapping may have.
pub const MAX_ATTRIBUTES: usize = 200;
/// The longest mapping or attribute name.
pub const MAX_NAME: usize = 255;

/// A mapping's keys, attributes and values: `Mapping::new().set("us-east-1", "Ami", "ami-1")`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    pub(crate) entries: IndexMap<String, IndexMap<String, Json>>,
}

impl Mapping {
    /// An empty mapping.
    pub fn new() -> Mapping {
        Mapping::default()
    }

    /// `key` → `attribute` → a string value.
    pub fn set(mut self, key: &str, attribute: &str, value: impl Into<String>) -> Mapping {
        self.entries
            .entry(key.to_string())
            .or_default()
            .insert(attribute.to_string(), json!(value.into()));
        self
    }

    /// `key` → `attribute` → a list of strings.
    pub fn set_list<S: Into<String>>(
        mut self,
        key: &str,
        attribute: &str,
        values: impl IntoIterator<Item = S>,
    ) -> Mapping {
        let list: Vec<Json> = values.into_iter().map(|v| json!(v.into())).collect();
        self.entries
            .entry(key.to_string())
            .or_default()
            .insert(attribute.to_string(), Json::Array(list));
        self
    }

    /// Whether the mapping has the key and, under it, the attribute.
    pub(crate) fn has(&self, key: &str, attribute: &str) -> bool {
        self.entries
            .get(key)
            .is_some_and(|a| a.contains_key(attribute))
    }

    /// What CloudFormation would refuse in the mapping `name`.
    pub(crate) fn check(&self, name: &str) -> Vec<String> {
        let mut found = Vec::new();
        let alnum = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
        if !alnum(name) || name.len() > MAX_NAME {
            found.push(format!(
                "the mapping name {name:?} must be 1 to {MAX_NAME} letters and digits"
            ));
        }
        if self.entries.is_empty() {
            found.push(format!("the mapping {name} has no key"));
        }
        for (key, attributes) in &self.entries {
            if key.is_empty() || key.len() > MAX_NAME {
                found.push(format!(
                    "the mapping {name}'s key {key:?} must have 1 to {MAX_NAME} characters"
                ));
            }
            if attributes.len() > MAX_ATTRIBUTES {
                found.push(format!(
                    "the mapping {name}'s key {key} has {} attributes; CloudFormation allows {MAX_ATTRIBUTES}",
                    attributes.len()
                ));
            }
            for attribute in attributes.keys() {
                if !alnum(attribute) || attribute.len() > MAX_NAME {
                    found.push(format!(
                        "the mapping {name}'s attribute {attribute:?} (under {key}) must be 1 to {MAX_NAME} letters and digits"
                    ));
                }
            }
        }
        found
    }

    /// The mapping as the template's `Mappings` section holds it.
    pub(crate) fn to_json(&self) -> Json {
        Json::Object(
            self.entries
                .iter()
                .map(|(k, a)| {
                    let inner: Map<String, Json> =
                        a.iter().map(|(n, v)| (n.clone(), v.clone())).collect();
                    (k.clone(), Json::Object(inner))
                })
                .collect(),
        )
    }
}

/// A mapping declared on a stack ([`crate::Stack::add_mapping`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRef {
    pub(crate) stack: String,
    pub(crate) name: String,
}

impl MappingRef {
    /// The mapping's name in the template.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `Fn::FindInMap`: the value of `attribute` under `key` (literals, or a parameter or
    /// pseudo parameter such as `Aws::region()`).
    pub fn find(&self, key: impl Into<Value>, attribute: impl Into<Value>) -> Value {
        Token::FindInMap {
            mapping: self.clone(),
            key: key.into(),
            attribute: attribute.into(),
        }
        .into()
    }
}
