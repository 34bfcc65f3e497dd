//! Resources as the template holds them: type, properties and attributes.

use indexmap::IndexMap;

use super::token::ResourceRef;
use super::value::{ToCfn, Value};

/// A typed L1 property struct: its CloudFormation type and required properties.
pub trait CfnProps: ToCfn {
    const TYPE: &'static str;
    const REQUIRED: &'static [&'static str];
}

/// `DeletionPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionPolicy {
    Delete,
    Retain,
    RetainExceptOnCreate,
    Snapshot,
}

impl DeletionPolicy {
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
    Delete,
    Retain,
    Snapshot,
}

impl UpdateReplacePolicy {
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
    pub fn deletion_policy(self) -> DeletionPolicy {
        match self {
            RemovalPolicy::Destroy => DeletionPolicy::Delete,
            RemovalPolicy::Retain => DeletionPolicy::Retain,
            RemovalPolicy::RetainOnUpdateOrDelete => DeletionPolicy::RetainExceptOnCreate,
            RemovalPolicy::Snapshot => DeletionPolicy::Snapshot,
        }
    }

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
    pub type_name: String,
    /// Always an object.
    pub properties: Value,
    pub depends_on: Vec<ResourceRef>,
    pub deletion_policy: Option<DeletionPolicy>,
    pub update_replace_policy: Option<UpdateReplacePolicy>,
    pub metadata: IndexMap<String, Value>,
    pub(crate) required: &'static [&'static str],
    pub(crate) logical_id_override: Option<String>,
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
        }
    }

    pub fn with_removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.apply_removal_policy(policy);
        self
    }

    pub fn apply_removal_policy(&mut self, policy: RemovalPolicy) {
        self.deletion_policy = Some(policy.deletion_policy());
        self.update_replace_policy = Some(policy.update_replace_policy());
    }

    pub fn with_depends_on(mut self, dependency: &ResourceRef) -> Self {
        self.add_depends_on(dependency);
        self
    }

    pub fn add_depends_on(&mut self, dependency: &ResourceRef) {
        if !self.depends_on.contains(dependency) {
            self.depends_on.push(dependency.clone());
        }
    }
}
