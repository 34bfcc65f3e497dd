//! The L2 constructs: their defaults, validation, and the exact statements of every grant.

mod common;

use std::fs;
use std::path::Path;

use common::{assert_contains_all, problems, problems_in, statements, workspace};

use constructs::assertions::Template;
use constructs::cloudwatch::{Dashboard, DashboardProps, Metric, Statistic, Widget};
use constructs::dynamodb::{
    Attribute, AttributeType, Billing, GlobalIndexProps, ProjectionType, StreamViewType, Table,
    TableProps,
};
use constructs::iam::{
    ManagedPolicy, ManagedPolicyProps, PolicyStatement, Principal, Role, RoleProps,
};
use constructs::lambda::{
    Function, FunctionProps, FunctionUrlAuthType, FunctionUrlProps, InvokeMode,
};
use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use constructs::s3::{Bucket, BucketEncryptionKind, BucketProps};
use constructs::{App, RemovalPolicy, Stack};
use serde_json::{json, Value as Json};

fn getatt(id_prefix: &str, t: &Template, type_name: &str, attr: &str) -> Json {
    let id = t.logical_id_of_type(type_name);
    assert!(id.starts_with(id_prefix));
    json!({"Fn::GetAtt": [id, attr]})
}

// --- DynamoDB -----------------------------------------------------------------------------

#[test]
fn table_defaults_keys_and_settings() {
    let mut s = Stack::new("S");
    Table::new(
        &mut s,
        "Results",
        TableProps::new(Attribute::new("ExecutionArn", AttributeType::String))
            .sort_key(Attribute::new("ResultTimestamp", AttributeType::Number))
            .time_to_live_attribute("ttl")
            .stream(StreamViewType::NewAndOldImages)
            .point_in_time_recovery(),
    );
    let t = Template::from_stack(&s);
    t.resource_count_is("AWS::DynamoDB::Table", 1);
    t.has_resource(
        "AWS::DynamoDB::Table",
        json!({
            "Properties": {
                "AttributeDefinitions": [
                    {"AttributeName": "ExecutionArn", "AttributeType": "S"},
                    {"AttributeName": "ResultTimestamp", "AttributeType": "N"}
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [
                    {"AttributeName": "ExecutionArn", "KeyType": "HASH"},
                    {"AttributeName": "ResultTimestamp", "KeyType": "RANGE"}
                ],
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
                "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
                "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": true}
            },
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain"
        }),
    );
}

#[test]
fn table_validation() {
    let mut s = Stack::new("S");
    let t = Table::new(
        &mut s,
        "T",
        TableProps::new(Attribute::new("Id", AttributeType::String))
            .sort_key(Attribute::new("Id", AttributeType::String))
            .table_name("x")
            .billing(Billing::Provisioned { read: 0, write: 5 }),
    );
    t.add_global_secondary_index(
        &mut s,
        GlobalIndexProps::new("g", Attribute::new("Id", AttributeType::Number)),
    );
    assert_contains_all(
        &problems(s),
        &[
            "S/T/Resource [TableName]: table name \"x\" must be 3 to 255",
            "sort key Id is also the partition key",
            "capacity must be at least 1",
            "declares attribute Id as Number, but the table declares it as String",
            "give a capacity exactly when the table is provisioned",
        ],
    );
}

#[test]
fn table_grants_give_exact_actions_on_the_table_and_its_indexes() {
    let mut s = Stack::new("S");
    let plain = Table::new(
        &mut s,
        "Plain",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let indexed = Table::new(
        &mut s,
        "Indexed",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    indexed.add_global_secondary_index(
        &mut s,
        GlobalIndexProps::new("byDay", Attribute::new("day", AttributeType::String))
            .projection(ProjectionType::KeysOnly),
    );
    let reader = Role::new(
        &mut s,
        "Reader",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    let writer = Role::new(
        &mut s,
        "Writer",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    let both = Role::new(
        &mut s,
        "Both",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    plain.grant_read_data(&mut s, &reader);
    indexed.grant_write_data(&mut s, &writer);
    plain.grant_read_write_data(&mut s, &both);
    let t = Template::from_stack(&s);
    let plain_arn = json!({"Fn::GetAtt": [ids_with(&t, "Plain"), "Arn"]});
    let indexed_arn = json!({"Fn::GetAtt": [ids_with(&t, "Indexed"), "Arn"]});
    assert_eq!(
        statements(&t, "Reader"),
        vec![json!({
            "Action": ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
                       "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
            "Effect": "Allow",
            "Resource": plain_arn
        })]
    );
    assert_eq!(
        statements(&t, "Writer"),
        vec![json!({
            "Action": ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
                       "dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Effect": "Allow",
            "Resource": [indexed_arn, {"Fn::Sub": ["${Table}/index/*", {"Table": indexed_arn}]}]
        })]
    );
    assert_eq!(
        statements(&t, "Both"),
        vec![json!({
            "Action": ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
                       "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
                       "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"],
            "Effect": "Allow",
            "Resource": plain_arn
        })]
    );
    // the index key joined the attribute definitions
    t.has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({"AttributeDefinitions": [{"AttributeName": "Id"}, {"AttributeName": "day", "AttributeType": "S"}],
               "GlobalSecondaryIndexes": [{"IndexName": "byDay", "Projection": {"ProjectionType": "KEYS_ONLY"}}]}),
    );
}

fn ids_with(t: &Template, prefix: &str) -> String {
    t.to_json()["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.starts_with(prefix))
        .cloned()
        .unwrap()
}

#[test]
fn stream_grants_need_a_stream() {
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "T",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let role = Role::new(
        &mut s,
        "R",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    table.grant_stream_read(&mut s, &role);
    let mut app = App::new(".");
    app.add_stack(s);
    let e = app.synth().unwrap_err();
    assert!(e.problems()[0].message.contains("has no stream"));
}

// --- S3 -------------------------------------------------------------------------------------

#[test]
fn buckets_are_encrypted_private_and_tls_only_by_default() {
    let mut s = Stack::new("S");
    Bucket::new(&mut s, "Data", BucketProps::new());
    let t = Template::from_stack(&s);
    let arn = getatt("Data", &t, "AWS::S3::Bucket", "Arn");
    t.has_resource(
        "AWS::S3::Bucket",
        json!({
            "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true,
                    "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
            },
            "DeletionPolicy": "Retain"
        }),
    );
    let bucket_id = t.logical_id_of_type("AWS::S3::Bucket");
    let policies = t.find_resources("AWS::S3::BucketPolicy", json!({}));
    let policy = &policies.values().next().unwrap()["Properties"];
    assert_eq!(policy["Bucket"], json!({"Ref": bucket_id}));
    assert_eq!(
        policy["PolicyDocument"],
        json!({"Version": "2012-10-17", "Statement": [{
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": [arn, {"Fn::Sub": ["${Bucket}/*", {"Bucket": arn}]}]
        }]})
    );
}

#[test]
fn bucket_options_and_name_rules() {
    let mut s = Stack::new("S");
    Bucket::new(
        &mut s,
        "K",
        BucketProps::new()
            .encryption(BucketEncryptionKind::KmsManaged)
            .versioned()
            .removal_policy(RemovalPolicy::Destroy)
            .name("my-bucket"),
    );
    let t = Template::from_stack(&s);
    t.has_resource(
        "AWS::S3::Bucket",
        json!({"Properties": {
            "BucketName": "my-bucket",
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"BucketKeyEnabled": true, "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
            "VersioningConfiguration": {"Status": "Enabled"}},
            "DeletionPolicy": "Delete"}),
    );
    let mut s = Stack::new("S");
    Bucket::new(&mut s, "Bad", BucketProps::new().name("Bad_Bucket"));
    let mut app = App::new(".");
    app.add_stack(s);
    let e = app.synth().unwrap_err();
    assert!(
        e.problems()[0]
            .to_string()
            .contains("S/Bad/Resource [BucketName]"),
        "{:?}",
        e.problems()
    );
}

#[test]
fn bucket_grants_cover_objects_only() {
    let mut s = Stack::new("S");
    let b = Bucket::new(&mut s, "B", BucketProps::new());
    let r = Role::new(
        &mut s,
        "Reader",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    let w = Role::new(
        &mut s,
        "Putter",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    let rw = Role::new(
        &mut s,
        "Both",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    b.grant_read(&mut s, &r);
    b.grant_put(&mut s, &w);
    b.grant_read_write(&mut s, &rw);
    let t = Template::from_stack(&s);
    let arn = getatt("B", &t, "AWS::S3::Bucket", "Arn");
    let objects = json!({"Fn::Sub": ["${Bucket}/*", {"Bucket": arn}]});
    assert_eq!(
        statements(&t, "Reader"),
        vec![json!({"Action": "s3:GetObject", "Effect": "Allow", "Resource": objects})]
    );
    assert_eq!(
        statements(&t, "Putter"),
        vec![json!({"Action": "s3:PutObject", "Effect": "Allow", "Resource": objects})]
    );
    assert_eq!(
        statements(&t, "Both"),
        vec![
            json!({"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow", "Resource": objects})
        ]
    );
}

// --- logs and IAM ------------------------------------------------------------------------------

#[test]
fn log_groups_have_a_retention_and_a_write_grant() {
    let mut s = Stack::new("S");
    let g = LogGroup::new(
        &mut s,
        "Audit",
        LogGroupProps::new(RetentionDays::OneYear).name("/rcdk/audit"),
    );
    LogGroup::new(
        &mut s,
        "Forever",
        LogGroupProps::new(RetentionDays::Infinite),
    );
    let r = Role::new(
        &mut s,
        "Writer",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    g.grant_write(&mut s, &r);
    let t = Template::from_stack(&s);
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        json!({"LogGroupName": "/rcdk/audit", "RetentionInDays": 365}),
    );
    let forever = t.find_resources("AWS::Logs::LogGroup", json!({}));
    assert!(
        forever.values().any(|r| r.get("Properties").is_none()),
        "infinite: no RetentionInDays"
    );
    let audit = t.find_resources("AWS::Logs::LogGroup", json!({"RetentionInDays": 365}));
    let audit_id = audit.keys().next().unwrap();
    assert_eq!(
        statements(&t, "Writer"),
        vec![
            json!({"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
                    "Resource": {"Fn::GetAtt": [audit_id, "Arn"]}})
        ]
    );
    assert_eq!(RetentionDays::from_days(14), Some(RetentionDays::TwoWeeks));
    assert_eq!(RetentionDays::from_days(13), None);
}

#[test]
fn roles_statements_and_managed_policies() {
    let mut s = Stack::new("S");
    let role = Role::new(
        &mut s,
        "R",
        RoleProps::new(Principal::service("states.amazonaws.com"))
            .role_name("my-role")
            .managed_policy(constructs::iam::aws_managed_policy_arn("ReadOnlyAccess")),
    );
    role.add_to_policy(
        &mut s,
        PolicyStatement::allow()
            .action("sqs:SendMessage")
            .resource("arn:aws:sqs:us-east-1:1:q"),
    );
    // the same statement twice is kept once
    role.add_to_policy(
        &mut s,
        PolicyStatement::allow()
            .action("sqs:SendMessage")
            .resource("arn:aws:sqs:us-east-1:1:q"),
    );
    ManagedPolicy::new(
        &mut s,
        "Callers",
        ManagedPolicyProps::new([PolicyStatement::allow()
            .actions(["states:StartExecution"])
            .resource("*")])
        .name("callers")
        .role(&role),
    );
    let t = Template::from_stack(&s);
    let role_id = t.logical_id_of_type("AWS::IAM::Role");
    assert_eq!(
        t.find_resources("AWS::IAM::Role", json!({}))[&role_id]["Properties"],
        json!({
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}}]},
            "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"}],
            "RoleName": "my-role"
        })
    );
    // the same statement twice is kept once
    assert_eq!(
        statements(&t, "RDefaultPolicy"),
        vec![
            json!({"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": "arn:aws:sqs:us-east-1:1:q"})
        ]
    );
    let managed = t.find_resources("AWS::IAM::ManagedPolicy", json!({}));
    assert_eq!(
        managed.values().next().unwrap()["Properties"],
        json!({"ManagedPolicyName": "callers", "Roles": [{"Ref": role_id}],
               "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                   {"Action": "states:StartExecution", "Effect": "Allow", "Resource": "*"}]}})
    );
}

#[test]
fn invalid_statements_are_reported_where_they_are_attached() {
    let mut s = Stack::new("S");
    let role = Role::new(
        &mut s,
        "R",
        RoleProps::new(Principal::service("lambda.amazonaws.com")).role_name("bad name"),
    );
    role.add_to_policy(&mut s, PolicyStatement::allow().action("GetObject"));
    ManagedPolicy::new(&mut s, "Empty", ManagedPolicyProps::new(Vec::new()));
    assert_contains_all(
        &problems(s),
        &[
            "S/R/Resource [RoleName]: role name \"bad name\"",
            "S/R/DefaultPolicy/Resource [PolicyDocument]: \"GetObject\" is not an IAM action",
            "needs at least one resource",
            "S/Empty/Resource [PolicyDocument]: a managed policy needs at least one statement",
        ],
    );
}

#[test]
fn a_grant_made_in_the_wrong_stack_is_reported() {
    let mut a = Stack::new("A");
    let role = Role::new(
        &mut a,
        "R",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    let mut b = Stack::new("B");
    let table = Table::new(
        &mut b,
        "T",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    table.grant_read_data(&mut b, &role);
    let mut app = App::new(".");
    app.add_stack(a).add_stack(b);
    let e = app.synth().unwrap_err();
    assert!(e.problems().iter().any(|p| p
        .message
        .contains("made in stack B, but the role is in stack A")));
}

// --- Lambda ---------------------------------------------------------------------------------

#[test]
fn a_rust_function_has_its_runtime_code_asset_log_group_and_role() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "T",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let f = Function::new(
        &mut s,
        "Fn",
        FunctionProps::new("one")
            .function_name("my-fn")
            .memory_mb(512)
            .timeout_seconds(30)
            .env("TABLE", table.name()),
    );
    table.grant_write_data(&mut s, &f);
    let t = Template::from_stack_in(ws.path(), &s);
    let mut app = App::new(ws.path());
    app.add_stack(s);
    let assembly = app.synth().unwrap();
    let asset = &assembly.stack("S").unwrap().assets[0];
    assert_eq!(
        (
            asset.crate_dir.as_str(),
            asset.binary.as_str(),
            asset.architecture.as_str()
        ),
        ("lambdas/one", "one", "arm64")
    );
    assert_eq!(asset.hash.len(), 64);
    let role_id = t.logical_id_of_type("AWS::IAM::Role");
    let log_id = t.logical_id_of_type("AWS::Logs::LogGroup");
    let table_id = t.logical_id_of_type("AWS::DynamoDB::Table");
    let policy_id = t.logical_id_of_type("AWS::IAM::Policy");
    t.has_resource(
        "AWS::Lambda::Function",
        json!({
            "Properties": {
                "Architectures": ["arm64"],
                "Code": {
                    "S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                    "S3Key": format!("{}.zip", asset.hash)
                },
                "Environment": {"Variables": {"TABLE": {"Ref": table_id}}},
                "FunctionName": "my-fn",
                "Handler": "bootstrap",
                "LoggingConfig": {"LogGroup": {"Ref": log_id}},
                "MemorySize": 512,
                "Role": {"Fn::GetAtt": [role_id, "Arn"]},
                "Runtime": "provided.al2023",
                "Timeout": 30
            },
            "DependsOn": [policy_id]
        }),
    );
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        json!({"LogGroupName": "/aws/lambda/my-fn", "RetentionInDays": 14}),
    );
    assert_eq!(
        statements(&t, "FnServiceRole"),
        vec![
            json!({"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
                   "Resource": {"Fn::GetAtt": [log_id, "Arn"]}}),
            json!({"Action": ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
                              "dynamodb:PutItem", "dynamodb:UpdateItem"],
                   "Effect": "Allow", "Resource": {"Fn::GetAtt": [table_id, "Arn"]}}),
        ]
    );
}

#[test]
fn function_settings_are_checked() {
    let ws = workspace();
    let mut s = Stack::new("S");
    Function::new(
        &mut s,
        "F",
        FunctionProps::new("one")
            .memory_mb(64)
            .timeout_seconds(901)
            .function_name("has space")
            .env("AWS_REGION", "x")
            .env("1BAD", "x"),
    );
    Function::new(&mut s, "Missing", FunctionProps::new("nope"));
    assert_contains_all(
        &problems_in(ws.path(), s),
        &[
            "S/F/Resource [MemorySize]: memory 64 MB",
            "S/F/Resource [Timeout]: timeout 901 s",
            "[FunctionName]: function name \"has space\"",
            "AWS_REGION is reserved",
            "\"1BAD\" must start with a letter",
            "S/Missing/Code [Code]: the function's crate `nope` is not a package of the cargo workspace at",
        ],
    );
    // a crate that is missing is one problem, not a second one about its empty S3Key
    let mut s = Stack::new("S");
    Function::new(&mut s, "Missing", FunctionProps::new("nope"));
    let problems = problems_in(ws.path(), s);
    assert_eq!(problems.lines().count(), 1, "{problems}");
}

#[test]
fn invoke_grants_cover_versions_and_url_grants_both_actions() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = Function::new(&mut s, "F", FunctionProps::new("two"));
    let url = f.add_url(
        &mut s,
        FunctionUrlProps::new().invoke_mode(InvokeMode::ResponseStream),
    );
    let caller = Role::new(
        &mut s,
        "Caller",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    f.grant_invoke(&mut s, &caller);
    url.grant_invoke_url(&mut s, &caller);
    let t = Template::from_stack_in(ws.path(), &s);
    let arn = getatt("F", &t, "AWS::Lambda::Function", "Arn");
    assert_eq!(
        statements(&t, "Caller"),
        vec![
            json!({"Action": "lambda:InvokeFunction", "Effect": "Allow",
                   "Resource": [arn, {"Fn::Sub": ["${Function}:*", {"Function": arn}]}]}),
            json!({"Action": ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"], "Effect": "Allow", "Resource": arn}),
        ]
    );
    t.has_resource_properties(
        "AWS::Lambda::Url",
        json!({"AuthType": "AWS_IAM", "InvokeMode": "RESPONSE_STREAM", "TargetFunctionArn": arn}),
    );
    // an IAM-auth URL needs no resource policy
    t.resource_count_is("AWS::Lambda::Permission", 0);
}

#[test]
fn a_public_url_gets_both_permissions() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = Function::new(&mut s, "F", FunctionProps::new("two"));
    f.add_url(
        &mut s,
        FunctionUrlProps::new().auth_type(FunctionUrlAuthType::None),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    t.resource_count_is("AWS::Lambda::Permission", 2);
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        json!({"Action": "lambda:InvokeFunctionUrl", "Principal": "*", "FunctionUrlAuthType": "NONE"}),
    );
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        json!({"Action": "lambda:InvokeFunction", "Principal": "*", "InvokedViaFunctionUrl": true}),
    );
}

// --- assets ---------------------------------------------------------------------------------

fn hash_of(root: &Path, crate_name: &str) -> String {
    let mut s = Stack::new("S");
    Function::new(&mut s, "F", FunctionProps::new(crate_name));
    let mut app = App::new(root);
    app.add_stack(s);
    app.synth().unwrap().stack("S").unwrap().assets[0]
        .hash
        .clone()
}

#[test]
fn asset_hashes_follow_what_determines_the_binary() {
    let ws = workspace();
    let root = ws.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    let one = hash_of(root, "one");
    assert_eq!(one, hash_of(root, "one"), "stable");
    assert_ne!(one, hash_of(root, "two"));

    // unrelated: another crate's source, build output, a file outside every package
    let two = hash_of(root, "two");
    write("lambdas/two/src/main.rs", "fn main() { println!(); }\n");
    assert_ne!(two, hash_of(root, "two"));
    assert_eq!(
        one,
        hash_of(root, "one"),
        "editing crate two leaves one alone"
    );
    write("lambdas/one/target/debug/junk", "changed");
    assert_eq!(one, hash_of(root, "one"), "target/ is not hashed");
    write("README.md", "# the workspace\n");
    write("notes/todo.txt", "later\n");
    assert_eq!(
        one,
        hash_of(root, "one"),
        "files of no package are not hashed"
    );

    // the path dependency's source
    write("lambdas/shared/src/lib.rs", "pub fn g() {}\n");
    let after_dep = hash_of(root, "one");
    assert_ne!(one, after_dep, "the path dependency is hashed");
    assert_ne!(two, hash_of(root, "two"), "two changed above");

    // a path dependency of the path dependency, outside the workspace
    let outside = tempfile::tempdir().unwrap();
    let deep = outside.path().join("deep-of-one");
    fs::create_dir_all(deep.join("src")).unwrap();
    fs::write(
        deep.join("Cargo.toml"),
        "[package]\nname = \"deep-of-one\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    fs::write(deep.join("src/lib.rs"), "pub fn d() {}\n").unwrap();
    write(
        "lambdas/shared/Cargo.toml",
        &format!(
            "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\ndeep-of-one = {{ path = {:?} }}\n",
            deep.to_string_lossy()
        ),
    );
    let with_deep = hash_of(root, "one");
    fs::write(deep.join("src/lib.rs"), "pub fn d() { let _ = 1; }\n").unwrap();
    let deep_edited = hash_of(root, "one");
    assert_ne!(
        with_deep, deep_edited,
        "a transitive path dependency outside the workspace is hashed"
    );

    // a [patch] that puts a local copy in place of the registry crate, and its source
    let version = common::itoa_version();
    write(
        "patched/itoa/Cargo.toml",
        &format!("[package]\nname = \"itoa\"\nversion = \"{version}\"\nedition = \"2021\"\n"),
    );
    write("patched/itoa/src/lib.rs", "pub fn fmt() {}\n");
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    write(
        "Cargo.toml",
        &format!("{manifest}[patch.crates-io]\nitoa = {{ path = \"patched/itoa\" }}\n"),
    );
    let patched = hash_of(root, "one");
    assert_ne!(deep_edited, patched, "the [patch] is hashed");
    write("patched/itoa/src/lib.rs", "pub fn fmt() { let _ = 2; }\n");
    assert_ne!(
        patched,
        hash_of(root, "one"),
        "the [patch]ed crate's source is hashed"
    );
    let patched = hash_of(root, "one");

    // .cargo/config.toml: rustflags for the build
    write(
        ".cargo/config.toml",
        "[build]\nrustflags = [\"-C\", \"target-cpu=neoverse-n1\"]\n",
    );
    let configured = hash_of(root, "one");
    assert_ne!(patched, configured, "a .cargo/config.toml is hashed");
    write(
        ".cargo/config.toml",
        "[build]\nrustflags = [\"-C\", \"target-cpu=neoverse-v1\"]\n",
    );
    assert_ne!(configured, hash_of(root, "one"), "its rustflags are hashed");
    let configured = hash_of(root, "one");

    // the release profile
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    write(
        "Cargo.toml",
        &manifest.replace("opt-level = 3", "opt-level = \"s\""),
    );
    let profiled = hash_of(root, "one");
    assert_ne!(configured, profiled, "the release profile is hashed");

    // the features of a crate built together with it (cargo unifies them)
    write(
        "lambdas/two/Cargo.toml",
        "[package]\nname = \"two\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[features]\nextra = []\n",
    );
    let mut s = Stack::new("S");
    Function::new(&mut s, "F", FunctionProps::new("one"));
    Function::new(&mut s, "G", FunctionProps::new("two"));
    let mut app = App::new(root);
    app.add_stack(s);
    let together = app.synth().unwrap().stack("S").unwrap().assets[0]
        .hash
        .clone();
    assert_ne!(
        profiled, together,
        "the crates built together are part of the hash"
    );

    // a workspace cargo cannot read is named
    write("Cargo.toml", "[workspace\n");
    let mut s = Stack::new("S");
    Function::new(&mut s, "F", FunctionProps::new("one"));
    let mut app = App::new(root);
    app.add_stack(s);
    let e = app.synth().unwrap_err();
    assert!(
        e.problems()[0]
            .message
            .contains("cannot be read, so the function's crate cannot be hashed")
            && e.problems()[0].message.contains("cargo metadata"),
        "{:?}",
        e.problems()
    );
}

// --- CloudWatch -----------------------------------------------------------------------------

#[test]
fn dashboards_render_their_body_with_tokens_as_substitutions() {
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "T",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    Dashboard::new(
        &mut s,
        "D",
        DashboardProps::new()
            .name("ops")
            .row(vec![Widget::text("# Costs ${not a token}")])
            .row(vec![
                Widget::graph(
                    "Reads",
                    vec![Metric::new("AWS/DynamoDB", "ConsumedReadCapacityUnits")
                        .dimension("TableName", table.name())],
                ),
                Widget::graph(
                    "Writes",
                    vec![Metric::new("AWS/DynamoDB", "ConsumedWriteCapacityUnits")
                        .dimension("TableName", table.name())
                        .statistic(Statistic::Average)
                        .label("w")],
                ),
                Widget::single_value(
                    "Throttles",
                    vec![Metric::new("AWS/DynamoDB", "ThrottledRequests")],
                ),
            ]),
    );
    let t = Template::from_stack(&s);
    let table_id = t.logical_id_of_type("AWS::DynamoDB::Table");
    let d = t.find_resources(
        "AWS::CloudWatch::Dashboard",
        json!({"DashboardName": "ops"}),
    );
    let body = &d.values().next().unwrap()["Properties"]["DashboardBody"]["Fn::Sub"];
    assert_eq!(body[1], json!({"Token0": {"Ref": table_id}}));
    let text = body[0].as_str().unwrap();
    let parsed: Json = serde_json::from_str(text).unwrap();
    let w = &parsed["widgets"];
    assert_eq!(w[0]["properties"]["markdown"], "# Costs ${!not a token}");
    assert_eq!((w[1]["x"].as_u64(), w[1]["y"].as_u64()), (Some(0), Some(2)));
    assert_eq!(
        (w[2]["x"].as_u64(), w[2]["y"].as_u64()),
        (Some(12), Some(2))
    );
    // the third widget of the row wraps to the next line
    assert_eq!((w[3]["x"].as_u64(), w[3]["y"].as_u64()), (Some(0), Some(8)));
    assert_eq!(
        w[2]["properties"]["metrics"][0],
        json!(["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", "${Token0}", {"stat": "Average", "period": 300, "label": "w"}])
    );
    assert_eq!(w[1]["properties"]["region"], "${AWS::Region}");
}

#[test]
fn a_function_crate_is_found_by_package_name_wherever_the_workspace_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // not under lambdas/, the directory named unlike the package, a glob member, an exclusion
    write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"services/*\"]\nexclude = [\"services/old\"]\n",
    );
    write("Cargo.lock", "version = 4\n");
    write(
        "services/orders/Cargo.toml",
        "[package]\nname = \"orders-fn\"\nversion = \"0.1.0\"\n",
    );
    write("services/orders/src/main.rs", "fn main() {}\n");
    write(
        "services/old/Cargo.toml",
        "[package]\nname = \"old-fn\"\nversion = \"0.1.0\"\n",
    );
    let mut s = Stack::new("S");
    Function::new(&mut s, "Orders", FunctionProps::new("orders-fn"));
    let mut app = App::new(root);
    app.add_stack(s);
    let assembly = app
        .synth()
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.problems()));
    let asset = &assembly.stacks[0].assets[0];
    assert_eq!(asset.package, "orders-fn");
    assert_eq!(asset.crate_dir, "services/orders");

    // an excluded member is not a package of the workspace
    let mut s = Stack::new("S");
    Function::new(&mut s, "Old", FunctionProps::new("old-fn"));
    assert_contains_all(
        &problems_in(root, s),
        &["S/Old/Code [Code]: the function's crate `old-fn` is not a package"],
    );
}

#[test]
fn an_assembly_written_by_synth_reads_back_as_it_was_synthesized() {
    use constructs::{AssemblyDir, Format};

    let ws = workspace();
    let mut data = Stack::new("Data");
    let table = Table::new(
        &mut data,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let mut service = Stack::new("Service");
    service.add_tag("team", "orders");
    service.set_termination_protection(true);
    Function::new(
        &mut service,
        "Handler",
        FunctionProps::new("one").env("TABLE", table.name()),
    );
    let mut app = App::new(ws.path());
    app.add_stack(data);
    app.add_stack(service);
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.problems()));
    let out = ws.path().join("build/cdk.out");
    let mut rendered = synthesized.render(Format::Json, None).unwrap();
    rendered.set_workspace(&out, ws.path());
    rendered.write(&out).unwrap();

    let read = AssemblyDir::read(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        read.workspace.as_deref().map(|p| p.canonicalize().unwrap()),
        Some(ws.path().canonicalize().unwrap()),
        "rcdk.json leads back to the workspace"
    );
    let names: Vec<&str> = read
        .assembly
        .stacks
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["Data", "Service"], "deployment order");
    for (a, b) in synthesized.stacks.iter().zip(&read.assembly.stacks) {
        assert_eq!(a.template, b.template, "{}", a.name);
        assert_eq!(a.dependencies, b.dependencies, "{}", a.name);
        assert_eq!(a.tags, b.tags, "{}", a.name);
        assert_eq!(
            a.termination_protection, b.termination_protection,
            "{}",
            a.name
        );
        assert_eq!(a.assets, b.assets, "{}", a.name);
    }
    assert_eq!(read.assembly.stacks[1].dependencies, ["Data"]);

    // a file missing from it is named, as is a directory that is no assembly at all
    std::fs::remove_file(out.join("Service.assets.json")).unwrap();
    let e = AssemblyDir::read(&out).unwrap_err().to_string();
    assert!(
        e.contains("Service.assets.json") && e.contains("not found"),
        "{e}"
    );
    let e = AssemblyDir::read(&ws.path().join("nowhere"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("nowhere") && e.contains("synthesize first"),
        "{e}"
    );
}
