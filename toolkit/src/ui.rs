//! What deploy, diff and destroy show: live progress bars (indicatif) on a terminal, plain
//! lines otherwise (CI logs, pipes), or captured lines in tests.
//!
//! Nothing an endpoint, a template or a file sends reaches the terminal raw: text from outside
//! goes through [`clean`] (or [`clean_line`]) where it comes in (stack events, AWS's error
//! messages, log events, names read from the assembly), which shows every control character
//! (an escape sequence's ESC, a carriage return, a bidirectional override) as its Rust escape
//! (`\u{1b}`, `\r`); and every line printed goes through [`safe`], which does the same to what
//! is left except the colour sequences rcdk itself writes, and masks the user and password of
//! any URL (`http://***@host`).

use std::borrow::Cow;
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

    /// Prints a line (above the progress bars when they are shown), made [`safe`].
    pub fn line(&self, text: impl AsRef<str>) {
        let text = safe(text.as_ref());
        let text = text.as_ref();
        match &*self.mode {
            Mode::Live(multi) => {
                if multi.println(text).is_err() {
                    outln!("{text}");
                }
            }
            Mode::Plain => outln!("{text}"),
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
            err!("{question} [y/N] ");
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
                bar.set_prefix(format!("{} {verb}", clean_line(stack)));
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
        let (time, status, kind, id, reason) = (
            clean_line(time),
            clean_line(status),
            clean_line(kind),
            clean_line(id),
            clean_line(reason),
        );
        let status = status.as_ref();
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
            let status = clean_line(status);
            bar.finish_with_message(status_style(&status).apply_to(&status).to_string());
        }
    }
}

/// Whether a character must not reach a terminal as it is: C0 and C1 controls, DEL, and the
/// bidirectional embeddings, overrides and isolates (which reorder what is shown).
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text from outside, for the terminal: every control character but newline and tab escaped
/// (`\u{1b}`, `\r`).
pub fn clean(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| is_unsafe(c) && c != '\n' && c != '\t')
}

/// Text from outside that must stay on one line (a name, a status reason): newlines and tabs
/// escaped too.
pub fn clean_line(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// The length of the colour sequence (SGR: ESC `[` digits and `;` `m`) at the start of `text`.
fn sgr_len(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("\u{1b}[")?;
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
    (rest[end..].starts_with('m')).then_some(2 + end + 1)
}

/// A line as it may be printed: control characters escaped except newline, tab and colour
/// sequences, and URLs' users and passwords masked ([`mask_urls`]).
pub fn safe(text: &str) -> Cow<'_, str> {
    let masked = mask_urls(text);
    let has_unsafe = masked
        .char_indices()
        .any(|(i, c)| is_unsafe(c) && c != '\n' && c != '\t' && sgr_len(&masked[i..]).is_none());
    if !has_unsafe {
        return masked;
    }
    let mut out = String::with_capacity(masked.len() + 8);
    let mut i = 0;
    while i < masked.len() {
        let rest = &masked[i..];
        if let Some(n) = sgr_len(rest) {
            out.push_str(&rest[..n]);
            i += n;
            continue;
        }
        let Some(c) = rest.chars().next() else {
            break;
        };
        if is_unsafe(c) && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    Cow::Owned(out)
}

/// Every URL of `text` with its user and password replaced by `***`
/// (`http://user:secret@host:4566/` → `http://***@host:4566/`).
pub fn mask_urls(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // the authority ends at the path, query, fragment or the end of the URL
        let end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#')
                    || c.is_whitespace()
                    || is_unsafe(c)
                    || c == '"'
                    || c == '\''
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(userinfo) => {
                out.push_str("***");
                out.push_str(&authority[userinfo..]);
                changed = true;
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_outside_are_shown_escaped() {
        assert_eq!(clean("plain"), "plain");
        assert_eq!(
            clean("a\u{1b}[2Jb\rc\nd\u{7}e\u{9b}f\u{202e}g"),
            "a\\u{1b}[2Jb\\rc\nd\\u{7}e\\u{9b}f\\u{202e}g"
        );
        assert_eq!(clean_line("two\nlines\t!"), "two\\nlines\\t!");
        // escaping twice changes nothing more
        let once = clean_line("\u{1b}]0;title\u{7}").into_owned();
        assert_eq!(clean_line(&once), once);
    }

    #[test]
    fn printed_lines_keep_rcdk_s_colours_and_nothing_else() {
        let coloured = format!(
            "{}",
            console::Style::new()
                .red()
                .force_styling(true)
                .apply_to("FAILED")
        );
        assert_eq!(safe(&coloured), coloured);
        assert_eq!(
            safe("\u{1b}[31mred\u{1b}[0m \u{1b}[2K\u{1b}]8;;x\u{7}\r"),
            "\u{1b}[31mred\u{1b}[0m \\u{1b}[2K\\u{1b}]8;;x\\u{7}\\r"
        );
    }

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            mask_urls("deploying to us-east-1 at http://admin:s3cret@10.0.0.1:4566/ now"),
            "deploying to us-east-1 at http://***@10.0.0.1:4566/ now"
        );
        assert_eq!(
            mask_urls("https://token@host?x=1 and s3://bucket/key and http://h:1"),
            "https://***@host?x=1 and s3://bucket/key and http://h:1"
        );
        assert_eq!(mask_urls("no url here"), "no url here");
        assert_eq!(safe("GET http://u:p@h/x"), "GET http://***@h/x");
    }
}
