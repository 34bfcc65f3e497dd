//! App clients of a user pool: sign-in flows, OAuth grants and scopes, callback URLs, token
//! validity, and the resource servers whose scopes a client names.

use crate::core::error::Problem;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;
use crate::l1::cognito::{user_pool_client, CfnUserPoolClient};

use super::UserPool;

impl UserPool {
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
///
/// # Examples
///
/// ```
/// use constructs::cognito::{OAuthSettings, UserPool, UserPoolClientProps, UserPoolProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Users");
/// let users = UserPool::new(&mut stack, "Users", UserPoolProps::new());
/// let sign_in = OAuthSettings::code("https://shop.example.com/callback").scope("email");
/// let props = UserPoolClientProps::new().oauth(sign_in).token_validity(15, 15, 7);
/// users.add_client(&mut stack, "Web", props);
///
/// let template = Template::from_stack(&stack);
/// let users_id = template.logical_id_of_type("AWS::Cognito::UserPool");
/// template.has_resource_properties("AWS::Cognito::UserPoolClient", json!({
///     "UserPoolId": {"Ref": users_id},
///     "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
///     "CallbackURLs": ["https://shop.example.com/callback"],
///     "AccessTokenValidity": 15,
///     "TokenValidityUnits": {"AccessToken": "minutes"},
/// }));
/// ```
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
