//! The app's root, found at run time: the cargo workspace around the current directory (or
//! `--root DIR`), so that a binary copied elsewhere works from any app's tree.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The app's workspace around `start`: the nearest directory, from `start` up, whose
/// `Cargo.toml` has a `[workspace]` table, or the workspace a package names with
/// `package.workspace`; or, when none does, the nearest directory with a `Cargo.toml` (a
/// single-package app). The lookup of the one cargo model ([`constructs::core::cargo`]),
/// which needs no cargo run; synth then works on the workspace `cargo metadata` reports.
pub fn find_workspace(start: &Path) -> Option<PathBuf> {
    constructs::core::cargo::find_workspace_root(start)
}

/// The app's root: `--root DIR` when given (it must hold a `Cargo.toml`), else the workspace
/// around the current directory.
pub fn resolve(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(dir) = explicit {
        if !dir.join("Cargo.toml").is_file() {
            return Err(Error::NoWorkspace {
                message: format!("--root {}: no Cargo.toml there", dir.display()),
                help: Some(
                    "--root names the cargo workspace of the app (the directory of its Cargo.toml)"
                        .into(),
                ),
            });
        }
        return Ok(std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()));
    }
    let cwd = std::env::current_dir().map_err(|e| Error::NoWorkspace {
        message: format!("cannot read the current directory: {e}"),
        help: None,
    })?;
    find_workspace(&cwd).ok_or_else(|| Error::NoWorkspace {
        message: format!(
            "{} is not inside a cargo workspace, so the app's Lambda crates cannot be found",
            cwd.display()
        ),
        help: Some(
            "run from the app's directory (where its Cargo.toml is), or pass --root DIR".into(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_belongs_to_the_workspace_above_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"fns/*\"]\n",
        )
        .unwrap();
        let member = root.join("fns").join("a");
        std::fs::create_dir_all(member.join("src")).unwrap();
        std::fs::write(member.join("Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        assert_eq!(find_workspace(&member.join("src")).as_deref(), Some(root));
        // an app with its own [workspace] inside another workspace is its own root
        let nested = root.join("app");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(
            nested.join("Cargo.toml"),
            "[package]\nname = \"app\"\n[workspace]\n",
        )
        .unwrap();
        assert_eq!(find_workspace(&nested).as_deref(), Some(nested.as_path()));
    }

    #[test]
    fn a_single_package_is_its_own_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        assert_eq!(find_workspace(&src).as_deref(), Some(dir.path()));
    }

    #[test]
    fn a_root_without_a_manifest_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = resolve(Some(dir.path())).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("no Cargo.toml"), "{e}");
    }
}
