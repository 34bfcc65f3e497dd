//! `rcdk run --live` against moto: the Step Functions, SQS and SNS tasks of a machine go out
//! as Step Functions sends them, and the state sees the result in the integration's shape.
//!
//! What each test checks, and how: the request moto received is read back through an
//! independent call (DescribeExecution of the child an execution started, ReceiveMessage of
//! the queue a message went to), never taken from rcdk's own echo. The result shapes expected
//! are those AWS documents (cited in toolkit/src/live/sfn.rs): moto cannot tell whether a
//! result is shaped as Step Functions would shape it, so the test states it.

mod common;

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value as Json};

use common::moto::{Moto, Run, ACCOUNT, REGION};
use rcdk_toolkit::aws::Aws;
use rcdk_toolkit::signed::Signed;

/// `rcdk-toolkit run --definition FILE --live --json` in `dir`: the JSON it prints.
fn run_definition(endpoint: &str, dir: &Path, definition: &Json) -> (Run, Json) {
    let file = dir.join("parent.asl.json");
    std::fs::write(&file, definition.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let file = file.to_string_lossy().to_string();
    let run = common::moto::run(
        &common::moto::toolkit(),
        dir,
        endpoint,
        &[
            "run",
            "--definition",
            &file,
            "--live",
            "--json",
            "--seed",
            "7",
        ],
        Duration::from_secs(300),
    );
    let out: Json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run, out)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A signed client to moto (the test's own, independent of the run's).
async fn signed(endpoint: &str) -> Signed {
    let config = common::moto::sdk_config(endpoint).await;
    let aws = Aws {
        cfn: aws_sdk_cloudformation::Client::new(&config),
        s3: aws_sdk_s3::Client::new(&config),
        region: REGION.to_string(),
        endpoint: Some(endpoint.to_string()),
        config: Some(config),
    };
    Signed::new(&aws)
}

/// A form value, percent-encoded.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The keys of an object, in order.
fn keys(v: &Json) -> Vec<&str> {
    v.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// A date in epoch milliseconds of this century (the optimized integration's dates).
fn is_millis(v: &Json) -> bool {
    v.as_i64()
        .is_some_and(|ms| (1_500_000_000_000..4_000_000_000_000).contains(&ms))
}

#[test]
fn step_functions_tasks_start_and_follow_executions_as_step_functions_does() {
    let moto = Moto::start();
    let endpoint = moto.endpoint.as_str();
    let rt = runtime();
    let config = rt.block_on(common::moto::sdk_config(endpoint));
    let sfn = aws_sdk_sfn::Client::new(&config);
    let role = format!("arn:aws:iam::{ACCOUNT}:role/live-test");
    let create = |name: &str, definition: Json| {
        rt.block_on(
            sfn.create_state_machine()
                .name(name)
                .definition(definition.to_string())
                .role_arn(&role)
                .send(),
        )
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
        .state_machine_arn()
        .to_string()
    };
    let suffix = std::process::id();
    let child = create(
        &format!("live-child-{suffix}"),
        json!({"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "Parameters": {"echo.$": "$"}, "End": true}}}),
    );
    let broken = create(
        &format!("live-broken-{suffix}"),
        json!({"StartAt": "Break", "States": {"Break": {"Type": "Fail", "Error": "Child.Broke", "Cause": "on purpose"}}}),
    );
    let task = |resource: &str, parameters: Json, result: &str, next: &str| {
        json!({"Type": "Task", "Resource": format!("arn:aws:states:::{resource}"),
               "Parameters": parameters, "ResultPath": format!("$.{result}"), "Next": next})
    };
    let mut failing = task(
        "states:startExecution.sync",
        json!({"StateMachineArn": broken, "Name": "live-broken"}),
        "unused",
        "Done",
    );
    failing["Catch"] = json!([{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failed", "Next": "Missing"}]);
    let mut missing = task(
        "aws-sdk:sfn:describeExecution",
        json!({"ExecutionArn": format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:live-child-{suffix}:nope")}),
        "unused",
        "Done",
    );
    missing["Catch"] = json!([{"ErrorEquals": ["Sfn.ExecutionDoesNotExistException"],
                               "ResultPath": "$.missing", "Next": "Done"}]);
    let definition = json!({"StartAt": "Start", "States": {
        "Start": task("states:startExecution",
            json!({"StateMachineArn": child, "Input": {"n": 1}, "Name": "live-start"}), "start", "Sync"),
        "Sync": task("states:startExecution.sync",
            json!({"StateMachineArn": child, "Input": {"n": 2}, "Name": "live-sync"}), "sync", "Sync2"),
        "Sync2": task("states:startExecution.sync:2",
            json!({"StateMachineArn": child, "Input": {"n": 3}, "Name": "live-sync2"}), "sync2", "Describe"),
        "Describe": task("aws-sdk:sfn:describeExecution",
            json!({"ExecutionArn.$": "$.start.ExecutionArn"}), "described", "List"),
        "List": task("aws-sdk:sfn:listExecutions",
            json!({"StateMachineArn": child, "StatusFilter": "SUCCEEDED"}), "listed", "Fails"),
        "Fails": failing,
        "Missing": missing,
        "Done": {"Type": "Succeed"}
    }});
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (run, out) = run_definition(endpoint, dir.path(), &definition);
    assert_eq!(
        out["status"], "SUCCEEDED",
        "{} {}\n{}",
        out["error"], out["cause"], run.stderr
    );
    let out = &out["output"];

    // what moto received, read back independently: each child's name and input as sent
    let described = |name: &str| {
        let arn = format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:live-child-{suffix}:{name}");
        rt.block_on(sfn.describe_execution().execution_arn(&arn).send())
            .unwrap_or_else(|e| panic!("the child {name} was not started: {e:?}"))
    };
    for (name, n) in [("live-start", 1), ("live-sync", 2), ("live-sync2", 3)] {
        let d = described(name);
        let input: Json = serde_json::from_str(d.input().unwrap_or("null")).unwrap_or_default();
        assert_eq!(
            input,
            json!({"n": n}),
            "{name}: the Input object went as its text"
        );
    }

    // startExecution: the integration's ExecutionArn and StartDate, nothing else
    let start = &out["start"];
    assert_eq!(keys(start), ["ExecutionArn", "StartDate"], "{start}");
    assert!(
        start["ExecutionArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":live-start")),
        "{start}"
    );
    assert!(is_millis(&start["StartDate"]), "{start}");

    // .sync: DescribeExecution in PascalCase, Input and Output as text
    let sync = &out["sync"];
    assert_eq!(sync["Status"], "SUCCEEDED", "{sync}");
    assert_eq!(sync["Name"], "live-sync", "{sync}");
    assert_eq!(sync["StateMachineArn"], child.as_str(), "{sync}");
    assert!(
        is_millis(&sync["StartDate"]) && is_millis(&sync["StopDate"]),
        "{sync}"
    );
    assert_eq!(sync["Input"], "{\"n\":2}", "{sync}");
    let output: Json = serde_json::from_str(sync["Output"].as_str().unwrap_or("null"))
        .unwrap_or_else(|e| panic!("Output is text of JSON: {e}: {sync}"));
    assert_eq!(output, json!({"echo": {"n": 2}}));
    assert!(
        keys(sync)
            .iter()
            .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase())),
        "{sync}"
    );

    // .sync:2: the same, Input and Output as JSON
    let sync2 = &out["sync2"];
    assert_eq!(sync2["Status"], "SUCCEEDED", "{sync2}");
    assert_eq!(sync2["Input"], json!({"n": 3}), "{sync2}");
    assert_eq!(sync2["Output"], json!({"echo": {"n": 3}}), "{sync2}");

    // aws-sdk:sfn: the API's answer in PascalCase
    let d = &out["described"];
    assert_eq!(d["ExecutionArn"], start["ExecutionArn"], "{d}");
    assert_eq!(d["Name"], "live-start", "{d}");
    assert_eq!(d["Status"], "SUCCEEDED", "{d}");
    assert_eq!(d["Input"], "{\"n\":1}", "{d}");
    let names: Vec<&str> = out["listed"]["Executions"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["Name"].as_str()).collect())
        .unwrap_or_default();
    for name in ["live-start", "live-sync", "live-sync2"] {
        assert!(names.contains(&name), "{name} not in {}", out["listed"]);
    }

    // a FAILED child: States.TaskFailed, its description as the cause
    let failed = &out["failed"];
    assert_eq!(failed["Error"], "States.TaskFailed", "{failed}");
    let cause: Json = serde_json::from_str(failed["Cause"].as_str().unwrap_or("null"))
        .unwrap_or_else(|e| panic!("the cause is the description's JSON: {e}: {failed}"));
    assert_eq!(cause["Status"], "FAILED", "{cause}");
    assert_eq!(cause["Error"], "Child.Broke", "{cause}");
    assert_eq!(cause["Name"], "live-broken", "{cause}");

    // a refused aws-sdk call: Sfn.<Code>Exception
    assert_eq!(
        out["missing"]["Error"], "Sfn.ExecutionDoesNotExistException",
        "{}",
        out["missing"]
    );
}

#[test]
fn sqs_and_sns_tasks_send_their_message_attributes() {
    let moto = Moto::start();
    let endpoint = moto.endpoint.as_str();
    let rt = runtime();
    let signed = rt.block_on(signed(endpoint));
    let sqs = |target: &str, body: Json| {
        rt.block_on(signed.json(
            "sqs",
            "application/x-amz-json-1.0",
            &format!("AmazonSQS.{target}"),
            &body,
        ))
        .unwrap_or_else(|e| panic!("{target}: {e}"))
    };
    let sns = |form: &[(&str, &str)]| {
        let mut body = String::from("Version=2010-03-31");
        for (k, v) in form {
            body.push_str(&format!("&{}={}", encode(k), encode(v)));
        }
        let answer = rt
            .block_on(signed.send(
                "sns",
                "POST",
                "/",
                &[("content-type", "application/x-www-form-urlencoded")],
                body.into_bytes(),
            ))
            .unwrap_or_else(|e| panic!("{form:?}: {e}"));
        let xml = String::from_utf8_lossy(&answer.body).to_string();
        assert!(answer.status < 300, "{form:?}: {xml}");
        xml
    };
    let suffix = std::process::id();
    let direct = sqs(
        "CreateQueue",
        json!({"QueueName": format!("live-direct-{suffix}")}),
    )["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let fanned = sqs(
        "CreateQueue",
        json!({"QueueName": format!("live-fanned-{suffix}")}),
    )["QueueUrl"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let fanned_arn = sqs(
        "GetQueueAttributes",
        json!({"QueueUrl": fanned, "AttributeNames": ["QueueArn"]}),
    )["Attributes"]["QueueArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let xml = sns(&[
        ("Action", "CreateTopic"),
        ("Name", &format!("live-topic-{suffix}")),
    ]);
    let topic = xml
        .split("<TopicArn>")
        .nth(1)
        .and_then(|r| r.split("</TopicArn>").next())
        .unwrap_or_else(|| panic!("no TopicArn: {xml}"))
        .to_string();
    sns(&[
        ("Action", "Subscribe"),
        ("TopicArn", &topic),
        ("Protocol", "sqs"),
        ("Endpoint", &fanned_arn),
    ]);

    // written by hand as the integrations document them: {Name: {DataType, StringValue|BinaryValue}}
    // (https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html, connect-sns.html)
    let definition = json!({"StartAt": "Send", "States": {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": direct, "MessageBody": {"order": 7},
                "MessageAttributes": {
                    "kind": {"DataType": "String", "StringValue": "order"},
                    "blob": {"DataType": "Binary", "BinaryValue": "aGk="}}},
            "ResultPath": "$.sent", "Next": "Publish"},
        "Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": topic, "Message": {"order": 7},
                "MessageAttributes": {
                    "kind": {"DataType": "String", "StringValue": "order"},
                    "total": {"DataType": "Number", "StringValue": "12"}}},
            "ResultPath": "$.published", "End": true}
    }});
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (run, out) = run_definition(endpoint, dir.path(), &definition);
    assert_eq!(
        out["status"], "SUCCEEDED",
        "{} {}\n{}",
        out["error"], out["cause"], run.stderr
    );
    let sent = &out["output"]["sent"];
    assert!(sent["MessageId"].is_string(), "{sent}");
    // SQS answers the digest of the attributes only when it received some
    assert!(
        sent["MD5OfMessageAttributes"]
            .as_str()
            .is_some_and(|m| m.len() == 32),
        "{sent}"
    );
    assert!(out["output"]["published"]["MessageId"].is_string());

    // what SQS received, read back
    let received = sqs(
        "ReceiveMessage",
        json!({"QueueUrl": direct, "MessageAttributeNames": ["All"], "MaxNumberOfMessages": 10}),
    );
    let message = &received["Messages"][0];
    assert_eq!(message["Body"], "{\"order\":7}", "{received}");
    let attributes = &message["MessageAttributes"];
    assert_eq!(attributes["kind"]["DataType"], "String", "{attributes}");
    assert_eq!(attributes["kind"]["StringValue"], "order", "{attributes}");
    assert_eq!(attributes["blob"]["DataType"], "Binary", "{attributes}");
    assert_eq!(attributes["blob"]["BinaryValue"], "aGk=", "{attributes}");

    // what SNS received: the notification it delivered carries the attributes
    let received = sqs(
        "ReceiveMessage",
        json!({"QueueUrl": fanned, "MaxNumberOfMessages": 10}),
    );
    let envelope: Json = serde_json::from_str(
        received["Messages"][0]["Body"]
            .as_str()
            .unwrap_or_else(|| panic!("SNS delivered nothing: {received}")),
    )
    .unwrap_or_else(|e| panic!("{e}: {received}"));
    assert_eq!(envelope["Message"], "{\"order\":7}", "{envelope}");
    assert_eq!(
        envelope["MessageAttributes"],
        json!({"kind": {"Type": "String", "Value": "order"},
               "total": {"Type": "Number", "Value": "12"}}),
        "{envelope}"
    );
}

/// `run --deployed --live` of a machine whose stack names its region (eu-west-1), from a shell
/// in us-east-1: the deployed ids are read in eu-west-1 and the SendMessage goes there, to the
/// stack's own queue (read back with ReceiveMessage in eu-west-1).
#[test]
fn a_machine_of_a_regional_stack_calls_its_own_region() {
    use constructs::core::env::Environment;
    use constructs::sqs::{Queue, QueueProps};
    use constructs::stepfunctions::asl::Input;
    use constructs::stepfunctions::tasks::{sqs_send_message, SendMessage};
    use constructs::stepfunctions::{StateMachine, StateMachineProps};
    let moto = Moto::start();
    let endpoint = moto.endpoint.as_str();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let name = format!("Regional{}", std::process::id());
    let mut s = constructs::Stack::new(name.as_str());
    s.set_env(Environment::of(ACCOUNT, "eu-west-1"));
    let queue = Queue::new(&mut s, "Outbox", QueueProps::new());
    StateMachine::new(
        &mut s,
        "Send",
        StateMachineProps::new(sqs_send_message(
            "Send",
            &queue,
            SendMessage::new(Input::path("$.text")),
        )),
    );
    s.add_output("QueueUrl", queue.url());
    let mut app = constructs::App::new(dir.path());
    app.add_stack(s);
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
    let app_arg = common::moto::write_assembly(&synthesized, &dir.path().join("cdk.out"), None);
    let toolkit = common::moto::toolkit();
    let rcdk = common::moto::toolkit_in(&toolkit, dir.path(), endpoint);
    common::moto::ok(
        &rcdk(&["bootstrap", "--app", &app_arg]),
        "bootstrap of eu-west-1",
    );
    common::moto::ok(
        &rcdk(&[
            "deploy",
            "--app",
            &app_arg,
            "--all",
            "--require-approval",
            "never",
        ]),
        "deploy to eu-west-1",
    );
    let machine = format!("{name}/Send");
    let run = rcdk(&[
        "run",
        "--app",
        &app_arg,
        &machine,
        "--deployed",
        "--live",
        "--json",
        "--input",
        r#"{"text": "from the shell's region"}"#,
    ]);
    common::moto::ok(&run, "run --live");
    assert_eq!(REGION, "us-east-1", "the shell's region is another");
    let rt = runtime();
    rt.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new("eu-west-1"))
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "test", "test", None, None, "e2e",
            ))
            .load()
            .await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let stacks = cfn
            .describe_stacks()
            .stack_name(&name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let url = stacks.stacks()[0]
            .outputs()
            .iter()
            .find(|o| o.output_key() == Some("QueueUrl"))
            .and_then(|o| o.output_value())
            .unwrap_or_else(|| panic!("no QueueUrl"))
            .to_string();
        let aws = Aws {
            cfn,
            s3: aws_sdk_s3::Client::new(&config),
            region: "eu-west-1".to_string(),
            endpoint: Some(endpoint.to_string()),
            config: Some(config.clone()),
        };
        let received = Signed::new(&aws)
            .json(
                "sqs",
                "application/x-amz-json-1.0",
                "AmazonSQS.ReceiveMessage",
                &json!({"QueueUrl": url, "MaxNumberOfMessages": 10}),
            )
            .await
            .unwrap_or_else(|e| panic!("ReceiveMessage: {e}"));
        let bodies: Vec<&str> = received["Messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["Body"].as_str())
            .collect();
        assert_eq!(bodies, ["from the shell's region"], "{received}");
    });
    common::moto::ok(
        &rcdk(&["destroy", "--app", &app_arg, "--all", "--force"]),
        "destroy",
    );
}
