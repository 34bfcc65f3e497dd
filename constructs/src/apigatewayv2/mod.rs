//! API Gateway HTTP APIs (`AWS::ApiGatewayV2::*`, protocol HTTP): routes (`GET /items/{id}`,
//! `$default`) to Lambda functions (payload 2.0, the invoke permission scoped to the route),
//! to AWS services (Step Functions StartExecution / StartSyncExecution, SQS SendMessage,
//! EventBridge PutEvents, each with its own role) or to an HTTP URL; JWT and Lambda
//! authorizers; CORS as API Gateway v2 models it; stages with auto-deploy, throttling and
//! access logs. What API Gateway would refuse is a synth problem with the construct path and
//! property.

mod authorizer;
mod route;
mod websocket;

use crate::core::error::Problem;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::l1::apigatewayv2::{api, stage, CfnApi, CfnStage};
use crate::logs::LogGroup;

pub use authorizer::{HttpAuthorizer, JwtAuthorizerProps, LambdaAuthorizerProps};
pub use route::{check_route_key, HttpIntegration, HttpRoute, RouteOptions};
pub use websocket::{
    check_websocket_route_key, WebSocketApi, WebSocketApiProps, WebSocketRouteOptions,
    WebSocketStage,
};

/// The longest an HTTP API waits for an integration, in milliseconds (API Gateway's quota).
pub const MAX_INTEGRATION_TIMEOUT_MS: u32 = 30_000;

/// CORS of an HTTP API (`CorsConfiguration`): API Gateway answers preflight requests itself
/// and adds the headers to every answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpCors {
    /// `AllowOrigins` (`https://example.com`, or `*`).
    pub allow_origins: Vec<String>,
    /// `AllowMethods` (`GET`, `POST`, ..., or `*`).
    pub allow_methods: Vec<String>,
    /// `AllowHeaders`.
    pub allow_headers: Vec<String>,
    /// `ExposeHeaders`.
    pub expose_headers: Vec<String>,
    /// `MaxAge` in seconds, 0 to 86,400.
    pub max_age_seconds: Option<u32>,
    /// `AllowCredentials` (not with the origin `*`).
    pub allow_credentials: bool,
}

impl HttpCors {
    /// No origin allowed yet: add them with [`HttpCors::origin`].
    pub fn new() -> Self {
        Self::default()
    }
    /// Allows an origin.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.allow_origins.push(origin.into());
        self
    }
    /// Allows a method.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.allow_methods.push(method.into());
        self
    }
    /// Allows a request header.
    pub fn header(mut self, header: impl Into<String>) -> Self {
        self.allow_headers.push(header.into());
        self
    }
    /// Exposes an answer header to the page.
    pub fn expose(mut self, header: impl Into<String>) -> Self {
        self.expose_headers.push(header.into());
        self
    }
    /// How long a browser keeps the preflight's answer.
    pub fn max_age_seconds(mut self, seconds: u32) -> Self {
        self.max_age_seconds = Some(seconds);
        self
    }
    /// Lets the page send credentials (cookies, authorization headers).
    pub fn allow_credentials(mut self) -> Self {
        self.allow_credentials = true;
        self
    }

    /// What API Gateway refuses in this configuration.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.allow_credentials && self.allow_origins.iter().any(|o| o == "*") {
            problems.push(
                "credentials are allowed with the origin *: browsers refuse it, and API Gateway requires the origins to be named"
                    .to_string(),
            );
        }
        if let Some(age) = self.max_age_seconds {
            if age > 86_400 {
                problems.push(format!("a max age of {age} s is over 86400"));
            }
        }
        for method in &self.allow_methods {
            if !matches!(
                method.as_str(),
                "*" | "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
            ) {
                problems.push(format!("{method:?} is not an HTTP method (or *)"));
            }
        }
        for origin in &self.allow_origins {
            if origin != "*" && !(origin.starts_with("https://") || origin.starts_with("http://")) {
                problems.push(format!(
                    "the origin {origin:?} is not a scheme and host (https://example.com) or *"
                ));
            }
        }
        problems
    }

    fn render(&self) -> api::Cors {
        let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        let mut cors = api::Cors::new().max_age(self.max_age_seconds);
        if let Some(v) = list(&self.allow_origins) {
            cors = cors.allow_origins(v);
        }
        if let Some(v) = list(&self.allow_methods) {
            cors = cors.allow_methods(v);
        }
        if let Some(v) = list(&self.allow_headers) {
            cors = cors.allow_headers(v);
        }
        if let Some(v) = list(&self.expose_headers) {
            cors = cors.expose_headers(v);
        }
        if self.allow_credentials {
            cors = cors.allow_credentials(true);
        }
        cors
    }
}

/// Settings of an [`HttpApi`]; `HttpApiProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpApiProps {
    /// `Name`; default: `<stack>-<id>`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `CorsConfiguration`; default: none.
    pub cors: Option<HttpCors>,
    /// Turns the `execute-api` endpoint off (`DisableExecuteApiEndpoint`), for an API reached
    /// through its custom domain only.
    pub disable_execute_api_endpoint: bool,
    /// The `$default` stage, auto-deployed (default: true).
    pub default_stage: bool,
}

impl Default for HttpApiProps {
    fn default() -> Self {
        HttpApiProps {
            name: None,
            description: None,
            cors: None,
            disable_execute_api_endpoint: false,
            default_stage: true,
        }
    }
}

impl HttpApiProps {
    /// An API with an auto-deployed `$default` stage and no CORS.
    pub fn new() -> Self {
        Self::default()
    }
    /// `Name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// `CorsConfiguration`.
    pub fn cors(mut self, cors: HttpCors) -> Self {
        self.cors = Some(cors);
        self
    }
    /// No `$default` stage: add stages with [`HttpApi::add_stage`].
    pub fn without_default_stage(mut self) -> Self {
        self.default_stage = false;
        self
    }
    /// `DisableExecuteApiEndpoint`.
    pub fn disable_execute_api_endpoint(mut self) -> Self {
        self.disable_execute_api_endpoint = true;
        self
    }
}

/// An HTTP API.
///
/// # Examples
///
/// ```
/// use constructs::apigatewayv2::{HttpApi, HttpApiProps, HttpCors, HttpIntegration, RouteOptions};
/// # use constructs::sqs::{Queue, QueueProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let orders = Queue::new(&mut stack, "Orders", QueueProps::new());
/// let cors = HttpCors::new().origin("https://shop.example.com").method("POST");
/// let api = HttpApi::new(&mut stack, "Api", HttpApiProps::new().name("shop").cors(cors));
/// let send = HttpIntegration::send_message(&orders);
/// api.add_route(&mut stack, "POST /orders", send, RouteOptions::new());
/// stack.add_output("Url", api.url().expect("the API has its $default stage"));
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::ApiGatewayV2::Api", json!({
///     "ProtocolType": "HTTP",
///     "CorsConfiguration": {"AllowOrigins": ["https://shop.example.com"], "AllowMethods": ["POST"]},
/// }));
/// let auto_deployed = json!({"StageName": "$default", "AutoDeploy": true});
/// template.has_resource_properties("AWS::ApiGatewayV2::Stage", auto_deployed);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpApi {
    id: String,
    resource: ResourceRef,
    default_stage: Option<HttpStage>,
}

impl HttpApi {
    /// Creates the API (and its `$default` stage unless told otherwise); CORS API Gateway
    /// refuses is reported at synth.
    pub fn new(stack: &mut Stack, id: &str, props: HttpApiProps) -> HttpApi {
        let path = stack.path_of(&format!("{id}/Resource"));
        let name = props
            .name
            .unwrap_or_else(|| format!("{}-{}", stack.name(), id.replace('/', "-")));
        if name.is_empty() || name.len() > 128 {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "the API's name has {} characters: 1 to 128 are allowed",
                        name.len()
                    ),
                )
                .property("Name"),
            );
        }
        let mut cfn = CfnApi::new()
            .name(name)
            .protocol_type("HTTP")
            .description(props.description);
        if let Some(cors) = &props.cors {
            for problem in cors.problems() {
                stack.add_problem(Problem::new(&path, problem).property("CorsConfiguration"));
            }
            cfn = cfn.cors_configuration(cors.render());
        }
        if props.disable_execute_api_endpoint {
            cfn = cfn.disable_execute_api_endpoint(true);
        }
        let resource = stack.add(&format!("{id}/Resource"), &cfn);
        let mut api = HttpApi {
            id: id.to_string(),
            resource,
            default_stage: None,
        };
        if props.default_stage {
            let stage = api.add_stage(stack, HttpStageProps::new("$default"));
            api.default_stage = Some(stage);
        }
        api
    }

    /// The `AWS::ApiGatewayV2::Api` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The API's id (`Ref`).
    pub fn api_id(&self) -> Value {
        self.resource.reference()
    }

    /// `https://<id>.execute-api.<region>.amazonaws.com` (`Fn::GetAtt ApiEndpoint`).
    pub fn api_endpoint(&self) -> Value {
        self.resource.get_att("ApiEndpoint")
    }

    /// The `$default` stage, when the API has it.
    pub fn default_stage(&self) -> Option<&HttpStage> {
        self.default_stage.as_ref()
    }

    /// The URL of the `$default` stage (the endpoint and `/`); `None` without that stage.
    pub fn url(&self) -> Option<Value> {
        self.default_stage.as_ref().map(|s| s.url(self))
    }

    /// The ARN `execute-api:Invoke` takes for `method` and `path` on any stage
    /// (`arn:...:execute-api:<region>:<account>:<api>/*/<METHOD>/<path>`).
    pub fn execute_arn(&self, method: &str, path: &str) -> Value {
        let method = if method == "ANY" { "*" } else { method };
        fns::sub_with(
            format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/*/{method}{path}"),
            [("Api", self.api_id())],
        )
    }

    /// A stage: `$default` or a name (`live`) in the URL's path, auto-deployed unless told
    /// otherwise.
    pub fn add_stage(&self, stack: &mut Stack, props: HttpStageProps) -> HttpStage {
        let id = if props.name == "$default" {
            format!("{}/DefaultStage", self.id)
        } else {
            format!("{}/Stage{}", self.id, props.name)
        };
        let path = stack.path_of(&format!("{id}/Resource"));
        if props.name != "$default" {
            if let Err(e) = crate::core::names::check_name("stage name", &props.name, 1, 128, "_-")
            {
                stack.add_problem(Problem::new(&path, e.to_string()).property("StageName"));
            }
        }
        let mut cfn = CfnStage::new(self.api_id(), props.name.as_str())
            .auto_deploy(props.auto_deploy)
            .description(props.description.clone());
        if let Some((burst, rate)) = props.throttle {
            if rate < 0.0 {
                stack.add_problem(
                    Problem::new(&path, "a negative rate limit").property("DefaultRouteSettings"),
                );
            }
            cfn = cfn.default_route_settings(
                stage::RouteSettings::new()
                    .throttling_burst_limit(burst)
                    .throttling_rate_limit(rate),
            );
        }
        if let Some((group, format)) = &props.access_log {
            cfn = cfn.access_log_settings(
                stage::AccessLogSettings::new()
                    .destination_arn(group.arn())
                    .format(format.text()),
            );
        }
        let resource = stack.add_resource(&format!("{id}/Resource"), CfnResource::from_props(&cfn));
        HttpStage {
            resource,
            name: props.name,
        }
    }
}

impl HttpApi {
    /// Serves `stage` on a custom domain (`api.example.com`): the regional domain name with
    /// its certificate (TLS 1.2), the API mapping (after the stage exists), and an A alias
    /// record in `zone` when given. A certificate of the app that does not cover the name,
    /// and a name outside the zone, are reported at synth.
    pub fn add_domain(
        &self,
        stack: &mut Stack,
        name: &str,
        certificate: &crate::website::SiteCertificate,
        stage: &HttpStage,
        zone: Option<&crate::website::HostedZone>,
    ) -> ResourceRef {
        let slug: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let id = format!("{}/Domain{slug}", self.id);
        let path = stack.path_of(&format!("{id}/Resource"));
        let arn = match certificate {
            crate::website::SiteCertificate::Of(c) => {
                if !c.covers(name) {
                    stack.add_problem(
                        Problem::new(&path, format!("the certificate does not cover {name}"))
                            .property("DomainNameConfigurations"),
                    );
                }
                c.arn()
            }
            crate::website::SiteCertificate::Arn(arn) => arn.clone(),
        };
        let domain = stack.add(
            &format!("{id}/Resource"),
            &crate::l1::apigatewayv2::CfnDomainName::new(name).domain_name_configurations(vec![
                crate::l1::apigatewayv2::domain_name::DomainNameConfiguration::new()
                    .certificate_arn(arn)
                    .endpoint_type("REGIONAL")
                    .security_policy("TLS_1_2"),
            ]),
        );
        // the mapping names the stage by name: it must exist first
        let mapping = crate::l1::apigatewayv2::CfnApiMapping::new(
            self.api_id(),
            domain.reference(),
            stage.name(),
        );
        stack.add_resource(
            &format!("{id}/Mapping"),
            CfnResource::from_props(&mapping).with_depends_on(stage.resource()),
        );
        if let Some(zone) = zone {
            if name != zone.name && !name.ends_with(&format!(".{}", zone.name)) {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("{name} is not in the hosted zone {}", zone.name),
                    )
                    .property("DomainName"),
                );
            }
            let record = crate::l1::route53::CfnRecordSet::new(format!("{name}."), "A")
                .hosted_zone_id(zone.id.clone())
                .alias_target(crate::l1::route53::record_set::AliasTarget::new(
                    domain.get_att("RegionalDomainName"),
                    domain.get_att("RegionalHostedZoneId"),
                ));
            stack.add_resource(&format!("{id}/Alias"), CfnResource::from_props(&record));
        }
        domain
    }
}

/// What an HTTP API's access log line holds.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpAccessLogFormat {
    /// One JSON object per request with the usual `$context` fields of an HTTP API.
    JsonStandard,
    /// Any format (one line).
    Custom(String),
}

impl HttpAccessLogFormat {
    fn text(&self) -> String {
        match self {
            HttpAccessLogFormat::JsonStandard => concat!(
                "{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\",",
                "\"requestTime\":\"$context.requestTime\",\"httpMethod\":\"$context.httpMethod\",",
                "\"routeKey\":\"$context.routeKey\",\"status\":\"$context.status\",",
                "\"protocol\":\"$context.protocol\",\"responseLength\":\"$context.responseLength\",",
                "\"integrationError\":\"$context.integrationErrorMessage\"}"
            )
            .to_string(),
            HttpAccessLogFormat::Custom(s) => s.clone(),
        }
    }
}

/// Settings of an [`HttpStage`]; `HttpStageProps::new(name)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpStageProps {
    /// `StageName`: `$default`, or a name that becomes the first part of the URL's path.
    pub name: String,
    /// `AutoDeploy`: every change of the API deployed to the stage (default: true).
    pub auto_deploy: bool,
    /// `Description`.
    pub description: Option<String>,
    /// Burst and steady rate limits of every route (`DefaultRouteSettings`).
    pub throttle: Option<(u32, f64)>,
    /// Where and how requests are logged (`AccessLogSettings`).
    pub access_log: Option<(LogGroup, HttpAccessLogFormat)>,
}

impl HttpStageProps {
    /// An auto-deployed stage.
    pub fn new(name: impl Into<String>) -> Self {
        HttpStageProps {
            name: name.into(),
            auto_deploy: true,
            description: None,
            throttle: None,
            access_log: None,
        }
    }
    /// Deployed only by a deployment of your own.
    pub fn manual_deploy(mut self) -> Self {
        self.auto_deploy = false;
        self
    }
    /// `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// At most `burst` requests at once and `rate` a second on every route.
    pub fn throttle(mut self, burst: u32, rate: f64) -> Self {
        self.throttle = Some((burst, rate));
        self
    }
    /// Logs each request to `group`.
    pub fn access_log(mut self, group: &LogGroup, format: HttpAccessLogFormat) -> Self {
        self.access_log = Some((group.clone(), format));
        self
    }
}

/// A stage of an HTTP API.
///
/// # Examples
///
/// ```
/// use constructs::apigatewayv2::{HttpApi, HttpApiProps, HttpStageProps};
/// # use constructs::apigatewayv2::{HttpIntegration, RouteOptions};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let api = HttpApi::new(&mut stack, "Api", HttpApiProps::new().without_default_stage());
/// // ... the API's routes
/// # let backend = HttpIntegration::http_proxy("ANY", "https://backend.example.com/");
/// # api.add_route(&mut stack, "$default", backend, RouteOptions::new());
/// let live = api.add_stage(&mut stack, HttpStageProps::new("live").throttle(50, 100.0));
/// assert_eq!(live.name(), "live");
///
/// let template = Template::from_stack(&stack);
/// template.resource_count_is("AWS::ApiGatewayV2::Stage", 1);
/// template.has_resource_properties("AWS::ApiGatewayV2::Stage", json!({
///     "StageName": "live",
///     "AutoDeploy": true,
///     "DefaultRouteSettings": {"ThrottlingBurstLimit": 50, "ThrottlingRateLimit": 100.0},
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpStage {
    resource: ResourceRef,
    name: String,
}

impl HttpStage {
    /// The `AWS::ApiGatewayV2::Stage` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The stage's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stage's URL: the API's endpoint, then `/` for `$default` or `/<name>/`.
    pub fn url(&self, api: &HttpApi) -> Value {
        let suffix = if self.name == "$default" {
            "/".to_string()
        } else {
            format!("/{}/", self.name)
        };
        fns::join("", [api.api_endpoint(), Value::from(suffix)])
    }

    /// The stage's metrics (`AWS/ApiGateway` by `ApiId` and `Stage`).
    pub fn metrics(&self, api: &HttpApi) -> crate::l1::apigatewayv2::stage::metrics::StagePerApiId {
        crate::l1::apigatewayv2::stage::metrics::StagePerApiId::new(
            api.api_id(),
            self.name.as_str(),
        )
    }
}
