//! The generated L1 layer from a user's app: a KMS key (a service with no L2) encrypting a
//! bucket, typed attributes in one stack and across two, the schema check on typed values,
//! enums with their escape, tags, and every escape hatch of a resource. The expected bounds are
//! the registry schemas' (cfn-lint 1.58.0's bundle), which match the CloudFormation reference
//! (AWS::KMS::Key PendingWindowInDays: "Minimum: 7, Maximum: 30").

use constructs::l1::{kms, s3, sqs, Tag};
use constructs::{
    fns, App, Aws, Condition, DeletionPolicy, Parameter, Stack, Tags, UpdateReplacePolicy, Value,
};
use serde_json::{json, Value as Json};

/// The key policy every customer key needs: the account's root may administer it (without it
/// the key cannot be managed after creation).
fn key_policy() -> Value {
    Value::object().with("Version", "2012-10-17").with(
        "Statement",
        vec![Value::object()
            .with("Sid", "AccountRoot")
            .with("Effect", "Allow")
            .with(
                "Principal",
                Value::object().with(
                    "AWS",
                    fns::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
                ),
            )
            .with("Action", "kms:*")
            .with("Resource", "*")],
    )
}

fn encrypted_bucket(key_arn: Value) -> s3::CfnBucket {
    s3::CfnBucket::new().bucket_encryption(s3::bucket::BucketEncryption::new(vec![
        s3::bucket::ServerSideEncryptionRule::new()
            .bucket_key_enabled(true)
            .server_side_encryption_by_default(
                s3::bucket::ServerSideEncryptionByDefault::new(s3::bucket::SSEAlgorithm::AwsKms)
                    .kms_master_key_id(key_arn),
            ),
    ]))
}

fn synth(stacks: Vec<Stack>) -> Vec<(String, Json)> {
    let mut app = App::new(".");
    for s in stacks {
        app.add_stack(s);
    }
    app.synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()))
        .stacks
        .into_iter()
        .map(|s| (s.name, s.template))
        .collect()
}

fn problems(stack: Stack) -> Vec<String> {
    let mut app = App::new(".");
    app.add_stack(stack);
    app.synth()
        .err()
        .map(|e| e.problems().iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn a_kms_key_of_the_l1_layer_encrypts_a_bucket() {
    let mut s = Stack::new("Data");
    let key = s.add_l1(
        "Key",
        kms::CfnKey::new()
            .description("orders at rest")
            .enable_key_rotation(true)
            .pending_window_in_days(7)
            .key_spec(kms::key::KeySpec::SymmetricDefault)
            .key_policy(key_policy()),
    );
    s.add_l1("Orders", encrypted_bucket(key.attr_arn()));
    s.add_output("KeyId", key.ref_());
    let stacks = synth(vec![s]);
    let t = &stacks[0].1;
    assert_eq!(
        t["Resources"]["Key"],
        json!({
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": "orders at rest",
                "EnableKeyRotation": true,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": "AccountRoot",
                        "Effect": "Allow",
                        "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                        "Action": "kms:*",
                        "Resource": "*"
                    }]
                },
                "KeySpec": "SYMMETRIC_DEFAULT",
                "PendingWindowInDays": 7
            },
            "Metadata": {"aws:cdk:path": "Data/Key"}
        })
    );
    assert_eq!(
        t["Resources"]["Orders"],
        json!({
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [{
                        "BucketKeyEnabled": true,
                        "ServerSideEncryptionByDefault": {
                            "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]},
                            "SSEAlgorithm": "aws:kms"
                        }
                    }]
                }
            },
            "Metadata": {"aws:cdk:path": "Data/Orders"}
        })
    );
    assert_eq!(t["Outputs"]["KeyId"]["Value"], json!({"Ref": "Key"}));
}

#[test]
fn a_typed_attribute_crosses_stacks_as_an_export() {
    let mut keys = Stack::new("Keys");
    let key = keys.add_l1("Key", kms::CfnKey::new().key_policy(key_policy()));
    let mut data = Stack::new("Data");
    data.add_l1("Orders", encrypted_bucket(key.attr_arn()));
    let stacks = synth(vec![keys, data]);
    let (keys, data) = (&stacks[0].1, &stacks[1].1);
    let import = &data["Resources"]["Orders"]["Properties"]["BucketEncryption"]
        ["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"];
    let name = import["Fn::ImportValue"]
        .as_str()
        .unwrap_or_else(|| panic!("an import: {import}"));
    let exported: Vec<&Json> = keys["Outputs"]
        .as_object()
        .map(|o| o.values().filter(|v| v["Export"]["Name"] == name).collect())
        .unwrap_or_default();
    assert_eq!(exported.len(), 1, "{keys:#}");
    assert_eq!(exported[0]["Value"], json!({"Fn::GetAtt": ["Key", "Arn"]}));
}

#[test]
fn a_typed_literal_out_of_the_schema_is_a_problem_naming_path_and_property() {
    let mut s = Stack::new("S");
    s.add_l1("Key", kms::CfnKey::new().pending_window_in_days(3));
    s.add_l1(
        "Sized",
        kms::CfnKey::new().key_spec(kms::key::KeySpec::Other("SYMETRIC_DEFAULT".into())),
    );
    s.add_l1(
        "Bucket",
        s3::CfnBucket::new().bucket_encryption(s3::bucket::BucketEncryption::new(vec![
            s3::bucket::ServerSideEncryptionRule::new().server_side_encryption_by_default(
                s3::bucket::ServerSideEncryptionByDefault::new(s3::bucket::SSEAlgorithm::Other(
                    "aes256".into(),
                )),
            ),
        ])),
    );
    s.add_l1("Alias", kms::CfnAlias::new("orders", "key-id"));
    let found = problems(s);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_eq!(
        found[0],
        "S/Key [PendingWindowInDays]: 3 is less than the minimum, 7"
    );
    assert!(
        found[1].starts_with(
            "S/Sized [KeySpec]: \"SYMETRIC_DEFAULT\" is not one of the values CloudFormation \
             accepts: SYMMETRIC_DEFAULT, RSA_2048,"
        ),
        "{found:#?}"
    );
    assert_eq!(
        found[2],
        "S/Bucket [BucketEncryption.ServerSideEncryptionConfiguration[0].\
         ServerSideEncryptionByDefault.SSEAlgorithm]: \"aes256\" is not one of the values \
         CloudFormation accepts: aws:kms, AES256, aws:kms:dsse"
    );
    assert_eq!(
        found[3],
        "S/Alias [AliasName]: \"orders\" does not match the pattern ^(alias/)[a-zA-Z0-9:/_-]+$"
    );
}

#[test]
fn an_enum_takes_a_token_and_a_value_newer_than_the_schema() {
    let mut s = Stack::new("S");
    let spec = s.add_parameter("Spec", Parameter::string().default_value("RSA_2048"));
    s.add_l1(
        "Key",
        kms::CfnKey::new()
            .key_spec(kms::key::KeySpec::Other(spec))
            .key_usage(kms::key::KeyUsage::SignVerify),
    );
    let stacks = synth(vec![s]);
    assert_eq!(
        stacks[0].1["Resources"]["Key"]["Properties"],
        json!({"KeySpec": {"Ref": "Spec"}, "KeyUsage": "SIGN_VERIFY"})
    );
}

#[test]
fn tags_land_on_l1_resources_beside_their_own() {
    let mut s = Stack::new("S");
    s.add_l1(
        "Key",
        kms::CfnKey::new().tags(vec![Tag::new("cost-centre", "42")]),
    );
    s.add_l1("Jobs", sqs::CfnQueue::new());
    Tags::of(&mut s).add("team", "orders");
    let stacks = synth(vec![s]);
    let r = &stacks[0].1["Resources"];
    assert_eq!(
        r["Key"]["Properties"]["Tags"],
        json!([{"Key": "cost-centre", "Value": "42"}, {"Key": "team", "Value": "orders"}])
    );
    assert_eq!(
        r["Jobs"]["Properties"]["Tags"],
        json!([{"Key": "team", "Value": "orders"}])
    );
}

#[test]
fn every_escape_hatch_reaches_the_template() {
    let mut s = Stack::new("S");
    let env = s.add_parameter("Env", Parameter::string().default_value("dev"));
    let prod = s.add_condition("IsProd", Condition::equals(env, "prod"));
    let key = s.add_l1("Key", kms::CfnKey::new().description("first").enabled(true));
    let queue = s.add_l1("Jobs", sqs::CfnQueue::new().delay_seconds(5));
    s.add_property_override(&key, "Description", "overridden");
    s.add_property_override(&key, "KeyPolicy.Statement", Json::Array(vec![]));
    s.add_property_deletion_override(&key, "Enabled");
    s.set_condition(&queue, &prod);
    if let Some(r) = s.resource_mut(&queue) {
        r.add_depends_on(&key);
        r.deletion_policy = Some(DeletionPolicy::Retain);
        r.update_replace_policy = Some(UpdateReplacePolicy::Retain);
        r.metadata.insert("Owner".into(), "orders".into());
    }
    s.add_output("Region", Aws::region());
    let stacks = synth(vec![s]);
    let r = &stacks[0].1["Resources"];
    assert_eq!(
        r["Key"]["Properties"],
        json!({"Description": "overridden", "KeyPolicy": {"Statement": []}})
    );
    assert_eq!(
        r["Jobs"],
        json!({
            "Type": "AWS::SQS::Queue",
            "Properties": {"DelaySeconds": 5},
            "DependsOn": ["Key"],
            "Condition": "IsProd",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Metadata": {"aws:cdk:path": "S/Jobs", "Owner": "orders"}
        })
    );
}

/// The generated metrics (the AWS CDK's service spec): a queue's age of oldest message in an
/// alarm, by `QueueName`, averaged as the spec has it; DynamoDB's per-operation metric with its
/// two dimensions in the order DynamoDB publishes them; the account-wide one with none.
#[test]
fn generated_metrics_name_namespace_dimensions_and_statistic() {
    use constructs::cloudwatch::{Alarm, AlarmProps, Statistic};
    use constructs::dynamodb::{Attribute, AttributeType, Operation, Table, TableProps};
    use constructs::sqs::{Queue, QueueProps};

    let mut s = Stack::new("S");
    let queue = Queue::new(&mut s, "Jobs", QueueProps::new());
    let age = queue.metrics().approximate_age_of_oldest_message();
    assert_eq!(
        (
            age.namespace.as_str(),
            age.metric_name.as_str(),
            age.statistic
        ),
        (
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            Statistic::Average
        )
    );
    Alarm::new(&mut s, "Stuck", AlarmProps::new(age, 600.0));
    let table = Table::new(
        &mut s,
        "Orders",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let throttled = table.metric_throttled_requests(Operation::PutItem);
    let names: Vec<&str> = throttled
        .dimensions
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["TableName", "Operation"]);
    assert_eq!(
        throttled.dimension_value("Operation"),
        Some(&Value::from("PutItem"))
    );
    assert!(table.metric_user_errors().dimensions.is_empty());
    let stacks = synth(vec![s]);
    let resources = stacks[0].1["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let of_type = |t: &str| -> (String, Json) {
        let found: Vec<_> = resources.iter().filter(|(_, r)| r["Type"] == t).collect();
        assert_eq!(found.len(), 1, "one {t}");
        (found[0].0.clone(), found[0].1.clone())
    };
    let (queue_id, _) = of_type("AWS::SQS::Queue");
    let alarm = of_type("AWS::CloudWatch::Alarm").1["Properties"].clone();
    assert_eq!(alarm["Namespace"], json!("AWS/SQS"));
    assert_eq!(alarm["MetricName"], json!("ApproximateAgeOfOldestMessage"));
    assert_eq!(alarm["Statistic"], json!("Average"));
    assert_eq!(
        alarm["Dimensions"],
        json!([{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}])
    );
}
