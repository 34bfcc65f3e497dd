//! `bootstrap`: the CDKToolkit stack with the asset bucket deploy publishes to, shaped like the
//! AWS CDK's default bootstrap (same stack name, qualifier, bucket name, logical ids and SSM
//! parameter) so that either tool can later update it in place.

use constructs::core::resource::CfnResource;
use constructs::s3::{Bucket, BucketProps};
use constructs::{fns, App, CloudAssembly, SynthError, Value};

use super::assets::{BUCKET_LOGICAL_ID, TOOLKIT_STACK};
use crate::template::TemplateView;

/// The version rcdk's bootstrap stack declares in `/cdk-bootstrap/hnb659fds/version`.
///
/// It is deliberately 1: the stack has the bucket but not the publishing and deployment roles
/// of the AWS CDK's bootstrap (version 6 and later), so an AWS CDK app finds out at once that
/// it must run `cdk bootstrap`, which then upgrades this stack in place.
pub const BOOTSTRAP_VERSION: &str = "1";
/// The SSM parameter the AWS CDK reads the version from.
pub const VERSION_PARAMETER: &str = "/cdk-bootstrap/hnb659fds/version";
/// Noncurrent object versions in the asset bucket expire after this many days.
pub const NONCURRENT_DAYS: u32 = 30;
/// Incomplete multipart uploads are aborted after this many days.
pub const ABORT_UPLOADS_DAYS: u32 = 1;

/// What bootstrap does with the `CDKToolkit` stack it finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// None there, or rcdk's own: deploy rcdk's template (a no-change deploy when equal).
    Deploy,
    /// Made by the AWS CDK (a newer bootstrap version, or resources rcdk's template lacks):
    /// used as it is, never overwritten by rcdk's smaller template.
    UseAsItIs {
        version: Option<String>,
        theirs: Vec<(String, String)>,
    },
    /// As `UseAsItIs`, but `--force` asks to replace it: these resources would be removed.
    Replace {
        version: Option<String>,
        removed: Vec<(String, String)>,
    },
}

/// Decides from the deployed template and its `BootstrapVersion` output (none: no stack).
pub fn decide(
    deployed: Option<&serde_json::Value>,
    version: Option<&str>,
    ours: &serde_json::Value,
    force: bool,
) -> Decision {
    let Some(deployed) = deployed else {
        return Decision::Deploy;
    };
    let ours = TemplateView::new(ours);
    let theirs: Vec<(String, String)> = TemplateView::new(deployed)
        .resources()
        .filter(|r| ours.resource(r.logical_id).is_none())
        .map(|r| (r.logical_id.to_string(), r.kind().to_string()))
        .collect();
    let ours_version: u64 = BOOTSTRAP_VERSION.parse().unwrap_or(1);
    let newer = version
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|v| v > ours_version);
    if theirs.is_empty() && !newer {
        return Decision::Deploy;
    }
    let version = version.map(str::to_string);
    if force {
        Decision::Replace {
            version,
            removed: theirs,
        }
    } else {
        Decision::UseAsItIs { version, theirs }
    }
}

/// The bootstrap stack, synthesized (it has no assets, so the app needs no workspace).
pub fn assembly() -> Result<CloudAssembly, SynthError> {
    let mut app = App::new(".");
    let mut stack = constructs::Stack::new(TOOLKIT_STACK);
    stack.set_description(
        "rcdk bootstrap: the asset bucket for Lambda packages and large templates (AWS CDK bootstrap layout, qualifier hnb659fds)",
    );
    // encrypted (SSE-S3), public access blocked, TLS-only policy, retained on delete
    // versioned as the AWS CDK's is, old versions expire after 30 days and unfinished
    // uploads are aborted after 1 day, so the bucket does not grow without end
    let bucket = Bucket::new(
        &mut stack,
        BUCKET_LOGICAL_ID,
        BucketProps::new().versioned(),
    );
    stack.add_property_override(
        bucket.resource(),
        "LifecycleConfiguration",
        Value::object().with(
            "Rules",
            Value::Array(vec![
                Value::object()
                    .with("Id", "CleanupOldVersions")
                    .with("Status", "Enabled")
                    .with(
                        "NoncurrentVersionExpiration",
                        Value::object().with("NoncurrentDays", NONCURRENT_DAYS),
                    ),
                Value::object()
                    .with("Id", "AbortIncompleteMultipartUploads")
                    .with("Status", "Enabled")
                    .with(
                        "AbortIncompleteMultipartUpload",
                        Value::object().with("DaysAfterInitiation", ABORT_UPLOADS_DAYS),
                    ),
            ]),
        ),
    );
    stack.add_property_override(
        bucket.resource(),
        "BucketName",
        fns::sub("cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"),
    );
    stack.override_logical_id(bucket.resource(), BUCKET_LOGICAL_ID);
    stack.add_resource(
        "CdkBootstrapVersion",
        CfnResource::custom(
            "AWS::SSM::Parameter",
            Value::object()
                .with("Type", "String")
                .with("Name", VERSION_PARAMETER)
                .with("Value", BOOTSTRAP_VERSION),
        ),
    );
    stack
        .add_output("BucketName", bucket.name())
        .description("The asset bucket: Lambda packages and templates, keyed by hash");
    stack
        .add_output(
            "BucketDomainName",
            bucket.resource().get_att("RegionalDomainName"),
        )
        .description("Its regional domain name");
    stack
        .add_output("BootstrapVersion", BOOTSTRAP_VERSION)
        .description("The version of this bootstrap stack");
    app.add_stack(stack);
    app.synth()
}

#[cfg(test)]
mod tests {
    use super::*;
    use constructs::assertions::Template;
    use serde_json::json;

    #[test]
    fn a_toolkit_stack_made_by_the_aws_cdk_is_used_as_it_is(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let assembly = assembly()?;
        let ours = &assembly
            .stack(TOOLKIT_STACK)
            .ok_or("no CDKToolkit stack")?
            .template;
        // none yet, or ours: deploy ours
        assert_eq!(decide(None, None, ours, false), Decision::Deploy);
        assert_eq!(decide(Some(ours), Some("1"), ours, false), Decision::Deploy);
        // the AWS CDK's: more resources and a newer version
        let mut cdk = ours.clone();
        cdk["Resources"]["FilePublishingRole"] = json!({"Type": "AWS::IAM::Role"});
        cdk["Resources"]["ContainerAssetsRepository"] = json!({"Type": "AWS::ECR::Repository"});
        let theirs = vec![
            (
                "FilePublishingRole".to_string(),
                "AWS::IAM::Role".to_string(),
            ),
            (
                "ContainerAssetsRepository".to_string(),
                "AWS::ECR::Repository".to_string(),
            ),
        ];
        assert_eq!(
            decide(Some(&cdk), Some("21"), ours, false),
            Decision::UseAsItIs {
                version: Some("21".into()),
                theirs: theirs.clone()
            }
        );
        assert_eq!(
            decide(Some(&cdk), Some("21"), ours, true),
            Decision::Replace {
                version: Some("21".into()),
                removed: theirs
            }
        );
        // a newer version alone is enough
        assert!(matches!(
            decide(Some(ours), Some("25"), ours, false),
            Decision::UseAsItIs { .. }
        ));
        Ok(())
    }

    #[test]
    fn the_asset_bucket_keeps_versions_for_30_days_and_aborts_stale_uploads(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let assembly = assembly()?;
        let t = &assembly
            .stack(TOOLKIT_STACK)
            .ok_or("no CDKToolkit stack")?
            .template;
        let props = &t["Resources"]["StagingBucket"]["Properties"];
        assert_eq!(props["VersioningConfiguration"]["Status"], "Enabled");
        assert_eq!(
            props["LifecycleConfiguration"]["Rules"],
            json!([
                {"Id": "CleanupOldVersions", "Status": "Enabled",
                 "NoncurrentVersionExpiration": {"NoncurrentDays": 30}},
                {"Id": "AbortIncompleteMultipartUploads", "Status": "Enabled",
                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}
            ])
        );
        Ok(())
    }

    #[test]
    fn the_bootstrap_stack_has_the_cdk_layout() -> Result<(), Box<dyn std::error::Error>> {
        let assembly = assembly()?;
        let stack = assembly.stack(TOOLKIT_STACK).ok_or("no CDKToolkit stack")?;
        let t = &stack.template;
        let bucket = &t["Resources"]["StagingBucket"];
        assert_eq!(bucket["Type"], "AWS::S3::Bucket");
        assert_eq!(
            bucket["Properties"]["BucketName"],
            json!({"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"})
        );
        assert_eq!(bucket["DeletionPolicy"], "Retain");
        assert_eq!(
            bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
                ["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
            "AES256"
        );
        assert_eq!(
            bucket["Properties"]["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"],
            true
        );
        let template = Template::from_json(stack.template.clone());
        template.has_resource_properties(
            "AWS::S3::BucketPolicy",
            json!({"PolicyDocument": {"Statement": [{
                "Effect": "Deny",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }]}}),
        );
        template.has_resource_properties(
            "AWS::SSM::Parameter",
            json!({"Name": "/cdk-bootstrap/hnb659fds/version", "Value": "1"}),
        );
        assert_eq!(
            t["Outputs"]["BucketName"]["Value"],
            json!({"Ref": "StagingBucket"})
        );
        Ok(())
    }
}
