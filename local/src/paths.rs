//! JSONPath as Step Functions uses it: reference paths (`$.a.b[0]`, `$['k']`) read and written
//! by hand, anything richer (`[*]`, `..`, filters, slices) read through `serde_json_path`, and
//! the roots a path may start from (`$` the input, `$$` the context object, `$name` a variable).

use serde_json::{Map, Value as Json};

use crate::error::Failure;

/// One step of a reference path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// What a path starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Root<'a> {
    /// `$`: the state's (effective) input, or whatever the field applies to.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a variable.
    Var(&'a str),
}

/// Splits `$$.a`, `$name.a` or `$.a` into its root and the rest as a `$`-rooted path.
pub(crate) fn split_root(path: &str) -> Option<(Root<'_>, String)> {
    let rest = path.strip_prefix('$')?;
    if let Some(rest) = rest.strip_prefix('$') {
        return Some((Root::Context, format!("${rest}")));
    }
    let name_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return Some((Root::Input, path.to_string()));
    }
    let (name, rest) = rest.split_at(name_len);
    Some((Root::Var(name), format!("${rest}")))
}

/// Parses a reference path (`$`, `$.a.b`, `$['a b'][0]`); `None` for anything richer.
pub(crate) fn reference(path: &str) -> Option<Vec<Segment>> {
    let mut rest = path.strip_prefix('$')?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            if key.is_empty() || key.contains(['*', '?', '@', ']', '\'', '"', '(', ')', ',', ':']) {
                return None;
            }
            out.push(Segment::Key(key.to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            if let Some(q) = r.strip_prefix('\'').or_else(|| r.strip_prefix('"')) {
                let quote = &r[..1];
                let end = q.find(quote)?;
                let after = q[end + 1..].strip_prefix(']')?;
                out.push(Segment::Key(q[..end].to_string()));
                rest = after;
            } else {
                let end = r.find(']')?;
                let n: usize = r[..end].trim().parse().ok()?;
                out.push(Segment::Index(n));
                rest = &r[end + 1..];
            }
        } else {
            return None;
        }
    }
    Some(out)
}

/// True when a path may match several values (Jayway's "indefinite" paths): its result is
/// always an array.
fn indefinite(path: &str) -> bool {
    path.contains("..") || path.contains(['*', '?', ':', ','])
}

/// The deepest brackets and parentheses of a JSONPath may nest: its parser recurses into
/// each (a filter within a filter), so a path of a definition cannot exhaust the stack.
pub(crate) const MAX_PATH_NESTING: usize = 64;

/// How deep the brackets and parentheses of `path` nest, outside its quoted names.
fn path_nesting(path: &str) -> usize {
    let (mut depth, mut deepest, mut quote) = (0usize, 0usize, None);
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (None, ']' | ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The value at `path` of `doc` (a `$`-rooted path); `Ok(None)` when it matches nothing;
/// an indefinite path gives the array of what it matched.
pub(crate) fn read(doc: &Json, path: &str) -> Result<Option<Json>, Failure> {
    if let Some(segments) = reference(path) {
        return Ok(get(doc, &segments).cloned());
    }
    let nesting = path_nesting(path);
    if nesting > MAX_PATH_NESTING {
        return Err(Failure::runtime(format!(
            "The JSONPath '{}…' nests its brackets {nesting} deep; at most {MAX_PATH_NESTING} \
             are read",
            path.chars().take(80).collect::<String>()
        )));
    }
    let query = serde_json_path::JsonPath::parse(path)
        .map_err(|e| Failure::runtime(format!("The JSONPath '{path}' is not valid: {e}")))?;
    let found = query.query(doc).all();
    if indefinite(path) {
        return Ok(Some(Json::Array(found.into_iter().cloned().collect())));
    }
    Ok(found.first().map(|v| (*v).clone()))
}

/// The value at a parsed reference path.
pub(crate) fn get<'v>(doc: &'v Json, segments: &[Segment]) -> Option<&'v Json> {
    segments.iter().try_fold(doc, |v, s| match s {
        Segment::Key(k) => v.as_object()?.get(k),
        Segment::Index(i) => v.as_array()?.get(*i),
    })
}

/// Writes `value` at reference path `path` of `doc` (ResultPath): objects are created on the
/// way; a non-object on the way is `States.ResultPathMatchFailure`.
pub(crate) fn write(doc: Json, path: &str, value: Json) -> Result<Json, Failure> {
    let segments = reference(path).ok_or_else(|| {
        Failure::runtime(format!(
            "The ResultPath '{path}' is not a reference path (it may only name fields)"
        ))
    })?;
    if segments.is_empty() {
        return Ok(value);
    }
    if segments.len() > crate::exec::MAX_DEPTH {
        return Err(Failure::runtime(format!(
            "The ResultPath '{}…' names {} levels; a value is kept at most {} levels deep",
            path.chars().take(80).collect::<String>(),
            segments.len(),
            crate::exec::MAX_DEPTH
        )));
    }
    let mut doc = doc;
    let fail = |doc: &Json| {
        Failure::new(
            "States.ResultPathMatchFailure",
            format!(
                "Unable to apply ResultPath \"{path}\" to input \"{}\"",
                compact(doc)
            ),
        )
    };
    let original = doc.clone();
    let mut current = &mut doc;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        current = match seg {
            Segment::Key(k) => {
                let Json::Object(map) = current else {
                    return Err(fail(&original));
                };
                if last {
                    map.insert(k.clone(), value);
                    return Ok(doc);
                }
                map.entry(k.clone())
                    .or_insert_with(|| Json::Object(Map::new()))
            }
            Segment::Index(n) => {
                let Some(slot) = current.as_array_mut().and_then(|a| a.get_mut(*n)) else {
                    return Err(fail(&original));
                };
                if last {
                    *slot = value;
                    return Ok(doc);
                }
                slot
            }
        };
    }
    Ok(doc)
}

/// Compact JSON text, for causes.
pub(crate) fn compact(v: &Json) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_paths_parse_and_richer_ones_do_not() {
        assert_eq!(reference("$"), Some(vec![]));
        assert_eq!(
            reference("$.a['b c'][2]"),
            Some(vec![
                Segment::Key("a".into()),
                Segment::Key("b c".into()),
                Segment::Index(2)
            ])
        );
        assert_eq!(reference("$.a[*]"), None);
        assert_eq!(reference("$..a"), None);
        assert_eq!(reference("$.a[?(@.x > 1)]"), None);
    }

    #[test]
    fn roots_are_split() {
        assert_eq!(
            split_root("$$.Execution.Id"),
            Some((Root::Context, "$.Execution.Id".into()))
        );
        assert_eq!(split_root("$.x"), Some((Root::Input, "$.x".into())));
        assert_eq!(split_root("$"), Some((Root::Input, "$".into())));
        assert_eq!(
            split_root("$total.n"),
            Some((Root::Var("total"), "$.n".into()))
        );
        assert_eq!(split_root("$total"), Some((Root::Var("total"), "$".into())));
    }

    #[test]
    fn a_path_nested_too_deep_is_an_error_not_a_stack_overflow() {
        let doc = json!({"a": 1});
        let path = format!("$[?{}@.a == 1{}]", "(".repeat(100_000), ")".repeat(100_000));
        let e = read(&doc, &path).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert!(
            e.cause.contains("nests its brackets 100001 deep"),
            "{}",
            e.cause
        );
        assert_eq!(path_nesting("$['((('][?(@.x)]"), 2);
    }

    #[test]
    fn indefinite_paths_give_arrays() {
        let doc = json!({"a": [{"x": 1}, {"x": 2}, {"x": 3}]});
        assert_eq!(read(&doc, "$.a[*].x").unwrap(), Some(json!([1, 2, 3])));
        assert_eq!(
            read(&doc, "$.a[?(@.x > 1)].x").unwrap(),
            Some(json!([2, 3]))
        );
        assert_eq!(read(&doc, "$.a[1:].x").unwrap(), Some(json!([2, 3])));
        assert_eq!(read(&doc, "$.b").unwrap(), None);
        assert_eq!(read(&doc, "$.a[0].x").unwrap(), Some(json!(1)));
    }

    #[test]
    fn result_paths_create_objects_and_refuse_non_objects() {
        let out = write(json!({"a": 1}), "$.b.c", json!(2)).unwrap();
        assert_eq!(out, json!({"a": 1, "b": {"c": 2}}));
        assert_eq!(write(json!({"a": 1}), "$", json!(3)).unwrap(), json!(3));
        let e = write(json!({"a": 1}), "$.a.b", json!(2)).unwrap_err();
        assert_eq!(e.error, "States.ResultPathMatchFailure");
        let e = write(json!([1]), "$.a", json!(2)).unwrap_err();
        assert_eq!(e.error, "States.ResultPathMatchFailure");
    }
}
