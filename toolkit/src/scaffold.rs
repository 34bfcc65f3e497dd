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

/// Names a workspace already uses for other packages (rcdk's crates, the app's function).
const TAKEN: &[&str] = &["rcdk", "constructs", "rcdk-toolkit", "handler"];

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
            | ScaffoldError::NotEmpty { .. } => 2,
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
    if TAKEN.contains(&name) {
        return bad("the workspace already has a package of that name");
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
    if dir.exists() {
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
    let files = [
        (
            dir.join("Cargo.toml"),
            render("Cargo.toml.hbs", CARGO_TOML)?,
        ),
        (dir.join("src/main.rs"), render("src/main.rs.hbs", MAIN_RS)?),
    ];
    let write = |path: &Path, text: &str| -> Result<(), ScaffoldError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ScaffoldError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(path, text).map_err(|source| ScaffoldError::Write {
            path: path.to_path_buf(),
            source,
        })
    };
    for (path, text) in &files {
        if let Err(e) = write(path, text) {
            // nothing half-written
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
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
    let existed = dir.exists();
    if existed {
        let empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !dir.is_dir() || !empty {
            return Err(ScaffoldError::NotEmpty {
                path: dir.to_path_buf(),
            });
        }
    }
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
    let write = |path: &Path, bytes: &[u8]| -> Result<(), ScaffoldError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ScaffoldError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(path, bytes).map_err(|source| ScaffoldError::Write {
            path: path.to_path_buf(),
            source,
        })
    };
    for (path, bytes) in &files {
        if let Err(e) = write(path, bytes) {
            // nothing half-written: the directory goes, or back to empty
            if existed {
                if let Ok(entries) = std::fs::read_dir(dir) {
                    for entry in entries.flatten() {
                        let p = entry.path();
                        let _ = if p.is_dir() {
                            std::fs::remove_dir_all(&p)
                        } else {
                            std::fs::remove_file(&p)
                        };
                    }
                }
            } else {
                let _ = std::fs::remove_dir_all(dir);
            }
            return Err(e);
        }
    }
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
        ] {
            let e = check_name(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
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
