//! API Gateway REST APIs: `RestApi` with its resource tree, methods and typed integrations
//! (AWS services with their credentials role, Lambda proxy, HTTP, mock), mapping templates,
//! CORS, a `Deployment` whose logical id follows the API's content, `Stage`, usage plans and
//! API keys.

pub mod cfn;
mod integration;
mod metrics;

use indexmap::IndexMap;
use sha2::{Digest, Sha256};

use crate::core::error::Problem;
use crate::core::resource::{CfnResource, RemovalPolicy};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{
    aws_managed_policy_arn, grant, Grantable, PolicyStatement, Principal, Role, RoleProps,
};
use crate::logs::LogGroup;

pub use cfn::{EndpointType, IntegrationType, PassthroughBehavior};
pub use integration::{
    AwsIntegration, DynamoDb, Integration, IntegrationOptions, IntegrationResponse, StepFunctions,
    Template,
};

/// Checks a stage name: 1 to 128 letters, digits, '-' and '_'.
pub fn check_stage_name(name: &str) -> Result<(), String> {
    crate::core::names::check_name("stage name", name, 1, 128, "_-")
}

/// CORS settings: the preflight OPTIONS method (a mock) and its headers.
#[derive(Debug, Clone, PartialEq)]
pub struct CorsOptions {
    pub allow_origins: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub allow_credentials: bool,
    pub max_age_seconds: Option<u32>,
    /// The preflight's status: 204 (the default) or 200.
    pub status_code: u16,
}

impl Default for CorsOptions {
    fn default() -> Self {
        CorsOptions {
            allow_origins: vec!["*".into()],
            allow_methods: vec!["*".into()],
            allow_headers: vec![
                "Content-Type".into(),
                "X-Amz-Date".into(),
                "Authorization".into(),
                "X-Api-Key".into(),
            ],
            allow_credentials: false,
            max_age_seconds: None,
            status_code: 204,
        }
    }
}

/// Where API keys are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeySource {
    Header,
    Authorizer,
}

/// Settings of a [`RestApi`].
#[derive(Debug, Clone, PartialEq)]
pub struct RestApiProps {
    /// Default: the stack's name and the construct id.
    pub name: Option<Value>,
    pub description: Option<String>,
    /// Default: REGIONAL.
    pub endpoint_type: EndpointType,
    pub binary_media_types: Vec<String>,
    pub minimum_compression_size: Option<u32>,
    pub api_key_source: Option<ApiKeySource>,
    /// Create the account-wide `AWS::ApiGateway::Account` setting with a CloudWatch role
    /// (needed once per account and region for logging; off by default, as it is shared).
    pub cloud_watch_role: bool,
    /// An OPTIONS method on every resource.
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

/// A REST API.
#[derive(Debug, Clone, PartialEq)]
pub struct RestApi {
    id: String,
    resource: ResourceRef,
    cors: Option<CorsOptions>,
    cloud_watch_role: bool,
}

/// A node of the API's resource tree (`/`, `/status`, `/orders/{id}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResource {
    api: RestApi,
    /// The resource's path, `/` for the root.
    path: String,
    /// The `AWS::ApiGateway::Resource`, `None` for the root.
    resource: Option<ResourceRef>,
    /// The construct id the resource's children and methods go under.
    id: String,
    cors: Option<CorsOptions>,
}

/// An HTTP verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
    Any,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Any => "ANY",
        }
    }
}

/// How callers are authorized.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Authorization {
    #[default]
    None,
    /// Signed requests, checked against the caller's IAM rights (`execute-api:Invoke`).
    Iam,
}

/// A method response: status, header declarations, models per content type.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodResponse {
    pub status_code: String,
    /// `method.response.header.X` -> required.
    pub response_parameters: IndexMap<String, bool>,
    /// content type -> model name (`Empty`, or a model's name).
    pub response_models: IndexMap<String, Value>,
}

impl MethodResponse {
    pub fn new(status_code: u16) -> Self {
        MethodResponse {
            status_code: status_code.to_string(),
            response_parameters: IndexMap::new(),
            response_models: IndexMap::new(),
        }
    }
    /// Declares a response header (`Access-Control-Allow-Origin`).
    pub fn header(mut self, name: &str) -> Self {
        self.response_parameters
            .insert(format!("method.response.header.{name}"), false);
        self
    }
    pub fn model(mut self, content_type: &str, model: impl Into<Value>) -> Self {
        self.response_models
            .insert(content_type.to_string(), model.into());
        self
    }
}

/// What a request validator checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validation {
    pub body: bool,
    pub parameters: bool,
}

/// Options of a method.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodOptions {
    pub authorization: Authorization,
    pub api_key_required: bool,
    pub operation_name: Option<String>,
    /// `method.request.querystring.x` / `method.request.header.x` / `method.request.path.x`
    /// -> required.
    pub request_parameters: IndexMap<String, bool>,
    /// content type -> model name.
    pub request_models: IndexMap<String, Value>,
    pub request_validator: Option<Validation>,
    pub method_responses: Vec<MethodResponse>,
}

/// A method added to a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    resource: ResourceRef,
    api: ResourceRef,
    verb: HttpMethod,
    path: String,
}

impl Method {
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// `arn:...:execute-api:<region>:<account>:<api>/<stage>/<VERB>/<path>` for any stage.
    pub fn execute_arn(&self) -> Value {
        execute_arn(&self.api, "*", self.verb, &self.path)
    }
}

fn execute_arn(api: &ResourceRef, stage: &str, verb: HttpMethod, path: &str) -> Value {
    let verb = if verb == HttpMethod::Any {
        "*"
    } else {
        verb.as_str()
    };
    fns::sub_with(
        format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/{stage}/{verb}{path}"),
        [("Api", api.reference())],
    )
}

fn check_path_part(part: &str) -> Result<(), String> {
    let inner = part
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .map(|p| p.strip_suffix('+').unwrap_or(p));
    let ok = match inner {
        Some(name) => {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{part}\" is not a path part: letters, digits and . _ - :, or a parameter such as {{id}} or {{proxy+}}"
        ))
    }
}

impl RestApi {
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
        let api = cfn::CfnRestApi {
            api_key_source_type: props.api_key_source.map(|s| match s {
                ApiKeySource::Header => "HEADER".to_string(),
                ApiKeySource::Authorizer => "AUTHORIZER".to_string(),
            }),
            binary_media_types: (!props.binary_media_types.is_empty())
                .then_some(props.binary_media_types),
            description: props.description,
            endpoint_configuration: Some(cfn::EndpointConfiguration {
                types: Some(vec![props.endpoint_type]),
                vpc_endpoint_ids: None,
            }),
            minimum_compression_size: props.minimum_compression_size,
            name: Some(name),
            ..Default::default()
        };
        let resource = stack.add(&format!("{id}/Resource"), &api);
        let rest_api = RestApi {
            id: id.to_string(),
            resource,
            cors: props.default_cors_preflight,
            cloud_watch_role: props.cloud_watch_role,
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
            let account = cfn::CfnAccount {
                cloud_watch_role_arn: Some(role.arn()),
            };
            stack.add_resource(
                &format!("{id}/Account"),
                CfnResource::from_props(&account)
                    .with_removal_policy(RemovalPolicy::Retain)
                    .with_depends_on(&rest_api.resource),
            );
        }
        if let Some(cors) = rest_api.cors.clone() {
            rest_api.root().add_cors_preflight(stack, cors);
        }
        rest_api
    }

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

    /// The content hash of everything that shapes the API: the RestApi and every resource,
    /// method, model and validator under it.
    fn content_hash(&self, stack: &Stack) -> String {
        let prefix = stack.path_of(&format!("{}/", self.id));
        let mut hasher = Sha256::new();
        for (path, r) in &stack.resources {
            let part_of_api = path == &self.resource.path
                || (path.starts_with(&prefix)
                    && matches!(
                        r.type_name.as_str(),
                        "AWS::ApiGateway::Resource"
                            | "AWS::ApiGateway::Method"
                            | "AWS::ApiGateway::Model"
                            | "AWS::ApiGateway::RequestValidator"
                    ));
            if part_of_api {
                hasher.update(path.as_bytes());
                hasher.update(format!("{:?}{:?}", r.properties, r.depends_on).as_bytes());
            }
        }
        hasher
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// Deploys the API as it is now to a stage. The deployment's logical id carries a hash of
    /// everything that shapes the API, so any change makes CloudFormation deploy again; a
    /// method added afterwards would not be deployed, and is reported.
    pub fn deploy(&self, stack: &mut Stack, options: StageOptions) -> Stage {
        let hash = self.content_hash(stack);
        let prefix = stack.path_of(&format!("{}/", self.id));
        let methods: Vec<ResourceRef> = stack
            .resources
            .iter()
            .filter(|(p, r)| p.starts_with(&prefix) && r.type_name == "AWS::ApiGateway::Method")
            .map(|(p, _)| ResourceRef {
                stack: stack.name().to_string(),
                path: p.clone(),
            })
            .collect();
        let stage_path =
            stack.path_of(&format!("{}/Stage{}/Resource", self.id, options.stage_name));
        if methods.is_empty() {
            stack.add_problem(Problem::new(&stage_path, "the API has no method to deploy"));
        }
        if let Err(e) = check_stage_name(&options.stage_name) {
            stack.add_problem(Problem::new(&stage_path, e).property("StageName"));
        }
        let mut deployment = CfnResource::from_props(&cfn::CfnDeployment {
            description: options.description.clone(),
            rest_api_id: self.api_id(),
            stage_name: None,
        });
        for m in &methods {
            deployment.add_depends_on(m);
        }
        let deployment = stack.add_resource(
            &format!("{}/Deployment{hash}/Resource", self.id),
            deployment,
        );

        let logging = options
            .method_settings
            .iter()
            .any(|m| m.logging_level.is_some() || m.data_trace);
        if (options.access_log.is_some() || logging) && !self.cloud_watch_role {
            stack.add_warning(
                &stage_path,
                "logging needs the account's API Gateway CloudWatch role: set cloud_watch_role on the RestApi, or make sure the account already has one",
            );
        }
        let stage = cfn::CfnStage {
            access_log_setting: options.access_log.as_ref().map(|(group, format)| {
                cfn::AccessLogSetting {
                    destination_arn: Some(group.arn()),
                    format: Some(format.text()),
                }
            }),
            deployment_id: Some(deployment.reference()),
            description: options.description,
            method_settings: (!options.method_settings.is_empty()).then(|| {
                options
                    .method_settings
                    .iter()
                    .map(|m| cfn::MethodSetting {
                        caching_enabled: m.caching_enabled,
                        data_trace_enabled: m.data_trace.then_some(true),
                        http_method: Some(m.http_method.clone()),
                        logging_level: m.logging_level.map(|l| l.as_str().to_string()),
                        metrics_enabled: m.metrics_enabled.then_some(true),
                        resource_path: Some(m.resource_path.clone()),
                        throttling_burst_limit: m.throttling_burst_limit,
                        throttling_rate_limit: m.throttling_rate_limit,
                    })
                    .collect()
            }),
            rest_api_id: self.api_id(),
            stage_name: Some(Value::from(options.stage_name.as_str())),
            tracing_enabled: options.tracing.then_some(true),
            variables: (!options.variables.is_empty()).then_some(options.variables),
            ..Default::default()
        };
        let resource = stack.add(
            &format!("{}/Stage{}/Resource", self.id, options.stage_name),
            &stage,
        );
        Stage {
            resource,
            api: self.resource.clone(),
            name: options.stage_name,
        }
    }

    /// An API key.
    pub fn add_api_key(&self, stack: &mut Stack, id: &str, props: ApiKeyProps) -> ApiKey {
        let key = cfn::CfnApiKey {
            description: props.description,
            enabled: Some(props.enabled),
            name: props.name.map(Value::from),
            value: props.value,
            ..Default::default()
        };
        ApiKey {
            resource: stack.add(&format!("{}/{id}/Resource", self.id), &key),
        }
    }

    /// A usage plan over stages of this API.
    pub fn add_usage_plan(&self, stack: &mut Stack, id: &str, props: UsagePlanProps) -> UsagePlan {
        let path = stack.path_of(&format!("{}/{id}/Resource", self.id));
        if let Some(q) = &props.quota {
            if q.limit == 0 {
                stack.add_problem(
                    Problem::new(&path, "a quota's limit must be at least 1").property("Quota"),
                );
            }
        }
        let plan = cfn::CfnUsagePlan {
            api_stages: (!props.stages.is_empty()).then(|| {
                props
                    .stages
                    .iter()
                    .map(|s| cfn::ApiStage {
                        api_id: Some(self.api_id()),
                        stage: Some(s.stage_ref()),
                        throttle: None,
                    })
                    .collect()
            }),
            description: props.description,
            quota: props.quota.map(|q| cfn::QuotaSettings {
                limit: Some(q.limit),
                offset: q.offset,
                period: Some(q.period.as_str().to_string()),
            }),
            throttle: props.throttle.map(|t| cfn::ThrottleSettings {
                burst_limit: Some(t.burst_limit),
                rate_limit: Some(t.rate_limit),
            }),
            usage_plan_name: props.name.map(Value::from),
        };
        UsagePlan {
            id: format!("{}/{id}", self.id),
            resource: stack.add(&format!("{}/{id}/Resource", self.id), &plan),
        }
    }
}

impl ApiResource {
    /// The resource's path (`/status`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The `ResourceId` to put methods and children on.
    fn resource_id(&self) -> Value {
        match &self.resource {
            Some(r) => r.reference(),
            None => self.api.resource.get_att("RootResourceId"),
        }
    }

    /// A child resource: a path part, or a parameter (`{id}`, `{proxy+}`). With the API's
    /// default CORS, it gets its OPTIONS method.
    pub fn add_resource(&self, stack: &mut Stack, path_part: &str) -> ApiResource {
        let id = format!("{}/{}", self.id, path_part);
        if let Err(e) = check_path_part(path_part) {
            stack.add_problem(
                Problem::new(stack.path_of(&format!("{id}/Resource")), e).property("PathPart"),
            );
        }
        let props = cfn::CfnResourceProps {
            parent_id: self.resource_id(),
            path_part: path_part.into(),
            rest_api_id: self.api.api_id(),
        };
        let resource = stack.add(&format!("{id}/Resource"), &props);
        let path = if self.path == "/" {
            format!("/{path_part}")
        } else {
            format!("{}/{path_part}", self.path)
        };
        let child = ApiResource {
            api: self.api.clone(),
            path,
            resource: Some(resource),
            id,
            cors: self.cors.clone(),
        };
        if let Some(cors) = child.cors.clone() {
            child.add_cors_preflight(stack, cors);
        }
        child
    }

    /// The CORS preflight: an OPTIONS method answered by a mock integration with the
    /// `Access-Control-Allow-*` headers.
    pub fn add_cors_preflight(&self, stack: &mut Stack, cors: CorsOptions) -> Method {
        let quote = |v: &[String]| format!("'{}'", v.join(","));
        let mut headers: IndexMap<String, Value> = IndexMap::new();
        headers.insert(
            "method.response.header.Access-Control-Allow-Headers".into(),
            quote(&cors.allow_headers).into(),
        );
        headers.insert(
            "method.response.header.Access-Control-Allow-Methods".into(),
            quote(&cors.allow_methods).into(),
        );
        headers.insert(
            "method.response.header.Access-Control-Allow-Origin".into(),
            quote(&cors.allow_origins).into(),
        );
        if cors.allow_credentials {
            headers.insert(
                "method.response.header.Access-Control-Allow-Credentials".into(),
                "'true'".into(),
            );
        }
        if let Some(age) = cors.max_age_seconds {
            headers.insert(
                "method.response.header.Access-Control-Max-Age".into(),
                format!("'{age}'").into(),
            );
        }
        let mut response = MethodResponse::new(cors.status_code);
        for name in headers.keys() {
            response.response_parameters.insert(name.clone(), false);
        }
        let integration = Integration::Mock(
            IntegrationOptions::default()
                .request_template(
                    "application/json",
                    Template::new(format!("{{ \"statusCode\": {} }}", cors.status_code)),
                )
                .response(IntegrationResponse {
                    status_code: cors.status_code.to_string(),
                    selection_pattern: None,
                    response_parameters: headers,
                    response_templates: IndexMap::new(),
                }),
        );
        self.add_method(
            stack,
            HttpMethod::Options,
            integration,
            MethodOptions {
                method_responses: vec![response],
                ..Default::default()
            },
        )
    }

    /// Adds a method with its integration. An AWS service integration gets its credentials
    /// role (the one given, or a new one allowed exactly its action); a Lambda proxy gets the
    /// invoke permission for this method's execute-api ARN.
    pub fn add_method(
        &self,
        stack: &mut Stack,
        verb: HttpMethod,
        integration: Integration,
        options: MethodOptions,
    ) -> Method {
        let id = format!("{}/{}", self.id, verb.as_str());
        let method_path = stack.path_of(&format!("{id}/Resource"));
        let execute = execute_arn(
            &self.api.resource,
            "*",
            verb,
            if self.path == "/" { "/" } else { &self.path },
        );
        let rendered = integration.render(stack, &id, &method_path, execute);
        let validator = options
            .request_validator
            .map(|v| self.api.validator(stack, v));
        let method = cfn::CfnMethod {
            api_key_required: options.api_key_required.then_some(true),
            authorization_type: Some(
                match options.authorization {
                    Authorization::None => "NONE",
                    Authorization::Iam => "AWS_IAM",
                }
                .into(),
            ),
            http_method: verb.as_str().into(),
            integration: Some(rendered),
            method_responses: (!options.method_responses.is_empty()).then(|| {
                options
                    .method_responses
                    .iter()
                    .map(|r| cfn::MethodResponse {
                        response_models: (!r.response_models.is_empty())
                            .then(|| r.response_models.clone()),
                        response_parameters: (!r.response_parameters.is_empty())
                            .then(|| r.response_parameters.clone()),
                        status_code: r.status_code.as_str().into(),
                    })
                    .collect()
            }),
            operation_name: options.operation_name,
            request_models: (!options.request_models.is_empty()).then_some(options.request_models),
            request_parameters: (!options.request_parameters.is_empty())
                .then_some(options.request_parameters),
            request_validator_id: validator,
            resource_id: self.resource_id(),
            rest_api_id: self.api.api_id(),
            ..Default::default()
        };
        let resource = stack.add(&format!("{id}/Resource"), &method);
        Method {
            resource,
            api: self.api.resource.clone(),
            verb,
            path: if self.path == "/" {
                "/".into()
            } else {
                self.path.clone()
            },
        }
    }
}

impl RestApi {
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
            stack.add(
                &id,
                &cfn::CfnRequestValidator {
                    name: Some(name.into()),
                    rest_api_id: self.api_id(),
                    validate_request_body: Some(v.body),
                    validate_request_parameters: Some(v.parameters),
                },
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
        let model = cfn::CfnModel {
            content_type: Some(content_type.to_string()),
            description: None,
            name: Some(name.into()),
            rest_api_id: self.api_id(),
            schema: Some(Value::from(schema)),
        };
        stack
            .add(&format!("{}/Model{name}/Resource", self.id), &model)
            .reference()
    }
}

/// How much API Gateway logs per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggingLevel {
    Off,
    Error,
    Info,
}

impl LoggingLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LoggingLevel::Off => "OFF",
            LoggingLevel::Error => "ERROR",
            LoggingLevel::Info => "INFO",
        }
    }
}

/// Settings for the methods of a path and verb (`/*` and `*` for all).
#[derive(Debug, Clone, PartialEq)]
pub struct MethodSetting {
    pub resource_path: String,
    pub http_method: String,
    pub logging_level: Option<LoggingLevel>,
    pub data_trace: bool,
    pub metrics_enabled: bool,
    pub throttling_burst_limit: Option<u32>,
    pub throttling_rate_limit: Option<f64>,
    pub caching_enabled: Option<bool>,
}

impl MethodSetting {
    /// Settings for every method.
    pub fn all() -> Self {
        MethodSetting {
            resource_path: "/*".into(),
            http_method: "*".into(),
            logging_level: None,
            data_trace: false,
            metrics_enabled: false,
            throttling_burst_limit: None,
            throttling_rate_limit: None,
            caching_enabled: None,
        }
    }
}

/// The format of access log lines.
#[derive(Debug, Clone, PartialEq)]
pub enum AccessLogFormat {
    /// One JSON object per request with the usual `$context` fields.
    JsonStandard,
    /// Any format (one line).
    Custom(String),
}

impl AccessLogFormat {
    fn text(&self) -> String {
        match self {
            AccessLogFormat::JsonStandard => concat!(
                "{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\",",
                "\"caller\":\"$context.identity.caller\",\"user\":\"$context.identity.user\",",
                "\"requestTime\":\"$context.requestTime\",\"httpMethod\":\"$context.httpMethod\",",
                "\"resourcePath\":\"$context.resourcePath\",\"status\":\"$context.status\",",
                "\"protocol\":\"$context.protocol\",\"responseLength\":\"$context.responseLength\"}"
            )
            .to_string(),
            AccessLogFormat::Custom(s) => s.clone(),
        }
    }
}

/// Settings of a [`Stage`].
#[derive(Debug, Clone, PartialEq)]
pub struct StageOptions {
    pub stage_name: String,
    pub description: Option<String>,
    pub access_log: Option<(LogGroup, AccessLogFormat)>,
    pub method_settings: Vec<MethodSetting>,
    pub tracing: bool,
    pub variables: IndexMap<String, Value>,
}

impl StageOptions {
    pub fn new(stage_name: impl Into<String>) -> Self {
        StageOptions {
            stage_name: stage_name.into(),
            description: None,
            access_log: None,
            method_settings: Vec::new(),
            tracing: false,
            variables: IndexMap::new(),
        }
    }
    pub fn access_log(mut self, group: &LogGroup, format: AccessLogFormat) -> Self {
        self.access_log = Some((group.clone(), format));
        self
    }
    pub fn method_setting(mut self, setting: MethodSetting) -> Self {
        self.method_settings.push(setting);
        self
    }
    pub fn tracing(mut self, on: bool) -> Self {
        self.tracing = on;
        self
    }
    pub fn variable(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.variables.insert(name.to_string(), value.into());
        self
    }
}

/// A deployed stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    resource: ResourceRef,
    api: ResourceRef,
    name: String,
}

impl Stage {
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The stage's name, as a reference (so that users of it wait for it).
    pub fn stage_ref(&self) -> Value {
        self.resource.reference()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `https://<api>.execute-api.<region>.<suffix>/<stage>/`.
    pub fn url(&self) -> Value {
        fns::sub_with(
            "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/",
            [("Api", self.api.reference()), ("Stage", self.stage_ref())],
        )
    }
}

/// Settings of an API key.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyProps {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Generated when not given.
    pub value: Option<Value>,
    pub enabled: bool,
}

impl Default for ApiKeyProps {
    fn default() -> Self {
        ApiKeyProps {
            name: None,
            description: None,
            value: None,
            enabled: true,
        }
    }
}

/// An API key.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    resource: ResourceRef,
}

impl ApiKey {
    pub fn key_id(&self) -> Value {
        self.resource.reference()
    }
}

/// A request rate limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    pub burst_limit: u32,
    pub rate_limit: f64,
}

/// The period of a quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    fn as_str(self) -> &'static str {
        match self {
            Period::Day => "DAY",
            Period::Week => "WEEK",
            Period::Month => "MONTH",
        }
    }
}

/// How many requests per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub period: Period,
    pub offset: Option<u32>,
}

/// Settings of a usage plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsagePlanProps {
    pub name: Option<String>,
    pub description: Option<String>,
    pub throttle: Option<Throttle>,
    pub quota: Option<Quota>,
    pub stages: Vec<Stage>,
}

/// A usage plan.
#[derive(Debug, Clone, PartialEq)]
pub struct UsagePlan {
    id: String,
    resource: ResourceRef,
}

impl UsagePlan {
    /// Puts an API key on the plan.
    pub fn add_api_key(&self, stack: &mut Stack, key: &ApiKey) -> ResourceRef {
        let key_id = key
            .resource
            .path
            .rsplit('/')
            .nth(1)
            .unwrap_or("Key")
            .to_string();
        stack.add(
            &format!("{}/{key_id}/Resource", self.id),
            &cfn::CfnUsagePlanKey {
                key_id: key.key_id(),
                key_type: "API_KEY".into(),
                usage_plan_id: self.resource.reference(),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts() {
        assert!(check_path_part("status").is_ok());
        assert!(check_path_part("{id}").is_ok());
        assert!(check_path_part("{proxy+}").is_ok());
        assert!(check_path_part("a/b").is_err());
        assert!(check_path_part("{}").is_err());
        assert!(check_path_part("").is_err());
    }
}
