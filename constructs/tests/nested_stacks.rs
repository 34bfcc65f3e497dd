//! Nested stacks from a user's app (`Stack::nested`, the AWS CDK's `NestedStack`): the way
//! past a template's limits. What the templates must hold comes from AWS's documentation of
//! `AWS::CloudFormation::Stack`: `TemplateURL` is the URL of a template in an S3 bucket,
//! `Parameters` are string values the nested stack's parameters receive, and
//! `Fn::GetAtt <logical id>.Outputs.<name>` reads a nested stack's output; a nested stack
//! cannot take `Fn::ImportValue` of its parent's values (they are deployed together), so
//! the CDK, and rcdk, pass those as parameters.

mod common;
#[path = "common/nested_app.rs"]
mod nested_app;

use common::assert_contains_all;

use constructs::assertions::Template;
use constructs::sqs::{Queue, QueueProps};
use constructs::ssm::{StringParameter, StringParameterProps};
use constructs::{App, AssemblyDir, Format, Stack};
use serde_json::{json, Value as Json};

/// The `Value` of each SSM parameter of a template.
fn parameter_values(t: &Template) -> Vec<Json> {
    t.find_resources("AWS::SSM::Parameter", json!({}))
        .values()
        .map(|r| r["Properties"]["Value"].clone())
        .collect()
}

fn nested_resource(t: &Template, id: &str) -> Json {
    t.to_json()["Resources"][id].clone()
}

#[test]
fn the_parent_deploys_its_nested_stacks_from_their_uploaded_templates() {
    let app = nested_app::app(std::path::Path::new("."));
    let assembly = app.synth().expect("synth");
    // the nested stacks are deployed inside their parent, not on their own
    let names: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Shop", "Reader"]);
    let shop = assembly.stack("Shop").unwrap();
    let nested: Vec<(&str, &str)> = shop
        .nested
        .iter()
        .map(|n| (n.name.as_str(), n.logical_id.as_str()))
        .collect();
    assert_eq!(
        nested,
        [("Shop-Queues", "Queues"), ("Shop-Workers", "Workers")]
    );
    // Reader imports a value of Shop-Queues: it deploys after Shop
    assert_eq!(assembly.stack("Reader").unwrap().dependencies, ["Shop"]);

    let t = Template::from_app(&app, "Shop");
    let queues = &shop.nested[0];
    assert_eq!(
        queues.hash,
        constructs::core::synth::nested_hash(&queues.body),
        "the key is the SHA-256 of the text uploaded"
    );
    let mut resource = nested_resource(&t, "Queues");
    resource.as_object_mut().unwrap().remove("Metadata");
    assert_eq!(
        resource,
        json!({
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {
                "TemplateURL": { "Fn::Sub": format!(
                    "https://s3.${{AWS::Region}}.${{AWS::URLSuffix}}/cdk-hnb659fds-assets-${{AWS::AccountId}}-${{AWS::Region}}/{}.json",
                    queues.hash
                ) },
                "Parameters": {
                    "ReferenceToRefOrdersB3C962D7": { "Ref": "OrdersB3C962D7" },
                    "ReferenceToParameterStage": { "Ref": "Stage" }
                }
            }
        })
    );
    // a sibling's value goes out of Queues and into Workers through the parent
    let workers = nested_resource(&t, "Workers");
    assert_eq!(
        workers["Properties"]["Parameters"],
        json!({
            "ReferenceToFnGetAttOrdersB3C962D7Arn": { "Fn::GetAtt": ["OrdersB3C962D7", "Arn"] },
            "ReferenceToShopQueuesFnGetAttJobsA1AAC65EArn": {
                "Fn::GetAtt": ["Queues", "Outputs.ExportsOutputFnGetAttJobsA1AAC65EArn"]
            }
        })
    );
    // the parent reads its nested stacks' values as their outputs
    assert_eq!(
        t.to_json()["Outputs"]["JobsQueueUrl"]["Value"],
        json!({ "Fn::GetAtt": ["Queues", "Outputs.ExportsOutputRefJobsA1AAC65E"] })
    );
    assert_eq!(
        t.to_json()["Outputs"]["WorkerRoleArn"]["Value"],
        json!({ "Fn::GetAtt": ["Workers", "Outputs.ExportsOutputFnGetAttWorker37DE0BC2Arn"] })
    );
}

#[test]
fn a_nested_stack_takes_its_parents_values_as_parameters() {
    let app = nested_app::app(std::path::Path::new("."));
    let q = Template::from_app(&app, "Shop-Queues");
    assert_eq!(
        q.to_json()["Parameters"]["ReferenceToRefOrdersB3C962D7"],
        json!({ "Type": "String", "Description": "a value of Shop: the parent passes it" })
    );
    let values = parameter_values(&q);
    assert_eq!(
        values,
        [
            json!({ "Ref": "ReferenceToRefOrdersB3C962D7" }),
            json!({ "Ref": "ReferenceToParameterStage" })
        ]
    );
    // its queue's URL is an output for the parent, and an export for Reader
    assert_eq!(
        q.to_json()["Outputs"]["ExportsOutputRefJobsA1AAC65E"],
        json!({ "Value": { "Ref": "JobsA1AAC65E" }, "Export": { "Name": "Shop-Queues:ExportsOutputRefJobsA1AAC65E" } })
    );
    let reader = Template::from_app(&app, "Reader");
    let values = parameter_values(&reader);
    assert_eq!(
        values,
        [json!({ "Fn::ImportValue": "Shop-Queues:ExportsOutputRefJobsA1AAC65E" })]
    );
    // the role's policy names the parent's table and the sibling's queue by parameter
    let w = Template::from_app(&app, "Shop-Workers");
    let statements = common::statements(&w, "Worker");
    let resources: Vec<Json> = statements.iter().map(|s| s["Resource"].clone()).collect();
    assert_eq!(
        resources,
        [
            json!({ "Ref": "ReferenceToFnGetAttOrdersB3C962D7Arn" }),
            json!({ "Ref": "ReferenceToShopQueuesFnGetAttJobsA1AAC65EArn" })
        ]
    );
}

#[test]
fn the_assembly_holds_the_nested_templates_and_reads_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    let app = nested_app::app(dir.path());
    let rendered = app.synth().unwrap().render(Format::Json, None).unwrap();
    let again = app.synth().unwrap().render(Format::Json, None).unwrap();
    assert_eq!(rendered.files, again.files, "synth is deterministic");
    // the summary synth prints lists each nested stack under its parent
    let nested: Vec<(&str, usize)> = rendered.summaries[0]
        .nested
        .iter()
        .map(|n| (n.name.as_str(), n.resources))
        .collect();
    assert_eq!(nested, [("Shop/Queues", 4), ("Shop/Workers", 2)]);
    rendered.write(&out).unwrap();
    let assets: Json =
        serde_json::from_str(&std::fs::read_to_string(out.join("Shop.assets.json")).unwrap())
            .unwrap();
    let read = AssemblyDir::read(&out).expect("reads back");
    let shop = read.assembly.stack("Shop").unwrap();
    let hash = shop.nested[0].hash.clone();
    assert_eq!(
        assets["files"][&hash],
        json!({
            "displayName": "Shop/Queues",
            "source": { "path": "Shop-Queues.nested.template.json", "packaging": "file" },
            "destinations": { "current_account-current_region": {
                "bucketName": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}",
                "objectKey": format!("{hash}.json")
            } }
        })
    );
    let synthesized = app.synth().unwrap();
    let wrong = synthesized
        .select(&["Shop-Queues".to_string()], false, "deploy")
        .unwrap_err();
    assert_eq!(
        (wrong.to_string(), wrong.help()),
        (
            "\"Shop-Queues\" is a nested stack of Shop, deployed inside it".to_string(),
            "name its parent stack, Shop".to_string()
        )
    );
    assert_eq!(
        shop.nested,
        synthesized.stack("Shop").unwrap().nested,
        "what the toolkit reads is what synth made"
    );
    // a nested template edited after synth is refused: its upload would not match the URL
    let file = out.join("Shop-Queues.nested.template.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("Jobs", "Jobz")).unwrap();
    let err = AssemblyDir::read(&out).unwrap_err().to_string();
    assert_contains_all(
        &err,
        &[
            "Shop-Queues.nested.template.json",
            "changed after synth; synthesize again",
        ],
    );
}

#[test]
fn nested_stacks_take_a_large_app_past_the_500_resource_limit() {
    let queues = |s: &mut Stack, n: usize| {
        for i in 0..n {
            Queue::new(s, &format!("Q{i}"), QueueProps::new());
        }
    };
    // a queue is two resources: the queue and its TLS-only policy
    let mut alone = Stack::new("Big");
    queues(&mut alone, 300);
    let mut app = App::new(".");
    app.add_stack(alone);
    assert_contains_all(
        &common::app_problems(&app),
        &["the stack has 600 resources; CloudFormation allows 500"],
    );

    let mut parent = Stack::new("Big");
    queues(&mut parent, 150);
    let mut rest = Stack::nested(&mut parent, "Rest");
    queues(&mut rest, 150);
    let mut app = App::new(".");
    app.add_stack(parent);
    app.add_stack(rest);
    let assembly = app.synth().expect("300 + 300 resources synthesize");
    let big = assembly.stack("Big").unwrap();
    assert_eq!(big.resource_count(), 301);
    assert_eq!(
        big.nested[0].template["Resources"]
            .as_object()
            .unwrap()
            .len(),
        300
    );
}

#[test]
fn what_a_nested_stack_cannot_do_is_reported() {
    // a nested stack inside a nested stack, a nested stack without its parent in the app,
    // termination protection on a nested stack
    let mut top = Stack::new("Top");
    let mut middle = Stack::nested(&mut top, "Middle");
    let mut inner = Stack::nested(&mut middle, "Inner");
    Queue::new(&mut inner, "Q", QueueProps::new());
    Queue::new(&mut middle, "Q", QueueProps::new());
    middle.set_termination_protection(true);
    let mut orphan_parent = Stack::new("Gone");
    let orphan = Stack::nested(&mut orphan_parent, "Orphan");
    let mut app = App::new(".");
    app.add_stack(top);
    app.add_stack(middle);
    app.add_stack(inner);
    app.add_stack(orphan);
    assert_contains_all(
        &common::app_problems(&app),
        &[
            "Top-Middle/Inner: is a nested stack inside the nested stack Top-Middle; rcdk nests one level",
            "Top-Middle [EnableTerminationProtection]: is a nested stack: CloudFormation protects the top-level stack only",
            "Gone-Orphan: is nested in stack Gone, which is not part of this app",
        ],
    );
}

#[test]
fn a_value_into_a_nested_stack_and_back_out_to_what_it_depends_on_is_a_cycle() {
    // the parent's parameter holds the nested queue's URL, and the queue's nested stack
    // reads the parameter's name: Parameter -> Nested -> Parameter
    let mut parent = Stack::new("Loop");
    let mut child = Stack::nested(&mut parent, "Child");
    let queue = Queue::new(&mut child, "Q", QueueProps::new());
    let p = StringParameter::new(&mut parent, "Url", StringParameterProps::new(queue.url()));
    StringParameter::new(&mut child, "Back", StringParameterProps::new(p.name()));
    let mut app = App::new(".");
    app.add_stack(parent);
    app.add_stack(child);
    assert_contains_all(
        &common::app_problems(&app),
        &["Loop/Child: the resources depend on each other in a cycle: Loop/Child -> Loop/Url/Resource -> Loop/Child"],
    );
}
