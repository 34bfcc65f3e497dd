//! IAM's permission check, registered on a stack for synth to run ([`crate::core::check`]):
//! an action a role must be allowed (a state machine's Task whose rights were neither derived
//! nor granted on the state) that no policy attached to the role allows.

use crate::core::app::App;
use crate::core::check::Check;
use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;

/// An action a role must be allowed by the time the app is synthesized: checked at synth
/// against every policy attached to the role, so a grant made later still counts. Register it
/// with [`Stack::add_check`].
#[derive(Debug, Clone, PartialEq)]
pub struct RequiredPermission {
    /// The role's resource.
    pub role: ResourceRef,
    /// The construct path of what needs it.
    pub by: String,
    /// The property it is needed for (`Definition`).
    pub property: String,
    /// What needs it, in words (`state "Send" calls arn:...:sqs:sendMessage`).
    pub what: String,
    /// The action, `sqs:SendMessage`.
    pub action: String,
    /// How to give it.
    pub help: String,
}

impl Check for RequiredPermission {
    /// A problem at what needs the action when no policy attached to the role allows it. A
    /// role whose policies synth cannot see (managed policy ARNs, a role outside the stack) is
    /// not second-guessed.
    fn check(&self, stack: &Stack, _app: &App) -> Vec<Problem> {
        let Some(allowed) = super::actions_allowed(stack, &self.role) else {
            return Vec::new();
        };
        if allowed
            .iter()
            .any(|p| super::action_matches(p, &self.action))
        {
            return Vec::new();
        }
        vec![Problem::new(
            &self.by,
            format!(
                "{}, but no policy of its role {} allows {}",
                self.what, self.role.path, self.action
            ),
        )
        .property(&self.property)
        .help(&self.help)]
    }
}
