//! The built-in commands, one module each, over the run context.

pub mod graph;
pub mod handoff;
pub mod list;
pub mod synth;

use crate::cli::Builtin;
use crate::context::Context;
use crate::error::Error;

/// Runs a built-in command.
pub fn run(ctx: &Context, command: Builtin) -> Result<(), Error> {
    if let Some((name, args)) = command.toolkit() {
        return handoff::run(ctx, name, args);
    }
    match command {
        Builtin::Synth(args) => synth::run(ctx, &args),
        Builtin::List(args) => list::run(ctx, &args),
        Builtin::Graph(args) => graph::run(ctx, &args),
        _ => Ok(()),
    }
}

/// A plain text table: first column left-aligned, numeric columns right-aligned.
pub fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
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
