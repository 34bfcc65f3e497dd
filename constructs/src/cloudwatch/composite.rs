//! Composite alarms: `AWS::CloudWatch::CompositeAlarm`, whose state is a rule over the states
//! of other alarms, written as a typed [`AlarmRule`] and rendered to CloudWatch's rule
//! expression with the alarms' ARNs substituted by CloudFormation (which so creates them
//! first).

use indexmap::IndexMap;

use crate::core::error::Problem;
use crate::core::names::generated_name;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
pub use crate::l1::cloudwatch::CfnCompositeAlarm;
use crate::sns::Topic;

use super::alarm::{
    action_setters, actions_problems, check_alarm_name, description_problem, notify_topics, Alarm,
    AlarmState, ALARM_NAME,
};

/// The limits CloudWatch sets on composite alarms (`PutCompositeAlarm`).
pub mod composite_limits {
    /// The longest rule expression, in characters.
    pub const MAX_RULE_LENGTH: usize = 10_240;
    /// The most alarms one rule refers to.
    pub const MAX_UNDERLYING_ALARMS: usize = 100;
}

/// An alarm a rule refers to: a metric alarm or a composite alarm (`From` either).
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmRef {
    resource: ResourceRef,
    name: Option<String>,
}

impl AlarmRef {
    /// The alarm's ARN (`Fn::GetAtt Arn`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The alarm's resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The fewest characters its ARN can have: `arn:aws:cloudwatch:` and the shortest region,
    /// an account, `:alarm:` and its name (1 when CloudFormation makes one up).
    fn min_arn_len(&self) -> usize {
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:".len()
            + self.name.as_ref().map_or(1, |n| n.chars().count())
    }
}

impl From<&Alarm> for AlarmRef {
    fn from(alarm: &Alarm) -> Self {
        AlarmRef {
            resource: alarm.resource().clone(),
            name: alarm.alarm_name().map(str::to_string),
        }
    }
}

impl From<&CompositeAlarm> for AlarmRef {
    fn from(alarm: &CompositeAlarm) -> Self {
        AlarmRef {
            resource: alarm.resource.clone(),
            name: Some(alarm.name.clone()),
        }
    }
}

/// How many alarms an `AT_LEAST` rule needs in the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtLeast {
    /// At least this many, 1 to the number of alarms listed.
    Count(u32),
    /// At least this percentage of them, 1 to 100.
    Percent(u32),
}

/// A composite alarm's rule: which states of which alarms put it in ALARM.
#[derive(Debug, Clone, PartialEq)]
pub enum AlarmRule {
    /// `ALARM("arn")`, `OK("arn")` or `INSUFFICIENT_DATA("arn")`: the alarm is in the state.
    State(AlarmRef, AlarmState),
    /// Every rule holds (`AND`).
    AllOf(Vec<AlarmRule>),
    /// At least one rule holds (`OR`).
    AnyOf(Vec<AlarmRule>),
    /// The rule does not hold (`NOT`).
    Not(Box<AlarmRule>),
    /// `AT_LEAST(n, [NOT ]STATE, (arn, ...))`: enough of the alarms are (or are not) in the
    /// state.
    AtLeast {
        /// How many of them.
        threshold: AtLeast,
        /// The state counted.
        state: AlarmState,
        /// Count the alarms *not* in the state.
        negated: bool,
        /// The alarms, at least one.
        alarms: Vec<AlarmRef>,
    },
    /// `TRUE` or `FALSE`, to test a rule's actions.
    Constant(bool),
}

impl AlarmRule {
    /// The alarm is in `state`.
    pub fn alarm(alarm: impl Into<AlarmRef>, state: AlarmState) -> Self {
        AlarmRule::State(alarm.into(), state)
    }
    /// Every one of `rules` holds.
    pub fn all_of(rules: impl IntoIterator<Item = AlarmRule>) -> Self {
        AlarmRule::AllOf(rules.into_iter().collect())
    }
    /// At least one of `rules` holds.
    pub fn any_of(rules: impl IntoIterator<Item = AlarmRule>) -> Self {
        AlarmRule::AnyOf(rules.into_iter().collect())
    }
    /// `rule` does not hold.
    #[allow(clippy::should_implement_trait)]
    pub fn not(rule: AlarmRule) -> Self {
        AlarmRule::Not(Box::new(rule))
    }
    /// At least `threshold` of `alarms` are in `state`.
    pub fn at_least<A: Into<AlarmRef>>(
        threshold: AtLeast,
        state: AlarmState,
        alarms: impl IntoIterator<Item = A>,
    ) -> Self {
        AlarmRule::AtLeast {
            threshold,
            state,
            negated: false,
            alarms: alarms.into_iter().map(Into::into).collect(),
        }
    }
    /// At least `threshold` of `alarms` are not in `state`.
    pub fn at_least_not<A: Into<AlarmRef>>(
        threshold: AtLeast,
        state: AlarmState,
        alarms: impl IntoIterator<Item = A>,
    ) -> Self {
        AlarmRule::AtLeast {
            threshold,
            state,
            negated: true,
            alarms: alarms.into_iter().map(Into::into).collect(),
        }
    }
    /// Always `TRUE` or always `FALSE`.
    pub fn constant(value: bool) -> Self {
        AlarmRule::Constant(value)
    }

    /// The rule as a `Fn::Sub` over the alarms' ARNs, with what CloudWatch would refuse.
    fn render(&self) -> Rendered {
        let mut r = Rendered::default();
        let text = self.write(&mut r);
        r.text = text;
        r
    }

    fn write(&self, r: &mut Rendered) -> String {
        match self {
            AlarmRule::State(alarm, state) => {
                format!("{}(\"{}\")", state.as_str(), r.placeholder(alarm))
            }
            AlarmRule::AllOf(rules) | AlarmRule::AnyOf(rules) => {
                let (op, name) = match self {
                    AlarmRule::AllOf(_) => (" AND ", "all_of"),
                    _ => (" OR ", "any_of"),
                };
                match rules.as_slice() {
                    [] => {
                        r.problems.push(format!("{name}() of no rule"));
                        "FALSE".into()
                    }
                    [only] => only.write(r),
                    _ => {
                        let parts: Vec<String> = rules.iter().map(|x| x.write(r)).collect();
                        format!("({})", parts.join(op))
                    }
                }
            }
            AlarmRule::Not(rule) => format!("NOT ({})", rule.write(r)),
            AlarmRule::AtLeast {
                threshold,
                state,
                negated,
                alarms,
            } => {
                let n = alarms.len();
                let threshold = match *threshold {
                    AtLeast::Count(c) => {
                        if c == 0 || c as usize > n {
                            r.problems.push(format!(
                                "AT_LEAST {c} of {n} alarms: the count must be 1 to the number of alarms"
                            ));
                        }
                        c.to_string()
                    }
                    AtLeast::Percent(p) => {
                        if !(1..=100).contains(&p) {
                            r.problems
                                .push(format!("AT_LEAST {p}%: the percentage must be 1 to 100"));
                        }
                        format!("{p}%")
                    }
                };
                if alarms.is_empty() {
                    r.problems.push("AT_LEAST of no alarm".into());
                }
                let list: Vec<String> = alarms.iter().map(|a| r.placeholder(a)).collect();
                format!(
                    "AT_LEAST({threshold}, {}{}, ({}))",
                    if *negated { "NOT " } else { "" },
                    state.as_str(),
                    list.join(", ")
                )
            }
            AlarmRule::Constant(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        }
    }
}

/// A rule being rendered: its text with `${AlarmN}` placeholders, their values, and the
/// fewest characters the resolved text can have.
#[derive(Default)]
struct Rendered {
    text: String,
    variables: IndexMap<String, Value>,
    alarms: Vec<AlarmRef>,
    /// Characters the placeholders will gain (or lose) at least, when resolved.
    resolved_delta: isize,
    problems: Vec<String>,
}

impl Rendered {
    fn placeholder(&mut self, alarm: &AlarmRef) -> String {
        let index = match self
            .alarms
            .iter()
            .position(|a| a.resource == alarm.resource)
        {
            Some(i) => i,
            None => {
                self.alarms.push(alarm.clone());
                self.variables
                    .insert(format!("Alarm{}", self.alarms.len() - 1), alarm.arn());
                self.alarms.len() - 1
            }
        };
        let placeholder = format!("${{Alarm{index}}}");
        self.resolved_delta += alarm.min_arn_len() as isize - placeholder.len() as isize;
        placeholder
    }

    fn min_len(&self) -> usize {
        (self.text.chars().count() as isize + self.resolved_delta).max(0) as usize
    }

    fn value(&self) -> Value {
        if self.variables.is_empty() {
            Value::from(self.text.as_str())
        } else {
            fns::sub_with(self.text.clone(), self.variables.clone())
        }
    }
}

/// Settings of a [`CompositeAlarm`]: `CompositeAlarmProps::new(rule)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeAlarmProps {
    /// `AlarmRule`: when the composite alarm is in ALARM.
    pub rule: AlarmRule,
    /// `AlarmName`; default: `<stack>-<id>-<hash>`, the same at every synth.
    pub alarm_name: Option<String>,
    /// `AlarmDescription`, up to 1024 characters.
    pub description: Option<String>,
    /// `ActionsEnabled`; default: CloudWatch's (true).
    pub actions_enabled: Option<bool>,
    /// `AlarmActions`: ARNs notified on entering ALARM, at most 5.
    pub alarm_actions: Vec<Value>,
    /// `OKActions`, at most 5.
    pub ok_actions: Vec<Value>,
    /// `InsufficientDataActions`, at most 5.
    pub insufficient_data_actions: Vec<Value>,
    /// The topics among the actions, by state.
    pub topics: Vec<(AlarmState, Topic)>,
    /// `ActionsSuppressor` and its wait and extension periods in seconds.
    pub suppressor: Option<(AlarmRef, u32, u32)>,
}

impl CompositeAlarmProps {
    /// A composite alarm in ALARM when `rule` holds, with a generated name and no action.
    pub fn new(rule: AlarmRule) -> Self {
        CompositeAlarmProps {
            rule,
            alarm_name: None,
            description: None,
            actions_enabled: None,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
            insufficient_data_actions: Vec::new(),
            topics: Vec::new(),
            suppressor: None,
        }
    }
    /// The alarm's name (`AlarmName`).
    pub fn alarm_name(mut self, name: impl Into<String>) -> Self {
        self.alarm_name = Some(name.into());
        self
    }
    /// What the alarm means (`AlarmDescription`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// Runs the actions or not (`ActionsEnabled`).
    pub fn actions_enabled(mut self, on: bool) -> Self {
        self.actions_enabled = Some(on);
        self
    }
    action_setters!();
    /// Holds the actions back while `suppressor` is in ALARM (`ActionsSuppressor`): waiting
    /// up to `wait_seconds` for it to enter ALARM, and `extension_seconds` after it leaves.
    pub fn actions_suppressor(
        mut self,
        suppressor: impl Into<AlarmRef>,
        wait_seconds: u32,
        extension_seconds: u32,
    ) -> Self {
        self.suppressor = Some((suppressor.into(), wait_seconds, extension_seconds));
        self
    }
}

/// A composite alarm.
///
/// # Examples
///
/// ```
/// use constructs::cloudwatch::{Alarm, AlarmProps, AlarmRule, AlarmState, Metric};
/// use constructs::cloudwatch::{CompositeAlarm, CompositeAlarmProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Ops");
/// let errors = Alarm::new(&mut stack, "Errors", AlarmProps::new(Metric::new("Orders", "Errors"), 1.0));
/// let slow = Alarm::new(&mut stack, "Slow", AlarmProps::new(Metric::new("Orders", "Latency"), 500.0));
/// let both = AlarmRule::all_of([
///     AlarmRule::alarm(&errors, AlarmState::Alarm),
///     AlarmRule::alarm(&slow, AlarmState::Alarm),
/// ]);
/// let degraded = CompositeAlarm::new(&mut stack, "Degraded", CompositeAlarmProps::new(both));
/// assert!(degraded.alarm_name().starts_with("Ops-Degraded")); // generated, the same at every synth
///
/// let template = Template::from_stack(&stack);
/// let composite = &template.find_resources("AWS::CloudWatch::CompositeAlarm", json!({}))[0];
/// let rule = composite["Properties"]["AlarmRule"]["Fn::Sub"][0].as_str().unwrap();
/// assert_eq!(rule, r#"(ALARM("${Alarm0}") AND ALARM("${Alarm1}"))"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeAlarm {
    resource: ResourceRef,
    name: String,
}

impl CompositeAlarm {
    /// Adds the composite alarm; its rule refers to the other alarms by ARN, so
    /// CloudFormation creates them first. What CloudWatch would refuse is reported at synth,
    /// on `<id>/Resource` and the property concerned.
    pub fn new(stack: &mut Stack, id: &str, props: CompositeAlarmProps) -> CompositeAlarm {
        let path = stack.path_of(&format!("{id}/Resource"));
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let name = match &props.alarm_name {
            Some(name) => {
                if let Err(e) = check_alarm_name(name) {
                    problems.push(("AlarmName", e.to_string()));
                }
                name.clone()
            }
            None => generated_name(stack.name(), id, 255, |c| c != '/' && !c.is_control()),
        };
        problems.extend(description_problem(props.description.as_ref()));
        problems.extend(actions_problems(
            &props.alarm_actions,
            &props.ok_actions,
            &props.insufficient_data_actions,
        ));
        let rule = props.rule.render();
        for p in &rule.problems {
            problems.push(("AlarmRule", p.clone()));
        }
        if rule.alarms.len() > composite_limits::MAX_UNDERLYING_ALARMS {
            problems.push((
                "AlarmRule",
                format!(
                    "the rule refers to {} alarms; CloudWatch allows {}",
                    rule.alarms.len(),
                    composite_limits::MAX_UNDERLYING_ALARMS
                ),
            ));
        }
        let min_len = rule.min_len();
        if min_len > composite_limits::MAX_RULE_LENGTH {
            problems.push((
                "AlarmRule",
                format!(
                    "the rule has at least {min_len} characters once the alarms' ARNs are in; \
                     CloudWatch allows {}",
                    composite_limits::MAX_RULE_LENGTH
                ),
            ));
        }
        for (property, message) in problems {
            stack.add_problem(Problem::new(&path, message).property(property));
        }
        let mut alarm = CfnCompositeAlarm::new(rule.value())
            .actions_enabled(props.actions_enabled)
            .alarm_description(props.description)
            .alarm_name(name.as_str());
        if let Some((suppressor, wait, extension)) = &props.suppressor {
            alarm = alarm
                .actions_suppressor(suppressor.arn())
                .actions_suppressor_extension_period(*extension)
                .actions_suppressor_wait_period(*wait);
        }
        if !props.alarm_actions.is_empty() {
            alarm = alarm.alarm_actions(props.alarm_actions);
        }
        if !props.insufficient_data_actions.is_empty() {
            alarm = alarm.insufficient_data_actions(props.insufficient_data_actions);
        }
        if !props.ok_actions.is_empty() {
            alarm = alarm.ok_actions(props.ok_actions);
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&alarm).with_unique_name(ALARM_NAME),
        );
        notify_topics(
            stack,
            &path,
            &resource.get_att("Arn"),
            Some(&name),
            &props.topics,
        );
        CompositeAlarm { resource, name }
    }

    /// The `AWS::CloudWatch::CompositeAlarm`.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The alarm's name, as given or generated.
    pub fn alarm_name(&self) -> &str {
        &self.name
    }

    /// The alarm's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The alarm's ARN.
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }
}
