//! SQS: the `Queue` construct — standard or FIFO, a dead-letter queue with its redrive policy,
//! SSE-SQS by default (KMS by choice), a TLS-only queue policy, and grants to send, consume
//! and purge — with SQS's limits checked at synth.

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::{CfnResource, RemovalPolicy};
use crate::core::resource::{NameScope, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;
use crate::iam::{grant, policy_document, Grantable, PolicyStatement};
use crate::l1::sqs::{queue::RedrivePolicy, CfnQueue, CfnQueuePolicy};

/// A queue's name is unique in its account and region.
const QUEUE_NAME: UniqueName = UniqueName {
    property: "QueueName",
    kind: "queue",
    scope: NameScope::AccountAndRegion,
};

/// How messages are encrypted at rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum QueueEncryption {
    /// SSE-SQS: keys owned by SQS (the default).
    #[default]
    SqsManaged,
    /// SSE-KMS with the AWS managed key `alias/aws/sqs`.
    KmsManaged,
    /// SSE-KMS with the given key (ARN, id or alias); senders and consumers get its rights.
    Kms(Value),
}

/// A FIFO queue's throughput mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FifoThroughput {
    /// 300 messages a second per queue (`DeduplicationScope: queue`, `FifoThroughputLimit:
    /// perQueue`), the default.
    PerQueue,
    /// High throughput: the limit applies per message group (`messageGroup` /
    /// `perMessageGroupId`).
    PerMessageGroup,
}

/// The limits SQS sets (CreateQueue's attributes).
pub mod limits {
    /// `VisibilityTimeout`: 0 to 43,200 s (12 hours).
    pub const MAX_VISIBILITY_TIMEOUT: u32 = 43_200;
    /// `MessageRetentionPeriod`: 60 s to 1,209,600 s (14 days).
    pub const RETENTION: std::ops::RangeInclusive<u32> = 60..=1_209_600;
    /// `DelaySeconds`: 0 to 900 s.
    pub const MAX_DELAY: u32 = 900;
    /// `MaximumMessageSize`: 1,024 to 262,144 bytes.
    pub const MESSAGE_SIZE: std::ops::RangeInclusive<u32> = 1_024..=262_144;
    /// `ReceiveMessageWaitTimeSeconds`: 0 to 20 s.
    pub const MAX_RECEIVE_WAIT: u32 = 20;
    /// `maxReceiveCount` of a redrive policy: 1 to 1,000.
    pub const MAX_RECEIVE_COUNT: std::ops::RangeInclusive<u32> = 1..=1_000;
    /// A queue name: 1 to 80 characters (with `.fifo` for a FIFO queue).
    pub const MAX_NAME: usize = 80;
}

/// Settings of a [`Queue`]; `QueueProps::new()` then builder methods, every default the
/// secure one.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueProps {
    /// `QueueName`; default: one CloudFormation generates (with `.fifo` for a FIFO queue).
    pub name: Option<String>,
    /// A FIFO queue (`FifoQueue`).
    pub fifo: bool,
    /// FIFO: deduplicate by a hash of the body (`ContentBasedDeduplication`).
    pub content_based_deduplication: bool,
    /// FIFO: the throughput mode.
    pub fifo_throughput: Option<FifoThroughput>,
    /// `VisibilityTimeout` in seconds (SQS's default: 30).
    pub visibility_timeout_seconds: Option<u32>,
    /// `MessageRetentionPeriod` in seconds (SQS's default: 4 days).
    pub retention_period_seconds: Option<u32>,
    /// `DelaySeconds`.
    pub delay_seconds: Option<u32>,
    /// `MaximumMessageSize` in bytes.
    pub max_message_size_bytes: Option<u32>,
    /// `ReceiveMessageWaitTimeSeconds`: long polling.
    pub receive_wait_seconds: Option<u32>,
    /// The dead-letter queue and how many receives send a message there.
    pub dead_letter: Option<(Value, bool, u32)>,
    /// How messages are encrypted at rest (default: SSE-SQS).
    pub encryption: QueueEncryption,
    /// The key of the app the queue is encrypted with ([`QueueProps::encryption_key`]).
    pub encryption_key: Option<crate::kms::Key>,
    /// Deny any request not made over TLS, by queue policy (default: true).
    pub enforce_ssl: bool,
    /// What happens to the queue when it leaves the stack (default: delete, as in the AWS CDK).
    pub removal_policy: RemovalPolicy,
}

impl Default for QueueProps {
    fn default() -> Self {
        QueueProps {
            name: None,
            fifo: false,
            content_based_deduplication: false,
            fifo_throughput: None,
            visibility_timeout_seconds: None,
            retention_period_seconds: None,
            delay_seconds: None,
            max_message_size_bytes: None,
            receive_wait_seconds: None,
            dead_letter: None,
            encryption: QueueEncryption::SqsManaged,
            encryption_key: None,
            enforce_ssl: true,
            removal_policy: RemovalPolicy::Destroy,
        }
    }
}

impl QueueProps {
    /// A standard queue with SQS's defaults, encrypted, TLS only.
    pub fn new() -> Self {
        Self::default()
    }
    /// The queue's name (a FIFO queue's ends with `.fifo`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// A FIFO queue: ordered, exactly-once processing.
    pub fn fifo(mut self) -> Self {
        self.fifo = true;
        self
    }
    /// FIFO: deduplicate messages by a SHA-256 of their body.
    pub fn content_based_deduplication(mut self) -> Self {
        self.content_based_deduplication = true;
        self
    }
    /// FIFO: the throughput mode.
    pub fn fifo_throughput(mut self, mode: FifoThroughput) -> Self {
        self.fifo_throughput = Some(mode);
        self
    }
    /// How long a received message stays hidden from other consumers.
    pub fn visibility_timeout_seconds(mut self, seconds: u32) -> Self {
        self.visibility_timeout_seconds = Some(seconds);
        self
    }
    /// How long a message is kept.
    pub fn retention_period_seconds(mut self, seconds: u32) -> Self {
        self.retention_period_seconds = Some(seconds);
        self
    }
    /// How long a new message is hidden before its first delivery.
    pub fn delay_seconds(mut self, seconds: u32) -> Self {
        self.delay_seconds = Some(seconds);
        self
    }
    /// The largest message, in bytes.
    pub fn max_message_size_bytes(mut self, bytes: u32) -> Self {
        self.max_message_size_bytes = Some(bytes);
        self
    }
    /// Long polling: how long a receive waits for a message.
    pub fn receive_wait_seconds(mut self, seconds: u32) -> Self {
        self.receive_wait_seconds = Some(seconds);
        self
    }
    /// After `max_receive_count` receives, a message moves to `queue`.
    pub fn dead_letter_queue(mut self, queue: &Queue, max_receive_count: u32) -> Self {
        self.dead_letter = Some((queue.arn(), queue.fifo, max_receive_count));
        self
    }
    /// How messages are encrypted at rest.
    pub fn encryption(mut self, encryption: QueueEncryption) -> Self {
        self.encryption = encryption;
        self.encryption_key = None;
        self
    }
    /// SSE-KMS with a key of the app: senders' and consumers' grants include its rights, and
    /// a topic subscribed to the queue or a rule sending to it gets its statement in the key
    /// policy.
    pub fn encryption_key(mut self, key: &crate::kms::Key) -> Self {
        self.encryption = QueueEncryption::Kms(key.arn());
        self.encryption_key = Some(key.clone());
        self
    }
    /// Deny requests not made over TLS (on by default).
    pub fn enforce_ssl(mut self, on: bool) -> Self {
        self.enforce_ssl = on;
        self
    }
    /// What happens to the queue when it leaves the stack.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = policy;
        self
    }
}

/// An SQS queue.
///
/// # Examples
///
/// ```
/// use constructs::sqs::{Queue, QueueProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Jobs");
/// let failed = Queue::new(&mut stack, "Failed", QueueProps::new());
/// let props = QueueProps::new().visibility_timeout_seconds(120).dead_letter_queue(&failed, 3);
/// let jobs = Queue::new(&mut stack, "Jobs", props);
/// assert_eq!(jobs.visibility_timeout_seconds(), 120);
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::SQS::Queue", json!({
///     "VisibilityTimeout": 120,
///     "RedrivePolicy": {"maxReceiveCount": 3},
///     "SqsManagedSseEnabled": true,
/// }));
/// // each queue's policy denies requests made without TLS
/// template.resource_count_is("AWS::SQS::QueuePolicy", 2);
/// ```
#[derive(Debug, Clone)]
pub struct Queue {
    id: String,
    resource: ResourceRef,
    fifo: bool,
    content_based_deduplication: bool,
    encryption: QueueEncryption,
    encryption_key: Option<crate::kms::Key>,
    visibility_timeout_seconds: u32,
}

impl Queue {
    /// Creates the queue, and its policy when TLS is enforced; values SQS refuses are reported
    /// at synth with the construct path and property.
    pub fn new(stack: &mut Stack, id: &str, props: QueueProps) -> Queue {
        let path = stack.path_of(&format!("{id}/Resource"));
        let mut problem = |property: &str, message: String| {
            stack.add_problem(Problem::new(&path, message).property(property));
        };
        if let Some(name) = &props.name {
            let base = name.strip_suffix(".fifo").unwrap_or(name);
            if let Err(e) = names::check_name("a queue name", name, 1, limits::MAX_NAME, "-_.") {
                problem("QueueName", e.to_string());
            } else if base.contains('.') {
                problem(
                    "QueueName",
                    format!("the queue name \"{name}\" may hold '.' only in its .fifo suffix"),
                );
            }
            if props.fifo && !name.ends_with(".fifo") {
                problem(
                    "QueueName",
                    format!("a FIFO queue's name must end with .fifo: \"{name}.fifo\""),
                );
            }
            if !props.fifo && name.ends_with(".fifo") {
                problem(
                    "QueueName",
                    format!("\"{name}\" ends with .fifo but the queue is not FIFO: add .fifo()"),
                );
            }
        }
        if !props.fifo && props.content_based_deduplication {
            problem(
                "ContentBasedDeduplication",
                "content-based deduplication is for FIFO queues: add .fifo()".into(),
            );
        }
        if !props.fifo && props.fifo_throughput.is_some() {
            problem(
                "FifoThroughputLimit",
                "a throughput mode is for FIFO queues: add .fifo()".into(),
            );
        }
        let mut range =
            |property: &str, value: Option<u32>, ok: std::ops::RangeInclusive<u32>, unit: &str| {
                if let Some(v) = value {
                    if !ok.contains(&v) {
                        problem(
                            property,
                            format!(
                                "{v} {unit} is outside SQS's {} to {} {unit}",
                                ok.start(),
                                ok.end()
                            ),
                        );
                    }
                }
            };
        range(
            "VisibilityTimeout",
            props.visibility_timeout_seconds,
            0..=limits::MAX_VISIBILITY_TIMEOUT,
            "s",
        );
        range(
            "MessageRetentionPeriod",
            props.retention_period_seconds,
            limits::RETENTION,
            "s",
        );
        range(
            "DelaySeconds",
            props.delay_seconds,
            0..=limits::MAX_DELAY,
            "s",
        );
        range(
            "MaximumMessageSize",
            props.max_message_size_bytes,
            limits::MESSAGE_SIZE,
            "bytes",
        );
        range(
            "ReceiveMessageWaitTimeSeconds",
            props.receive_wait_seconds,
            0..=limits::MAX_RECEIVE_WAIT,
            "s",
        );
        if let Some((_, dlq_fifo, count)) = &props.dead_letter {
            range(
                "RedrivePolicy",
                Some(*count),
                limits::MAX_RECEIVE_COUNT,
                "receives",
            );
            if *dlq_fifo != props.fifo {
                problem(
                    "RedrivePolicy",
                    format!(
                        "a {} queue's dead-letter queue must be {} too",
                        if props.fifo { "FIFO" } else { "standard" },
                        if props.fifo { "FIFO" } else { "standard" }
                    ),
                );
            }
        }
        let (sse, kms) = match &props.encryption {
            QueueEncryption::SqsManaged => (Some(true), None),
            QueueEncryption::KmsManaged => (None, Some(Value::from("alias/aws/sqs"))),
            QueueEncryption::Kms(key) => (None, Some(key.clone())),
        };
        let throughput = props.fifo_throughput.map(|t| match t {
            FifoThroughput::PerQueue => ("queue", "perQueue"),
            FifoThroughput::PerMessageGroup => ("messageGroup", "perMessageGroupId"),
        });
        let mut queue = CfnQueue::new()
            .delay_seconds(props.delay_seconds)
            .kms_master_key_id(kms)
            .maximum_message_size(props.max_message_size_bytes)
            .message_retention_period(props.retention_period_seconds)
            .queue_name(props.name.clone())
            .receive_message_wait_time_seconds(props.receive_wait_seconds)
            .sqs_managed_sse_enabled(sse)
            .visibility_timeout(props.visibility_timeout_seconds);
        if props.content_based_deduplication {
            queue = queue.content_based_deduplication(true);
        }
        if props.fifo {
            queue = queue.fifo_queue(true);
        }
        if let Some((scope, limit)) = throughput {
            queue = queue
                .deduplication_scope(scope)
                .fifo_throughput_limit(limit);
        }
        if let Some((arn, _, count)) = &props.dead_letter {
            queue = queue.redrive_policy(
                RedrivePolicy::new()
                    .dead_letter_target_arn(arn.clone())
                    .max_receive_count(*count),
            );
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&queue)
                .with_unique_name(QUEUE_NAME)
                .with_removal_policy(props.removal_policy),
        );
        let queue = Queue {
            id: id.to_string(),
            resource,
            fifo: props.fifo,
            content_based_deduplication: props.content_based_deduplication,
            encryption: props.encryption,
            encryption_key: props.encryption_key,
            visibility_timeout_seconds: props.visibility_timeout_seconds.unwrap_or(30),
        };
        if props.enforce_ssl {
            queue.add_to_resource_policy(
                stack,
                PolicyStatement::deny_insecure_transport("sqs:*", [queue.arn()]),
            );
        }
        queue
    }

    /// The `AWS::SQS::Queue` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The queue's construct id in its stack.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The queue's policy (`AWS::SQS::QueuePolicy`), in the queue's stack: made with the queue
    /// when TLS is enforced, otherwise by the first statement added to it.
    pub fn policy(&self) -> ResourceRef {
        ResourceRef {
            stack: self.resource.stack.clone(),
            path: format!("{}/{}/Policy/Resource", self.resource.stack, self.id),
        }
    }

    /// The queue's URL (`Ref`).
    pub fn url(&self) -> Value {
        self.resource.reference()
    }

    /// The queue's ARN (`Fn::GetAtt` `Arn`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The queue's name (`Fn::GetAtt` `QueueName`).
    pub fn name(&self) -> Value {
        self.resource.get_att("QueueName")
    }

    /// Every metric SQS publishes by the queue's name (`QueueName`), each with its default
    /// statistic: `queue.metrics().approximate_age_of_oldest_message()`.
    pub fn metrics(&self) -> crate::l1::sqs::queue::metrics::Queue {
        crate::l1::sqs::queue::metrics::Queue::new(self.name())
    }

    /// How the queue's messages are encrypted at rest.
    pub fn encryption(&self) -> &QueueEncryption {
        &self.encryption
    }

    /// The key of the app the queue is encrypted with, when given as one.
    pub fn encryption_key(&self) -> Option<&crate::kms::Key> {
        self.encryption_key.as_ref()
    }

    /// Lets the AWS service `service` (`sns.amazonaws.com`) send to the encrypted queue
    /// through the key policy, when the queue's key is one of the app; false otherwise.
    pub(crate) fn let_service_use_key(&self, stack: &mut Stack, service: &str) -> bool {
        match &self.encryption_key {
            Some(key) => {
                key.allow_service(stack, service, &["kms:Decrypt", "kms:GenerateDataKey*"]);
                true
            }
            None => false,
        }
    }

    /// True for a FIFO queue.
    pub fn is_fifo(&self) -> bool {
        self.fifo
    }

    /// True for a FIFO queue that deduplicates by a hash of the body
    /// (`ContentBasedDeduplication`): senders need no deduplication id, and EventBridge can
    /// send to it.
    pub fn content_based_deduplication(&self) -> bool {
        self.content_based_deduplication
    }

    /// The visibility timeout in seconds (SQS's default 30 when not set).
    pub fn visibility_timeout_seconds(&self) -> u32 {
        self.visibility_timeout_seconds
    }

    /// Adds a statement to the queue's policy, creating the policy on first use. With another
    /// stack than the queue's, the statement still lands in the queue's one policy, in its
    /// stack (moved there by synth; refused, naming both stacks, when the statement refers to
    /// a stack that already depends on the queue's).
    pub fn add_to_resource_policy(&self, stack: &mut Stack, statement: PolicyStatement) {
        self.add_policy_statement(
            stack,
            statement,
            &crate::iam::cross_stack_policy_help("queue"),
        );
    }

    /// [`Self::add_to_resource_policy`], with what to say if the statement cannot move to the
    /// queue's stack.
    pub(crate) fn add_policy_statement(
        &self,
        stack: &mut Stack,
        statement: PolicyStatement,
        help: &str,
    ) {
        crate::iam::add_to_resource_policy(
            stack,
            &self.resource,
            &self.id,
            statement,
            || CfnQueuePolicy::new(policy_document(&[]), vec![self.url()]),
            help,
        );
    }

    /// The rights on the queue's KMS key that `actions` need, for a customer key.
    pub(crate) fn grant_key(&self, stack: &mut Stack, grantee: &dyn Grantable, actions: &[&str]) {
        if let Some(key) = &self.encryption_key {
            key.grant(stack, grantee, actions);
            return;
        }
        if let QueueEncryption::Kms(key) = &self.encryption {
            if let Some(arn) = crate::iam::kms_key_resource(key) {
                grant(stack, grantee, actions, vec![arn]);
            }
        }
    }

    /// `sqs:SendMessage`, `GetQueueAttributes` and `GetQueueUrl` (and the key's
    /// `kms:GenerateDataKey`/`kms:Decrypt` with a customer key).
    pub fn grant_send_messages(
        &self,
        stack: &mut Stack,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        self.grant_key(stack, grantee, &["kms:Decrypt", "kms:GenerateDataKey"]);
        grant(
            stack,
            grantee,
            &[
                "sqs:SendMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
            ],
            vec![self.arn()],
        )
    }

    /// Receiving and deleting messages: `sqs:ReceiveMessage`, `ChangeMessageVisibility`,
    /// `GetQueueUrl`, `DeleteMessage`, `GetQueueAttributes` (and the key's `kms:Decrypt`).
    pub fn grant_consume_messages(
        &self,
        stack: &mut Stack,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        self.grant_key(stack, grantee, &["kms:Decrypt"]);
        grant(
            stack,
            grantee,
            &[
                "sqs:ReceiveMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueUrl",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
            ],
            vec![self.arn()],
        )
    }

    /// `sqs:PurgeQueue`, `GetQueueAttributes` and `GetQueueUrl`.
    pub fn grant_purge(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        grant(
            stack,
            grantee,
            &[
                "sqs:PurgeQueue",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
            ],
            vec![self.arn()],
        )
    }
}
