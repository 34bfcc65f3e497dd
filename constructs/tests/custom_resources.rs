//! Custom resources from a user's app: a provider of their own with typed properties and an
//! attribute read by `Fn::GetAtt`, and a bucket's `auto_delete_objects`.
//!
//! Expected values come from AWS's documentation: `AWS::CloudFormation::CustomResource`
//! (ServiceToken, ServiceTimeout from 1 to 3600 seconds, type names `Custom::` and up to 60
//! characters of letters, digits and `_@-`); the S3 actions a bucket's emptying needs
//! (ListBucketVersions for ListObjectVersions, DeleteObjectVersion for a versioned delete,
//! GetBucketTagging) from "Actions, resources, and condition keys for Amazon S3".

mod common;

use common::{assert_contains_all, problems, statements};

use constructs::assertions::Template;
use constructs::custom_resources::{CustomResource, CustomResourceProps, Provider};
use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::lambda::FunctionProps;
use constructs::s3::{Bucket, BucketProps};
use constructs::{RemovalPolicy, Stack};
use serde_json::json;

fn table(s: &mut Stack) -> Table {
    Table::new(
        s,
        "Items",
        TableProps::new(Attribute::new("id", AttributeType::String)),
    )
}

#[test]
fn a_users_provider_makes_a_resource_with_properties_and_an_attribute() {
    let mut s = Stack::new("Seeded");
    let items = table(&mut s);
    let provider = Provider::new(
        &mut s,
        "Seeder",
        FunctionProps::new("process-item").timeout_seconds(300),
    );
    items.grant_write_data(&mut s, provider.function());
    let seed = CustomResource::new(
        &mut s,
        "Seed",
        &provider,
        CustomResourceProps::new("Custom::SeedTable")
            .property("TableName", items.name())
            .property("Rows", "12"),
    );
    s.add_output("Seeded", seed.attribute("Count"));
    s.add_output("SeedId", seed.physical_id());
    let t = Template::from_stack(&s);
    let function = t.logical_id_of_type("AWS::Lambda::Function");
    let table = t.logical_id_of_type("AWS::DynamoDB::Table");
    let policy = t.logical_id_of_type("AWS::IAM::Policy");
    let resources = t.find_resources("Custom::SeedTable", json!({}));
    let (id, resource) = resources.first().unwrap();
    let mut resource = resource.clone();
    resource.as_object_mut().unwrap().remove("Metadata");
    assert_eq!(
        resource,
        json!({
            "Type": "Custom::SeedTable",
            "Properties": {
                "ServiceToken": {"Fn::GetAtt": [function, "Arn"]},
                // the function's 300 s and a minute: not CloudFormation's hour
                "ServiceTimeout": 360,
                "TableName": {"Ref": table},
                "Rows": "12"
            },
            // the handler keeps its rights until the resource is deleted
            "DependsOn": [policy]
        })
    );
    t.has_output("Seeded", json!({"Value": {"Fn::GetAtt": [id, "Count"]}}));
    t.has_output("SeedId", json!({"Value": {"Ref": id}}));
}

#[test]
fn type_names_timeouts_and_reserved_properties_cloudformation_refuses() {
    let mut s = Stack::new("Bad");
    let provider = Provider::new(&mut s, "P", FunctionProps::new("process-item"));
    for (id, props) in [
        ("Plain", CustomResourceProps::new("MyThing")),
        (
            "Long",
            CustomResourceProps::new(format!("Custom::{}", "a".repeat(61))),
        ),
        ("Dot", CustomResourceProps::new("Custom::My.Thing")),
        (
            "Zero",
            CustomResourceProps::new("Custom::Ok").service_timeout_seconds(0),
        ),
        (
            "Hours",
            CustomResourceProps::new("Custom::Ok").service_timeout_seconds(7200),
        ),
        (
            "Token",
            CustomResourceProps::new("Custom::Ok").property("ServiceToken", "arn:x"),
        ),
    ] {
        CustomResource::new(&mut s, id, &provider, props);
    }
    assert_contains_all(
        &problems(s),
        &[
            "Bad/Plain/Resource [Type]: \"MyThing\" does not start with \"Custom::\"",
            "Bad/Long/Resource [Type]: \"Custom::aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": the name after \"Custom::\" has 61 characters; CloudFormation takes 1 to 60",
            "Bad/Dot/Resource [Type]: \"Custom::My.Thing\": '.' is not allowed (letters, digits and _@- only)",
            "Bad/Zero/Resource [ServiceTimeout]: ServiceTimeout is 0 s; CloudFormation takes 1 to 3600",
            "Bad/Hours/Resource [ServiceTimeout]: ServiceTimeout is 7200 s; CloudFormation takes 1 to 3600",
            "Bad/Token/Resource [ServiceToken]: ServiceToken is set by the provider, not a property of the resource",
        ],
    );
}

#[test]
fn a_service_timeout_shorter_than_the_handlers_is_a_warning() {
    let mut s = Stack::new("Warned");
    let provider = Provider::new(
        &mut s,
        "P",
        FunctionProps::new("process-item").timeout_seconds(600),
    );
    CustomResource::new(
        &mut s,
        "R",
        &provider,
        CustomResourceProps::new("Custom::Slow").service_timeout_seconds(120),
    );
    let mut app = constructs::App::new(".");
    app.add_stack(s);
    let assembly = app.synth().unwrap();
    let warnings: Vec<String> = assembly.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings.iter().any(|w| w
            == "Warned/R/Resource: ServiceTimeout (120 s) is shorter than the provider's timeout (600 s): CloudFormation may give up while the handler works"),
        "{warnings:?}"
    );
}

#[test]
fn buckets_that_empty_themselves_share_one_handler_and_are_tagged() {
    let mut s = Stack::new("Data");
    Bucket::new(
        &mut s,
        "Uploads",
        BucketProps::new()
            .removal_policy(RemovalPolicy::Destroy)
            .auto_delete_objects(),
    );
    Bucket::new(
        &mut s,
        "Logs",
        BucketProps::new()
            .versioned()
            .removal_policy(RemovalPolicy::Destroy)
            .auto_delete_objects(),
    );
    let t = Template::from_stack(&s);
    t.resource_count_is("AWS::Lambda::Function", 1);
    t.resource_count_is("Custom::S3AutoDeleteObjects", 2);
    t.has_resource_properties(
        "AWS::Lambda::Function",
        json!({"Timeout": 900, "MemorySize": 256}),
    );
    let uploads_id = {
        let found = t.find_resources(
            "AWS::S3::Bucket",
            json!({"Tags": [{"Key": "rcdk:auto-delete-objects", "Value": "true"}]}),
        );
        assert_eq!(found.len(), 2, "both buckets carry the tag");
        found
            .keys()
            .find(|k| k.starts_with("Uploads"))
            .unwrap()
            .clone()
    };
    let cleaner = t.find_resources(
        "Custom::S3AutoDeleteObjects",
        json!({"BucketName": {"Ref": uploads_id}}),
    );
    let (_, cleaner) = cleaner.first().unwrap();
    assert_eq!(cleaner["Properties"]["ServiceTimeout"], 960);
    let policy = t.logical_id_of_type("AWS::IAM::Policy");
    assert_eq!(cleaner["DependsOn"], json!([policy]));
    // the handler may list and delete each bucket's versions, and read its tags; nothing more
    let granted = statements(&t, "RcdkAutoDeleteObjectsProvider");
    let actions: Vec<&str> = granted
        .iter()
        .flat_map(|st| {
            st["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
        })
        .filter(|a| a.starts_with("s3:"))
        .collect();
    assert_eq!(
        actions,
        [
            "s3:GetBucketTagging",
            "s3:ListBucket",
            "s3:ListBucketVersions",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:GetBucketTagging",
            "s3:ListBucket",
            "s3:ListBucketVersions",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
        ]
    );
    let granted: Vec<_> = granted
        .into_iter()
        .filter(|st| st["Action"][0].as_str().unwrap().starts_with("s3:"))
        .collect();
    assert_eq!(
        granted[0]["Resource"],
        json!({"Fn::GetAtt": [uploads_id, "Arn"]})
    );
    assert_eq!(
        granted[1]["Resource"],
        json!({"Fn::Sub": ["${Bucket}/*", {"Bucket": {"Fn::GetAtt": [uploads_id, "Arn"]}}]})
    );
}

#[test]
fn a_retained_bucket_cannot_delete_its_objects() {
    let mut s = Stack::new("Kept");
    Bucket::new(&mut s, "Archive", BucketProps::new().auto_delete_objects());
    assert_contains_all(
        &problems(s),
        &["Kept/Archive/Resource: auto_delete_objects empties the bucket when the stack deletes it, but the removal policy keeps the bucket"],
    );
}

#[test]
fn an_sdk_call_is_described_as_json_text_with_its_tokens_and_its_right_granted() {
    use constructs::custom_resources::{AwsCall, AwsCallProps, PhysicalId, SdkCall};
    use constructs::Value;
    let mut s = Stack::new("Calls");
    let uploads = Bucket::new(&mut s, "Uploads", BucketProps::new());
    let call = AwsCall::new(
        &mut s,
        "Flag",
        AwsCallProps::new()
            .on_create(
                SdkCall::new("ssm", "PutParameter")
                    .parameters(
                        Value::object()
                            .with("Name", "/app/bucket")
                            .with("Value", uploads.name())
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
    s.add_output("Version", call.response_field("Version"));
    let t = Template::from_stack(&s);
    let bucket = t.logical_id_of_type("AWS::S3::Bucket");
    let resources = t.find_resources("Custom::AwsCall", json!({}));
    let (id, resource) = resources.first().unwrap();
    let create_head = "{\"Service\":\"ssm\",\"Action\":\"PutParameter\",\"EndpointPrefix\":\"ssm\",\"SigningName\":\"ssm\",\"TargetPrefix\":\"AmazonSSM\",\"JsonVersion\":\"1.1\",\"Parameters\":{\"Name\":\"/app/bucket\",\"Value\":\"";
    let create_tail =
        "\",\"Overwrite\":true},\"PhysicalId\":{\"Id\":\"/app/bucket\"},\"IgnoreErrorCodes\":[]}";
    let create = json!({"Fn::Join": ["", [create_head, {"Ref": bucket}, create_tail]]});
    // no update call given: the create call is made on update too
    assert_eq!(resource["Properties"]["Create"], create);
    assert_eq!(resource["Properties"]["Update"], create);
    assert_eq!(
        resource["Properties"]["Delete"],
        "{\"Service\":\"ssm\",\"Action\":\"DeleteParameter\",\"EndpointPrefix\":\"ssm\",\"SigningName\":\"ssm\",\"TargetPrefix\":\"AmazonSSM\",\"JsonVersion\":\"1.1\",\"Parameters\":{\"Name\":\"/app/bucket\"},\"PhysicalId\":{\"Id\":\"Calls/Flag/Resource\"},\"IgnoreErrorCodes\":[\"ParameterNotFound\"]}"
    );
    assert_eq!(resource["Properties"]["OutputPaths"], "[\"Version\"]");
    // the text is JSON once CloudFormation puts the bucket's name in
    let joined = format!("{create_head}my-bucket{create_tail}");
    let parsed: serde_json::Value = serde_json::from_str(&joined).unwrap();
    assert_eq!(parsed["Parameters"]["Overwrite"], true);
    t.has_output("Version", json!({"Value": {"Fn::GetAtt": [id, "Version"]}}));
    let granted = statements(&t, "RcdkAwsCallProvider");
    let ssm: Vec<_> = granted
        .iter()
        .filter(|st| st["Action"][0].as_str().unwrap().starts_with("ssm:"))
        .collect();
    assert_eq!(
        ssm,
        [
            &json!({"Effect": "Allow", "Action": ["ssm:PutParameter", "ssm:DeleteParameter"], "Resource": "*"})
        ]
    );
}

#[test]
fn an_sdk_call_the_handler_cannot_make_is_refused() {
    use constructs::custom_resources::{AwsCall, AwsCallProps, SdkCall};
    let mut s = Stack::new("Bad");
    AwsCall::new(&mut s, "Nothing", AwsCallProps::new());
    AwsCall::new(
        &mut s,
        "Rest",
        AwsCallProps::new().on_create(SdkCall::new("s3", "PutObject")),
    );
    AwsCall::new(
        &mut s,
        "Lower",
        AwsCallProps::new().on_delete(SdkCall::new("dynamodb", "put_item")),
    );
    assert_contains_all(
        &problems(s),
        &[
            "Bad/Nothing/Resource: an AwsCall without a call does nothing",
            "Bad/Rest/Resource [Create]: the Create call names the service \"s3\", which the SDK-call resource cannot call (it calls the services that speak JSON: dynamodb, ssm, states, secretsmanager, kms, logs, events, sqs, cognito-idp, kinesis, firehose)",
            "Bad/Lower/Resource [Delete]: the Delete call's action \"put_item\" is not an API action name (PutItem, as the API reference spells it)",
        ],
    );
}
