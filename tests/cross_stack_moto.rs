//! The cross-stack app of `constructs/tests/cross_stack.rs` (a queue, a topic and a bucket
//! each in a stack of their own, granted from other stacks) deploys on the moto server of the
//! tests, every stack after those it imports from: the exports the moved policy statements
//! and the moved subscription need exist, and every import resolves (moto's CloudFormation
//! fails a stack whose `Fn::ImportValue` names no export).
//!
//! What this cannot check: moto's CloudFormation skips queue, topic and bucket policies and
//! SNS subscriptions (README, "What moto deploys"), so that each resource ends with one
//! policy holding every statement is asserted on the templates by the construct tests and
//! cfn-lint, not here; this test asserts only what moto does: the order, the exports and
//! the imports.

mod common;

#[path = "../constructs/tests/common/cross_stack_app.rs"]
mod cross_stack_app;

use std::collections::BTreeMap;
use std::time::Duration;

use common::moto::{ok, Moto};

#[test]
fn the_cross_stack_app_deploys_on_moto_in_dependency_order() {
    let moto = Moto::start();
    moto.reset();
    let endpoint = moto.endpoint.as_str();
    let root = common::root();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let assembly = dir.path().join("cdk.out");
    let synthesized = cross_stack_app::app(&root)
        .synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
    // every import of the app, by stack: what the deployed exports must answer
    let mut imports: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &synthesized.stacks {
        collect_imports(&s.template, imports.entry(s.name.clone()).or_default());
    }
    assert!(
        imports["Queues"].iter().any(|i| i.starts_with("Topics:")),
        "the queue's stack imports the topic's ARN: {imports:?}"
    );
    synthesized
        .render(constructs::Format::Json, None)
        .unwrap_or_else(|e| panic!("render: {e}"))
        .write(&assembly)
        .unwrap_or_else(|e| panic!("write: {e}"));
    let toolkit = common::moto::toolkit();
    let app = assembly.to_string_lossy().to_string();
    let minute = Duration::from_secs(60);
    ok(
        &common::moto::run(&toolkit, dir.path(), endpoint, &["bootstrap"], minute),
        "bootstrap",
    );
    let deploy = common::moto::run(
        &toolkit,
        dir.path(),
        endpoint,
        &[
            "deploy",
            "--app",
            &app,
            "--all",
            "--require-approval",
            "never",
        ],
        Duration::from_secs(300),
    );
    ok(&deploy, "deploy of the cross-stack app");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let config = common::moto::sdk_config(endpoint).await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        for name in ["Readers", "Topics", "Queues", "Buckets", "Monitoring"] {
            let out = cfn
                .describe_stacks()
                .stack_name(name)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let status = out
                .stacks()
                .first()
                .and_then(|s| s.stack_status())
                .map(|s| s.as_str().to_string());
            assert_eq!(status.as_deref(), Some("CREATE_COMPLETE"), "{name}");
        }
        let exports = cfn
            .list_exports()
            .send()
            .await
            .unwrap_or_else(|e| panic!("exports: {e:?}"));
        let exported: BTreeMap<&str, &str> = exports
            .exports()
            .iter()
            .filter_map(|e| Some((e.name()?, e.value()?)))
            .collect();
        for (stack, names) in &imports {
            for name in names {
                let value = exported.get(name.as_str()).unwrap_or_else(|| {
                    panic!("{stack} imports {name}, which is not exported: {exported:?}")
                });
                assert!(!value.is_empty(), "{name}");
            }
        }
        let topic = exported
            .iter()
            .find(|(n, _)| n.starts_with("Topics:ExportsOutputRef"))
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("the topic's ARN is exported: {exported:?}"));
        assert!(topic.starts_with("arn:aws:sns:"), "{topic}");
    });
}

/// The export names a template imports (`Fn::ImportValue` of a literal name).
fn collect_imports(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::String(name)) = m.get("Fn::ImportValue") {
                if !out.contains(name) {
                    out.push(name.clone());
                }
            }
            m.values().for_each(|v| collect_imports(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_imports(v, out)),
        _ => {}
    }
}
