//! The mapping templates of ../shared/reference/001 rendered through the library are
//! byte-exact with the seed's (the /status response template with its missing comma fixed).

use std::path::Path;

use constructs::apigateway::*;
use constructs::assertions::Template as T;
use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::stepfunctions::asl::pass;
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::Stack;
use serde_json::json;
use serde_norway::Value as Yaml;

fn reference() -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/001-waitable-pattern/template.yaml");
    serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The text of a template in the reference: a plain string, or the first item of `!Sub`.
fn text(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Tagged(t) => match &t.value {
            Yaml::Sequence(items) => text(&items[0]),
            other => text(other),
        },
        other => panic!("not a template: {other:?}"),
    }
}

fn integration<'a>(doc: &'a Yaml, method: &str) -> &'a Yaml {
    &doc["Resources"][method]["Properties"]["Integration"]
}

#[test]
fn the_001_templates_render_byte_exact() {
    let doc = reference();
    let start_request =
        text(&integration(&doc, "ApiGatewayRootMethod")["RequestTemplates"]["application/json"]);
    let scan_request =
        text(&integration(&doc, "StatusMethod")["RequestTemplates"]["application/json"]);
    let scan_response = text(
        &integration(&doc, "StatusMethod")["IntegrationResponses"][0]["ResponseTemplates"]
            ["application/json"],
    );
    assert!(start_request.contains("\"stateMachineArn\": \"${StateMachineArn}\""));
    // the seed's bug: no comma after StartActionAt
    let broken = "\"StartActionAt\": \"$elem.StartActionAt.S\"\n";
    assert!(scan_response.contains(broken), "{scan_response}");
    let fixed_response =
        scan_response.replace(broken, "\"StartActionAt\": \"$elem.StartActionAt.S\",\n");

    let mut s = Stack::new("Waitable");
    let table = Table::new(
        &mut s,
        "StatusTable",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let machine = StateMachine::new(
        &mut s,
        "WaitableStateMachine",
        StateMachineProps::new(pass("P")),
    );
    let api = RestApi::new(&mut s, "ApiGateway", RestApiProps::new());
    api.root().add_method(
        &mut s,
        HttpMethod::Post,
        StepFunctions::start_execution(&machine)
            .json_request(
                Template::new(start_request.clone()).var("StateMachineArn", machine.arn()),
            )
            .passthrough(PassthroughBehavior::WhenNoTemplates)
            .response(IntegrationResponse::new(200).template("application/json", Template::new("")))
            .into(),
        MethodOptions::new(),
    );
    let status = api.root().add_resource(&mut s, "status");
    status.add_method(
        &mut s,
        HttpMethod::Get,
        DynamoDb::scan(&table)
            .json_request(Template::new(scan_request.clone()).var("TableName", table.name()))
            .response(
                IntegrationResponse::new(200)
                    .template("application/json", Template::new(fixed_response.clone())),
            )
            .into(),
        MethodOptions::new(),
    );
    let t = T::from_stack(&s);
    let machine_id = t.logical_id_of_type("AWS::StepFunctions::StateMachine");
    let table_id = t.logical_id_of_type("AWS::DynamoDB::Table");
    t.has_resource_properties(
        "AWS::ApiGateway::Method",
        json!({"HttpMethod": "POST", "Integration": {"RequestTemplates": {"application/json": {"Fn::Sub": [start_request, {"StateMachineArn": {"Ref": machine_id}}]}}}}),
    );
    t.has_resource_properties(
        "AWS::ApiGateway::Method",
        json!({"HttpMethod": "GET", "Integration": {
            "RequestTemplates": {"application/json": {"Fn::Sub": [scan_request, {"TableName": {"Ref": table_id}}]}},
            "IntegrationResponses": [{"StatusCode": "200", "ResponseTemplates": {"application/json": fixed_response}}]
        }}),
    );
}
