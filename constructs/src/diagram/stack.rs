//! Stack graphs: a synthesized stack's resources grouped by the construct that made them
//! (one box per top-level construct, its resources listed inside), with a line for each way
//! one construct uses another: a reference, a grant (who may call whom), an integration (an
//! API's method, a rule's or a schedule's target, a machine's task), an event source, a
//! subscription, and the values other stacks import from it or it imports from them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::build::{shorten, GEdge, GNode, Graph, Scope};
use super::{layout, Diagram, EdgeKind, NodeKind};

/// The most resources a construct's box lists; the rest are counted.
const MAX_LINES: usize = 8;

/// `AWS::Lambda::Function` as `Lambda Function`, `Custom::Seed` as `Custom Seed`.
fn type_short(kind: &str) -> String {
    let parts: Vec<&str> = kind.split("::").collect();
    match parts.as_slice() {
        ["AWS", service, name] => format!("{service} {name}"),
        [first, rest @ ..] => format!("{first} {}", rest.join(" ")),
        [] => kind.to_string(),
    }
}

/// The resources a value refers to (`Ref`, `Fn::GetAtt`, `${X}` of `Fn::Sub`), in order,
/// and the export names it imports.
fn references(
    value: &Json,
    resources: &Map<String, Json>,
    refs: &mut Vec<String>,
    imports: &mut Vec<String>,
) {
    match value {
        Json::Object(o) => {
            if let Some(Json::String(id)) = o.get("Ref") {
                if resources.contains_key(id) {
                    refs.push(id.clone());
                }
                return;
            }
            if let Some(target) = o.get("Fn::GetAtt") {
                let id = match target {
                    Json::Array(a) => a.first().and_then(Json::as_str).map(str::to_string),
                    Json::String(s) => s.split('.').next().map(str::to_string),
                    _ => None,
                };
                if let Some(id) = id.filter(|id| resources.contains_key(id)) {
                    refs.push(id);
                }
                return;
            }
            if let Some(Json::String(name)) = o.get("Fn::ImportValue") {
                imports.push(name.clone());
                return;
            }
            if let Some(sub) = o.get("Fn::Sub") {
                let (text, vars) = match sub {
                    Json::String(t) => (t.as_str(), None),
                    Json::Array(a) => (
                        a.first().and_then(Json::as_str).unwrap_or_default(),
                        a.get(1),
                    ),
                    _ => ("", None),
                };
                for placeholder in text.split("${").skip(1) {
                    let name = placeholder.split('}').next().unwrap_or_default();
                    let id = name.split('.').next().unwrap_or_default();
                    if resources.contains_key(id) {
                        refs.push(id.to_string());
                    }
                }
                if let Some(v) = vars {
                    references(v, resources, refs, imports);
                }
                return;
            }
            for v in o.values() {
                references(v, resources, refs, imports);
            }
        }
        Json::Array(items) => items
            .iter()
            .for_each(|v| references(v, resources, refs, imports)),
        _ => {}
    }
}

fn refs_in(value: Option<&Json>, resources: &Map<String, Json>) -> Vec<String> {
    let (mut refs, mut imports) = (Vec::new(), Vec::new());
    if let Some(v) = value {
        references(v, resources, &mut refs, &mut imports);
    }
    refs
}

/// The services of a statement's actions (`dynamodb`, `sqs`).
fn services(statement: &Json) -> BTreeSet<String> {
    let actions: Vec<&str> = match statement.get("Action") {
        Some(Json::String(a)) => vec![a.as_str()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    actions
        .iter()
        .map(|a| a.split(':').next().unwrap_or(a).to_string())
        .collect()
}

fn statements(document: Option<&Json>) -> Vec<&Json> {
    match document.and_then(|d| d.get("Statement")) {
        Some(Json::Array(s)) => s.iter().collect(),
        Some(s @ Json::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

impl Diagram {
    /// The graph of a synthesized stack (`template`, of the stack named `stack`): a box per
    /// construct, lines for references, grants, integrations, event sources, subscriptions,
    /// and boxes for the stacks it imports from and for what it exports.
    pub fn of_stack(stack: &str, template: &Json) -> Diagram {
        let empty = Map::new();
        let resources = template
            .get("Resources")
            .and_then(Json::as_object)
            .unwrap_or(&empty);
        let prefix = format!("{stack}/");
        let construct_of = |id: &str| -> String {
            let path = resources
                .get(id)
                .and_then(|r| r.get("Metadata"))
                .and_then(|m| m.get("aws:cdk:path"))
                .and_then(Json::as_str)
                .unwrap_or(id);
            let rest = path.strip_prefix(&prefix).unwrap_or(path);
            rest.split('/').next().unwrap_or(rest).to_string()
        };
        // the constructs, in the order their first resource comes, with their resources
        let mut constructs: Vec<(String, Vec<String>)> = Vec::new();
        for (id, r) in resources {
            let name = construct_of(id);
            let path = r
                .get("Metadata")
                .and_then(|m| m.get("aws:cdk:path"))
                .and_then(Json::as_str)
                .unwrap_or(id);
            let rest = path.strip_prefix(&prefix).unwrap_or(path);
            let inner = rest
                .split_once('/')
                .map(|(_, i)| i.trim_end_matches("Resource").trim_end_matches('/'))
                .unwrap_or("");
            let kind = type_short(r.get("Type").and_then(Json::as_str).unwrap_or("?"));
            let line = if inner.is_empty() {
                kind
            } else {
                format!("{inner}: {kind}")
            };
            match constructs.iter_mut().find(|(n, _)| *n == name) {
                Some((_, lines)) => lines.push(line),
                None => constructs.push((name, vec![line])),
            }
        }
        // (from, to, kind) -> labels
        let mut edges: BTreeMap<(String, String, EdgeKind), BTreeSet<String>> = BTreeMap::new();
        let mut external: Vec<String> = Vec::new();
        let mut add = |from: String, to: String, kind: EdgeKind, label: Option<String>| {
            if from == to {
                return;
            }
            let labels = edges.entry((from, to, kind)).or_default();
            if let Some(l) = label {
                labels.insert(l);
            }
        };
        for (id, r) in resources {
            let a = construct_of(id);
            let kind = r.get("Type").and_then(Json::as_str).unwrap_or_default();
            let props = r.get("Properties");
            let prop = |k: &str| props.and_then(|p| p.get(k));
            let c =
                |ids: Vec<String>| -> Vec<String> { ids.iter().map(|i| construct_of(i)).collect() };
            match kind {
                "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                    let mut grantees = c(refs_in(prop("Roles"), resources));
                    grantees.extend(c(refs_in(prop("Users"), resources)));
                    grantees.extend(c(refs_in(prop("Groups"), resources)));
                    if grantees.is_empty() {
                        grantees.push(a.clone());
                    }
                    for s in statements(prop("PolicyDocument")) {
                        let label = services(s).into_iter().collect::<Vec<_>>().join(", ");
                        for b in c(refs_in(s.get("Resource"), resources)) {
                            for g in &grantees {
                                add(g.clone(), b.clone(), EdgeKind::Grant, Some(label.clone()));
                            }
                        }
                    }
                }
                "AWS::IAM::Role" => {
                    for p in prop("Policies")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                    {
                        for s in statements(p.get("PolicyDocument")) {
                            let label = services(s).into_iter().collect::<Vec<_>>().join(", ");
                            for b in c(refs_in(s.get("Resource"), resources)) {
                                add(a.clone(), b, EdgeKind::Grant, Some(label.clone()));
                            }
                        }
                    }
                }
                "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" | "AWS::S3::BucketPolicy" => {
                    let targets = c(refs_in(
                        prop("Queues").or(prop("Topics")).or(prop("Bucket")),
                        resources,
                    ));
                    for s in statements(prop("PolicyDocument")) {
                        let label = services(s).into_iter().collect::<Vec<_>>().join(", ");
                        for g in c(refs_in(s.get("Principal"), resources)) {
                            for t in &targets {
                                add(g.clone(), t.clone(), EdgeKind::Grant, Some(label.clone()));
                            }
                        }
                    }
                }
                "AWS::Lambda::EventSourceMapping" => {
                    for s in c(refs_in(prop("EventSourceArn"), resources)) {
                        for f in c(refs_in(prop("FunctionName"), resources)) {
                            add(s.clone(), f, EdgeKind::EventSource, None);
                        }
                    }
                }
                "AWS::SNS::Subscription" => {
                    for t in c(refs_in(prop("TopicArn"), resources)) {
                        for e in c(refs_in(prop("Endpoint"), resources)) {
                            add(t.clone(), e, EdgeKind::Subscription, None);
                        }
                    }
                }
                // a permission restates what its source's line says
                "AWS::Lambda::Permission" => {}
                _ => {
                    let integrations = match kind {
                        "AWS::Events::Rule" => prop("Targets"),
                        "AWS::ApiGateway::Method" => prop("Integration"),
                        "AWS::ApiGatewayV2::Integration" => prop("IntegrationUri"),
                        "AWS::StepFunctions::StateMachine" => prop("DefinitionSubstitutions"),
                        "AWS::Scheduler::Schedule" => prop("Target"),
                        _ => None,
                    };
                    let integrated = c(refs_in(integrations, resources));
                    for b in &integrated {
                        add(a.clone(), b.clone(), EdgeKind::Integration, None);
                    }
                    for b in c(refs_in(props, resources)) {
                        if !integrated.contains(&b) {
                            add(a.clone(), b, EdgeKind::Reference, None);
                        }
                    }
                }
            }
            // a value another stack exports: a line from that stack
            let (mut refs, mut imports) = (Vec::new(), Vec::new());
            if let Some(p) = props {
                references(p, resources, &mut refs, &mut imports);
            }
            for name in imports {
                let from = name.split(':').next().unwrap_or(&name).to_string();
                let node = format!("{from} (stack)");
                if !external.contains(&node) {
                    external.push(node.clone());
                }
                add(node, a.clone(), EdgeKind::Export, None);
            }
        }
        // what other stacks import from this one
        for output in template
            .get("Outputs")
            .and_then(Json::as_object)
            .into_iter()
            .flat_map(|o| o.values())
        {
            if output.get("Export").is_none() {
                continue;
            }
            for b in refs_in(output.get("Value"), resources) {
                let node = "exports".to_string();
                if !external.contains(&node) {
                    external.push(node.clone());
                }
                add(construct_of(&b), node, EdgeKind::Export, None);
            }
        }

        let mut nodes: Vec<GNode> = constructs
            .into_iter()
            .map(|(name, lines)| {
                let mut shown: Vec<String> = lines.iter().take(MAX_LINES).cloned().collect();
                if lines.len() > MAX_LINES {
                    shown.push(format!("+{} more", lines.len() - MAX_LINES));
                }
                GNode {
                    path: name.clone(),
                    name,
                    kind: NodeKind::Construct,
                    detail: Some(
                        shown
                            .iter()
                            .map(|l| shorten(l))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ),
                    retriers: 0,
                    scopes: Vec::new(),
                }
            })
            .collect();
        for e in &external {
            nodes.push(GNode {
                path: e.clone(),
                name: e.clone(),
                kind: NodeKind::Stack,
                detail: None,
                retriers: 0,
                scopes: Vec::new(),
            });
        }
        let index: BTreeMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.path.as_str(), i))
            .collect();
        let gedges: Vec<GEdge> = edges
            .iter()
            .filter_map(|((from, to, kind), labels)| {
                let label = (!labels.is_empty())
                    .then(|| labels.iter().cloned().collect::<Vec<_>>().join("; "))
                    .filter(|l| !l.is_empty());
                let (short, title) = match label {
                    Some(l) => {
                        let s = shorten(&l);
                        let t = (s != l).then_some(l);
                        (Some(s), t)
                    }
                    None => (None, None),
                };
                Some(GEdge {
                    from: *index.get(from.as_str())?,
                    to: *index.get(to.as_str())?,
                    kind: *kind,
                    label: short,
                    title,
                })
            })
            .collect();
        let graph = Graph {
            scopes: vec![Scope {
                nodes,
                edges: gedges,
                parent: None,
            }],
        };
        layout::lay_out(&graph)
    }
}
