//! `diff`: our template against the deployed one, per resource. A changed resource is shown as
//! a line diff of its pretty JSON, with a state machine's `DefinitionString` opened up into its
//! ASL first (so a changed state shows as that state's lines, not as one long string); IAM
//! grants added or removed are called out on their own. Without a change set, a change that
//! replaces a resource is known from its type's registry schema (a create-only property
//! changed, or the type), and a replacement or removal that deletes a stateful resource's data
//! (its policy not Retain or Snapshot) is called out as data loss.

use console::Style;
use serde_json::{Map, Value as Json};
use similar::{ChangeTag, TextDiff};

use constructs::core::assembly::to_json_text;

use super::approval::{iam_broadening, loss_on_removal, loss_on_replacement};
use crate::template::TemplateView;
use crate::ui::clean_line;

/// What differs in one stack.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackDiff {
    /// Not deployed: every resource is an addition.
    pub new_stack: bool,
    pub resources: Vec<ResourceDiff>,
    /// Parameters, Outputs, Conditions, Mappings, Description, ... (key, lines).
    pub sections: Vec<(String, Vec<Line>)>,
    /// Grants the new template adds.
    pub iam_added: Vec<String>,
    /// Grants it removes.
    pub iam_removed: Vec<String>,
}

impl StackDiff {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.sections.is_empty()
    }
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Same(String),
    Added(String),
    Removed(String),
    /// Elided unchanged lines.
    Gap,
}

/// One resource that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDiff {
    pub logical_id: String,
    pub resource_type: String,
    pub kind: Kind,
    pub lines: Vec<Line>,
    /// What makes CloudFormation replace it (create-only properties changed, or `Type`);
    /// empty when it is updated in place (or not changed).
    pub replaced_by: Vec<String>,
    /// Why the change deletes its data, for a stateful resource replaced or removed.
    pub data_loss: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Added,
    Removed,
    Changed,
}

/// The resource with every string `DefinitionString` that holds JSON parsed into its ASL.
fn readable(resource: &Json) -> Json {
    let mut r = resource.clone();
    if let Some(props) = r.get_mut("Properties").and_then(Json::as_object_mut) {
        if let Some(Json::String(text)) = props.get("DefinitionString") {
            if let Ok(asl) = serde_json::from_str::<Json>(text) {
                props.insert("DefinitionString".to_string(), asl);
            }
        }
    }
    r
}

/// A line diff of two JSON values with `context` unchanged lines around each change.
pub fn line_diff(old: &Json, new: &Json, context: usize) -> Vec<Line> {
    let (a, b) = (to_json_text(old), to_json_text(new));
    let diff = TextDiff::from_lines(&a, &b);
    let mut lines = Vec::new();
    for (i, group) in diff.grouped_ops(context).iter().enumerate() {
        if i > 0 {
            lines.push(Line::Gap);
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches('\n').to_string();
                lines.push(match change.tag() {
                    ChangeTag::Equal => Line::Same(text),
                    ChangeTag::Insert => Line::Added(text),
                    ChangeTag::Delete => Line::Removed(text),
                });
            }
        }
    }
    lines
}

/// Compares the deployed template (`None`: no stack) with ours.
pub fn diff_templates(old: Option<&Json>, new: &Json) -> StackDiff {
    let empty = Json::Object(Map::new());
    let old_t = old.unwrap_or(&empty);
    let mut out = StackDiff {
        new_stack: old.is_none(),
        ..Default::default()
    };
    let (before, after) = (TemplateView::new(old_t), TemplateView::new(new));
    for r in after.resources() {
        match before.resource(r.logical_id) {
            None => out.resources.push(ResourceDiff {
                logical_id: r.logical_id.to_string(),
                resource_type: r.kind().to_string(),
                kind: Kind::Added,
                lines: Vec::new(),
                replaced_by: Vec::new(),
                data_loss: None,
            }),
            Some(old_r) if old_r.json() != r.json() => {
                let lines = line_diff(&readable(old_r.json()), &readable(r.json()), 3);
                let null = Json::Null;
                let replaced_by = if old_r.kind() != r.kind() {
                    vec!["Type".to_string()]
                } else {
                    constructs::registry::replacing_changes(
                        r.kind(),
                        old_r.properties().unwrap_or(&null),
                        r.properties().unwrap_or(&null),
                    )
                };
                // a changed type is no replacement: CloudFormation refuses the update ("Update
                // of resource type is not permitted")
                let data_loss = if replaced_by.is_empty() || replaced_by == ["Type"] {
                    None
                } else {
                    loss_on_replacement(r.json())
                };
                out.resources.push(ResourceDiff {
                    logical_id: r.logical_id.to_string(),
                    resource_type: r.kind().to_string(),
                    kind: Kind::Changed,
                    lines,
                    replaced_by,
                    data_loss,
                })
            }
            Some(_) => {}
        }
    }
    for r in before.resources() {
        if after.resource(r.logical_id).is_none() {
            out.resources.push(ResourceDiff {
                logical_id: r.logical_id.to_string(),
                resource_type: r.kind().to_string(),
                kind: Kind::Removed,
                lines: Vec::new(),
                replaced_by: Vec::new(),
                data_loss: loss_on_removal(r.json()),
            });
        }
    }
    let keys: Vec<&String> = {
        let mut k: Vec<&String> = before
            .section_names()
            .chain(after.section_names())
            .filter(|k| k.as_str() != "Resources")
            .collect();
        k.sort();
        k.dedup();
        k
    };
    for key in keys {
        let (a, b) = (before.get(key), after.get(key));
        if a != b {
            out.sections.push((key.clone(), line_diff(a, b, 2)));
        }
    }
    out.iam_added = iam_broadening(old_t, new);
    out.iam_removed = iam_broadening(new, old_t);
    out
}

/// The diff as text (styled when colours are on).
pub fn render(stack: &str, diff: &StackDiff) -> Vec<String> {
    let green = Style::new().green();
    let red = Style::new().red();
    let yellow = Style::new().yellow();
    let dim = Style::new().dim();
    let bold = Style::new().bold();
    let mut out = Vec::new();
    if diff.is_empty() {
        out.push(format!(
            "{}: {}",
            bold.apply_to(clean_line(stack)),
            green.apply_to("no differences")
        ));
        return out;
    }
    let state = if diff.new_stack {
        " (not deployed: everything is new)"
    } else {
        ""
    };
    out.push(format!("{}{state}", bold.apply_to(clean_line(stack))));
    if !diff.iam_added.is_empty() || !diff.iam_removed.is_empty() {
        out.push(format!(
            "{}",
            yellow.apply_to("IAM changes (review these before deploying):")
        ));
        for g in &diff.iam_added {
            out.push(format!("  {} {}", green.apply_to("+ grant"), clean_line(g)));
        }
        for g in &diff.iam_removed {
            out.push(format!("  {} {}", red.apply_to("- grant"), clean_line(g)));
        }
    }
    let lines = |out: &mut Vec<String>, lines: &[Line]| {
        for l in lines {
            out.push(match l {
                Line::Same(t) => format!("      {}", dim.apply_to(t)),
                Line::Added(t) => format!("    {}", green.apply_to(format!("+ {t}"))),
                Line::Removed(t) => format!("    {}", red.apply_to(format!("- {t}"))),
                Line::Gap => format!("      {}", dim.apply_to("...")),
            });
        }
    };
    if !diff.resources.is_empty() {
        out.push("Resources".to_string());
    }
    for r in &diff.resources {
        let (mark, style) = match r.kind {
            Kind::Added => ("[+]", &green),
            Kind::Removed => ("[-]", &red),
            Kind::Changed => ("[~]", &yellow),
        };
        // the deployed template's ids and types are the endpoint's: escaped
        let replaced = if r.replaced_by.is_empty() {
            String::new()
        } else if r.replaced_by == ["Type"] {
            format!(
                " {}",
                red.apply_to(
                    "(its type changes: CloudFormation refuses that update; give the new resource another logical id)"
                )
            )
        } else {
            format!(
                " {}",
                yellow.apply_to(format!(
                    "(replaced: {} {} create-only)",
                    clean_line(&r.replaced_by.join(", ")),
                    if r.replaced_by.len() == 1 {
                        "is"
                    } else {
                        "are"
                    }
                ))
            )
        };
        out.push(format!(
            "  {} {} {}{replaced}",
            style.apply_to(mark),
            clean_line(&r.resource_type),
            clean_line(&r.logical_id)
        ));
        if let Some(loss) = &r.data_loss {
            out.push(format!(
                "    {} {}",
                red.apply_to("DATA LOSS:"),
                red.apply_to(format!("{} is {loss}", clean_line(&r.logical_id)))
            ));
        }
        lines(&mut out, &r.lines);
    }
    for (key, l) in &diff.sections {
        out.push(format!("{} {}", yellow.apply_to("[~]"), clean_line(key)));
        lines(&mut out, l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn machine(seconds: u64) -> Json {
        let asl = json!({"StartAt": "Wait", "States": {
            "Wait": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
            "Done": {"Type": "Succeed"}
        }});
        json!({"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "DefinitionString": asl.to_string(), "RoleArn": "arn:aws:iam::1:role/r"
        }})
    }

    #[test]
    fn equal_templates_have_no_diff() {
        let t = json!({"Resources": {"M": machine(5)}});
        let d = diff_templates(Some(&t), &t);
        assert!(d.is_empty());
        assert_eq!(render("S", &d), vec!["S: no differences".to_string()]);
    }

    #[test]
    fn a_changed_definition_string_is_shown_as_asl_lines() {
        let old = json!({"Resources": {"M": machine(5)}});
        let new = json!({"Resources": {"M": machine(10)}});
        let d = diff_templates(Some(&old), &new);
        assert_eq!(d.resources.len(), 1);
        assert_eq!(d.resources[0].kind, Kind::Changed);
        let added: Vec<&String> = d.resources[0]
            .lines
            .iter()
            .filter_map(|l| match l {
                Line::Added(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(added, vec![&"          \"Seconds\": 10,".to_string()]);
    }

    #[test]
    fn added_removed_resources_outputs_and_iam_are_reported() {
        let role = |action: &str| {
            json!({"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": action, "Resource": "*"}]}}})
        };
        let old = json!({"Resources": {"P": role("s3:GetObject"), "Gone": machine(1)},
            "Outputs": {"A": {"Value": "1"}}});
        let new = json!({"Resources": {"P": role("s3:*"), "New": machine(1)},
            "Outputs": {"A": {"Value": "2"}}});
        let d = diff_templates(Some(&old), &new);
        let kinds: Vec<(&str, Kind)> = d
            .resources
            .iter()
            .map(|r| (r.logical_id.as_str(), r.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("P", Kind::Changed),
                ("New", Kind::Added),
                ("Gone", Kind::Removed)
            ]
        );
        assert_eq!(d.sections.len(), 1);
        assert_eq!(d.sections[0].0, "Outputs");
        assert_eq!(d.iam_added.len(), 1, "{:?}", d.iam_added);
        assert!(d.iam_added[0].contains("s3:*"), "{:?}", d.iam_added);
        assert!(d.iam_removed[0].contains("s3:GetObject"));
        let text = render("S", &d).join("\n");
        assert!(text.contains("IAM changes"), "{text}");
        assert!(
            text.contains("[+] AWS::StepFunctions::StateMachine New"),
            "{text}"
        );
    }

    fn table(name: &str, policy: Option<&str>) -> Json {
        let mut t = json!({"Type": "AWS::DynamoDB::Table", "Properties": {
            "TableName": name,
            "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"
        }});
        if let Some(p) = policy {
            t["DeletionPolicy"] = json!(p);
            t["UpdateReplacePolicy"] = json!(p);
        }
        t
    }

    /// A table's name is create-only (its registry schema): renaming it replaces it, and
    /// with the Delete policy the old table goes with its items. AWS::DynamoDB::Table's
    /// page: TableName, "Update requires: Replacement".
    #[test]
    fn a_table_replacement_is_flagged_as_data_loss() {
        let old = json!({"Resources": {"T": table("orders", None)}});
        let new = json!({"Resources": {"T": table("orders-v2", None)}});
        let d = diff_templates(Some(&old), &new);
        assert_eq!(d.resources[0].replaced_by, ["TableName"]);
        assert!(d.resources[0].data_loss.is_some());
        let text = render("S", &d).join("\n");
        assert!(
            text.contains("[~] AWS::DynamoDB::Table T (replaced: TableName is create-only)"),
            "{text}"
        );
        assert!(
            text.contains(
                "DATA LOSS: T is replaced, and its UpdateReplacePolicy is not Retain or Snapshot"
            ),
            "{text}"
        );

        // retained: replaced, the old table kept
        let old = json!({"Resources": {"T": table("orders", Some("Retain"))}});
        let new = json!({"Resources": {"T": table("orders-v2", Some("Retain"))}});
        let d = diff_templates(Some(&old), &new);
        assert_eq!(d.resources[0].replaced_by, ["TableName"]);
        assert_eq!(d.resources[0].data_loss, None);

        // an in-place change replaces nothing
        let mut changed = table("orders", None);
        changed["Properties"]["BillingMode"] = json!("PROVISIONED");
        let d = diff_templates(
            Some(&json!({"Resources": {"T": table("orders", None)}})),
            &json!({"Resources": {"T": changed}}),
        );
        assert!(d.resources[0].replaced_by.is_empty());
        assert_eq!(d.resources[0].data_loss, None);

        // removed: lost unless retained
        let d = diff_templates(
            Some(
                &json!({"Resources": {"T": table("orders", None), "K": table("kept", Some("Retain"))}}),
            ),
            &json!({"Resources": {}}),
        );
        let losses: Vec<(&str, bool)> = d
            .resources
            .iter()
            .map(|r| (r.logical_id.as_str(), r.data_loss.is_some()))
            .collect();
        assert_eq!(losses, [("T", true), ("K", false)]);
    }

    /// CloudFormation refuses to change a resource's type ("Update of resource type is not
    /// permitted"): no replacement, no data loss, the way out said.
    #[test]
    fn a_changed_type_is_refused_not_replaced() {
        let old = json!({"Resources": {"T": table("orders", None)}});
        let new =
            json!({"Resources": {"T": {"Type": "AWS::DynamoDB::GlobalTable", "Properties": {}}}});
        let d = diff_templates(Some(&old), &new);
        assert_eq!(d.resources[0].replaced_by, ["Type"]);
        assert_eq!(d.resources[0].data_loss, None);
        let text = render("S", &d).join("\n");
        assert!(
            text.contains("(its type changes: CloudFormation refuses that update; give the new resource another logical id)"),
            "{text}"
        );
    }

    #[test]
    fn a_stack_that_is_not_deployed_is_all_new() {
        let new = json!({"Resources": {"M": machine(1)}});
        let d = diff_templates(None, &new);
        assert!(d.new_stack);
        assert_eq!(d.resources[0].kind, Kind::Added);
    }
}
