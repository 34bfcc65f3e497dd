//! Token resolution, cross-stack wiring and validation: stacks in, templates out.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

use super::app::App;
use super::error::{Problem, Warning};
use super::path::logical_id;
use super::stack::Stack;
use super::token::{sub_placeholders, Condition, ConditionRef, Pseudo, ResourceRef, Token};
use super::value::Value;

mod nested;
pub use nested::{file_name as nested_file_name, hash_of as nested_hash, NestedTemplate};

/// The most resources a template may declare (a CloudFormation quota checked at synth).
pub const MAX_RESOURCES: usize = 500;
/// The most outputs a template may declare (a CloudFormation quota checked at synth).
pub const MAX_OUTPUTS: usize = 200;
/// The most parameters a template may declare (a CloudFormation quota checked at synth).
pub const MAX_PARAMETERS: usize = 200;

/// One code asset of a synthesized stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetEntry {
    /// Hex SHA-256 of what determines the binary; the object key is `<hash>.zip`.
    pub hash: String,
    /// The construct path of the resource that uses it.
    pub path: String,
    /// The crate's package name (what `cargo lambda build -p` takes).
    pub package: String,
    /// The crate's directory, relative to the workspace root (`lambdas/hello`).
    pub crate_dir: String,
    /// The binary target cargo-lambda builds (usually the crate's name).
    pub binary: String,
    /// The architecture it is built for.
    pub architecture: super::assembly::manifest::Architecture,
}

impl AssetEntry {
    /// The key of the zip in the asset bucket, `<hash>.zip`.
    pub fn object_key(&self) -> String {
        format!("{}.zip", self.hash)
    }
}

/// A folder the toolkit publishes to a bucket of the stack after it deploys
/// ([`super::stack::FolderDeployment`] with its logical ids resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEntry {
    /// The construct path of the deployment.
    pub path: String,
    /// The folder, relative to the app's root (`/`-separated).
    pub source: String,
    /// The bucket's logical id.
    pub bucket: String,
    /// The key prefix (`""` or segments ending in `/`).
    pub key_prefix: String,
    /// Whether objects the folder no longer holds are deleted.
    pub prune: bool,
    /// The logical id of the distribution to invalidate.
    pub distribution: Option<String>,
    /// `Cache-Control` of every uploaded object.
    pub cache_control: Option<String>,
}

/// One stack after synth.
#[derive(Debug, Clone)]
pub struct SynthesizedStack {
    /// The stack's name, as deployed.
    pub name: String,
    /// The template, keys in a stable order.
    pub template: Json,
    /// The code assets its functions need uploaded.
    pub assets: Vec<AssetEntry>,
    /// The folders published to its buckets after it deploys.
    pub folders: Vec<FolderEntry>,
    /// Stacks to deploy first (by reference or declared).
    pub dependencies: Vec<String>,
    /// The account and region it is deployed to (agnostic: the deploying shell's).
    pub environment: super::env::Environment,
    /// Its parameters that `rcdk deploy` fills with other stacks' outputs (references across
    /// regions), by parameter name.
    pub from_outputs: IndexMap<String, OutputParameter>,
    /// Whether the deployed stack is protected from deletion (`terminationProtection` in the
    /// manifest).
    pub termination_protection: bool,
    /// The stack tags, which CloudFormation propagates to every resource that supports tags.
    pub tags: IndexMap<String, String>,
    /// Construct path to logical id, for every resource.
    pub logical_ids: IndexMap<String, String>,
    /// The templates of its nested stacks, deployed inside it.
    pub nested: Vec<NestedTemplate>,
}

impl SynthesizedStack {
    /// The template's `Resources` object, if it has one.
    pub fn resources(&self) -> Option<&Map<String, Json>> {
        self.template.get("Resources").and_then(Json::as_object)
    }

    /// How many resources the template declares.
    pub fn resource_count(&self) -> usize {
        self.resources().map_or(0, Map::len)
    }

    /// The number of resources of a type.
    pub fn count_of(&self, type_name: &str) -> usize {
        self.resources().map_or(0, |r| {
            r.values()
                .filter(|v| v.get("Type").and_then(Json::as_str) == Some(type_name))
                .count()
        })
    }
}

struct Export {
    output_id: String,
    /// The export's name; none for an output another region's stack reads through a
    /// parameter ([`App::cross_region_references`]).
    export_name: Option<String>,
    value: Json,
}

/// A parameter of a stack that `rcdk deploy` fills with another stack's output (a reference
/// across regions, [`App::cross_region_references`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputParameter {
    /// The stack whose output it is.
    pub stack: String,
    /// The output's name.
    pub output: String,
}

struct Resolver<'a> {
    app: &'a App,
    ids: &'a HashMap<&'a str, IndexMap<String, String>>,
    stack: &'a Stack,
    asset_hashes: &'a HashMap<(String, String), (String, String)>,
    /// producer stack -> exports it must make
    exports: &'a mut IndexMap<String, IndexMap<String, Export>>,
    dependencies: Vec<String>,
    problems: &'a mut Vec<Problem>,
    /// parameter name -> the output it is filled from (references across regions)
    carried: IndexMap<String, OutputParameter>,
    /// parameter name -> the value the parent passes (a nested stack's references to its
    /// parent or its siblings)
    from_parent: IndexMap<String, Json>,
}

impl Resolver<'_> {
    fn problem(&mut self, at: &str, property: &str, message: String) {
        let mut p = Problem::new(at, message);
        if !property.is_empty() {
            p = p.property(property);
        }
        self.problems.push(p);
    }

    fn resolve(&mut self, value: &Value, at: &str, property: &str) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(s.clone()),
            Value::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|v| self.resolve(v, at, property))
                    .collect(),
            ),
            Value::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v, at, property)))
                    .collect(),
            ),
            Value::Token(token) => self.resolve_token(token, at, property),
        }
    }

    /// Reports a condition of another stack, or one this stack does not declare.
    fn condition_named(&mut self, condition: &ConditionRef, at: &str, property: &str) {
        if condition.stack != self.stack.name {
            self.problem(
                at,
                property,
                format!(
                    "names the condition {} of stack {}; a condition can be used only in its own stack",
                    condition.name, condition.stack
                ),
            );
        } else if !self.stack.conditions.contains_key(&condition.name) {
            self.problem(
                at,
                property,
                format!(
                    "names the condition {}, which stack {} does not declare",
                    condition.name, condition.stack
                ),
            );
        }
    }

    /// A condition as the template's `Conditions` hold it; `Ref`s and `Fn::GetAtt`s of
    /// resources are refused (CloudFormation evaluates conditions before any resource).
    fn resolve_condition(&mut self, condition: &Condition, at: &str, property: &str) -> Json {
        match condition {
            Condition::Equals(a, b) => {
                for v in [a, b] {
                    let mut resource = None;
                    let mut if_ = false;
                    v.visit_tokens(&mut |t| match t {
                        Token::Ref(r) | Token::GetAtt(r, _) => {
                            resource.get_or_insert_with(|| r.path.clone());
                        }
                        Token::If { .. } => if_ = true,
                        _ => {}
                    });
                    if let Some(path) = resource {
                        self.problem(
                            at,
                            property,
                            format!("refers to the resource {path}; a condition may refer only to parameters and pseudo parameters"),
                        );
                    }
                    if if_ {
                        self.problem(
                            at,
                            property,
                            "holds an Fn::If; CloudFormation takes Fn::If in resource properties, metadata and outputs, not in conditions".to_string(),
                        );
                    }
                }
                let (a, b) = (self.resolve(a, at, property), self.resolve(b, at, property));
                json!({ "Fn::Equals": [a, b] })
            }
            Condition::And(items) | Condition::Or(items) => {
                let key = if matches!(condition, Condition::And(_)) {
                    "Fn::And"
                } else {
                    "Fn::Or"
                };
                if !(2..=10).contains(&items.len()) {
                    self.problem(
                        at,
                        property,
                        format!("{key} takes 2 to 10 conditions, not {}", items.len()),
                    );
                }
                let items: Vec<Json> = items
                    .iter()
                    .map(|c| self.resolve_condition(c, at, property))
                    .collect();
                json!({ key: items })
            }
            Condition::Not(inner) => {
                let inner = self.resolve_condition(inner, at, property);
                json!({ "Fn::Not": [inner] })
            }
            Condition::Named(c) => {
                self.condition_named(c, at, property);
                json!({ "Condition": c.name })
            }
        }
    }

    fn resolve_token(&mut self, token: &Token, at: &str, property: &str) -> Json {
        match token {
            Token::Ref(r) => self.reference(r, None, at, property),
            Token::GetAtt(r, attribute) => self.reference(r, Some(attribute), at, property),
            Token::Parameter { stack, name } => {
                if let Some(passed) = self.parent_parameter(stack, name, at, property) {
                    return passed;
                }
                if stack != &self.stack.name {
                    self.problem(
                        at,
                        property,
                        format!(
                            "refers to parameter {name} of stack {stack}; a parameter can be used only in its own stack"
                        ),
                    );
                } else if !self.stack.parameters.contains_key(name) {
                    self.problem(
                        at,
                        property,
                        format!("refers to parameter {name}, which stack {stack} does not have"),
                    );
                }
                json!({ "Ref": name })
            }
            // what the stack's environment names is a literal
            Token::Pseudo(p) => {
                let env = &self.stack.env;
                let known = match p {
                    Pseudo::Region => env.region.clone(),
                    Pseudo::AccountId => env.account.clone(),
                    Pseudo::Partition => env.partition().map(str::to_string),
                    Pseudo::UrlSuffix => env.url_suffix().map(str::to_string),
                    _ => None,
                };
                match known {
                    Some(literal) => json!(literal),
                    None => json!({ "Ref": p.name() }),
                }
            }
            Token::Sub {
                template,
                variables,
            } => {
                for name in sub_placeholders(template) {
                    let known = variables.contains_key(name)
                        || Pseudo::is_pseudo_name(name)
                        || self.stack.parameters.contains_key(name);
                    if !known {
                        self.problem(
                            at,
                            property,
                            format!(
                                "Fn::Sub template {template:?} names ${{{name}}}, which is neither one of its variables, a parameter of the stack nor a pseudo parameter"
                            ),
                        );
                    }
                }
                let used: HashSet<&str> = sub_placeholders(template).into_iter().collect();
                for name in variables.keys() {
                    if !used.contains(name.as_str()) {
                        self.problem(
                            at,
                            property,
                            format!(
                                "Fn::Sub variable {name} is not used in the template {template:?}"
                            ),
                        );
                    }
                }
                if variables.is_empty() {
                    json!({ "Fn::Sub": template })
                } else {
                    let vars: Map<String, Json> = variables
                        .iter()
                        .map(|(k, v)| (k.clone(), self.resolve(v, at, property)))
                        .collect();
                    json!({ "Fn::Sub": [template, vars] })
                }
            }
            Token::Join { delimiter, items } => {
                let items: Vec<Json> = items
                    .iter()
                    .map(|v| self.resolve(v, at, property))
                    .collect();
                json!({ "Fn::Join": [delimiter, items] })
            }
            Token::Select { index, list } => {
                let list = self.resolve(list, at, property);
                json!({ "Fn::Select": [index, list] })
            }
            Token::Split { delimiter, source } => {
                let source = self.resolve(source, at, property);
                json!({ "Fn::Split": [delimiter, source] })
            }
            Token::ImportValue(name) => {
                let name = self.resolve(name, at, property);
                json!({ "Fn::ImportValue": name })
            }
            Token::IfProperty {
                resource,
                property: name,
                then,
                otherwise,
            } => match super::deferred::chosen(self.app, resource, name, then, otherwise) {
                Some(v) => self.resolve(v, at, property),
                None => {
                    let message = format!(
                        "dangling reference: {} is not a resource of stack {}",
                        resource.path, resource.stack
                    );
                    self.problem(at, property, message);
                    Json::Null
                }
            },
            Token::If {
                condition,
                then,
                otherwise,
            } => {
                self.condition_named(condition, at, property);
                let then = self.resolve(then, at, property);
                let otherwise = self.resolve(otherwise, at, property);
                json!({ "Fn::If": [condition.name, then, otherwise] })
            }
            Token::FindInMap {
                mapping,
                key,
                attribute,
            } => {
                if mapping.stack != self.stack.name {
                    let message = format!(
                        "reads the mapping {} of stack {}; a mapping can be used only in its own stack",
                        mapping.name, mapping.stack
                    );
                    self.problem(at, property, message);
                } else if let Some(declared) = self.stack.mappings.get(&mapping.name) {
                    if let (Value::String(k), Value::String(a)) = (key, attribute) {
                        if !declared.has(k, a) {
                            let message = format!(
                                "reads {k}/{a} of the mapping {}, which has no such key and attribute: CloudFormation would fail the stack",
                                mapping.name
                            );
                            self.problem(at, property, message);
                        }
                    }
                } else {
                    let message = format!(
                        "reads the mapping {}, which stack {} does not declare",
                        mapping.name, mapping.stack
                    );
                    self.problem(at, property, message);
                }
                let key = self.resolve(key, at, property);
                let attribute = self.resolve(attribute, at, property);
                json!({ "Fn::FindInMap": [mapping.name, key, attribute] })
            }
            Token::AssetKey { stack, asset } => {
                match self.asset_hashes.get(&(stack.clone(), asset.clone())) {
                    Some((hash, _)) => Json::String(format!("{hash}.zip")),
                    // the hashing problem is already reported and synth fails with it; a
                    // key the schema accepts keeps it from being reported twice (`S3Key`
                    // shorter than 1)
                    None => Json::String("unhashed.zip".to_string()),
                }
            }
        }
    }

    fn reference(
        &mut self,
        target: &ResourceRef,
        attribute: Option<&String>,
        at: &str,
        property: &str,
    ) -> Json {
        let Some(ids) = self.ids.get(target.stack.as_str()) else {
            self.problem(
                at,
                property,
                format!(
                    "refers to {}, whose stack {} is not part of this app",
                    target.path, target.stack
                ),
            );
            if let Some(last) = self.problems.last_mut() {
                last.help = Some(format!(
                    "add stack {} to the app with App::add_stack, or pass the value another way",
                    target.stack
                ));
            }
            return Json::Null;
        };
        let Some(id) = ids.get(&target.path).cloned() else {
            self.problem(
                at,
                property,
                format!(
                    "dangling reference: {} is not a resource of stack {}",
                    target.path, target.stack
                ),
            );
            return Json::Null;
        };
        let local = match attribute {
            None => json!({ "Ref": id }),
            Some(a) => json!({ "Fn::GetAtt": [id, a] }),
        };
        if target.stack == self.stack.name {
            return local;
        }
        // exports are imported in their own account and region only (Fn::ImportValue,
        // CloudFormation template reference: "You can't create cross-stack references across
        // Regions")
        let mut carry = false;
        if let Some(producer) = self.app.stacks.get(&target.stack) {
            if let Some(message) = across_environments(self.stack, producer, &target.path) {
                let (a, b) = (&self.stack.env, &producer.env);
                let regions_only =
                    a.account == b.account && a.region.is_some() && b.region.is_some();
                let nested = self.stack.nested.is_some() || producer.nested.is_some();
                if regions_only && self.app.cross_region_references && nested {
                    let message = format!("{message}; rcdk carries values across regions between top-level stacks only: make the reference from (or to) the parent stack");
                    self.problem(at, property, message);
                    return Json::Null;
                } else if regions_only && self.app.cross_region_references {
                    carry = true;
                } else {
                    let message = if regions_only {
                        format!("{message}; or turn on App::cross_region_references, and deploy passes it as a parameter")
                    } else {
                        message
                    };
                    self.problem(at, property, message);
                    return Json::Null;
                }
            }
        }
        // an export of a resource that may not exist: CloudFormation fails the producer's
        // stack ("Unresolved resource dependencies ... in the Outputs block") when the
        // condition is false
        let conditional = self
            .app
            .stacks
            .get(&target.stack)
            .and_then(|s| s.resources.get(&target.path))
            .and_then(|r| r.condition.as_ref());
        if let Some(c) = conditional {
            let message = format!(
                "refers to {} of stack {}, which exists only under the condition {}: another stack cannot import it",
                target.path, target.stack, c.name
            );
            self.problem(at, property, message);
            return Json::Null;
        }
        let output_id = match attribute {
            None => format!("ExportsOutputRef{id}"),
            Some(a) => format!(
                "ExportsOutputFnGetAtt{id}{}",
                a.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
        };
        let output_id: String = output_id.chars().take(255).collect();
        if let Some(wired) = self.nested_reference(target, &output_id, local.clone(), at, property)
        {
            return wired;
        }
        let export_name = format!("{}:{}", target.stack, output_id);
        if !self.dependencies.contains(&target.stack) {
            self.dependencies.push(target.stack.clone());
        }
        let export = self
            .exports
            .entry(target.stack.clone())
            .or_default()
            .entry(output_id.clone())
            .or_insert(Export {
                output_id: output_id.clone(),
                export_name: None,
                value: local,
            });
        if !carry {
            export.export_name = Some(export_name.clone());
            return json!({ "Fn::ImportValue": export_name });
        }
        // the value reaches this stack as a parameter `rcdk deploy` fills from the output
        let parameter: String = format!(
            "CrossRegion{}{}",
            target
                .stack
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>(),
            output_id
        )
        .chars()
        .take(255)
        .collect();
        self.carried.insert(
            parameter.clone(),
            OutputParameter {
                stack: target.stack.clone(),
                output: output_id,
            },
        );
        json!({ "Ref": parameter })
    }
}

/// Why `consumer` cannot import `path` of `producer` when their environments differ: across
/// accounts, across regions, or between a stack that names its environment and one that does
/// not (where it is deployed is then known only at deploy).
fn across_environments(consumer: &Stack, producer: &Stack, path: &str) -> Option<String> {
    let (a, b) = (&consumer.env, &producer.env);
    if a == b {
        return None;
    }
    let what = format!("refers to {path} of stack {}", producer.name);
    Some(match (&a.account, &b.account, &a.region, &b.region) {
        (Some(x), Some(y), _, _) if x != y => format!(
            "{what}, in account {y}; this stack is in {x}: CloudFormation imports no value across accounts. Pass it in yourself (a parameter), or put both stacks in one account"
        ),
        (_, _, Some(x), Some(y)) if x != y && a.account == b.account => format!(
            "{what}, in region {y}; this stack is in {x}: CloudFormation exports do not cross regions. Pass the value in yourself (a parameter or an SSM parameter you read), or put both stacks in one region"
        ),
        _ => format!(
            "{what}, whose environment is {}; this stack's is {}: a reference needs both stacks in one environment, named the same way (Stack::set_env on both, or on neither)",
            b.describe(),
            a.describe()
        ),
    })
}

/// Logical ids of every stack's resources, with collisions reported.
fn assign_logical_ids<'a>(
    app: &'a App,
    problems: &mut Vec<Problem>,
) -> HashMap<&'a str, IndexMap<String, String>> {
    let mut all = HashMap::new();
    for stack in app.stacks.values() {
        let mut ids: IndexMap<String, String> = IndexMap::new();
        let mut owners: HashMap<String, &str> = HashMap::new();
        let prefix = format!("{}/", stack.name);
        for (path, resource) in &stack.resources {
            let id = match &resource.logical_id_override {
                Some(id) => id.clone(),
                None => {
                    let below = path.strip_prefix(&prefix).unwrap_or(path);
                    let components: Vec<&str> = below.split('/').collect();
                    logical_id(&components)
                }
            };
            if let Some(first) = owners.get(&id) {
                problems.push(
                    Problem::new(path, format!("logical id {id} is already used by {first}"))
                        .help("rename one of the two constructs, or override one logical id"),
                );
            } else {
                owners.insert(id.clone(), path);
            }
            ids.insert(path.clone(), id);
        }
        all.insert(stack.name.as_str(), ids);
    }
    all
}

/// A chain of the stack's conditions that leads back to its start (`A -> B -> A`), if any:
/// CloudFormation refuses conditions that refer to each other in a cycle.
fn condition_cycle(conditions: &IndexMap<String, Condition>) -> Option<Vec<String>> {
    fn named<'a>(c: &'a Condition, out: &mut Vec<&'a str>) {
        match c {
            Condition::Named(r) => out.push(&r.name),
            Condition::And(items) | Condition::Or(items) => {
                items.iter().for_each(|i| named(i, out))
            }
            Condition::Not(inner) => named(inner, out),
            Condition::Equals(..) => {}
        }
    }
    // iterative depth-first search: a user's conditions may chain deep
    for start in conditions.keys() {
        let mut stack: Vec<(Vec<String>, &str)> = vec![(vec![start.clone()], start.as_str())];
        let mut seen = HashSet::new();
        while let Some((path, at)) = stack.pop() {
            let mut next = Vec::new();
            if let Some(c) = conditions.get(at) {
                named(c, &mut next);
            }
            for n in next {
                let mut longer = path.clone();
                longer.push(n.to_string());
                if n == start {
                    return Some(longer);
                }
                if seen.insert(n.to_string()) {
                    stack.push((longer, n));
                }
            }
        }
    }
    None
}

/// Whether `earlier` (a construct's own check) already reports what the registry schema
/// check found in `found`: the same construct path, and the same property or one holding it
/// (`Tags` holds `Tags[0].Key`).
fn said_first(earlier: &Problem, found: &Problem) -> bool {
    earlier.path == found.path
        && match (&earlier.property, &found.property) {
            (Some(e), Some(f)) => {
                f == e || f.starts_with(&format!("{e}.")) || f.starts_with(&format!("{e}["))
            }
            _ => false,
        }
}

/// Synthesizes every stack of `app`; problems go to `problems`.
pub(crate) fn synthesize(
    app: &App,
    asset_hashes: &HashMap<(String, String), (String, String)>,
    folder_sources: &HashMap<(String, String), String>,
    problems: &mut Vec<Problem>,
) -> (Vec<SynthesizedStack>, Vec<Warning>) {
    let ids = assign_logical_ids(app, problems);
    problems.extend(super::check::run_checks(app));
    problems.extend(super::deferred::missing_properties(app));
    let mut exports: IndexMap<String, IndexMap<String, Export>> = IndexMap::new();
    let mut out: IndexMap<String, SynthesizedStack> = IndexMap::new();
    // nested stack -> parameter -> the value its parent passes
    let mut passes: IndexMap<String, IndexMap<String, Json>> = IndexMap::new();
    // what the registry schemas find: reported unless a construct's own check said it first
    let mut schema_problems: Vec<Problem> = Vec::new();
    let mut read_only_warnings: Vec<Warning> = Vec::new();
    let mut aspect_warnings: Vec<Warning> = Vec::new();

    for stack in app.stacks.values() {
        let mut resolver = Resolver {
            app,
            ids: &ids,
            stack,
            asset_hashes,
            exports: &mut exports,
            dependencies: Vec::new(),
            problems,
            carried: IndexMap::new(),
            from_parent: IndexMap::new(),
        };
        let stack_ids = &ids[stack.name.as_str()];
        let mut resources = Map::new();
        for (path, resource) in &stack.resources {
            let mut r = Map::new();
            r.insert("Type".into(), json!(resource.type_name));
            let mut properties = Map::new();
            if let Value::Object(props) = &resource.properties {
                for (key, value) in props {
                    if value.is_null() {
                        continue;
                    }
                    properties.insert(key.clone(), resolver.resolve(value, path, key));
                }
            }
            for required in resource.required {
                if !properties.contains_key(*required) {
                    resolver.problem(
                        path,
                        required,
                        format!("{} requires the property {required}", resource.type_name),
                    );
                }
            }
            if !properties.is_empty() {
                r.insert("Properties".into(), Json::Object(properties));
            }
            if !resource.depends_on.is_empty() {
                let mut deps = Vec::new();
                for d in &resource.depends_on {
                    if d.stack != stack.name {
                        resolver.problem(
                            path,
                            "DependsOn",
                            format!(
                                "depends on {}, which is in another stack ({}); reference it instead and synth wires the stacks",
                                d.path, d.stack
                            ),
                        );
                    } else if let Some(id) = stack_ids.get(&d.path) {
                        deps.push(json!(id));
                    } else {
                        resolver.problem(
                            path,
                            "DependsOn",
                            format!(
                                "dangling reference: {} is not a resource of stack {}",
                                d.path, stack.name
                            ),
                        );
                    }
                }
                r.insert("DependsOn".into(), Json::Array(deps));
            }
            if let Some(c) = &resource.condition {
                resolver.condition_named(c, path, "Condition");
                r.insert("Condition".into(), json!(c.name));
            }
            if let Some(p) = resource.update_replace_policy {
                r.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
            }
            if let Some(p) = resource.deletion_policy {
                r.insert("DeletionPolicy".into(), json!(p.as_str()));
            }
            if !resource.metadata.is_empty() {
                let meta: Map<String, Json> = resource
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), resolver.resolve(v, path, "Metadata")))
                    .collect();
                r.insert("Metadata".into(), Json::Object(meta));
            }
            resources.insert(stack_ids[path].clone(), Json::Object(r));
        }
        let paths: IndexMap<String, String> = stack_ids
            .iter()
            .map(|(path, id)| (id.clone(), path.clone()))
            .collect();
        // tags first (the app's rules, then the stack's), then the app's aspects and the
        // stack's, in the order added
        let tags = super::aspect::ScopedAspect::new(super::tags::TagAspect(
            app.tag_rules
                .iter()
                .chain(&stack.tag_rules)
                .cloned()
                .collect(),
        ));
        super::aspect::run(
            std::iter::once(&tags)
                .chain(&app.aspects)
                .chain(&stack.aspects),
            &paths,
            &mut resources,
            resolver.problems,
            &mut aspect_warnings,
        );
        // every resource against its type's registry schema, as CloudFormation validates it
        for (path, resource) in &stack.resources {
            if !resource.schema_checked {
                continue;
            }
            let Some(id) = stack_ids.get(path) else {
                continue;
            };
            let Some(rendered) = resources.get(id) else {
                continue;
            };
            let properties = rendered.get("Properties").unwrap_or(&Json::Null);
            for name in crate::registry::read_only_given(&resource.type_name, properties) {
                read_only_warnings.push(Warning {
                    path: path.clone(),
                    message: format!(
                        "{name} is read-only for {}: CloudFormation sets it and ignores this value (read it with Fn::GetAtt)",
                        resource.type_name
                    ),
                });
            }
            let Some(found) =
                crate::registry::check(&resource.type_name, properties, resource.required)
            else {
                continue;
            };
            for v in found {
                let mut problem = Problem::new(path, v.message);
                if !v.property.is_empty() {
                    problem = problem.property(v.property);
                }
                if let Some(help) = v.help {
                    problem = problem.help(help);
                }
                schema_problems.push(problem);
            }
        }
        let helps: HashMap<String, &super::resource::CycleHelp> = stack
            .resources
            .iter()
            .filter_map(|(path, r)| Some((stack_ids.get(path)?.clone(), r.cycle_help.as_ref()?)))
            .collect();
        for cycle in super::checks::cycles(&resources) {
            resolver.problems.push(super::checks::cycle_problem(
                &stack.name,
                &cycle,
                &paths,
                &resources,
                &helps,
            ));
        }

        let mut outputs = Map::new();
        for (name, output) in &stack.outputs {
            let property = format!("Outputs.{name}");
            let mut o = Map::new();
            if let Some(d) = &output.description {
                o.insert("Description".into(), json!(d));
            }
            o.insert(
                "Value".into(),
                resolver.resolve(&output.value, &stack.name, &property),
            );
            if let Some(c) = &output.condition {
                resolver.condition_named(c, &stack.name, &property);
                o.insert("Condition".into(), json!(c.name));
            }
            if let Some(e) = &output.export_name {
                let name = resolver.resolve(e, &stack.name, &property);
                if let Some(s) = name.as_str() {
                    if s.is_empty()
                        || s.len() > 255
                        || !s
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-')
                    {
                        resolver.problem(
                            &stack.name,
                            &property,
                            format!(
                                "export name \"{s}\" must be 1 to 255 letters, digits, ':' or '-'"
                            ),
                        );
                    }
                }
                o.insert("Export".into(), json!({ "Name": name }));
            }
            outputs.insert(name.clone(), Json::Object(o));
        }

        let mut conditions = Map::new();
        for (name, c) in &stack.conditions {
            let property = format!("Conditions.{name}");
            let rendered = resolver.resolve_condition(c, &stack.name, &property);
            conditions.insert(name.clone(), rendered);
        }
        if let Some(cycle) = condition_cycle(&stack.conditions) {
            resolver.problem(
                &stack.name,
                "Conditions",
                format!(
                    "the conditions refer to each other in a cycle: {}",
                    cycle.join(" -> ")
                ),
            );
        }

        let mut template = Map::new();
        template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        if let Some(d) = &stack.description {
            template.insert("Description".into(), json!(d));
        }
        let carried = std::mem::take(&mut resolver.carried);
        let from_parent = std::mem::take(&mut resolver.from_parent);
        if !stack.parameters.is_empty() || !carried.is_empty() || !from_parent.is_empty() {
            let mut parameters: Map<String, Json> = stack
                .parameters
                .iter()
                .map(|(name, p)| (name.clone(), p.to_json()))
                .collect();
            for (name, source) in &carried {
                parameters.insert(
                    name.clone(),
                    json!({
                        "Type": "String",
                        "Description": format!(
                            "{}'s output {}, in another region: rcdk deploy passes it",
                            source.stack, source.output
                        )
                    }),
                );
            }
            if let Some(nest) = &stack.nested {
                for name in from_parent.keys() {
                    parameters.insert(
                        name.clone(),
                        json!({
                            "Type": "String",
                            "Description": format!("a value of {}: the parent passes it", nest.parent)
                        }),
                    );
                }
                passes.insert(stack.name.clone(), from_parent);
            }
            template.insert("Parameters".into(), Json::Object(parameters));
        }
        if !stack.mappings.is_empty() {
            template.insert(
                "Mappings".into(),
                Json::Object(
                    stack
                        .mappings
                        .iter()
                        .map(|(name, m)| (name.clone(), m.to_json()))
                        .collect(),
                ),
            );
        }
        if !conditions.is_empty() {
            template.insert("Conditions".into(), Json::Object(conditions));
        }
        template.insert("Resources".into(), Json::Object(resources));
        if !outputs.is_empty() {
            template.insert("Outputs".into(), Json::Object(outputs));
        }

        let mut dependencies = resolver.dependencies;
        for d in &stack.dependencies {
            if !app.stacks.contains_key(d) {
                problems.push(Problem::new(
                    &stack.name,
                    format!("depends on stack {d}, which is not part of this app"),
                ));
            } else if !dependencies.contains(d) {
                dependencies.push(d.clone());
            }
        }
        let assets = stack
            .assets
            .iter()
            .filter_map(|(path, a)| {
                let (hash, crate_dir) = asset_hashes.get(&(stack.name.clone(), path.clone()))?;
                Some(AssetEntry {
                    hash: hash.clone(),
                    path: path.clone(),
                    package: a.package.clone(),
                    crate_dir: crate_dir.clone(),
                    binary: a.binary.clone(),
                    architecture: a.architecture,
                })
            })
            .collect();
        let folders = stack
            .folders
            .iter()
            .filter_map(|(path, f)| {
                let source = folder_sources.get(&(stack.name.clone(), path.clone()))?;
                let id_of = |r: &ResourceRef| {
                    (r.stack == stack.name)
                        .then(|| stack_ids.get(&r.path).cloned())
                        .flatten()
                };
                Some(FolderEntry {
                    path: path.clone(),
                    source: source.clone(),
                    bucket: id_of(&f.bucket)?,
                    key_prefix: f.key_prefix.clone(),
                    prune: f.prune,
                    distribution: match &f.distribution {
                        Some(d) => Some(id_of(d)?),
                        None => None,
                    },
                    cache_control: f.cache_control.clone(),
                })
            })
            .collect();
        out.insert(
            stack.name.clone(),
            SynthesizedStack {
                name: stack.name.clone(),
                template: Json::Object(template),
                assets,
                folders,
                dependencies,
                environment: stack.env.clone(),
                from_outputs: carried,
                termination_protection: stack.termination_protection,
                tags: stack.tags.clone(),
                logical_ids: stack_ids.clone(),
                nested: Vec::new(),
            },
        );
    }

    // exports made for other stacks
    for (producer, list) in exports {
        let Some(s) = out.get_mut(&producer) else {
            continue;
        };
        let Some(template) = s.template.as_object_mut() else {
            continue;
        };
        let outputs = template
            .entry("Outputs")
            .or_insert_with(|| Json::Object(Map::new()));
        if let Some(outputs) = outputs.as_object_mut() {
            for export in list.into_values() {
                if outputs.contains_key(&export.output_id) {
                    problems.push(Problem::new(
                        &producer,
                        format!("output {} is needed for a cross-stack reference but already defined", export.output_id),
                    ).property(format!("Outputs.{}", export.output_id)));
                    continue;
                }
                let output = match export.export_name {
                    Some(name) => json!({ "Value": export.value, "Export": { "Name": name } }),
                    None => json!({ "Value": export.value }),
                };
                outputs.insert(export.output_id, output);
            }
        }
    }

    problems.extend(super::checks::names_claimed_twice(app, &out));

    let mut warnings: Vec<Warning> = app
        .stacks
        .values()
        .flat_map(|s| s.warnings.iter().cloned())
        .collect();
    warnings.extend(read_only_warnings);
    warnings.extend(aspect_warnings);
    for s in out.values() {
        let check = |count: usize, max: usize, what: &str, problems: &mut Vec<Problem>| {
            if count > max {
                problems.push(
                    Problem::new(
                        &s.name,
                        format!("the stack has {count} {what}; CloudFormation allows {max}"),
                    )
                    .help("split the stack in two; references across stacks are wired by synth"),
                );
            }
        };
        check(s.resource_count(), MAX_RESOURCES, "resources", problems);
        let outputs = s
            .template
            .get("Outputs")
            .and_then(Json::as_object)
            .map_or(0, Map::len);
        check(outputs, MAX_OUTPUTS, "outputs", problems);
        let params = s
            .template
            .get("Parameters")
            .and_then(Json::as_object)
            .map_or(0, Map::len);
        check(params, MAX_PARAMETERS, "parameters", problems);
        let mappings = s
            .template
            .get("Mappings")
            .and_then(Json::as_object)
            .map_or(0, Map::len);
        check(mappings, super::mapping::MAX_MAPPINGS, "mappings", problems);
        if s.resource_count() == 0 {
            warnings.push(Warning {
                path: s.name.clone(),
                message: "the stack has no resources; CloudFormation refuses an empty template"
                    .into(),
            });
        }
    }

    for p in schema_problems {
        if !problems.iter().any(|q| said_first(q, &p)) {
            problems.push(p);
        }
    }

    nested::fold(app, &mut out, passes, problems);

    let order = deployment_order(&out, problems);
    let stacks = order
        .into_iter()
        .filter_map(|name| out.shift_remove(&name))
        .collect();
    (stacks, warnings)
}

/// Stacks in an order where each comes after its dependencies (stable otherwise);
/// a cycle is reported.
fn deployment_order(
    stacks: &IndexMap<String, SynthesizedStack>,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let graph: Vec<(&str, &[String])> = stacks
        .values()
        .map(|s| (s.name.as_str(), s.dependencies.as_slice()))
        .collect();
    let (order, cycles) = super::assembly::order::dependency_order(&graph);
    for cycle in cycles {
        problems.push(
            Problem::new(
                &cycle[0],
                format!(
                    "the stacks depend on each other in a cycle: {}",
                    cycle.join(" -> ")
                ),
            )
            .help("move the shared resources into one stack, or pass values through parameters"),
        );
    }
    order.into_iter().map(str::to_string).collect()
}
