//! Metrics: what CloudWatch identifies a time series by (namespace, name, dimensions) and how
//! its data points are aggregated (statistic, period), checked against CloudWatch's limits.
//!
//! The constructs hand out their own metrics (`machine.metric_failed()`,
//! `function.metric_errors()`, ...) with the namespace, name and dimensions their service
//! publishes; [`Metric::new`] remains for custom metrics.

use std::collections::HashSet;
use std::fmt;

use crate::core::error::InvalidValue;
use crate::core::value::Value;

/// The most dimensions one metric may have.
pub const MAX_DIMENSIONS: usize = 30;

/// How a metric's data points are aggregated over each period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// The total of the values (counts: errors, invocations).
    Sum,
    /// The mean of the values (times: latency, duration).
    Average,
    /// The lowest value.
    Minimum,
    /// The highest value (gauges: concurrent executions).
    Maximum,
    /// The number of data points.
    SampleCount,
    /// A percentile from 0 to 100, with at most two decimals: `Percentile(99.0)` is `p99`.
    Percentile(f64),
}

impl Statistic {
    /// Whether CloudWatch accepts the statistic: a percentile must lie in 0..=100 (the
    /// error's bounds) and have at most two decimals.
    pub fn check(&self) -> Result<(), InvalidValue> {
        let Statistic::Percentile(p) = *self else {
            return Ok(());
        };
        if !p.is_finite() || !(0.0..=100.0).contains(&p) {
            return Err(InvalidValue::new(
                "percentile",
                p.to_string(),
                format!("percentile {p} is outside 0..=100"),
            )
            .outside(0.0..=100.0));
        }
        let hundredths = p * 100.0;
        if (hundredths - hundredths.round()).abs() > 1e-6 {
            return Err(InvalidValue::new(
                "percentile",
                p.to_string(),
                format!(
                    "percentile {p} has more than two decimals; CloudWatch accepts p0 to p100 in steps of 0.01"
                ),
            ));
        }
        Ok(())
    }

    /// Whether this is a percentile, which an alarm takes as `ExtendedStatistic`.
    pub fn is_percentile(&self) -> bool {
        matches!(self, Statistic::Percentile(_))
    }
}

/// CloudWatch's spelling: `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount`, `p99`,
/// `p99.9`.
impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Sum => f.write_str("Sum"),
            Statistic::Average => f.write_str("Average"),
            Statistic::Minimum => f.write_str("Minimum"),
            Statistic::Maximum => f.write_str("Maximum"),
            Statistic::SampleCount => f.write_str("SampleCount"),
            Statistic::Percentile(p) => write!(f, "p{p}"),
        }
    }
}

/// A metric: namespace, name, dimensions (values may be tokens) and how to aggregate it.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// `AWS/Lambda`, `AWS/States`, ... or a custom namespace; 1 to 255 characters.
    pub namespace: String,
    /// The metric's name within its namespace; 1 to 255 characters.
    pub metric_name: String,
    /// The dimensions, in order; names unique, at most [`MAX_DIMENSIONS`].
    pub dimensions: Vec<(String, Value)>,
    /// Default [`Statistic::Sum`].
    pub statistic: Statistic,
    /// Default 300 seconds.
    pub period_seconds: u32,
    /// The legend of the metric on a dashboard.
    pub label: Option<String>,
}

/// Where a metric is used: dashboards and alarms accept different periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Usage {
    Dashboard,
    Alarm,
}

impl Metric {
    /// A metric of any namespace, summed over 5 minutes; prefer the constructs' own
    /// (`function.metric_errors()`), whose names and dimensions are those AWS publishes.
    pub fn new(namespace: impl Into<String>, metric_name: impl Into<String>) -> Self {
        Metric {
            namespace: namespace.into(),
            metric_name: metric_name.into(),
            dimensions: Vec::new(),
            statistic: Statistic::Sum,
            period_seconds: 300,
            label: None,
        }
    }

    /// A metric as its service publishes it, with its default statistic (the generated
    /// metrics of the L1 layer: `l1::sqs::queue::metrics::Queue::new(name).approximate_age_of_oldest_message()`).
    pub fn published(
        namespace: &str,
        metric_name: &str,
        statistic: Statistic,
        dimensions: &[(&'static str, Value)],
    ) -> Self {
        Metric {
            namespace: namespace.to_string(),
            metric_name: metric_name.to_string(),
            dimensions: dimensions
                .iter()
                .map(|(n, v)| ((*n).to_string(), v.clone()))
                .collect(),
            statistic,
            period_seconds: 300,
            label: None,
        }
    }

    /// Adds a dimension (`FunctionName` = the function's name).
    pub fn dimension(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.dimensions.push((name.into(), value.into()));
        self
    }

    /// Aggregates with another statistic.
    pub fn statistic(mut self, statistic: Statistic) -> Self {
        self.statistic = statistic;
        self
    }

    /// Aggregates over periods of `seconds`.
    pub fn period_seconds(mut self, seconds: u32) -> Self {
        self.period_seconds = seconds;
        self
    }

    /// Labels the metric on dashboards.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The value of a dimension, when the metric has it.
    pub fn dimension_value(&self, name: &str) -> Option<&Value> {
        self.dimensions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// What CloudWatch would refuse in this metric, where it is used: (the alarm property
    /// concerned, message).
    pub(crate) fn problems(&self, usage: Usage) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut text = |property: &'static str, value: &str, what: &str| {
            let len = value.chars().count();
            if !(1..=255).contains(&len) {
                out.push((
                    property,
                    format!("{what} \"{value}\" must be 1 to 255 characters long (it has {len})"),
                ));
            }
        };
        text("Namespace", &self.namespace, "metric namespace");
        text("MetricName", &self.metric_name, "metric name");
        if self.namespace.starts_with(':') {
            out.push((
                "Namespace",
                format!(
                    "metric namespace \"{}\" must not start with ':'",
                    self.namespace
                ),
            ));
        }
        if self.dimensions.len() > MAX_DIMENSIONS {
            out.push((
                "Dimensions",
                format!(
                    "metric {} has {} dimensions; CloudWatch allows {MAX_DIMENSIONS}",
                    self.metric_name,
                    self.dimensions.len()
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (name, value) in &self.dimensions {
            let len = name.chars().count();
            if !(1..=255).contains(&len) {
                out.push((
                    "Dimensions",
                    format!(
                        "dimension name \"{name}\" must be 1 to 255 characters long (it has {len})"
                    ),
                ));
            }
            if !seen.insert(name.as_str()) {
                out.push((
                    "Dimensions",
                    format!("metric {} has the dimension {name} twice", self.metric_name),
                ));
            }
            if let Some(v) = value.as_str() {
                let len = v.chars().count();
                if !(1..=1024).contains(&len) {
                    out.push((
                        "Dimensions",
                        format!("the value of dimension {name} must be 1 to 1024 characters long (it has {len})"),
                    ));
                }
            }
        }
        if let Err(e) = self.statistic.check() {
            let property = if self.statistic.is_percentile() {
                "ExtendedStatistic"
            } else {
                "Statistic"
            };
            out.push((property, e.to_string()));
        }
        let p = self.period_seconds;
        let period_ok = match usage {
            Usage::Dashboard => matches!(p, 1 | 5 | 10 | 30) || (p > 0 && p % 60 == 0),
            Usage::Alarm => matches!(p, 10 | 20 | 30) || (p > 0 && p % 60 == 0),
        };
        if !period_ok {
            let allowed = match usage {
                Usage::Dashboard => "1, 5, 10, 30 or a multiple of 60",
                Usage::Alarm => "10, 20, 30 or a multiple of 60",
            };
            out.push((
                "Period",
                format!(
                    "metric {} has a period of {p} s; {} takes {allowed}",
                    self.metric_name,
                    match usage {
                        Usage::Dashboard => "a dashboard",
                        Usage::Alarm => "an alarm",
                    }
                ),
            ));
        }
        out
    }

    /// The metric as a row of a dashboard widget's `metrics`.
    pub(crate) fn render(&self) -> Value {
        let mut row: Vec<Value> = vec![
            self.namespace.as_str().into(),
            self.metric_name.as_str().into(),
        ];
        for (name, value) in &self.dimensions {
            row.push(name.as_str().into());
            row.push(value.clone());
        }
        let mut options = Value::object()
            .with("stat", self.statistic.to_string())
            .with("period", self.period_seconds);
        if let Some(l) = &self.label {
            options = options.with("label", l.as_str());
        }
        row.push(options);
        Value::Array(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_render_as_cloudwatch_spells_them() {
        let rendered: Vec<String> = [
            Statistic::Sum,
            Statistic::Average,
            Statistic::Minimum,
            Statistic::Maximum,
            Statistic::SampleCount,
            Statistic::Percentile(99.0),
            Statistic::Percentile(99.9),
            Statistic::Percentile(0.0),
            Statistic::Percentile(100.0),
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            rendered,
            [
                "Sum",
                "Average",
                "Minimum",
                "Maximum",
                "SampleCount",
                "p99",
                "p99.9",
                "p0",
                "p100"
            ]
        );
    }

    #[test]
    fn percentiles_are_checked() {
        assert!(Statistic::Percentile(99.99).check().is_ok());
        assert!(Statistic::Percentile(100.5).check().is_err());
        assert!(Statistic::Percentile(-1.0).check().is_err());
        assert!(Statistic::Percentile(f64::NAN).check().is_err());
        let e = Statistic::Percentile(99.999).check().unwrap_err();
        assert!(e.message.contains("two decimals"), "{e}");
        assert_eq!(e.bounds, None);
        let e = Statistic::Percentile(100.5).check().unwrap_err();
        assert_eq!(e.to_string(), "percentile 100.5 is outside 0..=100");
        assert_eq!((e.value.as_str(), e.bounds), ("100.5", Some(0.0..=100.0)));
    }

    #[test]
    fn periods_depend_on_the_use() {
        let at = |p: u32, usage: Usage| {
            Metric::new("N", "M")
                .period_seconds(p)
                .problems(usage)
                .is_empty()
        };
        for p in [1, 5, 10, 30, 60, 300] {
            assert!(at(p, Usage::Dashboard), "{p}");
        }
        for p in [10, 20, 30, 60, 3600] {
            assert!(at(p, Usage::Alarm), "{p}");
        }
        assert!(!at(20, Usage::Dashboard));
        assert!(!at(1, Usage::Alarm));
        assert!(!at(0, Usage::Alarm));
        assert!(!at(90, Usage::Alarm));
    }

    #[test]
    fn names_and_dimensions_are_checked() {
        let m = Metric::new("", ":x".repeat(200))
            .dimension("A", "")
            .dimension("A", "v");
        let problems = m.problems(Usage::Alarm);
        let properties: Vec<&str> = problems.iter().map(|(p, _)| *p).collect();
        assert_eq!(
            properties,
            ["Namespace", "MetricName", "Dimensions", "Dimensions"],
            "{problems:?}"
        );
    }
}
