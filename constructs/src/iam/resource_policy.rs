//! Resource policies (a bucket's, a queue's, a topic's): one per resource, in the resource's
//! own stack, whichever stack adds a statement to it.

use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::ToCfn;

use super::PolicyStatement;

/// Adds `statement` to the resource policy of a resource (a bucket's, a queue's, a topic's):
/// the resource `{owner_id}/Policy/Resource` beside it, in the owner's stack, made by `policy`
/// on first use (its `PolicyDocument` empty); a statement that is not valid in a resource
/// policy is reported there, and one already in the policy is not added again.
///
/// `stack` may be another stack than the owner's (a rule of stack B sending to a queue of
/// stack A): the statement then still lands in the owner's one policy, moved there by synth,
/// since SQS, SNS and S3 keep one policy per resource and a second policy of the same
/// resource would overwrite the first at deploy. When the statement refers to a stack that
/// already depends on the owner's, synth refuses it, naming both stacks, with `help`.
pub fn add_to_resource_policy<P: crate::core::resource::CfnProps>(
    stack: &mut Stack,
    owner: &ResourceRef,
    owner_id: &str,
    statement: PolicyStatement,
    policy: impl FnOnce() -> P,
    help: &str,
) {
    let policy_ref = ResourceRef {
        stack: owner.stack.clone(),
        path: format!("{}/{owner_id}/Policy/Resource", owner.stack),
    };
    for p in statement.resource_policy_problems() {
        stack.add_problem(Problem::new(&policy_ref.path, p).property("PolicyDocument"));
    }
    let what = format!("a statement of the {} of {}", P::TYPE, owner.path);
    stack.append_to_resource(
        &policy_ref,
        "PolicyDocument.Statement",
        statement.to_cfn().unwrap_or_default(),
        || crate::core::resource::CfnResource::from_props(&policy()),
        &what,
        help,
    );
}

/// The help of a resource policy statement that would make two stacks depend on each other:
/// `kind` is what holds the policy (`queue`).
pub(crate) fn cross_stack_policy_help(kind: &str) -> String {
    format!(
        "the statement names something of the other stack (a principal, or the aws:SourceArn of \
         what sends), which itself refers to the {kind}: put the {kind} and what uses it in one \
         stack, or name the other resource without a reference (by an ARN built from a name \
         you give it)"
    )
}
