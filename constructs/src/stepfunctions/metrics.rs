//! A state machine's execution metrics: namespace `AWS/States`, dimension `StateMachineArn`,
//! as the generated L1 layer has them from the AWS CDK's service spec.

use crate::cloudwatch::Metric;
use crate::l1::stepfunctions::state_machine::metrics::StateMachine as MachineMetrics;

use super::StateMachine;

impl StateMachine {
    /// Every metric Step Functions publishes by the machine's ARN (`StateMachineArn`), each
    /// with its default statistic.
    pub fn metrics(&self) -> MachineMetrics {
        MachineMetrics::new(self.arn())
    }

    /// Executions that failed (`ExecutionsFailed`, summed).
    pub fn metric_failed(&self) -> Metric {
        self.metrics().executions_failed()
    }

    /// Executions that completed successfully (`ExecutionsSucceeded`, summed).
    pub fn metric_succeeded(&self) -> Metric {
        self.metrics().executions_succeeded()
    }

    /// Executions started (`ExecutionsStarted`, summed).
    pub fn metric_started(&self) -> Metric {
        self.metrics().executions_started()
    }

    /// Executions that timed out (`ExecutionsTimedOut`, summed).
    pub fn metric_timed_out(&self) -> Metric {
        self.metrics().executions_timed_out()
    }

    /// Executions aborted or terminated (`ExecutionsAborted`, summed).
    pub fn metric_aborted(&self) -> Metric {
        self.metrics().executions_aborted()
    }

    /// State transitions and retries throttled (`ExecutionThrottled`, summed).
    pub fn metric_throttled(&self) -> Metric {
        self.metrics().execution_throttled()
    }

    /// Milliseconds from an execution's start to its close (`ExecutionTime`, averaged).
    pub fn metric_time(&self) -> Metric {
        self.metrics().execution_time()
    }
}
