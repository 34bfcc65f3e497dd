//! Event sources: an `AWS::Lambda::EventSourceMapping` from an SQS queue or a DynamoDB stream,
//! with the rights Lambda's poller uses given to the function's role (and the mapping created
//! after them), the stream turned on when the table has none, and Lambda's limits checked at
//! synth.

use std::ops::RangeInclusive;

use serde_json::Value as Json;

use crate::core::error::Problem;
use crate::core::path::short_hash;
use crate::core::resource::CfnResource;
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;
use crate::dynamodb::{StreamViewType, Table};
use crate::sns::Topic;
use crate::sqs::Queue;

use super::cfn::StartingPosition;
use super::Function;
use crate::l1::lambda::event_source_mapping::{
    DestinationConfig, Filter, FilterCriteria, FunctionResponseType, OnFailure, ScalingConfig,
};
use crate::l1::lambda::CfnEventSourceMapping;

/// The limits Lambda sets on event source mappings (`CreateEventSourceMapping`, and the
/// parameter pages of the SQS and DynamoDB sources).
pub mod limits {
    use std::ops::RangeInclusive;

    /// `BatchSize`: 1 to 10,000 records.
    pub const BATCH_SIZE: RangeInclusive<u32> = 1..=10_000;
    /// `BatchSize` of a FIFO queue: at most 10 messages.
    pub const MAX_FIFO_BATCH_SIZE: u32 = 10;
    /// A standard queue's batch larger than this needs a batching window of at least 1 s.
    pub const MAX_BATCH_WITHOUT_WINDOW: u32 = 10;
    /// `MaximumBatchingWindowInSeconds`: 0 to 300 s.
    pub const MAX_BATCHING_WINDOW: u32 = 300;
    /// `ScalingConfig.MaximumConcurrency`: 2 to 1,000 invocations.
    pub const MAX_CONCURRENCY: RangeInclusive<u32> = 2..=1_000;
    /// Filters of a mapping under the default quota.
    pub const DEFAULT_MAX_FILTERS: usize = 5;
    /// Filters of a mapping when the quota is raised as far as Lambda allows.
    pub const MAX_FILTERS: usize = 10;
    /// `MaximumRetryAttempts`: -1 (until the record expires) to 10,000.
    pub const RETRY_ATTEMPTS: RangeInclusive<i32> = -1..=10_000;
    /// `MaximumRecordAgeInSeconds`: -1 (no limit), or 60 s to 604,800 s (7 days).
    pub const RECORD_AGE: RangeInclusive<i32> = 60..=604_800;
    /// `ParallelizationFactor`: 1 to 10 batches per shard at once.
    pub const PARALLELIZATION_FACTOR: RangeInclusive<u32> = 1..=10;
    /// `TumblingWindowInSeconds`: 0 to 900 s.
    pub const MAX_TUMBLING_WINDOW: u32 = 900;
    /// AWS recommends a queue's visibility timeout of at least this many times the function's
    /// timeout (plus the batching window).
    pub const RECOMMENDED_VISIBILITY_FACTOR: u32 = 6;
}

/// Settings of an SQS event source: `SqsSource::new()` then builder methods. Lambda's
/// defaults: batches of 10, no batching window, enabled.
#[derive(Debug, Clone, PartialEq)]
pub struct SqsSource {
    /// `BatchSize`: at most 10,000 (10 for a FIFO queue); more than 10 needs a batching
    /// window of at least 1 s.
    pub batch_size: Option<u32>,
    /// `MaximumBatchingWindowInSeconds`: how long Lambda gathers messages (standard queues).
    pub max_batching_window_seconds: Option<u32>,
    /// The function reports the messages that failed (`FunctionResponseTypes:
    /// ReportBatchItemFailures`) and only those return to the queue.
    pub report_batch_item_failures: bool,
    /// `ScalingConfig.MaximumConcurrency`: at most this many invocations at once, 2 to 1,000.
    pub max_concurrency: Option<u32>,
    /// `FilterCriteria`: only messages one of these patterns matches invoke the function.
    pub filters: Vec<Json>,
    /// `Enabled` (default true): false creates the mapping paused.
    pub enabled: bool,
}

impl Default for SqsSource {
    fn default() -> Self {
        SqsSource {
            batch_size: None,
            max_batching_window_seconds: None,
            report_batch_item_failures: false,
            max_concurrency: None,
            filters: Vec::new(),
            enabled: true,
        }
    }
}

impl SqsSource {
    /// Lambda's defaults: batches of up to 10 messages, invoked as soon as there are some.
    pub fn new() -> Self {
        Self::default()
    }
    /// The most messages a batch holds (`BatchSize`).
    pub fn batch_size(mut self, size: u32) -> Self {
        self.batch_size = Some(size);
        self
    }
    /// How long Lambda gathers messages before invoking (`MaximumBatchingWindowInSeconds`).
    pub fn max_batching_window_seconds(mut self, seconds: u32) -> Self {
        self.max_batching_window_seconds = Some(seconds);
        self
    }
    /// The function answers `batchItemFailures`; only the messages it names are retried.
    pub fn report_batch_item_failures(mut self) -> Self {
        self.report_batch_item_failures = true;
        self
    }
    /// At most `n` invocations at once from this queue (`ScalingConfig.MaximumConcurrency`).
    pub fn max_concurrency(mut self, n: u32) -> Self {
        self.max_concurrency = Some(n);
        self
    }
    /// Adds a filter pattern (a JSON object, `{"body": {"kind": ["order"]}}`).
    pub fn filter(mut self, pattern: Json) -> Self {
        self.filters.push(pattern);
        self
    }
    /// Creates the mapping enabled (the default) or paused.
    pub fn enabled(mut self, on: bool) -> Self {
        self.enabled = on;
        self
    }
}

/// Where a stream mapping sends the records it gives up on (`DestinationConfig.OnFailure`):
/// a standard queue or topic, which the function's role is allowed to send to.
#[derive(Debug, Clone)]
pub enum FailureDestination {
    /// An SQS queue (`sqs:SendMessage`, and its customer key's rights).
    Queue(Queue),
    /// An SNS topic (`sns:Publish`, and its customer key's rights).
    Topic(Topic),
}

impl FailureDestination {
    /// The queue `queue`.
    pub fn queue(queue: &Queue) -> Self {
        FailureDestination::Queue(queue.clone())
    }
    /// The topic `topic`.
    pub fn topic(topic: &Topic) -> Self {
        FailureDestination::Topic(topic.clone())
    }
}

/// Settings of a DynamoDB stream source: `StreamSource::new(starting_position)` then builder
/// methods. Lambda's defaults: batches of 100, retried until the records expire.
#[derive(Debug, Clone)]
pub struct StreamSource {
    /// `StartingPosition`: the oldest record kept, or only new ones.
    pub starting_position: StartingPosition,
    /// `BatchSize`: 1 to 10,000 records.
    pub batch_size: Option<u32>,
    /// `MaximumBatchingWindowInSeconds`: 0 to 300 s.
    pub max_batching_window_seconds: Option<u32>,
    /// `BisectBatchOnFunctionError`: split a failing batch in two and retry each half.
    pub bisect_batch_on_error: bool,
    /// `MaximumRetryAttempts`: -1 (until the record expires) to 10,000.
    pub retry_attempts: Option<i32>,
    /// `MaximumRecordAgeInSeconds`: -1 (no limit) or 60 to 604,800 s.
    pub max_record_age_seconds: Option<i32>,
    /// `ParallelizationFactor`: 1 to 10 batches of a shard at once.
    pub parallelization_factor: Option<u32>,
    /// `TumblingWindowInSeconds`: 0 to 900 s of state carried between invocations.
    pub tumbling_window_seconds: Option<u32>,
    /// `FunctionResponseTypes: ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// `FilterCriteria` patterns.
    pub filters: Vec<Json>,
    /// `DestinationConfig.OnFailure`: where discarded records go.
    pub on_failure: Option<FailureDestination>,
    /// `Enabled` (default true).
    pub enabled: bool,
}

impl StreamSource {
    /// Reads the stream from `starting_position`, with Lambda's defaults.
    pub fn new(starting_position: StartingPosition) -> Self {
        StreamSource {
            starting_position,
            batch_size: None,
            max_batching_window_seconds: None,
            bisect_batch_on_error: false,
            retry_attempts: None,
            max_record_age_seconds: None,
            parallelization_factor: None,
            tumbling_window_seconds: None,
            report_batch_item_failures: false,
            filters: Vec::new(),
            on_failure: None,
            enabled: true,
        }
    }
    /// The most records a batch holds (`BatchSize`).
    pub fn batch_size(mut self, size: u32) -> Self {
        self.batch_size = Some(size);
        self
    }
    /// How long Lambda gathers records before invoking (`MaximumBatchingWindowInSeconds`).
    pub fn max_batching_window_seconds(mut self, seconds: u32) -> Self {
        self.max_batching_window_seconds = Some(seconds);
        self
    }
    /// Splits a failing batch in two and retries each half (`BisectBatchOnFunctionError`).
    pub fn bisect_batch_on_error(mut self) -> Self {
        self.bisect_batch_on_error = true;
        self
    }
    /// Gives up on a batch after `n` retries (`MaximumRetryAttempts`; -1: never).
    pub fn retry_attempts(mut self, n: i32) -> Self {
        self.retry_attempts = Some(n);
        self
    }
    /// Gives up on records older than this (`MaximumRecordAgeInSeconds`; -1: never).
    pub fn max_record_age_seconds(mut self, seconds: i32) -> Self {
        self.max_record_age_seconds = Some(seconds);
        self
    }
    /// Processes up to `n` batches of each shard at once (`ParallelizationFactor`).
    pub fn parallelization_factor(mut self, n: u32) -> Self {
        self.parallelization_factor = Some(n);
        self
    }
    /// Aggregates over windows of this many seconds (`TumblingWindowInSeconds`).
    pub fn tumbling_window_seconds(mut self, seconds: u32) -> Self {
        self.tumbling_window_seconds = Some(seconds);
        self
    }
    /// The function answers `batchItemFailures`; the batch is retried from the first failure.
    pub fn report_batch_item_failures(mut self) -> Self {
        self.report_batch_item_failures = true;
        self
    }
    /// Adds a filter pattern (a JSON object, `{"eventName": ["INSERT"]}`).
    pub fn filter(mut self, pattern: Json) -> Self {
        self.filters.push(pattern);
        self
    }
    /// Sends the records given up on to a standard queue or topic.
    pub fn on_failure(mut self, destination: FailureDestination) -> Self {
        self.on_failure = Some(destination);
        self
    }
    /// Creates the mapping enabled (the default) or paused.
    pub fn enabled(mut self, on: bool) -> Self {
        self.enabled = on;
        self
    }
}

/// What a function reads from: `EventSource::sqs(&queue, ..)` or
/// `EventSource::dynamodb(&table, ..)`.
#[derive(Debug, Clone)]
pub enum EventSource {
    /// Messages of an SQS queue.
    Sqs(Queue, SqsSource),
    /// Records of a DynamoDB table's stream (turned on if the table has none).
    DynamoDb(Table, StreamSource),
}

impl EventSource {
    /// The messages of `queue`.
    pub fn sqs(queue: &Queue, settings: SqsSource) -> Self {
        EventSource::Sqs(queue.clone(), settings)
    }
    /// The stream of `table`; a table without one gets `NEW_AND_OLD_IMAGES`.
    pub fn dynamodb(table: &Table, settings: StreamSource) -> Self {
        EventSource::DynamoDb(table.clone(), settings)
    }
}

/// An event source mapping (`AWS::Lambda::EventSourceMapping`).
///
/// # Examples
///
/// ```
/// use constructs::lambda::{EventSource, Function, FunctionProps, SqsSource};
/// use constructs::sqs::{Queue, QueueProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
/// # // a cargo workspace with the package `worker`, the app's root
/// # let workspace = tempfile::tempdir().unwrap();
/// # for (file, text) in [
/// #     ("Cargo.toml", "[workspace]\nmembers = [\"worker\"]\nresolver = \"2\"\n"),
/// #     ("worker/Cargo.toml", "[package]\nname = \"worker\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
/// #     ("worker/src/main.rs", "fn main() {}\n"),
/// # ] {
/// #     let path = workspace.path().join(file);
/// #     std::fs::create_dir_all(path.parent().unwrap()).unwrap();
/// #     std::fs::write(path, text).unwrap();
/// # }
/// # std::env::set_current_dir(workspace.path()).unwrap();
///
/// let mut stack = Stack::new("Jobs");
/// let jobs = Queue::new(&mut stack, "Jobs", QueueProps::new());
/// let worker = Function::new(&mut stack, "Worker", FunctionProps::new("worker"));
/// let source = SqsSource::new().batch_size(5).report_batch_item_failures();
/// worker.add_event_source(&mut stack, EventSource::sqs(&jobs, source));
///
/// let template = Template::from_stack(&stack);
/// let jobs_id = template.logical_id_of_type("AWS::SQS::Queue");
/// template.has_resource_properties("AWS::Lambda::EventSourceMapping", json!({
///     "EventSourceArn": {"Fn::GetAtt": [jobs_id, "Arn"]},
///     "BatchSize": 5,
///     "FunctionResponseTypes": ["ReportBatchItemFailures"],
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EventSourceMapping {
    resource: ResourceRef,
}

impl EventSourceMapping {
    /// The `AWS::Lambda::EventSourceMapping` resource.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The mapping's id (`Ref`: its UUID).
    pub fn uuid(&self) -> Value {
        self.resource.reference()
    }
}

/// The construct id of a source, letters and digits only, from its resource's path.
fn source_id(resource: &ResourceRef) -> String {
    let path = resource.path();
    let below = path
        .strip_prefix(&format!("{}/", resource.stack()))
        .unwrap_or(path);
    let below = below.strip_suffix("/Resource").unwrap_or(below);
    below.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Reports a value outside `range` at `property`.
fn check_range<T: PartialOrd + std::fmt::Display>(
    out: &mut Vec<(&'static str, String)>,
    property: &'static str,
    value: Option<T>,
    range: RangeInclusive<T>,
    unit: &str,
) {
    if let Some(v) = value {
        if !range.contains(&v) {
            out.push((
                property,
                format!(
                    "{v}{unit} is outside Lambda's {} to {}{unit}",
                    range.start(),
                    range.end()
                ),
            ));
        }
    }
}

/// The checks every source shares: batch size, batching window, filters.
fn common_problems(
    out: &mut Vec<(&'static str, String)>,
    batch_size: Option<u32>,
    window: Option<u32>,
    filters: &[Json],
) {
    check_range(out, "BatchSize", batch_size, limits::BATCH_SIZE, "");
    check_range(
        out,
        "MaximumBatchingWindowInSeconds",
        window,
        0..=limits::MAX_BATCHING_WINDOW,
        " s",
    );
    if filters.len() > limits::MAX_FILTERS {
        out.push((
            "FilterCriteria",
            format!(
                "{} filters; Lambda takes at most {} per mapping ({} unless the quota is raised)",
                filters.len(),
                limits::MAX_FILTERS,
                limits::DEFAULT_MAX_FILTERS
            ),
        ));
    }
    for pattern in filters {
        if !pattern.is_object() {
            out.push((
                "FilterCriteria",
                format!("the filter pattern {pattern} is not a JSON object"),
            ));
        }
    }
}

/// The mapping's filters and response types, as both kinds of source set them.
fn common(
    mapping: CfnEventSourceMapping,
    filters: &[Json],
    report_batch_item_failures: bool,
) -> CfnEventSourceMapping {
    let mut mapping = mapping;
    if !filters.is_empty() {
        mapping = mapping.filter_criteria(
            FilterCriteria::new().filters(
                filters
                    .iter()
                    .map(|p| Filter::new().pattern(p.to_string()))
                    .collect::<Vec<_>>(),
            ),
        );
    }
    if report_batch_item_failures {
        mapping =
            mapping.function_response_types(vec![FunctionResponseType::ReportBatchItemFailures]);
    }
    mapping
}

impl Function {
    /// Makes Lambda poll `source` and invoke the function with batches of its records: the
    /// mapping (`<function>/SqsEventSource<queue>` or `/DynamoDbEventSource<table>`), the
    /// rights Lambda's poller uses on the function's role, and a stream on a table that has
    /// none. The mapping is created after the role's policy, which Lambda checks then. What
    /// Lambda would refuse is reported at synth with the mapping's path and property.
    pub fn add_event_source(&self, stack: &mut Stack, source: EventSource) -> EventSourceMapping {
        let (kind, source_ref, source_arn) = match &source {
            EventSource::Sqs(queue, _) => ("SqsEventSource", queue.resource().clone(), queue.arn()),
            EventSource::DynamoDb(table, _) => (
                "DynamoDbEventSource",
                table.resource().clone(),
                table.resource().get_att("StreamArn"),
            ),
        };
        let mapping_at = |stack: &Stack, id: &str| {
            let path = stack.path_of(id);
            let existing = ResourceRef {
                stack: stack.name().to_string(),
                path: path.clone(),
            };
            let reads = stack
                .resource(&existing)
                .map(|r| r.properties.get_path("EventSourceArn").cloned());
            (path, existing, reads)
        };
        let mut id = format!("{}/{kind}{}/Resource", self.id, source_id(&source_ref));
        let (mut path, mut existing, mut reads) = mapping_at(stack, &id);
        if reads
            .as_ref()
            .is_some_and(|arn| arn.as_ref() != Some(&source_arn))
        {
            // another source whose path spells the same id (`A/Inbox` and `AInbox`)
            id = format!(
                "{}/{kind}{}{}/Resource",
                self.id,
                source_id(&source_ref),
                short_hash(source_ref.path())
            );
            (path, existing, reads) = mapping_at(stack, &id);
        }
        if reads.is_some() {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "the function already reads {}: Lambda refuses a second mapping of one \
                         source to one function",
                        source_ref.path()
                    ),
                )
                .property("EventSourceArn"),
            );
            return EventSourceMapping { resource: existing };
        }
        let filters = match &source {
            EventSource::Sqs(_, props) => props.filters.len(),
            EventSource::DynamoDb(_, props) => props.filters.len(),
        };
        if filters > limits::DEFAULT_MAX_FILTERS && filters <= limits::MAX_FILTERS {
            stack.add_warning(
                &path,
                format!(
                    "{filters} filters: Lambda's default quota is {} per mapping; the account \
                     needs it raised (up to {}) or the mapping fails to create",
                    limits::DEFAULT_MAX_FILTERS,
                    limits::MAX_FILTERS
                ),
            );
        }
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let mapping = match source {
            EventSource::Sqs(queue, props) => {
                self.sqs_mapping(stack, &path, &queue, props, &mut problems)
            }
            EventSource::DynamoDb(table, props) => {
                self.stream_mapping(stack, &table, props, &mut problems)
            }
        };
        for (property, message) in problems {
            stack.add_problem(Problem::new(&path, message).property(property));
        }
        let mut resource = CfnResource::from_props(&mapping);
        // Lambda checks the role's rights when the mapping is created
        if let Some(policy) = self.role.default_policy(stack) {
            resource.add_depends_on(&policy);
        }
        EventSourceMapping {
            resource: stack.add_resource(&id, resource),
        }
    }

    fn sqs_mapping(
        &self,
        stack: &mut Stack,
        path: &str,
        queue: &Queue,
        props: SqsSource,
        out: &mut Vec<(&'static str, String)>,
    ) -> CfnEventSourceMapping {
        common_problems(
            out,
            props.batch_size,
            props.max_batching_window_seconds,
            &props.filters,
        );
        let window = props.max_batching_window_seconds;
        if queue.is_fifo() {
            if let Some(b) = props
                .batch_size
                .filter(|b| *b > limits::MAX_FIFO_BATCH_SIZE)
            {
                out.push((
                    "BatchSize",
                    format!(
                        "{b} messages; a FIFO queue's batches hold at most {}",
                        limits::MAX_FIFO_BATCH_SIZE
                    ),
                ));
            }
            // 0 is no window, which a FIFO queue accepts
            if window.is_some_and(|w| w > 0) {
                out.push((
                    "MaximumBatchingWindowInSeconds",
                    "Lambda has no batching window for a FIFO queue".into(),
                ));
            }
        } else if let Some(b) = props.batch_size {
            if b > limits::MAX_BATCH_WITHOUT_WINDOW && window.unwrap_or(0) < 1 {
                out.push((
                    "MaximumBatchingWindowInSeconds",
                    format!(
                        "a batch of {b} messages (over {}) needs a batching window of at least 1 s: \
                         add .max_batching_window_seconds(..)",
                        limits::MAX_BATCH_WITHOUT_WINDOW
                    ),
                ));
            }
        }
        check_range(
            out,
            "ScalingConfig",
            props.max_concurrency,
            limits::MAX_CONCURRENCY,
            " invocations",
        );
        let visibility = queue.visibility_timeout_seconds();
        let timeout = self.timeout_seconds;
        if visibility < timeout {
            stack.add_problem(
                Problem::new(
                    queue.resource().path(),
                    format!(
                        "the visibility timeout ({visibility} s) is less than the timeout of the \
                         function reading the queue ({timeout} s, {path}): Lambda refuses the mapping"
                    ),
                )
                .property("VisibilityTimeout")
                .help(format!(
                    "give the queue .visibility_timeout_seconds({}) (AWS recommends {} times the \
                     function's timeout plus the batching window)",
                    recommended_visibility(timeout, window),
                    limits::RECOMMENDED_VISIBILITY_FACTOR
                )),
            );
        } else if visibility < recommended_visibility(timeout, window) {
            stack.add_warning(
                queue.resource().path(),
                format!(
                    "the visibility timeout ({visibility} s) is under {} s, which AWS recommends \
                     for a function of {timeout} s ({path}): a message may be received again \
                     while Lambda retries",
                    recommended_visibility(timeout, window)
                ),
            );
        }
        queue.grant_consume_messages(stack, self);
        let mut mapping = CfnEventSourceMapping::new(self.name())
            .batch_size(props.batch_size)
            .event_source_arn(queue.arn())
            .maximum_batching_window_in_seconds(window);
        if !props.enabled {
            mapping = mapping.enabled(false);
        }
        if let Some(n) = props.max_concurrency {
            mapping = mapping.scaling_config(ScalingConfig::new().maximum_concurrency(n));
        }
        common(mapping, &props.filters, props.report_batch_item_failures)
    }

    fn stream_mapping(
        &self,
        stack: &mut Stack,
        table: &Table,
        props: StreamSource,
        out: &mut Vec<(&'static str, String)>,
    ) -> CfnEventSourceMapping {
        common_problems(
            out,
            props.batch_size,
            props.max_batching_window_seconds,
            &props.filters,
        );
        check_range(
            out,
            "MaximumRetryAttempts",
            props.retry_attempts,
            limits::RETRY_ATTEMPTS,
            "",
        );
        if let Some(age) = props.max_record_age_seconds {
            if age != -1 && !limits::RECORD_AGE.contains(&age) {
                out.push((
                    "MaximumRecordAgeInSeconds",
                    format!(
                        "{age} s is neither -1 (no limit) nor within Lambda's {} to {} s",
                        limits::RECORD_AGE.start(),
                        limits::RECORD_AGE.end()
                    ),
                ));
            }
        }
        check_range(
            out,
            "ParallelizationFactor",
            props.parallelization_factor,
            limits::PARALLELIZATION_FACTOR,
            "",
        );
        check_range(
            out,
            "TumblingWindowInSeconds",
            props.tumbling_window_seconds,
            0..=limits::MAX_TUMBLING_WINDOW,
            " s",
        );
        // a table without a stream gets one, in its own stack (at synth for another stack's)
        table.enable_stream(stack, StreamViewType::NewAndOldImages);
        table.grant_stream_read(stack, self);
        let destination = props.on_failure.as_ref().map(|d| match d {
            FailureDestination::Queue(q) => {
                if q.is_fifo() {
                    out.push((
                        "DestinationConfig",
                        format!(
                            "{} is a FIFO queue; a stream's failed records go to a standard queue",
                            q.resource().path()
                        ),
                    ));
                }
                q.grant_send_messages(stack, self);
                q.arn()
            }
            FailureDestination::Topic(t) => {
                if t.is_fifo() {
                    out.push((
                        "DestinationConfig",
                        format!(
                            "{} is a FIFO topic; a stream's failed records go to a standard topic",
                            t.resource().path()
                        ),
                    ));
                }
                // with a customer key's rights
                t.grant_publish(stack, self);
                t.arn()
            }
        });
        let stream = table.resource().get_att("StreamArn");
        let mut mapping = CfnEventSourceMapping::new(self.name())
            .batch_size(props.batch_size)
            .event_source_arn(stream)
            .maximum_batching_window_in_seconds(props.max_batching_window_seconds)
            .maximum_record_age_in_seconds(props.max_record_age_seconds)
            .maximum_retry_attempts(props.retry_attempts)
            .parallelization_factor(props.parallelization_factor)
            .starting_position(props.starting_position.as_str())
            .tumbling_window_in_seconds(props.tumbling_window_seconds);
        if props.bisect_batch_on_error {
            mapping = mapping.bisect_batch_on_function_error(true);
        }
        if let Some(arn) = destination {
            mapping = mapping.destination_config(
                DestinationConfig::new().on_failure(OnFailure::new().destination(arn)),
            );
        }
        if !props.enabled {
            mapping = mapping.enabled(false);
        }
        common(mapping, &props.filters, props.report_batch_item_failures)
    }
}

/// The visibility timeout AWS recommends for a function of `timeout` seconds.
fn recommended_visibility(timeout: u32, window: Option<u32>) -> u32 {
    timeout
        .saturating_mul(limits::RECOMMENDED_VISIBILITY_FACTOR)
        .saturating_add(window.unwrap_or(0))
}
