//! Task states, and the Retry and Catch of every state that has them.

use constructs::stepfunctions::asl::{
    Amount, Catcher, ErrorName, PathValue, QueryLanguage, Retrier, State, Task,
};
use serde_json::{json, Map as JsonMap, Value as Json};

use super::data::{plain, Seen};
use super::{checked_text, Env, Exec, Flow, Frame, Stop};
use crate::error::Failure;
use crate::history;
use crate::run::{Purpose, TaskCall};

/// Step Functions' default `TimeoutSeconds` of a Task.
const DEFAULT_TIMEOUT: f64 = 99_999_999.0;

pub(crate) type Stepped = (Json, Option<String>, Option<JsonMap<String, Json>>);

/// True when `names` (a retrier's or catcher's `ErrorEquals`) takes `error`. `States.ALL`
/// takes everything but `States.Runtime` and `States.DataLimitExceeded`; `States.TaskFailed`
/// everything but those and the timeouts; `States.Timeout` also takes a heartbeat timeout.
/// `States.Runtime` is never taken: it fails the execution.
pub(crate) fn matches(names: &[ErrorName], error: &str) -> bool {
    if error == "States.Runtime" {
        return false;
    }
    let terminal = error == "States.DataLimitExceeded";
    let timeout = error == "States.Timeout" || error == "States.HeartbeatTimeout";
    names.iter().any(|n| match n {
        ErrorName::All => !terminal,
        ErrorName::TaskFailed => !terminal && !timeout,
        ErrorName::Timeout => timeout,
        other => other.as_str() == error,
    })
}

/// Which kind of history events a resource's calls write.
enum Family {
    /// A service integration: `TaskScheduled`, `TaskSucceeded`, ...
    Integration { kind: String, resource: String },
    /// A function ARN as the resource: `LambdaFunctionScheduled`, ...
    Lambda,
    /// An activity ARN: `ActivityScheduled`, ...
    Activity,
}

fn family(resource: &str) -> Family {
    if let Some(rest) = resource.split(":::").nth(1) {
        let (kind, res) = rest.rsplit_once(':').unwrap_or(("", rest));
        return Family::Integration {
            kind: kind.to_string(),
            resource: res.to_string(),
        };
    }
    if resource.contains(":lambda:") {
        Family::Lambda
    } else if resource.contains(":activity:") {
        Family::Activity
    } else {
        Family::Integration {
            kind: String::new(),
            resource: resource.to_string(),
        }
    }
}

impl Exec<'_> {
    pub(crate) fn task(
        &mut self,
        env: &Env<'_>,
        state: &State,
        t: &Task,
        input: Json,
        frame: &Frame,
    ) -> Flow<Stepped> {
        let resource = match plain(&t.resource) {
            Json::String(s) => s,
            other => {
                return Err(Failure::runtime(format!(
                    "The Resource of state '{}' is {}, not an ARN",
                    env.name,
                    crate::paths::compact(&other)
                ))
                .into())
            }
        };
        let mut env = env.clone();
        if resource.ends_with(".waitForTaskToken") {
            env.token = Some(self.rng.uuid());
        }
        let timeout = self.amount(&env, t.timeout.as_ref(), &input, frame)?;
        let heartbeat = self.amount(&env, t.heartbeat.as_ref(), &input, frame)?;
        let outcome = self.with_retry(&mut env, &t.retry, |ex, env| {
            let call_input = match env.language {
                QueryLanguage::JsonPath => {
                    let effective = ex.input_path(env, state, &input, frame)?;
                    match &t.parameters {
                        Some(p) => ex.payload(env, &plain(p), &effective, frame)?,
                        None => effective,
                    }
                }
                QueryLanguage::Jsonata => match &t.arguments {
                    Some(a) => ex.jsonata_template(env, &plain(a), Seen::input(&input), frame)?,
                    None => input.clone(),
                },
            };
            let credentials = match &t.credentials {
                Some(c) if env.language == QueryLanguage::Jsonata => {
                    Some(ex.jsonata_template(env, &plain(c), Seen::input(&input), frame)?)
                }
                Some(c) => Some(ex.payload(env, &plain(c), &input, frame)?),
                None => None,
            };
            ex.invoke(
                env,
                &resource,
                &call_input,
                timeout.unwrap_or(DEFAULT_TIMEOUT),
                heartbeat,
                credentials.as_ref(),
            )
        });
        match outcome {
            Ok(result) => self.finish(
                &env,
                state,
                t.result_selector.as_ref(),
                t.result_path.as_ref(),
                &t.next,
                input,
                result,
                frame,
            ),
            Err(Stop::Fail(f)) => self.catch(&env, &t.catch, f, input, frame),
            Err(stop) => Err(stop),
        }
    }

    /// The end of a state that produced a result (Task, Parallel, Map): ResultSelector,
    /// Assign, ResultPath and OutputPath, or JSONata's Assign and Output.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish(
        &mut self,
        env: &Env<'_>,
        state: &State,
        selector: Option<&constructs::core::value::Value>,
        result_path: Option<&PathValue>,
        next: &Option<constructs::stepfunctions::asl::Transition>,
        input: Json,
        result: Json,
        frame: &Frame,
    ) -> Flow<Stepped> {
        let next = Self::next_of(next);
        if env.language == QueryLanguage::Jsonata {
            let seen = Seen::result(&input, &result);
            let assigned = self.assign(env, state.assign.as_ref(), seen, frame)?;
            let out =
                self.jsonata_output(env, state.output.as_ref(), seen, result.clone(), frame)?;
            return Ok((out, next, assigned));
        }
        // JSONPath Assign sees the raw result: it is evaluated beside ResultSelector
        let assigned = self.assign(
            env,
            state.assign.as_ref(),
            Seen::result(&input, &result),
            frame,
        )?;
        let result = self.result_selector(env, selector, result, frame)?;
        let out = self.result_path(result_path, input, result)?;
        let out = self.output_path(env, state, out, frame)?;
        Ok((out, next, assigned))
    }

    /// A number of seconds: written, at a path of the input, or a JSONata expression.
    pub(crate) fn amount(
        &mut self,
        env: &Env<'_>,
        amount: Option<&Amount>,
        input: &Json,
        frame: &Frame,
    ) -> Result<Option<f64>, Failure> {
        let v = match amount {
            None => return Ok(None),
            Some(Amount::Value(n)) => return Ok(n.as_f64()),
            Some(Amount::Path(p)) => self.read_path(env, p, input, frame)?,
            Some(Amount::Expr(e)) => self.jsonata_value(env, e, Seen::input(input), frame)?,
        };
        match v.as_f64() {
            Some(n) if n >= 0.0 => Ok(Some(n)),
            _ => Err(Failure::runtime(format!(
                "A number of state '{}' gives {}, not a non-negative number",
                env.name,
                crate::paths::compact(&v)
            ))),
        }
    }

    /// One call to the runner, with its history events and timeouts.
    fn invoke(
        &mut self,
        env: &Env<'_>,
        resource: &str,
        input: &Json,
        timeout: f64,
        heartbeat: Option<f64>,
        credentials: Option<&Json>,
    ) -> Flow<Json> {
        let input_text = checked_text(input, env.name)?;
        let fam = family(resource);
        let (prefix, key, base) = match &fam {
            Family::Integration { kind, resource } => (
                "Task",
                "task",
                json!({"resourceType": kind, "resource": resource}),
            ),
            Family::Lambda => (
                "LambdaFunction",
                "lambdaFunction",
                json!({"resource": resource}),
            ),
            Family::Activity => ("Activity", "activity", json!({"resource": resource})),
        };
        let mut scheduled = base.clone();
        match fam {
            Family::Integration { .. } => {
                scheduled["region"] = self.region.clone().into();
                scheduled["parameters"] = input_text.into();
            }
            _ => {
                scheduled["input"] = input_text.into();
                scheduled["inputDetails"] = history::not_truncated();
            }
        }
        if timeout < DEFAULT_TIMEOUT {
            scheduled["timeoutInSeconds"] = json!(timeout as u64);
        }
        if let Some(h) = heartbeat {
            scheduled["heartbeatInSeconds"] = json!(h as u64);
        }
        self.event(
            &format!("{prefix}Scheduled"),
            Some((&format!("{key}ScheduledEventDetails"), scheduled)),
        )?;
        let started = match fam {
            Family::Activity => json!({"workerName": "rcdk-local"}),
            Family::Lambda => json!({}),
            Family::Integration { .. } => base.clone(),
        };
        let started_details = if started.as_object().is_some_and(|o| !o.is_empty()) {
            Some((format!("{key}StartedEventDetails"), started))
        } else {
            None
        };
        self.event(
            &format!("{prefix}Started"),
            started_details
                .as_ref()
                .map(|(k, v)| (k.as_str(), v.clone())),
        )?;
        let call = TaskCall {
            state: env.name,
            resource,
            input,
            task_token: env.token.as_deref(),
            timeout_seconds: timeout,
            credentials,
            purpose: Purpose::Task,
        };
        let answer = self.runner.run(&call);
        let failed = |ex: &mut Self, f: Failure, kind: &str| {
            let mut d = base.clone();
            d["error"] = f.error.clone().into();
            d["cause"] = f.cause.clone().into();
            ex.event(
                &format!("{prefix}{kind}"),
                Some((&format!("{key}{kind}EventDetails"), d)),
            )?;
            Err(Stop::Fail(f))
        };
        let answer = match answer {
            Ok(a) => a,
            Err(f) => return failed(self, f, "Failed"),
        };
        let limit = heartbeat.map_or(timeout, |h| h.min(timeout));
        if answer.seconds > limit {
            self.sleep(limit)?;
            let error = if heartbeat.is_some_and(|h| h < timeout) {
                "States.HeartbeatTimeout"
            } else {
                "States.Timeout"
            };
            let f = Failure::new(
                error,
                format!(
                    "The task took {} s; its {} is {limit} s",
                    answer.seconds,
                    if error == "States.Timeout" {
                        "TimeoutSeconds"
                    } else {
                        "HeartbeatSeconds"
                    }
                ),
            );
            return failed(self, f, "TimedOut");
        }
        self.sleep(answer.seconds)?;
        let output_text = match checked_text(&answer.result, env.name) {
            Ok(t) => t,
            Err(f) => return failed(self, f, "Failed"),
        };
        let mut d = base;
        d["output"] = output_text.into();
        d["outputDetails"] = history::not_truncated();
        self.event(
            &format!("{prefix}Succeeded"),
            Some((&format!("{key}SucceededEventDetails"), d)),
        )?;
        Ok(answer.result)
    }

    /// Runs `attempt` until it succeeds or no retrier takes its error: the first retrier whose
    /// `ErrorEquals` takes the error decides, with its own count of attempts.
    pub(crate) fn with_retry<T>(
        &mut self,
        env: &mut Env<'_>,
        retriers: &[Retrier],
        mut attempt: impl FnMut(&mut Self, &Env<'_>) -> Flow<T>,
    ) -> Flow<T> {
        let mut counts = vec![0u32; retriers.len()];
        loop {
            let failure = match attempt(self, env) {
                Err(Stop::Fail(f)) => f,
                other => return other,
            };
            let Some(i) = retriers
                .iter()
                .position(|r| matches(&r.error_equals, &failure.error))
            else {
                return Err(Stop::Fail(failure));
            };
            let r = &retriers[i];
            if counts[i] >= r.max_attempts.unwrap_or(3) {
                return Err(Stop::Fail(failure));
            }
            let interval = f64::from(r.interval_seconds.unwrap_or(1));
            let rate = r
                .backoff_rate
                .as_ref()
                .and_then(|n| n.as_f64())
                .unwrap_or(2.0);
            let mut delay = interval * rate.powi(counts[i] as i32);
            if let Some(max) = r.max_delay_seconds {
                delay = delay.min(f64::from(max));
            }
            if r.jitter_strategy == Some(constructs::stepfunctions::asl::Jitter::Full) {
                delay *= self.rng.f64();
            }
            counts[i] += 1;
            env.retry_count += 1;
            // a retry counts against the run's bound, as a transition does
            self.count_transition()?;
            self.sleep(delay)?;
        }
    }

    /// The first catcher that takes the error decides where the execution goes; without one,
    /// the error goes on.
    pub(crate) fn catch(
        &mut self,
        env: &Env<'_>,
        catchers: &[Catcher],
        failure: Failure,
        input: Json,
        frame: &Frame,
    ) -> Flow<Stepped> {
        let Some(c) = catchers
            .iter()
            .find(|c| matches(&c.error_equals, &failure.error))
        else {
            return Err(Stop::Fail(failure));
        };
        let error_output = failure.to_json();
        let seen = Seen::error(&input, &error_output);
        let assigned = self.assign(env, c.assign.as_ref(), seen, frame)?;
        let out = match env.language {
            QueryLanguage::Jsonata => {
                self.jsonata_output(env, c.output.as_ref(), seen, error_output.clone(), frame)?
            }
            QueryLanguage::JsonPath => {
                let path = c.result_path.clone().unwrap_or(PathValue::path("$"));
                self.result_path(Some(&path), input, error_output)?
            }
        };
        Ok((out, Some(c.next.clone()), assigned))
    }
}
