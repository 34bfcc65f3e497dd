//! `bootstrap`: the CDKToolkit stack and its asset bucket, once per account and region.

use std::collections::HashMap;

use super::context::{poll_interval, report_failures, run_async, Connection};
use super::ToolkitError;
use crate::approval::RequireApproval;
use crate::assets::{self, TOOLKIT_STACK};
use crate::cli::BootstrapArgs;
use crate::deploy::{deploy_all, DeployOptions, InFlight};
use crate::plan::StackPlan;
use crate::ui::Ui;

pub fn run(conn: &Connection, args: &BootstrapArgs) -> Result<(), ToolkitError> {
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
        poll: poll_interval(),
        timeout: args.timeout.duration(),
        ..Default::default()
    };
    let bucket = run_async(&in_flight, "bootstrap", async {
        let aws = conn.connect().await?;
        ui.line(format!("bootstrapping {} ({TOOLKIT_STACK})", aws.region));
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
