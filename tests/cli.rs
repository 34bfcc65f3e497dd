//! The `rcdk` binary: synth and list, exit codes, the corpus of bad inputs, all-or-nothing
//! writes and determinism.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rcdk(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk"))
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
    assert!(stdout.contains("RcdkExampleData "), "{stdout}");
    assert!(stdout.contains("wrote "), "{stdout}");
    let names: Vec<String> = files(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "AsyncStreamingResults.assets.json",
            "AsyncStreamingResults.template.json",
            "EmbeddedWorkflow.assets.json",
            "EmbeddedWorkflow.template.json",
            "MapDynamoDb.assets.json",
            "MapDynamoDb.template.json",
            "RcdkExampleApi.assets.json",
            "RcdkExampleApi.template.json",
            "RcdkExampleData.assets.json",
            "RcdkExampleData.template.json",
            "TaskStatus.assets.json",
            "TaskStatus.template.json",
            "WaitableWorkflow.assets.json",
            "WaitableWorkflow.template.json",
            "manifest.json"
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let api = &manifest["artifacts"]["RcdkExampleApi"];
    assert_eq!(api["type"], "aws:cloudformation:stack");
    assert_eq!(
        api["properties"]["templateFile"],
        "RcdkExampleApi.template.json"
    );
    assert_eq!(
        api["dependencies"],
        serde_json::json!(["RcdkExampleData", "RcdkExampleApi.assets"])
    );
    let assets: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("RcdkExampleApi.assets.json")).unwrap()).unwrap();
    let (hash, entry) = assets["files"].as_object().unwrap().iter().next().unwrap();
    assert_eq!(entry["source"]["cargoLambda"]["crate"], "hello");
    assert_eq!(entry["source"]["cargoLambda"]["architecture"], "arm64");
    assert_eq!(
        entry["destinations"]["current_account-current_region"]["objectKey"],
        format!("{hash}.zip")
    );
    let template = fs::read_to_string(out.join("RcdkExampleApi.template.json")).unwrap();
    assert!(template.contains(&format!("\"S3Key\": \"{hash}.zip\"")));
}

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
    assert!(o.stdout.is_empty(), "--quiet prints nothing");
    let yaml = fs::read_to_string(out.join("RcdkExampleApi.template.yaml")).unwrap();
    assert!(yaml.contains("Role: !GetAtt Hello"), "{yaml}");
    assert!(yaml.contains("ENVIRONMENT: !Ref Environment"), "{yaml}");
    assert!(
        yaml.contains("TABLE_NAME: !ImportValue RcdkExampleData:ExportsOutputRefGreetings"),
        "{yaml}"
    );
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("RcdkExampleApi.template.yaml"));
}

#[test]
fn stack_selection_includes_dependencies_and_rejects_unknown_names() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = rcdk(
        &["synth", "--stack", "*Api", "-o", out.to_str().unwrap()],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        files(&out).len(),
        5,
        "the Api stack and the Data stack it imports from"
    );
    let o = rcdk(
        &[
            "synth",
            "--stack",
            "*Data",
            "-q",
            "-o",
            out.to_str().unwrap(),
        ],
        &root(),
    );
    assert!(o.status.success());
    assert_eq!(files(&out).len(), 3, "the Data stack alone");

    let o = rcdk(
        &["synth", "--stack", "Nope", "-o", out.to_str().unwrap()],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("no stack matches \"Nope\""), "{err}");
    assert!(
        err.contains("RcdkExampleData, RcdkExampleApi, AsyncStreamingResults, WaitableWorkflow"),
        "{err}"
    );
    assert_eq!(files(&out).len(), 3, "nothing written");

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
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["Stack", "Depends", "on"]
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["RcdkExampleData", "-"]
    );
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["RcdkExampleApi", "RcdkExampleData"]
    );
    assert_eq!(lines.len(), 8, "{stdout}");
    assert!(
        lines[3..].iter().all(|l| l.ends_with(" -")),
        "the patterns stand alone: {stdout}"
    );
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

/// Each bad config: the expected exit code and what the error must say.
const CORPUS: &[(&str, i32, &[&str])] = &[
    (
        "trailing-comma.json",
        1,
        &["trailing-comma.json:4:3", "trailing comma"],
    ),
    (
        "unknown-key.json",
        1,
        &[
            "unknown-key.json:3:16",
            "key `example.memorySize`",
            "unknown field `memorySize`",
            "memoryMb",
        ],
    ),
    (
        "wrong-type.json",
        1,
        &[
            "wrong-type.json:3:26",
            "key `example.timeoutSeconds`",
            "expected u32",
        ],
    ),
    (
        "bad-retention.json",
        1,
        &["key `example.logRetentionDays`", "10 is not a retention"],
    ),
    ("empty.json", 1, &["empty.json:1:0", "EOF"]),
    (
        "not-an-object.json",
        1,
        &["not-an-object.json:1:2", "invalid type: integer `1`"],
    ),
    (
        "name-too-long.json",
        1,
        &[
            "the app has 2 problems",
            "must be 1 to 128 characters",
            "[StackName]",
        ],
    ),
    (
        "out-of-range.json",
        1,
        &[
            "RcdkExampleApi/Hello/Resource [MemorySize]: memory 64 MB",
            "[Timeout]: timeout 1000 s",
        ],
    ),
];

#[test]
fn bad_inputs_give_a_clear_error_a_non_zero_exit_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = rcdk(&["synth", "-q", "-o", out.to_str().unwrap()], &root());
    assert!(o.status.success());
    let before = files(&out);
    for (file, code, needles) in CORPUS {
        let config = root().join("tests/bad_inputs").join(file);
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
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(*code), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
        for needle in *needles {
            assert!(
                err.contains(needle),
                "{file}: {needle:?} missing from\n{err}"
            );
        }
        assert_eq!(
            files(&out),
            before,
            "{file}: the previous assembly is untouched"
        );
    }
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
        text(&o.stderr).contains("not a cloud assembly"),
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
    use rcdk::commands::CliError;

    // 505 resources
    let err = rcdk::app::generated(&root(), 101).synth().unwrap_err();
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
