//! cfn-lint (from PyPI, installed by `scripts/test`) finds no error in any template the five
//! patterns, a generated stack or the catalog of every state type and integration synthesize. Without cfn-lint this test says so and passes, unless RCDK_REQUIRE_TOOLS=1
//! (set by `scripts/test` and CI), where a missing tool fails it.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn every_template_passes_cfn_lint() {
    let Some(lint) = common::require_tool("RCDK_CFN_LINT", ".venv/bin/cfn-lint", "cfn-lint") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = rcdk::config::load::<rcdk_patterns::config::Config>(&root.join("config.json"))
        .expect("config.json loads");
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut templates = Vec::new();
    for (name, app) in [
        ("patterns", rcdk_patterns::app::build(&config, root)),
        ("generated", rcdk_patterns::app::generated(root, 20)),
        ("catalog", common::catalog_app(root)),
    ] {
        let out = tmp.path().join(name);
        app.synth()
            .expect("synth")
            .render(constructs::Format::Json, None)
            .expect("render")
            .write(&out)
            .expect("write");
        for entry in std::fs::read_dir(&out).expect("assembly") {
            let path = entry.expect("entry").path();
            if path.to_string_lossy().ends_with(".template.json") {
                templates.push(path);
            }
        }
    }
    templates.sort();
    assert_eq!(templates.len(), 7, "{templates:?}");
    let output = Command::new(&lint)
        .arg("--format")
        .arg("parseable")
        .args(&templates)
        .output()
        .expect("cfn-lint runs");
    let report = String::from_utf8_lossy(&output.stdout);
    let code = output.status.code().unwrap_or(-1);
    // cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 a failure
    assert!(
        code >= 0 && code & 0b11 == 0,
        "cfn-lint found errors (exit {code}):\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    if !report.trim().is_empty() {
        eprintln!("cfn-lint warnings:\n{report}");
    }
}
