//! rcdk's toolkit: everything that talks to AWS (deploy, diff, destroy, bootstrap, put-item,
//! the live calls of a local run)
//! and the scaffolding of new apps and crates, working on a cloud assembly that an app's
//! `synth` wrote. Its binary, `rcdk-toolkit`, is built once and reused by every app.

/// `print!`, `println!`, `eprint!` and `eprintln!` for the command's own output, ignoring a
/// reader that has gone away (`synth 2>&1 | head`): the std macros panic there, exit 101.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod approval;
pub mod assets;
pub mod aws;
pub mod bootstrap;
pub mod capabilities;
pub mod cfn;
pub mod cli;
pub mod commands;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod error;
pub mod hotswap;
pub mod live;
pub mod logs;
pub mod plan;
pub mod publish;
pub mod put_item;
pub mod scaffold;
pub mod schedule;
pub mod signed;
pub mod status;
pub mod template;
pub mod ui;

/// The AWS configuration of the standard chain (environment, profile, `AWS_ENDPOINT_URL`), with
/// `--profile` and `--region` on top, and rcdk's timeouts ([`aws::timeouts`]: every call has a
/// connect and a read timeout, and `deadline`, the command's `--timeout`, bounds each call
/// with its retries) and bounded retries ([`aws::bounded_retries`]).
pub async fn aws_config(
    profile: Option<&str>,
    region: Option<&str>,
    deadline: Option<std::time::Duration>,
) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(aws::timeouts(deadline));
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(aws_config::Region::new(r.to_string()));
    }
    let config = loader.load().await;
    let retries = aws::bounded_retries(config.retry_config());
    config.to_builder().retry_config(retries).build()
}
