//! WebSocket APIs from a user's app: routes to functions with their permission, the stage and
//! the deployment that serves the routes, `grant_manage_connections` whole; and the refusals:
//! an answering function that is not granted the connections API, IAM on another route than
//! `$connect`, a reserved route key, a route added after its stage.
//!
//! Expected values come from AWS's documentation ("Working with WebSocket APIs": the route
//! selection expression `$request.body.<field>`, the `$connect`/`$disconnect`/`$default`
//! routes, authorization on `$connect` only; "Use @connections commands in your backend
//! service": `execute-api:ManageConnections` on
//! `arn:aws:execute-api:<region>:<account>:<api>/<stage>/POST/@connections/*`; a WebSocket
//! API is served by an explicit deployment of its routes, auto-deploy being for HTTP APIs).

mod common;

use common::{assert_contains_all, problems_in, statements, workspace};

use constructs::apigatewayv2::{WebSocketApi, WebSocketApiProps, WebSocketRouteOptions};
use constructs::assertions::Template;
use constructs::lambda::{Function, FunctionProps};
use constructs::Stack;
use serde_json::json;

#[test]
fn routes_a_stage_and_the_connections_grant() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let connect = Function::new(&mut s, "Connect", FunctionProps::new("one"));
    let chat = Function::new(&mut s, "Talk", FunctionProps::new("two"));
    let api = WebSocketApi::new(
        &mut s,
        "Chat",
        WebSocketApiProps::new().route_selection_expression("$request.body.type"),
    );
    api.add_route(
        &mut s,
        "$connect",
        &connect,
        WebSocketRouteOptions::new().iam(),
    );
    api.add_route(
        &mut s,
        "$disconnect",
        &connect,
        WebSocketRouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "sendMessage",
        &chat,
        WebSocketRouteOptions::new().replies(),
    );
    let live = api.add_stage(&mut s, "live");
    api.grant_manage_connections(&mut s, &live, &chat);
    s.add_output("Url", live.url());
    s.add_output("Callback", live.callback_url());
    let t = Template::from_stack_in(ws.path(), &s);
    let api_id = t.logical_id_of_type("AWS::ApiGatewayV2::Api");
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        json!({"Name": "S-Chat", "ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.type"}),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Route",
        json!({"RouteKey": "$connect", "AuthorizationType": "AWS_IAM"}),
    );
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        json!({
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": [
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/sendMessage",
                {"Api": {"Ref": api_id}}
            ]}
        }),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Integration",
        json!({"IntegrationType": "AWS_PROXY", "IntegrationUri": {"Fn::Sub": [
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations",
            {"Function": {"Fn::GetAtt": [t.find_resources("AWS::Lambda::Function", json!({})).keys().find(|k| k.starts_with("Talk")).cloned().unwrap_or_default(), "Arn"]}}
        ]}}),
    );
    let deployments = t.find_resources("AWS::ApiGatewayV2::Deployment", json!({}));
    let (deployment, body) = deployments.first().expect("a deployment");
    assert_eq!(
        body["DependsOn"].as_array().map(Vec::len),
        Some(3),
        "{body}"
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        json!({"StageName": "live", "DeploymentId": {"Ref": deployment}}),
    );
    let chat_statements = statements(&t, "TalkServiceRole");
    assert!(
        chat_statements.contains(&json!({
            "Action": "execute-api:ManageConnections",
            "Effect": "Allow",
            "Resource": {"Fn::Sub": [
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/live/POST/@connections/*",
                {"Api": {"Ref": api_id}}
            ]}
        })),
        "{chat_statements:#?}"
    );
    t.has_output(
        "Url",
        json!({"Value": {"Fn::Sub": ["wss://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live", {"Api": {"Ref": api_id}}]}}),
    );
}

#[test]
fn an_answering_function_without_the_grant_and_other_refusals() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = Function::new(&mut s, "F", FunctionProps::new("one"));
    let api = WebSocketApi::new(
        &mut s,
        "Chat",
        WebSocketApiProps::new().route_selection_expression("action"),
    );
    api.add_route(
        &mut s,
        "$default",
        &f,
        WebSocketRouteOptions::new().replies(),
    );
    api.add_route(&mut s, "$custom", &f, WebSocketRouteOptions::new());
    api.add_route(&mut s, "send", &f, WebSocketRouteOptions::new().iam());
    api.add_stage(&mut s, "live");
    api.add_route(&mut s, "late", &f, WebSocketRouteOptions::new());
    let all = problems_in(ws.path(), s);
    assert_contains_all(
        &all,
        &[
            "S/Chat/Resource [RouteSelectionExpression]: the route selection expression \"action\" is not $request.body.<field>",
            "S/Chat/Routedefault/Resource [Target]: the route \"$default\" answers through the connections API, but no policy of its role S/F/ServiceRole/Resource allows execute-api:ManageConnections",
            "S/Chat/Routecustom/Resource [RouteKey]: the route key \"$custom\" starts with $",
            "S/Chat/Routesend/Resource [AuthorizationType]: a WebSocket API authorizes the $connect route only",
            "S/Chat/Stagelive/Resource [DeploymentId]: the route S/Chat/Routelate/Resource was added after this stage",
        ],
    );
}
