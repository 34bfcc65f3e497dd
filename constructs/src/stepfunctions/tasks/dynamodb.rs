//! DynamoDB integrations: typed attribute values, the expression fields, and putItem,
//! getItem, updateItem, deleteItem and query, each with exactly its action on the table.

use crate::core::token::fns;
use crate::core::value::Value;
use crate::dynamodb::Table;
use crate::iam::PolicyStatement;

use super::super::asl::{task, ContextPath, Input, Intrinsic, QueryLanguage, Step};
use super::integration_arn;

/// A DynamoDB attribute value, typed (`{"S": ...}`, `{"N.$": ...}`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    /// A string literal.
    S(String),
    /// A string from a path: `{"S.$": "$.id"}`.
    SPath(String),
    /// A string from a JSONata expression: `{"S": "{% ... %}"}` (JSONata states only).
    SExpr(String),
    /// A string from an intrinsic function: `{"S.$": "States.Format(...)"}` (JSONPath
    /// states only).
    SIntrinsic(Intrinsic),
    /// A number literal (DynamoDB sends numbers as strings).
    N(String),
    /// A number from a path: `{"N.$": "States.Format('{}', $.n)"}`, since DynamoDB wants the
    /// number as a string.
    NPath(String),
    /// A boolean literal: `{"BOOL": true}`.
    Bool(bool),
    /// A boolean from a path: `{"BOOL.$": "$.done"}`.
    BoolPath(String),
    /// A map of attributes: `{"M": {...}}`.
    M(Vec<(String, Attr)>),
    /// A list of attributes: `{"L": [...]}`.
    L(Vec<Attr>),
    /// A null: `{"NULL": true}`.
    Null,
}

impl Attr {
    /// A string literal.
    pub fn s(v: impl Into<String>) -> Attr {
        Attr::S(v.into())
    }
    /// A string from a path.
    pub fn s_path(path: impl Into<String>) -> Attr {
        Attr::SPath(path.into())
    }
    /// A string from the context object.
    pub fn s_context(path: ContextPath) -> Attr {
        Attr::SPath(path.as_str().to_string())
    }
    /// A string from a JSONata expression (JSONata states only).
    pub fn s_expr(expression: impl Into<String>) -> Attr {
        Attr::SExpr(expression.into())
    }
    /// A string from an intrinsic function (JSONPath states only).
    pub fn s_intrinsic(function: Intrinsic) -> Attr {
        Attr::SIntrinsic(function)
    }
    /// A number literal.
    pub fn n(v: impl ToString) -> Attr {
        Attr::N(v.to_string())
    }
    /// A number from a path.
    pub fn n_path(path: impl Into<String>) -> Attr {
        Attr::NPath(path.into())
    }

    /// The attribute as a task input: `{"S.$": "$.id"}` under JSONPath,
    /// `{"S": "{% $states.input.id %}"}` under JSONata.
    pub fn to_input(&self) -> Input {
        let one = |k: &str, v: Input| Input::object().field(k, v);
        match self {
            Attr::S(s) => one("S", s.as_str().into()),
            Attr::SPath(p) => one("S", Input::path(p.as_str())),
            Attr::SExpr(e) => one("S", Input::expr(e.as_str())),
            Attr::SIntrinsic(i) => one("S", Input::Intrinsic(i.clone())),
            Attr::N(n) => one("N", n.as_str().into()),
            Attr::NPath(p) => one("N", Input::PathAsString(p.clone())),
            Attr::Bool(b) => one("BOOL", (*b).into()),
            Attr::BoolPath(p) => one("BOOL", Input::path(p.as_str())),
            Attr::M(fields) => one("M", attrs_input(fields)),
            Attr::L(items) => one(
                "L",
                Input::Array(items.iter().map(Attr::to_input).collect()),
            ),
            Attr::Null => one("NULL", true.into()),
        }
    }

    /// The attribute as JSONPath renders it.
    pub fn to_value(&self) -> Value {
        self.to_input().render(QueryLanguage::JsonPath)
    }
}

/// An item, key or value map as a task input: `{"name": {"S": ...}, ...}`.
pub fn attrs_input(fields: &[(String, Attr)]) -> Input {
    Input::Object(
        fields
            .iter()
            .map(|(k, a)| (k.clone(), a.to_input()))
            .collect(),
    )
}

/// An item, key or value map as JSONPath renders it.
pub fn attrs(fields: &[(String, Attr)]) -> Value {
    attrs_input(fields).render(QueryLanguage::JsonPath)
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

/// `ReturnValues` of a DynamoDB write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnValues {
    /// `NONE`: the call answers with no attributes.
    None,
    /// `ALL_OLD`: the whole item as it was before the write.
    AllOld,
    /// `UPDATED_OLD`: the updated attributes as they were before the write.
    UpdatedOld,
    /// `ALL_NEW`: the whole item as it is after the write.
    AllNew,
    /// `UPDATED_NEW`: the updated attributes as they are after the write.
    UpdatedNew,
}

impl ReturnValues {
    /// The value written in the request.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnValues::None => "NONE",
            ReturnValues::AllOld => "ALL_OLD",
            ReturnValues::UpdatedOld => "UPDATED_OLD",
            ReturnValues::AllNew => "ALL_NEW",
            ReturnValues::UpdatedNew => "UPDATED_NEW",
        }
    }
}

/// The expression fields DynamoDB calls share; `Expressions::new()` then builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expressions {
    /// `ConditionExpression`: the write happens only when it holds.
    pub condition_expression: Option<String>,
    /// `ExpressionAttributeNames`: placeholder (`#s`) to attribute name.
    pub expression_attribute_names: Vec<(String, String)>,
    /// `ExpressionAttributeValues`: placeholder (`:v`) to typed value.
    pub expression_attribute_values: Vec<(String, Attr)>,
    /// `ReturnValues`: which item attributes the call answers with.
    pub return_values: Option<ReturnValues>,
}

impl Expressions {
    /// No expression: the call renders none of these fields.
    pub fn new() -> Self {
        Self::default()
    }
    /// The condition the write needs (`ConditionExpression`).
    pub fn condition_expression(mut self, expression: impl Into<String>) -> Self {
        self.condition_expression = Some(expression.into());
        self
    }
    /// The placeholders for attribute names (`ExpressionAttributeNames`), `[("#s", "Status")]`.
    pub fn expression_attribute_names<K: Into<String>, V: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.expression_attribute_names = names
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }
    /// The placeholders for values (`ExpressionAttributeValues`), as [`attr_map`] builds them.
    pub fn expression_attribute_values<K: Into<String>>(
        mut self,
        values: impl IntoIterator<Item = (K, Attr)>,
    ) -> Self {
        self.expression_attribute_values = values.into_iter().map(|(k, v)| (k.into(), v)).collect();
        self
    }
    /// Which attributes the call answers with (`ReturnValues`).
    pub fn return_values(mut self, values: ReturnValues) -> Self {
        self.return_values = Some(values);
        self
    }

    fn apply(&self, p: Input) -> Input {
        let mut p = p;
        if let Some(c) = &self.condition_expression {
            p = p.field("ConditionExpression", c.as_str());
        }
        if !self.expression_attribute_names.is_empty() {
            p = p.field(
                "ExpressionAttributeNames",
                Value::Object(
                    self.expression_attribute_names
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                        .collect(),
                ),
            );
        }
        if !self.expression_attribute_values.is_empty() {
            p = p.field(
                "ExpressionAttributeValues",
                attrs_input(&self.expression_attribute_values),
            );
        }
        if let Some(r) = self.return_values {
            p = p.field("ReturnValues", r.as_str());
        }
        p
    }
}

fn dynamo_task(name: &str, action: &str, table: &Table, input: Input) -> Step {
    let iam_action = format!("dynamodb:{}{}", action[..1].to_uppercase(), &action[1..]);
    task(name, integration_arn(&format!("dynamodb:{action}")))
        .input(input)
        .grant(
            PolicyStatement::allow()
                .action(iam_action)
                .resource(table.arn()),
        )
}

fn with_table(table: &Table) -> Input {
    Input::object().field("TableName", table.name())
}

/// `dynamodb:putItem`.
pub fn dynamo_put_item(
    name: &str,
    table: &Table,
    item: Vec<(String, Attr)>,
    expressions: Expressions,
) -> Step {
    let p = with_table(table).field("Item", attrs_input(&item));
    dynamo_task(name, "putItem", table, expressions.apply(p))
}

/// `dynamodb:getItem`; `consistent_read` is rendered when given (true or false).
pub fn dynamo_get_item(
    name: &str,
    table: &Table,
    key: Vec<(String, Attr)>,
    consistent_read: Option<bool>,
) -> Step {
    let mut p = with_table(table).field("Key", attrs_input(&key));
    if let Some(c) = consistent_read {
        p = p.field("ConsistentRead", c);
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
    let p = with_table(table)
        .field("Key", attrs_input(&key))
        .field("UpdateExpression", update_expression);
    dynamo_task(name, "updateItem", table, expressions.apply(p))
}

/// `dynamodb:deleteItem`.
pub fn dynamo_delete_item(
    name: &str,
    table: &Table,
    key: Vec<(String, Attr)>,
    expressions: Expressions,
) -> Step {
    let p = with_table(table).field("Key", attrs_input(&key));
    dynamo_task(name, "deleteItem", table, expressions.apply(p))
}

/// Options of [`dynamo_query`]; `Query::new(key_condition_expression)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `KeyConditionExpression`: which partition (and sort key range) to read.
    pub key_condition_expression: String,
    /// `IndexName`: query this index instead of the table (the grant then names it too).
    pub index_name: Option<String>,
    /// `FilterExpression`: drops items after they are read.
    pub filter_expression: Option<String>,
    /// `ExpressionAttributeNames` and `ExpressionAttributeValues`: the placeholders of the
    /// key condition and the filter (a query has no condition expression or return values).
    pub placeholders: Expressions,
    /// `Limit`: the most items read per call.
    pub limit: Option<u32>,
    /// `ScanIndexForward`, rendered when given: false reads the sort key descending.
    pub scan_index_forward: Option<bool>,
    /// `ConsistentRead`, rendered when given (true or false).
    pub consistent_read: Option<bool>,
}

impl Query {
    /// A query for the items `key_condition_expression` selects, `"Id = :id"`.
    pub fn new(key_condition_expression: impl Into<String>) -> Self {
        Query {
            key_condition_expression: key_condition_expression.into(),
            index_name: None,
            filter_expression: None,
            placeholders: Expressions::new(),
            limit: None,
            scan_index_forward: None,
            consistent_read: None,
        }
    }
    /// Queries this index (`IndexName`); the grant covers `<table>/index/<name>` too.
    pub fn index_name(mut self, name: impl Into<String>) -> Self {
        self.index_name = Some(name.into());
        self
    }
    /// Drops the items read that do not match (`FilterExpression`).
    pub fn filter_expression(mut self, expression: impl Into<String>) -> Self {
        self.filter_expression = Some(expression.into());
        self
    }
    /// The placeholders for attribute names (`ExpressionAttributeNames`), `[("#s", "Status")]`.
    pub fn expression_attribute_names<K: Into<String>, V: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.placeholders = self.placeholders.expression_attribute_names(names);
        self
    }
    /// The placeholders for values (`ExpressionAttributeValues`), as [`attr_map`] builds them.
    pub fn expression_attribute_values<K: Into<String>>(
        mut self,
        values: impl IntoIterator<Item = (K, Attr)>,
    ) -> Self {
        self.placeholders = self.placeholders.expression_attribute_values(values);
        self
    }
    /// The most items one call reads (`Limit`).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
    /// The sort key order (`ScanIndexForward`): true ascending, false descending.
    pub fn scan_index_forward(mut self, forward: bool) -> Self {
        self.scan_index_forward = Some(forward);
        self
    }
    /// Asks for a strongly consistent read, or explicitly not (`ConsistentRead`).
    pub fn consistent_read(mut self, on: bool) -> Self {
        self.consistent_read = Some(on);
        self
    }
}

/// `Query` through the SDK integration (`aws-sdk:dynamodb:query`).
pub fn dynamo_query(name: &str, table: &Table, query: Query) -> Step {
    let mut p = with_table(table).field(
        "KeyConditionExpression",
        query.key_condition_expression.as_str(),
    );
    if let Some(i) = &query.index_name {
        p = p.field("IndexName", i.as_str());
    }
    if let Some(f) = &query.filter_expression {
        p = p.field("FilterExpression", f.as_str());
    }
    p = query.placeholders.apply(p);
    if let Some(l) = query.limit {
        p = p.field("Limit", l);
    }
    if let Some(s) = query.scan_index_forward {
        p = p.field("ScanIndexForward", s);
    }
    if let Some(c) = query.consistent_read {
        p = p.field("ConsistentRead", c);
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
        .input(p)
        .grant(statement)
}
