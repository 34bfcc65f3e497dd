//! The app's root, found at run time: the cargo workspace around the current directory (or
//! `--root DIR`), so that a binary copied elsewhere works from any app's tree.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The nearest directory, from `start` up, whose `Cargo.toml` declares a `[workspace]` (as
/// cargo finds a package's workspace); or, when none does, the nearest directory with a
/// `Cargo.toml` (a single-package app).
pub fn find_workspace(start: &Path) -> Option<PathBuf> {
    let mut nearest = None;
    let mut workspace = None;
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        if nearest.is_none() {
            nearest = Some(dir.to_path_buf());
        }
        if declares_workspace(&text) {
            workspace = Some(dir.to_path_buf());
            break;
        }
    }
    workspace.or(nearest)
}

/// Whether a manifest has a `[workspace]` table (a line-level check: no TOML parser needed).
fn declares_workspace(manifest: &str) -> bool {
    manifest.lines().any(|l| {
        let l = l.trim();
        l == "[workspace]" || l.starts_with("[workspace.")
    })
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
