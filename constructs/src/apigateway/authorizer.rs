//! Authorizers of a REST API (`AWS::ApiGateway::Authorizer`): Lambda TOKEN and REQUEST
//! authorizers, each with the permission that lets API Gateway invoke its function for this
//! authorizer alone, and Cognito user-pool authorizers. A method uses one through
//! [`Authorization::Custom`](super::Authorization::Custom) or
//! [`Authorization::Cognito`](super::Authorization::Cognito).

use crate::core::error::{InvalidValue, Problem};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::lambda::{Function, PermissionProps};

use super::integration::lambda_invocation_uri;
use super::RestApi;
use crate::l1::apigateway::CfnAuthorizer;

/// How long API Gateway caches an authorizer's answer when not told (`300` s, API Gateway's
/// and the AWS CDK's default).
pub const DEFAULT_RESULTS_CACHE_TTL_SECONDS: u32 = 300;
/// The longest an authorizer's answer may be cached (`AuthorizerResultTtlInSeconds`), 1 hour.
pub const MAX_RESULTS_CACHE_TTL_SECONDS: u32 = 3600;
/// Authorizers per REST API before API Gateway asks for a quota increase (adjustable, so
/// more is a warning, not a problem).
pub const AUTHORIZERS_PER_API: usize = 10;
/// Where a token is read from by default: the `Authorization` header.
pub const DEFAULT_IDENTITY_SOURCE: &str = "method.request.header.Authorization";

/// The identity sources an authorizer may read: `IdentitySource::header("Auth")` gives
/// `method.request.header.Auth`.
pub struct IdentitySource;

impl IdentitySource {
    /// A request header: `method.request.header.<name>`.
    pub fn header(name: &str) -> String {
        format!("method.request.header.{name}")
    }
    /// A query string parameter: `method.request.querystring.<name>`.
    pub fn query_string(name: &str) -> String {
        format!("method.request.querystring.{name}")
    }
    /// A context variable: `context.<name>` (`context.sourceIp`).
    pub fn context(name: &str) -> String {
        format!("context.{name}")
    }
    /// A stage variable: `stageVariables.<name>`.
    pub fn stage_variable(name: &str) -> String {
        format!("stageVariables.{name}")
    }
}

const HEADER: &str = "method.request.header.";
const PREFIXES: [&str; 4] = [
    HEADER,
    "method.request.querystring.",
    "context.",
    "stageVariables.",
];

/// Checks an identity source: a header, query string parameter, context variable or stage
/// variable (`method.request.header.X`, `method.request.querystring.X`, `context.X`,
/// `stageVariables.X`); only a header when `header_only` (TOKEN and Cognito authorizers).
pub fn check_identity_source(source: &str, header_only: bool) -> Result<(), InvalidValue> {
    let invalid = |message| InvalidValue::new("identity source", source, message);
    let prefixes: &[&str] = if header_only { &[HEADER] } else { &PREFIXES };
    let Some(name) = prefixes.iter().find_map(|p| source.strip_prefix(p)) else {
        return Err(invalid(if header_only {
            format!("the identity source {source:?} must be a header, method.request.header.<name>: a TOKEN or Cognito authorizer reads its token from one header")
        } else {
            format!(
                "the identity source {source:?} must start with {}",
                PREFIXES.join(", ")
            )
        }));
    };
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == ',') {
        return Err(invalid(format!(
            "the identity source {source:?} must name its parameter, without spaces or commas"
        )));
    }
    Ok(())
}

/// Checks a user pool ARN: `arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>`,
/// the pool's id being `<region>_<letters and digits>`.
pub fn check_user_pool_arn(arn: &str) -> Result<(), InvalidValue> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = match parts.as_slice() {
        ["arn", partition, "cognito-idp", region, account, resource] => {
            let id = resource.strip_prefix("userpool/").unwrap_or("");
            let (id_region, suffix) = id.split_once('_').unwrap_or(("", ""));
            !partition.is_empty()
                && !region.is_empty()
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && id_region == *region
                && !suffix.is_empty()
                && suffix.chars().all(|c| c.is_ascii_alphanumeric())
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(InvalidValue::new(
            "user pool ARN",
            arn,
            format!(
                "{arn:?} is not a Cognito user pool ARN: arn:aws:cognito-idp:<region>:<account>:userpool/<region>_<id>"
            ),
        ))
    }
}

/// The kind of an authorizer (`Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizerType {
    /// A Lambda function given one token (`TOKEN`).
    Token,
    /// A Lambda function given the request's identity sources (`REQUEST`).
    Request,
    /// Cognito user pools (`COGNITO_USER_POOLS`).
    CognitoUserPools,
}

impl AuthorizerType {
    /// The type as API Gateway writes it (`TOKEN`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizerType::Token => "TOKEN",
            AuthorizerType::Request => "REQUEST",
            AuthorizerType::CognitoUserPools => "COGNITO_USER_POOLS",
        }
    }

    /// The `AuthorizationType` of the methods that use it: `CUSTOM` for a Lambda authorizer,
    /// `COGNITO_USER_POOLS` for Cognito.
    pub fn method_authorization_type(self) -> &'static str {
        match self {
            AuthorizerType::Token | AuthorizerType::Request => "CUSTOM",
            AuthorizerType::CognitoUserPools => "COGNITO_USER_POOLS",
        }
    }
}

/// Settings of a Lambda TOKEN authorizer: `TokenAuthorizerProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenAuthorizerProps {
    /// The authorizer's name (`Name`); default: its construct id.
    pub name: Option<String>,
    /// The header that holds the token (`IdentitySource`); default:
    /// `method.request.header.Authorization`.
    pub identity_source: String,
    /// A regular expression the token must match, or API Gateway answers 401 without calling
    /// the function (`IdentityValidationExpression`); default: none.
    pub validation_regex: Option<String>,
    /// How long an answer is cached per token (`AuthorizerResultTtlInSeconds`), 0 (no cache)
    /// to 3600; default 300.
    pub results_cache_ttl_seconds: u32,
}

impl Default for TokenAuthorizerProps {
    fn default() -> Self {
        TokenAuthorizerProps {
            name: None,
            identity_source: DEFAULT_IDENTITY_SOURCE.into(),
            validation_regex: None,
            results_cache_ttl_seconds: DEFAULT_RESULTS_CACHE_TTL_SECONDS,
        }
    }
}

impl TokenAuthorizerProps {
    /// The token from the `Authorization` header, answers cached 300 s, no validation regex.
    pub fn new() -> Self {
        Self::default()
    }
    /// The authorizer's name (`Name`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The header holding the token (`IdentitySource`), such as
    /// `IdentitySource::header("X-Token")`; anything but a header is reported at synth.
    pub fn identity_source(mut self, source: impl Into<String>) -> Self {
        self.identity_source = source.into();
        self
    }
    /// A regular expression the token must match (`IdentityValidationExpression`).
    pub fn validation_regex(mut self, regex: impl Into<String>) -> Self {
        self.validation_regex = Some(regex.into());
        self
    }
    /// How long an answer is cached (`AuthorizerResultTtlInSeconds`); 0 turns caching off;
    /// over 3600 is reported at synth.
    pub fn results_cache_ttl_seconds(mut self, seconds: u32) -> Self {
        self.results_cache_ttl_seconds = seconds;
        self
    }
}

/// Settings of a Lambda REQUEST authorizer: `RequestAuthorizerProps::new()` then builder
/// methods.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestAuthorizerProps {
    /// The authorizer's name (`Name`); default: its construct id.
    pub name: Option<String>,
    /// The request parameters the function is given and answers are cached by
    /// (`IdentitySource`); API Gateway answers 401 without calling the function when one is
    /// missing. At least one is needed while answers are cached.
    pub identity_sources: Vec<String>,
    /// How long an answer is cached per identity (`AuthorizerResultTtlInSeconds`), 0 (no
    /// cache) to 3600; default 300.
    pub results_cache_ttl_seconds: u32,
}

impl Default for RequestAuthorizerProps {
    fn default() -> Self {
        RequestAuthorizerProps {
            name: None,
            identity_sources: Vec::new(),
            results_cache_ttl_seconds: DEFAULT_RESULTS_CACHE_TTL_SECONDS,
        }
    }
}

impl RequestAuthorizerProps {
    /// No identity source yet (add one, or turn caching off), answers cached 300 s.
    pub fn new() -> Self {
        Self::default()
    }
    /// The authorizer's name (`Name`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Adds an identity source (`IdentitySource`): `IdentitySource::header("Auth")`,
    /// `query_string`, `context` or `stage_variable`.
    pub fn identity_source(mut self, source: impl Into<String>) -> Self {
        self.identity_sources.push(source.into());
        self
    }
    /// How long an answer is cached (`AuthorizerResultTtlInSeconds`); 0 turns caching off.
    pub fn results_cache_ttl_seconds(mut self, seconds: u32) -> Self {
        self.results_cache_ttl_seconds = seconds;
        self
    }
}

/// Settings of a Cognito user-pool authorizer: `CognitoAuthorizerProps::new(user_pool_arn)`
/// then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct CognitoAuthorizerProps {
    /// The authorizer's name (`Name`); default: its construct id.
    pub name: Option<String>,
    /// The user pools whose tokens are accepted (`ProviderARNs`).
    pub user_pool_arns: Vec<Value>,
    /// The header holding the token (`IdentitySource`); default:
    /// `method.request.header.Authorization`.
    pub identity_source: String,
    /// How long an answer is cached (`AuthorizerResultTtlInSeconds`), 0 to 3600; default 300.
    pub results_cache_ttl_seconds: u32,
}

impl CognitoAuthorizerProps {
    /// Tokens of a user pool of the app, from the `Authorization` header.
    pub fn of_user_pool(pool: &crate::cognito::UserPool) -> Self {
        Self::new(pool.arn())
    }

    /// Tokens of this user pool (an ARN, literal or token), from the `Authorization` header.
    pub fn new(user_pool_arn: impl Into<Value>) -> Self {
        CognitoAuthorizerProps {
            name: None,
            user_pool_arns: vec![user_pool_arn.into()],
            identity_source: DEFAULT_IDENTITY_SOURCE.into(),
            results_cache_ttl_seconds: DEFAULT_RESULTS_CACHE_TTL_SECONDS,
        }
    }
    /// Also accepts tokens of this user pool (`ProviderARNs`).
    pub fn user_pool(mut self, arn: impl Into<Value>) -> Self {
        self.user_pool_arns.push(arn.into());
        self
    }
    /// The authorizer's name (`Name`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The header holding the token (`IdentitySource`).
    pub fn identity_source(mut self, source: impl Into<String>) -> Self {
        self.identity_source = source.into();
        self
    }
    /// How long an answer is cached (`AuthorizerResultTtlInSeconds`).
    pub fn results_cache_ttl_seconds(mut self, seconds: u32) -> Self {
        self.results_cache_ttl_seconds = seconds;
        self
    }
}

/// An authorizer of one REST API; its methods use it through
/// [`Authorization::Custom`](super::Authorization::Custom) or
/// [`Authorization::Cognito`](super::Authorization::Cognito).
///
/// # Examples
///
/// ```
/// use constructs::apigateway::{Authorization, CognitoAuthorizerProps, MethodOptions, RestApi};
/// # use constructs::apigateway::{HttpMethod, Integration, RestApiProps};
/// # use constructs::cognito::{UserPool, UserPoolProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let users = UserPool::new(&mut stack, "Users", UserPoolProps::new());
/// let api = RestApi::new(&mut stack, "Api", RestApiProps::new());
/// let cognito = CognitoAuthorizerProps::of_user_pool(&users);
/// let signed_in = api.add_cognito_authorizer(&mut stack, "SignedIn", cognito);
/// let options = MethodOptions::new().authorization(Authorization::custom(&signed_in));
/// let backend = Integration::http_proxy(HttpMethod::Get, "https://backend.example.com/me");
/// api.root().add_method(&mut stack, HttpMethod::Get, backend, options);
///
/// let template = Template::from_stack(&stack);
/// let pool = template.logical_id_of_type("AWS::Cognito::UserPool");
/// let authorizer = json!({"Type": "COGNITO_USER_POOLS", "ProviderARNs": [{"Fn::GetAtt": [pool, "Arn"]}]});
/// template.has_resource_properties("AWS::ApiGateway::Authorizer", authorizer);
/// let method = json!({"AuthorizationType": "COGNITO_USER_POOLS"});
/// template.has_resource_properties("AWS::ApiGateway::Method", method);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Authorizer {
    resource: ResourceRef,
    pub(super) api: ResourceRef,
    kind: AuthorizerType,
}

impl Authorizer {
    /// The `AWS::ApiGateway::Authorizer` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }
    /// The authorizer's id (`Ref`), a method's `AuthorizerId`.
    pub fn authorizer_id(&self) -> Value {
        self.resource.reference()
    }
    /// Its kind (`Type`).
    pub fn kind(&self) -> AuthorizerType {
        self.kind
    }
}

/// What every kind of authorizer has, once its own fields are checked.
struct Common {
    kind: AuthorizerType,
    name: Option<String>,
    identity_sources: Vec<String>,
    ttl: u32,
}

impl RestApi {
    /// A Lambda TOKEN authorizer: `function` gets the token of one header and answers with a
    /// policy. The function's permission lets API Gateway invoke it for this authorizer only.
    pub fn add_token_authorizer(
        &self,
        stack: &mut Stack,
        id: &str,
        function: &Function,
        props: TokenAuthorizerProps,
    ) -> Authorizer {
        let path = stack.path_of(&format!("{}/{id}/Resource", self.id));
        if let Some(regex) = &props.validation_regex {
            if regex.trim().is_empty() {
                stack.add_problem(
                    Problem::new(&path, "the validation regex is empty: leave it out, or give a regular expression the token must match")
                        .property("IdentityValidationExpression"),
                );
            }
        }
        let common = Common {
            kind: AuthorizerType::Token,
            name: props.name,
            identity_sources: vec![props.identity_source],
            ttl: props.results_cache_ttl_seconds,
        };
        self.lambda_authorizer(stack, id, function, common, props.validation_regex)
    }

    /// A Lambda REQUEST authorizer: `function` gets the request's headers, query string,
    /// context and stage variables, and answers with a policy; answers are cached by the
    /// identity sources. The function's permission lets API Gateway invoke it for this
    /// authorizer only.
    pub fn add_request_authorizer(
        &self,
        stack: &mut Stack,
        id: &str,
        function: &Function,
        props: RequestAuthorizerProps,
    ) -> Authorizer {
        let path = stack.path_of(&format!("{}/{id}/Resource", self.id));
        if props.identity_sources.is_empty() && props.results_cache_ttl_seconds > 0 {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "a REQUEST authorizer that caches its answers ({} s) needs at least one identity source, which the cache is keyed by",
                        props.results_cache_ttl_seconds
                    ),
                )
                .property("IdentitySource")
                .help("add identity_source(IdentitySource::header(\"Authorization\")), or set results_cache_ttl_seconds(0)"),
            );
        }
        let mut seen: Vec<&String> = Vec::new();
        for source in &props.identity_sources {
            if seen.contains(&source) {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("the identity source {source:?} is given twice"),
                    )
                    .property("IdentitySource"),
                );
            }
            seen.push(source);
        }
        let common = Common {
            kind: AuthorizerType::Request,
            name: props.name,
            identity_sources: props.identity_sources,
            ttl: props.results_cache_ttl_seconds,
        };
        self.lambda_authorizer(stack, id, function, common, None)
    }

    /// A Cognito user-pool authorizer: callers send an ID or access token of one of the
    /// pools; a literal ARN that is not a user pool's is reported at synth.
    pub fn add_cognito_authorizer(
        &self,
        stack: &mut Stack,
        id: &str,
        props: CognitoAuthorizerProps,
    ) -> Authorizer {
        let path = stack.path_of(&format!("{}/{id}/Resource", self.id));
        if props.user_pool_arns.is_empty() {
            stack.add_problem(
                Problem::new(&path, "a Cognito authorizer needs at least one user pool")
                    .property("ProviderARNs"),
            );
        }
        for arn in &props.user_pool_arns {
            if let Some(Err(e)) = arn.as_str().map(check_user_pool_arn) {
                stack.add_problem(Problem::new(&path, e.to_string()).property("ProviderARNs"));
            }
        }
        let common = Common {
            kind: AuthorizerType::CognitoUserPools,
            name: props.name,
            identity_sources: vec![props.identity_source],
            ttl: props.results_cache_ttl_seconds,
        };
        self.authorizer(stack, id, common, |a| {
            a.provider_ar_ns(props.user_pool_arns.clone())
        })
    }

    fn lambda_authorizer(
        &self,
        stack: &mut Stack,
        id: &str,
        function: &Function,
        common: Common,
        validation_regex: Option<String>,
    ) -> Authorizer {
        let authorizer = self.authorizer(stack, id, common, |a| {
            a.authorizer_uri(lambda_invocation_uri(function, false))
                .identity_validation_expression(validation_regex)
        });
        // API Gateway calls the function for this authorizer only
        let source_arn = fns::sub_with(
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/authorizers/${Authorizer}",
            [
                ("RestApi", self.api_id()),
                ("Authorizer", authorizer.authorizer_id()),
            ],
        );
        let permission_id = format!("AuthorizerPermission.{}.{id}", self.id).replace('/', ".");
        function.add_permission(
            stack,
            &permission_id,
            PermissionProps::new("apigateway.amazonaws.com").source_arn(source_arn),
        );
        authorizer
    }

    /// The checks every kind shares, and the resource.
    fn authorizer(
        &self,
        stack: &mut Stack,
        id: &str,
        common: Common,
        specific: impl FnOnce(CfnAuthorizer) -> CfnAuthorizer,
    ) -> Authorizer {
        let path = stack.path_of(&format!("{}/{id}/Resource", self.id));
        let name = common.name.unwrap_or_else(|| id.replace('/', "-"));
        if name.trim().is_empty() {
            stack.add_problem(
                Problem::new(&path, "the authorizer's name is empty").property("Name"),
            );
        }
        if common.ttl > MAX_RESULTS_CACHE_TTL_SECONDS {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "a results cache TTL of {} s is over API Gateway's {MAX_RESULTS_CACHE_TTL_SECONDS} (1 hour)",
                        common.ttl
                    ),
                )
                .property("AuthorizerResultTtlInSeconds"),
            );
        }
        // a TOKEN or Cognito authorizer reads one header; a REQUEST one, any parameters
        let header_only = common.kind != AuthorizerType::Request;
        for source in &common.identity_sources {
            if let Err(e) = check_identity_source(source, header_only) {
                stack.add_problem(Problem::new(&path, e.to_string()).property("IdentitySource"));
            }
        }
        let prefix = stack.path_of(&format!("{}/", self.id));
        let siblings: Vec<(String, Option<String>)> = stack
            .resources
            .iter()
            .filter(|(p, r)| p.starts_with(&prefix) && r.type_name == "AWS::ApiGateway::Authorizer")
            .map(|(p, r)| {
                let name = match &r.properties {
                    Value::Object(props) => props.get("Name").and_then(|n| n.as_str()),
                    _ => None,
                };
                (p.clone(), name.map(str::to_string))
            })
            .collect();
        if let Some((other, _)) = siblings
            .iter()
            .find(|(_, n)| n.as_deref() == Some(name.as_str()))
        {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!("the authorizer name {name:?} is also given to {other}; the authorizers of one API need distinct names"),
                )
                .property("Name"),
            );
        }
        if siblings.len() == AUTHORIZERS_PER_API {
            stack.add_warning(
                &path,
                format!("the API has more than {AUTHORIZERS_PER_API} authorizers, API Gateway's default quota: ask AWS Support for an increase before deploying"),
            );
        }
        let props = CfnAuthorizer::new(name, self.api_id(), common.kind.as_str())
            .authorizer_result_ttl_in_seconds(common.ttl)
            .identity_source(
                (!common.identity_sources.is_empty()).then(|| common.identity_sources.join(",")),
            );
        let props = specific(props);
        let at = stack.path_of(&format!("{}/{id}/Resource", self.id));
        self.changed_after_deploy(stack, &at, "an authorizer");
        let resource = stack.add(&format!("{}/{id}/Resource", self.id), &props);
        Authorizer {
            resource,
            api: self.resource.clone(),
            kind: common.kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_sources() {
        assert!(check_identity_source("method.request.header.Authorization", true).is_ok());
        assert!(check_identity_source("method.request.querystring.token", true).is_err());
        assert!(check_identity_source("method.request.querystring.token", false).is_ok());
        assert!(check_identity_source("context.sourceIp", false).is_ok());
        assert!(check_identity_source("stageVariables.env", false).is_ok());
        assert!(check_identity_source("method.request.header.", false).is_err());
        assert!(check_identity_source("method.request.path.id", false).is_err());
        assert!(check_identity_source("header.Auth", false).is_err());
        assert!(check_identity_source("method.request.header.A B", false).is_err());
    }

    #[test]
    fn user_pool_arns() {
        let good = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123";
        assert!(check_user_pool_arn(good).is_ok());
        assert!(check_user_pool_arn(
            "arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_x1"
        )
        .is_ok());
        for bad in [
            "arn:aws:cognito-identity:eu-west-1:123456789012:identitypool/eu-west-1:abc",
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/us-east-1_AbC123",
            "arn:aws:cognito-idp:eu-west-1:1234:userpool/eu-west-1_AbC123",
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_",
            "eu-west-1_AbC123",
        ] {
            assert!(check_user_pool_arn(bad).is_err(), "{bad}");
        }
    }
}
