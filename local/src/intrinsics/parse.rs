//! Parsing one intrinsic function call: its arguments (string literals with their escapes,
//! numbers, `true`/`false`/`null`, paths, nested calls) into a tree, before anything is
//! evaluated.

use serde_json::Value;

use super::{check_arity, Func, MAX_CALLS};
use crate::error::Failure;

/// A piece of a string literal: text, or a `{}` written without escapes (a placeholder for
/// `States.Format`).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Piece {
    Text(String),
    Placeholder,
}

/// One argument of a call, as written.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Arg {
    /// A string literal.
    Str(Vec<Piece>),
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    /// A path, exactly as written.
    Path(String),
    /// A nested call.
    Call(Call),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Call {
    pub func: Func,
    pub args: Vec<Arg>,
}

/// The text of a string literal's pieces, a placeholder read as `{}`.
pub(super) fn pieces_text(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Placeholder => "{}",
        })
        .collect()
}

/// A recursive-descent parser over one call.
pub(super) struct Parser<'a> {
    src: &'a str,
    pos: usize,
    calls: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Parser {
            src,
            pos: 0,
            calls: 0,
        }
    }

    pub(super) fn parse(mut self) -> Result<Call, Failure> {
        self.skip_ws();
        if !self.rest().starts_with("States.") {
            return Err(self.error("it does not start with `States.`"));
        }
        let call = self.call()?;
        self.skip_ws();
        if self.pos < self.src.len() {
            return Err(self.error(format!("unexpected `{}` after the call", self.rest())));
        }
        Ok(call)
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// A malformed call: `States.Runtime` naming the expression.
    fn error(&self, what: impl std::fmt::Display) -> Failure {
        Failure::intrinsic(format!(
            "invalid intrinsic function call `{}`: {what}",
            self.src.trim()
        ))
    }

    /// `States.Name(arg, ...)`, at `States.`.
    fn call(&mut self) -> Result<Call, Failure> {
        let start = self.pos;
        self.pos += "States.".len();
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.bump();
        }
        let name = &self.src[start..self.pos];
        let func = Func::from_name(name)
            .ok_or_else(|| self.error(format!("`{name}` is not an intrinsic function")))?;
        self.calls += 1;
        if self.calls > MAX_CALLS {
            return Err(self.error(format!(
                "a field may nest at most {MAX_CALLS} intrinsic functions"
            )));
        }
        if self.peek() != Some('(') {
            return Err(self.error(format!("`(` expected after {name}")));
        }
        self.bump();
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.bump();
        } else {
            loop {
                self.skip_ws();
                args.push(self.arg(func)?);
                self.skip_ws();
                match self.bump() {
                    Some(',') => {}
                    Some(')') => break,
                    Some(c) => {
                        return Err(self.error(format!(
                            "`,` or `)` expected in the arguments of {name}, found `{c}`"
                        )))
                    }
                    None => {
                        return Err(self.error(format!("the arguments of {name} are not closed")))
                    }
                }
            }
        }
        check_arity(func, args.len())?;
        if func == Func::JsonToString && !matches!(args.first(), Some(Arg::Path(_))) {
            return Err(func.fail("its argument must be a path"));
        }
        Ok(Call { func, args })
    }

    /// One argument of `func`'s call.
    fn arg(&mut self, func: Func) -> Result<Arg, Failure> {
        let rest = self.rest();
        match self.peek() {
            Some('\'') => self.string(func),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(_) if rest.starts_with("States.") => Ok(Arg::Call(self.call()?)),
            Some(c) if c.is_ascii_alphabetic() => self.keyword(),
            Some(c) => Err(self.error(format!(
                "unexpected `{c}` in the arguments of {}",
                func.name()
            ))),
            None => Err(self.error(format!("the arguments of {} are not closed", func.name()))),
        }
    }

    /// A string literal, at its opening quote.
    fn string(&mut self, func: Func) -> Result<Arg, Failure> {
        self.bump();
        let mut pieces = Vec::new();
        let mut text = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(self.error(format!(
                        "a string literal in the arguments of {} is not closed",
                        func.name()
                    )))
                }
                Some('\'') => break,
                Some('\\') => match self.bump() {
                    Some(c @ ('\'' | '{' | '}' | '\\')) => text.push(c),
                    other => {
                        let seq = other.map_or_else(|| "\\".to_string(), |c| format!("\\{c}"));
                        return Err(Failure::runtime(format!(
                            "invalid intrinsic function call `{}`: an open escape backslash \
                             (`{seq}`) in the arguments of {}; the escapes are \\', \\{{, \\}} \
                             and \\\\",
                            self.src.trim(),
                            func.name()
                        )));
                    }
                },
                Some('{') if self.peek() == Some('}') => {
                    self.bump();
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Placeholder);
                }
                Some(c) => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Arg::Str(pieces))
    }

    /// A path, at its `$`: it ends at a `,`, `)` or white space outside brackets.
    fn path(&mut self) -> Result<Arg, Failure> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            if let Some(q) = quote {
                self.bump();
                if c == '\\' {
                    self.bump();
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '[' => depth += 1,
                ']' if depth > 0 => depth -= 1,
                '\'' | '"' if depth > 0 => quote = Some(c),
                ',' | ')' if depth == 0 => break,
                c if c.is_whitespace() && depth == 0 => break,
                _ => {}
            }
            self.bump();
        }
        if depth > 0 || quote.is_some() {
            return Err(self.error(format!(
                "the path `{}` is not closed",
                &self.src[start..self.pos]
            )));
        }
        Ok(Arg::Path(self.src[start..self.pos].to_string()))
    }

    /// A number: `-`, digits, a fraction, an exponent; read as JSON reads it.
    fn number(&mut self) -> Result<Arg, Failure> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
        {
            self.bump();
        }
        let text = &self.src[start..self.pos];
        match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Number(_)) => Ok(Arg::Literal(v)),
            _ => Err(self.error(format!("`{text}` is not a number"))),
        }
    }

    /// `true`, `false` or `null`.
    fn keyword(&mut self) -> Result<Arg, Failure> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.bump();
        }
        match &self.src[start..self.pos] {
            "true" => Ok(Arg::Literal(Value::Bool(true))),
            "false" => Ok(Arg::Literal(Value::Bool(false))),
            "null" => Ok(Arg::Literal(Value::Null)),
            word => Err(self.error(format!(
                "`{word}` is not an argument (strings are quoted with ', paths start with $)"
            ))),
        }
    }
}
