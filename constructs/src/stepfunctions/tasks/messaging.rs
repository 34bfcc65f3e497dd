//! Messaging integrations: `sqs:sendMessage` and `sns:publish`, each as a request-response
//! call or `.waitForTaskToken` (synth checks that the token is sent), with the rights derived.
//! What SQS or SNS would refuse at run time is refused at synth: a message to a FIFO queue or
//! topic without a group id, or without a deduplication id when the queue or topic does not
//! deduplicate by content, and a per-message delay on a FIFO queue. Both send typed message
//! attributes (see [`MessageAttribute`]), so subscriptions and consumers can filter on them
//! rather than on the body.

use crate::iam::{kms_producer_statement, PolicyStatement};
use crate::sns::Topic;
use crate::sqs::{Queue, QueueEncryption};

use super::super::asl::{task, Input, Step};
use super::attributes::{self, MessageAttribute, Service};
use super::integration_arn;

/// Options of [`sqs_send_message`]: `SendMessage::new(body)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct SendMessage {
    /// `MessageBody`.
    pub body: Input,
    /// `MessageGroupId`: FIFO queues need one (on a standard queue it makes a fair queue).
    pub group_id: Option<Input>,
    /// `MessageDeduplicationId`: FIFO queues without content-based deduplication need one.
    pub deduplication_id: Option<Input>,
    /// `DelaySeconds`, 0 to 900; standard queues only (a FIFO queue's delay is the queue's).
    pub delay_seconds: Option<u32>,
    /// `MessageAttributes`, by name, in order (at most 10).
    pub attributes: Vec<(String, MessageAttribute)>,
    /// Wait until a consumer calls `SendTaskSuccess` with `$$.Task.Token`, which the body
    /// must carry.
    pub wait_for_task_token: bool,
}

impl SendMessage {
    /// A message with this body, sent and not waited for.
    pub fn new(body: impl Into<Input>) -> Self {
        SendMessage {
            body: body.into(),
            group_id: None,
            deduplication_id: None,
            delay_seconds: None,
            attributes: Vec::new(),
            wait_for_task_token: false,
        }
    }
    /// The FIFO message group.
    pub fn group_id(mut self, id: impl Into<Input>) -> Self {
        self.group_id = Some(id.into());
        self
    }
    /// The FIFO deduplication id.
    pub fn deduplication_id(mut self, id: impl Into<Input>) -> Self {
        self.deduplication_id = Some(id.into());
        self
    }
    /// Delay the message's first delivery.
    pub fn delay_seconds(mut self, seconds: u32) -> Self {
        self.delay_seconds = Some(seconds);
        self
    }
    /// A message attribute (`MessageAttributes`): `String`, `Number` or `Binary`; its name,
    /// value, the count (at most 10) and the message's size are checked at synth.
    pub fn attribute(mut self, name: impl Into<String>, attribute: MessageAttribute) -> Self {
        self.attributes.push((name.into(), attribute));
        self
    }
    /// Wait for the consumer's callback (`.waitForTaskToken`).
    pub fn wait_for_task_token(mut self) -> Self {
        self.wait_for_task_token = true;
        self
    }
}

/// Sends a message to `queue` (`arn:aws:states:::sqs:sendMessage`): `sqs:SendMessage` on
/// the queue, and the KMS rights of a customer key. For a FIFO queue, a message without a
/// group id, without a deduplication id (unless the queue deduplicates by content), or with
/// its own delay is reported at synth, as SQS would refuse it.
pub fn sqs_send_message(name: &str, queue: &Queue, options: SendMessage) -> Step {
    let suffix = if options.wait_for_task_token {
        ".waitForTaskToken"
    } else {
        ""
    };
    let mut problems = fifo_problems(
        name,
        "queue",
        queue.is_fifo(),
        queue.content_based_deduplication(),
        options.group_id.is_some(),
        options.deduplication_id.is_some(),
        "SendMessage",
    );
    let (attributes, attribute_problems) =
        attributes::render(name, Service::Sqs, &options.attributes, &options.body);
    problems.extend(attribute_problems);
    let mut input = Input::object()
        .field("QueueUrl", queue.url())
        .field("MessageBody", options.body);
    if let Some(a) = attributes {
        input = input.field("MessageAttributes", a);
    }
    if let Some(g) = options.group_id {
        input = input.field("MessageGroupId", g);
    }
    if let Some(d) = options.deduplication_id {
        input = input.field("MessageDeduplicationId", d);
    }
    if let Some(s) = options.delay_seconds {
        if queue.is_fifo() {
            problems.push(format!(
                "state {name:?}: DelaySeconds: SQS takes no per-message delay on a FIFO queue; set the queue's delay instead"
            ));
        } else if s > MAX_DELAY_SECONDS {
            problems.push(format!(
                "state {name:?}: DelaySeconds: {s} s is over SQS's {MAX_DELAY_SECONDS} (15 minutes)"
            ));
        }
        input = input.field("DelaySeconds", crate::core::value::Value::from(s));
    }
    let mut step = task(name, integration_arn(&format!("sqs:sendMessage{suffix}")))
        .input(input)
        .grant(
            PolicyStatement::allow()
                .action("sqs:SendMessage")
                .resource(queue.arn()),
        );
    if let QueueEncryption::Kms(key) = queue.encryption() {
        if let Some(statement) = kms_producer_statement(key) {
            step = step.grant(statement);
        }
    }
    problems.into_iter().fold(step, Step::with_problem)
}

/// The longest per-message delay SQS takes (`DelaySeconds`), 15 minutes.
const MAX_DELAY_SECONDS: u32 = 900;

/// What SQS and SNS refuse of a message to a FIFO queue or topic: no `MessageGroupId`, and
/// no `MessageDeduplicationId` when the queue or topic does not deduplicate by content.
fn fifo_problems(
    name: &str,
    kind: &str,
    fifo: bool,
    content_based_deduplication: bool,
    has_group_id: bool,
    has_deduplication_id: bool,
    options: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    if !fifo {
        return problems;
    }
    if !has_group_id {
        problems.push(format!(
            "state {name:?}: MessageGroupId: a FIFO {kind} refuses a message without a group id; give {options}::group_id"
        ));
    }
    if !has_deduplication_id && !content_based_deduplication {
        problems.push(format!(
            "state {name:?}: MessageDeduplicationId: the FIFO {kind} has no content-based deduplication, so it refuses a message without a deduplication id; give {options}::deduplication_id, or turn on the {kind}'s content_based_deduplication"
        ));
    }
    problems
}

/// Options of [`sns_publish`]: `Publish::new(message)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Publish {
    /// `Message`.
    pub message: Input,
    /// `Subject` (email subscriptions).
    pub subject: Option<Input>,
    /// `MessageGroupId` (FIFO topics need one).
    pub group_id: Option<Input>,
    /// `MessageDeduplicationId`: FIFO topics without content-based deduplication need one.
    pub deduplication_id: Option<Input>,
    /// `MessageAttributes`, by name, in order: what subscriptions' filter policies match.
    pub attributes: Vec<(String, MessageAttribute)>,
    /// Wait for a subscriber's callback with `$$.Task.Token`, which the message must carry.
    pub wait_for_task_token: bool,
}

impl Publish {
    /// A message, published and not waited for.
    pub fn new(message: impl Into<Input>) -> Self {
        Publish {
            message: message.into(),
            subject: None,
            group_id: None,
            deduplication_id: None,
            attributes: Vec::new(),
            wait_for_task_token: false,
        }
    }
    /// A message attribute (`MessageAttributes`): `String`, `String.Array`, `Number` or
    /// `Binary`, what a subscription's filter policy matches; its name, value and the
    /// message's size are checked at synth. SNS sets no count, but an SQS subscription with
    /// raw message delivery discards a message of more than 10 attributes.
    pub fn attribute(mut self, name: impl Into<String>, attribute: MessageAttribute) -> Self {
        self.attributes.push((name.into(), attribute));
        self
    }
    /// The subject.
    pub fn subject(mut self, subject: impl Into<Input>) -> Self {
        self.subject = Some(subject.into());
        self
    }
    /// The FIFO message group.
    pub fn group_id(mut self, id: impl Into<Input>) -> Self {
        self.group_id = Some(id.into());
        self
    }
    /// The FIFO deduplication id.
    pub fn deduplication_id(mut self, id: impl Into<Input>) -> Self {
        self.deduplication_id = Some(id.into());
        self
    }
    /// Wait for a subscriber's callback (`.waitForTaskToken`).
    pub fn wait_for_task_token(mut self) -> Self {
        self.wait_for_task_token = true;
        self
    }
}

/// Publishes to `topic` (`arn:aws:states:::sns:publish`): `sns:Publish` on the topic (and a
/// customer key's `kms:Decrypt`/`kms:GenerateDataKey`). For a
/// FIFO topic, a message without a group id, or without a deduplication id (unless the topic
/// deduplicates by content), is reported at synth, as SNS would refuse it.
pub fn sns_publish(name: &str, topic: &Topic, options: Publish) -> Step {
    let suffix = if options.wait_for_task_token {
        ".waitForTaskToken"
    } else {
        ""
    };
    let (attributes, attribute_problems) =
        attributes::render(name, Service::Sns, &options.attributes, &options.message);
    let mut input = Input::object()
        .field("TopicArn", topic.arn())
        .field("Message", options.message);
    if let Some(s) = options.subject {
        input = input.field("Subject", s);
    }
    if let Some(a) = attributes {
        input = input.field("MessageAttributes", a);
    }
    let mut problems = fifo_problems(
        name,
        "topic",
        topic.is_fifo(),
        topic.content_based_deduplication(),
        options.group_id.is_some(),
        options.deduplication_id.is_some(),
        "Publish",
    );
    problems.extend(attribute_problems);
    if let Some(g) = options.group_id {
        input = input.field("MessageGroupId", g);
    }
    if let Some(d) = options.deduplication_id {
        input = input.field("MessageDeduplicationId", d);
    }
    let mut step = task(name, integration_arn(&format!("sns:publish{suffix}")))
        .input(input)
        .grant(
            PolicyStatement::allow()
                .action("sns:Publish")
                .resource(topic.arn()),
        );
    // a customer key must let the machine encrypt what it publishes
    if let Some(statement) = topic.kms_key().and_then(kms_producer_statement) {
        step = step.grant(statement);
    }
    problems.into_iter().fold(step, Step::with_problem)
}
