//! Step Functions: the typed Amazon States Language (`asl`), task integrations that derive
//! their IAM statements (`tasks`), and the `StateMachine` construct.

pub mod asl;
pub mod cfn;
mod metrics;
mod permissions;
pub mod state_machine;
mod substitutions;
pub mod tasks;

pub use crate::l1::stepfunctions::CfnStateMachine;
pub use permissions::action_of_resource;
pub use state_machine::{
    DefinitionBody, LogLevel, Logging, StateMachine, StateMachineProps, StateMachineType,
};
