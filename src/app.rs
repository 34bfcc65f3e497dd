//! The app rcdk synthesizes: built from `config.json`.
//!
//! Until the five patterns land, it holds a small example in two stacks that uses every L2
//! construct of the library: `<prefix>Data` (a table and a bucket) and `<prefix>Api` (a
//! function reading both through cross-stack references, its URL, a caller role, a managed
//! policy, a log group and a dashboard).

use std::path::Path;

use constructs::apigateway::{
    AccessLogFormat, CorsOptions, DynamoDb, HttpMethod, IntegrationResponse, MethodOptions,
    MethodResponse, MethodSetting, PassthroughBehavior, RestApi, RestApiProps, StageOptions,
    StepFunctions, Template,
};
use constructs::cloudwatch::{Dashboard, DashboardProps, Metric, Widget};
use constructs::dynamodb::{
    Attribute, AttributeType, GlobalIndexProps, ProjectionType, StreamViewType, Table, TableProps,
};
use constructs::iam::{
    ManagedPolicy, ManagedPolicyProps, PolicyStatement, Principal, Role, RoleProps,
};
use constructs::lambda::{
    Function, FunctionProps, FunctionUrlCors, FunctionUrlProps, InvokeMode, TracingMode,
};
use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use constructs::s3::{Bucket, BucketProps};
use constructs::stepfunctions::asl::{
    choice, fail, pass, succeed, Chain, Condition, ContextPath, PathValue, Payload, States,
};
use constructs::stepfunctions::tasks::{self, attr_map, Attr, Expressions, LambdaInvoke};
use constructs::stepfunctions::{LogLevel, StateMachine, StateMachineProps};
use constructs::{App, Aws, Parameter, RemovalPolicy, Stack};

use crate::config::Config;

/// Builds the app from the configuration; `root` is where `lambdas/` is.
pub fn build(config: &Config, root: &Path) -> App {
    let mut app = App::new(root);
    let c = &config.example;
    let removal = if c.remove_data_on_destroy {
        RemovalPolicy::Destroy
    } else {
        RemovalPolicy::Retain
    };

    // --- data: a table and a bucket ------------------------------------------------------
    let mut data = Stack::new(format!("{}Data", c.stack_prefix));
    data.set_description("rcdk example: the data the example function reads and writes")
        .add_tag("project", "rcdk-example");
    let mut greetings = Table::new(
        &mut data,
        "Greetings",
        TableProps::new(Attribute::new("name", AttributeType::String))
            .sort_key(Attribute::new("at", AttributeType::Number))
            .time_to_live_attribute("expiresAt")
            .stream(StreamViewType::NewImage)
            .removal_policy(removal),
    );
    greetings.add_global_secondary_index(
        &mut data,
        GlobalIndexProps {
            name: "byDay".into(),
            partition_key: Attribute::new("day", AttributeType::String),
            sort_key: Some(Attribute::new("at", AttributeType::Number)),
            projection: ProjectionType::KeysOnly,
            non_key_attributes: Vec::new(),
            capacity: None,
        },
    );
    let uploads = Bucket::new(
        &mut data,
        "Uploads",
        BucketProps::default().removal_policy(removal),
    );
    data.add_output("GreetingsTableName", greetings.name())
        .description("The greetings table");

    // --- api: a function, its URL, who may call it, and what to watch ---------------------
    let mut api = Stack::new(format!("{}Api", c.stack_prefix));
    api.set_description("rcdk example: a Rust function behind an IAM-authorized URL")
        .add_tag("project", "rcdk-example");
    let environment = api.add_parameter(
        "Environment",
        Parameter::string()
            .default_value(c.environment.as_str())
            .allowed_values(["dev", "test", "prod"])
            .description("The deployment environment, passed to the function"),
    );
    let hello = Function::new(
        &mut api,
        "Hello",
        FunctionProps::new("hello")
            .description("Greets the caller")
            .memory_mb(c.memory_mb)
            .timeout_seconds(c.timeout_seconds)
            .log_retention(c.log_retention_days.0)
            .tracing(TracingMode::Active)
            .env("TABLE_NAME", greetings.name())
            .env("BUCKET_NAME", uploads.name())
            .env("ENVIRONMENT", environment),
    );
    greetings.grant_read_write_data(&mut api, &hello);
    uploads.grant_read(&mut api, &hello);
    let url = hello.add_url(
        &mut api,
        FunctionUrlProps {
            invoke_mode: InvokeMode::Buffered,
            cors: Some(FunctionUrlCors {
                allow_origins: vec!["https://example.com".into()],
                allow_methods: vec!["GET".into(), "POST".into()],
                max_age_seconds: Some(300),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let caller = Role::new(
        &mut api,
        "Caller",
        RoleProps::new(Principal::Account(Aws::account_id()))
            .description("Assumed by clients that call the example function"),
    );
    url.grant_invoke_url(&mut api, &caller);
    hello.grant_invoke(&mut api, &caller);
    ManagedPolicy::new(
        &mut api,
        "UploadPolicy",
        ManagedPolicyProps {
            description: Some("Lets a caller put uploads for the example function".into()),
            statements: vec![PolicyStatement::allow()
                .action("s3:PutObject")
                .resource(uploads.arn_for_objects("incoming/*"))],
            ..Default::default()
        },
    );
    let audit = LogGroup::new(
        &mut api,
        "Audit",
        LogGroupProps::new(RetentionDays::OneMonth).removal_policy(removal),
    );
    audit.grant_write(&mut api, &hello);
    Dashboard::new(
        &mut api,
        "Dashboard",
        DashboardProps {
            name: None,
            rows: vec![vec![
                Widget::graph(
                    "Invocations and errors",
                    vec![
                        Metric::new("AWS/Lambda", "Invocations")
                            .dimension("FunctionName", hello.name()),
                        Metric::new("AWS/Lambda", "Errors").dimension("FunctionName", hello.name()),
                    ],
                ),
                Widget::graph(
                    "Duration (p99)",
                    vec![Metric::new("AWS/Lambda", "Duration")
                        .dimension("FunctionName", hello.name())
                        .statistic("p99")],
                ),
            ]],
        },
    );
    // a workflow: record the greeting, ask the function for it, check the answer
    let workflow_logs = LogGroup::new(
        &mut api,
        "WorkflowLogs",
        LogGroupProps::new(RetentionDays::OneMonth).removal_policy(removal),
    );
    let definition = Chain::start(
        pass("Stamp").parameters(
            Payload::new()
                .path("name", "$.name")
                .path("at", "$.at")
                .intrinsic(
                    "day",
                    States::array_get_item(
                        States::string_split(ContextPath::EXECUTION_START_TIME, "T"),
                        0,
                    ),
                ),
        ),
    )
    .next(
        tasks::dynamo_put_item(
            "Record greeting",
            &greetings,
            attr_map(&[
                ("name", Attr::s_path("$.name")),
                ("at", Attr::n_path("$.at")),
                ("day", Attr::s_path("$.day")),
            ]),
            Expressions::default(),
        )
        .result_path(PathValue::Null),
    )
    .next(
        tasks::lambda_invoke("Greet", &hello, LambdaInvoke::default())
            .result_selector(Payload::new().path("message", "$.Payload.message"))
            .result_path(PathValue::path("$.greeting")),
    )
    .next(
        choice("Greeted?")
            .when(Condition::is_present("$.greeting.message"), succeed("Done"))
            .otherwise(
                fail("No greeting").error("Greeting.Missing", "the function gave no message"),
            ),
    );
    let workflow = StateMachine::new(
        &mut api,
        "Workflow",
        StateMachineProps::new(definition)
            .comment("Records a greeting, then asks the example function for it")
            .timeout_seconds(300)
            .logging(&workflow_logs, LogLevel::Error, false)
            .tracing(true),
    );
    workflow.grant_start_execution(&mut api, &caller);

    // a REST API in front of the workflow and the table, no Lambda in between
    let access_logs = LogGroup::new(
        &mut api,
        "ApiAccessLogs",
        LogGroupProps::new(RetentionDays::OneMonth).removal_policy(removal),
    );
    let rest = RestApi::new(
        &mut api,
        "Api",
        RestApiProps {
            description: Some("rcdk example: start the workflow, list the greetings".into()),
            default_cors_preflight: Some(CorsOptions::default()),
            // access logs need the account's CloudWatch role for API Gateway
            cloud_watch_role: true,
            ..Default::default()
        },
    );
    let greetings_resource = rest.root().add_resource(&mut api, "greetings");
    greetings_resource.add_method(
        &mut api,
        HttpMethod::Post,
        StepFunctions::start_execution(&workflow)
            .passthrough(PassthroughBehavior::WhenNoTemplates)
            .response(
                IntegrationResponse::new(200)
                    .header("Access-Control-Allow-Origin", "*")
                    .template(
                        "application/json",
                        Template::new(
                            "#set($inputRoot = $input.path('$'))\n{\"executionArn\": \"$inputRoot.executionArn\"}",
                        ),
                    ),
            )
            .into(),
        MethodOptions {
            operation_name: Some("StartGreeting".into()),
            method_responses: vec![MethodResponse::new(200)
                .header("Access-Control-Allow-Origin")
                .model("application/json", "Empty")],
            ..Default::default()
        },
    );
    greetings_resource.add_method(
        &mut api,
        HttpMethod::Get,
        DynamoDb::scan(&greetings)
            .response(IntegrationResponse::new(200).template(
                "application/json",
                Template::new(
                    "#set($inputRoot = $input.path('$'))\n[#foreach($item in $inputRoot.Items){\"name\": \"$item.name.S\"}#if($foreach.hasNext),#end#end]",
                ),
            ))
            .into(),
        MethodOptions {
            operation_name: Some("ListGreetings".into()),
            ..Default::default()
        },
    );
    let stage = rest.deploy(
        &mut api,
        StageOptions::new("live")
            .access_log(&access_logs, AccessLogFormat::JsonStandard)
            .method_setting(MethodSetting {
                metrics_enabled: true,
                ..MethodSetting::all()
            }),
    );
    api.add_output("ApiUrl", stage.url())
        .description("The REST API's live stage");
    api.add_output("WorkflowArn", workflow.arn())
        .description("The example workflow");
    api.add_output("HelloUrl", url.url())
        .description("The function URL (AWS_IAM auth)");
    api.add_output("CallerRoleArn", caller.arn())
        .description("Assume this role to call the URL")
        .export_name(constructs::fns::sub("${AWS::StackName}-CallerRoleArn"));

    app.add_stack(data);
    app.add_stack(api);

    app.add_stack(crate::patterns::async_streaming::build(
        &config.async_streaming,
    ));
    app.add_stack(crate::patterns::waitable::build(&config.waitable));
    app.add_stack(crate::patterns::task_status::build(&config.task_status));
    app.add_stack(crate::patterns::embedded_workflow::build(
        &config.embedded_workflow,
    ));
    app.add_stack(crate::patterns::map_dynamodb::build(&config.map_dynamo_db));
    app
}

/// A generated one-stack app of `units` × 5 resources (a table, and a function with its role,
/// policy and log group that reads and writes the table), for benchmarks and limit tests.
pub fn generated(root: &Path, units: usize) -> App {
    let mut app = App::new(root);
    let mut stack = Stack::new("Generated");
    for i in 0..units {
        let table = Table::new(
            &mut stack,
            &format!("Unit{i}/Table"),
            TableProps::new(Attribute::new("Id", AttributeType::String)),
        );
        let function = Function::new(
            &mut stack,
            &format!("Unit{i}/Handler"),
            FunctionProps::new("hello").env("TABLE_NAME", table.name()),
        );
        table.grant_read_write_data(&mut stack, &function);
    }
    app.add_stack(stack);
    app
}
