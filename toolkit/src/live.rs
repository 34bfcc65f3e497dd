//! Live task calls for `rcdk run --live`: the service integrations of a machine sent to
//! AWS, or to `AWS_ENDPOINT_URL` (moto, LocalStack), with the request and response shapes of
//! Step Functions' integrations.
//!
//! DynamoDB, SQS and EventBridge speak JSON on the wire in the very shape their integrations
//! take (`{"TableName": ..., "Item": {"id": {"S": "1"}}}`), so their calls go out as signed
//! JSON requests and come back as the service answered (a JSON message body or event detail
//! sent as its text, as Step Functions does); Step Functions' own API takes camelCase members,
//! so its calls are translated both ways (`sfn`); SNS takes the same fields as a form; Lambda's
//! Invoke is one REST call; S3 goes through the SDK's typed client; Secrets Manager's and
//! Systems Manager's SDK calls are signed JSON 1.1 requests.

mod sfn;

use rcdk_local::{lambda, Failure, Purpose, TaskAnswer, TaskCall, TaskRunner};
use serde_json::{json, Value as Json};

use crate::aws::Aws;
use crate::error::DeployError;
use crate::signed::{Answer, CallError, Signed};

/// How long a Lambda invocation's answer is awaited: the longest a function may run (900 s,
/// Lambda's quota on a function's timeout) and a little more.
const LAMBDA_ANSWER: std::time::Duration = std::time::Duration::from_secs(910);

/// A call that got no answer from the service (none in time, or none readable): the task
/// fails with `States.Runtime`, its cause what failed and where the request went. (A service's
/// own error is the task's error, named as Step Functions names it, by the caller.)
fn call_failed(e: &CallError) -> Failure {
    Failure::runtime(e.to_string())
}

/// Calls the services a machine's tasks use.
pub struct Live {
    runtime: tokio::runtime::Runtime,
    aws: Aws,
    signed: Signed,
}

impl Live {
    /// Connects (region and credentials checked once, before the run).
    pub fn connect(profile: Option<&str>, region: Option<&str>) -> Result<Live, DeployError> {
        let runtime = crate::commands::context::current_thread_runtime()?;
        let aws = runtime.block_on(crate::aws::connect(profile, region))?;
        let signed = Signed::new(&aws);
        Ok(Live {
            runtime,
            aws,
            signed,
        })
    }

    /// The region calls go to.
    pub fn region(&self) -> &str {
        &self.aws.region
    }

    /// A SigV4-signed request to `service`, answered (within rcdk's timeouts).
    fn send(
        &self,
        service: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Answer, Failure> {
        self.runtime
            .block_on(self.signed.send(service, method, path, headers, body))
            .map_err(|e| call_failed(&e))
    }

    /// A call to a JSON-protocol service (`DynamoDB_20120810.PutItem`); its error named
    /// `<prefix>.<exception>` as Step Functions names it.
    fn json_call(
        &self,
        service: &str,
        target: &str,
        body: &Json,
        prefix: &str,
    ) -> Result<Json, Failure> {
        self.json_call_as("application/x-amz-json-1.0", service, target, body, prefix)
    }

    /// [`Live::json_call`] in the JSON protocol version the service speaks (EventBridge's is
    /// 1.1).
    fn json_call_as(
        &self,
        content_type: &str,
        service: &str,
        target: &str,
        body: &Json,
        prefix: &str,
    ) -> Result<Json, Failure> {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let answer = self.send(
            service,
            "POST",
            "/",
            &[("content-type", content_type), ("x-amz-target", target)],
            bytes,
        )?;
        if let Some((kind, message)) = answer.error_parts() {
            return Err(Failure::new(
                format!("{prefix}.{kind}"),
                format!(
                    "{message} (Service: {service}, Status Code: {})",
                    answer.status
                ),
            ));
        }
        Ok(answer.json())
    }

    /// `sqs:sendMessage`: SQS's JSON protocol, the body sent as its text when it is JSON (as
    /// Step Functions does).
    fn sqs_send_message(&self, input: &Json) -> Result<Json, Failure> {
        let mut body = input.clone();
        as_text(&mut body, "MessageBody");
        self.json_call("sqs", "AmazonSQS.SendMessage", &body, "SQS")
    }

    /// `events:putEvents`: each entry's `Detail` sent as its text; an entry EventBridge
    /// refuses fails the task with `EventBridge.FailedEntry`, as Step Functions does.
    fn put_events(&self, input: &Json) -> Result<Json, Failure> {
        let mut body = input.clone();
        if let Some(entries) = body.get_mut("Entries").and_then(Json::as_array_mut) {
            for entry in entries {
                as_text(entry, "Detail");
            }
        }
        let out = self.json_call_as(
            "application/x-amz-json-1.1",
            "events",
            "AWSEvents.PutEvents",
            &body,
            "EventBridge",
        )?;
        if out["FailedEntryCount"].as_u64().unwrap_or(0) > 0 {
            return Err(Failure::new("EventBridge.FailedEntry", out.to_string()));
        }
        Ok(out)
    }

    /// `sns:publish`: SNS's query protocol (a form in, XML out), the message sent as its
    /// text when it is JSON; the answer's `MessageId` (and a FIFO topic's `SequenceNumber`).
    fn sns_publish(&self, input: &Json) -> Result<Json, Failure> {
        let mut input = input.clone();
        as_text(&mut input, "Message");
        let input = &input;
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", "Publish");
        form.append_pair("Version", "2010-03-31");
        let Some(fields) = input.as_object() else {
            return Err(Failure::new(
                "States.Runtime",
                format!("sns:publish takes an object, not {input}"),
            ));
        };
        for (key, value) in fields {
            match (key.as_str(), value) {
                ("MessageAttributes", Json::Object(attributes)) => {
                    for (n, (name, attribute)) in attributes.iter().enumerate() {
                        let at = format!("MessageAttributes.entry.{}", n + 1);
                        form.append_pair(&format!("{at}.Name"), name);
                        for part in ["DataType", "StringValue", "BinaryValue"] {
                            if let Some(v) = attribute[part].as_str() {
                                form.append_pair(&format!("{at}.Value.{part}"), v);
                            }
                        }
                    }
                }
                (_, Json::String(text)) => {
                    form.append_pair(key, text);
                }
                (_, other) => {
                    form.append_pair(key, &other.to_string());
                }
            }
        }
        let answer = self.send(
            "sns",
            "POST",
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            form.finish().into_bytes(),
        )?;
        let xml = String::from_utf8_lossy(&answer.body);
        if answer.status >= 300 {
            let code = xml_text(&xml, "Code").unwrap_or("ServiceException");
            let message = xml_text(&xml, "Message").unwrap_or_default();
            return Err(Failure::new(
                format!("SNS.{code}"),
                format!("{message} (Service: sns, Status Code: {})", answer.status),
            ));
        }
        let mut out = json!({"MessageId": xml_text(&xml, "MessageId").unwrap_or_default()});
        if let Some(sequence) = xml_text(&xml, "SequenceNumber") {
            out["SequenceNumber"] = json!(sequence);
        }
        Ok(out)
    }

    /// Lambda's Invoke: the function's output, or its error as Step Functions reports it.
    fn invoke(&self, function: &str, payload: &Json) -> Result<Json, Failure> {
        let path = format!("/2015-03-31/functions/{function}/invocations");
        // a function may run 900 s (Lambda's largest timeout): its answer is awaited as long
        let answer = self
            .runtime
            .block_on(self.signed.send_within(
                "lambda",
                "POST",
                &path,
                &[("content-type", "application/json")],
                serde_json::to_vec(payload).unwrap_or_default(),
                LAMBDA_ANSWER,
            ))
            .map_err(|e| call_failed(&e))?;
        if let Some((kind, message)) = answer.error_parts() {
            return Err(Failure::new(format!("Lambda.{kind}"), message));
        }
        let v = answer.json();
        if answer.function_error.is_some() {
            let kind = v["errorType"]
                .as_str()
                .unwrap_or("Lambda.Unknown")
                .to_string();
            return Err(Failure::new(kind, v.to_string()));
        }
        Ok(v)
    }

    /// S3 through the SDK: the operations Distributed Maps and common tasks use.
    fn s3(&self, op: &str, p: &Json) -> Result<Json, Failure> {
        let s3 = &self.aws.s3;
        let text = |k: &str| p[k].as_str().map(str::to_string);
        let failed = |e: &dyn aws_sdk_s3::error::ProvideErrorMetadata| {
            Failure::new(
                format!("S3.{}", e.code().unwrap_or("S3Exception")),
                e.message().unwrap_or_default().to_string(),
            )
        };
        self.runtime.block_on(async {
            match op {
                "getObject" => {
                    let out = s3
                        .get_object()
                        .set_bucket(text("Bucket"))
                        .set_key(text("Key"))
                        .send()
                        .await
                        .map_err(|e| failed(&e))?;
                    let etag = out.e_tag().map(str::to_string);
                    let content_type = out.content_type().map(str::to_string);
                    let bytes = out.body.collect().await.map_err(|e| Failure::new("S3.S3Exception", e.to_string()))?.into_bytes();
                    Ok(json!({
                        "Body": String::from_utf8_lossy(&bytes),
                        "ContentLength": bytes.len(),
                        "ContentType": content_type,
                        "ETag": etag,
                    }))
                }
                "putObject" => {
                    let body = match &p["Body"] {
                        Json::String(s) => s.clone().into_bytes(),
                        Json::Null => Vec::new(),
                        other => other.to_string().into_bytes(),
                    };
                    let out = s3
                        .put_object()
                        .set_bucket(text("Bucket"))
                        .set_key(text("Key"))
                        .body(body.into())
                        .send()
                        .await
                        .map_err(|e| failed(&e))?;
                    Ok(json!({"ETag": out.e_tag()}))
                }
                "listObjectsV2" => {
                    let mut contents = Vec::new();
                    let mut token: Option<String> = text("ContinuationToken");
                    loop {
                        let out = s3
                            .list_objects_v2()
                            .set_bucket(text("Bucket"))
                            .set_prefix(text("Prefix"))
                            .set_continuation_token(token.clone())
                            .send()
                            .await
                            .map_err(|e| failed(&e))?;
                        for o in out.contents() {
                            contents.push(json!({
                                "Key": o.key(),
                                "Size": o.size(),
                                "ETag": o.e_tag(),
                                "LastModified": o.last_modified().map(|t| t.to_string()),
                                "StorageClass": o.storage_class().map(|c| c.as_str().to_string()),
                            }));
                        }
                        token = out.next_continuation_token().map(str::to_string);
                        if token.is_none() {
                            break;
                        }
                    }
                    Ok(json!({"Contents": contents, "IsTruncated": false, "KeyCount": contents.len()}))
                }
                other => Err(Failure::new(
                    "rcdk.Unsupported",
                    format!("S3's {other} is not called live by rcdk run; mock the state"),
                )),
            }
        })
    }
}

/// `putItem` → `PutItem`.
fn pascal(op: &str) -> String {
    let mut c = op.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

impl TaskRunner for Live {
    fn run(&mut self, call: &TaskCall<'_>) -> Result<TaskAnswer, Failure> {
        let started = std::time::Instant::now();
        let result = dispatch(self, call)?;
        Ok(TaskAnswer {
            result,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

fn dispatch(live: &Live, call: &TaskCall<'_>) -> Result<Json, Failure> {
    if let Some(inv) = lambda::invocation(call) {
        if call.resource.contains(".waitForTaskToken") {
            return Err(unsupported(call));
        }
        let out = live.invoke(&inv.function, &inv.payload)?;
        return Ok(lambda::answer(&inv, out));
    }
    let integration = call.resource.split(":::").nth(1).unwrap_or_default();
    let parts: Vec<&str> = integration.split(':').collect();
    match parts.as_slice() {
        ["dynamodb", op] => live.json_call(
            "dynamodb",
            &format!("DynamoDB_20120810.{}", pascal(op)),
            call.input,
            "DynamoDB",
        ),
        ["aws-sdk", "dynamodb", op] => live.json_call(
            "dynamodb",
            &format!("DynamoDB_20120810.{}", pascal(op)),
            call.input,
            "DynamoDb",
        ),
        ["states", "startExecution"] => {
            live.start_execution(call.input, sfn::Wait::No, call.timeout_seconds)
        }
        ["states", "startExecution.sync"] => {
            live.start_execution(call.input, sfn::Wait::Sync, call.timeout_seconds)
        }
        ["states", "startExecution.sync", "2"] => {
            live.start_execution(call.input, sfn::Wait::Sync2, call.timeout_seconds)
        }
        ["aws-sdk", "sfn", op] => live.sdk_sfn(op, call.input),
        ["s3", op]
            if call.purpose != Purpose::Task
                || matches!(*op, "getObject" | "putObject" | "listObjectsV2") =>
        {
            live.s3(op, call.input)
        }
        ["aws-sdk", "s3", op] => live.s3(op, call.input),
        // Secrets Manager and Systems Manager speak JSON 1.1 in the shape their SDK
        // integrations take (`{"SecretId": ...}`, `{"Name": ...}`); errors named as Step
        // Functions names an SDK integration's (`SecretsManager.ResourceNotFoundException`)
        ["aws-sdk", "secretsmanager", op] => live.json_call_as(
            "application/x-amz-json-1.1",
            "secretsmanager",
            &format!("secretsmanager.{}", pascal(op)),
            call.input,
            "SecretsManager",
        ),
        ["aws-sdk", "ssm", op] => live.json_call_as(
            "application/x-amz-json-1.1",
            "ssm",
            &format!("AmazonSSM.{}", pascal(op)),
            call.input,
            "Ssm",
        ),
        ["sqs", "sendMessage"] => live.sqs_send_message(call.input),
        ["sns", "publish"] => live.sns_publish(call.input),
        ["events", "putEvents"] => live.put_events(call.input),
        _ => Err(unsupported(call)),
    }
}

/// Step Functions sends a JSON value of these fields (`MessageBody`, `Message`, `Detail`) as
/// its text.
fn as_text(object: &mut Json, field: &str) {
    if let Some(value) = object.get_mut(field) {
        if !value.is_string() && !value.is_null() {
            *value = Json::String(value.to_string());
        }
    }
}

/// The text of the first `<tag>` element of an XML answer (SNS's query protocol).
fn xml_text<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(&xml[start..end])
}

fn unsupported(call: &TaskCall<'_>) -> Failure {
    Failure::new(
        "rcdk.Unsupported",
        format!(
            "The Task state '{}' calls {}, which rcdk run does not call live: mock the state",
            call.state, call.resource
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_go_as_text_and_xml_answers_are_read() {
        let mut entry = json!({"Detail": {"id": 1}, "Source": "shop"});
        as_text(&mut entry, "Detail");
        assert_eq!(entry, json!({"Detail": "{\"id\":1}", "Source": "shop"}));
        let mut text = json!({"MessageBody": "as is"});
        as_text(&mut text, "MessageBody");
        assert_eq!(text, json!({"MessageBody": "as is"}));
        let xml = "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>";
        assert_eq!(xml_text(xml, "MessageId"), Some("m-1"));
        assert_eq!(xml_text(xml, "SequenceNumber"), None);
        assert_eq!(xml_text("<Code>NotFound", "Code"), None);
    }

    #[test]
    fn operations_are_named_as_the_wire_names_them() {
        assert_eq!(pascal("putItem"), "PutItem");
        assert_eq!(pascal("listObjectsV2"), "ListObjectsV2");
    }
}
