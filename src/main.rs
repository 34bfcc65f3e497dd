//! `rcdk`: parse arguments, load the config, build the app, run the command.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use rcdk::cli::Cli;
use rcdk::commands::{run, CliError};

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2
    let cli = Cli::parse();
    // long messages name keys and paths: let the terminal wrap them, never split them
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    // the app's code lives in this repository, next to `lambdas/`
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match run(cli, root) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e.exit_code();
            match &e {
                CliError::Synth(_) => eprintln!("error: {e}"),
                _ => eprintln!("{:?}", miette::Report::new(e)),
            }
            ExitCode::from(code)
        }
    }
}
