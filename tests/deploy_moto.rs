//! End to end: the `rcdk` binary bootstraps, deploys, diffs and destroys the five patterns
//! against moto server (tests/moto/server.py patches its documented gaps), and the deployed
//! state machines of 001, 002 and 004 run on moto's ASL interpreter, 004's Map invoking the
//! real process-item handler; 002's start-task handler, invoked through Lambda's API, starts
//! its workflow through moto's Step Functions, which writes the task read back here. The
//! handlers run built for this machine under the harness's Lambda Runtime API, not the
//! deployed arm64 zips (no Docker or emulation here). Not checked on moto: IAM (no policy is
//! evaluated).
//!
//! scripts/test starts the server and sets RCDK_MOTO_ENDPOINT; without it this test starts
//! one itself from .venv, and fails with the install command when moto is not installed.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;

use common::moto::{execute, ok, physical_id, Moto, Run, ACCOUNT, REGION};

/// Runs the patterns app against moto, in the repository.
fn rcdk(endpoint: &str, args: &[&str], limit: Duration) -> Run {
    common::moto::run(
        Path::new(env!("CARGO_BIN_EXE_rcdk-patterns")),
        &common::root(),
        endpoint,
        args,
        limit,
    )
}

fn iso_now() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    aws_sdk_s3::primitives::DateTime::from_secs(secs + 1)
        .fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}

fn config_with(change: impl FnOnce(&mut Value), dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(common::root().join("config.json"))
        .unwrap_or_else(|e| panic!("config.json: {e}"));
    let mut config: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    change(&mut config);
    let path = dir.join("config.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&config).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn bootstrap_deploy_diff_run_and_destroy_the_five_patterns() {
    let moto = Moto::start();
    moto.reset();
    let endpoint = moto.endpoint.as_str();
    let minute = Duration::from_secs(60);
    // the cargo-lambda build of every crate may run in the first deploy (release, arm64)
    let build_limit = Duration::from_secs(900);
    let config =
        rcdk::config::load::<rcdk_patterns::config::Config>(&common::root().join("config.json"))
            .unwrap_or_else(|e| panic!("config.json: {e}"));
    let assembly = rcdk_patterns::app::build(&config, &common::root())
        .synth()
        .unwrap_or_else(|e| panic!("synth: {e}"));
    let names: Vec<String> = assembly.stacks.iter().map(|s| s.name.clone()).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let aws = runtime.block_on(common::moto::sdk_config(endpoint));
    let cfn = aws_sdk_cloudformation::Client::new(&aws);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&aws)
            .force_path_style(true)
            .build(),
    );
    let bucket = format!("cdk-hnb659fds-assets-{ACCOUNT}-{REGION}");

    // before bootstrap, deploy says what to do, and deploys nothing
    let run = rcdk(
        endpoint,
        &["deploy", "--all", "--require-approval", "never"],
        minute,
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not bootstrapped"), "{}", run.stderr);
    assert!(
        run.stderr.contains("cargo run -- bootstrap"),
        "{}",
        run.stderr
    );

    // bootstrap: the CDKToolkit stack and its bucket
    ok(&rcdk(endpoint, &["bootstrap"], minute), "bootstrap");
    runtime.block_on(async {
        s3.head_bucket()
            .bucket(&bucket)
            .send()
            .await
            .unwrap_or_else(|e| panic!("no asset bucket {bucket}: {e:?}"));
    });
    // a second bootstrap changes nothing
    let again = rcdk(endpoint, &["bootstrap"], minute);
    ok(&again, "bootstrap again");
    assert!(
        again.stdout.contains("CDKToolkit: no changes"),
        "{}",
        again.stdout
    );

    // first deploy of all five stacks, outputs written
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let outputs_file = dir.path().join("outputs.json");
    let outputs_arg = outputs_file.to_string_lossy().to_string();
    let first = rcdk(
        endpoint,
        &[
            "deploy",
            "--all",
            "--require-approval",
            "never",
            "--outputs-file",
            &outputs_arg,
        ],
        build_limit,
    );
    ok(&first, "first deploy");
    eprintln!(
        "figure: first deploy of all five stacks: {:.2} s",
        first.seconds
    );
    for name in &names {
        assert!(
            first.stdout.contains(&format!("{name} | ")),
            "{name} was not reported:\n{}",
            first.stdout
        );
    }
    // each stack, as CloudFormation has it
    runtime.block_on(async {
        for name in &names {
            let d = cfn
                .describe_stacks()
                .stack_name(name)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let status = d.stacks().first().and_then(|s| s.stack_status().cloned());
            assert_eq!(
                status,
                Some(aws_sdk_cloudformation::types::StackStatus::CreateComplete),
                "{name}"
            );
        }
    });
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(&outputs_file).unwrap_or_else(|e| panic!("outputs file: {e}")),
    )
    .unwrap_or_else(|e| panic!("outputs file is not JSON: {e}"));
    for stack in &assembly.stacks {
        let expected: Vec<&String> = stack.template["Outputs"]
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        let got: Vec<&String> = written[&stack.name]
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(got, expected, "outputs of {}", stack.name);
        for (key, value) in written[&stack.name].as_object().into_iter().flatten() {
            assert!(
                value.as_str().is_some_and(|v| !v.is_empty()),
                "{}.{key} is empty",
                stack.name
            );
        }
    }
    assert_eq!(written["TaskStatus"]["TasksTableName"], "Tasks");

    // every Lambda zip is in the bucket under its hash, and the large template too
    let keys: Vec<String> = runtime.block_on(async {
        let listed = s3
            .list_objects_v2()
            .bucket(&bucket)
            .send()
            .await
            .unwrap_or_else(|e| panic!("list {bucket}: {e:?}"));
        listed
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect()
    });
    let mut hashes = 0;
    for stack in &assembly.stacks {
        for asset in &stack.assets {
            hashes += 1;
            assert!(
                keys.contains(&asset.object_key()),
                "{} of {} is not in the bucket: {keys:?}",
                asset.object_key(),
                stack.name
            );
        }
    }
    let functions: usize = assembly
        .stacks
        .iter()
        .map(|s| s.count_of("AWS::Lambda::Function"))
        .sum();
    assert_eq!(hashes, functions, "one package per Lambda function");
    assert!(
        keys.iter().any(|k| k.ends_with(".json")),
        "EmbeddedWorkflow's template (57 KB) was not uploaded: {keys:?}"
    );
    assert!(
        first.stdout.contains("EmbeddedWorkflow: template is"),
        "{}",
        first.stdout
    );

    // the second deploy changes nothing, and says so for each stack
    let second = rcdk(
        endpoint,
        &["deploy", "--all", "--require-approval", "never"],
        minute,
    );
    ok(&second, "second deploy");
    eprintln!(
        "figure: no-change deploy of all five stacks: {:.2} s",
        second.seconds
    );
    for name in &names {
        assert!(
            second.stdout.contains(&format!("{name}: no changes")),
            "{name}:\n{}",
            second.stdout
        );
    }
    assert!(
        second.stdout.contains("nothing to build"),
        "{}",
        second.stdout
    );
    assert!(
        second.stdout.contains("(5 without changes)"),
        "{}",
        second.stdout
    );

    // diff: equal
    let diff = rcdk(endpoint, &["diff", "--fail"], minute);
    ok(&diff, "diff of the deployed app");
    assert_eq!(
        diff.stdout.matches("no differences").count(),
        5,
        "{}",
        diff.stdout
    );

    // a pipeline synthesizes once and deploys the artifact: the toolkit on its own, run from
    // another directory, finds the Lambda crates through the assembly's rcdk.json
    let artifact = dir.path().join("artifact");
    let artifact_arg = artifact.to_string_lossy().to_string();
    ok(
        &rcdk(endpoint, &["synth", "-q", "-o", &artifact_arg], minute),
        "synth of the artifact",
    );
    let toolkit = common::moto::toolkit();
    let from_artifact = common::moto::run(
        &toolkit,
        dir.path(),
        endpoint,
        &[
            "deploy",
            "--app",
            &artifact_arg,
            "--all",
            "--require-approval",
            "never",
        ],
        minute,
    );
    ok(&from_artifact, "deploy --app DIR");
    assert!(
        from_artifact.stdout.contains("(5 without changes)"),
        "{}",
        from_artifact.stdout
    );
    // --app COMMAND: the AWS CDK's contract, the assembly written to $CDK_OUTDIR
    let app_command = format!("{} synth -q", env!("CARGO_BIN_EXE_rcdk-patterns"));
    let out_arg = dir
        .path()
        .join("from-command")
        .to_string_lossy()
        .to_string();
    let from_command = common::moto::run(
        &toolkit,
        &common::root(),
        endpoint,
        &[
            "diff",
            "--app",
            &app_command,
            "--output",
            &out_arg,
            "--fail",
        ],
        minute,
    );
    ok(&from_command, "diff --app COMMAND");
    assert_eq!(
        from_command.stdout.matches("no differences").count(),
        5,
        "{}",
        from_command.stdout
    );
    assert!(Path::new(&out_arg).join("manifest.json").is_file());
    // an assembly that is not there is a usage error naming it
    let missing = common::moto::run(
        &toolkit,
        dir.path(),
        endpoint,
        &["deploy", "--app", "no-such-dir", "--all"],
        minute,
    );
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("no-such-dir"), "{}", missing.stderr);

    // one setting of one pattern changes: diff shows it as ASL, deploy updates that stack only
    let changed = config_with(
        |c| c["mapDynamoDb"]["stepfunc"]["waitDurationSeconds"] = Value::from(1),
        dir.path(),
    );
    let changed_arg = changed.to_string_lossy().to_string();
    let diff = rcdk(
        endpoint,
        &["--config", &changed_arg, "diff", "--fail"],
        minute,
    );
    assert_eq!(
        diff.code, 1,
        "diff --fail of a changed app:\n{}\n{}",
        diff.stdout, diff.stderr
    );
    assert_eq!(
        diff.stdout.matches("no differences").count(),
        4,
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("[~] AWS::StepFunctions::StateMachine"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("- ") && l.contains("\"Seconds\": 2")),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("+ ") && l.contains("\"Seconds\": 1")),
        "{}",
        diff.stdout
    );
    // logs: the events of a function's log group, with its construct path, filtered, followed
    common::moto::put_log_events(
        endpoint,
        "/aws/lambda/InvokeTaskStepFunction",
        "s1",
        &[
            "START RequestId: 1",
            "started the workflow for Breakfast",
            "END RequestId: 1",
        ],
    );
    let logs = rcdk(endpoint, &["logs", "TaskStatus", "--since", "1h"], minute);
    ok(&logs, "logs");
    let lines: Vec<&str> = logs.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", logs.stdout);
    assert!(
        lines[1].ends_with("TaskStatus/invokeStepFunction | started the workflow for Breakfast"),
        "{}",
        logs.stdout
    );
    let filtered = rcdk(
        endpoint,
        &["logs", "--since", "1h", "--filter", "Breakfast"],
        minute,
    );
    ok(&filtered, "logs --filter");
    assert_eq!(filtered.stdout.lines().count(), 1, "{}", filtered.stdout);
    let missing = rcdk(endpoint, &["logs", "Nope"], minute);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("there is no stack 'Nope'"),
        "{}",
        missing.stderr
    );
    // --follow prints what arrives later, until it is stopped
    let follow_command = || {
        let mut cmd = common::moto::command(
            Path::new(env!("CARGO_BIN_EXE_rcdk-patterns")),
            &common::root(),
            endpoint,
        );
        cmd.args([
            "logs",
            "TaskStatus/invokeStepFunction",
            "--follow",
            "--since",
            "1h",
        ]);
        cmd
    };
    let mut follow = follow_command().spawn().unwrap_or_else(|e| panic!("{e}"));
    let rx = common::moto::lines(&mut follow);
    let next = |what: &str| {
        rx.recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("no {what} from logs --follow: {e}"))
    };
    for _ in 0..3 {
        next("earlier line");
    }
    common::moto::put_log_events(
        endpoint,
        "/aws/lambda/InvokeTaskStepFunction",
        "s2",
        &["a later line"],
    );
    assert!(next("later line").ends_with("| a later line"));
    let _ = follow.kill();
    let _ = follow.wait();
    // a reader that goes away ends --follow (`logs --follow | grep -m1 ...`), as it ends
    // `tail -f`: the next line it writes finds the pipe closed
    let mut gone = follow_command()
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    {
        let out = gone.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut first = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut first)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!first.is_empty(), "logs --follow printed nothing");
    } // the read end is closed here
    common::moto::put_log_events(
        endpoint,
        "/aws/lambda/InvokeTaskStepFunction",
        "s3",
        &["a line nobody reads"],
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = gone.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = gone.kill();
            panic!("logs --follow went on for a minute after its reader went away");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        status.code(),
        Some(0),
        "ended as a finished command, not a panic"
    );

    // the same change through the hotswap: the definition is updated in place, no change set
    let map_arn = written["MapDynamoDb"]["StateMachineArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let events_before = runtime.block_on(async {
        cfn.describe_stack_events()
            .stack_name("MapDynamoDb")
            .send()
            .await
            .map(|e| e.stack_events().len())
            .unwrap_or_else(|e| panic!("{e:?}"))
    });
    let hot = rcdk(
        endpoint,
        &["--config", &changed_arg, "deploy", "--all", "--hotswap"],
        minute,
    );
    ok(&hot, "deploy --hotswap of a definition change");
    assert!(
        hot.stdout
            .contains("MapDynamoDb/TestStateMachine: definition updated (hotswap"),
        "{}",
        hot.stdout
    );
    assert_eq!(
        hot.stdout.matches(": no changes").count(),
        4,
        "{}",
        hot.stdout
    );
    eprintln!("figure: definition-only hotswap: {:.2} s", hot.seconds);
    runtime.block_on(async {
        let sfn = aws_sdk_sfn::Client::new(&aws);
        let d = sfn
            .describe_state_machine()
            .state_machine_arn(&map_arn)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let definition: Value = serde_json::from_str(d.definition()).unwrap_or(Value::Null);
        assert_eq!(
            definition["States"]["MapState"]["Iterator"]["States"]["WaitInMap"]["Seconds"], 1,
            "{definition}"
        );
        let events_after = cfn
            .describe_stack_events()
            .stack_name("MapDynamoDb")
            .send()
            .await
            .map(|e| e.stack_events().len())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            events_after, events_before,
            "no change set, no stack operation"
        );
    });
    // the normal deploy then reconciles the stack with its template
    let update = rcdk(
        endpoint,
        &[
            "--config",
            &changed_arg,
            "deploy",
            "--all",
            "--require-approval",
            "never",
        ],
        minute,
    );
    ok(&update, "deploy of the changed setting");
    assert!(
        update
            .stdout
            .contains("MapDynamoDb: 0 to add, 1 to modify (0 replaced), 0 to remove"),
        "{}",
        update.stdout
    );
    assert!(
        update.stdout.contains("MapDynamoDb | "),
        "{}",
        update.stdout
    );
    assert_eq!(
        update.stdout.matches(": no changes").count(),
        4,
        "{}",
        update.stdout
    );

    // the state machines run on moto: 001 and 002 write their items, 004 maps over the list
    let simplelist = common::moto::sample_list(dir.path())
        .to_string_lossy()
        .to_string();
    ok(
        &rcdk(
            endpoint,
            &[
                "--config",
                &changed_arg,
                "load-table",
                "--json",
                &simplelist,
            ],
            minute,
        ),
        "load-table",
    );
    // the deployed functions of 002 and 004 run their real handlers (built for this machine)
    // under moto's Invoke (tests/moto/server.py, patch 11), moto as their AWS
    let map_function = runtime.block_on(physical_id(&cfn, "MapDynamoDb", "AWS::Lambda::Function"));
    let map_logs = runtime.block_on(physical_id(&cfn, "MapDynamoDb", "AWS::Logs::LogGroup"));
    common::harness::run_handler(endpoint, &map_function, "process-item");
    common::harness::run_handler(endpoint, "InvokeTaskStepFunction", "start-task");
    // start-task, invoked as a user would (the StartTaskFunctionName output), starts the 002
    // workflow itself: its answer names the execution it started through moto's Step Functions
    let started = common::harness::invoke(
        endpoint,
        written["TaskStatus"]["StartTaskFunctionName"]
            .as_str()
            .unwrap_or("InvokeTaskStepFunction"),
        &serde_json::json!({"taskId": "e2e-lambda"}),
    );
    assert_eq!(started.function_error, None, "start-task: {started:?}");
    let answer = started.payload.as_str().unwrap_or_default().to_string();
    let execution_name = answer
        .strip_prefix("Started step function execution id ")
        .and_then(|rest| rest.strip_suffix('!'))
        .unwrap_or_else(|| panic!("start-task answered {answer:?}"))
        .to_string();
    let seconds = execution_name
        .strip_prefix("e2e-lambda-")
        .unwrap_or_else(|| panic!("execution {execution_name:?}"))
        .to_string();
    // the real handler checks its event: an error object, not moto's echo of the event
    let refused = common::harness::invoke(
        endpoint,
        "InvokeTaskStepFunction",
        &serde_json::json!({"taskId": 7}),
    );
    assert_eq!(
        refused.function_error.as_deref(),
        Some("Unhandled"),
        "{refused:?}"
    );
    assert_eq!(
        refused.payload["errorMessage"], "\"taskId\" must be a string, not 7",
        "{refused:?}"
    );
    runtime.block_on(async {
        let sfn = aws_sdk_sfn::Client::new(&aws);
        let ddb = aws_sdk_dynamodb::Client::new(&aws);
        let arn = |stack: &str, key: &str| {
            written[stack][key]
                .as_str()
                .unwrap_or_else(|| panic!("no output {stack}.{key}"))
                .to_string()
        };
        let status_table = physical_id(&cfn, "WaitableWorkflow", "AWS::DynamoDB::Table").await;
        let waitable = arn("WaitableWorkflow", "WaitableStateMachineArn");
        let tasks = arn("TaskStatus", "StateMachineArn");
        let map = arn("MapDynamoDb", "StateMachineArn");
        // the execution start-task started, found by the name it answered
        let by_lambda = format!(
            "{}:{execution_name}",
            tasks.replacen(":stateMachine:", ":execution:", 1)
        );
        let (w, t, m, l) = tokio::join!(
            execute(
                &sfn,
                &waitable,
                serde_json::json!({"Id": "e2e-1", "StartTimestamp": iso_now()})
            ),
            execute(
                &sfn,
                &tasks,
                serde_json::json!({"taskId": "e2e-task", "timestamp": 1700000000})
            ),
            execute(&sfn, &map, serde_json::json!({})),
            common::moto::finished(&sfn, &by_lambda),
        );
        assert_eq!(w.0, "SUCCEEDED", "001: {w:?}");
        assert_eq!(t.0, "SUCCEEDED", "002: {t:?}");
        assert_eq!(m.0, "SUCCEEDED", "004: {m:?}");
        assert_eq!(l.0, "SUCCEEDED", "002 started by start-task: {l:?}");
        let item = ddb
            .get_item()
            .table_name(&status_table)
            .key("Id", AttributeValue::S("e2e-1".into()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let item = item.item().unwrap_or_else(|| panic!("001 wrote no item"));
        assert_eq!(
            item.get("ProcessStatus"),
            Some(&AttributeValue::S("COMPLETED".into()))
        );
        assert!(
            item.contains_key("StartActionAt") && item.contains_key("LastUpdated"),
            "{item:?}"
        );
        let item = ddb
            .get_item()
            .table_name("Tasks")
            .key("taskId", AttributeValue::S("e2e-task".into()))
            .key("timestamp", AttributeValue::N("1700000000".into()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let item = item.item().unwrap_or_else(|| panic!("002 wrote no item"));
        assert_eq!(item.get("Status"), Some(&AttributeValue::S("Done".into())));
        // the workflow start-task started wrote its task, read back from the table: the
        // handler's input reached the machine (taskId, and the timestamp it named it with)
        let item = ddb
            .get_item()
            .table_name("Tasks")
            .key("taskId", AttributeValue::S("e2e-lambda".into()))
            .key("timestamp", AttributeValue::N(seconds.clone()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let item = item
            .item()
            .unwrap_or_else(|| panic!("the workflow start-task started wrote no item"));
        assert_eq!(item.get("Status"), Some(&AttributeValue::S("Done".into())));
        // one result per item of the list loaded into the table, in order: the real
        // process-item answers each DynamoDB-typed item as it got it (the integration's
        // result: Invoke's StatusCode, X-Amz-Executed-Version and payload)...
        assert_eq!(
            m.1,
            serde_json::json!([
                {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": {"S": "Computer Science"}},
                {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": {"S": "Economics"}},
                {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": {"S": "Mathematics"}}
            ]),
            "004 output"
        );
    });
    // ... and logged each one, read back from the function's log group (its LoggingConfig):
    // the handler ran, this is not moto's echo of the payload
    assert_eq!(
        common::harness::log_messages(endpoint, &map_logs),
        [
            "processing item {\"S\":\"Computer Science\"}",
            "processing item {\"S\":\"Economics\"}",
            "processing item {\"S\":\"Mathematics\"}",
        ],
        "004's log group"
    );
    common::harness::not_checked(
        "IAM: moto evaluates no policy, so the functions' and machines' roles are not checked \
         here (the construct tests assert their exact statements)",
    );

    // a table change cannot be hotswapped: refused with the reason, nothing deployed; with
    // --hotswap-fallback it goes through a change set
    let table_changed = config_with(
        |c| {
            c["mapDynamoDb"]["stepfunc"]["waitDurationSeconds"] = Value::from(1);
            c["taskStatus"]["tableName"] = Value::from("Tasks2");
        },
        dir.path(),
    );
    let table_arg = table_changed.to_string_lossy().to_string();
    let refused = rcdk(
        endpoint,
        &["--config", &table_arg, "deploy", "TaskStatus", "--hotswap"],
        minute,
    );
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("TaskStatus/Tasks: TableName changed (AWS::DynamoDB::Table"),
        "{}",
        refused.stderr
    );
    let fallback = rcdk(
        endpoint,
        &[
            "--config",
            &table_arg,
            "deploy",
            "TaskStatus",
            "--hotswap-fallback",
            "--require-approval",
            "never",
        ],
        minute,
    );
    ok(&fallback, "deploy --hotswap-fallback of a table change");
    assert!(
        fallback
            .stdout
            .contains("deployed through a change set: TaskStatus/Tasks: TableName changed"),
        "{}",
        fallback.stdout
    );
    assert!(
        fallback.stdout.contains("UPDATE_COMPLETE"),
        "{}",
        fallback.stdout
    );

    // destroy everything, dependents first; the retained resources are named
    let destroy = rcdk(endpoint, &["destroy", "--all", "--force"], minute);
    ok(&destroy, "destroy");
    for name in &names {
        assert!(
            destroy.stdout.contains(&format!("{name}: deleted")),
            "{}",
            destroy.stdout
        );
    }
    assert!(
        destroy.stdout.contains("retained, stays in the account"),
        "{}",
        destroy.stdout
    );
    runtime.block_on(async {
        for name in &names {
            let d = cfn.describe_stacks().stack_name(name).send().await;
            assert!(
                d.is_err(),
                "{name} still exists: {:?}",
                d.ok()
                    .map(|o| o.stacks().first().and_then(|s| s.stack_status().cloned()))
            );
        }
    });
    // and a diff now says every stack is new
    let diff = rcdk(endpoint, &["diff"], minute);
    ok(&diff, "diff after destroy");
    assert_eq!(
        diff.stdout.matches("not deployed").count(),
        5,
        "{}",
        diff.stdout
    );
}
