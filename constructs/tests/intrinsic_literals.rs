//! A string argument of an intrinsic function that reads as a path is refused at synth.
//!
//! `States::format("ORDER#{}", ["$.orderId".into()])` rendered
//! `States.Format('ORDER#{}', '$.orderId')`, which Step Functions formats as the text
//! `ORDER#$.orderId` for every order: a new user's order pipeline wrote one item over and
//! over. A `&str` stays a string literal (as in the AWS CDK, whose `JsonPath.format` quotes a
//! plain string and takes paths as `JsonPath.stringAt`), so the same code never means two
//! things; one that reads as a path, a context path or a variable is a synth problem naming
//! the machine's construct path, the state and the field, with the fix. `Arg::str` says the
//! text is meant.

mod common;

use common::{problems_in, workspace};

use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::stepfunctions::asl::*;
use constructs::stepfunctions::tasks::{self, attr_map, Attr, Expressions};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::Stack;
use serde_json::json;

fn orders(s: &mut Stack) -> Table {
    Table::new(
        s,
        "Orders",
        TableProps::new(Attribute::new("pk", AttributeType::String)),
    )
}

fn record(table: &Table, key: Intrinsic) -> Step {
    tasks::dynamo_put_item(
        "Record",
        table,
        attr_map(&[("pk", Attr::s_intrinsic(key))]),
        Expressions::new(),
    )
}

fn refused(build: impl FnOnce(&mut Stack) -> StateMachineProps) -> String {
    let ws = workspace();
    let mut s = Stack::new("Shop");
    let props = build(&mut s);
    StateMachine::new(&mut s, "Pipeline", props);
    problems_in(ws.path(), s)
}

#[test]
fn a_path_given_as_a_str_is_refused_with_the_fix() {
    let all = refused(|s| {
        let t = orders(s);
        StateMachineProps::new(record(&t, States::format("ORDER#{}", ["$.orderId".into()])))
    });
    assert_eq!(
        all,
        "Shop/Pipeline/Resource [Definition]: state \"Record\": Parameters.Item.pk.S: the \
         argument \"$.orderId\" is a string literal, but it reads as a path: it would be \
         formatted as the text \"$.orderId\", not the value; write Arg::path(\"$.orderId\"), \
         or Arg::str(\"$.orderId\") for the text itself"
    );
}

#[test]
fn a_context_path_or_a_variable_given_as_a_str_is_refused() {
    let all = refused(|s| {
        let t = orders(s);
        StateMachineProps::new(record(
            &t,
            States::format(
                "{}-{}-{}",
                [
                    "$$.Execution.Id".into(),
                    String::from("$total").into(),
                    // nested in another function
                    States::hash("$[0]", "SHA-256").into(),
                ],
            ),
        ))
    });
    for needle in [
        "the argument \"$$.Execution.Id\" is a string literal, but it reads as a context path",
        "write ContextPath(\"$$.Execution.Id\")",
        "the argument \"$total\" is a string literal, but it reads as a variable",
        "write Arg::var(\"total\")",
        "the argument \"$[0]\" is a string literal, but it reads as a path",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in\n{all}");
    }
    assert_eq!(all.lines().count(), 3, "{all}");
}

#[test]
fn text_that_only_looks_like_money_and_text_said_explicitly_are_kept() {
    let ws = workspace();
    let mut s = Stack::new("Shop");
    let t = orders(&mut s);
    let key = States::format(
        "{} {} {} {}",
        [
            "$5 off".into(),
            "US$".into(),
            Arg::str("$.orderId"),
            Arg::path("$.orderId"),
        ],
    );
    assert_eq!(
        key.to_string(),
        "States.Format('{} {} {} {}', '$5 off', 'US$', '$.orderId', $.orderId)"
    );
    StateMachine::new(&mut s, "Pipeline", StateMachineProps::new(record(&t, key)));
    let mut app = constructs::App::new(ws.path());
    app.add_stack(s);
    app.synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.problems()));
}

#[test]
fn a_quoted_path_in_a_pass_states_parameters_is_refused() {
    // a Payload given to a Pass is rendered at once: the quoted text is what is checked
    let all = refused(|_| {
        StateMachineProps::new(
            pass("Key").parameters(
                Payload::new()
                    .intrinsic("pk", States::format("ORDER#{}", ["$.orderId".into()]))
                    .value(
                        "nested",
                        json!({"at.$": "States.Format('{}', '$$.State.EnteredTime')"}),
                    ),
            ),
        )
    });
    assert_eq!(
        all.lines().collect::<Vec<_>>(),
        [
            "Shop/Pipeline/Resource [Definition]: state \"Key\": Parameters.pk.$: the argument \
             '$.orderId' of States.Format('ORDER#{}', '$.orderId') is a string literal, but it \
             reads as a path: write it unquoted, as Arg::path(\"$.orderId\")",
            "Shop/Pipeline/Resource [Definition]: state \"Key\": Parameters.nested.at.$: the \
             argument '$$.State.EnteredTime' of States.Format('{}', '$$.State.EnteredTime') is a \
             string literal, but it reads as a context path: write it unquoted, as \
             ContextPath(\"$$.State.EnteredTime\") (or a ContextPath constant)",
        ]
    );
}
