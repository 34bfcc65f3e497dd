//! The handler of `custom_resources::AwsCall`: the resource's Create, Update or Delete call,
//! as the construct described it (the service's endpoint prefix, signing name, target and JSON
//! version, the request's members), SigV4-signed with the function's credentials and sent to
//! the service (or to `AWS_ENDPOINT_URL` when set, as the SDKs do). The answer's members
//! become the resource's attributes (`Fn::GetAtt` by dotted path), and one of them its
//! physical id when the call says so. An error code the call lists as ignorable counts as
//! success (a delete of what is already gone).

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use rcdk_custom_resource::{Error, Event, Request, Response};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

/// The most bytes of an answer read: far more than a call made at deploy needs.
const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Props {
    create: Option<String>,
    update: Option<String>,
    delete: Option<String>,
    output_paths: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Call {
    service: String,
    action: String,
    endpoint_prefix: String,
    signing_name: String,
    target_prefix: String,
    json_version: String,
    #[serde(default)]
    parameters: Json,
    physical_id: PhysicalId,
    #[serde(default)]
    ignore_error_codes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PhysicalId {
    id: Option<String>,
    response_path: Option<String>,
}

/// A call the service refused: its error code and message.
#[derive(Debug)]
struct Refused {
    code: String,
    message: String,
    status: u16,
}

async fn handle(config: &aws_config::SdkConfig, event: Event<Props>) -> Result<Response, Error> {
    let (kind, props, current) = match &event.request {
        Request::Create { properties } => ("Create", properties, None),
        Request::Update {
            properties,
            physical_id,
            ..
        } => ("Update", properties, Some(physical_id.clone())),
        Request::Delete {
            properties,
            physical_id,
        } => ("Delete", properties, Some(physical_id.clone())),
    };
    let text = match kind {
        "Create" => props.create.as_deref(),
        "Update" => props.update.as_deref(),
        _ => props.delete.as_deref(),
    };
    let Some(text) = text else {
        // nothing to call: the id stays (on create, the request's)
        return Ok(Response::new());
    };
    let call: Call = serde_json::from_str(text)
        .map_err(|e| format!("the {kind} call is not one rcdk describes: {e}"))?;
    let paths: Vec<String> = match &props.output_paths {
        Some(p) => serde_json::from_str(p).map_err(|e| format!("OutputPaths: {e}"))?,
        None => Vec::new(),
    };
    let answer = match send(config, &call).await? {
        Ok(answer) => answer,
        Err(refused) if call.ignore_error_codes.contains(&refused.code) => {
            println!(
                "{}:{} answered {}, which the call ignores",
                call.service, call.action, refused.code
            );
            Json::Object(Map::new())
        }
        Err(refused) => {
            return Err(format!(
                "{}:{} failed: {}: {} (status {})",
                call.service, call.action, refused.code, refused.message, refused.status
            )
            .into())
        }
    };
    let physical = match (&call.physical_id.id, &call.physical_id.response_path) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(path)) => Some(scalar_at(&answer, path).ok_or_else(|| {
            format!(
                "the answer of {}:{} has no {path} to name the resource by",
                call.service, call.action
            )
        })?),
        (None, None) => current,
    };
    let mut response = Response::new();
    if let Some(id) = physical {
        response = response.physical_id(id);
    }
    let mut flat = Vec::new();
    flatten(&answer, String::new(), &mut flat);
    for (key, value) in flat {
        let kept = paths.is_empty()
            || paths
                .iter()
                .any(|p| key == *p || key.starts_with(&format!("{p}.")));
        if kept {
            response = response.data(key, value);
        }
    }
    Ok(response)
}

/// The scalar at a dotted path (`Attributes.id.S`, `Items.0.id`), as text.
fn scalar_at(json: &Json, path: &str) -> Option<String> {
    let mut at = json;
    for part in path.split('.') {
        at = match at {
            Json::Object(map) => map.get(part)?,
            Json::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match at {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Every scalar of the answer under its dotted path.
fn flatten(json: &Json, prefix: String, out: &mut Vec<(String, Json)>) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match json {
        Json::Object(map) => map.iter().for_each(|(k, v)| flatten(v, key(k), out)),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten(v, key(&i.to_string()), out)),
        Json::Null => {}
        scalar => out.push((prefix, scalar.clone())),
    }
}

/// Where the service answers: `AWS_ENDPOINT_URL` when set (as the SDKs read it), else its
/// regional endpoint.
fn endpoint(call: &Call, region: &str, from_env: Option<&str>) -> String {
    match from_env {
        Some(url) if !url.is_empty() => format!("{}/", url.trim_end_matches('/')),
        _ => {
            let suffix = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            format!("https://{}.{region}.{suffix}/", call.endpoint_prefix)
        }
    }
}

/// Signs and sends the call: the answer's JSON, or the service's refusal; an error when no
/// answer could be had.
async fn send(config: &aws_config::SdkConfig, call: &Call) -> Result<Result<Json, Refused>, Error> {
    let region = config
        .region()
        .map(|r| r.to_string())
        .ok_or("no AWS region in the function's environment")?;
    let url = endpoint(
        call,
        &region,
        std::env::var("AWS_ENDPOINT_URL").ok().as_deref(),
    );
    let body = match &call.parameters {
        Json::Null => b"{}".to_vec(),
        p => serde_json::to_vec(p)?,
    };
    let content_type = format!("application/x-amz-json-{}", call.json_version);
    let target = format!("{}.{}", call.target_prefix, call.action);
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string();
    let headers = [
        ("content-type", content_type.as_str()),
        ("x-amz-target", target.as_str()),
        ("host", host.as_str()),
    ];
    let provider = config
        .credentials_provider()
        .ok_or("no credentials in the function's environment")?;
    let identity = provider.provide_credentials().await?.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name(&call.signing_name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()?
        .into();
    let signable = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(&body),
    )?;
    let (instructions, _) = sign(signable, &params)?.into_parts();
    let mut request = http::Request::builder().method("POST").uri(&url);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    let mut request = request.body(body)?;
    instructions.apply_to_request_http1x(&mut request);
    let (status, answer) =
        rcdk_custom_resource::http::send(request, CALL_TIMEOUT, MAX_ANSWER).await?;
    if status < 300 {
        if answer.iter().all(u8::is_ascii_whitespace) {
            return Ok(Ok(Json::Object(Map::new())));
        }
        return Ok(Ok(serde_json::from_slice(&answer).map_err(|e| {
            format!(
                "the answer of {}:{} is not JSON: {e}",
                call.service, call.action
            )
        })?));
    }
    let error: Json = serde_json::from_slice(&answer).unwrap_or(Json::Null);
    let code = error["__type"]
        .as_str()
        .or_else(|| error["code"].as_str())
        .unwrap_or("UnknownError");
    // `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` -> the name
    let code = code.rsplit('#').next().unwrap_or(code).to_string();
    let message = error["message"]
        .as_str()
        .or_else(|| error["Message"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| String::from_utf8_lossy(&answer).chars().take(300).collect());
    Ok(Err(Refused {
        code,
        message,
        status,
    }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_from_env().await;
    rcdk_custom_resource::run(move |event: Event<Props>| {
        let config = config.clone();
        async move { handle(&config, event).await }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_answer_becomes_attributes_by_dotted_path() {
        let answer =
            json!({"Version": 3, "Tier": "Standard", "Items": [{"id": {"S": "a"}}], "Empty": null});
        let mut flat = Vec::new();
        flatten(&answer, String::new(), &mut flat);
        assert_eq!(
            flat,
            vec![
                ("Version".to_string(), json!(3)),
                ("Tier".to_string(), json!("Standard")),
                ("Items.0.id.S".to_string(), json!("a")),
            ]
        );
        assert_eq!(scalar_at(&answer, "Items.0.id.S").as_deref(), Some("a"));
        assert_eq!(scalar_at(&answer, "Version").as_deref(), Some("3"));
        assert_eq!(scalar_at(&answer, "Items.1.id.S"), None);
        assert_eq!(scalar_at(&answer, "Items"), None);
    }

    #[test]
    fn the_endpoint_is_the_services_regional_one_unless_the_environment_names_one() {
        let call: Call = serde_json::from_value(json!({
            "Service": "ssm", "Action": "PutParameter", "EndpointPrefix": "ssm", "SigningName": "ssm",
            "TargetPrefix": "AmazonSSM", "JsonVersion": "1.1", "PhysicalId": {"Id": "x"}
        }))
        .unwrap();
        assert_eq!(
            endpoint(&call, "eu-west-1", None),
            "https://ssm.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            endpoint(&call, "cn-north-1", None),
            "https://ssm.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            endpoint(&call, "eu-west-1", Some("http://127.0.0.1:5000")),
            "http://127.0.0.1:5000/"
        );
    }
}
