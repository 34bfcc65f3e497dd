//! Pattern 001, the waitable workflow (seed 001, aws-samples/aws-step-functions-waitable-pattern).
//!
//! `POST /` starts a STANDARD workflow through API Gateway's direct StartExecution
//! integration: it records the job as STARTED in the status table (with the original's
//! retry), waits until the timestamp given in the request, then marks it COMPLETED.
//! `GET /status` scans the table through the direct DynamoDB integration and maps the items
//! to JSON.
//!
//! Fixed from the original:
//! - the `/status` response template missed a comma after `StartActionAt`, so any answer
//!   with an item was not JSON;
//! - the POST answer was the raw StartExecution output (an empty response template), not the
//!   "Job Id … started successfully" text the README promises; it is that text now;
//! - the API's role could start the machine *and* scan the table for both methods; each
//!   method now has a role allowed exactly its own action;
//! - the POST template put the body's `StartTimestamp` into the execution's input as it
//!   came, so a quote in it added fields to the input; it is escaped for both JSON levels;
//! - the /status template put the items' values into the answer as they were, so a quote
//!   broke (or shaped) the JSON; each value is escaped.

use constructs::apigateway::{
    DynamoDb, HttpMethod, IntegrationResponse, MethodOptions, MethodResponse, PassthroughBehavior,
    RestApi, RestApiProps, StageOptions, StepFunctions, Template,
};
use constructs::dynamodb::{Attribute, AttributeType, Billing, Table, TableProps};
use constructs::stepfunctions::asl::{wait, ContextPath, PathValue, Retrier, WaitFor};
use constructs::stepfunctions::tasks::{self, attr_map, Attr, Expressions};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::{fns, Stack};

use crate::config::WaitableConfig;

/// How the request template of `POST /` gives `StartTimestamp`: escaped for a JSON string
/// that is itself inside a JSON string (the execution's input), so escaped twice, each time
/// with `escapeJavaScript`'s `\'` (not JSON) turned back into `'`; quiet (`$!`), so that a
/// missing value is an empty string rather than the expression's text.
pub const ESCAPED_START_TIMESTAMP: &str = "$!util.escapeJavaScript($util.escapeJavaScript($input.path('$.StartTimestamp')).replaceAll(\"\\\\'\",\"'\")).replaceAll(\"\\\\'\",\"'\")";

/// The request template of `POST /`, the original's with `StartTimestamp` escaped (see
/// [`ESCAPED_START_TIMESTAMP`]): the execution's input holds the request id as the job's `Id`
/// and the body's `StartTimestamp`, and nothing else whatever the body holds.
pub const START_REQUEST_TEMPLATE: &str = "{ \n  \"input\": \"{\\\"Id\\\" : \\\"$context.requestId\\\", \\\"StartTimestamp\\\": \\\"$!util.escapeJavaScript($util.escapeJavaScript($input.path('$.StartTimestamp')).replaceAll(\"\\\\'\",\"'\")).replaceAll(\"\\\\'\",\"'\")\\\"}\", \n  \"stateMachineArn\": \"${StateMachineArn}\"\n}";

/// The answer to `POST /`, the text of the original's README.
pub const START_RESPONSE_TEMPLATE: &str =
    "Job Id $context.requestId started successfully. For additional information on process status use GET /status.";

/// The request template of `GET /status`.
pub const SCAN_REQUEST_TEMPLATE: &str = "{\n  \"TableName\": \"${TableName}\"          \n}";

/// The response template of `GET /status`, the original's with its missing comma restored
/// and each value escaped for a JSON string (`escapeJavaScript`, its `\'` turned back into
/// `'`; quiet, so that a missing attribute is an empty string).
pub const SCAN_RESPONSE_TEMPLATE: &str = r#"#set($inputRoot = $input.path('$'))
{
    "items": [
        #foreach($elem in $inputRoot.Items) {
            "Id": "$!util.escapeJavaScript($elem.Id.S).replaceAll("\\'","'")",
            "StartActionAt": "$!util.escapeJavaScript($elem.StartActionAt.S).replaceAll("\\'","'")",
            "LastUpdated": "$!util.escapeJavaScript($elem.LastUpdated.S).replaceAll("\\'","'")",
            "ProcessStatus": "$!util.escapeJavaScript($elem.ProcessStatus.S).replaceAll("\\'","'")"
        }#if($foreach.hasNext),#end
  #end
    ]
}
"#;

fn retry() -> Retrier {
    Retrier::on(["States.TaskFailed"])
        .interval_seconds(20)
        .max_attempts(5)
        .backoff_rate(10.0)
}

pub fn build(config: &WaitableConfig) -> Stack {
    let mut stack = Stack::new(&config.stack_name);
    stack.set_description("Pattern 001: an API starts a workflow that waits until a given time");

    let table = Table::new(
        &mut stack,
        "StatusTable",
        TableProps::new(Attribute::new("Id", AttributeType::String))
            .billing(Billing::Provisioned { read: 1, write: 1 })
            .removal_policy(super::removal(config.remove_data_on_destroy)),
    );

    let definition = tasks::dynamo_put_item(
        "SetInitialStatus",
        &table,
        attr_map(&[
            ("Id", Attr::s_path("$.Id")),
            ("StartActionAt", Attr::s_path("$.StartTimestamp")),
            ("ProcessStatus", Attr::s("STARTED")),
            (
                "LastUpdated",
                Attr::s_context(ContextPath::STATE_ENTERED_TIME),
            ),
        ]),
        Expressions::default(),
    )
    .retry(retry())
    .result_path(PathValue::Null)
    .output_path(PathValue::path("$"))
    .next(
        wait("WaitUntil", WaitFor::timestamp_path("$.StartTimestamp"))
            .output_path(PathValue::path("$")),
    )
    .next(
        tasks::dynamo_update_item(
            "SetFinalStatus",
            &table,
            attr_map(&[("Id", Attr::s_path("$.Id"))]),
            "SET ProcessStatus = :newStatus, LastUpdated = :newTimestamp",
            Expressions::new().expression_attribute_values(attr_map(&[
                (":newStatus", Attr::s("COMPLETED")),
                (
                    ":newTimestamp",
                    Attr::s_context(ContextPath::STATE_ENTERED_TIME),
                ),
            ])),
        )
        .retry(retry())
        .result_path(PathValue::Null),
    );
    let machine = StateMachine::new(
        &mut stack,
        "WaitableStateMachine",
        StateMachineProps::new(definition)
            .comment("An example of the Amazon States Language using wait states"),
    );

    let api = RestApi::new(
        &mut stack,
        "ApiGateway",
        RestApiProps::new().name(fns::sub("${AWS::StackName}-api")),
    );
    let ok = || MethodResponse::new(200).model("application/json", "Empty");
    api.root().add_method(
        &mut stack,
        HttpMethod::Post,
        StepFunctions::start_execution(&machine)
            .json_request(
                Template::new(START_REQUEST_TEMPLATE).var("StateMachineArn", machine.arn()),
            )
            .passthrough(PassthroughBehavior::WhenNoTemplates)
            .response(
                IntegrationResponse::new(200)
                    .template("application/json", Template::new(START_RESPONSE_TEMPLATE)),
            )
            .into(),
        MethodOptions::new()
            .operation_name("StartWorkflow")
            .method_response(ok()),
    );
    let status = api.root().add_resource(&mut stack, "status");
    status.add_method(
        &mut stack,
        HttpMethod::Get,
        DynamoDb::scan(&table)
            .json_request(Template::new(SCAN_REQUEST_TEMPLATE).var("TableName", table.name()))
            .passthrough(PassthroughBehavior::WhenNoTemplates)
            .response(
                IntegrationResponse::new(200)
                    .template("application/json", Template::new(SCAN_RESPONSE_TEMPLATE)),
            )
            .into(),
        MethodOptions::new()
            .operation_name("GetStatus")
            .method_response(ok()),
    );
    let stage = api.deploy(&mut stack, StageOptions::new(&config.stage_name));

    stack
        .add_output("ApiUrl", stage.url())
        .description("The API's endpoint: POST / to start a job, GET /status to list them");
    stack
        .add_output("WaitableStateMachineArn", machine.arn())
        .description("Waitable state machine ARN");
    stack
        .add_output("WaitableStateMachineRole", machine.role().arn())
        .description("The state machine's role");
    stack
}
