//! The core: app, stacks, construct paths and logical ids, tokens, the template model,
//! synthesis, validation and the cloud assembly. It knows no AWS service.

pub mod app;
pub mod aspect;
pub mod assembly;
pub mod asset;
pub mod cargo;
pub mod check;
pub(crate) mod checks;
pub(crate) mod deferred;
pub mod env;
pub mod error;
pub mod folder;
pub mod l1;
pub mod mapping;
pub mod names;
pub mod parameter;
pub mod path;
pub mod resource;
pub mod stack;
pub mod synth;
pub mod tags;
pub mod token;
pub mod value;
pub mod yaml;
