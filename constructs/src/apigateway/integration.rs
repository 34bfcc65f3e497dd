//! Integrations: what a method calls, and how requests and answers are mapped.

use indexmap::IndexMap;

use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::token::{fns, sub_placeholders};
use crate::core::value::Value;
use crate::dynamodb::Table;
use crate::iam::{PolicyStatement, Principal, Role, RoleProps};
use crate::lambda::{Function, PermissionProps};
use crate::stepfunctions::{StateMachine, StateMachineType};

use super::cfn::{IntegrationType, PassthroughBehavior};
use super::HttpMethod;
use crate::l1::apigateway::method as cfn;

/// A mapping template. Tokens (a state machine's ARN, a function URL, a table name) are
/// named as `${Name}` in the text and given with [`Template::var`]; the template then renders
/// through `Fn::Sub`, where any other `${...}` of the text is escaped so that it stays as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    text: String,
    vars: IndexMap<String, Value>,
}

impl Template {
    /// A template of this text (Velocity, with `$input`, `$util` and `$context`).
    pub fn new(text: impl Into<String>) -> Self {
        Template {
            text: text.into(),
            vars: IndexMap::new(),
        }
    }

    /// Gives the value of `${name}` in the text.
    pub fn var(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.vars.insert(name.to_string(), value.into());
        self
    }

    /// The template's text, as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn to_value(&self) -> Value {
        if self.vars.is_empty() {
            return Value::String(self.text.clone());
        }
        let mut text = self.text.clone();
        for name in sub_placeholders(&self.text) {
            if !self.vars.contains_key(name) {
                text = text.replace(&format!("${{{name}}}"), &format!("${{!{name}}}"));
            }
        }
        fns::sub_with(text, self.vars.clone())
    }
}

/// An integration response (`IntegrationResponses` item): which answers it handles (by
/// status or error pattern) and how it maps them.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrationResponse {
    /// The status of the method response it answers with (`StatusCode`).
    pub status_code: String,
    /// The backend answers it handles (`SelectionPattern`): a regular expression on the
    /// backend's status (HTTP) or error message (Lambda, AWS); default: the answers no other
    /// response handles.
    pub selection_pattern: Option<String>,
    /// The headers of the answer (`ResponseParameters`): `method.response.header.X` -> a
    /// value (`'literal'` or `integration.response...`).
    pub response_parameters: IndexMap<String, Value>,
    /// Content type -> the template that writes the answer's body (`ResponseTemplates`).
    pub response_templates: IndexMap<String, Template>,
}

impl IntegrationResponse {
    /// A response answering with this status, for the answers no other response handles.
    pub fn new(status_code: u16) -> Self {
        IntegrationResponse {
            status_code: status_code.to_string(),
            selection_pattern: None,
            response_parameters: IndexMap::new(),
            response_templates: IndexMap::new(),
        }
    }
    /// The backend answers it handles (`SelectionPattern`), such as `5\d{2}`.
    pub fn selection_pattern(mut self, pattern: &str) -> Self {
        self.selection_pattern = Some(pattern.to_string());
        self
    }
    /// A response header with a fixed value: `header("Access-Control-Allow-Origin", "*")`
    /// renders `'*'`.
    pub fn header(mut self, name: &str, literal: &str) -> Self {
        self.response_parameters.insert(
            format!("method.response.header.{name}"),
            Value::from(format!("'{literal}'")),
        );
        self
    }
    /// The template that writes the answer's body for a content type (`ResponseTemplates`).
    pub fn template(mut self, content_type: &str, template: Template) -> Self {
        self.response_templates
            .insert(content_type.to_string(), template);
        self
    }

    fn render(&self) -> cfn::IntegrationResponse {
        let mut r = cfn::IntegrationResponse::new(self.status_code.as_str())
            .selection_pattern(self.selection_pattern.clone());
        if !self.response_parameters.is_empty() {
            r = r.response_parameters(self.response_parameters.clone());
        }
        if !self.response_templates.is_empty() {
            r = r.response_templates(
                self.response_templates
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_value()))
                    .collect::<IndexMap<_, _>>(),
            );
        }
        r
    }
}

/// What every non-proxy integration may set: `IntegrationOptions::new()` then builder
/// methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntegrationOptions {
    /// Content type -> the template that writes the backend's request (`RequestTemplates`).
    pub request_templates: IndexMap<String, Template>,
    /// The backend request's parameters (`RequestParameters`):
    /// `integration.request.header.X` -> `method.request...` or `'literal'`.
    pub request_parameters: IndexMap<String, Value>,
    /// How the backend's answers are mapped (`IntegrationResponses`).
    pub responses: Vec<IntegrationResponse>,
    /// What happens to a request whose content type has no template
    /// (`PassthroughBehavior`); default: API Gateway's (`WHEN_NO_MATCH`).
    pub passthrough: Option<PassthroughBehavior>,
    /// How long API Gateway waits for the backend (`TimeoutInMillis`), 50 to 29,000 ms;
    /// default: 29,000.
    pub timeout_ms: Option<u32>,
    /// How a body is converted between text and binary (`ContentHandling`):
    /// `CONVERT_TO_TEXT` or `CONVERT_TO_BINARY`; default: passed as it is.
    pub content_handling: Option<String>,
}

impl IntegrationOptions {
    /// No templates, parameters or responses; API Gateway's passthrough and timeout.
    pub fn new() -> Self {
        Self::default()
    }
    /// The template that writes the backend's request for a content type
    /// (`RequestTemplates`).
    pub fn request_template(mut self, content_type: &str, template: Template) -> Self {
        self.request_templates
            .insert(content_type.to_string(), template);
        self
    }
    /// A parameter of the backend's request (`RequestParameters`), such as
    /// `integration.request.header.X` -> `method.request.path.id`.
    pub fn request_parameter(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.request_parameters
            .insert(name.to_string(), value.into());
        self
    }
    /// Adds a mapping of the backend's answers (`IntegrationResponses`).
    pub fn response(mut self, response: IntegrationResponse) -> Self {
        self.responses.push(response);
        self
    }
    /// What happens to a request whose content type has no template (`PassthroughBehavior`).
    pub fn passthrough(mut self, behavior: PassthroughBehavior) -> Self {
        self.passthrough = Some(behavior);
        self
    }
    /// How long API Gateway waits for the backend (`TimeoutInMillis`); outside 50..=29000 is
    /// reported at synth.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = Some(ms);
        self
    }
    /// How a body is converted (`ContentHandling`): `CONVERT_TO_TEXT` or
    /// `CONVERT_TO_BINARY`.
    pub fn content_handling(mut self, handling: impl Into<String>) -> Self {
        self.content_handling = Some(handling.into());
        self
    }

    fn apply(&self, mut i: cfn::Integration) -> cfn::Integration {
        if !self.request_parameters.is_empty() {
            i = i.request_parameters(self.request_parameters.clone());
        }
        if !self.request_templates.is_empty() {
            i = i.request_templates(
                self.request_templates
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_value()))
                    .collect::<IndexMap<_, _>>(),
            );
        }
        if !self.responses.is_empty() {
            i = i.integration_responses(
                self.responses
                    .iter()
                    .map(IntegrationResponse::render)
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(p) = self.passthrough {
            i = i.passthrough_behavior(p);
        }
        if let Some(h) = &self.content_handling {
            i = i.content_handling(cfn::ContentHandling::Other(Value::from(h.as_str())));
        }
        i.timeout_in_millis(self.timeout_ms)
    }
}

/// A call to an AWS service action (`arn:...:apigateway:<region>:<service>:action/<Action>`)
/// with a credentials role allowed exactly what the action needs.
#[derive(Debug, Clone, PartialEq)]
pub struct AwsIntegration {
    /// The service's endpoint prefix (`states`, `dynamodb`).
    pub service: String,
    /// The API action (`StartExecution`).
    pub action: String,
    /// The rights of the credentials role.
    pub statements: Vec<PolicyStatement>,
    /// The credentials role; by default the method gets its own.
    pub role: Option<Role>,
    /// Templates, parameters, responses, passthrough and timeout.
    pub options: IntegrationOptions,
    problems: Vec<String>,
}

impl AwsIntegration {
    /// Any service action, with the statements its role needs.
    pub fn new(service: &str, action: &str, statements: Vec<PolicyStatement>) -> Self {
        let mut problems = Vec::new();
        if statements.is_empty() {
            problems.push(format!(
                "the integration with {service}:{action} needs the IAM statements of its role"
            ));
        }
        AwsIntegration {
            service: service.to_string(),
            action: action.to_string(),
            statements,
            role: None,
            options: IntegrationOptions::new(),
            problems,
        }
    }
    /// Use (and grant) this role instead of a new one.
    pub fn role(mut self, role: &Role) -> Self {
        self.role = Some(role.clone());
        self
    }
    /// The template that writes the action's request for a content type
    /// (`RequestTemplates`).
    pub fn request_template(mut self, content_type: &str, template: Template) -> Self {
        self.options = self.options.request_template(content_type, template);
        self
    }
    /// Adds a mapping of the action's answers (`IntegrationResponses`).
    pub fn response(mut self, response: IntegrationResponse) -> Self {
        self.options = self.options.response(response);
        self
    }
    /// What happens to a request whose content type has no template (`PassthroughBehavior`).
    pub fn passthrough(mut self, behavior: PassthroughBehavior) -> Self {
        self.options = self.options.passthrough(behavior);
        self
    }
    /// How long API Gateway waits for the action (`TimeoutInMillis`), 50 to 29,000 ms.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.options = self.options.timeout_ms(ms);
        self
    }
    /// Replaces the request templates with this one for `application/json`.
    pub fn json_request(mut self, template: Template) -> Self {
        self.options.request_templates.clear();
        self.options = self.options.request_template("application/json", template);
        self
    }
}

/// The Step Functions actions.
pub struct StepFunctions;

impl StepFunctions {
    /// `StartExecution`: the body becomes the execution's input; the answer holds
    /// `executionArn` and `startDate`.
    pub fn start_execution(machine: &StateMachine) -> AwsIntegration {
        AwsIntegration::new(
            "states",
            "StartExecution",
            vec![PolicyStatement::allow().action("states:StartExecution").resource(machine.arn())],
        )
        .json_request(
            Template::new(
                "{\n  \"input\": \"$util.escapeJavaScript($input.json('$'))\",\n  \"stateMachineArn\": \"${StateMachineArn}\"\n}",
            )
            .var("StateMachineArn", machine.arn()),
        )
    }

    /// `StartSyncExecution` (EXPRESS machines): the answer holds the execution's output.
    pub fn start_sync_execution(machine: &StateMachine) -> AwsIntegration {
        let mut i = AwsIntegration::new(
            "states",
            "StartSyncExecution",
            vec![PolicyStatement::allow().action("states:StartSyncExecution").resource(machine.arn())],
        )
        .json_request(
            Template::new(
                "{\n  \"input\": \"$util.escapeJavaScript($input.json('$'))\",\n  \"stateMachineArn\": \"${StateMachineArn}\"\n}",
            )
            .var("StateMachineArn", machine.arn()),
        );
        if machine.kind() != StateMachineType::Express {
            i.problems
                .push("StartSyncExecution works on EXPRESS state machines only".into());
        }
        i
    }

    /// `DescribeExecution` of an execution of `machine` (its ARN in the body's `executionArn`).
    pub fn describe_execution(machine: &StateMachine) -> AwsIntegration {
        AwsIntegration::new(
            "states",
            "DescribeExecution",
            vec![PolicyStatement::allow()
                .action("states:DescribeExecution")
                .resource(machine.executions_arn())],
        )
        .json_request(Template::new(
            "{\n  \"executionArn\": \"$util.escapeJavaScript($input.path('$.executionArn'))\"\n}",
        ))
    }
}

/// The DynamoDB actions, on one table.
pub struct DynamoDb;

impl DynamoDb {
    fn action(table: &Table, action: &str) -> AwsIntegration {
        AwsIntegration::new(
            "dynamodb",
            action,
            vec![PolicyStatement::allow()
                .action(format!("dynamodb:{action}"))
                .resource(table.arn())],
        )
        .json_request(
            Template::new("{\n  \"TableName\": \"${TableName}\"\n}").var("TableName", table.name()),
        )
    }

    /// `Scan` of the whole table.
    pub fn scan(table: &Table) -> AwsIntegration {
        Self::action(table, "Scan")
    }
    /// `Query` (write the request template with the key condition).
    pub fn query(table: &Table) -> AwsIntegration {
        Self::action(table, "Query")
    }
    /// `PutItem` (write the request template with the item).
    pub fn put_item(table: &Table) -> AwsIntegration {
        Self::action(table, "PutItem")
    }
    /// `GetItem` (write the request template with the key).
    pub fn get_item(table: &Table) -> AwsIntegration {
        Self::action(table, "GetItem")
    }
}

/// The URI API Gateway calls a function through (an integration's `Uri`, an authorizer's
/// `AuthorizerUri`): `Invoke`, or `InvokeWithResponseStream` when `streaming`.
pub(crate) fn lambda_invocation_uri(function: &Function, streaming: bool) -> Value {
    let (version, action) = if streaming {
        ("2021-11-15", "response-streaming-invocations")
    } else {
        ("2015-03-31", "invocations")
    };
    fns::sub_with(
        format!("arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/{version}/functions/${{Function}}/{action}"),
        [("Function", function.arn())],
    )
}

/// What a method calls.
#[derive(Debug, Clone, PartialEq)]
pub enum Integration {
    /// An AWS service action (`AWS`).
    Aws(AwsIntegration),
    /// A Lambda function that gets the whole request (`AWS_PROXY`); `streaming` uses
    /// InvokeWithResponseStream and the STREAM response transfer mode.
    LambdaProxy {
        /// The function called; it gets the invoke permission for the method.
        function: Function,
        /// Stream the answer (`ResponseTransferMode: STREAM`).
        streaming: bool,
        /// How long API Gateway waits (`TimeoutInMillis`), 50 to 29,000 ms.
        timeout_ms: Option<u32>,
    },
    /// An HTTP endpoint: `HTTP` with mapping, or `HTTP_PROXY`.
    Http {
        /// The verb of the backend request (`IntegrationHttpMethod`).
        method: HttpMethod,
        /// The endpoint (`Uri`), with `{name}` for path parameters.
        url: Value,
        /// Pass the request and answer as they are (`HTTP_PROXY`) instead of mapping them
        /// (`HTTP`).
        proxy: bool,
        /// Templates, parameters, responses, passthrough and timeout.
        options: IntegrationOptions,
    },
    /// Answered by API Gateway itself (`MOCK`).
    Mock(IntegrationOptions),
}

impl From<AwsIntegration> for Integration {
    fn from(a: AwsIntegration) -> Self {
        Integration::Aws(a)
    }
}

impl Integration {
    /// A Lambda proxy (`AWS_PROXY`): the function gets the whole request and writes the
    /// whole answer.
    pub fn lambda_proxy(function: &Function) -> Self {
        Integration::LambdaProxy {
            function: function.clone(),
            streaming: false,
            timeout_ms: None,
        }
    }

    /// A Lambda proxy whose answer is streamed (InvokeWithResponseStream,
    /// `ResponseTransferMode: STREAM`).
    pub fn lambda_proxy_streaming(function: &Function) -> Self {
        Integration::LambdaProxy {
            function: function.clone(),
            streaming: true,
            timeout_ms: None,
        }
    }

    /// An HTTP endpoint with mapping (`HTTP`).
    pub fn http(method: HttpMethod, url: impl Into<Value>, options: IntegrationOptions) -> Self {
        Integration::Http {
            method,
            url: url.into(),
            proxy: false,
            options,
        }
    }

    /// An HTTP endpoint that gets the request and writes the answer as they are
    /// (`HTTP_PROXY`).
    pub fn http_proxy(method: HttpMethod, url: impl Into<Value>) -> Self {
        Integration::Http {
            method,
            url: url.into(),
            proxy: true,
            options: IntegrationOptions::new(),
        }
    }

    /// Answered by API Gateway itself (`MOCK`): the request template picks the status, the
    /// responses write the answer.
    pub fn mock(options: IntegrationOptions) -> Self {
        Integration::Mock(options)
    }

    /// The integration responses API Gateway maps; `None` for a proxy integration, whose
    /// backend's answer reaches the caller as it is.
    pub(super) fn responses_mut(&mut self) -> Option<&mut Vec<IntegrationResponse>> {
        match self {
            Integration::Aws(a) => Some(&mut a.options.responses),
            Integration::Http {
                proxy: false,
                options,
                ..
            }
            | Integration::Mock(options) => Some(&mut options.responses),
            Integration::Http { proxy: true, .. } | Integration::LambdaProxy { .. } => None,
        }
    }

    /// The `Integration` block; creates the credentials role or the invoke permission.
    pub(crate) fn render(
        self,
        stack: &mut Stack,
        method_id: &str,
        method_path: &str,
        execute_arn: Value,
    ) -> cfn::Integration {
        let check_timeout = |stack: &mut Stack, t: Option<u32>| {
            if let Some(ms) = t {
                if !(50..=29_000).contains(&ms) {
                    stack.add_problem(
                        Problem::new(
                            method_path,
                            format!("integration timeout {ms} ms is outside 50..=29000"),
                        )
                        .property("Integration.TimeoutInMillis"),
                    );
                }
            }
        };
        match self {
            Integration::Aws(a) => {
                for p in &a.problems {
                    stack.add_problem(Problem::new(method_path, p.clone()).property("Integration"));
                }
                check_timeout(stack, a.options.timeout_ms);
                let role = a.role.clone().unwrap_or_else(|| {
                    Role::new(
                        stack,
                        &format!("{method_id}/Role"),
                        RoleProps::new(Principal::service("apigateway.amazonaws.com")),
                    )
                });
                for s in &a.statements {
                    role.add_to_policy(stack, s.clone());
                }
                let i = cfn::Integration::new(IntegrationType::Aws)
                    .credentials(role.arn())
                    .integration_http_method("POST")
                    .uri(fns::sub(format!(
                        "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:{}:action/{}",
                        a.service, a.action
                    )));
                a.options.apply(i)
            }
            Integration::LambdaProxy {
                function,
                streaming,
                timeout_ms,
            } => {
                check_timeout(stack, timeout_ms);
                let permission_id = format!("ApiPermission.{}", method_id.replace('/', "."));
                function.add_permission(
                    stack,
                    &permission_id,
                    PermissionProps::new("apigateway.amazonaws.com").source_arn(execute_arn),
                );
                let mut i = cfn::Integration::new(IntegrationType::AwsProxy)
                    .integration_http_method("POST")
                    .timeout_in_millis(timeout_ms)
                    .uri(lambda_invocation_uri(&function, streaming));
                if streaming {
                    i = i.response_transfer_mode(cfn::ResponseTransferMode::Stream);
                }
                i
            }
            Integration::Http {
                method,
                url,
                proxy,
                options,
            } => {
                check_timeout(stack, options.timeout_ms);
                let kind = if proxy {
                    IntegrationType::HttpProxy
                } else {
                    IntegrationType::Http
                };
                let i = cfn::Integration::new(kind)
                    .integration_http_method(method.as_str())
                    .uri(url);
                options.apply(i)
            }
            Integration::Mock(options) => {
                options.apply(cfn::Integration::new(IntegrationType::Mock))
            }
        }
    }
}
