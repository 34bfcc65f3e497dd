//! Why a command of the app failed, and the exit code it ends with.

use miette::Diagnostic;

use constructs::{Problem, SelectError, SynthError};

use crate::config::{elide, ConfigError};

/// Why a command failed; [`Error::exit_code`] says how the process ends: 1 for problems in the
/// inputs (configuration content, the app, a file), 2 for usage errors (the command line or
/// the environment names something that is not there).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),

    #[error("{}", render_synth_error(.0))]
    Synth(#[from] SynthError),

    #[error("{error}")]
    #[diagnostic(code(rcdk::usage::stacks), help("{}", error.help()))]
    Select { error: SelectError },

    #[error("{message}")]
    #[diagnostic(code(rcdk::usage::root))]
    NoWorkspace {
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error("the toolkit ({what}) cannot be run: {message}")]
    #[diagnostic(code(rcdk::toolkit))]
    Toolkit {
        what: String,
        message: String,
        #[help]
        help: Option<String>,
    },

    /// A toolkit run that failed and has said why itself.
    #[error("rcdk-toolkit failed (exit code {code})")]
    #[diagnostic(code(rcdk::toolkit::failed))]
    Exited { code: u8 },

    /// An error of the app's own code or commands, with the exit code it asks for.
    #[error("{inner}")]
    #[diagnostic(forward(inner))]
    App {
        exit_code: u8,
        inner: Box<dyn Diagnostic + Send + Sync + 'static>,
    },
}

impl Error {
    /// An error of the app's own (a command it declares, a check of its settings), shown with
    /// its diagnostic (code, help, source) and ending the process with `exit_code`.
    pub fn app(exit_code: u8, source: impl Diagnostic + Send + Sync + 'static) -> Error {
        Error::App {
            exit_code,
            inner: Box::new(source),
        }
    }

    /// A plain message from the app's own code (exit code 1).
    pub fn message(message: impl Into<String>) -> Error {
        Error::app(1, miette::MietteDiagnostic::new(message.into()))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(ConfigError::Missing { .. })
            | Error::Select { .. }
            | Error::NoWorkspace { .. } => 2,
            Error::App { exit_code, .. } => *exit_code,
            Error::Exited { code } => *code,
            _ => 1,
        }
    }
}

impl From<SelectError> for Error {
    fn from(error: SelectError) -> Self {
        Error::Select { error }
    }
}

/// One problem of the app; a value it echoes (a name a rule rejects) is cut to a readable
/// length.
fn render_problem(p: &Problem) -> String {
    let mut s = format!("  × {}", elide(&p.to_string()));
    if let Some(h) = &p.help {
        s.push_str(&format!("\n    help: {}", elide(h)));
    }
    s
}

fn render_synth_error(e: &SynthError) -> String {
    match e {
        SynthError::Invalid(problems) => {
            let mut lines = vec![format!("{e}; nothing was written:")];
            lines.extend(problems.iter().map(render_problem));
            lines.join("\n")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_in_a_problem_is_cut() {
        let name = "t".repeat(1_000_000);
        let problem = Problem::new(
            "Data/Table/Resource",
            format!("table name \"{name}\" must be 3 to 255 characters long"),
        )
        .property("TableName");
        let message = Error::from(SynthError::Invalid(vec![problem])).to_string();
        assert!(message.len() < 400, "{message}");
        assert!(
            message.contains("… (1000000 bytes)\" must be 3 to 255"),
            "{message}"
        );
        assert!(
            message.contains("Data/Table/Resource [TableName]"),
            "{message}"
        );
    }
}
