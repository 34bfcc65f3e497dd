//! One AWS API call when a resource is created, updated or deleted: seed a table, write a
//! parameter, call an API once. The call's IAM right (`service:Action`) is derived and
//! granted to the handler; the handler (the workspace crate `rcdk-aws-call`, one per stack)
//! signs the request and sends it.
//!
//! The services that speak JSON on the wire are supported (their `X-Amz-Target` and JSON
//! version are below, from each service's API reference): DynamoDB, SSM, Step Functions,
//! Secrets Manager, KMS, CloudWatch Logs, EventBridge, SQS, Cognito user pools, Kinesis and
//! Firehose. A call's parameters are the API's request members as JSON (`{"Name": ..}`);
//! tokens may stand for strings in them.

use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::token::fns;
use crate::core::value::Value;
use crate::iam::grant;
use crate::lambda::FunctionProps;

use super::{CustomResource, CustomResourceProps, Provider};

/// A service the SDK-call resource can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The service's IAM prefix, which is how a call names it (`dynamodb`).
    pub name: &'static str,
    /// The first label of its endpoint host (`https://<prefix>.<region>.amazonaws.com`).
    pub endpoint_prefix: &'static str,
    /// The service name requests are signed for.
    pub signing_name: &'static str,
    /// What comes before `.Action` in `X-Amz-Target`.
    pub target_prefix: &'static str,
    /// `1.0` or `1.1`: the `application/x-amz-json-<version>` content type.
    pub json_version: &'static str,
}

const fn service(
    name: &'static str,
    endpoint_prefix: &'static str,
    target_prefix: &'static str,
    json_version: &'static str,
) -> Service {
    Service {
        name,
        endpoint_prefix,
        signing_name: name,
        target_prefix,
        json_version,
    }
}

/// The services a call may name.
pub const SERVICES: &[Service] = &[
    service("dynamodb", "dynamodb", "DynamoDB_20120810", "1.0"),
    service("ssm", "ssm", "AmazonSSM", "1.1"),
    service("states", "states", "AWSStepFunctions", "1.0"),
    service("secretsmanager", "secretsmanager", "secretsmanager", "1.1"),
    service("kms", "kms", "TrentService", "1.1"),
    service("logs", "logs", "Logs_20140328", "1.1"),
    service("events", "events", "AWSEvents", "1.1"),
    service("sqs", "sqs", "AmazonSQS", "1.0"),
    service(
        "cognito-idp",
        "cognito-idp",
        "AWSCognitoIdentityProviderService",
        "1.1",
    ),
    service("kinesis", "kinesis", "Kinesis_20131202", "1.1"),
    service("firehose", "firehose", "Firehose_20150804", "1.1"),
];

/// The workspace crate of the SDK-call handler.
pub const AWS_CALL_CRATE: &str = "rcdk-aws-call";
/// The custom resource type of an SDK call.
pub const AWS_CALL_TYPE: &str = "Custom::AwsCall";

/// The physical id a call gives the resource.
#[derive(Debug, Clone, PartialEq)]
pub enum PhysicalId {
    /// This value.
    Of(Value),
    /// The member of the call's answer at this dotted path (`Attributes.id`, `Items.0.id`).
    FromResponse(String),
}

/// One API call: `SdkCall::new("ssm", "PutParameter").parameters(..)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SdkCall {
    service: String,
    action: String,
    parameters: Value,
    physical_id: Option<PhysicalId>,
    ignore_error_codes: Vec<String>,
}

impl SdkCall {
    /// The call of `action` (`PutItem`, as the API reference spells it) of `service` (its IAM
    /// prefix: `dynamodb`), without parameters.
    pub fn new(service: impl Into<String>, action: impl Into<String>) -> Self {
        SdkCall {
            service: service.into(),
            action: action.into(),
            parameters: Value::object(),
            physical_id: None,
            ignore_error_codes: Vec::new(),
        }
    }
    /// The request's members (tokens may stand for strings).
    pub fn parameters(mut self, parameters: impl Into<Value>) -> Self {
        self.parameters = parameters.into();
        self
    }
    /// The resource's physical id after this call; a different one on update replaces it.
    pub fn physical_id(mut self, id: PhysicalId) -> Self {
        self.physical_id = Some(id);
        self
    }
    /// Error codes (the exception's name, `ParameterNotFound`) that count as success: a
    /// delete of what is already gone.
    pub fn ignore_error_codes<S: Into<String>>(
        mut self,
        codes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.ignore_error_codes = codes.into_iter().map(Into::into).collect();
        self
    }
    /// `service:Action`, the IAM action the call needs.
    pub fn iam_action(&self) -> String {
        format!("{}:{}", self.service, self.action)
    }
}

/// Settings of an [`AwsCall`]: the calls, and the resources their rights are granted on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AwsCallProps {
    on_create: Option<SdkCall>,
    on_update: Option<SdkCall>,
    on_delete: Option<SdkCall>,
    resources: Vec<Value>,
    output_paths: Vec<String>,
}

impl AwsCallProps {
    /// No call yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// The call made when the resource is created (and updated, unless [`Self::on_update`]
    /// says otherwise). Its physical id defaults to the construct's path.
    pub fn on_create(mut self, call: SdkCall) -> Self {
        self.on_create = Some(call);
        self
    }
    /// The call made when the resource's properties change.
    pub fn on_update(mut self, call: SdkCall) -> Self {
        self.on_update = Some(call);
        self
    }
    /// The call made when the resource is deleted.
    pub fn on_delete(mut self, call: SdkCall) -> Self {
        self.on_delete = Some(call);
        self
    }
    /// The resources (ARNs) the calls' rights are granted on; default `*`.
    pub fn resources(mut self, arns: impl IntoIterator<Item = Value>) -> Self {
        self.resources = arns.into_iter().collect();
        self
    }
    /// Keeps only these members of the answer (dotted paths, and what is under them) as the
    /// resource's attributes: CloudFormation takes at most 4,096 bytes of answer.
    pub fn output_paths<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.output_paths = paths.into_iter().map(Into::into).collect();
        self
    }
}

/// A resource whose life is an API call or three.
///
/// # Examples
///
/// ```
/// use constructs::custom_resources::{AwsCall, AwsCallProps, SdkCall};
/// # use constructs::fns;
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
/// # // a cargo workspace with the package `rcdk-aws-call`, the app's root
/// # let workspace = tempfile::tempdir().unwrap();
/// # for (file, text) in [
/// #     ("Cargo.toml", "[workspace]\nmembers = [\"rcdk-aws-call\"]\nresolver = \"2\"\n"),
/// #     ("rcdk-aws-call/Cargo.toml", "[package]\nname = \"rcdk-aws-call\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
/// #     ("rcdk-aws-call/src/main.rs", "fn main() {}\n"),
/// # ] {
/// #     let path = workspace.path().join(file);
/// #     std::fs::create_dir_all(path.parent().unwrap()).unwrap();
/// #     std::fs::write(path, text).unwrap();
/// # }
/// # std::env::set_current_dir(workspace.path()).unwrap();
///
/// // run from the root of a cargo workspace that has the handler's crate, `rcdk-aws-call`
/// let mut stack = Stack::new("Orders");
/// let put = SdkCall::new("ssm", "PutParameter").parameters(json!({"Name": "ready", "Value": "yes"}));
/// let delete = SdkCall::new("ssm", "DeleteParameter").parameters(json!({"Name": "ready"}))
///     .ignore_error_codes(["ParameterNotFound"]);
/// let arn = fns::sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/ready");
/// let props = AwsCallProps::new().on_create(put).on_delete(delete).resources([arn]);
/// AwsCall::new(&mut stack, "Ready", props);
///
/// // the handler may make these calls (on that parameter only)
/// let template = Template::from_stack(&stack);
/// let policy = &template.find_resources("AWS::IAM::Policy", json!({}))[0];
/// let statements = policy["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap();
/// let actions = json!(["ssm:PutParameter", "ssm:DeleteParameter"]);
/// assert!(statements.iter().any(|statement| statement["Action"] == actions));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AwsCall {
    resource: CustomResource,
}

fn is_action_name(action: &str) -> bool {
    action.starts_with(|c: char| c.is_ascii_uppercase())
        && action.chars().all(|c| c.is_ascii_alphanumeric())
}

impl AwsCall {
    /// The resource, its handler's rights granted for each call's action.
    pub fn new(stack: &mut Stack, id: &str, props: AwsCallProps) -> AwsCall {
        let path = stack.path_of(&format!("{id}/Resource"));
        let update = props.on_update.clone().or_else(|| props.on_create.clone());
        let calls = [
            ("Create", props.on_create.clone()),
            ("Update", update),
            ("Delete", props.on_delete.clone()),
        ];
        if calls.iter().all(|(_, c)| c.is_none()) {
            stack.add_problem(
                Problem::new(&path, "an AwsCall without a call does nothing")
                    .help("give it .on_create(SdkCall::new(..)), .on_update or .on_delete"),
            );
        }
        let provider = Provider::singleton(stack, "RcdkAwsCallProvider", || {
            FunctionProps::new(AWS_CALL_CRATE)
                .description("Makes the AWS API calls of the app's AwsCall resources")
                .timeout_seconds(120)
        });
        let mut resource = CustomResourceProps::new(AWS_CALL_TYPE);
        let resources = if props.resources.is_empty() {
            vec![Value::from("*")]
        } else {
            props.resources.clone()
        };
        let mut actions: Vec<String> = Vec::new();
        for (kind, call) in calls {
            let Some(call) = call else { continue };
            let Some(service) = SERVICES.iter().find(|s| s.name == call.service) else {
                let names: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!(
                            "the {kind} call names the service {:?}, which the SDK-call resource \
                             cannot call (it calls the services that speak JSON: {})",
                            call.service,
                            names.join(", ")
                        ),
                    )
                    .property(kind),
                );
                continue;
            };
            if !is_action_name(&call.action) {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!(
                            "the {kind} call's action {:?} is not an API action name (PutItem, as the API reference spells it)",
                            call.action
                        ),
                    )
                    .property(kind),
                );
                continue;
            }
            if call.parameters.as_object().is_none() {
                stack.add_problem(
                    Problem::new(&path, format!("the {kind} call's parameters must be an object of the request's members"))
                        .property(kind),
                );
                continue;
            }
            let physical = match &call.physical_id {
                Some(PhysicalId::Of(v)) => Value::object().with("Id", v.clone()),
                Some(PhysicalId::FromResponse(p)) => {
                    Value::object().with("ResponsePath", p.as_str())
                }
                None => Value::object().with("Id", path.as_str()),
            };
            let described = Value::object()
                .with("Service", service.name)
                .with("Action", call.action.as_str())
                .with("EndpointPrefix", service.endpoint_prefix)
                .with("SigningName", service.signing_name)
                .with("TargetPrefix", service.target_prefix)
                .with("JsonVersion", service.json_version)
                .with("Parameters", call.parameters.clone())
                .with("PhysicalId", physical)
                .with(
                    "IgnoreErrorCodes",
                    Value::Array(
                        call.ignore_error_codes
                            .iter()
                            .map(|c| Value::from(c.as_str()))
                            .collect(),
                    ),
                );
            resource = resource.property(kind, fns::to_json_string(&described));
            let action = call.iam_action();
            if !actions.contains(&action) {
                actions.push(action);
            }
        }
        if !props.output_paths.is_empty() {
            resource = resource.property(
                "OutputPaths",
                fns::to_json_string(&Value::Array(
                    props
                        .output_paths
                        .iter()
                        .map(|p| Value::from(p.as_str()))
                        .collect(),
                )),
            );
        }
        if !actions.is_empty() {
            let refs: Vec<&str> = actions.iter().map(String::as_str).collect();
            grant(stack, provider.function(), &refs, resources);
        }
        AwsCall {
            resource: CustomResource::new(stack, id, &provider, resource),
        }
    }

    /// The custom resource.
    pub fn resource(&self) -> &CustomResource {
        &self.resource
    }

    /// A member of the last call's answer, by dotted path (`Fn::GetAtt`): `Version`,
    /// `Attributes.id.S`.
    pub fn response_field(&self, path: &str) -> Value {
        self.resource.attribute(path)
    }
}
