//! `rcdk-toolkit run`: machines, inputs and mock files that would run forever, grow without
//! bound, recurse past the stack or reach the terminal raw. Each case runs the real binary in
//! an empty directory and asserts the exit code, the message, that the output is bounded, and
//! that nothing was written there.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::{json, Value as Json};

use crate::common;

/// The toolkit binary, built once for this run of the suite (a no-op when it is fresh), so
/// the cases never run a stale one.
fn toolkit() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "rcdk-toolkit"])
            .current_dir(common::root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build -p rcdk-toolkit failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| common::root().join("target"));
        let binary = target
            .join("debug")
            .join(format!("rcdk-toolkit{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.is_file(), "{} was not built", binary.display());
        binary
    })
}

/// A directory of its own with the given files; the run may write nothing else there.
struct Dir {
    tmp: tempfile::TempDir,
    files: Vec<String>,
}

impl Dir {
    fn with(files: &[(&str, &str)]) -> Dir {
        let tmp = tempfile::tempdir().expect("a temp dir");
        for (name, text) in files {
            std::fs::write(tmp.path().join(name), text).expect("written");
        }
        let mut names: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
        names.sort();
        Dir { tmp, files: names }
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new(toolkit())
            .arg("run")
            .args(args)
            .current_dir(self.tmp.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("rcdk-toolkit runs");
        self.nothing_written();
        out
    }

    fn nothing_written(&self) {
        let mut there: Vec<String> = std::fs::read_dir(self.tmp.path())
            .expect("listed")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        there.sort();
        assert_eq!(there, self.files, "the run wrote into its directory");
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// No panic, no abort: the process ended by its own exit code.
fn no_crash(out: &Output) {
    let stderr = text(&out.stderr);
    assert!(out.status.code().is_some(), "killed by a signal: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("overflow"), "{stderr}");
}

fn json_out(out: &Output) -> Json {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON object ({e}): {}",
            text(&out.stdout[..out.stdout.len().min(500)])
        )
    })
}

const FOREVER: &str = r#"{"StartAt": "A", "States": {
  "A": {"Type": "Pass", "Result": {"x": 1}, "Next": "B"},
  "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "A"}], "Default": "C"},
  "C": {"Type": "Succeed"}}}"#;

const HISTORY_LIMIT: &str = "The execution reached the maximum number of history events (25000).";

/// Guards: a Pass/Choice loop with --json ran to 1,000,000 transitions with the whole history
/// in memory (9.3 GB, 604 MB of output). AWS fails it at its 25,000th event.
#[test]
fn a_loop_that_never_ends_fails_at_the_history_limit_with_bounded_output() {
    let dir = Dir::with(&[("forever.asl.json", FOREVER)]);
    let out = dir.run(&["--definition", "forever.asl.json", "--json"]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.len() < 8 << 20,
        "{} bytes of output",
        out.stdout.len()
    );
    let v = json_out(&out);
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"], "States.Runtime");
    assert_eq!(v["cause"], HISTORY_LIMIT);
    let history = v["history"].as_array().expect("the history");
    assert_eq!(history.len(), 25_000);
    assert_eq!(history[24_999]["type"], "ExecutionFailed");
    assert!(text(&out.stderr).contains(HISTORY_LIMIT));
    // the human output too: one line a state, then the end
    let out = dir.run(&["--definition", "forever.asl.json"]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.lines().count() < 12_600,
        "{}",
        stdout.lines().count()
    );
    assert!(stdout.contains(&format!(
        "FAILED after 0 s: States.Runtime: {HISTORY_LIMIT}"
    )));
}

/// Guards: retries did not count; a task failing forever with MaxAttempts 99999999 retried
/// until the transition cap. Each retry writes its events, as AWS's do.
#[test]
fn a_task_retried_forever_stops_at_the_history_limit() {
    let dir = Dir::with(&[
        (
            "retry.asl.json",
            r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "f"},
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 99999999}],
              "End": true}}}"#,
        ),
        (
            "mocks.json",
            r#"{"StateMachines": {"retry": {"TestCases": {"Flaky": {"T": "Fails"}}}},
               "MockedResponses": {"Fails": {"0-99999999": {"Throw": {"Error": "Flaky", "Cause": "again"}}}}}"#,
        ),
    ]);
    let out = dir.run(&[
        "--definition",
        "retry.asl.json",
        "--mock",
        "mocks.json",
        "--test-case",
        "Flaky",
        "--json",
    ]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(1));
    let v = json_out(&out);
    assert_eq!(v["cause"], HISTORY_LIMIT);
    let failed = v["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["type"] == "TaskFailed")
        .count();
    assert_eq!(failed, 8_332);
}

/// Guards: nothing bounded a run in virtual time; a standard execution lasts at most a year.
#[test]
fn a_wait_past_a_year_times_out_at_the_year() {
    let dir = Dir::with(&[(
        "long.asl.json",
        r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99999999, "End": true}}}"#,
    )]);
    let out = dir.run(&["--definition", "long.asl.json"]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("TIMED_OUT after 31536000 s: States.Timeout"),
        "{stdout}"
    );
}

/// Guards: a Map over 100,000 items took 2.6 GB. Its iterations' events pass the history
/// limit, where the run stops.
#[test]
fn a_map_over_100000_items_stops_at_the_history_limit() {
    let items = format!("{{\"items\": [{}]}}", vec!["0"; 100_000].join(","));
    let dir = Dir::with(&[
        (
            "map.asl.json",
            r#"{"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "End": true,
              "ItemSelector": {"i.$": "$$.Map.Item.Index", "n.$": "$$.Execution.Input.items[0]"},
              "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#,
        ),
        ("items.json", &items),
    ]);
    let out = dir.run(&[
        "--definition",
        "map.asl.json",
        "--input",
        "@items.json",
        "--json",
    ]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(1));
    let v = json_out(&out);
    assert_eq!(v["cause"], HISTORY_LIMIT);
}

fn jsonata_machine(expr: &str) -> String {
    json!({"QueryLanguage": "JSONata", "StartAt": "J", "States": {
        "J": {"Type": "Pass", "Output": format!("{{% {expr} %}}"), "End": true}}})
    .to_string()
}

/// Guards: JSONata ran without depth or time limits: an endless recursion exhausted memory, a
/// deep one aborted on a stack overflow.
#[test]
fn jsonata_recursion_deep_or_endless_is_an_error_of_the_state() {
    for (expr, says) in [
        (
            "($f := function($n){ 1 + $f($n + 1) }; $f(0))",
            "levels deep",
        ),
        // a tail call never gets deeper: the time or the memory limit stops it
        ("($f := function($n){ $f($n + 1) }; $f(0))", ""),
        (&"(".repeat(200_000) as &str, "levels deep"),
    ] {
        let dir = Dir::with(&[("j.asl.json", &jsonata_machine(expr))]);
        let out = dir.run(&["--definition", "j.asl.json", "--json"]);
        no_crash(&out);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let v = json_out(&out);
        assert_eq!(v["error"], "States.QueryEvaluationError", "{expr:.40}");
        assert!(
            v["cause"].as_str().unwrap_or_default().contains(says),
            "{}",
            v["cause"]
        );
    }
}

/// Guards: JSON nested past what a stack holds, read from the user or built by the runner.
#[test]
fn deep_json_from_the_user_or_built_by_the_runner_is_refused_not_overflowed() {
    let deep_input = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut nested = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    for _ in 0..60 {
        nested = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": nested}}});
    }
    let deep_path = format!("$[?{}@.a == 1{}]", "(".repeat(100_000), ")".repeat(100_000));
    let path_machine = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": deep_path}, "End": true}}});
    let intrinsic = format!("{}$.a{}", "States.Array(".repeat(5_000), ")".repeat(5_000));
    let intrinsic_machine = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": intrinsic}, "End": true}}});
    let wrap = r#"{"StartAt": "W", "States": {
        "W": {"Type": "Pass", "Parameters": {"prev.$": "$"}, "Next": "Stop?"},
        "Stop?": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "W"},
        "Done": {"Type": "Succeed"}}}"#;
    let dir = Dir::with(&[
        (
            "pass.asl.json",
            r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#,
        ),
        ("deep.json", &deep_input),
        ("nested.asl.json", &nested.to_string()),
        ("path.asl.json", &path_machine.to_string()),
        ("intrinsic.asl.json", &intrinsic_machine.to_string()),
        ("wrap.asl.json", wrap),
        (
            "mocks.json",
            &format!(
                r#"{{"StateMachines": {{}}, "MockedResponses": {{"R": {{"0": {{"Return": {deep_input}}}}}}}}}"#
            ),
        ),
    ]);
    let out = dir.run(&["--definition", "pass.asl.json", "--input", "@deep.json"]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("deep.json is not JSON as an execution takes it")
            && text(&out.stderr).contains("recursion limit"),
        "{}",
        text(&out.stderr)
    );
    let out = dir.run(&["--definition", "nested.asl.json"]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("nested.asl.json: not JSON: recursion limit exceeded at line 1 column"),
        "{}",
        text(&out.stderr)
    );
    let out = dir.run(&[
        "--definition",
        "pass.asl.json",
        "--mock",
        "mocks.json",
        "--test-case",
        "T",
    ]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("mocks.json"),
        "{}",
        text(&out.stderr)
    );
    for (file, error, says) in [
        ("path.asl.json", "States.Runtime", "nests its brackets"),
        ("intrinsic.asl.json", "States.Runtime", "at most"),
        ("wrap.asl.json", "States.Runtime", "levels deep"),
    ] {
        let out = dir.run(&["--definition", file, "--input", r#"{"a": 1}"#, "--json"]);
        no_crash(&out);
        assert_eq!(out.status.code(), Some(1), "{file}: {}", text(&out.stderr));
        let v = json_out(&out);
        assert_eq!(v["error"], error, "{file}: {}", v["cause"]);
        assert!(
            v["cause"].as_str().unwrap_or_default().contains(says),
            "{file}: {}",
            v["cause"]
        );
    }
}

/// Guards: `run --definition` skipped synth's validation.
#[test]
fn a_definition_synth_would_refuse_is_refused_before_it_runs() {
    for (definition, says) in [
        (
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}"#,
            r#"state "A": goes to "Nowhere", which does not exist"#,
        ),
        (
            r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [], "End": true}}}"#,
            r#"state "P""#,
        ),
        (
            r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": -1, "End": true,
               "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#,
            r#"state "M""#,
        ),
    ] {
        let dir = Dir::with(&[("bad.asl.json", definition)]);
        let out = dir.run(&["--definition", "bad.asl.json", "--json"]);
        no_crash(&out);
        assert_eq!(out.status.code(), Some(2), "{definition}");
        assert!(out.stdout.is_empty(), "nothing ran: {}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("bad.asl.json: the definition is not valid") && stderr.contains(says),
            "{stderr}"
        );
    }
}

/// Guards: a mock file's duplicate index and unknown state name were accepted.
#[test]
fn a_mock_file_is_checked_whole() {
    let machine = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "End": true}}}"#;
    for (mocks, says) in [
        (
            r#"{"StateMachines": {"m": {"TestCases": {"C": {"T": "R"}}}},
               "MockedResponses": {"R": {"0": {"Return": 1}, "0": {"Return": 2}}}}"#,
            r#"MockedResponses.R."0": the key "0" is given twice"#,
        ),
        (
            r#"{"StateMachines": {"m": {"TestCases": {"C": {"T": "R"}}}},
               "MockedResponses": {"R": {"1-2": {"Return": 1}, "2": {"Return": 2}}}}"#,
            r#"MockedResponses.R."2": overlaps the invocations 1-2"#,
        ),
        (
            r#"{"StateMachines": {"m": {"TestCases": {"C": {"Typo": "R"}}}},
               "MockedResponses": {"R": {"0": {"Return": 1}}}}"#,
            "StateMachines.m.TestCases.C.Typo: the machine has no state 'Typo'",
        ),
        (
            r#"{"StateMachines": {"m": {"TestCases": {"B": {"T": "R"}}}},
               "MockedResponses": {"R": {"0": {"Return": 1}}}}"#,
            "the state machine 'm' has no test case 'C' (it has: B)",
        ),
        (
            r#"{"StateMachines": {"other": {"TestCases": {"C": {"T": "R"}}}},
               "MockedResponses": {"R": {"0": {"Return": 1}}}}"#,
            "has no StateMachines entry for m (it has: other)",
        ),
    ] {
        let dir = Dir::with(&[("m.asl.json", machine), ("mocks.json", mocks)]);
        let out = dir.run(&[
            "--definition",
            "m.asl.json",
            "--mock",
            "mocks.json",
            "--test-case",
            "C",
        ]);
        no_crash(&out);
        assert_eq!(out.status.code(), Some(2), "{mocks}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("mocks.json") && stderr.contains(says),
            "{stderr}"
        );
    }
}

/// Guards: an integer input over 2^53 silently became a float (beyond 64 bits, serde_json
/// reads a double); one within 64 bits keeps every digit through the run.
#[test]
fn numbers_keep_every_digit_or_are_refused() {
    let dir = Dir::with(&[(
        "p.asl.json",
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"n.$": "$.n", "a.$": "States.Array($.n)"}, "End": true}}}"#,
    )]);
    let out = dir.run(&[
        "--definition",
        "p.asl.json",
        "--input",
        r#"{"n": 9007199254740993}"#,
        "--json",
    ]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(r#""output": {"n":9007199254740993,"a":[9007199254740993]}"#),
        "{stdout}"
    );
    let out = dir.run(&[
        "--definition",
        "p.asl.json",
        "--input",
        r#"{"n": 123456789012345678901234567890}"#,
    ]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("the integer 123456789012345678901234567890 does not fit in 64 bits"),
        "{}",
        text(&out.stderr)
    );
}

/// Guards: control characters of state names, errors and causes reached the terminal raw.
#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let evil = "\u{1b}]0;owned\u{7}\u{1b}[2J";
    let raw_free = |out: &Output| {
        for stream in [&out.stdout, &out.stderr] {
            let t = text(stream);
            assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
        }
    };
    // an error and a cause: written, and read from the input
    let machine = json!({"StartAt": "Step", "States": {
        "Step": {"Type": "Pass", "Next": "Boom"},
        "Boom": {"Type": "Fail", "Error": format!("Err{evil}"), "CausePath": "$.why"}}});
    // a state's name: Step Functions refuses control characters in it, and so does the run,
    // naming it escaped
    let named = json!({"StartAt": format!("Step{evil}"), "States": {
        format!("Step{evil}"): {"Type": "Succeed"}}});
    let input = json!({ "why": format!("because{evil}") }).to_string();
    let dir = Dir::with(&[
        ("evil.asl.json", &machine.to_string()),
        ("named.asl.json", &named.to_string()),
        ("input.json", &input),
    ]);
    let out = dir.run(&["--definition", "evil.asl.json", "--input", "@input.json"]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(1));
    raw_free(&out);
    assert!(
        text(&out.stdout).contains("Err\\u{1b}]0;owned\\u{7}\\u{1b}[2J: because\\u{1b}"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("Err\\u{1b}"),
        "{}",
        text(&out.stderr)
    );
    let out = dir.run(&["--definition", "named.asl.json"]);
    no_crash(&out);
    assert_eq!(out.status.code(), Some(2));
    raw_free(&out);
    assert!(
        text(&out.stderr).contains("Step\\u{1b}"),
        "{}",
        text(&out.stderr)
    );
}

/// Guards: `rcdk run ... | head` panicked on the closed pipe.
#[test]
fn a_closed_output_ends_the_writing_not_the_process() {
    let dir = Dir::with(&[("forever.asl.json", FOREVER)]);
    let mut child = Command::new(toolkit())
        .args(["run", "--definition", "forever.asl.json", "--json"])
        .current_dir(dir.tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut head = [0u8; 100];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut head)
        .expect("the first bytes");
    // the reading end is closed here
    let out = child.wait_with_output().expect("ends");
    no_crash(&out);
    assert_eq!(out.status.code(), Some(1), "the execution's own exit code");
    dir.nothing_written();
}
