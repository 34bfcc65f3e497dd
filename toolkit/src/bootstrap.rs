//! `bootstrap`: the CDKToolkit stack with the asset bucket deploy publishes to, shaped like the
//! AWS CDK's default bootstrap (same stack name, qualifier, bucket name, logical ids and SSM
//! parameter) so that either tool can later update it in place.

use constructs::core::resource::CfnResource;
use constructs::s3::{Bucket, BucketProps};
use constructs::{fns, App, CloudAssembly, SynthError, Value};

use super::assets::{BUCKET_LOGICAL_ID, TOOLKIT_STACK};

/// The version rcdk's bootstrap stack declares in `/cdk-bootstrap/hnb659fds/version`.
///
/// It is deliberately 1: the stack has the bucket but not the publishing and deployment roles
/// of the AWS CDK's bootstrap (version 6 and later), so an AWS CDK app finds out at once that
/// it must run `cdk bootstrap`, which then upgrades this stack in place.
pub const BOOTSTRAP_VERSION: &str = "1";
/// The SSM parameter the AWS CDK reads the version from.
pub const VERSION_PARAMETER: &str = "/cdk-bootstrap/hnb659fds/version";

/// The bootstrap stack, synthesized (it has no assets, so the app needs no workspace).
pub fn assembly() -> Result<CloudAssembly, SynthError> {
    let mut app = App::new(".");
    let mut stack = constructs::Stack::new(TOOLKIT_STACK);
    stack.set_description(
        "rcdk bootstrap: the asset bucket for Lambda packages and large templates (AWS CDK bootstrap layout, qualifier hnb659fds)",
    );
    // encrypted (SSE-S3), public access blocked, TLS-only policy, retained on delete
    let bucket = Bucket::new(&mut stack, BUCKET_LOGICAL_ID, BucketProps::default());
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
