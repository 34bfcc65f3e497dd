//! `destroy`: deletes stacks (the caller orders them, dependents first), follows each
//! deletion, refuses termination-protected stacks and says which retained resources stay.

use aws_sdk_cloudformation::types::StackStatus;
use serde_json::Value as Json;

use crate::aws::Aws;
use crate::cfn::{
    deployed_template, describe, failure_report, follow, nested_failures, newest_event, Wait,
};
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
        for (nested, lines) in nested_failures(aws, &events).await {
            for line in lines {
                ui.line(format!("{name}/{nested} (nested): {line}"));
            }
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
    let names: std::collections::HashSet<String> = stacks.iter().map(|s| s.name.clone()).collect();
    // a stack goes after the stacks of the selection that depend on it
    let mut dependents: std::collections::HashMap<String, Vec<String>> = Default::default();
    for s in &stacks {
        for d in s.dependencies.iter().filter(|d| names.contains(*d)) {
            dependents
                .entry(d.clone())
                .or_default()
                .push(s.name.clone());
        }
    }
    let jobs = stacks
        .into_iter()
        .map(|s| crate::schedule::Job {
            name: s.name.clone(),
            after: dependents.remove(&s.name).unwrap_or_default(),
            item: s,
        })
        .collect();
    let (_, failures) = crate::schedule::in_order(
        jobs,
        concurrency,
        "destroy",
        |stack: ToDestroy, _: &[Destroyed]| {
            let (ui, wait, in_flight) = (ui.clone(), *wait, in_flight.clone());
            Ok(async move { destroy_stack(&stack.aws, &ui, &stack.name, &wait, &in_flight).await })
        },
        |name, failed| {
            ui.line(format!(
                "{name}: kept, {failed} depends on it and was not deleted"
            ))
        },
    )
    .await;
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
