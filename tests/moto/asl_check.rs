//! The ASL check of the moto harness (`tests/moto/server.py` runs it for every state machine
//! CloudFormation creates or updates): reads the definition text CloudFormation hands Step
//! Functions (substitutions applied) on stdin, parses it with constructs' strict parser,
//! validates it with its validator (`--express` for an EXPRESS machine), and checks what
//! those leave to synth's tokens: every Task's `Resource` must be an ARN, as Step Functions
//! requires ("SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN at
//! /States/<name>/Resource", its answer to a Resource that is not one). Prints one problem a
//! line and exits 1 when there is any; exits 0 for a valid definition, 2 on a usage error.
//!
//! Built by `cargo build --example asl-check` (tests/common/moto.rs does it before a test
//! deploys); it is a test tool, not a part of rcdk.

use std::io::Read;
use std::process::ExitCode;

use constructs::stepfunctions::asl::{Definition, ValidateOptions};
use serde_json::Value as Json;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let express = match args.as_slice() {
        [] => false,
        [flag] if flag == "--express" => true,
        _ => {
            eprintln!("usage: asl-check [--express] < definition.json");
            return ExitCode::from(2);
        }
    };
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("asl-check: cannot read the definition from stdin: {e}");
        return ExitCode::from(2);
    }
    let problems = check(&text, express);
    for p in &problems {
        println!("{p}");
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Every problem of the definition text, in the words of the parser and validator.
fn check(text: &str, express: bool) -> Vec<String> {
    let definition = match Definition::from_json_str(text) {
        Ok(d) => d,
        Err(e) => {
            return vec![format!(
                "SCHEMA_VALIDATION_FAILED: {} at {}",
                e.message, e.at
            )]
        }
    };
    let mut options = ValidateOptions::new();
    if express {
        options = options.express();
    }
    let mut problems: Vec<String> = definition
        .validate(options)
        .iter()
        .map(|p| p.to_string())
        .collect();
    if let Ok(json) = serde_json::from_str::<Json>(text) {
        resources(&json, "", &mut problems);
    }
    problems
}

/// The Task states' `Resource` fields that are not ARNs, at every depth (Parallel branches,
/// Map iterators and item processors).
fn resources(machine: &Json, at: &str, problems: &mut Vec<String>) {
    let Some(states) = machine.get("States").and_then(Json::as_object) else {
        return;
    };
    for (name, state) in states {
        let here = format!("{at}/States/{name}");
        if state.get("Type").and_then(Json::as_str) == Some("Task") {
            if let Some(resource) = state.get("Resource").and_then(Json::as_str) {
                if !is_arn(resource) {
                    problems.push(format!(
                        "SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN at {here}/Resource"
                    ));
                }
            }
        }
        for field in ["Iterator", "ItemProcessor"] {
            if let Some(inner) = state.get(field) {
                resources(inner, &format!("{here}/{field}"), problems);
            }
        }
        if let Some(branches) = state.get("Branches").and_then(Json::as_array) {
            for (i, branch) in branches.iter().enumerate() {
                resources(branch, &format!("{here}/Branches/{i}"), problems);
            }
        }
    }
}

/// `arn:partition:service:region:account:resource`: six fields at least, the partition and
/// service named, no placeholder left (`${Key}`, which CloudFormation leaves as it is when
/// DefinitionSubstitutions has no such key).
fn is_arn(text: &str) -> bool {
    let fields: Vec<&str> = text.split(':').collect();
    fields.len() >= 6
        && fields[0] == "arn"
        && !fields[1].is_empty()
        && !fields[2].is_empty()
        && !text.contains("${")
        && !text.chars().any(char::is_whitespace)
}
