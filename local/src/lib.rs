//! Runs Amazon States Language state machines locally.

pub mod error;
mod intrinsics;
pub mod rng;

pub use error::Failure;
