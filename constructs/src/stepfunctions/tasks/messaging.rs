//! Messaging integrations: `sqs:sendMessage` and `sns:publish`, each as a request-response
//! call or `.waitForTaskToken` (synth checks that the token is sent), with the rights derived.

use crate::iam::PolicyStatement;
use crate::sns::Topic;
use crate::sqs::{Queue, QueueEncryption};

use super::super::asl::{task, Input, Step};
use super::integration_arn;

/// Options of [`sqs_send_message`]: `SendMessage::new(body)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct SendMessage {
    /// `MessageBody`.
    pub body: Input,
    /// `MessageGroupId` (FIFO queues need one).
    pub group_id: Option<Input>,
    /// `MessageDeduplicationId` (FIFO queues without content-based deduplication).
    pub deduplication_id: Option<Input>,
    /// `DelaySeconds`.
    pub delay_seconds: Option<u32>,
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
    /// Wait for the consumer's callback (`.waitForTaskToken`).
    pub fn wait_for_task_token(mut self) -> Self {
        self.wait_for_task_token = true;
        self
    }
}

/// Sends a message to `queue` (`arn:aws:states:::sqs:sendMessage`): `sqs:SendMessage` on
/// the queue, and the KMS rights of a customer key.
pub fn sqs_send_message(name: &str, queue: &Queue, options: SendMessage) -> Step {
    let suffix = if options.wait_for_task_token {
        ".waitForTaskToken"
    } else {
        ""
    };
    let mut input = Input::object()
        .field("QueueUrl", queue.url())
        .field("MessageBody", options.body);
    if let Some(g) = options.group_id {
        input = input.field("MessageGroupId", g);
    }
    if let Some(d) = options.deduplication_id {
        input = input.field("MessageDeduplicationId", d);
    }
    if let Some(s) = options.delay_seconds {
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
        step = step.grant(
            PolicyStatement::allow()
                .actions(["kms:Decrypt", "kms:GenerateDataKey"])
                .resource(key.clone()),
        );
    }
    step
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
            wait_for_task_token: false,
        }
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
    /// Wait for a subscriber's callback (`.waitForTaskToken`).
    pub fn wait_for_task_token(mut self) -> Self {
        self.wait_for_task_token = true;
        self
    }
}

/// Publishes to `topic` (`arn:aws:states:::sns:publish`): `sns:Publish` on the topic.
pub fn sns_publish(name: &str, topic: &Topic, options: Publish) -> Step {
    let suffix = if options.wait_for_task_token {
        ".waitForTaskToken"
    } else {
        ""
    };
    let mut input = Input::object()
        .field("TopicArn", topic.arn())
        .field("Message", options.message);
    if let Some(s) = options.subject {
        input = input.field("Subject", s);
    }
    if let Some(g) = options.group_id {
        input = input.field("MessageGroupId", g);
    }
    task(name, integration_arn(&format!("sns:publish{suffix}")))
        .input(input)
        .grant(
            PolicyStatement::allow()
                .action("sns:Publish")
                .resource(topic.arn()),
        )
}
