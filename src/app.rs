//! The app rcdk synthesizes: the five patterns of `../shared/seeds/`, built from
//! `config.json` (one stack each, see `crate::patterns`).

use std::path::Path;

use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
use constructs::lambda::{Function, FunctionProps};
use constructs::{App, Stack};

use crate::config::Config;
use crate::patterns;

/// Builds the app from the configuration; `root` is where `lambdas/` is.
pub fn build(config: &Config, root: &Path) -> App {
    let mut app = App::new(root);
    app.add_stack(patterns::async_streaming::build(&config.async_streaming));
    app.add_stack(patterns::waitable::build(&config.waitable));
    app.add_stack(patterns::task_status::build(&config.task_status));
    app.add_stack(patterns::embedded_workflow::build(
        &config.embedded_workflow,
    ));
    app.add_stack(patterns::map_dynamodb::build(&config.map_dynamo_db));
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
            FunctionProps::new("process-item").env("TABLE_NAME", table.name()),
        );
        table.grant_read_write_data(&mut stack, &function);
    }
    app.add_stack(stack);
    app
}
