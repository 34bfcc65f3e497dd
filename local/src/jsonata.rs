//! JSONata as Step Functions uses it: `{% expression %}` strings anywhere in a field's value,
//! evaluated by `jsonata-rs` with `$states` and the execution's variables bound, plus the
//! functions Step Functions adds (`$partition`, `$range`, `$hash`, `$random`, `$uuid`,
//! `$parse`) and a virtual `$now()`/`$millis()`.
//!
//! jsonata-rs keeps an object's keys in a hash map, so their order is not the expression's:
//! the objects an expression gives are returned with their keys sorted, which keeps output
//! deterministic (JSON objects are unordered; Step Functions compares them as such).

use std::cell::RefCell;
use std::collections::HashMap;

use bumpalo::Bump;
use jsonata_rs::{ArrayFlags, FunctionContext, JsonAta, Value as JValue};
use serde_json::Value as Json;

use crate::error::Failure;
use crate::rng::Rng;

/// The functions jsonata-rs evaluates, and those added here: anything else is named in the
/// error as not available.
const AVAILABLE: &[&str] = &[
    "abs",
    "append",
    "assert",
    "base64decode",
    "base64encode",
    "boolean",
    "ceil",
    "contains",
    "count",
    "distinct",
    "each",
    "error",
    "exists",
    "fromMillis",
    "toMillis",
    "single",
    "filter",
    "floor",
    "join",
    "keys",
    "length",
    "lookup",
    "lowercase",
    "map",
    "match",
    "max",
    "merge",
    "min",
    "not",
    "now",
    "number",
    "pad",
    "power",
    "random",
    "reduce",
    "replace",
    "reverse",
    "round",
    "sort",
    "split",
    "sqrt",
    "string",
    "substring",
    "substringBefore",
    "substringAfter",
    "sum",
    "trim",
    "uppercase",
    "zip",
    "millis",
    "uuid",
    "partition",
    "range",
    "hash",
    "parse",
];

thread_local! {
    /// The run's random source and virtual time, for the functions that need them (jsonata-rs
    /// takes plain function pointers).
    static STATE: RefCell<Option<(Rng, i64)>> = const { RefCell::new(None) };
}

/// The expression inside `{% ... %}`, if `s` is one.
pub(crate) fn expression(s: &str) -> Option<&str> {
    s.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// The names bound for an evaluation: `states` and the variables in scope.
pub(crate) type Bindings<'a> = HashMap<&'a str, &'a Json>;

/// Evaluates every `{% %}` string in `template` (object values and array items, at any
/// depth); other values stay as they are. An expression that gives nothing (JSONata's
/// undefined) is `States.QueryEvaluationError`, as AWS documents.
pub(crate) fn template(
    template: &Json,
    bindings: &Bindings<'_>,
    rng: &mut Rng,
    now_millis: i64,
) -> Result<Json, Failure> {
    Ok(fill(template, bindings, rng, now_millis)?.unwrap_or(Json::Null))
}

fn fill(
    v: &Json,
    bindings: &Bindings<'_>,
    rng: &mut Rng,
    now: i64,
) -> Result<Option<Json>, Failure> {
    Ok(Some(match v {
        Json::String(s) => match expression(s) {
            Some(e) => match evaluate(e, bindings, rng, now)? {
                Some(value) => value,
                // AWS: an expression that returns nothing is an error
                None => {
                    return Err(Failure::query(format!(
                        "The JSONata expression '{e}' returned no value (undefined)"
                    )))
                }
            },
            None => v.clone(),
        },
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(fill(item, bindings, rng, now)?.unwrap_or(Json::Null));
            }
            Json::Array(out)
        }
        Json::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, item) in map {
                if let Some(x) = fill(item, bindings, rng, now)? {
                    out.insert(k.clone(), x);
                }
            }
            Json::Object(out)
        }
        other => other.clone(),
    }))
}

/// The deepest an evaluation may go: jsonata-rs counts a level for each expression evaluated
/// within another and for each function call, so an endless or too deep recursion stops
/// here, with `States.QueryEvaluationError` (AWS's error for a JSONata evaluation that fails:
/// "Query evaluation failed in a JSONata state", the error-handling page of the developer
/// guide, <https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>;
/// AWS documents no depth of its own).
pub(crate) const MAX_EVALUATION_DEPTH: usize = 10_000;

/// The deepest an expression's text may nest (brackets, and operators chained within one
/// bracket): its syntax tree is walked recursively by the parser.
pub(crate) const MAX_EXPRESSION_NESTING: usize = 2_000;

/// How long one expression may evaluate (an endless tail recursion never gets deeper).
pub(crate) const TIME_LIMIT_MS: usize = 5_000;

/// The most memory one evaluation's values may take.
pub(crate) const MAX_EVALUATION_BYTES: usize = 256 << 20;

/// Evaluations run on a thread of their own with this much stack (reserved, touched only as
/// deep as an evaluation goes): the depth limits above hold whatever stack the caller has
/// (a test's thread has 2 MiB).
const STACK_BYTES: usize = 256 << 20;

/// Evaluates one expression; `None` when it gives nothing (JSONata's undefined).
pub(crate) fn evaluate(
    expr: &str,
    bindings: &Bindings<'_>,
    rng: &mut Rng,
    now_millis: i64,
) -> Result<Option<Json>, Failure> {
    let nesting = nesting(expr);
    if nesting > MAX_EXPRESSION_NESTING {
        return Err(Failure::query(format!(
            "The JSONata expression '{}' nests {nesting} levels deep; at most \
             {MAX_EXPRESSION_NESTING} are evaluated",
            shortened(expr)
        )));
    }
    quiet_arena_limit();
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("jsonata".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || evaluate_here(expr, bindings, rng, now_millis));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                // bumpalo stops an arena past its limit with a panic
                Err(Failure::query(format!(
                    "The JSONata expression '{}' used more than {} MiB of memory",
                    shortened(expr),
                    MAX_EVALUATION_BYTES >> 20
                )))
            }),
            Err(e) => Err(Failure::query(format!(
                "The JSONata expression '{}' could not be evaluated: no thread ({e})",
                shortened(expr)
            ))),
        }
    })
}

/// bumpalo reports an arena past its limit by a panic, which the evaluation's thread turns
/// into the state's error: the panic hook says nothing of it (any other panic is reported as
/// before).
fn quiet_arena_limit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let arena_full = std::thread::current().name() == Some("jsonata")
                && info.payload().downcast_ref::<&str>() == Some(&"out of memory");
            if !arena_full {
                previous(info);
            }
        }));
    });
}

fn evaluate_here(
    expr: &str,
    bindings: &Bindings<'_>,
    rng: &mut Rng,
    now_millis: i64,
) -> Result<Option<Json>, Failure> {
    let text = virtual_time(expr);
    let arena = Bump::new();
    arena.set_allocation_limit(Some(MAX_EVALUATION_BYTES));
    let failed = |e: jsonata_rs::Error| explain(expr, e);
    let program = JsonAta::new(&text, &arena).map_err(failed)?;
    program.register_function("partition", 2, fn_partition);
    program.register_function("range", 3, fn_range);
    program.register_function("hash", 2, fn_hash);
    program.register_function("parse", 1, fn_parse);
    program.register_function("rcdkRandom", 1, fn_random);
    program.register_function("rcdkUuid", 0, fn_uuid);
    program.register_function("rcdkNow", 0, fn_now);
    program.register_function("rcdkMillis", 0, fn_millis);
    for (name, value) in bindings {
        program.assign_var(name, to_jvalue(&arena, value));
    }
    STATE.with(|s| *s.borrow_mut() = Some((rng.clone(), now_millis)));
    let result = program.evaluate_timeboxed(None, Some(MAX_EVALUATION_DEPTH), Some(TIME_LIMIT_MS));
    // the functions drew from the run's source: carry on from where they left it
    if let Some((r, _)) = STATE.with(|s| s.borrow_mut().take()) {
        *rng = r;
    }
    let value = result.map_err(failed)?;
    if value.is_undefined() {
        return Ok(None);
    }
    if value.is_function() {
        return Err(Failure::query(format!(
            "The JSONata expression '{expr}' gives a function, not a value"
        )));
    }
    let text = value.serialize(false);
    let json: Json = serde_json::from_str(&text).map_err(|e| {
        Failure::query(format!(
            "The JSONata expression '{}' gave no JSON value: {e}",
            shortened(expr)
        ))
    })?;
    Ok(Some(sorted(json)))
}

/// How deep an expression's syntax tree may be, from its text: each bracket nests, and so
/// does each operator chained with others between the same separators (`a + b + c` is two
/// levels). Text in string literals, backquoted names and comments does not count.
fn nesting(expr: &str) -> usize {
    // per open bracket: (deepest finished segment, operators in this segment, deepest
    // bracket within this segment)
    let mut stack: Vec<(usize, usize, usize)> = vec![(0, 0, 0)];
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                while let Some(d) = chars.next() {
                    if d == '\\' && c != '`' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut star = false;
                for d in chars.by_ref() {
                    if star && d == '/' {
                        break;
                    }
                    star = d == '*';
                }
            }
            '(' | '[' | '{' => stack.push((0, 0, 0)),
            ')' | ']' | '}' if stack.len() > 1 => {
                if let Some((best, ops, inner)) = stack.pop() {
                    let depth = 1 + best.max(ops + inner);
                    if let Some(top) = stack.last_mut() {
                        top.2 = top.2.max(depth);
                    }
                }
            }
            ',' | ';' => {
                if let Some(top) = stack.last_mut() {
                    top.0 = top.0.max(top.1 + top.2);
                    top.1 = 0;
                    top.2 = 0;
                }
            }
            '+' | '-' | '*' | '/' | '%' | '&' | '=' | '<' | '>' | '!' | '?' | '~' | '.' | '@'
            | '#' | '^' | '|' => {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
            }
            c if c.is_alphabetic() => {
                // the word operators `and`, `or`, `in`
                let mut word = String::from(c);
                while let Some(&d) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        word.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if matches!(word.as_str(), "and" | "or" | "in") {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                }
            }
            _ => {}
        }
    }
    // brackets left open count as closed here
    let mut depth = 0;
    while let Some((best, ops, inner)) = stack.pop() {
        depth = best.max(ops + inner.max(depth)) + usize::from(!stack.is_empty());
    }
    depth
}

/// An expression for a message: at most 200 characters.
fn shortened(expr: &str) -> String {
    if expr.chars().count() <= 200 {
        return expr.to_string();
    }
    let cut: String = expr.chars().take(200).collect();
    format!("{cut}…")
}

/// Step Functions' own functions that JavaScript's JSONata also has are renamed to the
/// versions here that use the run's seeded randomness and virtual clock. Text inside string
/// literals is left alone.
fn virtual_time(expr: &str) -> String {
    const RENAMES: [(&str, &str); 4] = [
        ("$now(", "$rcdkNow("),
        ("$millis(", "$rcdkMillis("),
        ("$random(", "$rcdkRandom("),
        ("$uuid(", "$rcdkUuid("),
    ];
    let mut out = String::with_capacity(expr.len() + 8);
    let mut quote: Option<char> = None;
    let mut rest = expr;
    while let Some(c) = rest.chars().next() {
        if let Some(q) = quote {
            if c == '\\' {
                let n = rest.chars().nth(1).map_or(1, |c2| 1 + c2.len_utf8());
                out.push_str(&rest[..n.min(rest.len())]);
                rest = &rest[n.min(rest.len())..];
                continue;
            }
            if c == q {
                quote = None;
            }
        } else if c == '"' || c == '\'' {
            quote = Some(c);
        } else if let Some((from, to)) = RENAMES.iter().find(|(f, _)| rest.starts_with(f)) {
            out.push_str(to);
            rest = &rest[from.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn sorted(v: Json) -> Json {
    match v {
        Json::Object(map) => {
            let mut entries: Vec<(String, Json)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Json::Array(items) => Json::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The failure for a jsonata-rs error: a function it does not have is named as such, and
/// the evaluation's limits say which was reached.
fn explain(expr: &str, e: jsonata_rs::Error) -> Failure {
    match e {
        jsonata_rs::Error::U1001StackOverflow => {
            return Failure::query(format!(
                "The JSONata expression '{}' evaluated more than {MAX_EVALUATION_DEPTH} levels \
                 deep (a recursion that does not end, or goes too deep)",
                shortened(expr)
            ))
        }
        jsonata_rs::Error::U1001Timeout => {
            return Failure::query(format!(
                "The JSONata expression '{}' evaluated for more than {} s (a recursion or \
                 loop that does not end?)",
                shortened(expr),
                TIME_LIMIT_MS / 1000
            ))
        }
        _ => {}
    }
    let code = e.code();
    if code == "T1005" || code == "T1006" {
        if let Some(name) = called_functions(expr)
            .into_iter()
            .find(|f| !AVAILABLE.contains(&f.as_str()))
        {
            return Failure::query(format!(
                "The JSONata function ${name} (in '{expr}') cannot be evaluated locally: \
                 jsonata-rs, rcdk's JSONata engine, does not implement it"
            ));
        }
    }
    Failure::query(format!(
        "The JSONata expression '{}' failed: {e}",
        shortened(expr)
    ))
}

/// The names of the functions an expression calls (`$name(`), outside string literals.
fn called_functions(expr: &str) -> Vec<String> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    let mut quote = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'$' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                if end > start && bytes.get(end) == Some(&b'(') {
                    out.push(expr[start..end].to_string());
                }
                i = end.max(i + 1);
                continue;
            }
            None => {}
        }
        i += 1;
    }
    out
}

type Native<'a> = jsonata_rs::Result<&'a JValue<'a>>;

fn bad(name: &str, message: &str) -> jsonata_rs::Error {
    jsonata_rs::Error::D3137Error(format!("${name}: {message}"))
}

fn to_jvalue<'a>(arena: &'a Bump, v: &Json) -> &'a JValue<'a> {
    match v {
        Json::Null => JValue::null(arena),
        Json::Bool(b) => JValue::bool(*b),
        Json::Number(n) => JValue::number(arena, n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => JValue::string(arena, s),
        Json::Array(items) => {
            let out = JValue::array_with_capacity(arena, items.len(), ArrayFlags::empty());
            for item in items {
                out.push(to_jvalue(arena, item));
            }
            out
        }
        Json::Object(map) => {
            let out = JValue::object_with_capacity(arena, map.len());
            for (k, item) in map {
                out.insert(k, to_jvalue(arena, item));
            }
            out
        }
    }
}

fn fn_partition<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> Native<'a> {
    let (Some(array), Some(size)) = (args.first(), args.get(1)) else {
        return Err(bad("partition", "takes an array and a chunk size"));
    };
    if !size.is_integer() || size.as_f64() < 1.0 {
        return Err(bad(
            "partition",
            "the chunk size must be a positive integer",
        ));
    }
    let size = size.as_usize();
    let items: Vec<&'a JValue<'a>> = if array.is_array() {
        array.members().collect()
    } else {
        vec![*array]
    };
    let out =
        JValue::array_with_capacity(ctx.arena, items.len().div_ceil(size), ArrayFlags::empty());
    for chunk in items.chunks(size) {
        let part = JValue::array_with_capacity(ctx.arena, chunk.len(), ArrayFlags::empty());
        for item in chunk {
            part.push(item);
        }
        out.push(part);
    }
    Ok(out)
}

fn fn_range<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> Native<'a> {
    let nums: Vec<f64> = args.iter().map(|a| a.as_f64()).collect();
    if args.len() != 3 || args.iter().any(|a| !a.is_integer()) {
        return Err(bad("range", "takes three integers: start, end and step"));
    }
    let (start, end, step) = (nums[0] as i64, nums[1] as i64, nums[2] as i64);
    if step == 0 {
        return Err(bad("range", "the step must not be 0"));
    }
    let count = ((end - start) / step + 1).max(0);
    if count > 1000 {
        return Err(bad("range", "gives more than 1000 items"));
    }
    let out = JValue::array_with_capacity(ctx.arena, count as usize, ArrayFlags::empty());
    for i in 0..count {
        out.push(JValue::number(ctx.arena, (start + i * step) as f64));
    }
    Ok(out)
}

fn fn_hash<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> Native<'a> {
    let (Some(data), Some(algorithm)) = (args.first(), args.get(1)) else {
        return Err(bad("hash", "takes a string and an algorithm"));
    };
    if !data.is_string() || !algorithm.is_string() {
        return Err(bad("hash", "takes a string and an algorithm"));
    }
    let digest = crate::hashing::hex_digest(&algorithm.as_str(), data.as_str().as_bytes())
        .ok_or_else(|| {
            bad(
                "hash",
                &format!(
                    "the algorithm '{}' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512",
                    algorithm.as_str()
                ),
            )
        })?;
    Ok(JValue::string(ctx.arena, &digest))
}

fn fn_parse<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> Native<'a> {
    let Some(text) = args.first().filter(|a| a.is_string()) else {
        return Err(bad("parse", "takes a string of JSON"));
    };
    let json: Json = serde_json::from_str(&text.as_str())
        .map_err(|e| bad("parse", &format!("not JSON: {e}")))?;
    Ok(to_jvalue(ctx.arena, &json))
}

fn fn_random<'a>(ctx: FunctionContext<'a, '_>, args: &[&'a JValue<'a>]) -> Native<'a> {
    let n = match args.first() {
        Some(seed) if seed.is_number() => Rng::seeded(seed.as_f64() as u64).f64(),
        _ => STATE.with(|s| match s.borrow_mut().as_mut() {
            Some((rng, _)) => rng.f64(),
            None => 0.0,
        }),
    };
    Ok(JValue::number(ctx.arena, n))
}

fn fn_uuid<'a>(ctx: FunctionContext<'a, '_>, _args: &[&'a JValue<'a>]) -> Native<'a> {
    let id = STATE.with(|s| match s.borrow_mut().as_mut() {
        Some((rng, _)) => rng.uuid(),
        None => Rng::seeded(0).uuid(),
    });
    Ok(JValue::string(ctx.arena, &id))
}

fn now_millis() -> i64 {
    STATE.with(|s| s.borrow().as_ref().map_or(0, |(_, now)| *now))
}

fn fn_now<'a>(ctx: FunctionContext<'a, '_>, _args: &[&'a JValue<'a>]) -> Native<'a> {
    let t = chrono::DateTime::from_timestamp_millis(now_millis()).unwrap_or_default();
    Ok(JValue::string(ctx.arena, &crate::clock::format(t)))
}

fn fn_millis<'a>(ctx: FunctionContext<'a, '_>, _args: &[&'a JValue<'a>]) -> Native<'a> {
    Ok(JValue::number(ctx.arena, now_millis() as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(expr: &str, states: Json) -> Result<Option<Json>, Failure> {
        let mut b = Bindings::new();
        b.insert("states", &states);
        let n = json!(5);
        b.insert("n", &n);
        evaluate(expr, &b, &mut Rng::seeded(1), 1_735_689_600_000)
    }

    #[test]
    fn states_and_variables_are_bound() {
        let states = json!({"input": {"a": [1, 2, 3]}});
        assert_eq!(
            eval("$sum($states.input.a) + $n", states.clone()).unwrap(),
            Some(json!(11))
        );
        assert_eq!(eval("$states.input.b", states).unwrap(), None);
    }

    #[test]
    fn step_functions_functions_are_there() {
        let s = json!({});
        assert_eq!(
            eval("$partition([1,2,3,4,5], 2)", s.clone()).unwrap(),
            Some(json!([[1, 2], [3, 4], [5]]))
        );
        assert_eq!(
            eval("$range(0, 10, 5)", s.clone()).unwrap(),
            Some(json!([0, 5, 10]))
        );
        assert_eq!(
            eval("$parse('{\"k\": [1]}')", s.clone()).unwrap(),
            Some(json!({"k": [1]}))
        );
        assert_eq!(
            eval("$now()", s.clone()).unwrap(),
            Some(json!("2025-01-01T00:00:00Z"))
        );
        assert_eq!(
            eval("$millis()", s.clone()).unwrap(),
            Some(json!(1_735_689_600_000_i64))
        );
        assert_eq!(
            eval("$hash('input data', 'SHA-256')", s.clone()).unwrap(),
            Some(json!(
                "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"
            ))
        );
        let a = eval("$uuid()", s.clone()).unwrap();
        let b = eval("$uuid()", s).unwrap();
        assert_eq!(a, b, "the same seed gives the same UUID");
    }

    #[test]
    fn templates_fill_expressions_and_refuse_undefined() {
        let states = json!({"input": {"x": 2}});
        let mut b = Bindings::new();
        b.insert("states", &states);
        let t = json!({"a": "{% $states.input.x * 3 %}", "b": ["{% 'k' %}", "plain"]});
        let out = template(&t, &b, &mut Rng::seeded(0), 0).unwrap();
        assert_eq!(out, json!({"a": 6, "b": ["k", "plain"]}));
        let t = json!({"c": "{% $states.input.nope %}"});
        let e = template(&t, &b, &mut Rng::seeded(0), 0).unwrap_err();
        assert_eq!(e.error, "States.QueryEvaluationError");
    }

    #[test]
    fn a_function_jsonata_rs_lacks_is_named() {
        let e = eval("$formatNumber(3, '#')", json!({})).unwrap_err();
        assert_eq!(e.error, "States.QueryEvaluationError");
        assert!(e.cause.contains("$formatNumber"), "{}", e.cause);
        let e = eval("1 +", json!({})).unwrap_err();
        assert_eq!(e.error, "States.QueryEvaluationError");
    }

    #[test]
    fn strings_keep_their_dollar_names() {
        assert_eq!(virtual_time("'$now()' & $now()"), "'$now()' & $rcdkNow()");
    }

    #[test]
    fn nesting_counts_brackets_and_chained_operators_outside_strings() {
        assert_eq!(nesting("1"), 0);
        assert_eq!(nesting("1 + 2 + 3"), 2);
        assert_eq!(nesting("((1))"), 2);
        assert_eq!(nesting("[1 + 2, 3]"), 2);
        assert_eq!(nesting("$a and $b or $c"), 2);
        assert_eq!(nesting("'((((' & \"[[[\" & `(((`"), 2);
        assert_eq!(nesting("/* ((( */ 1"), 0);
        assert_eq!(nesting(&"(".repeat(5000)), 5000);
        assert_eq!(nesting(&format!("{}1", "-".repeat(3000))), 3000);
    }

    #[test]
    fn deep_or_endless_recursion_is_an_error_of_the_state_not_a_crash() {
        let deep = eval(
            "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000))",
            json!({}),
        )
        .unwrap_err();
        assert_eq!(deep.error, "States.QueryEvaluationError");
        assert!(deep.cause.contains("levels deep"), "{}", deep.cause);
        // a recursion of a few hundred calls is fine
        assert_eq!(
            eval(
                "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(300))",
                json!({})
            )
            .unwrap(),
            Some(json!(300))
        );
        let text = format!("{}1{}", "(".repeat(50_000), ")".repeat(50_000));
        let e = eval(&text, json!({})).unwrap_err();
        assert_eq!(e.error, "States.QueryEvaluationError");
        assert!(e.cause.contains("nests 50000 levels deep"), "{}", e.cause);
        let chain = vec!["1"; 100_000].join("+");
        assert!(eval(&chain, json!({})).is_err());
        // a result deeper than JSON is read back is an error, not a crash
        let e = eval(
            "($f := function($n){ $n = 0 ? {} : {\"a\": $f($n - 1)} }; $f(1000))",
            json!({}),
        )
        .unwrap_err();
        assert_eq!(e.error, "States.QueryEvaluationError");
    }
}
