//! The patterns' state machines, rendered by rcdk with their substitutions resolved, equal
//! the originals' (../shared/reference/) as JSON values, after the documented fixes; and
//! the patterns' other promises (API templates, rights, settings honoured).

mod common;

use std::path::Path;

use indexmap::IndexMap;
use serde_json::{json, Value as Json};

use constructs::stepfunctions::asl::render::substitute;

fn reference(file: &str) -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference")
        .join(file);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn stack(name: &str, config: &rcdk_patterns::config::Config) -> Json {
    let app = rcdk_patterns::app::build(config, &common::root());
    let assembly = app.synth().expect("the app synthesizes");
    assembly
        .stack(name)
        .unwrap_or_else(|| panic!("no stack {name}"))
        .template
        .clone()
}

fn default_config() -> rcdk_patterns::config::Config {
    rcdk::config::parse::<rcdk_patterns::config::Config>("{}", "defaults").expect("defaults")
}

/// The only state machine of a template, its substitutions resolved (see [`resolved`]).
fn resolved_machine(template: &Json, placeholder: &dyn Fn(&str) -> String) -> Json {
    resolved(template, "", &|kind, _| placeholder(kind))
}

/// The state machine whose logical id starts with `prefix` (the only one there is), its
/// substitutions resolved: integration ARNs in the `aws` partition, and each reference to a
/// resource replaced by what `placeholder` says for its type and logical id (the originals'
/// own `${...}` names).
fn resolved(template: &Json, prefix: &str, placeholder: &dyn Fn(&str, &str) -> String) -> Json {
    let machines: Vec<&Json> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(id, r)| r["Type"] == "AWS::StepFunctions::StateMachine" && id.starts_with(prefix))
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        machines.len(),
        1,
        "one state machine whose id starts with {prefix:?}"
    );
    let props = &machines[0]["Properties"];
    let kind = |id: &str| {
        template["Resources"][id]["Type"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut values = IndexMap::new();
    for (key, value) in props["DefinitionSubstitutions"]
        .as_object()
        .cloned()
        .unwrap_or_default()
    {
        let resolved = if let Some(sub) = value.get("Fn::Sub").and_then(Json::as_str) {
            json!(sub.replace("${AWS::Partition}", "aws"))
        } else if let Some(id) = value.get("Ref").and_then(Json::as_str) {
            json!(placeholder(&kind(id), id))
        } else if let Some(id) = value["Fn::GetAtt"][0].as_str() {
            json!(placeholder(&kind(id), id))
        } else {
            value.clone()
        };
        values.insert(key, resolved);
    }
    substitute(&props["Definition"], &values)
}

#[test]
fn pattern_001_waitable_machine_is_the_originals() {
    let t = stack("WaitableWorkflow", &default_config());
    let ours = resolved_machine(&t, &|kind| match kind {
        "AWS::DynamoDB::Table" => "${DDBTable}".into(),
        other => panic!("unexpected reference to a {other}"),
    });
    assert_eq!(
        ours,
        reference("001-waitable-pattern/waitable-stepfunction.asl.json")
    );
}

#[test]
fn pattern_002_task_machine_is_the_originals() {
    let t = stack("TaskStatus", &default_config());
    let ours = resolved_machine(&t, &|kind| match kind {
        "AWS::DynamoDB::Table" => "${TasksTableName}".into(),
        other => panic!("unexpected reference to a {other}"),
    });
    assert_eq!(
        ours,
        reference("002-lambda-sfn-dynamodb-status/statemachine.asl.resolved.json")
    );
}

#[test]
fn pattern_004_map_machine_is_the_originals() {
    let t = stack("MapDynamoDb", &default_config());
    let ours = resolved_machine(&t, &|kind| match kind {
        "AWS::DynamoDB::Table" => "${DDBTableName}".into(),
        "AWS::Lambda::Function" => "${LambdaFunctionArn}".into(),
        other => panic!("unexpected reference to a {other}"),
    });
    assert_eq!(
        ours,
        reference("004-stepfunctions-map-ddb/statemachine.asl.resolved.json")
    );
}

#[test]
fn pattern_004_honours_every_setting_including_the_key_name() {
    let config = rcdk::config::parse::<rcdk_patterns::config::Config>(
        r#"{"mapDynamoDb": {"ddb": {"tableName": "Lists", "partitionKeyName": "listId", "partitionKeyValueField": "subjects"},
                            "stepfunc": {"maxConcurrency": 3, "waitDurationSeconds": 25, "timeoutDurationSeconds": 20}}}"#,
        "test",
    )
    .unwrap();
    let t = stack("MapDynamoDb", &config);
    let table = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::DynamoDB::Table")
        .unwrap();
    assert_eq!(table["Properties"]["TableName"], "Lists");
    assert_eq!(
        table["Properties"]["KeySchema"],
        json!([{"AttributeName": "listId", "KeyType": "HASH"}])
    );
    let machine = resolved_machine(&t, &|_| "x".into());
    assert_eq!(
        machine["States"]["ReadDDBTable"]["Parameters"]["Key"],
        json!({"listId": {"S": "subjects"}})
    );
    assert_eq!(machine["States"]["MapState"]["MaxConcurrency"], 3);
    assert_eq!(
        machine["States"]["MapState"]["Iterator"]["States"]["WaitInMap"]["Seconds"],
        25
    );
    assert_eq!(machine["TimeoutSeconds"], 20);
}

#[test]
fn pattern_002_function_may_only_start_its_machine() {
    let t = stack("TaskStatus", &default_config());
    let resources = t["Resources"].as_object().unwrap();
    let (machine_id, _) = resources
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::StepFunctions::StateMachine")
        .unwrap();
    let function = resources
        .values()
        .find(|r| r["Type"] == "AWS::Lambda::Function")
        .unwrap();
    assert_eq!(
        function["Properties"]["FunctionName"],
        "InvokeTaskStepFunction"
    );
    assert_eq!(
        function["Properties"]["Environment"]["Variables"]["StateMachineArn"],
        json!({"Ref": machine_id})
    );
    let role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        .as_str()
        .unwrap();
    let policy = resources
        .values()
        .find(|r| {
            r["Type"] == "AWS::IAM::Policy" && r["Properties"]["Roles"] == json!([{"Ref": role_id}])
        })
        .unwrap();
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    // its own logs, and starting this one machine: nothing else
    let log_group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        .as_str()
        .unwrap();
    assert_eq!(
        resources[log_group]["Type"], "AWS::Logs::LogGroup",
        "the function's own log group"
    );
    assert_eq!(
        statements,
        &vec![
            json!({"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
                   "Resource": {"Fn::GetAtt": [log_group, "Arn"]}}),
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine_id}}),
        ]
    );
}

/// The seed 001's mapping templates: (POST request, GET /status request, GET /status answer).
fn seed_001_templates() -> (String, String, String) {
    let original: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/reference/001-waitable-pattern/template.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    let text = |v: &serde_norway::Value| -> String {
        match v {
            serde_norway::Value::String(s) => s.clone(),
            serde_norway::Value::Tagged(t) => match &t.value {
                serde_norway::Value::Sequence(items) => items[0].as_str().unwrap().to_string(),
                other => other.as_str().unwrap().to_string(),
            },
            other => panic!("{other:?}"),
        }
    };
    let integration = |m: &str| &original["Resources"][m]["Properties"]["Integration"];
    (
        text(&integration("ApiGatewayRootMethod")["RequestTemplates"]["application/json"]),
        text(&integration("StatusMethod")["RequestTemplates"]["application/json"]),
        text(
            &integration("StatusMethod")["IntegrationResponses"][0]["ResponseTemplates"]
                ["application/json"],
        ),
    )
}

/// The seed's /status answer with only its comma restored (its values not escaped).
fn seed_001_status_answer_with_its_comma() -> String {
    seed_001_templates().2.replace(
        "\"StartActionAt\": \"$elem.StartActionAt.S\"\n",
        "\"StartActionAt\": \"$elem.StartActionAt.S\",\n",
    )
}

/// The 001 API's templates are the seed's byte for byte, but for the documented fixes: the
/// /status answer's comma restored and its values escaped, the POST's `StartTimestamp`
/// escaped; and the POST answer is the README's text.
#[test]
fn pattern_001_api_templates_are_the_originals() {
    use rcdk_patterns::patterns::waitable::*;
    let (seed_start, seed_scan, seed_response) = seed_001_templates();
    assert_eq!(
        START_REQUEST_TEMPLATE,
        seed_start.replace("$input.path('$.StartTimestamp')", ESCAPED_START_TIMESTAMP)
    );
    assert_ne!(START_REQUEST_TEMPLATE, seed_start);
    assert_eq!(SCAN_REQUEST_TEMPLATE, seed_scan);
    let mut fixed = seed_001_status_answer_with_its_comma();
    for field in ["Id", "StartActionAt", "LastUpdated", "ProcessStatus"] {
        fixed = fixed.replace(
            &format!("\"$elem.{field}.S\""),
            &format!(r#""$!util.escapeJavaScript($elem.{field}.S).replaceAll("\\'","'")""#),
        );
    }
    assert_eq!(SCAN_RESPONSE_TEMPLATE, fixed);
    assert_ne!(SCAN_RESPONSE_TEMPLATE, seed_response);

    let t = stack("WaitableWorkflow", &default_config());
    let methods: Vec<&Json> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::ApiGateway::Method")
        .collect();
    assert_eq!(methods.len(), 2);
    let post = methods
        .iter()
        .find(|m| m["Properties"]["HttpMethod"] == "POST")
        .unwrap();
    assert_eq!(
        post["Properties"]["Integration"]["IntegrationResponses"][0]["ResponseTemplates"]["application/json"],
        "Job Id $context.requestId started successfully. For additional information on process status use GET /status."
    );
    assert_eq!(
        post["Properties"]["Integration"]["RequestTemplates"]["application/json"]["Fn::Sub"][0],
        START_REQUEST_TEMPLATE
    );
    let stage = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::ApiGateway::Stage")
        .unwrap();
    assert_eq!(stage["Properties"]["StageName"], "dev");
    assert!(
        t["Outputs"]["ApiUrl"].is_object() && t["Outputs"]["WaitableStateMachineArn"].is_object()
    );
}

/// Intrinsic functions written with or without a space after their commas are the same call.
fn normalize_intrinsics(v: &Json) -> Json {
    match v {
        Json::String(s) if s.starts_with("States.") => Json::String(s.replace(", ", ",")),
        Json::Array(items) => Json::Array(items.iter().map(normalize_intrinsics).collect()),
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize_intrinsics(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn pattern_000_streaming_machine_is_the_originals() {
    let t = stack("AsyncStreamingResults", &default_config());
    let mut ours = resolved_machine(&t, &|kind| match kind {
        "AWS::DynamoDB::Table" => "${DDBReponseTableName}".into(),
        other => panic!("unexpected reference to a {other}"),
    });
    // the final-result attribute is a hand-written substitution: put the seed's name back
    let item = &mut ours["States"]["SimulatedProcessing"]["ItemProcessor"]["States"]
        ["SendFinalResult"]["Parameters"]["Item"];
    let value = item
        .as_object_mut()
        .unwrap()
        .shift_remove("FinalResult")
        .expect("resolved to the configured name");
    item.as_object_mut()
        .unwrap()
        .insert("${FinalResultFieldName}".into(), value);
    assert_eq!(
        normalize_intrinsics(&ours),
        normalize_intrinsics(&reference(
            "000-async-streaming-results/statemachine.asl.json"
        ))
    );
    // EXPRESS, logging everything, traced
    let machine = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::StepFunctions::StateMachine")
        .unwrap();
    assert_eq!(machine["Properties"]["StateMachineType"], "EXPRESS");
    assert_eq!(
        machine["Properties"]["LoggingConfiguration"]["Level"],
        "ALL"
    );
    assert_eq!(
        machine["Properties"]["LoggingConfiguration"]["IncludeExecutionData"],
        true
    );
    assert_eq!(
        machine["Properties"]["TracingConfiguration"]["Enabled"],
        true
    );
    assert_eq!(
        machine["Properties"]["DefinitionSubstitutions"]["FinalResultFieldName"],
        "FinalResult"
    );
}

#[test]
fn pattern_000_function_url_api_and_settings() {
    let config = rcdk::config::parse::<rcdk_patterns::config::Config>(
        r#"{"asyncStreaming": {"finalResultFieldName": "Done", "lambdaTimeoutBufferMs": 7000, "pollIntervalMs": 500, "lambdaTimeoutSeconds": 90}}"#,
        "test",
    )
    .unwrap();
    let t = stack("AsyncStreamingResults", &config);
    let resources = t["Resources"].as_object().unwrap();
    let function = resources
        .values()
        .find(|r| r["Type"] == "AWS::Lambda::Function")
        .unwrap();
    let env = &function["Properties"]["Environment"]["Variables"];
    assert_eq!(env["FinalResultFieldName"], "Done");
    assert_eq!(
        env["LambdaTimeoutBuffer"], "7000",
        "the buffer is wired (the original forgot it)"
    );
    assert_eq!(env["DDBPollingWaitMs"], "500");
    assert_eq!(function["Properties"]["Timeout"], 90);
    let url = resources
        .values()
        .find(|r| r["Type"] == "AWS::Lambda::Url")
        .unwrap();
    assert_eq!(url["Properties"]["AuthType"], "AWS_IAM");
    assert_eq!(url["Properties"]["InvokeMode"], "RESPONSE_STREAM");
    // the final item carries the configured attribute
    let machine = resources
        .values()
        .find(|r| r["Type"] == "AWS::StepFunctions::StateMachine")
        .unwrap();
    assert_eq!(
        machine["Properties"]["DefinitionSubstitutions"]["FinalResultFieldName"],
        "Done"
    );

    // the API's templates are the seed's (the function URL variable renamed)
    let api_yaml: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/reference/000-async-streaming-results/api.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    let post = &api_yaml["paths"]["/"]["post"]["x-amazon-apigateway-integration"];
    let sub_text = |v: &serde_norway::Value| v["Fn::Sub"].as_str().unwrap().to_string();
    use rcdk_patterns::patterns::async_streaming::*;
    assert_eq!(
        START_REQUEST_TEMPLATE,
        sub_text(&post["requestTemplates"]["application/json"])
    );
    assert_eq!(
        START_RESPONSE_TEMPLATE,
        sub_text(&post["responses"]["default"]["responseTemplates"]["application/json"])
            .replace("${MyFunctionUrl.FunctionUrl}", "${FunctionUrl}")
    );
    let options = &api_yaml["paths"]["/"]["options"]["x-amazon-apigateway-integration"];
    assert_eq!(
        CORS_REQUEST_TEMPLATE,
        options["requestTemplates"]["application/json"]
            .as_str()
            .unwrap()
    );
    let methods: Vec<&Json> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::ApiGateway::Method")
        .collect();
    let post_method = methods
        .iter()
        .find(|m| m["Properties"]["HttpMethod"] == "POST")
        .unwrap();
    let url_id = resources
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::Lambda::Url")
        .unwrap()
        .0;
    assert_eq!(
        post_method["Properties"]["Integration"]["IntegrationResponses"][0]["ResponseTemplates"]
            ["application/json"]["Fn::Sub"][1],
        json!({"FunctionUrl": {"Fn::GetAtt": [url_id, "FunctionUrl"]}})
    );
    assert_eq!(
        post_method["Properties"]["Integration"]["TimeoutInMillis"],
        10000
    );
    let stage = resources
        .values()
        .find(|r| r["Type"] == "AWS::ApiGateway::Stage")
        .unwrap();
    assert_eq!(stage["Properties"]["StageName"], "live");
    assert_eq!(
        stage["Properties"]["AccessLogSetting"]["Format"],
        ACCESS_LOG_FORMAT
    );
    assert_eq!(stage["Properties"]["TracingEnabled"], true);
    // it logs: on a fresh account it can only be created once the account's role is set
    let account = resources
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::ApiGateway::Account")
        .unwrap()
        .0;
    assert_eq!(stage["DependsOn"], json!([account]));
}

/// The function ARNs of seed 003's serverless.yml, by our functions' logical ids.
fn serverless_function_arn(kind: &str, id: &str) -> String {
    assert_eq!(kind, "AWS::Lambda::Function", "{id}");
    let name = if let Some(rest) = id.strip_prefix("downstream") {
        format!("downstream{}", &rest[..1])
    } else if let Some(rest) = id.strip_prefix("step") {
        format!("step{}", &rest[..1])
    } else {
        panic!("unexpected function {id}")
    };
    format!("arn:aws:lambda:#{{AWS::Region}}:#{{AWS::AccountId}}:function:${{self:service}}-${{opt:stage}}-{name}")
}

/// The originals' machine with the documented fix: every Task state retries Lambda's
/// transient errors (after the retriers it has).
fn with_lambda_retry(mut machine: Json) -> Json {
    let lambda_retry = json!({
        "ErrorEquals": ["Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException",
                        "Lambda.AWSLambdaException", "Lambda.SdkClientException"],
        "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2
    });
    for state in machine["States"].as_object_mut().unwrap().values_mut() {
        assert_eq!(state["Type"], "Task");
        let state = state.as_object_mut().unwrap();
        let retry = state.entry("Retry").or_insert_with(|| json!([]));
        retry.as_array_mut().unwrap().push(lambda_retry.clone());
    }
    machine
}

#[test]
fn pattern_003_machines_are_the_originals() {
    let t = stack("EmbeddedWorkflow", &default_config());
    assert_eq!(
        resolved(&t, "ProcessA", &serverless_function_arn),
        with_lambda_retry(reference("003-sfs3-embedded/ProcessA.asl.json"))
    );
    assert_eq!(
        resolved(&t, "DownstreamProcess", &serverless_function_arn),
        with_lambda_retry(reference("003-sfs3-embedded/DownstreamProcess.asl.json"))
    );
}

#[test]
fn pattern_003_dashboard_watches_the_real_machine_with_real_metric_names() {
    let t = stack("EmbeddedWorkflow", &default_config());
    let resources = t["Resources"].as_object().unwrap();
    let (process_id, _) = resources
        .iter()
        .find(|(id, r)| {
            id.starts_with("ProcessA") && r["Type"] == "AWS::StepFunctions::StateMachine"
        })
        .unwrap();
    let dashboard = resources
        .values()
        .find(|r| r["Type"] == "AWS::CloudWatch::Dashboard")
        .unwrap();
    let sub = &dashboard["Properties"]["DashboardBody"]["Fn::Sub"];
    assert_eq!(sub[1], json!({"Token0": {"Ref": process_id}}));
    let body: Json = serde_json::from_str(sub[0].as_str().unwrap()).unwrap();
    let mut names = Vec::new();
    for w in body["widgets"].as_array().unwrap() {
        for m in w["properties"]["metrics"].as_array().unwrap() {
            assert_eq!(m[0], "AWS/States");
            assert_eq!(
                (&m[2], &m[3]),
                (&json!("StateMachineArn"), &json!("${Token0}"))
            );
            names.push(m[1].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        names,
        [
            "ExecutionsStarted",
            "ExecutionsSucceeded",
            "ExecutionTime",
            "ExecutionsAborted",
            "ExecutionsFailed",
            "ExecutionsTimedOut",
            "ExecutionThrottled"
        ]
    );
}

/// Every role's statements, whole (actions, resources, conditions), written out here.
#[test]
fn pattern_003_rights_are_exact() {
    let t = stack("EmbeddedWorkflow", &default_config());
    let resources = t["Resources"].as_object().unwrap();
    let id_of = |kind: &str, prefix: &str| -> String {
        let found: Vec<&String> = resources
            .iter()
            .filter(|(id, r)| r["Type"] == kind && id.starts_with(prefix))
            .map(|(id, _)| id)
            .collect();
        assert_eq!(found.len(), 1, "one {kind} {prefix}: {found:?}");
        found[0].clone()
    };
    let statements_of_role = |role: &Json| -> Vec<Json> {
        let policies: Vec<&Json> = resources
            .values()
            .filter(|r| {
                r["Type"] == "AWS::IAM::Policy" && r["Properties"]["Roles"] == json!([role])
            })
            .collect();
        assert_eq!(policies.len(), 1, "one policy for {role}");
        policies[0]["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .clone()
    };
    let role_of = |kind: &str, prefix: &str, property: &str| -> Json {
        let id = resources[&id_of(kind, prefix)]["Properties"][property]["Fn::GetAtt"][0].clone();
        json!({"Ref": id})
    };
    let function_statements =
        |prefix: &str| statements_of_role(&role_of("AWS::Lambda::Function", prefix, "Role"));
    let arn = |id: &str| json!({"Fn::GetAtt": [id, "Arn"]});

    let objects = json!({"Fn::Sub": ["${Bucket}/*", {"Bucket": arn(&id_of("AWS::S3::Bucket", "ProcessInputBucket"))}]});
    let process = id_of("AWS::StepFunctions::StateMachine", "ProcessA");
    let downstream = id_of("AWS::StepFunctions::StateMachine", "DownstreamProcess");
    let process_executions = json!({"Fn::Sub": [
        "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*",
        {"Name": {"Fn::GetAtt": [&process, "Name"]}}]});
    let own_logs = |function: &str| {
        json!({"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
               "Resource": arn(&id_of("AWS::Logs::LogGroup", &format!("{function}LogGroup")))})
    };
    let read_write =
        json!({"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow", "Resource": objects});

    // the steps: their own logs and the side car; F also starts DownstreamProcess
    for step in ["stepA", "stepB", "stepC", "stepD", "stepE"] {
        assert_eq!(
            function_statements(step),
            vec![own_logs(step), read_write.clone()],
            "{step}"
        );
    }
    assert_eq!(
        function_statements("stepF"),
        vec![
            own_logs("stepF"),
            read_write.clone(),
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": downstream}})
        ]
    );
    for step in ["downstreamA", "downstreamB", "downstreamC"] {
        assert_eq!(function_statements(step), vec![own_logs(step)], "{step}");
    }
    // the service: writes the data, starts and watches ProcessA
    assert_eq!(
        function_statements("Service"),
        vec![
            own_logs("Service"),
            json!({"Action": "s3:PutObject", "Effect": "Allow", "Resource": objects}),
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": process}}),
            json!({"Action": "states:DescribeExecution", "Effect": "Allow", "Resource": process_executions}),
        ]
    );
    // the machines: invoke their own steps (any version), nothing else; one action on many
    // resources is one statement
    let invoke = |functions: &[&str]| {
        let resources: Vec<Json> = functions
            .iter()
            .flat_map(|function| {
                let f = arn(&id_of("AWS::Lambda::Function", function));
                [
                    f.clone(),
                    json!({"Fn::Sub": ["${Function}:*", {"Function": f}]}),
                ]
            })
            .collect();
        vec![json!({"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": resources})]
    };
    assert_eq!(
        statements_of_role(&role_of(
            "AWS::StepFunctions::StateMachine",
            "ProcessA",
            "RoleArn"
        )),
        invoke(&["stepA", "stepB", "stepC", "stepD", "stepE", "stepF"])
    );
    assert_eq!(
        statements_of_role(&role_of(
            "AWS::StepFunctions::StateMachine",
            "DownstreamProcess",
            "RoleArn"
        )),
        invoke(&["downstreamA", "downstreamB", "downstreamC"])
    );
    // a caller of ProcessA: the objects, and starting and describing ProcessA
    let caller = &resources[&id_of("AWS::IAM::ManagedPolicy", "StateMachineAccess")];
    assert_eq!(
        caller["Properties"]["PolicyDocument"]["Statement"],
        json!([
            {"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow", "Resource": objects, "Sid": "s3"},
            {"Action": "states:DescribeExecution", "Effect": "Allow", "Resource": process_executions, "Sid": "sfndescexec"},
            {"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": process}, "Sid": "sfnstart"}
        ])
    );
}

/// A minimal Velocity renderer for the constructs API Gateway's mapping templates use here:
/// `#set($x = $input.path('$'))`, `#foreach($e in $list) … #end`,
/// `#if($foreach.hasNext) … #end`, `$var.a.b` references, `$input.path('$.a')`,
/// `$util.escapeJavaScript(…)` (as API Gateway's: Commons Lang's `escapeJavaScript`, which
/// also escapes `'` and `/`), `.replaceAll("\\'","'")` on it, and quiet references (`$!…`).
mod vtl {
    use serde_json::Value;
    use std::collections::HashMap;

    enum Expr {
        Ref(Vec<String>),
        InputPath(String),
        Escape(Box<Expr>),
        UnescapeQuotes(Box<Expr>),
    }

    enum Node {
        Text(String),
        /// An expression, whether it is quiet, and its text (rendered when it has no value).
        Expr(Expr, bool, String),
        Set(String),
        Foreach(String, Vec<String>, Vec<Node>),
        If(Vec<String>, Vec<Node>),
    }

    fn path(s: &str) -> Vec<String> {
        s.trim()
            .trim_start_matches('$')
            .split('.')
            .map(str::to_string)
            .collect()
    }

    fn parse(src: &str, i: &mut usize, until_end: bool) -> Vec<Node> {
        let b = src.as_bytes();
        let mut nodes = Vec::new();
        let mut text = String::new();
        while *i < b.len() {
            let rest = &src[*i..];
            if rest.starts_with("#end") {
                *i += 4;
                assert!(until_end, "#end without a block");
                nodes.push(Node::Text(std::mem::take(&mut text)));
                return nodes;
            }
            let block = |name: &str| rest.starts_with(name);
            if block("#set(") || block("#foreach(") || block("#if(") {
                nodes.push(Node::Text(std::mem::take(&mut text)));
                let open = rest.find('(').unwrap();
                let mut depth = 0;
                let mut close = open;
                for (k, c) in rest[open..].char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                close = open + k;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let inside = &rest[open + 1..close];
                *i += close + 1;
                if block("#set(") {
                    let (var, expr) = inside.split_once('=').unwrap();
                    assert_eq!(
                        expr.trim(),
                        "$input.path('$')",
                        "only the whole input is supported"
                    );
                    nodes.push(Node::Set(var.trim().trim_start_matches('$').to_string()));
                } else if block("#foreach(") {
                    let (var, list) = inside.split_once(" in ").unwrap();
                    let body = parse(src, i, true);
                    nodes.push(Node::Foreach(
                        var.trim().trim_start_matches('$').to_string(),
                        path(list),
                        body,
                    ));
                } else {
                    let body = parse(src, i, true);
                    nodes.push(Node::If(path(inside), body));
                }
                continue;
            }
            let quiet = rest.starts_with("$!");
            let after = if quiet { &rest[2..] } else { &rest[1..] };
            if rest.starts_with('$') && after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                nodes.push(Node::Text(std::mem::take(&mut text)));
                let start = *i;
                let expr = expression(src, i);
                nodes.push(Node::Expr(expr, quiet, src[start..*i].to_string()));
                continue;
            }
            let c = rest.chars().next().unwrap();
            text.push(c);
            *i += c.len_utf8();
        }
        assert!(!until_end, "a block has no #end");
        nodes.push(Node::Text(text));
        nodes
    }

    /// The expression at `*i` (a `$` or `$!`), up to its end.
    fn expression(src: &str, i: &mut usize) -> Expr {
        *i += if src[*i..].starts_with("$!") { 2 } else { 1 };
        let rest = &src[*i..];
        let mut expr = if let Some(inner) = rest.strip_prefix("util.escapeJavaScript(") {
            *i += rest.len() - inner.len();
            let arg = expression(src, i);
            assert!(src[*i..].starts_with(')'), "escapeJavaScript( without )");
            *i += 1;
            Expr::Escape(Box::new(arg))
        } else if let Some(inner) = rest.strip_prefix("input.path('") {
            let end = inner.find("')").expect("input.path(' without ')");
            *i += rest.len() - inner.len() + end + 2;
            Expr::InputPath(inner[..end].to_string())
        } else {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            let name = rest[..len].trim_end_matches('.');
            *i += name.len();
            Expr::Ref(path(name))
        };
        while src[*i..].starts_with(r#".replaceAll("\\'","'")"#) {
            *i += r#".replaceAll("\\'","'")"#.len();
            expr = Expr::UnescapeQuotes(Box::new(expr));
        }
        expr
    }

    /// Commons Lang 2's `StringEscapeUtils.escapeJavaScript`, which API Gateway's
    /// `$util.escapeJavaScript` is.
    pub fn escape_javascript(s: &str) -> String {
        let mut out = String::new();
        for unit in s.encode_utf16() {
            match unit {
                0x08 => out.push_str("\\b"),
                0x0a => out.push_str("\\n"),
                0x09 => out.push_str("\\t"),
                0x0c => out.push_str("\\f"),
                0x0d => out.push_str("\\r"),
                0x27 => out.push_str("\\'"),
                0x22 => out.push_str("\\\""),
                0x5c => out.push_str("\\\\"),
                0x2f => out.push_str("\\/"),
                u if !(0x20..=0x7f).contains(&u) => out.push_str(&format!("\\u{u:04X}")),
                u => out.push(char::from(u as u8)),
            }
        }
        out
    }

    fn value(expr: &Expr, env: &HashMap<String, Value>, input: &Value) -> Option<String> {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match expr {
            Expr::Ref(p) => lookup(env, p).map(text),
            Expr::InputPath(p) => {
                let rest = p.strip_prefix('$').expect("a path from $");
                rest.split('.')
                    .filter(|k| !k.is_empty())
                    .try_fold(input, |v, k| v.get(k))
                    .map(text)
            }
            Expr::Escape(e) => value(e, env, input).map(|s| escape_javascript(&s)),
            Expr::UnescapeQuotes(e) => value(e, env, input).map(|s| s.replace("\\'", "'")),
        }
    }

    fn lookup<'a>(env: &'a HashMap<String, Value>, p: &[String]) -> Option<&'a Value> {
        p[1..].iter().try_fold(env.get(&p[0])?, |v, k| v.get(k))
    }

    fn eval(nodes: &[Node], env: &mut HashMap<String, Value>, input: &Value, out: &mut String) {
        for n in nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Expr(e, quiet, source) => match value(e, env, input) {
                    Some(v) => out.push_str(&v),
                    None if *quiet => {}
                    None => out.push_str(source),
                },
                Node::Set(var) => {
                    env.insert(var.clone(), input.clone());
                }
                Node::Foreach(var, list, body) => {
                    let items = lookup(env, list)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    for (k, item) in items.iter().enumerate() {
                        env.insert(var.clone(), item.clone());
                        env.insert(
                            "foreach".into(),
                            serde_json::json!({"hasNext": k + 1 < items.len()}),
                        );
                        eval(body, env, input, out);
                    }
                }
                Node::If(cond, body) => {
                    if lookup(env, cond) == Some(&Value::Bool(true)) {
                        eval(body, env, input, out);
                    }
                }
            }
        }
    }

    pub fn render(template: &str, input: &Value) -> String {
        render_with(template, input, &Value::Null)
    }

    /// Renders with `$context` set.
    pub fn render_with(template: &str, input: &Value, context: &Value) -> String {
        let nodes = parse(template, &mut 0, false);
        let mut out = String::new();
        let mut env = HashMap::from([("context".to_string(), context.clone())]);
        eval(&nodes, &mut env, input, &mut out);
        out
    }
}

/// The fixed /status template answers valid JSON for 0, 1 and many items; the seed's did not
/// as soon as there was one.
#[test]
fn pattern_001_status_answer_is_json_for_0_1_and_many_items() {
    use rcdk_patterns::patterns::waitable::SCAN_RESPONSE_TEMPLATE;
    let item = |n: u32| {
        json!({"Id": {"S": format!("job-{n}")}, "StartActionAt": {"S": "2026-01-01T00:00:00Z"},
               "LastUpdated": {"S": "2026-01-01T00:00:05Z"}, "ProcessStatus": {"S": "COMPLETED"}})
    };
    for count in [0, 1, 3] {
        let scan = json!({"Items": (0..count).map(item).collect::<Vec<_>>(), "Count": count});
        let text = vtl::render(SCAN_RESPONSE_TEMPLATE, &scan);
        let answer: Json =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{count} items: {e}\n{text}"));
        let items = answer["items"].as_array().unwrap();
        assert_eq!(items.len(), count as usize);
        if count > 0 {
            assert_eq!(
                items[0],
                json!({"Id": "job-0", "StartActionAt": "2026-01-01T00:00:00Z", "LastUpdated": "2026-01-01T00:00:05Z", "ProcessStatus": "COMPLETED"})
            );
        }
    }
    let seed = seed_001_templates().2;
    let one = json!({"Items": [item(0)]});
    assert!(
        serde_json::from_str::<Json>(&vtl::render(&seed, &one)).is_err(),
        "the seed's template is not JSON with an item"
    );
}

/// Texts a caller may send or a table may hold: quotes (escaped or not), a backslash, a
/// slash, a newline, non-ASCII, a control character.
const AWKWARD: [&str; 8] = [
    "2026-01-01T00:00:00Z",
    "x\", \"Evil\": \"y",
    "x\\\", \\\"Evil\\\": \\\"y",
    "it's",
    "back\\slash/and\nline",
    "\u{e9} \u{2713} \u{1F600}",
    "\u{1}",
    "",
];

/// The execution's input is the job's Id and the body's StartTimestamp as sent, and nothing
/// else, whatever the body holds; the seed's let an escaped quote add a field to it.
#[test]
fn pattern_001_start_input_holds_the_timestamp_as_sent_and_nothing_else() {
    use rcdk_patterns::patterns::waitable::START_REQUEST_TEMPLATE;
    let context = json!({"requestId": "req-1"});
    let start_input = |template: &str, body: &Json| -> Result<Json, String> {
        let text = vtl::render_with(template, body, &context);
        let request: Json =
            serde_json::from_str(&text).map_err(|e| format!("request: {e}\n{text}"))?;
        assert_eq!(request["stateMachineArn"], "${StateMachineArn}");
        let input = request["input"].as_str().ok_or("no input")?;
        serde_json::from_str(input).map_err(|e| format!("input: {e}\n{input}"))
    };
    for t in AWKWARD {
        assert_eq!(
            start_input(START_REQUEST_TEMPLATE, &json!({"StartTimestamp": t})),
            Ok(json!({"Id": "req-1", "StartTimestamp": t})),
            "{t:?}"
        );
    }
    // none given: an empty one (the workflow then fails at its Wait, not the API)
    assert_eq!(
        start_input(START_REQUEST_TEMPLATE, &json!({})),
        Ok(json!({"Id": "req-1", "StartTimestamp": ""}))
    );
    let seed = seed_001_templates().0;
    assert_eq!(
        start_input(&seed, &json!({"StartTimestamp": AWKWARD[2]})),
        Ok(json!({"Id": "req-1", "StartTimestamp": "x", "Evil": "y"})),
        "the seed's input takes the injected field"
    );
}

/// The /status answer gives each stored value back as it is; with the seed's (its comma
/// restored) a quote in a value added fields to the answer, a backslash broke it.
#[test]
fn pattern_001_status_answer_gives_values_back_as_stored() {
    use rcdk_patterns::patterns::waitable::SCAN_RESPONSE_TEMPLATE;
    let stored = |v: &str| json!({"Items": [{"Id": {"S": v}, "StartActionAt": {"S": v}, "LastUpdated": {"S": v}, "ProcessStatus": {"S": v}}]});
    for v in AWKWARD {
        let text = vtl::render(SCAN_RESPONSE_TEMPLATE, &stored(v));
        let answer: Json =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{v:?}: {e}\n{text}"));
        assert_eq!(
            answer,
            json!({"items": [{"Id": v, "StartActionAt": v, "LastUpdated": v, "ProcessStatus": v}]}),
            "{v:?}"
        );
    }
    // the seed's: a quote shapes the answer, a backslash breaks it
    let seed = seed_001_status_answer_with_its_comma();
    let shaped: Json = serde_json::from_str(&vtl::render(&seed, &stored(AWKWARD[1]))).unwrap();
    assert_eq!(shaped["items"][0]["Evil"], "y");
    assert!(serde_json::from_str::<Json>(&vtl::render(&seed, &stored(AWKWARD[4]))).is_err());
}
