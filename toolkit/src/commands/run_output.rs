//! What `run` prints, event by event as the execution goes (nothing of the history is kept):
//! the path taken with each state's input and output, or (`--json`) one JSON object with the
//! history. Text that comes from the user (state names, errors, causes, keys of a mock file)
//! reaches the terminal with its control characters escaped.

use std::borrow::Cow;
use std::io::{BufWriter, Stdout, Write};

use console::style;
use rcdk_local::{EventView, Outcome, Status};
use serde_json::Value as Json;

/// `s` with its control characters (C0, DEL and C1, line breaks too) written as `\u{1b}`: a
/// state's name or an error cannot move the cursor, clear the screen, retitle the terminal or
/// forge a line of its own.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`terminal_safe`], keeping line breaks: for messages of several lines.
pub fn terminal_safe_lines(s: &str) -> String {
    s.split('\n')
        .map(terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Standard output, buffered; once it is closed (`rcdk run ... | head`), the rest is dropped
/// quietly, and the run goes on to its end and its exit code.
pub struct Out {
    w: BufWriter<Stdout>,
    closed: bool,
}

impl Out {
    pub fn stdout() -> Self {
        Out {
            w: BufWriter::with_capacity(64 * 1024, std::io::stdout()),
            closed: false,
        }
    }

    pub fn write(&mut self, text: &str) {
        if !self.closed && self.w.write_all(text.as_bytes()).is_err() {
            self.closed = true;
        }
    }

    pub fn line(&mut self, text: &str) {
        self.write(text);
        self.write("\n");
    }

    /// Writes an event as JSON straight into the output.
    pub fn event(&mut self, e: &EventView<'_>, timestamp: &str) {
        if !self.closed && e.write_json(&mut self.w, timestamp).is_err() {
            self.closed = true;
        }
    }

    /// Serializes `v` straight into the output.
    pub fn json(&mut self, v: &impl serde::Serialize) {
        if !self.closed && serde_json::to_writer(&mut self.w, v).is_err() {
            self.closed = true;
        }
    }

    pub fn flush(&mut self) {
        if !self.closed && self.w.flush().is_err() {
            self.closed = true;
        }
    }
}

/// `--json`: `{"history": [...], "executionArn", "status", "output", "error", "cause"}`, each
/// event written on a line of its own as it happens.
pub struct JsonRun<'o> {
    out: &'o mut Out,
    first: bool,
    /// The last timestamp written, as text: on the virtual clock most events share it.
    time: Option<(rcdk_local::clock::Instant, String)>,
}

impl<'o> JsonRun<'o> {
    pub fn start(out: &'o mut Out) -> Self {
        out.write("{\n  \"history\": [");
        JsonRun {
            out,
            first: true,
            time: None,
        }
    }

    /// The event as GetExecutionHistory gives it (its fields in `Event::to_json`'s order).
    pub fn event(&mut self, e: &EventView<'_>) {
        self.out
            .write(if self.first { "\n    " } else { ",\n    " });
        self.first = false;
        let time = match &self.time {
            Some((t, text)) if *t == e.timestamp => text,
            _ => {
                let text = serde_json::to_string(&rcdk_local::clock::format(e.timestamp))
                    .unwrap_or_default();
                &self.time.insert((e.timestamp, text)).1
            }
        };
        self.out.event(e, time);
    }

    pub fn finish(self, outcome: &Outcome) {
        self.out.write(if self.first { "],\n" } else { "\n  ],\n" });
        for (key, value) in [
            ("executionArn", Json::from(outcome.execution_arn.as_str())),
            ("status", Json::from(outcome.status.as_str())),
            ("output", outcome.output.clone().unwrap_or(Json::Null)),
            ("error", Json::from(outcome.error.clone())),
            ("cause", Json::from(outcome.cause.clone())),
        ] {
            self.out.write(&format!("  \"{key}\": "));
            self.out.json(&value);
            self.out.write(if key == "cause" { "\n}\n" } else { ",\n" });
        }
    }
}

/// JSON text cut to `max` characters, for one line.
pub fn short_text(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// JSON cut to `max` characters, for one line.
pub fn short(v: &Json, max: usize) -> String {
    short_text(&v.to_string(), max)
}

/// The path taken, each state's input and output as it exits, then how it ended.
pub struct HumanRun<'o> {
    out: &'o mut Out,
    /// The states open, innermost last: (name, type, input cut for its line).
    open: Vec<(String, String, String)>,
}

impl<'o> HumanRun<'o> {
    pub fn start(out: &'o mut Out, label: &str, real_time: bool) -> Self {
        let clock = if real_time {
            "real time"
        } else {
            "virtual clock"
        };
        out.line(&format!(
            "{} {} ({clock})",
            style("▶").cyan(),
            terminal_safe(label)
        ));
        HumanRun {
            out,
            open: Vec::new(),
        }
    }

    pub fn event(&mut self, e: &EventView<'_>) {
        let text = |field: &str| {
            e.detail_str(field)
                .map_or_else(|| "null".to_string(), |t| short_text(t, 80))
        };
        let indent = |depth: usize| "  ".repeat(depth + 1);
        if let Some(kind) = e.kind.strip_suffix("StateEntered") {
            let name = terminal_safe(e.state_name().unwrap_or_default()).into_owned();
            self.open.push((name, kind.to_string(), text("input")));
        } else if e.kind.ends_with("StateExited") {
            let (name, kind, input) = self.open.pop().unwrap_or_default();
            let line = format!(
                "{}{} {} {input} → {}",
                indent(self.open.len()),
                style(name).bold(),
                style(format!("({kind})")).dim(),
                text("output")
            );
            self.out.line(&line);
        } else if !e.kind.starts_with("Execution")
            && (e.kind.ends_with("Failed") || e.kind.ends_with("TimedOut"))
        {
            if let (Some(error), Some((name, kind, input))) =
                (e.detail_str("error"), self.open.last())
            {
                let cause = e.detail_str("cause").unwrap_or_default();
                let line = format!(
                    "{}{} {} {input} {} {}: {}",
                    indent(self.open.len() - 1),
                    style(name).bold(),
                    style(format!("({kind})")).dim(),
                    style("✘").red(),
                    terminal_safe(error),
                    short(&Json::String(cause.to_string()), 80)
                );
                self.out.line(&line);
            }
        }
    }

    pub fn finish(self, outcome: &Outcome) {
        let elapsed = outcome.elapsed_seconds();
        match outcome.status {
            Status::Succeeded => {
                self.out.line(&format!(
                    "{} SUCCEEDED after {elapsed} s ({} states)",
                    style("✔").green(),
                    outcome.path.len()
                ));
                let output = outcome.output.clone().unwrap_or(Json::Null);
                self.out
                    .line(&serde_json::to_string_pretty(&output).unwrap_or_default());
            }
            status => self.out.line(&format!(
                "{} {} after {elapsed} s: {}: {}",
                style("✘").red(),
                status.as_str(),
                terminal_safe(outcome.error.as_deref().unwrap_or_default()),
                terminal_safe(outcome.cause.as_deref().unwrap_or_default())
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_text_is_cut_by_characters() {
        assert_eq!(terminal_safe("Charge"), "Charge");
        assert_eq!(
            terminal_safe("A\u{1b}]0;owned\u{7}B\u{9b}2J"),
            "A\\u{1b}]0;owned\\u{7}B\\u{9b}2J"
        );
        assert_eq!(terminal_safe("two\nlines\r"), "two\\u{a}lines\\u{d}");
        assert_eq!(terminal_safe_lines("a\u{1b}\nb"), "a\\u{1b}\nb");
        assert_eq!(short_text("ééé", 2), "éé…");
        assert_eq!(short_text("abc", 3), "abc");
    }
}
