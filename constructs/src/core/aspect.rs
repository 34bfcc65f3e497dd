//! Aspects: visitors over every resource of a scope (the app, a stack, or the constructs under
//! a construct path) that inspect and change it at synth, after its tokens are resolved and
//! before the registry schemas and the library's checks see it, so what an aspect sets is
//! checked like the rest, and what it refuses is reported like the library's own problems,
//! with the construct path and property. The AWS CDK's `Aspects.of(scope).add(aspect)`.
//! Tags ([`super::tags::Tags`]) are applied on this mechanism, as the first aspect of every
//! stack, so aspects see each resource's final tags.
//!
//! ```
//! use constructs::core::aspect::{Aspect, Aspects, Node};
//! use constructs::{App, Stack};
//!
//! /// Every queue keeps its messages four days at most.
//! #[derive(Debug)]
//! struct ShortRetention;
//!
//! impl Aspect for ShortRetention {
//!     fn visit(&self, node: &mut Node<'_>) {
//!         if node.type_name() != "AWS::SQS::Queue" {
//!             return;
//!         }
//!         match node.property("MessageRetentionPeriod").and_then(|v| v.as_u64()) {
//!             None => node.set_property("MessageRetentionPeriod", 345_600),
//!             Some(s) if s > 345_600 => node.problem(
//!                 "MessageRetentionPeriod",
//!                 format!("keeps messages {s} s; the team's limit is 345600"),
//!             ),
//!             Some(_) => {}
//!         }
//!     }
//! }
//!
//! let mut stack = Stack::new("Jobs");
//! Aspects::of(&mut stack).add(ShortRetention);
//! let mut app = App::new(".");
//! app.add_stack(stack);
//! ```
//!
//! Aspects apply in the order they were added, the app's before a stack's. An aspect changes
//! properties only; it adds no resource (a construct does that).

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

use super::app::App;
use super::error::{Problem, Warning};
use super::stack::Stack;

/// A visitor of resources: [`Aspect::visit`] is called once per resource of its scope.
pub trait Aspect: fmt::Debug + Send + Sync {
    /// Inspects, changes or refuses one resource.
    fn visit(&self, node: &mut Node<'_>);
}

/// An aspect and the construct path it is limited to (every resource when `None`).
#[derive(Debug, Clone)]
pub struct ScopedAspect {
    pub(crate) under: Option<String>,
    pub(crate) aspect: Arc<dyn Aspect>,
}

impl ScopedAspect {
    /// An aspect of a scope's own (tags).
    pub(crate) fn new(aspect: impl Aspect + 'static) -> ScopedAspect {
        ScopedAspect {
            under: None,
            aspect: Arc::new(aspect),
        }
    }

    fn applies(&self, path: &str) -> bool {
        super::path::within(self.under.as_deref(), path)
    }
}

/// One resource as an aspect sees it: its construct path, logical id, type and rendered
/// properties (tokens as the template writes them: `{"Ref": ...}`), and the other resources
/// of its stack.
pub struct Node<'a> {
    path: &'a str,
    logical_id: &'a str,
    type_name: &'a str,
    properties: &'a mut Map<String, Json>,
    stack: &'a Map<String, Json>,
    problems: &'a mut Vec<Problem>,
    warnings: &'a mut Vec<Warning>,
}

impl Node<'_> {
    /// The construct path (`Orders/Table/Resource`).
    pub fn path(&self) -> &str {
        self.path
    }

    /// The logical id in the template.
    pub fn logical_id(&self) -> &str {
        self.logical_id
    }

    /// The CloudFormation type (`AWS::S3::Bucket`).
    pub fn type_name(&self) -> &str {
        self.type_name
    }

    /// The properties, rendered.
    pub fn properties(&self) -> &Map<String, Json> {
        self.properties
    }

    /// The properties, to change them.
    pub fn properties_mut(&mut self) -> &mut Map<String, Json> {
        self.properties
    }

    /// A property by its path of keys, dot-separated
    /// (`PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled`).
    pub fn property(&self, path: &str) -> Option<&Json> {
        let mut parts = path.split('.');
        let first = self.properties.get(parts.next()?)?;
        parts.try_fold(first, |v, key| v.get(key))
    }

    /// Sets a property by its dot-separated path, making the objects on the way (an object
    /// on the way that is not one, such as an intrinsic function, is replaced).
    pub fn set_property(&mut self, path: &str, value: impl Into<Json>) {
        let keys: Vec<&str> = path.split('.').collect();
        let Some((last, parents)) = keys.split_last() else {
            return;
        };
        let mut map: &mut Map<String, Json> = self.properties;
        for key in parents {
            let entry = map
                .entry(key.to_string())
                .or_insert_with(|| Json::Object(Map::new()));
            if !entry.is_object() {
                *entry = Json::Object(Map::new());
            }
            let Json::Object(inner) = entry else { return };
            map = inner;
        }
        map.insert(last.to_string(), value.into());
    }

    /// Removes a top-level property.
    pub fn remove_property(&mut self, name: &str) -> Option<Json> {
        self.properties.remove(name)
    }

    /// The other resources of the stack, by logical id: `(type, properties)`, as they are at
    /// this point (with what this aspect changed in those it visited before).
    pub fn stack_resources(&self) -> impl Iterator<Item = (&str, &str, &Json)> + '_ {
        self.stack
            .iter()
            .filter(|(id, r)| id.as_str() != self.logical_id && !r.is_null())
            .map(|(id, r)| {
                (
                    id.as_str(),
                    r.get("Type").and_then(Json::as_str).unwrap_or_default(),
                    r.get("Properties").unwrap_or(&Json::Null),
                )
            })
    }

    /// Refuses the resource: a synth problem at its construct path and `property`.
    pub fn problem(&mut self, property: &str, message: impl Into<String>) {
        let mut p = Problem::new(self.path, message.into());
        if !property.is_empty() {
            p = p.property(property);
        }
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    /// A warning at the resource's construct path.
    pub fn warning(&mut self, message: impl Into<String>) {
        self.warnings.push(Warning {
            path: self.path.to_string(),
            message: message.into(),
        });
    }
}

/// Something aspects can be added to: an [`App`] (every stack) or a [`Stack`].
pub trait AspectScope {
    /// The scope's aspects, and the construct path its own paths start with.
    #[doc(hidden)]
    fn aspects(&mut self) -> (&mut Vec<ScopedAspect>, Option<String>);
}

impl AspectScope for Stack {
    fn aspects(&mut self) -> (&mut Vec<ScopedAspect>, Option<String>) {
        let base = Some(self.name.clone());
        (&mut self.aspects, base)
    }
}

impl AspectScope for App {
    fn aspects(&mut self) -> (&mut Vec<ScopedAspect>, Option<String>) {
        (&mut self.aspects, None)
    }
}

/// The aspects of a scope: `Aspects::of(&mut app).add(LogRetention::of(RetentionDays::OneMonth))`.
pub struct Aspects<'a> {
    list: &'a mut Vec<ScopedAspect>,
    base: Option<String>,
    under: Option<String>,
}

impl<'a> Aspects<'a> {
    /// The aspects of every resource of `scope`.
    pub fn of(scope: &'a mut impl AspectScope) -> Aspects<'a> {
        let (list, base) = scope.aspects();
        Aspects {
            list,
            base,
            under: None,
        }
    }

    /// Only the resources under the construct `path`, relative to the scope (`Api` in a
    /// stack; `Orders/Api` in an app).
    pub fn under(mut self, path: impl Into<String>) -> Self {
        self.under = Some(super::path::in_scope(self.base.as_deref(), &path.into()));
        self
    }

    /// Adds an aspect, applied after those added before.
    pub fn add(&mut self, aspect: impl Aspect + 'static) -> &mut Self {
        self.list.push(ScopedAspect {
            under: self.under.clone().or_else(|| self.base.clone()),
            aspect: Arc::new(aspect),
        });
        self
    }
}

/// Runs `aspects` in order over the rendered `resources` of a stack (logical id to resource),
/// `paths` giving each logical id's construct path. The resource being visited is taken out
/// of the map (its slot left `null`, so the order of the template stays) while the others are
/// lent to the aspect.
pub(crate) fn run<'s>(
    aspects: impl Iterator<Item = &'s ScopedAspect>,
    paths: &IndexMap<String, String>,
    resources: &mut Map<String, Json>,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Warning>,
) {
    let ids: Vec<String> = resources.keys().cloned().collect();
    for scoped in aspects {
        for id in &ids {
            let Some(path) = paths.get(id) else { continue };
            if !scoped.applies(path) {
                continue;
            }
            let Some(slot) = resources.get_mut(id) else {
                continue;
            };
            let mut resource = std::mem::take(slot);
            if let Json::Object(r) = &mut resource {
                visit(scoped, path, id, r, resources, problems, warnings);
            }
            if let Some(slot) = resources.get_mut(id) {
                *slot = resource;
            }
        }
    }
}

/// One aspect over one resource; a resource that had no properties and is given some gets
/// them right after its `Type`, where the template writes them.
fn visit(
    scoped: &ScopedAspect,
    path: &str,
    id: &str,
    r: &mut Map<String, Json>,
    stack: &Map<String, Json>,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Warning>,
) {
    let type_name = r
        .get("Type")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    let had = matches!(r.get("Properties"), Some(Json::Object(_)));
    let mut fresh = Map::new();
    let properties = match r.get_mut("Properties") {
        Some(Json::Object(p)) => p,
        _ => &mut fresh,
    };
    let mut node = Node {
        path,
        logical_id: id,
        type_name: &type_name,
        properties,
        stack,
        problems,
        warnings,
    };
    scoped.aspect.visit(&mut node);
    if had {
        if let Some(Json::Object(p)) = r.get("Properties") {
            if p.is_empty() {
                r.remove("Properties");
            }
        }
    } else if !fresh.is_empty() {
        let rest = std::mem::take(r);
        for (k, v) in rest {
            let is_type = k == "Type";
            r.insert(k, v);
            if is_type {
                r.insert(
                    "Properties".into(),
                    Json::Object(std::mem::take(&mut fresh)),
                );
            }
        }
    }
}
