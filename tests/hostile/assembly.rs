//! The cloud assembly (issue 20, points 9 and 10): `synth --out` never deletes what rcdk did
//! not write; an assembly file never makes deploy, diff or destroy read outside the assembly;
//! a dependency cycle between stacks is an error naming them, never a silent skip.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

use super::common;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `rcdk-patterns` (the patterns app) with `args`, run from the repository.
fn app(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .output()
        .expect("rcdk-patterns runs")
}

/// rcdk-toolkit with an AWS environment that names a closed local port and no profile: a
/// command that got as far as calling AWS would fail on the connection, not on the assembly.
fn toolkit(args: &[&str]) -> Output {
    let mut cmd = Command::new(common::moto::toolkit());
    cmd.args(args).env("NO_COLOR", "1");
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
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    cmd.output().expect("rcdk-toolkit runs")
}

/// Every file under `dir` (relative path -> content), links as their target's text.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            if kind.is_symlink() {
                let target = fs::read_link(&path).unwrap();
                out.push((rel, target.to_string_lossy().as_bytes().to_vec()));
            } else if kind.is_dir() {
                walk(base, &path, out);
            } else {
                out.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A web project: what a browser extension or a front-end keeps next to a `manifest.json`.
fn web_project(dir: &Path) {
    fs::create_dir_all(dir.join("icons")).unwrap();
    fs::write(
        dir.join("manifest.json"),
        "{\"manifest_version\": 3, \"name\": \"my extension\", \"version\": \"1.0\"}\n",
    )
    .unwrap();
    fs::write(
        dir.join("index.html"),
        "<!doctype html><title>mine</title>\n",
    )
    .unwrap();
    fs::write(dir.join("package.json"), "{\"name\": \"web\"}\n").unwrap();
    fs::write(dir.join("icons/icon.png"), [0x89, b'P', b'N', b'G']).unwrap();
}

/// The parent of `dir` holds nothing but `dir` (no staging or old directory left behind).
fn nothing_beside(dir: &Path) {
    let parent = dir.parent().unwrap();
    let names: Vec<String> = fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [dir.file_name().unwrap().to_string_lossy().into_owned()],
        "nothing left beside {}",
        dir.display()
    );
}

#[test]
fn synth_out_onto_a_web_project_refuses_and_leaves_every_file() {
    // before: the directory was taken for an old assembly because it held a manifest.json,
    // emptied, and synth exited 0
    let tmp = tempfile::tempdir().unwrap();
    let web = tmp.path().join("web");
    web_project(&web);
    let before = snapshot(&web);
    let o = app(&["synth", "-q", "--out", web.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("refusing to write the assembly to")
            && err.contains(web.to_str().unwrap())
            && err.contains("holds a manifest.json but no rcdk.json"),
        "{err}"
    );
    assert_eq!(snapshot(&web), before, "every file of the project intact");
    nothing_beside(&web);
}

#[test]
fn synth_out_refuses_an_assembly_with_a_file_rcdk_did_not_write_and_replaces_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cdk.out");
    let o = app(&["synth", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // a second synth replaces the assembly it wrote (its marker lists its files)
    let first = snapshot(&out);
    let o = app(&["synth", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(snapshot(&out), first, "the same app writes the same files");
    nothing_beside(&out);

    // a user's file in it: refused, named, nothing touched
    fs::write(out.join("notes.md"), "my notes\n").unwrap();
    fs::create_dir(out.join("drafts")).unwrap();
    fs::write(out.join("drafts/a.txt"), "draft\n").unwrap();
    let before = snapshot(&out);
    let o = app(&["synth", "-q", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("2 entries that rcdk did not write")
            && err.contains("\"drafts\"")
            && err.contains("\"notes.md\""),
        "{err}"
    );
    assert_eq!(snapshot(&out), before);
    nothing_beside(&out);
}

#[test]
fn a_marker_that_lists_a_path_outside_the_assembly_deletes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim.txt");
    fs::write(&victim, "keep me\n").unwrap();
    let out = tmp.path().join("cdk.out");
    fs::create_dir(&out).unwrap();
    fs::write(
        out.join("rcdk.json"),
        json!({"workspace": "..", "files": ["../victim.txt"]}).to_string(),
    )
    .unwrap();
    let o = app(&["synth", "-q", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("lists \"../victim.txt\", which is not a file name synth writes"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me\n");
    // a marker rcdk did not write (another tool's rcdk.json) is not taken for one
    fs::write(out.join("rcdk.json"), "{\"name\": \"a config\"}").unwrap();
    let o = app(&["synth", "-q", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("rcdk.json is not the marker rcdk writes")
            && text(&o.stderr).contains("unknown field `name`"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn synth_out_onto_a_file_or_a_link_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("out.txt");
    fs::write(&file, "mine\n").unwrap();
    let o = app(&["synth", "-q", "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("it exists and is not a directory"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine\n");

    #[cfg(unix)]
    {
        let target = tmp.path().join("real");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("keep.txt"), "keep\n").unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let o = app(&["synth", "-q", "--out", link.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            text(&o.stderr).contains("symbolic link"),
            "{}",
            text(&o.stderr)
        );
        assert_eq!(
            fs::read_to_string(target.join("keep.txt")).unwrap(),
            "keep\n"
        );
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}

#[test]
fn a_failed_synth_leaves_the_previous_assembly_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cdk.out");
    let o = app(&["synth", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let before = snapshot(&out);
    let bad = tmp.path().join("bad.json");
    fs::write(&bad, "{ not json").unwrap();
    let o = app(&[
        "--config",
        bad.to_str().unwrap(),
        "synth",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(snapshot(&out), before);
}

/// A small assembly of three stacks (A, B needs A, C needs B) written by synth, in `dir`.
fn three_stacks(dir: &Path) -> PathBuf {
    use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
    let mut app = constructs::App::new(common::root());
    let mut a = constructs::Stack::new("A");
    let table = Table::new(
        &mut a,
        "T",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    let mut b = constructs::Stack::new("B");
    b.add_output("Name", table.name());
    b.add_dependency("A");
    let mut c = constructs::Stack::new("C");
    Table::new(
        &mut c,
        "U",
        TableProps::new(Attribute::new("Id", AttributeType::String)),
    );
    c.add_dependency("B");
    app.add_stack(a).add_stack(b).add_stack(c);
    let mut rendered = app
        .synth()
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.problems()))
        .render(constructs::Format::Json, None)
        .unwrap();
    let out = dir.join("cdk.out");
    rendered.set_workspace(&out, &common::root());
    rendered.write(&out).unwrap();
    out
}

fn edit_manifest(out: &Path, edit: impl FnOnce(&mut Json)) {
    let path = out.join("manifest.json");
    let mut manifest: Json = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    edit(&mut manifest);
    fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
}

/// deploy, diff and destroy of the assembly, each as the toolkit is run.
fn every_command(out: &Path) -> Vec<(&'static str, Output)> {
    let app = out.to_str().unwrap();
    vec![
        (
            "deploy",
            toolkit(&[
                "deploy",
                "--app",
                app,
                "--all",
                "--require-approval",
                "never",
            ]),
        ),
        ("diff", toolkit(&["diff", "--app", app])),
        (
            "destroy",
            toolkit(&["destroy", "--app", app, "--all", "--force"]),
        ),
    ]
}

#[test]
fn a_template_file_outside_the_assembly_is_not_read() {
    // before: `../../x.json` was read, shown by diff and sent by deploy
    let tmp = tempfile::tempdir().unwrap();
    let out = three_stacks(tmp.path());
    let secret = tmp.path().join("secret.json");
    fs::write(
        &secret,
        "{\"Resources\": {\"Leak\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"BucketName\": \"s3cr3t-value\"}}}}",
    )
    .unwrap();
    for value in [
        "../secret.json".to_string(),
        secret.to_string_lossy().into_owned(),
        "./../secret.json".to_string(),
    ] {
        edit_manifest(&out, |m| {
            m["artifacts"]["B"]["properties"]["templateFile"] = json!(value)
        });
        for (command, o) in every_command(&out) {
            let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
            assert_eq!(o.status.code(), Some(1), "{command} {value}: {all}");
            assert!(
                all.contains("artifacts.B.properties.templateFile")
                    && all.contains("outside the assembly directory")
                    && all.contains("refusing to read it"),
                "{command} {value}: {all}"
            );
            assert!(!all.contains("s3cr3t-value"), "{command}: {all}");
            assert!(!all.contains("127.0.0.1:9"), "{command} connected: {all}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_assembly_or_a_fifo_in_it_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let out = three_stacks(tmp.path());
    let secret = tmp.path().join("secret.json");
    fs::write(&secret, "{\"Resources\": {\"s3cr3t-value\": {}}}").unwrap();
    fs::remove_file(out.join("B.template.json")).unwrap();
    std::os::unix::fs::symlink(&secret, out.join("B.template.json")).unwrap();
    let o = toolkit(&["diff", "--app", out.to_str().unwrap()]);
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(
        all.contains("artifacts.B.properties.templateFile") && !all.contains("s3cr3t-value"),
        "{all}"
    );

    // a FIFO would block a reader forever
    fs::remove_file(out.join("B.template.json")).unwrap();
    let status = Command::new("mkfifo")
        .arg(out.join("B.template.json"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let started = Instant::now();
    let o = toolkit(&["diff", "--app", out.to_str().unwrap()]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("B.template.json: cannot be read: it is not a regular file"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn an_asset_manifest_outside_the_assembly_or_a_hostile_asset_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = three_stacks(tmp.path());
    // an asset manifest at an absolute path
    let elsewhere = tmp.path().join("elsewhere.assets.json");
    fs::copy(out.join("A.assets.json"), &elsewhere).unwrap();
    edit_manifest(&out, |m| {
        m["artifacts"]["A.assets"]["properties"]["file"] = json!(elsewhere.to_string_lossy())
    });
    let o = toolkit(&["diff", "--app", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("artifacts.A.assets.properties.file")
            && text(&o.stderr).contains("outside the assembly directory"),
        "{}",
        text(&o.stderr)
    );
    edit_manifest(&out, |m| {
        m["artifacts"]["A.assets"]["properties"]["file"] = json!("A.assets.json")
    });

    // an asset whose binary would lead the upload out of the target directory, and one
    // whose crate is outside the workspace
    let hash = "a".repeat(64);
    let asset = |binary: &str, path: &str| {
        json!({"version": "36.0.0", "dockerImages": {}, "files": {hash.clone(): {
            "displayName": "A/F/Code",
            "source": {"path": path, "packaging": "file", "cargoLambda": {
                "crate": "start-task", "manifestPath": format!("{path}/Cargo.toml"),
                "binary": binary, "architecture": "arm64", "hash": hash}},
            "destinations": {"current_account-current_region": {
                "bucketName": "b", "objectKey": format!("{hash}.zip")}}}}})
    };
    for (manifest, says) in [
        (
            asset("../../../../etc/passwd", "lambdas/start-task"),
            format!("files.{hash}.source.cargoLambda.binary"),
        ),
        (
            asset("start-task", "/etc"),
            format!("files.{hash}.source.path"),
        ),
        (
            asset("start-task", "../../elsewhere"),
            format!("files.{hash}.source.path"),
        ),
    ] {
        fs::write(out.join("A.assets.json"), manifest.to_string()).unwrap();
        for (command, o) in every_command(&out) {
            assert_eq!(o.status.code(), Some(1), "{command}");
            assert!(
                text(&o.stderr).contains("A.assets.json") && text(&o.stderr).contains(&says),
                "{command}: {}",
                text(&o.stderr)
            );
        }
    }
}

#[test]
fn unknown_missing_or_mistyped_keys_name_the_file_and_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let out = three_stacks(tmp.path());
    type Edit = Box<dyn Fn(&mut Json)>;
    let cases: [(Edit, &str); 4] = [
        (
            Box::new(|m| m["artifacts"]["B"]["properties"]["templateFle"] = json!("x")),
            "artifacts.B.properties.templateFle: unknown field `templateFle`",
        ),
        (
            Box::new(|m| {
                m["artifacts"]["B"]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("templateFile");
            }),
            "artifacts.B.properties: missing field `templateFile`",
        ),
        (
            Box::new(|m| m["artifacts"]["B"]["properties"]["terminationProtection"] = json!("no")),
            "artifacts.B.properties.terminationProtection: invalid type",
        ),
        (
            Box::new(|m| m["artifacts"]["B"]["type"] = json!("cdk:tree")),
            "artifacts.B.type: unknown artifact type \"cdk:tree\"",
        ),
    ];
    let pristine = fs::read(out.join("manifest.json")).unwrap();
    for (edit, says) in cases {
        fs::write(out.join("manifest.json"), &pristine).unwrap();
        edit_manifest(&out, edit);
        let o = toolkit(&["diff", "--app", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1));
        let err = text(&o.stderr);
        assert!(
            err.contains("manifest.json") && err.contains(says),
            "{says}: {err}"
        );
    }
    // an architecture the assembly does not know
    fs::write(out.join("manifest.json"), &pristine).unwrap();
    let assets = fs::read_to_string(out.join("A.assets.json")).unwrap();
    let hash = "b".repeat(64);
    fs::write(
        out.join("A.assets.json"),
        json!({"version": "36.0.0", "dockerImages": {}, "files": {hash.clone(): {
            "displayName": "A/F/Code",
            "source": {"path": "lambdas/start-task", "packaging": "file", "cargoLambda": {
                "crate": "start-task", "manifestPath": "lambdas/start-task/Cargo.toml",
                "binary": "start-task", "architecture": "riscv64", "hash": hash}},
            "destinations": {}}}})
        .to_string(),
    )
    .unwrap();
    let o = toolkit(&["diff", "--app", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("source.cargoLambda.architecture: unknown variant `riscv64`"),
        "{}",
        text(&o.stderr)
    );
    fs::write(out.join("A.assets.json"), assets).unwrap();
}

#[test]
fn an_oversized_manifest_is_refused_before_it_is_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = three_stacks(tmp.path());
    let mut big = fs::read_to_string(out.join("manifest.json")).unwrap();
    big.push_str(&" ".repeat(17 * 1024 * 1024));
    fs::write(out.join("manifest.json"), big).unwrap();
    let o = toolkit(&["diff", "--app", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("manifest.json: cannot be read: it has more than 16777216 bytes"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_dependency_cycle_between_stacks_is_an_error_naming_them() {
    // before: the stacks of the cycle were never started and deploy said "1 of 3 stack(s)
    // deployed", exit 0
    let tmp = tempfile::tempdir().unwrap();
    let out = three_stacks(tmp.path());
    edit_manifest(&out, |m| {
        let deps = m["artifacts"]["A"]["dependencies"].as_array_mut().unwrap();
        deps.insert(0, json!("C"));
    });
    for (command, o) in every_command(&out) {
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(1), "{command}: {all}");
        assert!(
            all.contains("the stacks depend on each other in a cycle: A -> C -> B -> A"),
            "{command}: {all}"
        );
        assert!(!all.contains("deployed"), "{command}: {all}");
    }
    // a stack that depends on itself, and one that names a stack the manifest does not have
    edit_manifest(&out, |m| {
        m["artifacts"]["A"]["dependencies"] = json!(["A", "A.assets"]);
    });
    let o = toolkit(&["diff", "--app", out.to_str().unwrap()]);
    assert!(
        text(&o.stderr).contains("in a cycle: A -> A"),
        "{}",
        text(&o.stderr)
    );
    edit_manifest(&out, |m| {
        m["artifacts"]["A"]["dependencies"] = json!(["Gone", "A.assets"]);
    });
    let o = toolkit(&["diff", "--app", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("artifacts.A.dependencies[0]: names \"Gone\""),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn stacks_listed_out_of_order_are_deployed_dependencies_first() {
    let tmp = tempfile::tempdir().unwrap();
    let out = three_stacks(tmp.path());
    // the manifest lists C first; the reader orders by dependencies
    edit_manifest(&out, |m| {
        let artifacts = m["artifacts"].as_object().unwrap().clone();
        let mut reordered = serde_json::Map::new();
        for key in ["C", "C.assets", "B", "B.assets", "A", "A.assets"] {
            reordered.insert(key.to_string(), artifacts[key].clone());
        }
        m["artifacts"] = Json::Object(reordered);
    });
    let read = constructs::AssemblyDir::read(&out).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = read
        .assembly
        .stacks
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["A", "B", "C"]);
}

/// An assembly of `n` stacks `S0` .. `S{n-1}`, each depending on the next (and the last on
/// `S0` when `closed`), all of one small template: what a manifest of about 10 MB can say.
fn chain_of_stacks(dir: &Path, n: usize, closed: bool) -> PathBuf {
    let out = dir.join("chain.out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("t.json"), "{\"Resources\": {}}\n").unwrap();
    let mut artifacts = serde_json::Map::new();
    for i in 0..n {
        let next = if i + 1 < n {
            vec![json!(format!("S{}", i + 1))]
        } else if closed {
            vec![json!("S0")]
        } else {
            vec![]
        };
        artifacts.insert(
            format!("S{i}"),
            json!({
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "t.json", "terminationProtection": false,
                               "tags": {}, "stackName": format!("S{i}")},
                "dependencies": next, "metadata": {}, "displayName": format!("S{i}")
            }),
        );
    }
    let manifest =
        json!({"version": constructs::core::assembly::ASSEMBLY_VERSION, "artifacts": artifacts});
    fs::write(out.join("manifest.json"), manifest.to_string()).unwrap();
    out
}

#[test]
fn a_chain_of_fifty_thousand_stacks_is_ordered_without_overflowing_the_stack() {
    // before: the stacks were ordered by a recursive walk, one frame per stack of the chain:
    // `diff` of a 10 MB manifest aborted on a stack overflow (exit 134), and the selection
    // of a stack's dependencies took time quadratic in the stacks
    let tmp = tempfile::tempdir().unwrap();
    let out = chain_of_stacks(tmp.path(), 50_000, false);
    let started = Instant::now();
    let o = toolkit(&["diff", "--app", out.to_str().unwrap(), "S0"]);
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{all}");
    // read and ordered: what stops it is the closed port of the endpoint, not the assembly
    assert!(all.contains("127.0.0.1:9"), "{all}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );

    // the same chain closed into a cycle: named by its ends, not 50,000 names
    let tmp = tempfile::tempdir().unwrap();
    let out = chain_of_stacks(tmp.path(), 50_000, true);
    let o = toolkit(&["diff", "--app", out.to_str().unwrap(), "S0"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("in a cycle: S0 -> S1 -> S2 -> S3 -> S4 -> ... (49991 more stacks) ... -> S49996 -> S49997 -> S49998 -> S49999 -> S0"),
        "{}",
        &err[..err.len().min(2000)]
    );
}
