//! `destroy`: the named stacks and their dependents, in reverse dependency order, up to
//! `--concurrency` at once.

use super::context::{poll_interval, report_failures, run_async, Connection, RunContext};
use super::ToolkitError;
use crate::cli::DestroyArgs;
use crate::deploy::InFlight;
use crate::destroy::{destroy_all, ToDestroy};
use crate::error::DeployError;
use crate::ui::Ui;

pub fn run(conn: &Connection, args: &DestroyArgs) -> Result<(), ToolkitError> {
    let ctx = RunContext::load(&args.app)?;
    let assembly = &ctx.assembly;
    // the stacks that depend on a chosen one must go too, and first
    let mut names = assembly.matching(&args.stacks, args.all, "destroy")?;
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
    let wait = crate::cfn::Wait {
        poll: poll_interval(),
        timeout: args.timeout.duration(),
    };
    let failures = run_async(&in_flight, "destroy", async {
        // each stack in its own account and region
        let env_of = |name: &str| {
            assembly
                .stack(name)
                .map(|s| s.environment.clone())
                .unwrap_or_default()
        };
        let envs: Vec<_> = order.iter().map(|n| env_of(n)).collect();
        let connections = conn.connect_all(envs.iter()).await?;
        let stacks: Vec<ToDestroy> = order
            .iter()
            .zip(&envs)
            .filter_map(|(name, env)| {
                Some(ToDestroy {
                    name: name.clone(),
                    aws: connections.get(env)?.clone(),
                    dependencies: assembly.stack(name)?.dependencies.clone(),
                })
            })
            .collect();
        let concurrency = usize::from(args.concurrency);
        Ok(destroy_all(&ui, stacks, &wait, concurrency, &in_flight).await)
    })?;
    report_failures(failures)?;
    Ok(())
}
