//! Deployments and stages, API keys and usage plans.

use indexmap::IndexMap;
use sha2::{Digest, Sha256};

use crate::core::error::Problem;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::logs::LogGroup;

use super::RestApi;
use crate::l1::apigateway::{self as l1, stage as cfn, usage_plan, usage_plan_key};

impl RestApi {
    /// The content hash of everything that shapes the API: the RestApi and every resource,
    /// method, authorizer, model and validator under it (an authorizer's change takes effect
    /// only with a new deployment).
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
                            | "AWS::ApiGateway::Authorizer"
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

    /// Reports `what` (a resource, method, authorizer, model or validator of this API, at
    /// construct path `path`) when the API was already deployed in `stack`: that deployment's
    /// hash and dependencies were taken without it, so it would not be deployed with it.
    pub(super) fn changed_after_deploy(&self, stack: &mut Stack, path: &str, what: &str) {
        let prefix = stack.path_of(&format!("{}/Deployment", self.id));
        let deployed = stack
            .resources
            .iter()
            .any(|(p, r)| p.starts_with(&prefix) && r.type_name == "AWS::ApiGateway::Deployment");
        if deployed {
            stack.add_problem(
                Problem::new(
                    path,
                    format!(
                        "{what} is added to the API {} after it was deployed (RestApi::deploy): \
                         the deployment was made without it, so the stage would not serve it",
                        self.resource.path()
                    ),
                )
                .help("call deploy once the API's last resource, method, authorizer, model and validator are added"),
            );
        }
    }

    /// Deploys the API as it is now to a stage. The deployment's logical id carries a hash of
    /// everything that shapes the API, so any change makes CloudFormation deploy again; a
    /// resource, method, authorizer, model or validator added afterwards would not be
    /// deployed, and is reported (through any handle of the API). A stage that logs or
    /// traces waits for the stack's `AWS::ApiGateway::Account` setting (`cloud_watch_role`),
    /// which a fresh account needs before such a stage can be created.
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
        if let Err(e) = super::check_stage_name(&options.stage_name) {
            stack.add_problem(Problem::new(&stage_path, e.to_string()).property("StageName"));
        }
        let mut deployment = CfnResource::from_props(
            &l1::CfnDeployment::new(self.api_id()).description(options.description.clone()),
        );
        for m in &methods {
            deployment.add_depends_on(m);
        }
        let deployment = stack.add_resource(
            &format!("{}/Deployment{hash}/Resource", self.id),
            deployment,
        );

        // Logging writes through the account's API Gateway CloudWatch role: on a fresh account
        // CreateStage fails until the stack's AWS::ApiGateway::Account has set it.
        let logging = options.access_log.is_some()
            || options.method_settings.iter().any(|m| {
                m.data_trace
                    || matches!(
                        m.logging_level,
                        Some(LoggingLevel::Error | LoggingLevel::Info)
                    )
            });
        let accounts: Vec<ResourceRef> = stack
            .resources
            .iter()
            .filter(|(_, r)| r.type_name == "AWS::ApiGateway::Account")
            .map(|(p, _)| ResourceRef {
                stack: stack.name().to_string(),
                path: p.clone(),
            })
            .collect();
        if logging && accounts.is_empty() {
            stack.add_warning(
                &stage_path,
                "logging needs the account's API Gateway CloudWatch role: set cloud_watch_role on the RestApi, or make sure the account already has one",
            );
        }
        let mut stage = l1::CfnStage::new(self.api_id())
            .deployment_id(deployment.reference())
            .description(options.description)
            .stage_name(options.stage_name.as_str())
            .tracing_enabled(options.tracing.then_some(true));
        if let Some((group, format)) = &options.access_log {
            stage = stage.access_log_setting(
                cfn::AccessLogSetting::new()
                    .destination_arn(group.arn())
                    .format(format.text()),
            );
        }
        if !options.method_settings.is_empty() {
            stage = stage.method_settings(
                options
                    .method_settings
                    .iter()
                    .map(|m| {
                        cfn::MethodSetting::new()
                            .caching_enabled(m.caching_enabled)
                            .data_trace_enabled(m.data_trace.then_some(true))
                            .http_method(m.http_method.as_str())
                            .logging_level(m.logging_level.map(|l| l.as_str()))
                            .metrics_enabled(m.metrics_enabled.then_some(true))
                            .resource_path(m.resource_path.as_str())
                            .throttling_burst_limit(m.throttling_burst_limit)
                            .throttling_rate_limit(m.throttling_rate_limit)
                    })
                    .collect::<Vec<_>>(),
            );
        }
        if !options.variables.is_empty() {
            stage = stage.variables(options.variables);
        }
        let mut stage = CfnResource::from_props(&stage);
        if logging || options.tracing {
            for account in &accounts {
                stage.add_depends_on(account);
            }
        }
        let resource = stack.add_resource(
            &format!("{}/Stage{}/Resource", self.id, options.stage_name),
            stage,
        );
        Stage {
            resource,
            api: self.resource.clone(),
            name: options.stage_name,
        }
    }

    /// An API key.
    pub fn add_api_key(&self, stack: &mut Stack, id: &str, props: ApiKeyProps) -> ApiKey {
        let key = l1::CfnApiKey::new()
            .description(props.description)
            .enabled(props.enabled)
            .name(props.name)
            .value(props.value);
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
        let mut plan = l1::CfnUsagePlan::new()
            .description(props.description)
            .usage_plan_name(props.name);
        if !props.stages.is_empty() {
            plan = plan.api_stages(
                props
                    .stages
                    .iter()
                    .map(|s| {
                        usage_plan::ApiStage::new()
                            .api_id(self.api_id())
                            .stage(s.stage_ref())
                    })
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(q) = props.quota {
            plan = plan.quota(
                usage_plan::QuotaSettings::new()
                    .limit(q.limit)
                    .offset(q.offset)
                    .period(q.period.as_str()),
            );
        }
        if let Some(t) = props.throttle {
            plan = plan.throttle(
                usage_plan::ThrottleSettings::new()
                    .burst_limit(t.burst_limit)
                    .rate_limit(t.rate_limit),
            );
        }
        UsagePlan {
            id: format!("{}/{id}", self.id),
            resource: stack.add(&format!("{}/{id}/Resource", self.id), &plan),
        }
    }
}

/// How much API Gateway logs per request to its execution log (`LoggingLevel` of a method
/// setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggingLevel {
    /// Nothing (`OFF`).
    Off,
    /// Errors only (`ERROR`).
    Error,
    /// Every request (`INFO`).
    Info,
}

impl LoggingLevel {
    /// The level as API Gateway writes it (`OFF`, `ERROR`, `INFO`).
    pub fn as_str(self) -> &'static str {
        match self {
            LoggingLevel::Off => "OFF",
            LoggingLevel::Error => "ERROR",
            LoggingLevel::Info => "INFO",
        }
    }
}

/// Settings for the methods of a path and verb (`/*` and `*` for all): a stage's
/// `MethodSettings` item.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodSetting {
    /// The methods' path (`ResourcePath`), `/*` for all.
    pub resource_path: String,
    /// The methods' verb (`HttpMethod`), `*` for all.
    pub http_method: String,
    /// What the execution log holds (`LoggingLevel`); default: nothing.
    pub logging_level: Option<LoggingLevel>,
    /// Log whole requests and answers (`DataTraceEnabled`); default: false.
    pub data_trace: bool,
    /// Publish the per-method CloudWatch metrics (`MetricsEnabled`); default: false.
    pub metrics_enabled: bool,
    /// Requests over the rate the methods absorb at once (`ThrottlingBurstLimit`).
    pub throttling_burst_limit: Option<u32>,
    /// Requests per second the methods take (`ThrottlingRateLimit`).
    pub throttling_rate_limit: Option<f64>,
    /// Cache the methods' answers (`CachingEnabled`).
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

/// Settings of a [`Stage`]: `StageOptions::new(stage_name)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct StageOptions {
    /// The stage's name (`StageName`), the first part of its URL's path.
    pub stage_name: String,
    /// What the stage and its deployment are for (`Description`).
    pub description: Option<String>,
    /// Where and how requests are logged (`AccessLogSetting`); default: not logged.
    pub access_log: Option<(LogGroup, AccessLogFormat)>,
    /// Logging, metrics and throttling of the stage's methods (`MethodSettings`).
    pub method_settings: Vec<MethodSetting>,
    /// X-Ray tracing of requests (`TracingEnabled`); default: false.
    pub tracing: bool,
    /// Stage variables (`Variables`), read as `${stageVariables.name}`.
    pub variables: IndexMap<String, Value>,
}

impl StageOptions {
    /// A stage of this name, without logging, tracing or variables; a name API Gateway
    /// refuses is reported at synth.
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
    /// What the stage and its deployment are for (`Description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// Logs every request to `group` in `format` (`AccessLogSetting`).
    pub fn access_log(mut self, group: &LogGroup, format: AccessLogFormat) -> Self {
        self.access_log = Some((group.clone(), format));
        self
    }
    /// Adds settings for the methods of a path and verb (`MethodSettings`).
    pub fn method_setting(mut self, setting: MethodSetting) -> Self {
        self.method_settings.push(setting);
        self
    }
    /// Traces requests with X-Ray (`TracingEnabled: true`).
    pub fn tracing(mut self) -> Self {
        self.tracing = true;
        self
    }
    /// A stage variable (`Variables`), read as `${stageVariables.name}`.
    pub fn variable(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.variables.insert(name.to_string(), value.into());
        self
    }
}

/// A deployed stage.
///
/// # Examples
///
/// ```
/// use constructs::apigateway::{RestApi, RestApiProps, StageOptions};
/// # use constructs::apigateway::{HttpMethod, Integration, MethodOptions};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let api = RestApi::new(&mut stack, "Api", RestApiProps::new());
/// // ... the API's resources and methods
/// # let backend = Integration::http_proxy(HttpMethod::Any, "https://backend.example.com/");
/// # api.root().add_method(&mut stack, HttpMethod::Any, backend, MethodOptions::new());
/// let prod = api.deploy(&mut stack, StageOptions::new("prod").tracing().variable("backend", "v2"));
/// assert_eq!(prod.name(), "prod");
///
/// let template = Template::from_stack(&stack);
/// let deployment_id = template.logical_id_of_type("AWS::ApiGateway::Deployment");
/// template.has_resource_properties("AWS::ApiGateway::Stage", json!({
///     "StageName": "prod",
///     "DeploymentId": {"Ref": deployment_id},
///     "TracingEnabled": true,
///     "Variables": {"backend": "v2"},
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    resource: ResourceRef,
    api: ResourceRef,
    name: String,
}

impl Stage {
    /// The `AWS::ApiGateway::Stage` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The stage's name, as a reference (so that users of it wait for it).
    pub fn stage_ref(&self) -> Value {
        self.resource.reference()
    }

    /// The stage's name, as given.
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

/// Settings of an API key: `ApiKeyProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyProps {
    /// The key's name (`Name`); default: one CloudFormation generates.
    pub name: Option<String>,
    /// What the key is for (`Description`).
    pub description: Option<String>,
    /// The key itself (`Value`), at least 20 characters; generated when not given.
    pub value: Option<Value>,
    /// Whether callers can use the key (`Enabled`); default: true.
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

impl ApiKeyProps {
    /// An enabled key with a generated name and value.
    pub fn new() -> Self {
        Self::default()
    }
    /// The key's name (`Name`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// What the key is for (`Description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// The key itself (`Value`) instead of a generated one.
    pub fn value(mut self, value: impl Into<Value>) -> Self {
        self.value = Some(value.into());
        self
    }
    /// Whether callers can use the key (`Enabled`).
    pub fn enabled(mut self, on: bool) -> Self {
        self.enabled = on;
        self
    }
}

/// An API key (`AWS::ApiGateway::ApiKey`).
///
/// # Examples
///
/// ```
/// use constructs::apigateway::{ApiKeyProps, UsagePlanProps};
/// # use constructs::apigateway::{RestApi, RestApiProps, StageOptions};
/// # use constructs::apigateway::{HttpMethod, Integration, MethodOptions};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let api = RestApi::new(&mut stack, "Api", RestApiProps::new());
/// // ... the API's resources and methods, with `MethodOptions::api_key_required`
/// # let backend = Integration::http_proxy(HttpMethod::Any, "https://backend.example.com/");
/// # let options = MethodOptions::new().api_key_required();
/// # api.root().add_method(&mut stack, HttpMethod::Any, backend, options);
/// let prod = api.deploy(&mut stack, StageOptions::new("prod"));
/// let key = api.add_api_key(&mut stack, "Partner", ApiKeyProps::new().name("partner"));
/// let plan = api.add_usage_plan(&mut stack, "Partners", UsagePlanProps::new().stage(&prod));
/// plan.add_api_key(&mut stack, &key);
///
/// let template = Template::from_stack(&stack);
/// let enabled = json!({"Name": "partner", "Enabled": true});
/// template.has_resource_properties("AWS::ApiGateway::ApiKey", enabled);
/// let key_id = template.logical_id_of_type("AWS::ApiGateway::ApiKey");
/// let on_plan = json!({"KeyId": {"Ref": key_id}, "KeyType": "API_KEY"});
/// template.has_resource_properties("AWS::ApiGateway::UsagePlanKey", on_plan);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    resource: ResourceRef,
}

impl ApiKey {
    /// The key's id (`Ref`), not its value.
    pub fn key_id(&self) -> Value {
        self.resource.reference()
    }
}

/// A request rate limit (`ThrottleSettings`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    /// Requests over the rate absorbed at once (`BurstLimit`).
    pub burst_limit: u32,
    /// Requests per second (`RateLimit`).
    pub rate_limit: f64,
}

/// The period of a quota (`QuotaSettings.Period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// `DAY`.
    Day,
    /// `WEEK`.
    Week,
    /// `MONTH`.
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

/// How many requests per period (`QuotaSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests per period, at least 1 (`Limit`).
    pub limit: u32,
    /// The period the limit is counted over (`Period`).
    pub period: Period,
    /// The day the period starts, counted from 0 (`Offset`): for a WEEK, 0 is Sunday.
    pub offset: Option<u32>,
}

/// Settings of a usage plan: `UsagePlanProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsagePlanProps {
    /// The plan's name (`UsagePlanName`).
    pub name: Option<String>,
    /// What the plan is for (`Description`).
    pub description: Option<String>,
    /// The request rate each key of the plan may use (`Throttle`); default: the account's.
    pub throttle: Option<Throttle>,
    /// How many requests each key may make per period (`Quota`); default: no limit.
    pub quota: Option<Quota>,
    /// The stages the plan covers (`ApiStages`).
    pub stages: Vec<Stage>,
}

impl UsagePlanProps {
    /// A plan without name, limits or stages.
    pub fn new() -> Self {
        Self::default()
    }
    /// The plan's name (`UsagePlanName`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// What the plan is for (`Description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// The request rate each key of the plan may use (`Throttle`).
    pub fn throttle(mut self, throttle: Throttle) -> Self {
        self.throttle = Some(throttle);
        self
    }
    /// How many requests each key may make per period (`Quota`); a limit of 0 is reported
    /// at synth.
    pub fn quota(mut self, quota: Quota) -> Self {
        self.quota = Some(quota);
        self
    }
    /// Adds a stage the plan covers (`ApiStages`).
    pub fn stage(mut self, stage: &Stage) -> Self {
        self.stages.push(stage.clone());
        self
    }
}

/// A usage plan (`AWS::ApiGateway::UsagePlan`).
///
/// # Examples
///
/// ```
/// use constructs::apigateway::{Period, Quota, Throttle, UsagePlanProps};
/// # use constructs::apigateway::{RestApi, RestApiProps, StageOptions};
/// # use constructs::apigateway::{HttpMethod, Integration, MethodOptions};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let api = RestApi::new(&mut stack, "Api", RestApiProps::new());
/// # let backend = Integration::http_proxy(HttpMethod::Any, "https://backend.example.com/");
/// # api.root().add_method(&mut stack, HttpMethod::Any, backend, MethodOptions::new());
/// let prod = api.deploy(&mut stack, StageOptions::new("prod"));
/// let props = UsagePlanProps::new().stage(&prod)
///     .throttle(Throttle { burst_limit: 20, rate_limit: 10.0 })
///     .quota(Quota { limit: 10_000, period: Period::Month, offset: None });
/// api.add_usage_plan(&mut stack, "Partners", props);
///
/// let template = Template::from_stack(&stack);
/// let stage_id = template.logical_id_of_type("AWS::ApiGateway::Stage");
/// template.has_resource_properties("AWS::ApiGateway::UsagePlan", json!({
///     "ApiStages": [{"Stage": {"Ref": stage_id}}],
///     "Throttle": {"BurstLimit": 20, "RateLimit": 10.0},
///     "Quota": {"Limit": 10000, "Period": "MONTH"},
/// }));
/// ```
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
            &l1::CfnUsagePlanKey::new(
                key.key_id(),
                usage_plan_key::KeyType::ApiKey,
                self.resource.reference(),
            ),
        )
    }
}
