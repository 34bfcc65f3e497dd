//! The capabilities a change set must acknowledge, computed from the template: IAM or
//! NAMED_IAM only when the template has IAM resources (NAMED_IAM when one has a name), and
//! AUTO_EXPAND for transforms and nested stacks.

use serde_json::Value;

use crate::template::TemplateView;

/// IAM resource types, and the property that names each.
const IAM_TYPES: &[(&str, &str)] = &[
    ("AWS::IAM::AccessKey", ""),
    ("AWS::IAM::Group", "GroupName"),
    ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
    ("AWS::IAM::Policy", ""),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::IAM::RolePolicy", ""),
    ("AWS::IAM::User", "UserName"),
    ("AWS::IAM::UserToGroupAddition", ""),
];

/// `CAPABILITY_IAM`, `CAPABILITY_NAMED_IAM`, `CAPABILITY_AUTO_EXPAND`, as the template needs.
pub fn required(template: &Value) -> Vec<&'static str> {
    required_all(std::iter::once(template))
}

/// What a stack's change set must acknowledge for its template and those of its nested
/// stacks: CloudFormation asks the parent to acknowledge the IAM resources of every stack
/// it creates.
pub fn required_all<'a>(templates: impl Iterator<Item = &'a Value>) -> Vec<&'static str> {
    let mut iam = false;
    let mut named = false;
    let mut expand = false;
    for template in templates {
        let view = TemplateView::new(template);
        expand |= view.has_transform();
        for resource in view.resources() {
            let kind = resource.kind();
            if let Some((_, name)) = IAM_TYPES.iter().find(|(t, _)| *t == kind) {
                iam = true;
                if !name.is_empty() && resource.property(name).is_some() {
                    named = true;
                }
            }
            if kind == "AWS::CloudFormation::Stack" || kind.starts_with("AWS::Serverless::") {
                expand = true;
            }
        }
    }
    let mut caps = Vec::new();
    if named {
        caps.push("CAPABILITY_NAMED_IAM");
    } else if iam {
        caps.push("CAPABILITY_IAM");
    }
    if expand {
        caps.push("CAPABILITY_AUTO_EXPAND");
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capabilities_follow_the_template() {
        assert!(
            required(&json!({"Resources": {"T": {"Type": "AWS::DynamoDB::Table"}}})).is_empty()
        );
        assert_eq!(
            required(&json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}})),
            ["CAPABILITY_IAM"]
        );
        assert_eq!(
            required(
                &json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}, "P": {"Type": "AWS::IAM::Policy"}}})
            ),
            ["CAPABILITY_NAMED_IAM"]
        );
        assert_eq!(
            required(
                &json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {"P": {"Type": "AWS::IAM::Policy"}}})
            ),
            ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
        );
        assert_eq!(
            required(&json!({"Resources": {"N": {"Type": "AWS::CloudFormation::Stack"}}})),
            ["CAPABILITY_AUTO_EXPAND"]
        );
        // a role in a nested stack is acknowledged on the parent's change set
        let parent = json!({"Resources": {"N": {"Type": "AWS::CloudFormation::Stack"}}});
        let nested = json!({"Resources": {"R": {"Type": "AWS::IAM::Role"}}});
        assert_eq!(
            required_all([&parent, &nested].into_iter()),
            ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
        );
    }
}
