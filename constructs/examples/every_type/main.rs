//! Synthesizes a minimal instance of every resource type of the generated L1 layer, one stack
//! per service, into OUT_DIR: the check that every generated type builds, synthesizes, passes
//! rcdk's schema check and (in the tests) cfn-lint.
//!
//!     cargo run -p constructs --example every_type --features all -- OUT_DIR

use std::path::PathBuf;
use std::process::ExitCode;

use constructs::{App, Format, ResourceRef, Stack, Value};

#[rustfmt::skip]
mod generated;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: every_type OUT_DIR");
        return ExitCode::from(2);
    };
    let mut app = App::new(".");
    let count = generated::add_all(&mut app);
    let stacks = app.stacks().count();
    let written = app
        .synth()
        .and_then(|assembly| assembly.render(Format::Json, None))
        .and_then(|rendered| rendered.write(&out));
    match written {
        Ok(()) => {
            println!(
                "{count} resource types in {stacks} stacks: {}",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            if let constructs::SynthError::Invalid(problems) = &e {
                for p in problems {
                    eprintln!("{p}");
                }
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Tells cfn-lint to skip `rules` on `resource` (its `Metadata.cfn-lint`), where the generated
/// code says why: a rule no value of the type can pass.
pub(crate) fn lint_ignore(stack: &mut Stack, resource: &ResourceRef, rules: &[&str]) {
    if let Some(r) = stack.resource_mut(resource) {
        r.metadata.insert(
            "cfn-lint".to_string(),
            Value::from(serde_json::json!({ "config": { "ignore_checks": rules } })),
        );
    }
}
