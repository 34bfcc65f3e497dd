//! Putting an assembly in place. Synth writes into a directory that does not exist, an empty
//! one, or one that holds an assembly rcdk wrote (its marker `rcdk.json` says which files are
//! its own) and nothing else; anything else is refused before a file is touched. The files go
//! to a fresh directory next to the target first, which then takes the target's place: a synth
//! that fails leaves the previous assembly as it was.

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::manifest::{Artifact, Manifest, Marker};
use super::read::{parse, parse_manifest, read_limited};
use super::{RenderedAssembly, MANIFEST_FILE, WORKSPACE_FILE};
use crate::core::error::SynthError;

/// What a directory holds that synth is asked to write to.
enum Previous {
    /// Nothing is there.
    Nothing,
    /// An empty directory.
    Empty,
    /// An assembly rcdk wrote, with the names of its files.
    Assembly(Vec<String>),
}

fn refuse(dir: &Path, reason: String) -> SynthError {
    SynthError::Refused {
        dir: dir.to_path_buf(),
        reason,
    }
}

fn io_err(path: &Path, source: std::io::Error) -> SynthError {
    SynthError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Whether `name` is one plain file name (no separator, no `..`): the only names a marker may
/// list, since they are removed.
fn plain_name(name: &str) -> bool {
    let mut components = Path::new(name).components();
    matches!(components.next(), Some(Component::Normal(_)))
        && components.next().is_none()
        && !name.contains(['/', '\\'])
}

/// The files the assembly in `dir` says are its own: its marker's list, or (a marker of an
/// rcdk that kept no list) the manifest and the files it names.
fn own_files(dir: &Path) -> Result<Vec<String>, String> {
    let marker_path = dir.join(WORKSPACE_FILE);
    let marker: Marker = read_limited(&marker_path)
        .map_err(|e| format!("{WORKSPACE_FILE} cannot be read ({e})"))
        .and_then(|bytes| {
            parse(&bytes).map_err(|(key, e)| {
                format!(
                    "{WORKSPACE_FILE} is not the marker rcdk writes ({}{e})",
                    if key.is_empty() || key == "." {
                        String::new()
                    } else {
                        format!("{key}: ")
                    }
                )
            })
        })?;
    let files = match marker.files {
        Some(files) => files,
        None => {
            let manifest: Manifest = read_limited(&dir.join(MANIFEST_FILE))
                .map_err(|e| format!("its {MANIFEST_FILE} cannot be read ({e})"))
                .and_then(|bytes| {
                    parse_manifest(&bytes).map_err(|(key, e)| {
                        format!("its {MANIFEST_FILE} is not one rcdk writes ({key}: {e})")
                    })
                })?;
            let mut files = vec![MANIFEST_FILE.to_string()];
            for artifact in manifest.artifacts.values() {
                files.push(match artifact {
                    Artifact::Stack(s) => s.properties.template_file.clone(),
                    Artifact::AssetManifest(a) => a.properties.file.clone(),
                });
            }
            files
        }
    };
    if let Some(bad) = files
        .iter()
        .find(|f| !plain_name(f) || *f == WORKSPACE_FILE)
    {
        return Err(format!(
            "{WORKSPACE_FILE} lists {bad:?}, which is not a file name synth writes"
        ));
    }
    Ok(files)
}

/// What `dir` holds, or why synth must not write there.
fn previous(dir: &Path) -> Result<Previous, SynthError> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Previous::Nothing),
        Err(e) => return Err(io_err(dir, e)),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            dir,
            "it is a symbolic link; name the directory itself".into(),
        ));
    }
    if !meta.is_dir() {
        return Err(refuse(dir, "it exists and is not a directory".into()));
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
        let entry = entry.map_err(|e| io_err(dir, e))?;
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        names.push((entry.file_name().to_string_lossy().into_owned(), is_file));
    }
    if names.is_empty() {
        return Ok(Previous::Empty);
    }
    if !names.iter().any(|(n, _)| n == WORKSPACE_FILE) {
        let what = if names.iter().any(|(n, _)| n == MANIFEST_FILE) {
            format!("it holds a {MANIFEST_FILE} but no {WORKSPACE_FILE}, so it is not an assembly rcdk wrote (a web project or another tool's output?)")
        } else {
            "it is not empty and is not an assembly rcdk wrote".to_string()
        };
        return Err(refuse(dir, what));
    }
    let own = own_files(dir).map_err(|reason| refuse(dir, reason))?;
    let mut foreign: Vec<String> = names
        .iter()
        .filter(|(n, is_file)| !(*is_file && (n == WORKSPACE_FILE || own.contains(n))))
        .map(|(n, _)| n.clone())
        .collect();
    if !foreign.is_empty() {
        foreign.sort();
        let shown: Vec<String> = foreign.iter().take(5).map(|n| format!("{n:?}")).collect();
        return Err(refuse(
            dir,
            format!(
                "it holds an assembly rcdk wrote, and also {} that rcdk did not write ({}{}); move them out, or synthesize to another directory",
                if foreign.len() == 1 { "an entry".to_string() } else { format!("{} entries", foreign.len()) },
                shown.join(", "),
                if foreign.len() > 5 { ", ..." } else { "" }
            ),
        ));
    }
    Ok(Previous::Assembly(own))
}

impl RenderedAssembly {
    /// Writes the assembly to `dir`: a directory that does not exist, an empty one, or one
    /// that holds only an assembly rcdk wrote; anything else is refused and left as it is.
    /// The files go to a fresh directory next to `dir`, which then takes its place; the
    /// previous assembly's own files are removed after. A failure before the swap leaves the
    /// previous assembly as it was.
    pub fn write(&self, dir: &Path) -> Result<(), SynthError> {
        if let Some(bad) = self.files.iter().find(|(name, _)| !plain_name(name)) {
            return Err(io_err(
                &dir.join(&bad.0),
                std::io::Error::other("an assembly file must be a plain file name"),
            ));
        }
        let previous = previous(dir)?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| refuse(dir, "it names no directory".into()))?;
        let parent: PathBuf = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| io_err(&parent, e))?;
        let staging = fresh_dir(&parent, &format!(".{name}.tmp-{}", std::process::id()))?;
        let result = (|| {
            for (file, content) in &self.files {
                let path = staging.join(file);
                fs::write(&path, content).map_err(|e| io_err(&path, e))?;
            }
            match &previous {
                Previous::Nothing => fs::rename(&staging, dir).map_err(|e| io_err(dir, e)),
                Previous::Empty => {
                    // remove_dir removes only an empty directory
                    fs::remove_dir(dir).map_err(|e| io_err(dir, e))?;
                    fs::rename(&staging, dir).map_err(|e| io_err(dir, e))
                }
                Previous::Assembly(own) => {
                    let old = unused_name(&parent, &format!(".{name}.old-{}", std::process::id()));
                    fs::rename(dir, &old).map_err(|e| io_err(dir, e))?;
                    if let Err(e) = fs::rename(&staging, dir) {
                        // put the previous assembly back
                        let _ = fs::rename(&old, dir);
                        return Err(io_err(dir, e));
                    }
                    // only what the previous assembly wrote; a directory that is not empty
                    // then (something appeared meanwhile) stays
                    for file in own.iter().map(String::as_str).chain([WORKSPACE_FILE]) {
                        let _ = fs::remove_file(old.join(file));
                    }
                    let _ = fs::remove_dir(&old);
                    Ok(())
                }
            }
        })();
        if result.is_err() {
            for (file, _) in &self.files {
                let _ = fs::remove_file(staging.join(file));
            }
            let _ = fs::remove_dir(&staging);
        }
        result
    }
}

/// A path in `parent` starting with `stem` that nothing has.
fn unused_name(parent: &Path, stem: &str) -> PathBuf {
    let mut i = 0u32;
    loop {
        let candidate = parent.join(if i == 0 {
            stem.to_string()
        } else {
            format!("{stem}-{i}")
        });
        if fs::symlink_metadata(&candidate).is_err() {
            return candidate;
        }
        i += 1;
    }
}

/// A new directory in `parent` starting with `stem`, never one that was there.
fn fresh_dir(parent: &Path, stem: &str) -> Result<PathBuf, SynthError> {
    let mut i = 0u32;
    loop {
        let candidate = parent.join(if i == 0 {
            stem.to_string()
        } else {
            format!("{stem}-{i}")
        });
        match fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && i < 1000 => i += 1,
            Err(e) => return Err(io_err(&candidate, e)),
        }
    }
}

/// The workspace's path as the marker records it: relative to the assembly directory `dir`
/// when one can be made, else absolute.
pub(crate) fn workspace_path(dir: &Path, workspace: &Path) -> String {
    let abs = |p: &Path| {
        std::path::absolute(p)
            .map(|a| normalize(&a))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let (dir, workspace) = (abs(dir), abs(workspace));
    let relative = relative_path(&dir, &workspace).unwrap_or(workspace);
    let text = relative.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

/// `path` without `.` and `..` components (no file system access).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
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
