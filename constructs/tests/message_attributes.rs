//! Message attributes of `tasks::sqs_send_message` and `tasks::sns_publish`: typed (String,
//! Number, Binary, and String.Array on SNS), rendered as the Step Functions integrations take
//! them under JSONPath and JSONata, checked at synth as AWS documents them, and without any
//! change to the machine's permissions; and the queue's substitution named after what it
//! holds (its URL).
//!
//! Sources: the Step Functions pages "Send messages to an Amazon SQS queue" / "Publish
//! messages to an Amazon SNS topic" (`MessageAttributes` with `DataType` and `StringValue`,
//! `StringValue.$` for a value from the input); the SQS Developer Guide, "Amazon SQS message
//! attributes" (up to 10 attributes; names of up to 256 characters of A-Z a-z 0-9 _ - ., not
//! starting with AWS. or Amazon., not starting or ending with a period nor holding two in a
//! row; every part within the 262,144-byte message size; name, type and value not empty) and
//! SQS's `MessageAttributeValue` (String, Number and Binary, Number sent as `StringValue`); the
//! SNS Developer Guide, "Amazon SNS message attributes", and SNS's `MessageAttributeValue`
//! (String, String.Array, Number and Binary; the same names; no count, but more than 10 are
//! discarded by SQS subscriptions with raw message delivery).

mod common;

use common::{problems_in, statements, workspace};

use constructs::assertions::Template;
use constructs::sns::{Topic, TopicProps};
use constructs::sqs::{Queue, QueueProps};
use constructs::stepfunctions::asl::*;
use constructs::stepfunctions::tasks::{self, MessageAttribute, Publish, SendMessage};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::Stack;
use serde_json::{json, Value as Json};

/// The template of a stack with `Inbox`, `Events` and the machine `M` built from them.
fn machine(
    language: QueryLanguage,
    build: impl FnOnce(&Queue, &Topic) -> Chain<Open>,
) -> (Template, Json) {
    let ws = workspace();
    let mut s = Stack::new("S");
    let inbox = Queue::new(&mut s, "Inbox", QueueProps::new());
    let events = Topic::new(&mut s, "Events", TopicProps::new());
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(build(&inbox, &events)).query_language(language),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let machines = t.find_resources("AWS::StepFunctions::StateMachine", json!({}));
    let props = machines.values().next().unwrap()["Properties"].clone();
    (t, props)
}

fn send(inbox: &Queue, options: SendMessage) -> Chain<Open> {
    tasks::sqs_send_message("Send", inbox, options).into()
}

fn attributed_send(inbox: &Queue) -> SendMessage {
    SendMessage::new(Input::path("$.order"))
        .attribute("kind", MessageAttribute::string("order"))
        .attribute("total", MessageAttribute::number(Input::path("$.total")))
        .attribute("rank", MessageAttribute::number(3i64))
        .attribute("signature", MessageAttribute::binary("aGVsbG8="))
        .attribute("region", MessageAttribute::string(inbox.name()))
}

#[test]
fn sqs_attributes_render_under_jsonpath_with_values_from_the_input_as_text() {
    let (t, props) = machine(QueryLanguage::JsonPath, |inbox, _| {
        send(inbox, attributed_send(inbox))
    });
    let parameters = &props["Definition"]["States"]["Send"]["Parameters"];
    assert_eq!(
        parameters["MessageAttributes"],
        json!({
            "kind": {"DataType": "String", "StringValue": "order"},
            "total": {"DataType": "Number", "StringValue.$": "States.Format('{}', $.total)"},
            "rank": {"DataType": "Number", "StringValue": "3"},
            "signature": {"DataType": "Binary", "BinaryValue": "aGVsbG8="},
            "region": {"DataType": "String", "StringValue": "${InboxQueueName}"}
        })
    );
    // the queue's URL is named for what it is
    assert_eq!(parameters["QueueUrl"], "${InboxUrl}");
    let queue = t.logical_id_of_type("AWS::SQS::Queue");
    assert_eq!(
        props["DefinitionSubstitutions"]["InboxUrl"],
        json!({"Ref": queue})
    );
    assert_eq!(
        props["DefinitionSubstitutions"]["InboxQueueName"],
        json!({"Fn::GetAtt": [queue, "QueueName"]})
    );
}

#[test]
fn sqs_attributes_render_under_jsonata() {
    let (_, props) = machine(QueryLanguage::Jsonata, |inbox, _| {
        send(inbox, attributed_send(inbox))
    });
    assert_eq!(
        props["Definition"]["States"]["Send"]["Arguments"]["MessageAttributes"]["total"],
        json!({"DataType": "Number", "StringValue": "{% $string($states.input.total) %}"})
    );
}

#[test]
fn sns_attributes_render_in_both_languages_with_string_arrays() {
    let publish = |topic: &Topic| -> Chain<Open> {
        tasks::sns_publish(
            "Publish",
            topic,
            Publish::new(Input::path("$.order"))
                .attribute("kind", MessageAttribute::string("order"))
                .attribute(
                    "tags",
                    MessageAttribute::string_array(Input::path("$.tags")),
                )
                .attribute(
                    "zones",
                    MessageAttribute::string_array(constructs::Value::Array(vec![
                        "eu".into(),
                        1.into(),
                        true.into(),
                    ])),
                ),
        )
        .into()
    };
    let (_, props) = machine(QueryLanguage::JsonPath, |_, topic| publish(topic));
    assert_eq!(
        props["Definition"]["States"]["Publish"]["Parameters"]["MessageAttributes"],
        json!({
            "kind": {"DataType": "String", "StringValue": "order"},
            "tags": {"DataType": "String.Array", "StringValue.$": "States.JsonToString($.tags)"},
            "zones": {"DataType": "String.Array", "StringValue": "[\"eu\",1,true]"}
        })
    );
    let (_, props) = machine(QueryLanguage::Jsonata, |_, topic| publish(topic));
    assert_eq!(
        props["Definition"]["States"]["Publish"]["Arguments"]["MessageAttributes"]["tags"],
        json!({"DataType": "String.Array", "StringValue": "{% $string($states.input.tags) %}"})
    );
}

#[test]
fn attributes_change_no_permission() {
    let without = |inbox: &Queue, topic: &Topic| -> Chain<Open> {
        send(inbox, SendMessage::new(Input::path("$.order"))).next(tasks::sns_publish(
            "Publish",
            topic,
            Publish::new(Input::path("$.order")),
        ))
    };
    let with = |inbox: &Queue, topic: &Topic| -> Chain<Open> {
        send(inbox, attributed_send(inbox)).next(tasks::sns_publish(
            "Publish",
            topic,
            Publish::new(Input::path("$.order"))
                .attribute("kind", MessageAttribute::string("order")),
        ))
    };
    for language in [QueryLanguage::JsonPath, QueryLanguage::Jsonata] {
        let (plain, _) = machine(language, without);
        let (attributed, _) = machine(language, with);
        let before = statements(&plain, "MRole");
        assert_eq!(statements(&attributed, "MRole"), before);
        // exactly what sending and publishing need, as before
        let actions: Vec<&Json> = before.iter().map(|s| &s["Action"]).collect();
        assert_eq!(actions, [&json!("sqs:SendMessage"), &json!("sns:Publish")]);
    }
}

fn refused(build: impl FnOnce(&Queue, &Topic) -> Chain<Open>) -> String {
    let ws = workspace();
    let mut s = Stack::new("S");
    let inbox = Queue::new(&mut s, "Inbox", QueueProps::new());
    let events = Topic::new(&mut s, "Events", TopicProps::new());
    StateMachine::new(&mut s, "M", StateMachineProps::new(build(&inbox, &events)));
    problems_in(ws.path(), s)
}

const AT: &str = "S/M/Resource [Definition]: state \"Send\": MessageAttributes";

#[test]
fn eleven_attributes_on_an_sqs_message_are_refused_and_on_sns_kept() {
    let eleven = (0..11).fold(SendMessage::new("m"), |m, i| {
        m.attribute(format!("a{i}"), MessageAttribute::string("v"))
    });
    assert_eq!(
        refused(|inbox, _| send(inbox, eleven)),
        format!("{AT}: 11 attributes; SQS takes at most 10 on a message")
    );
    // SNS sets no count (only raw delivery to SQS discards more than 10)
    let ws = workspace();
    let mut s = Stack::new("S");
    let topic = Topic::new(&mut s, "Events", TopicProps::new());
    let publish = (0..11).fold(Publish::new("m"), |p, i| {
        p.attribute(format!("a{i}"), MessageAttribute::string("v"))
    });
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(tasks::sns_publish("Publish", &topic, publish)),
    );
    let mut app = constructs::App::new(ws.path());
    app.add_stack(s);
    app.synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.problems()));
}

#[test]
fn names_the_services_refuse_are_refused_with_the_attribute() {
    let options = SendMessage::new("m")
        .attribute("AWS.trace", MessageAttribute::string("v"))
        .attribute("amazon.x", MessageAttribute::string("v"))
        .attribute(".lead", MessageAttribute::string("v"))
        .attribute("a..b", MessageAttribute::string("v"))
        .attribute("with space", MessageAttribute::string("v"))
        .attribute("n".repeat(257), MessageAttribute::string("v"))
        .attribute("twice", MessageAttribute::string("v"))
        .attribute("twice", MessageAttribute::string("w"));
    let all = refused(|inbox, _| send(inbox, options));
    let long = "n".repeat(257);
    assert_eq!(
        all.lines().collect::<Vec<_>>(),
        [
            format!("{AT}.AWS.trace: names starting with AWS. or Amazon. are reserved for AWS"),
            format!("{AT}.amazon.x: names starting with AWS. or Amazon. are reserved for AWS"),
            format!("{AT}..lead: a name must not start or end with a period, nor hold two in a row"),
            format!("{AT}.a..b: a name must not start or end with a period, nor hold two in a row"),
            format!("{AT}.with space: the name holds ' '; it takes letters, digits, '_', '-' and '.'"),
            format!("{AT}.{long}: the name has 257 characters; it takes 1 to 256"),
            format!("{AT}.twice: the message has two attributes of this name; names are unique in a message"),
        ]
    );
}

#[test]
fn values_the_services_refuse_are_refused_with_the_attribute() {
    let options = SendMessage::new("m")
        .attribute("empty", MessageAttribute::string(""))
        .attribute("price", MessageAttribute::number("twelve"))
        .attribute("blob", MessageAttribute::binary("not base64!"))
        .attribute("flag", MessageAttribute::binary(true))
        .attribute(
            "tags",
            MessageAttribute::string_array(Input::path("$.tags")),
        );
    let all = refused(|inbox, _| send(inbox, options));
    assert_eq!(
        all.lines().collect::<Vec<_>>(),
        [
            format!("{AT}.empty: the value is empty; SQS and SNS refuse an empty value"),
            format!("{AT}.price: \"twelve\" is not a number"),
            format!("{AT}.blob: a Binary value is given as base64 text, and this is not base64"),
            format!("{AT}.flag: a Binary attribute's value is text"),
            format!("{AT}.tags: SQS has no String.Array attribute (String, Number and Binary only); send the array's JSON text as a String"),
        ]
    );
    let all = refused(|_, topic| {
        tasks::sns_publish(
            "Send",
            topic,
            Publish::new("m")
                .attribute("nested", MessageAttribute::string_array("[[1]]"))
                .attribute(
                    "object",
                    MessageAttribute::string_array(constructs::Value::Array(vec![
                        constructs::Value::object().with("a", 1),
                    ])),
                ),
        )
        .into()
    });
    assert_eq!(
        all.lines().collect::<Vec<_>>(),
        [
            format!("{AT}.nested: \"[[1]]\" is not a JSON array of strings, numbers, booleans and nulls"),
            format!("{AT}.object: a String.Array holds only strings, numbers, booleans and nulls"),
        ]
    );
}

#[test]
fn a_message_over_256_kib_with_its_attributes_is_refused() {
    // the body alone fits; with the attribute's name, type and value it does not
    let body = "b".repeat(262_000);
    let options = SendMessage::new(body.as_str())
        .attribute("note", MessageAttribute::string("x".repeat(200)));
    assert_eq!(
        refused(|inbox, _| send(inbox, options)),
        format!("{AT}: the message and its attributes have at least 262210 bytes; SQS takes at most 262144")
    );
    // what comes from the input is not counted: no false alarm
    let ws = workspace();
    let mut s = Stack::new("S");
    let inbox = Queue::new(&mut s, "Inbox", QueueProps::new());
    let options = SendMessage::new(Input::path("$.body"))
        .attribute("note", MessageAttribute::string(Input::path("$.note")));
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(tasks::sqs_send_message("Send", &inbox, options)),
    );
    let mut app = constructs::App::new(ws.path());
    app.add_stack(s);
    app.synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.problems()));
}
