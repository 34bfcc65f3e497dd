//! What the commands do: synth and list.

use std::path::Path;
use std::time::Instant;

use miette::Diagnostic;

use constructs::{CloudAssembly, Format, Problem, SynthError};

use crate::cli::{Cli, Command, FormatArg, ListArgs, LoadTableArgs, NewCommand, SynthArgs};
use crate::config::{self, ConfigError};

/// Why a command failed; `exit_code` says how the process ends.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),

    #[error("{}", render_synth_error(.0))]
    Synth(#[from] SynthError),

    #[error("no stack matches {pattern:?}")]
    #[diagnostic(code(rcdk::usage::no_stack), help("the app's stacks: {available}"))]
    NoStack { pattern: String, available: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    LoadTable(#[from] crate::toolkit::load_table::LoadError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Scaffold(#[from] crate::toolkit::scaffold::ScaffoldError),

    #[error("name the stacks to {verb}, or use --all")]
    #[diagnostic(code(rcdk::usage::no_selection), help("the app's stacks: {available}"))]
    NoSelection { verb: String, available: String },

    #[error("the deployed stacks differ from the app (--fail)")]
    #[diagnostic(code(rcdk::diff::differs))]
    Differs,

    #[error(transparent)]
    #[diagnostic(transparent)]
    Deploy(#[from] crate::toolkit::error::DeployError),

    #[error("{pattern:?} is not a valid stack pattern: {message}")]
    #[diagnostic(
        code(rcdk::usage::pattern),
        help("use a stack name, or a glob such as '*Api'")
    )]
    BadPattern { pattern: String, message: String },
}

impl CliError {
    /// 1 for problems in the inputs (config content, app validation, I/O); 2 for usage
    /// errors (the command line names something that is not there).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Config(ConfigError::Missing { .. })
            | CliError::NoStack { .. }
            | CliError::BadPattern { .. }
            | CliError::NoSelection { .. } => 2,
            CliError::Deploy(e) => e.exit_code(),
            CliError::LoadTable(e) => e.exit_code(),
            CliError::Scaffold(e) => e.exit_code(),
            _ => 1,
        }
    }
}

fn render_problem(p: &Problem) -> String {
    let mut s = format!("  × {p}");
    if let Some(h) = &p.help {
        s.push_str(&format!("\n    help: {h}"));
    }
    s
}

fn render_synth_error(e: &SynthError) -> String {
    match e {
        SynthError::Invalid(problems) => {
            let mut lines = vec![format!("{e}; nothing was written:")];
            lines.extend(problems.iter().map(render_problem));
            lines.join("\n")
        }
        other => other.to_string(),
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli, root: &Path) -> Result<(), CliError> {
    // scaffolding needs no configuration
    if let Command::New(NewCommand::Lambda(args)) = &cli.command {
        let target = args.root.clone().unwrap_or_else(|| root.to_path_buf());
        let files = crate::toolkit::scaffold::new_lambda(&target, &args.name)?;
        for f in &files {
            println!("created {}", f.display());
        }
        println!(
            "{} is a workspace member (lambdas/*): test it with `cargo test -p {}`, use it with FunctionProps::new(\"{}\")",
            args.name, args.name, args.name
        );
        return Ok(());
    }
    let conn = crate::aws_commands::Connection {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
    };
    if let Command::Bootstrap(_) = &cli.command {
        return crate::aws_commands::bootstrap(root, &conn);
    }
    let config = config::load(&cli.config)?;
    match cli.command {
        Command::Synth(args) => synth(&config, root, &args),
        Command::List(args) => list(&config, root, &args),
        Command::LoadTable(args) => load_table(
            &config,
            &args,
            cli.profile.as_deref(),
            cli.region.as_deref(),
        ),
        Command::Deploy(args) => crate::aws_commands::deploy(&config, root, &conn, &args),
        Command::Diff(args) => {
            let differs = crate::aws_commands::diff(&config, root, &conn, &args)?;
            if differs && args.fail {
                return Err(CliError::Differs);
            }
            Ok(())
        }
        Command::Destroy(args) => crate::aws_commands::destroy(&config, root, &conn, &args),
        Command::Bootstrap(_) => crate::aws_commands::bootstrap(root, &conn),
        Command::New(_) => Ok(()),
    }
}

/// The stacks whose names match `pattern` (all without one), with their dependencies.
fn select(assembly: &CloudAssembly, pattern: Option<&str>) -> Result<Vec<String>, CliError> {
    let patterns: Vec<String> = pattern.map(str::to_string).into_iter().collect();
    let matched = matching(assembly, &patterns, pattern.is_none(), "select")?;
    Ok(assembly.with_dependencies(&matched))
}

/// The stacks named (names or globs), in the app's order; `all` or a one-stack app select
/// everything.
pub(crate) fn matching(
    assembly: &CloudAssembly,
    patterns: &[String],
    all: bool,
    verb: &str,
) -> Result<Vec<String>, CliError> {
    let names: Vec<String> = assembly.stacks.iter().map(|s| s.name.clone()).collect();
    if all || (patterns.is_empty() && names.len() == 1) {
        return Ok(names);
    }
    if patterns.is_empty() {
        return Err(CliError::NoSelection {
            verb: verb.to_string(),
            available: names.join(", "),
        });
    }
    let mut matched = Vec::new();
    for pattern in patterns {
        let glob = glob::Pattern::new(pattern).map_err(|e| CliError::BadPattern {
            pattern: pattern.clone(),
            message: e.msg.to_string(),
        })?;
        let hits: Vec<&String> = names.iter().filter(|n| glob.matches(n)).collect();
        if hits.is_empty() {
            return Err(CliError::NoStack {
                pattern: pattern.clone(),
                available: names.join(", "),
            });
        }
        for h in hits {
            if !matched.contains(h) {
                matched.push(h.clone());
            }
        }
    }
    Ok(names.into_iter().filter(|n| matched.contains(n)).collect())
}

fn synth(config: &config::Config, root: &Path, args: &SynthArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let app = crate::app::build(config, root);
    let assembly = app.synth()?;
    let names = select(&assembly, args.stack.as_deref())?;
    let format = match args.format {
        FormatArg::Json => Format::Json,
        FormatArg::Yaml => Format::Yaml,
    };
    let rendered = assembly.render(format, Some(&names))?;
    rendered.write(&args.out)?;
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    if !args.quiet {
        let header = [
            "Stack",
            "Resources",
            "State machines",
            "Assets",
            "Template bytes",
        ];
        let rows: Vec<[String; 5]> = rendered
            .summaries
            .iter()
            .map(|s| {
                [
                    s.name.clone(),
                    s.resources.to_string(),
                    s.state_machines.to_string(),
                    s.assets.to_string(),
                    s.template_bytes.to_string(),
                ]
            })
            .collect();
        print!("{}", table(&header, &rows));
        println!(
            "wrote {} ({} files) in {} ms",
            args.out.display(),
            rendered.files.len(),
            started.elapsed().as_millis()
        );
    }
    Ok(())
}

fn list(config: &config::Config, root: &Path, args: &ListArgs) -> Result<(), CliError> {
    let app = crate::app::build(config, root);
    let assembly = app.synth()?;
    let names = select(&assembly, args.stack.as_deref())?;
    let rows: Vec<[String; 2]> = assembly
        .stacks
        .iter()
        .filter(|s| names.contains(&s.name))
        .map(|s| {
            let deps = if s.dependencies.is_empty() {
                "-".to_string()
            } else {
                s.dependencies.join(", ")
            };
            [s.name.clone(), deps]
        })
        .collect();
    print!("{}", table(&["Stack", "Depends on"], &rows));
    Ok(())
}

/// A plain text table: first column left-aligned, the others right-aligned for numbers.
fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let numeric: Vec<bool> = (0..N)
        .map(|i| !rows.is_empty() && rows.iter().all(|r| r[i].parse::<u64>().is_ok()))
        .collect();
    let line = |cells: Vec<&str>| -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            if numeric[i] {
                out.push_str(&format!("{cell:>w$}", w = widths[i]));
            } else if i + 1 == N {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}", w = widths[i]));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn load_table(
    config: &config::Config,
    args: &LoadTableArgs,
    profile: Option<&str>,
    region: Option<&str>,
) -> Result<(), CliError> {
    let ddb = &config.map_dynamo_db.ddb;
    let table = args.table.clone().unwrap_or_else(|| ddb.table_name.clone());
    let item = crate::toolkit::load_table::list_item(
        &args.json,
        &ddb.partition_key_name,
        &ddb.partition_key_value_field,
    )?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::toolkit::load_table::LoadError::Aws {
            table: table.clone(),
            message: format!("cannot start the async runtime: {e}"),
        })?;
    runtime.block_on(async {
        let aws = crate::toolkit::aws_config(profile, region).await;
        let client = aws_sdk_dynamodb::Client::new(&aws);
        crate::toolkit::load_table::put(&client, &table, item).await
    })?;
    println!(
        "loaded {} into {table} ({} = {})",
        args.json.display(),
        ddb.partition_key_name,
        ddb.partition_key_value_field
    );
    Ok(())
}
