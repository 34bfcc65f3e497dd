//! `run`: a state machine run locally by rcdk-local, the app's (from the assembly, its
//! substitutions resolved) or an ASL file's; tasks answered by a mock file's test case.

use std::path::{Path, PathBuf};

use console::style;
use constructs::stepfunctions::asl::Definition;
use miette::Diagnostic;
use rcdk_local::mock::{MockConfig, Mocks};
use rcdk_local::template::{AppTemplates, Environment};
use rcdk_local::{Machine, RunOptions, Status, TaskRunner};
use serde_json::Value as Json;

use super::context::{run_async, Connection, RunContext};
use super::run_output::{terminal_safe, terminal_safe_lines, HumanRun, JsonRun, Out};
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

/// A usage error; what it quotes of the user's files reaches the terminal escaped.
fn usage(message: impl Into<String>, help: impl Into<String>) -> RunError {
    RunError::Usage {
        message: terminal_safe_lines(&message.into()),
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
    /// The region its stack names, where its live calls go (else `--region` or the shell's).
    region: Option<String>,
    /// Keys of its `StateMachines` entry, tried in order.
    keys: Vec<String>,
    /// Every machine a mock file's `StateMachines` may name, with its keys and definition
    /// (the app's, all of them; an ASL file's, itself), and whether an entry that names none
    /// of them is an error (an app's mock file; an ASL file's may serve other machines).
    known: (Vec<(Vec<String>, Definition)>, bool),
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
        Some(path) => Some((read_mock(path, &target)?, path.clone())),
        None => None,
    };
    let live: Option<Box<dyn TaskRunner>> = if args.live {
        // the machine's calls go to its own stack's region
        Some(Box::new(crate::live::Live::connect(
            conn.profile.as_deref(),
            target.region.as_deref().or(conn.region.as_deref()),
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
    // each event is written as it happens: the run keeps none of its history
    let mut out = Out::stdout();
    // --report keeps the history, each payload cut to 64 KiB
    let mut recorder = args
        .report
        .as_ref()
        .map(|_| rcdk_local::report::Recorder::default());
    let outcome = if args.json {
        let mut json = JsonRun::start(&mut out);
        let outcome = rcdk_local::run_streaming(
            &target.machine,
            input,
            runner.as_mut(),
            &options,
            &mut |e| {
                json.event(e);
                if let Some(r) = recorder.as_mut() {
                    r.event(e);
                }
            },
        );
        json.finish(&outcome);
        outcome
    } else {
        let mut human = HumanRun::start(&mut out, &target.label, args.real_time);
        let outcome = rcdk_local::run_streaming(
            &target.machine,
            input,
            runner.as_mut(),
            &options,
            &mut |e| {
                human.event(e);
                if let Some(r) = recorder.as_mut() {
                    r.event(e);
                }
            },
        );
        human.finish(&outcome);
        outcome
    };
    out.flush();
    if let (Some(path), Some(recorder)) = (&args.report, recorder) {
        write_report(path, &target.label, &target.machine, &recorder.events)?;
    }
    match outcome.status {
        Status::Succeeded => Ok(()),
        status => Err(RunError::Ended {
            status: status.as_str().to_string(),
            error: terminal_safe(&format!(
                "{}: {}",
                outcome.error.unwrap_or_default(),
                outcome.cause.unwrap_or_default()
            ))
            .into_owned(),
        }
        .into()),
    }
}

/// `--report`: the run's HTML report, written whole or not at all.
fn write_report(
    path: &std::path::Path,
    label: &str,
    machine: &rcdk_local::Machine,
    history: &[serde_json::Value],
) -> Result<(), ToolkitError> {
    let definition = machine.definition.to_json().unwrap_or_default();
    let html = rcdk_local::report::html_of_history(label, &definition, history)
        .map_err(|e| usage(format!("the report cannot be drawn: {e}"), ""))?;
    let tmp = path.with_extension("rcdk-tmp");
    let written = std::fs::write(&tmp, html).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(usage(
            format!("{}: the report cannot be written: {e}", path.display()),
            "name a file in a directory you can write to",
        )
        .into());
    }
    errln!("report: {}", path.display());
    Ok(())
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
    errln!(
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
    let built = rcdk_local::handlers::build(workspace, &wanted).map_err(|e| {
        usage(
            e.to_string(),
            "the functions' crates must build for this machine",
        )
    })?;
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
        // read, parsed and validated as `graph --definition` reads a file: at most 1 MB, the
        // rules synth holds an app's machines to
        let read = constructs::stepfunctions::asl::read_definition_file(file)
            .map_err(|r| usage(r.message, r.help))?;
        let stem = file
            .file_name()
            .and_then(|n| n.to_str())
            .map(|n| n.trim_end_matches(".json").trim_end_matches(".asl"))
            .unwrap_or("Machine")
            .to_string();
        let name = args.name.clone().unwrap_or(stem);
        // the local runner's own reading (numbers it cannot hold exactly are refused)
        let machine = Machine::from_json_str(&name, &read.text).map_err(|e| {
            usage(
                format!("{}: {e}", file.display()),
                "the file must be an Amazon States Language definition",
            )
        })?;
        let known = (
            vec![(vec![name.clone()], machine.definition.clone())],
            false,
        );
        return Ok(Target {
            machine,
            app: None,
            region: None,
            label: file.display().to_string(),
            keys: vec![name],
            known,
        });
    }
    let selector = args.machine.clone().unwrap_or_default();
    let ctx = RunContext::load(&args.app)?;
    let mut templates = AppTemplates::from_assembly(&ctx.assembly);
    templates.env = Environment::default();
    if args.deployed {
        deployed_ids(conn, &ctx.assembly, &mut templates)?;
    }
    let found = templates.machine(&selector).map_err(|e| {
        usage(
            e.to_string(),
            "name a machine by its construct path (`cargo run -- list` shows the stacks)",
        )
    })?;
    // every machine of the app, for a mock file's entries (only a mock file needs them)
    let mut known = Vec::new();
    if args.mock.is_some() {
        for (path, _, _) in templates.machines() {
            if let Ok(m) = templates.machine(&path) {
                known.push((keys_of(&m), m.machine.definition));
            }
        }
    }
    let stack = found.path.split('/').next().unwrap_or_default();
    let region = ctx
        .assembly
        .stack(stack)
        .and_then(|s| s.environment.region.clone());
    Ok(Target {
        keys: keys_of(&found),
        region,
        label: found.path.clone(),
        machine: found.machine.clone(),
        app: Some((found, ctx.workspace.clone())),
        known: (known, true),
    })
}

/// The keys a mock file's `StateMachines` may name an app's machine by: its construct path,
/// its id, its name.
fn keys_of(m: &rcdk_local::template::AppMachine) -> Vec<String> {
    let last = m.path.rsplit('/').next().unwrap_or_default().to_string();
    vec![m.path.clone(), last, m.machine.name.clone()]
}

/// The physical ids of the deployed stacks' resources; a stack that cannot be asked about
/// (no answer, no permission) is the error, not taken for one that is not deployed.
fn deployed_ids(
    conn: &Connection,
    assembly: &constructs::CloudAssembly,
    templates: &mut AppTemplates,
) -> Result<(), ToolkitError> {
    let in_flight = InFlight::default();
    run_async(&in_flight, "run", async {
        super::context::read_deployed_ids_by_environment(conn, assembly, templates).await?;
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
    rcdk_local::json::parse(&text).map_err(|e| {
        usage(
            format!("{whence} is not JSON as an execution takes it: {e}"),
            "--input takes JSON text ('{\"id\": 1}') or @FILE",
        )
    })
}

/// The mock file, checked whole: its format, and each `StateMachines` entry against the
/// machine it names (an app's mock file may name only the app's machines).
fn read_mock(path: &Path, target: &Target) -> Result<MockConfig, RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        usage(
            format!("cannot read the mock file {}: {e}", path.display()),
            "",
        )
    })?;
    let config = MockConfig::from_json_str(&text).map_err(|e| {
        usage(
            format!("{}: {e}", path.display()),
            "the file must be in AWS Step Functions Local's mock configuration format",
        )
    })?;
    let (known, strict) = &target.known;
    for key in config.test_cases.keys() {
        match known.iter().find(|(keys, _)| keys.contains(key)) {
            Some((_, definition)) => config
                .check_machine(key, definition)
                .map_err(|e| usage(format!("{}: {e}", path.display()), ""))?,
            None if *strict => {
                let names: Vec<&str> = known
                    .iter()
                    .filter_map(|(keys, _)| keys.first().map(String::as_str))
                    .collect();
                return Err(usage(
                    format!(
                        "{}: StateMachines.{key}: the app has no state machine '{key}' (its machines: {})",
                        path.display(),
                        if names.is_empty() { "none".to_string() } else { names.join(", ") }
                    ),
                    "key each entry by a machine's construct path, its id or its name",
                ));
            }
            None => {}
        }
    }
    Ok(config)
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
    let expected: Json = rcdk_local::json::parse(&text)
        .map_err(|e| usage(format!("{}: {e}", file.display()), ""))?;
    let cases = config
        .test_cases
        .get(key)
        .map(|c| c.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    let mut failed = 0;
    for case in &cases {
        let Some(expect) = expected.get(key).and_then(|m| m.get(case)) else {
            failed += 1;
            outln!(
                "{} {}",
                style("✘").red(),
                terminal_safe(&format!(
                    "{case}: no expected result in {} ({key}.{case})",
                    file.display()
                ))
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
        // the history is not compared: none is kept
        let outcome =
            rcdk_local::run_streaming(&target.machine, input, &mut runner, options, &mut |_| {});
        let problems = outcome.differences(expect);
        let case = terminal_safe(case);
        if problems.is_empty() {
            outln!("{} {case}: {}", style("✔").green(), outcome.status.as_str());
        } else {
            failed += 1;
            outln!("{} {case}:", style("✘").red());
            for p in problems {
                outln!("    {}", terminal_safe(&p));
            }
        }
    }
    outln!(
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
