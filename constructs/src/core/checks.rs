//! Checks made on the synthesized templates, before anything is written: dependency cycles
//! between the resources of a stack, and physical names two resources would both claim. Both
//! are CloudFormation's rules; what a service adds (which names it keeps unique, how to break
//! a cycle through its resources) comes from the resources, told by the module that made them
//! ([`super::resource::CfnProps::UNIQUE_NAME`], [`super::resource::CfnResource::with_cycle_help`]).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

use super::app::App;
use super::error::Problem;
use super::resource::{CycleHelp, UniqueName};
use super::synth::SynthesizedStack;
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

/// The problem a cycle is, named by the construct paths of its resources; its help is the
/// first [`CycleHelp`] a resource of the cycle carries that applies (the module that made the
/// resource knows how to break a cycle through it), else the general advice.
pub(crate) fn cycle_problem(
    stack: &str,
    cycle: &[String],
    paths: &IndexMap<String, String>,
    resources: &Map<String, Json>,
    helps: &HashMap<String, &CycleHelp>,
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
    let help = cycle
        .iter()
        .filter_map(|id| helps.get(id))
        .find(|h| match &h.with {
            Some(with) => cycle.iter().any(|id| type_of(id) == with),
            None => true,
        })
        .map(|h| h.help.as_str())
        .unwrap_or("CloudFormation cannot create resources that wait for each other: pass one of the values by a physical name you choose instead of a Ref or GetAtt, or drop a DependsOn");
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

/// One resource that claims a physical name: its construct path, the name as synthesized (a
/// literal string; a name built from tokens is not compared) and the rule it must keep.
struct Claim<'a> {
    path: String,
    name: &'a str,
    rule: UniqueName,
}

/// Two resources of the app that claim one physical name: every one after the first is a
/// problem naming the first. Names are compared within a kind of resource (a metric alarm
/// and a composite alarm share the space of `alarm` names).
fn duplicate_names(claims: &[Claim<'_>]) -> Vec<Problem> {
    let mut first: HashMap<(&str, &str), &str> = HashMap::new();
    let mut out = Vec::new();
    for claim in claims {
        let UniqueName {
            property,
            kind,
            scope,
        } = claim.rule;
        match first.get(&(kind, claim.name)) {
            Some(other) => out.push(
                Problem::new(
                    &claim.path,
                    format!(
                        "the {kind} name {:?} is also given to {other}; {} {kind} name is unique in {}, so the second would fail to deploy",
                        claim.name,
                        if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                        scope.as_str()
                    ),
                )
                .property(property)
                .help("give each its own name, or leave the name out and let CloudFormation generate one"),
            ),
            None => {
                first.insert((kind, claim.name), &claim.path);
            }
        }
    }
    out
}

/// [`duplicate_names`] over the app's resources that declare a [`UniqueName`], their names
/// read from the synthesized templates `out` (stack name -> stack).
pub(crate) fn names_claimed_twice(
    app: &App,
    out: &IndexMap<String, SynthesizedStack>,
) -> Vec<Problem> {
    let mut claims = Vec::new();
    for stack in app.stacks.values() {
        let Some(synthesized) = out.get(&stack.name) else {
            continue;
        };
        for (path, resource) in &stack.resources {
            let Some(rule) = resource.unique_name else {
                continue;
            };
            let name = synthesized
                .logical_ids
                .get(path)
                .and_then(|id| synthesized.resources()?.get(id))
                .and_then(|r| {
                    // the property may be nested (`OriginAccessControlConfig.Name`)
                    rule.property
                        .split('.')
                        .try_fold(r.get("Properties")?, |v, key| v.get(key))?
                        .as_str()
                });
            if let Some(name) = name {
                claims.push(Claim {
                    path: path.clone(),
                    name,
                    rule,
                });
            }
        }
    }
    duplicate_names(&claims)
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
