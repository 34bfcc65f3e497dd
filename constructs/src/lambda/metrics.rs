//! A function's metrics: namespace `AWS/Lambda`, dimension `FunctionName` (every version
//! and alias of the function together).

use crate::cloudwatch::{Metric, Statistic};

use super::Function;

/// The namespace Lambda publishes in.
const NAMESPACE: &str = "AWS/Lambda";

impl Function {
    /// One of the function's metrics, summed.
    fn metric(&self, metric_name: &str) -> Metric {
        Metric::new(NAMESPACE, metric_name).dimension("FunctionName", self.name())
    }

    /// Invocations that ended in a function error (`Errors`, summed).
    pub fn metric_errors(&self) -> Metric {
        self.metric("Errors")
    }

    /// Invocations, successful or not, throttled ones aside (`Invocations`, summed).
    pub fn metric_invocations(&self) -> Metric {
        self.metric("Invocations")
    }

    /// Invocation requests throttled (`Throttles`, summed).
    pub fn metric_throttles(&self) -> Metric {
        self.metric("Throttles")
    }

    /// Milliseconds the function's code ran per invocation (`Duration`, averaged; for the
    /// tail, `.statistic(Statistic::Percentile(99.0))`).
    pub fn metric_duration(&self) -> Metric {
        self.metric("Duration").statistic(Statistic::Average)
    }

    /// Instances processing events at once (`ConcurrentExecutions`, maximum).
    pub fn metric_concurrent_executions(&self) -> Metric {
        self.metric("ConcurrentExecutions")
            .statistic(Statistic::Maximum)
    }
}
