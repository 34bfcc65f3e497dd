//! `rcdk run`: the app's machines and ASL files run locally from the command line, with the
//! mock files of `mocks/` (the book's examples), their test cases, `--json` and the exit
//! codes (0 succeeded, 1 failed or timed out, 2 usage).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rcdk(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // the assembly of each run goes to a directory of its own (tests run in parallel)
        .env(
            "CDK_OUTDIR",
            dir.join("target/run-cli").join(format!("{:x}", {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                args.hash(&mut h);
                h.finish()
            })),
        )
        .output()
        .expect("rcdk runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_pattern_s_test_cases_pass_from_the_readme_s_mock_files() {
    for (machine, file) in [
        (
            "AsyncStreamingResults/ExampleWorkflow",
            "mocks/async-streaming-results.json",
        ),
        (
            "WaitableWorkflow/WaitableStateMachine",
            "mocks/waitable-workflow.json",
        ),
        ("TaskStatus/StateMachine", "mocks/task-status.json"),
        ("EmbeddedWorkflow/ProcessA", "mocks/embedded-workflow.json"),
        ("MapDynamoDb/TestStateMachine", "mocks/map-dynamodb.json"),
    ] {
        let mut args = vec!["run", machine, "--mock", file, "--test-cases"];
        if file.contains("map-dynamodb") {
            // one test case runs the real process-item handler
            args.push("--handlers");
        }
        let out = rcdk(&args, &root());
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{machine}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(!stdout.contains('✘'), "{machine}: {stdout}");
        assert!(stdout.contains("test cases passed"), "{stdout}");
        // synth's warnings are about deploying the templates (EmbeddedWorkflow's is over
        // the 51,200 bytes CloudFormation takes inline): not a local run's business
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("warning:"), "{machine}: {stderr}");
    }
}

#[test]
fn a_run_prints_each_state_with_its_input_and_output_then_the_output() {
    let out = rcdk(
        &[
            "run",
            "TaskStatus/StateMachine",
            "--input",
            r#"{"taskId": "Breakfast", "timestamp": 1700000000}"#,
            "--mock",
            "mocks/task-status.json",
            "--test-case",
            "HappyPath",
        ],
        &root(),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].contains("TaskStatus/StateMachine (virtual clock)"),
        "{stdout}"
    );
    assert!(lines[1].contains(r#"CreateDynamoTaskItem (Task) {"taskId":"Breakfast","timestamp":1700000000} → {"taskId":"Breakfast","timestamp":1700000000}"#), "{stdout}");
    assert!(
        lines[2].contains("Execute long running task...wait 30 seconds (Wait)"),
        "{stdout}"
    );
    assert!(
        lines[3].contains("UpdateDynamoTaskItem (Task)") && lines[3].ends_with("→ {}"),
        "{stdout}"
    );
    assert!(
        lines[4].contains("SUCCEEDED after 30 s (3 states)"),
        "{stdout}"
    );
}

#[test]
fn json_prints_one_object_with_the_history() {
    let out = rcdk(
        &[
            "run",
            "EmbeddedWorkflow/ProcessA",
            "--input",
            r#"{"key": "input.csv"}"#,
            "--mock",
            "mocks/embedded-workflow.json",
            "--test-case",
            "PreconditionRetried",
            "--json",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Json = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(
        v["output"],
        serde_json::json!({"key": "input.csv", "status": "done"})
    );
    assert_eq!(v["error"], Json::Null);
    let history = v["history"].as_array().expect("the history");
    assert_eq!(history[0]["type"], "ExecutionStarted");
    assert_eq!(
        history.last().map(|e| &e["type"]),
        Some(&Json::from("ExecutionSucceeded"))
    );
    for (i, e) in history.iter().enumerate() {
        assert_eq!(e["id"], i + 1);
        assert_eq!(
            e["previousEventId"], i,
            "one branch: each event follows the last"
        );
    }
    // step-b failed twice before it succeeded: three LambdaFunctionScheduled, two failed
    let of = |t: &str| history.iter().filter(|e| e["type"] == t).count();
    assert_eq!(of("LambdaFunctionScheduled"), 8);
    assert_eq!(of("LambdaFunctionFailed"), 2);
    let failed = history
        .iter()
        .find(|e| e["type"] == "LambdaFunctionFailed")
        .expect("a failure");
    assert_eq!(
        failed["lambdaFunctionFailedEventDetails"]["error"],
        "S3DataPreconditionError"
    );
}

#[test]
fn a_failed_execution_exits_1_and_a_timed_out_one_too() {
    let out = rcdk(
        &[
            "run",
            "EmbeddedWorkflow/ProcessA",
            "--mock",
            "mocks/embedded-workflow.json",
            "--test-case",
            "PreconditionNeverMet",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "step-b (Task) {\"key\":\"input.csv\",\"status\":\"done\"} ✘ S3DataPreconditionError"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAILED after 3 s: S3DataPreconditionError"),
        "{stdout}"
    );
    let out = rcdk(
        &[
            "run",
            "MapDynamoDb/TestStateMachine",
            "--mock",
            "mocks/map-dynamodb.json",
            "--test-case",
            "ElevenItems",
            "--json",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Json = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["status"], "TIMED_OUT");
    assert_eq!(v["error"], "States.Timeout");
}

#[test]
fn a_definition_file_runs_without_the_app() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("greet.asl.json");
    std::fs::write(
        &file,
        r#"{"StartAt": "Pick", "States": {
            "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Many"}], "Default": "One"},
            "Many": {"Type": "Pass", "Parameters": {"text.$": "States.Format('{} of {}', $.n, $$.StateMachine.Name)"}, "End": true},
            "One": {"Type": "Succeed"}}}"#,
    )
    .expect("written");
    let out = rcdk(
        &[
            "run",
            "--definition",
            file.to_str().expect("utf-8"),
            "--input",
            r#"{"n": 3}"#,
            "--json",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Json = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        v["output"]["text"], "3 of greet",
        "the machine is named after the file's stem"
    );
    let out = rcdk(
        &[
            "run",
            "--definition",
            file.to_str().expect("utf-8"),
            "--name",
            "Counter",
            "--input",
            r#"{"n": 2}"#,
            "--json",
        ],
        &root(),
    );
    let v: Json = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["output"]["text"], "2 of Counter");
}

#[test]
fn usage_mistakes_exit_2_and_say_what_is_wrong() {
    let run = |args: &[&str]| {
        let out = rcdk(args, &root());
        (out.status.code(), text(&out.stderr))
    };
    let (code, err) = run(&["run", "TaskStatus/Nope"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("there is no state machine 'TaskStatus/Nope'")
            && err.contains("TaskStatus/StateMachine"),
        "{err}"
    );
    let (code, err) = run(&["run", "TaskStatus/StateMachine", "--input", "{nope"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--input is not JSON"), "{err}");
    let (code, err) = run(&[
        "run",
        "TaskStatus/StateMachine",
        "--mock",
        "mocks/task-status.json",
        "--test-case",
        "Sunny",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("no test case 'Sunny' (it has: HappyPath, TableThrottled)"),
        "{err}"
    );
    let (code, err) = run(&[
        "run",
        "TaskStatus/StateMachine",
        "--mock",
        "mocks/task-status.json",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("needs --test-case"), "{err}");
    let (code, err) = run(&[
        "run",
        "WaitableWorkflow/WaitableStateMachine",
        "--mock",
        "mocks/task-status.json",
        "--test-case",
        "HappyPath",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("has no StateMachines entry for WaitableWorkflow/WaitableStateMachine"),
        "{err}"
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let bad = dir.path().join("bad.asl.json");
    std::fs::write(
        &bad,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Wait", "Second": 3, "End": true}}}"#,
    )
    .expect("written");
    let (code, err) = run(&["run", "--definition", bad.to_str().expect("utf-8")]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("/States/A"),
        "the error names the state: {err}"
    );
}

#[test]
fn test_cases_that_differ_are_listed_and_exit_1() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::copy(
        root().join("mocks/task-status.json"),
        dir.path().join("m.json"),
    )
    .expect("copied");
    std::fs::write(
        dir.path().join("m.expected.json"),
        r#"{"TaskStatus/StateMachine": {"HappyPath": {"input": {"taskId": "x", "timestamp": 1}, "status": "SUCCEEDED", "output": {"wrong": true}}}}"#,
    )
    .expect("written");
    let file = dir.path().join("m.json");
    let out = rcdk(
        &[
            "run",
            "TaskStatus/StateMachine",
            "--mock",
            file.to_str().expect("utf-8"),
            "--test-cases",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("✘ HappyPath:") && stdout.contains(r#"output {}, expected {"wrong":true}"#),
        "{stdout}"
    );
    assert!(
        stdout.contains("✘ TableThrottled: no expected result"),
        "{stdout}"
    );
    assert!(stdout.contains("0 of 2 test cases passed"), "{stdout}");
}

#[test]
fn handlers_run_the_app_s_own_function_and_keep_its_log_out_of_the_output() {
    let out = rcdk(
        &[
            "run",
            "MapDynamoDb/TestStateMachine",
            "--mock",
            "mocks/map-dynamodb.json",
            "--test-case",
            "ThreeItemsRealHandler",
            "--handlers",
            "--json",
        ],
        &root(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: Json = serde_json::from_slice(&out.stdout).expect("stdout is the JSON alone");
    assert_eq!(v["output"][1]["Payload"], serde_json::json!({"S": "b"}));
    assert_eq!(v["output"][1]["StatusCode"], 200);
    // process-item logs each element: on stderr
    assert!(stderr.contains(r#"processing item {"S":"c"}"#), "{stderr}");
    let history = v["history"].as_array().expect("history");
    let invoked = history
        .iter()
        .filter(|e| e["type"] == "TaskSucceeded")
        .count();
    assert_eq!(invoked, 4, "ReadDDBTable and three invocations");
}

#[test]
fn waits_are_virtual_unless_real_time_is_asked_for() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let long = dir.path().join("hour.asl.json");
    std::fs::write(
        &long,
        r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}"#,
    )
    .expect("written");
    let out = rcdk(
        &["run", "--definition", long.to_str().expect("utf-8")],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("SUCCEEDED after 3600 s"),
        "{}",
        text(&out.stdout)
    );
    let short = dir.path().join("second.asl.json");
    std::fs::write(
        &short,
        r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}"#,
    )
    .expect("written");
    let started = std::time::Instant::now();
    let out = rcdk(
        &[
            "run",
            "--definition",
            short.to_str().expect("utf-8"),
            "--real-time",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "--real-time sleeps"
    );
    assert!(
        text(&out.stdout).contains("(real time)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_app_s_mock_file_may_name_only_the_app_s_machines_and_their_tasks() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let base: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("mocks/task-status.json")).expect("readable"),
    )
    .expect("JSON");
    let run = |name: &str, mocks: &Json| {
        let file = dir.path().join(name);
        std::fs::write(&file, mocks.to_string()).expect("written");
        let out = rcdk(
            &[
                "run",
                "TaskStatus/StateMachine",
                "--mock",
                file.to_str().expect("utf-8"),
                "--test-case",
                "HappyPath",
            ],
            &root(),
        );
        (out.status.code(), text(&out.stderr))
    };
    let mut unknown_machine = base.clone();
    unknown_machine["StateMachines"]["TaskStatus/Nope"] =
        serde_json::json!({"TestCases": {"T": {"CreateDynamoTaskItem": "PutItemOk"}}});
    let (code, err) = run("machine.json", &unknown_machine);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("machine.json: StateMachines.TaskStatus/Nope: the app has no state machine 'TaskStatus/Nope'")
            && err.contains("TaskStatus/StateMachine"),
        "{err}"
    );
    let mut unknown_state = base.clone();
    unknown_state["StateMachines"]["TaskStatus/StateMachine"]["TestCases"]["HappyPath"]
        ["CreateDynamoTaskitem"] = "PutItemOk".into();
    let (code, err) = run("state.json", &unknown_state);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("state.json: StateMachines.TaskStatus/StateMachine.TestCases.HappyPath.CreateDynamoTaskitem: the machine has no state 'CreateDynamoTaskitem'"),
        "{err}"
    );
}

#[test]
fn a_definition_file_is_validated_as_synth_validates_an_app_s_machine() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("broken.asl.json");
    std::fs::write(
        &file,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}, "P": {"Type": "Parallel", "Branches": [], "End": true}}}"#,
    )
    .expect("written");
    let out = rcdk(
        &["run", "--definition", file.to_str().expect("utf-8")],
        &root(),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty(), "nothing ran");
    // the problems as synth words them (AslProblem), each on its line
    assert!(
        err.contains("the definition is not valid (3 problems)"),
        "{err}"
    );
    assert!(
        err.contains(r#"state "A": goes to "Missing", which does not exist"#),
        "{err}"
    );
    assert!(err.contains(r#"state "P""#), "{err}");
}

/// The machine of the report tests: a Map of a Choice, a Wait and a Pass, then a task that
/// is retried once, then a Pass.
const REPORTED: &str = r#"{"StartAt":"Start job","States":{
  "Start job":{"Type":"Pass","Result":{"items":[1,5]},"Next":"Each"},
  "Each":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"Size?","States":{
    "Size?":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":2,"Next":"Big"}],"Default":"Small"},
    "Big":{"Type":"Wait","Seconds":2,"End":true},
    "Small":{"Type":"Pass","End":true}}},"ResultPath":null,"Next":"Charge"},
  "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"charge","Payload.$":"$"},
    "Retry":[{"ErrorEquals":["Declined"],"MaxAttempts":1,"IntervalSeconds":3}],"Next":"Ship"},
  "Ship":{"Type":"Pass","End":true}}}"#;

const REPORTED_MOCKS: &str = r#"{"StateMachines":{"reported":{"TestCases":{
  "RetriedOnce":{"Charge":"DeclinedThenPaid"},
  "AlwaysDeclined":{"Charge":"Declined"}}}},
 "MockedResponses":{
  "DeclinedThenPaid":{"0":{"Throw":{"Error":"Declined","Cause":"card declined"}},"1":{"Return":{"Payload":{"paid":true}}}},
  "Declined":{"0-1":{"Throw":{"Error":"Declined","Cause":"card declined"}}}}}"#;

/// Opens a report in Debian's Chromium through playwright-core (tests/browser/report.mjs),
/// clicking the states named; what the page said and showed.
fn in_browser(report: &Path, clicks: &[&str]) -> Json {
    let chromium = common::tool("RCDK_CHROMIUM", "/usr/bin/chromium", "chromium");
    assert!(
        root()
            .join("node_modules/playwright-core/package.json")
            .is_file(),
        "playwright-core is not installed in node_modules, so this test cannot run; {}",
        common::install_hint("playwright-core")
    );
    let out = Command::new("node")
        .arg(root().join("tests/browser/report.mjs"))
        .arg(&chromium)
        .arg(report)
        .args(clicks)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser run failed: {}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

/// The book's picture of a run (book/src/pictures.md) is what the command shown above it writes.
#[test]
fn the_books_run_report_is_what_run_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("run.html");
    let o = rcdk(
        &[
            "run",
            "MapDynamoDb/TestStateMachine",
            "--mock",
            "mocks/map-dynamodb.json",
            "--test-case",
            "ThreeItems",
            "--report",
            html.to_str().unwrap_or_default(),
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(&html).unwrap(),
        std::fs::read_to_string(root().join("book/src/pictures/map-dynamodb-run.html")).unwrap(),
        "book/src/pictures/map-dynamodb-run.html is stale: run the command above it in book/src/pictures.md again"
    );
}

#[test]
fn the_run_report_shows_the_path_and_each_states_data_in_a_real_browser() {
    let tmp = tempfile::tempdir().unwrap();
    let definition = tmp.path().join("reported.asl.json");
    std::fs::write(&definition, REPORTED).unwrap();
    let mocks = tmp.path().join("mocks.json");
    std::fs::write(&mocks, REPORTED_MOCKS).unwrap();
    let report = |case: &str| {
        let html = tmp.path().join(format!("{case}.html"));
        let o = rcdk(
            &[
                "run",
                "--definition",
                definition.to_str().unwrap_or_default(),
                "--mock",
                mocks.to_str().unwrap_or_default(),
                "--test-case",
                case,
                "--report",
                html.to_str().unwrap_or_default(),
            ],
            &root(),
        );
        (o, html)
    };

    // a run whose task is retried once, then succeeds
    let (o, html) = report("RetriedOnce");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let page = in_browser(&html, &["Start job", "Charge", "Each/Big"]);
    assert_eq!(page["consoleErrors"], serde_json::json!([]), "{page}");
    assert_eq!(page["pageErrors"], serde_json::json!([]), "{page}");
    assert_eq!(
        page["requests"],
        serde_json::json!([]),
        "no network: {page}"
    );
    assert_eq!(page["status"], "SUCCEEDED");
    let classes = |path: &str| page["boxes"][path].clone();
    assert_eq!(classes("Start job"), serde_json::json!(["st-succeeded"]));
    assert_eq!(classes("Each"), serde_json::json!(["st-succeeded"]));
    assert_eq!(classes("Each/Big"), serde_json::json!(["st-succeeded"]));
    assert_eq!(classes("Charge"), serde_json::json!(["st-retried"]));
    assert_eq!(classes("Ship"), serde_json::json!(["st-succeeded"]));
    let start = &page["clicked"]["Start job"];
    assert_eq!(start["title"], "Start job");
    assert_eq!(start["inputs"], serde_json::json!(["{}"]));
    assert_eq!(
        start["outputs"],
        serde_json::json!(["{\n  \"items\": [\n    1,\n    5\n  ]\n}"])
    );
    assert_eq!(start["selected"], serde_json::json!(["Start job"]));
    let charge = &page["clicked"]["Charge"];
    assert_eq!(
        charge["retries"][0]
            .as_str()
            .map(|r| r.starts_with("1 retry: 2000–2000 ms Declined, 5000–")),
        Some(true),
        "{charge}"
    );
    // one visit of the Map's Wait (the item 5), entered at 0 ms on the virtual clock
    assert_eq!(
        page["clicked"]["Each/Big"]["inputs"],
        serde_json::json!(["5"])
    );

    // a run whose task fails every time: the failed state is marked, what follows is not
    // reached, and the error is shown
    let (o, html) = report("AlwaysDeclined");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let page = in_browser(&html, &["Charge", "Ship"]);
    assert_eq!(page["consoleErrors"], serde_json::json!([]), "{page}");
    assert_eq!(page["pageErrors"], serde_json::json!([]), "{page}");
    assert_eq!(page["status"], "FAILED");
    assert_eq!(page["boxes"]["Charge"], serde_json::json!(["st-failed"]));
    assert_eq!(page["boxes"]["Ship"], serde_json::json!(["st-not-reached"]));
    assert_eq!(
        page["clicked"]["Charge"]["errors"],
        serde_json::json!(["Declined\ncard declined"])
    );
    assert_eq!(
        page["clicked"]["Charge"]["outputs"],
        serde_json::json!(["—"])
    );
    assert_eq!(page["clicked"]["Ship"]["inputs"], serde_json::json!([]));
}
