//! Cognito sign-in: a `UserPool` (sign-in aliases, password policy, MFA, account recovery,
//! email settings, Lambda triggers as Rust functions with their permission), its app clients
//! (auth flows, OAuth flows and scopes, callback URLs, token validity), a hosted domain and
//! resource servers. A pool is the issuer of an HTTP API's JWT authorizer
//! ([`crate::apigatewayv2::JwtAuthorizerProps::user_pool`]) and of a REST API's Cognito
//! authorizer ([`crate::apigateway::CognitoAuthorizerProps::of_user_pool`]) without an ARN
//! written by hand. What Cognito would refuse is a synth problem with the construct path and
//! property.

use crate::core::error::Problem;
use crate::core::resource::{CfnResource, NameScope, RemovalPolicy, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::l1::cognito::{
    user_pool, user_pool_resource_server, CfnUserPool, CfnUserPoolDomain, CfnUserPoolResourceServer,
};

mod client;
use crate::lambda::{Function, PermissionProps};
pub use client::{AuthFlows, OAuthSettings, UserPoolClient, UserPoolClientProps};

/// A hosted domain's prefix is unique in its region, across accounts.
const DOMAIN_PREFIX: UniqueName = UniqueName {
    property: "Domain",
    kind: "Cognito domain prefix",
    scope: NameScope::Global,
};

/// How users sign in (`UsernameAttributes` / `AliasAttributes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInAliases {
    /// A username of their choice.
    pub username: bool,
    /// Their email address.
    pub email: bool,
    /// Their phone number.
    pub phone: bool,
    /// A preferred username (with `username` only).
    pub preferred_username: bool,
}

impl SignInAliases {
    /// Email address only (the username is the email).
    pub fn email() -> Self {
        SignInAliases {
            email: true,
            ..Self::default()
        }
    }
    /// A username, and the email as an alias.
    pub fn username_and_email() -> Self {
        SignInAliases {
            username: true,
            email: true,
            ..Self::default()
        }
    }
}

/// The password rules (`Policies.PasswordPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// 6 to 99; Cognito's default 8.
    pub min_length: u32,
    /// At least one lower-case letter.
    pub require_lowercase: bool,
    /// At least one upper-case letter.
    pub require_uppercase: bool,
    /// At least one digit.
    pub require_digits: bool,
    /// At least one symbol.
    pub require_symbols: bool,
    /// How long a temporary password (an administrator's invitation) lasts, 0 to 365 days.
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            require_lowercase: true,
            require_uppercase: true,
            require_digits: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

/// Multi-factor authentication (`MfaConfiguration`, `EnabledMfas`): one-time passwords from
/// an authenticator app (SMS needs an SMS role, not modelled here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mfa {
    /// No second factor.
    #[default]
    Off,
    /// Users may add an authenticator app.
    Optional,
    /// Every user must use one.
    Required,
}

/// How a user who forgot their password gets back in (`AccountRecoverySetting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountRecovery {
    /// A code to their verified email (the default).
    #[default]
    EmailOnly,
    /// A code to their verified phone, else their email.
    PhoneThenEmail,
    /// No self-service recovery: an administrator resets the password.
    AdminOnly,
}

/// Who sends the pool's email (`EmailConfiguration`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum UserPoolEmail {
    /// Cognito's own sender (a low daily quota), with an optional reply-to address.
    #[default]
    Cognito,
    /// Amazon SES: a verified identity's ARN and the `From` address.
    Ses {
        /// The SES identity's ARN (`SourceArn`).
        source_arn: Value,
        /// The sender (`From`: `Shop <no-reply@example.com>`).
        from: String,
    },
}

/// A Lambda trigger of the pool (`LambdaConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// Before a user is signed up (`PreSignUp`).
    PreSignUp,
    /// After a user confirms their account (`PostConfirmation`).
    PostConfirmation,
    /// Before a user is authenticated (`PreAuthentication`).
    PreAuthentication,
    /// After a user is authenticated (`PostAuthentication`).
    PostAuthentication,
    /// Before tokens are made (`PreTokenGeneration`).
    PreTokenGeneration,
    /// To write the pool's messages (`CustomMessage`).
    CustomMessage,
    /// To migrate a user from another directory at sign-in (`UserMigration`).
    UserMigration,
}

impl Trigger {
    fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::UserMigration => "UserMigration",
        }
    }

    fn set(self, config: user_pool::LambdaConfig, arn: Value) -> user_pool::LambdaConfig {
        match self {
            Trigger::PreSignUp => config.pre_sign_up(arn),
            Trigger::PostConfirmation => config.post_confirmation(arn),
            Trigger::PreAuthentication => config.pre_authentication(arn),
            Trigger::PostAuthentication => config.post_authentication(arn),
            Trigger::PreTokenGeneration => config.pre_token_generation(arn),
            Trigger::CustomMessage => config.custom_message(arn),
            Trigger::UserMigration => config.user_migration(arn),
        }
    }
}

/// Settings of a [`UserPool`]; `UserPoolProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct UserPoolProps {
    /// `UserPoolName`; default: one CloudFormation generates.
    pub name: Option<String>,
    /// How users sign in; default: their email.
    pub sign_in: SignInAliases,
    /// Anyone may sign up (default: false: only administrators create users).
    pub self_sign_up: bool,
    /// The password rules.
    pub password_policy: PasswordPolicy,
    /// Multi-factor authentication; default off.
    pub mfa: Mfa,
    /// Account recovery; default by email.
    pub account_recovery: AccountRecovery,
    /// Who sends email; default Cognito.
    pub email: UserPoolEmail,
    /// Lambda triggers.
    pub triggers: Vec<(Trigger, Function)>,
    /// `DeletionProtection: ACTIVE` (default: true: the pool holds your users).
    pub deletion_protection: bool,
    /// What happens to the pool when it leaves the stack; default: retain.
    pub removal_policy: RemovalPolicy,
}

impl Default for UserPoolProps {
    fn default() -> Self {
        UserPoolProps {
            name: None,
            sign_in: SignInAliases::email(),
            self_sign_up: false,
            password_policy: PasswordPolicy::default(),
            mfa: Mfa::Off,
            account_recovery: AccountRecovery::EmailOnly,
            email: UserPoolEmail::Cognito,
            triggers: Vec::new(),
            deletion_protection: true,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

impl UserPoolProps {
    /// Email sign-in, administrators create users, a strong password policy, recovery by
    /// email, deletion protection on, retained.
    pub fn new() -> Self {
        Self::default()
    }
    /// `UserPoolName`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// How users sign in.
    pub fn sign_in(mut self, aliases: SignInAliases) -> Self {
        self.sign_in = aliases;
        self
    }
    /// Anyone may sign up.
    pub fn self_sign_up(mut self) -> Self {
        self.self_sign_up = true;
        self
    }
    /// The password rules.
    pub fn password_policy(mut self, policy: PasswordPolicy) -> Self {
        self.password_policy = policy;
        self
    }
    /// Multi-factor authentication.
    pub fn mfa(mut self, mfa: Mfa) -> Self {
        self.mfa = mfa;
        self
    }
    /// Account recovery.
    pub fn account_recovery(mut self, recovery: AccountRecovery) -> Self {
        self.account_recovery = recovery;
        self
    }
    /// Who sends email.
    pub fn email(mut self, email: UserPoolEmail) -> Self {
        self.email = email;
        self
    }
    /// A Lambda trigger; the function gets the permission that lets this pool invoke it.
    pub fn trigger(mut self, trigger: Trigger, function: &Function) -> Self {
        self.triggers.push((trigger, function.clone()));
        self
    }
    /// Turns deletion protection off (a pool of a test stack).
    pub fn without_deletion_protection(mut self) -> Self {
        self.deletion_protection = false;
        self
    }
    /// What happens to the pool when it leaves the stack.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = policy;
        self
    }
}

/// A Cognito user pool.
///
/// # Examples
///
/// ```
/// use constructs::cognito::{Mfa, UserPool, UserPoolProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Users");
/// UserPool::new(&mut stack, "Users", UserPoolProps::new().self_sign_up().mfa(Mfa::Optional));
///
/// Template::from_stack(&stack).has_resource_properties("AWS::Cognito::UserPool", json!({
///     // users sign in with their email address, which Cognito verifies
///     "UsernameAttributes": ["email"],
///     "AutoVerifiedAttributes": ["email"],
///     "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": false},
///     "MfaConfiguration": "OPTIONAL",
///     "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
///     "DeletionProtection": "ACTIVE",
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UserPool {
    id: String,
    resource: ResourceRef,
}

impl UserPool {
    /// Creates the pool and its triggers' permissions; what Cognito refuses is reported at
    /// synth.
    pub fn new(stack: &mut Stack, id: &str, props: UserPoolProps) -> UserPool {
        let path = stack.path_of(&format!("{id}/Resource"));
        let problem = |stack: &mut Stack, property: &str, message: String| {
            stack.add_problem(Problem::new(&path, message).property(property));
        };
        let s = props.sign_in;
        if !(s.username || s.email || s.phone) {
            problem(
                stack,
                "UsernameAttributes",
                "users must sign in with a username, an email or a phone number".into(),
            );
        }
        if s.preferred_username && !s.username {
            problem(
                stack,
                "AliasAttributes",
                "a preferred username is an alias of a username: sign in with a username too"
                    .into(),
            );
        }
        let p = props.password_policy;
        if !(6..=99).contains(&p.min_length) {
            problem(
                stack,
                "Policies.PasswordPolicy.MinimumLength",
                format!(
                    "a minimum length of {} is outside Cognito's 6..=99",
                    p.min_length
                ),
            );
        }
        if p.temporary_password_validity_days > 365 {
            problem(
                stack,
                "Policies.PasswordPolicy.TemporaryPasswordValidityDays",
                format!(
                    "{} days is over Cognito's 365",
                    p.temporary_password_validity_days
                ),
            );
        }
        if props.account_recovery == AccountRecovery::PhoneThenEmail && !s.phone {
            problem(stack, "AccountRecoverySetting", "recovery by phone needs phone numbers: sign in with the phone too, or recover by email".into());
        }
        let mut seen = Vec::new();
        for (trigger, _) in &props.triggers {
            if seen.contains(trigger) {
                problem(
                    stack,
                    "LambdaConfig",
                    format!("the trigger {} is given twice", trigger.name()),
                );
            }
            seen.push(*trigger);
        }

        let mut cfn = CfnUserPool::new()
            .user_pool_name(props.name)
            .admin_create_user_config(
                user_pool::AdminCreateUserConfig::new()
                    .allow_admin_create_user_only(!props.self_sign_up),
            )
            .policies(
                user_pool::Policies::new().password_policy(
                    user_pool::PasswordPolicy::new()
                        .minimum_length(p.min_length)
                        .require_lowercase(p.require_lowercase)
                        .require_numbers(p.require_digits)
                        .require_symbols(p.require_symbols)
                        .require_uppercase(p.require_uppercase)
                        .temporary_password_validity_days(p.temporary_password_validity_days),
                ),
            )
            .account_recovery_setting(
                user_pool::AccountRecoverySetting::new().recovery_mechanisms(
                    match props.account_recovery {
                        AccountRecovery::EmailOnly => vec![user_pool::RecoveryOption::new()
                            .name(user_pool::Name::VerifiedEmail)
                            .priority(1)],
                        AccountRecovery::PhoneThenEmail => vec![
                            user_pool::RecoveryOption::new()
                                .name(user_pool::Name::VerifiedPhoneNumber)
                                .priority(1),
                            user_pool::RecoveryOption::new()
                                .name(user_pool::Name::VerifiedEmail)
                                .priority(2),
                        ],
                        AccountRecovery::AdminOnly => vec![user_pool::RecoveryOption::new()
                            .name(user_pool::Name::AdminOnly)
                            .priority(1)],
                    },
                ),
            );
        // a username with aliases, or the email / phone as the username itself
        if s.username {
            let mut aliases = Vec::new();
            if s.email {
                aliases.push(user_pool::AliasAttribute::Email);
            }
            if s.phone {
                aliases.push(user_pool::AliasAttribute::PhoneNumber);
            }
            if s.preferred_username {
                aliases.push(user_pool::AliasAttribute::PreferredUsername);
            }
            if !aliases.is_empty() {
                cfn = cfn.alias_attributes(aliases);
            }
        } else {
            let mut usernames = Vec::new();
            if s.email {
                usernames.push(user_pool::UsernameAttribute::Email);
            }
            if s.phone {
                usernames.push(user_pool::UsernameAttribute::PhoneNumber);
            }
            cfn = cfn.username_attributes(usernames);
        }
        let mut verified = Vec::new();
        if s.email {
            verified.push(user_pool::AutoVerifiedAttribute::Email);
        }
        if s.phone {
            verified.push(user_pool::AutoVerifiedAttribute::PhoneNumber);
        }
        if !verified.is_empty() {
            cfn = cfn.auto_verified_attributes(verified);
        }
        match props.mfa {
            Mfa::Off => cfn = cfn.mfa_configuration(user_pool::MfaConfiguration::Off),
            Mfa::Optional | Mfa::Required => {
                cfn = cfn
                    .mfa_configuration(if props.mfa == Mfa::Required {
                        user_pool::MfaConfiguration::On
                    } else {
                        user_pool::MfaConfiguration::Optional
                    })
                    .enabled_mfas(vec!["SOFTWARE_TOKEN_MFA"]);
            }
        }
        cfn = cfn.email_configuration(match &props.email {
            UserPoolEmail::Cognito => user_pool::EmailConfiguration::new()
                .email_sending_account(user_pool::EmailSendingAccount::CognitoDefault),
            UserPoolEmail::Ses { source_arn, from } => user_pool::EmailConfiguration::new()
                .email_sending_account(user_pool::EmailSendingAccount::Developer)
                .source_arn(source_arn.clone())
                .from_(from.as_str()),
        });
        if props.deletion_protection {
            cfn = cfn.deletion_protection(user_pool::DeletionProtection::Active);
        }
        if !props.triggers.is_empty() {
            let mut config = user_pool::LambdaConfig::new();
            for (trigger, function) in &props.triggers {
                config = trigger.set(config, function.arn());
            }
            cfn = cfn.lambda_config(config);
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&cfn).with_removal_policy(props.removal_policy),
        );
        let pool = UserPool {
            id: id.to_string(),
            resource,
        };
        for (trigger, function) in &props.triggers {
            function.add_permission(
                stack,
                &format!(
                    "UserPoolTrigger.{}.{}",
                    id.replace('/', "."),
                    trigger.name()
                ),
                PermissionProps::new("cognito-idp.amazonaws.com").source_arn(pool.arn()),
            );
        }
        pool
    }

    /// The `AWS::Cognito::UserPool` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The pool's id (`Ref`, `eu-west-1_AbC123`).
    pub fn user_pool_id(&self) -> Value {
        self.resource.reference()
    }

    /// The pool's ARN (`Fn::GetAtt Arn`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The issuer of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
    pub fn issuer_url(&self) -> Value {
        fns::sub_with(
            "https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}",
            [("Pool", self.user_pool_id())],
        )
    }

    /// The hosted sign-in domain `https://<prefix>.auth.<region>.amazoncognito.com`; a prefix
    /// Cognito refuses is reported at synth.
    pub fn add_domain(&self, stack: &mut Stack, prefix: &str) -> Value {
        let id = format!("{}/Domain", self.id);
        let path = stack.path_of(&id);
        if let Err(problem) = check_domain_prefix(prefix) {
            stack.add_problem(Problem::new(&path, problem).property("Domain"));
        }
        let cfn = CfnUserPoolDomain::new(prefix, self.user_pool_id());
        stack.add_resource(
            &id,
            CfnResource::from_props(&cfn).with_unique_name(DOMAIN_PREFIX),
        );
        fns::sub(format!(
            "https://{prefix}.auth.${{AWS::Region}}.amazoncognito.com"
        ))
    }

    /// A resource server (`identifier`, a URI or a name such as `orders`) and its scopes
    /// (name, description); returns the scopes as clients name them (`orders/read`).
    pub fn add_resource_server(
        &self,
        stack: &mut Stack,
        id: &str,
        identifier: &str,
        scopes: &[(&str, &str)],
    ) -> Vec<String> {
        let construct = format!("{}/{id}", self.id);
        let path = stack.path_of(&construct);
        if identifier.is_empty() || identifier.len() > 256 {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "the identifier has {} characters: 1 to 256 are allowed",
                        identifier.len()
                    ),
                )
                .property("Identifier"),
            );
        }
        for (name, _) in scopes {
            if name.is_empty() || name.len() > 256 || name.contains([' ', '/', '"', '\\']) {
                stack.add_problem(
                    Problem::new(&path, format!("the scope name {name:?} must be 1 to 256 characters without spaces, quotes, / or \\"))
                        .property("Scopes"),
                );
            }
        }
        let cfn =
            CfnUserPoolResourceServer::new(identifier, id.replace('/', "-"), self.user_pool_id())
                .scopes(
                    scopes
                        .iter()
                        .map(|(name, description)| {
                            user_pool_resource_server::ResourceServerScopeType::new(
                                *description,
                                *name,
                            )
                        })
                        .collect::<Vec<_>>(),
                );
        stack.add(&construct, &cfn);
        scopes
            .iter()
            .map(|(name, _)| format!("{identifier}/{name}"))
            .collect()
    }
}

/// Cognito's rules for a hosted domain prefix: 1 to 63 lower-case letters, digits and
/// hyphens, not starting or ending with a hyphen, without `aws`, `amazon` or `cognito`.
pub fn check_domain_prefix(prefix: &str) -> Result<(), String> {
    if prefix.is_empty() || prefix.len() > 63 {
        return Err(format!(
            "the domain prefix has {} characters: 1 to 63 are allowed",
            prefix.len()
        ));
    }
    if let Some(c) = prefix
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "the domain prefix {prefix:?} has {c:?}: lower-case letters, digits and '-' only"
        ));
    }
    if prefix.starts_with('-') || prefix.ends_with('-') {
        return Err(format!(
            "the domain prefix {prefix:?} starts or ends with '-'"
        ));
    }
    for reserved in ["aws", "amazon", "cognito"] {
        if prefix.contains(reserved) {
            return Err(format!(
                "the domain prefix {prefix:?} contains {reserved:?}, which Cognito reserves"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_prefixes() {
        assert!(check_domain_prefix("shop-login").is_ok());
        assert!(check_domain_prefix("").is_err());
        assert!(check_domain_prefix("Shop").is_err());
        assert!(check_domain_prefix("-shop").is_err());
        assert!(check_domain_prefix("my-cognito").is_err());
        assert!(check_domain_prefix("awsome").is_err());
        assert!(check_domain_prefix(&"a".repeat(64)).is_err());
    }
}
