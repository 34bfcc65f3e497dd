//! Reading an assembly back: what the toolkit (deploy, diff, destroy, watch, run, logs) works
//! on. Every file is read through the types of [`super::manifest`]; a path an assembly file
//! names is read only when it stays inside its directory (the assembly's for templates and
//! asset manifests, the workspace's for crates); the stacks come out in dependency order, and
//! a dependency cycle between them is an error naming them.

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use super::manifest::{Artifact, AssetManifest, Manifest, Marker, MetadataEntry};
use super::order::dependency_order;
use super::write::normalize;
use super::{ASSEMBLY_VERSION, MANIFEST_FILE, MAX_TEMPLATE_BYTES, WORKSPACE_FILE};
use crate::core::app::CloudAssembly;
use crate::core::names::check_stack_name;
use crate::core::synth::{
    nested_file_name, nested_hash, AssetEntry, FolderEntry, NestedTemplate, SynthesizedStack,
};

/// The most bytes a manifest, asset manifest or marker may have (a template: CloudFormation's
/// 1 MB); a larger file is refused before it is read whole.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why an assembly directory cannot be used; each names the file and, in it, the key.
#[derive(Debug, thiserror::Error)]
pub enum AssemblyError {
    /// No assembly at that path.
    #[error("{}: no cloud assembly here ({reason}); synthesize first (`cargo run -- synth`)", dir.display())]
    Missing {
        /// The directory given.
        dir: PathBuf,
        /// What is there instead.
        reason: String,
    },
    /// A file of the assembly that is not there.
    #[error("{}: not found: this is not a complete cloud assembly; synthesize again", path.display())]
    Incomplete {
        /// The file.
        path: PathBuf,
    },
    /// A file that cannot be read.
    #[error("{}: cannot be read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file whose content is not what synth writes.
    #[error("{}: {}{message}", path.display(), at(key))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key in it (`artifacts.Api.properties.templateFile`), empty for the whole file.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A path in a file that leads outside the directory it must stay in.
    #[error("{}: {key} is {value:?}, which is outside {within}; refusing to read it", path.display())]
    Outside {
        /// The file that names it.
        path: PathBuf,
        /// The key that holds it.
        key: String,
        /// The path as written.
        value: String,
        /// Where it must stay (`the assembly directory cdk.out`).
        within: String,
    },
    /// Stacks that depend on each other in a cycle: none of them can be deployed first.
    #[error("{}: the stacks depend on each other in a cycle: {}; none of them can go first", path.display(), shown_cycle(cycle))]
    Cycle {
        /// The manifest.
        path: PathBuf,
        /// The stacks of the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
}

impl AssemblyError {
    /// 2 when there is no assembly where one was named (a usage error), 1 for an assembly
    /// that is there but wrong.
    pub fn exit_code(&self) -> u8 {
        match self {
            AssemblyError::Missing { .. } => 2,
            _ => 1,
        }
    }
}

/// A cycle as the message shows it: every stack of a short one, the ends of a long one (a
/// manifest's cycle may run through thousands of stacks).
fn shown_cycle(cycle: &[String]) -> String {
    const ENDS: usize = 5;
    if cycle.len() <= 2 * ENDS + 1 {
        return cycle.join(" -> ");
    }
    format!(
        "{} -> ... ({} more stacks) ... -> {}",
        cycle[..ENDS].join(" -> "),
        cycle.len() - 2 * ENDS,
        cycle[cycle.len() - ENDS..].join(" -> ")
    )
}

fn at(key: &str) -> String {
    if key.is_empty() || key == "." {
        String::new()
    } else {
        format!("{key}: ")
    }
}

/// Reads at most `limit` bytes of the regular file `path`; a larger one, or something that is
/// not a regular file (a FIFO would never end), is an error.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "it has more than {limit} bytes"
        )));
    }
    Ok(bytes)
}

/// [`read_bounded`] with the limit of the assembly's own files.
pub(crate) fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    read_bounded(path, MAX_FILE_BYTES)
}

/// Parses JSON into `T`; an error is (the key it is at, what is wrong).
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (String, String)> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut *de)
        .map_err(|e| (e.path().to_string(), e.inner().to_string()))?;
    de.end().map_err(|e| (String::new(), e.to_string()))?;
    Ok(value)
}

/// Parses `manifest.json`. Each artifact is read by its `type` into its own type, so that an
/// error inside one names its full key (`artifacts.Api.properties.templateFile`).
pub(crate) fn parse_manifest(bytes: &[u8]) -> Result<Manifest, (String, String)> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        version: String,
        artifacts: indexmap::IndexMap<String, Json>,
    }
    let raw: Raw = parse(bytes)?;
    let mut artifacts = indexmap::IndexMap::new();
    for (id, mut value) in raw.artifacts {
        let key = format!("artifacts.{id}");
        let kind = value
            .as_object_mut()
            .ok_or_else(|| (key.clone(), "is not an object".to_string()))?
            .remove("type");
        let typed = |value: Json| -> Result<Artifact, (String, String)> {
            let artifact = match kind.as_ref().and_then(Json::as_str) {
                Some("aws:cloudformation:stack") => {
                    Artifact::Stack(Box::new(serde_path_to_error::deserialize(value).map_err(
                        |e| (format!("{key}.{}", e.path()), e.inner().to_string()),
                    )?))
                }
                Some("cdk:asset-manifest") => Artifact::AssetManifest(
                    serde_path_to_error::deserialize(value).map_err(|e| {
                        (format!("{key}.{}", e.path()), e.inner().to_string())
                    })?,
                ),
                Some(other) => {
                    return Err((
                        format!("{key}.type"),
                        format!("unknown artifact type {other:?}; rcdk writes `aws:cloudformation:stack` and `cdk:asset-manifest`"),
                    ))
                }
                None => return Err((key.clone(), "missing field `type`".to_string())),
            };
            Ok(artifact)
        };
        artifacts.insert(id.clone(), typed(value)?);
    }
    Ok(Manifest {
        version: raw.version,
        artifacts,
    })
}

fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, AssemblyError> {
    read_bounded(path, limit).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            AssemblyError::Incomplete {
                path: path.to_path_buf(),
            }
        } else {
            AssemblyError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

fn read_typed<T: DeserializeOwned>(path: &Path, limit: u64) -> Result<T, AssemblyError> {
    let bytes = read_file(path, limit)?;
    parse(&bytes).map_err(|(key, message)| AssemblyError::Invalid {
        path: path.to_path_buf(),
        key,
        message,
    })
}

/// Whether `value` is a relative path that stays below where it starts (no `..`, no root,
/// no drive, no backslash).
fn stays_below(value: &str) -> bool {
    let path = Path::new(value);
    !value.is_empty()
        && !value.contains(['\\', '\0'])
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && path.components().any(|c| matches!(c, Component::Normal(_)))
}

/// The path `value` (from `key` of `file`) names inside `base`, or the error that says it
/// leads out of it, lexically or through a symbolic link.
fn confined(
    base: &Path,
    within: &str,
    file: &Path,
    key: &str,
    value: &str,
) -> Result<PathBuf, AssemblyError> {
    let outside = || AssemblyError::Outside {
        path: file.to_path_buf(),
        key: key.to_string(),
        value: value.to_string(),
        within: within.to_string(),
    };
    if !stays_below(value) {
        return Err(outside());
    }
    let full = base.join(value);
    if let (Ok(real), Ok(real_base)) = (full.canonicalize(), base.canonicalize()) {
        if !real.starts_with(&real_base) {
            return Err(outside());
        }
    }
    Ok(full)
}

/// Whether `name` is a cargo package or binary name (letters, digits, `-`, `_`): what the
/// toolkit passes to cargo and uses as a directory name.
fn cargo_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An assembly read back from its directory: what the toolkit works on.
#[derive(Debug, Clone)]
pub struct AssemblyDir {
    /// The assembly directory it was read from.
    pub dir: PathBuf,
    /// The stacks (in dependency order) and warnings it holds.
    pub assembly: CloudAssembly,
    /// The app's cargo workspace, when the assembly records it (`rcdk.json`).
    pub workspace: Option<PathBuf>,
}

impl AssemblyDir {
    /// Reads the assembly synth wrote to `dir`: the manifest's stacks (in dependency order),
    /// their JSON templates, their asset manifests and `rcdk.json`. Anything missing,
    /// malformed, outside the assembly or in a dependency cycle is an error naming the file
    /// and the key.
    pub fn read(dir: &Path) -> Result<AssemblyDir, AssemblyError> {
        if !dir.is_dir() {
            return Err(AssemblyError::Missing {
                dir: dir.to_path_buf(),
                reason: if dir.exists() {
                    "not a directory".into()
                } else {
                    "it does not exist".into()
                },
            });
        }
        let within = format!("the assembly directory {}", dir.display());
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest = parse_manifest(&read_file(&manifest_path, MAX_FILE_BYTES)?).map_err(
            |(key, message)| AssemblyError::Invalid {
                path: manifest_path.clone(),
                key,
                message,
            },
        )?;
        let invalid = |path: &Path, key: String, message: String| AssemblyError::Invalid {
            path: path.to_path_buf(),
            key,
            message,
        };
        if manifest.version != ASSEMBLY_VERSION {
            return Err(invalid(
                &manifest_path,
                "version".into(),
                format!(
                    "is {:?}; this rcdk reads assemblies of version {ASSEMBLY_VERSION}: synthesize again",
                    manifest.version
                ),
            ));
        }
        let mut stacks = Vec::new();
        for (id, artifact) in &manifest.artifacts {
            let Artifact::Stack(s) = artifact else {
                continue;
            };
            let key = |k: &str| format!("artifacts.{id}.{k}");
            let props = &s.properties;
            if props.stack_name != *id {
                return Err(invalid(
                    &manifest_path,
                    key("properties.stackName"),
                    format!(
                        "is {:?}, but the artifact's id is {id:?}; synth writes them alike",
                        props.stack_name
                    ),
                ));
            }
            check_stack_name(&props.stack_name)
                .map_err(|e| invalid(&manifest_path, key("properties.stackName"), e.to_string()))?;
            let environment =
                crate::core::env::Environment::parse(&s.environment).ok_or_else(|| {
                    invalid(
                        &manifest_path,
                        key("environment"),
                        format!(
                            "{:?} is not aws://<12-digit account or unknown-account>/<region or unknown-region>",
                            s.environment
                        ),
                    )
                })?;
            let template_key = key("properties.templateFile");
            let template_path = confined(
                dir,
                &within,
                &manifest_path,
                &template_key,
                &props.template_file,
            )?;
            if !props.template_file.ends_with(".json") {
                return Err(invalid(
                    &manifest_path,
                    template_key,
                    format!(
                        "is {:?}: the toolkit works on JSON templates; synthesize without `--format yaml`",
                        props.template_file
                    ),
                ));
            }
            let template: Json = read_typed(&template_path, MAX_TEMPLATE_BYTES as u64)?;
            if !template.is_object() {
                return Err(invalid(
                    &template_path,
                    String::new(),
                    "is not a template (a JSON object)".into(),
                ));
            }
            let mut dependencies = Vec::new();
            let mut assets = Vec::new();
            let mut folders = Vec::new();
            let mut nested: Vec<NestedTemplate> = Vec::new();
            for (i, dep) in s.dependencies.iter().enumerate() {
                match manifest.artifacts.get(dep) {
                    None => {
                        return Err(invalid(
                            &manifest_path,
                            key(&format!("dependencies[{i}]")),
                            format!("names {dep:?}, which the manifest does not have"),
                        ))
                    }
                    Some(Artifact::Stack(_)) => dependencies.push(dep.clone()),
                    Some(Artifact::AssetManifest(a)) => {
                        let file = confined(
                            dir,
                            &within,
                            &manifest_path,
                            &format!("artifacts.{dep}.properties.file"),
                            &a.properties.file,
                        )?;
                        let (a, f, n) = read_assets(dir, &within, &file)?;
                        assets.extend(a);
                        folders.extend(f);
                        nested.extend(n);
                    }
                }
            }
            let logical_ids: IndexMap<String, String> = s
                .metadata
                .iter()
                .filter_map(|(path, entries)| {
                    entries
                        .iter()
                        .map(|e| match e {
                            MetadataEntry::LogicalId(l) => {
                                (path.trim_start_matches('/').to_string(), l.data.clone())
                            }
                        })
                        .next()
                })
                .collect();
            for n in &mut nested {
                let Some(id) = logical_ids.get(&n.path) else {
                    return Err(invalid(
                        &manifest_path,
                        key("metadata"),
                        format!(
                            "has no logical id for {}, the resource of the nested stack {}",
                            n.path, n.name
                        ),
                    ));
                };
                n.logical_id.clone_from(id);
            }
            let mut from_outputs = IndexMap::new();
            for (parameter, source) in &props.parameters_from_outputs {
                let at = key(&format!("properties.parametersFromOutputs.{parameter}"));
                let alnum = |v: &str| {
                    !v.is_empty() && v.len() <= 255 && v.chars().all(|c| c.is_ascii_alphanumeric())
                };
                if !alnum(parameter) || !alnum(&source.output_name) {
                    return Err(invalid(
                        &manifest_path,
                        at,
                        "a parameter and an output are named by 1 to 255 letters and digits".into(),
                    ));
                }
                if !s.dependencies.contains(&source.stack_name) {
                    return Err(invalid(
                        &manifest_path,
                        at,
                        format!(
                            "names the stack {:?}, which is not one of the stack's dependencies",
                            source.stack_name
                        ),
                    ));
                }
                from_outputs.insert(
                    parameter.clone(),
                    crate::core::synth::OutputParameter {
                        stack: source.stack_name.clone(),
                        output: source.output_name.clone(),
                    },
                );
            }
            stacks.push(SynthesizedStack {
                name: props.stack_name.clone(),
                template,
                assets,
                folders,
                dependencies,
                environment,
                from_outputs,
                termination_protection: props.termination_protection,
                tags: props.tags.clone(),
                logical_ids,
                nested,
            });
        }
        let graph: Vec<(&str, &[String])> = stacks
            .iter()
            .map(|s| (s.name.as_str(), s.dependencies.as_slice()))
            .collect();
        let (order, cycles) = dependency_order(&graph);
        if let Some(cycle) = cycles.into_iter().next() {
            return Err(AssemblyError::Cycle {
                path: manifest_path,
                cycle,
            });
        }
        let position: std::collections::HashMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, name)| (*name, i))
            .collect();
        let mut ranked: Vec<(usize, usize)> = stacks
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    position.get(s.name.as_str()).copied().unwrap_or(usize::MAX),
                    i,
                )
            })
            .collect();
        ranked.sort_unstable();
        let mut slots: Vec<Option<SynthesizedStack>> = stacks.into_iter().map(Some).collect();
        let ordered: Vec<SynthesizedStack> = ranked
            .into_iter()
            .filter_map(|(_, i)| slots.get_mut(i).and_then(Option::take))
            .collect();

        let marker_path = dir.join(WORKSPACE_FILE);
        let workspace = if marker_path.is_file() {
            let marker: Marker = read_typed(&marker_path, MAX_FILE_BYTES)?;
            match marker.workspace {
                Some(rel) => {
                    let absolute = std::path::absolute(dir.join(&rel)).map_err(|e| {
                        invalid(
                            &marker_path,
                            "workspace".into(),
                            format!("{rel:?} cannot be resolved: {e}"),
                        )
                    })?;
                    Some(normalize(&absolute))
                }
                None => None,
            }
        } else {
            None
        };
        Ok(AssemblyDir {
            dir: dir.to_path_buf(),
            assembly: CloudAssembly {
                stacks: ordered,
                warnings: Vec::new(),
            },
            workspace,
        })
    }
}

/// What one `<Stack>.assets.json` lists: Lambda assets, published folders, nested templates.
type ReadAssets = (Vec<AssetEntry>, Vec<FolderEntry>, Vec<NestedTemplate>);

/// The Lambda assets, published folders and nested templates of one `<Stack>.assets.json`,
/// each checked: an asset's key is its hash, its names are cargo names, its crate directory
/// and a folder stay inside the workspace, a folder's logical ids and prefix are what synth
/// writes, a nested template is a file of the assembly that still hashes to its key.
fn read_assets(dir: &Path, within: &str, path: &Path) -> Result<ReadAssets, AssemblyError> {
    let manifest: AssetManifest = read_typed(path, MAX_FILE_BYTES)?;
    let invalid = |key: String, message: String| AssemblyError::Invalid {
        path: path.to_path_buf(),
        key,
        message,
    };
    if manifest.version != ASSEMBLY_VERSION {
        return Err(invalid(
            "version".into(),
            format!(
                "is {:?}; this rcdk reads assemblies of version {ASSEMBLY_VERSION}: synthesize again",
                manifest.version
            ),
        ));
    }
    let mut out = Vec::new();
    let mut nested = Vec::new();
    for (hash, entry) in &manifest.files {
        let key = |k: &str| format!("files.{hash}.{k}");
        if hash.len() != 64 || !hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
            return Err(invalid(
                format!("files.{hash}"),
                "an asset's key is the hex SHA-256 of its sources (64 characters 0-9, a-f)".into(),
            ));
        }
        let Some(lambda) = &entry.source.cargo_lambda else {
            nested.push(read_nested(dir, within, path, hash, entry)?);
            continue;
        };
        if lambda.hash != *hash {
            return Err(invalid(
                key("source.cargoLambda.hash"),
                format!("is {:?}, not the asset's key", lambda.hash),
            ));
        }
        for (k, name) in [
            ("source.cargoLambda.crate", &lambda.package),
            ("source.cargoLambda.binary", &lambda.binary),
        ] {
            if !cargo_name(name) {
                return Err(invalid(
                    key(k),
                    format!("{name:?} is not a cargo package or binary name (letters, digits, '-' and '_')"),
                ));
            }
        }
        let crate_dir = &entry.source.path;
        if !stays_below(crate_dir) && crate_dir != "." {
            return Err(AssemblyError::Outside {
                path: path.to_path_buf(),
                key: key("source.path"),
                value: crate_dir.clone(),
                within: "the app's workspace".into(),
            });
        }
        if lambda.manifest_path != format!("{crate_dir}/Cargo.toml") {
            return Err(invalid(
                key("source.cargoLambda.manifestPath"),
                format!(
                    "is {:?}, not the Cargo.toml of source.path {crate_dir:?}",
                    lambda.manifest_path
                ),
            ));
        }
        let object_key = format!("{hash}.zip");
        if let Some((name, d)) = entry
            .destinations
            .iter()
            .find(|(_, d)| d.object_key != object_key)
        {
            return Err(invalid(
                key(&format!("destinations.{name}.objectKey")),
                format!("is {:?}, not {object_key:?}", d.object_key),
            ));
        }
        out.push(AssetEntry {
            hash: hash.clone(),
            path: entry.display_name.clone(),
            package: lambda.package.clone(),
            crate_dir: crate_dir.clone(),
            binary: lambda.binary.clone(),
            architecture: lambda.architecture,
        });
    }
    let mut folders = Vec::new();
    for (construct, f) in &manifest.folders {
        let key = |k: &str| format!("folders.{construct}.{k}");
        if !stays_below(&f.source) || f.source.split('/').any(|p| p == "." || p.is_empty()) {
            return Err(AssemblyError::Outside {
                path: path.to_path_buf(),
                key: key("source"),
                value: f.source.clone(),
                within: "the app's workspace".into(),
            });
        }
        for (k, id) in std::iter::once(("bucketLogicalId", Some(&f.bucket_logical_id))).chain(
            std::iter::once(("distributionLogicalId", f.distribution_logical_id.as_ref())),
        ) {
            if let Some(id) = id {
                if id.is_empty() || id.len() > 255 || !id.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    return Err(invalid(
                        key(k),
                        format!("{id:?} is not a logical id (letters and digits, at most 255)"),
                    ));
                }
            }
        }
        if !crate::core::folder::valid_prefix(&f.key_prefix) {
            return Err(invalid(
                key("keyPrefix"),
                format!(
                    "{:?} is not a key prefix (segments ending in /)",
                    f.key_prefix
                ),
            ));
        }
        if let Some(cc) = &f.cache_control {
            if cc.chars().any(|c| c.is_control() || !c.is_ascii()) {
                return Err(invalid(
                    key("cacheControl"),
                    "must be printable ASCII on one line".into(),
                ));
            }
        }
        folders.push(FolderEntry {
            path: construct.clone(),
            source: f.source.clone(),
            bucket: f.bucket_logical_id.clone(),
            key_prefix: f.key_prefix.clone(),
            prune: f.prune,
            distribution: f.distribution_logical_id.clone(),
            cache_control: f.cache_control.clone(),
        });
    }
    Ok((out, folders, nested))
}

/// The nested template `entry` of an asset manifest at `path`: a file of the assembly
/// directory named `<parent>-<id>.nested.template.json`, whose SHA-256 is still `hash`.
fn read_nested(
    dir: &Path,
    within: &str,
    path: &Path,
    hash: &str,
    entry: &super::manifest::FileAsset,
) -> Result<NestedTemplate, AssemblyError> {
    let key = |k: &str| format!("files.{hash}.{k}");
    let invalid = |key: String, message: String| AssemblyError::Invalid {
        path: path.to_path_buf(),
        key,
        message,
    };
    let file = &entry.source.path;
    let name = file
        .strip_suffix(".nested.template.json")
        .filter(|n| check_stack_name(n).is_ok() && nested_file_name(n) == *file)
        .ok_or_else(|| {
            invalid(
                key("source.path"),
                format!("{file:?} is neither a crate (no cargoLambda) nor a nested template <stack>.nested.template.json"),
            )
        })?;
    let full = confined(dir, within, path, &key("source.path"), file)?;
    let bytes = read_file(&full, MAX_TEMPLATE_BYTES as u64)?;
    let body = String::from_utf8(bytes).map_err(|_| AssemblyError::Invalid {
        path: full.clone(),
        key: String::new(),
        message: "is not UTF-8 text".into(),
    })?;
    if nested_hash(&body) != hash {
        return Err(AssemblyError::Invalid {
            path: full,
            key: String::new(),
            message: format!(
                "no longer hashes to {hash}, its key in {}: it changed after synth; synthesize again",
                path.display()
            ),
        });
    }
    let object_key = format!("{hash}.json");
    if let Some((d, _)) = entry
        .destinations
        .iter()
        .find(|(_, d)| d.object_key != object_key)
    {
        return Err(invalid(
            key(&format!("destinations.{d}.objectKey")),
            format!("is not {object_key:?}"),
        ));
    }
    let template: Json = serde_json::from_str(&body)
        .ok()
        .filter(Json::is_object)
        .ok_or_else(|| AssemblyError::Invalid {
            path: full.clone(),
            key: String::new(),
            message: "is not a template (a JSON object)".into(),
        })?;
    Ok(NestedTemplate {
        name: name.to_string(),
        path: entry.display_name.clone(),
        logical_id: String::new(),
        template,
        body,
        hash: hash.to_string(),
    })
}
