//! `new lambda NAME`: a new Lambda crate under `lambdas/`, from the handlebars templates in
//! `templates/lambda/` (offline: cargo-lambda's own `new` needs GitHub). The workspace takes
//! every directory of `lambdas/` as a member, so the crate is registered as it is written.

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use miette::Diagnostic;
use serde_json::json;

const CARGO_TOML: &str = include_str!("../../templates/lambda/Cargo.toml.hbs");
const MAIN_RS: &str = include_str!("../../templates/lambda/src/main.rs.hbs");

/// Names the workspace already uses for other packages.
const TAKEN: &[&str] = &["rcdk", "constructs"];

/// Why no crate was written.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ScaffoldError {
    #[error("{name:?} is not a valid Lambda crate name: {reason}")]
    #[diagnostic(code(rcdk::new::name), help("use lowercase letters, digits and single hyphens, starting with a letter: order-events"))]
    BadName { name: String, reason: String },

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
            ScaffoldError::BadName { .. } | ScaffoldError::Exists { .. } => 2,
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
        ] {
            let e = check_name(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
