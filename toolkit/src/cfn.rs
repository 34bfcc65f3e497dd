//! The CloudFormation calls deploy, diff and destroy share: describing stacks and their
//! templates, change sets, and following a stack's events until its operation ends, with a
//! deadline, throttling retried with backoff, and a clear word when track is lost.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::primitives::DateTimeFormat;
use aws_sdk_cloudformation::types::{
    ChangeSetStatus, Stack, StackEvent, StackStatus, TemplateStage,
};
use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::approval::{Action, Replacement, ResourceChange};
use crate::aws::{is_missing_stack, Aws};
use crate::error::DeployError;
use crate::status::{classify, is_in_progress, StackState};
use crate::ui::{clean, clean_line, Ui};

/// How long to wait on CloudFormation, and how often to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// Between two polls.
    pub poll: Duration,
    /// The most one operation is waited for (`--timeout`); CloudFormation goes on after it.
    pub timeout: Duration,
}

impl Default for Wait {
    fn default() -> Self {
        Wait {
            poll: Duration::from_secs(2),
            timeout: Duration::from_secs(60 * 60),
        }
    }
}

/// The most pages of one listing read: far beyond any stack (100 events or changes a page), so
/// an endpoint that answers page after page without end is stopped.
pub const MAX_PAGES: usize = 1_000;

/// The pages of one listing: the next token, unless the listing has ended, repeats a token, or
/// has gone on for [`MAX_PAGES`] pages.
#[derive(Debug, Default)]
pub struct Pages {
    seen: HashSet<String>,
}

impl Pages {
    /// The token to ask for the next page with (`None`: stop).
    pub fn next(&mut self, token: Option<&str>) -> Option<String> {
        let t = token.filter(|t| !t.is_empty())?;
        if self.seen.len() >= MAX_PAGES || !self.seen.insert(t.to_string()) {
            return None;
        }
        Some(t.to_string())
    }
}

/// The longest pause between two tries of a throttled call.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Runs one polling call; a throttled one is tried again after a pause that doubles each time
/// (up to 30 s), as long as `started + wait.timeout` is not past.
pub async fn polled<T, F, Fut>(wait: &Wait, started: Instant, mut call: F) -> Result<T, DeployError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DeployError>>,
{
    let mut pause = wait.poll.max(Duration::from_millis(10));
    loop {
        match call().await {
            Err(DeployError::Throttled { .. }) if started.elapsed() + pause < wait.timeout => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_BACKOFF);
            }
            other => return other,
        }
    }
}

/// A stack as CloudFormation describes it (`None`: it does not exist).
pub async fn describe(aws: &Aws, name: &str) -> Result<Option<Stack>, DeployError> {
    match aws.cfn.describe_stacks().stack_name(name).send().await {
        Ok(out) => Ok(out.stacks().first().cloned()),
        Err(e) if is_missing_stack(&e) => Ok(None),
        Err(e) => Err(aws.error("DescribeStacks", Some(name), e)),
    }
}

/// The template CloudFormation holds for the stack, parsed (`None` when it is not JSON, or
/// the stack does not exist); a call that fails otherwise is the error.
pub async fn deployed_template(aws: &Aws, name: &str) -> Result<Option<Json>, DeployError> {
    let out = match aws
        .cfn
        .get_template()
        .stack_name(name)
        .template_stage(TemplateStage::Original)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) if is_missing_stack(&e) => return Ok(None),
        Err(e) => return Err(aws.error("GetTemplate", Some(name), e)),
    };
    Ok(out
        .template_body()
        .and_then(|b| serde_json::from_str(b).ok()))
}

/// The physical ids of a deployed stack's resources, by logical id, every page of
/// ListStackResources (DescribeStackResources answers only a stack's first 100 resources);
/// `None` when the stack does not exist. Any other failure (no answer, no permission) is the
/// error, naming the stack and where the call went.
pub async fn physical_ids(
    aws: &Aws,
    stack: &str,
) -> Result<Option<std::collections::HashMap<String, String>>, DeployError> {
    let mut ids = std::collections::HashMap::new();
    let mut token: Option<String> = None;
    let mut pages = Pages::default();
    loop {
        let page = match aws
            .cfn
            .list_stack_resources()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(page) => page,
            Err(e) if is_missing_stack(&e) => return Ok(None),
            Err(e) => return Err(aws.error("ListStackResources", Some(stack), e)),
        };
        for r in page.stack_resource_summaries() {
            if let (Some(id), Some(physical)) = (r.logical_resource_id(), r.physical_resource_id())
            {
                ids.insert(id.to_string(), physical.to_string());
            }
        }
        token = pages.next(page.next_token());
        if token.is_none() {
            return Ok(Some(ids));
        }
    }
}

/// The stack's outputs.
pub fn outputs_of(stack: &Stack) -> IndexMap<String, String> {
    stack
        .outputs()
        .iter()
        .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
        .collect()
}

/// The stack's status (the SDK's enum; a status added later is its `Unknown` variant).
pub fn status_of(stack: &Stack) -> Option<&StackStatus> {
    stack.stack_status()
}

/// Waits while an operation runs on the stack; returns it once stable (or gone). Waiting
/// longer than `wait.timeout` is an error that says the operation goes on.
pub async fn wait_until_stable(
    aws: &Aws,
    ui: &Ui,
    name: &str,
    wait: &Wait,
) -> Result<Option<Stack>, DeployError> {
    let started = Instant::now();
    let mut told = false;
    loop {
        let stack = polled(wait, started, || describe(aws, name)).await?;
        match classify(name, stack.as_ref().and_then(status_of)) {
            StackState::Busy { status } => {
                if !told {
                    ui.line(format!(
                        "{name}: {status}; waiting for that operation to end"
                    ));
                    told = true;
                }
                if started.elapsed() >= wait.timeout {
                    return Err(timed_out(name, &status, wait));
                }
                tokio::time::sleep(wait.poll.max(Duration::from_millis(10))).await;
            }
            _ => return Ok(stack),
        }
    }
}

fn timed_out(stack: &str, status: &str, wait: &Wait) -> DeployError {
    DeployError::TimedOut {
        stack: stack.to_string(),
        status: status.to_string(),
        minutes: wait.timeout.as_secs().div_ceil(60),
    }
}

/// A change set's resource changes, and whether it held none.
#[derive(Debug)]
pub enum ChangeSetResult {
    Ready(Vec<ResourceChange>),
    Empty,
}

fn is_empty_change_set_reason(reason: &str) -> bool {
    reason.contains("didn't contain changes")
        || reason.contains("No updates are to be performed")
        || reason.contains("submitted information didn't contain changes")
}

/// Waits until the change set is created (or failed), then reads every change of it.
pub async fn wait_for_change_set(
    aws: &Aws,
    stack: &str,
    id: &str,
    wait: &Wait,
) -> Result<ChangeSetResult, DeployError> {
    let started = Instant::now();
    loop {
        let out = polled(wait, started, || async {
            aws.cfn
                .describe_change_set()
                .change_set_name(id)
                .stack_name(stack)
                .send()
                .await
                .map_err(|e| aws.error("DescribeChangeSet", Some(stack), e))
        })
        .await?;
        match out.status() {
            Some(ChangeSetStatus::CreateComplete) => break,
            Some(ChangeSetStatus::Failed) => {
                let reason = clean(out.status_reason().unwrap_or("no reason given")).into_owned();
                if is_empty_change_set_reason(&reason) {
                    return Ok(ChangeSetResult::Empty);
                }
                return Err(DeployError::ChangeSet {
                    stack: stack.to_string(),
                    reason,
                });
            }
            Some(other) if started.elapsed() >= wait.timeout => {
                return Err(timed_out(
                    stack,
                    &format!("change set {}", other.as_str()),
                    wait,
                ));
            }
            _ => tokio::time::sleep(wait.poll).await,
        }
    }
    let mut changes = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = Pages::default();
    loop {
        let out = aws
            .cfn
            .describe_change_set()
            .change_set_name(id)
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws.error("DescribeChangeSet", Some(stack), e))?;
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
                logical_id: clean_line(rc.logical_resource_id().unwrap_or_default()).into_owned(),
                resource_type: clean_line(rc.resource_type().unwrap_or_default()).into_owned(),
                replacement,
            });
        }
        match pages.next(out.next_token()) {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    Ok(ChangeSetResult::Ready(changes))
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
    /// The stack the event is of (its name).
    pub stack: String,
    /// The resource's physical id (a nested stack's: its stack ID).
    pub physical_id: String,
}

impl Event {
    fn from_sdk(e: &StackEvent) -> Event {
        let time = e
            .timestamp()
            .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
            .map(|t| t.get(11..19).unwrap_or(&t).to_string())
            .unwrap_or_default();
        // what CloudFormation sends is shown: its control characters escaped
        let text = |s: Option<&str>| clean_line(s.unwrap_or_default()).into_owned();
        Event {
            id: e.event_id().unwrap_or_default().to_string(),
            logical_id: text(e.logical_resource_id()),
            resource_type: text(e.resource_type()),
            status: text(e.resource_status().map(|s| s.as_str())),
            reason: text(e.resource_status_reason()),
            time: clean_line(&time).into_owned(),
            stack: text(e.stack_name()),
            physical_id: text(e.physical_resource_id()),
        }
    }

    /// Whether the event is of the stack itself (not of a resource, nor of a nested stack).
    fn is_stack(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack"
            && (self.stack.is_empty() || self.logical_id == self.stack)
    }

    /// The stack ID of the nested stack this event says failed: its physical id, else the
    /// ARN CloudFormation names in "Embedded stack <ARN> was not successfully ...".
    fn failed_nested_stack(&self) -> Option<String> {
        if self.is_stack()
            || self.resource_type != "AWS::CloudFormation::Stack"
            || !self.status.ends_with("FAILED")
        {
            return None;
        }
        if self.physical_id.starts_with("arn:") {
            return Some(self.physical_id.clone());
        }
        self.reason
            .split_whitespace()
            .find(|w| w.starts_with("arn:") && w.contains(":stack/"))
            .map(str::to_string)
    }
}

/// What the nested stacks that failed in `events` say of their own failures, a report per
/// nested stack (its logical id, the lines of [`failure_report`]): the parent's events only say
/// that an embedded stack failed. A nested stack whose events cannot be read is passed over.
pub async fn nested_failures(aws: &Aws, events: &[Event]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for e in events {
        let Some(id) = e.failed_nested_stack() else {
            continue;
        };
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Ok(nested) = events_since(aws, &id, None, &HashSet::new()).await {
            let lines = failure_report(&nested);
            if !lines.is_empty() {
                out.push((e.logical_id.clone(), lines));
            }
        }
    }
    out
}

/// The events newer than `after` (an event id), oldest first.
pub async fn events_since(
    aws: &Aws,
    stack: &str,
    after: Option<&str>,
    seen: &HashSet<String>,
) -> Result<Vec<Event>, DeployError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = Pages::default();
    'pages: loop {
        let page = aws
            .cfn
            .describe_stack_events()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws.error("DescribeStackEvents", Some(stack), e))?;
        for e in page.stack_events() {
            let id = e.event_id().unwrap_or_default();
            if Some(id) == after || seen.contains(id) {
                break 'pages;
            }
            out.push(Event::from_sdk(e));
        }
        match pages.next(page.next_token()) {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}

pub async fn newest_event(aws: &Aws, stack: &str) -> Result<Option<String>, DeployError> {
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
        Err(e) => Err(aws.error("DescribeStackEvents", Some(stack), e)),
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

/// Whether an operation ended well.
pub fn is_success(status: &StackStatus) -> bool {
    matches!(
        status,
        StackStatus::CreateComplete
            | StackStatus::UpdateComplete
            | StackStatus::ImportComplete
            | StackStatus::DeleteComplete
    )
}

/// Follows the stack's events until its operation ends; returns the final status and events.
/// Any failure to ask (lost connection, expired credentials, throttling past the deadline) and
/// the deadline itself say that CloudFormation goes on, and how to follow it.
pub async fn follow(
    aws: &Aws,
    ui: &Ui,
    stack: &str,
    verb: &str,
    after: Option<String>,
    total: usize,
    wait: &Wait,
) -> Result<(StackStatus, Vec<Event>), DeployError> {
    let started = Instant::now();
    let lost = |e: DeployError| DeployError::LostTrack {
        stack: stack.to_string(),
        cause: e.to_string(),
    };
    let progress = ui.progress(stack, verb, total as u64);
    let mut seen = HashSet::new();
    let mut all: Vec<Event> = Vec::new();
    let mut latest: HashMap<String, String> = HashMap::new();
    loop {
        let described = polled(wait, started, || describe(aws, stack))
            .await
            .map_err(lost)?;
        let status = described
            .as_ref()
            .and_then(status_of)
            .cloned()
            .unwrap_or(StackStatus::DeleteComplete);
        let fresh = if described.is_some() {
            polled(wait, started, || {
                events_since(aws, stack, after.as_deref(), &seen)
            })
            .await
            .map_err(lost)?
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
        if !is_in_progress(&status) {
            progress.finish(status.as_str());
            return Ok((status, all));
        }
        if started.elapsed() >= wait.timeout {
            progress.finish(status.as_str());
            return Err(timed_out(stack, status.as_str(), wait));
        }
        tokio::time::sleep(wait.poll).await;
    }
}

/// Deletes a change set (one that holds no change, was declined, or can no longer run).
pub async fn delete_change_set(aws: &Aws, stack: &str, id: &str) -> Result<(), DeployError> {
    aws.cfn
        .delete_change_set()
        .change_set_name(id)
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| aws.error("DeleteChangeSet", Some(stack), e))?;
    Ok(())
}

/// Turns the stack's termination protection on or off as `wanted` says.
pub async fn sync_termination_protection(
    aws: &Aws,
    stack: &Stack,
    wanted: bool,
) -> Result<(), DeployError> {
    if stack.enable_termination_protection().unwrap_or(false) == wanted {
        return Ok(());
    }
    let name = stack.stack_name().unwrap_or_default();
    aws.cfn
        .update_termination_protection()
        .stack_name(name)
        .enable_termination_protection(wanted)
        .send()
        .await
        .map_err(|e| aws.error("UpdateTerminationProtection", Some(name), e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_cloudformation_sends_in_an_event_is_escaped_where_it_comes_in() {
        let sdk = StackEvent::builder()
            .event_id("1")
            .logical_resource_id("Queue\u{1b}[2K")
            .resource_type("AWS::SQS::Queue")
            .resource_status_reason("fine\rCREATE_COMPLETE\u{1b}]0;x\u{7}")
            .build();
        let e = Event::from_sdk(&sdk);
        assert_eq!(e.logical_id, "Queue\\u{1b}[2K");
        assert_eq!(e.reason, "fine\\rCREATE_COMPLETE\\u{1b}]0;x\\u{7}");
        let report = failure_report(&[Event {
            status: "CREATE_FAILED".into(),
            ..e
        }]);
        assert!(report
            .iter()
            .all(|l| !l.contains('\u{1b}') && !l.contains('\r')));
    }

    #[test]
    fn a_failed_nested_stack_is_a_resource_of_its_parent_not_the_stack() {
        let event = |logical: &str, status: &str, physical: &str, reason: &str| Event {
            id: "1".into(),
            logical_id: logical.into(),
            resource_type: "AWS::CloudFormation::Stack".into(),
            status: status.into(),
            reason: reason.into(),
            time: String::new(),
            stack: "Shop".into(),
            physical_id: physical.into(),
        };
        let arn = "arn:aws:cloudformation:us-east-1:123456789012:stack/Shop-Queues-X1/u-u-i-d";
        let reason = format!("Embedded stack {arn} was not successfully created: The following resource(s) failed to create: [Jobs]. ");
        let nested = event("Queues", "CREATE_FAILED", "", &reason);
        assert!(!nested.is_stack());
        assert_eq!(nested.failed_nested_stack().as_deref(), Some(arn));
        let with_id = event("Queues", "CREATE_FAILED", arn, "");
        assert_eq!(with_id.failed_nested_stack().as_deref(), Some(arn));
        assert_eq!(
            event("Queues", "CREATE_COMPLETE", arn, "").failed_nested_stack(),
            None
        );
        let own = event(
            "Shop",
            "ROLLBACK_IN_PROGRESS",
            "",
            "The following resource(s) failed to create: [Queues].",
        );
        assert!(own.is_stack());
        assert_eq!(own.failed_nested_stack(), None);
        // the parent's report names the nested stack as the failed resource
        let report = failure_report(&[own, nested]);
        assert!(
            report[0].starts_with(
                "root cause: Queues (AWS::CloudFormation::Stack) CREATE_FAILED: Embedded stack"
            ),
            "{report:?}"
        );
    }

    #[test]
    fn a_listing_stops_at_a_repeated_token_or_after_its_pages() {
        let mut pages = Pages::default();
        assert_eq!(pages.next(Some("a")), Some("a".to_string()));
        assert_eq!(pages.next(Some("")), None);
        assert_eq!(pages.next(Some("a")), None, "an endpoint that loops");
        let mut pages = Pages::default();
        let read = (0..)
            .map_while(|i| pages.next(Some(&format!("t{i}"))))
            .count();
        assert_eq!(read, MAX_PAGES);
    }
}
