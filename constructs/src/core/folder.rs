//! The files of a local folder published to a bucket ([`crate::s3::BucketDeployment`]): listed
//! the same way at synth (to report a user's mistake with the construct path) and by the
//! toolkit at deploy (to upload them), within bounds a hostile folder cannot break: at most
//! [`MAX_FILES`] files, keys of at most [`MAX_KEY_BYTES`] bytes, files of at most
//! [`MAX_FILE_BYTES`] bytes, only regular files (a FIFO or device is never opened), and a
//! symbolic link only when it leads to a file inside the folder.

use std::path::{Path, PathBuf};

/// The most files a published folder may hold.
pub const MAX_FILES: usize = 100_000;
/// The longest object key S3 accepts, in bytes of UTF-8 (Amazon S3 User Guide, "Naming Amazon
/// S3 objects": "The object key name ... up to 1,024 bytes long").
pub const MAX_KEY_BYTES: usize = 1024;
/// The largest object one PutObject uploads (Amazon S3 User Guide, "Uploading objects": "Upload
/// an object in a single operation ... up to 5 GB").
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// One file of a published folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderFile {
    /// Its path below the folder, `/`-separated (`assets/app.js`): its key after the prefix.
    pub relative: String,
    /// Where it is read from (a symbolic link's target, resolved).
    pub path: PathBuf,
    /// Its length in bytes.
    pub size: u64,
}

/// Why a folder cannot be published: what is wrong and which file (relative to the folder).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", at(.file))]
pub struct FolderError {
    /// The file or directory at fault, below the folder; empty for the folder itself.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

fn at(file: &str) -> String {
    if file.is_empty() {
        String::new()
    } else {
        format!("{file}: ")
    }
}

fn error(file: &str, message: impl Into<String>) -> FolderError {
    FolderError {
        file: file.to_string(),
        message: message.into(),
    }
}

/// The files of `dir`, sorted by relative path, each key (`prefix` + relative path) checked
/// against S3's limits. Hidden files count (`.well-known/` is part of many sites). Errors: the
/// folder missing or empty, a name that is not UTF-8, a key too long, a file too large, more
/// than [`MAX_FILES`] files, something that is neither a file nor a directory, a symbolic link
/// to a directory or out of the folder.
pub fn list(dir: &Path, prefix: &str) -> Result<Vec<FolderFile>, FolderError> {
    let meta = std::fs::metadata(dir).map_err(|e| error("", format!("cannot be read: {e}")))?;
    if !meta.is_dir() {
        return Err(error("", "is not a directory"));
    }
    let root = dir
        .canonicalize()
        .map_err(|e| error("", format!("cannot be resolved: {e}")))?;
    let mut files = Vec::new();
    // directories to read, by their path below the folder; no recursion, so depth is bounded
    // by the key length only
    let mut todo: Vec<(PathBuf, String)> = vec![(root.clone(), String::new())];
    while let Some((path, relative)) = todo.pop() {
        let entries = std::fs::read_dir(&path)
            .map_err(|e| error(&relative, format!("cannot be listed: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| error(&relative, format!("cannot be listed: {e}")))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(error(
                    &format!("{relative}{}", name.to_string_lossy()),
                    "the name is not UTF-8, so it cannot be an S3 key",
                ));
            };
            let rel = format!("{relative}{name}");
            if prefix.len() + rel.len() > MAX_KEY_BYTES {
                return Err(error(
                    &rel,
                    format!(
                        "the key {prefix}{rel} has more than {MAX_KEY_BYTES} bytes, S3's limit"
                    ),
                ));
            }
            let kind = entry
                .file_type()
                .map_err(|e| error(&rel, format!("cannot be read: {e}")))?;
            let entry_path = entry.path();
            if kind.is_dir() {
                todo.push((entry_path, format!("{rel}/")));
                continue;
            }
            let (target, size) = if kind.is_symlink() {
                let target = entry_path.canonicalize().map_err(|e| {
                    error(
                        &rel,
                        format!("is a symbolic link that cannot be followed: {e}"),
                    )
                })?;
                if !target.starts_with(&root) {
                    return Err(error(
                        &rel,
                        format!(
                            "is a symbolic link to {}, outside the folder: only what is in the folder is published",
                            target.display()
                        ),
                    ));
                }
                let meta = std::fs::metadata(&target)
                    .map_err(|e| error(&rel, format!("cannot be read: {e}")))?;
                if !meta.is_file() {
                    return Err(error(
                        &rel,
                        "is a symbolic link to a directory or a special file; only links to files are followed",
                    ));
                }
                (target, meta.len())
            } else if kind.is_file() {
                let meta = entry
                    .metadata()
                    .map_err(|e| error(&rel, format!("cannot be read: {e}")))?;
                (entry_path, meta.len())
            } else {
                return Err(error(
                    &rel,
                    "is neither a file nor a directory (a socket, FIFO or device): it is not published",
                ));
            };
            if size > MAX_FILE_BYTES {
                return Err(error(
                    &rel,
                    format!("has {size} bytes; one upload takes at most {MAX_FILE_BYTES}"),
                ));
            }
            if files.len() == MAX_FILES {
                return Err(error(
                    "",
                    format!("holds more than {MAX_FILES} files, the most rcdk publishes from one folder"),
                ));
            }
            files.push(FolderFile {
                relative: rel,
                path: target,
                size,
            });
        }
    }
    if files.is_empty() {
        return Err(error(
            "",
            "holds no file: publishing it would empty the bucket (build the site first)",
        ));
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(files)
}

/// Whether `prefix` is a key prefix a deployment may take: empty, or relative segments ending
/// in `/` (`assets/`, `v2/static/`), with no empty, `.` or `..` segment.
pub fn valid_prefix(prefix: &str) -> bool {
    prefix.is_empty()
        || (prefix.ends_with('/')
            && prefix.len() <= MAX_KEY_BYTES / 2
            && !prefix.contains('\\')
            && prefix
                .trim_end_matches('/')
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != ".."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, body: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }

    #[test]
    fn files_are_listed_sorted_with_hidden_ones_and_sizes() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "index.html", "<h1>hi</h1>");
        write(dir.path(), "assets/app.js", "1");
        write(dir.path(), ".well-known/security.txt", "x");
        let files = list(dir.path(), "").unwrap();
        let names: Vec<(&str, u64)> = files
            .iter()
            .map(|f| (f.relative.as_str(), f.size))
            .collect();
        assert_eq!(
            names,
            [
                (".well-known/security.txt", 1),
                ("assets/app.js", 1),
                ("index.html", 11)
            ]
        );
    }

    #[test]
    fn a_missing_empty_or_plain_file_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let missing = list(&dir.path().join("dist"), "").unwrap_err();
        assert!(missing.message.starts_with("cannot be read"), "{missing}");
        assert_eq!(
            list(dir.path(), "").unwrap_err().message,
            "holds no file: publishing it would empty the bucket (build the site first)"
        );
        write(dir.path(), "f", "");
        assert_eq!(
            list(&dir.path().join("f"), "").unwrap_err().message,
            "is not a directory"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_folder_or_to_a_fifo_is_refused_and_one_inside_is_followed() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "secret", "do not publish");
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "index.html", "i");
        std::os::unix::fs::symlink("index.html", dir.path().join("home.html")).unwrap();
        let files = list(dir.path(), "").unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].relative, "home.html");
        assert_eq!(files[0].size, 1);

        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("s")).unwrap();
        let e = list(dir.path(), "").unwrap_err();
        assert_eq!(e.file, "s");
        assert!(e.message.contains("outside the folder"), "{e}");
        std::fs::remove_file(dir.path().join("s")).unwrap();

        std::os::unix::fs::symlink(outside.path(), dir.path().join("d")).unwrap();
        assert_eq!(list(dir.path(), "").unwrap_err().file, "d");
        std::fs::remove_file(dir.path().join("d")).unwrap();

        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let e = list(dir.path(), "").unwrap_err();
        assert_eq!(e.file, "pipe");
        assert!(e.message.contains("neither a file nor a directory"), "{e}");
    }

    #[test]
    fn a_key_over_1024_bytes_is_refused_with_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let long = "a".repeat(200);
        write(dir.path(), &format!("{long}/{long}"), "x");
        assert!(list(dir.path(), "").is_ok());
        let prefix = format!("{}/", "p".repeat(700));
        let e = list(dir.path(), &prefix).unwrap_err();
        assert!(e.message.contains("more than 1024 bytes"), "{e}");
    }

    #[test]
    fn prefixes_are_relative_segments_ending_in_a_slash() {
        for ok in ["", "assets/", "v2/static/"] {
            assert!(valid_prefix(ok), "{ok}");
        }
        for bad in ["assets", "/assets/", "a//b/", "../x/", "./", "a\\b/"] {
            assert!(!valid_prefix(bad), "{bad}");
        }
    }
}
