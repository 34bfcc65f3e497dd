//! The patterns app's binary: rcdk's command line over the five patterns, plus `load-table`.

use std::process::ExitCode;

use rcdk_patterns::{app, commands};

fn main() -> ExitCode {
    rcdk::Program::new(|ctx| Ok(app::build(&ctx.validated_config()?, ctx.root())))
        .about("The five rcdk patterns: synthesize, deploy and load them")
        .commands(commands::run)
        .main()
}
