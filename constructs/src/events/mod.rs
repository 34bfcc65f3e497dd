//! EventBridge: custom event buses (and the account's default bus), rules matching a typed
//! event pattern or running on a schedule, and their targets — a function, a state machine, a
//! queue, a topic or another bus — each with what lets EventBridge deliver to it (a Lambda
//! permission, a role, a queue or topic policy statement), with EventBridge's limits checked at
//! synth.

pub(crate) mod delivery;
pub mod expression;
mod pattern;
mod targets;

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::{CfnResource, NameScope, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement, Role};
use crate::l1::events::{rule::State, CfnEventBus, CfnRule};

pub use expression::RateUnit;
pub use pattern::{Cmp, EventPattern, Matcher};
pub use targets::{InputTransformer, Target, TargetInput};

/// An event bus's name is unique in its account and region.
const BUS_NAME: UniqueName = UniqueName {
    property: "Name",
    kind: "event bus",
    scope: NameScope::AccountAndRegion,
};

/// The limits EventBridge sets (its API reference and quotas page); the Scheduler sets the same
/// for a description and a retry policy ([`scheduler::limits`](crate::scheduler::limits)).
pub mod limits {
    /// An event bus name: 1 to 256 characters.
    pub const MAX_BUS_NAME: usize = 256;
    /// A rule name: 1 to 64 characters.
    pub const MAX_RULE_NAME: usize = 64;
    /// A rule's, a bus's or a schedule's description: at most 512 characters.
    pub const MAX_DESCRIPTION: usize = 512;
    /// The event pattern size quota: 2,048 characters by default (adjustable).
    pub const DEFAULT_PATTERN_SIZE: usize = 2048;
    /// The largest event pattern `PutRule` accepts even with a raised quota: 4,096 characters.
    pub const MAX_PATTERN_SIZE: usize = 4096;
    /// A schedule expression: at most 256 characters.
    pub const MAX_SCHEDULE_EXPRESSION: usize = 256;
    /// Targets of one rule: at most 5.
    pub const MAX_TARGETS: usize = 5;
    /// A target id: 1 to 64 characters.
    pub const MAX_TARGET_ID: usize = 64;
    /// A target's constant `Input` (and an input template): at most 8,192 characters.
    pub const MAX_INPUT: usize = 8192;
    /// A target's `InputPath` (and each path of an input transformer): at most 256 characters.
    pub const MAX_INPUT_PATH: usize = 256;
    /// An input transformer's `InputPathsMap`: at most 100 paths.
    pub const MAX_INPUT_PATHS: usize = 100;
    /// A rule's or a schedule's target, `RetryPolicy.MaximumRetryAttempts`: 0 to 185.
    pub const RETRY_ATTEMPTS: std::ops::RangeInclusive<u32> = 0..=185;
    /// A rule's or a schedule's target, `RetryPolicy.MaximumEventAgeInSeconds`: 60 to 86,400
    /// (24 hours).
    pub const EVENT_AGE_SECONDS: std::ops::RangeInclusive<u32> = 60..=86_400;
    /// `SqsParameters.MessageGroupId`: at most 100 characters.
    pub const MAX_MESSAGE_GROUP_ID: usize = 100;
}

/// Settings of an [`EventBus`]; `EventBusProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventBusProps {
    /// `Name`; default: one made of the stack's name, the construct id and a hash.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
}

impl EventBusProps {
    /// A bus with a generated name.
    pub fn new() -> Self {
        Self::default()
    }
    /// The bus's name: 1 to 256 letters, digits, '.', '-' and '_', not `default`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The bus's description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

/// An event bus: one of the stack's, the account's default bus, or another existing one.
///
/// # Examples
///
/// ```
/// use constructs::events::{EventBus, EventBusProps};
/// # use constructs::iam::{Principal, Role, RoleProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Orders");
/// let bus = EventBus::new(&mut stack, "Orders", EventBusProps::new().name("orders"));
/// let lambda = Principal::service("lambda.amazonaws.com");
/// let publisher = Role::new(&mut stack, "Publisher", RoleProps::new(lambda));
/// bus.grant_put_events(&mut stack, &publisher);
/// assert!(!bus.is_default());
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::Events::EventBus", json!({"Name": "orders"}));
/// let bus_id = template.logical_id_of_type("AWS::Events::EventBus");
/// template.has_resource_properties("AWS::IAM::Policy", json!({"PolicyDocument": {"Statement": [{
///     "Action": "events:PutEvents",
///     "Effect": "Allow",
///     "Resource": {"Fn::GetAtt": [bus_id, "Arn"]},
/// }]}}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EventBus {
    resource: Option<ResourceRef>,
    name: Value,
    arn: Value,
    default: bool,
}

fn bus_arn(name: &str) -> Value {
    fns::sub(format!(
        "arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:event-bus/{name}"
    ))
}

impl EventBus {
    /// Creates a custom event bus (`AWS::Events::EventBus`).
    pub fn new(stack: &mut Stack, id: &str, props: EventBusProps) -> EventBus {
        let path = stack.path_of(&format!("{id}/Resource"));
        let name = props.name.clone().unwrap_or_else(|| {
            names::generated_name(stack.name(), id, limits::MAX_BUS_NAME, |c| {
                c.is_ascii_alphanumeric() || c == '-' || c == '_'
            })
        });
        if let Err(e) =
            names::check_name("an event bus name", &name, 1, limits::MAX_BUS_NAME, "._-")
        {
            // the API's pattern allows '/', but only for partner event buses
            stack.add_problem(Problem::new(&path, e.to_string()).property("Name"));
        } else if name == "default" {
            stack.add_problem(
                Problem::new(
                    &path,
                    "\"default\" is the account's default bus, which exists already: use EventBus::default_bus()",
                )
                .property("Name"),
            );
        }
        delivery::check_description(stack, &path, props.description.as_deref(), "EventBridge");
        let bus = CfnEventBus::new(name).description(props.description);
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&bus).with_unique_name(BUS_NAME),
        );
        EventBus {
            name: resource.reference(),
            arn: resource.get_att("Arn"),
            resource: Some(resource),
            default: false,
        }
    }

    /// The account's default event bus (where AWS services send their events), without
    /// creating anything.
    pub fn default_bus() -> EventBus {
        EventBus {
            resource: None,
            name: Value::from("default"),
            arn: bus_arn("default"),
            default: true,
        }
    }

    /// An existing bus of this account and region, by name (`default` is the default bus).
    pub fn from_name(name: &str) -> EventBus {
        if name == "default" {
            return Self::default_bus();
        }
        EventBus {
            resource: None,
            name: Value::from(name),
            arn: bus_arn(name),
            default: false,
        }
    }

    /// The `AWS::Events::EventBus` resource, for a bus of the stack.
    pub fn resource(&self) -> Option<&ResourceRef> {
        self.resource.as_ref()
    }

    /// The bus's name (`Ref` for a bus of the stack).
    pub fn name(&self) -> Value {
        self.name.clone()
    }

    /// The bus's ARN (`Fn::GetAtt` `Arn` for a bus of the stack).
    pub fn arn(&self) -> Value {
        self.arn.clone()
    }

    /// True for the account's default bus.
    pub fn is_default(&self) -> bool {
        self.default
    }

    /// `events:PutEvents` on the bus.
    pub fn grant_put_events(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        grant(stack, grantee, &["events:PutEvents"], vec![self.arn()])
    }
}

/// When a scheduled rule runs (`ScheduleExpression`); scheduled rules live on the default bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSchedule {
    /// `rate(value unit)`: every `value` minutes, hours or days.
    Rate(u32, RateUnit),
    /// `cron(fields)`: six fields, minutes hours day-of-month month day-of-week year, in UTC.
    Cron(String),
}

impl RuleSchedule {
    /// Every `value` units (`rate(5 minutes)`).
    pub fn rate(value: u32, unit: RateUnit) -> Self {
        RuleSchedule::Rate(value, unit)
    }
    /// At the times the six cron fields give (`"0 12 * * ? *"`: every day at noon UTC).
    pub fn cron(fields: impl Into<String>) -> Self {
        RuleSchedule::Cron(fields.into())
    }
    /// The expression, or why EventBridge would refuse it.
    pub fn expression(&self) -> Result<String, expression::ExpressionError> {
        match self {
            RuleSchedule::Rate(v, unit) => expression::rate_expression(*v, *unit),
            RuleSchedule::Cron(fields) => expression::cron_expression(fields),
        }
    }
}

/// Settings of a [`Rule`]; `RuleProps::new()` then builder methods. A rule needs an event
/// pattern or a schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleProps {
    /// `Name`; default: one CloudFormation generates.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// The bus whose events the rule matches (`EventBusName`); default: the default bus.
    pub event_bus: EventBus,
    /// `EventPattern`: which events the rule matches.
    pub event_pattern: Option<EventPattern>,
    /// `ScheduleExpression`: when the rule runs (default bus only).
    pub schedule: Option<RuleSchedule>,
    /// `State`: ENABLED (the default) or DISABLED.
    pub enabled: bool,
}

impl Default for RuleProps {
    fn default() -> Self {
        RuleProps {
            name: None,
            description: None,
            event_bus: EventBus::default_bus(),
            event_pattern: None,
            schedule: None,
            enabled: true,
        }
    }
}

impl RuleProps {
    /// An enabled rule on the default bus, with no pattern or schedule yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// The rule's name: 1 to 64 letters, digits, '.', '-' and '_'.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The rule's description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// The bus whose events the rule matches.
    pub fn event_bus(mut self, bus: &EventBus) -> Self {
        self.event_bus = bus.clone();
        self
    }
    /// Which events the rule matches.
    pub fn event_pattern(mut self, pattern: EventPattern) -> Self {
        self.event_pattern = Some(pattern);
        self
    }
    /// When the rule runs (a scheduled rule is on the default bus).
    pub fn schedule(mut self, schedule: RuleSchedule) -> Self {
        self.schedule = Some(schedule);
        self
    }
    /// Creates the rule disabled (`State: DISABLED`).
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }
}

/// An EventBridge rule; add targets with [`Rule::add_target`].
///
/// # Examples
///
/// ```
/// use constructs::events::{EventPattern, Rule, RuleProps, Target};
/// # use constructs::sqs::{Queue, QueueProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Uploads");
/// let uploads = Queue::new(&mut stack, "Uploads", QueueProps::new());
/// let pattern = EventPattern::new().source(["aws.s3"]).detail_type(["Object Created"]);
/// let rule = Rule::new(&mut stack, "OnUpload", RuleProps::new().event_pattern(pattern));
/// rule.add_target(&mut stack, Target::queue(&uploads).max_retry_attempts(3));
///
/// let template = Template::from_stack(&stack);
/// let uploads_id = template.logical_id_of_type("AWS::SQS::Queue");
/// template.has_resource_properties("AWS::Events::Rule", json!({
///     "State": "ENABLED",
///     "EventPattern": {"source": ["aws.s3"], "detail-type": ["Object Created"]},
///     "Targets": [{"Arn": {"Fn::GetAtt": [uploads_id, "Arn"]},
///         "RetryPolicy": {"MaximumRetryAttempts": 3}}],
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    id: String,
    resource: ResourceRef,
    bus: EventBus,
}

impl Rule {
    /// Creates the rule (`AWS::Events::Rule`), with no target yet; what EventBridge would
    /// refuse is reported at synth with the construct path and property.
    pub fn new(stack: &mut Stack, id: &str, props: RuleProps) -> Rule {
        let path = stack.path_of(&format!("{id}/Resource"));
        let problem = |stack: &mut Stack, property: &str, message: String| {
            stack.add_problem(Problem::new(&path, message).property(property));
        };
        if let Some(name) = &props.name {
            if let Err(e) = names::check_name("a rule name", name, 1, limits::MAX_RULE_NAME, "._-")
            {
                problem(stack, "Name", e.to_string());
            }
        }
        delivery::check_description(stack, &path, props.description.as_deref(), "EventBridge");
        let pattern = props.event_pattern.as_ref().map(|p| {
            for e in p.problems() {
                problem(stack, "EventPattern", e);
            }
            let json = p.to_json();
            let size = json.to_string().chars().count();
            if size > limits::MAX_PATTERN_SIZE {
                problem(
                    stack,
                    "EventPattern",
                    format!(
                        "the event pattern has {size} characters; EventBridge takes at most {} (2,048 unless the quota is raised)",
                        limits::MAX_PATTERN_SIZE
                    ),
                );
            } else if size > limits::DEFAULT_PATTERN_SIZE {
                stack.add_warning(
                    &path,
                    format!(
                        "the event pattern has {size} characters, over EventBridge's default quota of {}: raise the \"Event pattern size\" quota before deploying",
                        limits::DEFAULT_PATTERN_SIZE
                    ),
                );
            }
            Value::from(json)
        });
        let schedule = props.schedule.as_ref().and_then(|s| match s.expression() {
            Ok(text) => Some(text),
            Err(e) => {
                problem(stack, "ScheduleExpression", e.to_string());
                None
            }
        });
        if props.schedule.is_some() && !props.event_bus.is_default() {
            problem(
                stack,
                "ScheduleExpression",
                "a scheduled rule runs on the default event bus only; use the default bus, or EventBridge Scheduler (scheduler::Schedule)".into(),
            );
        }
        if props.event_pattern.is_none() && props.schedule.is_none() {
            problem(
                stack,
                "EventPattern",
                "a rule needs an event pattern or a schedule: add .event_pattern(...) or .schedule(...)".into(),
            );
        }
        let mut rule = CfnRule::new()
            .description(props.description)
            .event_pattern(pattern)
            .name(props.name)
            .schedule_expression(schedule)
            .state(if props.enabled {
                State::Enabled
            } else {
                State::Disabled
            });
        if !props.event_bus.is_default() {
            rule = rule.event_bus_name(props.event_bus.name());
        }
        let resource = stack.add(&format!("{id}/Resource"), &rule);
        Rule {
            id: id.to_string(),
            resource,
            bus: props.event_bus,
        }
    }

    /// The `AWS::Events::Rule` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The rule's ARN (`Fn::GetAtt` `Arn`): what a target's policy names as `aws:SourceArn`.
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The bus the rule is on.
    pub fn event_bus(&self) -> &EventBus {
        &self.bus
    }

    /// The role EventBridge assumes for the targets that need one (a state machine, a bus),
    /// once such a target was added (through this handle or any other); `stack` is the
    /// rule's own.
    pub fn role(&self, stack: &Stack) -> Option<Role> {
        Role::existing(stack, &format!("{}/EventsRole", self.id))
    }

    /// The ids of the targets added so far (through this handle or any other), as the rule's
    /// resource holds them; `stack` is the rule's own.
    pub fn target_ids(&self, stack: &Stack) -> Vec<String> {
        match stack
            .resource(&self.resource)
            .and_then(|r| r.properties.get_path("Targets"))
        {
            Some(Value::Array(targets)) => targets
                .iter()
                .filter_map(|t| t.get_path("Id").and_then(Value::as_str))
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }
}
