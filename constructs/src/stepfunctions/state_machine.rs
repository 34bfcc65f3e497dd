//! The `StateMachine` construct: a definition rendered as a readable `Definition` object with
//! every token carried by `DefinitionSubstitutions`, its role (derived from the tasks), logging,
//! tracing and grants.

use indexmap::IndexMap;

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::CfnResource;
use crate::core::stack::{RequiredPermission, Stack};
use crate::core::token::{fns, sub_placeholders, Pseudo, ResourceRef, Token};
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement, Principal, Role, RoleProps};
use crate::logs::LogGroup;

use super::asl::render::to_plain_json;
use super::asl::{
    Chain, Closed, Definition, Link, QueryLanguage, StateKind, ValidateOptions, THIS_MACHINE_NAME,
};
use super::cfn::{
    CfnStateMachine, CloudWatchLogsLogGroup, LogDestination, LoggingConfiguration,
    TracingConfiguration,
};

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
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachine {
    resource: ResourceRef,
    role: Role,
    kind: StateMachineType,
}

/// Turns the tokens of a rendered definition into `${Name}` placeholders.
struct Substituter<'a> {
    stack: &'a Stack,
    subs: IndexMap<String, Value>,
}

impl Substituter<'_> {
    fn hint(&self, token: &Token) -> String {
        let from_path = |r: &ResourceRef| -> String {
            let below = r.path.split_once('/').map_or(r.path.as_str(), |(_, b)| b);
            below
                .split('/')
                .filter(|c| *c != "Resource" && *c != "Default")
                .flat_map(|c| c.chars().filter(char::is_ascii_alphanumeric))
                .collect()
        };
        match token {
            Token::Ref(r) => {
                let kind = self
                    .stack
                    .resource(r)
                    .map(|res| res.type_name.as_str())
                    .unwrap_or("");
                let suffix = match kind {
                    "AWS::StepFunctions::StateMachine"
                    | "AWS::IAM::ManagedPolicy"
                    | "AWS::SNS::Topic" => "Arn",
                    "AWS::ApiGateway::RestApi" => "Id",
                    _ => "Name",
                };
                format!("{}{suffix}", from_path(r))
            }
            Token::GetAtt(r, attr) => format!(
                "{}{}",
                from_path(r),
                attr.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
            Token::Pseudo(p) => p.name().trim_start_matches("AWS::").to_string(),
            Token::Parameter { name, .. } => name.clone(),
            // an integration ARN: `arn:${AWS::Partition}:states:::dynamodb:putItem` is
            // named DynamodbPutItem
            Token::Sub { .. } | Token::Join { .. } => {
                let text = token.shape();
                match text.split_once(":::") {
                    Some((_, integration)) => integration
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(|w| {
                            let mut cs = w.chars();
                            cs.next()
                                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                                .unwrap_or_default()
                        })
                        .collect(),
                    None => "Value".to_string(),
                }
            }
            _ => "Value".to_string(),
        }
    }

    /// The placeholder name for a token value (the same value always gets the same name).
    fn name_for(&mut self, value: &Value) -> String {
        if let Some((name, _)) = self.subs.iter().find(|(_, v)| *v == value) {
            return name.clone();
        }
        let base = match value {
            Value::Token(t) => self.hint(t),
            _ => "Value".into(),
        };
        let base = if base.is_empty() {
            "Value".to_string()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while self.subs.contains_key(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.subs.insert(name.clone(), value.clone());
        name
    }

    /// A string with tokens inlined as placeholders, when the token is a string template.
    fn inline(&mut self, token: &Token) -> Option<String> {
        match token {
            Token::Join { delimiter, items } => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(match item {
                        Value::String(s) => s.clone(),
                        Value::Token(t) => match self.inline(t) {
                            Some(s) => s,
                            None => format!("${{{}}}", self.name_for(item)),
                        },
                        other => format!("${{{}}}", self.name_for(other)),
                    });
                }
                Some(parts.join(delimiter))
            }
            Token::Sub {
                template,
                variables,
            } => {
                let mut out = template.clone();
                for name in sub_placeholders(template) {
                    let replacement = if let Some(v) = variables.get(name) {
                        match v {
                            Value::String(s) => s.clone(),
                            Value::Token(t) => match self.inline(t) {
                                Some(s) => s,
                                None => format!("${{{}}}", self.name_for(v)),
                            },
                            other => format!("${{{}}}", self.name_for(other)),
                        }
                    } else if let Some(p) = Pseudo::from_name(name) {
                        format!("${{{}}}", self.name_for(&Token::Pseudo(p).into()))
                    } else {
                        // a parameter of the stack
                        let parameter: Value = Token::Parameter {
                            stack: self.stack.name().to_string(),
                            name: name.to_string(),
                        }
                        .into();
                        format!("${{{}}}", self.name_for(&parameter))
                    };
                    out = out.replace(&format!("${{{name}}}"), &replacement);
                }
                Some(out)
            }
            _ => None,
        }
    }

    fn walk(&mut self, v: &Value) -> Value {
        match v {
            Value::Array(items) => Value::Array(items.iter().map(|i| self.walk(i)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        // a Resource is one substitution as a whole: validators check its ARN
                        // shape and accept a placeholder only when it is the entire value
                        let walked = match v {
                            Value::Token(_) if k == "Resource" => {
                                Value::String(format!("${{{}}}", self.name_for(v)))
                            }
                            _ => self.walk(v),
                        };
                        (k.clone(), walked)
                    })
                    .collect(),
            ),
            Value::Token(t) => match self.inline(t) {
                Some(s) => Value::String(s),
                None => Value::String(format!("${{{}}}", self.name_for(v))),
            },
            other => other.clone(),
        }
    }
}

/// Every `${Name}` in the strings and keys of a value.
fn placeholders_in(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => {
            out.extend(sub_placeholders(s).into_iter().map(str::to_string))
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| placeholders_in(i, out)),
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                out.extend(sub_placeholders(k).into_iter().map(str::to_string));
                placeholders_in(v, out);
            }
        }
        _ => {}
    }
}

/// True when the value holds the stand-in for the machine's own name.
fn mentions_self(v: &Value) -> bool {
    let mut found = false;
    v.visit_tokens(&mut |t| {
        if let Token::Sub { template, .. } = t {
            found |= template.contains(&format!("${{{THIS_MACHINE_NAME}}}"));
        }
    });
    found
}

/// The value with the stand-in for the machine's own name replaced by `name`.
fn bind_self(v: &Value, name: &str) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(|i| bind_self(i, name)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), bind_self(v, name)))
                .collect(),
        ),
        Value::Token(t) => match t.as_ref() {
            Token::Sub {
                template,
                variables,
            } => Value::from(Token::Sub {
                template: template.replace(&format!("${{{THIS_MACHINE_NAME}}}"), name),
                variables: variables
                    .iter()
                    .map(|(k, v)| (k.clone(), bind_self(v, name)))
                    .collect(),
            }),
            Token::Join { delimiter, items } => Value::from(Token::Join {
                delimiter: delimiter.clone(),
                items: items.iter().map(|i| bind_self(i, name)).collect(),
            }),
            _ => v.clone(),
        },
        other => other.clone(),
    }
}

/// A name for a machine that needs one (it calls itself) and was given none: the stack's
/// name, the construct id and a hash of both, at most 80 characters, the same at every synth.
fn generated_name(stack: &str, id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{stack}/{id}").as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let clean: String = format!("{stack}-{id}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let head: String = clean.chars().take(80 - 1 - hash.len()).collect();
    format!("{head}-{hash}")
}

/// Statements with the same effect, actions and conditions become one with every resource;
/// then statements with the same resources become one with every action. Exact duplicates go.
pub fn merge_statements(statements: Vec<PolicyStatement>) -> Vec<PolicyStatement> {
    fn merge_by(
        statements: Vec<PolicyStatement>,
        same: impl Fn(&PolicyStatement, &PolicyStatement) -> bool,
        join: impl Fn(PolicyStatement, PolicyStatement) -> PolicyStatement,
    ) -> Vec<PolicyStatement> {
        let mut out: Vec<PolicyStatement> = Vec::new();
        for s in statements {
            match out.iter().position(|o| same(o, &s)) {
                Some(i) => {
                    let merged = join(out[i].clone(), s);
                    out[i] = merged;
                }
                None => out.push(s),
            }
        }
        out
    }
    let plain = |a: &PolicyStatement, b: &PolicyStatement| {
        a.effect == b.effect
            && a.sid.is_none()
            && b.sid.is_none()
            && a.principals == b.principals
            && a.conditions == b.conditions
    };
    let set_eq = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
    let by_actions = merge_by(
        statements,
        |a, b| plain(a, b) && set_eq(&a.actions, &b.actions),
        |a, b| a.resources(b.resources),
    );
    merge_by(
        by_actions,
        |a, b| {
            plain(a, b)
                && a.resources.len() == b.resources.len()
                && a.resources.iter().all(|r| b.resources.contains(r))
        },
        |a, b| a.actions(b.actions),
    )
}

/// The IAM action a Task's resource calls, when synth can tell: an optimized or SDK
/// integration (`arn:...:states:::sqs:sendMessage` is `sqs:SendMessage`), or a function ARN.
pub fn action_of_resource(shape: &str, is_function: bool) -> Option<String> {
    if is_function || (shape.contains(":lambda:") && shape.contains(":function:")) {
        return Some("lambda:InvokeFunction".into());
    }
    let integration = shape.split_once(":::")?.1;
    let integration = integration
        .split(".sync")
        .next()
        .unwrap_or(integration)
        .split(".waitForTaskToken")
        .next()
        .unwrap_or(integration);
    let parts: Vec<&str> = integration.split(':').collect();
    let (service, action) = match parts.as_slice() {
        ["aws-sdk", service, action, ..] => (*service, *action),
        [service, action, ..] => (*service, *action),
        _ => return None,
    };
    let capital = |a: &str| {
        let mut cs = a.chars();
        cs.next()
            .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
            .unwrap_or_default()
    };
    Some(match (service, action) {
        ("lambda", "invoke") => "lambda:InvokeFunction".into(),
        ("http", "invoke") => "states:InvokeHTTPEndpoint".into(),
        ("apigateway", "invoke") => "execute-api:Invoke".into(),
        (service, action) => format!("{service}:{}", capital(action)),
    })
}

/// Records, for every Task with no derived or granted right (and not marked as managed
/// elsewhere), the action its role must allow by synth.
fn require_task_permissions(stack: &mut Stack, definition: &Definition, role: &Role, path: &str) {
    let mut needs = Vec::new();
    definition.walk(&mut |name, state, _| {
        let StateKind::Task(t) = &state.kind else {
            return;
        };
        if !t.policy.is_empty() || t.permissions_managed_elsewhere {
            return;
        }
        let is_function = match &t.resource {
            Value::Token(token) => match token.as_ref() {
                Token::GetAtt(r, _) | Token::Ref(r) => stack
                    .resource(r)
                    .is_some_and(|res| res.type_name == "AWS::Lambda::Function"),
                _ => false,
            },
            _ => false,
        };
        let shape = super::asl::validate::shape(&t.resource);
        if let Some(action) = action_of_resource(&shape, is_function) {
            needs.push((name.to_string(), shape, action));
        }
    });
    for (state, resource, action) in needs {
        stack.require_permission(RequiredPermission {
            role: role.resource().clone(),
            by: path.to_string(),
            property: "Definition".into(),
            what: format!("state {state:?} calls {resource}"),
            help: format!(
                "give the state its right: .grant(PolicyStatement::allow().action(\"{action}\").resource(...)) on the state names what it may call; if the role gets it some other way, mark the state .permissions_managed_elsewhere()"
            ),
            action,
        });
    }
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
                stack.add_problem(Problem::new(&path, e).property("StateMachineName"));
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
            (None, true) => Some(generated_name(stack.name(), id)),
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
        for statement in merge_statements(statements) {
            role.add_to_policy(stack, statement);
        }
        require_task_permissions(stack, &definition, &role, &path);
        let logging_configuration = props.logging.as_ref().map(|l| {
            role.add_to_policy(
                stack,
                PolicyStatement::allow()
                    .actions(LOG_DELIVERY_ACTIONS.iter().copied())
                    .resource("*"),
            );
            LoggingConfiguration {
                destinations: Some(vec![LogDestination {
                    cloud_watch_logs_log_group: CloudWatchLogsLogGroup {
                        log_group_arn: l.destination.arn(),
                    },
                }]),
                include_execution_data: Some(l.include_execution_data),
                level: Some(l.level),
            }
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

        let machine = CfnStateMachine {
            definition: Some(Value::from(json)),
            definition_substitutions: (!subs.is_empty()).then_some(subs),
            logging_configuration,
            role_arn: role.arn(),
            state_machine_name: name.map(Value::from),
            state_machine_type: Some(props.kind),
            tracing_configuration: props.tracing.then_some(TracingConfiguration {
                enabled: Some(true),
            }),
            ..Default::default()
        };
        let mut resource = CfnResource::from_props(&machine);
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
