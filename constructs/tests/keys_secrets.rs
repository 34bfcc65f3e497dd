//! KMS keys, Secrets Manager secrets and SSM parameters, from a user's app: each derived
//! statement whole (actions, resources, principals, conditions), and each refusal with its
//! construct path and property.
//!
//! Expected statements come from AWS's documentation: the default key policy ("Default key
//! policy", AWS KMS Developer Guide: `kms:*` to the account root, which lets IAM policies grant
//! the key); CloudWatch Logs' key policy ("Encrypt log data in CloudWatch Logs using AWS KMS":
//! `logs.<region>.amazonaws.com`, `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`,
//! `kms:GenerateDataKey*`, `kms:Describe*`, conditioned on `kms:EncryptionContext:aws:logs:arn`);
//! CloudWatch alarms and EventBridge publishing to an encrypted topic (SNS Developer Guide,
//! "Enable compatibility between event sources from AWS services and encrypted topics":
//! `kms:Decrypt` and `kms:GenerateDataKey*` for the service principal); Secrets Manager's
//! rotation permissions ("Permissions for rotation": DescribeSecret, GetSecretValue,
//! PutSecretValue, UpdateSecretVersionStage on the secret, GetRandomPassword on `*`); KMS's
//! quotas for the pending window (7 to 30 days) and rotation period (90 to 2560 days).

mod common;

use common::{assert_contains_all, problems, problems_in, statements, workspace};

use constructs::assertions::Template;
use constructs::cloudwatch::{Alarm, AlarmProps, Metric};
use constructs::events::{EventPattern, Rule, RuleProps, Target};
use constructs::iam::{PolicyStatement, Principal, Role, RoleProps};
use constructs::kms::{Key, KeyProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use constructs::secretsmanager::{GenerateSecret, Secret, SecretProps};
use constructs::sns::{Topic, TopicProps};
use constructs::ssm::{StringParameter, StringParameterProps};
use constructs::{App, Stack};
use serde_json::{json, Value as Json};

fn role(s: &mut Stack) -> Role {
    Role::new(
        s,
        "Worker",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    )
}

/// The logical id of the resource of `type_name` whose id starts with `prefix`.
fn id_of(t: &Template, type_name: &str, prefix: &str) -> String {
    t.find_resources(type_name, json!({}))
        .keys()
        .find(|k| k.starts_with(prefix))
        .cloned()
        .unwrap_or_else(|| panic!("no {type_name} {prefix}"))
}

fn key_policy(t: &Template) -> Vec<Json> {
    let keys = t.find_resources("AWS::KMS::Key", json!({}));
    let (_, key) = keys.first().expect("a key");
    key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap()
        .clone()
}

fn root() -> Json {
    json!({
        "Action": "kms:*",
        "Effect": "Allow",
        "Principal": {"AWS": {"Fn::Sub": ["arn:${AWS::Partition}:iam::${Account}:root", {"Account": {"Ref": "AWS::AccountId"}}]}},
        "Resource": "*"
    })
}

fn key_arn(t: &Template) -> Json {
    json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::KMS::Key"), "Arn"]})
}

#[test]
fn a_key_has_the_account_root_statement_rotation_and_is_retained() {
    let mut s = Stack::new("S");
    let key = Key::new(&mut s, "Data", KeyProps::new().description("orders"));
    key.add_alias(&mut s, "alias/orders");
    let t = Template::from_stack(&s);
    assert_eq!(key_policy(&t), vec![root()]);
    t.has_resource(
        "AWS::KMS::Key",
        json!({
            "Properties": {"Description": "orders", "EnableKeyRotation": true},
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain"
        }),
    );
    t.has_resource_properties(
        "AWS::KMS::Alias",
        json!({"AliasName": "alias/orders", "TargetKeyId": {"Ref": t.logical_id_of_type("AWS::KMS::Key")}}),
    );
}

#[test]
fn a_grant_names_the_key_and_a_key_that_does_not_trust_the_account_names_the_role() {
    let mut s = Stack::new("S");
    let worker = role(&mut s);
    let key = Key::new(&mut s, "Data", KeyProps::new());
    key.grant_encrypt_decrypt(&mut s, &worker);
    let t = Template::from_stack(&s);
    assert_eq!(
        statements(&t, "Worker"),
        vec![json!({
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
            "Effect": "Allow",
            "Resource": key_arn(&t)
        })]
    );
    // the root statement delegates to IAM: the key policy is left as it is
    assert_eq!(key_policy(&t), vec![root()]);

    let mut s = Stack::new("S");
    let admin = Role::new(
        &mut s,
        "Admin",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    let worker = role(&mut s);
    let admin_statement = PolicyStatement::allow()
        .action("kms:*")
        .principal(Principal::Arn(admin.arn()))
        .resource("*");
    let key = Key::new(
        &mut s,
        "Data",
        KeyProps::new().policy(vec![admin_statement]),
    );
    key.grant_decrypt(&mut s, &worker);
    let t = Template::from_stack(&s);
    let worker_arn = json!({"Fn::GetAtt": [id_of(&t, "AWS::IAM::Role", "Worker"), "Arn"]});
    assert_eq!(
        key_policy(&t)[1],
        json!({"Action": "kms:Decrypt", "Effect": "Allow", "Principal": {"AWS": worker_arn}, "Resource": "*"})
    );
    assert_eq!(
        statements(&t, "Worker"),
        vec![json!({"Action": "kms:Decrypt", "Effect": "Allow", "Resource": key_arn(&t)})]
    );
}

#[test]
fn a_key_policy_that_locks_the_account_out_and_out_of_range_windows_are_refused() {
    let mut s = Stack::new("S");
    let worker = role(&mut s);
    Key::new(
        &mut s,
        "Locked",
        KeyProps::new().policy(vec![PolicyStatement::allow()
            .action("kms:Decrypt")
            .principal(Principal::Arn(worker.arn()))
            .resource("*")]),
    );
    Key::new(
        &mut s,
        "Short",
        KeyProps::new()
            .pending_window_days(3)
            .rotation_period_days(30),
    );
    Key::new(
        &mut s,
        "Denied",
        KeyProps::new().policy(vec![
            constructs::kms::account_root_statement(),
            PolicyStatement::deny()
                .action("kms:Put*")
                .principal(Principal::Any)
                .resource("*"),
        ]),
    );
    let key = Key::new(&mut s, "Named", KeyProps::new());
    key.add_alias(&mut s, "alias/aws/orders");
    key.add_alias(&mut s, "orders");
    let all = problems(s);
    assert_contains_all(
        &all,
        &[
            "S/Locked/Resource [KeyPolicy]: the key policy lets no principal call kms:PutKeyPolicy",
            "S/Short/Resource [PendingWindowInDays]: a pending window of 3 days is outside KMS's 7..=30",
            "S/Short/Resource [RotationPeriodInDays]: a rotation period of 30 days is outside KMS's 90..=2560",
            "S/Denied/Resource [KeyPolicy]: a statement of the key policy denies kms:PutKeyPolicy to everyone",
            "S/Named/AliasAwsOrders [AliasName]: the alias name \"alias/aws/orders\" starts with alias/aws/",
            "S/Named/AliasOrders [AliasName]: the alias name \"orders\" does not start with alias/",
        ],
    );
}

#[test]
fn an_encrypted_log_group_puts_the_logs_statement_in_the_key_policy() {
    let mut s = Stack::new("S");
    let key = Key::new(&mut s, "Data", KeyProps::new());
    LogGroup::new(
        &mut s,
        "Audit",
        LogGroupProps::new(RetentionDays::OneMonth)
            .name("/orders/audit")
            .encryption_key(&key),
    );
    LogGroup::new(
        &mut s,
        "Other",
        LogGroupProps::new(RetentionDays::OneMonth).encryption_key(&key),
    );
    let t = Template::from_stack(&s);
    let logs = |group: &str| {
        json!({
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}")}}},
            "Effect": "Allow",
            "Principal": {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}},
            "Resource": "*"
        })
    };
    assert_eq!(
        key_policy(&t),
        vec![root(), logs("/orders/audit"), logs("*")]
    );
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        json!({"LogGroupName": "/orders/audit", "KmsKeyId": key_arn(&t)}),
    );
}

#[test]
fn alarms_and_rules_publishing_to_a_topic_under_a_key_of_the_app_get_key_policy_statements() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let key = Key::new(&mut s, "Data", KeyProps::new());
    let topic = Topic::new(&mut s, "Ops", TopicProps::new().encryption_key(&key));
    Alarm::new(
        &mut s,
        "High",
        AlarmProps::new(Metric::new("Shop", "Errors"), 1.0).alarm_topic(&topic),
    );
    let rule = Rule::new(
        &mut s,
        "Placed",
        RuleProps::new().event_pattern(EventPattern::new().source(["com.example.orders"])),
    );
    rule.add_target(&mut s, Target::topic(&topic));
    let publisher = role(&mut s);
    topic.grant_publish(&mut s, &publisher);
    let mut app = App::new(ws.path());
    app.add_stack(s);
    let assembly = app.synth().expect("synth");
    assert!(
        assembly.warnings.is_empty(),
        "no warning about the key policy: {:?}",
        assembly.warnings
    );
    let t = Template::from_json(assembly.stacks[0].template.clone());
    let service = |name: &str| {
        json!({
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Effect": "Allow",
            "Principal": {"Service": name},
            "Resource": "*"
        })
    };
    assert_eq!(
        key_policy(&t),
        vec![
            root(),
            service("cloudwatch.amazonaws.com"),
            service("events.amazonaws.com")
        ]
    );
    t.has_resource_properties("AWS::SNS::Topic", json!({"KmsMasterKeyId": key_arn(&t)}));
    let topic_ref = json!({"Ref": t.logical_id_of_type("AWS::SNS::Topic")});
    assert_eq!(
        statements(&t, "Worker"),
        vec![
            json!({"Action": "sns:Publish", "Effect": "Allow", "Resource": topic_ref}),
            json!({"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": key_arn(&t)}),
        ]
    );
}

#[test]
fn a_secret_is_generated_read_by_grant_and_rotated_by_a_function() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let key = Key::new(&mut s, "Data", KeyProps::new());
    let secret = Secret::new(
        &mut s,
        "Db",
        SecretProps::new()
            .name("orders/db")
            .generate(
                GenerateSecret::new()
                    .length(40)
                    .exclude_characters("\"@/\\")
                    .template(json!({"username": "orders"}), "password"),
            )
            .encryption_key(&key),
    );
    let reader = Function::new(&mut s, "Reader", FunctionProps::new("one"));
    reader.add_environment(&mut s, "DB_SECRET_ARN", secret.arn());
    secret.grant_read(&mut s, &reader);
    let rotator = Function::new(&mut s, "Rotator", FunctionProps::new("two"));
    secret.add_rotation_schedule(&mut s, &rotator, 30);
    let t = Template::from_stack_in(ws.path(), &s);
    let secret_id = t.logical_id_of_type("AWS::SecretsManager::Secret");
    let secret_ref = json!({"Ref": secret_id});
    t.has_resource(
        "AWS::SecretsManager::Secret",
        json!({
            "Properties": {
                "Name": "orders/db",
                "KmsKeyId": key_arn(&t),
                "GenerateSecretString": {
                    "ExcludeCharacters": "\"@/\\",
                    "GenerateStringKey": "password",
                    "PasswordLength": 40,
                    "SecretStringTemplate": "{\"username\":\"orders\"}"
                }
            },
            "DeletionPolicy": "Retain"
        }),
    );
    t.has_resource_properties(
        "AWS::Lambda::Function",
        json!({"Environment": {"Variables": {"DB_SECRET_ARN": secret_ref}}}),
    );
    assert_eq!(
        statements(&t, "ReaderServiceRole")[1..],
        vec![
            json!({"Action": "kms:Decrypt", "Effect": "Allow", "Resource": key_arn(&t)}),
            json!({"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Effect": "Allow", "Resource": secret_ref}),
        ]
    );
    assert_eq!(
        statements(&t, "RotatorServiceRole")[1..],
        vec![
            json!({"Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"], "Effect": "Allow", "Resource": secret_ref}),
            json!({"Action": "secretsmanager:GetRandomPassword", "Effect": "Allow", "Resource": "*"}),
            json!({"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": key_arn(&t)}),
        ]
    );
    let permissions = t.find_resources(
        "AWS::Lambda::Permission",
        json!({"Principal": "secretsmanager.amazonaws.com"}),
    );
    let (permission_id, _) = permissions.first().expect("the rotation permission");
    let rotator_arn = json!({"Fn::GetAtt": [id_of(&t, "AWS::Lambda::Function", "Rotator"), "Arn"]});
    t.has_resource(
        "AWS::SecretsManager::RotationSchedule",
        json!({
            "Properties": {
                "SecretId": secret_ref,
                "RotationLambdaARN": rotator_arn,
                "RotationRules": {"AutomaticallyAfterDays": 30}
            },
            "DependsOn": [permission_id, id_of(&t, "AWS::IAM::Policy", "RotatorServiceRoleDefaultPolicy")]
        }),
    );
}

#[test]
fn a_secret_value_in_an_environment_and_bad_secrets_are_refused() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let secret = Secret::new(
        &mut s,
        "Db",
        SecretProps::new().name("orders db!").generate(
            GenerateSecret::new()
                .length(0)
                .template(json!({"password": "x"}), "password"),
        ),
    );
    let f = Function::new(
        &mut s,
        "Leaky",
        FunctionProps::new("one").env("DB_PASSWORD", secret.secret_value_field("password")),
    );
    f.add_environment(&mut s, "DB_ALL", secret.secret_value());
    secret.add_rotation_schedule(&mut s, &f, 1001);
    let all = problems_in(ws.path(), s);
    assert_contains_all(
        &all,
        &[
            "S/Db/Resource [Name]:",
            "S/Db/Resource [GenerateSecretString.PasswordLength]: a length of 0 is outside 1..=4096",
            "S/Db/Resource [GenerateSecretString.GenerateStringKey]: the template already has the key \"password\"",
            "S/Leaky/Resource [Environment]: the environment variable DB_PASSWORD holds a secret's value",
            "S/Leaky/Resource [Environment]: the environment variable DB_ALL holds a secret's value",
            "S/Db/RotationSchedule [RotationRules.AutomaticallyAfterDays]: rotation every 1001 days is outside Secrets Manager's 1..=1000",
        ],
    );
}

#[test]
fn a_parameter_is_read_by_grant_and_resolved_by_reference() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let named = StringParameter::new(
        &mut s,
        "TableName",
        StringParameterProps::new("orders")
            .name("/orders/prod/table")
            .description("the table"),
    );
    let generated = StringParameter::new(&mut s, "Flag", StringParameterProps::new("on"));
    let f = Function::new(&mut s, "Reader", FunctionProps::new("one"));
    f.add_environment(&mut s, "TABLE_PARAMETER", named.name());
    named.grant_read(&mut s, &f);
    generated.grant_read(&mut s, &f);
    s.add_output("Resolved", named.value());
    let t = Template::from_stack_in(ws.path(), &s);
    t.has_resource_properties(
        "AWS::SSM::Parameter",
        json!({"Name": "/orders/prod/table", "Type": "String", "Value": "orders", "Description": "the table"}),
    );
    let flag = id_of(&t, "AWS::SSM::Parameter", "Flag");
    let read = [
        "ssm:DescribeParameters",
        "ssm:GetParameters",
        "ssm:GetParameter",
        "ssm:GetParameterHistory",
    ];
    // after the function's own statement (its log group)
    assert_eq!(
        statements(&t, "ReaderServiceRole")[1..],
        vec![
            json!({"Action": read, "Effect": "Allow", "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/prod/table"}}),
            json!({"Action": read, "Effect": "Allow", "Resource": {"Fn::Sub": ["arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${Name}", {"Name": {"Ref": flag}}]}}),
        ]
    );
    let named_id = id_of(&t, "AWS::SSM::Parameter", "TableName");
    t.has_output(
        "Resolved",
        json!({"Value": {"Fn::Join": ["", ["{{resolve:ssm:", {"Ref": named_id}, "}}"]]}}),
    );
}

#[test]
fn parameters_systems_manager_refuses_are_reported() {
    let mut s = Stack::new("S");
    StringParameter::new(&mut s, "Big", StringParameterProps::new("x".repeat(4097)));
    StringParameter::new(
        &mut s,
        "BigAdvanced",
        StringParameterProps::new("x".repeat(4097)).advanced(),
    );
    StringParameter::new(
        &mut s,
        "Reserved",
        StringParameterProps::new("v").name("/aws/x"),
    );
    StringParameter::new(
        &mut s,
        "Pattern",
        StringParameterProps::new("abc").allowed_pattern("^[0-9]+$"),
    );
    let all = problems(s);
    assert_contains_all(
        &all,
        &[
            "S/Big/Resource [Value]: the value has 4097 bytes, over the 4096 of a standard parameter",
            "S/Reserved/Resource [Name]: the parameter name \"/aws/x\" starts with aws or ssm",
            "S/Pattern/Resource [Value]: the value does not match its allowed pattern \"^[0-9]+$\"",
        ],
    );
    assert!(!all.contains("S/BigAdvanced"), "{all}");
}

#[test]
fn tables_buckets_queues_and_machines_under_a_key_grant_its_rights_and_let_services_use_it() {
    use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
    use constructs::s3::{Bucket, BucketProps};
    use constructs::sns::{Subscriber, SubscriptionProps};
    use constructs::sqs::{Queue, QueueProps};
    use constructs::stepfunctions::asl::pass;
    use constructs::stepfunctions::{StateMachine, StateMachineProps};

    let mut s = Stack::new("S");
    let key = Key::new(&mut s, "Data", KeyProps::new());
    let worker = role(&mut s);
    let table = Table::new(
        &mut s,
        "Orders",
        TableProps::new(Attribute::new("id", AttributeType::String)).encryption_key(&key),
    );
    table.grant_read_data(&mut s, &worker);
    let bucket = Bucket::new(&mut s, "Files", BucketProps::new().encryption_key(&key));
    bucket.grant_put(&mut s, &worker);
    let queue = Queue::new(&mut s, "Inbox", QueueProps::new().encryption_key(&key));
    queue.grant_send_messages(&mut s, &worker);
    let topic = Topic::new(&mut s, "Events", TopicProps::new().kms_key(None));
    topic.subscribe(&mut s, Subscriber::Queue(&queue), SubscriptionProps::new());
    StateMachine::new(
        &mut s,
        "Flow",
        StateMachineProps::new(pass("P"))
            .name("orders-flow")
            .encryption_key(&key),
    );
    let t = Template::from_stack(&s);
    let arn = key_arn(&t);
    let worker_statements = statements(&t, "Worker");
    let kms_statements: Vec<&Json> = worker_statements
        .iter()
        .filter(|s| s["Resource"] == arn)
        .collect();
    assert_eq!(
        kms_statements,
        [
            &json!({"Action": "kms:Decrypt", "Effect": "Allow", "Resource": arn}),
            &json!({"Action": ["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"], "Effect": "Allow", "Resource": arn}),
            &json!({"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": arn}),
        ]
    );
    t.has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({"SSESpecification": {"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": arn}}),
    );
    t.has_resource_properties(
        "AWS::S3::Bucket",
        json!({"BucketEncryption": {"ServerSideEncryptionConfiguration": [{
            "BucketKeyEnabled": true,
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn}
        }]}}),
    );
    t.has_resource_properties("AWS::SQS::Queue", json!({"KmsMasterKeyId": arn}));
    // SNS encrypts what it delivers to the queue with the queue's key
    assert_eq!(
        key_policy(&t)[1],
        json!({
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Resource": "*"
        })
    );
    t.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        json!({"EncryptionConfiguration": {
            "KmsDataKeyReusePeriodSeconds": 300,
            "KmsKeyId": arn,
            "Type": "CUSTOMER_MANAGED_KMS_KEY"
        }}),
    );
    assert!(
        statements(&t, "FlowRole").contains(&json!({
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Condition": {"StringLike": {"kms:EncryptionContext:aws:states:stateMachineArn": {"Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:orders-flow"}}},
            "Effect": "Allow",
            "Resource": arn
        })),
        "{:#?}",
        statements(&t, "FlowRole")
    );
}

#[test]
fn a_workflow_reading_a_secret_and_a_parameter_gets_exactly_those_rights() {
    use constructs::stepfunctions::asl::PathValue;
    use constructs::stepfunctions::tasks;
    use constructs::stepfunctions::{StateMachine, StateMachineProps};

    let mut s = Stack::new("S");
    let key = Key::new(&mut s, "Data", KeyProps::new());
    let secret = Secret::new(&mut s, "Db", SecretProps::new().encryption_key(&key));
    let parameter = StringParameter::new(
        &mut s,
        "Flag",
        StringParameterProps::new("on").name("/app/flag"),
    );
    StateMachine::new(
        &mut s,
        "Read",
        StateMachineProps::new(
            tasks::secrets_get_secret_value("Secret", &secret)
                .result_path(PathValue::path("$.secret"))
                .next(tasks::ssm_get_parameter("Parameter", &parameter)),
        ),
    );
    let t = Template::from_stack(&s);
    let secret_ref = json!({"Ref": t.logical_id_of_type("AWS::SecretsManager::Secret")});
    assert_eq!(
        statements(&t, "ReadRole"),
        vec![
            json!({"Action": "secretsmanager:GetSecretValue", "Effect": "Allow", "Resource": secret_ref}),
            json!({"Action": "kms:Decrypt", "Effect": "Allow", "Resource": key_arn(&t)}),
            json!({"Action": "ssm:GetParameter", "Effect": "Allow", "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/flag"}}),
        ]
    );
}
