//! The cloud assembly directory (`cdk.out/`), modelled on the AWS CDK's format:
//! `manifest.json`, `<Stack>.template.json` (or `.yaml`), `<Stack>.assets.json` and rcdk's own
//! `rcdk.json`. Every file is written from the types of [`manifest`] and read back through
//! them ([`read`]); [`mod@write`] puts an assembly in place without touching what is not its own.

pub mod manifest;
pub mod order;
pub mod read;
pub mod write;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

use super::app::CloudAssembly;
use super::error::{Problem, SynthError, Warning};
use super::synth::SynthesizedStack;
use super::yaml;
use manifest::{
    Artifact, AssetManifest, AssetManifestArtifact, AssetManifestProperties, CargoLambda,
    Destination, DockerImages, FileAsset, FileSource, FolderAsset, LogicalIdEntry, Manifest,
    Marker, MetadataEntry, Packaging, StackArtifact, StackProperties,
};
pub use read::{AssemblyDir, AssemblyError};

/// The cloud assembly schema version the manifest follows.
pub const ASSEMBLY_VERSION: &str = "36.0.0";
/// The AWS CDK's default bootstrap qualifier.
pub const BOOTSTRAP_QUALIFIER: &str = "hnb659fds";
/// The asset bucket of an account bootstrapped by the AWS CDK (or `rcdk bootstrap`).
pub const ASSET_BUCKET: &str = "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}";
/// A template body larger than this must be uploaded to S3 to deploy.
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;
/// A template larger than this cannot be deployed at all.
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";
/// rcdk's marker file of an assembly ([`manifest::Marker`]): where the app's cargo workspace
/// is (relative to the assembly directory), so that a deploy from the assembly finds the
/// Lambda crates, and which files the assembly holds.
pub const WORKSPACE_FILE: &str = "rcdk.json";

/// The template file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `.template.json` files, the default.
    #[default]
    Json,
    /// `.template.yaml` files.
    Yaml,
}

impl Format {
    /// The file extension of a template in this format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

/// What the summary table shows of a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSummary {
    /// The stack's name.
    pub name: String,
    /// How many resources its template has.
    pub resources: usize,
    /// How many of them are of each type, in the order the types are first met.
    pub types: IndexMap<String, usize>,
    /// How many code assets it uploads.
    pub assets: usize,
    /// The size of its template file, in bytes.
    pub template_bytes: usize,
    /// The stacks it must be deployed after.
    pub dependencies: Vec<String>,
    /// Its nested stacks, each named `<stack>/<logical id>` (no assets, no dependencies of
    /// their own: theirs are the parent's).
    pub nested: Vec<StackSummary>,
}

impl StackSummary {
    /// How many of its resources are of `type_name`.
    pub fn count_of(&self, type_name: &str) -> usize {
        self.types.get(type_name).copied().unwrap_or(0)
    }
}

/// An assembly rendered to file contents, ready to be written.
#[derive(Debug, Clone)]
pub struct RenderedAssembly {
    /// File name (relative to the assembly directory) and content, in a stable order; the
    /// marker (`rcdk.json`) last.
    pub files: Vec<(String, Vec<u8>)>,
    /// One summary per stack, in deployment order.
    pub summaries: Vec<StackSummary>,
    /// What synth found legal but worth knowing.
    pub warnings: Vec<Warning>,
}

/// Renders a JSON document the way every file of the assembly is written.
pub fn to_json_text(value: &Json) -> String {
    to_text(value)
}

/// Renders a value of the assembly's types as its file's text: pretty JSON and a newline.
pub fn to_text(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn asset_manifest(stack: &SynthesizedStack) -> AssetManifest {
    let mut files = IndexMap::new();
    for asset in &stack.assets {
        if files.contains_key(&asset.hash) {
            continue;
        }
        files.insert(
            asset.hash.clone(),
            FileAsset {
                display_name: asset.path.clone(),
                source: FileSource {
                    path: asset.crate_dir.clone(),
                    packaging: Packaging::File,
                    cargo_lambda: Some(CargoLambda {
                        package: asset.package.clone(),
                        manifest_path: format!("{}/Cargo.toml", asset.crate_dir),
                        binary: asset.binary.clone(),
                        architecture: asset.architecture,
                        hash: asset.hash.clone(),
                    }),
                },
                destinations: IndexMap::from([(
                    "current_account-current_region".to_string(),
                    Destination {
                        bucket_name: ASSET_BUCKET.to_string(),
                        object_key: asset.object_key(),
                    },
                )]),
            },
        );
    }
    for nested in &stack.nested {
        files.insert(
            nested.hash.clone(),
            FileAsset {
                display_name: nested.path.clone(),
                source: FileSource {
                    path: nested.file_name(),
                    packaging: Packaging::File,
                    cargo_lambda: None,
                },
                destinations: IndexMap::from([(
                    "current_account-current_region".to_string(),
                    Destination {
                        bucket_name: ASSET_BUCKET.to_string(),
                        object_key: nested.object_key(),
                    },
                )]),
            },
        );
    }
    let folders = stack
        .folders
        .iter()
        .map(|f| {
            (
                f.path.clone(),
                FolderAsset {
                    source: f.source.clone(),
                    bucket_logical_id: f.bucket.clone(),
                    key_prefix: f.key_prefix.clone(),
                    prune: f.prune,
                    distribution_logical_id: f.distribution.clone(),
                    cache_control: f.cache_control.clone(),
                },
            )
        })
        .collect();
    AssetManifest {
        version: ASSEMBLY_VERSION.to_string(),
        files,
        docker_images: DockerImages::default(),
        folders,
    }
}

impl CloudAssembly {
    /// The named stacks and, transitively, the stacks they depend on, in deployment order.
    /// Linear in the stacks and their dependencies (an assembly may hold thousands).
    pub fn with_dependencies(&self, names: &[String]) -> Vec<String> {
        let by_name: std::collections::HashMap<&str, &SynthesizedStack> =
            self.stacks.iter().map(|s| (s.name.as_str(), s)).collect();
        let mut wanted: std::collections::HashSet<&str> =
            names.iter().map(String::as_str).collect();
        let mut todo: Vec<&str> = names.iter().map(String::as_str).collect();
        while let Some(name) = todo.pop() {
            if let Some(s) = by_name.get(name) {
                for d in &s.dependencies {
                    if wanted.insert(d.as_str()) {
                        todo.push(d.as_str());
                    }
                }
            }
        }
        self.stacks
            .iter()
            .filter(|s| wanted.contains(s.name.as_str()))
            .map(|s| s.name.clone())
            .collect()
    }

    /// Renders the named stacks (all when `names` is `None`) in `format`; a template over
    /// CloudFormation's 1 MB limit is an error, one over 51,200 bytes a warning.
    pub fn render(
        &self,
        format: Format,
        names: Option<&[String]>,
    ) -> Result<RenderedAssembly, SynthError> {
        let selected: Vec<&SynthesizedStack> = self
            .stacks
            .iter()
            .filter(|s| names.is_none_or(|n| n.contains(&s.name)))
            .collect();
        let mut files = Vec::new();
        let mut summaries = Vec::new();
        let mut warnings = self.warnings.clone();
        let mut problems = Vec::new();
        let mut artifacts = IndexMap::new();
        for stack in &selected {
            let template_file = format!("{}.template.{}", stack.name, format.extension());
            let body = match format {
                Format::Json => to_json_text(&stack.template),
                Format::Yaml => yaml::render(&stack.template),
            };
            let bytes = body.len();
            if bytes > MAX_TEMPLATE_BYTES {
                problems.push(
                    Problem::new(&stack.name, format!(
                        "the template has {bytes} bytes; CloudFormation accepts at most {MAX_TEMPLATE_BYTES}"
                    ))
                    .help("split the stack; references across stacks are wired by synth"),
                );
            } else if bytes > MAX_INLINE_TEMPLATE_BYTES {
                warnings.push(Warning {
                    path: stack.name.clone(),
                    message: format!(
                        "the template has {bytes} bytes, over the {MAX_INLINE_TEMPLATE_BYTES} CloudFormation takes inline: deploy will upload it to the asset bucket"
                    ),
                });
            }
            files.push((template_file.clone(), body.into_bytes()));
            // a nested stack's template is deployed from the asset bucket, in JSON whatever the
            // format (its hash is the parent's TemplateURL)
            for nested in &stack.nested {
                let bytes = nested.body.len();
                if bytes > MAX_TEMPLATE_BYTES {
                    problems.push(
                        Problem::new(&nested.name, format!(
                            "the nested template has {bytes} bytes; CloudFormation accepts at most {MAX_TEMPLATE_BYTES}"
                        ))
                        .help("split it into two nested stacks"),
                    );
                }
                files.push((nested.file_name(), nested.body.clone().into_bytes()));
            }
            let assets_file = format!("{}.assets.json", stack.name);
            files.push((
                assets_file.clone(),
                to_text(&asset_manifest(stack)).into_bytes(),
            ));

            let assets_id = format!("{}.assets", stack.name);
            artifacts.insert(
                assets_id.clone(),
                Artifact::AssetManifest(AssetManifestArtifact {
                    properties: AssetManifestProperties {
                        file: assets_file,
                        requires_bootstrap_stack_version: 6,
                        bootstrap_stack_version_ssm_parameter: format!(
                            "/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version"
                        ),
                    },
                }),
            );
            let metadata = stack
                .logical_ids
                .iter()
                .map(|(path, id)| {
                    (
                        format!("/{path}"),
                        vec![MetadataEntry::LogicalId(LogicalIdEntry {
                            data: id.clone(),
                        })],
                    )
                })
                .collect();
            let mut dependencies = stack.dependencies.clone();
            dependencies.push(assets_id);
            artifacts.insert(
                stack.name.clone(),
                Artifact::Stack(Box::new(StackArtifact {
                    environment: stack.environment.uri(),
                    properties: StackProperties {
                        template_file,
                        termination_protection: stack.termination_protection,
                        tags: stack.tags.clone(),
                        stack_name: stack.name.clone(),
                        parameters_from_outputs: stack
                            .from_outputs
                            .iter()
                            .map(|(p, o)| {
                                (
                                    p.clone(),
                                    manifest::OutputSource {
                                        stack_name: o.stack.clone(),
                                        output_name: o.output.clone(),
                                    },
                                )
                            })
                            .collect(),
                    },
                    dependencies,
                    metadata,
                    display_name: stack.name.clone(),
                })),
            );
            let types_of = |template: &Json| {
                let mut types = IndexMap::new();
                let resources = template.get("Resources").and_then(Json::as_object);
                for t in resources
                    .into_iter()
                    .flat_map(|r| r.values())
                    .filter_map(|v| v.get("Type")?.as_str())
                {
                    *types.entry(t.to_string()).or_insert(0) += 1;
                }
                types
            };
            summaries.push(StackSummary {
                name: stack.name.clone(),
                resources: stack.resource_count(),
                types: types_of(&stack.template),
                assets: stack.assets.len(),
                template_bytes: bytes,
                dependencies: stack.dependencies.clone(),
                nested: stack
                    .nested
                    .iter()
                    .map(|n| {
                        let types = types_of(&n.template);
                        StackSummary {
                            name: format!("{}/{}", stack.name, n.logical_id),
                            resources: types.values().sum(),
                            types,
                            assets: 0,
                            template_bytes: n.body.len(),
                            dependencies: Vec::new(),
                            nested: Vec::new(),
                        }
                    })
                    .collect(),
            });
        }
        if !problems.is_empty() {
            return Err(SynthError::Invalid(problems));
        }
        let manifest = Manifest {
            version: ASSEMBLY_VERSION.to_string(),
            artifacts,
        };
        files.insert(0, (MANIFEST_FILE.into(), to_text(&manifest).into_bytes()));
        let mut rendered = RenderedAssembly {
            files,
            summaries,
            warnings,
        };
        rendered.set_marker(None);
        Ok(rendered)
    }
}

impl RenderedAssembly {
    /// Records in the marker (`rcdk.json`) where the app's cargo workspace is, relative to the
    /// assembly directory `out` when it can be (else absolute), so that a deploy of the
    /// assembly finds the Lambda crates.
    pub fn set_workspace(&mut self, out: &std::path::Path, workspace: &std::path::Path) {
        self.set_marker(Some(write::workspace_path(out, workspace)));
    }

    /// The marker written last: the workspace (when known) and every other file's name.
    fn set_marker(&mut self, workspace: Option<String>) {
        self.files.retain(|(name, _)| name != WORKSPACE_FILE);
        let marker = Marker {
            workspace,
            files: Some(self.files.iter().map(|(name, _)| name.clone()).collect()),
        };
        self.files
            .push((WORKSPACE_FILE.to_string(), to_text(&marker).into_bytes()));
    }
}

/// Why a stack selection (names or globs on the command line) selects nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// A name or glob that matches none of the app's stacks.
    #[error("no stack matches {pattern:?}")]
    NoStack {
        /// The name or glob as given.
        pattern: String,
        /// The app's stack names, comma-separated.
        available: String,
    },
    /// A name of a nested stack, which is deployed (and destroyed, diffed) with its parent.
    #[error("{pattern:?} is a nested stack of {parent}, deployed inside it")]
    Nested {
        /// The name as given.
        pattern: String,
        /// Its parent.
        parent: String,
    },
    /// A glob that does not parse.
    #[error("{pattern:?} is not a valid stack pattern: {message}")]
    BadPattern {
        /// The glob as given.
        pattern: String,
        /// The glob parser's complaint.
        message: String,
    },
    /// No stack named, no `--all`, and the app has more than one stack.
    #[error("name the stacks to {verb}, or use --all")]
    NoSelection {
        /// The command that needs a selection (`deploy`, `destroy`).
        verb: String,
        /// The app's stack names, comma-separated.
        available: String,
    },
}

impl SelectError {
    /// What to do about it.
    pub fn help(&self) -> String {
        match self {
            SelectError::NoStack { available, .. } | SelectError::NoSelection { available, .. } => {
                format!("the app's stacks: {available}")
            }
            SelectError::BadPattern { .. } => "use a stack name, or a glob such as '*Api'".into(),
            SelectError::Nested { parent, .. } => format!("name its parent stack, {parent}"),
        }
    }
}

impl CloudAssembly {
    /// The stacks named (names or globs), in the app's order. `all`, or no pattern in an app
    /// of one stack, selects every stack; no pattern otherwise is an error (`verb` names the
    /// command in it).
    pub fn matching(
        &self,
        patterns: &[String],
        all: bool,
        verb: &str,
    ) -> Result<Vec<String>, SelectError> {
        let names: Vec<String> = self.stacks.iter().map(|s| s.name.clone()).collect();
        if all || (patterns.is_empty() && names.len() == 1) {
            return Ok(names);
        }
        if patterns.is_empty() {
            return Err(SelectError::NoSelection {
                verb: verb.to_string(),
                available: names.join(", "),
            });
        }
        let mut matched = std::collections::HashSet::new();
        for pattern in patterns {
            let glob = glob::Pattern::new(pattern).map_err(|e| SelectError::BadPattern {
                pattern: pattern.clone(),
                message: e.msg.to_string(),
            })?;
            let hits: Vec<&String> = names.iter().filter(|n| glob.matches(n)).collect();
            if hits.is_empty() {
                if let Some(parent) = self
                    .stacks
                    .iter()
                    .find(|s| s.nested.iter().any(|n| n.name == *pattern))
                {
                    return Err(SelectError::Nested {
                        pattern: pattern.clone(),
                        parent: parent.name.clone(),
                    });
                }
                return Err(SelectError::NoStack {
                    pattern: pattern.clone(),
                    available: names.join(", "),
                });
            }
            matched.extend(hits.into_iter().cloned());
        }
        Ok(names.into_iter().filter(|n| matched.contains(n)).collect())
    }

    /// [`CloudAssembly::matching`] and, transitively, what the matched stacks depend on, in
    /// deployment order.
    pub fn select(
        &self,
        patterns: &[String],
        all: bool,
        verb: &str,
    ) -> Result<Vec<String>, SelectError> {
        let matched = self.matching(patterns, all, verb)?;
        Ok(self.with_dependencies(&matched))
    }
}
