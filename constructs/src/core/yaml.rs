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
    serde_norway::to_string(&to_yaml(value)).unwrap_or_default()
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
}
