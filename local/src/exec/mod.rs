//! The interpreter: runs a definition state by state on the virtual clock, writing the
//! history as it goes. Parallel branches and Map iterations run one after another, each from
//! the time its state started (Map iterations as `MaxConcurrency` lets them), so the clock
//! and the history are the same on every run.

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

/// The most bytes of a state's input, output or result, and of an execution's input.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// Why a run of states stopped early.
#[derive(Debug, Clone)]
pub(crate) enum Stop {
    /// An error: caught by an enclosing state, or the execution's.
    Fail(Failure),
    /// The execution ran past its `TimeoutSeconds`: nothing catches it.
    TimedOut,
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
    pub history: History,
    pub now: Instant,
    pub rng: Rng,
    pub deadline: Option<Instant>,
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

/// Runs `machine` with `input` to its end.
pub(crate) fn run(
    machine: &Machine,
    input: Json,
    runner: &mut dyn TaskRunner,
    options: &RunOptions,
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
    let mut exec = Exec {
        runner,
        history: History::default(),
        now: options.start,
        rng,
        deadline: machine
            .definition
            .timeout_seconds
            .map(|s| clock::after(options.start, f64::from(s))),
        real_time: options.real_time,
        region: options.region.clone(),
        account: options.account.clone(),
        execution: json!({
            "Id": execution_arn,
            "Input": input,
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
    exec.history.push(
        exec.now,
        "ExecutionStarted",
        Some((
            "executionStartedEventDetails",
            json!({
                "input": history::text(&input),
                "inputDetails": history::not_truncated(),
                "roleArn": role,
            }),
        )),
    );
    let frame = Frame {
        language: machine.definition.query_language,
        ..Frame::default()
    };
    let result = match check_size(&input, "the execution's input") {
        Err(f) => Err(Stop::Fail(f)),
        Ok(()) => exec.run_definition(&machine.definition, input, &frame),
    };
    let (status, output, error, cause) = match result {
        Ok(output) => {
            exec.history.push(
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
            exec.history.push(
                exec.now,
                "ExecutionFailed",
                Some((
                    "executionFailedEventDetails",
                    json!({"error": f.error, "cause": f.cause}),
                )),
            );
            (Status::Failed, None, Some(f.error), Some(f.cause))
        }
        Err(Stop::TimedOut) => {
            let cause = format!(
                "The execution ran longer than its TimeoutSeconds ({} s)",
                machine.definition.timeout_seconds.unwrap_or_default()
            );
            exec.history.push(
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
        history: exec.history.events,
        path: exec.path,
        execution_arn,
        started: options.start,
        ended: exec.now,
    }
}

/// A payload over 256 KiB is `States.DataLimitExceeded`.
pub(crate) fn check_size(v: &Json, what: &str) -> Result<(), Failure> {
    check_text_size(serde_json::to_string(v).map(|s| s.len()).unwrap_or(0), what)
}

pub(crate) fn check_text_size(size: usize, what: &str) -> Result<(), Failure> {
    if size > MAX_PAYLOAD_BYTES {
        return Err(Failure::new(
            "States.DataLimitExceeded",
            format!(
                "The state/task '{what}' returned a result with a size exceeding the maximum \
                 number of bytes service limit ({size} bytes; the limit is {MAX_PAYLOAD_BYTES})."
            ),
        ));
    }
    Ok(())
}

/// The event type's prefix for a state: `Task`, `Pass`, ...
fn type_prefix(state: &State) -> &'static str {
    state.type_name()
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
        loop {
            let Some(state) = def.states.get(&name) else {
                return Err(Failure::runtime(format!("The state '{name}' does not exist")).into());
            };
            self.transitions += 1;
            if self.transitions > self.max_transitions {
                return Err(Failure::runtime(format!(
                    "The execution made more than {} state transitions (a loop that never ends?)",
                    self.max_transitions
                ))
                .into());
            }
            if self.depth == 0 {
                self.path.push(name.clone());
            }
            let (output, next) = self.step(&name, state, input, &mut frame)?;
            match next {
                Some(n) => {
                    name = n;
                    input = output;
                }
                None => return Ok(output),
            }
        }
    }

    /// Runs one state: its output and the state to go to (`None`: the end).
    fn step(
        &mut self,
        name: &str,
        state: &State,
        input: Json,
        frame: &mut Frame,
    ) -> Flow<(Json, Option<String>)> {
        let language = state
            .query_language
            .or(frame.language)
            .unwrap_or(QueryLanguage::JsonPath);
        let entered = self.now;
        let prefix = type_prefix(state);
        self.history.push(
            entered,
            &format!("{prefix}StateEntered"),
            Some((
                "stateEnteredEventDetails",
                json!({"name": name, "input": history::text(&input), "inputDetails": history::not_truncated()}),
            )),
        );
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
        // one serialization for the size check and the event
        let text = serde_json::to_string(&output).unwrap_or_default();
        check_text_size(text.len(), name)?;
        let mut exited =
            json!({"name": name, "output": text, "outputDetails": history::not_truncated()});
        if let Some(vars) = &assigned {
            if !vars.is_empty() {
                exited["assignedVariables"] = Json::Object(
                    vars.iter()
                        .map(|(k, v)| (k.clone(), history::text(v)))
                        .collect(),
                );
                exited["assignedVariablesDetails"] = history::not_truncated();
            }
        }
        if let Some(vars) = assigned {
            for (k, v) in vars {
                frame.own.insert(k, v);
            }
        }
        self.history.push(
            self.now,
            &format!("{prefix}StateExited"),
            Some(("stateExitedEventDetails", exited)),
        );
        Ok((output, next))
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
        if let Some(deadline) = self.deadline {
            if until > deadline {
                self.now = deadline;
                return Err(Stop::TimedOut);
            }
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
