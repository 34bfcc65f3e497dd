//! Running the app's own machines from its tests: a machine of the synthesized app, its tasks
//! answered by mocks, by Rust closures standing in for a state or for one of the app's
//! functions, or by a runner of your own.
//!
//! ```no_run
//! # fn app() -> constructs::App { unimplemented!() }
//! use rcdk_local::{mock::Reply, Failure, Status, Workflow};
//! use serde_json::json;
//!
//! let mut flow = Workflow::of(&app(), "Orders/Fulfil").unwrap()
//!     .mock("Reserve", [Reply::Return(json!({"ok": true}))])
//!     .function("Orders/Charge", |event| Ok(json!({"charged": event["total"]})));
//! let outcome = flow.run(json!({"total": 12}));
//! assert_eq!(outcome.status, Status::Succeeded);
//! assert_eq!(outcome.path, ["Reserve", "Charge", "Done"]);
//! ```

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::error::{Error, Failure};
use crate::lambda;
use crate::mock::{MockConfig, MockedResponse, Reply};
use crate::run::{Outcome, RunOptions, TaskAnswer, TaskCall, TaskRunner};
use crate::template::{AppFunction, AppMachine, AppTemplates};

type StateHandler = Box<dyn FnMut(&TaskCall<'_>) -> Result<Json, Failure>>;
type FunctionHandler = Box<dyn FnMut(&Json) -> Result<Json, Failure>>;

/// One of the app's machines, with what answers its tasks.
pub struct Workflow {
    app: AppMachine,
    options: RunOptions,
    mocks: HashMap<String, MockedResponse>,
    states: HashMap<String, StateHandler>,
    functions: HashMap<String, FunctionHandler>,
    fallback: Option<Box<dyn TaskRunner>>,
}

impl Workflow {
    /// The machine at `path` (`Stack/Machine`) of the app, synthesized in memory:
    /// [`Error::Synth`] when the app does not synthesize, [`Error::UnknownMachine`] (with the
    /// machines there are) when it has no such machine.
    pub fn of(app: &constructs::App, path: &str) -> Result<Self, Error> {
        Ok(Self::new(AppTemplates::from_app(app)?.machine(path)?))
    }

    /// A machine found in the app's templates.
    pub fn new(app: AppMachine) -> Self {
        Workflow {
            app,
            options: RunOptions::default(),
            mocks: HashMap::new(),
            states: HashMap::new(),
            functions: HashMap::new(),
            fallback: None,
        }
    }

    /// The machine (its definition, name and type).
    pub fn app_machine(&self) -> &AppMachine {
        &self.app
    }

    /// The run's options (execution name, start time, seed, ...).
    pub fn options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// The Task state `state` answers these replies, one per invocation, in order.
    pub fn mock(mut self, state: &str, replies: impl IntoIterator<Item = Reply>) -> Self {
        let replies = replies
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i as u32, i as u32, r))
            .collect();
        self.mocks
            .insert(state.to_string(), MockedResponse { replies });
        self
    }

    /// The mocks of one test case of an AWS Step Functions Local mock file (its machine
    /// entry named as this machine, or `machine` when given); [`Error::Mock`] when the file
    /// has no such machine or test case.
    pub fn mock_file(
        mut self,
        config: &MockConfig,
        machine: Option<&str>,
        test_case: &str,
    ) -> Result<Self, Error> {
        let name = machine.unwrap_or(&self.app.machine.name).to_string();
        let states = config.states_of(&name, test_case)?;
        for (state, response) in states {
            if let Some(r) = config.responses.get(response) {
                self.mocks.insert(state.clone(), r.clone());
            }
        }
        Ok(self)
    }

    /// A closure answers the Task state `state` (its result, or its error).
    pub fn handle(
        mut self,
        state: &str,
        handler: impl FnMut(&TaskCall<'_>) -> Result<Json, Failure> + 'static,
    ) -> Self {
        self.states.insert(state.to_string(), Box::new(handler));
        self
    }

    /// A closure stands in for the app's function at `path` (`Stack/Handler`): it receives
    /// the event and returns the function's output; every Task that invokes the function
    /// (`lambda:invoke` or its ARN) gets the answer in the integration's shape.
    pub fn function(
        mut self,
        path: &str,
        handler: impl FnMut(&Json) -> Result<Json, Failure> + 'static,
    ) -> Self {
        self.functions.insert(path.to_string(), Box::new(handler));
        self
    }

    /// Tasks nothing else answers go to `runner`.
    pub fn fallback(mut self, runner: Box<dyn TaskRunner>) -> Self {
        self.fallback = Some(runner);
        self
    }

    /// The app's own functions that the machine calls run locally: their crates are built
    /// for this machine in `workspace` (the app's cargo workspace) and each runs as a process
    /// with its template's environment, its AWS calls going where this process's go
    /// (`AWS_ENDPOINT_URL`). Mocks, state handlers and function closures still come first.
    /// [`Error::Build`] when a function is not built from a crate of the app or does not
    /// build.
    pub fn local_functions(mut self, workspace: &std::path::Path) -> Result<Self, Error> {
        let wanted = crate::handlers::referenced(&self.app.machine, self.app.functions.values());
        let built = crate::handlers::build(workspace, &wanted)?;
        let region = self
            .app
            .machine_arn_region()
            .unwrap_or_else(|| self.options.region.clone());
        let mut local =
            crate::handlers::LocalFunctions::new(built, crate::handlers::shared_env(&region));
        if let Some(previous) = self.fallback.take() {
            local = local.with_fallback(previous);
        }
        self.fallback = Some(Box::new(local));
        Ok(self)
    }

    /// Runs the machine with `input` to its end.
    pub fn run(&mut self, input: Json) -> Outcome {
        let machine = self.app.machine.clone();
        let options = self.options.clone();
        let mut counts = HashMap::new();
        let mut runner = Answers {
            flow: self,
            counts: &mut counts,
        };
        crate::run(&machine, input, &mut runner, &options)
    }
}

struct Answers<'a> {
    flow: &'a mut Workflow,
    counts: &'a mut HashMap<String, u32>,
}

impl Answers<'_> {
    fn function_at(&self, reference: &str) -> Option<&AppFunction> {
        let name = lambda::function_name(reference);
        self.flow.app.functions.values().find(|f| f.name == name)
    }
}

impl TaskRunner for Answers<'_> {
    fn run(&mut self, call: &TaskCall<'_>) -> Result<TaskAnswer, Failure> {
        if let Some(response) = self.flow.mocks.get(call.state) {
            let n = self.counts.entry(call.state.to_string()).or_insert(0);
            let index = *n;
            *n += 1;
            return match response.answer(index) {
                Some(answer) => answer,
                None => Err(Failure::runtime(format!(
                    "The Task state '{}' has no mocked reply for invocation {index}",
                    call.state
                ))),
            };
        }
        if let Some(handler) = self.flow.states.get_mut(call.state) {
            return handler(call).map(TaskAnswer::now);
        }
        if let Some(inv) = lambda::invocation(call) {
            if let Some(path) = self.function_at(&inv.function).map(|f| f.path.clone()) {
                if let Some(handler) = self.flow.functions.get_mut(&path) {
                    let out = handler(&inv.payload)?;
                    return Ok(TaskAnswer::now(lambda::answer(&inv, out)));
                }
            }
        }
        match &mut self.flow.fallback {
            Some(f) => f.run(call),
            None => Err(Failure::runtime(format!(
                "The Task state '{}' ({}) has no mock, handler or runner",
                call.state, call.resource
            ))),
        }
    }
}
