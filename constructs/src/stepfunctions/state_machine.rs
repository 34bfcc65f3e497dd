//! The `StateMachine` construct: a definition rendered as a readable `Definition` object with
//! every token carried by `DefinitionSubstitutions`, its role (derived from the tasks), logging,
//! tracing and grants.

use indexmap::IndexMap;

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement, Principal, Role, RoleProps};
use crate::logs::LogGroup;

use super::asl::render::to_plain_json;
use super::asl::{Chain, Closed, Definition, Link, QueryLanguage, ValidateOptions};
use crate::core::resource::{NameScope, UniqueName};
use crate::l1::stepfunctions::state_machine::{
    CloudWatchLogsLogGroup, EncryptionConfiguration, LogDestination, LoggingConfiguration,
    TracingConfiguration, Type as EncryptionType,
};
use crate::l1::stepfunctions::CfnStateMachine;

/// A state machine's name is unique in its account and region.
const MACHINE_NAME: UniqueName = UniqueName {
    property: "StateMachineName",
    kind: "state machine",
    scope: NameScope::AccountAndRegion,
};
use super::permissions::require_task_permissions;
use super::substitutions::{bind_self, mentions_self, placeholders_in, Substituter};

pub use super::cfn::{LogLevel, StateMachineType};

/// A definition to deploy: built by chaining, or parsed from ASL.
#[derive(Debug, Clone, PartialEq)]
pub enum DefinitionBody {
    /// States chained in Rust, with the problems the chaining found (reported at synth).
    Chain(Chain<Closed>),
    /// A whole definition, such as one parsed from an `.asl.json` file.
    Definition(Definition),
}

impl<L: Link> From<L> for DefinitionBody {
    fn from(c: L) -> Self {
        DefinitionBody::Chain(c.into_chain().close())
    }
}

impl From<Definition> for DefinitionBody {
    fn from(d: Definition) -> Self {
        DefinitionBody::Definition(d)
    }
}

/// Execution logging to CloudWatch Logs (`LoggingConfiguration`).
#[derive(Debug, Clone, PartialEq)]
pub struct Logging {
    /// The log group written to (`Destinations[].CloudWatchLogsLogGroup.LogGroupArn`).
    pub destination: LogGroup,
    /// Which execution events are logged (`Level`).
    pub level: LogLevel,
    /// Log the input and output of executions and states too (`IncludeExecutionData`).
    pub include_execution_data: bool,
}

/// Settings of a [`StateMachine`]: `StateMachineProps::new(definition)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineProps {
    /// The states the machine runs (`Definition`).
    pub definition: DefinitionBody,
    /// STANDARD or EXPRESS (`StateMachineType`); default: STANDARD.
    pub kind: StateMachineType,
    /// The machine's name (`StateMachineName`); default: one CloudFormation generates, or,
    /// for a machine that calls itself, one made of the stack's name and the construct id.
    pub name: Option<String>,
    /// The definition's top-level `Comment`, in place of the definition's own.
    pub comment: Option<String>,
    /// The definition's top-level `TimeoutSeconds`: how long an execution may run, in place
    /// of the definition's own.
    pub timeout_seconds: Option<u32>,
    /// The definition's top-level `QueryLanguage` (JSONPath or JSONata), in place of the
    /// definition's own.
    pub query_language: Option<QueryLanguage>,
    /// An existing role; by default the machine gets its own, with exactly the rights its
    /// tasks need.
    pub role: Option<Role>,
    /// Execution logging (`LoggingConfiguration`); default: none.
    pub logging: Option<Logging>,
    /// X-Ray tracing of executions (`TracingConfiguration`); default: false.
    pub tracing: bool,
    /// Substitutions written by hand in the definition (`"${FinalResultFieldName}"`, even as
    /// an object key); tokens in the definition get theirs automatically.
    pub substitutions: IndexMap<String, Value>,
    /// The key of the app the definition and the executions' history are encrypted with
    /// (`EncryptionConfiguration`); default: Step Functions' own key.
    pub encryption_key: Option<crate::kms::Key>,
}

impl StateMachineProps {
    /// A STANDARD machine running `definition` (a chain of states, or a [`Definition`]),
    /// with its own role.
    pub fn new(definition: impl Into<DefinitionBody>) -> Self {
        StateMachineProps {
            definition: definition.into(),
            kind: StateMachineType::Standard,
            name: None,
            comment: None,
            timeout_seconds: None,
            query_language: None,
            role: None,
            logging: None,
            tracing: false,
            substitutions: IndexMap::new(),
            encryption_key: None,
        }
    }
    /// Makes the machine EXPRESS (`StateMachineType`): short executions, whose definition
    /// is checked against what EXPRESS machines may do.
    pub fn express(mut self) -> Self {
        self.kind = StateMachineType::Express;
        self
    }
    /// The machine's name (`StateMachineName`); one Step Functions refuses is reported at
    /// synth.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The definition's top-level `Comment`.
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
    /// The definition's top-level `TimeoutSeconds`.
    pub fn timeout_seconds(mut self, seconds: u32) -> Self {
        self.timeout_seconds = Some(seconds);
        self
    }
    /// The definition's top-level `QueryLanguage`.
    pub fn query_language(mut self, language: QueryLanguage) -> Self {
        self.query_language = Some(language);
        self
    }
    /// Runs the machine with this role instead of a new one; the rights its tasks need are
    /// added to it.
    pub fn role(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }
    /// Logs executions to `destination` at `level` (`LoggingConfiguration`); the role gets
    /// the log delivery rights.
    pub fn logging(
        mut self,
        destination: &LogGroup,
        level: LogLevel,
        include_execution_data: bool,
    ) -> Self {
        self.logging = Some(Logging {
            destination: destination.clone(),
            level,
            include_execution_data,
        });
        self
    }
    /// Traces executions with X-Ray (`TracingConfiguration.Enabled: true`); the role gets the
    /// X-Ray rights.
    pub fn tracing(mut self) -> Self {
        self.tracing = true;
        self
    }
    /// Encrypts the definition and the executions' data with a key of the app
    /// (`EncryptionConfiguration`, data keys reused for 5 minutes): the machine's role gets
    /// `kms:Decrypt` and `kms:GenerateDataKey` on it, for this machine's encryption context.
    pub fn encryption_key(mut self, key: &crate::kms::Key) -> Self {
        self.encryption_key = Some(key.clone());
        self
    }
    /// A substitution written by hand in the definition as `${name}`
    /// (`DefinitionSubstitutions`); one the definition does not use is reported at synth.
    pub fn substitution(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.substitutions.insert(name.into(), value.into());
        self
    }
}

/// The rights Step Functions needs to deliver execution logs; AWS accepts only `*` for them.
pub const LOG_DELIVERY_ACTIONS: &[&str] = &[
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
];

/// The rights X-Ray tracing needs; X-Ray accepts only `*`.
pub const XRAY_ACTIONS: &[&str] = &[
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
];

/// A Step Functions state machine.
///
/// # Examples
///
/// ```
/// use constructs::stepfunctions::asl::{pass, Input};
/// use constructs::stepfunctions::tasks::{sqs_send_message, SendMessage};
/// use constructs::stepfunctions::{StateMachine, StateMachineProps};
/// # use constructs::sqs::{Queue, QueueProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Checkout");
/// let shipping = Queue::new(&mut stack, "Shipping", QueueProps::new());
/// let notify = sqs_send_message("Notify", &shipping, SendMessage::new(Input::path("$.order")));
/// StateMachine::new(&mut stack, "Checkout", StateMachineProps::new(pass("Accept").next(notify)));
///
/// let template = Template::from_stack(&stack);
/// let definition = json!({"Definition": {"StartAt": "Accept"}});
/// template.has_resource_properties("AWS::StepFunctions::StateMachine", definition);
/// // the machine's role may do what its tasks do, on their resources only
/// let shipping_arn = json!({"Fn::GetAtt": [template.logical_id_of_type("AWS::SQS::Queue"), "Arn"]});
/// template.has_resource_properties("AWS::IAM::Policy", json!({"PolicyDocument": {"Statement": [
///     {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": shipping_arn},
/// ]}}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachine {
    resource: ResourceRef,
    role: Role,
    kind: StateMachineType,
}

impl StateMachine {
    /// Creates the machine (`AWS::StepFunctions::StateMachine`) and, unless one is given, its
    /// role with the rights its tasks, logging and tracing need; the definition is validated
    /// and its problems reported at synth.
    pub fn new(stack: &mut Stack, id: &str, props: StateMachineProps) -> StateMachine {
        let path = stack.path_of(&format!("{id}/Resource"));
        let problem = |stack: &mut Stack, message: String| {
            stack.add_problem(Problem::new(&path, message).property("Definition"));
        };
        if let Some(name) = &props.name {
            if let Err(e) = names::check_name("state machine name", name, 1, 80, "_-") {
                stack.add_problem(Problem::new(&path, e.to_string()).property("StateMachineName"));
            }
        }
        let (mut definition, chain_problems) = match props.definition {
            DefinitionBody::Chain(chain) => chain.into_parts(),
            DefinitionBody::Definition(d) => (d, Vec::new()),
        };
        let skip_graph = !chain_problems.is_empty();
        for p in chain_problems {
            problem(stack, p);
        }
        if props.comment.is_some() {
            definition.comment = props.comment;
        }
        if props.timeout_seconds.is_some() {
            definition.timeout_seconds = props.timeout_seconds;
        }
        if props.query_language.is_some() {
            definition.query_language = props.query_language;
        }
        let express = props.kind == StateMachineType::Express;
        let mut rendered = definition.to_value();
        let mut options = ValidateOptions::new();
        if express {
            options = options.express();
        }
        if skip_graph {
            options = options.skip_graph();
        }
        for p in definition.validate_rendered(&rendered, options) {
            problem(stack, p.to_string());
        }

        // a machine that calls itself names itself by an ARN built from its name
        let mut statements = definition.policy_statements();
        let needs_self = mentions_self(&rendered)
            || statements
                .iter()
                .any(|s| s.resources.iter().any(mentions_self));
        let name = match (&props.name, needs_self) {
            (Some(n), _) => Some(n.clone()),
            // a stable name of at most 80 characters, as Step Functions allows
            (None, true) => Some(names::generated_name(stack.name(), id, 80, |c| {
                c.is_ascii_alphanumeric() || c == '-' || c == '_'
            })),
            (None, false) => None,
        };
        if let (Some(n), true) = (&name, needs_self) {
            rendered = bind_self(&rendered, n);
            for s in &mut statements {
                s.resources = s.resources.iter().map(|r| bind_self(r, n)).collect();
            }
        }

        let role = props.role.clone().unwrap_or_else(|| {
            Role::new(
                stack,
                &format!("{id}/Role"),
                RoleProps::new(Principal::service("states.amazonaws.com")),
            )
        });
        for statement in crate::iam::merge_statements(statements) {
            role.add_to_policy(stack, statement);
        }
        require_task_permissions(stack, &definition, &role, &path);
        let encryption = props.encryption_key.as_ref().map(|key| {
            // Step Functions' encryption context is the machine's ARN (Data at rest encryption,
            // Step Functions Developer Guide); a generated name is not known before deploy,
            // and naming the machine by reference would make its role's policy and the
            // machine depend on each other: then any machine of the account and region
            let machine = name.clone().unwrap_or_else(|| "*".to_string());
            if !key.trusts_account() {
                key.add_to_resource_policy(
                    stack,
                    PolicyStatement::allow()
                        .actions(["kms:Decrypt", "kms:GenerateDataKey"])
                        .principal(Principal::Arn(role.arn()))
                        .resource("*"),
                );
            }
            role.add_to_policy(
                stack,
                PolicyStatement::allow()
                    .actions(["kms:Decrypt", "kms:GenerateDataKey"])
                    .resource(key.arn())
                    .condition(
                        "StringLike",
                        "kms:EncryptionContext:aws:states:stateMachineArn",
                        fns::sub(format!(
                            "arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:stateMachine:{machine}"
                        )),
                    ),
            );
            EncryptionConfiguration::new(EncryptionType::CustomerManagedKmsKey)
                .kms_key_id(key.arn())
                .kms_data_key_reuse_period_seconds(300)
        });
        let logging_configuration = props.logging.as_ref().map(|l| {
            role.add_to_policy(
                stack,
                PolicyStatement::allow()
                    .actions(LOG_DELIVERY_ACTIONS.iter().copied())
                    .resource("*"),
            );
            LoggingConfiguration::new()
                .destinations(vec![LogDestination::new().cloud_watch_logs_log_group(
                    CloudWatchLogsLogGroup::new().log_group_arn(l.destination.arn()),
                )])
                .include_execution_data(l.include_execution_data)
                .level(l.level)
        });
        if props.tracing {
            role.add_to_policy(
                stack,
                PolicyStatement::allow()
                    .actions(XRAY_ACTIONS.iter().copied())
                    .resource("*"),
            );
        }
        // the definition, tokens turned into substitutions
        let mut substituter = Substituter {
            stack,
            subs: props.substitutions.clone(),
        };
        let rendered = substituter.walk(&rendered);
        let subs = substituter.subs;
        let json = to_plain_json(&rendered).unwrap_or_default();
        let mut used = Vec::new();
        placeholders_in(&json, &mut used);
        for name in &used {
            if !subs.contains_key(name) {
                problem(
                    stack,
                    format!(
                        "the definition names ${{{name}}}, but no substitution {name} is given"
                    ),
                );
            }
        }
        for name in props.substitutions.keys() {
            if !used.contains(name) {
                problem(
                    stack,
                    format!("the substitution {name} is not used in the definition"),
                );
            }
        }

        let mut machine = CfnStateMachine::new(role.arn())
            .definition(Value::from(json))
            .state_machine_name(name)
            .state_machine_type(props.kind);
        if !subs.is_empty() {
            machine = machine.definition_substitutions(subs);
        }
        if let Some(logging) = logging_configuration {
            machine = machine.logging_configuration(logging);
        }
        if props.tracing {
            machine = machine.tracing_configuration(TracingConfiguration::new().enabled(true));
        }
        if let Some(encryption) = encryption {
            machine = machine.encryption_configuration(encryption);
        }
        let mut resource = CfnResource::from_props(&machine)
            .with_unique_name(MACHINE_NAME)
            .with_cycle_help(
            Some("AWS::IAM::Policy"),
            "a state machine waits for its role's policy, so the policy cannot name the machine's Ref: for the machine's own ARN use stepfunctions::asl::this_state_machine_arn() (built from its name), or the task helpers that call the machine itself",
        );
        if let Some(policy) = role.default_policy(stack) {
            resource.add_depends_on(&policy);
        }
        let resource = stack.add_resource(&format!("{id}/Resource"), resource);
        StateMachine {
            resource,
            role,
            kind: props.kind,
        }
    }

    /// The `AWS::StepFunctions::StateMachine` resource, to override a property or depend on
    /// it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The machine's ARN (`Ref`).
    pub fn arn(&self) -> Value {
        self.resource.reference()
    }

    /// The machine's name.
    pub fn name(&self) -> Value {
        self.resource.get_att("Name")
    }

    /// The role the machine runs with (its own, or the one given).
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// STANDARD or EXPRESS.
    pub fn kind(&self) -> StateMachineType {
        self.kind
    }

    /// The ARN pattern of the machine's executions (`execution:` for STANDARD, `express:` for
    /// EXPRESS).
    pub fn executions_arn(&self) -> Value {
        let kind = match self.kind {
            StateMachineType::Standard => "execution",
            StateMachineType::Express => "express",
        };
        fns::sub_with(
            format!("arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:{kind}:${{Name}}:*"),
            [("Name", self.name())],
        )
    }

    /// `states:StartExecution` on the machine.
    pub fn grant_start_execution(
        &self,
        stack: &mut Stack,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        grant(stack, grantee, &["states:StartExecution"], vec![self.arn()])
    }

    /// `states:StartSyncExecution` on the machine (EXPRESS only).
    pub fn grant_start_sync_execution(
        &self,
        stack: &mut Stack,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        if self.kind != StateMachineType::Express {
            stack.add_problem(Problem::new(
                &self.resource.path,
                "StartSyncExecution works on EXPRESS state machines only",
            ));
        }
        grant(
            stack,
            grantee,
            &["states:StartSyncExecution"],
            vec![self.arn()],
        )
    }

    /// `states:DescribeExecution` on the machine's executions.
    pub fn grant_read(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        grant(
            stack,
            grantee,
            &["states:DescribeExecution"],
            vec![self.executions_arn()],
        )
    }

    /// `states:SendTaskSuccess`, `SendTaskFailure` and `SendTaskHeartbeat` on the machine.
    pub fn grant_task_response(
        &self,
        stack: &mut Stack,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        grant(
            stack,
            grantee,
            &[
                "states:SendTaskFailure",
                "states:SendTaskHeartbeat",
                "states:SendTaskSuccess",
            ],
            vec![self.arn()],
        )
    }
}
