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
    /// Load a JSON list into pattern 004's table (the item its state machine maps over).
    LoadTable(LoadTableArgs),
    /// Create something new from the project's templates.
    #[command(subcommand)]
    New(NewCommand),
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A new Lambda crate under lambdas/ (a handler with its tests).
    Lambda(NewLambdaArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewLambdaArgs {
    /// The crate's name: lowercase letters, digits and hyphens (order-events).
    pub name: String,

    /// The workspace to add it to; default: this project.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
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

#[derive(Debug, clap::Args)]
pub struct LoadTableArgs {
    /// The JSON file of the list (simplelist.json, listofdicts.json).
    #[arg(long, value_name = "FILE")]
    pub json: PathBuf,

    /// The table; default: config.json's `mapDynamoDb.ddb.tableName`.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
}
