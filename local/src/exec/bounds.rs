//! The bounds every value of a run keeps: the payload size Step Functions allows, and a
//! nesting depth every JSON reader of the run can read back.

use serde_json::ser::{CompactFormatter, Formatter};
use serde_json::Value as Json;

use crate::error::Failure;

/// The most bytes of a state's input, output or result, and of an execution's input:
/// "262,144 bytes of data as a UTF-8 encoded string" (the quota page of the developer guide).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// The deepest a value of a run may be nested. AWS documents no depth; this is the runner's
/// own bound, serde_json's: every value the runner passes on (in a history event, a variable,
/// the output) can be read back, and no recursion over a value can exhaust the stack. JSON a
/// user gives (`--input`, mock files, definitions) is read at most this deep already; values
/// the runner builds (a ResultPath or a Parameters template nesting the input in itself, turn
/// after turn of a loop) are checked as they are written.
pub const MAX_DEPTH: usize = 128;

/// A serializer's formatter that measures the nesting as it writes.
struct Measure<'a> {
    depth: usize,
    deepest: &'a std::cell::Cell<usize>,
}

impl Measure<'_> {
    /// One level deeper; past the bound the writing stops, so it never recurses deeper.
    fn open(&mut self) -> std::io::Result<()> {
        self.depth += 1;
        self.deepest.set(self.deepest.get().max(self.depth));
        if self.depth > MAX_DEPTH {
            return Err(std::io::Error::other("nested too deep"));
        }
        Ok(())
    }
}

impl Formatter for Measure<'_> {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open()?;
        CompactFormatter.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        CompactFormatter.end_array(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open()?;
        CompactFormatter.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        CompactFormatter.end_object(w)
    }
}

/// The compact JSON text of `v` and how deep it nests (past [`MAX_DEPTH`], no text and a
/// depth over it).
pub(crate) fn measured(v: &Json) -> (String, usize) {
    let mut out = Vec::with_capacity(128);
    let deepest = std::cell::Cell::new(0);
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        Measure {
            depth: 0,
            deepest: &deepest,
        },
    );
    let ok = serde::Serialize::serialize(v, &mut ser).is_ok();
    let deepest = deepest.get();
    // serde_json writes valid UTF-8
    let text = if ok {
        String::from_utf8(out).unwrap_or_default()
    } else {
        String::new()
    };
    (text, deepest)
}

/// The bytes of `v`'s compact JSON text, counted without keeping the text.
pub(crate) fn size_of(v: &Json) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    match serde_json::to_writer(&mut c, v) {
        Ok(()) => c.0,
        Err(_) => 0,
    }
}

pub(crate) use constructs::core::value::json_depth as depth;

/// A payload over 256 KiB is `States.DataLimitExceeded`; one nested deeper than [`MAX_DEPTH`]
/// is `States.Runtime`. `what` names it.
pub(crate) fn check_value(v: &Json, what: &str) -> Result<(), Failure> {
    check_depth(depth(v), what)?;
    check_text_size(size_of(v), what)
}

/// The text of a value the runner passes on, its size and depth checked.
pub(crate) fn checked_text(v: &Json, what: &str) -> Result<String, Failure> {
    let (text, deep) = measured(v);
    check_depth(deep, what)?;
    check_text_size(text.len(), what)?;
    Ok(text)
}

pub(crate) fn check_depth(deep: usize, what: &str) -> Result<(), Failure> {
    if deep > MAX_DEPTH {
        return Err(Failure::runtime(format!(
            "The state/task '{what}' gave a value nested {deep} levels deep; the local runner \
             keeps values at most {MAX_DEPTH} levels deep (the depth its JSON reader reads back)"
        )));
    }
    Ok(())
}

pub(crate) fn check_text_size(size: usize, what: &str) -> Result<(), Failure> {
    if size > MAX_PAYLOAD_BYTES {
        return Err(Failure::new(
            "States.DataLimitExceeded",
            format!(
                "The state/task '{what}' returned a result with a size exceeding the maximum \
                 number of bytes service limit ({size} bytes; the limit is {MAX_PAYLOAD_BYTES})."
            ),
        ));
    }
    Ok(())
}

/// Drops a value of any depth without recursion (serde_json's own drop recurses).
pub(crate) fn drop_deep(v: Json) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Json::Array(items) => stack.extend(items),
            Json::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_is_measured_while_writing_and_without_recursion() {
        let v = json!({"a": [1, {"b": []}], "c": 2});
        assert_eq!(depth(&v), 4);
        assert_eq!(measured(&v).1, 4);
        assert_eq!(measured(&v).0, r#"{"a":[1,{"b":[]}],"c":2}"#);
        assert_eq!(depth(&json!(1)), 0);
        // a value deeper than any stack would allow a recursion over
        let mut deep = json!(0);
        for _ in 0..200_000 {
            deep = Json::Array(vec![deep]);
        }
        assert_eq!(depth(&deep), 200_000);
        assert_eq!(
            measured(&deep).1,
            MAX_DEPTH + 1,
            "the writing stops past the bound"
        );
        assert!(checked_text(&deep, "S").is_err());
        let e = check_value(&deep, "S").unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        // dropping it must not overflow either
        crate::exec::bounds::drop_deep(deep);
    }
}
