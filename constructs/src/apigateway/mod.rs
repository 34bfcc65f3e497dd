//! API Gateway REST APIs: `RestApi` with its resource tree, methods and typed integrations
//! (AWS services with their credentials role, Lambda proxy, HTTP, mock), mapping templates,
//! CORS, Lambda and Cognito authorizers, a `Deployment` whose logical id follows the API's
//! content, `Stage`, usage plans and API keys.
//!
//! The parts: the API itself here; the resource tree and its methods in `resource`; what
//! methods call in `integration`; CORS in `cors`; authorizers in `authorizer`; deployments,
//! stages, API keys and usage plans in `stage`.

mod authorizer;
pub mod cfn;
mod cors;
mod integration;
mod metrics;
mod resource;
mod stage;

use crate::core::error::Problem;
use crate::core::resource::{CfnResource, RemovalPolicy};
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;
use crate::iam::{
    aws_managed_policy_arn, grant, Grantable, PolicyStatement, Principal, Role, RoleProps,
};
use crate::l1::apigateway::{self as l1, rest_api};

pub use authorizer::{
    check_identity_source, check_user_pool_arn, Authorizer, AuthorizerType, CognitoAuthorizerProps,
    IdentitySource, RequestAuthorizerProps, TokenAuthorizerProps, AUTHORIZERS_PER_API,
    DEFAULT_IDENTITY_SOURCE, DEFAULT_RESULTS_CACHE_TTL_SECONDS, MAX_RESULTS_CACHE_TTL_SECONDS,
};
pub use cfn::{EndpointType, IntegrationType, PassthroughBehavior};
pub use cors::{AllowOrigin, CorsOptions};
pub(crate) use integration::lambda_invocation_uri;
pub use integration::{
    AwsIntegration, DynamoDb, Integration, IntegrationOptions, IntegrationResponse, StepFunctions,
    Template,
};
pub use resource::{
    check_scope, ApiResource, Authorization, HttpMethod, Method, MethodOptions, MethodResponse,
    Validation,
};
pub use stage::{
    AccessLogFormat, ApiKey, ApiKeyProps, LoggingLevel, MethodSetting, Period, Quota, Stage,
    StageOptions, Throttle, UsagePlan, UsagePlanProps,
};

/// Checks a stage name: 1 to 128 letters, digits, '-' and '_'.
pub fn check_stage_name(name: &str) -> Result<(), crate::core::names::NameError> {
    crate::core::names::check_name("stage name", name, 1, 128, "_-")
}

/// Where API Gateway reads a request's API key from (`ApiKeySourceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeySource {
    /// The `X-API-Key` header of the request (`HEADER`).
    Header,
    /// The `usageIdentifierKey` a Lambda authorizer returns (`AUTHORIZER`).
    Authorizer,
}

/// Settings of a [`RestApi`]: `RestApiProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct RestApiProps {
    /// The API's name (`Name`); default: the stack's name and the construct id.
    pub name: Option<Value>,
    /// What the API is for (`Description`).
    pub description: Option<String>,
    /// Where the API is reachable from (`EndpointConfiguration.Types`); default: REGIONAL.
    pub endpoint_type: EndpointType,
    /// The content types API Gateway passes as binary (`BinaryMediaTypes`), such as
    /// `image/png`; none by default.
    pub binary_media_types: Vec<String>,
    /// The smallest answer, in bytes (0 to 10,485,760), that API Gateway compresses when the
    /// caller accepts it (`MinimumCompressionSize`); default: no compression.
    pub minimum_compression_size: Option<u32>,
    /// Where API keys are read from (`ApiKeySourceType`); default: API Gateway's (`HEADER`).
    pub api_key_source: Option<ApiKeySource>,
    /// Create the account-wide `AWS::ApiGateway::Account` setting with a CloudWatch role
    /// (needed once per account and region for logging; off by default, as it is shared).
    pub cloud_watch_role: bool,
    /// CORS on every resource: its preflight (OPTIONS) once it has a method, and the allowed
    /// origin on every answer of its methods.
    pub default_cors_preflight: Option<CorsOptions>,
}

impl Default for RestApiProps {
    fn default() -> Self {
        RestApiProps {
            name: None,
            description: None,
            endpoint_type: EndpointType::Regional,
            binary_media_types: Vec::new(),
            minimum_compression_size: None,
            api_key_source: None,
            cloud_watch_role: false,
            default_cors_preflight: None,
        }
    }
}

impl RestApiProps {
    /// The defaults: a generated name, a REGIONAL endpoint, no CORS, no account setting.
    pub fn new() -> Self {
        Self::default()
    }
    /// The API's name (`Name`); a token such as `${AWS::StackName}-api` is fine.
    pub fn name(mut self, name: impl Into<Value>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// What the API is for (`Description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// Where the API is reachable from (`EndpointConfiguration.Types`).
    pub fn endpoint_type(mut self, endpoint_type: EndpointType) -> Self {
        self.endpoint_type = endpoint_type;
        self
    }
    /// Adds a content type API Gateway passes as binary (`BinaryMediaTypes`).
    pub fn binary_media_type(mut self, content_type: impl Into<String>) -> Self {
        self.binary_media_types.push(content_type.into());
        self
    }
    /// Compresses answers of at least `bytes` (`MinimumCompressionSize`), at most 10,485,760;
    /// a larger size is reported at synth.
    pub fn minimum_compression_size(mut self, bytes: u32) -> Self {
        self.minimum_compression_size = Some(bytes);
        self
    }
    /// Where API keys are read from (`ApiKeySourceType`).
    pub fn api_key_source(mut self, source: ApiKeySource) -> Self {
        self.api_key_source = Some(source);
        self
    }
    /// Creates the account-wide `AWS::ApiGateway::Account` setting with its CloudWatch role
    /// (retained when the stack goes, as other APIs of the account rely on it).
    pub fn cloud_watch_role(mut self) -> Self {
        self.cloud_watch_role = true;
        self
    }
    /// CORS on every resource of the API: each gets its preflight with its first method, and
    /// every answer of its methods carries the allowed origin.
    pub fn default_cors_preflight(mut self, cors: CorsOptions) -> Self {
        self.default_cors_preflight = Some(cors);
        self
    }
}

/// A REST API.
///
/// # Examples
///
/// ```
/// use constructs::apigateway::{HttpMethod, Integration, MethodOptions, RestApi, RestApiProps};
/// use constructs::apigateway::StageOptions;
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let api = RestApi::new(&mut stack, "Api", RestApiProps::new().name("shop"));
/// let status = api.root().add_resource(&mut stack, "status");
/// let backend = Integration::http_proxy(HttpMethod::Get, "https://status.example.com/");
/// status.add_method(&mut stack, HttpMethod::Get, backend, MethodOptions::new());
/// let prod = api.deploy(&mut stack, StageOptions::new("prod"));
/// stack.add_output("Url", prod.url());
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::ApiGateway::RestApi", json!({
///     "Name": "shop",
///     "EndpointConfiguration": {"Types": ["REGIONAL"]},
/// }));
/// template.has_resource_properties("AWS::ApiGateway::Stage", json!({"StageName": "prod"}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RestApi {
    id: String,
    resource: ResourceRef,
    cors: Option<CorsOptions>,
}

impl RestApi {
    /// Creates the API (`AWS::ApiGateway::RestApi`), with the account setting and its role
    /// when `cloud_watch_role` is set; a compression size or default CORS API Gateway or
    /// browsers would refuse is reported at synth.
    pub fn new(stack: &mut Stack, id: &str, props: RestApiProps) -> RestApi {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(size) = props.minimum_compression_size {
            if size > 10_485_760 {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("minimum compression size {size} is over 10485760 bytes"),
                    )
                    .property("MinimumCompressionSize"),
                );
            }
        }
        let name = props
            .name
            .unwrap_or_else(|| Value::from(format!("{}-{}", stack.name(), id.replace('/', "-"))));
        let mut api = l1::CfnRestApi::new()
            .api_key_source_type(props.api_key_source.map(|s| match s {
                ApiKeySource::Header => "HEADER",
                ApiKeySource::Authorizer => "AUTHORIZER",
            }))
            .description(props.description)
            .endpoint_configuration(
                rest_api::EndpointConfiguration::new().types([Value::from(props.endpoint_type)]),
            )
            .minimum_compression_size(props.minimum_compression_size)
            .name(name);
        if !props.binary_media_types.is_empty() {
            api = api.binary_media_types(props.binary_media_types);
        }
        let resource = stack.add(&format!("{id}/Resource"), &api);
        let rest_api = RestApi {
            id: id.to_string(),
            resource,
            cors: props.default_cors_preflight,
        };
        if props.cloud_watch_role {
            // shared by every API of the account and region: kept when the stack goes
            let role = Role::new(
                stack,
                &format!("{id}/CloudWatchRole"),
                RoleProps::new(Principal::service("apigateway.amazonaws.com")).managed_policy(
                    aws_managed_policy_arn("service-role/AmazonAPIGatewayPushToCloudWatchLogs"),
                ),
            );
            if let Some(r) = stack.resource_mut(role.resource()) {
                r.apply_removal_policy(RemovalPolicy::Retain);
            }
            let account = l1::CfnAccount::new().cloud_watch_role_arn(role.arn());
            stack.add_resource(
                &format!("{id}/Account"),
                CfnResource::from_props(&account)
                    .with_removal_policy(RemovalPolicy::Retain)
                    .with_depends_on(&rest_api.resource),
            );
        }
        if let Some(cors) = &rest_api.cors {
            for problem in cors.check() {
                stack.add_problem(Problem::new(&path, format!("default CORS: {problem}")));
            }
        }
        rest_api
    }

    /// The `AWS::ApiGateway::RestApi` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The API's id (`Ref`).
    pub fn api_id(&self) -> Value {
        self.resource.reference()
    }

    /// The root resource `/`.
    pub fn root(&self) -> ApiResource {
        ApiResource {
            api: self.clone(),
            path: "/".into(),
            resource: None,
            id: format!("{}/Default", self.id),
            cors: self.cors.clone(),
        }
    }

    /// `execute-api:Invoke` on a method, for IAM-authorized methods.
    pub fn grant_invoke(
        &self,
        stack: &mut Stack,
        method: &Method,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        grant(
            stack,
            grantee,
            &["execute-api:Invoke"],
            vec![method.execute_arn()],
        )
    }

    /// The request validator of a kind, created on first use and shared.
    fn validator(&self, stack: &mut Stack, v: Validation) -> Value {
        let name = match (v.body, v.parameters) {
            (true, true) => "BodyAndParameters",
            (true, false) => "Body",
            (false, true) => "Parameters",
            (false, false) => "Nothing",
        };
        let id = format!("{}/Validator{name}/Resource", self.id);
        let r = ResourceRef {
            stack: stack.name().to_string(),
            path: stack.path_of(&id),
        };
        if stack.resource(&r).is_none() {
            self.changed_after_deploy(stack, &r.path, "a request validator");
            stack.add(
                &id,
                &l1::CfnRequestValidator::new(self.api_id())
                    .name(name)
                    .validate_request_body(v.body)
                    .validate_request_parameters(v.parameters),
            );
        }
        r.reference()
    }

    /// A model (a JSON schema) for request or response bodies; the value is its name.
    pub fn add_model(
        &self,
        stack: &mut Stack,
        name: &str,
        content_type: &str,
        schema: serde_json::Value,
    ) -> Value {
        let model = l1::CfnModel::new(self.api_id())
            .content_type(content_type)
            .name(name)
            .schema(schema);
        let id = format!("{}/Model{name}/Resource", self.id);
        self.changed_after_deploy(stack, &stack.path_of(&id), "a model");
        stack.add(&id, &model).reference()
    }
}
