//! Why a command that talks to AWS stopped: one variant per thing a user can act on, each
//! naming the stack (and resource, file or argument) and what to do next.

use std::path::PathBuf;

use miette::Diagnostic;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum DeployError {
    #[error("no AWS region is set")]
    #[diagnostic(
        code(rcdk::aws::no_region),
        help("pass --region us-east-1, or set AWS_REGION, or `region = ...` in the profile of ~/.aws/config")
    )]
    NoRegion,

    #[error("no AWS credentials found{}", profile_suffix(.profile))]
    #[diagnostic(
        code(rcdk::aws::no_credentials),
        help("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile NAME (or AWS_PROFILE); for SSO profiles run `aws sso login --profile NAME` first\n{detail}")
    )]
    NoCredentials {
        profile: Option<String>,
        detail: String,
    },

    #[error("your AWS credentials have expired{}", profile_suffix(.profile))]
    #[diagnostic(
        code(rcdk::aws::expired),
        help("refresh them (`aws sso login`, or new temporary credentials) and run the command again")
    )]
    Expired { profile: Option<String> },

    #[error("AWS rejected the credentials: {message}")]
    #[diagnostic(
        code(rcdk::aws::bad_credentials),
        help("the access key is unknown or the secret does not match; check AWS_ACCESS_KEY_ID / the profile")
    )]
    BadCredentials { message: String },

    #[error("{operation}{}: {message}", stack_suffix(.stack))]
    #[diagnostic(code(rcdk::aws::call))]
    Aws {
        operation: &'static str,
        stack: Option<String>,
        message: String,
    },

    #[error("{operation}: AWS is throttling the requests: {message}")]
    #[diagnostic(
        code(rcdk::aws::throttled),
        help(
            "too many requests in this account and region; wait a little and run the command again"
        )
    )]
    Throttled {
        operation: &'static str,
        message: String,
    },

    #[error("{operation}: no answer from {endpoint}: {message}")]
    #[diagnostic(
        code(rcdk::aws::connection),
        help("check the network (and AWS_ENDPOINT_URL, if set), then run the command again; every call waits at most 10 s to connect and 30 s for an answer, retried, within --timeout where the command has one")
    )]
    Connection {
        operation: &'static str,
        /// Where the call went (`AWS_ENDPOINT_URL` masked, or `AWS (region)`).
        endpoint: String,
        message: String,
    },

    #[error("lost track of {stack} while CloudFormation works on it: {cause}")]
    #[diagnostic(
        code(rcdk::deploy::lost_track),
        help("CloudFormation goes on with {stack}; it cannot be cancelled from here. Follow it with:\n  aws cloudformation describe-stack-events --stack-name {stack}\nor in the CloudFormation console; run the command again once it has ended")
    )]
    LostTrack { stack: String, cause: String },

    #[error("{stack} is still {status} after {minutes} min (--timeout)")]
    #[diagnostic(
        code(rcdk::deploy::timeout),
        help("CloudFormation goes on with {stack}; rcdk stopped waiting. Follow it with:\n  aws cloudformation describe-stack-events --stack-name {stack}\nor wait longer with --timeout MINUTES")
    )]
    TimedOut {
        stack: String,
        status: String,
        minutes: u64,
    },

    #[error("this account and region are not bootstrapped: {detail}")]
    #[diagnostic(
        code(rcdk::deploy::not_bootstrapped),
        help("run `cargo run -- bootstrap` once per account and region (it creates the CDKToolkit stack and its asset bucket)")
    )]
    NotBootstrapped { detail: String },

    #[error("stack {stack} is {status}: {reason}")]
    #[diagnostic(
        code(rcdk::deploy::blocked),
        help("recover it with:\n  {recover}\nthen deploy again")
    )]
    Blocked {
        stack: String,
        status: String,
        reason: String,
        recover: String,
    },

    #[error("stack {stack} has the status {status}, which this version of rcdk does not know")]
    #[diagnostic(
        code(rcdk::deploy::unknown_status),
        help("check it in the CloudFormation console; deploy again once it is stable")
    )]
    UnknownStatus { stack: String, status: String },

    #[error("the change set of {stack} failed: {reason}")]
    #[diagnostic(code(rcdk::deploy::change_set))]
    ChangeSet { stack: String, reason: String },

    #[error("{stack} needs approval and nobody can give it (not a terminal): {reason}")]
    #[diagnostic(
        code(rcdk::deploy::approval),
        help("review the changes (`cargo run -- diff {stack}`), then run again with --require-approval never")
    )]
    ApprovalNeeded { stack: String, reason: String },

    #[error("the changes of {stack} were not approved; its change set was deleted")]
    #[diagnostic(code(rcdk::deploy::declined))]
    Declined { stack: String },

    #[error("{stack} ended {status}")]
    #[diagnostic(code(rcdk::deploy::failed), help("{help}"))]
    StackFailed {
        stack: String,
        status: String,
        help: String,
    },

    #[error("a hotswap cannot make these changes:\n{changes}")]
    #[diagnostic(
        code(rcdk::deploy::not_hotswappable),
        help("deploy without --hotswap, or with --hotswap-fallback to deploy such stacks through a change set")
    )]
    NotHotswappable { changes: String },

    #[error("the hotswap of {what} failed: {source}")]
    #[diagnostic(
        code(rcdk::deploy::hotswap),
        help("the changes made before it stay live; a normal deploy puts every stack back in line with its template")
    )]
    Hotswap {
        what: String,
        #[source]
        source: crate::hotswap::HotswapError,
    },

    #[error("{count} stack(s) failed: {stacks}")]
    #[diagnostic(code(rcdk::deploy::failed))]
    Several { count: usize, stacks: String },

    #[error("cargo lambda build failed (its output is above){}", status_suffix(.status))]
    #[diagnostic(code(rcdk::deploy::build), help("fix the crate and deploy again; `cargo lambda build --release --arm64 -p <crate>` reproduces it"))]
    Build { status: Option<i32> },

    #[error("cargo-lambda is not installed")]
    #[diagnostic(
        code(rcdk::deploy::no_cargo_lambda),
        help("install it with `pip install cargo-lambda` (or run scripts/test once, which installs it into .venv)")
    )]
    NoCargoLambda,

    /// The app's cargo workspace cannot be read (the one cargo model, `cargo metadata`).
    #[error("{message}")]
    #[diagnostic(code(rcdk::cargo))]
    Cargo { message: String },

    #[error("cannot {action} {}: {source}", path.display())]
    #[diagnostic(code(rcdk::io))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("stack {stack} has termination protection")]
    #[diagnostic(
        code(rcdk::destroy::protected),
        help("it was turned on to stop deletes; if you really mean to delete it:\n  aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {stack}")
    )]
    Protected { stack: String },

    #[error("destroy deletes {stacks} and needs confirmation, but this is not a terminal")]
    #[diagnostic(code(rcdk::destroy::confirm), help("run again with --force"))]
    NeedsConfirmation { stacks: String },

    #[error("{}{message}", given_prefix(.given))]
    #[diagnostic(
        code(rcdk::usage::parameter),
        help("give KEY=VALUE for every selected stack that declares KEY, or STACK:KEY=VALUE for one stack")
    )]
    BadParameter { given: String, message: String },

    #[error("interrupted")]
    #[diagnostic(code(rcdk::interrupted), help("{message}"))]
    Interrupted { message: String },

    #[error("{stack}: {message}")]
    #[diagnostic(code(rcdk::deploy::template))]
    Template { stack: String, message: String },

    #[error("the assembly at {} does not say where the app's cargo workspace is, so its Lambda crates cannot be built", dir.display())]
    #[diagnostic(
        code(rcdk::deploy::no_workspace),
        help("synthesize it with an rcdk app (`cargo run -- synth`), which records the workspace in rcdk.json")
    )]
    NoWorkspace { dir: PathBuf },

    #[error("the stacks of {environment} need credentials of that account; these are of {actual}{}{}", profile_suffix(.profile), role_suffix(.role))]
    #[diagnostic(
        code(rcdk::deploy::account),
        help("give --role <account>=<ARN of a role of that account> (assumed with these credentials), or --profile of a profile of that account, or deploy the other stacks by name")
    )]
    WrongAccount {
        environment: String,
        actual: String,
        profile: Option<String>,
        role: Option<String>,
    },

    #[error("cannot assume {role}: {detail}")]
    #[diagnostic(
        code(rcdk::deploy::assume_role),
        help("the role must trust the account of the credentials in use (its trust policy) and allow them sts:AssumeRole")
    )]
    AssumeRole { role: String, detail: String },

    #[error("{stack}: publishing {folder} (construct {construct}): {message}")]
    #[diagnostic(
        code(rcdk::deploy::publish),
        help("the stack itself is deployed; fix the folder and run deploy again, which uploads only what is missing")
    )]
    Publish {
        stack: String,
        construct: String,
        folder: String,
        message: String,
    },
}

fn role_suffix(role: &Option<String>) -> String {
    match role {
        Some(r) => format!(" (after assuming {r})"),
        None => String::new(),
    }
}

/// `--parameters "A=1": ` before a message about what was given; nothing when the problem is
/// a parameter nobody gave.
fn given_prefix(given: &str) -> String {
    if given.is_empty() {
        String::new()
    } else {
        format!("--parameters {given:?}: ")
    }
}

fn profile_suffix(profile: &Option<String>) -> String {
    profile
        .as_ref()
        .map(|p| format!(" (profile {p})"))
        .unwrap_or_default()
}

fn stack_suffix(stack: &Option<String>) -> String {
    stack
        .as_ref()
        .map(|s| format!(" of {s}"))
        .unwrap_or_default()
}

fn status_suffix(status: &Option<i32>) -> String {
    status
        .map(|s| format!(" (exit status {s})"))
        .unwrap_or_default()
}

impl DeployError {
    /// 2 for usage errors (a bad `--parameters`); 130 after Ctrl-C; 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            DeployError::BadParameter { .. } => 2,
            DeployError::Interrupted { .. } => 130,
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DeployError;

    #[test]
    fn a_parameter_nobody_gave_is_not_quoted_as_an_empty_argument() {
        let missing = DeployError::BadParameter {
            given: String::new(),
            message: "stack Params declares the parameter Stage without a default".into(),
        };
        assert_eq!(
            missing.to_string(),
            "stack Params declares the parameter Stage without a default"
        );
        let bad = DeployError::BadParameter {
            given: "Stage".into(),
            message: "expected KEY=VALUE".into(),
        };
        assert_eq!(
            bad.to_string(),
            "--parameters \"Stage\": expected KEY=VALUE"
        );
    }
}
