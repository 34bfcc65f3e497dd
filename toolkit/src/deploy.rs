//! The deploy engine: one stack at a time through a change set (skip when nothing changed,
//! refuse blocked stacks, capabilities from the template, approval, execute, follow the events,
//! report the root cause of a failure), and the whole selection in dependency order with
//! independent stacks in parallel.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudformation::primitives::DateTimeFormat;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, Parameter, Stack, StackEvent, Tag, TemplateStage,
};
use indexmap::IndexMap;
use serde_json::Value as Json;

use constructs::core::assembly::{to_json_text, MAX_INLINE_TEMPLATE_BYTES};
use constructs::SynthesizedStack;

use super::approval::{self, Action, Replacement, RequireApproval, ResourceChange};
use super::assets;
use super::aws::{aws_error, is_missing_stack, Aws};
use super::capabilities;
use super::error::DeployError;
use super::status::{classify, StackState};
use super::ui::{status_style, Ui};

/// One stack, ready to deploy.
#[derive(Debug, Clone)]
pub struct StackPlan {
    pub name: String,
    pub template: Json,
    /// The template as sent (or uploaded).
    pub body: String,
    /// Parameter values given on the command line for this stack.
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub termination_protection: bool,
    pub dependencies: Vec<String>,
}

/// A `--parameters` argument: `KEY=VALUE` (every stack that declares KEY) or
/// `STACK:KEY=VALUE` (that stack only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterArg {
    pub stack: Option<String>,
    pub key: String,
    pub value: String,
}

impl ParameterArg {
    pub fn parse(given: &str) -> Result<ParameterArg, DeployError> {
        let bad = |message: &str| DeployError::BadParameter {
            given: given.to_string(),
            message: message.to_string(),
        };
        let (name, value) = given
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=VALUE or STACK:KEY=VALUE"))?;
        let (stack, key) = match name.split_once(':') {
            Some((s, k)) => (Some(s.to_string()), k),
            None => (None, name),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("a parameter name is letters and digits only"));
        }
        Ok(ParameterArg {
            stack,
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

impl StackPlan {
    /// The plan of a synthesized stack with the `--parameters` that concern it.
    pub fn new(stack: &SynthesizedStack, parameters: &[ParameterArg]) -> StackPlan {
        let declared = declared_parameters(&stack.template);
        let parameters = parameters
            .iter()
            .filter(|p| p.stack.as_deref().is_none_or(|s| s == stack.name))
            .filter(|p| declared.contains_key(&p.key))
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect();
        StackPlan {
            name: stack.name.clone(),
            body: to_json_text(&stack.template),
            template: stack.template.clone(),
            parameters,
            tags: stack
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            termination_protection: stack.termination_protection,
            dependencies: stack.dependencies.clone(),
        }
    }

    pub fn resource_count(&self) -> usize {
        self.template
            .get("Resources")
            .and_then(Json::as_object)
            .map_or(0, |r| r.len())
    }
}

/// Every `--parameters` must name a parameter some selected stack declares.
pub fn check_parameters(
    stacks: &[&SynthesizedStack],
    parameters: &[ParameterArg],
) -> Result<(), DeployError> {
    for p in parameters {
        let targets: Vec<&&SynthesizedStack> = stacks
            .iter()
            .filter(|s| p.stack.as_deref().is_none_or(|n| n == s.name))
            .collect();
        let given = match &p.stack {
            Some(s) => format!("{s}:{}={}", p.key, p.value),
            None => format!("{}={}", p.key, p.value),
        };
        if targets.is_empty() {
            return Err(DeployError::BadParameter {
                given,
                message: format!(
                    "no selected stack is called {}",
                    p.stack.as_deref().unwrap_or_default()
                ),
            });
        }
        if !targets
            .iter()
            .any(|s| declared_parameters(&s.template).contains_key(&p.key))
        {
            return Err(DeployError::BadParameter {
                given,
                message: format!("no selected stack declares the parameter {}", p.key),
            });
        }
    }
    Ok(())
}

/// The template's parameters: name → whether it has a default.
fn declared_parameters(template: &Json) -> IndexMap<String, bool> {
    template
        .get("Parameters")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.get("Default").is_some()))
                .collect()
        })
        .unwrap_or_default()
}

/// How deploy goes.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub require_approval: RequireApproval,
    pub no_rollback: bool,
    pub force: bool,
    pub concurrency: usize,
    /// Between two polls of a change set or a stack.
    pub poll: Duration,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            require_approval: RequireApproval::Broadening,
            no_rollback: false,
            force: false,
            concurrency: 4,
            poll: Duration::from_secs(2),
        }
    }
}

/// What happened to a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Deployed template, parameters and tags equal ours: nothing sent.
    Unchanged,
    /// The change set held no change.
    NoChanges,
    /// A change set was executed; the final status.
    Deployed(String),
}

/// A deployed stack.
#[derive(Debug, Clone, PartialEq)]
pub struct StackResult {
    pub name: String,
    pub outcome: Outcome,
    pub outputs: IndexMap<String, String>,
    pub seconds: f64,
}

/// The stacks with a CloudFormation operation running (what Ctrl-C must tell about).
pub type InFlight = Arc<Mutex<BTreeSet<String>>>;

/// A stack as CloudFormation describes it (`None`: it does not exist).
pub async fn describe(aws: &Aws, name: &str) -> Result<Option<Stack>, DeployError> {
    match aws.cfn.describe_stacks().stack_name(name).send().await {
        Ok(out) => Ok(out.stacks().first().cloned()),
        Err(e) if is_missing_stack(&e) => Ok(None),
        Err(e) => Err(aws_error("DescribeStacks", Some(name), e)),
    }
}

/// The template CloudFormation holds for the stack, parsed (`None` when it is not JSON).
pub async fn deployed_template(aws: &Aws, name: &str) -> Result<Option<Json>, DeployError> {
    let out = aws
        .cfn
        .get_template()
        .stack_name(name)
        .template_stage(TemplateStage::Original)
        .send()
        .await
        .map_err(|e| aws_error("GetTemplate", Some(name), e))?;
    Ok(out
        .template_body()
        .and_then(|b| serde_json::from_str(b).ok()))
}

/// The stack's outputs.
pub fn outputs_of(stack: &Stack) -> IndexMap<String, String> {
    stack
        .outputs()
        .iter()
        .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
        .collect()
}

fn status_of(stack: &Stack) -> Option<&str> {
    stack.stack_status().map(|s| s.as_str())
}

/// Whether the deployed stack already has our template, parameters and tags.
pub fn is_unchanged(plan: &StackPlan, stack: &Stack, deployed: Option<&Json>) -> bool {
    if deployed != Some(&plan.template) {
        return false;
    }
    let current: HashMap<&str, &str> = stack
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?, p.parameter_value()?)))
        .collect();
    if plan
        .parameters
        .iter()
        .any(|(k, v)| current.get(k.as_str()) != Some(&v.as_str()))
    {
        return false;
    }
    let tags: BTreeSet<(&str, &str)> = stack
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?, t.value()?)))
        .collect();
    let ours: BTreeSet<(&str, &str)> = plan
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    tags == ours
}

/// Waits while an operation runs on the stack; returns it once stable (or gone).
async fn wait_until_stable(
    aws: &Aws,
    ui: &Ui,
    name: &str,
    poll: Duration,
) -> Result<Option<Stack>, DeployError> {
    let mut told = false;
    loop {
        let stack = describe(aws, name).await?;
        let status = stack.as_ref().and_then(status_of);
        match classify(name, status) {
            StackState::Busy { status } => {
                if !told {
                    ui.line(format!(
                        "{name}: {status}; waiting for that operation to end"
                    ));
                    told = true;
                }
                tokio::time::sleep(poll.max(Duration::from_millis(10))).await;
            }
            _ => return Ok(stack),
        }
    }
}

/// A change set's resource changes, and whether it held none.
#[derive(Debug)]
enum ChangeSetResult {
    Ready(Vec<ResourceChange>),
    Empty,
}

fn is_empty_change_set_reason(reason: &str) -> bool {
    reason.contains("didn't contain changes")
        || reason.contains("No updates are to be performed")
        || reason.contains("submitted information didn't contain changes")
}

async fn wait_for_change_set(
    aws: &Aws,
    stack: &str,
    id: &str,
    poll: Duration,
) -> Result<ChangeSetResult, DeployError> {
    loop {
        let out = aws
            .cfn
            .describe_change_set()
            .change_set_name(id)
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| aws_error("DescribeChangeSet", Some(stack), e))?;
        match out.status() {
            Some(ChangeSetStatus::CreateComplete) => break,
            Some(ChangeSetStatus::Failed) => {
                let reason = out.status_reason().unwrap_or("no reason given").to_string();
                if is_empty_change_set_reason(&reason) {
                    return Ok(ChangeSetResult::Empty);
                }
                return Err(DeployError::ChangeSet {
                    stack: stack.to_string(),
                    reason,
                });
            }
            _ => tokio::time::sleep(poll).await,
        }
    }
    let mut changes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = aws
            .cfn
            .describe_change_set()
            .change_set_name(id)
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws_error("DescribeChangeSet", Some(stack), e))?;
        for c in out.changes() {
            let Some(rc) = c.resource_change() else {
                continue;
            };
            let action = match rc.action().map(|a| a.as_str()) {
                Some("Add") => Action::Add,
                Some("Remove") => Action::Remove,
                Some("Import") => Action::Import,
                Some("Dynamic") => Action::Dynamic,
                _ => Action::Modify,
            };
            let replacement = rc.replacement().map(|r| match r.as_str() {
                "True" => Replacement::True,
                "Conditional" => Replacement::Conditional,
                _ => Replacement::False,
            });
            changes.push(ResourceChange {
                action,
                logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: rc.resource_type().unwrap_or_default().to_string(),
                replacement,
            });
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(ChangeSetResult::Ready(changes))
}

/// The change summary lines: one per resource, then the counts.
pub fn summary(stack: &str, changes: &[ResourceChange]) -> Vec<String> {
    let mut lines = Vec::new();
    let (mut add, mut modify, mut replace, mut remove) = (0, 0, 0, 0);
    for c in changes {
        let (mark, note) = match (c.action, c.replacement) {
            (Action::Add, _) => {
                add += 1;
                ("+", "")
            }
            (Action::Remove, _) => {
                remove += 1;
                ("-", "")
            }
            (Action::Modify, Some(Replacement::True)) => {
                modify += 1;
                replace += 1;
                ("~", " (replacement)")
            }
            (Action::Modify, Some(Replacement::Conditional)) => {
                modify += 1;
                replace += 1;
                ("~", " (may be replaced)")
            }
            _ => {
                modify += 1;
                ("~", "")
            }
        };
        let style = match mark {
            "+" => console::Style::new().green(),
            "-" => console::Style::new().red(),
            _ => console::Style::new().yellow(),
        };
        lines.push(format!(
            "  {} {} {}{note}",
            style.apply_to(mark),
            c.logical_id,
            c.resource_type
        ));
    }
    lines.push(format!(
        "{stack}: {add} to add, {modify} to modify ({replace} replaced), {remove} to remove"
    ));
    lines
}

/// A stack event, as far as deploy needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
    pub time: String,
}

impl Event {
    fn from_sdk(e: &StackEvent) -> Event {
        let time = e
            .timestamp()
            .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
            .map(|t| t.get(11..19).unwrap_or(&t).to_string())
            .unwrap_or_default();
        Event {
            id: e.event_id().unwrap_or_default().to_string(),
            logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
            resource_type: e.resource_type().unwrap_or_default().to_string(),
            status: e
                .resource_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            reason: e.resource_status_reason().unwrap_or_default().to_string(),
            time,
        }
    }

    fn is_stack(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack"
    }
}

/// The events newer than `after` (an event id), oldest first.
async fn events_since(
    aws: &Aws,
    stack: &str,
    after: Option<&str>,
    seen: &HashSet<String>,
) -> Result<Vec<Event>, DeployError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    'pages: loop {
        let page = aws
            .cfn
            .describe_stack_events()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws_error("DescribeStackEvents", Some(stack), e))?;
        for e in page.stack_events() {
            let id = e.event_id().unwrap_or_default();
            if Some(id) == after || seen.contains(id) {
                break 'pages;
            }
            out.push(Event::from_sdk(e));
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    out.reverse();
    Ok(out)
}

async fn newest_event(aws: &Aws, stack: &str) -> Result<Option<String>, DeployError> {
    let page = aws
        .cfn
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await;
    match page {
        Ok(p) => Ok(p
            .stack_events()
            .first()
            .and_then(|e| e.event_id())
            .map(str::to_string)),
        Err(e) if is_missing_stack(&e) => Ok(None),
        Err(e) => Err(aws_error("DescribeStackEvents", Some(stack), e)),
    }
}

/// What a failed operation's events say: every failed resource with its reason, the root
/// cause first (the earliest failure that is not a cancellation caused by another).
pub fn failure_report(events: &[Event]) -> Vec<String> {
    let failed: Vec<&Event> = events
        .iter()
        .filter(|e| e.status.ends_with("FAILED") && !e.is_stack())
        .collect();
    let consequence = |e: &&Event| {
        let r = e.reason.to_lowercase();
        r.contains("cancelled") || r.contains("canceled") || r.contains("following resource(s)")
    };
    let root = failed
        .iter()
        .position(|e| !consequence(e))
        .or(if failed.is_empty() { None } else { Some(0) });
    let mut lines = Vec::new();
    if let Some(i) = root {
        let e = failed[i];
        lines.push(format!(
            "root cause: {} ({}) {}: {}",
            e.logical_id, e.resource_type, e.status, e.reason
        ));
    }
    for (i, e) in failed.iter().enumerate() {
        if Some(i) != root {
            lines.push(format!(
                "  also: {} ({}) {}: {}",
                e.logical_id, e.resource_type, e.status, e.reason
            ));
        }
    }
    if lines.is_empty() {
        // no resource failed: the stack's own reason is all there is
        if let Some(e) = events
            .iter()
            .rev()
            .find(|e| e.is_stack() && !e.reason.is_empty())
        {
            lines.push(format!("reason: {}", e.reason));
        }
    }
    lines
}

fn success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE" | "DELETE_COMPLETE"
    )
}

/// Follows the stack's events until its operation ends; returns the final status and events.
pub async fn follow(
    aws: &Aws,
    ui: &Ui,
    stack: &str,
    verb: &str,
    after: Option<String>,
    total: usize,
    poll: Duration,
) -> Result<(String, Vec<Event>), DeployError> {
    let progress = ui.progress(stack, verb, total as u64);
    let mut seen = HashSet::new();
    let mut all: Vec<Event> = Vec::new();
    let mut latest: HashMap<String, String> = HashMap::new();
    loop {
        let described = describe(aws, stack).await?;
        let status = described
            .as_ref()
            .and_then(status_of)
            .unwrap_or("DELETE_COMPLETE")
            .to_string();
        let fresh = if described.is_some() {
            events_since(aws, stack, after.as_deref(), &seen).await?
        } else {
            Vec::new()
        };
        for e in fresh {
            seen.insert(e.id.clone());
            if !e.is_stack() {
                latest.insert(e.logical_id.clone(), e.status.clone());
            }
            let done = latest
                .values()
                .filter(|s| s.ends_with("_COMPLETE") || s.ends_with("SKIPPED"))
                .count() as u64;
            progress.event(
                done,
                &e.time,
                &e.status,
                &e.resource_type,
                &e.logical_id,
                &e.reason,
            );
            all.push(e);
        }
        if !status.ends_with("_IN_PROGRESS") {
            progress.finish(&status);
            return Ok((status, all));
        }
        tokio::time::sleep(poll).await;
    }
}

fn unique_name(stack: &str) -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    // [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters
    let clean: String = stack
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(80)
        .collect();
    format!("rcdk-{clean}-{millis}")
}

/// Deploys one stack. `template_url` is where the template was uploaded when it is too large
/// to send inline.
pub async fn deploy_stack(
    aws: &Aws,
    ui: &Ui,
    plan: &StackPlan,
    template_url: Option<&str>,
    opts: &DeployOptions,
    in_flight: &InFlight,
) -> Result<StackResult, DeployError> {
    let started = Instant::now();
    let name = plan.name.as_str();
    let current = wait_until_stable(aws, ui, name, opts.poll).await?;
    let state = classify(name, current.as_ref().and_then(status_of));
    let exists = match &state {
        StackState::Ready => true,
        StackState::Absent | StackState::InReview => false,
        StackState::Blocked {
            status,
            reason,
            recover,
        } => {
            return Err(DeployError::Blocked {
                stack: name.to_string(),
                status: status.clone(),
                reason: reason.clone(),
                recover: recover.clone(),
            })
        }
        StackState::Unknown { status } | StackState::Busy { status } => {
            return Err(DeployError::UnknownStatus {
                stack: name.to_string(),
                status: status.clone(),
            })
        }
    };
    let deployed = if exists {
        deployed_template(aws, name).await?
    } else {
        None
    };
    if let (Some(stack), false) = (&current, opts.force) {
        if exists && is_unchanged(plan, stack, deployed.as_ref()) {
            sync_termination_protection(aws, plan, stack).await?;
            ui.line(format!(
                "{name}: {} (template, parameters and tags as deployed)",
                console::Style::new().green().apply_to("no changes")
            ));
            return Ok(StackResult {
                name: name.to_string(),
                outcome: Outcome::Unchanged,
                outputs: outputs_of(stack),
                seconds: started.elapsed().as_secs_f64(),
            });
        }
    }

    // parameters: ours, else the previous value (update), else the template's default
    let previous: HashSet<&str> = current
        .as_ref()
        .map(|s| {
            s.parameters()
                .iter()
                .filter_map(|p| p.parameter_key())
                .collect()
        })
        .unwrap_or_default();
    let mut parameters = Vec::new();
    for (key, has_default) in declared_parameters(&plan.template) {
        if let Some((_, v)) = plan.parameters.iter().find(|(k, _)| *k == key) {
            parameters.push(
                Parameter::builder()
                    .parameter_key(&key)
                    .parameter_value(v)
                    .build(),
            );
        } else if exists && previous.contains(key.as_str()) {
            parameters.push(
                Parameter::builder()
                    .parameter_key(&key)
                    .use_previous_value(true)
                    .build(),
            );
        } else if !has_default {
            return Err(DeployError::BadParameter {
                given: String::new(),
                message: format!(
                    "stack {name} declares the parameter {key} without a default: give it with --parameters {name}:{key}=VALUE"
                ),
            });
        }
    }
    let tags: Vec<Tag> = plan
        .tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    let capabilities: Vec<Capability> = capabilities::required(&plan.template)
        .into_iter()
        .map(Capability::from)
        .collect();
    let change_set_name = unique_name(name);
    let kind = if exists {
        ChangeSetType::Update
    } else {
        ChangeSetType::Create
    };
    let mut request = aws
        .cfn
        .create_change_set()
        .stack_name(name)
        .change_set_name(&change_set_name)
        .change_set_type(kind.clone())
        .client_token(&change_set_name)
        .description("rcdk deploy")
        .set_parameters(Some(parameters))
        .set_tags(Some(tags))
        .set_capabilities(Some(capabilities));
    request = match template_url {
        Some(url) => request.template_url(url),
        None => request.template_body(&plan.body),
    };
    let created = request
        .send()
        .await
        .map_err(|e| aws_error("CreateChangeSet", Some(name), e))?;
    let id = created.id().unwrap_or(&change_set_name).to_string();
    let changes = match wait_for_change_set(aws, name, &id, opts.poll).await {
        Ok(ChangeSetResult::Ready(changes)) => changes,
        Ok(ChangeSetResult::Empty) => {
            delete_change_set(aws, name, &id).await?;
            if let Some(stack) = &current {
                sync_termination_protection(aws, plan, stack).await?;
            }
            ui.line(format!(
                "{name}: {} (the change set was empty and is deleted)",
                console::Style::new().green().apply_to("no changes")
            ));
            let outputs = describe(aws, name)
                .await?
                .map(|s| outputs_of(&s))
                .unwrap_or_default();
            return Ok(StackResult {
                name: name.to_string(),
                outcome: Outcome::NoChanges,
                outputs,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        Err(e) => {
            // keep the account clean; the reason is in the error
            let _ = delete_change_set(aws, name, &id).await;
            return Err(e);
        }
    };
    for line in summary(name, &changes) {
        ui.line(line);
    }
    let empty = Json::Object(Default::default());
    if let Some(reason) = approval::reason(
        opts.require_approval,
        &changes,
        deployed.as_ref().unwrap_or(&empty),
        &plan.template,
    ) {
        if !ui.interactive() {
            let _ = delete_change_set(aws, name, &id).await;
            return Err(DeployError::ApprovalNeeded {
                stack: name.to_string(),
                reason,
            });
        }
        ui.line(format!("{name} needs your approval:\n{reason}"));
        if !ui.confirm(&format!("Deploy {name}?")) {
            let _ = delete_change_set(aws, name, &id).await;
            return Err(DeployError::Declined {
                stack: name.to_string(),
            });
        }
    }

    let after = newest_event(aws, name).await?;
    if let Ok(mut f) = in_flight.lock() {
        f.insert(name.to_string());
    }
    let executed = aws
        .cfn
        .execute_change_set()
        .change_set_name(&id)
        .stack_name(name)
        .client_request_token(&change_set_name)
        .disable_rollback(opts.no_rollback)
        .send()
        .await;
    if let Err(e) = executed {
        if let Ok(mut f) = in_flight.lock() {
            f.remove(name);
        }
        return Err(aws_error("ExecuteChangeSet", Some(name), e));
    }
    let verb = if exists { "update" } else { "create" };
    let followed = follow(aws, ui, name, verb, after, changes.len(), opts.poll).await;
    if let Ok(mut f) = in_flight.lock() {
        f.remove(name);
    }
    let (status, events) = followed?;
    if !success(&status) {
        for line in failure_report(&events) {
            ui.line(format!("{name}: {line}"));
        }
        ui.line(format!(
            "{name}: final status {}",
            status_style(&status).apply_to(&status)
        ));
        return Err(DeployError::StackFailed {
            stack: name.to_string(),
            status,
            help: format!(
                "every event: aws cloudformation describe-stack-events --stack-name {name}"
            ),
        });
    }
    let stack = describe(aws, name).await?;
    if let Some(s) = &stack {
        sync_termination_protection(aws, plan, s).await?;
    }
    Ok(StackResult {
        name: name.to_string(),
        outcome: Outcome::Deployed(status),
        outputs: stack.as_ref().map(outputs_of).unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

async fn delete_change_set(aws: &Aws, stack: &str, id: &str) -> Result<(), DeployError> {
    aws.cfn
        .delete_change_set()
        .change_set_name(id)
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| aws_error("DeleteChangeSet", Some(stack), e))?;
    Ok(())
}

async fn sync_termination_protection(
    aws: &Aws,
    plan: &StackPlan,
    stack: &Stack,
) -> Result<(), DeployError> {
    if stack.enable_termination_protection().unwrap_or(false) == plan.termination_protection {
        return Ok(());
    }
    aws.cfn
        .update_termination_protection()
        .stack_name(&plan.name)
        .enable_termination_protection(plan.termination_protection)
        .send()
        .await
        .map_err(|e| aws_error("UpdateTerminationProtection", Some(&plan.name), e))?;
    Ok(())
}

/// Uploads the templates over 51,200 bytes to the bucket (under their hash, unless there
/// already) and returns the URL each stack must be deployed from.
pub async fn publish_templates(
    aws: &Aws,
    ui: &Ui,
    bucket: &str,
    plans: &[StackPlan],
) -> Result<HashMap<String, String>, DeployError> {
    let mut urls = HashMap::new();
    for plan in plans
        .iter()
        .filter(|p| p.body.len() > MAX_INLINE_TEMPLATE_BYTES)
    {
        let key = assets::template_key(&plan.body);
        if !assets::exists(aws, bucket, &key).await? {
            assets::upload(aws, bucket, &key, plan.body.clone().into_bytes()).await?;
        }
        ui.line(format!(
            "{}: template is {} bytes (over {MAX_INLINE_TEMPLATE_BYTES}): deploying it from s3://{bucket}/{key}",
            plan.name,
            plan.body.len()
        ));
        urls.insert(plan.name.clone(), assets::template_url(aws, bucket, &key));
    }
    Ok(urls)
}

/// Deploys the plans (in dependency order), up to `opts.concurrency` at once; a stack whose
/// dependency failed is not started. Returns what succeeded and what failed.
pub async fn deploy_all(
    aws: &Aws,
    ui: &Ui,
    plans: Vec<StackPlan>,
    urls: &HashMap<String, String>,
    opts: &DeployOptions,
    in_flight: &InFlight,
) -> (Vec<StackResult>, Vec<(String, DeployError)>) {
    let names: HashSet<String> = plans.iter().map(|p| p.name.clone()).collect();
    let mut pending = plans;
    let mut finished: HashMap<String, bool> = HashMap::new();
    let mut results = Vec::new();
    let mut failures = Vec::new();
    let mut running = tokio::task::JoinSet::new();
    loop {
        let mut i = 0;
        while i < pending.len() && running.len() < opts.concurrency.max(1) {
            let deps = &pending[i].dependencies;
            let waiting = deps
                .iter()
                .any(|d| names.contains(d) && !finished.contains_key(d));
            if waiting {
                i += 1;
                continue;
            }
            let plan = pending.remove(i);
            if let Some(failed) = plan
                .dependencies
                .iter()
                .find(|d| finished.get(*d) == Some(&false))
            {
                ui.line(format!(
                    "{}: not deployed, its dependency {failed} failed",
                    plan.name
                ));
                finished.insert(plan.name.clone(), false);
                continue;
            }
            let (aws, ui, opts, in_flight) =
                (aws.clone(), ui.clone(), opts.clone(), in_flight.clone());
            let url = urls.get(&plan.name).cloned();
            running.spawn(async move {
                let r = deploy_stack(&aws, &ui, &plan, url.as_deref(), &opts, &in_flight).await;
                (plan.name, r)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((name, Ok(result))) => {
                finished.insert(name, true);
                results.push(result);
            }
            Ok((name, Err(e))) => {
                finished.insert(name.clone(), false);
                failures.push((name, e));
            }
            Err(e) => failures.push((
                "?".to_string(),
                DeployError::Template {
                    stack: "?".to_string(),
                    message: format!("a deploy task ended abnormally: {e}"),
                },
            )),
        }
    }
    (results, failures)
}
