//! A rule's targets: what each one is sent, its retry policy and dead-letter queue, and what
//! lets EventBridge deliver to it.

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::core::error::Problem;
use crate::core::names;
use crate::core::stack::Stack;
use crate::core::value::Value;
use crate::iam::{PolicyStatement, Principal, Role, RoleProps};
use crate::lambda::{Function, PermissionProps};
use crate::sns::Topic;
use crate::sqs::{Queue, QueueEncryption};
use crate::stepfunctions::StateMachine;

use super::delivery::RetryPolicy;
use super::{limits, EventBus, Rule};
use crate::l1::events::rule;

/// The variables EventBridge defines itself, usable in an input template without a path.
pub const PREDEFINED_VARIABLES: &[&str] = &[
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
];

/// A target's input built from the event (`InputTransformer`): `InputTransformer::new(template)`
/// then a [`path`](InputTransformer::path) for each `<variable>` of the template.
#[derive(Debug, Clone, PartialEq)]
pub struct InputTransformer {
    /// `InputPathsMap`: variable name -> JSON path in the event (`$.detail.id`).
    pub paths: IndexMap<String, String>,
    /// `InputTemplate`: text or JSON with `<variable>` placeholders.
    pub template: String,
}

impl InputTransformer {
    /// A template with `<variable>` placeholders (`"Order <id> is <status>"`).
    pub fn new(template: impl Into<String>) -> Self {
        InputTransformer {
            paths: IndexMap::new(),
            template: template.into(),
        }
    }
    /// Defines `<name>` as the value at `path` in the event.
    pub fn path(mut self, name: impl Into<String>, path: impl Into<String>) -> Self {
        self.paths.insert(name.into(), path.into());
        self
    }

    /// The `<variable>` placeholders of the template, in order.
    pub fn placeholders(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = self.template.as_str();
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || "_-.".contains(c)))
                .unwrap_or(after.len());
            if end > 0 && after[end..].starts_with('>') {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            } else {
                rest = after;
            }
        }
        out
    }

    /// What EventBridge would refuse: more than 100 paths, a bad variable name or path, an
    /// empty or too long template, a placeholder with no path.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.paths.len() > limits::MAX_INPUT_PATHS {
            out.push(format!(
                "the input transformer has {} paths; EventBridge takes at most {}",
                self.paths.len(),
                limits::MAX_INPUT_PATHS
            ));
        }
        for (name, path) in &self.paths {
            if let Err(e) = names::check_name("an input variable", name, 1, 256, "_-") {
                out.push(e.to_string());
            }
            if !path.starts_with('$') || path.chars().count() > limits::MAX_INPUT_PATH {
                out.push(format!(
                    "the path {path:?} of <{name}> must be a JSON path ($.detail.id) of at most {} characters",
                    limits::MAX_INPUT_PATH
                ));
            }
        }
        let n = self.template.chars().count();
        if n == 0 || n > limits::MAX_INPUT {
            out.push(format!(
                "the input template has {n} characters; EventBridge takes 1 to {}",
                limits::MAX_INPUT
            ));
        }
        for p in self.placeholders() {
            if !self.paths.contains_key(p) && !PREDEFINED_VARIABLES.contains(&p) {
                out.push(format!(
                    "the input template uses <{p}>, which no path defines: add .path(\"{p}\", \"$.detail...\")"
                ));
            }
        }
        out
    }
}

/// What a target is sent instead of the whole matched event.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetInput {
    /// `Input`: this JSON, always.
    Constant(Json),
    /// `InputPath`: the part of the event at this JSON path (`$.detail`).
    Path(String),
    /// `InputTransformer`: a template filled from the event.
    Transformer(InputTransformer),
}

#[derive(Debug, Clone)]
enum Kind {
    Function(Function),
    StateMachine(StateMachine),
    Queue(Queue),
    Topic(Topic),
    Bus(EventBus),
}

/// A target of a rule: `Target::function(&f)` (or `state_machine`, `queue`, `topic`,
/// `event_bus`) then builder methods.
#[derive(Debug, Clone)]
pub struct Target {
    kind: Kind,
    id: Option<String>,
    input: Option<TargetInput>,
    retry: RetryPolicy,
    message_group_id: Option<String>,
}

impl Target {
    fn of(kind: Kind) -> Target {
        Target {
            kind,
            id: None,
            input: None,
            retry: RetryPolicy::default(),
            message_group_id: None,
        }
    }
    /// Invokes a function (its permission lets this rule, and only it, invoke).
    pub fn function(function: &Function) -> Target {
        Self::of(Kind::Function(function.clone()))
    }
    /// Starts an execution of a state machine (the rule's role may start it).
    pub fn state_machine(machine: &StateMachine) -> Target {
        Self::of(Kind::StateMachine(machine.clone()))
    }
    /// Sends to a queue (its policy lets this rule send); a FIFO queue needs
    /// [`message_group_id`](Target::message_group_id), a standard queue may take one (fair
    /// queuing).
    pub fn queue(queue: &Queue) -> Target {
        Self::of(Kind::Queue(queue.clone()))
    }
    /// Publishes to a standard topic (its policy lets this rule publish); EventBridge does not
    /// support FIFO topics.
    pub fn topic(topic: &Topic) -> Target {
        Self::of(Kind::Topic(topic.clone()))
    }
    /// Forwards to another event bus (the rule's role may put events on it).
    pub fn event_bus(bus: &EventBus) -> Target {
        Self::of(Kind::Bus(bus.clone()))
    }
    /// The target's `Id` in the rule (default: `Target0`, `Target1`, ...).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    /// Sends this JSON instead of the event (`Input`).
    pub fn input(mut self, json: Json) -> Self {
        self.input = Some(TargetInput::Constant(json));
        self
    }
    /// Sends the part of the event at this JSON path (`InputPath`, `$.detail`).
    pub fn input_path(mut self, path: impl Into<String>) -> Self {
        self.input = Some(TargetInput::Path(path.into()));
        self
    }
    /// Sends a template filled from the event (`InputTransformer`).
    pub fn input_transformer(mut self, transformer: InputTransformer) -> Self {
        self.input = Some(TargetInput::Transformer(transformer));
        self
    }
    /// Where events go that cannot be delivered (`DeadLetterConfig`): a standard queue, whose
    /// policy lets this rule send.
    pub fn dead_letter_queue(mut self, queue: &Queue) -> Self {
        self.retry.dead_letter_queue = Some(queue.clone());
        self
    }
    /// How many times delivery is retried (`RetryPolicy.MaximumRetryAttempts`, 0 to 185).
    pub fn max_retry_attempts(mut self, attempts: u32) -> Self {
        self.retry.max_retry_attempts = Some(attempts);
        self
    }
    /// How long delivery is retried (`RetryPolicy.MaximumEventAgeInSeconds`, 60 to 86,400).
    pub fn max_event_age_seconds(mut self, seconds: u32) -> Self {
        self.retry.max_event_age_seconds = Some(seconds);
        self
    }
    /// The message group of a queue target (`SqsParameters.MessageGroupId`, 1 to 100
    /// characters): required for a FIFO queue; on a standard queue, the tenant its fair
    /// queuing keeps apart.
    pub fn message_group_id(mut self, id: impl Into<String>) -> Self {
        self.message_group_id = Some(id.into());
        self
    }
}

/// What to do when the policy statement of a target of another stack would make the stacks
/// depend on each other: the rule names the target (its stack refers to the target's), and the
/// statement names the rule (`aws:SourceArn`).
fn cross_stack_help(kind: &str) -> String {
    format!(
        "the rule names the {kind} and the {kind}'s policy names the rule: make the rule in the \
         {kind}'s stack (it may be on a bus of another stack), or the {kind} in the rule's \
         stack"
    )
}

fn key_text(key: &Value) -> String {
    key.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| serde_json::to_string(key).unwrap_or_default())
}

impl Rule {
    /// The role EventBridge assumes for targets called through IAM, made on first use (by
    /// whichever handle of the rule).
    fn events_role(&self, stack: &mut Stack) -> Role {
        self.role(stack).unwrap_or_else(|| {
            Role::new(
                stack,
                &format!("{}/EventsRole", self.id),
                RoleProps::new(Principal::service("events.amazonaws.com")),
            )
        })
    }

    /// Gives the rule's role `statement`; the rule waits for the policy, so no event is
    /// delivered before the role may deliver it.
    fn grant_role(&self, stack: &mut Stack, statement: PolicyStatement) -> Value {
        let role = self.events_role(stack);
        let policy = role.add_to_policy(stack, statement);
        if let Some(rule) = stack.resource_mut(&self.resource) {
            rule.add_depends_on(&policy);
        }
        role.arn()
    }

    /// Adds a target (at most 5 per rule) with what lets EventBridge deliver to it: the
    /// function's permission, the queue's or topic's policy statement, or the rule's role.
    /// What EventBridge would refuse is reported at synth under `Targets[i]`.
    ///
    /// The targets are counted and their ids checked from the rule's resource, so clones of
    /// the handle add to one list. `stack` must be the rule's own: another is reported.
    pub fn add_target(&self, stack: &mut Stack, target: Target) {
        if stack.resource(&self.resource).is_none() {
            stack.add_problem(
                Problem::new(
                    &self.resource.path,
                    format!(
                        "a target is added with stack {}, but the rule is in stack {}",
                        stack.name(),
                        self.resource.stack()
                    ),
                )
                .property("Targets")
                .help("add the target with the rule's own stack"),
            );
            return;
        }
        let target_ids = self.target_ids(stack);
        let index = target_ids.len();
        let id = target
            .id
            .clone()
            .unwrap_or_else(|| format!("Target{index}"));
        let path = self.resource.path.clone();
        let problem = |stack: &mut Stack, property: &str, message: String| {
            let property = if property.is_empty() {
                format!("Targets[{index}]")
            } else {
                format!("Targets[{index}].{property}")
            };
            stack.add_problem(Problem::new(&path, message).property(property));
        };
        if index >= limits::MAX_TARGETS {
            problem(
                stack,
                "",
                format!(
                    "target \"{id}\" is the rule's {}th; EventBridge takes at most {} targets per rule: add another rule",
                    index + 1,
                    limits::MAX_TARGETS
                ),
            );
        }
        if let Err(e) = names::check_name("a target id", &id, 1, limits::MAX_TARGET_ID, "._-") {
            problem(stack, "Id", e.to_string());
        }
        if target_ids.contains(&id) {
            problem(
                stack,
                "Id",
                format!("the rule has two targets with the id \"{id}\"; give each its own"),
            );
        }

        // the target's properties, gathered for `rule::Target` (whose Arn is required)
        let mut input: Option<String> = None;
        let mut input_path: Option<String> = None;
        let mut transformer: Option<rule::InputTransformer> = None;
        let arn: Value;
        let mut role_arn: Option<Value> = None;
        let mut message_group: Option<String> = None;
        match &target.input {
            Some(TargetInput::Constant(json)) => {
                let text = json.to_string();
                if text.chars().count() > limits::MAX_INPUT {
                    problem(
                        stack,
                        "Input",
                        format!(
                            "the input has {} characters; EventBridge takes at most {}",
                            text.chars().count(),
                            limits::MAX_INPUT
                        ),
                    );
                }
                input = Some(text);
            }
            Some(TargetInput::Path(p)) => {
                if !p.starts_with('$') || p.chars().count() > limits::MAX_INPUT_PATH {
                    problem(
                        stack,
                        "InputPath",
                        format!(
                            "{p:?} must be a JSON path ($.detail) of at most {} characters",
                            limits::MAX_INPUT_PATH
                        ),
                    );
                }
                input_path = Some(p.clone());
            }
            Some(TargetInput::Transformer(t)) => {
                for e in t.problems() {
                    problem(stack, "InputTransformer", e);
                }
                let mut v = rule::InputTransformer::new(t.template.as_str());
                if !t.paths.is_empty() {
                    v = v.input_paths_map(t.paths.clone());
                }
                transformer = Some(v);
            }
            None => {}
        }
        target
            .retry
            .check(stack, &path, &format!("Targets[{index}]"), "EventBridge");
        if let Some(dlq) = &target.retry.dead_letter_queue {
            self.let_events_send(stack, dlq, &path, "DeadLetterConfig", index);
        }
        let is_queue = matches!(target.kind, Kind::Queue(_));
        if target.message_group_id.is_some() && !is_queue {
            problem(
                stack,
                "SqsParameters",
                "a message group id is for a queue target (a FIFO queue, or a standard queue's fair queuing)".into(),
            );
        }

        let rule_arn = self.arn();
        match &target.kind {
            Kind::Function(f) => {
                arn = f.arn();
                let rule_part = self.id.replace('/', "-");
                f.add_permission(
                    stack,
                    &format!("AllowEvents{rule_part}{id}"),
                    PermissionProps::new("events.amazonaws.com").source_arn(rule_arn),
                );
            }
            Kind::StateMachine(m) => {
                arn = m.arn();
                role_arn = Some(
                    self.grant_role(
                        stack,
                        PolicyStatement::allow()
                            .action("states:StartExecution")
                            .resource(m.arn()),
                    ),
                );
            }
            Kind::Bus(b) => {
                if b.arn() == self.bus.arn() {
                    stack.add_warning(
                        &path,
                        format!("target \"{id}\" sends the rule's events back to the bus they came from: unless the pattern no longer matches them, they loop"),
                    );
                }
                arn = b.arn();
                role_arn = Some(
                    self.grant_role(
                        stack,
                        PolicyStatement::allow()
                            .action("events:PutEvents")
                            .resource(b.arn()),
                    ),
                );
            }
            Kind::Queue(q) => {
                arn = q.arn();
                self.let_events_send(stack, q, &path, "Arn", index);
                match &target.message_group_id {
                    Some(g) => {
                        if g.is_empty() || g.chars().count() > limits::MAX_MESSAGE_GROUP_ID {
                            problem(
                                stack,
                                "SqsParameters",
                                format!(
                                    "the message group id must have 1 to {} characters",
                                    limits::MAX_MESSAGE_GROUP_ID
                                ),
                            );
                        }
                        message_group = Some(g.clone());
                    }
                    None if q.is_fifo() => problem(
                        stack,
                        "SqsParameters",
                        "a FIFO queue target needs a message group id: add .message_group_id(...)"
                            .into(),
                    ),
                    None => {}
                }
                if q.is_fifo() && !q.content_based_deduplication() {
                    problem(
                        stack,
                        "Arn",
                        "EventBridge sends to a FIFO queue only with content-based deduplication: add .content_based_deduplication() to the queue".into(),
                    );
                }
            }
            Kind::Topic(t) => {
                arn = t.arn();
                if t.is_fifo() {
                    problem(
                        stack,
                        "Arn",
                        "EventBridge does not support SNS FIFO topics as targets: use a standard topic, or a FIFO queue with .message_group_id(...)".into(),
                    );
                }
                match t.kms_key() {
                    Some(_) if t.let_service_use_key(stack, "events.amazonaws.com") => {}
                    Some(_) if t.has_aws_managed_key() => {
                        problem(
                            stack,
                            "Arn",
                            "EventBridge cannot publish to a topic encrypted with the AWS managed key alias/aws/sns: use a customer key whose policy lets events.amazonaws.com use it".into(),
                        );
                    }
                    Some(k) => stack.add_warning(
                        &path,
                        format!(
                            "target \"{id}\": the topic is encrypted with the key {}; its key policy must let events.amazonaws.com use kms:Decrypt and kms:GenerateDataKey, which this stack does not change",
                            key_text(k)
                        ),
                    ),
                    None => {}
                }
                t.add_policy_statement(
                    stack,
                    PolicyStatement::allow()
                        .action("sns:Publish")
                        .principal(Principal::service("events.amazonaws.com"))
                        .resource(t.arn())
                        .condition("ArnEquals", "aws:SourceArn", rule_arn),
                    &cross_stack_help("topic"),
                );
            }
        }

        let mut cfn = rule::Target::new(arn, id.clone())
            .input(input)
            .input_path(input_path)
            .role_arn(role_arn);
        if let Some(t) = transformer {
            cfn = cfn.input_transformer(t);
        }
        if let Some(policy) = target.retry.retry_policy() {
            cfn = cfn.retry_policy(policy);
        }
        if let Some(config) = target.retry.dead_letter_config() {
            cfn = cfn.dead_letter_config(config);
        }
        if let Some(group) = message_group {
            cfn = cfn.sqs_parameters(rule::SqsParameters::new(group));
        }
        let value = Value::from(cfn);
        if let Some(rule) = stack.resource_mut(&self.resource) {
            match rule.properties.get_path_mut("Targets") {
                Some(Value::Array(items)) => items.push(value),
                _ => rule
                    .properties
                    .set_path("Targets", Value::Array(vec![value])),
            }
        }
    }

    /// The queue policy statement that lets this rule send to `queue` (a target or a
    /// dead-letter queue), after refusing what EventBridge cannot use.
    fn let_events_send(
        &self,
        stack: &mut Stack,
        queue: &Queue,
        path: &str,
        property: &str,
        index: usize,
    ) {
        match queue.encryption() {
            QueueEncryption::Kms(_) if queue.let_service_use_key(stack, "events.amazonaws.com") => {}
            QueueEncryption::KmsManaged => stack.add_problem(
                Problem::new(
                    path,
                    "EventBridge cannot send to a queue encrypted with the AWS managed key alias/aws/sqs: use SSE-SQS (QueueEncryption::SqsManaged), or a customer key whose policy lets events.amazonaws.com use it",
                )
                .property(format!("Targets[{index}].{property}")),
            ),
            QueueEncryption::Kms(key) => stack.add_warning(
                path,
                format!(
                    "Targets[{index}].{property}: the queue is encrypted with the key {}; its key policy must let events.amazonaws.com use kms:Decrypt and kms:GenerateDataKey, which this stack does not change",
                    key_text(key)
                ),
            ),
            QueueEncryption::SqsManaged => {}
        }
        queue.add_policy_statement(
            stack,
            PolicyStatement::allow()
                .action("sqs:SendMessage")
                .principal(Principal::service("events.amazonaws.com"))
                .resource(queue.arn())
                .condition("ArnEquals", "aws:SourceArn", self.arn()),
            &cross_stack_help("queue"),
        );
    }
}
