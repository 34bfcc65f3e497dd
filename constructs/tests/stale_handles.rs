//! No stale handle: what a handle's calls produce does not depend on the order of the calls
//! that build the app, nor on which clone of the handle makes them. A table's grants name its
//! indexes as the template has them when rendered; its indexes, key attributes and stream are
//! read from its stack; a topic numbers its subscriptions and a rule its targets (and finds its
//! role) from the stack, not from a counter of one handle.

mod common;

use common::{assert_contains_all, statements};

use constructs::assertions::Template;
use constructs::dynamodb::{
    Attribute, AttributeType, GlobalIndexProps, StreamViewType, Table, TableProps,
};
use constructs::events::{EventPattern, Rule, RuleProps, Target};
use constructs::iam::{Principal, Role, RoleProps};
use constructs::sns::{Subscriber, SubscriptionProps, Topic, TopicProps};
use constructs::{App, Stack};
use serde_json::{json, Value as Json};

fn table(s: &mut Stack) -> Table {
    Table::new(
        s,
        "Orders",
        TableProps::new(Attribute::new("id", AttributeType::String)),
    )
}

fn by_day() -> GlobalIndexProps {
    GlobalIndexProps::new("byDay", Attribute::new("day", AttributeType::String))
}

fn role(s: &mut Stack, id: &str) -> Role {
    Role::new(
        s,
        id,
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    )
}

fn read_statement(resource: Json) -> Json {
    json!({
        "Action": ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
                   "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
        "Effect": "Allow",
        "Resource": resource
    })
}

/// The table's ARN and the resources a data grant on it must name once it has an index.
fn with_indexes(t: &Template) -> (Json, Json) {
    let arn = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::DynamoDB::Table"), "Arn"]});
    let both = json!([arn, {"Fn::Sub": ["${Table}/index/*", {"Table": arn}]}]);
    (arn, both)
}

#[test]
fn a_grant_made_before_the_index_covers_the_index() {
    let mut s = Stack::new("S");
    let orders = table(&mut s);
    let reader = role(&mut s, "Reader");
    orders.grant_read_data(&mut s, &reader);
    orders.add_global_secondary_index(&mut s, by_day());
    let t = Template::from_stack(&s);
    let (_, both) = with_indexes(&t);
    assert_eq!(statements(&t, "Reader"), vec![read_statement(both)]);
}

#[test]
fn a_grant_made_after_the_index_covers_the_index() {
    let mut s = Stack::new("S");
    let orders = table(&mut s);
    let reader = role(&mut s, "Reader");
    orders.add_global_secondary_index(&mut s, by_day());
    orders.grant_read_data(&mut s, &reader);
    let t = Template::from_stack(&s);
    let (_, both) = with_indexes(&t);
    assert_eq!(statements(&t, "Reader"), vec![read_statement(both)]);
}

#[test]
fn a_grant_through_a_clone_made_before_the_index_covers_the_index() {
    let mut s = Stack::new("S");
    let orders = table(&mut s);
    let copy = orders.clone();
    let reader = role(&mut s, "Reader");
    let writer = role(&mut s, "Writer");
    orders.add_global_secondary_index(&mut s, by_day());
    copy.grant_read_data(&mut s, &reader);
    copy.grant_write_data(&mut s, &writer);
    let t = Template::from_stack(&s);
    let (_, both) = with_indexes(&t);
    assert_eq!(statements(&t, "Reader"), vec![read_statement(both.clone())]);
    assert_eq!(statements(&t, "Writer")[0]["Resource"], both);
}

#[test]
fn a_grant_from_another_stack_made_before_the_index_covers_the_index() {
    let mut data = Stack::new("Data");
    let mut api = Stack::new("Api");
    let orders = table(&mut data);
    let reader = role(&mut api, "Reader");
    orders.grant_read_data(&mut api, &reader);
    orders.add_global_secondary_index(&mut data, by_day());
    let mut app = App::new(".");
    app.add_stack(data);
    app.add_stack(api);
    let t = Template::from_app(&app, "Api");
    let resource = &statements(&t, "Reader")[0]["Resource"];
    let imported = resource.as_array().expect("the table and its indexes");
    assert_eq!(imported.len(), 2, "{resource}");
    assert!(imported[0].get("Fn::ImportValue").is_some(), "{resource}");
    assert_eq!(imported[1]["Fn::Sub"][0], "${Table}/index/*", "{resource}");
}

#[test]
fn a_table_without_index_is_granted_alone() {
    let mut s = Stack::new("S");
    let orders = table(&mut s);
    let reader = role(&mut s, "Reader");
    orders.clone().grant_read_data(&mut s, &reader);
    let t = Template::from_stack(&s);
    let (arn, _) = with_indexes(&t);
    assert_eq!(statements(&t, "Reader"), vec![read_statement(arn)]);
}

#[test]
fn indexes_added_through_two_clones_keep_every_key_attribute() {
    let mut s = Stack::new("S");
    let orders = table(&mut s);
    let copy = orders.clone();
    orders.add_global_secondary_index(&mut s, by_day());
    // the copy used to define the attributes it knew, dropping `day`, which byDay keys on:
    // a template CloudFormation refuses
    copy.add_global_secondary_index(
        &mut s,
        GlobalIndexProps::new(
            "byCustomer",
            Attribute::new("customer", AttributeType::Number),
        ),
    );
    let t = Template::from_stack(&s);
    t.has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({
            "AttributeDefinitions": [
                {"AttributeName": "id", "AttributeType": "S"},
                {"AttributeName": "day", "AttributeType": "S"},
                {"AttributeName": "customer", "AttributeType": "N"}
            ]
        }),
    );
    let table = t.find_resources("AWS::DynamoDB::Table", json!({}));
    let indexes = &table.values().next().unwrap()["Properties"]["GlobalSecondaryIndexes"];
    assert_eq!(indexes.as_array().map(Vec::len), Some(2), "{indexes}");
}

#[test]
fn a_clone_sees_the_key_types_another_handle_declared() {
    let mut s = Stack::new("S");
    let orders = table(&mut s);
    let copy = orders.clone();
    orders.add_global_secondary_index(&mut s, by_day());
    copy.add_global_secondary_index(
        &mut s,
        GlobalIndexProps::new("byDayAgain", Attribute::new("day", AttributeType::Number)),
    );
    assert_contains_all(
        &common::problems(s),
        &["S/Orders/Resource [AttributeDefinitions]: index byDayAgain declares attribute day as Number, but the table declares it as String"],
    );
}

#[test]
fn an_index_added_with_another_stack_is_reported_not_dropped() {
    let mut data = Stack::new("Data");
    let mut other = Stack::new("Other");
    let orders = table(&mut data);
    orders.add_global_secondary_index(&mut other, by_day());
    let mut app = App::new(".");
    app.add_stack(data);
    app.add_stack(other);
    let e = app.synth().expect_err("the index would be lost");
    let all: Vec<String> = e.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        all,
        ["Data/Orders/Resource [GlobalSecondaryIndexes]: index byDay is added with stack Other, but the table is in stack Data"]
    );
}

#[test]
fn the_stream_may_be_turned_on_after_its_arn_is_used() {
    let mut s = Stack::new("S");
    let orders = table(&mut s);
    let reader = role(&mut s, "Reader");
    // the grant comes first; the stream, later, through a clone
    orders.grant_stream_read(&mut s, &reader);
    assert!(orders
        .clone()
        .enable_stream(&mut s, StreamViewType::NewImage));
    let t = Template::from_stack(&s);
    let table_id = t.logical_id_of_type("AWS::DynamoDB::Table");
    t.has_resource_properties(
        "AWS::DynamoDB::Table",
        json!({"StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}),
    );
    assert_eq!(
        statements(&t, "Reader")[1]["Resource"],
        json!({"Fn::GetAtt": [table_id, "StreamArn"]})
    );
}

#[test]
fn a_stream_arn_of_a_table_that_never_gets_a_stream_is_reported() {
    let mut s = Stack::new("S");
    let orders = table(&mut s);
    let reader = role(&mut s, "Reader");
    orders.grant_stream_read(&mut s, &reader);
    let all = common::problems(s);
    assert_eq!(
        all,
        "S/Orders/Resource [StreamSpecification]: the table's stream ARN is used, but the table has no stream"
    );
}

#[test]
fn subscriptions_through_clones_of_a_topic_are_numbered_on() {
    let mut s = Stack::new("S");
    let topic = Topic::new(&mut s, "Events", TopicProps::new());
    let copy = topic.clone();
    let email = |a: &str| Subscriber::Email(a.into());
    let first = topic.subscribe(&mut s, email("a@example.com"), SubscriptionProps::new());
    // the copy's counter used to start again at 1: "already a construct at this path"
    let second = copy.subscribe(&mut s, email("b@example.com"), SubscriptionProps::new());
    assert_eq!(first.path(), "S/Events/Subscription1/Resource");
    assert_eq!(second.path(), "S/Events/Subscription2/Resource");
    Template::from_stack(&s).resource_count_is("AWS::SNS::Subscription", 2);
}

#[test]
fn targets_through_clones_of_a_rule_are_counted_on_and_share_one_role() {
    let mut s = Stack::new("S");
    let rule = Rule::new(
        &mut s,
        "Orders",
        RuleProps::new().event_pattern(EventPattern::new().source(["shop"])),
    );
    let copy = rule.clone();
    let bus = |name: &str| constructs::events::EventBus::from_name(name);
    rule.add_target(&mut s, Target::event_bus(&bus("archive")));
    // the copy used to count from 0 again (two "Target0") and make a second role
    copy.add_target(&mut s, Target::event_bus(&bus("audit")));
    assert_eq!(rule.target_ids(&s), ["Target0", "Target1"]);
    assert_eq!(copy.target_ids(&s), ["Target0", "Target1"]);
    assert_eq!(rule.role(&s), copy.role(&s));
    let t = Template::from_stack(&s);
    t.resource_count_is("AWS::IAM::Role", 1);
    let rules = t.find_resources("AWS::Events::Rule", json!({}));
    let targets = &rules.values().next().unwrap()["Properties"]["Targets"];
    let role_arn = json!({"Fn::GetAtt": [t.logical_id_of_type("AWS::IAM::Role"), "Arn"]});
    assert_eq!(targets[0]["RoleArn"], role_arn);
    assert_eq!(targets[1]["RoleArn"], role_arn);
    assert_eq!(statements(&t, "OrdersEventsRole").len(), 2);
}

#[test]
fn a_target_added_with_another_stack_is_reported_not_dropped() {
    let mut s = Stack::new("S");
    let mut other = Stack::new("Other");
    let rule = Rule::new(
        &mut s,
        "Orders",
        RuleProps::new().event_pattern(EventPattern::new().source(["shop"])),
    );
    rule.add_target(
        &mut other,
        Target::event_bus(&constructs::events::EventBus::from_name("archive")),
    );
    let mut app = App::new(".");
    app.add_stack(s);
    app.add_stack(other);
    let e = app.synth().expect_err("the target would be lost");
    let all: Vec<String> = e.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        all,
        ["S/Orders/Resource [Targets]: a target is added with stack Other, but the rule is in stack S"]
    );
}

#[test]
fn a_method_added_after_the_api_was_deployed_is_reported() {
    use constructs::apigateway::{
        HttpMethod, Integration, IntegrationOptions, MethodOptions, RestApi, RestApiProps,
        StageOptions,
    };
    let mut s = Stack::new("S");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    let root = api.root();
    root.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::mock(IntegrationOptions::new()),
        MethodOptions::new(),
    );
    api.clone().deploy(&mut s, StageOptions::new("dev"));
    // the deployment's hash and dependencies were taken without it: the stage would not
    // serve it (the README used to say this was reported; nothing reported it)
    let status = root.clone().add_resource(&mut s, "status");
    status.add_method(
        &mut s,
        HttpMethod::Get,
        Integration::mock(IntegrationOptions::new()),
        MethodOptions::new(),
    );
    let all = common::problems(s);
    assert_contains_all(
        &all,
        &[
            "S/Api/Default/status/Resource: a resource is added to the API S/Api/Resource after it was deployed (RestApi::deploy)",
            "S/Api/Default/status/GET/Resource: a method is added to the API S/Api/Resource after it was deployed",
        ],
    );
    assert_eq!(all.lines().count(), 2, "{all}");
}
