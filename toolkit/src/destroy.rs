//! `destroy`: deletes stacks (the caller orders them, dependents first), follows each
//! deletion, refuses termination-protected stacks and says which retained resources stay.

use aws_sdk_cloudformation::types::StackStatus;
use serde_json::Value as Json;

use crate::aws::Aws;
use crate::cfn::{deployed_template, describe, failure_report, follow, newest_event, Wait};
use crate::deploy::InFlight;
use crate::error::DeployError;
use crate::template::TemplateView;
use crate::ui::Ui;

/// What deleting a stack did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destroyed {
    /// There was no such stack.
    NotDeployed,
    /// Deleted; the retained resources that stay (logical id, type, physical id).
    Deleted(Vec<(String, String, String)>),
}

/// The logical ids and types of the template's resources that CloudFormation keeps on delete.
pub fn retained(template: &Json) -> Vec<(String, String)> {
    TemplateView::new(template)
        .resources()
        .filter(|r| r.is_retained())
        .map(|r| (r.logical_id.to_string(), r.kind().to_string()))
        .collect()
}

/// Deletes one stack and waits for the end.
pub async fn destroy_stack(
    aws: &Aws,
    ui: &Ui,
    name: &str,
    wait: &Wait,
    in_flight: &InFlight,
) -> Result<Destroyed, DeployError> {
    let Some(stack) = describe(aws, name).await? else {
        ui.line(format!("{name}: not deployed, nothing to delete"));
        return Ok(Destroyed::NotDeployed);
    };
    if stack.enable_termination_protection().unwrap_or(false) {
        return Err(DeployError::Protected {
            stack: name.to_string(),
        });
    }
    let template = deployed_template(aws, name).await?.unwrap_or(Json::Null);
    let keep = retained(&template);
    let mut kept = Vec::new();
    if !keep.is_empty() {
        // every page: a stack may have 500 resources, DescribeStackResources answers 100
        let resources = crate::cfn::physical_ids(aws, name)
            .await?
            .unwrap_or_default();
        for (id, kind) in keep {
            let physical = resources
                .get(&id)
                .map(String::as_str)
                .unwrap_or("(not created)")
                .to_string();
            kept.push((id, kind, physical));
        }
    }
    let total = TemplateView::new(&template).resource_count();
    let after = newest_event(aws, name).await.ok().flatten();
    // the stack id, not the name: the name stops resolving once the stack is deleted
    let target = stack.stack_id().unwrap_or(name).to_string();
    if let Ok(mut f) = in_flight.lock() {
        f.insert(name.to_string());
    }
    let deleted = aws
        .cfn
        .delete_stack()
        .stack_name(&target)
        .client_request_token(format!(
            "rcdk-destroy-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        ))
        .send()
        .await;
    if let Err(e) = deleted {
        if let Ok(mut f) = in_flight.lock() {
            f.remove(name);
        }
        return Err(aws.error("DeleteStack", Some(name), e));
    }
    let followed = follow(aws, ui, &target, "delete", after, total, wait).await;
    if let Ok(mut f) = in_flight.lock() {
        f.remove(name);
    }
    let (status, events) = followed?;
    if status != StackStatus::DeleteComplete {
        for line in failure_report(&events) {
            ui.line(format!("{name}: {line}"));
        }
        return Err(DeployError::StackFailed {
            stack: name.to_string(),
            status: status.as_str().to_string(),
            help: format!(
                "delete what blocks it, then: aws cloudformation delete-stack --stack-name {name} (or keep it: add --retain-resources <LogicalId>)"
            ),
        });
    }
    ui.line(format!("{name}: deleted"));
    for (id, kind, physical) in &kept {
        ui.line(format!(
            "{name}: retained, stays in the account: {id} ({kind}) {physical}"
        ));
    }
    Ok(Destroyed::Deleted(kept))
}

/// One stack to delete: its name, connection, and the stacks of the selection it depends on
/// (those are deleted after it).
pub struct ToDestroy {
    pub name: String,
    pub aws: Aws,
    pub dependencies: Vec<String>,
}

/// Deletes the stacks, up to `concurrency` at once, each once every stack of the selection
/// that depends on it is gone; a stack whose deletion failed keeps the stacks it depends on
/// (they are not started: it still needs them; each kept stack is said), the others go on.
/// Returns the failures.
pub async fn destroy_all(
    ui: &Ui,
    stacks: Vec<ToDestroy>,
    wait: &Wait,
    concurrency: usize,
    in_flight: &InFlight,
) -> Vec<(String, DeployError)> {
    use std::collections::{HashMap, HashSet};
    let names: HashSet<String> = stacks.iter().map(|s| s.name.clone()).collect();
    // stack -> the stacks of the selection that depend on it
    let mut dependents: HashMap<String, Vec<String>> = HashMap::new();
    for s in &stacks {
        for d in s.dependencies.iter().filter(|d| names.contains(*d)) {
            dependents
                .entry(d.clone())
                .or_default()
                .push(s.name.clone());
        }
    }
    let mut pending = stacks;
    let mut finished: HashMap<String, bool> = HashMap::new();
    let mut failures = Vec::new();
    let mut running = tokio::task::JoinSet::new();
    loop {
        let mut i = 0;
        while i < pending.len() && running.len() < concurrency.max(1) {
            let waits_for = dependents.get(&pending[i].name);
            let waiting =
                waits_for.is_some_and(|list| list.iter().any(|d| !finished.contains_key(d)));
            if waiting {
                i += 1;
                continue;
            }
            let stack = pending.remove(i);
            if let Some(failed) =
                waits_for.and_then(|list| list.iter().find(|d| finished.get(*d) == Some(&false)))
            {
                ui.line(format!(
                    "{}: kept, {failed} depends on it and was not deleted",
                    stack.name
                ));
                finished.insert(stack.name.clone(), false);
                continue;
            }
            let (ui, wait, in_flight) = (ui.clone(), *wait, in_flight.clone());
            running.spawn(async move {
                let r = destroy_stack(&stack.aws, &ui, &stack.name, &wait, &in_flight).await;
                (stack.name, r)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((name, Ok(_))) => {
                finished.insert(name, true);
            }
            Ok((name, Err(e))) => {
                finished.insert(name.clone(), false);
                failures.push((name, e));
            }
            Err(e) => failures.push((
                "?".to_string(),
                DeployError::Template {
                    stack: "?".to_string(),
                    message: format!("a destroy task ended abnormally: {e}"),
                },
            )),
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn retained_resources_are_the_ones_with_a_keeping_deletion_policy() {
        let t = json!({"Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "Table": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Delete"},
            "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "RetainExceptOnCreate"},
            "Fn": {"Type": "AWS::Lambda::Function"}
        }});
        assert_eq!(
            retained(&t),
            vec![
                ("Bucket".to_string(), "AWS::S3::Bucket".to_string()),
                ("Logs".to_string(), "AWS::Logs::LogGroup".to_string())
            ]
        );
    }
}
