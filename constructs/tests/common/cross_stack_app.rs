//! An app whose queue, topic and bucket each live in a stack of their own and are granted
//! from other stacks: a subscription made with the topic's stack, a role of another stack in
//! the bucket's and the topic's policies, a named alarm of another stack notifying the topic.
//! Shared by the construct tests (`constructs/tests/cross_stack.rs`) and the cfn-lint test
//! (`tests/cfn_lint.rs`), so both look at one app.

use constructs::cloudwatch::{Alarm, AlarmProps, Metric};
use constructs::iam::{PolicyStatement, Principal, Role, RoleProps};
use constructs::s3::{Bucket, BucketProps};
use constructs::sns::{Subscriber, SubscriptionProps, Topic, TopicProps};
use constructs::sqs::{Queue, QueueProps};
use constructs::{App, RemovalPolicy, Stack};

/// The app: stacks `Queues`, `Topics`, `Buckets`, `Readers` and `Monitoring`.
pub fn app(root: &std::path::Path) -> App {
    let mut queues = Stack::new("Queues");
    let mut topics = Stack::new("Topics");
    let mut buckets = Stack::new("Buckets");
    let mut readers = Stack::new("Readers");
    let mut monitoring = Stack::new("Monitoring");

    let inbox = Queue::new(&mut queues, "Inbox", QueueProps::new());
    // a customer key CloudWatch may be allowed to use (the AWS managed one it may not)
    let events = Topic::new(
        &mut topics,
        "Events",
        TopicProps::new().kms_key(Some(constructs::Value::from(
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ))),
    );
    // made with the topic's stack: the subscription and the statement go to the queue's
    events.subscribe(
        &mut topics,
        Subscriber::Queue(&inbox),
        SubscriptionProps::new().raw_message_delivery(),
    );

    let data = Bucket::new(
        &mut buckets,
        "Data",
        BucketProps::new().removal_policy(RemovalPolicy::Destroy),
    );
    let reader = Role::new(
        &mut readers,
        "Reader",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    data.add_to_resource_policy(
        &mut readers,
        PolicyStatement::allow()
            .action("s3:GetObject")
            .principal(Principal::Arn(reader.arn()))
            .resource(data.arn_for_objects("*")),
    );
    events.add_to_resource_policy(
        &mut readers,
        PolicyStatement::allow()
            .action("sns:Publish")
            .principal(Principal::Arn(reader.arn()))
            .resource(events.arn()),
    );

    Alarm::new(
        &mut monitoring,
        "Backlog",
        AlarmProps::new(
            Metric::new("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
            100.0,
        )
        .alarm_name("inbox-backlog")
        .alarm_topic(&events),
    );

    let mut app = App::new(root);
    // in an order that is not the deployment order
    for stack in [queues, topics, buckets, readers, monitoring] {
        app.add_stack(stack);
    }
    app
}
