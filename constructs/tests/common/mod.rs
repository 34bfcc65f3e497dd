//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::fs;

use constructs::assertions::Template;
use serde_json::{json, Value as Json};

/// A throwaway cargo workspace with two Lambda crates (`one` uses the path dependency `shared`
/// and itoa); its lock file is written by the first synth's `cargo metadata`.
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    // a real cargo workspace (synth reads it with `cargo metadata --offline`): two Lambda
    // crates, a shared path dependency, and a registry crate the repository's own build has
    // downloaded (the version of its Cargo.lock)
    write("Cargo.toml", "[workspace]\nmembers = [\"lambdas/*\"]\nresolver = \"2\"\n[workspace.dependencies]\nshared = { path = \"lambdas/shared\" }\n[profile.release]\nopt-level = 3\n");
    write("lambdas/one/Cargo.toml", &format!("[package]\nname = \"one\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\nshared = {{ workspace = true }}\nitoa = \"={}\"\n", itoa_version()));
    write("lambdas/one/src/main.rs", "fn main() {}\n");
    write(
        "lambdas/two/Cargo.toml",
        "[package]\nname = \"two\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write("lambdas/two/src/main.rs", "fn main() {}\n");
    write(
        "lambdas/shared/Cargo.toml",
        "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write("lambdas/shared/src/lib.rs", "pub fn f() {}\n");
    write("lambdas/one/target/debug/junk", "ignored\n");
    dir
}

/// The version of itoa the repository's Cargo.lock has (so it is downloaded wherever the
/// repository builds).
pub fn itoa_version() -> String {
    let lock = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("the repository's Cargo.lock");
    let at = lock
        .find("name = \"itoa\"\nversion = \"")
        .expect("itoa in the repository's Cargo.lock")
        + "name = \"itoa\"\nversion = \"".len();
    lock[at..].split('"').next().unwrap_or_default().to_string()
}

/// The statements of the default policy of the role whose logical id starts with `role_prefix`.
pub fn statements(t: &Template, role_prefix: &str) -> Vec<Json> {
    let policies = t.find_resources("AWS::IAM::Policy", json!({}));
    let (_, policy) = policies
        .iter()
        .find(|(id, _)| id.starts_with(role_prefix))
        .unwrap_or_else(|| panic!("no policy for {role_prefix}: {:?}", policies.keys()));
    policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone()
}

/// Every problem synth finds in a one-stack app, as text.
pub fn problems(stack: constructs::Stack) -> String {
    problems_in(std::path::Path::new("."), stack)
}

/// Like [`problems`], with code assets found under `root`.
pub fn problems_in(root: &std::path::Path, stack: constructs::Stack) -> String {
    let mut app = constructs::App::new(root);
    app.add_stack(stack);
    app_problems(&app)
}

/// Every problem synth finds in an app, as text (the app must fail).
pub fn app_problems(app: &constructs::App) -> String {
    match app.synth() {
        Ok(_) => panic!("synth should fail"),
        Err(e) => e
            .problems()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Asserts that `all` holds every one of `needles`.
pub fn assert_contains_all(all: &str, needles: &[&str]) {
    for needle in needles {
        assert!(all.contains(needle), "missing {needle:?} in\n{all}");
    }
}
