//! Custom resources: what CloudFormation has no type for, made by a Lambda handler of the
//! app's workspace.
//!
//! A [`Provider`] is the handler's function (a crate of the workspace, built by cargo-lambda
//! like every function; write it with the `rcdk-custom-resource` crate, which answers
//! CloudFormation whatever the handler does). A [`CustomResource`] is one resource the
//! provider makes: a `Custom::Name` resource whose `ServiceToken` is the function, with the
//! properties the handler reads and the attributes it returns (`Fn::GetAtt`).
//!
//! Each custom resource gets a `ServiceTimeout` of the function's timeout plus 60 s
//! (CloudFormation's default is an hour): a handler that dies without answering fails the
//! stack in minutes.

mod aws_call;
pub use aws_call::{
    AwsCall, AwsCallProps, PhysicalId, SdkCall, Service, AWS_CALL_CRATE, AWS_CALL_TYPE, SERVICES,
};

use indexmap::IndexMap;

use crate::core::error::Problem;
use crate::core::resource::{CfnResource, RemovalPolicy};
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;
use crate::lambda::{Function, FunctionProps};

/// The most seconds CloudFormation waits for a custom resource's answer (`ServiceTimeout`).
pub const MAX_SERVICE_TIMEOUT_SECONDS: u32 = 3600;
/// What [`Provider`] adds to the function's timeout to make the resources' `ServiceTimeout`.
pub const SERVICE_TIMEOUT_MARGIN_SECONDS: u32 = 60;

/// The function that makes, changes and deletes custom resources.
///
/// # Examples
///
/// ```
/// use constructs::custom_resources::{CustomResource, CustomResourceProps, Provider};
/// use constructs::lambda::FunctionProps;
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
/// # // a cargo workspace with the package `seed-handler`, the app's root
/// # let workspace = tempfile::tempdir().unwrap();
/// # for (file, text) in [
/// #     ("Cargo.toml", "[workspace]\nmembers = [\"seed-handler\"]\nresolver = \"2\"\n"),
/// #     ("seed-handler/Cargo.toml", "[package]\nname = \"seed-handler\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
/// #     ("seed-handler/src/main.rs", "fn main() {}\n"),
/// # ] {
/// #     let path = workspace.path().join(file);
/// #     std::fs::create_dir_all(path.parent().unwrap()).unwrap();
/// #     std::fs::write(path, text).unwrap();
/// # }
/// # std::env::set_current_dir(workspace.path()).unwrap();
///
/// let mut stack = Stack::new("Orders");
/// let handler = FunctionProps::new("seed-handler").timeout_seconds(120);
/// let provider = Provider::new(&mut stack, "Seeder", handler);
/// CustomResource::new(&mut stack, "Seed", &provider, CustomResourceProps::new("Custom::Seed"));
///
/// let template = Template::from_stack(&stack);
/// let function_id = template.logical_id_of_type("AWS::Lambda::Function");
/// template.has_resource_properties("Custom::Seed", json!({
///     "ServiceToken": {"Fn::GetAtt": [function_id, "Arn"]},
///     // CloudFormation waits the handler's timeout and a minute, not its default hour
///     "ServiceTimeout": 180,
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    function: Function,
}

impl Provider {
    /// The provider whose handler is the function `props` describes (give it the timeout the
    /// work needs: the default 3 s rarely is).
    pub fn new(stack: &mut Stack, id: &str, props: FunctionProps) -> Provider {
        Provider {
            function: Function::new(stack, id, props),
        }
    }

    /// One provider per stack for `id`: made by `props` the first time, the same one after.
    pub fn singleton(
        stack: &mut Stack,
        id: &str,
        props: impl FnOnce() -> FunctionProps,
    ) -> Provider {
        if let Some(function) = stack.singleton_functions.get(id) {
            return Provider {
                function: function.clone(),
            };
        }
        let provider = Provider::new(stack, id, props());
        stack
            .singleton_functions
            .insert(id.to_string(), provider.function.clone());
        provider
    }

    /// The handler's function (to grant it rights).
    pub fn function(&self) -> &Function {
        &self.function
    }

    /// What a resource names as its `ServiceToken`: the function's ARN.
    pub fn service_token(&self) -> Value {
        self.function.arn()
    }
}

/// Settings of a [`CustomResource`]: `CustomResourceProps::new("Custom::Name")` then its
/// properties.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomResourceProps {
    /// The resource's type, `Custom::` and up to 60 letters, digits or `_@-`.
    pub resource_type: String,
    /// What the handler receives as `ResourceProperties` (CloudFormation passes every value
    /// as a string).
    pub properties: IndexMap<String, Value>,
    /// How long CloudFormation waits for an answer; default: the function's timeout + 60 s.
    pub service_timeout_seconds: Option<u32>,
    /// What happens when the resource leaves the stack; default: CloudFormation's (the
    /// handler gets a Delete).
    pub removal_policy: Option<RemovalPolicy>,
}

impl CustomResourceProps {
    /// A resource of type `resource_type` (`Custom::SeedTable`) without properties.
    pub fn new(resource_type: impl Into<String>) -> Self {
        CustomResourceProps {
            resource_type: resource_type.into(),
            properties: IndexMap::new(),
            service_timeout_seconds: None,
            removal_policy: None,
        }
    }
    /// A property the handler reads (tokens allowed: a table's name, a bucket's ARN).
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.properties.insert(name.into(), value.into());
        self
    }
    /// How long CloudFormation waits for the handler's answer, 1 to 3,600 s.
    pub fn service_timeout_seconds(mut self, seconds: u32) -> Self {
        self.service_timeout_seconds = Some(seconds);
        self
    }
    /// `DeletionPolicy` and `UpdateReplacePolicy`: with `Retain`, a removed resource is left
    /// alone and the handler gets no Delete.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = Some(policy);
        self
    }
}

/// One resource a [`Provider`] makes.
///
/// # Examples
///
/// ```
/// use constructs::custom_resources::{CustomResource, CustomResourceProps, Provider};
/// # use constructs::lambda::FunctionProps;
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
/// # // a cargo workspace with the package `seed-handler`, the app's root
/// # let workspace = tempfile::tempdir().unwrap();
/// # for (file, text) in [
/// #     ("Cargo.toml", "[workspace]\nmembers = [\"seed-handler\"]\nresolver = \"2\"\n"),
/// #     ("seed-handler/Cargo.toml", "[package]\nname = \"seed-handler\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
/// #     ("seed-handler/src/main.rs", "fn main() {}\n"),
/// # ] {
/// #     let path = workspace.path().join(file);
/// #     std::fs::create_dir_all(path.parent().unwrap()).unwrap();
/// #     std::fs::write(path, text).unwrap();
/// # }
/// # std::env::set_current_dir(workspace.path()).unwrap();
///
/// let mut stack = Stack::new("Orders");
/// let provider = Provider::new(&mut stack, "Seeder", FunctionProps::new("seed-handler"));
/// let props = CustomResourceProps::new("Custom::SeedTable")
///     .property("TableName", "orders")
///     .removal_policy(constructs::RemovalPolicy::Retain);
/// let seed = CustomResource::new(&mut stack, "Seed", &provider, props);
/// stack.add_output("Seeded", seed.attribute("ItemCount"));
///
/// let template = Template::from_stack(&stack);
/// // removed from the stack, the resource is left alone: the handler gets no Delete
/// let retained = json!({"Properties": {"TableName": "orders"}, "DeletionPolicy": "Retain"});
/// template.has_resource("Custom::SeedTable", retained);
/// let seed_id = template.logical_id_of_type("Custom::SeedTable");
/// template.has_output("Seeded", json!({"Value": {"Fn::GetAtt": [seed_id, "ItemCount"]}}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CustomResource {
    resource: ResourceRef,
}

/// Checks a custom resource type name as CloudFormation's `AWS::CloudFormation::CustomResource`
/// page states it ("Custom::MyCustomResourceTypeName ... up to 60 characters long and can
/// include alphanumeric and the following characters: _@-").
pub fn check_type_name(name: &str) -> Result<(), String> {
    let Some(rest) = name.strip_prefix("Custom::") else {
        return Err(format!("{name:?} does not start with \"Custom::\""));
    };
    if rest.is_empty() || rest.len() > 60 {
        return Err(format!(
            "{name:?}: the name after \"Custom::\" has {} characters; CloudFormation takes 1 to 60",
            rest.chars().count()
        ));
    }
    if let Some(c) = rest
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_@-".contains(*c)))
    {
        return Err(format!(
            "{name:?}: {c:?} is not allowed (letters, digits and _@- only)"
        ));
    }
    Ok(())
}

impl CustomResource {
    /// The resource, made by `provider`'s handler when the stack is deployed. Created after
    /// the handler's rights (its role's policy), and deleted before them.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        provider: &Provider,
        props: CustomResourceProps,
    ) -> CustomResource {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Err(e) = check_type_name(&props.resource_type) {
            stack.add_problem(Problem::new(&path, e).property("Type"));
        }
        let function_timeout = provider.function.timeout_seconds();
        let timeout = props.service_timeout_seconds.unwrap_or_else(|| {
            (function_timeout + SERVICE_TIMEOUT_MARGIN_SECONDS).min(MAX_SERVICE_TIMEOUT_SECONDS)
        });
        if !(1..=MAX_SERVICE_TIMEOUT_SECONDS).contains(&timeout) {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!("ServiceTimeout is {timeout} s; CloudFormation takes 1 to 3600"),
                )
                .property("ServiceTimeout"),
            );
        } else if timeout < function_timeout {
            stack.add_warning(
                &path,
                format!(
                    "ServiceTimeout ({timeout} s) is shorter than the provider's timeout \
                     ({function_timeout} s): CloudFormation may give up while the handler works"
                ),
            );
        }
        let mut properties = Value::object()
            .with("ServiceToken", provider.service_token())
            .with("ServiceTimeout", timeout);
        for (name, value) in props.properties {
            if name == "ServiceToken" || name == "ServiceTimeout" {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("{name} is set by the provider, not a property of the resource"),
                    )
                    .property(name.clone()),
                );
                continue;
            }
            properties = properties.with(&name, value);
        }
        let mut resource = CfnResource::custom(props.resource_type, properties);
        if let Some(policy) = props.removal_policy {
            resource.apply_removal_policy(policy);
        }
        // the handler's rights stay until the resource is deleted (the function itself is a
        // dependency already, through ServiceToken)
        if let Some(policy) = provider.function.role().default_policy(stack) {
            resource.add_depends_on(&policy);
        }
        let resource = stack.add_resource(&format!("{id}/Resource"), resource);
        CustomResource { resource }
    }

    /// The resource, to depend on it or make it depend on another.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The physical id the handler answered (`Ref`).
    pub fn physical_id(&self) -> Value {
        self.resource.reference()
    }

    /// An attribute of the handler's answer (`Fn::GetAtt`, a key of its `Data`).
    pub fn attribute(&self, name: &str) -> Value {
        self.resource.get_att(name)
    }
}
