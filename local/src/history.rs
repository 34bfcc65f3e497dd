//! The execution history, event by event, as `GetExecutionHistory` gives it: `timestamp`,
//! `type`, `id`, `previousEventId` and the type's details object.

use serde_json::{Map, Value as Json};

use crate::clock::{self, Instant};

/// One history event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Its id: 1 for `ExecutionStarted`, then one more each event.
    pub id: u64,
    /// The event this one follows (0 for the first).
    pub previous_event_id: u64,
    /// When it happened, on the run's clock.
    pub timestamp: Instant,
    /// Its type: `TaskStateEntered`, `TaskScheduled`, `ExecutionSucceeded`, ...
    pub kind: String,
    /// Its details, under their key (`stateEnteredEventDetails`, ...); `None` for the types
    /// that have none.
    pub details: Option<(String, Json)>,
}

impl Event {
    /// The event as GetExecutionHistory's JSON.
    pub fn to_json(&self) -> Json {
        let mut o = Map::new();
        o.insert("timestamp".into(), clock::format(self.timestamp).into());
        o.insert("type".into(), self.kind.clone().into());
        o.insert("id".into(), self.id.into());
        o.insert("previousEventId".into(), self.previous_event_id.into());
        if let Some((key, details)) = &self.details {
            o.insert(key.clone(), details.clone());
        }
        Json::Object(o)
    }

    /// A field of the details (`name`, `input`, `output`, `error`, ...).
    pub fn detail(&self, field: &str) -> Option<&Json> {
        self.details.as_ref()?.1.get(field)
    }

    /// The state a `...StateEntered`/`...StateExited` event is about.
    pub fn state_name(&self) -> Option<&str> {
        self.detail("name")?.as_str()
    }
}

/// The history being written: ids in order, each event following the last one of its branch.
#[derive(Debug, Default)]
pub(crate) struct History {
    pub events: Vec<Event>,
    /// The last event of the branch being run.
    pub last: u64,
    /// Events are not kept (a Distributed Map's child executions have histories of their own).
    pub off: bool,
}

impl History {
    pub fn push(&mut self, at: Instant, kind: &str, details: Option<(&str, Json)>) -> u64 {
        if self.off {
            return 0;
        }
        let id = self.events.len() as u64 + 1;
        self.events.push(Event {
            id,
            previous_event_id: self.last,
            timestamp: at,
            kind: kind.to_string(),
            details: details.map(|(k, v)| (k.to_string(), v)),
        });
        self.last = id;
        id
    }
}

/// A payload as history shows it: JSON text, and whether it was cut (never, here).
pub(crate) fn text(v: &Json) -> Json {
    Json::String(serde_json::to_string(v).unwrap_or_default())
}

pub(crate) fn not_truncated() -> Json {
    serde_json::json!({"truncated": false})
}
