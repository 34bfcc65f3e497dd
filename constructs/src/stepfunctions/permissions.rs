//! What a machine's role must allow that synth checks: the action each Task calls when no
//! right was derived or granted for it.

use crate::core::stack::Stack;
use crate::core::token::Token;
use crate::core::value::Value;
use crate::iam::{RequiredPermission, Role};

use super::asl::{Definition, StateKind};

/// The IAM action a Task's resource calls, when synth can tell: an optimized or SDK
/// integration (`arn:...:states:::sqs:sendMessage` is `sqs:SendMessage`), or a function ARN.
pub fn action_of_resource(shape: &str, is_function: bool) -> Option<String> {
    if is_function || (shape.contains(":lambda:") && shape.contains(":function:")) {
        return Some("lambda:InvokeFunction".into());
    }
    let integration = shape.split_once(":::")?.1;
    let integration = integration
        .split(".sync")
        .next()
        .unwrap_or(integration)
        .split(".waitForTaskToken")
        .next()
        .unwrap_or(integration);
    let parts: Vec<&str> = integration.split(':').collect();
    let (service, action) = match parts.as_slice() {
        ["aws-sdk", service, action, ..] => (*service, *action),
        [service, action, ..] => (*service, *action),
        _ => return None,
    };
    let capital = |a: &str| {
        let mut cs = a.chars();
        cs.next()
            .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
            .unwrap_or_default()
    };
    Some(match (service, action) {
        ("lambda", "invoke") => "lambda:InvokeFunction".into(),
        ("http", "invoke") => "states:InvokeHTTPEndpoint".into(),
        ("apigateway", "invoke") => "execute-api:Invoke".into(),
        (service, action) => format!("{service}:{}", capital(action)),
    })
}

/// Records, for every Task with no derived or granted right (and not marked as managed
/// elsewhere), the action its role must allow by synth.
pub(crate) fn require_task_permissions(
    stack: &mut Stack,
    definition: &Definition,
    role: &Role,
    path: &str,
) {
    let mut needs = Vec::new();
    definition.walk(&mut |name, state, _| {
        let StateKind::Task(t) = &state.kind else {
            return;
        };
        if !t.policy.is_empty() || t.permissions_managed_elsewhere {
            return;
        }
        let is_function = match &t.resource {
            Value::Token(token) => match token.as_ref() {
                Token::GetAtt(r, _) | Token::Ref(r) => stack
                    .resource(r)
                    .is_some_and(|res| res.type_name == "AWS::Lambda::Function"),
                _ => false,
            },
            _ => false,
        };
        let shape = super::asl::validate::shape(&t.resource);
        if let Some(action) = action_of_resource(&shape, is_function) {
            needs.push((name.to_string(), shape, action));
        }
    });
    for (state, resource, action) in needs {
        stack.add_check(RequiredPermission {
            role: role.resource().clone(),
            by: path.to_string(),
            property: "Definition".into(),
            what: format!("state {state:?} calls {resource}"),
            help: format!(
                "give the state its right: .grant(PolicyStatement::allow().action(\"{action}\").resource(...)) on the state names what it may call; if the role gets it some other way, mark the state .permissions_managed_elsewhere()"
            ),
            action,
        });
    }
}
