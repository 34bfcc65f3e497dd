//! `list`: the app's stacks and what each depends on.

use crate::cli::ListArgs;
use crate::context::Context;
use crate::error::Error;

pub fn run(ctx: &Context, args: &ListArgs) -> Result<(), Error> {
    let assembly = ctx.synth()?;
    let patterns: Vec<String> = args.stack.iter().cloned().collect();
    let names = assembly.select(&patterns, args.stack.is_none(), "list")?;
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
    print!("{}", super::table(&["Stack", "Depends on"], &rows));
    Ok(())
}
