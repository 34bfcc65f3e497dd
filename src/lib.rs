//! The first rcdk app: the five patterns of `../shared/seeds/`, built from `config.json`
//! through rcdk's public entry point, like any user's app.

pub mod app;
pub mod commands;
pub mod config;
pub mod load_table;
pub mod patterns;
