//! One typed view of a CloudFormation template (synthesized or deployed): its resources with
//! their type, properties and deletion policy, its parameters and outputs. The toolkit reads
//! templates through it rather than by string keys here and there.

use serde_json::{Map, Value as Json};

/// A template, read-only.
#[derive(Debug, Clone, Copy)]
pub struct TemplateView<'a> {
    json: &'a Json,
}

/// One resource of a template.
#[derive(Debug, Clone, Copy)]
pub struct ResourceView<'a> {
    pub logical_id: &'a str,
    json: &'a Json,
}

/// One parameter a template declares.
#[derive(Debug, Clone, Copy)]
pub struct ParameterView<'a> {
    pub name: &'a str,
    json: &'a Json,
}

static EMPTY: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();

fn empty() -> &'static Map<String, Json> {
    EMPTY.get_or_init(Map::new)
}

impl<'a> TemplateView<'a> {
    pub fn new(json: &'a Json) -> TemplateView<'a> {
        TemplateView { json }
    }

    /// A top-level section as an object (`Resources`, `Outputs`, ...); empty when absent.
    pub fn section(&self, key: &str) -> &'a Map<String, Json> {
        self.json
            .get(key)
            .and_then(Json::as_object)
            .unwrap_or_else(|| empty())
    }

    /// The names of the top-level sections.
    pub fn section_names(&self) -> impl Iterator<Item = &'a String> {
        self.json.as_object().into_iter().flat_map(|m| m.keys())
    }

    /// A top-level value (`Null` when absent).
    pub fn get(&self, key: &str) -> &'a Json {
        self.json.get(key).unwrap_or(&Json::Null)
    }

    pub fn resources(&self) -> impl Iterator<Item = ResourceView<'a>> {
        self.section("Resources")
            .iter()
            .map(|(id, json)| ResourceView {
                logical_id: id,
                json,
            })
    }

    pub fn resource(&self, logical_id: &str) -> Option<ResourceView<'a>> {
        self.section("Resources")
            .get_key_value(logical_id)
            .map(|(id, json)| ResourceView {
                logical_id: id,
                json,
            })
    }

    pub fn resource_count(&self) -> usize {
        self.section("Resources").len()
    }

    pub fn parameters(&self) -> impl Iterator<Item = ParameterView<'a>> {
        self.section("Parameters")
            .iter()
            .map(|(name, json)| ParameterView { name, json })
    }

    /// Whether the template has a `Transform` (macros need `CAPABILITY_AUTO_EXPAND`).
    pub fn has_transform(&self) -> bool {
        self.json.get("Transform").is_some()
    }
}

impl<'a> ResourceView<'a> {
    /// Its type (`AWS::S3::Bucket`); empty when missing.
    pub fn kind(&self) -> &'a str {
        self.json.get("Type").and_then(Json::as_str).unwrap_or("")
    }

    /// Its `Properties`, when it has any.
    pub fn properties(&self) -> Option<&'a Json> {
        self.json.get("Properties")
    }

    /// One of its properties.
    pub fn property(&self, name: &str) -> Option<&'a Json> {
        self.json.get("Properties").and_then(|p| p.get(name))
    }

    /// `DeletionPolicy`, when set.
    pub fn deletion_policy(&self) -> Option<&'a str> {
        self.json.get("DeletionPolicy").and_then(Json::as_str)
    }

    /// Whether CloudFormation keeps it when the stack is deleted.
    pub fn is_retained(&self) -> bool {
        matches!(
            self.deletion_policy(),
            Some("Retain" | "RetainExceptOnCreate" | "Snapshot")
        )
    }

    /// The resource as JSON (for diffs).
    pub fn json(&self) -> &'a Json {
        self.json
    }
}

impl ParameterView<'_> {
    pub fn has_default(&self) -> bool {
        self.json.get("Default").is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_template_is_read_through_the_view() {
        let t = json!({
            "Parameters": {"Size": {"Type": "Number", "Default": 1}, "Name": {"Type": "String"}},
            "Resources": {
                "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain",
                           "Properties": {"BucketName": "b"}},
                "Fn": {"Type": "AWS::Lambda::Function"}
            },
            "Outputs": {"A": {"Value": "1"}}
        });
        let v = TemplateView::new(&t);
        assert_eq!(v.resource_count(), 2);
        let bucket = v.resource("Bucket").expect("bucket");
        assert_eq!(bucket.kind(), "AWS::S3::Bucket");
        assert_eq!(bucket.property("BucketName"), Some(&json!("b")));
        assert!(bucket.is_retained());
        assert!(!v.resource("Fn").expect("fn").is_retained());
        let params: Vec<(&str, bool)> = v.parameters().map(|p| (p.name, p.has_default())).collect();
        assert_eq!(params, [("Size", true), ("Name", false)]);
        assert_eq!(v.section("Outputs").len(), 1);
        assert!(v.section("Mappings").is_empty());
        assert!(!v.has_transform());
        let none = Json::Null;
        assert_eq!(TemplateView::new(&none).resource_count(), 0);
    }
}
