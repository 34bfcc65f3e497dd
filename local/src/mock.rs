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
use crate::run::{TaskAnswer, TaskCall, TaskRunner};

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
    pub fn from_json(v: &Json, at: &str) -> Result<Self, String> {
        let Some(map) = v.as_object() else {
            return Err(format!("{at}: expected an object of invocation indexes"));
        };
        let mut replies = Vec::new();
        for (key, reply) in map {
            let here = format!("{at}.\"{key}\"");
            let (a, b) = match key.split_once('-') {
                Some((a, b)) => (a.trim().parse::<u32>(), b.trim().parse::<u32>()),
                None => (key.trim().parse::<u32>(), key.trim().parse::<u32>()),
            };
            let (Ok(a), Ok(b)) = (a, b) else {
                return Err(format!(
                    "{here}: an invocation index is a number (\"0\") or a range (\"1-2\")"
                ));
            };
            if b < a {
                return Err(format!("{here}: the range ends before it starts"));
            }
            if let Some((x, y, _)) = replies.iter().find(|(x, y, _)| a <= *y && *x <= b) {
                return Err(format!("{here}: overlaps the invocations {x}-{y}"));
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
                        return Err(format!("{here}.Throw: Error is required (a string)"));
                    };
                    Reply::Throw(Failure::new(error, field("Cause").unwrap_or_default()))
                }
                _ => return Err(format!("{here}: expected exactly one of Return and Throw")),
            };
            replies.push((a, b, reply));
        }
        Ok(MockedResponse { replies })
    }
}

/// A whole mock configuration file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MockConfig {
    /// `StateMachines`: machine name → test case name → state name → mocked response name.
    pub test_cases: IndexMap<String, IndexMap<String, IndexMap<String, String>>>,
    /// `MockedResponses` by name.
    pub responses: IndexMap<String, MockedResponse>,
}

impl MockConfig {
    /// Parses a mock configuration; every error names its place (`MockedResponses.X."0"`).
    /// A key given twice in one object is an error (JSON readers keep the last one, so a
    /// second `"0"` would silently replace the first).
    pub fn from_json_str(text: &str) -> Result<Self, String> {
        let v: Json = crate::json::parse(text)?;
        duplicate_keys(text)?;
        let mut out = MockConfig::default();
        let machines = v
            .get("StateMachines")
            .and_then(Json::as_object)
            .ok_or("StateMachines: expected an object of state machines")?;
        let responses = v
            .get("MockedResponses")
            .and_then(Json::as_object)
            .ok_or("MockedResponses: expected an object of mocked responses")?;
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
                .ok_or_else(|| format!("{at}: expected an object of test cases"))?;
            let mut by_case = IndexMap::new();
            for (case, states) in cases {
                let at = format!("{at}.{case}");
                let states = states
                    .as_object()
                    .ok_or_else(|| format!("{at}: expected an object of state names"))?;
                let mut by_state = IndexMap::new();
                for (state, response) in states {
                    let Some(response) = response.as_str() else {
                        return Err(format!(
                            "{at}.{state}: expected the name of a mocked response"
                        ));
                    };
                    if !out.responses.contains_key(response) {
                        return Err(format!(
                            "{at}.{state}: there is no mocked response '{response}' in MockedResponses"
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
    ) -> Result<(), String> {
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
                let what = if all.contains(state.as_str()) {
                    format!("the state '{state}' is not a Task state; only a Task (or a Distributed Map's reader and writer) calls what a mock answers")
                } else {
                    format!("the machine has no state '{state}'")
                };
                return Err(format!(
                    "StateMachines.{key}.TestCases.{case}.{state}: {what} (its Task states: {})",
                    if mockable.is_empty() {
                        "none".to_string()
                    } else {
                        mockable.join(", ")
                    }
                ));
            }
        }
        Ok(())
    }

    /// The runner of one test case of one machine.
    pub fn test_case(&self, machine: &str, case: &str) -> Result<Mocks, String> {
        let cases = self.test_cases.get(machine).ok_or_else(|| {
            format!(
                "the mock file has no state machine '{machine}' (it has: {})",
                names(self.test_cases.keys())
            )
        })?;
        let states = cases.get(case).ok_or_else(|| {
            format!(
                "the state machine '{machine}' has no test case '{case}' (it has: {})",
                names(cases.keys())
            )
        })?;
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
fn duplicate_keys(text: &str) -> Result<(), String> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    struct Unique(String);

    impl<'de> DeserializeSeed<'de> for Unique {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Unique {
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
                    return Err(serde::de::Error::custom(format!(
                        "{place}: the key \"{key}\" is given twice (the second would replace the first)"
                    )));
                }
                map.next_value_seed(Unique(place))?;
            }
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while seq
                .next_element_seed(Unique(format!("{}[{i}]", self.0)))?
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

    // serde_json adds the line and column to the message
    let mut de = serde_json::Deserializer::from_str(text);
    Unique(String::new())
        .deserialize(&mut de)
        .map_err(|e| e.to_string())
}

fn names<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let all: Vec<&str> = keys.map(String::as_str).collect();
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
        assert!(
            e.starts_with("StateMachines.M.TestCases.Happy.A: the state 'A' is not a Task state"),
            "{e}"
        );
        let none = constructs::stepfunctions::asl::Definition::from_json_str(
            r#"{"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}"#,
        )
        .unwrap();
        let e = config.check_machine("M", &none).unwrap_err();
        assert_eq!(
            e,
            "StateMachines.M.TestCases.Happy.A: the machine has no state 'A' (its Task states: B)"
        );
    }

    #[test]
    fn mistakes_are_named_where_they_are() {
        let e = MockConfig::from_json_str(r#"{"StateMachines": {"M": {"TestCases": {"T": {"A": "Nope"}}}}, "MockedResponses": {}}"#).unwrap_err();
        assert_eq!(
            e,
            "StateMachines.M.TestCases.T.A: there is no mocked response 'Nope' in MockedResponses"
        );
        let e = MockConfig::from_json_str(
            r#"{"StateMachines": {}, "MockedResponses": {"R": {"x": {"Return": 1}}}}"#,
        )
        .unwrap_err();
        assert!(e.starts_with("MockedResponses.R.\"x\""), "{e}");
        let e = MockConfig::from_json_str(r#"{"StateMachines": {}, "MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}"#).unwrap_err();
        assert!(e.contains("overlaps"), "{e}");
        let e = MockConfig::from_json_str(
            r#"{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1}, "0": {"Return": 2}}}}"#,
        )
        .unwrap_err();
        assert!(
            e.starts_with(r#"MockedResponses.R."0": the key "0" is given twice"#),
            "{e}"
        );
        let e = MockConfig::from_json_str(
            r#"{"StateMachines": {"M": {"TestCases": {"T": {"A": "R"}, "T": {}}}}, "MockedResponses": {"R": {"0": {"Return": 1}}}}"#,
        )
        .unwrap_err();
        assert!(e.starts_with("StateMachines.M.TestCases.T: the key"), "{e}");
        let config = MockConfig::from_json_str(FILE).unwrap();
        let e = config.test_case("M", "Sad").err().unwrap();
        assert_eq!(
            e,
            "the state machine 'M' has no test case 'Sad' (it has: Happy)"
        );
    }
}
