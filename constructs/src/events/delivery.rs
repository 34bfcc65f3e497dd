//! What a rule's target and a schedule's target share, EventBridge and its Scheduler setting the
//! same limits: how failed deliveries are retried and where they go last, and the description
//! check of a bus, a rule and a schedule.

use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::value::Value;
use crate::sqs::Queue;

use super::limits;

/// How failed deliveries to a target are retried and where they go last (`RetryPolicy` and
/// `DeadLetterConfig`), for a rule's target and a schedule's alike.
#[derive(Debug, Clone, Default)]
pub(crate) struct RetryPolicy {
    /// `DeadLetterConfig.Arn`: a standard queue.
    pub(crate) dead_letter_queue: Option<Queue>,
    /// `RetryPolicy.MaximumRetryAttempts`.
    pub(crate) max_retry_attempts: Option<u32>,
    /// `RetryPolicy.MaximumEventAgeInSeconds`.
    pub(crate) max_event_age_seconds: Option<u32>,
}

impl RetryPolicy {
    /// Reports on `path` what `service` (`EventBridge`, `the Scheduler`) would refuse, each
    /// under the target's property `at` (`Targets[0]`, `Target`): a count or an age out of
    /// range, a FIFO dead-letter queue.
    pub(crate) fn check(&self, stack: &mut Stack, path: &str, at: &str, service: &str) {
        for (what, value, ok) in [
            (
                "MaximumRetryAttempts",
                self.max_retry_attempts,
                limits::RETRY_ATTEMPTS,
            ),
            (
                "MaximumEventAgeInSeconds",
                self.max_event_age_seconds,
                limits::EVENT_AGE_SECONDS,
            ),
        ] {
            if let Some(v) = value.filter(|v| !ok.contains(v)) {
                stack.add_problem(
                    Problem::new(
                        path,
                        format!("{v} is outside {service}'s {} to {}", ok.start(), ok.end()),
                    )
                    .property(format!("{at}.RetryPolicy.{what}")),
                );
            }
        }
        if self.dead_letter_queue.as_ref().is_some_and(Queue::is_fifo) {
            stack.add_problem(
                Problem::new(
                    path,
                    format!("{service}'s dead-letter queue must be a standard queue, not FIFO"),
                )
                .property(format!("{at}.DeadLetterConfig")),
            );
        }
    }

    /// The target's `RetryPolicy`, when a count or an age was set.
    pub(crate) fn retry_policy(&self) -> Option<Value> {
        (self.max_retry_attempts.is_some() || self.max_event_age_seconds.is_some()).then(|| {
            Value::object()
                .with("MaximumEventAgeInSeconds", self.max_event_age_seconds)
                .with("MaximumRetryAttempts", self.max_retry_attempts)
        })
    }

    /// The target's `DeadLetterConfig`, when a dead-letter queue was set.
    pub(crate) fn dead_letter_config(&self) -> Option<Value> {
        self.dead_letter_queue
            .as_ref()
            .map(|q| Value::object().with("Arn", q.arn()))
    }
}

/// Reports on `path`, property `Description`, a description longer than `service`
/// (`EventBridge`, `the Scheduler`) takes.
pub(crate) fn check_description(
    stack: &mut Stack,
    path: &str,
    description: Option<&str>,
    service: &str,
) {
    let n = description.map_or(0, |d| d.chars().count());
    if n > limits::MAX_DESCRIPTION {
        stack.add_problem(
            Problem::new(
                path,
                format!(
                    "the description has {n} characters; {service} takes at most {}",
                    limits::MAX_DESCRIPTION
                ),
            )
            .property("Description"),
        );
    }
}
