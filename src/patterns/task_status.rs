//! Pattern 002, task status (seed 002, nickdala/aws-lambda-step-function-dynamodb).
//!
//! The Rust Lambda `start-task` takes `{"taskId": ...}`, starts the workflow with
//! `{taskId, timestamp}` (Unix seconds) under the execution name `<taskId>-<seconds>`, and
//! answers "Started step function execution id <name>!". The workflow puts the task in the
//! `Tasks` table as STARTED, waits 30 seconds, and updates its Status to Done.
//!
//! Fixed from the original: a missing or empty `taskId` started an execution named
//! `-<seconds>` with an empty key (DynamoDB then failed the execution); it is now a clear
//! error before anything starts. The function's role may only start this machine, as before.

use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::stepfunctions::asl::{wait, PathValue, WaitFor};
use constructs::stepfunctions::tasks::{self, attr_map, Attr, Expressions};
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::Stack;

use crate::config::TaskStatusConfig;

pub fn build(config: &TaskStatusConfig) -> Stack {
    let mut stack = Stack::new(&config.stack_name);
    stack.set_description("Pattern 002: a Lambda starts a workflow that tracks a task's status");

    let table = Table::new(
        &mut stack,
        "Tasks",
        TableProps::new(Attribute::new("taskId", AttributeType::String))
            .sort_key(Attribute::new("timestamp", AttributeType::Number))
            .table_name(&config.table_name)
            .removal_policy(super::removal(config.remove_data_on_destroy)),
    );
    let key = || {
        attr_map(&[
            ("taskId", Attr::s_path("$.taskId")),
            ("timestamp", Attr::n_path("$.timestamp")),
        ])
    };
    let mut item = key();
    item.push(("Status".into(), Attr::s("STARTED")));

    let definition =
        tasks::dynamo_put_item("CreateDynamoTaskItem", &table, item, Expressions::default())
            .result_path(PathValue::Null)
            .next(wait(
                "Execute long running task...wait 30 seconds",
                WaitFor::Seconds(30),
            ))
            .next(tasks::dynamo_update_item(
                "UpdateDynamoTaskItem",
                &table,
                key(),
                "SET #s = :val",
                Expressions::new()
                    .expression_attribute_names([("#s", "Status")])
                    .expression_attribute_values(attr_map(&[(":val", Attr::s("Done"))])),
            ));
    let machine = StateMachine::new(
        &mut stack,
        "StateMachine",
        StateMachineProps::new(definition),
    );

    let function = Function::new(
        &mut stack,
        "invokeStepFunction",
        FunctionProps::new("start-task")
            .function_name(&config.function_name)
            .description("Starts the task workflow for {\"taskId\": ...}")
            .timeout_seconds(10)
            .log_retention(config.log_retention_days.0)
            .env("StateMachineArn", machine.arn()),
    );
    machine.grant_start_execution(&mut stack, &function);

    stack
        .add_output("TasksTableName", table.name())
        .description("The table of tasks");
    stack
        .add_output("StateMachineArn", machine.arn())
        .description("The task workflow");
    stack
        .add_output("StartTaskFunctionName", function.name())
        .description("Invoke with {\"taskId\": \"Breakfast\"}");
    stack
}
