//! Pictures: a state machine's definition (its ASL, as JSON) laid out top-down the way the
//! Step Functions console draws it ([`Diagram::of`]), and a stack's constructs with how they
//! use each other ([`Diagram::of_stack`]), each written as a self-contained SVG.
//!
//! Each state is a box typed by shape and colour (a task, a choice, a wait, ...); `Next`,
//! `Default`, each Choice rule (labelled by its condition) and each `Catch` (labelled by its
//! errors, drawn dashed) are edges; a `Parallel` state's branches and a `Map` state's
//! iterator are frames holding their own layout (a distributed Map is marked). The layout is
//! layered (a Sugiyama layout of our own): loops are broken by reversing the edges that close
//! them, states get layers by longest path, edges that span layers get bend points (their
//! labels are such points, so a label never covers a box; one that would span more than 12
//! layers is drawn as a jump: a short line to a label naming its target), the order within
//! each layer is
//! chosen by barycenters to remove crossings, and the positions by a placement that keeps
//! every box apart. The same [`Diagram`] the SVG is written from is what tests and execution
//! reports read: every box and edge with its coordinates.

mod build;
mod layout;
mod stack;
mod svg;

use serde_json::Value as Json;

pub use build::DiagramError;
pub use svg::escape;

/// What a box of the diagram stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// Where an execution starts (top level only).
    Start,
    /// Where it ends (top level only).
    End,
    /// A `Task` state.
    Task,
    /// A `Pass` state.
    Pass,
    /// A `Choice` state.
    Choice,
    /// A `Wait` state.
    Wait,
    /// A `Succeed` state.
    Succeed,
    /// A `Fail` state.
    Fail,
    /// A `Parallel` state: a frame holding its branches.
    Parallel,
    /// A `Map` state: a frame holding its iterator; `distributed` for `Mode: DISTRIBUTED`.
    Map {
        /// Whether it runs as a distributed Map (child executions).
        distributed: bool,
    },
    /// A construct of a stack graph, its resources listed in its box.
    Construct,
    /// Another stack (or the stacks that import) in a stack graph.
    Stack,
}

impl NodeKind {
    /// The CSS class of its box.
    pub fn class(self) -> &'static str {
        match self {
            NodeKind::Start => "start",
            NodeKind::End => "end",
            NodeKind::Task => "task",
            NodeKind::Pass => "pass",
            NodeKind::Choice => "choice",
            NodeKind::Wait => "wait",
            NodeKind::Succeed => "succeed",
            NodeKind::Fail => "fail",
            NodeKind::Parallel => "parallel",
            NodeKind::Map { distributed: false } => "map",
            NodeKind::Map { distributed: true } => "map distributed",
            NodeKind::Construct => "construct",
            NodeKind::Stack => "stack",
        }
    }

    /// Whether it is a state of the definition (not the Start or End marker).
    pub fn is_state(self) -> bool {
        !matches!(
            self,
            NodeKind::Start | NodeKind::End | NodeKind::Construct | NodeKind::Stack
        )
    }

    /// Whether it is a frame holding other states.
    pub fn is_frame(self) -> bool {
        matches!(self, NodeKind::Parallel | NodeKind::Map { .. })
    }
}

/// A box of the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Unique in the diagram: the state's name, prefixed by the names of the states it is
    /// nested in (`Fan out/1/Enrich` for a state of a Parallel's second branch, `Each/Check`
    /// in a Map's iterator); `Start` and `End` for the markers.
    pub path: String,
    /// The state's name (what the box says).
    pub name: String,
    /// What it stands for.
    pub kind: NodeKind,
    /// The second line of the box: a task's service call, a wait's time, a fail's error.
    pub detail: Option<String>,
    /// How many retriers the state has.
    pub retriers: usize,
    /// The path of the frame it is in, if any.
    pub parent: Option<String>,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Node {
    /// Whether this box and `other` overlap (touching edges do not).
    pub fn overlaps(&self, other: &Node) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }

    /// Whether `other` lies inside this box.
    pub fn contains(&self, other: &Node) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.x + other.width <= self.x + self.width
            && other.y + other.height <= self.y + self.height
    }
}

/// What a transition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// `Next` (or the start, or an end).
    Next,
    /// A Choice rule's `Next`, labelled by its condition.
    Choice,
    /// A Choice state's `Default`.
    Default,
    /// A `Catch`'s `Next`, labelled by its errors.
    Catch,
    /// A stack graph's construct referring to another (`Ref`, `Fn::GetAtt`, `Fn::Sub`).
    Reference,
    /// A construct allowed to use another (an IAM or resource policy's statement), labelled
    /// by the services of its actions.
    Grant,
    /// A construct calling another: an API's method, a rule's or schedule's target, a state
    /// machine's task.
    Integration,
    /// A queue, stream or table feeding a function (an event source mapping).
    EventSource,
    /// A topic's subscription.
    Subscription,
    /// A value exported to, or imported from, another stack.
    Export,
}

impl EdgeKind {
    /// The CSS class of its line.
    pub fn class(self) -> &'static str {
        match self {
            EdgeKind::Next => "next",
            EdgeKind::Choice => "rule",
            EdgeKind::Default => "default",
            EdgeKind::Catch => "catch",
            EdgeKind::Reference => "ref",
            EdgeKind::Grant => "grant",
            EdgeKind::Integration => "integration",
            EdgeKind::EventSource => "event-source",
            EdgeKind::Subscription => "subscription",
            EdgeKind::Export => "export",
        }
    }
}

/// A transition, drawn as a line through `points` (from the source's box to the target's).
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// The path of the box it leaves.
    pub from: String,
    /// The path of the box it enters.
    pub to: String,
    /// What it is.
    pub kind: EdgeKind,
    /// Its label, shortened to fit (a condition, `Default`, the errors caught).
    pub label: Option<String>,
    /// The label in full (the SVG's tooltip).
    pub title: Option<String>,
    /// Where the label is drawn: its center.
    pub label_at: Option<(f64, f64)>,
    /// The line, first point on the source's box, last on the target's (or, for a jump, at
    /// its label).
    pub points: Vec<(f64, f64)>,
    /// A transition to a state too many layers away to draw the whole line: a short line to
    /// a label naming the target (`→ Handle failure`), as off-page connectors do.
    pub jump: bool,
}

/// A definition laid out: boxes and lines with their coordinates, and the size of the whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    /// The boxes: the markers, the states, frames before what they hold.
    pub nodes: Vec<Node>,
    /// The lines.
    pub edges: Vec<Edge>,
    /// The width of the picture.
    pub width: f64,
    /// The height of the picture.
    pub height: f64,
}

impl Diagram {
    /// Lays out a definition (its ASL as JSON): the top level between `Start` and `End`,
    /// Parallel branches and Map iterators as frames. A definition that is not ASL's shape
    /// (no `StartAt`, a transition to a state that is not there, ...) is an error naming
    /// where.
    pub fn of(definition: &Json) -> Result<Diagram, DiagramError> {
        let graph = build::graph(definition)?;
        Ok(layout::lay_out(&graph))
    }

    /// The box of the node at `path`.
    pub fn node(&self, path: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.path == path)
    }

    /// The number of places where two lines of the same frame (or of the top level) cross.
    pub fn crossings(&self) -> usize {
        let scope_of = |path: &str| self.node(path).and_then(|n| n.parent.clone());
        let mut count = 0;
        for (i, a) in self.edges.iter().enumerate() {
            for b in &self.edges[i + 1..] {
                if scope_of(&a.from) != scope_of(&b.from) {
                    continue;
                }
                for sa in a.points.windows(2) {
                    for sb in b.points.windows(2) {
                        if segments_cross(sa[0], sa[1], sb[0], sb[1]) {
                            count += 1;
                        }
                    }
                }
            }
        }
        count
    }

    /// The lines that pass across a box of their level other than their own two (a frame
    /// they leave or enter counts as their own): (the line's source and target, the box).
    pub fn lines_across_boxes(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for e in &self.edges {
            let scope = self.node(&e.from).and_then(|n| n.parent.clone());
            for n in &self.nodes {
                if n.parent != scope || n.path == e.from || n.path == e.to {
                    continue;
                }
                // a little inside the box: a line may run along its side
                let (x0, y0, x1, y1) = (
                    n.x + 1.0,
                    n.y + 1.0,
                    n.x + n.width - 1.0,
                    n.y + n.height - 1.0,
                );
                let across = e
                    .points
                    .windows(2)
                    .any(|s| segment_meets_box(s[0], s[1], (x0, y0, x1, y1)));
                if across {
                    out.push((e.from.clone(), e.to.clone(), n.path.clone()));
                }
            }
        }
        out
    }

    /// The picture as a self-contained SVG document (no external reference), titled `title`.
    pub fn to_svg(&self, title: &str) -> String {
        svg::render(self, title)
    }
}

/// Whether two segments cross at a point inside both (sharing an end point is not crossing).
fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let close = |p: (f64, f64), q: (f64, f64)| (p.0 - q.0).abs() < 0.5 && (p.1 - q.1).abs() < 0.5;
    if close(a, c) || close(a, d) || close(b, c) || close(b, d) {
        return false;
    }
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        let v = (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
        if v.abs() < 1e-9 {
            0
        } else if v > 0.0 {
            1
        } else {
            -1
        }
    };
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0 && o1 != o2 && o3 != o4
}

/// Whether the segment from `a` to `b` meets the box (left, top, right, bottom), clipped
/// as Liang and Barsky clip.
fn segment_meets_box(a: (f64, f64), b: (f64, f64), (x0, y0, x1, y1): (f64, f64, f64, f64)) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// An SVG of `definition` (its ASL as JSON), titled `title`: [`Diagram::of`] then
/// [`Diagram::to_svg`].
pub fn svg_of(definition: &Json, title: &str) -> Result<String, DiagramError> {
    Ok(Diagram::of(definition)?.to_svg(title))
}

/// A state machine of a synthesized template.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineDefinition {
    /// Its construct path (`Stack/Machine`), else its logical id.
    pub path: String,
    /// Its logical id.
    pub logical_id: String,
    /// Its definition: the `Definition` object, or the parsed `DefinitionString` (a
    /// `Fn::Sub` string's text, its `${...}` left as they are).
    pub definition: Json,
}

/// The state machines of a template, in its order; one whose definition is not JSON the
/// template holds (a `DefinitionS3Location`, a string built with `Fn::Join`) is left out.
pub fn machines_of(template: &Json) -> Vec<MachineDefinition> {
    let Some(resources) = template.get("Resources").and_then(Json::as_object) else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|(_, r)| {
            r.get("Type").and_then(Json::as_str) == Some("AWS::StepFunctions::StateMachine")
        })
        .filter_map(|(id, r)| {
            let properties = r.get("Properties")?;
            let definition = match (
                properties.get("Definition"),
                properties.get("DefinitionString"),
            ) {
                (Some(d), _) if d.is_object() => d.clone(),
                (_, Some(Json::String(text))) => serde_json::from_str(text).ok()?,
                (_, Some(s)) => serde_json::from_str(s.get("Fn::Sub")?.as_str()?).ok()?,
                _ => return None,
            };
            let mut definition = definition;
            if let Some(subs) = properties
                .get("DefinitionSubstitutions")
                .and_then(Json::as_object)
            {
                let values: Vec<(String, String)> = subs
                    .iter()
                    .filter_map(|(k, v)| Some((format!("${{{k}}}"), shown(v, resources)?)))
                    .collect();
                substitute(&mut definition, &values);
            }
            Some(MachineDefinition {
                path: path_of(resources, id),
                logical_id: id.clone(),
                definition,
            })
        })
        .collect()
}

/// A resource's construct path (without `/Resource`), else its logical id.
fn path_of(resources: &serde_json::Map<String, Json>, id: &str) -> String {
    resources
        .get(id)
        .and_then(|r| r.get("Metadata"))
        .and_then(|m| m.get("aws:cdk:path"))
        .and_then(Json::as_str)
        .map(|p| p.strip_suffix("/Resource").unwrap_or(p).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// How a substitution's value is shown in a picture: a string as it is (`${AWS::Partition}`
/// as `aws`), a reference as the name of what it names (its construct id).
fn shown(value: &Json, resources: &serde_json::Map<String, Json>) -> Option<String> {
    let name = |id: &str| {
        let path = path_of(resources, id);
        path.rsplit('/').next().unwrap_or(&path).to_string()
    };
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Object(o) => {
            if let Some(s) = o.get("Fn::Sub").and_then(Json::as_str) {
                Some(s.replace("${AWS::Partition}", "aws"))
            } else if let Some(id) = o.get("Ref").and_then(Json::as_str) {
                Some(name(id))
            } else {
                let id = o.get("Fn::GetAtt")?.get(0)?.as_str()?;
                Some(name(id))
            }
        }
        _ => None,
    }
}

/// Replaces each `${Key}` in the strings of `value`.
fn substitute(value: &mut Json, values: &[(String, String)]) {
    match value {
        Json::String(s) if s.contains("${") => {
            for (key, v) in values {
                if s.contains(key.as_str()) {
                    *s = s.replace(key.as_str(), v);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|v| substitute(v, values)),
        Json::Object(map) => map.values_mut().for_each(|v| substitute(v, values)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: usize) -> Json {
        let mut states = serde_json::Map::new();
        for i in 0..n {
            let next = if i + 1 < n {
                json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
            } else {
                json!({"Type": "Succeed"})
            };
            states.insert(format!("S{i}"), next);
        }
        json!({"StartAt": "S0", "States": states})
    }

    #[test]
    fn segments_and_boxes_meet_where_they_do() {
        assert!(segments_cross(
            (0.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (10.0, 0.0)
        ));
        assert!(!segments_cross(
            (0.0, 0.0),
            (10.0, 0.0),
            (0.0, 5.0),
            (10.0, 5.0)
        ));
        assert!(
            !segments_cross((0.0, 0.0), (5.0, 5.0), (5.0, 5.0), (10.0, 0.0)),
            "a shared end"
        );
        let b = (10.0, 10.0, 20.0, 20.0);
        assert!(segment_meets_box((0.0, 15.0), (30.0, 15.0), b));
        assert!(!segment_meets_box((0.0, 0.0), (30.0, 5.0), b));
        assert!(segment_meets_box((15.0, 0.0), (15.0, 12.0), b));
    }

    #[test]
    fn a_loop_is_drawn_back_up_without_crossing() {
        let d = Diagram::of(&json!({
            "StartAt": "Poll",
            "States": {
                "Poll": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Done?"},
                "Done?": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": true, "Next": "Finish"}], "Default": "Later"},
                "Later": {"Type": "Wait", "Seconds": 5, "Next": "Poll"},
                "Finish": {"Type": "Succeed"}
            }
        }))
        .unwrap();
        let back = d.edges.iter().find(|e| e.from == "Later").unwrap();
        let (from, to) = (d.node("Later").unwrap(), d.node("Poll").unwrap());
        assert!(from.y > to.y, "the wait is below what it goes back to");
        assert!(
            back.points[0].1 <= from.y + 0.01,
            "it leaves the top of its box"
        );
        assert!(
            back.points.last().unwrap().1 >= to.y + to.height - 0.01,
            "it enters the bottom of its target"
        );
        assert_eq!(d.crossings(), 0);
        assert!(
            d.lines_across_boxes().is_empty(),
            "{:?}",
            d.lines_across_boxes()
        );
    }

    #[test]
    fn what_is_not_a_definition_is_an_error_naming_where() {
        let err = |v: Json| Diagram::of(&v).unwrap_err().to_string();
        assert_eq!(err(json!({"States": {}})), "definition: has no StartAt");
        assert_eq!(
            err(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})),
            "A: goes to \"B\", which is not a state of its level"
        );
        assert_eq!(
            err(
                json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Nope"}}}]}}})
            ),
            "P/1/X: has the unknown Type \"Nope\""
        );
    }

    #[test]
    fn hostile_definitions_are_bounded() {
        // nesting past the bound is refused, not recursed into
        let mut d = json!({"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}});
        for _ in 0..40 {
            d = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": d}}});
        }
        assert!(Diagram::of(&d)
            .unwrap_err()
            .message
            .contains("nested more than 32 deep"));
        assert!(Diagram::of(&chain(build::MAX_STATES + 1))
            .unwrap_err()
            .message
            .contains("more than 20000 states"));
        // a name is text in the picture, never markup
        let svg = svg_of(
            &json!({"StartAt": "<script>alert(1)</script>", "States": {"<script>alert(1)</script>": {"Type": "Succeed"}}}),
            "t\"&",
        )
        .unwrap();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("aria-label=\"t&quot;&amp;\""));
    }

    #[test]
    fn far_transitions_are_jumps_to_a_label_naming_their_target() {
        // every task of a long machine caught by one handler: the lines that would span the
        // machine end at a label under their task instead
        let mut states = serde_json::Map::new();
        for i in 0..300 {
            let next = if i + 1 < 300 {
                format!("S{}", i + 1)
            } else {
                "Handler".into()
            };
            states.insert(
                format!("S{i}"),
                json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": next,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}),
            );
        }
        states.insert("Handler".into(), json!({"Type": "Fail"}));
        let d = Diagram::of(&json!({"StartAt": "S0", "States": states})).unwrap();
        let catches: Vec<&Edge> = d
            .edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Catch)
            .collect();
        assert_eq!(catches.len(), 300);
        let jumps: Vec<&&Edge> = catches.iter().filter(|e| e.jump).collect();
        // the last six tasks are near enough to draw their line whole
        assert_eq!(jumps.len(), 300 - 6, "{}", catches.len());
        assert_eq!(
            jumps[0].label.as_deref(),
            Some("catch States.ALL ↓ Handler")
        );
        assert_eq!(jumps[0].points.len(), 2);
        assert_eq!(d.crossings(), 0);
        assert!(d.lines_across_boxes().is_empty());
    }

    #[test]
    fn a_long_chain_stays_one_column() {
        let d = Diagram::of(&chain(200)).unwrap();
        let xs: std::collections::BTreeSet<i64> = d
            .nodes
            .iter()
            .filter(|n| n.kind.is_state())
            .map(|n| (n.x + n.width / 2.0).round() as i64)
            .collect();
        assert_eq!(xs.len(), 1, "{xs:?}");
    }
}
