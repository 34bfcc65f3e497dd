//! An ASL file as `graph --definition` and `run --definition` read it: one reader, so that a
//! file is refused by both for the same reason, with the same words.

use std::io::Read;
use std::path::Path;

use serde_json::Value as Json;

use super::model::Definition;
use super::validate::{ValidateOptions, MAX_DEFINITION_BYTES};

/// Why an ASL file is refused: what is wrong (the file named first), and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// What is wrong: `order.asl.json: the definition is not valid (1 problem): ...`.
    pub message: String,
    /// What to do about it.
    pub help: &'static str,
}

/// A definition read from a file: parsed, its JSON, and its text.
#[derive(Debug, Clone)]
pub struct DefinitionFile {
    /// The definition, held to the rules synth holds an app's machines to.
    pub definition: Definition,
    /// The file's JSON.
    pub json: Json,
    /// The file's text.
    pub text: String,
}

/// Reads an ASL file: at most [`MAX_DEFINITION_BYTES`] (Step Functions' quota; a larger file is
/// refused before it is parsed, so its size costs nothing), as JSON, as a definition, then
/// validated as synth validates an app's machines.
pub fn read_definition_file(path: &Path) -> Result<DefinitionFile, Refused> {
    let shown = path.display();
    let refused = |message: String, help: &'static str| Refused { message, help };
    let file = std::fs::File::open(path).map_err(|e| {
        refused(
            format!("{shown}: cannot be read: {e}"),
            "name an ASL file (JSON)",
        )
    })?;
    let mut text = String::new();
    file.take(MAX_DEFINITION_BYTES as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| {
            refused(
                format!("{shown}: cannot be read as text: {e}"),
                "an ASL file is UTF-8 JSON",
            )
        })?;
    if text.len() > MAX_DEFINITION_BYTES {
        return Err(refused(
            format!("{shown}: over {MAX_DEFINITION_BYTES} bytes, more than Step Functions takes for a definition"),
            "split the workflow (a Map or a nested state machine), or move data out of it",
        ));
    }
    let json: Json = serde_json::from_str(&text).map_err(|e| {
        refused(
            format!("{shown}: not JSON: {e}"),
            "the file must be an Amazon States Language definition (JSON)",
        )
    })?;
    let definition = Definition::from_json(&json).map_err(|e| {
        refused(
            format!("{shown}: {e}"),
            "the file must be an Amazon States Language definition",
        )
    })?;
    let problems = definition.validate(ValidateOptions::new());
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        return Err(refused(
            format!(
                "{shown}: the definition is not valid ({} problem{}):\n{}",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                list.join("\n")
            ),
            "Step Functions refuses such a definition; synth reports the same problems",
        ));
    }
    Ok(DefinitionFile {
        definition,
        json,
        text,
    })
}
