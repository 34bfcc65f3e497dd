//! Custom resources on the moto server of the tests, their handler the real binary
//! (`rcdk-auto-delete-objects`, built for this machine and run by the harness as Lambda runs
//! it, registered by its code key before CloudFormation creates the function), answering
//! CloudFormation through `rcdk-custom-resource` at the response URL (harness patch 16).
//!
//! - A versioned bucket with `auto_delete_objects` holding object versions and a delete
//!   marker: `rcdk destroy` empties it and CloudFormation deletes it. Without the option, the
//!   same destroy fails with S3's "The bucket you tried to delete is not empty" and the stack
//!   stays (DELETE_FAILED), as AWS does.
//! - A custom resource whose properties the handler cannot read: the deploy fails with
//!   CloudFormation's "Received response status [FAILED] from custom resource. Message
//!   returned: ..." and rolls back; the rollback's Delete of the failed create is answered
//!   SUCCESS by the protocol library without running the handler's code.
//! - `AwsCall`s (the handler `rcdk-aws-call`): an SSM parameter holding a bucket's name (a
//!   token in the call's parameters) and its `Version` read back as an attribute, a table
//!   seeded with a row; on destroy the parameter's Delete call removes it.
//!
//! Not checked on moto: IAM (the handler's rights are asserted on the template by
//! `constructs/tests/custom_resources.rs`); Update requests (the harness sends none).

mod common;

use std::time::Duration;

use common::harness::request;
use common::moto::{ok, Moto};
use constructs::custom_resources::{
    AwsCall, AwsCallProps, CustomResource, CustomResourceProps, PhysicalId, Provider, SdkCall,
};
use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::lambda::FunctionProps;
use constructs::s3::{Bucket, BucketProps};
use constructs::{App, RemovalPolicy, Stack, Value};
use serde_json::{json, Value as Json};

const HANDLER: &str = "rcdk-auto-delete-objects";
const CALLER: &str = "rcdk-aws-call";

fn app(root: &std::path::Path) -> App {
    let mut app = App::new(root);
    let mut cleaned = Stack::new("Cleaned");
    let b = Bucket::new(
        &mut cleaned,
        "Uploads",
        BucketProps::new()
            .versioned()
            .removal_policy(RemovalPolicy::Destroy)
            .auto_delete_objects(),
    );
    cleaned.add_output("BucketName", b.name());
    app.add_stack(cleaned);

    let mut kept = Stack::new("Kept");
    let b = Bucket::new(
        &mut kept,
        "Plain",
        BucketProps::new().removal_policy(RemovalPolicy::Destroy),
    );
    kept.add_output("BucketName", b.name());
    app.add_stack(kept);

    let mut broken = Stack::new("Broken");
    let provider = Provider::new(
        &mut broken,
        "Provider",
        FunctionProps::new(HANDLER).timeout_seconds(30),
    );
    // the handler reads a BucketName this resource does not give
    CustomResource::new(
        &mut broken,
        "Unreadable",
        &provider,
        CustomResourceProps::new("Custom::Unreadable").property("Bucket", "x"),
    );
    app.add_stack(broken);

    // a parameter naming a bucket, and a row in a table, each written by one API call
    let mut flagged = Stack::new("Flagged");
    let b = Bucket::new(
        &mut flagged,
        "Data",
        BucketProps::new().removal_policy(RemovalPolicy::Destroy),
    );
    let table = Table::new(
        &mut flagged,
        "Settings",
        TableProps::new(Attribute::new("id", AttributeType::String))
            .removal_policy(RemovalPolicy::Destroy),
    );
    let flag = AwsCall::new(
        &mut flagged,
        "Flag",
        AwsCallProps::new()
            .on_create(
                SdkCall::new("ssm", "PutParameter")
                    .parameters(
                        Value::object()
                            .with("Name", "/app/bucket")
                            .with("Value", b.name())
                            .with("Type", "String")
                            .with("Overwrite", true),
                    )
                    .physical_id(PhysicalId::Of("/app/bucket".into())),
            )
            .on_delete(
                SdkCall::new("ssm", "DeleteParameter")
                    .parameters(Value::object().with("Name", "/app/bucket"))
                    .ignore_error_codes(["ParameterNotFound"]),
            )
            .output_paths(["Version"]),
    );
    flagged.add_output("FlagVersion", flag.response_field("Version"));
    flagged.add_output("BucketName", b.name());
    AwsCall::new(
        &mut flagged,
        "Seed",
        AwsCallProps::new().on_create(
            SdkCall::new("dynamodb", "PutItem").parameters(
                Value::object().with("TableName", table.name()).with(
                    "Item",
                    Value::object()
                        .with("id", Value::object().with("S", "limits"))
                        .with("max", Value::object().with("N", "10")),
                ),
            ),
        ),
    );
    app.add_stack(flagged);
    app
}

/// The response objects CloudFormation received from the handlers, with the type of the
/// request each answered (the harness keeps them: the function's log group goes with its
/// stack).
fn answers(endpoint: &str, logical_prefix: &str) -> Vec<(String, Json)> {
    let answer = request(endpoint, "GET", "/rcdk-harness/cfn-responses", &[], b"");
    assert_eq!(answer.status, 200, "{}", answer.text());
    let all: Vec<Json> = serde_json::from_slice(&answer.body).unwrap_or_else(|e| panic!("{e}"));
    all.into_iter()
        .filter(|a| {
            a["Response"]["LogicalResourceId"]
                .as_str()
                .is_some_and(|id| id.starts_with(logical_prefix))
        })
        .map(|a| {
            (
                a["RequestType"].as_str().unwrap_or_default().to_string(),
                a["Response"].clone(),
            )
        })
        .collect()
}

#[test]
fn custom_resources_are_made_failed_and_deleted_as_cloudformation_does() {
    let moto = Moto::start();
    moto.reset();
    let endpoint = moto.endpoint.as_str();
    let root = common::root();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let assembly = dir.path().join("cdk.out");
    let synthesized = app(&root)
        .synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
    // the provider's function does not exist until CloudFormation makes it: its handler is
    // registered by the code object the deploy uploads
    for package in [HANDLER, CALLER] {
        let asset = synthesized
            .stacks
            .iter()
            .flat_map(|s| s.assets.iter())
            .find(|a| a.package == package)
            .unwrap_or_else(|| panic!("no asset of {package}"))
            .clone();
        let executable = common::moto::host_binary(package);
        common::harness::register(
            endpoint,
            "application/json",
            &json!({"CodeKey": asset.object_key(), "Executable": executable.to_string_lossy()})
                .to_string(),
        )
        .unwrap_or_else(|e| panic!("register {package}: {e}"));
    }
    let app = common::moto::write_assembly(&synthesized, &assembly, Some(&root));
    let toolkit = common::moto::toolkit();
    let minute = Duration::from_secs(60);
    let rcdk =
        |args: &[&str], limit| common::moto::run(&toolkit, dir.path(), endpoint, args, limit);
    ok(&rcdk(&["bootstrap"], minute), "bootstrap");
    let deploy = [
        "deploy",
        "--app",
        &app,
        "Cleaned",
        "Kept",
        "--require-approval",
        "never",
    ];
    ok(&rcdk(&deploy, Duration::from_secs(600)), "deploy");

    let runtime = common::moto::runtime();
    let (cleaned, kept) = runtime.block_on(async {
        let config = common::moto::sdk_config(endpoint).await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let output = |stack: &'static str| {
            let cfn = cfn.clone();
            async move {
                let d = cfn
                    .describe_stacks()
                    .stack_name(stack)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{e:?}"));
                let s = &d.stacks()[0];
                s.outputs()
                    .iter()
                    .find(|o| o.output_key() == Some("BucketName"))
                    .and_then(|o| o.output_value())
                    .unwrap_or_else(|| panic!("no BucketName output of {stack}"))
                    .to_string()
            }
        };
        let (cleaned, kept) = (output("Cleaned").await, output("Kept").await);
        // the custom resource is named after its bucket, as its handler answered
        let resources = cfn
            .describe_stack_resources()
            .stack_name("Cleaned")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let cleaner = resources
            .stack_resources()
            .iter()
            .find(|r| r.resource_type() == Some("Custom::S3AutoDeleteObjects"))
            .unwrap_or_else(|| panic!("no custom resource in {resources:?}"));
        assert_eq!(cleaner.physical_resource_id(), Some(cleaned.as_str()));
        // two versions of a, one of b, c with a delete marker over it
        for (key, body) in [("a", "1"), ("a", "2"), ("b", "3"), ("c", "4")] {
            s3.put_object()
                .bucket(&cleaned)
                .key(key)
                .body(body.as_bytes().to_vec().into())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        s3.delete_object()
            .bucket(&cleaned)
            .key("c")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        s3.put_object()
            .bucket(&kept)
            .key("keep.txt")
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        (cleaned, kept)
    });

    // without auto_delete_objects, S3 refuses and the stack stays
    let refused = rcdk(&["destroy", "--app", &app, "Kept", "--force"], minute);
    assert_ne!(refused.code, 0, "a bucket with an object cannot be deleted");
    let said = format!("{}{}", refused.stdout, refused.stderr);
    assert!(
        said.contains("The bucket you tried to delete is not empty"),
        "{said}"
    );

    ok(
        &rcdk(&["destroy", "--app", &app, "Cleaned", "--force"], minute),
        "destroy of Cleaned",
    );
    runtime.block_on(async {
        let config = common::moto::sdk_config(endpoint).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let gone = s3.head_bucket().bucket(&cleaned).send().await;
        assert!(
            gone.as_ref()
                .is_err_and(|e| e.as_service_error().is_some_and(|s| s.is_not_found())),
            "the emptied bucket is deleted: {gone:?}"
        );
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let kept_stack = cfn
            .describe_stacks()
            .stack_name("Kept")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            kept_stack.stacks()[0].stack_status().map(|s| s.as_str()),
            Some("DELETE_FAILED")
        );
        s3.head_bucket()
            .bucket(&kept)
            .send()
            .await
            .unwrap_or_else(|e| panic!("the refused bucket stays: {e:?}"));
    });
    let told = answers(endpoint, "UploadsAutoDeleteObjects");
    let kinds: Vec<&str> = told.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["Create", "Delete"], "{told:#?}");
    let (_, deleted) = &told[1];
    assert_eq!(deleted["Status"], "SUCCESS");
    assert_eq!(deleted["PhysicalResourceId"], cleaned.as_str());
    // the four versions and the marker
    assert_eq!(deleted["Data"], json!({"DeletedObjects": 5}));

    // a resource the handler cannot read fails the deploy, and its rollback's Delete succeeds
    let failed = rcdk(
        &[
            "deploy",
            "--app",
            &app,
            "Broken",
            "--require-approval",
            "never",
        ],
        Duration::from_secs(600),
    );
    assert_ne!(failed.code, 0);
    let said = format!("{}{}", failed.stdout, failed.stderr);
    assert!(
        said.contains("Received response status [FAILED] from custom resource. Message returned: ResourceProperties: missing field `BucketName`"),
        "{said}"
    );
    runtime.block_on(async {
        let config = common::moto::sdk_config(endpoint).await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let d = cfn
            .describe_stacks()
            .stack_name("Broken")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            d.stacks()[0].stack_status().map(|s| s.as_str()),
            Some("ROLLBACK_COMPLETE")
        );
    });
    let told = answers(endpoint, "Unreadable");
    let kinds: Vec<&str> = told.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["Create", "Delete"], "{told:#?}");
    let (created, deleted) = (&told[0].1, &told[1].1);
    assert_eq!(created["Status"], "FAILED");
    let id = created["PhysicalResourceId"].as_str().unwrap_or_default();
    assert!(id.starts_with("rcdk-failed-create:"), "{created}");
    // the Delete names the id of the failed create, and nothing was there to delete
    assert_eq!(deleted["Status"], "SUCCESS", "{deleted}");
    assert_eq!(deleted["PhysicalResourceId"], id);

    // one API call per resource: the parameter names the bucket, the table has its row
    ok(
        &rcdk(
            &[
                "deploy",
                "--app",
                &app,
                "Flagged",
                "--require-approval",
                "never",
            ],
            Duration::from_secs(600),
        ),
        "deploy of Flagged",
    );
    let ssm = |target: &str, body: Json| {
        let answer = request(
            endpoint,
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", &format!("AmazonSSM.{target}")),
                ("Authorization", &common::harness::authorization("ssm")),
            ],
            body.to_string().as_bytes(),
        );
        (
            answer.status,
            serde_json::from_slice::<Json>(&answer.body).unwrap_or(Json::Null),
        )
    };
    runtime.block_on(async {
        let config = common::moto::sdk_config(endpoint).await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let d = cfn
            .describe_stacks()
            .stack_name("Flagged")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let outputs: std::collections::BTreeMap<&str, &str> = d.stacks()[0]
            .outputs()
            .iter()
            .filter_map(|o| Some((o.output_key()?, o.output_value()?)))
            .collect();
        let (status, parameter) = ssm("GetParameter", json!({"Name": "/app/bucket"}));
        assert_eq!(status, 200, "{parameter}");
        assert_eq!(parameter["Parameter"]["Value"], outputs["BucketName"]);
        // the answer's Version, by its dotted path
        assert_eq!(outputs["FlagVersion"], "1");
        let dynamodb = aws_sdk_dynamodb::Client::new(&config);
        let tables = dynamodb
            .list_tables()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let table = tables
            .table_names()
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("no table"));
        let item = dynamodb
            .get_item()
            .table_name(&table)
            .key(
                "id",
                aws_sdk_dynamodb::types::AttributeValue::S("limits".into()),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let item = item
            .item()
            .unwrap_or_else(|| panic!("the seeded row is in {table}"));
        assert_eq!(
            item.get("max")
                .and_then(|v| v.as_n().ok())
                .map(String::as_str),
            Some("10")
        );
    });
    ok(
        &rcdk(&["destroy", "--app", &app, "Flagged", "--force"], minute),
        "destroy of Flagged",
    );
    let (status, gone) = ssm("GetParameter", json!({"Name": "/app/bucket"}));
    assert_eq!(
        (status, gone["__type"].as_str()),
        (400, Some("ParameterNotFound")),
        "{gone}"
    );
}
