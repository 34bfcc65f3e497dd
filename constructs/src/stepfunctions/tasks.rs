//! Task integrations: each builds a Task state and the IAM statements its state machine's
//! role needs (least privilege: the resources are named; `*` only where AWS requires it).

use indexmap::IndexMap;

use crate::core::token::fns;
use crate::core::value::Value;
use crate::dynamodb::Table;
use crate::iam::PolicyStatement;
use crate::lambda::Function;
use crate::s3::Bucket;

use super::asl::{task, ContextPath, Retrier, States, Step};
use super::state_machine::StateMachine;

/// `arn:<partition>:states:::<integration>`, a substitution of the definition.
pub fn integration_arn(integration: &str) -> Value {
    fns::sub(format!("arn:${{AWS::Partition}}:states:::{integration}"))
}

/// The errors the standard Lambda retry covers.
pub const LAMBDA_SERVICE_ERRORS: &[&str] = &[
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
];

/// The retry the AWS CDK adds to Lambda tasks by default: the service's transient errors,
/// every 2 s, 6 attempts, backoff 2.
pub fn lambda_service_retry() -> Retrier {
    Retrier::on(LAMBDA_SERVICE_ERRORS.iter().copied())
        .interval_seconds(2)
        .max_attempts(6)
        .backoff_rate(2.0)
}

fn invoke_statement(function: &Function) -> PolicyStatement {
    PolicyStatement::allow()
        .action("lambda:InvokeFunction")
        .resource(function.arn())
        .resource(fns::sub_with(
            "${Function}:*",
            [("Function", function.arn())],
        ))
}

/// Options of [`lambda_invoke`].
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaInvoke {
    /// The payload; default: the state's whole input (`"Payload.$": "$"`).
    pub payload: Option<Value>,
    /// Add [`lambda_service_retry`] (default: true).
    pub retry_on_service_exceptions: bool,
    /// Call the function by its ARN (the legacy form), whose result is the payload alone,
    /// without the invocation's metadata (StatusCode, ExecutedVersion, ...).
    pub payload_response_only: bool,
}

impl Default for LambdaInvoke {
    fn default() -> Self {
        LambdaInvoke {
            payload: None,
            retry_on_service_exceptions: true,
            payload_response_only: false,
        }
    }
}

/// Invokes a function through the optimized integration (`arn:aws:states:::lambda:invoke`).
pub fn lambda_invoke(name: &str, function: &Function, options: LambdaInvoke) -> Step {
    let step = if options.payload_response_only {
        let s = task(name, function.arn());
        match options.payload {
            Some(p) => s.parameters(p),
            None => s,
        }
    } else {
        let mut parameters = IndexMap::new();
        parameters.insert("FunctionName".to_string(), function.arn());
        match options.payload {
            Some(p) => parameters.insert("Payload".to_string(), p),
            None => parameters.insert("Payload.$".to_string(), Value::from("$")),
        };
        task(name, integration_arn("lambda:invoke")).parameters(Value::Object(parameters))
    };
    let step = step.grant(invoke_statement(function));
    if options.retry_on_service_exceptions {
        step.retry(lambda_service_retry())
    } else {
        step
    }
}

/// The legacy form: `Resource` is the function's ARN, the input is the payload, the result
/// the function's answer. No retry is added.
pub fn lambda_function(name: &str, function: &Function) -> Step {
    task(name, function.arn()).grant(invoke_statement(function))
}

/// A DynamoDB attribute value, typed (`{"S": ...}`, `{"N.$": ...}`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    /// A string literal.
    S(String),
    /// A string from a path (or an intrinsic): `{"S.$": "$.id"}`.
    SPath(String),
    /// A number literal (DynamoDB sends numbers as strings).
    N(String),
    /// A number from a path: `{"N.$": "States.Format('{}', $.n)"}`, since DynamoDB wants the
    /// number as a string.
    NPath(String),
    Bool(bool),
    BoolPath(String),
    M(Vec<(String, Attr)>),
    L(Vec<Attr>),
    Null,
}

impl Attr {
    pub fn s(v: impl Into<String>) -> Attr {
        Attr::S(v.into())
    }
    pub fn s_path(path: impl Into<String>) -> Attr {
        Attr::SPath(path.into())
    }
    pub fn s_context(path: ContextPath) -> Attr {
        Attr::SPath(path.as_str().to_string())
    }
    pub fn n(v: impl ToString) -> Attr {
        Attr::N(v.to_string())
    }
    pub fn n_path(path: impl Into<String>) -> Attr {
        Attr::NPath(path.into())
    }

    pub fn to_value(&self) -> Value {
        let one = |k: &str, v: Value| Value::object().with(k, v);
        match self {
            Attr::S(s) => one("S", s.as_str().into()),
            Attr::SPath(p) => one("S.$", p.as_str().into()),
            Attr::N(n) => one("N", n.as_str().into()),
            Attr::NPath(p) => one(
                "N.$",
                States::format("{}", [p.as_str().into()]).to_string().into(),
            ),
            Attr::Bool(b) => one("BOOL", (*b).into()),
            Attr::BoolPath(p) => one("BOOL.$", p.as_str().into()),
            Attr::M(fields) => one("M", attrs(fields)),
            Attr::L(items) => one(
                "L",
                Value::Array(items.iter().map(Attr::to_value).collect()),
            ),
            Attr::Null => one("NULL", true.into()),
        }
    }
}

/// An item, key or value map: `{"name": {"S": ...}, ...}`.
pub fn attrs(fields: &[(String, Attr)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, a)| (k.clone(), a.to_value()))
            .collect(),
    )
}

fn item(fields: &[(&str, Attr)]) -> Vec<(String, Attr)> {
    fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Builds an attribute map from `(name, value)` pairs.
pub fn attr_map(fields: &[(&str, Attr)]) -> Vec<(String, Attr)> {
    item(fields)
}

/// The expression fields DynamoDB calls share.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expressions {
    pub condition_expression: Option<String>,
    pub expression_attribute_names: Vec<(String, String)>,
    pub expression_attribute_values: Vec<(String, Attr)>,
    /// `NONE`, `ALL_OLD`, `UPDATED_OLD`, `ALL_NEW`, `UPDATED_NEW`.
    pub return_values: Option<String>,
}

impl Expressions {
    fn apply(&self, p: &mut IndexMap<String, Value>) {
        if let Some(c) = &self.condition_expression {
            p.insert("ConditionExpression".into(), c.as_str().into());
        }
        if !self.expression_attribute_names.is_empty() {
            p.insert(
                "ExpressionAttributeNames".into(),
                Value::Object(
                    self.expression_attribute_names
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                        .collect(),
                ),
            );
        }
        if !self.expression_attribute_values.is_empty() {
            p.insert(
                "ExpressionAttributeValues".into(),
                attrs(&self.expression_attribute_values),
            );
        }
        if let Some(r) = &self.return_values {
            p.insert("ReturnValues".into(), r.as_str().into());
        }
    }
}

fn dynamo_task(
    name: &str,
    action: &str,
    table: &Table,
    parameters: IndexMap<String, Value>,
) -> Step {
    let iam_action = format!("dynamodb:{}{}", action[..1].to_uppercase(), &action[1..]);
    task(name, integration_arn(&format!("dynamodb:{action}")))
        .parameters(Value::Object(parameters))
        .grant(
            PolicyStatement::allow()
                .action(iam_action)
                .resource(table.arn()),
        )
}

fn with_table(table: &Table) -> IndexMap<String, Value> {
    let mut p = IndexMap::new();
    p.insert("TableName".to_string(), table.name());
    p
}

/// `dynamodb:putItem`.
pub fn dynamo_put_item(
    name: &str,
    table: &Table,
    item: Vec<(String, Attr)>,
    expressions: Expressions,
) -> Step {
    let mut p = with_table(table);
    p.insert("Item".into(), attrs(&item));
    expressions.apply(&mut p);
    dynamo_task(name, "putItem", table, p)
}

/// `dynamodb:getItem`; `consistent_read` is rendered when given (true or false).
pub fn dynamo_get_item(
    name: &str,
    table: &Table,
    key: Vec<(String, Attr)>,
    consistent_read: Option<bool>,
) -> Step {
    let mut p = with_table(table);
    p.insert("Key".into(), attrs(&key));
    if let Some(c) = consistent_read {
        p.insert("ConsistentRead".into(), c.into());
    }
    dynamo_task(name, "getItem", table, p)
}

/// `dynamodb:updateItem`.
pub fn dynamo_update_item(
    name: &str,
    table: &Table,
    key: Vec<(String, Attr)>,
    update_expression: &str,
    expressions: Expressions,
) -> Step {
    let mut p = with_table(table);
    p.insert("Key".into(), attrs(&key));
    p.insert("UpdateExpression".into(), update_expression.into());
    expressions.apply(&mut p);
    dynamo_task(name, "updateItem", table, p)
}

/// `dynamodb:deleteItem`.
pub fn dynamo_delete_item(
    name: &str,
    table: &Table,
    key: Vec<(String, Attr)>,
    expressions: Expressions,
) -> Step {
    let mut p = with_table(table);
    p.insert("Key".into(), attrs(&key));
    expressions.apply(&mut p);
    dynamo_task(name, "deleteItem", table, p)
}

/// Options of [`dynamo_query`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub key_condition_expression: String,
    pub index_name: Option<String>,
    pub filter_expression: Option<String>,
    pub expression_attribute_names: Vec<(String, String)>,
    pub expression_attribute_values: Vec<(String, Attr)>,
    pub limit: Option<u32>,
    pub scan_index_forward: Option<bool>,
    pub consistent_read: Option<bool>,
}

/// `Query` through the SDK integration (`aws-sdk:dynamodb:query`).
pub fn dynamo_query(name: &str, table: &Table, query: Query) -> Step {
    let mut p = with_table(table);
    p.insert(
        "KeyConditionExpression".into(),
        query.key_condition_expression.as_str().into(),
    );
    if let Some(i) = &query.index_name {
        p.insert("IndexName".into(), i.as_str().into());
    }
    if let Some(f) = &query.filter_expression {
        p.insert("FilterExpression".into(), f.as_str().into());
    }
    Expressions {
        expression_attribute_names: query.expression_attribute_names.clone(),
        expression_attribute_values: query.expression_attribute_values.clone(),
        ..Default::default()
    }
    .apply(&mut p);
    if let Some(l) = query.limit {
        p.insert("Limit".into(), l.into());
    }
    if let Some(s) = query.scan_index_forward {
        p.insert("ScanIndexForward".into(), s.into());
    }
    if let Some(c) = query.consistent_read {
        p.insert("ConsistentRead".into(), c.into());
    }
    let mut statement = PolicyStatement::allow()
        .action("dynamodb:Query")
        .resource(table.arn());
    if let Some(index) = &query.index_name {
        statement = statement.resource(fns::sub_with(
            format!("${{Table}}/index/{index}"),
            [("Table", table.arn())],
        ));
    }
    task(name, integration_arn("aws-sdk:dynamodb:query"))
        .parameters(Value::Object(p))
        .grant(statement)
}

/// How a task waits for the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntegrationPattern {
    /// Call and move on (the default).
    #[default]
    RequestResponse,
    /// `.sync:2`: wait for the child execution to end (STANDARD machines only).
    Sync,
    /// `.waitForTaskToken`: wait for `SendTaskSuccess` with `$$.Task.Token`.
    WaitForTaskToken,
}

/// Options of [`start_execution`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StartExecution {
    /// The child's input; default: this state's whole input (`"Input.$": "$"`).
    pub input: Option<Value>,
    /// The execution's name (`Name`, or `Name.$` with [`Value`] paths written by the caller).
    pub execution_name: Option<Value>,
    pub pattern: IntegrationPattern,
}

/// Starts an execution of another state machine.
pub fn start_execution(name: &str, machine: &StateMachine, options: StartExecution) -> Step {
    let suffix = match options.pattern {
        IntegrationPattern::RequestResponse => "",
        IntegrationPattern::Sync => ".sync:2",
        IntegrationPattern::WaitForTaskToken => ".waitForTaskToken",
    };
    let mut p = IndexMap::new();
    p.insert("StateMachineArn".to_string(), machine.arn());
    match options.input {
        Some(i) => p.insert("Input".into(), i),
        None => p.insert("Input.$".into(), Value::from("$")),
    };
    if let Some(n) = options.execution_name {
        p.insert("Name".into(), n);
    }
    let mut step = task(
        name,
        integration_arn(&format!("states:startExecution{suffix}")),
    )
    .parameters(Value::Object(p))
    .grant(
        PolicyStatement::allow()
            .action("states:StartExecution")
            .resource(machine.arn()),
    );
    if options.pattern == IntegrationPattern::Sync {
        step = step
            .grant(
                PolicyStatement::allow()
                    .actions(["states:DescribeExecution", "states:StopExecution"])
                    .resource(machine.executions_arn()),
            )
            .grant(
                PolicyStatement::allow()
                    .actions(["events:DescribeRule", "events:PutRule", "events:PutTargets"])
                    .resource(fns::sub(
                        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
                    )),
            );
    }
    step
}

/// An object key: literal, or from a path.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    Literal(String),
    Path(String),
}

fn s3_task(
    name: &str,
    action: &str,
    bucket: &Bucket,
    key: &ObjectKey,
    mut p: IndexMap<String, Value>,
) -> Step {
    let mut parameters = IndexMap::new();
    parameters.insert("Bucket".to_string(), bucket.name());
    let objects = match key {
        ObjectKey::Literal(k) => {
            parameters.insert("Key".into(), k.as_str().into());
            bucket.arn_for_objects(k)
        }
        ObjectKey::Path(path) => {
            parameters.insert("Key.$".into(), path.as_str().into());
            bucket.arn_for_objects("*")
        }
    };
    parameters.append(&mut p);
    let iam_action = format!("s3:{}{}", action[..1].to_uppercase(), &action[1..]);
    task(name, integration_arn(&format!("aws-sdk:s3:{action}")))
        .parameters(Value::Object(parameters))
        .grant(
            PolicyStatement::allow()
                .action(iam_action)
                .resource(objects),
        )
}

/// `aws-sdk:s3:getObject`.
pub fn s3_get_object(name: &str, bucket: &Bucket, key: ObjectKey) -> Step {
    s3_task(name, "getObject", bucket, &key, IndexMap::new())
}

/// `aws-sdk:s3:putObject` with a body (a literal, or `Body.$` from a path).
pub fn s3_put_object(name: &str, bucket: &Bucket, key: ObjectKey, body: ObjectKey) -> Step {
    let mut p = IndexMap::new();
    match body {
        ObjectKey::Literal(b) => p.insert("Body".to_string(), Value::from(b)),
        ObjectKey::Path(path) => p.insert("Body.$".to_string(), Value::from(path)),
    };
    s3_task(name, "putObject", bucket, &key, p)
}

/// Any AWS SDK call (`aws-sdk:<service>:<action>`), with the IAM statements it needs given
/// explicitly (an SDK call's rights cannot be derived).
pub fn aws_sdk(
    name: &str,
    service: &str,
    action: &str,
    parameters: impl Into<Value>,
    statements: Vec<PolicyStatement>,
) -> Step {
    let mut step = task(
        name,
        integration_arn(&format!("aws-sdk:{service}:{action}")),
    )
    .parameters(parameters);
    if statements.is_empty() {
        step = step.with_problem(format!(
            "state {name:?}: the SDK call {service}:{action} needs explicit IAM statements"
        ));
    }
    let service_ok = !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let action_ok = action
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
        && action.chars().all(|c| c.is_ascii_alphanumeric());
    if !service_ok || !action_ok {
        step = step.with_problem(format!(
            "state {name:?}: aws-sdk:{service}:{action} must name a service in lower case and an action in camelCase (aws-sdk:s3:getObject)"
        ));
    }
    for s in statements {
        step = step.grant(s);
    }
    step
}
