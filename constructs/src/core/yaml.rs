//! YAML rendering with CloudFormation's short-form tags (`!Ref`, `!GetAtt A.B`, `!Sub`, ...).
//!
//! A YAML node carries one tag at most, so `!Base64 !Sub ...` is not valid YAML; when an
//! intrinsic's whole argument is itself an intrinsic in short form, the outer one keeps its
//! long form (`Fn::ImportValue: !Sub ...`), as CloudFormation's documentation requires.

use serde_json::Value as Json;
use serde_norway::value::{Tag, TaggedValue};
use serde_norway::{Mapping, Value as Yaml};

fn short_tag(key: &str) -> Option<&'static str> {
    Some(match key {
        "Ref" => "Ref",
        "Fn::Base64" => "Base64",
        "Fn::Cidr" => "Cidr",
        "Fn::FindInMap" => "FindInMap",
        "Fn::GetAtt" => "GetAtt",
        "Fn::GetAZs" => "GetAZs",
        "Fn::ImportValue" => "ImportValue",
        "Fn::Join" => "Join",
        "Fn::Select" => "Select",
        "Fn::Split" => "Split",
        "Fn::Sub" => "Sub",
        "Fn::If" => "If",
        "Fn::Equals" => "Equals",
        "Fn::And" => "And",
        "Fn::Or" => "Or",
        "Fn::Not" => "Not",
        _ => return None,
    })
}

/// Converts a template (or any part of one) to YAML, using short-form tags where they apply.
pub fn to_yaml(value: &Json) -> Yaml {
    match value {
        Json::Null => Yaml::Null,
        Json::Bool(b) => Yaml::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Yaml::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Yaml::Number(u.into())
            } else {
                Yaml::Number(n.as_f64().unwrap_or(0.0).into())
            }
        }
        Json::String(s) => Yaml::String(s.clone()),
        Json::Array(items) => Yaml::Sequence(items.iter().map(to_yaml).collect()),
        Json::Object(map) => {
            if map.len() == 1 {
                if let Some((key, arg)) = map.iter().next() {
                    if let Some(tag) = short_tag(key) {
                        if let Some(tagged) = short_form(tag, arg) {
                            return tagged;
                        }
                    }
                }
            }
            let mut m = Mapping::new();
            for (k, v) in map {
                m.insert(Yaml::String(k.clone()), to_yaml(v));
            }
            Yaml::Mapping(m)
        }
    }
}

fn short_form(tag: &str, arg: &Json) -> Option<Yaml> {
    let inner = if tag == "GetAtt" {
        match arg.as_array().map(Vec::as_slice) {
            Some([Json::String(id), Json::String(attr)]) => Yaml::String(format!("{id}.{attr}")),
            _ => to_yaml(arg),
        }
    } else {
        to_yaml(arg)
    };
    if matches!(inner, Yaml::Tagged(_)) {
        return None;
    }
    Some(Yaml::Tagged(Box::new(TaggedValue {
        tag: Tag::new(tag),
        value: inner,
    })))
}

/// The YAML text of a template.
pub fn render(value: &Json) -> String {
    quote_yaml11_booleans(&serde_norway::to_string(&to_yaml(value)).unwrap_or_default())
}

/// The plain scalars YAML 1.1 reads as booleans and YAML 1.2 as strings. serde_norway
/// writes YAML 1.2 and leaves them bare; CloudFormation's parser and cfn-lint follow 1.1, so
/// `Mode: OFF` (a schedule's window) or `AttributeType: N` would reach them as `false`.
const YAML11_BOOLEANS: [&str; 16] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

fn quoted(scalar: &str) -> String {
    if YAML11_BOOLEANS.contains(&scalar) {
        format!("'{scalar}'")
    } else {
        scalar.to_string()
    }
}

/// A value, quoted when it is one of [`YAML11_BOOLEANS`], after its tag if it has one
/// (`!Ref Yes` becomes `!Ref 'Yes'`).
fn quoted_value(value: &str) -> String {
    match value.split_once(' ') {
        Some((tag, rest)) if tag.starts_with('!') => format!("{tag} {}", quoted(rest)),
        _ => quoted(value),
    }
}

/// One line of block-style YAML as serde_norway writes it (`- ` markers, then a scalar, a
/// `key:` or a `key: value`), its bare YAML 1.1 booleans quoted. Returns the line and
/// whether it opens a block scalar (`key: |-`), whose lines are text to leave alone.
fn quote_line(line: &str) -> (String, bool) {
    let body = line.trim_start();
    let mut head = line[..line.len() - body.len()].to_string();
    let mut rest = body;
    while let Some(after) = rest.strip_prefix("- ") {
        head.push_str("- ");
        rest = after;
    }
    if rest == "-" {
        return (line.to_string(), false);
    }
    let (key, value) = if rest.starts_with(['\'', '"']) {
        // a quoted key (or scalar) is left as it is
        return (line.to_string(), false);
    } else if let Some(k) = rest.strip_suffix(':') {
        (Some(k), None)
    } else if let Some((k, v)) = rest.split_once(": ") {
        (Some(k), Some(v))
    } else {
        (None, Some(rest))
    };
    let opens_block = value.is_some_and(|v| {
        v.starts_with(['|', '>'])
            && v.len() <= 3
            && v[1..].chars().all(|c| matches!(c, '-' | '+' | '1'..='9'))
    });
    let mut out = head;
    if let Some(k) = key {
        out.push_str(&quoted(k));
        out.push(':');
        if let Some(v) = value {
            out.push(' ');
            out.push_str(&quoted_value(v));
        }
    } else if let Some(v) = value {
        out.push_str(&quoted_value(v));
    }
    (out, opens_block)
}

/// Quotes, in serde_norway's block-style output, the bare scalars YAML 1.1 reads as booleans
/// (keys and values, tagged or not), leaving the text of block scalars as it is.
fn quote_yaml11_booleans(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    // the indentation of the line that opened a block scalar, while in one
    let mut block: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let indent = content.len() - content.trim_start().len();
        if let Some(opened) = block {
            if content.trim().is_empty() || indent > opened {
                out.push_str(line);
                continue;
            }
            block = None;
        }
        let (fixed, opens_block) = quote_line(content);
        if opens_block {
            block = Some(indent);
        }
        out.push_str(&fixed);
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms() {
        let t = json!({
            "A": {"Ref": "Table"},
            "B": {"Fn::GetAtt": ["Table", "Arn"]},
            "C": {"Fn::Sub": ["${X}/index/*", {"X": {"Fn::GetAtt": ["Table", "Arn"]}}]},
            "D": {"Fn::ImportValue": {"Fn::Sub": "${AWS::StackName}-x"}},
            "E": {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]}
        });
        let text = render(&t);
        assert!(text.contains("A: !Ref Table\n"), "{text}");
        assert!(text.contains("B: !GetAtt Table.Arn\n"), "{text}");
        assert!(text.contains("C: !Sub\n"), "{text}");
        assert!(text.contains("X: !GetAtt Table.Arn"), "{text}");
        assert!(
            text.contains("D:\n  Fn::ImportValue: !Sub ${AWS::StackName}-x"),
            "{text}"
        );
        assert!(text.contains("- !Ref AWS::Region"), "{text}");
    }

    #[test]
    fn yaml_1_1_booleans_are_quoted_and_read_back_as_strings() {
        let t = json!({
            "Mode": "OFF",
            "AttributeType": "N",
            "Yes": {"Next": "Yes", "Ref": {"Ref": "On"}},
            "List": ["no", ["y", "Off"], {"ON": "yes"}],
            "Plain": ["true", "Off the record", "NOx"],
            "Text": "first line\nno\n- off\nkey: yes\n  Y",
            "Keep": "n"
        });
        let text = render(&t);
        for expected in [
            "Mode: 'OFF'\n",
            "AttributeType: 'N'\n",
            "'Yes':\n",
            "Next: 'Yes'\n",
            "Ref: !Ref 'On'\n",
            "- 'no'\n",
            "- - 'y'\n",
            "- 'Off'\n",
            "- 'ON': 'yes'\n",
            "- Off the record\n",
            "- NOx\n",
            "\n  no\n  - off\n  key: yes\n    Y\n",
            "Keep: 'n'\n",
        ] {
            assert!(text.contains(expected), "{expected:?} in:\n{text}");
        }
        // the same document in YAML 1.2, with the Ref read back from its tag
        let back: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        let mut expected = t.clone();
        expected["Yes"]["Ref"] = json!("On");
        let mut back = serde_json::to_value(&back).unwrap();
        back["Yes"]["Ref"] = json!("On");
        assert_eq!(back, expected);
    }
}
