//! Publishing what templates point at: the bootstrap bucket, the Lambda zips (built with one
//! `cargo lambda build` over every crate whose hash is not yet in the bucket) and templates too
//! large to pass inline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_sdk_s3::primitives::ByteStream;
use constructs::core::synth::AssetEntry;
use sha2::{Digest, Sha256};

use super::aws::Aws;
use super::error::DeployError;
use super::ui::Ui;

/// The stack `rcdk bootstrap` (and `cdk bootstrap`) creates.
pub const TOOLKIT_STACK: &str = "CDKToolkit";
/// Its asset bucket's logical id (the AWS CDK's, so either tool can update the stack).
pub const BUCKET_LOGICAL_ID: &str = "StagingBucket";

/// The asset bucket, and the account that must own it: every S3 call on it passes
/// `ExpectedBucketOwner`, so a bucket of that name owned by someone else (deleted, then taken
/// by another account) is never written to or read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetBucket {
    pub name: String,
    /// The account of the CDKToolkit stack (from its ARN).
    pub owner: Option<String>,
}

impl AssetBucket {
    /// A bucket whose owner is `owner`.
    pub fn new(name: impl Into<String>, owner: Option<&str>) -> AssetBucket {
        AssetBucket {
            name: name.into(),
            owner: owner.map(str::to_string),
        }
    }
}

impl std::fmt::Display for AssetBucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// The account of an ARN (`arn:aws:cloudformation:us-east-1:123456789012:stack/...`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// The asset bucket of the account and region, from the CDKToolkit stack.
pub async fn find_bucket(aws: &Aws) -> Result<AssetBucket, DeployError> {
    let found = aws
        .cfn
        .describe_stack_resource()
        .stack_name(TOOLKIT_STACK)
        .logical_resource_id(BUCKET_LOGICAL_ID)
        .send()
        .await;
    let bucket = match found {
        Ok(out) => out.stack_resource_detail().and_then(|d| {
            let name = d.physical_resource_id()?;
            Some(AssetBucket::new(name, d.stack_id().and_then(arn_account)))
        }),
        Err(e) if super::aws::is_missing_stack(&e) => None,
        Err(e) => return Err(aws.error("DescribeStackResource", Some(TOOLKIT_STACK), e)),
    };
    let Some(bucket) = bucket else {
        return Err(DeployError::NotBootstrapped {
            detail: format!("there is no {TOOLKIT_STACK} stack in {}", aws.region),
        });
    };
    let head = aws
        .s3
        .head_bucket()
        .bucket(&bucket.name)
        .set_expected_bucket_owner(bucket.owner.clone())
        .send()
        .await;
    if let Err(e) = head {
        if e.raw_response().map(|r| r.status().as_u16()) == Some(404) {
            return Err(DeployError::NotBootstrapped {
                detail: format!("the asset bucket {bucket} of {TOOLKIT_STACK} is gone"),
            });
        }
        return Err(aws.error("HeadBucket", None, e));
    }
    Ok(bucket)
}

/// Whether the bucket holds the key.
pub async fn exists(aws: &Aws, bucket: &AssetBucket, key: &str) -> Result<bool, DeployError> {
    let head = aws
        .s3
        .head_object()
        .bucket(&bucket.name)
        .key(key)
        .set_expected_bucket_owner(bucket.owner.clone())
        .send()
        .await;
    match head {
        Ok(_) => Ok(true),
        Err(e) => {
            let status = e.raw_response().map(|r| r.status().as_u16());
            if status == Some(404) || e.as_service_error().is_some_and(|s| s.is_not_found()) {
                Ok(false)
            } else {
                Err(aws.error("HeadObject", None, e))
            }
        }
    }
}

/// Puts bytes under a key; the upload's timeouts grow with its size
/// ([`crate::aws::upload_timeouts`]), within the command's deadline.
pub async fn upload(
    aws: &Aws,
    bucket: &AssetBucket,
    key: &str,
    body: Vec<u8>,
) -> Result<(), DeployError> {
    let timeouts = crate::aws::upload_timeouts(aws.config.as_ref(), body.len());
    aws.s3
        .put_object()
        .bucket(&bucket.name)
        .key(key)
        .set_expected_bucket_owner(bucket.owner.clone())
        .body(ByteStream::from(body))
        .customize()
        .config_override(aws_sdk_s3::config::Builder::default().timeout_config(timeouts))
        .send()
        .await
        .map_err(|e| aws.error("PutObject", None, e))?;
    Ok(())
}

/// What publishing did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Published {
    /// Asset hashes already in the bucket.
    pub present: Vec<String>,
    /// Asset hashes built and uploaded.
    pub uploaded: Vec<String>,
}

/// Where cargo-lambda puts the zips: `lambda/` of the workspace's target directory, as cargo
/// decides it (`CARGO_TARGET_DIR`, `CARGO_BUILD_TARGET_DIR`, `build.target-dir`), through the
/// one cargo model; the build is told the same directory with `--lambda-dir`.
pub fn lambda_dir(root: &Path) -> Result<PathBuf, DeployError> {
    constructs::core::cargo::target_directory(root)
        .map(|t| t.join("lambda"))
        .map_err(|e| DeployError::Cargo {
            message: e.to_string(),
        })
}

/// Makes sure every asset is in the bucket: when one is missing, the crates of `app_assets`
/// (every asset of the app, not only the selected stacks': building always the same set of
/// crates keeps cargo's feature resolution, and so the shared target directory, stable) are
/// built (one cargo-lambda run per architecture) and the missing ones uploaded under
/// `<hash>.zip`.
pub async fn publish(
    aws: &Aws,
    ui: &Ui,
    bucket: &AssetBucket,
    assets: &[AssetEntry],
    app_assets: &[AssetEntry],
    root: &Path,
) -> Result<Published, DeployError> {
    let mut unique: BTreeMap<&str, &AssetEntry> = BTreeMap::new();
    for a in assets {
        unique.entry(a.hash.as_str()).or_insert(a);
    }
    let mut published = Published::default();
    let mut missing = Vec::new();
    for (hash, asset) in &unique {
        if exists(aws, bucket, &asset.object_key()).await? {
            published.present.push(hash.to_string());
        } else {
            missing.push(*asset);
        }
    }
    if missing.is_empty() {
        if !unique.is_empty() {
            ui.line(format!(
                "assets: {} Lambda package(s) already in {bucket}; nothing to build",
                unique.len()
            ));
        }
        return Ok(published);
    }
    let mut to_build: Vec<&AssetEntry> = app_assets.iter().collect();
    to_build.extend(missing.iter().copied());
    let lambda_dir = lambda_dir(root)?;
    build(ui, root, &lambda_dir, &to_build).await?;
    for asset in missing {
        let zip = lambda_dir.join(&asset.binary).join("bootstrap.zip");
        let body = std::fs::read(&zip).map_err(|source| DeployError::Io {
            action: "read the built package",
            path: zip.clone(),
            source,
        })?;
        let bytes = body.len();
        upload(aws, bucket, &asset.object_key(), body).await?;
        ui.line(format!(
            "assets: uploaded {} ({} KiB) as s3://{bucket}/{}",
            asset.binary,
            bytes / 1024,
            asset.object_key()
        ));
        published.uploaded.push(asset.hash.clone());
    }
    Ok(published)
}

/// The directory to put in front of PATH so that `cargo lambda` finds cargo-lambda: none when
/// it is on PATH already, `<root>/.venv/bin` when it is there (scripts/test installs it there).
fn cargo_lambda_dir(root: &Path) -> Result<Option<PathBuf>, DeployError> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("cargo-lambda").is_file()))
        .unwrap_or(false);
    if on_path {
        return Ok(None);
    }
    let venv = root.join(".venv").join("bin");
    if venv.join("cargo-lambda").is_file() {
        return Ok(Some(venv));
    }
    Err(DeployError::NoCargoLambda)
}

/// Builds the crates of the assets with `cargo lambda build --release --output-format zip`,
/// its output shown as it is.
async fn build(
    ui: &Ui,
    root: &Path,
    lambda_dir: &Path,
    assets: &[&AssetEntry],
) -> Result<(), DeployError> {
    let extra = cargo_lambda_dir(root)?;
    let mut by_arch: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in assets {
        // by package name: a crate's directory may be named otherwise
        let krate = a.package.as_str();
        let list = by_arch.entry(a.architecture.as_str()).or_default();
        if !list.contains(&krate) {
            list.push(krate);
        }
    }
    for (arch, crates) in by_arch {
        // async, so that Ctrl-C is still heard while it builds
        let mut cmd = tokio::process::Command::new("cargo");
        cmd.current_dir(root)
            .args(["lambda", "build", "--release", "--output-format", "zip"])
            .arg("--lambda-dir")
            .arg(lambda_dir);
        cmd.arg(if arch == "x86_64" {
            "--x86-64"
        } else {
            "--arm64"
        });
        for c in &crates {
            cmd.args(["-p", c]);
        }
        if let Some(dir) = &extra {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![dir.clone()];
            dirs.extend(std::env::split_paths(&path));
            if let Ok(joined) = std::env::join_paths(dirs) {
                cmd.env("PATH", joined);
            }
        }
        ui.line(format!(
            "assets: building {} for {arch} (cargo lambda build --release)",
            crates.join(", ")
        ));
        let started = std::time::Instant::now();
        let status = cmd.status().await.map_err(|source| DeployError::Io {
            action: "run cargo lambda in",
            path: root.to_path_buf(),
            source,
        })?;
        if !status.success() {
            return Err(DeployError::Build {
                status: status.code(),
            });
        }
        ui.line(format!(
            "assets: built in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(())
}

/// The key of a template uploaded to the asset bucket: its SHA-256, like the AWS CDK's.
pub fn template_key(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.json")
}

/// The URL CloudFormation reads an uploaded template from. With a local endpoint it is
/// path-style on that endpoint, loopback spelled `localhost` (local S3 stand-ins route by
/// that host name).
pub fn template_url(aws: &Aws, bucket: &AssetBucket, key: &str) -> String {
    let bucket = &bucket.name;
    match &aws.endpoint {
        Some(endpoint) => format!(
            "{}/{bucket}/{key}",
            endpoint
                .trim_end_matches('/')
                .replace("127.0.0.1", "localhost")
        ),
        None => {
            let suffix = if aws.region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            format!("https://{bucket}.s3.{}.{suffix}/{key}", aws.region)
        }
    }
}
