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

    /// The AWS profile (deploy, diff, destroy, bootstrap, load-table); default: the standard chain.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// The AWS region (deploy, diff, destroy, bootstrap, load-table); default: the standard chain.
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Synthesize the app into a cloud assembly (no AWS account needed).
    Synth(SynthArgs),
    /// List the app's stacks and what each depends on.
    List(ListArgs),
    /// Build and publish the assets, then deploy stacks through change sets.
    Deploy(DeployArgs),
    /// Compare the app's templates with the deployed ones.
    Diff(DiffArgs),
    /// Delete deployed stacks (dependents first).
    Destroy(DestroyArgs),
    /// Create or update the CDKToolkit stack and its asset bucket (once per account and region).
    Bootstrap(BootstrapArgs),
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

/// `--require-approval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApprovalArg {
    /// Never ask.
    Never,
    /// Ask when IAM broadens or a stateful resource would be replaced or removed.
    Broadening,
    /// Ask for every change.
    AnyChange,
}

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// Stacks to deploy: names or globs (`Waitable*`); their dependencies come along.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Deploy every stack of the app.
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// When to ask before executing a change set.
    #[arg(long, value_enum, default_value_t = ApprovalArg::Broadening)]
    pub require_approval: ApprovalArg,

    /// Keep what a failed deployment created or changed (no rollback), to inspect it.
    #[arg(long)]
    pub no_rollback: bool,

    /// Write the stacks' outputs to this JSON file: {"Stack": {"Key": "Value"}}.
    #[arg(long, value_name = "FILE")]
    pub outputs_file: Option<PathBuf>,

    /// A stack parameter: KEY=VALUE, or STACK:KEY=VALUE for one stack (repeatable).
    #[arg(long = "parameters", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,

    /// Deploy even when nothing changed (a change set is still made and may be empty).
    #[arg(long)]
    pub force: bool,

    /// How many independent stacks deploy at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Stacks to compare: names or globs; default: all.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Exit with 1 when a stack differs.
    #[arg(long)]
    pub fail: bool,
}

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    /// Stacks to delete: names or globs; the stacks that depend on them go first.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// Delete every stack of the app.
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// Do not ask for confirmation.
    #[arg(long, short)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct BootstrapArgs {}
