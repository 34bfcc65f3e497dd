//! `run`: a state machine run locally by rcdk-local, the app's (from the assembly, its
//! substitutions resolved) or an ASL file's; tasks answered by a mock file's test case.

use std::path::{Path, PathBuf};

use console::style;
use miette::Diagnostic;
use rcdk_local::mock::{MockConfig, Mocks};
use rcdk_local::template::{AppTemplates, Environment};
use rcdk_local::{Machine, Outcome, RunOptions, Status, TaskRunner};
use serde_json::Value as Json;

use super::context::{run_async, Connection, RunContext};
use super::ToolkitError;
use crate::cli::RunArgs;
use crate::deploy::InFlight;

/// Why `run` could not run, or how the execution ended.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum RunError {
    #[error("{message}")]
    #[diagnostic(code(rcdk::run::usage), help("{help}"))]
    Usage { message: String, help: String },

    #[error("the execution {status}: {error}")]
    #[diagnostic(code(rcdk::run::failed))]
    Ended { status: String, error: String },

    #[error("{failed} of {total} test cases differ from their expected results")]
    #[diagnostic(code(rcdk::run::test_cases))]
    TestCases { failed: usize, total: usize },
}

impl RunError {
    /// 2 for a command line that names something wrong; 1 when the execution failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Usage { .. } => 2,
            _ => 1,
        }
    }
}

fn usage(message: impl Into<String>, help: impl Into<String>) -> RunError {
    RunError::Usage {
        message: message.into(),
        help: help.into(),
    }
}

/// The machine to run and the names its mock file may know it by.
struct Target {
    machine: Machine,
    /// The app's functions and workspace (an app's machine).
    app: Option<(rcdk_local::template::AppMachine, Option<PathBuf>)>,
    /// What the output calls it.
    label: String,
    /// Keys of its `StateMachines` entry, tried in order.
    keys: Vec<String>,
}

pub fn run(conn: &Connection, args: &RunArgs) -> Result<(), ToolkitError> {
    let target = target(conn, args)?;
    let options = RunOptions {
        execution_name: args.execution_name.clone(),
        start: rcdk_local::clock::now(),
        // a new seed each run unless one is given: live runs must not reuse ids
        seed: args.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or_default()
        }),
        real_time: args.real_time,
        ..RunOptions::default()
    };
    let config = match &args.mock {
        Some(path) => Some((read_mock(path)?, path.clone())),
        None => None,
    };
    let live: Option<Box<dyn TaskRunner>> = if args.live {
        Some(Box::new(crate::live::Live::connect(
            conn.profile.as_deref(),
            conn.region.as_deref(),
        )?))
    } else {
        None
    };
    let fallback = match (handlers(&target, args.handlers)?, live) {
        (Some(local), Some(live)) => {
            Some(Box::new(local.with_fallback(live)) as Box<dyn TaskRunner>)
        }
        (Some(local), None) => Some(Box::new(local) as Box<dyn TaskRunner>),
        (None, live) => live,
    }
    .map(rcdk_local::SharedRunner::new);
    if args.test_cases {
        let (config, path) = config.ok_or_else(|| usage("--test-cases needs --mock", ""))?;
        return Ok(test_cases(&target, &config, &path, &options, fallback)?);
    }
    let input = input(&args.input)?;
    let mut runner: Box<dyn TaskRunner> = match (&config, &args.test_case) {
        (Some((config, path)), Some(case)) => {
            let mocks = mocks(&target, config, path, case)?;
            match fallback {
                Some(f) => Box::new(mocks.with_fallback(Box::new(f))),
                None => Box::new(mocks),
            }
        }
        (Some((_, path)), None) => {
            return Err(usage(
                format!("--mock {} needs --test-case NAME", path.display()),
                "or --test-cases to run every test case against its expected results",
            )
            .into())
        }
        _ => match fallback {
            Some(f) => Box::new(f),
            None => Box::new(Mocks::new([])),
        },
    };
    let outcome = rcdk_local::run(&target.machine, input, runner.as_mut(), &options);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&outcome.to_json()).unwrap_or_default()
        );
    } else {
        print_run(&target.label, &outcome, args.real_time);
    }
    match outcome.status {
        Status::Succeeded => Ok(()),
        status => Err(RunError::Ended {
            status: status.as_str().to_string(),
            error: format!(
                "{}: {}",
                outcome.error.unwrap_or_default(),
                outcome.cause.unwrap_or_default()
            ),
        }
        .into()),
    }
}

/// `--handlers`: the app's functions the machine calls, built and run locally.
fn handlers(
    target: &Target,
    wanted: bool,
) -> Result<Option<rcdk_local::handlers::LocalFunctions>, RunError> {
    if !wanted {
        return Ok(None);
    }
    let Some((app, workspace)) = &target.app else {
        return Err(usage("--handlers needs one of the app's machines", ""));
    };
    let Some(workspace) = workspace else {
        return Err(usage(
            "the assembly does not record the app's workspace, so its Lambda crates cannot be found",
            "synthesize with the app's `synth` (rcdk run does)",
        ));
    };
    let wanted = rcdk_local::handlers::referenced(&app.machine, app.functions.values());
    eprintln!(
        "building {} for this machine ...",
        if wanted.is_empty() {
            "no function".to_string()
        } else {
            wanted
                .iter()
                .map(|f| f.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let built = rcdk_local::handlers::build(workspace, &wanted)
        .map_err(|e| usage(e, "the functions' crates must build for this machine"))?;
    let region = app
        .machine_arn_region()
        .unwrap_or_else(|| "us-east-1".to_string());
    Ok(Some(rcdk_local::handlers::LocalFunctions::new(
        built,
        rcdk_local::handlers::shared_env(&region),
    )))
}

/// The machine: an ASL file's, or the app's (from the assembly).
fn target(conn: &Connection, args: &RunArgs) -> Result<Target, ToolkitError> {
    if let Some(file) = &args.definition {
        let text = std::fs::read_to_string(file).map_err(|e| {
            usage(
                format!("cannot read the definition {}: {e}", file.display()),
                "--definition takes an ASL JSON file",
            )
        })?;
        let stem = file
            .file_name()
            .and_then(|n| n.to_str())
            .map(|n| n.trim_end_matches(".json").trim_end_matches(".asl"))
            .unwrap_or("Machine")
            .to_string();
        let name = args.name.clone().unwrap_or(stem);
        let machine = Machine::from_json_str(&name, &text).map_err(|e| {
            usage(
                format!("{}: {e}", file.display()),
                "the file must be an Amazon States Language definition",
            )
        })?;
        return Ok(Target {
            machine,
            app: None,
            label: file.display().to_string(),
            keys: vec![name],
        });
    }
    let selector = args.machine.clone().unwrap_or_default();
    let ctx = RunContext::load(&args.app)?;
    let mut templates = AppTemplates::from_assembly(&ctx.assembly);
    templates.env = Environment::default();
    if args.deployed {
        deployed_ids(conn, &mut templates)?;
    }
    let found = templates.machine(&selector).map_err(|e| {
        usage(
            e,
            "name a machine by its construct path (`rcdk list` shows the stacks)",
        )
    })?;
    let last = found
        .path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(Target {
        keys: vec![found.path.clone(), last, found.machine.name.clone()],
        label: found.path.clone(),
        machine: found.machine.clone(),
        app: Some((found, ctx.workspace.clone())),
    })
}

/// The physical ids of the deployed stacks' resources.
fn deployed_ids(conn: &Connection, templates: &mut AppTemplates) -> Result<(), ToolkitError> {
    let in_flight = InFlight::default();
    run_async(&in_flight, "run", async {
        let aws = conn.connect().await?;
        crate::hotswap::deployed_ids(&aws, templates).await;
        Ok(())
    })?;
    if templates.stacks.iter().all(|s| s.physical.is_empty()) {
        return Err(usage(
            "none of the app's stacks is deployed",
            "deploy them first, or run without --deployed",
        )
        .into());
    }
    Ok(())
}

fn input(text: &str) -> Result<Json, RunError> {
    let (text, whence) = match text.strip_prefix('@') {
        Some(file) => (
            std::fs::read_to_string(file)
                .map_err(|e| usage(format!("cannot read the input file {file}: {e}"), ""))?,
            file.to_string(),
        ),
        None => (text.to_string(), "--input".to_string()),
    };
    serde_json::from_str(&text).map_err(|e| {
        usage(
            format!("{whence} is not JSON: {e}"),
            "--input takes JSON text ('{\"id\": 1}') or @FILE",
        )
    })
}

fn read_mock(path: &Path) -> Result<MockConfig, RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        usage(
            format!("cannot read the mock file {}: {e}", path.display()),
            "",
        )
    })?;
    MockConfig::from_json_str(&text).map_err(|e| {
        usage(
            format!("{}: {e}", path.display()),
            "the file must be in AWS Step Functions Local's mock configuration format",
        )
    })
}

/// The key of the machine's entry in the mock file.
fn key<'a>(target: &'a Target, config: &MockConfig, path: &Path) -> Result<&'a str, RunError> {
    target
        .keys
        .iter()
        .find(|k| config.test_cases.contains_key(*k))
        .map(String::as_str)
        .ok_or_else(|| {
            let there: Vec<&str> = config.test_cases.keys().map(String::as_str).collect();
            usage(
                format!(
                    "{} has no StateMachines entry for {} (it has: {})",
                    path.display(),
                    target.keys.join(" or "),
                    if there.is_empty() {
                        "none".to_string()
                    } else {
                        there.join(", ")
                    }
                ),
                "key the entry by the machine's construct path, its id or its name",
            )
        })
}

fn mocks(target: &Target, config: &MockConfig, path: &Path, case: &str) -> Result<Mocks, RunError> {
    let key = key(target, config, path)?;
    config
        .test_case(key, case)
        .map_err(|e| usage(format!("{}: {e}", path.display()), ""))
}

/// `<file>.expected.json` beside `<file>.json`.
fn expected_file(mock: &Path) -> PathBuf {
    let stem = mock
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.trim_end_matches(".json"))
        .unwrap_or("mocks");
    mock.with_file_name(format!("{stem}.expected.json"))
}

/// Every test case of the machine, each compared with its expected result.
fn test_cases(
    target: &Target,
    config: &MockConfig,
    path: &Path,
    options: &RunOptions,
    fallback: Option<rcdk_local::SharedRunner>,
) -> Result<(), RunError> {
    let key = key(target, config, path)?;
    let file = expected_file(path);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        usage(
            format!("cannot read the expected results {}: {e}", file.display()),
            "it holds {\"<machine>\": {\"<test case>\": {\"input\": ..., \"status\": \"SUCCEEDED\", \"output\": ...}}}",
        )
    })?;
    let expected: Json =
        serde_json::from_str(&text).map_err(|e| usage(format!("{}: {e}", file.display()), ""))?;
    let cases = config
        .test_cases
        .get(key)
        .map(|c| c.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    let mut failed = 0;
    for case in &cases {
        let Some(expect) = expected.get(key).and_then(|m| m.get(case)) else {
            failed += 1;
            println!(
                "{} {case}: no expected result in {} ({key}.{case})",
                style("✘").red(),
                file.display()
            );
            continue;
        };
        let mut runner = mocks(target, config, path, case)?;
        if let Some(f) = &fallback {
            runner = runner.with_fallback(Box::new(f.clone()));
        }
        let input = expect
            .get("input")
            .cloned()
            .unwrap_or(Json::Object(Default::default()));
        let outcome = rcdk_local::run(&target.machine, input, &mut runner, options);
        let problems = outcome.differences(expect);
        if problems.is_empty() {
            println!("{} {case}: {}", style("✔").green(), outcome.status.as_str());
        } else {
            failed += 1;
            println!("{} {case}:", style("✘").red());
            for p in problems {
                println!("    {p}");
            }
        }
    }
    println!(
        "{} of {} test cases passed",
        cases.len() - failed,
        cases.len()
    );
    if failed > 0 {
        return Err(RunError::TestCases {
            failed,
            total: cases.len(),
        });
    }
    Ok(())
}

/// JSON cut to `max` characters, for one line.
fn short(v: &Json, max: usize) -> String {
    let text = v.to_string();
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

/// The path taken, each state's input and output, then how it ended.
fn print_run(label: &str, outcome: &Outcome, real_time: bool) {
    let clock = if real_time {
        "real time"
    } else {
        "virtual clock"
    };
    println!("{} {label} ({clock})", style("▶").cyan());
    // the states open, innermost last: (name, type, input)
    let mut open: Vec<(String, String, Json)> = Vec::new();
    for e in &outcome.history {
        let text = |field: &str| {
            e.detail(field)
                .and_then(Json::as_str)
                .and_then(|t| serde_json::from_str::<Json>(t).ok())
                .unwrap_or(Json::Null)
        };
        let indent = |depth: usize| "  ".repeat(depth + 1);
        if let Some(kind) = e.kind.strip_suffix("StateEntered") {
            let name = e.state_name().unwrap_or_default().to_string();
            open.push((name, kind.to_string(), text("input")));
        } else if e.kind.ends_with("StateExited") {
            let (name, kind, input) = open.pop().unwrap_or_default();
            println!(
                "{}{} {} {} → {}",
                indent(open.len()),
                style(name).bold(),
                style(format!("({kind})")).dim(),
                short(&input, 80),
                short(&text("output"), 80)
            );
        } else if !e.kind.starts_with("Execution")
            && (e.kind.ends_with("Failed") || e.kind.ends_with("TimedOut"))
        {
            if let (Some(error), Some((name, kind, input))) =
                (e.detail("error").and_then(Json::as_str), open.last())
            {
                let cause = e.detail("cause").and_then(Json::as_str).unwrap_or_default();
                println!(
                    "{}{} {} {} {} {error}: {}",
                    indent(open.len() - 1),
                    style(name).bold(),
                    style(format!("({kind})")).dim(),
                    short(input, 80),
                    style("✘").red(),
                    short(&Json::String(cause.to_string()), 80)
                );
            }
        }
    }
    let elapsed = outcome.elapsed_seconds();
    match outcome.status {
        Status::Succeeded => {
            println!(
                "{} SUCCEEDED after {elapsed} s ({} states)",
                style("✔").green(),
                outcome.path.len()
            );
            let output = outcome.output.clone().unwrap_or(Json::Null);
            println!(
                "{}",
                serde_json::to_string_pretty(&output).unwrap_or_default()
            );
        }
        status => println!(
            "{} {} after {elapsed} s: {}: {}",
            style("✘").red(),
            status.as_str(),
            outcome.error.clone().unwrap_or_default(),
            outcome.cause.clone().unwrap_or_default()
        ),
    }
}
