//! `logs`: the app's CloudWatch Logs, interleaved by time, each line with its construct path;
//! `--follow` tails them until Ctrl-C.

use std::collections::HashSet;
use std::io::Write as _;
use std::time::Duration;

use miette::Diagnostic;
use rcdk_local::template::AppTemplates;

use super::context::{poll_interval, Connection, RunContext};
use super::ToolkitError;
use crate::cli::LogsArgs;
use crate::logs::{collect, since, Line};
use crate::signed::Signed;

/// Why `logs` could not show the logs.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum LogsError {
    #[error("{message}")]
    #[diagnostic(code(rcdk::logs::usage), help("{help}"))]
    Usage { message: String, help: String },

    #[error(transparent)]
    #[diagnostic(code(rcdk::logs::read))]
    Read(#[from] crate::logs::ReadError),
}

impl LogsError {
    /// 2 for a command line that names something wrong, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            LogsError::Usage { .. } => 2,
            LogsError::Read(_) => 1,
        }
    }
}

/// A line for the terminal: the time, the construct path (colored by path on a terminal),
/// the message.
fn render(line: &Line, width: usize) -> String {
    let time = rcdk_local::clock::format(rcdk_local::clock::from_millis(line.timestamp));
    let colors = [
        console::Color::Cyan,
        console::Color::Green,
        console::Color::Magenta,
        console::Color::Yellow,
        console::Color::Blue,
    ];
    let hash = line
        .path
        .bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    let shown = crate::ui::clean_line(&line.path);
    let path = console::style(format!("{shown:width$}")).fg(colors[hash % colors.len()]);
    format!("{time} {path} | {}", line.message)
}

pub fn run(conn: &Connection, args: &LogsArgs) -> Result<(), ToolkitError> {
    let ctx = RunContext::load(&args.app)?;
    let names: Vec<String> = ctx.assembly.stacks.iter().map(|s| s.name.clone()).collect();
    let (stacks, prefix) = match &args.target {
        None => (names.clone(), None),
        Some(t) => {
            let stack = t.split('/').next().unwrap_or_default().to_string();
            if !names.contains(&stack) {
                return Err(LogsError::Usage {
                    message: format!(
                        "there is no stack '{stack}'; the app's stacks: {}",
                        names.join(", ")
                    ),
                    help: "name a stack, or a construct path in one (Stack/Handler)".into(),
                }
                .into());
            }
            let prefix = t.contains('/').then(|| t.trim_end_matches('/').to_string());
            (vec![stack], prefix)
        }
    };
    let now_ms = rcdk_local::clock::now().timestamp_millis();
    let start = since(&args.since, now_ms).map_err(|e| LogsError::Usage {
        message: e.to_string(),
        help: "--since 10m, 2h, 1d or 2025-01-01T00:00:00Z".into(),
    })?;
    let runtime = crate::commands::context::current_thread_runtime()?;
    let poll = poll_interval().max(Duration::from_millis(200));
    runtime.block_on(async {
        // each stack's logs are read in its own environment
        let mut templates = AppTemplates::from_assembly(&ctx.assembly);
        let envs = crate::commands::context::read_deployed_ids_by_environment(
            conn,
            &ctx.assembly,
            &mut templates,
        )
        .await?;
        let is_deployed = |name: &String| {
            stacks.contains(name)
                && templates
                    .stacks
                    .iter()
                    .any(|s| &s.name == name && !s.physical.is_empty())
        };
        let mut readers: Vec<(Signed, Vec<String>)> = Vec::new();
        for (aws, names) in &envs {
            let deployed: Vec<String> = names.iter().filter(|n| is_deployed(n)).cloned().collect();
            if !deployed.is_empty() {
                readers.push((Signed::new(aws), deployed));
            }
        }
        if readers.is_empty() {
            return Err(LogsError::Usage {
                message: format!("{} is not deployed", stacks.join(", ")),
                help: "deploy it first: the logs are found through the deployed stack".into(),
            }
            .into());
        }
        let readers: Vec<(Signed, Vec<crate::logs::Source>)> = readers
            .into_iter()
            .map(|(signed, deployed)| {
                let sources = crate::logs::sources(&templates, &deployed, prefix.as_deref());
                (signed, sources)
            })
            .collect();
        let sources: Vec<&crate::logs::Source> = readers.iter().flat_map(|(_, s)| s).collect();
        if sources.is_empty() {
            return Err(LogsError::Usage {
                message: format!(
                    "{} has no function, state machine or API stage that logs",
                    prefix.as_deref().unwrap_or(&stacks.join(", "))
                ),
                help: "a construct path names one (`cargo run -- list` shows the stacks)".into(),
            }
            .into());
        }
        let width = sources.iter().map(|s| s.path.len()).max().unwrap_or(0);
        let mut seen = HashSet::new();
        let mut from = start;
        loop {
            let mut lines = Vec::new();
            for (signed, sources) in &readers {
                let found = collect(signed, sources, from, args.filter.as_deref(), &mut seen)
                    .await
                    .map_err(LogsError::Read)?;
                lines.extend(found);
            }
            lines.sort_by(|a, b| a.timestamp.cmp(&b.timestamp).then(a.path.cmp(&b.path)));
            for line in &lines {
                let rendered = render(line, width);
                let shown = crate::ui::safe(&rendered);
                // a reader gone away (`logs --follow | grep -m1 ...`) ends the command, as
                // it ends `tail -f`
                if writeln!(std::io::stdout(), "{shown}").is_err() {
                    return Ok(());
                }
                // a little overlap: events that arrive late are still read, once
                from = from.max(line.timestamp - 5_000);
            }
            if !args.follow {
                return Ok(());
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
    })
}
