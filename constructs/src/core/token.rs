//! Tokens: references and intrinsic functions, resolved at synth.

use indexmap::IndexMap;

use super::value::Value;

/// Names a resource of a stack: the stack's name and the resource's construct path.
///
/// Handles returned by constructs (`Table`, `Function`, ...) carry these; nobody writes a
/// logical id by hand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceRef {
    pub(crate) stack: String,
    pub(crate) path: String,
}

impl ResourceRef {
    /// The name of the stack that holds the resource.
    pub fn stack(&self) -> &str {
        &self.stack
    }

    /// The construct path, `Stack/Construct/Resource`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `{"Ref": <logical id>}`.
    pub fn reference(&self) -> Value {
        Token::Ref(self.clone()).into()
    }

    /// `{"Fn::GetAtt": [<logical id>, attribute]}`.
    pub fn get_att(&self, attribute: &str) -> Value {
        Token::GetAtt(self.clone(), attribute.to_string()).into()
    }
}

/// The pseudo parameters CloudFormation defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pseudo {
    /// `AWS::AccountId`.
    AccountId,
    /// `AWS::NotificationARNs`.
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is the value of.
    NoValue,
    /// `AWS::Partition`.
    Partition,
    /// `AWS::Region`.
    Region,
    /// `AWS::StackId`.
    StackId,
    /// `AWS::StackName`.
    StackName,
    /// `AWS::URLSuffix`.
    UrlSuffix,
}

impl Pseudo {
    /// The parameter's name, `AWS::Partition` and so on.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }

    /// The pseudo parameter named `AWS::Partition` and so on.
    pub fn from_name(name: &str) -> Option<Pseudo> {
        Some(match name {
            "AWS::AccountId" => Pseudo::AccountId,
            "AWS::NotificationARNs" => Pseudo::NotificationArns,
            "AWS::NoValue" => Pseudo::NoValue,
            "AWS::Partition" => Pseudo::Partition,
            "AWS::Region" => Pseudo::Region,
            "AWS::StackId" => Pseudo::StackId,
            "AWS::StackName" => Pseudo::StackName,
            "AWS::URLSuffix" => Pseudo::UrlSuffix,
            _ => return None,
        })
    }

    pub(crate) fn is_pseudo_name(name: &str) -> bool {
        matches!(
            name,
            "AWS::AccountId"
                | "AWS::NotificationARNs"
                | "AWS::NoValue"
                | "AWS::Partition"
                | "AWS::Region"
                | "AWS::StackId"
                | "AWS::StackName"
                | "AWS::URLSuffix"
        )
    }
}

/// A reference or intrinsic function inside a [`Value`].
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `Ref` to a resource.
    Ref(ResourceRef),
    /// `Ref` to a parameter of a stack.
    Parameter {
        /// The stack that declares the parameter.
        stack: String,
        /// The parameter's name.
        name: String,
    },
    /// `Fn::GetAtt`.
    GetAtt(ResourceRef, String),
    /// `Fn::Sub`: the string form when `variables` is empty, the `[string, map]` form otherwise.
    Sub {
        /// The string, with `${Name}` placeholders.
        template: String,
        /// The values of its own placeholders, name by name (the map of the `[string, map]` form).
        variables: IndexMap<String, Value>,
    },
    /// `Fn::Join`.
    Join {
        /// What goes between the items.
        delimiter: String,
        /// The items joined.
        items: Vec<Value>,
    },
    /// `Fn::Select`.
    Select {
        /// The position of the item, from 0.
        index: u32,
        /// The list to pick from.
        list: Value,
    },
    /// `Fn::Split`.
    Split {
        /// What separates the parts.
        delimiter: String,
        /// The string to split.
        source: Value,
    },
    /// `Fn::ImportValue` of an export name.
    ImportValue(Value),
    /// `Ref` to a pseudo parameter.
    Pseudo(Pseudo),
    /// A value chosen at synth by the resource's state then: `then` when the resource has the
    /// dotted `property` set (not null, not an empty list or object), `otherwise` when not.
    /// What a grant names that later calls may still change (a table's indexes), so a
    /// handle never has to remember it.
    IfProperty {
        /// The resource looked at, in its own stack.
        resource: ResourceRef,
        /// The property, a dotted path (`GlobalSecondaryIndexes`).
        property: String,
        /// The value when the property is set.
        then: Value,
        /// The value when it is not.
        otherwise: Value,
    },
    /// `Fn::If`: `then` when the stack's condition holds at deploy, `otherwise` when not
    /// ([`fns::if_`]; `Aws::no_value()` as a branch leaves the property out).
    If {
        /// The condition, declared on the stack ([`crate::Stack::add_condition`]).
        condition: ConditionRef,
        /// The value when it holds.
        then: Value,
        /// The value when it does not.
        otherwise: Value,
    },
    /// `Fn::FindInMap` of a mapping of the stack ([`super::mapping::MappingRef::find`]).
    FindInMap {
        /// The mapping.
        mapping: super::mapping::MappingRef,
        /// The top-level key.
        key: Value,
        /// The attribute under it.
        attribute: Value,
    },
    /// The S3 key of a code asset, known once synth has hashed the asset's sources.
    AssetKey {
        /// The stack that registered the asset.
        stack: String,
        /// The construct path of the resource that uses the asset.
        asset: String,
    },
}

impl Token {
    /// The text of the token with what it refers to shown as `${}`: a Join's or a Sub's
    /// literal parts are kept (`arn:${AWS::Partition}:states:::lambda:invoke`).
    pub fn shape(&self) -> String {
        match self {
            Token::Join { items, delimiter } => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Token(t) => t.shape(),
                    _ => "${}".into(),
                })
                .collect::<Vec<_>>()
                .join(delimiter),
            Token::Sub { template, .. } => template.clone(),
            _ => "${}".into(),
        }
    }

    pub(crate) fn visit_children<'a>(&'a self, f: &mut dyn FnMut(&'a Token)) {
        match self {
            Token::Sub { variables, .. } => variables.values().for_each(|v| v.visit_tokens(f)),
            Token::Join { items, .. } => items.iter().for_each(|v| v.visit_tokens(f)),
            Token::Select { list: v, .. }
            | Token::Split { source: v, .. }
            | Token::ImportValue(v) => v.visit_tokens(f),
            Token::FindInMap { key, attribute, .. } => {
                key.visit_tokens(f);
                attribute.visit_tokens(f);
            }
            Token::IfProperty {
                then, otherwise, ..
            }
            | Token::If {
                then, otherwise, ..
            } => {
                then.visit_tokens(f);
                otherwise.visit_tokens(f);
            }
            _ => {}
        }
    }
}

/// The intrinsic functions, as constructors of [`Value`]s.
pub mod fns {
    use super::*;

    /// `Fn::Sub` in its string form: only pseudo parameters (`${AWS::Region}`) and the
    /// stack's parameters may be named; use [`sub_with`] for anything else.
    pub fn sub(template: impl Into<String>) -> Value {
        Token::Sub {
            template: template.into(),
            variables: IndexMap::new(),
        }
        .into()
    }

    /// `Fn::Sub` with a variable map: `sub_with("${Table}/index/*", [("Table", table.arn())])`.
    pub fn sub_with<K: Into<String>>(
        template: impl Into<String>,
        variables: impl IntoIterator<Item = (K, Value)>,
    ) -> Value {
        Token::Sub {
            template: template.into(),
            variables: variables.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        }
        .into()
    }

    /// `Fn::Join`.
    pub fn join(delimiter: impl Into<String>, items: impl IntoIterator<Item = Value>) -> Value {
        Token::Join {
            delimiter: delimiter.into(),
            items: items.into_iter().collect(),
        }
        .into()
    }

    /// `value` as a JSON string, for a property that takes JSON text: a literal string when
    /// `value` holds no token, else an `Fn::Join` of the text around each token, each token in
    /// a JSON string's place. The tokens must give strings without `"` or `\` (names, ARNs,
    /// URLs, ids), as CloudFormation leaves their values unescaped.
    pub fn to_json_string(value: &Value) -> Value {
        fn go(v: &Value, text: &mut String, parts: &mut Vec<Value>) {
            match v {
                Value::Null => text.push_str("null"),
                Value::Bool(b) => text.push_str(if *b { "true" } else { "false" }),
                Value::Number(n) => text.push_str(&n.to_string()),
                Value::String(s) => {
                    text.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()))
                }
                Value::Array(items) => {
                    text.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            text.push(',');
                        }
                        go(item, text, parts);
                    }
                    text.push(']');
                }
                Value::Object(map) => {
                    text.push('{');
                    for (i, (k, item)) in map.iter().enumerate() {
                        if i > 0 {
                            text.push(',');
                        }
                        text.push_str(&serde_json::to_string(k).unwrap_or_else(|_| "\"\"".into()));
                        text.push(':');
                        go(item, text, parts);
                    }
                    text.push('}');
                }
                Value::Token(t) => {
                    text.push('"');
                    parts.push(Value::String(std::mem::take(text)));
                    parts.push(Value::Token(t.clone()));
                    text.push('"');
                }
            }
        }
        let (mut text, mut parts) = (String::new(), Vec::new());
        go(value, &mut text, &mut parts);
        if parts.is_empty() {
            return Value::String(text);
        }
        parts.push(Value::String(text));
        parts.retain(|p| p.as_str() != Some(""));
        join("", parts)
    }

    /// `Fn::Select`.
    pub fn select(index: u32, list: impl Into<Value>) -> Value {
        Token::Select {
            index,
            list: list.into(),
        }
        .into()
    }

    /// `Fn::Split`.
    pub fn split(delimiter: impl Into<String>, source: impl Into<Value>) -> Value {
        Token::Split {
            delimiter: delimiter.into(),
            source: source.into(),
        }
        .into()
    }

    /// `then` when the resource `resource` has the dotted `property` set once the app is
    /// built (not null, not an empty list or object), `otherwise` when not: chosen at synth,
    /// whatever the order of the calls that built the app.
    pub fn if_property(
        resource: &ResourceRef,
        property: impl Into<String>,
        then: impl Into<Value>,
        otherwise: impl Into<Value>,
    ) -> Value {
        Token::IfProperty {
            resource: resource.clone(),
            property: property.into(),
            then: then.into(),
            otherwise: otherwise.into(),
        }
        .into()
    }

    /// `Fn::If`: `then` when `condition` (a condition of the stack the value is used in)
    /// holds at deploy, `otherwise` when not.
    pub fn if_(
        condition: &ConditionRef,
        then: impl Into<Value>,
        otherwise: impl Into<Value>,
    ) -> Value {
        Token::If {
            condition: condition.clone(),
            then: then.into(),
            otherwise: otherwise.into(),
        }
        .into()
    }

    /// `Fn::ImportValue` of an export made by a stack outside this app.
    pub fn import_value(export_name: impl Into<Value>) -> Value {
        Token::ImportValue(export_name.into()).into()
    }
}

/// The pseudo parameters as values: `Aws::partition()` renders `{"Ref": "AWS::Partition"}`.
pub struct Aws;

impl Aws {
    /// `AWS::Partition`.
    pub fn partition() -> Value {
        Token::Pseudo(Pseudo::Partition).into()
    }
    /// `AWS::Region`.
    pub fn region() -> Value {
        Token::Pseudo(Pseudo::Region).into()
    }
    /// `AWS::AccountId`.
    pub fn account_id() -> Value {
        Token::Pseudo(Pseudo::AccountId).into()
    }
    /// `AWS::StackName`.
    pub fn stack_name() -> Value {
        Token::Pseudo(Pseudo::StackName).into()
    }
    /// `AWS::StackId`.
    pub fn stack_id() -> Value {
        Token::Pseudo(Pseudo::StackId).into()
    }
    /// `AWS::URLSuffix`.
    pub fn url_suffix() -> Value {
        Token::Pseudo(Pseudo::UrlSuffix).into()
    }
    /// `AWS::NoValue`: as a property's value, removes the property.
    pub fn no_value() -> Value {
        Token::Pseudo(Pseudo::NoValue).into()
    }
}

/// The names a `Fn::Sub` template refers to with `${Name}` (not `${!Literal}`), in order.
pub(crate) fn sub_placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.starts_with('!') {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_placeholders_skip_escapes() {
        assert_eq!(
            sub_placeholders("arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${Obj.Attr}"),
            vec!["AWS::Partition", "Bucket", "Obj.Attr"]
        );
        assert!(sub_placeholders("no placeholders ${ unterminated").is_empty());
    }
}

/// A condition declared on a stack ([`crate::Stack::add_condition`]): what a resource's
/// `Condition`, an output's `Condition` and [`fns::if_`] name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionRef {
    pub(crate) stack: String,
    pub(crate) name: String,
}

impl ConditionRef {
    /// The condition's name in the template's `Conditions`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stack that declares it.
    pub fn stack(&self) -> &str {
        &self.stack
    }
}

/// A condition, evaluated by CloudFormation at deploy from parameters and pseudo parameters
/// (a resource's `Ref` or `Fn::GetAtt` is not allowed in one).
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `Fn::Equals`: the two values are equal.
    Equals(Value, Value),
    /// `Fn::And`: every condition holds (2 to 10 of them).
    And(Vec<Condition>),
    /// `Fn::Or`: at least one holds (2 to 10 of them).
    Or(Vec<Condition>),
    /// `Fn::Not`: the condition does not hold.
    Not(Box<Condition>),
    /// Another condition of the stack, by name (`{"Condition": "Name"}`).
    Named(ConditionRef),
}

impl Condition {
    /// `Fn::Equals`.
    pub fn equals(a: impl Into<Value>, b: impl Into<Value>) -> Condition {
        Condition::Equals(a.into(), b.into())
    }

    /// `Fn::And`.
    pub fn and(conditions: impl IntoIterator<Item = Condition>) -> Condition {
        Condition::And(conditions.into_iter().collect())
    }

    /// `Fn::Or`.
    pub fn or(conditions: impl IntoIterator<Item = Condition>) -> Condition {
        Condition::Or(conditions.into_iter().collect())
    }

    /// `Fn::Not`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(condition: Condition) -> Condition {
        Condition::Not(Box::new(condition))
    }
}

impl From<&ConditionRef> for Condition {
    fn from(c: &ConditionRef) -> Condition {
        Condition::Named(c.clone())
    }
}
