//! What a stack's CloudFormation status allows deploy to do with it. Every status
//! CloudFormation documents is classified; one it may add later is `Unknown`, never a panic.

use aws_sdk_cloudformation::types::StackStatus;

/// What deploy may do with a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackState {
    /// No stack (or a deleted one): create it.
    Absent,
    /// A change set was created but never executed (`REVIEW_IN_PROGRESS`): create it.
    InReview,
    /// A stable state: update it.
    Ready,
    /// An operation is running: wait for it to end.
    Busy { status: String },
    /// Deploy cannot go on until the stack is recovered.
    Blocked {
        status: String,
        /// What happened.
        reason: String,
        /// The exact command that recovers it.
        recover: String,
    },
    /// A status this version of rcdk does not know.
    Unknown { status: String },
}

/// Whether an operation is running on the stack (CloudFormation will change its status by
/// itself). A status added after this version is judged by its name.
pub fn is_in_progress(status: &StackStatus) -> bool {
    use StackStatus as S;
    match status {
        S::CreateInProgress
        | S::DeleteInProgress
        | S::ImportInProgress
        | S::ImportRollbackInProgress
        | S::ReviewInProgress
        | S::RollbackInProgress
        | S::UpdateCompleteCleanupInProgress
        | S::UpdateInProgress
        | S::UpdateRollbackCompleteCleanupInProgress
        | S::UpdateRollbackInProgress => true,
        // every documented status is named above or is stable; a newer one is known by name
        other => other.as_str().ends_with("_IN_PROGRESS"),
    }
}

/// Classifies a stack's status (`None`: the stack does not exist).
pub fn classify(stack: &str, status: Option<&StackStatus>) -> StackState {
    use StackStatus as S;
    let Some(status) = status else {
        return StackState::Absent;
    };
    // a status CloudFormation adds later is shown as it sends it, escaped
    let name = crate::ui::clean_line(status.as_str()).into_owned();
    let blocked = |reason: &str, recover: String| StackState::Blocked {
        status: name.clone(),
        reason: reason.to_string(),
        recover,
    };
    let delete = format!("aws cloudformation delete-stack --stack-name {stack}");
    match status {
        S::DeleteComplete => StackState::Absent,
        S::ReviewInProgress => StackState::InReview,
        S::CreateComplete
        | S::UpdateComplete
        | S::UpdateRollbackComplete
        | S::ImportComplete
        | S::ImportRollbackComplete
        // a create or an update that failed with rollback disabled (--no-rollback) keeps what
        // it provisioned; CloudFormation takes an update of it (the next deploy)
        | S::UpdateFailed
        | S::CreateFailed => StackState::Ready,
        S::RollbackComplete => blocked(
            "its creation failed and was rolled back; CloudFormation cannot update it, only delete it",
            delete,
        ),
        S::RollbackFailed => blocked(
            "its creation failed and so did the rollback; delete it (its events say why it failed)",
            delete,
        ),
        S::DeleteFailed => blocked(
            "its deletion failed; some resources could not be deleted (see its events), delete it again once they can be, or retain them",
            format!("{delete} --retain-resources <LogicalId> ..."),
        ),
        S::UpdateRollbackFailed => blocked(
            "an update failed and so did its rollback; finish the rollback first",
            format!("aws cloudformation continue-update-rollback --stack-name {stack}"),
        ),
        // RollbackStack and ContinueUpdateRollback do not take this status; deleting does
        S::ImportRollbackFailed => blocked(
            "an import failed and so did its rollback; delete it, retaining what must stay",
            format!("{delete} --retain-resources <LogicalId> ..."),
        ),
        s if is_in_progress(s) => StackState::Busy { status: name },
        _ => StackState::Unknown { status: name },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status of the CloudFormation API reference.
    const ALL: &[&str] = &[
        "CREATE_IN_PROGRESS",
        "CREATE_FAILED",
        "CREATE_COMPLETE",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_FAILED",
        "ROLLBACK_COMPLETE",
        "DELETE_IN_PROGRESS",
        "DELETE_FAILED",
        "DELETE_COMPLETE",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_COMPLETE",
        "UPDATE_FAILED",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_FAILED",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
        "REVIEW_IN_PROGRESS",
        "IMPORT_IN_PROGRESS",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_IN_PROGRESS",
        "IMPORT_ROLLBACK_FAILED",
        "IMPORT_ROLLBACK_COMPLETE",
    ];

    #[test]
    fn every_documented_status_is_known() {
        for status in ALL {
            let state = classify("S", Some(&StackStatus::from(*status)));
            assert!(!matches!(state, StackState::Unknown { .. }), "{status}");
        }
    }

    #[test]
    fn states_by_kind() {
        assert_eq!(classify("S", None), StackState::Absent);
        assert_eq!(
            classify("S", Some(&StackStatus::from("DELETE_COMPLETE"))),
            StackState::Absent
        );
        assert_eq!(
            classify("S", Some(&StackStatus::from("REVIEW_IN_PROGRESS"))),
            StackState::InReview
        );
        for ready in [
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
            "UPDATE_ROLLBACK_COMPLETE",
            "UPDATE_FAILED",
        ] {
            assert_eq!(
                classify("S", Some(&StackStatus::from(ready))),
                StackState::Ready,
                "{ready}"
            );
        }
        for busy in [
            "CREATE_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "DELETE_IN_PROGRESS",
        ] {
            assert!(
                matches!(
                    classify("S", Some(&StackStatus::from(busy))),
                    StackState::Busy { .. }
                ),
                "{busy}"
            );
        }
    }

    #[test]
    fn blocked_stacks_come_with_the_command_that_recovers_them() {
        let recover = |status: &str| match classify("Orders", Some(&StackStatus::from(status))) {
            StackState::Blocked { recover, .. } => recover,
            other => panic!("{status}: {other:?}"),
        };
        assert_eq!(
            recover("ROLLBACK_COMPLETE"),
            "aws cloudformation delete-stack --stack-name Orders"
        );
        assert_eq!(
            recover("ROLLBACK_FAILED"),
            "aws cloudformation delete-stack --stack-name Orders"
        );
        // after --no-rollback, a failed create keeps its resources and can be updated
        assert_eq!(
            classify("Orders", Some(&StackStatus::from("CREATE_FAILED"))),
            StackState::Ready
        );
        assert_eq!(
            classify("Orders", Some(&StackStatus::from("UPDATE_FAILED"))),
            StackState::Ready
        );
        assert!(recover("DELETE_FAILED").contains("--retain-resources"));
        assert_eq!(
            recover("UPDATE_ROLLBACK_FAILED"),
            "aws cloudformation continue-update-rollback --stack-name Orders"
        );
        // only commands valid for the status: RollbackStack takes CREATE_FAILED and
        // UPDATE_FAILED only, so an import whose rollback failed is deleted
        assert!(recover("IMPORT_ROLLBACK_FAILED")
            .starts_with("aws cloudformation delete-stack --stack-name Orders --retain-resources"));
    }

    #[test]
    fn a_status_from_the_future_is_unknown_not_a_panic() {
        assert_eq!(
            classify("S", Some(&StackStatus::from("QUANTUM_ENTANGLED"))),
            StackState::Unknown {
                status: "QUANTUM_ENTANGLED".into()
            }
        );
        assert!(matches!(
            classify("S", Some(&StackStatus::from("TELEPORT_IN_PROGRESS"))),
            StackState::Busy { .. }
        ));
        assert!(matches!(
            classify("S", Some(&StackStatus::from(""))),
            StackState::Unknown { .. }
        ));
    }
}
