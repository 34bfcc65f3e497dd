//! Every state machine of ../shared/reference/ parses and renders back to an equal JSON value.

use std::path::{Path, PathBuf};

use constructs::stepfunctions::asl::Definition;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
}

fn reference_machines() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(reference_dir()).expect("../shared/reference exists") {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let name = path.to_string_lossy();
            if name.contains(".asl.") && name.ends_with(".json") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_reference_state_machine_round_trips() {
    let machines = reference_machines();
    assert_eq!(machines.len(), 6, "{machines:?}");
    for path in machines {
        let text = std::fs::read_to_string(&path).unwrap();
        let original: serde_json::Value = serde_json::from_str(&text).unwrap();
        let definition =
            Definition::from_json(&original).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let rendered = definition
            .to_json()
            .expect("no tokens in a parsed definition");
        assert_eq!(rendered, original, "{}", path.display());
    }
}
