//! The interpreter: runs a definition state by state on the virtual clock, writing the
//! history as it goes. Parallel branches and Map iterations run one after another, each from
//! the time its state started (Map iterations as `MaxConcurrency` lets them), so the clock
//! and the history are the same on every run.

mod bounds;
mod choice;
mod data;
mod distributed;
mod map;
mod task;

use std::rc::Rc;

use constructs::stepfunctions::asl::{
    Definition, Fail, Pass, QueryLanguage, State, StateKind, Transition, Wait, WaitFor,
};
use serde_json::{json, Map as JsonMap, Value as Json};

use crate::clock::{self, Instant};
use crate::error::Failure;
use crate::history::{self, History};
use crate::rng::Rng;
use crate::run::{Machine, Outcome, RunOptions, Status, TaskRunner};

pub(crate) use data::{Env, Seen};

pub(crate) use bounds::{check_text_size, check_value, checked_text};
pub use bounds::{MAX_DEPTH, MAX_PAYLOAD_BYTES};

/// Why a run of states stopped early.
#[derive(Debug, Clone)]
pub(crate) enum Stop {
    /// An error: caught by an enclosing state, or the execution's.
    Fail(Failure),
    /// The execution ran past its `TimeoutSeconds` or the longest an execution of its type
    /// may run (the cause says which): nothing catches it.
    TimedOut(String),
    /// The history holds all the events it may: the execution fails (`States.Runtime`).
    HistoryFull,
}

impl From<history::Full> for Stop {
    fn from(_: history::Full) -> Self {
        Stop::HistoryFull
    }
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Self {
        Stop::Fail(f)
    }
}

pub(crate) type Flow<T> = Result<T, Stop>;

/// The variables a scope sees: its own, and those of the scopes around it (read only).
#[derive(Debug, Clone, Default)]
pub(crate) struct Frame {
    outer: Rc<JsonMap<String, Json>>,
    own: JsonMap<String, Json>,
    /// The query language of states that do not set one.
    language: Option<QueryLanguage>,
}

impl Frame {
    pub fn var(&self, name: &str) -> Option<&Json> {
        self.own.get(name).or_else(|| self.outer.get(name))
    }

    /// The scope of a branch or iteration: everything visible here, read only.
    fn inner(&self) -> Frame {
        let mut all = (*self.outer).clone();
        for (k, v) in &self.own {
            all.insert(k.clone(), v.clone());
        }
        Frame {
            outer: Rc::new(all),
            own: JsonMap::new(),
            language: self.language,
        }
    }

    /// Every variable visible, for JSONata's bindings.
    pub fn visible(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.outer
            .iter()
            .filter(|(k, _)| !self.own.contains_key(*k))
            .chain(self.own.iter())
    }
}

/// One execution being run.
pub(crate) struct Exec<'r> {
    pub runner: &'r mut dyn TaskRunner,
    pub history: History<'r>,
    pub now: Instant,
    pub rng: Rng,
    /// When the execution times out, and why: its `TimeoutSeconds`, or the longest an
    /// execution of its type runs.
    pub deadline: (Instant, String),
    pub real_time: bool,
    pub region: String,
    pub account: String,
    /// `$$.Execution` and `$$.StateMachine`.
    pub execution: Json,
    pub state_machine: Json,
    pub transitions: u64,
    pub max_transitions: u64,
    /// Top-level states entered, in order.
    pub path: Vec<String>,
    depth: usize,
}

/// When an execution started at `start` times out, and the cause it then fails with: its
/// `TimeoutSeconds`, or the longest an execution of its type may run, "1 year. If an execution
/// runs for more than the 1-year maximum, it will fail with a `States.Timeout` error" (5
/// minutes for an EXPRESS one; the quota page of the developer guide,
/// <https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html>).
fn deadline(machine: &Machine, start: Instant) -> (Instant, String) {
    use constructs::stepfunctions::asl::limits::{MAX_EXPRESS_SECONDS, MAX_STANDARD_SECONDS};
    let (most, kind, span) = if machine.express {
        (MAX_EXPRESS_SECONDS, "an EXPRESS", "5-minute")
    } else {
        (MAX_STANDARD_SECONDS, "a STANDARD", "1-year")
    };
    match machine.definition.timeout_seconds {
        Some(s) if u64::from(s) <= most => (
            clock::after(start, f64::from(s)),
            format!("The execution ran longer than its TimeoutSeconds ({s} s)"),
        ),
        _ => (
            clock::after(start, most as f64),
            format!(
                "The execution ran longer than the {span} maximum of {kind} execution ({most} s)"
            ),
        ),
    }
}

/// Runs `machine` with `input` to its end, each event handed to `sink` as it happens.
pub(crate) fn run(
    machine: &Machine,
    input: Json,
    runner: &mut dyn TaskRunner,
    options: &RunOptions,
    sink: &mut dyn FnMut(&history::EventView<'_>),
) -> Outcome {
    let machine_arn = format!(
        "arn:aws:states:{}:{}:stateMachine:{}",
        options.region, options.account, machine.name
    );
    let mut rng = Rng::seeded(options.seed);
    // an EXPRESS execution's ARN ends with an id of its own after the name
    let execution_arn = if machine.express {
        format!(
            "arn:aws:states:{}:{}:express:{}:{}:{}",
            options.region,
            options.account,
            machine.name,
            options.execution_name,
            rng.uuid()
        )
    } else {
        format!(
            "arn:aws:states:{}:{}:execution:{}:{}",
            options.region, options.account, machine.name, options.execution_name
        )
    };
    let role = options.role_arn.clone().unwrap_or_else(|| {
        format!(
            "arn:aws:iam::{}:role/{}-role",
            options.account, machine.name
        )
    });
    // a value too deep to write is not written (only a library caller can give one)
    let input_check = check_value(&input, "the execution's input");
    let (input_text, context_input) = match &input_check {
        Ok(()) => (history::text(&input), input.clone()),
        Err(_) => (Json::String(String::new()), Json::Null),
    };
    let limit = (!machine.express).then_some(history::MAX_HISTORY_EVENTS);
    let mut exec = Exec {
        runner,
        history: History::new(sink, limit),
        now: options.start,
        rng,
        deadline: deadline(machine, options.start),
        real_time: options.real_time,
        region: options.region.clone(),
        account: options.account.clone(),
        execution: json!({
            "Id": execution_arn,
            "Input": context_input,
            "Name": options.execution_name,
            "RoleArn": role,
            "StartTime": clock::format(options.start),
            "RedriveCount": 0,
        }),
        state_machine: json!({"Id": machine_arn, "Name": machine.name}),
        transitions: 0,
        max_transitions: options.max_transitions,
        path: Vec::new(),
        depth: 0,
    };
    let _ = exec.history.push(
        exec.now,
        "ExecutionStarted",
        Some((
            "executionStartedEventDetails",
            json!({
                "input": input_text,
                "inputDetails": history::not_truncated(),
                "roleArn": role,
            }),
        )),
    );
    let frame = Frame {
        language: machine.definition.query_language,
        ..Frame::default()
    };
    let result = match input_check {
        Err(f) => {
            bounds::drop_deep(input);
            Err(Stop::Fail(f))
        }
        Ok(()) => exec.run_definition(&machine.definition, input, &frame),
    };
    // the last place of a full history is ExecutionSucceeded's or the history limit's
    let result = match result {
        Err(Stop::Fail(_) | Stop::TimedOut(_)) if exec.history.at_limit() => Err(Stop::HistoryFull),
        other => other,
    };
    let (status, output, error, cause) = match result {
        Ok(output) => {
            exec.history.finish(
                exec.now,
                "ExecutionSucceeded",
                Some((
                    "executionSucceededEventDetails",
                    json!({"output": history::text(&output), "outputDetails": history::not_truncated()}),
                )),
            );
            (Status::Succeeded, Some(output), None, None)
        }
        Err(Stop::Fail(f)) => {
            exec.history.finish(
                exec.now,
                "ExecutionFailed",
                Some((
                    "executionFailedEventDetails",
                    json!({"error": f.error, "cause": f.cause}),
                )),
            );
            (Status::Failed, None, Some(f.error), Some(f.cause))
        }
        Err(Stop::HistoryFull) => {
            let f = Failure::runtime(history::history_limit_cause());
            exec.history.finish(
                exec.now,
                "ExecutionFailed",
                Some((
                    "executionFailedEventDetails",
                    json!({"error": f.error, "cause": f.cause}),
                )),
            );
            (Status::Failed, None, Some(f.error), Some(f.cause))
        }
        Err(Stop::TimedOut(cause)) => {
            exec.history.finish(
                exec.now,
                "ExecutionTimedOut",
                Some((
                    "executionTimedOutEventDetails",
                    json!({"error": "States.Timeout", "cause": cause}),
                )),
            );
            (
                Status::TimedOut,
                None,
                Some("States.Timeout".to_string()),
                Some(cause),
            )
        }
    };
    Outcome {
        status,
        output,
        error,
        cause,
        history: Vec::new(),
        path: exec.path,
        execution_arn,
        started: options.start,
        ended: exec.now,
    }
}

/// The types of the events a state's entry and exit write: `TaskStateEntered`, ...
fn entry_and_exit(state: &State) -> (&'static str, &'static str) {
    match &state.kind {
        StateKind::Pass(_) => ("PassStateEntered", "PassStateExited"),
        StateKind::Task(_) => ("TaskStateEntered", "TaskStateExited"),
        StateKind::Choice(_) => ("ChoiceStateEntered", "ChoiceStateExited"),
        StateKind::Wait(_) => ("WaitStateEntered", "WaitStateExited"),
        StateKind::Succeed => ("SucceedStateEntered", "SucceedStateExited"),
        StateKind::Fail(_) => ("FailStateEntered", "FailStateExited"),
        StateKind::Parallel(_) => ("ParallelStateEntered", "ParallelStateExited"),
        StateKind::Map(_) => ("MapStateEntered", "MapStateExited"),
    }
}

impl Exec<'_> {
    /// Runs a definition (the machine's, a branch, an iteration) from `StartAt` to its end.
    pub fn run_definition(&mut self, def: &Definition, input: Json, frame: &Frame) -> Flow<Json> {
        let mut frame = frame.clone();
        if def.query_language.is_some() {
            frame.language = def.query_language;
        }
        let mut name = def.start_at.clone();
        let mut input = input;
        // the text of the input, when the state before wrote it already
        let mut input_text = None;
        loop {
            let Some(state) = def.states.get(&name) else {
                return Err(Failure::runtime(format!("The state '{name}' does not exist")).into());
            };
            self.count_transition()?;
            if self.depth == 0 {
                self.path.push(name.clone());
            }
            let (output, text, next) = self.step(&name, state, input, input_text, &mut frame)?;
            match next {
                Some(n) => {
                    name = n;
                    input = output;
                    input_text = Some(text);
                }
                None => return Ok(output),
            }
        }
    }

    /// One more state transition (or retry): past the run's bound, the execution stops. A
    /// STANDARD execution reaches its history's limit long before; the bound stops an EXPRESS
    /// execution whose states take no time on the virtual clock, which its 5-minute limit
    /// (real time, in AWS) would stop.
    pub(crate) fn count_transition(&mut self) -> Flow<()> {
        self.transitions += 1;
        if self.transitions > self.max_transitions {
            return Err(Stop::TimedOut(format!(
                "The execution made {} state transitions and retries without ending; the local \
                 runner stops it there, as the time limit of its execution type would (its \
                 states take no time on the virtual clock)",
                self.max_transitions
            )));
        }
        Ok(())
    }

    /// Writes an event at the clock's time.
    pub(crate) fn event(&mut self, kind: &str, details: Option<(&str, Json)>) -> Flow<u64> {
        Ok(self.history.push(self.now, kind, details)?)
    }

    /// Runs one state: its output, the output's text and the state to go to (`None`: the end).
    fn step(
        &mut self,
        name: &str,
        state: &State,
        input: Json,
        input_text: Option<String>,
        frame: &mut Frame,
    ) -> Flow<(Json, String, Option<String>)> {
        let language = state
            .query_language
            .or(frame.language)
            .unwrap_or(QueryLanguage::JsonPath);
        let entered = self.now;
        let (entered_kind, exited_kind) = entry_and_exit(state);
        let input_text = match input_text {
            Some(t) => t,
            None => serde_json::to_string(&input).unwrap_or_default(),
        };
        self.history.push_view(
            entered,
            entered_kind,
            history::Details::State {
                exited: false,
                name,
                text: &input_text,
                assigned: None,
            },
        )?;
        drop(input_text);
        let env = Env {
            name,
            language,
            entered,
            retry_count: 0,
            token: None,
            map_item: None,
        };
        let (output, next, assigned) = match &state.kind {
            StateKind::Pass(p) => self.pass(&env, state, p, input, frame)?,
            StateKind::Task(t) => self.task(&env, state, t, input, frame)?,
            StateKind::Choice(c) => self.choice(&env, state, c, input, frame)?,
            StateKind::Wait(w) => self.wait(&env, state, w, input, frame)?,
            StateKind::Succeed => {
                let effective = self.input_path(&env, state, &input, frame)?;
                let out = self.output_path(&env, state, effective, frame)?;
                let out = self.jsonata_output(
                    &env,
                    state.output.as_ref(),
                    Seen::input(&input),
                    out,
                    frame,
                )?;
                (out, None, None)
            }
            StateKind::Fail(f) => return Err(self.fail(&env, f, &input, frame)),
            StateKind::Parallel(p) => self.parallel(&env, state, p, input, frame)?,
            StateKind::Map(m) => self.map(&env, state, m, input, frame)?,
        };
        // one serialization for the size and depth checks, the event and the next state
        let text = checked_text(&output, name)?;
        let assigned_texts = assigned.as_ref().filter(|v| !v.is_empty()).map(|vars| {
            vars.iter()
                .map(|(k, v)| (k.clone(), history::text(v)))
                .collect::<JsonMap<String, Json>>()
        });
        if let Some(vars) = assigned {
            for (k, v) in vars {
                frame.own.insert(k, v);
            }
        }
        self.history.push_view(
            self.now,
            exited_kind,
            history::Details::State {
                exited: true,
                name,
                text: &text,
                assigned: assigned_texts.as_ref(),
            },
        )?;
        Ok((output, text, next))
    }

    /// Where a state with `Next`/`End` goes.
    fn next_of(transition: &Option<Transition>) -> Option<String> {
        match transition {
            Some(Transition::Next(n)) => Some(n.clone()),
            _ => None,
        }
    }

    fn pass(
        &mut self,
        env: &Env<'_>,
        state: &State,
        p: &Pass,
        input: Json,
        frame: &Frame,
    ) -> Flow<task::Stepped> {
        if env.language == QueryLanguage::Jsonata {
            let seen = Seen::input(&input);
            let assigned = self.assign(env, state.assign.as_ref(), seen, frame)?;
            let out =
                self.jsonata_output(env, state.output.as_ref(), seen, input.clone(), frame)?;
            return Ok((out, Self::next_of(&p.next), assigned));
        }
        let effective = self.input_path(env, state, &input, frame)?;
        let result = match (&p.result, &p.parameters) {
            (Some(r), _) => data::plain(r),
            (None, Some(params)) => self.payload(env, &data::plain(params), &effective, frame)?,
            (None, None) => effective.clone(),
        };
        // what a Task does with its result, without a ResultSelector
        self.finish(
            env,
            state,
            None,
            p.result_path.as_ref(),
            &p.next,
            input,
            result,
            frame,
        )
    }

    fn wait(
        &mut self,
        env: &Env<'_>,
        state: &State,
        w: &Wait,
        input: Json,
        frame: &Frame,
    ) -> Flow<task::Stepped> {
        let effective = self.input_path(env, state, &input, frame)?;
        let until = match &w.wait {
            WaitFor::Seconds(s) => clock::after(self.now, *s as f64),
            WaitFor::SecondsPath(p) => {
                let v = self.read_path(env, p, &effective, frame)?;
                let s = v.as_u64().ok_or_else(|| {
                    Failure::runtime(format!(
                        "The SecondsPath '{p}' gives {}, not a non-negative integer",
                        crate::paths::compact(&v)
                    ))
                })?;
                clock::after(self.now, s as f64)
            }
            WaitFor::Timestamp(t) => whole_seconds(timestamp(t, "Timestamp")?),
            WaitFor::TimestampPath(p) => {
                let v = self.read_path(env, p, &effective, frame)?;
                whole_seconds(timestamp(
                    v.as_str().unwrap_or_default(),
                    &format!("TimestampPath '{p}'"),
                )?)
            }
            WaitFor::SecondsExpr(e) => {
                let v = self.jsonata_value(env, e, Seen::input(&input), frame)?;
                match v.as_f64() {
                    Some(s) if s >= 0.0 && s.fract() == 0.0 => clock::after(self.now, s),
                    _ => {
                        return Err(Failure::query(format!(
                            "The Seconds expression gives {}, not a non-negative integer",
                            crate::paths::compact(&v)
                        ))
                        .into())
                    }
                }
            }
            WaitFor::TimestampExpr(e) => {
                let v = self.jsonata_value(env, e, Seen::input(&input), frame)?;
                match v.as_str().and_then(clock::parse) {
                    Some(t) => whole_seconds(t),
                    None => {
                        return Err(Failure::query(format!(
                            "The Timestamp expression gives {}, not an ISO 8601 timestamp",
                            crate::paths::compact(&v)
                        ))
                        .into())
                    }
                }
            }
        };
        let seconds = clock::seconds_between(self.now, until).max(0.0);
        self.sleep(seconds)?;
        let seen = match env.language {
            QueryLanguage::Jsonata => Seen::input(&input),
            QueryLanguage::JsonPath => Seen::input(&effective),
        };
        let assigned = self.assign(env, state.assign.as_ref(), seen, frame)?;
        let out = if env.language == QueryLanguage::Jsonata {
            self.jsonata_output(env, state.output.as_ref(), seen, input.clone(), frame)?
        } else {
            self.output_path(env, state, effective, frame)?
        };
        Ok((out, Self::next_of(&w.next), assigned))
    }

    /// Moves the clock on (and sleeps, in real time); past the execution's deadline the run
    /// times out there.
    pub fn sleep(&mut self, seconds: f64) -> Flow<()> {
        let until = clock::after(self.now, seconds);
        if until > self.deadline.0 {
            self.now = self.deadline.0;
            return Err(Stop::TimedOut(self.deadline.1.clone()));
        }
        if self.real_time && seconds > 0.0 {
            std::thread::sleep(std::time::Duration::from_secs_f64(seconds));
        }
        self.now = until;
        Ok(())
    }

    fn fail(&mut self, env: &Env<'_>, f: &Fail, input: &Json, frame: &Frame) -> Stop {
        let error = self.fail_field(env, &f.error, &f.error_path, "Error", input, frame);
        let cause = self.fail_field(env, &f.cause, &f.cause_path, "Cause", input, frame);
        match (error, cause) {
            (Ok(e), Ok(c)) => {
                Stop::Fail(Failure::new(e.unwrap_or_default(), c.unwrap_or_default()))
            }
            (Err(f), _) | (_, Err(f)) => Stop::Fail(f),
        }
    }

    /// A Fail state's `Error` or `Cause`: written, at a path, or a JSONata expression.
    fn fail_field(
        &mut self,
        env: &Env<'_>,
        value: &Option<String>,
        path: &Option<String>,
        what: &str,
        input: &Json,
        frame: &Frame,
    ) -> Result<Option<String>, Failure> {
        let v = match (path, value) {
            (Some(p), _) if crate::intrinsics::is_intrinsic(p) => {
                self.payload(env, &json!({ "v.$": p }), input, frame)?["v"].take()
            }
            (Some(p), _) => self.read_path(env, p, input, frame)?,
            (None, Some(v))
                if env.language == QueryLanguage::Jsonata
                    && crate::jsonata::expression(v).is_some() =>
            {
                self.jsonata_value(env, v, Seen::input(input), frame)?
            }
            (None, other) => return Ok(other.clone()),
        };
        match v {
            Json::String(s) => Ok(Some(s)),
            other => Err(Failure::runtime(format!(
                "The {what} of state '{}' gives {}, not a string",
                env.name,
                crate::paths::compact(&other)
            ))),
        }
    }

    /// Runs a branch or iteration as a nested scope.
    pub fn nested(&mut self, def: &Definition, input: Json, frame: &Frame) -> Flow<Json> {
        self.depth += 1;
        let out = self.run_definition(def, input, &frame.inner());
        self.depth -= 1;
        out
    }
}

/// AWS: a Wait's timestamp counts to the second; its milliseconds are cut.
fn whole_seconds(t: Instant) -> Instant {
    use chrono::Timelike;
    t.with_nanosecond(0).unwrap_or(t)
}

fn timestamp(text: &str, what: &str) -> Result<Instant, Failure> {
    clock::parse(text).ok_or_else(|| {
        Failure::runtime(format!(
            "The {what} gives '{text}', not an ISO 8601 timestamp (2025-01-01T00:00:00Z)"
        ))
    })
}
