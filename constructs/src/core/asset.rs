//! Content hashes of Lambda code assets, computed without compiling, from the one cargo model
//! ([`super::cargo`]).
//!
//! The hash covers every input that changes the built binary: the binary, the architecture,
//! its target triple and the release profile; every package the crate needs to build (from
//! cargo's resolve for Lambda's platforms): a path package (the crate itself, its path
//! dependencies at any depth, a `[patch]` with a path) by its manifest as cargo read it and
//! every file of its directory (`target/`, hidden entries and nested packages excepted), a
//! registry or git package by its id and the lock file's checksum; the dependency and feature
//! tables of every Lambda crate of the app (they are built together, so their features unify);
//! the workspace's `[profile.*]`; the `.cargo/config.toml` files that apply; the
//! `rust-toolchain` file; and the environment cargo reads for code generation (`RUSTFLAGS`,
//! `CARGO_ENCODED_RUSTFLAGS`, `CARGO_BUILD_RUSTFLAGS`, `RUSTC`, `CARGO_BUILD_RUSTC`,
//! `CARGO_PROFILE_RELEASE_*`, `CARGO_TARGET_<TRIPLE>_*`). Editing an unrelated crate, the CLI's
//! sources or its dependencies leaves the hash unchanged.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::cargo::{self, CargoModel};
use super::error::Problem;
use super::stack::CodeAsset;

/// Why an asset could not be hashed.
fn problem(path: &str, message: String) -> Problem {
    Problem::new(path, message).property("Code")
}

/// The workspace the Lambda crates live in: its cargo model and the build settings beside
/// it, read once per synth.
pub struct Workspace {
    root: std::path::PathBuf,
    /// The model, or why there is none.
    model: Result<CargoModel, cargo::CargoError>,
    /// The `[profile.*]` tables of the root manifest (canonical JSON).
    profiles: String,
    /// The cargo config files that apply: label and content.
    configs: Vec<(String, Vec<u8>)>,
    /// The nearest `rust-toolchain(.toml)`.
    toolchain: Option<(String, Vec<u8>)>,
    /// The dependency and feature tables of every Lambda crate of the app.
    built_together: String,
}

impl Workspace {
    /// Reads the workspace at `root` for an app whose Lambda crates are `packages`: the cargo
    /// model (cached; made again when a crate is not in the cached one, a member just added),
    /// the profiles, config files and toolchain file. A model that cannot be had is kept as the
    /// reason hashing fails, not reported here.
    pub fn read(root: &Path, packages: &[&str]) -> Workspace {
        let mut model = cargo::load(root);
        if let Ok(m) = &model {
            if packages.iter().any(|p| m.member(p).is_none()) {
                model = cargo::load_fresh(root);
            }
        }
        let workspace_root = model
            .as_ref()
            .map(|m| m.workspace_root.clone())
            .unwrap_or_else(|_| root.to_path_buf());
        let profiles = fs::read_to_string(workspace_root.join("Cargo.toml"))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get("profile").cloned())
            .map(|p| serde_json::to_string(&p).unwrap_or_default())
            .unwrap_or_default();
        let home = cargo::cargo_home();
        let configs = cargo::config_files(&workspace_root)
            .into_iter()
            .filter_map(|file| {
                let bytes = fs::read(&file).ok()?;
                let label = match home.as_deref().and_then(|h| file.strip_prefix(h).ok()) {
                    Some(rel) => format!("$CARGO_HOME/{}", rel.to_string_lossy()),
                    None => cargo_label(&workspace_root, &file),
                };
                Some((label, bytes))
            })
            .collect();
        let toolchain = workspace_root.ancestors().find_map(|dir| {
            ["rust-toolchain", "rust-toolchain.toml"]
                .iter()
                .find_map(|name| Some((name.to_string(), fs::read(dir.join(name)).ok()?)))
        });
        let built_together = match &model {
            Ok(m) => {
                let mut crates: BTreeMap<&str, &str> = BTreeMap::new();
                for p in packages {
                    if let Some(member) = m.member(p) {
                        crates.insert(member.name.as_str(), member.requirements.as_str());
                    }
                }
                serde_json::to_string(&crates).unwrap_or_default()
            }
            Err(_) => String::new(),
        };
        Workspace {
            root: root.to_path_buf(),
            model,
            profiles,
            configs,
            toolchain,
            built_together,
        }
    }

    /// The cargo model, when there is one.
    pub fn model(&self) -> Option<&CargoModel> {
        self.model.as_ref().ok()
    }
}

fn cargo_label(root: &Path, file: &Path) -> String {
    let dir = file.parent().unwrap_or(file);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{}/{name}", cargo::relative_label(root, dir))
}

/// The environment variables cargo reads that change the code it generates for `triple`,
/// sorted, out of `vars`.
fn codegen_env(
    triple: &str,
    vars: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Vec<(String, String)> {
    let target_prefix = format!("CARGO_TARGET_{}_", triple.to_uppercase().replace('-', "_"));
    let mut out: Vec<(String, String)> = vars
        .filter_map(|(k, v)| {
            let k = k.to_str()?.to_string();
            let wanted = matches!(
                k.as_str(),
                "RUSTFLAGS"
                    | "CARGO_ENCODED_RUSTFLAGS"
                    | "CARGO_BUILD_RUSTFLAGS"
                    | "RUSTC"
                    | "CARGO_BUILD_RUSTC"
            ) || k.starts_with("CARGO_PROFILE_RELEASE_")
                || k.starts_with(&target_prefix);
            wanted.then(|| (k, v.to_string_lossy().into_owned()))
        })
        .collect();
    out.sort();
    out
}

/// Hashes `asset` of the workspace, returning the hash and the crate's directory (relative to
/// the workspace root). `path` is the construct path, for errors.
pub fn hash_code_asset(
    workspace: &Workspace,
    asset: &CodeAsset,
    path: &str,
) -> Result<(String, String), Problem> {
    let model = workspace.model.as_ref().map_err(|e| {
        problem(
            path,
            format!(
                "the cargo workspace at {} cannot be read, so the function's crate cannot be hashed: {e}",
                workspace.root.display()
            ),
        )
        .help("fix what cargo says above; `cargo metadata` in the workspace shows the same")
    })?;
    let Some(member) = model.member(&asset.package) else {
        let known = model.member_names();
        return Err(problem(
            path,
            format!(
                "the function's crate `{}` is not a package of the cargo workspace at {}",
                asset.package,
                model.workspace_root.display()
            ),
        )
        .help(if known.is_empty() {
            "the workspace has no members; add the Lambda crate's directory to [workspace] members"
                .to_string()
        } else {
            format!(
                "add the crate to [workspace] members (e.g. `cargo run -- new lambda {}`), or use one of: {}",
                asset.package,
                known.join(", ")
            )
        }));
    };
    let triple = asset.architecture.target_triple();
    let mut hasher = Sha256::new();
    hasher.update(b"rcdk-asset-v2\0");
    field(&mut hasher, "binary", asset.binary.as_bytes());
    field(
        &mut hasher,
        "architecture",
        asset.architecture.as_str().as_bytes(),
    );
    field(&mut hasher, "target", triple.as_bytes());
    field(&mut hasher, "profile-name", b"release");

    for package in model.reachable(&asset.package) {
        match &package.source {
            None => {
                let label = model.relative(&package.dir);
                field(&mut hasher, "package", label.as_bytes());
                field(&mut hasher, "manifest", package.manifest.as_bytes());
                let mut files = Vec::new();
                collect_files(&package.dir, &package.dir, &mut files).map_err(|e| {
                    problem(path, format!("cannot list {}: {e}", package.dir.display()))
                })?;
                files.sort();
                for rel in files {
                    let file = package.dir.join(&rel);
                    field(&mut hasher, "file", rel.as_bytes());
                    hash_file(&mut hasher, &file).map_err(|e| {
                        problem(path, format!("cannot read {}: {e}", file.display()))
                    })?;
                }
            }
            Some(source) => {
                let line = format!(
                    "{} {} {source} {}",
                    package.name,
                    package.version,
                    package.checksum.as_deref().unwrap_or("")
                );
                field(&mut hasher, "locked", line.as_bytes());
            }
        }
    }
    field(
        &mut hasher,
        "built-together",
        workspace.built_together.as_bytes(),
    );
    field(&mut hasher, "profile", workspace.profiles.as_bytes());
    for (label, bytes) in &workspace.configs {
        field(&mut hasher, "config", label.as_bytes());
        field(&mut hasher, "config-content", bytes);
    }
    if let Some((name, bytes)) = &workspace.toolchain {
        field(&mut hasher, name, bytes);
    }
    for (k, v) in codegen_env(triple, std::env::vars_os()) {
        field(&mut hasher, "env", format!("{k}={v}").as_bytes());
    }

    let hash = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hash, model.relative(&member.dir)))
}

fn field(hasher: &mut Sha256, name: &str, bytes: &[u8]) {
    hasher.update(name.as_bytes());
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// A file's length and content, read in pieces (a large file is never held whole).
fn hash_file(hasher: &mut Sha256, file: &Path) -> std::io::Result<()> {
    let len = fs::metadata(file)?.len();
    hasher.update(b"content");
    hasher.update(len.to_le_bytes());
    read_in_pieces(file, len, |piece| hasher.update(piece))
}

/// Reads `file` in pieces of 64 KiB, each given to `each` (a large file is never held whole);
/// an error when it does not hold `len` bytes (it changed since it was listed).
pub fn read_in_pieces(file: &Path, len: u64, mut each: impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut f = fs::File::open(file)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut read = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        read += n as u64;
        each(&buf[..n]);
    }
    if read != len {
        return Err(std::io::Error::other("it changed while it was read"));
    }
    Ok(())
}

/// The files of a package directory (paths relative to `base`, `/`-separated): not `target/`,
/// not hidden entries, not the directories of nested packages (they are packages of their
/// own, hashed when the crate needs them). Symbolic links to files count as files; links to
/// directories are not followed.
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
        let is_file = kind.is_file() || (kind.is_symlink() && path.is_file());
        if kind.is_dir() {
            if path.join("Cargo.toml").is_file() {
                continue;
            }
            collect_files(base, &path, out)?;
        } else if is_file {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::assembly::manifest::Architecture;
    use crate::core::cargo::Package;

    fn os(pairs: &[(&str, &str)]) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
        pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    #[test]
    fn the_environment_that_changes_code_generation_is_taken_and_nothing_else() {
        let vars = os(&[
            ("RUSTFLAGS", "-C target-cpu=native"),
            ("CARGO_PROFILE_RELEASE_LTO", "true"),
            ("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER", "cc"),
            ("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS", "-g"),
            ("CARGO_TARGET_DIR", "/tmp/t"),
            ("CARGO_PKG_NAME", "app"),
            ("RUSTUP_TOOLCHAIN", "stable"),
            ("HOME", "/root"),
        ]);
        let names: Vec<String> = codegen_env("aarch64-unknown-linux-gnu", vars.into_iter())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            names,
            [
                "CARGO_PROFILE_RELEASE_LTO",
                "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER",
                "RUSTFLAGS"
            ]
        );
    }

    /// A workspace of one crate that needs one registry package, `itoa`.
    fn workspace(dir: &Path, version: &str, checksum: &str, rustflags: Option<&str>) -> Workspace {
        let crate_dir = dir.join("one");
        fs::create_dir_all(crate_dir.join("src")).unwrap();
        fs::write(crate_dir.join("src/main.rs"), "fn main() {}\n").unwrap();
        let registry = |name: &str, version: &str, checksum: &str| Package {
            name: name.into(),
            version: version.into(),
            source: Some("registry+https://github.com/rust-lang/crates.io-index".into()),
            dir: dir.join("registry").join(name),
            checksum: Some(checksum.into()),
            manifest: String::new(),
            requirements: String::new(),
            deps: Vec::new(),
        };
        let model = CargoModel {
            workspace_root: dir.to_path_buf(),
            target_directory: dir.join("target"),
            packages: vec![
                Package {
                    name: "one".into(),
                    version: "0.1.0".into(),
                    source: None,
                    dir: crate_dir,
                    checksum: None,
                    manifest: "{}".into(),
                    requirements: "{}".into(),
                    deps: vec![1],
                },
                registry("itoa", version, checksum),
                registry("unrelated", "9.9.9", checksum),
            ],
            members: vec![0],
        };
        Workspace {
            root: dir.to_path_buf(),
            model: Ok(model),
            profiles: String::new(),
            configs: rustflags
                .map(|f| vec![(".cargo/config.toml".to_string(), f.as_bytes().to_vec())])
                .unwrap_or_default(),
            toolchain: None,
            built_together: String::new(),
        }
    }

    #[test]
    fn the_locked_version_and_checksum_of_a_reachable_package_are_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let asset = CodeAsset {
            package: "one".into(),
            binary: "one".into(),
            architecture: Architecture::Arm64,
        };
        let hash = |ws: &Workspace| hash_code_asset(ws, &asset, "S/F").unwrap().0;
        let base = hash(&workspace(dir.path(), "1.0.0", "aa", None));
        assert_eq!(base, hash(&workspace(dir.path(), "1.0.0", "aa", None)));
        assert_ne!(
            base,
            hash(&workspace(dir.path(), "1.0.1", "aa", None)),
            "version"
        );
        assert_ne!(
            base,
            hash(&workspace(dir.path(), "1.0.0", "bb", None)),
            "checksum"
        );
        assert_ne!(
            base,
            hash(&workspace(
                dir.path(),
                "1.0.0",
                "aa",
                Some("[build]\nrustflags = []")
            )),
            "a config file"
        );
        let mut ws = workspace(dir.path(), "1.0.0", "aa", None);
        if let Ok(m) = &mut ws.model {
            m.packages[2].version = "10.0.0".into();
        }
        assert_eq!(base, hash(&ws), "a package the crate does not need");
        let x86 = CodeAsset {
            architecture: Architecture::X86_64,
            ..asset.clone()
        };
        let ws = workspace(dir.path(), "1.0.0", "aa", None);
        assert_ne!(
            base,
            hash_code_asset(&ws, &x86, "S/F").unwrap().0,
            "the target"
        );
    }
}
