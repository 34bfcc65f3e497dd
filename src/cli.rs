//! The command line (clap derive): one Args struct per subcommand.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// rcdk: typed AWS infrastructure in Rust, synthesized to CloudFormation.
#[derive(Debug, Parser)]
#[command(name = "rcdk", version, about, propagate_version = true)]
pub struct Cli {
    /// The settings file of the app.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        default_value = "config.json"
    )]
    pub config: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Synthesize the app into a cloud assembly (no AWS account needed).
    Synth(SynthArgs),
    /// List the app's stacks and what each depends on.
    List(ListArgs),
}

/// Template file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Json,
    Yaml,
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// The assembly directory to write (replaced as a whole).
    #[arg(long, short, value_name = "DIR", default_value = "cdk.out")]
    pub out: PathBuf,

    /// Template format.
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    pub format: FormatArg,

    /// Only these stacks (and those they depend on): a name or a glob (`*Api`).
    #[arg(long, value_name = "PATTERN")]
    pub stack: Option<String>,

    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only these stacks: a name or a glob.
    #[arg(long, value_name = "PATTERN")]
    pub stack: Option<String>,
}
