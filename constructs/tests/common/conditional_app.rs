//! A stack that uses conditions every way CloudFormation takes them: a parameter `Env` and
//! conditions `IsProd`, `IsEu` and `ProdInEu` (an `Fn::And` of the two by name), a table
//! created only under `ProdInEu`, a queue whose retention is an `Fn::If` on `IsProd` (no value
//! otherwise), a mapping `Sizes` read by the parameter (the queue's visibility timeout), and
//! an output that exists only with the table. Shared by the construct tests
//! (`constructs/tests/conditions.rs`) and the cfn-lint test (`tests/cfn_lint.rs`).

use constructs::core::mapping::Mapping;
use constructs::sqs::{Queue, QueueProps};
use constructs::{fns, Aws, CfnResource, Condition, Parameter, Stack};
use serde_json::json;

/// The stack `Conditional`.
pub fn conditional_stack() -> Stack {
    let mut s = Stack::new("Conditional");
    let env = s.add_parameter(
        "Env",
        Parameter::string()
            .allowed_values(["dev", "prod"])
            .default_value("dev"),
    );
    let sizes = s.add_mapping(
        "Sizes",
        Mapping::new()
            .set("dev", "Visibility", "30")
            .set("prod", "Visibility", "120"),
    );
    let visibility = sizes.find(env.clone(), "Visibility");
    let prod = s.add_condition("IsProd", Condition::equals(env, "prod"));
    let eu = s.add_condition("IsEu", Condition::equals(Aws::region(), "eu-west-1"));
    let both = s.add_condition(
        "ProdInEu",
        Condition::and([Condition::from(&prod), Condition::from(&eu)]),
    );
    let table = s.add_resource(
        "Audit",
        CfnResource::custom(
            "AWS::DynamoDB::Table",
            json!({
                "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST"
            }),
        ),
    );
    s.set_condition(&table, &both);
    let queue = Queue::new(&mut s, "Jobs", QueueProps::new());
    let q = queue.resource().clone();
    s.add_property_override(
        &q,
        "MessageRetentionPeriod",
        fns::if_(&prod, 1_209_600, Aws::no_value()),
    );
    s.add_property_override(&q, "VisibilityTimeout", visibility);
    s.add_output("AuditTable", table.reference())
        .condition(&both);
    s
}
