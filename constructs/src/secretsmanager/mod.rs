//! Secrets Manager: a `Secret` whose value Secrets Manager generates (never in the template),
//! encrypted with the AWS managed key or a key of the app, read through `grant_read` (a
//! function gets the secret's ARN in its environment and reads the value at run time), and
//! rotated by a function of the app on a schedule. Where a property of another resource
//! accepts one, `secret_value()` is a dynamic reference that CloudFormation resolves at
//! deploy.

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::{CfnResource, NameScope, RemovalPolicy, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement};
use crate::kms::Key;
use crate::l1::secretsmanager::{rotation_schedule, secret, CfnRotationSchedule, CfnSecret};
use crate::lambda::{Function, PermissionProps};

/// A secret's name is unique in its account and region.
const SECRET_NAME: UniqueName = UniqueName {
    property: "Name",
    kind: "secret",
    scope: NameScope::AccountAndRegion,
};

/// What `grant_read` gives.
pub const READ_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
];

/// What a rotation function needs on its secret (AWS's rotation function templates).
pub const ROTATION_ACTIONS: &[&str] = &[
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
];

/// How Secrets Manager generates the value (`GenerateSecretString`).
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateSecret {
    /// `PasswordLength`, 1 to 4096; default 32, Secrets Manager's.
    pub length: u32,
    /// `ExcludeCharacters`: characters the value never has (those a client cannot take).
    pub exclude_characters: Option<String>,
    /// `ExcludePunctuation`.
    pub exclude_punctuation: bool,
    /// `IncludeSpace`.
    pub include_space: bool,
    /// A JSON object the generated value is added to, under `key`: `({"username":"app"},
    /// "password")` (`SecretStringTemplate`, `GenerateStringKey`).
    pub template: Option<(serde_json::Value, String)>,
}

impl Default for GenerateSecret {
    fn default() -> Self {
        GenerateSecret {
            length: 32,
            exclude_characters: None,
            exclude_punctuation: false,
            include_space: false,
            template: None,
        }
    }
}

impl GenerateSecret {
    /// 32 characters of letters, digits and punctuation.
    pub fn new() -> Self {
        Self::default()
    }
    /// `PasswordLength`.
    pub fn length(mut self, length: u32) -> Self {
        self.length = length;
        self
    }
    /// `ExcludeCharacters`.
    pub fn exclude_characters(mut self, chars: impl Into<String>) -> Self {
        self.exclude_characters = Some(chars.into());
        self
    }
    /// `ExcludePunctuation`.
    pub fn exclude_punctuation(mut self) -> Self {
        self.exclude_punctuation = true;
        self
    }
    /// A JSON object (`{"username": "app"}`) the generated value is added to under `key`.
    pub fn template(mut self, object: serde_json::Value, key: impl Into<String>) -> Self {
        self.template = Some((object, key.into()));
        self
    }
}

/// Settings of a [`Secret`]; `SecretProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretProps {
    /// `Name`; default: one CloudFormation generates.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// How the value is generated; default: 32 characters.
    pub generate: GenerateSecret,
    /// The key of the app the secret is encrypted with (`KmsKeyId`); default: the AWS
    /// managed key `aws/secretsmanager`.
    pub encryption_key: Option<Key>,
    /// What happens to the secret when it leaves the stack; default: retain (the value is
    /// data nothing else holds).
    pub removal_policy: RemovalPolicy,
}

impl Default for SecretProps {
    fn default() -> Self {
        SecretProps {
            name: None,
            description: None,
            generate: GenerateSecret::new(),
            encryption_key: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

impl SecretProps {
    /// A generated 32-character secret, retained on removal.
    pub fn new() -> Self {
        Self::default()
    }
    /// The secret's name (`Name`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// How the value is generated.
    pub fn generate(mut self, generate: GenerateSecret) -> Self {
        self.generate = generate;
        self
    }
    /// Encrypt with a key of the app (readers are granted its `kms:Decrypt`).
    pub fn encryption_key(mut self, key: &Key) -> Self {
        self.encryption_key = Some(key.clone());
        self
    }
    /// What happens to the secret when it leaves the stack.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = policy;
        self
    }
}

/// A Secrets Manager secret.
///
/// # Examples
///
/// ```
/// use constructs::secretsmanager::{GenerateSecret, Secret, SecretProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Db");
/// let generate = GenerateSecret::new()
///     .length(40)
///     .exclude_punctuation()
///     .template(json!({"username": "app"}), "password");
/// Secret::new(&mut stack, "Credentials", SecretProps::new().generate(generate));
///
/// Template::from_stack(&stack).has_resource_properties("AWS::SecretsManager::Secret", json!({
///     "GenerateSecretString": {
///         "PasswordLength": 40,
///         "ExcludePunctuation": true,
///         "SecretStringTemplate": r#"{"username":"app"}"#,
///         "GenerateStringKey": "password",
///     },
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    id: String,
    resource: ResourceRef,
    key: Option<Key>,
}

impl Secret {
    /// Creates the secret; a name or a generation Secrets Manager refuses is reported at
    /// synth.
    pub fn new(stack: &mut Stack, id: &str, props: SecretProps) -> Secret {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(name) = &props.name {
            if let Err(e) = names::check_name("a secret name", name, 1, 512, "/_+=.@-") {
                stack.add_problem(Problem::new(&path, e.to_string()).property("Name"));
            }
        }
        let g = &props.generate;
        if !(1..=4096).contains(&g.length) {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!("a length of {} is outside 1..=4096", g.length),
                )
                .property("GenerateSecretString.PasswordLength"),
            );
        }
        let mut generate = secret::GenerateSecretString::new()
            .password_length(g.length)
            .exclude_characters(g.exclude_characters.clone());
        if g.exclude_punctuation {
            generate = generate.exclude_punctuation(true);
        }
        if g.include_space {
            generate = generate.include_space(true);
        }
        if let Some((object, key)) = &g.template {
            match object {
                serde_json::Value::Object(fields) if fields.contains_key(key) => {
                    stack.add_problem(
                        Problem::new(
                            &path,
                            format!("the template already has the key {key:?} the generated value goes to"),
                        )
                        .property("GenerateSecretString.GenerateStringKey"),
                    );
                }
                serde_json::Value::Object(_) => {}
                _ => stack.add_problem(
                    Problem::new(&path, "the secret's template must be a JSON object")
                        .property("GenerateSecretString.SecretStringTemplate"),
                ),
            }
            generate = generate
                .secret_string_template(object.to_string())
                .generate_string_key(key.as_str());
        }
        let cfn = CfnSecret::new()
            .description(props.description)
            .generate_secret_string(generate)
            .kms_key_id(props.encryption_key.as_ref().map(Key::arn))
            .name(props.name);
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&cfn)
                .with_unique_name(SECRET_NAME)
                .with_removal_policy(props.removal_policy),
        );
        Secret {
            id: id.to_string(),
            resource,
            key: props.encryption_key,
        }
    }

    /// The `AWS::SecretsManager::Secret` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The key of the app the secret is encrypted with, when it is.
    pub fn encryption_key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    /// The secret's ARN (`Ref`): what a function gets in its environment to read the value.
    pub fn arn(&self) -> Value {
        self.resource.reference()
    }

    /// A dynamic reference to the whole value (`{{resolve:secretsmanager:<arn>:SecretString:::}}`),
    /// resolved by CloudFormation at deploy, for a property that accepts one (a database's
    /// master password). Never put it in a function's environment (refused at synth): give
    /// the function [`Secret::arn`] and [`Secret::grant_read`].
    pub fn secret_value(&self) -> Value {
        self.dynamic_reference("")
    }

    /// A dynamic reference to one field of a JSON value (`password`).
    pub fn secret_value_field(&self, field: &str) -> Value {
        self.dynamic_reference(field)
    }

    fn dynamic_reference(&self, field: &str) -> Value {
        fns::join(
            "",
            [
                Value::from("{{resolve:secretsmanager:"),
                self.arn(),
                Value::from(format!(":SecretString:{field}::}}}}")),
            ],
        )
    }

    /// `secretsmanager:GetSecretValue` and `DescribeSecret` on the secret, and `kms:Decrypt`
    /// on its key when it is one of the app.
    pub fn grant_read(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        if let Some(key) = &self.key {
            key.grant_decrypt(stack, grantee);
        }
        grant(stack, grantee, READ_ACTIONS, vec![self.arn()])
    }

    /// Rotates the secret with `function` every `days` days (1 to 1000): the rotation
    /// schedule, the permission that lets Secrets Manager invoke the function (created
    /// before the schedule, which rotates once at once), and the function's rights on the
    /// secret (and its key).
    pub fn add_rotation_schedule(
        &self,
        stack: &mut Stack,
        function: &Function,
        days: u32,
    ) -> ResourceRef {
        let id = format!("{}/RotationSchedule", self.id);
        if !(1..=1000).contains(&days) {
            stack.add_problem(
                Problem::new(
                    stack.path_of(&id),
                    format!("rotation every {days} days is outside Secrets Manager's 1..=1000"),
                )
                .property("RotationRules.AutomaticallyAfterDays"),
            );
        }
        let permission_id = format!("SecretRotation.{}", self.id.replace('/', "."));
        let permission = function.add_permission(
            stack,
            &permission_id,
            PermissionProps::new("secretsmanager.amazonaws.com"),
        );
        grant(stack, function, ROTATION_ACTIONS, vec![self.arn()]);
        function.grant_role().add_to_policy(
            stack,
            PolicyStatement::allow()
                .action("secretsmanager:GetRandomPassword")
                .resource("*"),
        );
        if let Some(key) = &self.key {
            key.grant(stack, function, &["kms:Decrypt", "kms:GenerateDataKey"]);
        }
        let schedule = CfnRotationSchedule::new(self.arn())
            .rotation_lambda_arn(function.arn())
            .rotation_rules(rotation_schedule::RotationRules::new().automatically_after_days(days));
        // Secrets Manager invokes the function as soon as the schedule exists (it rotates at
        // once): not before the function may be invoked and holds its rights
        let mut resource = CfnResource::from_props(&schedule).with_depends_on(&permission);
        if let Some(policy) = function.role().default_policy(stack) {
            resource.add_depends_on(&policy);
        }
        stack.add_resource(&id, resource)
    }
}
