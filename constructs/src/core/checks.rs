//! Checks made on the synthesized templates, before anything is written: dependency cycles
//! between the resources of a stack, and physical names two resources would both claim.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

use super::error::Problem;
use super::token::sub_placeholders;

/// The logical ids a resource's properties and `DependsOn` refer to (`Ref`, `Fn::GetAtt`,
/// `Fn::Sub` placeholders, also inside `DefinitionSubstitutions`), in the order met.
fn references(resource: &Json, ids: &Map<String, Json>) -> Vec<String> {
    fn walk(v: &Json, out: &mut Vec<String>) {
        match v {
            Json::Object(m) if m.len() == 1 => {
                let (k, arg) = m
                    .iter()
                    .next()
                    .map(|(k, a)| (k.as_str(), a))
                    .unwrap_or_default();
                match (k, arg) {
                    ("Ref", Json::String(id)) => out.push(id.clone()),
                    ("Fn::GetAtt", Json::Array(parts)) => {
                        if let Some(Json::String(id)) = parts.first() {
                            out.push(id.clone());
                        }
                    }
                    ("Fn::GetAtt", Json::String(dotted)) => {
                        out.push(dotted.split('.').next().unwrap_or_default().to_string());
                    }
                    ("Fn::Sub", Json::String(template)) => sub(template, &Map::new(), out),
                    ("Fn::Sub", Json::Array(parts)) => {
                        let vars = parts.get(1).and_then(Json::as_object);
                        if let (Some(Json::String(template)), Some(vars)) = (parts.first(), vars) {
                            sub(template, vars, out);
                            for v in vars.values() {
                                walk(v, out);
                            }
                        }
                    }
                    _ => walk(arg, out),
                }
            }
            Json::Object(m) => m.values().for_each(|v| walk(v, out)),
            Json::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    fn sub(template: &str, vars: &Map<String, Json>, out: &mut Vec<String>) {
        for name in sub_placeholders(template) {
            let id = name.split('.').next().unwrap_or_default();
            if !vars.contains_key(name) && !id.starts_with("AWS::") {
                out.push(id.to_string());
            }
        }
    }
    let mut out = Vec::new();
    if let Some(p) = resource.get("Properties") {
        walk(p, &mut out);
    }
    match resource.get("DependsOn") {
        Some(Json::String(id)) => out.push(id.clone()),
        Some(Json::Array(items)) => {
            out.extend(items.iter().filter_map(Json::as_str).map(str::to_string))
        }
        _ => {}
    }
    out.retain(|id| ids.contains_key(id));
    let mut seen = HashSet::new();
    out.retain(|id| seen.insert(id.clone()));
    out
}

/// Every dependency cycle among `resources` (logical id -> resource), each as the logical ids
/// that form it, the first repeated at the end; one cycle per strongly connected group.
pub(crate) fn cycles(resources: &Map<String, Json>) -> Vec<Vec<String>> {
    let ids: Vec<&String> = resources.keys().collect();
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = resources
        .values()
        .map(|r| {
            references(r, resources)
                .iter()
                .filter_map(|id| index.get(id.as_str()).copied())
                .collect()
        })
        .collect();

    // Tarjan's strongly connected components
    struct Tarjan<'a> {
        edges: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        groups: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.edges[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(iw) if self.on_stack[w] => self.low[v] = self.low[v].min(iw),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    group.push(w);
                    if w == v {
                        break;
                    }
                }
                self.groups.push(group);
            }
        }
    }
    let n = ids.len();
    let mut t = Tarjan {
        edges: &edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        groups: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }

    let mut out = Vec::new();
    for mut group in t.groups {
        group.sort_unstable();
        let Some(&start) = group.first() else {
            continue;
        };
        let in_group: HashSet<usize> = group.iter().copied().collect();
        if group.len() == 1 && !edges[start].contains(&start) {
            continue;
        }
        // the shortest way back to `start` inside the group, found breadth first
        let mut parent: HashMap<usize, usize> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut last = None;
        'search: while let Some(v) = queue.pop_front() {
            for &w in &edges[v] {
                if w == start {
                    last = Some(v);
                    break 'search;
                }
                if in_group.contains(&w) && !parent.contains_key(&w) {
                    parent.insert(w, v);
                    queue.push_back(w);
                }
            }
        }
        let Some(mut v) = last else {
            continue;
        };
        let mut path = vec![start];
        let mut back = vec![v];
        while v != start {
            match parent.get(&v) {
                Some(&p) => {
                    v = p;
                    if v != start {
                        back.push(v);
                    }
                }
                None => break,
            }
        }
        if back.last() == Some(&start) {
            back.pop();
        }
        path.extend(back.into_iter().rev());
        path.push(start);
        out.push(path.iter().map(|&i| ids[i].clone()).collect());
    }
    out.sort();
    out
}

/// The problem a cycle is, named by the construct paths of its resources.
pub(crate) fn cycle_problem(
    stack: &str,
    cycle: &[String],
    paths: &IndexMap<String, String>,
    resources: &Map<String, Json>,
) -> Problem {
    let path_of = |id: &String| paths.get(id).cloned().unwrap_or_else(|| id.clone());
    let names: Vec<String> = cycle.iter().map(path_of).collect();
    let type_of = |id: &String| {
        resources
            .get(id)
            .and_then(|r| r.get("Type"))
            .and_then(Json::as_str)
            .unwrap_or("")
    };
    let machine_and_policy = cycle
        .iter()
        .any(|id| type_of(id) == "AWS::StepFunctions::StateMachine")
        && cycle.iter().any(|id| type_of(id) == "AWS::IAM::Policy");
    let help = if machine_and_policy {
        "a state machine waits for its role's policy, so the policy cannot name the machine's Ref: for the machine's own ARN use stepfunctions::asl::this_state_machine_arn() (built from its name), or the task helpers that call the machine itself"
    } else {
        "CloudFormation cannot create resources that wait for each other: pass one of the values by a physical name you choose instead of a Ref or GetAtt, or drop a DependsOn"
    };
    Problem::new(
        cycle
            .first()
            .map(path_of)
            .unwrap_or_else(|| stack.to_string()),
        format!(
            "the resources depend on each other in a cycle: {}",
            names.join(" -> ")
        ),
    )
    .help(help)
}

/// Resource types whose literal physical name two resources of one account and region
/// cannot share, with the property that holds it and how wide the name is unique.
const NAMED: &[(&str, &str, &str, &str)] = &[
    (
        "AWS::DynamoDB::Table",
        "TableName",
        "table",
        "account and region",
    ),
    ("AWS::S3::Bucket", "BucketName", "bucket", "all of AWS"),
    (
        "AWS::Lambda::Function",
        "FunctionName",
        "function",
        "account and region",
    ),
    (
        "AWS::StepFunctions::StateMachine",
        "StateMachineName",
        "state machine",
        "account and region",
    ),
    ("AWS::IAM::Role", "RoleName", "role", "account"),
    (
        "AWS::IAM::ManagedPolicy",
        "ManagedPolicyName",
        "managed policy",
        "account",
    ),
    (
        "AWS::Logs::LogGroup",
        "LogGroupName",
        "log group",
        "account and region",
    ),
    (
        "AWS::SQS::Queue",
        "QueueName",
        "queue",
        "account and region",
    ),
    (
        "AWS::SNS::Topic",
        "TopicName",
        "topic",
        "account and region",
    ),
    (
        "AWS::CloudWatch::Alarm",
        "AlarmName",
        "alarm",
        "account and region",
    ),
    (
        "AWS::CloudWatch::CompositeAlarm",
        "AlarmName",
        "alarm",
        "account and region",
    ),
    (
        "AWS::Events::EventBus",
        "Name",
        "event bus",
        "account and region",
    ),
];

/// One synthesized stack as the name check sees it: its name, its resources, and the
/// construct path of each logical id.
type NamedStack<'a> = (&'a str, &'a Map<String, Json>, &'a IndexMap<String, String>);

/// Two resources of the app that claim one physical name: every one after the first is a
/// problem naming the first. `stacks` is (stack name, resources, logical id -> path).
fn duplicate_names(stacks: &[NamedStack<'_>]) -> Vec<Problem> {
    let mut first: HashMap<(&str, String), String> = HashMap::new();
    let mut out = Vec::new();
    for (stack, resources, paths) in stacks {
        for (id, r) in resources.iter() {
            let Some(type_name) = r.get("Type").and_then(Json::as_str) else {
                continue;
            };
            let Some(&(_, property, what, scope)) = NAMED.iter().find(|(t, ..)| *t == type_name)
            else {
                continue;
            };
            let Some(name) = r
                .get("Properties")
                .and_then(|p| p.get(property))
                .and_then(Json::as_str)
            else {
                continue;
            };
            let path = paths
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("{stack}/{id}"));
            // keyed by kind: a metric and a composite alarm share one namespace of names
            match first.get(&(what, name.to_string())) {
                Some(other) => out.push(
                    Problem::new(
                        &path,
                        format!(
                            "the {what} name {name:?} is also given to {other}; {} {what} name is unique in the {scope}, so the second would fail to deploy",
                            if what.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
                        ),
                    )
                    .property(property)
                    .help("give each its own name, or leave the name out and let CloudFormation generate one"),
                ),
                None => {
                    first.insert((what, name.to_string()), path);
                }
            }
        }
    }
    out
}

/// [`duplicate_names`] over the synthesized stacks of the app.
pub(crate) fn names_claimed_twice<'a>(
    stacks: impl Iterator<Item = &'a super::synth::SynthesizedStack>,
) -> Vec<Problem> {
    let stacks: Vec<&super::synth::SynthesizedStack> = stacks.collect();
    let paths: Vec<IndexMap<String, String>> = stacks
        .iter()
        .map(|s| {
            s.logical_ids
                .iter()
                .map(|(path, id)| (id.clone(), path.clone()))
                .collect()
        })
        .collect();
    let empty = Map::new();
    let listed: Vec<NamedStack<'_>> = stacks
        .iter()
        .zip(&paths)
        .map(|(s, paths)| {
            let resources = s
                .template
                .get("Resources")
                .and_then(Json::as_object)
                .unwrap_or(&empty);
            (s.name.as_str(), resources, paths)
        })
        .collect();
    duplicate_names(&listed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resources(v: Json) -> Map<String, Json> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_cycle_through_sub_and_depends_on_is_found() {
        let r = resources(json!({
            "Machine": {"Type": "AWS::StepFunctions::StateMachine", "DependsOn": ["Policy"],
                        "Properties": {"DefinitionSubstitutions": {"X": {"Fn::Sub": "${Fn.Arn}"}}}},
            "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"Doc": {"Ref": "Machine"}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
            "Role": {"Type": "AWS::IAM::Role"},
            "A": {"Type": "X", "Properties": {"P": {"Fn::Sub": ["${B}", {"B": {"Ref": "C"}}]}}},
            "C": {"Type": "X", "Properties": {"P": {"Fn::Sub": "${AWS::Region}-${A.Arn}"}}}
        }));
        assert_eq!(
            cycles(&r),
            vec![
                vec!["A".to_string(), "C".into(), "A".into()],
                vec!["Machine".to_string(), "Policy".into(), "Machine".into()],
            ]
        );
    }

    #[test]
    fn no_cycle_no_problem() {
        let r = resources(json!({
            "A": {"Type": "X", "Properties": {"P": {"Ref": "B"}}},
            "B": {"Type": "X", "Properties": {"P": {"Fn::Sub": ["${V}", {"V": "literal"}]}}}
        }));
        assert!(cycles(&r).is_empty());
    }

    #[test]
    fn a_resource_that_refers_to_itself_is_a_cycle() {
        let r = resources(json!({"A": {"Type": "X", "Properties": {"P": {"Ref": "A"}}}}));
        assert_eq!(cycles(&r), vec![vec!["A".to_string(), "A".into()]]);
    }
}
