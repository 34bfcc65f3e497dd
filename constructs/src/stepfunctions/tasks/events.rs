//! The EventBridge integration: `events:putEvents`, as a request-response call or
//! `.waitForTaskToken` (synth checks that the token is sent), with `events:PutEvents` on the
//! bus derived.

use crate::events::EventBus;
use crate::iam::PolicyStatement;

use super::super::asl::{task, Input, Step};
use super::integration_arn;

/// The most entries one `PutEvents` call takes.
pub const MAX_PUT_EVENTS_ENTRIES: usize = 10;

/// One event of [`events_put_events`]: `EventEntry::new(source, detail_type, detail)`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventEntry {
    /// `Source` (a custom source; `aws.` sources are AWS's own).
    pub source: Input,
    /// `DetailType`.
    pub detail_type: Input,
    /// `Detail`: a JSON object.
    pub detail: Input,
}

impl EventEntry {
    /// An event from `source`, of type `detail_type`, carrying `detail`.
    pub fn new(
        source: impl Into<Input>,
        detail_type: impl Into<Input>,
        detail: impl Into<Input>,
    ) -> Self {
        EventEntry {
            source: source.into(),
            detail_type: detail_type.into(),
            detail: detail.into(),
        }
    }
}

/// Options of [`events_put_events`]: `PutEvents::new(entries)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct PutEvents {
    /// `Entries`: 1 to 10 events.
    pub entries: Vec<EventEntry>,
    /// Wait until a consumer calls `SendTaskSuccess` with `$$.Task.Token`, which a detail
    /// must carry.
    pub wait_for_task_token: bool,
}

impl PutEvents {
    /// These events, sent and not waited for.
    pub fn new(entries: impl IntoIterator<Item = EventEntry>) -> Self {
        PutEvents {
            entries: entries.into_iter().collect(),
            wait_for_task_token: false,
        }
    }
    /// Wait for a consumer's callback (`.waitForTaskToken`).
    pub fn wait_for_task_token(mut self) -> Self {
        self.wait_for_task_token = true;
        self
    }
}

/// Sends events to `bus` (`arn:aws:states:::events:putEvents`): each entry's `EventBusName` is
/// the bus's ARN, and the machine's role gets `events:PutEvents` on it.
pub fn events_put_events(name: &str, bus: &EventBus, options: PutEvents) -> Step {
    let suffix = if options.wait_for_task_token {
        ".waitForTaskToken"
    } else {
        ""
    };
    let mut problems = Vec::new();
    let n = options.entries.len();
    if n == 0 || n > MAX_PUT_EVENTS_ENTRIES {
        problems.push(format!(
            "state {name:?}: putEvents takes 1 to {MAX_PUT_EVENTS_ENTRIES} entries, not {n}"
        ));
    }
    let entries: Vec<Input> = options
        .entries
        .into_iter()
        .map(|e| {
            if let Some(source) = e.source.as_value().and_then(|v| v.as_str()) {
                if source.starts_with("aws.") {
                    problems.push(format!(
                        "state {name:?}: the source {source:?} is reserved for AWS's own events; name your application's (com.example.orders)"
                    ));
                }
            }
            Input::object()
                .field("Detail", e.detail)
                .field("DetailType", e.detail_type)
                .field("EventBusName", bus.arn())
                .field("Source", e.source)
        })
        .collect();
    let step = task(name, integration_arn(&format!("events:putEvents{suffix}")))
        .input(Input::object().field("Entries", Input::Array(entries)))
        .grant(
            PolicyStatement::allow()
                .action("events:PutEvents")
                .resource(bus.arn()),
        );
    problems.into_iter().fold(step, Step::with_problem)
}
