//! The app: every stack, synthesized together so that references across stacks resolve.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::asset::{hash_code_asset, Workspace};
use super::deferred;
use super::error::{Problem, SynthError, Warning};
use super::stack::Stack;
use super::synth::{synthesize, SynthesizedStack};

/// An app: the stacks to synthesize, and the cargo workspace their Lambda crates belong to.
///
/// # Examples
///
/// ```
/// use constructs::{App, Stack};
/// # use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
///
/// let mut data = Stack::new("Data");
/// let key = Attribute::new("id", AttributeType::String);
/// let orders = Table::new(&mut data, "Orders", TableProps::new(key));
/// let mut web = Stack::new("Web");
/// web.add_output("OrdersTable", orders.name()); // a table of another stack
///
/// let mut app = App::new(".");
/// app.add_stack(web).add_stack(data);
/// let assembly = app.synth().expect("a valid app");
/// // in deployment order: the stack that exports the table's name first
/// let order: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(order, ["Data", "Web"]);
/// let web = assembly.stack("Web").unwrap();
/// assert!(web.template["Outputs"]["OrdersTable"]["Value"].get("Fn::ImportValue").is_some());
/// ```
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) root: PathBuf,
    pub(crate) stacks: IndexMap<String, Stack>,
    pub(crate) problems: Vec<Problem>,
    pub(crate) tag_rules: Vec<super::tags::TagRule>,
    pub(crate) aspects: Vec<super::aspect::ScopedAspect>,
    pub(crate) cross_region_references: bool,
}

impl App {
    /// A new app whose Lambda crates are packages of the cargo workspace at `root` (found by
    /// package name among the workspace's members, wherever their directories are).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        App {
            root: root.into(),
            stacks: IndexMap::new(),
            problems: Vec::new(),
            tag_rules: Vec::new(),
            aspects: Vec::new(),
            cross_region_references: false,
        }
    }

    /// The cargo workspace the app's Lambda crates are found in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Lets a stack refer to a resource of a stack in another region of the same account,
    /// as the AWS CDK's `crossRegionReferences`: the producer gets an output (not an export:
    /// exports do not cross regions), the consumer a parameter, and `rcdk deploy` passes the
    /// output's value to the parameter once the producer is deployed (a deploy with plain
    /// CloudFormation must give it itself). Off by default: such a reference is then a synth
    /// problem with this fix.
    pub fn cross_region_references(&mut self, on: bool) -> &mut Self {
        self.cross_region_references = on;
        self
    }

    /// Adds a stack; two stacks with one name are reported at synth.
    pub fn add_stack(&mut self, stack: Stack) -> &mut Self {
        if self.stacks.contains_key(&stack.name) {
            self.problems.push(
                Problem::new(&stack.name, "the app already has a stack with this name")
                    .property("StackName"),
            );
            return self;
        }
        self.stacks.insert(stack.name.clone(), stack);
        self
    }

    /// The stack named `name`, if the app has one.
    pub fn stack(&self, name: &str) -> Option<&Stack> {
        self.stacks.get(name)
    }

    /// The app's stacks, in the order they were added.
    pub fn stacks(&self) -> impl Iterator<Item = &Stack> {
        self.stacks.values()
    }

    /// Synthesizes every stack: resolves tokens, wires cross-stack references into exports
    /// and imports, hashes code assets, and validates. Every problem is reported together.
    pub fn synth(&self) -> Result<CloudAssembly, SynthError> {
        let mut problems = self.problems.clone();
        // what stacks changed of other stacks' resources lands in those stacks first
        let changed;
        let app = if deferred::has_changes(self) {
            changed = deferred::apply_changes(self, &mut problems);
            &changed
        } else {
            self
        };
        let has_assets = app.stacks.values().any(|s| !s.assets.is_empty());
        let packages: Vec<&str> = app
            .stacks
            .values()
            .flat_map(|s| s.assets.values().map(|a| a.package.as_str()))
            .collect();
        let workspace = has_assets.then(|| Workspace::read(&app.root, &packages));
        // (stack, construct path) -> (hash, crate directory)
        let mut asset_hashes: HashMap<(String, String), (String, String)> = HashMap::new();
        let mut by_source: HashMap<&super::stack::CodeAsset, Result<(String, String), Problem>> =
            HashMap::new();
        for stack in app.stacks.values() {
            problems.extend(stack.problems.iter().cloned());
            for (path, asset) in &stack.assets {
                let Some(workspace) = &workspace else {
                    continue;
                };
                let result = by_source
                    .entry(asset)
                    .or_insert_with(|| hash_code_asset(workspace, asset, path));
                match result {
                    Ok(hashed) => {
                        asset_hashes.insert((stack.name.clone(), path.clone()), hashed.clone());
                    }
                    Err(p) => {
                        let mut p = p.clone();
                        p.path = path.clone();
                        problems.push(p);
                    }
                }
            }
        }
        // (stack, construct path) -> the folder, relative to the root
        let mut folder_sources: HashMap<(String, String), String> = HashMap::new();
        for stack in app.stacks.values() {
            for (path, folder) in &stack.folders {
                match folder_source(&app.root, folder) {
                    Ok(relative) => {
                        folder_sources.insert((stack.name.clone(), path.clone()), relative);
                    }
                    Err(message) => problems.push(
                        Problem::new(path, message)
                            .property("Source")
                            .help("build the folder before synth; its path is relative to the app's root (App::new)"),
                    ),
                }
            }
        }
        let (stacks, warnings) = synthesize(app, &asset_hashes, &folder_sources, &mut problems);
        if problems.is_empty() {
            Ok(CloudAssembly { stacks, warnings })
        } else {
            Err(SynthError::Invalid(problems))
        }
    }
}

/// The folder of a [`super::stack::FolderDeployment`] relative to `root` (`/`-separated), once
/// it is found inside the root and its files fit S3's limits; else what is wrong.
fn folder_source(root: &Path, folder: &super::stack::FolderDeployment) -> Result<String, String> {
    let given = root.join(&folder.source);
    let shown = folder.source.display();
    let canonical_root = root
        .canonicalize()
        .map_err(|e| format!("the app's root {} cannot be resolved: {e}", root.display()))?;
    let canonical = given
        .canonicalize()
        .map_err(|e| format!("the folder {shown} cannot be read: {e}"))?;
    let relative = canonical.strip_prefix(&canonical_root).map_err(|_| {
        format!(
            "the folder {shown} is outside the app's root {}: only folders inside it are published",
            root.display()
        )
    })?;
    let mut parts = Vec::new();
    for c in relative.components() {
        match c.as_os_str().to_str() {
            Some(p) => parts.push(p.to_string()),
            None => return Err(format!("the folder {shown} has a name that is not UTF-8")),
        }
    }
    if parts.is_empty() {
        return Err(format!(
            "the folder {shown} is the app's root itself: publish a folder inside it (`site/dist`)"
        ));
    }
    super::folder::list(&canonical, &folder.key_prefix)
        .map_err(|e| format!("the folder {shown}: {e}"))?;
    Ok(parts.join("/"))
}

/// The synthesized app: one template per stack, in deployment order (dependencies first).
#[derive(Debug, Clone)]
pub struct CloudAssembly {
    /// One synthesized stack per stack of the app, dependencies first.
    pub stacks: Vec<SynthesizedStack>,
    /// What synth found legal but worth knowing, across every stack.
    pub warnings: Vec<Warning>,
}

impl CloudAssembly {
    /// The synthesized stack named `name`, if there is one.
    pub fn stack(&self, name: &str) -> Option<&SynthesizedStack> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// The template of the nested stack named `name` ([`super::stack::Stack::nested`]), if
    /// there is one.
    pub fn nested(&self, name: &str) -> Option<&super::synth::NestedTemplate> {
        self.stacks
            .iter()
            .flat_map(|s| &s.nested)
            .find(|n| n.name == name)
    }
}
