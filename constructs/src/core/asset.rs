//! Content hashes of Lambda code assets, computed without compiling.
//!
//! The hash covers what determines the binary: every file of the crate and of its path
//! dependencies (recursively, `target/` and hidden entries excluded), the `Cargo.lock`
//! entries reachable from the crate, the workspace's `[profile.*]` settings, the
//! `rust-toolchain` file when there is one, the binary's name and the architecture. Editing
//! an unrelated crate or the CLI's dependencies leaves the hash unchanged.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::Problem;
use super::stack::CodeAsset;

/// Why an asset could not be hashed.
fn problem(path: &str, message: String) -> Problem {
    Problem::new(path, message).property("Code")
}

/// The workspace the Lambda crates live in: its manifest, lock file and packages, read once
/// per synth.
pub struct Workspace {
    root: std::path::PathBuf,
    manifest: Option<toml::Table>,
    /// The lock file, or why it cannot be used.
    lock: Result<toml::Table, String>,
    /// Package name -> its directory relative to the root (`lambdas/hello`, `.` for the root
    /// package), from `[workspace] members` (globs expanded, `exclude` honoured).
    packages: BTreeMap<String, String>,
}

impl Workspace {
    /// Reads the workspace at `root`; a missing or unreadable manifest or lock file is kept as the
    /// reason hashing will fail, not reported here.
    pub fn read(root: &Path) -> Workspace {
        let lock_path = root.join("Cargo.lock");
        let lock = match fs::read_to_string(&lock_path) {
            Ok(text) => text
                .parse::<toml::Table>()
                .map_err(|e| format!("{} is not valid TOML: {e}", lock_path.display())),
            Err(e) => Err(format!(
                "{} cannot be read ({e}); the asset hash must cover the locked dependency versions",
                lock_path.display()
            )),
        };
        let manifest = read_toml(&root.join("Cargo.toml")).ok();
        let packages = manifest
            .as_ref()
            .map(|m| member_packages(root, m))
            .unwrap_or_default();
        Workspace {
            root: root.to_path_buf(),
            manifest,
            lock,
            packages,
        }
    }

    /// The directory (relative to the root) of the workspace package `name`.
    pub fn package_dir(&self, name: &str) -> Option<&str> {
        self.packages.get(name).map(String::as_str)
    }

    /// The names of the workspace's packages, sorted.
    pub fn package_names(&self) -> impl Iterator<Item = &str> {
        self.packages.keys().map(String::as_str)
    }
}

/// The packages of a workspace: the root package and every member directory that holds a
/// `Cargo.toml` with a `[package]` name.
fn member_packages(root: &Path, manifest: &toml::Table) -> BTreeMap<String, String> {
    let mut packages = BTreeMap::new();
    let name_of = |m: &toml::Table| {
        m.get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    if let Some(name) = name_of(manifest) {
        packages.insert(name, ".".to_string());
    }
    let Some(workspace) = manifest.get("workspace") else {
        return packages;
    };
    let list = |key: &str| -> Vec<String> {
        workspace
            .get(key)
            .and_then(|m| m.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(|s| s.trim_end_matches('/').to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let excluded = list("exclude");
    for member in list("members") {
        let pattern = root.join(&member).to_string_lossy().into_owned();
        let Ok(paths) = glob::glob(&pattern) else {
            continue;
        };
        for dir in paths.flatten() {
            let Ok(rel) = dir.strip_prefix(root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let rel = if rel.is_empty() { ".".to_string() } else { rel };
            if excluded.contains(&rel) {
                continue;
            }
            if let Some(name) = read_toml(&dir.join("Cargo.toml"))
                .ok()
                .as_ref()
                .and_then(name_of)
            {
                packages.entry(name).or_insert(rel);
            }
        }
    }
    packages
}

/// Hashes `asset` of the workspace, returning the hash and the crate's directory (relative to
/// the root). `path` is the construct path, for errors.
pub fn hash_code_asset(
    workspace: &Workspace,
    asset: &CodeAsset,
    path: &str,
) -> Result<(String, String), Problem> {
    let root = workspace.root.as_path();
    let Some(rel_dir) = workspace.package_dir(&asset.package) else {
        let known: Vec<&str> = workspace.package_names().collect();
        return Err(problem(
            path,
            format!(
                "the function's crate `{}` is not a package of the cargo workspace at {}",
                asset.package,
                root.display()
            ),
        )
        .help(if known.is_empty() {
            "the workspace has no [workspace] members; add the Lambda crate's directory to them"
                .to_string()
        } else {
            format!(
                "add the crate to [workspace] members (e.g. `rcdk new lambda {}`), or use one of: {}",
                asset.package,
                known.join(", ")
            )
        }));
    };
    let crate_dir = root.join(rel_dir);
    let manifest_path = crate_dir.join("Cargo.toml");
    let manifest = read_toml(&manifest_path).map_err(|e| {
        problem(
            path,
            format!("the Lambda crate {} cannot be read: {e}", asset.package),
        )
    })?;
    let package = manifest
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .ok_or_else(|| {
            problem(
                path,
                format!("{} has no [package] name", manifest_path.display()),
            )
        })?
        .to_string();

    let mut hasher = Sha256::new();
    hasher.update(b"rcdk-asset-v1\0");
    field(&mut hasher, "binary", asset.binary.as_bytes());
    field(
        &mut hasher,
        "architecture",
        asset.architecture.as_str().as_bytes(),
    );

    let root_manifest = workspace.manifest.as_ref();
    let workspace_paths = workspace_dependency_paths(root_manifest);

    // the crate and its path dependencies, each once, in a stable order
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut packages = vec![package.clone()];
    let mut pending = vec![(crate_dir.clone(), manifest)];
    while let Some((dir, manifest)) = pending.pop() {
        let Ok(canonical) = dir.canonicalize() else {
            return Err(problem(path, format!("{} does not exist", dir.display())));
        };
        if !dirs.insert(canonical) {
            continue;
        }
        for dep in path_dependencies(&manifest, &dir, root, &workspace_paths) {
            let dep_manifest = read_toml(&dep.join("Cargo.toml")).map_err(|e| {
                problem(
                    path,
                    format!("path dependency {} cannot be read: {e}", dep.display()),
                )
            })?;
            if let Some(name) = dep_manifest
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
            {
                packages.push(name.to_string());
            }
            pending.push((dep, dep_manifest));
        }
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for dir in &dirs {
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files)
            .map_err(|e| problem(path, format!("cannot list {}: {e}", dir.display())))?;
        files.sort();
        let label = dir
            .strip_prefix(&canonical_root)
            .unwrap_or(dir)
            .to_string_lossy()
            .replace('\\', "/");
        field(&mut hasher, "dir", label.as_bytes());
        for rel in files {
            let bytes = fs::read(dir.join(&rel)).map_err(|e| {
                problem(
                    path,
                    format!("cannot read {}: {e}", dir.join(&rel).display()),
                )
            })?;
            field(&mut hasher, "file", rel.as_bytes());
            field(&mut hasher, "content", &bytes);
        }
    }

    // the locked dependency versions the crate can reach
    match &workspace.lock {
        Ok(lock) => {
            for line in reachable_lock_entries(lock, &packages) {
                field(&mut hasher, "lock", line.as_bytes());
            }
        }
        Err(e) => {
            return Err(
                problem(path, e.clone()).help("run `cargo generate-lockfile` in the workspace")
            );
        }
    }

    // build settings that shape the binary
    if let Some(profiles) = root_manifest.and_then(|m| m.get("profile")) {
        let canonical = serde_json::to_string(profiles).unwrap_or_default();
        field(&mut hasher, "profile", canonical.as_bytes());
    }
    for name in ["rust-toolchain", "rust-toolchain.toml"] {
        if let Ok(bytes) = fs::read(root.join(name)) {
            field(&mut hasher, name, &bytes);
        }
    }

    let hash = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hash, rel_dir.to_string()))
}

fn field(hasher: &mut Sha256, name: &str, bytes: &[u8]) {
    hasher.update(name.as_bytes());
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

fn read_toml(path: &Path) -> Result<toml::Table, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.parse::<toml::Table>()
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn workspace_dependency_paths(root_manifest: Option<&toml::Table>) -> BTreeMap<String, String> {
    root_manifest
        .and_then(|m| m.get("workspace"))
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
        .map(|deps| {
            deps.iter()
                .filter_map(|(name, spec)| {
                    let p = spec.get("path")?.as_str()?;
                    Some((name.clone(), p.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The directories of a manifest's path dependencies (normal, build, dev and per-target).
fn path_dependencies(
    manifest: &toml::Table,
    dir: &Path,
    root: &Path,
    workspace_paths: &BTreeMap<String, String>,
) -> Vec<PathBuf> {
    let mut tables: Vec<&toml::Table> = Vec::new();
    for key in ["dependencies", "build-dependencies"] {
        if let Some(t) = manifest.get(key).and_then(|t| t.as_table()) {
            tables.push(t);
        }
    }
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for target in targets.values() {
            for key in ["dependencies", "build-dependencies"] {
                if let Some(t) = target.get(key).and_then(|t| t.as_table()) {
                    tables.push(t);
                }
            }
        }
    }
    let mut dirs = Vec::new();
    for table in tables {
        for (name, spec) in table {
            if let Some(p) = spec.get("path").and_then(|p| p.as_str()) {
                dirs.push(dir.join(p));
            } else if spec.get("workspace").and_then(|w| w.as_bool()) == Some(true) {
                let key = spec.get("package").and_then(|p| p.as_str()).unwrap_or(name);
                if let Some(p) = workspace_paths
                    .get(key)
                    .or_else(|| workspace_paths.get(name))
                {
                    dirs.push(root.join(p));
                }
            }
        }
    }
    dirs
}

fn collect_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            collect_files(base, &path, out)?;
        } else if kind.is_file() {
            let rel = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
    Ok(())
}

/// The lock entries (`name version source checksum`) reachable from `packages`, sorted.
fn reachable_lock_entries(lock: &toml::Table, packages: &[String]) -> Vec<String> {
    let Some(entries) = lock.get("package").and_then(|p| p.as_array()) else {
        return Vec::new();
    };
    // name -> [(version, index)]
    let mut by_name: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let (Some(n), Some(v)) = (
            e.get("name").and_then(|n| n.as_str()),
            e.get("version").and_then(|v| v.as_str()),
        ) {
            by_name.entry(n).or_default().push((v, i));
        }
    }
    let find = |spec: &str| -> Vec<usize> {
        // "name", "name version" or "name version (source)"
        let mut parts = spec.split(' ');
        let name = parts.next().unwrap_or_default();
        let version = parts.next();
        by_name
            .get(name)
            .map(|candidates| {
                candidates
                    .iter()
                    .filter(|(v, _)| version.is_none_or(|want| want == *v))
                    .map(|(_, i)| *i)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = packages.iter().flat_map(|p| find(p)).collect();
    while let Some(i) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        if let Some(deps) = entries[i].get("dependencies").and_then(|d| d.as_array()) {
            for d in deps.iter().filter_map(|d| d.as_str()) {
                stack.extend(find(d));
            }
        }
    }
    let mut lines: Vec<String> = seen
        .into_iter()
        .map(|i| {
            let e = &entries[i];
            let get = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or("");
            format!(
                "{} {} {} {}",
                get("name"),
                get("version"),
                get("source"),
                get("checksum")
            )
        })
        .collect();
    lines.sort();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["serde 1.0.0", "shared"]
[[package]]
name = "shared"
version = "0.1.0"
dependencies = ["itoa"]
[[package]]
name = "serde"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "aa"
[[package]]
name = "serde"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "bb"
[[package]]
name = "itoa"
version = "1.0.0"
[[package]]
name = "unrelated"
version = "9.9.9"
"#;

    #[test]
    fn lock_entries_follow_the_dependency_graph() {
        let lock: toml::Table = LOCK.parse().unwrap();
        let lines = reachable_lock_entries(&lock, &["app".to_string()]);
        let names: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
        assert_eq!(names, ["app", "itoa", "serde", "shared"]);
        assert!(lines.iter().any(|l| l.starts_with("serde 1.0.0")));
        assert!(!lines
            .iter()
            .any(|l| l.contains("2.0.0") || l.contains("unrelated")));
    }
}
