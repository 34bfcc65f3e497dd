//! SNS: the `Topic` construct — standard or FIFO, encrypted with the AWS managed key unless
//! told otherwise, a TLS-only topic policy, a publish grant — and its subscriptions: a queue
//! (with the queue policy that lets the topic send), a function (with the invoke permission),
//! an email address or an HTTPS endpoint, each with an optional filter policy.

use serde_json::Value as Json;

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::{CfnResource, NameScope, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;
use crate::iam::{
    grant, kms_producer_statement, policy_document, Grantable, PolicyStatement, Principal,
};
use crate::l1::sns::{CfnSubscription, CfnTopic, CfnTopicPolicy};
use crate::lambda::{Function, PermissionProps};
use crate::sqs::Queue;

/// A topic's name is unique in its account and region.
const TOPIC_NAME: UniqueName = UniqueName {
    property: "TopicName",
    kind: "topic",
    scope: NameScope::AccountAndRegion,
};

/// The limits SNS sets.
pub mod limits {
    /// A topic name: 1 to 256 characters (with `.fifo` for a FIFO topic).
    pub const MAX_NAME: usize = 256;
    /// A filter policy: at most 150 combinations of values (SNS's quota; counted as the
    /// product of each key's number of values).
    pub const MAX_FILTER_COMBINATIONS: usize = 150;
    /// A filter policy: at most 5 keys.
    pub const MAX_FILTER_KEYS: usize = 5;
}

/// Settings of a [`Topic`]; `TopicProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicProps {
    /// `TopicName`; default: one CloudFormation generates.
    pub name: Option<String>,
    /// `DisplayName` (the sender of SMS and email messages).
    pub display_name: Option<String>,
    /// A FIFO topic (`FifoTopic`).
    pub fifo: bool,
    /// FIFO: deduplicate by a hash of the message.
    pub content_based_deduplication: bool,
    /// The KMS key (`KmsMasterKeyId`); default: the AWS managed key `alias/aws/sns`; `None`
    /// leaves the topic unencrypted.
    pub kms_key: Option<Value>,
    /// The key of the app the topic is encrypted with ([`TopicProps::encryption_key`]): its
    /// key policy gets what CloudWatch alarms and EventBridge rules publishing to the topic
    /// need.
    pub encryption_key: Option<crate::kms::Key>,
    /// Deny publishing not made over TLS, by topic policy (default: true).
    pub enforce_ssl: bool,
}

impl Default for TopicProps {
    fn default() -> Self {
        TopicProps {
            name: None,
            display_name: None,
            fifo: false,
            content_based_deduplication: false,
            kms_key: Some(Value::from("alias/aws/sns")),
            encryption_key: None,
            enforce_ssl: true,
        }
    }
}

impl TopicProps {
    /// A standard topic, encrypted with `alias/aws/sns`, TLS only.
    pub fn new() -> Self {
        Self::default()
    }
    /// The topic's name (a FIFO topic's ends with `.fifo`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The display name.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }
    /// A FIFO topic: ordered, deduplicated; only FIFO queues may subscribe.
    pub fn fifo(mut self) -> Self {
        self.fifo = true;
        self
    }
    /// FIFO: deduplicate by a SHA-256 of the message.
    pub fn content_based_deduplication(mut self) -> Self {
        self.content_based_deduplication = true;
        self
    }
    /// Encrypt with this key (ARN, id or alias), or leave unencrypted with `None`.
    pub fn kms_key(mut self, key: Option<Value>) -> Self {
        self.kms_key = key;
        self.encryption_key = None;
        self
    }
    /// Encrypt with a key of the app: publishers' grants include the key's rights, and
    /// CloudWatch alarms and EventBridge rules that publish to the topic get their statement
    /// in its key policy.
    pub fn encryption_key(mut self, key: &crate::kms::Key) -> Self {
        self.kms_key = Some(key.arn());
        self.encryption_key = Some(key.clone());
        self
    }
    /// Deny publishing not made over TLS (on by default).
    pub fn enforce_ssl(mut self, on: bool) -> Self {
        self.enforce_ssl = on;
        self
    }
}

/// Where a subscription delivers.
#[derive(Debug, Clone)]
pub enum Subscriber<'a> {
    /// An SQS queue (its policy lets the topic send; raw delivery by choice).
    Queue(&'a Queue),
    /// A Lambda function (its permission lets the topic invoke it).
    Function(&'a Function),
    /// An email address (confirmed by its owner).
    Email(String),
    /// An HTTPS endpoint (confirmed by the endpoint).
    Https(String),
}

/// Settings of a subscription.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubscriptionProps {
    /// `FilterPolicy`: only messages whose attributes (or body) match are delivered.
    pub filter_policy: Option<Json>,
    /// The filter applies to the message body (`FilterPolicyScope: MessageBody`).
    pub filter_on_body: bool,
    /// Queue and HTTPS subscriptions: deliver the message itself, without SNS's envelope.
    pub raw_message_delivery: bool,
}

impl SubscriptionProps {
    /// Every message, in SNS's envelope.
    pub fn new() -> Self {
        Self::default()
    }
    /// Only messages whose attributes match `policy` (`{"kind": ["order"]}`).
    pub fn filter_policy(mut self, policy: Json) -> Self {
        self.filter_policy = Some(policy);
        self
    }
    /// The filter policy applies to the message body.
    pub fn filter_on_body(mut self) -> Self {
        self.filter_on_body = true;
        self
    }
    /// Deliver the raw message (queues and HTTPS endpoints).
    pub fn raw_message_delivery(mut self) -> Self {
        self.raw_message_delivery = true;
        self
    }
}

/// An SNS topic.
///
/// # Examples
///
/// ```
/// use constructs::sns::{Subscriber, SubscriptionProps, Topic, TopicProps};
/// # use constructs::sqs::{Queue, QueueProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Alerts");
/// let topic = Topic::new(&mut stack, "Alerts", TopicProps::new().display_name("Ops"));
/// let urgent = Queue::new(&mut stack, "Urgent", QueueProps::new());
/// let high_only = SubscriptionProps::new().filter_policy(json!({"severity": ["high"]}));
/// topic.subscribe(&mut stack, Subscriber::Queue(&urgent), high_only.raw_message_delivery());
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::SNS::Topic", json!({
///     "DisplayName": "Ops",
///     "KmsMasterKeyId": "alias/aws/sns", // encrypted with the AWS managed key by default
/// }));
/// template.has_resource_properties("AWS::SNS::Subscription", json!({
///     "Protocol": "sqs", "RawMessageDelivery": true,
///     "FilterPolicy": {"severity": ["high"]},
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    id: String,
    resource: ResourceRef,
    fifo: bool,
    content_based_deduplication: bool,
    kms_key: Option<Value>,
    encryption_key: Option<crate::kms::Key>,
}

impl Topic {
    /// Creates the topic, and its policy when TLS is enforced.
    pub fn new(stack: &mut Stack, id: &str, props: TopicProps) -> Topic {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(name) = &props.name {
            let base = name.strip_suffix(".fifo").unwrap_or(name);
            if let Err(e) = names::check_name("a topic name", base, 1, limits::MAX_NAME, "-_") {
                stack.add_problem(Problem::new(&path, e.to_string()).property("TopicName"));
            }
            if props.fifo != name.ends_with(".fifo") {
                let message = if props.fifo {
                    format!("a FIFO topic's name must end with .fifo: \"{name}.fifo\"")
                } else {
                    format!("\"{name}\" ends with .fifo but the topic is not FIFO: add .fifo()")
                };
                stack.add_problem(Problem::new(&path, message).property("TopicName"));
            }
        }
        if props.content_based_deduplication && !props.fifo {
            stack.add_problem(
                Problem::new(
                    &path,
                    "content-based deduplication is for FIFO topics: add .fifo()",
                )
                .property("ContentBasedDeduplication"),
            );
        }
        let mut topic = CfnTopic::new()
            .display_name(props.display_name)
            .kms_master_key_id(props.kms_key.clone())
            .topic_name(props.name);
        if props.content_based_deduplication {
            topic = topic.content_based_deduplication(true);
        }
        if props.fifo {
            topic = topic.fifo_topic(true);
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&topic).with_unique_name(TOPIC_NAME),
        );
        let topic = Topic {
            id: id.to_string(),
            resource,
            fifo: props.fifo,
            content_based_deduplication: props.content_based_deduplication,
            kms_key: props.kms_key,
            encryption_key: props.encryption_key,
        };
        if props.enforce_ssl {
            topic.add_to_resource_policy(
                stack,
                PolicyStatement::deny_insecure_transport("sns:Publish", [topic.arn()]),
            );
        }
        topic
    }

    /// The `AWS::SNS::Topic` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The topic's ARN (`Ref`).
    pub fn arn(&self) -> Value {
        self.resource.reference()
    }

    /// The topic's name (`Fn::GetAtt` `TopicName`).
    pub fn name(&self) -> Value {
        self.resource.get_att("TopicName")
    }

    /// Every metric SNS publishes by the topic's name (`TopicName`), each with its default
    /// statistic: `topic.metrics().number_of_notifications_failed()`.
    pub fn metrics(&self) -> crate::l1::sns::topic::metrics::Topic {
        crate::l1::sns::topic::metrics::Topic::new(self.name())
    }

    /// True for a FIFO topic.
    pub fn is_fifo(&self) -> bool {
        self.fifo
    }

    /// True for a FIFO topic that deduplicates by a hash of the message
    /// (`ContentBasedDeduplication`): publishers need no deduplication id.
    pub fn content_based_deduplication(&self) -> bool {
        self.content_based_deduplication
    }

    /// The KMS key the topic is encrypted with (`KmsMasterKeyId`): `alias/aws/sns` by
    /// default, `None` when unencrypted.
    pub fn kms_key(&self) -> Option<&Value> {
        self.kms_key.as_ref()
    }

    /// The key of the app the topic is encrypted with, when given as one
    /// ([`TopicProps::encryption_key`]).
    pub fn encryption_key(&self) -> Option<&crate::kms::Key> {
        self.encryption_key.as_ref()
    }

    /// Lets the AWS service `service` (`events.amazonaws.com`) publish to the encrypted topic
    /// through the key policy, when the topic's key is one of the app; false when the key is
    /// not (then its policy is not the app's to change).
    pub(crate) fn let_service_use_key(&self, stack: &mut Stack, service: &str) -> bool {
        match &self.encryption_key {
            Some(key) => {
                key.allow_service(stack, service, &["kms:Decrypt", "kms:GenerateDataKey*"]);
                true
            }
            None => false,
        }
    }

    /// True when the topic is encrypted with SNS's AWS managed key (`alias/aws/sns`, by alias
    /// or alias ARN), whose key policy lets no other service use it: CloudWatch alarms and
    /// EventBridge cannot publish to such a topic.
    pub fn has_aws_managed_key(&self) -> bool {
        self.kms_key
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|k| k == "alias/aws/sns" || k.ends_with(":alias/aws/sns"))
    }

    /// Adds a statement to the topic's policy, creating the policy on first use. With another
    /// stack than the topic's, the statement still lands in the topic's one policy, in its
    /// stack (moved there by synth; refused, naming both stacks, when the statement refers to
    /// a stack that already depends on the topic's).
    pub fn add_to_resource_policy(&self, stack: &mut Stack, statement: PolicyStatement) {
        self.add_policy_statement(
            stack,
            statement,
            &crate::iam::cross_stack_policy_help("topic"),
        );
    }

    /// [`Self::add_to_resource_policy`], with what to say if the statement cannot move to the
    /// topic's stack.
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
            || CfnTopicPolicy::new(policy_document(&[]), vec![self.arn()]),
            help,
        );
    }

    /// `sns:Publish` on the topic, and `kms:Decrypt`/`kms:GenerateDataKey` on a customer key
    /// given by ARN or id.
    pub fn grant_publish(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        let publish = grant(stack, grantee, &["sns:Publish"], vec![self.arn()]);
        // a customer key must let the publisher encrypt (an alias, such as the AWS managed
        // key's, names no key to grant)
        match &self.encryption_key {
            Some(key) => {
                key.grant(stack, grantee, &["kms:Decrypt", "kms:GenerateDataKey"]);
            }
            None => {
                if let Some(statement) = self.kms_key.as_ref().and_then(kms_producer_statement) {
                    grantee.grant_role().add_to_policy(stack, statement);
                }
            }
        }
        publish
    }

    /// Subscribes `to`: the subscription, and what lets the topic deliver (the queue's policy
    /// statement, the function's permission). What SNS would refuse is reported at synth.
    ///
    /// A queue of another stack than `stack` gets its subscription in its own stack, beside
    /// its policy (as the AWS CDK does), so the queue's stack refers to the topic's and not
    /// the other way round; the subscription and the statement are moved there by synth.
    /// Subscriptions are numbered from what `stack` already holds, so a clone of the handle
    /// numbers them the same way.
    pub fn subscribe(
        &self,
        stack: &mut Stack,
        to: Subscriber<'_>,
        props: SubscriptionProps,
    ) -> ResourceRef {
        let free = |stack: &Stack, owner: &str, prefix: &str| {
            (1..)
                .find(|n| !stack.has_construct(&format!("{owner}/{prefix}{n}/Resource")))
                .unwrap_or(1)
        };
        let n = free(stack, stack.name(), &format!("{}/Subscription", self.id));
        let (owner, id) = match &to {
            Subscriber::Queue(q) if q.resource().stack() != stack.name() => {
                let owner = q.resource().stack().to_string();
                let alnum = |s: &str| {
                    s.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>()
                };
                let prefix = format!(
                    "{}/{}{}Subscription",
                    q.id(),
                    alnum(self.resource.stack()),
                    alnum(&self.id)
                );
                let m = free(stack, &owner, &prefix);
                (owner, format!("{prefix}{m}"))
            }
            _ => (
                stack.name().to_string(),
                format!("{}/Subscription{n}", self.id),
            ),
        };
        let path = format!("{owner}/{id}/Resource");
        let mut problem = |property: &str, message: String| {
            stack.add_problem(Problem::new(&path, message).property(property));
        };
        if let Some(policy) = &props.filter_policy {
            for p in filter_policy_problems(policy) {
                problem("FilterPolicy", p);
            }
        }
        let raw_ok = matches!(to, Subscriber::Queue(_) | Subscriber::Https(_));
        if props.raw_message_delivery && !raw_ok {
            problem(
                "RawMessageDelivery",
                "raw message delivery is for queues and HTTPS endpoints".into(),
            );
        }
        let (protocol, endpoint) = match &to {
            Subscriber::Queue(q) => {
                if self.fifo && !q.is_fifo() {
                    problem(
                        "Endpoint",
                        "a FIFO topic delivers only to FIFO queues".into(),
                    );
                }
                // SNS cannot use the AWS managed key of SQS: its key policy cannot be changed
                if *q.encryption() == crate::sqs::QueueEncryption::KmsManaged {
                    problem(
                        "Endpoint",
                        "SNS cannot deliver to a queue encrypted with the AWS managed key \
                         alias/aws/sqs: use SSE-SQS, or a customer key whose policy lets \
                         sns.amazonaws.com use it"
                            .into(),
                    );
                }
                ("sqs", q.arn())
            }
            Subscriber::Function(f) => ("lambda", f.arn()),
            Subscriber::Email(address) => {
                if !address.contains('@') {
                    problem("Endpoint", format!("\"{address}\" is not an email address"));
                }
                ("email", Value::from(address.as_str()))
            }
            Subscriber::Https(url) => {
                if !url.starts_with("https://") {
                    problem("Endpoint", format!("\"{url}\" is not an https:// URL"));
                }
                ("https", Value::from(url.as_str()))
            }
        };
        if self.fifo && !matches!(to, Subscriber::Queue(_)) {
            problem(
                "Protocol",
                "a FIFO topic delivers only to SQS queues".into(),
            );
        }
        let mut subscription = CfnSubscription::new(protocol, self.arn())
            .endpoint(endpoint)
            .filter_policy(props.filter_policy.clone());
        if props.filter_on_body {
            subscription = subscription.filter_policy_scope("MessageBody");
        }
        if props.raw_message_delivery {
            subscription = subscription.raw_message_delivery(true);
        }
        let help = "the topic's stack already refers to the queue's stack: put the topic and \
                    the queue in one stack, or subscribe a queue of a stack the topic's stack does \
                    not depend on";
        let mut resource = CfnResource::from_props(&subscription);
        if let Subscriber::Queue(q) = &to {
            q.add_policy_statement(
                stack,
                PolicyStatement::allow()
                    .action("sqs:SendMessage")
                    .principal(Principal::service("sns.amazonaws.com"))
                    .resource(q.arn())
                    .condition("ArnEquals", "aws:SourceArn", self.arn()),
                help,
            );
            // SNS delivers from the moment the subscription exists: not before the queue's
            // policy lets it (as the AWS CDK orders them); both are in the queue's stack
            resource.add_depends_on(&q.policy());
            // a queue under a key of the app: SNS encrypts what it delivers with that key
            q.let_service_use_key(stack, "sns.amazonaws.com");
        }
        let created = stack.add_resource_in(
            &owner,
            &format!("{id}/Resource"),
            resource,
            &format!(
                "the subscription {path} to the topic {}",
                self.resource.path()
            ),
            help,
        );
        match to {
            Subscriber::Queue(_) => {}
            Subscriber::Function(f) => {
                f.add_permission(
                    stack,
                    &format!("{}{n}Invoke", self.id),
                    PermissionProps::new("sns.amazonaws.com").source_arn(self.arn()),
                );
            }
            Subscriber::Email(_) | Subscriber::Https(_) => {}
        }
        created
    }
}

/// What SNS would refuse in a filter policy: a non-object, more than 5 keys, more than 150
/// combinations of values.
pub fn filter_policy_problems(policy: &Json) -> Vec<String> {
    let Some(keys) = policy.as_object() else {
        return vec!["a filter policy is a JSON object of attribute names".into()];
    };
    let mut out = Vec::new();
    if keys.len() > limits::MAX_FILTER_KEYS {
        out.push(format!(
            "the filter policy has {} keys; SNS takes at most {}",
            keys.len(),
            limits::MAX_FILTER_KEYS
        ));
    }
    let combinations: usize = keys
        .values()
        .map(|v| v.as_array().map_or(1, |a| a.len().max(1)))
        .product();
    if combinations > limits::MAX_FILTER_COMBINATIONS {
        out.push(format!(
            "the filter policy has {combinations} combinations of values; SNS takes at most {}",
            limits::MAX_FILTER_COMBINATIONS
        ));
    }
    out
}
