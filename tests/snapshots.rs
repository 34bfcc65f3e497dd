//! Snapshots of every template the app synthesizes, in YAML with short-form tags.
//! Review changes with `cargo insta review`; the asset hash is redacted (it follows the
//! Lambda sources and is tested on its own), and checked to match the asset manifest.

mod common;
#[path = "../constructs/tests/common/cross_stack_app.rs"]
mod cross_stack_app;

use std::path::Path;

use constructs::core::yaml;

fn assembly() -> constructs::CloudAssembly {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = rcdk::config::load::<rcdk_patterns::config::Config>(&root.join("config.json"))
        .expect("config.json loads");
    rcdk_patterns::app::build(&config, root)
        .synth()
        .expect("the app synthesizes")
}

#[test]
fn every_stack_template() {
    let assembly = assembly();
    for stack in &assembly.stacks {
        let mut text = yaml::render(&stack.template);
        for asset in &stack.assets {
            assert!(
                text.contains(&asset.object_key()),
                "{} uses its asset {}",
                stack.name,
                asset.path
            );
        }
        // several functions may share an asset: check all, then redact
        for asset in &stack.assets {
            text = text.replace(&asset.hash, "<asset-hash>");
        }
        insta::assert_snapshot!(stack.name.clone(), text);
    }
}

#[test]
fn manifest() {
    let rendered = assembly()
        .render(constructs::Format::Json, None)
        .expect("renders");
    let (name, manifest) = &rendered.files[0];
    assert_eq!(name, "manifest.json");
    insta::assert_snapshot!("manifest", String::from_utf8_lossy(manifest));
}

/// The state machine catalog: every state type and task integration, as synthesized.
#[test]
fn state_machine_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let assembly = common::catalog_app(root)
        .synth()
        .expect("the catalog synthesizes");
    let stack = &assembly.stacks[0];
    let mut text = yaml::render(&stack.template);
    for asset in &stack.assets {
        text = text.replace(&asset.hash, "<asset-hash>");
    }
    insta::assert_snapshot!("catalog", text);
}

/// Every state of `definition` (nested ones by their path) and every transition it makes:
/// (from, to, kind) with `Start`/`End` at the top level.
fn expected(
    definition: &serde_json::Value,
    prefix: &str,
    top: bool,
    states: &mut Vec<String>,
    transitions: &mut Vec<(String, String, &'static str)>,
) {
    use serde_json::Value as Json;
    let path = |name: &str| format!("{prefix}{name}");
    let start = definition["StartAt"].as_str().unwrap_or_default();
    if top {
        transitions.push(("Start".into(), path(start), "next"));
    }
    for (name, state) in definition["States"].as_object().into_iter().flatten() {
        let at = path(name);
        states.push(at.clone());
        if let Some(next) = state["Next"].as_str() {
            transitions.push((at.clone(), path(next), "next"));
        }
        for rule in state["Choices"].as_array().into_iter().flatten() {
            transitions.push((
                at.clone(),
                path(rule["Next"].as_str().unwrap_or_default()),
                "rule",
            ));
        }
        if let Some(d) = state["Default"].as_str() {
            transitions.push((at.clone(), path(d), "default"));
        }
        for c in state["Catch"].as_array().into_iter().flatten() {
            transitions.push((
                at.clone(),
                path(c["Next"].as_str().unwrap_or_default()),
                "catch",
            ));
        }
        // a Succeed or Fail state is drawn as an end of its own
        if top && state["End"].as_bool() == Some(true) {
            transitions.push((at.clone(), "End".into(), "next"));
        }
        for (i, branch) in state["Branches"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            expected(
                branch,
                &format!("{at}/{}/", i + 1),
                false,
                states,
                transitions,
            );
        }
        let processor: &Json = if state["ItemProcessor"].is_object() {
            &state["ItemProcessor"]
        } else {
            &state["Iterator"]
        };
        if processor.is_object() {
            expected(processor, &format!("{at}/"), false, states, transitions);
        }
    }
}

/// The structure a picture of a workflow must have: every state drawn once, every
/// transition drawn, no two boxes of one level overlapping, each nested box inside its
/// frame, and no crossing lines.
fn assert_drawn_whole(
    name: &str,
    definition: &serde_json::Value,
    d: &constructs::diagram::Diagram,
) {
    let (mut states, mut transitions) = (Vec::new(), Vec::new());
    expected(definition, "", true, &mut states, &mut transitions);
    let mut drawn: Vec<String> = d
        .nodes
        .iter()
        .filter(|n| n.kind.is_state())
        .map(|n| n.path.clone())
        .collect();
    drawn.sort();
    states.sort();
    assert_eq!(drawn, states, "{name}: every state drawn once");
    let mut lines: Vec<(String, String, &'static str)> = d
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone(), e.kind.class()))
        .collect();
    lines.sort();
    transitions.sort();
    assert_eq!(lines, transitions, "{name}: every transition drawn");
    for (i, a) in d.nodes.iter().enumerate() {
        for b in &d.nodes[i + 1..] {
            if a.parent == b.parent {
                assert!(!a.overlaps(b), "{name}: {} overlaps {}", a.path, b.path);
            }
        }
        if let Some(frame) = a.parent.as_deref().and_then(|p| d.node(p)) {
            assert!(
                frame.contains(a),
                "{name}: {} is outside its frame {}",
                a.path,
                frame.path
            );
        }
        assert!(
            a.x >= 0.0 && a.y >= 0.0 && a.x + a.width <= d.width && a.y + a.height <= d.height,
            "{name}: {} is outside the picture",
            a.path
        );
    }
    assert_eq!(d.crossings(), 0, "{name}: lines cross");
    assert_eq!(
        d.lines_across_boxes(),
        Vec::<(String, String, String)>::new(),
        "{name}: a line crosses a box"
    );
}

/// A picture of each state machine: the six of the patterns and the catalog's six (every
/// state type among them), each checked for its structure and kept as a reviewed SVG.
#[test]
fn every_state_machine_diagram() {
    use constructs::diagram::{machines_of, Diagram};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = common::catalog_app(root)
        .synth()
        .expect("the catalog synthesizes");
    let patterns = assembly();
    let mut count = 0;
    for stack in patterns.stacks.iter().chain(&catalog.stacks) {
        for machine in machines_of(&stack.template) {
            let d = Diagram::of(&machine.definition)
                .unwrap_or_else(|e| panic!("{}: {e}", machine.path));
            assert_drawn_whole(&machine.path, &machine.definition, &d);
            let svg = d.to_svg(&machine.path);
            assert_eq!(svg, d.to_svg(&machine.path), "the same picture twice");
            insta::assert_snapshot!(format!("diagram-{}", machine.path.replace('/', "-")), svg);
            count += 1;
        }
    }
    assert_eq!(
        count, 12,
        "the patterns' six machines and the catalog's six"
    );
}

/// A picture of each stack of the patterns, the catalog and the app whose queue, topic and
/// bucket are granted from other stacks: every construct drawn once, no two boxes
/// overlapping, no line across a box, the lines each construct's use implies, kept as a
/// reviewed SVG.
#[test]
fn every_stack_graph() {
    use constructs::diagram::{Diagram, EdgeKind, NodeKind};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = common::catalog_app(root)
        .synth()
        .expect("the catalog synthesizes");
    let cross = cross_stack_app::app(root)
        .synth()
        .expect("the cross-stack app synthesizes");
    let patterns = assembly();
    let mut lines: Vec<(String, String, String, &'static str)> = Vec::new();
    for stack in patterns
        .stacks
        .iter()
        .chain(&catalog.stacks)
        .chain(&cross.stacks)
    {
        let d = Diagram::of_stack(&stack.name, &stack.template);
        insta::assert_snapshot!(format!("graph-{}", stack.name), d.to_svg(&stack.name));
        let prefix = format!("{}/", stack.name);
        let mut expected: Vec<String> = stack
            .logical_ids
            .keys()
            .map(|p| {
                let rest = p.strip_prefix(&prefix).unwrap_or(p);
                rest.split('/').next().unwrap_or(rest).to_string()
            })
            .collect();
        expected.sort();
        expected.dedup();
        let mut drawn: Vec<String> = d
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Construct)
            .map(|n| n.path.clone())
            .collect();
        drawn.sort();
        assert_eq!(
            drawn, expected,
            "{}: every construct drawn once",
            stack.name
        );
        for (i, a) in d.nodes.iter().enumerate() {
            for b in &d.nodes[i + 1..] {
                assert!(
                    !a.overlaps(b),
                    "{}: {} overlaps {}",
                    stack.name,
                    a.path,
                    b.path
                );
            }
        }
        assert_eq!(
            d.lines_across_boxes(),
            Vec::<(String, String, String)>::new(),
            "{}: a line crosses a box",
            stack.name
        );
        for e in &d.edges {
            if e.kind != EdgeKind::Reference {
                lines.push((
                    stack.name.clone(),
                    e.from.clone(),
                    e.to.clone(),
                    e.kind.class(),
                ));
            }
        }
    }
    // what each stack's constructs do to each other, as the templates say
    for line in [
        // the machine's tasks write the table, with the rights to
        ("TaskStatus", "StateMachine", "Tasks", "integration"),
        ("TaskStatus", "StateMachine", "Tasks", "grant"),
        // the function may start the machine
        ("TaskStatus", "invokeStepFunction", "StateMachine", "grant"),
        ("MapDynamoDb", "TestStateMachine", "Lambda", "integration"),
        // the queue's subscription takes the topic another stack exports
        ("Queues", "Topics (stack)", "Inbox", "export"),
        // the function reads a queue through an event source
        ("Catalog", "Inbox", "Worker", "event-source"),
    ] {
        let line = (
            line.0.to_string(),
            line.1.to_string(),
            line.2.to_string(),
            line.3,
        );
        assert!(lines.contains(&line), "{line:?} not in {lines:#?}");
    }
}
