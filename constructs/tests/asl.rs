//! The typed ASL: chaining, rendering of every state type, parsing, validation rules.

use constructs::stepfunctions::asl::*;
use constructs::Value;
use serde_json::{json, Value as Json};

fn render(chain: impl Link) -> Json {
    chain
        .into_chain()
        .to_definition()
        .expect("builds")
        .to_json()
        .expect("no tokens")
}

// --- chaining ---------------------------------------------------------------------------------

#[test]
fn next_fills_transitions_and_the_last_state_ends() {
    let d = render(
        pass("A")
            .next(wait(
                "Execute long running task...wait 30 seconds",
                WaitFor::Seconds(30),
            ))
            .next(succeed("C")),
    );
    assert_eq!(d["StartAt"], "A");
    assert_eq!(
        d["States"]["A"]["Next"],
        "Execute long running task...wait 30 seconds"
    );
    assert_eq!(
        d["States"]["Execute long running task...wait 30 seconds"]["Next"],
        "C"
    );
    assert_eq!(d["States"]["C"], json!({"Type": "Succeed"}));
    let d = render(pass("Only"));
    assert_eq!(d["States"]["Only"]["End"], true);
}

#[test]
fn a_choice_ends_its_branches_unless_they_rejoin() {
    let d = render(
        pass("Start").next(
            choice("Big?")
                .when(Condition::numeric_greater_than("$.n", 10.0), pass("Big"))
                .otherwise(pass("Small")),
        ),
    );
    assert_eq!(d["States"]["Start"]["Next"], "Big?");
    assert_eq!(
        d["States"]["Big?"],
        json!({"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}], "Default": "Small"})
    );
    assert_eq!(d["States"]["Big"]["End"], true);
    assert_eq!(d["States"]["Small"]["End"], true);

    // afterwards: both branches go on to the next state; without otherwise, so does Default
    let d = render(
        choice("Which?")
            .when(Condition::string_equals("$.kind", "a"), pass("A"))
            .when(
                Condition::string_equals("$.kind", "b"),
                pass("B1").next(pass("B2")),
            )
            .afterwards()
            .next(succeed("Joined")),
    );
    assert_eq!(d["States"]["A"]["Next"], "Joined");
    assert_eq!(d["States"]["B1"]["Next"], "B2");
    assert_eq!(d["States"]["B2"]["Next"], "Joined");
    assert_eq!(d["States"]["Which?"]["Default"], "Joined");
}

#[test]
fn parallel_map_and_catch_handlers_build_their_own_graphs() {
    let d = render(
        parallel("Both")
            .branch(pass("Left"))
            .branch(pass("Right1").next(pass("Right2")))
            .catch(
                [ErrorName::All],
                fail("Failed").error("Both.Failed", "a branch failed"),
            )
            .next(
                map("Each", pass("Item"))
                    .items_path("$.items")
                    .max_concurrency(2)
                    .result_path(PathValue::Null),
            ),
    );
    let both = &d["States"]["Both"];
    assert_eq!(
        both["Branches"][0],
        json!({"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": true}}})
    );
    assert_eq!(both["Branches"][1]["States"]["Right1"]["Next"], "Right2");
    assert_eq!(
        both["Catch"],
        json!([{"ErrorEquals": ["States.ALL"], "Next": "Failed"}])
    );
    assert_eq!(both["Next"], "Each");
    assert_eq!(d["States"]["Failed"]["Type"], "Fail");
    let each = &d["States"]["Each"];
    assert_eq!(
        each["ItemProcessor"]["ProcessorConfig"],
        json!({"Mode": "INLINE"})
    );
    assert_eq!(each["ItemProcessor"]["States"]["Item"]["End"], true);
    assert_eq!(each["MaxConcurrency"], 2);
    assert_eq!(each["ResultPath"], Json::Null);
    assert_eq!(each["End"], true);
}

#[test]
fn building_mistakes_are_reported() {
    // fields a state type does not have do not compile (see the compile_fail examples of
    // the chain module); two states with one name are found when the chain is built
    let problems = wait("W", WaitFor::Seconds(1))
        .next(pass("P"))
        .next(pass("W"))
        .to_definition()
        .unwrap_err();
    assert_eq!(
        problems,
        vec![
            "two different states are named \"W\"; a state name is unique in the whole state machine"
                .to_string(),
        ]
    );
}

// --- rendering ----------------------------------------------------------------------------------

/// Every state type and most fields, JSONPath.
fn kitchen_sink() -> Chain<Closed> {
    pass("Prepare")
        .comment("shape the input")
        .input_path(PathValue::path("$.order"))
        .parameters(
            Payload::new()
                .path("id", "$.id")
                .context("execution", ContextPath::EXECUTION_ID)
                .intrinsic("uuid", States::uuid())
                .value("source", "rcdk"),
        )
        .result_path(PathValue::path("$.prepared"))
        .output_path(PathValue::path("$"))
        .assign(Value::from(json!({"startedAt.$": "$$.State.EnteredTime"})))
        .next(
            task("Charge", "arn:aws:states:::lambda:invoke")
                .parameters(Value::from(
                    json!({"FunctionName": "charge", "Payload.$": "$"}),
                ))
                .result_selector(Payload::new().path("receipt", "$.Payload"))
                .result_path(PathValue::path("$.charge"))
                .timeout(30)
                .heartbeat(Amount::Path("$.heartbeat".into()))
                .retry(
                    Retrier::on(["Lambda.TooManyRequestsException"])
                        .interval_seconds(1)
                        .max_attempts(3)
                        .backoff_rate(1.5)
                        .max_delay_seconds(10)
                        .jitter(Jitter::Full),
                )
                .catch_with(["States.TaskFailed"], pass("Recover"), |c| {
                    c.result_path(PathValue::path("$.error"))
                }),
        )
        .next(wait("Pause", WaitFor::timestamp_path("$.resumeAt")))
        .next(
            choice("Route")
                .when(
                    Condition::and([
                        Condition::is_present("$.charge"),
                        Condition::not(Condition::boolean_equals("$.charge.failed", true)),
                    ]),
                    parallel("Notify")
                        .branch(pass("Email"))
                        .branch(wait("Delay", WaitFor::seconds_path("$.delay")).next(pass("Sms"))),
                )
                .when(
                    Condition::or([
                        Condition::string_matches("$.kind", "gift*"),
                        Condition::timestamp_less_than_path("$.at", "$.deadline"),
                    ]),
                    map("Fan out", pass("Each item"))
                        .items_path("$.items")
                        .item_selector(
                            Payload::new()
                                .context("value", ContextPath::MAP_ITEM_VALUE)
                                .context("index", ContextPath::MAP_ITEM_INDEX),
                        )
                        .max_concurrency(5),
                )
                .otherwise(fail("Rejected").error("Order.Rejected", "no route")),
        )
}

#[test]
fn every_state_type_renders_as_asl() {
    let d = kitchen_sink()
        .to_definition()
        .unwrap()
        .comment("kitchen sink")
        .timeout_seconds(3600);
    insta::assert_json_snapshot!("kitchen_sink_jsonpath", d.to_json().unwrap());
}

#[test]
fn a_distributed_map_renders_reader_batcher_and_writer() {
    let step = map("Process files", pass("Handle batch"))
        .distributed(ExecutionType::Express)
        .item_reader(ItemReader {
            resource: "arn:aws:states:::s3:getObject".into(),
            reader_config: Some(
                ReaderConfig::new(InputType::Csv)
                    .csv_headers(CsvHeaders::FirstRow)
                    .max_items(1000),
            ),
            parameters: Some(Value::from(json!({"Bucket": "in", "Key": "items.csv"}))),
            arguments: None,
            input: None,
            policy: Vec::new(),
        })
        .item_batcher(
            ItemBatcher::new()
                .max_items_per_batch(100)
                .batch_input(json!({"job.$": "$.job"})),
        )
        .result_writer(ResultWriter {
            resource: Some("arn:aws:states:::s3:putObject".into()),
            parameters: Some(Value::from(json!({"Bucket": "out", "Prefix": "results"}))),
            arguments: None,
            input: None,
            writer_config: Some(WriterConfig {
                output_type: Some(OutputType::Jsonl),
                transformation: Some(Transformation::Compact),
            }),
            policy: Vec::new(),
        })
        .tolerated_failure_percentage(5)
        .tolerated_failure_count(Amount::Path("$.maxFailures".into()))
        .label("files")
        .max_concurrency(1000);
    let d = Chain::from(step).to_definition().unwrap();
    assert!(
        d.validate(ValidateOptions::new()).is_empty(),
        "{:?}",
        d.validate(ValidateOptions::new())
    );
    insta::assert_json_snapshot!("distributed_map", d.to_json().unwrap());
}

#[test]
fn a_jsonata_machine_renders_arguments_output_assign_and_conditions() {
    let d = task("Call", "arn:aws:states:::lambda:invoke")
        .arguments(Value::from(
            json!({"FunctionName": "f", "Payload": "{% $states.input %}"}),
        ))
        .output(jsonata("$states.result.Payload"))
        .assign(Value::from(
            json!({"total": "{% $states.result.Payload.total %}"}),
        ))
        .timeout(Amount::Expr("{% $timeout %}".into()))
        .catch_with(["States.ALL"], fail("Broke"), |c| {
            c.output(jsonata("$states.errorOutput"))
        })
        .next(
            choice("Enough?")
                .when_with(Condition::jsonata("$total > 10"), succeed("Yes"), |r| {
                    ChoiceRule {
                        output: Some(jsonata("{'total': $total}")),
                        ..r
                    }
                })
                .otherwise(
                    wait("Later", WaitFor::seconds_expr("$delay")).next(
                        map("Again", pass("Item").output(jsonata("$states.input")))
                            .items(jsonata("$states.input.items")),
                    ),
                ),
        )
        .to_definition()
        .unwrap()
        .query_language(QueryLanguage::Jsonata);
    assert_eq!(d.validate(ValidateOptions::new()), vec![]);
    let json = d.to_json().unwrap();
    assert_eq!(
        json["States"]["Enough?"]["Choices"][0]["Condition"],
        "{% $total > 10 %}"
    );
    insta::assert_json_snapshot!("jsonata", json);
}

#[test]
fn conditions_render_every_operator_in_both_forms() {
    for op in Comparison::ALL {
        let literal = match op.kind() {
            condition::ValueKind::Numeric => json!(1),
            condition::ValueKind::Boolean => json!(true),
            _ => json!("x"),
        };
        let c = Condition::Compare {
            variable: "$.v".into(),
            op: *op,
            operand: Operand::Literal(literal.clone()),
        };
        let mut expected = serde_json::Map::new();
        expected.insert("Variable".into(), json!("$.v"));
        expected.insert(op.name().into(), literal);
        assert_eq!(c.to_json(), expected);
        assert!(c.problems().is_empty(), "{op:?}");
        if let Some(path_name) = op.path_name() {
            let c = Condition::Compare {
                variable: "$.v".into(),
                op: *op,
                operand: Operand::Path("$.w".into()),
            };
            assert_eq!(c.to_json()[path_name], "$.w");
            // and parses back
            assert_eq!(Condition::from_json(&c.to_json(), &[]).unwrap(), c);
        }
    }
    for test in IsTest::ALL {
        let c = Condition::is("$.v", *test, false);
        assert_eq!(c.to_json()[test.name()], false);
        assert_eq!(Condition::from_json(&c.to_json(), &[]).unwrap(), c);
    }
    assert!(Condition::numeric_equals("$.v", 1.0).problems().is_empty());
    let wrong = Condition::Compare {
        variable: "$.v".into(),
        op: Comparison::NumericEquals,
        operand: Operand::Literal(json!("1")),
    };
    assert!(
        wrong.problems()[0].contains("not a Numeric value"),
        "{:?}",
        wrong.problems()
    );
}

// --- parsing -------------------------------------------------------------------------------------

#[test]
fn parsing_gives_back_the_model_it_rendered() {
    let d = kitchen_sink().to_definition().unwrap();
    let parsed = Definition::from_json(&d.to_json().unwrap()).unwrap();
    assert_eq!(parsed, d);
}

#[test]
fn parse_errors_say_where() {
    let cases = [
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Resulpath": "$.x"}}}),
            "/States/A/Resulpath: unknown field Resulpath",
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}}}),
            "/States/A: a Wait state needs exactly one of Seconds",
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Teleport", "End": true}}}),
            "/States/A/Type: Teleport is not a state type",
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "x", "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}], "End": true}}}),
            "/States/A/Retry/0/MaxAttempts: expected a non-negative integer",
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}, "TimeoutSeconds": 3}}}}),
            "/States/A/ItemProcessor/TimeoutSeconds: unknown field",
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Map", "End": true, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputTyp": "CSV"}}, "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}}}}),
            "ReaderConfig/InputTyp: unknown field",
        ),
        (
            json!({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "StringEquals": "a", "Next": "A"}]}}}),
            "needs exactly one comparison",
        ),
        (json!({"StartAt": "A"}), "States is required"),
    ];
    for (json, expected) in cases {
        let e = Definition::from_json(&json).unwrap_err().to_string();
        assert!(e.contains(expected), "{e:?} should contain {expected:?}");
    }
}

// --- validation ------------------------------------------------------------------------------------

fn problems_of(json: Json, express: bool) -> Vec<AslProblem> {
    Definition::from_json(&json).unwrap().validate(if express {
        ValidateOptions::new().express()
    } else {
        ValidateOptions::new()
    })
}

fn machine(states: Json) -> Json {
    json!({"StartAt": "A", "States": states})
}

/// Each definition breaks exactly one rule; the problem names the state.
#[test]
fn each_validation_rule_reports_the_state() {
    let long = "L".repeat(81);
    let branch = json!({"StartAt": "In", "States": {"In": {"Type": "Pass", "End": true}}});
    let cases: Vec<(Json, bool, Option<&str>, &str)> = vec![
        (
            json!({"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}),
            false,
            None,
            "StartAt \"Nope\" is not one of its states",
        ),
        (
            machine(json!({"A": {"Type": "Pass", "Next": "B"}})),
            false,
            Some("A"),
            "goes to \"B\", which does not exist",
        ),
        (
            machine(
                json!({"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "B"}], "Default": "C"}, "B": {"Type": "Succeed"}}),
            ),
            false,
            Some("A"),
            "goes to \"C\"",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}], "End": true}}),
            ),
            false,
            Some("A"),
            "goes to \"Z\"",
        ),
        (
            machine(json!({"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}})),
            false,
            Some("B"),
            "is not reachable",
        ),
        (
            machine(json!({"A": {"Type": "Pass"}})),
            false,
            Some("A"),
            "has neither Next nor End",
        ),
        (
            machine(
                json!({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}),
            ),
            false,
            None,
            "never ends",
        ),
        (
            machine(
                json!({"A": {"Type": "Parallel", "Branches": [branch.clone(), branch], "End": true}}),
            ),
            false,
            Some("In"),
            "names must be unique",
        ),
        (
            json!({"StartAt": long, "States": {long.clone(): {"Type": "Succeed"}}}),
            false,
            Some(long.as_str()),
            "81 characters",
        ),
        (
            machine(
                json!({"A": {"Type": "Map", "ItemProcessor": {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "B"}}}, "Next": "B"}, "B": {"Type": "Succeed"}}),
            ),
            false,
            Some("In"),
            "cannot jump out of",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "End": true}}),
            ),
            true,
            Some("A"),
            "EXPRESS state machine allows request/response",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}}, "End": true}}),
            ),
            true,
            Some("A"),
            "no .sync or .waitForTaskToken",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "q", "MessageBody.$": "$"}, "End": true}}),
            ),
            false,
            Some("A"),
            "sends no task token: put $$.Task.Token in its Parameters",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Arguments": {"QueueUrl": "q", "MessageBody": "{% $states.input %}"}, "End": true}}),
            ),
            false,
            Some("A"),
            "put $states.context.Task.Token in its Arguments",
        ),
        (
            json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}}),
            false,
            Some("A"),
            "no state may use JSONPath",
        ),
        (
            json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {}, "End": true}}}),
            false,
            Some("A"),
            "Parameters is a JSONPath field",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {}, "End": true}}),
            ),
            false,
            Some("A"),
            "Arguments is a JSONata field",
        ),
        (
            machine(
                json!({"A": {"Type": "Choice", "Choices": [], "Default": "B"}, "B": {"Type": "Succeed"}}),
            ),
            false,
            Some("A"),
            "needs at least one rule",
        ),
        (
            machine(
                json!({"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": "1", "Next": "B"}]}, "B": {"Type": "Succeed"}}),
            ),
            false,
            Some("A"),
            "not a Numeric value",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}], "End": true}}),
            ),
            false,
            Some("A"),
            "States.ALL must stand alone, in the last retrier",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["States.Oops"]}], "End": true}}),
            ),
            false,
            Some("A"),
            "States.Oops is not an error Step Functions defines",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "r", "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}], "End": true}}),
            ),
            false,
            Some("A"),
            "BackoffRate 0.5 must be at least 1.0",
        ),
        (
            machine(
                json!({"A": {"Type": "Task", "Resource": "r", "TimeoutSeconds": 10, "HeartbeatSeconds": 10, "End": true}}),
            ),
            false,
            Some("A"),
            "HeartbeatSeconds must be smaller",
        ),
        (
            machine(json!({"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}})),
            false,
            Some("A"),
            "Error and ErrorPath are mutually exclusive",
        ),
        (
            machine(
                json!({"A": {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}, "ItemProcessor": {"StartAt": "In", "States": {"In": {"Type": "Pass", "End": true}}}, "End": true}}),
            ),
            false,
            Some("A"),
            "ItemReader needs a Distributed Map",
        ),
        (
            machine(
                json!({"A": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "In", "States": {"In": {"Type": "Pass", "End": true}}}, "End": true}}),
            ),
            true,
            Some("A"),
            "needs a STANDARD state machine",
        ),
        (
            machine(
                json!({"A": {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:deleteObject"}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "In", "States": {"In": {"Type": "Pass", "End": true}}}, "End": true}}),
            ),
            false,
            Some("A"),
            "ItemReader reads from s3:getObject or s3:listObjectsV2",
        ),
        (
            machine(json!({"A": {"Type": "Parallel", "Branches": [], "End": true}})),
            false,
            Some("A"),
            "needs at least one branch",
        ),
    ];
    for (i, (json, express, state, needle)) in cases.into_iter().enumerate() {
        let problems = problems_of(json, express);
        assert_eq!(problems.len(), 1, "case {i} ({needle}): {problems:#?}");
        assert_eq!(problems[0].state.as_deref(), state, "case {i}");
        assert!(
            problems[0].message.contains(needle),
            "case {i}: {:?} should contain {needle:?}",
            problems[0].message
        );
    }
}

#[test]
fn a_definition_over_1_mb_is_reported() {
    let mut states = serde_json::Map::new();
    let big = "x".repeat(10_000);
    for i in 0..110 {
        let next = if i == 109 {
            json!({"End": true})
        } else {
            json!({"Next": format!("S{}", i + 1)})
        };
        let mut s = json!({"Type": "Pass", "Result": big});
        s.as_object_mut()
            .unwrap()
            .extend(next.as_object().unwrap().clone());
        states.insert(format!("S{i}"), s);
    }
    let problems = problems_of(json!({"StartAt": "S0", "States": states}), false);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .message
            .contains("Step Functions accepts at most 1048576"),
        "{problems:?}"
    );
}

#[test]
fn the_reference_machines_are_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference");
    for file in [
        "000-async-streaming-results/statemachine.asl.json",
        "001-waitable-pattern/waitable-stepfunction.asl.json",
        "002-lambda-sfn-dynamodb-status/statemachine.asl.resolved.json",
        "004-stepfunctions-map-ddb/statemachine.asl.resolved.json",
    ] {
        let d =
            Definition::from_json_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
        assert_eq!(
            d.validate(if file.starts_with("000") {
                ValidateOptions::new().express()
            } else {
                ValidateOptions::new()
            }),
            vec![],
            "{file}"
        );
    }
}
