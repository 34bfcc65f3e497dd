//! What synthesizes must work when deployed: one small app per mistake a user makes, each
//! either deriving the right policy (asserted as whole statements written out here) or failing
//! synth with a message that names the state, the action or the resources.

mod common;

use constructs::assertions::Template;
use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::events::{EventBus, EventBusProps};
use constructs::iam::{aws_managed_policy_arn, PolicyStatement, Principal, Role, RoleProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::s3::{Bucket, BucketProps};
use constructs::stepfunctions::asl::*;
use constructs::stepfunctions::tasks::{self, *};
use constructs::stepfunctions::{DefinitionBody, StateMachine, StateMachineProps};
use constructs::{App, Stack};
use serde_json::{json, Value as Json};

use common::{assert_contains_all, problems_in, statements, workspace};

/// Every problem synth finds in a one-stack app, each with its help.
fn problems_with_help(root: &std::path::Path, stack: Stack) -> String {
    let mut app = App::new(root);
    app.add_stack(stack);
    let e = app.synth().expect_err("synth should fail");
    e.problems()
        .iter()
        .map(|p| format!("{p}\nhelp: {}", p.help.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn get_att(t: &Template, type_name: &str) -> Json {
    json!({"Fn::GetAtt": [t.logical_id_of_type(type_name), "Arn"]})
}

fn objects(t: &Template, key: &str) -> Json {
    json!({"Fn::Sub": [format!("${{Bucket}}/{key}"), {"Bucket": get_att(t, "AWS::S3::Bucket")}]})
}

fn own(kind: &str, name: &str) -> Json {
    json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:{kind}:{name}")})
}

fn machine_id(t: &Template, name_prefix: &str) -> String {
    t.find_resources("AWS::StepFunctions::StateMachine", json!({}))
        .into_iter()
        .map(|(id, _)| id)
        .find(|id| id.starts_with(name_prefix))
        .unwrap_or_else(|| panic!("no machine {name_prefix}"))
}

fn machine_json(t: &Template, name_prefix: &str) -> Json {
    t.find_resources("AWS::StepFunctions::StateMachine", json!({}))
        .into_iter()
        .find(|(id, _)| id.starts_with(name_prefix))
        .map(|(_, m)| m)
        .unwrap_or_else(|| panic!("no machine {name_prefix}"))
}

fn function(s: &mut Stack, id: &str) -> Function {
    Function::new(s, id, FunctionProps::new("one"))
}

#[test]
fn a_distributed_map_over_s3_with_a_writer_and_a_sync_child_gets_every_right_it_needs() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let bucket = Bucket::new(&mut s, "Data", BucketProps::new());
    let child = StateMachine::new(&mut s, "Child", StateMachineProps::new(pass("Work")));
    let item = tasks::start_execution(
        "Run child",
        &child,
        StartExecution::new().pattern(IntegrationPattern::Sync),
    );
    let distributed = map("Each order", item)
        .distributed(ExecutionType::Standard)
        .item_reader(ItemReader::s3_object(
            &bucket,
            ObjectKey::Literal("orders/today.csv".into()),
            ReaderConfig::new(InputType::Csv).csv_headers(CsvHeaders::FirstRow),
        ))
        .result_writer(
            ResultWriter::s3(&bucket, "results/")
                .config(OutputType::Jsonl, Transformation::Compact),
        )
        .max_concurrency(500);
    StateMachine::new(&mut s, "Orders", StateMachineProps::new(distributed));
    let t = Template::from_stack_in(ws.path(), &s);

    let machine = machine_json(&t, "Orders");
    let name = machine["Properties"]["StateMachineName"]
        .as_str()
        .expect("a machine that calls itself has a name")
        .to_string();
    assert!(
        name.starts_with("S-Orders-") && name.len() == "S-Orders-".len() + 8,
        "{name}"
    );
    let child_arn = json!({"Ref": machine_id(&t, "Child")});
    let child_executions = json!({"Fn::Sub": [
        "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*",
        {"Name": {"Fn::GetAtt": [machine_id(&t, "Child"), "Name"]}}
    ]});
    assert_eq!(
        statements(&t, "OrdersRole"),
        vec![
            json!({"Action": "states:StartExecution", "Effect": "Allow",
                   "Resource": [own("stateMachine", &name), child_arn]}),
            json!({"Action": ["states:DescribeExecution", "states:StopExecution"], "Effect": "Allow",
                   "Resource": [own("execution", &format!("{name}/*")), child_executions]}),
            json!({"Action": "s3:GetObject", "Effect": "Allow",
                   "Resource": objects(&t, "orders/today.csv")}),
            json!({"Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
                   "Effect": "Allow", "Resource": objects(&t, "results/*")}),
            json!({"Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"], "Effect": "Allow",
                   "Resource": {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"}}),
        ]
    );
    // the machine does not refer to itself: no cycle, and its definition names the bucket
    let definition = &machine["Properties"]["Definition"]["States"]["Each order"];
    assert_eq!(
        definition["ItemReader"],
        json!({"Resource": "${S3GetObject}",
               "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
               "Parameters": {"Bucket": "${DataName}", "Key": "orders/today.csv"}})
    );
    assert_eq!(
        definition["ResultWriter"],
        json!({"Resource": "${S3PutObject}",
               "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"},
               "Parameters": {"Bucket": "${DataName}", "Prefix": "results"}})
    );
    // the same name at every synth
    let again = Template::from_stack_in(ws.path(), &s);
    assert_eq!(
        machine_json(&again, "Orders")["Properties"]["StateMachineName"],
        json!(name)
    );
}

#[test]
fn listing_objects_may_list_only_under_the_prefix() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let bucket = Bucket::new(&mut s, "Data", BucketProps::new());
    let m = map("Each", pass("P"))
        .distributed(ExecutionType::Express)
        .item_reader(ItemReader::s3_objects(&bucket, "incoming/"));
    StateMachine::new(&mut s, "M", StateMachineProps::new(m).name("lister"));
    let t = Template::from_stack_in(ws.path(), &s);
    let st = statements(&t, "MRole");
    assert_eq!(
        st[2],
        json!({"Action": "s3:ListBucket", "Condition": {"StringLike": {"s3:prefix": "incoming/*"}},
               "Effect": "Allow", "Resource": get_att(&t, "AWS::S3::Bucket")})
    );
    assert_eq!(st[0]["Resource"], own("stateMachine", "lister"));
}

#[test]
fn a_raw_task_without_a_right_fails_synth_and_says_how_to_give_it() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let send = task("Send", tasks::integration_arn("sqs:sendMessage"))
        .input(Input::object().field("QueueUrl", "https://sqs.example/q"));
    StateMachine::new(&mut s, "M", StateMachineProps::new(send));
    let all = problems_with_help(ws.path(), s);
    assert_contains_all(
        &all,
        &[
            "S/M/Resource [Definition]",
            "state \"Send\" calls arn:${AWS::Partition}:states:::sqs:sendMessage, but no policy of its role S/M/Role/Resource allows sqs:SendMessage",
            ".grant(PolicyStatement::allow().action(\"sqs:SendMessage\")",
            ".permissions_managed_elsewhere()",
        ],
    );

    // a function called by its ARN needs lambda:InvokeFunction
    let mut s = Stack::new("S");
    let f = function(&mut s, "F");
    StateMachine::new(&mut s, "M", StateMachineProps::new(task("Call", f.arn())));
    assert_contains_all(
        &problems_in(ws.path(), s),
        &["state \"Call\" calls", "allows lambda:InvokeFunction"],
    );
}

#[test]
fn a_right_given_later_on_the_role_or_marked_as_managed_elsewhere_satisfies_synth() {
    let ws = workspace();
    let arn = "arn:aws:sqs:eu-west-1:123456789012:orders";
    // granted on the machine's role after the machine was made
    let mut s = Stack::new("S");
    let m = StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(task("Send", tasks::integration_arn("sqs:sendMessage"))),
    );
    m.role().add_to_policy(
        &mut s,
        PolicyStatement::allow()
            .action("sqs:SendMessage")
            .resource(arn),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    assert_eq!(
        statements(&t, "MRole"),
        vec![json!({"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": arn})]
    );
    // a wildcard covers it too
    let mut s = Stack::new("S");
    let m = StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(task("Send", tasks::integration_arn("sqs:sendMessage"))),
    );
    m.role().add_to_policy(
        &mut s,
        PolicyStatement::allow().action("sqs:Send*").resource(arn),
    );
    Template::from_stack_in(ws.path(), &s);
    // managed elsewhere: no statement, no error
    let mut s = Stack::new("S");
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(
            task("Send", tasks::integration_arn("sqs:sendMessage")).permissions_managed_elsewhere(),
        ),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    t.resource_count_is("AWS::IAM::Policy", 0);
}

#[test]
fn the_machines_own_arn_in_its_policy_is_a_cycle_and_synth_names_it() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, "F");
    // the derived right for the function makes the machine wait for its policy
    let m = StateMachine::new(
        &mut s,
        "Loop",
        StateMachineProps::new(
            tasks::lambda_invoke("Work", &f, LambdaInvoke::new()).next(
                task("Again", tasks::integration_arn("states:startExecution"))
                    .permissions_managed_elsewhere(),
            ),
        ),
    );
    m.role().add_to_policy(
        &mut s,
        PolicyStatement::allow()
            .action("states:StartExecution")
            .resource(m.arn()),
    );
    let all = problems_with_help(ws.path(), s);
    assert_contains_all(
        &all,
        &[
            "the resources depend on each other in a cycle: S/Loop/Role/DefaultPolicy/Resource -> S/Loop/Resource -> S/Loop/Role/DefaultPolicy/Resource",
            "this_state_machine_arn()",
        ],
    );
}

#[test]
fn a_machine_starts_itself_through_its_name_without_a_cycle() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let again = tasks::start_execution_of_itself(
        "Again",
        StartExecution::new().input(Payload::new().path("page", "$.next")),
    );
    StateMachine::new(&mut s, "Pager", StateMachineProps::new(again).name("pager"));
    let t = Template::from_stack_in(ws.path(), &s);
    assert_eq!(
        statements(&t, "PagerRole"),
        vec![json!({"Action": "states:StartExecution", "Effect": "Allow",
                    "Resource": own("stateMachine", "pager")})]
    );
    let machine = machine_json(&t, "Pager");
    assert_eq!(
        machine["Properties"]["Definition"]["States"]["Again"]["Parameters"],
        json!({"StateMachineArn": "arn:${Partition}:states:${Region}:${AccountId}:stateMachine:pager",
               "Input": {"page.$": "$.next"}})
    );
}

#[test]
fn an_http_task_may_call_its_endpoint_with_its_method_and_read_its_connection() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let connection = "arn:aws:events:eu-west-1:123456789012:connection/stripe/abc";
    let call = tasks::http_invoke(
        "Charge",
        HttpInvoke::new(
            connection,
            HttpMethod::Post,
            "https://api.stripe.com/v1/charges",
        )
        .body(Payload::new().path("amount", "$.amount")),
    );
    StateMachine::new(&mut s, "Pay", StateMachineProps::new(call).name("pay"));
    let t = Template::from_stack_in(ws.path(), &s);
    assert_eq!(
        statements(&t, "PayRole"),
        vec![
            json!({"Action": "states:InvokeHTTPEndpoint",
                   "Condition": {"StringEquals": {"states:HTTPMethod": "POST"},
                                 "StringLike": {"states:HTTPEndpoint": "https://api.stripe.com/v1/charges*"}},
                   "Effect": "Allow", "Resource": own("stateMachine", "pay")}),
            json!({"Action": "events:RetrieveConnectionCredentials", "Effect": "Allow", "Resource": connection}),
            json!({"Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], "Effect": "Allow",
                   "Resource": {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:events!connection/*"}}),
        ]
    );
    let mut s = Stack::new("S");
    let call = tasks::http_invoke(
        "Charge",
        HttpInvoke::new(connection, HttpMethod::Any, "http://api.example.com"),
    );
    StateMachine::new(&mut s, "Pay", StateMachineProps::new(call));
    assert_contains_all(
        &problems_in(ws.path(), s),
        &["not ANY", "must start with https://"],
    );
}

/// Every task helper, in a machine of `language`: the state (rendered) and the role's
/// statements.
fn every_helper(language: QueryLanguage) -> (Json, Vec<Json>) {
    let ws = workspace();
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let f = function(&mut s, "F");
    let bucket = Bucket::new(&mut s, "Files", BucketProps::new());
    let child = StateMachine::new(&mut s, "Child", StateMachineProps::new(pass("P")));
    let key = || attr_map(&[("Id", Attr::s_path("$.id"))]);
    let chain = tasks::lambda_invoke("Invoke", &f, LambdaInvoke::new())
        .next(tasks::lambda_function("Legacy", &f))
        .next(tasks::dynamo_put_item(
            "Put",
            &table,
            attr_map(&[("Id", Attr::s_path("$.id")), ("N", Attr::n_path("$.n"))]),
            Expressions::default(),
        ))
        .next(tasks::dynamo_get_item("Get", &table, key(), None))
        .next(tasks::dynamo_update_item(
            "Update",
            &table,
            key(),
            "SET #s = :s",
            Expressions::new()
                .expression_attribute_names([("#s", "Status")])
                .expression_attribute_values([(":s", Attr::s("Done"))])
                .return_values(ReturnValues::UpdatedNew),
        ))
        .next(tasks::dynamo_delete_item(
            "Delete",
            &table,
            key(),
            Expressions::default(),
        ))
        .next(tasks::dynamo_query(
            "Query",
            &table,
            Query::new("Id = :id").expression_attribute_values([(":id", Attr::s_path("$.id"))]),
        ))
        .next(tasks::start_execution(
            "Start",
            &child,
            StartExecution::new(),
        ))
        .next(tasks::s3_get_object(
            "Read",
            &bucket,
            ObjectKey::Path("$.key".into()),
        ))
        .next(tasks::s3_put_object(
            "Write",
            &bucket,
            ObjectKey::Literal("out.json".into()),
            ObjectKey::Path("$.body".into()),
        ))
        .next(tasks::aws_sdk(
            "Sdk",
            "sqs",
            "sendMessage",
            Payload::new().path("MessageBody", "$.message"),
            vec![PolicyStatement::allow()
                .action("sqs:SendMessage")
                .resource("arn:aws:sqs:eu-west-1:123456789012:q")],
        ));
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(chain).query_language(language),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let states = machine_json(&t, "M")["Properties"]["Definition"]["States"].clone();
    (states, statements(&t, "MRole"))
}

#[test]
fn every_task_helper_works_in_both_query_languages_with_the_same_rights() {
    let (jsonpath, jp_rights) = every_helper(QueryLanguage::JsonPath);
    let (jsonata, ja_rights) = every_helper(QueryLanguage::Jsonata);
    assert_eq!(jp_rights, ja_rights);
    assert_eq!(jp_rights.len(), 6, "{jp_rights:#?}");

    assert_eq!(
        jsonpath["Invoke"]["Parameters"],
        json!({"FunctionName": "${FArn}", "Payload.$": "$"})
    );
    assert_eq!(
        jsonata["Invoke"]["Arguments"],
        json!({"FunctionName": "${FArn}", "Payload": "{% $states.input %}"})
    );
    assert_eq!(
        jsonpath["Put"]["Parameters"]["Item"],
        json!({"Id": {"S.$": "$.id"}, "N": {"N.$": "States.Format('{}', $.n)"}})
    );
    assert_eq!(
        jsonata["Put"]["Arguments"]["Item"],
        json!({"Id": {"S": "{% $states.input.id %}"}, "N": {"N": "{% $string($states.input.n) %}"}})
    );
    assert_eq!(
        jsonata["Update"]["Arguments"]["ReturnValues"],
        "UPDATED_NEW"
    );
    assert_eq!(
        jsonata["Query"]["Arguments"]["ExpressionAttributeValues"],
        json!({":id": {"S": "{% $states.input.id %}"}})
    );
    assert_eq!(
        jsonata["Start"]["Arguments"]["Input"],
        "{% $states.input %}"
    );
    assert_eq!(
        jsonata["Read"]["Arguments"]["Key"],
        "{% $states.input.key %}"
    );
    assert_eq!(
        jsonata["Write"]["Arguments"]["Body"],
        "{% $states.input.body %}"
    );
    assert_eq!(
        jsonata["Sdk"]["Arguments"],
        json!({"MessageBody": "{% $states.input.message %}"})
    );
    for (name, state) in jsonata.as_object().unwrap() {
        assert!(
            state.get("Parameters").is_none(),
            "{name} has Parameters under JSONata"
        );
    }
    for (name, state) in jsonpath.as_object().unwrap() {
        assert!(
            state.get("Arguments").is_none(),
            "{name} has Arguments under JSONPath"
        );
    }
    // the legacy form sends the whole input: no Parameters, no Arguments
    assert!(jsonata["Legacy"].get("Arguments").is_none());
}

#[test]
fn what_a_query_language_cannot_say_fails_synth() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let put = tasks::dynamo_put_item(
        "Put",
        &table,
        attr_map(&[(
            "Id",
            Attr::s_intrinsic(States::format("order-{}", [Arg::path("$.id")])),
        )]),
        Expressions::default(),
    );
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(put).query_language(QueryLanguage::Jsonata),
    );
    assert_contains_all(
        &problems_in(ws.path(), s),
        &["state \"Put\": Arguments.Item.Id.S: States.Format('order-{}', $.id) is an intrinsic function, which JSONata states do not have"],
    );
    let mut s = Stack::new("S");
    let sdk = tasks::aws_sdk(
        "Sdk",
        "sqs",
        "sendMessage",
        Payload::new().expr("MessageBody", "$states.input.m"),
        vec![PolicyStatement::allow()
            .action("sqs:SendMessage")
            .resource("*")],
    );
    StateMachine::new(&mut s, "M", StateMachineProps::new(sdk));
    assert_contains_all(
        &problems_in(ws.path(), s),
        &["Parameters.MessageBody: {% $states.input.m %} is a JSONata expression, but the state uses JSONPath"],
    );
}

#[test]
fn intrinsic_arguments_are_what_their_type_says() {
    assert_eq!(
        States::format("hello {}", ["world".into()]).to_string(),
        "States.Format('hello {}', 'world')"
    );
    let ws = workspace();
    let all = problems_in(ws.path(), {
        let mut s2 = Stack::new("S");
        let t = tasks::aws_sdk(
            "Sdk",
            "sqs",
            "sendMessage",
            Payload::new()
                .intrinsic("greeting", States::format("hello {}", [Arg::path("world")]))
                .intrinsic("many", States::array_range(1, 100_000, 1)),
            vec![PolicyStatement::allow()
                .action("sqs:SendMessage")
                .resource("*")],
        );
        StateMachine::new(&mut s2, "M", StateMachineProps::new(t));
        s2
    });
    assert_contains_all(
        &all,
        &[
            "\"world\" is not a reference path ($.x)",
            "States.ArrayRange(1, 100000, 1) gives 100000 items; States.ArrayRange gives 1 to 1000",
        ],
    );
}

#[test]
fn two_states_with_one_name_are_named_once_and_nothing_else() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let chain = pass("Same")
        .result(json!({"a": 1}))
        .next(pass("Other"))
        .next(pass("Same").result(json!({"b": 2})));
    StateMachine::new(&mut s, "M", StateMachineProps::new(chain));
    let all = problems_in(ws.path(), s);
    assert_contains_all(&all, &["two different states are named \"Same\""]);
    assert!(!all.contains("never ends"), "{all}");
    assert!(!all.contains("not reachable"), "{all}");
}

#[test]
fn waits_and_concurrency_beyond_what_step_functions_accepts_fail_synth() {
    let ws = workspace();
    let cases: Vec<(&str, DefinitionBody, bool, &str)> = vec![
        (
            "wait forever",
            wait("Forever", WaitFor::Seconds(u64::MAX)).into(),
            false,
            "state \"Forever\": Seconds is 18446744073709552000; Step Functions accepts 0 to 99999999",
        ),
        (
            "an EXPRESS wait of 400 s",
            wait("Long", WaitFor::Seconds(400)).into(),
            true,
            "Seconds is 400; Step Functions accepts 0 to 300",
        ),
        (
            "EXPRESS waits adding up past 5 minutes",
            wait("A", WaitFor::Seconds(200))
                .next(wait("B", WaitFor::Seconds(101)))
                .into(),
            true,
            "the Wait states on the path A (200 s) -> B (101 s) add up to 301 s, but an EXPRESS execution lasts at most 300 s",
        ),
        (
            "a distributed map of 20,000 at once",
            map("M", pass("P"))
                .distributed(ExecutionType::Express)
                .max_concurrency(20_000)
                .into(),
            false,
            "MaxConcurrency is 20000; Step Functions accepts 0 to 10000",
        ),
        (
            "a CSV reader without headers",
            map("M", pass("P"))
                .distributed(ExecutionType::Express)
                .item_reader({
                    let mut s = Stack::new("Other");
                    let b = Bucket::new(&mut s, "B", BucketProps::new());
                    ItemReader::s3_object(
                        &b,
                        ObjectKey::Literal("a.csv".into()),
                        ReaderConfig::new(InputType::Csv),
                    )
                })
                .into(),
            false,
            "InputType CSV needs CSVHeaderLocation",
        ),
        (
            "a task timeout of 100,000,000 s",
            task("T", "arn:aws:states:::activity")
                .permissions_managed_elsewhere()
                .timeout(100_000_000)
                .into(),
            false,
            "TimeoutSeconds is 100000000; Step Functions accepts 1 to 99999999",
        ),
    ];
    for (what, definition, express, expected) in cases {
        let mut s = Stack::new("S");
        let mut props = StateMachineProps::new(definition);
        if express {
            props = props.express();
        }
        StateMachine::new(&mut s, "M", props);
        let all = problems_in(ws.path(), s);
        assert!(
            all.contains(expected),
            "{what}: missing {expected:?} in\n{all}"
        );
    }
}

#[test]
fn one_table_name_in_two_stacks_fails_synth_naming_both() {
    let ws = workspace();
    let mut app = App::new(ws.path());
    for stack in ["A", "B"] {
        let mut s = Stack::new(stack);
        Table::new(
            &mut s,
            "Orders",
            TableProps::new(Attribute::new("Id", AttributeType::String)).table_name("orders"),
        );
        app.add_stack(s);
    }
    let e = app
        .synth()
        .unwrap_err()
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert_contains_all(
        &e,
        &["B/Orders/Resource [TableName]: the table name \"orders\" is also given to A/Orders/Resource"],
    );
}

#[test]
fn one_event_bus_name_in_two_stacks_is_refused() {
    let mut app = App::new(".");
    for stack in ["A", "B"] {
        let mut s = Stack::new(stack);
        EventBus::new(&mut s, "Bus", EventBusProps::new().name("shop"));
        app.add_stack(s);
    }
    let e = app
        .synth()
        .unwrap_err()
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        e,
        "B/Bus/Resource [Name]: the event bus name \"shop\" is also given to A/Bus/Resource; an event bus name is unique in the account and region, so the second would fail to deploy"
    );
}

#[test]
fn a_cycle_through_definition_substitutions_is_found() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, "F");
    let m = StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(tasks::lambda_invoke("Call", &f, LambdaInvoke::new())),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    t.resource_count_is("AWS::StepFunctions::StateMachine", 1);
    // a function that names the machine while the machine's substitutions name the function
    let f_ref = f.resource().clone();
    s.add_property_override(&f_ref, "Environment.Variables.MACHINE", m.arn());
    let all = problems_in(ws.path(), s);
    assert_contains_all(&all, &["the resources depend on each other in a cycle: S/F/Resource -> S/M/Resource -> S/F/Resource"]);
}

#[test]
fn an_activity_needs_no_right_of_the_machine() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let work = tasks::activity(
        "Work",
        "arn:aws:states:eu-west-1:123456789012:activity:review",
    )
    .timeout(3600)
    .heartbeat(60);
    StateMachine::new(&mut s, "M", StateMachineProps::new(work));
    let t = Template::from_stack_in(ws.path(), &s);
    t.resource_count_is("AWS::IAM::Policy", 0);
    assert_eq!(
        machine_json(&t, "M")["Properties"]["Definition"]["States"]["Work"]["Resource"],
        "arn:aws:states:eu-west-1:123456789012:activity:review"
    );
}

#[test]
fn a_jsonata_distributed_map_reads_and_writes_through_arguments() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let bucket = Bucket::new(&mut s, "Data", BucketProps::new());
    let m = map("Each", pass("P"))
        .distributed(ExecutionType::Standard)
        .item_reader(ItemReader::s3_object(
            &bucket,
            ObjectKey::Path("$.key".into()),
            ReaderConfig::new(InputType::Jsonl),
        ))
        .result_writer(ResultWriter::s3(&bucket, "out"));
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(m)
            .name("jsonata-map")
            .query_language(QueryLanguage::Jsonata),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let state = &machine_json(&t, "M")["Properties"]["Definition"]["States"]["Each"];
    assert_eq!(
        state["ItemReader"],
        json!({"Resource": "${S3GetObject}", "ReaderConfig": {"InputType": "JSONL"},
               "Arguments": {"Bucket": "${DataName}", "Key": "{% $states.input.key %}"}})
    );
    assert_eq!(
        state["ResultWriter"],
        json!({"Resource": "${S3PutObject}",
               "Arguments": {"Bucket": "${DataName}", "Prefix": "out"}})
    );
    // a key from a path may be any object of the bucket
    assert_eq!(
        statements(&t, "MRole")[2],
        json!({"Action": "s3:GetObject", "Effect": "Allow", "Resource": objects(&t, "*")})
    );
}

#[test]
fn a_role_with_managed_policies_is_not_second_guessed() {
    // synth cannot see what an AWS managed policy allows: a raw task on such a role passes
    let ws = workspace();
    let mut s = Stack::new("S");
    let role = Role::new(
        &mut s,
        "Runner",
        RoleProps::new(Principal::service("states.amazonaws.com"))
            .managed_policy(aws_managed_policy_arn("AmazonSQSFullAccess")),
    );
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(task("Send", tasks::integration_arn("sqs:sendMessage"))).role(role),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    t.resource_count_is("AWS::StepFunctions::StateMachine", 1);
    // the same role without it is asked for the right
    let mut s = Stack::new("S");
    let role = Role::new(
        &mut s,
        "Runner",
        RoleProps::new(Principal::service("states.amazonaws.com")),
    );
    StateMachine::new(
        &mut s,
        "M",
        StateMachineProps::new(task("Send", tasks::integration_arn("sqs:sendMessage"))).role(role),
    );
    assert_contains_all(
        &problems_in(ws.path(), s),
        &["no policy of its role S/Runner/Resource allows sqs:SendMessage"],
    );
}

#[test]
fn messaging_tasks_derive_their_rights_and_a_callback_must_send_its_token() {
    use constructs::sns::{Topic, TopicProps};
    use constructs::sqs::{Queue, QueueEncryption, QueueProps};
    let ws = workspace();
    let mut s = Stack::new("S");
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let queue = Queue::new(
        &mut s,
        "Approvals",
        QueueProps::new().encryption(QueueEncryption::Kms(key.into())),
    );
    let topic = Topic::new(&mut s, "Done", TopicProps::new());
    let ask = tasks::sqs_send_message(
        "Ask",
        &queue,
        SendMessage::new(
            Input::object()
                .field("order", Input::path("$.id"))
                .field("token", Input::from(ContextPath::TASK_TOKEN)),
        )
        .wait_for_task_token(),
    );
    let tell = tasks::sns_publish(
        "Tell",
        &topic,
        Publish::new(Input::path("$")).subject("done"),
    );
    StateMachine::new(&mut s, "M", StateMachineProps::new(ask.next(tell)));
    let t = Template::from_stack_in(ws.path(), &s);
    let states = &machine_json(&t, "M")["Properties"]["Definition"]["States"];
    assert_eq!(
        states["Ask"]["Parameters"]["MessageBody"],
        json!({"order.$": "$.id", "token.$": "$$.Task.Token"})
    );
    assert_eq!(states["Tell"]["Parameters"]["Subject"], "done");
    let queue_arn = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::SQS::Queue"), "Arn"]});
    let topic_ref = json!({"Ref": t.logical_id_of_type("AWS::SNS::Topic")});
    let st = statements(&t, "MRole");
    assert!(
        st.contains(
            &json!({"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": queue_arn})
        ),
        "{st:?}"
    );
    assert!(st.contains(&json!({"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": key})), "{st:?}");
    assert!(
        st.contains(&json!({"Action": "sns:Publish", "Effect": "Allow", "Resource": topic_ref})),
        "{st:?}"
    );
    // a callback whose message carries no token can never be resumed
    let mut s = Stack::new("S");
    let queue = Queue::new(&mut s, "Q", QueueProps::new());
    let ask = tasks::sqs_send_message(
        "Ask",
        &queue,
        SendMessage::new(Input::path("$")).wait_for_task_token(),
    );
    StateMachine::new(&mut s, "M", StateMachineProps::new(ask));
    assert_contains_all(
        &problems_in(ws.path(), s),
        &["S/M/Resource [Definition]: state \"Ask\": uses arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken but sends no task token: put $$.Task.Token in its Parameters"],
    );
}

#[test]
fn event_sources_and_alarm_topics_wait_for_their_rights_without_a_cycle() {
    use constructs::cloudwatch::{
        AlarmProps, AlarmRule, AlarmState, CompositeAlarm, CompositeAlarmProps,
    };
    use constructs::lambda::{
        EventSource, FailureDestination, SqsSource, StartingPosition, StreamSource,
    };
    use constructs::sns::{Topic, TopicProps};
    use constructs::sqs::{Queue, QueueProps};

    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, "Worker");
    let inbox = Queue::new(&mut s, "Inbox", QueueProps::new());
    let table = Table::new(
        &mut s,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let alerts = Topic::new(
        &mut s,
        "Alerts",
        TopicProps::new().kms_key(Some(constructs::Value::from(key))),
    );
    f.add_event_source(&mut s, EventSource::sqs(&inbox, SqsSource::new()));
    f.add_event_source(
        &mut s,
        EventSource::dynamodb(
            &table,
            StreamSource::new(StartingPosition::TrimHorizon)
                .on_failure(FailureDestination::topic(&alerts)),
        ),
    );
    let errors = constructs::cloudwatch::Alarm::new(
        &mut s,
        "Errors",
        AlarmProps::new(f.metric_errors(), 1.0).alarm_topic(&alerts),
    );
    CompositeAlarm::new(
        &mut s,
        "Health",
        CompositeAlarmProps::new(AlarmRule::alarm(&errors, AlarmState::Alarm)).alarm_topic(&alerts),
    );
    // synth checks cycles: it would fail on one
    let t = Template::from_stack_in(ws.path(), &s);
    let policy = t
        .find_resources("AWS::IAM::Policy", json!({}))
        .into_keys()
        .find(|k| k.starts_with("WorkerServiceRoleDefaultPolicy"))
        .expect("the worker's policy");
    let mappings = t.find_resources("AWS::Lambda::EventSourceMapping", json!({}));
    assert_eq!(mappings.len(), 2);
    for m in mappings.values() {
        assert_eq!(m["DependsOn"], json!([policy]), "{m}");
    }
    // every right the mappings need is in that policy when they are created
    let st = statements(&t, "WorkerServiceRole");
    for action in [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "dynamodb:GetRecords",
        "dynamodb:ListStreams",
        "sns:Publish",
        "kms:GenerateDataKey",
    ] {
        assert!(
            st.iter().any(|s| match &s["Action"] {
                Json::String(a) => a == action,
                Json::Array(items) => items.iter().any(|a| a == action),
                _ => false,
            }),
            "{action} missing from {st:?}"
        );
    }
}

// A resource type of the user's own, declared with `cfn_resource!`: synth knows which names a
// service keeps unique only from the type's declaration, so the rule reaches a type the core
// has never heard of (the core names no service).
constructs::cfn_resource! {
    /// `Acme::Widgets::Widget`, a third-party type whose name is unique in the account.
    pub struct CfnWidget: "Acme::Widgets::Widget", required [],
        unique "WidgetName" as "widget" in Account {
        widget_name: Option<constructs::Value> => "WidgetName",
    }
}

#[test]
fn a_unique_name_declared_by_a_type_is_checked_across_stacks() {
    let mut app = App::new(".");
    for stack in ["A", "B"] {
        let mut s = Stack::new(stack);
        s.add(
            "W",
            &CfnWidget {
                widget_name: Some("shared".into()),
            },
        );
        // the escape hatch has no rule unless told: two custom resources may share a name
        s.add_resource(
            "Free",
            constructs::CfnResource::custom("Acme::Widgets::Widget", json!({"WidgetName": "free"})),
        );
        app.add_stack(s);
    }
    let e = app
        .synth()
        .unwrap_err()
        .problems()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        e,
        "B/W [WidgetName]: the widget name \"shared\" is also given to A/W; a widget name is unique in the account, so the second would fail to deploy"
    );

    // told, a custom resource keeps the rule too
    let mut app = App::new(".");
    for stack in ["A", "B"] {
        let mut s = Stack::new(stack);
        s.add_resource(
            "Told",
            constructs::CfnResource::custom("Acme::Widgets::Widget", json!({"WidgetName": "x"}))
                .with_unique_name(constructs::UniqueName {
                    property: "WidgetName",
                    kind: "widget",
                    scope: constructs::NameScope::Global,
                }),
        );
        app.add_stack(s);
    }
    let e = app.synth().unwrap_err().problems()[0].to_string();
    assert_eq!(
        e,
        "B/Told [WidgetName]: the widget name \"x\" is also given to A/Told; a widget name is unique in all of AWS, so the second would fail to deploy"
    );
}

#[test]
fn a_cycle_gets_the_help_its_resources_carry_only_when_it_applies() {
    let cycle_of = |other_type: &str| {
        let mut s = Stack::new("S");
        let a = s.add_resource(
            "A",
            constructs::CfnResource::custom("Acme::X::A", json!({}))
                .with_cycle_help(Some("Acme::X::B"), "name B by its physical name"),
        );
        let b = s.add_resource("B", constructs::CfnResource::custom(other_type, json!({})));
        s.add_property_override(&b, "P", a.reference());
        s.add_property_override(&a, "P", b.reference());
        let mut app = App::new(".");
        app.add_stack(s);
        app.synth()
            .unwrap_err()
            .problems()
            .iter()
            .map(|p| format!("{p} {}", p.help.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let with = cycle_of("Acme::X::B");
    assert_contains_all(
        &with,
        &[
            "in a cycle: S/A -> S/B -> S/A",
            "name B by its physical name",
        ],
    );
    let without = cycle_of("Acme::X::C");
    assert!(!without.contains("name B"), "{without}");
    assert_contains_all(
        &without,
        &["CloudFormation cannot create resources that wait for each other"],
    );
}
