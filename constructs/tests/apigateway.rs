//! REST APIs: integrations, credentials roles, permissions, templates, CORS, deployments.

mod common;

use constructs::apigateway::*;
use constructs::assertions::Template as T;
use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use constructs::stepfunctions::asl::pass;
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::{App, Stack};
use serde_json::{json, Value as Json};

use common::{assert_contains_all, problems, statements, workspace};

/// A stack with an API using every integration kind; `tweak` changes one thing.
fn api_stack(tweak: &str) -> Stack {
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "Status",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let machine = StateMachine::new(&mut s, "Workflow", StateMachineProps::new(pass("P")));
    let express = StateMachine::new(&mut s, "Quick", StateMachineProps::new(pass("Q")).express());
    let function = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    let logs = LogGroup::new(
        &mut s,
        "AccessLogs",
        LogGroupProps::new(RetentionDays::OneWeek),
    );
    let api = RestApi::new(
        &mut s,
        "Api",
        RestApiProps::new()
            .description("test API")
            .default_cors_preflight(CorsOptions::new().status_code(200))
            .cloud_watch_role(),
    );
    let root = api.root();
    let start_template = if tweak == "template" {
        "{\"input\": \"{}\", \"stateMachineArn\": \"${Arn}\"}"
    } else {
        "{\"input\": \"$util.escapeJavaScript($input.json('$'))\", \"stateMachineArn\": \"${Arn}\"}"
    };
    root.add_method(
        &mut s,
        HttpMethod::Post,
        StepFunctions::start_execution(&machine)
            .json_request(Template::new(start_template).var("Arn", machine.arn()))
            .passthrough(PassthroughBehavior::WhenNoTemplates)
            .timeout_ms(if tweak == "integration" { 20_000 } else { 10_000 })
            .response(
                IntegrationResponse::new(200)
                    .header("Access-Control-Allow-Origin", "*")
                    .template("application/json", Template::new("#set($inputRoot = $input.path('$'))\n{\"executionArn\": \"$inputRoot.executionArn\"}")),
            )
            .into(),
        MethodOptions::new()
            .operation_name("StartWorkflow")
            .method_response(
                MethodResponse::new(200)
                    .header("Access-Control-Allow-Origin")
                    .model("application/json", "Empty"),
            ),
    );
    let status = root.add_resource(&mut s, "status");
    status.add_method(
        &mut s,
        HttpMethod::Get,
        DynamoDb::scan(&table)
            .response(IntegrationResponse::new(200))
            .into(),
        if tweak == "method" {
            MethodOptions::new()
        } else {
            MethodOptions::new().api_key_required()
        },
    );
    let sync = root.add_resource(&mut s, "sync");
    sync.add_method(
        &mut s,
        HttpMethod::Post,
        StepFunctions::start_sync_execution(&express).into(),
        MethodOptions::new(),
    );
    let describe = root.add_resource(&mut s, "describe");
    describe.add_method(
        &mut s,
        HttpMethod::Post,
        StepFunctions::describe_execution(&machine).into(),
        MethodOptions::new(),
    );
    let items = root.add_resource(&mut s, "items");
    let item = items.add_resource(&mut s, "{id}");
    item.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::lambda_proxy(&function),
        MethodOptions::new()
            .authorization(Authorization::Iam)
            .request_parameter("method.request.path.id", true)
            .request_validator(Validation {
                body: false,
                parameters: true,
            }),
    );
    let stream = root.add_resource(&mut s, "stream");
    stream.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::lambda_proxy_streaming(&function),
        MethodOptions::new(),
    );
    let proxy = root.add_resource(&mut s, "{proxy+}");
    proxy.add_method(
        &mut s,
        HttpMethod::Any,
        Integration::http_proxy(HttpMethod::Any, "https://example.com/{proxy}"),
        MethodOptions::new(),
    );
    let http = root.add_resource(&mut s, "http");
    http.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::http(
            HttpMethod::Get,
            "https://example.com/data",
            IntegrationOptions::new().response(IntegrationResponse::new(200)),
        ),
        MethodOptions::new(),
    );
    if tweak == "unrelated" {
        Table::new(
            &mut s,
            "Other",
            TableProps::new(Attribute::new("Id", AttributeType::String)),
        );
    }
    let stage = api.deploy(
        &mut s,
        StageOptions::new("live")
            .access_log(&logs, AccessLogFormat::JsonStandard)
            .method_setting(MethodSetting {
                metrics_enabled: true,
                logging_level: Some(LoggingLevel::Error),
                ..MethodSetting::all()
            })
            .tracing()
            .variable("env", "test"),
    );
    let key = api.add_api_key(&mut s, "Key", ApiKeyProps::new().name("partner"));
    let plan = api.add_usage_plan(
        &mut s,
        "Plan",
        UsagePlanProps::new()
            .name("partners")
            .throttle(Throttle {
                burst_limit: 10,
                rate_limit: 5.0,
            })
            .quota(Quota {
                limit: 1000,
                period: Period::Day,
                offset: None,
            })
            .stage(&stage),
    );
    plan.add_api_key(&mut s, &key);
    s.add_output("ApiUrl", stage.url());
    s
}

fn template(tweak: &str) -> T {
    let ws = workspace();
    T::from_stack_in(ws.path(), &api_stack(tweak))
}

fn method(t: &T, verb: &str, resource_prefix: Option<&str>) -> Json {
    let found = t.find_resources("AWS::ApiGateway::Method", json!({"HttpMethod": verb}));
    let matching: Vec<&Json> = found
        .values()
        .filter(|m| match resource_prefix {
            None => m["Properties"]["ResourceId"].get("Fn::GetAtt").is_some(),
            Some(p) => m["Properties"]["ResourceId"]["Ref"]
                .as_str()
                .is_some_and(|r| r.starts_with(p)),
        })
        .collect();
    assert_eq!(matching.len(), 1, "{verb} {resource_prefix:?}: {found:#?}");
    matching[0]["Properties"].clone()
}

#[test]
fn an_api_with_every_integration_kind() {
    let ws = workspace();
    let assembly = {
        let mut app = App::new(ws.path());
        app.add_stack(api_stack(""));
        app.synth().unwrap()
    };
    let mut text = constructs::core::yaml::render(&assembly.stacks[0].template);
    text = text.replace(&assembly.stacks[0].assets[0].hash, "<asset-hash>");
    insta::assert_snapshot!("api_every_integration", text);
}

fn machine_id(t: &T, kind: &str) -> String {
    t.find_resources(
        "AWS::StepFunctions::StateMachine",
        json!({"StateMachineType": kind}),
    )
    .keys()
    .next()
    .unwrap()
    .clone()
}

#[test]
fn aws_integrations_have_their_uri_and_a_role_allowed_exactly_their_action() {
    let t = template("");
    let api_id = t.logical_id_of_type("AWS::ApiGateway::RestApi");
    let workflow = machine_id(&t, "STANDARD");
    let quick = machine_id(&t, "EXPRESS");
    let table = t.logical_id_of_type("AWS::DynamoDB::Table");
    let cases = [
        (
            "POST",
            None,
            "states:action/StartExecution",
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": workflow}}),
        ),
        (
            "GET",
            Some("Apistatus"),
            "dynamodb:action/Scan",
            json!({"Action": "dynamodb:Scan", "Effect": "Allow", "Resource": {"Fn::GetAtt": [table, "Arn"]}}),
        ),
        (
            "POST",
            Some("Apisync"),
            "states:action/StartSyncExecution",
            json!({"Action": "states:StartSyncExecution", "Effect": "Allow", "Resource": {"Ref": quick}}),
        ),
        (
            "POST",
            Some("Apidescribe"),
            "states:action/DescribeExecution",
            // the executions of the machine, not the machine
            json!({"Action": "states:DescribeExecution", "Effect": "Allow",
                   "Resource": {"Fn::Sub": ["arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*",
                                            {"Name": {"Fn::GetAtt": [workflow, "Name"]}}]}}),
        ),
    ];
    for (verb, resource, uri, statement) in cases {
        let m = method(&t, verb, resource);
        let i = &m["Integration"];
        assert_eq!(i["Type"], "AWS");
        assert_eq!(i["IntegrationHttpMethod"], "POST");
        assert_eq!(
            i["Uri"],
            json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:{uri}")})
        );
        let role_id = i["Credentials"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap()
            .to_string();
        let prefix = role_id.trim_end_matches(|c: char| {
            c.is_ascii_hexdigit() && c.is_ascii_uppercase() || c.is_ascii_digit()
        });
        let st = statements(
            &t,
            &format!(
                "{}DefaultPolicy",
                &prefix[..prefix.len().min(role_id.len() - 8)]
            ),
        );
        assert_eq!(st, vec![statement], "{uri}");
        assert_eq!(m["RestApiId"], json!({"Ref": api_id}));
        // the role trusts API Gateway, and nothing else
        let role = &t.find_resources("AWS::IAM::Role", json!({}))[&role_id];
        assert_eq!(
            role["Properties"]["AssumeRolePolicyDocument"],
            json!({"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                  "Principal": {"Service": "apigateway.amazonaws.com"}}],
                   "Version": "2012-10-17"}),
            "{uri}"
        );
    }
}

#[test]
fn mapping_templates_carry_tokens_through_fn_sub() {
    let t = template("");
    let machine_id = machine_id(&t, "STANDARD");
    let root_post = method(&t, "POST", None);
    assert_eq!(
        root_post["Integration"]["RequestTemplates"]["application/json"],
        json!({"Fn::Sub": ["{\"input\": \"$util.escapeJavaScript($input.json('$'))\", \"stateMachineArn\": \"${Arn}\"}", {"Arn": {"Ref": machine_id}}]})
    );
    assert_eq!(
        root_post["Integration"]["PassthroughBehavior"],
        "WHEN_NO_TEMPLATES"
    );
    assert_eq!(root_post["Integration"]["TimeoutInMillis"], 10000);
    assert_eq!(
        root_post["Integration"]["IntegrationResponses"],
        json!([{"ResponseParameters": {"method.response.header.Access-Control-Allow-Origin": "'*'"},
                "ResponseTemplates": {"application/json": "#set($inputRoot = $input.path('$'))\n{\"executionArn\": \"$inputRoot.executionArn\"}"},
                "StatusCode": "200"}])
    );
    assert_eq!(
        root_post["MethodResponses"],
        json!([{"ResponseModels": {"application/json": "Empty"}, "ResponseParameters": {"method.response.header.Access-Control-Allow-Origin": false}, "StatusCode": "200"}])
    );
    let scan = method(&t, "GET", Some("Apistatus"));
    let table_id = t.logical_id_of_type("AWS::DynamoDB::Table");
    assert_eq!(
        scan["Integration"]["RequestTemplates"]["application/json"],
        json!({"Fn::Sub": ["{\n  \"TableName\": \"${TableName}\"\n}", {"TableName": {"Ref": table_id}}]})
    );
    assert_eq!(scan["ApiKeyRequired"], true);
    // a template's other ${...} is escaped when it goes through Fn::Sub
    let escaped = Template::new("${Known} and ${unknown}").var("Known", "k");
    let mut s = Stack::new("E");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        Integration::mock(IntegrationOptions::new().request_template("application/json", escaped)),
        MethodOptions::new(),
    );
    let t = T::from_stack(&s);
    t.has_resource_properties(
        "AWS::ApiGateway::Method",
        json!({"Integration": {"RequestTemplates": {"application/json": {"Fn::Sub": ["${Known} and ${!unknown}", {"Known": "k"}]}}}}),
    );
}

#[test]
fn lambda_proxies_get_the_invoke_permission_for_their_method() {
    let t = template("");
    let api_id = t.logical_id_of_type("AWS::ApiGateway::RestApi");
    let fn_arn = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::Lambda::Function"), "Arn"]});
    let item = method(&t, "GET", Some("Apiitemsid"));
    assert_eq!(item["AuthorizationType"], "AWS_IAM");
    assert_eq!(
        item["RequestParameters"],
        json!({"method.request.path.id": true})
    );
    assert!(item["RequestValidatorId"]["Ref"]
        .as_str()
        .unwrap()
        .starts_with("ApiValidatorParameters"));
    assert_eq!(
        item["Integration"],
        json!({"IntegrationHttpMethod": "POST", "Type": "AWS_PROXY",
               "Uri": {"Fn::Sub": ["arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations", {"Function": fn_arn}]}})
    );
    let stream = method(&t, "GET", Some("Apistream"));
    assert_eq!(stream["Integration"]["ResponseTransferMode"], "STREAM");
    assert_eq!(
        stream["Integration"]["Uri"]["Fn::Sub"][0],
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2021-11-15/functions/${Function}/response-streaming-invocations"
    );
    let permissions = t.find_resources(
        "AWS::Lambda::Permission",
        json!({"Principal": "apigateway.amazonaws.com"}),
    );
    let source_arns: Vec<&Json> = permissions
        .values()
        .map(|p| &p["Properties"]["SourceArn"])
        .collect();
    assert_eq!(
        source_arns,
        vec![
            &json!({"Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/GET/items/{id}", {"Api": {"Ref": api_id}}]}),
            &json!({"Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/GET/stream", {"Api": {"Ref": api_id}}]}),
        ]
    );
    for p in permissions.values() {
        assert_eq!(p["Properties"]["Action"], "lambda:InvokeFunction");
        assert_eq!(p["Properties"]["FunctionName"], fn_arn);
    }
}

#[test]
fn http_mock_and_cors() {
    let t = template("");
    let proxy = method(&t, "ANY", Some("Apiproxy"));
    assert_eq!(
        proxy["Integration"],
        json!({"IntegrationHttpMethod": "ANY", "Type": "HTTP_PROXY", "Uri": "https://example.com/{proxy}"})
    );
    // the API's CORS: the allowed origin on the method's answers, a method response declared
    // for its integration response
    let http = method(&t, "GET", Some("Apihttp"));
    assert_eq!(
        http["Integration"],
        json!({"IntegrationHttpMethod": "GET",
               "IntegrationResponses": [{"ResponseParameters": {"method.response.header.Access-Control-Allow-Origin": "'*'"},
                                         "StatusCode": "200"}],
               "Type": "HTTP", "Uri": "https://example.com/data"})
    );
    assert_eq!(
        http["MethodResponses"],
        json!([{"ResponseParameters": {"method.response.header.Access-Control-Allow-Origin": false}, "StatusCode": "200"}])
    );
    // an OPTIONS mock on the root and on every resource with a method; /items has none
    let options = t.find_resources("AWS::ApiGateway::Method", json!({"HttpMethod": "OPTIONS"}));
    assert_eq!(options.len(), 8);
    let items = t
        .find_resources("AWS::ApiGateway::Resource", json!({"PathPart": "items"}))
        .keys()
        .next()
        .unwrap()
        .clone();
    assert!(options
        .values()
        .all(|m| m["Properties"]["ResourceId"] != json!({"Ref": items})));
    let root_options = method(&t, "OPTIONS", None);
    assert_eq!(
        root_options["Integration"],
        json!({
            "IntegrationResponses": [{
                "ResponseParameters": {
                    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key'",
                    "method.response.header.Access-Control-Allow-Methods": "'*'",
                    "method.response.header.Access-Control-Allow-Origin": "'*'"
                },
                "StatusCode": "200"
            }],
            "RequestTemplates": {"application/json": "{ \"statusCode\": 200 }"},
            "Type": "MOCK"
        })
    );
    assert_eq!(root_options["AuthorizationType"], "NONE");
    // proxies answer with their backend's headers: a warning says what the backend must send
    let ws = workspace();
    let mut app = App::new(ws.path());
    app.add_stack(api_stack(""));
    let warnings: Vec<(String, String)> = app
        .synth()
        .unwrap()
        .warnings
        .into_iter()
        .filter(|w| w.message.contains("proxy"))
        .map(|w| (w.path, w.message))
        .collect();
    let said = "a proxy integration answers with its backend's headers: under the API's CORS, the backend must send Access-Control-Allow-Origin: * itself";
    assert_eq!(
        warnings,
        [
            "S/Api/Default/items/{id}/GET/Resource",
            "S/Api/Default/stream/GET/Resource",
            "S/Api/Default/{proxy+}/ANY/Resource"
        ]
        .map(|p| (p.to_string(), said.to_string()))
    );
}

/// An API whose CORS allows one origin, exposes headers and allows credentials.
fn cors_stack() -> Stack {
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "Items",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let api = RestApi::new(
        &mut s,
        "Api",
        RestApiProps::new().default_cors_preflight(
            CorsOptions::new()
                .allow_origin(AllowOrigin::origin("https://app.example.com"))
                .allow_methods(["GET", "PUT"])
                .expose_headers(["X-Request-Id"])
                .allow_credentials(),
        ),
    );
    // the root and /v1 have no method: nothing to preflight
    let v1 = api.root().add_resource(&mut s, "v1");
    let items = v1.add_resource(&mut s, "items");
    items.add_method(
        &mut s,
        HttpMethod::Get,
        DynamoDb::scan(&table)
            .response(
                IntegrationResponse::new(200)
                    .template("application/json", Template::new("$input.json('$.Items')")),
            )
            .response(IntegrationResponse::new(500).selection_pattern("5\\d{2}"))
            .into(),
        // declared by the user: kept, with the CORS headers added; 500 is declared for it
        MethodOptions::new()
            .method_response(MethodResponse::new(200).model("application/json", "Empty")),
    );
    items.add_method(
        &mut s,
        HttpMethod::Put,
        Integration::mock(
            IntegrationOptions::new().response(
                IntegrationResponse::new(204)
                    .header("Access-Control-Allow-Origin", "https://app.example.com"),
            ),
        ),
        MethodOptions::new().method_response(MethodResponse {
            status_code: "204".into(),
            response_parameters: [(
                "method.response.header.Access-Control-Allow-Origin".to_string(),
                true,
            )]
            .into_iter()
            .collect(),
            response_models: indexmap::IndexMap::new(),
        }),
    );
    api.deploy(&mut s, StageOptions::new("live"));
    s
}

#[test]
fn cors_puts_the_allowed_origin_on_every_answer_of_every_method() {
    let t = T::from_stack(&cors_stack());
    let items = t
        .find_resources("AWS::ApiGateway::Resource", json!({"PathPart": "items"}))
        .keys()
        .next()
        .unwrap()
        .clone();
    let methods = t.find_resources("AWS::ApiGateway::Method", json!({}));
    // three methods, all on /items: its preflight, GET and PUT
    let on_items: Vec<&str> = methods
        .values()
        .filter(|m| m["Properties"]["ResourceId"] == json!({"Ref": items}))
        .map(|m| m["Properties"]["HttpMethod"].as_str().unwrap())
        .collect();
    assert_eq!(on_items, ["OPTIONS", "GET", "PUT"]);
    assert_eq!(methods.len(), 3);
    let answer = json!({
        "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
        "method.response.header.Access-Control-Expose-Headers": "'X-Request-Id'",
        "method.response.header.Access-Control-Allow-Credentials": "'true'"
    });
    let declared = json!({
        "method.response.header.Access-Control-Allow-Origin": false,
        "method.response.header.Access-Control-Expose-Headers": false,
        "method.response.header.Access-Control-Allow-Credentials": false
    });
    let get = method(&t, "GET", Some("Apiv1items"));
    assert_eq!(
        get["Integration"]["IntegrationResponses"],
        json!([
            {"ResponseParameters": answer, "ResponseTemplates": {"application/json": "$input.json('$.Items')"}, "StatusCode": "200"},
            {"ResponseParameters": answer, "SelectionPattern": "5\\d{2}", "StatusCode": "500"}
        ])
    );
    assert_eq!(
        get["MethodResponses"],
        json!([
            {"ResponseModels": {"application/json": "Empty"}, "ResponseParameters": declared, "StatusCode": "200"},
            {"ResponseParameters": declared, "StatusCode": "500"}
        ])
    );
    // the user's own mapping of the same origin stays, and so does the header they required
    let put = method(&t, "PUT", Some("Apiv1items"));
    assert_eq!(
        put["Integration"],
        json!({"IntegrationResponses": [{"ResponseParameters": answer, "StatusCode": "204"}], "Type": "MOCK"})
    );
    assert_eq!(
        put["MethodResponses"],
        json!([{"ResponseParameters": {
                    "method.response.header.Access-Control-Allow-Origin": true,
                    "method.response.header.Access-Control-Expose-Headers": false,
                    "method.response.header.Access-Control-Allow-Credentials": false},
                "StatusCode": "204"}])
    );
    // the preflight allows the origin and the credentials, and exposes nothing
    let options = method(&t, "OPTIONS", Some("Apiv1items"));
    assert_eq!(
        options["Integration"]["IntegrationResponses"],
        json!([{"ResponseParameters": {
                    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key'",
                    "method.response.header.Access-Control-Allow-Methods": "'GET,PUT'",
                    "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
                    "method.response.header.Access-Control-Allow-Credentials": "'true'"},
                "StatusCode": "204"}])
    );
}

#[test]
fn cors_mistakes_are_reported() {
    let mut s = Stack::new("S");
    let api = RestApi::new(
        &mut s,
        "Api",
        RestApiProps::new().default_cors_preflight(CorsOptions::new().allow_origin(
            AllowOrigin::origin("https://a.example.com,https://b.example.com"),
        )),
    );
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        Integration::mock(
            IntegrationOptions::new().response(
                IntegrationResponse::new(200)
                    .header("Access-Control-Allow-Origin", "https://other.example.com"),
            ),
        ),
        MethodOptions::new(),
    );
    api.root().add_method(
        &mut s,
        HttpMethod::Options,
        Integration::mock(IntegrationOptions::new()),
        MethodOptions::new(),
    );
    let open = RestApi::new(
        &mut s,
        "Open",
        RestApiProps::new().default_cors_preflight(CorsOptions::new().allow_credentials()),
    );
    open.root().add_method(
        &mut s,
        HttpMethod::Get,
        Integration::mock(IntegrationOptions::new()),
        MethodOptions::new(),
    );
    assert_contains_all(
        &problems(s),
        &[
            "S/Api/Resource: default CORS: the allowed origin \"https://a.example.com,https://b.example.com\" is not an origin",
            "S/Api/Default/GET/Resource [Integration.IntegrationResponses]: the integration response 200 maps Access-Control-Allow-Origin to 'https://other.example.com', but the API's CORS sets it to 'https://a.example.com,https://b.example.com'",
            "S/Api/Default/OPTIONS/Resource [HttpMethod]: the API's CORS answers OPTIONS on this resource (the preflight)",
            "S/Open/Resource: default CORS: allow_credentials with AllowOrigin::Any",
            "S/Open/Resource: default CORS: allow_credentials with * in allow_methods",
        ],
    );
}

#[test]
fn stage_account_keys_and_plans() {
    let t = template("");
    let api_id = t.logical_id_of_type("AWS::ApiGateway::RestApi");
    let deployment_id = t.logical_id_of_type("AWS::ApiGateway::Deployment");
    let access_logs = t
        .find_resources("AWS::Logs::LogGroup", json!({"RetentionInDays": 7}))
        .keys()
        .next()
        .unwrap()
        .clone();
    t.has_resource_properties(
        "AWS::ApiGateway::Stage",
        json!({
            "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": [access_logs, "Arn"]}},
            "DeploymentId": {"Ref": deployment_id},
            "MethodSettings": [{"HttpMethod": "*", "LoggingLevel": "ERROR", "MetricsEnabled": true, "ResourcePath": "/*"}],
            "RestApiId": {"Ref": api_id},
            "StageName": "live",
            "TracingEnabled": true,
            "Variables": {"env": "test"}
        }),
    );
    let stage_id = t.logical_id_of_type("AWS::ApiGateway::Stage");
    t.has_output(
        "ApiUrl",
        json!({"Value": {"Fn::Sub": ["https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/", {"Api": {"Ref": api_id}, "Stage": {"Ref": stage_id}}]}}),
    );
    // the deployment waits for every method
    let deployment = &t.find_resources("AWS::ApiGateway::Deployment", json!({}))[&deployment_id];
    assert_eq!(deployment["DependsOn"].as_array().unwrap().len(), 16);
    // the stage logs: it waits for the account's CloudWatch role
    let account_id = t.logical_id_of_type("AWS::ApiGateway::Account");
    t.has_resource("AWS::ApiGateway::Stage", json!({"DependsOn": [account_id]}));
    // the account setting, kept when the stack goes
    t.has_resource(
        "AWS::ApiGateway::Account",
        json!({"DeletionPolicy": "Retain", "DependsOn": [api_id]}),
    );
    t.has_resource_properties(
        "AWS::ApiGateway::UsagePlan",
        json!({"ApiStages": [{"ApiId": {"Ref": api_id}, "Stage": {"Ref": stage_id}}],
               "Quota": {"Limit": 1000, "Period": "DAY"}, "Throttle": {"BurstLimit": 10, "RateLimit": 5.0},
               "UsagePlanName": "partners"}),
    );
    t.has_resource_properties(
        "AWS::ApiGateway::UsagePlanKey",
        json!({"KeyId": {"Ref": t.logical_id_of_type("AWS::ApiGateway::ApiKey")}, "KeyType": "API_KEY",
               "UsagePlanId": {"Ref": t.logical_id_of_type("AWS::ApiGateway::UsagePlan")}}),
    );
}

#[test]
fn the_deployment_id_follows_every_change_to_the_api_and_nothing_else() {
    let id = |tweak: &str| template(tweak).logical_id_of_type("AWS::ApiGateway::Deployment");
    let base = id("");
    assert!(base.starts_with("ApiDeployment"), "{base}");
    assert_eq!(base, id(""), "stable");
    assert_eq!(
        base,
        id("unrelated"),
        "an unrelated change keeps the deployment"
    );
    for tweak in ["method", "integration", "template"] {
        assert_ne!(base, id(tweak), "{tweak} changes the deployment");
    }
}

#[test]
fn api_mistakes_are_reported() {
    let mut s = Stack::new("S");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    api.root().add_resource(&mut s, "a/b");
    let m = Table::new(
        &mut s,
        "T",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        DynamoDb::scan(&m).timeout_ms(40_000).into(),
        MethodOptions::new(),
    );
    let quick = StateMachine::new(&mut s, "Std", StateMachineProps::new(pass("P")));
    api.root().add_method(
        &mut s,
        HttpMethod::Post,
        StepFunctions::start_sync_execution(&quick).into(),
        MethodOptions::new(),
    );
    api.root().add_method(
        &mut s,
        HttpMethod::Put,
        AwsIntegration::new("sqs", "SendMessage", vec![]).into(),
        MethodOptions::new(),
    );
    api.deploy(&mut s, StageOptions::new("bad stage"));
    let empty = RestApi::new(&mut s, "Empty", RestApiProps::new());
    empty.deploy(&mut s, StageOptions::new("dev"));
    assert_contains_all(
        &problems(s),
        &[
        "S/Api/Default/a/b/Resource [PathPart]",
        "S/Api/Default/GET/Resource [Integration.TimeoutInMillis]: integration timeout 40000 ms",
        "StartSyncExecution works on EXPRESS state machines only",
        "the integration with sqs:SendMessage needs the IAM statements of its role",
        "[StageName]: stage name \"bad stage\"",
        "S/Empty/Stagedev/Resource: the API has no method to deploy",
        ],
    );
}

#[test]
fn logging_without_the_account_role_is_a_warning() {
    let mut s = Stack::new("S");
    let logs = LogGroup::new(&mut s, "L", LogGroupProps::new(RetentionDays::OneDay));
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        Integration::mock(IntegrationOptions::new()),
        MethodOptions::new(),
    );
    api.deploy(
        &mut s,
        StageOptions::new("dev").access_log(&logs, AccessLogFormat::JsonStandard),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    let assembly = app.synth().unwrap();
    assert!(
        assembly
            .warnings
            .iter()
            .any(|w| w.message.contains("CloudWatch role")),
        "{:?}",
        assembly.warnings
    );
}

/// CreateStage with logging fails on a fresh account until the account's CloudWatch role is
/// set: a stage that logs or traces waits for the stack's `AWS::ApiGateway::Account`.
#[test]
fn a_stage_that_logs_or_traces_waits_for_the_account_setting() {
    let mut s = Stack::new("S");
    let logs = LogGroup::new(&mut s, "L", LogGroupProps::new(RetentionDays::OneDay));
    let api = |s: &mut Stack, id: &str, cloud_watch_role: bool, stage: StageOptions| {
        let props = if cloud_watch_role {
            RestApiProps::new().cloud_watch_role()
        } else {
            RestApiProps::new()
        };
        let api = RestApi::new(s, id, props);
        api.root().add_method(
            s,
            HttpMethod::Get,
            Integration::mock(IntegrationOptions::new().response(IntegrationResponse::new(200))),
            MethodOptions::new(),
        );
        api.deploy(s, stage);
    };
    let setting = |level: Option<LoggingLevel>, data_trace: bool, metrics: bool| MethodSetting {
        logging_level: level,
        data_trace,
        metrics_enabled: metrics,
        ..MethodSetting::all()
    };
    api(
        &mut s,
        "Logged",
        true,
        StageOptions::new("dev").access_log(&logs, AccessLogFormat::JsonStandard),
    );
    // the other APIs of the stack rely on the first one's account setting
    api(&mut s, "Traced", false, StageOptions::new("dev").tracing());
    api(
        &mut s,
        "Info",
        false,
        StageOptions::new("dev").method_setting(setting(Some(LoggingLevel::Info), false, false)),
    );
    api(
        &mut s,
        "DataTrace",
        false,
        StageOptions::new("dev").method_setting(setting(None, true, false)),
    );
    api(
        &mut s,
        "Off",
        false,
        StageOptions::new("dev").method_setting(setting(Some(LoggingLevel::Off), false, false)),
    );
    api(
        &mut s,
        "Metrics",
        false,
        StageOptions::new("dev").method_setting(setting(None, false, true)),
    );
    api(&mut s, "Plain", false, StageOptions::new("dev"));
    let ws = workspace();
    let mut app = App::new(ws.path());
    app.add_stack(s);
    let assembly = app.synth().unwrap();
    assert!(
        assembly
            .warnings
            .iter()
            .all(|w| !w.message.contains("CloudWatch role")),
        "the stack sets the role: {:?}",
        assembly.warnings
    );
    let t = T::from_json(assembly.stacks[0].template.clone());
    let account = t.logical_id_of_type("AWS::ApiGateway::Account");
    assert!(account.starts_with("LoggedAccount"), "{account}");
    let depends_on = |api: &str| -> Json {
        let stages = t.find_resources("AWS::ApiGateway::Stage", json!({}));
        let (_, stage) = stages
            .iter()
            .find(|(id, _)| id.starts_with(&format!("{api}Stagedev")))
            .unwrap_or_else(|| panic!("no stage of {api}: {:?}", stages.keys()));
        stage.get("DependsOn").cloned().unwrap_or(Json::Null)
    };
    for waits in ["Logged", "Traced", "Info", "DataTrace"] {
        assert_eq!(depends_on(waits), json!([account]), "{waits}");
    }
    for free in ["Off", "Metrics", "Plain"] {
        assert_eq!(depends_on(free), Json::Null, "{free}");
    }
}
