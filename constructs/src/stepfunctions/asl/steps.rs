//! What each kind of state has of its own: a Pass's `Result`, a Task's timeouts, rights and
//! input, a Parallel's branches, a Fail's error, a Map's items, reader and writer. A method
//! exists only on the kind that has the field.

use crate::core::value::Value;

use super::chain::{Link, Step};
use super::input::Input;
use super::kinds::kind;
use super::model::*;

impl Step<kind::Pass> {
    /// `Result` of a Pass state.
    pub fn result(mut self, value: impl Into<Value>) -> Self {
        if let StateKind::Pass(s) = &mut self.state.kind {
            s.result = Some(value.into());
        }
        self
    }
}

impl Step<kind::Task> {
    fn task_mut(&mut self) -> Option<&mut Task> {
        match &mut self.state.kind {
            StateKind::Task(t) => Some(t),
            _ => None,
        }
    }

    /// `TimeoutSeconds` (or `TimeoutSecondsPath`, or a JSONata expression).
    pub fn timeout(mut self, amount: impl Into<Amount>) -> Self {
        if let Some(t) = self.task_mut() {
            t.timeout = Some(amount.into());
        }
        self
    }

    /// `HeartbeatSeconds`.
    pub fn heartbeat(mut self, amount: impl Into<Amount>) -> Self {
        if let Some(t) = self.task_mut() {
            t.heartbeat = Some(amount.into());
        }
        self
    }

    /// `Credentials` (a role to assume).
    pub fn credentials(mut self, credentials: impl Into<Value>) -> Self {
        if let Some(t) = self.task_mut() {
            t.credentials = Some(credentials.into());
        }
        self
    }

    /// The rights this Task needs (added to the state machine's role).
    pub fn grant(mut self, statement: crate::iam::PolicyStatement) -> Self {
        if let Some(t) = self.task_mut() {
            t.policy.push(statement);
        }
        self
    }

    /// What the Task sends, rendered as `Parameters` under JSONPath and `Arguments` under
    /// JSONata, by the query language in force for the state.
    pub fn input(mut self, input: impl Into<Input>) -> Self {
        if let Some(t) = self.task_mut() {
            t.input = Some(input.into());
            t.parameters = None;
            t.arguments = None;
        }
        self
    }

    /// The Task's rights are given some other way (a role passed in, a managed policy):
    /// synth does not ask for them.
    pub fn permissions_managed_elsewhere(mut self) -> Self {
        if let Some(t) = self.task_mut() {
            t.permissions_managed_elsewhere = true;
        }
        self
    }
}

impl Step<kind::Parallel> {
    /// Adds a branch.
    pub fn branch(mut self, branch: impl Link) -> Self {
        let (definition, problems) = branch.into_chain().into_parts();
        self.problems.extend(problems);
        if let StateKind::Parallel(p) = &mut self.state.kind {
            p.branches.push(definition);
        }
        self
    }
}

impl Step<kind::Fail> {
    /// `Error` and `Cause`.
    pub fn error(mut self, error: &str, cause: &str) -> Self {
        if let StateKind::Fail(f) = &mut self.state.kind {
            f.error = Some(error.to_string());
            f.cause = Some(cause.to_string());
        }
        self
    }

    /// `ErrorPath` and `CausePath`.
    pub fn error_path(mut self, error_path: &str, cause_path: &str) -> Self {
        if let StateKind::Fail(f) = &mut self.state.kind {
            f.error_path = Some(error_path.to_string());
            f.cause_path = Some(cause_path.to_string());
        }
        self
    }
}

impl Step<kind::Map> {
    fn map_mut(&mut self) -> Option<&mut Map> {
        match &mut self.state.kind {
            StateKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Writes the Map in its legacy form: the iteration in `Iterator` (no `ProcessorConfig`)
    /// and the item selector in `Parameters`, as older definitions do.
    pub fn legacy_iterator(mut self) -> Self {
        if let Some(m) = self.map_mut() {
            m.legacy_iterator = true;
            m.legacy_parameters = true;
            m.processor_config = None;
        }
        self
    }

    /// `ItemsPath`.
    pub fn items_path(mut self, path: &str) -> Self {
        if let Some(m) = self.map_mut() {
            m.items_path = Some(path.to_string());
        }
        self
    }

    /// `Items`: an array, or a JSONata expression.
    pub fn items(mut self, items: impl Into<Value>) -> Self {
        if let Some(m) = self.map_mut() {
            m.items = Some(items.into());
        }
        self
    }

    /// `ItemSelector`.
    pub fn item_selector(mut self, selector: impl Into<Value>) -> Self {
        if let Some(m) = self.map_mut() {
            m.item_selector = Some(selector.into());
        }
        self
    }

    /// `MaxConcurrency` (0: as many as possible).
    pub fn max_concurrency(mut self, amount: impl Into<Amount>) -> Self {
        if let Some(m) = self.map_mut() {
            m.max_concurrency = Some(amount.into());
        }
        self
    }

    /// Makes the Map distributed: child workflow executions of `execution_type`.
    pub fn distributed(mut self, execution_type: ExecutionType) -> Self {
        if let Some(m) = self.map_mut() {
            m.processor_config = Some(ProcessorConfig {
                mode: ProcessorMode::Distributed,
                execution_type: Some(execution_type),
            });
        }
        self
    }

    /// `ItemReader` of a Distributed Map.
    pub fn item_reader(mut self, reader: ItemReader) -> Self {
        if let Some(m) = self.map_mut() {
            m.item_reader = Some(reader);
        }
        self
    }

    /// `ItemBatcher` of a Distributed Map.
    pub fn item_batcher(mut self, batcher: ItemBatcher) -> Self {
        if let Some(m) = self.map_mut() {
            m.item_batcher = Some(batcher);
        }
        self
    }

    /// `ResultWriter` of a Distributed Map.
    pub fn result_writer(mut self, writer: ResultWriter) -> Self {
        if let Some(m) = self.map_mut() {
            m.result_writer = Some(writer);
        }
        self
    }

    /// `ToleratedFailurePercentage` of a Distributed Map.
    pub fn tolerated_failure_percentage(mut self, amount: impl Into<Amount>) -> Self {
        if let Some(m) = self.map_mut() {
            m.tolerated_failure_percentage = Some(amount.into());
        }
        self
    }

    /// `ToleratedFailureCount` of a Distributed Map.
    pub fn tolerated_failure_count(mut self, amount: impl Into<Amount>) -> Self {
        if let Some(m) = self.map_mut() {
            m.tolerated_failure_count = Some(amount.into());
        }
        self
    }

    /// `Label` of a Distributed Map (names its child executions).
    pub fn label(mut self, label: &str) -> Self {
        if let Some(m) = self.map_mut() {
            m.label = Some(label.to_string());
        }
        self
    }
}
