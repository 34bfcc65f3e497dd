//! `deploy --hotswap`: when the only changes between a stack's deployed template and the
//! app's are a function's code, environment or description, or a state machine's definition,
//! they are made through Lambda's and Step Functions' APIs instead of a change set; anything
//! else is refused (or, with `--hotswap-fallback`, deployed through a change set). The stack
//! then differs from its template until a normal deploy reconciles it.

use std::time::{Duration, Instant};

use serde_json::{json, Map, Value as Json};

use rcdk_local::template::AppTemplates;

use crate::error::DeployError;
use crate::signed::{CallError, Signed};

/// Why a hotswap change could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HotswapError {
    /// A call to Lambda or Step Functions failed.
    #[error("{operation}: {source}")]
    Call {
        /// The API's operation (`UpdateFunctionCode`).
        operation: &'static str,
        /// Why.
        #[source]
        source: CallError,
    },
    /// Lambda reports the function's update as failed.
    #[error("the update of {function} failed: {reason}")]
    UpdateFailed {
        /// The function's name.
        function: String,
        /// Lambda's `LastUpdateStatusReason`.
        reason: String,
    },
    /// The function's update had not ended after [`UPDATE_WAIT`].
    #[error("{function} was still updating after 5 minutes")]
    StillUpdating {
        /// The function's name.
        function: String,
    },
}

/// How long a function's update is awaited.
pub const UPDATE_WAIT: Duration = Duration::from_secs(300);

/// Why a changed resource cannot be hotswapped, though only what a hotswap changes changed.
#[derive(Debug, thiserror::Error)]
enum Unswappable {
    #[error("it has no physical id in the deployed stack")]
    NotDeployed,
    #[error(transparent)]
    Template(#[from] rcdk_local::Error),
    #[error("its new code is not an object in S3 (ZipFile or an image)")]
    CodeNotInS3,
}

/// A change made through a service's API.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A function's code (the asset's new object), environment or description.
    Function {
        /// Its construct path.
        path: String,
        /// Its physical name.
        name: String,
        /// The new code: `(bucket, key)`.
        code: Option<(String, String)>,
        /// The new configuration: `Environment` and `Description`, as UpdateFunctionConfiguration takes them.
        configuration: Option<Json>,
    },
    /// A state machine's definition, its substitutions resolved against the deployed stack.
    StateMachine {
        /// Its construct path.
        path: String,
        /// Its ARN (its physical id).
        arn: String,
        /// The definition's JSON text.
        definition: String,
    },
}

impl Change {
    /// The construct path the change is about.
    pub fn path(&self) -> &str {
        match self {
            Change::Function { path, .. } | Change::StateMachine { path, .. } => path,
        }
    }
}

/// What a stack's hotswap would do: the changes, or why it cannot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Changes the APIs make.
    pub changes: Vec<Change>,
    /// Changes only a change set can make, each said with where it is.
    pub refused: Vec<String>,
}

/// The properties a hotswap may change, by resource type.
fn hotswappable(kind: &str) -> &'static [&'static str] {
    match kind {
        "AWS::Lambda::Function" => &["Code", "Environment", "Description"],
        "AWS::StepFunctions::StateMachine" => {
            &["Definition", "DefinitionString", "DefinitionSubstitutions"]
        }
        _ => &[],
    }
}

fn path_of(resource: &Json, id: &str) -> String {
    resource["Metadata"]["aws:cdk:path"]
        .as_str()
        .map(|p| p.strip_suffix("/Resource").unwrap_or(p).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// Compares the deployed template with the app's. `templates` holds the app's stacks with the
/// deployed physical ids of this one, to resolve the new values against.
pub fn plan(stack: &str, deployed: &Json, new: &Json, templates: &AppTemplates) -> Plan {
    let mut out = Plan::default();
    let empty = Map::new();
    let old_resources = deployed["Resources"].as_object().unwrap_or(&empty);
    let new_resources = new["Resources"].as_object().unwrap_or(&empty);
    // only a stack rcdk deployed: every resource carries its construct path
    if old_resources.is_empty()
        || old_resources
            .values()
            .any(|r| r["Metadata"]["aws:cdk:path"].as_str().is_none())
    {
        out.refused.push(format!(
            "{stack}: the deployed template was not written by rcdk (a resource has no \
             aws:cdk:path), so it is never hotswapped"
        ));
        return out;
    }
    for section in [
        "Parameters",
        "Outputs",
        "Conditions",
        "Mappings",
        "Transform",
    ] {
        if deployed.get(section) != new.get(section) {
            out.refused.push(format!("{stack}: its {section} changed"));
        }
    }
    for (id, r) in old_resources {
        if !new_resources.contains_key(id) {
            out.refused.push(format!(
                "{}: removed ({})",
                path_of(r, id),
                r["Type"].as_str().unwrap_or("?")
            ));
        }
    }
    for (id, r) in new_resources {
        let path = path_of(r, id);
        let Some(old) = old_resources.get(id) else {
            out.refused.push(format!(
                "{path}: added ({})",
                r["Type"].as_str().unwrap_or("?")
            ));
            continue;
        };
        if old["Type"] != r["Type"] {
            out.refused.push(format!("{path}: its type changed"));
            continue;
        }
        for key in [
            "DependsOn",
            "DeletionPolicy",
            "UpdateReplacePolicy",
            "Condition",
        ] {
            if old.get(key) != r.get(key) {
                out.refused.push(format!("{path}: its {key} changed"));
            }
        }
        let kind = r["Type"].as_str().unwrap_or_default();
        let allowed = hotswappable(kind);
        let (old_props, new_props) = (
            old["Properties"].as_object().unwrap_or(&empty),
            r["Properties"].as_object().unwrap_or(&empty),
        );
        let mut changed: Vec<&str> = old_props
            .keys()
            .chain(new_props.keys())
            .filter(|k| old_props.get(*k) != new_props.get(*k))
            .map(String::as_str)
            .collect();
        changed.sort_unstable();
        changed.dedup();
        if changed.is_empty() {
            continue;
        }
        let not_allowed: Vec<&str> = changed
            .iter()
            .copied()
            .filter(|k| !allowed.contains(k))
            .collect();
        if !not_allowed.is_empty() {
            out.refused.push(format!(
                "{path}: {} changed ({kind}; a hotswap changes only {})",
                not_allowed.join(", "),
                if allowed.is_empty() {
                    "functions' code, environment and description, and state machines' definitions"
                        .to_string()
                } else {
                    allowed.join(", ")
                }
            ));
            continue;
        }
        match change(stack, id, &path, kind, &changed, templates) {
            Ok(c) => out.changes.push(c),
            Err(e) => out.refused.push(format!("{path}: {e}")),
        }
    }
    out
}

fn change(
    stack: &str,
    id: &str,
    path: &str,
    kind: &str,
    changed: &[&str],
    templates: &AppTemplates,
) -> Result<Change, Unswappable> {
    let physical = templates
        .stacks
        .iter()
        .find(|s| s.name == stack)
        .and_then(|s| s.physical.get(id))
        .cloned()
        .ok_or(Unswappable::NotDeployed)?;
    if kind == "AWS::StepFunctions::StateMachine" {
        let definition = templates.definition_json(stack, id)?;
        return Ok(Change::StateMachine {
            path: path.to_string(),
            arn: physical,
            definition: serde_json::to_string(&definition).unwrap_or_default(),
        });
    }
    let resolved = templates.resolved_properties(stack, id)?;
    let code = if changed.contains(&"Code") {
        let (Some(bucket), Some(key)) = (
            resolved["Code"]["S3Bucket"].as_str(),
            resolved["Code"]["S3Key"].as_str(),
        ) else {
            return Err(Unswappable::CodeNotInS3);
        };
        Some((bucket.to_string(), key.to_string()))
    } else {
        None
    };
    let configuration = if changed.contains(&"Environment") || changed.contains(&"Description") {
        // what UpdateFunctionConfiguration takes; a removed value is set empty, as Lambda clears it
        let environment = resolved
            .get("Environment")
            .cloned()
            .unwrap_or_else(|| json!({"Variables": {}}));
        let description = resolved
            .get("Description")
            .cloned()
            .unwrap_or_else(|| json!(""));
        Some(json!({"Environment": environment, "Description": description}))
    } else {
        None
    };
    Ok(Change::Function {
        path: path.to_string(),
        name: physical,
        code,
        configuration,
    })
}

/// The deployed stacks' physical ids, by stack and logical id, into `templates`; the account
/// and region of its ARNs too. A stack that is not deployed keeps none; a failure to ask
/// (no answer from the endpoint, no permission) is the error.
pub async fn read_deployed_ids(
    aws: &crate::aws::Aws,
    templates: &mut AppTemplates,
    stacks: &[String],
) -> Result<(), DeployError> {
    templates.env.region = aws.region.clone();
    for s in &mut templates.stacks {
        // the stacks of this connection's environment only (another region's stack of the
        // same name is not this one)
        if !stacks.contains(&s.name) {
            continue;
        }
        if let Some(ids) = crate::cfn::physical_ids(aws, &s.name).await? {
            s.physical.extend(ids);
        }
    }
    set_account(templates);
    Ok(())
}

/// The account, from the ARNs some resources have as physical ids.
fn set_account(templates: &mut AppTemplates) {
    let account = templates
        .stacks
        .iter()
        .flat_map(|s| s.physical.values())
        .filter_map(|p| p.strip_prefix("arn:aws:"))
        .filter_map(|rest| rest.split(':').nth(2))
        .find(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string);
    if let Some(account) = account {
        templates.env.account = account;
    }
}

/// Makes one change and waits until it is active; the error says which call failed.
pub async fn apply(signed: &Signed, change: &Change) -> Result<(), HotswapError> {
    let call = |operation| move |source| HotswapError::Call { operation, source };
    match change {
        Change::StateMachine {
            arn, definition, ..
        } => {
            signed
                .json(
                    "states",
                    "application/x-amz-json-1.0",
                    "AWSStepFunctions.UpdateStateMachine",
                    &json!({"stateMachineArn": arn, "definition": definition}),
                )
                .await
                .map_err(call("UpdateStateMachine"))?;
            Ok(())
        }
        Change::Function {
            name,
            code,
            configuration,
            ..
        } => {
            if let Some((bucket, key)) = code {
                lambda(
                    signed,
                    "PUT",
                    &format!("/2015-03-31/functions/{name}/code"),
                    &json!({"S3Bucket": bucket, "S3Key": key}),
                )
                .await
                .map_err(call("UpdateFunctionCode"))?;
                wait_active(signed, name).await?;
            }
            if let Some(c) = configuration {
                lambda(
                    signed,
                    "PUT",
                    &format!("/2015-03-31/functions/{name}/configuration"),
                    c,
                )
                .await
                .map_err(call("UpdateFunctionConfiguration"))?;
                wait_active(signed, name).await?;
            }
            Ok(())
        }
    }
}

async fn lambda(signed: &Signed, method: &str, path: &str, body: &Json) -> Result<Json, CallError> {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body).unwrap_or_default()
    };
    let answer = signed
        .send(
            "lambda",
            method,
            path,
            &[("content-type", "application/json")],
            bytes,
        )
        .await?;
    answer.decoded()
}

/// Waits until the function's last update is done (`LastUpdateStatus` no longer InProgress).
async fn wait_active(signed: &Signed, name: &str) -> Result<(), HotswapError> {
    let started = Instant::now();
    loop {
        let c = lambda(
            signed,
            "GET",
            &format!("/2015-03-31/functions/{name}/configuration"),
            &Json::Null,
        )
        .await
        .map_err(|source| HotswapError::Call {
            operation: "GetFunctionConfiguration",
            source,
        })?;
        match c["LastUpdateStatus"].as_str() {
            Some("InProgress") => {}
            Some("Failed") => {
                return Err(HotswapError::UpdateFailed {
                    function: name.to_string(),
                    reason: c["LastUpdateStatusReason"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                })
            }
            _ => return Ok(()),
        }
        if started.elapsed() > UPDATE_WAIT {
            return Err(HotswapError::StillUpdating {
                function: name.to_string(),
            });
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcdk_local::template::StackTemplate;
    use std::collections::HashMap;

    fn template(code: &str, timeout: u32, wait: u32) -> Json {
        json!({
            "Resources": {
                "Fn": {"Type": "AWS::Lambda::Function", "Metadata": {"aws:cdk:path": "S/Fn/Resource"},
                    "Properties": {"Code": {"S3Bucket": {"Fn::Sub": "assets-${AWS::AccountId}"}, "S3Key": code}, "Timeout": timeout,
                        "Environment": {"Variables": {"TABLE": {"Ref": "T"}}}}},
                "T": {"Type": "AWS::DynamoDB::Table", "Metadata": {"aws:cdk:path": "S/T/Resource"}, "Properties": {}},
                "M": {"Type": "AWS::StepFunctions::StateMachine", "Metadata": {"aws:cdk:path": "S/Flow/Resource"},
                    "Properties": {"Definition": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": wait, "Next": "Call"},
                        "Call": {"Type": "Task", "Resource": "${Fn}", "End": true}}},
                        "DefinitionSubstitutions": {"Fn": {"Fn::GetAtt": ["Fn", "Arn"]}}}}
            }
        })
    }

    fn app(new: &Json) -> AppTemplates {
        AppTemplates {
            stacks: vec![StackTemplate {
                name: "S".into(),
                template: new.clone(),
                physical: HashMap::from([
                    ("Fn".to_string(), "S-Fn-ABC".to_string()),
                    ("T".to_string(), "S-T-XYZ".to_string()),
                    (
                        "M".to_string(),
                        "arn:aws:states:us-east-1:123456789012:stateMachine:S-M-QRS".to_string(),
                    ),
                ]),
            }],
            ..AppTemplates::default()
        }
    }

    #[test]
    fn code_and_definition_changes_are_hotswapped_against_the_deployed_names() {
        let old = template("a.zip", 10, 30);
        let new = template("b.zip", 10, 5);
        let p = plan("S", &old, &new, &app(&new));
        assert_eq!(p.refused, Vec::<String>::new());
        assert_eq!(
            p.changes[0],
            Change::Function {
                path: "S/Fn".into(),
                name: "S-Fn-ABC".into(),
                code: Some(("assets-123456789012".into(), "b.zip".into())),
                configuration: None
            }
        );
        let Change::StateMachine {
            arn, definition, ..
        } = &p.changes[1]
        else {
            panic!("{:?}", p.changes)
        };
        assert!(arn.ends_with(":stateMachine:S-M-QRS"));
        let d: Json = serde_json::from_str(definition).unwrap();
        assert_eq!(d["States"]["W"]["Seconds"], 5);
        assert_eq!(
            d["States"]["Call"]["Resource"],
            "arn:aws:lambda:us-east-1:123456789012:function:S-Fn-ABC"
        );
    }

    #[test]
    fn anything_else_is_refused_with_where_it_is() {
        let old = template("a.zip", 10, 30);
        let new = template("a.zip", 20, 30);
        let p = plan("S", &old, &new, &app(&new));
        assert!(p.changes.is_empty());
        assert_eq!(p.refused.len(), 1, "{:?}", p.refused);
        assert!(
            p.refused[0].starts_with("S/Fn: Timeout changed (AWS::Lambda::Function"),
            "{}",
            p.refused[0]
        );
        let mut table = template("a.zip", 10, 30);
        table["Resources"]["T"]["Properties"]["BillingMode"] = json!("PAY_PER_REQUEST");
        let p = plan("S", &old, &table, &app(&table));
        assert!(
            p.refused[0].starts_with("S/T: BillingMode changed (AWS::DynamoDB::Table"),
            "{:?}",
            p.refused
        );
        let mut added = template("a.zip", 10, 30);
        added["Resources"]["Q"] =
            json!({"Type": "AWS::SQS::Queue", "Metadata": {"aws:cdk:path": "S/Q/Resource"}});
        let p = plan("S", &old, &added, &app(&added));
        assert_eq!(p.refused, ["S/Q: added (AWS::SQS::Queue)"]);
    }

    #[test]
    fn a_template_rcdk_did_not_write_is_never_hotswapped() {
        let mut old = template("a.zip", 10, 30);
        old["Resources"]["Fn"]["Metadata"] = json!({});
        let new = template("b.zip", 10, 30);
        let p = plan("S", &old, &new, &app(&new));
        assert!(p.changes.is_empty());
        assert!(
            p.refused[0].contains("not written by rcdk"),
            "{:?}",
            p.refused
        );
    }

    #[test]
    fn an_environment_change_updates_the_configuration_resolved() {
        let old = template("a.zip", 10, 30);
        let mut new = template("a.zip", 10, 30);
        new["Resources"]["Fn"]["Properties"]["Environment"]["Variables"]["MODE"] = json!("fast");
        let p = plan("S", &old, &new, &app(&new));
        let Change::Function {
            configuration: Some(c),
            code: None,
            ..
        } = &p.changes[0]
        else {
            panic!("{:?}", p)
        };
        assert_eq!(
            c["Environment"]["Variables"],
            json!({"TABLE": "S-T-XYZ", "MODE": "fast"})
        );
        assert_eq!(c["Description"], "");
    }
}
