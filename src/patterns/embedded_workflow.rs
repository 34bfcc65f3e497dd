//! Pattern 003, a state machine embedded in a REST service with an S3 side car (seed 003,
//! d-smith/sfs3-embedded).
//!
//! `POST /process` reaches the Rust service `embedded-service` (Lambda proxy), which stores
//! the body in the process-data bucket under a time-ordered transaction id, starts ProcessA
//! with `{"processData": "<id>"}` and polls DescribeExecution every 1.5 s: 200 `SUCCEEDED`,
//! 400 with the failed status, or 504 after 20 s. ProcessA runs six Rust steps (`step-a` to
//! `step-f`, one crate, `process-step`) by their ARN, each with an 11 s timeout; each step
//! reads the document, checks the previous step's output (S3 may serve an older object) and
//! fails with `S3DataPreconditionError`, which steps b to f retry (every second, 3 times);
//! step F starts DownstreamProcess (three steps). A CloudWatch dashboard watches ProcessA;
//! a managed policy gives a caller what it needs (objects, start and describe).
//!
//! Fixed from the original:
//! - the dashboard's metric names were wrong (`ExecutionFailed`, `ExecutionsTimedout`: no
//!   such metrics), and its ARN was hard-coded to us-east-1 and `ProcessA-dev`: it now
//!   takes its metrics from the machine (`metric_failed()`, `metric_timed_out()`, ...),
//!   which names them and their `StateMachineArn` as Step Functions publishes them;
//! - the steps' role allowed `logs:*` on every log group and the bucket had no encryption
//!   default; each function now writes only to its own log group, and the bucket is
//!   encrypted, private and TLS-only;
//! - the state machine role and the downstream ARN were hand-built strings (with the
//!   region of the `#{...}` plugin); they are references now;
//! - a transient Lambda error (`Lambda.ServiceException`, ...) failed the whole process: every
//!   step of both machines retries them (the standard Lambda retry, after the original's);
//!   step F names the downstream execution after the process data, so that a retried step F
//!   finds the execution it started instead of starting a second one.

use constructs::apigateway::{
    HttpMethod, Integration, MethodOptions, RestApi, RestApiProps, StageOptions,
};
use constructs::cloudwatch::{Dashboard, DashboardProps, Widget};
use constructs::iam::{ManagedPolicy, ManagedPolicyProps, PolicyStatement};
use constructs::lambda::{Function, FunctionProps};
use constructs::s3::{Bucket, BucketProps};
use constructs::stepfunctions::asl::{Chain, Retrier, Step};
use constructs::stepfunctions::tasks;
use constructs::stepfunctions::{StateMachine, StateMachineProps};
use constructs::Stack;

use crate::config::EmbeddedWorkflowConfig;

/// The retry of steps b to f: a stale read of the side car is tried again.
fn precondition_retry() -> Retrier {
    Retrier::on(["S3DataPreconditionError"])
        .interval_seconds(1)
        .backoff_rate(1.0)
        .max_attempts(3)
}

/// A step of DownstreamProcess: the function by its ARN, as the original, with the standard
/// retry of Lambda's transient errors.
fn lambda_step(name: &str, function: &Function) -> Step {
    tasks::lambda_function(name, function).retry(tasks::lambda_service_retry())
}

/// The steps one after the other.
fn chain(first: Step, rest: Vec<Step>) -> Chain {
    rest.into_iter().fold(Chain::from(first), Chain::next)
}

pub fn build(config: &EmbeddedWorkflowConfig) -> Stack {
    let mut stack = Stack::new(&config.stack_name);
    stack.set_description("Pattern 003: a workflow embedded in a REST service, data in S3");

    let bucket = Bucket::new(
        &mut stack,
        "ProcessInputBucket",
        BucketProps::new().removal_policy(super::removal(config.remove_data_on_destroy)),
    );
    let step_function = |stack: &mut Stack, id: &str, step: &str| {
        Function::new(
            stack,
            id,
            FunctionProps::new("process-step")
                .description(format!("Pattern 003, step {step}"))
                .timeout_seconds(10)
                .log_retention(config.log_retention_days.0)
                .env("STEP", step),
        )
    };

    // DownstreamProcess: started by step F
    let downstream_functions: Vec<Function> = ["a", "b", "c"]
        .iter()
        .map(|l| {
            step_function(
                &mut stack,
                &format!("downstream{}", l.to_uppercase()),
                &format!("downstream-{l}"),
            )
        })
        .collect();
    let mut downstream_steps: Vec<Step> = ["a", "b", "c"]
        .iter()
        .zip(&downstream_functions)
        .map(|(l, f)| lambda_step(&format!("downstream-{l}"), f))
        .collect();
    let first_downstream = downstream_steps.remove(0);
    let downstream = StateMachine::new(
        &mut stack,
        "DownstreamProcess",
        StateMachineProps::new(chain(first_downstream, downstream_steps))
            .comment("downstream process invoked from hellostepfunc1"),
    );

    // ProcessA: six steps on the side car
    let letters = ["a", "b", "c", "d", "e", "f"];
    let step_functions: Vec<Function> = letters
        .iter()
        .map(|l| {
            let f = step_function(&mut stack, &format!("step{}", l.to_uppercase()), l);
            f.add_environment(&mut stack, "BUCKET_NAME", bucket.name());
            bucket.grant_read_write(&mut stack, &f);
            f
        })
        .collect();
    let f = &step_functions[5];
    f.add_environment(&mut stack, "DOWNSTREAM_ARN", downstream.arn());
    downstream.grant_start_execution(&mut stack, f);
    let mut steps: Vec<Step> = letters
        .iter()
        .zip(&step_functions)
        .map(|(l, f)| {
            let s = tasks::lambda_function(&format!("step-{l}"), f).timeout(11);
            let s = if *l == "a" {
                s
            } else {
                s.retry(precondition_retry())
            };
            s.retry(tasks::lambda_service_retry())
        })
        .collect();
    let first_step = steps.remove(0);
    let process = StateMachine::new(
        &mut stack,
        "ProcessA",
        StateMachineProps::new(chain(first_step, steps)).comment("A process model"),
    );

    // the REST service that embeds ProcessA
    let service = Function::new(
        &mut stack,
        "Service",
        FunctionProps::new("embedded-service")
            .description("Runs ProcessA for each request and answers with its outcome")
            .timeout_seconds(25)
            .log_retention(config.log_retention_days.0)
            .env("BUCKET_NAME", bucket.name())
            .env("STEP_FN_ARN", process.arn()),
    );
    bucket.grant_put(&mut stack, &service);
    process.grant_start_execution(&mut stack, &service);
    process.grant_read(&mut stack, &service);
    let api = RestApi::new(&mut stack, "ServiceApi", RestApiProps::new());
    let resource = api.root().add_resource(&mut stack, "process");
    resource.add_method(
        &mut stack,
        HttpMethod::Post,
        Integration::LambdaProxy {
            function: service.clone(),
            streaming: false,
            timeout_ms: Some(29_000),
        },
        MethodOptions::new(),
    );
    let stage = api.deploy(&mut stack, StageOptions::new(&config.stage_name));

    // watching ProcessA
    Dashboard::new(
        &mut stack,
        "Dashboard",
        DashboardProps::new()
            .row(vec![
                Widget::graph("Executions Started", vec![process.metric_started()]),
                Widget::graph("Executions Succeeded", vec![process.metric_succeeded()]),
            ])
            .row(vec![
                Widget::graph("Execution Time", vec![process.metric_time()]),
                Widget::graph(
                    "Execution Problems",
                    vec![
                        process.metric_aborted(),
                        process.metric_failed(),
                        process.metric_timed_out(),
                        process.metric_throttled(),
                    ],
                ),
            ]),
    );

    // what a caller of ProcessA needs
    let caller = ManagedPolicy::new(
        &mut stack,
        "StateMachineAccess",
        ManagedPolicyProps::new([
            PolicyStatement::allow()
                .sid("s3")
                .actions(["s3:GetObject", "s3:PutObject"])
                .resource(bucket.arn_for_objects("*")),
            PolicyStatement::allow()
                .sid("sfndescexec")
                .action("states:DescribeExecution")
                .resource(process.executions_arn()),
            PolicyStatement::allow()
                .sid("sfnstart")
                .action("states:StartExecution")
                .resource(process.arn()),
        ])
        .description("Lets a caller store process data and run ProcessA"),
    );

    stack
        .add_output("ServiceUrl", stage.url())
        .description("POST process/ to run ProcessA");
    stack
        .add_output("BucketName", bucket.name())
        .description("The process data bucket");
    stack
        .add_output("ProcessAArn", process.arn())
        .description("ProcessA");
    stack
        .add_output("DownstreamProcessArn", downstream.arn())
        .description("DownstreamProcess");
    stack
        .add_output("CallerPolicyArn", caller.arn())
        .description("Attach to a caller of ProcessA");
    stack
}
