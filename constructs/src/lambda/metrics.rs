//! A function's metrics: namespace `AWS/Lambda`, dimension `FunctionName` (every version
//! and alias of the function together), as the generated L1 layer has them from the AWS CDK's
//! service spec.

use crate::cloudwatch::Metric;
use crate::l1::lambda::function::metrics::Function as FunctionMetrics;

use super::Function;

impl Function {
    /// Every metric Lambda publishes by the function's name (`FunctionName`), each with its
    /// default statistic: `function.metrics().iterator_age()`.
    pub fn metrics(&self) -> FunctionMetrics {
        FunctionMetrics::new(self.name())
    }

    /// Invocations that ended in a function error (`Errors`, summed).
    pub fn metric_errors(&self) -> Metric {
        self.metrics().errors()
    }

    /// Invocations, successful or not, throttled ones aside (`Invocations`, summed).
    pub fn metric_invocations(&self) -> Metric {
        self.metrics().invocations()
    }

    /// Invocation requests throttled (`Throttles`, summed).
    pub fn metric_throttles(&self) -> Metric {
        self.metrics().throttles()
    }

    /// Milliseconds the function's code ran per invocation (`Duration`, averaged; for the
    /// tail, `.statistic(Statistic::Percentile(99.0))`).
    pub fn metric_duration(&self) -> Metric {
        self.metrics().duration()
    }

    /// Instances processing events at once (`ConcurrentExecutions`, maximum).
    pub fn metric_concurrent_executions(&self) -> Metric {
        self.metrics().concurrent_executions()
    }
}
