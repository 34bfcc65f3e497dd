//! The hostile-input suite (issue 20): each case hands rcdk an input a user, a file or an
//! endpoint could send, and asserts the exit code, the message (what is wrong and where), and
//! that nothing was written, read or deleted outside what the user named. Bounded time and
//! memory are part of each assertion: a case that hangs or overflows the stack fails the suite.
//!
//! One module per area; each case says which defect it guards against.

#[path = "../common/mod.rs"]
mod common;

mod assembly;
mod moto;
mod moto_exports;
mod runner;
mod toolkit;
