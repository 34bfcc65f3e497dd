//! One resource policy per resource, wherever its statements come from: a statement granted
//! from another stack lands in the one policy of the resource's own stack (SQS, SNS and S3 keep
//! one policy per resource, the last written: a second policy in the granting stack, with the
//! same logical id, would overwrite the first at deploy and lose its statements), with the
//! export and the stack dependency it needs; where moving it would make the stacks depend on
//! each other, synth refuses, naming both stacks, the resource and the fix.

mod common;

#[path = "common/cross_stack_app.rs"]
mod cross_stack_app;

use constructs::events::{EventPattern, Rule, RuleProps, Target};
use constructs::iam::{PolicyStatement, Principal};
use constructs::sns::{Subscriber, SubscriptionProps, Topic, TopicProps};
use constructs::sqs::{Queue, QueueProps};
use constructs::{App, CloudAssembly, Problem, Stack};
use serde_json::{json, Value as Json};

fn synth() -> CloudAssembly {
    cross_stack_app::app(std::path::Path::new("."))
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.problems()))
}

/// Every resource of `type_name` across the app's templates, as (stack, logical id, resource).
fn all_of(assembly: &CloudAssembly, type_name: &str) -> Vec<(String, String, Json)> {
    let mut out = Vec::new();
    for s in &assembly.stacks {
        for (id, r) in s.resources().into_iter().flatten() {
            if r["Type"] == type_name {
                out.push((s.name.clone(), id.clone(), r.clone()));
            }
        }
    }
    out
}

/// The one resource of `type_name` in the app: its stack and its resource.
fn the_one(assembly: &CloudAssembly, type_name: &str) -> (String, Json) {
    let found = all_of(assembly, type_name);
    assert_eq!(
        found.len(),
        1,
        "exactly one {type_name} across the app: {:#?}",
        found
            .iter()
            .map(|(s, id, _)| format!("{s}/{id}"))
            .collect::<Vec<_>>()
    );
    let (stack, _, r) = found.into_iter().next().unwrap();
    (stack, r)
}

fn logical_id(assembly: &CloudAssembly, stack: &str, path: &str) -> String {
    assembly.stack(stack).unwrap().logical_ids[path].clone()
}

/// The `Fn::ImportValue` of the export `producer` makes for `value`, after checking that the
/// export is there and holds `value`.
fn import_of(assembly: &CloudAssembly, producer: &str, value: Json) -> Json {
    let outputs = assembly.stack(producer).unwrap().template["Outputs"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let (_, output) = outputs
        .iter()
        .find(|(_, o)| o["Value"] == value)
        .unwrap_or_else(|| panic!("stack {producer} exports {value}: {outputs:#?}"));
    json!({"Fn::ImportValue": output["Export"]["Name"]})
}

fn statements(policy: &Json) -> Vec<Json> {
    policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone()
}

fn order(assembly: &CloudAssembly) -> Vec<&str> {
    assembly.stacks.iter().map(|s| s.name.as_str()).collect()
}

fn before(assembly: &CloudAssembly, first: &str, then: &str) {
    let order = order(assembly);
    let at = |n: &str| order.iter().position(|s| *s == n).unwrap();
    assert!(at(first) < at(then), "{first} before {then}: {order:?}");
    let deps = &assembly.stack(then).unwrap().dependencies;
    assert!(
        deps.iter().any(|d| d == first),
        "{then} depends on {first}: {deps:?}"
    );
}

#[test]
fn a_queue_granted_from_the_topics_stack_keeps_one_policy_with_both_statements() {
    let a = synth();
    let (stack, policy) = the_one(&a, "AWS::SQS::QueuePolicy");
    assert_eq!(stack, "Queues");
    let queue = logical_id(&a, "Queues", "Queues/Inbox/Resource");
    let topic = logical_id(&a, "Topics", "Topics/Events/Resource");
    assert_eq!(policy["Properties"]["Queues"], json!([{"Ref": queue}]));
    let topic_arn = import_of(&a, "Topics", json!({"Ref": topic}));
    assert_eq!(
        statements(&policy),
        vec![
            json!({
                "Action": "sqs:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Resource": {"Fn::GetAtt": [queue, "Arn"]}
            }),
            json!({
                "Action": "sqs:SendMessage",
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Resource": {"Fn::GetAtt": [queue, "Arn"]}
            }),
        ]
    );
    // the subscription lives beside its queue (as the AWS CDK places it), so only the
    // queue's stack refers to the topic's, and the topic's stack deploys first
    let (stack, subscription) = the_one(&a, "AWS::SNS::Subscription");
    assert_eq!(stack, "Queues");
    assert_eq!(
        subscription["Properties"],
        json!({
            "Endpoint": {"Fn::GetAtt": [queue, "Arn"]},
            "Protocol": "sqs",
            "RawMessageDelivery": true,
            "TopicArn": topic_arn
        })
    );
    // created once the queue's policy lets the topic send
    let policy_id = logical_id(&a, "Queues", "Queues/Inbox/Policy/Resource");
    assert_eq!(subscription["DependsOn"], json!([policy_id]));
    before(&a, "Topics", "Queues");
    assert!(
        !a.stack("Topics")
            .unwrap()
            .dependencies
            .contains(&"Queues".to_string()),
        "the topic's stack does not refer to the queue's"
    );
}

#[test]
fn a_bucket_granted_from_another_stack_keeps_one_policy_with_both_statements() {
    let a = synth();
    let (stack, policy) = the_one(&a, "AWS::S3::BucketPolicy");
    assert_eq!(stack, "Buckets");
    let bucket = logical_id(&a, "Buckets", "Buckets/Data/Resource");
    let role = logical_id(&a, "Readers", "Readers/Reader/Resource");
    let role_arn = import_of(&a, "Readers", json!({"Fn::GetAtt": [role, "Arn"]}));
    let objects = json!({"Fn::Sub": ["${Bucket}/*", {"Bucket": {"Fn::GetAtt": [bucket, "Arn"]}}]});
    assert_eq!(policy["Properties"]["Bucket"], json!({"Ref": bucket}));
    assert_eq!(
        statements(&policy),
        vec![
            json!({
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Resource": [{"Fn::GetAtt": [bucket, "Arn"]}, objects]
            }),
            json!({
                "Action": "s3:GetObject",
                "Effect": "Allow",
                "Principal": {"AWS": role_arn},
                "Resource": objects
            }),
        ]
    );
    before(&a, "Readers", "Buckets");
}

#[test]
fn a_topic_granted_from_two_other_stacks_keeps_one_policy_with_every_statement() {
    let a = synth();
    let (stack, policy) = the_one(&a, "AWS::SNS::TopicPolicy");
    assert_eq!(stack, "Topics");
    let topic = logical_id(&a, "Topics", "Topics/Events/Resource");
    let role = logical_id(&a, "Readers", "Readers/Reader/Resource");
    let role_arn = import_of(&a, "Readers", json!({"Fn::GetAtt": [role, "Arn"]}));
    // the named alarm of Monitoring is named by an ARN built from its name: the topic's stack
    // does not refer back to Monitoring, which refers to the topic
    let alarm_arn = json!({"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":cloudwatch:", {"Ref": "AWS::Region"}, ":",
        {"Ref": "AWS::AccountId"}, ":alarm:inbox-backlog"
    ]]});
    assert_eq!(
        statements(&policy),
        vec![
            json!({
                "Action": "sns:Publish",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Resource": {"Ref": topic}
            }),
            json!({
                "Action": "sns:Publish",
                "Effect": "Allow",
                "Principal": {"AWS": role_arn},
                "Resource": {"Ref": topic}
            }),
            json!({
                "Action": "sns:Publish",
                "Condition": {"ArnEquals": {"aws:SourceArn": alarm_arn}},
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Resource": {"Ref": topic}
            }),
        ]
    );
    before(&a, "Readers", "Topics");
    before(&a, "Topics", "Monitoring");
    let alarm = the_one(&a, "AWS::CloudWatch::Alarm").1;
    assert_eq!(
        alarm["Properties"]["AlarmActions"],
        json!([import_of(&a, "Topics", json!({"Ref": topic}))])
    );
    assert_eq!(
        order(&a),
        ["Readers", "Topics", "Queues", "Buckets", "Monitoring"],
        "every stack after the stacks it imports from"
    );
}

#[test]
fn a_policy_created_by_a_grant_from_another_stack_is_made_in_the_resources_stack() {
    // no TLS statement, so the policy does not exist until the grant
    let mut queues = Stack::new("Queues");
    let mut other = Stack::new("Other");
    let inbox = Queue::new(&mut queues, "Inbox", QueueProps::new().enforce_ssl(false));
    let statement = PolicyStatement::allow()
        .action("sqs:SendMessage")
        .principal(Principal::Account("123456789012".into()))
        .resource(inbox.arn());
    inbox.add_to_resource_policy(&mut other, statement.clone());
    // the same statement twice is kept once
    inbox.add_to_resource_policy(&mut other, statement);
    let mut app = App::new(".");
    app.add_stack(other);
    app.add_stack(queues);
    let a = app.synth().unwrap();
    let (stack, policy) = the_one(&a, "AWS::SQS::QueuePolicy");
    assert_eq!(stack, "Queues");
    assert_eq!(statements(&policy).len(), 1);
    assert_eq!(
        policy["Metadata"]["aws:cdk:path"],
        "Queues/Inbox/Policy/Resource"
    );
    // it refers to nothing of Other: no export, no dependency
    assert!(a.stack("Queues").unwrap().dependencies.is_empty());
    assert!(a.stack("Other").unwrap().template.get("Outputs").is_none());
}

fn refused(app: App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => panic!("synth should refuse"),
        Err(e) => e.problems().to_vec(),
    }
}

fn one_problem_at(problems: &[Problem], path: &str) -> Problem {
    let found: Vec<&Problem> = problems.iter().filter(|p| p.path == path).collect();
    assert_eq!(found.len(), 1, "one problem at {path}: {problems:#?}");
    found[0].clone()
}

#[test]
fn a_rule_of_another_stack_sending_to_a_queue_is_refused_naming_both_stacks() {
    // the rule names the queue (Rules refers to Queues); the queue's policy would name the
    // rule (Queues would refer to Rules): a cycle CloudFormation could never deploy
    let mut queues = Stack::new("Queues");
    let mut rules = Stack::new("Rules");
    let inbox = Queue::new(&mut queues, "Inbox", QueueProps::new());
    let rule = Rule::new(
        &mut rules,
        "Orders",
        RuleProps::new().event_pattern(EventPattern::new().source(["shop"])),
    );
    rule.add_target(&mut rules, Target::queue(&inbox));
    let mut app = App::new(".");
    app.add_stack(queues);
    app.add_stack(rules);
    let problems = refused(app);
    let p = one_problem_at(&problems, "Queues/Inbox/Policy/Resource");
    assert_eq!(
        p.message,
        "a statement of the AWS::SQS::QueuePolicy of Queues/Inbox/Resource was made in stack \
         Rules; it belongs in stack Queues, which holds the resource (one resource, not one per \
         stack), but there it would refer to stack Rules, which already depends on stack Queues \
         (Rules -> Queues): the two stacks would depend on each other in a cycle"
    );
    let help = p.help.unwrap_or_default();
    assert!(
        help.contains("make the rule in the queue's stack"),
        "the fix: {help}"
    );
    // refused once, not again as a cycle between the stacks
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn a_subscription_whose_topic_stack_already_refers_to_the_queues_is_refused() {
    // the topic's stack already names the queue (Topics refers to Queues); the subscription,
    // which belongs beside the queue, would refer to the topic
    let mut queues = Stack::new("Queues");
    let mut topics = Stack::new("Topics");
    let inbox = Queue::new(&mut queues, "Inbox", QueueProps::new());
    topics.add_output("InboxUrl", inbox.url());
    let events = Topic::new(&mut topics, "Events", TopicProps::new());
    events.subscribe(
        &mut topics,
        Subscriber::Queue(&inbox),
        SubscriptionProps::new(),
    );
    let mut app = App::new(".");
    app.add_stack(queues);
    app.add_stack(topics);
    let problems = refused(app);
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert!(
        paths.contains(&"Queues/Inbox/TopicsEventsSubscription1/Resource")
            && paths.contains(&"Queues/Inbox/Policy/Resource"),
        "{problems:#?}"
    );
    for p in &problems {
        assert!(
            p.message.contains("made in stack Topics")
                && p.message
                    .contains("already depends on stack Queues (Topics -> Queues)"),
            "{p:#?}"
        );
        assert!(
            p.help
                .as_deref()
                .is_some_and(|h| h.contains("put the topic and the queue in one stack")),
            "{p:#?}"
        );
    }
}

#[test]
fn a_grant_to_a_stack_outside_the_app_is_reported() {
    let mut queues = Stack::new("Queues");
    let mut other = Stack::new("Other");
    let inbox = Queue::new(&mut queues, "Inbox", QueueProps::new());
    inbox.add_to_resource_policy(
        &mut other,
        PolicyStatement::allow()
            .action("sqs:SendMessage")
            .principal(Principal::Account("123456789012".into()))
            .resource(inbox.arn()),
    );
    let mut app = App::new(".");
    app.add_stack(other);
    let problems = refused(app);
    let p = one_problem_at(&problems, "Queues/Inbox/Policy/Resource");
    assert!(
        p.message
            .contains("was made in stack Other, but its stack Queues is not part of this app"),
        "{p:#?}"
    );
}
