//! Environments from a user's app: a stack's account and region in the assembly, the pseudo
//! parameters it names resolved to literals, what CloudFormation cannot do across
//! environments refused with the fix (imports across accounts or regions: Fn::ImportValue,
//! CloudFormation template reference, "You can't create cross-stack references across
//! Regions"), and a reference across regions carried as an output and a parameter when the
//! app asks for it (the AWS CDK's `crossRegionReferences`).

use constructs::core::env::Environment;
use constructs::sns::{Topic, TopicProps};
use constructs::sqs::{Queue, QueueProps};
use constructs::{App, AssemblyDir, Aws, Format, Stack};
use serde_json::json;

fn problems(app: &App) -> Vec<String> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_named_environment_is_in_the_manifest_and_its_pseudo_parameters_are_literals() {
    let mut eu = Stack::new("Eu");
    eu.set_env(Environment::of("111111111111", "eu-west-1"));
    let mut cn = Stack::new("Cn");
    cn.set_env(Environment::region("cn-north-1"));
    let shell = Stack::new("Shell");
    for s in [&mut eu, &mut cn] {
        s.add_output("Region", Aws::region());
        s.add_output("Account", Aws::account_id());
        s.add_output("Partition", Aws::partition());
        s.add_output("Suffix", Aws::url_suffix());
    }
    let mut shell = shell;
    shell.add_output("Region", Aws::region());
    let mut app = App::new(".");
    app.add_stack(eu);
    app.add_stack(cn);
    app.add_stack(shell);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let outputs = |name: &str| assembly.stack(name).unwrap().template["Outputs"].clone();
    assert_eq!(
        outputs("Eu"),
        json!({
            "Region": {"Value": "eu-west-1"},
            "Account": {"Value": "111111111111"},
            "Partition": {"Value": "aws"},
            "Suffix": {"Value": "amazonaws.com"}
        })
    );
    // an account not named stays the deploying credentials'
    assert_eq!(
        outputs("Cn"),
        json!({
            "Region": {"Value": "cn-north-1"},
            "Account": {"Value": {"Ref": "AWS::AccountId"}},
            "Partition": {"Value": "aws-cn"},
            "Suffix": {"Value": "amazonaws.com.cn"}
        })
    );
    assert_eq!(
        outputs("Shell"),
        json!({"Region": {"Value": {"Ref": "AWS::Region"}}})
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    assembly
        .render(Format::Json, None)
        .unwrap()
        .write(&out)
        .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let env = |name: &str| manifest["artifacts"][name]["environment"].clone();
    assert_eq!(env("Eu"), "aws://111111111111/eu-west-1");
    assert_eq!(env("Cn"), "aws://unknown-account/cn-north-1");
    assert_eq!(env("Shell"), "aws://unknown-account/unknown-region");
    let read = AssemblyDir::read(&out).unwrap_or_else(|e| panic!("{e}"));
    for s in &read.assembly.stacks {
        assert_eq!(
            Some(&s.environment),
            assembly.stack(&s.name).map(|a| &a.environment),
            "{}",
            s.name
        );
    }
}

#[test]
fn an_account_or_region_that_is_not_one_is_a_synth_problem() {
    let mut s = Stack::new("Bad");
    s.set_env(Environment::of("12345", "Frankfurt"));
    Queue::new(&mut s, "Q", QueueProps::new());
    let mut app = App::new(".");
    app.add_stack(s);
    assert_eq!(
        problems(&app),
        [
            "Bad [env]: the account \"12345\" is not a 12-digit AWS account id",
            "Bad [env]: the region \"Frankfurt\" is not a region name (such as eu-west-1)",
        ]
    );
}

/// A topic in `producer`'s environment, a queue subscribing... no: a queue in `consumer`
/// whose policy names the topic's ARN, through an output of the topic's stack.
fn app_with(producer: Environment, consumer: Environment, carry: bool) -> App {
    let mut topics = Stack::new("Topics");
    topics.set_env(producer);
    let topic = Topic::new(&mut topics, "Orders", TopicProps::new());
    let mut queues = Stack::new("Queues");
    queues.set_env(consumer);
    let queue = Queue::new(&mut queues, "Inbox", QueueProps::new());
    queues.add_output("TopicArn", topic.arn());
    let _ = queue;
    let mut app = App::new(".");
    app.add_stack(topics);
    app.add_stack(queues);
    app.cross_region_references(carry);
    app
}

#[test]
fn references_across_accounts_regions_or_to_an_agnostic_stack_are_refused_with_the_fix() {
    let across_accounts = app_with(
        Environment::of("111111111111", "eu-west-1"),
        Environment::of("222222222222", "eu-west-1"),
        true,
    );
    assert_eq!(
        problems(&across_accounts),
        ["Queues [Outputs.TopicArn]: refers to Topics/Orders/Resource of stack Topics, in account 111111111111; this stack is in 222222222222: CloudFormation imports no value across accounts. Pass it in yourself (a parameter), or put both stacks in one account"]
    );
    let across_regions = app_with(
        Environment::region("us-east-1"),
        Environment::region("eu-west-1"),
        false,
    );
    assert_eq!(
        problems(&across_regions),
        ["Queues [Outputs.TopicArn]: refers to Topics/Orders/Resource of stack Topics, in region us-east-1; this stack is in eu-west-1: CloudFormation exports do not cross regions. Pass the value in yourself (a parameter or an SSM parameter you read), or put both stacks in one region; or turn on App::cross_region_references, and deploy passes it as a parameter"]
    );
    let half_named = app_with(
        Environment::agnostic(),
        Environment::region("eu-west-1"),
        true,
    );
    assert_eq!(
        problems(&half_named),
        ["Queues [Outputs.TopicArn]: refers to Topics/Orders/Resource of stack Topics, whose environment is the deploying shell's environment; this stack's is aws://unknown-account/eu-west-1: a reference needs both stacks in one environment, named the same way (Stack::set_env on both, or on neither)"]
    );
    // one environment: an export and an import, as before
    let same = app_with(
        Environment::region("eu-west-1"),
        Environment::region("eu-west-1"),
        false,
    );
    let assembly = same.synth().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        assembly.stack("Queues").unwrap().template["Outputs"]["TopicArn"]["Value"]
            .get("Fn::ImportValue")
            .is_some()
    );
}

#[test]
fn a_reference_across_regions_is_carried_as_an_output_and_a_parameter_when_asked() {
    let app = app_with(
        Environment::region("us-east-1"),
        Environment::region("eu-west-1"),
        true,
    );
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let topics = assembly.stack("Topics").unwrap();
    let queues = assembly.stack("Queues").unwrap();
    let topic_id = topics.logical_ids["Topics/Orders/Resource"].clone();
    let output = format!("ExportsOutputRef{topic_id}");
    // an output, not an export: exports do not cross regions
    assert_eq!(
        topics.template["Outputs"][&output],
        json!({"Value": {"Ref": topic_id}})
    );
    let parameter = format!("CrossRegionTopics{output}");
    assert_eq!(
        queues.template["Parameters"][&parameter],
        json!({
            "Type": "String",
            "Description": format!("Topics's output {output}, in another region: rcdk deploy passes it")
        })
    );
    assert_eq!(
        queues.template["Outputs"]["TopicArn"]["Value"],
        json!({"Ref": parameter})
    );
    assert_eq!(queues.dependencies, ["Topics"]);
    assert_eq!(queues.from_outputs[&parameter].stack, "Topics");
    assert_eq!(queues.from_outputs[&parameter].output, output);

    // through the assembly and back
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    assembly
        .render(Format::Json, None)
        .unwrap()
        .write(&out)
        .unwrap();
    let read = AssemblyDir::read(&out).unwrap_or_else(|e| panic!("{e}"));
    let back = read
        .assembly
        .stacks
        .iter()
        .find(|s| s.name == "Queues")
        .unwrap();
    assert_eq!(back.from_outputs, queues.from_outputs);
}
