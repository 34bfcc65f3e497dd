//! Building definitions by chaining states: `pass("A").next(wait(...)).next(...)`, a chain
//! that ends in a Choice with `when`/`otherwise`, and branches that rejoin with `afterwards`.
//!
//! Transitions are filled in by the chaining: a state followed by another gets `Next`, a
//! state left at the end of a chain gets `End: true`.
//!
//! ```
//! use constructs::stepfunctions::asl::*;
//! let chain = pass("Start")
//!     .next(
//!         choice("Big?")
//!             .when(Condition::numeric_greater_than("$.n", 10.0), pass("Big"))
//!             .otherwise(pass("Small"))
//!             .afterwards(),
//!     )
//!     .next(succeed("Done"));
//! assert!(chain.to_definition().is_ok());
//! ```
//!
//! What a state type does not have does not compile. A Retry on a Wait:
//!
//! ```compile_fail,E0277
//! use constructs::stepfunctions::asl::*;
//! let w = wait("W", WaitFor::Seconds(1)).retry(Retrier::on(["States.ALL"]));
//! ```
//!
//! `.next` after a chain that ends in a Choice (its branches end there; `afterwards()`
//! rejoins them):
//!
//! ```compile_fail,E0277
//! use constructs::stepfunctions::asl::*;
//! let lost = pass("A")
//!     .next(choice("B?").when(Condition::is_present("$.x"), pass("Yes")))
//!     .next(pass("Lost"));
//! ```
//!
//! `.next` on a Choice itself:
//!
//! ```compile_fail,E0277
//! use constructs::stepfunctions::asl::*;
//! let lost = choice("B?")
//!     .when(Condition::is_present("$.x"), pass("Yes"))
//!     .next(pass("Lost"));
//! ```
//!
//! `.next` after a Succeed:
//!
//! ```compile_fail,E0277
//! use constructs::stepfunctions::asl::*;
//! let lost = succeed("Done").next(pass("Lost"));
//! ```

use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::core::value::Value;

use super::condition::Condition;
use super::model::*;

pub use super::kinds::*;

/// Anything that can be chained: a [`Step`], a [`ChoiceStep`] or a [`Chain`].
pub trait Link {
    /// How the chain it makes ends.
    type End;
    /// The chain.
    fn into_chain(self) -> Chain<Self::End>;
}

/// An open end of a chain: a state whose `Next` (or a Choice whose `Default`) is still to
/// be set.
#[derive(Debug, Clone, PartialEq)]
enum End {
    Next(String),
    Default(String),
}

/// The states of a chain, whatever its end.
#[derive(Debug, Clone, PartialEq)]
struct Graph {
    start: String,
    states: IndexMap<String, State>,
    ends: Vec<End>,
    problems: Vec<String>,
}

impl Graph {
    fn merge(&mut self, states: IndexMap<String, State>, problems: Vec<String>) {
        self.problems.extend(problems);
        for (name, state) in states {
            match self.states.get(&name) {
                Some(existing) if *existing == state => {}
                Some(_) => self.problems.push(format!(
                    "two different states are named {name:?}; a state name is unique in the whole state machine"
                )),
                None => {
                    self.states.insert(name, state);
                }
            }
        }
    }

    fn connect(&mut self, next: Graph) {
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
    }
}

/// A piece of a state graph: where it starts, its states, and its open ends. `E` is
/// [`Open`] when `.next(..)` may follow, [`Closed`] when it ends in a Choice, Succeed or
/// Fail.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain<E = Open> {
    graph: Graph,
    end: PhantomData<E>,
}

impl<E> Chain<E> {
    fn of(graph: Graph) -> Self {
        Chain {
            graph,
            end: PhantomData,
        }
    }

    /// A chain starting with `first`.
    pub fn start<L: Link<End = E>>(first: L) -> Chain<E> {
        first.into_chain()
    }

    /// The name of the first state.
    pub fn start_at(&self) -> &str {
        &self.graph.start
    }

    /// Connects every open end of this chain to `next`.
    #[allow(clippy::should_implement_trait)]
    pub fn next<N: Link>(mut self, next: N) -> Chain<N::End>
    where
        E: IsOpen,
    {
        self.graph.connect(next.into_chain().graph);
        Chain::of(self.graph)
    }

    /// The chain as one that nothing follows (what a definition body holds).
    pub fn close(self) -> Chain<Closed> {
        Chain::of(self.graph)
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
    pub fn into_parts(self) -> (Definition, Vec<String>) {
        let mut graph = self.graph;
        for state in graph.states.values_mut() {
            if let Some(slot @ None) = state.transition_mut() {
                *slot = Some(Transition::End);
            }
        }
        (
            Definition {
                comment: None,
                start_at: graph.start,
                states: graph.states,
                timeout_seconds: None,
                version: None,
                query_language: None,
            },
            graph.problems,
        )
    }
}

impl<E> Link for Chain<E> {
    type End = E;
    fn into_chain(self) -> Chain<E> {
        self
    }
}

/// A state being built, with its name; `K` is its kind ([`kind::Task`] when not said).
#[derive(Debug, Clone, PartialEq)]
pub struct Step<K = kind::Task> {
    name: String,
    pub(super) state: State,
    /// States reached from this one's Catch handlers.
    attached: Vec<Graph>,
    pub(super) problems: Vec<String>,
    kind: PhantomData<K>,
}

impl<K: Kind> Link for Step<K> {
    type End = K::End;
    fn into_chain(self) -> Chain<K::End> {
        let ends = if self.state.transition().is_some() {
            vec![End::Next(self.name.clone())]
        } else {
            Vec::new()
        };
        let mut states = IndexMap::new();
        states.insert(self.name.clone(), self.state);
        let mut graph = Graph {
            start: self.name,
            states,
            ends,
            problems: self.problems,
        };
        for handler in self.attached {
            graph.merge(handler.states, handler.problems);
        }
        Chain::of(graph)
    }
}

impl<K: Kind> From<Step<K>> for Chain<K::End> {
    fn from(step: Step<K>) -> Self {
        step.into_chain()
    }
}

fn step<K>(name: &str, kind: StateKind) -> Step<K> {
    Step {
        name: name.to_string(),
        state: State::new(kind),
        attached: Vec::new(),
        problems: Vec::new(),
        kind: PhantomData,
    }
}

/// A Pass state.
pub fn pass(name: &str) -> Step<kind::Pass> {
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
pub fn wait(name: &str, wait: WaitFor) -> Step<kind::Wait> {
    step(name, StateKind::Wait(Wait { wait, next: None }))
}

/// A Succeed state.
pub fn succeed(name: &str) -> Step<kind::Succeed> {
    step(name, StateKind::Succeed)
}

/// A Fail state; set `error` and `cause` with the builder methods.
pub fn fail(name: &str) -> Step<kind::Fail> {
    step(name, StateKind::Fail(Fail::default()))
}

/// A Parallel state; add branches with [`Step::branch`].
pub fn parallel(name: &str) -> Step<kind::Parallel> {
    step(name, StateKind::Parallel(Parallel::default()))
}

/// An inline Map state running `processor` for each item.
pub fn map(name: &str, processor: impl Link) -> Step<kind::Map> {
    let (definition, problems) = processor.into_chain().into_parts();
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

impl<K: Kind> Step<K> {
    fn not_applicable(&mut self, field: &str) {
        self.problems.push(format!(
            "state {:?}: {field} does not apply to a {} state",
            self.name,
            self.state.type_name()
        ));
    }

    /// The state's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Chains `next` after this state.
    #[allow(clippy::should_implement_trait)]
    pub fn next<N: Link>(self, next: N) -> Chain<N::End>
    where
        K: Continues,
    {
        let mut graph = self.into_chain().graph;
        graph.connect(next.into_chain().graph);
        Chain::of(graph)
    }

    /// `Comment`.
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.state.comment = Some(text.into());
        self
    }

    /// `QueryLanguage` of this state.
    pub fn query_language(mut self, language: QueryLanguage) -> Self {
        self.state.query_language = Some(language);
        self
    }

    /// `InputPath` (JSONPath).
    pub fn input_path(mut self, path: PathValue) -> Self
    where
        K: Shapes,
    {
        self.state.input_path = Some(path);
        self
    }

    /// `OutputPath` (JSONPath).
    pub fn output_path(mut self, path: PathValue) -> Self
    where
        K: Shapes,
    {
        self.state.output_path = Some(path);
        self
    }

    /// `Assign`: set variables.
    pub fn assign(mut self, variables: impl Into<Value>) -> Self
    where
        K: Shapes,
    {
        self.state.assign = Some(variables.into());
        self
    }

    /// `Output` (JSONata).
    pub fn output(mut self, output: impl Into<Value>) -> Self
    where
        K: Shapes,
    {
        self.state.output = Some(output.into());
        self
    }

    /// `Parameters` (JSONPath), as written; on a Task it replaces the input a task helper
    /// wrote.
    pub fn parameters(mut self, value: impl Into<Value>) -> Self
    where
        K: HasParameters,
    {
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
    pub fn arguments(mut self, value: impl Into<Value>) -> Self
    where
        K: HasArguments,
    {
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

    /// `ResultSelector` (JSONPath).
    pub fn result_selector(mut self, value: impl Into<Value>) -> Self
    where
        K: HasResultSelector,
    {
        let value = value.into();
        match &mut self.state.kind {
            StateKind::Task(s) => s.result_selector = Some(value),
            StateKind::Parallel(s) => s.result_selector = Some(value),
            StateKind::Map(s) => s.result_selector = Some(value),
            _ => self.not_applicable("ResultSelector"),
        }
        self
    }

    /// `ResultPath`: where the result goes (`PathValue::Null` to discard it).
    pub fn result_path(mut self, path: PathValue) -> Self
    where
        K: HasResultPath,
    {
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
    pub fn retry(mut self, retrier: Retrier) -> Self
    where
        K: Retries,
    {
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
        handler: impl Link,
    ) -> Self
    where
        K: Retries,
    {
        self.catch_with(errors, handler, |c| c)
    }

    /// Like [`Step::catch`], with the catcher's other fields (ResultPath, Output, Assign).
    pub fn catch_with<E: Into<ErrorName>>(
        mut self,
        errors: impl IntoIterator<Item = E>,
        handler: impl Link,
        configure: impl FnOnce(Catcher) -> Catcher,
    ) -> Self
    where
        K: Retries,
    {
        let handler = handler.into_chain().graph;
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
    branches: Vec<Graph>,
    otherwise: Option<Graph>,
}

impl ChoiceStep {
    /// A rule: when `condition` holds, go to `then`.
    pub fn when(self, condition: Condition, then: impl Link) -> Self {
        self.when_with(condition, then, |r| r)
    }

    /// A rule with its other fields (Comment, Assign, Output).
    pub fn when_with(
        mut self,
        condition: Condition,
        then: impl Link,
        configure: impl FnOnce(ChoiceRule) -> ChoiceRule,
    ) -> Self {
        let then = then.into_chain().graph;
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
    pub fn otherwise(mut self, then: impl Link) -> Self {
        let then = then.into_chain().graph;
        if let StateKind::Choice(c) = &mut self.state.kind {
            c.default = Some(then.start.clone());
        }
        self.otherwise = Some(then);
        self
    }

    /// `Comment` of the Choice state.
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.state.comment = Some(text.into());
        self
    }

    /// `QueryLanguage` of the Choice state.
    pub fn query_language(mut self, language: QueryLanguage) -> Self {
        self.state.query_language = Some(language);
        self
    }

    /// `InputPath` of the Choice state (JSONPath).
    pub fn input_path(mut self, path: PathValue) -> Self {
        self.state.input_path = Some(path);
        self
    }

    /// `OutputPath` of the Choice state (JSONPath).
    pub fn output_path(mut self, path: PathValue) -> Self {
        self.state.output_path = Some(path);
        self
    }

    /// `Assign` of the Choice state: the variables it sets.
    pub fn assign(mut self, variables: impl Into<Value>) -> Self {
        self.state.assign = Some(variables.into());
        self
    }

    /// `Output` of the Choice state (JSONata).
    pub fn output(mut self, output: impl Into<Value>) -> Self {
        self.state.output = Some(output.into());
        self
    }

    fn into_graph(self, open: bool) -> Graph {
        let has_default = self.otherwise.is_some();
        let mut states = IndexMap::new();
        states.insert(self.name.clone(), self.state);
        let mut chain = Graph {
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
    pub fn afterwards(self) -> Chain<Open> {
        Chain::of(self.into_graph(true))
    }

    /// Does not compile: a Choice has no `Next`. The compiler's message says to rejoin the
    /// branches with [`ChoiceStep::afterwards`] and chain from that.
    #[allow(clippy::should_implement_trait)]
    pub fn next<N>(self, _next: N) -> Chain<Closed>
    where
        N: AfterChoice,
    {
        Chain::of(self.into_graph(false))
    }
}

impl Link for ChoiceStep {
    type End = Closed;
    fn into_chain(self) -> Chain<Closed> {
        Chain::of(self.into_graph(false))
    }
}

impl From<ChoiceStep> for Chain<Closed> {
    fn from(c: ChoiceStep) -> Self {
        c.into_chain()
    }
}
