//! Customer managed policies (`AWS::IAM::ManagedPolicy`), for callers outside the stack or
//! roles in it.

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;

use super::{policy_document, CfnManagedPolicy, PolicyStatement, Role};

/// Settings of a [`ManagedPolicy`]; `ManagedPolicyProps::new(statements)` then builder
/// methods.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedPolicyProps {
    /// The policy's name (`ManagedPolicyName`); default: one CloudFormation generates.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// The statements of its `PolicyDocument`: at least one, each valid in an identity policy.
    pub statements: Vec<PolicyStatement>,
    /// The roles of the stack it is attached to (`Roles`).
    pub roles: Vec<Role>,
}

impl ManagedPolicyProps {
    /// A policy of `statements`, attached to no role; an empty list is reported at synth.
    pub fn new(statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        ManagedPolicyProps {
            name: None,
            description: None,
            statements: statements.into_iter().collect(),
            roles: Vec::new(),
        }
    }

    /// The policy's name (`ManagedPolicyName`), checked against IAM's rules at synth.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The policy's description (`Description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Attaches the policy to one more role of the stack (`Roles`).
    pub fn role(mut self, role: &Role) -> Self {
        self.roles.push(role.clone());
        self
    }
}

/// A customer managed policy, for callers outside the stack (or roles in it).
///
/// # Examples
///
/// ```
/// use constructs::iam::{ManagedPolicy, ManagedPolicyProps, PolicyStatement};
/// # use constructs::iam::{Principal, Role, RoleProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Reports");
/// let role = Role::new(&mut stack, "Reader", RoleProps::new(Principal::service("ec2.amazonaws.com")));
/// let read = PolicyStatement::allow().action("s3:GetObject").resource("arn:aws:s3:::reports/*");
/// let props = ManagedPolicyProps::new([read]).name("read-reports").role(&role);
/// ManagedPolicy::new(&mut stack, "ReadReports", props);
///
/// let template = Template::from_stack(&stack);
/// let role_id = template.logical_id_of_type("AWS::IAM::Role");
/// template.has_resource_properties("AWS::IAM::ManagedPolicy", json!({
///     "ManagedPolicyName": "read-reports",
///     "Roles": [{"Ref": role_id}],
///     "PolicyDocument": {"Version": "2012-10-17", "Statement": [
///         {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:aws:s3:::reports/*"},
///     ]},
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedPolicy {
    resource: ResourceRef,
}

impl ManagedPolicy {
    /// Creates the policy; no statement, or one that is invalid in an identity policy, is reported
    /// at synth.
    pub fn new(stack: &mut Stack, id: &str, props: ManagedPolicyProps) -> ManagedPolicy {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(name) = &props.name {
            if let Err(e) = names::check_name("managed policy name", name, 1, 128, "+=,.@_-") {
                stack.add_problem(Problem::new(&path, e.to_string()).property("ManagedPolicyName"));
            }
        }
        if props.statements.is_empty() {
            stack.add_problem(
                Problem::new(&path, "a managed policy needs at least one statement")
                    .property("PolicyDocument"),
            );
        }
        for s in &props.statements {
            for p in s.identity_policy_problems() {
                stack.add_problem(Problem::new(&path, p).property("PolicyDocument"));
            }
        }
        let mut policy = CfnManagedPolicy::new(policy_document(&props.statements))
            .description(props.description)
            .managed_policy_name(props.name);
        if !props.roles.is_empty() {
            policy = policy.roles(props.roles.iter().map(Role::name).collect::<Vec<_>>());
        }
        ManagedPolicy {
            resource: stack.add_resource(
                &format!("{id}/Resource"),
                CfnResource::from_props(&policy).with_unique_name(super::MANAGED_POLICY_NAME),
            ),
        }
    }

    /// The `AWS::IAM::ManagedPolicy` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The policy's ARN (`Ref` of a managed policy is its ARN).
    pub fn arn(&self) -> Value {
        self.resource.reference()
    }
}
