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
    user_pool, user_pool_client, user_pool_resource_server, CfnUserPool, CfnUserPoolClient,
    CfnUserPoolDomain, CfnUserPoolResourceServer,
};
use crate::lambda::{Function, PermissionProps};

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

    /// An app client.
    pub fn add_client(
        &self,
        stack: &mut Stack,
        id: &str,
        props: UserPoolClientProps,
    ) -> UserPoolClient {
        let construct = format!("{}/{id}", self.id);
        let path = stack.path_of(&format!("{construct}/Resource"));
        for p in props.problems() {
            stack.add_problem(Problem::new(&path, p.1).property(p.0));
        }
        let mut cfn = CfnUserPoolClient::new(self.user_pool_id())
            .client_name(id.replace('/', "-"))
            .generate_secret(props.generate_secret)
            .prevent_user_existence_errors(user_pool_client::PreventUserExistenceErrors::Enabled)
            .enable_token_revocation(true)
            .access_token_validity(props.access_token_minutes)
            .id_token_validity(props.id_token_minutes)
            .refresh_token_validity(props.refresh_token_days)
            .token_validity_units(
                user_pool_client::TokenValidityUnits::new()
                    .access_token(user_pool_client::AccessToken::Minutes)
                    .id_token(user_pool_client::IdToken::Minutes)
                    .refresh_token(user_pool_client::RefreshToken::Days),
            );
        let mut flows = Vec::new();
        if props.auth_flows.user_srp {
            flows.push(user_pool_client::ExplicitAuthFlow::AllowUserSrpAuth);
        }
        if props.auth_flows.user_password {
            flows.push(user_pool_client::ExplicitAuthFlow::AllowUserPasswordAuth);
        }
        if props.auth_flows.admin_user_password {
            flows.push(user_pool_client::ExplicitAuthFlow::AllowAdminUserPasswordAuth);
        }
        if props.auth_flows.custom {
            flows.push(user_pool_client::ExplicitAuthFlow::AllowCustomAuth);
        }
        flows.push(user_pool_client::ExplicitAuthFlow::AllowRefreshTokenAuth);
        cfn = cfn.explicit_auth_flows(flows);
        if let Some(oauth) = &props.oauth {
            let mut allowed = Vec::new();
            if oauth.code {
                allowed.push(user_pool_client::AllowedOAuthFlow::Code);
            }
            if oauth.implicit {
                allowed.push(user_pool_client::AllowedOAuthFlow::Implicit);
            }
            if oauth.client_credentials {
                allowed.push(user_pool_client::AllowedOAuthFlow::ClientCredentials);
            }
            cfn = cfn
                .allowed_o_auth_flows_user_pool_client(true)
                .allowed_o_auth_flows(allowed)
                .allowed_o_auth_scopes(oauth.scopes.clone())
                .supported_identity_providers(vec!["COGNITO"]);
            if !oauth.callback_urls.is_empty() {
                cfn = cfn.callback_ur_ls(oauth.callback_urls.clone());
            }
            if !oauth.logout_urls.is_empty() {
                cfn = cfn.logout_ur_ls(oauth.logout_urls.clone());
            }
        }
        // a custom scope must exist before the client naming it (Cognito refuses an unknown
        // scope, ScopeDoesNotExistException): the client waits for the resource server, which
        // it does not refer to otherwise
        let mut resource = CfnResource::from_props(&cfn);
        let custom: Vec<&String> = props
            .oauth
            .iter()
            .flat_map(|o| o.scopes.iter())
            .filter(|s| s.contains('/'))
            .collect();
        for scope in custom {
            let (identifier, name) = scope.rsplit_once('/').unwrap_or((scope.as_str(), ""));
            let server = stack
                .resources
                .iter()
                .find(|(_, r)| {
                    r.type_name == "AWS::Cognito::UserPoolResourceServer"
                        && r.properties.get_path("UserPoolId") == Some(&self.user_pool_id())
                        && r.properties.get_path("Identifier").and_then(Value::as_str)
                            == Some(identifier)
                })
                .map(|(server_path, server)| {
                    let known = matches!(server.properties.get_path("Scopes"), Some(Value::Array(scopes))
                        if scopes.iter().any(|s| s.get_path("ScopeName").and_then(Value::as_str) == Some(name)));
                    (server_path.clone(), known)
                });
            match server {
                Some((server_path, known)) => {
                    if !known {
                        stack.add_problem(
                            Problem::new(&path, format!("the scope {scope:?}: the resource server {identifier:?} has no scope {name:?}"))
                                .property("AllowedOAuthScopes"),
                        );
                    }
                    resource.add_depends_on(&ResourceRef {
                        stack: stack.name().to_string(),
                        path: server_path,
                    });
                }
                None => stack.add_problem(
                    Problem::new(
                        &path,
                        format!("the scope {scope:?} names no resource server of the pool: add it with add_resource_server before the client"),
                    )
                    .property("AllowedOAuthScopes"),
                ),
            }
        }
        UserPoolClient {
            resource: stack.add_resource(&format!("{construct}/Resource"), resource),
        }
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

/// The sign-in flows an app client allows besides refreshing (`ExplicitAuthFlows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthFlows {
    /// Secure Remote Password (`ALLOW_USER_SRP_AUTH`; the default).
    pub user_srp: bool,
    /// The password sent to Cognito (`ALLOW_USER_PASSWORD_AUTH`).
    pub user_password: bool,
    /// The password sent by a server with credentials (`ALLOW_ADMIN_USER_PASSWORD_AUTH`).
    pub admin_user_password: bool,
    /// Lambda-defined challenges (`ALLOW_CUSTOM_AUTH`).
    pub custom: bool,
}

impl Default for AuthFlows {
    fn default() -> Self {
        AuthFlows {
            user_srp: true,
            user_password: false,
            admin_user_password: false,
            custom: false,
        }
    }
}

/// OAuth 2.0 of an app client (the hosted UI and the token endpoint).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OAuthSettings {
    /// The authorization code grant.
    pub code: bool,
    /// The implicit grant (tokens in the redirect; prefer `code`).
    pub implicit: bool,
    /// Machine-to-machine tokens (a client with a secret, custom scopes only).
    pub client_credentials: bool,
    /// `AllowedOAuthScopes`: `openid`, `email`, `phone`, `profile`,
    /// `aws.cognito.signin.user.admin`, or a resource server's (`orders/read`).
    pub scopes: Vec<String>,
    /// `CallbackURLs`: https, or http on localhost.
    pub callback_urls: Vec<String>,
    /// `LogoutURLs`.
    pub logout_urls: Vec<String>,
}

impl OAuthSettings {
    /// The authorization code grant with `openid`, redirecting to `callback_url`.
    pub fn code(callback_url: impl Into<String>) -> Self {
        OAuthSettings {
            code: true,
            scopes: vec!["openid".into()],
            callback_urls: vec![callback_url.into()],
            ..Self::default()
        }
    }
    /// Machine-to-machine tokens with these (resource server) scopes.
    pub fn client_credentials(scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        OAuthSettings {
            client_credentials: true,
            scopes: scopes.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }
    /// Adds a scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }
    /// Adds a callback URL.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_urls.push(url.into());
        self
    }
    /// Adds a logout URL.
    pub fn logout_url(mut self, url: impl Into<String>) -> Self {
        self.logout_urls.push(url.into());
        self
    }
}

/// Settings of a [`UserPoolClient`]; `UserPoolClientProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct UserPoolClientProps {
    /// A client secret (`GenerateSecret`; for server-side apps, required by client
    /// credentials); default: none (a browser or mobile app).
    pub generate_secret: bool,
    /// The sign-in flows.
    pub auth_flows: AuthFlows,
    /// OAuth settings; default: none.
    pub oauth: Option<OAuthSettings>,
    /// Access token validity, 5 to 1,440 minutes; default 60.
    pub access_token_minutes: u32,
    /// ID token validity, 5 to 1,440 minutes; default 60.
    pub id_token_minutes: u32,
    /// Refresh token validity, 1 to 3,650 days; default 30.
    pub refresh_token_days: u32,
}

impl Default for UserPoolClientProps {
    fn default() -> Self {
        UserPoolClientProps {
            generate_secret: false,
            auth_flows: AuthFlows::default(),
            oauth: None,
            access_token_minutes: 60,
            id_token_minutes: 60,
            refresh_token_days: 30,
        }
    }
}

impl UserPoolClientProps {
    /// A public client (no secret) signing in with SRP; tokens of an hour, refreshed for 30
    /// days.
    pub fn new() -> Self {
        Self::default()
    }
    /// A client secret.
    pub fn generate_secret(mut self) -> Self {
        self.generate_secret = true;
        self
    }
    /// The sign-in flows.
    pub fn auth_flows(mut self, flows: AuthFlows) -> Self {
        self.auth_flows = flows;
        self
    }
    /// OAuth settings.
    pub fn oauth(mut self, oauth: OAuthSettings) -> Self {
        self.oauth = Some(oauth);
        self
    }
    /// Token validity: access and ID tokens in minutes, refresh tokens in days.
    pub fn token_validity(
        mut self,
        access_minutes: u32,
        id_minutes: u32,
        refresh_days: u32,
    ) -> Self {
        self.access_token_minutes = access_minutes;
        self.id_token_minutes = id_minutes;
        self.refresh_token_days = refresh_days;
        self
    }

    /// What Cognito refuses in these settings: (property, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (property, minutes) in [
            ("AccessTokenValidity", self.access_token_minutes),
            ("IdTokenValidity", self.id_token_minutes),
        ] {
            if !(5..=1440).contains(&minutes) {
                out.push((
                    property,
                    format!("{minutes} minutes is outside Cognito's 5 minutes to 1 day"),
                ));
            }
        }
        if !(1..=3650).contains(&self.refresh_token_days) {
            out.push((
                "RefreshTokenValidity",
                format!(
                    "{} days is outside Cognito's 1 day to 10 years",
                    self.refresh_token_days
                ),
            ));
        }
        let Some(o) = &self.oauth else {
            return out;
        };
        if !(o.code || o.implicit || o.client_credentials) {
            out.push((
                "AllowedOAuthFlows",
                "OAuth needs a flow: code, implicit or client credentials".into(),
            ));
        }
        if o.client_credentials && (o.code || o.implicit) {
            out.push((
                "AllowedOAuthFlows",
                "client credentials cannot be combined with the code or implicit flow".into(),
            ));
        }
        if o.client_credentials && !self.generate_secret {
            out.push((
                "GenerateSecret",
                "client credentials need a client secret: add .generate_secret()".into(),
            ));
        }
        if o.scopes.is_empty() {
            out.push((
                "AllowedOAuthScopes",
                "OAuth needs at least one scope".into(),
            ));
        }
        let standard = [
            "openid",
            "email",
            "phone",
            "profile",
            "aws.cognito.signin.user.admin",
        ];
        for scope in &o.scopes {
            if o.client_credentials && standard.contains(&scope.as_str()) {
                out.push((
                    "AllowedOAuthScopes",
                    format!("client credentials take resource server scopes only, not {scope:?}"),
                ));
            }
            if !standard.contains(&scope.as_str()) && !scope.contains('/') {
                out.push(("AllowedOAuthScopes", format!("{scope:?} is neither a standard scope nor a resource server's (identifier/name)")));
            }
        }
        if ["email", "phone", "profile"]
            .iter()
            .any(|s| o.scopes.iter().any(|x| x == s))
            && !o.scopes.iter().any(|s| s == "openid")
        {
            out.push((
                "AllowedOAuthScopes",
                "the email, phone and profile scopes need openid too".into(),
            ));
        }
        if (o.code || o.implicit) && o.callback_urls.is_empty() {
            out.push((
                "CallbackURLs",
                "the code and implicit flows need a callback URL".into(),
            ));
        }
        for url in o.callback_urls.iter().chain(&o.logout_urls) {
            let local = url.starts_with("http://localhost");
            if !(url.starts_with("https://") || local) {
                out.push((
                    "CallbackURLs",
                    format!("{url:?} is not https:// (http:// is allowed for localhost only)"),
                ));
            }
            if url.contains('#') {
                out.push((
                    "CallbackURLs",
                    format!("{url:?} has a fragment (#), which a redirect URI may not have"),
                ));
            }
        }
        out
    }
}

/// An app client of a user pool.
#[derive(Debug, Clone, PartialEq)]
pub struct UserPoolClient {
    resource: ResourceRef,
}

impl UserPoolClient {
    /// The `AWS::Cognito::UserPoolClient` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }
    /// The client's id (`Ref`): the audience of its tokens.
    pub fn client_id(&self) -> Value {
        self.resource.reference()
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
