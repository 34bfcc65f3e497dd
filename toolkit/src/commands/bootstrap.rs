//! `bootstrap`: the CDKToolkit stack and its asset bucket, once per account and region.

use std::collections::HashMap;

use constructs::core::env::Environment;

use super::context::{poll_interval, report_failures, run_async, Connection};
use super::ToolkitError;
use crate::approval::RequireApproval;
use crate::assets::{self, TOOLKIT_STACK};
use crate::bootstrap::{decide, Decision};
use crate::cfn::{deployed_template, describe, outputs_of};
use crate::cli::BootstrapArgs;
use crate::deploy::{deploy_all, DeployOptions, InFlight};
use crate::plan::StackPlan;
use crate::ui::Ui;

fn describe_resources(list: &[(String, String)]) -> String {
    if list.is_empty() {
        return "nothing else".to_string();
    }
    list.iter()
        .map(|(id, kind)| format!("{id} ({kind})"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(conn: &Connection, args: &BootstrapArgs) -> Result<(), ToolkitError> {
    // the environments to bootstrap: those the app's stacks name, else the shell's
    let mut envs: Vec<Environment> = match &args.app {
        Some(dir) => {
            let read = constructs::AssemblyDir::read(dir).map_err(constructs::SynthError::from)?;
            read.assembly
                .stacks
                .iter()
                .map(|s| s.environment.clone())
                .collect()
        }
        None => Vec::new(),
    };
    envs.sort();
    envs.dedup();
    if envs.is_empty() {
        envs.push(Environment::agnostic());
    }
    for env in &envs {
        bootstrap_one(conn, args, env)?;
    }
    Ok(())
}

/// Bootstraps one account and region.
fn bootstrap_one(
    conn: &Connection,
    args: &BootstrapArgs,
    env: &Environment,
) -> Result<(), ToolkitError> {
    let assembly = crate::bootstrap::assembly()?;
    let Some(stack) = assembly.stack(TOOLKIT_STACK) else {
        return Ok(());
    };
    let plan = StackPlan::new(stack, &[]);
    let ui = Ui::detect();
    let in_flight = InFlight::default();
    let opts = DeployOptions {
        // the bootstrap stack holds no IAM; its bucket is retained
        require_approval: RequireApproval::Never,
        force: args.force,
        poll: poll_interval(),
        timeout: args.timeout.duration(),
        ..Default::default()
    };
    let bucket = run_async(&in_flight, "bootstrap", async {
        let aws = conn.connect_env(env).await?;
        ui.line(format!(
            "bootstrapping {}{} ({TOOLKIT_STACK})",
            env.account
                .as_deref()
                .map(|a| format!("{a}/"))
                .unwrap_or_default(),
            aws.region
        ));
        // what is there first: a CDKToolkit of the AWS CDK is never replaced by ours unasked
        let deployed_stack = describe(&aws, TOOLKIT_STACK).await?;
        let deployed = match &deployed_stack {
            Some(_) => deployed_template(&aws, TOOLKIT_STACK).await?,
            None => None,
        };
        let version = deployed_stack
            .as_ref()
            .and_then(|s| outputs_of(s).get("BootstrapVersion").cloned());
        match decide(
            deployed.as_ref(),
            version.as_deref(),
            &stack.template,
            args.force,
        ) {
            Decision::Deploy => {}
            Decision::UseAsItIs { version, theirs } => {
                ui.line(format!(
                    "{TOOLKIT_STACK} was made by the AWS CDK (bootstrap version {}; it also holds {}): rcdk uses it as it is and does not replace it (--force would, removing those)",
                    version.as_deref().unwrap_or("unknown"),
                    describe_resources(&theirs)
                ));
                return assets::find_bucket(&aws).await;
            }
            Decision::Replace { version, removed } => {
                ui.line(format!(
                    "warning: --force: replacing the AWS CDK's {TOOLKIT_STACK} (bootstrap version {}) with rcdk's removes {}; AWS CDK apps of this account and region will need `cdk bootstrap` again",
                    version.as_deref().unwrap_or("unknown"),
                    describe_resources(&removed)
                ));
            }
        }
        let (_, failures) =
            deploy_all(&aws, &ui, vec![plan], &HashMap::new(), &opts, &in_flight).await;
        report_failures(failures)?;
        assets::find_bucket(&aws).await
    })?;
    ui.line(format!(
        "{TOOLKIT_STACK} is ready: assets go to s3://{bucket} (SSM {} = {})",
        crate::bootstrap::VERSION_PARAMETER,
        crate::bootstrap::BOOTSTRAP_VERSION
    ));
    Ok(())
}
