//! The commands the toolkit runs (deploy, diff, destroy, bootstrap, new, run, logs): synthesize
//! where an assembly is needed (bootstrap: to know the environments the stacks name), then hand it to `rcdk-toolkit`, which takes this process's
//! place.

use std::ffi::OsString;

use constructs::Format;

use crate::context::Context;
use crate::error::Error;

/// Commands that work on the app's assembly.
const ON_ASSEMBLY: [&str; 6] = ["deploy", "diff", "destroy", "run", "logs", "bootstrap"];

pub fn run(ctx: &Context, name: &str, args: &[OsString]) -> Result<(), Error> {
    let has = |flag: &str| {
        args.iter().any(|a| {
            let a = a.to_string_lossy();
            a == flag || a.starts_with(&format!("{flag}="))
        })
    };
    // a problem in the app stops here, before the toolkit is looked for (or built) and
    // before anything talks to AWS
    // `run --definition FILE` runs a file, not the app
    let needs_app = ON_ASSEMBLY.contains(&name) && !(name == "run" && has("--definition"));
    let assembly = if needs_app && !has("--app") && !has("--help") && !has("-h") {
        let out = super::synth::default_out();
        // the templates' warnings matter to what deploys or compares them, not to a local
        // run, the logs or a destroy
        let options = super::synth::WriteOptions {
            diagrams: false,
            warnings: matches!(name, "deploy" | "diff"),
        };
        super::synth::write(ctx, &out, Format::Json, None, options)?;
        Some(out)
    } else {
        None
    };
    let mut cmd = ctx.toolkit()?;
    cmd.arg(name);
    if let Some(out) = assembly {
        cmd.arg("--app").arg(out);
    }
    if name == "watch" && !has("--app") {
        // each cycle builds and runs this app again: its own synth, with its settings
        cmd.arg("--app").arg(watch_command(ctx)?);
        let absolute =
            |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        cmd.arg("--output")
            .arg(absolute(&super::synth::default_out()));
        cmd.arg("--root").arg(ctx.root());
        cmd.arg("--config").arg(absolute(ctx.config_path()));
    }
    if name == "new" && !has("--root") {
        cmd.arg("--root").arg(ctx.root());
    }
    cmd.args(args);
    exec(cmd)
}

/// Runs `cmd` in this process's place (Unix: exec, so that signals and the exit code are the
/// toolkit's own), or as a child whose exit code becomes ours.
fn exec(mut cmd: std::process::Command) -> Result<(), Error> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let failed = |e: std::io::Error| Error::Toolkit {
        what: program.clone(),
        message: e.to_string(),
        help: Some("set RCDK_TOOLKIT to the rcdk-toolkit binary".into()),
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = cmd.exec();
        Err(failed(e))
    }
    #[cfg(not(unix))]
    {
        // the toolkit has said why it failed; its exit code becomes the app's, through main
        let status = cmd.status().map_err(failed)?;
        match status.code() {
            Some(0) => Ok(()),
            code => Err(Error::Exited {
                code: code.and_then(|c| u8::try_from(c).ok()).unwrap_or(1),
            }),
        }
    }
}

/// The command that synthesizes this app after an edit: `cargo run` of its own binary, from
/// its workspace, with the same settings file.
fn watch_command(ctx: &Context) -> Result<String, Error> {
    let exe = std::env::current_exe().map_err(|e| Error::Toolkit {
        what: "watch".into(),
        message: format!("cannot tell this app's binary: {e}"),
        help: None,
    })?;
    let bin = exe
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    Ok(format!(
        "cd {} && cargo run -q --bin {} -- --config {} synth -q",
        quote(&ctx.root().display().to_string()),
        quote(&bin),
        quote(
            &std::path::absolute(ctx.config_path())
                .unwrap_or_else(|_| ctx.config_path().to_path_buf())
                .display()
                .to_string()
        )
    ))
}
