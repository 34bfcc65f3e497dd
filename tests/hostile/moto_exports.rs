//! The local AWS keeps CloudFormation's rules of cross-stack references (tests/moto/harness/
//! gaps.py, patch 1), as the Fn::ImportValue page of the CloudFormation template reference
//! states them: "For each AWS account, Export names must be unique within a Region." and
//! "After another stack imports an output value, you can't delete the stack that is exporting
//! the output value or modify the exported output value." moto alone overwrote an export of
//! another stack, dropped or changed an export in use and deleted its stack, so a deploy or a
//! destroy in the wrong order passed on moto and failed on AWS.

use aws_sdk_cloudformation::types::ChangeSetType;
use serde_json::{json, Value as Json};

use super::moto::{deploy, runtime, unique, Outcome};
use crate::common;
use crate::common::moto::Moto;

/// A stack of two queues that exports `name` as the URL of queue `exported` (A or B), or
/// exports nothing when `exported` is `None`.
fn producer(name: &str, exported: Option<&str>) -> Json {
    let queue = json!({"Type": "AWS::SQS::Queue", "Properties": {}});
    let mut template = json!({"Resources": {"A": queue.clone(), "B": queue}});
    if let Some(q) = exported {
        template["Outputs"] = json!({"Url": {"Value": {"Ref": q}, "Export": {"Name": name}}});
    }
    template
}

/// A stack whose queue is tagged with the value of the export `name`.
fn consumer(name: &str) -> Json {
    json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {
        "Tags": [{"Key": "from", "Value": {"Fn::ImportValue": name}}]}}}})
}

/// The reason of the stack's latest rollback event.
fn rollback_reason(out: &Outcome) -> &str {
    out.events
        .iter()
        .rev()
        .find(|(_, status, _)| status.ends_with("ROLLBACK_IN_PROGRESS"))
        .map(|(_, _, reason)| reason.as_str())
        .unwrap_or_else(|| panic!("no rollback: {:?}", out.events))
}

async fn exported(cfn: &aws_sdk_cloudformation::Client, name: &str) -> Option<String> {
    let listed = cfn
        .list_exports()
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListExports: {e:?}"));
    listed
        .exports()
        .iter()
        .find(|e| e.name() == Some(name))
        .and_then(|e| e.value().map(str::to_string))
}

async fn status(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> Option<String> {
    cfn.describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .ok()
        .and_then(|d| {
            d.stacks()
                .first()
                .and_then(|s| s.stack_status())
                .map(|s| s.as_str().to_string())
        })
}

#[test]
fn an_export_in_use_is_neither_dropped_nor_changed_nor_deleted_nor_taken() {
    let moto = Moto::start();
    let rt = runtime();
    let cfn =
        aws_sdk_cloudformation::Client::new(&rt.block_on(common::moto::sdk_config(&moto.endpoint)));
    let name = unique("export");
    let (p, c) = (unique("producer"), unique("consumer"));
    let out = rt.block_on(deploy(
        &cfn,
        &p,
        &producer(&name, Some("A")),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "CREATE_COMPLETE", "{:?}", out.events);
    let value = rt
        .block_on(exported(&cfn, &name))
        .unwrap_or_else(|| panic!("{name} is exported"));
    let out = rt.block_on(deploy(&cfn, &c, &consumer(&name), ChangeSetType::Create));
    assert_eq!(out.status, "CREATE_COMPLETE", "{:?}", out.events);

    // the producer drops the export while the consumer imports it
    let out = rt.block_on(deploy(
        &cfn,
        &p,
        &producer(&name, None),
        ChangeSetType::Update,
    ));
    assert_eq!(out.status, "UPDATE_ROLLBACK_COMPLETE", "{:?}", out.events);
    assert_eq!(
        rollback_reason(&out),
        format!("Export {name} cannot be deleted as it is in use by {c}")
    );
    assert_eq!(rt.block_on(exported(&cfn, &name)), Some(value.clone()));

    // ... or changes its value
    let out = rt.block_on(deploy(
        &cfn,
        &p,
        &producer(&name, Some("B")),
        ChangeSetType::Update,
    ));
    assert_eq!(out.status, "UPDATE_ROLLBACK_COMPLETE", "{:?}", out.events);
    assert_eq!(
        rollback_reason(&out),
        format!("Export {name} cannot be updated as it is in use by {c}")
    );
    assert_eq!(rt.block_on(exported(&cfn, &name)), Some(value.clone()));

    // another stack exports the same name
    let other = unique("other");
    let out = rt.block_on(deploy(
        &cfn,
        &other,
        &producer(&name, Some("A")),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "ROLLBACK_COMPLETE", "{:?}", out.events);
    assert!(
        rollback_reason(&out).contains(&format!("{name} is exported by stack {p}")),
        "{:?}",
        out.events
    );
    assert_eq!(rt.block_on(exported(&cfn, &name)), Some(value.clone()));

    // the producer is not deleted while the consumer imports from it
    rt.block_on(cfn.delete_stack().stack_name(&p).send())
        .unwrap_or_else(|e| panic!("DeleteStack: {e:?}"));
    assert_eq!(
        rt.block_on(status(&cfn, &p)).as_deref(),
        Some("UPDATE_ROLLBACK_COMPLETE")
    );
    assert_eq!(rt.block_on(exported(&cfn, &name)), Some(value));

    // dependents first, then it goes
    rt.block_on(cfn.delete_stack().stack_name(&c).send())
        .unwrap_or_else(|e| panic!("DeleteStack: {e:?}"));
    rt.block_on(cfn.delete_stack().stack_name(&p).send())
        .unwrap_or_else(|e| panic!("DeleteStack: {e:?}"));
    assert_eq!(rt.block_on(status(&cfn, &p)), None);
    assert_eq!(rt.block_on(exported(&cfn, &name)), None);
}
