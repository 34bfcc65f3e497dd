//! Signed requests to AWS services that speak JSON on the wire (DynamoDB, Step Functions,
//! CloudWatch Logs, Lambda's REST API): the body sent as given, SigV4-signed with the
//! configuration's credentials, to AWS or `AWS_ENDPOINT_URL`. `run --live`, the hotswap and
//! `logs` use it; the SDK's typed clients would each be another crate to compile.
//!
//! Each call has the SDK clients' bounds ([`crate::aws`]): 10 s to connect, 30 s for the
//! answer's first byte (longer for a Lambda invocation, [`Signed::send_within`]), the same
//! again for its body, and the command's deadline over all; an answer over [`MAX_ANSWER`]
//! bytes is refused rather than held in memory.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use serde_json::Value as Json;

use crate::aws::{Aws, CONNECT_TIMEOUT, READ_TIMEOUT};
use crate::ui::mask_urls;

/// The largest answer read: a Lambda's answer is at most 6 MB, a page of CloudWatch Logs 1 MB,
/// anything Step Functions reads 256 KiB.
pub const MAX_ANSWER: usize = 32 * 1024 * 1024;

/// Why a signed call failed: no answer in time, the service's error, the way there, or an
/// answer that is not what the service speaks. Its text names the service and where the
/// request went (an endpoint's `user:password` masked).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// No answer in time: within one call's read timeout, or (`deadline`) within the
    /// command's deadline (`--timeout`).
    #[error("{service}: {url}: no answer within {}", waited(*within, *deadline))]
    NoAnswer {
        /// The service (`lambda`, `states`, `logs`).
        service: String,
        /// Where the request went.
        url: String,
        /// How long it was awaited.
        within: Duration,
        /// Whether that was the command's deadline rather than the call's own timeout.
        deadline: bool,
    },
    /// The service answered with an error: its code (the exception's name, without its
    /// namespace: `ResourceNotFoundException`), message and HTTP status.
    #[error("{code}: {message} (status {status})")]
    Service {
        /// The service.
        service: String,
        /// The HTTP status, 300 or more.
        status: u16,
        /// The error's code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The request could not be made or its answer not read: no configuration or
    /// credentials, signing, the connection, an answer over [`MAX_ANSWER`] bytes.
    #[error("{service}: {url}: {message}")]
    Transport {
        /// The service.
        service: String,
        /// Where the request went.
        url: String,
        /// What failed.
        message: String,
    },
    /// A successful answer that is not the JSON the service speaks.
    #[error("{service}: {url}: the answer is not JSON: {message}")]
    Undecodable {
        /// The service.
        service: String,
        /// Where the request went.
        url: String,
        /// What the JSON reader says.
        message: String,
    },
}

fn waited(within: Duration, deadline: bool) -> String {
    if deadline {
        format!("the command's deadline ({} s, --timeout)", within.as_secs())
    } else {
        format!("{} s", within.as_secs())
    }
}

impl CallError {
    /// The service's error code, when the service answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            CallError::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A service's answer: its status, Lambda's function-error header, the body.
pub struct Answer {
    pub status: u16,
    pub function_error: Option<String>,
    pub body: Vec<u8>,
    /// The service that answered.
    service: String,
    /// Where the request went (masked).
    url: String,
}

impl Answer {
    /// The body as JSON (`null` when it is not).
    pub fn json(&self) -> Json {
        serde_json::from_slice(&self.body).unwrap_or(Json::Null)
    }

    /// The answer of a JSON service: its body's JSON (`null` when it is empty), the service's
    /// error when the status says it failed, [`CallError::Undecodable`] when it is not JSON.
    pub fn decoded(&self) -> Result<Json, CallError> {
        if let Some(e) = self.service_error() {
            return Err(e);
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Json::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| CallError::Undecodable {
            service: self.service.clone(),
            url: self.url.clone(),
            message: e.to_string(),
        })
    }

    /// The service's error when the status says it failed: its exception's name (without
    /// the namespace) and message.
    pub fn error_parts(&self) -> Option<(String, String)> {
        if self.status < 300 {
            return None;
        }
        let v = self.json();
        let kind = v["__type"]
            .as_str()
            .or_else(|| v["Type"].as_str())
            .map(|t| t.rsplit('#').next().unwrap_or(t))
            .unwrap_or("ServiceException");
        let message = v["message"]
            .as_str()
            .or_else(|| v["Message"].as_str())
            .unwrap_or_default();
        Some((kind.to_string(), message.to_string()))
    }

    /// The service's error ([`CallError::Service`]) when the status says it failed.
    pub fn service_error(&self) -> Option<CallError> {
        self.error_parts()
            .map(|(code, message)| CallError::Service {
                service: self.service.clone(),
                status: self.status,
                code,
                message,
            })
    }
}

/// Signs and sends requests for one connection.
pub struct Signed {
    config: Option<aws_config::SdkConfig>,
    region: String,
    endpoint: Option<String>,
    http: aws_smithy_http_client::Connector,
    /// The command's deadline: no call outlasts it.
    deadline: Option<Duration>,
}

impl Signed {
    /// Over a connection's configuration (region, credentials, endpoint, deadline).
    pub fn new(aws: &Aws) -> Signed {
        let deadline = aws
            .config
            .as_ref()
            .and_then(|c| c.timeout_config())
            .and_then(|t| t.operation_timeout());
        Signed {
            config: aws.config.clone(),
            region: aws.region.clone(),
            endpoint: aws.endpoint.clone(),
            http: aws_smithy_http_client::Connector::builder()
                .connector_settings(
                    HttpConnectorSettings::builder()
                        .connect_timeout(CONNECT_TIMEOUT)
                        .build(),
                )
                .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
                .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
                .build(),
            deadline,
        }
    }

    fn endpoint(&self, service: &str) -> String {
        match &self.endpoint {
            Some(e) => e.trim_end_matches('/').to_string(),
            // CloudFront is global: one endpoint, signed for us-east-1 (CloudFront API
            // Reference, "Signing requests")
            None if service == "cloudfront" => "https://cloudfront.amazonaws.com".to_string(),
            None => format!("https://{service}.{}.amazonaws.com", self.region),
        }
    }

    /// The region a request to `service` is signed for.
    fn signing_region<'a>(&'a self, service: &str) -> &'a str {
        if service == "cloudfront" {
            "us-east-1"
        } else {
            &self.region
        }
    }

    /// A call to a JSON-protocol service (`x-amz-target`), its answer's JSON or its error.
    pub async fn json(
        &self,
        service: &str,
        content_type: &str,
        target: &str,
        body: &Json,
    ) -> Result<Json, CallError> {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let answer = self
            .send(
                service,
                "POST",
                "/",
                &[("content-type", content_type), ("x-amz-target", target)],
                bytes,
            )
            .await?;
        answer.decoded()
    }

    /// A SigV4-signed request to `service`, its answer awaited [`READ_TIMEOUT`]; the error says
    /// what failed (transport, signing) and where the request went.
    pub async fn send(
        &self,
        service: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Answer, CallError> {
        self.send_within(service, method, path, headers, body, READ_TIMEOUT)
            .await
    }

    /// [`Signed::send`], the answer's first byte awaited `read` (a Lambda invocation waits as
    /// long as its function may run), its body as long again, all within the deadline.
    pub async fn send_within(
        &self,
        service: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
        read: Duration,
    ) -> Result<Answer, CallError> {
        let url = mask_urls(&format!("{}{path}", self.endpoint(service))).into_owned();
        let call = self.call(service, method, path, headers, body, read);
        let Some(deadline) = self.deadline else {
            return call.await;
        };
        tokio::time::timeout(deadline, call)
            .await
            .map_err(|_| CallError::NoAnswer {
                service: service.to_string(),
                url,
                within: deadline,
                deadline: true,
            })?
    }

    async fn call(
        &self,
        service: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
        read: Duration,
    ) -> Result<Answer, CallError> {
        let shown = mask_urls(&format!("{}{path}", self.endpoint(service))).into_owned();
        let transport = |message: String| CallError::Transport {
            service: service.to_string(),
            url: shown.clone(),
            message,
        };
        let url = format!("{}{path}", self.endpoint(service));
        let Some(config) = &self.config else {
            return Err(transport("no AWS configuration".into()));
        };
        let Some(provider) = config.credentials_provider() else {
            return Err(transport("no credentials".into()));
        };
        let credentials = tokio::time::timeout(
            crate::aws::CREDENTIALS_TIMEOUT,
            provider.provide_credentials(),
        )
        .await
        .map_err(|_| transport("the credential provider gave no answer".into()))?
        .map_err(|e| transport(e.to_string()))?;
        let identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(self.signing_region(service))
            .name(service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| transport(e.to_string()))?
            .into();
        let signable = SignableRequest::new(
            method,
            url.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(&body),
        )
        .map_err(|e| transport(e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| transport(e.to_string()))?
            .into_parts();
        let mut request = http::Request::builder().method(method).uri(&url);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let mut request = request
            .body(SdkBody::from(body.clone()))
            .map_err(|e| transport(e.to_string()))?;
        instructions.apply_to_request_http1x(&mut request);
        let request = HttpRequest::try_from(request).map_err(|e| transport(e.to_string()))?;
        let silent = || CallError::NoAnswer {
            service: service.to_string(),
            url: shown.clone(),
            within: read,
            deadline: false,
        };
        let response = tokio::time::timeout(read, self.http.call(request))
            .await
            .map_err(|_| silent())?
            .map_err(|e| transport(crate::aws::chain(&e)))?;
        let status = response.status().as_u16();
        let function_error = response
            .headers()
            .get("x-amz-function-error")
            .map(str::to_string);
        let mut stream = ByteStream::new(response.into_body());
        let mut body = Vec::new();
        let read_body = async {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| transport(crate::aws::chain(&e)))?;
                if body.len() + chunk.len() > MAX_ANSWER {
                    return Err(transport(format!(
                        "the answer is over {MAX_ANSWER} bytes; refused"
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(())
        };
        tokio::time::timeout(read, read_body)
            .await
            .map_err(|_| silent())??;
        Ok(Answer {
            status,
            function_error,
            body,
            service: service.to_string(),
            url: shown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            function_error: None,
            body: body.as_bytes().to_vec(),
            service: "logs".into(),
            url: "http://127.0.0.1:5000/".into(),
        }
    }

    #[test]
    fn a_service_error_is_its_code_and_message() {
        let a = answer(
            400,
            r#"{"__type": "com.amazonaws.logs#ResourceNotFoundException", "message": "The specified log group does not exist."}"#,
        );
        let e = a.decoded().unwrap_err();
        assert_eq!(e.code(), Some("ResourceNotFoundException"));
        assert_eq!(
            e,
            CallError::Service {
                service: "logs".into(),
                status: 400,
                code: "ResourceNotFoundException".into(),
                message: "The specified log group does not exist.".into(),
            }
        );
        assert_eq!(
            e.to_string(),
            "ResourceNotFoundException: The specified log group does not exist. (status 400)"
        );
        // an error without a body the service would write is still the service's error
        assert_eq!(
            answer(503, "").decoded().unwrap_err().code(),
            Some("ServiceException")
        );
    }

    #[test]
    fn a_successful_answer_must_be_json_or_empty() {
        assert_eq!(
            answer(200, r#"{"events": []}"#).decoded(),
            Ok(serde_json::json!({"events": []}))
        );
        assert_eq!(answer(200, " \n").decoded(), Ok(Json::Null));
        let e = answer(200, "<html>proxy</html>").decoded().unwrap_err();
        assert!(matches!(e, CallError::Undecodable { .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("logs: http://127.0.0.1:5000/: the answer is not JSON: "),
            "{e}"
        );
        assert_eq!(e.code(), None);
    }

    #[test]
    fn no_answer_says_which_wait_ran_out() {
        let read = CallError::NoAnswer {
            service: "states".into(),
            url: "https://states.us-east-1.amazonaws.com/".into(),
            within: Duration::from_secs(30),
            deadline: false,
        };
        assert_eq!(
            read.to_string(),
            "states: https://states.us-east-1.amazonaws.com/: no answer within 30 s"
        );
        let deadline = CallError::NoAnswer {
            service: "states".into(),
            url: "https://states.us-east-1.amazonaws.com/".into(),
            within: Duration::from_secs(60),
            deadline: true,
        };
        assert_eq!(
            deadline.to_string(),
            "states: https://states.us-east-1.amazonaws.com/: no answer within the command's deadline (60 s, --timeout)"
        );
    }
}
