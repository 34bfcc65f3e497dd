//! Step Functions tasks that the service would accept but that cannot work: a Lambda callback
//! that sends no token, messages a FIFO queue or topic would refuse. Each either renders what
//! works (in both query languages) or fails synth naming the state and the field.

mod common;

use constructs::assertions::Template;
use constructs::lambda::{Function, FunctionProps};
use constructs::sns::{Topic, TopicProps};
use constructs::sqs::{Queue, QueueProps};
use constructs::stepfunctions::asl::*;
use constructs::stepfunctions::tasks::{self, *};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::Stack;
use serde_json::{json, Value as Json};

use common::{assert_contains_all, problems_in, statements, workspace};

/// The machine `M` running `step` under `language`: its template, or every problem.
fn machine(
    language: QueryLanguage,
    build: impl FnOnce(&mut Stack) -> Step,
) -> Result<Template, String> {
    let ws = workspace();
    let mut s = Stack::new("S");
    let step = build(&mut s);
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(step).query_language(language),
    );
    let mut app = constructs::App::new(ws.path());
    app.add_stack(s.clone());
    match app.synth() {
        Ok(_) => Ok(Template::from_stack_in(ws.path(), &s)),
        Err(_) => Err(problems_in(ws.path(), s)),
    }
}

fn machine_json(t: &Template) -> Json {
    t.find_resources("AWS::StepFunctions::StateMachine", json!({}))
        .into_values()
        .next()
        .unwrap()["Properties"]
        .clone()
}

/// The state `name` of the machine, and what its `Resource` placeholder stands for.
fn state(t: &Template, name: &str) -> (Json, Json) {
    let m = machine_json(t);
    let state = m["Definition"]["States"][name].clone();
    let key = state["Resource"]
        .as_str()
        .unwrap()
        .trim_matches(|c| c == '$' || c == '{' || c == '}')
        .to_string();
    (state, m["DefinitionSubstitutions"][&key].clone())
}

fn callback_payload() -> Input {
    Input::object()
        .field("order", Input::path("$.id"))
        .field("token", ContextPath::TASK_TOKEN)
}

#[test]
fn lambda_invoke_waits_for_a_callback_in_both_query_languages() {
    for language in [QueryLanguage::JsonPath, QueryLanguage::Jsonata] {
        let t = machine(language, |s| {
            let f = Function::new(s, "F", FunctionProps::new("one"));
            tasks::lambda_invoke(
                "Call",
                &f,
                LambdaInvoke::new()
                    .payload(callback_payload())
                    .wait_for_task_token(),
            )
        })
        .unwrap_or_else(|e| panic!("{language:?}: {e}"));
        let (call, resource) = state(&t, "Call");
        assert_eq!(
            resource,
            json!({"Fn::Sub": "arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken"}),
            "{language:?}"
        );
        match language {
            QueryLanguage::JsonPath => assert_eq!(
                call["Parameters"],
                json!({"FunctionName": "${FArn}", "Payload": {"order.$": "$.id", "token.$": "$$.Task.Token"}})
            ),
            QueryLanguage::Jsonata => assert_eq!(
                call["Arguments"],
                json!({"FunctionName": "${FArn}",
                       "Payload": {"order": "{% $states.input.id %}", "token": "{% $states.context.Task.Token %}"}})
            ),
        }
        // the service retry still applies, and the right is the same as without waiting
        assert_eq!(
            call["Retry"][0]["ErrorEquals"][0],
            "Lambda.ClientExecutionTimeoutException"
        );
        let fn_arn = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::Lambda::Function"), "Arn"]});
        assert_eq!(
            statements(&t, "MRole"),
            vec![json!({"Action": "lambda:InvokeFunction", "Effect": "Allow",
                        "Resource": [fn_arn, {"Fn::Sub": ["${Function}:*", {"Function": fn_arn}]}]})]
        );
    }
    // without waiting, the resource has no suffix
    let t = machine(QueryLanguage::JsonPath, |s| {
        let f = Function::new(s, "F", FunctionProps::new("one"));
        tasks::lambda_invoke("Call", &f, LambdaInvoke::new())
    })
    .unwrap();
    assert_eq!(
        state(&t, "Call").1,
        json!({"Fn::Sub": "arn:${AWS::Partition}:states:::lambda:invoke"})
    );
}

#[test]
fn a_lambda_callback_that_sends_no_token_or_calls_by_arn_fails_synth() {
    for (language, said) in [
        (
            QueryLanguage::JsonPath,
            "S/M/Resource [Definition]: state \"Call\": uses arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken but sends no task token: put $$.Task.Token in its Parameters",
        ),
        (
            QueryLanguage::Jsonata,
            "S/M/Resource [Definition]: state \"Call\": uses arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken but sends no task token: put $states.context.Task.Token in its Arguments",
        ),
    ] {
        // the default payload, the state's input, carries no token
        let all = machine(language, |s| {
            let f = Function::new(s, "F", FunctionProps::new("one"));
            tasks::lambda_invoke("Call", &f, LambdaInvoke::new().wait_for_task_token())
        })
        .expect_err("no token");
        assert_contains_all(&all, &[said]);
    }
    let all = machine(QueryLanguage::JsonPath, |s| {
        let f = Function::new(s, "F", FunctionProps::new("one"));
        tasks::lambda_invoke(
            "Call",
            &f,
            LambdaInvoke::new()
                .payload(callback_payload())
                .payload_response_only()
                .wait_for_task_token(),
        )
    })
    .expect_err("by ARN");
    assert_contains_all(
        &all,
        &["S/M/Resource [Definition]: state \"Call\": payload_response_only calls the function by its ARN, which cannot wait for a task token"],
    );
}

fn send(queue: QueueProps, options: SendMessage) -> Result<Template, String> {
    machine(QueryLanguage::JsonPath, |s| {
        let q = Queue::new(s, "Q", queue);
        tasks::sqs_send_message("Send", &q, options)
    })
}

const NO_GROUP: &str = "state \"Send\": MessageGroupId: a FIFO queue refuses a message without a group id; give SendMessage::group_id";
const NO_DEDUP: &str = "state \"Send\": MessageDeduplicationId: the FIFO queue has no content-based deduplication, so it refuses a message without a deduplication id; give SendMessage::deduplication_id, or turn on the queue's content_based_deduplication";

#[test]
fn a_message_a_fifo_queue_would_refuse_fails_synth() {
    let body = || Input::path("$.order");
    // neither id: both are missing
    let all = send(QueueProps::new().fifo(), SendMessage::new(body())).unwrap_err();
    assert_contains_all(&all, &[NO_GROUP, NO_DEDUP]);
    assert_eq!(all.lines().count(), 2, "{all}");
    // a deduplication id, but no group
    let all = send(
        QueueProps::new().fifo(),
        SendMessage::new(body()).deduplication_id(Input::path("$$.Execution.Id")),
    )
    .unwrap_err();
    assert_eq!(all, format!("S/M/Resource [Definition]: {NO_GROUP}"));
    // a group, but no deduplication id and no content-based deduplication
    let all = send(
        QueueProps::new().fifo(),
        SendMessage::new(body()).group_id("orders"),
    )
    .unwrap_err();
    assert_eq!(all, format!("S/M/Resource [Definition]: {NO_DEDUP}"));
    // a per-message delay: SQS takes none on a FIFO queue
    let all = send(
        QueueProps::new().fifo().content_based_deduplication(),
        SendMessage::new(body()).group_id("orders").delay_seconds(5),
    )
    .unwrap_err();
    assert_eq!(
        all,
        "S/M/Resource [Definition]: state \"Send\": DelaySeconds: SQS takes no per-message delay on a FIFO queue; set the queue's delay instead"
    );
    // a standard queue: a delay of at most 15 minutes
    let all = send(
        QueueProps::new(),
        SendMessage::new(body()).delay_seconds(901),
    )
    .unwrap_err();
    assert_eq!(
        all,
        "S/M/Resource [Definition]: state \"Send\": DelaySeconds: 901 s is over SQS's 900 (15 minutes)"
    );
}

#[test]
fn a_message_a_fifo_queue_accepts_synthesizes() {
    // content-based deduplication: a group is enough
    let t = send(
        QueueProps::new().fifo().content_based_deduplication(),
        SendMessage::new(Input::path("$.order")).group_id(Input::path("$.customer")),
    )
    .unwrap();
    assert_eq!(
        state(&t, "Send").0["Parameters"],
        json!({"QueueUrl": "${QUrl}", "MessageBody.$": "$.order", "MessageGroupId.$": "$.customer"})
    );
    // the placeholder stands for the queue's URL (its Ref)
    assert_eq!(
        machine_json(&t)["DefinitionSubstitutions"]["QUrl"],
        json!({"Ref": t.logical_id_of_type("AWS::SQS::Queue")})
    );
    // otherwise both ids
    let t = send(
        QueueProps::new().fifo(),
        SendMessage::new(Input::path("$.order"))
            .group_id("orders")
            .deduplication_id(Input::path("$$.Execution.Name")),
    )
    .unwrap();
    assert_eq!(
        state(&t, "Send").0["Parameters"],
        json!({"QueueUrl": "${QUrl}", "MessageBody.$": "$.order", "MessageGroupId": "orders",
               "MessageDeduplicationId.$": "$$.Execution.Name"})
    );
    // a standard queue needs neither, and takes a delay
    let t = send(
        QueueProps::new(),
        SendMessage::new(Input::path("$.order")).delay_seconds(900),
    )
    .unwrap();
    assert_eq!(state(&t, "Send").0["Parameters"]["DelaySeconds"], 900);
}

fn publish(topic: TopicProps, options: Publish) -> Result<Template, String> {
    machine(QueryLanguage::Jsonata, |s| {
        let t = Topic::new(s, "T", topic);
        tasks::sns_publish("Tell", &t, options)
    })
}

#[test]
fn a_message_a_fifo_topic_would_refuse_fails_synth_and_one_it_accepts_synthesizes() {
    let message = || Input::expr("$states.input.event");
    let group = "state \"Tell\": MessageGroupId: a FIFO topic refuses a message without a group id; give Publish::group_id";
    let dedup = "state \"Tell\": MessageDeduplicationId: the FIFO topic has no content-based deduplication, so it refuses a message without a deduplication id; give Publish::deduplication_id, or turn on the topic's content_based_deduplication";
    let all = publish(TopicProps::new().fifo(), Publish::new(message())).unwrap_err();
    assert_contains_all(&all, &[group, dedup]);
    assert_eq!(all.lines().count(), 2, "{all}");
    let all = publish(
        TopicProps::new().fifo().content_based_deduplication(),
        Publish::new(message()),
    )
    .unwrap_err();
    assert_eq!(all, format!("S/M/Resource [Definition]: {group}"));
    let all = publish(
        TopicProps::new().fifo(),
        Publish::new(message()).group_id("events"),
    )
    .unwrap_err();
    assert_eq!(all, format!("S/M/Resource [Definition]: {dedup}"));

    let t = publish(
        TopicProps::new().fifo(),
        Publish::new(message())
            .group_id(Input::expr("$states.input.customer"))
            .deduplication_id(Input::expr("$states.context.Execution.Name")),
    )
    .unwrap();
    assert_eq!(
        state(&t, "Tell").0["Arguments"],
        json!({"TopicArn": "${TArn}", "Message": "{% $states.input.event %}",
               "MessageGroupId": "{% $states.input.customer %}",
               "MessageDeduplicationId": "{% $states.context.Execution.Name %}"})
    );
    let t = publish(
        TopicProps::new().fifo().content_based_deduplication(),
        Publish::new(message()).group_id("events"),
    )
    .unwrap();
    assert!(state(&t, "Tell").0["Arguments"]
        .get("MessageDeduplicationId")
        .is_none());
    // a standard topic needs neither
    publish(TopicProps::new(), Publish::new(message())).unwrap();
}
