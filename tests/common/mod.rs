//! Helpers shared by the root tests: finding the test tools, a catalog app with a state
//! machine of every state type and integration, and resolving definition substitutions to
//! sample values for the validators.

#![allow(dead_code)]

pub mod harness;
pub mod moto;

use std::path::{Path, PathBuf};
use std::process::Command;

use constructs::apigateway::*;
use constructs::apigatewayv2::{
    HttpApi, HttpApiProps, HttpCors, HttpIntegration, JwtAuthorizerProps, RouteOptions,
    WebSocketApi, WebSocketApiProps, WebSocketRouteOptions,
};
use constructs::cloudwatch::{
    Alarm, AlarmProps, AlarmRule, AlarmState, ComparisonOperator, CompositeAlarm,
    CompositeAlarmProps, Statistic, TreatMissingData,
};
use constructs::cognito::{
    Mfa, OAuthSettings, Trigger, UserPool, UserPoolClientProps, UserPoolProps,
};
use constructs::dynamodb::{Attribute, AttributeType, Operation, Table, TableProps};
use constructs::events::{
    EventBus, EventBusProps, EventPattern, InputTransformer, Matcher, RateUnit, Rule, RuleProps,
    RuleSchedule, Target,
};
use constructs::iam::PolicyStatement;
use constructs::kms::{Key, KeyProps};
use constructs::lambda::{
    EventSource, FailureDestination, Function, FunctionProps, SqsSource, StartingPosition,
    StreamSource,
};
use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use constructs::s3::{Bucket, BucketProps};
use constructs::scheduler::{
    FlexibleTimeWindow, Schedule, ScheduleExpression, ScheduleProps, ScheduleTarget,
};
use constructs::secretsmanager::{GenerateSecret, Secret, SecretProps};
use constructs::sns::{Subscriber, SubscriptionProps, Topic, TopicProps};
use constructs::sqs::{FifoThroughput, Queue, QueueEncryption, QueueProps};
use constructs::ssm::{StringParameter, StringParameterProps};
use constructs::stepfunctions::asl::*;
use constructs::stepfunctions::tasks::{self, *};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::website::{
    Certificate, HostedZone, SiteCertificate, SiteDomain, StaticSite, StaticSiteProps,
};
use constructs::{fns, App, Stack, Value};
use serde_json::{json, Value as Json};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A test tool: from the environment variable `var`, else the project's own install at
/// `local`, else `name` on the PATH. A tool that is not there fails the test with the command
/// that installs it: a test that cannot run never passes (mark it `#[ignore = "reason"]`
/// instead, when it must not run).
pub fn tool(var: &str, local: &str, name: &str) -> PathBuf {
    find_tool(std::env::var(var).ok(), var, &root().join(local), name)
        .unwrap_or_else(|missing| panic!("{missing}"))
}

/// Where a tool is (see [`tool`]), or why it is not, with its install command. `given` is the
/// value of the environment variable `var`, if set.
pub fn find_tool(
    given: Option<String>,
    var: &str,
    local: &Path,
    name: &str,
) -> Result<PathBuf, String> {
    if let Some(p) = given {
        let path = PathBuf::from(&p);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "{var}={p} names no file, so {name} cannot run; {}",
                install_hint(name)
            ))
        };
    }
    if local.is_file() {
        return Ok(local.to_path_buf());
    }
    let on_path = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return Ok(PathBuf::from(name));
    }
    Err(format!(
        "{name} is not installed ({var} is not set, there is no {}, and none on the PATH), \
         so this test cannot run; {}",
        local.display(),
        install_hint(name)
    ))
}

/// What installs a test tool: `run scripts/test, or: <the command for this tool alone>`.
pub fn install_hint(name: &str) -> String {
    let command = match name {
        "cfn-lint" => format!(
            "python3 -m venv .venv && .venv/bin/pip install cfn-lint=={}",
            pinned("CFN_LINT_VERSION")
        ),
        "moto" => format!(
            "python3 -m venv .venv && .venv/bin/pip install 'moto[server]=={}'",
            pinned("MOTO_VERSION")
        ),
        "cargo-lambda" => format!(
            "python3 -m venv .venv && .venv/bin/pip install cargo-lambda=={}",
            pinned("CARGO_LAMBDA_VERSION")
        ),
        // package.json pins it; npm ci installs exactly the lock file
        "asl-validator" | "playwright-core" => "npm ci".to_string(),
        // built from crates.io into .tools/ (the book's build only: no server, no watcher)
        "mdbook" => format!(
            "cargo install mdbook --version {} --locked --no-default-features --features search --root .tools",
            pinned("MDBOOK_VERSION")
        ),
        // Debian's package: scripts/test installs it when /usr/bin/chromium is missing
        "chromium" => "apt-get install chromium".to_string(),
        other => format!("install {other}"),
    };
    format!("run scripts/test, or: {command}")
}

/// A version `scripts/test` pins (its line `NAME=version`): one place for every pin.
pub fn pinned(name: &str) -> String {
    let script = root().join("scripts/test");
    let text =
        std::fs::read_to_string(&script).unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("{} pins no {name}", script.display()))
}

/// An app whose state machines use every state type and every task integration, a REST API
/// with every integration kind, and alarms on the constructs' own metrics.
pub fn catalog_app(root: &Path) -> App {
    let mut app = App::new(root);
    let mut s = Stack::new("Catalog");
    let table = Table::new(
        &mut s,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let bucket = Bucket::new(&mut s, "Files", BucketProps::new());
    let function = Function::new(&mut s, "Worker", FunctionProps::new("process-item"));
    let child = StateMachine::new(
        &mut s,
        "Child",
        StateMachineProps::new(pass("Echo").next(succeed("Done"))).express(),
    );

    let key = || attr_map(&[("Id", Attr::s_path("$.id"))]);
    let everything = pass("Prepare")
        .parameters(
            Payload::new()
                .path("id", "$.id")
                .intrinsic("token", States::uuid())
                .intrinsic(
                    "parts",
                    States::string_split(ContextPath::EXECUTION_ID, ":"),
                )
                .intrinsic("hash", States::hash(Arg::path("$.id"), "SHA-256"))
                .intrinsic("range", States::array_range(1, 5, 1)),
        )
        .result_path(PathValue::path("$.prepared"))
        .next(
            tasks::dynamo_put_item(
                "Put",
                &table,
                attr_map(&[
                    ("Id", Attr::s_path("$.id")),
                    ("n", Attr::n_path("$.n")),
                    ("done", Attr::Bool(false)),
                ]),
                Expressions::default(),
            )
            .result_path(PathValue::Null),
        )
        .next(
            tasks::dynamo_get_item("Get", &table, key(), Some(true))
                .result_path(PathValue::path("$.got")),
        )
        .next(
            tasks::dynamo_update_item(
                "Update",
                &table,
                key(),
                "SET done = :t",
                Expressions::new().expression_attribute_values([(":t", Attr::Bool(true))]),
            )
            .result_path(PathValue::Null),
        )
        .next(
            tasks::dynamo_query(
                "Query",
                &table,
                Query::new("Id = :id").expression_attribute_values([(":id", Attr::s_path("$.id"))]),
            )
            .result_path(PathValue::path("$.found")),
        )
        .next(
            tasks::lambda_invoke("Invoke", &function, LambdaInvoke::default())
                .result_path(PathValue::path("$.invoked")),
        )
        .next(
            tasks::lambda_function("Legacy invoke", &function)
                .timeout(11)
                .result_path(PathValue::path("$.legacy")),
        )
        .next(
            tasks::s3_get_object(
                "Read config",
                &bucket,
                ObjectKey::Literal("config.json".into()),
            )
            .result_path(PathValue::path("$.config")),
        )
        .next(
            tasks::s3_put_object(
                "Write",
                &bucket,
                ObjectKey::Path("$.id".into()),
                ObjectKey::Path("$.prepared.token".into()),
            )
            .result_path(PathValue::Null),
        )
        .next(
            tasks::start_execution("Run child", &child, StartExecution::new())
                .result_path(PathValue::Null),
        )
        .next(
            tasks::start_execution(
                "Run child and wait",
                &child,
                StartExecution::new().pattern(IntegrationPattern::Sync),
            )
            .result_path(PathValue::Null),
        )
        .next(
            tasks::aws_sdk(
                "Count objects",
                "s3",
                "listObjectsV2",
                Value::from(json!({"Bucket": "placeholder", "MaxKeys": 1})),
                vec![PolicyStatement::allow()
                    .action("s3:ListBucket")
                    .resource(bucket.arn())],
            )
            .result_path(PathValue::path("$.listing")),
        )
        .next(wait("Wait a second", WaitFor::Seconds(1)))
        .next(wait("Wait until", WaitFor::timestamp_path("$.at")))
        .next(
            parallel("Both")
                .branch(wait("Wait some", WaitFor::seconds_path("$.delay")).next(pass("Left")))
                .branch(pass("Right"))
                .result_path(PathValue::Null)
                .catch(
                    [ErrorName::All],
                    fail("Branch failed").error("Catalog.Branch", "a branch failed"),
                ),
        )
        .next(
            map("Each", pass("Item"))
                .items_path("$.prepared.range")
                .item_selector(Payload::new().context("value", ContextPath::MAP_ITEM_VALUE))
                .max_concurrency(2)
                .result_path(PathValue::Null),
        )
        .next(
            choice("Route")
                .when(
                    Condition::and([
                        Condition::is_present("$.id"),
                        Condition::string_matches("$.id", "a*"),
                    ]),
                    succeed("Matched"),
                )
                .when(
                    Condition::numeric_greater_than_equals_path("$.n", "$.limit"),
                    fail("Too many").error("Catalog.Limit", "over the limit"),
                )
                .otherwise(succeed("Not matched")),
        );
    let everything_machine = StateMachine::new(
        &mut s,
        "Everything",
        StateMachineProps::new(everything).timeout_seconds(600),
    );

    // the same helper as in the JSONPath machine: rendered as Arguments, the same right
    let jsonata_machine = tasks::lambda_invoke("Call", &function, LambdaInvoke::new())
        .output(jsonata("$states.result.Payload"))
        .assign(Value::from(
            json!({"total": "{% $states.result.Payload.total %}"}),
        ))
        .next(
            choice("Enough?")
                .when(Condition::jsonata("$total > 10"), succeed("Yes"))
                .otherwise(
                    wait("Later", WaitFor::seconds_expr("$total")).next(
                        map("Again", pass("Each one").output(jsonata("$states.input")))
                            .items(jsonata("[1, 2, 3]")),
                    ),
                ),
        );
    StateMachine::new(
        &mut s,
        "Jsonata",
        StateMachineProps::new(jsonata_machine).query_language(QueryLanguage::Jsonata),
    );

    // a Distributed Map over S3 with a result writer, whose STANDARD children run a child
    // workflow and wait for it (.sync): every right derived, no cycle (cfn-lint E3004)
    let distributed = map(
        "Process files",
        tasks::lambda_invoke("Handle batch", &function, LambdaInvoke::default()).next(
            tasks::start_execution(
                "Run everything",
                &everything_machine,
                StartExecution::new().pattern(IntegrationPattern::Sync),
            ),
        ),
    )
    .distributed(ExecutionType::Standard)
    .item_reader(ItemReader::s3_object(
        &bucket,
        ObjectKey::Literal("items.json".into()),
        ReaderConfig::new(InputType::Json),
    ))
    .item_batcher(ItemBatcher::new().max_items_per_batch(10))
    .result_writer(ResultWriter::s3(&bucket, "results"))
    .tolerated_failure_percentage(10)
    .label("files")
    .max_concurrency(100);
    StateMachine::new(&mut s, "Distributed", StateMachineProps::new(distributed));

    // sign-in: a user pool (the worker welcomes confirmed users), its web client on the
    // authorization code flow with the catalog's own scope, and its hosted domain; the pool
    // issues the tokens the HTTP API's JWT authorizer checks
    let user_pool = UserPool::new(
        &mut s,
        "Users",
        UserPoolProps::new()
            .self_sign_up()
            .mfa(Mfa::Optional)
            .trigger(Trigger::PostConfirmation, &function)
            .without_deletion_protection()
            .removal_policy(constructs::RemovalPolicy::Destroy),
    );
    let catalog_scopes =
        user_pool.add_resource_server(&mut s, "Catalog", "catalog", &[("read", "read the jobs")]);
    let web = user_pool.add_client(
        &mut s,
        "Web",
        UserPoolClientProps::new().oauth(
            OAuthSettings::code("https://shop.example.com/callback")
                .scope("email")
                .scope(catalog_scopes[0].clone()),
        ),
    );
    user_pool.add_domain(&mut s, "catalog-shop-login");

    // a REST API with every integration kind
    let logs = LogGroup::new(
        &mut s,
        "ApiLogs",
        LogGroupProps::new(RetentionDays::OneWeek),
    );
    let api = RestApi::new(
        &mut s,
        "Api",
        RestApiProps::new()
            .default_cors_preflight(CorsOptions::new())
            .cloud_watch_role()
            .binary_media_type("image/png")
            .minimum_compression_size(1024)
            .api_key_source(ApiKeySource::Header),
    );
    let root = api.root();
    root.add_method(
        &mut s,
        HttpMethod::Post,
        StepFunctions::start_execution(&everything_machine)
            .response(IntegrationResponse::new(200).header("Access-Control-Allow-Origin", "*"))
            .into(),
        MethodOptions::new().method_response(
            MethodResponse::new(200)
                .header("Access-Control-Allow-Origin")
                .model("application/json", "Empty"),
        ),
    );
    let sync = root.add_resource(&mut s, "sync");
    sync.add_method(
        &mut s,
        HttpMethod::Post,
        StepFunctions::start_sync_execution(&child)
            .response(IntegrationResponse::new(200))
            .into(),
        MethodOptions::new(),
    );
    let status = root.add_resource(&mut s, "status");
    status.add_method(
        &mut s,
        HttpMethod::Post,
        StepFunctions::describe_execution(&everything_machine)
            .response(IntegrationResponse::new(200))
            .into(),
        MethodOptions::new(),
    );
    let jobs = root.add_resource(&mut s, "jobs");
    jobs.add_method(
        &mut s,
        HttpMethod::Get,
        DynamoDb::scan(&table)
            .response(IntegrationResponse::new(200))
            .into(),
        MethodOptions::new().api_key_required(),
    );
    let job = jobs.add_resource(&mut s, "{id}");
    job.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::lambda_proxy(&function),
        MethodOptions::new()
            .authorization(Authorization::Iam)
            .request_parameter("method.request.path.id", true)
            .request_validator(Validation {
                body: false,
                parameters: true,
            }),
    );
    let stream = root.add_resource(&mut s, "stream");
    stream.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::lambda_proxy_streaming(&function),
        MethodOptions::new(),
    );
    let proxy = root.add_resource(&mut s, "{proxy+}");
    proxy.add_method(
        &mut s,
        HttpMethod::Any,
        Integration::http_proxy(HttpMethod::Any, "https://example.com/{proxy}"),
        MethodOptions::new().request_parameter("method.request.path.proxy", true),
    );
    // authorizers: a Lambda TOKEN one (the worker checks a bearer token), a cached REQUEST one
    // keyed by a header and the source IP, a Cognito user pool by ARN with OAuth scopes
    let token = api.add_token_authorizer(
        &mut s,
        "Bearer",
        &function,
        TokenAuthorizerProps::new()
            .validation_regex("^Bearer [-0-9A-Za-z._~+/]+=*$")
            .results_cache_ttl_seconds(60),
    );
    let request = api.add_request_authorizer(
        &mut s,
        "Tenant",
        &function,
        RequestAuthorizerProps::new()
            .identity_source(IdentitySource::header("X-Tenant"))
            .identity_source(IdentitySource::context("sourceIp")),
    );
    let pool = api.add_cognito_authorizer(
        &mut s,
        "Users",
        CognitoAuthorizerProps::of_user_pool(&user_pool),
    );
    let secure = root.add_resource(&mut s, "secure");
    secure.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::lambda_proxy(&function),
        MethodOptions::new().authorization(Authorization::custom(&token)),
    );
    secure.add_method(
        &mut s,
        HttpMethod::Put,
        Integration::lambda_proxy(&function),
        MethodOptions::new().authorization(Authorization::custom(&request)),
    );
    secure.add_method(
        &mut s,
        HttpMethod::Delete,
        Integration::lambda_proxy(&function),
        MethodOptions::new().authorization(Authorization::cognito(&pool, ["catalog/admin"])),
    );
    let stage = api.deploy(
        &mut s,
        StageOptions::new("live")
            .access_log(&logs, AccessLogFormat::JsonStandard)
            .method_setting(MethodSetting {
                metrics_enabled: true,
                logging_level: Some(LoggingLevel::Info),
                ..MethodSetting::all()
            })
            .tracing(),
    );
    let key = api.add_api_key(&mut s, "Key", ApiKeyProps::new());
    let plan = api.add_usage_plan(
        &mut s,
        "Plan",
        UsagePlanProps::new()
            .throttle(Throttle {
                burst_limit: 10,
                rate_limit: 5.0,
            })
            .quota(Quota {
                limit: 1000,
                period: Period::Month,
                offset: None,
            })
            .stage(&stage),
    );
    plan.add_api_key(&mut s, &key);

    // alarms on the constructs' own metrics: M of N, a percentile, a stage, an operation
    let ops = fns::sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:ops");
    Alarm::new(
        &mut s,
        "EverythingFails",
        AlarmProps::new(everything_machine.metric_failed(), 1.0)
            .evaluation_periods(3)
            .datapoints_to_alarm(2)
            .treat_missing_data(TreatMissingData::NotBreaching)
            .alarm_name("catalog-everything-fails")
            .description("Everything failed in 2 of the last 3 periods")
            .alarm_action(ops.clone())
            .ok_action(ops),
    );
    let worker_slow = Alarm::new(
        &mut s,
        "WorkerSlow",
        AlarmProps::new(
            function
                .metric_duration()
                .statistic(Statistic::Percentile(99.0))
                .period_seconds(60),
            2500.0,
        )
        .comparison(ComparisonOperator::GreaterThanThreshold)
        .evaluation_periods(5),
    );
    let api_errors = api.metric_5xx(&mut s, &stage);
    let api_failing = Alarm::new(&mut s, "ApiErrors", AlarmProps::new(api_errors, 5.0));
    Alarm::new(
        &mut s,
        "JobsThrottled",
        AlarmProps::new(table.metric_throttled_requests(Operation::PutItem), 1.0),
    );
    s.add_output("ApiUrl", stage.url());
    // queues: a FIFO queue with its dead-letter queue, a KMS-encrypted standard one; the
    // worker sends to the first and consumes the second
    let dead = Queue::new(&mut s, "DeadLetters", QueueProps::new().fifo());
    let orders = Queue::new(
        &mut s,
        "Orders",
        QueueProps::new()
            .fifo()
            .content_based_deduplication()
            .fifo_throughput(FifoThroughput::PerMessageGroup)
            .visibility_timeout_seconds(120)
            .dead_letter_queue(&dead, 5),
    );
    let inbox = Queue::new(
        &mut s,
        "Inbox",
        QueueProps::new()
            .receive_wait_seconds(20)
            .retention_period_seconds(345_600),
    );
    // a KMS-encrypted queue of its own (SNS cannot deliver to one with alias/aws/sqs)
    let audit = Queue::new(
        &mut s,
        "Audit",
        QueueProps::new().encryption(QueueEncryption::KmsManaged),
    );
    audit.grant_send_messages(&mut s, &function);
    orders.grant_send_messages(&mut s, &function);
    inbox.grant_consume_messages(&mut s, &function);
    // a key of the app: an audit log group is encrypted with it (its key policy lets CloudWatch
    // Logs use it); the worker reads a generated secret (under the key) and a parameter
    // through grants, and gets their ARN and name in its environment, never the values
    let data_key = Key::new(
        &mut s,
        "DataKey",
        KeyProps::new().description("the catalog's data"),
    );
    data_key.add_alias(&mut s, "alias/catalog/data");
    LogGroup::new(
        &mut s,
        "AuditLogs",
        LogGroupProps::new(RetentionDays::OneMonth).encryption_key(&data_key),
    );
    let db = Secret::new(
        &mut s,
        "Db",
        SecretProps::new()
            .generate(
                GenerateSecret::new()
                    .exclude_punctuation()
                    .template(json!({"username": "catalog"}), "password"),
            )
            .encryption_key(&data_key),
    );
    db.grant_read(&mut s, &function);
    function.add_environment(&mut s, "DB_SECRET_ARN", db.arn());
    let jobs_table = StringParameter::new(
        &mut s,
        "JobsTableName",
        StringParameterProps::new(table.name())
            .name("/catalog/jobs-table")
            .description("the jobs table's name"),
    );
    jobs_table.grant_read(&mut s, &function);
    function.add_environment(&mut s, "JOBS_TABLE_PARAMETER", jobs_table.name());
    // a workflow that reads both: its role gets GetSecretValue (and the key's Decrypt) and
    // GetParameter, derived from the tasks
    let read_config = tasks::secrets_get_secret_value("Read secret", &db)
        .result_selector(json!({"SecretString.$": "$.SecretString"}))
        .result_path(PathValue::path("$.secret"))
        .next(
            tasks::ssm_get_parameter("Read parameter", &jobs_table)
                .result_selector(json!({"Value.$": "$.Parameter.Value"}))
                .result_path(PathValue::path("$.parameter")),
        );
    StateMachine::new(&mut s, "ReadConfig", StateMachineProps::new(read_config));
    // a topic delivering to the inbox (filtered, raw), the worker and an address
    let events = Topic::new(&mut s, "Events", TopicProps::new().display_name("Catalog"));
    events.subscribe(
        &mut s,
        Subscriber::Queue(&inbox),
        SubscriptionProps::new()
            .raw_message_delivery()
            .filter_policy(serde_json::json!({"kind": ["job"]})),
    );
    events.subscribe(
        &mut s,
        Subscriber::Function(&function),
        SubscriptionProps::new(),
    );
    events.subscribe(
        &mut s,
        Subscriber::Email("ops@example.com".into()),
        SubscriptionProps::new(),
    );
    events.grant_publish(&mut s, &function);

    // a workflow that tells the others: a FIFO order (grouped by customer), a notice, an event
    // on the app's bus, and a callback the worker resumes with the task token
    let bus = EventBus::new(
        &mut s,
        "Bus",
        EventBusProps::new().description("the catalog's own events"),
    );
    let notify = tasks::sqs_send_message(
        "Queue order",
        &orders,
        SendMessage::new(Input::path("$.order")).group_id(Input::path("$.customer")),
    )
    .result_path(PathValue::Null)
    .next(
        tasks::sns_publish(
            "Tell",
            &events,
            Publish::new(Input::path("$.order")).subject("Order queued"),
        )
        .result_path(PathValue::Null),
    )
    .next(
        tasks::events_put_events(
            "Announce",
            &bus,
            PutEvents::new([EventEntry::new(
                "catalog.orders",
                "Order queued",
                Input::object().field("id", Input::path("$.order.id")),
            )]),
        )
        .result_path(PathValue::Null),
    )
    .next(tasks::lambda_invoke(
        "Wait for approval",
        &function,
        LambdaInvoke::new()
            .payload(
                Input::object()
                    .field("order", Input::path("$.order"))
                    .field("token", ContextPath::TASK_TOKEN),
            )
            .wait_for_task_token(),
    ));
    let notify_machine = StateMachine::new(&mut s, "Notify", StateMachineProps::new(notify));

    // an HTTP API: the worker behind a JWT-authorized route and the $default route, Notify
    // started by an IAM-signed POST, the inbox and the bus fed by others
    let http = HttpApi::new(
        &mut s,
        "Http",
        HttpApiProps::new().cors(
            HttpCors::new()
                .origin("https://shop.example.com")
                .method("GET")
                .method("POST")
                .header("authorization"),
        ),
    );
    let users = http.add_jwt_authorizer(
        &mut s,
        "Users",
        JwtAuthorizerProps::user_pool(&user_pool, &[&web]),
    );
    http.add_route(
        &mut s,
        "GET /jobs/{id}",
        HttpIntegration::lambda(&function),
        RouteOptions::new().authorizer(&users).scope("catalog/read"),
    );
    http.add_route(
        &mut s,
        "$default",
        HttpIntegration::lambda(&function),
        RouteOptions::new(),
    );
    http.add_route(
        &mut s,
        "POST /notify",
        HttpIntegration::start_execution(&notify_machine),
        RouteOptions::new().iam(),
    );
    http.add_route(
        &mut s,
        "POST /inbox",
        HttpIntegration::send_message(&inbox),
        RouteOptions::new(),
    );
    http.add_route(
        &mut s,
        "POST /events",
        HttpIntegration::put_events(&bus, "catalog.web", "Web event"),
        RouteOptions::new(),
    );
    if let Some(url) = http.url() {
        s.add_output("HttpUrl", url);
    }
    // a WebSocket API: the worker takes connections and answers messages through the
    // connections API it is granted
    let sockets = WebSocketApi::new(&mut s, "Sockets", WebSocketApiProps::new());
    sockets.add_route(&mut s, "$connect", &function, WebSocketRouteOptions::new());
    sockets.add_route(
        &mut s,
        "$disconnect",
        &function,
        WebSocketRouteOptions::new(),
    );
    sockets.add_route(
        &mut s,
        "$default",
        &function,
        WebSocketRouteOptions::new().replies(),
    );
    let sockets_live = sockets.add_stage(&mut s, "live");
    sockets.grant_manage_connections(&mut s, &sockets_live, &function);
    s.add_output("SocketsUrl", sockets_live.url());

    // the shop's front end: a private bucket behind CloudFront on the shop's own domain,
    // its certificate validated in the catalog's hosted zone, alias records to it
    let zone = HostedZone::new(&mut s, "Zone", "shop.example.com");
    let zone_for_api = zone.clone();
    let certificate = Certificate::new(
        &mut s,
        "SiteCertificate",
        "shop.example.com",
        &["www.shop.example.com"],
        &zone,
    );
    let site = StaticSite::new(
        &mut s,
        "Site",
        StaticSiteProps::new()
            .content_security_policy("default-src 'self'")
            // published by deploy: the catalog test reads the objects back from moto
            .content("tests/fixtures/site")
            .domain(SiteDomain {
                names: vec!["shop.example.com".into(), "www.shop.example.com".into()],
                certificate: SiteCertificate::Of(certificate),
                zone: Some(zone),
            }),
    );
    s.add_output("SiteUrl", site.url());
    // the HTTP API on the shop's domain too, under the same certificate
    let api_certificate = Certificate::new(
        &mut s,
        "ApiCertificate",
        "api.shop.example.com",
        &[],
        &zone_for_api,
    );
    if let Some(stage) = http.default_stage() {
        http.add_domain(
            &mut s,
            "api.shop.example.com",
            &SiteCertificate::Of(api_certificate),
            stage,
            Some(&zone_for_api),
        );
    }

    // a rule on that bus, with every target kind: the worker (retried, with a dead-letter
    // queue), the child workflow (an input transformer), the inbox (a part of the event), a
    // topic and the default bus
    let undelivered = Queue::new(&mut s, "Undelivered", QueueProps::new());
    // alarms and EventBridge cannot publish to a topic under alias/aws/sns: this one is under
    // the app's key, whose policy then lets EventBridge use it
    let alerts = Topic::new(
        &mut s,
        "Alerts",
        TopicProps::new().encryption_key(&data_key),
    );
    let rule = Rule::new(
        &mut s,
        "OrderQueued",
        RuleProps::new()
            .event_bus(&bus)
            .description("orders announced by Notify")
            .event_pattern(
                EventPattern::new()
                    .source(["catalog.orders"])
                    .detail_type(["Order queued"])
                    .detail_field("id", [Matcher::prefix("order-")]),
            ),
    );
    rule.add_target(
        &mut s,
        Target::function(&function)
            .max_retry_attempts(3)
            .max_event_age_seconds(3600)
            .dead_letter_queue(&undelivered),
    );
    rule.add_target(
        &mut s,
        Target::state_machine(&child).input_transformer(
            InputTransformer::new("{\"order\": <id>, \"at\": <aws.events.event.ingestion-time>}")
                .path("id", "$.detail.id"),
        ),
    );
    rule.add_target(&mut s, Target::queue(&inbox).input_path("$.detail"));
    rule.add_target(&mut s, Target::topic(&alerts));
    rule.add_target(&mut s, Target::event_bus(&EventBus::default_bus()));
    // a rule on the default bus every hour, starting the Notify workflow
    let hourly = Rule::new(
        &mut s,
        "Hourly",
        RuleProps::new().schedule(RuleSchedule::rate(1, RateUnit::Hours)),
    );
    hourly.add_target(
        &mut s,
        Target::state_machine(&notify_machine)
            .input(json!({"order": {"id": "order-hourly"}, "customer": "ops"})),
    );
    // schedules: the Everything workflow at 6 on weekdays in Paris (within 15 minutes), the
    // worker every 5 minutes
    Schedule::new(
        &mut s,
        "Weekdays",
        ScheduleProps::new(
            ScheduleExpression::cron("0 6 ? * MON-FRI *"),
            ScheduleTarget::state_machine(&everything_machine)
                .input(json!({"id": "scheduled"}))
                .dead_letter_queue(&undelivered)
                .max_retry_attempts(2),
        )
        .timezone("Europe/Paris")
        .flexible_time_window(FlexibleTimeWindow::Flexible(15))
        .description("the weekday run"),
    );
    Schedule::new(
        &mut s,
        "EveryFiveMinutes",
        ScheduleProps::new(
            ScheduleExpression::rate(5, RateUnit::Minutes),
            ScheduleTarget::function(&function),
        ),
    );

    // the worker consumes the inbox in batches (reporting failed items) and the table's
    // stream (turned on here), failed batches going to the undelivered queue
    function.add_event_source(
        &mut s,
        EventSource::sqs(
            &inbox,
            SqsSource::new()
                .batch_size(10)
                .max_batching_window_seconds(5)
                .report_batch_item_failures()
                .max_concurrency(5),
        ),
    );
    function.add_event_source(
        &mut s,
        EventSource::dynamodb(
            &table,
            StreamSource::new(StartingPosition::TrimHorizon)
                .batch_size(100)
                .bisect_batch_on_error()
                .retry_attempts(3)
                .max_record_age_seconds(3600)
                .filter(json!({"eventName": ["INSERT", "MODIFY"]}))
                .on_failure(FailureDestination::queue(&undelivered)),
        ),
    );
    // alarms that tell the alerts topic: a failed Notify run, and a composite over the
    // worker's latency and the API's errors (both, or the API alone for long)
    let notify_fails = Alarm::new(
        &mut s,
        "NotifyFails",
        AlarmProps::new(notify_machine.metric_failed(), 1.0)
            .alarm_topic(&alerts)
            .ok_topic(&alerts),
    );
    CompositeAlarm::new(
        &mut s,
        "Degraded",
        CompositeAlarmProps::new(AlarmRule::any_of([
            AlarmRule::all_of([
                AlarmRule::alarm(&worker_slow, AlarmState::Alarm),
                AlarmRule::alarm(&api_failing, AlarmState::Alarm),
            ]),
            AlarmRule::alarm(&notify_fails, AlarmState::Alarm),
        ]))
        .description("the catalog is degraded")
        .alarm_topic(&alerts),
    );
    app.add_stack(s);
    app
}

/// A small app with a CORS API: one allowed origin, an exposed header; a DynamoDB scan with
/// two integration responses, a Lambda proxy, a mock; a logged stage on the API's own
/// account setting. The root has no method (so no preflight).
pub fn cors_app(root: &Path) -> App {
    let mut app = App::new(root);
    let mut s = Stack::new("Cors");
    let table = Table::new(
        &mut s,
        "Items",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let reader = Function::new(&mut s, "Reader", FunctionProps::new("process-item"));
    let logs = LogGroup::new(
        &mut s,
        "ApiLogs",
        LogGroupProps::new(RetentionDays::OneWeek),
    );
    let api = RestApi::new(
        &mut s,
        "Api",
        RestApiProps::new()
            .cloud_watch_role()
            .default_cors_preflight(
                CorsOptions::new()
                    .allow_origin(AllowOrigin::origin("https://app.example.com"))
                    .allow_methods(["GET"])
                    .expose_headers(["X-Request-Id"]),
            ),
    );
    let items = api.root().add_resource(&mut s, "items");
    items.add_method(
        &mut s,
        HttpMethod::Get,
        DynamoDb::scan(&table)
            .response(
                IntegrationResponse::new(200)
                    .template("application/json", Template::new("$input.json('$.Items')")),
            )
            .response(
                IntegrationResponse::new(500)
                    .selection_pattern("5\\d{2}")
                    .template(
                        "application/json",
                        Template::new("{\"message\": \"try again\"}"),
                    ),
            )
            .into(),
        MethodOptions::new()
            .method_response(MethodResponse::new(200).model("application/json", "Empty")),
    );
    let item = items.add_resource(&mut s, "{id}");
    item.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::lambda_proxy(&reader),
        MethodOptions::new(),
    );
    let health = api.root().add_resource(&mut s, "health");
    health.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::mock(
            IntegrationOptions::new()
                .request_template("application/json", Template::new("{\"statusCode\": 200}"))
                .response(
                    IntegrationResponse::new(200)
                        .template("application/json", Template::new("{\"ok\": true}")),
                ),
        ),
        MethodOptions::new(),
    );
    let stage = api.deploy(
        &mut s,
        StageOptions::new("live").access_log(&logs, AccessLogFormat::JsonStandard),
    );
    s.add_output("ApiUrl", stage.url());
    app.add_stack(s);
    app
}

/// A value standing in for a substitution, as the validators need (ARNs where ARNs go).
fn sample(key: &str, value: &Json, template: &Json) -> Json {
    let resource_type = |id: &str| {
        template["Resources"][id]["Type"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    if let Some(s) = value.as_str() {
        return json!(s);
    }
    if value.is_number() || value.is_boolean() {
        return value.clone();
    }
    if let Some(sub) = value.get("Fn::Sub").and_then(Json::as_str) {
        return json!(sub
            .replace("${AWS::Partition}", "aws")
            .replace("${AWS::Region}", "us-east-1")
            .replace("${AWS::AccountId}", "123456789012"));
    }
    if let Some(r) = value.get("Ref").and_then(Json::as_str) {
        return match r {
            "AWS::Partition" => json!("aws"),
            "AWS::Region" => json!("us-east-1"),
            "AWS::AccountId" => json!("123456789012"),
            id if resource_type(id) == "AWS::StepFunctions::StateMachine" => {
                json!(format!(
                    "arn:aws:states:us-east-1:123456789012:stateMachine:{id}"
                ))
            }
            id => json!(format!("sample-{id}")),
        };
    }
    if let Some([id, attr]) = value
        .get("Fn::GetAtt")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
    {
        let id = id.as_str().unwrap_or("");
        if attr == "Arn" && resource_type(id) == "AWS::Lambda::Function" {
            return json!(format!(
                "arn:aws:lambda:us-east-1:123456789012:function:{id}"
            ));
        }
    }
    json!(format!("sample-{key}"))
}

/// Every state machine of a template, its definition with sample values in place of the
/// substitutions: (logical id, definition).
pub fn resolved_definitions(template: &Json) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    let Some(resources) = template["Resources"].as_object() else {
        return out;
    };
    for (id, r) in resources {
        if r["Type"] != "AWS::StepFunctions::StateMachine" {
            continue;
        }
        let definition = &r["Properties"]["Definition"];
        let mut values = indexmap::IndexMap::new();
        if let Some(subs) = r["Properties"]["DefinitionSubstitutions"].as_object() {
            for (k, v) in subs {
                values.insert(k.clone(), sample(k, v, template));
            }
        }
        out.push((
            id.clone(),
            constructs::stepfunctions::asl::render::substitute(definition, &values),
        ));
    }
    out
}
