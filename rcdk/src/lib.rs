//! rcdk's entry point for apps. An app is a function from a [`Context`] to a
//! [`constructs::App`]; `rcdk::main` turns it into a command line:
//!
//! ```no_run
//! use std::process::ExitCode;
//!
//! #[derive(serde::Deserialize)]
//! struct Settings { table_name: String }
//!
//! fn my_app(settings: Settings, ctx: &rcdk::Context) -> Result<constructs::App, rcdk::Error> {
//!     let mut app = ctx.app();
//!     let mut stack = constructs::Stack::new("Orders");
//!     constructs::dynamodb::Table::new(&mut stack, "Orders", constructs::dynamodb::TableProps::new(
//!         constructs::dynamodb::Attribute::new("id", constructs::dynamodb::AttributeType::String),
//!     ).table_name(settings.table_name));
//!     app.add_stack(stack);
//!     Ok(app)
//! }
//!
//! fn main() -> ExitCode {
//!     rcdk::main(|ctx| my_app(ctx.config()?, ctx))
//! }
//! ```
//!
//! `synth` and `list` run in the app's own process; `deploy`, `diff`, `destroy`, `bootstrap`
//! and `new` synthesize (where they need an assembly) and hand the assembly to the toolkit
//! binary, `rcdk-toolkit`, which holds everything that talks to AWS.

/// `print!`, `println!`, `eprint!` and `eprintln!` for the command's own output, ignoring a
/// reader that has gone away (`synth 2>&1 | head`): the std macros panic there, exit 101.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod error;
pub mod root;
pub mod toolkit;

pub use context::{main, Context, Program};
pub use error::Error;
