//! An app with nested stacks: `Shop` holds a table and a parameter, and two nested stacks,
//! `Shop-Queues` (a queue; SSM parameters holding the parent's table name and parameter) and
//! `Shop-Workers` (a role granted the parent's table and its sibling's queue); `Shop` outputs
//! values of both, and the top-level stack `Reader` imports the queue's URL. No Lambda, so
//! that it deploys on moto without a build. Shared by the construct tests
//! (`constructs/tests/nested_stacks.rs`), the cfn-lint test and the moto test.

use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::iam::{Principal, Role, RoleProps};
use constructs::sqs::{Queue, QueueProps};
use constructs::ssm::{StringParameter, StringParameterProps};
use constructs::{App, Parameter, RemovalPolicy, Stack};

/// The app: `Shop` (with `Shop-Queues` and `Shop-Workers` nested) and `Reader`.
#[allow(dead_code)] // the moto test uses app_with only
pub fn app(root: &std::path::Path) -> App {
    app_with(root, false)
}

/// The app, with a second queue `Extra` in `Shop-Queues` when `extra` (an update that
/// changes a nested stack only).
pub fn app_with(root: &std::path::Path, extra: bool) -> App {
    let mut shop = Stack::new("Shop");
    let stage = shop.add_parameter("Stage", Parameter::string().default_value("dev"));
    let orders = Table::new(
        &mut shop,
        "Orders",
        TableProps::new(Attribute::new("id", AttributeType::String))
            .removal_policy(RemovalPolicy::Destroy),
    );

    let mut queues = Stack::nested(&mut shop, "Queues");
    let jobs = Queue::new(&mut queues, "Jobs", QueueProps::new());
    if extra {
        Queue::new(&mut queues, "Extra", QueueProps::new());
    }
    // the parent's values, passed in as parameters
    StringParameter::new(
        &mut queues,
        "OrdersTable",
        StringParameterProps::new(orders.name()).name("/shop/orders-table"),
    );
    StringParameter::new(
        &mut queues,
        "StageName",
        StringParameterProps::new(stage).name("/shop/stage"),
    );

    let mut workers = Stack::nested(&mut shop, "Workers");
    let worker = Role::new(
        &mut workers,
        "Worker",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    );
    // the parent's table and the sibling's queue in a nested stack's policy
    orders.grant_read_data(&mut workers, &worker);
    jobs.grant_consume_messages(&mut workers, &worker);

    // the parent reads its nested stacks' values through their outputs
    shop.add_output("JobsQueueUrl", jobs.url());
    shop.add_output("WorkerRoleArn", worker.arn());

    // another top-level stack imports a nested stack's value
    let mut reader = Stack::new("Reader");
    StringParameter::new(
        &mut reader,
        "JobsUrl",
        StringParameterProps::new(jobs.url()).name("/reader/jobs-url"),
    );

    let mut app = App::new(root);
    app.add_stack(shop);
    app.add_stack(queues);
    app.add_stack(workers);
    app.add_stack(reader);
    app
}
