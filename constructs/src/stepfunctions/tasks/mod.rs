//! Task integrations: each builds a Task state and the IAM statements its state machine's
//! role needs (least privilege: the resources are named; `*` only where AWS requires it).

pub use crate::apigateway::HttpMethod;
use crate::core::token::fns;
use crate::core::value::Value;
use crate::iam::PolicyStatement;
use crate::lambda::Function;
use crate::s3::Bucket;

pub use super::asl::ObjectKey;
use super::asl::{
    task, this_state_machine_arn, this_state_machine_executions, Input, Retrier, Step,
};
use super::state_machine::StateMachine;

mod dynamodb;
pub use dynamodb::*;
mod attributes;
pub use attributes::{
    MessageAttribute, MessageAttributeType, MAX_MESSAGE_ATTRIBUTE_NAME, MAX_MESSAGE_BYTES,
    MAX_SQS_MESSAGE_ATTRIBUTES,
};
mod messaging;
pub use messaging::*;
mod events;
pub use events::*;

/// `arn:<partition>:states:::<integration>`, a substitution of the definition.
pub fn integration_arn(integration: &str) -> Value {
    fns::sub(format!("arn:${{AWS::Partition}}:states:::{integration}"))
}

/// The errors the standard Lambda retry covers.
pub const LAMBDA_SERVICE_ERRORS: &[&str] = &[
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
];

/// The retry the AWS CDK adds to Lambda tasks by default: the service's transient errors,
/// every 2 s, 6 attempts, backoff 2.
pub fn lambda_service_retry() -> Retrier {
    Retrier::on(LAMBDA_SERVICE_ERRORS.iter().copied())
        .interval_seconds(2)
        .max_attempts(6)
        .backoff_rate(2.0)
}

fn invoke_statement(function: &Function) -> PolicyStatement {
    PolicyStatement::allow()
        .action("lambda:InvokeFunction")
        .resource(function.arn())
        .resource(fns::sub_with(
            "${Function}:*",
            [("Function", function.arn())],
        ))
}

/// Options of [`lambda_invoke`].
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaInvoke {
    /// The payload; default: the state's whole input (`"Payload.$": "$"`, or
    /// `"Payload": "{% $states.input %}"` under JSONata).
    pub payload: Option<Input>,
    /// Add [`lambda_service_retry`] (default: true).
    pub retry_on_service_exceptions: bool,
    /// Call the function by its ARN (the legacy form), whose result is the payload alone,
    /// without the invocation's metadata (StatusCode, ExecutedVersion, ...).
    pub payload_response_only: bool,
    /// Wait until someone calls `SendTaskSuccess` or `SendTaskFailure` with the task token
    /// (`lambda:invoke.waitForTaskToken`), which the payload must carry; the task's result is
    /// what that call sends.
    pub wait_for_task_token: bool,
}

impl Default for LambdaInvoke {
    fn default() -> Self {
        LambdaInvoke {
            payload: None,
            retry_on_service_exceptions: true,
            payload_response_only: false,
            wait_for_task_token: false,
        }
    }
}

impl LambdaInvoke {
    /// The defaults: the whole input as payload, the service retry, the optimized
    /// integration.
    pub fn new() -> Self {
        Self::default()
    }
    /// The payload sent to the function.
    pub fn payload(mut self, payload: impl Into<Input>) -> Self {
        self.payload = Some(payload.into());
        self
    }
    /// Leaves out [`lambda_service_retry`].
    pub fn without_service_retry(mut self) -> Self {
        self.retry_on_service_exceptions = false;
        self
    }
    /// Calls the function by its ARN; the result is the function's answer alone.
    pub fn payload_response_only(mut self) -> Self {
        self.payload_response_only = true;
        self
    }
    /// Waits for the callback (`.waitForTaskToken`): give a [`payload`](Self::payload) that
    /// carries `ContextPath::TASK_TOKEN`, which synth checks.
    pub fn wait_for_task_token(mut self) -> Self {
        self.wait_for_task_token = true;
        self
    }
}

/// Invokes a function through the optimized integration (`arn:aws:states:::lambda:invoke`,
/// or `lambda:invoke.waitForTaskToken` to wait for a callback with the task token).
pub fn lambda_invoke(name: &str, function: &Function, options: LambdaInvoke) -> Step {
    let mut step = if options.payload_response_only {
        let s = task(name, function.arn());
        match options.payload {
            Some(p) => s.input(p),
            None => s,
        }
    } else {
        let payload = options.payload.unwrap_or_else(Input::state_input);
        let suffix = if options.wait_for_task_token {
            ".waitForTaskToken"
        } else {
            ""
        };
        task(name, integration_arn(&format!("lambda:invoke{suffix}"))).input(
            Input::object()
                .field("FunctionName", function.arn())
                .field("Payload", payload),
        )
    };
    if options.payload_response_only && options.wait_for_task_token {
        step = step.with_problem(format!(
            "state {name:?}: payload_response_only calls the function by its ARN, which cannot wait for a task token: leave out one of payload_response_only and wait_for_task_token"
        ));
    }
    let step = step.grant(invoke_statement(function));
    if options.retry_on_service_exceptions {
        step.retry(lambda_service_retry())
    } else {
        step
    }
}

/// The legacy form: `Resource` is the function's ARN, the input is the payload, the result
/// the function's answer. No retry is added.
pub fn lambda_function(name: &str, function: &Function) -> Step {
    task(name, function.arn()).grant(invoke_statement(function))
}

/// How a task waits for the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntegrationPattern {
    /// Call and move on (the default).
    #[default]
    RequestResponse,
    /// `.sync:2`: wait for the child execution to end (STANDARD machines only).
    Sync,
    /// `.waitForTaskToken`: wait for `SendTaskSuccess` with `$$.Task.Token`.
    WaitForTaskToken,
}

/// Options of [`start_execution`] and [`start_execution_of_itself`];
/// `StartExecution::new()` then builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StartExecution {
    /// The child's input (`Input`); default: this state's whole input.
    pub input: Option<Input>,
    /// The execution's name (`Name`); default: one Step Functions generates.
    pub execution_name: Option<Input>,
    /// Whether the task waits for the child (the resource's `.sync:2` or
    /// `.waitForTaskToken` suffix); default: request-response.
    pub pattern: IntegrationPattern,
}

impl StartExecution {
    /// The defaults: this state's whole input, a generated name, no waiting.
    pub fn new() -> Self {
        Self::default()
    }
    /// The child's input (`Input`).
    pub fn input(mut self, input: impl Into<Input>) -> Self {
        self.input = Some(input.into());
        self
    }
    /// The execution's name (`Name`), a literal or from the state's input.
    pub fn execution_name(mut self, name: impl Into<Input>) -> Self {
        self.execution_name = Some(name.into());
        self
    }
    /// How the task waits for the child execution.
    pub fn pattern(mut self, pattern: IntegrationPattern) -> Self {
        self.pattern = pattern;
        self
    }
}

/// Starts an execution of another state machine: `states:StartExecution` on it, and for
/// `.sync` the rights to follow the child (`DescribeExecution`, `StopExecution`) and the
/// EventBridge rule Step Functions uses for it.
pub fn start_execution(name: &str, machine: &StateMachine, options: StartExecution) -> Step {
    start(name, machine.arn(), vec![machine.executions_arn()], options)
}

/// Starts an execution of the state machine this state belongs to, through an ARN built from
/// the machine's name (a `Ref` of itself would be a dependency cycle); the machine gets a
/// generated name when it has none.
pub fn start_execution_of_itself(name: &str, options: StartExecution) -> Step {
    let executions = this_state_machine_executions()
        .into_iter()
        .take(1)
        .collect();
    start(name, this_state_machine_arn(), executions, options)
}

fn start(name: &str, arn: Value, executions: Vec<Value>, options: StartExecution) -> Step {
    let suffix = match options.pattern {
        IntegrationPattern::RequestResponse => "",
        IntegrationPattern::Sync => ".sync:2",
        IntegrationPattern::WaitForTaskToken => ".waitForTaskToken",
    };
    let mut p = Input::object()
        .field("StateMachineArn", arn.clone())
        .field("Input", options.input.unwrap_or_else(Input::state_input));
    if let Some(n) = options.execution_name {
        p = p.field("Name", n);
    }
    let mut step = task(
        name,
        integration_arn(&format!("states:startExecution{suffix}")),
    )
    .input(p)
    .grant(
        PolicyStatement::allow()
            .action("states:StartExecution")
            .resource(arn),
    );
    if options.pattern == IntegrationPattern::Sync {
        step = step
            .grant(
                PolicyStatement::allow()
                    .actions(["states:DescribeExecution", "states:StopExecution"])
                    .resources(executions),
            )
            .grant(
                PolicyStatement::allow()
                    .actions(["events:DescribeRule", "events:PutRule", "events:PutTargets"])
                    .resource(fns::sub(
                        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
                    )),
            );
    }
    step
}

fn s3_task(name: &str, action: &str, bucket: &Bucket, key: &ObjectKey, extra: Input) -> Step {
    let mut parameters = Input::object()
        .field("Bucket", bucket.name())
        .field("Key", key.input());
    if let Input::Object(fields) = extra {
        for (k, v) in fields {
            parameters = parameters.field(&k, v);
        }
    }
    let iam_action = format!("s3:{}{}", action[..1].to_uppercase(), &action[1..]);
    task(name, integration_arn(&format!("aws-sdk:s3:{action}")))
        .input(parameters)
        .grant(
            PolicyStatement::allow()
                .action(iam_action)
                .resource(key.object_arn(bucket)),
        )
}

/// `aws-sdk:s3:getObject`.
pub fn s3_get_object(name: &str, bucket: &Bucket, key: ObjectKey) -> Step {
    s3_task(name, "getObject", bucket, &key, Input::object())
}

/// `aws-sdk:s3:putObject` with a body (a literal, or from a path).
pub fn s3_put_object(name: &str, bucket: &Bucket, key: ObjectKey, body: ObjectKey) -> Step {
    s3_task(
        name,
        "putObject",
        bucket,
        &key,
        Input::object().field("Body", body.input()),
    )
}

/// `aws-sdk:secretsmanager:getSecretValue` of `secret` (the value in the result's
/// `SecretString`, in the execution's history too: keep such a state's output out of logs you
/// share). The machine's role gets `secretsmanager:GetSecretValue` on the secret, and
/// `kms:Decrypt` on its key when it is one of the app.
pub fn secrets_get_secret_value(name: &str, secret: &crate::secretsmanager::Secret) -> Step {
    let mut step = task(
        name,
        integration_arn("aws-sdk:secretsmanager:getSecretValue"),
    )
    .input(Input::object().field("SecretId", secret.arn()))
    .grant(
        PolicyStatement::allow()
            .action("secretsmanager:GetSecretValue")
            .resource(secret.arn()),
    );
    if let Some(key) = secret.encryption_key() {
        step = step.grant(
            PolicyStatement::allow()
                .action("kms:Decrypt")
                .resource(key.arn()),
        );
    }
    step
}

/// `aws-sdk:ssm:getParameter` of `parameter` (the value in the result's `Parameter.Value`):
/// the machine's role gets `ssm:GetParameter` on it.
pub fn ssm_get_parameter(name: &str, parameter: &crate::ssm::StringParameter) -> Step {
    task(name, integration_arn("aws-sdk:ssm:getParameter"))
        .input(Input::object().field("Name", parameter.name()))
        .grant(
            PolicyStatement::allow()
                .action("ssm:GetParameter")
                .resource(parameter.arn()),
        )
}

/// Any AWS SDK call (`aws-sdk:<service>:<action>`), with the IAM statements it needs given
/// explicitly (an SDK call's rights cannot be derived).
pub fn aws_sdk(
    name: &str,
    service: &str,
    action: &str,
    parameters: impl Into<Input>,
    statements: Vec<PolicyStatement>,
) -> Step {
    let mut step = task(
        name,
        integration_arn(&format!("aws-sdk:{service}:{action}")),
    )
    .input(parameters);
    if statements.is_empty() {
        step = step.with_problem(format!(
            "state {name:?}: the SDK call {service}:{action} needs explicit IAM statements"
        ));
    }
    let service_ok = !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let action_ok = action
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
        && action.chars().all(|c| c.is_ascii_alphanumeric());
    if !service_ok || !action_ok {
        step = step.with_problem(format!(
            "state {name:?}: aws-sdk:{service}:{action} must name a service in lower case and an action in camelCase (aws-sdk:s3:getObject)"
        ));
    }
    for s in statements {
        step = step.grant(s);
    }
    step
}

/// Options of [`http_invoke`].
#[derive(Debug, Clone, PartialEq)]
pub struct HttpInvoke {
    /// `Authentication.ConnectionArn`: the EventBridge connection that holds the API's
    /// credentials.
    pub connection_arn: Value,
    /// `ApiEndpoint`, `https://api.example.com/orders`; the grant covers every URL it is a
    /// prefix of.
    pub endpoint: String,
    /// `Method`: one HTTP method, not `ANY`.
    pub method: HttpMethod,
    /// `RequestBody`.
    pub body: Option<Input>,
    /// `QueryParameters`.
    pub query_parameters: Option<Input>,
    /// `Headers`, besides those of the connection.
    pub headers: Option<Input>,
}

impl HttpInvoke {
    /// A call of `method` on `endpoint` with the credentials of `connection_arn`.
    pub fn new(connection_arn: impl Into<Value>, method: HttpMethod, endpoint: &str) -> Self {
        HttpInvoke {
            connection_arn: connection_arn.into(),
            endpoint: endpoint.to_string(),
            method,
            body: None,
            query_parameters: None,
            headers: None,
        }
    }
    /// The request body (`RequestBody`).
    pub fn body(mut self, body: impl Into<Input>) -> Self {
        self.body = Some(body.into());
        self
    }
    /// The query parameters (`QueryParameters`).
    pub fn query_parameters(mut self, parameters: impl Into<Input>) -> Self {
        self.query_parameters = Some(parameters.into());
        self
    }
    /// The request headers (`Headers`).
    pub fn headers(mut self, headers: impl Into<Input>) -> Self {
        self.headers = Some(headers.into());
        self
    }
}

/// Calls an HTTPS API (`arn:aws:states:::http:invoke`): `states:InvokeHTTPEndpoint` on the
/// machine itself for this method and endpoint, the connection's credentials
/// (`events:RetrieveConnectionCredentials`) and the secret EventBridge keeps them in.
pub fn http_invoke(name: &str, options: HttpInvoke) -> Step {
    let mut p = Input::object()
        .field("ApiEndpoint", options.endpoint.as_str())
        .field("Method", options.method.as_str())
        .field(
            "Authentication",
            Input::object().field("ConnectionArn", options.connection_arn.clone()),
        );
    if let Some(b) = options.body {
        p = p.field("RequestBody", b);
    }
    if let Some(q) = options.query_parameters {
        p = p.field("QueryParameters", q);
    }
    if let Some(h) = options.headers {
        p = p.field("Headers", h);
    }
    let mut problems = Vec::new();
    if options.method == HttpMethod::Any {
        problems.push(format!(
            "state {name:?}: an HTTP task calls one method, not ANY"
        ));
    }
    if !options.endpoint.starts_with("https://") {
        problems.push(format!(
            "state {name:?}: the endpoint {:?} must start with https://",
            options.endpoint
        ));
    }
    let step = task(name, integration_arn("http:invoke"))
        .input(p)
        .grant(
            PolicyStatement::allow()
                .action("states:InvokeHTTPEndpoint")
                .resource(this_state_machine_arn())
                .condition("StringEquals", "states:HTTPMethod", options.method.as_str())
                .condition(
                    "StringLike",
                    "states:HTTPEndpoint",
                    format!("{}*", options.endpoint),
                ),
        )
        .grant(
            PolicyStatement::allow()
                .action("events:RetrieveConnectionCredentials")
                .resource(options.connection_arn),
        )
        .grant(
            PolicyStatement::allow()
                .actions(["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"])
                .resource(fns::sub(
                    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:events!connection/*",
                )),
        );
    problems.into_iter().fold(step, Step::with_problem)
}

/// Waits for a worker of an activity (`Resource` is the activity's ARN). The state
/// machine's role needs no right for it; the workers need `states:GetActivityTask`.
pub fn activity(name: &str, activity_arn: impl Into<Value>) -> Step {
    task(name, activity_arn)
}
