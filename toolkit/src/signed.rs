//! Signed requests to AWS services that speak JSON on the wire (DynamoDB, Step Functions,
//! CloudWatch Logs, Lambda's REST API): the body sent as given, SigV4-signed with the
//! configuration's credentials, to AWS or `AWS_ENDPOINT_URL`. `run --live`, the hotswap and
//! `logs` use it; the SDK's typed clients would each be another crate to compile.

use std::time::SystemTime;

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use serde_json::Value as Json;

use crate::aws::Aws;

/// A service's answer: its status, Lambda's function-error header, the body.
pub struct Answer {
    pub status: u16,
    pub function_error: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (`null` when it is not).
    pub fn json(&self) -> Json {
        serde_json::from_slice(&self.body).unwrap_or(Json::Null)
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

    /// The service's error, `Type: message (status N)`, when the status says it failed.
    pub fn error(&self) -> Option<String> {
        self.error_parts()
            .map(|(kind, message)| format!("{kind}: {message} (status {})", self.status))
    }
}

/// Signs and sends requests for one connection.
pub struct Signed {
    config: Option<aws_config::SdkConfig>,
    region: String,
    endpoint: Option<String>,
    http: aws_smithy_http_client::Connector,
}

impl Signed {
    /// Over a connection's configuration (region, credentials, endpoint).
    pub fn new(aws: &Aws) -> Signed {
        Signed {
            config: aws.config.clone(),
            region: aws.region.clone(),
            endpoint: aws.endpoint.clone(),
            http: aws_smithy_http_client::Connector::builder()
                .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
                .build(),
        }
    }

    fn endpoint(&self, service: &str) -> String {
        match &self.endpoint {
            Some(e) => e.trim_end_matches('/').to_string(),
            None => format!("https://{service}.{}.amazonaws.com", self.region),
        }
    }

    /// A call to a JSON-protocol service (`x-amz-target`), its answer's JSON or its error.
    pub async fn json(
        &self,
        service: &str,
        content_type: &str,
        target: &str,
        body: &Json,
    ) -> Result<Json, String> {
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
        match answer.error() {
            Some(e) => Err(e),
            None => Ok(answer.json()),
        }
    }

    /// A SigV4-signed request to `service`; the error says what failed (transport, signing).
    pub async fn send(
        &self,
        service: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Answer, String> {
        let transport = |e: String| format!("{service}: {e}");
        let url = format!("{}{path}", self.endpoint(service));
        let Some(config) = &self.config else {
            return Err(transport("no AWS configuration".into()));
        };
        let Some(provider) = config.credentials_provider() else {
            return Err(transport("no credentials".into()));
        };
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| transport(e.to_string()))?;
        let identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
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
        let response = self
            .http
            .call(request)
            .await
            .map_err(|e| transport(format!("{url}: {e:?}")))?;
        let status = response.status().as_u16();
        let function_error = response
            .headers()
            .get("x-amz-function-error")
            .map(str::to_string);
        let body = ByteStream::new(response.into_body())
            .collect()
            .await
            .map_err(|e| transport(e.to_string()))?
            .into_bytes()
            .to_vec();
        Ok(Answer {
            status,
            function_error,
            body,
        })
    }
}
