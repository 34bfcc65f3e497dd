//! Synth speed: in-process (the five patterns, the catalog app of the tests with every
//! construct, and a generated stack of 500 resources) and as a whole `rcdk-patterns synth`
//! process. Run with `cargo bench --bench synth`.
//!
//! Targets on a 2-core machine: in-process synth of 500 resources under 20 ms; the whole
//! process under 50 ms.

use std::path::Path;
use std::process::Command;

use constructs::Format;

// the catalog app (tests/common/mod.rs), what the tests synthesize and deploy
#[allow(unused_imports)]
#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    divan::main();
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Build, synth and render the five patterns (config.json's settings).
#[divan::bench]
fn patterns_in_process() {
    let config = rcdk::config::load::<rcdk_patterns::config::Config>(&root().join("config.json"))
        .expect("config.json loads");
    let app = rcdk_patterns::app::build(&config, root());
    let assembly = app.synth().expect("the patterns synthesize");
    divan::black_box(assembly.render(Format::Json, None).expect("renders"));
}

/// Build, synth and render the catalog app: every construct of the library in one stack (its
/// site folder listed, its worker crate hashed).
#[divan::bench]
fn catalog_in_process() {
    let app = common::catalog_app(root());
    let assembly = app.synth().expect("the catalog synthesizes");
    divan::black_box(assembly.render(Format::Json, None).expect("renders"));
}

/// Build, synth and render a generated stack of 500 resources.
#[divan::bench]
fn generated_500_resources_in_process() {
    let app = rcdk_patterns::app::generated(root(), 100);
    let assembly = app.synth().expect("the generated app synthesizes");
    assert_eq!(assembly.stacks[0].resource_count(), 500);
    divan::black_box(assembly.render(Format::Json, None).expect("renders"));
}

/// The whole `rcdk-patterns synth` process: start, read config.json, hash the Lambda crate, write the
/// assembly.
#[divan::bench(sample_count = 30)]
fn rcdk_synth_process(bencher: divan::Bencher) {
    let out = std::env::temp_dir().join(format!("rcdk-bench-{}", std::process::id()));
    bencher.bench(|| {
        let status = Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
            .current_dir(root())
            .args(["synth", "--quiet", "--out"])
            .arg(&out)
            .status()
            .expect("rcdk runs");
        assert!(status.success());
    });
    let _ = std::fs::remove_dir_all(&out);
}
