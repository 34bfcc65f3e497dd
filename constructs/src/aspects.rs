//! Built-in aspects ([`crate::core::aspect`]) for common policies, applied to an app or a stack
//! with `Aspects::of(&mut app).add(...)`; they see every resource, the L2s' and the raw L1s'
//! alike:
//!
//! - [`EncryptedTlsOnlyBuckets`] refuses a bucket without default encryption or without a
//!   bucket policy that denies requests made without TLS;
//! - [`LogRetention`] gives every log group without a retention the one named;
//! - [`PointInTimeRecovery`] turns on point-in-time recovery on every table without it, or,
//!   [`PointInTimeRecovery::required`], refuses such a table.
//!
//! ```
//! use constructs::aspects::{EncryptedTlsOnlyBuckets, LogRetention, PointInTimeRecovery};
//! use constructs::core::aspect::Aspects;
//! use constructs::logs::RetentionDays;
//! use constructs::App;
//!
//! let mut app = App::new(".");
//! Aspects::of(&mut app)
//!     .add(EncryptedTlsOnlyBuckets)
//!     .add(LogRetention::of(RetentionDays::OneMonth))
//!     .add(PointInTimeRecovery::enabled());
//! ```

use serde_json::Value as Json;

use crate::core::aspect::{Aspect, Node};
use crate::logs::RetentionDays;

/// Every `AWS::S3::Bucket` has default encryption (`BucketEncryption` with a rule) and a bucket
/// policy of its stack that denies every request made without TLS (`Deny` with
/// `{"Bool": {"aws:SecureTransport": "false"}}`, the AWS Prescriptive Guidance's "S3 buckets
/// should require requests to use SSL" control, S3.5 of AWS Security Hub); a bucket without
/// either is refused. The [`crate::s3::Bucket`] L2 has both unless told otherwise.
#[derive(Debug, Clone, Copy)]
pub struct EncryptedTlsOnlyBuckets;

impl Aspect for EncryptedTlsOnlyBuckets {
    fn visit(&self, node: &mut Node<'_>) {
        if node.type_name() != "AWS::S3::Bucket" {
            return;
        }
        let encrypted = node
            .property("BucketEncryption.ServerSideEncryptionConfiguration")
            .and_then(Json::as_array)
            .is_some_and(|rules| !rules.is_empty());
        if !encrypted {
            node.problem(
                "BucketEncryption",
                "the bucket has no default encryption, which the app's EncryptedTlsOnlyBuckets aspect requires (BucketProps::encryption, or BucketEncryption on the L1)",
            );
        }
        let id = node.logical_id().to_string();
        let name = node.property("BucketName").cloned();
        let tls_only = node.stack_resources().any(|(_, kind, props)| {
            kind == "AWS::S3::BucketPolicy"
                && names_bucket(&props["Bucket"], &id, name.as_ref())
                && statements(&props["PolicyDocument"]).any(denies_plain_http)
        });
        if !tls_only {
            node.problem(
                "",
                "no bucket policy of the stack denies requests made without TLS (aws:SecureTransport false), which the app's EncryptedTlsOnlyBuckets aspect requires (BucketProps::enforce_ssl(true), the default)",
            );
        }
    }
}

/// Whether a bucket policy's `Bucket` is the bucket `id` (`{"Ref": id}`) or its literal name.
fn names_bucket(bucket: &Json, id: &str, name: Option<&Json>) -> bool {
    bucket.get("Ref").and_then(Json::as_str) == Some(id)
        || name.is_some_and(|n| n.is_string() && n == bucket)
}

fn statements(document: &Json) -> impl Iterator<Item = &Json> {
    match &document["Statement"] {
        Json::Array(list) => list.iter().collect::<Vec<_>>(),
        Json::Object(_) => vec![&document["Statement"]],
        _ => Vec::new(),
    }
    .into_iter()
}

/// A statement that denies every principal every S3 action without TLS.
fn denies_plain_http(statement: &Json) -> bool {
    let insecure = &statement["Condition"]["Bool"]["aws:SecureTransport"];
    let everyone = statement["Principal"] == "*" || statement["Principal"]["AWS"] == "*";
    let every_action = |a: &Json| a == "s3:*" || a == "*";
    let all_actions = match &statement["Action"] {
        Json::Array(list) => list.iter().any(every_action),
        one => every_action(one),
    };
    statement["Effect"] == "Deny"
        && everyone
        && all_actions
        && (insecure == "false" || *insecure == Json::Bool(false))
}

/// Every `AWS::Logs::LogGroup` without `RetentionInDays` keeps its events for the retention
/// named (CloudWatch Logs keeps them forever otherwise); a log group with one keeps it.
#[derive(Debug, Clone, Copy)]
pub struct LogRetention {
    days: Option<u32>,
}

impl LogRetention {
    /// The retention given to log groups that have none ([`RetentionDays::Infinite`] gives
    /// none: the aspect then changes nothing).
    pub fn of(retention: RetentionDays) -> LogRetention {
        LogRetention {
            days: retention.days(),
        }
    }
}

impl Aspect for LogRetention {
    fn visit(&self, node: &mut Node<'_>) {
        let Some(days) = self.days else { return };
        if node.type_name() == "AWS::Logs::LogGroup" && node.property("RetentionInDays").is_none() {
            node.set_property("RetentionInDays", days);
        }
    }
}

/// Point-in-time recovery (continuous backups) on every `AWS::DynamoDB::Table`: turned on
/// where it is not ([`PointInTimeRecovery::enabled`]), or such a table refused
/// ([`PointInTimeRecovery::required`]).
#[derive(Debug, Clone, Copy)]
pub struct PointInTimeRecovery {
    refuse: bool,
}

impl PointInTimeRecovery {
    /// Turns it on where it is off.
    pub fn enabled() -> PointInTimeRecovery {
        PointInTimeRecovery { refuse: false }
    }

    /// Refuses a table without it.
    pub fn required() -> PointInTimeRecovery {
        PointInTimeRecovery { refuse: true }
    }
}

const PITR: &str = "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled";

impl Aspect for PointInTimeRecovery {
    fn visit(&self, node: &mut Node<'_>) {
        if node.type_name() != "AWS::DynamoDB::Table" {
            return;
        }
        let on = node
            .property(PITR)
            .is_some_and(|v| *v == Json::Bool(true) || v == "true");
        if on {
            return;
        }
        if self.refuse {
            node.problem(
                "PointInTimeRecoverySpecification",
                "the table has no point-in-time recovery, which the app's PointInTimeRecovery aspect requires (TableProps::point_in_time_recovery)",
            );
        } else {
            node.set_property(PITR, true);
        }
    }
}
