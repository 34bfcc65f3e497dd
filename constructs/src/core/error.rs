//! Errors are values: every problem names where it is (construct path, property).

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with the app, found while building or synthesizing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Construct path (`Stack/Table/Resource`), or the stack's name for stack-level problems.
    pub path: String,
    /// The property concerned, when there is one (`TableName`, `Outputs.ApiUrl`).
    pub property: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What to do about it, when we know.
    pub help: Option<String>,
}

impl Problem {
    /// A problem at construct path `path`, with no property or help yet.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            property: None,
            message: message.into(),
            help: None,
        }
    }

    /// The property the problem is about (`TableName`).
    pub fn property(mut self, property: impl Into<String>) -> Self {
        self.property = Some(property.into());
        self
    }

    /// What to do about the problem.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(p) = &self.property {
            write!(f, " [{p}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A value a service would refuse, found by one of the construct library's validators (a
/// memory size, a percentile, an OAuth scope, a time zone, an IAM action ...): what it is,
/// the value as written, the bounds it is outside when it is a number out of range, and the
/// message of the synth problem that reports it (its text).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    /// What the value is, in words (`memory`, `OAuth scope`).
    pub what: &'static str,
    /// The value refused, as written.
    pub value: String,
    /// The range a number must lie in, when it is one out of range.
    pub bounds: Option<std::ops::RangeInclusive<f64>>,
    /// Why it is refused, the value named: the problem's message.
    pub message: String,
}

impl InvalidValue {
    /// `value`, a `what`, refused for the reason `message` says.
    pub fn new(what: &'static str, value: impl Into<String>, message: impl Into<String>) -> Self {
        InvalidValue {
            what,
            value: value.into(),
            bounds: None,
            message: message.into(),
        }
    }

    /// The same, a number outside `bounds`.
    pub fn outside(mut self, bounds: std::ops::RangeInclusive<f64>) -> Self {
        self.bounds = Some(bounds);
        self
    }
}

/// Something legal but worth knowing (a template deploy will have to upload, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The construct path (or stack name) it is about.
    pub path: String,
    /// What is worth knowing.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why synth produced no assembly.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Every problem found, not just the first.
    #[error("the app has {} problem{}", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Invalid(Vec<Problem>),
    /// A file that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A cloud assembly directory that cannot be read (missing, malformed, pointing outside
    /// itself, stacks in a cycle).
    #[error(transparent)]
    Assembly(#[from] super::assembly::AssemblyError),
    /// A directory synth will not write an assembly to, left as it was: it holds files rcdk
    /// did not write.
    #[error("refusing to write the assembly to {}: {reason}", dir.display())]
    Refused {
        /// The directory.
        dir: PathBuf,
        /// What is there.
        reason: String,
    },
    /// A file or directory of the cloud assembly that cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl SynthError {
    /// The problems, when the error is a validation failure.
    pub fn problems(&self) -> &[Problem] {
        match self {
            SynthError::Invalid(p) => p,
            _ => &[],
        }
    }
}
