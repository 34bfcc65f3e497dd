//! Lambda event sources: the mapping an SQS queue or a DynamoDB stream gets, its defaults and
//! every option, the exact statements Lambda's poller needs on the function's role, the
//! mapping created after the role's policy, the stream turned on, and Lambda's limits reported
//! with the mapping's path and property.

mod common;

use common::{assert_contains_all, problems_in, statements, workspace};

use constructs::assertions::Template;
use constructs::dynamodb::{Attribute, AttributeType, StreamViewType, Table, TableProps};
use constructs::lambda::{
    EventSource, FailureDestination, Function, FunctionProps, SqsSource, StartingPosition,
    StreamSource,
};
use constructs::sns::{Topic, TopicProps};
use constructs::sqs::{Queue, QueueEncryption, QueueProps};
use constructs::{App, Stack, Value};
use serde_json::{json, Value as Json};

fn function(s: &mut Stack, timeout: u32) -> Function {
    Function::new(
        s,
        "Handler",
        FunctionProps::new("one").timeout_seconds(timeout),
    )
}

fn table(s: &mut Stack, props: TableProps) -> Table {
    Table::new(s, "Jobs", props)
}

fn keyed() -> TableProps {
    TableProps::new(Attribute::new("Id", AttributeType::String))
}

/// The one mapping of the template, whole.
fn mapping(t: &Template) -> (String, Json) {
    let mappings = t.find_resources("AWS::Lambda::EventSourceMapping", json!({}));
    assert_eq!(mappings.len(), 1, "{mappings:?}");
    let (id, m) = mappings.into_iter().next().unwrap();
    (id, m)
}

fn id_of(t: &Template, type_name: &str, prefix: &str) -> String {
    t.find_resources(type_name, json!({}))
        .keys()
        .find(|k| k.starts_with(prefix))
        .cloned()
        .unwrap_or_else(|| panic!("no {type_name} {prefix}"))
}

fn policy_id(t: &Template) -> String {
    id_of(t, "AWS::IAM::Policy", "HandlerServiceRoleDefaultPolicy")
}

#[test]
fn an_sqs_source_reads_the_queue_with_the_consume_rights_after_the_policy() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, 3);
    let q = Queue::new(&mut s, "Inbox", QueueProps::new());
    let m = f.add_event_source(&mut s, EventSource::sqs(&q, SqsSource::new()));
    s.add_output("Mapping", m.uuid());
    let t = Template::from_stack_in(ws.path(), &s);
    let (id, resource) = mapping(&t);
    assert!(id.starts_with("HandlerSqsEventSourceInbox"), "{id}");
    let queue = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::SQS::Queue"), "Arn"]});
    assert_eq!(
        resource,
        json!({
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": queue,
                "FunctionName": {"Ref": t.logical_id_of_type("AWS::Lambda::Function")}
            },
            "DependsOn": [policy_id(&t)],
            "Metadata": {"aws:cdk:path": "S/Handler/SqsEventSourceInbox/Resource"}
        })
    );
    let st = statements(&t, "HandlerServiceRole");
    assert_eq!(
        st.last().unwrap(),
        &json!({"Action": ["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl",
                           "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Effect": "Allow", "Resource": queue})
    );
    assert_eq!(st.len(), 2, "the log statement and the queue's: {st:?}");
    t.has_output("Mapping", json!({"Value": {"Ref": id}}));
}

#[test]
fn every_sqs_option_is_written_and_a_customer_key_can_be_decrypted() {
    let ws = workspace();
    let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let mut s = Stack::new("S");
    let f = function(&mut s, 10);
    let q = Queue::new(
        &mut s,
        "Inbox",
        QueueProps::new()
            .visibility_timeout_seconds(90)
            .encryption(QueueEncryption::Kms(Value::from(key))),
    );
    f.add_event_source(
        &mut s,
        EventSource::sqs(
            &q,
            SqsSource::new()
                .batch_size(500)
                .max_batching_window_seconds(20)
                .report_batch_item_failures()
                .max_concurrency(5)
                .filter(json!({"body": {"kind": ["order"]}}))
                .filter(json!({"attributes": {"MessageGroupId": [{"prefix": "a"}]}}))
                .enabled(false),
        ),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let (_, resource) = mapping(&t);
    assert_eq!(
        resource["Properties"],
        json!({
            "BatchSize": 500,
            "Enabled": false,
            "EventSourceArn": {"Fn::GetAtt": [t.logical_id_of_type("AWS::SQS::Queue"), "Arn"]},
            "FilterCriteria": {"Filters": [
                {"Pattern": "{\"body\":{\"kind\":[\"order\"]}}"},
                {"Pattern": "{\"attributes\":{\"MessageGroupId\":[{\"prefix\":\"a\"}]}}"}
            ]},
            "FunctionName": {"Ref": t.logical_id_of_type("AWS::Lambda::Function")},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "MaximumBatchingWindowInSeconds": 20,
            "ScalingConfig": {"MaximumConcurrency": 5}
        })
    );
    let st = statements(&t, "HandlerServiceRole");
    assert!(
        st.contains(&json!({"Action": "kms:Decrypt", "Effect": "Allow", "Resource": key})),
        "{st:?}"
    );
}

#[test]
fn a_visibility_timeout_under_the_function_timeout_is_refused_and_under_six_times_warned() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, 60);
    let q = Queue::new(&mut s, "Inbox", QueueProps::new());
    f.add_event_source(&mut s, EventSource::sqs(&q, SqsSource::new()));
    let mut app = App::new(ws.path());
    app.add_stack(s);
    let e = app.synth().expect_err("Lambda refuses the mapping");
    let p = &e.problems()[0];
    assert_eq!(e.problems().len(), 1, "{:?}", e.problems());
    assert_eq!(
        p.to_string(),
        "S/Inbox/Resource [VisibilityTimeout]: the visibility timeout (30 s) is less than the timeout of the function reading the queue (60 s, S/Handler/SqsEventSourceInbox/Resource): Lambda refuses the mapping"
    );
    assert_eq!(
        p.help.as_deref(),
        Some("give the queue .visibility_timeout_seconds(360) (AWS recommends 6 times the function's timeout plus the batching window)")
    );

    // equal is accepted; under six times (plus the window) is a warning
    let mut s = Stack::new("S");
    let f = function(&mut s, 10);
    let q = Queue::new(
        &mut s,
        "Inbox",
        QueueProps::new().visibility_timeout_seconds(10),
    );
    f.add_event_source(
        &mut s,
        EventSource::sqs(&q, SqsSource::new().max_batching_window_seconds(5)),
    );
    let mut app = App::new(ws.path());
    app.add_stack(s);
    let assembly = app
        .synth()
        .expect("a timeout equal to the function's is accepted");
    let warnings: Vec<String> = assembly.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["S/Inbox/Resource: the visibility timeout (10 s) is under 65 s, which AWS recommends for a function of 10 s (S/Handler/SqsEventSourceInbox/Resource): a message may be received again while Lambda retries"]
    );

    // six times is quiet; five filters too
    let mut s = Stack::new("S");
    let f = function(&mut s, 10);
    let q = Queue::new(
        &mut s,
        "Inbox",
        QueueProps::new().visibility_timeout_seconds(60),
    );
    let mut five = SqsSource::new();
    for i in 0..5 {
        five = five.filter(json!({"body": {"n": [i]}}));
    }
    f.add_event_source(&mut s, EventSource::sqs(&q, five));
    let mut app = App::new(ws.path());
    app.add_stack(s);
    assert!(app.synth().expect("valid").warnings.is_empty());
}

#[test]
fn more_filters_than_the_default_quota_is_a_warning() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, 3);
    let jobs = table(&mut s, keyed());
    let mut six = StreamSource::new(StartingPosition::Latest);
    for name in ["INSERT", "MODIFY", "REMOVE", "A", "B", "C"] {
        six = six.filter(json!({"eventName": [name]}));
    }
    f.add_event_source(&mut s, EventSource::dynamodb(&jobs, six));
    let mut app = App::new(ws.path());
    app.add_stack(s);
    let assembly = app.synth().expect("legal with a raised quota");
    let warnings: Vec<String> = assembly.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["S/Handler/DynamoDbEventSourceJobs/Resource: 6 filters: Lambda's default quota is 5 per mapping; the account needs it raised (up to 10) or the mapping fails to create"]
    );
}

#[test]
fn sqs_source_limits_are_reported_on_the_mapping() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let queue = |s: &mut Stack, id: &str, fifo: bool| {
        let props = QueueProps::new();
        Queue::new(s, id, if fifo { props.fifo() } else { props })
    };
    let f = function(&mut s, 3);
    let add = |s: &mut Stack, id: &str, fifo: bool, props: SqsSource| {
        let q = queue(s, id, fifo);
        f.add_event_source(s, EventSource::sqs(&q, props));
    };
    add(&mut s, "Zero", false, SqsSource::new().batch_size(0));
    add(
        &mut s,
        "Huge",
        false,
        SqsSource::new()
            .batch_size(10_001)
            .max_batching_window_seconds(1),
    );
    add(&mut s, "NoWindow", false, SqsSource::new().batch_size(11));
    add(
        &mut s,
        "LongWindow",
        false,
        SqsSource::new().max_batching_window_seconds(301),
    );
    add(&mut s, "FifoBatch", true, SqsSource::new().batch_size(11));
    add(
        &mut s,
        "FifoWindow",
        true,
        SqsSource::new().max_batching_window_seconds(1),
    );
    add(
        &mut s,
        "OneAtATime",
        false,
        SqsSource::new().max_concurrency(1),
    );
    add(
        &mut s,
        "Crowd",
        false,
        SqsSource::new().max_concurrency(1001),
    );
    let mut many = SqsSource::new();
    for i in 0..11 {
        many = many.filter(json!({"body": {"n": [i]}}));
    }
    add(&mut s, "Filters", false, many.filter(json!(["body"])));
    add(
        &mut s,
        "Fine",
        false,
        SqsSource::new().batch_size(10).max_concurrency(2),
    );
    // 0 s is no window, which a FIFO queue accepts
    add(
        &mut s,
        "FineFifo",
        true,
        SqsSource::new().max_batching_window_seconds(0),
    );
    let twice = queue(&mut s, "Twice", false);
    f.add_event_source(&mut s, EventSource::sqs(&twice, SqsSource::new()));
    f.add_event_source(&mut s, EventSource::sqs(&twice, SqsSource::new()));
    // two queues whose paths spell one id (Fine/Alike and FineAlike) are two sources
    let nested = Queue::new(&mut s, "Fine/Alike", QueueProps::new());
    let flat = Queue::new(&mut s, "FineAlike", QueueProps::new());
    f.add_event_source(&mut s, EventSource::sqs(&nested, SqsSource::new()));
    f.add_event_source(&mut s, EventSource::sqs(&flat, SqsSource::new()));
    let all = problems_in(ws.path(), s);
    let at = |source: &str| format!("S/Handler/SqsEventSource{source}/Resource");
    assert_contains_all(
        &all,
        &[
            &format!("{} [BatchSize]: 0 is outside Lambda's 1 to 10000", at("Zero")),
            &format!("{} [BatchSize]: 10001 is outside Lambda's 1 to 10000", at("Huge")),
            &format!("{} [MaximumBatchingWindowInSeconds]: a batch of 11 messages (over 10) needs a batching window of at least 1 s", at("NoWindow")),
            &format!("{} [MaximumBatchingWindowInSeconds]: 301 s is outside Lambda's 0 to 300 s", at("LongWindow")),
            &format!("{} [BatchSize]: 11 messages; a FIFO queue's batches hold at most 10", at("FifoBatch")),
            &format!("{} [MaximumBatchingWindowInSeconds]: Lambda has no batching window for a FIFO queue", at("FifoWindow")),
            &format!("{} [ScalingConfig]: 1 invocations is outside Lambda's 2 to 1000 invocations", at("OneAtATime")),
            &format!("{} [ScalingConfig]: 1001 invocations is outside", at("Crowd")),
            &format!("{} [FilterCriteria]: 12 filters; Lambda takes at most 10 per mapping (5 unless the quota is raised)", at("Filters")),
            &format!("{} [FilterCriteria]: the filter pattern [\"body\"] is not a JSON object", at("Filters")),
            &format!("{} [EventSourceArn]: the function already reads S/Twice/Resource: Lambda refuses a second mapping of one source to one function", at("Twice")),
        ],
    );
    assert!(!all.contains("Fine"), "{all}");
    assert_eq!(all.lines().count(), 11, "{all}");
}

#[test]
fn a_dynamodb_source_turns_the_stream_on_and_reads_it_after_the_policy() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, 3);
    let jobs = table(&mut s, keyed());
    assert!(!jobs.has_stream(&s));
    f.add_event_source(
        &mut s,
        EventSource::dynamodb(&jobs, StreamSource::new(StartingPosition::TrimHorizon)),
    );
    assert!(jobs.has_stream(&s));
    // the handle made before the stream was turned on can name it now
    let stream = jobs.stream_arn(&mut s);
    s.add_output("Stream", stream);
    let t = Template::from_stack_in(ws.path(), &s);
    let table_id = t.logical_id_of_type("AWS::DynamoDB::Table");
    t.has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({"StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}}),
    );
    let stream = json!({"Fn::GetAtt": [table_id, "StreamArn"]});
    let (id, resource) = mapping(&t);
    assert!(id.starts_with("HandlerDynamoDbEventSourceJobs"), "{id}");
    assert_eq!(
        resource,
        json!({
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": stream,
                "FunctionName": {"Ref": t.logical_id_of_type("AWS::Lambda::Function")},
                "StartingPosition": "TRIM_HORIZON"
            },
            "DependsOn": [policy_id(&t)],
            "Metadata": {"aws:cdk:path": "S/Handler/DynamoDbEventSourceJobs/Resource"}
        })
    );
    let st = statements(&t, "HandlerServiceRole");
    assert_eq!(
        st[1..],
        [
            json!({"Action": "dynamodb:ListStreams", "Effect": "Allow", "Resource": "*"}),
            json!({"Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                   "Effect": "Allow", "Resource": stream}),
        ]
    );
}

#[test]
fn a_table_s_own_stream_is_kept() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, 3);
    let jobs = table(&mut s, keyed().stream(StreamViewType::KeysOnly));
    f.add_event_source(
        &mut s,
        EventSource::dynamodb(&jobs, StreamSource::new(StartingPosition::Latest)),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    t.has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({"StreamSpecification": {"StreamViewType": "KEYS_ONLY"}}),
    );
    t.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        json!({"StartingPosition": "LATEST"}),
    );
}

#[test]
fn every_stream_option_is_written_with_the_failure_destination_s_rights() {
    let ws = workspace();
    let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let mut s = Stack::new("S");
    let f = function(&mut s, 3);
    let jobs = table(&mut s, keyed());
    let failed = Queue::new(&mut s, "Failed", QueueProps::new());
    f.add_event_source(
        &mut s,
        EventSource::dynamodb(
            &jobs,
            StreamSource::new(StartingPosition::TrimHorizon)
                .batch_size(1000)
                .max_batching_window_seconds(300)
                .bisect_batch_on_error()
                .retry_attempts(3)
                .max_record_age_seconds(3600)
                .parallelization_factor(10)
                .tumbling_window_seconds(900)
                .report_batch_item_failures()
                .filter(json!({"eventName": ["INSERT"]}))
                .on_failure(FailureDestination::queue(&failed))
                .enabled(false),
        ),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let failed_arn = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::SQS::Queue"), "Arn"]});
    let (_, resource) = mapping(&t);
    assert_eq!(
        resource["Properties"],
        json!({
            "BatchSize": 1000,
            "BisectBatchOnFunctionError": true,
            "DestinationConfig": {"OnFailure": {"Destination": failed_arn}},
            "Enabled": false,
            "EventSourceArn": {"Fn::GetAtt": [t.logical_id_of_type("AWS::DynamoDB::Table"), "StreamArn"]},
            "FilterCriteria": {"Filters": [{"Pattern": "{\"eventName\":[\"INSERT\"]}"}]},
            "FunctionName": {"Ref": t.logical_id_of_type("AWS::Lambda::Function")},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "MaximumBatchingWindowInSeconds": 300,
            "MaximumRecordAgeInSeconds": 3600,
            "MaximumRetryAttempts": 3,
            "ParallelizationFactor": 10,
            "StartingPosition": "TRIM_HORIZON",
            "TumblingWindowInSeconds": 900
        })
    );
    assert_eq!(
        statements(&t, "HandlerServiceRole").last().unwrap(),
        &json!({"Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
                "Effect": "Allow", "Resource": failed_arn})
    );

    // a topic with a customer key: publish, and the key's rights
    let mut s = Stack::new("S");
    let f = function(&mut s, 3);
    let jobs = table(&mut s, keyed());
    let alerts = Topic::new(
        &mut s,
        "Failed",
        TopicProps::new().kms_key(Some(Value::from(key))),
    );
    f.add_event_source(
        &mut s,
        EventSource::dynamodb(
            &jobs,
            StreamSource::new(StartingPosition::Latest)
                .retry_attempts(-1)
                .max_record_age_seconds(-1)
                .on_failure(FailureDestination::topic(&alerts)),
        ),
    );
    let t = Template::from_stack_in(ws.path(), &s);
    let topic = json!({"Ref": t.logical_id_of_type("AWS::SNS::Topic")});
    t.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        json!({"DestinationConfig": {"OnFailure": {"Destination": topic}},
               "MaximumRecordAgeInSeconds": -1, "MaximumRetryAttempts": -1}),
    );
    let st = statements(&t, "HandlerServiceRole");
    assert_eq!(
        st[st.len() - 2..],
        [
            json!({"Action": "sns:Publish", "Effect": "Allow", "Resource": topic}),
            json!({"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": key}),
        ]
    );
}

#[test]
fn stream_source_limits_are_reported_on_the_mapping() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = function(&mut s, 3);
    let fifo_queue = Queue::new(&mut s, "FifoQ", QueueProps::new().fifo());
    let fifo_topic = Topic::new(&mut s, "FifoT", TopicProps::new().fifo());
    let add = |s: &mut Stack, id: &str, props: StreamSource| {
        let t = Table::new(s, id, keyed());
        f.add_event_source(s, EventSource::dynamodb(&t, props));
    };
    let new = || StreamSource::new(StartingPosition::Latest);
    add(&mut s, "Batch", new().batch_size(10_001));
    add(&mut s, "Window", new().max_batching_window_seconds(301));
    add(&mut s, "Retries", new().retry_attempts(-2));
    add(&mut s, "ManyRetries", new().retry_attempts(10_001));
    add(&mut s, "Young", new().max_record_age_seconds(59));
    add(&mut s, "Old", new().max_record_age_seconds(604_801));
    add(&mut s, "Serial", new().parallelization_factor(0));
    add(&mut s, "Parallel", new().parallelization_factor(11));
    add(&mut s, "Tumbling", new().tumbling_window_seconds(901));
    add(
        &mut s,
        "ToFifoQueue",
        new().on_failure(FailureDestination::queue(&fifo_queue)),
    );
    add(
        &mut s,
        "ToFifoTopic",
        new().on_failure(FailureDestination::topic(&fifo_topic)),
    );
    add(&mut s, "Filter", new().filter(json!("INSERT")));
    add(
        &mut s,
        "Edges",
        new()
            .batch_size(1)
            .retry_attempts(10_000)
            .max_record_age_seconds(60)
            .parallelization_factor(1)
            .tumbling_window_seconds(0)
            .max_batching_window_seconds(0),
    );
    let all = problems_in(ws.path(), s);
    let at = |source: &str| format!("S/Handler/DynamoDbEventSource{source}/Resource");
    assert_contains_all(
        &all,
        &[
            &format!("{} [BatchSize]: 10001 is outside Lambda's 1 to 10000", at("Batch")),
            &format!("{} [MaximumBatchingWindowInSeconds]: 301 s is outside Lambda's 0 to 300 s", at("Window")),
            &format!("{} [MaximumRetryAttempts]: -2 is outside Lambda's -1 to 10000", at("Retries")),
            &format!("{} [MaximumRetryAttempts]: 10001 is outside Lambda's -1 to 10000", at("ManyRetries")),
            &format!("{} [MaximumRecordAgeInSeconds]: 59 s is neither -1 (no limit) nor within Lambda's 60 to 604800 s", at("Young")),
            &format!("{} [MaximumRecordAgeInSeconds]: 604801 s is neither", at("Old")),
            &format!("{} [ParallelizationFactor]: 0 is outside Lambda's 1 to 10", at("Serial")),
            &format!("{} [ParallelizationFactor]: 11 is outside Lambda's 1 to 10", at("Parallel")),
            &format!("{} [TumblingWindowInSeconds]: 901 s is outside Lambda's 0 to 900 s", at("Tumbling")),
            &format!("{} [DestinationConfig]: S/FifoQ/Resource is a FIFO queue; a stream's failed records go to a standard queue", at("ToFifoQueue")),
            &format!("{} [DestinationConfig]: S/FifoT/Resource is a FIFO topic; a stream's failed records go to a standard topic", at("ToFifoTopic")),
            &format!("{} [FilterCriteria]: the filter pattern \"INSERT\" is not a JSON object", at("Filter")),
        ],
    );
    assert!(!all.contains("Edges"), "{all}");
    assert_eq!(all.lines().count(), 12, "{all}");
}

#[test]
fn a_table_of_another_stack_gets_its_stream_turned_on_in_its_own_stack() {
    // it used to be refused ("give it TableProps::stream where it is made"): the stream is now
    // set in the table's stack by synth, as a statement of another stack's policy is
    let ws = workspace();
    let mut data = Stack::new("Data");
    let jobs = table(&mut data, keyed());
    let mut api = Stack::new("Api");
    let f = function(&mut api, 3);
    f.add_event_source(
        &mut api,
        EventSource::dynamodb(&jobs, StreamSource::new(StartingPosition::Latest)),
    );
    let mut app = App::new(ws.path());
    app.add_stack(data);
    app.add_stack(api);
    let a = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.problems()));
    let data = Template::from_json(a.stack("Data").unwrap().template.clone());
    data.has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({"StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}}),
    );
    let table_id = data.logical_id_of_type("AWS::DynamoDB::Table");
    let api_stack = a.stack("Api").unwrap();
    assert_eq!(api_stack.dependencies, ["Data"]);
    let api = Template::from_json(api_stack.template.clone());
    let (_, mapping) = mapping(&api);
    let export = a.stack("Data").unwrap().template["Outputs"]
        .as_object()
        .unwrap()
        .values()
        .find(|o| o["Value"] == json!({"Fn::GetAtt": [table_id, "StreamArn"]}))
        .expect("Data exports the stream's ARN")["Export"]["Name"]
        .clone();
    assert_eq!(
        mapping["Properties"]["EventSourceArn"],
        json!({"Fn::ImportValue": export})
    );
}

#[test]
fn a_stream_turned_on_in_the_tables_stack_is_seen_by_a_source_of_another_stack() {
    // the handle was made without a stream; the stream was turned on later, in the table's
    // own stack, with another view: the source of another stack keeps that view, and nothing
    // is reported (the handle used to remember "no stream" and report the table)
    let ws = workspace();
    let mut data = Stack::new("Data");
    let jobs = table(&mut data, keyed());
    let mut api = Stack::new("Api");
    let f = function(&mut api, 3);
    assert!(jobs.enable_stream(&mut data, StreamViewType::KeysOnly));
    f.add_event_source(
        &mut api,
        EventSource::dynamodb(&jobs, StreamSource::new(StartingPosition::Latest)),
    );
    let mut app = App::new(ws.path());
    app.add_stack(data);
    app.add_stack(api);
    let a = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.problems()));
    Template::from_json(a.stack("Data").unwrap().template.clone()).has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({"StreamSpecification": {"StreamViewType": "KEYS_ONLY"}}),
    );
}
