//! API Gateway REST APIs: the L1s. The `RestApi` construct builds on them.

pub mod cfn;

pub use cfn::*;
