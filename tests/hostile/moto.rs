//! The local AWS refuses what AWS refuses (tests/moto/server.py): templates that moto alone
//! would deploy, sent to its CloudFormation as a user's template would be, each failing the
//! resource in AWS's words with the stack rolled back; and the harness's Lambda runtime
//! refusing what it must not run. Each case names the AWS behaviour it holds the harness to.
//!
//! Every case runs against moto (RCDK_MOTO_ENDPOINT, or one started here from .venv); stack
//! names are unique, so the cases run side by side.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudformation::types::{Capability, ChangeSetType};
use serde_json::{json, Value as Json};

use crate::common;
use crate::common::harness::{invoke, register};
use crate::common::moto::Moto;

/// How a stack's operation ended: its status and its events (logical id, status, reason),
/// oldest first.
pub(crate) struct Outcome {
    pub(crate) status: String,
    pub(crate) events: Vec<(String, String, String)>,
}

impl Outcome {
    /// The reason of the resource's failure event (`<status>_FAILED`), or a failed test.
    fn failure_of(&self, logical_id: &str) -> &str {
        self.events
            .iter()
            .find(|(id, status, _)| id == logical_id && status.ends_with("_FAILED"))
            .map(|(_, _, reason)| reason.as_str())
            .unwrap_or_else(|| panic!("{logical_id} did not fail: {:?}", self.events))
    }
}

pub(crate) fn unique(case: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("hostile-{case}-{nanos}")
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Creates (or updates) `stack` with `template` through a change set, as rcdk deploys.
pub(crate) async fn deploy(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    template: &Json,
    kind: ChangeSetType,
) -> Outcome {
    deploy_with(cfn, stack, template, kind, false).await
}

/// [`deploy`], with ExecuteChangeSet's DisableRollback.
async fn deploy_with(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    template: &Json,
    kind: ChangeSetType,
    disable_rollback: bool,
) -> Outcome {
    let made = cfn
        .create_change_set()
        .stack_name(stack)
        .change_set_name(unique("change-set"))
        .change_set_type(kind)
        .template_body(template.to_string())
        .capabilities(Capability::CapabilityIam)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateChangeSet {stack}: {e:?}"));
    cfn.execute_change_set()
        .change_set_name(made.id().unwrap_or_default())
        .stack_name(stack)
        .disable_rollback(disable_rollback)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ExecuteChangeSet {stack}: {e:?}"));
    let described = cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeStacks {stack}: {e:?}"));
    let status = described
        .stacks()
        .first()
        .and_then(|s| s.stack_status())
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let events = cfn
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeStackEvents {stack}: {e:?}"));
    let mut events: Vec<(String, String, String)> = events
        .stack_events()
        .iter()
        .map(|e| {
            (
                e.logical_resource_id().unwrap_or_default().to_string(),
                e.resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                e.resource_status_reason().unwrap_or_default().to_string(),
            )
        })
        .collect();
    events.reverse();
    Outcome { status, events }
}

fn role() -> Json {
    json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"Service": "states.amazonaws.com"}}]}}})
}

/// A template of one state machine with `definition` and `substitutions`.
fn machine(definition: Json, substitutions: Json) -> Json {
    json!({"Resources": {
        "Role": role(),
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
            "Definition": definition,
            "DefinitionSubstitutions": substitutions,
        }},
    }})
}

/// The definition text moto holds for the stack's state machine.
async fn definition_of(endpoint: &str, cfn: &aws_sdk_cloudformation::Client, stack: &str) -> Json {
    let arn = common::moto::physical_id(cfn, stack, "AWS::StepFunctions::StateMachine").await;
    let sfn = aws_sdk_sfn::Client::new(&common::moto::sdk_config(endpoint).await);
    let d = sfn
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    serde_json::from_str(d.definition()).unwrap_or_else(|e| panic!("{e}: {}", d.definition()))
}

/// Step Functions refuses a definition that does not validate, and CloudFormation fails the
/// resource with its message (CreateStateMachine: InvalidDefinition); moto alone stored it.
#[test]
fn a_definition_that_does_not_validate_fails_the_state_machine_and_rolls_back() {
    let moto = Moto::start();
    let rt = runtime();
    let cfn =
        aws_sdk_cloudformation::Client::new(&rt.block_on(common::moto::sdk_config(&moto.endpoint)));
    let stack = unique("invalid-definition");
    let out = rt.block_on(deploy(
        &cfn,
        &stack,
        &machine(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}),
            json!({}),
        ),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "ROLLBACK_COMPLETE", "{:?}", out.events);
    assert_eq!(
        out.failure_of("Machine"),
        "Invalid State Machine Definition: 'state \"A\": goes to \"Nowhere\", which does not exist' \
         (Service: AWSStepFunctions; Status Code: 400; Error Code: InvalidDefinition)"
    );
    assert!(
        out.events.iter().any(|(id, status, reason)| id == &stack
            && status == "ROLLBACK_IN_PROGRESS"
            && reason == "The following resource(s) failed to create: [Machine]. Rollback requested by user."),
        "{:?}",
        out.events
    );
    // with DisableRollback the stack stays CREATE_FAILED, as CloudFormation leaves it
    let kept = rt.block_on(deploy_with(
        &cfn,
        &unique("no-rollback"),
        &machine(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}),
            json!({}),
        ),
        ChangeSetType::Create,
        true,
    ));
    assert_eq!(kept.status, "CREATE_FAILED", "{:?}", kept.events);
    // a field Step Functions does not know is refused too (moto's parser ignored it)
    let stack = unique("unknown-field");
    let out = rt.block_on(deploy(
        &cfn,
        &stack,
        &machine(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Nxt": "B"}}}),
            json!({}),
        ),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "ROLLBACK_COMPLETE");
    let reason = out.failure_of("Machine");
    assert!(
        reason.starts_with("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ")
            && reason.contains("/States/A"),
        "{reason}"
    );
}

/// CloudFormation replaces only the keys DefinitionSubstitutions has, as text, again and
/// again (the Step Functions resource handler: StringUtils.replaceEachRepeatedly); a `${Key}`
/// it has no key for stays. In a Task's Resource, Step Functions then refuses it ("Value is
/// not a valid resource ARN"); elsewhere it is text, deployed as written.
#[test]
fn an_unreplaced_substitution_fails_in_a_resource_and_stays_text_elsewhere() {
    let moto = Moto::start();
    let rt = runtime();
    let cfn =
        aws_sdk_cloudformation::Client::new(&rt.block_on(common::moto::sdk_config(&moto.endpoint)));
    let stack = unique("unreplaced");
    let out = rt.block_on(deploy(
        &cfn,
        &stack,
        &machine(
            json!({"StartAt": "Call", "States": {"Call": {
                "Type": "Task", "Resource": "${Invoke}",
                "Parameters": {"FunctionName": "${Function}"}, "End": true}}}),
            json!({"Function": "worker"}),
        ),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "ROLLBACK_COMPLETE", "{:?}", out.events);
    assert_eq!(
        out.failure_of("Machine"),
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value is not a valid \
         resource ARN at /States/Call/Resource' (Service: AWSStepFunctions; Status Code: 400; \
         Error Code: InvalidDefinition)"
    );

    let stack = unique("text");
    let out = rt.block_on(deploy(
        &cfn,
        &stack,
        &machine(
            json!({"StartAt": "Keep", "States": {"Keep": {
                "Type": "Pass", "ResultPath": null, "End": true,
                "Parameters": {"missing": "${Missing}", "chained": "${First}"}}}}),
            json!({"First": "${Second}", "Second": "last"}),
        ),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "CREATE_COMPLETE", "{:?}", out.events);
    let definition = rt.block_on(definition_of(&moto.endpoint, &cfn, &stack));
    assert_eq!(
        definition["States"]["Keep"],
        json!({"End": true, "Parameters": {"chained": "last", "missing": "${Missing}"},
               "ResultPath": null, "Type": "Pass"}),
        "a replaced value's own key replaced in turn, an unknown key kept, the null kept"
    );
}

/// The resource handler refuses a machine with no definition or with two (its Constants:
/// "Property validation failed. ...").
#[test]
fn a_definition_missing_or_given_twice_is_refused_in_the_handlers_words() {
    let moto = Moto::start();
    let rt = runtime();
    let cfn =
        aws_sdk_cloudformation::Client::new(&rt.block_on(common::moto::sdk_config(&moto.endpoint)));
    let mut twice = machine(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        json!({}),
    );
    twice["Resources"]["Machine"]["Properties"]["DefinitionString"] =
        json!("{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}");
    let out = rt.block_on(deploy(
        &cfn,
        &unique("twice"),
        &twice,
        ChangeSetType::Create,
    ));
    assert_eq!(
        out.failure_of("Machine"),
        "Property validation failed. Please use either [DefinitionS3Location], [Definition] or \
         [DefinitionString] but not both."
    );
    let mut none = twice.clone();
    let properties = none["Resources"]["Machine"]["Properties"]
        .as_object_mut()
        .unwrap_or_else(|| panic!("properties"));
    properties.remove("Definition");
    properties.remove("DefinitionString");
    let out = rt.block_on(deploy(&cfn, &unique("none"), &none, ChangeSetType::Create));
    assert_eq!(
        out.failure_of("Machine"),
        "Property validation failed. Required key [DefinitionS3Location], [Definition] or \
         [DefinitionString] not found."
    );
}

/// A failed update rolls back (UPDATE_ROLLBACK_COMPLETE) and the deployed definition stays.
#[test]
fn a_failed_update_rolls_back_and_the_deployed_definition_stays() {
    let moto = Moto::start();
    let rt = runtime();
    let cfn =
        aws_sdk_cloudformation::Client::new(&rt.block_on(common::moto::sdk_config(&moto.endpoint)));
    let stack = unique("update");
    let good = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": true}}});
    let out = rt.block_on(deploy(
        &cfn,
        &stack,
        &machine(good.clone(), json!({})),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "CREATE_COMPLETE", "{:?}", out.events);
    let bad = json!({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1}}});
    let out = rt.block_on(deploy(
        &cfn,
        &stack,
        &machine(bad, json!({})),
        ChangeSetType::Update,
    ));
    assert_eq!(out.status, "UPDATE_ROLLBACK_COMPLETE", "{:?}", out.events);
    assert!(
        out.failure_of("Machine")
            .starts_with("Invalid State Machine Definition: '"),
        "{:?}",
        out.events
    );
    let deployed = rt.block_on(definition_of(&moto.endpoint, &cfn, &stack));
    assert_eq!(deployed["States"]["A"]["Result"], 1, "{deployed}");
}

/// Step Functions' API refuses an invalid definition too (UpdateStateMachine and
/// CreateStateMachine API references: InvalidDefinition, HTTP 400), and the machine keeps the
/// one it had; moto stored whatever the hotswap sent. A valid update still goes through.
#[test]
fn the_api_refuses_an_invalid_definition_as_step_functions_does() {
    let moto = Moto::start();
    let rt = runtime();
    let config = rt.block_on(common::moto::sdk_config(&moto.endpoint));
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let sfn = aws_sdk_sfn::Client::new(&config);
    let stack = unique("api-update");
    let good = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": true}}});
    let out = rt.block_on(deploy(
        &cfn,
        &stack,
        &machine(good, json!({})),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "CREATE_COMPLETE", "{:?}", out.events);
    let arn = rt.block_on(common::moto::physical_id(
        &cfn,
        &stack,
        "AWS::StepFunctions::StateMachine",
    ));
    let bad = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}});
    let refused = rt
        .block_on(
            sfn.update_state_machine()
                .state_machine_arn(&arn)
                .definition(bad.to_string())
                .send(),
        )
        .map(|_| ())
        .map_err(aws_sdk_sfn::error::DisplayErrorContext);
    let error = format!("{:?}", refused.err());
    assert!(
        error.contains("InvalidDefinition")
            && error.contains("Invalid State Machine Definition: '"),
        "{error}"
    );
    let deployed = rt.block_on(definition_of(&moto.endpoint, &cfn, &stack));
    assert_eq!(deployed["States"]["A"]["Result"], 1, "{deployed}");

    let changed =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 2, "End": true}}});
    rt.block_on(
        sfn.update_state_machine()
            .state_machine_arn(&arn)
            .definition(changed.to_string())
            .send(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let deployed = rt.block_on(definition_of(&moto.endpoint, &cfn, &stack));
    assert_eq!(deployed["States"]["A"]["Result"], 2, "{deployed}");

    let created = rt.block_on(
        sfn.create_state_machine()
            .name(unique("api-create"))
            .role_arn("arn:aws:iam::123456789012:role/r")
            .definition(bad.to_string())
            .send(),
    );
    let error = format!(
        "{:?}",
        created.err().map(aws_sdk_sfn::error::DisplayErrorContext)
    );
    assert!(error.contains("InvalidDefinition"), "{error}");
}

/// API Gateway fails a deployment of an API whose method has no integration ("No integration
/// defined for method"); moto used to invent a MOCK integration. A MOCK integration needs no
/// method or URI, every other type needs its HTTP method.
#[test]
fn a_method_without_an_integration_fails_the_deployment_as_api_gateway_does() {
    let moto = Moto::start();
    let rt = runtime();
    let cfn =
        aws_sdk_cloudformation::Client::new(&rt.block_on(common::moto::sdk_config(&moto.endpoint)));
    let api = |integration: Option<Json>| {
        let mut method = json!({"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
            "HttpMethod": "GET", "AuthorizationType": "NONE"}});
        if let Some(i) = integration {
            method["Properties"]["Integration"] = i;
        }
        json!({"Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "hostile"}},
            "Get": method,
            "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["Get"],
                           "Properties": {"RestApiId": {"Ref": "Api"}}},
        }})
    };
    let out = rt.block_on(deploy(
        &cfn,
        &unique("no-integration"),
        &api(None),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "ROLLBACK_COMPLETE", "{:?}", out.events);
    assert_eq!(
        out.failure_of("Deployment"),
        "Resource handler returned message: \"No integration defined for method (Service: \
         ApiGateway, Status Code: 400)\" (HandlerErrorCode: InvalidRequest)"
    );
    let out = rt.block_on(deploy(
        &cfn,
        &unique("http-without-method"),
        &api(Some(json!({"Type": "HTTP", "Uri": "https://example.com/"}))),
        ChangeSetType::Create,
    ));
    assert!(
        out.failure_of("Get")
            .contains("Enumeration value for HttpMethod must be non-empty"),
        "{:?}",
        out.events
    );
    // what AWS accepts is accepted: a MOCK integration, without a method or a URI
    let out = rt.block_on(deploy(
        &cfn,
        &unique("mock"),
        &api(Some(json!({"Type": "MOCK", "RequestTemplates": {"application/json": "{\"statusCode\": 200}"}}))),
        ChangeSetType::Create,
    ));
    assert_eq!(out.status, "CREATE_COMPLETE", "{:?}", out.events);
}

/// CloudFormation validates properties against the type's registry schema: a stand-in type
/// (moto does not model AWS::Lambda::Url) and a nested key of a modelled one alike.
#[test]
fn properties_outside_the_registry_schema_fail_the_resource() {
    let moto = Moto::start();
    let rt = runtime();
    let cfn =
        aws_sdk_cloudformation::Client::new(&rt.block_on(common::moto::sdk_config(&moto.endpoint)));
    let url = json!({"Resources": {"Url": {"Type": "AWS::Lambda::Url", "Properties": {
        "TargetFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:worker",
        "AuthTyp": "NONE"}}}});
    let out = rt.block_on(deploy(&cfn, &unique("url"), &url, ChangeSetType::Create));
    assert_eq!(out.status, "ROLLBACK_COMPLETE", "{:?}", out.events);
    assert_eq!(
        out.failure_of("Url"),
        "Properties validation failed for resource Url with message: #: required key [AuthType] \
         not found #: extraneous key [AuthTyp] is not permitted"
    );
    let table = json!({"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "S"}],
        "KeySchema": [{"AttrName": "Id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST"}}}});
    let out = rt.block_on(deploy(
        &cfn,
        &unique("table"),
        &table,
        ChangeSetType::Create,
    ));
    assert_eq!(
        out.failure_of("Table"),
        "Properties validation failed for resource Table with message: #/KeySchema/0: required \
         key [AttributeName] not found #/KeySchema/0: extraneous key [AttrName] is not permitted"
    );
}

/// The harness runs a registered binary for a function: only one inside this repository's
/// target directory, registered as JSON (a page in a browser cannot send that cross-site).
#[test]
fn the_lambda_runtime_runs_only_what_a_test_built() {
    let moto = Moto::start();
    let body =
        |executable: &str| json!({"FunctionName": "any", "Executable": executable}).to_string();
    let outside = register(&moto.endpoint, "application/json", &body("/bin/sh"))
        .expect_err("an executable outside target/");
    assert!(
        outside.contains("/bin/sh is not inside this repository's target directory"),
        "{outside}"
    );
    let climbing = common::root().join("target/../scripts/test");
    let climbing = register(
        &moto.endpoint,
        "application/json",
        &body(&climbing.to_string_lossy()),
    )
    .expect_err("a path climbing out of target/");
    assert!(climbing.contains("is not inside"), "{climbing}");
    let form = register(
        &moto.endpoint,
        "text/plain",
        &body(&common::moto::toolkit().to_string_lossy()),
    )
    .expect_err("not JSON");
    assert_eq!(
        form,
        "send the registration as Content-Type: application/json"
    );
    let missing = register(
        &moto.endpoint,
        "application/json",
        &body(
            &common::root()
                .join("target/no-such-binary")
                .to_string_lossy(),
        ),
    )
    .expect_err("no such file");
    assert!(missing.ends_with("is not an executable file"), "{missing}");
}

/// A function deployed with a handler that exits, or runs past its timeout, answers as Lambda
/// does: `Runtime.ExitError`, or `Sandbox.Timedout` after the function's timeout, with
/// X-Amz-Function-Error: Unhandled; the real process-item's own error comes back as its
/// error object. An unknown function is ResourceNotFound, not an echo.
#[test]
fn a_handler_that_exits_fails_or_overruns_answers_as_lambda_does() {
    let moto = Moto::start();
    let rt = runtime();
    let cfn =
        aws_sdk_cloudformation::Client::new(&rt.block_on(common::moto::sdk_config(&moto.endpoint)));
    let stack = unique("handlers");
    let function = |timeout: u32| {
        json!({"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Timeout": timeout,
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": "def handler(event, context):\n    return event\n"}}})
    };
    let template = json!({"Resources": {
        "Role": role(), "Exits": function(3), "Sleeps": function(1), "Items": function(3)}});
    let out = rt.block_on(deploy(&cfn, &stack, &template, ChangeSetType::Create));
    assert_eq!(out.status, "CREATE_COMPLETE", "{:?}", out.events);
    let name = |kind: &str| {
        rt.block_on(async {
            let described = cfn
                .describe_stack_resource()
                .stack_name(&stack)
                .logical_resource_id(kind)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e:?}"));
            described
                .stack_resource_detail()
                .and_then(|d| d.physical_resource_id())
                .unwrap_or_default()
                .to_string()
        })
    };
    // two handlers that misbehave, as scripts inside the target directory
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(unique("handlers"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let script = |file: &str, text: &str| {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        path.to_string_lossy().into_owned()
    };
    let register_as = |function: &str, executable: &str| {
        register(
            &moto.endpoint,
            "application/json",
            &json!({"FunctionName": function, "Executable": executable}).to_string(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    };
    register_as(&name("Exits"), &script("exits", "#!/bin/sh\nexit 3\n"));
    register_as(
        &name("Sleeps"),
        &script("sleeps", "#!/bin/sh\nexec sleep 30\n"),
    );
    common::harness::run_handler(&moto.endpoint, &name("Items"), "process-item");

    let exited = invoke(&moto.endpoint, &name("Exits"), &json!({}));
    assert_eq!(
        exited.function_error.as_deref(),
        Some("Unhandled"),
        "{exited:?}"
    );
    assert_eq!(
        exited.payload["errorType"], "Runtime.ExitError",
        "{exited:?}"
    );
    assert!(
        exited.payload["errorMessage"]
            .as_str()
            .is_some_and(|m| m.ends_with("Runtime exited with error: exit status 3")),
        "{exited:?}"
    );

    let started = std::time::Instant::now();
    let slow = invoke(&moto.endpoint, &name("Sleeps"), &json!({}));
    let took = started.elapsed();
    assert_eq!(
        slow.function_error.as_deref(),
        Some("Unhandled"),
        "{slow:?}"
    );
    assert_eq!(slow.payload["errorType"], "Sandbox.Timedout", "{slow:?}");
    assert!(
        slow.payload["errorMessage"]
            .as_str()
            .is_some_and(|m| m.ends_with("Task timed out after 1.00 seconds")),
        "{slow:?}"
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(10),
        "stopped at its timeout: {took:?}"
    );

    // the real handler refuses an event that is not a DynamoDB-typed value: its error object
    let refused = invoke(&moto.endpoint, &name("Items"), &json!("Economics"));
    assert_eq!(
        refused.function_error.as_deref(),
        Some("Unhandled"),
        "{refused:?}"
    );
    assert_eq!(
        refused.payload["errorMessage"],
        "the event must be a DynamoDB-typed value (an object), not \"Economics\"",
        "{refused:?}"
    );
    let answered = invoke(&moto.endpoint, &name("Items"), &json!({"S": "Economics"}));
    assert_eq!(answered.function_error, None, "{answered:?}");
    assert_eq!(answered.payload, json!({"S": "Economics"}));

    let unknown = invoke(&moto.endpoint, &unique("no-such-function"), &json!({}));
    assert_eq!(unknown.status, 404, "{unknown:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
