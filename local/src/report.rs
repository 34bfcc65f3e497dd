//! Execution reports: one HTML file (no network, nothing outside it) with the workflow's
//! picture, the path an execution took coloured on it (succeeded, failed, caught, retried,
//! not reached), each state's input, output, error and retries shown on a click, and a
//! timeline on the run's clock where Map iterations and Parallel branches are lanes of their
//! own and waits and retry intervals are the gaps between bars.
//!
//! It reads an execution's history as `GetExecutionHistory` gives it (what [`crate::run`]
//! records): each event's `previousEventId` says what it follows, so the events of a Map
//! iteration or a Parallel branch are told apart even when they interleave.

use std::collections::{BTreeMap, HashMap};

use constructs::diagram::{escape, Diagram, DiagramError};
use serde::Serialize;
use serde_json::Value as Json;

use crate::run::Outcome;

/// How one visit of a state ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateStatus {
    /// Entered and left without an error.
    Succeeded,
    /// Left after its task was retried (its last attempt succeeded).
    Retried,
    /// Left through a Catch: it failed, and its error was caught.
    Caught,
    /// Never left: the execution (or its branch) ended while it ran.
    Aborted,
    /// Failed, its error not caught here (a Fail state, or the error that ended the run).
    Failed,
    /// Never entered.
    NotReached,
}

impl StateStatus {
    /// Its CSS class (`st-succeeded`, ...).
    pub fn class(self) -> &'static str {
        match self {
            StateStatus::Succeeded => "st-succeeded",
            StateStatus::Retried => "st-retried",
            StateStatus::Caught => "st-caught",
            StateStatus::Aborted => "st-aborted",
            StateStatus::Failed => "st-failed",
            StateStatus::NotReached => "st-not-reached",
        }
    }
}

/// One attempt of a task: when it was scheduled and when it ended (milliseconds from the
/// execution's start), and its error when it failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub start: i64,
    pub end: Option<i64>,
    pub error: Option<String>,
}

/// One time the execution was in a state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    /// The state's name.
    pub name: String,
    /// Its path in the picture.
    pub path: String,
    /// The lane it ran in ([`Run::lanes`]).
    pub lane: usize,
    /// When it was entered, in milliseconds from the start.
    pub entered: i64,
    /// When it was left.
    pub exited: Option<i64>,
    /// Its input (JSON text).
    pub input: Option<String>,
    /// Its output (JSON text).
    pub output: Option<String>,
    /// The last error it met, and its cause.
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Its task's attempts (one more than its retries).
    pub attempts: Vec<Attempt>,
    /// When its last event happened (its end on the timeline when it never left).
    pub last: i64,
    /// Whether its last error still stood when it ended (a retry that succeeded clears it).
    #[serde(skip)]
    failing: bool,
    /// How it ended.
    pub status: StateStatus,
}

/// A row of the timeline: the execution itself, a Map iteration, a Parallel branch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lane {
    pub name: String,
    /// The lane it branched off.
    pub parent: Option<usize>,
    /// The visit of the Map or Parallel state it belongs to.
    #[serde(skip)]
    parent_visit: Option<usize>,
}

/// An execution, read from its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, or `RUNNING` for a history without its end.
    pub status: String,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// How long it ran, in milliseconds.
    pub duration: i64,
    pub lanes: Vec<Lane>,
    pub visits: Vec<Visit>,
    /// Each state of the picture with the status of its visits together (the worst: failed,
    /// then caught, retried, succeeded, aborted; not reached when never entered).
    pub states: BTreeMap<String, StateStatus>,
}

fn millis(event: &Json, start: i64) -> i64 {
    event
        .get("timestamp")
        .and_then(Json::as_str)
        .and_then(crate::clock::parse)
        .map_or(start, |t| t.timestamp_millis())
        - start
}

/// The details object of an event (its one `...EventDetails` member).
fn details(event: &Json) -> Option<&Json> {
    event
        .as_object()?
        .iter()
        .find(|(k, _)| k.ends_with("EventDetails"))
        .map(|(_, v)| v)
}

fn text(d: Option<&Json>, key: &str) -> Option<String> {
    d?.get(key)?.as_str().map(str::to_string)
}

impl Run {
    /// Reads a history (`GetExecutionHistory`'s events, oldest first), the states named by
    /// their paths in `diagram`.
    pub fn read(history: &[Json], diagram: &Diagram) -> Run {
        let paths: HashMap<&str, &str> = diagram
            .nodes
            .iter()
            .filter(|n| n.kind.is_state())
            .map(|n| (n.name.as_str(), n.path.as_str()))
            .collect();
        let start = history
            .first()
            .and_then(|e| e.get("timestamp"))
            .and_then(Json::as_str)
            .and_then(crate::clock::parse)
            .map_or(0, |t| t.timestamp_millis());
        let mut run = Run {
            status: "RUNNING".into(),
            error: None,
            cause: None,
            duration: 0,
            lanes: vec![Lane {
                name: "execution".into(),
                parent: None,
                parent_visit: None,
            }],
            visits: Vec::new(),
            states: BTreeMap::new(),
        };
        // event id -> (lane, visit) it belongs to
        let mut at: HashMap<u64, (usize, Option<usize>)> = HashMap::new();
        // ParallelStateStarted id -> the Parallel's visit
        let mut parallel_of: HashMap<u64, usize> = HashMap::new();
        for event in history {
            let id = event.get("id").and_then(Json::as_u64).unwrap_or(0);
            let prev = event
                .get("previousEventId")
                .and_then(Json::as_u64)
                .unwrap_or(0);
            let kind = event.get("type").and_then(Json::as_str).unwrap_or_default();
            let when = millis(event, start);
            run.duration = run.duration.max(when);
            let d = details(event);
            let (lane, visit) = at.get(&prev).copied().unwrap_or((0, None));
            let mut here = (lane, visit);
            if kind.ends_with("StateEntered") {
                let mut lane = lane;
                if let Some(&parallel) = parallel_of.get(&prev) {
                    // the first state of a branch: a lane of its own
                    let branch = run
                        .lanes
                        .iter()
                        .filter(|l| l.parent_visit == Some(parallel))
                        .count()
                        + 1;
                    run.lanes.push(Lane {
                        name: format!("{} · branch {branch}", run.visits[parallel].name),
                        parent: Some(run.visits[parallel].lane),
                        parent_visit: Some(parallel),
                    });
                    lane = run.lanes.len() - 1;
                }
                let name = text(d, "name").unwrap_or_default();
                let path = paths
                    .get(name.as_str())
                    .map_or(name.clone(), |p| p.to_string());
                run.visits.push(Visit {
                    name,
                    path,
                    lane,
                    entered: when,
                    exited: None,
                    input: text(d, "input"),
                    output: None,
                    error: None,
                    cause: None,
                    attempts: Vec::new(),
                    last: when,
                    failing: false,
                    status: StateStatus::Aborted,
                });
                here = (lane, Some(run.visits.len() - 1));
            } else if kind.ends_with("StateExited") {
                if let Some(v) = visit {
                    run.visits[v].exited = Some(when);
                    run.visits[v].output = text(d, "output");
                }
            } else if kind == "MapIterationStarted" {
                let index = d
                    .and_then(|d| d.get("index"))
                    .and_then(Json::as_u64)
                    .unwrap_or(0);
                let name = text(d, "name").unwrap_or_default();
                run.lanes.push(Lane {
                    name: format!("{name} [{index}]"),
                    parent: Some(lane),
                    parent_visit: visit,
                });
                here = (run.lanes.len() - 1, None);
            } else if kind == "ParallelStateStarted" {
                if let Some(v) = visit {
                    parallel_of.insert(id, v);
                }
            } else if kind.starts_with("MapState") || kind.starts_with("ParallelState") {
                // the end of a Map or Parallel: back to its own visit, out of the lane of
                // the iteration or branch whose event came last
                let mut l = lane;
                while let Some(pv) = run.lanes[l].parent_visit {
                    if run.visits[pv].exited.is_none() {
                        here = (run.visits[pv].lane, Some(pv));
                        break;
                    }
                    match run.lanes[l].parent {
                        Some(p) => l = p,
                        None => break,
                    }
                }
            } else if kind.ends_with("Scheduled") {
                if let Some(v) = visit {
                    run.visits[v].attempts.push(Attempt {
                        start: when,
                        end: None,
                        error: None,
                    });
                }
            } else if kind.ends_with("Succeeded") && !kind.starts_with("Execution") {
                if let Some(v) = visit {
                    run.visits[v].failing = false;
                    if let Some(a) = run.visits[v].attempts.last_mut() {
                        a.end.get_or_insert(when);
                    }
                }
            }
            let failure = kind.ends_with("Failed") || kind.ends_with("TimedOut");
            if failure && kind.starts_with("Execution") {
                run.error = text(d, "error");
                run.cause = text(d, "cause");
            } else if failure && !kind.starts_with("MapIteration") {
                if let Some(v) = here.1 {
                    let (error, cause) = (text(d, "error"), text(d, "cause"));
                    if let Some(a) = run.visits[v].attempts.last_mut() {
                        if a.end.is_none() {
                            a.end = Some(when);
                            a.error.clone_from(&error);
                        }
                    }
                    run.visits[v].error = error;
                    run.visits[v].cause = cause;
                    run.visits[v].failing = true;
                }
            }
            match kind {
                "ExecutionSucceeded" => run.status = "SUCCEEDED".into(),
                "ExecutionFailed" => run.status = "FAILED".into(),
                "ExecutionTimedOut" => run.status = "TIMED_OUT".into(),
                "ExecutionAborted" => run.status = "ABORTED".into(),
                _ => {}
            }
            if let Some(v) = here.1 {
                run.visits[v].last = run.visits[v].last.max(when);
            }
            at.insert(id, here);
        }
        for v in &mut run.visits {
            let fail_state = diagram
                .node(&v.path)
                .is_some_and(|n| n.kind == constructs::diagram::NodeKind::Fail);
            v.status = match (v.exited, v.failing || fail_state) {
                (Some(_), true) => StateStatus::Caught,
                (Some(_), false) if v.attempts.len() > 1 => StateStatus::Retried,
                (Some(_), false) => StateStatus::Succeeded,
                (None, true) => StateStatus::Failed,
                (None, false) => StateStatus::Aborted,
            };
        }
        for n in diagram.nodes.iter().filter(|n| n.kind.is_state()) {
            let worst = run
                .visits
                .iter()
                .filter(|v| v.path == n.path)
                .map(|v| match v.status {
                    StateStatus::Failed => 0,
                    StateStatus::Caught => 1,
                    StateStatus::Retried => 2,
                    StateStatus::Succeeded => 3,
                    _ => 4,
                })
                .min();
            let status = match worst {
                Some(0) => StateStatus::Failed,
                Some(1) => StateStatus::Caught,
                Some(2) => StateStatus::Retried,
                Some(3) => StateStatus::Succeeded,
                Some(_) => StateStatus::Aborted,
                None => StateStatus::NotReached,
            };
            run.states.insert(n.path.clone(), status);
        }
        run
    }
}

const STYLE: &str = include_str!("report/report.css");
const SCRIPT: &str = include_str!("report/report.js");

/// The longest input, output or other text of an event a report keeps (64 KiB); the rest is
/// cut, and the report says so: a history's payloads may add up to gigabytes.
pub const MAX_REPORT_TEXT: usize = 65_536;

/// Collects a history for a report as it streams, each payload cut to [`MAX_REPORT_TEXT`].
#[derive(Debug, Default)]
pub struct Recorder {
    /// The events so far, as `GetExecutionHistory` gives them.
    pub events: Vec<Json>,
}

impl Recorder {
    /// Keeps one event.
    pub fn event(&mut self, e: &crate::EventView<'_>) {
        let mut json = e.to_event().to_json();
        if let Some(map) = json.as_object_mut() {
            for (key, value) in map.iter_mut() {
                if !key.ends_with("EventDetails") {
                    continue;
                }
                for v in value
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|d| d.values_mut())
                {
                    if let Json::String(s) = v {
                        if s.len() > MAX_REPORT_TEXT {
                            let mut cut = MAX_REPORT_TEXT;
                            while !s.is_char_boundary(cut) {
                                cut -= 1;
                            }
                            let total = s.len();
                            s.truncate(cut);
                            s.push_str(&format!("… (cut: {total} bytes in all)"));
                        }
                    }
                }
            }
        }
        self.events.push(json);
    }
}

/// The report of an execution of the machine named `name` whose definition is `definition`
/// (its ASL as JSON), from its outcome.
pub fn html(name: &str, definition: &Json, outcome: &Outcome) -> Result<String, DiagramError> {
    let history: Vec<Json> = outcome.history.iter().map(|e| e.to_json()).collect();
    html_of_history(name, definition, &history)
}

/// The report of an execution from its history (`GetExecutionHistory`'s events).
pub fn html_of_history(
    name: &str,
    definition: &Json,
    history: &[Json],
) -> Result<String, DiagramError> {
    let diagram = Diagram::of(definition)?;
    let run = Run::read(history, &diagram);
    let svg = diagram.to_svg(name);
    let data = serde_json::json!({
        "states": run.states,
        "visits": run.visits,
    });
    // inside a script element, `</` would end it
    let data = data.to_string().replace("</", "<\\/");
    let status_class = match run.status.as_str() {
        "SUCCEEDED" => "st-succeeded",
        "RUNNING" => "st-aborted",
        _ => "st-failed",
    };
    let mut failure = String::new();
    if let Some(e) = &run.error {
        failure = format!(
            "<p class=\"failure\"><b>{}</b> {}</p>",
            escape(e),
            escape(run.cause.as_deref().unwrap_or_default())
        );
    }
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
<title>{title} — execution report</title><style>{STYLE}</style></head>\n<body>\
<header><h1>{title}</h1><span class=\"status {status_class}\" id=\"run-status\">{status}</span>\
<span class=\"duration\">{duration} on the run's clock · {visits} state visits</span>{failure}</header>\n\
<main><section id=\"diagram\">{svg}</section><aside id=\"details\"><p class=\"hint\">Click a state to see its input and output.</p></aside></main>\n\
<section id=\"timeline\"><h2>Timeline</h2>{timeline}</section>\n\
<footer>{legend}</footer>\n\
<script type=\"application/json\" id=\"report-data\">{data}</script>\n<script>{SCRIPT}</script>\n</body></html>\n",
        title = escape(name),
        status = escape(&run.status),
        duration = duration_text(run.duration),
        visits = run.visits.len(),
        timeline = timeline(&run),
        legend = legend(),
    ))
}

fn duration_text(ms: i64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 120_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{:.1} min", ms as f64 / 60_000.0)
    }
}

fn legend() -> String {
    [
        ("st-succeeded", "succeeded"),
        ("st-retried", "retried"),
        ("st-caught", "failed, caught"),
        ("st-failed", "failed"),
        ("st-aborted", "not finished"),
        ("st-not-reached", "not reached"),
    ]
    .iter()
    .map(|(c, t)| format!("<span class=\"key {c}\">{t}</span>"))
    .collect::<Vec<_>>()
    .join(" ")
}

/// The timeline: a row per lane, a bar per visit (a task's attempts as bars of their own,
/// the retry intervals the gaps between), positioned in percent of the run's duration.
fn timeline(run: &Run) -> String {
    let total = run.duration.max(1) as f64;
    let pct = |ms: i64| format!("{:.3}", ms as f64 * 100.0 / total);
    let mut out = String::new();
    for (l, lane) in run.lanes.iter().enumerate() {
        let visits: Vec<(usize, &Visit)> = run
            .visits
            .iter()
            .enumerate()
            .filter(|(_, v)| v.lane == l)
            .collect();
        if visits.is_empty() {
            continue;
        }
        let depth = std::iter::successors(lane.parent, |&p| run.lanes[p].parent).count();
        out.push_str(&format!(
            "<div class=\"lane\" style=\"--depth:{depth}\"><div class=\"lane-name\">{}</div><div class=\"track\">",
            escape(&lane.name)
        ));
        for (i, v) in visits {
            let end = v.exited.unwrap_or(v.last);
            let spans: Vec<(i64, i64, bool)> = if v.attempts.len() > 1 {
                v.attempts
                    .iter()
                    .map(|a| (a.start, a.end.unwrap_or(end), a.error.is_some()))
                    .collect()
            } else {
                vec![(v.entered, end, false)]
            };
            for (k, (s, e, failed)) in spans.iter().enumerate() {
                let attempt = if spans.len() > 1 {
                    format!(" · attempt {}", k + 1)
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "<div class=\"bar {}{}\" data-visit=\"{i}\" data-path=\"{}\" style=\"left:{}%;width:{}%\" title=\"{}{attempt}: {} → {} ms\">{}</div>",
                    v.status.class(),
                    if *failed { " attempt-failed" } else { "" },
                    escape(&v.path),
                    pct(*s),
                    pct((e - s).max(0)),
                    escape(&v.name),
                    s,
                    e,
                    escape(&v.name)
                ));
            }
        }
        out.push_str("</div></div>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_history_is_read_into_lanes_visits_and_states() {
        let definition = json!({"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "Check", "States": {
                "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "Big"}], "Default": "Small"},
                "Big": {"Type": "Wait", "Seconds": 3, "End": true},
                "Small": {"Type": "Pass", "End": true}}}, "ResultPath": null, "Next": "Both"},
            "Both": {"Type": "Parallel", "Branches": [
                {"StartAt": "L", "States": {"L": {"Type": "Wait", "Seconds": 1, "End": true}}},
                {"StartAt": "R", "States": {"R": {"Type": "Fail", "Error": "Boom", "Cause": "r"}}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}], "Next": "Never"},
            "Handled": {"Type": "Pass", "End": true},
            "Never": {"Type": "Pass", "End": true}}});
        let machine = crate::Machine::from_json_str("m", &definition.to_string()).unwrap();
        let outcome = crate::run(
            &machine,
            json!({"items": [1, 3]}),
            &mut crate::no_tasks(),
            &crate::RunOptions::default(),
        );
        let history: Vec<Json> = outcome.history.iter().map(|e| e.to_json()).collect();
        let diagram = Diagram::of(&definition).unwrap();
        let run = Run::read(&history, &diagram);
        assert_eq!(run.status, "SUCCEEDED");
        let lanes: Vec<&str> = run.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            lanes,
            [
                "execution",
                "Each [0]",
                "Each [1]",
                "Both · branch 1",
                "Both · branch 2"
            ]
        );
        let status = |p: &str| run.states[p];
        assert_eq!(status("Each"), StateStatus::Succeeded);
        assert_eq!(status("Each/Check"), StateStatus::Succeeded);
        assert_eq!(status("Both"), StateStatus::Caught);
        assert_eq!(status("Both/2/R"), StateStatus::Failed);
        assert_eq!(status("Both/1/L"), StateStatus::Succeeded);
        assert_eq!(status("Handled"), StateStatus::Succeeded);
        assert_eq!(status("Never"), StateStatus::NotReached);
        // the Wait of the second item: 3 s on the virtual clock, in its iteration's lane
        let big = run.visits.iter().find(|v| v.name == "Big").unwrap();
        assert_eq!(
            (big.entered, big.exited, run.lanes[big.lane].name.as_str()),
            (0, Some(3000), "Each [1]")
        );
        let both = run.visits.iter().find(|v| v.name == "Both").unwrap();
        assert_eq!(
            (both.error.as_deref(), both.cause.as_deref()),
            (Some("Boom"), Some("r"))
        );
        // the report is one file that names nothing outside it
        let html = html("m</script><script>x()", &definition, &outcome).unwrap();
        assert!(!html.contains("</script><script>x()"));
        // nothing loaded from elsewhere: no source or link attribute at all
        assert!(
            !html.contains(" src=") && !html.contains(" href="),
            "{html}"
        );
        assert!(html.contains("default-src 'none'"));
    }

    #[test]
    fn long_payloads_are_cut_in_a_report() {
        let big = "x".repeat(MAX_REPORT_TEXT * 2);
        let machine = crate::Machine::from_json_str(
            "m",
            r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
        )
        .unwrap();
        let mut recorder = Recorder::default();
        crate::run_streaming(
            &machine,
            json!({ "big": big }),
            &mut crate::no_tasks(),
            &crate::RunOptions::default(),
            &mut |e| recorder.event(e),
        );
        let input = recorder.events[1]["stateEnteredEventDetails"]["input"]
            .as_str()
            .unwrap();
        assert!(input.len() < MAX_REPORT_TEXT + 100);
        assert!(input.ends_with(&format!("… (cut: {} bytes in all)", big.len() + 10)));
    }
}
