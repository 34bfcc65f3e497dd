//! Routes of an HTTP API, what they call (integrations), and who may call them (authorizers).

use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::events::EventBus;
use crate::iam::{PolicyStatement, Principal, Role, RoleProps};
use crate::l1::apigatewayv2::{CfnIntegration, CfnRoute};
use crate::lambda::{Function, PermissionProps};
use crate::sqs::Queue;
use crate::stepfunctions::{StateMachine, StateMachineType};

use super::{HttpApi, HttpAuthorizer, MAX_INTEGRATION_TIMEOUT_MS};

/// The methods a route key may name.
const METHODS: &[&str] = &[
    "ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
];

/// Checks a route key as API Gateway does: `$default`, or a method and a path
/// (`GET /items/{id}`, `ANY /files/{path+}`), the greedy `{name+}` only last.
pub fn check_route_key(key: &str) -> Result<(String, String), String> {
    if key == "$default" {
        return Ok(("ANY".into(), "$default".into()));
    }
    let Some((method, path)) = key.split_once(' ') else {
        return Err(format!(
            "the route key {key:?} is not $default nor a method and a path (GET /items/{{id}})"
        ));
    };
    if !METHODS.contains(&method) {
        return Err(format!(
            "the route key {key:?} has the method {method:?}: one of {} is allowed",
            METHODS.join(", ")
        ));
    }
    if !path.starts_with('/') {
        return Err(format!("the route key {key:?}: the path must start with /"));
    }
    if path != "/" {
        let segments: Vec<&str> = path[1..].split('/').collect();
        for (i, segment) in segments.iter().enumerate() {
            if segment.is_empty() {
                return Err(format!("the route key {key:?} has an empty path segment"));
            }
            if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let (name, greedy) = match inner.strip_suffix('+') {
                    Some(name) => (name, true),
                    None => (inner, false),
                };
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(format!(
                        "the route key {key:?} has the parameter {segment}: a name of letters, digits and _"
                    ));
                }
                if greedy && i + 1 != segments.len() {
                    return Err(format!(
                        "the route key {key:?}: a greedy parameter ({segment}) must be the last segment"
                    ));
                }
            } else if segment.contains(['{', '}', ' ', '?', '#']) {
                return Err(format!(
                    "the route key {key:?} has the segment {segment:?}: a literal or a whole {{parameter}}"
                ));
            }
        }
    }
    Ok((method.to_string(), path.to_string()))
}

/// What a route calls.
#[derive(Debug, Clone)]
pub enum HttpIntegration {
    /// A Lambda function with the 2.0 payload (`AWS_PROXY`); the function's resource policy
    /// lets this route of this API invoke it.
    Lambda {
        /// The function.
        function: Function,
        /// How long API Gateway waits, 50 to 30,000 ms; default 30,000.
        timeout_ms: Option<u32>,
    },
    /// An HTTP URL, the request passed through (`HTTP_PROXY`).
    HttpProxy {
        /// The method of the request sent (`ANY` passes the caller's).
        method: String,
        /// The URL (`https://example.com/{proxy}`).
        url: Value,
    },
    /// Starts an execution of a state machine with the request's body as input
    /// (`StepFunctions-StartExecution`).
    StepFunctionsStart(StateMachine),
    /// Runs an EXPRESS state machine and answers its result
    /// (`StepFunctions-StartSyncExecution`).
    StepFunctionsStartSync(StateMachine),
    /// Sends the request's body to a queue (`SQS-SendMessage`); a FIFO queue needs the
    /// message group (a literal or a `$request` mapping).
    SqsSendMessage {
        /// The queue.
        queue: Queue,
        /// `MessageGroupId`, for a FIFO queue.
        group_id: Option<String>,
    },
    /// Puts the request's body on an event bus as an event's detail
    /// (`EventBridge-PutEvents`).
    EventBridgePutEvents {
        /// The bus.
        bus: EventBus,
        /// The event's `Source`.
        source: String,
        /// The event's `DetailType`.
        detail_type: String,
    },
}

impl HttpIntegration {
    /// A Lambda function, payload 2.0.
    pub fn lambda(function: &Function) -> Self {
        HttpIntegration::Lambda {
            function: function.clone(),
            timeout_ms: None,
        }
    }
    /// An HTTP URL, passed through.
    pub fn http_proxy(method: &str, url: impl Into<Value>) -> Self {
        HttpIntegration::HttpProxy {
            method: method.to_string(),
            url: url.into(),
        }
    }
    /// Starts an execution with the request's body.
    pub fn start_execution(machine: &StateMachine) -> Self {
        HttpIntegration::StepFunctionsStart(machine.clone())
    }
    /// Runs an EXPRESS machine synchronously.
    pub fn start_sync_execution(machine: &StateMachine) -> Self {
        HttpIntegration::StepFunctionsStartSync(machine.clone())
    }
    /// Sends the request's body to a queue.
    pub fn send_message(queue: &Queue) -> Self {
        HttpIntegration::SqsSendMessage {
            queue: queue.clone(),
            group_id: None,
        }
    }
    /// Puts an event on a bus.
    pub fn put_events(bus: &EventBus, source: &str, detail_type: &str) -> Self {
        HttpIntegration::EventBridgePutEvents {
            bus: bus.clone(),
            source: source.to_string(),
            detail_type: detail_type.to_string(),
        }
    }
}

/// Who may call a route: nobody checked (the default), IAM, or an authorizer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteOptions {
    /// `AuthorizationType: AWS_IAM`: callers sign with SigV4 and need `execute-api:Invoke`.
    pub iam: bool,
    /// A JWT or Lambda authorizer.
    pub authorizer: Option<HttpAuthorizer>,
    /// `AuthorizationScopes` (JWT authorizers only): the token must have one.
    pub scopes: Vec<String>,
}

impl RouteOptions {
    /// No authorization.
    pub fn new() -> Self {
        Self::default()
    }
    /// IAM authorization.
    pub fn iam(mut self) -> Self {
        self.iam = true;
        self
    }
    /// An authorizer of the route's API.
    pub fn authorizer(mut self, authorizer: &HttpAuthorizer) -> Self {
        self.authorizer = Some(authorizer.clone());
        self
    }
    /// A scope the JWT must have (`orders/read`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }
}

/// A route of an HTTP API.
///
/// # Examples
///
/// ```
/// use constructs::apigatewayv2::{HttpApi, HttpApiProps, HttpIntegration, RouteOptions};
/// # use constructs::sqs::{Queue, QueueProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let orders = Queue::new(&mut stack, "Orders", QueueProps::new());
/// let api = HttpApi::new(&mut stack, "Api", HttpApiProps::new());
/// let send = HttpIntegration::send_message(&orders);
/// let route = api.add_route(&mut stack, "POST /orders", send, RouteOptions::new().iam());
/// assert_eq!((route.method(), route.path()), ("POST", "/orders"));
///
/// let template = Template::from_stack(&stack);
/// let signed = json!({"RouteKey": "POST /orders", "AuthorizationType": "AWS_IAM"});
/// template.has_resource_properties("AWS::ApiGatewayV2::Route", signed);
/// template.has_resource_properties("AWS::ApiGatewayV2::Integration", json!({
///     "IntegrationType": "AWS_PROXY",
///     "IntegrationSubtype": "SQS-SendMessage",
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRoute {
    resource: ResourceRef,
    integration: ResourceRef,
    method: String,
    path: String,
}

impl HttpRoute {
    /// The `AWS::ApiGatewayV2::Route` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }
    /// The `AWS::ApiGatewayV2::Integration` resource the route targets.
    pub fn integration(&self) -> &ResourceRef {
        &self.integration
    }
    /// The route's method (`ANY` for `$default`).
    pub fn method(&self) -> &str {
        &self.method
    }
    /// The route's path (`$default` for that route).
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// A construct id from a route key (`GET /items/{id}` -> `GETitemsid`).
fn route_id(key: &str) -> String {
    let id: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if id.is_empty() {
        "Root".into()
    } else {
        id
    }
}

impl HttpApi {
    /// A route (`GET /items/{id}`, `$default`) to `integration`: the route, its integration,
    /// and what the integration needs (the function's permission for this route, the
    /// service integration's role). A route key API Gateway refuses, one the API already
    /// has, scopes without a JWT authorizer and an authorizer of another API are reported at
    /// synth.
    pub fn add_route(
        &self,
        stack: &mut Stack,
        route_key: &str,
        integration: HttpIntegration,
        options: RouteOptions,
    ) -> HttpRoute {
        let id = format!("{}/Route{}", self.id, route_id(route_key));
        let path = stack.path_of(&format!("{id}/Resource"));
        let (method, route_path) = match check_route_key(route_key) {
            Ok(parts) => parts,
            Err(e) => {
                stack.add_problem(Problem::new(&path, e).property("RouteKey"));
                ("ANY".to_string(), "/".to_string())
            }
        };
        let api_prefix = format!("{}/{}/", stack.name(), self.id);
        let taken = stack.resources.iter().any(|(p, r)| {
            p.starts_with(&api_prefix)
                && r.type_name == "AWS::ApiGatewayV2::Route"
                && r.properties.get_path("RouteKey").and_then(Value::as_str) == Some(route_key)
        });
        if taken {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!("the API already has the route {route_key:?}"),
                )
                .property("RouteKey"),
            );
        }
        let cfn_integration =
            self.render_integration(stack, &id, &path, &method, &route_path, integration);
        let integration = stack.add(&format!("{id}/Integration"), &cfn_integration);
        let mut route = CfnRoute::new(self.api_id(), route_key).target(fns::join(
            "",
            [Value::from("integrations/"), integration.reference()],
        ));
        let jwt = options.authorizer.as_ref().is_some_and(|a| a.jwt);
        if !options.scopes.is_empty() && !jwt {
            stack.add_problem(
                Problem::new(&path, "authorization scopes need a JWT authorizer")
                    .property("AuthorizationScopes"),
            );
        }
        if options.iam && options.authorizer.is_some() {
            stack.add_problem(
                Problem::new(
                    &path,
                    "a route is authorized by IAM or by an authorizer, not both",
                )
                .property("AuthorizationType"),
            );
        }
        if let Some(a) = &options.authorizer {
            if a.api != self.resource {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!(
                            "the authorizer {} belongs to another API: a route can use the authorizers of its own API only",
                            a.resource().path()
                        ),
                    )
                    .property("AuthorizerId"),
                );
            }
            route = route
                .authorization_type(if a.jwt { "JWT" } else { "CUSTOM" })
                .authorizer_id(a.authorizer_id());
            if !options.scopes.is_empty() {
                route = route.authorization_scopes(options.scopes.clone());
            }
        } else if options.iam {
            route = route.authorization_type("AWS_IAM");
        }
        let resource = stack.add(&format!("{id}/Resource"), &route);
        HttpRoute {
            resource,
            integration,
            method,
            path: route_path,
        }
    }

    /// The integration's resource; the permission or role it needs.
    fn render_integration(
        &self,
        stack: &mut Stack,
        id: &str,
        path: &str,
        method: &str,
        route_path: &str,
        integration: HttpIntegration,
    ) -> CfnIntegration {
        let service_role = |stack: &mut Stack, statement: PolicyStatement| {
            let role = Role::new(
                stack,
                &format!("{id}/Role"),
                RoleProps::new(Principal::service("apigateway.amazonaws.com")),
            );
            role.add_to_policy(stack, statement);
            role
        };
        let service = |subtype: &str, role: Value, parameters: Vec<(&str, Value)>| {
            CfnIntegration::new(self.api_id(), "AWS_PROXY")
                .integration_subtype(subtype)
                .credentials_arn(role)
                .payload_format_version("1.0")
                .request_parameters(
                    parameters
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<indexmap::IndexMap<_, _>>(),
                )
        };
        match integration {
            HttpIntegration::Lambda {
                function,
                timeout_ms,
            } => {
                if let Some(ms) = timeout_ms {
                    if !(50..=MAX_INTEGRATION_TIMEOUT_MS).contains(&ms) {
                        stack.add_problem(
                            Problem::new(
                                path,
                                format!("an integration timeout of {ms} ms is outside 50..=30000"),
                            )
                            .property("TimeoutInMillis"),
                        );
                    }
                }
                let source = if route_path == "$default" {
                    fns::sub_with(
                        "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/$default",
                        [("Api", self.api_id())],
                    )
                } else {
                    self.execute_arn(method, route_path)
                };
                function.add_permission(
                    stack,
                    &format!("HttpApiPermission.{}", id.replace('/', ".")),
                    PermissionProps::new("apigateway.amazonaws.com").source_arn(source),
                );
                CfnIntegration::new(self.api_id(), "AWS_PROXY")
                    .integration_uri(function.arn())
                    .payload_format_version("2.0")
                    .timeout_in_millis(timeout_ms)
            }
            HttpIntegration::HttpProxy { method, url } => {
                if let Value::String(u) = &url {
                    if !(u.starts_with("https://") || u.starts_with("http://")) {
                        stack.add_problem(
                            Problem::new(path, format!("{u:?} is not an http(s) URL"))
                                .property("IntegrationUri"),
                        );
                    }
                }
                CfnIntegration::new(self.api_id(), "HTTP_PROXY")
                    .integration_method(method)
                    .integration_uri(url)
                    .payload_format_version("1.0")
            }
            HttpIntegration::StepFunctionsStart(machine) => {
                let role = service_role(
                    stack,
                    PolicyStatement::allow()
                        .action("states:StartExecution")
                        .resource(machine.arn()),
                );
                service(
                    "StepFunctions-StartExecution",
                    role.arn(),
                    vec![
                        ("StateMachineArn", machine.arn()),
                        ("Input", Value::from("$request.body")),
                    ],
                )
            }
            HttpIntegration::StepFunctionsStartSync(machine) => {
                if machine.kind() != StateMachineType::Express {
                    stack.add_problem(
                        Problem::new(
                            path,
                            "StartSyncExecution runs EXPRESS state machines only: make the machine express, or start it asynchronously",
                        )
                        .property("IntegrationSubtype"),
                    );
                }
                let role = service_role(
                    stack,
                    PolicyStatement::allow()
                        .action("states:StartSyncExecution")
                        .resource(machine.arn()),
                );
                service(
                    "StepFunctions-StartSyncExecution",
                    role.arn(),
                    vec![
                        ("StateMachineArn", machine.arn()),
                        ("Input", Value::from("$request.body")),
                    ],
                )
            }
            HttpIntegration::SqsSendMessage { queue, group_id } => {
                if queue.is_fifo() && group_id.is_none() {
                    stack.add_problem(
                        Problem::new(
                            path,
                            "a FIFO queue takes a message only with its group: give the integration's group id",
                        )
                        .property("RequestParameters"),
                    );
                }
                let role = service_role(
                    stack,
                    PolicyStatement::allow()
                        .action("sqs:SendMessage")
                        .resource(queue.arn()),
                );
                // a queue under a customer key: the role encrypts what it sends
                queue.grant_key(stack, &role, &["kms:Decrypt", "kms:GenerateDataKey"]);
                let mut parameters = vec![
                    ("QueueUrl", queue.url()),
                    ("MessageBody", Value::from("$request.body")),
                ];
                if let Some(group) = group_id {
                    parameters.push(("MessageGroupId", Value::from(group)));
                }
                service("SQS-SendMessage", role.arn(), parameters)
            }
            HttpIntegration::EventBridgePutEvents {
                bus,
                source,
                detail_type,
            } => {
                if source.is_empty() || source.starts_with("aws.") {
                    stack.add_problem(
                        Problem::new(
                            path,
                            format!("the event source {source:?} is empty or starts with aws., which EventBridge keeps for AWS's services"),
                        )
                        .property("RequestParameters"),
                    );
                }
                let role = service_role(
                    stack,
                    PolicyStatement::allow()
                        .action("events:PutEvents")
                        .resource(bus.arn()),
                );
                service(
                    "EventBridge-PutEvents",
                    role.arn(),
                    vec![
                        ("Source", Value::from(source)),
                        ("DetailType", Value::from(detail_type)),
                        ("Detail", Value::from("$request.body")),
                        ("EventBusName", bus.name()),
                    ],
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys() {
        assert_eq!(
            check_route_key("GET /items/{id}"),
            Ok(("GET".into(), "/items/{id}".into()))
        );
        assert!(check_route_key("$default").is_ok());
        assert!(check_route_key("ANY /files/{path+}").is_ok());
        assert!(check_route_key("POST /").is_ok());
        assert!(check_route_key("FETCH /items").is_err());
        assert!(check_route_key("GET items").is_err());
        assert!(check_route_key("GET /a//b").is_err());
        assert!(check_route_key("GET /{path+}/x").is_err());
        assert!(check_route_key("GET /{}").is_err());
        assert!(check_route_key("GET").is_err());
        assert!(check_route_key("GET /a{b}").is_err());
        assert_eq!(route_id("GET /items/{id}"), "GETitemsid");
        assert_eq!(route_id("$default"), "default");
    }
}
