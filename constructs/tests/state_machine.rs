//! The StateMachine construct and the task integrations: rendered definitions, substitutions,
//! and the exact IAM statements each integration derives.

mod common;

use constructs::assertions::Template;
use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::iam::{PolicyStatement, Principal, Role, RoleProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use constructs::s3::{Bucket, BucketProps};
use constructs::stepfunctions::asl::*;
use constructs::stepfunctions::tasks::{self, *};
use constructs::stepfunctions::{DefinitionBody, LogLevel, StateMachine, StateMachineProps};
use constructs::{App, Stack, Value};
use serde_json::{json, Value as Json};

use common::{statements, workspace};

fn machine_props(t: &Template) -> Json {
    let machines = t.find_resources("AWS::StepFunctions::StateMachine", json!({}));
    assert_eq!(machines.len(), 1);
    machines.values().next().unwrap()["Properties"].clone()
}

fn arn_of(t: &Template, type_name: &str) -> Json {
    json!({"Fn::GetAtt": [t.logical_id_of_type(type_name), "Arn"]})
}

fn table(stack: &mut Stack) -> Table {
    Table::new(
        stack,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    )
}

/// One machine with one task; returns the template and the machine role's statements.
fn with_task<B: Into<DefinitionBody>>(
    build: impl FnOnce(&mut Stack) -> B,
) -> (Template, Vec<Json>) {
    let ws = workspace();
    let mut s = Stack::new("S");
    let step = build(&mut s);
    StateMachine::new(&mut s, "Machine", StateMachineProps::new(step));
    let t = Template::from_stack_in(ws.path(), &s);
    let st = statements(&t, "MachineRole");
    (t, st)
}

#[test]
fn dynamodb_tasks_need_exactly_their_action_on_the_table() {
    for (action, iam) in [
        ("put", "dynamodb:PutItem"),
        ("get", "dynamodb:GetItem"),
        ("update", "dynamodb:UpdateItem"),
        ("delete", "dynamodb:DeleteItem"),
    ] {
        let (t, st) = with_task(|s| {
            let table = table(s);
            let key = attr_map(&[("Id", Attr::s_path("$.id"))]);
            match action {
                "put" => tasks::dynamo_put_item("T", &table, key, Expressions::default()),
                "get" => tasks::dynamo_get_item("T", &table, key, Some(true)),
                "update" => tasks::dynamo_update_item(
                    "T",
                    &table,
                    key,
                    "SET #s = :v",
                    Expressions::new()
                        .expression_attribute_names([("#s", "Status")])
                        .expression_attribute_values([(":v", Attr::s("Done"))])
                        .condition_expression("attribute_exists(Id)")
                        .return_values(ReturnValues::AllNew),
                ),
                _ => tasks::dynamo_delete_item("T", &table, key, Expressions::default()),
            }
        });
        let table_arn = arn_of(&t, "AWS::DynamoDB::Table");
        assert_eq!(
            st,
            vec![json!({"Action": iam, "Effect": "Allow", "Resource": table_arn})],
            "{action}"
        );
        let p = machine_props(&t);
        let task = &p["Definition"]["States"]["T"];
        let integration = format!("Dynamodb{}Item", &iam["dynamodb:".len()..iam.len() - 4]);
        assert_eq!(task["Resource"], format!("${{{integration}}}"), "{action}");
        assert_eq!(
            p["DefinitionSubstitutions"][&integration],
            json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:states:::dynamodb:{action}Item")})
        );
        assert_eq!(task["Parameters"]["TableName"], "${JobsName}");
        assert_eq!(
            p["DefinitionSubstitutions"]["JobsName"],
            json!({"Ref": t.logical_id_of_type("AWS::DynamoDB::Table")})
        );
        let field = if action == "put" { "Item" } else { "Key" };
        assert_eq!(
            task["Parameters"][field],
            json!({"Id": {"S.$": "$.id"}}),
            "{action}"
        );
        if action == "get" {
            assert_eq!(task["Parameters"]["ConsistentRead"], true);
        }
        if action == "update" {
            assert_eq!(
                task["Parameters"],
                json!({"TableName": "${JobsName}", "Key": {"Id": {"S.$": "$.id"}}, "UpdateExpression": "SET #s = :v",
                       "ConditionExpression": "attribute_exists(Id)", "ExpressionAttributeNames": {"#s": "Status"},
                       "ExpressionAttributeValues": {":v": {"S": "Done"}}, "ReturnValues": "ALL_NEW"})
            );
        }
    }
}

#[test]
fn attribute_values_render_every_type() {
    let v = attrs(&attr_map(&[
        ("s", Attr::s("x")),
        ("sp", Attr::s_context(ContextPath::STATE_ENTERED_TIME)),
        ("n", Attr::n(5)),
        ("np", Attr::n_path("$.timestamp")),
        ("b", Attr::Bool(true)),
        ("m", Attr::M(attr_map(&[("k", Attr::Null)]))),
        (
            "l",
            Attr::L(vec![Attr::s("a"), Attr::BoolPath("$.flag".into())]),
        ),
    ]));
    assert_eq!(
        constructs::stepfunctions::asl::render::to_plain_json(&v).unwrap(),
        json!({
            "s": {"S": "x"},
            "sp": {"S.$": "$$.State.EnteredTime"},
            "n": {"N": "5"},
            "np": {"N.$": "States.Format('{}', $.timestamp)"},
            "b": {"BOOL": true},
            "m": {"M": {"k": {"NULL": true}}},
            "l": {"L": [{"S": "a"}, {"BOOL.$": "$.flag"}]}
        })
    );
}

#[test]
fn a_query_with_an_index_may_read_that_index() {
    let (t, st) = with_task(|s| {
        let table = table(s);
        tasks::dynamo_query(
            "Q",
            &table,
            Query::new("Id = :id")
                .index_name("byDay")
                .expression_attribute_values([(":id", Attr::s_path("$.id"))])
                .consistent_read(true),
        )
    });
    let arn = arn_of(&t, "AWS::DynamoDB::Table");
    assert_eq!(
        st,
        vec![json!({"Action": "dynamodb:Query", "Effect": "Allow",
                    "Resource": [arn, {"Fn::Sub": ["${Table}/index/byDay", {"Table": arn}]}]})]
    );
    let p = machine_props(&t);
    assert_eq!(
        p["DefinitionSubstitutions"]["AwsSdkDynamodbQuery"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:states:::aws-sdk:dynamodb:query"})
    );
}

#[test]
fn lambda_tasks_invoke_the_function_and_its_versions() {
    let (t, st) = with_task(|s| {
        let f = Function::new(s, "F", FunctionProps::new("one"));
        tasks::lambda_invoke("Invoke", &f, LambdaInvoke::default())
    });
    let arn = arn_of(&t, "AWS::Lambda::Function");
    assert_eq!(
        st,
        vec![json!({"Action": "lambda:InvokeFunction", "Effect": "Allow",
                    "Resource": [arn, {"Fn::Sub": ["${Function}:*", {"Function": arn}]}]})]
    );
    let p = machine_props(&t);
    assert_eq!(
        p["Definition"]["States"]["Invoke"],
        json!({
            "Type": "Task",
            "Resource": "${LambdaInvoke}",
            "Parameters": {"FunctionName": "${FArn}", "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException",
                                       "Lambda.AWSLambdaException", "Lambda.SdkClientException"],
                       "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2}],
            "End": true
        })
    );
    assert_eq!(p["DefinitionSubstitutions"]["FArn"], arn);

    // payload only (the direct ARN), with a payload and no retry
    let (t, _) = with_task(|s| {
        let f = Function::new(s, "F", FunctionProps::new("one"));
        tasks::lambda_invoke(
            "Invoke",
            &f,
            LambdaInvoke::new()
                .payload(Payload::new().path("id", "$.id"))
                .without_service_retry()
                .payload_response_only(),
        )
    });
    assert_eq!(
        machine_props(&t)["Definition"]["States"]["Invoke"],
        json!({"Type": "Task", "Resource": "${FArn}", "Parameters": {"id.$": "$.id"}, "End": true})
    );
    // the legacy form
    let (t, st) = with_task(|s| {
        let f = Function::new(s, "F", FunctionProps::new("one"));
        tasks::lambda_function("step-a", &f).timeout(11)
    });
    let function = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::Lambda::Function"), "Arn"]});
    assert_eq!(
        st,
        vec![json!({"Action": "lambda:InvokeFunction", "Effect": "Allow",
                    "Resource": [function, {"Fn::Sub": ["${Function}:*", {"Function": function}]}]})]
    );
    assert_eq!(
        machine_props(&t)["Definition"]["States"]["step-a"],
        json!({"Type": "Task", "Resource": "${FArn}", "TimeoutSeconds": 11, "End": true})
    );
}

#[test]
fn start_execution_rights_depend_on_the_integration_pattern() {
    for (pattern, suffix, count) in [
        (IntegrationPattern::RequestResponse, "", 1),
        (IntegrationPattern::Sync, ".sync:2", 3),
        (IntegrationPattern::WaitForTaskToken, ".waitForTaskToken", 1),
    ] {
        let (t, st) = with_task(|s| {
            let child = StateMachine::new(s, "Child", StateMachineProps::new(pass("Noop")));
            let mut options = StartExecution::new().pattern(pattern);
            if pattern == IntegrationPattern::WaitForTaskToken {
                options = options.input(Payload::new().context("token", ContextPath::TASK_TOKEN));
            }
            tasks::start_execution("Start", &child, options)
        });
        let child_id = t
            .find_resources("AWS::StepFunctions::StateMachine", json!({}))
            .keys()
            .find(|k| k.starts_with("Child"))
            .cloned()
            .unwrap();
        let mut expected = vec![
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": child_id}}),
        ];
        if pattern == IntegrationPattern::Sync {
            // watching the child, and the events rule that tells when it ends
            expected.push(
                json!({"Action": ["states:DescribeExecution", "states:StopExecution"], "Effect": "Allow",
                       "Resource": {"Fn::Sub": ["arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*",
                                                {"Name": {"Fn::GetAtt": [child_id, "Name"]}}]}}),
            );
            expected.push(
                json!({"Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"], "Effect": "Allow",
                       "Resource": {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"}}),
            );
        }
        assert_eq!(st.len(), count, "{pattern:?}: {st:#?}");
        assert_eq!(st, expected, "{pattern:?}");
        let machines = t.find_resources("AWS::StepFunctions::StateMachine", json!({}));
        let parent = machines
            .iter()
            .find(|(k, _)| k.starts_with("Machine"))
            .unwrap()
            .1;
        let subs = &parent["Properties"]["DefinitionSubstitutions"];
        let key = parent["Properties"]["Definition"]["States"]["Start"]["Resource"]
            .as_str()
            .unwrap()
            .trim_matches(|c| c == '$' || c == '{' || c == '}')
            .to_string();
        assert_eq!(
            subs[&key],
            json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:states:::states:startExecution{suffix}")})
        );
        assert_eq!(subs["ChildArn"], json!({"Ref": child_id}));
    }
}

#[test]
fn s3_tasks_name_the_objects_they_touch() {
    let (t, st) = with_task(|s| {
        let b = Bucket::new(s, "Data", BucketProps::new());
        tasks::s3_get_object("Get", &b, ObjectKey::Literal("config/settings.json".into())).next(
            tasks::s3_put_object(
                "Put",
                &b,
                ObjectKey::Path("$.key".into()),
                ObjectKey::Path("$.body".into()),
            ),
        )
    });
    let arn = arn_of(&t, "AWS::S3::Bucket");
    assert_eq!(
        st,
        vec![
            json!({"Action": "s3:GetObject", "Effect": "Allow", "Resource": {"Fn::Sub": ["${Bucket}/config/settings.json", {"Bucket": arn}]}}),
            json!({"Action": "s3:PutObject", "Effect": "Allow", "Resource": {"Fn::Sub": ["${Bucket}/*", {"Bucket": arn}]}}),
        ]
    );
    let p = machine_props(&t);
    assert_eq!(
        p["Definition"]["States"]["Get"]["Parameters"],
        json!({"Bucket": "${DataName}", "Key": "config/settings.json"})
    );
    assert_eq!(
        p["Definition"]["States"]["Put"]["Parameters"],
        json!({"Bucket": "${DataName}", "Key.$": "$.key", "Body.$": "$.body"})
    );
    assert_eq!(
        p["DefinitionSubstitutions"]["AwsSdkS3GetObject"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:states:::aws-sdk:s3:getObject"})
    );
}

#[test]
fn sdk_tasks_take_explicit_rights_and_require_them() {
    let (_, st) = with_task(|_| {
        tasks::aws_sdk(
            "Publish",
            "sns",
            "publish",
            Value::from(
                json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message.$": "$.m"}),
            ),
            vec![PolicyStatement::allow()
                .action("sns:Publish")
                .resource("arn:aws:sns:us-east-1:123456789012:t")],
        )
    });
    assert_eq!(
        st,
        vec![
            json!({"Action": "sns:Publish", "Effect": "Allow", "Resource": "arn:aws:sns:us-east-1:123456789012:t"})
        ]
    );

    let mut s = Stack::new("S");
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(tasks::aws_sdk(
            "X",
            "SNS",
            "Publish",
            Value::from(json!({})),
            vec![],
        )),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    let all: Vec<String> = app
        .synth()
        .unwrap_err()
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(all.iter().any(|p| p.contains("S/M/Resource [Definition]: state \"X\": the SDK call SNS:Publish needs explicit IAM statements")), "{all:?}");
    assert!(
        all.iter()
            .any(|p| p.contains("must name a service in lower case")),
        "{all:?}"
    );
}

#[test]
fn logging_tracing_and_the_machine_settings() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let logs = LogGroup::new(&mut s, "Logs", LogGroupProps::new(RetentionDays::OneWeek));
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(pass("P"))
            .express()
            .name("my-machine")
            .comment("c")
            .timeout_seconds(60)
            .logging(&logs, LogLevel::All, true)
            .tracing(),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let p = machine_props(&t);
    assert_eq!(p["StateMachineType"], "EXPRESS");
    assert_eq!(p["StateMachineName"], "my-machine");
    assert_eq!(
        p["Definition"],
        json!({"Comment": "c", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}, "TimeoutSeconds": 60})
    );
    assert!(p.get("DefinitionSubstitutions").is_none());
    assert_eq!(
        p["LoggingConfiguration"],
        json!({"Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": arn_of(&t, "AWS::Logs::LogGroup")}}],
               "IncludeExecutionData": true, "Level": "ALL"})
    );
    assert_eq!(p["TracingConfiguration"], json!({"Enabled": true}));
    // log delivery and X-Ray: AWS accepts only * for them
    assert_eq!(
        statements(&t, "MRole"),
        vec![
            json!({"Action": ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
                              "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
                              "logs:PutResourcePolicy", "logs:UpdateLogDelivery"],
                   "Effect": "Allow", "Resource": "*"}),
            json!({"Action": ["xray:GetSamplingRules", "xray:GetSamplingTargets",
                              "xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                   "Effect": "Allow", "Resource": "*"}),
        ]
    );
    let roles = t.find_resources("AWS::IAM::Role", json!({}));
    assert_eq!(
        roles.values().next().unwrap()["Properties"]["AssumeRolePolicyDocument"],
        json!({"Version": "2012-10-17", "Statement": [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}}]})
    );
    // the machine waits for its rights
    t.has_resource(
        "AWS::StepFunctions::StateMachine",
        json!({"DependsOn": [t.logical_id_of_type("AWS::IAM::Policy")]}),
    );
}

#[test]
fn a_substitution_can_stand_in_an_object_key() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let table = table(&mut s);
    let step = tasks::dynamo_put_item(
        "Final",
        &table,
        attr_map(&[
            ("Id", Attr::s_path("$.id")),
            ("${FinalResultFieldName}", Attr::Bool(true)),
        ]),
        Expressions::default(),
    );
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(step).substitution("FinalResultFieldName", "finalResult"),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let p = machine_props(&t);
    assert_eq!(
        p["Definition"]["States"]["Final"]["Parameters"]["Item"]["${FinalResultFieldName}"],
        json!({"BOOL": true})
    );
    assert_eq!(
        p["DefinitionSubstitutions"]["FinalResultFieldName"],
        "finalResult"
    );
}

#[test]
fn substitutions_must_match_the_definition() {
    let mut s = Stack::new("S");
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(pass("P").result(Value::from("${Missing}")))
            .substitution("Unused", "x"),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    let all: Vec<String> = app
        .synth()
        .unwrap_err()
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        all,
        vec![
            "S/M/Resource [Definition]: the definition names ${Missing}, but no substitution Missing is given".to_string(),
            "S/M/Resource [Definition]: the substitution Unused is not used in the definition".to_string(),
        ]
    );
}

#[test]
fn an_express_machine_refuses_sync_integrations_at_synth() {
    let mut s = Stack::new("S");
    let child = StateMachine::new(&mut s, "Child", StateMachineProps::new(pass("Noop")));
    let step = tasks::start_execution(
        "Run child",
        &child,
        StartExecution::new().pattern(IntegrationPattern::Sync),
    );
    StateMachine::new(&mut s, "M", StateMachineProps::new(step).express());
    let mut app = App::new(".");
    app.add_stack(s);
    let all: Vec<String> = app
        .synth()
        .unwrap_err()
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].starts_with("S/M/Resource [Definition]: state \"Run child\": uses arn:${AWS::Partition}:states:::states:startExecution.sync:2, but an EXPRESS state machine"), "{all:?}");
}

#[test]
fn grants_on_a_machine() {
    let mut s = Stack::new("S");
    let m = StateMachine::new(&mut s, "M", StateMachineProps::new(pass("P")));
    let e = StateMachine::new(&mut s, "E", StateMachineProps::new(pass("Q")).express());
    let caller = Role::new(
        &mut s,
        "Caller",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    m.grant_start_execution(&mut s, &caller);
    m.grant_read(&mut s, &caller);
    m.grant_task_response(&mut s, &caller);
    e.grant_start_sync_execution(&mut s, &caller);
    let t = Template::from_stack(&s);
    let ids: Vec<String> = t
        .find_resources("AWS::StepFunctions::StateMachine", json!({}))
        .keys()
        .cloned()
        .collect();
    let (m_id, e_id) = (&ids[0], &ids[1]);
    assert_eq!(
        statements(&t, "Caller"),
        vec![
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": m_id}}),
            json!({"Action": "states:DescribeExecution", "Effect": "Allow",
                   "Resource": {"Fn::Sub": ["arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*", {"Name": {"Fn::GetAtt": [m_id, "Name"]}}]}}),
            json!({"Action": ["states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"], "Effect": "Allow", "Resource": {"Ref": m_id}}),
            json!({"Action": "states:StartSyncExecution", "Effect": "Allow", "Resource": {"Ref": e_id}}),
        ]
    );
}
