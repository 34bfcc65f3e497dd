//! The core: logical ids, tokens, cross-stack references, attributes, limits, validation.

use constructs::assertions::Template;
use constructs::core::resource::CfnResource;
use constructs::core::stack::Parameter;
use constructs::{fns, App, Aws, Format, RemovalPolicy, Stack, SynthError, Value};
use serde_json::{json, Value as Json};

fn custom(stack: &mut Stack, id: &str) -> constructs::ResourceRef {
    stack.add_resource(id, CfnResource::custom("AWS::SNS::Topic", json!({})))
}

fn problems(app: &App) -> Vec<String> {
    match app.synth() {
        Ok(_) => panic!("synth should fail"),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

fn one_stack_problems(stack: Stack) -> Vec<String> {
    let mut app = App::new(".");
    app.add_stack(stack);
    problems(&app)
}

fn ids(stack: &Stack) -> Vec<String> {
    let t = Template::from_stack(stack);
    t.to_json()["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

// --- logical ids ----------------------------------------------------------------------------

#[test]
fn logical_ids_are_stable_when_unrelated_constructs_come_and_go() {
    let mut before = Stack::new("S");
    custom(&mut before, "Orders/Topic");
    custom(&mut before, "Audit");
    let mut after = Stack::new("S");
    custom(&mut after, "New/Thing");
    custom(&mut after, "Orders/Topic");
    let before_ids = ids(&before);
    let after_ids = ids(&after);
    assert_eq!(before_ids[0], after_ids[1]);
    assert!(before_ids[0].starts_with("OrdersTopic"));
    assert_eq!(before_ids[1], "Audit");
}

#[test]
fn a_logical_id_collision_names_both_paths() {
    let mut s = Stack::new("S");
    custom(&mut s, "My-Topic");
    custom(&mut s, "MyTopic");
    let p = one_stack_problems(s);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("S/MyTopic") && p[0].contains("S/My-Topic"),
        "{p:?}"
    );
    assert!(p[0].contains("logical id MyTopic"), "{p:?}");
}

#[test]
fn an_overridden_logical_id_can_collide_too() {
    let mut s = Stack::new("S");
    custom(&mut s, "A");
    let b = custom(&mut s, "B");
    s.override_logical_id(&b, "A");
    let p = one_stack_problems(s);
    assert!(
        p[0].contains("S/B") && p[0].contains("already used by S/A"),
        "{p:?}"
    );
}

#[test]
fn long_paths_give_ids_of_at_most_255_characters() {
    let mut s = Stack::new("S");
    let long = format!("{}/{}/Resource", "a".repeat(200), "b".repeat(200));
    custom(&mut s, &long);
    let id = &ids(&s)[0];
    assert_eq!(id.len(), 255);
    assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
}

#[test]
fn duplicate_construct_paths_are_reported() {
    let mut s = Stack::new("S");
    custom(&mut s, "T");
    custom(&mut s, "T");
    let p = one_stack_problems(s);
    assert!(
        p.iter()
            .any(|p| p.contains("S/T: there is already a construct")),
        "{p:?}"
    );
}

// --- tokens ---------------------------------------------------------------------------------

fn render(value: Value) -> Json {
    let mut s = Stack::new("S");
    s.add_parameter("Env", Parameter::string().default_value("dev"));
    custom(&mut s, "Target");
    s.add_output("Out", value);
    let t = Template::from_stack(&s);
    t.to_json()["Outputs"]["Out"]["Value"].clone()
}

#[test]
fn every_intrinsic_renders_as_cloudformation_expects() {
    let mut s = Stack::new("S");
    let r = custom(&mut s, "Target");
    let env = s.add_parameter("Env", Parameter::string().default_value("dev"));
    let cases: Vec<(Value, Json)> = vec![
        (r.reference(), json!({"Ref": "Target"})),
        (
            r.get_att("TopicArn"),
            json!({"Fn::GetAtt": ["Target", "TopicArn"]}),
        ),
        (env.clone(), json!({"Ref": "Env"})),
        (
            fns::sub("arn:${AWS::Partition}:s3:::x-${Env}"),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::x-${Env}"}),
        ),
        (
            fns::sub_with("${T}/*", [("T", r.get_att("TopicArn"))]),
            json!({"Fn::Sub": ["${T}/*", {"T": {"Fn::GetAtt": ["Target", "TopicArn"]}}]}),
        ),
        (
            fns::join("-", [Value::from("a"), Aws::region()]),
            json!({"Fn::Join": ["-", ["a", {"Ref": "AWS::Region"}]]}),
        ),
        (
            fns::select(1, fns::split(":", r.reference())),
            json!({"Fn::Select": [1, {"Fn::Split": [":", {"Ref": "Target"}]}]}),
        ),
        (
            fns::import_value("shared-vpc-id"),
            json!({"Fn::ImportValue": "shared-vpc-id"}),
        ),
        (Aws::partition(), json!({"Ref": "AWS::Partition"})),
        (Aws::account_id(), json!({"Ref": "AWS::AccountId"})),
        (Aws::stack_name(), json!({"Ref": "AWS::StackName"})),
        (Aws::url_suffix(), json!({"Ref": "AWS::URLSuffix"})),
        (Aws::region(), json!({"Ref": "AWS::Region"})),
    ];
    for (i, (value, _)) in cases.iter().enumerate() {
        s.add_output(&format!("O{i}"), value.clone());
    }
    let t = Template::from_stack(&s);
    for (i, (_, expected)) in cases.iter().enumerate() {
        assert_eq!(
            &t.to_json()["Outputs"][format!("O{i}")]["Value"],
            expected,
            "case {i}"
        );
    }
    assert_eq!(render(Value::from(3)), json!(3));
}

#[test]
fn fn_sub_names_must_be_known_and_variables_used() {
    let mut s = Stack::new("S");
    s.add_output("A", fns::sub("${Missing}-${AWS::Region}"));
    s.add_output(
        "B",
        fns::sub_with("${X}", [("X", Value::from("1")), ("Y", Value::from("2"))]),
    );
    s.add_output("C", fns::sub("${!Literal} is escaped"));
    let p = one_stack_problems(s);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p[0].contains("[Outputs.A]") && p[0].contains("${Missing}"),
        "{p:?}"
    );
    assert!(p[1].contains("variable Y is not used"), "{p:?}");
}

#[test]
fn a_parameter_of_another_stack_cannot_be_used() {
    let mut a = Stack::new("A");
    let p = a.add_parameter("P", Parameter::string());
    custom(&mut a, "T");
    let mut b = Stack::new("B");
    b.add_output("O", p);
    custom(&mut b, "T");
    let mut app = App::new(".");
    app.add_stack(a).add_stack(b);
    let p = problems(&app);
    assert!(p[0].contains("parameter P of stack A"), "{p:?}");
}

// --- cross-stack references -----------------------------------------------------------------

#[test]
fn a_cross_stack_reference_becomes_an_export_and_an_import() {
    let mut producer = Stack::new("Producer");
    let topic = custom(&mut producer, "Topic");
    let mut consumer = Stack::new("Consumer");
    let sub = consumer.add_resource(
        "Sub",
        CfnResource::custom(
            "AWS::SNS::Subscription",
            json!({"Protocol": "email", "Endpoint": "a@example.com"}),
        ),
    );
    consumer.add_property_override(&sub, "TopicArn", topic.reference());
    consumer.add_output("TopicArnAttr", topic.get_att("TopicArn"));
    let mut app = App::new(".");
    app.add_stack(consumer).add_stack(producer);
    let assembly = app.synth().unwrap();
    // the producer deploys first
    let order: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(order, ["Producer", "Consumer"]);
    let consumer = assembly.stack("Consumer").unwrap();
    assert_eq!(consumer.dependencies, ["Producer"]);
    assert_eq!(
        consumer.template["Resources"]["Sub"]["Properties"]["TopicArn"],
        json!({"Fn::ImportValue": "Producer:ExportsOutputRefTopic"})
    );
    assert_eq!(
        consumer.template["Outputs"]["TopicArnAttr"]["Value"],
        json!({"Fn::ImportValue": "Producer:ExportsOutputFnGetAttTopicTopicArn"})
    );
    let producer = assembly.stack("Producer").unwrap();
    assert_eq!(
        producer.template["Outputs"]["ExportsOutputRefTopic"],
        json!({"Value": {"Ref": "Topic"}, "Export": {"Name": "Producer:ExportsOutputRefTopic"}})
    );
    assert_eq!(
        producer.template["Outputs"]["ExportsOutputFnGetAttTopicTopicArn"]["Value"],
        json!({"Fn::GetAtt": ["Topic", "TopicArn"]})
    );
}

#[test]
fn a_reference_to_a_stack_outside_the_app_is_a_synth_error() {
    let mut orphan = Stack::new("Orphan");
    let topic = custom(&mut orphan, "Topic");
    let mut s = Stack::new("S");
    custom(&mut s, "T");
    s.add_output("O", topic.reference());
    let mut app = App::new(".");
    app.add_stack(s);
    let err = app.synth().unwrap_err();
    let p = &err.problems()[0];
    assert!(
        p.message.contains("Orphan/Topic") && p.message.contains("not part of this app"),
        "{p}"
    );
    assert!(p.help.as_deref().unwrap_or("").contains("App::add_stack"));
}

#[test]
fn a_dangling_reference_is_a_synth_error() {
    let mut first = Stack::new("Data");
    let topic = custom(&mut first, "Topic");
    // the app gets another build of the stack, without the topic
    let mut second = Stack::new("Data");
    custom(&mut second, "Other");
    let mut s = Stack::new("S");
    custom(&mut s, "T");
    s.add_output("O", topic.get_att("TopicArn"));
    let mut app = App::new(".");
    app.add_stack(second).add_stack(s);
    let p = problems(&app);
    assert!(p[0].contains("dangling reference: Data/Topic"), "{p:?}");
}

#[test]
fn stacks_that_reference_each_other_are_a_cycle() {
    let mut a = Stack::new("A");
    let ta = custom(&mut a, "T");
    let mut b = Stack::new("B");
    let tb = custom(&mut b, "T");
    a.add_output("O", tb.reference());
    b.add_output("O", ta.reference());
    let mut app = App::new(".");
    app.add_stack(a).add_stack(b);
    let p = problems(&app);
    assert!(p.iter().any(|p| p.contains("cycle: A -> B -> A")), "{p:?}");
}

#[test]
fn declared_dependencies_must_name_stacks_of_the_app() {
    let mut a = Stack::new("A");
    custom(&mut a, "T");
    a.add_dependency("Nope");
    let p = one_stack_problems(a);
    assert!(p[0].contains("depends on stack Nope"), "{p:?}");
}

// --- resource attributes and overrides -------------------------------------------------------

#[test]
fn removal_policies_set_both_attributes_and_depends_on_renders_ids() {
    let mut s = Stack::new("S");
    let a = custom(&mut s, "A");
    s.add_resource(
        "B",
        CfnResource::custom("AWS::SNS::Topic", json!({}))
            .with_removal_policy(RemovalPolicy::Snapshot)
            .with_depends_on(&a),
    );
    s.add_resource(
        "C",
        CfnResource::custom("AWS::SNS::Topic", json!({}))
            .with_removal_policy(RemovalPolicy::RetainOnUpdateOrDelete),
    );
    let t = Template::from_stack(&s);
    let r = &t.to_json()["Resources"];
    assert_eq!(r["B"]["DependsOn"], json!(["A"]));
    assert_eq!(r["B"]["DeletionPolicy"], "Snapshot");
    assert_eq!(r["B"]["UpdateReplacePolicy"], "Snapshot");
    assert_eq!(r["C"]["DeletionPolicy"], "RetainExceptOnCreate");
    assert_eq!(r["C"]["UpdateReplacePolicy"], "Retain");
    assert!(r["A"].get("DeletionPolicy").is_none());
}

#[test]
fn property_overrides_reach_any_depth_and_can_delete() {
    let mut s = Stack::new("S");
    let r = s.add_resource(
        "Q",
        CfnResource::custom(
            "AWS::SQS::Queue",
            json!({"Tags": [], "RedrivePolicy": {"maxReceiveCount": 3}}),
        ),
    );
    s.add_property_override(&r, "RedrivePolicy.deadLetterTargetArn", Aws::partition());
    s.add_property_override(&r, "KmsMasterKeyId", "alias/aws/sqs");
    s.add_property_deletion_override(&r, "Tags");
    let t = Template::from_stack(&s);
    assert_eq!(
        t.to_json()["Resources"]["Q"]["Properties"],
        json!({
            "RedrivePolicy": {"maxReceiveCount": 3, "deadLetterTargetArn": {"Ref": "AWS::Partition"}},
            "KmsMasterKeyId": "alias/aws/sqs"
        })
    );
}

#[test]
fn required_properties_of_typed_resources_are_checked() {
    let mut s = Stack::new("S");
    // a required property given as null (an Option that is None) is left out, and missed
    s.add(
        "Policy",
        &constructs::iam::CfnPolicy::new(constructs::Value::Null, constructs::Value::Null),
    );
    let p = one_stack_problems(s);
    assert!(
        p.iter()
            .any(|p| p.contains("[PolicyDocument]") && p.contains("requires")),
        "{p:?}"
    );
    assert!(p.iter().any(|p| p.contains("[PolicyName]")), "{p:?}");
}

// --- stacks: names, parameters, outputs -------------------------------------------------------

#[test]
fn stack_settings_render_and_are_checked() {
    let mut s = Stack::new("S");
    custom(&mut s, "T");
    s.set_description("what it is")
        .set_termination_protection(true)
        .add_tag("team", "x");
    s.add_parameter(
        "Size",
        Parameter::number()
            .default_value(5)
            .range(1.0, 10.0)
            .description("how many"),
    );
    s.add_output("O", "v").description("d").export_name("S-O");
    let mut app = App::new(".");
    app.add_stack(s);
    let assembly = app.synth().unwrap();
    let st = assembly.stack("S").unwrap();
    assert!(st.termination_protection);
    assert_eq!(st.tags["team"], "x");
    assert_eq!(st.template["Description"], "what it is");
    assert_eq!(
        st.template["Parameters"]["Size"],
        json!({"Type": "Number", "Default": 5, "Description": "how many", "MaxValue": 10.0, "MinValue": 1.0})
    );
    assert_eq!(
        st.template["Outputs"]["O"],
        json!({"Description": "d", "Value": "v", "Export": {"Name": "S-O"}})
    );
}

#[test]
fn bad_names_and_defaults_are_all_reported_together() {
    let mut s = Stack::new("9-bad_name");
    custom(&mut s, "T");
    s.add_parameter("Bad-Name", Parameter::string());
    s.add_parameter(
        "Env",
        Parameter::string()
            .default_value("qa")
            .allowed_values(["dev", "prod"]),
    );
    s.add_parameter("N", Parameter::number().default_value("five"));
    s.add_output("Out-1", "x");
    s.add_output("E", "x").export_name("has spaces");
    let p = one_stack_problems(s);
    let all = p.join("\n");
    for needle in [
        "must start with a letter",
        "parameter name \"Bad-Name\"",
        "default \"qa\" is not one of the allowed values",
        "not a number",
        "output name \"Out-1\"",
        "export name \"has spaces\"",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in\n{all}");
    }
    assert_eq!(p.len(), 6, "{all}");
}

#[test]
fn two_stacks_with_one_name_are_reported() {
    let mut app = App::new(".");
    let mut a = Stack::new("S");
    custom(&mut a, "T");
    app.add_stack(a.clone()).add_stack(a);
    let p = problems(&app);
    assert!(p[0].contains("already has a stack with this name"), "{p:?}");
}

// --- limits -----------------------------------------------------------------------------------

#[test]
fn cloudformation_quotas_are_enforced() {
    let mut s = Stack::new("Big");
    for i in 0..501 {
        custom(&mut s, &format!("T{i}"));
    }
    for i in 0..201 {
        s.add_output(&format!("O{i}"), "x");
    }
    for i in 0..201 {
        s.add_parameter(&format!("P{i}"), Parameter::string());
    }
    let p = one_stack_problems(s);
    let all = p.join("\n");
    assert!(
        all.contains("501 resources; CloudFormation allows 500"),
        "{all}"
    );
    assert!(
        all.contains("201 outputs; CloudFormation allows 200"),
        "{all}"
    );
    assert!(
        all.contains("201 parameters; CloudFormation allows 200"),
        "{all}"
    );
}

#[test]
fn template_size_is_a_warning_over_51200_bytes_and_an_error_over_1_mb() {
    let mut s = Stack::new("S");
    for i in 0..3 {
        s.add_resource(
            &format!("T{i}"),
            CfnResource::custom(
                "AWS::SNS::Topic",
                json!({"DisplayName": "x".repeat(20_000)}),
            ),
        );
    }
    let mut app = App::new(".");
    app.add_stack(s);
    let rendered = app.synth().unwrap().render(Format::Json, None).unwrap();
    assert!(
        rendered
            .warnings
            .iter()
            .any(|w| w.message.contains("over the 51200")),
        "{:?}",
        rendered.warnings
    );

    let mut s = Stack::new("S");
    for i in 0..60 {
        s.add_resource(
            &format!("T{i}"),
            CfnResource::custom(
                "AWS::SNS::Topic",
                json!({"DisplayName": "x".repeat(20_000)}),
            ),
        );
    }
    let mut app = App::new(".");
    app.add_stack(s);
    let err = app.synth().unwrap().render(Format::Yaml, None).unwrap_err();
    assert!(matches!(err, SynthError::Invalid(_)));
    assert!(
        err.problems()[0].message.contains("at most 1048576"),
        "{err:?}"
    );
}
