//! The patterns' workflows run locally against moto: `rcdk run --deployed --live` sends
//! their DynamoDB and S3 calls to the moto server, `--handlers` runs their own Lambda crates
//! on this machine, and where moto's interpreter runs the same machine, the two outcomes are
//! compared (the differential test).
//!
//! scripts/test starts the server and sets RCDK_MOTO_ENDPOINT; without it this test starts
//! one itself from .venv, and fails with the install command when moto is not installed.

mod common;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Value};

use common::moto::{execute, ok, physical_id, Moto, Run};

fn rcdk(endpoint: &str, args: &[&str], limit: Duration) -> Run {
    common::moto::run(
        Path::new(env!("CARGO_BIN_EXE_rcdk-patterns")),
        &common::root(),
        endpoint,
        args,
        limit,
    )
}

/// `rcdk run MACHINE --deployed --live --json ...`: the JSON it prints.
fn run_local(endpoint: &str, machine: &str, input: &Value, more: &[&str]) -> Value {
    let input = input.to_string();
    let mut args = vec![
        "run",
        machine,
        "--deployed",
        "--live",
        "--json",
        "--input",
        &input,
    ];
    args.extend_from_slice(more);
    let run = rcdk(endpoint, &args, Duration::from_secs(600));
    assert!(
        run.code == 0 || run.code == 1,
        "rcdk run {machine}: exit {}\n{}",
        run.code,
        run.stderr
    );
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "rcdk run {machine} printed no JSON ({e}):\n{}\n{}",
            run.stdout, run.stderr
        )
    })
}

#[test]
fn the_patterns_run_locally_against_moto_and_agree_with_moto_s_interpreter() {
    let moto = Moto::start();
    moto.reset();
    let endpoint = moto.endpoint.as_str();
    let minute = Duration::from_secs(60);
    ok(&rcdk(endpoint, &["bootstrap"], minute), "bootstrap");
    ok(
        &rcdk(
            endpoint,
            &["deploy", "--all", "--require-approval", "never"],
            Duration::from_secs(900),
        ),
        "deploy",
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let simplelist = common::moto::sample_list(dir.path())
        .to_string_lossy()
        .to_string();
    ok(
        &rcdk(endpoint, &["load-table", "--json", &simplelist], minute),
        "load-table",
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let aws = runtime.block_on(common::moto::sdk_config(endpoint));
    let cfn = aws_sdk_cloudformation::Client::new(&aws);
    let ddb = aws_sdk_dynamodb::Client::new(&aws);
    let sfn = aws_sdk_sfn::Client::new(&aws);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&aws)
            .force_path_style(true)
            .build(),
    );

    // 001: the item reaches COMPLETED in moto's table; the wait (thirty days, within a
    // STANDARD execution's year) is on the virtual clock
    let until = in_thirty_days();
    let input = json!({"Id": "local-1", "StartTimestamp": until});
    let local = run_local(
        endpoint,
        "WaitableWorkflow/WaitableStateMachine",
        &input,
        &[],
    );
    assert_eq!(
        local["status"], "SUCCEEDED",
        "{} {}",
        local["error"], local["cause"]
    );
    let table = runtime.block_on(physical_id(
        &cfn,
        "WaitableWorkflow",
        "AWS::DynamoDB::Table",
    ));
    let item = runtime.block_on(async {
        ddb.get_item()
            .table_name(&table)
            .key("Id", AttributeValue::S("local-1".into()))
            .send()
            .await
    });
    let item = item.unwrap_or_else(|e| panic!("{e:?}"));
    let item = item.item().unwrap_or_else(|| panic!("001 wrote no item"));
    assert_eq!(
        item.get("ProcessStatus"),
        Some(&AttributeValue::S("COMPLETED".into()))
    );
    let wait = local["history"]
        .as_array()
        .and_then(|h| h.iter().find(|e| e["type"] == "WaitStateExited"))
        .and_then(|e| e["timestamp"].as_str())
        .unwrap_or_default()
        .to_string();
    assert_eq!(wait, until, "the Wait ends at its timestamp, virtually");

    // 002: the task is Done after thirty virtual seconds
    let input = json!({"taskId": "local-task", "timestamp": 1700000000});
    let local = run_local(endpoint, "TaskStatus/StateMachine", &input, &[]);
    assert_eq!(
        local["status"], "SUCCEEDED",
        "{} {}",
        local["error"], local["cause"]
    );
    let item = runtime.block_on(async {
        ddb.get_item()
            .table_name("Tasks")
            .key("taskId", AttributeValue::S("local-task".into()))
            .key("timestamp", AttributeValue::N("1700000000".into()))
            .send()
            .await
    });
    let item = item.unwrap_or_else(|e| panic!("{e:?}"));
    let item = item.item().unwrap_or_else(|| panic!("002 wrote no item"));
    assert_eq!(item.get("Status"), Some(&AttributeValue::S("Done".into())));

    // the differential: moto's interpreter runs 001 and 002 on the same inputs
    for (stack, key, input) in [
        (
            "WaitableWorkflow",
            "WaitableStateMachine",
            json!({"Id": "diff-1", "StartTimestamp": "2020-01-01T00:00:00Z"}),
        ),
        (
            "TaskStatus",
            "StateMachine",
            json!({"taskId": "diff-task", "timestamp": 1}),
        ),
    ] {
        let machine = format!("{stack}/{key}");
        let local = run_local(endpoint, &machine, &input, &[]);
        let arn = runtime.block_on(physical_id(&cfn, stack, "AWS::StepFunctions::StateMachine"));
        let (status, output) = runtime.block_on(execute(&sfn, &arn, input.clone()));
        assert_eq!(
            local["status"],
            status.as_str(),
            "{machine}: local {local}, moto {status}"
        );
        assert_eq!(local["output"], output, "{machine}: the outputs differ");
    }

    // 003: ProcessA through its six real process-step handlers, the document on moto's S3;
    // step-b's first read is stale (mocked), the retry goes to the real handler
    let bucket = runtime.block_on(physical_id(&cfn, "EmbeddedWorkflow", "AWS::S3::Bucket"));
    for key in ["local-1.json", "local-2.json"] {
        runtime
            .block_on(async {
                s3.put_object()
                    .bucket(&bucket)
                    .key(key)
                    .body(b"{}".to_vec().into())
                    .send()
                    .await
            })
            .unwrap_or_else(|e| panic!("{e:?}"));
    }
    let process = |key: &str| {
        let started = Instant::now();
        let out = run_local(
            endpoint,
            "EmbeddedWorkflow/ProcessA",
            &json!({"processData": key}),
            &[
                "--handlers",
                "--mock",
                "mocks/embedded-workflow-live.json",
                "--test-case",
                "StaleReadOnce",
            ],
        );
        (out, started.elapsed())
    };
    let (first, cold) = process("local-1.json");
    assert_eq!(
        first["status"], "SUCCEEDED",
        "{} {}",
        first["error"], first["cause"]
    );
    let (second, warm) = process("local-2.json");
    assert_eq!(
        second["status"], "SUCCEEDED",
        "{} {}",
        second["error"], second["cause"]
    );
    eprintln!(
        "figure: 003 ProcessA with its real handlers: {:.2} s cold (build), {:.2} s warm",
        cold.as_secs_f64(),
        warm.as_secs_f64()
    );
    let history = second["history"].as_array().cloned().unwrap_or_default();
    let failed: Vec<&Value> = history
        .iter()
        .filter(|e| e["type"] == "LambdaFunctionFailed")
        .collect();
    assert_eq!(failed.len(), 1, "the stale read, once");
    assert_eq!(
        failed[0]["lambdaFunctionFailedEventDetails"]["error"],
        "S3DataPreconditionError"
    );
    let document = runtime.block_on(async {
        let o = s3
            .get_object()
            .bucket(&bucket)
            .key("local-2.json")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        o.body
            .collect()
            .await
            .map(|b| b.into_bytes())
            .unwrap_or_default()
    });
    let document: Value = serde_json::from_slice(&document).unwrap_or(Value::Null);
    for step in ["a", "b", "c", "d", "e", "f"] {
        assert!(
            document.get(format!("step-{step}-output")).is_some(),
            "step {step} wrote nothing: {document}"
        );
    }
    assert!(
        document["step-f-output"]["downstreamExecutionArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":local-2.json")),
        "{document}"
    );

    // 004: the list read from moto's table, each element through the real process-item
    let local = run_local(
        endpoint,
        "MapDynamoDb/TestStateMachine",
        &json!({}),
        &["--handlers"],
    );
    assert_eq!(
        local["status"], "SUCCEEDED",
        "{} {}",
        local["error"], local["cause"]
    );
    let list: Value =
        serde_json::from_str(&std::fs::read_to_string(&simplelist).unwrap_or_default())
            .unwrap_or(Value::Null);
    let payloads: Vec<Value> = local["output"]
        .as_array()
        .map(|o| o.iter().map(|r| r["Payload"].clone()).collect())
        .unwrap_or_default();
    // process-item returns each element as it came: the list, as DynamoDB strings
    let expected: Vec<Value> = list
        .as_array()
        .map(|l| l.iter().map(|s| json!({ "S": s })).collect())
        .unwrap_or_default();
    assert_eq!(payloads.len(), 3);
    assert_eq!(payloads, expected, "{}", local["output"]);

    // 000: the EXPRESS workflow writes its five results to moto's table
    let local = run_local(
        endpoint,
        "AsyncStreamingResults/ExampleWorkflow",
        &json!({}),
        &[],
    );
    assert_eq!(
        local["status"], "SUCCEEDED",
        "{} {}",
        local["error"], local["cause"]
    );
    let results = runtime.block_on(physical_id(
        &cfn,
        "AsyncStreamingResults",
        "AWS::DynamoDB::Table",
    ));
    let scanned = runtime
        .block_on(async { ddb.scan().table_name(&results).send().await })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let items = scanned.items();
    assert_eq!(items.len(), 5, "{items:?}");
    assert_eq!(
        items
            .iter()
            .filter(|i| i.contains_key("FinalResult"))
            .count(),
        1
    );

    // ... and the real stream-results handler, behind its function URL on cargo-lambda's
    // emulator, streams them as JSON Lines up to the final result: seed 000 end to end
    let arn = local["executionArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let lines = stream_results(endpoint, &cfn, &runtime, &arn);
    assert_eq!(lines.len(), 5, "{lines:?}");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["Result"], format!("This is simulated result {i}"));
        assert_eq!(line.get("FinalResult").is_some(), i == 4, "{line}");
    }
}

/// Serves stream-results with `cargo lambda watch` (its template's environment, the table's
/// deployed name, moto as its AWS) and reads `GET /lambda-url/stream-results/?executionArn=`.
fn stream_results(
    endpoint: &str,
    cfn: &aws_sdk_cloudformation::Client,
    runtime: &tokio::runtime::Runtime,
    arn: &str,
) -> Vec<Value> {
    use std::io::{Read, Write};
    // the function's environment as the template gives it, resolved against the deployed stack
    let config = rcdk::config::parse::<rcdk_patterns::config::Config>("{}", "defaults")
        .unwrap_or_else(|e| panic!("{e}"));
    let assembly = rcdk_patterns::app::build(&config, &common::root())
        .synth()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut templates = rcdk_local::template::AppTemplates::from_assembly(&assembly);
    let resources = runtime
        .block_on(
            cfn.describe_stack_resources()
                .stack_name("AsyncStreamingResults")
                .send(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
    for s in &mut templates.stacks {
        if s.name == "AsyncStreamingResults" {
            for r in resources.stack_resources() {
                if let (Some(id), Some(p)) = (r.logical_resource_id(), r.physical_resource_id()) {
                    s.physical.insert(id.to_string(), p.to_string());
                }
            }
        }
    }
    let function = templates
        .functions()
        .into_values()
        .find(|f| f.path == "AsyncStreamingResults/StreamingFunction")
        .unwrap_or_else(|| panic!("no StreamingFunction"));
    let mut vars: Vec<String> = function
        .environment
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    vars.push(format!("AWS_ENDPOINT_URL={endpoint}"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9431);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![common::root().join(".venv/bin")];
    dirs.extend(std::env::split_paths(&path));
    let mut watch = std::process::Command::new("cargo-lambda")
        .args([
            "lambda",
            "watch",
            "--ignore-changes",
            "-A",
            "127.0.0.1",
            "-P",
            &port.to_string(),
        ])
        .arg("--env-vars")
        .arg(vars.join(","))
        .current_dir(common::root().join("lambdas/stream-results"))
        .env("PATH", std::env::join_paths(dirs).unwrap_or(path))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", common::moto::REGION)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cargo-lambda cannot be started ({e}), so this test cannot run; {}",
                common::install_hint("cargo-lambda")
            )
        });
    let started = Instant::now();
    let mut stream = loop {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "cargo lambda watch did not listen"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let request = format!(
        "GET /lambda-url/stream-results/?executionArn={arn} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    // the first request builds the crate: allow for it
    let _ = stream.set_read_timeout(Some(Duration::from_secs(600)));
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let _ = watch.kill();
    let _ = watch.wait();
    let text = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {text}"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/x-ndjson"),
        "{head}"
    );
    // chunked: a size line, then the chunk; the JSON lines are in the chunks
    let mut joined = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || after.len() < n {
            break;
        }
        joined.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    joined
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// Thirty days from now in Step Functions' timestamp form (whole seconds, `Z`): a Wait's
/// `Timestamp` a STANDARD execution reaches (it may run a year; one waiting longer times out,
/// as on AWS).
fn in_thirty_days() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    aws_sdk_s3::primitives::DateTime::from_secs(secs + 30 * 24 * 3600)
        .fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}
