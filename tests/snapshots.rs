//! Snapshots of every template the app synthesizes, in YAML with short-form tags.
//! Review changes with `cargo insta review`; the asset hash is redacted (it follows the
//! Lambda sources and is tested on its own), and checked to match the asset manifest.

mod common;

use std::path::Path;

use constructs::core::yaml;

fn assembly() -> constructs::CloudAssembly {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = rcdk::config::load::<rcdk_patterns::config::Config>(&root.join("config.json"))
        .expect("config.json loads");
    rcdk_patterns::app::build(&config, root)
        .synth()
        .expect("the app synthesizes")
}

#[test]
fn every_stack_template() {
    let assembly = assembly();
    for stack in &assembly.stacks {
        let mut text = yaml::render(&stack.template);
        for asset in &stack.assets {
            assert!(
                text.contains(&asset.object_key()),
                "{} uses its asset {}",
                stack.name,
                asset.path
            );
        }
        // several functions may share an asset: check all, then redact
        for asset in &stack.assets {
            text = text.replace(&asset.hash, "<asset-hash>");
        }
        insta::assert_snapshot!(stack.name.clone(), text);
    }
}

#[test]
fn manifest() {
    let rendered = assembly()
        .render(constructs::Format::Json, None)
        .expect("renders");
    let (name, manifest) = &rendered.files[0];
    assert_eq!(name, "manifest.json");
    insta::assert_snapshot!("manifest", String::from_utf8_lossy(manifest));
}

/// The state machine catalog: every state type and task integration, as synthesized.
#[test]
fn state_machine_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let assembly = common::catalog_app(root)
        .synth()
        .expect("the catalog synthesizes");
    let stack = &assembly.stacks[0];
    let mut text = yaml::render(&stack.template);
    for asset in &stack.assets {
        text = text.replace(&asset.hash, "<asset-hash>");
    }
    insta::assert_snapshot!("catalog", text);
}
