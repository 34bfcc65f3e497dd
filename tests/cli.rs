//! The `rcdk` binary: synth and list, exit codes, the corpus of bad inputs, all-or-nothing
//! writes and determinism.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rcdk(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("rcdk runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file of a directory, name -> content.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn synth_writes_the_assembly_and_prints_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("assembly");
    let o = rcdk(&["synth", "--out", out.to_str().unwrap()], &root());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.starts_with("Stack "), "{stdout}");
    assert!(
        stdout.contains("Resources  State machines  Assets  Template bytes"),
        "{stdout}"
    );
    for stack in PATTERNS {
        assert!(stdout.contains(&format!("{stack} ")), "{stdout}");
    }
    assert!(stdout.contains("wrote "), "{stdout}");
    // a template over 51,200 bytes is a warning, not an error
    assert!(
        text(&o.stderr).contains("EmbeddedWorkflow: the template has"),
        "{}",
        text(&o.stderr)
    );
    let mut expected: Vec<String> = PATTERNS
        .iter()
        .flat_map(|s| [format!("{s}.assets.json"), format!("{s}.template.json")])
        .collect();
    expected.push("manifest.json".into());
    expected.push("rcdk.json".into());
    expected.sort();
    let names: Vec<String> = files(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, expected);
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let stack = &manifest["artifacts"]["TaskStatus"];
    assert_eq!(stack["type"], "aws:cloudformation:stack");
    assert_eq!(
        stack["properties"]["templateFile"],
        "TaskStatus.template.json"
    );
    assert_eq!(
        stack["dependencies"],
        serde_json::json!(["TaskStatus.assets"])
    );
    let assets: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("TaskStatus.assets.json")).unwrap()).unwrap();
    let (hash, entry) = assets["files"].as_object().unwrap().iter().next().unwrap();
    assert_eq!(entry["source"]["cargoLambda"]["crate"], "start-task");
    assert_eq!(entry["source"]["cargoLambda"]["architecture"], "arm64");
    assert_eq!(
        entry["destinations"]["current_account-current_region"]["objectKey"],
        format!("{hash}.zip")
    );
    let template = fs::read_to_string(out.join("TaskStatus.template.json")).unwrap();
    assert!(template.contains(&format!("\"S3Key\": \"{hash}.zip\"")));
    // nine functions of one crate share one asset
    let assets: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("EmbeddedWorkflow.assets.json")).unwrap())
            .unwrap();
    assert_eq!(assets["files"].as_object().unwrap().len(), 2);
}

/// The stacks of the app, in order.
const PATTERNS: [&str; 5] = [
    "AsyncStreamingResults",
    "WaitableWorkflow",
    "TaskStatus",
    "EmbeddedWorkflow",
    "MapDynamoDb",
];

#[test]
fn synth_yaml_uses_short_form_tags() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = rcdk(
        &[
            "synth",
            "--format",
            "yaml",
            "--quiet",
            "-o",
            out.to_str().unwrap(),
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty(), "--quiet prints no summary");
    let yaml = fs::read_to_string(out.join("TaskStatus.template.yaml")).unwrap();
    assert!(
        yaml.contains("Role: !GetAtt invokeStepFunctionServiceRole"),
        "{yaml}"
    );
    assert!(
        yaml.contains("StateMachineArn: !Ref StateMachine"),
        "{yaml}"
    );
    assert!(
        yaml.contains("DynamodbPutItem: !Sub arn:${AWS::Partition}:states:::dynamodb:putItem"),
        "{yaml}"
    );
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("TaskStatus.template.yaml"));
}

#[test]
fn stack_selection_takes_a_glob_and_rejects_unknown_names() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = rcdk(
        &[
            "synth",
            "--stack",
            "*Workflow",
            "-q",
            "-o",
            out.to_str().unwrap(),
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let names: Vec<String> = files(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "EmbeddedWorkflow.assets.json",
            "EmbeddedWorkflow.template.json",
            "WaitableWorkflow.assets.json",
            "WaitableWorkflow.template.json",
            "manifest.json",
            "rcdk.json"
        ]
    );
    let o = rcdk(
        &[
            "synth",
            "--stack",
            "TaskStatus",
            "-q",
            "-o",
            out.to_str().unwrap(),
        ],
        &root(),
    );
    assert!(o.status.success());
    assert_eq!(
        files(&out).len(),
        4,
        "the one stack, the manifest, rcdk.json"
    );

    let o = rcdk(
        &["synth", "--stack", "Nope", "-o", out.to_str().unwrap()],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("no stack matches \"Nope\""), "{err}");
    assert!(err.contains(&PATTERNS.join(", ")), "{err}");
    assert_eq!(files(&out).len(), 4, "nothing written");

    let o = rcdk(
        &["synth", "--stack", "[", "-o", out.to_str().unwrap()],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn list_prints_stacks_and_their_dependencies() {
    let o = rcdk(&["list"], &root());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["Stack", "Depends", "on"]);
    let rows: Vec<Vec<&str>> = PATTERNS.iter().map(|s| vec![*s, "-"]).collect();
    assert_eq!(lines[1..], rows, "the patterns stand alone");
}

#[test]
fn usage_errors_exit_with_2() {
    for args in [
        &["synth", "--format", "xml"][..],
        &["deploy-everything"],
        &["synth", "--bogus"],
    ] {
        let o = rcdk(args, &root());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
    }
    let o = rcdk(&["--config", "missing.json", "synth"], &root());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("config file missing.json not found"),
        "{}",
        text(&o.stderr)
    );
}

/// One bad configuration of `tests/bad_inputs/`: the key its error names (`None` for a file
/// with no key to name: not JSON, not UTF-8, not an object) and what else the error must say
/// (its place first). Every one ends with exit code 1 and writes nothing.
struct Bad {
    file: &'static str,
    key: Option<&'static str>,
    says: &'static [&'static str],
}

const CORPUS: &[Bad] = &[
    // the file: syntax, encoding, shape
    Bad {
        file: "empty.json",
        key: None,
        says: &["empty.json:1:0", "EOF"],
    },
    Bad {
        file: "trailing-comma.json",
        key: Some("asyncStreaming"),
        says: &["trailing-comma.json:4:3", "trailing comma"],
    },
    Bad {
        file: "not-utf8.json",
        key: None,
        says: &[
            "not-utf8.json:3:20: not UTF-8",
            "byte 0xE9 at byte offset 37",
        ],
    },
    Bad {
        file: "not-an-object.json",
        key: None,
        says: &[
            "not-an-object.json:1:1",
            "invalid type: sequence, expected an object",
        ],
    },
    Bad {
        file: "empty-array.json",
        key: None,
        says: &[
            "empty-array.json:1:1",
            "invalid type: sequence, expected an object",
            "{} is all defaults",
        ],
    },
    Bad {
        file: "section-not-an-object.json",
        key: Some("asyncStreaming"),
        says: &["section-not-an-object.json:2:21", "expected an object"],
    },
    // keys and types
    Bad {
        file: "unknown-key.json",
        key: Some("asyncStreaming.pollInterval"),
        says: &[
            "unknown-key.json:3:18",
            "unknown field `pollInterval`",
            "pollIntervalMs",
        ],
    },
    Bad {
        file: "wrong-type.json",
        key: Some("taskStatus.logRetentionDays"),
        says: &["wrong-type.json:3:27", "expected u32"],
    },
    Bad {
        file: "bad-retention.json",
        key: Some("mapDynamoDb.logRetentionDays"),
        says: &["10 is not a retention"],
    },
    // names
    Bad {
        file: "name-too-long.json",
        key: Some("waitable.stackName"),
        says: &[
            "name-too-long.json:3:18",
            "must be 1 to 128 characters long (it has 130)",
            "… (130 bytes)",
        ],
    },
    Bad {
        file: "empty-stage-name.json",
        key: Some("embeddedWorkflow.stageName"),
        says: &["empty-stage-name.json:3:18", "1 to 128 characters"],
    },
    Bad {
        file: "bad-function-name.json",
        key: Some("taskStatus.functionName"),
        says: &["bad-function-name.json:3:21", "not ' '"],
    },
    Bad {
        file: "empty-attribute-name.json",
        key: Some("mapDynamoDb.ddb.partitionKeyName"),
        says: &["empty-attribute-name.json:4:27", "1 to 255 bytes"],
    },
    Bad {
        file: "key-is-the-list-attribute.json",
        key: Some("mapDynamoDb.ddb.partitionKeyName"),
        says: &["key-is-the-list-attribute.json:4:27", "holds the list"],
    },
    Bad {
        file: "empty-key-value.json",
        key: Some("mapDynamoDb.ddb.partitionKeyValueField"),
        says: &["empty-key-value.json:4:33", "1 to 2,048 bytes"],
    },
    Bad {
        file: "key-value-too-long.json",
        key: Some("mapDynamoDb.ddb.partitionKeyValueField"),
        says: &["has 2,049 bytes", "1 to 2,048 bytes"],
    },
    Bad {
        file: "empty-field-name.json",
        key: Some("asyncStreaming.finalResultFieldName"),
        says: &["empty-field-name.json:3:29", "name is empty"],
    },
    Bad {
        file: "field-name-taken.json",
        key: Some("asyncStreaming.finalResultFieldName"),
        says: &["\"Result\" is already an attribute of every result item"],
    },
    Bad {
        file: "field-name-breaks-definition.json",
        key: Some("asyncStreaming.finalResultFieldName"),
        says: &["holds a double quote", "JSON document"],
    },
    Bad {
        file: "field-name-too-long-for-environment.json",
        key: Some("asyncStreaming.finalResultFieldName"),
        says: &["4,000 bytes", "Lambda allows 4,096 (4 KB)"],
    },
    Bad {
        file: "duplicate-stack-name.json",
        key: Some("embeddedWorkflow.stackName"),
        says: &[
            "duplicate-stack-name.json:6:18",
            "is also waitable.stackName",
        ],
    },
    Bad {
        file: "duplicate-table-name.json",
        key: Some("mapDynamoDb.ddb.tableName"),
        says: &[
            "duplicate-table-name.json:7:20",
            "is also taskStatus.tableName",
        ],
    },
    // numbers
    Bad {
        file: "out-of-range.json",
        key: Some("asyncStreaming.lambdaTimeoutSeconds"),
        says: &[
            "out-of-range.json: 2 configured values break limits; nothing was written",
            "out-of-range.json:3:29: key `asyncStreaming.lambdaTimeoutSeconds`: timeout 1000 s is outside Lambda's 1..=900",
            "out-of-range.json:6:18: key `taskStatus.tableName`: table name \"T\" must be 3 to 255",
        ],
    },
    Bad {
        file: "wait-too-long.json",
        key: Some("mapDynamoDb.stepfunc.waitDurationSeconds"),
        says: &[
            "wait-too-long.json:4:30",
            "18,446,744,073,709,551,615 s",
            "Step Functions allows 0 to 99,999,999",
        ],
    },
    Bad {
        file: "wait-not-below-timeout.json",
        key: Some("mapDynamoDb.stepfunc.waitDurationSeconds"),
        says: &["waits 20 s", "times out after 20 s"],
    },
    Bad {
        file: "state-machine-timeout-zero.json",
        key: Some("mapDynamoDb.stepfunc.timeoutDurationSeconds"),
        says: &["TimeoutSeconds must be at least 1"],
    },
    Bad {
        file: "max-concurrency-too-high.json",
        key: Some("mapDynamoDb.stepfunc.maxConcurrency"),
        says: &[
            "max-concurrency-too-high.json:4:25",
            "4,294,967,295",
            "MaxConcurrency (an Integer: at most 2,147,483,647)",
            "at most 40 iterations at once",
        ],
    },
    Bad {
        file: "array-range-empty.json",
        key: Some("asyncStreaming.resultCount"),
        says: &[
            "States.ArrayRange(1, 0, 1) would produce 0 items",
            "1 to 1,000",
        ],
    },
    Bad {
        file: "array-range-too-long.json",
        key: Some("asyncStreaming.resultCount"),
        says: &["would produce 1,001 items", "1 to 1,000"],
    },
    Bad {
        file: "express-waits-too-long.json",
        key: Some("asyncStreaming.resultCount"),
        says: &[
            "301 s in all",
            "an EXPRESS execution lasts at most 300 s (5 minutes)",
            "at most 42 results",
        ],
    },
    Bad {
        file: "poll-interval-zero.json",
        key: Some("asyncStreaming.pollIntervalMs"),
        says: &["poll-interval-zero.json:3:23", "0 ms"],
    },
    Bad {
        file: "poll-longer-than-buffer.json",
        key: Some("asyncStreaming.pollIntervalMs"),
        says: &["sleeps 6,000 ms", "5,000 ms buffer"],
    },
    Bad {
        file: "buffer-not-below-timeout.json",
        key: Some("asyncStreaming.lambdaTimeoutBufferMs"),
        says: &[
            "buffer-not-below-timeout.json:4:30",
            "not shorter than the function's timeout (5 s = 5,000 ms)",
        ],
    },
];

/// Checks one bad configuration's run: exit code 1, no panic, the key and what it must say.
fn assert_clear_error(name: &str, o: &Output, key: Option<&str>, says: &[&str]) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{name}: {err}");
    assert!(!err.contains("panicked"), "{name}: {err}");
    if let Some(key) = key {
        assert!(
            err.contains(&format!("`{key}`")),
            "{name}: the key `{key}` is not named in\n{err}"
        );
    }
    for needle in says {
        assert!(
            err.contains(needle),
            "{name}: {needle:?} missing from\n{err}"
        );
    }
}

#[test]
fn bad_inputs_give_a_clear_error_a_non_zero_exit_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = rcdk(&["synth", "-q", "-o", out.to_str().unwrap()], &root());
    assert!(o.status.success());
    let before = files(&out);
    let on_disk: Vec<String> = fs::read_dir(root().join("tests/bad_inputs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        on_disk.len(),
        CORPUS.len(),
        "every file of tests/bad_inputs has its case"
    );
    for Bad { file, key, says } in CORPUS {
        let config = root().join("tests/bad_inputs").join(file);
        let config = config.to_str().unwrap();
        // over an assembly written before: left as it was
        let o = rcdk(
            &["synth", "--config", config, "-o", out.to_str().unwrap()],
            &root(),
        );
        assert_clear_error(file, &o, *key, says);
        assert_eq!(
            files(&out),
            before,
            "{file}: the previous assembly is untouched"
        );
        // to a new directory: not created
        let fresh = tmp.path().join(format!("fresh-{file}"));
        let o = rcdk(
            &["synth", "--config", config, "-o", fresh.to_str().unwrap()],
            &root(),
        );
        assert_clear_error(file, &o, *key, says);
        assert!(!fresh.exists(), "{file}: no output directory");
    }
}

#[test]
fn a_50_mb_value_is_cut_in_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let big = "a".repeat(50 * 1024 * 1024);
    for (name, text, key, says) in [
        (
            "long-table-name.json",
            format!("{{\"taskStatus\": {{\"tableName\": \"{big}\"}}}}"),
            "taskStatus.tableName",
            "must be 3 to 255 characters long",
        ),
        (
            "long-wrong-type.json",
            format!("{{\"asyncStreaming\": {{\"pollIntervalMs\": \"{big}\"}}}}"),
            "asyncStreaming.pollIntervalMs",
            "expected u64",
        ),
        (
            "long-unknown-key.json",
            format!("{{\"waitable\": {{\"{big}\": 1}}}}"),
            "waitable.aaaa",
            "unknown field",
        ),
    ] {
        let config = tmp.path().join(name);
        fs::write(&config, text).unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        let o = rcdk(
            &[
                "synth",
                "--config",
                config.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            &root(),
        );
        assert_clear_error(name, &o, None, &[key, says, "… (52428800 bytes)"]);
        assert!(
            o.stderr.len() < 4096,
            "{name}: {} bytes of stderr",
            o.stderr.len()
        );
        assert!(!out.exists(), "{name}: nothing written");
    }
}

#[test]
fn a_byte_order_mark_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let config = fs::read(root().join("config.json")).unwrap();
    let with_bom = tmp.path().join("bom.json");
    fs::write(&with_bom, [b"\xEF\xBB\xBF".as_slice(), &config].concat()).unwrap();
    let without = tmp.path().join("plain.json");
    fs::write(&without, &config).unwrap();
    let mut assemblies = Vec::new();
    for (config, out) in [(&with_bom, "a"), (&without, "b")] {
        let out = tmp.path().join(out);
        let o = rcdk(
            &[
                "synth",
                "-q",
                "--config",
                config.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            &root(),
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        assemblies.push(files(&out));
    }
    assert!(!assemblies[0].is_empty());
    assert_eq!(assemblies[0], assemblies[1]);
}

#[test]
fn synth_refuses_to_replace_a_directory_that_is_not_an_assembly() {
    let tmp = tempfile::tempdir().unwrap();
    let precious = tmp.path().join("src");
    fs::create_dir(&precious).unwrap();
    fs::write(precious.join("main.rs"), "fn main() {}").unwrap();
    let o = rcdk(&["synth", "-o", precious.to_str().unwrap()], &root());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("is not an assembly rcdk wrote"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        fs::read_to_string(precious.join("main.rs")).unwrap(),
        "fn main() {}"
    );
    let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no staging directory left behind");
}

#[test]
fn two_synths_give_byte_identical_assemblies() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["json", "yaml"] {
        let a = tmp.path().join(format!("a-{format}"));
        let b = tmp.path().join(format!("b-{format}"));
        for dir in [&a, &b] {
            let o = rcdk(
                &[
                    "synth",
                    "-q",
                    "--format",
                    format,
                    "-o",
                    dir.to_str().unwrap(),
                ],
                &root(),
            );
            assert!(o.status.success(), "{}", text(&o.stderr));
        }
        assert_eq!(files(&a), files(&b), "{format}");
    }
}

#[test]
fn apps_that_break_limits_or_references_fail_with_exit_1_and_say_why() {
    use constructs::core::resource::CfnResource;
    use rcdk::Error as CliError;

    // 505 resources
    let err = rcdk_patterns::app::generated(&root(), 101)
        .synth()
        .unwrap_err();
    let cli = CliError::from(err);
    assert_eq!(cli.exit_code(), 1);
    let message = cli.to_string();
    assert!(
        message.contains("Generated: the stack has 505 resources; CloudFormation allows 500"),
        "{message}"
    );
    assert!(message.contains("nothing was written"), "{message}");

    // a reference to a resource its stack no longer has
    let mut old = constructs::Stack::new("Data");
    let topic = old.add_resource(
        "Topic",
        CfnResource::custom("AWS::SNS::Topic", serde_json::json!({})),
    );
    let mut data = constructs::Stack::new("Data");
    data.add_resource(
        "Queue",
        CfnResource::custom("AWS::SQS::Queue", serde_json::json!({})),
    );
    let mut api = constructs::Stack::new("Api");
    api.add_resource(
        "Sub",
        CfnResource::custom(
            "AWS::SNS::Subscription",
            serde_json::json!({"TopicArn": "x", "Protocol": "sqs"}),
        ),
    );
    api.add_output("Topic", topic.reference());
    let mut app = constructs::App::new(root());
    app.add_stack(data).add_stack(api);
    let cli = CliError::from(app.synth().unwrap_err());
    assert_eq!(cli.exit_code(), 1);
    assert!(
        cli.to_string()
            .contains("Api [Outputs.Topic]: dangling reference: Data/Topic"),
        "{cli}"
    );
}

#[test]
fn load_table_names_a_missing_or_bad_file_without_calling_aws() {
    let o = rcdk(&["load-table", "--json", "no-such-list.json"], &root());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no-such-list.json not found"),
        "{}",
        text(&o.stderr)
    );
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("list.json");
    fs::write(&bad, "[\"a\" \"b\"]").unwrap();
    let o = rcdk(&["load-table", "--json", bad.to_str().unwrap()], &root());
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("list.json:1:6: not valid JSON: expected `,` or `]`"),
        "{err}"
    );
    // a number DynamoDB cannot store, named before anything is called
    fs::write(
        &bad,
        "[{\"n\": 1}, {\"n\": 12345678901234567890123456789012345678.9}]",
    )
    .unwrap();
    let o = rcdk(&["load-table", "--json", bad.to_str().unwrap()], &root());
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("list.json: values[1].n: the number 12345678901234567890123456789012345678.9 is outside DynamoDB's limits: at most 38 significant digits (it has 39)"),
        "{err}"
    );
    let o = rcdk(&["load-table"], &root());
    assert_eq!(o.status.code(), Some(2), "--json is required");
}

/// rcdk with an AWS environment of nothing but `vars` (no profile files, no instance metadata).
fn rcdk_aws(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"));
    cmd.args(args).current_dir(root()).env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("AWS_CONFIG_FILE", "/nonexistent/rcdk-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/rcdk-test/credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("rcdk runs")
}

#[test]
fn deploy_needs_a_selection_and_valid_parameters_before_it_connects() {
    let out = rcdk_aws(&["deploy"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("name the stacks to deploy, or use --all"),
        "{err}"
    );
    assert!(
        err.contains("WaitableWorkflow"),
        "the stacks are listed: {err}"
    );

    let out = rcdk_aws(&["deploy", "--all", "--parameters", "Stage=prod"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no selected stack declares the parameter Stage"),
        "{err}"
    );

    let out = rcdk_aws(&["deploy", "--all", "--parameters", "Stage"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected KEY=VALUE"),
        "{}",
        text(&out.stderr)
    );

    let out = rcdk_aws(&["deploy", "Nope*"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no stack matches \"Nope*\""));
}

#[test]
fn a_missing_region_or_missing_credentials_each_get_one_clear_message() {
    let out = rcdk_aws(&["deploy", "--all"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no AWS region is set"), "{err}");
    assert!(err.contains("--region"), "{err}");

    let out = rcdk_aws(&["diff", "--region", "eu-west-1"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no AWS credentials found"), "{err}");
    assert!(err.contains("--profile"), "{err}");
}

#[test]
fn expired_credentials_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    // a credential process that hands out a session that ended in 2020
    let script = dir.path().join("creds.sh");
    fs::write(
        &script,
        "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIAEXAMPLE\",\"SecretAccessKey\":\"secret\",\"SessionToken\":\"token\",\"Expiration\":\"2020-01-01T00:00:00Z\"}'\n",
    )
    .unwrap();
    let config = dir.path().join("config");
    fs::write(
        &config,
        format!(
            "[profile stale]\nregion = eu-west-1\ncredential_process = sh {}\n",
            script.display()
        ),
    )
    .unwrap();
    let out = rcdk_aws(
        &["diff", "--profile", "stale"],
        &[("AWS_CONFIG_FILE", config.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("your AWS credentials have expired (profile stale)"),
        "{err}"
    );
}

#[test]
fn destroy_without_a_terminal_needs_force() {
    let out = rcdk_aws(&["destroy", "--all"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("needs confirmation"), "{err}");
    assert!(err.contains("--force"), "{err}");
}

#[test]
fn a_toolkit_command_synthesizes_first_then_looks_for_the_toolkit() {
    let tmp = tempfile::tempdir().unwrap();
    let root_arg = root().to_string_lossy().into_owned();
    let run = |config: &Path| {
        Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
            .args(["--root", &root_arg, "--config"])
            .arg(config)
            .args(["deploy", "--all"])
            .current_dir(tmp.path())
            .env("NO_COLOR", "1")
            .env("RCDK_TOOLKIT", tmp.path().join("no-toolkit"))
            .output()
            .expect("rcdk runs")
    };
    // a problem in the app is reported before the toolkit is looked for, and nothing is written
    let bad = tmp.path().join("bad.json");
    fs::write(&bad, "{\"waitable\": {\"stage\": \"x\"}}").unwrap();
    let o = run(&bad);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("waitable.stage"), "{err}");
    assert!(!err.contains("RCDK_TOOLKIT"), "{err}");
    assert!(!tmp.path().join("cdk.out").exists());
    // a good app is synthesized (the assembly records the workspace), then the toolkit is
    // looked for: RCDK_TOOLKIT names what to run, and a wrong one is said plainly
    let o = run(&root().join("config.json"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("RCDK_TOOLKIT names a file that does not exist"),
        "{err}"
    );
    assert!(tmp.path().join("cdk.out/manifest.json").is_file());
    let recorded: serde_json::Value =
        serde_json::from_slice(&fs::read(tmp.path().join("cdk.out/rcdk.json")).unwrap()).unwrap();
    let workspace = tmp
        .path()
        .join("cdk.out")
        .join(recorded["workspace"].as_str().unwrap());
    assert_eq!(
        workspace.canonicalize().unwrap(),
        root().canonicalize().unwrap()
    );
}

#[test]
fn graph_draws_a_stack_a_machine_of_the_app_or_an_asl_file() {
    let tmp = tempfile::tempdir().unwrap();
    let svg = tmp.path().join("flow.svg");
    let o = rcdk(
        &[
            "graph",
            "TaskStatus/StateMachine",
            "--out",
            svg.to_str().unwrap(),
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        format!("wrote {} (3 states, 370 x 372 px)\n", svg.display())
    );
    let picture = fs::read_to_string(&svg).unwrap();
    assert!(picture.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(picture.contains("data-path=\"CreateDynamoTaskItem\""));
    // a stack: its constructs and how they use each other
    let stack_svg = tmp.path().join("stack.svg");
    let o = rcdk(
        &["graph", "TaskStatus", "-o", stack_svg.to_str().unwrap()],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("(3 constructs, "),
        "{}",
        text(&o.stdout)
    );
    let picture = fs::read_to_string(&stack_svg).unwrap();
    assert!(picture.contains(
        "<g class=\"edge grant\" data-from=\"invokeStepFunction\" data-to=\"StateMachine\">"
    ));
    let o = rcdk(&["graph", "Nope"], &root());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("the app has no stack Nope"),
        "{}",
        text(&o.stderr)
    );
    // a name that is not a machine: usage error naming the app's machines
    let o = rcdk(&["graph", "TaskStatus/Nope"], &root());
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("the app has no state machine TaskStatus/Nope"),
        "{err}"
    );
    assert!(err.contains("TaskStatus/StateMachine"), "{err}");
    // an ASL file, written beside the current directory's name for it
    let asl = tmp.path().join("poll.asl.json");
    fs::write(
        &asl,
        r#"{"StartAt":"Poll","States":{"Poll":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"Done?"},"Done?":{"Type":"Choice","Choices":[{"Variable":"$.done","BooleanEquals":true,"Next":"Finish"}],"Default":"Later"},"Later":{"Type":"Wait","Seconds":5,"Next":"Poll"},"Finish":{"Type":"Succeed"}}}"#,
    )
    .unwrap();
    let o = rcdk(
        &[
            "--root",
            root().to_str().unwrap(),
            "graph",
            "--definition",
            asl.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    // named as `run` names the machine: poll.asl.json -> poll.svg
    assert!(tmp.path().join("poll.svg").is_file());
    assert!(!tmp.path().join("poll.asl.svg").exists());
    // files that are not definitions: exit 2, the file and the reason named, nothing written;
    // `run --definition` refuses each with the same words (one reader)
    for (name, content, says) in [
        ("bad.json", "{\"StartAt\": ", "not JSON"),
        ("nostart.json", "{\"States\": {}}", ": StartAt is required"),
        (
            "dangling.json",
            r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#,
            "state \"A\": goes to \"B\", which does not exist",
        ),
    ] {
        let file = tmp.path().join(name);
        fs::write(&file, content).unwrap();
        let out = tmp.path().join(format!("{name}.svg"));
        let o = rcdk(
            &[
                "graph",
                "--definition",
                file.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            &root(),
        );
        assert_eq!(o.status.code(), Some(2), "{name}");
        let err = text(&o.stderr);
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
        assert!(!out.exists(), "{name}: nothing written");
        let run = rcdk(&["run", "--definition", file.to_str().unwrap()], &root());
        assert_eq!(run.status.code(), Some(2), "run {name}");
        assert!(
            text(&run.stderr).contains(says),
            "run {name}: {}",
            text(&run.stderr)
        );
    }
    // a file over Step Functions' 1 MB is refused before it is parsed, by both
    let big = tmp.path().join("big.json");
    fs::write(&big, " ".repeat(1_048_577)).unwrap();
    for command in ["graph", "run"] {
        let o = rcdk(&[command, "--definition", big.to_str().unwrap()], &root());
        assert_eq!(o.status.code(), Some(2), "{command}");
        assert!(
            text(&o.stderr).contains("over 1048576 bytes"),
            "{command}: {}",
            text(&o.stderr)
        );
    }
}

#[test]
fn synth_diagrams_writes_a_picture_of_each_machine_beside_the_templates() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("assembly");
    let o = rcdk(
        &["synth", "--diagrams", "-q", "--out", out.to_str().unwrap()],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let svgs: Vec<String> = files(&out)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.ends_with(".svg"))
        .collect();
    assert_eq!(
        svgs,
        [
            "AsyncStreamingResults-ExampleWorkflow.svg",
            "EmbeddedWorkflow-DownstreamProcess.svg",
            "EmbeddedWorkflow-ProcessA.svg",
            "MapDynamoDb-TestStateMachine.svg",
            "TaskStatus-StateMachine.svg",
            "WaitableWorkflow-WaitableStateMachine.svg"
        ]
    );
    // the next synth without them removes them: they are the assembly's own files
    let o = rcdk(&["synth", "-q", "--out", out.to_str().unwrap()], &root());
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(files(&out).iter().all(|(n, _)| !n.ends_with(".svg")));
}

/// The pictures of the README and the book's "Pictures" chapter are what the commands shown
/// above them draw (the report's is checked in tests/run_cli.rs).
#[test]
fn the_books_pictures_are_what_graph_draws() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, picture) in [
        (
            &["graph", "--definition", "book/src/pictures/order.asl.json"][..],
            "order.svg",
        ),
        (
            &["graph", "AsyncStreamingResults"][..],
            "async-streaming-results.svg",
        ),
    ] {
        let svg = tmp.path().join(picture);
        let mut args = args.to_vec();
        args.extend(["-o", svg.to_str().unwrap()]);
        let o = rcdk(&args, &root());
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_eq!(
            fs::read_to_string(&svg).unwrap(),
            fs::read_to_string(root().join("book/src/pictures").join(picture)).unwrap(),
            "book/src/pictures/{picture} is stale: run the command above it in book/src/pictures.md again"
        );
    }
}

/// `synth 2>&1 | head -1`: output to a reader that has gone away is dropped, not a panic (the
/// std print macros panic on a broken pipe, and the process then exits 101).
#[test]
fn a_reader_that_goes_away_does_not_make_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    // a workspace cargo cannot read: every function of the patterns reports it, on stderr
    fs::write(tmp.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    let root_arg = tmp.path().to_str().unwrap();
    for (args, code) in [(&["list"][..], 0), (&["--root", root_arg, "synth"][..], 1)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
            .args(args)
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // both read ends closed before the app writes a line
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}
