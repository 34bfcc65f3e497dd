//! A site's folder published by `deploy` on moto: the catalog's `tests/fixtures/site` in its
//! site bucket, and a user's site changed between deploys (a changed file uploaded, a removed
//! one deleted, an unchanged one left as it was, the distribution invalidated only when
//! something changed), and a folder with a link out of it refused with nothing uploaded.
//!
//! Expected behaviour: the AWS CDK's BucketDeployment (prune on by default, the distribution
//! invalidated at `/*`), S3's ETag of a single PutObject being the MD5 of the body (Amazon S3
//! API Reference, Object: "ETag ... objects created by the PUT Object ... and are encrypted by
//! SSE-S3 ... have ETags that are an MD5 digest of their object data"). moto keeps
//! LastModified per PutObject, which is how "not uploaded again" is seen from outside.

use std::path::Path;
use std::time::Duration;

use constructs::website::{StaticSite, StaticSiteProps};
use constructs::{App, Format, Stack};

use super::common;
use super::common::moto::ok;

fn sdk(config: &aws_config::SdkConfig) -> (aws_sdk_s3::Client, aws_sdk_cloudformation::Client) {
    (
        aws_sdk_s3::Client::new(config),
        aws_sdk_cloudformation::Client::new(config),
    )
}

async fn physical(cfn: &aws_sdk_cloudformation::Client, stack: &str, logical: &str) -> String {
    cfn.describe_stack_resource()
        .stack_name(stack)
        .logical_resource_id(logical)
        .send()
        .await
        .ok()
        .and_then(|o| {
            o.stack_resource_detail()?
                .physical_resource_id()
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("no physical id of {stack}/{logical}"))
}

/// Key -> (body, Content-Type, LastModified) of every object of the bucket.
async fn objects(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
) -> std::collections::BTreeMap<String, (String, String, String)> {
    let listed = s3
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("list {bucket}: {e:?}"));
    let mut out = std::collections::BTreeMap::new();
    for o in listed.contents() {
        let key = o.key().unwrap_or_default().to_string();
        let got = s3
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("get {key}: {e:?}"));
        let content_type = got.content_type().unwrap_or_default().to_string();
        let modified = o.last_modified().map(|t| t.to_string()).unwrap_or_default();
        let body = got
            .body
            .collect()
            .await
            .map(|b| String::from_utf8_lossy(&b.into_bytes()).into_owned())
            .unwrap_or_default();
        out.insert(key, (body, content_type, modified));
    }
    out
}

/// How many invalidations CloudFront (moto's) holds for the distribution.
async fn invalidations(signed: &rcdk_toolkit::signed::Signed, distribution: &str) -> usize {
    let answer = signed
        .send(
            "cloudfront",
            "GET",
            &format!("/2020-05-31/distribution/{distribution}/invalidation"),
            &[],
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("ListInvalidations: {e}"));
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    assert_eq!(answer.status, 200, "ListInvalidations: {text}");
    rcdk_toolkit::publish::xml_text(&text, "Quantity")
        .and_then(|q| q.parse().ok())
        .unwrap_or_else(|| panic!("no Quantity in {text}"))
}

fn signed(endpoint: &str, config: &aws_config::SdkConfig) -> rcdk_toolkit::signed::Signed {
    let (s3, cfn) = sdk(config);
    rcdk_toolkit::signed::Signed::new(&rcdk_toolkit::aws::Aws {
        cfn,
        s3,
        region: common::moto::REGION.to_string(),
        endpoint: Some(endpoint.to_string()),
        config: Some(config.clone()),
    })
}

fn logical_id(template: &serde_json::Value, path: &str) -> String {
    template["Resources"]
        .as_object()
        .and_then(|r| {
            r.iter()
                .find(|(_, r)| r["Metadata"]["aws:cdk:path"] == path)
        })
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no {path}"))
}

/// The catalog's site bucket holds exactly the fixture folder, typed, and its distribution
/// was invalidated once.
pub async fn catalog_site_is_published(endpoint: &str, template: &serde_json::Value) {
    let config = common::moto::sdk_config(endpoint).await;
    let (s3, cfn) = sdk(&config);
    let bucket = physical(
        &cfn,
        "Catalog",
        &logical_id(template, "Catalog/Site/Bucket/Resource"),
    )
    .await;
    let got = objects(&s3, &bucket).await;
    let keys: Vec<&str> = got.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [".well-known/security.txt", "assets/app.js", "index.html"]
    );
    let fixture = common::root().join("tests/fixtures/site/index.html");
    let index = std::fs::read_to_string(&fixture).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got["index.html"].0, index);
    assert_eq!(got["index.html"].1, "text/html; charset=utf-8");
    assert_eq!(got["assets/app.js"].1, "text/javascript; charset=utf-8");
    let distribution = physical(
        &cfn,
        "Catalog",
        &logical_id(template, "Catalog/Site/Distribution/Resource"),
    )
    .await;
    assert_eq!(
        invalidations(&signed(endpoint, &config), &distribution).await,
        1
    );
}

fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap_or(root)).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(p, body).unwrap_or_else(|e| panic!("{e}"));
}

/// A user's site deployed three times: the first publishes everything, the second (a file
/// changed, one removed, one added) uploads and deletes exactly those and leaves the others,
/// the third (nothing changed) neither uploads nor invalidates; then a link to a file outside
/// the folder fails the deploy and nothing is uploaded.
pub fn a_changed_site_uploads_what_changed_and_prunes_what_is_gone(toolkit: &Path, endpoint: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    write(root, "dist/index.html", "<h1>v1</h1>");
    write(root, "dist/app.js", "console.log(1)");
    write(root, "dist/old.css", "h1{}");
    let mut stack = Stack::new("Shop");
    StaticSite::new(&mut stack, "Site", StaticSiteProps::new().content("dist"));
    let mut app = App::new(root);
    app.add_stack(stack);
    let assembly = root.join("cdk.out");
    let synthesized = app.synth().unwrap_or_else(|e| panic!("synth: {e}"));
    let template = synthesized
        .stack("Shop")
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let mut rendered = synthesized
        .render(Format::Json, None)
        .unwrap_or_else(|e| panic!("render: {e}"));
    rendered.set_workspace(&assembly, root);
    rendered
        .write(&assembly)
        .unwrap_or_else(|e| panic!("write: {e}"));
    let app_arg = assembly.to_string_lossy().to_string();
    let deploy = || {
        common::moto::run(
            toolkit,
            root,
            endpoint,
            &[
                "deploy",
                "--app",
                &app_arg,
                "Shop",
                "--require-approval",
                "never",
            ],
            Duration::from_secs(120),
        )
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let config = runtime.block_on(common::moto::sdk_config(endpoint));
    let (s3, cfn) = sdk(&config);
    let bucket_id = logical_id(&template, "Shop/Site/Bucket/Resource");
    let distribution_id = logical_id(&template, "Shop/Site/Distribution/Resource");

    ok(&deploy(), "first deploy of the site");
    let (bucket, distribution) = runtime.block_on(async {
        (
            physical(&cfn, "Shop", &bucket_id).await,
            physical(&cfn, "Shop", &distribution_id).await,
        )
    });
    let first = runtime.block_on(objects(&s3, &bucket));
    assert_eq!(
        first.keys().map(String::as_str).collect::<Vec<_>>(),
        ["app.js", "index.html", "old.css"]
    );
    assert_eq!(first["old.css"].1, "text/css; charset=utf-8");
    let signed = signed(endpoint, &config);
    assert_eq!(runtime.block_on(invalidations(&signed, &distribution)), 1);

    // LastModified has a resolution of a second
    std::thread::sleep(Duration::from_millis(1100));
    write(root, "dist/index.html", "<h1>v2</h1>");
    std::fs::remove_file(root.join("dist/old.css")).unwrap_or_else(|e| panic!("{e}"));
    write(root, "dist/new/page.html", "<p>new</p>");
    let second = deploy();
    ok(&second, "second deploy of the site");
    let now = runtime.block_on(objects(&s3, &bucket));
    assert_eq!(
        now.keys().map(String::as_str).collect::<Vec<_>>(),
        ["app.js", "index.html", "new/page.html"],
        "old.css pruned, new/page.html added"
    );
    assert_eq!(now["index.html"].0, "<h1>v2</h1>");
    assert_ne!(
        now["index.html"].2, first["index.html"].2,
        "index.html uploaded again"
    );
    assert_eq!(
        now["app.js"].2, first["app.js"].2,
        "app.js is as deployed: not uploaded again"
    );
    assert_eq!(runtime.block_on(invalidations(&signed, &distribution)), 2);

    let third = deploy();
    ok(&third, "third deploy of the site");
    assert_eq!(
        runtime.block_on(invalidations(&signed, &distribution)),
        2,
        "nothing changed, nothing invalidated:\n{}",
        third.stderr
    );
    assert_eq!(runtime.block_on(objects(&s3, &bucket)), now);

    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        write(outside.path(), "credentials", "secret");
        write(root, "dist/index.html", "<h1>v3</h1>");
        std::os::unix::fs::symlink(
            outside.path().join("credentials"),
            root.join("dist/creds.txt"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let refused = deploy();
        assert_ne!(refused.code, 0, "{}", refused.stdout);
        let said = format!("{}{}", refused.stdout, refused.stderr);
        assert!(
            said.contains("creds.txt: is a symbolic link to")
                && said.contains("outside the folder"),
            "{said}"
        );
        assert_eq!(
            runtime.block_on(objects(&s3, &bucket)),
            now,
            "nothing uploaded, nothing deleted"
        );
    }
}
