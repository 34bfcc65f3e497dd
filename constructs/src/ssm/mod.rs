//! Systems Manager Parameter Store: a `StringParameter` (CloudFormation makes `String`
//! parameters only; a `SecureString` belongs in a [`crate::secretsmanager::Secret`]), read
//! through `grant_read` (a function gets the name in its environment), or resolved by
//! CloudFormation at deploy through a dynamic reference.

use crate::core::error::Problem;
use crate::core::resource::{CfnResource, NameScope, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement};
use crate::l1::ssm::{parameter, CfnParameter};

/// A parameter's name is unique in its account and region.
const PARAMETER_NAME: UniqueName = UniqueName {
    property: "Name",
    kind: "SSM parameter",
    scope: NameScope::AccountAndRegion,
};

/// What `grant_read` gives (the AWS CDK's set).
pub const READ_ACTIONS: &[&str] = &[
    "ssm:DescribeParameters",
    "ssm:GetParameters",
    "ssm:GetParameter",
    "ssm:GetParameterHistory",
];

/// The longest value of a standard parameter, in bytes (Systems Manager's quota).
pub const MAX_STANDARD_VALUE: usize = 4096;
/// The longest value of an advanced parameter, in bytes.
pub const MAX_ADVANCED_VALUE: usize = 8192;

/// Settings of a [`StringParameter`]; `StringParameterProps::new(value)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct StringParameterProps {
    /// `Value`: a literal (checked against the tier's size) or a token.
    pub value: Value,
    /// `Name` (`/orders/table-name` or `orders-table`); default: one CloudFormation
    /// generates.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `AllowedPattern`: a regular expression the value must match (checked at synth for a
    /// literal value).
    pub allowed_pattern: Option<String>,
    /// An advanced parameter (`Tier: Advanced`: up to 8 KB, charged); default: standard.
    pub advanced: bool,
}

impl StringParameterProps {
    /// A standard parameter holding `value`.
    pub fn new(value: impl Into<Value>) -> Self {
        StringParameterProps {
            value: value.into(),
            name: None,
            description: None,
            allowed_pattern: None,
            advanced: false,
        }
    }
    /// `Name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    /// `AllowedPattern`.
    pub fn allowed_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.allowed_pattern = Some(pattern.into());
        self
    }
    /// An advanced parameter.
    pub fn advanced(mut self) -> Self {
        self.advanced = true;
        self
    }
}

/// An SSM `String` parameter.
///
/// # Examples
///
/// ```
/// use constructs::ssm::{StringParameter, StringParameterProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Config");
/// let props = StringParameterProps::new("https://api.example.com")
///     .name("/orders/api-url")
///     .allowed_pattern("^https://.*");
/// StringParameter::new(&mut stack, "ApiUrl", props);
///
/// Template::from_stack(&stack).has_resource_properties("AWS::SSM::Parameter", json!({
///     "Type": "String",
///     "Name": "/orders/api-url",
///     "Value": "https://api.example.com",
///     "AllowedPattern": "^https://.*",
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StringParameter {
    resource: ResourceRef,
    /// The literal name, when given.
    name: Option<String>,
}

impl StringParameter {
    /// Creates the parameter; a name, value or pattern Systems Manager refuses is reported at
    /// synth.
    pub fn new(stack: &mut Stack, id: &str, props: StringParameterProps) -> StringParameter {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(name) = &props.name {
            if let Err(problem) = check_parameter_name(name) {
                stack.add_problem(Problem::new(&path, problem).property("Name"));
            }
        }
        if let Value::String(value) = &props.value {
            let max = if props.advanced {
                MAX_ADVANCED_VALUE
            } else {
                MAX_STANDARD_VALUE
            };
            if value.is_empty() {
                stack.add_problem(Problem::new(&path, "the value is empty").property("Value"));
            } else if value.len() > max {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!(
                            "the value has {} bytes, over the {max} of a{} parameter",
                            value.len(),
                            if props.advanced { "n advanced" } else { " standard" }
                        ),
                    )
                    .property("Value")
                    .help("make the parameter advanced (StringParameterProps::advanced) for up to 8 KB, or keep the data elsewhere"),
                );
            }
            if let Some(pattern) = &props.allowed_pattern {
                match regex_lite::Regex::new(pattern) {
                    Ok(re) if !re.is_match(value) => stack.add_problem(
                        Problem::new(
                            &path,
                            format!("the value does not match its allowed pattern {pattern:?}"),
                        )
                        .property("Value"),
                    ),
                    Ok(_) => {}
                    // Systems Manager's patterns are Java's, which may use what regex-lite
                    // lacks (lookaround): say the value was not checked
                    Err(_) => stack.add_warning(
                        &path,
                        format!("the value was not checked against the allowed pattern {pattern:?}, which rcdk cannot compile"),
                    ),
                }
            }
        }
        let mut cfn = CfnParameter::new(parameter::Type::StringValue, props.value)
            .allowed_pattern(props.allowed_pattern)
            .description(props.description)
            .name(props.name.clone());
        if props.advanced {
            cfn = cfn.tier(parameter::Tier::Advanced);
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&cfn).with_unique_name(PARAMETER_NAME),
        );
        StringParameter {
            resource,
            name: props.name,
        }
    }

    /// The `AWS::SSM::Parameter` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The parameter's name (`Ref`): what a function gets in its environment.
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The parameter's ARN (`arn:<partition>:ssm:<region>:<account>:parameter/<name>`, the
    /// name's leading `/` dropped).
    pub fn arn(&self) -> Value {
        match &self.name {
            Some(name) => fns::sub(format!(
                "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{}",
                name.trim_start_matches('/')
            )),
            // a generated name (CFN-<id>-<suffix>) has no leading '/'
            None => fns::sub_with(
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${Name}",
                [("Name", self.name())],
            ),
        }
    }

    /// A dynamic reference to the value (`{{resolve:ssm:<name>}}`), resolved by CloudFormation
    /// at deploy, for a property of another resource.
    pub fn value(&self) -> Value {
        fns::join(
            "",
            [
                Value::from("{{resolve:ssm:"),
                self.name(),
                Value::from("}}"),
            ],
        )
    }

    /// `ssm:GetParameter(s)`, `GetParameterHistory` and `DescribeParameters` on the parameter.
    pub fn grant_read(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        grant(stack, grantee, READ_ACTIONS, vec![self.arn()])
    }
}

/// Systems Manager's rules for a parameter name: 1 to 1011 characters of `a-zA-Z0-9_.-/`
/// (2048 with the ARN's prefix), not starting with `aws` or `ssm` (any case, after the first
/// `/`), a hierarchy starting with `/` and at most 15 levels deep.
pub fn check_parameter_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 1011 {
        return Err(format!(
            "the parameter name has {} characters: 1 to 1011 are allowed",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')))
    {
        return Err(format!(
            "the parameter name {name:?} has {c:?}: only letters, digits, '_', '.', '-' and '/' are allowed"
        ));
    }
    let bare = name.trim_start_matches('/').to_ascii_lowercase();
    if bare.starts_with("aws") || bare.starts_with("ssm") {
        return Err(format!(
            "the parameter name {name:?} starts with aws or ssm, which Systems Manager keeps for itself"
        ));
    }
    if name.contains('/') {
        if !name.starts_with('/') {
            return Err(format!(
                "the parameter name {name:?} is a hierarchy, which must start with '/'"
            ));
        }
        if name.ends_with('/') || name.contains("//") {
            return Err(format!("the parameter name {name:?} has an empty level"));
        }
        let levels = name.matches('/').count();
        if levels > 15 {
            return Err(format!(
                "the parameter name {name:?} has {levels} levels: at most 15 are allowed"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names() {
        assert!(check_parameter_name("orders-table").is_ok());
        assert!(check_parameter_name("/orders/prod/table_name.v2").is_ok());
        assert!(check_parameter_name("").is_err());
        assert!(check_parameter_name("orders/table").is_err());
        assert!(check_parameter_name("/orders/").is_err());
        assert!(check_parameter_name("/a//b").is_err());
        assert!(check_parameter_name("/aws/thing").is_err());
        assert!(check_parameter_name("SSMthing").is_err());
        assert!(check_parameter_name("orders table").is_err());
        assert!(check_parameter_name(&"/a".repeat(16)).is_err());
        assert!(check_parameter_name(&"/a".repeat(15)).is_ok());
    }
}
