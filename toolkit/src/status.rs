//! What a stack's CloudFormation status allows deploy to do with it. Every status
//! CloudFormation documents is classified; one it may add later is `Unknown`, never a panic.

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

/// Classifies a stack's status (`None`: the stack does not exist).
pub fn classify(stack: &str, status: Option<&str>) -> StackState {
    let Some(status) = status else {
        return StackState::Absent;
    };
    let blocked = |reason: &str, recover: String| StackState::Blocked {
        status: status.to_string(),
        reason: reason.to_string(),
        recover,
    };
    let delete = format!("aws cloudformation delete-stack --stack-name {stack}");
    match status {
        "DELETE_COMPLETE" => StackState::Absent,
        "REVIEW_IN_PROGRESS" => StackState::InReview,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE" | "IMPORT_COMPLETE"
        | "IMPORT_ROLLBACK_COMPLETE"
        // an update that failed with rollback disabled (--no-rollback) may be deployed again
        | "UPDATE_FAILED" => StackState::Ready,
        "ROLLBACK_COMPLETE" => blocked(
            "its creation failed and was rolled back; CloudFormation cannot update it, only delete it",
            delete,
        ),
        "CREATE_FAILED" | "ROLLBACK_FAILED" => blocked(
            "its creation failed and the stack was left as it is; delete it (its events say why it failed)",
            delete,
        ),
        "DELETE_FAILED" => blocked(
            "its deletion failed; some resources could not be deleted (see its events), delete it again once they can be, or retain them",
            format!("{delete} --retain-resources <LogicalId> ..."),
        ),
        "UPDATE_ROLLBACK_FAILED" => blocked(
            "an update failed and so did its rollback; finish the rollback first",
            format!("aws cloudformation continue-update-rollback --stack-name {stack}"),
        ),
        "IMPORT_ROLLBACK_FAILED" => blocked(
            "an import failed and so did its rollback; roll it back again, or delete it",
            format!("aws cloudformation rollback-stack --stack-name {stack}"),
        ),
        s if s.ends_with("_IN_PROGRESS") => StackState::Busy {
            status: status.to_string(),
        },
        _ => StackState::Unknown {
            status: status.to_string(),
        },
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
            let state = classify("S", Some(status));
            assert!(!matches!(state, StackState::Unknown { .. }), "{status}");
        }
    }

    #[test]
    fn states_by_kind() {
        assert_eq!(classify("S", None), StackState::Absent);
        assert_eq!(classify("S", Some("DELETE_COMPLETE")), StackState::Absent);
        assert_eq!(
            classify("S", Some("REVIEW_IN_PROGRESS")),
            StackState::InReview
        );
        for ready in [
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
            "UPDATE_ROLLBACK_COMPLETE",
            "UPDATE_FAILED",
        ] {
            assert_eq!(classify("S", Some(ready)), StackState::Ready, "{ready}");
        }
        for busy in [
            "CREATE_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "DELETE_IN_PROGRESS",
        ] {
            assert!(
                matches!(classify("S", Some(busy)), StackState::Busy { .. }),
                "{busy}"
            );
        }
    }

    #[test]
    fn blocked_stacks_come_with_the_command_that_recovers_them() {
        let recover = |status: &str| match classify("Orders", Some(status)) {
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
        assert_eq!(
            recover("CREATE_FAILED"),
            "aws cloudformation delete-stack --stack-name Orders"
        );
        assert!(recover("DELETE_FAILED").contains("--retain-resources"));
        assert_eq!(
            recover("UPDATE_ROLLBACK_FAILED"),
            "aws cloudformation continue-update-rollback --stack-name Orders"
        );
        assert_eq!(
            recover("IMPORT_ROLLBACK_FAILED"),
            "aws cloudformation rollback-stack --stack-name Orders"
        );
    }

    #[test]
    fn a_status_from_the_future_is_unknown_not_a_panic() {
        assert_eq!(
            classify("S", Some("QUANTUM_ENTANGLED")),
            StackState::Unknown {
                status: "QUANTUM_ENTANGLED".into()
            }
        );
        assert!(matches!(
            classify("S", Some("TELEPORT_IN_PROGRESS")),
            StackState::Busy { .. }
        ));
        assert!(matches!(
            classify("S", Some("")),
            StackState::Unknown { .. }
        ));
    }
}
