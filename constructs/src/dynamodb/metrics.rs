//! A table's metrics: namespace `AWS/DynamoDB`, dimension `TableName`, and `Operation` for
//! the metrics DynamoDB publishes per operation only.

use crate::cloudwatch::Metric;
use crate::l1::dynamodb::table::metrics;

use super::Table;

/// A DynamoDB operation on a table: the `Operation` dimension of the metrics DynamoDB
/// publishes per operation (`ThrottledRequests`, `SystemErrors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `GetItem`
    GetItem,
    /// `BatchGetItem`
    BatchGetItem,
    /// `Scan`
    Scan,
    /// `Query`
    Query,
    /// `PutItem`
    PutItem,
    /// `DeleteItem`
    DeleteItem,
    /// `UpdateItem`
    UpdateItem,
    /// `BatchWriteItem`
    BatchWriteItem,
    /// `TransactWriteItems`
    TransactWriteItems,
    /// `TransactGetItems`
    TransactGetItems,
    /// `ExecuteTransaction`
    ExecuteTransaction,
    /// `BatchExecuteStatement`
    BatchExecuteStatement,
    /// `ExecuteStatement`
    ExecuteStatement,
}

impl Operation {
    /// Every operation, for a graph of them all.
    pub const ALL: [Operation; 13] = [
        Operation::GetItem,
        Operation::BatchGetItem,
        Operation::Scan,
        Operation::Query,
        Operation::PutItem,
        Operation::DeleteItem,
        Operation::UpdateItem,
        Operation::BatchWriteItem,
        Operation::TransactWriteItems,
        Operation::TransactGetItems,
        Operation::ExecuteTransaction,
        Operation::BatchExecuteStatement,
        Operation::ExecuteStatement,
    ];

    /// The operation's name, as the dimension holds it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::GetItem => "GetItem",
            Operation::BatchGetItem => "BatchGetItem",
            Operation::Scan => "Scan",
            Operation::Query => "Query",
            Operation::PutItem => "PutItem",
            Operation::DeleteItem => "DeleteItem",
            Operation::UpdateItem => "UpdateItem",
            Operation::BatchWriteItem => "BatchWriteItem",
            Operation::TransactWriteItems => "TransactWriteItems",
            Operation::TransactGetItems => "TransactGetItems",
            Operation::ExecuteTransaction => "ExecuteTransaction",
            Operation::BatchExecuteStatement => "BatchExecuteStatement",
            Operation::ExecuteStatement => "ExecuteStatement",
        }
    }
}

impl Table {
    /// Every metric DynamoDB publishes by the table's name (`TableName`), each with its
    /// default statistic; per operation, per index and for the account: the structs of
    /// [`crate::l1::dynamodb::table::metrics`].
    pub fn metrics(&self) -> metrics::Table {
        metrics::Table::new(self.name())
    }

    fn per_operation(&self, operation: Operation) -> metrics::Operation {
        metrics::Operation::new(self.name(), operation.as_str())
    }

    /// Requests of one operation throttled for exceeding the table's or an index's
    /// throughput (`ThrottledRequests`, summed). DynamoDB publishes it per operation only.
    pub fn metric_throttled_requests(&self, operation: Operation) -> Metric {
        self.per_operation(operation).throttled_requests()
    }

    /// Requests of one operation that failed with an HTTP 500 (`SystemErrors`, summed).
    /// DynamoDB publishes it per operation only.
    pub fn metric_system_errors(&self, operation: Operation) -> Metric {
        self.per_operation(operation).system_errors()
    }

    /// Requests that failed with an HTTP 400, throttling and failed conditions aside
    /// (`UserErrors`, summed). DynamoDB publishes it for the account and region only, not
    /// per table: the metric has no dimension, and counts the errors of every table.
    pub fn metric_user_errors(&self) -> Metric {
        metrics::Account::new().user_errors()
    }

    /// Read capacity units consumed, as DynamoDB publishes them by table name
    /// (`ConsumedReadCapacityUnits`, summed).
    pub fn metric_consumed_read_capacity_units(&self) -> Metric {
        self.metrics().consumed_read_capacity_units()
    }

    /// Write capacity units consumed, as DynamoDB publishes them by table name
    /// (`ConsumedWriteCapacityUnits`, summed).
    pub fn metric_consumed_write_capacity_units(&self) -> Metric {
        self.metrics().consumed_write_capacity_units()
    }
}
