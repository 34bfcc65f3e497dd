//! Who may call an HTTP API's routes: JWT authorizers (any OpenID Connect issuer, a Cognito
//! user pool of the app) and Lambda authorizers with their invoke permission.

use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::l1::apigatewayv2::{authorizer, CfnAuthorizer};
use crate::lambda::{Function, PermissionProps};

use super::HttpApi;

/// A JWT authorizer's settings: any OpenID Connect issuer, and the audiences (client ids) a
/// token must have one of.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtAuthorizerProps {
    /// `JwtConfiguration.Issuer`: an `https://` URL (a token or literal).
    pub issuer: Value,
    /// `JwtConfiguration.Audience`: at least one.
    pub audience: Vec<Value>,
    /// `IdentitySource`; default `$request.header.Authorization`.
    pub identity_source: String,
}

impl JwtAuthorizerProps {
    /// Tokens of `issuer` for one of `audience`.
    pub fn new(
        issuer: impl Into<Value>,
        audience: impl IntoIterator<Item = impl Into<Value>>,
    ) -> Self {
        JwtAuthorizerProps {
            issuer: issuer.into(),
            audience: audience.into_iter().map(Into::into).collect(),
            identity_source: "$request.header.Authorization".into(),
        }
    }
    /// Tokens of a user pool of the app for one of its `clients` (the issuer
    /// `https://cognito-idp.<region>.amazonaws.com/<pool id>`, the clients' ids as audience).
    pub fn user_pool(
        pool: &crate::cognito::UserPool,
        clients: &[&crate::cognito::UserPoolClient],
    ) -> Self {
        JwtAuthorizerProps::new(pool.issuer_url(), clients.iter().map(|c| c.client_id()))
    }
    /// Reads the token from another place (`$request.header.X-Token`).
    pub fn identity_source(mut self, source: impl Into<String>) -> Self {
        self.identity_source = source.into();
        self
    }
}

/// A Lambda authorizer's settings (`REQUEST`, payload 2.0).
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaAuthorizerProps {
    /// `EnableSimpleResponses`: the function answers `{"isAuthorized": bool}` (default: true).
    pub simple_responses: bool,
    /// `AuthorizerResultTtlInSeconds`, 0 to 3,600; default 300 (cached by the identity
    /// sources).
    pub ttl_seconds: u32,
    /// `IdentitySource`: what the cache is keyed by and what must be present
    /// (`$request.header.Authorization`); default that header.
    pub identity_sources: Vec<String>,
}

impl Default for LambdaAuthorizerProps {
    fn default() -> Self {
        LambdaAuthorizerProps {
            simple_responses: true,
            ttl_seconds: 300,
            identity_sources: vec!["$request.header.Authorization".into()],
        }
    }
}

impl LambdaAuthorizerProps {
    /// Simple responses, cached 5 minutes by the `Authorization` header.
    pub fn new() -> Self {
        Self::default()
    }
    /// The IAM policy response of the 2.0 format instead of a simple one.
    pub fn policy_responses(mut self) -> Self {
        self.simple_responses = false;
        self
    }
    /// How long an answer is cached (0: never).
    pub fn ttl_seconds(mut self, seconds: u32) -> Self {
        self.ttl_seconds = seconds;
        self
    }
    /// The identity sources, replacing the default.
    pub fn identity_sources(
        mut self,
        sources: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.identity_sources = sources.into_iter().map(Into::into).collect();
        self
    }
}

/// An authorizer of an HTTP API.
///
/// # Examples
///
/// ```
/// use constructs::apigatewayv2::{HttpApi, HttpApiProps, JwtAuthorizerProps, RouteOptions};
/// # use constructs::apigatewayv2::HttpIntegration;
/// # use constructs::cognito::{UserPool, UserPoolClientProps, UserPoolProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let users = UserPool::new(&mut stack, "Users", UserPoolProps::new());
/// let web = users.add_client(&mut stack, "Web", UserPoolClientProps::new());
/// let api = HttpApi::new(&mut stack, "Api", HttpApiProps::new());
/// let jwt = api.add_jwt_authorizer(&mut stack, "Users", JwtAuthorizerProps::user_pool(&users, &[&web]));
/// let backend = HttpIntegration::http_proxy("GET", "https://backend.example.com/me");
/// api.add_route(&mut stack, "GET /me", backend, RouteOptions::new().authorizer(&jwt));
///
/// let template = Template::from_stack(&stack);
/// let web_id = template.logical_id_of_type("AWS::Cognito::UserPoolClient");
/// template.has_resource_properties("AWS::ApiGatewayV2::Authorizer", json!({
///     "AuthorizerType": "JWT",
///     "JwtConfiguration": {"Audience": [{"Ref": web_id}]},
/// }));
/// template.has_resource_properties("AWS::ApiGatewayV2::Route", json!({"AuthorizationType": "JWT"}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpAuthorizer {
    resource: ResourceRef,
    pub(super) api: ResourceRef,
    pub(super) jwt: bool,
}

impl HttpAuthorizer {
    /// The `AWS::ApiGatewayV2::Authorizer` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }
    /// The authorizer's id (`Ref`).
    pub fn authorizer_id(&self) -> Value {
        self.resource.reference()
    }
}

impl HttpApi {
    /// A JWT authorizer (any OpenID Connect issuer): an `https://` issuer and at least one
    /// audience, or a synth problem.
    pub fn add_jwt_authorizer(
        &self,
        stack: &mut Stack,
        id: &str,
        props: JwtAuthorizerProps,
    ) -> HttpAuthorizer {
        let construct = format!("{}/{id}", self.id);
        let path = stack.path_of(&format!("{construct}/Resource"));
        if props.audience.is_empty() {
            stack.add_problem(
                Problem::new(
                    &path,
                    "a JWT authorizer needs at least one audience (the app client ids a token may be for)",
                )
                .property("JwtConfiguration.Audience"),
            );
        }
        if let Value::String(issuer) = &props.issuer {
            if !issuer.starts_with("https://") {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("the issuer {issuer:?} is not an https:// URL"),
                    )
                    .property("JwtConfiguration.Issuer"),
                );
            }
        }
        check_identity_source(stack, &path, &props.identity_source);
        let cfn = CfnAuthorizer::new(self.api_id(), "JWT", id.replace('/', "-"))
            .identity_source(vec![props.identity_source.clone()])
            .jwt_configuration(
                authorizer::JWTConfiguration::new()
                    .audience(props.audience)
                    .issuer(props.issuer),
            );
        HttpAuthorizer {
            resource: stack.add(&format!("{construct}/Resource"), &cfn),
            api: self.resource.clone(),
            jwt: true,
        }
    }

    /// A Lambda authorizer (`REQUEST`, payload 2.0) and the permission that lets this API's
    /// authorizer invoke the function.
    pub fn add_lambda_authorizer(
        &self,
        stack: &mut Stack,
        id: &str,
        function: &Function,
        props: LambdaAuthorizerProps,
    ) -> HttpAuthorizer {
        let construct = format!("{}/{id}", self.id);
        let path = stack.path_of(&format!("{construct}/Resource"));
        if props.ttl_seconds > 3600 {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!("a cache TTL of {} s is over 3600", props.ttl_seconds),
                )
                .property("AuthorizerResultTtlInSeconds"),
            );
        }
        if props.ttl_seconds > 0 && props.identity_sources.is_empty() {
            stack.add_problem(
                Problem::new(
                    &path,
                    "a cached authorizer needs identity sources: its answers are cached by them",
                )
                .property("IdentitySource"),
            );
        }
        for source in &props.identity_sources {
            check_identity_source(stack, &path, source);
        }
        let mut cfn = CfnAuthorizer::new(self.api_id(), "REQUEST", id.replace('/', "-"))
            .authorizer_uri(crate::apigateway::lambda_invocation_uri(function, false))
            .authorizer_payload_format_version("2.0")
            .authorizer_result_ttl_in_seconds(props.ttl_seconds);
        if props.simple_responses {
            cfn = cfn.enable_simple_responses(true);
        }
        if !props.identity_sources.is_empty() {
            cfn = cfn.identity_source(props.identity_sources.clone());
        }
        let resource = stack.add(&format!("{construct}/Resource"), &cfn);
        function.add_permission(
            stack,
            &format!("HttpAuthorizerPermission.{}", construct.replace('/', ".")),
            PermissionProps::new("apigateway.amazonaws.com").source_arn(fns::sub_with(
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/authorizers/${Authorizer}",
                [("Api", self.api_id()), ("Authorizer", resource.reference())],
            )),
        );
        HttpAuthorizer {
            resource,
            api: self.resource.clone(),
            jwt: false,
        }
    }
}

/// An identity source of an HTTP API authorizer: `$request.header.<name>`,
/// `$request.querystring.<name>`, `$context.<name>` or `$stageVariables.<name>`.
fn check_identity_source(stack: &mut Stack, path: &str, source: &str) {
    let ok = [
        "$request.header.",
        "$request.querystring.",
        "$context.",
        "$stageVariables.",
    ]
    .iter()
    .any(|p| source.strip_prefix(p).is_some_and(|name| !name.is_empty()));
    if !ok {
        stack.add_problem(
            Problem::new(
                path,
                format!("the identity source {source:?} is not $request.header.<name>, $request.querystring.<name>, $context.<name> or $stageVariables.<name>"),
            )
            .property("IdentitySource"),
        );
    }
}
