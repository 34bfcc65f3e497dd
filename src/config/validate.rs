//! [`Config`]'s [`Validate`]: every limit a configured value can reach, each at its key.

use constructs::apigateway::check_stage_name;
use constructs::core::names::check_stack_name;
use constructs::dynamodb::{
    check_key_attribute_name, check_table_name, MAX_PARTITION_KEY_VALUE_BYTES,
};
use constructs::lambda::{check_function_name, check_timeout_seconds, MAX_ENVIRONMENT_BYTES};
use rcdk::config::{Validate, Violation};

use crate::load_table::LIST_ATTRIBUTE;
use crate::patterns::async_streaming::{RESULTS_AT_ONCE, RESULT_ATTRIBUTES, RESULT_WAIT_SECONDS};

use super::*;

/// Step Functions' limits that a configured value reaches: the construct library's own
/// numbers ([`constructs::stepfunctions::asl::limits`]), so the two never disagree.
pub mod limits {
    use constructs::stepfunctions::asl::limits as sfn;

    /// The longest `Seconds` of a Wait state.
    pub const WAIT_SECONDS_MAX: u64 = sfn::MAX_SECONDS;
    /// The largest `MaxConcurrency` of an inline Map.
    pub const MAX_CONCURRENCY_MAX: u32 = sfn::MAX_INLINE_CONCURRENCY as u32;
    /// How many iterations an inline Map runs at once at most, whatever `MaxConcurrency` says.
    pub const INLINE_MAP_PARALLEL: u32 = 40;
    /// How many items `States.ArrayRange` may produce.
    pub const ARRAY_RANGE_MAX_ITEMS: u64 = sfn::MAX_ARRAY_RANGE_ITEMS as u64;
    /// How long an EXPRESS execution may last, in seconds (5 minutes).
    pub const EXPRESS_MAX_SECONDS: u64 = sfn::MAX_EXPRESS_SECONDS;
}

/// `n` with thousands separators (`99,999,999`).
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The problems of one section, each at `<section>.<key>`.
struct Section<'a> {
    name: &'static str,
    found: &'a mut Vec<Violation>,
}

impl Section<'_> {
    fn key(&self, key: &str) -> String {
        format!("{}.{key}", self.name)
    }

    fn push(&mut self, violation: Violation) {
        self.found.push(violation);
    }

    /// A value checked by the rule of the construct library that builds with it (a name's
    /// [`constructs::core::names::NameError`], a number's
    /// [`constructs::core::error::InvalidValue`]): its message, at the key.
    fn name(&mut self, key: &str, rule: Result<(), impl std::fmt::Display>) {
        if let Err(e) = rule {
            let key = self.key(key);
            self.push(Violation::new(key, e.to_string()));
        }
    }
}

impl Validate for Config {
    fn validate(&self) -> Vec<Violation> {
        let mut found = Vec::new();
        let found_ref = &mut found;
        self.async_streaming.check(&mut Section {
            name: "asyncStreaming",
            found: found_ref,
        });
        self.waitable.check(&mut Section {
            name: "waitable",
            found: found_ref,
        });
        self.task_status.check(&mut Section {
            name: "taskStatus",
            found: found_ref,
        });
        self.embedded_workflow.check(&mut Section {
            name: "embeddedWorkflow",
            found: found_ref,
        });
        self.map_dynamo_db.check(&mut Section {
            name: "mapDynamoDb",
            found: found_ref,
        });

        // one app: each stack needs its own name, each named table its own table
        let stacks = [
            ("asyncStreaming.stackName", &self.async_streaming.stack_name),
            ("waitable.stackName", &self.waitable.stack_name),
            ("taskStatus.stackName", &self.task_status.stack_name),
            (
                "embeddedWorkflow.stackName",
                &self.embedded_workflow.stack_name,
            ),
            ("mapDynamoDb.stackName", &self.map_dynamo_db.stack_name),
        ];
        for (i, (key, name)) in stacks.iter().enumerate() {
            if let Some((first, _)) = stacks[..i].iter().find(|(_, n)| n == name) {
                found.push(
                    Violation::new(
                        *key,
                        format!("stack name \"{name}\" is also {first}: the app's stacks need a name each"),
                    )
                    .or_at(*first),
                );
            }
        }
        let (tasks, lists) = (
            &self.task_status.table_name,
            &self.map_dynamo_db.ddb.table_name,
        );
        if tasks == lists {
            found.push(
                Violation::new(
                    "mapDynamoDb.ddb.tableName",
                    format!("table name \"{lists}\" is also taskStatus.tableName: a table name is unique in an account and region, so the second stack to deploy would fail"),
                )
                .or_at("taskStatus.tableName"),
            );
        }
        found
    }
}

impl AsyncStreamingConfig {
    fn check(&self, s: &mut Section) {
        s.name("stackName", check_stack_name(&self.stack_name));
        s.name("stageName", check_stage_name(&self.stage_name));
        s.name(
            "lambdaTimeoutSeconds",
            check_timeout_seconds(self.lambda_timeout_seconds),
        );
        let timeout_ms = u64::from(self.lambda_timeout_seconds) * 1000;
        let (poll, buffer) = (self.poll_interval_ms, self.lambda_timeout_buffer_ms);
        if poll == 0 {
            let key = s.key("pollIntervalMs");
            s.push(
                Violation::new(key, "a poll interval of 0 ms would query the results table without a pause, as fast as DynamoDB answers")
                    .help("poll every few hundred milliseconds or more; the default is 2000"),
            );
        }
        if buffer >= timeout_ms {
            let (key, other) = (
                s.key("lambdaTimeoutBufferMs"),
                s.key("lambdaTimeoutSeconds"),
            );
            s.push(
                Violation::new(
                    key,
                    format!(
                        "a buffer of {} ms is not shorter than the function's timeout ({} s = {} ms): the function stops when less than the buffer is left, so it would stop before it streams anything",
                        grouped(buffer),
                        self.lambda_timeout_seconds,
                        grouped(timeout_ms)
                    ),
                )
                .or_at(other)
                .help("keep lambdaTimeoutBufferMs below lambdaTimeoutSeconds × 1000 (the defaults: 5000 ms of 60 s)"),
            );
        } else if poll > buffer {
            let (key, other) = (s.key("pollIntervalMs"), s.key("lambdaTimeoutBufferMs"));
            s.push(
                Violation::new(
                    key,
                    format!(
                        "the function sleeps {} ms between polls, longer than the {} ms buffer it keeps before its timeout (lambdaTimeoutBufferMs): a sleep could outlast the invocation, and Lambda would end it with a timeout error",
                        grouped(poll),
                        grouped(buffer)
                    ),
                )
                .or_at(other)
                .help("make pollIntervalMs at most lambdaTimeoutBufferMs"),
            );
        }
        self.check_final_field(s);
        self.check_result_count(s);
    }

    /// The final-result attribute's name: a DynamoDB attribute of the last result, a key
    /// substituted into the definition, and an environment variable of the function.
    fn check_final_field(&self, s: &mut Section) {
        let name = &self.final_result_field_name;
        let shown = rcdk::config::shorten(name);
        let problem = if name.is_empty() {
            Some("the final-result attribute's name is empty; a DynamoDB attribute name has at least 1 byte".to_string())
        } else if RESULT_ATTRIBUTES.contains(&name.as_str()) {
            Some(format!(
                "\"{name}\" is already an attribute of every result item ({}): the last result would carry it twice, or each streamed result would look final",
                RESULT_ATTRIBUTES.join(", ")
            ))
        } else if let Some(bad) = name
            .chars()
            .find(|c| *c == '"' || *c == '\\' || c.is_control())
        {
            Some(format!(
                "the name {shown:?} holds {}: it is substituted as text into the state machine's definition, a JSON document it would break",
                match bad {
                    '"' => "a double quote".to_string(),
                    '\\' => "a backslash".to_string(),
                    c => format!("the control character U+{:04X}", u32::from(c)),
                }
            ))
        } else if name.ends_with(".$") {
            Some(format!(
                "the name {shown:?} ends with \".$\": as a key of the definition's item, Step Functions would read its value as a path"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            let key = s.key("finalResultFieldName");
            s.push(Violation::new(key, message));
            return;
        }
        // the streaming function's environment; the table's name is generated at deploy, at
        // most 255 bytes
        let others = "DDBTableName".len()
            + 255
            + "DDBPollingWaitMs".len()
            + self.poll_interval_ms.to_string().len()
            + "LambdaTimeoutBuffer".len()
            + self.lambda_timeout_buffer_ms.to_string().len()
            + "FinalResultFieldName".len();
        let total = others + name.len();
        if total > MAX_ENVIRONMENT_BYTES {
            let key = s.key("finalResultFieldName");
            s.push(
                Violation::new(
                    key,
                    format!(
                        "the name has {} bytes; it is also an environment variable of the streaming function, whose environment would have {} bytes (the generated table name counted at its 255-byte maximum), and Lambda allows {} (4 KB)",
                        grouped(name.len() as u64),
                        grouped(total as u64),
                        grouped(MAX_ENVIRONMENT_BYTES as u64)
                    ),
                )
                .help(format!(
                    "use a name of at most {} bytes",
                    MAX_ENVIRONMENT_BYTES.saturating_sub(others)
                )),
            );
        }
    }

    /// The results: `States.ArrayRange(1, resultCount, 1)`, then a wait each, one after the
    /// other, in an EXPRESS execution.
    fn check_result_count(&self, s: &mut Section) {
        use limits::{ARRAY_RANGE_MAX_ITEMS, EXPRESS_MAX_SECONDS};
        let count = u64::from(self.result_count);
        let key = s.key("resultCount");
        if count == 0 || count > ARRAY_RANGE_MAX_ITEMS {
            s.push(
                Violation::new(
                    key,
                    format!(
                        "States.ArrayRange(1, {count}, 1) would produce {} items; Step Functions' States.ArrayRange produces 1 to {}",
                        grouped(count),
                        grouped(ARRAY_RANGE_MAX_ITEMS)
                    ),
                )
                .help("resultCount is 1 or more, and the EXPRESS workflow's 5 minutes allow a few dozen"),
            );
            return;
        }
        let rounds = match RESULTS_AT_ONCE {
            0 => 1,
            n => count.div_ceil(u64::from(n)),
        };
        let waited = rounds * RESULT_WAIT_SECONDS;
        if waited > EXPRESS_MAX_SECONDS {
            let most =
                EXPRESS_MAX_SECONDS / RESULT_WAIT_SECONDS * u64::from(RESULTS_AT_ONCE.max(1));
            s.push(
                Violation::new(
                    key,
                    format!(
                        "{count} results wait {RESULT_WAIT_SECONDS} s each, one after the other: {} s in all, but an EXPRESS execution lasts at most {EXPRESS_MAX_SECONDS} s (5 minutes)",
                        grouped(waited)
                    ),
                )
                .help(format!("use at most {most} results")),
            );
        }
    }
}

impl WaitableConfig {
    fn check(&self, s: &mut Section) {
        s.name("stackName", check_stack_name(&self.stack_name));
        s.name("stageName", check_stage_name(&self.stage_name));
    }
}

impl TaskStatusConfig {
    fn check(&self, s: &mut Section) {
        s.name("stackName", check_stack_name(&self.stack_name));
        s.name("tableName", check_table_name(&self.table_name));
        s.name("functionName", check_function_name(&self.function_name));
    }
}

impl EmbeddedWorkflowConfig {
    fn check(&self, s: &mut Section) {
        s.name("stackName", check_stack_name(&self.stack_name));
        s.name("stageName", check_stage_name(&self.stage_name));
    }
}

impl MapDynamoDbConfig {
    fn check(&self, s: &mut Section) {
        use limits::{INLINE_MAP_PARALLEL, MAX_CONCURRENCY_MAX, WAIT_SECONDS_MAX};
        s.name("stackName", check_stack_name(&self.stack_name));
        let ddb = &self.ddb;
        s.name("ddb.tableName", check_table_name(&ddb.table_name));
        s.name(
            "ddb.partitionKeyName",
            check_key_attribute_name(&ddb.partition_key_name),
        );
        if ddb.partition_key_name == LIST_ATTRIBUTE {
            let key = s.key("ddb.partitionKeyName");
            s.push(Violation::new(
                key,
                format!("\"{LIST_ATTRIBUTE}\" is the attribute that holds the list in the same item (load-table writes it, the state machine reads it): the key would be overwritten by the list"),
            ));
        }
        let value = &ddb.partition_key_value_field;
        if value.is_empty() || value.len() > MAX_PARTITION_KEY_VALUE_BYTES {
            let key = s.key("ddb.partitionKeyValueField");
            s.push(Violation::new(
                key,
                format!(
                    "the list item's key value has {} bytes; DynamoDB takes a string partition key of 1 to {} bytes",
                    grouped(value.len() as u64),
                    grouped(MAX_PARTITION_KEY_VALUE_BYTES as u64)
                ),
            ));
        }

        let sf = &self.stepfunc;
        if sf.max_concurrency > MAX_CONCURRENCY_MAX {
            let key = s.key("stepfunc.maxConcurrency");
            s.push(
                Violation::new(
                    key,
                    format!(
                        "{} is more than Step Functions accepts for a Map's MaxConcurrency (an Integer: at most {})",
                        grouped(u64::from(sf.max_concurrency)),
                        grouped(u64::from(MAX_CONCURRENCY_MAX))
                    ),
                )
                .help(format!("0 means no limit; this inline Map runs at most {INLINE_MAP_PARALLEL} iterations at once anyway, so 1 to {INLINE_MAP_PARALLEL} (or 0) is what makes a difference")),
            );
        }
        let timeout = u64::from(sf.timeout_duration_seconds);
        if timeout == 0 {
            let key = s.key("stepfunc.timeoutDurationSeconds");
            s.push(Violation::new(
                key,
                "a state machine's TimeoutSeconds must be at least 1",
            ));
        }
        let wait = sf.wait_duration_seconds;
        if wait > WAIT_SECONDS_MAX {
            let key = s.key("stepfunc.waitDurationSeconds");
            s.push(
                Violation::new(
                    key,
                    format!(
                        "a wait of {} s is more than a Wait state's Seconds takes (Step Functions allows 0 to {})",
                        grouped(wait),
                        grouped(WAIT_SECONDS_MAX)
                    ),
                )
                .help("a few seconds per item is what the pattern needs (the default is 2)"),
            );
        } else if timeout > 0 && wait >= timeout {
            let (key, other) = (
                s.key("stepfunc.waitDurationSeconds"),
                s.key("stepfunc.timeoutDurationSeconds"),
            );
            s.push(
                Violation::new(
                    key,
                    format!(
                        "each item waits {} s, but the state machine times out after {} s (timeoutDurationSeconds): every execution over a list would time out",
                        grouped(wait),
                        grouped(timeout)
                    ),
                )
                .or_at(other)
                .help("make waitDurationSeconds shorter than timeoutDurationSeconds"),
            );
        }
    }
}
