//! The app's command line (clap derive): global flags, the built-in commands, and the
//! commands handed to the toolkit. An app adds its own subcommands next to these.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// The app's command line: built-in commands, plus any the app declares.
#[derive(Debug, Parser)]
#[command(
    name = "rcdk",
    version,
    about = "An rcdk app: synthesize its stacks, or deploy them through rcdk-toolkit",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,

    #[command(subcommand)]
    pub command: Builtin,
}

/// Flags every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Globals {
    /// The app's settings file (read only by apps that ask for their configuration).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        default_value = "config.json"
    )]
    pub config: PathBuf,

    /// The app's cargo workspace; default: the workspace around the current directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// The AWS profile (commands that talk to AWS); default: the standard chain.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// The AWS region (commands that talk to AWS); default: the standard chain.
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// The role to assume for the stacks of an account (passed on to rcdk-toolkit, which
    /// checks it): `111122223333=arn:aws:iam::111122223333:role/deploy`; once per account.
    #[arg(long = "role", global = true, value_name = "ACCOUNT=ROLE_ARN")]
    pub roles: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Builtin {
    /// Synthesize the app into a cloud assembly (no AWS account needed).
    Synth(SynthArgs),
    /// List the app's stacks and what each depends on.
    List(ListArgs),
    /// Draw a stack or a state machine as an SVG: `graph Stack`, `graph Stack/Machine`, or
    /// `graph --definition FILE`.
    Graph(GraphArgs),
    /// Build and publish the assets, then deploy stacks through change sets (rcdk-toolkit).
    Deploy(ToolkitArgs),
    /// Compare the app's templates with the deployed ones (rcdk-toolkit).
    Diff(ToolkitArgs),
    /// Delete deployed stacks, dependents first (rcdk-toolkit).
    Destroy(ToolkitArgs),
    /// Create or update the CDKToolkit stack and its asset bucket, once per account and region (rcdk-toolkit).
    Bootstrap(ToolkitArgs),
    /// Create a new Lambda crate or a new app from rcdk's templates (rcdk-toolkit).
    New(ToolkitArgs),
    /// Run a state machine locally: `run Stack/Machine --input JSON` (rcdk-toolkit).
    Run(ToolkitArgs),
    /// The CloudWatch Logs of the app's functions, machines and stages (rcdk-toolkit).
    Logs(ToolkitArgs),
    /// Watch the app and its Lambda crates; hotswap each change until Ctrl-C (rcdk-toolkit).
    Watch(ToolkitArgs),
}

impl Builtin {
    /// The toolkit command and its arguments, for the commands the toolkit runs.
    pub fn toolkit(&self) -> Option<(&'static str, &[OsString])> {
        match self {
            Builtin::Deploy(a) => Some(("deploy", &a.args)),
            Builtin::Diff(a) => Some(("diff", &a.args)),
            Builtin::Destroy(a) => Some(("destroy", &a.args)),
            Builtin::Bootstrap(a) => Some(("bootstrap", &a.args)),
            Builtin::New(a) => Some(("new", &a.args)),
            Builtin::Run(a) => Some(("run", &a.args)),
            Builtin::Logs(a) => Some(("logs", &a.args)),
            Builtin::Watch(a) => Some(("watch", &a.args)),
            Builtin::Synth(_) | Builtin::List(_) | Builtin::Graph(_) => None,
        }
    }
}

/// Template file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Json,
    Yaml,
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// The assembly directory to write (replaced as a whole); default: $CDK_OUTDIR, else cdk.out.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Template format.
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    pub format: FormatArg,

    /// Only these stacks (and those they depend on): a name or a glob (`*Api`).
    #[arg(long, value_name = "PATTERN")]
    pub stack: Option<String>,

    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    pub quiet: bool,

    /// Also write a picture of each state machine beside the templates
    /// (`<Stack>-<Machine>.svg`).
    #[arg(long)]
    pub diagrams: bool,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// A stack (its constructs and how they use each other), or a state machine by its
    /// construct path (`Stack/Machine`).
    #[arg(value_name = "STACK[/MACHINE]", conflicts_with = "definition")]
    pub target: Option<String>,

    /// An ASL file (JSON) to draw instead of a machine of the app.
    #[arg(long, value_name = "FILE")]
    pub definition: Option<PathBuf>,

    /// The SVG file to write; default: `<Stack>.svg`, `<Stack>-<Machine>.svg` (or the ASL
    /// file's name with `.svg`) in the current directory.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only these stacks: a name or a glob.
    #[arg(long, value_name = "PATTERN")]
    pub stack: Option<String>,
}

/// The arguments of a toolkit command, passed on as they are (`deploy --help` shows them).
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct ToolkitArgs {
    #[arg(
        value_name = "ARGS",
        num_args = 0..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<OsString>,
}
