//! Finding the toolkit binary (`rcdk-toolkit`), the program that does everything that talks to
//! AWS, so the app's binary never links the AWS SDK.
//!
//! In order: `RCDK_TOOLKIT` (a path); `rcdk-toolkit` next to the app's own binary (the same
//! cargo target directory, or release binaries copied together); `rcdk-toolkit` on `PATH`;
//! else it is built once from the rcdk workspace this crate comes from, with cargo's output
//! shown.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The toolkit's binary name on this platform.
pub fn binary_name() -> String {
    format!("rcdk-toolkit{}", std::env::consts::EXE_SUFFIX)
}

/// The rcdk workspace this crate was built from, when it is still there (the checkout a path
/// or git dependency points at).
pub fn source_workspace() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
    dir.join("toolkit")
        .join("Cargo.toml")
        .is_file()
        .then(|| dir.to_path_buf())
}

/// The toolkit binary to run.
pub fn locate() -> Result<PathBuf, Error> {
    let name = binary_name();
    if let Some(path) = std::env::var_os("RCDK_TOOLKIT") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::Toolkit {
                what: path.display().to_string(),
                message: "RCDK_TOOLKIT names a file that does not exist".into(),
                help: Some("set RCDK_TOOLKIT to the rcdk-toolkit binary, or unset it".into()),
            })
        };
    }
    if let Some(sibling) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join(&name)))
        .filter(|p| p.is_file())
    {
        return Ok(sibling);
    }
    if let Some(on_path) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(&name))
            .find(|p| p.is_file())
    }) {
        return Ok(on_path);
    }
    match source_workspace() {
        Some(source) => build(&source),
        None => Err(Error::Toolkit {
            what: name,
            message: "it is not on PATH, not next to this binary, and rcdk's source is not here to build it".into(),
            help: Some("install it (`cargo install --path toolkit` in an rcdk checkout), put it on PATH, or set RCDK_TOOLKIT to its path".into()),
        }),
    }
}

/// Builds the toolkit in the rcdk workspace at `source` (once: later runs find it there).
/// Where the binary is comes from cargo itself (its JSON messages), so `CARGO_TARGET_DIR`,
/// `CARGO_BUILD_TARGET_DIR` and `build.target-dir` are all honoured.
fn build(source: &Path) -> Result<PathBuf, Error> {
    errln!(
        "rcdk: building rcdk-toolkit in {} (once; later runs reuse it)",
        source.display()
    );
    let what = "cargo build -p rcdk-toolkit";
    let output =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(source)
            .args([
                "build",
                "-p",
                "rcdk-toolkit",
                "--bin",
                "rcdk-toolkit",
                "--message-format=json-render-diagnostics",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| Error::Toolkit {
                what: what.into(),
                message: format!("cargo cannot be started: {e}"),
                help: Some("install Rust with rustup, or put rcdk-toolkit on PATH".into()),
            })?;
    if !output.status.success() {
        return Err(Error::Toolkit {
            what: what.into(),
            message: format!(
                "the build failed ({}); cargo's output above says why",
                output.status
            ),
            help: None,
        });
    }
    /// The one line of cargo's JSON messages rcdk reads: the built binary.
    #[derive(serde::Deserialize)]
    struct Artifact {
        reason: String,
        target: Option<Target>,
        executable: Option<PathBuf>,
    }
    #[derive(serde::Deserialize)]
    struct Target {
        name: String,
    }
    let binary = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Artifact>(line).ok())
        .filter(|a| a.reason == "compiler-artifact")
        .filter(|a| a.target.as_ref().is_some_and(|t| t.name == "rcdk-toolkit"))
        .find_map(|a| a.executable);
    match binary {
        Some(path) if path.is_file() => Ok(path),
        _ => Err(Error::Toolkit {
            what: what.into(),
            message: "cargo reported success but named no rcdk-toolkit binary".into(),
            help: Some("set RCDK_TOOLKIT to the binary's path".into()),
        }),
    }
}
