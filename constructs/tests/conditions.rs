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
