//! A Distributed Map: its items read from S3 by its ItemReader (JSON, JSON Lines, CSV), put in
//! batches by its ItemBatcher, each item or batch run as a child execution with a history of
//! its own, failures counted against the tolerated threshold, and the results written by its
//! ResultWriter (the manifest and the SUCCEEDED/FAILED files) or given as the output.

use constructs::stepfunctions::asl::{
    CsvDelimiter, CsvHeaders, ExecutionType, InputType, ItemReader, Map, QueryLanguage,
};
use serde_json::{json, Map as JsonMap, Value as Json};

use super::data::{plain, Seen};
use super::map::Results;
use super::{Env, Exec, Flow, Frame, Stop};
use crate::error::Failure;
use crate::history;
use crate::run::{Purpose, TaskCall};

impl Exec<'_> {
    /// A Distributed Map: each item (or batch) a child execution with a history of its own;
    /// failures up to the tolerated threshold; results to the ResultWriter or the output.
    pub(super) fn distributed(
        &mut self,
        env: &Env<'_>,
        m: &Map,
        inputs: Vec<Json>,
        effective: &Json,
        max: usize,
        frame: &Frame,
    ) -> Flow<Json> {
        let batches = match &m.item_batcher {
            None => inputs,
            Some(b) => {
                let per = self.amount(env, b.max_items_per_batch.as_ref(), effective, frame)?;
                let bytes =
                    self.amount(env, b.max_input_bytes_per_batch.as_ref(), effective, frame)?;
                let batch_input = match &b.batch_input {
                    None => None,
                    Some(t) if env.language == QueryLanguage::Jsonata => Some(
                        self.jsonata_template(env, &plain(t), Seen::input(effective), frame)?,
                    ),
                    Some(t) => Some(self.payload(env, &plain(t), effective, frame)?),
                };
                batch(
                    inputs,
                    per.map(|n| n as usize),
                    bytes.map(|n| n as usize),
                    batch_input,
                )
            }
        };
        let label = m.label.clone().unwrap_or_else(|| env.name.to_string());
        let run_id = self.rng.uuid();
        let map_run_arn = format!(
            "arn:aws:states:{}:{}:mapRun:{}/{label}:{run_id}",
            self.region,
            self.account,
            self.state_machine["Name"].as_str().unwrap_or_default()
        );
        self.event(
            "MapRunStarted",
            Some((
                "mapRunStartedEventDetails",
                json!({"mapRunArn": map_run_arn}),
            )),
        )?;
        let total = batches.len();
        let parent_execution = self.execution.clone();
        let last = self.history.last;
        // each child execution has a history of its own: a STANDARD child's is limited as
        // an execution's is, an EXPRESS child's is not
        let child_limit = match m.processor_config.as_ref().and_then(|c| c.execution_type) {
            Some(ExecutionType::Express) => None,
            _ => Some(history::MAX_HISTORY_EVENTS),
        };
        let mut succeeded = Vec::new();
        let mut failed = Vec::new();
        // the children's outputs, when no ResultWriter takes them
        let mut outputs = Results::new(env.name);
        let writes = m.result_writer.is_some();
        let outcome = self.lanes(total, max, |ex, i| {
            let name = ex.rng.uuid();
            ex.execution = json!({
                "Id": format!("{}/{label}:{name}", parent_execution["Id"].as_str().unwrap_or_default()),
                "Input": batches[i],
                "Name": name,
                "RoleArn": parent_execution["RoleArn"],
                "StartTime": crate::clock::format(ex.now),
                "RedriveCount": 0,
            });
            let before = ex.history.start_child(child_limit);
            let result = ex.nested(&m.processor, batches[i].clone(), frame);
            ex.history.restore_child(before);
            let result = match result {
                // the child's history is full: the child fails as an execution does
                Err(Stop::HistoryFull) => Err(Stop::Fail(Failure::runtime(
                    history::history_limit_cause(),
                ))),
                other => other,
            };
            match result {
                Ok(out) => {
                    if writes {
                        succeeded.push((i, batches[i].clone(), out));
                    } else {
                        outputs.push(out);
                    }
                    Ok(())
                }
                Err(Stop::Fail(f)) => {
                    if writes {
                        failed.push((i, batches[i].clone(), f));
                    } else {
                        outputs.push(f.to_json());
                        failed.push((i, Json::Null, f));
                    }
                    Ok(())
                }
                Err(stop) => Err(stop),
            }
        });
        self.execution = parent_execution;
        self.history.last = last;
        outcome?;
        let tolerated_count =
            self.amount(env, m.tolerated_failure_count.as_ref(), effective, frame)?;
        let tolerated_pct = self.amount(
            env,
            m.tolerated_failure_percentage.as_ref(),
            effective,
            frame,
        )?;
        let too_many = match (tolerated_count, tolerated_pct) {
            (None, None) => !failed.is_empty(),
            (count, pct) => {
                let over_count = count.is_some_and(|c| failed.len() as f64 > c);
                let over_pct = pct
                    .is_some_and(|p| total > 0 && failed.len() as f64 * 100.0 / total as f64 > p);
                over_count || over_pct
            }
        };
        let written = match &m.result_writer {
            Some(w) => Some(self.write_results(
                env,
                w,
                &map_run_arn,
                &succeeded,
                &failed,
                effective,
                frame,
            )?),
            None => None,
        };
        if too_many {
            let f = match failed.first() {
                Some(_) if tolerated_count.is_none() && tolerated_pct.is_none() => Failure::new(
                    "States.ExceedToleratedFailureThreshold",
                    format!("{} of {total} child executions failed; none are tolerated", failed.len()),
                ),
                _ => Failure::new(
                    "States.ExceedToleratedFailureThreshold",
                    format!(
                        "{} of {total} child executions failed, over the tolerated failure threshold",
                        failed.len()
                    ),
                ),
            };
            self.event(
                "MapRunFailed",
                Some((
                    "mapRunFailedEventDetails",
                    json!({"error": f.error, "cause": f.cause}),
                )),
            )?;
            return Err(Stop::Fail(f));
        }
        self.event("MapRunSucceeded", None)?;
        Ok(match written {
            Some(details) => json!({"MapRunArn": map_run_arn, "ResultWriterDetails": details}),
            None => outputs.into_result()?,
        })
    }

    /// A Distributed Map's ItemReader: the runner fetches the object (or the listing); its
    /// content is read as the ReaderConfig says.
    pub(super) fn read_items(
        &mut self,
        env: &Env<'_>,
        reader: &ItemReader,
        effective: &Json,
        frame: &Frame,
    ) -> Result<Vec<Json>, Failure> {
        let resource = plain(&reader.resource)
            .as_str()
            .unwrap_or_default()
            .to_string();
        let params = match (env.language, &reader.parameters, &reader.arguments) {
            (QueryLanguage::JsonPath, Some(p), _) => {
                self.payload(env, &plain(p), effective, frame)?
            }
            (QueryLanguage::Jsonata, _, Some(a)) => {
                self.jsonata_template(env, &plain(a), Seen::input(effective), frame)?
            }
            _ => json!({}),
        };
        let call = TaskCall {
            state: env.name,
            resource: &resource,
            input: &params,
            task_token: None,
            timeout_seconds: 99_999_999.0,
            credentials: None,
            purpose: Purpose::ItemReader,
        };
        let reader_failed = |cause: String| Failure::new("States.ItemReaderFailed", cause);
        let answer = self
            .runner
            .run(&call)
            .map_err(|f| reader_failed(format!("{}: {}", f.error, f.cause)))?;
        let config = reader.reader_config.as_ref();
        let mut items = if resource.ends_with("listObjectsV2") {
            match answer.result {
                Json::Array(a) => a,
                Json::Object(mut o) => match o.remove("Contents") {
                    Some(Json::Array(a)) => a,
                    _ => Vec::new(),
                },
                other => {
                    return Err(reader_failed(format!(
                        "the listing is {}, not a list of objects",
                        crate::paths::compact(&other)
                    )))
                }
            }
        } else {
            let text = match &answer.result {
                Json::String(s) => s.clone(),
                Json::Object(o) if o.get("Body").is_some_and(Json::is_string) => {
                    o["Body"].as_str().unwrap_or_default().to_string()
                }
                other => serde_json::to_string(other).unwrap_or_default(),
            };
            let input_type = config.and_then(|c| c.input_type).unwrap_or(InputType::Json);
            parse_items(
                &text,
                input_type,
                config.and_then(|c| c.csv_headers.as_ref()),
                config.and_then(|c| c.csv_delimiter),
            )
            .map_err(reader_failed)?
        };
        if let Some(max) = config.and_then(|c| c.max_items.as_ref()) {
            if let Some(n) = self.amount(env, Some(max), effective, frame)? {
                items.truncate(n as usize);
            }
        }
        Ok(items)
    }

    /// A Distributed Map's ResultWriter: `manifest.json`, `SUCCEEDED_0.json` and
    /// `FAILED_0.json` under `<prefix>/<map run id>/`, written through the runner.
    #[allow(clippy::too_many_arguments)]
    fn write_results(
        &mut self,
        env: &Env<'_>,
        writer: &constructs::stepfunctions::asl::ResultWriter,
        map_run_arn: &str,
        succeeded: &[(usize, Json, Json)],
        failed: &[(usize, Json, Failure)],
        effective: &Json,
        frame: &Frame,
    ) -> Result<Json, Failure> {
        let resource = writer
            .resource
            .as_ref()
            .map(plain)
            .and_then(|r| r.as_str().map(str::to_string))
            .unwrap_or_else(|| "arn:aws:states:::s3:putObject".to_string());
        let params = match (env.language, &writer.parameters, &writer.arguments) {
            (QueryLanguage::JsonPath, Some(p), _) => {
                self.payload(env, &plain(p), effective, frame)?
            }
            (QueryLanguage::Jsonata, _, Some(a)) => {
                self.jsonata_template(env, &plain(a), Seen::input(effective), frame)?
            }
            _ => json!({}),
        };
        let bucket = params.get("Bucket").cloned().unwrap_or(Json::Null);
        let prefix = params
            .get("Prefix")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        let run_id = map_run_arn.rsplit(':').next().unwrap_or_default();
        let base = if prefix.is_empty() {
            run_id.to_string()
        } else {
            format!("{prefix}/{run_id}")
        };
        let entry = |input: &Json, output: Option<&Json>, f: Option<&Failure>| {
            let mut o = JsonMap::new();
            o.insert("ExecutionArn".into(), json!(format!("{map_run_arn}/child")));
            o.insert("Input".into(), history::text(input));
            o.insert("InputDetails".into(), json!({"Included": true}));
            o.insert("Name".into(), json!("child"));
            if let Some(out) = output {
                o.insert("Output".into(), history::text(out));
                o.insert("OutputDetails".into(), json!({"Included": true}));
                o.insert("Status".into(), json!("SUCCEEDED"));
            }
            if let Some(f) = f {
                o.insert("Error".into(), json!(f.error));
                o.insert("Cause".into(), json!(f.cause));
                o.insert("Status".into(), json!("FAILED"));
            }
            Json::Object(o)
        };
        let mut files = Vec::new();
        if !succeeded.is_empty() {
            let body: Vec<Json> = succeeded
                .iter()
                .map(|(_, i, o)| entry(i, Some(o), None))
                .collect();
            files.push((
                "SUCCEEDED",
                format!("{base}/SUCCEEDED_0.json"),
                Json::Array(body),
            ));
        }
        if !failed.is_empty() {
            let body: Vec<Json> = failed
                .iter()
                .map(|(_, i, f)| entry(i, None, Some(f)))
                .collect();
            files.push(("FAILED", format!("{base}/FAILED_0.json"), Json::Array(body)));
        }
        let manifest_key = format!("{base}/manifest.json");
        let manifest = json!({
            "DestinationBucket": bucket,
            "MapRunArn": map_run_arn,
            "ResultFiles": files.iter().fold(JsonMap::new(), |mut acc, (kind, key, body)| {
                let size = serde_json::to_string(body).map(|s| s.len()).unwrap_or(0);
                acc.insert((*kind).to_string(), json!([{"Key": key, "Size": size}]));
                acc
            }),
        });
        let mut objects: Vec<(String, Json)> = files.into_iter().map(|(_, k, b)| (k, b)).collect();
        objects.push((manifest_key.clone(), manifest));
        for (key, body) in objects {
            let call_input = json!({"Bucket": bucket, "Key": key, "Body": serde_json::to_string(&body).unwrap_or_default()});
            let call = TaskCall {
                state: env.name,
                resource: &resource,
                input: &call_input,
                task_token: None,
                timeout_seconds: 99_999_999.0,
                credentials: None,
                purpose: Purpose::ResultWriter,
            };
            self.runner.run(&call).map_err(|f| {
                Failure::new(
                    "States.ResultWriterFailed",
                    format!("{}: {}", f.error, f.cause),
                )
            })?;
        }
        Ok(json!({"Bucket": bucket, "Key": manifest_key}))
    }
}

/// Items in batches: at most `per` items and `bytes` bytes each; `{"Items": [...]}` plus the
/// `BatchInput`.
fn batch(
    items: Vec<Json>,
    per: Option<usize>,
    bytes: Option<usize>,
    batch_input: Option<Json>,
) -> Vec<Json> {
    let per = per.filter(|n| *n > 0).unwrap_or(usize::MAX);
    let bytes = bytes.filter(|n| *n > 0).unwrap_or(256 * 1024);
    let mut out = Vec::new();
    let mut current: Vec<Json> = Vec::new();
    let mut size = 0;
    let wrap = |items: Vec<Json>| {
        let mut o = JsonMap::new();
        if let Some(b) = &batch_input {
            o.insert("BatchInput".into(), b.clone());
        }
        o.insert("Items".into(), Json::Array(items));
        Json::Object(o)
    };
    for item in items {
        let n = serde_json::to_string(&item).map(|s| s.len()).unwrap_or(0);
        if !current.is_empty() && (current.len() >= per || size + n > bytes) {
            out.push(wrap(std::mem::take(&mut current)));
            size = 0;
        }
        size += n;
        current.push(item);
    }
    if !current.is_empty() {
        out.push(wrap(current));
    }
    out
}

/// The items of an object as its ReaderConfig reads it.
fn parse_items(
    text: &str,
    input_type: InputType,
    headers: Option<&CsvHeaders>,
    delimiter: Option<CsvDelimiter>,
) -> Result<Vec<Json>, String> {
    match input_type {
        InputType::Json => match serde_json::from_str::<Json>(text) {
            Ok(Json::Array(items)) => Ok(items),
            Ok(other) => Err(format!(
                "the object holds {}, not a JSON array",
                crate::paths::compact(&other)
            )),
            Err(e) => Err(format!("the object is not JSON: {e}")),
        },
        InputType::Jsonl => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| format!("line {} is not JSON: {e}", i + 1))
            })
            .collect(),
        InputType::Csv => {
            let sep = match delimiter {
                Some(CsvDelimiter::Semicolon) => ';',
                Some(CsvDelimiter::Tab) => '\t',
                Some(CsvDelimiter::Space) => ' ',
                Some(CsvDelimiter::Pipe) => '|',
                Some(CsvDelimiter::Comma) | None => ',',
            };
            let mut lines = text.lines().filter(|l| !l.is_empty());
            let names: Vec<String> = match headers {
                Some(CsvHeaders::Given(names)) => names.clone(),
                _ => match lines.next() {
                    Some(l) => split_csv(l, sep),
                    None => return Ok(Vec::new()),
                },
            };
            Ok(lines
                .map(|l| {
                    let values = split_csv(l, sep);
                    Json::Object(
                        names
                            .iter()
                            .enumerate()
                            .map(|(i, n)| {
                                (n.clone(), json!(values.get(i).cloned().unwrap_or_default()))
                            })
                            .collect(),
                    )
                })
                .collect())
        }
        other => Err(format!(
            "an ItemReader of InputType {} cannot be read locally",
            other.as_str()
        )),
    }
}

/// One CSV line: fields split at `sep`, double quotes around a field removed (`""` is `"`).
fn split_csv(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_at_most_their_items() {
        let items: Vec<Json> = (0..5).map(|i| json!(i)).collect();
        let out = batch(items, Some(2), None, Some(json!({"k": 1})));
        assert_eq!(out.len(), 3);
        assert_eq!(out[0], json!({"BatchInput": {"k": 1}, "Items": [0, 1]}));
        assert_eq!(out[2], json!({"BatchInput": {"k": 1}, "Items": [4]}));
    }

    #[test]
    fn csv_with_a_header_row_and_quotes() {
        let out = parse_items("a,b\n1,\"x, \"\"y\"\"\"\n", InputType::Csv, None, None).unwrap();
        assert_eq!(out, vec![json!({"a": "1", "b": "x, \"y\""})]);
    }
}
