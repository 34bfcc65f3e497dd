//! The test command's own logic: `scripts/test-summary` on captured `cargo test` logs (a
//! failed run is summed, its failed tests named, a crashed binary reported, and the exit
//! status stays non-zero), and a missing test tool failing with its install command.

mod common;

use std::path::Path;
use std::process::Command;

/// Runs scripts/test-summary on `log` with cargo's exit `status`: (exit code, stdout).
fn summary(log: &str, status: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("cargo-test.log");
    std::fs::write(&path, log).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new("bash")
        .arg(common::root().join("scripts/test-summary"))
        .arg(&path)
        .arg(status)
        .output()
        .unwrap_or_else(|e| panic!("bash cannot run scripts/test-summary: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A log as cargo test prints it (2>&1) for a run with one failed test, shortened.
const FAILED_RUN: &str = "\
   Compiling rcdk-patterns v0.1.0 (/work/rcdk)
    Finished `test` profile [unoptimized + debuginfo] target(s) in 1m 02s
     Running unittests src/lib.rs (target/debug/deps/constructs-0f1e2d3c4b5a6978)

running 3 tests
test core::tests::ids ... ok
test core::tests::names ... ok
test core::tests::tokens ... ignored, needs a network
test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

     Running tests/deploy_moto.rs (target/debug/deps/deploy_moto-a1b2c3d4e5f60718)

running 2 tests
test bootstrap_deploy_diff_run_and_destroy_the_five_patterns ... FAILED
test the_004_handler_runs ... ok

failures:

---- bootstrap_deploy_diff_run_and_destroy_the_five_patterns stdout ----
thread 'bootstrap_deploy_diff_run_and_destroy_the_five_patterns' panicked at tests/deploy_moto.rs:90:5:
first deploy failed

failures:
    bootstrap_deploy_diff_run_and_destroy_the_five_patterns

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 61.20s

error: test failed, to rerun pass `--test deploy_moto`
   Doc-tests constructs

running 4 tests
test constructs/src/stepfunctions/asl/chain.rs - stepfunctions::asl::chain (line 12) - compile fail ... ok
test constructs/src/stepfunctions/asl/chain.rs - stepfunctions::asl::chain (line 20) - compile fail ... ok
test constructs/src/stepfunctions/asl/chain.rs - stepfunctions::asl::chain (line 28) - compile fail ... ok
test constructs/src/lib.rs - (line 3) ... ok
test result: ok. 4 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.90s

error: 1 target failed:
    `--test deploy_moto`
";

#[test]
fn a_failed_run_is_summed_and_its_failed_tests_named_and_the_status_kept() {
    let (code, out) = summary(FAILED_RUN, "101");
    assert_eq!(code, 101, "{out}");
    assert_eq!(
        out,
        "rcdk: 7 passed, 1 failed, 1 ignored\n\
         failed: deploy_moto::bootstrap_deploy_diff_run_and_destroy_the_five_patterns\n"
    );
}

#[test]
fn a_failure_in_the_log_fails_the_summary_even_when_told_cargo_passed() {
    let (code, out) = summary(FAILED_RUN, "0");
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("rcdk: 7 passed, 1 failed"), "{out}");
}

#[test]
fn a_passed_run_exits_zero() {
    let passed = FAILED_RUN
        .replace(
            "test bootstrap_deploy_diff_run_and_destroy_the_five_patterns ... FAILED",
            "test bootstrap_deploy_diff_run_and_destroy_the_five_patterns ... ok",
        )
        .replace("FAILED. 1 passed; 1 failed;", "ok. 2 passed; 0 failed;");
    let (code, out) = summary(&passed, "0");
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "rcdk: 8 passed, 0 failed, 1 ignored\n");
}

#[test]
fn a_binary_that_crashed_is_named_though_no_test_failed() {
    // a stack overflow aborts the binary: no `test result:` line; a test's own `cargo run`
    // (its "Running `...`" line) is no test binary
    let crashed = "\
     Running tests/hostile/main.rs (target/debug/deps/hostile-00112233aabbccdd)

running 1 test

thread 'deep' has overflowed its stack
fatal runtime error: stack overflow
error: test failed, to rerun pass `--test hostile`

Caused by:
  process didn't exit successfully: `target/debug/deps/hostile-00112233aabbccdd` (signal: 6, SIGABRT: process abort signal)
     Running tests/scripts.rs (target/debug/deps/scripts-0123456789abcdef)

running 1 test
    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.14s
     Running `/work/rcdk/target/debug/stream-results`
test a ... ok
test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
    let (code, out) = summary(crashed, "101");
    assert_eq!(code, 101, "{out}");
    assert_eq!(
        out,
        "rcdk: 1 passed, 0 failed, 0 ignored\n\
         did not finish: hostile (it started and printed no result: a crash or an abort)\n"
    );
}

#[test]
fn a_build_error_is_said_and_keeps_the_status() {
    let log = "   Compiling constructs v0.1.0\nerror[E0425]: cannot find value `x` in this scope\nerror: could not compile `constructs`\n";
    let (code, out) = summary(log, "101");
    assert_eq!(code, 101, "{out}");
    assert_eq!(
        out,
        "rcdk: 0 passed, 0 failed, 0 ignored\n\
         cargo test failed (exit 101) before any test failed: a build error? see the log above\n"
    );
}

#[test]
fn bad_arguments_are_a_usage_error() {
    let (code, _) = summary("", "not-a-number");
    assert_eq!(code, 2);
    let out = Command::new("bash")
        .arg(common::root().join("scripts/test-summary"))
        .arg("/no/such/log")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the log /no/such/log"));
}

#[test]
fn scripts_test_prints_the_summary_after_a_failure_and_exits_non_zero() {
    // the lines of scripts/test that run the tests: a failing cargo must reach the summary
    let script = std::fs::read_to_string(common::root().join("scripts/test"))
        .unwrap_or_else(|e| panic!("{e}"));
    let start = script
        .find("status=0\n")
        .unwrap_or_else(|| panic!("scripts/test has no status=0 line"));
    let tail = &script[start..];
    assert!(
        tail.contains("scripts/test-summary \"$log\" \"$status\""),
        "{tail}"
    );
    // run that tail with `cargo` standing for a failing cargo test
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fake = format!(
        "set -euo pipefail\ncd {root}\nlog={log}\ncargo() {{ cat {fixture}; return 101; }}\n{tail}",
        root = common::root().display(),
        log = dir.path().join("log").display(),
        fixture = {
            let f = dir.path().join("fixture");
            std::fs::write(&f, FAILED_RUN).unwrap_or_else(|e| panic!("{e}"));
            f.display().to_string()
        },
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&fake)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert!(
        stdout.contains("rcdk: 7 passed, 1 failed, 1 ignored\nfailed: deploy_moto::"),
        "{stdout}"
    );
}

#[test]
fn a_missing_tool_fails_with_the_command_that_installs_it() {
    let nowhere = Path::new("/nonexistent/rcdk/.venv/bin/cfn-lint");
    let missing = common::find_tool(None, "RCDK_CFN_LINT", nowhere, "rcdk-no-such-tool")
        .expect_err("no such tool");
    assert!(missing.contains("is not installed"), "{missing}");
    assert!(missing.contains("run scripts/test"), "{missing}");
    let lint = common::install_hint("cfn-lint");
    assert_eq!(
        lint,
        format!(
            "run scripts/test, or: python3 -m venv .venv && .venv/bin/pip install cfn-lint=={}",
            common::pinned("CFN_LINT_VERSION")
        )
    );
    assert!(common::install_hint("moto").contains("'moto[server]==5."));
    assert_eq!(
        common::install_hint("asl-validator"),
        "run scripts/test, or: npm ci"
    );
    // a variable naming no file is no tool either
    let wrong = common::find_tool(
        Some("/nonexistent/cfn-lint".into()),
        "RCDK_CFN_LINT",
        nowhere,
        "cfn-lint",
    )
    .expect_err("a path that is not there");
    assert!(
        wrong.starts_with("RCDK_CFN_LINT=/nonexistent/cfn-lint names no file"),
        "{wrong}"
    );
    assert!(wrong.contains("pip install cfn-lint=="), "{wrong}");
}

/// The registry schemas synth checks against, the generated L1 layer, its cargo features and
/// the every_type example are exactly what `scripts/generate-registry` writes from the cfn-lint
/// that scripts/test pins: a bump of cfn-lint without regenerating (or a hand edit of a
/// generated file) fails here.
#[test]
fn the_registry_schemas_are_what_the_pinned_cfn_lint_gives() {
    let python = common::root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/test, or: python3 -m venv .venv && .venv/bin/pip install cfn-lint==1.58.0",
        python.display()
    );
    let out = Command::new(&python)
        .arg(common::root().join("scripts/generate-registry"))
        .arg("--check")
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run: {e}", python.display()));
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
