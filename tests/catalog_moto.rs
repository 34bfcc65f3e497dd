//! The catalog app (every construct, tests/common/mod.rs) deploys on the moto server of the
//! tests, and what moto's CloudFormation creates is there with the settings synthesized:
//! queues, topics, event buses and rules with their targets, and event source mappings; the
//! site's folder published to its bucket, and a user's site republished (catalog_moto/site.rs).
//! moto's CloudFormation does not create some types (queue and topic policies, SNS
//! subscriptions, schedules, alarms, authorizers; book/src/moto.md): their
//! properties pass the registry-schema check of tests/moto/server.py, and they are listed
//! here so that a moto upgrade that starts creating one shows up. Their effect is not checked
//! on moto, nor is event delivery to functions, machines and topics, nor IAM: the test says
//! so in its output (NOT CHECKED lines); cfn-lint and the construct tests check the
//! statements instead.

mod common;
#[path = "catalog_moto/site.rs"]
mod site;

use std::time::Duration;

use serde_json::{json, Value as Json};

use common::moto::{ok, Moto};
use rcdk_toolkit::aws::Aws;
use rcdk_toolkit::signed::Signed;

#[test]
fn the_catalog_deploys_on_moto_policies_delivery_and_iam_unchecked() {
    let moto = Moto::start();
    moto.reset();
    let endpoint = moto.endpoint.as_str();
    let root = common::root();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let assembly = dir.path().join("cdk.out");
    let synthesized = common::catalog_app(&root)
        .synth()
        .unwrap_or_else(|e| panic!("synth: {e}"));
    let app = common::moto::write_assembly(&synthesized, &assembly, Some(&root));
    let toolkit = common::moto::toolkit();
    let minute = Duration::from_secs(60);
    ok(
        &common::moto::run(&toolkit, dir.path(), endpoint, &["bootstrap"], minute),
        "bootstrap",
    );
    // the worker crate may be built here (cargo-lambda, release, arm64)
    let deploy = common::moto::run(
        &toolkit,
        dir.path(),
        endpoint,
        &[
            "deploy",
            "--app",
            &app,
            "Catalog",
            "--require-approval",
            "never",
        ],
        Duration::from_secs(900),
    );
    ok(&deploy, "deploy of the catalog");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let template: Json = std::fs::read(assembly.join("Catalog.template.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| panic!("no Catalog template in {}", assembly.display()));
    runtime.block_on(check(endpoint, &template));
    runtime.block_on(site::catalog_site_is_published(endpoint, &template));

    // the Notify workflow run locally, its SQS, SNS and EventBridge tasks sent live to moto;
    // the callback (a Lambda waiting for its task token) is mocked
    let mocks = dir.path().join("notify-mocks.json");
    std::fs::write(
        &mocks,
        json!({
            "StateMachines": {"Catalog/Notify": {"TestCases": {"Approved": {"Wait for approval": "Yes"}}}},
            "MockedResponses": {"Yes": {"0": {"Return": {"approved": true}}}}
        })
        .to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let input = json!({"order": {"id": "order-7", "total": 12}, "customer": "c-1"}).to_string();
    let mocks_arg = mocks.to_string_lossy().to_string();
    let run = common::moto::run(
        &toolkit,
        dir.path(),
        endpoint,
        &[
            "run",
            "Catalog/Notify",
            "--app",
            &app,
            "--deployed",
            "--live",
            "--json",
            "--input",
            &input,
            "--mock",
            &mocks_arg,
            "--test-case",
            "Approved",
        ],
        minute,
    );
    // ReadConfig reads the deployed secret and parameter through moto (the SDK integrations
    // of Secrets Manager and Systems Manager, sent live)
    let read = common::moto::run(
        &toolkit,
        dir.path(),
        endpoint,
        &[
            "run",
            "Catalog/ReadConfig",
            "--app",
            &app,
            "--deployed",
            "--live",
            "--json",
            "--input",
            "{}",
        ],
        minute,
    );
    let read: Json = serde_json::from_str(&read.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}):\n{}\n{}", read.stdout, read.stderr));
    assert_eq!(read["status"], "SUCCEEDED", "{read}");
    let secret: Json = serde_json::from_str(
        read["output"]["secret"]["SecretString"]
            .as_str()
            .unwrap_or("null"),
    )
    .unwrap_or(Json::Null);
    assert_eq!(secret["username"], "catalog", "{read}");
    assert_eq!(
        secret["password"].as_str().map(str::len),
        Some(32),
        "{read}"
    );
    let jobs_table = template["Resources"]
        .as_object()
        .and_then(|r| {
            r.iter()
                .find(|(_, r)| r["Metadata"]["aws:cdk:path"] == "Catalog/Jobs/Resource")
        })
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no Catalog/Jobs/Resource"));
    let table_name = runtime.block_on(async {
        let deployed = Deployed::read(endpoint).await;
        deployed.id_of(&jobs_table)
    });
    assert_eq!(
        read["output"]["parameter"]["Value"],
        json!(table_name),
        "{read}"
    );

    let out: Json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    assert_eq!(
        out["status"], "SUCCEEDED",
        "{} {}\n{}",
        out["error"], out["cause"], run.stderr
    );
    assert_eq!(out["output"], json!({"approved": true}));
    let answered = |kind: &str| -> Json {
        let history = out["history"].as_array().cloned().unwrap_or_default();
        let event = history
            .iter()
            .find(|e| {
                e["type"] == "TaskSucceeded"
                    && e["taskSucceededEventDetails"]["resourceType"] == kind
            })
            .unwrap_or_else(|| panic!("no {kind} task succeeded: {history:?}"));
        serde_json::from_str(
            event["taskSucceededEventDetails"]["output"]
                .as_str()
                .unwrap_or("null"),
        )
        .unwrap_or(Json::Null)
    };
    assert!(
        answered("sqs")["MessageId"].is_string(),
        "{}",
        answered("sqs")
    );
    assert!(
        answered("sns")["MessageId"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        answered("sns")
    );
    assert_eq!(
        answered("events")["FailedEntryCount"],
        0,
        "PutEvents took the entry (its delivery is not checked on moto): {}",
        answered("events")
    );
    runtime.block_on(order_was_queued(endpoint));
    common::harness::not_checked(
        "event delivery: the Order queued event reaches none of its rule's function, state \
         machine and topic targets (moto drops those, tests/moto/server.py patch 8), and the \
         inbox's messages go to the worker's stand-in through its SQS mapping",
    );
    common::harness::not_checked(
        "SNS delivery: moto's CloudFormation creates no subscription, so Tell's notice reaches \
         no subscriber; only SNS's answer (a MessageId) is checked",
    );
    common::harness::not_checked(
        "the callback: Wait for approval is mocked, the worker's code does not run here",
    );
    site::a_changed_site_uploads_what_changed_and_prunes_what_is_gone(&toolkit, endpoint);
}

/// The deployed catalog as the checks read it: the physical id of every resource moto
/// created (by logical id, typed or not) and a signed client to moto.
struct Deployed {
    resources: Vec<(String, String, bool)>,
    signed: Signed,
}

impl Deployed {
    async fn read(endpoint: &str) -> Deployed {
        let config = common::moto::sdk_config(endpoint).await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let described = cfn
            .describe_stack_resources()
            .stack_name("Catalog")
            .send()
            .await
            .unwrap_or_else(|e| panic!("resources: {e:?}"));
        let resources = described
            .stack_resources()
            .iter()
            .map(|r| {
                (
                    r.logical_resource_id().unwrap_or_default().to_string(),
                    r.physical_resource_id().unwrap_or_default().to_string(),
                    r.resource_type().is_some_and(|t| !t.is_empty()),
                )
            })
            .collect();
        let aws = Aws {
            cfn,
            s3: aws_sdk_s3::Client::new(&config),
            region: common::moto::REGION.to_string(),
            endpoint: Some(endpoint.to_string()),
            config: Some(config),
        };
        Deployed {
            resources,
            signed: Signed::new(&aws),
        }
    }

    /// The logical ids moto created a resource for.
    fn created(&self) -> std::collections::BTreeSet<&str> {
        self.resources
            .iter()
            .filter(|(_, _, typed)| *typed)
            .map(|(id, _, _)| id.as_str())
            .collect()
    }

    /// The physical id of the created resource whose logical id starts with `prefix`.
    fn id_of(&self, prefix: &str) -> String {
        self.resources
            .iter()
            .find(|(id, _, typed)| *typed && id.starts_with(prefix))
            .map(|(_, physical, _)| physical.clone())
            .unwrap_or_else(|| panic!("moto created no {prefix}: {:?}", self.resources))
    }

    /// A JSON-protocol call (`AmazonSQS.GetQueueAttributes`, version 1.0 or 1.1), answered.
    async fn call(&self, service: &str, version: &str, target: &str, body: Json) -> Json {
        self.signed
            .json(
                service,
                &format!("application/x-amz-json-{version}"),
                target,
                &body,
            )
            .await
            .unwrap_or_else(|e| panic!("{target}: {e}"))
    }
}

/// The order Notify queued is in the FIFO queue, its body the order's JSON text, grouped by
/// the customer.
async fn order_was_queued(endpoint: &str) {
    let deployed = Deployed::read(endpoint).await;
    let url = deployed.id_of("Orders");
    let received = deployed
        .call(
            "sqs",
            "1.0",
            "AmazonSQS.ReceiveMessage",
            json!({"QueueUrl": url, "MessageSystemAttributeNames": ["MessageGroupId"],
                   "MaxNumberOfMessages": 10}),
        )
        .await;
    let messages = received["Messages"].as_array().cloned().unwrap_or_default();
    let [message] = messages.as_slice() else {
        panic!("one message in {url}: {received}");
    };
    let body: Json =
        serde_json::from_str(message["Body"].as_str().unwrap_or("null")).unwrap_or(Json::Null);
    assert_eq!(body, json!({"id": "order-7", "total": 12}), "{message}");
    assert_eq!(message["Attributes"]["MessageGroupId"], "c-1", "{message}");
}

/// What moto's CloudFormation reports without a type: the types it skips (a stand-in of
/// tests/moto/server.py counts as modelled). The book's "What moto deploys" (book/src/moto.md) says the same.
const SKIPPED: &[&str] = &[
    "AWS::ApiGateway::ApiKey",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::UsagePlanKey",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::CompositeAlarm",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::Scheduler::Schedule",
];

async fn check(endpoint: &str, template: &Json) {
    let deployed = Deployed::read(endpoint).await;
    let created = deployed.created();
    let mut skipped = std::collections::BTreeSet::new();
    let Some(declared) = template["Resources"].as_object() else {
        panic!("no resources in the template");
    };
    for (id, resource) in declared {
        if !created.contains(id.as_str()) {
            skipped.insert(resource["Type"].as_str().unwrap_or_default().to_string());
        }
    }
    let expected: std::collections::BTreeSet<String> =
        SKIPPED.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        skipped, expected,
        "the types moto's CloudFormation does not create (their effect is not checked on moto)"
    );
    common::harness::not_checked(&format!(
        "resource policies and the other types moto does not create ({}): the queue's and \
         topic's policies, subscriptions, schedules, alarms, authorizers and usage plans are \
         checked against their registry schemas only",
        SKIPPED.join(", ")
    ));
    common::harness::not_checked(
        "IAM: moto evaluates no policy, role or permission (the construct tests assert the \
         exact statements)",
    );
    let id_of = |prefix: &str| deployed.id_of(prefix);
    let signed = &deployed.signed;

    // queues: the FIFO one with its settings and the redrive to its dead-letter queue
    let sqs = |target: &str, body: Json| {
        let target = format!("AmazonSQS.{target}");
        let deployed = &deployed;
        async move { deployed.call("sqs", "1.0", &target, body).await }
    };
    let orders = sqs(
        "GetQueueAttributes",
        json!({"QueueUrl": id_of("Orders"), "AttributeNames": ["All"]}),
    )
    .await;
    let attributes = &orders["Attributes"];
    assert_eq!(attributes["FifoQueue"], "true", "{orders}");
    assert_eq!(attributes["ContentBasedDeduplication"], "true", "{orders}");
    assert_eq!(attributes["VisibilityTimeout"], "120", "{orders}");
    let dead = id_of("DeadLetters");
    assert!(dead.ends_with(".fifo"), "{dead}");
    let redrive: Json = serde_json::from_str(attributes["RedrivePolicy"].as_str().unwrap_or("{}"))
        .unwrap_or_else(|e| panic!("RedrivePolicy: {e}"));
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "5"
    );
    assert!(
        redrive["deadLetterTargetArn"]
            .as_str()
            .is_some_and(|arn| dead.ends_with(arn.rsplit(':').next().unwrap_or("?"))),
        "{redrive}"
    );
    let inbox = sqs(
        "GetQueueAttributes",
        json!({"QueueUrl": id_of("Inbox"), "AttributeNames": ["All"]}),
    )
    .await;
    assert_eq!(inbox["Attributes"]["ReceiveMessageWaitTimeSeconds"], "20");
    assert_eq!(inbox["Attributes"]["MessageRetentionPeriod"], "345600");

    // the topic, with the AWS managed key by default
    let topic = id_of("Events");
    let answer = signed
        .send(
            "sns",
            "POST",
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!(
                "Action=GetTopicAttributes&Version=2010-03-31&TopicArn={}",
                topic.replace(':', "%3A")
            )
            .into_bytes(),
        )
        .await
        .unwrap_or_else(|e| panic!("SNS: {e}"));
    let xml = String::from_utf8_lossy(&answer.body);
    assert!(
        xml.contains("<key>KmsMasterKeyId</key>") && xml.contains("<value>alias/aws/sns</value>"),
        "{xml}"
    );
    assert!(xml.contains("<value>Catalog</value>"), "DisplayName: {xml}");

    // the bus, its rule with the pattern and the five targets as synthesized
    let events = |target: &str, body: Json| {
        let target = format!("AWSEvents.{target}");
        let deployed = &deployed;
        async move { deployed.call("events", "1.1", &target, body).await }
    };
    let bus = id_of("Bus");
    let rules = events("ListRules", json!({"EventBusName": bus})).await;
    let Some([rule]) = rules["Rules"].as_array().map(Vec::as_slice) else {
        panic!("one rule on {bus}: {rules}");
    };
    let pattern: Json = serde_json::from_str(rule["EventPattern"].as_str().unwrap_or("null"))
        .unwrap_or_else(|e| panic!("EventPattern: {e}"));
    assert_eq!(
        pattern,
        json!({"source": ["catalog.orders"], "detail-type": ["Order queued"],
               "detail": {"id": [{"prefix": "order-"}]}})
    );
    let targets = events(
        "ListTargetsByRule",
        json!({"Rule": rule["Name"], "EventBusName": bus}),
    )
    .await;
    let targets = targets["Targets"].as_array().cloned().unwrap_or_default();
    assert_eq!(targets.len(), 5, "{targets:?}");
    let worker = id_of("Worker37");
    let to_worker = targets
        .iter()
        .find(|t| t["Arn"].as_str().is_some_and(|a| a.ends_with(&worker)))
        .unwrap_or_else(|| panic!("no target {worker}: {targets:?}"));
    assert_eq!(to_worker["RetryPolicy"]["MaximumRetryAttempts"], 3);
    assert_eq!(to_worker["RetryPolicy"]["MaximumEventAgeInSeconds"], 3600);
    assert!(to_worker["DeadLetterConfig"]["Arn"]
        .as_str()
        .is_some_and(|a| a.contains("Undelivered")));
    assert!(
        targets.iter().any(|t| t["InputPath"] == "$.detail"),
        "{targets:?}"
    );
    assert!(
        targets
            .iter()
            .any(|t| t["InputTransformer"]["InputPathsMap"]["id"] == "$.detail.id"),
        "{targets:?}"
    );
    let hourly = events("ListRules", json!({"NamePrefix": id_of("Hourly")})).await;
    assert_eq!(
        hourly["Rules"][0]["ScheduleExpression"], "rate(1 hour)",
        "{hourly}"
    );

    // the table's stream, turned on for the worker's event source
    let table = deployed
        .call(
            "dynamodb",
            "1.0",
            "DynamoDB_20120810.DescribeTable",
            json!({"TableName": id_of("Jobs")}),
        )
        .await;
    assert_eq!(
        table["Table"]["StreamSpecification"],
        json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    );
    // the worker's two event source mappings
    let answer = signed
        .send(
            "lambda",
            "GET",
            &format!("/2015-03-31/event-source-mappings/?FunctionName={worker}"),
            &[],
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("ListEventSourceMappings: {e}"));
    let mappings = answer.json()["EventSourceMappings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(mappings.len(), 2, "{mappings:?}");
    let from_queue = mappings
        .iter()
        .find(|m| {
            m["EventSourceArn"]
                .as_str()
                .is_some_and(|a| a.contains(":sqs:"))
        })
        .unwrap_or_else(|| panic!("no SQS mapping: {mappings:?}"));
    assert_eq!(from_queue["BatchSize"], 10, "{from_queue}");
    let from_stream = mappings
        .iter()
        .find(|m| {
            m["EventSourceArn"]
                .as_str()
                .is_some_and(|a| a.contains("/stream/"))
        })
        .unwrap_or_else(|| panic!("no stream mapping: {mappings:?}"));
    assert_eq!(from_stream["BatchSize"], 100, "{from_stream}");
    assert_eq!(
        from_stream["StartingPosition"], "TRIM_HORIZON",
        "{from_stream}"
    );

    // the key: rotation on, its alias, and the statement that lets CloudWatch Logs use it
    let kms = |target: &str, body: Json| {
        let target = format!("TrentService.{target}");
        let deployed = &deployed;
        async move { deployed.call("kms", "1.1", &target, body).await }
    };
    let key_id = id_of("DataKey");
    let aliases = kms("ListAliases", json!({"KeyId": key_id})).await;
    let names: Vec<&Json> = aliases["Aliases"]
        .as_array()
        .map(|a| a.iter().map(|a| &a["AliasName"]).collect())
        .unwrap_or_default();
    assert_eq!(names, [&json!("alias/catalog/data")], "{aliases}");
    let key = kms("DescribeKey", json!({"KeyId": key_id})).await;
    assert_eq!(
        key["KeyMetadata"]["Description"], "the catalog's data",
        "{key}"
    );
    let rotation = kms("GetKeyRotationStatus", json!({"KeyId": key_id})).await;
    assert_eq!(rotation["KeyRotationEnabled"], true, "{rotation}");
    let policy = kms(
        "GetKeyPolicy",
        json!({"KeyId": key_id, "PolicyName": "default"}),
    )
    .await;
    let policy: Json = serde_json::from_str(policy["Policy"].as_str().unwrap_or("{}"))
        .unwrap_or_else(|e| panic!("key policy: {e}"));
    let services: Vec<&Json> = policy["Statement"]
        .as_array()
        .map(|s| s.iter().map(|s| &s["Principal"]["Service"]).collect())
        .unwrap_or_default();
    assert!(
        services.contains(&&json!(format!(
            "logs.{}.amazonaws.com",
            common::moto::REGION
        ))),
        "the logs statement, its region resolved: {policy}"
    );
    // the parameter holds the table's physical name
    let parameter = deployed
        .call(
            "ssm",
            "1.1",
            "AmazonSSM.GetParameter",
            json!({"Name": "/catalog/jobs-table"}),
        )
        .await;
    let table = declared
        .iter()
        .find(|(_, r)| r["Metadata"]["aws:cdk:path"] == "Catalog/Jobs/Resource")
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no Catalog/Jobs/Resource in the template"));
    assert_eq!(
        parameter["Parameter"]["Value"],
        json!(id_of(&table)),
        "{parameter}"
    );
    assert_eq!(parameter["Parameter"]["Type"], "String", "{parameter}");
    // the HTTP API: its routes (the JWT one with its scope), integrations, authorizer and
    // $default stage, read back through API Gateway v2's API
    let http = id_of("Http227");
    let v2 = |path: String| {
        let signed = &deployed.signed;
        async move {
            signed
                .send("apigateway", "GET", &path, &[], Vec::new())
                .await
                .unwrap_or_else(|e| panic!("{path}: {e}"))
                .json()
        }
    };
    let routes = v2(format!("/v2/apis/{http}/routes")).await;
    let mut keys: Vec<&str> = routes["items"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["routeKey"].as_str()).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "$default",
            "GET /jobs/{id}",
            "POST /events",
            "POST /inbox",
            "POST /notify"
        ],
        "{routes}"
    );
    let jobs = routes["items"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["routeKey"] == "GET /jobs/{id}"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(jobs["authorizationType"], "JWT", "{jobs}");
    assert_eq!(
        jobs["authorizationScopes"],
        json!(["catalog/read"]),
        "{jobs}"
    );
    // the route names the authorizer (moto has GetAuthorizer, not GetAuthorizers)
    let users = v2(format!(
        "/v2/apis/{http}/authorizers/{}",
        jobs["authorizerId"].as_str().unwrap_or("none")
    ))
    .await;
    assert_eq!(users["authorizerType"], "JWT", "{users}");
    // the issuer and audience are the deployed pool's and web client's
    let pool_id = id_of("UsersFE4");
    let web_client = id_of("UsersWeb");
    assert_eq!(
        users["jwtConfiguration"]["audience"],
        json!([web_client]),
        "{users}"
    );
    assert_eq!(
        users["jwtConfiguration"]["issuer"],
        json!(format!(
            "https://cognito-idp.{}.amazonaws.com/{pool_id}",
            common::moto::REGION
        )),
        "{users}"
    );
    // the pool, with its trigger, and the web client with the catalog's scope
    let cognito = |target: &str, body: Json| {
        let target = format!("AWSCognitoIdentityProviderService.{target}");
        let deployed = &deployed;
        async move { deployed.call("cognito-idp", "1.1", &target, body).await }
    };
    let described = cognito("DescribeUserPool", json!({"UserPoolId": pool_id})).await;
    let user_pool = &described["UserPool"];
    assert_eq!(user_pool["MfaConfiguration"], "OPTIONAL", "{described}");
    assert!(
        user_pool["LambdaConfig"]["PostConfirmation"]
            .as_str()
            .is_some_and(|arn| arn.ends_with(&format!(":function:{}", id_of("Worker37")))),
        "the worker is the PostConfirmation trigger: {described}"
    );
    let client = cognito(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": web_client}),
    )
    .await;
    assert_eq!(
        client["UserPoolClient"]["AllowedOAuthScopes"],
        json!(["openid", "email", "catalog/read"]),
        "{client}"
    );
    assert_eq!(
        client["UserPoolClient"]["CallbackURLs"],
        json!(["https://shop.example.com/callback"]),
        "{client}"
    );
    let integrations = v2(format!("/v2/apis/{http}/integrations")).await;
    let mut subtypes: Vec<&str> = integrations["items"]
        .as_array()
        .map(|i| {
            i.iter()
                .filter_map(|i| i["integrationSubtype"].as_str())
                .collect()
        })
        .unwrap_or_default();
    subtypes.sort_unstable();
    assert_eq!(
        subtypes,
        [
            "EventBridge-PutEvents",
            "SQS-SendMessage",
            "StepFunctions-StartExecution"
        ],
        "{integrations}"
    );
    let stages = v2(format!("/v2/apis/{http}/stages")).await;
    assert_eq!(stages["items"][0]["stageName"], "$default", "{stages}");
    assert_eq!(stages["items"][0]["autoDeploy"], true, "{stages}");
    // the WebSocket API: its three routes and the stage of its deployment
    let sockets = id_of("SocketsDBB");
    let api = v2(format!("/v2/apis/{sockets}")).await;
    assert_eq!(api["protocolType"], "WEBSOCKET", "{api}");
    assert_eq!(
        api["routeSelectionExpression"], "$request.body.action",
        "{api}"
    );
    let routes = v2(format!("/v2/apis/{sockets}/routes")).await;
    let mut keys: Vec<&str> = routes["items"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["routeKey"].as_str()).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["$connect", "$default", "$disconnect"], "{routes}");
    let stages = v2(format!("/v2/apis/{sockets}/stages")).await;
    assert_eq!(stages["items"][0]["stageName"], "live", "{stages}");
    common::harness::not_checked(
        "requests and WebSocket connections through the APIs: moto serves no execute-api \
         endpoint; the routes, integrations, authorizer and stages are read back, the \
         permissions and roles asserted whole by constructs/tests/http_api.rs and \
         websocket_api.rs",
    );

    // the site's alias records in the catalog's zone, to the distribution's domain
    let zone = id_of("ZoneF44");
    let zone = zone.rsplit('/').next().unwrap_or(&zone).to_string();
    let records = deployed
        .signed
        .send(
            "route53",
            "GET",
            &format!("/2013-04-01/hostedzone/{zone}/rrset"),
            &[],
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("ListResourceRecordSets: {e}"));
    let records = String::from_utf8_lossy(&records.body).to_string();
    // the HTTP API's custom domain, mapped to its $default stage
    let mappings = v2("/v2/domainnames/api.shop.example.com/apimappings".to_string()).await;
    assert_eq!(mappings["items"][0]["apiId"], json!(http), "{mappings}");
    assert_eq!(mappings["items"][0]["stage"], "$default", "{mappings}");
    let api_record = "<Name>api.shop.example.com.</Name><Type>A</Type>";
    for name in ["shop.example.com.", "www.shop.example.com."] {
        for kind in ["A", "AAAA"] {
            let record = format!("<Name>{name}</Name><Type>{kind}</Type>");
            assert!(
                records.replace(['\n', ' '], "").contains(&record),
                "{record} in {records}"
            );
        }
    }
    assert!(
        records.replace(['\n', ' '], "").contains(api_record),
        "{api_record} in {records}"
    );
    assert!(
        records.contains(".cloudfront.net") && records.contains("Z2FDTNDATAQYW2"),
        "the records alias the distribution: {records}"
    );
    common::harness::not_checked(
        "the site's distribution, origin access control, headers policy and certificate: moto \
         models none of them (inert stand-ins, their properties checked against the registry \
         schemas; the distribution answers invalidations only, nothing is served through it); \
         constructs/tests/website.rs asserts them and the bucket policy whole",
    );

    // the secret: generated under its template, with the key
    let secret = deployed
        .call(
            "secretsmanager",
            "1.1",
            "secretsmanager.GetSecretValue",
            json!({"SecretId": id_of("Db")}),
        )
        .await;
    let value: Json = serde_json::from_str(secret["SecretString"].as_str().unwrap_or("null"))
        .unwrap_or_else(|e| panic!("the secret's value: {e}"));
    assert_eq!(value["username"], "catalog", "{value}");
    let password = value["password"].as_str().unwrap_or_default();
    assert_eq!(password.len(), 32, "{value}");
    assert!(
        password.chars().all(|c| c.is_ascii_alphanumeric()),
        "no punctuation: {password}"
    );
    let described = deployed
        .call(
            "secretsmanager",
            "1.1",
            "secretsmanager.DescribeSecret",
            json!({"SecretId": id_of("Db")}),
        )
        .await;
    assert!(
        described["KmsKeyId"]
            .as_str()
            .is_some_and(|k| k.ends_with(&format!("key/{key_id}"))),
        "the secret is under the catalog's key: {described}"
    );
}
