//! The toolkit's commands, one module each, over one run context (the assembly, read once;
//! the AWS connection, made once, only by the commands that need it).

pub mod bootstrap;
pub mod context;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod logs;
pub mod new;
pub mod put_item;
pub mod run;
pub mod run_output;
pub mod watch;

use miette::Diagnostic;

use constructs::{SelectError, SynthError};

use crate::cli::{Cli, Command};
use crate::error::DeployError;

/// Why a toolkit command failed; `exit_code` says how the process ends.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ToolkitError {
    #[error("{error}")]
    #[diagnostic(code(rcdk::usage::stacks), help("{}", error.help()))]
    Select { error: SelectError },

    #[error(transparent)]
    #[diagnostic(code(rcdk::assembly))]
    Assembly(#[from] SynthError),

    #[error("the --app command `{command}` failed ({status})")]
    #[diagnostic(
        code(rcdk::app_command),
        help("its output above says why; it must write a cloud assembly to $CDK_OUTDIR")
    )]
    AppCommand { command: String, status: String },

    #[error("the deployed stacks differ from the app (--fail)")]
    #[diagnostic(code(rcdk::diff::differs))]
    Differs,

    #[error(transparent)]
    #[diagnostic(transparent)]
    Deploy(#[from] DeployError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Scaffold(#[from] crate::scaffold::ScaffoldError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Put(#[from] crate::put_item::PutError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Run(#[from] run::RunError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Logs(Box<logs::LogsError>),
}

impl From<logs::LogsError> for ToolkitError {
    fn from(e: logs::LogsError) -> Self {
        ToolkitError::Logs(Box::new(e))
    }
}

impl From<SelectError> for ToolkitError {
    fn from(error: SelectError) -> Self {
        ToolkitError::Select { error }
    }
}

impl ToolkitError {
    /// 2 for usage errors (the command line names something that is not there); 130 after
    /// Ctrl-C; 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            ToolkitError::Select { .. } => 2,
            ToolkitError::Assembly(SynthError::Assembly(e)) => e.exit_code(),
            ToolkitError::Deploy(e) => e.exit_code(),
            ToolkitError::Scaffold(e) => e.exit_code(),
            ToolkitError::Run(e) => e.exit_code(),
            ToolkitError::Logs(e) => e.exit_code(),
            _ => 1,
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), ToolkitError> {
    let deadline = match &cli.command {
        Command::Deploy(a) => Some(a.timeout.duration()),
        Command::Destroy(a) => Some(a.timeout.duration()),
        Command::Bootstrap(a) => Some(a.timeout.duration()),
        Command::Diff(a) => Some(a.timeout.duration()),
        _ => None,
    };
    let conn = context::Connection {
        profile: cli.profile,
        region: cli.region,
        roles: cli.roles.into_iter().collect(),
        deadline,
    };
    match cli.command {
        Command::Deploy(args) => deploy::run(&conn, &args),
        Command::Diff(args) => {
            if diff::run(&conn, &args)? && args.fail {
                return Err(ToolkitError::Differs);
            }
            Ok(())
        }
        Command::Destroy(args) => destroy::run(&conn, &args),
        Command::Bootstrap(args) => bootstrap::run(&conn, &args),
        Command::New(args) => new::run(&args),
        Command::PutItem(args) => put_item::run(&conn, &args),
        Command::Run(args) => run::run(&conn, &args),
        Command::Logs(args) => logs::run(&conn, &args),
        Command::Watch(args) => watch::run(&conn, &args),
    }
}
