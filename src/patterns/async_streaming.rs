//! Pattern 000, results of an asynchronous workflow streamed by a Function URL (seed 000,
//! aws-samples/step-functions-workflows-collection, async-state-machine-streaming-lambda-results-sam).
//!
//! `POST /` starts an EXPRESS workflow through API Gateway's direct StartExecution
//! integration and answers with the execution ARN and the function URL to read the results
//! from. The workflow takes the execution's name and ids apart, generates a range of results
//! and, one at a time, waits, then writes each to the results table, the last one carrying
//! the final-result attribute (its name a substitution in an object key). The Rust function
//! `stream-results`, behind an AWS_IAM Function URL in RESPONSE_STREAM mode, polls the table
//! and streams the results as JSON Lines until the final one.
//!
//! Fixed from the original:
//! - the function never received `LambdaTimeoutBuffer` (the template did not set it), so it
//!   could not stop before its timeout; it is wired now;
//! - the stream was labelled `text/plain`; it is `application/x-ndjson`;
//! - a request without `executionArn` crashed the function (a 502); it is a 400 with a message;
//! - the API's role could also list executions and write any log; it may now only start this
//!   machine, and the function may only query and mark results (not CRUD).
//!
//! The log groups get generated names rather than the original's fixed
//! `/async-workflow/...` ones, so that two stacks of the pattern can live in one account.

use constructs::apigateway::{
    AccessLogFormat, HttpMethod, Integration, IntegrationOptions, IntegrationResponse,
    LoggingLevel, MethodOptions, MethodResponse, MethodSetting, PassthroughBehavior, RestApi,
    RestApiProps, StageOptions, StepFunctions, Template,
};
use constructs::dynamodb::{Attribute, AttributeType, Billing, Table, TableProps};
use constructs::iam::grant;
use constructs::lambda::{Function, FunctionProps, FunctionUrlProps, InvokeMode};
use constructs::logs::{LogGroup, LogGroupProps};
use constructs::stepfunctions::asl::{
    choice, map, pass, wait, Arg, Condition, ContextPath, PathValue, Payload, States, WaitFor,
};
use constructs::stepfunctions::tasks::{self, attr_map, Attr, Expressions};
use constructs::stepfunctions::{LogLevel, StateMachine, StateMachineProps};
use constructs::Stack;

use crate::config::AsyncStreamingConfig;

/// How long the workflow waits before it writes each result, in seconds.
pub const RESULT_WAIT_SECONDS: u64 = 7;

/// How many results the workflow's Map handles at once (one: they are written in order).
pub const RESULTS_AT_ONCE: u32 = 1;

/// The attributes of a result item besides the final-result marker: the workflow writes the
/// first three, the streaming function sets `Streamed` on each result it has sent.
pub const RESULT_ATTRIBUTES: [&str; 4] = ["ExecutionArn", "ResultTimestamp", "Result", "Streamed"];

/// The request template of `POST /` (the seed's, its state machine variable kept).
pub const START_REQUEST_TEMPLATE: &str = "{\n  \"input\": \"$util.escapeJavaScript($input.json('$'))\",\n  \"name\": \"$context.requestId\",\n  \"stateMachineArn\": \"${ExampleWorkflow}\"\n}";

/// The answer of `POST /`: the seed's, with `${FunctionUrl}` for the seed's
/// `${MyFunctionUrl.FunctionUrl}` (a substitution variable may not hold a dot).
pub const START_RESPONSE_TEMPLATE: &str = "#set($inputRoot = $input.path('$'))\n{\n  \"workflow\": {\n    \"executionArn\": \"$inputRoot.executionArn\",\n    \"lambdaResultURL\": \"${FunctionUrl}\",\n    \"completeLambdaResultURL\": \"${FunctionUrl}?executionArn=$util.urlEncode($inputRoot.executionArn)\",\n    \"startDate\": \"$inputRoot.startDate\"\n  }\n}";

/// The CORS preflight's request template (the seed's).
pub const CORS_REQUEST_TEMPLATE: &str = "{\n  \"statusCode\" : 200\n}\n";

/// The seed's access log format.
pub const ACCESS_LOG_FORMAT: &str = "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] $context.httpMethod $context.resourcePath $context.protocol $context.status $context.responseLength $context.requestId";

pub fn build(config: &AsyncStreamingConfig) -> Stack {
    let mut stack = Stack::new(&config.stack_name);
    stack.set_description(
        "Pattern 000: results of an asynchronous EXPRESS workflow streamed by a Function URL",
    );
    let removal = super::removal(config.remove_data_on_destroy);

    let table = Table::new(
        &mut stack,
        "ResponseDDBTable",
        TableProps::new(Attribute::new("ExecutionArn", AttributeType::String))
            .sort_key(Attribute::new("ResultTimestamp", AttributeType::String))
            .billing(Billing::Provisioned { read: 5, write: 5 })
            .removal_policy(removal),
    );

    // the streaming function and its URL
    let function = Function::new(
        &mut stack,
        "StreamingFunction",
        FunctionProps::new("stream-results")
            .description("Streams a workflow's results as JSON Lines")
            .memory_mb(128)
            .timeout_seconds(config.lambda_timeout_seconds)
            .log_retention(config.log_retention_days.0)
            .env("DDBTableName", table.name())
            .env("DDBPollingWaitMs", config.poll_interval_ms.to_string())
            .env(
                "FinalResultFieldName",
                config.final_result_field_name.as_str(),
            )
            .env(
                "LambdaTimeoutBuffer",
                config.lambda_timeout_buffer_ms.to_string(),
            ),
    );
    grant(
        &mut stack,
        &function,
        &["dynamodb:Query", "dynamodb:UpdateItem"],
        vec![table.arn()],
    );
    let url = function.add_url(
        &mut stack,
        FunctionUrlProps::new().invoke_mode(InvokeMode::ResponseStream),
    );

    // the workflow
    let put_result = |name: &str, last: bool| {
        let mut item = attr_map(&[
            ("ExecutionArn", Attr::s_path("$.formattedExeArn")),
            (
                "ResultTimestamp",
                Attr::s_context(ContextPath::STATE_ENTERED_TIME),
            ),
            (
                "Result",
                Attr::s_intrinsic(States::format(
                    "This is simulated result {}",
                    [Arg::path("$.index")],
                )),
            ),
        ]);
        if last {
            item.push(("${FinalResultFieldName}".into(), Attr::Bool(true)));
        }
        tasks::dynamo_put_item(name, &table, item, Expressions::default())
            .result_path(PathValue::Null)
    };
    let split =
        |i: i64| States::array_get_item(States::string_split(ContextPath::EXECUTION_ID, ":"), i);
    let definition = pass("SplitExeArn")
        .parameters(
            Payload::new()
                .intrinsic("workflow", split(6))
                .intrinsic("uuid1", split(7))
                .intrinsic("uuid2", split(8)),
        )
        .result_path(PathValue::path("$.arn"))
        .next(
            pass("FormatExeArnAndGenerateResults").parameters(
                Payload::new()
                    .intrinsic(
                        "formattedExeArn",
                        States::format(
                            "{}:{}:{}",
                            [
                                Arg::path("$.arn.workflow"),
                                Arg::path("$.arn.uuid1"),
                                Arg::path("$.arn.uuid2"),
                            ],
                        ),
                    )
                    .intrinsic(
                        "resultItems",
                        States::array_range(1, i64::from(config.result_count), 1),
                    ),
            ),
        )
        .next(
            map(
                "SimulatedProcessing",
                wait("ProcessResults", WaitFor::Seconds(RESULT_WAIT_SECONDS)).next(
                    choice("LastResult")
                        .when(
                            Condition::numeric_equals_path("$.index", "$.lastItemIndex"),
                            put_result("SendFinalResult", true),
                        )
                        .otherwise(put_result("SendResult", false)),
                ),
            )
            .items_path("$.resultItems")
            .item_selector(
                Payload::new()
                    .path("formattedExeArn", "$.formattedExeArn")
                    .context("value", ContextPath::MAP_ITEM_VALUE)
                    .context("index", ContextPath::MAP_ITEM_INDEX)
                    .intrinsic(
                        "lastItemIndex",
                        States::math_add(States::array_length(Arg::path("$.resultItems")), -1),
                    ),
            )
            .max_concurrency(RESULTS_AT_ONCE)
            .result_path(PathValue::path("$.results")),
        );
    let workflow_logs = LogGroup::new(
        &mut stack,
        "ExampleWorkflowCloudWatchLogsGroup",
        LogGroupProps::new(config.log_retention_days.0).removal_policy(removal),
    );
    let machine = StateMachine::new(
        &mut stack,
        "ExampleWorkflow",
        StateMachineProps::new(definition)
            .express()
            .comment("A workflow pattern which uses DynamoDB and a streaming lambda function URL to send realtime notifications to clients.")
            .logging(&workflow_logs, LogLevel::All, true)
            .tracing()
            .substitution("FinalResultFieldName", config.final_result_field_name.as_str()),
    );

    // the REST API that starts it
    let api = RestApi::new(
        &mut stack,
        "RestApi",
        RestApiProps::new().cloud_watch_role(),
    );
    let root = api.root();
    root.add_method(
        &mut stack,
        HttpMethod::Options,
        Integration::mock(
            IntegrationOptions::new()
                .request_template("application/json", Template::new(CORS_REQUEST_TEMPLATE))
                .response(
                    IntegrationResponse::new(200)
                        .header(
                            "Access-Control-Allow-Headers",
                            "Content-Type,X-Amz-Date,Authorization,X-Api-Key",
                        )
                        .header("Access-Control-Allow-Methods", "*")
                        .header("Access-Control-Allow-Origin", "*")
                        .template("application/json", Template::new("{}\n")),
                ),
        ),
        MethodOptions::new().method_response(
            MethodResponse::new(200)
                .header("Access-Control-Allow-Origin")
                .header("Access-Control-Allow-Methods")
                .header("Access-Control-Allow-Headers"),
        ),
    );
    root.add_method(
        &mut stack,
        HttpMethod::Post,
        StepFunctions::start_execution(&machine)
            .json_request(
                Template::new(START_REQUEST_TEMPLATE).var("ExampleWorkflow", machine.arn()),
            )
            .passthrough(PassthroughBehavior::WhenNoTemplates)
            .timeout_ms(10_000)
            .response(
                IntegrationResponse::new(200)
                    .header("Access-Control-Allow-Origin", "*")
                    .template(
                        "application/json",
                        Template::new(START_RESPONSE_TEMPLATE).var("FunctionUrl", url.url()),
                    ),
            )
            .into(),
        MethodOptions::new().method_response(
            MethodResponse::new(200)
                .header("Access-Control-Allow-Origin")
                .model("application/json", "Empty"),
        ),
    );
    let access_logs = LogGroup::new(
        &mut stack,
        "RestApiAccessCloudWatchLogsGroup",
        LogGroupProps::new(config.log_retention_days.0).removal_policy(removal),
    );
    let stage = api.deploy(
        &mut stack,
        StageOptions::new(&config.stage_name)
            .access_log(
                &access_logs,
                AccessLogFormat::Custom(ACCESS_LOG_FORMAT.into()),
            )
            .method_setting(MethodSetting {
                logging_level: Some(LoggingLevel::Info),
                ..MethodSetting::all()
            })
            .tracing(),
    );

    stack
        .add_output("StreamingFunction", function.arn())
        .description("Streaming Lambda Function ARN");
    stack
        .add_output("StreamingFunctionURL", url.url())
        .description("Streaming Lambda Function URL");
    stack
        .add_output("RestApiEndpoint", stage.url())
        .description("API Gateway endpoint");
    stack
        .add_output("ResultDDBTable", table.name())
        .description("DynamoDB Result Item Table");
    stack
}
