//! SNS topics and subscriptions: defaults, options, what each subscriber kind adds (the
//! queue's policy statement, the function's permission), the publish grant, and what SNS would
//! refuse reported with the construct path and property.

mod common;

use common::{assert_contains_all, statements, workspace};

use constructs::assertions::Template;
use constructs::iam::{Principal, Role, RoleProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::sns::{Subscriber, SubscriptionProps, Topic, TopicProps};
use constructs::sqs::{Queue, QueueProps};
use constructs::stepfunctions::asl::Input;
use constructs::stepfunctions::tasks::{self, Publish};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::{App, Stack, Value};
use serde_json::{json, Value as Json};

#[test]
fn a_topic_is_encrypted_and_tls_only_by_default_and_grants_publish() {
    let mut s = Stack::new("S");
    let topic = Topic::new(&mut s, "Alerts", TopicProps::new().display_name("Alerts"));
    let role = Role::new(
        &mut s,
        "Publisher",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    topic.grant_publish(&mut s, &role);
    let t = Template::from_stack(&s);
    let topics = t.find_resources("AWS::SNS::Topic", json!({}));
    let (id, resource) = topics.iter().next().expect("a topic");
    assert_eq!(
        resource["Properties"],
        json!({"DisplayName": "Alerts", "KmsMasterKeyId": "alias/aws/sns"})
    );
    let policies = t.find_resources("AWS::SNS::TopicPolicy", json!({}));
    let policy = &policies.values().next().expect("a policy")["Properties"];
    assert_eq!(policy["Topics"], json!([{"Ref": id}]));
    assert_eq!(
        policy["PolicyDocument"]["Statement"],
        json!([{
            "Action": "sns:Publish",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": {"Ref": id}
        }])
    );
    assert_eq!(
        statements(&t, "Publisher"),
        vec![json!({"Action": "sns:Publish", "Effect": "Allow", "Resource": {"Ref": id}})]
    );
}

#[test]
fn publishing_to_a_topic_under_a_customer_key_may_use_the_key() {
    // a key by ARN as it is, a key id as its ARN here, an alias: no key to name
    let key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let mut s = Stack::new("S");
    let cases = [
        ("ByArn", json!(key_arn)),
        (
            "ById",
            json!({"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/1234abcd"}),
        ),
        ("ByAlias", Json::Null),
    ];
    for (id, _) in &cases {
        let key = match *id {
            "ByArn" => key_arn,
            "ById" => "1234abcd",
            _ => "alias/shop",
        };
        let topic = Topic::new(
            &mut s,
            id,
            TopicProps::new().kms_key(Some(Value::from(key))),
        );
        let role = Role::new(
            &mut s,
            &format!("{id}Publisher"),
            RoleProps::new(Principal::service("lambda.amazonaws.com")),
        );
        topic.grant_publish(&mut s, &role);
        StateMachine::new(
            &mut s,
            &format!("{id}Machine"),
            StateMachineProps::new(tasks::sns_publish(
                "Tell",
                &topic,
                Publish::new(Input::path("$.message")),
            )),
        );
    }
    let t = Template::from_stack(&s);
    for (id, key) in cases {
        let topic = t
            .find_resources("AWS::SNS::Topic", json!({}))
            .keys()
            .find(|k| k.starts_with(id))
            .cloned()
            .unwrap_or_else(|| panic!("no topic {id}"));
        let publish =
            json!({"Action": "sns:Publish", "Effect": "Allow", "Resource": {"Ref": topic}});
        let mut expected = vec![publish];
        if !key.is_null() {
            expected.push(json!({
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Effect": "Allow",
                "Resource": key
            }));
        }
        assert_eq!(statements(&t, &format!("{id}Publisher")), expected, "{id}");
        assert_eq!(
            statements(&t, &format!("{id}MachineRole")),
            expected,
            "{id}"
        );
    }
}

#[test]
fn each_subscriber_gets_what_lets_the_topic_deliver() {
    let dir = workspace();
    let mut s = Stack::new("S");
    let topic = Topic::new(&mut s, "Events", TopicProps::new());
    let queue = Queue::new(&mut s, "Inbox", QueueProps::new());
    let function = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    topic.subscribe(
        &mut s,
        Subscriber::Queue(&queue),
        SubscriptionProps::new()
            .raw_message_delivery()
            .filter_policy(json!({"kind": ["order", "refund"]})),
    );
    topic.subscribe(
        &mut s,
        Subscriber::Function(&function),
        SubscriptionProps::new(),
    );
    topic.subscribe(
        &mut s,
        Subscriber::Email("ops@example.com".into()),
        SubscriptionProps::new()
            .filter_policy(json!({"severity": ["high"]}))
            .filter_on_body(),
    );
    topic.subscribe(
        &mut s,
        Subscriber::Https("https://hooks.example.com/sns".into()),
        SubscriptionProps::new(),
    );
    let mut app = App::new(dir.path());
    app.add_stack(s);
    let assembly = app.synth().expect("the app synthesizes");
    let t = Template::from_json(assembly.stacks[0].template.clone());
    let topic_id = t.logical_id_of_type("AWS::SNS::Topic");
    let topic_ref = json!({"Ref": topic_id});
    let subs = t.find_resources("AWS::SNS::Subscription", json!({}));
    let mut by_protocol: Vec<(String, serde_json::Value)> = subs
        .values()
        .map(|r| {
            (
                r["Properties"]["Protocol"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                r["Properties"].clone(),
            )
        })
        .collect();
    by_protocol.sort_by(|a, b| a.0.cmp(&b.0));
    let protocols: Vec<&str> = by_protocol.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(protocols, ["email", "https", "lambda", "sqs"]);
    let sqs = &by_protocol[3].1;
    assert_eq!(sqs["RawMessageDelivery"], true);
    assert_eq!(sqs["FilterPolicy"], json!({"kind": ["order", "refund"]}));
    assert_eq!(sqs["TopicArn"], topic_ref);
    assert_eq!(by_protocol[0].1["FilterPolicyScope"], "MessageBody");
    assert_eq!(by_protocol[0].1["Endpoint"], "ops@example.com");
    // the queue's policy lets this topic, and only it, send
    let queue_policies = t.find_resources("AWS::SQS::QueuePolicy", json!({}));
    let statements = &queue_policies.values().next().expect("a queue policy")["Properties"]
        ["PolicyDocument"]["Statement"];
    let queue_arn = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::SQS::Queue"), "Arn"]});
    assert_eq!(
        statements[1],
        json!({
            "Action": "sqs:SendMessage",
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_ref}},
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Resource": queue_arn
        })
    );
    // the function's permission lets this topic invoke it
    t.has_resource(
        "AWS::Lambda::Permission",
        json!({"Properties": {"Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com", "SourceArn": topic_ref}}),
    );
}

#[test]
fn what_sns_would_refuse_is_reported_where_it_is() {
    let dir = workspace();
    let mut s = Stack::new("S");
    let fifo = Topic::new(&mut s, "Ordered", TopicProps::new().fifo().name("ordered"));
    Topic::new(
        &mut s,
        "Plain",
        TopicProps::new()
            .name("plain.fifo")
            .content_based_deduplication(),
    );
    let standard = Queue::new(&mut s, "Standard", QueueProps::new());
    let managed = Queue::new(
        &mut s,
        "Managed",
        QueueProps::new().encryption(constructs::sqs::QueueEncryption::KmsManaged),
    );
    let function = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    fifo.subscribe(
        &mut s,
        Subscriber::Queue(&standard),
        SubscriptionProps::new(),
    );
    fifo.subscribe(
        &mut s,
        Subscriber::Function(&function),
        SubscriptionProps::new().raw_message_delivery(),
    );
    let plain = Topic::new(&mut s, "Other", TopicProps::new());
    let many: Vec<String> = (0..20).map(|i| format!("v{i}")).collect();
    plain.subscribe(
        &mut s,
        Subscriber::Email("not-an-address".into()),
        SubscriptionProps::new()
            .filter_policy(json!({"a": many, "b": many, "c": [1], "d": [1], "e": [1], "f": [1]})),
    );
    plain.subscribe(
        &mut s,
        Subscriber::Https("http://insecure.example.com".into()),
        SubscriptionProps::new(),
    );
    plain.subscribe(
        &mut s,
        Subscriber::Queue(&managed),
        SubscriptionProps::new(),
    );
    let all = common::problems_in(dir.path(), s);
    assert_contains_all(
        &all,
        &[
            "S/Ordered/Resource [TopicName]: a FIFO topic's name must end with .fifo: \"ordered.fifo\"",
            "S/Plain/Resource [TopicName]: \"plain.fifo\" ends with .fifo but the topic is not FIFO",
            "S/Plain/Resource [ContentBasedDeduplication]: content-based deduplication is for FIFO topics",
            "S/Ordered/Subscription1/Resource [Endpoint]: a FIFO topic delivers only to FIFO queues",
            "S/Ordered/Subscription2/Resource [Protocol]: a FIFO topic delivers only to SQS queues",
            "S/Ordered/Subscription2/Resource [RawMessageDelivery]: raw message delivery is for queues and HTTPS endpoints",
            "S/Other/Subscription1/Resource [FilterPolicy]: the filter policy has 6 keys; SNS takes at most 5",
            "S/Other/Subscription1/Resource [FilterPolicy]: the filter policy has 400 combinations of values; SNS takes at most 150",
            "S/Other/Subscription1/Resource [Endpoint]: \"not-an-address\" is not an email address",
            "S/Other/Subscription2/Resource [Endpoint]: \"http://insecure.example.com\" is not an https:// URL",
            "S/Other/Subscription3/Resource [Endpoint]: SNS cannot deliver to a queue encrypted with the AWS managed key alias/aws/sqs",
        ],
    );
}
