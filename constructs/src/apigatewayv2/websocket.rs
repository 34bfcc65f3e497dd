//! WebSocket APIs (`AWS::ApiGatewayV2::*`, protocol WEBSOCKET): `$connect`, `$disconnect`,
//! `$default` and custom routes to Rust functions, a route selection expression, stages with
//! their deployment, and `grant_manage_connections` for the functions that answer. A route
//! whose function answers through the connections API but is not granted it is a synth
//! problem.

use sha2::{Digest, Sha256};

use crate::core::app::App;
use crate::core::check::Check;
use crate::core::error::Problem;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement, RequiredPermission};
use crate::l1::apigatewayv2::{CfnApi, CfnDeployment, CfnIntegration, CfnRoute, CfnStage};
use crate::lambda::{Function, PermissionProps};

/// Settings of a [`WebSocketApi`]; `WebSocketApiProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSocketApiProps {
    /// `Name`; default `<stack>-<id>`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `RouteSelectionExpression`: where a message names its route; default
    /// `$request.body.action`.
    pub route_selection_expression: String,
}

impl Default for WebSocketApiProps {
    fn default() -> Self {
        WebSocketApiProps {
            name: None,
            description: None,
            route_selection_expression: "$request.body.action".into(),
        }
    }
}

impl WebSocketApiProps {
    /// Messages routed by their `action` field.
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
    /// `RouteSelectionExpression` (`$request.body.type`).
    pub fn route_selection_expression(mut self, expression: impl Into<String>) -> Self {
        self.route_selection_expression = expression.into();
        self
    }
}

/// How a WebSocket route is called and answered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebSocketRouteOptions {
    /// The function answers through the connections API (`PostToConnection`): it must be
    /// granted `execute-api:ManageConnections` ([`WebSocketApi::grant_manage_connections`]),
    /// or synth reports it.
    pub replies: bool,
    /// `$connect` only: callers sign with SigV4 (`AWS_IAM`).
    pub iam: bool,
}

impl WebSocketRouteOptions {
    /// Called, not answering.
    pub fn new() -> Self {
        Self::default()
    }
    /// The function answers through the connections API.
    pub fn replies(mut self) -> Self {
        self.replies = true;
        self
    }
    /// IAM authorization (`$connect` only).
    pub fn iam(mut self) -> Self {
        self.iam = true;
        self
    }
}

/// A WebSocket API.
///
/// # Examples
///
/// ```
/// use constructs::apigatewayv2::{WebSocketApi, WebSocketApiProps, WebSocketRouteOptions};
/// use constructs::lambda::{Function, FunctionProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
/// # // a cargo workspace with the package `chat`, the app's root
/// # let workspace = tempfile::tempdir().unwrap();
/// # for (file, text) in [
/// #     ("Cargo.toml", "[workspace]\nmembers = [\"chat\"]\nresolver = \"2\"\n"),
/// #     ("chat/Cargo.toml", "[package]\nname = \"chat\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
/// #     ("chat/src/main.rs", "fn main() {}\n"),
/// # ] {
/// #     let path = workspace.path().join(file);
/// #     std::fs::create_dir_all(path.parent().unwrap()).unwrap();
/// #     std::fs::write(path, text).unwrap();
/// # }
/// # std::env::set_current_dir(workspace.path()).unwrap();
///
/// let mut stack = Stack::new("Chat");
/// let handler = Function::new(&mut stack, "Handler", FunctionProps::new("chat"));
/// let props = WebSocketApiProps::new().route_selection_expression("$request.body.type");
/// let api = WebSocketApi::new(&mut stack, "Chat", props);
/// api.add_route(&mut stack, "$connect", &handler, WebSocketRouteOptions::new().iam());
/// api.add_route(&mut stack, "message", &handler, WebSocketRouteOptions::new());
/// api.add_stage(&mut stack, "live");
///
/// let template = Template::from_stack(&stack);
/// let chat = json!({"ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.type"});
/// template.has_resource_properties("AWS::ApiGatewayV2::Api", chat);
/// let connect = json!({"RouteKey": "$connect", "AuthorizationType": "AWS_IAM"});
/// template.has_resource_properties("AWS::ApiGatewayV2::Route", connect);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WebSocketApi {
    id: String,
    resource: ResourceRef,
}

/// A stage of a WebSocket API, with the deployment it serves.
///
/// # Examples
///
/// ```
/// use constructs::apigatewayv2::{WebSocketApi, WebSocketApiProps, WebSocketRouteOptions};
/// # use constructs::lambda::{Function, FunctionProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
/// # // a cargo workspace with the package `chat`, the app's root
/// # let workspace = tempfile::tempdir().unwrap();
/// # for (file, text) in [
/// #     ("Cargo.toml", "[workspace]\nmembers = [\"chat\"]\nresolver = \"2\"\n"),
/// #     ("chat/Cargo.toml", "[package]\nname = \"chat\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
/// #     ("chat/src/main.rs", "fn main() {}\n"),
/// # ] {
/// #     let path = workspace.path().join(file);
/// #     std::fs::create_dir_all(path.parent().unwrap()).unwrap();
/// #     std::fs::write(path, text).unwrap();
/// # }
/// # std::env::set_current_dir(workspace.path()).unwrap();
///
/// let mut stack = Stack::new("Chat");
/// let api = WebSocketApi::new(&mut stack, "Chat", WebSocketApiProps::new());
/// let handler = Function::new(&mut stack, "Handler", FunctionProps::new("chat"));
/// api.add_route(&mut stack, "$default", &handler, WebSocketRouteOptions::new());
/// let live = api.add_stage(&mut stack, "live");
/// stack.add_output("Url", live.url());
///
/// let template = Template::from_stack(&stack);
/// let deployment_id = template.logical_id_of_type("AWS::ApiGatewayV2::Deployment");
/// let stage = json!({"StageName": "live", "DeploymentId": {"Ref": deployment_id}});
/// template.has_resource_properties("AWS::ApiGatewayV2::Stage", stage);
/// // the deployment is made once the routes it serves exist
/// let route_id = template.logical_id_of_type("AWS::ApiGatewayV2::Route");
/// template.has_resource("AWS::ApiGatewayV2::Deployment", json!({"DependsOn": [route_id]}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WebSocketStage {
    resource: ResourceRef,
    name: String,
    api: ResourceRef,
}

impl WebSocketStage {
    /// The `AWS::ApiGatewayV2::Stage` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }
    /// The stage's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// `wss://<api>.execute-api.<region>.amazonaws.com/<stage>`: what clients connect to.
    pub fn url(&self) -> Value {
        fns::sub_with(
            format!(
                "wss://${{Api}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{}",
                self.name
            ),
            [("Api", self.api.reference())],
        )
    }
    /// `https://<api>.execute-api.<region>.amazonaws.com/<stage>`: the connections API's
    /// endpoint, where an answering function posts to a connection.
    pub fn callback_url(&self) -> Value {
        fns::sub_with(
            format!(
                "https://${{Api}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{}",
                self.name
            ),
            [("Api", self.api.reference())],
        )
    }
}

/// Checks a WebSocket route key: `$connect`, `$disconnect`, `$default`, or a key of the
/// messages' own (1 to 128 characters, not starting with `$`).
pub fn check_websocket_route_key(key: &str) -> Result<(), String> {
    if matches!(key, "$connect" | "$disconnect" | "$default") {
        return Ok(());
    }
    if key.starts_with('$') {
        return Err(format!(
            "the route key {key:?} starts with $, which only $connect, $disconnect and $default may"
        ));
    }
    if key.is_empty() || key.len() > 128 {
        return Err(format!(
            "the route key has {} characters: 1 to 128 are allowed",
            key.len()
        ));
    }
    Ok(())
}

impl WebSocketApi {
    /// Creates the API; a route selection expression API Gateway refuses is reported at
    /// synth.
    pub fn new(stack: &mut Stack, id: &str, props: WebSocketApiProps) -> WebSocketApi {
        let path = stack.path_of(&format!("{id}/Resource"));
        let e = &props.route_selection_expression;
        let ok = e
            .strip_prefix("$request.body.")
            .or_else(|| {
                e.strip_prefix("${request.body.")
                    .and_then(|r| r.strip_suffix('}'))
            })
            .is_some_and(|field| !field.is_empty());
        if !ok {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!("the route selection expression {e:?} is not $request.body.<field>"),
                )
                .property("RouteSelectionExpression"),
            );
        }
        let name = props
            .name
            .unwrap_or_else(|| format!("{}-{}", stack.name(), id.replace('/', "-")));
        let cfn = CfnApi::new()
            .name(name)
            .protocol_type("WEBSOCKET")
            .route_selection_expression(props.route_selection_expression)
            .description(props.description);
        WebSocketApi {
            id: id.to_string(),
            resource: stack.add(&format!("{id}/Resource"), &cfn),
        }
    }

    /// The `AWS::ApiGatewayV2::Api` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The API's id (`Ref`).
    pub fn api_id(&self) -> Value {
        self.resource.reference()
    }

    /// A route to `function` (a Lambda proxy integration and the permission that lets this
    /// route invoke it). A key API Gateway refuses or the API already has, and IAM
    /// authorization on another route than `$connect`, are reported at synth; so is, at synth,
    /// a function that `replies` but was never granted `execute-api:ManageConnections`.
    pub fn add_route(
        &self,
        stack: &mut Stack,
        route_key: &str,
        function: &Function,
        options: WebSocketRouteOptions,
    ) -> ResourceRef {
        let slug: String = route_key
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let id = format!("{}/Route{slug}", self.id);
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Err(e) = check_websocket_route_key(route_key) {
            stack.add_problem(Problem::new(&path, e).property("RouteKey"));
        }
        let api_prefix = format!("{}/{}/", stack.name(), self.id);
        if stack.resources.iter().any(|(p, r)| {
            p.starts_with(&api_prefix)
                && r.type_name == "AWS::ApiGatewayV2::Route"
                && r.properties.get_path("RouteKey").and_then(Value::as_str) == Some(route_key)
        }) {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!("the API already has the route {route_key:?}"),
                )
                .property("RouteKey"),
            );
        }
        if options.iam && route_key != "$connect" {
            stack.add_problem(
                Problem::new(&path, "a WebSocket API authorizes the $connect route only")
                    .property("AuthorizationType"),
            );
        }
        function.add_permission(
            stack,
            &format!("WebSocketPermission.{}", id.replace('/', ".")),
            PermissionProps::new("apigateway.amazonaws.com").source_arn(fns::sub_with(
                format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/*/{route_key}"),
                [("Api", self.api_id())],
            )),
        );
        let integration = stack.add(
            &format!("{id}/Integration"),
            &CfnIntegration::new(self.api_id(), "AWS_PROXY")
                .integration_uri(crate::apigateway::lambda_invocation_uri(function, false)),
        );
        let mut route = CfnRoute::new(self.api_id(), route_key).target(fns::join(
            "",
            [Value::from("integrations/"), integration.reference()],
        ));
        if options.iam {
            route = route.authorization_type("AWS_IAM");
        }
        if options.replies {
            stack.add_check(RequiredPermission {
                role: function.role().resource().clone(),
                by: path.clone(),
                property: "Target".into(),
                what: format!("the route {route_key:?} answers through the connections API"),
                action: "execute-api:ManageConnections".into(),
                help: "grant it: api.grant_manage_connections(stack, &stage, &function)".into(),
            });
        }
        stack.add(&format!("{id}/Resource"), &route)
    }

    /// A stage serving a deployment of the routes added so far (the deployment's logical id
    /// follows them, so changing a route deploys again). A route added after its stage is
    /// reported at synth.
    pub fn add_stage(&self, stack: &mut Stack, name: &str) -> WebSocketStage {
        let path = stack.path_of(&format!("{}/Stage{name}/Resource", self.id));
        if let Err(e) = crate::core::names::check_name("stage name", name, 1, 128, "_-") {
            stack.add_problem(Problem::new(&path, e.to_string()).property("StageName"));
        }
        let prefix = format!("{}/{}/", stack.name(), self.id);
        let routes: Vec<(String, String)> = stack
            .resources
            .iter()
            .filter(|(p, r)| p.starts_with(&prefix) && r.type_name == "AWS::ApiGatewayV2::Route")
            .map(|(p, r)| (p.clone(), format!("{:?}", r.properties)))
            .collect();
        if routes.is_empty() {
            stack.add_problem(Problem::new(&path, "the API has no route to deploy"));
        }
        let mut hasher = Sha256::new();
        for (p, properties) in &routes {
            hasher.update(p.as_bytes());
            hasher.update(properties.as_bytes());
        }
        let hash: String = hasher.finalize()[..4]
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        let mut deployment = CfnResource::from_props(&CfnDeployment::new(self.api_id()));
        let route_refs: Vec<ResourceRef> = routes
            .iter()
            .map(|(p, _)| ResourceRef {
                stack: stack.name().to_string(),
                path: p.clone(),
            })
            .collect();
        for r in &route_refs {
            deployment.add_depends_on(r);
        }
        let deployment = stack.add_resource(
            &format!("{}/Deployment{hash}/Resource", self.id),
            deployment,
        );
        stack.add_check(RoutesDeployed {
            api_prefix: prefix,
            deployed: route_refs.into_iter().map(|r| r.path).collect(),
            stage: path,
        });
        let resource = stack.add(
            &format!("{}/Stage{name}/Resource", self.id),
            &CfnStage::new(self.api_id(), name).deployment_id(deployment.reference()),
        );
        WebSocketStage {
            resource,
            name: name.to_string(),
            api: self.resource.clone(),
        }
    }

    /// `execute-api:ManageConnections` on the connections of `stage`: what a function needs
    /// to post to, read and close connections.
    pub fn grant_manage_connections(
        &self,
        stack: &mut Stack,
        stage: &WebSocketStage,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        grant(
            stack,
            grantee,
            &["execute-api:ManageConnections"],
            vec![fns::sub_with(
                format!(
                    "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/{}/POST/@connections/*",
                    stage.name
                ),
                [("Api", self.api_id())],
            )],
        )
    }
}

/// Every route of a WebSocket API is in its stage's deployment (a route added after the
/// stage would not be served until the next deployment).
#[derive(Debug, Clone, PartialEq)]
struct RoutesDeployed {
    api_prefix: String,
    deployed: Vec<String>,
    stage: String,
}

impl Check for RoutesDeployed {
    fn check(&self, stack: &Stack, _app: &App) -> Vec<Problem> {
        stack
            .resources
            .iter()
            .filter(|(p, r)| {
                p.starts_with(&self.api_prefix)
                    && r.type_name == "AWS::ApiGatewayV2::Route"
                    && !self.deployed.contains(p)
            })
            .map(|(p, _)| {
                Problem::new(
                    &self.stage,
                    format!("the route {p} was added after this stage, whose deployment does not serve it"),
                )
                .property("DeploymentId")
                .help("add every route before add_stage")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys() {
        assert!(check_websocket_route_key("$connect").is_ok());
        assert!(check_websocket_route_key("sendMessage").is_ok());
        assert!(check_websocket_route_key("$custom").is_err());
        assert!(check_websocket_route_key("").is_err());
        assert!(check_websocket_route_key(&"a".repeat(129)).is_err());
    }
}
