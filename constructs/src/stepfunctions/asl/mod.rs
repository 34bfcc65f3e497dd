//! The Amazon States Language, typed: states, chaining, conditions, retry and catch,
//! JSONPath and JSONata, intrinsic functions, rendering, parsing and validation.

pub mod chain;
pub mod condition;
pub mod distributed;
pub mod errors;
pub mod file;
pub mod input;
pub mod intrinsics;
pub mod kinds;
pub mod limits;
pub mod model;
pub mod parse;
pub mod render;
mod steps;
pub mod validate;

pub use chain::{
    choice, fail, kind, map, parallel, pass, succeed, task, wait, AfterChoice, Chain, ChoiceStep,
    Closed, Continues, HasArguments, HasParameters, HasResultPath, HasResultSelector, IsOpen, Kind,
    Link, Open, Retries, Shapes, Step,
};
pub use condition::{Comparison, Condition, ConditionError, IsTest, Operand};
pub use file::{read_definition_file, DefinitionFile, Refused};
pub use input::Input;
pub use intrinsics::{jsonata, Arg, ContextPath, Intrinsic, Payload, States};
pub use model::*;
pub use parse::ParseError;
pub use validate::{AslProblem, ValidateOptions, MAX_DEFINITION_BYTES, MAX_STATE_NAME};
