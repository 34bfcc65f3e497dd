//! EventBridge: buses, rules with typed patterns or schedules, each kind of target with what
//! lets EventBridge deliver to it (the exact permission, role and policy statements), target
//! options, EventBridge's limits reported with the construct path and property, a template
//! without a dependency cycle, and the Step Functions putEvents task.

mod common;

use common::{assert_contains_all, problems, problems_in, statements, workspace};

use constructs::assertions::Template;
use constructs::events::{
    Cmp, EventBus, EventBusProps, EventPattern, InputTransformer, Matcher, RateUnit, Rule,
    RuleProps, RuleSchedule, Target,
};
use constructs::iam::{Principal, Role, RoleProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::sns::{Topic, TopicProps};
use constructs::sqs::{Queue, QueueEncryption, QueueProps};
use constructs::stepfunctions::asl::{pass, ContextPath, Input, QueryLanguage};
use constructs::stepfunctions::tasks::{self, EventEntry, PutEvents};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::{App, Stack, Value};
use serde_json::{json, Value as Json};

/// Synthesizes a one-stack app: its template and the warnings synth printed.
fn synth(root: &std::path::Path, s: Stack) -> (Template, Vec<String>) {
    let mut app = App::new(root);
    app.add_stack(s);
    match app.synth() {
        Ok(a) => (
            Template::from_json(a.stacks[0].template.clone()),
            a.warnings.iter().map(ToString::to_string).collect(),
        ),
        Err(e) => panic!(
            "synth failed:\n{}",
            e.problems()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn id_of(t: &Template, type_name: &str, prefix: &str) -> String {
    t.find_resources(type_name, json!({}))
        .keys()
        .find(|k| k.starts_with(prefix))
        .cloned()
        .unwrap_or_else(|| panic!("no {type_name} {prefix}"))
}

fn arn(id: &str) -> Json {
    json!({"Fn::GetAtt": [id, "Arn"]})
}

fn props_of(t: &Template, type_name: &str, prefix: &str) -> Json {
    let id = id_of(t, type_name, prefix);
    t.find_resources(type_name, json!({}))[&id]["Properties"].clone()
}

fn orders() -> EventPattern {
    EventPattern::new().source(["com.example.orders"])
}

#[test]
fn a_bus_and_a_rule_on_it_are_written_with_their_defaults() {
    let mut s = Stack::new("S");
    let bus = EventBus::new(&mut s, "Orders", EventBusProps::new());
    let rule = Rule::new(
        &mut s,
        "Placed",
        RuleProps::new().event_bus(&bus).event_pattern(orders()),
    );
    assert!(rule.role(&s).is_none());
    let t = Template::from_stack(&s);
    let bus_id = t.logical_id_of_type("AWS::Events::EventBus");
    let bus_props = props_of(&t, "AWS::Events::EventBus", "Orders");
    let name = bus_props["Name"].as_str().expect("a generated name");
    assert!(name.starts_with("S-Orders-") && name.len() == 17, "{name}");
    assert_eq!(bus_props.as_object().map(|o| o.len()), Some(1));
    // the same name at every synth
    assert_eq!(
        Template::from_stack(&s).to_json()["Resources"][&bus_id],
        t.to_json()["Resources"][&bus_id]
    );
    assert_eq!(
        props_of(&t, "AWS::Events::Rule", "Placed"),
        json!({
            "EventBusName": {"Ref": bus_id},
            "EventPattern": {"source": ["com.example.orders"]},
            "State": "ENABLED"
        })
    );
}

#[test]
fn the_default_bus_and_a_bus_by_name_create_nothing_and_grant_put_events() {
    let mut s = Stack::new("S");
    let custom = EventBus::new(
        &mut s,
        "Orders",
        EventBusProps::new()
            .name("orders")
            .description("order events"),
    );
    let default = EventBus::default_bus();
    assert!(default.is_default() && EventBus::from_name("default").is_default());
    let shared = EventBus::from_name("shared");
    assert!(!shared.is_default() && shared.resource().is_none());
    Rule::new(
        &mut s,
        "OnDefault",
        RuleProps::new().event_pattern(orders()),
    );
    Rule::new(
        &mut s,
        "OnShared",
        RuleProps::new().event_bus(&shared).event_pattern(orders()),
    );
    let role = Role::new(
        &mut s,
        "Publisher",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    custom.grant_put_events(&mut s, &role);
    default.grant_put_events(&mut s, &role);
    shared.grant_put_events(&mut s, &role);
    let t = Template::from_stack(&s);
    t.resource_count_is("AWS::Events::EventBus", 1);
    assert_eq!(
        props_of(&t, "AWS::Events::EventBus", "Orders"),
        json!({"Description": "order events", "Name": "orders"})
    );
    assert!(props_of(&t, "AWS::Events::Rule", "OnDefault")
        .get("EventBusName")
        .is_none());
    assert_eq!(
        props_of(&t, "AWS::Events::Rule", "OnShared")["EventBusName"],
        "shared"
    );
    let sub = |name: &str| json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:event-bus/{name}")});
    assert_eq!(
        statements(&t, "Publisher"),
        vec![
            json!({"Action": "events:PutEvents", "Effect": "Allow", "Resource": arn(&t.logical_id_of_type("AWS::Events::EventBus"))}),
            json!({"Action": "events:PutEvents", "Effect": "Allow", "Resource": sub("default")}),
            json!({"Action": "events:PutEvents", "Effect": "Allow", "Resource": sub("shared")}),
        ]
    );
}

#[test]
fn a_typed_pattern_renders_every_filter() {
    let pattern = EventPattern::new()
        .source(["com.example.orders"])
        .detail_type(["Order Placed", "Order Paid"])
        .account([Matcher::anything_but(["111122223333"])])
        .region([Matcher::prefix("eu-")])
        .resources([Matcher::suffix(":table/orders")])
        .field("time", [Matcher::wildcard("2030-*")])
        .detail_field(
            "order.total",
            [Matcher::numeric([(Cmp::Ge, 10.0), (Cmp::Lt, 100.5)])],
        )
        .detail_field("order.coupon", [Matcher::exists(false)])
        .detail_field(
            "customer.tier",
            [
                Matcher::equals_ignore_case("gold"),
                Matcher::anything_but_prefix("test"),
            ],
        )
        .detail_field("ip", [Matcher::cidr("10.0.0.0/24")])
        .detail_field("count", [Matcher::numeric([(Cmp::Eq, 3.0)])])
        .detail_field("paid", [Matcher::exactly(true)])
        .detail_field("service", [Matcher::prefix_ignore_case("eventb")])
        .detail_field("file", [Matcher::suffix_ignore_case(".PNG")]);
    assert!(pattern.problems().is_empty(), "{:?}", pattern.problems());
    let mut s = Stack::new("S");
    Rule::new(&mut s, "R", RuleProps::new().event_pattern(pattern));
    let t = Template::from_stack(&s);
    assert_eq!(
        props_of(&t, "AWS::Events::Rule", "R")["EventPattern"],
        json!({
            "source": ["com.example.orders"],
            "detail-type": ["Order Placed", "Order Paid"],
            "account": [{"anything-but": ["111122223333"]}],
            "region": [{"prefix": "eu-"}],
            "resources": [{"suffix": ":table/orders"}],
            "time": [{"wildcard": "2030-*"}],
            "detail": {
                "order": {
                    "total": [{"numeric": [">=", 10.0, "<", 100.5]}],
                    "coupon": [{"exists": false}]
                },
                "customer": {"tier": [{"equals-ignore-case": "gold"}, {"anything-but": {"prefix": "test"}}]},
                "ip": [{"cidr": "10.0.0.0/24"}],
                "count": [{"numeric": ["=", 3.0]}],
                "paid": [true],
                "service": [{"prefix": {"equals-ignore-case": "eventb"}}],
                "file": [{"suffix": {"equals-ignore-case": ".PNG"}}]
            }
        })
    );
    // detail written by hand, filters from the typed matchers, $or alternatives
    let hand = EventPattern::new().detail(json!({
        "$or": [
            {"state": [Matcher::prefix("run").to_json()]},
            {"code": [Matcher::numeric([(Cmp::Gt, 499.0)]).to_json()]}
        ]
    }));
    assert!(hand.problems().is_empty(), "{:?}", hand.problems());
    // prefix and suffix ignoring case, written by hand, are accepted; other objects are not
    let ignoring = EventPattern::new().detail(json!({
        "a": [{"prefix": {"equals-ignore-case": "Ev"}}],
        "b": [{"suffix": {"equals-ignore-case": ".png"}}],
        "c": [{"prefix": {"wildcard": "x*"}}],
        "d": [{"suffix": {"equals-ignore-case": 1}}],
        "e": [{"prefix": {"equals-ignore-case": "x", "wildcard": "y"}}],
        "f": [{"suffix": 3}]
    }));
    let refused = ignoring.problems();
    assert_eq!(
        refused.iter().map(|p| &p[..8]).collect::<Vec<_>>(),
        ["detail.c", "detail.d", "detail.e", "detail.f"],
        "{refused:?}"
    );
    assert!(
        refused[0].contains("prefix takes a string or {\"equals-ignore-case\": a string}"),
        "{refused:?}"
    );
    assert_eq!(
        hand.to_json(),
        json!({"detail": {"$or": [{"state": [{"prefix": "run"}]}, {"code": [{"numeric": [">", 499.0]}]}]}})
    );
}

#[test]
fn every_rule_option_is_written() {
    let mut s = Stack::new("S");
    Rule::new(
        &mut s,
        "Nightly",
        RuleProps::new()
            .name("nightly-report")
            .description("runs the report")
            .schedule(RuleSchedule::cron("0 2 * * ? *"))
            .disabled(),
    );
    Rule::new(
        &mut s,
        "Minutely",
        RuleProps::new().schedule(RuleSchedule::rate(1, RateUnit::Minutes)),
    );
    Rule::new(
        &mut s,
        "Daily",
        RuleProps::new().schedule(RuleSchedule::rate(2, RateUnit::Days)),
    );
    let t = Template::from_stack(&s);
    assert_eq!(
        props_of(&t, "AWS::Events::Rule", "Nightly"),
        json!({
            "Description": "runs the report",
            "Name": "nightly-report",
            "ScheduleExpression": "cron(0 2 * * ? *)",
            "State": "DISABLED"
        })
    );
    assert_eq!(
        props_of(&t, "AWS::Events::Rule", "Minutely"),
        json!({"ScheduleExpression": "rate(1 minute)", "State": "ENABLED"})
    );
    assert_eq!(
        props_of(&t, "AWS::Events::Rule", "Daily")["ScheduleExpression"],
        "rate(2 days)"
    );
}

#[test]
fn each_target_gets_what_lets_eventbridge_deliver_and_every_option_is_written() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let bus = EventBus::new(&mut s, "Bus", EventBusProps::new().name("orders"));
    let archive = EventBus::new(&mut s, "Archive", EventBusProps::new().name("archive"));
    let function = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    let machine = StateMachine::new(&mut s, "Flow", StateMachineProps::new(pass("P")));
    let inbox = Queue::new(&mut s, "Inbox", QueueProps::new());
    let dead = Queue::new(&mut s, "Dead", QueueProps::new());
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let topic = Topic::new(
        &mut s,
        "Alerts",
        TopicProps::new().kms_key(Some(Value::from(key))),
    );
    let rule = Rule::new(
        &mut s,
        "Placed",
        RuleProps::new().event_bus(&bus).event_pattern(orders()),
    );
    rule.add_target(
        &mut s,
        Target::function(&function)
            .input(json!({"kind": "placed"}))
            .dead_letter_queue(&dead)
            .max_retry_attempts(3)
            .max_event_age_seconds(3600),
    );
    rule.add_target(
        &mut s,
        Target::state_machine(&machine)
            .id("Flow")
            .input_path("$.detail"),
    );
    rule.add_target(
        &mut s,
        Target::queue(&inbox).input_transformer(
            InputTransformer::new("\"Order <id> at <aws.events.event.ingestion-time>\"")
                .path("id", "$.detail.id"),
        ),
    );
    rule.add_target(&mut s, Target::topic(&topic));
    rule.add_target(&mut s, Target::event_bus(&archive));
    assert_eq!(
        rule.target_ids(&s),
        ["Target0", "Flow", "Target2", "Target3", "Target4"]
    );
    let (t, warnings) = synth(ws.path(), s);

    let rule_id = id_of(&t, "AWS::Events::Rule", "Placed");
    let rule_arn = arn(&rule_id);
    let function_arn = arn(&id_of(&t, "AWS::Lambda::Function", "Handler"));
    let role_id = id_of(&t, "AWS::IAM::Role", "PlacedEventsRole");
    let inbox_arn = arn(&id_of(&t, "AWS::SQS::Queue", "Inbox"));
    let dead_arn = arn(&id_of(&t, "AWS::SQS::Queue", "Dead"));
    let machine_ref = json!({"Ref": id_of(&t, "AWS::StepFunctions::StateMachine", "Flow")});
    let topic_ref = json!({"Ref": t.logical_id_of_type("AWS::SNS::Topic")});
    let archive_arn = arn(&id_of(&t, "AWS::Events::EventBus", "Archive"));
    let rule_json = &t.find_resources("AWS::Events::Rule", json!({}))[&rule_id];
    assert_eq!(
        rule_json["Properties"]["Targets"],
        json!([
            {"Arn": function_arn, "DeadLetterConfig": {"Arn": dead_arn}, "Id": "Target0",
             "Input": "{\"kind\":\"placed\"}",
             "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}},
            {"Arn": machine_ref, "Id": "Flow", "InputPath": "$.detail", "RoleArn": arn(&role_id)},
            {"Arn": inbox_arn, "Id": "Target2",
             "InputTransformer": {"InputPathsMap": {"id": "$.detail.id"},
                                  "InputTemplate": "\"Order <id> at <aws.events.event.ingestion-time>\""}},
            {"Arn": topic_ref, "Id": "Target3"},
            {"Arn": archive_arn, "Id": "Target4", "RoleArn": arn(&role_id)}
        ])
    );
    // the function lets this rule, and only it, invoke
    assert_eq!(
        props_of(&t, "AWS::Lambda::Permission", "HandlerAllowEvents"),
        json!({"Action": "lambda:InvokeFunction", "FunctionName": function_arn,
               "Principal": "events.amazonaws.com", "SourceArn": rule_arn})
    );
    // one role for the rule, trusted by EventBridge, with exactly the two rights
    assert_eq!(
        t.find_resources("AWS::IAM::Role", json!({}))[&role_id]["Properties"],
        json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}}
        ]}})
    );
    assert_eq!(
        statements(&t, "PlacedEventsRole"),
        vec![
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": machine_ref}),
            json!({"Action": "events:PutEvents", "Effect": "Allow", "Resource": archive_arn}),
        ]
    );
    // the rule waits for the role's policy
    let policy_id = id_of(&t, "AWS::IAM::Policy", "PlacedEventsRole");
    assert_eq!(rule_json["DependsOn"], json!([policy_id]));
    // the queues (target and dead-letter) let this rule send
    let sends = |queue: &Json| {
        json!({"Action": "sqs:SendMessage",
               "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
               "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
               "Resource": queue})
    };
    for (prefix, queue) in [("Inbox", &inbox_arn), ("Dead", &dead_arn)] {
        let policy = props_of(&t, "AWS::SQS::QueuePolicy", prefix);
        assert_eq!(policy["PolicyDocument"]["Statement"][1], sends(queue));
        assert_eq!(
            policy["PolicyDocument"]["Statement"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
    }
    // the topic lets this rule publish; its customer key's policy is the user's to change
    assert_eq!(
        props_of(&t, "AWS::SNS::TopicPolicy", "Alerts")["PolicyDocument"]["Statement"][1],
        json!({"Action": "sns:Publish",
               "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
               "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
               "Resource": topic_ref})
    );
    assert!(
        warnings.iter().any(
            |w| w.contains(&format!("the topic is encrypted with the key {key}"))
                && w.contains("events.amazonaws.com")
        ),
        "{warnings:?}"
    );
}

#[test]
fn a_queue_target_takes_a_message_group_and_a_customer_key_is_a_warning() {
    let mut s = Stack::new("S");
    let key = "arn:aws:kms:us-east-1:123456789012:key/k";
    let fifo = Queue::new(
        &mut s,
        "Orders",
        QueueProps::new()
            .fifo()
            .content_based_deduplication()
            .encryption(QueueEncryption::Kms(Value::from(key))),
    );
    let rule = Rule::new(&mut s, "R", RuleProps::new().event_pattern(orders()));
    rule.add_target(&mut s, Target::queue(&fifo).message_group_id("orders"));
    // a standard queue takes a message group too: its fair queuing's tenant
    let fair = Queue::new(&mut s, "Tenants", QueueProps::new());
    rule.add_target(&mut s, Target::queue(&fair).message_group_id("tenant-a"));
    rule.add_target(&mut s, Target::queue(&fair).id("NoGroup"));
    let (t, warnings) = synth(std::path::Path::new("."), s);
    let targets = &props_of(&t, "AWS::Events::Rule", "R")["Targets"];
    assert_eq!(
        targets[0]["SqsParameters"],
        json!({"MessageGroupId": "orders"})
    );
    assert_eq!(
        targets[1]["SqsParameters"],
        json!({"MessageGroupId": "tenant-a"})
    );
    assert_eq!(targets[2].get("SqsParameters"), None);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Targets[0].Arn: the queue is encrypted with the key")),
        "{warnings:?}"
    );
}

#[test]
fn eventbridge_limits_are_reported_with_the_path_and_the_property() {
    let mut s = Stack::new("S");
    EventBus::new(&mut s, "Default", EventBusProps::new().name("default"));
    EventBus::new(&mut s, "Slash", EventBusProps::new().name("a/b"));
    EventBus::new(
        &mut s,
        "Wordy",
        EventBusProps::new().name("ok").description("d".repeat(513)),
    );
    let custom = EventBus::from_name("custom");
    Rule::new(&mut s, "Empty", RuleProps::new());
    Rule::new(
        &mut s,
        "Scheduled",
        RuleProps::new()
            .event_bus(&custom)
            .schedule(RuleSchedule::rate(0, RateUnit::Hours)),
    );
    Rule::new(
        &mut s,
        "Cron",
        RuleProps::new().schedule(RuleSchedule::cron("0 12 * * *")),
    );
    Rule::new(
        &mut s,
        "Named",
        RuleProps::new()
            .name("bad name")
            .description("x".repeat(513))
            .event_pattern(EventPattern::new().detail(
                json!({"state": "running", "code": [{"numeric": [">", 1, ">", 2]}],
                                   "kind": [{"wildcard": "a**"}], "tag": [{"nope": "x"}]}),
            )),
    );
    let big: Vec<String> = (0..300).map(|i| format!("source-{i:04}")).collect();
    Rule::new(
        &mut s,
        "Huge",
        RuleProps::new().event_pattern(EventPattern::new().source(big)),
    );
    let standard = Queue::new(&mut s, "Standard", QueueProps::new());
    let fifo_dlq = Queue::new(&mut s, "FifoDlq", QueueProps::new().fifo());
    let managed = Queue::new(
        &mut s,
        "Managed",
        QueueProps::new().encryption(QueueEncryption::KmsManaged),
    );
    let fifo = Queue::new(&mut s, "Fifo", QueueProps::new().fifo());
    let topic = Topic::new(&mut s, "Topic", TopicProps::new());
    let plain_topic = Topic::new(&mut s, "PlainTopic", TopicProps::new().kms_key(None));
    let fifo_topic = Topic::new(&mut s, "FifoTopic", TopicProps::new().fifo().kms_key(None));
    let rule = Rule::new(&mut s, "Many", RuleProps::new().event_pattern(orders()));
    rule.add_target(
        &mut s,
        Target::queue(&standard)
            .id("Same")
            .max_retry_attempts(186)
            .max_event_age_seconds(59)
            .message_group_id("g"),
    );
    rule.add_target(
        &mut s,
        Target::queue(&standard)
            .id("Same")
            .dead_letter_queue(&fifo_dlq)
            .input_path("detail"),
    );
    rule.add_target(&mut s, Target::queue(&managed).id("bad id"));
    rule.add_target(&mut s, Target::queue(&fifo));
    rule.add_target(&mut s, Target::topic(&topic).input(json!("x".repeat(8200))));
    let second = Rule::new(&mut s, "Second", RuleProps::new().event_pattern(orders()));
    second.add_target(&mut s, Target::topic(&fifo_topic));
    second.add_target(&mut s, Target::topic(&plain_topic));
    second.add_target(
        &mut s,
        Target::queue(&standard).message_group_id("g".repeat(101)),
    );
    second.add_target(
        &mut s,
        Target::topic(&plain_topic)
            .id("Grouped")
            .message_group_id("g"),
    );
    rule.add_target(
        &mut s,
        Target::topic(&topic).input_transformer(
            (0..101).fold(InputTransformer::new("<missing> <v0>"), |t, i| {
                t.path(format!("v{i}"), "$.detail")
            }),
        ),
    );
    let all = problems(s);
    assert_contains_all(
        &all,
        &[
            "S/Default/Resource [Name]: \"default\" is the account's default bus",
            "S/Slash/Resource [Name]: an event bus name \"a/b\" may hold only letters, digits and '.' '_' '-', not '/'",
            "S/Wordy/Resource [Description]: the description has 513 characters; EventBridge takes at most 512",
            "S/Empty/Resource [EventPattern]: a rule needs an event pattern or a schedule",
            "S/Scheduled/Resource [ScheduleExpression]: rate(0 hours): a rate is at least 1",
            "S/Scheduled/Resource [ScheduleExpression]: a scheduled rule runs on the default event bus only",
            "S/Cron/Resource [ScheduleExpression]: cron(0 12 * * *) has 5 fields",
            "S/Named/Resource [Name]: a rule name \"bad name\" may hold only letters",
            "S/Named/Resource [Description]: the description has 513 characters",
            "S/Named/Resource [EventPattern]: detail.state: a pattern's values are lists",
            "S/Named/Resource [EventPattern]: detail.code: numeric takes \"=\" alone, or at most one lower",
            "S/Named/Resource [EventPattern]: detail.kind: the wildcard \"a**\" has consecutive *",
            "S/Named/Resource [EventPattern]: detail.tag: \"nope\" is not a filter EventBridge knows",
            "S/Huge/Resource [EventPattern]: the event pattern has 4212 characters; EventBridge takes at most 4096",
            "S/Many/Resource [Targets[0].RetryPolicy.MaximumRetryAttempts]: 186 is outside EventBridge's 0 to 185",
            "S/Many/Resource [Targets[0].RetryPolicy.MaximumEventAgeInSeconds]: 59 is outside EventBridge's 60 to 86400",
            "S/Many/Resource [Targets[1].Id]: the rule has two targets with the id \"Same\"",
            "S/Many/Resource [Targets[1].DeadLetterConfig]: EventBridge's dead-letter queue must be a standard queue, not FIFO",
            "S/Many/Resource [Targets[1].InputPath]: \"detail\" must be a JSON path",
            "S/Many/Resource [Targets[2].Id]: a target id \"bad id\" may hold only letters",
            "S/Many/Resource [Targets[2].Arn]: EventBridge cannot send to a queue encrypted with the AWS managed key alias/aws/sqs",
            "S/Many/Resource [Targets[3].SqsParameters]: a FIFO queue target needs a message group id",
            "S/Many/Resource [Targets[3].Arn]: EventBridge sends to a FIFO queue only with content-based deduplication",
            "S/Many/Resource [Targets[4].Arn]: EventBridge cannot publish to a topic encrypted with the AWS managed key alias/aws/sns",
            "S/Many/Resource [Targets[4].Input]: the input has 8202 characters; EventBridge takes at most 8192",
            "S/Second/Resource [Targets[0].Arn]: EventBridge does not support SNS FIFO topics as targets",
            "S/Second/Resource [Targets[2].SqsParameters]: the message group id must have 1 to 100 characters",
            "S/Second/Resource [Targets[3].SqsParameters]: a message group id is for a queue target",
            "S/Many/Resource [Targets[5]]: target \"Target5\" is the rule's 6th; EventBridge takes at most 5 targets per rule",
            "S/Many/Resource [Targets[5].InputTransformer]: the input transformer has 101 paths; EventBridge takes at most 100",
            "S/Many/Resource [Targets[5].InputTransformer]: the input template uses <missing>, which no path defines",
        ],
    );
    // a placeholder that is defined, or one EventBridge defines, is not reported
    assert!(!all.contains("uses <v0>"), "{all}");
    // a standard topic is a target EventBridge supports
    assert!(!all.contains("S/Second/Resource [Targets[1]"), "{all}");
    // nor is a message group on a standard queue (fair queuing)
    assert!(
        !all.contains("S/Many/Resource [Targets[0].SqsParameters]"),
        "{all}"
    );
    // a big pattern under the hard limit is only a warning (the quota can be raised)
    let mut s = Stack::new("S");
    let sources: Vec<String> = (0..150).map(|i| format!("source-{i:04}")).collect();
    Rule::new(
        &mut s,
        "Big",
        RuleProps::new().event_pattern(EventPattern::new().source(sources)),
    );
    let (_, warnings) = synth(std::path::Path::new("."), s);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("over EventBridge's default quota of 2048")),
        "{warnings:?}"
    );
}

#[test]
fn a_machine_that_publishes_back_to_the_bus_of_its_rule_makes_no_cycle() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let bus = EventBus::new(&mut s, "Bus", EventBusProps::new().name("orders"));
    let publish = tasks::events_put_events(
        "Announce",
        &bus,
        PutEvents::new([EventEntry::new(
            "com.example.flow",
            "Flow Done",
            Input::object().field("id", Input::path("$.detail.id")),
        )]),
    );
    let machine = StateMachine::new(&mut s, "Flow", StateMachineProps::new(publish));
    let function = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    bus.grant_put_events(&mut s, &function);
    let rule = Rule::new(
        &mut s,
        "Placed",
        RuleProps::new().event_bus(&bus).event_pattern(orders()),
    );
    rule.add_target(&mut s, Target::state_machine(&machine));
    rule.add_target(&mut s, Target::function(&function));
    // a scheduled rule on the default bus starting the same machine
    let nightly = Rule::new(
        &mut s,
        "Nightly",
        RuleProps::new().schedule(RuleSchedule::cron("0 2 * * ? *")),
    );
    nightly.add_target(&mut s, Target::state_machine(&machine));
    // synth checks the template for cycles and fails on one
    let (t, _) = synth(ws.path(), s);
    let bus_arn = arn(&t.logical_id_of_type("AWS::Events::EventBus"));
    let put = json!({"Action": "events:PutEvents", "Effect": "Allow", "Resource": bus_arn});
    assert!(statements(&t, "FlowRole").contains(&put));
    assert!(statements(&t, "HandlerServiceRole").contains(&put));
    t.resource_count_is("AWS::IAM::Role", 4);
}

fn machine_state(t: &Template, state: &str) -> (Json, Json) {
    let m = props_of(t, "AWS::StepFunctions::StateMachine", "M");
    (
        m["Definition"]["States"][state].clone(),
        m["DefinitionSubstitutions"].clone(),
    )
}

fn substituted<'a>(subs: &'a Json, placeholder: &Json) -> &'a Json {
    let name = placeholder
        .as_str()
        .and_then(|p| p.strip_prefix("${"))
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or_else(|| panic!("{placeholder} is not a substitution"));
    &subs[name]
}

#[test]
fn the_put_events_task_sends_to_the_bus_and_derives_its_right() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let bus = EventBus::new(&mut s, "Bus", EventBusProps::new().name("orders"));
    let put = tasks::events_put_events(
        "Announce",
        &bus,
        PutEvents::new([
            EventEntry::new(
                "com.example.orders",
                "Order Placed",
                Input::object().field("id", Input::path("$.id")),
            ),
            EventEntry::new(
                Input::path("$.source"),
                "Order Noted",
                Input::object().field("n", 1u32),
            ),
        ]),
    );
    StateMachine::new(&mut s, "M", StateMachineProps::new(put));
    let t = Template::from_stack_in(ws.path(), &s);
    let bus_arn = arn(&t.logical_id_of_type("AWS::Events::EventBus"));
    let (state, subs) = machine_state(&t, "Announce");
    assert_eq!(
        substituted(&subs, &state["Resource"]),
        &json!({"Fn::Sub": "arn:${AWS::Partition}:states:::events:putEvents"})
    );
    let entries = &state["Parameters"]["Entries"];
    assert_eq!(substituted(&subs, &entries[0]["EventBusName"]), &bus_arn);
    let placeholder = entries[0]["EventBusName"].clone();
    assert_eq!(
        entries,
        &json!([
            {"Detail": {"id.$": "$.id"}, "DetailType": "Order Placed",
             "EventBusName": placeholder, "Source": "com.example.orders"},
            {"Detail": {"n": 1}, "DetailType": "Order Noted",
             "EventBusName": placeholder, "Source.$": "$.source"}
        ])
    );
    assert_eq!(
        statements(&t, "MRole"),
        vec![json!({"Action": "events:PutEvents", "Effect": "Allow", "Resource": bus_arn})]
    );
}

#[test]
fn the_put_events_task_under_jsonata_waits_for_its_token() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let put = tasks::events_put_events(
        "Ask",
        &EventBus::default_bus(),
        PutEvents::new([EventEntry::new(
            "com.example.approvals",
            "Approval Requested",
            Input::object()
                .field("order", Input::path("$.id"))
                .field("token", Input::from(ContextPath::TASK_TOKEN)),
        )])
        .wait_for_task_token(),
    );
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(put).query_language(QueryLanguage::Jsonata),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let (state, subs) = machine_state(&t, "Ask");
    assert_eq!(
        substituted(&subs, &state["Resource"]),
        &json!({"Fn::Sub": "arn:${AWS::Partition}:states:::events:putEvents.waitForTaskToken"})
    );
    let entry = &state["Arguments"]["Entries"][0];
    assert_eq!(
        entry["Detail"],
        json!({"order": "{% $states.input.id %}", "token": "{% $states.context.Task.Token %}"})
    );
    let default_arn = json!({"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"});
    // the default bus's ARN is built from pseudo parameters, substituted one by one
    assert_eq!(
        entry["EventBusName"],
        "arn:${Partition}:events:${Region}:${AccountId}:event-bus/default"
    );
    for (name, pseudo) in [
        ("Partition", "AWS::Partition"),
        ("Region", "AWS::Region"),
        ("AccountId", "AWS::AccountId"),
    ] {
        assert_eq!(subs[name], json!({"Ref": pseudo}), "{subs}");
    }
    assert_eq!(
        statements(&t, "MRole"),
        vec![json!({"Action": "events:PutEvents", "Effect": "Allow", "Resource": default_arn})]
    );
}

#[test]
fn the_put_events_task_refuses_what_eventbridge_or_the_callback_would() {
    let ws = workspace();
    let bus = EventBus::default_bus();
    // a callback whose events carry no token can never be resumed, in either language
    for (language, token) in [
        (QueryLanguage::JsonPath, "$$.Task.Token in its Parameters"),
        (
            QueryLanguage::Jsonata,
            "$states.context.Task.Token in its Arguments",
        ),
    ] {
        let mut s = Stack::new("S");
        let put = tasks::events_put_events(
            "Ask",
            &bus,
            PutEvents::new([EventEntry::new(
                "com.example",
                "Asked",
                Input::object().field("id", Input::path("$.id")),
            )])
            .wait_for_task_token(),
        );
        StateMachine::new(
            &mut s,
            "M",
            StateMachineProps::new(put).query_language(language),
        );
        assert_contains_all(
            &problems_in(ws.path(), s),
            &[&format!("S/M/Resource [Definition]: state \"Ask\": uses arn:${{AWS::Partition}}:states:::events:putEvents.waitForTaskToken but sends no task token: put {token}")],
        );
    }
    let mut s = Stack::new("S");
    let entry = EventEntry::new("aws.ec2", "Fake", Input::object().field("a", "b"));
    let many = tasks::events_put_events("Many", &bus, PutEvents::new(vec![entry; 11]));
    let none = tasks::events_put_events("None", &bus, PutEvents::new([]));
    StateMachine::new(&mut s, "M", StateMachineProps::new(many.next(none)));
    assert_contains_all(
        &problems_in(ws.path(), s),
        &[
            "S/M/Resource [Definition]: state \"Many\": putEvents takes 1 to 10 entries, not 11",
            "S/M/Resource [Definition]: state \"None\": putEvents takes 1 to 10 entries, not 0",
            "S/M/Resource [Definition]: state \"Many\": the source \"aws.ec2\" is reserved for AWS's own events",
        ],
    );
}
