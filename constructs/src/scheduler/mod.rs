//! EventBridge Scheduler: a `Schedule` that invokes a function or starts a state machine at a
//! rate, on a cron expression or once, through a role of its own (the Scheduler assumes a role
//! for every target, guarded by `aws:SourceAccount`), with its retry policy and dead-letter
//! queue, and the Scheduler's limits checked at synth.

use serde_json::Value as Json;

use crate::core::error::{InvalidValue, Problem};
use crate::core::names;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::{Aws, ResourceRef};
use crate::core::value::Value;
use crate::events::delivery::{check_description, RetryPolicy};
use crate::events::expression::{
    at_expression, cron_expression, parse_date_time, rate_expression, ExpressionError,
};
use crate::iam::{
    grant, kms_key_resource, policy_document, PolicyStatement, Principal, Role, RoleProps,
};
use crate::l1::scheduler::{schedule, CfnSchedule};
use crate::lambda::Function;
use crate::sqs::{Queue, QueueEncryption};
use crate::stepfunctions::StateMachine;

pub use crate::events::expression::RateUnit;

/// The limits EventBridge Scheduler sets (its API reference); those it shares with EventBridge
/// are [`events::limits`](crate::events::limits)' own.
pub mod limits {
    pub use crate::events::limits::{EVENT_AGE_SECONDS, MAX_DESCRIPTION, RETRY_ATTEMPTS};

    /// A schedule's or a group's name: 1 to 64 characters.
    pub const MAX_NAME: usize = 64;
    /// A schedule expression: at most 256 characters.
    pub const MAX_EXPRESSION: usize = 256;
    /// A time zone name: 1 to 50 characters.
    pub const MAX_TIMEZONE: usize = 50;
    /// `FlexibleTimeWindow.MaximumWindowInMinutes`: 1 to 1,440.
    pub const FLEXIBLE_WINDOW_MINUTES: std::ops::RangeInclusive<u32> = 1..=1440;
}

/// When a schedule runs (`ScheduleExpression`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleExpression {
    /// `rate(value unit)`.
    Rate(u32, RateUnit),
    /// `cron(fields)`: minutes hours day-of-month month day-of-week year.
    Cron(String),
    /// `at(yyyy-mm-ddThh:mm:ss)`: once, in the schedule's time zone.
    At(String),
}

impl ScheduleExpression {
    /// Every `value` units (`rate(5 minutes)`).
    pub fn rate(value: u32, unit: RateUnit) -> Self {
        ScheduleExpression::Rate(value, unit)
    }
    /// At the times the six cron fields give (`"0 8 ? * MON-FRI *"`).
    pub fn cron(fields: impl Into<String>) -> Self {
        ScheduleExpression::Cron(fields.into())
    }
    /// Once, at `yyyy-mm-ddThh:mm:ss` in the schedule's time zone.
    pub fn at(timestamp: impl Into<String>) -> Self {
        ScheduleExpression::At(timestamp.into())
    }
    /// The expression, or why the Scheduler would refuse it.
    pub fn expression(&self) -> Result<String, ExpressionError> {
        let text = match self {
            ScheduleExpression::Rate(v, unit) => rate_expression(*v, *unit),
            ScheduleExpression::Cron(fields) => cron_expression(fields),
            ScheduleExpression::At(t) => at_expression(t),
        }?;
        if text.len() > limits::MAX_EXPRESSION {
            return Err(ExpressionError::TooLong {
                length: text.len(),
                max: limits::MAX_EXPRESSION,
            });
        }
        Ok(text)
    }
}

/// How far from its time a schedule may run (`FlexibleTimeWindow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlexibleTimeWindow {
    /// `OFF`: on time (the default).
    #[default]
    Off,
    /// `FLEXIBLE`: within this many minutes after its time (1 to 1,440).
    Flexible(u32),
}

#[derive(Debug, Clone)]
enum Kind {
    Function(Function),
    StateMachine(StateMachine),
}

/// What a schedule invokes: `ScheduleTarget::function(&f)` or `state_machine(&m)`, then
/// builder methods.
#[derive(Debug, Clone)]
pub struct ScheduleTarget {
    kind: Kind,
    input: Option<Json>,
    retry: RetryPolicy,
}

impl ScheduleTarget {
    fn of(kind: Kind) -> Self {
        ScheduleTarget {
            kind,
            input: None,
            retry: RetryPolicy::default(),
        }
    }
    /// Invokes the function (the schedule's role gets `lambda:InvokeFunction` on it).
    pub fn function(function: &Function) -> Self {
        Self::of(Kind::Function(function.clone()))
    }
    /// Starts an execution of the machine (the role gets `states:StartExecution` on it).
    pub fn state_machine(machine: &StateMachine) -> Self {
        Self::of(Kind::StateMachine(machine.clone()))
    }
    /// The JSON the target receives (`Input`); default: the Scheduler's own notification.
    pub fn input(mut self, json: Json) -> Self {
        self.input = Some(json);
        self
    }
    /// Where failed invocations go (`DeadLetterConfig`): a standard queue the role may send to.
    pub fn dead_letter_queue(mut self, queue: &Queue) -> Self {
        self.retry.dead_letter_queue = Some(queue.clone());
        self
    }
    /// How many times an invocation is retried (`RetryPolicy.MaximumRetryAttempts`, 0 to 185).
    pub fn max_retry_attempts(mut self, attempts: u32) -> Self {
        self.retry.max_retry_attempts = Some(attempts);
        self
    }
    /// How long an invocation is retried (`RetryPolicy.MaximumEventAgeInSeconds`, 60 to
    /// 86,400).
    pub fn max_event_age_seconds(mut self, seconds: u32) -> Self {
        self.retry.max_event_age_seconds = Some(seconds);
        self
    }
}

/// Settings of a [`Schedule`]: `ScheduleProps::new(expression, target)` then builder methods.
#[derive(Debug, Clone)]
pub struct ScheduleProps {
    /// `ScheduleExpression`.
    pub expression: ScheduleExpression,
    /// `Target`.
    pub target: ScheduleTarget,
    /// `Name`; default: one CloudFormation generates.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `GroupName`; default: the account's `default` group.
    pub group_name: Option<String>,
    /// `ScheduleExpressionTimezone` (IANA, `Europe/Paris`); default: UTC.
    pub timezone: Option<String>,
    /// `StartDate`: ISO 8601 (`2030-01-01T00:00:00Z`).
    pub start_date: Option<String>,
    /// `EndDate`: ISO 8601.
    pub end_date: Option<String>,
    /// `FlexibleTimeWindow`; default: off.
    pub flexible_time_window: FlexibleTimeWindow,
    /// `State`: ENABLED (the default) or DISABLED.
    pub enabled: bool,
}

impl ScheduleProps {
    /// An enabled schedule of the default group, on time, in UTC.
    pub fn new(expression: ScheduleExpression, target: ScheduleTarget) -> Self {
        ScheduleProps {
            expression,
            target,
            name: None,
            description: None,
            group_name: None,
            timezone: None,
            start_date: None,
            end_date: None,
            flexible_time_window: FlexibleTimeWindow::Off,
            enabled: true,
        }
    }
    /// The schedule's name: 1 to 64 letters, digits, '-', '_' and '.'.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The schedule's description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// The schedule group (an existing one; `default` unless given).
    pub fn group_name(mut self, name: impl Into<String>) -> Self {
        self.group_name = Some(name.into());
        self
    }
    /// The IANA time zone cron and at expressions are read in (`America/New_York`).
    pub fn timezone(mut self, zone: impl Into<String>) -> Self {
        self.timezone = Some(zone.into());
        self
    }
    /// No invocation before this ISO 8601 date and time.
    pub fn start_date(mut self, date: impl Into<String>) -> Self {
        self.start_date = Some(date.into());
        self
    }
    /// No invocation after this ISO 8601 date and time.
    pub fn end_date(mut self, date: impl Into<String>) -> Self {
        self.end_date = Some(date.into());
        self
    }
    /// How far from its time the schedule may run.
    pub fn flexible_time_window(mut self, window: FlexibleTimeWindow) -> Self {
        self.flexible_time_window = window;
        self
    }
    /// Creates the schedule disabled (`State: DISABLED`).
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }
}

/// The IANA time zone names that are not `Area/Location` (the tz database's single-word
/// zones and links).
const SINGLE_WORD_ZONES: &[&str] = &[
    "CET",
    "CST6CDT",
    "Cuba",
    "EET",
    "EST",
    "EST5EDT",
    "Egypt",
    "Eire",
    "GB",
    "GB-Eire",
    "GMT",
    "GMT+0",
    "GMT-0",
    "GMT0",
    "Greenwich",
    "HST",
    "Hongkong",
    "Iceland",
    "Iran",
    "Israel",
    "Jamaica",
    "Japan",
    "Kwajalein",
    "Libya",
    "MET",
    "MST",
    "MST7MDT",
    "NZ",
    "NZ-CHAT",
    "Navajo",
    "PRC",
    "PST8PDT",
    "Poland",
    "Portugal",
    "ROC",
    "ROK",
    "Singapore",
    "Turkey",
    "UCT",
    "UTC",
    "Universal",
    "W-SU",
    "WET",
    "Zulu",
];

/// Checks that `zone` looks like an IANA time zone name: `Area/Location` (`Europe/Paris`,
/// `America/Argentina/Buenos_Aires`, `Etc/GMT+5`), or one of the few single-word zones
/// (`UTC`, `GMT`, `Japan`, ...).
pub fn check_timezone(zone: &str) -> Result<(), InvalidValue> {
    let n = zone.chars().count();
    let segments_ok = zone.split('/').all(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
    });
    let shape_ok = zone.contains('/') || SINGLE_WORD_ZONES.contains(&zone);
    if n == 0 || n > limits::MAX_TIMEZONE || !segments_ok || !shape_ok {
        return Err(InvalidValue::new(
            "time zone",
            zone,
            format!(
                "\"{zone}\" is not an IANA time zone name (UTC, Europe/Paris, America/New_York), at most {} characters",
                limits::MAX_TIMEZONE
            ),
        ));
    }
    Ok(())
}

/// Checks an ISO 8601 date and time: `yyyy-mm-ddThh:mm:ss`, optional fraction, then `Z` or
/// an offset (`+02:00`).
pub fn check_date_time(text: &str) -> Result<(), InvalidValue> {
    let bad = || {
        InvalidValue::new(
            "date and time",
            text,
            format!("\"{text}\" is not an ISO 8601 date and time (2030-01-01T00:00:00Z)"),
        )
    };
    parse_date_time(text).ok_or_else(bad)?;
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &fraction[digits..];
    }
    let offset_ok = |o: &str| {
        let b = o.as_bytes();
        o.is_ascii()
            && o.len() == 6
            && (b[0] == b'+' || b[0] == b'-')
            && b[3] == b':'
            && o[1..3]
                .chars()
                .chain(o[4..].chars())
                .all(|c| c.is_ascii_digit())
    };
    if rest == "Z" || offset_ok(rest) {
        Ok(())
    } else {
        Err(bad())
    }
}

/// An EventBridge Scheduler schedule.
///
/// # Examples
///
/// ```
/// use constructs::scheduler::{FlexibleTimeWindow, Schedule, ScheduleExpression};
/// use constructs::scheduler::{ScheduleProps, ScheduleTarget};
/// # use constructs::stepfunctions::asl::pass;
/// # use constructs::stepfunctions::{StateMachine, StateMachineProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Reports");
/// let report = StateMachine::new(&mut stack, "Report", StateMachineProps::new(pass("Build")));
/// let target = ScheduleTarget::state_machine(&report).input(json!({"period": "day"}));
/// let props = ScheduleProps::new(ScheduleExpression::cron("0 8 ? * MON-FRI *"), target)
///     .timezone("Europe/Paris")
///     .flexible_time_window(FlexibleTimeWindow::Flexible(15));
/// Schedule::new(&mut stack, "Weekdays", props);
///
/// Template::from_stack(&stack).has_resource_properties("AWS::Scheduler::Schedule", json!({
///     "ScheduleExpression": "cron(0 8 ? * MON-FRI *)",
///     "ScheduleExpressionTimezone": "Europe/Paris",
///     "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
///     "Target": {"Input": r#"{"period":"day"}"#},
/// }));
/// ```
#[derive(Debug, Clone)]
pub struct Schedule {
    resource: ResourceRef,
    role: Role,
}

impl Schedule {
    /// Creates the schedule (`AWS::Scheduler::Schedule`) and the role the Scheduler assumes to
    /// invoke its target (and send to its dead-letter queue); the schedule waits for the role's
    /// policy. What the Scheduler would refuse is reported at synth.
    pub fn new(stack: &mut Stack, id: &str, props: ScheduleProps) -> Schedule {
        let path = stack.path_of(&format!("{id}/Resource"));
        let problem = |stack: &mut Stack, property: &str, message: String| {
            stack.add_problem(Problem::new(&path, message).property(property));
        };
        let named = |stack: &mut Stack, kind: &str, name: &Option<String>, property: &str| {
            if let Some(n) = name {
                if let Err(e) = names::check_name(kind, n, 1, limits::MAX_NAME, "-_.") {
                    problem(stack, property, e.to_string());
                }
            }
        };
        named(stack, "a schedule name", &props.name, "Name");
        named(
            stack,
            "a schedule group name",
            &props.group_name,
            "GroupName",
        );
        check_description(stack, &path, props.description.as_deref(), "the Scheduler");
        let expression = props.expression.expression().unwrap_or_else(|e| {
            problem(stack, "ScheduleExpression", e.to_string());
            String::new()
        });
        if let Some(zone) = &props.timezone {
            if let Err(e) = check_timezone(zone) {
                problem(stack, "ScheduleExpressionTimezone", e.to_string());
            }
        }
        for (date, property) in [
            (&props.start_date, "StartDate"),
            (&props.end_date, "EndDate"),
        ] {
            if let Some(Err(e)) = date.as_deref().map(check_date_time) {
                problem(stack, property, e.to_string());
            }
        }
        if let (Some(start), Some(end)) = (&props.start_date, &props.end_date) {
            let utc = |d: &str| d.ends_with('Z') && check_date_time(d).is_ok();
            if utc(start) && utc(end) && start[..19] >= end[..19] {
                problem(
                    stack,
                    "EndDate",
                    format!("the end date {end} is not after the start date {start}"),
                );
            }
        }
        let window = match props.flexible_time_window {
            FlexibleTimeWindow::Off => Value::object().with("Mode", "OFF"),
            FlexibleTimeWindow::Flexible(minutes) => {
                if !limits::FLEXIBLE_WINDOW_MINUTES.contains(&minutes) {
                    problem(
                        stack,
                        "FlexibleTimeWindow.MaximumWindowInMinutes",
                        format!("{minutes} minutes is outside the Scheduler's 1 to 1440"),
                    );
                }
                Value::object()
                    .with("MaximumWindowInMinutes", minutes)
                    .with("Mode", "FLEXIBLE")
            }
        };

        let role = Role::new(
            stack,
            &format!("{id}/Role"),
            RoleProps::new(Principal::service("scheduler.amazonaws.com")),
        );
        // the confused-deputy guard AWS recommends: only schedules of this account
        let trust = PolicyStatement::allow()
            .action("sts:AssumeRole")
            .principal(Principal::service("scheduler.amazonaws.com"))
            .condition("StringEquals", "aws:SourceAccount", Aws::account_id());
        stack.add_property_override(
            role.resource(),
            "AssumeRolePolicyDocument",
            policy_document(&[trust]),
        );

        let t = &props.target;
        let arn = match &t.kind {
            Kind::Function(f) => {
                role.add_to_policy(
                    stack,
                    PolicyStatement::allow()
                        .action("lambda:InvokeFunction")
                        .resource(f.arn()),
                );
                f.arn()
            }
            Kind::StateMachine(m) => {
                role.add_to_policy(
                    stack,
                    PolicyStatement::allow()
                        .action("states:StartExecution")
                        .resource(m.arn()),
                );
                m.arn()
            }
        };
        let mut target = Value::object().with("Arn", arn).with("RoleArn", role.arn());
        t.retry.check(stack, &path, "Target", "the Scheduler");
        if let Some(q) = &t.retry.dead_letter_queue {
            // sending only (the Scheduler reads nothing of the queue), and the queue's
            // customer key
            grant(stack, &role, &["sqs:SendMessage"], vec![q.arn()]);
            q.grant_key(stack, &role, &["kms:Decrypt", "kms:GenerateDataKey"]);
            if let QueueEncryption::Kms(key) = q.encryption() {
                if kms_key_resource(key).is_none() {
                    stack.add_warning(
                        &path,
                        "the dead-letter queue's key is given by alias: give the schedule's role kms:Decrypt and kms:GenerateDataKey on the key it names",
                    );
                }
            }
        }
        if let Some(config) = t.retry.dead_letter_config() {
            target = target.with("DeadLetterConfig", config);
        }
        if let Some(json) = &t.input {
            target = target.with("Input", json.to_string());
        }
        if let Some(policy) = t.retry.retry_policy() {
            target = target.with("RetryPolicy", policy);
        }

        let schedule = CfnSchedule::new(
            schedule::FlexibleTimeWindow::from(window),
            expression,
            schedule::Target::from(target),
        )
        .description(props.description)
        .end_date(props.end_date)
        .group_name(props.group_name)
        .name(props.name)
        .schedule_expression_timezone(props.timezone)
        .start_date(props.start_date)
        .state(if props.enabled {
            schedule::ScheduleState::Enabled
        } else {
            schedule::ScheduleState::Disabled
        });
        let mut resource = CfnResource::from_props(&schedule);
        if let Some(policy) = role.default_policy(stack) {
            resource.add_depends_on(&policy);
        }
        let resource = stack.add_resource(&format!("{id}/Resource"), resource);
        Schedule { resource, role }
    }

    /// The `AWS::Scheduler::Schedule` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The schedule's ARN (`Fn::GetAtt` `Arn`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The schedule's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The role the Scheduler assumes to invoke the target.
    pub fn role(&self) -> &Role {
        &self.role
    }
}
