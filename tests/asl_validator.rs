//! asl-validator (from npm, installed by `scripts/test`) finds no error in any state machine
//! the app or the catalog synthesizes, with sample values in place of the substitutions.
//! Without asl-validator the test fails with the command that installs it.

mod common;

use std::process::Command;

use common::{catalog_app, resolved_definitions, root, tool};

#[test]
fn every_synthesized_definition_passes_asl_validator() {
    let validator = tool(
        "RCDK_ASL_VALIDATOR",
        "node_modules/.bin/asl-validator",
        "asl-validator",
    );
    let config = rcdk::config::load::<rcdk_patterns::config::Config>(&root().join("config.json"))
        .expect("config.json loads");
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for app in [
        rcdk_patterns::app::build(&config, &root()),
        catalog_app(&root()),
    ] {
        for stack in app.synth().expect("synth").stacks {
            for (id, definition) in resolved_definitions(&stack.template) {
                let path = tmp.path().join(format!("{}-{id}.json", stack.name));
                std::fs::write(&path, serde_json::to_string_pretty(&definition).unwrap()).unwrap();
                files.push(path);
            }
        }
    }
    assert_eq!(files.len(), 12, "{files:?}");
    let mut command = Command::new(&validator);
    for f in &files {
        command.arg("--json-path").arg(f);
    }
    let output = command.output().expect("asl-validator runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "asl-validator found errors:\n{report}"
    );
    assert_eq!(report.matches("is valid").count(), files.len(), "{report}");
}
