//! A REST API's metrics for one of its stages: namespace `AWS/ApiGateway`, dimensions
//! `ApiName` and `Stage`.

use crate::cloudwatch::{Metric, Statistic};
use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::value::Value;

use super::{RestApi, Stage};

/// The namespace API Gateway publishes in.
const NAMESPACE: &str = "AWS/ApiGateway";

/// The `ApiName` dimension API Gateway publishes for an API named `name`: the name without
/// its non-ASCII characters, or the API's id when nothing is left.
fn api_name_dimension(name: &Value, api_id: Value) -> Value {
    match name.as_str() {
        Some(literal) => {
            let ascii: String = literal.chars().filter(char::is_ascii).collect();
            if ascii.is_empty() {
                api_id
            } else {
                Value::String(ascii)
            }
        }
        None => name.clone(),
    }
}

impl RestApi {
    /// One of the API's metrics on `stage`, summed. The API's name is read from `stack`,
    /// where a stage of another API, or an API not in `stack`, is reported.
    fn metric(&self, stack: &mut Stack, stage: &Stage, metric_name: &str) -> Metric {
        let api_path = self.resource().path().to_string();
        let name = stack
            .resource(self.resource())
            .and_then(|r| r.properties.get_path("Name"))
            .cloned();
        let name = match name {
            Some(name) => api_name_dimension(&name, self.api_id()),
            None => {
                stack.add_problem(Problem::new(
                    &api_path,
                    format!(
                        "metric {metric_name}: the API is not in stack {}; pass the stack that holds it",
                        stack.name()
                    ),
                ));
                self.api_id()
            }
        };
        let stage_api = stack
            .resource(stage.resource())
            .and_then(|r| r.properties.get_path("RestApiId"))
            .cloned();
        let stage_problem = match stage_api {
            Some(api) if api == self.api_id() => None,
            Some(_) => Some("is a stage of another API".to_string()),
            None => Some(format!("is not in stack {}", stack.name())),
        };
        if let Some(problem) = stage_problem {
            stack.add_problem(Problem::new(
                &api_path,
                format!(
                    "metric {metric_name}: stage {} ({}) {problem}",
                    stage.name(),
                    stage.resource().path()
                ),
            ));
        }
        Metric::new(NAMESPACE, metric_name)
            .dimension("ApiName", name)
            .dimension("Stage", stage.name())
    }

    /// Requests answered with a 5XX (`5XXError`, summed; averaged, the rate).
    pub fn metric_5xx(&self, stack: &mut Stack, stage: &Stage) -> Metric {
        self.metric(stack, stage, "5XXError")
    }

    /// Requests answered with a 4XX (`4XXError`, summed; averaged, the rate).
    pub fn metric_4xx(&self, stack: &mut Stack, stage: &Stage) -> Metric {
        self.metric(stack, stage, "4XXError")
    }

    /// Requests received (`Count`, summed).
    pub fn metric_count(&self, stack: &mut Stack, stage: &Stage) -> Metric {
        self.metric(stack, stage, "Count")
    }

    /// Milliseconds from receiving a request to answering it (`Latency`, averaged).
    pub fn metric_latency(&self, stack: &mut Stack, stage: &Stage) -> Metric {
        self.metric(stack, stage, "Latency")
            .statistic(Statistic::Average)
    }

    /// Milliseconds the integration took to answer (`IntegrationLatency`, averaged).
    pub fn metric_integration_latency(&self, stack: &mut Stack, stage: &Stage) -> Metric {
        self.metric(stack, stage, "IntegrationLatency")
            .statistic(Statistic::Average)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_name_dimension_drops_non_ascii_characters() {
        let id = || Value::from("the-id");
        assert_eq!(
            api_name_dimension(&"Café API".into(), id()),
            Value::from("Caf API")
        );
        assert_eq!(api_name_dimension(&"カフェ".into(), id()), id());
        assert_eq!(api_name_dimension(&"plain".into(), id()), "plain".into());
    }
}
