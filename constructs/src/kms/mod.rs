//! KMS: a customer managed `Key` with its key policy (the account's root statement by
//! default, so that IAM policies of the account can grant its use), rotation, a pending
//! window, aliases, and grants (`grant_encrypt_decrypt`, ...). The L2s that encrypt with a
//! key take it (`LogGroupProps::encryption_key`, `TopicProps::encryption_key`,
//! `QueueEncryption::key`), and the statements the services need in its key policy are
//! added to it.

use crate::core::error::Problem;
use crate::core::resource::{CfnResource, NameScope, RemovalPolicy, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::{Aws, ResourceRef};
use crate::core::value::{ToCfn, Value};
use crate::iam::{grant, Effect, Grantable, PolicyStatement, Principal};
use crate::l1::kms::{CfnAlias, CfnKey};

/// An alias name is unique in its account and region.
const ALIAS_NAME: UniqueName = UniqueName {
    property: "AliasName",
    kind: "KMS alias",
    scope: NameScope::AccountAndRegion,
};

/// What `grant_encrypt_decrypt` gives (the AWS CDK's set).
pub const ENCRYPT_DECRYPT_ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
];
/// What `grant_encrypt` gives.
pub const ENCRYPT_ACTIONS: &[&str] = &["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];
/// What `grant_decrypt` gives.
pub const DECRYPT_ACTIONS: &[&str] = &["kms:Decrypt"];

/// Settings of a [`Key`]; `KeyProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyProps {
    /// `Description`.
    pub description: Option<String>,
    /// Yearly (or [`KeyProps::rotation_period_days`]) rotation of the key material
    /// (`EnableKeyRotation`); default: on (the AWS CDK leaves it off; AWS's security
    /// guidance asks for it).
    pub enable_key_rotation: bool,
    /// Days between rotations, 90 to 2560 (`RotationPeriodInDays`); default: KMS's 365.
    pub rotation_period_days: Option<u32>,
    /// Days KMS waits before deleting a key removed from the stack, 7 to 30
    /// (`PendingWindowInDays`); default: KMS's 30.
    pub pending_window_days: Option<u32>,
    /// The key policy's statements, instead of the default one that lets the account's IAM
    /// policies grant the key (`kms:*` to the account root). A policy that lets nobody change
    /// it again is refused at synth.
    pub policy: Option<Vec<PolicyStatement>>,
    /// What happens to the key when it leaves the stack; default: retain, as in the AWS CDK
    /// (deleting a key makes everything encrypted with it unreadable).
    pub removal_policy: RemovalPolicy,
}

impl Default for KeyProps {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyProps {
    /// A symmetric key, rotated yearly, retained on removal, with the account's root statement.
    pub fn new() -> Self {
        KeyProps {
            description: None,
            enable_key_rotation: true,
            rotation_period_days: None,
            pending_window_days: None,
            policy: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
    /// `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// Turns rotation of the key material on or off (`EnableKeyRotation`).
    pub fn enable_key_rotation(mut self, on: bool) -> Self {
        self.enable_key_rotation = on;
        self
    }
    /// Days between rotations (`RotationPeriodInDays`), 90 to 2560.
    pub fn rotation_period_days(mut self, days: u32) -> Self {
        self.rotation_period_days = Some(days);
        self
    }
    /// Days before a removed key is deleted (`PendingWindowInDays`), 7 to 30.
    pub fn pending_window_days(mut self, days: u32) -> Self {
        self.pending_window_days = Some(days);
        self
    }
    /// The key policy's statements, replacing the account's root statement.
    pub fn policy(mut self, statements: Vec<PolicyStatement>) -> Self {
        self.policy = Some(statements);
        self
    }
    /// What happens to the key when it leaves the stack.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = policy;
        self
    }
}

/// A customer managed KMS key.
///
/// # Examples
///
/// ```
/// use constructs::kms::{Key, KeyProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Data");
/// let key = Key::new(&mut stack, "Data", KeyProps::new().pending_window_days(7));
/// key.add_alias(&mut stack, "alias/orders");
/// // the default key policy lets the account's IAM policies grant the key
/// assert!(key.trusts_account());
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::KMS::Key", json!({
///     "EnableKeyRotation": true,
///     "PendingWindowInDays": 7,
/// }));
/// template.has_resource_properties("AWS::KMS::Alias", json!({"AliasName": "alias/orders"}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    id: String,
    resource: ResourceRef,
    /// The key policy lets the account's IAM policies grant the key (the root statement).
    trusts_account: bool,
}

/// The statement of the default key policy: the account (its IAM policies) may use and
/// manage the key. Without it, only the principals the key policy names could.
pub fn account_root_statement() -> PolicyStatement {
    PolicyStatement::allow()
        .action("kms:*")
        .principal(Principal::Account(Aws::account_id()))
        .resource("*")
}

impl Key {
    /// Creates the key; out-of-range rotation and pending windows, and a key policy that
    /// would lock the account out of the key, are reported at synth.
    pub fn new(stack: &mut Stack, id: &str, props: KeyProps) -> Key {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(days) = props.pending_window_days {
            if !(7..=30).contains(&days) {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("a pending window of {days} days is outside KMS's 7..=30"),
                    )
                    .property("PendingWindowInDays"),
                );
            }
        }
        if let Some(days) = props.rotation_period_days {
            if !(90..=2560).contains(&days) {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("a rotation period of {days} days is outside KMS's 90..=2560"),
                    )
                    .property("RotationPeriodInDays"),
                );
            }
            if !props.enable_key_rotation {
                stack.add_problem(
                    Problem::new(&path, "a rotation period is given, but rotation is off")
                        .property("RotationPeriodInDays")
                        .help("turn rotation on (KeyProps::enable_key_rotation(true)) or drop the period"),
                );
            }
        }
        let trusts_account = props.policy.is_none();
        let statements = props
            .policy
            .unwrap_or_else(|| vec![account_root_statement()]);
        for problem in lockout_problems(&statements) {
            stack.add_problem(
                Problem::new(&path, problem)
                    .property("KeyPolicy")
                    .help("keep a statement that allows kms:* (or kms:PutKeyPolicy) to the account root or an administrator role: KMS refuses a key policy that locks its caller out, and such a key could never be managed again"),
            );
        }
        for s in &statements {
            for p in s.resource_policy_problems() {
                stack.add_problem(Problem::new(&path, p).property("KeyPolicy"));
            }
        }
        let key = CfnKey::new()
            .description(props.description)
            .enable_key_rotation(props.enable_key_rotation)
            .rotation_period_in_days(props.rotation_period_days)
            .pending_window_in_days(props.pending_window_days)
            .key_policy(crate::iam::policy_document(&statements));
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&key).with_removal_policy(props.removal_policy),
        );
        Key {
            id: id.to_string(),
            resource,
            trusts_account,
        }
    }

    /// The `AWS::KMS::Key` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The key's id (`Ref`).
    pub fn key_id(&self) -> Value {
        self.resource.reference()
    }

    /// The key's ARN (`Fn::GetAtt Arn`): what `KmsKeyId`/`KmsMasterKeyId` properties take.
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// True when the key policy lets the account's IAM policies grant the key.
    pub fn trusts_account(&self) -> bool {
        self.trusts_account
    }

    /// Adds a statement to the key policy; `stack` may be another stack than the key's (the
    /// statement is moved to the key's stack at synth). A statement without a principal, and
    /// one already in the policy, are reported / not added again.
    pub fn add_to_resource_policy(&self, stack: &mut Stack, statement: PolicyStatement) {
        for p in statement.resource_policy_problems() {
            stack.add_problem(Problem::new(&self.resource.path, p).property("KeyPolicy"));
        }
        let what = format!("a statement of the key policy of {}", self.resource.path);
        stack.append_to_resource(
            &self.resource,
            "KeyPolicy.Statement",
            statement.to_cfn().unwrap_or_default(),
            || CfnResource::from_props(&CfnKey::new()),
            &what,
            "the statement names something of the other stack, which itself refers to the key: put the key and what uses it in one stack",
        );
    }

    /// Lets the AWS service `service` (`cloudwatch.amazonaws.com`) use the key for `actions`,
    /// through the key policy (a service principal has no IAM policy to grant it with).
    pub fn allow_service(&self, stack: &mut Stack, service: &str, actions: &[&str]) {
        self.add_to_resource_policy(
            stack,
            PolicyStatement::allow()
                .actions(actions.iter().copied())
                .principal(Principal::service(service))
                .resource("*"),
        );
    }

    /// Gives `grantee` the `actions` on the key: a statement of its role's policy, and, when
    /// the key policy does not let the account's IAM policies grant it, a key policy statement
    /// naming the role.
    pub fn grant(
        &self,
        stack: &mut Stack,
        grantee: &dyn Grantable,
        actions: &[&str],
    ) -> PolicyStatement {
        if !self.trusts_account {
            self.add_to_resource_policy(
                stack,
                PolicyStatement::allow()
                    .actions(actions.iter().copied())
                    .principal(Principal::Arn(grantee.grant_role().arn()))
                    .resource("*"),
            );
        }
        grant(stack, grantee, actions, vec![self.arn()])
    }

    /// `kms:Decrypt`, `kms:Encrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`.
    pub fn grant_encrypt_decrypt(
        &self,
        stack: &mut Stack,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        self.grant(stack, grantee, ENCRYPT_DECRYPT_ACTIONS)
    }

    /// `kms:Encrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`.
    pub fn grant_encrypt(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        self.grant(stack, grantee, ENCRYPT_ACTIONS)
    }

    /// `kms:Decrypt`.
    pub fn grant_decrypt(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        self.grant(stack, grantee, DECRYPT_ACTIONS)
    }

    /// An alias of the key (`alias/orders`): the name must start with `alias/`, and may not
    /// start with `alias/aws/` (AWS's own); checked at synth, and unique in the account and
    /// region.
    pub fn add_alias(&self, stack: &mut Stack, name: &str) -> ResourceRef {
        let id = format!("{}/Alias{}", self.id, alias_id(name));
        let path = stack.path_of(&id);
        if let Err(problem) = check_alias_name(name) {
            stack.add_problem(Problem::new(&path, problem).property("AliasName"));
        }
        let alias = CfnAlias::new(name, self.key_id());
        stack.add_resource(
            &id,
            CfnResource::from_props(&alias).with_unique_name(ALIAS_NAME),
        )
    }
}

/// A construct id from an alias name (`alias/orders/main` -> `OrdersMain`).
fn alias_id(name: &str) -> String {
    name.trim_start_matches("alias/")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// KMS's rules for an alias name (`AliasName`): `alias/` then 1 to 250 of `a-zA-Z0-9/_-`,
/// not `alias/aws/...`.
pub fn check_alias_name(name: &str) -> Result<(), String> {
    let Some(rest) = name.strip_prefix("alias/") else {
        return Err(format!(
            "the alias name {name:?} does not start with alias/"
        ));
    };
    if rest.starts_with("aws/") {
        return Err(format!(
            "the alias name {name:?} starts with alias/aws/, which AWS keeps for its managed keys"
        ));
    }
    if rest.is_empty() || name.len() > 256 {
        return Err(format!(
            "the alias name {name:?} must have 1 to 250 characters after alias/"
        ));
    }
    if let Some(c) = rest
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-')))
    {
        return Err(format!(
            "the alias name {name:?} has {c:?}: only letters, digits, '/', '_' and '-' are allowed"
        ));
    }
    Ok(())
}

/// True when the IAM action pattern `pattern` (with `*` wildcards) matches `action`.
fn action_matches(pattern: &str, action: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (p, a) = (pattern.to_ascii_lowercase(), action.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == a;
    }
    let mut rest = a.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// What makes a key policy lock the account out: no statement lets anyone change the policy
/// again (`kms:PutKeyPolicy`), or one denies that to everyone without a condition.
pub fn lockout_problems(statements: &[PolicyStatement]) -> Vec<String> {
    let allows = |s: &PolicyStatement| {
        s.actions
            .iter()
            .any(|a| action_matches(a, "kms:PutKeyPolicy"))
    };
    let mut problems = Vec::new();
    if !statements
        .iter()
        .any(|s| s.effect == Effect::Allow && !s.principals.is_empty() && allows(s))
    {
        problems.push(
            "the key policy lets no principal call kms:PutKeyPolicy: the account would be locked out of the key"
                .to_string(),
        );
    }
    for s in statements {
        if s.effect == Effect::Deny
            && s.conditions.is_empty()
            && s.principals.contains(&Principal::Any)
            && allows(s)
        {
            problems.push(
                "a statement of the key policy denies kms:PutKeyPolicy to everyone: the account would be locked out of the key"
                    .to_string(),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_names() {
        assert!(check_alias_name("alias/orders").is_ok());
        assert!(check_alias_name("alias/orders/main_key-2").is_ok());
        assert!(check_alias_name("orders").is_err());
        assert!(check_alias_name("alias/").is_err());
        assert!(check_alias_name("alias/aws/s3").is_err());
        assert!(check_alias_name("alias/a b").is_err());
        assert!(check_alias_name(&format!("alias/{}", "a".repeat(251))).is_err());
        assert_eq!(alias_id("alias/orders/main-key"), "OrdersMainKey");
    }

    #[test]
    fn actions_match_with_wildcards() {
        assert!(action_matches("kms:*", "kms:PutKeyPolicy"));
        assert!(action_matches("*", "kms:PutKeyPolicy"));
        assert!(action_matches("kms:Put*", "kms:PutKeyPolicy"));
        assert!(action_matches("kms:*Policy", "kms:PutKeyPolicy"));
        assert!(action_matches("KMS:putkeypolicy", "kms:PutKeyPolicy"));
        assert!(!action_matches("kms:Decrypt", "kms:PutKeyPolicy"));
        assert!(!action_matches("kms:Get*", "kms:PutKeyPolicy"));
    }
}
