//! Choice rules as a typed condition tree.

use serde_json::{json, Map as JsonMap, Value as Json};

/// What a comparison compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Compared as strings (`String*`).
    String,
    /// Compared as numbers (`Numeric*`).
    Numeric,
    /// Compared as booleans (`BooleanEquals`).
    Boolean,
    /// Compared as ISO 8601 timestamps (`Timestamp*`).
    Timestamp,
}

macro_rules! comparisons {
    ($( $variant:ident => $name:literal, $kind:ident, $path:expr ; )*) => {
        /// A comparison operator of a Choice rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Comparison { $( #[doc = concat!("`", $name, "`.")] $variant, )* }

        impl Comparison {
            /// Every operator.
            pub const ALL: &'static [Comparison] = &[$( Comparison::$variant, )*];

            /// The operator's field name (`NumericEquals`).
            pub fn name(self) -> &'static str {
                match self { $( Comparison::$variant => $name, )* }
            }

            /// The field name of its path form (`NumericEqualsPath`), if it has one.
            pub fn path_name(self) -> Option<&'static str> {
                match self { $( Comparison::$variant => $path, )* }
            }

            /// What the operator compares.
            pub fn kind(self) -> ValueKind {
                match self { $( Comparison::$variant => ValueKind::$kind, )* }
            }
        }
    };
}

comparisons! {
    StringEquals => "StringEquals", String, Some("StringEqualsPath");
    StringLessThan => "StringLessThan", String, Some("StringLessThanPath");
    StringGreaterThan => "StringGreaterThan", String, Some("StringGreaterThanPath");
    StringLessThanEquals => "StringLessThanEquals", String, Some("StringLessThanEqualsPath");
    StringGreaterThanEquals => "StringGreaterThanEquals", String, Some("StringGreaterThanEqualsPath");
    StringMatches => "StringMatches", String, None;
    NumericEquals => "NumericEquals", Numeric, Some("NumericEqualsPath");
    NumericLessThan => "NumericLessThan", Numeric, Some("NumericLessThanPath");
    NumericGreaterThan => "NumericGreaterThan", Numeric, Some("NumericGreaterThanPath");
    NumericLessThanEquals => "NumericLessThanEquals", Numeric, Some("NumericLessThanEqualsPath");
    NumericGreaterThanEquals => "NumericGreaterThanEquals", Numeric, Some("NumericGreaterThanEqualsPath");
    BooleanEquals => "BooleanEquals", Boolean, Some("BooleanEqualsPath");
    TimestampEquals => "TimestampEquals", Timestamp, Some("TimestampEqualsPath");
    TimestampLessThan => "TimestampLessThan", Timestamp, Some("TimestampLessThanPath");
    TimestampGreaterThan => "TimestampGreaterThan", Timestamp, Some("TimestampGreaterThanPath");
    TimestampLessThanEquals => "TimestampLessThanEquals", Timestamp, Some("TimestampLessThanEqualsPath");
    TimestampGreaterThanEquals => "TimestampGreaterThanEquals", Timestamp, Some("TimestampGreaterThanEqualsPath");
}

/// The type tests (`IsPresent: true`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsTest {
    /// `IsNull`: the value is JSON `null`.
    IsNull,
    /// `IsPresent`: the field exists.
    IsPresent,
    /// `IsNumeric`: the value is a number.
    IsNumeric,
    /// `IsString`: the value is a string.
    IsString,
    /// `IsBoolean`: the value is a boolean.
    IsBoolean,
    /// `IsTimestamp`: the value is an ISO 8601 timestamp.
    IsTimestamp,
}

impl IsTest {
    /// Every type test.
    pub const ALL: &'static [IsTest] = &[
        IsTest::IsNull,
        IsTest::IsPresent,
        IsTest::IsNumeric,
        IsTest::IsString,
        IsTest::IsBoolean,
        IsTest::IsTimestamp,
    ];

    /// The test's field name (`IsPresent`).
    pub fn name(self) -> &'static str {
        match self {
            IsTest::IsNull => "IsNull",
            IsTest::IsPresent => "IsPresent",
            IsTest::IsNumeric => "IsNumeric",
            IsTest::IsString => "IsString",
            IsTest::IsBoolean => "IsBoolean",
            IsTest::IsTimestamp => "IsTimestamp",
        }
    }
}

/// What a comparison compares the variable with.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A JSON literal, rendered under the operator's own name (`NumericEquals: 3`).
    Literal(Json),
    /// A path to the value, rendered under the operator's path form (`NumericEqualsPath: "$.n"`).
    Path(String),
}

/// A condition of a Choice rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `And`: every condition holds.
    And(Vec<Condition>),
    /// `Or`: at least one condition holds.
    Or(Vec<Condition>),
    /// `Not`: the condition does not hold.
    Not(Box<Condition>),
    /// A comparison of the value at `Variable` with a literal or a path.
    Compare {
        /// `Variable`: the path of the value compared.
        variable: String,
        /// The operator.
        op: Comparison,
        /// What the value is compared with.
        operand: Operand,
    },
    /// A type test of the value at `Variable`: `IsPresent: true` and the like.
    Is {
        /// `Variable`: the path of the value tested.
        variable: String,
        /// The test.
        test: IsTest,
        /// What the test must answer for the condition to hold.
        value: bool,
    },
    /// A JSONata condition, `{% $states.input.n > 3 %}` (the braces are added if missing).
    Jsonata(String),
}

macro_rules! builders {
    ($( $lit:ident, $path:ident => $variant:ident, $t:ty ; )*) => {
        impl Condition {
            $(
                #[doc = concat!("`", stringify!($variant), "` with a literal.")]
                pub fn $lit(variable: impl Into<String>, value: $t) -> Condition {
                    Condition::Compare {
                        variable: variable.into(),
                        op: Comparison::$variant,
                        operand: Operand::Literal(value.literal()),
                    }
                }
                #[doc = concat!("`", stringify!($variant), "Path`: compared with the value at another path.")]
                pub fn $path(variable: impl Into<String>, path: impl Into<String>) -> Condition {
                    Condition::Compare {
                        variable: variable.into(),
                        op: Comparison::$variant,
                        operand: Operand::Path(path.into()),
                    }
                }
            )*
        }
    };
}

builders! {
    string_equals, string_equals_path => StringEquals, &str;
    string_less_than, string_less_than_path => StringLessThan, &str;
    string_greater_than, string_greater_than_path => StringGreaterThan, &str;
    string_less_than_equals, string_less_than_equals_path => StringLessThanEquals, &str;
    string_greater_than_equals, string_greater_than_equals_path => StringGreaterThanEquals, &str;
    numeric_equals, numeric_equals_path => NumericEquals, f64;
    numeric_less_than, numeric_less_than_path => NumericLessThan, f64;
    numeric_greater_than, numeric_greater_than_path => NumericGreaterThan, f64;
    numeric_less_than_equals, numeric_less_than_equals_path => NumericLessThanEquals, f64;
    numeric_greater_than_equals, numeric_greater_than_equals_path => NumericGreaterThanEquals, f64;
    boolean_equals, boolean_equals_path => BooleanEquals, bool;
    timestamp_equals, timestamp_equals_path => TimestampEquals, &str;
    timestamp_less_than, timestamp_less_than_path => TimestampLessThan, &str;
    timestamp_greater_than, timestamp_greater_than_path => TimestampGreaterThan, &str;
    timestamp_less_than_equals, timestamp_less_than_equals_path => TimestampLessThanEquals, &str;
    timestamp_greater_than_equals, timestamp_greater_than_equals_path => TimestampGreaterThanEquals, &str;
}

/// A literal of a comparison: integers render without a fraction.
trait Literal {
    fn literal(self) -> Json;
}

impl Literal for &str {
    fn literal(self) -> Json {
        json!(self)
    }
}

impl Literal for f64 {
    fn literal(self) -> Json {
        number(self)
    }
}

impl Literal for bool {
    fn literal(self) -> Json {
        json!(self)
    }
}

fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

impl Condition {
    /// `StringMatches` with `*` wildcards (`\*` for a literal star).
    pub fn string_matches(variable: impl Into<String>, pattern: &str) -> Condition {
        Condition::Compare {
            variable: variable.into(),
            op: Comparison::StringMatches,
            operand: Operand::Literal(json!(pattern)),
        }
    }

    /// A numeric comparison with an integer literal (rendered without a fraction).
    pub fn numeric(variable: impl Into<String>, op: Comparison, value: f64) -> Condition {
        Condition::Compare {
            variable: variable.into(),
            op,
            operand: Operand::Literal(number(value)),
        }
    }

    /// A type test: `Is*: value`.
    pub fn is(variable: impl Into<String>, test: IsTest, value: bool) -> Condition {
        Condition::Is {
            variable: variable.into(),
            test,
            value,
        }
    }

    /// `IsPresent: true`: the field exists.
    pub fn is_present(variable: impl Into<String>) -> Condition {
        Self::is(variable, IsTest::IsPresent, true)
    }

    /// `IsNull: true`: the value is JSON `null`.
    pub fn is_null(variable: impl Into<String>) -> Condition {
        Self::is(variable, IsTest::IsNull, true)
    }

    /// `And`: every condition holds.
    pub fn and(conditions: impl IntoIterator<Item = Condition>) -> Condition {
        Condition::And(conditions.into_iter().collect())
    }

    /// `Or`: at least one condition holds.
    pub fn or(conditions: impl IntoIterator<Item = Condition>) -> Condition {
        Condition::Or(conditions.into_iter().collect())
    }

    /// `Not`: the condition does not hold.
    #[allow(clippy::should_implement_trait)]
    pub fn not(condition: Condition) -> Condition {
        Condition::Not(Box::new(condition))
    }

    /// A JSONata condition; `{% %}` is added around the expression if it is not there.
    pub fn jsonata(expression: impl Into<String>) -> Condition {
        let e = expression.into();
        let trimmed = e.trim();
        if trimmed.starts_with("{%") && trimmed.ends_with("%}") {
            Condition::Jsonata(e)
        } else {
            Condition::Jsonata(format!("{{% {trimmed} %}}"))
        }
    }

    /// The condition's fields (without `Next`).
    pub fn to_json(&self) -> JsonMap<String, Json> {
        let mut m = JsonMap::new();
        match self {
            Condition::And(cs) => {
                m.insert(
                    "And".into(),
                    Json::Array(cs.iter().map(|c| Json::Object(c.to_json())).collect()),
                );
            }
            Condition::Or(cs) => {
                m.insert(
                    "Or".into(),
                    Json::Array(cs.iter().map(|c| Json::Object(c.to_json())).collect()),
                );
            }
            Condition::Not(c) => {
                m.insert("Not".into(), Json::Object(c.to_json()));
            }
            Condition::Compare {
                variable,
                op,
                operand,
            } => {
                m.insert("Variable".into(), json!(variable));
                match operand {
                    Operand::Literal(v) => {
                        m.insert(op.name().into(), v.clone());
                    }
                    Operand::Path(p) => {
                        let key = op.path_name().unwrap_or(op.name());
                        m.insert(key.into(), json!(p));
                    }
                }
            }
            Condition::Is {
                variable,
                test,
                value,
            } => {
                m.insert("Variable".into(), json!(variable));
                m.insert(test.name().into(), json!(value));
            }
            Condition::Jsonata(e) => {
                m.insert("Condition".into(), json!(e));
            }
        }
        m
    }

    /// Parses a condition from a rule's fields; `skip` names fields that belong to the rule
    /// (`Next`, `Comment`, ...), not the condition.
    pub fn from_json(
        rule: &JsonMap<String, Json>,
        skip: &[&str],
    ) -> Result<Condition, ConditionError> {
        let fields: Vec<(&String, &Json)> = rule
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .collect();
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k.as_str() == name)
                .map(|(_, v)| *v)
        };
        let list = |v: &Json, op: &'static str| -> Result<Vec<Condition>, ConditionError> {
            let items = v.as_array().ok_or(ConditionError::NotAList(op))?;
            items
                .iter()
                .map(|i| {
                    i.as_object()
                        .ok_or(ConditionError::NotAnObject(op))
                        .and_then(|o| Condition::from_json(o, &[]))
                })
                .collect()
        };
        if let Some(v) = get("And") {
            expect_only(&fields, &["And"])?;
            return Ok(Condition::And(list(v, "And")?));
        }
        if let Some(v) = get("Or") {
            expect_only(&fields, &["Or"])?;
            return Ok(Condition::Or(list(v, "Or")?));
        }
        if let Some(v) = get("Not") {
            expect_only(&fields, &["Not"])?;
            let o = v.as_object().ok_or(ConditionError::NotOne)?;
            return Ok(Condition::Not(Box::new(Condition::from_json(o, &[])?)));
        }
        if let Some(v) = get("Condition") {
            expect_only(&fields, &["Condition"])?;
            let s = v.as_str().ok_or(ConditionError::NotJsonata)?;
            return Ok(Condition::Jsonata(s.to_string()));
        }
        let variable = get("Variable")
            .ok_or_else(|| {
                ConditionError::NoCondition(fields.iter().map(|(k, _)| k.to_string()).collect())
            })?
            .as_str()
            .ok_or(ConditionError::VariableNotText)?
            .to_string();
        let ops: Vec<&(&String, &Json)> = fields
            .iter()
            .filter(|(k, _)| k.as_str() != "Variable")
            .collect();
        let [(key, value)] = ops.as_slice() else {
            return Err(ConditionError::Comparisons {
                variable,
                found: ops.iter().map(|(k, _)| k.to_string()).collect(),
            });
        };
        for op in Comparison::ALL {
            if op.name() == key.as_str() {
                return Ok(Condition::Compare {
                    variable,
                    op: *op,
                    operand: Operand::Literal((*value).clone()),
                });
            }
            if op.path_name() == Some(key.as_str()) {
                let p = value
                    .as_str()
                    .ok_or_else(|| ConditionError::PathNotText(key.to_string()))?;
                return Ok(Condition::Compare {
                    variable,
                    op: *op,
                    operand: Operand::Path(p.to_string()),
                });
            }
        }
        for test in IsTest::ALL {
            if test.name() == key.as_str() {
                let b = value
                    .as_bool()
                    .ok_or_else(|| ConditionError::NotABoolean(key.to_string()))?;
                return Ok(Condition::Is {
                    variable,
                    test: *test,
                    value: b,
                });
            }
        }
        Err(ConditionError::UnknownOperator(key.to_string()))
    }

    /// What is wrong with the condition (literal of the wrong type, empty And/Or, ...).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Condition::And(cs) | Condition::Or(cs) => {
                if cs.is_empty() {
                    out.push("And/Or needs at least one condition".into());
                }
                cs.iter().for_each(|c| out.extend(c.problems()));
            }
            Condition::Not(c) => out.extend(c.problems()),
            Condition::Compare {
                variable,
                op,
                operand,
            } => {
                if !variable.starts_with('$') {
                    out.push(format!("Variable {variable:?} is not a path"));
                }
                match operand {
                    Operand::Literal(v) => {
                        let ok = match op.kind() {
                            ValueKind::String | ValueKind::Timestamp => v.is_string(),
                            ValueKind::Numeric => v.is_number(),
                            ValueKind::Boolean => v.is_boolean(),
                        };
                        if !ok {
                            out.push(format!(
                                "{} on {variable} compares with {v}, not a {:?} value",
                                op.name(),
                                op.kind()
                            ));
                        }
                    }
                    Operand::Path(p) => {
                        if !p.starts_with('$') {
                            out.push(format!(
                                "{} on {variable}: {p:?} is not a path",
                                op.path_name().unwrap_or("")
                            ));
                        }
                    }
                }
            }
            Condition::Is { variable, .. } => {
                if !variable.starts_with('$') {
                    out.push(format!("Variable {variable:?} is not a path"));
                }
            }
            Condition::Jsonata(e) => {
                let t = e.trim();
                if !(t.starts_with("{%") && t.ends_with("%}")) {
                    out.push(format!(
                        "JSONata condition {e:?} must be enclosed in {{% %}}"
                    ));
                }
            }
        }
        out
    }

    /// True for a JSONata condition.
    pub fn is_jsonata(&self) -> bool {
        matches!(self, Condition::Jsonata(_))
    }
}

fn expect_only(
    fields: &[(&String, &Json)],
    allowed: &[&'static str],
) -> Result<(), ConditionError> {
    for (k, _) in fields {
        if !allowed.contains(&k.as_str()) {
            return Err(ConditionError::UnexpectedField {
                field: k.to_string(),
                next_to: allowed.join("/"),
            });
        }
    }
    Ok(())
}

/// Why a choice rule's fields are not a condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConditionError {
    /// `And`/`Or` whose value is not an array.
    #[error("{0} must be an array of conditions")]
    NotAList(&'static str),
    /// `And`/`Or` holding something else than a condition object.
    #[error("{0} holds a non-object")]
    NotAnObject(&'static str),
    /// `Not` whose value is not one condition.
    #[error("Not must hold one condition")]
    NotOne,
    /// `Condition` whose value is not a string.
    #[error("Condition must be a JSONata string")]
    NotJsonata,
    /// A rule without `Variable`, `And`, `Or`, `Not` or `Condition`: the fields it has.
    #[error("a choice rule needs Variable, And, Or, Not or Condition (it has {0:?})")]
    NoCondition(Vec<String>),
    /// `Variable` that is not a string.
    #[error("Variable must be a string")]
    VariableNotText,
    /// A rule on `variable` with no comparison or more than one: those it has.
    #[error("a choice rule on {variable} needs exactly one comparison, it has {found:?}")]
    Comparisons {
        /// The rule's variable.
        variable: String,
        /// Its other fields.
        found: Vec<String>,
    },
    /// A `...Path` comparison whose operand is not a string.
    #[error("{0} must be a path string")]
    PathNotText(String),
    /// An `Is...` test whose operand is not a boolean.
    #[error("{0} must be true or false")]
    NotABoolean(String),
    /// A field that is no comparison operator.
    #[error("{0} is not a comparison operator")]
    UnknownOperator(String),
    /// A field beside `And`, `Or`, `Not` or `Condition`, which stand alone.
    #[error("unexpected field {field} next to {next_to}")]
    UnexpectedField {
        /// The field.
        field: String,
        /// What it stands beside.
        next_to: String,
    },
}
