//! Publishing a local folder from a user's app (`BucketDeployment`, `StaticSiteProps::content`):
//! what the asset manifest tells the toolkit (the folder relative to the app, the bucket's and
//! the distribution's logical ids, the prefix, pruning), that it reads back the same, and the
//! refusals at synth: a missing, empty or outside folder, a link out of it, a bad prefix, a
//! bucket of another stack. An assembly that names a folder outside the workspace is refused
//! by the reader.
//!
//! S3's limits are from the Amazon S3 User Guide: object keys of at most 1,024 bytes ("Naming
//! Amazon S3 objects"), one PutObject of at most 5 GB ("Uploading objects").

mod common;

use std::fs;
use std::path::Path;

use common::problems_in;
use constructs::core::synth::FolderEntry;
use constructs::s3::{Bucket, BucketDeployment, BucketDeploymentProps, BucketProps};
use constructs::website::{StaticSite, StaticSiteProps};
use constructs::{App, AssemblyDir, Format, Stack};

fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, body).unwrap();
}

/// An app directory with a built site in `web/dist`.
fn app_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web/dist/index.html", "<h1>hi</h1>");
    write(dir.path(), "web/dist/assets/app.js", "1");
    dir
}

fn site_stack() -> (Stack, StaticSite) {
    let mut s = Stack::new("Web");
    let site = StaticSite::new(&mut s, "Site", StaticSiteProps::new().content("web/dist"));
    (s, site)
}

#[test]
fn a_site_publishes_its_folder_with_invalidation_and_the_assembly_reads_it_back() {
    let dir = app_dir();
    let (mut s, site) = site_stack();
    BucketDeployment::new(
        &mut s,
        "Assets",
        site.bucket(),
        BucketDeploymentProps::new(dir.path().join("web/dist/assets"))
            .key_prefix("static/")
            .cache_control("public, max-age=31536000, immutable")
            .retain_removed_files(),
    );
    let mut app = App::new(dir.path());
    app.add_stack(s);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let stack = assembly.stack("Web").unwrap();
    let bucket = stack.logical_ids["Web/Site/Bucket/Resource"].clone();
    let distribution = stack.logical_ids["Web/Site/Distribution/Resource"].clone();
    assert_eq!(
        stack.folders,
        [
            FolderEntry {
                path: "Web/Site/Content".into(),
                source: "web/dist".into(),
                bucket: bucket.clone(),
                key_prefix: String::new(),
                prune: true,
                distribution: Some(distribution),
                cache_control: None,
            },
            FolderEntry {
                path: "Web/Assets".into(),
                // an absolute path inside the app is recorded relative to it
                source: "web/dist/assets".into(),
                bucket,
                key_prefix: "static/".into(),
                prune: false,
                distribution: None,
                cache_control: Some("public, max-age=31536000, immutable".into()),
            },
        ]
    );
    // the deployment adds no resource: the toolkit publishes
    assert_eq!(stack.resource_count(), 5);

    let out = dir.path().join("cdk.out");
    let mut rendered = assembly.render(Format::Json, None).unwrap();
    rendered.set_workspace(&out, dir.path());
    rendered.write(&out).unwrap();
    let first = fs::read(out.join("Web.assets.json")).unwrap();
    let read = AssemblyDir::read(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.assembly.stacks[0].folders, stack.folders);

    // synth twice, the same bytes
    let mut app = App::new(dir.path());
    let (mut s, site) = site_stack();
    BucketDeployment::new(
        &mut s,
        "Assets",
        site.bucket(),
        BucketDeploymentProps::new(dir.path().join("web/dist/assets"))
            .key_prefix("static/")
            .cache_control("public, max-age=31536000, immutable")
            .retain_removed_files(),
    );
    app.add_stack(s);
    let out2 = dir.path().join("cdk.out2");
    let mut rendered = app.synth().unwrap().render(Format::Json, None).unwrap();
    rendered.set_workspace(&out2, dir.path());
    rendered.write(&out2).unwrap();
    assert_eq!(first, fs::read(out2.join("Web.assets.json")).unwrap());
}

#[test]
fn a_folder_that_cannot_be_published_is_a_synth_problem_with_the_construct_path() {
    let dir = app_dir();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "dist/index.html", "x");
    fs::create_dir_all(dir.path().join("empty")).unwrap();
    let mut s = Stack::new("Web");
    let bucket = Bucket::new(&mut s, "Bucket", BucketProps::new());
    let add = |s: &mut Stack, id: &str, props: BucketDeploymentProps| {
        BucketDeployment::new(s, id, &bucket, props);
    };
    add(&mut s, "Missing", BucketDeploymentProps::new("web/build"));
    add(&mut s, "Empty", BucketDeploymentProps::new("empty"));
    add(
        &mut s,
        "Outside",
        BucketDeploymentProps::new(outside.path().join("dist")),
    );
    add(&mut s, "Up", BucketDeploymentProps::new("web/../.."));
    add(
        &mut s,
        "Prefix",
        BucketDeploymentProps::new("web/dist").key_prefix("/static"),
    );
    add(
        &mut s,
        "Header",
        BucketDeploymentProps::new("web/dist").cache_control("max-age=1\r\nX-Evil: 1"),
    );
    let text = problems_in(dir.path(), s);
    for expected in [
        "Web/Missing [Source]: the folder web/build cannot be read",
        "Web/Empty [Source]: the folder empty: holds no file: publishing it would empty the bucket (build the site first)",
        "is outside the app's root",
        "Web/Prefix [KeyPrefix]: the key prefix \"/static\" must be empty or segments ending in /",
        "Web/Header [CacheControl]: the Cache-Control value \"max-age=1\\r\\nX-Evil: 1\" must be printable ASCII on one line",
    ] {
        assert!(text.contains(expected), "{expected}\nin:\n{text}");
    }
    assert_eq!(
        text.matches("is outside the app's root").count(),
        2,
        "an absolute path and a relative one leading out: {text}"
    );
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_folder_is_refused_at_synth() {
    let dir = app_dir();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "id_rsa", "secret");
    std::os::unix::fs::symlink(
        outside.path().join("id_rsa"),
        dir.path().join("web/dist/key"),
    )
    .unwrap();
    let (s, _) = site_stack();
    let text = problems_in(dir.path(), s);
    assert!(
        text.contains("Web/Site/Content [Source]: the folder web/dist: key: is a symbolic link to")
            && text.contains("outside the folder"),
        "{text}"
    );
}

#[test]
fn the_bucket_must_be_in_the_deployments_stack() {
    let dir = app_dir();
    let mut data = Stack::new("Data");
    let bucket = Bucket::new(&mut data, "Bucket", BucketProps::new());
    let mut web = Stack::new("Web");
    BucketDeployment::new(
        &mut web,
        "Publish",
        &bucket,
        BucketDeploymentProps::new("web/dist"),
    );
    let mut app = App::new(dir.path());
    app.add_stack(data);
    app.add_stack(web);
    let e = app.synth().unwrap_err();
    let text = e.problems()[0].to_string();
    assert!(
        text.starts_with("Web/Publish: the bucket Data/Bucket/Resource is in stack Data"),
        "{text}"
    );
}

#[test]
fn an_assembly_naming_a_folder_outside_the_workspace_is_refused() {
    let dir = app_dir();
    let (s, _) = site_stack();
    let mut app = App::new(dir.path());
    app.add_stack(s);
    let out = dir.path().join("cdk.out");
    let mut rendered = app.synth().unwrap().render(Format::Json, None).unwrap();
    rendered.set_workspace(&out, dir.path());
    rendered.write(&out).unwrap();
    let file = out.join("Web.assets.json");
    let text = fs::read_to_string(&file).unwrap();
    for (from, to) in [
        ("\"source\": \"web/dist\"", "\"source\": \"../../etc\""),
        ("\"source\": \"web/dist\"", "\"source\": \"/etc\""),
        ("\"keyPrefix\": \"\"", "\"keyPrefix\": \"../\""),
    ] {
        fs::write(&file, text.replace(from, to)).unwrap();
        let e = AssemblyDir::read(&out).map(|_| ()).unwrap_err().to_string();
        assert!(
            e.contains("Web.assets.json") && e.contains("folders.Web/Site/Content."),
            "{to}: {e}"
        );
    }
}
