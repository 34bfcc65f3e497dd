//! HTTP APIs from a user's app: routes to a function (the permission scoped to the route), to
//! AWS services (each integration's role and request parameters whole), authorizers, CORS
//! and stages; and each refusal with its construct path and property.
//!
//! Expected values come from AWS's documentation: the Lambda permission's source ARN
//! (`arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/<path>`, "Working with
//! AWS Lambda proxy integrations for HTTP APIs"); the integration subtypes and their
//! parameters ("Integration subtype reference": StepFunctions-StartExecution takes
//! StateMachineArn and Input, SQS-SendMessage QueueUrl and MessageBody (and MessageGroupId),
//! EventBridge-PutEvents Source, DetailType, Detail and EventBusName; payload format 1.0);
//! JWT authorizers ("Controlling access to HTTP APIs with JWT authorizers": an issuer URL and
//! at least one audience; scopes only with JWT); Lambda authorizers (payload 2.0, simple
//! responses, a TTL of at most 3,600 s and identity sources when cached); CORS ("Configuring
//! CORS for an HTTP API": credentials cannot be allowed with the origin `*`; MaxAge at most
//! 86,400); StartSyncExecution runs EXPRESS machines only.

mod common;

use common::{assert_contains_all, problems_in, statements, workspace};

use constructs::apigatewayv2::{
    HttpAccessLogFormat, HttpApi, HttpApiProps, HttpCors, HttpIntegration, HttpStageProps,
    JwtAuthorizerProps, LambdaAuthorizerProps, RouteOptions,
};
use constructs::assertions::Template;
use constructs::events::{EventBus, EventBusProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use constructs::sqs::{Queue, QueueProps};
use constructs::stepfunctions::asl::pass;
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::Stack;
use serde_json::{json, Value as Json};

fn id_of(t: &Template, type_name: &str, prefix: &str) -> String {
    t.find_resources(type_name, json!({}))
        .keys()
        .find(|k| k.starts_with(prefix))
        .cloned()
        .unwrap_or_else(|| panic!("no {type_name} {prefix}"))
}

fn source_arn(api: &str, rest: &str) -> Json {
    json!({"Fn::Sub": [
        format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/{rest}"),
        {"Api": {"Ref": api}}
    ]})
}

#[test]
fn routes_to_a_function_are_allowed_for_that_route_only() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let handler = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    let api = HttpApi::new(
        &mut s,
        "Api",
        HttpApiProps::new().cors(
            HttpCors::new()
                .origin("https://shop.example.com")
                .method("GET")
                .method("POST")
                .header("content-type")
                .max_age_seconds(600)
                .allow_credentials(),
        ),
    );
    api.add_route(
        &mut s,
        "GET /items/{id}",
        HttpIntegration::lambda(&handler),
        RouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "$default",
        HttpIntegration::lambda(&handler),
        RouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "ANY /files/{path+}",
        HttpIntegration::http_proxy("ANY", "https://files.example.com/{path}"),
        RouteOptions::new().iam(),
    );
    s.add_output("Url", api.url().expect("the $default stage"));
    let t = Template::from_stack_in(ws.path(), &s);
    let api_id = t.logical_id_of_type("AWS::ApiGatewayV2::Api");
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        json!({
            "Name": "S-Api",
            "ProtocolType": "HTTP",
            "CorsConfiguration": {
                "AllowCredentials": true,
                "AllowHeaders": ["content-type"],
                "AllowMethods": ["GET", "POST"],
                "AllowOrigins": ["https://shop.example.com"],
                "MaxAge": 600
            }
        }),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        json!({"ApiId": {"Ref": api_id}, "StageName": "$default", "AutoDeploy": true}),
    );
    let item = id_of(&t, "AWS::ApiGatewayV2::Integration", "ApiRouteGETitemsid");
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Integration",
        json!({
            "ApiId": {"Ref": api_id},
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": {"Fn::GetAtt": [id_of(&t, "AWS::Lambda::Function", "Handler"), "Arn"]},
            "PayloadFormatVersion": "2.0"
        }),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Route",
        json!({
            "ApiId": {"Ref": api_id},
            "RouteKey": "GET /items/{id}",
            "Target": {"Fn::Join": ["", ["integrations/", {"Ref": item}]]}
        }),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Route",
        json!({"RouteKey": "ANY /files/{path+}", "AuthorizationType": "AWS_IAM"}),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Integration",
        json!({
            "IntegrationType": "HTTP_PROXY",
            "IntegrationMethod": "ANY",
            "IntegrationUri": "https://files.example.com/{path}",
            "PayloadFormatVersion": "1.0"
        }),
    );
    let sources: Vec<Json> = t
        .find_resources(
            "AWS::Lambda::Permission",
            json!({"Principal": "apigateway.amazonaws.com"}),
        )
        .values()
        .map(|p| p["Properties"]["SourceArn"].clone())
        .collect();
    assert_eq!(
        sources,
        [
            source_arn(&api_id, "*/GET/items/{id}"),
            source_arn(&api_id, "*/$default")
        ]
    );
    t.has_output(
        "Url",
        json!({"Value": {"Fn::Join": ["", [{"Fn::GetAtt": [api_id, "ApiEndpoint"]}, "/"]]}}),
    );
}

#[test]
fn service_integrations_get_a_role_allowed_exactly_their_action() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let flow = StateMachine::new(&mut s, "Flow", StateMachineProps::new(pass("P")));
    let quick = StateMachine::new(&mut s, "Quick", StateMachineProps::new(pass("P")).express());
    let inbox = Queue::new(&mut s, "Inbox", QueueProps::new());
    let bus = EventBus::new(&mut s, "Bus", EventBusProps::new());
    let api = HttpApi::new(&mut s, "Api", HttpApiProps::new());
    api.add_route(
        &mut s,
        "POST /orders",
        HttpIntegration::start_execution(&flow),
        RouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "POST /quotes",
        HttpIntegration::start_sync_execution(&quick),
        RouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "POST /inbox",
        HttpIntegration::send_message(&inbox),
        RouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "POST /events",
        HttpIntegration::put_events(&bus, "shop.orders", "Order placed"),
        RouteOptions::new(),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let role_arn =
        |prefix: &str| json!({"Fn::GetAtt": [id_of(&t, "AWS::IAM::Role", prefix), "Arn"]});
    let flow_ref = json!({"Ref": id_of(&t, "AWS::StepFunctions::StateMachine", "Flow")});
    let quick_ref = json!({"Ref": id_of(&t, "AWS::StepFunctions::StateMachine", "Quick")});
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Integration",
        json!({
            "IntegrationType": "AWS_PROXY",
            "IntegrationSubtype": "StepFunctions-StartExecution",
            "CredentialsArn": role_arn("ApiRoutePOSTorders"),
            "PayloadFormatVersion": "1.0",
            "RequestParameters": {"StateMachineArn": flow_ref, "Input": "$request.body"}
        }),
    );
    assert_eq!(
        statements(&t, "ApiRoutePOSTordersRole"),
        vec![json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": flow_ref})]
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Integration",
        json!({
            "IntegrationSubtype": "StepFunctions-StartSyncExecution",
            "RequestParameters": {"StateMachineArn": quick_ref, "Input": "$request.body"}
        }),
    );
    assert_eq!(
        statements(&t, "ApiRoutePOSTquotesRole"),
        vec![
            json!({"Action": "states:StartSyncExecution", "Effect": "Allow", "Resource": quick_ref})
        ]
    );
    let inbox_id = id_of(&t, "AWS::SQS::Queue", "Inbox");
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Integration",
        json!({
            "IntegrationSubtype": "SQS-SendMessage",
            "RequestParameters": {"QueueUrl": {"Ref": inbox_id}, "MessageBody": "$request.body"}
        }),
    );
    assert_eq!(
        statements(&t, "ApiRoutePOSTinboxRole"),
        vec![
            json!({"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": {"Fn::GetAtt": [inbox_id, "Arn"]}})
        ]
    );
    let bus_id = id_of(&t, "AWS::Events::EventBus", "Bus");
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Integration",
        json!({
            "IntegrationSubtype": "EventBridge-PutEvents",
            "RequestParameters": {
                "Source": "shop.orders",
                "DetailType": "Order placed",
                "Detail": "$request.body",
                "EventBusName": {"Ref": bus_id}
            }
        }),
    );
    assert_eq!(
        statements(&t, "ApiRoutePOSTeventsRole"),
        vec![
            json!({"Action": "events:PutEvents", "Effect": "Allow", "Resource": {"Fn::GetAtt": [bus_id, "Arn"]}})
        ]
    );
}

#[test]
fn authorizers_and_stages_render_as_api_gateway_takes_them() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let handler = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    let gate = Function::new(&mut s, "Gate", FunctionProps::new("two"));
    let logs = LogGroup::new(&mut s, "Access", LogGroupProps::new(RetentionDays::OneWeek));
    let api = HttpApi::new(&mut s, "Api", HttpApiProps::new().without_default_stage());
    let jwt = api.add_jwt_authorizer(
        &mut s,
        "Users",
        JwtAuthorizerProps::new("https://issuer.example.com", ["client-1"]),
    );
    let lambda = api.add_lambda_authorizer(
        &mut s,
        "Tenant",
        &gate,
        LambdaAuthorizerProps::new().identity_sources(["$request.header.X-Tenant"]),
    );
    api.add_route(
        &mut s,
        "GET /orders",
        HttpIntegration::lambda(&handler),
        RouteOptions::new().authorizer(&jwt).scope("orders/read"),
    );
    api.add_route(
        &mut s,
        "PUT /orders/{id}",
        HttpIntegration::lambda(&handler),
        RouteOptions::new().authorizer(&lambda),
    );
    let live = api.add_stage(
        &mut s,
        HttpStageProps::new("live")
            .throttle(20, 10.0)
            .access_log(&logs, HttpAccessLogFormat::JsonStandard),
    );
    s.add_output("LiveUrl", live.url(&api));
    let t = Template::from_stack_in(ws.path(), &s);
    let api_id = t.logical_id_of_type("AWS::ApiGatewayV2::Api");
    let users = id_of(&t, "AWS::ApiGatewayV2::Authorizer", "ApiUsers");
    let tenant = id_of(&t, "AWS::ApiGatewayV2::Authorizer", "ApiTenant");
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        json!({
            "ApiId": {"Ref": api_id},
            "AuthorizerType": "JWT",
            "Name": "Users",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Audience": ["client-1"], "Issuer": "https://issuer.example.com"}
        }),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        json!({
            "AuthorizerType": "REQUEST",
            "Name": "Tenant",
            "AuthorizerPayloadFormatVersion": "2.0",
            "AuthorizerResultTtlInSeconds": 300,
            "EnableSimpleResponses": true,
            "IdentitySource": ["$request.header.X-Tenant"],
            "AuthorizerUri": {"Fn::Sub": [
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations",
                {"Function": {"Fn::GetAtt": [id_of(&t, "AWS::Lambda::Function", "Gate"), "Arn"]}}
            ]}
        }),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Route",
        json!({
            "RouteKey": "GET /orders",
            "AuthorizationType": "JWT",
            "AuthorizerId": {"Ref": users},
            "AuthorizationScopes": ["orders/read"]
        }),
    );
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Route",
        json!({"RouteKey": "PUT /orders/{id}", "AuthorizationType": "CUSTOM", "AuthorizerId": {"Ref": tenant}}),
    );
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        json!({
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": [
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/authorizers/${Authorizer}",
                {"Api": {"Ref": api_id}, "Authorizer": {"Ref": tenant}}
            ]}
        }),
    );
    t.resource_count_is("AWS::ApiGatewayV2::Stage", 1);
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        json!({
            "StageName": "live",
            "AutoDeploy": true,
            "DefaultRouteSettings": {"ThrottlingBurstLimit": 20, "ThrottlingRateLimit": 10.0},
            "AccessLogSettings": {"DestinationArn": {"Fn::GetAtt": [id_of(&t, "AWS::Logs::LogGroup", "Access"), "Arn"]}}
        }),
    );
    t.has_output(
        "LiveUrl",
        json!({"Value": {"Fn::Join": ["", [{"Fn::GetAtt": [api_id, "ApiEndpoint"]}, "/live/"]]}}),
    );
}

#[test]
fn what_api_gateway_refuses_is_reported_with_path_and_property() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let handler = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    let flow = StateMachine::new(&mut s, "Flow", StateMachineProps::new(pass("P")));
    let fifo = Queue::new(&mut s, "Fifo", QueueProps::new().fifo());
    let api = HttpApi::new(
        &mut s,
        "Api",
        HttpApiProps::new().cors(
            HttpCors::new()
                .origin("*")
                .allow_credentials()
                .max_age_seconds(90_000),
        ),
    );
    let other = HttpApi::new(&mut s, "Other", HttpApiProps::new());
    let foreign = other.add_jwt_authorizer(
        &mut s,
        "Foreign",
        JwtAuthorizerProps::new("https://issuer.example.com", ["c"]),
    );
    let no_audience = api.add_jwt_authorizer(
        &mut s,
        "NoAudience",
        JwtAuthorizerProps::new("http://issuer.example.com", Vec::<String>::new()),
    );
    let cached = api.add_lambda_authorizer(
        &mut s,
        "Cached",
        &handler,
        LambdaAuthorizerProps::new()
            .ttl_seconds(4000)
            .identity_sources(Vec::<String>::new()),
    );
    api.add_route(
        &mut s,
        "FETCH /items",
        HttpIntegration::lambda(&handler),
        RouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "GET /items",
        HttpIntegration::lambda(&handler),
        RouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "GET /items",
        HttpIntegration::lambda(&handler),
        RouteOptions::new().authorizer(&foreign),
    );
    api.add_route(
        &mut s,
        "POST /sync",
        HttpIntegration::start_sync_execution(&flow),
        RouteOptions::new().authorizer(&cached).scope("a/b"),
    );
    api.add_route(
        &mut s,
        "POST /fifo",
        HttpIntegration::send_message(&fifo),
        RouteOptions::new(),
    );
    api.add_route(
        &mut s,
        "GET /slow",
        HttpIntegration::Lambda {
            function: handler.clone(),
            timeout_ms: Some(31_000),
        },
        RouteOptions::new().authorizer(&no_audience),
    );
    let all = problems_in(ws.path(), s);
    assert_contains_all(
        &all,
        &[
            "S/Api/Resource [CorsConfiguration]: credentials are allowed with the origin *",
            "S/Api/Resource [CorsConfiguration]: a max age of 90000 s is over 86400",
            "S/Api/NoAudience/Resource [JwtConfiguration.Audience]: a JWT authorizer needs at least one audience",
            "S/Api/NoAudience/Resource [JwtConfiguration.Issuer]: the issuer \"http://issuer.example.com\" is not an https:// URL",
            "S/Api/Cached/Resource [AuthorizerResultTtlInSeconds]: a cache TTL of 4000 s is over 3600",
            "S/Api/Cached/Resource [IdentitySource]: a cached authorizer needs identity sources",
            "S/Api/RouteFETCHitems/Resource [RouteKey]: the route key \"FETCH /items\" has the method \"FETCH\"",
            "S/Api/RouteGETitems/Resource [RouteKey]: the API already has the route \"GET /items\"",
            "S/Api/RouteGETitems/Resource [AuthorizerId]: the authorizer S/Other/Foreign/Resource belongs to another API",
            "S/Api/RoutePOSTsync/Resource [AuthorizationScopes]: authorization scopes need a JWT authorizer",
            "S/Api/RoutePOSTsync/Resource [IntegrationSubtype]: StartSyncExecution runs EXPRESS state machines only",
            "S/Api/RoutePOSTfifo/Resource [RequestParameters]: a FIFO queue takes a message only with its group",
            "S/Api/RouteGETslow/Resource [TimeoutInMillis]: an integration timeout of 31000 ms is outside 50..=30000",
        ],
    );
}

#[test]
fn a_custom_domain_maps_a_stage_with_its_certificate_and_record() {
    use constructs::website::{Certificate, HostedZone, SiteCertificate};

    let mut s = Stack::new("S");
    let zone = HostedZone::from_attributes("Z0123456789", "example.com");
    let cert = Certificate::new(&mut s, "Cert", "api.example.com", &[], &zone);
    let api = HttpApi::new(&mut s, "Api", HttpApiProps::new());
    let stage = api.default_stage().cloned().expect("the $default stage");
    api.add_domain(
        &mut s,
        "api.example.com",
        &SiteCertificate::Of(cert.clone()),
        &stage,
        Some(&zone),
    );
    api.add_domain(
        &mut s,
        "shop.example.org",
        &SiteCertificate::Of(cert),
        &stage,
        Some(&zone),
    );
    let all = problems_in(std::path::Path::new("."), s);
    assert_contains_all(
        &all,
        &[
            "S/Api/Domainshopexampleorg/Resource [DomainNameConfigurations]: the certificate does not cover shop.example.org",
            "S/Api/Domainshopexampleorg/Resource [DomainName]: shop.example.org is not in the hosted zone example.com",
        ],
    );
    assert_eq!(
        all.lines().count(),
        2,
        "only the second domain is refused: {all}"
    );

    let mut s = Stack::new("S");
    let cert = Certificate::new(&mut s, "Cert", "api.example.com", &[], &zone);
    let api = HttpApi::new(&mut s, "Api", HttpApiProps::new());
    let stage = api.default_stage().cloned().expect("the $default stage");
    api.add_domain(
        &mut s,
        "api.example.com",
        &SiteCertificate::Of(cert),
        &stage,
        Some(&zone),
    );
    let t = Template::from_stack(&s);
    let domain = t.logical_id_of_type("AWS::ApiGatewayV2::DomainName");
    t.has_resource_properties(
        "AWS::ApiGatewayV2::DomainName",
        json!({
            "DomainName": "api.example.com",
            "DomainNameConfigurations": [{
                "CertificateArn": {"Ref": t.logical_id_of_type("AWS::CertificateManager::Certificate")},
                "EndpointType": "REGIONAL",
                "SecurityPolicy": "TLS_1_2"
            }]
        }),
    );
    t.has_resource(
        "AWS::ApiGatewayV2::ApiMapping",
        json!({
            "Properties": {
                "ApiId": {"Ref": t.logical_id_of_type("AWS::ApiGatewayV2::Api")},
                "DomainName": {"Ref": domain},
                "Stage": "$default"
            },
            "DependsOn": [t.logical_id_of_type("AWS::ApiGatewayV2::Stage")]
        }),
    );
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({
            "Name": "api.example.com.",
            "Type": "A",
            "HostedZoneId": "Z0123456789",
            "AliasTarget": {
                "DNSName": {"Fn::GetAtt": [domain, "RegionalDomainName"]},
                "HostedZoneId": {"Fn::GetAtt": [domain, "RegionalHostedZoneId"]}
            }
        }),
    );
}
