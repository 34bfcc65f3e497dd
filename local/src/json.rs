//! Reading a user's JSON (an execution's input, a mock file, a definition) so that no number
//! changes silently. serde_json keeps every integer that fits in 64 bits exactly, and the
//! runner passes them on unchanged (JSONPath, intrinsic functions and Choice comparisons
//! included); an integer beyond 64 bits it would read as a double, losing digits, so such
//! a number is refused, named with its line and column, rather than changed.
//!
//! Step Functions documents numbers as JavaScript's ("Numbers in JSON text format conform to
//! JavaScript semantics, typically corresponding to double-precision IEEE-854 values", the
//! developer guide's "State machine data" page,
//! <https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-data.html>):
//! JSONata computes with doubles, in AWS as here.

use serde_json::Value as Json;

/// Why JSON text is refused, named with its line and column (from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Not JSON.
    #[error("line {line} column {column}: {message}")]
    Syntax {
        /// The line.
        line: usize,
        /// The column.
        column: usize,
        /// What the JSON reader says.
        message: String,
    },
    /// An integer that 64 bits cannot hold: read as a double, it would lose digits.
    #[error(
        "line {line} column {column}: the integer {literal} does not fit in 64 bits; it would be \
         read as a floating-point number and lose digits (write it as a string)"
    )]
    InexactInteger {
        /// The line.
        line: usize,
        /// The column of its first character.
        column: usize,
        /// The integer, as written.
        literal: String,
    },
}

impl JsonError {
    /// A JSON reader's error, at its line and column.
    pub fn syntax(e: &serde_json::Error) -> Self {
        JsonError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }
}

/// Parses JSON text; an integer that does not fit in 64 bits is an error naming it.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let v: Json = serde_json::from_str(text).map_err(|e| JsonError::syntax(&e))?;
    inexact_integer(text)?;
    Ok(v)
}

/// The first integer literal of JSON text (outside its strings) that 64 bits cannot hold.
pub fn inexact_integer(text: &str) -> Result<(), JsonError> {
    let bytes = text.as_bytes();
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                i += 1;
            }
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let literal = &text[start..i];
                let integer = !literal.contains(['.', 'e', 'E']);
                if integer && literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err() {
                    return Err(JsonError::InexactInteger {
                        line,
                        column: text[line_start..start].chars().count() + 1,
                        literal: literal.to_string(),
                    });
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_of_64_bits_are_kept_and_larger_ones_refused_where_they_are() {
        let v = parse(
            r#"{"a": 9007199254740993, "b": -9223372036854775808, "c": 18446744073709551615}"#,
        )
        .unwrap();
        assert_eq!(v["a"].as_u64(), Some(9_007_199_254_740_993));
        assert_eq!(v["b"].as_i64(), Some(i64::MIN));
        assert_eq!(v["c"].as_u64(), Some(u64::MAX));
        assert!(parse(r#"{"f": 1.5e300, "s": "123456789012345678901234567890"}"#).is_ok());
        let e = parse("{\n  \"id\": 123456789012345678901234567890}").unwrap_err();
        assert_eq!(
            e,
            JsonError::InexactInteger {
                line: 2,
                column: 9,
                literal: "123456789012345678901234567890".into()
            }
        );
        assert!(
            e.to_string().starts_with(
                "line 2 column 9: the integer 123456789012345678901234567890 does not fit in 64 bits"
            ),
            "{e}"
        );
        assert!(matches!(
            parse("{\"a\": }"),
            Err(JsonError::Syntax {
                line: 1,
                column: 7,
                ..
            })
        ));
        assert!(parse("[-18446744073709551616]").is_err());
        assert!(parse(r#"{"k\"": 1}"#).is_ok());
    }
}
