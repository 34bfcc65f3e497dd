//! Building definitions by chaining states: `pass("A").next(wait(...)).next(...)`, a chain
//! that ends in a Choice with `when`/`otherwise`, and branches that rejoin with `afterwards`.
//!
//! Transitions are filled in by the chaining: a state followed by another gets `Next`, a
//! state left at the end of a chain gets `End: true`.

use indexmap::IndexMap;

use crate::core::value::Value;

use super::condition::Condition;
use super::input::Input;
use super::model::*;

/// An open end of a chain: a state whose `Next` (or a Choice whose `Default`) is still to
/// be set.
#[derive(Debug, Clone, PartialEq)]
enum End {
    Next(String),
    Default(String),
}

/// A piece of a state graph: where it starts, its states, and its open ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    start: String,
    states: IndexMap<String, State>,
    ends: Vec<End>,
    problems: Vec<String>,
}

impl Chain {
    /// A chain starting with `first`.
    pub fn start(first: impl Into<Chain>) -> Chain {
        first.into()
    }

    /// The name of the first state.
    pub fn start_at(&self) -> &str {
        &self.start
    }

    /// Connects every open end of this chain to `next`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(mut self, next: impl Into<Chain>) -> Chain {
        let next = next.into();
        for end in std::mem::take(&mut self.ends) {
            match end {
                End::Next(name) => {
                    if let Some(slot) = self.states.get_mut(&name).and_then(State::transition_mut) {
                        *slot = Some(Transition::Next(next.start.clone()));
                    }
                }
                End::Default(name) => {
                    if let Some(StateKind::Choice(c)) =
                        self.states.get_mut(&name).map(|s| &mut s.kind)
                    {
                        c.default = Some(next.start.clone());
                    }
                }
            }
        }
        self.merge(next.states, next.problems);
        self.ends = next.ends;
        self
    }

    fn merge(&mut self, states: IndexMap<String, State>, problems: Vec<String>) {
        self.problems.extend(problems);
        for (name, state) in states {
            match self.states.get(&name) {
                Some(existing) if *existing == state => {}
                Some(_) => self
                    .problems
                    .push(format!("two different states are named {name:?}")),
                None => {
                    self.states.insert(name, state);
                }
            }
        }
    }

    /// The definition: every state still open gets `End: true`. Problems met while building
    /// (a field that does not apply to a state type, two states with one name) are errors.
    pub fn to_definition(self) -> Result<Definition, Vec<String>> {
        let (definition, problems) = self.into_parts();
        if problems.is_empty() {
            Ok(definition)
        } else {
            Err(problems)
        }
    }

    /// The definition and the problems met while building it.
    pub fn into_parts(mut self) -> (Definition, Vec<String>) {
        for state in self.states.values_mut() {
            if let Some(slot @ None) = state.transition_mut() {
                *slot = Some(Transition::End);
            }
        }
        (
            Definition {
                comment: None,
                start_at: self.start,
                states: self.states,
                timeout_seconds: None,
                version: None,
                query_language: None,
            },
            self.problems,
        )
    }
}

/// A state being built, with its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    name: String,
    state: State,
    /// States reached from this one's Catch handlers.
    attached: Vec<Chain>,
    problems: Vec<String>,
}

impl From<Step> for Chain {
    fn from(step: Step) -> Chain {
        let ends = if step.state.transition().is_some() {
            vec![End::Next(step.name.clone())]
        } else {
            Vec::new()
        };
        let mut states = IndexMap::new();
        states.insert(step.name.clone(), step.state);
        let mut chain = Chain {
            start: step.name,
            states,
            ends,
            problems: step.problems,
        };
        for handler in step.attached {
            chain.merge(handler.states, handler.problems);
        }
        chain
    }
}

fn step(name: &str, kind: StateKind) -> Step {
    Step {
        name: name.to_string(),
        state: State::new(kind),
        attached: Vec::new(),
        problems: Vec::new(),
    }
}

/// A Pass state.
pub fn pass(name: &str) -> Step {
    step(name, StateKind::Pass(Pass::default()))
}

/// A Task state calling `resource`; the task integrations build these with their rights.
pub fn task(name: &str, resource: impl Into<Value>) -> Step {
    step(
        name,
        StateKind::Task(Task {
            resource: resource.into(),
            ..Default::default()
        }),
    )
}

/// A Wait state.
pub fn wait(name: &str, wait: WaitFor) -> Step {
    step(name, StateKind::Wait(Wait { wait, next: None }))
}

/// A Succeed state.
pub fn succeed(name: &str) -> Step {
    step(name, StateKind::Succeed)
}

/// A Fail state; set `error` and `cause` with the builder methods.
pub fn fail(name: &str) -> Step {
    step(name, StateKind::Fail(Fail::default()))
}

/// A Parallel state; add branches with [`Step::branch`].
pub fn parallel(name: &str) -> Step {
    step(name, StateKind::Parallel(Parallel::default()))
}

/// An inline Map state running `processor` for each item.
pub fn map(name: &str, processor: impl Into<Chain>) -> Step {
    let (definition, problems) = processor.into().into_parts();
    let mut s = step(
        name,
        StateKind::Map(Box::new(Map {
            processor: Box::new(definition),
            processor_config: Some(ProcessorConfig {
                mode: ProcessorMode::Inline,
                execution_type: None,
            }),
            ..Default::default()
        })),
    );
    s.problems = problems;
    s
}

/// A Choice state; add rules with [`ChoiceStep::when`].
pub fn choice(name: &str) -> ChoiceStep {
    ChoiceStep {
        name: name.to_string(),
        state: State::new(StateKind::Choice(Choice::default())),
        branches: Vec::new(),
        otherwise: None,
    }
}

macro_rules! setter {
    ($(#[$m:meta])* $fn:ident, $field:ident, $label:literal, $($variant:ident)|+) => {
        $(#[$m])*
        pub fn $fn(mut self, value: impl Into<Value>) -> Self {
            let value = value.into();
            match &mut self.state.kind {
                $( StateKind::$variant(s) => s.$field = Some(value), )+
                _ => self.not_applicable($label),
            }
            self
        }
    };
}

impl Step {
    fn not_applicable(&mut self, field: &str) {
        self.problems.push(format!(
            "state {:?}: {field} does not apply to a {} state",
            self.name,
            self.state.type_name()
        ));
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Chains `next` after this state.
    #[allow(clippy::should_implement_trait)]
    pub fn next(self, next: impl Into<Chain>) -> Chain {
        Chain::from(self).next(next)
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.state.comment = Some(text.into());
        self
    }

    pub fn query_language(mut self, language: QueryLanguage) -> Self {
        self.state.query_language = Some(language);
        self
    }

    pub fn input_path(mut self, path: PathValue) -> Self {
        if matches!(self.state.kind, StateKind::Fail(_)) {
            self.not_applicable("InputPath");
        } else {
            self.state.input_path = Some(path);
        }
        self
    }

    pub fn output_path(mut self, path: PathValue) -> Self {
        if matches!(self.state.kind, StateKind::Fail(_)) {
            self.not_applicable("OutputPath");
        } else {
            self.state.output_path = Some(path);
        }
        self
    }

    /// `Assign`: set variables.
    pub fn assign(mut self, variables: impl Into<Value>) -> Self {
        if matches!(self.state.kind, StateKind::Fail(_)) {
            self.not_applicable("Assign");
        } else {
            self.state.assign = Some(variables.into());
        }
        self
    }

    /// `Output` (JSONata).
    pub fn output(mut self, output: impl Into<Value>) -> Self {
        if matches!(self.state.kind, StateKind::Fail(_)) {
            self.not_applicable("Output");
        } else {
            self.state.output = Some(output.into());
        }
        self
    }

    /// `Parameters` (JSONPath), as written; on a Task it replaces the input a task helper
    /// wrote.
    pub fn parameters(mut self, value: impl Into<Value>) -> Self {
        let value = value.into();
        match &mut self.state.kind {
            StateKind::Pass(s) => s.parameters = Some(value),
            StateKind::Task(s) => {
                s.parameters = Some(value);
                s.input = None;
            }
            StateKind::Parallel(s) => s.parameters = Some(value),
            _ => self.not_applicable("Parameters"),
        }
        self
    }

    /// `Arguments` (JSONata), as written; on a Task it replaces the input a task helper
    /// wrote.
    pub fn arguments(mut self, value: impl Into<Value>) -> Self {
        let value = value.into();
        match &mut self.state.kind {
            StateKind::Task(s) => {
                s.arguments = Some(value);
                s.input = None;
            }
            StateKind::Parallel(s) => s.arguments = Some(value),
            _ => self.not_applicable("Arguments"),
        }
        self
    }

    /// What a Task sends, rendered as `Parameters` under JSONPath and `Arguments` under
    /// JSONata, by the query language in force for the state.
    pub fn input(mut self, input: impl Into<Input>) -> Self {
        match &mut self.state.kind {
            StateKind::Task(s) => {
                s.input = Some(input.into());
                s.parameters = None;
                s.arguments = None;
            }
            _ => self.not_applicable("a task input"),
        }
        self
    }

    /// The Task's rights are given some other way (a role passed in, a managed policy):
    /// synth does not ask for them.
    pub fn permissions_managed_elsewhere(mut self) -> Self {
        match &mut self.state.kind {
            StateKind::Task(s) => s.permissions_managed_elsewhere = true,
            _ => self.not_applicable("permissions"),
        }
        self
    }
    setter!(
        /// `ResultSelector` (JSONPath).
        result_selector, result_selector, "ResultSelector", Task | Parallel | Map
    );
    setter!(
        /// `Result` of a Pass state.
        result, result, "Result", Pass
    );

    /// `ResultPath`: where the result goes (`PathValue::Null` to discard it).
    pub fn result_path(mut self, path: PathValue) -> Self {
        match &mut self.state.kind {
            StateKind::Pass(s) => s.result_path = Some(path),
            StateKind::Task(s) => s.result_path = Some(path),
            StateKind::Parallel(s) => s.result_path = Some(path),
            StateKind::Map(s) => s.result_path = Some(path),
            _ => self.not_applicable("ResultPath"),
        }
        self
    }

    /// Adds a retrier.
    pub fn retry(mut self, retrier: Retrier) -> Self {
        match &mut self.state.kind {
            StateKind::Task(s) => s.retry.push(retrier),
            StateKind::Parallel(s) => s.retry.push(retrier),
            StateKind::Map(s) => s.retry.push(retrier),
            _ => self.not_applicable("Retry"),
        }
        self
    }

    /// Adds a catcher whose `Next` is the start of `handler`, whose states join the graph.
    pub fn catch<E: Into<ErrorName>>(
        self,
        errors: impl IntoIterator<Item = E>,
        handler: impl Into<Chain>,
    ) -> Self {
        self.catch_with(errors, handler, |c| c)
    }

    /// Like [`Step::catch`], with the catcher's other fields (ResultPath, Output, Assign).
    pub fn catch_with<E: Into<ErrorName>>(
        mut self,
        errors: impl IntoIterator<Item = E>,
        handler: impl Into<Chain>,
        configure: impl FnOnce(Catcher) -> Catcher,
    ) -> Self {
        let handler = handler.into();
        let catcher = configure(Catcher::on(errors, handler.start.clone()));
        match &mut self.state.kind {
            StateKind::Task(s) => s.catch.push(catcher),
            StateKind::Parallel(s) => s.catch.push(catcher),
            StateKind::Map(s) => s.catch.push(catcher),
            _ => {
                self.not_applicable("Catch");
                return self;
            }
        }
        self.attached.push(handler);
        self
    }

    /// `TimeoutSeconds` (or `TimeoutSecondsPath`, or a JSONata expression) of a Task.
    pub fn timeout(mut self, amount: impl Into<Amount>) -> Self {
        match &mut self.state.kind {
            StateKind::Task(s) => s.timeout = Some(amount.into()),
            _ => self.not_applicable("TimeoutSeconds"),
        }
        self
    }

    /// `HeartbeatSeconds` of a Task.
    pub fn heartbeat(mut self, amount: impl Into<Amount>) -> Self {
        match &mut self.state.kind {
            StateKind::Task(s) => s.heartbeat = Some(amount.into()),
            _ => self.not_applicable("HeartbeatSeconds"),
        }
        self
    }

    /// `Credentials` of a Task (a role to assume).
    pub fn credentials(mut self, credentials: impl Into<Value>) -> Self {
        match &mut self.state.kind {
            StateKind::Task(s) => s.credentials = Some(credentials.into()),
            _ => self.not_applicable("Credentials"),
        }
        self
    }

    /// The rights this Task needs (added to the state machine's role).
    pub fn grant(mut self, statement: crate::iam::PolicyStatement) -> Self {
        match &mut self.state.kind {
            StateKind::Task(s) => s.policy.push(statement),
            _ => self.not_applicable("a policy statement"),
        }
        self
    }

    /// Adds a branch to a Parallel state.
    pub fn branch(mut self, branch: impl Into<Chain>) -> Self {
        let (definition, problems) = branch.into().into_parts();
        self.problems.extend(problems);
        match &mut self.state.kind {
            StateKind::Parallel(p) => p.branches.push(definition),
            _ => self.not_applicable("Branches"),
        }
        self
    }

    /// `Error` and `Cause` of a Fail state.
    pub fn error(mut self, error: &str, cause: &str) -> Self {
        match &mut self.state.kind {
            StateKind::Fail(f) => {
                f.error = Some(error.to_string());
                f.cause = Some(cause.to_string());
            }
            _ => self.not_applicable("Error"),
        }
        self
    }

    /// `ErrorPath` and `CausePath` of a Fail state.
    pub fn error_path(mut self, error_path: &str, cause_path: &str) -> Self {
        match &mut self.state.kind {
            StateKind::Fail(f) => {
                f.error_path = Some(error_path.to_string());
                f.cause_path = Some(cause_path.to_string());
            }
            _ => self.not_applicable("ErrorPath"),
        }
        self
    }

    fn map_mut(&mut self, field: &str) -> Option<&mut Map> {
        if !matches!(self.state.kind, StateKind::Map(_)) {
            self.not_applicable(field);
            return None;
        }
        match &mut self.state.kind {
            StateKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Writes the Map in its legacy form: the iteration in `Iterator` (no `ProcessorConfig`)
    /// and the item selector in `Parameters`, as older definitions do.
    pub fn legacy_iterator(mut self) -> Self {
        if let Some(m) = self.map_mut("Iterator") {
            m.legacy_iterator = true;
            m.legacy_parameters = true;
            m.processor_config = None;
        }
        self
    }

    /// `ItemsPath` of a Map.
    pub fn items_path(mut self, path: &str) -> Self {
        if let Some(m) = self.map_mut("ItemsPath") {
            m.items_path = Some(path.to_string());
        }
        self
    }

    /// `Items` of a Map: an array, or a JSONata expression.
    pub fn items(mut self, items: impl Into<Value>) -> Self {
        if let Some(m) = self.map_mut("Items") {
            m.items = Some(items.into());
        }
        self
    }

    /// `ItemSelector` of a Map.
    pub fn item_selector(mut self, selector: impl Into<Value>) -> Self {
        if let Some(m) = self.map_mut("ItemSelector") {
            m.item_selector = Some(selector.into());
        }
        self
    }

    /// `MaxConcurrency` of a Map (0: as many as possible).
    pub fn max_concurrency(mut self, amount: impl Into<Amount>) -> Self {
        if let Some(m) = self.map_mut("MaxConcurrency") {
            m.max_concurrency = Some(amount.into());
        }
        self
    }

    /// Makes a Map distributed: child workflow executions of `execution_type`.
    pub fn distributed(mut self, execution_type: ExecutionType) -> Self {
        if let Some(m) = self.map_mut("ProcessorConfig") {
            m.processor_config = Some(ProcessorConfig {
                mode: ProcessorMode::Distributed,
                execution_type: Some(execution_type),
            });
        }
        self
    }

    /// `ItemReader` of a Distributed Map.
    pub fn item_reader(mut self, reader: ItemReader) -> Self {
        if let Some(m) = self.map_mut("ItemReader") {
            m.item_reader = Some(reader);
        }
        self
    }

    /// `ItemBatcher` of a Distributed Map.
    pub fn item_batcher(mut self, batcher: ItemBatcher) -> Self {
        if let Some(m) = self.map_mut("ItemBatcher") {
            m.item_batcher = Some(batcher);
        }
        self
    }

    /// `ResultWriter` of a Distributed Map.
    pub fn result_writer(mut self, writer: ResultWriter) -> Self {
        if let Some(m) = self.map_mut("ResultWriter") {
            m.result_writer = Some(writer);
        }
        self
    }

    /// `ToleratedFailurePercentage` of a Distributed Map.
    pub fn tolerated_failure_percentage(mut self, amount: impl Into<Amount>) -> Self {
        if let Some(m) = self.map_mut("ToleratedFailurePercentage") {
            m.tolerated_failure_percentage = Some(amount.into());
        }
        self
    }

    /// `ToleratedFailureCount` of a Distributed Map.
    pub fn tolerated_failure_count(mut self, amount: impl Into<Amount>) -> Self {
        if let Some(m) = self.map_mut("ToleratedFailureCount") {
            m.tolerated_failure_count = Some(amount.into());
        }
        self
    }

    /// `Label` of a Distributed Map (names its child executions).
    pub fn label(mut self, label: &str) -> Self {
        if let Some(m) = self.map_mut("Label") {
            m.label = Some(label.to_string());
        }
        self
    }

    /// Records a problem, reported with the definition's.
    pub fn with_problem(mut self, problem: impl Into<String>) -> Self {
        self.problems.push(problem.into());
        self
    }

    /// The state as built (for inspection and tests).
    pub fn state(&self) -> &State {
        &self.state
    }
}

/// A Choice state being built.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceStep {
    name: String,
    state: State,
    branches: Vec<Chain>,
    otherwise: Option<Chain>,
}

impl ChoiceStep {
    /// A rule: when `condition` holds, go to `then`.
    pub fn when(self, condition: Condition, then: impl Into<Chain>) -> Self {
        self.when_with(condition, then, |r| r)
    }

    /// A rule with its other fields (Comment, Assign, Output).
    pub fn when_with(
        mut self,
        condition: Condition,
        then: impl Into<Chain>,
        configure: impl FnOnce(ChoiceRule) -> ChoiceRule,
    ) -> Self {
        let then = then.into();
        if let StateKind::Choice(c) = &mut self.state.kind {
            c.choices.push(configure(ChoiceRule {
                condition,
                next: then.start.clone(),
                comment: None,
                assign: None,
                output: None,
            }));
        }
        self.branches.push(then);
        self
    }

    /// Where to go when no rule holds (`Default`).
    pub fn otherwise(mut self, then: impl Into<Chain>) -> Self {
        let then = then.into();
        if let StateKind::Choice(c) = &mut self.state.kind {
            c.default = Some(then.start.clone());
        }
        self.otherwise = Some(then);
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.state.comment = Some(text.into());
        self
    }

    pub fn query_language(mut self, language: QueryLanguage) -> Self {
        self.state.query_language = Some(language);
        self
    }

    pub fn input_path(mut self, path: PathValue) -> Self {
        self.state.input_path = Some(path);
        self
    }

    pub fn output_path(mut self, path: PathValue) -> Self {
        self.state.output_path = Some(path);
        self
    }

    pub fn assign(mut self, variables: impl Into<Value>) -> Self {
        self.state.assign = Some(variables.into());
        self
    }

    pub fn output(mut self, output: impl Into<Value>) -> Self {
        self.state.output = Some(output.into());
        self
    }

    fn into_chain(self, open: bool) -> Chain {
        let has_default = self.otherwise.is_some();
        let mut states = IndexMap::new();
        states.insert(self.name.clone(), self.state);
        let mut chain = Chain {
            start: self.name.clone(),
            states,
            ends: Vec::new(),
            problems: Vec::new(),
        };
        let mut ends = Vec::new();
        for branch in self.branches.into_iter().chain(self.otherwise) {
            ends.extend(branch.ends.clone());
            chain.merge(branch.states, branch.problems);
        }
        if open {
            if !has_default {
                ends.push(End::Default(self.name));
            }
            chain.ends = ends;
        }
        chain
    }

    /// The branches rejoin: what is chained next follows every branch (and is the Default
    /// when there is no `otherwise`).
    pub fn afterwards(self) -> Chain {
        self.into_chain(true)
    }
}

impl From<ChoiceStep> for Chain {
    fn from(c: ChoiceStep) -> Chain {
        c.into_chain(false)
    }
}
