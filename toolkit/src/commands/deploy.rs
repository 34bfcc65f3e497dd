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
use crate::deploy::{deploy_all, deploy_all_in, DeployOptions, InFlight, Outcome};
use crate::error::DeployError;
use crate::hotswap;
use crate::plan::{check_parameters, publish_templates, ParameterArg, StackPlan};
use crate::ui::{clean_line, Ui};

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

/// Publishes the assets (building what is missing), the nested stacks' templates and the
/// templates too large to send inline; the URLs of the latter, by stack.
async fn publish(
    aws: &crate::aws::Aws,
    ui: &Ui,
    ctx: &RunContext,
    assets: &[constructs::core::synth::AssetEntry],
    app_assets: &[constructs::core::synth::AssetEntry],
    plans: &[StackPlan],
) -> Result<HashMap<String, String>, DeployError> {
    let large = plans
        .iter()
        .any(|p| p.body.len() > MAX_INLINE_TEMPLATE_BYTES || !p.nested.is_empty());
    if assets.is_empty() && !large {
        return Ok(HashMap::new());
    }
    let bucket = assets::find_bucket(aws).await?;
    if !assets.is_empty() {
        assets::publish(aws, ui, &bucket, assets, app_assets, ctx.workspace()?).await?;
    }
    publish_templates(aws, ui, &bucket, plans).await
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
    let mut plans: Vec<StackPlan> = selected
        .iter()
        .map(|s| StackPlan::new(s, &parameters))
        .collect();
    if plans.iter().any(|p| !p.folders.is_empty()) {
        let root = ctx.workspace()?.to_path_buf();
        for p in &mut plans {
            p.root = Some(root.clone());
        }
    }
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
    if args.hotswap || args.hotswap_fallback {
        return hotswap(
            conn,
            args,
            &ctx,
            &names,
            plans,
            &assets,
            &app_assets,
            &opts,
            &ui,
            &in_flight,
        );
    }
    let count = plans.len();
    let (results, failures) = run_async(&in_flight, "deploy", async {
        // one connection per account and region the stacks name; the assets and large
        // templates of each are published to that environment's bucket
        let envs = conn
            .connect_all(plans.iter().map(|p| &p.environment))
            .await?;
        let Some(first) = envs.values().next().cloned() else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut per_stack = HashMap::new();
        let mut urls = HashMap::new();
        for (env, aws) in &envs {
            let here: Vec<StackPlan> = plans
                .iter()
                .filter(|p| &p.environment == env)
                .cloned()
                .collect();
            let here_names: Vec<&str> = here.iter().map(|p| p.name.as_str()).collect();
            ui.line(format!(
                "deploying {} to {}{}{} (assembly {})",
                here_names.join(", "),
                env.account
                    .as_deref()
                    .map(|a| format!("{a}/"))
                    .unwrap_or_default(),
                aws.region,
                aws.endpoint
                    .as_deref()
                    .map(|e| format!(" at {}", crate::ui::mask_urls(e)))
                    .unwrap_or_default(),
                ctx.dir.display()
            ));
            let here_assets: Vec<_> = selected
                .iter()
                .filter(|s| &s.environment == env)
                .flat_map(|s| s.assets.iter().cloned())
                .collect();
            urls.extend(publish(aws, &ui, &ctx, &here_assets, &app_assets, &here).await?);
            for p in &here {
                per_stack.insert(p.name.clone(), aws.clone());
            }
        }
        Ok(deploy_all_in(&first, &per_stack, &ui, plans, &urls, &opts, &in_flight).await)
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
            ui.line(format!("Outputs of {}:", clean_line(&r.name)));
            for (k, v) in &r.outputs {
                ui.line(format!(
                    "  {}.{} = {}",
                    clean_line(&r.name),
                    clean_line(k),
                    clean_line(v)
                ));
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

/// `deploy --hotswap[-fallback]`: the stacks whose changes the APIs can make are hotswapped;
/// the others are refused, or deployed through change sets. Stacks of several environments
/// are each planned and changed with their environment's connection; every stack is planned
/// before any is changed, so a refusal changes nothing.
#[allow(clippy::too_many_arguments)]
fn hotswap(
    conn: &Connection,
    args: &DeployArgs,
    ctx: &RunContext,
    names: &[String],
    plans: Vec<StackPlan>,
    assets: &[constructs::core::synth::AssetEntry],
    app_assets: &[constructs::core::synth::AssetEntry],
    opts: &DeployOptions,
    ui: &Ui,
    in_flight: &InFlight,
) -> Result<(), ToolkitError> {
    let started = Instant::now();
    let (swapped, through_change_sets, failures) = run_async(in_flight, "deploy", async {
        // the stacks of each environment, planned with its own connection before anything
        // is changed anywhere
        let groups = super::context::by_environment(plans, |p| &p.environment);
        let mut planned = Vec::new();
        let mut refused = Vec::new();
        for (env, plans) in groups {
            let aws = conn.connect_env(&env).await?;
            let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
            let mut templates = rcdk_local::template::AppTemplates::from_assembly(&ctx.assembly);
            hotswap::read_deployed_ids(&aws, &mut templates, &names).await?;
            // per stack: what the APIs can do, or why not
            let mut swappable = Vec::new();
            let mut full = Vec::new();
            for plan in plans {
                let new = ctx
                    .assembly
                    .stack(&plan.name)
                    .map(|s| s.template.clone())
                    .unwrap_or_default();
                // a stack that cannot be asked about (no answer, no permission) is an error,
                // not a stack that is "not deployed yet"
                let decided = match crate::cfn::deployed_template(&aws, &plan.name).await? {
                    Some(deployed) => hotswap::plan(&plan.name, &deployed, &new, &templates),
                    None => hotswap::Plan {
                        changes: Vec::new(),
                        refused: vec![format!("{}: not deployed yet", plan.name)],
                    },
                };
                if decided.refused.is_empty() {
                    swappable.push((plan.name.clone(), decided.changes, plan));
                } else {
                    refused.extend(decided.refused);
                    full.push(plan);
                }
            }
            planned.push((aws, swappable, full));
        }
        if !refused.is_empty() && !args.hotswap_fallback {
            return Err(DeployError::NotHotswappable {
                changes: refused
                    .iter()
                    .map(|r| format!("  {r}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            });
        }
        for r in &refused {
            ui.line(format!(
                "not hotswappable, deployed through a change set: {r}"
            ));
        }
        let (mut swapped, mut through_change_sets) = (0, 0);
        let mut failures = Vec::new();
        for (aws, swappable, full) in planned {
            let signed = crate::signed::Signed::new(&aws);
            // the new code must be in the environment's bucket before a function points at it
            let code_changes = swappable
                .iter()
                .flat_map(|(_, c, _)| c)
                .any(|c| matches!(c, hotswap::Change::Function { code: Some(_), .. }));
            if code_changes && !assets.is_empty() {
                let bucket = assets::find_bucket(&aws).await?;
                assets::publish(&aws, ui, &bucket, assets, app_assets, ctx.workspace()?).await?;
            }
            for (stack, changes, plan) in &swappable {
                // the folders are published as by a normal deploy: only what changed
                crate::deploy::publish_folders(&aws, ui, plan, opts).await?;
                if changes.is_empty() {
                    ui.line(format!("{stack}: no changes"));
                    continue;
                }
                for change in changes {
                    let one = Instant::now();
                    hotswap::apply(&signed, change).await.map_err(|source| {
                        DeployError::Hotswap {
                            what: change.path().to_string(),
                            source,
                        }
                    })?;
                    let what = match change {
                        hotswap::Change::Function {
                            code,
                            configuration,
                            ..
                        } => match (code, configuration) {
                            (Some(_), Some(_)) => "code and configuration updated",
                            (Some(_), None) => "code updated",
                            _ => "configuration updated",
                        },
                        hotswap::Change::StateMachine { .. } => "definition updated",
                    };
                    ui.line(format!(
                        "{}: {what} (hotswap, {:.2} s)",
                        change.path(),
                        one.elapsed().as_secs_f64()
                    ));
                    swapped += 1;
                }
                ui.line(format!(
                    "{stack}: hotswapped; the stack now differs from its template until a normal `deploy` reconciles it"
                ));
            }
            through_change_sets += full.len();
            if !full.is_empty() {
                let urls = publish(&aws, ui, ctx, assets, app_assets, &full).await?;
                let (_, f) = deploy_all(&aws, ui, full, &urls, opts, in_flight).await;
                failures.extend(f);
            }
        }
        Ok((swapped, through_change_sets, failures))
    })?;
    ui.line(format!(
        "{swapped} change(s) hotswapped, {through_change_sets} of {} stack(s) deployed through a change set, in {:.1} s",
        names.len(),
        started.elapsed().as_secs_f64()
    ));
    report_failures(failures)?;
    Ok(())
}
