//! The toolkit's command line (clap derive): one Args struct per command.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// rcdk-toolkit: deploys, compares and deletes the stacks of an rcdk cloud assembly.
#[derive(Debug, Parser)]
#[command(name = "rcdk-toolkit", version, about, propagate_version = true)]
pub struct Cli {
    /// The AWS profile; default: the standard chain.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// The AWS region; default: the standard chain.
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// The role to assume for the stacks of an account (`111122223333=arn:aws:iam::111122223333:role/deploy`),
    /// with the credentials of the profile or the shell; once per account.
    #[arg(long = "role", global = true, value_name = "ACCOUNT=ROLE_ARN", value_parser = parse_role)]
    pub roles: Vec<(String, String)>,

    #[command(subcommand)]
    pub command: Command,
}

/// `ACCOUNT=ROLE_ARN`: a 12-digit account and an IAM role ARN of that account.
pub fn parse_role(text: &str) -> Result<(String, String), String> {
    let Some((account, arn)) = text.split_once('=') else {
        return Err(format!("{text:?} is not ACCOUNT=ROLE_ARN"));
    };
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the account {account:?} is not 12 digits"));
    }
    // arn:<partition>:iam::<account>:role/<path and name>
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let is_role = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[5].starts_with("role/")
        && parts[5].len() > "role/".len();
    if !is_role {
        return Err(format!(
            "{arn:?} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
        ));
    }
    if parts[4] != account {
        return Err(format!(
            "{arn} is a role of the account {}, not of {account}",
            parts[4]
        ));
    }
    Ok((account.to_string(), arn.to_string()))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build and publish the assets, then deploy stacks through change sets.
    Deploy(DeployArgs),
    /// Compare the assembly's templates with the deployed ones.
    Diff(DiffArgs),
    /// Delete deployed stacks (dependents first).
    Destroy(DestroyArgs),
    /// Create or update the CDKToolkit stack and its asset bucket (once per account and region).
    Bootstrap(BootstrapArgs),
    /// Create something new from rcdk's templates.
    New(NewArgs),
    /// Put one item (plain JSON, marshalled to DynamoDB types) into a DynamoDB table.
    PutItem(PutItemArgs),
    /// Run a state machine locally: the app's (`Stack/Machine`) or an ASL file's.
    Run(RunArgs),
    /// The CloudWatch Logs of the app's functions, state machines and API stages.
    Logs(LogsArgs),
    /// Watch the app's sources and Lambda crates; on each change, synthesize and hotswap (a
    /// change set for what cannot be hotswapped), until Ctrl-C.
    Watch(WatchArgs),
}

/// Where the cloud assembly comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct AppArgs {
    /// A cloud assembly directory (written by `synth`), or a command that writes one to
    /// $CDK_OUTDIR (`cargo run -q -- synth -q`), as the AWS CDK's --app.
    #[arg(long, value_name = "DIR|COMMAND", default_value = "cdk.out")]
    pub app: String,

    /// Where an --app command writes the assembly (its CDK_OUTDIR).
    #[arg(long, value_name = "DIR", default_value = "cdk.out")]
    pub output: PathBuf,
}

/// `--timeout MINUTES`: the most one stack's operation (for diff: one call with its retries)
/// is waited for.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct TimeoutArg {
    /// Stop waiting for one stack's operation after this many minutes (CloudFormation goes on;
    /// rcdk says how to follow it).
    #[arg(long = "timeout", value_name = "MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub minutes: u64,
}

impl TimeoutArg {
    pub fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.minutes * 60)
    }
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

    #[command(flatten)]
    pub app: AppArgs,

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

    #[command(flatten)]
    pub timeout: TimeoutArg,

    /// Make a function's code, environment or description, and a state machine's definition,
    /// live through their APIs instead of a change set; any other change is refused. The stack
    /// then differs from its template until a normal deploy.
    #[arg(long)]
    pub hotswap: bool,

    /// As --hotswap, but a stack with other changes is deployed through a change set.
    #[arg(long, conflicts_with = "hotswap")]
    pub hotswap_fallback: bool,

    /// How many independent stacks deploy at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Stacks to compare: names or globs; default: all.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    #[command(flatten)]
    pub app: AppArgs,

    /// Exit with 1 when a stack differs.
    #[arg(long)]
    pub fail: bool,

    #[command(flatten)]
    pub timeout: TimeoutArg,
}

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    /// Stacks to delete: names or globs; the stacks that depend on them go first.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    #[command(flatten)]
    pub app: AppArgs,

    /// Delete every stack of the app.
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// Do not ask for confirmation.
    #[arg(long, short)]
    pub force: bool,

    /// How many stacks are deleted at once (each after the stacks that depend on it).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,

    #[command(flatten)]
    pub timeout: TimeoutArg,
}

#[derive(Debug, clap::Args)]
pub struct BootstrapArgs {
    /// Replace a CDKToolkit stack made by the AWS CDK with rcdk's (removing its roles,
    /// repository and key; the AWS CDK then needs `cdk bootstrap` again).
    #[arg(long)]
    pub force: bool,

    /// Bootstrap every account and region the stacks of this assembly name (those that name
    /// none: the shell's); without it, the shell's account and region.
    #[arg(long, value_name = "DIR")]
    pub app: Option<PathBuf>,

    #[command(flatten)]
    pub timeout: TimeoutArg,
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The app's cargo workspace (the app passes its own).
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    #[command(subcommand)]
    pub what: NewCommand,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A new Lambda crate under lambdas/ of the app (a handler with its tests).
    Lambda(NewLambdaArgs),
    /// A new standalone app crate: a stack, a Lambda crate, tests.
    App(NewAppArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewLambdaArgs {
    /// The crate's name: lowercase letters, digits and hyphens (order-events).
    pub name: String,
}

#[derive(Debug, clap::Args)]
pub struct NewAppArgs {
    /// The directory to create (absent or empty).
    pub dir: PathBuf,

    /// The app crate's name; default: the directory's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Depend on rcdk through this git repository instead of this checkout's path.
    #[arg(long, value_name = "URL")]
    pub git: Option<String>,

    /// The git revision (with --git).
    #[arg(long, value_name = "REV", requires = "git")]
    pub rev: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct PutItemArgs {
    /// The table's name.
    #[arg(long, value_name = "NAME")]
    pub table: String,

    /// The item's JSON file, or - for standard input.
    #[arg(long, value_name = "FILE")]
    pub item: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// Stacks to keep deployed: names or globs; default: every stack.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,

    /// The command that synthesizes the app into $CDK_OUTDIR (the app passes its own).
    #[arg(long, value_name = "COMMAND")]
    pub app: String,

    /// Where the app command writes the assembly.
    #[arg(long, value_name = "DIR", default_value = "cdk.out")]
    pub output: PathBuf,

    /// The app's workspace (the app passes its own).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// The app's settings file, watched with its sources.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Hotswap only: a change that needs a change set is reported, not deployed.
    #[arg(long)]
    pub hotswap_only: bool,
}

#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    /// A stack, or a construct path in one (`TaskStatus/invokeStepFunction`); default: every
    /// stack of the app.
    #[arg(value_name = "STACK[/PATH]")]
    pub target: Option<String>,

    #[command(flatten)]
    pub app: AppArgs,

    /// Keep printing new events until Ctrl-C.
    #[arg(long, short)]
    pub follow: bool,

    /// From how long ago: 30s, 10m, 2h, 1d, or an ISO 8601 time.
    #[arg(long, value_name = "WHEN", default_value = "10m")]
    pub since: String,

    /// A CloudWatch Logs filter pattern (`ERROR`, `"item 3"`, `{ $.level = "error" }`).
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The app's machine: its construct path (`Stack/Machine`) or its name.
    #[arg(
        value_name = "STACK/MACHINE",
        required_unless_present = "definition",
        conflicts_with = "definition"
    )]
    pub machine: Option<String>,

    #[command(flatten)]
    pub app: AppArgs,

    /// Run this ASL file instead of one of the app's machines.
    #[arg(long, value_name = "FILE.asl.json")]
    pub definition: Option<PathBuf>,

    /// The machine's name with --definition (in its context and its mock file); default: the
    /// file's stem.
    #[arg(long, value_name = "NAME", requires = "definition")]
    pub name: Option<String>,

    /// The execution's input: JSON text, or @FILE.
    #[arg(long, value_name = "JSON|@FILE", default_value = "{}")]
    pub input: String,

    /// A mock configuration file in AWS Step Functions Local's format.
    #[arg(long, value_name = "FILE")]
    pub mock: Option<PathBuf>,

    /// The test case of the mock file that answers the tasks.
    #[arg(long, value_name = "NAME", requires = "mock")]
    pub test_case: Option<String>,

    /// The app's own functions that the machine calls run locally (their crates built for
    /// this machine), their AWS calls going to AWS_ENDPOINT_URL or AWS.
    #[arg(long, conflicts_with = "definition")]
    pub handlers: bool,

    /// Tasks nothing else answers call their services for real: AWS, or AWS_ENDPOINT_URL
    /// (DynamoDB, Step Functions, Lambda, S3, SQS, SNS, EventBridge).
    #[arg(long)]
    pub live: bool,

    /// Run every test case of the machine in the mock file, each against its input and
    /// expected result in `<mock file>.expected.json`.
    #[arg(long, requires = "mock", conflicts_with_all = ["test_case", "input"])]
    pub test_cases: bool,

    /// Print one JSON object: status, output, error, cause and the history.
    #[arg(long)]
    pub json: bool,

    /// Also write an HTML report of the run to FILE: the workflow's picture with the path
    /// taken, each state's input and output on a click, and a timeline.
    #[arg(long, value_name = "FILE", conflicts_with = "test_cases")]
    pub report: Option<PathBuf>,

    /// Wait for real (a Wait of 10 s takes 10 s); default: a virtual clock.
    #[arg(long)]
    pub real_time: bool,

    /// Resolve the machine's references with the deployed stacks' physical ids.
    #[arg(long, conflicts_with = "definition")]
    pub deployed: bool,

    /// The execution's name.
    #[arg(long, value_name = "NAME", default_value = "local")]
    pub execution_name: String,

    /// The seed of States.UUID, States.MathRandom, $random(), jitter, task tokens and an
    /// EXPRESS execution's id: the same seed gives the same values; default: a new one each run.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_is_minutes_within_a_day_defaulting_to_an_hour() {
        let deploy = |args: &[&str]| {
            let mut all = vec!["rcdk-toolkit", "deploy"];
            all.extend_from_slice(args);
            Cli::try_parse_from(all).map(|c| match c.command {
                Command::Deploy(d) => d.timeout.duration(),
                other => panic!("{other:?}"),
            })
        };
        assert_eq!(deploy(&[]).unwrap().as_secs(), 3600);
        assert_eq!(deploy(&["--timeout", "5"]).unwrap().as_secs(), 300);
        assert!(deploy(&["--timeout", "0"]).is_err());
        assert!(deploy(&["--timeout", "1441"]).is_err());
        let destroy = Cli::try_parse_from(["rcdk-toolkit", "destroy", "--timeout", "2"]).unwrap();
        assert!(matches!(destroy.command, Command::Destroy(d) if d.timeout.minutes == 2));
        let bootstrap =
            Cli::try_parse_from(["rcdk-toolkit", "bootstrap", "--force", "--timeout", "3"])
                .unwrap();
        assert!(
            matches!(bootstrap.command, Command::Bootstrap(b) if b.force && b.timeout.minutes == 3)
        );
    }
}

#[cfg(test)]
mod role_tests {
    use super::parse_role;

    #[test]
    fn a_role_is_an_iam_role_of_the_account_it_is_given_for() {
        assert_eq!(
            parse_role("111122223333=arn:aws:iam::111122223333:role/ops/deploy"),
            Ok((
                "111122223333".to_string(),
                "arn:aws:iam::111122223333:role/ops/deploy".to_string()
            ))
        );
        assert_eq!(
            parse_role("111122223333=arn:aws-cn:iam::111122223333:role/deploy").map(|r| r.0),
            Ok("111122223333".to_string())
        );
        for (text, said) in [
            ("arn:aws:iam::111122223333:role/deploy", "is not ACCOUNT=ROLE_ARN"),
            ("11112222333=arn:aws:iam::11112222333:role/d", "the account \"11112222333\" is not 12 digits"),
            ("111122223333=arn:aws:iam::111122223333:user/deploy", "is not an IAM role ARN"),
            ("111122223333=arn:aws:iam::111122223333:role/", "is not an IAM role ARN"),
            (
                "111122223333=arn:aws:iam::444455556666:role/deploy",
                "arn:aws:iam::444455556666:role/deploy is a role of the account 444455556666, not of 111122223333",
            ),
        ] {
            let e = parse_role(text).unwrap_err();
            assert!(e.contains(said), "{text}: {e}");
        }
    }
}
