//! EventBridge Scheduler: a schedule's defaults, every option, the role the Scheduler assumes
//! (trust guarded by aws:SourceAccount, the exact rights for each target and the dead-letter
//! queue, the schedule waiting for them), and the Scheduler's limits reported with the
//! construct path and property.

mod common;

use common::{assert_contains_all, problems_in, statements, workspace};

use constructs::assertions::Template;
use constructs::lambda::{Function, FunctionProps};
use constructs::scheduler::{
    check_date_time, check_timezone, FlexibleTimeWindow, RateUnit, Schedule, ScheduleExpression,
    ScheduleProps, ScheduleTarget,
};
use constructs::sqs::{Queue, QueueEncryption, QueueProps};
use constructs::stepfunctions::asl::pass;
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::{App, Stack, Value};
use serde_json::{json, Value as Json};

fn resource(t: &Template, type_name: &str, prefix: &str) -> (String, Json) {
    t.find_resources(type_name, json!({}))
        .into_iter()
        .find(|(id, _)| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {type_name} {prefix}"))
}

fn arn(id: &str) -> Json {
    json!({"Fn::GetAtt": [id, "Arn"]})
}

#[test]
fn a_schedule_invokes_a_function_through_its_own_guarded_role() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let function = Function::new(&mut s, "Report", FunctionProps::new("one"));
    let schedule = Schedule::new(
        &mut s,
        "Hourly",
        ScheduleProps::new(
            ScheduleExpression::rate(1, RateUnit::Hours),
            ScheduleTarget::function(&function),
        ),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let (schedule_id, schedule_json) = resource(&t, "AWS::Scheduler::Schedule", "Hourly");
    assert_eq!(schedule.resource().path(), "S/Hourly/Resource");
    let (role_id, role) = resource(&t, "AWS::IAM::Role", "HourlyRole");
    let (function_id, _) = resource(&t, "AWS::Lambda::Function", "Report");
    assert_eq!(
        schedule_json["Properties"],
        json!({
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ScheduleExpression": "rate(1 hour)",
            "State": "ENABLED",
            "Target": {"Arn": arn(&function_id), "RoleArn": arn(&role_id)}
        }),
        "{schedule_id}"
    );
    // the Scheduler assumes the role only for schedules of this account
    assert_eq!(
        role["Properties"]["AssumeRolePolicyDocument"],
        json!({"Version": "2012-10-17", "Statement": [{
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            "Effect": "Allow",
            "Principal": {"Service": "scheduler.amazonaws.com"}
        }]})
    );
    // a role, not a Lambda permission
    t.resource_count_is("AWS::Lambda::Permission", 0);
    assert_eq!(
        statements(&t, "HourlyRole"),
        vec![
            json!({"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": arn(&function_id)})
        ]
    );
    // the schedule waits for its role's rights
    let (policy_id, _) = resource(&t, "AWS::IAM::Policy", "HourlyRole");
    assert_eq!(schedule_json["DependsOn"], json!([policy_id]));
}

#[test]
fn every_option_of_a_schedule_starting_a_machine_is_written() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let machine = StateMachine::new(&mut s, "Flow", StateMachineProps::new(pass("P")));
    let key = "arn:aws:kms:us-east-1:123456789012:key/k";
    let dlq = Queue::new(
        &mut s,
        "Dead",
        QueueProps::new().encryption(QueueEncryption::Kms(Value::from(key))),
    );
    Schedule::new(
        &mut s,
        "Weekdays",
        ScheduleProps::new(
            ScheduleExpression::cron("0 8 ? * MON-FRI *"),
            ScheduleTarget::state_machine(&machine)
                .input(json!({"report": "daily"}))
                .dead_letter_queue(&dlq)
                .max_retry_attempts(0)
                .max_event_age_seconds(600),
        )
        .name("weekday-report")
        .description("every weekday at 8")
        .group_name("reports")
        .timezone("Europe/Paris")
        .start_date("2030-01-01T00:00:00Z")
        .end_date("2030-12-31T23:59:59.000Z")
        .flexible_time_window(FlexibleTimeWindow::Flexible(15))
        .disabled(),
    );
    Schedule::new(
        &mut s,
        "Once",
        ScheduleProps::new(
            ScheduleExpression::at("2030-06-01T09:00:00"),
            ScheduleTarget::state_machine(&machine),
        ),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let (_, schedule) = resource(&t, "AWS::Scheduler::Schedule", "Weekdays");
    let (role_id, _) = resource(&t, "AWS::IAM::Role", "WeekdaysRole");
    let (machine_id, _) = resource(&t, "AWS::StepFunctions::StateMachine", "Flow");
    let (dlq_id, _) = resource(&t, "AWS::SQS::Queue", "Dead");
    assert_eq!(
        schedule["Properties"],
        json!({
            "Description": "every weekday at 8",
            "EndDate": "2030-12-31T23:59:59.000Z",
            "FlexibleTimeWindow": {"MaximumWindowInMinutes": 15, "Mode": "FLEXIBLE"},
            "GroupName": "reports",
            "Name": "weekday-report",
            "ScheduleExpression": "cron(0 8 ? * MON-FRI *)",
            "ScheduleExpressionTimezone": "Europe/Paris",
            "StartDate": "2030-01-01T00:00:00Z",
            "State": "DISABLED",
            "Target": {
                "Arn": {"Ref": machine_id},
                "DeadLetterConfig": {"Arn": arn(&dlq_id)},
                "Input": "{\"report\":\"daily\"}",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 600, "MaximumRetryAttempts": 0},
                "RoleArn": arn(&role_id)
            }
        })
    );
    assert_eq!(
        statements(&t, "WeekdaysRole"),
        vec![
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine_id}}),
            // sending to the dead-letter queue, nothing more, and its customer key
            json!({"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": arn(&dlq_id)}),
            json!({"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": key}),
        ]
    );
    // the dead-letter queue's own policy is untouched: the Scheduler sends with the role
    let (_, dlq_policy) = resource(&t, "AWS::SQS::QueuePolicy", "Dead");
    assert_eq!(
        dlq_policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let (_, once) = resource(&t, "AWS::Scheduler::Schedule", "Once");
    assert_eq!(
        once["Properties"]["ScheduleExpression"],
        "at(2030-06-01T09:00:00)"
    );
    assert_eq!(
        statements(&t, "OnceRole"),
        vec![
            json!({"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine_id}})
        ]
    );
}

#[test]
fn a_dead_letter_queue_key_by_alias_is_a_warning_and_no_kms_right() {
    let mut s = Stack::new("S");
    let machine = StateMachine::new(&mut s, "Flow", StateMachineProps::new(pass("P")));
    let dlq = Queue::new(
        &mut s,
        "Dead",
        QueueProps::new().encryption(QueueEncryption::Kms(Value::from("alias/mine"))),
    );
    Schedule::new(
        &mut s,
        "Nightly",
        ScheduleProps::new(
            ScheduleExpression::cron("0 2 * * ? *"),
            ScheduleTarget::state_machine(&machine).dead_letter_queue(&dlq),
        ),
    );
    let mut app = App::new(std::path::Path::new("."));
    app.add_stack(s);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e:?}"));
    let warnings: Vec<String> = assembly.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.contains("S/Nightly/Resource")
            && w.contains("the dead-letter queue's key is given by alias")),
        "{warnings:?}"
    );
    let t = Template::from_json(assembly.stacks[0].template.clone());
    let (dlq_id, _) = resource(&t, "AWS::SQS::Queue", "Dead");
    assert_eq!(
        statements(&t, "NightlyRole")[1..],
        [json!({"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": arn(&dlq_id)})]
    );
}

#[test]
fn time_zones_and_dates_are_checked() {
    for ok in [
        "UTC",
        "Europe/Paris",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT+5",
        "America/Port-au-Prince",
        "Japan",
    ] {
        assert!(check_timezone(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "utc",
        "Paris",
        "Europe/paris",
        "Europe//Paris",
        "Mars Base",
        &"A".repeat(51),
    ] {
        assert!(check_timezone(bad).is_err(), "{bad}");
    }
    for ok in [
        "2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00.123Z",
        "2030-01-01T00:00:00+02:00",
    ] {
        assert!(check_date_time(ok).is_ok(), "{ok}");
    }
    for bad in [
        "2030-01-01",
        "2030-01-01T00:00:00",
        "2030-01-01 00:00:00Z",
        "2030-02-30T25:00:00Z",
        "2030-01-01T00:00:00.Z",
        "2030-01-01T00:00:00+0200",
        "2030-01-01T00:00:00+é:0",
        "2030-01-01T00:00:0éZ",
    ] {
        assert!(check_date_time(bad).is_err(), "{bad}");
    }
}

#[test]
fn scheduler_limits_are_reported_with_the_path_and_the_property() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let function = Function::new(&mut s, "F", FunctionProps::new("one"));
    let fifo = Queue::new(&mut s, "Fifo", QueueProps::new().fifo());
    let target = || ScheduleTarget::function(&function);
    Schedule::new(
        &mut s,
        "Bad",
        ScheduleProps::new(
            ScheduleExpression::rate(0, RateUnit::Minutes),
            target()
                .max_retry_attempts(186)
                .max_event_age_seconds(86_401)
                .dead_letter_queue(&fifo),
        )
        .name("bad name")
        .group_name("g".repeat(65))
        .description("d".repeat(513))
        .timezone("Paris")
        .start_date("tomorrow")
        .flexible_time_window(FlexibleTimeWindow::Flexible(1441)),
    );
    Schedule::new(
        &mut s,
        "Cron",
        ScheduleProps::new(ScheduleExpression::cron("0 8 * * * *"), target())
            .start_date("2030-06-01T00:00:00Z")
            .end_date("2030-01-01T00:00:00Z"),
    );
    Schedule::new(
        &mut s,
        "At",
        ScheduleProps::new(ScheduleExpression::at("2030-06-01 09:00"), target())
            .flexible_time_window(FlexibleTimeWindow::Flexible(0)),
    );
    assert_contains_all(
        &problems_in(ws.path(), s),
        &[
            "S/Bad/Resource [Name]: a schedule name \"bad name\" may hold only letters, digits and '-' '_' '.', not ' '",
            "S/Bad/Resource [GroupName]: a schedule group name",
            "must be 1 to 64 characters long (it has 65)",
            "S/Bad/Resource [Description]: the description has 513 characters; the Scheduler takes at most 512",
            "S/Bad/Resource [ScheduleExpression]: rate(0 minutes): a rate is at least 1",
            "S/Bad/Resource [ScheduleExpressionTimezone]: \"Paris\" is not an IANA time zone name",
            "S/Bad/Resource [StartDate]: \"tomorrow\" is not an ISO 8601 date and time",
            "S/Bad/Resource [FlexibleTimeWindow.MaximumWindowInMinutes]: 1441 minutes is outside the Scheduler's 1 to 1440",
            "S/Bad/Resource [Target.DeadLetterConfig]: the Scheduler's dead-letter queue must be a standard queue, not FIFO",
            "S/Bad/Resource [Target.RetryPolicy.MaximumRetryAttempts]: 186 is outside the Scheduler's 0 to 185",
            "S/Bad/Resource [Target.RetryPolicy.MaximumEventAgeInSeconds]: 86401 is outside the Scheduler's 60 to 86400",
            "S/Cron/Resource [ScheduleExpression]: cron(0 8 * * * *): give either day-of-month or day-of-week, and ? in the other",
            "S/Cron/Resource [EndDate]: the end date 2030-01-01T00:00:00Z is not after the start date 2030-06-01T00:00:00Z",
            "S/At/Resource [ScheduleExpression]: at(2030-06-01 09:00): a one-time schedule is at(yyyy-mm-ddThh:mm:ss)",
            "S/At/Resource [FlexibleTimeWindow.MaximumWindowInMinutes]: 0 minutes is outside the Scheduler's 1 to 1440",
        ],
    );
}
