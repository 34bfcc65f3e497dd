//! Alarms: `AWS::CloudWatch::Alarm` on one metric, its limits checked at synth, and the
//! SNS topics alarms notify (with the topic policy statement that lets CloudWatch publish).

use crate::cfn_enum;
use crate::core::error::Problem;
use crate::core::names::NameError;
use crate::core::resource::{CfnResource, NameScope, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;
use crate::iam::{PolicyStatement, Principal};
use crate::l1::cloudwatch::alarm as l1_alarm;
pub use crate::l1::cloudwatch::CfnAlarm;
use crate::sns::Topic;

use super::metric::{Metric, Statistic, Usage};

/// The most actions of one kind (alarm, OK, insufficient data) an alarm may have.
pub const MAX_ACTIONS: usize = 5;
/// The longest evaluation range of an alarm whose period is under an hour, in seconds.
pub const MAX_RANGE_SHORT_PERIODS: u64 = 86_400;
/// The longest evaluation range of an alarm whose period is an hour or more, in seconds.
pub const MAX_RANGE: u64 = 604_800;

cfn_enum! {
    /// How the alarm compares the metric's statistic (the first operand) with the threshold.
    pub enum ComparisonOperator {
        /// statistic >= threshold
        GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
        /// statistic > threshold
        GreaterThanThreshold => "GreaterThanThreshold",
        /// statistic < threshold
        LessThanThreshold => "LessThanThreshold",
        /// statistic <= threshold
        LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
    }
}

cfn_enum! {
    /// How the alarm counts a period without data.
    pub enum TreatMissingData {
        /// As breaching the threshold.
        Breaching => "breaching",
        /// As within the threshold.
        NotBreaching => "notBreaching",
        /// Not at all: the alarm keeps its state.
        Ignore => "ignore",
        /// As missing: CloudWatch's default.
        Missing => "missing",
    }
}

cfn_enum! {
    /// The state of an alarm: what its actions are for, and what a composite alarm's rule
    /// tests.
    pub enum AlarmState {
        /// The condition is met.
        Alarm => "ALARM",
        /// The condition is not met.
        Ok => "OK",
        /// Not enough data to tell.
        InsufficientData => "INSUFFICIENT_DATA",
    }
}

impl AlarmState {
    /// The property listing the actions run on entering this state (`AlarmActions`, ...).
    pub fn actions_property(self) -> &'static str {
        match self {
            AlarmState::Alarm => "AlarmActions",
            AlarmState::Ok => "OKActions",
            AlarmState::InsufficientData => "InsufficientDataActions",
        }
    }
}

/// What CloudWatch refuses in an alarm's action lists, as (property, message): more than
/// [`MAX_ACTIONS`] of a kind, or a literal that is not an ARN.
pub(super) fn actions_problems(
    alarm: &[Value],
    ok: &[Value],
    insufficient: &[Value],
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (property, actions) in [
        ("AlarmActions", alarm),
        ("OKActions", ok),
        ("InsufficientDataActions", insufficient),
    ] {
        if actions.len() > MAX_ACTIONS {
            out.push((
                property,
                format!("{} actions; CloudWatch allows {MAX_ACTIONS}", actions.len()),
            ));
        }
        for arn in actions.iter().filter_map(Value::as_str) {
            if !arn.starts_with("arn:") || arn.len() > 1024 {
                out.push((
                    property,
                    format!("action \"{arn}\" is not an ARN of at most 1024 characters"),
                ));
            }
        }
    }
    out
}

/// What CloudWatch refuses in a description: more than 1024 characters.
pub(super) fn description_problem(text: Option<&String>) -> Option<(&'static str, String)> {
    let len = text?.chars().count();
    (len > 1024).then(|| {
        (
            "AlarmDescription",
            format!("the description has {len} characters; CloudWatch allows 1024"),
        )
    })
}

/// The action setters of [`AlarmProps`] and [`CompositeAlarmProps`](super::CompositeAlarmProps),
/// over their `alarm_actions`, `ok_actions`, `insufficient_data_actions` and `topics`.
macro_rules! action_setters {
    () => {
        /// Notifies an ARN (an SNS topic, ...) on entering ALARM.
        pub fn alarm_action(mut self, arn: impl Into<Value>) -> Self {
            self.alarm_actions.push(arn.into());
            self
        }
        /// Notifies an ARN on returning to OK.
        pub fn ok_action(mut self, arn: impl Into<Value>) -> Self {
            self.ok_actions.push(arn.into());
            self
        }
        /// Notifies an ARN on entering INSUFFICIENT_DATA.
        pub fn insufficient_data_action(mut self, arn: impl Into<Value>) -> Self {
            self.insufficient_data_actions.push(arn.into());
            self
        }
        /// Notifies `topic` on entering ALARM; its policy lets this alarm publish. A topic
        /// encrypted with `alias/aws/sns` is reported at synth.
        pub fn alarm_topic(mut self, topic: &Topic) -> Self {
            self.alarm_actions.push(topic.arn());
            self.topics.push((AlarmState::Alarm, topic.clone()));
            self
        }
        /// Notifies `topic` on returning to OK.
        pub fn ok_topic(mut self, topic: &Topic) -> Self {
            self.ok_actions.push(topic.arn());
            self.topics.push((AlarmState::Ok, topic.clone()));
            self
        }
        /// Notifies `topic` on entering INSUFFICIENT_DATA.
        pub fn insufficient_data_topic(mut self, topic: &Topic) -> Self {
            self.insufficient_data_actions.push(topic.arn());
            self.topics
                .push((AlarmState::InsufficientData, topic.clone()));
            self
        }
    };
}
pub(super) use action_setters;

/// The ARN of the alarm named `name` in this stack's account and region, built without a
/// reference to it: `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`, the form
/// CloudWatch documents for an alarm's ARN (TagResource, `ResourceARN`).
pub(super) fn alarm_arn_of(name: &str) -> Value {
    use crate::core::token::{fns, Aws};
    fns::join(
        "",
        [
            Value::from("arn:"),
            Aws::partition(),
            Value::from(":cloudwatch:"),
            Aws::region(),
            Value::from(":"),
            Aws::account_id(),
            Value::from(format!(":alarm:{name}")),
        ],
    )
}

/// Lets the alarm at `path` (ARN `alarm_arn`) notify each topic: a statement of the topic's
/// policy allowing `cloudwatch.amazonaws.com` to publish on behalf of this alarm only (the
/// topic's own policy replaces SNS's default one). A topic encrypted with `alias/aws/sns` is
/// reported on the actions property. A topic of another stack gets the statement in its one
/// policy, in its own stack; the alarm is named there by `name` when it has one.
pub(super) fn notify_topics(
    stack: &mut Stack,
    path: &str,
    alarm_arn: &Value,
    name: Option<&str>,
    topics: &[(AlarmState, Topic)],
) {
    for (state, topic) in topics {
        let property = state.actions_property();
        if topic.has_aws_managed_key() {
            stack.add_problem(
                Problem::new(
                    path,
                    format!(
                        "the topic {} is encrypted with the AWS managed key alias/aws/sns, which \
                         CloudWatch may not use: the alarm could not notify it",
                        topic.resource().path()
                    ),
                )
                .property(property)
                .help(
                    "encrypt the topic with a customer managed key whose key policy lets \
                     cloudwatch.amazonaws.com call kms:Decrypt and kms:GenerateDataKey* \
                     (TopicProps::kms_key(Some(key_arn))), or leave it unencrypted",
                ),
            );
        }
        if topic.let_service_use_key(stack, "cloudwatch.amazonaws.com") {
            // the key is the app's: its policy now lets CloudWatch use it
        } else if let Some(key) = topic.kms_key().filter(|_| !topic.has_aws_managed_key()) {
            // the key's policy is not in the app: say what it must allow
            stack.add_warning(
                path,
                format!(
                    "{property}: the topic {} is encrypted with {}: its key policy must let \
                     cloudwatch.amazonaws.com call kms:Decrypt and kms:GenerateDataKey*, or \
                     the alarm's notifications are lost",
                    topic.resource().path(),
                    key.as_str().unwrap_or("a customer managed key")
                ),
            );
        }
        // a topic of another stack: the statement goes to its policy there (moved by synth);
        // an alarm with a name is named by an ARN built from it, so that the topic's stack
        // does not refer back to the alarm's, which already refers to the topic
        let source_arn = match name {
            Some(name) if topic.resource().stack() != stack.name() => alarm_arn_of(name),
            _ => alarm_arn.clone(),
        };
        topic.add_policy_statement(
            stack,
            PolicyStatement::allow()
                .action("sns:Publish")
                .principal(Principal::service("cloudwatch.amazonaws.com"))
                .resource(topic.arn())
                .condition("ArnEquals", "aws:SourceArn", source_arn),
            "the alarm notifies the topic, so its stack refers to the topic's; the topic's \
             policy can name the alarm without referring back only by a name: give the alarm \
             one (AlarmProps::alarm_name), or put the alarm and the topic in one stack",
        );
    }
}

/// An alarm's name is unique in its account and region (metric and composite alarms share
/// one space of names).
pub(crate) const ALARM_NAME: UniqueName = UniqueName {
    property: "AlarmName",
    kind: "alarm",
    scope: NameScope::AccountAndRegion,
};

impl From<ComparisonOperator> for l1_alarm::ComparisonOperator {
    fn from(c: ComparisonOperator) -> Self {
        match c {
            ComparisonOperator::GreaterThanOrEqualToThreshold => {
                l1_alarm::ComparisonOperator::GreaterThanOrEqualToThreshold
            }
            ComparisonOperator::GreaterThanThreshold => {
                l1_alarm::ComparisonOperator::GreaterThanThreshold
            }
            ComparisonOperator::LessThanThreshold => {
                l1_alarm::ComparisonOperator::LessThanThreshold
            }
            ComparisonOperator::LessThanOrEqualToThreshold => {
                l1_alarm::ComparisonOperator::LessThanOrEqualToThreshold
            }
        }
    }
}

impl From<TreatMissingData> for l1_alarm::TreatMissingData {
    fn from(t: TreatMissingData) -> Self {
        match t {
            TreatMissingData::Breaching => l1_alarm::TreatMissingData::Breaching,
            TreatMissingData::NotBreaching => l1_alarm::TreatMissingData::NotBreaching,
            TreatMissingData::Ignore => l1_alarm::TreatMissingData::Ignore,
            TreatMissingData::Missing => l1_alarm::TreatMissingData::Missing,
        }
    }
}

/// The alarm's `Statistic`, or `None` for a percentile (an `ExtendedStatistic`).
fn plain_statistic(s: Statistic) -> Option<l1_alarm::Statistic> {
    match s {
        Statistic::Sum => Some(l1_alarm::Statistic::Sum),
        Statistic::Average => Some(l1_alarm::Statistic::Average),
        Statistic::Minimum => Some(l1_alarm::Statistic::Minimum),
        Statistic::Maximum => Some(l1_alarm::Statistic::Maximum),
        Statistic::SampleCount => Some(l1_alarm::Statistic::SampleCount),
        Statistic::Percentile(_) => None,
    }
}

/// Checks an alarm name: 1 to 255 characters, no ASCII control character.
pub fn check_alarm_name(name: &str) -> Result<(), NameError> {
    let len = name.chars().count();
    if !(1..=255).contains(&len) {
        return Err(NameError::length("alarm name", name, 1, 255, len));
    }
    if let Some(bad) = name.chars().find(char::is_ascii_control) {
        return Err(NameError::Control {
            kind: "alarm name".into(),
            name: name.into(),
            character: bad,
        });
    }
    Ok(())
}

/// Settings of an [`Alarm`]: `AlarmProps::new(metric, threshold)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmProps {
    /// The metric watched, with its statistic and period.
    pub metric: Metric,
    /// The value the statistic is compared with.
    pub threshold: f64,
    /// Default: statistic >= threshold.
    pub comparison: ComparisonOperator,
    /// N: how many of the latest periods are evaluated; default 1.
    pub evaluation_periods: u32,
    /// M: how many of those must breach; default all of them.
    pub datapoints_to_alarm: Option<u32>,
    /// Default: CloudWatch's (`missing`).
    pub treat_missing_data: Option<TreatMissingData>,
    /// Default: a name CloudFormation makes up.
    pub alarm_name: Option<String>,
    /// What the alarm means, up to 1024 characters.
    pub description: Option<String>,
    /// ARNs to notify on entering ALARM, at most [`MAX_ACTIONS`].
    pub alarm_actions: Vec<Value>,
    /// ARNs to notify on returning to OK, at most [`MAX_ACTIONS`].
    pub ok_actions: Vec<Value>,
    /// ARNs to notify on entering INSUFFICIENT_DATA, at most [`MAX_ACTIONS`].
    pub insufficient_data_actions: Vec<Value>,
    /// The topics among the actions, by state: their policies get a statement that lets
    /// CloudWatch publish.
    pub topics: Vec<(AlarmState, Topic)>,
}

impl AlarmProps {
    /// An alarm when one period's statistic of `metric` reaches `threshold`.
    pub fn new(metric: Metric, threshold: f64) -> Self {
        AlarmProps {
            metric,
            threshold,
            comparison: ComparisonOperator::GreaterThanOrEqualToThreshold,
            evaluation_periods: 1,
            datapoints_to_alarm: None,
            treat_missing_data: None,
            alarm_name: None,
            description: None,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
            insufficient_data_actions: Vec::new(),
            topics: Vec::new(),
        }
    }
    /// How the statistic compares with the threshold.
    pub fn comparison(mut self, operator: ComparisonOperator) -> Self {
        self.comparison = operator;
        self
    }
    /// N: how many of the latest periods are evaluated.
    pub fn evaluation_periods(mut self, periods: u32) -> Self {
        self.evaluation_periods = periods;
        self
    }
    /// M: how many of the evaluated periods must breach ("M out of N").
    pub fn datapoints_to_alarm(mut self, datapoints: u32) -> Self {
        self.datapoints_to_alarm = Some(datapoints);
        self
    }
    /// How periods without data count.
    pub fn treat_missing_data(mut self, treat: TreatMissingData) -> Self {
        self.treat_missing_data = Some(treat);
        self
    }
    /// The alarm's name.
    pub fn alarm_name(mut self, name: impl Into<String>) -> Self {
        self.alarm_name = Some(name.into());
        self
    }
    /// What the alarm means.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    action_setters!();

    /// Everything CloudWatch would refuse, as (property, message).
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = self.metric.problems(Usage::Alarm);
        if !self.threshold.is_finite() {
            out.push((
                "Threshold",
                format!("the threshold {} is not a finite number", self.threshold),
            ));
        }
        let periods = self.evaluation_periods;
        if periods == 0 {
            out.push((
                "EvaluationPeriods",
                "an alarm evaluates at least 1 period".to_string(),
            ));
        }
        match self.datapoints_to_alarm {
            Some(0) => out.push((
                "DatapointsToAlarm",
                "an alarm needs at least 1 breaching datapoint".to_string(),
            )),
            Some(m) if m > periods => out.push((
                "DatapointsToAlarm",
                format!("{m} datapoints to alarm, out of only {periods} evaluation periods"),
            )),
            _ => {}
        }
        let period = u64::from(self.metric.period_seconds);
        let range = period * u64::from(periods);
        let max = if period < 3600 {
            MAX_RANGE_SHORT_PERIODS
        } else {
            MAX_RANGE
        };
        if range > max {
            out.push((
                "EvaluationPeriods",
                format!(
                    "{periods} periods of {period} s evaluate {range} s; CloudWatch allows {max} s{}",
                    if period < 3600 { " for periods under an hour" } else { "" }
                ),
            ));
        }
        if let Some(name) = &self.alarm_name {
            if let Err(e) = check_alarm_name(name) {
                out.push(("AlarmName", e.to_string()));
            }
        }
        out.extend(description_problem(self.description.as_ref()));
        out.extend(actions_problems(
            &self.alarm_actions,
            &self.ok_actions,
            &self.insufficient_data_actions,
        ));
        out
    }
}

/// A CloudWatch alarm on one metric.
///
/// # Examples
///
/// ```
/// use constructs::cloudwatch::{Alarm, AlarmProps, Metric, TreatMissingData};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Ops");
/// let failures = Metric::new("Orders", "Failures").period_seconds(60);
/// let props = AlarmProps::new(failures, 5.0)
///     .evaluation_periods(3).datapoints_to_alarm(2)
///     .treat_missing_data(TreatMissingData::NotBreaching);
/// Alarm::new(&mut stack, "Failing", props.alarm_action("arn:aws:sns:us-east-1:123456789012:ops"));
///
/// Template::from_stack(&stack).has_resource_properties("AWS::CloudWatch::Alarm", json!({
///     "MetricName": "Failures", "Statistic": "Sum", "Period": 60,
///     "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 5.0,
///     // ALARM when 2 of the last 3 minutes count 5 failures or more
///     "EvaluationPeriods": 3, "DatapointsToAlarm": 2,
///     "TreatMissingData": "notBreaching",
///     "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:ops"],
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    resource: ResourceRef,
    alarm_name: Option<String>,
}

impl Alarm {
    /// Adds the alarm; what CloudWatch would refuse is reported at synth, on
    /// `<id>/Resource` and the property concerned.
    pub fn new(stack: &mut Stack, id: &str, props: AlarmProps) -> Alarm {
        let path = stack.path_of(&format!("{id}/Resource"));
        for (property, message) in props.problems() {
            stack.add_problem(Problem::new(&path, message).property(property));
        }
        let metric = &props.metric;
        if metric.period_seconds < 60 && metric.namespace.starts_with("AWS/") {
            stack.add_warning(
                &path,
                format!(
                    "{} {} is published once a minute: a {} s alarm period will mostly see no data",
                    metric.namespace, metric.metric_name, metric.period_seconds
                ),
            );
        }
        let alarm_name = props.alarm_name.clone();
        let mut alarm = CfnAlarm::new()
            .alarm_description(props.description)
            .alarm_name(props.alarm_name)
            .comparison_operator(props.comparison)
            .datapoints_to_alarm(props.datapoints_to_alarm)
            .evaluation_periods(props.evaluation_periods)
            .metric_name(metric.metric_name.as_str())
            .namespace(metric.namespace.as_str())
            .period(metric.period_seconds)
            .threshold(props.threshold);
        alarm = match plain_statistic(metric.statistic) {
            Some(statistic) => alarm.statistic(statistic),
            None => alarm.extended_statistic(metric.statistic.to_string()),
        };
        if !metric.dimensions.is_empty() {
            alarm = alarm.dimensions(
                metric
                    .dimensions
                    .iter()
                    .map(|(name, value)| l1_alarm::Dimension::new(name.as_str(), value.clone()))
                    .collect::<Vec<_>>(),
            );
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
        if let Some(treat) = props.treat_missing_data {
            alarm = alarm.treat_missing_data(treat);
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&alarm).with_unique_name(ALARM_NAME),
        );
        notify_topics(
            stack,
            &path,
            &resource.get_att("Arn"),
            alarm_name.as_deref(),
            &props.topics,
        );
        Alarm {
            resource,
            alarm_name,
        }
    }

    /// The `AWS::CloudWatch::Alarm`.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The alarm's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The alarm's ARN.
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The name given to the alarm (`AlarmName`), if one was.
    pub fn alarm_name(&self) -> Option<&str> {
        self.alarm_name.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_names() {
        assert!(check_alarm_name("Ops: failures > 0 (prod)").is_ok());
        assert!(check_alarm_name("").is_err());
        assert!(check_alarm_name(&"a".repeat(256)).is_err());
        assert!(check_alarm_name(&"é".repeat(255)).is_ok());
        let e = check_alarm_name("a\nb").unwrap_err();
        assert_eq!(
            e.to_string(),
            "alarm name \"a\\nb\" must not hold the control character '\\n'"
        );
    }
}
