//! The app's machines, found in its synthesized templates: a machine by construct path
//! (`Stack/Machine`), its definition with the `DefinitionSubstitutions` resolved, and the
//! functions its tasks call. CloudFormation's expressions (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
//! `Fn::Join`, `Fn::Select`, `Fn::ImportValue`, pseudo parameters) resolve to the names and
//! ARNs the resources would have: a name the template gives, a physical id of the deployed
//! stack when one is known, else `<stack>-<logical id>`.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map as JsonMap, Value as Json};

use crate::error::Error;
use crate::run::Machine;

/// A CloudFormation expression of a template that cannot be resolved locally: the stack it is
/// in, the resource and property when known, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", property.as_ref().map(|p| format!("{p}: ")).unwrap_or_default())]
pub struct Unresolved {
    /// The stack whose template holds the expression.
    pub stack: String,
    /// The logical id of the resource whose property holds it, when known.
    pub logical_id: Option<String>,
    /// The property (`DefinitionSubstitutions.Table`), when known.
    pub property: Option<String>,
    /// Why it cannot be resolved (boxed: it is the large part).
    pub reason: Box<Unresolvable>,
}

impl Unresolved {
    /// The same, in the property `property` of the resource `logical_id`.
    pub fn at(mut self, logical_id: &str, property: Option<String>) -> Self {
        self.logical_id = Some(logical_id.to_string());
        self.property = property;
        self
    }
}

/// Why a CloudFormation expression cannot be resolved locally.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unresolvable {
    /// A `Ref` to a parameter without a default (only a deployment gives it a value).
    #[error("the parameter {parameter} has no default")]
    NoDefault {
        /// The parameter.
        parameter: String,
    },
    /// A `Ref` to a logical id the stack does not have.
    #[error("Ref to {id}, which is not in the stack {stack}")]
    RefNotInStack {
        /// The logical id.
        id: String,
        /// The stack.
        stack: String,
    },
    /// An `Fn::GetAtt` of a logical id the stack does not have.
    #[error("Fn::GetAtt of {id}, which is not in the stack {stack}")]
    GetAttNotInStack {
        /// The logical id.
        id: String,
        /// The stack.
        stack: String,
    },
    /// An attribute whose value only the deployed resource has.
    #[error("Fn::GetAtt {id}.{attribute} ({type_name}) cannot be resolved locally")]
    Attribute {
        /// The logical id.
        id: String,
        /// The attribute.
        attribute: String,
        /// The resource's type.
        type_name: String,
    },
    /// An `Fn::GetAtt` in its string form without the attribute.
    #[error("Fn::GetAtt '{0}' has no attribute")]
    NoAttribute(String),
    /// An intrinsic function whose argument is not of its shape.
    #[error("{function} takes {shape}")]
    Malformed {
        /// The function (`Fn::Join`).
        function: &'static str,
        /// What it takes (`[delimiter, [values]]`).
        shape: &'static str,
    },
    /// An `Fn::Select` past its list.
    #[error("Fn::Select index {0} is out of range")]
    OutOfRange(u64),
    /// An `Fn::ImportValue` of a name no stack of the app exports.
    #[error("no stack of the app exports '{0}'")]
    NoExport(String),
}

/// One stack's template, and what is known of its deployed resources.
#[derive(Debug, Clone)]
pub struct StackTemplate {
    /// The stack's name.
    pub name: String,
    /// The template, as synthesized.
    pub template: Json,
    /// Physical ids by logical id (`--deployed`: from DescribeStackResources).
    pub physical: HashMap<String, String>,
}

/// The account and region ARNs are built for.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::AccountId`.
    pub account: String,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            region: "us-east-1".into(),
            account: "123456789012".into(),
        }
    }
}

/// A function of the app that a machine can call.
#[derive(Debug, Clone, PartialEq)]
pub struct AppFunction {
    /// Its construct path (`Stack/Handler`).
    pub path: String,
    /// Its logical id.
    pub logical_id: String,
    /// The name it would have (or has, deployed).
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Its environment variables, resolved.
    pub environment: IndexMap<String, String>,
    /// Its timeout in seconds (Lambda's default: 3).
    pub timeout_seconds: u64,
    /// The asset hash of its code (`Code.S3Key` without `.zip`), if it is an asset.
    pub asset: Option<String>,
    /// The Lambda crate that builds it, and its binary: `(package, binary)`.
    pub crate_binary: Option<(String, String)>,
}

/// A machine of the app, ready to run.
#[derive(Debug, Clone)]
pub struct AppMachine {
    /// The machine (its name is the one it would have).
    pub machine: Machine,
    /// Its construct path (`Stack/Machine`).
    pub path: String,
    /// The functions of the app, by ARN (every stack's).
    pub functions: IndexMap<String, AppFunction>,
}

impl AppMachine {
    /// The region in the ARNs of the app's functions.
    pub fn machine_arn_region(&self) -> Option<String> {
        self.functions
            .keys()
            .next()
            .and_then(|arn| arn.split(':').nth(3))
            .map(str::to_string)
    }
}

/// The app's stacks, to find machines and resolve expressions in.
#[derive(Debug, Clone, Default)]
pub struct AppTemplates {
    /// The stacks, in the assembly's order.
    pub stacks: Vec<StackTemplate>,
    /// Account and region.
    pub env: Environment,
    /// The Lambda crates of the assets: hash → `(package, binary)`.
    pub assets: HashMap<String, (String, String)>,
}

fn resources(t: &Json) -> Option<&JsonMap<String, Json>> {
    t.get("Resources").and_then(Json::as_object)
}

/// A resource's construct path: its `aws:cdk:path` without the trailing `/Resource`.
fn construct_path(resource: &Json) -> Option<&str> {
    let p = resource.get("Metadata")?.get("aws:cdk:path")?.as_str()?;
    Some(p.strip_suffix("/Resource").unwrap_or(p))
}

impl AppTemplates {
    /// The stacks of a synthesized assembly (names as they would be deployed).
    pub fn from_assembly(assembly: &constructs::CloudAssembly) -> Self {
        AppTemplates {
            stacks: assembly
                .stacks
                .iter()
                .map(|s| StackTemplate {
                    name: s.name.clone(),
                    template: s.template.clone(),
                    physical: HashMap::new(),
                })
                .collect(),
            env: Environment::default(),
            assets: assembly
                .stacks
                .iter()
                .flat_map(|s| &s.assets)
                .map(|a| (a.hash.clone(), (a.package.clone(), a.binary.clone())))
                .collect(),
        }
    }

    /// Synthesizes `app` (in memory) and takes its stacks; [`Error::Synth`] when it does not
    /// synthesize.
    pub fn from_app(app: &constructs::App) -> Result<Self, Error> {
        app.synth()
            .map(|a| Self::from_assembly(&a))
            .map_err(Error::Synth)
    }

    /// Every state machine: `(construct path, stack, logical id)`.
    pub fn machines(&self) -> Vec<(String, &str, &str)> {
        let mut out = Vec::new();
        for s in &self.stacks {
            for (id, r) in resources(&s.template).into_iter().flatten() {
                if r["Type"] == "AWS::StepFunctions::StateMachine" {
                    let path = construct_path(r)
                        .map_or_else(|| format!("{}/{id}", s.name), str::to_string);
                    out.push((path, s.name.as_str(), id.as_str()));
                }
            }
        }
        out
    }

    /// The machine a selector names: its construct path (`Stack/Machine`), `Stack/LogicalId`,
    /// or its name. [`Error::UnknownMachine`] lists the machines there are,
    /// [`Error::AmbiguousMachine`] those a name gives; [`Error::Machine`] holds what is wrong
    /// with the machine's definition.
    pub fn machine(&self, selector: &str) -> Result<AppMachine, Error> {
        let all = self.machines();
        let found: Vec<_> = all
            .iter()
            .filter(|(path, stack, id)| {
                path == selector
                    || format!("{stack}/{id}") == selector
                    || self
                        .stack(stack)
                        .is_some_and(|s| self.resource_name(s, id).as_deref() == Some(selector))
            })
            .collect();
        let (path, stack, id) = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(Error::UnknownMachine {
                    selector: selector.to_string(),
                    known: all.iter().map(|(p, _, _)| p.clone()).collect(),
                });
            }
            many => {
                return Err(Error::AmbiguousMachine {
                    selector: selector.to_string(),
                    matches: many.iter().map(|(p, _, _)| p.clone()).collect(),
                });
            }
        };
        let in_machine = |e: Error| Error::Machine {
            path: path.clone(),
            source: Box::new(e),
        };
        let s = self.stack(stack).ok_or_else(|| Error::UnknownStack {
            stack: stack.to_string(),
        })?;
        let props = &s.template["Resources"][id]["Properties"];
        let definition = self.definition_json(stack, id).map_err(in_machine)?;
        let definition = constructs::stepfunctions::asl::Definition::from_json(&definition)
            .map_err(|e| in_machine(Error::Parse(e)))?;
        let name = self
            .resource_name(s, id)
            .unwrap_or_else(|| format!("{}-{id}", s.name));
        let mut machine = Machine::new(name, definition);
        machine.express = props.get("StateMachineType").and_then(Json::as_str) == Some("EXPRESS");
        Ok(AppMachine {
            machine,
            path: path.clone(),
            functions: self.functions(),
        })
    }

    /// A state machine's definition as JSON, its `DefinitionSubstitutions` resolved and
    /// substituted (what Step Functions holds once CloudFormation created it).
    pub fn definition_json(&self, stack: &str, logical_id: &str) -> Result<Json, Error> {
        let s = self.stack(stack).ok_or_else(|| Error::UnknownStack {
            stack: stack.to_string(),
        })?;
        let props = &s.template["Resources"][logical_id]["Properties"];
        let definition = match (props.get("Definition"), props.get("DefinitionString")) {
            (Some(d), _) => d.clone(),
            (None, Some(text)) => {
                let text = self
                    .resolve_string(s, text)
                    .map_err(|e| e.at(logical_id, Some("DefinitionString".into())))?;
                serde_json::from_str(&text).map_err(|e| Error::DefinitionString {
                    stack: stack.to_string(),
                    logical_id: logical_id.to_string(),
                    message: e.to_string(),
                })?
            }
            _ => {
                return Err(Error::NoDefinition {
                    stack: stack.to_string(),
                    logical_id: logical_id.to_string(),
                })
            }
        };
        let mut subs = HashMap::new();
        if let Some(map) = props
            .get("DefinitionSubstitutions")
            .and_then(Json::as_object)
        {
            for (k, v) in map {
                let value = self
                    .resolve_string(s, v)
                    .map_err(|e| e.at(logical_id, Some(format!("DefinitionSubstitutions.{k}"))))?;
                subs.insert(k.clone(), value);
            }
        }
        Ok(substitute(&definition, &subs))
    }

    /// A resource's properties with their expressions resolved.
    pub fn resolved_properties(&self, stack: &str, logical_id: &str) -> Result<Json, Error> {
        let s = self.stack(stack).ok_or_else(|| Error::UnknownStack {
            stack: stack.to_string(),
        })?;
        self.resolve(s, &s.template["Resources"][logical_id]["Properties"])
            .map_err(|e| Error::from(e.at(logical_id, None)))
    }

    /// Every function of the app, by the ARN it would have.
    pub fn functions(&self) -> IndexMap<String, AppFunction> {
        let mut out = IndexMap::new();
        for s in &self.stacks {
            for (id, r) in resources(&s.template).into_iter().flatten() {
                if r["Type"] != "AWS::Lambda::Function" {
                    continue;
                }
                let props = &r["Properties"];
                let name = self
                    .resource_name(s, id)
                    .unwrap_or_else(|| format!("{}-{id}", s.name));
                let arn = format!(
                    "arn:aws:lambda:{}:{}:function:{name}",
                    self.env.region, self.env.account
                );
                let mut environment = IndexMap::new();
                if let Some(vars) = props
                    .get("Environment")
                    .and_then(|e| e.get("Variables"))
                    .and_then(Json::as_object)
                {
                    for (k, v) in vars {
                        if let Ok(text) = self.resolve_string(s, v) {
                            environment.insert(k.clone(), text);
                        }
                    }
                }
                let asset = props
                    .get("Code")
                    .and_then(|c| c.get("S3Key"))
                    .and_then(Json::as_str)
                    .map(|k| k.trim_end_matches(".zip").to_string());
                out.insert(
                    arn.clone(),
                    AppFunction {
                        path: construct_path(r)
                            .map_or_else(|| format!("{}/{id}", s.name), str::to_string),
                        logical_id: id.clone(),
                        name,
                        arn,
                        environment,
                        timeout_seconds: props.get("Timeout").and_then(Json::as_u64).unwrap_or(3),
                        crate_binary: asset.as_ref().and_then(|a| self.assets.get(a).cloned()),
                        asset,
                    },
                );
            }
        }
        out
    }

    fn stack(&self, name: &str) -> Option<&StackTemplate> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// The physical name of a resource: deployed, or given in the template.
    fn resource_name(&self, s: &StackTemplate, id: &str) -> Option<String> {
        if let Some(p) = s.physical.get(id) {
            // a deployed machine's or function's physical id may be its ARN
            return Some(p.rsplit([':', '/']).next().unwrap_or(p).to_string());
        }
        let r = resources(&s.template)?.get(id)?;
        let key = match r["Type"].as_str()? {
            "AWS::Lambda::Function" => "FunctionName",
            "AWS::StepFunctions::StateMachine" => "StateMachineName",
            "AWS::DynamoDB::Table" => "TableName",
            "AWS::S3::Bucket" => "BucketName",
            "AWS::IAM::Role" => "RoleName",
            "AWS::Logs::LogGroup" => "LogGroupName",
            "AWS::SQS::Queue" => "QueueName",
            "AWS::SNS::Topic" => "TopicName",
            "AWS::Events::EventBus" => "Name",
            "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
            _ => return None,
        };
        r["Properties"]
            .get(key)
            .and_then(Json::as_str)
            .map(str::to_string)
    }

    /// The name a resource has, or the one rcdk gives it locally: `<stack>-<logical id>`
    /// (lowercase for a bucket, as S3 requires).
    fn name_or_generated(&self, s: &StackTemplate, id: &str) -> String {
        self.resource_name(s, id).unwrap_or_else(|| {
            let name = format!("{}-{id}", s.name);
            let bucket = resources(&s.template)
                .and_then(|r| r.get(id))
                .is_some_and(|r| r["Type"] == "AWS::S3::Bucket");
            if bucket {
                name.to_lowercase()
            } else {
                name
            }
        })
    }

    /// `Ref` of a resource: what CloudFormation gives for its type.
    fn reference(&self, s: &StackTemplate, id: &str) -> Result<String, Unresolved> {
        match id {
            "AWS::Region" => return Ok(self.env.region.clone()),
            "AWS::AccountId" => return Ok(self.env.account.clone()),
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            "AWS::StackName" => return Ok(s.name.clone()),
            "AWS::StackId" => {
                return Ok(format!(
                    "arn:aws:cloudformation:{}:{}:stack/{}/local",
                    self.env.region, self.env.account, s.name
                ))
            }
            "AWS::NoValue" => return Ok(String::new()),
            _ => {}
        }
        if let Some(p) = s.template.get("Parameters").and_then(|p| p.get(id)) {
            return p
                .get("Default")
                .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_string))
                .ok_or_else(|| {
                    unresolved(
                        s,
                        Unresolvable::NoDefault {
                            parameter: id.to_string(),
                        },
                    )
                });
        }
        let r = resources(&s.template)
            .and_then(|r| r.get(id))
            .ok_or_else(|| {
                unresolved(
                    s,
                    Unresolvable::RefNotInStack {
                        id: id.to_string(),
                        stack: s.name.clone(),
                    },
                )
            })?;
        let ty = r["Type"].as_str().unwrap_or_default();
        Ok(match ty {
            // these types' Ref is their ARN
            "AWS::StepFunctions::StateMachine" | "AWS::SNS::Topic" | "AWS::IAM::ManagedPolicy" => {
                self.attribute(s, id, "Arn")?
            }
            "AWS::SQS::Queue" => format!(
                "https://sqs.{}.amazonaws.com/{}/{}",
                self.env.region,
                self.env.account,
                self.name_or_generated(s, id)
            ),
            _ => match s.physical.get(id) {
                Some(p) => p.clone(),
                None => self.name_or_generated(s, id),
            },
        })
    }

    /// `Fn::GetAtt` of a resource.
    fn attribute(&self, s: &StackTemplate, id: &str, attr: &str) -> Result<String, Unresolved> {
        let r = resources(&s.template)
            .and_then(|r| r.get(id))
            .ok_or_else(|| {
                unresolved(
                    s,
                    Unresolvable::GetAttNotInStack {
                        id: id.to_string(),
                        stack: s.name.clone(),
                    },
                )
            })?;
        let ty = r["Type"].as_str().unwrap_or_default();
        let name = self.name_or_generated(s, id);
        let (region, account) = (&self.env.region, &self.env.account);
        Ok(match (ty, attr) {
            ("AWS::Lambda::Function", "Arn") => {
                format!("arn:aws:lambda:{region}:{account}:function:{name}")
            }
            ("AWS::StepFunctions::StateMachine", "Arn") => {
                format!("arn:aws:states:{region}:{account}:stateMachine:{name}")
            }
            ("AWS::StepFunctions::StateMachine", "Name") => name,
            ("AWS::DynamoDB::Table", "Arn") => {
                format!("arn:aws:dynamodb:{region}:{account}:table/{name}")
            }
            ("AWS::DynamoDB::Table", "StreamArn") => {
                format!("arn:aws:dynamodb:{region}:{account}:table/{name}/stream/local")
            }
            ("AWS::S3::Bucket", "Arn") => format!("arn:aws:s3:::{name}"),
            ("AWS::S3::Bucket", "DomainName") => format!("{name}.s3.amazonaws.com"),
            ("AWS::IAM::Role", "Arn") => format!("arn:aws:iam::{account}:role/{name}"),
            ("AWS::Logs::LogGroup", "Arn") => {
                format!("arn:aws:logs:{region}:{account}:log-group:{name}:*")
            }
            ("AWS::SQS::Queue", "Arn") => format!("arn:aws:sqs:{region}:{account}:{name}"),
            ("AWS::SQS::Queue", "QueueName") => name,
            ("AWS::SNS::Topic", "TopicArn") | ("AWS::SNS::Topic", "Arn") => {
                format!("arn:aws:sns:{region}:{account}:{name}")
            }
            ("AWS::Events::EventBus", "Arn") => {
                format!("arn:aws:events:{region}:{account}:event-bus/{name}")
            }
            ("AWS::Lambda::Url", "FunctionUrl") => {
                format!("https://{id}.lambda-url.{region}.on.aws/")
            }
            ("AWS::IAM::ManagedPolicy", "Arn") => format!("arn:aws:iam::{account}:policy/{name}"),
            (_, "Arn") => format!("arn:aws:{}:{region}:{account}:{name}", service_of(ty)),
            _ => {
                return Err(unresolved(
                    s,
                    Unresolvable::Attribute {
                        id: id.to_string(),
                        attribute: attr.to_string(),
                        type_name: ty.to_string(),
                    },
                ))
            }
        })
    }

    /// A CloudFormation expression as the text it resolves to.
    pub fn resolve_string(&self, s: &StackTemplate, v: &Json) -> Result<String, Unresolved> {
        match self.resolve(s, v)? {
            Json::String(t) => Ok(t),
            other => Ok(other.to_string()),
        }
    }

    /// A CloudFormation value with its expressions resolved; [`Unresolved`] names the stack
    /// and why (the caller adds the resource and property).
    pub fn resolve(&self, s: &StackTemplate, v: &Json) -> Result<Json, Unresolved> {
        let malformed =
            |function, shape| unresolved(s, Unresolvable::Malformed { function, shape });
        let Some(map) = v.as_object() else {
            return match v {
                Json::Array(items) => items
                    .iter()
                    .map(|i| self.resolve(s, i))
                    .collect::<Result<_, _>>()
                    .map(Json::Array),
                other => Ok(other.clone()),
            };
        };
        if let (1, Some((k, arg))) = (map.len(), map.iter().next()) {
            match k.as_str() {
                "Ref" => {
                    return self
                        .reference(s, arg.as_str().unwrap_or_default())
                        .map(Json::String)
                }
                "Fn::GetAtt" => {
                    let (id, attr) = match arg {
                        Json::Array(a) if a.len() == 2 => (
                            a[0].as_str().unwrap_or_default().to_string(),
                            a[1].as_str().unwrap_or_default().to_string(),
                        ),
                        Json::String(t) => match t.split_once('.') {
                            Some((a, b)) => (a.to_string(), b.to_string()),
                            None => {
                                return Err(unresolved(s, Unresolvable::NoAttribute(t.clone())))
                            }
                        },
                        _ => return Err(malformed("Fn::GetAtt", "[logical id, attribute]")),
                    };
                    return self.attribute(s, &id, &attr).map(Json::String);
                }
                "Fn::Sub" => return self.sub(s, arg).map(Json::String),
                "Fn::Join" => {
                    let (Some(sep), Some(items)) = (arg.get(0).and_then(Json::as_str), arg.get(1))
                    else {
                        return Err(malformed("Fn::Join", "[delimiter, [values]]"));
                    };
                    let items = match self.resolve(s, items)? {
                        Json::Array(a) => a,
                        _ => return Err(malformed("Fn::Join", "[delimiter, [values]]")),
                    };
                    let parts: Vec<String> = items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect();
                    return Ok(Json::String(parts.join(sep)));
                }
                "Fn::Select" => {
                    let index = arg.get(0).and_then(|i| {
                        i.as_u64()
                            .or_else(|| i.as_str().and_then(|t| t.parse().ok()))
                    });
                    let list = self.resolve(s, arg.get(1).unwrap_or(&Json::Null))?;
                    return match (index, list) {
                        (Some(i), Json::Array(a)) => usize::try_from(i)
                            .ok()
                            .and_then(|i| a.get(i))
                            .cloned()
                            .ok_or_else(|| unresolved(s, Unresolvable::OutOfRange(i))),
                        _ => Err(malformed("Fn::Select", "[index, [values]]")),
                    };
                }
                "Fn::ImportValue" => {
                    let name = self.resolve_string(s, arg)?;
                    return self.import(s, &name);
                }
                _ => {}
            }
        }
        let mut out = JsonMap::new();
        for (k, item) in map {
            out.insert(k.clone(), self.resolve(s, item)?);
        }
        Ok(Json::Object(out))
    }

    fn sub(&self, s: &StackTemplate, arg: &Json) -> Result<String, Unresolved> {
        let (text, vars) = match arg {
            Json::String(t) => (t.as_str(), None),
            Json::Array(a) if a.len() == 2 => (a[0].as_str().unwrap_or_default(), a[1].as_object()),
            _ => {
                return Err(unresolved(
                    s,
                    Unresolvable::Malformed {
                        function: "Fn::Sub",
                        shape: "a string or [string, {variables}]",
                    },
                ))
            }
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            if let Some(v) = vars.and_then(|m| m.get(name)) {
                out.push_str(&self.resolve_string(s, v)?);
            } else if let Some((id, attr)) = name.split_once('.') {
                out.push_str(&self.attribute(s, id, attr)?);
            } else {
                out.push_str(&self.reference(s, name)?);
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `Fn::ImportValue` in the stack `from`: the output another stack exports under `name`.
    fn import(&self, from: &StackTemplate, name: &str) -> Result<Json, Unresolved> {
        for s in &self.stacks {
            for (_, o) in s
                .template
                .get("Outputs")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
            {
                let Some(export) = o.get("Export").and_then(|e| e.get("Name")) else {
                    continue;
                };
                if self.resolve_string(s, export).ok().as_deref() == Some(name) {
                    return self.resolve(s, &o["Value"]);
                }
            }
        }
        Err(unresolved(from, Unresolvable::NoExport(name.to_string())))
    }
}

/// `reason`, in the stack `s` (the resource and property added by the caller that knows them).
fn unresolved(s: &StackTemplate, reason: Unresolvable) -> Unresolved {
    Unresolved {
        stack: s.name.clone(),
        logical_id: None,
        property: None,
        reason: Box::new(reason),
    }
}

fn service_of(ty: &str) -> String {
    ty.split("::").nth(1).unwrap_or_default().to_lowercase()
}

/// `${name}` in every string of a definition replaced by its substitution (as Step Functions
/// does with `DefinitionSubstitutions`).
fn substitute(v: &Json, subs: &HashMap<String, String>) -> Json {
    match v {
        Json::String(s) => Json::String(substitute_text(s, subs)),
        Json::Array(items) => Json::Array(items.iter().map(|i| substitute(i, subs)).collect()),
        // keys too: Step Functions substitutes in the definition's text
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, i)| (substitute_text(k, subs), substitute(i, subs)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn substitute_text(s: &str, subs: &HashMap<String, String>) -> String {
    let mut out = s.to_string();
    if out.contains("${") {
        for (k, value) in subs {
            out = out.replace(&format!("${{{k}}}"), value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app() -> AppTemplates {
        let template = json!({
            "Resources": {
                "FnA1": {"Type": "AWS::Lambda::Function", "Metadata": {"aws:cdk:path": "S/Fn/Resource"},
                    "Properties": {"FunctionName": "worker", "Timeout": 10, "Code": {"S3Key": "abc.zip"},
                        "Environment": {"Variables": {"TABLE": {"Ref": "T1"}, "REGION": {"Ref": "AWS::Region"}}}}},
                "T1": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
                "M1": {"Type": "AWS::StepFunctions::StateMachine", "Metadata": {"aws:cdk:path": "S/Flow/Resource"},
                    "Properties": {
                        "Definition": {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "${Fn}", "Parameters": {"TableName": "${Table}", "Arn.$": "$$.StateMachine.Id"}, "End": true}}},
                        "DefinitionSubstitutions": {"Fn": {"Fn::GetAtt": ["FnA1", "Arn"]}, "Table": {"Fn::Sub": "${T1}-x-${AWS::AccountId}"}},
                        "StateMachineType": "EXPRESS"}}
            }
        });
        AppTemplates {
            stacks: vec![StackTemplate {
                name: "S".into(),
                template,
                physical: HashMap::new(),
            }],
            env: Environment::default(),
            assets: HashMap::from([(
                "abc".to_string(),
                ("worker-crate".to_string(), "worker".to_string()),
            )]),
        }
    }

    #[test]
    fn a_machine_is_found_by_its_path_with_substitutions_resolved() {
        let app = app();
        let m = app.machine("S/Flow").unwrap();
        assert_eq!(m.machine.name, "S-M1");
        assert!(m.machine.express);
        let json = m.machine.definition.to_json().unwrap();
        assert_eq!(
            json["States"]["Call"]["Resource"],
            "arn:aws:lambda:us-east-1:123456789012:function:worker"
        );
        assert_eq!(
            json["States"]["Call"]["Parameters"]["TableName"],
            "S-T1-x-123456789012"
        );
        let f = &m.functions["arn:aws:lambda:us-east-1:123456789012:function:worker"];
        assert_eq!(f.path, "S/Fn");
        assert_eq!(f.environment["TABLE"], "S-T1");
        assert_eq!(f.environment["REGION"], "us-east-1");
        assert_eq!(f.asset.as_deref(), Some("abc"));
        assert_eq!(
            f.crate_binary,
            Some(("worker-crate".into(), "worker".into()))
        );
        assert_eq!(
            f.crate_binary,
            Some(("worker-crate".into(), "worker".into()))
        );
        assert_eq!(app.machine("S/M1").unwrap().path, "S/Flow");
    }

    #[test]
    fn deployed_physical_ids_win() {
        let mut app = app();
        app.stacks[0]
            .physical
            .insert("T1".into(), "S-T1-ABCDEF".into());
        let m = app.machine("S/Flow").unwrap();
        let json = m.machine.definition.to_json().unwrap();
        assert_eq!(
            json["States"]["Call"]["Parameters"]["TableName"],
            "S-T1-ABCDEF-x-123456789012"
        );
    }

    #[test]
    fn an_unknown_machine_lists_the_app_s_machines() {
        let e = app().machine("S/Nope").unwrap_err();
        assert_eq!(
            e.to_string(),
            "there is no state machine 'S/Nope'; the app's machines: S/Flow"
        );
        assert!(matches!(
            e,
            Error::UnknownMachine { selector, known } if selector == "S/Nope" && known == ["S/Flow"]
        ));
        let e = AppTemplates::default().machine("S/Nope").unwrap_err();
        assert_eq!(
            e.to_string(),
            "there is no state machine 'S/Nope': the app has none"
        );
    }

    #[test]
    fn an_expression_that_cannot_be_resolved_names_its_stack_resource_and_property() {
        let mut app = app();
        app.stacks[0].template["Resources"]["M1"]["Properties"]["DefinitionSubstitutions"]
            ["Table"] = json!({"Fn::GetAtt": ["T1", "NoSuchAttribute"]});
        let e = app.machine("S/Flow").unwrap_err();
        assert_eq!(
            e.to_string(),
            "S/Flow: DefinitionSubstitutions.Table: Fn::GetAtt T1.NoSuchAttribute (AWS::DynamoDB::Table) cannot be resolved locally"
        );
        let Error::Machine { path, source } = e else {
            panic!("{e:?}");
        };
        assert_eq!(path, "S/Flow");
        let Error::Unresolved(unresolved) = *source else {
            panic!("not an Unresolved");
        };
        assert_eq!(
            *unresolved,
            Unresolved {
                stack: "S".into(),
                logical_id: Some("M1".into()),
                property: Some("DefinitionSubstitutions.Table".into()),
                reason: Box::new(Unresolvable::Attribute {
                    id: "T1".into(),
                    attribute: "NoSuchAttribute".into(),
                    type_name: "AWS::DynamoDB::Table".into(),
                }),
            }
        );
        let e = app
            .resolve(&app.stacks[0], &json!({"Fn::ImportValue": "Nope"}))
            .unwrap_err();
        assert_eq!(*e.reason, Unresolvable::NoExport("Nope".into()));
        assert!(matches!(
            app.definition_json("Other", "M1"),
            Err(Error::UnknownStack { stack }) if stack == "Other"
        ));
    }
}
