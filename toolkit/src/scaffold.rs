//! `new lambda NAME`: a new Lambda crate under `lambdas/`, from the handlebars templates in
//! `templates/lambda/` (offline: cargo-lambda's own `new` needs GitHub). The workspace takes
//! every directory of `lambdas/` as a member, so the crate is registered as it is written.
//!
//! `new app DIR`: a standalone app crate (a stack, one Lambda crate, tests) from
//! `templates/app/`, depending on rcdk's crates by path (the checkout it runs from) or git.

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use miette::Diagnostic;
use serde_json::json;

const CARGO_TOML: &str = include_str!("../templates/lambda/Cargo.toml.hbs");
const MAIN_RS: &str = include_str!("../templates/lambda/src/main.rs.hbs");

/// The app's files: (path in the app, template name, template text).
const APP_FILES: &[(&str, &str, &str)] = &[
    (
        "Cargo.toml",
        "app/Cargo.toml.hbs",
        include_str!("../templates/app/Cargo.toml.hbs"),
    ),
    (
        "src/main.rs",
        "app/src/main.rs.hbs",
        include_str!("../templates/app/src/main.rs.hbs"),
    ),
    (
        "src/lib.rs",
        "app/src/lib.rs.hbs",
        include_str!("../templates/app/src/lib.rs.hbs"),
    ),
    (
        "config.json",
        "app/config.json.hbs",
        include_str!("../templates/app/config.json.hbs"),
    ),
    (
        "tests/stack.rs",
        "app/tests/stack.rs.hbs",
        include_str!("../templates/app/tests/stack.rs.hbs"),
    ),
    // the reviewed snapshot of the template, so that `cargo test` passes in a new app
    (
        "tests/snapshots/stack__template.snap",
        "app/tests/snapshots/stack.snap.hbs",
        include_str!("../templates/app/tests/snapshots/stack.snap.hbs"),
    ),
    (
        ".gitignore",
        "app/gitignore.hbs",
        include_str!("../templates/app/gitignore.hbs"),
    ),
    (
        "README.md",
        "app/README.md.hbs",
        include_str!("../templates/app/README.md.hbs"),
    ),
    (
        "lambdas/handler/Cargo.toml",
        "lambda/Cargo.toml.hbs",
        CARGO_TOML,
    ),
    (
        "lambdas/handler/src/main.rs",
        "lambda/src/main.rs.hbs",
        MAIN_RS,
    ),
];

/// Names a workspace already uses for other packages (rcdk's crates, the app's function, the
/// crates the templates depend on), in their crate form (`-` as `_`): a package of one of these
/// names would shadow the dependency in the code that uses it.
const TAKEN: &[&str] = &[
    "rcdk",
    "constructs",
    "rcdk_toolkit",
    "rcdk_local",
    "handler",
    "serde",
    "serde_json",
    "tokio",
    "lambda_runtime",
    "insta",
];

/// Names cargo refuses for a package (cargo's `cargo new` checks, `restricted_names`): Rust's
/// keywords, strict and reserved (a crate of such a name cannot be named in code: `use
/// self::...` is not the crate), the names of cargo's build directories, and the test crate.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Why a name that is not a keyword is still refused.
fn reserved(krate: &str) -> Option<&'static str> {
    if KEYWORDS.contains(&krate) {
        return Some("it is a Rust keyword, and a crate of that name cannot be used in code (cargo refuses it)");
    }
    if matches!(krate, "deps" | "examples" | "build" | "incremental") {
        return Some("it is the name of one of cargo's build directories (cargo refuses it)");
    }
    if krate == "test" {
        return Some("it is the name of Rust's built-in test crate (cargo refuses it)");
    }
    if matches!(krate, "core" | "std" | "alloc" | "proc_macro") {
        return Some("it is the name of a crate of Rust's standard library, which it would shadow");
    }
    let windows = matches!(krate, "con" | "prn" | "aux" | "nul")
        || (krate.len() == 4
            && (krate.starts_with("com") || krate.starts_with("lpt"))
            && krate.ends_with(|c: char| ('1'..='9').contains(&c)));
    if windows {
        return Some("it is a device name Windows reserves, so the crate's directory could not be made there");
    }
    None
}

/// Why no crate was written.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ScaffoldError {
    #[error("{name:?} is not a valid crate name: {reason}")]
    #[diagnostic(code(rcdk::new::name), help("use lowercase letters, digits and single hyphens, starting with a letter: order-events"))]
    BadName { name: String, reason: String },

    #[error("{} exists and is not empty", path.display())]
    #[diagnostic(
        code(rcdk::new::not_empty),
        help("name a new directory, or an empty one")
    )]
    NotEmpty { path: PathBuf },

    #[error("no rcdk checkout to depend on: {} is not one, and this toolkit was not built from one", root.display())]
    #[diagnostic(
        code(rcdk::new::no_source),
        help("run it from an rcdk checkout (`cargo run -- new app DIR`), or pass --git URL [--rev R]")
    )]
    NoSource { root: PathBuf },

    #[error("{} is a symbolic link", path.display())]
    #[diagnostic(
        code(rcdk::new::symlink),
        help("name a new directory, or an empty real one: rcdk does not write through a link it did not make")
    )]
    Symlink { path: PathBuf },

    #[error("{} is inside {}, which is not a directory", path.display(), inside.display())]
    #[diagnostic(
        code(rcdk::new::inside),
        help("name a directory under an existing directory")
    )]
    Inside { path: PathBuf, inside: PathBuf },

    #[error("{} already exists", path.display())]
    #[diagnostic(
        code(rcdk::new::exists),
        help("pick another name, or remove the directory first")
    )]
    Exists { path: PathBuf },

    #[error("{} is not a workspace with a lambdas/ directory", root.display())]
    #[diagnostic(code(rcdk::new::root))]
    NoWorkspace { root: PathBuf },

    #[error("cannot write {}: {source}", path.display())]
    #[diagnostic(code(rcdk::new::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot render the template {template}: {message}")]
    #[diagnostic(code(rcdk::new::template))]
    Template {
        template: &'static str,
        message: String,
    },
}

impl ScaffoldError {
    /// 2 for a name the command line got wrong; 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            ScaffoldError::BadName { .. }
            | ScaffoldError::Exists { .. }
            | ScaffoldError::NotEmpty { .. }
            | ScaffoldError::Symlink { .. }
            | ScaffoldError::Inside { .. } => 2,
            _ => 1,
        }
    }
}

/// Checks a crate name: 1 to 64 lowercase letters, digits and single hyphens, a letter first.
pub fn check_name(name: &str) -> Result<(), ScaffoldError> {
    let bad = |reason: &str| {
        Err(ScaffoldError::BadName {
            name: name.to_string(),
            reason: reason.to_string(),
        })
    };
    if name.is_empty() || name.len() > 64 {
        return bad("it must be 1 to 64 characters long");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return bad("it must start with a lowercase letter");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return bad(&format!("{c:?} is not allowed"));
    }
    if name.ends_with('-') || name.contains("--") {
        return bad("hyphens must separate words");
    }
    let krate = name.replace('-', "_");
    if TAKEN.contains(&krate.as_str()) {
        return bad("the workspace already has a package of that name");
    }
    if let Some(why) = reserved(&krate) {
        return bad(why);
    }
    Ok(())
}

/// Writes `lambdas/<name>/` under `root`; returns the files written.
pub fn new_lambda(root: &Path, name: &str) -> Result<Vec<PathBuf>, ScaffoldError> {
    check_name(name)?;
    let lambdas = root.join("lambdas");
    if !root.join("Cargo.toml").is_file() || !lambdas.is_dir() {
        return Err(ScaffoldError::NoWorkspace {
            root: root.to_path_buf(),
        });
    }
    let dir = lambdas.join(name);
    if std::fs::symlink_metadata(&dir).is_ok() {
        // a file, a directory or a link (even a dangling one): not ours to write into
        return Err(ScaffoldError::Exists { path: dir });
    }
    let mut engine = Handlebars::new();
    engine.set_strict_mode(true);
    let data = json!({
        "name": name,
        "description": format!("The {name} function"),
    });
    let render = |template: &'static str, text: &str| {
        engine
            .render_template(text, &data)
            .map_err(|e| ScaffoldError::Template {
                template,
                message: e.to_string(),
            })
    };
    let files = vec![
        (
            dir.join("Cargo.toml"),
            render("Cargo.toml.hbs", CARGO_TOML)?.into_bytes(),
        ),
        (
            dir.join("src/main.rs"),
            render("src/main.rs.hbs", MAIN_RS)?.into_bytes(),
        ),
    ];
    Created::write_all(&files)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// What a command created, so that a failure removes exactly that: the files it wrote and the
/// directories it made, never anything that was there before (a directory's other entries, a
/// link and what it points to).
#[derive(Debug, Default)]
struct Created {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Created {
    /// Writes every file (each new: none is overwritten, no link followed); on a failure,
    /// removes what it created and returns the error.
    fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<(), ScaffoldError> {
        let mut created = Created::default();
        for (path, bytes) in files {
            if let Err(e) = created.file(path, bytes) {
                created.undo();
                return Err(e);
            }
        }
        Ok(())
    }

    /// Makes the missing directories of `dir`, each recorded.
    fn dirs_of(&mut self, dir: &Path) -> Result<(), ScaffoldError> {
        let mut missing = Vec::new();
        let mut at = Some(dir);
        while let Some(p) = at {
            if p.as_os_str().is_empty() || std::fs::symlink_metadata(p).is_ok() {
                break;
            }
            missing.push(p.to_path_buf());
            at = p.parent();
        }
        for d in missing.into_iter().rev() {
            std::fs::create_dir(&d).map_err(|source| ScaffoldError::Write {
                path: d.clone(),
                source,
            })?;
            self.dirs.push(d);
        }
        Ok(())
    }

    /// Writes one new file (`create_new`: an existing file or link is an error, not a target).
    fn file(&mut self, path: &Path, bytes: &[u8]) -> Result<(), ScaffoldError> {
        use std::io::Write;
        if let Some(parent) = path.parent() {
            self.dirs_of(parent)?;
        }
        let write = |source| ScaffoldError::Write {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(write)?;
        self.files.push(path.to_path_buf());
        file.write_all(bytes).map_err(write)
    }

    /// Removes what was created: the files, then the directories, deepest first, each only
    /// when empty.
    fn undo(self) {
        for f in self.files.iter().rev() {
            let _ = std::fs::remove_file(f);
        }
        for d in self.dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Checks where a new app goes: absent (under a real directory, or directories still to
/// make) or an empty directory; never a link, dangling or not, nor anything inside a file.
fn check_destination(dir: &Path) -> Result<(), ScaffoldError> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => Err(ScaffoldError::Symlink {
            path: dir.to_path_buf(),
        }),
        Ok(m) if m.is_dir() => {
            let empty = std::fs::read_dir(dir)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if empty {
                Ok(())
            } else {
                Err(ScaffoldError::NotEmpty {
                    path: dir.to_path_buf(),
                })
            }
        }
        Ok(_) => Err(ScaffoldError::NotEmpty {
            path: dir.to_path_buf(),
        }),
        Err(_) => {
            // the nearest ancestor that is there must be a directory (through links: a home
            // directory behind one is common)
            let mut at = dir.parent();
            while let Some(p) = at {
                if p.as_os_str().is_empty() {
                    return Ok(());
                }
                if std::fs::symlink_metadata(p).is_ok() {
                    return match std::fs::metadata(p) {
                        Ok(m) if m.is_dir() => Ok(()),
                        _ => Err(ScaffoldError::Inside {
                            path: dir.to_path_buf(),
                            inside: p.to_path_buf(),
                        }),
                    };
                }
                at = p.parent();
            }
            Ok(())
        }
    }
}

/// Where the new app's rcdk dependencies come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An rcdk checkout (its `rcdk/` and `constructs/` crates, by path).
    Path(PathBuf),
    /// A git repository, optionally at a revision.
    Git { url: String, rev: Option<String> },
}

impl Source {
    /// The checkout at `root` when it is one, else the one this toolkit was built from.
    pub fn checkout(root: &Path) -> Result<Source, ScaffoldError> {
        let is_checkout = |dir: &Path| {
            dir.join("rcdk/Cargo.toml").is_file() && dir.join("constructs/Cargo.toml").is_file()
        };
        if is_checkout(root) {
            return Ok(Source::Path(
                std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()),
            ));
        }
        let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        if is_checkout(&built_from) {
            return Ok(Source::Path(
                built_from.canonicalize().unwrap_or(built_from),
            ));
        }
        Err(ScaffoldError::NoSource {
            root: root.to_path_buf(),
        })
    }

    /// The dependency line (an inline table) of one of rcdk's crates.
    fn dependency(&self, krate: &str) -> String {
        let quote = |s: &str| serde_json::Value::String(s.to_string()).to_string();
        match self {
            Source::Path(dir) => {
                format!("{{ path = {} }}", quote(&dir.join(krate).to_string_lossy()))
            }
            Source::Git { url, rev } => match rev {
                Some(r) => format!("{{ git = {}, rev = {} }}", quote(url), quote(r)),
                None => format!("{{ git = {} }}", quote(url)),
            },
        }
    }
}

/// `my-app` -> `MyApp`: the stack's name.
fn camel(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Writes a new app crate at `dir` (absent or empty), named `name` (default: the directory's
/// name); returns the files written. On any failure nothing is left behind.
pub fn new_app(
    dir: &Path,
    name: Option<&str>,
    source: &Source,
    lock_from: Option<&Path>,
) -> Result<Vec<PathBuf>, ScaffoldError> {
    let name = match name {
        Some(n) => n.to_string(),
        None => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    check_destination(dir)?;
    check_name(&name)?;
    let mut engine = Handlebars::new();
    engine.set_strict_mode(true);
    let data = json!({
        "name": name,
        "crate": name.replace('-', "_"),
        "stack": camel(&name),
        "description": "The app's function: answers an order's greeting",
        "constructs": source.dependency("constructs"),
        "rcdk": source.dependency("rcdk"),
    });
    let mut files = Vec::new();
    for (path, template, text) in APP_FILES {
        let mut data = data.clone();
        if path.starts_with("lambdas/handler/") {
            data["name"] = json!("handler");
        }
        let rendered =
            engine
                .render_template(text, &data)
                .map_err(|e| ScaffoldError::Template {
                    template,
                    message: e.to_string(),
                })?;
        files.push((dir.join(path), rendered.into_bytes()));
    }
    // the same dependency versions as the checkout's, so a shared target directory is reused
    if let Some(lock) = lock_from
        .map(|d| d.join("Cargo.lock"))
        .filter(|l| l.is_file())
    {
        if let Ok(bytes) = std::fs::read(&lock) {
            files.push((dir.join("Cargo.lock"), bytes));
        }
    }
    Created::write_all(&files)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for good in ["a", "order-events", "step2"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("", "1 to 64"),
            ("Order", "lowercase letter"),
            ("2fast", "lowercase letter"),
            ("snake_case", "'_' is not allowed"),
            ("a--b", "hyphens"),
            ("end-", "hyphens"),
            ("rcdk", "already has a package"),
            ("handler", "already has a package"),
            ("serde-json", "already has a package"),
            ("self", "Rust keyword"),
            ("crate", "Rust keyword"),
            ("async", "Rust keyword"),
            ("gen", "Rust keyword"),
            ("test", "test crate"),
            ("deps", "build directories"),
            ("std", "standard library"),
            ("proc-macro", "standard library"),
            ("nul", "Windows reserves"),
            ("com1", "Windows reserves"),
        ] {
            let e = check_name(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn names_close_to_reserved_ones_are_fine() {
        for good in [
            "selfish",
            "crates",
            "async-jobs",
            "tests",
            "com",
            "com10",
            "lpt0",
            "con-app",
        ] {
            assert!(check_name(good).is_ok(), "{good}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_written_through_nor_removed() {
        let dir = tempfile::tempdir().unwrap();
        let source = Source::Git {
            url: "https://example.invalid/rcdk.git".into(),
            rev: None,
        };
        // a dangling link: refused, and still there
        let dangling = dir.path().join("my-app");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let e = new_app(&dangling, None, &source, None).unwrap_err();
        assert!(matches!(e, ScaffoldError::Symlink { .. }), "{e}");
        assert_eq!(e.exit_code(), 2);
        assert!(std::fs::symlink_metadata(&dangling).is_ok());
        assert!(!dir.path().join("nowhere").exists());
        // a link to an empty directory: refused, the directory left empty
        let target = dir.path().join("target-dir");
        std::fs::create_dir(&target).unwrap();
        let link = dir.path().join("linked");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = new_app(&link, Some("my-app"), &source, None).unwrap_err();
        assert!(matches!(e, ScaffoldError::Symlink { .. }), "{e}");
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
        // inside a file
        let file = dir.path().join("file.txt");
        std::fs::write(&file, "mine").unwrap();
        let e = new_app(&file.join("my-app"), None, &source, None).unwrap_err();
        assert!(matches!(e, ScaffoldError::Inside { .. }), "{e}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_write_removes_only_what_it_created() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let source = Source::Git {
            url: "https://example.invalid/rcdk.git".into(),
            rev: None,
        };
        // the app's directory is there, empty and read-only, next to a file of the user's:
        // the first write fails, and the directory and the file stay as they were
        let app = dir.path().join("work/my-app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(dir.path().join("work/notes.txt"), "mine").unwrap();
        std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o555)).unwrap();
        let result = new_app(&app, None, &source, None);
        std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o755)).unwrap();
        match result {
            // as root the permissions do not stop the write: the app is then complete
            Ok(files) => assert_eq!(files.len(), APP_FILES.len()),
            Err(e) => {
                assert!(matches!(e, ScaffoldError::Write { .. }), "{e}");
                assert!(app.is_dir(), "the directory that was there stays");
                assert_eq!(std::fs::read_dir(&app).unwrap().count(), 0);
            }
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("work/notes.txt")).unwrap(),
            "mine"
        );
        // the undo removes the files written and the directories made for them, and no more
        let mut created = Created::default();
        created
            .file(&dir.path().join("made/for/it/a.txt"), b"x")
            .unwrap();
        let again = created.file(&dir.path().join("made/for/it/a.txt"), b"y");
        assert!(again.is_err(), "an existing file is never overwritten");
        created.undo();
        assert!(!dir.path().join("made").exists());
        assert!(dir.path().join("work/notes.txt").is_file());
    }

    #[test]
    fn stack_names_come_from_crate_names() {
        assert_eq!(camel("my-app"), "MyApp");
        assert_eq!(camel("orders2"), "Orders2");
    }

    #[test]
    fn an_app_goes_only_into_an_absent_or_empty_directory() {
        let dir = tempfile::tempdir().unwrap();
        let source = Source::Git {
            url: "https://example.invalid/rcdk.git".into(),
            rev: Some("abc".into()),
        };
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let e = new_app(dir.path(), Some("my-app"), &source, None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("not empty"), "{e}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(),
            "mine"
        );

        let e = new_app(&dir.path().join("My_App"), None, &source, None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(!dir.path().join("My_App").exists());

        let app = dir.path().join("my-app");
        let files = new_app(&app, None, &source, None).unwrap();
        assert_eq!(files.len(), APP_FILES.len());
        let manifest = std::fs::read_to_string(app.join("Cargo.toml")).unwrap();
        assert!(
            manifest
                .contains(r#"rcdk = { git = "https://example.invalid/rcdk.git", rev = "abc" }"#),
            "{manifest}"
        );
        let main = std::fs::read_to_string(app.join("src/main.rs")).unwrap();
        assert!(
            main.contains("my_app::app(&ctx.config()?, ctx.root())"),
            "{main}"
        );
        let config = std::fs::read_to_string(app.join("config.json")).unwrap();
        assert!(config.contains("\"stackName\": \"MyApp\""), "{config}");
        let handler = std::fs::read_to_string(app.join("lambdas/handler/Cargo.toml")).unwrap();
        assert!(handler.contains("name = \"handler\""), "{handler}");
    }
}
