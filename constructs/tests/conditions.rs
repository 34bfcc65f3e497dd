//! Conditions, the escape hatch CloudFormation gives every resource: a stack's `Conditions`
//! (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, a condition by name), a resource's and an
//! output's `Condition`, and `Fn::If` in a property; with what CloudFormation refuses (the
//! "Conditions" page of the template reference: a condition may refer to parameters and
//! pseudo parameters, not to resources; `Fn::And`/`Fn::Or` take 2 to 10 conditions) found at
//! synth.

#[path = "common/conditional_app.rs"]
mod conditional_app;

use conditional_app::conditional_stack;
use constructs::{App, CfnResource, Condition, Stack};
use serde_json::{json, Value as Json};

/// The app of one stack, synthesized: its template, or its problems.
fn synth(stack: Stack) -> Result<Json, Vec<String>> {
    let mut app = App::new(".");
    app.add_stack(stack);
    app.synth()
        .map(|a| a.stacks[0].template.clone())
        .map_err(|e| e.problems().iter().map(ToString::to_string).collect())
}

#[test]
fn conditions_render_where_cloudformation_reads_them() {
    let t = synth(conditional_stack()).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(
        t["Conditions"],
        json!({
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsEu": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]},
            "ProdInEu": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsEu"}]}
        })
    );
    let resources = t["Resources"].as_object().cloned().unwrap_or_default();
    let audit = resources
        .values()
        .find(|r| r["Type"] == "AWS::DynamoDB::Table")
        .cloned()
        .unwrap_or_default();
    assert_eq!(audit["Condition"], "ProdInEu");
    let queue = resources
        .values()
        .find(|r| r["Type"] == "AWS::SQS::Queue")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        queue["Properties"]["MessageRetentionPeriod"],
        json!({"Fn::If": ["IsProd", 1_209_600, {"Ref": "AWS::NoValue"}]})
    );
    assert_eq!(queue.get("Condition"), None);
    assert_eq!(t["Outputs"]["AuditTable"]["Condition"], "ProdInEu");
}

#[test]
fn what_cloudformation_refuses_of_conditions_is_a_synth_problem() {
    let mut other = Stack::new("Other");
    let elsewhere = other.add_condition("Elsewhere", Condition::equals("a", "a"));

    let mut s = Stack::new("S");
    let q = s.add_resource("Q", CfnResource::custom("AWS::SQS::Queue", json!({})));
    // a resource in a condition
    s.add_condition("OnResource", Condition::equals(q.reference(), "x"));
    // one condition in an And
    s.add_condition("Lonely", Condition::and([Condition::equals("a", "b")]));
    // a name that is not alphanumeric, and one declared twice
    s.add_condition("Bad-Name", Condition::equals("a", "a"));
    s.add_condition("Twice", Condition::equals("a", "a"));
    s.add_condition("Twice", Condition::equals("a", "a"));
    // conditions that refer to each other
    let a = s.add_condition("A", Condition::equals("1", "1"));
    let b = s.add_condition("B", Condition::from(&a));
    s.add_condition("A", Condition::not(Condition::from(&b)));
    // another stack's condition on a resource
    s.set_condition(&q, &elsewhere);
    // an Fn::If in a condition
    let lonely = s.add_condition("Plain", Condition::equals("a", "a"));
    s.add_condition(
        "WithIf",
        Condition::equals(constructs::fns::if_(&lonely, "a", "b"), "a"),
    );
    // a conditional resource imported by another stack
    let only = s.add_resource("Only", CfnResource::custom("AWS::SQS::Queue", json!({})));
    s.set_condition(&only, &lonely);
    other.add_output("Imported", only.reference());
    let mut app = App::new(".");
    app.add_stack(s);
    app.add_stack(other);
    let all: Vec<String> = app
        .synth()
        .err()
        .map(|e| e.problems().iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    let expected = [
        "S [Conditions.Bad-Name]: condition name \"Bad-Name\" may hold only",
        "S [Conditions.Twice]: the condition Twice is declared twice",
        "S [Conditions.A]: the condition A is declared twice",
        "S/Q [Condition]: names the condition Elsewhere of stack Other; a condition can be used only in its own stack",
        "S [Conditions.OnResource]: refers to the resource S/Q; a condition may refer only to parameters and pseudo parameters",
        "S [Conditions.Lonely]: Fn::And takes 2 to 10 conditions, not 1",
        "S [Conditions]: the conditions refer to each other in a cycle: A -> B -> A",
        "S [Conditions.WithIf]: holds an Fn::If; CloudFormation takes Fn::If in resource properties, metadata and outputs, not in conditions",
        "Other [Outputs.Imported]: refers to S/Only of stack S, which exists only under the condition Plain: another stack cannot import it",
    ];
    for e in expected {
        assert!(
            all.iter().any(|p| p.starts_with(e)),
            "missing {e:?} in {all:#?}"
        );
    }
    assert_eq!(all.len(), expected.len(), "{all:#?}");
}

#[test]
fn a_mapping_renders_and_is_read_with_find_in_map() {
    let t = synth(conditional_stack()).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(
        t["Mappings"],
        json!({"Sizes": {"dev": {"Visibility": "30"}, "prod": {"Visibility": "120"}}})
    );
    let queue = t["Resources"]
        .as_object()
        .and_then(|r| r.values().find(|r| r["Type"] == "AWS::SQS::Queue"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        queue["Properties"]["VisibilityTimeout"],
        json!({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Visibility"]})
    );
    // the template's sections in the order CloudFormation documents them
    let keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "AWSTemplateFormatVersion",
            "Parameters",
            "Mappings",
            "Conditions",
            "Resources",
            "Outputs"
        ]
    );
}

#[test]
fn what_cloudformation_refuses_in_a_mapping_or_a_lookup_is_a_synth_problem() {
    use constructs::core::mapping::Mapping;
    use constructs::Aws;
    let mut other = Stack::new("Other");
    let theirs = other.add_mapping("Theirs", Mapping::new().set("a", "B", "c"));
    let mut s = Stack::new("Maps");
    let sizes = s.add_mapping("Sizes", Mapping::new().set("us-east-1", "Memory", "512"));
    s.add_mapping("Bad-Name", Mapping::new().set("k", "Not-Alnum", "v"));
    s.add_mapping("Empty", Mapping::new());
    let q = s.add_resource(
        "Q",
        CfnResource::custom(
            "AWS::SQS::Queue",
            constructs::Value::object()
                .with("DelaySeconds", sizes.find("eu-west-1", "Memory"))
                // a key known at deploy only: not checked
                .with("MaximumMessageSize", sizes.find(Aws::region(), "Memory"))
                .with("VisibilityTimeout", theirs.find("a", "B")),
        ),
    );
    let _ = q;
    let mut app = App::new(".");
    app.add_stack(other);
    app.add_stack(s);
    let found: Vec<String> = app
        .synth()
        .map(|_| Vec::new())
        .unwrap_or_else(|e| e.problems().iter().map(ToString::to_string).collect());
    assert_eq!(
        found,
        [
            "Maps [Mappings.Bad-Name]: the mapping name \"Bad-Name\" must be 1 to 255 letters and digits",
            "Maps [Mappings.Bad-Name]: the mapping Bad-Name's attribute \"Not-Alnum\" (under k) must be 1 to 255 letters and digits",
            "Maps [Mappings.Empty]: the mapping Empty has no key",
            "Maps/Q [DelaySeconds]: reads eu-west-1/Memory of the mapping Sizes, which has no such key and attribute: CloudFormation would fail the stack",
            "Maps/Q [VisibilityTimeout]: reads the mapping Theirs of stack Other; a mapping can be used only in its own stack",
        ]
    );
}

#[test]
fn a_parameters_constraints_and_default_are_checked() {
    use constructs::Parameter;
    let mut s = Stack::new("Params");
    s.add_parameter(
        "Stage",
        Parameter::string()
            .allowed_pattern("[a-z]+")
            .default_value("Prod1"),
    );
    s.add_parameter("Broken", Parameter::string().allowed_pattern("(unclosed"));
    s.add_parameter("Range", Parameter::number().range(10.0, 1.0));
    s.add_parameter(
        "Fine",
        Parameter::string()
            .allowed_pattern("[a-z]+")
            .default_value("prod"),
    );
    let found = synth(s).map(|_| Vec::new()).unwrap_or_else(|p| p);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(
        found[0],
        "Params [Parameters.Stage]: parameter Stage: default \"Prod1\" does not match AllowedPattern \"[a-z]+\""
    );
    assert!(
        found[1].starts_with("Params [Parameters.Broken]: parameter Broken: AllowedPattern \"(unclosed\" is not a regular expression"),
        "{}",
        found[1]
    );
    assert_eq!(
        found[2],
        "Params [Parameters.Range]: parameter Range: MinValue 10 is over MaxValue 1"
    );
}
