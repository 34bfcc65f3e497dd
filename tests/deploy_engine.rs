//! The deploy engine offline: CloudFormation and S3 answers are mocked (aws-smithy-mocks), so
//! these tests pin down what deploy does with each answer, without an account or a server.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stack_resource::DescribeStackResourceError;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, Output, Replacement, ResourceChange, ResourceStatus,
    Stack, StackEvent, StackStatus, Tag,
};
use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_sdk_s3::operation::put_object::PutObjectOutput;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use serde_json::{json, Value};

use rcdk_toolkit::approval::RequireApproval;
use rcdk_toolkit::assets;
use rcdk_toolkit::aws::Aws;
use rcdk_toolkit::deploy::{deploy_stack, DeployOptions, InFlight, Outcome};
use rcdk_toolkit::error::DeployError;
use rcdk_toolkit::plan::{publish_templates, StackPlan};
use rcdk_toolkit::ui::Ui;

const NAME: &str = "Orders";

fn template() -> Value {
    json!({"Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"Service": "lambda.amazonaws.com"}}]}}}
    }})
}

fn plan(template: Value) -> StackPlan {
    StackPlan {
        name: NAME.to_string(),
        body: template.to_string(),
        template,
        parameters: Vec::new(),
        tags: vec![("team".to_string(), "orders".to_string())],
        termination_protection: false,
        dependencies: Vec::new(),
        folders: Vec::new(),
        root: None,
        environment: Default::default(),
        from_outputs: Vec::new(),
        nested: Vec::new(),
    }
}

fn options() -> DeployOptions {
    DeployOptions {
        require_approval: RequireApproval::Never,
        poll: Duration::ZERO,
        ..Default::default()
    }
}

fn stack(status: StackStatus) -> Stack {
    Stack::builder()
        .stack_name(NAME)
        .stack_id(format!("arn:aws:cloudformation:us-east-1:1:stack/{NAME}/1"))
        .stack_status(status)
        .creation_time(DateTime::from_secs(0))
        .tags(Tag::builder().key("team").value("orders").build())
        .outputs(
            Output::builder()
                .output_key("TableName")
                .output_value("orders-table")
                .build(),
        )
        .build()
}

fn described(status: StackStatus) -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(move || {
        DescribeStacksOutput::builder()
            .stacks(stack(status.clone()))
            .build()
    })
}

fn missing_stack() -> DescribeStacksError {
    DescribeStacksError::generic(
        ErrorMetadata::builder()
            .code("ValidationError")
            .message(format!("Stack with id {NAME} does not exist"))
            .build(),
    )
}

fn deployed(body: String) -> Rule {
    mock!(aws_sdk_cloudformation::Client::get_template).then_output(move || {
        GetTemplateOutput::builder()
            .template_body(body.clone())
            .build()
    })
}

fn event(id: &str, logical: &str, kind: &str, status: ResourceStatus, reason: &str) -> StackEvent {
    StackEvent::builder()
        .event_id(id)
        .stack_name(NAME)
        .logical_resource_id(logical)
        .resource_type(kind)
        .resource_status(status)
        .resource_status_reason(reason)
        .timestamp(DateTime::from_secs(1_700_000_000))
        .build()
}

fn change(
    logical: &str,
    kind: &str,
    action: ChangeAction,
    replacement: Option<Replacement>,
) -> Change {
    let mut rc = ResourceChange::builder()
        .logical_resource_id(logical)
        .resource_type(kind)
        .action(action);
    if let Some(r) = replacement {
        rc = rc.replacement(r);
    }
    Change::builder().resource_change(rc.build()).build()
}

fn aws(cfn: aws_sdk_cloudformation::Client) -> Aws {
    let s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, []);
    Aws::from_clients(cfn, s3, "us-east-1", None)
}

async fn run(
    aws: &Aws,
    ui: &Ui,
    plan: &StackPlan,
    url: Option<&str>,
) -> Result<rcdk_toolkit::deploy::StackResult, DeployError> {
    deploy_stack(aws, ui, plan, url, &options(), &InFlight::default()).await
}

/// What an error's diagnostic says to do.
fn help_of(e: &DeployError) -> String {
    miette::Diagnostic::help(e)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Deploys with other options than the default, on a capturing Ui.
async fn run_with(
    aws: &Aws,
    plan: &StackPlan,
    opts: &DeployOptions,
) -> Result<rcdk_toolkit::deploy::StackResult, DeployError> {
    deploy_stack(aws, &Ui::capture(), plan, None, opts, &InFlight::default()).await
}

#[tokio::test]
async fn a_stack_whose_template_parameters_and_tags_are_deployed_is_skipped() {
    let p = plan(template());
    let describe = described(StackStatus::UpdateComplete);
    let get = deployed(p.body.clone());
    let create = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .then_output(|| CreateChangeSetOutput::builder().build());
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&describe, &get, &create]
    );
    let ui = Ui::capture();
    let result = run(&aws(cfn), &ui, &p, None).await;
    let result = result.unwrap_or_else(|e| panic!("deploy failed: {e}"));
    assert_eq!(result.outcome, Outcome::Unchanged);
    assert_eq!(
        result.outputs.get("TableName").map(String::as_str),
        Some("orders-table")
    );
    assert_eq!(
        create.num_calls(),
        0,
        "no change set for an unchanged stack"
    );
    assert!(
        ui.lines().iter().any(|l| l.contains("Orders: no changes")),
        "{:?}",
        ui.lines()
    );
}

#[tokio::test]
async fn a_changed_tag_is_not_skipped() {
    let mut p = plan(template());
    p.tags = vec![("team".to_string(), "payments".to_string())];
    let describe = described(StackStatus::UpdateComplete);
    let get = deployed(p.body.clone());
    let create = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build());
    let wait = mock!(aws_sdk_cloudformation::Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::Failed)
            .status_reason("The submitted information didn't contain changes. Submit different information to create a change set.")
            .build()
    });
    let delete = mock!(aws_sdk_cloudformation::Client::delete_change_set)
        .then_output(|| DeleteChangeSetOutput::builder().build());
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&describe, &get, &create, &wait, &delete]
    );
    let result = run(&aws(cfn), &Ui::capture(), &p, None).await;
    assert_eq!(create.num_calls(), 1, "tags differ: a change set is made");
    // and an empty change set is success, deleted, not an error
    let result = result.unwrap_or_else(|e| panic!("deploy failed: {e}"));
    assert_eq!(result.outcome, Outcome::NoChanges);
    assert_eq!(delete.num_calls(), 1, "the empty change set is deleted");
}

#[tokio::test]
async fn a_blocked_stack_is_refused_with_the_command_that_recovers_it() {
    for (status, recover) in [
        (
            StackStatus::RollbackComplete,
            "aws cloudformation delete-stack --stack-name Orders",
        ),
        (
            StackStatus::UpdateRollbackFailed,
            "aws cloudformation continue-update-rollback --stack-name Orders",
        ),
        (
            StackStatus::DeleteFailed,
            "aws cloudformation delete-stack --stack-name Orders --retain-resources",
        ),
    ] {
        let describe = described(status.clone());
        let create = mock!(aws_sdk_cloudformation::Client::create_change_set)
            .then_output(|| CreateChangeSetOutput::builder().build());
        let cfn = mock_client!(
            aws_sdk_cloudformation,
            RuleMode::MatchAny,
            [&describe, &create]
        );
        match run(&aws(cfn), &Ui::capture(), &plan(template()), None).await {
            Err(DeployError::Blocked {
                stack,
                status: s,
                recover: r,
                ..
            }) => {
                assert_eq!(stack, NAME);
                assert_eq!(s, status.as_str());
                assert!(r.starts_with(recover), "{status:?}: {r}");
            }
            other => panic!("{status:?}: expected a refusal, got {other:?}"),
        }
        assert_eq!(create.num_calls(), 0);
    }
}

/// A new stack: CREATE change set with the capabilities the template needs, executed, outputs read.
fn create_flow(p: &StackPlan, capabilities: &'static [&'static str]) -> (Vec<Rule>, Rule) {
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .error(missing_stack)
        .output(|| {
            DescribeStacksOutput::builder()
                .stacks(stack(StackStatus::CreateComplete))
                .build()
        })
        .repeatedly()
        .build();
    let create = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .match_requests(move |r| {
            let got: Vec<&str> = r.capabilities().iter().map(|c| c.as_str()).collect();
            got == capabilities
                && r.change_set_type().map(|t| t.as_str()) == Some("CREATE")
                && r.client_token().is_some()
        })
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build());
    let adds: Vec<Change> = p.template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(id, r)| {
            change(
                id,
                r["Type"].as_str().unwrap_or_default(),
                ChangeAction::Add,
                None,
            )
        })
        .collect();
    let wait = mock!(aws_sdk_cloudformation::Client::describe_change_set).then_output(move || {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .set_changes(Some(adds.clone()))
            .build()
    });
    let events = mock!(aws_sdk_cloudformation::Client::describe_stack_events).then_output(|| {
        DescribeStackEventsOutput::builder()
            .stack_events(event(
                "e2",
                NAME,
                "AWS::CloudFormation::Stack",
                ResourceStatus::CreateComplete,
                "",
            ))
            .stack_events(event(
                "e1",
                "Table",
                "AWS::DynamoDB::Table",
                ResourceStatus::CreateComplete,
                "",
            ))
            .build()
    });
    let execute = mock!(aws_sdk_cloudformation::Client::execute_change_set)
        .match_requests(|r| {
            r.client_request_token()
                .is_some_and(|t| t.starts_with("rcdk-"))
        })
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    (vec![describe, wait, events, execute], create)
}

#[tokio::test]
async fn capabilities_are_computed_from_the_template() {
    // an unnamed role: CAPABILITY_IAM
    let p = plan(template());
    let (rules, create) = create_flow(&p, &["CAPABILITY_IAM"]);
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&rules[0], &rules[1], &rules[2], &rules[3], &create]
    );
    let result = run(&aws(cfn), &Ui::capture(), &p, None).await;
    let result = result.unwrap_or_else(|e| panic!("deploy failed: {e}"));
    assert_eq!(
        result.outcome,
        Outcome::Deployed("CREATE_COMPLETE".to_string())
    );
    assert_eq!(create.num_calls(), 1);

    // a named role: CAPABILITY_NAMED_IAM
    let mut t = template();
    t["Resources"]["Role"]["Properties"]["RoleName"] = json!("orders-role");
    let p = plan(t);
    let (rules, create) = create_flow(&p, &["CAPABILITY_NAMED_IAM"]);
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&rules[0], &rules[1], &rules[2], &rules[3], &create]
    );
    let result = run(&aws(cfn), &Ui::capture(), &p, None).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(create.num_calls(), 1);

    // a role only in a nested stack: the parent's change set acknowledges it (and the
    // nested stack, CAPABILITY_AUTO_EXPAND)
    let mut t = template();
    if let Some(r) = t["Resources"].as_object_mut() {
        r.remove("Role");
        r.insert(
            "Inner".into(),
            json!({"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://s3.us-east-1.amazonaws.com/b/k.json"}}),
        );
    }
    let mut p = plan(t);
    let inner = json!({"Resources": {"Role": template()["Resources"]["Role"].clone()}});
    let body = constructs::core::assembly::to_json_text(&inner);
    p.nested.push(constructs::NestedTemplate {
        name: format!("{NAME}-Inner"),
        path: format!("{NAME}/Inner"),
        logical_id: "Inner".into(),
        hash: constructs::core::synth::nested_hash(&body),
        template: inner,
        body,
    });
    let (rules, create) = create_flow(&p, &["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]);
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&rules[0], &rules[1], &rules[2], &rules[3], &create]
    );
    let result = run(&aws(cfn), &Ui::capture(), &p, None).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(create.num_calls(), 1);

    // no IAM at all: no capability
    let mut t = template();
    if let Some(r) = t["Resources"].as_object_mut() {
        r.remove("Role");
    }
    let p = plan(t);
    let (rules, create) = create_flow(&p, &[]);
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&rules[0], &rules[1], &rules[2], &rules[3], &create]
    );
    let result = run(&aws(cfn), &Ui::capture(), &p, None).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn a_failed_update_reports_the_root_cause_first() {
    let mut t = template();
    t["Resources"]["Table"]["Properties"]["BillingMode"] = json!("PROVISIONED");
    let p = plan(t);
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .output(|| {
            DescribeStacksOutput::builder()
                .stacks(stack(StackStatus::UpdateComplete))
                .build()
        })
        .output(|| {
            DescribeStacksOutput::builder()
                .stacks(stack(StackStatus::UpdateRollbackInProgress))
                .build()
        })
        .output(|| {
            DescribeStacksOutput::builder()
                .stacks(stack(StackStatus::UpdateRollbackComplete))
                .build()
        })
        .repeatedly()
        .build();
    let get = deployed(template().to_string());
    let create = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build());
    let wait = mock!(aws_sdk_cloudformation::Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .changes(change(
                "Table",
                "AWS::DynamoDB::Table",
                ChangeAction::Modify,
                Some(Replacement::False),
            ))
            .changes(change(
                "Role",
                "AWS::IAM::Role",
                ChangeAction::Modify,
                Some(Replacement::False),
            ))
            .build()
    });
    let execute = mock!(aws_sdk_cloudformation::Client::execute_change_set)
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let old = event(
        "e0",
        NAME,
        "AWS::CloudFormation::Stack",
        ResourceStatus::UpdateComplete,
        "",
    );
    let events = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .sequence()
        .output({
            let old = old.clone();
            move || DescribeStackEventsOutput::builder().stack_events(old.clone()).build()
        })
        .output(move || {
            // newest first, as CloudFormation answers
            DescribeStackEventsOutput::builder()
                .stack_events(event("e6", NAME, "AWS::CloudFormation::Stack", ResourceStatus::UpdateRollbackComplete, ""))
                .stack_events(event("e5", NAME, "AWS::CloudFormation::Stack", ResourceStatus::UpdateRollbackInProgress,
                    "The following resource(s) failed to update: [Role, Table]."))
                .stack_events(event("e4", "Role", "AWS::IAM::Role", ResourceStatus::UpdateFailed, "Resource update cancelled"))
                .stack_events(event("e3", "Table", "AWS::DynamoDB::Table", ResourceStatus::UpdateFailed,
                    "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"))
                .stack_events(event("e2", "Table", "AWS::DynamoDB::Table", ResourceStatus::UpdateInProgress, ""))
                .stack_events(event("e1", NAME, "AWS::CloudFormation::Stack", ResourceStatus::UpdateInProgress, "User Initiated"))
                .stack_events(old.clone())
                .build()
        })
        .repeatedly()
        .build();
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&describe, &get, &create, &wait, &execute, &events]
    );
    let ui = Ui::capture();
    let result = run(&aws(cfn), &ui, &p, None).await;
    match result {
        Err(DeployError::StackFailed { stack, status, .. }) => {
            assert_eq!(stack, NAME);
            assert_eq!(status, "UPDATE_ROLLBACK_COMPLETE");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    let lines = ui.lines();
    let root = lines
        .iter()
        .position(|l| l.starts_with("Orders: root cause: Table (AWS::DynamoDB::Table) UPDATE_FAILED: One or more parameter values were invalid"))
        .unwrap_or_else(|| panic!("no root cause line in {lines:#?}"));
    let also = lines
        .iter()
        .position(|l| {
            l.contains("also: Role (AWS::IAM::Role) UPDATE_FAILED: Resource update cancelled")
        })
        .unwrap_or_else(|| panic!("the cancelled role is not listed: {lines:#?}"));
    assert!(root < also, "the root cause comes first: {lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l == "Orders: final status UPDATE_ROLLBACK_COMPLETE"),
        "{lines:#?}"
    );
    // every event of this operation was shown once, none from before it
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("Orders | ")).count(),
        6,
        "{lines:#?}"
    );
}

#[tokio::test]
async fn approval_is_required_and_a_non_interactive_run_fails_with_the_reason() {
    let p = plan(template());
    let describe = described(StackStatus::UpdateComplete);
    // deployed: the table only; ours adds a role (IAM broadens)
    let mut old = template();
    if let Some(r) = old["Resources"].as_object_mut() {
        r.remove("Role");
    }
    let get = deployed(old.to_string());
    let create = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build());
    let wait = mock!(aws_sdk_cloudformation::Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .changes(change("Role", "AWS::IAM::Role", ChangeAction::Add, None))
            .build()
    });
    let delete = mock!(aws_sdk_cloudformation::Client::delete_change_set)
        .then_output(|| DeleteChangeSetOutput::builder().build());
    let execute = mock!(aws_sdk_cloudformation::Client::execute_change_set)
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&describe, &get, &create, &wait, &delete, &execute]
    );
    let opts = DeployOptions {
        require_approval: RequireApproval::Broadening,
        poll: Duration::ZERO,
        ..Default::default()
    };
    let result = run_with(&aws(cfn), &p, &opts).await;
    match result {
        Err(DeployError::ApprovalNeeded { stack, reason }) => {
            assert_eq!(stack, NAME);
            assert!(reason.contains("Role: trust"), "{reason}");
        }
        other => panic!("expected ApprovalNeeded, got {other:?}"),
    }
    assert_eq!(execute.num_calls(), 0, "nothing executed without approval");
    assert_eq!(
        delete.num_calls(),
        1,
        "the unapproved change set is deleted"
    );
}

#[tokio::test]
async fn a_large_template_is_uploaded_and_deployed_by_url() {
    // pad the template past 51,200 bytes with a long description
    let mut t = template();
    t["Description"] = json!("x".repeat(60_000));
    let p = plan(t);
    let key = assets::template_key(&p.body);
    // every call on the asset bucket says whose bucket it must be
    let head = mock!(aws_sdk_s3::Client::head_object)
        .match_requests(|r| r.expected_bucket_owner() == Some("123456789012"))
        .then_error(|| {
            HeadObjectError::NotFound(aws_sdk_s3::types::error::NotFound::builder().build())
        });
    let expected_key = key.clone();
    let put = mock!(aws_sdk_s3::Client::put_object)
        .match_requests(move |r| {
            r.bucket() == Some("assets-bucket")
                && r.key() == Some(expected_key.as_str())
                && r.expected_bucket_owner() == Some("123456789012")
        })
        .then_output(|| PutObjectOutput::builder().build());
    let s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&head, &put]);

    let (rules, _) = create_flow(&p, &["CAPABILITY_IAM"]);
    let url = format!("https://assets-bucket.s3.eu-west-1.amazonaws.com/{key}");
    let expected_url = url.clone();
    let create = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .match_requests(move |r| {
            r.template_url() == Some(expected_url.as_str()) && r.template_body().is_none()
        })
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build());
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&rules[0], &rules[1], &rules[2], &rules[3], &create]
    );
    let aws = Aws::from_clients(cfn, s3, "eu-west-1", None);
    let ui = Ui::capture();
    let urls = publish_templates(
        &aws,
        &ui,
        &assets::AssetBucket::new("assets-bucket", Some("123456789012")),
        std::slice::from_ref(&p),
    )
    .await
    .unwrap_or_else(|e| panic!("upload failed: {e}"));
    assert_eq!(put.num_calls(), 1, "the template is uploaded once");
    assert_eq!(urls, HashMap::from([(NAME.to_string(), url.clone())]));
    let result = run(&aws, &ui, &p, Some(&url)).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        create.num_calls(),
        1,
        "the change set names the URL, not the body"
    );

    // small templates are not uploaded
    let small = plan(template());
    let urls = publish_templates(
        &aws,
        &ui,
        &assets::AssetBucket::new("assets-bucket", Some("123456789012")),
        &[small],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(urls.is_empty());
    assert_eq!(put.num_calls(), 1);
}

#[tokio::test]
async fn an_account_without_the_toolkit_stack_is_told_to_bootstrap() {
    let missing = mock!(aws_sdk_cloudformation::Client::describe_stack_resource).then_error(|| {
        DescribeStackResourceError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message("Stack 'CDKToolkit' does not exist")
                .build(),
        )
    });
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&missing]);
    match assets::find_bucket(&aws(cfn)).await {
        Err(e @ DeployError::NotBootstrapped { .. }) => {
            let help = help_of(&e);
            assert!(help.contains("bootstrap"), "{help}");
        }
        other => panic!("expected NotBootstrapped, got {other:?}"),
    }
}

#[tokio::test]
async fn the_asset_bucket_is_owned_by_the_toolkit_stacks_account() {
    let found = mock!(aws_sdk_cloudformation::Client::describe_stack_resource).then_output(|| {
        aws_sdk_cloudformation::operation::describe_stack_resource::DescribeStackResourceOutput::builder()
            .stack_resource_detail(
                aws_sdk_cloudformation::types::StackResourceDetail::builder()
                    .stack_id("arn:aws:cloudformation:us-east-1:111122223333:stack/CDKToolkit/1")
                    .logical_resource_id("StagingBucket")
                    .physical_resource_id("cdk-hnb659fds-assets-111122223333-us-east-1")
                    .resource_type("AWS::S3::Bucket")
                    .last_updated_timestamp(DateTime::from_secs(0))
                    .resource_status(ResourceStatus::CreateComplete)
                    .build(),
            )
            .build()
    });
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&found]);
    let head = mock!(aws_sdk_s3::Client::head_bucket)
        .match_requests(|r| r.expected_bucket_owner() == Some("111122223333"))
        .then_output(|| aws_sdk_s3::operation::head_bucket::HeadBucketOutput::builder().build());
    let s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&head]);
    let bucket = assets::find_bucket(&Aws::from_clients(cfn, s3, "us-east-1", None))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        bucket,
        assets::AssetBucket::new(
            "cdk-hnb659fds-assets-111122223333-us-east-1",
            Some("111122223333")
        )
    );
    assert_eq!(head.num_calls(), 1);
}

#[tokio::test]
async fn an_expired_session_during_a_deploy_says_so() {
    let expired = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("ExpiredToken")
                .message("The security token included in the request is expired")
                .build(),
        )
    });
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&expired]);
    let result = run(&aws(cfn), &Ui::capture(), &plan(template()), None).await;
    match result {
        Err(e @ DeployError::Expired { .. }) => {
            assert_eq!(e.to_string(), "your AWS credentials have expired")
        }
        other => panic!("expected Expired, got {other:?}"),
    }
}

#[tokio::test]
async fn destroy_refuses_a_termination_protected_stack() {
    let protected = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        let mut s = stack(StackStatus::UpdateComplete);
        s.enable_termination_protection = Some(true);
        DescribeStacksOutput::builder().stacks(s).build()
    });
    let delete = mock!(aws_sdk_cloudformation::Client::delete_stack).then_output(|| {
        aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput::builder().build()
    });
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&protected, &delete]
    );
    let result = rcdk_toolkit::destroy::destroy_stack(
        &aws(cfn),
        &Ui::capture(),
        NAME,
        &rcdk_toolkit::cfn::Wait {
            poll: Duration::ZERO,
            ..Default::default()
        },
        &InFlight::default(),
    )
    .await;
    match result {
        Err(e @ DeployError::Protected { .. }) => {
            let help = help_of(&e);
            assert!(help.contains("update-termination-protection --no-enable-termination-protection --stack-name Orders"), "{help}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(delete.num_calls(), 0);
}

#[tokio::test]
async fn a_stack_whose_dependency_failed_is_not_deployed() {
    // Base is blocked (refused); App depends on it; Other is independent and unchanged
    let stack_named = |name: &str, status: StackStatus| {
        let mut s = stack(status);
        s.stack_name = Some(name.to_string());
        s
    };
    let described_as = |name: &'static str, status: StackStatus| {
        mock!(aws_sdk_cloudformation::Client::describe_stacks)
            .match_requests(move |r| r.stack_name() == Some(name))
            .then_output(move || {
                DescribeStacksOutput::builder()
                    .stacks(stack_named(name, status.clone()))
                    .build()
            })
    };
    let base = described_as("Base", StackStatus::RollbackComplete);
    let other = described_as("Other", StackStatus::UpdateComplete);
    let app = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some("App"))
        .then_output(|| DescribeStacksOutput::builder().build());
    let p = plan(template());
    let get = deployed(p.body.clone());
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&base, &other, &app, &get]
    );
    let named = |name: &str, deps: &[&str]| StackPlan {
        name: name.to_string(),
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
        ..p.clone()
    };
    let ui = Ui::capture();
    let (results, failures) = rcdk_toolkit::deploy::deploy_all(
        &aws(cfn),
        &ui,
        vec![
            named("Base", &[]),
            named("App", &["Base"]),
            named("Other", &[]),
        ],
        &HashMap::new(),
        &options(),
        &InFlight::default(),
    )
    .await;
    let failed: Vec<&str> = failures.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(failed, vec!["Base"]);
    let done: Vec<(&str, &Outcome)> = results
        .iter()
        .map(|r| (r.name.as_str(), &r.outcome))
        .collect();
    assert_eq!(done, vec![("Other", &Outcome::Unchanged)]);
    assert!(
        ui.lines()
            .iter()
            .any(|l| l == "App: not deployed, its dependency Base failed"),
        "{:?}",
        ui.lines()
    );
    assert_eq!(app.num_calls(), 0, "App was never looked at");
}

#[tokio::test]
async fn no_rollback_is_passed_to_the_execution() {
    let p = plan(template());
    let (rules, create) = create_flow(&p, &["CAPABILITY_IAM"]);
    let execute = mock!(aws_sdk_cloudformation::Client::execute_change_set)
        .match_requests(|r| r.disable_rollback() == Some(true))
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&rules[0], &rules[1], &rules[2], &execute, &create]
    );
    let opts = DeployOptions {
        no_rollback: true,
        ..options()
    };
    let result = run_with(&aws(cfn), &p, &opts).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(execute.num_calls(), 1, "executed with DisableRollback");
}

#[tokio::test]
async fn a_change_set_whose_execution_fails_is_deleted() {
    let p = plan(template());
    let (rules, create) = create_flow(&p, &["CAPABILITY_IAM"]);
    // another deploy of the stack ran first: this change set is obsolete
    let execute = mock!(aws_sdk_cloudformation::Client::execute_change_set).then_error(|| {
        aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetError::generic(
            ErrorMetadata::builder()
                .code("InvalidChangeSetStatus")
                .message("ChangeSet [cs-1] cannot be executed in its current status of [OBSOLETE]")
                .build(),
        )
    });
    let delete = mock!(aws_sdk_cloudformation::Client::delete_change_set)
        .match_requests(|r| r.change_set_name() == Some("cs-1"))
        .then_output(|| DeleteChangeSetOutput::builder().build());
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&rules[0], &rules[1], &rules[2], &execute, &delete, &create]
    );
    let in_flight = InFlight::default();
    let result = deploy_stack(&aws(cfn), &Ui::capture(), &p, None, &options(), &in_flight).await;
    let e = result
        .err()
        .unwrap_or_else(|| panic!("the execution failed, the deploy must too"));
    assert!(e.to_string().contains("ExecuteChangeSet"), "{e}");
    assert!(e.to_string().contains("OBSOLETE"), "{e}");
    assert_eq!(
        delete.num_calls(),
        1,
        "the change set that cannot run is deleted"
    );
    assert!(
        in_flight.lock().map(|f| f.is_empty()).unwrap_or(false),
        "nothing goes on in CloudFormation"
    );
}

fn code_error(code: &'static str, message: &'static str) -> DescribeStacksError {
    DescribeStacksError::generic(ErrorMetadata::builder().code(code).message(message).build())
}

fn no_events() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build())
}

#[tokio::test]
async fn a_stack_busy_past_the_timeout_is_left_to_cloudformation_with_the_way_to_follow_it() {
    let busy = described(StackStatus::UpdateInProgress);
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&busy]);
    let opts = DeployOptions {
        timeout: Duration::ZERO,
        ..options()
    };
    let p = plan(template());
    let result = run_with(&aws(cfn), &p, &opts).await;
    match result {
        Err(e @ DeployError::TimedOut { .. }) => {
            assert_eq!(
                e.to_string(),
                "Orders is still UPDATE_IN_PROGRESS after 0 min (--timeout)"
            );
            let help = help_of(&e);
            assert!(
                help.contains("CloudFormation goes on with Orders"),
                "{help}"
            );
            assert!(
                help.contains("describe-stack-events --stack-name Orders"),
                "{help}"
            );
        }
        other => panic!("expected TimedOut, got {other:?}"),
    }
}

#[tokio::test]
async fn throttled_polls_are_retried_until_the_operation_ends() {
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .error(|| code_error("Throttling", "Rate exceeded"))
        .times(2)
        .output(|| {
            DescribeStacksOutput::builder()
                .stacks(stack(StackStatus::UpdateComplete))
                .build()
        })
        .repeatedly()
        .build();
    let events = no_events();
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&describe, &events]
    );
    let wait = rcdk_toolkit::cfn::Wait {
        poll: Duration::ZERO,
        timeout: Duration::from_secs(60),
    };
    let (status, _) =
        rcdk_toolkit::cfn::follow(&aws(cfn), &Ui::capture(), NAME, "update", None, 2, &wait)
            .await
            .unwrap_or_else(|e| panic!("throttling is not a failure: {e}"));
    assert_eq!(status, StackStatus::UpdateComplete);
    assert_eq!(
        describe.num_calls(),
        3,
        "two throttled polls, then the answer"
    );
}

#[tokio::test]
async fn expired_credentials_while_following_say_that_cloudformation_goes_on() {
    let describe = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_error(|| {
        code_error(
            "ExpiredToken",
            "The security token included in the request is expired",
        )
    });
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&describe]);
    let wait = rcdk_toolkit::cfn::Wait {
        poll: Duration::ZERO,
        timeout: Duration::from_secs(60),
    };
    let result =
        rcdk_toolkit::cfn::follow(&aws(cfn), &Ui::capture(), NAME, "update", None, 2, &wait).await;
    match result {
        Err(e @ DeployError::LostTrack { .. }) => {
            assert!(
                e.to_string().contains("your AWS credentials have expired"),
                "{e}"
            );
            let help = help_of(&e);
            assert!(
                help.contains("CloudFormation goes on with Orders"),
                "{help}"
            );
        }
        other => panic!("expected LostTrack, got {other:?}"),
    }
}

#[test]
fn every_pattern_needs_iam_and_names_no_iam_resource() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config: rcdk_patterns::config::Config =
        rcdk::config::parse("{}", "defaults").expect("defaults");
    let assembly = rcdk_patterns::app::build(&config, root)
        .synth()
        .expect("synth");
    for stack in &assembly.stacks {
        assert_eq!(
            rcdk_toolkit::capabilities::required(&stack.template),
            ["CAPABILITY_IAM"],
            "{}",
            stack.name
        );
    }
}

#[tokio::test]
async fn a_failed_destroy_keeps_what_the_stack_depends_on_and_the_others_go_on() {
    // App depends on Base and is termination-protected (refused); Other is independent
    let protected = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some("App"))
        .then_output(|| {
            let mut s = stack(StackStatus::UpdateComplete);
            s.stack_name = Some("App".into());
            s.enable_termination_protection = Some(true);
            DescribeStacksOutput::builder().stacks(s).build()
        });
    let base = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some("Base"))
        .then_output(|| DescribeStacksOutput::builder().build());
    let other = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some("Other"))
        .then_output(|| DescribeStacksOutput::builder().build());
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&protected, &base, &other]
    );
    let aws = aws(cfn);
    let to = |name: &str, deps: &[&str]| rcdk_toolkit::destroy::ToDestroy {
        name: name.to_string(),
        aws: aws.clone(),
        dependencies: deps.iter().map(|d| d.to_string()).collect(),
    };
    let ui = Ui::capture();
    let failures = rcdk_toolkit::destroy::destroy_all(
        &ui,
        vec![to("App", &["Base"]), to("Other", &[]), to("Base", &[])],
        &rcdk_toolkit::cfn::Wait {
            poll: Duration::ZERO,
            ..Default::default()
        },
        4,
        &InFlight::default(),
    )
    .await;
    let failed: Vec<&str> = failures.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(failed, ["App"]);
    assert!(matches!(failures[0].1, DeployError::Protected { .. }));
    assert_eq!(base.num_calls(), 0, "Base is kept: App still needs it");
    assert_eq!(other.num_calls(), 1, "Other goes on");
    assert!(
        ui.lines()
            .iter()
            .any(|l| l == "Base: kept, App depends on it and was not deleted"),
        "{:?}",
        ui.lines()
    );
}
