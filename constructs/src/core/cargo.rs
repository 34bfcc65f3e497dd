//! The one cargo model of rcdk: the app's workspace as `cargo metadata` describes it (members,
//! path packages wherever they are, `[patch]`ed ones included, the resolved dependency graph,
//! the target directory), with the lock file's checksums. Synth hashes Lambda assets from it,
//! the toolkit finds cargo's output through it, `watch` watches the directories it names.
//!
//! `cargo metadata` is run with `--offline` first (synth needs no network when the crates are
//! there) and once more without it only when cargo says it must download a crate; its output
//! is read with our own serde types (a handful of fields: the `cargo_metadata` crate would
//! bring four more crates for the same). It takes 0.1 to 0.3 s, so the model is kept in
//! `<target>/rcdk/` and used again while its inputs are unchanged: the manifests of every path
//! package, `Cargo.lock`, the `.cargo/config.toml` files that apply and the environment
//! variables cargo reads for them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::assembly::manifest::Architecture;

/// Why the cargo model cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum CargoError {
    /// cargo cannot be started.
    #[error("cannot run `{program} metadata` in {}: {source}", root.display())]
    Spawn {
        /// The cargo program.
        program: String,
        /// The workspace.
        root: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `cargo metadata` failed; what it said.
    #[error("`cargo metadata` failed in {}:\n{stderr}", root.display())]
    Metadata {
        /// The workspace.
        root: PathBuf,
        /// cargo's messages (the last lines).
        stderr: String,
    },
    /// `cargo metadata` printed what rcdk cannot read.
    #[error("`cargo metadata` in {} printed what rcdk cannot read: {message}", root.display())]
    Output {
        /// The workspace.
        root: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The lock file cannot be read.
    #[error("{}: {message}", path.display())]
    Lock {
        /// `Cargo.lock`.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

// --- what `cargo metadata --format-version 1` prints (the fields rcdk reads) ---------------

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Json>,
    workspace_members: Vec<String>,
    resolve: Option<Resolve>,
    target_directory: PathBuf,
    workspace_root: PathBuf,
}

#[derive(Deserialize)]
struct Resolve {
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    deps: Vec<NodeDep>,
}

#[derive(Deserialize)]
struct NodeDep {
    pkg: String,
    dep_kinds: Vec<DepKind>,
}

#[derive(Deserialize)]
struct DepKind {
    kind: Option<String>,
}

#[derive(Deserialize)]
struct PackageFields {
    id: String,
    name: String,
    version: String,
    source: Option<String>,
    manifest_path: PathBuf,
}

// --- Cargo.lock (the checksums cargo metadata does not print) ---------------------------------

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
}

// --- the model ---------------------------------------------------------------------------

/// One package of the resolved workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The package name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Where it comes from (`registry+https://...`, `git+https://...#<commit>`); `None` for a
    /// path package (a member, a path dependency, a `[patch]` with a path).
    pub source: Option<String>,
    /// The directory of its `Cargo.toml`.
    pub dir: PathBuf,
    /// The lock file's checksum of a registry package.
    pub checksum: Option<String>,
    /// What cargo made of its manifest (edition, features, dependencies, targets; workspace
    /// inheritance applied), paths relative: canonical JSON.
    pub manifest: String,
    /// Its `[dependencies]` and `[features]` as cargo read them: canonical JSON.
    pub requirements: String,
    /// The packages it needs to build (normal and build dependencies, for Lambda's
    /// platforms), by index.
    pub deps: Vec<usize>,
}

/// The workspace as cargo resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CargoModel {
    /// The workspace root (where the root `Cargo.toml` is).
    pub workspace_root: PathBuf,
    /// Where cargo puts its output (`CARGO_TARGET_DIR`, `CARGO_BUILD_TARGET_DIR`,
    /// `build.target-dir`, else `<root>/target`, as cargo itself decides).
    pub target_directory: PathBuf,
    /// Every package of the resolve.
    pub packages: Vec<Package>,
    /// The workspace members, by index.
    pub members: Vec<usize>,
}

impl CargoModel {
    /// Whether every index the model holds (members, dependencies) names one of its packages:
    /// a cache file (a file under the target directory, which anything may have written) is
    /// used only when it is.
    fn is_consistent(&self) -> bool {
        let n = self.packages.len();
        self.members.iter().all(|&i| i < n)
            && self.packages.iter().all(|p| p.deps.iter().all(|&d| d < n))
    }

    /// The workspace member named `name`.
    pub fn member(&self, name: &str) -> Option<&Package> {
        self.members
            .iter()
            .map(|&i| &self.packages[i])
            .find(|p| p.name == name)
    }

    /// The names of the workspace members, sorted.
    pub fn member_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .members
            .iter()
            .map(|&i| self.packages[i].name.as_str())
            .collect();
        names.sort_unstable();
        names
    }

    /// The packages member `name` needs to build, itself included, in a stable order.
    pub fn reachable(&self, name: &str) -> Vec<&Package> {
        let Some(start) = self
            .members
            .iter()
            .copied()
            .find(|&i| self.packages[i].name == name)
        else {
            return Vec::new();
        };
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if seen.insert(i) {
                stack.extend(self.packages[i].deps.iter().copied());
            }
        }
        seen.into_iter().map(|i| &self.packages[i]).collect()
    }

    /// The directory of a path package relative to the workspace root (`lambdas/hello`, `.`,
    /// `../shared` outside it), `/`-separated: how the hash and the assembly name it on every
    /// machine.
    pub fn relative(&self, dir: &Path) -> String {
        relative_label(&self.workspace_root, dir)
    }
}

/// `dir` relative to `root`, `/`-separated (`.` for `root` itself, `..` to go up).
pub(crate) fn relative_label(root: &Path, dir: &Path) -> String {
    let root: Vec<_> = root.components().collect();
    let to: Vec<_> = dir.components().collect();
    let common = root.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); root.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// The lambda platforms the resolve is filtered to.
fn platforms() -> [&'static str; 2] {
    [
        Architecture::Arm64.target_triple(),
        Architecture::X86_64.target_triple(),
    ]
}

fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs `cargo metadata` for the workspace at `root` and reads its output into the model.
fn run_metadata(root: &Path) -> Result<CargoModel, CargoError> {
    let program = cargo_program();
    let run = |offline: bool| {
        let mut cmd = Command::new(&program);
        cmd.current_dir(root)
            .args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(root.join("Cargo.toml"));
        for t in platforms() {
            cmd.args(["--filter-platform", t]);
        }
        if offline {
            cmd.arg("--offline");
        }
        cmd.output().map_err(|source| CargoError::Spawn {
            program: program.clone(),
            root: root.to_path_buf(),
            source,
        })
    };
    let mut out = run(true)?;
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("offline") {
        // a crate of the resolve is not downloaded yet: let cargo fetch it (and honour the
        // user's own net.offline)
        out = run(false)?;
    }
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        return Err(CargoError::Metadata {
            root: root.to_path_buf(),
            stderr: tail,
        });
    }
    let bad = |message: String| CargoError::Output {
        root: root.to_path_buf(),
        message,
    };
    let metadata: Metadata = serde_json::from_slice(&out.stdout).map_err(|e| bad(e.to_string()))?;
    let lock_path = metadata.workspace_root.join("Cargo.lock");
    let lock_text = fs::read_to_string(&lock_path).map_err(|e| CargoError::Lock {
        path: lock_path.clone(),
        message: format!("cannot be read ({e}); the asset hash must cover the locked versions"),
    })?;
    let lock: Lock = toml::from_str(&lock_text).map_err(|e| CargoError::Lock {
        path: lock_path.clone(),
        message: format!("is not a lock file cargo writes: {e}"),
    })?;
    let checksums: BTreeMap<(String, String, Option<String>), Option<String>> = lock
        .package
        .into_iter()
        .map(|p| ((p.name, p.version, p.source), p.checksum))
        .collect();

    let mut packages = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for raw in &metadata.packages {
        let fields: PackageFields =
            serde_json::from_value(raw.clone()).map_err(|e| bad(e.to_string()))?;
        let dir = fields
            .manifest_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let checksum = checksums
            .get(&(
                fields.name.clone(),
                fields.version.clone(),
                fields.source.clone(),
            ))
            .cloned()
            .flatten();
        let (manifest, requirements) = if fields.source.is_none() {
            summaries(raw, &metadata.workspace_root, &dir)
        } else {
            (String::new(), String::new())
        };
        index.insert(fields.id.clone(), packages.len());
        packages.push(Package {
            name: fields.name,
            version: fields.version,
            source: fields.source,
            dir,
            checksum,
            manifest,
            requirements,
            deps: Vec::new(),
        });
    }
    for node in metadata.resolve.map(|r| r.nodes).unwrap_or_default() {
        let Some(&i) = index.get(&node.id) else {
            continue;
        };
        let mut deps: Vec<usize> = node
            .deps
            .iter()
            .filter(|d| d.dep_kinds.iter().any(|k| k.kind.as_deref() != Some("dev")))
            .filter_map(|d| index.get(&d.pkg).copied())
            .collect();
        deps.sort_unstable();
        deps.dedup();
        packages[i].deps = deps;
    }
    let members = metadata
        .workspace_members
        .iter()
        .filter_map(|id| index.get(id).copied())
        .collect();
    Ok(CargoModel {
        workspace_root: metadata.workspace_root,
        target_directory: metadata.target_directory,
        packages,
        members,
    })
}

/// A path package's manifest as cargo read it (without its own paths, which differ from
/// machine to machine), and its dependency and feature tables alone.
fn summaries(raw: &Json, root: &Path, dir: &Path) -> (String, String) {
    let mut package = raw.clone();
    if let Some(map) = package.as_object_mut() {
        map.remove("id");
        map.remove("manifest_path");
        for dep in map
            .get_mut("dependencies")
            .and_then(Json::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(path) = dep.get("path").and_then(Json::as_str) {
                let label = relative_label(root, Path::new(path));
                dep["path"] = Json::String(label);
            }
        }
        for target in map
            .get_mut("targets")
            .and_then(Json::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(path) = target.get("src_path").and_then(Json::as_str) {
                let label = relative_label(dir, Path::new(path));
                target["src_path"] = Json::String(label);
            }
        }
    }
    let requirements = serde_json::json!({
        "dependencies": package.get("dependencies").cloned().unwrap_or_default(),
        "features": package.get("features").cloned().unwrap_or_default(),
    });
    (package.to_string(), requirements.to_string())
}

// --- what the model depends on, and the cache ------------------------------------------------

/// The environment variables that change what `cargo metadata` says.
const METADATA_ENV: &[&str] = &[
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_NET_OFFLINE",
    "RUSTC",
    "CARGO_BUILD_RUSTC",
];

/// `$CARGO_HOME`, or cargo's default `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// The cargo configuration files that apply to a cargo run in `root` (cargo reads
/// `.cargo/config.toml`, or `.cargo/config`, in the directory it runs in and every parent, then
/// `$CARGO_HOME/config.toml`), nearest first, each once.
pub fn config_files(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut push = |dir: &Path| {
        for name in ["config", "config.toml"] {
            let p = dir.join(name);
            if p.is_file() {
                if !out.contains(&p) {
                    out.push(p);
                }
                // cargo takes `config` when both are there
                break;
            }
        }
    };
    for dir in root.ancestors() {
        push(&dir.join(".cargo"));
    }
    if let Some(home) = cargo_home() {
        push(&home);
    }
    out
}

/// Where `cargo metadata` will say the target directory is, told without running it:
/// `CARGO_TARGET_DIR`, `CARGO_BUILD_TARGET_DIR`, `build.target-dir` of the nearest config
/// file, else `<root>/target`. Only where the model's cache is kept depends on it; the model
/// itself has cargo's answer.
fn target_dir_hint(root: &Path) -> PathBuf {
    let from_env = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
        .iter()
        .find_map(|k| std::env::var_os(k).filter(|v| !v.is_empty()));
    if let Some(dir) = from_env {
        return root.join(dir);
    }
    for file in config_files(root) {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let Ok(table) = text.parse::<toml::Table>() else {
            continue;
        };
        if let Some(dir) = table
            .get("build")
            .and_then(|b| b.get("target-dir"))
            .and_then(|d| d.as_str())
        {
            // relative to the directory that holds `.cargo/`
            let base = file
                .parent()
                .and_then(Path::parent)
                .unwrap_or(root)
                .to_path_buf();
            return base.join(dir);
        }
    }
    root.join("target")
}

const CACHE_VERSION: &str = "rcdk-cargo-model-v1";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A digest of everything the model of `root` was made from: the workspace's manifests (the
/// root's and every path package's), `Cargo.lock`, the config files that apply, the
/// environment cargo reads.
fn inputs_key(root: &Path, manifests: &[PathBuf]) -> String {
    let mut h = Sha256::new();
    h.update(CACHE_VERSION.as_bytes());
    h.update(root.to_string_lossy().as_bytes());
    let mut files: Vec<PathBuf> = vec![root.join("Cargo.toml"), root.join("Cargo.lock")];
    files.extend(manifests.iter().cloned());
    files.extend(config_files(root));
    for file in files {
        h.update(b"\0file\0");
        h.update(file.to_string_lossy().as_bytes());
        match fs::read(&file) {
            Ok(bytes) => {
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            Err(_) => h.update(b"\0absent"),
        }
    }
    for name in METADATA_ENV {
        h.update(b"\0env\0");
        h.update(name.as_bytes());
        if let Some(v) = std::env::var_os(name) {
            h.update(b"=");
            h.update(v.to_string_lossy().as_bytes());
        }
    }
    h.update(b"\0home\0");
    h.update(
        cargo_home()
            .unwrap_or_default()
            .to_string_lossy()
            .as_bytes(),
    );
    hex(&h.finalize())
}

#[derive(Serialize, Deserialize)]
struct Cache {
    key: String,
    /// The manifests whose content the key covers, beside the root's.
    manifests: Vec<PathBuf>,
    model: CargoModel,
}

fn cache_path(root: &Path) -> PathBuf {
    let id = hex(&Sha256::digest(root.to_string_lossy().as_bytes()));
    target_dir_hint(root)
        .join("rcdk")
        .join(format!("cargo-model-{}.json", &id[..16]))
}

fn path_manifests(model: &CargoModel) -> Vec<PathBuf> {
    model
        .packages
        .iter()
        .filter(|p| p.source.is_none())
        .map(|p| p.dir.join("Cargo.toml"))
        .collect()
}

/// The workspace root as given, absolute, without `.` and `..`.
fn absolute_root(root: &Path) -> PathBuf {
    let abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    super::assembly::write::normalize(&abs)
}

/// The model of the workspace at `root`, from the cache when its inputs are unchanged, else
/// from `cargo metadata` (and the cache updated).
pub fn load(root: &Path) -> Result<CargoModel, CargoError> {
    let root = absolute_root(root);
    let path = cache_path(&root);
    if let Ok(bytes) = fs::read(&path) {
        if let Ok(cache) = serde_json::from_slice::<Cache>(&bytes) {
            if cache.key == inputs_key(&root, &cache.manifests) && cache.model.is_consistent() {
                return Ok(cache.model);
            }
        }
    }
    load_fresh(&root)
}

/// The model of the workspace at `root` from `cargo metadata`, the cache updated.
pub fn load_fresh(root: &Path) -> Result<CargoModel, CargoError> {
    let root = absolute_root(root);
    let model = run_metadata(&root)?;
    let path = cache_path(&root);
    // the cache is kept where cargo's own output is; when cargo says another directory than
    // the one told beforehand, nothing is cached (so nothing is written where it does not
    // belong)
    if path.parent().and_then(Path::parent) == Some(model.target_directory.as_path()) {
        let manifests = path_manifests(&model);
        let cache = Cache {
            key: inputs_key(&root, &manifests),
            manifests,
            model: model.clone(),
        };
        if let (Some(dir), Ok(text)) = (path.parent(), serde_json::to_vec(&cache)) {
            // one temporary file per writer (threads of one process too), renamed in place
            static WRITERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = WRITERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let tmp = path.with_extension(format!("tmp-{}-{n}", std::process::id()));
            let written = fs::create_dir_all(dir)
                .and_then(|()| fs::write(&tmp, text))
                .and_then(|()| fs::rename(&tmp, &path));
            if written.is_err() {
                let _ = fs::remove_file(&tmp);
            }
        }
    }
    Ok(model)
}

/// The target directory of the workspace at `root`, as cargo decides it: the one discovery
/// every part of rcdk uses.
pub fn target_directory(root: &Path) -> Result<PathBuf, CargoError> {
    load(root).map(|m| m.target_directory)
}

/// The nearest directory, from `start` up, whose `Cargo.toml` has a `[workspace]` table (as
/// cargo finds a package's workspace when the package does not name one with
/// `package.workspace`), or the one `package.workspace` names; when there is none, the nearest
/// directory with a `Cargo.toml` (a single-package app). A quick look that needs no cargo run:
/// synth then takes the workspace root `cargo metadata` gives.
pub fn find_workspace_root(start: &Path) -> Option<PathBuf> {
    let mut nearest = None;
    for dir in start.ancestors() {
        let Ok(text) = fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let table = text.parse::<toml::Table>().ok();
        if nearest.is_none() {
            nearest = Some(dir.to_path_buf());
            if let Some(named) = table
                .as_ref()
                .and_then(|t| t.get("package"))
                .and_then(|p| p.get("workspace"))
                .and_then(|w| w.as_str())
            {
                return Some(super::assembly::write::normalize(&dir.join(named)));
            }
        }
        if table.as_ref().is_some_and(|t| t.contains_key("workspace")) {
            return Some(dir.to_path_buf());
        }
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_model_whose_indexes_name_no_package_is_not_used() {
        let package = |deps: Vec<usize>| Package {
            name: "p".into(),
            version: "0.1.0".into(),
            source: None,
            dir: PathBuf::from("/w/p"),
            checksum: None,
            manifest: String::new(),
            requirements: String::new(),
            deps,
        };
        let model = |members: Vec<usize>, deps: Vec<usize>| CargoModel {
            workspace_root: PathBuf::from("/w"),
            target_directory: PathBuf::from("/w/target"),
            packages: vec![package(deps)],
            members,
        };
        assert!(model(vec![0], vec![0]).is_consistent());
        // indexing the packages with these would panic in member() and reachable()
        assert!(!model(vec![1], vec![]).is_consistent());
        assert!(!model(vec![0], vec![7]).is_consistent());

        // a cache file with the right key but a member index past the packages: load() makes
        // the model again instead of using it
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"solo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .unwrap();
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
        let fresh = load_fresh(root).unwrap_or_else(|e| panic!("{e}"));
        let abs = absolute_root(root);
        let path = cache_path(&abs);
        let mut cache: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).unwrap_or_else(|e| panic!("{e}"))).unwrap();
        cache["model"]["members"] = serde_json::json!([99]);
        fs::write(&path, cache.to_string()).unwrap();
        let loaded = load(root).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded, fresh);
        assert_eq!(loaded.member_names(), ["solo"]);
    }

    #[test]
    fn labels_are_relative_to_the_root() {
        let root = Path::new("/w/app");
        assert_eq!(relative_label(root, Path::new("/w/app")), ".");
        assert_eq!(
            relative_label(root, Path::new("/w/app/lambdas/a")),
            "lambdas/a"
        );
        assert_eq!(relative_label(root, Path::new("/w/shared")), "../shared");
    }

    #[test]
    fn the_workspace_is_the_nearest_with_a_workspace_table_or_the_one_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        };
        write("Cargo.toml", "[workspace]\nmembers = [\"fns/*\"]\n");
        write("fns/a/Cargo.toml", "[package]\nname = \"a\"\n");
        // a line that reads like a table inside a string is not one
        write(
            "other/Cargo.toml",
            "[package]\nname = \"o\"\ndescription = \"\"\"\n[workspace]\n\"\"\"\nworkspace = \"../ws2\"\n",
        );
        assert_eq!(
            find_workspace_root(&root.join("fns/a/src")).as_deref(),
            Some(root)
        );
        assert_eq!(
            find_workspace_root(&root.join("other")).as_deref(),
            Some(root.join("ws2").as_path())
        );
    }
}
