//! `graph`: a picture as an SVG file: of a stack (`Stack`: its constructs and how they use
//! each other), of a state machine of the app (`Stack/Machine`), or of an ASL file's
//! (`--definition FILE`).

use std::path::{Path, PathBuf};

use constructs::diagram::{machines_of, Diagram, MachineDefinition};

use crate::cli::GraphArgs;
use crate::context::Context;
use crate::error::Error;

fn usage(message: impl Into<String>, help: impl Into<String>) -> Error {
    Error::app(
        2,
        miette::MietteDiagnostic::new(message.into())
            .with_code("rcdk::usage::graph")
            .with_help(help.into()),
    )
}

/// Every state machine of the app (top-level and nested stacks), by construct path.
pub fn app_machines(assembly: &constructs::CloudAssembly) -> Vec<MachineDefinition> {
    assembly
        .stacks
        .iter()
        .flat_map(|s| {
            let mut all = machines_of(&s.template);
            for n in &s.nested {
                all.extend(machines_of(&n.template));
            }
            all
        })
        .collect()
}

/// Writes `text` to `path` whole or not at all (a temporary file renamed into place).
fn write_whole(path: &Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("svg.rcdk-tmp");
    let failed =
        |e: std::io::Error| Error::message(format!("{}: cannot be written: {e}", path.display()));
    std::fs::write(&tmp, text).map_err(failed)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
}

/// `Stack/Machine` as a file name: `Stack-Machine.svg`.
pub fn file_name(path: &str) -> String {
    let safe: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{safe}.svg")
}

pub fn run(ctx: &Context, args: &GraphArgs) -> Result<(), Error> {
    let (title, diagram, default_out) = match (&args.definition, &args.target) {
        (Some(file), _) => {
            // `order.asl.json` -> `order.svg`: the machine's name as `run` gives it
            let stem = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .map(|n| {
                    let n = n.strip_suffix(".json").unwrap_or(&n);
                    n.strip_suffix(".asl").unwrap_or(n).to_string()
                })
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "definition".into());
            let title = file.display().to_string();
            // read, parsed and validated as `run --definition` reads a file
            let read = constructs::stepfunctions::asl::read_definition_file(file)
                .map_err(|r| usage(r.message, r.help))?;
            let diagram =
                Diagram::of(&read.json).map_err(|e| Error::message(format!("{title}: {e}")))?;
            (title, diagram, PathBuf::from(format!("{stem}.svg")))
        }
        (None, Some(target)) => {
            let assembly = ctx.synth()?;
            let wanted = target.trim_end_matches('/');
            if wanted.contains('/') {
                let machines = app_machines(&assembly);
                let Some(m) = machines.iter().find(|m| m.path == wanted) else {
                    let all: Vec<&str> = machines.iter().map(|m| m.path.as_str()).collect();
                    return Err(usage(
                        format!("the app has no state machine {wanted}"),
                        if all.is_empty() {
                            "the app has no state machine".to_string()
                        } else {
                            format!("its state machines: {}", all.join(", "))
                        },
                    ));
                };
                let diagram = Diagram::of(&m.definition)
                    .map_err(|e| Error::message(format!("{}: {e}", m.path)))?;
                (m.path.clone(), diagram, PathBuf::from(file_name(&m.path)))
            } else {
                // a stack (or a nested stack): its constructs and how they use each other
                let template = assembly
                    .stack(wanted)
                    .map(|s| &s.template)
                    .or_else(|| assembly.nested(wanted).map(|n| &n.template));
                let Some(template) = template else {
                    let all: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
                    return Err(usage(
                        format!("the app has no stack {wanted}"),
                        format!(
                            "its stacks: {}; a state machine is named Stack/Machine",
                            all.join(", ")
                        ),
                    ));
                };
                let diagram = Diagram::of_stack(wanted, template);
                (
                    wanted.to_string(),
                    diagram,
                    PathBuf::from(file_name(wanted)),
                )
            }
        }
        (None, None) => return Err(usage(
            "name a stack, a state machine (Stack/Machine) or an ASL file (--definition FILE)",
            "rcdk graph Orders, rcdk graph Orders/Flow, or rcdk graph --definition flow.asl.json",
        )),
    };
    let out = args.out.clone().unwrap_or(default_out);
    write_whole(&out, &diagram.to_svg(&title))?;
    let states = diagram.nodes.iter().filter(|n| n.kind.is_state()).count();
    let what = if states > 0
        || diagram
            .nodes
            .iter()
            .all(|n| n.kind != constructs::diagram::NodeKind::Construct)
    {
        format!("{states} states")
    } else {
        format!(
            "{} constructs, {} lines",
            diagram
                .nodes
                .iter()
                .filter(|n| n.kind == constructs::diagram::NodeKind::Construct)
                .count(),
            diagram.edges.len()
        )
    };
    outln!(
        "wrote {} ({what}, {} x {} px)",
        out.display(),
        diagram.width,
        diagram.height
    );
    Ok(())
}
