//! Validation of a definition: graph rules, names, query languages, fields, limits.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::core::value::Value;

use super::limits::*;
use super::model::*;

mod literals;
mod map;

/// The longest state name Step Functions accepts.
pub const MAX_STATE_NAME: usize = 80;
/// The largest definition Step Functions accepts, in bytes.
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;
/// One problem of a definition, with the state it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AslProblem {
    /// The state it is about, or `None` for the definition as a whole.
    pub state: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl fmt::Display for AslProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            Some(s) => write!(f, "state {s:?}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What the definition is validated for: `ValidateOptions::new()` then builder methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ValidateOptions {
    /// An EXPRESS state machine: request/response integrations only, no Distributed Map,
    /// at most five minutes.
    pub express: bool,
    /// Leave out the graph rules (reachability, ends): the graph is known to be broken
    /// already (two states with one name) and they would only repeat it.
    pub skip_graph: bool,
}

impl ValidateOptions {
    /// Every rule, for a STANDARD state machine.
    pub fn new() -> Self {
        Self::default()
    }
    /// Validates for an EXPRESS state machine: request/response integrations only, no
    /// Distributed Map, at most five minutes.
    pub fn express(mut self) -> Self {
        self.express = true;
        self
    }
    /// Leaves out the graph rules (reachability, ends), for a graph already known to be
    /// broken.
    pub fn skip_graph(mut self) -> Self {
        self.skip_graph = true;
        self
    }
}

/// The text of a value with its tokens shown as `${}`: enough to look at an ARN's shape.
pub(crate) fn shape(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Token(t) => t.shape(),
        _ => String::new(),
    }
}

/// True when a string of `v` (a key or a value, at any depth) holds `needle`.
fn mentions(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Array(items) => items.iter().any(|i| mentions(i, needle)),
        Value::Object(map) => map
            .iter()
            .any(|(k, i)| k.contains(needle) || mentions(i, needle)),
        _ => false,
    }
}

/// Counts the bytes written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Checker<'a> {
    problems: Vec<AslProblem>,
    top_language: QueryLanguage,
    options: ValidateOptions,
    /// every state name, machine-wide, with its scope id
    scopes: HashMap<&'a str, usize>,
}

/// The value of an amount when it is a literal number.
fn literal(a: &Option<Amount>) -> Option<f64> {
    match a {
        Some(Amount::Value(n)) => n.as_f64(),
        _ => None,
    }
}

impl<'a> Checker<'a> {
    /// A literal amount must lie in `range`.
    fn limit(&mut self, name: &str, field: &str, value: Option<f64>, min: u64, max: u64) {
        if let Some(v) = value {
            if v < min as f64 || v > max as f64 {
                self.at(
                    name,
                    format!("{field} is {v}; Step Functions accepts {min} to {max}"),
                );
            }
        }
    }

    fn input(&mut self, name: &str, input: &Option<super::input::Input>, language: QueryLanguage) {
        if let Some(i) = input {
            let field = match language {
                QueryLanguage::JsonPath => "Parameters",
                QueryLanguage::Jsonata => "Arguments",
            };
            for p in i.problems(language, field) {
                self.at(name, p);
            }
        }
    }

    fn at(&mut self, state: &str, message: impl Into<String>) {
        self.problems.push(AslProblem {
            state: Some(state.to_string()),
            message: message.into(),
        });
    }

    fn general(&mut self, message: impl Into<String>) {
        self.problems.push(AslProblem {
            state: None,
            message: message.into(),
        });
    }

    fn collect_names(&mut self, d: &'a Definition, scope: &mut usize) {
        let mine = *scope;
        for (name, state) in &d.states {
            if self.scopes.insert(name.as_str(), mine).is_some() {
                self.at(name, "the name is used by another state; state names must be unique in the whole state machine");
            }
            if name.chars().count() > MAX_STATE_NAME {
                self.at(
                    name,
                    format!(
                        "the name has {} characters; Step Functions allows {MAX_STATE_NAME}",
                        name.chars().count()
                    ),
                );
            }
            if name.is_empty() || name.chars().any(char::is_control) {
                self.at(name, "the name is empty or holds a control character");
            }
            match &state.kind {
                StateKind::Parallel(p) => {
                    for b in &p.branches {
                        *scope += 1;
                        self.collect_names(b, scope);
                    }
                }
                StateKind::Map(m) => {
                    *scope += 1;
                    self.collect_names(&m.processor, scope);
                }
                _ => {}
            }
        }
    }

    fn graph(&mut self, d: &'a Definition, what: &str) {
        let start_exists = d.states.contains_key(&d.start_at);
        if !start_exists {
            self.general(format!(
                "{what}: StartAt {:?} is not one of its states",
                d.start_at
            ));
        }
        let mut dangling = false;
        for (name, state) in &d.states {
            for target in state.targets() {
                if !d.states.contains_key(target) {
                    dangling = true;
                    if self.scopes.contains_key(target) {
                        self.at(name, format!("goes to {target:?}, which is outside its {what}: a state cannot jump out of (or into) a Map or Parallel"));
                    } else {
                        self.at(name, format!("goes to {target:?}, which does not exist"));
                    }
                }
            }
            if let Some(None) = state.transition() {
                dangling = true;
                self.at(name, "has neither Next nor End");
            }
        }
        // reachability from StartAt
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack = vec![d.start_at.as_str()];
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Some(s) = d.states.get(n) {
                stack.extend(s.targets());
            }
        }
        for name in d.states.keys() {
            if start_exists && !seen.contains(name.as_str()) {
                self.at(
                    name,
                    format!("is not reachable from StartAt {:?}", d.start_at),
                );
            }
        }
        let ends = d.states.values().any(|s| {
            matches!(s.kind, StateKind::Succeed | StateKind::Fail(_))
                || matches!(s.transition(), Some(Some(Transition::End)))
        });
        if !ends && !dangling && !d.states.is_empty() {
            self.general(format!(
                "{what} never ends: none of its states is terminal (End, Succeed or Fail)"
            ));
        }
    }

    fn errors(&mut self, name: &str, kind: &str, lists: &[&[ErrorName]]) {
        let last = lists.len().saturating_sub(1);
        for (i, list) in lists.iter().enumerate() {
            if list.is_empty() {
                self.at(name, format!("a {kind} has an empty ErrorEquals"));
            }
            for e in *list {
                if let ErrorName::Custom(c) = e {
                    if c.starts_with("States.") {
                        self.at(name, format!("{c} is not an error Step Functions defines"));
                    }
                }
            }
            if list.contains(&ErrorName::All) && (list.len() > 1 || i != last) {
                self.at(
                    name,
                    format!("States.ALL must stand alone, in the last {kind}"),
                );
            }
        }
    }

    fn state(&mut self, name: &str, s: &State, language: QueryLanguage) {
        let jsonata = language == QueryLanguage::Jsonata;
        let only = |present: bool, field: &str, wanted: QueryLanguage, this: &mut Self| {
            if present && language != wanted {
                this.at(
                    name,
                    format!(
                        "{field} is a {} field, but the state uses {}",
                        wanted.as_str(),
                        language.as_str()
                    ),
                );
            }
        };
        only(
            s.input_path.is_some(),
            "InputPath",
            QueryLanguage::JsonPath,
            self,
        );
        only(
            s.output_path.is_some(),
            "OutputPath",
            QueryLanguage::JsonPath,
            self,
        );
        only(s.output.is_some(), "Output", QueryLanguage::Jsonata, self);
        if matches!(s.kind, StateKind::Fail(_)) && (s.assign.is_some() || s.output.is_some()) {
            self.at(name, "a Fail state has no Assign or Output");
        }
        if !jsonata {
            for p in literals::quoted_paths(s) {
                self.at(name, p);
            }
        }
        match &s.kind {
            StateKind::Pass(p) => {
                only(
                    p.parameters.is_some(),
                    "Parameters",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(
                    p.result_path.is_some(),
                    "ResultPath",
                    QueryLanguage::JsonPath,
                    self,
                );
            }
            StateKind::Task(t) => {
                only(
                    t.parameters.is_some(),
                    "Parameters",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(
                    t.result_selector.is_some(),
                    "ResultSelector",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(
                    t.result_path.is_some(),
                    "ResultPath",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(
                    t.arguments.is_some(),
                    "Arguments",
                    QueryLanguage::Jsonata,
                    self,
                );
                for (amount, field) in [
                    (&t.timeout, "TimeoutSeconds"),
                    (&t.heartbeat, "HeartbeatSeconds"),
                ] {
                    match amount {
                        Some(Amount::Path(_)) => {
                            only(true, &format!("{field}Path"), QueryLanguage::JsonPath, self)
                        }
                        Some(Amount::Expr(_)) => only(
                            true,
                            &format!("{field} as an expression"),
                            QueryLanguage::Jsonata,
                            self,
                        ),
                        _ => {}
                    }
                }
                if let (Some(Amount::Value(t)), Some(Amount::Value(h))) = (&t.timeout, &t.heartbeat)
                {
                    if h.as_f64() >= t.as_f64() {
                        self.at(name, "HeartbeatSeconds must be smaller than TimeoutSeconds");
                    }
                }
                let max_timeout = if self.options.express {
                    MAX_EXPRESS_SECONDS
                } else {
                    MAX_SECONDS
                };
                self.limit(name, "TimeoutSeconds", literal(&t.timeout), 1, max_timeout);
                self.limit(
                    name,
                    "HeartbeatSeconds",
                    literal(&t.heartbeat),
                    1,
                    max_timeout,
                );
                self.input(name, &t.input, language);
                let resource = shape(&t.resource);
                if self.options.express
                    && (resource.ends_with(".sync")
                        || resource.contains(".sync:")
                        || resource.ends_with(".waitForTaskToken"))
                {
                    self.at(name, format!("uses {resource}, but an EXPRESS state machine allows request/response integrations only (no .sync or .waitForTaskToken)"));
                }
                if resource.is_empty() {
                    self.at(name, "a Task needs a Resource");
                }
                if resource.ends_with(".waitForTaskToken") {
                    // the callback needs the token: without it nothing can resume the task
                    let sent: Vec<Value> = [
                        t.input.as_ref().map(|i| i.render(language)),
                        t.parameters.clone(),
                        t.arguments.clone(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    let token = match language {
                        QueryLanguage::JsonPath => "$$.Task.Token",
                        QueryLanguage::Jsonata => "$states.context.Task.Token",
                    };
                    if !sent.iter().any(|v| mentions(v, token)) {
                        self.at(
                            name,
                            format!(
                                "uses {resource} but sends no task token: put {token} in its {} so the callback can resume it",
                                match language {
                                    QueryLanguage::JsonPath => "Parameters",
                                    QueryLanguage::Jsonata => "Arguments",
                                }
                            ),
                        );
                    }
                }
                self.retry_catch(name, &t.retry, &t.catch, language);
            }
            StateKind::Choice(c) => {
                if c.choices.is_empty() {
                    self.at(name, "a Choice state needs at least one rule");
                }
                for rule in &c.choices {
                    if rule.condition.is_jsonata() != jsonata {
                        self.at(
                            name,
                            format!(
                                "a {} Choice rule must use {}",
                                language.as_str(),
                                if jsonata {
                                    "Condition"
                                } else {
                                    "Variable, And, Or or Not"
                                }
                            ),
                        );
                    }
                    if rule.output.is_some() && !jsonata {
                        self.at(name, "Output in a choice rule is a JSONata field");
                    }
                    for p in rule.condition.problems() {
                        self.at(name, p);
                    }
                }
            }
            StateKind::Wait(w) => match &w.wait {
                WaitFor::SecondsPath(_) | WaitFor::TimestampPath(_) => only(
                    true,
                    "SecondsPath/TimestampPath",
                    QueryLanguage::JsonPath,
                    self,
                ),
                WaitFor::SecondsExpr(_) | WaitFor::TimestampExpr(_) => only(
                    true,
                    "a JSONata Seconds/Timestamp",
                    QueryLanguage::Jsonata,
                    self,
                ),
                WaitFor::Seconds(n) => {
                    let max = if self.options.express {
                        MAX_EXPRESS_SECONDS
                    } else {
                        MAX_SECONDS
                    };
                    self.limit(name, "Seconds", Some(*n as f64), 0, max);
                }
                WaitFor::Timestamp(_) => {}
            },
            StateKind::Succeed => {}
            StateKind::Fail(f) => {
                if f.error.is_some() && f.error_path.is_some() {
                    self.at(name, "Error and ErrorPath are mutually exclusive");
                }
                if f.cause.is_some() && f.cause_path.is_some() {
                    self.at(name, "Cause and CausePath are mutually exclusive");
                }
                only(
                    f.error_path.is_some() || f.cause_path.is_some(),
                    "ErrorPath/CausePath",
                    QueryLanguage::JsonPath,
                    self,
                );
            }
            StateKind::Parallel(p) => {
                if p.branches.is_empty() {
                    self.at(name, "a Parallel state needs at least one branch");
                }
                only(
                    p.parameters.is_some(),
                    "Parameters",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(
                    p.result_selector.is_some(),
                    "ResultSelector",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(
                    p.result_path.is_some(),
                    "ResultPath",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(
                    p.arguments.is_some(),
                    "Arguments",
                    QueryLanguage::Jsonata,
                    self,
                );
                self.retry_catch(name, &p.retry, &p.catch, language);
            }
            StateKind::Map(m) => {
                only(
                    m.items_path.is_some(),
                    "ItemsPath",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(m.items.is_some(), "Items", QueryLanguage::Jsonata, self);
                only(
                    m.result_selector.is_some(),
                    "ResultSelector",
                    QueryLanguage::JsonPath,
                    self,
                );
                only(
                    m.result_path.is_some(),
                    "ResultPath",
                    QueryLanguage::JsonPath,
                    self,
                );
                if m.items_path.is_some() && m.items.is_some() {
                    self.at(name, "ItemsPath and Items are mutually exclusive");
                }
                self.map_fields(name, m, language);
                self.retry_catch(name, &m.retry, &m.catch, language);
            }
        }
    }

    fn retry_catch(
        &mut self,
        name: &str,
        retry: &[Retrier],
        catch: &[Catcher],
        language: QueryLanguage,
    ) {
        let lists: Vec<&[ErrorName]> = retry.iter().map(|r| r.error_equals.as_slice()).collect();
        self.errors(name, "retrier", &lists);
        for r in retry {
            if let Some(rate) = r.backoff_rate.as_ref().and_then(serde_json::Number::as_f64) {
                if rate < 1.0 {
                    self.at(name, format!("BackoffRate {rate} must be at least 1.0"));
                }
            }
            if r.interval_seconds == Some(0) {
                self.at(name, "IntervalSeconds must be at least 1");
            }
            self.limit(
                name,
                "IntervalSeconds",
                r.interval_seconds.map(f64::from),
                1,
                MAX_SECONDS,
            );
            self.limit(
                name,
                "MaxAttempts",
                r.max_attempts.map(f64::from),
                0,
                MAX_SECONDS,
            );
            self.limit(
                name,
                "MaxDelaySeconds",
                r.max_delay_seconds.map(f64::from),
                1,
                MAX_RETRY_DELAY_SECONDS,
            );
        }
        let lists: Vec<&[ErrorName]> = catch.iter().map(|c| c.error_equals.as_slice()).collect();
        self.errors(name, "catcher", &lists);
        for c in catch {
            if c.result_path.is_some() && language == QueryLanguage::Jsonata {
                self.at(
                    name,
                    "ResultPath in a catcher is a JSONPath field; use Output",
                );
            }
            if c.output.is_some() && language == QueryLanguage::JsonPath {
                self.at(
                    name,
                    "Output in a catcher is a JSONata field; use ResultPath",
                );
            }
        }
    }

    fn scope(&mut self, d: &'a Definition, inherited: QueryLanguage, what: &str) {
        if !self.options.skip_graph {
            self.graph(d, what);
        }
        for (name, s) in &d.states {
            let language = s.query_language.unwrap_or(inherited);
            if self.top_language == QueryLanguage::Jsonata
                && s.query_language == Some(QueryLanguage::JsonPath)
            {
                self.at(
                    name,
                    "the state machine uses JSONata, so no state may use JSONPath",
                );
            }
            self.state(name, s, language);
            match &s.kind {
                StateKind::Parallel(p) => {
                    for b in &p.branches {
                        self.scope(b, language, "branch");
                    }
                }
                StateKind::Map(m) => self.scope(&m.processor, language, "Map iteration"),
                _ => {}
            }
        }
    }
}

impl Definition {
    /// Every problem of the definition, each with the state's name.
    pub fn validate(&self, options: ValidateOptions) -> Vec<AslProblem> {
        self.validate_rendered(&self.to_value(), options)
    }

    /// Like [`Definition::validate`], for a definition already rendered with `to_value`
    /// (its size is measured on that rendering).
    pub fn validate_rendered(&self, rendered: &Value, options: ValidateOptions) -> Vec<AslProblem> {
        let top = self.query_language.unwrap_or(QueryLanguage::JsonPath);
        let mut c = Checker {
            problems: Vec::new(),
            top_language: top,
            options,
            scopes: HashMap::new(),
        };
        c.collect_names(self, &mut 0);
        if self.states.is_empty() {
            c.general("the state machine has no states");
        }
        if self.timeout_seconds == Some(0) {
            c.general("TimeoutSeconds must be at least 1");
        }
        let max = if options.express {
            MAX_EXPRESS_SECONDS
        } else {
            MAX_STANDARD_SECONDS
        };
        if let Some(t) = self.timeout_seconds {
            if u64::from(t) > max {
                c.general(format!(
                    "TimeoutSeconds is {t}; a{} execution lasts at most {max} s",
                    if options.express {
                        "n EXPRESS"
                    } else {
                        " STANDARD"
                    }
                ));
            }
        }
        if options.express && !options.skip_graph {
            if let Some((total, path)) = longest_wait(self) {
                if total > MAX_EXPRESS_SECONDS {
                    c.general(format!(
                        "the Wait states on the path {} add up to {total} s, but an EXPRESS execution lasts at most {MAX_EXPRESS_SECONDS} s",
                        path.join(" -> ")
                    ));
                }
            }
        }
        c.scope(self, top, "state machine");
        // the size Step Functions sees: the compact JSON text
        let mut counter = Counter(0);
        let size = match serde_json::to_writer(&mut counter, rendered) {
            Ok(()) => counter.0,
            Err(_) => 0,
        };
        if size > MAX_DEFINITION_BYTES {
            c.general(format!("the definition has {size} bytes; Step Functions accepts at most {MAX_DEFINITION_BYTES}"));
        }
        c.problems
    }
}
