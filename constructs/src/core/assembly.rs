//! The cloud assembly directory (`cdk.out/`), modelled on the AWS CDK's format:
//! `manifest.json`, `<Stack>.template.json` (or `.yaml`) and `<Stack>.assets.json`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value as Json};

use super::app::CloudAssembly;
use super::error::{Problem, SynthError, Warning};
use super::synth::SynthesizedStack;
use super::yaml;

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

/// The template file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Yaml,
}

impl Format {
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
    pub name: String,
    pub resources: usize,
    pub state_machines: usize,
    pub assets: usize,
    pub template_bytes: usize,
    pub dependencies: Vec<String>,
}

/// An assembly rendered to file contents, ready to be written.
#[derive(Debug, Clone)]
pub struct RenderedAssembly {
    /// File name (relative to the assembly directory) and content, in a stable order.
    pub files: Vec<(String, Vec<u8>)>,
    pub summaries: Vec<StackSummary>,
    pub warnings: Vec<Warning>,
}

/// Renders a JSON document the way every file of the assembly is written.
pub fn to_json_text(value: &Json) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn asset_manifest(stack: &SynthesizedStack) -> Json {
    let mut files = Map::new();
    for asset in &stack.assets {
        if files.contains_key(&asset.hash) {
            continue;
        }
        files.insert(
            asset.hash.clone(),
            json!({
                "displayName": asset.path,
                "source": {
                    "path": asset.crate_dir,
                    "packaging": "file",
                    "cargoLambda": {
                        "crate": asset.crate_dir.rsplit('/').next().unwrap_or(&asset.crate_dir),
                        "manifestPath": format!("{}/Cargo.toml", asset.crate_dir),
                        "binary": asset.binary,
                        "architecture": asset.architecture,
                        "hash": asset.hash,
                    }
                },
                "destinations": {
                    "current_account-current_region": {
                        "bucketName": ASSET_BUCKET,
                        "objectKey": asset.object_key(),
                    }
                }
            }),
        );
    }
    json!({ "version": ASSEMBLY_VERSION, "files": files, "dockerImages": {} })
}

impl CloudAssembly {
    /// The named stacks and, transitively, the stacks they depend on, in deployment order.
    pub fn with_dependencies(&self, names: &[String]) -> Vec<String> {
        let mut wanted: Vec<String> = names.to_vec();
        let mut i = 0;
        while i < wanted.len() {
            if let Some(s) = self.stack(&wanted[i]) {
                for d in &s.dependencies {
                    if !wanted.contains(d) {
                        wanted.push(d.clone());
                    }
                }
            }
            i += 1;
        }
        self.stacks
            .iter()
            .filter(|s| wanted.contains(&s.name))
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
        let mut artifacts = Map::new();
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
            let assets_file = format!("{}.assets.json", stack.name);
            files.push((
                assets_file.clone(),
                to_json_text(&asset_manifest(stack)).into_bytes(),
            ));

            let assets_id = format!("{}.assets", stack.name);
            artifacts.insert(
                assets_id.clone(),
                json!({
                    "type": "cdk:asset-manifest",
                    "properties": {
                        "file": assets_file,
                        "requiresBootstrapStackVersion": 6,
                        "bootstrapStackVersionSsmParameter": format!("/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version"),
                    }
                }),
            );
            let mut metadata = Map::new();
            for (path, id) in &stack.logical_ids {
                metadata.insert(
                    format!("/{path}"),
                    json!([{ "type": "aws:cdk:logicalId", "data": id }]),
                );
            }
            let mut dependencies: Vec<Json> = stack.dependencies.iter().map(|d| json!(d)).collect();
            dependencies.push(json!(assets_id));
            artifacts.insert(
                stack.name.clone(),
                json!({
                    "type": "aws:cloudformation:stack",
                    "environment": "aws://unknown-account/unknown-region",
                    "properties": {
                        "templateFile": template_file,
                        "terminationProtection": stack.termination_protection,
                        "tags": stack.tags,
                        "stackName": stack.name,
                    },
                    "dependencies": dependencies,
                    "metadata": metadata,
                    "displayName": stack.name,
                }),
            );
            summaries.push(StackSummary {
                name: stack.name.clone(),
                resources: stack.resource_count(),
                state_machines: stack.count_of("AWS::StepFunctions::StateMachine"),
                assets: stack.assets.len(),
                template_bytes: bytes,
                dependencies: stack.dependencies.clone(),
            });
        }
        if !problems.is_empty() {
            return Err(SynthError::Invalid(problems));
        }
        let manifest = json!({ "version": ASSEMBLY_VERSION, "artifacts": artifacts });
        files.insert(
            0,
            ("manifest.json".into(), to_json_text(&manifest).into_bytes()),
        );
        Ok(RenderedAssembly {
            files,
            summaries,
            warnings,
        })
    }
}

impl RenderedAssembly {
    /// Writes the assembly to `dir`, all or nothing: the files go to a fresh directory next to
    /// `dir`, which then takes `dir`'s place. A `dir` that exists but is not an assembly
    /// (no `manifest.json`, not empty) is left alone and reported.
    pub fn write(&self, dir: &Path) -> Result<(), SynthError> {
        let write_err = |path: &Path, source| SynthError::Write {
            path: path.to_path_buf(),
            source,
        };
        if dir.exists() {
            if !dir.is_dir() {
                return Err(write_err(
                    dir,
                    std::io::Error::other("it exists and is not a directory"),
                ));
            }
            let empty = fs::read_dir(dir)
                .map_err(|e| write_err(dir, e))?
                .next()
                .is_none();
            if !empty && !dir.join("manifest.json").is_file() {
                return Err(write_err(
                    dir,
                    std::io::Error::other(
                        "it is not empty and holds no manifest.json, so it is not a cloud assembly; refusing to replace it",
                    ),
                ));
            }
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "cdk.out".into());
        let parent: PathBuf = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| write_err(&parent, e))?;
        let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        let result = (|| {
            fs::create_dir(&staging).map_err(|e| write_err(&staging, e))?;
            for (file, content) in &self.files {
                let path = staging.join(file);
                fs::write(&path, content).map_err(|e| write_err(&path, e))?;
            }
            if dir.exists() {
                fs::rename(dir, &old).map_err(|e| write_err(dir, e))?;
            }
            if let Err(e) = fs::rename(&staging, dir) {
                // put the previous assembly back
                let _ = fs::rename(&old, dir);
                return Err(write_err(dir, e));
            }
            let _ = fs::remove_dir_all(&old);
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
        result
    }
}
