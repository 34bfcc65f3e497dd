//! `watch`: the app's sources, its settings file and the Lambda crates of the selected stacks
//! (with the path packages they build from) are watched (inotify through notify; writes, creations and removals, gathered for 300 ms);
//! each change synthesizes the app again (its
//! own command, as the AWS CDK's watch runs `app`) and deploys it with the hotswap, falling back
//! to a change set for what the APIs cannot change. Only the crates whose asset changed are
//! built. A failing build or synth is shown as it came and the loop goes on; Ctrl-C ends it.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use super::context::Connection;
use super::ToolkitError;
use crate::cli::{AppArgs, ApprovalArg, DeployArgs, TimeoutArg, WatchArgs};
use crate::error::DeployError;

enum Event {
    Files(Vec<PathBuf>),
    Stop,
}

/// True for what is not a source: build output, version control, editors' temporaries.
fn ignored(path: &Path) -> bool {
    let text = path.to_string_lossy();
    if text.contains("/target/") || text.contains("/.git/") || text.contains("/cdk.out") {
        return true;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with(".#")
        || name == "4913"
}

/// What the app's deploy of one cycle takes.
fn deploy_args(args: &WatchArgs) -> DeployArgs {
    DeployArgs {
        stacks: args.stacks.clone(),
        app: AppArgs {
            app: args.app.clone(),
            output: args.output.clone(),
        },
        all: args.stacks.is_empty(),
        require_approval: ApprovalArg::Never,
        no_rollback: false,
        outputs_file: None,
        parameters: Vec::new(),
        force: false,
        timeout: TimeoutArg { minutes: 60 },
        hotswap: args.hotswap_only,
        hotswap_fallback: !args.hotswap_only,
        concurrency: 4,
    }
}

/// The paths watched: the app's sources and manifest, its settings, every Lambda crate.
fn watched(args: &WatchArgs) -> Vec<PathBuf> {
    let root = &args.root;
    let mut out = vec![root.join("src"), root.join("Cargo.toml")];
    if let Some(c) = &args.config {
        out.push(if c.is_absolute() {
            c.clone()
        } else {
            root.join(c)
        });
    }
    if let Ok(a) = constructs::AssemblyDir::read(&args.output) {
        // each crate and every path package it builds from (path dependencies, [patch]es),
        // through the one cargo model
        let model = constructs::core::cargo::load(root).ok();
        for s in &a.assembly.stacks {
            for asset in &s.assets {
                out.push(root.join(&asset.crate_dir));
                if let Some(m) = &model {
                    out.extend(
                        m.reachable(&asset.package)
                            .into_iter()
                            .filter(|p| p.source.is_none())
                            .map(|p| p.dir.clone()),
                    );
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out.retain(|p| p.exists());
    out
}

pub fn run(conn: &Connection, args: &WatchArgs) -> Result<(), ToolkitError> {
    let (tx, rx) = mpsc::channel::<Event>();
    // Ctrl-C ends the loop between cycles (a deploy under way handles it itself)
    let stop = tx.clone();
    std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(async {
                let _ = tokio::signal::ctrl_c().await;
            });
            let _ = stop.send(Event::Stop);
        }
    });
    // a first deploy, as the AWS CDK's watch does, which also writes the assembly
    cycle(conn, args, &[]);
    let files = tx.clone();
    // reads (the synth's own) are events too: only writes, creations and removals count
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if !matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        ) {
            return;
        }
        let paths: Vec<PathBuf> = event.paths.into_iter().filter(|p| !ignored(p)).collect();
        if !paths.is_empty() {
            let _ = files.send(Event::Files(paths));
        }
    })
    .map_err(|e| watch_error(&args.root, e))?;
    let paths = watched(args);
    for p in &paths {
        let mode = if p.is_dir() {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        watcher.watch(p, mode).map_err(|e| watch_error(p, e))?;
    }
    outln!(
        "watch: watching {} path(s) under {} (Ctrl-C ends)",
        paths.len(),
        args.root.display()
    );
    loop {
        match rx.recv() {
            Ok(Event::Files(mut changed)) => {
                // an editor's save is several events: gather them for 300 ms
                let quiet = Instant::now() + Duration::from_millis(300);
                while let Some(left) = quiet.checked_duration_since(Instant::now()) {
                    match rx.recv_timeout(left) {
                        Ok(Event::Files(more)) => changed.extend(more),
                        Ok(Event::Stop) => {
                            outln!("watch: stopped");
                            return Ok(());
                        }
                        Err(_) => break,
                    }
                }
                changed.sort();
                changed.dedup();
                cycle(conn, args, &changed);
            }
            Ok(Event::Stop) | Err(_) => {
                outln!("watch: stopped");
                return Ok(());
            }
        }
    }
}

/// One cycle: synthesize, hotswap or deploy; one line says what changed and how it went.
fn cycle(conn: &Connection, args: &WatchArgs, changed: &[PathBuf]) {
    let started = Instant::now();
    let what = match changed {
        [] => "first deploy".to_string(),
        [one] => relative(one, &args.root),
        [first, rest @ ..] => format!("{} and {} more", relative(first, &args.root), rest.len()),
    };
    let outcome = super::deploy::run(conn, &deploy_args(args));
    let seconds = started.elapsed().as_secs_f64();
    match outcome {
        Ok(()) => outln!("watch: {what}: done in {seconds:.1} s"),
        Err(e) => {
            errln!("{:?}", miette::Report::new(e));
            outln!("watch: {what}: failed after {seconds:.1} s (watching on)");
        }
    }
}

fn relative(p: &Path, root: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn watch_error(path: &Path, e: impl std::fmt::Display) -> ToolkitError {
    ToolkitError::Deploy(DeployError::Io {
        action: "watch",
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_output_and_editor_files_are_not_sources() {
        assert!(ignored(Path::new("/app/target/debug/x.rs")));
        assert!(ignored(Path::new("/app/src/main.rs~")));
        assert!(ignored(Path::new("/app/src/.main.rs.swp")));
        assert!(ignored(Path::new("/app/src/4913")));
        assert!(!ignored(Path::new("/app/src/main.rs")));
        assert!(!ignored(Path::new("/app/lambdas/handler/src/main.rs")));
    }
}
