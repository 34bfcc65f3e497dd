//! `rcdk-toolkit`: parse arguments, run the command, print the error with its diagnostic.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

use rcdk_toolkit::cli::Cli;

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2
    let cli = Cli::parse();
    // long messages name keys and paths: let the terminal wrap them, never split them
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .wrap_lines(false)
                .terminal_links(false)
                .build(),
        )
    }));
    match rcdk_toolkit::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e.exit_code();
            // what an endpoint or a file put in the message reaches the terminal escaped
            let report = format!("{:?}", miette::Report::new(e));
            // not eprintln!: a reader gone away (`deploy 2>&1 | head`) must not make it a panic
            let _ = writeln!(std::io::stderr(), "{}", rcdk_toolkit::ui::safe(&report));
            ExitCode::from(code)
        }
    }
}
