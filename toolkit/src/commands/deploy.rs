//! `deploy`: publish the selected stacks' assets, then deploy them in dependency order.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use indexmap::IndexMap;

use constructs::core::assembly::MAX_INLINE_TEMPLATE_BYTES;

use super::context::{poll_interval, report_failures, run_async, Connection, RunContext};
use super::ToolkitError;
use crate::approval::RequireApproval;
use crate::assets;
use crate::cli::{ApprovalArg, DeployArgs};
use crate::deploy::{deploy_all, DeployOptions, InFlight, Outcome};
use crate::error::DeployError;
use crate::plan::{check_parameters, publish_templates, ParameterArg, StackPlan};
use crate::ui::Ui;

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

pub fn run(conn: &Connection, args: &DeployArgs) -> Result<(), ToolkitError> {
    let started = Instant::now();
    let ctx = RunContext::load(&args.app)?;
    let assembly = &ctx.assembly;
    let names = assembly.select(&args.stacks, args.all, "deploy")?;
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
        timeout: args.timeout.duration(),
    };
    let ui = Ui::detect();
    let in_flight = InFlight::default();
    let count = plans.len();
    let (results, failures) = run_async(&in_flight, "deploy", async {
        let aws = conn.connect().await?;
        ui.line(format!(
            "deploying {} to {}{} (assembly {})",
            names.join(", "),
            aws.region,
            aws.endpoint
                .as_deref()
                .map(|e| format!(" at {e}"))
                .unwrap_or_default(),
            ctx.dir.display()
        ));
        let large = plans
            .iter()
            .any(|p| p.body.len() > MAX_INLINE_TEMPLATE_BYTES);
        let mut urls = HashMap::new();
        if !assets.is_empty() || large {
            let bucket = assets::find_bucket(&aws).await?;
            if !assets.is_empty() {
                let workspace = ctx.workspace()?;
                assets::publish(&aws, &ui, &bucket, &assets, &app_assets, workspace).await?;
            }
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
