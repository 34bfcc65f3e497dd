//! What deploy, diff and destroy show: live progress bars (indicatif) on a terminal, plain
//! lines otherwise (CI logs, pipes), or captured lines in tests.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use console::Style;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug)]
enum Mode {
    /// Progress bars on stderr, lines through them.
    Live(MultiProgress),
    /// Every line printed as it comes.
    Plain,
    /// Every line kept (tests).
    Capture(Mutex<Vec<String>>),
}

/// The output of a command; cheap to clone, shared by parallel stack deployments.
#[derive(Debug, Clone)]
pub struct Ui {
    mode: Arc<Mode>,
    interactive: bool,
}

impl Ui {
    /// Live progress when stderr is a terminal, plain lines when not.
    pub fn detect() -> Ui {
        let tty = std::io::stderr().is_terminal();
        let mode = if tty {
            Mode::Live(MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
        } else {
            Mode::Plain
        };
        Ui {
            mode: Arc::new(mode),
            interactive: tty && std::io::stdin().is_terminal(),
        }
    }

    /// Keeps every line (and answers no question).
    pub fn capture() -> Ui {
        Ui {
            mode: Arc::new(Mode::Capture(Mutex::new(Vec::new()))),
            interactive: false,
        }
    }

    /// The captured lines (empty unless made by [`Ui::capture`]).
    pub fn lines(&self) -> Vec<String> {
        match &*self.mode {
            Mode::Capture(lines) => lines.lock().map(|l| l.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Whether a question can be asked (stdin and stderr are terminals).
    pub fn interactive(&self) -> bool {
        self.interactive
    }

    /// Prints a line (above the progress bars when they are shown).
    pub fn line(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        match &*self.mode {
            Mode::Live(multi) => {
                if multi.println(text).is_err() {
                    println!("{text}");
                }
            }
            Mode::Plain => println!("{text}"),
            Mode::Capture(lines) => {
                if let Ok(mut l) = lines.lock() {
                    l.push(console::strip_ansi_codes(text).to_string());
                }
            }
        }
    }

    /// Asks a yes/no question on the terminal; `false` unless answered yes.
    pub fn confirm(&self, question: &str) -> bool {
        if !self.interactive {
            return false;
        }
        let ask = || {
            eprint!("{question} [y/N] ");
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer).is_ok()
                && matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
        };
        match &*self.mode {
            Mode::Live(multi) => multi.suspend(ask),
            _ => ask(),
        }
    }

    /// A progress display for one stack operation over `total` resources.
    pub fn progress(&self, stack: &str, verb: &str, total: u64) -> Progress {
        let bar = match &*self.mode {
            Mode::Live(multi) => {
                let bar = multi.add(ProgressBar::new(total.max(1)));
                let style = ProgressStyle::with_template(
                    "{prefix:.bold} [{bar:24}] {pos}/{len} {elapsed:>4} {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
                bar.set_style(style);
                bar.set_prefix(format!("{stack} {verb}"));
                bar.enable_steady_tick(Duration::from_millis(250));
                Some(bar)
            }
            _ => None,
        };
        Progress {
            ui: self.clone(),
            stack: stack.to_string(),
            bar,
        }
    }
}

/// One stack's live progress.
#[derive(Debug)]
pub struct Progress {
    ui: Ui,
    stack: String,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Shows one stack event: on a terminal the bar moves to `done` and shows the event (and
    /// failures are printed above it); otherwise the event is a line.
    pub fn event(&self, done: u64, time: &str, status: &str, kind: &str, id: &str, reason: &str) {
        let styled = status_style(status).apply_to(status);
        let reason = if reason.is_empty() {
            String::new()
        } else {
            format!("  {reason}")
        };
        match &self.bar {
            Some(bar) => {
                bar.set_position(done.min(bar.length().unwrap_or(done)));
                bar.set_message(format!("{id} {styled}"));
                if status.ends_with("FAILED") {
                    self.ui.line(format!(
                        "{} | {time} | {styled} | {kind} | {id}{reason}",
                        self.stack
                    ));
                }
            }
            None => self.ui.line(format!(
                "{} | {time} | {styled} | {kind} | {id}{reason}",
                self.stack
            )),
        }
    }

    /// Ends the display with the stack's final status.
    pub fn finish(&self, status: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_with_message(status_style(status).apply_to(status).to_string());
        }
    }
}

/// Green for completions, red for failures and rollbacks, yellow for work in progress.
pub fn status_style(status: &str) -> Style {
    if status.contains("FAILED") || status.contains("ROLLBACK") {
        Style::new().red()
    } else if status.ends_with("COMPLETE") {
        Style::new().green()
    } else {
        Style::new().yellow()
    }
}
