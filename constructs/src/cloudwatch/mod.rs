//! CloudWatch: metrics (the constructs hand out their own), alarms on them (notifying SNS
//! topics), composite alarms over alarms, and dashboards of typed metric widgets, rendered to
//! the `DashboardBody` JSON.

mod alarm;
mod composite;
mod metric;

use indexmap::IndexMap;

use crate::core::error::Problem;
use crate::core::names;
use crate::core::stack::Stack;
use crate::core::token::{Aws, Pseudo, ResourceRef, Token};
use crate::core::value::Value;

pub use alarm::{
    check_alarm_name, Alarm, AlarmProps, AlarmState, CfnAlarm, ComparisonOperator,
    TreatMissingData, MAX_ACTIONS, MAX_RANGE, MAX_RANGE_SHORT_PERIODS,
};
pub use composite::{
    composite_limits, AlarmRef, AlarmRule, AtLeast, CfnCompositeAlarm, CompositeAlarm,
    CompositeAlarmProps,
};
pub use metric::{Metric, Statistic, MAX_DIMENSIONS};

use metric::Usage;

pub use crate::l1::cloudwatch::CfnDashboard;

/// How a metric widget draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricView {
    /// Lines over time.
    #[default]
    TimeSeries,
    /// The latest value, as a number.
    SingleValue,
    /// Bars.
    Bar,
}

/// One widget of a dashboard.
#[derive(Debug, Clone, PartialEq)]
pub enum Widget {
    /// A graph (or single value) of metrics.
    Metric {
        /// The widget's title.
        title: String,
        /// The metrics drawn.
        metrics: Vec<Metric>,
        /// How they are drawn.
        view: MetricView,
        /// Whether lines stack.
        stacked: bool,
        /// Grid units, 1 to 24.
        width: u32,
        /// Grid units.
        height: u32,
    },
    /// Markdown text.
    Text {
        /// The text.
        markdown: String,
        /// Grid units, 1 to 24.
        width: u32,
        /// Grid units.
        height: u32,
    },
}

impl Widget {
    /// A 12 x 6 time-series graph.
    pub fn graph(title: impl Into<String>, metrics: Vec<Metric>) -> Self {
        Widget::Metric {
            title: title.into(),
            metrics,
            view: MetricView::TimeSeries,
            stacked: false,
            width: 12,
            height: 6,
        }
    }

    /// A 6 x 3 single-value widget.
    pub fn single_value(title: impl Into<String>, metrics: Vec<Metric>) -> Self {
        Widget::Metric {
            title: title.into(),
            metrics,
            view: MetricView::SingleValue,
            stacked: false,
            width: 6,
            height: 3,
        }
    }

    /// A full-width text widget.
    pub fn text(markdown: impl Into<String>) -> Self {
        Widget::Text {
            markdown: markdown.into(),
            width: 24,
            height: 2,
        }
    }

    fn size(&self) -> (u32, u32) {
        match self {
            Widget::Metric { width, height, .. } | Widget::Text { width, height, .. } => {
                (*width, *height)
            }
        }
    }

    fn render(&self, x: u32, y: u32) -> Value {
        let (width, height) = self.size();
        let base = Value::object()
            .with("x", x)
            .with("y", y)
            .with("width", width)
            .with("height", height);
        match self {
            Widget::Metric {
                title,
                metrics,
                view,
                stacked,
                ..
            } => base.with("type", "metric").with(
                "properties",
                Value::object()
                    .with(
                        "view",
                        match view {
                            MetricView::TimeSeries => "timeSeries",
                            MetricView::SingleValue => "singleValue",
                            MetricView::Bar => "bar",
                        },
                    )
                    .with("stacked", *stacked)
                    .with(
                        "metrics",
                        Value::Array(metrics.iter().map(Metric::render).collect()),
                    )
                    .with("region", Aws::region())
                    .with("title", title.as_str()),
            ),
            Widget::Text { markdown, .. } => base.with("type", "text").with(
                "properties",
                Value::object().with("markdown", markdown.as_str()),
            ),
        }
    }
}

/// Turns a value with tokens into one `Fn::Sub` over its JSON text: pseudo parameters stay
/// `${AWS::Region}`, other tokens become `${Token0}`... variables, and a literal `${` is
/// escaped as `${!`.
pub fn json_sub(value: &Value) -> Value {
    fn walk(v: &Value, vars: &mut IndexMap<String, Value>) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.replace("${", "${!")),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(|i| walk(i, vars)).collect())
            }
            Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| (k.replace("${", "${!"), walk(v, vars)))
                    .collect(),
            ),
            Value::Token(t) => {
                if let Token::Pseudo(p) = **t {
                    if p != Pseudo::NoValue {
                        return serde_json::Value::String(format!("${{{}}}", p.name()));
                    }
                }
                let existing = vars
                    .iter()
                    .find(|(_, value)| *value == v)
                    .map(|(k, _)| k.clone());
                let name = existing.unwrap_or_else(|| {
                    let name = format!("Token{}", vars.len());
                    vars.insert(name.clone(), v.clone());
                    name
                });
                serde_json::Value::String(format!("${{{name}}}"))
            }
        }
    }
    let mut vars = IndexMap::new();
    let json = walk(value, &mut vars);
    let text = serde_json::to_string(&json).unwrap_or_default();
    if vars.is_empty() && !text.contains("${") {
        return Value::String(text);
    }
    Token::Sub {
        template: text,
        variables: vars,
    }
    .into()
}

/// Settings of a [`Dashboard`]: `DashboardProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DashboardProps {
    /// The dashboard's name (`DashboardName`); default: a name CloudFormation makes up.
    pub name: Option<String>,
    /// Rows of widgets; each row starts at the left edge.
    pub rows: Vec<Vec<Widget>>,
}

impl DashboardProps {
    /// An empty dashboard with a generated name.
    pub fn new() -> Self {
        Self::default()
    }
    /// The dashboard's name (`DashboardName`); one CloudWatch refuses is reported at synth.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Adds a row of widgets below the others; widgets past the grid's 24 units wrap.
    pub fn row(mut self, widgets: Vec<Widget>) -> Self {
        self.rows.push(widgets);
        self
    }
}

/// A CloudWatch dashboard.
///
/// # Examples
///
/// ```
/// use constructs::cloudwatch::{Dashboard, DashboardProps, Metric, Statistic, Widget};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Ops");
/// let latency = Metric::new("Orders", "Latency").statistic(Statistic::Average);
/// let errors = Metric::new("Orders", "Errors");
/// let row = vec![Widget::graph("Latency", vec![latency]), Widget::graph("Errors", vec![errors])];
/// Dashboard::new(&mut stack, "Orders", DashboardProps::new().name("orders").row(row));
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::CloudWatch::Dashboard", json!({"DashboardName": "orders"}));
/// // `DashboardBody` is the dashboard's JSON, the region substituted by CloudFormation
/// let dashboard = &template.find_resources("AWS::CloudWatch::Dashboard", json!({}))[0];
/// let body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"].as_str().unwrap();
/// let body: serde_json::Value = serde_json::from_str(body).unwrap();
/// // two 12-unit graphs side by side on the 24-unit grid
/// assert_eq!((&body["widgets"][0]["x"], &body["widgets"][1]["x"]), (&json!(0), &json!(12)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    resource: ResourceRef,
}

impl Dashboard {
    /// Lays the rows out on the 24-unit grid; a widget or metric CloudWatch would refuse is
    /// reported at synth, on `DashboardBody`.
    pub fn new(stack: &mut Stack, id: &str, props: DashboardProps) -> Dashboard {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(name) = &props.name {
            if let Err(e) = names::check_name("dashboard name", name, 1, 255, "_-") {
                stack.add_problem(Problem::new(&path, e.to_string()).property("DashboardName"));
            }
        }
        let mut widgets = Vec::new();
        let mut y = 0;
        for row in &props.rows {
            let (mut x, mut row_height) = (0, 0);
            for widget in row {
                let (w, h) = widget.size();
                if w == 0 || w > 24 {
                    stack.add_problem(
                        Problem::new(&path, format!("a widget is {w} units wide; the grid is 24"))
                            .property("DashboardBody"),
                    );
                }
                if let Widget::Metric { title, metrics, .. } = widget {
                    for metric in metrics {
                        for (_, message) in metric.problems(Usage::Dashboard) {
                            stack.add_problem(
                                Problem::new(&path, format!("widget \"{title}\": {message}"))
                                    .property("DashboardBody"),
                            );
                        }
                    }
                }
                if x + w > 24 {
                    x = 0;
                    y += row_height;
                    row_height = 0;
                }
                widgets.push(widget.render(x, y));
                x += w;
                row_height = row_height.max(h);
            }
            y += row_height;
        }
        let body = Value::object().with("widgets", Value::Array(widgets));
        let dashboard = CfnDashboard::new(json_sub(&body)).dashboard_name(props.name);
        Dashboard {
            resource: stack.add(&format!("{id}/Resource"), &dashboard),
        }
    }

    /// The `AWS::CloudWatch::Dashboard`.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The dashboard's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }
}
