//! Plain HTTP calls to the moto server of the tests and to the harness around it
//! (tests/moto/server.py): Lambda's Invoke, CloudWatch Logs, and registering a function's real
//! handler so that moto's Invoke runs it (the harness's patch 11).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value as Json};

/// An HTTP answer of moto.
pub struct Answer {
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request to moto (`Connection: close`), its answer read whole.
pub fn request(
    endpoint: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let address = endpoint.trim_start_matches("http://");
    let mut stream =
        TcpStream::connect(address).unwrap_or_else(|e| panic!("moto at {address}: {e}"));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(300)));
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "{method} {path}: no answer: {}",
                String::from_utf8_lossy(&raw)
            )
        });
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// The Authorization header of a call to `service`: moto checks no signature and reads the
/// service from the credential scope.
pub fn authorization(service: &str) -> String {
    authorization_in(service, "us-east-1")
}

/// [`authorization`] for a call to `region` (moto routes a request by the region it names).
pub fn authorization_in(service: &str, region: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=test/20250101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0"
    )
}

/// A call of a JSON-protocol API (`Logs_20140328.FilterLogEvents`, version 1.1); a status
/// other than 200 fails the test.
pub fn json_call(endpoint: &str, service: &str, target: &str, version: &str, body: &Json) -> Json {
    json_call_in(endpoint, "us-east-1", service, target, version, body)
}

/// [`json_call`] to `region`.
pub fn json_call_in(
    endpoint: &str,
    region: &str,
    service: &str,
    target: &str,
    version: &str,
    body: &Json,
) -> Json {
    let answer = request(
        endpoint,
        "POST",
        "/",
        &[
            ("Content-Type", &format!("application/x-amz-json-{version}")),
            ("X-Amz-Target", target),
            ("Authorization", &authorization_in(service, region)),
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(answer.status, 200, "{target}: {}", answer.text());
    if answer.body.is_empty() {
        Json::Null
    } else {
        answer.json()
    }
}

/// Every message of a log group, oldest first (FilterLogEvents, every page).
pub fn log_messages(endpoint: &str, group: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"logGroupName": group});
        if let Some(t) = &token {
            body["nextToken"] = Json::from(t.as_str());
        }
        let page = json_call(
            endpoint,
            "logs",
            "Logs_20140328.FilterLogEvents",
            "1.1",
            &body,
        );
        for e in page["events"].as_array().into_iter().flatten() {
            out.push(e["message"].as_str().unwrap_or_default().to_string());
        }
        match page["nextToken"].as_str() {
            Some(t) if !t.is_empty() && token.as_deref() != Some(t) => token = Some(t.to_string()),
            _ => return out,
        }
    }
}

/// What a Lambda Invoke answered: its payload, and `X-Amz-Function-Error` when the function
/// failed.
#[derive(Debug)]
pub struct Invoked {
    pub status: u16,
    pub function_error: Option<String>,
    pub payload: Json,
}

/// Invokes a function through Lambda's Invoke API (RequestResponse).
pub fn invoke(endpoint: &str, function: &str, payload: &Json) -> Invoked {
    let answer = request(
        endpoint,
        "POST",
        &format!("/2015-03-31/functions/{function}/invocations"),
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &authorization("lambda")),
        ],
        payload.to_string().as_bytes(),
    );
    Invoked {
        status: answer.status,
        function_error: answer.header("x-amz-function-error").map(str::to_string),
        payload: serde_json::from_slice(&answer.body).unwrap_or_else(|_| Json::from(answer.text())),
    }
}

/// Makes moto's Invoke of `function` run the handler of the Lambda crate `package`: its binary
/// built for this machine (`cargo build -p <package>`), under the Lambda Runtime API the
/// harness serves, with the deployed function's environment, moto as its AWS, its output
/// lines in its log group.
pub fn run_handler(endpoint: &str, function: &str, package: &str) -> PathBuf {
    let executable = super::moto::host_binary(package);
    let body = json!({
        "FunctionName": function,
        "Executable": executable.to_string_lossy(),
    });
    register(endpoint, "application/json", &body.to_string())
        .unwrap_or_else(|e| panic!("the harness refused {package} for {function}: {e}"));
    executable
}

/// Sends a registration (`{"FunctionName", "Executable"}`) to the harness: Ok, or its refusal.
pub fn register(endpoint: &str, content_type: &str, body: &str) -> Result<(), String> {
    let answer = request(
        endpoint,
        "POST",
        "/rcdk-harness/lambda-code",
        &[("Content-Type", content_type)],
        body.as_bytes(),
    );
    match answer.status {
        200 => Ok(()),
        _ => Err(serde_json::from_slice::<Json>(&answer.body)
            .ok()
            .and_then(|j| j["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| answer.text())),
    }
}

/// Says, in the test's output, what moto cannot check and the test therefore does not.
pub fn not_checked(what: &str) {
    eprintln!("NOT CHECKED on moto: {what}");
}
