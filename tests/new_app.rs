//! `new app DIR`: a standalone app that builds on its own, synthesizes an assembly cfn-lint
//! accepts, passes its own tests, and deploys and destroys against moto; its binaries work
//! when copied elsewhere and say what to do outside a workspace.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::moto::{ok, Moto};

fn patterns(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("RCDK_TOOLKIT", common::moto::toolkit())
        .output()
        .unwrap_or_else(|e| panic!("rcdk-patterns runs: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// cargo in the new app, with this repository's target directory (its compiled dependencies
/// are reused: the app starts from this checkout's lock file) and cargo-lambda from .venv.
fn cargo(app: &Path, args: &[&str]) -> Output {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![common::root().join(".venv/bin")];
    dirs.extend(std::env::split_paths(&path));
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(app)
        .env("CARGO_TARGET_DIR", common::root().join("target"))
        .env("PATH", std::env::join_paths(dirs).unwrap_or(path))
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cargo {args:?}: {e}"))
}

/// Runs the shell blocks of book/src/getting-started.md's "Look at it" and "Run the workflow"
/// in the new app (with the chapter's `mocks.json`): the chapter is true of the app `new app`
/// writes.
fn getting_started(app: &Path) {
    let chapter = std::fs::read_to_string(common::root().join("book/src/getting-started.md"))
        .unwrap_or_else(|e| panic!("getting-started.md: {e}"));
    // the first code block (```lang ... ```) after `heading`, its body
    let block = |heading: &str, lang: &str| -> String {
        let section = chapter
            .split_once(heading)
            .unwrap_or_else(|| panic!("no {heading:?} in getting-started.md"))
            .1;
        let body = section
            .split_once(&format!("```{lang}\n"))
            .unwrap_or_else(|| panic!("no ```{lang} block after {heading:?}"))
            .1;
        body.split_once("```")
            .unwrap_or_else(|| panic!("an open block after {heading:?}"))
            .0
            .to_string()
    };
    std::fs::write(app.join("mocks.json"), block("## Run the workflow", "json"))
        .unwrap_or_else(|e| panic!("{e}"));
    for heading in ["## Look at it", "Save this as `mocks.json`:"] {
        let script = block(heading, "sh").replace("cargo run --", "cargo run -q --offline --");
        let o = Command::new("sh")
            .args(["-e", "-c", &script])
            .current_dir(app)
            .env("CARGO_TARGET_DIR", common::root().join("target"))
            .env("RCDK_TOOLKIT", common::moto::toolkit())
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("sh: {e}"));
        let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(o.status.success(), "{script}\n{out}");
    }
    for picture in ["OrdersApp.svg", "OrdersApp-OrderWorkflow.svg", "run.html"] {
        let written = std::fs::read_to_string(app.join(picture)).unwrap_or_default();
        assert!(
            written.contains("RecordOrder") || written.contains("OrderWorkflow"),
            "{picture}: {written:.200}"
        );
    }
    let report = std::fs::read_to_string(app.join("run.html")).unwrap_or_default();
    assert!(report.contains("SUCCEEDED"), "the chapter's run succeeds");
}

fn scaffold(tmp: &Path) -> PathBuf {
    let app = tmp.join("orders-app");
    let o = patterns(
        &["new", "app", app.to_str().unwrap_or_default()],
        &common::root(),
    );
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    let out = text(&o.stdout);
    for file in [
        "Cargo.toml",
        "src/main.rs",
        "src/lib.rs",
        "config.json",
        "tests/stack.rs",
    ] {
        assert!(out.contains(file), "{file} not listed:\n{out}");
    }
    assert!(app.join("lambdas/handler/src/main.rs").is_file());
    let manifest = std::fs::read_to_string(app.join("Cargo.toml")).unwrap_or_default();
    let rcdk_path = common::root().join("rcdk");
    assert!(
        manifest.contains(&format!("rcdk = {{ path = \"{}\" }}", rcdk_path.display())),
        "depends on this checkout by path:\n{manifest}"
    );
    app
}

#[test]
fn bad_places_and_names_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap_or_else(|e| panic!("{e}"));
    let o = patterns(
        &["new", "app", tmp.path().to_str().unwrap_or_default()],
        &common::root(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("is not empty"),
        "{}",
        text(&o.stderr)
    );
    let bad = tmp.path().join("Orders_App");
    let o = patterns(
        &["new", "app", bad.to_str().unwrap_or_default()],
        &common::root(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("not a valid"),
        "{}",
        text(&o.stderr)
    );
    assert!(!bad.exists());
    assert_eq!(
        std::fs::read_dir(tmp.path())
            .map(Iterator::count)
            .unwrap_or(0),
        1,
        "only keep.txt"
    );
}

#[test]
fn a_new_app_synthesizes_tests_deploys_and_destroys() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let app = scaffold(tmp.path());

    // synth: the app's own binary, the assembly with where its workspace is
    let synth = cargo(&app, &["run", "-q", "--offline", "--", "synth"]);
    assert!(
        synth.status.success(),
        "{}{}",
        text(&synth.stdout),
        text(&synth.stderr)
    );
    assert!(
        text(&synth.stdout).contains("OrdersApp"),
        "{}",
        text(&synth.stdout)
    );
    let template = app.join("cdk.out/OrdersApp.template.json");
    assert!(template.is_file());
    let recorded = std::fs::read_to_string(app.join("cdk.out/rcdk.json")).unwrap_or_default();
    assert!(recorded.contains("\"workspace\": \"..\""), "{recorded}");

    // the book's "Getting started" walk-through, its commands as the chapter shows them
    getting_started(&app);

    // cfn-lint: no error, no warning
    let lint = common::tool("RCDK_CFN_LINT", ".venv/bin/cfn-lint", "cfn-lint");
    let o = Command::new(&lint)
        .args(["--format", "parseable"])
        .arg(&template)
        .output()
        .unwrap_or_else(|e| panic!("cfn-lint: {e}"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );

    // its own tests: the reviewed snapshot, the stack's behaviour, the handler's tests
    let test = cargo(&app, &["test", "-q", "--offline", "--workspace"]);
    let report = format!("{}{}", text(&test.stdout), text(&test.stderr));
    assert!(test.status.success(), "{report}");
    assert!(report.contains("3 passed"), "the stack's tests:\n{report}");
    assert!(
        report.contains("2 passed"),
        "the handler's tests:\n{report}"
    );

    // outside any workspace, the binary says what to do
    let binary = common::root()
        .join("target/debug")
        .join(format!("orders-app{}", std::env::consts::EXE_SUFFIX));
    let copied = tmp.path().join("bin");
    std::fs::create_dir_all(&copied).unwrap_or_else(|e| panic!("{e}"));
    for (from, name) in [
        (binary.clone(), "orders-app"),
        (common::moto::toolkit(), "rcdk-toolkit"),
    ] {
        let to = copied.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = Command::new(copied.join("orders-app"))
        .arg("synth")
        .current_dir(outside.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("is not inside a cargo workspace"), "{err}");
    assert!(err.contains("--root DIR"), "{err}");

    // deploy and destroy against moto, the toolkit found next to the app's binary
    let moto = Moto::start();
    moto.reset();
    let endpoint = moto.endpoint.as_str();
    let minute = Duration::from_secs(60);
    let run = |program: &Path, args: &[&str], limit: Duration| {
        common::moto::run(program, &app, endpoint, args, limit)
    };
    // the account was bootstrapped by the AWS CDK: its CDKToolkit (a newer version, with
    // resources rcdk's template lacks) is used as it is, not replaced
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let cfn =
        aws_sdk_cloudformation::Client::new(&runtime.block_on(common::moto::sdk_config(endpoint)));
    let cdk_template = serde_json::json!({
        "Resources": {
            "StagingBucket": {"Type": "AWS::S3::Bucket", "Properties": {
                "BucketName": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}}},
            "CdkBootstrapVersion": {"Type": "AWS::SSM::Parameter", "Properties": {
                "Type": "String", "Name": "/cdk-bootstrap/hnb659fds/version", "Value": "21"}},
            "FilePublishingRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"AWS": {"Ref": "AWS::AccountId"}}}]}}}
        },
        "Outputs": {
            "BucketName": {"Value": {"Ref": "StagingBucket"}},
            "BootstrapVersion": {"Value": "21"}
        }
    });
    runtime.block_on(async {
        cfn.create_stack()
            .stack_name("CDKToolkit")
            .template_body(cdk_template.to_string())
            .capabilities(aws_sdk_cloudformation::types::Capability::CapabilityNamedIam)
            .send()
            .await
            .unwrap_or_else(|e| panic!("the AWS CDK's CDKToolkit: {e:?}"));
    });
    let bootstrap = run(&binary, &["bootstrap"], minute);
    ok(&bootstrap, "bootstrap over the AWS CDK's stack");
    assert!(
        bootstrap
            .stdout
            .contains("was made by the AWS CDK (bootstrap version 21")
            && bootstrap
                .stdout
                .contains("FilePublishingRole (AWS::IAM::Role)"),
        "{}",
        bootstrap.stdout
    );
    let kept = runtime.block_on(async {
        cfn.get_template()
            .stack_name("CDKToolkit")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"))
            .template_body()
            .unwrap_or_default()
            .to_string()
    });
    assert!(
        kept.contains("FilePublishingRole"),
        "the AWS CDK's stack was replaced: {kept}"
    );
    let deploy = run(
        &binary,
        &["deploy", "--require-approval", "never"],
        Duration::from_secs(900),
    );
    ok(&deploy, "deploy of the new app");
    assert!(
        deploy.stdout.contains("CREATE_COMPLETE"),
        "{}",
        deploy.stdout
    );
    assert!(
        deploy.stdout.contains("building handler"),
        "{}",
        deploy.stdout
    );
    assert!(
        deploy.stdout.contains("OrdersApp.ApiUrl = https://"),
        "{}",
        deploy.stdout
    );

    // a handler edit goes live through the hotswap: new code, no change set
    let events = |stack: &str| {
        runtime
            .block_on(cfn.describe_stack_events().stack_name(stack).send())
            .map(|e| e.stack_events().len())
            .unwrap_or_else(|e| panic!("{e:?}"))
    };
    let function = runtime
        .block_on(
            cfn.describe_stack_resources()
                .stack_name("OrdersApp")
                .send(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
        .stack_resources()
        .iter()
        .find(|r| r.resource_type() == Some("AWS::Lambda::Function"))
        .and_then(|r| r.physical_resource_id().map(str::to_string))
        .unwrap_or_else(|| panic!("no function"));
    let sha = || common::moto::lambda_code_sha(endpoint, &function);
    let (before_events, before_sha) = (events("OrdersApp"), sha());
    let main_rs = app.join("lambdas/handler/src/main.rs");
    let source = std::fs::read_to_string(&main_rs).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&main_rs, source.replace("Hello, {}!", "Hello there, {}!"))
        .unwrap_or_else(|e| panic!("{e}"));
    let hot = run(&binary, &["deploy", "--hotswap"], Duration::from_secs(900));
    ok(&hot, "deploy --hotswap of a handler edit");
    assert!(
        hot.stdout
            .contains("OrdersApp/Handler: code updated (hotswap"),
        "{}",
        hot.stdout
    );
    assert!(
        hot.stdout
            .contains("the stack now differs from its template"),
        "{}",
        hot.stdout
    );
    assert_ne!(sha(), before_sha, "the function runs the new code");
    assert_eq!(
        events("OrdersApp"),
        before_events,
        "no change set, no stack operation"
    );
    eprintln!(
        "figure: handler edit to code live (build + hotswap): {:.2} s",
        hot.seconds
    );
    // a change the APIs cannot make is refused, naming it; --hotswap-fallback deploys it
    let config = app.join("config.json");
    let settings = std::fs::read_to_string(&config).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &config,
        settings.replace("\"timeoutSeconds\": 10", "\"timeoutSeconds\": 20"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let refused = run(&binary, &["deploy", "--hotswap"], minute);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("OrdersApp/Handler: Timeout changed"),
        "{}",
        refused.stderr
    );
    assert_eq!(events("OrdersApp"), before_events, "nothing was deployed");
    let fallback = run(
        &binary,
        &[
            "deploy",
            "--hotswap-fallback",
            "--require-approval",
            "never",
        ],
        minute,
    );
    ok(&fallback, "deploy --hotswap-fallback");
    assert!(
        fallback
            .stdout
            .contains("deployed through a change set: OrdersApp/Handler: Timeout changed"),
        "{}",
        fallback.stdout
    );
    assert!(
        fallback.stdout.contains("UPDATE_COMPLETE"),
        "{}",
        fallback.stdout
    );

    // watch: an edited handler is built and hotswapped; Ctrl-C ends it cleanly
    let mut watch = common::moto::command(&binary, &app, endpoint)
        .arg("watch")
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let rx = common::moto::lines(&mut watch);
    let wait_for = |what: &str, limit: Duration| {
        let until = std::time::Instant::now() + limit;
        loop {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(what) => return line,
                Ok(_) => {}
                Err(e) => panic!("watch printed no {what:?}: {e}"),
            }
        }
    };
    wait_for("watch: watching", Duration::from_secs(600));
    let before = sha();
    let source = std::fs::read_to_string(&main_rs).unwrap_or_else(|e| panic!("{e}"));
    // a build error is shown and the loop goes on
    std::fs::write(
        &main_rs,
        source.replace("Hello there, {}!", "Hello there, {}!\" oops"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let failed = wait_for(
        "watch: lambdas/handler/src/main.rs",
        Duration::from_secs(600),
    );
    assert!(failed.contains("failed after"), "{failed}");
    assert_eq!(sha(), before, "a failed build changes nothing");
    let edited = std::time::Instant::now();
    std::fs::write(
        &main_rs,
        source.replace("Hello there, {}!", "Hello again, {}!"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    wait_for(
        "OrdersApp/Handler: code updated (hotswap",
        Duration::from_secs(600),
    );
    let line = wait_for(
        "watch: lambdas/handler/src/main.rs",
        Duration::from_secs(60),
    );
    assert!(line.contains("done in"), "{line}");
    eprintln!(
        "figure: watch, edit to code live: {:.2} s",
        edited.elapsed().as_secs_f64()
    );
    assert_ne!(sha(), before, "watch put the new code live");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status();
    assert!(interrupted.is_ok_and(|s| s.success()));
    let status = watch.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "watch ended with {status}");
    wait_for("watch: stopped", Duration::from_secs(10));
    // the hotswaps left the stack behind its template: a normal deploy reconciles it
    let reconcile = run(&binary, &["deploy", "--require-approval", "never"], minute);
    ok(&reconcile, "deploy after the hotswaps");
    assert!(
        reconcile.stdout.contains("UPDATE_COMPLETE"),
        "{}",
        reconcile.stdout
    );

    // the binaries copied elsewhere work from the app's workspace
    let diff = run(&copied.join("orders-app"), &["diff", "--fail"], minute);
    ok(&diff, "diff through the copied binaries");
    assert!(diff.stdout.contains("no differences"), "{}", diff.stdout);

    let destroy = run(&binary, &["destroy", "--force"], minute);
    ok(&destroy, "destroy");
    let after = run(&binary, &["diff"], minute);
    ok(&after, "diff after destroy");
    assert!(!after.stdout.contains("no differences"), "{}", after.stdout);
}
