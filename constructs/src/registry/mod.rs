//! CloudFormation's registry schemas, and synth's check of every resource against its type's
//! schema: what CloudFormation's own validation refuses before any resource is created
//! ("Properties validation failed for resource ... with message: #/KeySpec: failed validation
//! constraint for keyword \[enum\]"), found at synth with the construct path and property path.
//!
//! The schemas are the CloudFormation registry's, one per resource type of us-east-1, as the
//! cfn-lint release the tests pin bundles them ([`SOURCE`]); `scripts/generate-registry`
//! regenerates `schemas.rs` from it. A resource of a type the registry does not have (a custom
//! resource, a third-party type) is not checked.
//!
//! Checked, for every literal value (an intrinsic function's value is known only at deploy, and
//! is skipped with everything under it): the JSON type (as leniently as CloudFormation, which
//! takes `"5"` for a number and `5` for a string), `enum`, `const`, `pattern`, `minLength` /
//! `maxLength`, `minimum` / `maximum` (and their exclusive forms), `minItems` / `maxItems` /
//! `uniqueItems`, `minProperties` / `maxProperties`, `required`, unknown properties where the
//! schema allows none (naming the closest known one), `dependencies`, `allOf` / `anyOf` /
//! `oneOf` / `not` / `if`-`then`-`else`, `multipleOf`, and cfn-lint's own keywords
//! (`dependentRequired`, `dependentExcluded`, `requiredXor`, `requiredOr`). A branch that only
//! a value known at deploy could decide (an intrinsic, a key behind an `Fn::If` that may drop
//! it) is not acted on. A read-only property set in a template is a warning
//! ([`read_only_given`]): CloudFormation ignores it. A pattern that uses what the regex engine
//! (regex-lite) cannot take — look-around, back-references, Unicode classes: about 8% of the
//! patterns — is not checked.

mod check;
mod schemas;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value as Json;

pub use check::{check, Violation};
pub use schemas::SOURCE;

/// How many resource types the registry data holds.
pub fn type_count() -> usize {
    schemas::SCHEMAS.len()
}

/// Every resource type the registry data holds, sorted by name.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    schemas::SCHEMAS.iter().map(|(name, _)| *name)
}

/// The schema of `type_name` (`AWS::KMS::Key`) as JSON text, if the registry has the type.
pub fn schema_text(type_name: &str) -> Option<&'static str> {
    schemas::SCHEMAS
        .binary_search_by(|(name, _)| (*name).cmp(type_name))
        .ok()
        .map(|i| schemas::SCHEMAS[i].1)
}

/// The parsed schema of `type_name`, parsed once per process.
pub fn schema(type_name: &str) -> Option<Arc<Json>> {
    static PARSED: OnceLock<Mutex<HashMap<String, Arc<Json>>>> = OnceLock::new();
    let text = schema_text(type_name)?;
    let cache = PARSED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(cache) = cache.lock() {
        if let Some(parsed) = cache.get(type_name) {
            return Some(parsed.clone());
        }
    }
    let parsed = Arc::new(serde_json::from_str::<Json>(text).ok()?);
    if let Ok(mut cache) = cache.lock() {
        cache.insert(type_name.to_string(), parsed.clone());
    }
    Some(parsed)
}

/// The create-only properties of `type_name` whose values differ between `old` and `new` (a
/// resource's `Properties`, deployed and ours): a change to one makes CloudFormation replace
/// the resource (a new one is created, the old one deleted). Each as a property path
/// (`TableName`, `Foo.Bar`, `Items[*].Name` for a property of every item of a list); empty for
/// a type the registry does not have. A property absent on one side and present on the other
/// differs.
pub fn replacing_changes(type_name: &str, old: &Json, new: &Json) -> Vec<String> {
    let Some(schema) = schema(type_name) else {
        return Vec::new();
    };
    // the values at a path; `*` takes every item of a list (`Foo/*/Bar`: each item's Bar)
    fn at(v: Option<&Json>, parts: &[&str], out: &mut Vec<Option<Json>>) {
        let Some((first, rest)) = parts.split_first() else {
            out.push(v.cloned());
            return;
        };
        match (*first, v) {
            ("*", Some(Json::Array(items))) => items.iter().for_each(|i| at(Some(i), rest, out)),
            ("*", _) => out.push(None),
            (key, v) => at(v.and_then(|v| v.get(key)), rest, out),
        }
    }
    let values = |v: &Json, path: &str| {
        let parts: Vec<&str> = path.split('/').collect();
        let mut out = Vec::new();
        at(Some(v), &parts, &mut out);
        out
    };
    schema
        .get("createOnlyProperties")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .filter_map(|p| p.strip_prefix("/properties/"))
        .filter(|p| values(old, p) != values(new, p))
        .map(|p| p.replace("/*", "[*]").replace('/', "."))
        .fold(Vec::new(), |mut out, p| {
            if !out.contains(&p) {
                out.push(p);
            }
            out
        })
}

/// Whether `property` (top level) of `type_name` is create-only: changing it replaces the
/// resource.
pub fn is_create_only(type_name: &str, property: &str) -> bool {
    schema(type_name).is_some_and(|s| {
        s.get("createOnlyProperties")
            .and_then(Json::as_array)
            .is_some_and(|ps| {
                ps.iter()
                    .filter_map(Json::as_str)
                    .any(|p| p.strip_prefix("/properties/") == Some(property))
            })
    })
}

/// How a resource type takes tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagShape {
    /// A list of `{"Key": .., "Value": ..}` objects.
    List,
    /// A map of key to value.
    Map,
}

/// The property `type_name` takes its tags in, and its shape: from the schema's `tagging`
/// (`taggable`, `tagProperty`, `/properties/Tags` by default) and that property's schema;
/// `None` when the type is not taggable, its tags are nested in another property, or its tag
/// objects need more than a key and a value (an Auto Scaling group's `PropagateAtLaunch`).
pub fn tag_shape(type_name: &str) -> Option<(String, TagShape)> {
    let schema = schema(type_name)?;
    let tagging = schema.get("tagging");
    if tagging
        .and_then(|t| t.get("taggable"))
        .and_then(Json::as_bool)
        == Some(false)
    {
        return None;
    }
    let pointer = tagging
        .and_then(|t| t.get("tagProperty"))
        .and_then(Json::as_str)
        .unwrap_or("/properties/Tags");
    let property = pointer.strip_prefix("/properties/")?;
    if property.contains('/') {
        return None;
    }
    let declared = check::resolve_ref(&schema, schema.get("properties")?.get(property)?);
    let kind = match declared.get("type") {
        Some(Json::String(t)) => Some(t.as_str()),
        // a map typed ["object", "string"] (a Glue job's, a DAX cluster's tags)
        Some(Json::Array(ts)) if ts.iter().any(|t| t == "object") => Some("object"),
        _ => None,
    };
    match kind {
        Some("array") => {
            let item = check::resolve_ref(&schema, declared.get("items")?);
            let fields = item.get("properties")?.as_object()?;
            let required_ok = item
                .get("required")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .all(|r| r == "Key" || r == "Value");
            (fields.contains_key("Key") && fields.contains_key("Value") && required_ok)
                .then(|| (property.to_string(), TagShape::List))
        }
        Some("object") if declared.get("properties").is_none() => {
            Some((property.to_string(), TagShape::Map))
        }
        _ => None,
    }
}

/// The read-only properties `properties` sets (top level): CloudFormation sets them and
/// ignores a template's value, silently
/// (aws-cloudformation/cloudformation-resource-schema#102), so setting one is a mistake worth a
/// warning, not a refusal. A property the schema also lists as create-only or required (a
/// contradiction of the schema, e.g. AWS::CodeArtifact::Domain's EncryptionKey) is writable.
pub fn read_only_given(type_name: &str, properties: &Json) -> Vec<String> {
    let (Some(schema), Some(given)) = (schema(type_name), properties.as_object()) else {
        return Vec::new();
    };
    let listed = |key: &str| -> Vec<String> {
        schema
            .get(key)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .filter_map(|p| p.strip_prefix("/properties/"))
            .filter(|p| !p.contains('/'))
            .map(str::to_string)
            .collect()
    };
    let writable = listed("createOnlyProperties");
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .collect();
    listed("readOnlyProperties")
        .into_iter()
        .filter(|p| {
            given.contains_key(p) && !writable.contains(p) && !required.contains(&p.as_str())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check::{closest, distance, pattern};
    use super::*;
    use serde_json::json;

    fn messages(type_name: &str, properties: Json) -> Vec<String> {
        check(type_name, &properties, &[])
            .unwrap_or_else(|| panic!("{type_name} is not in the registry"))
            .into_iter()
            .map(|v| {
                format!(
                    "{}: {}{}",
                    v.property,
                    v.message,
                    v.help.map(|h| format!(" ({h})")).unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn the_registry_has_every_type_sorted() {
        assert!(type_count() > 1800, "{}", type_count());
        let names: Vec<&str> = type_names().collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(schema_text("AWS::KMS::Key").is_some());
        assert!(schema_text("Custom::Thing").is_none());
        for name in names {
            assert!(schema(name).is_some(), "{name} does not parse");
        }
    }

    /// Every `pattern` of every schema, and how many the engine cannot take (those are not
    /// checked): look-around, back-references and Unicode classes, which regex-lite does not
    /// have.
    #[test]
    fn nearly_every_pattern_is_checked() {
        fn collect(v: &Json, out: &mut Vec<String>) {
            match v {
                Json::Object(m) => {
                    for (k, x) in m {
                        match (k.as_str(), x) {
                            ("pattern", Json::String(p)) => out.push(p.clone()),
                            ("patternProperties", Json::Object(ps)) => {
                                out.extend(ps.keys().cloned());
                                ps.values().for_each(|y| collect(y, out));
                            }
                            _ => collect(x, out),
                        }
                    }
                }
                Json::Array(items) => items.iter().for_each(|x| collect(x, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        for name in type_names() {
            collect(&schema(name).unwrap_or_default(), &mut all);
        }
        all.sort();
        all.dedup();
        let refused: Vec<&String> = all.iter().filter(|p| pattern(p).is_none()).collect();
        eprintln!(
            "{} patterns, {} not checked: {:?}",
            all.len(),
            refused.len(),
            &refused[..refused.len().min(20)]
        );
        assert!(all.len() > 3000, "{}", all.len());
        // 238 of 3,035 with cfn-lint 1.58.0's schemas: look-around and Unicode classes
        // (\p{L}), which regex-lite does not have
        assert!(
            refused.len() * 100 <= all.len() * 8,
            "{} of {}",
            refused.len(),
            all.len()
        );
    }

    #[test]
    fn a_changed_create_only_property_replaces() {
        let old = json!({"TableName": "a", "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"});
        let mut new = old.clone();
        new["BillingMode"] = json!("PROVISIONED");
        assert!(replacing_changes("AWS::DynamoDB::Table", &old, &new).is_empty());
        new["TableName"] = json!("b");
        assert_eq!(
            replacing_changes("AWS::DynamoDB::Table", &old, &new),
            ["TableName"]
        );
        assert!(replacing_changes("Custom::X", &old, &new).is_empty());
        // a create-only property of every item of a list: another property of an item
        // changes in place
        let info = |cluster: &str, topics: &str| {
            json!({"ReplicationInfoList": [{
                "SourceKafkaClusterArn": cluster,
                "TopicReplication": {"TopicsToReplicate": [topics]}
            }]})
        };
        assert!(
            replacing_changes("AWS::MSK::Replicator", &info("a", "x"), &info("a", "y")).is_empty()
        );
        assert_eq!(
            replacing_changes("AWS::MSK::Replicator", &info("a", "x"), &info("b", "x")),
            ["ReplicationInfoList[*].SourceKafkaClusterArn"]
        );
    }

    #[test]
    fn the_edit_distance_finds_a_misspelling() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            closest(
                "EnableKeyRotaton",
                ["EnableKeyRotation", "Enabled"].into_iter()
            ),
            Some("EnableKeyRotation")
        );
        assert_eq!(closest("Xyz", ["EnableKeyRotation"].into_iter()), None);
    }

    #[test]
    fn intrinsic_values_are_not_judged() {
        assert!(messages(
            "AWS::KMS::Key",
            json!({"PendingWindowInDays": {"Ref": "Days"}, "KeySpec": {"Fn::If": ["C", "X", "Y"]}})
        )
        .is_empty());
    }
}
