//! Every resource is checked against its type's CloudFormation registry schema at synth, as
//! CloudFormation validates it before creating anything ("Properties validation failed for
//! resource ... with message: #: extraneous key [EnableKeyRotaton] is not permitted"). Each
//! constraint kind, from a small app that writes a resource through the raw escape hatch; the
//! bounds in the expectations are the schema's (cfn-lint 1.58.0's bundled registry schemas).

use constructs::{App, CfnResource, Stack};
use serde_json::{json, Value as Json};

/// The problems of an app of one stack holding one resource of `type_name` with
/// `properties`, each as `path [property]: message (help)`; empty when synth passes.
fn problems(type_name: &str, properties: Json) -> Vec<String> {
    let mut s = Stack::new("S");
    s.add_resource("R", CfnResource::custom(type_name, properties));
    let mut app = App::new(".");
    app.add_stack(s);
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e
            .problems()
            .iter()
            .map(|p| {
                format!(
                    "{p}{}",
                    p.help
                        .as_ref()
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default()
                )
            })
            .collect(),
    }
}

#[test]
fn a_misspelled_property_names_the_one_meant() {
    assert_eq!(
        problems("AWS::KMS::Key", json!({"EnableKeyRotaton": true})),
        ["S/R [EnableKeyRotaton]: EnableKeyRotaton is not a property of this type (did you mean EnableKeyRotation?)"]
    );
    // nested: a Tag's key misspelled
    assert_eq!(
        problems(
            "AWS::SQS::Queue",
            json!({"Tags": [{"Key": "team", "Valeu": "x"}]})
        ),
        [
            "S/R [Tags[0].Value]: Value is required and missing",
            "S/R [Tags[0].Valeu]: Valeu is not a property of this type (did you mean Value?)"
        ]
    );
}

#[test]
fn a_value_out_of_each_constraint_kind_is_a_problem_naming_its_property() {
    // range: 7 to 30 days
    assert_eq!(
        problems("AWS::KMS::Key", json!({"PendingWindowInDays": 3})),
        ["S/R [PendingWindowInDays]: 3 is less than the minimum, 7"]
    );
    // enum, with the closest value
    assert_eq!(
        problems("AWS::KMS::Key", json!({"KeySpec": "SYMETRIC_DEFAULT"})),
        ["S/R [KeySpec]: \"SYMETRIC_DEFAULT\" is not one of the values CloudFormation accepts: SYMMETRIC_DEFAULT, RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, HMAC_224, HMAC_256, HMAC_384, HMAC_512, ... (17 values) (did you mean SYMMETRIC_DEFAULT?)"]
    );
    // a number enum (a log group's retention)
    assert_eq!(
        problems("AWS::Logs::LogGroup", json!({"RetentionInDays": 2})),
        ["S/R [RetentionInDays]: 2 is not one of the values CloudFormation accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... (22 values)"]
    );
    // type
    assert_eq!(
        problems("AWS::KMS::Key", json!({"EnableKeyRotation": "yes"})),
        ["S/R [EnableKeyRotation]: must be a boolean, not a string"]
    );
    // pattern and length
    assert_eq!(
        problems(
            "AWS::KMS::Alias",
            json!({"AliasName": "orders", "TargetKeyId": "k"})
        ),
        ["S/R [AliasName]: \"orders\" does not match the pattern ^(alias/)[a-zA-Z0-9:/_-]+$"]
    );
    assert_eq!(
        problems(
            "AWS::KMS::Alias",
            json!({"AliasName": format!("alias/{}", "a".repeat(251)), "TargetKeyId": "k"})
        ),
        ["S/R [AliasName]: a value of 257 characters is longer than the most, 256"]
    );
    // required
    assert_eq!(
        problems("AWS::KMS::Alias", json!({"AliasName": "alias/orders"})),
        ["S/R [TargetKeyId]: TargetKeyId is required and missing"]
    );
    // item count: a private CA's permission grants 1 to 3 actions
    let permission = |actions: Json| {
        problems(
            "AWS::ACMPCA::Permission",
            json!({
                "Actions": actions,
                "CertificateAuthorityArn": "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/x",
                "Principal": "acm.amazonaws.com"
            }),
        )
    };
    assert_eq!(
        permission(json!([
            "GetCertificate",
            "IssueCertificate",
            "ListPermissions",
            "GetCertificate"
        ])),
        ["S/R [Actions]: has 4 items; the most is 3"]
    );
    assert_eq!(
        permission(json!([])),
        ["S/R [Actions]: has 0 items; the least is 1"]
    );
    // tags in the type's own shape: a parameter's are a map, not a list of Key/Value
    assert_eq!(
        problems(
            "AWS::SSM::Parameter",
            json!({"Type": "String", "Value": "v", "Tags": [{"Key": "k", "Value": "v"}]})
        ),
        ["S/R [Tags]: must be an object, not a list"]
    );
    assert!(problems(
        "AWS::SSM::Parameter",
        json!({"Type": "String", "Value": "v", "Tags": {"team": "orders"}})
    )
    .is_empty());
    // oneOf: a stack set's template, by URL or by body, not both and not neither
    let set = json!({"StackSetName": "s", "PermissionModel": "SELF_MANAGED"});
    let mut both = set.clone();
    both["TemplateURL"] = json!("https://example.com/t.json");
    both["TemplateBody"] = json!("{}");
    assert_eq!(
        problems("AWS::CloudFormation::StackSet", both),
        ["S/R: must set only one of: TemplateURL; TemplateBody"]
    );
    assert_eq!(
        problems("AWS::CloudFormation::StackSet", set),
        ["S/R: must set one of: TemplateURL; TemplateBody"]
    );
    // anyOf: an image builder from an image's name or its ARN
    assert_eq!(
        problems(
            "AWS::AppStream::ImageBuilder",
            json!({"Name": "b", "InstanceType": "stream.standard.small"})
        ),
        ["S/R: must set any of: ImageName; ImageArn"]
    );
    // dependencies: a scaling policy's resource id needs its dimension and namespace
    let found = problems(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        json!({"PolicyName": "p", "PolicyType": "TargetTrackingScaling", "ResourceId": "table/t"}),
    );
    assert!(
        found.contains(
            &"S/R [ScalableDimension]: ScalableDimension is required when ResourceId is set"
                .to_string()
        ) && found.contains(
            &"S/R [ServiceNamespace]: ServiceNamespace is required when ResourceId is set"
                .to_string()
        ),
        "{found:?}"
    );
    // read-only: CloudFormation ignores the value (cloudformation-resource-schema#102): a
    // warning, not a problem
    let mut st = Stack::new("S");
    st.add_resource(
        "R",
        CfnResource::custom(
            "AWS::KMS::Key",
            json!({"Arn": "arn:aws:kms:eu-west-1:123456789012:key/x"}),
        ),
    );
    let mut app = App::new(".");
    app.add_stack(st);
    let warnings: Vec<String> = app
        .synth()
        .unwrap_or_else(|e| panic!("{:?}", e.problems()))
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("S/R") && w.contains("Arn is read-only for AWS::KMS::Key: CloudFormation sets it and ignores this value")),
        "{warnings:?}"
    );
    // a property the schema lists as read-only and create-only is writable
    assert!(constructs::registry::read_only_given(
        "AWS::CodeArtifact::Domain",
        &json!({"DomainName": "d", "EncryptionKey": "k"})
    )
    .is_empty());
}

#[test]
fn what_is_known_only_at_deploy_and_what_cloudformation_converts_pass() {
    // intrinsics, anywhere
    assert!(problems(
        "AWS::KMS::Key",
        json!({"PendingWindowInDays": {"Ref": "Days"}, "Tags": {"Fn::If": ["C", [], {"Ref": "AWS::NoValue"}]}})
    )
    .is_empty());
    // CloudFormation takes "7" for an integer and 7 for a string
    assert!(problems(
        "AWS::KMS::Key",
        json!({"PendingWindowInDays": "7", "Description": 7})
    )
    .is_empty());
    // a type the registry does not have is not judged
    assert!(problems("Custom::Anything", json!({"Whatever": 1})).is_empty());
    // a property newer than the schemas: the resource opts out of the check
    let mut s = Stack::new("S");
    s.add_resource(
        "R",
        CfnResource::custom("AWS::KMS::Key", json!({"BrandNewProperty": true}))
            .without_schema_check(),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    assert!(app.synth().is_ok());
}

#[test]
fn a_construct_s_own_check_is_reported_once() {
    // the queue's own check and the schema's both refuse 901 s; the construct's message stays
    let mut s = Stack::new("S");
    constructs::sqs::Queue::new(
        &mut s,
        "Q",
        constructs::sqs::QueueProps::new().delay_seconds(901),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    let all: Vec<String> = app
        .synth()
        .err()
        .map(|e| e.problems().iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(
        all[0].starts_with("S/Q/Resource [DelaySeconds]: "),
        "{all:?}"
    );
}

#[test]
fn an_override_is_checked_like_any_property() {
    let mut s = Stack::new("S");
    let q = constructs::sqs::Queue::new(&mut s, "Q", constructs::sqs::QueueProps::new());
    let r = q.resource().clone();
    s.add_property_override(&r, "ReceiveMessageWaitTimeSeconds", 21);
    let mut app = App::new(".");
    app.add_stack(s);
    let all: Vec<String> = app
        .synth()
        .err()
        .map(|e| e.problems().iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    assert_eq!(
        all,
        ["S/Q/Resource [ReceiveMessageWaitTimeSeconds]: 21 is more than the maximum, 20"]
    );
}

/// The tags of the resources of a synthesized stack, by construct path (what `Tags` wrote).
fn tags_of(app: &App, stack: &str) -> Vec<(String, Json)> {
    let assembly = app
        .synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
    let s = assembly
        .stacks
        .iter()
        .find(|s| s.name == stack)
        .unwrap_or_else(|| panic!("no stack {stack}"));
    s.logical_ids
        .iter()
        .map(|(path, id)| {
            let r = &s.template["Resources"][id];
            let tags = r["Properties"].get("Tags").cloned().unwrap_or(Json::Null);
            (path.clone(), tags)
        })
        .collect()
}

#[test]
fn tags_land_on_every_taggable_resource_in_its_own_shape() {
    use constructs::Tags;
    let mut s = Stack::new("S");
    // a list of Key/Value (a queue), a map (an SSM parameter), not taggable (a queue policy)
    s.add_resource(
        "Queue",
        CfnResource::custom(
            "AWS::SQS::Queue",
            json!({"Tags": [{"Key": "team", "Value": "old"}, {"Key": "keep", "Value": "me"}]}),
        ),
    );
    s.add_resource(
        "Param",
        CfnResource::custom(
            "AWS::SSM::Parameter",
            json!({"Type": "String", "Value": "v"}),
        ),
    );
    s.add_resource(
        "Policy",
        CfnResource::custom(
            "AWS::SQS::QueuePolicy",
            json!({"Queues": ["q"], "PolicyDocument": {"Statement": []}}),
        ),
    );
    s.add_resource(
        "Api/Table",
        CfnResource::custom(
            "AWS::DynamoDB::Table",
            json!({
                "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST"
            }),
        ),
    );
    Tags::of(&mut s).add("team", "orders");
    Tags::of(&mut s)
        .include_resource_types(["AWS::DynamoDB::Table"])
        .add("backup", "daily");
    Tags::of(&mut s).under("Api").add("tier", "api");
    Tags::of(&mut s)
        .exclude_resource_types(["AWS::SQS::Queue"])
        .add("cost", "42");
    let mut app = App::new(".");
    app.add_stack(s);
    Tags::of(&mut app).add("owner", "platform").remove("keep");
    let tags = tags_of(&app, "S");
    assert_eq!(
        tags,
        [
            (
                "S/Queue".to_string(),
                // the app's rules first, the stack's after: `team` replaced, `keep` removed
                json!([{"Key": "owner", "Value": "platform"}, {"Key": "team", "Value": "orders"}])
            ),
            (
                "S/Param".to_string(),
                json!({"cost": "42", "owner": "platform", "team": "orders"})
            ),
            ("S/Policy".to_string(), Json::Null),
            (
                "S/Api/Table".to_string(),
                json!([
                    {"Key": "backup", "Value": "daily"},
                    {"Key": "cost", "Value": "42"},
                    {"Key": "owner", "Value": "platform"},
                    {"Key": "team", "Value": "orders"},
                    {"Key": "tier", "Value": "api"}
                ])
            ),
        ]
    );
}

#[test]
fn a_tag_that_breaks_the_schema_is_a_problem_and_an_intrinsic_tag_list_is_left_alone() {
    use constructs::Tags;
    let mut s = Stack::new("S");
    s.add_resource("Queue", CfnResource::custom("AWS::SQS::Queue", json!({})));
    s.add_resource(
        "Fixed",
        CfnResource::custom(
            "AWS::SQS::Queue",
            json!({"Tags": {"Fn::If": ["C", [], []]}}),
        ),
    );
    Tags::of(&mut s).add("k".repeat(129), "v");
    let mut app = App::new(".");
    app.add_stack(s);
    let all: Vec<String> = app
        .synth()
        .err()
        .map(|e| e.problems().iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    assert_eq!(
        all,
        ["S/Queue [Tags[0].Key]: a value of 129 characters is longer than the most, 128"]
    );
}

/// What only the deploy can decide is not refused at synth (the review's cases): a value held
/// by an intrinsic may be anything, and a key whose value is an `Fn::If` with `AWS::NoValue`
/// may be dropped; a pattern the engine cannot take matches, for all synth knows.
#[test]
fn what_only_the_deploy_can_decide_is_not_refused() {
    use constructs::{fns, Aws, Condition, Parameter};
    // a custom domain (with dots) of a user pool given by Ref: the schema's if/not on
    // CustomDomainConfig must not apply the dot-less pattern
    assert_eq!(
        problems(
            "AWS::Cognito::UserPoolDomain",
            json!({"UserPoolId": {"Ref": "AWS::StackName"}, "Domain": "auth.example.com",
                   "CustomDomainConfig": {"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"}})
        ),
        Vec::<String>::new()
    );
    // a global cluster from a cluster identifier: the other form's look-ahead pattern is not
    // "a second match"
    assert_eq!(
        problems(
            "AWS::RDS::GlobalCluster",
            json!({"SourceDBClusterIdentifier": "my-cluster"})
        ),
        Vec::<String>::new()
    );
    // exactly one of CidrBlock and Ipv4IpamPoolId, each behind an Fn::If
    let mut s = Stack::new("S");
    let ipam = s.add_parameter("UseIpam", Parameter::string().default_value("no"));
    let use_ipam = s.add_condition("UseIpam", Condition::equals(ipam, "yes"));
    let vpc = s.add_resource("Vpc", CfnResource::custom("AWS::EC2::VPC", json!({})));
    s.add_property_override(
        &vpc,
        "CidrBlock",
        fns::if_(&use_ipam, Aws::no_value(), "10.0.0.0/16"),
    );
    s.add_property_override(
        &vpc,
        "Ipv4IpamPoolId",
        fns::if_(&use_ipam, "ipam-pool-1", Aws::no_value()),
    );
    s.add_property_override(
        &vpc,
        "Ipv4NetmaskLength",
        fns::if_(&use_ipam, 16, Aws::no_value()),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    if let Err(e) = app.synth() {
        panic!("{:#?}", e.problems());
    }
    // ...and both given as literals is refused
    assert_eq!(
        problems(
            "AWS::EC2::VPC",
            json!({"CidrBlock": "10.0.0.0/16", "Ipv4IpamPoolId": "ipam-pool-1", "Ipv4NetmaskLength": 16})
        ),
        ["S/R: must set exactly one of CidrBlock, Ipv4IpamPoolId"]
    );
    // a number enum given as 7.0 is 7
    assert!(problems("AWS::Logs::LogGroup", json!({"RetentionInDays": 7.0})).is_empty());
}

#[test]
fn create_only_tags_are_written_only_when_the_rule_names_the_type() {
    use constructs::Tags;
    let key_pair = || {
        let mut s = Stack::new("S");
        s.add_resource(
            "Key",
            CfnResource::custom("AWS::EC2::KeyPair", json!({"KeyName": "k"})),
        );
        s
    };
    // an EC2 key pair's tags are create-only: a general rule would replace it
    let mut s = key_pair();
    Tags::of(&mut s).add("team", "orders");
    let mut app = App::new(".");
    app.add_stack(s);
    assert_eq!(tags_of(&app, "S"), [("S/Key".to_string(), Json::Null)]);
    let mut s = key_pair();
    Tags::of(&mut s)
        .include_resource_types(["AWS::EC2::KeyPair"])
        .add("team", "orders");
    let mut app = App::new(".");
    app.add_stack(s);
    assert_eq!(
        tags_of(&app, "S"),
        [(
            "S/Key".to_string(),
            json!([{"Key": "team", "Value": "orders"}])
        )]
    );
}
