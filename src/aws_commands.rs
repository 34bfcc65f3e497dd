//! The commands that talk to AWS: deploy, diff, destroy, bootstrap. Each synthesizes the app in
//! process, connects (checking region and credentials first), and runs on a small tokio
//! runtime; Ctrl-C says which stack operations go on in CloudFormation and how to follow them.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use constructs::core::assembly::MAX_INLINE_TEMPLATE_BYTES;
use constructs::CloudAssembly;

use crate::cli::{ApprovalArg, DeployArgs, DestroyArgs, DiffArgs};
use crate::commands::{matching, CliError};
use crate::config::Config;
use crate::toolkit::approval::RequireApproval;
use crate::toolkit::assets::{self, TOOLKIT_STACK};
use crate::toolkit::aws::{connect, Aws};
use crate::toolkit::deploy::{
    check_parameters, deploy_all, deployed_template, describe, publish_templates, DeployOptions,
    InFlight, Outcome, ParameterArg, StackPlan,
};
use crate::toolkit::destroy::destroy_stack;
use crate::toolkit::diff::{diff_templates, render};
use crate::toolkit::error::DeployError;
use crate::toolkit::ui::Ui;

/// Where the AWS connection comes from.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// Between two polls of CloudFormation (`RCDK_POLL_MS` shortens it against local endpoints).
fn poll_interval() -> Duration {
    std::env::var("RCDK_POLL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(2))
}

/// Runs `work` on a runtime; Ctrl-C ends it with a message naming the operations that go on.
fn run_async<T>(
    in_flight: &InFlight,
    verb: &str,
    work: impl Future<Output = Result<T, DeployError>>,
) -> Result<T, DeployError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| DeployError::Io {
            action: "start the async runtime in",
            path: ".".into(),
            source,
        })?;
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

/// The stacks named, with their dependencies, in deployment order.
fn select(
    assembly: &CloudAssembly,
    patterns: &[String],
    all: bool,
    verb: &str,
) -> Result<Vec<String>, CliError> {
    let matched = matching(assembly, patterns, all, verb)?;
    Ok(assembly.with_dependencies(&matched))
}

fn write_outputs(
    path: &Path,
    outputs: &IndexMap<String, IndexMap<String, String>>,
) -> Result<(), DeployError> {
    let text = constructs::core::assembly::to_json_text(&serde_json::json!(outputs));
    let tmp = path.with_extension("rcdk-tmp");
    let io = |action, source| DeployError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&tmp, text).map_err(|e| io("write", e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("write", e))?;
    Ok(())
}

fn report_failures(failures: Vec<(String, DeployError)>) -> Result<(), DeployError> {
    let count = failures.len();
    if count <= 1 {
        return match failures.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(()),
        };
    }
    let mut names = Vec::new();
    for (name, e) in failures {
        eprintln!("{:?}", miette::Report::new(e));
        names.push(name);
    }
    Err(DeployError::Several {
        count,
        stacks: names.join(", "),
    })
}

/// `deploy`.
pub fn deploy(
    config: &Config,
    root: &Path,
    conn: &Connection,
    args: &DeployArgs,
) -> Result<(), CliError> {
    let started = Instant::now();
    let app = crate::app::build(config, root);
    let assembly = app.synth()?;
    let names = select(&assembly, &args.stacks, args.all, "deploy")?;
    for w in &assembly.warnings {
        eprintln!("warning: {w}");
    }
    let parameters = args
        .parameters
        .iter()
        .map(|p| ParameterArg::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let selected: Vec<&constructs::SynthesizedStack> =
        names.iter().filter_map(|n| assembly.stack(n)).collect();
    check_parameters(&selected, &parameters)?;
    let plans: Vec<StackPlan> = selected
        .iter()
        .map(|s| StackPlan::new(s, &parameters))
        .collect();
    let assets: Vec<_> = selected
        .iter()
        .flat_map(|s| s.assets.iter().cloned())
        .collect();
    let app_assets: Vec<_> = assembly
        .stacks
        .iter()
        .flat_map(|s| s.assets.iter().cloned())
        .collect();
    let opts = DeployOptions {
        require_approval: match args.require_approval {
            ApprovalArg::Never => RequireApproval::Never,
            ApprovalArg::Broadening => RequireApproval::Broadening,
            ApprovalArg::AnyChange => RequireApproval::AnyChange,
        },
        no_rollback: args.no_rollback,
        force: args.force,
        concurrency: usize::from(args.concurrency),
        poll: poll_interval(),
    };
    let ui = Ui::detect();
    let in_flight = InFlight::default();
    let synth_ms = started.elapsed().as_millis();
    let count = plans.len();
    let (results, failures) = run_async(&in_flight, "deploy", async {
        let aws = connect(conn.profile.as_deref(), conn.region.as_deref()).await?;
        ui.line(format!(
            "deploying {} to {}{} (synth {synth_ms} ms)",
            names.join(", "),
            aws.region,
            aws.endpoint
                .as_deref()
                .map(|e| format!(" at {e}"))
                .unwrap_or_default()
        ));
        let large = plans
            .iter()
            .any(|p| p.body.len() > MAX_INLINE_TEMPLATE_BYTES);
        let mut urls = HashMap::new();
        if !assets.is_empty() || large {
            let bucket = assets::find_bucket(&aws).await?;
            assets::publish(&aws, &ui, &bucket, &assets, &app_assets, root).await?;
            urls = publish_templates(&aws, &ui, &bucket, &plans).await?;
        }
        Ok(deploy_all(&aws, &ui, plans, &urls, &opts, &in_flight).await)
    })?;

    let mut outputs: IndexMap<String, IndexMap<String, String>> = IndexMap::new();
    let mut unchanged = 0;
    for name in &names {
        let Some(r) = results.iter().find(|r| &r.name == name) else {
            continue;
        };
        if matches!(r.outcome, Outcome::Unchanged | Outcome::NoChanges) {
            unchanged += 1;
        }
        if !r.outputs.is_empty() {
            ui.line(format!("Outputs of {}:", r.name));
            for (k, v) in &r.outputs {
                ui.line(format!("  {}.{k} = {v}", r.name));
            }
        }
        outputs.insert(r.name.clone(), r.outputs.clone());
    }
    if let Some(path) = &args.outputs_file {
        write_outputs(path, &outputs)?;
        ui.line(format!("outputs written to {}", path.display()));
    }
    ui.line(format!(
        "{} of {count} stack(s) deployed ({unchanged} without changes) in {:.1} s",
        results.len(),
        started.elapsed().as_secs_f64()
    ));
    report_failures(failures)?;
    Ok(())
}

/// `diff`: returns whether any stack differs.
pub fn diff(
    config: &Config,
    root: &Path,
    conn: &Connection,
    args: &DiffArgs,
) -> Result<bool, CliError> {
    let app = crate::app::build(config, root);
    let assembly = app.synth()?;
    let names = select(&assembly, &args.stacks, args.stacks.is_empty(), "diff")?;
    let in_flight = InFlight::default();
    let ui = Ui::detect();
    let differs = run_async(&in_flight, "diff", async {
        let aws = connect(conn.profile.as_deref(), conn.region.as_deref()).await?;
        let mut differs = false;
        for name in &names {
            let Some(stack) = assembly.stack(name) else {
                continue;
            };
            let deployed = match describe(&aws, name).await? {
                Some(s) if s.stack_status().map(|s| s.as_str()) != Some("REVIEW_IN_PROGRESS") => {
                    Some(deployed_template(&aws, name).await?.unwrap_or_default())
                }
                _ => None,
            };
            let d = diff_templates(deployed.as_ref(), &stack.template);
            differs |= !d.is_empty();
            for line in render(name, &d) {
                ui.line(line);
            }
        }
        Ok(differs)
    })?;
    Ok(differs)
}

/// `destroy`.
pub fn destroy(
    config: &Config,
    root: &Path,
    conn: &Connection,
    args: &DestroyArgs,
) -> Result<(), CliError> {
    let app = crate::app::build(config, root);
    let assembly = app.synth()?;
    // the stacks that depend on a chosen one must go too, and first
    let mut names = matching(&assembly, &args.stacks, args.all, "destroy")?;
    loop {
        let more: Vec<String> = assembly
            .stacks
            .iter()
            .filter(|s| {
                !names.contains(&s.name) && s.dependencies.iter().any(|d| names.contains(d))
            })
            .map(|s| s.name.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        names.extend(more);
    }
    let order: Vec<String> = assembly
        .stacks
        .iter()
        .rev()
        .filter(|s| names.contains(&s.name))
        .map(|s| s.name.clone())
        .collect();
    let ui = Ui::detect();
    if !args.force {
        let list = order.join(", ");
        if !ui.interactive() {
            return Err(DeployError::NeedsConfirmation { stacks: list }.into());
        }
        if !ui.confirm(&format!(
            "Delete {list} and everything in them (retained resources stay)?"
        )) {
            ui.line("nothing deleted");
            return Ok(());
        }
    }
    let in_flight = InFlight::default();
    let poll = poll_interval();
    run_async(&in_flight, "destroy", async {
        let aws = connect(conn.profile.as_deref(), conn.region.as_deref()).await?;
        for name in &order {
            destroy_stack(&aws, &ui, name, poll, &in_flight).await?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `bootstrap`.
pub fn bootstrap(root: &Path, conn: &Connection) -> Result<(), CliError> {
    let assembly = crate::toolkit::bootstrap::assembly(root)?;
    let Some(stack) = assembly.stack(TOOLKIT_STACK) else {
        return Ok(());
    };
    let plan = StackPlan::new(stack, &[]);
    let ui = Ui::detect();
    let in_flight = InFlight::default();
    let opts = DeployOptions {
        // the bootstrap stack holds no IAM; its bucket is retained
        require_approval: RequireApproval::Never,
        poll: poll_interval(),
        ..Default::default()
    };
    let result = run_async(&in_flight, "bootstrap", async {
        let aws: Aws = connect(conn.profile.as_deref(), conn.region.as_deref()).await?;
        ui.line(format!("bootstrapping {} ({TOOLKIT_STACK})", aws.region));
        let (mut results, failures) =
            deploy_all(&aws, &ui, vec![plan], &HashMap::new(), &opts, &in_flight).await;
        report_failures(failures)?;
        let bucket = assets::find_bucket(&aws).await?;
        Ok((results.pop(), bucket))
    })?;
    let (_, bucket) = result;
    ui.line(format!(
        "{TOOLKIT_STACK} is ready: assets go to s3://{bucket} (SSM {} = {})",
        crate::toolkit::bootstrap::VERSION_PARAMETER,
        crate::toolkit::bootstrap::BOOTSTRAP_VERSION
    ));
    Ok(())
}
