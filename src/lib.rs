//! The rcdk app and CLI: configuration, the app's stacks, and the commands.

pub mod app;
pub mod aws_commands;
pub mod cli;
pub mod commands;
pub mod config;
pub mod patterns;
pub mod toolkit;
