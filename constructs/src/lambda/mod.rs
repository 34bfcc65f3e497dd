//! Lambda: `Function` for Rust crates built by cargo-lambda, `FunctionUrl`, permissions,
//! versions and aliases.

pub mod cfn;
mod event_source;
mod metrics;

use indexmap::IndexMap;

use crate::core::assembly::ASSET_BUCKET;
use crate::core::error::{InvalidValue, Problem};
use crate::core::names::{self, NameError};
use crate::core::resource::CfnResource;
use crate::core::stack::{CodeAsset, Stack};
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement, Principal, Role, RoleProps};
use crate::logs::{LogGroup, LogGroupProps, RetentionDays};

use crate::core::resource::{NameScope, UniqueName};
use crate::l1::lambda::{function as l1_function, url as l1_url};
pub use crate::l1::lambda::{
    CfnAlias, CfnEventSourceMapping, CfnFunction, CfnPermission, CfnUrl, CfnVersion,
};
pub use cfn::{Architecture, FunctionUrlAuthType, InvokeMode, StartingPosition, TracingMode};

/// A function's name is unique in its account and region.
const FUNCTION_NAME: UniqueName = UniqueName {
    property: "FunctionName",
    kind: "function",
    scope: NameScope::AccountAndRegion,
};
pub use event_source::{
    limits as event_source_limits, EventSource, EventSourceMapping, FailureDestination, SqsSource,
    StreamSource,
};

/// The runtime of every rcdk function: a Rust binary named `bootstrap`.
pub const RUNTIME: &str = "provided.al2023";

/// The memory a function may have, in MB.
pub const MEMORY_MB: std::ops::RangeInclusive<u32> = 128..=10240;
/// The timeout a function may have, in seconds.
pub const TIMEOUT_SECONDS: std::ops::RangeInclusive<u32> = 1..=900;
/// What refuses a secret's value in an environment variable, where anyone who may read the
/// function's configuration (`lambda:GetFunctionConfiguration`) reads it too: a dynamic
/// reference to Secrets Manager, or to an SSM `SecureString` (which CloudFormation does not
/// resolve in a function's environment at all).
fn secret_in_environment(key: &str, value: &Value) -> Option<String> {
    // the reference's text is a literal part of the value, or of a token's (Fn::Join, Fn::Sub)
    let text = format!("{value:?}");
    ["{{resolve:secretsmanager:", "{{resolve:ssm-secure:"]
        .iter()
        .any(|r| text.contains(r))
        .then(|| {
            format!(
                "the environment variable {key} holds a secret's value (a dynamic reference), which anyone who can read the function's configuration would read: give the function the secret's ARN and Secret::grant_read, and read the value at run time"
            )
        })
}

/// The size of a function's environment (names and values together) Lambda accepts, in bytes.
pub const MAX_ENVIRONMENT_BYTES: usize = 4096;

/// Checks a function name: 1 to 64 letters, digits, '-' and '_'.
pub fn check_function_name(name: &str) -> Result<(), NameError> {
    names::check_name("function name", name, 1, 64, "_-")
}

/// Checks a memory size against [`MEMORY_MB`]; the error's bounds are those.
pub fn check_memory_mb(mb: u32) -> Result<(), InvalidValue> {
    if MEMORY_MB.contains(&mb) {
        Ok(())
    } else {
        Err(InvalidValue::new(
            "memory",
            mb.to_string(),
            format!(
                "memory {mb} MB is outside Lambda's {}..={}",
                MEMORY_MB.start(),
                MEMORY_MB.end()
            ),
        )
        .outside(f64::from(*MEMORY_MB.start())..=f64::from(*MEMORY_MB.end())))
    }
}

/// Checks a timeout against [`TIMEOUT_SECONDS`]; the error's bounds are those.
pub fn check_timeout_seconds(seconds: u32) -> Result<(), InvalidValue> {
    if TIMEOUT_SECONDS.contains(&seconds) {
        Ok(())
    } else {
        Err(InvalidValue::new(
            "timeout",
            seconds.to_string(),
            format!(
                "timeout {seconds} s is outside Lambda's {}..={}",
                TIMEOUT_SECONDS.start(),
                TIMEOUT_SECONDS.end()
            ),
        )
        .outside(f64::from(*TIMEOUT_SECONDS.start())..=f64::from(*TIMEOUT_SECONDS.end())))
    }
}

/// Environment variable names Lambda sets itself and refuses in a function's configuration.
const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
];

/// Settings of a [`Function`]: `FunctionProps::new("crate-name")` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionProps {
    /// The package name of the function's crate: any package of the app's cargo workspace
    /// (a `[workspace] members` entry), wherever its directory is; synth finds it by name and
    /// reports one the workspace does not have.
    pub crate_name: String,
    /// The binary to build; default: the crate's name.
    pub binary: Option<String>,
    /// The function's name (`FunctionName`); default: one CloudFormation generates.
    pub function_name: Option<String>,
    /// What the function does (`Description`).
    pub description: Option<String>,
    /// Memory (`MemorySize`), in MB, 128 to 10,240; default 128.
    pub memory_mb: u32,
    /// How long an invocation may run (`Timeout`), in seconds, 1 to 900; default 3.
    pub timeout_seconds: u32,
    /// The processor the binary is built for (`Architectures`); default: arm64 (Graviton:
    /// cheaper per millisecond).
    pub architecture: Architecture,
    /// Environment variables (`Environment.Variables`), at most 4 KB together.
    pub environment: IndexMap<String, Value>,
    /// Retention of the function's own log group; default two weeks.
    pub log_retention: RetentionDays,
    /// X-Ray tracing (`TracingConfig.Mode`); default: Lambda's (`PassThrough`).
    pub tracing: Option<TracingMode>,
    /// Concurrent executions kept for the function, and its limit
    /// (`ReservedConcurrentExecutions`); default: none reserved.
    pub reserved_concurrency: Option<u32>,
    /// An existing role; by default the function gets its own.
    pub role: Option<Role>,
}

impl FunctionProps {
    /// The function of the workspace package `crate_name` (found among the workspace's
    /// members, in `lambdas/` or anywhere else): 128 MB, 3 s, arm64, its own role and a log
    /// group kept two weeks.
    pub fn new(crate_name: impl Into<String>) -> Self {
        FunctionProps {
            crate_name: crate_name.into(),
            binary: None,
            function_name: None,
            description: None,
            memory_mb: 128,
            timeout_seconds: 3,
            architecture: Architecture::Arm64,
            environment: IndexMap::new(),
            log_retention: RetentionDays::TwoWeeks,
            tracing: None,
            reserved_concurrency: None,
            role: None,
        }
    }
    /// The binary of the crate to deploy, when it is not named like the crate.
    pub fn binary(mut self, name: impl Into<String>) -> Self {
        self.binary = Some(name.into());
        self
    }
    /// The function's name (`FunctionName`); one Lambda refuses is reported at synth.
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = Some(name.into());
        self
    }
    /// What the function does (`Description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// Memory in MB (`MemorySize`); outside [`MEMORY_MB`] is reported at synth.
    pub fn memory_mb(mut self, mb: u32) -> Self {
        self.memory_mb = mb;
        self
    }
    /// How long an invocation may run, in seconds (`Timeout`); outside [`TIMEOUT_SECONDS`]
    /// is reported at synth.
    pub fn timeout_seconds(mut self, seconds: u32) -> Self {
        self.timeout_seconds = seconds;
        self
    }
    /// The processor the binary is built for and runs on (`Architectures`).
    pub fn architecture(mut self, architecture: Architecture) -> Self {
        self.architecture = architecture;
        self
    }
    /// An environment variable (`Environment.Variables`); a name Lambda reserves or refuses
    /// is reported at synth.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.environment.insert(key.into(), value.into());
        self
    }
    /// How long the function's log group keeps events.
    pub fn log_retention(mut self, retention: RetentionDays) -> Self {
        self.log_retention = retention;
        self
    }
    /// X-Ray tracing (`TracingConfig.Mode`); `Active` also gives the role the X-Ray rights.
    pub fn tracing(mut self, mode: TracingMode) -> Self {
        self.tracing = Some(mode);
        self
    }
    /// Reserves `n` concurrent executions, which is also the function's limit
    /// (`ReservedConcurrentExecutions`).
    pub fn reserved_concurrency(mut self, n: u32) -> Self {
        self.reserved_concurrency = Some(n);
        self
    }
    /// Runs the function with this role instead of a new one; its log and X-Ray rights are
    /// added to it.
    pub fn role(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }
}

fn check_env_name(name: &str) -> Result<(), NameError> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(NameError::shape(
            "environment variable name",
            name,
            "must start with a letter and hold only letters, digits and '_'",
        ));
    }
    if RESERVED_ENV.contains(&name) {
        return Err(NameError::Reserved {
            kind: "environment variable".into(),
            name: name.into(),
            owner: "Lambda",
        });
    }
    Ok(())
}

/// A Lambda function whose code is a Rust crate of the app's cargo workspace, built by
/// cargo-lambda.
///
/// # Examples
///
/// ```
/// use constructs::lambda::{Function, FunctionProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
/// # // a cargo workspace with the package `orders-api`, the app's root
/// # let workspace = tempfile::tempdir().unwrap();
/// # for (file, text) in [
/// #     ("Cargo.toml", "[workspace]\nmembers = [\"orders-api\"]\nresolver = \"2\"\n"),
/// #     ("orders-api/Cargo.toml", "[package]\nname = \"orders-api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
/// #     ("orders-api/src/main.rs", "fn main() {}\n"),
/// # ] {
/// #     let path = workspace.path().join(file);
/// #     std::fs::create_dir_all(path.parent().unwrap()).unwrap();
/// #     std::fs::write(path, text).unwrap();
/// # }
/// # std::env::set_current_dir(workspace.path()).unwrap();
///
/// // run from the root of a cargo workspace that has the package `orders-api`
/// let mut stack = Stack::new("Orders");
/// let props = FunctionProps::new("orders-api").memory_mb(512).timeout_seconds(10);
/// let function = Function::new(&mut stack, "Api", props.env("STAGE", "prod"));
/// assert_eq!(function.timeout_seconds(), 10);
///
/// Template::from_stack(&stack).has_resource_properties("AWS::Lambda::Function", json!({
///     "Runtime": "provided.al2023",
///     "Architectures": ["arm64"],
///     "MemorySize": 512,
///     "Environment": {"Variables": {"STAGE": "prod"}},
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    id: String,
    resource: ResourceRef,
    role: Role,
    log_group: LogGroup,
    timeout_seconds: u32,
}

impl Function {
    /// Creates the function (`AWS::Lambda::Function`) with its code asset, its log group and,
    /// unless one is given, its role; settings Lambda would refuse are reported at synth.
    pub fn new(stack: &mut Stack, id: &str, props: FunctionProps) -> Function {
        let path = stack.path_of(&format!("{id}/Resource"));
        let problem = |stack: &mut Stack, property: &str, message: &dyn std::fmt::Display| {
            stack.add_problem(Problem::new(&path, message.to_string()).property(property));
        };
        if let Some(name) = &props.function_name {
            if let Err(e) = check_function_name(name) {
                problem(stack, "FunctionName", &e);
            }
        }
        if let Err(e) = check_memory_mb(props.memory_mb) {
            problem(stack, "MemorySize", &e);
        }
        if let Err(e) = check_timeout_seconds(props.timeout_seconds) {
            problem(stack, "Timeout", &e);
        }
        if let Err(e) = names::check_name("crate name", &props.crate_name, 1, 64, "_-") {
            problem(stack, "Code", &e);
        }
        let mut literal_env_bytes = 0;
        for (key, value) in &props.environment {
            if let Err(e) = check_env_name(key) {
                problem(stack, "Environment", &e);
            }
            literal_env_bytes += key.len() + value.as_str().map_or(0, str::len);
            if let Some(e) = secret_in_environment(key, value) {
                problem(stack, "Environment", &e);
            }
        }
        if literal_env_bytes > MAX_ENVIRONMENT_BYTES {
            problem(
                stack,
                "Environment",
                &format!("the environment has {literal_env_bytes} bytes; Lambda allows 4 KB ({MAX_ENVIRONMENT_BYTES})"),
            );
        }

        // deleted with the function: a retained `/aws/lambda/<name>` group would make the
        // next deploy of the same stack fail on "already exists"
        let mut log_props = LogGroupProps::new(props.log_retention)
            .removal_policy(crate::core::resource::RemovalPolicy::Destroy);
        if let Some(name) = &props.function_name {
            log_props = log_props.name(format!("/aws/lambda/{name}"));
        }
        let log_group = LogGroup::new(stack, &format!("{id}/LogGroup"), log_props);
        let role = props.role.clone().unwrap_or_else(|| {
            Role::new(
                stack,
                &format!("{id}/ServiceRole"),
                RoleProps::new(Principal::service("lambda.amazonaws.com")),
            )
        });
        log_group.grant_write(stack, &role);
        if props.tracing == Some(TracingMode::Active) {
            // X-Ray accepts no resource but `*` for these actions.
            role.add_to_policy(
                stack,
                PolicyStatement::allow()
                    .actions(["xray:PutTelemetryRecords", "xray:PutTraceSegments"])
                    .resource("*"),
            );
        }
        let binary = props
            .binary
            .clone()
            .unwrap_or_else(|| props.crate_name.clone());
        let key = stack.add_code_asset(
            &format!("{id}/Code"),
            CodeAsset {
                package: props.crate_name.clone(),
                binary,
                architecture: match props.architecture {
                    Architecture::Arm64 => crate::AssetArchitecture::Arm64,
                    Architecture::X86_64 => crate::AssetArchitecture::X86_64,
                },
            },
        );
        let mut function = CfnFunction::new(
            l1_function::Code::new()
                .s3_bucket(fns::sub(ASSET_BUCKET))
                .s3_key(key),
            role.arn(),
        )
        .architectures(vec![props.architecture])
        .description(props.description)
        .function_name(props.function_name)
        .handler("bootstrap")
        .logging_config(l1_function::LoggingConfig::new().log_group(log_group.name()))
        .memory_size(props.memory_mb)
        .reserved_concurrent_executions(props.reserved_concurrency)
        .runtime(l1_function::Runtime::ProvidedAl2023)
        .timeout(props.timeout_seconds);
        if !props.environment.is_empty() {
            function = function
                .environment(l1_function::Environment::new().variables(props.environment.clone()));
        }
        if let Some(mode) = props.tracing {
            function = function.tracing_config(l1_function::TracingConfig::new().mode(mode));
        }
        let mut resource = CfnResource::from_props(&function).with_unique_name(FUNCTION_NAME);
        // the role's rights must exist before the function first runs (the role itself is
        // already a dependency through `Role: !GetAtt`)
        if let Some(policy) = role.default_policy(stack) {
            resource.add_depends_on(&policy);
        }
        let resource = stack.add_resource(&format!("{id}/Resource"), resource);
        Function {
            id: id.to_string(),
            resource,
            role,
            log_group,
            timeout_seconds: props.timeout_seconds,
        }
    }

    /// The `AWS::Lambda::Function` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The function's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The function's ARN (`Fn::GetAtt Arn`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The role the function runs with (its own, or the one given).
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// How long an invocation may run, in seconds (`Timeout`), as given at construction.
    pub fn timeout_seconds(&self) -> u32 {
        self.timeout_seconds
    }

    /// The function's log group (`LoggingConfig.LogGroup`).
    pub fn log_group(&self) -> &LogGroup {
        &self.log_group
    }

    /// Sets an environment variable after construction.
    pub fn add_environment(&self, stack: &mut Stack, key: &str, value: impl Into<Value>) {
        if let Err(e) = check_env_name(key) {
            stack.add_problem(
                Problem::new(&self.resource.path, e.to_string()).property("Environment"),
            );
        }
        let value = value.into();
        if let Some(e) = secret_in_environment(key, &value) {
            stack.add_problem(Problem::new(&self.resource.path, e).property("Environment"));
        }
        stack.add_property_override(
            &self.resource,
            &format!("Environment.Variables.{key}"),
            value,
        );
    }

    /// `lambda:InvokeFunction` on the function and its versions and aliases.
    pub fn grant_invoke(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        grant(
            stack,
            grantee,
            &["lambda:InvokeFunction"],
            vec![
                self.arn(),
                fns::sub_with("${Function}:*", [("Function", self.arn())]),
            ],
        )
    }

    /// Adds a statement to the function's resource policy (`AWS::Lambda::Permission`).
    pub fn add_permission(
        &self,
        stack: &mut Stack,
        id: &str,
        permission: PermissionProps,
    ) -> ResourceRef {
        let mut props = CfnPermission::new(permission.action, self.arn(), permission.principal)
            .invoked_via_function_url(permission.invoked_via_function_url)
            .source_account(permission.source_account)
            .source_arn(permission.source_arn);
        if let Some(auth_type) = permission.function_url_auth_type {
            props = props.function_url_auth_type(auth_type);
        }
        stack.add(&format!("{}/{id}", self.id), &props)
    }

    /// A function URL (AWS_IAM auth unless told otherwise).
    pub fn add_url(&self, stack: &mut Stack, props: FunctionUrlProps) -> FunctionUrl {
        let mut url = CfnUrl::new(props.auth_type, self.arn()).invoke_mode(props.invoke_mode);
        if let Some(c) = props.cors {
            let mut cors = l1_url::Cors::new().max_age(c.max_age_seconds);
            if c.allow_credentials {
                cors = cors.allow_credentials(true);
            }
            if !c.allow_headers.is_empty() {
                cors = cors.allow_headers(c.allow_headers);
            }
            if !c.allow_methods.is_empty() {
                cors = cors.allow_methods(
                    c.allow_methods
                        .iter()
                        .map(|m| url_method(m))
                        .collect::<Vec<_>>(),
                );
            }
            if !c.allow_origins.is_empty() {
                cors = cors.allow_origins(c.allow_origins);
            }
            if !c.expose_headers.is_empty() {
                cors = cors.expose_headers(c.expose_headers);
            }
            url = url.cors(cors);
        }
        let resource = stack.add(&format!("{}/FunctionUrl/Resource", self.id), &url);
        if props.auth_type == FunctionUrlAuthType::None {
            // a public URL needs both statements in the function's policy (Lambda's model
            // since October 2025)
            self.add_permission(
                stack,
                "FunctionUrl/InvokeUrlPermission",
                PermissionProps::new("*")
                    .action("lambda:InvokeFunctionUrl")
                    .function_url_auth_type(FunctionUrlAuthType::None),
            );
            self.add_permission(
                stack,
                "FunctionUrl/InvokePermission",
                PermissionProps::new("*").invoked_via_function_url(),
            );
        }
        FunctionUrl {
            resource,
            function_arn: self.arn(),
        }
    }

    /// Publishes a version of the current code and points an alias at it.
    pub fn add_alias(&self, stack: &mut Stack, alias: &str) -> ResourceRef {
        let version = stack.add(
            &format!("{}/CurrentVersion/Resource", self.id),
            &CfnVersion::new(self.name()),
        );
        stack.add(
            &format!("{}/Alias{alias}/Resource", self.id),
            &CfnAlias::new(self.name(), version.get_att("Version"), alias),
        )
    }
}

/// A method of a function URL's CORS as the generated L1 has it (`*` for any).
fn url_method(method: &str) -> l1_url::AllowMethod {
    match method {
        "GET" => l1_url::AllowMethod::Get,
        "PUT" => l1_url::AllowMethod::Put,
        "HEAD" => l1_url::AllowMethod::Head,
        "POST" => l1_url::AllowMethod::Post,
        "PATCH" => l1_url::AllowMethod::Patch,
        "DELETE" => l1_url::AllowMethod::Delete,
        "*" => l1_url::AllowMethod::Wildcard,
        other => l1_url::AllowMethod::Other(other.into()),
    }
}

impl Grantable for Function {
    fn grant_role(&self) -> &Role {
        &self.role
    }
}

/// A statement of a function's resource policy (`AWS::Lambda::Permission`):
/// `PermissionProps::new(principal)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionProps {
    /// The action allowed (`Action`); default: `lambda:InvokeFunction`.
    pub action: String,
    /// Who is allowed (`Principal`): a service principal (`apigateway.amazonaws.com`), an
    /// account id, or `*`.
    pub principal: Value,
    /// Only on behalf of this resource (`SourceArn`), such as an API's execute-api ARN.
    pub source_arn: Option<Value>,
    /// Only on behalf of resources of this account (`SourceAccount`).
    pub source_account: Option<Value>,
    /// Only through a function URL of this auth type (`FunctionUrlAuthType`), for
    /// `lambda:InvokeFunctionUrl`.
    pub function_url_auth_type: Option<FunctionUrlAuthType>,
    /// Only through a function URL (`InvokedViaFunctionUrl`), for `lambda:InvokeFunction`.
    pub invoked_via_function_url: Option<bool>,
}

impl PermissionProps {
    /// `lambda:InvokeFunction` for `principal`.
    pub fn new(principal: impl Into<Value>) -> Self {
        PermissionProps {
            action: "lambda:InvokeFunction".into(),
            principal: principal.into(),
            source_arn: None,
            source_account: None,
            function_url_auth_type: None,
            invoked_via_function_url: None,
        }
    }
    /// The action allowed (`Action`), such as `lambda:InvokeFunctionUrl`.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = action.into();
        self
    }
    /// Only on behalf of this resource (`SourceArn`).
    pub fn source_arn(mut self, arn: impl Into<Value>) -> Self {
        self.source_arn = Some(arn.into());
        self
    }
    /// Only on behalf of resources of this account (`SourceAccount`).
    pub fn source_account(mut self, account: impl Into<Value>) -> Self {
        self.source_account = Some(account.into());
        self
    }
    /// Only through a function URL of this auth type (`FunctionUrlAuthType`).
    pub fn function_url_auth_type(mut self, auth_type: FunctionUrlAuthType) -> Self {
        self.function_url_auth_type = Some(auth_type);
        self
    }
    /// Only through a function URL (`InvokedViaFunctionUrl: true`).
    pub fn invoked_via_function_url(mut self) -> Self {
        self.invoked_via_function_url = Some(true);
        self
    }
}

/// CORS of a function URL (`Cors`), answered by Lambda itself: `FunctionUrlCors::new()` then
/// builder methods. Nothing is allowed by default.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunctionUrlCors {
    /// The origins allowed (`AllowOrigins`), or `*`.
    pub allow_origins: Vec<String>,
    /// The verbs allowed (`AllowMethods`), or `*`.
    pub allow_methods: Vec<String>,
    /// The request headers allowed (`AllowHeaders`).
    pub allow_headers: Vec<String>,
    /// The response headers scripts may read (`ExposeHeaders`).
    pub expose_headers: Vec<String>,
    /// Allow requests with credentials (`AllowCredentials`); default: false.
    pub allow_credentials: bool,
    /// How long a browser may cache the preflight's answer (`MaxAge`), in seconds.
    pub max_age_seconds: Option<u32>,
}

impl FunctionUrlCors {
    /// No origin, verb or header allowed; no credentials.
    pub fn new() -> Self {
        Self::default()
    }
    /// The origins allowed (`AllowOrigins`).
    pub fn allow_origins<S: Into<String>>(mut self, origins: impl IntoIterator<Item = S>) -> Self {
        self.allow_origins = origins.into_iter().map(Into::into).collect();
        self
    }
    /// The verbs allowed (`AllowMethods`).
    pub fn allow_methods<S: Into<String>>(mut self, methods: impl IntoIterator<Item = S>) -> Self {
        self.allow_methods = methods.into_iter().map(Into::into).collect();
        self
    }
    /// The request headers allowed (`AllowHeaders`).
    pub fn allow_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.allow_headers = headers.into_iter().map(Into::into).collect();
        self
    }
    /// The response headers scripts may read (`ExposeHeaders`).
    pub fn expose_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self
    }
    /// Allows requests with credentials (`AllowCredentials: true`).
    pub fn allow_credentials(mut self) -> Self {
        self.allow_credentials = true;
        self
    }
    /// How long a browser may cache the preflight's answer (`MaxAge`).
    pub fn max_age_seconds(mut self, seconds: u32) -> Self {
        self.max_age_seconds = Some(seconds);
        self
    }
}

/// Settings of a [`FunctionUrl`]: `FunctionUrlProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionUrlProps {
    /// Who may call the URL (`AuthType`); default: AWS_IAM (signed requests).
    pub auth_type: FunctionUrlAuthType,
    /// Whether the answer is buffered or streamed (`InvokeMode`); default: BUFFERED.
    pub invoke_mode: InvokeMode,
    /// CORS answered by Lambda (`Cors`); default: none.
    pub cors: Option<FunctionUrlCors>,
}

impl Default for FunctionUrlProps {
    fn default() -> Self {
        FunctionUrlProps {
            auth_type: FunctionUrlAuthType::AwsIam,
            invoke_mode: InvokeMode::Buffered,
            cors: None,
        }
    }
}

impl FunctionUrlProps {
    /// An AWS_IAM, BUFFERED URL without CORS.
    pub fn new() -> Self {
        Self::default()
    }
    /// Who may call the URL (`AuthType`); `NONE` also adds the two public permissions.
    pub fn auth_type(mut self, auth_type: FunctionUrlAuthType) -> Self {
        self.auth_type = auth_type;
        self
    }
    /// Whether the answer is buffered or streamed (`InvokeMode`).
    pub fn invoke_mode(mut self, mode: InvokeMode) -> Self {
        self.invoke_mode = mode;
        self
    }
    /// CORS answered by Lambda (`Cors`).
    pub fn cors(mut self, cors: FunctionUrlCors) -> Self {
        self.cors = Some(cors);
        self
    }
}

/// A function URL (`AWS::Lambda::Url`).
///
/// # Examples
///
/// ```
/// use constructs::lambda::{Function, FunctionProps, FunctionUrlAuthType, FunctionUrlProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
/// # // a cargo workspace with the package `web`, the app's root
/// # let workspace = tempfile::tempdir().unwrap();
/// # for (file, text) in [
/// #     ("Cargo.toml", "[workspace]\nmembers = [\"web\"]\nresolver = \"2\"\n"),
/// #     ("web/Cargo.toml", "[package]\nname = \"web\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
/// #     ("web/src/main.rs", "fn main() {}\n"),
/// # ] {
/// #     let path = workspace.path().join(file);
/// #     std::fs::create_dir_all(path.parent().unwrap()).unwrap();
/// #     std::fs::write(path, text).unwrap();
/// # }
/// # std::env::set_current_dir(workspace.path()).unwrap();
///
/// let mut stack = Stack::new("Web");
/// let function = Function::new(&mut stack, "Handler", FunctionProps::new("web"));
/// let public = FunctionUrlProps::new().auth_type(FunctionUrlAuthType::None);
/// let url = function.add_url(&mut stack, public);
/// stack.add_output("Url", url.url());
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::Lambda::Url", json!({"AuthType": "NONE"}));
/// // a public URL: anyone may call the function through it
/// template.has_resource_properties("AWS::Lambda::Permission", json!({
///     "Action": "lambda:InvokeFunctionUrl",
///     "Principal": "*",
///     "FunctionUrlAuthType": "NONE",
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionUrl {
    resource: ResourceRef,
    function_arn: Value,
}

impl FunctionUrl {
    /// The `AWS::Lambda::Url` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The URL, `https://<id>.lambda-url.<region>.on.aws/`.
    pub fn url(&self) -> Value {
        self.resource.get_att("FunctionUrl")
    }

    /// The rights a caller needs to call an AWS_IAM URL: `lambda:InvokeFunctionUrl` and,
    /// since October 2025, `lambda:InvokeFunction`, on the function.
    pub fn grant_invoke_url(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        grant(
            stack,
            grantee,
            &["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"],
            vec![self.function_arn.clone()],
        )
    }
}
