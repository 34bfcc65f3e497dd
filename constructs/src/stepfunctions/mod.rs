//! Step Functions: the `AWS::StepFunctions::StateMachine` L1. The typed Amazon States
//! Language and the `StateMachine` construct build on it.

pub mod asl;
pub mod cfn;

pub use cfn::CfnStateMachine;
