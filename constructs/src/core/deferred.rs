//! What a stack asks of the app that only synth can settle, once every stack is built:
//!
//! - **changes to resources of other stacks**: a statement for the policy of a queue, topic or
//!   bucket that another stack holds, a subscription that belongs beside its queue. Synth
//!   applies them in the resource's own stack, so a resource policy stays one resource (SQS,
//!   SNS and S3 keep one policy per resource: two policies of one queue in two stacks would
//!   overwrite each other at deploy, and statements would be lost). A change whose references
//!   would make the stacks depend on each other in a cycle is refused, naming both stacks.
//! - **properties a resource must have by then** (a table's stream, when its ARN is used):
//!   checked on the final state, so the order of the calls that build the app does not
//!   matter.

use std::collections::{BTreeSet, HashMap, VecDeque};

use super::app::App;
use super::error::Problem;
use super::resource::CfnResource;
use super::stack::Stack;
use super::token::{ResourceRef, Token};
use super::value::Value;

/// A change a stack makes to a resource of another stack of the app, applied by synth in
/// that stack.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CrossStackChange {
    /// The stack the change was made with.
    pub source: String,
    /// The resource changed (or added): its stack and construct path.
    pub target: ResourceRef,
    pub kind: ChangeKind,
    /// What the change is, in words, for messages (`a statement of the queue policy of
    /// Queues/Inbox/Resource`).
    pub what: String,
    /// How to avoid a cycle between the two stacks.
    pub help: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ChangeKind {
    /// Append `item` to the array at the dotted `property` (one already there is not added
    /// again), creating the resource as `create` when the stack does not have it.
    Append {
        property: String,
        item: Value,
        create: CfnResource,
    },
    /// Add the resource.
    Add(CfnResource),
    /// Set the dotted `property` of the resource to `value` unless it is set by then.
    SetIfAbsent { property: String, value: Value },
}

/// A property a resource must have once the app is built, or `problem` is reported.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RequiredProperty {
    pub resource: ResourceRef,
    pub property: String,
    pub problem: Problem,
}

/// True when `resource` has `property` (a dotted path) set: present, not null, and not an
/// empty list or object.
pub(crate) fn has_property(resource: &CfnResource, property: &str) -> bool {
    match resource.properties.get_path(property) {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Object(map)) => !map.is_empty(),
        Some(_) => true,
    }
}

/// The branch of an [`Token::IfProperty`] the app's final state chooses; `None` when the
/// resource is not in the app.
pub(crate) fn chosen<'a>(
    app: &App,
    resource: &ResourceRef,
    property: &str,
    then: &'a Value,
    otherwise: &'a Value,
) -> Option<&'a Value> {
    let r = app.stacks.get(&resource.stack)?.resource(resource)?;
    Some(if has_property(r, property) {
        then
    } else {
        otherwise
    })
}

/// The stacks `value` refers to through `Ref` or `Fn::GetAtt` (both branches of a choice).
fn referenced_stacks(value: &Value, out: &mut BTreeSet<String>) {
    value.visit_tokens(&mut |t| match t {
        Token::Ref(r) | Token::GetAtt(r, _) => {
            out.insert(r.stack.clone());
        }
        Token::IfProperty { resource, .. } => {
            out.insert(resource.stack.clone());
        }
        _ => {}
    });
}

fn resource_stacks(resource: &CfnResource, out: &mut BTreeSet<String>) {
    referenced_stacks(&resource.properties, out);
    for v in resource.metadata.values() {
        referenced_stacks(v, out);
    }
    out.extend(resource.depends_on.iter().map(|d| d.stack.clone()));
}

/// Every stack each stack depends on, by reference or declared.
fn stack_graph(app: &App) -> HashMap<String, BTreeSet<String>> {
    app.stacks
        .values()
        .map(|stack| {
            let mut deps = BTreeSet::new();
            for resource in stack.resources.values() {
                resource_stacks(resource, &mut deps);
            }
            for output in stack.outputs.values() {
                referenced_stacks(&output.value, &mut deps);
                if let Some(name) = &output.export_name {
                    referenced_stacks(name, &mut deps);
                }
            }
            deps.extend(stack.dependencies.iter().cloned());
            deps.remove(&stack.name);
            (stack.name.clone(), deps)
        })
        .collect()
}

/// The shortest chain of dependencies from `from` to `to`, both included, if there is one.
fn chain(graph: &HashMap<String, BTreeSet<String>>, from: &str, to: &str) -> Option<Vec<String>> {
    let mut parent: HashMap<&str, &str> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(at) = queue.pop_front() {
        if at == to {
            let mut out = vec![to.to_string()];
            let mut cur = to;
            while let Some(p) = parent.get(cur) {
                out.push(p.to_string());
                cur = p;
            }
            out.reverse();
            return Some(out);
        }
        for next in graph.get(at).into_iter().flatten() {
            if next != from && !parent.contains_key(next.as_str()) {
                parent.insert(next, at);
                queue.push_back(next);
            }
        }
    }
    None
}

/// True when some stack of `app` made a change to a resource of another stack.
pub(crate) fn has_changes(app: &App) -> bool {
    app.stacks.values().any(|s| !s.changes.is_empty())
}

/// `app` with every change to a resource of another stack applied in that stack, in the
/// order of the stacks and then of the calls; what cannot be applied is reported.
pub(crate) fn apply_changes(app: &App, problems: &mut Vec<Problem>) -> App {
    let mut out = app.clone();
    let mut graph = stack_graph(app);
    let changes: Vec<CrossStackChange> = out
        .stacks
        .values_mut()
        .flat_map(|s| std::mem::take(&mut s.changes))
        .collect();
    for change in changes {
        let owner = change.target.stack.clone();
        let Some(stack) = out.stacks.get(&owner) else {
            problems.push(
                Problem::new(
                    &change.target.path,
                    format!(
                        "{} was made in stack {}, but its stack {owner} is not part of this app",
                        change.what, change.source
                    ),
                )
                .help(format!("add stack {owner} to the app with App::add_stack")),
            );
            continue;
        };
        let mut refs = BTreeSet::new();
        match &change.kind {
            ChangeKind::Append { item, create, .. } => {
                referenced_stacks(item, &mut refs);
                if stack.resource(&change.target).is_none() {
                    resource_stacks(create, &mut refs);
                }
            }
            ChangeKind::Add(resource) => resource_stacks(resource, &mut refs),
            ChangeKind::SetIfAbsent { value, .. } => referenced_stacks(value, &mut refs),
        }
        refs.remove(&owner);
        // a stack outside the app is reported where the reference is resolved
        refs.retain(|r| out.stacks.contains_key(r));
        let cycle = refs
            .iter()
            .find_map(|r| chain(&graph, r, &owner).map(|c| (r.clone(), c)));
        if let Some((other, back)) = cycle {
            let message = format!(
                "{} was made in stack {}; it belongs in stack {owner}, which holds the resource \
                 (one resource, not one per stack), but there it would refer to stack {other}, \
                 which already depends on stack {owner} ({}): the two stacks would depend on \
                 each other in a cycle",
                change.what,
                change.source,
                back.join(" -> ")
            );
            problems.push(Problem::new(&change.target.path, message).help(change.help.clone()));
            continue;
        }
        graph.entry(owner.clone()).or_default().extend(refs);
        let Some(stack) = out.stacks.get_mut(&owner) else {
            continue;
        };
        apply(stack, change, problems);
    }
    out
}

fn apply(stack: &mut Stack, change: CrossStackChange, problems: &mut Vec<Problem>) {
    let path = change.target.path.clone();
    match change.kind {
        ChangeKind::Append {
            property,
            item,
            create,
        } => {
            if !stack.resources.contains_key(&path) {
                stack.insert_resource(path.clone(), create);
            }
            if let Some(resource) = stack.resources.get_mut(&path) {
                append(&mut resource.properties, &property, item);
            }
        }
        ChangeKind::Add(resource) => {
            if stack.resources.contains_key(&path) {
                problems.push(
                    Problem::new(
                        &path,
                        format!(
                            "{} was made in stack {}, but stack {} already has a construct at this path",
                            change.what, change.source, stack.name
                        ),
                    )
                    .help("give each construct a unique id"),
                );
                return;
            }
            stack.insert_resource(path, resource);
        }
        ChangeKind::SetIfAbsent { property, value } => match stack.resources.get_mut(&path) {
            Some(resource) => {
                if !has_property(resource, &property) {
                    resource.properties.set_path(&property, value);
                }
            }
            None => problems.push(Problem::new(
                &path,
                format!(
                    "{} was made in stack {}, but stack {} has no such resource",
                    change.what, change.source, stack.name
                ),
            )),
        },
    }
}

/// Appends `item` to the array at the dotted `property` of `properties` (made when missing);
/// one already there is not added again.
pub(crate) fn append(properties: &mut Value, property: &str, item: Value) {
    match properties.get_path_mut(property) {
        Some(Value::Array(items)) => {
            if !items.contains(&item) {
                items.push(item);
            }
        }
        _ => properties.set_path(property, Value::Array(vec![item])),
    }
}

/// The problems of every property required of a resource that it does not have.
pub(crate) fn missing_properties(app: &App) -> Vec<Problem> {
    let mut out = Vec::new();
    for stack in app.stacks.values() {
        for required in &stack.required_properties {
            let has = app
                .stacks
                .get(&required.resource.stack)
                .and_then(|s| s.resource(&required.resource))
                .is_some_and(|r| has_property(r, &required.property));
            if !has && !out.contains(&required.problem) {
                out.push(required.problem.clone());
            }
        }
    }
    out
}
