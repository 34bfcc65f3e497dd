//! Publishing a local folder to a bucket, the way the AWS CDK's `BucketDeployment` does, but
//! from the toolkit rather than a Lambda function: after each deploy of the stack, `rcdk
//! deploy` uploads the files whose content changed, deletes the objects under the prefix that
//! the folder no longer holds (`prune`, on by default) and invalidates a CloudFront
//! distribution's cache when anything changed. The folder is checked at synth: it must be
//! inside the app's root directory, hold at least one file, and fit S3's limits
//! ([`crate::core::folder`]).

use std::path::PathBuf;

use super::Bucket;
use crate::core::error::Problem;
use crate::core::folder;
use crate::core::stack::{FolderDeployment, Stack};
use crate::core::token::ResourceRef;

/// Settings of a [`BucketDeployment`]: `BucketDeploymentProps::new(folder)` then builder
/// methods.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketDeploymentProps {
    /// The folder: relative to the app's root directory ([`crate::App::new`]), or absolute
    /// inside it.
    pub source: PathBuf,
    /// The key prefix of every object; default: none (the bucket's root).
    pub key_prefix: String,
    /// Delete the objects under the prefix that the folder does not hold; default: true.
    pub prune: bool,
    /// `Cache-Control` of every uploaded object; default: none (CloudFront's cache policy
    /// decides).
    pub cache_control: Option<String>,
    /// The distribution to invalidate (`/<prefix>*`) when something changed.
    pub distribution: Option<ResourceRef>,
}

impl BucketDeploymentProps {
    /// The folder `source`, published to the bucket's root, pruned.
    pub fn new(source: impl Into<PathBuf>) -> Self {
        BucketDeploymentProps {
            source: source.into(),
            key_prefix: String::new(),
            prune: true,
            cache_control: None,
            distribution: None,
        }
    }
    /// Publishes under `prefix` (`assets/`); pruning then deletes under it only.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }
    /// Keeps objects the folder no longer holds.
    pub fn retain_removed_files(mut self) -> Self {
        self.prune = false;
        self
    }
    /// `Cache-Control` of every uploaded object (`public, max-age=31536000, immutable`).
    pub fn cache_control(mut self, value: impl Into<String>) -> Self {
        self.cache_control = Some(value.into());
        self
    }
    /// Invalidates this `AWS::CloudFront::Distribution` when something changed.
    pub fn invalidate(mut self, distribution: &ResourceRef) -> Self {
        self.distribution = Some(distribution.clone());
        self
    }
}

/// A folder published to a bucket by `rcdk deploy` (it adds no resource to the template).
///
/// # Examples
///
/// ```
/// use constructs::s3::{Bucket, BucketDeployment, BucketDeploymentProps, BucketProps};
/// use constructs::{App, Stack};
/// # // the app's root, holding the built site in `dist/`
/// # let root = tempfile::tempdir().unwrap();
/// # std::fs::create_dir_all(root.path().join("dist")).unwrap();
/// # std::fs::write(root.path().join("dist/index.html"), "<h1>Hello</h1>").unwrap();
/// # std::env::set_current_dir(root.path()).unwrap();
///
/// let mut stack = Stack::new("Site");
/// let bucket = Bucket::new(&mut stack, "Assets", BucketProps::new());
/// let props = BucketDeploymentProps::new("dist").key_prefix("static/");
/// BucketDeployment::new(&mut stack, "Publish", &bucket, props);
///
/// let mut app = App::new(".");
/// app.add_stack(stack);
/// let assembly = app.synth().expect("the folder is inside the app's root");
/// let published = &assembly.stack("Site").unwrap().folders[0];
/// assert_eq!((published.source.as_str(), published.key_prefix.as_str()), ("dist", "static/"));
/// // objects under the prefix that the folder no longer holds are deleted
/// assert!(published.prune);
/// ```
#[derive(Debug, Clone)]
pub struct BucketDeployment {
    path: String,
}

impl BucketDeployment {
    /// Publishes `props.source` to `bucket`. What S3 or CloudFront would refuse (a bad
    /// prefix, a header value with a line break, a bucket or distribution of another stack)
    /// is reported at synth with the construct path; the folder's content is checked at synth.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        bucket: &Bucket,
        props: BucketDeploymentProps,
    ) -> BucketDeployment {
        let path = stack.path_of(id);
        if !folder::valid_prefix(&props.key_prefix) {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "the key prefix {:?} must be empty or segments ending in / (`assets/`), without a leading /, `.` or `..`",
                        props.key_prefix
                    ),
                )
                .property("KeyPrefix"),
            );
        }
        if let Some(cc) = &props.cache_control {
            if cc.is_empty() || cc.chars().any(|c| c.is_control() || !c.is_ascii()) {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!(
                            "the Cache-Control value {cc:?} must be printable ASCII on one line"
                        ),
                    )
                    .property("CacheControl"),
                );
            }
        }
        let others = std::iter::once(("bucket", bucket.resource()))
            .chain(props.distribution.iter().map(|d| ("distribution", d)));
        for (what, r) in others {
            if r.stack() != stack.name() {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!(
                            "the {what} {} is in stack {}: the toolkit publishes after the deployment's own stack, so the {what} must be in {}",
                            r.path(),
                            r.stack(),
                            stack.name()
                        ),
                    )
                    .help("create the BucketDeployment in the stack that holds the bucket"),
                );
            }
        }
        stack.add_folder_deployment(
            id,
            FolderDeployment {
                source: props.source,
                bucket: bucket.resource().clone(),
                key_prefix: props.key_prefix,
                prune: props.prune,
                distribution: props.distribution,
                cache_control: props.cache_control,
            },
        );
        BucketDeployment { path }
    }

    /// The construct path.
    pub fn path(&self) -> &str {
        &self.path
    }
}
