//! The CloudFormation custom-resource protocol for a Rust Lambda handler.
//!
//! CloudFormation invokes a custom resource's function with an event (Create, Update or
//! Delete, the resource's properties, and a presigned `ResponseURL`) and then waits for one
//! JSON object to be PUT to that URL: `SUCCESS` with a physical id and attributes, or
//! `FAILED` with a reason
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html>,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html>).
//! A handler that errs, panics or runs out of time without answering leaves the stack waiting
//! for the resource's `ServiceTimeout` (an hour unless the template says otherwise).
//!
//! [`run`] answers every request whatever the handler does:
//! - the handler's `Ok(Response)` is sent as `SUCCESS`;
//! - an `Err`, a panic, properties that do not match the handler's type, or the handler still
//!   running when the function's time is nearly up are sent as `FAILED`, with the reason;
//! - a create that failed answers with a physical id of its own, so the Delete that
//!   CloudFormation sends when it rolls the create back succeeds without calling the handler
//!   (there is nothing to delete);
//! - a response over CloudFormation's 4,096 bytes is sent as `FAILED` saying so.
//!
//! ```no_run
//! use rcdk_custom_resource::{Error, Event, Request, Response};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(rename_all = "PascalCase")]
//! struct Greeting { name: String }
//!
//! async fn greet(event: Event<Greeting>) -> Result<Response, Error> {
//!     match event.request {
//!         Request::Create { properties } | Request::Update { properties, .. } => {
//!             Ok(Response::new().data("Message", format!("hello, {}", properties.name)))
//!         }
//!         Request::Delete { .. } => Ok(Response::new()),
//!     }
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> Result<(), Error> {
//!     rcdk_custom_resource::run(greet).await
//! }
//! ```
//!
//! CloudFormation passes every property value as a string (numbers and booleans included), so
//! the properties type reads strings.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use tokio::time::Instant;

pub use lambda_runtime::Error;

/// The most bytes of a response object CloudFormation accepts.
pub const MAX_RESPONSE_BYTES: usize = 4096;
/// The longest physical id CloudFormation accepts, in bytes.
pub const MAX_PHYSICAL_ID_BYTES: usize = 1024;
/// The physical id of a create that failed is this followed by the request id.
pub const FAILED_CREATE_PREFIX: &str = "rcdk-failed-create:";

/// What CloudFormation asks of the resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Request<P> {
    /// Make the resource.
    Create {
        /// Its properties.
        properties: P,
    },
    /// Change it. Answering with another physical id replaces it: CloudFormation then sends a
    /// Delete for the old one once the stack's update has succeeded.
    Update {
        /// The id the resource has.
        physical_id: String,
        /// The new properties.
        properties: P,
        /// The properties it had.
        old_properties: P,
    },
    /// Remove it.
    Delete {
        /// The id the resource has.
        physical_id: String,
        /// Its properties.
        properties: P,
    },
}

/// One request of CloudFormation, its properties read as `P`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<P> {
    /// What to do.
    pub request: Request<P>,
    /// The request's id (unique per request).
    pub request_id: String,
    /// The stack's ARN.
    pub stack_id: String,
    /// The resource's logical id in the template.
    pub logical_resource_id: String,
    /// The resource's type (`Custom::Name`).
    pub resource_type: String,
}

/// A successful answer: the physical id and the attributes `Fn::GetAtt` reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    physical_id: Option<String>,
    data: Map<String, Json>,
    no_echo: bool,
}

impl Response {
    /// An answer that keeps the physical id (on create: the request's id).
    pub fn new() -> Self {
        Self::default()
    }

    /// The resource's physical id (what `Ref` gives).
    pub fn physical_id(mut self, id: impl Into<String>) -> Self {
        self.physical_id = Some(id.into());
        self
    }

    /// An attribute, read in the template with `Fn::GetAtt`.
    pub fn data(mut self, key: impl Into<String>, value: impl Into<Json>) -> Self {
        self.data.insert(key.into(), value.into());
        self
    }

    /// Masks the attributes in CloudFormation's describe calls (and in this crate's log line).
    pub fn no_echo(mut self) -> Self {
        self.no_echo = true;
        self
    }
}

/// The outcome sent to CloudFormation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `SUCCESS`.
    Success,
    /// `FAILED`.
    Failed,
}

/// The response object as it is PUT to the response URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Success or failure.
    pub status: Status,
    /// Why it failed.
    pub reason: Option<String>,
    /// The physical id.
    pub physical_id: String,
    /// The attributes.
    pub data: Map<String, Json>,
    /// Whether the attributes are masked.
    pub no_echo: bool,
    stack_id: String,
    request_id: String,
    logical_resource_id: String,
}

impl Answer {
    /// The JSON body CloudFormation reads.
    pub fn body(&self) -> Vec<u8> {
        let mut o = Map::new();
        let status = match self.status {
            Status::Success => "SUCCESS",
            Status::Failed => "FAILED",
        };
        o.insert("Status".into(), status.into());
        if let Some(reason) = &self.reason {
            o.insert("Reason".into(), reason.clone().into());
        }
        o.insert("PhysicalResourceId".into(), self.physical_id.clone().into());
        o.insert("StackId".into(), self.stack_id.clone().into());
        o.insert("RequestId".into(), self.request_id.clone().into());
        o.insert(
            "LogicalResourceId".into(),
            self.logical_resource_id.clone().into(),
        );
        if self.no_echo {
            o.insert("NoEcho".into(), true.into());
        }
        if !self.data.is_empty() {
            o.insert("Data".into(), Json::Object(self.data.clone()));
        }
        serde_json::to_vec(&Json::Object(o)).unwrap_or_default()
    }

    fn failed(&mut self, reason: String) {
        self.status = Status::Failed;
        self.data.clear();
        self.no_echo = false;
        self.reason = Some(reason);
    }
}

/// The event as CloudFormation sends it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawEvent {
    request_type: String,
    stack_id: String,
    request_id: String,
    logical_resource_id: String,
    #[serde(default)]
    resource_type: String,
    #[serde(default)]
    physical_resource_id: Option<String>,
    #[serde(default)]
    resource_properties: Map<String, Json>,
    #[serde(default)]
    old_resource_properties: Option<Map<String, Json>>,
}

/// Runs `handler` as the function's handler until Lambda stops the process.
pub async fn run<P, F, Fut>(handler: F) -> Result<(), Error>
where
    P: DeserializeOwned + Send + 'static,
    F: Fn(Event<P>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response, Error>> + Send + 'static,
{
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<Json>| {
            let handler = handler.clone();
            async move {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64);
                let left = Duration::from_millis(event.context.deadline.saturating_sub(now));
                process(event.payload, left, handler).await.map(|_| ())
            }
        },
    ))
    .await
}

/// Answers one event: runs the handler within `time_left` (less what sending the answer
/// needs), PUTs the answer to the event's response URL and gives it back. An error means no
/// answer could be sent (an event without a response URL, or a URL that refuses it).
pub async fn process<P, F, Fut>(
    event: Json,
    time_left: Duration,
    handler: F,
) -> Result<Answer, Error>
where
    P: DeserializeOwned + Send + 'static,
    F: FnOnce(Event<P>) -> Fut,
    Fut: Future<Output = Result<Response, Error>> + Send + 'static,
{
    let start = Instant::now();
    let text = |key: &str| text_of(&event, key);
    let url = text("ResponseURL");
    if url.is_empty() {
        return Err("the event has no ResponseURL: nothing can answer CloudFormation".into());
    }
    let what = format!(
        "{} {} {}",
        text("RequestType"),
        text("ResourceType"),
        text("LogicalResourceId")
    );
    let answer = answer(event, margin_of(time_left), handler).await;
    match (&answer.status, &answer.reason) {
        (Status::Success, _) if answer.no_echo => {
            println!(
                "{what}: SUCCESS, physical id {} (attributes masked)",
                answer.physical_id
            )
        }
        (Status::Success, _) => println!(
            "{what}: SUCCESS, physical id {}, attributes {}",
            answer.physical_id,
            Json::Object(answer.data.clone())
        ),
        (Status::Failed, reason) => {
            println!("{what}: FAILED: {}", reason.as_deref().unwrap_or_default())
        }
    }
    put(&url, answer.body(), start + time_left).await?;
    Ok(answer)
}

/// A string member of the event, empty when it has none.
fn text_of(event: &Json, key: &str) -> String {
    event
        .get(key)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

/// How long the handler may run of the time left: enough is kept to send the answer.
fn margin_of(time_left: Duration) -> Duration {
    let keep = (time_left / 10).clamp(Duration::from_secs(1), Duration::from_secs(5));
    time_left.saturating_sub(keep)
}

/// The answer to an event (without sending it), the handler given `budget` to finish.
pub async fn answer<P, F, Fut>(event: Json, budget: Duration, handler: F) -> Answer
where
    P: DeserializeOwned + Send + 'static,
    F: FnOnce(Event<P>) -> Fut,
    Fut: Future<Output = Result<Response, Error>> + Send + 'static,
{
    let id = |key: &str| text_of(&event, key);
    let mut answer = Answer {
        status: Status::Success,
        reason: None,
        physical_id: id("PhysicalResourceId"),
        data: Map::new(),
        no_echo: false,
        stack_id: id("StackId"),
        request_id: id("RequestId"),
        logical_resource_id: id("LogicalResourceId"),
    };
    let raw = match serde_json::from_value::<RawEvent>(event) {
        Ok(raw) => raw,
        Err(e) => {
            if answer.physical_id.is_empty() {
                answer.physical_id = format!("{FAILED_CREATE_PREFIX}{}", answer.request_id);
            }
            answer.failed(format!("the event is not a custom-resource request: {e}"));
            return fit(answer);
        }
    };
    answer = Answer {
        status: Status::Success,
        reason: None,
        physical_id: raw.physical_resource_id.clone().unwrap_or_default(),
        data: Map::new(),
        no_echo: false,
        stack_id: raw.stack_id.clone(),
        request_id: raw.request_id.clone(),
        logical_resource_id: raw.logical_resource_id.clone(),
    };
    let creating = raw.request_type == "Create";
    if creating {
        answer.physical_id = format!("{FAILED_CREATE_PREFIX}{}", raw.request_id);
    }
    // the rollback of a create that failed: nothing was made
    if raw.request_type == "Delete"
        && raw
            .physical_resource_id
            .as_deref()
            .is_some_and(|id| id.starts_with(FAILED_CREATE_PREFIX))
    {
        return answer;
    }
    let event = match event_of::<P>(raw) {
        Ok(event) => event,
        Err(reason) => {
            answer.failed(reason);
            return fit(answer);
        }
    };
    let task = tokio::spawn(handler(event));
    let abort = task.abort_handle();
    match tokio::time::timeout(budget, task).await {
        Ok(Ok(Ok(response))) => {
            if let Some(id) = response.physical_id {
                answer.physical_id = id;
            } else if creating {
                answer.physical_id = answer.request_id.clone();
            }
            answer.data = response.data;
            answer.no_echo = response.no_echo;
            if answer.physical_id.is_empty() || answer.physical_id.len() > MAX_PHYSICAL_ID_BYTES {
                let n = answer.physical_id.len();
                answer.physical_id = if creating {
                    format!("{FAILED_CREATE_PREFIX}{}", answer.request_id)
                } else {
                    String::new()
                };
                answer.failed(format!(
                    "the handler's physical id is {n} bytes; CloudFormation takes 1 to {MAX_PHYSICAL_ID_BYTES}"
                ));
            }
        }
        Ok(Ok(Err(error))) => answer.failed(error_chain(&*error)),
        Ok(Err(join)) => {
            let message = join
                .try_into_panic()
                .ok()
                .and_then(|p| {
                    p.downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| p.downcast_ref::<String>().cloned())
                })
                .unwrap_or_else(|| "no message".into());
            answer.failed(format!("the handler panicked: {message}"));
        }
        Err(_) => {
            abort.abort();
            answer.failed(format!(
                "the handler did not finish within {} s (the function's time left less what \
                 answering CloudFormation needs); raise the function's timeout or do less per request",
                budget.as_secs_f32().round()
            ));
        }
    }
    fit(answer)
}

fn event_of<P: DeserializeOwned>(raw: RawEvent) -> Result<Event<P>, String> {
    let props = |mut map: Map<String, Json>, which: &str| -> Result<P, String> {
        // CloudFormation's own keys, not the resource's
        map.remove("ServiceToken");
        map.remove("ServiceTimeout");
        serde_json::from_value(Json::Object(map)).map_err(|e| {
            format!("{which}: {e} (CloudFormation passes every property value as a string)")
        })
    };
    let physical = |id: Option<String>| {
        id.filter(|id| !id.is_empty()).ok_or_else(|| {
            format!(
                "a {} request without a PhysicalResourceId",
                raw.request_type
            )
        })
    };
    let request = match raw.request_type.as_str() {
        "Create" => Request::Create {
            properties: props(raw.resource_properties, "ResourceProperties")?,
        },
        "Update" => Request::Update {
            physical_id: physical(raw.physical_resource_id.clone())?,
            properties: props(raw.resource_properties, "ResourceProperties")?,
            old_properties: props(
                raw.old_resource_properties.unwrap_or_default(),
                "OldResourceProperties",
            )?,
        },
        "Delete" => Request::Delete {
            physical_id: physical(raw.physical_resource_id.clone())?,
            properties: props(raw.resource_properties, "ResourceProperties")?,
        },
        other => {
            return Err(format!(
                "RequestType {other:?} is none of Create, Update, Delete"
            ))
        }
    };
    Ok(Event {
        request,
        request_id: raw.request_id,
        stack_id: raw.stack_id,
        logical_resource_id: raw.logical_resource_id,
        resource_type: raw.resource_type,
    })
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Keeps the response object within CloudFormation's 4,096 bytes: a long reason is cut, and
/// a success whose attributes do not fit becomes a failure saying so.
fn fit(mut answer: Answer) -> Answer {
    let size = answer.body().len();
    if size <= MAX_RESPONSE_BYTES {
        return answer;
    }
    if answer.status == Status::Success {
        answer.failed(format!(
            "the response is {size} bytes; CloudFormation accepts {MAX_RESPONSE_BYTES}: \
             return fewer or shorter attributes"
        ));
    }
    let over = answer.body().len().saturating_sub(MAX_RESPONSE_BYTES);
    if let Some(reason) = answer.reason.as_mut().filter(|_| over > 0) {
        // JSON escapes take up to 6 bytes per character
        let mut cut = reason.len().saturating_sub(over * 6 + 8);
        while cut > 0 && !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        reason.truncate(cut);
        reason.push_str(" [cut]");
    }
    answer
}

/// PUTs the answer to the response URL, retrying a connection error or a 5xx answer until
/// `until`; a 4xx answer (an expired URL, say) is final.
async fn put(url: &str, body: Vec<u8>, until: Instant) -> Result<(), Error> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| format!("the ResponseURL is not a URL: {e}"))?;
    if !matches!(uri.scheme_str(), Some("https" | "http")) {
        return Err("the ResponseURL is neither https nor http".into());
    }
    let mut wait = Duration::from_millis(500);
    let mut last = String::from("no time was left to send it");
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("cannot send the answer to CloudFormation: {last}").into());
        }
        // the presigned URL is signed without a Content-Type
        let request = hyper::Request::put(uri.clone())
            .header("content-type", "")
            .body(body.clone())?;
        match http::send(request, left.min(Duration::from_secs(10)), 4096).await {
            Ok((status, _)) if (200..300).contains(&status) => return Ok(()),
            Ok((status, text)) => {
                let reason = hyper::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or_default();
                let text: String = String::from_utf8_lossy(&text).chars().take(300).collect();
                last = format!("the response URL answered {status} {reason}: {text}");
                if (400..500).contains(&status) {
                    return Err(format!("cannot send the answer to CloudFormation: {last}").into());
                }
            }
            Err(e) => last = e.to_string(),
        }
        let left = until.saturating_duration_since(Instant::now());
        tokio::time::sleep(wait.min(left)).await;
        wait = (wait * 2).min(Duration::from_secs(4));
    }
}

/// One HTTP request over http or https (the system's certificates, HTTP/1.1), for a handler's
/// own calls too.
pub mod http {
    use super::*;

    /// Sends `request` and reads the answer: its status and at most `max` bytes of body (an
    /// answer over `max` is an error). `within` bounds the whole exchange.
    pub async fn send(
        request: hyper::Request<Vec<u8>>,
        within: Duration,
        max: usize,
    ) -> Result<(u16, Vec<u8>), Error> {
        let (parts, body) = request.into_parts();
        let request = hyper::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let exchange = async {
            match request.uri().scheme_str() {
                Some("https") => {
                    let https = hyper_rustls::HttpsConnectorBuilder::new()
                        .with_provider_and_native_roots(
                            rustls::crypto::aws_lc_rs::default_provider(),
                        )
                        .map_err(|e| format!("cannot load the system's certificates: {e}"))?
                        .https_only()
                        .enable_http1()
                        .build();
                    read(
                        Client::builder(TokioExecutor::new()).build(https),
                        request,
                        max,
                    )
                    .await
                }
                Some("http") => {
                    let http = HttpConnector::new();
                    read(
                        Client::builder(TokioExecutor::new()).build(http),
                        request,
                        max,
                    )
                    .await
                }
                _ => Err("the URL is neither https nor http".into()),
            }
        };
        match tokio::time::timeout(within, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {} s", within.as_secs_f32().round()).into()),
        }
    }

    async fn read<C>(
        client: Client<C, Full<Bytes>>,
        request: hyper::Request<Full<Bytes>>,
        max: usize,
    ) -> Result<(u16, Vec<u8>), Error>
    where
        C: Connect + Clone + Send + Sync + 'static,
    {
        let response = client.request(request).await.map_err(|e| error_chain(&e))?;
        let status = response.status().as_u16();
        let limited = http_body_util::Limited::new(response.into_body(), max);
        let body = limited
            .collect()
            .await
            .map_err(|e| format!("the answer could not be read (or is over {max} bytes): {e}"))?
            .to_bytes();
        Ok((status, body.to_vec()))
    }
}
