//! The execution history, event by event, as `GetExecutionHistory` gives it: `timestamp`,
//! `type`, `id`, `previousEventId` and the type's details object.
//!
//! Events are handed to a sink as they happen: [`crate::run`] keeps them in the outcome,
//! [`crate::run_streaming`] gives them to the caller (`rcdk run` writes each one out and keeps
//! none), so a run's memory does not grow with its history.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json};

use crate::clock::{self, Instant};

/// The most events a STANDARD execution's history holds: "AWS Step Functions has a hard quota
/// of 25,000 entries in the execution event history. [...] If the event number 25,000 isn't
/// ExecutionSucceeded, the ExecutionFailed event is logged and the state machine execution
/// fails because of reaching the history limit" (Step Functions developer guide, "Avoid
/// reaching the history quota",
/// <https://docs.aws.amazon.com/step-functions/latest/dg/bp-history-limit.html>; the quota
/// page, <https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html>, says
/// "Maximum execution history size: 25,000 events"). An EXPRESS execution's history has no
/// such limit.
pub const MAX_HISTORY_EVENTS: u64 = 25_000;

/// The cause of an execution failed at [`MAX_HISTORY_EVENTS`], with `States.Runtime`, as AWS
/// reports it (recorded from AWS in loads/ardere#86 and aws-samples/aws-organizations-tag-inventory#16:
/// `{"error": "States.Runtime", "cause": "The execution reached the maximum number of history
/// events (25000)."}`).
pub fn history_limit_cause() -> String {
    format!("The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS}).")
}

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

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4 + usize::from(self.details.is_some())))?;
        m.serialize_entry("timestamp", &clock::format(self.timestamp))?;
        m.serialize_entry("type", &self.kind)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("previousEventId", &self.previous_event_id)?;
        if let Some((key, details)) = &self.details {
            m.serialize_entry(key, details)?;
        }
        m.end()
    }
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

/// An event as it happens, borrowed: what [`crate::run_streaming`] hands its sink. The common
/// events (a state entered and exited) are written without building their details as JSON
/// values first; [`EventView::to_event`] makes the owned [`Event`].
#[derive(Debug, Clone, Copy)]
pub struct EventView<'a> {
    /// Its id.
    pub id: u64,
    /// The event this one follows.
    pub previous_event_id: u64,
    /// When it happened.
    pub timestamp: Instant,
    /// Its type.
    pub kind: &'a str,
    details: Details<'a>,
}

/// An event's details, as the interpreter has them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Details<'a> {
    None,
    /// Any details, under their key.
    Json(&'a str, &'a Json),
    /// `stateEnteredEventDetails` (`input`) or `stateExitedEventDetails` (`output`, and the
    /// variables assigned, as JSON texts).
    State {
        exited: bool,
        name: &'a str,
        text: &'a str,
        assigned: Option<&'a Map<String, Json>>,
    },
}

impl<'a> EventView<'a> {
    /// A string field of the details (`name`, `input`, `output`, `error`, `cause`, ...).
    pub fn detail_str(&self, field: &str) -> Option<&'a str> {
        match self.details {
            Details::None => None,
            Details::Json(_, v) => v.get(field)?.as_str(),
            Details::State {
                exited, name, text, ..
            } => match field {
                "name" => Some(name),
                "input" if !exited => Some(text),
                "output" if exited => Some(text),
                _ => None,
            },
        }
    }

    /// The state a `...StateEntered`/`...StateExited` event is about.
    pub fn state_name(&self) -> Option<&'a str> {
        self.detail_str("name")
    }

    /// The owned event.
    pub fn to_event(&self) -> Event {
        let details = match self.details {
            Details::None => None,
            Details::Json(key, v) => Some((key.to_string(), v.clone())),
            Details::State {
                exited,
                name,
                text,
                assigned,
            } => {
                let mut o = Map::new();
                o.insert("name".into(), name.into());
                let (field, key) = if exited {
                    ("output", "stateExitedEventDetails")
                } else {
                    ("input", "stateEnteredEventDetails")
                };
                o.insert(field.into(), text.into());
                o.insert(format!("{field}Details"), not_truncated());
                if let Some(vars) = assigned {
                    o.insert("assignedVariables".into(), Json::Object(vars.clone()));
                    o.insert("assignedVariablesDetails".into(), not_truncated());
                }
                Some((key.to_string(), Json::Object(o)))
            }
        };
        Event {
            id: self.id,
            previous_event_id: self.previous_event_id,
            timestamp: self.timestamp,
            kind: self.kind.to_string(),
            details,
        }
    }

    /// Writes the event as GetExecutionHistory's JSON (`Event::to_json`'s fields, in its
    /// order), its timestamp given as JSON text already (`"2025-01-01T00:00:00Z"`, quoted):
    /// a writer of many events formats each instant once.
    pub fn write_json(&self, w: &mut dyn std::io::Write, timestamp: &str) -> std::io::Result<()> {
        w.write_all(b"{\"timestamp\":")?;
        w.write_all(timestamp.as_bytes())?;
        w.write_all(b",\"type\":")?;
        serde_json::to_writer(&mut *w, self.kind)?;
        w.write_all(b",\"id\":")?;
        serde_json::to_writer(&mut *w, &self.id)?;
        w.write_all(b",\"previousEventId\":")?;
        serde_json::to_writer(&mut *w, &self.previous_event_id)?;
        match self.details {
            Details::None => {}
            Details::Json(key, v) => {
                w.write_all(b",")?;
                serde_json::to_writer(&mut *w, key)?;
                w.write_all(b":")?;
                serde_json::to_writer(&mut *w, v)?;
            }
            Details::State {
                exited,
                name,
                text,
                assigned,
            } => {
                let (head, field) = if exited {
                    (&b",\"stateExitedEventDetails\":{\"name\":"[..], "output")
                } else {
                    (&b",\"stateEnteredEventDetails\":{\"name\":"[..], "input")
                };
                w.write_all(head)?;
                serde_json::to_writer(&mut *w, name)?;
                write!(w, ",\"{field}\":")?;
                serde_json::to_writer(&mut *w, text)?;
                write!(w, ",\"{field}Details\":{{\"truncated\":false}}")?;
                if let Some(vars) = assigned {
                    w.write_all(b",\"assignedVariables\":")?;
                    serde_json::to_writer(&mut *w, vars)?;
                    w.write_all(b",\"assignedVariablesDetails\":{\"truncated\":false}")?;
                }
                w.write_all(b"}")?;
            }
        }
        w.write_all(b"}")
    }
}

/// The history is full: the event would be the last one, and it is not the execution's
/// success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// The history being written: ids in order, each event following the last one of its branch.
pub(crate) struct History<'s> {
    sink: &'s mut dyn FnMut(&EventView<'_>),
    /// The events written so far (the id of the last).
    written: u64,
    /// The last event of the branch being run.
    pub last: u64,
    /// The most events the history may hold (`None`: no limit, an EXPRESS execution).
    limit: Option<u64>,
    /// A Distributed Map's child execution is being run: its events are counted against its
    /// own history's limit, not written (each child has a history of its own).
    child: Option<(u64, Option<u64>)>,
}

impl<'s> History<'s> {
    pub fn new(sink: &'s mut dyn FnMut(&EventView<'_>), limit: Option<u64>) -> Self {
        History {
            sink,
            written: 0,
            last: 0,
            limit,
            child: None,
        }
    }

    /// Writes an event; the last place of a limited history is kept for the execution's end.
    pub fn push(
        &mut self,
        at: Instant,
        kind: &str,
        details: Option<(&str, Json)>,
    ) -> Result<u64, Full> {
        match &details {
            Some((key, v)) => self.push_view(at, kind, Details::Json(key, v)),
            None => self.push_view(at, kind, Details::None),
        }
    }

    /// Like [`History::push`], the details as the interpreter has them.
    pub fn push_view(
        &mut self,
        at: Instant,
        kind: &str,
        details: Details<'_>,
    ) -> Result<u64, Full> {
        if let Some((count, limit)) = &mut self.child {
            *count += 1;
            return match limit {
                Some(l) if *count >= *l => Err(Full),
                _ => Ok(0),
            };
        }
        if self.limit.is_some_and(|l| self.written + 1 >= l) {
            return Err(Full);
        }
        Ok(self.write(at, kind, details))
    }

    /// Writes the execution's last event: it may take the last place.
    pub fn finish(&mut self, at: Instant, kind: &str, details: Option<(&str, Json)>) {
        match &details {
            Some((key, v)) => self.write(at, kind, Details::Json(key, v)),
            None => self.write(at, kind, Details::None),
        };
    }

    /// True when the execution's end, other than a success, would be the event the limit
    /// allows no more after: the history limit fails the execution instead.
    pub fn at_limit(&self) -> bool {
        self.limit.is_some_and(|l| self.written + 1 >= l)
    }

    fn write(&mut self, at: Instant, kind: &str, details: Details<'_>) -> u64 {
        self.written += 1;
        let id = self.written;
        (self.sink)(&EventView {
            id,
            previous_event_id: self.last,
            timestamp: at,
            kind,
            details,
        });
        self.last = id;
        id
    }

    /// Starts counting a child execution's events (its `ExecutionStarted` counted), against
    /// `limit`, the parent's history left as it is; gives back what was counted before (a
    /// child's own Distributed Map), for [`History::restore_child`].
    pub fn start_child(&mut self, limit: Option<u64>) -> Option<(u64, Option<u64>)> {
        self.child.replace((1, limit))
    }

    /// Back to what was counted before the child.
    pub fn restore_child(&mut self, before: Option<(u64, Option<u64>)>) {
        self.child = before;
    }
}

/// A payload as history shows it: JSON text, and whether it was cut (never, here).
pub(crate) fn text(v: &Json) -> Json {
    Json::String(serde_json::to_string(v).unwrap_or_default())
}

pub(crate) fn not_truncated() -> Json {
    serde_json::json!({"truncated": false})
}
