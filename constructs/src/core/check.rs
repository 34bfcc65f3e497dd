//! Checks of the app that construct modules register, run by synth without knowing what they
//! check: the core knows no service. IAM's permission check (an action a Task calls that no
//! policy of its role allows) is one.

use std::fmt;

use super::app::App;
use super::error::Problem;
use super::stack::Stack;

/// A check a construct module registers on a stack ([`Stack::add_check`]); synth runs every
/// check of every stack once its logical ids are known, before it renders the templates, and
/// reports what they find with the app's other problems (the same problem found twice is
/// reported once).
pub trait Check: fmt::Debug + Send + Sync {
    /// The problems found in `stack`, one of the stacks of `app`.
    fn check(&self, stack: &Stack, app: &App) -> Vec<Problem>;
}

/// The problems of every check registered on the app's stacks, in the order the stacks were
/// added and the checks registered, each once.
pub(crate) fn run_checks(app: &App) -> Vec<Problem> {
    let mut found: Vec<Problem> = Vec::new();
    for stack in app.stacks.values() {
        for check in &stack.checks {
            for problem in check.check(stack, app) {
                if !found.contains(&problem) {
                    found.push(problem);
                }
            }
        }
    }
    found
}
