//! Lambda as Step Functions calls it: the `lambda:invoke` integration (a `FunctionName` and
//! a `Payload`, answered with `{"StatusCode", "Payload", ...}`) and a function ARN as the
//! resource (the payload in, the function's output out).

use serde_json::{json, Value as Json};

use crate::error::Failure;
use crate::run::TaskCall;

/// What a Task asks of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// The function: a name, an ARN, or a partial ARN, perhaps with a qualifier.
    pub function: String,
    /// The event the function receives.
    pub payload: Json,
    /// The integration's shape of answer (else the function's output itself).
    pub integration: bool,
}

/// The invocation a call makes, if it calls a function.
pub fn invocation(call: &TaskCall<'_>) -> Option<Invocation> {
    let r = call.resource;
    if r.starts_with("arn:aws:states:::lambda:invoke") {
        let function = call.input.get("FunctionName")?.as_str()?.to_string();
        let payload = call.input.get("Payload").cloned().unwrap_or(json!({}));
        return Some(Invocation {
            function,
            payload,
            integration: true,
        });
    }
    if r.starts_with("arn:aws:lambda:") && r.contains(":function:") {
        return Some(Invocation {
            function: r.to_string(),
            payload: call.input.clone(),
            integration: false,
        });
    }
    None
}

/// The function's name in any of the forms Lambda accepts (`name`, `name:qualifier`, an ARN,
/// a partial ARN `123456789012:function:name`).
pub fn function_name(reference: &str) -> &str {
    match reference.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => reference.split(':').next().unwrap_or(reference),
    }
}

/// What the Task receives when the function returned `output`.
pub fn answer(invocation: &Invocation, output: Json) -> Json {
    if invocation.integration {
        json!({
            "ExecutedVersion": "$LATEST",
            "Payload": output,
            "StatusCode": 200,
        })
    } else {
        output
    }
}

/// The Task's error when the function failed: its `errorType` as the error, its error
/// object as the cause (as Step Functions reports a function error).
pub fn function_error(error_type: &str, message: &str) -> Failure {
    let cause = json!({"errorMessage": message, "errorType": error_type});
    Failure::new(error_type, cause.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_every_form() {
        assert_eq!(function_name("worker"), "worker");
        assert_eq!(function_name("worker:live"), "worker");
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:worker:$LATEST"),
            "worker"
        );
        assert_eq!(function_name("123456789012:function:worker"), "worker");
    }
}
