//! The first rcdk app: the five patterns of `../shared/seeds/`, built from `config.json`
//! through rcdk's public entry point, like any user's app.

pub mod app;
pub mod commands;
pub mod config;
pub mod load_table;
pub mod patterns;

/// The README and the book: each of their Rust code blocks is a doctest of this crate, which
/// has every dependency an app's code uses (constructs, rcdk, clap, serde; rcdk-local and
/// tokio as dev-dependencies). `tests/book.rs` checks that every chapter is listed here.
#[cfg(doctest)]
pub mod book {
    macro_rules! chapters {
        ($($name:ident = $file:literal),* $(,)?) => {
            $(#[doc = include_str!(concat!("../book/src/", $file))] pub mod $name {})*
        };
    }

    #[doc = include_str!("../README.md")]
    pub mod readme {}

    chapters! {
        introduction = "introduction.md",
        getting_started = "getting-started.md",
        library = "library.md",
        functions_and_tables = "functions-and-tables.md",
        step_functions = "step-functions.md",
        apis = "apis.md",
        messaging = "messaging.md",
        security = "security.md",
        website = "website.md",
        observability = "observability.md",
        l1 = "l1.md",
        environments = "environments.md",
        custom_resources = "custom-resources.md",
        commands = "commands.md",
        pictures = "pictures.md",
        local_runs = "local-runs.md",
        inner_loop = "inner-loop.md",
        testing = "testing.md",
        deploying = "deploying.md",
        troubleshooting = "troubleshooting.md",
        patterns = "patterns.md",
        layout = "layout.md",
        moto = "moto.md",
        tests = "tests.md",
        figures = "figures.md",
    }
}
