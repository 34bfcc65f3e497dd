//! Stacks: the unit of deployment, holding resources, parameters and outputs.

use indexmap::IndexMap;

use super::deferred::{append, ChangeKind, CrossStackChange, RequiredProperty};
use super::error::{Problem, Warning};
use super::names;
use super::path::check_construct_id;
use super::resource::{CfnProps, CfnResource};
use super::token::{ResourceRef, Token};
use super::value::Value;

pub use super::parameter::{Parameter, ParameterType};

/// A Lambda code asset: a Rust crate built by cargo-lambda, hashed at synth.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeAsset {
    /// The package name of the crate: any package of the app's cargo workspace, wherever its
    /// directory is (found at synth from the workspace's members).
    pub package: String,
    /// The binary target to build (usually the crate's name).
    pub binary: String,
    /// The architecture it is built for.
    pub architecture: super::assembly::manifest::Architecture,
}

/// A local folder published, after each deploy of the stack, to a bucket of the stack
/// ([`crate::s3::BucketDeployment`]): the toolkit uploads what changed, deletes what the folder
/// no longer holds (when `prune`), and invalidates the distribution's cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderDeployment {
    /// The folder, as given: relative to the app's root directory, or absolute inside it.
    pub source: std::path::PathBuf,
    /// The bucket it is published to.
    pub bucket: ResourceRef,
    /// The key prefix of every object (`""`, or segments ending in `/`).
    pub key_prefix: String,
    /// Delete the objects under the prefix that the folder no longer holds.
    pub prune: bool,
    /// The CloudFront distribution whose cache is invalidated when something changed.
    pub distribution: Option<ResourceRef>,
    /// `Cache-Control` of every uploaded object.
    pub cache_control: Option<String>,
}

/// A template output, optionally exported for other stacks.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// `Value`: what the output holds, tokens allowed.
    pub value: Value,
    /// `Description`.
    pub description: Option<String>,
    /// `Export.Name`: the name other stacks import it by, when exported.
    pub export_name: Option<Value>,
    /// `Condition`: the output exists only when the stack's condition holds.
    pub condition: Option<super::token::ConditionRef>,
}

impl Output {
    /// The output's `Description`.
    pub fn description(&mut self, text: impl Into<String>) -> &mut Self {
        self.description = Some(text.into());
        self
    }

    /// The output's `Condition`: it exists only when `condition` holds.
    pub fn condition(&mut self, condition: &super::token::ConditionRef) -> &mut Self {
        self.condition = Some(condition.clone());
        self
    }

    /// Exports the output under `name` (unique in the account and region).
    pub fn export_name(&mut self, name: impl Into<Value>) -> &mut Self {
        self.export_name = Some(name.into());
        self
    }
}

/// A CloudFormation stack: resources, parameters and outputs, synthesized to one template.
///
/// # Examples
///
/// ```
/// use constructs::Stack;
/// # use constructs::assertions::Template;
/// # use constructs::sqs::{Queue, QueueProps};
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Orders");
/// stack.set_description("Order processing");
/// let jobs = Queue::new(&mut stack, "Jobs", QueueProps::new());
/// stack.add_output("JobsUrl", jobs.url()).export_name("orders-jobs-url");
///
/// let template = Template::from_stack(&stack);
/// assert_eq!(template.to_json()["Description"], "Order processing");
/// let jobs_id = template.logical_id_of_type("AWS::SQS::Queue");
/// template.has_output("JobsUrl", json!({
///     "Value": {"Ref": jobs_id},
///     "Export": {"Name": "orders-jobs-url"},
/// }));
/// ```
#[derive(Debug, Clone)]
pub struct Stack {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) tags: IndexMap<String, String>,
    pub(crate) termination_protection: bool,
    pub(crate) parameters: IndexMap<String, Parameter>,
    pub(crate) outputs: IndexMap<String, Output>,
    pub(crate) resources: IndexMap<String, CfnResource>,
    pub(crate) assets: IndexMap<String, CodeAsset>,
    pub(crate) folders: IndexMap<String, FolderDeployment>,
    pub(crate) dependencies: Vec<String>,
    pub(crate) problems: Vec<Problem>,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) checks: Vec<std::sync::Arc<dyn super::check::Check>>,
    pub(crate) changes: Vec<CrossStackChange>,
    pub(crate) required_properties: Vec<RequiredProperty>,
    pub(crate) tag_rules: Vec<super::tags::TagRule>,
    pub(crate) aspects: Vec<super::aspect::ScopedAspect>,
    pub(crate) conditions: IndexMap<String, super::token::Condition>,
    pub(crate) mappings: IndexMap<String, super::mapping::Mapping>,
    pub(crate) env: super::env::Environment,
    /// Functions made once per stack (custom-resource providers), by construct id.
    pub(crate) singleton_functions: IndexMap<String, crate::lambda::Function>,
    /// Where this stack is nested, when it is ([`Stack::nested`]).
    pub(crate) nested: Option<NestedIn>,
}

/// Where a nested stack sits: its parent stack and the path of its
/// `AWS::CloudFormation::Stack` resource there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NestedIn {
    pub(crate) parent: String,
    pub(crate) path: String,
}

impl Stack {
    /// A new stack. A name that breaks CloudFormation's rules is reported at synth.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        let mut problems = Vec::new();
        if let Err(e) = names::check_stack_name(&name) {
            problems.push(Problem::new(name.clone(), e.to_string()).property("StackName"));
        }
        Stack {
            name,
            description: None,
            tags: IndexMap::new(),
            termination_protection: false,
            parameters: IndexMap::new(),
            outputs: IndexMap::new(),
            resources: IndexMap::new(),
            assets: IndexMap::new(),
            folders: IndexMap::new(),
            dependencies: Vec::new(),
            problems,
            warnings: Vec::new(),
            checks: Vec::new(),
            changes: Vec::new(),
            required_properties: Vec::new(),
            tag_rules: Vec::new(),
            aspects: Vec::new(),
            conditions: IndexMap::new(),
            mappings: IndexMap::new(),
            env: super::env::Environment::default(),
            singleton_functions: IndexMap::new(),
            nested: None,
        }
    }

    /// A nested stack of `parent` (the AWS CDK's `NestedStack`): the way past a template's
    /// limits (500 resources, 200 outputs, 200 parameters, 1 MB). It is a stack of its own for
    /// the construct library, added to the app with [`super::app::App::add_stack`] like any,
    /// and deployed inside `parent`: synth writes its template as a file asset of the parent,
    /// which `rcdk deploy` uploads to the asset bucket before it deploys the parent, and adds
    /// to the parent an `AWS::CloudFormation::Stack` resource at `id` that points at it.
    ///
    /// Its name is `<parent>-<id>`, its environment the parent's. References between the two,
    /// and between nested stacks of one parent, are wired by synth as the AWS CDK does: a
    /// value of the parent reaches the nested stack as a template parameter the parent's
    /// resource passes, and a value of a nested stack reaches the parent (or a sibling) as an
    /// output read with `Fn::GetAtt <id>.Outputs.<name>`. Other stacks import its values
    /// through exports, and deploy after its parent.
    ///
    /// Not supported, and reported at synth: a nested stack inside a nested stack, published
    /// folders ([`crate::s3::BucketDeployment`]) and termination protection in one, and
    /// references across regions to or from one.
    pub fn nested(parent: &mut Stack, id: &str) -> Stack {
        let mut child = Stack::new(format!("{}-{id}", parent.name));
        child.env = parent.env.clone();
        let path = parent.path_of(id);
        if let Err(e) = check_construct_id(id) {
            child.problems.push(Problem::new(&path, e.to_string()));
        }
        if parent.nested.is_some() {
            child.problems.push(
                Problem::new(
                    &path,
                    format!(
                        "is a nested stack inside the nested stack {}; rcdk nests one level",
                        parent.name
                    ),
                )
                .help("nest it in the top-level stack instead; each nested stack holds up to 500 resources"),
            );
        }
        if parent.resources.contains_key(&path) {
            child.problems.push(Problem::new(
                &path,
                "there is already a construct at this path; give each construct a unique id",
            ));
        }
        // TemplateURL and Parameters are filled by synth once the nested template is made
        parent.insert_resource(
            path.clone(),
            CfnResource::custom("AWS::CloudFormation::Stack", Value::object())
                .without_schema_check(),
        );
        child.nested = Some(NestedIn {
            parent: parent.name.clone(),
            path,
        });
        child
    }

    /// Whether this stack is nested in another ([`Stack::nested`]).
    pub fn is_nested(&self) -> bool {
        self.nested.is_some()
    }

    /// Registers a check that synth runs on this stack (a construct module's own: IAM's
    /// permission check is one); see [`super::check::Check`].
    pub fn add_check(&mut self, check: impl super::check::Check + 'static) {
        self.checks.push(std::sync::Arc::new(check));
    }

    /// The stack's name, as deployed.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The account and region the stack is deployed to (by default neither: the deploying
    /// shell's). A named region makes `Aws::region()` a literal in the template, an account
    /// `Aws::account_id()`; an account that is not 12 digits or a region that is not a
    /// region name is reported at synth.
    pub fn set_env(&mut self, env: super::env::Environment) -> &mut Self {
        for message in env.problems() {
            self.problems
                .push(Problem::new(&self.name, message).property("env"));
        }
        self.env = env;
        self
    }

    /// The stack's environment.
    pub fn env(&self) -> &super::env::Environment {
        &self.env
    }

    /// The template's `Description` (at most 1,024 bytes).
    pub fn set_description(&mut self, text: impl Into<String>) -> &mut Self {
        let text = text.into();
        if text.len() > 1024 {
            self.problems.push(
                Problem::new(
                    &self.name,
                    format!(
                        "the description has {} bytes; CloudFormation allows 1024",
                        text.len()
                    ),
                )
                .property("Description"),
            );
        }
        self.description = Some(text);
        self
    }

    /// A stack tag: CloudFormation propagates it to every resource that supports tags.
    pub fn add_tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let (key, value) = (key.into(), value.into());
        if key.is_empty() || key.len() > 128 || key.starts_with("aws:") {
            self.problems.push(
                Problem::new(
                    &self.name,
                    format!(
                        "tag key \"{key}\" must be 1 to 128 characters and not start with \"aws:\""
                    ),
                )
                .property("Tags"),
            );
        }
        if value.len() > 256 {
            self.problems.push(
                Problem::new(
                    &self.name,
                    format!("tag \"{key}\" has a value over 256 characters"),
                )
                .property("Tags"),
            );
        }
        self.tags.insert(key, value);
        self
    }

    /// Turns termination protection of the deployed stack on or off
    /// (`EnableTerminationProtection`).
    pub fn set_termination_protection(&mut self, on: bool) -> &mut Self {
        self.termination_protection = on;
        self
    }

    /// Deploy this stack after `other` (dependencies through references are found by synth).
    pub fn add_dependency(&mut self, other: &str) -> &mut Self {
        if !self.dependencies.iter().any(|d| d == other) {
            self.dependencies.push(other.to_string());
        }
        self
    }

    /// Records a problem, reported with every other at synth.
    pub fn add_problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Records a warning, printed by synth (it does not stop it).
    pub fn add_warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning {
            path: path.into(),
            message: message.into(),
        });
    }

    /// The full construct path of `id` in this stack.
    pub fn path_of(&self, id: &str) -> String {
        format!("{}/{}", self.name, id)
    }

    /// Adds a resource at construct path `id` (components separated by `/`).
    pub fn add_resource(&mut self, id: &str, resource: CfnResource) -> ResourceRef {
        let path = self.path_of(id);
        for component in id.split('/') {
            if let Err(e) = check_construct_id(component) {
                self.problems.push(Problem::new(&path, e.to_string()));
            }
        }
        if self.resources.contains_key(&path) {
            self.problems.push(Problem::new(
                &path,
                "there is already a construct at this path; give each construct a unique id",
            ));
        }
        self.insert_resource(path.clone(), resource);
        ResourceRef {
            stack: self.name.clone(),
            path,
        }
    }

    /// Inserts a resource at its full construct path, with its `aws:cdk:path` metadata.
    pub(crate) fn insert_resource(&mut self, path: String, mut resource: CfnResource) {
        resource
            .metadata
            .insert("aws:cdk:path".into(), Value::String(path.clone()));
        self.resources.insert(path, resource);
    }

    /// Appends `item` to the array at the dotted `property` (`PolicyDocument.Statement`) of the
    /// resource `target`, creating that resource with `create` when its stack does not have it
    /// yet; an item already there is not added again. `target` may be a resource of another
    /// stack of the app (the policy of a queue another stack holds): synth then makes the
    /// change in that stack, where the resource is, so the resource stays one; `what` (the
    /// change, in words) and `help` (how to avoid it) are what synth says if the change would
    /// make the two stacks depend on each other in a cycle.
    pub fn append_to_resource(
        &mut self,
        target: &ResourceRef,
        property: &str,
        item: Value,
        create: impl FnOnce() -> CfnResource,
        what: &str,
        help: &str,
    ) {
        if target.stack == self.name {
            if !self.resources.contains_key(&target.path) {
                self.insert_resource(target.path.clone(), create());
            }
            if let Some(resource) = self.resources.get_mut(&target.path) {
                append(&mut resource.properties, property, item);
            }
            return;
        }
        let exists = self.changes.iter().any(|c| {
            c.target == *target
                && matches!(&c.kind, ChangeKind::Append { property: p, item: i, .. } if p == property && *i == item)
        });
        if !exists {
            self.changes.push(CrossStackChange {
                source: self.name.clone(),
                target: target.clone(),
                kind: ChangeKind::Append {
                    property: property.to_string(),
                    item,
                    create: create(),
                },
                what: what.to_string(),
                help: help.to_string(),
            });
        }
    }

    /// Adds a resource at construct path `id` of stack `owner`: this stack, or another of the
    /// app, where synth adds it (a subscription that belongs beside its queue). `what` and
    /// `help` are what synth says if it cannot (the path is taken there, or the resource
    /// would make the two stacks depend on each other in a cycle).
    pub fn add_resource_in(
        &mut self,
        owner: &str,
        id: &str,
        resource: CfnResource,
        what: &str,
        help: &str,
    ) -> ResourceRef {
        if owner == self.name {
            return self.add_resource(id, resource);
        }
        let path = format!("{owner}/{id}");
        for component in id.split('/') {
            if let Err(e) = check_construct_id(component) {
                self.problems.push(Problem::new(&path, e.to_string()));
            }
        }
        let target = ResourceRef {
            stack: owner.to_string(),
            path,
        };
        if self.changes.iter().any(|c| c.target == target) {
            self.problems.push(Problem::new(
                &target.path,
                "there is already a construct at this path; give each construct a unique id",
            ));
        }
        self.changes.push(CrossStackChange {
            source: self.name.clone(),
            target: target.clone(),
            kind: ChangeKind::Add(resource),
            what: what.to_string(),
            help: help.to_string(),
        });
        target
    }

    /// Sets the dotted `property` of the resource `target` to `value` unless it is set: now
    /// for a resource of this stack, at synth for one of another stack of the app (a table's
    /// stream turned on by an event source of another stack). `what` and `help` are what
    /// synth says if it cannot. True when the property was set now or will be at synth.
    pub fn set_property_if_absent(
        &mut self,
        target: &ResourceRef,
        property: &str,
        value: Value,
        what: &str,
        help: &str,
    ) -> bool {
        if target.stack == self.name {
            return match self.resources.get_mut(&target.path) {
                Some(r) if !super::deferred::has_property(r, property) => {
                    r.properties.set_path(property, value);
                    true
                }
                Some(_) => false,
                None => {
                    self.problems.push(Problem::new(
                        &target.path,
                        format!("{what}: no such resource in stack {}", self.name),
                    ));
                    false
                }
            };
        }
        if self.sets_property(target, property) {
            return false;
        }
        self.changes.push(CrossStackChange {
            source: self.name.clone(),
            target: target.clone(),
            kind: ChangeKind::SetIfAbsent {
                property: property.to_string(),
                value,
            },
            what: what.to_string(),
            help: help.to_string(),
        });
        true
    }

    /// True when this stack sets the dotted `property` of `target`, a resource of another
    /// stack, at synth ([`Stack::set_property_if_absent`]).
    pub fn sets_property(&self, target: &ResourceRef, property: &str) -> bool {
        self.changes.iter().any(|c| {
            c.target == *target
                && matches!(&c.kind, ChangeKind::SetIfAbsent { property: p, .. } if p == property)
        })
    }

    /// True when `path` (a full construct path) is a resource of this stack, or one this
    /// stack adds to another.
    pub fn has_construct(&self, path: &str) -> bool {
        self.resources.contains_key(path)
            || self
                .changes
                .iter()
                .any(|c| c.target.path == path && matches!(c.kind, ChangeKind::Add(_)))
    }

    /// Reports `problem` at synth unless the resource `resource` (of any stack of the app)
    /// then has the dotted `property` set (not null, not an empty list or object): for what
    /// only holds if a later call provides it (a table's stream, once its ARN is used).
    pub fn require_property(&mut self, resource: &ResourceRef, property: &str, problem: Problem) {
        let required = RequiredProperty {
            resource: resource.clone(),
            property: property.to_string(),
            problem,
        };
        if !self.required_properties.contains(&required) {
            self.required_properties.push(required);
        }
    }

    /// Adds a typed L1 resource.
    pub fn add<P: CfnProps>(&mut self, id: &str, props: &P) -> ResourceRef {
        self.add_resource(id, CfnResource::from_props(props))
    }

    /// Adds a resource of the generated L1 layer ([`crate::l1`]) and returns its typed handle:
    /// `stack.add_l1("Key", kms::CfnKey::new().enable_key_rotation(true)).attr_arn()`.
    pub fn add_l1<P: CfnProps>(&mut self, id: &str, props: P) -> super::l1::L1Ref<P> {
        super::l1::L1Ref::new(self.add(id, &props))
    }

    /// The resource `r` points to, if it is one of this stack's.
    pub fn resource(&self, r: &ResourceRef) -> Option<&CfnResource> {
        self.resources.get(&r.path)
    }

    /// The resource `r` points to, if it is one of this stack's, to change it.
    pub fn resource_mut(&mut self, r: &ResourceRef) -> Option<&mut CfnResource> {
        self.resources.get_mut(&r.path)
    }

    fn resource_or_problem(&mut self, r: &ResourceRef, what: &str) -> Option<&mut CfnResource> {
        if r.stack != self.name || !self.resources.contains_key(&r.path) {
            self.problems.push(Problem::new(
                &r.path,
                format!("{what}: no such resource in stack {}", self.name),
            ));
            return None;
        }
        self.resources.get_mut(&r.path)
    }

    /// Sets a property at a dotted path (`"Cors.AllowOrigins"`), creating objects on the way.
    pub fn add_property_override(&mut self, r: &ResourceRef, path: &str, value: impl Into<Value>) {
        let value = value.into();
        if let Some(res) = self.resource_or_problem(r, "property override") {
            res.properties.set_path(path, value);
        }
    }

    /// Removes a property at a dotted path.
    pub fn add_property_deletion_override(&mut self, r: &ResourceRef, path: &str) {
        if let Some(res) = self.resource_or_problem(r, "property deletion override") {
            res.properties.remove_path(path);
        }
    }

    /// Declares the condition `name` (letters and digits) in the template's `Conditions`; the
    /// returned handle is what [`Stack::set_condition`], [`Output::condition`] and
    /// [`super::token::fns::if_`] name.
    pub fn add_condition(
        &mut self,
        name: &str,
        condition: super::token::Condition,
    ) -> super::token::ConditionRef {
        if let Err(e) = names::check_alphanumeric("condition name", name) {
            self.problems.push(
                Problem::new(&self.name, e.to_string()).property(format!("Conditions.{name}")),
            );
        }
        if self.conditions.contains_key(name) {
            self.problems.push(
                Problem::new(
                    &self.name,
                    format!("the condition {name} is declared twice"),
                )
                .property(format!("Conditions.{name}")),
            );
        }
        self.conditions.insert(name.to_string(), condition);
        super::token::ConditionRef {
            stack: self.name.clone(),
            name: name.to_string(),
        }
    }

    /// The resource's `Condition`: CloudFormation creates it only when `condition` holds.
    pub fn set_condition(&mut self, r: &ResourceRef, condition: &super::token::ConditionRef) {
        if let Some(res) = self.resource_or_problem(r, "condition") {
            res.condition = Some(condition.clone());
        }
    }

    /// Gives a resource an explicit logical id instead of the one derived from its path.
    pub fn override_logical_id(&mut self, r: &ResourceRef, id: impl Into<String>) {
        let id = id.into();
        if let Err(e) = names::check_alphanumeric("logical id", &id) {
            self.problems.push(Problem::new(&r.path, e.to_string()));
        }
        if let Some(res) = self.resource_or_problem(r, "logical id override") {
            res.logical_id_override = Some(id);
        }
    }

    /// Adds a parameter; the returned value is its `Ref`.
    pub fn add_parameter(&mut self, name: &str, parameter: Parameter) -> Value {
        if let Err(e) = names::check_alphanumeric("parameter name", name) {
            self.problems.push(
                Problem::new(&self.name, e.to_string()).property(format!("Parameters.{name}")),
            );
        }
        if let Some(e) = parameter.check_default() {
            self.problems.push(
                Problem::new(&self.name, format!("parameter {name}: {e}"))
                    .property(format!("Parameters.{name}")),
            );
        }
        if self
            .parameters
            .insert(name.to_string(), parameter)
            .is_some()
        {
            self.problems.push(
                Problem::new(&self.name, format!("parameter {name} is defined twice"))
                    .property(format!("Parameters.{name}")),
            );
        }
        Token::Parameter {
            stack: self.name.clone(),
            name: name.to_string(),
        }
        .into()
    }

    /// Declares a mapping (the template's `Mappings`); read it with
    /// [`super::mapping::MappingRef::find`]. What CloudFormation would refuse (a name that is
    /// not alphanumeric, an empty mapping, over 200 attributes) is reported at synth.
    pub fn add_mapping(
        &mut self,
        name: &str,
        mapping: super::mapping::Mapping,
    ) -> super::mapping::MappingRef {
        for message in mapping.check(name) {
            self.problems
                .push(Problem::new(&self.name, message).property(format!("Mappings.{name}")));
        }
        if self.mappings.insert(name.to_string(), mapping).is_some() {
            self.problems.push(
                Problem::new(&self.name, format!("the mapping {name} is declared twice"))
                    .property(format!("Mappings.{name}")),
            );
        }
        super::mapping::MappingRef {
            stack: self.name.clone(),
            name: name.to_string(),
        }
    }

    /// Adds an output; chain `.description(..)` and `.export_name(..)` on the result.
    pub fn add_output(&mut self, name: &str, value: impl Into<Value>) -> &mut Output {
        if let Err(e) = names::check_alphanumeric("output name", name) {
            self.problems
                .push(Problem::new(&self.name, e.to_string()).property(format!("Outputs.{name}")));
        }
        if self.outputs.contains_key(name) {
            self.problems.push(
                Problem::new(&self.name, format!("output {name} is defined twice"))
                    .property(format!("Outputs.{name}")),
            );
        }
        let output = Output {
            value: value.into(),
            description: None,
            export_name: None,
            condition: None,
        };
        let (index, _) = self.outputs.insert_full(name.to_string(), output);
        &mut self.outputs[index]
    }

    /// Registers a code asset for the resource at `id`; returns the value of its S3 key.
    pub fn add_code_asset(&mut self, id: &str, asset: CodeAsset) -> Value {
        let path = self.path_of(id);
        self.assets.insert(path.clone(), asset);
        Token::AssetKey {
            stack: self.name.clone(),
            asset: path,
        }
        .into()
    }

    /// Registers a folder published to a bucket after each deploy, under the construct path of
    /// `id` (what [`crate::s3::BucketDeployment`] does).
    pub fn add_folder_deployment(&mut self, id: &str, deployment: FolderDeployment) {
        let path = self.path_of(id);
        self.folders.insert(path, deployment);
    }

    /// The number of resources so far.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }
}
