//! CloudWatch: the metrics the constructs hand out (namespace, name, dimensions as their
//! services publish them), alarms on them, and what CloudWatch would refuse, reported at synth.

mod common;

use constructs::apigateway::{
    HttpMethod, Integration, MethodOptions, RestApi, RestApiProps, Stage, StageOptions,
};
use constructs::assertions::Template;
use constructs::cloudwatch::{
    Alarm, AlarmProps, ComparisonOperator, Dashboard, DashboardProps, Metric, Statistic,
    TreatMissingData, Widget,
};
use constructs::dynamodb::{Attribute, AttributeType, Operation, Table, TableProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::stepfunctions::asl::pass;
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::{fns, App, Stack};
use serde_json::{json, Value as Json};

use common::{assert_contains_all, problems, workspace};

/// An API with one method, deployed to `stage`.
fn api(s: &mut Stack, id: &str, name: Option<&str>, stage: &str) -> (RestApi, Stage) {
    let props = match name {
        Some(name) => RestApiProps::new().name(name),
        None => RestApiProps::new(),
    };
    let api = RestApi::new(s, id, props);
    api.root().add_method(
        s,
        HttpMethod::Get,
        Integration::http_proxy(HttpMethod::Get, "https://example.com/"),
        MethodOptions::new(),
    );
    let stage = api.deploy(s, StageOptions::new(stage));
    (api, stage)
}

/// The properties of the alarm whose logical id starts with `id`.
fn alarm_properties(t: &Template, id: &str) -> Json {
    let alarms = t.find_resources("AWS::CloudWatch::Alarm", json!({}));
    let (_, alarm) = alarms
        .iter()
        .find(|(logical, _)| logical.starts_with(id) && logical.len() == id.len() + 8)
        .unwrap_or_else(|| panic!("no alarm {id}: {:?}", alarms.keys()));
    alarm["Properties"].clone()
}

#[test]
fn every_construct_metric_names_what_its_service_publishes() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let machine = StateMachine::new(&mut s, "Machine", StateMachineProps::new(pass("P")));
    let function = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    let table = Table::new(
        &mut s,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let (rest, stage) = api(&mut s, "Api", None, "live");

    let metrics: Vec<(&str, Metric)> = vec![
        ("SfnFailed", machine.metric_failed()),
        ("SfnSucceeded", machine.metric_succeeded()),
        ("SfnStarted", machine.metric_started()),
        ("SfnTimedOut", machine.metric_timed_out()),
        ("SfnAborted", machine.metric_aborted()),
        ("SfnThrottled", machine.metric_throttled()),
        ("SfnTime", machine.metric_time()),
        ("FnErrors", function.metric_errors()),
        ("FnInvocations", function.metric_invocations()),
        ("FnThrottles", function.metric_throttles()),
        ("FnDuration", function.metric_duration()),
        ("FnConcurrent", function.metric_concurrent_executions()),
        (
            "DdbThrottled",
            table.metric_throttled_requests(Operation::PutItem),
        ),
        ("DdbSystem", table.metric_system_errors(Operation::Query)),
        ("DdbUser", table.metric_user_errors()),
        ("DdbRead", table.metric_consumed_read_capacity_units()),
        ("DdbWrite", table.metric_consumed_write_capacity_units()),
        ("Api5xx", rest.metric_5xx(&mut s, &stage)),
        ("Api4xx", rest.metric_4xx(&mut s, &stage)),
        ("ApiCount", rest.metric_count(&mut s, &stage)),
        ("ApiLatency", rest.metric_latency(&mut s, &stage)),
        (
            "ApiIntegrationLatency",
            rest.metric_integration_latency(&mut s, &stage),
        ),
    ];
    for (id, metric) in &metrics {
        Alarm::new(&mut s, id, AlarmProps::new(metric.clone(), 1.0));
    }
    let t = Template::from_stack_in(ws.path(), &s);
    let machine_id = t.logical_id_of_type("AWS::StepFunctions::StateMachine");
    let function_id = t.logical_id_of_type("AWS::Lambda::Function");
    let table_id = t.logical_id_of_type("AWS::DynamoDB::Table");
    let sfn = json!([{"Name": "StateMachineArn", "Value": {"Ref": machine_id}}]);
    let lambda = json!([{"Name": "FunctionName", "Value": {"Ref": function_id}}]);
    let ddb = |op: &str| json!([{"Name": "TableName", "Value": {"Ref": table_id}}, {"Name": "Operation", "Value": op}]);
    let ddb_table = json!([{"Name": "TableName", "Value": {"Ref": table_id}}]);
    let apigw = json!([{"Name": "ApiName", "Value": "S-Api"}, {"Name": "Stage", "Value": "live"}]);
    let expected: Vec<(&str, &str, &str, Json, &str)> = vec![
        (
            "SfnFailed",
            "AWS/States",
            "ExecutionsFailed",
            sfn.clone(),
            "Sum",
        ),
        (
            "SfnSucceeded",
            "AWS/States",
            "ExecutionsSucceeded",
            sfn.clone(),
            "Sum",
        ),
        (
            "SfnStarted",
            "AWS/States",
            "ExecutionsStarted",
            sfn.clone(),
            "Sum",
        ),
        (
            "SfnTimedOut",
            "AWS/States",
            "ExecutionsTimedOut",
            sfn.clone(),
            "Sum",
        ),
        (
            "SfnAborted",
            "AWS/States",
            "ExecutionsAborted",
            sfn.clone(),
            "Sum",
        ),
        (
            "SfnThrottled",
            "AWS/States",
            "ExecutionThrottled",
            sfn.clone(),
            "Sum",
        ),
        ("SfnTime", "AWS/States", "ExecutionTime", sfn, "Average"),
        ("FnErrors", "AWS/Lambda", "Errors", lambda.clone(), "Sum"),
        (
            "FnInvocations",
            "AWS/Lambda",
            "Invocations",
            lambda.clone(),
            "Sum",
        ),
        (
            "FnThrottles",
            "AWS/Lambda",
            "Throttles",
            lambda.clone(),
            "Sum",
        ),
        (
            "FnDuration",
            "AWS/Lambda",
            "Duration",
            lambda.clone(),
            "Average",
        ),
        (
            "FnConcurrent",
            "AWS/Lambda",
            "ConcurrentExecutions",
            lambda,
            "Maximum",
        ),
        (
            "DdbThrottled",
            "AWS/DynamoDB",
            "ThrottledRequests",
            ddb("PutItem"),
            "Sum",
        ),
        (
            "DdbSystem",
            "AWS/DynamoDB",
            "SystemErrors",
            ddb("Query"),
            "Sum",
        ),
        ("DdbUser", "AWS/DynamoDB", "UserErrors", Json::Null, "Sum"),
        (
            "DdbRead",
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            ddb_table.clone(),
            "Sum",
        ),
        (
            "DdbWrite",
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            ddb_table,
            "Sum",
        ),
        ("Api5xx", "AWS/ApiGateway", "5XXError", apigw.clone(), "Sum"),
        ("Api4xx", "AWS/ApiGateway", "4XXError", apigw.clone(), "Sum"),
        ("ApiCount", "AWS/ApiGateway", "Count", apigw.clone(), "Sum"),
        (
            "ApiLatency",
            "AWS/ApiGateway",
            "Latency",
            apigw.clone(),
            "Average",
        ),
        (
            "ApiIntegrationLatency",
            "AWS/ApiGateway",
            "IntegrationLatency",
            apigw,
            "Average",
        ),
    ];
    assert_eq!(expected.len(), metrics.len());
    t.resource_count_is("AWS::CloudWatch::Alarm", metrics.len());
    for (id, namespace, name, dimensions, statistic) in expected {
        let mut properties = json!({
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "EvaluationPeriods": 1,
            "MetricName": name,
            "Namespace": namespace,
            "Period": 300,
            "Statistic": statistic,
            "Threshold": 1.0
        });
        if !dimensions.is_null() {
            properties["Dimensions"] = dimensions;
        }
        assert_eq!(alarm_properties(&t, id), properties, "{id}");
    }
}

#[test]
fn the_api_name_dimension_follows_the_name_api_gateway_publishes() {
    let mut s = Stack::new("S");
    let (named, live) = api(&mut s, "Named", Some("Café orders"), "live");
    let (unnamed, beta) = api(&mut s, "Unnamed", Some("注文"), "beta");
    let metric = named.metric_count(&mut s, &live);
    assert_eq!(
        metric.dimensions,
        vec![
            ("ApiName".to_string(), "Caf orders".into()),
            ("Stage".to_string(), "live".into())
        ]
    );
    // nothing ASCII in the name: API Gateway publishes the API's id instead
    let metric = unnamed.metric_count(&mut s, &beta);
    assert_eq!(metric.dimension_value("ApiName"), Some(&unnamed.api_id()));
    // a stage of another API is reported
    named.metric_5xx(&mut s, &beta);
    assert_eq!(
        problems(s),
        "S/Named/Resource: metric 5XXError: stage beta (S/Unnamed/Stagebeta/Resource) is a stage of another API"
    );
}

#[test]
fn an_alarm_renders_every_setting() {
    let mut s = Stack::new("S");
    let machine = StateMachine::new(&mut s, "Machine", StateMachineProps::new(pass("P")));
    let topic = fns::sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:ops");
    let alarm = Alarm::new(
        &mut s,
        "SlowRuns",
        AlarmProps::new(
            machine
                .metric_time()
                .statistic(Statistic::Percentile(99.9))
                .period_seconds(60),
            30_000.5,
        )
        .comparison(ComparisonOperator::GreaterThanThreshold)
        .evaluation_periods(5)
        .datapoints_to_alarm(3)
        .treat_missing_data(TreatMissingData::NotBreaching)
        .alarm_name("machine-slow")
        .description("p99.9 of runs over 30 s in 3 of 5 minutes")
        .alarm_action(topic.clone())
        .ok_action(topic)
        .insufficient_data_action("arn:aws:sns:eu-west-1:123456789012:ops"),
    );
    s.add_output("AlarmArn", alarm.arn());
    let t = Template::from_stack(&s);
    let machine_id = t.logical_id_of_type("AWS::StepFunctions::StateMachine");
    let alarms = t.find_resources("AWS::CloudWatch::Alarm", json!({}));
    assert_eq!(alarms.len(), 1);
    let (id, resource) = alarms.iter().next().unwrap();
    let topic =
        json!({"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:ops"});
    assert_eq!(
        resource,
        &json!({
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmActions": [topic],
                "AlarmDescription": "p99.9 of runs over 30 s in 3 of 5 minutes",
                "AlarmName": "machine-slow",
                "ComparisonOperator": "GreaterThanThreshold",
                "DatapointsToAlarm": 3,
                "Dimensions": [{"Name": "StateMachineArn", "Value": {"Ref": machine_id}}],
                "EvaluationPeriods": 5,
                "ExtendedStatistic": "p99.9",
                "InsufficientDataActions": ["arn:aws:sns:eu-west-1:123456789012:ops"],
                "MetricName": "ExecutionTime",
                "Namespace": "AWS/States",
                "OKActions": [topic],
                "Period": 60,
                "Threshold": 30_000.5,
                "TreatMissingData": "notBreaching"
            },
            "Metadata": {"aws:cdk:path": "S/SlowRuns/Resource"}
        })
    );
    t.has_output("AlarmArn", json!({"Value": {"Fn::GetAtt": [id, "Arn"]}}));
}

#[test]
fn alarm_limits_are_reported_with_path_and_property() {
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let metric = || table.metric_throttled_requests(Operation::GetItem);
    let mut alarm = |id: &str, props: AlarmProps| {
        Alarm::new(&mut s, id, props);
    };
    alarm("Zero", AlarmProps::new(metric(), 1.0).evaluation_periods(0));
    alarm(
        "MoreThanN",
        AlarmProps::new(metric(), 1.0)
            .evaluation_periods(2)
            .datapoints_to_alarm(3),
    );
    alarm(
        "NoDatapoint",
        AlarmProps::new(metric(), 1.0).datapoints_to_alarm(0),
    );
    alarm(
        "OddPeriod",
        AlarmProps::new(metric().period_seconds(90), 1.0),
    );
    alarm(
        "TooLong",
        AlarmProps::new(metric(), 1.0).evaluation_periods(289),
    );
    alarm(
        "TooLongHours",
        AlarmProps::new(metric().period_seconds(3600), 1.0).evaluation_periods(169),
    );
    alarm(
        "Week",
        AlarmProps::new(metric().period_seconds(3600), 1.0).evaluation_periods(168),
    );
    alarm("NoName", AlarmProps::new(metric(), 1.0).alarm_name(""));
    alarm(
        "LongName",
        AlarmProps::new(metric(), 1.0).alarm_name("n".repeat(256)),
    );
    alarm(
        "LongText",
        AlarmProps::new(metric(), 1.0).description("d".repeat(1025)),
    );
    let mut many = AlarmProps::new(metric(), 1.0);
    for i in 0..6 {
        many = many.alarm_action(format!("arn:aws:sns:eu-west-1:123456789012:t{i}"));
    }
    alarm("ManyActions", many.ok_action("ops-topic"));
    alarm("NotANumber", AlarmProps::new(metric(), f64::NAN));
    alarm(
        "Percentile",
        AlarmProps::new(metric().statistic(Statistic::Percentile(100.5)), 1.0),
    );
    alarm("Custom", AlarmProps::new(Metric::new("", "Orders"), 1.0));
    alarm("First", AlarmProps::new(metric(), 1.0).alarm_name("ops"));
    alarm("Second", AlarmProps::new(metric(), 1.0).alarm_name("ops"));
    let all = problems(s);
    assert_contains_all(
        &all,
        &[
            "S/Zero/Resource [EvaluationPeriods]: an alarm evaluates at least 1 period",
            "S/MoreThanN/Resource [DatapointsToAlarm]: 3 datapoints to alarm, out of only 2 evaluation periods",
            "S/NoDatapoint/Resource [DatapointsToAlarm]: an alarm needs at least 1 breaching datapoint",
            "S/OddPeriod/Resource [Period]: metric ThrottledRequests has a period of 90 s; an alarm takes 10, 20, 30 or a multiple of 60",
            "S/TooLong/Resource [EvaluationPeriods]: 289 periods of 300 s evaluate 86700 s; CloudWatch allows 86400 s for periods under an hour",
            "S/TooLongHours/Resource [EvaluationPeriods]: 169 periods of 3600 s evaluate 608400 s; CloudWatch allows 604800 s",
            "S/NoName/Resource [AlarmName]: alarm name \"\" must be 1 to 255 characters long (it has 0)",
            "S/LongName/Resource [AlarmName]: alarm name",
            "(it has 256)",
            "S/LongText/Resource [AlarmDescription]: the description has 1025 characters; CloudWatch allows 1024",
            "S/ManyActions/Resource [AlarmActions]: 6 actions; CloudWatch allows 5",
            "S/ManyActions/Resource [OKActions]: action \"ops-topic\" is not an ARN of at most 1024 characters",
            "S/NotANumber/Resource [Threshold]: the threshold NaN is not a finite number",
            "S/Percentile/Resource [ExtendedStatistic]: percentile 100.5 is outside 0..=100",
            "S/Custom/Resource [Namespace]: metric namespace \"\" must be 1 to 255 characters long (it has 0)",
            "S/Second/Resource [AlarmName]: the alarm name \"ops\" is also given to S/First/Resource",
        ],
    );
    assert!(!all.contains("S/Week/"), "{all}");
    assert!(!all.contains("S/First/Resource ["), "{all}");
    assert_eq!(all.lines().count(), 15, "{all}");
}

#[test]
fn a_sub_minute_alarm_on_a_minutely_aws_metric_is_a_warning() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let function = Function::new(&mut s, "Handler", FunctionProps::new("one"));
    Alarm::new(
        &mut s,
        "Fast",
        AlarmProps::new(function.metric_errors().period_seconds(10), 1.0),
    );
    Alarm::new(
        &mut s,
        "Custom",
        AlarmProps::new(Metric::new("Shop", "Orders").period_seconds(10), 1.0),
    );
    let mut app = App::new(ws.path());
    app.add_stack(s);
    let assembly = app.synth().expect("a high-resolution period is legal");
    let warnings: Vec<String> = assembly.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["S/Fast/Resource: AWS/Lambda Errors is published once a minute: a 10 s alarm period will mostly see no data"]
    );
}

#[test]
fn dashboard_metrics_are_checked_too() {
    let mut s = Stack::new("S");
    let table = Table::new(
        &mut s,
        "Jobs",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    Dashboard::new(
        &mut s,
        "Ops",
        DashboardProps::new().row(vec![Widget::graph(
            "Throttles",
            vec![
                table
                    .metric_throttled_requests(Operation::PutItem)
                    .period_seconds(20),
                table
                    .metric_consumed_read_capacity_units()
                    .statistic(Statistic::Percentile(99.999)),
            ],
        )]),
    );
    assert_eq!(
        problems(s),
        "S/Ops/Resource [DashboardBody]: widget \"Throttles\": metric ThrottledRequests has a period of 20 s; a dashboard takes 1, 5, 10, 30 or a multiple of 60\n\
         S/Ops/Resource [DashboardBody]: widget \"Throttles\": percentile 99.999 has more than two decimals; CloudWatch accepts p0 to p100 in steps of 0.01"
    );
}
