//! `diff`: each selected stack against its deployed template.

use aws_sdk_cloudformation::types::StackStatus;

use super::context::{run_async, Connection, RunContext};
use super::ToolkitError;
use crate::cfn::{deployed_template, describe, physical_ids};
use crate::cli::DiffArgs;
use crate::deploy::InFlight;
use crate::diff::{diff_templates, render};
use crate::ui::Ui;

/// Returns whether any stack differs.
pub fn run(conn: &Connection, args: &DiffArgs) -> Result<bool, ToolkitError> {
    let ctx = RunContext::load(&args.app)?;
    let assembly = &ctx.assembly;
    let names = assembly.select(&args.stacks, args.stacks.is_empty(), "diff")?;
    let in_flight = InFlight::default();
    let ui = Ui::detect();
    let differs = run_async(&in_flight, "diff", async {
        let envs = conn
            .connect_all(
                names
                    .iter()
                    .filter_map(|n| assembly.stack(n))
                    .map(|s| &s.environment),
            )
            .await?;
        let Some(aws) = envs.values().next().cloned() else {
            return Ok(false);
        };
        // on stderr, so the differences stay alone on stdout: what a wait is for
        errln!(
            "{}",
            crate::ui::safe(&format!(
                "comparing {} with the stacks deployed to {}{}",
                names.join(", "),
                aws.region,
                aws.endpoint
                    .as_deref()
                    .map(|e| format!(" at {}", crate::ui::mask_urls(e)))
                    .unwrap_or_default(),
            ))
        );
        let mut differs = false;
        for name in &names {
            let Some(stack) = assembly.stack(name) else {
                continue;
            };
            let aws = envs.get(&stack.environment).unwrap_or(&aws);
            let deployed = match describe(aws, name).await? {
                Some(s) if s.stack_status() != Some(&StackStatus::ReviewInProgress) => {
                    Some(deployed_template(aws, name).await?.unwrap_or_default())
                }
                _ => None,
            };
            let d = diff_templates(deployed.as_ref(), &stack.template);
            differs |= !d.is_empty();
            for line in render(name, &d) {
                ui.line(line);
            }
            // each nested stack against the one deployed inside the parent, found by its
            // resource's physical id
            if stack.nested.is_empty() {
                continue;
            }
            let ids = match deployed {
                Some(_) => physical_ids(aws, name).await?.unwrap_or_default(),
                None => Default::default(),
            };
            for nested in &stack.nested {
                let deployed = match ids.get(&nested.logical_id) {
                    Some(id) => deployed_template(aws, id).await?,
                    None => None,
                };
                let d = diff_templates(deployed.as_ref(), &nested.template);
                differs |= !d.is_empty();
                for line in render(&format!("{name}/{} (nested)", nested.logical_id), &d) {
                    ui.line(line);
                }
            }
        }
        Ok(differs)
    })?;
    Ok(differs)
}
