//! The files of a cloud assembly as types: `manifest.json`, `<Stack>.assets.json` and
//! `rcdk.json`. Synth writes them from these types and every reader (the toolkit, the local
//! runner) reads them back through them, so the two sides cannot drift apart. Reading is
//! strict: an unknown key, a missing one or a value of the wrong type is an error naming the
//! file and the key.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// `manifest.json`: the assembly's artifacts (stacks and their asset manifests), in
/// deployment order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The cloud assembly schema version ([`super::ASSEMBLY_VERSION`]).
    pub version: String,
    /// Artifact id to artifact.
    pub artifacts: IndexMap<String, Artifact>,
}

/// One artifact of the manifest, told apart by its `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Artifact {
    /// `cdk:asset-manifest`: the file that lists a stack's assets.
    #[serde(rename = "cdk:asset-manifest")]
    AssetManifest(AssetManifestArtifact),
    /// `aws:cloudformation:stack`: a stack and its template.
    #[serde(rename = "aws:cloudformation:stack")]
    Stack(Box<StackArtifact>),
}

/// A `cdk:asset-manifest` artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetManifestArtifact {
    /// Where the asset manifest is and the bootstrap version it needs.
    pub properties: AssetManifestProperties,
}

/// The `properties` of a `cdk:asset-manifest` artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AssetManifestProperties {
    /// The asset manifest's file, relative to the assembly directory.
    pub file: String,
    /// The bootstrap stack version the assets need.
    pub requires_bootstrap_stack_version: u32,
    /// The SSM parameter that holds the bootstrap stack's version.
    pub bootstrap_stack_version_ssm_parameter: String,
}

/// An `aws:cloudformation:stack` artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StackArtifact {
    /// `aws://account/region`, `unknown-account` and `unknown-region` where the deploying
    /// shell decides ([`crate::core::env::Environment`]).
    pub environment: String,
    /// The template and how the stack is deployed.
    pub properties: StackProperties,
    /// The artifacts to deploy first: other stacks and the stack's asset manifest.
    pub dependencies: Vec<String>,
    /// Construct path (`/Stack/Table/Resource`) to its entries.
    pub metadata: IndexMap<String, Vec<MetadataEntry>>,
    /// The name shown for the stack.
    pub display_name: String,
}

/// The `properties` of a stack artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StackProperties {
    /// The template's file, relative to the assembly directory.
    pub template_file: String,
    /// Whether the deployed stack is protected from deletion.
    pub termination_protection: bool,
    /// The stack's tags.
    pub tags: IndexMap<String, String>,
    /// The stack's name, as deployed.
    pub stack_name: String,
    /// rcdk's own: parameters `rcdk deploy` fills with other stacks' outputs (references
    /// across regions), by parameter name (absent when there are none).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters_from_outputs: IndexMap<String, OutputSource>,
}

/// The output a parameter is filled from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OutputSource {
    /// The stack whose output it is (an artifact of the manifest, a dependency of the stack).
    pub stack_name: String,
    /// The output's name.
    pub output_name: String,
}

/// One metadata entry of a construct path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum MetadataEntry {
    /// `aws:cdk:logicalId`: the logical id the construct's resource has in the template.
    #[serde(rename = "aws:cdk:logicalId")]
    LogicalId(LogicalIdEntry),
}

/// The data of an `aws:cdk:logicalId` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogicalIdEntry {
    /// The logical id.
    pub data: String,
}

/// `<Stack>.assets.json`: the stack's file assets (Lambda zips built by cargo-lambda), keyed by
/// content hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AssetManifest {
    /// The cloud assembly schema version.
    pub version: String,
    /// Content hash to asset.
    pub files: IndexMap<String, FileAsset>,
    /// Always empty: rcdk builds no container images.
    pub docker_images: DockerImages,
    /// rcdk's own: the local folders published to the stack's buckets after it deploys, by
    /// construct path (absent when there are none).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub folders: IndexMap<String, FolderAsset>,
}

/// A local folder published to a bucket of the stack after it deploys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FolderAsset {
    /// The folder, relative to the app's workspace (`/`-separated).
    pub source: String,
    /// The logical id of the bucket, in the stack's template.
    pub bucket_logical_id: String,
    /// The key prefix of every object.
    pub key_prefix: String,
    /// Whether objects the folder no longer holds are deleted.
    pub prune: bool,
    /// The logical id of the distribution invalidated when something changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_logical_id: Option<String>,
    /// `Cache-Control` of every uploaded object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
}

/// The (empty) `dockerImages` of an asset manifest: an image there is an unknown key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerImages {}

/// One file asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileAsset {
    /// The construct path of the resource that uses it.
    pub display_name: String,
    /// How it is built.
    pub source: FileSource,
    /// Where it is uploaded (`current_account-current_region`).
    pub destinations: IndexMap<String, Destination>,
}

/// Where a file asset comes from: a crate of the app's workspace, built by cargo-lambda, or
/// (without `cargoLambda`) a nested stack's template, a file of the assembly directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileSource {
    /// The crate's directory, relative to the workspace root; or the template's file name in
    /// the assembly directory.
    pub path: String,
    /// Always `file` (a zip, or the template).
    pub packaging: Packaging,
    /// What cargo-lambda builds; none for a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cargo_lambda: Option<CargoLambda>,
}

/// The packaging of a file asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Packaging {
    /// A single file (the Lambda zip).
    File,
}

/// What cargo-lambda builds for an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CargoLambda {
    /// The package name (`cargo lambda build -p`).
    #[serde(rename = "crate")]
    pub package: String,
    /// The crate's manifest, relative to the workspace root.
    pub manifest_path: String,
    /// The binary target.
    pub binary: String,
    /// The architecture it is built for.
    pub architecture: Architecture,
    /// The content hash (the asset's key in `files`).
    pub hash: String,
}

/// Where an asset is uploaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Destination {
    /// The bootstrap bucket (with `${AWS::AccountId}` and `${AWS::Region}` placeholders).
    pub bucket_name: String,
    /// `<hash>.zip` (a Lambda package) or `<hash>.json` (a nested stack's template).
    pub object_key: String,
}

/// The architecture a Lambda function's code is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Architecture {
    /// `arm64` (Graviton), Lambda's cheaper one and rcdk's default.
    #[serde(rename = "arm64")]
    Arm64,
    /// `x86_64`.
    #[serde(rename = "x86_64")]
    X86_64,
}

impl Architecture {
    /// The name Lambda and the manifest use (`arm64`, `x86_64`).
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::Arm64 => "arm64",
            Architecture::X86_64 => "x86_64",
        }
    }

    /// The target triple cargo-lambda builds for it (its `--arm64` and `--x86-64`).
    pub fn target_triple(self) -> &'static str {
        match self {
            Architecture::Arm64 => "aarch64-unknown-linux-gnu",
            Architecture::X86_64 => "x86_64-unknown-linux-gnu",
        }
    }
}

impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `rcdk.json`: the marker only rcdk writes into an assembly directory. It says where the app's
/// cargo workspace is (so a deploy from the assembly finds the Lambda crates) and which files
/// the assembly holds (what a later synth may replace: nothing else is ever removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// The app's cargo workspace, relative to the assembly directory when it can be (else
    /// absolute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// Every other file of the assembly, by name. Missing in the markers of rcdk before the
    /// list was kept: the files the manifest names are taken then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
}
