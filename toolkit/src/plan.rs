//! The deploy plan: each stack of the selection with its template (as sent), the
//! `--parameters` that concern it, its tags and termination protection; the check that it is
//! already deployed as it is; the change summary; the upload of templates too large to send.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_cloudformation::types::Stack;
use indexmap::IndexMap;
use serde_json::Value as Json;

use constructs::core::assembly::{to_json_text, MAX_INLINE_TEMPLATE_BYTES};
use constructs::SynthesizedStack;

use crate::approval::{Action, Replacement, ResourceChange};
use crate::assets::{self, AssetBucket};
use crate::aws::Aws;
use crate::error::DeployError;
use crate::template::TemplateView;
use crate::ui::Ui;

/// One stack, ready to deploy.
#[derive(Debug, Clone)]
pub struct StackPlan {
    pub name: String,
    pub template: Json,
    /// The template as sent (or uploaded).
    pub body: String,
    /// Parameter values given on the command line for this stack.
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub termination_protection: bool,
    pub dependencies: Vec<String>,
    /// The folders published to the stack's buckets once it is deployed.
    pub folders: Vec<constructs::core::synth::FolderEntry>,
    /// The app's workspace, where the folders are (needed only when there are some).
    pub root: Option<std::path::PathBuf>,
    /// The account and region the stack goes to.
    pub environment: constructs::core::env::Environment,
    /// Parameters filled with other stacks' outputs once those are deployed (references
    /// across regions): parameter, stack, output.
    pub from_outputs: Vec<(String, String, String)>,
    /// The templates of its nested stacks, uploaded before it is deployed.
    pub nested: Vec<constructs::NestedTemplate>,
}

/// A `--parameters` argument: `KEY=VALUE` (every stack that declares KEY) or
/// `STACK:KEY=VALUE` (that stack only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterArg {
    pub stack: Option<String>,
    pub key: String,
    pub value: String,
}

impl ParameterArg {
    pub fn parse(given: &str) -> Result<ParameterArg, DeployError> {
        let bad = |message: &str| DeployError::BadParameter {
            given: given.to_string(),
            message: message.to_string(),
        };
        let (name, value) = given
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=VALUE or STACK:KEY=VALUE"))?;
        let (stack, key) = match name.split_once(':') {
            Some((s, k)) => (Some(s.to_string()), k),
            None => (None, name),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("a parameter name is letters and digits only"));
        }
        Ok(ParameterArg {
            stack,
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

impl StackPlan {
    /// The plan of a synthesized stack with the `--parameters` that concern it.
    pub fn new(stack: &SynthesizedStack, parameters: &[ParameterArg]) -> StackPlan {
        let declared = declared_parameters(&stack.template);
        let parameters = parameters
            .iter()
            .filter(|p| p.stack.as_deref().is_none_or(|s| s == stack.name))
            .filter(|p| declared.contains_key(&p.key))
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect();
        StackPlan {
            name: stack.name.clone(),
            body: to_json_text(&stack.template),
            template: stack.template.clone(),
            parameters,
            tags: stack
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            termination_protection: stack.termination_protection,
            dependencies: stack.dependencies.clone(),
            folders: stack.folders.clone(),
            root: None,
            environment: stack.environment.clone(),
            from_outputs: stack
                .from_outputs
                .iter()
                .map(|(p, o)| (p.clone(), o.stack.clone(), o.output.clone()))
                .collect(),
            nested: stack.nested.clone(),
        }
    }

    pub fn resource_count(&self) -> usize {
        TemplateView::new(&self.template).resource_count()
    }
}

/// Every `--parameters` must name a parameter some selected stack declares.
pub fn check_parameters(
    stacks: &[&SynthesizedStack],
    parameters: &[ParameterArg],
) -> Result<(), DeployError> {
    for p in parameters {
        let targets: Vec<&&SynthesizedStack> = stacks
            .iter()
            .filter(|s| p.stack.as_deref().is_none_or(|n| n == s.name))
            .collect();
        let given = match &p.stack {
            Some(s) => format!("{s}:{}={}", p.key, p.value),
            None => format!("{}={}", p.key, p.value),
        };
        if targets.is_empty() {
            return Err(DeployError::BadParameter {
                given,
                message: format!(
                    "no selected stack is called {}",
                    p.stack.as_deref().unwrap_or_default()
                ),
            });
        }
        if !targets
            .iter()
            .any(|s| declared_parameters(&s.template).contains_key(&p.key))
        {
            return Err(DeployError::BadParameter {
                given,
                message: format!("no selected stack declares the parameter {}", p.key),
            });
        }
    }
    Ok(())
}

/// The template's parameters: name → whether it has a default.
pub fn declared_parameters(template: &Json) -> IndexMap<String, bool> {
    TemplateView::new(template)
        .parameters()
        .map(|p| (p.name.to_string(), p.has_default()))
        .collect()
}

/// Whether the deployed stack already has our template, parameters and tags.
pub fn is_unchanged(plan: &StackPlan, stack: &Stack, deployed: Option<&Json>) -> bool {
    if deployed != Some(&plan.template) {
        return false;
    }
    let current: HashMap<&str, &str> = stack
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?, p.parameter_value()?)))
        .collect();
    if plan
        .parameters
        .iter()
        .any(|(k, v)| current.get(k.as_str()) != Some(&v.as_str()))
    {
        return false;
    }
    let tags: BTreeSet<(&str, &str)> = stack
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?, t.value()?)))
        .collect();
    let ours: BTreeSet<(&str, &str)> = plan
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    tags == ours
}

/// The change summary lines: one per resource, then the counts.
pub fn summary(stack: &str, changes: &[ResourceChange]) -> Vec<String> {
    let mut lines = Vec::new();
    let (mut add, mut modify, mut replace, mut remove) = (0, 0, 0, 0);
    for c in changes {
        let (mark, note) = match (c.action, c.replacement) {
            (Action::Add, _) => {
                add += 1;
                ("+", "")
            }
            (Action::Remove, _) => {
                remove += 1;
                ("-", "")
            }
            (Action::Modify, Some(Replacement::True)) => {
                modify += 1;
                replace += 1;
                ("~", " (replacement)")
            }
            (Action::Modify, Some(Replacement::Conditional)) => {
                modify += 1;
                replace += 1;
                ("~", " (may be replaced)")
            }
            _ => {
                modify += 1;
                ("~", "")
            }
        };
        let style = match mark {
            "+" => console::Style::new().green(),
            "-" => console::Style::new().red(),
            _ => console::Style::new().yellow(),
        };
        lines.push(format!(
            "  {} {} {}{note}",
            style.apply_to(mark),
            c.logical_id,
            c.resource_type
        ));
    }
    lines.push(format!(
        "{stack}: {add} to add, {modify} to modify ({replace} replaced), {remove} to remove"
    ));
    lines
}

/// Uploads the nested stacks' templates (under the key their parent's `TemplateURL` names)
/// and the templates over 51,200 bytes (under their hash), unless already there, and returns
/// the URL each large stack must be deployed from.
pub async fn publish_templates(
    aws: &Aws,
    ui: &Ui,
    bucket: &AssetBucket,
    plans: &[StackPlan],
) -> Result<HashMap<String, String>, DeployError> {
    for plan in plans {
        for nested in &plan.nested {
            let key = nested.object_key();
            let uploaded = !assets::exists(aws, bucket, &key).await?;
            if uploaded {
                assets::upload(aws, bucket, &key, nested.body.clone().into_bytes()).await?;
            }
            ui.line(format!(
                "{}: nested stack {} {} s3://{bucket}/{key}",
                plan.name,
                nested.logical_id,
                if uploaded {
                    "uploaded to"
                } else {
                    "already in"
                }
            ));
        }
    }
    let mut urls = HashMap::new();
    for plan in plans
        .iter()
        .filter(|p| p.body.len() > MAX_INLINE_TEMPLATE_BYTES)
    {
        let key = assets::template_key(&plan.body);
        if !assets::exists(aws, bucket, &key).await? {
            assets::upload(aws, bucket, &key, plan.body.clone().into_bytes()).await?;
        }
        ui.line(format!(
            "{}: template is {} bytes (over {MAX_INLINE_TEMPLATE_BYTES}): deploying it from s3://{bucket}/{key}",
            plan.name,
            plan.body.len()
        ));
        urls.insert(plan.name.clone(), assets::template_url(aws, bucket, &key));
    }
    Ok(urls)
}
