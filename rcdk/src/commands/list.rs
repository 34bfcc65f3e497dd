//! `list`: the app's stacks and what each depends on.

use crate::cli::ListArgs;
use crate::context::Context;
use crate::error::Error;

pub fn run(ctx: &Context, args: &ListArgs) -> Result<(), Error> {
    let assembly = ctx.synth()?;
    let patterns: Vec<String> = args.stack.iter().cloned().collect();
    let names = assembly.select(&patterns, args.stack.is_none(), "list")?;
    let selected: Vec<_> = assembly
        .stacks
        .iter()
        .filter(|s| names.contains(&s.name))
        .collect();
    let deps = |s: &constructs::SynthesizedStack| {
        if s.dependencies.is_empty() {
            "-".to_string()
        } else {
            s.dependencies.join(", ")
        }
    };
    // the environment column only when a stack names one
    if selected.iter().any(|s| !s.environment.is_agnostic()) {
        let rows: Vec<[String; 3]> = selected
            .iter()
            .map(|s| [s.name.clone(), s.environment.uri(), deps(s)])
            .collect();
        out!(
            "{}",
            super::table(&["Stack", "Environment", "Depends on"], &rows)
        );
    } else {
        let rows: Vec<[String; 2]> = selected.iter().map(|s| [s.name.clone(), deps(s)]).collect();
        out!("{}", super::table(&["Stack", "Depends on"], &rows));
    }
    Ok(())
}
