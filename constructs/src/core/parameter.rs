//! Template parameters: typed, their defaults checked against their constraints.

/// The type of a template parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterType {
    /// `String`.
    String,
    /// `Number`.
    Number,
    /// `List<Number>`.
    NumberList,
    /// `CommaDelimitedList`: strings separated by commas.
    CommaDelimitedList,
    /// `AWS::SSM::Parameter::Value<String>`: the value of an SSM parameter named by the value.
    SsmString,
    /// Any AWS-specific type (`AWS::EC2::KeyPair::KeyName`, ...).
    AwsSpecific(String),
}

impl ParameterType {
    /// The value written as the parameter's `Type`.
    pub fn as_str(&self) -> &str {
        match self {
            ParameterType::String => "String",
            ParameterType::Number => "Number",
            ParameterType::NumberList => "List<Number>",
            ParameterType::CommaDelimitedList => "CommaDelimitedList",
            ParameterType::SsmString => "AWS::SSM::Parameter::Value<String>",
            ParameterType::AwsSpecific(s) => s,
        }
    }
}

/// A typed template parameter; its default, when given, is checked against its constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// `Type`.
    pub kind: ParameterType,
    /// `Default`, checked at synth against the allowed values, pattern, length and range.
    pub default: Option<serde_json::Value>,
    /// `Description`.
    pub description: Option<String>,
    /// `AllowedValues`.
    pub allowed_values: Vec<serde_json::Value>,
    /// `AllowedPattern`: a regular expression a string value must match.
    pub allowed_pattern: Option<String>,
    /// `MinLength` of a string value.
    pub min_length: Option<u32>,
    /// `MaxLength` of a string value.
    pub max_length: Option<u32>,
    /// `MinValue` of a number.
    pub min_value: Option<f64>,
    /// `MaxValue` of a number.
    pub max_value: Option<f64>,
    /// `NoEcho`: the value is masked wherever CloudFormation shows it.
    pub no_echo: bool,
    /// `ConstraintDescription`: what CloudFormation says when a value breaks a constraint.
    pub constraint_description: Option<String>,
}

impl Parameter {
    /// A parameter of type `kind` with no default or constraint.
    pub fn new(kind: ParameterType) -> Self {
        Parameter {
            kind,
            default: None,
            description: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            min_length: None,
            max_length: None,
            min_value: None,
            max_value: None,
            no_echo: false,
            constraint_description: None,
        }
    }
    /// A `String` parameter.
    pub fn string() -> Self {
        Self::new(ParameterType::String)
    }
    /// A `Number` parameter.
    pub fn number() -> Self {
        Self::new(ParameterType::Number)
    }
    /// The parameter's `Default`.
    pub fn default_value(mut self, value: impl Into<serde_json::Value>) -> Self {
        self.default = Some(value.into());
        self
    }
    /// The parameter's `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// The only values the parameter accepts (`AllowedValues`).
    pub fn allowed_values<V: Into<serde_json::Value>>(
        mut self,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }
    /// The regular expression a string value must match (`AllowedPattern`).
    pub fn allowed_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.allowed_pattern = Some(pattern.into());
        self
    }
    /// The shortest and longest string value (`MinLength`, `MaxLength`).
    pub fn length(mut self, min: u32, max: u32) -> Self {
        self.min_length = Some(min);
        self.max_length = Some(max);
        self
    }
    /// The smallest and largest number (`MinValue`, `MaxValue`).
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.min_value = Some(min);
        self.max_value = Some(max);
        self
    }
    /// Masks the value wherever CloudFormation shows it (`NoEcho`).
    pub fn no_echo(mut self) -> Self {
        self.no_echo = true;
        self
    }
    /// What CloudFormation says when a value breaks a constraint (`ConstraintDescription`).
    pub fn constraint_description(mut self, text: impl Into<String>) -> Self {
        self.constraint_description = Some(text.into());
        self
    }

    /// The parameter as the template's `Parameters` section holds it.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let mut m = serde_json::Map::new();
        m.insert("Type".into(), json!(self.kind.as_str()));
        if let Some(d) = &self.default {
            m.insert("Default".into(), d.clone());
        }
        if !self.allowed_values.is_empty() {
            m.insert("AllowedValues".into(), json!(self.allowed_values));
        }
        let mut put = |key: &str, v: Option<serde_json::Value>| {
            if let Some(v) = v {
                m.insert(key.into(), v);
            }
        };
        put(
            "AllowedPattern",
            self.allowed_pattern.as_ref().map(|v| json!(v)),
        );
        put(
            "ConstraintDescription",
            self.constraint_description.as_ref().map(|v| json!(v)),
        );
        put("Description", self.description.as_ref().map(|v| json!(v)));
        put("MaxLength", self.max_length.map(|v| json!(v)));
        put("MaxValue", self.max_value.map(|v| json!(v)));
        put("MinLength", self.min_length.map(|v| json!(v)));
        put("MinValue", self.min_value.map(|v| json!(v)));
        put("NoEcho", self.no_echo.then(|| json!(true)));
        serde_json::Value::Object(m)
    }

    /// What is wrong with this parameter's constraints or default, if anything:
    /// a minimum over its maximum, a pattern that is not a regular expression, a default
    /// outside the allowed values, range, length or pattern (CloudFormation's pattern must
    /// match the whole value).
    pub(crate) fn check_default(&self) -> Option<String> {
        if let (Some(min), Some(max)) = (self.min_length, self.max_length) {
            if min > max {
                return Some(format!("MinLength {min} is over MaxLength {max}"));
            }
        }
        if let (Some(min), Some(max)) = (self.min_value, self.max_value) {
            if min > max {
                return Some(format!("MinValue {min} is over MaxValue {max}"));
            }
        }
        let pattern = match &self.allowed_pattern {
            Some(p) => match regex_lite::Regex::new(&format!("^(?:{p})$")) {
                Ok(r) => Some(r),
                Err(e) => {
                    return Some(format!(
                        "AllowedPattern {p:?} is not a regular expression: {e}"
                    ))
                }
            },
            None => None,
        };
        let default = self.default.as_ref()?;
        if let (Some(r), serde_json::Value::String(d)) = (&pattern, default) {
            if !r.is_match(d) {
                return Some(format!(
                    "default {d:?} does not match AllowedPattern {:?}",
                    self.allowed_pattern.as_deref().unwrap_or_default()
                ));
            }
        }
        if !self.allowed_values.is_empty() && !self.allowed_values.contains(default) {
            return Some(format!(
                "default {default} is not one of the allowed values {}",
                serde_json::Value::Array(self.allowed_values.clone())
            ));
        }
        match (&self.kind, default) {
            (ParameterType::Number, serde_json::Value::Number(n)) => {
                let n = n.as_f64().unwrap_or(f64::NAN);
                if self.min_value.is_some_and(|min| n < min)
                    || self.max_value.is_some_and(|max| n > max)
                {
                    return Some(format!(
                        "default {n} is outside the range {:?}..={:?}",
                        self.min_value, self.max_value
                    ));
                }
            }
            (ParameterType::Number, other) => {
                return Some(format!(
                    "default {other} of a Number parameter is not a number"
                ));
            }
            (_, serde_json::Value::String(s)) => {
                let len = s.chars().count() as u32;
                if self.min_length.is_some_and(|m| len < m)
                    || self.max_length.is_some_and(|m| len > m)
                {
                    return Some(format!(
                        "default \"{s}\" has {len} characters, outside {:?}..={:?}",
                        self.min_length, self.max_length
                    ));
                }
            }
            _ => {}
        }
        None
    }
}
