//! Nested stacks ([`crate::core::stack::Stack::nested`]): the references that cross a nesting
//! boundary, and the fold that turns each nested stack's template into a file asset of its
//! parent.

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

use super::{Export, Resolver, SynthesizedStack};
use crate::core::app::App;
use crate::core::assembly::{to_json_text, ASSET_BUCKET};
use crate::core::error::Problem;
use crate::core::token::ResourceRef;

/// The template of a nested stack, deployed inside its parent: an asset uploaded to the
/// asset bucket under `<hash>.json`, which the parent's `AWS::CloudFormation::Stack` resource
/// names in its `TemplateURL`.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedTemplate {
    /// The nested stack's name in the app (`<parent>-<id>`).
    pub name: String,
    /// The construct path of its `AWS::CloudFormation::Stack` resource in the parent.
    pub path: String,
    /// That resource's logical id.
    pub logical_id: String,
    /// The template.
    pub template: Json,
    /// The template as written and uploaded (its hash is the asset's).
    pub body: String,
    /// The hex SHA-256 of `body`.
    pub hash: String,
}

impl NestedTemplate {
    /// Its file in the assembly directory.
    pub fn file_name(&self) -> String {
        file_name(&self.name)
    }

    /// Its key in the asset bucket: `<hash>.json`.
    pub fn object_key(&self) -> String {
        format!("{}.json", self.hash)
    }
}

/// The file of the nested stack `name` in the assembly directory.
pub fn file_name(name: &str) -> String {
    format!("{name}.nested.template.json")
}

/// The hex SHA-256 of a nested template's text.
pub fn hash_of(body: &str) -> String {
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `ReferenceTo<what>`, cut to CloudFormation's 255 characters of a parameter name.
fn parameter_name(what: &str) -> String {
    format!("ReferenceTo{what}").chars().take(255).collect()
}

impl Resolver<'_> {
    /// A reference that stays inside one deployed stack but crosses a nesting boundary: the
    /// parent reading a value of its nested stack (an output, `Fn::GetAtt <id>.Outputs.X`), a
    /// nested stack reading its parent's (a parameter the parent passes) or a sibling's (both).
    /// `None` for any other reference.
    pub(super) fn nested_reference(
        &mut self,
        target: &ResourceRef,
        output_id: &str,
        local: Json,
        at: &str,
        property: &str,
    ) -> Option<Json> {
        let own_parent = self.stack.nested.as_ref().map(|n| n.parent.clone());
        let target_parent = self
            .app
            .stacks
            .get(&target.stack)
            .and_then(|s| s.nested.as_ref())
            .map(|n| n.parent.clone());
        if target_parent.as_deref() == Some(self.stack.name.as_str()) {
            return Some(self.child_output(target, output_id, local));
        }
        if own_parent.as_deref() == Some(target.stack.as_str()) {
            let name = parameter_name(output_id.trim_start_matches("ExportsOutput"));
            return Some(self.pass_from_parent(name, local, at, property));
        }
        if own_parent.is_some() && own_parent == target_parent {
            let value = self.child_output(target, output_id, local);
            let sibling: String = target
                .stack
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let name = parameter_name(&format!(
                "{sibling}{}",
                output_id.trim_start_matches("ExportsOutput")
            ));
            return Some(self.pass_from_parent(name, value, at, property));
        }
        None
    }

    /// A parameter of the parent used in its nested stack: passed in as a parameter of the
    /// same value. `None` when `stack` is not this stack's parent.
    pub(super) fn parent_parameter(
        &mut self,
        stack: &str,
        name: &str,
        at: &str,
        property: &str,
    ) -> Option<Json> {
        let nest = self.stack.nested.as_ref()?;
        if nest.parent != stack {
            return None;
        }
        let declared = self
            .app
            .stacks
            .get(stack)
            .is_some_and(|s| s.parameters.contains_key(name));
        if !declared {
            let message = format!("refers to parameter {name}, which stack {stack} does not have");
            self.problem(at, property, message);
        }
        let passed = parameter_name(&format!("Parameter{name}"));
        Some(self.pass_from_parent(passed, json!({ "Ref": name }), at, property))
    }

    /// An output of the nested stack `target.stack` holding `local`, read by its parent.
    fn child_output(&mut self, target: &ResourceRef, output_id: &str, local: Json) -> Json {
        self.exports
            .entry(target.stack.clone())
            .or_default()
            .entry(output_id.to_string())
            .or_insert(Export {
                output_id: output_id.to_string(),
                export_name: None,
                value: local,
            });
        let nest = self
            .app
            .stacks
            .get(&target.stack)
            .and_then(|s| s.nested.as_ref());
        let logical = nest
            .and_then(|n| self.ids.get(n.parent.as_str())?.get(&n.path))
            .cloned()
            .unwrap_or_default();
        json!({ "Fn::GetAtt": [logical, format!("Outputs.{output_id}")] })
    }

    /// A parameter of this (nested) stack that its parent fills with `value`.
    fn pass_from_parent(&mut self, name: String, value: Json, at: &str, property: &str) -> Json {
        match self.from_parent.get(&name) {
            Some(v) if *v != value => {
                let message = format!(
                    "needs the parameter {name} for a value of the parent stack, but another value already has that name"
                );
                self.problem(at, property, message);
            }
            _ => {
                self.from_parent.insert(name.clone(), value);
            }
        }
        json!({ "Ref": name })
    }
}

/// Moves every nested stack's template into its parent: the parent's resource gets the
/// template's URL (by its hash) and the parameters it passes, the parent takes over the
/// nested stack's code assets and dependencies, and every stack that depended on a nested
/// stack depends on its parent. A cycle through a nested stack is a problem.
pub(super) fn fold(
    app: &App,
    out: &mut IndexMap<String, SynthesizedStack>,
    mut passes: IndexMap<String, IndexMap<String, Json>>,
    problems: &mut Vec<Problem>,
) {
    let mut parent_of: IndexMap<String, String> = IndexMap::new();
    let mut touched: Vec<String> = Vec::new();
    for stack in app.stacks.values() {
        let Some(nest) = &stack.nested else {
            continue;
        };
        parent_of.insert(stack.name.clone(), nest.parent.clone());
        let Some(child) = out.shift_remove(&stack.name) else {
            continue;
        };
        let Some(parent) = app.stacks.get(&nest.parent) else {
            problems.push(
                Problem::new(
                    &stack.name,
                    format!(
                        "is nested in stack {}, which is not part of this app",
                        nest.parent
                    ),
                )
                .help(format!("add stack {} with App::add_stack", nest.parent)),
            );
            continue;
        };
        if stack.env != parent.env {
            problems.push(
                Problem::new(&stack.name, format!(
                    "is nested in stack {}, whose environment is {}; this one's is {}: a nested stack is deployed where its parent is",
                    parent.name, parent.env.describe(), stack.env.describe()
                ))
                .property("env")
                .help("leave the nested stack's environment alone (Stack::nested gives it the parent's)"),
            );
        }
        if stack.termination_protection {
            problems.push(
                Problem::new(
                    &stack.name,
                    "is a nested stack: CloudFormation protects the top-level stack only",
                )
                .property("EnableTerminationProtection")
                .help(format!(
                    "turn termination protection on for {}",
                    parent.name
                )),
            );
        }
        if !child.folders.is_empty() {
            problems.push(
                Problem::new(&stack.name, "publishes folders to its buckets (BucketDeployment): rcdk publishes folders of top-level stacks only")
                    .help("put the bucket and its deployment in the parent stack"),
            );
        }
        if !child.from_outputs.is_empty() {
            problems.push(
                Problem::new(&stack.name, "takes values from another region's stack: rcdk deploy passes those to top-level stacks only")
                    .help("make the reference from the parent stack"),
            );
        }
        let body = to_json_text(&child.template);
        let hash = hash_of(&body);
        let Some(p) = out.get_mut(&nest.parent) else {
            continue;
        };
        let Some(logical_id) = p.logical_ids.get(&nest.path).cloned() else {
            continue;
        };
        let resource = p
            .template
            .get_mut("Resources")
            .and_then(|r| r.get_mut(&logical_id))
            .and_then(Json::as_object_mut);
        if let Some(resource) = resource {
            let mut properties = match resource.remove("Properties") {
                Some(Json::Object(m)) => m,
                _ => Map::new(),
            };
            properties.insert(
                "TemplateURL".into(),
                json!({ "Fn::Sub": format!("https://s3.${{AWS::Region}}.${{AWS::URLSuffix}}/{ASSET_BUCKET}/{hash}.json") }),
            );
            let passed = passes.shift_remove(&stack.name).unwrap_or_default();
            if !passed.is_empty() {
                properties.insert("Parameters".into(), json!(passed));
            }
            // the nested stack's own tags, beside those an aspect put on the resource
            if !stack.tags.is_empty() {
                let tags = properties
                    .entry("Tags")
                    .or_insert_with(|| Json::Array(Vec::new()));
                if let Some(tags) = tags.as_array_mut() {
                    for (k, v) in &stack.tags {
                        let has = tags.iter().any(|t| t.get("Key") == Some(&json!(k)));
                        if !has {
                            tags.push(json!({ "Key": k, "Value": v }));
                        }
                    }
                }
            }
            resource.insert("Properties".into(), Json::Object(properties));
        }
        for asset in child.assets {
            if !p.assets.iter().any(|a| a.hash == asset.hash) {
                p.assets.push(asset);
            }
        }
        for d in child.dependencies {
            if d != nest.parent && !p.dependencies.contains(&d) {
                p.dependencies.push(d);
            }
        }
        p.nested.push(NestedTemplate {
            name: stack.name.clone(),
            path: nest.path.clone(),
            logical_id,
            template: child.template,
            body,
            hash,
        });
        if !touched.contains(&nest.parent) {
            touched.push(nest.parent.clone());
        }
    }
    // a stack deploys after the parent of a nested stack it imports from
    for s in out.values_mut() {
        let mut deps = Vec::new();
        for d in std::mem::take(&mut s.dependencies) {
            let d = parent_of.get(&d).cloned().unwrap_or(d);
            if d != s.name && !deps.contains(&d) {
                deps.push(d);
            }
        }
        s.dependencies = deps;
    }
    // values passed into a nested stack and read back out can close a cycle in the parent
    for name in touched {
        let Some(p) = out.get(&name) else { continue };
        let Some(resources) = p.resources() else {
            continue;
        };
        let paths: IndexMap<String, String> = p
            .logical_ids
            .iter()
            .map(|(path, id)| (id.clone(), path.clone()))
            .collect();
        let through_nested = |cycle: &Vec<String>| {
            cycle
                .iter()
                .any(|id| p.nested.iter().any(|n| &n.logical_id == id))
        };
        for cycle in crate::core::checks::cycles(resources)
            .into_iter()
            .filter(through_nested)
        {
            let mut problem = crate::core::checks::cycle_problem(
                &name,
                &cycle,
                &paths,
                resources,
                &std::collections::HashMap::new(),
            );
            if problem.help.is_none() {
                problem.help = Some("a value goes into a nested stack and another comes back out to what it depends on: move one of the resources to the other side".into());
            }
            problems.push(problem);
        }
    }
}
