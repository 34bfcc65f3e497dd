//! The deploy engine: one stack at a time through a change set (skip when nothing changed,
//! refuse blocked stacks, capabilities from the template, approval, execute, follow the events,
//! report the root cause of a failure), and the whole selection in dependency order with
//! independent stacks in parallel. The CloudFormation calls are in `cfn`, the plan in `plan`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudformation::types::{
    Capability, ChangeSetType, Parameter, Stack, StackStatus, Tag,
};
use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::approval::{self, RequireApproval};
use crate::aws::Aws;
use crate::capabilities;
use crate::cfn::{
    delete_change_set, deployed_template, describe, failure_report, follow, is_success,
    nested_failures, newest_event, outputs_of, status_of, sync_termination_protection,
    wait_for_change_set, wait_until_stable, ChangeSetResult, Wait,
};
use crate::error::DeployError;
use crate::plan::{declared_parameters, is_unchanged, summary, StackPlan};
use crate::status::{classify, StackState};
use crate::ui::{status_style, Ui};

/// How deploy goes.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub require_approval: RequireApproval,
    pub no_rollback: bool,
    pub force: bool,
    pub concurrency: usize,
    /// Between two polls of a change set or a stack.
    pub poll: Duration,
    /// The most one stack's operation (or a change set) is waited for (`--timeout`).
    pub timeout: Duration,
}

impl DeployOptions {
    /// How to wait on CloudFormation.
    pub fn wait(&self) -> Wait {
        Wait {
            poll: self.poll,
            timeout: self.timeout,
        }
    }
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            require_approval: RequireApproval::Broadening,
            no_rollback: false,
            force: false,
            concurrency: 4,
            poll: Wait::default().poll,
            timeout: Wait::default().timeout,
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

/// Whether the stack exists and may be updated (`false`: create it); a blocked or unknown
/// status is an error with what to do.
fn updatable(name: &str, state: StackState) -> Result<bool, DeployError> {
    match state {
        StackState::Ready => Ok(true),
        StackState::Absent | StackState::InReview => Ok(false),
        StackState::Blocked {
            status,
            reason,
            recover,
        } => Err(DeployError::Blocked {
            stack: name.to_string(),
            status,
            reason,
            recover,
        }),
        StackState::Unknown { status } | StackState::Busy { status } => {
            Err(DeployError::UnknownStatus {
                stack: name.to_string(),
                status,
            })
        }
    }
}

/// The change set's parameters: ours, else the previous value (update), else the template's
/// default; a parameter with none of these is an error naming the flag that gives it.
fn change_set_parameters(
    plan: &StackPlan,
    current: Option<&Stack>,
    exists: bool,
) -> Result<Vec<Parameter>, DeployError> {
    let name = plan.name.as_str();
    let previous: HashSet<&str> = current
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
    Ok(parameters)
}

/// A created change set: its id, and the name that is also its client token.
struct ChangeSet {
    id: String,
    name: String,
}

/// Creates the change set (`CREATE` or `UPDATE`) with the capabilities the template needs.
async fn create_change_set(
    aws: &Aws,
    plan: &StackPlan,
    template_url: Option<&str>,
    exists: bool,
    parameters: Vec<Parameter>,
) -> Result<ChangeSet, DeployError> {
    let name = plan.name.as_str();
    let tags: Vec<Tag> = plan
        .tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    // a nested stack's IAM resources are acknowledged on its parent's change set
    let templates = std::iter::once(&plan.template).chain(plan.nested.iter().map(|n| &n.template));
    let capabilities: Vec<Capability> = capabilities::required_all(templates)
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
        .change_set_type(kind)
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
        .map_err(|e| aws.error("CreateChangeSet", Some(name), e))?;
    Ok(ChangeSet {
        id: created.id().unwrap_or(&change_set_name).to_string(),
        name: change_set_name,
    })
}

/// Asks for approval when `--require-approval` wants it; a refusal, or no terminal to ask
/// on, deletes the change set and fails naming why.
async fn approve(
    aws: &Aws,
    ui: &Ui,
    opts: &DeployOptions,
    plan: &StackPlan,
    change_set: &ChangeSet,
    changes: &[approval::ResourceChange],
    deployed: Option<&Json>,
) -> Result<(), DeployError> {
    let name = plan.name.as_str();
    let empty = Json::Object(Default::default());
    let Some(reason) = approval::reason(
        opts.require_approval,
        changes,
        deployed.unwrap_or(&empty),
        &plan.template,
    ) else {
        return Ok(());
    };
    if !ui.interactive() {
        let _ = delete_change_set(aws, name, &change_set.id).await;
        return Err(DeployError::ApprovalNeeded {
            stack: name.to_string(),
            reason,
        });
    }
    ui.line(format!("{name} needs your approval:\n{reason}"));
    if !ui.confirm(&format!("Deploy {name}?")) {
        let _ = delete_change_set(aws, name, &change_set.id).await;
        return Err(DeployError::Declined {
            stack: name.to_string(),
        });
    }
    Ok(())
}

/// Executes the change set and follows the stack until its operation ends; a failed
/// operation is reported (root cause first) and is an error.
#[allow(clippy::too_many_arguments)]
async fn execute(
    aws: &Aws,
    ui: &Ui,
    plan: &StackPlan,
    change_set: &ChangeSet,
    verb: &str,
    changes: usize,
    opts: &DeployOptions,
    in_flight: &InFlight,
) -> Result<StackStatus, DeployError> {
    let name = plan.name.as_str();
    let after = newest_event(aws, name).await?;
    if let Ok(mut f) = in_flight.lock() {
        f.insert(name.to_string());
    }
    let executed = aws
        .cfn
        .execute_change_set()
        .change_set_name(&change_set.id)
        .stack_name(name)
        .client_request_token(&change_set.name)
        .disable_rollback(opts.no_rollback)
        .send()
        .await;
    if let Err(e) = executed {
        if let Ok(mut f) = in_flight.lock() {
            f.remove(name);
        }
        // e.g. another deploy of the stack won: this change set can never run, so it goes
        let _ = delete_change_set(aws, name, &change_set.id).await;
        return Err(aws.error("ExecuteChangeSet", Some(name), e));
    }
    let followed = follow(aws, ui, name, verb, after, changes, &opts.wait()).await;
    if let Ok(mut f) = in_flight.lock() {
        f.remove(name);
    }
    let (status, events) = followed?;
    if !is_success(&status) {
        for line in failure_report(&events) {
            ui.line(format!("{name}: {line}"));
        }
        for (nested, lines) in nested_failures(aws, &events).await {
            for line in lines {
                ui.line(format!("{name}/{nested} (nested): {line}"));
            }
        }
        ui.line(format!(
            "{name}: final status {}",
            status_style(status.as_str()).apply_to(status.as_str())
        ));
        return Err(DeployError::StackFailed {
            stack: name.to_string(),
            status: status.as_str().to_string(),
            help: format!(
                "every event: aws cloudformation describe-stack-events --stack-name {name}"
            ),
        });
    }
    Ok(status)
}

/// Deploys one stack ([`deploy_template`]), then publishes its folders
/// ([`crate::publish`]): also when the template is unchanged, since files may have changed.
pub async fn deploy_stack(
    aws: &Aws,
    ui: &Ui,
    plan: &StackPlan,
    template_url: Option<&str>,
    opts: &DeployOptions,
    in_flight: &InFlight,
) -> Result<StackResult, DeployError> {
    let mut result = deploy_template(aws, ui, plan, template_url, opts, in_flight).await?;
    let started = Instant::now();
    publish_folders(aws, ui, plan, opts).await?;
    result.seconds += started.elapsed().as_secs_f64();
    Ok(result)
}

/// Publishes the folders of a deployed stack ([`crate::publish`]), one after another.
pub async fn publish_folders(
    aws: &Aws,
    ui: &Ui,
    plan: &StackPlan,
    opts: &DeployOptions,
) -> Result<(), DeployError> {
    if plan.folders.is_empty() {
        return Ok(());
    }
    let Some(root) = &plan.root else {
        return Err(DeployError::Template {
            stack: plan.name.clone(),
            message: "the stack publishes folders, but the assembly does not say where the app's workspace is; synthesize it with the app (`cargo run -- synth`)".into(),
        });
    };
    for entry in &plan.folders {
        crate::publish::publish_folder(aws, ui, &plan.name, root, entry, opts.poll, opts.timeout)
            .await?;
    }
    Ok(())
}

/// Deploys one stack's template: wait while it is busy, refuse it when blocked, skip it when
/// deployed as it is, else a change set (an empty one ends as "no changes"), approval,
/// execution. `template_url` is where the template was uploaded when it is too large to send
/// inline.
async fn deploy_template(
    aws: &Aws,
    ui: &Ui,
    plan: &StackPlan,
    template_url: Option<&str>,
    opts: &DeployOptions,
    in_flight: &InFlight,
) -> Result<StackResult, DeployError> {
    let started = Instant::now();
    let name = plan.name.as_str();
    let result = |outcome, outputs| StackResult {
        name: name.to_string(),
        outcome,
        outputs,
        seconds: started.elapsed().as_secs_f64(),
    };
    let current = wait_until_stable(aws, ui, name, &opts.wait()).await?;
    let exists = updatable(name, classify(name, current.as_ref().and_then(status_of)))?;
    let deployed = if exists {
        deployed_template(aws, name).await?
    } else {
        None
    };
    if let (Some(stack), true, false) = (&current, exists, opts.force) {
        if is_unchanged(plan, stack, deployed.as_ref()) {
            sync_termination_protection(aws, stack, plan.termination_protection).await?;
            ui.line(format!(
                "{name}: {} (template, parameters and tags as deployed)",
                console::Style::new().green().apply_to("no changes")
            ));
            return Ok(result(Outcome::Unchanged, outputs_of(stack)));
        }
    }

    let parameters = change_set_parameters(plan, current.as_ref(), exists)?;
    let change_set = create_change_set(aws, plan, template_url, exists, parameters).await?;
    let changes = match wait_for_change_set(aws, name, &change_set.id, &opts.wait()).await {
        Ok(ChangeSetResult::Ready(changes)) => changes,
        Ok(ChangeSetResult::Empty) => {
            delete_change_set(aws, name, &change_set.id).await?;
            if let Some(stack) = &current {
                sync_termination_protection(aws, stack, plan.termination_protection).await?;
            }
            ui.line(format!(
                "{name}: {} (the change set was empty and is deleted)",
                console::Style::new().green().apply_to("no changes")
            ));
            let outputs = describe(aws, name)
                .await?
                .map(|s| outputs_of(&s))
                .unwrap_or_default();
            return Ok(result(Outcome::NoChanges, outputs));
        }
        Err(e) => {
            // keep the account clean; the reason is in the error
            let _ = delete_change_set(aws, name, &change_set.id).await;
            return Err(e);
        }
    };
    for line in summary(name, &changes) {
        ui.line(line);
    }
    approve(
        aws,
        ui,
        opts,
        plan,
        &change_set,
        &changes,
        deployed.as_ref(),
    )
    .await?;
    let verb = if exists { "update" } else { "create" };
    let status = execute(
        aws,
        ui,
        plan,
        &change_set,
        verb,
        changes.len(),
        opts,
        in_flight,
    )
    .await?;
    let stack = describe(aws, name).await?;
    if let Some(s) = &stack {
        sync_termination_protection(aws, s, plan.termination_protection).await?;
    }
    Ok(result(
        Outcome::Deployed(status.as_str().to_string()),
        stack.as_ref().map(outputs_of).unwrap_or_default(),
    ))
}

/// Gives `plan` the values of the outputs its parameters are carried from, out of the
/// results of the stacks deployed before it.
fn fill_from_outputs(plan: &mut StackPlan, results: &[StackResult]) -> Result<(), DeployError> {
    for (parameter, stack, output) in &plan.from_outputs {
        let value = results
            .iter()
            .find(|r| &r.name == stack)
            .and_then(|r| r.outputs.get(output))
            .ok_or_else(|| DeployError::Template {
                stack: plan.name.clone(),
                message: format!(
                    "its parameter {parameter} takes the output {output} of {stack}, which {stack} has not got once deployed; deploy both together (`deploy {} {stack}`)",
                    plan.name
                ),
            })?;
        plan.parameters.retain(|(k, _)| k != parameter);
        plan.parameters.push((parameter.clone(), value.clone()));
    }
    Ok(())
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
    deploy_all_in(aws, &HashMap::new(), ui, plans, urls, opts, in_flight).await
}

/// [`deploy_all`] across environments: each stack through the connection `per_stack` names
/// for it (its account and region), else `aws`; stacks of different regions and accounts
/// run side by side within the same concurrency, in dependency order.
pub async fn deploy_all_in(
    aws: &Aws,
    per_stack: &HashMap<String, Aws>,
    ui: &Ui,
    plans: Vec<StackPlan>,
    urls: &HashMap<String, String>,
    opts: &DeployOptions,
    in_flight: &InFlight,
) -> (Vec<StackResult>, Vec<(String, DeployError)>) {
    let jobs = plans
        .into_iter()
        .map(|p| crate::schedule::Job {
            name: p.name.clone(),
            after: p.dependencies.clone(),
            item: p,
        })
        .collect();
    crate::schedule::in_order(
        jobs,
        opts.concurrency,
        "deploy",
        |mut plan: StackPlan, results: &[StackResult]| {
            // parameters carried from the outputs of stacks deployed before (in another
            // region); a missing one fails this stack, not the others
            fill_from_outputs(&mut plan, results)?;
            let aws = per_stack.get(&plan.name).unwrap_or(aws).clone();
            let (ui, opts, in_flight) = (ui.clone(), opts.clone(), in_flight.clone());
            let url = urls.get(&plan.name).cloned();
            Ok(async move { deploy_stack(&aws, &ui, &plan, url.as_deref(), &opts, &in_flight).await })
        },
        |name, failed| ui.line(format!("{name}: not deployed, its dependency {failed} failed")),
    )
    .await
}
