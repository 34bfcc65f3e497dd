//! cfn-lint (from PyPI, installed by `scripts/test`) finds no error in any template the five
//! patterns, a generated stack, the catalog of every state type and integration, the small
//! CORS app, the app whose queue, topic and bucket are granted from other stacks, or the app
//! with nested stacks synthesize. Without cfn-lint the test fails with the command that
//! installs it. The CORS app's answers are also checked here as whole objects.

mod common;
#[path = "../constructs/tests/common/conditional_app.rs"]
mod conditional_app;
#[path = "../constructs/tests/common/cross_stack_app.rs"]
mod cross_stack_app;
#[path = "../constructs/tests/common/nested_app.rs"]
mod nested_app;

use std::path::Path;
use std::process::Command;

use serde_json::json;

#[test]
fn every_template_passes_cfn_lint() {
    let lint = common::tool("RCDK_CFN_LINT", ".venv/bin/cfn-lint", "cfn-lint");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = rcdk::config::load::<rcdk_patterns::config::Config>(&root.join("config.json"))
        .expect("config.json loads");
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut templates = Vec::new();
    for (name, app) in [
        ("patterns", rcdk_patterns::app::build(&config, root)),
        ("generated", rcdk_patterns::app::generated(root, 20)),
        ("catalog", common::catalog_app(root)),
        // every taggable resource of the catalog tagged, each type in its own shape
        ("catalog-tagged", {
            let mut app = common::catalog_app(root);
            constructs::Tags::of(&mut app).add("team", "orders");
            app
        }),
        ("cors", common::cors_app(root)),
        // a queue, a topic and a bucket granted from other stacks: one policy each
        ("cross-stack", cross_stack_app::app(root)),
        // nested stacks: the parent's AWS::CloudFormation::Stack resources, the nested
        // templates with the parameters their parent passes and the outputs it reads
        ("nested", nested_app::app(root)),
        // conditions: a conditional resource and output, an Fn::If property; a mapping read
        // with Fn::FindInMap by a parameter
        ("conditional", {
            let mut app = constructs::App::new(root);
            app.add_stack(conditional_app::conditional_stack());
            app
        }),
    ] {
        let out = tmp.path().join(name);
        app.synth()
            .expect("synth")
            .render(constructs::Format::Json, None)
            .expect("render")
            .write(&out)
            .expect("write");
        for entry in std::fs::read_dir(&out).expect("assembly") {
            let path = entry.expect("entry").path();
            if path.to_string_lossy().ends_with(".template.json") {
                templates.push(path);
            }
        }
    }
    // the catalog in YAML too: cfn-lint reads YAML 1.1, where a bare OFF or N is a boolean
    let yaml = tmp.path().join("catalog-yaml");
    common::catalog_app(root)
        .synth()
        .expect("synth")
        .render(constructs::Format::Yaml, None)
        .expect("render")
        .write(&yaml)
        .expect("write");
    templates.push(yaml.join("Catalog.template.yaml"));
    templates.sort();
    assert_eq!(templates.len(), 20, "{templates:?}");
    let output = Command::new(&lint)
        .arg("--format")
        .arg("parseable")
        .args(&templates)
        .output()
        .expect("cfn-lint runs");
    let report = String::from_utf8_lossy(&output.stdout);
    let code = output.status.code().unwrap_or(-1);
    // cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 a failure
    // no errors and no warnings: a warning (an unused condition, a deprecated runtime, a
    // missing UpdateReplacePolicy) is something a user would be told to fix
    assert!(
        code >= 0 && code & 0b111 == 0,
        "cfn-lint found errors or warnings (exit {code}):\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The small CORS app: every answer of every method carries the allowed origin and the
/// exposed header (mapped by each integration response, declared by each method response);
/// the root, without methods, has no preflight; the Lambda proxy is left to its backend; the
/// logged stage waits for the account setting.
#[test]
fn the_cors_app_answers_carry_the_allowed_origin() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let assembly = common::cors_app(root).synth().expect("synth");
    let template = &assembly.stacks[0].template;
    let resources = template["Resources"].as_object().expect("resources");
    let methods: Vec<&serde_json::Value> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::ApiGateway::Method")
        .map(|r| &r["Properties"])
        .collect();
    let path_of = |m: &serde_json::Value| -> String {
        let id = m["ResourceId"]["Ref"]
            .as_str()
            .expect("a resource, not the root");
        let part = resources[id]["Properties"]["PathPart"]
            .as_str()
            .expect("path part");
        format!("{} {part}", m["HttpMethod"].as_str().expect("verb"))
    };
    assert_eq!(
        methods.iter().map(|m| path_of(m)).collect::<Vec<_>>(),
        [
            "OPTIONS items",
            "GET items",
            "OPTIONS {id}",
            "GET {id}",
            "OPTIONS health",
            "GET health"
        ]
    );
    let answer = json!({
        "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
        "method.response.header.Access-Control-Expose-Headers": "'X-Request-Id'"
    });
    let declared = json!({
        "method.response.header.Access-Control-Allow-Origin": false,
        "method.response.header.Access-Control-Expose-Headers": false
    });
    let scan = methods[1];
    assert_eq!(
        scan["Integration"]["IntegrationResponses"],
        json!([
            {"ResponseParameters": answer, "ResponseTemplates": {"application/json": "$input.json('$.Items')"}, "StatusCode": "200"},
            {"ResponseParameters": answer, "ResponseTemplates": {"application/json": "{\"message\": \"try again\"}"},
             "SelectionPattern": "5\\d{2}", "StatusCode": "500"}
        ])
    );
    assert_eq!(
        scan["MethodResponses"],
        json!([
            {"ResponseModels": {"application/json": "Empty"}, "ResponseParameters": declared, "StatusCode": "200"},
            {"ResponseParameters": declared, "StatusCode": "500"}
        ])
    );
    let proxy = methods[3];
    assert_eq!(proxy["Integration"]["Type"], "AWS_PROXY");
    assert!(proxy["Integration"].get("IntegrationResponses").is_none());
    assert!(proxy.get("MethodResponses").is_none());
    let health = methods[5];
    assert_eq!(
        health["Integration"],
        json!({"IntegrationResponses": [{"ResponseParameters": answer, "ResponseTemplates": {"application/json": "{\"ok\": true}"}, "StatusCode": "200"}],
               "RequestTemplates": {"application/json": "{\"statusCode\": 200}"},
               "Type": "MOCK"})
    );
    assert_eq!(
        health["MethodResponses"],
        json!([{"ResponseParameters": declared, "StatusCode": "200"}])
    );
    let preflight = methods[4];
    assert_eq!(
        preflight["Integration"]["IntegrationResponses"],
        json!([{"ResponseParameters": {
                    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key'",
                    "method.response.header.Access-Control-Allow-Methods": "'GET'",
                    "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'"},
                "StatusCode": "204"}])
    );
    // the logged stage waits for the account's CloudWatch role, which a fresh account lacks
    let account = resources
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::ApiGateway::Account")
        .map(|(id, _)| id.clone())
        .expect("the API's account setting");
    let stage = resources
        .values()
        .find(|r| r["Type"] == "AWS::ApiGateway::Stage")
        .expect("a stage");
    assert_eq!(stage["DependsOn"], json!([account]));
    // the proxy's backend is told what to send
    let warnings: Vec<String> = assembly
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.path, w.message))
        .collect();
    assert_eq!(
        warnings,
        ["Cors/Api/Default/items/{id}/GET/Resource: a proxy integration answers with its backend's headers: under the API's CORS, the backend must send Access-Control-Allow-Origin: https://app.example.com, Access-Control-Expose-Headers: X-Request-Id itself"]
    );
}

/// The generated L1 layer, whole: the every_type example (`cargo run -p constructs --example
/// every_type --features all -- DIR`) adds a minimal instance of every resource type of the
/// registry, one stack per service, with values the schemas allow; it synthesizes (rcdk's own
/// schema check on every resource) and cfn-lint finds no error in any of its templates. Where
/// no value of a type can pass a cfn-lint rule (a shut-down service, a pattern cfn-lint cannot
/// compile) the example's generated code names the rule and the reason
/// (scripts/every-type-values.json).
#[test]
fn every_generated_type_synthesizes_and_passes_cfn_lint() {
    let lint = common::tool("RCDK_CFN_LINT", ".venv/bin/cfn-lint", "cfn-lint");
    let root = common::root();
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("every-type");
    let run = Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "-p",
            "constructs",
            "--example",
            "every_type",
        ])
        .args(["--features", "all", "--"])
        .arg(&out)
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .expect("cargo runs");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "every_type failed:\n{said}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut templates = Vec::new();
    let mut types = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&out).expect("assembly") {
        let path = entry.expect("entry").path();
        if !path.to_string_lossy().ends_with(".template.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("template");
        let template: serde_json::Value = serde_json::from_str(&text).expect("json");
        for r in template["Resources"]
            .as_object()
            .expect("resources")
            .values()
        {
            types.insert(r["Type"].as_str().expect("type").to_string());
        }
        templates.push(path);
    }
    templates.sort();
    // every type of the registry, each once
    let registry: std::collections::BTreeSet<String> = constructs::registry::type_names()
        .map(str::to_string)
        .collect();
    assert_eq!(types, registry, "{said}");
    assert!(types.len() >= 1_800, "{} types", types.len());
    let output = Command::new(&lint)
        .arg("--format")
        .arg("parseable")
        .arg("--")
        .args(&templates)
        .output()
        .expect("cfn-lint runs");
    let report = String::from_utf8_lossy(&output.stdout);
    let code = output.status.code().unwrap_or(-1);
    assert!(
        code >= 0 && code & 0b11 == 0,
        "cfn-lint found errors (exit {code}):\n{}\n{}",
        report
            .lines()
            .filter(|l| l.split(':').nth(4).is_some_and(|r| r.starts_with('E')))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&output.stderr)
    );
}
