//! Aspects on a user's app: the built-in ones that add (a log group's retention, a table's
//! point-in-time recovery) and the one that refuses (a bucket without encryption or TLS-only
//! policy), an aspect of the user's own that changes and one that refuses, their scopes and
//! order (tags before aspects, the app's before a stack's), and what an aspect sets checked
//! against the type's registry schema like every property.
//!
//! Expected values: CloudWatch Logs keeps events forever without `RetentionInDays`
//! (AWS::Logs::LogGroup, CloudFormation resource reference); DynamoDB's
//! `PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled` (AWS::DynamoDB::Table); the
//! TLS-only bucket policy is AWS Security Hub's control S3.5 ("S3 general purpose buckets
//! should require requests to use SSL": a Deny with `aws:SecureTransport` false).

mod common;

use common::problems;
use constructs::aspects::{EncryptedTlsOnlyBuckets, LogRetention, PointInTimeRecovery};
use constructs::assertions::Template;
use constructs::core::aspect::{Aspect, Aspects, Node};
use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::l1::dynamodb::{table, CfnTable};
use constructs::l1::logs::CfnLogGroup;
use constructs::l1::s3::CfnBucket;
use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use constructs::s3::{Bucket, BucketProps};
use constructs::{App, Stack, Tags};
use serde_json::json;

/// The resources of a synthesized stack, by construct path.
struct Resources(serde_json::Value);

impl Resources {
    fn resource_at(&self, path: &str) -> Option<&serde_json::Value> {
        self.0["Resources"]
            .as_object()?
            .values()
            .find(|r| r["Metadata"]["aws:cdk:path"] == path)
    }
}

fn template_of(app: &App, stack: &str) -> Resources {
    Resources(Template::from_app(app, stack).to_json().clone())
}

#[test]
fn built_in_aspects_add_a_retention_and_point_in_time_recovery_where_missing() {
    let mut s = Stack::new("Data");
    s.add("Raw/Resource", &CfnLogGroup::new());
    LogGroup::new(&mut s, "Kept", LogGroupProps::new(RetentionDays::OneYear));
    Table::new(
        &mut s,
        "Orders",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    s.add(
        "RawTable/Resource",
        &CfnTable::new(vec![table::KeySchemaItem::new("Id", "HASH")]).attribute_definitions(vec![
            table::AttributeDefinition::new("Id", table::AttributeType::S),
        ]),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    Aspects::of(&mut app)
        .add(LogRetention::of(RetentionDays::OneMonth))
        .add(PointInTimeRecovery::enabled());
    let t = template_of(&app, "Data");
    let retention = |path: &str| {
        t.resource_at(path)
            .map(|r| r["Properties"]["RetentionInDays"].clone())
    };
    assert_eq!(retention("Data/Raw/Resource"), Some(json!(30)));
    assert_eq!(
        retention("Data/Kept/Resource"),
        Some(json!(365)),
        "a retention given is kept"
    );
    for path in ["Data/Orders/Resource", "Data/RawTable/Resource"] {
        let r = t.resource_at(path).unwrap();
        assert_eq!(
            r["Properties"]["PointInTimeRecoverySpecification"],
            json!({"PointInTimeRecoveryEnabled": true}),
            "{path}"
        );
    }
}

#[test]
fn buckets_without_encryption_or_a_tls_only_policy_are_refused() {
    let mut s = Stack::new("Files");
    Bucket::new(&mut s, "Good", BucketProps::new());
    Bucket::new(&mut s, "Plain", BucketProps::new().enforce_ssl(false));
    s.add("Raw/Resource", &CfnBucket::new());
    let mut app = App::new(".");
    app.add_stack(s);
    Aspects::of(&mut app).add(EncryptedTlsOnlyBuckets);
    let found: Vec<String> = app
        .synth()
        .map(|_| Vec::new())
        .unwrap_or_else(|e| e.problems().iter().map(ToString::to_string).collect());
    let tls = "no bucket policy of the stack denies requests made without TLS (aws:SecureTransport false), which the app's EncryptedTlsOnlyBuckets aspect requires (BucketProps::enforce_ssl(true), the default)";
    assert_eq!(
        found,
        [
            format!("Files/Plain/Resource: {tls}"),
            "Files/Raw/Resource [BucketEncryption]: the bucket has no default encryption, which the app's EncryptedTlsOnlyBuckets aspect requires (BucketProps::encryption, or BucketEncryption on the L1)".to_string(),
            format!("Files/Raw/Resource: {tls}"),
        ]
    );
}

#[test]
fn a_point_in_time_recovery_requirement_refuses_a_table_without_it() {
    let mut s = Stack::new("Data");
    Table::new(
        &mut s,
        "Orders",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    Table::new(
        &mut s,
        "Ledger",
        TableProps::new(Attribute::new("Id", AttributeType::String)).point_in_time_recovery(),
    );
    Aspects::of(&mut s).add(PointInTimeRecovery::required());
    assert_eq!(
        problems(s),
        "Data/Orders/Resource [PointInTimeRecoverySpecification]: the table has no point-in-time recovery, which the app's PointInTimeRecovery aspect requires (TableProps::point_in_time_recovery)"
    );
}

/// Every resource of the scope carries a `cost-center` tag.
#[derive(Debug)]
struct CostCenterTagged;

impl Aspect for CostCenterTagged {
    fn visit(&self, node: &mut Node<'_>) {
        let tagged = node
            .property("Tags")
            .and_then(|t| t.as_array())
            .is_some_and(|tags| tags.iter().any(|t| t["Key"] == "cost-center"));
        if constructs::registry::tag_shape(node.type_name()).is_some() && !tagged {
            let message = format!("{} has no cost-center tag", node.type_name());
            node.problem("Tags", message);
        }
    }
}

/// Sets a queue's retention, to test order and scope.
#[derive(Debug)]
struct Retention(u64);

impl Aspect for Retention {
    fn visit(&self, node: &mut Node<'_>) {
        if node.type_name() == "AWS::SQS::Queue" {
            node.set_property("MessageRetentionPeriod", self.0);
        }
    }
}

#[test]
fn a_users_aspects_see_tags_apply_in_order_and_within_their_scope() {
    use constructs::sqs::{Queue, QueueProps};
    let mut s = Stack::new("Jobs");
    Queue::new(&mut s, "Inbox", QueueProps::new());
    Queue::new(&mut s, "Api/Outbox", QueueProps::new());
    Tags::of(&mut s).add("cost-center", "42");
    // the stack's aspects run after the app's: 600 wins over 300 for every queue, and 900
    // only under Api
    Aspects::of(&mut s)
        .add(Retention(600))
        .add(CostCenterTagged);
    Aspects::of(&mut s).under("Api").add(Retention(900));
    let mut app = App::new(".");
    app.add_stack(s);
    Aspects::of(&mut app).add(Retention(300));
    let t = template_of(&app, "Jobs");
    let period =
        |path: &str| t.resource_at(path).unwrap()["Properties"]["MessageRetentionPeriod"].clone();
    assert_eq!(period("Jobs/Inbox/Resource"), json!(600));
    assert_eq!(period("Jobs/Api/Outbox/Resource"), json!(900));

    // without the tag, the user's aspect refuses every taggable resource
    let mut s = Stack::new("Jobs");
    Queue::new(&mut s, "Inbox", QueueProps::new());
    Aspects::of(&mut s).add(CostCenterTagged);
    assert_eq!(
        problems(s),
        "Jobs/Inbox/Resource [Tags]: AWS::SQS::Queue has no cost-center tag"
    );
}

#[test]
fn what_an_aspect_sets_is_checked_against_the_registry_schema() {
    #[derive(Debug)]
    struct Misspelled;
    impl Aspect for Misspelled {
        fn visit(&self, node: &mut Node<'_>) {
            if node.type_name() == "AWS::Logs::LogGroup" {
                node.set_property("RetentionDays", 30);
            }
        }
    }
    let mut s = Stack::new("Logs");
    LogGroup::new(&mut s, "App", LogGroupProps::new(RetentionDays::OneWeek));
    Aspects::of(&mut s).add(Misspelled);
    let text = problems(s);
    assert!(
        text.starts_with("Logs/App/Resource [RetentionDays]: "),
        "{text}"
    );
}
