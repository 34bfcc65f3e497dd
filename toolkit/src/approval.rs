//! Whether a change set needs the user's approval before it runs (`--require-approval`):
//! when it broadens IAM (a statement, trust, resource policy or permission that was not there
//! before) or replaces or removes a stateful resource (its data would go).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::template::TemplateView;

/// `--require-approval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequireApproval {
    /// Never ask.
    Never,
    /// Ask when IAM broadens or a stateful resource would be replaced or removed (default).
    #[default]
    Broadening,
    /// Ask for any change.
    AnyChange,
}

/// What a change set does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Add,
    Modify,
    Remove,
    Import,
    Dynamic,
}

/// Whether a modification replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    True,
    False,
    Conditional,
}

/// One resource change of a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    pub action: Action,
    pub logical_id: String,
    pub resource_type: String,
    pub replacement: Option<Replacement>,
}

/// Resources that hold data (items, objects, messages, log events, keys, secrets, users):
/// replacing or removing one loses it unless CloudFormation keeps or snapshots the old one.
const STATEFUL: &[&str] = &[
    "AWS::Backup::BackupVault",
    "AWS::Cognito::UserPool",
    "AWS::DocDB::DBCluster",
    "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::ECR::Repository",
    "AWS::EFS::FileSystem",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Elasticsearch::Domain",
    "AWS::Kinesis::Stream",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::Neptune::DBCluster",
    "AWS::OpenSearchService::Domain",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::SQS::Queue",
    "AWS::SSM::Parameter",
    "AWS::Timestream::Table",
];

/// Whether resources of `type_name` hold data.
pub fn is_stateful(type_name: &str) -> bool {
    STATEFUL.contains(&type_name)
}

/// Types whose `DeletionPolicy`/`UpdateReplacePolicy` may be `Snapshot` (the
/// DeletionPolicy attribute's page, "Snapshot"): for any other type a snapshot keeps nothing.
const SNAPSHOTTABLE: &[&str] = &[
    "AWS::DocDB::DBCluster",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

/// Whether CloudFormation keeps the old resource's data when it deletes it: the policy given
/// (`DeletionPolicy` on removal, `UpdateReplacePolicy` on replacement) is Retain, or Snapshot
/// for a type that takes snapshots. Without one: `Snapshot` on removal of an
/// `AWS::RDS::DBCluster`, and of an `AWS::RDS::DBInstance` outside a cluster (the
/// DeletionPolicy page's exception); `Delete` for everything else, and on every replacement
/// (the UpdateReplacePolicy page: the default is Delete).
fn keeps_data(resource: &Value, policy_key: &str) -> bool {
    let given = resource.get(policy_key).and_then(Value::as_str);
    let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
    let policy = given.unwrap_or_else(|| {
        let in_cluster = resource
            .get("Properties")
            .and_then(|p| p.get("DBClusterIdentifier"))
            .is_some();
        match (policy_key, kind) {
            ("DeletionPolicy", "AWS::RDS::DBCluster") => "Snapshot",
            ("DeletionPolicy", "AWS::RDS::DBInstance") if !in_cluster => "Snapshot",
            _ => "Delete",
        }
    });
    match policy {
        "Retain" | "RetainExceptOnCreate" => true,
        "Snapshot" => SNAPSHOTTABLE.contains(&kind),
        _ => false,
    }
}

/// Why removing `old` (a deployed resource) loses its data, if it does.
pub fn loss_on_removal(old: &Value) -> Option<String> {
    let kind = old.get("Type").and_then(Value::as_str)?;
    (is_stateful(kind) && !keeps_data(old, "DeletionPolicy")).then(|| {
        "removed, and its DeletionPolicy is not Retain or Snapshot: its data is deleted".to_string()
    })
}

/// Why replacing a resource (`new` its template entry, whose `UpdateReplacePolicy` decides
/// the old one's fate) loses its data, if it does.
pub fn loss_on_replacement(new: &Value) -> Option<String> {
    let kind = new.get("Type").and_then(Value::as_str)?;
    (is_stateful(kind) && !keeps_data(new, "UpdateReplacePolicy")).then(|| {
        "replaced, and its UpdateReplacePolicy is not Retain or Snapshot: the old one is deleted with its data".to_string()
    })
}

/// Every permission a template grants, as (resource, canonical JSON) pairs: the statements
/// of policies, trust policies and resource policies, managed policy attachments, and
/// Lambda permissions.
fn grants(template: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let statements = |doc: Option<&Value>| -> Vec<String> {
        match doc.and_then(|d| d.get("Statement")) {
            Some(Value::Array(items)) => items.iter().map(Value::to_string).collect(),
            Some(one) => vec![one.to_string()],
            None => Vec::new(),
        }
    };
    for r in TemplateView::new(template).resources() {
        let get = |k: &str| r.property(k);
        let kind = r.kind();
        let id = r.logical_id;
        let mut add = |what: String| {
            out.insert((id.to_string(), what));
        };
        match kind {
            "AWS::IAM::Role" => {
                statements(get("AssumeRolePolicyDocument"))
                    .into_iter()
                    .for_each(|s| add(format!("trust {s}")));
                for p in get("Policies")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    statements(p.get("PolicyDocument"))
                        .into_iter()
                        .for_each(&mut add);
                }
                for arn in get("ManagedPolicyArns")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    add(format!("managed {arn}"));
                }
            }
            "AWS::IAM::Policy"
            | "AWS::IAM::ManagedPolicy"
            | "AWS::IAM::RolePolicy"
            | "AWS::S3::BucketPolicy"
            | "AWS::SQS::QueuePolicy"
            | "AWS::SNS::TopicPolicy" => {
                statements(get("PolicyDocument"))
                    .into_iter()
                    .for_each(&mut add);
                for key in ["Roles", "Users", "Groups", "RoleName"] {
                    if let Some(v) = get(key) {
                        add(format!("attached to {key} {v}"));
                    }
                }
            }
            "AWS::Lambda::Permission" => add(format!(
                "permission {}",
                r.properties().map(Value::to_string).unwrap_or_default()
            )),
            _ => {}
        }
    }
    out
}

/// The grants of `new` that `old` does not have, described.
pub fn iam_broadening(old: &Value, new: &Value) -> Vec<String> {
    let before = grants(old);
    grants(new)
        .difference(&before)
        .map(|(id, what)| format!("{id}: {what}"))
        .collect()
}

/// The stateful resources a change set would replace or remove with their data: the change
/// set says what is replaced or removed, the templates what CloudFormation keeps (a resource
/// whose policy is Retain or Snapshot loses nothing).
pub fn stateful_losses(changes: &[ResourceChange], old: &Value, new: &Value) -> Vec<String> {
    let entry =
        |template: &Value, id: &str| template.get("Resources").and_then(|r| r.get(id)).cloned();
    changes
        .iter()
        .filter(|c| is_stateful(&c.resource_type))
        .filter_map(|c| {
            let (verb, why) = match (c.action, c.replacement) {
                (Action::Remove, _) => {
                    let old_r = entry(old, &c.logical_id)
                        .unwrap_or_else(|| serde_json::json!({"Type": c.resource_type}));
                    ("would be", loss_on_removal(&old_r)?)
                }
                (Action::Modify, Some(r @ (Replacement::True | Replacement::Conditional))) => {
                    let new_r = entry(new, &c.logical_id)
                        .unwrap_or_else(|| serde_json::json!({"Type": c.resource_type}));
                    let verb = if r == Replacement::True {
                        "would be"
                    } else {
                        "may be"
                    };
                    (verb, loss_on_replacement(&new_r)?)
                }
                _ => return None,
            };
            Some(format!(
                "{} ({}) {verb} {why}",
                c.logical_id, c.resource_type
            ))
        })
        .collect()
}

/// Why the change set needs approval at this level (`None`: it may run).
pub fn reason(
    level: RequireApproval,
    changes: &[ResourceChange],
    old: &Value,
    new: &Value,
) -> Option<String> {
    let mut reasons = Vec::new();
    match level {
        RequireApproval::Never => return None,
        RequireApproval::AnyChange if !changes.is_empty() => {
            reasons.push(format!(
                "{} resource changes (--require-approval any-change)",
                changes.len()
            ));
        }
        _ => {}
    }
    let broadening = iam_broadening(old, new);
    if !broadening.is_empty() {
        reasons.push(format!("IAM broadens:\n  {}", broadening.join("\n  ")));
    }
    let losses = stateful_losses(changes, old, new);
    if !losses.is_empty() {
        reasons.push(format!("data could be lost:\n  {}", losses.join("\n  ")));
    }
    (!reasons.is_empty()).then(|| reasons.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(actions: &[&str]) -> Value {
        json!({"Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
                {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
            "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": [{"Ref": "Role"}],
                "PolicyDocument": {"Statement": actions.iter().map(|a| json!({"Action": a, "Effect": "Allow", "Resource": "*"})).collect::<Vec<_>>()}}},
            "Table": {"Type": "AWS::DynamoDB::Table"}
        }})
    }

    fn change(
        action: Action,
        id: &str,
        kind: &str,
        replacement: Option<Replacement>,
    ) -> ResourceChange {
        ResourceChange {
            action,
            logical_id: id.into(),
            resource_type: kind.into(),
            replacement,
        }
    }

    #[test]
    fn a_new_statement_broadens_iam_and_a_removed_one_does_not() {
        let old = template(&["s3:GetObject"]);
        assert!(iam_broadening(&old, &old).is_empty());
        let wider = template(&["s3:GetObject", "s3:PutObject"]);
        let b = iam_broadening(&old, &wider);
        assert_eq!(b.len(), 1);
        assert!(
            b[0].starts_with("Policy: ") && b[0].contains("s3:PutObject"),
            "{b:?}"
        );
        assert!(iam_broadening(&wider, &old).is_empty());
        // a first deploy broadens by everything it grants
        assert_eq!(iam_broadening(&json!({}), &old).len(), 3);
        let permission = json!({"Resources": {"P": {"Type": "AWS::Lambda::Permission", "Properties": {"Principal": "*"}}}});
        assert_eq!(iam_broadening(&json!({}), &permission).len(), 1);
    }

    #[test]
    fn replacing_or_removing_a_stateful_resource_needs_approval() {
        let changes = [
            change(
                Action::Modify,
                "Table",
                "AWS::DynamoDB::Table",
                Some(Replacement::True),
            ),
            change(Action::Remove, "Bucket", "AWS::S3::Bucket", None),
            change(
                Action::Modify,
                "Logs",
                "AWS::Logs::LogGroup",
                Some(Replacement::Conditional),
            ),
            change(
                Action::Modify,
                "Other",
                "AWS::DynamoDB::Table",
                Some(Replacement::False),
            ),
            change(Action::Remove, "Fn", "AWS::Lambda::Function", None),
        ];
        let none = json!({});
        assert_eq!(
            stateful_losses(&changes, &none, &none),
            [
                "Table (AWS::DynamoDB::Table) would be replaced, and its UpdateReplacePolicy is not Retain or Snapshot: the old one is deleted with its data",
                "Bucket (AWS::S3::Bucket) would be removed, and its DeletionPolicy is not Retain or Snapshot: its data is deleted",
                "Logs (AWS::Logs::LogGroup) may be replaced, and its UpdateReplacePolicy is not Retain or Snapshot: the old one is deleted with its data"
            ]
        );
        // what CloudFormation keeps loses nothing: a retained bucket removed, a table whose
        // old copy is retained on replacement, a log group snapshotted... and an RDS cluster
        // without a policy (its default is Snapshot)
        let old = json!({"Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "Db": {"Type": "AWS::RDS::DBCluster"}
        }});
        let new = json!({"Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "UpdateReplacePolicy": "Retain"},
            "Logs": {"Type": "AWS::Logs::LogGroup", "UpdateReplacePolicy": "Retain"}
        }});
        let mut kept = changes.to_vec();
        kept.push(change(Action::Remove, "Db", "AWS::RDS::DBCluster", None));
        assert!(stateful_losses(&kept, &old, &new).is_empty());
        // a snapshot keeps nothing of a log group (it takes none), and replacing an RDS
        // cluster without a policy deletes the old one (Snapshot is the default on removal
        // only)
        let new = json!({"Resources": {
            "Logs": {"Type": "AWS::Logs::LogGroup", "UpdateReplacePolicy": "Snapshot"},
            "Db": {"Type": "AWS::RDS::DBCluster"}
        }});
        let replaced = [
            change(
                Action::Modify,
                "Logs",
                "AWS::Logs::LogGroup",
                Some(Replacement::True),
            ),
            change(
                Action::Modify,
                "Db",
                "AWS::RDS::DBCluster",
                Some(Replacement::True),
            ),
        ];
        assert_eq!(stateful_losses(&replaced, &old, &new).len(), 2);
    }

    #[test]
    fn the_level_decides() {
        let old = template(&["s3:GetObject"]);
        let same = [change(
            Action::Modify,
            "Fn",
            "AWS::Lambda::Function",
            Some(Replacement::False),
        )];
        assert_eq!(reason(RequireApproval::Broadening, &same, &old, &old), None);
        assert!(reason(RequireApproval::AnyChange, &same, &old, &old)
            .unwrap()
            .contains("1 resource changes"));
        assert_eq!(reason(RequireApproval::AnyChange, &[], &old, &old), None);
        let wider = template(&["s3:GetObject", "s3:PutObject"]);
        assert!(reason(RequireApproval::Broadening, &same, &old, &wider)
            .unwrap()
            .contains("IAM broadens"));
        assert_eq!(reason(RequireApproval::Never, &same, &old, &wider), None);
        let replace = [change(
            Action::Modify,
            "Table",
            "AWS::DynamoDB::Table",
            Some(Replacement::True),
        )];
        assert!(reason(RequireApproval::Broadening, &replace, &old, &old)
            .unwrap()
            .contains("data could be lost"));
    }
}
