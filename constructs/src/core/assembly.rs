//! The cloud assembly directory (`cdk.out/`), modelled on the AWS CDK's format:
//! `manifest.json`, `<Stack>.template.json` (or `.yaml`) and `<Stack>.assets.json`.

use std::fs;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

use super::app::CloudAssembly;
use super::error::{Problem, SynthError, Warning};
use super::synth::{AssetEntry, SynthesizedStack};
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

/// The file of an assembly that says where the app's cargo workspace is (relative to the
/// assembly directory), so that a deploy from the assembly finds the Lambda crates.
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
    /// How many of them are `AWS::StepFunctions::StateMachine`s.
    pub state_machines: usize,
    /// How many code assets it uploads.
    pub assets: usize,
    /// The size of its template file, in bytes.
    pub template_bytes: usize,
    /// The stacks it must be deployed after.
    pub dependencies: Vec<String>,
}

/// An assembly rendered to file contents, ready to be written.
#[derive(Debug, Clone)]
pub struct RenderedAssembly {
    /// File name (relative to the assembly directory) and content, in a stable order.
    pub files: Vec<(String, Vec<u8>)>,
    /// One summary per stack, in deployment order.
    pub summaries: Vec<StackSummary>,
    /// What synth found legal but worth knowing.
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
                        "crate": asset.package,
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

/// An assembly read back from its directory: what the toolkit works on.
#[derive(Debug, Clone)]
pub struct AssemblyDir {
    /// The assembly directory it was read from.
    pub dir: PathBuf,
    /// The stacks and warnings it holds.
    pub assembly: CloudAssembly,
    /// The app's cargo workspace, when the assembly records it (`rcdk.json`).
    pub workspace: Option<PathBuf>,
}

/// The content of `rcdk.json` for an assembly written to `dir` by the app of `workspace`: the
/// workspace's path relative to `dir` when one can be made, else absolute.
pub fn workspace_file(dir: &Path, workspace: &Path) -> Vec<u8> {
    let abs = |p: &Path| {
        std::path::absolute(p)
            .map(|a| normalize(&a))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let (dir, workspace) = (abs(dir), abs(workspace));
    let relative = relative_path(&dir, &workspace).unwrap_or(workspace);
    let text = relative.to_string_lossy().replace('\\', "/");
    to_json_text(&json!({ "workspace": if text.is_empty() { ".".to_string() } else { text } }))
        .into_bytes()
}

/// `path` without `.` and `..` components (no file system access).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to `from` (both absolute and normalized).
fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    Some(out)
}

impl AssemblyDir {
    /// Reads the assembly synth wrote to `dir`: the manifest's stacks (in its order, which is
    /// deployment order), their JSON templates, their asset manifests and `rcdk.json`. Anything
    /// missing or malformed is an error naming the file and what is wrong.
    pub fn read(dir: &Path) -> Result<AssemblyDir, SynthError> {
        let bad = |path: &Path, message: String| SynthError::Assembly {
            path: path.to_path_buf(),
            message,
        };
        let manifest_path = dir.join("manifest.json");
        if !dir.is_dir() {
            return Err(bad(
                dir,
                "no cloud assembly here (not a directory); synthesize first (`cargo run -- synth`)"
                    .into(),
            ));
        }
        let read_json = |path: &Path| -> Result<Json, SynthError> {
            let text = fs::read_to_string(path).map_err(|e| {
                bad(
                    path,
                    if e.kind() == std::io::ErrorKind::NotFound {
                        "not found: this is not a complete cloud assembly; synthesize again".into()
                    } else {
                        format!("cannot be read: {e}")
                    },
                )
            })?;
            serde_json::from_str(&text).map_err(|e| bad(path, format!("is not valid JSON: {e}")))
        };
        let manifest = read_json(&manifest_path)?;
        let artifacts = manifest
            .get("artifacts")
            .and_then(Json::as_object)
            .ok_or_else(|| bad(&manifest_path, "has no `artifacts` object".into()))?;
        let mut stacks = Vec::new();
        for (id, artifact) in artifacts {
            if artifact.get("type").and_then(Json::as_str) != Some("aws:cloudformation:stack") {
                continue;
            }
            let props = artifact.get("properties").cloned().unwrap_or_default();
            let field = |key: &str| format!("artifact `{id}` has no string `properties.{key}`");
            let template_file = props
                .get("templateFile")
                .and_then(Json::as_str)
                .ok_or_else(|| bad(&manifest_path, field("templateFile")))?;
            if !template_file.ends_with(".json") {
                return Err(bad(
                    &dir.join(template_file),
                    "the toolkit works on JSON templates; synthesize without `--format yaml`"
                        .into(),
                ));
            }
            let name = props
                .get("stackName")
                .and_then(Json::as_str)
                .unwrap_or(id)
                .to_string();
            let template = read_json(&dir.join(template_file))?;
            let tags: IndexMap<String, String> = props
                .get("tags")
                .and_then(Json::as_object)
                .map(|t| {
                    t.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            let mut dependencies = Vec::new();
            let mut assets = Vec::new();
            for dep in artifact
                .get("dependencies")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
            {
                let Some(kind) = artifacts.get(dep) else {
                    return Err(bad(
                        &manifest_path,
                        format!(
                            "artifact `{id}` depends on `{dep}`, which the manifest does not have"
                        ),
                    ));
                };
                if kind.get("type").and_then(Json::as_str) == Some("cdk:asset-manifest") {
                    let file = kind
                        .pointer("/properties/file")
                        .and_then(Json::as_str)
                        .ok_or_else(|| {
                            bad(
                                &manifest_path,
                                format!("artifact `{dep}` has no `properties.file`"),
                            )
                        })?;
                    assets.extend(read_assets(&dir.join(file), &read_json(&dir.join(file))?)?);
                } else {
                    dependencies.push(dep.to_string());
                }
            }
            let logical_ids = artifact
                .get("metadata")
                .and_then(Json::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(path, entries)| {
                            let id = entries.pointer("/0/data")?.as_str()?;
                            Some((path.trim_start_matches('/').to_string(), id.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            stacks.push(SynthesizedStack {
                name,
                template,
                assets,
                dependencies,
                termination_protection: props
                    .get("terminationProtection")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
                tags,
                logical_ids,
            });
        }
        let workspace_path = dir.join(WORKSPACE_FILE);
        let workspace = if workspace_path.is_file() {
            let file = read_json(&workspace_path)?;
            let rel = file
                .get("workspace")
                .and_then(Json::as_str)
                .ok_or_else(|| bad(&workspace_path, "has no string `workspace`".into()))?;
            Some(normalize(&std::path::absolute(dir.join(rel)).map_err(
                |e| bad(&workspace_path, format!("cannot resolve `{rel}`: {e}")),
            )?))
        } else {
            None
        };
        Ok(AssemblyDir {
            dir: dir.to_path_buf(),
            assembly: CloudAssembly {
                stacks,
                warnings: Vec::new(),
            },
            workspace,
        })
    }
}

/// The Lambda assets of one `<Stack>.assets.json`.
fn read_assets(path: &Path, manifest: &Json) -> Result<Vec<AssetEntry>, SynthError> {
    let bad = |message: String| SynthError::Assembly {
        path: path.to_path_buf(),
        message,
    };
    let mut out = Vec::new();
    for (hash, entry) in manifest
        .get("files")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
    {
        let lambda = entry
            .pointer("/source/cargoLambda")
            .ok_or_else(|| bad(format!("asset {hash} has no `source.cargoLambda`")))?;
        let text = |v: &Json, key: &str| -> Result<String, SynthError> {
            v.get(key)
                .and_then(Json::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad(format!("asset {hash} has no string `{key}`")))
        };
        out.push(AssetEntry {
            hash: hash.clone(),
            path: text(entry, "displayName")?,
            package: text(lambda, "crate")?,
            crate_dir: text(entry.get("source").unwrap_or(&Json::Null), "path")?,
            binary: text(lambda, "binary")?,
            architecture: text(lambda, "architecture")?,
        });
    }
    Ok(out)
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
        let mut matched = Vec::new();
        for pattern in patterns {
            let glob = glob::Pattern::new(pattern).map_err(|e| SelectError::BadPattern {
                pattern: pattern.clone(),
                message: e.msg.to_string(),
            })?;
            let hits: Vec<&String> = names.iter().filter(|n| glob.matches(n)).collect();
            if hits.is_empty() {
                return Err(SelectError::NoStack {
                    pattern: pattern.clone(),
                    available: names.join(", "),
                });
            }
            for h in hits {
                if !matched.contains(h) {
                    matched.push(h.clone());
                }
            }
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
