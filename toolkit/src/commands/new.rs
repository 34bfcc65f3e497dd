//! `new lambda NAME` and `new app DIR`: scaffolding from rcdk's templates, offline.

use super::ToolkitError;
use crate::cli::{NewArgs, NewCommand};
use crate::scaffold::{new_app, new_lambda, Source};

pub fn run(args: &NewArgs) -> Result<(), ToolkitError> {
    match &args.what {
        NewCommand::Lambda(l) => {
            let files = new_lambda(&args.root, &l.name)?;
            for f in &files {
                outln!("created {}", f.display());
            }
            outln!(
                "{} is a workspace member (lambdas/*): test it with `cargo test -p {}`, use it with FunctionProps::new(\"{}\")",
                l.name, l.name, l.name
            );
        }
        NewCommand::App(a) => {
            let source = match &a.git {
                Some(url) => Source::Git {
                    url: url.clone(),
                    rev: a.rev.clone(),
                },
                None => Source::checkout(&args.root)?,
            };
            let lock_from = match &source {
                Source::Path(dir) => Some(dir.clone()),
                Source::Git { .. } => Source::checkout(&args.root).ok().and_then(|s| match s {
                    Source::Path(d) => Some(d),
                    Source::Git { .. } => None,
                }),
            };
            let files = new_app(&a.dir, a.name.as_deref(), &source, lock_from.as_deref())?;
            for f in &files {
                outln!("created {}", f.display());
            }
            outln!(
                "next: cd {} && cargo run -- synth   (then `cargo test`; `cargo run -- deploy --all` after `cargo run -- bootstrap`)",
                a.dir.display()
            );
        }
    }
    Ok(())
}
