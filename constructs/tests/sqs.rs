//! SQS queues: secure defaults, every option, FIFO rules, the dead-letter queue, the exact
//! statements of each grant, and SQS's limits reported with the construct path and property.

mod common;

use common::{assert_contains_all, problems, statements};

use constructs::assertions::Template;
use constructs::iam::{Principal, Role, RoleProps};
use constructs::sqs::{FifoThroughput, Queue, QueueEncryption, QueueProps};
use constructs::{RemovalPolicy, Stack, Value};
use serde_json::{json, Value as Json};

fn arn_of(t: &Template, prefix: &str) -> Json {
    let id = t
        .find_resources("AWS::SQS::Queue", json!({}))
        .keys()
        .find(|k| k.starts_with(prefix))
        .cloned()
        .unwrap_or_else(|| panic!("no queue {prefix}"));
    json!({"Fn::GetAtt": [id, "Arn"]})
}

#[test]
fn a_queue_is_encrypted_and_tls_only_by_default() {
    let mut s = Stack::new("S");
    Queue::new(&mut s, "Jobs", QueueProps::new());
    let t = Template::from_stack(&s);
    t.has_resource(
        "AWS::SQS::Queue",
        json!({"Properties": {"SqsManagedSseEnabled": true}, "DeletionPolicy": "Delete"}),
    );
    let queues = t.find_resources("AWS::SQS::Queue", json!({}));
    let (id, queue) = queues.iter().next().expect("a queue");
    assert_eq!(
        queue["Properties"],
        json!({"SqsManagedSseEnabled": true}),
        "nothing else set"
    );
    let policies = t.find_resources("AWS::SQS::QueuePolicy", json!({}));
    let policy = &policies.values().next().expect("a policy")["Properties"];
    assert_eq!(policy["Queues"], json!([{"Ref": id}]));
    assert_eq!(
        policy["PolicyDocument"],
        json!({"Version": "2012-10-17", "Statement": [{
            "Action": "sqs:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": {"Fn::GetAtt": [id, "Arn"]}
        }]})
    );
}

#[test]
fn every_option_is_written() {
    let mut s = Stack::new("S");
    let dlq = Queue::new(&mut s, "Dead", QueueProps::new().fifo().name("dead.fifo"));
    Queue::new(
        &mut s,
        "Orders",
        QueueProps::new()
            .fifo()
            .name("orders.fifo")
            .content_based_deduplication()
            .fifo_throughput(FifoThroughput::PerMessageGroup)
            .visibility_timeout_seconds(120)
            .retention_period_seconds(86_400)
            .delay_seconds(5)
            .max_message_size_bytes(65_536)
            .receive_wait_seconds(20)
            .dead_letter_queue(&dlq, 3)
            .encryption(QueueEncryption::KmsManaged)
            .enforce_ssl(false)
            .removal_policy(RemovalPolicy::Retain),
    );
    let t = Template::from_stack(&s);
    let dead = arn_of(&t, "Dead");
    t.has_resource(
        "AWS::SQS::Queue",
        json!({"Properties": {
            "QueueName": "orders.fifo",
            "FifoQueue": true,
            "ContentBasedDeduplication": true,
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
            "VisibilityTimeout": 120,
            "MessageRetentionPeriod": 86400,
            "DelaySeconds": 5,
            "MaximumMessageSize": 65536,
            "ReceiveMessageWaitTimeSeconds": 20,
            "RedrivePolicy": {"deadLetterTargetArn": dead, "maxReceiveCount": 3},
            "KmsMasterKeyId": "alias/aws/sqs"
        }, "DeletionPolicy": "Retain"}),
    );
    // only the dead-letter queue keeps its TLS policy
    assert_eq!(
        t.find_resources("AWS::SQS::QueuePolicy", json!({})).len(),
        1
    );
}

#[test]
fn grants_give_exact_statements_and_the_key_s_rights() {
    let mut s = Stack::new("S");
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let q = Queue::new(
        &mut s,
        "Q",
        QueueProps::new().encryption(QueueEncryption::Kms(Value::from(key))),
    );
    let role = |s: &mut Stack, id: &str| {
        Role::new(
            s,
            id,
            RoleProps::new(Principal::service("lambda.amazonaws.com")),
        )
    };
    let (sender, consumer, purger) = (
        role(&mut s, "Sender"),
        role(&mut s, "Consumer"),
        role(&mut s, "Purger"),
    );
    q.grant_send_messages(&mut s, &sender);
    q.grant_consume_messages(&mut s, &consumer);
    q.grant_purge(&mut s, &purger);
    let t = Template::from_stack(&s);
    let arn = arn_of(&t, "Q");
    assert_eq!(
        statements(&t, "Sender"),
        vec![
            json!({"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": key}),
            json!({"Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], "Effect": "Allow", "Resource": arn}),
        ]
    );
    assert_eq!(
        statements(&t, "Consumer"),
        vec![
            json!({"Action": "kms:Decrypt", "Effect": "Allow", "Resource": key}),
            json!({"Action": ["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Effect": "Allow", "Resource": arn}),
        ]
    );
    assert_eq!(
        statements(&t, "Purger"),
        vec![
            json!({"Action": ["sqs:PurgeQueue", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], "Effect": "Allow", "Resource": arn})
        ]
    );
    // SSE-SQS needs no key rights
    let mut s = Stack::new("S");
    let q = Queue::new(&mut s, "Plain", QueueProps::new());
    let sender = role(&mut s, "Sender");
    q.grant_send_messages(&mut s, &sender);
    let t = Template::from_stack(&s);
    assert_eq!(statements(&t, "Sender").len(), 1);
}

#[test]
fn sqs_limits_and_fifo_rules_are_reported_where_they_are() {
    let mut s = Stack::new("S");
    let standard_dlq = Queue::new(&mut s, "Dlq", QueueProps::new());
    Queue::new(
        &mut s,
        "Bad",
        QueueProps::new()
            .name("jobs")
            .fifo()
            .visibility_timeout_seconds(43_201)
            .retention_period_seconds(59)
            .delay_seconds(901)
            .max_message_size_bytes(300_000)
            .receive_wait_seconds(21)
            .dead_letter_queue(&standard_dlq, 0),
    );
    Queue::new(
        &mut s,
        "NotFifo",
        QueueProps::new()
            .name("x.fifo")
            .content_based_deduplication(),
    );
    Queue::new(&mut s, "Long", QueueProps::new().name("q".repeat(81)));
    let all = problems(s);
    assert_contains_all(
        &all,
        &[
            "S/Bad/Resource [QueueName]: a FIFO queue's name must end with .fifo: \"jobs.fifo\"",
            "S/Bad/Resource [VisibilityTimeout]: 43201 s is outside SQS's 0 to 43200 s",
            "S/Bad/Resource [MessageRetentionPeriod]: 59 s is outside SQS's 60 to 1209600 s",
            "S/Bad/Resource [DelaySeconds]: 901 s is outside SQS's 0 to 900 s",
            "S/Bad/Resource [MaximumMessageSize]: 300000 bytes is outside SQS's 1024 to 262144 bytes",
            "S/Bad/Resource [ReceiveMessageWaitTimeSeconds]: 21 s is outside SQS's 0 to 20 s",
            "S/Bad/Resource [RedrivePolicy]: 0 receives is outside SQS's 1 to 1000 receives",
            "S/Bad/Resource [RedrivePolicy]: a FIFO queue's dead-letter queue must be FIFO too",
            "S/NotFifo/Resource [QueueName]: \"x.fifo\" ends with .fifo but the queue is not FIFO",
            "S/NotFifo/Resource [ContentBasedDeduplication]: content-based deduplication is for FIFO queues",
            "S/Long/Resource [QueueName]: a queue name",
        ],
    );
}
