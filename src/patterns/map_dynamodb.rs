//! Pattern 004, a Map over a list read from DynamoDB (seed 004, AshuJoshi/AWSStepFunctions).
//!
//! The workflow reads one item of the table (its key from config.json's `ddb` settings),
//! takes the list in its `values` attribute, and for each element, at most
//! `stepfunc.maxConcurrency` at a time, passes it on, waits `stepfunc.waitDurationSeconds`,
//! and invokes the Rust Lambda `process-item` (which logs the item and returns it) with the
//! standard Lambda retry; the machine times out after `stepfunc.timeoutDurationSeconds`.
//! `cargo run -- load-table --json FILE` marshals a JSON list into that item, as the
//! original's loader did.
//!
//! Fixed from the original: the getItem key hard-coded the attribute name `mapstatelist`
//! while the table's partition key came from `ddb.partitionKeyName`; every place now honours
//! the setting.

use constructs::dynamodb::{Attribute, AttributeType, Billing, Table, TableProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::stepfunctions::asl::{map, pass, wait, PathValue, WaitFor};
use constructs::stepfunctions::tasks::{self, attr_map, Attr, LambdaInvoke};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::{RemovalPolicy, Stack};

use crate::config::MapDynamoDbConfig;

pub fn build(config: &MapDynamoDbConfig) -> Stack {
    let mut stack = Stack::new(&config.stack_name);
    stack.set_description("Pattern 004: a Map state over a list read from DynamoDB");
    let ddb = &config.ddb;
    let sf = &config.stepfunc;

    let table = Table::new(
        &mut stack,
        "DDB",
        TableProps::new(Attribute::new(
            &ddb.partition_key_name,
            AttributeType::String,
        ))
        .table_name(&ddb.table_name)
        .billing(Billing::Provisioned { read: 5, write: 5 })
        .removal_policy(RemovalPolicy::Destroy),
    );
    let function = Function::new(
        &mut stack,
        "Lambda",
        FunctionProps::new("process-item")
            .description("Logs the item it is given and returns it")
            .log_retention(config.log_retention_days.0),
    );

    let iteration = pass("MapPassState")
        .next(wait(
            "WaitInMap",
            WaitFor::Seconds(sf.wait_duration_seconds),
        ))
        .next(tasks::lambda_invoke(
            "LambdaInvoke",
            &function,
            LambdaInvoke::default(),
        ));
    let definition = tasks::dynamo_get_item(
        "ReadDDBTable",
        &table,
        attr_map(&[(
            ddb.partition_key_name.as_str(),
            Attr::s(&ddb.partition_key_value_field),
        )]),
        Some(false),
    )
    .output_path(PathValue::path(format!(
        "$.Item.{}.L",
        crate::load_table::LIST_ATTRIBUTE
    )))
    // the original's CDK wrote the Map in its legacy form (`Iterator`); kept, so that the
    // definition stays the original's
    .next(
        map("MapState", iteration)
            .max_concurrency(sf.max_concurrency)
            .legacy_iterator(),
    );
    let machine = StateMachine::new(
        &mut stack,
        "TestStateMachine",
        StateMachineProps::new(definition)
            .comment("Step Functions using CDK")
            .timeout_seconds(sf.timeout_duration_seconds),
    );

    stack
        .add_output("StateMachineArn", machine.arn())
        .description("Start it with any input once the table holds the list");
    stack
        .add_output("StateMachineName", machine.name())
        .description("The state machine's name");
    stack
        .add_output("TableName", table.name())
        .description("The table holding the list");
    stack
}
