//! The run context of the commands that work on an assembly: the assembly read once through
//! its typed view, the stack selection, and the async runtime with Ctrl-C handling.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use constructs::{AssemblyDir, CloudAssembly};

use super::ToolkitError;
use crate::cli::AppArgs;
use crate::deploy::InFlight;
use crate::error::DeployError;

/// Where the AWS connection comes from, and the command's deadline.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// `--role`: the role to assume for the stacks of an account, by account.
    pub roles: std::collections::BTreeMap<String, String>,
    /// `--timeout` of the commands that have one: no AWS call (retries included) outlasts it.
    pub deadline: Option<Duration>,
}

impl Connection {
    /// Connects (region and credentials checked before the first call); every call has
    /// rcdk's connect and read timeouts, and the deadline.
    pub async fn connect(&self) -> Result<crate::aws::Aws, DeployError> {
        crate::aws::connect_within(
            self.profile.as_deref(),
            self.region.as_deref(),
            self.deadline,
        )
        .await
    }
}

impl Connection {
    /// Connects to `env`: its region (else `--region`, else the shell's), and, when it names
    /// an account, only with credentials of that account (checked with STS
    /// GetCallerIdentity): the role `--role` gives for the account, assumed with the
    /// profile's (or the shell's) credentials, else those credentials themselves.
    pub async fn connect_env(
        &self,
        env: &constructs::core::env::Environment,
    ) -> Result<crate::aws::Aws, DeployError> {
        let region = env.region.as_deref().or(self.region.as_deref());
        let mut aws =
            crate::aws::connect_within(self.profile.as_deref(), region, self.deadline).await?;
        if let Some(account) = &env.account {
            let role = self.roles.get(account);
            if let Some(role) = role {
                aws = crate::aws::assume_role(&aws, role).await?;
            }
            let actual = crate::aws::caller_account(&aws).await?;
            if &actual != account {
                return Err(DeployError::WrongAccount {
                    environment: env.uri(),
                    actual,
                    profile: self.profile.clone(),
                    role: role.cloned(),
                });
            }
        }
        Ok(aws)
    }

    /// The connection for commands that read the whole app (`run --deployed`, `logs`): the
    /// environment every stack names when they all name the same one, else the shell's.
    pub async fn connect_app(
        &self,
        assembly: &CloudAssembly,
    ) -> Result<crate::aws::Aws, DeployError> {
        let mut envs = assembly.stacks.iter().map(|s| &s.environment);
        match envs.next() {
            Some(first) if envs.all(|e| e == first) => self.connect_env(first).await,
            _ => self.connect().await,
        }
    }

    /// A connection for each distinct environment of `envs`, in order.
    pub async fn connect_all<'e>(
        &self,
        envs: impl IntoIterator<Item = &'e constructs::core::env::Environment>,
    ) -> Result<
        std::collections::BTreeMap<constructs::core::env::Environment, crate::aws::Aws>,
        DeployError,
    > {
        let mut out = std::collections::BTreeMap::new();
        for env in envs {
            if !out.contains_key(env) {
                let aws = self.connect_env(env).await?;
                out.insert(env.clone(), aws);
            }
        }
        Ok(out)
    }
}

/// Reads the physical ids of the app's deployed stacks into `templates`, each environment's
/// stacks in it; an agnostic stack's last, as the shell's region is then the one its pseudo
/// parameters stand for. Gives each environment's connection and stack names; a stack that
/// cannot be asked about (no answer, no permission) is the error, not taken for one that is
/// not deployed.
pub async fn read_deployed_ids_by_environment(
    conn: &Connection,
    assembly: &CloudAssembly,
    templates: &mut rcdk_local::template::AppTemplates,
) -> Result<Vec<(crate::aws::Aws, Vec<String>)>, DeployError> {
    let mut envs = by_environment(&assembly.stacks, |s| &s.environment);
    envs.sort_by_key(|(e, _)| e.region.is_none());
    let mut out = Vec::new();
    for (env, stacks) in envs {
        let aws = conn.connect_env(&env).await?;
        let names: Vec<String> = stacks.iter().map(|s| s.name.clone()).collect();
        crate::hotswap::read_deployed_ids(&aws, templates, &names).await?;
        out.push((aws, names));
    }
    Ok(out)
}

/// `items` grouped by environment, each group in the order its first item came.
pub fn by_environment<T>(
    items: impl IntoIterator<Item = T>,
    env_of: impl Fn(&T) -> &constructs::core::env::Environment,
) -> Vec<(constructs::core::env::Environment, Vec<T>)> {
    let mut groups: Vec<(constructs::core::env::Environment, Vec<T>)> = Vec::new();
    for item in items {
        let env = env_of(&item).clone();
        match groups.iter_mut().find(|(e, _)| *e == env) {
            Some((_, group)) => group.push(item),
            None => groups.push((env, vec![item])),
        }
    }
    groups
}

/// The assembly a command works on.
pub struct RunContext {
    pub dir: PathBuf,
    pub assembly: CloudAssembly,
    /// The app's cargo workspace (where its Lambda crates are), when the assembly records it.
    pub workspace: Option<PathBuf>,
}

impl RunContext {
    /// Reads the assembly of `--app`: a directory as it is, or a command run first with
    /// `CDK_OUTDIR` set to `--output` (the AWS CDK's contract).
    pub fn load(args: &AppArgs) -> Result<RunContext, ToolkitError> {
        let as_dir = Path::new(&args.app);
        let dir =
            if as_dir.is_dir() || (!args.app.contains(char::is_whitespace) && !as_dir.is_file()) {
                as_dir.to_path_buf()
            } else {
                run_app_command(&args.app, &args.output)?;
                args.output.clone()
            };
        let AssemblyDir {
            dir,
            assembly,
            workspace,
        } = AssemblyDir::read(&dir).map_err(constructs::SynthError::from)?;
        Ok(RunContext {
            dir,
            assembly,
            workspace,
        })
    }

    /// The workspace the assets are built in, or the error that says it is not recorded.
    pub fn workspace(&self) -> Result<&Path, DeployError> {
        self.workspace
            .as_deref()
            .ok_or_else(|| DeployError::NoWorkspace {
                dir: self.dir.clone(),
            })
    }
}

/// Runs the app's command through the shell, with `CDK_OUTDIR` set.
fn run_app_command(command: &str, out: &Path) -> Result<(), ToolkitError> {
    let (shell, flag) = if cfg!(windows) {
        ("cmd", "/C")
    } else {
        ("sh", "-c")
    };
    let status = std::process::Command::new(shell)
        .args([flag, command])
        .env("CDK_OUTDIR", out)
        .status()
        .map_err(|e| ToolkitError::AppCommand {
            command: command.to_string(),
            status: e.to_string(),
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(ToolkitError::AppCommand {
            command: command.to_string(),
            status: status.to_string(),
        })
    }
}

/// Between two polls of CloudFormation (`RCDK_POLL_MS` shortens it against local endpoints).
pub fn poll_interval() -> Duration {
    std::env::var("RCDK_POLL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(2))
}

fn runtime_error(source: std::io::Error) -> DeployError {
    DeployError::Io {
        action: "start the async runtime in",
        path: ".".into(),
        source,
    }
}

/// A runtime on this thread, for commands that drive their own loop (`run --live`, `logs`).
pub fn current_thread_runtime() -> Result<tokio::runtime::Runtime, DeployError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(runtime_error)
}

/// Runs `work` on a runtime; Ctrl-C ends it with a message naming the operations that go on.
pub fn run_async<T>(
    in_flight: &InFlight,
    verb: &str,
    work: impl Future<Output = Result<T, DeployError>>,
) -> Result<T, DeployError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(runtime_error)?;
    runtime.block_on(async {
        tokio::select! {
            r = work => r,
            _ = tokio::signal::ctrl_c() => {
                let running: Vec<String> = in_flight
                    .lock()
                    .map(|f| f.iter().cloned().collect())
                    .unwrap_or_default();
                let message = if running.is_empty() {
                    format!("no stack operation had started; nothing goes on in CloudFormation. Run the {verb} again when you are ready")
                } else {
                    let follow: Vec<String> = running
                        .iter()
                        .map(|s| format!("  aws cloudformation describe-stack-events --stack-name {s}"))
                        .collect();
                    format!(
                        "rcdk stopped watching, but CloudFormation goes on with {}; it cannot be cancelled from here. Follow it with:\n{}\nor in the CloudFormation console; run the {verb} again once it has ended",
                        running.join(", "),
                        follow.join("\n")
                    )
                };
                Err(DeployError::Interrupted { message })
            }
        }
    })
}

/// Reports failed stacks: one error as it is, several each printed and then summed up.
pub fn report_failures(failures: Vec<(String, DeployError)>) -> Result<(), DeployError> {
    let count = failures.len();
    if count <= 1 {
        return match failures.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(()),
        };
    }
    let mut names = Vec::new();
    for (name, e) in failures {
        let report = format!("{:?}", miette::Report::new(e));
        errln!("{}", crate::ui::safe(&report));
        names.push(name);
    }
    Err(DeployError::Several {
        count,
        stacks: names.join(", "),
    })
}
