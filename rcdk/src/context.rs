//! The run context (built once per run: root, configuration, the app) and the program that
//! parses the command line and runs one command over it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Subcommand};
use serde::de::DeserializeOwned;

use constructs::{App, CloudAssembly};

use crate::cli::{Builtin, Cli, Globals};
use crate::error::Error;

/// What the app and its commands get: where the app is, its configuration, and the way to the
/// toolkit. Built once per run.
pub struct Context {
    root: PathBuf,
    globals: Globals,
    build: AppFn,
}

impl Context {
    /// The app's cargo workspace: `--root DIR`, else the workspace around the current directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A new, empty app whose Lambda crates are packages of this workspace.
    pub fn app(&self) -> App {
        App::new(&self.root)
    }

    /// The app's configuration, read from `config.json` (or `--config FILE`) into `T`: a
    /// missing file, invalid JSON, an unknown key or a wrong type is an error naming the file,
    /// line, column and key. Apps that never ask need no file.
    pub fn config<T: DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(crate::config::load(&self.globals.config)?)
    }

    /// [`Context::config`], then the limits the type checks itself
    /// ([`crate::config::Validate`]): every value that breaks one is an error naming its key,
    /// its place in the file and the limit, before anything is built or written.
    pub fn validated_config<T: DeserializeOwned + crate::config::Validate>(
        &self,
    ) -> Result<T, Error> {
        Ok(crate::config::load_validated(&self.globals.config)?)
    }

    /// The path of the configuration file (`--config`).
    pub fn config_path(&self) -> &Path {
        &self.globals.config
    }

    /// `--profile`, when given.
    pub fn profile(&self) -> Option<&str> {
        self.globals.profile.as_deref()
    }

    /// `--region`, when given.
    pub fn region(&self) -> Option<&str> {
        self.globals.region.as_deref()
    }

    /// Builds the app (calls the app's function).
    pub fn build_app(&self) -> Result<App, Error> {
        (self.build)(self)
    }

    /// Builds and synthesizes the app.
    pub fn synth(&self) -> Result<CloudAssembly, Error> {
        Ok(self.build_app()?.synth()?)
    }

    /// A command that runs the toolkit binary (found or built, see [`crate::toolkit`]) with
    /// `--profile`/`--region`/`--role` passed on; add the toolkit command and its arguments.
    pub fn toolkit(&self) -> Result<std::process::Command, Error> {
        let binary = crate::toolkit::locate()?;
        let mut cmd = std::process::Command::new(binary);
        if let Some(p) = &self.globals.profile {
            cmd.args(["--profile", p]);
        }
        if let Some(r) = &self.globals.region {
            cmd.args(["--region", r]);
        }
        for role in &self.globals.roles {
            cmd.args(["--role", role]);
        }
        Ok(cmd)
    }
}

/// The app's function: from the context to the app.
type AppFn = Box<dyn Fn(&Context) -> Result<App, Error>>;

type Handler<C> = Box<dyn FnOnce(&Context, C) -> Result<(), Error>>;

/// An app's command line: the built-in commands, and optionally the app's own (`C`, a clap
/// `Subcommand` enum) with the function that runs them.
pub struct Program<C = NoCommands> {
    build: AppFn,
    handler: Option<Handler<C>>,
    about: Option<String>,
}

/// The app-specific commands of an app that declares none.
#[derive(Debug, Subcommand)]
pub enum NoCommands {}

impl Program<NoCommands> {
    /// A program over the app's function.
    pub fn new(build: impl Fn(&Context) -> Result<App, Error> + 'static) -> Self {
        Program {
            build: Box::new(build),
            handler: None,
            about: None,
        }
    }

    /// Adds the app's own subcommands (a clap `Subcommand` enum) and the function that runs
    /// them; they appear in `--help` next to the built-in ones.
    pub fn commands<C: Subcommand>(
        self,
        handler: impl FnOnce(&Context, C) -> Result<(), Error> + 'static,
    ) -> Program<C> {
        Program {
            build: self.build,
            handler: Some(Box::new(handler)),
            about: self.about,
        }
    }
}

impl<C: Subcommand> Program<C> {
    /// The one-line description `--help` shows.
    pub fn about(mut self, about: impl Into<String>) -> Self {
        self.about = Some(about.into());
        self
    }

    /// Parses the process's arguments, runs the command, and returns the exit code (usage
    /// errors: 2, printed by clap).
    pub fn main(self) -> ExitCode {
        self.main_from(std::env::args_os())
    }

    /// [`Program::main`] over the given arguments (the first is the program's name).
    pub fn main_from<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        // long messages name keys and paths: let the terminal wrap them, never split them
        let _ = miette::set_hook(Box::new(|_| {
            Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
        }));
        match self.run_from(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => report(e),
        }
    }

    /// Parses `args` (the first is the program's name) and runs the command; a usage error
    /// is printed by clap, which ends the process with 2.
    pub fn run_from<I, T>(self, args: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let mut command = C::augment_subcommands(Cli::command());
        if let Some(about) = &self.about {
            command = command.about(about.clone());
        }
        // usage lines name the binary as it was run
        if let Some(name) = args.first().and_then(|a| {
            Path::new(a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        }) {
            command = command.bin_name(name);
        }
        let matches = command
            .try_get_matches_from(args)
            .unwrap_or_else(|e| e.exit());
        let globals = Globals::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let is_app_command = matches
            .subcommand_name()
            .is_some_and(|name| C::has_subcommand(name) && !Builtin::has_subcommand(name));
        let root = crate::root::resolve(globals.root.as_deref())?;
        let ctx = Context {
            root,
            globals,
            build: self.build,
        };
        if is_app_command {
            let command = C::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
            match self.handler {
                Some(handler) => handler(&ctx, command),
                None => Ok(()),
            }
        } else {
            let builtin = Builtin::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
            crate::commands::run(&ctx, builtin)
        }
    }
}

/// Prints an error the way the app's commands do and returns its exit code.
pub fn report(e: Error) -> ExitCode {
    let code = e.exit_code();
    match &e {
        Error::Synth(_) => errln!("error: {e}"),
        // the toolkit has printed its own error
        Error::Exited { .. } => {}
        _ => errln!("{:?}", miette::Report::new(e)),
    }
    ExitCode::from(code)
}

/// Runs the app: `fn main() -> ExitCode { rcdk::main(|ctx| my_app(ctx.config()?, ctx)) }`.
pub fn main(build: impl Fn(&Context) -> Result<App, Error> + 'static) -> ExitCode {
    Program::new(build).main()
}

#[cfg(test)]
mod tests {
    use super::*;
    use constructs::core::resource::CfnResource;
    use constructs::Stack;

    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
        dir
    }

    fn one_topic(ctx: &Context) -> App {
        let mut app = ctx.app();
        let mut stack = Stack::new("Topics");
        stack.add_resource(
            "Topic",
            CfnResource::custom("AWS::SNS::Topic", serde_json::json!({})),
        );
        app.add_stack(stack);
        app
    }

    #[derive(Debug, serde::Deserialize)]
    struct Settings {
        #[allow(dead_code)]
        name: String,
    }

    #[test]
    fn an_app_without_configuration_needs_no_file() {
        let ws = workspace();
        let root = ws.path().to_string_lossy().into_owned();
        let missing = ws.path().join("config.json").to_string_lossy().into_owned();
        let run = |program: Program| {
            program.run_from(["app", "--root", &root, "--config", &missing, "list"])
        };
        run(Program::new(|ctx| Ok(one_topic(ctx)))).unwrap();
        // one that asks for its configuration is told the file is missing (a usage error)
        let e = run(Program::new(|ctx| {
            let _: Settings = ctx.config()?;
            Ok(one_topic(ctx))
        }))
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("not found"), "{e}");
    }

    #[derive(Debug, clap::Subcommand)]
    enum Extra {
        /// Says hello.
        Hello {
            #[arg(long)]
            name: String,
        },
    }

    #[test]
    fn an_app_command_runs_next_to_the_built_in_ones() {
        let ws = workspace();
        let root = ws.path().to_string_lossy().into_owned();
        let said = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
        let seen = said.clone();
        Program::new(|ctx| Ok(one_topic(ctx)))
            .commands(move |ctx, extra: Extra| {
                let Extra::Hello { name } = extra;
                *seen.borrow_mut() = format!("{name} in {}", ctx.root().display());
                Ok(())
            })
            .run_from(["app", "--root", &root, "hello", "--name", "Ada"])
            .unwrap();
        assert_eq!(*said.borrow(), format!("Ada in {root}"));
        // the built-in ones still work in the same program
        let out = ws.path().join("out").to_string_lossy().into_owned();
        Program::new(|ctx| Ok(one_topic(ctx)))
            .commands(|_, _: Extra| Ok(()))
            .run_from(["app", "--root", &root, "synth", "-q", "-o", &out])
            .unwrap();
        assert!(ws.path().join("out/Topics.template.json").is_file());
        let recorded = std::fs::read_to_string(ws.path().join("out/rcdk.json")).unwrap();
        assert!(recorded.contains("\"workspace\": \"..\""), "{recorded}");
    }
}
