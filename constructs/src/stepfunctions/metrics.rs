//! A state machine's execution metrics: namespace `AWS/States`, dimension `StateMachineArn`.

use crate::cloudwatch::{Metric, Statistic};

use super::StateMachine;

/// The namespace Step Functions publishes in.
const NAMESPACE: &str = "AWS/States";

impl StateMachine {
    /// One of the machine's execution metrics, summed.
    fn metric(&self, metric_name: &str) -> Metric {
        Metric::new(NAMESPACE, metric_name).dimension("StateMachineArn", self.arn())
    }

    /// Executions that failed (`ExecutionsFailed`, summed).
    pub fn metric_failed(&self) -> Metric {
        self.metric("ExecutionsFailed")
    }

    /// Executions that completed successfully (`ExecutionsSucceeded`, summed).
    pub fn metric_succeeded(&self) -> Metric {
        self.metric("ExecutionsSucceeded")
    }

    /// Executions started (`ExecutionsStarted`, summed).
    pub fn metric_started(&self) -> Metric {
        self.metric("ExecutionsStarted")
    }

    /// Executions that timed out (`ExecutionsTimedOut`, summed).
    pub fn metric_timed_out(&self) -> Metric {
        self.metric("ExecutionsTimedOut")
    }

    /// Executions aborted or terminated (`ExecutionsAborted`, summed).
    pub fn metric_aborted(&self) -> Metric {
        self.metric("ExecutionsAborted")
    }

    /// State transitions and retries throttled (`ExecutionThrottled`, summed).
    pub fn metric_throttled(&self) -> Metric {
        self.metric("ExecutionThrottled")
    }

    /// Milliseconds from an execution's start to its close (`ExecutionTime`, averaged).
    pub fn metric_time(&self) -> Metric {
        self.metric("ExecutionTime").statistic(Statistic::Average)
    }
}
