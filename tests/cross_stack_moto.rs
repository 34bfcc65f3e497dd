//! The cross-stack app of `constructs/tests/cross_stack.rs` (a queue, a topic and a bucket
//! each in a stack of their own, granted from other stacks) deploys on the moto server of the
//! tests, every stack after those it imports from: the exports the moved policy statements
//! and the moved subscription need exist, and every import resolves (moto's CloudFormation
//! fails a stack whose `Fn::ImportValue` names no export).
//!
//! Then two stacks in two regions, bootstrapped, deployed and destroyed by one command each,
//! a value passed from one region to the other. Then three stacks deployed four at a time,
//! one of which fails: only the stack that imports from it is held back. Then two stacks in
//! two accounts, the second through a role assumed for its account (`--role`): moto gives
//! the role's credentials that account, as AWS does, so each stack is seen in its own account
//! only. Then `deploy --hotswap` of state machines in two regions, each changed in its own.
//!
//! What this cannot check: moto's CloudFormation skips queue, topic and bucket policies and
//! SNS subscriptions (book/src/moto.md), so that each resource ends with one
//! policy holding every statement is asserted on the templates by the construct tests and
//! cfn-lint, not here; this test asserts only what moto does: the order, the exports and
//! the imports.

mod common;

#[path = "../constructs/tests/common/cross_stack_app.rs"]
mod cross_stack_app;
#[path = "../constructs/tests/common/nested_app.rs"]
mod nested_app;

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
    let app = common::moto::write_assembly(&synthesized, &assembly, None);
    let toolkit = common::moto::toolkit();
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

    let runtime = common::moto::runtime();
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
    two_regions_in_one_deploy(&toolkit, endpoint);
    a_failure_stops_only_its_dependents(&toolkit, endpoint);
    two_accounts_in_one_deploy(&toolkit, endpoint);
    hotswap_across_regions(&toolkit, endpoint);
    nested_stacks_deploy_update_and_destroy(&toolkit, endpoint);
}

/// The SDK's configuration for moto in `region`.
async fn config_in(endpoint: &str, region: &'static str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(region))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "e2e",
        ))
        .load()
        .await
}

/// The status and outputs of a stack in `region`, `None` when there is none.
async fn stack_in(
    endpoint: &str,
    region: &'static str,
    name: &str,
) -> Option<(String, BTreeMap<String, String>, BTreeMap<String, String>)> {
    let cfn = aws_sdk_cloudformation::Client::new(&config_in(endpoint, region).await);
    let out = cfn.describe_stacks().stack_name(name).send().await.ok()?;
    let s = out.stacks().first()?;
    let status = s.stack_status()?.as_str().to_string();
    if status == "DELETE_COMPLETE" {
        return None;
    }
    let outputs = s
        .outputs()
        .iter()
        .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
        .collect();
    let parameters = s
        .parameters()
        .iter()
        .filter_map(|p| {
            Some((
                p.parameter_key()?.to_string(),
                p.parameter_value()?.to_string(),
            ))
        })
        .collect();
    Some((status, outputs, parameters))
}

/// Two stacks in two regions (the account named on one: moto's), bootstrapped and deployed by
/// one command each, a topic's ARN passed from us-east-1 to eu-west-1 as the second stack's
/// parameter (`App::cross_region_references`), and both destroyed, the consumer first.
fn two_regions_in_one_deploy(toolkit: &std::path::Path, endpoint: &str) {
    use constructs::core::env::Environment;
    use constructs::sns::{Topic, TopicProps};
    use constructs::sqs::{Queue, QueueProps};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut edge = constructs::Stack::new("Edge");
    edge.set_env(Environment::of(common::moto::ACCOUNT, "us-east-1"));
    let topic = Topic::new(&mut edge, "Alerts", TopicProps::new());
    let mut regional = constructs::Stack::new("Regional");
    regional.set_env(Environment::of(common::moto::ACCOUNT, "eu-west-1"));
    Queue::new(&mut regional, "Inbox", QueueProps::new());
    regional.add_output("AlertsTopic", topic.arn());
    regional.add_output("Region", constructs::Aws::region());
    let mut app = constructs::App::new(dir.path());
    app.cross_region_references(true);
    app.add_stack(edge);
    app.add_stack(regional);
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
    let app_arg = common::moto::write_assembly(&synthesized, &dir.path().join("cdk.out"), None);
    let run = common::moto::toolkit_in(toolkit, dir.path(), endpoint);
    let bootstrap = run(&["bootstrap", "--app", &app_arg]);
    ok(&bootstrap, "bootstrap of both regions");
    let runtime = common::moto::runtime();
    for region in ["us-east-1", "eu-west-1"] {
        let toolkit_stack = runtime.block_on(stack_in(endpoint, region, "CDKToolkit"));
        assert!(
            toolkit_stack.is_some_and(|(s, _, _)| s == "CREATE_COMPLETE"),
            "CDKToolkit in {region}:\n{}",
            bootstrap.stdout
        );
    }
    let deploy = run(&[
        "deploy",
        "--app",
        &app_arg,
        "--all",
        "--require-approval",
        "never",
        "--concurrency",
        "4",
    ]);
    ok(&deploy, "deploy of two regions");
    let edge = runtime
        .block_on(stack_in(endpoint, "us-east-1", "Edge"))
        .unwrap_or_else(|| panic!("Edge in us-east-1:\n{}", deploy.stdout));
    let regional = runtime
        .block_on(stack_in(endpoint, "eu-west-1", "Regional"))
        .unwrap_or_else(|| panic!("Regional in eu-west-1:\n{}", deploy.stdout));
    assert!(
        runtime
            .block_on(stack_in(endpoint, "us-east-1", "Regional"))
            .is_none(),
        "Regional is in eu-west-1 only"
    );
    let topic_arn = edge
        .1
        .values()
        .next()
        .cloned()
        .unwrap_or_else(|| panic!("Edge has its output: {edge:?}"));
    assert!(
        topic_arn.starts_with("arn:aws:sns:us-east-1:123456789012:"),
        "{topic_arn}"
    );
    assert_eq!(
        regional.1.get("AlertsTopic"),
        Some(&topic_arn),
        "{regional:?}"
    );
    assert_eq!(
        regional.1.get("Region").map(String::as_str),
        Some("eu-west-1")
    );
    assert_eq!(
        regional.2.values().collect::<Vec<_>>(),
        [&topic_arn],
        "the parameter deploy passed"
    );

    let destroy = run(&["destroy", "--app", &app_arg, "--all", "--force"]);
    ok(&destroy, "destroy of two regions");
    let said = destroy.stdout.clone() + &destroy.stderr;
    let first = said.find("Regional").unwrap_or(usize::MAX);
    let second = said.find("Edge").unwrap_or(0);
    assert!(first < second, "the consumer goes first:\n{said}");
    for (region, name) in [("us-east-1", "Edge"), ("eu-west-1", "Regional")] {
        assert!(
            runtime.block_on(stack_in(endpoint, region, name)).is_none(),
            "{name} is deleted"
        );
    }
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

/// Three stacks deployed four at a time: `Base` fails (its export's name is already exported
/// by a stack made outside the app, which CloudFormation refuses: "Export names must be unique
/// within a Region"), so `Dependent`, which imports from it, is not started, while
/// `Independent` is deployed. Then destroy removes what was made, dependents first.
fn a_failure_stops_only_its_dependents(toolkit: &std::path::Path, endpoint: &str) {
    use constructs::sqs::{Queue, QueueProps};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut base = constructs::Stack::new("Base");
    let jobs = Queue::new(&mut base, "Jobs", QueueProps::new());
    let mut dependent = constructs::Stack::new("Dependent");
    Queue::new(&mut dependent, "Retries", QueueProps::new());
    dependent.add_output("JobsQueue", jobs.arn());
    let mut independent = constructs::Stack::new("Independent");
    Queue::new(&mut independent, "Mail", QueueProps::new());
    let mut app = constructs::App::new(dir.path());
    app.add_stack(base);
    app.add_stack(dependent);
    app.add_stack(independent);
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
    let export = synthesized
        .stack("Base")
        .and_then(|s| s.template["Outputs"].as_object())
        .and_then(|o| o.values().find_map(|v| v["Export"]["Name"].as_str()))
        .unwrap_or_else(|| panic!("Base exports the queue's ARN for Dependent"))
        .to_string();
    let app_arg = common::moto::write_assembly(&synthesized, &dir.path().join("cdk.out"), None);
    let runtime = common::moto::runtime();
    // a stack outside the app already exports the name Base's output needs
    runtime.block_on(async {
        let cfn = aws_sdk_cloudformation::Client::new(&config_in(endpoint, "us-east-1").await);
        let squatter = serde_json::json!({
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"Taken": {"Value": {"Ref": "Topic"}, "Export": {"Name": export}}}
        });
        cfn.create_stack()
            .stack_name("Squatter")
            .template_body(squatter.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("Squatter: {e:?}"));
    });
    let run = common::moto::toolkit_in(toolkit, dir.path(), endpoint);
    let deploy = run(&[
        "deploy",
        "--app",
        &app_arg,
        "--all",
        "--concurrency",
        "4",
        "--require-approval",
        "never",
    ]);
    assert_ne!(deploy.code, 0, "a failed stack fails the deploy");
    let said = format!("{}{}", deploy.stdout, deploy.stderr);
    assert!(
        said.contains("Dependent: not deployed, its dependency Base failed"),
        "{said}"
    );
    assert!(
        said.contains("Export names must be unique across a given region"),
        "the reason is told: {said}"
    );
    runtime.block_on(async {
        let status = |name: &'static str| async move {
            stack_in(endpoint, "us-east-1", name)
                .await
                .map(|(s, _, _)| s)
        };
        assert_eq!(status("Base").await.as_deref(), Some("ROLLBACK_COMPLETE"));
        assert_eq!(status("Dependent").await, None, "never started");
        assert_eq!(
            status("Independent").await.as_deref(),
            Some("CREATE_COMPLETE")
        );
    });
    ok(
        &run(&[
            "destroy",
            "--app",
            &app_arg,
            "--all",
            "--force",
            "--concurrency",
            "4",
        ]),
        "destroy",
    );
    runtime.block_on(async {
        for name in ["Base", "Dependent", "Independent"] {
            assert_eq!(
                stack_in(endpoint, "us-east-1", name)
                    .await
                    .map(|(s, _, _)| s),
                None,
                "{name}"
            );
        }
        let cfn = aws_sdk_cloudformation::Client::new(&config_in(endpoint, "us-east-1").await);
        cfn.delete_stack()
            .stack_name("Squatter")
            .send()
            .await
            .unwrap_or_else(|e| panic!("Squatter: {e:?}"));
    });
}

/// The SDK's configuration for moto in us-east-1 with the credentials of `role` (STS
/// AssumeRole with the test's own): moto's answers are then of the role's account.
async fn config_as(endpoint: &str, role: &str) -> aws_config::SdkConfig {
    let base = config_in(endpoint, "us-east-1").await;
    let provider = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name("test")
        .configure(&base)
        .build()
        .await;
    base.to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        )
        .build()
}

/// Two stacks in two accounts of one region, deployed by one command: the second account's
/// through `--role`; without it, refused before anything is deployed.
fn two_accounts_in_one_deploy(toolkit: &std::path::Path, endpoint: &str) {
    use constructs::core::env::Environment;
    use constructs::sqs::{Queue, QueueProps};
    const OTHER: &str = "111111111111";
    let role = format!("arn:aws:iam::{OTHER}:role/rcdk-deploy");
    let role_arg = format!("{OTHER}={role}");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut home = constructs::Stack::new("Home");
    home.set_env(Environment::of(common::moto::ACCOUNT, "us-east-1"));
    Queue::new(&mut home, "Inbox", QueueProps::new());
    let mut away = constructs::Stack::new("Away");
    away.set_env(Environment::of(OTHER, "us-east-1"));
    Queue::new(&mut away, "Inbox", QueueProps::new());
    let mut app = constructs::App::new(dir.path());
    app.add_stack(home);
    app.add_stack(away);
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
    let app_arg = common::moto::write_assembly(&synthesized, &dir.path().join("cdk.out"), None);
    let run = common::moto::toolkit_in(toolkit, dir.path(), endpoint);
    let refused = run(&[
        "deploy",
        "--app",
        &app_arg,
        "--all",
        "--require-approval",
        "never",
    ]);
    assert_ne!(refused.code, 0);
    let said = format!("{}{}", refused.stdout, refused.stderr);
    assert!(
        said.contains(&format!(
            "the stacks of aws://{OTHER}/us-east-1 need credentials of that account; these are of {}",
            common::moto::ACCOUNT
        )),
        "{said}"
    );
    let runtime = common::moto::runtime();
    runtime.block_on(async {
        assert_eq!(
            stack_in(endpoint, "us-east-1", "Home")
                .await
                .map(|(s, _, _)| s),
            None,
            "nothing deployed"
        );
    });
    ok(
        &run(&["bootstrap", "--app", &app_arg, "--role", &role_arg]),
        "bootstrap of both accounts",
    );
    ok(
        &run(&[
            "deploy",
            "--app",
            &app_arg,
            "--all",
            "--role",
            &role_arg,
            "--require-approval",
            "never",
        ]),
        "deploy to both accounts",
    );
    let status = |config: aws_config::SdkConfig, name: &'static str| async move {
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        match cfn.describe_stacks().stack_name(name).send().await {
            Ok(out) => out
                .stacks()
                .first()
                .and_then(|s| s.stack_status())
                .map(|s| s.as_str().to_string())
                .filter(|s| s != "DELETE_COMPLETE"),
            Err(_) => None,
        }
    };
    runtime.block_on(async {
        let own = config_in(endpoint, "us-east-1").await;
        let other = config_as(endpoint, &role).await;
        let sts = aws_sdk_sts::Client::new(&other);
        let who = sts
            .get_caller_identity()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            who.account(),
            Some(OTHER),
            "the role's credentials are of its account"
        );
        assert_eq!(
            status(own.clone(), "Home").await.as_deref(),
            Some("CREATE_COMPLETE")
        );
        assert_eq!(
            status(own.clone(), "Away").await,
            None,
            "not in the credentials' own account"
        );
        assert_eq!(
            status(other.clone(), "Away").await.as_deref(),
            Some("CREATE_COMPLETE")
        );
        assert_eq!(status(other.clone(), "Home").await, None);
    });
    ok(
        &run(&[
            "destroy", "--app", &app_arg, "--all", "--force", "--role", &role_arg,
        ]),
        "destroy in both accounts",
    );
    runtime.block_on(async {
        let own = config_in(endpoint, "us-east-1").await;
        let other = config_as(endpoint, &role).await;
        assert_eq!(status(own, "Home").await, None);
        assert_eq!(status(other, "Away").await, None);
    });
}

/// A state machine in each of two regions, deployed, then changed and hotswapped by one
/// `deploy --hotswap --all`: each definition updated through Step Functions in its own region;
/// then `logs` reads each machine's log group in its own region.
fn hotswap_across_regions(toolkit: &std::path::Path, endpoint: &str) {
    use constructs::core::env::Environment;
    use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
    use constructs::stepfunctions::asl::{wait, WaitFor};
    use constructs::stepfunctions::{LogLevel, StateMachine, StateMachineProps};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let app_of = |seconds: u64| {
        let mut app = constructs::App::new(dir.path());
        for (name, region) in [("WestFlow", "eu-west-1"), ("EastFlow", "us-east-1")] {
            let mut s = constructs::Stack::new(name);
            s.set_env(Environment::of(common::moto::ACCOUNT, region));
            let log = LogGroup::new(&mut s, "Log", LogGroupProps::new(RetentionDays::OneDay));
            let machine = StateMachine::new(
                &mut s,
                "Pause",
                StateMachineProps::new(wait("Pause", WaitFor::Seconds(seconds))).logging(
                    &log,
                    LogLevel::All,
                    false,
                ),
            );
            s.add_output("Machine", machine.arn());
            app.add_stack(s);
        }
        let synthesized = app
            .synth()
            .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
        common::moto::write_assembly(
            &synthesized,
            &dir.path().join(format!("out{seconds}")),
            None,
        )
    };
    let (first, second) = (app_of(5), app_of(9));
    let run = common::moto::toolkit_in(toolkit, dir.path(), endpoint);
    ok(
        &run(&["bootstrap", "--app", &first]),
        "bootstrap of both regions",
    );
    ok(
        &run(&[
            "deploy",
            "--app",
            &first,
            "--all",
            "--require-approval",
            "never",
        ]),
        "deploy",
    );
    let swap = run(&[
        "deploy",
        "--app",
        &second,
        "--all",
        "--hotswap",
        "--require-approval",
        "never",
    ]);
    ok(&swap, "hotswap across two regions");
    assert_eq!(
        swap.stdout.matches("definition updated (hotswap").count(),
        2,
        "{}",
        swap.stdout
    );
    assert!(
        swap.stdout
            .contains("2 change(s) hotswapped, 0 of 2 stack(s) deployed through a change set"),
        "{}",
        swap.stdout
    );
    let runtime = common::moto::runtime();
    runtime.block_on(async {
        for (name, region) in [("WestFlow", "eu-west-1"), ("EastFlow", "us-east-1")] {
            let (_, outputs, _) = stack_in(endpoint, region, name)
                .await
                .unwrap_or_else(|| panic!("{name} in {region}"));
            let sfn = aws_sdk_sfn::Client::new(&config_in(endpoint, region).await);
            let machine = sfn
                .describe_state_machine()
                .state_machine_arn(&outputs["Machine"])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let definition: serde_json::Value = serde_json::from_str(machine.definition())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                definition["States"]["Pause"]["Seconds"], 9,
                "{name} in {region}"
            );
        }
    });
    // `logs` from a us-east-1 shell reads each machine's log group in its own region
    runtime.block_on(async {
        for (name, region) in [("WestFlow", "eu-west-1"), ("EastFlow", "us-east-1")] {
            let cfn = aws_sdk_cloudformation::Client::new(&config_in(endpoint, region).await);
            let group = common::moto::physical_id(&cfn, name, "AWS::Logs::LogGroup").await;
            let message = format!("{name} ran in {region}");
            common::moto::put_log_events_in(endpoint, region, &group, "run", &[&message]);
        }
    });
    let logs = run(&["logs", "--app", &second, "--since", "1h"]);
    ok(&logs, "logs across two regions");
    for line in [
        "WestFlow/Pause | WestFlow ran in eu-west-1",
        "EastFlow/Pause | EastFlow ran in us-east-1",
    ] {
        assert!(logs.stdout.contains(line), "{line} in\n{}", logs.stdout);
    }
    ok(
        &run(&["destroy", "--app", &second, "--all", "--force"]),
        "destroy",
    );
}

/// The nested-stack app of `constructs/tests/nested_stacks.rs` deployed, updated and
/// destroyed: the nested templates are uploaded before their parent deploys, CloudFormation
/// (moto with harness patch 17) creates the nested stacks inside it, with the parent's values
/// as their parameters and their outputs read back by the parent and exported to `Reader`;
/// a change to one nested stack updates it in place; destroy deletes them with the parent.
fn nested_stacks_deploy_update_and_destroy(toolkit: &std::path::Path, endpoint: &str) {
    use constructs::ssm::{StringParameter, StringParameterProps};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("cdk.out");
    let write = |extra: bool| {
        let synthesized = nested_app::app_with(dir.path(), extra)
            .synth()
            .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
        let _ = std::fs::remove_dir_all(&out);
        common::moto::write_assembly(&synthesized, &out, None)
    };
    let app_arg = write(false);
    let run = common::moto::toolkit_in(toolkit, dir.path(), endpoint);
    let deploy_all = |app: &str| {
        run(&[
            "deploy",
            "--app",
            app,
            "--all",
            "--require-approval",
            "never",
        ])
    };
    let deploy = deploy_all(&app_arg);
    ok(&deploy, "deploy of the nested-stack app");
    let said = deploy.stdout.clone() + &deploy.stderr;
    for nested in ["Queues", "Workers"] {
        assert!(
            said.contains(&format!(
                "Shop: nested stack {nested} uploaded to s3://cdk-hnb659fds-assets-"
            )),
            "{said}"
        );
    }
    let ssm_value = |name: &str| {
        let answer = common::harness::json_call(
            endpoint,
            "ssm",
            "AmazonSSM.GetParameter",
            "1.1",
            &serde_json::json!({ "Name": name }),
        );
        answer["Parameter"]["Value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let runtime = common::moto::runtime();
    let queues_id = runtime.block_on(async {
        let config = common::moto::sdk_config(endpoint).await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let describe = |name: String| {
            let cfn = cfn.clone();
            async move {
                let out = cfn
                    .describe_stacks()
                    .stack_name(&name)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {e:?}"));
                out.stacks()
                    .first()
                    .cloned()
                    .unwrap_or_else(|| panic!("{name}"))
            }
        };
        let physical = |stack: &str, logical: &'static str| {
            let cfn = cfn.clone();
            let stack = stack.to_string();
            async move {
                cfn.describe_stack_resource()
                    .stack_name(&stack)
                    .logical_resource_id(logical)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{stack}/{logical}: {e:?}"))
                    .stack_resource_detail()
                    .and_then(|d| d.physical_resource_id())
                    .unwrap_or_default()
                    .to_string()
            }
        };
        let shop = describe("Shop".into()).await;
        let shop_id = shop.stack_id().unwrap_or_default().to_string();
        let outputs: BTreeMap<String, String> = shop
            .outputs()
            .iter()
            .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
            .collect();
        // Ref of a nested stack is its stack ID; its name is <parent>-<logical id>-<suffix>
        let queues_id = physical("Shop", "Queues").await;
        assert!(
            queues_id.starts_with(&format!(
                "arn:aws:cloudformation:us-east-1:{}:stack/Shop-Queues-",
                common::moto::ACCOUNT
            )),
            "{queues_id}"
        );
        let queues = describe(queues_id.clone()).await;
        assert_eq!(queues.parent_id(), Some(shop_id.as_str()));
        assert_eq!(queues.root_id(), Some(shop_id.as_str()));
        // the parent's table name and parameter, passed in
        let table = physical("Shop", "OrdersB3C962D7").await;
        assert_eq!(ssm_value("/shop/orders-table"), table);
        assert_eq!(ssm_value("/shop/stage"), "dev");
        // the nested queue's URL, read by the parent through the output and by Reader
        // through the export
        let url = outputs.get("JobsQueueUrl").cloned().unwrap_or_default();
        let jobs = physical(&queues_id, "JobsA1AAC65E").await;
        assert_eq!(url, jobs, "the parent's output is the nested queue's Ref");
        assert!(url.contains("Shop-Queues-"), "{url}");
        assert_eq!(ssm_value("/reader/jobs-url"), url);
        // the sibling's queue ARN and the parent's table ARN, passed to Workers
        let workers = physical("Shop", "Workers").await;
        let (_, _, passed) = stack_in(endpoint, "us-east-1", &workers)
            .await
            .unwrap_or_else(|| panic!("the nested stack {workers}"));
        let region_account = format!("us-east-1:{}", common::moto::ACCOUNT);
        assert_eq!(
            passed.get("ReferenceToFnGetAttOrdersB3C962D7Arn"),
            Some(&format!("arn:aws:dynamodb:{region_account}:table/{table}"))
        );
        let queue_name = url.rsplit('/').next().unwrap_or_default();
        assert_eq!(
            passed.get("ReferenceToShopQueuesFnGetAttJobsA1AAC65EArn"),
            Some(&format!("arn:aws:sqs:{region_account}:{queue_name}"))
        );
        assert!(
            outputs.get("WorkerRoleArn").is_some_and(
                |a| a.starts_with(&format!("arn:aws:iam::{}:role/", common::moto::ACCOUNT))
            ),
            "{outputs:?}"
        );
        queues_id
    });

    // a change to one nested stack: diff shows it under the parent, deploy updates it in place
    let app_arg = write(true);
    let diff = run(&["diff", "--app", &app_arg, "Shop"]);
    ok(&diff, "diff of the changed nested stack");
    assert!(
        diff.stdout.contains("Shop/Queues (nested)"),
        "{}",
        diff.stdout
    );
    assert!(diff.stdout.contains("AWS::SQS::Queue"), "{}", diff.stdout);
    let update = deploy_all(&app_arg);
    ok(&update, "deploy of the changed nested stack");
    runtime.block_on(async {
        let config = common::moto::sdk_config(endpoint).await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let resources = cfn
            .describe_stack_resources()
            .stack_name(&queues_id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{queues_id}: {e:?}"));
        let ids: Vec<&str> = resources
            .stack_resources()
            .iter()
            .filter_map(|r| r.logical_resource_id())
            .collect();
        assert!(ids.iter().any(|i| i.starts_with("Extra")), "{ids:?}");
        assert!(ids.iter().any(|i| i.starts_with("Jobs")), "{ids:?}");
    });
    // nothing changed: nothing uploaded again
    let again = deploy_all(&app_arg);
    ok(&again, "deploy without a change");
    let said = again.stdout.clone() + &again.stderr;
    assert!(
        said.contains("Shop: nested stack Queues already in s3://"),
        "{said}"
    );

    let destroy = run(&["destroy", "--app", &app_arg, "--all", "--force"]);
    ok(&destroy, "destroy of the nested-stack app");
    runtime.block_on(async {
        for name in ["Shop", "Reader"] {
            assert!(
                stack_in(endpoint, "us-east-1", name).await.is_none(),
                "{name} is gone"
            );
        }
        let config = common::moto::sdk_config(endpoint).await;
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        let status = cfn
            .describe_stacks()
            .stack_name(&queues_id)
            .send()
            .await
            .ok()
            .and_then(|o| {
                o.stacks()
                    .first()?
                    .stack_status()
                    .map(|s| s.as_str().to_string())
            });
        assert_eq!(
            status.as_deref(),
            Some("DELETE_COMPLETE"),
            "the nested stack went with its parent"
        );
    });

    // a resource CloudFormation refuses inside a nested stack (a parameter name already
    // taken, which synth cannot know) fails the parent, which rolls back; the parent's event
    // names the embedded stack and its failed resource
    common::harness::json_call(
        endpoint,
        "ssm",
        "AmazonSSM.PutParameter",
        "1.1",
        &serde_json::json!({ "Name": "/broken/taken", "Value": "before", "Type": "String" }),
    );
    let mut broken = constructs::Stack::new("Broken");
    constructs::sqs::Queue::new(&mut broken, "Fine", constructs::sqs::QueueProps::new());
    let mut bad = constructs::Stack::nested(&mut broken, "Bad");
    StringParameter::new(
        &mut bad,
        "Taken",
        StringParameterProps::new("after").name("/broken/taken"),
    );
    let mut app = constructs::App::new(dir.path());
    app.add_stack(broken);
    app.add_stack(bad);
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("synth: {:#?}", e.problems()));
    let _ = std::fs::remove_dir_all(&out);
    let app_arg = common::moto::write_assembly(&synthesized, &out, None);
    let failed = deploy_all(&app_arg);
    assert_ne!(failed.code, 0, "{}", failed.stdout);
    let said = failed.stdout.clone() + &failed.stderr;
    assert!(
        said.contains("Embedded stack arn:aws:cloudformation:us-east-1:"),
        "{said}"
    );
    // and the nested stack's own events, read by the toolkit, give the cause
    assert!(
        said.contains(
            "Broken/Bad (nested): root cause: Taken313DC2A3 (AWS::SSM::Parameter) CREATE_FAILED:"
        ) && said.contains("already exists"),
        "{said}"
    );
    assert!(
        said.contains(
            "was not successfully created: The following resource(s) failed to create: [Taken"
        ),
        "{said}"
    );
    runtime.block_on(async {
        let state = stack_in(endpoint, "us-east-1", "Broken")
            .await
            .map(|(s, _, _)| s);
        assert_eq!(state.as_deref(), Some("ROLLBACK_COMPLETE"));
    });
    ok(
        &run(&["destroy", "--app", &app_arg, "--all", "--force"]),
        "destroy of Broken",
    );
}
