//! Resources as the template holds them: type, properties and attributes.

use indexmap::IndexMap;

use super::token::ResourceRef;
use super::value::{ToCfn, Value};

/// A typed L1 property struct: its CloudFormation type and required properties.
pub trait CfnProps: ToCfn {
    /// The CloudFormation resource type, `AWS::S3::Bucket`.
    const TYPE: &'static str;
    /// The properties CloudFormation requires, checked at synth.
    const REQUIRED: &'static [&'static str];
    /// The property holding a physical name the service keeps unique, when the type has one
    /// (declared by the module that knows the service): synth refuses two resources of an app
    /// that claim one name.
    const UNIQUE_NAME: Option<UniqueName> = None;
}

/// How widely a service keeps a physical name unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameScope {
    /// One name per account and region (a table, a queue, a function).
    AccountAndRegion,
    /// One name per account, in every region (an IAM role).
    Account,
    /// One name in all of AWS (an S3 bucket).
    Global,
}

impl NameScope {
    /// The scope in words, as problems name it.
    pub fn as_str(self) -> &'static str {
        match self {
            NameScope::AccountAndRegion => "the account and region",
            NameScope::Account => "the account",
            NameScope::Global => "all of AWS",
        }
    }
}

/// A physical name a resource type keeps unique: the property that holds it, what the
/// resource is called in words (resources of one kind share one space of names: a metric
/// alarm and a composite alarm are both `alarm`s) and how widely it is unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UniqueName {
    /// The property, `TableName`, or a dotted path to a nested one
    /// (`OriginAccessControlConfig.Name`).
    pub property: &'static str,
    /// The kind of resource, `table`.
    pub kind: &'static str,
    /// Where the name must be unique.
    pub scope: NameScope,
}

/// What synth says when a resource is in a dependency cycle, told by the module that made it:
/// its `help`, when the cycle also holds a resource of type `with` (any cycle when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleHelp {
    /// The resource type the cycle must also hold for the help to apply.
    pub with: Option<String>,
    /// How to break the cycle.
    pub help: String,
}

/// `DeletionPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionPolicy {
    /// Delete the resource when it leaves the stack.
    Delete,
    /// Keep the resource, orphaned from the stack.
    Retain,
    /// Keep the resource, unless the stack operation that created it rolls back.
    RetainExceptOnCreate,
    /// Take a snapshot of the resource's data, then delete it.
    Snapshot,
}

impl DeletionPolicy {
    /// The value written in the template.
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionPolicy::Delete => "Delete",
            DeletionPolicy::Retain => "Retain",
            DeletionPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            DeletionPolicy::Snapshot => "Snapshot",
        }
    }
}

/// `UpdateReplacePolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateReplacePolicy {
    /// Delete the old resource after its replacement is created.
    Delete,
    /// Keep the old resource, orphaned from the stack.
    Retain,
    /// Take a snapshot of the old resource's data, then delete it.
    Snapshot,
}

impl UpdateReplacePolicy {
    /// The value written in the template.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateReplacePolicy::Delete => "Delete",
            UpdateReplacePolicy::Retain => "Retain",
            UpdateReplacePolicy::Snapshot => "Snapshot",
        }
    }
}

/// What happens to a stateful resource's data when it leaves the stack (deletion or
/// replacement); sets both `DeletionPolicy` and `UpdateReplacePolicy`, as the AWS CDK does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RemovalPolicy {
    /// Delete the resource and its data.
    Destroy,
    /// Keep it, orphaned from the stack (the default for tables, buckets and log groups).
    #[default]
    Retain,
    /// Keep it when the stack is deleted, but delete it when its creation fails.
    RetainOnUpdateOrDelete,
    /// Take a snapshot, then delete (for resources that support snapshots).
    Snapshot,
}

impl RemovalPolicy {
    /// The `DeletionPolicy` this removal policy sets.
    pub fn deletion_policy(self) -> DeletionPolicy {
        match self {
            RemovalPolicy::Destroy => DeletionPolicy::Delete,
            RemovalPolicy::Retain => DeletionPolicy::Retain,
            RemovalPolicy::RetainOnUpdateOrDelete => DeletionPolicy::RetainExceptOnCreate,
            RemovalPolicy::Snapshot => DeletionPolicy::Snapshot,
        }
    }

    /// The `UpdateReplacePolicy` this removal policy sets.
    pub fn update_replace_policy(self) -> UpdateReplacePolicy {
        match self {
            RemovalPolicy::Destroy => UpdateReplacePolicy::Delete,
            RemovalPolicy::Retain | RemovalPolicy::RetainOnUpdateOrDelete => {
                UpdateReplacePolicy::Retain
            }
            RemovalPolicy::Snapshot => UpdateReplacePolicy::Snapshot,
        }
    }
}

/// One resource of a stack, before token resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct CfnResource {
    /// The resource type (`Type`), `AWS::S3::Bucket`.
    pub type_name: String,
    /// Always an object.
    pub properties: Value,
    /// The resources created before this one (`DependsOn`).
    pub depends_on: Vec<ResourceRef>,
    /// `DeletionPolicy`, when set.
    pub deletion_policy: Option<DeletionPolicy>,
    /// `UpdateReplacePolicy`, when set.
    pub update_replace_policy: Option<UpdateReplacePolicy>,
    /// `Metadata`, key by key.
    pub metadata: IndexMap<String, Value>,
    pub(crate) required: &'static [&'static str],
    pub(crate) logical_id_override: Option<String>,
    pub(crate) unique_name: Option<UniqueName>,
    pub(crate) cycle_help: Option<CycleHelp>,
    pub(crate) condition: Option<super::token::ConditionRef>,
    pub(crate) schema_checked: bool,
}

impl CfnResource {
    /// A resource from a typed L1 property struct.
    pub fn from_props<P: CfnProps>(props: &P) -> Self {
        CfnResource {
            type_name: P::TYPE.to_string(),
            properties: props.to_cfn().unwrap_or_else(Value::object),
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: IndexMap::new(),
            required: P::REQUIRED,
            logical_id_override: None,
            unique_name: P::UNIQUE_NAME,
            cycle_help: None,
            condition: None,
            schema_checked: true,
        }
    }

    /// The escape hatch: any resource type, with its properties as JSON (tokens allowed).
    pub fn custom(type_name: impl Into<String>, properties: impl Into<Value>) -> Self {
        let properties = match properties.into() {
            Value::Null => Value::object(),
            v => v,
        };
        CfnResource {
            type_name: type_name.into(),
            properties,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: IndexMap::new(),
            required: &[],
            logical_id_override: None,
            unique_name: None,
            cycle_help: None,
            condition: None,
            schema_checked: true,
        }
    }

    /// Builder: the physical name in `name.property` must be unique as `name` says (a resource
    /// made with [`CfnResource::custom`] has none unless told; one from typed properties has
    /// its type's [`CfnProps::UNIQUE_NAME`]).
    pub fn with_unique_name(mut self, name: UniqueName) -> Self {
        self.unique_name = Some(name);
        self
    }

    /// The physical name this resource keeps unique, if any.
    pub fn unique_name(&self) -> Option<UniqueName> {
        self.unique_name
    }

    /// Builder: synth does not check this resource against its type's registry schema (see
    /// [`crate::registry`]): for a property or value newer than the schemas rcdk carries
    /// ([`crate::registry::SOURCE`]), until they are regenerated.
    pub fn without_schema_check(mut self) -> Self {
        self.schema_checked = false;
        self
    }

    /// Builder: what synth's problem says when this resource is in a dependency cycle (with a
    /// resource of type `with`, or any).
    pub fn with_cycle_help(mut self, with: Option<&str>, help: impl Into<String>) -> Self {
        self.cycle_help = Some(CycleHelp {
            with: with.map(str::to_string),
            help: help.into(),
        });
        self
    }

    /// Builder: sets the resource's `DeletionPolicy` and `UpdateReplacePolicy` from `policy`.
    pub fn with_removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.apply_removal_policy(policy);
        self
    }

    /// Sets the resource's `DeletionPolicy` and `UpdateReplacePolicy` from `policy`.
    pub fn apply_removal_policy(&mut self, policy: RemovalPolicy) {
        self.deletion_policy = Some(policy.deletion_policy());
        self.update_replace_policy = Some(policy.update_replace_policy());
    }

    /// Builder: creates this resource after `dependency` (`DependsOn`).
    pub fn with_depends_on(mut self, dependency: &ResourceRef) -> Self {
        self.add_depends_on(dependency);
        self
    }

    /// Creates this resource after `dependency` (`DependsOn`); a dependency given twice is kept
    /// once.
    pub fn add_depends_on(&mut self, dependency: &ResourceRef) {
        if !self.depends_on.contains(dependency) {
            self.depends_on.push(dependency.clone());
        }
    }
}
