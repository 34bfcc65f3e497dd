//! Alarm actions to SNS topics (the topic policy statement that lets CloudWatch publish, the
//! AWS managed key CloudWatch cannot use) and composite alarms: the rule rendered with the
//! alarms' ARNs, the generated name, the suppressor, and CloudWatch's limits reported with the
//! construct path and property.

mod common;

use common::{assert_contains_all, problems};

use constructs::assertions::Template;
use constructs::cloudwatch::{
    Alarm, AlarmProps, AlarmRef, AlarmRule, AlarmState, AtLeast, CompositeAlarm,
    CompositeAlarmProps, Metric,
};
use constructs::sns::{Topic, TopicProps};
use constructs::{App, Stack, Value};
use serde_json::{json, Value as Json};

const KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn metric() -> Metric {
    Metric::new("Shop", "Errors")
}

fn topic(s: &mut Stack, id: &str) -> Topic {
    Topic::new(s, id, TopicProps::new().kms_key(Some(Value::from(KEY))))
}

fn alarm(s: &mut Stack, id: &str) -> Alarm {
    Alarm::new(s, id, AlarmProps::new(metric(), 1.0))
}

fn id_of(t: &Template, type_name: &str, prefix: &str) -> String {
    t.find_resources(type_name, json!({}))
        .keys()
        .find(|k| k.starts_with(prefix))
        .cloned()
        .unwrap_or_else(|| panic!("no {type_name} {prefix}"))
}

fn arn(t: &Template, type_name: &str, prefix: &str) -> Json {
    json!({"Fn::GetAtt": [id_of(t, type_name, prefix), "Arn"]})
}

/// The statements of the policy of the topic whose logical id starts with `prefix`.
fn topic_statements(t: &Template, prefix: &str) -> Vec<Json> {
    let topic = id_of(t, "AWS::SNS::Topic", prefix);
    let policies = t.find_resources("AWS::SNS::TopicPolicy", json!({"Topics": [{"Ref": topic}]}));
    assert_eq!(policies.len(), 1, "one policy for {prefix}");
    policies.values().next().unwrap()["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone()
}

fn cloudwatch_may_publish(topic: &Json, alarm: &Json) -> Json {
    json!({
        "Action": "sns:Publish",
        "Condition": {"ArnEquals": {"aws:SourceArn": alarm}},
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Resource": topic
    })
}

#[test]
fn an_alarm_notifies_topics_whose_policy_lets_this_alarm_publish() {
    let mut s = Stack::new("S");
    let ops = topic(&mut s, "Ops");
    let plain = Topic::new(&mut s, "Plain", TopicProps::new().kms_key(None));
    Alarm::new(
        &mut s,
        "High",
        AlarmProps::new(metric(), 1.0)
            .alarm_topic(&ops)
            .ok_topic(&ops)
            .insufficient_data_topic(&plain)
            .alarm_action("arn:aws:sns:eu-west-1:123456789012:pager"),
    );
    let t = Template::from_stack(&s);
    let ops_ref = json!({"Ref": id_of(&t, "AWS::SNS::Topic", "Ops")});
    let plain_ref = json!({"Ref": id_of(&t, "AWS::SNS::Topic", "Plain")});
    let high = arn(&t, "AWS::CloudWatch::Alarm", "High");
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        json!({
            "AlarmActions": [ops_ref, "arn:aws:sns:eu-west-1:123456789012:pager"],
            "OKActions": [ops_ref],
            "InsufficientDataActions": [plain_ref]
        }),
    );
    let tls = |topic: &Json| {
        json!({"Action": "sns:Publish", "Condition": {"Bool": {"aws:SecureTransport": "false"}},
               "Effect": "Deny", "Principal": {"AWS": "*"}, "Resource": topic})
    };
    // one statement for the two states, after the TLS one
    assert_eq!(
        topic_statements(&t, "Ops"),
        vec![tls(&ops_ref), cloudwatch_may_publish(&ops_ref, &high)]
    );
    assert_eq!(
        topic_statements(&t, "Plain"),
        vec![tls(&plain_ref), cloudwatch_may_publish(&plain_ref, &high)]
    );

    // a topic without TLS policy gets one for the statement
    let mut s = Stack::new("S");
    let open = Topic::new(
        &mut s,
        "Open",
        TopicProps::new().kms_key(None).enforce_ssl(false),
    );
    Alarm::new(
        &mut s,
        "Low",
        AlarmProps::new(metric(), 1.0).alarm_topic(&open),
    );
    let t = Template::from_stack(&s);
    let open_ref = json!({"Ref": id_of(&t, "AWS::SNS::Topic", "Open")});
    assert_eq!(
        topic_statements(&t, "Open"),
        vec![cloudwatch_may_publish(
            &open_ref,
            &arn(&t, "AWS::CloudWatch::Alarm", "Low")
        )]
    );
}

#[test]
fn a_topic_cloudwatch_cannot_publish_to_is_refused() {
    let mut s = Stack::new("S");
    let managed = Topic::new(&mut s, "Managed", TopicProps::new());
    let by_arn = Topic::new(
        &mut s,
        "ByArn",
        TopicProps::new().kms_key(Some(Value::from(
            "arn:aws:kms:eu-west-1:123456789012:alias/aws/sns",
        ))),
    );
    Alarm::new(
        &mut s,
        "High",
        AlarmProps::new(metric(), 1.0)
            .alarm_topic(&managed)
            .ok_topic(&by_arn),
    );
    let mut many = AlarmProps::new(metric(), 1.0);
    for i in 0..5 {
        many = many.alarm_action(format!("arn:aws:sns:eu-west-1:123456789012:t{i}"));
    }
    let plain = topic(&mut s, "Plain");
    Alarm::new(&mut s, "Many", many.alarm_topic(&plain));
    let mut other = Stack::new("Other");
    let elsewhere = topic(&mut other, "Elsewhere");
    Alarm::new(
        &mut s,
        "Far",
        AlarmProps::new(metric(), 1.0).insufficient_data_topic(&elsewhere),
    );
    let mut app = App::new(".");
    app.add_stack(other);
    app.add_stack(s);
    let e = app
        .synth()
        .expect_err("three alarms CloudWatch could not run");
    let all: Vec<String> = e.problems().iter().map(ToString::to_string).collect();
    let all = all.join("\n");
    assert_contains_all(
        &all,
        &[
            "S/High/Resource [AlarmActions]: the topic S/Managed/Resource is encrypted with the AWS managed key alias/aws/sns, which CloudWatch may not use: the alarm could not notify it",
            "S/High/Resource [OKActions]: the topic S/ByArn/Resource is encrypted with the AWS managed key alias/aws/sns",
            "S/Many/Resource [AlarmActions]: 6 actions; CloudWatch allows 5",
            // the statement belongs in the topic's one policy, in Other; there it would name
            // the unnamed alarm by reference, while S already refers to Other
            "Other/Elsewhere/Policy/Resource: a statement of the AWS::SNS::TopicPolicy of Other/Elsewhere/Resource was made in stack S; it belongs in stack Other, which holds the resource (one resource, not one per stack), but there it would refer to stack S, which already depends on stack Other (S -> Other): the two stacks would depend on each other in a cycle",
        ],
    );
    assert_eq!(all.lines().count(), 4, "{all}");
    let cycle = e
        .problems()
        .iter()
        .find(|p| p.path == "Other/Elsewhere/Policy/Resource")
        .and_then(|p| p.help.clone())
        .unwrap_or_default();
    assert!(cycle.contains("AlarmProps::alarm_name"), "{cycle}");
}

#[test]
fn a_composite_alarm_renders_its_rule_over_the_alarms_arns() {
    let mut s = Stack::new("S");
    let errors = alarm(&mut s, "Errors");
    let latency = Alarm::new(
        &mut s,
        "Latency",
        AlarmProps::new(metric(), 1.0).alarm_name("latency"),
    );
    let deploying = alarm(&mut s, "Deploying");
    let rule = AlarmRule::any_of([
        AlarmRule::all_of([
            AlarmRule::alarm(&errors, AlarmState::Alarm),
            AlarmRule::not(AlarmRule::alarm(&deploying, AlarmState::Alarm)),
        ]),
        AlarmRule::at_least(
            AtLeast::Count(2),
            AlarmState::Alarm,
            [&errors, &latency, &deploying],
        ),
        AlarmRule::at_least_not(AtLeast::Percent(50), AlarmState::Ok, [&errors, &latency]),
        AlarmRule::alarm(&latency, AlarmState::InsufficientData),
        AlarmRule::all_of([AlarmRule::constant(false)]),
    ]);
    let composite = CompositeAlarm::new(&mut s, "Health", CompositeAlarmProps::new(rule));
    let name = composite.alarm_name().to_string();
    assert!(
        name.starts_with("S-Health-") && name.len() == "S-Health-".len() + 8,
        "{name}"
    );
    s.add_output("Arn", composite.arn());
    let t = Template::from_stack(&s);
    let composites = t.find_resources("AWS::CloudWatch::CompositeAlarm", json!({}));
    let (id, resource) = composites.iter().next().expect("a composite alarm");
    assert_eq!(
        resource,
        &json!({
            "Type": "AWS::CloudWatch::CompositeAlarm",
            "Properties": {
                "AlarmName": name,
                "AlarmRule": {"Fn::Sub": [
                    "((ALARM(\"${Alarm0}\") AND NOT (ALARM(\"${Alarm1}\"))) OR AT_LEAST(2, ALARM, (${Alarm0}, ${Alarm2}, ${Alarm1})) OR AT_LEAST(50%, NOT OK, (${Alarm0}, ${Alarm2})) OR INSUFFICIENT_DATA(\"${Alarm2}\") OR FALSE)",
                    {
                        "Alarm0": arn(&t, "AWS::CloudWatch::Alarm", "Errors"),
                        "Alarm1": arn(&t, "AWS::CloudWatch::Alarm", "Deploying"),
                        "Alarm2": arn(&t, "AWS::CloudWatch::Alarm", "Latency")
                    }
                ]}
            },
            "Metadata": {"aws:cdk:path": "S/Health/Resource"}
        })
    );
    t.has_output("Arn", json!({"Value": {"Fn::GetAtt": [id, "Arn"]}}));
    // the same name at every synth
    let again = Template::from_stack(&s);
    again.has_resource_properties(
        "AWS::CloudWatch::CompositeAlarm",
        json!({"AlarmName": name}),
    );

    // a constant rule is plain text
    let mut s = Stack::new("S");
    CompositeAlarm::new(
        &mut s,
        "Test",
        CompositeAlarmProps::new(AlarmRule::constant(true)).alarm_name("test"),
    );
    Template::from_stack(&s).has_resource_properties(
        "AWS::CloudWatch::CompositeAlarm",
        json!({"AlarmName": "test", "AlarmRule": "TRUE"}),
    );
}

#[test]
fn a_composite_alarm_renders_every_setting_and_may_watch_another_composite() {
    let mut s = Stack::new("S");
    let ops = topic(&mut s, "Ops");
    let errors = alarm(&mut s, "Errors");
    let maintenance = alarm(&mut s, "Maintenance");
    let inner = CompositeAlarm::new(
        &mut s,
        "Inner",
        CompositeAlarmProps::new(AlarmRule::alarm(&errors, AlarmState::Alarm)).alarm_name("inner"),
    );
    CompositeAlarm::new(
        &mut s,
        "Outer",
        CompositeAlarmProps::new(AlarmRule::alarm(&inner, AlarmState::Alarm))
            .alarm_name("outer")
            .description("the service is unhealthy")
            .actions_enabled(true)
            .alarm_topic(&ops)
            .ok_topic(&ops)
            .insufficient_data_action("arn:aws:sns:eu-west-1:123456789012:ops")
            .alarm_action("arn:aws:sns:eu-west-1:123456789012:pager")
            .actions_suppressor(&maintenance, 120, 300),
    );
    let t = Template::from_stack(&s);
    let ops_ref = json!({"Ref": id_of(&t, "AWS::SNS::Topic", "Ops")});
    let outer = t.find_resources(
        "AWS::CloudWatch::CompositeAlarm",
        json!({"AlarmName": "outer"}),
    );
    let (outer_id, outer) = outer.iter().next().expect("the outer alarm");
    assert_eq!(
        outer["Properties"],
        json!({
            "ActionsEnabled": true,
            "ActionsSuppressor": arn(&t, "AWS::CloudWatch::Alarm", "Maintenance"),
            "ActionsSuppressorExtensionPeriod": 300,
            "ActionsSuppressorWaitPeriod": 120,
            "AlarmActions": [ops_ref, "arn:aws:sns:eu-west-1:123456789012:pager"],
            "AlarmDescription": "the service is unhealthy",
            "AlarmName": "outer",
            "AlarmRule": {"Fn::Sub": ["ALARM(\"${Alarm0}\")",
                {"Alarm0": arn(&t, "AWS::CloudWatch::CompositeAlarm", "Inner")}]},
            "InsufficientDataActions": ["arn:aws:sns:eu-west-1:123456789012:ops"],
            "OKActions": [ops_ref]
        })
    );
    assert_eq!(
        topic_statements(&t, "Ops")[1..],
        [cloudwatch_may_publish(
            &ops_ref,
            &json!({"Fn::GetAtt": [outer_id, "Arn"]})
        )]
    );
}

#[test]
fn composite_alarm_limits_are_reported_with_path_and_property() {
    let mut s = Stack::new("S");
    let a = alarm(&mut s, "A");
    let b = alarm(&mut s, "B");
    let managed = Topic::new(&mut s, "Managed", TopicProps::new());
    let composite = |s: &mut Stack, id: &str, props: CompositeAlarmProps| {
        CompositeAlarm::new(s, id, props);
    };
    composite(
        &mut s,
        "Empty",
        CompositeAlarmProps::new(AlarmRule::all_of([])),
    );
    composite(
        &mut s,
        "NoneOf",
        CompositeAlarmProps::new(AlarmRule::any_of([])),
    );
    composite(
        &mut s,
        "Zero",
        CompositeAlarmProps::new(AlarmRule::at_least(
            AtLeast::Count(0),
            AlarmState::Alarm,
            [&a],
        )),
    );
    composite(
        &mut s,
        "TooMany",
        CompositeAlarmProps::new(AlarmRule::at_least(
            AtLeast::Count(3),
            AlarmState::Alarm,
            [&a, &b],
        )),
    );
    composite(
        &mut s,
        "Percent",
        CompositeAlarmProps::new(AlarmRule::at_least_not(
            AtLeast::Percent(101),
            AlarmState::Ok,
            [&a],
        )),
    );
    composite(
        &mut s,
        "Nobody",
        CompositeAlarmProps::new(AlarmRule::at_least(
            AtLeast::Percent(50),
            AlarmState::Alarm,
            Vec::<AlarmRef>::new(),
        )),
    );
    let crowd: Vec<Alarm> = (0..101).map(|i| alarm(&mut s, &format!("C{i}"))).collect();
    composite(
        &mut s,
        "Crowd",
        CompositeAlarmProps::new(AlarmRule::any_of(
            crowd.iter().map(|c| AlarmRule::alarm(c, AlarmState::Alarm)),
        )),
    );
    let long: Vec<Alarm> = (0..40)
        .map(|i| {
            Alarm::new(
                &mut s,
                &format!("L{i}"),
                AlarmProps::new(metric(), 1.0).alarm_name(format!("{i:03}{}", "n".repeat(250))),
            )
        })
        .collect();
    composite(
        &mut s,
        "Long",
        CompositeAlarmProps::new(AlarmRule::any_of(
            long.iter().map(|c| AlarmRule::alarm(c, AlarmState::Alarm)),
        )),
    );
    let mut many = CompositeAlarmProps::new(AlarmRule::alarm(&a, AlarmState::Alarm))
        .alarm_name("")
        .description("d".repeat(1025))
        .ok_topic(&managed);
    for i in 0..6 {
        many = many.alarm_action(format!("arn:aws:sns:eu-west-1:123456789012:t{i}"));
    }
    composite(&mut s, "Many", many);
    let named = || CompositeAlarmProps::new(AlarmRule::alarm(&b, AlarmState::Ok)).alarm_name("ops");
    composite(&mut s, "First", named());
    composite(&mut s, "Second", named());
    composite(
        &mut s,
        "Fine",
        CompositeAlarmProps::new(AlarmRule::at_least(
            AtLeast::Count(2),
            AlarmState::Alarm,
            [&a, &b],
        )),
    );
    let all = problems(s);
    assert_contains_all(
        &all,
        &[
            "S/Empty/Resource [AlarmRule]: all_of() of no rule",
            "S/NoneOf/Resource [AlarmRule]: any_of() of no rule",
            "S/Zero/Resource [AlarmRule]: AT_LEAST 0 of 1 alarms: the count must be 1 to the number of alarms",
            "S/TooMany/Resource [AlarmRule]: AT_LEAST 3 of 2 alarms",
            "S/Percent/Resource [AlarmRule]: AT_LEAST 101%: the percentage must be 1 to 100",
            "S/Nobody/Resource [AlarmRule]: AT_LEAST of no alarm",
            "S/Crowd/Resource [AlarmRule]: the rule refers to 101 alarms; CloudWatch allows 100",
            "S/Long/Resource [AlarmRule]: the rule has at least 12558 characters once the alarms' ARNs are in; CloudWatch allows 10240",
            "S/Many/Resource [AlarmName]: alarm name \"\" must be 1 to 255 characters long (it has 0)",
            "S/Many/Resource [AlarmDescription]: the description has 1025 characters; CloudWatch allows 1024",
            "S/Many/Resource [AlarmActions]: 6 actions; CloudWatch allows 5",
            "S/Many/Resource [OKActions]: the topic S/Managed/Resource is encrypted with the AWS managed key alias/aws/sns",
            "S/Second/Resource [AlarmName]: the alarm name \"ops\" is also given to S/First/Resource",
        ],
    );
    assert!(!all.contains("S/Fine/"), "{all}");
    assert!(
        !all.contains("S/Crowd/Resource [AlarmRule]: the rule has"),
        "{all}"
    );
    assert_eq!(all.lines().count(), 13, "{all}");
}

#[test]
fn alarms_topics_and_composites_deploy_without_a_cycle() {
    let mut s = Stack::new("S");
    let ops = topic(&mut s, "Ops");
    let errors = Alarm::new(
        &mut s,
        "Errors",
        AlarmProps::new(metric(), 1.0).alarm_topic(&ops),
    );
    CompositeAlarm::new(
        &mut s,
        "Health",
        CompositeAlarmProps::new(AlarmRule::alarm(&errors, AlarmState::Alarm)).alarm_topic(&ops),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    let assembly = app.synth().expect("no cycle, no problem");
    let template = &assembly.stack("S").expect("stack S").template;
    // the topic policy refers to both alarms, which refer to the topic: an order, not a loop
    let policy = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::SNS::TopicPolicy")
        .expect("a topic policy");
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn a_metric_alarm_and_a_composite_alarm_cannot_share_a_name() {
    // CloudWatch keeps one namespace of alarm names per account and region for both kinds
    let mut s = Stack::new("S");
    let metric_alarm = Alarm::new(
        &mut s,
        "Metric",
        AlarmProps::new(metric(), 1.0).alarm_name("shop-down"),
    );
    CompositeAlarm::new(
        &mut s,
        "Composite",
        CompositeAlarmProps::new(AlarmRule::alarm(&metric_alarm, AlarmState::Alarm))
            .alarm_name("shop-down"),
    );
    let all = problems(s);
    assert_eq!(
        all,
        "S/Composite/Resource [AlarmName]: the alarm name \"shop-down\" is also given to S/Metric/Resource; an alarm name is unique in the account and region, so the second would fail to deploy"
    );
}

#[test]
fn a_topic_under_a_customer_key_is_a_warning_naming_what_its_key_policy_must_allow() {
    let mut s = Stack::new("S");
    let ops = topic(&mut s, "Ops");
    let plain = Topic::new(&mut s, "Plain", TopicProps::new().kms_key(None));
    Alarm::new(
        &mut s,
        "High",
        AlarmProps::new(metric(), 1.0)
            .alarm_topic(&ops)
            .ok_topic(&plain),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = assembly.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        vec![format!(
            "S/High/Resource: AlarmActions: the topic S/Ops/Resource is encrypted with {KEY}: its key policy must let cloudwatch.amazonaws.com call kms:Decrypt and kms:GenerateDataKey*, or the alarm's notifications are lost"
        )]
    );
}
