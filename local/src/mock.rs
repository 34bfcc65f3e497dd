//! Mocked task answers in the format of AWS Step Functions Local's mock configuration, so
//! test cases written for AWS's tool run unchanged:
//!
//! ```json
//! {"StateMachines": {"Machine": {"TestCases": {"HappyPath": {"State": "MockedOk"}}}},
//!  "MockedResponses": {"MockedOk": {"0": {"Return": {"StatusCode": 200}}, "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}}
//! ```
//!
//! Each state counts its invocations (retries and Map iterations included) from 0; the entry
//! whose index or range holds the count answers.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::error::Failure;
use crate::json::JsonError;
use crate::run::{TaskAnswer, TaskCall, TaskRunner};

/// Why a mock file is refused, or lacks what was asked of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MockError {
    /// Not JSON, or a number it cannot keep.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A place of the file that breaks the format: its key path (`MockedResponses.Flaky."0"`,
    /// `StateMachines.M.TestCases.Happy.A`) and what is wrong there.
    #[error("{at}: {problem}")]
    Invalid {
        /// The key path.
        at: String,
        /// What is wrong there.
        problem: MockProblem,
    },
    /// The file has no entry for the machine asked for.
    #[error(
        "the mock file has no state machine '{machine}' (it has: {})",
        names(known)
    )]
    UnknownMachine {
        /// The machine's key asked for.
        machine: String,
        /// The machines the file has.
        known: Vec<String>,
    },
    /// The machine's entry has no such test case.
    #[error(
        "the state machine '{machine}' has no test case '{case}' (it has: {})",
        names(known)
    )]
    UnknownTestCase {
        /// The machine's key.
        machine: String,
        /// The test case asked for.
        case: String,
        /// The test cases it has.
        known: Vec<String>,
    },
}

/// What is wrong at one place of a mock file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MockProblem {
    /// Another kind of value than the format has there (`an object of test cases`).
    #[error("expected {0}")]
    Expected(&'static str),
    /// A key of a mocked response that is neither an index nor a range.
    #[error("an invocation index is a number (\"0\") or a range (\"1-2\")")]
    Index,
    /// A range whose end comes before its start.
    #[error("the range ends before it starts")]
    Backwards,
    /// A range or index that another of the same response covers.
    #[error("overlaps the invocations {first}-{last}")]
    Overlaps {
        /// The first invocation of the other.
        first: u32,
        /// Its last.
        last: u32,
    },
    /// A `Throw` without its `Error`.
    #[error("Error is required (a string)")]
    NoErrorName,
    /// A reply with both or neither of `Return` and `Throw`.
    #[error("expected exactly one of Return and Throw")]
    ReturnOrThrow,
    /// A test case's state answered by a response `MockedResponses` does not have.
    #[error("there is no mocked response '{0}' in MockedResponses")]
    UnknownResponse(String),
    /// A key given twice in one object (JSON readers keep the last one).
    #[error(
        "the key \"{key}\" is given twice (the second would replace the first) at line {line} column {column}"
    )]
    DuplicateKey {
        /// The key.
        key: String,
        /// Where the object ends that holds it twice.
        line: usize,
        /// Its column.
        column: usize,
    },
    /// A test case mocks a state of the machine that calls nothing a mock answers.
    #[error("the state '{state}' is not a Task state; only a Task (or a Distributed Map's reader and writer) calls what a mock answers (its Task states: {})", names(tasks))]
    NotATask {
        /// The state.
        state: String,
        /// The machine's Task states.
        tasks: Vec<String>,
    },
    /// A test case mocks a state the machine does not have.
    #[error(
        "the machine has no state '{state}' (its Task states: {})",
        names(tasks)
    )]
    NoSuchState {
        /// The state.
        state: String,
        /// The machine's Task states.
        tasks: Vec<String>,
    },
}

fn invalid(at: impl Into<String>, problem: MockProblem) -> MockError {
    MockError::Invalid {
        at: at.into(),
        problem,
    }
}

/// What one invocation answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `Return`: the task's result.
    Return(Json),
    /// `Throw`: the task fails with this error and cause.
    Throw(Failure),
}

/// A `MockedResponses` entry: replies by invocation index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MockedResponse {
    /// `(first, last, reply)`, inclusive.
    pub replies: Vec<(u32, u32, Reply)>,
}

impl MockedResponse {
    /// The reply to invocation `n` (from 0).
    pub fn reply(&self, n: u32) -> Option<&Reply> {
        self.replies
            .iter()
            .find(|(a, b, _)| (*a..=*b).contains(&n))
            .map(|(_, _, r)| r)
    }

    /// The answer to invocation `n`: the reply's result or error; `None` past the
    /// mocked invocations.
    pub fn answer(&self, n: u32) -> Option<Result<TaskAnswer, Failure>> {
        self.reply(n).map(|r| match r {
            Reply::Return(v) => Ok(TaskAnswer::now(v.clone())),
            Reply::Throw(f) => Err(f.clone()),
        })
    }

    /// Parses one entry (`{"0": {"Return": ...}, "1-2": {"Throw": ...}}`); `at` names it in
    /// errors.
    pub fn from_json(v: &Json, at: &str) -> Result<Self, MockError> {
        let Some(map) = v.as_object() else {
            return Err(invalid(
                at,
                MockProblem::Expected("an object of invocation indexes"),
            ));
        };
        let mut replies = Vec::new();
        for (key, reply) in map {
            let here = format!("{at}.\"{key}\"");
            let (a, b) = match key.split_once('-') {
                Some((a, b)) => (a.trim().parse::<u32>(), b.trim().parse::<u32>()),
                None => (key.trim().parse::<u32>(), key.trim().parse::<u32>()),
            };
            let (Ok(a), Ok(b)) = (a, b) else {
                return Err(invalid(here, MockProblem::Index));
            };
            if b < a {
                return Err(invalid(here, MockProblem::Backwards));
            }
            if let Some((x, y, _)) = replies.iter().find(|(x, y, _)| a <= *y && *x <= b) {
                return Err(invalid(
                    here,
                    MockProblem::Overlaps {
                        first: *x,
                        last: *y,
                    },
                ));
            }
            let obj = reply.as_object();
            let reply = match (
                obj.and_then(|o| o.get("Return")),
                obj.and_then(|o| o.get("Throw")),
            ) {
                (Some(r), None) => Reply::Return(r.clone()),
                (None, Some(t)) => {
                    let field = |k: &str| t.get(k).and_then(Json::as_str).map(str::to_string);
                    let Some(error) = field("Error") else {
                        return Err(invalid(format!("{here}.Throw"), MockProblem::NoErrorName));
                    };
                    Reply::Throw(Failure::new(error, field("Cause").unwrap_or_default()))
                }
                _ => return Err(invalid(here, MockProblem::ReturnOrThrow)),
            };
            replies.push((a, b, reply));
        }
        Ok(MockedResponse { replies })
    }
}

/// One test case of a machine: state name → the name of its mocked response.
pub type TestCase = IndexMap<String, String>;

/// A whole mock configuration file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MockConfig {
    /// `StateMachines`: machine name → test case name → state name → mocked response name.
    pub test_cases: IndexMap<String, IndexMap<String, TestCase>>,
    /// `MockedResponses` by name.
    pub responses: IndexMap<String, MockedResponse>,
}

impl MockConfig {
    /// Parses a mock configuration; every error names its place (`MockedResponses.X."0"`).
    /// A key given twice in one object is an error (JSON readers keep the last one, so a
    /// second `"0"` would silently replace the first).
    pub fn from_json_str(text: &str) -> Result<Self, MockError> {
        let v: Json = crate::json::parse(text)?;
        duplicate_keys(text)?;
        let mut out = MockConfig::default();
        let machines = v
            .get("StateMachines")
            .and_then(Json::as_object)
            .ok_or_else(|| {
                invalid(
                    "StateMachines",
                    MockProblem::Expected("an object of state machines"),
                )
            })?;
        let responses = v
            .get("MockedResponses")
            .and_then(Json::as_object)
            .ok_or_else(|| {
                invalid(
                    "MockedResponses",
                    MockProblem::Expected("an object of mocked responses"),
                )
            })?;
        for (name, r) in responses {
            out.responses.insert(
                name.clone(),
                MockedResponse::from_json(r, &format!("MockedResponses.{name}"))?,
            );
        }
        for (machine, m) in machines {
            let at = format!("StateMachines.{machine}.TestCases");
            let cases = m
                .get("TestCases")
                .and_then(Json::as_object)
                .ok_or_else(|| invalid(&at, MockProblem::Expected("an object of test cases")))?;
            let mut by_case = IndexMap::new();
            for (case, states) in cases {
                let at = format!("{at}.{case}");
                let states = states.as_object().ok_or_else(|| {
                    invalid(&at, MockProblem::Expected("an object of state names"))
                })?;
                let mut by_state = IndexMap::new();
                for (state, response) in states {
                    let Some(response) = response.as_str() else {
                        return Err(invalid(
                            format!("{at}.{state}"),
                            MockProblem::Expected("the name of a mocked response"),
                        ));
                    };
                    if !out.responses.contains_key(response) {
                        return Err(invalid(
                            format!("{at}.{state}"),
                            MockProblem::UnknownResponse(response.to_string()),
                        ));
                    }
                    by_state.insert(state.clone(), response.to_string());
                }
                by_case.insert(case.clone(), by_state);
            }
            out.test_cases.insert(machine.clone(), by_case);
        }
        Ok(out)
    }

    /// Checks the entry `key` against its machine's definition: every state a test case
    /// mocks is one of the machine's Task states (or a Distributed Map's, whose ItemReader
    /// and ResultWriter calls a mock answers), at any depth.
    pub fn check_machine(
        &self,
        key: &str,
        definition: &constructs::stepfunctions::asl::Definition,
    ) -> Result<(), MockError> {
        use constructs::stepfunctions::asl::StateKind;
        let Some(cases) = self.test_cases.get(key) else {
            return Ok(());
        };
        let mut mockable = Vec::new();
        let mut all = std::collections::HashSet::new();
        definition.walk(&mut |name, state, _| {
            all.insert(name);
            let answers = match &state.kind {
                StateKind::Task(_) => true,
                StateKind::Map(m) => m.item_reader.is_some() || m.result_writer.is_some(),
                _ => false,
            };
            if answers {
                mockable.push(name);
            }
        });
        for (case, states) in cases {
            for state in states.keys() {
                if mockable.contains(&state.as_str()) {
                    continue;
                }
                let at = format!("StateMachines.{key}.TestCases.{case}.{state}");
                let tasks = mockable.iter().map(|t| t.to_string()).collect();
                let state = state.clone();
                return Err(invalid(
                    at,
                    if all.contains(state.as_str()) {
                        MockProblem::NotATask { state, tasks }
                    } else {
                        MockProblem::NoSuchState { state, tasks }
                    },
                ));
            }
        }
        Ok(())
    }

    /// The states of one test case of one machine, each with the name of its mocked
    /// response.
    pub fn states_of(&self, machine: &str, case: &str) -> Result<&TestCase, MockError> {
        let cases = self
            .test_cases
            .get(machine)
            .ok_or_else(|| MockError::UnknownMachine {
                machine: machine.to_string(),
                known: self.test_cases.keys().cloned().collect(),
            })?;
        cases.get(case).ok_or_else(|| MockError::UnknownTestCase {
            machine: machine.to_string(),
            case: case.to_string(),
            known: cases.keys().cloned().collect(),
        })
    }

    /// The runner of one test case of one machine.
    pub fn test_case(&self, machine: &str, case: &str) -> Result<Mocks, MockError> {
        let states = self.states_of(machine, case)?;
        let mut mocks = Mocks::default();
        for (state, response) in states {
            if let Some(r) = self.responses.get(response) {
                mocks.states.insert(state.clone(), r.clone());
            }
        }
        mocks.label = format!("test case '{case}'");
        Ok(mocks)
    }
}

/// The first key given twice in one object of JSON text, named with its place
/// (`MockedResponses.Flaky."0"`).
fn duplicate_keys(text: &str) -> Result<(), MockError> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    /// The place of the value being read, and where the first key given twice is kept.
    struct Unique<'a>(String, &'a std::cell::RefCell<Option<(String, String)>>);

    impl<'de> DeserializeSeed<'de> for Unique<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Unique<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                // the place of a key, as the other errors of a mock file name it
                let place = match self.0.as_str() {
                    "" => key.clone(),
                    at if at.starts_with("MockedResponses.") && at.matches('.').count() == 1 => {
                        format!("{at}.\"{key}\"")
                    }
                    at => format!("{at}.{key}"),
                };
                if !seen.insert(key.clone()) {
                    // the error is made below, with the line and column serde_json gives
                    *self.1.borrow_mut() = Some((place, key));
                    return Err(serde::de::Error::custom("a key given twice"));
                }
                map.next_value_seed(Unique(place, self.1))?;
            }
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while seq
                .next_element_seed(Unique(format!("{}[{i}]", self.0), self.1))?
                .is_some()
            {
                i += 1;
            }
            Ok(())
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
    }

    let twice = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    Unique(String::new(), &twice)
        .deserialize(&mut de)
        .map_err(|e| match twice.take() {
            Some((at, key)) => invalid(
                at,
                MockProblem::DuplicateKey {
                    key,
                    line: e.line(),
                    column: e.column(),
                },
            ),
            // the text was read as JSON before: only a bug gets here
            None => MockError::Json(JsonError::syntax(&e)),
        })
}

fn names(all: &[String]) -> String {
    if all.is_empty() {
        "none".to_string()
    } else {
        all.join(", ")
    }
}

/// Answers Task states from mocked responses, by state name; a state without one, or an
/// invocation past its mocked ones, goes to the fallback runner, or fails the execution
/// naming it.
#[derive(Default)]
pub struct Mocks {
    states: HashMap<String, MockedResponse>,
    counts: HashMap<String, u32>,
    fallback: Option<Box<dyn TaskRunner>>,
    label: String,
}

impl Mocks {
    /// Mocks for the given states.
    pub fn new(states: impl IntoIterator<Item = (String, MockedResponse)>) -> Self {
        Mocks {
            states: states.into_iter().collect(),
            label: "the mocks".into(),
            ..Mocks::default()
        }
    }

    /// States without a mock go to `runner` (live calls, the app's handlers).
    pub fn with_fallback(mut self, runner: Box<dyn TaskRunner>) -> Self {
        self.fallback = Some(runner);
        self
    }

    /// How many times each mocked state was invoked.
    pub fn invocations(&self, state: &str) -> u32 {
        self.counts.get(state).copied().unwrap_or(0)
    }
}

impl TaskRunner for Mocks {
    fn run(&mut self, call: &TaskCall<'_>) -> Result<TaskAnswer, Failure> {
        let Some(response) = self.states.get(call.state) else {
            return match &mut self.fallback {
                Some(f) => f.run(call),
                None => Err(Failure::runtime(format!(
                    "The Task state '{}' ({}) is not mocked in {}",
                    call.state, call.resource, self.label
                ))),
            };
        };
        let n = self.counts.entry(call.state.to_string()).or_insert(0);
        let index = *n;
        *n += 1;
        match (response.answer(index), &mut self.fallback) {
            (Some(answer), _) => answer,
            // the invocations past the mocked ones go to the fallback: mock the first
            // answer, let the real handler give the rest
            (None, Some(f)) => f.run(call),
            (None, None) => Err(Failure::runtime(format!(
                "The Task state '{}' was invoked {} times; {} has no reply for invocation {index}",
                call.state,
                index + 1,
                self.label
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
      "StateMachines": {"M": {"TestCases": {"Happy": {"A": "Flaky"}}}},
      "MockedResponses": {"Flaky": {
        "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
        "1-2": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}
      }}
    }"#;

    #[test]
    fn indexes_and_ranges_answer_in_turn() {
        let config = MockConfig::from_json_str(FILE).unwrap();
        let mut mocks = config.test_case("M", "Happy").unwrap();
        let input = Json::Null;
        let call = TaskCall {
            state: "A",
            resource: "arn:aws:states:::lambda:invoke",
            input: &input,
            task_token: None,
            timeout_seconds: 60.0,
            credentials: None,
            purpose: crate::run::Purpose::Task,
        };
        assert_eq!(
            mocks.run(&call).unwrap_err().error,
            "Lambda.TooManyRequestsException"
        );
        assert_eq!(mocks.run(&call).unwrap().result["Payload"]["ok"], true);
        assert!(mocks.run(&call).is_ok());
        let e = mocks.run(&call).unwrap_err();
        assert!(e.cause.contains("no reply for invocation 3"), "{}", e.cause);
        assert_eq!(mocks.invocations("A"), 4);
    }

    #[test]
    fn a_test_case_names_only_states_that_a_mock_can_answer() {
        let config = MockConfig::from_json_str(FILE).unwrap();
        let definition = constructs::stepfunctions::asl::Definition::from_json_str(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}]}}}"#,
        )
        .unwrap();
        assert_eq!(config.check_machine("M", &definition), Ok(()));
        let other = constructs::stepfunctions::asl::Definition::from_json_str(
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}"#,
        )
        .unwrap();
        let e = config.check_machine("M", &other).unwrap_err();
        assert_eq!(
            e,
            MockError::Invalid {
                at: "StateMachines.M.TestCases.Happy.A".into(),
                problem: MockProblem::NotATask {
                    state: "A".into(),
                    tasks: vec!["B".into()]
                }
            }
        );
        assert!(
            e.to_string().starts_with(
                "StateMachines.M.TestCases.Happy.A: the state 'A' is not a Task state"
            ),
            "{e}"
        );
        let none = constructs::stepfunctions::asl::Definition::from_json_str(
            r#"{"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}"#,
        )
        .unwrap();
        let e = config.check_machine("M", &none).unwrap_err();
        assert_eq!(
            e.to_string(),
            "StateMachines.M.TestCases.Happy.A: the machine has no state 'A' (its Task states: B)"
        );
    }

    #[test]
    fn mistakes_are_named_where_they_are() {
        let e = MockConfig::from_json_str(r#"{"StateMachines": {"M": {"TestCases": {"T": {"A": "Nope"}}}}, "MockedResponses": {}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "StateMachines.M.TestCases.T.A: there is no mocked response 'Nope' in MockedResponses"
        );
        let e = MockConfig::from_json_str(
            r#"{"StateMachines": {}, "MockedResponses": {"R": {"x": {"Return": 1}}}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            MockError::Invalid {
                at: "MockedResponses.R.\"x\"".into(),
                problem: MockProblem::Index
            }
        );
        let e = MockConfig::from_json_str(r#"{"StateMachines": {}, "MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "MockedResponses.R.\"2\": overlaps the invocations 0-2"
        );
        let e = MockConfig::from_json_str(
            r#"{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1}, "0": {"Return": 2}}}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"MockedResponses.R."0": the key "0" is given twice (the second would replace the first) at line 1 column 71"#
        );
        let e = MockConfig::from_json_str(
            r#"{"StateMachines": {"M": {"TestCases": {"T": {"A": "R"}, "T": {}}}}, "MockedResponses": {"R": {"0": {"Return": 1}}}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(&e, MockError::Invalid { at, problem: MockProblem::DuplicateKey { key, .. } }
                if at == "StateMachines.M.TestCases.T" && key == "T"),
            "{e:?}"
        );
        let config = MockConfig::from_json_str(FILE).unwrap();
        let e = config.test_case("M", "Sad").err().unwrap();
        assert_eq!(
            e.to_string(),
            "the state machine 'M' has no test case 'Sad' (it has: Happy)"
        );
        assert!(matches!(
            config.test_case("N", "Happy").err(),
            Some(MockError::UnknownMachine { machine, known }) if machine == "N" && known == ["M"]
        ));
    }
}
