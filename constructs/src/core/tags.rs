//! Tags on every taggable resource of a scope (an app, a stack, or the constructs under a
//! construct path), written at synth in each resource type's own shape: a list of
//! `{"Key", "Value"}` objects for most types, a map for the others (an SSM parameter, a
//! Lambda layer's...), as the type's registry schema says (`tagging.tagProperty` and that
//! property's schema). The AWS CDK's `Tags.of(scope).add(key, value)`.
//!
//! ```
//! use constructs::{App, Stack, Tags};
//!
//! let mut stack = Stack::new("Orders");
//! Tags::of(&mut stack).add("team", "orders").add("cost-center", "42");
//! Tags::of(&mut stack)
//!     .include_resource_types(["AWS::DynamoDB::Table"])
//!     .add("backup", "daily");
//! let mut app = App::new(".");
//! app.add_stack(stack);
//! Tags::of(&mut app).add("owner", "platform");
//! ```
//!
//! Rules apply in the order they were added, the app's before a stack's: a later `add` of a
//! key wins, `remove` takes a key away (a tag the resource was given in its properties too).
//! A type whose tags are create-only (changing them replaces the resource: an EC2 key pair, an
//! MSK serverless cluster ...) is tagged only by a rule that names it in
//! `include_resource_types`.
//! A resource whose tags property is an intrinsic function, or whose type takes tags in
//! another shape, is left as it is. A stack's own tags ([`Stack::add_tag`]) are
//! CloudFormation's stack tags, which it propagates itself.

use serde_json::{Map, Value as Json};

use super::app::App;
use super::stack::Stack;

/// One rule: `key` set to `value` (or removed when `None`) on the resources under `under`
/// (a construct path; every resource when `None`) of the types `include` names (all when
/// empty) and not of those `exclude` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    key: String,
    value: Option<String>,
    under: Option<String>,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl TagRule {
    fn applies(&self, path: &str, type_name: &str) -> bool {
        super::path::within(self.under.as_deref(), path)
            && (self.include.is_empty() || self.include.iter().any(|t| t == type_name))
            && !self.exclude.iter().any(|t| t == type_name)
    }
}

/// Something tags can be applied to: an [`App`] (every stack) or a [`Stack`].
pub trait TagScope {
    /// The rules of the scope, and the construct path its own paths start with.
    #[doc(hidden)]
    fn tag_rules(&mut self) -> (&mut Vec<TagRule>, Option<String>);
}

impl TagScope for Stack {
    fn tag_rules(&mut self) -> (&mut Vec<TagRule>, Option<String>) {
        let base = Some(self.name.clone());
        (&mut self.tag_rules, base)
    }
}

impl TagScope for App {
    fn tag_rules(&mut self) -> (&mut Vec<TagRule>, Option<String>) {
        (&mut self.tag_rules, None)
    }
}

/// Tags of a scope: `Tags::of(&mut stack).add("team", "orders")`.
pub struct Tags<'a> {
    rules: &'a mut Vec<TagRule>,
    base: Option<String>,
    under: Option<String>,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl<'a> Tags<'a> {
    /// The tags of every taggable resource of `scope`.
    pub fn of(scope: &'a mut impl TagScope) -> Tags<'a> {
        let (rules, base) = scope.tag_rules();
        Tags {
            rules,
            base,
            under: None,
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }

    /// Only the resources under the construct `path`, relative to the scope (`Api` in a
    /// stack; `Orders/Api` in an app).
    pub fn under(mut self, path: impl Into<String>) -> Self {
        self.under = Some(super::path::in_scope(self.base.as_deref(), &path.into()));
        self
    }

    /// Only resources of these types (`AWS::DynamoDB::Table`).
    pub fn include_resource_types<S: Into<String>>(
        mut self,
        types: impl IntoIterator<Item = S>,
    ) -> Self {
        self.include.extend(types.into_iter().map(Into::into));
        self
    }

    /// Not resources of these types.
    pub fn exclude_resource_types<S: Into<String>>(
        mut self,
        types: impl IntoIterator<Item = S>,
    ) -> Self {
        self.exclude.extend(types.into_iter().map(Into::into));
        self
    }

    fn rule(&mut self, key: String, value: Option<String>) -> &mut Self {
        self.rules.push(TagRule {
            key,
            value,
            under: self.under.clone().or_else(|| self.base.clone()),
            include: self.include.clone(),
            exclude: self.exclude.clone(),
        });
        self
    }

    /// Tags the resources `key` = `value`.
    pub fn add(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.rule(key.into(), Some(value.into()))
    }

    /// Takes the tag `key` off the resources (added by an earlier rule, or in their
    /// properties).
    pub fn remove(&mut self, key: impl Into<String>) -> &mut Self {
        self.rule(key.into(), None)
    }
}

/// The tag rules of a stack (the app's, then the stack's), applied as the first aspect of
/// the stack ([`super::aspect`]).
#[derive(Debug)]
pub(crate) struct TagAspect(pub(crate) Vec<TagRule>);

impl super::aspect::Aspect for TagAspect {
    fn visit(&self, node: &mut super::aspect::Node<'_>) {
        if self.0.is_empty() {
            return;
        }
        let (path, type_name) = (node.path().to_string(), node.type_name().to_string());
        apply(self.0.iter(), &path, &type_name, node.properties_mut());
    }
}

/// Applies `rules` to the rendered `properties` of the resource at `path` of `type_name`,
/// in the type's tag shape; nothing when no rule applies or the type takes no tags it knows.
pub(crate) fn apply<'r>(
    rules: impl Iterator<Item = &'r TagRule>,
    path: &str,
    type_name: &str,
    properties: &mut Map<String, Json>,
) {
    let rules: Vec<&TagRule> = rules.filter(|r| r.applies(path, type_name)).collect();
    if rules.is_empty() {
        return;
    }
    let Some((property, shape)) = crate::registry::tag_shape(type_name) else {
        return;
    };
    // tags a type takes only at creation (an EC2 key pair's, an MSK serverless cluster's):
    // changing them replaces the resource, so only a rule that names the type applies
    let rules: Vec<&TagRule> = if crate::registry::is_create_only(type_name, &property) {
        rules
            .into_iter()
            .filter(|r| r.include.iter().any(|t| t == type_name))
            .collect()
    } else {
        rules
    };
    if rules.is_empty() {
        return;
    }
    let mut tags: Vec<(String, Json)> = match properties.get(&property) {
        None => Vec::new(),
        Some(Json::Array(items)) if shape == crate::registry::TagShape::List => {
            let mut out = Vec::new();
            for item in items {
                match (item.get("Key").and_then(Json::as_str), item.get("Value")) {
                    (Some(k), Some(v)) => out.push((k.to_string(), v.clone())),
                    // a tag built by an intrinsic: the list cannot be merged
                    _ => return,
                }
            }
            out
        }
        Some(Json::Object(map))
            if shape == crate::registry::TagShape::Map
                && !(map.len() == 1 && map.keys().all(|k| k == "Ref" || k.starts_with("Fn::"))) =>
        {
            map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        }
        Some(_) => return,
    };
    for rule in rules {
        tags.retain(|(k, _)| *k != rule.key);
        if let Some(value) = &rule.value {
            tags.push((rule.key.clone(), Json::String(value.clone())));
        }
    }
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    let rendered = match shape {
        crate::registry::TagShape::List => Json::Array(
            tags.into_iter()
                .map(|(k, v)| {
                    let mut tag = Map::new();
                    tag.insert("Key".into(), Json::String(k));
                    tag.insert("Value".into(), v);
                    Json::Object(tag)
                })
                .collect(),
        ),
        crate::registry::TagShape::Map => Json::Object(tags.into_iter().collect()),
    };
    properties.insert(property, rendered);
}
