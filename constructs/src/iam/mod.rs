//! IAM: roles, policy statements, managed policies, and the grants other constructs make.

mod check;
mod managed;
mod resource_policy;

use indexmap::IndexMap;

use crate::core::error::{InvalidValue, Problem};
use crate::core::names;
use crate::core::resource::{CfnResource, NameScope, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::{ToCfn, Value};

pub use crate::l1::iam::{CfnManagedPolicy, CfnPolicy, CfnRole};

/// A role's name is unique in its account, in every region.
const ROLE_NAME: UniqueName = UniqueName {
    property: "RoleName",
    kind: "role",
    scope: NameScope::Account,
};

/// A managed policy's name is unique in its account, in every region.
const MANAGED_POLICY_NAME: UniqueName = UniqueName {
    property: "ManagedPolicyName",
    kind: "managed policy",
    scope: NameScope::Account,
};
pub use check::RequiredPermission;
pub use managed::{ManagedPolicy, ManagedPolicyProps};
pub use resource_policy::add_to_resource_policy;
pub(crate) use resource_policy::cross_stack_policy_help;

/// Who a statement of a resource or trust policy is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// An AWS service, `lambda.amazonaws.com`.
    Service(String),
    /// An account (id or token); rendered as its root ARN.
    Account(Value),
    /// An IAM role or user ARN.
    Arn(Value),
    /// Everyone (`*`): only for resource policies that AWS requires it in.
    Any,
}

impl Principal {
    /// The AWS service `name`, `states.amazonaws.com`; a regional one may name the region as
    /// `logs.${AWS::Region}.amazonaws.com` (rendered through `Fn::Sub`).
    pub fn service(name: impl Into<String>) -> Self {
        Principal::Service(name.into())
    }

    fn render(&self) -> (&'static str, Value) {
        match self {
            // a regional principal (`logs.${AWS::Region}.amazonaws.com`) through Fn::Sub
            Principal::Service(s) if s.contains("${") => ("Service", fns::sub(s.clone())),
            Principal::Service(s) => ("Service", Value::String(s.clone())),
            Principal::Account(a) => (
                "AWS",
                fns::sub_with(
                    "arn:${AWS::Partition}:iam::${Account}:root",
                    [("Account", a.clone())],
                ),
            ),
            Principal::Arn(a) => ("AWS", a.clone()),
            Principal::Any => ("AWS", Value::from("*")),
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

/// One statement of a policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyStatement {
    /// `Sid`: the statement's id, unique in its policy.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Action`: the IAM actions, `s3:GetObject`, each kept once.
    pub actions: Vec<String>,
    /// `Resource`: the ARNs the actions apply to, each kept once.
    pub resources: Vec<Value>,
    /// `Principal`: who the statement is about (resource and trust policies only).
    pub principals: Vec<Principal>,
    /// operator -> key -> value, `{"Bool": {"aws:SecureTransport": "false"}}`.
    pub conditions: IndexMap<String, IndexMap<String, Value>>,
}

impl PolicyStatement {
    /// An empty `Allow` statement, to add actions and resources to.
    pub fn allow() -> Self {
        PolicyStatement {
            sid: None,
            effect: Effect::Allow,
            actions: Vec::new(),
            resources: Vec::new(),
            principals: Vec::new(),
            conditions: IndexMap::new(),
        }
    }

    /// An empty `Deny` statement, to add actions and resources to.
    pub fn deny() -> Self {
        PolicyStatement {
            effect: Effect::Deny,
            ..Self::allow()
        }
    }

    /// The statement of a resource policy that denies `action` on `resources` to anyone
    /// calling without TLS (`aws:SecureTransport` false): what buckets, queues and topics get
    /// unless told otherwise.
    pub fn deny_insecure_transport(
        action: impl Into<String>,
        resources: impl IntoIterator<Item = Value>,
    ) -> Self {
        Self::deny()
            .action(action)
            .principal(Principal::Any)
            .resources(resources)
            .condition("Bool", "aws:SecureTransport", "false")
    }

    /// The statement's id (`Sid`).
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Adds an IAM action (`Action`), `s3:GetObject`; one already there is not repeated.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        let action = action.into();
        if !self.actions.contains(&action) {
            self.actions.push(action);
        }
        self
    }

    /// Adds IAM actions (`Action`); those already there are not repeated.
    pub fn actions<S: Into<String>>(self, actions: impl IntoIterator<Item = S>) -> Self {
        actions.into_iter().fold(self, |s, a| s.action(a))
    }

    /// Adds a resource ARN (`Resource`); one already there is not repeated.
    pub fn resource(mut self, resource: impl Into<Value>) -> Self {
        let resource = resource.into();
        if !self.resources.contains(&resource) {
            self.resources.push(resource);
        }
        self
    }

    /// Adds resource ARNs (`Resource`); those already there are not repeated.
    pub fn resources(self, resources: impl IntoIterator<Item = Value>) -> Self {
        resources.into_iter().fold(self, |s, r| s.resource(r))
    }

    /// Adds a principal (`Principal`).
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principals.push(principal);
        self
    }

    /// Adds a condition (`Condition`): `operator` (`StringEquals`) on `key` with `value`.
    pub fn condition(
        mut self,
        operator: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<Value>,
    ) -> Self {
        self.conditions
            .entry(operator.into())
            .or_default()
            .insert(key.into(), value.into());
        self
    }

    /// What makes this statement invalid in an identity policy (attached to a role).
    pub fn identity_policy_problems(&self) -> Vec<String> {
        let mut problems = self.common_problems();
        if self.resources.is_empty() {
            problems.push("a statement of an identity policy needs at least one resource".into());
        }
        if !self.principals.is_empty() {
            problems.push("a statement of an identity policy must not name a principal".into());
        }
        problems
    }

    /// What makes this statement invalid in a resource policy (bucket policy, ...).
    pub fn resource_policy_problems(&self) -> Vec<String> {
        let mut problems = self.common_problems();
        if self.principals.is_empty() {
            problems.push("a statement of a resource policy needs a principal".into());
        }
        problems
    }

    fn common_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.actions.is_empty() {
            problems.push("a policy statement needs at least one action".into());
        }
        for a in &self.actions {
            if let Err(e) = check_action(a) {
                problems.push(e.to_string());
            }
        }
        problems
    }
}

/// Checks the form of an IAM action: `service:Action`, wildcards allowed in the action part.
pub fn check_action(action: &str) -> Result<(), InvalidValue> {
    if action == "*" {
        return Ok(());
    }
    let ok = match action.split_once(':') {
        Some((service, name)) => {
            !service.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(InvalidValue::new(
            "IAM action",
            action,
            format!("\"{action}\" is not an IAM action; write it as service:Action (s3:GetObject)"),
        ))
    }
}

fn one_or_many(mut items: Vec<Value>) -> Value {
    if items.len() == 1 {
        items.remove(0)
    } else {
        Value::Array(items)
    }
}

impl ToCfn for PolicyStatement {
    fn to_cfn(&self) -> Option<Value> {
        let mut v = Value::object().with(
            "Action",
            one_or_many(self.actions.iter().map(Value::from).collect()),
        );
        if !self.conditions.is_empty() {
            v = v.with("Condition", self.conditions.to_cfn());
        }
        v = v.with(
            "Effect",
            match self.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            },
        );
        if !self.principals.is_empty() {
            let mut by_kind: IndexMap<String, Vec<Value>> = IndexMap::new();
            for p in &self.principals {
                let (kind, value) = p.render();
                if *p == Principal::Any {
                    v = v.with("Principal", Value::object().with("AWS", "*"));
                    by_kind.clear();
                    break;
                }
                by_kind.entry(kind.to_string()).or_default().push(value);
            }
            if !by_kind.is_empty() {
                let principal: IndexMap<String, Value> = by_kind
                    .into_iter()
                    .map(|(k, vs)| (k, one_or_many(vs)))
                    .collect();
                v = v.with("Principal", Value::from(principal));
            }
        }
        if !self.resources.is_empty() {
            v = v.with("Resource", one_or_many(self.resources.clone()));
        }
        if let Some(sid) = &self.sid {
            v = v.with("Sid", sid.as_str());
        }
        Some(v)
    }
}

/// A policy document: `{"Version": "2012-10-17", "Statement": [...]}`.
pub fn policy_document(statements: &[PolicyStatement]) -> Value {
    Value::object().with("Version", "2012-10-17").with(
        "Statement",
        Value::Array(statements.iter().filter_map(ToCfn::to_cfn).collect()),
    )
}

/// The ARN of an AWS managed policy, `service-role/AWSLambdaBasicExecutionRole`.
pub fn aws_managed_policy_arn(name: &str) -> Value {
    fns::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"))
}

/// Anything a grant can give rights to: a role, or a construct that has one.
pub trait Grantable {
    /// The role whose policy receives the grant's statements.
    fn grant_role(&self) -> &Role;
}

/// Settings of a [`Role`]; `RoleProps::new(assumed_by)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleProps {
    /// Who may assume the role: the principal of its trust policy (`AssumeRolePolicyDocument`).
    pub assumed_by: Principal,
    /// The role's name (`RoleName`); default: one CloudFormation generates.
    pub role_name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// The managed policies attached to the role (`ManagedPolicyArns`).
    pub managed_policy_arns: Vec<Value>,
    /// The role's IAM path (`Path`); default: `/`.
    pub path: Option<String>,
    /// The longest session, 3600 to 43200 seconds (`MaxSessionDuration`); default: one hour.
    pub max_session_duration_seconds: Option<u32>,
}

impl RoleProps {
    /// A role that `assumed_by` may assume, with no name, path or managed policy.
    pub fn new(assumed_by: Principal) -> Self {
        RoleProps {
            assumed_by,
            role_name: None,
            description: None,
            managed_policy_arns: Vec::new(),
            path: None,
            max_session_duration_seconds: None,
        }
    }

    /// The role's name (`RoleName`), checked against IAM's rules at synth.
    pub fn role_name(mut self, name: impl Into<String>) -> Self {
        self.role_name = Some(name.into());
        self
    }

    /// The role's description (`Description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Attaches one more managed policy, by ARN (`ManagedPolicyArns`).
    pub fn managed_policy(mut self, arn: impl Into<Value>) -> Self {
        self.managed_policy_arns.push(arn.into());
        self
    }

    /// The role's IAM path (`Path`), `/service-role/`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The longest session in seconds (`MaxSessionDuration`), checked to be within
    /// 3600..=43200 at synth.
    pub fn max_session_duration_seconds(mut self, seconds: u32) -> Self {
        self.max_session_duration_seconds = Some(seconds);
        self
    }
}

/// An IAM role with a default inline policy that grants add statements to.
///
/// # Examples
///
/// ```
/// use constructs::iam::{PolicyStatement, Principal, Role, RoleProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Reports");
/// let role = Role::new(&mut stack, "Reader", RoleProps::new(Principal::service("lambda.amazonaws.com")));
/// let read = PolicyStatement::allow().action("s3:GetObject").resource("arn:aws:s3:::reports/*");
/// role.add_to_policy(&mut stack, read);
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {"Statement": [
///     {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}},
/// ]}}));
/// let role_id = template.logical_id_of_type("AWS::IAM::Role");
/// let read = json!({"Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:aws:s3:::reports/*"});
/// template.has_resource_properties("AWS::IAM::Policy", json!({
///     "Roles": [{"Ref": role_id}],
///     "PolicyDocument": {"Statement": [read]},
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    id: String,
    resource: ResourceRef,
}

impl Role {
    /// Creates the role, trusting `props.assumed_by`; its default policy is created by the first
    /// grant.
    pub fn new(stack: &mut Stack, id: &str, props: RoleProps) -> Role {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(name) = &props.role_name {
            if let Err(e) = names::check_name("role name", name, 1, 64, "+=,.@_-") {
                stack.add_problem(Problem::new(&path, e.to_string()).property("RoleName"));
            }
        }
        if let Some(d) = props.max_session_duration_seconds {
            if !(3600..=43200).contains(&d) {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("max session duration {d} s is outside 3600..=43200"),
                    )
                    .property("MaxSessionDuration"),
                );
            }
        }
        let trust = PolicyStatement::allow()
            .action("sts:AssumeRole")
            .principal(props.assumed_by.clone());
        let mut role = CfnRole::new(policy_document(&[trust]))
            .description(props.description)
            .max_session_duration(props.max_session_duration_seconds)
            .path(props.path)
            .role_name(props.role_name);
        if !props.managed_policy_arns.is_empty() {
            role = role.managed_policy_arns(props.managed_policy_arns);
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&role).with_unique_name(ROLE_NAME),
        );
        Role {
            id: id.to_string(),
            resource,
        }
    }

    /// The role made by [`Role::new`] at construct id `id` of `stack`, if there is one: a
    /// handle for a role another handle created.
    pub fn existing(stack: &Stack, id: &str) -> Option<Role> {
        let resource = ResourceRef {
            stack: stack.name().to_string(),
            path: stack.path_of(&format!("{id}/Resource")),
        };
        stack.resource(&resource)?;
        Some(Role {
            id: id.to_string(),
            resource,
        })
    }

    /// The `AWS::IAM::Role` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The role's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The role's ARN (`Fn::GetAtt` `Arn`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The construct path of the default policy (created by the first statement).
    pub fn default_policy_id(&self) -> String {
        format!("{}/DefaultPolicy/Resource", self.id)
    }

    /// The default policy, once a statement has been added.
    pub fn default_policy(&self, stack: &Stack) -> Option<ResourceRef> {
        let r = ResourceRef {
            stack: self.resource.stack.clone(),
            path: stack.path_of(&self.default_policy_id()),
        };
        stack.resource(&r).map(|_| r)
    }

    /// Adds a statement to the role's default policy, creating it on first use. The stack
    /// must be the role's own; a statement that is invalid is reported at synth.
    pub fn add_to_policy(&self, stack: &mut Stack, statement: PolicyStatement) -> ResourceRef {
        let policy_id = self.default_policy_id();
        let policy_path = stack.path_of(&policy_id);
        for p in statement.identity_policy_problems() {
            stack.add_problem(Problem::new(&policy_path, p).property("PolicyDocument"));
        }
        if stack.name() != self.resource.stack {
            stack.add_problem(
                Problem::new(
                    &self.resource.path,
                    format!(
                        "a grant to this role was made in stack {}, but the role is in stack {}",
                        stack.name(),
                        self.resource.stack
                    ),
                )
                .help("make the grant with the role's own stack"),
            );
        }
        let policy_ref = ResourceRef {
            stack: stack.name().to_string(),
            path: policy_path,
        };
        if stack.resource(&policy_ref).is_none() {
            let components: Vec<&str> = policy_id.split('/').collect();
            let policy = CfnPolicy::new(
                policy_document(&[]),
                crate::core::path::logical_id(&components),
            )
            .roles(vec![self.name()]);
            stack.add(&policy_id, &policy);
        }
        let value = statement.to_cfn().unwrap_or_default();
        if let Some(statements) = stack.resource_mut(&policy_ref).and_then(|r| {
            match r.properties.get_path_mut("PolicyDocument.Statement") {
                Some(Value::Array(items)) => Some(items),
                _ => None,
            }
        }) {
            if !statements.contains(&value) {
                statements.push(value);
            }
        }
        policy_ref
    }
}

impl Grantable for Role {
    fn grant_role(&self) -> &Role {
        self
    }
}

/// The IAM resource for a customer managed KMS key as a queue or topic names it
/// (`KmsMasterKeyId`): a key ARN or a token as it is, a bare key id as its ARN in this stack's
/// account and region. An alias (`alias/x`, or an alias ARN) gives `None`: KMS authorizes
/// the key an alias points to, which the app does not know; the alias's key policy must
/// allow the caller.
pub fn kms_key_resource(key: &Value) -> Option<Value> {
    match key.as_str() {
        None => Some(key.clone()),
        Some(k) if k.starts_with("alias/") || k.contains(":alias/") => None,
        Some(k) if k.starts_with("arn:") => Some(key.clone()),
        Some(k) => Some(fns::sub(format!(
            "arn:${{AWS::Partition}}:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/{k}"
        ))),
    }
}

/// What a producer of encrypted messages needs of their customer managed key:
/// `kms:Decrypt` and `kms:GenerateDataKey` on it (see [`kms_key_resource`]).
pub fn kms_producer_statement(key: &Value) -> Option<PolicyStatement> {
    kms_key_resource(key).map(|arn| {
        PolicyStatement::allow()
            .actions(["kms:Decrypt", "kms:GenerateDataKey"])
            .resource(arn)
    })
}

/// Gives `grantee` the `actions` on `resources`: one statement in its role's default policy.
pub fn grant(
    stack: &mut Stack,
    grantee: &dyn Grantable,
    actions: &[&str],
    resources: Vec<Value>,
) -> PolicyStatement {
    let statement = PolicyStatement::allow()
        .actions(actions.iter().copied())
        .resources(resources);
    grantee.grant_role().add_to_policy(stack, statement.clone());
    statement
}

/// Statements with the same effect, actions and conditions become one with every resource;
/// then statements with the same resources become one with every action. Exact duplicates go.
pub fn merge_statements(statements: Vec<PolicyStatement>) -> Vec<PolicyStatement> {
    fn merge_by(
        statements: Vec<PolicyStatement>,
        same: impl Fn(&PolicyStatement, &PolicyStatement) -> bool,
        join: impl Fn(PolicyStatement, PolicyStatement) -> PolicyStatement,
    ) -> Vec<PolicyStatement> {
        let mut out: Vec<PolicyStatement> = Vec::new();
        for s in statements {
            match out.iter().position(|o| same(o, &s)) {
                Some(i) => {
                    let merged = join(out[i].clone(), s);
                    out[i] = merged;
                }
                None => out.push(s),
            }
        }
        out
    }
    let plain = |a: &PolicyStatement, b: &PolicyStatement| {
        a.effect == b.effect
            && a.sid.is_none()
            && b.sid.is_none()
            && a.principals == b.principals
            && a.conditions == b.conditions
    };
    let set_eq = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
    let by_actions = merge_by(
        statements,
        |a, b| plain(a, b) && set_eq(&a.actions, &b.actions),
        |a, b| a.resources(b.resources),
    );
    merge_by(
        by_actions,
        |a, b| {
            plain(a, b)
                && a.resources.len() == b.resources.len()
                && a.resources.iter().all(|r| b.resources.contains(r))
        },
        |a, b| a.actions(b.actions),
    )
}

/// Every action the policies attached to `role` allow: its own `Policies`, and the inline
/// and customer managed policies of the stack that name it. `None` when synth cannot know
/// (the role is not a resource of `stack`, or it has managed policy ARNs, whose statements
/// are not in the template).
pub(crate) fn actions_allowed(stack: &Stack, role: &ResourceRef) -> Option<Vec<String>> {
    let resource = stack.resource(role)?;
    if resource
        .properties
        .get_path("ManagedPolicyArns")
        .is_some_and(|v| !v.is_null())
    {
        return None;
    }
    let mut out = Vec::new();
    if let Some(Value::Array(policies)) = resource.properties.get_path("Policies") {
        for p in policies {
            if let Some(doc) = p.get_path("PolicyDocument") {
                allowed_in(doc, &mut out);
            }
        }
    }
    let me = Value::from(crate::core::token::Token::Ref(role.clone()));
    for r in stack.resources.values() {
        if r.type_name != "AWS::IAM::Policy" && r.type_name != "AWS::IAM::ManagedPolicy" {
            continue;
        }
        let names_me = match r.properties.get_path("Roles") {
            Some(Value::Array(roles)) => roles.contains(&me),
            _ => false,
        };
        if names_me {
            if let Some(doc) = r.properties.get_path("PolicyDocument") {
                allowed_in(doc, &mut out);
            }
        }
    }
    Some(out)
}

fn allowed_in(document: &Value, out: &mut Vec<String>) {
    let Some(Value::Array(statements)) = document.get_path("Statement") else {
        return;
    };
    for s in statements {
        if s.get_path("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        match s.get_path("Action") {
            Some(Value::String(a)) => out.push(a.clone()),
            Some(Value::Array(items)) => {
                out.extend(items.iter().filter_map(Value::as_str).map(str::to_string))
            }
            _ => {}
        }
    }
}

/// True when the IAM action pattern (`s3:Get*`, `*`) covers `action`; IAM compares actions
/// without regard to case.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}
