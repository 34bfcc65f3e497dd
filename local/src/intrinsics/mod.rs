//! The intrinsic functions of JSONPath states (`States.Format`, `States.Array`, ...).
//!
//! The behaviour follows AWS's page "Intrinsic functions for JSONPath states in Step Functions"
//! (and, for `States.Format`, `States.StringToJson`, `States.JsonToString` and `States.Array`,
//! the Amazon States Language specification):
//!
//! - a call is parsed whole before anything is evaluated, so a malformed call never resolves a
//!   path; arguments are string literals in single quotes, numbers, `true`, `false`, `null`,
//!   paths (`$...`, `$$...`, `$var...`, with bracket notation) and nested calls;
//! - the escapes in a string literal are `\'`, `\{`, `\}` and `\\`; any other backslash is an
//!   "open escape backslash", which the page says is a runtime error (`States.Runtime`);
//! - a field may nest up to 10 intrinsic functions (the page's example counts every call of the
//!   field, so the limit is on the number of calls, not on the depth);
//! - where an integer is required, a non-integer number is rounded to the nearest integer, halves
//!   up as Java's `Math.round` does (`States.ArrayPartition`, `States.ArrayRange`,
//!   `States.MathRandom`, `States.MathAdd`);
//! - every other failure is `States.Runtime` (the service's name for it; the specification's
//!   `States.IntrinsicFailure` is not an error the developer guide lists), with a cause that
//!   names the function.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine as _};
use serde_json::{Map, Value};

use crate::error::Failure;
use crate::rng::Rng;

mod parse;
use parse::{pieces_text, Arg, Call, Parser, Piece};

/// The most intrinsic function calls one field may hold.
const MAX_CALLS: usize = 10;
/// The most items `States.ArrayRange` may produce.
const MAX_RANGE_ITEMS: i128 = 1000;
/// The longest string `States.Base64Encode`, `States.Base64Decode` and `States.Hash` take.
const MAX_DATA_CHARS: usize = 10_000;
/// The range of `States.MathAdd`'s arguments.
const MATH_ADD_RANGE: std::ops::RangeInclusive<i64> = -2_147_483_648..=2_147_483_647;

/// Standard Base64, decoding with or without padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// True when a string is an intrinsic function call (`States.Xxx(`...`)`).
pub(crate) fn is_intrinsic(s: &str) -> bool {
    let s = s.trim();
    let Some(rest) = s.strip_prefix("States.") else {
        return false;
    };
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    name_len > 0 && rest[name_len..].starts_with('(') && s.ends_with(')')
}

/// Evaluates one intrinsic call. `resolve` is called for each path argument, with the path
/// text exactly as written (`$.a.b`, `$`, `$$.Execution.Id`, `$myVar.x`); it returns the value
/// or a Failure (the caller decides the error of a path that matches nothing).
pub(crate) fn evaluate(
    expr: &str,
    resolve: &mut dyn FnMut(&str) -> Result<Value, Failure>,
    rng: &mut Rng,
) -> Result<Value, Failure> {
    let call = Parser::new(expr).parse()?;
    eval_call(&call, resolve, rng)
}

/// The 18 intrinsic functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Func {
    const ALL: [Func; 18] = [
        Func::Format,
        Func::StringToJson,
        Func::JsonToString,
        Func::Array,
        Func::ArrayPartition,
        Func::ArrayContains,
        Func::ArrayRange,
        Func::ArrayGetItem,
        Func::ArrayLength,
        Func::ArrayUnique,
        Func::Base64Encode,
        Func::Base64Decode,
        Func::Hash,
        Func::JsonMerge,
        Func::MathRandom,
        Func::MathAdd,
        Func::StringSplit,
        Func::Uuid,
    ];

    fn name(self) -> &'static str {
        match self {
            Func::Format => "States.Format",
            Func::StringToJson => "States.StringToJson",
            Func::JsonToString => "States.JsonToString",
            Func::Array => "States.Array",
            Func::ArrayPartition => "States.ArrayPartition",
            Func::ArrayContains => "States.ArrayContains",
            Func::ArrayRange => "States.ArrayRange",
            Func::ArrayGetItem => "States.ArrayGetItem",
            Func::ArrayLength => "States.ArrayLength",
            Func::ArrayUnique => "States.ArrayUnique",
            Func::Base64Encode => "States.Base64Encode",
            Func::Base64Decode => "States.Base64Decode",
            Func::Hash => "States.Hash",
            Func::JsonMerge => "States.JsonMerge",
            Func::MathRandom => "States.MathRandom",
            Func::MathAdd => "States.MathAdd",
            Func::StringSplit => "States.StringSplit",
            Func::Uuid => "States.UUID",
        }
    }

    fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The fewest and the most arguments (`None`: no limit).
    fn arity(self) -> (usize, Option<usize>) {
        match self {
            Func::Format => (1, None),
            Func::Array => (0, None),
            Func::Uuid => (0, Some(0)),
            Func::StringToJson
            | Func::JsonToString
            | Func::ArrayLength
            | Func::ArrayUnique
            | Func::Base64Encode
            | Func::Base64Decode => (1, Some(1)),
            Func::ArrayPartition
            | Func::ArrayContains
            | Func::ArrayGetItem
            | Func::Hash
            | Func::MathAdd
            | Func::StringSplit => (2, Some(2)),
            Func::MathRandom => (2, Some(3)),
            Func::ArrayRange | Func::JsonMerge => (3, Some(3)),
        }
    }

    /// A failure (`States.Runtime`) whose cause starts with this function's name.
    fn fail(self, what: impl std::fmt::Display) -> Failure {
        Failure::intrinsic(format!("{}: {what}", self.name()))
    }
}

fn check_arity(func: Func, given: usize) -> Result<(), Failure> {
    let (min, max) = func.arity();
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    let expected = match max {
        Some(max) if max == min => format!("{min} {}", plural(min)),
        Some(max) => format!("{min} to {max} arguments"),
        None => format!("at least {min} {}", plural(min)),
    };
    if given < min || max.is_some_and(|max| given > max) {
        return Err(func.fail(format!("takes {expected}, but got {given}")));
    }
    Ok(())
}

fn eval_call(
    call: &Call,
    resolve: &mut dyn FnMut(&str) -> Result<Value, Failure>,
    rng: &mut Rng,
) -> Result<Value, Failure> {
    let mut values = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        values.push(match arg {
            Arg::Str(pieces) => Value::String(pieces_text(pieces)),
            Arg::Literal(v) => v.clone(),
            Arg::Path(path) => resolve(path)?,
            Arg::Call(inner) => eval_call(inner, resolve, rng)?,
        });
    }
    // The parser checked each call's argument count, so the indexing below cannot fail.
    let f = call.func;
    match f {
        Func::Format => format(&call.args, &values),
        Func::StringToJson => {
            let s = string(f, "its argument", &values[0])?;
            if s.trim().is_empty() {
                return Ok(Value::Null);
            }
            serde_json::from_str(s).map_err(|e| f.fail(format!("the string is not JSON: {e}")))
        }
        Func::JsonToString => serde_json::to_string(&values[0])
            .map(Value::String)
            .map_err(|e| f.fail(e)),
        Func::Array => Ok(Value::Array(values)),
        Func::ArrayPartition => {
            let items = array(f, "the first argument", &values[0])?;
            let size = rounded_integer(f, "the chunk size", &values[1])?;
            let size = usize::try_from(size)
                .ok()
                .filter(|&s| s > 0)
                .ok_or_else(|| {
                    f.fail(format!(
                        "the chunk size must be a positive integer, not {size}"
                    ))
                })?;
            Ok(Value::Array(
                items
                    .chunks(size)
                    .map(|chunk| Value::Array(chunk.to_vec()))
                    .collect(),
            ))
        }
        Func::ArrayContains => {
            let items = array(f, "the first argument", &values[0])?;
            Ok(Value::Bool(items.contains(&values[1])))
        }
        Func::ArrayRange => array_range(&values),
        Func::ArrayGetItem => {
            let items = array(f, "the first argument", &values[0])?;
            let index = integer(f, "the index", &values[1])?;
            usize::try_from(index)
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .ok_or_else(|| {
                    f.fail(format!(
                        "index {index} is out of range for an array of {} items",
                        items.len()
                    ))
                })
        }
        Func::ArrayLength => Ok(Value::from(array(f, "its argument", &values[0])?.len())),
        Func::ArrayUnique => {
            let items = array(f, "its argument", &values[0])?;
            let mut unique: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                if !unique.contains(item) {
                    unique.push(item.clone());
                }
            }
            Ok(Value::Array(unique))
        }
        Func::Base64Encode => {
            let s = data_string(f, "its argument", &values[0])?;
            Ok(Value::String(BASE64.encode(s)))
        }
        Func::Base64Decode => {
            let s = data_string(f, "its argument", &values[0])?;
            let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let bytes = BASE64
                .decode(compact)
                .map_err(|e| f.fail(format!("the argument is not Base64: {e}")))?;
            String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| f.fail("the decoded data is not UTF-8 text"))
        }
        Func::Hash => {
            let data = data_string(f, "the data", &values[0])?;
            let algorithm = string(f, "the algorithm", &values[1])?;
            let digest =
                crate::hashing::hex_digest(algorithm, data.as_bytes()).ok_or_else(|| {
                    f.fail(format!(
                        "the algorithm `{algorithm}` is not one of MD5, SHA-1, SHA-256, SHA-384, \
                     SHA-512"
                    ))
                })?;
            Ok(Value::String(digest))
        }
        Func::JsonMerge => {
            let first = object(f, "the first argument", &values[0])?;
            let second = object(f, "the second argument", &values[1])?;
            match &values[2] {
                Value::Bool(false) => {}
                Value::Bool(true) => {
                    return Err(
                        f.fail("deep merging is not supported; the third argument must be false")
                    )
                }
                other => {
                    return Err(f.fail(format!(
                        "the third argument must be the boolean false, not {}",
                        kind(other)
                    )))
                }
            }
            let mut merged = first.clone();
            for (key, value) in second {
                merged.insert(key.clone(), value.clone());
            }
            Ok(Value::Object(merged))
        }
        Func::MathRandom => {
            let start = rounded_integer(f, "the start", &values[0])?;
            let end = rounded_integer(f, "the end", &values[1])?;
            if end <= start {
                return Err(f.fail(format!(
                    "the end ({end}) must be greater than the start ({start}); the start is \
                     inclusive, the end exclusive"
                )));
            }
            let n = match values.get(2) {
                Some(seed) => {
                    let seed = rounded_integer(f, "the seed", seed)?;
                    Rng::seeded(seed as u64).i64_range(start, end)
                }
                None => rng.i64_range(start, end),
            };
            Ok(Value::from(n))
        }
        Func::MathAdd => {
            let mut sum = 0i64;
            for (what, v) in ["the first argument", "the second argument"]
                .into_iter()
                .zip(&values)
            {
                let n = rounded_integer(f, what, v)?;
                if !MATH_ADD_RANGE.contains(&n) {
                    return Err(f.fail(format!(
                        "{what} ({n}) is outside the range -2147483648 to 2147483647"
                    )));
                }
                sum += n;
            }
            Ok(Value::from(sum))
        }
        Func::StringSplit => {
            let s = string(f, "the first argument", &values[0])?;
            let delimiters = string(f, "the delimiter", &values[1])?;
            Ok(Value::Array(
                s.split(|c| delimiters.contains(c))
                    .filter(|part| !part.is_empty())
                    .map(|part| Value::String(part.to_string()))
                    .collect(),
            ))
        }
        Func::Uuid => Ok(Value::String(rng.uuid())),
    }
}

/// `States.Format`: each `{}` of the first argument replaced by the next argument, strings as
/// they are and other values as JSON text. In a string literal only an unescaped `{}` is a
/// placeholder; in a string from a path every `{}` is.
fn format(args: &[Arg], values: &[Value]) -> Result<Value, Failure> {
    let f = Func::Format;
    let pieces = match &args[0] {
        Arg::Str(pieces) => pieces.clone(),
        _ => placeholders(string(f, "the first argument", &values[0])?),
    };
    let holes = pieces.iter().filter(|p| **p == Piece::Placeholder).count();
    let given = values.len() - 1;
    if holes != given {
        return Err(f.fail(format!(
            "the format string has {holes} {} but {given} {} given",
            if holes == 1 {
                "placeholder"
            } else {
                "placeholders"
            },
            if given == 1 {
                "value was"
            } else {
                "values were"
            }
        )));
    }
    let mut out = String::new();
    let mut next = values[1..].iter();
    for piece in &pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder => {
                if let Some(v) = next.next() {
                    java_text(v, &mut out);
                }
            }
        }
    }
    Ok(Value::String(out))
}

/// A value as Step Functions' Java service prints it into a `States.Format` string: strings
/// bare, numbers, booleans and null as in JSON, arrays as `[1, x]`, objects as `{a=1, b=[]}`
/// (AWS's recorded executions show this form; the ASL specification would reject them).
fn java_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                java_text(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                java_text(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A string's pieces, every `{}` a placeholder.
fn placeholders(s: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (i, text) in s.split("{}").enumerate() {
        if i > 0 {
            pieces.push(Piece::Placeholder);
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text.to_string()));
        }
    }
    pieces
}

/// `States.ArrayRange(first, last, step)`: at most 1000 items, `last` included when the steps
/// land on it.
fn array_range(values: &[Value]) -> Result<Value, Failure> {
    let f = Func::ArrayRange;
    let first = rounded_integer(f, "the first element", &values[0])?;
    let last = rounded_integer(f, "the final element", &values[1])?;
    let step = rounded_integer(f, "the step", &values[2])?;
    if step == 0 {
        return Err(f.fail("the step must not be 0"));
    }
    let (first, last, step) = (i128::from(first), i128::from(last), i128::from(step));
    let count = if (step > 0 && first <= last) || (step < 0 && first >= last) {
        (last - first) / step + 1
    } else {
        0
    };
    if count > MAX_RANGE_ITEMS {
        return Err(f.fail(format!(
            "the range has {count} items; an array may hold at most {MAX_RANGE_ITEMS}"
        )));
    }
    let mut items = Vec::new();
    let mut n = first;
    for _ in 0..count {
        items.push(Value::from(i64::try_from(n).map_err(|e| f.fail(e))?));
        n += step;
    }
    Ok(Value::Array(items))
}

/// What kind of JSON value this is, for a cause.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string<'v>(f: Func, what: &str, v: &'v Value) -> Result<&'v str, Failure> {
    v.as_str()
        .ok_or_else(|| f.fail(format!("{what} must be a string, not {}", kind(v))))
}

/// A string of at most 10,000 characters.
fn data_string<'v>(f: Func, what: &str, v: &'v Value) -> Result<&'v str, Failure> {
    let s = string(f, what, v)?;
    let chars = s.chars().count();
    if chars > MAX_DATA_CHARS {
        return Err(f.fail(format!(
            "{what} has {chars} characters; at most {MAX_DATA_CHARS} are allowed"
        )));
    }
    Ok(s)
}

fn array<'v>(f: Func, what: &str, v: &'v Value) -> Result<&'v Vec<Value>, Failure> {
    v.as_array()
        .ok_or_else(|| f.fail(format!("{what} must be an array, not {}", kind(v))))
}

fn object<'v>(f: Func, what: &str, v: &'v Value) -> Result<&'v Map<String, Value>, Failure> {
    v.as_object()
        .ok_or_else(|| f.fail(format!("{what} must be an object, not {}", kind(v))))
}

/// An integer: a JSON integer, or a number with no fraction.
fn integer(f: Func, what: &str, v: &Value) -> Result<i64, Failure> {
    let not_integer = || f.fail(format!("{what} must be an integer, not {v}"));
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None => n
                .as_f64()
                .filter(|x| x.fract() == 0.0)
                .and_then(f64_to_i64)
                .ok_or_else(not_integer),
        },
        _ => Err(f.fail(format!("{what} must be an integer, not {}", kind(v)))),
    }
}

/// A number rounded to the nearest integer, halves up (Java's `Math.round`), as Step Functions
/// rounds a non-integer where it wants an integer.
fn rounded_integer(f: Func, what: &str, v: &Value) -> Result<i64, Failure> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None => n
                .as_f64()
                .map(round_half_up)
                .and_then(f64_to_i64)
                .ok_or_else(|| f.fail(format!("{what} ({v}) is out of range"))),
        },
        _ => Err(f.fail(format!("{what} must be an integer, not {}", kind(v)))),
    }
}

/// Java's `Math.round`: the nearest integer, a half rounded towards positive infinity.
fn round_half_up(x: f64) -> f64 {
    let floor = x.floor();
    if x - floor >= 0.5 {
        floor + 1.0
    } else {
        floor
    }
}

/// An integral float as an `i64`, if it fits.
fn f64_to_i64(x: f64) -> Option<i64> {
    // i64::MAX as f64 is 2^63, one past the largest i64.
    if x.is_finite() && x >= i64::MIN as f64 && x < i64::MAX as f64 {
        Some(x as i64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Resolves `$` and `$.a.b` (object keys, array indexes) against `input`; any other path
    /// fails as `States.Runtime` naming it.
    fn lookup(input: &Value, path: &str) -> Result<Value, Failure> {
        let mut v = input;
        if path != "$" {
            let rest = path
                .strip_prefix("$.")
                .ok_or_else(|| Failure::runtime(format!("unsupported path {path}")))?;
            for key in rest.split('.') {
                v = match v {
                    Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                    _ => v.get(key),
                }
                .ok_or_else(|| Failure::runtime(format!("no value at {path}")))?;
            }
        }
        Ok(v.clone())
    }

    fn eval(expr: &str, input: Value) -> Result<Value, Failure> {
        let mut rng = Rng::seeded(7);
        eval_rng(expr, input, &mut rng)
    }

    fn eval_rng(expr: &str, input: Value, rng: &mut Rng) -> Result<Value, Failure> {
        let mut resolve = |path: &str| lookup(&input, path);
        evaluate(expr, &mut resolve, rng)
    }

    fn ok(expr: &str, input: Value) -> Value {
        match eval(expr, input) {
            Ok(v) => v,
            Err(e) => panic!("{expr} failed: {e}"),
        }
    }

    /// The cause of a failed call (`States.Runtime`).
    fn intrinsic_cause(expr: &str, input: Value) -> String {
        match eval(expr, input) {
            Ok(v) => panic!("{expr} gave {v}, expected a failure"),
            Err(e) => {
                assert_eq!(e.error, "States.Runtime", "{expr}: {e}");
                e.cause
            }
        }
    }

    fn assert_cause(expr: &str, input: Value, expected: &str) {
        assert_eq!(intrinsic_cause(expr, input), expected, "{expr}");
    }

    // ----- recognising a call -----

    #[test]
    fn is_intrinsic_recognises_calls_only() {
        assert!(is_intrinsic("States.Format('{}', $.a)"));
        assert!(is_intrinsic("States.UUID()"));
        assert!(is_intrinsic("  States.Array($.a) "));
        assert!(is_intrinsic("States.Nonexistent(1)"));
        assert!(!is_intrinsic("$.a"));
        assert!(!is_intrinsic("$$.Execution.Id"));
        assert!(!is_intrinsic("States.Format"));
        assert!(!is_intrinsic("States.(1)"));
        assert!(!is_intrinsic("States.Array (1)"));
        assert!(!is_intrinsic("States.Array(1"));
        assert!(!is_intrinsic("Format('{}', 1)"));
        assert!(!is_intrinsic("states.Array(1)"));
    }

    // ----- States.Format -----

    #[test]
    fn format_aws_examples() {
        // AWS: given {"name": "Arnav", "template": "Hello, my name is {}."} both calls give
        // "Hello, my name is Arnav."
        let input = json!({"name": "Arnav", "template": "Hello, my name is {}."});
        assert_eq!(
            ok(
                "States.Format('Hello, my name is {}.', $.name)",
                input.clone()
            ),
            json!("Hello, my name is Arnav.")
        );
        assert_eq!(
            ok("States.Format($.template, $.name)", input),
            json!("Hello, my name is Arnav.")
        );
        // The ASL specification's example: a path and a number literal.
        assert_eq!(
            ok(
                "States.Format('Your name is {}, we are in the year {}', $.name, 2020)",
                json!({"name": "Foo", "zebra": "stripe"})
            ),
            json!("Your name is Foo, we are in the year 2020")
        );
    }

    #[test]
    fn format_renders_non_strings_as_the_service_prints_them() {
        let input = json!({"n": null, "t": true, "f": 1.1, "i": -3, "o": {"a": [1, "x"]}});
        assert_eq!(
            ok(
                "States.Format('{} {} {} {} {}', $.n, $.t, $.f, $.i, $.o)",
                input
            ),
            json!("null true 1.1 -3 {a=[1, x]}")
        );
        assert_eq!(
            ok("States.Format('no holes')", json!({})),
            json!("no holes")
        );
        assert_eq!(
            ok("States.Format('{}{}', 'a', 'b')", json!({})),
            json!("ab")
        );
    }

    #[test]
    fn format_escaped_braces_are_text_not_placeholders() {
        assert_eq!(
            ok(r"States.Format('\{\} is {}', 1)", json!({})),
            json!("{} is 1")
        );
        assert_eq!(ok(r"States.Format('\{}{}', 2)", json!({})), json!("{}2"));
        // A lone brace is plain text.
        assert_eq!(ok("States.Format('{ {} }', 3)", json!({})), json!("{ 3 }"));
    }

    #[test]
    fn format_template_from_a_path_uses_every_pair_of_braces() {
        let input = json!({"t": "{}-{}", "a": "x", "b": 2});
        assert_eq!(ok("States.Format($.t, $.a, $.b)", input), json!("x-2"));
    }

    #[test]
    fn format_errors() {
        assert_cause(
            "States.Format('{} and {}', 1)",
            json!({}),
            "States.Format: the format string has 2 placeholders but 1 value was given",
        );
        assert_cause(
            "States.Format('{}', 1, 2)",
            json!({}),
            "States.Format: the format string has 1 placeholder but 2 values were given",
        );
        assert_cause(
            "States.Format($.n, 1)",
            json!({"n": 5}),
            "States.Format: the first argument must be a string, not a number",
        );
        assert_cause(
            "States.Format()",
            json!({}),
            "States.Format: takes at least 1 argument, but got 0",
        );
    }

    // ----- JSON -----

    #[test]
    fn string_to_json_aws_example() {
        // AWS: {"escapedJsonString": "{\"foo\": \"bar\"}"} gives {"foo": "bar"}.
        assert_eq!(
            ok(
                "States.StringToJson($.escapedJsonString)",
                json!({"escapedJsonString": "{\"foo\": \"bar\"}"})
            ),
            json!({"foo": "bar"})
        );
        // The ASL specification's example.
        assert_eq!(
            ok(
                "States.StringToJson($.someString)",
                json!({"someString": "{\"number\": 20}", "zebra": "stripe"})
            ),
            json!({"number": 20})
        );
    }

    #[test]
    fn string_to_json_scalars_and_blank() {
        assert_eq!(ok("States.StringToJson('1.5')", json!({})), json!(1.5));
        assert_eq!(
            ok("States.StringToJson('[1, true]')", json!({})),
            json!([1, true])
        );
        assert_eq!(ok("States.StringToJson('\"x\"')", json!({})), json!("x"));
        assert_eq!(ok("States.StringToJson('')", json!({})), Value::Null);
        assert_eq!(ok("States.StringToJson(' ')", json!({})), Value::Null);
    }

    #[test]
    fn string_to_json_errors() {
        let cause = intrinsic_cause("States.StringToJson('{nope')", json!({}));
        assert!(
            cause.starts_with("States.StringToJson: the string is not JSON: "),
            "{cause}"
        );
        assert_cause(
            "States.StringToJson($.a)",
            json!({"a": {"b": 1}}),
            "States.StringToJson: its argument must be a string, not an object",
        );
    }

    #[test]
    fn json_to_string_aws_examples() {
        // AWS: {"unescapedJson": {"foo": "bar"}} gives the JSON text of the object.
        assert_eq!(
            ok(
                "States.JsonToString($.unescapedJson)",
                json!({"unescapedJson": {"foo": "bar"}})
            ),
            json!(r#"{"foo":"bar"}"#)
        );
        // The ASL specification's example, key order kept.
        assert_eq!(
            ok(
                "States.JsonToString($.someJson)",
                json!({"someJson": {"name": "Foo", "year": 2020}, "zebra": "stripe"})
            ),
            json!(r#"{"name":"Foo","year":2020}"#)
        );
        assert_eq!(
            ok("States.JsonToString($.s)", json!({"s": "q"})),
            json!(r#""q""#)
        );
    }

    #[test]
    fn json_to_string_takes_a_path_only() {
        assert_cause(
            "States.JsonToString('x')",
            json!({}),
            "States.JsonToString: its argument must be a path",
        );
        assert_cause(
            "States.JsonToString(States.Array(1))",
            json!({}),
            "States.JsonToString: its argument must be a path",
        );
    }

    #[test]
    fn json_merge_aws_example() {
        // AWS: json2's key a replaces json1's; nested objects are not merged.
        let input = json!({
            "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
            "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}
        });
        let merged = ok("States.JsonMerge($.json1, $.json2, false)", input);
        assert_eq!(merged, json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}));
        let keys: Vec<&String> = merged.as_object().into_iter().flat_map(Map::keys).collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn json_merge_errors() {
        let input = json!({"x": {"a": 1}, "y": {"b": 2}, "n": 3});
        assert_cause(
            "States.JsonMerge($.x, $.y, true)",
            input.clone(),
            "States.JsonMerge: deep merging is not supported; the third argument must be false",
        );
        assert_cause(
            "States.JsonMerge($.x, $.y, 'false')",
            input.clone(),
            "States.JsonMerge: the third argument must be the boolean false, not a string",
        );
        assert_cause(
            "States.JsonMerge($.n, $.y, false)",
            input.clone(),
            "States.JsonMerge: the first argument must be an object, not a number",
        );
        assert_cause(
            "States.JsonMerge($.x, $.n, false)",
            input.clone(),
            "States.JsonMerge: the second argument must be an object, not a number",
        );
        assert_cause(
            "States.JsonMerge($.x, $.y)",
            input,
            "States.JsonMerge: takes 3 arguments, but got 2",
        );
    }

    // ----- arrays -----

    #[test]
    fn array_aws_examples() {
        // AWS: {"Id": 123456} and States.Array($.Id) give [123456].
        assert_eq!(
            ok("States.Array($.Id)", json!({"Id": 123456})),
            json!([123456])
        );
        // The ASL specification's example.
        assert_eq!(
            ok(
                "States.Array('Foo', 2020, $.someJson, null)",
                json!({"someJson": {"random": "abcdefg"}, "zebra": "stripe"})
            ),
            json!(["Foo", 2020, {"random": "abcdefg"}, null])
        );
        assert_eq!(ok("States.Array()", json!({})), json!([]));
    }

    #[test]
    fn array_partition_aws_example() {
        // AWS: [1..9] in chunks of 4 gives [[1,2,3,4],[5,6,7,8],[9]].
        assert_eq!(
            ok(
                "States.ArrayPartition($.inputArray,4)",
                json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
            ),
            json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
        );
    }

    #[test]
    fn array_partition_edges() {
        let input = json!({"a": [1, 2, 3], "e": []});
        assert_eq!(
            ok("States.ArrayPartition($.e, 2)", input.clone()),
            json!([])
        );
        assert_eq!(
            ok("States.ArrayPartition($.a, 5)", input.clone()),
            json!([[1, 2, 3]])
        );
        // A non-integer chunk size is rounded: 1.5 -> 2.
        assert_eq!(
            ok("States.ArrayPartition($.a, 1.5)", input.clone()),
            json!([[1, 2], [3]])
        );
        assert_cause(
            "States.ArrayPartition($.a, 0)",
            input.clone(),
            "States.ArrayPartition: the chunk size must be a positive integer, not 0",
        );
        assert_cause(
            "States.ArrayPartition($.a, -2)",
            input.clone(),
            "States.ArrayPartition: the chunk size must be a positive integer, not -2",
        );
        assert_cause(
            "States.ArrayPartition($.a, '2')",
            input.clone(),
            "States.ArrayPartition: the chunk size must be an integer, not a string",
        );
        assert_cause(
            "States.ArrayPartition('abc', 2)",
            input,
            "States.ArrayPartition: the first argument must be an array, not a string",
        );
    }

    #[test]
    fn array_contains_aws_example() {
        // AWS: lookingFor 5 is in [1..9], so true.
        let input = json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5});
        assert_eq!(
            ok(
                "States.ArrayContains($.inputArray, $.lookingFor)",
                input.clone()
            ),
            json!(true)
        );
        assert_eq!(
            ok("States.ArrayContains($.inputArray, 10)", input),
            json!(false)
        );
    }

    #[test]
    fn array_contains_compares_whole_values() {
        let input =
            json!({"a": [{"k": [1, 2]}, null, "s"], "o": {"k": [1, 2]}, "p": {"k": [2, 1]}});
        assert_eq!(
            ok("States.ArrayContains($.a, $.o)", input.clone()),
            json!(true)
        );
        assert_eq!(
            ok("States.ArrayContains($.a, $.p)", input.clone()),
            json!(false)
        );
        assert_eq!(
            ok("States.ArrayContains($.a, null)", input.clone()),
            json!(true)
        );
        assert_eq!(
            ok("States.ArrayContains($.a, 's')", input.clone()),
            json!(true)
        );
        assert_cause(
            "States.ArrayContains($.o, 1)",
            input,
            "States.ArrayContains: the first argument must be an array, not an object",
        );
    }

    #[test]
    fn array_range_aws_example() {
        // AWS: States.ArrayRange(1, 9, 2) gives [1,3,5,7,9].
        assert_eq!(
            ok("States.ArrayRange(1, 9, 2)", json!({})),
            json!([1, 3, 5, 7, 9])
        );
    }

    #[test]
    fn array_range_edges() {
        assert_eq!(
            ok("States.ArrayRange(0, 10, 3)", json!({})),
            json!([0, 3, 6, 9])
        );
        assert_eq!(ok("States.ArrayRange(1, 9, 9)", json!({})), json!([1]));
        assert_eq!(
            ok("States.ArrayRange(9, 1, -4)", json!({})),
            json!([9, 5, 1])
        );
        assert_eq!(ok("States.ArrayRange(1, 9, -1)", json!({})), json!([]));
        assert_eq!(
            ok("States.ArrayRange(-2, 2, 2)", json!({})),
            json!([-2, 0, 2])
        );
        // Non-integers are rounded: 0.5 -> 1, 2.4 -> 2.
        assert_eq!(
            ok("States.ArrayRange(0.5, 2.4, 1)", json!({})),
            json!([1, 2])
        );
        let thousand = ok("States.ArrayRange(1, 1000, 1)", json!({}));
        assert_eq!(thousand.as_array().map(Vec::len), Some(1000));
    }

    #[test]
    fn array_range_errors() {
        assert_cause(
            "States.ArrayRange(1, 1001, 1)",
            json!({}),
            "States.ArrayRange: the range has 1001 items; an array may hold at most 1000",
        );
        assert_cause(
            "States.ArrayRange(-9223372036854775808, 9223372036854775807, 1)",
            json!({}),
            "States.ArrayRange: the range has 18446744073709551616 items; an array may hold at \
             most 1000",
        );
        assert_cause(
            "States.ArrayRange(1, 9, 0)",
            json!({}),
            "States.ArrayRange: the step must not be 0",
        );
        assert_cause(
            "States.ArrayRange(1, 9, 0.4)",
            json!({}),
            "States.ArrayRange: the step must not be 0",
        );
        assert_cause(
            "States.ArrayRange($.s, 9, 1)",
            json!({"s": "1"}),
            "States.ArrayRange: the first element must be an integer, not a string",
        );
        assert_cause(
            "States.ArrayRange(1, 9)",
            json!({}),
            "States.ArrayRange: takes 3 arguments, but got 2",
        );
    }

    #[test]
    fn array_get_item_aws_example() {
        // AWS: index 5 of [1..9] gives 6.
        assert_eq!(
            ok(
                "States.ArrayGetItem($.inputArray, $.index)",
                json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5})
            ),
            json!(6)
        );
    }

    #[test]
    fn array_get_item_errors() {
        let input = json!({"a": ["x", "y", "z"]});
        assert_eq!(
            ok("States.ArrayGetItem($.a, 2.0)", input.clone()),
            json!("z")
        );
        assert_cause(
            "States.ArrayGetItem($.a, 5)",
            input.clone(),
            "States.ArrayGetItem: index 5 is out of range for an array of 3 items",
        );
        assert_cause(
            "States.ArrayGetItem($.a, -1)",
            input.clone(),
            "States.ArrayGetItem: index -1 is out of range for an array of 3 items",
        );
        assert_cause(
            "States.ArrayGetItem($.a, 1.5)",
            input.clone(),
            "States.ArrayGetItem: the index must be an integer, not 1.5",
        );
        assert_cause(
            "States.ArrayGetItem($.a, '1')",
            input.clone(),
            "States.ArrayGetItem: the index must be an integer, not a string",
        );
        assert_cause(
            "States.ArrayGetItem('abc', 1)",
            input,
            "States.ArrayGetItem: the first argument must be an array, not a string",
        );
    }

    #[test]
    fn array_length_aws_example() {
        // AWS: the length of [1..9] is 9, an integer.
        let length = ok(
            "States.ArrayLength($.inputArray)",
            json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}),
        );
        assert_eq!(length, json!(9));
        assert!(length.is_u64());
        assert_eq!(ok("States.ArrayLength($.e)", json!({"e": []})), json!(0));
        assert_cause(
            "States.ArrayLength($.o)",
            json!({"o": {}}),
            "States.ArrayLength: its argument must be an array, not an object",
        );
    }

    #[test]
    fn array_unique_aws_example() {
        // AWS: [1,2,3,3,3,3,3,3,4] gives [1,2,3,4].
        assert_eq!(
            ok(
                "States.ArrayUnique($.inputArray)",
                json!({"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]})
            ),
            json!([1, 2, 3, 4])
        );
    }

    #[test]
    fn array_unique_keeps_first_occurrences_of_any_value() {
        let input =
            json!({"a": [null, null, true, "x", {"a": 1}, [1], "x", {"a": 1}, [1], true, 2]});
        assert_eq!(
            ok("States.ArrayUnique($.a)", input),
            json!([null, true, "x", {"a": 1}, [1], 2])
        );
        assert_cause(
            "States.ArrayUnique('x')",
            json!({}),
            "States.ArrayUnique: its argument must be an array, not a string",
        );
    }

    // ----- Base64 -----

    #[test]
    fn base64_encode_aws_example() {
        // AWS: "Data to encode" encodes to "RGF0YSB0byBlbmNvZGU=".
        assert_eq!(
            ok(
                "States.Base64Encode($.input)",
                json!({"input": "Data to encode"})
            ),
            json!("RGF0YSB0byBlbmNvZGU=")
        );
        assert_eq!(ok("States.Base64Encode('')", json!({})), json!(""));
    }

    #[test]
    fn base64_decode_aws_example() {
        // AWS decodes "RGF0YSB0byBlbmNvZGU=" (its page prints "Decoded data", but these bytes
        // are "Data to encode", the text its encoding example produced them from).
        assert_eq!(
            ok(
                "States.Base64Decode($.base64)",
                json!({"base64": "RGF0YSB0byBlbmNvZGU="})
            ),
            json!("Data to encode")
        );
        // MIME line breaks and missing padding are accepted.
        assert_eq!(
            ok(
                "States.Base64Decode($.b)",
                json!({"b": "RGF0YSB0\r\nbyBlbmNvZGU"})
            ),
            json!("Data to encode")
        );
    }

    #[test]
    fn base64_errors() {
        let long = "a".repeat(10_001);
        assert_eq!(
            ok("States.Base64Encode($.s)", json!({"s": "a".repeat(10_000)}))
                .as_str()
                .map(str::len),
            Some(13_336)
        );
        assert_cause(
            "States.Base64Encode($.s)",
            json!({"s": long}),
            "States.Base64Encode: its argument has 10001 characters; at most 10000 are allowed",
        );
        assert_cause(
            "States.Base64Decode($.s)",
            json!({"s": "QUFB".repeat(2501)}),
            "States.Base64Decode: its argument has 10004 characters; at most 10000 are allowed",
        );
        assert_cause(
            "States.Base64Encode(1)",
            json!({}),
            "States.Base64Encode: its argument must be a string, not a number",
        );
        let cause = intrinsic_cause("States.Base64Decode('not base64!')", json!({}));
        assert!(
            cause.starts_with("States.Base64Decode: the argument is not Base64: "),
            "{cause}"
        );
        assert_cause(
            "States.Base64Decode('/w==')",
            json!({}),
            "States.Base64Decode: the decoded data is not UTF-8 text",
        );
    }

    // ----- States.Hash -----

    #[test]
    fn hash_aws_example() {
        // AWS hashes "input data" with SHA-1; its page prints
        // "aaff4a450a104cd177d28d18d7485e8cae074b7", which has lost a digit: the digest is
        // "aaff4a450a104cd177d28d18d74485e8cae074b7".
        assert_eq!(
            ok(
                "States.Hash($.Data, $.Algorithm)",
                json!({"Data": "input data", "Algorithm": "SHA-1"})
            ),
            json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
        );
    }

    #[test]
    fn hash_every_algorithm_in_lowercase_hex() {
        let input = json!({"Data": "input data"});
        for (algorithm, digest) in [
            ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
            ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
            (
                "SHA-256",
                "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3",
            ),
            (
                "SHA-384",
                "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb2\
                 7e1fb9e9374a15562",
            ),
            (
                "SHA-512",
                "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0\
                 f1d593fc50283731a533d30d425402d4f91316d871303aac4",
            ),
        ] {
            assert_eq!(
                ok(
                    &format!("States.Hash($.Data, '{algorithm}')"),
                    input.clone()
                ),
                json!(digest),
                "{algorithm}"
            );
        }
        assert_eq!(
            ok("States.Hash('', 'SHA-1')", json!({})),
            json!("da39a3ee5e6b4b0d3255bfef95601890afd80709")
        );
    }

    #[test]
    fn hash_errors() {
        for bad in ["SHA256", "sha-256", "SHA-224", ""] {
            assert_cause(
                &format!("States.Hash('x', '{bad}')"),
                json!({}),
                &format!(
                    "States.Hash: the algorithm `{bad}` is not one of MD5, SHA-1, SHA-256, \
                     SHA-384, SHA-512"
                ),
            );
        }
        assert_cause(
            "States.Hash($.d, 'MD5')",
            json!({"d": "a".repeat(10_001)}),
            "States.Hash: the data has 10001 characters; at most 10000 are allowed",
        );
        assert_cause(
            "States.Hash($.d, 'MD5')",
            json!({"d": {"a": 1}}),
            "States.Hash: the data must be a string, not an object",
        );
        assert_cause(
            "States.Hash('x', 5)",
            json!({}),
            "States.Hash: the algorithm must be a string, not a number",
        );
    }

    // ----- math -----

    #[test]
    fn math_random_aws_example_is_in_range() {
        // AWS: a number from 1 (inclusive) to 999 (exclusive).
        let mut rng = Rng::seeded(1);
        for _ in 0..200 {
            let n = eval_rng(
                "States.MathRandom($.start, $.end)",
                json!({"start": 1, "end": 999}),
                &mut rng,
            )
            .ok()
            .and_then(|v| v.as_i64());
            assert!(n.is_some_and(|n| (1..999).contains(&n)), "{n:?}");
        }
    }

    #[test]
    fn math_random_start_inclusive_end_exclusive() {
        let mut rng = Rng::seeded(3);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let v = eval_rng("States.MathRandom(1, 3)", json!({}), &mut rng);
            seen.extend(v.ok().and_then(|v| v.as_i64()));
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), [1, 2]);
        // A one-number range; negative bounds; rounded bounds (0.5 -> 1, 1.5 -> 2).
        assert_eq!(ok("States.MathRandom(5, 6)", json!({})), json!(5));
        assert_eq!(ok("States.MathRandom(-7, -6)", json!({})), json!(-7));
        assert_eq!(ok("States.MathRandom(0.5, 1.5)", json!({})), json!(1));
    }

    #[test]
    fn math_random_seed_gives_the_same_number() {
        // AWS: with the same seed value the function returns identical numbers, whatever the
        // state of the execution's own source.
        let mut a = Rng::seeded(10);
        let mut b = Rng::seeded(20);
        b.f64();
        let first = eval_rng("States.MathRandom(0, 1000000, 42)", json!({}), &mut a);
        let second = eval_rng("States.MathRandom(0, 1000000, 42)", json!({}), &mut b);
        assert!(first.is_ok());
        assert_eq!(first, second);
        // The seed does not consume the execution's source.
        let mut c = Rng::seeded(10);
        let _ = eval_rng("States.MathRandom(0, 10, 42)", json!({}), &mut c);
        assert_eq!(c.f64(), Rng::seeded(10).f64());
        // Negative seeds are seeds too.
        assert!(eval("States.MathRandom(0, 10, -1)", json!({})).is_ok());
    }

    #[test]
    fn math_random_without_seed_follows_the_execution_source() {
        let one = eval_rng(
            "States.MathRandom(0, 1000000)",
            json!({}),
            &mut Rng::seeded(5),
        );
        let two = eval_rng(
            "States.MathRandom(0, 1000000)",
            json!({}),
            &mut Rng::seeded(5),
        );
        assert!(one.is_ok());
        assert_eq!(one, two);
    }

    #[test]
    fn math_random_errors() {
        assert_cause(
            "States.MathRandom(5, 5)",
            json!({}),
            "States.MathRandom: the end (5) must be greater than the start (5); the start is \
             inclusive, the end exclusive",
        );
        assert_cause(
            "States.MathRandom(9, 1)",
            json!({}),
            "States.MathRandom: the end (1) must be greater than the start (9); the start is \
             inclusive, the end exclusive",
        );
        assert_cause(
            "States.MathRandom('1', 5)",
            json!({}),
            "States.MathRandom: the start must be an integer, not a string",
        );
        assert_cause(
            "States.MathRandom(1, 5, 'x')",
            json!({}),
            "States.MathRandom: the seed must be an integer, not a string",
        );
        assert_cause(
            "States.MathRandom(1)",
            json!({}),
            "States.MathRandom: takes 2 to 3 arguments, but got 1",
        );
        assert_cause(
            "States.MathRandom(1, 2, 3, 4)",
            json!({}),
            "States.MathRandom: takes 2 to 3 arguments, but got 4",
        );
    }

    #[test]
    fn math_add_aws_example() {
        // AWS: {"value1": 111, "step": -1} gives 110.
        let sum = ok(
            "States.MathAdd($.value1, $.step)",
            json!({"value1": 111, "step": -1}),
        );
        assert_eq!(sum, json!(110));
        assert!(sum.is_i64());
    }

    #[test]
    fn math_add_rounds_non_integers_like_java() {
        for (a, b, sum) in [
            (1.49, 1.5, 3),
            (1.5, 1.51, 4),
            (0.5, 0.0, 1),
            (2.5, 0.0, 3),
            (-0.5, 0.0, 0),
            (-1.5, 0.0, -1),
            (-2.5, 0.0, -2),
            (-1.51, 0.0, -2),
        ] {
            let v = ok("States.MathAdd($.a, $.b)", json!({"a": a, "b": b}));
            assert_eq!(v, json!(sum), "{a} + {b}");
            assert!(v.is_i64());
        }
    }

    #[test]
    fn math_add_errors() {
        assert_eq!(
            ok("States.MathAdd(2147483647, 2147483647)", json!({})),
            json!(4294967294i64)
        );
        assert_eq!(
            ok("States.MathAdd(-2147483648, 0)", json!({})),
            json!(-2147483648i64)
        );
        assert_cause(
            "States.MathAdd(2147483648, 0)",
            json!({}),
            "States.MathAdd: the first argument (2147483648) is outside the range -2147483648 to \
             2147483647",
        );
        assert_cause(
            "States.MathAdd(0, -2147483649)",
            json!({}),
            "States.MathAdd: the second argument (-2147483649) is outside the range -2147483648 \
             to 2147483647",
        );
        assert_cause(
            "States.MathAdd(1, '2')",
            json!({}),
            "States.MathAdd: the second argument must be an integer, not a string",
        );
        assert_cause(
            "States.MathAdd(1e300, 0)",
            json!({}),
            "States.MathAdd: the first argument (1e+300) is out of range",
        );
    }

    // ----- strings and UUIDs -----

    #[test]
    fn string_split_aws_examples() {
        // AWS: one delimiting character, and several.
        assert_eq!(
            ok(
                "States.StringSplit($.inputString, $.splitter)",
                json!({"inputString": "1,2,3,4,5", "splitter": ","})
            ),
            json!(["1", "2", "3", "4", "5"])
        );
        assert_eq!(
            ok(
                "States.StringSplit($.inputString, $.splitter)",
                json!({"inputString": "This.is+a,test=string", "splitter": ".+,=" })
            ),
            json!(["This", "is", "a", "test", "string"])
        );
    }

    #[test]
    fn string_split_drops_empty_parts() {
        assert_eq!(ok("States.StringSplit(',,,,', ',')", json!({})), json!([]));
        assert_eq!(
            ok("States.StringSplit(', , ,', ',')", json!({})),
            json!([" ", " "])
        );
        assert_eq!(ok("States.StringSplit('', ',')", json!({})), json!([]));
        assert_eq!(
            ok("States.StringSplit('abc', '')", json!({})),
            json!(["abc"])
        );
        assert_cause(
            "States.StringSplit(1, ',')",
            json!({}),
            "States.StringSplit: the first argument must be a string, not a number",
        );
        assert_cause(
            "States.StringSplit('a', $.d)",
            json!({"d": [","]}),
            "States.StringSplit: the delimiter must be a string, not an array",
        );
    }

    #[test]
    fn uuid_is_a_seeded_v4_uuid() {
        let one = ok("States.UUID()", json!({}));
        let text = one.as_str().unwrap_or_default();
        let groups: Vec<usize> = text.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{text}");
        assert_eq!(text.chars().nth(14), Some('4'), "{text}");
        assert!(
            matches!(text.chars().nth(19), Some('8' | '9' | 'a' | 'b')),
            "{text}"
        );
        assert_eq!(one, ok("States.UUID()", json!({})));
        assert_cause(
            "States.UUID(1)",
            json!({}),
            "States.UUID: takes 0 arguments, but got 1",
        );
    }

    // ----- nesting and parsing -----

    #[test]
    fn nested_calls() {
        assert_eq!(
            ok(
                "States.Format('{}', States.ArrayLength($.a))",
                json!({"a": [1, 2, 3]})
            ),
            json!("3")
        );
        assert_eq!(
            ok(
                "States.ArrayGetItem(States.StringSplit($.s, ','), States.MathAdd(1, -1))",
                json!({"s": "x,y"})
            ),
            json!("x")
        );
        // AWS's example of nine nested intrinsic functions in one field: as printed it has
        // three placeholders for two values, so it fails; with two placeholders it works.
        let arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my.recipe.name/1.0.0";
        let input = json!({"ImageRecipe": {"Arn": arn}});
        let nine = |template: &str| {
            format!(
                "States.Format('{template}', States.ArrayGetItem(States.StringSplit(\
                 States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), \
                 States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit(\
                 $.ImageRecipe.Arn, '/'), 2), '.'), 1))"
            )
        };
        assert_eq!(nine("{}.{}.{}").matches("States.").count(), 9);
        assert_cause(
            &nine("{}.{}.{}"),
            input.clone(),
            "States.Format: the format string has 3 placeholders but 2 values were given",
        );
        assert_eq!(ok(&nine("{}.{}"), input), json!("1.0"));
    }

    #[test]
    fn at_most_ten_calls_in_a_field() {
        let ten = "States.Array(States.Array(States.Array(States.Array(States.Array(\
                   States.Array(States.Array(States.Array(States.Array(States.Array())))))))))";
        assert_eq!(ok(ten, json!({})), json!([[[[[[[[[[]]]]]]]]]]));
        let eleven = format!("States.Array({ten}, 1)");
        assert_eq!(eleven.matches("States.").count(), 11);
        let cause = intrinsic_cause(&eleven, json!({}));
        assert!(
            cause.ends_with("a field may nest at most 10 intrinsic functions"),
            "{cause}"
        );
    }

    #[test]
    fn string_literal_escapes() {
        assert_eq!(
            ok(r"States.Array('it\'s', '\{x\}', 'a\\b', '')", json!({})),
            json!(["it's", "{x}", "a\\b", ""])
        );
        assert_eq!(
            ok("States.Array('a, b)', ' $.x ')", json!({})),
            json!(["a, b)", " $.x "])
        );
        // A real newline in the field's JSON text is a character, not an escape.
        assert_eq!(
            ok("States.StringSplit('Hello\nWorld', '\n')", json!({})),
            json!(["Hello", "World"])
        );
    }

    #[test]
    fn an_open_escape_backslash_is_a_runtime_error() {
        // AWS: "If an open escape backslash \ is found in the intrinsic invocation string, the
        // interpreter will return a runtime error."
        for expr in [
            r"States.Format('a\nb')",
            r"States.Array('\x')",
            r"States.Array('\",
        ] {
            match eval(expr, json!({})) {
                Err(e) => {
                    assert_eq!(e.error, "States.Runtime", "{expr}");
                    assert!(e.cause.contains("open escape backslash"), "{}", e.cause);
                }
                Ok(v) => panic!("{expr} gave {v}"),
            }
        }
    }

    #[test]
    fn literals() {
        assert_eq!(
            ok(
                "States.Array(0, -1, 2.5, -0.25, 1e3, true, false, null, 18446744073709551615)",
                json!({})
            ),
            json!([
                0,
                -1,
                2.5,
                -0.25,
                1000.0,
                true,
                false,
                null,
                18446744073709551615u64
            ])
        );
        let ints = ok("States.Array(7, -7)", json!({}));
        assert!(ints[0].is_u64() && ints[1].is_i64());
        assert_eq!(
            ok("  States.Array(  1 ,2,\t3 )  ", json!({})),
            json!([1, 2, 3])
        );
    }

    #[test]
    fn paths_reach_resolve_exactly_as_written() {
        let mut seen = Vec::new();
        let mut resolve = |path: &str| -> Result<Value, Failure> {
            seen.push(path.to_string());
            Ok(json!(path))
        };
        let v = evaluate(
            "States.Array($, $.a.b, $$.Execution.Id, $myVar.x, $.abc.['def ghi'], \
             $['a,b)'], $.list[0], $.l[?(@.k == 'v, w')])",
            &mut resolve,
            &mut Rng::seeded(1),
        );
        let expected = [
            "$",
            "$.a.b",
            "$$.Execution.Id",
            "$myVar.x",
            "$.abc.['def ghi']",
            "$['a,b)']",
            "$.list[0]",
            "$.l[?(@.k == 'v, w')]",
        ];
        assert_eq!(seen, expected);
        assert_eq!(v, Ok(json!(expected)));
    }

    #[test]
    fn resolve_failures_pass_through_unchanged() {
        let mut resolve = |path: &str| -> Result<Value, Failure> {
            Err(Failure::runtime(format!(
                "The JSONPath {path} could not be found"
            )))
        };
        let e = evaluate(
            "States.Format('{}', $.missing)",
            &mut resolve,
            &mut Rng::seeded(1),
        );
        assert_eq!(
            e,
            Err(Failure::runtime(
                "The JSONPath $.missing could not be found"
            ))
        );
    }

    #[test]
    fn a_malformed_call_resolves_nothing() {
        let mut calls = 0;
        let mut resolve = |_: &str| -> Result<Value, Failure> {
            calls += 1;
            Ok(json!(1))
        };
        let e = evaluate("States.Array($.a, 'open", &mut resolve, &mut Rng::seeded(1));
        assert!(e.is_err());
        assert_eq!(calls, 0);
    }

    #[test]
    fn syntax_errors() {
        for (expr, end) in [
            (
                "States.Array(1",
                "the arguments of States.Array are not closed",
            ),
            (
                "States.Array(1 2)",
                "`,` or `)` expected in the arguments of States.Array, found `2`",
            ),
            (
                "States.Array(1,)",
                "unexpected `)` in the arguments of States.Array",
            ),
            (
                "States.Array('x)",
                "a string literal in the arguments of States.Array is not closed",
            ),
            ("States.Array(1) x", "unexpected `x` after the call"),
            ("States.Array", "`(` expected after States.Array"),
            (
                "States.Nope(1)",
                "`States.Nope` is not an intrinsic function",
            ),
            (
                "States.array(1)",
                "`States.array` is not an intrinsic function",
            ),
            ("$.a", "it does not start with `States.`"),
            (
                "States.Array(abc)",
                "`abc` is not an argument (strings are quoted with ', paths start with $)",
            ),
            (
                "States.Array(True)",
                "`True` is not an argument (strings are quoted with ', paths start with $)",
            ),
            ("States.Array(01)", "`01` is not a number"),
            ("States.Array(1.)", "`1.` is not a number"),
            ("States.Array(-)", "`-` is not a number"),
            (
                "States.Array(\"x\")",
                "unexpected `\"` in the arguments of States.Array",
            ),
            ("States.Array($.a[0)", "the path `$.a[0)` is not closed"),
        ] {
            let cause = intrinsic_cause(expr, json!({"a": [1]}));
            assert_eq!(
                cause,
                format!("invalid intrinsic function call `{expr}`: {end}"),
                "{expr}"
            );
        }
    }

    #[test]
    fn every_function_checks_its_argument_count() {
        for (expr, end) in [
            ("States.StringToJson()", "takes 1 argument, but got 0"),
            (
                "States.JsonToString($.a, $.a)",
                "takes 1 argument, but got 2",
            ),
            ("States.ArrayPartition($.a)", "takes 2 arguments, but got 1"),
            ("States.ArrayContains($.a)", "takes 2 arguments, but got 1"),
            (
                "States.ArrayGetItem($.a, 1, 2)",
                "takes 2 arguments, but got 3",
            ),
            ("States.ArrayLength()", "takes 1 argument, but got 0"),
            (
                "States.ArrayUnique($.a, $.a)",
                "takes 1 argument, but got 2",
            ),
            ("States.Base64Encode()", "takes 1 argument, but got 0"),
            (
                "States.Base64Decode('a', 'b')",
                "takes 1 argument, but got 2",
            ),
            ("States.Hash('a')", "takes 2 arguments, but got 1"),
            ("States.MathAdd(1, 2, 3)", "takes 2 arguments, but got 3"),
            ("States.StringSplit('a')", "takes 2 arguments, but got 1"),
        ] {
            let name = expr.split('(').next().unwrap_or_default();
            assert_cause(expr, json!({"a": [1]}), &format!("{name}: {end}"));
        }
        // Every function has a name that parses back to it.
        for f in Func::ALL {
            assert_eq!(Func::from_name(f.name()), Some(f));
        }
    }

    #[test]
    fn java_rounding() {
        for (x, r) in [
            (0.49999999999999994, 0.0),
            (0.5, 1.0),
            (-0.5, 0.0),
            (-0.51, -1.0),
            (2.5, 3.0),
            (-2.5, -2.0),
            (3.0, 3.0),
        ] {
            assert_eq!(round_half_up(x), r, "{x}");
        }
        assert_eq!(f64_to_i64(9.3e18), None);
        assert_eq!(f64_to_i64(f64::NAN), None);
        assert_eq!(f64_to_i64(-(2f64.powi(63))), Some(i64::MIN));
    }
}
