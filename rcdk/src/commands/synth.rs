//! `synth`: the app's cloud assembly, written all or nothing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use constructs::Format;

use crate::cli::{FormatArg, SynthArgs};
use crate::context::Context;
use crate::error::Error;

/// Where an assembly goes when no `--out` is given: `$CDK_OUTDIR` (the AWS CDK's contract for
/// a toolkit that runs the app), else `cdk.out`.
pub fn default_out() -> PathBuf {
    std::env::var_os("CDK_OUTDIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cdk.out"))
}

/// What [`write()`] does besides the templates.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// A picture of each machine beside the templates (`synth --diagrams`).
    pub diagrams: bool,
    /// Print synth's warnings (about the templates: their size, a read-only property set);
    /// off for commands that only read the assembly (`run`, `logs`, `destroy`).
    pub warnings: bool,
}

/// Synthesizes the app and writes the selected stacks to `out` with `rcdk.json` (where the
/// app's workspace is), printing the warnings when asked.
pub fn write(
    ctx: &Context,
    out: &Path,
    format: Format,
    stack: Option<&str>,
    options: WriteOptions,
) -> Result<constructs::RenderedAssembly, Error> {
    let assembly = ctx.synth()?;
    let patterns: Vec<String> = stack.map(str::to_string).into_iter().collect();
    let names = assembly.select(&patterns, stack.is_none(), "synth")?;
    let mut rendered = assembly.render(format, Some(&names))?;
    if options.diagrams {
        // a picture of each machine of the selected stacks, beside the templates
        for m in super::graph::app_machines(&assembly) {
            let stack = m.path.split('/').next().unwrap_or_default();
            let selected = names.iter().any(|n| n == stack)
                || assembly
                    .stacks
                    .iter()
                    .any(|s| names.contains(&s.name) && s.nested.iter().any(|n| n.name == stack));
            if !selected {
                continue;
            }
            let diagram = constructs::diagram::Diagram::of(&m.definition)
                .map_err(|e| Error::message(format!("{}: {e}", m.path)))?;
            rendered.files.push((
                super::graph::file_name(&m.path),
                diagram.to_svg(&m.path).into_bytes(),
            ));
        }
    }
    rendered.set_workspace(out, ctx.root());
    rendered.write(out)?;
    if options.warnings {
        for w in &rendered.warnings {
            errln!("warning: {w}");
        }
    }
    Ok(rendered)
}

pub fn run(ctx: &Context, args: &SynthArgs) -> Result<(), Error> {
    let started = Instant::now();
    let out = args.out.clone().unwrap_or_else(default_out);
    let format = match args.format {
        FormatArg::Json => Format::Json,
        FormatArg::Yaml => Format::Yaml,
    };
    let options = WriteOptions {
        diagrams: args.diagrams,
        warnings: true,
    };
    let rendered = write(ctx, &out, format, args.stack.as_deref(), options)?;
    if !args.quiet {
        let header = [
            "Stack",
            "Resources",
            "State machines",
            "Assets",
            "Template bytes",
        ];
        // each stack, then its nested stacks (deployed inside it)
        let rows: Vec<[String; 5]> = rendered
            .summaries
            .iter()
            .flat_map(|s| std::iter::once((s, "")).chain(s.nested.iter().map(|n| (n, " (nested)"))))
            .map(|(s, nested)| {
                [
                    format!("{}{nested}", s.name),
                    s.resources.to_string(),
                    s.count_of("AWS::StepFunctions::StateMachine").to_string(),
                    s.assets.to_string(),
                    s.template_bytes.to_string(),
                ]
            })
            .collect();
        out!("{}", super::table(&header, &rows));
        outln!(
            "wrote {} ({} files) in {} ms",
            out.display(),
            rendered.files.len(),
            started.elapsed().as_millis()
        );
    }
    Ok(())
}
