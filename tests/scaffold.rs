//! `rcdk new lambda NAME`: a crate from the project's templates that builds and passes its
//! own tests, offline; bad names and existing crates are refused, nothing half-written.

mod common;

use std::process::Command;

fn rcdk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("rcdk runs")
}

/// A workspace like this one (same dependency versions, same lock), without its crates.
fn scratch_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest: toml::Table = std::fs::read_to_string(common::root().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let deps = manifest["workspace"]["dependencies"].as_table().unwrap();
    let mut text = String::from(
        "[workspace]\nmembers = [\"lambdas/*\"]\nresolver = \"2\"\n\n[workspace.dependencies]\n",
    );
    for name in ["lambda_runtime", "serde", "serde_json", "tokio"] {
        text.push_str(&format!("{name} = {}\n", deps[name]));
    }
    std::fs::write(dir.path().join("Cargo.toml"), text).unwrap();
    std::fs::copy(
        common::root().join("Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("lambdas")).unwrap();
    dir
}

#[test]
fn a_new_lambda_builds_and_passes_its_tests() {
    let ws = scratch_workspace();
    let root = ws.path().to_str().unwrap();
    let o = rcdk(&["new", "lambda", "order-events", "--root", root]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Cargo.toml")
            && out.contains("main.rs")
            && out.contains("cargo test -p order-events"),
        "{out}"
    );
    let manifest =
        std::fs::read_to_string(ws.path().join("lambdas/order-events/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"order-events\""));

    // the generated crate compiles and its tests pass, offline
    let test = Command::new(env!("CARGO"))
        .args(["test", "--offline", "--quiet", "-p", "order-events"])
        .current_dir(ws.path())
        .env(
            "CARGO_TARGET_DIR",
            common::root().join("target/scaffold-test"),
        )
        .output()
        .expect("cargo runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&test.stdout),
        String::from_utf8_lossy(&test.stderr)
    );
    assert!(test.status.success(), "{report}");
    assert!(report.contains("2 passed"), "{report}");

    // a second time: refused, and the first is untouched
    let o = rcdk(&["new", "lambda", "order-events", "--root", root]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(ws.path().join("lambdas/order-events/Cargo.toml")).unwrap(),
        manifest
    );
}

#[test]
fn bad_names_and_places_are_refused() {
    let ws = scratch_workspace();
    let root = ws.path().to_str().unwrap();
    for (name, needle) in [
        ("Orders", "lowercase letter"),
        ("a_b", "'_' is not allowed"),
        ("constructs", "already has a package"),
    ] {
        let o = rcdk(&["new", "lambda", name, "--root", root]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{name}: {err}");
    }
    assert_eq!(
        std::fs::read_dir(ws.path().join("lambdas"))
            .unwrap()
            .count(),
        0,
        "nothing written"
    );
    let empty = tempfile::tempdir().unwrap();
    let o = rcdk(&[
        "new",
        "lambda",
        "x",
        "--root",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is not a workspace with a lambdas/ directory")
    );
}
