//! S3: the `Bucket` construct with secure defaults, its policy and grants, and their L1s.

mod deployment;
pub use deployment::{BucketDeployment, BucketDeploymentProps};

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::{CfnResource, RemovalPolicy};
use crate::core::resource::{NameScope, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{grant, policy_document, Grantable, PolicyStatement};
use crate::l1::s3::bucket::{
    BucketEncryption, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, SSEAlgorithm, ServerSideEncryptionByDefault,
    ServerSideEncryptionRule, VersioningConfiguration, VersioningConfigurationStatus,
};
use crate::l1::s3::{CfnBucket, CfnBucketPolicy};

/// A bucket's name is unique in all of AWS.
const BUCKET_NAME: UniqueName = UniqueName {
    property: "BucketName",
    kind: "bucket",
    scope: NameScope::Global,
};

/// How objects are encrypted at rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BucketEncryptionKind {
    /// SSE-S3 (`AES256`), the default.
    #[default]
    S3Managed,
    /// SSE-KMS with the AWS managed key `aws/s3`.
    KmsManaged,
    /// SSE-KMS with the given key (ARN or id).
    Kms(Value),
}

/// Settings of a [`Bucket`]; `BucketProps::new()` then builder methods, every default the
/// secure one.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketProps {
    /// The bucket's name (`BucketName`); default: one CloudFormation generates.
    pub name: Option<String>,
    /// How objects are encrypted at rest (`BucketEncryption`); default: SSE-S3.
    pub encryption: BucketEncryptionKind,
    /// Block every kind of public access (default: true).
    pub block_public_access: bool,
    /// Deny any request not made over TLS, by bucket policy (default: true).
    pub enforce_ssl: bool,
    /// Keep every version of an object (`VersioningConfiguration`); default: false.
    pub versioned: bool,
    /// Default: retain, as in the AWS CDK.
    pub removal_policy: RemovalPolicy,
    /// The key of the app the bucket is encrypted with ([`BucketProps::encryption_key`]).
    pub encryption_key: Option<crate::kms::Key>,
    /// Empty the bucket before CloudFormation deletes it ([`BucketProps::auto_delete_objects`]).
    pub auto_delete_objects: bool,
}

impl Default for BucketProps {
    fn default() -> Self {
        BucketProps {
            name: None,
            encryption: BucketEncryptionKind::S3Managed,
            block_public_access: true,
            enforce_ssl: true,
            versioned: false,
            removal_policy: RemovalPolicy::Retain,
            encryption_key: None,
            auto_delete_objects: false,
        }
    }
}

impl BucketProps {
    /// The defaults: SSE-S3, public access blocked, TLS enforced, unversioned, retained.
    pub fn new() -> Self {
        Self::default()
    }
    /// The bucket's name (`BucketName`), checked against S3's naming rules at synth.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// How objects are encrypted at rest.
    pub fn encryption(mut self, kind: BucketEncryptionKind) -> Self {
        self.encryption = kind;
        self.encryption_key = None;
        self
    }
    /// SSE-KMS with a key of the app (a bucket key on): grants include the key's rights.
    pub fn encryption_key(mut self, key: &crate::kms::Key) -> Self {
        self.encryption = BucketEncryptionKind::Kms(key.arn());
        self.encryption_key = Some(key.clone());
        self
    }
    /// Whether every kind of public access is blocked (`PublicAccessBlockConfiguration`).
    pub fn block_public_access(mut self, on: bool) -> Self {
        self.block_public_access = on;
        self
    }
    /// Whether the bucket policy denies requests not made over TLS.
    pub fn enforce_ssl(mut self, on: bool) -> Self {
        self.enforce_ssl = on;
        self
    }
    /// Turns versioning on (`VersioningConfiguration.Status: Enabled`).
    pub fn versioned(mut self) -> Self {
        self.versioned = true;
        self
    }
    /// What happens to the bucket and its objects when it leaves the stack
    /// (`DeletionPolicy` and `UpdateReplacePolicy`).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = policy;
        self
    }
    /// Deletes every object (every version) when the stack deletes the bucket, so that a
    /// `RemovalPolicy::Destroy` bucket holding objects can go (S3 refuses to delete a bucket
    /// that is not empty). A custom resource does it, its handler the workspace crate
    /// `rcdk-auto-delete-objects` (one per stack); the bucket is tagged
    /// `rcdk:auto-delete-objects=true`, and the handler empties only a bucket with that tag,
    /// so turning the option off later keeps the objects. Needs `RemovalPolicy::Destroy`.
    pub fn auto_delete_objects(mut self) -> Self {
        self.auto_delete_objects = true;
        self
    }
}

/// The tag that lets the auto-delete handler empty a bucket.
pub const AUTO_DELETE_TAG: &str = "rcdk:auto-delete-objects";
/// The workspace crate of the auto-delete handler.
pub const AUTO_DELETE_CRATE: &str = "rcdk-auto-delete-objects";
/// The custom resource type that empties a bucket.
pub const AUTO_DELETE_TYPE: &str = "Custom::S3AutoDeleteObjects";

/// An S3 bucket.
///
/// # Examples
///
/// ```
/// use constructs::s3::{Bucket, BucketProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Reports");
/// Bucket::new(&mut stack, "Reports", BucketProps::new().versioned());
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::S3::Bucket", json!({
///     "VersioningConfiguration": {"Status": "Enabled"},
///     "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true,
///         "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
/// }));
/// // the bucket policy denies every request made without TLS
/// template.has_resource_properties("AWS::S3::BucketPolicy", json!({"PolicyDocument": {"Statement": [{
///     "Effect": "Deny",
///     "Condition": {"Bool": {"aws:SecureTransport": "false"}},
/// }]}}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    id: String,
    resource: ResourceRef,
    encryption: BucketEncryptionKind,
    key: Option<crate::kms::Key>,
}

impl Bucket {
    /// Creates the bucket, and its policy when SSL is enforced; a name S3 refuses is reported at
    /// synth.
    pub fn new(stack: &mut Stack, id: &str, props: BucketProps) -> Bucket {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(name) = &props.name {
            if let Err(e) = names::check_bucket_name(name) {
                stack.add_problem(Problem::new(&path, e.to_string()).property("BucketName"));
            }
        }
        let by_default = match &props.encryption {
            BucketEncryptionKind::S3Managed => {
                ServerSideEncryptionByDefault::new(SSEAlgorithm::Aes256)
            }
            BucketEncryptionKind::KmsManaged => {
                ServerSideEncryptionByDefault::new(SSEAlgorithm::AwsKms)
            }
            BucketEncryptionKind::Kms(key) => {
                ServerSideEncryptionByDefault::new(SSEAlgorithm::AwsKms)
                    .kms_master_key_id(key.clone())
            }
        };
        let mut rule =
            ServerSideEncryptionRule::new().server_side_encryption_by_default(by_default);
        if !matches!(props.encryption, BucketEncryptionKind::S3Managed) {
            rule = rule.bucket_key_enabled(true);
        }
        let mut bucket = CfnBucket::new()
            .bucket_encryption(BucketEncryption::new(vec![rule]))
            .bucket_name(props.name)
            .ownership_controls(OwnershipControls::new(vec![
                OwnershipControlsRule::new().object_ownership(ObjectOwnership::BucketOwnerEnforced)
            ]));
        if props.block_public_access {
            bucket = bucket.public_access_block_configuration(
                PublicAccessBlockConfiguration::new()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true),
            );
        }
        if props.auto_delete_objects {
            bucket = bucket.tags(vec![crate::core::l1::Tag::new(AUTO_DELETE_TAG, "true")]);
        }
        if props.versioned {
            bucket = bucket.versioning_configuration(VersioningConfiguration::new(
                VersioningConfigurationStatus::Enabled,
            ));
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&bucket)
                .with_unique_name(BUCKET_NAME)
                .with_removal_policy(props.removal_policy),
        );
        let bucket = Bucket {
            id: id.to_string(),
            resource,
            encryption: props.encryption,
            key: props.encryption_key,
        };
        if props.enforce_ssl {
            bucket.add_to_resource_policy(
                stack,
                PolicyStatement::deny_insecure_transport(
                    "s3:*",
                    [bucket.arn(), bucket.arn_for_objects("*")],
                ),
            );
        }
        if props.auto_delete_objects {
            if props.removal_policy != RemovalPolicy::Destroy {
                stack.add_problem(
                    Problem::new(
                        &path,
                        "auto_delete_objects empties the bucket when the stack deletes it, but the \
                         removal policy keeps the bucket",
                    )
                    .help("use .removal_policy(RemovalPolicy::Destroy), or drop auto_delete_objects"),
                );
            }
            bucket.add_auto_delete(stack, id);
        }
        bucket
    }

    /// The custom resource that empties the bucket before it is deleted, and its handler's
    /// rights: listing and deleting every version, and reading the tag that allows it.
    fn add_auto_delete(&self, stack: &mut Stack, id: &str) {
        use crate::custom_resources::{CustomResource, CustomResourceProps, Provider};
        let provider = Provider::singleton(stack, "RcdkAutoDeleteObjectsProvider", || {
            crate::lambda::FunctionProps::new(AUTO_DELETE_CRATE)
                .description("Empties the buckets with auto_delete_objects before CloudFormation deletes them")
                .memory_mb(256)
                .timeout_seconds(900)
        });
        grant(
            stack,
            provider.function(),
            &[
                "s3:GetBucketTagging",
                "s3:ListBucket",
                "s3:ListBucketVersions",
            ],
            vec![self.arn()],
        );
        grant(
            stack,
            provider.function(),
            &["s3:DeleteObject", "s3:DeleteObjectVersion"],
            vec![self.arn_for_objects("*")],
        );
        CustomResource::new(
            stack,
            &format!("{id}/AutoDeleteObjects"),
            &provider,
            CustomResourceProps::new(AUTO_DELETE_TYPE).property("BucketName", self.name()),
        );
    }

    /// The `AWS::S3::Bucket` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The bucket's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The bucket's ARN (`Fn::GetAtt` `Arn`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// The ARN of the objects whose keys match `pattern` (`*`, `incoming/*`).
    pub fn arn_for_objects(&self, pattern: &str) -> Value {
        fns::sub_with(format!("${{Bucket}}/{pattern}"), [("Bucket", self.arn())])
    }

    /// How objects are encrypted at rest: SSE-S3, or SSE-KMS with the AWS managed key or a
    /// key of the app (a writer of the bucket then needs a right on that key).
    pub fn encryption(&self) -> &BucketEncryptionKind {
        &self.encryption
    }

    /// Adds a statement to the bucket's policy, creating the policy on first use. With another
    /// stack than the bucket's, the statement still lands in the bucket's one policy, in its
    /// stack (moved there by synth; refused, naming both stacks, when the statement refers to
    /// a stack that already depends on the bucket's).
    pub fn add_to_resource_policy(&self, stack: &mut Stack, statement: PolicyStatement) {
        self.add_policy_statement(
            stack,
            statement,
            &crate::iam::cross_stack_policy_help("bucket"),
        );
    }

    /// [`Self::add_to_resource_policy`], with what to say if the statement cannot move to the
    /// bucket's stack.
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
            || CfnBucketPolicy::new(self.name(), policy_document(&[])),
            help,
        );
    }

    /// The rights on the bucket's customer managed key (a key of the app, or one given by ARN
    /// or id) that a grant needs: as the AWS CDK grants them.
    fn grant_key(&self, stack: &mut Stack, grantee: &dyn Grantable, actions: &[&str]) {
        if let Some(key) = &self.key {
            key.grant(stack, grantee, actions);
        } else if let BucketEncryptionKind::Kms(key) = &self.encryption {
            if let Some(arn) = crate::iam::kms_key_resource(key) {
                grant(stack, grantee, actions, vec![arn]);
            }
        }
    }

    /// `s3:GetObject` on every object (and `kms:Decrypt` on a customer key).
    pub fn grant_read(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        self.grant_key(stack, grantee, crate::kms::DECRYPT_ACTIONS);
        grant(
            stack,
            grantee,
            &["s3:GetObject"],
            vec![self.arn_for_objects("*")],
        )
    }

    /// `s3:PutObject` on every object (and `kms:Encrypt`, `ReEncrypt*`, `GenerateDataKey*` on a
    /// customer key).
    pub fn grant_put(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        self.grant_key(stack, grantee, crate::kms::ENCRYPT_ACTIONS);
        grant(
            stack,
            grantee,
            &["s3:PutObject"],
            vec![self.arn_for_objects("*")],
        )
    }

    /// `s3:GetObject` and `s3:PutObject` on every object (and the key's encrypt and decrypt
    /// rights on a customer key).
    pub fn grant_read_write(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        self.grant_key(stack, grantee, crate::kms::ENCRYPT_DECRYPT_ACTIONS);
        grant(
            stack,
            grantee,
            &["s3:GetObject", "s3:PutObject"],
            vec![self.arn_for_objects("*")],
        )
    }
}
