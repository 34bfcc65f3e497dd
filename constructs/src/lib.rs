//! rcdk's construct library: AWS serverless infrastructure as typed Rust values, synthesized
//! to CloudFormation templates.
//!
//! ```no_run
//! use constructs::{App, Stack};
//! use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
//!
//! let mut app = App::new(".");
//! let mut stack = Stack::new("Example");
//! let table = Table::new(&mut stack, "Results", TableProps::new(Attribute::new("Id", AttributeType::String)));
//! stack.add_output("TableName", table.name());
//! app.add_stack(stack);
//! let assembly = app.synth().expect("valid app");
//! ```
//!
//! Nothing here is async, calls AWS or touches the network; synth reads the Lambda crates it
//! hashes and nothing else.

// every public item says what it is for; clippy's -D warnings turns a missing doc into a
// CI failure
#![warn(missing_docs)]

pub mod core;
pub mod diagram;

pub mod apigateway;
pub mod apigatewayv2;
pub mod aspects;
pub mod assertions;
pub mod cloudwatch;
pub mod cognito;
pub mod custom_resources;
pub mod dynamodb;
pub mod events;
pub mod iam;
pub mod kms;
pub mod l1;
pub mod lambda;
pub mod logs;
pub mod registry;
pub mod s3;
pub mod scheduler;
pub mod secretsmanager;
pub mod sns;
pub mod sqs;
pub mod ssm;
pub mod stepfunctions;
pub mod website;

pub use crate::core::app::{App, CloudAssembly};
pub use crate::core::assembly::manifest::Architecture as AssetArchitecture;
pub use crate::core::assembly::{
    AssemblyDir, AssemblyError, Format, RenderedAssembly, SelectError, StackSummary,
};
pub use crate::core::error::{Problem, SynthError, Warning};
pub use crate::core::resource::{
    CfnProps, CfnResource, CycleHelp, DeletionPolicy, NameScope, RemovalPolicy, UniqueName,
    UpdateReplacePolicy,
};
pub use crate::core::stack::{Output, Parameter, ParameterType, Stack};
pub use crate::core::synth::{NestedTemplate, SynthesizedStack};
pub use crate::core::tags::{TagScope, Tags};
pub use crate::core::token::{fns, Aws, Condition, ConditionRef, Pseudo, ResourceRef, Token};
pub use crate::core::value::{ToCfn, Value};
