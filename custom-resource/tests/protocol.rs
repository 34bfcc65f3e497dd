//! The protocol as CloudFormation drives it: events shaped as CloudFormation sends them
//! (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html) and
//! the response object checked against the documented fields
//! (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html),
//! sent to a response URL served here.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcdk_custom_resource::{answer, process, Error, Event, Request, Response, Status};
use serde::Deserialize;
use serde_json::{json, Value as Json};

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
struct Greeting {
    name: String,
}

fn event(kind: &str, physical: Option<&str>, url: &str) -> Json {
    let mut e = json!({
        "RequestType": kind,
        "ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:provider",
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/guid",
        "RequestId": "5d478078-13e9-baf0-464a-7ef285ecc786",
        "LogicalResourceId": "Greeting",
        "ResourceType": "Custom::Greeting",
        "ResourceProperties": {
            "ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:provider",
            "ServiceTimeout": "960",
            "Name": "Ada"
        }
    });
    if let Some(id) = physical {
        e["PhysicalResourceId"] = id.into();
    }
    if kind == "Update" {
        e["OldResourceProperties"] = json!({"ServiceToken": "x", "Name": "Grace"});
    }
    e
}

fn body(answer: &rcdk_custom_resource::Answer) -> Json {
    serde_json::from_slice(&answer.body()).unwrap()
}

async fn greet(e: Event<Greeting>) -> Result<Response, Error> {
    match e.request {
        Request::Create { properties } => Ok(Response::new()
            .physical_id(format!("greeting-{}", properties.name))
            .data("Message", format!("hello, {}", properties.name))),
        Request::Update {
            properties,
            old_properties,
            physical_id,
        } => {
            assert_eq!(old_properties.name, "Grace");
            Ok(Response::new().data(
                "Message",
                format!("{physical_id} now greets {}", properties.name),
            ))
        }
        Request::Delete { .. } => Ok(Response::new()),
    }
}

const BUDGET: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_create_answers_success_with_the_handlers_id_and_attributes() {
    let a = answer(event("Create", None, "http://x"), BUDGET, greet).await;
    assert_eq!(a.status, Status::Success);
    assert_eq!(
        body(&a),
        json!({
            "Status": "SUCCESS",
            "PhysicalResourceId": "greeting-Ada",
            "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/guid",
            "RequestId": "5d478078-13e9-baf0-464a-7ef285ecc786",
            "LogicalResourceId": "Greeting",
            "Data": {"Message": "hello, Ada"}
        })
    );
}

#[tokio::test]
async fn ids_default_to_the_request_id_on_create_and_stay_on_update() {
    let a = answer(
        event("Create", None, "http://x"),
        BUDGET,
        |_: Event<Json>| async { Ok(Response::new()) },
    )
    .await;
    assert_eq!(a.physical_id, "5d478078-13e9-baf0-464a-7ef285ecc786");
    let a = answer(
        event("Update", Some("greeting-Ada"), "http://x"),
        BUDGET,
        greet,
    )
    .await;
    assert_eq!(a.status, Status::Success);
    assert_eq!(a.physical_id, "greeting-Ada");
    assert_eq!(a.data["Message"], "greeting-Ada now greets Ada");
}

#[tokio::test]
async fn service_token_and_service_timeout_are_not_the_resources_properties() {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "PascalCase")]
    struct Strict {
        name: String,
    }
    let a = answer(
        event("Create", None, "http://x"),
        BUDGET,
        |e: Event<Strict>| async move {
            match e.request {
                Request::Create { properties } => Ok(Response::new().data("Name", properties.name)),
                _ => Err("not a create".into()),
            }
        },
    )
    .await;
    assert_eq!(a.status, Status::Success, "{:?}", a.reason);
    assert_eq!(a.data["Name"], "Ada");
}

#[tokio::test]
async fn an_error_is_failed_with_its_chain_and_a_failed_create_gets_an_id_of_its_own() {
    #[derive(Debug)]
    struct Denied(std::io::Error);
    impl std::fmt::Display for Denied {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("cannot write the seed rows")
        }
    }
    impl std::error::Error for Denied {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let a = answer(
        event("Create", None, "http://x"),
        BUDGET,
        |_: Event<Json>| async {
            let io = std::io::Error::other("AccessDenied: dynamodb:PutItem");
            Err::<Response, Error>(Box::new(Denied(io)))
        },
    )
    .await;
    assert_eq!(a.status, Status::Failed);
    assert_eq!(
        a.reason.as_deref(),
        Some("cannot write the seed rows: AccessDenied: dynamodb:PutItem")
    );
    assert_eq!(
        a.physical_id,
        "rcdk-failed-create:5d478078-13e9-baf0-464a-7ef285ecc786"
    );
    assert!(body(&a).get("Data").is_none());
}

#[tokio::test]
async fn the_delete_of_a_failed_create_succeeds_without_calling_the_handler() {
    let id = "rcdk-failed-create:5d478078-13e9-baf0-464a-7ef285ecc786";
    let a = answer(
        event("Delete", Some(id), "http://x"),
        BUDGET,
        |_: Event<Json>| async { panic!("the handler must not run for a create that failed") },
    )
    .await;
    assert_eq!(a.status, Status::Success, "{:?}", a.reason);
    assert_eq!(a.physical_id, id);
}

#[tokio::test]
async fn a_failed_update_keeps_the_physical_id() {
    let a = answer(
        event("Update", Some("greeting-Ada"), "http://x"),
        BUDGET,
        |_: Event<Json>| async { Err::<Response, Error>("the table is gone".into()) },
    )
    .await;
    assert_eq!(a.status, Status::Failed);
    assert_eq!(a.physical_id, "greeting-Ada");
}

#[tokio::test]
async fn a_panic_is_failed_with_its_message() {
    let a = answer(
        event("Delete", Some("greeting-Ada"), "http://x"),
        BUDGET,
        |_: Event<Json>| async {
            let empty: Vec<u8> = Vec::new();
            let _ = empty[3];
            Ok(Response::new())
        },
    )
    .await;
    assert_eq!(a.status, Status::Failed);
    let reason = a.reason.unwrap();
    assert!(
        reason.starts_with("the handler panicked: index out of bounds"),
        "{reason}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_handler_still_running_at_its_budget_is_failed_in_time() {
    let started = tokio::time::Instant::now();
    let a = answer(
        event("Create", None, "http://x"),
        Duration::from_secs(895),
        |_: Event<Json>| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(Response::new())
        },
    )
    .await;
    assert_eq!(started.elapsed(), Duration::from_secs(895));
    assert_eq!(a.status, Status::Failed);
    assert!(a
        .reason
        .unwrap()
        .starts_with("the handler did not finish within 895 s"));
    assert!(a.physical_id.starts_with("rcdk-failed-create:"));
}

#[tokio::test]
async fn properties_that_do_not_match_the_type_fail_naming_the_field() {
    let mut e = event("Create", None, "http://x");
    e["ResourceProperties"] = json!({"ServiceToken": "x", "Nme": "Ada"});
    let a = answer(e, BUDGET, greet).await;
    assert_eq!(a.status, Status::Failed);
    let reason = a.reason.unwrap();
    assert!(
        reason.starts_with("ResourceProperties: missing field `Name`"),
        "{reason}"
    );
}

#[tokio::test]
async fn requests_cloudformation_never_sends_are_failed_not_guessed() {
    let a = answer(event("Replace", Some("x"), "http://x"), BUDGET, greet).await;
    assert_eq!(
        a.reason.as_deref(),
        Some("RequestType \"Replace\" is none of Create, Update, Delete")
    );
    let a = answer(event("Delete", None, "http://x"), BUDGET, greet).await;
    assert_eq!(
        a.reason.as_deref(),
        Some("a Delete request without a PhysicalResourceId")
    );
    let a = answer(
        json!({"RequestType": "Create", "RequestId": "r"}),
        BUDGET,
        greet,
    )
    .await;
    assert_eq!(a.status, Status::Failed);
    assert!(a
        .reason
        .unwrap()
        .starts_with("the event is not a custom-resource request: missing field"));
}

#[tokio::test]
async fn an_answer_over_4096_bytes_is_failed_and_a_long_reason_is_cut() {
    let a = answer(
        event("Create", None, "http://x"),
        BUDGET,
        |_: Event<Json>| async { Ok(Response::new().data("Blob", "x".repeat(5000))) },
    )
    .await;
    assert_eq!(a.status, Status::Failed);
    assert!(a.body().len() <= 4096);
    let reason = a.reason.unwrap();
    assert!(reason.starts_with("the response is 5"), "{reason}");
    assert!(reason.ends_with("CloudFormation accepts 4096: return fewer or shorter attributes"));

    let a = answer(
        event("Create", None, "http://x"),
        BUDGET,
        |_: Event<Json>| async { Err::<Response, Error>("\"é\"".repeat(3000).into()) },
    )
    .await;
    assert!(a.body().len() <= 4096, "{}", a.body().len());
    assert!(a.reason.unwrap().ends_with(" [cut]"));

    let a = answer(
        event("Create", None, "http://x"),
        BUDGET,
        |_: Event<Json>| async { Ok(Response::new().physical_id("p".repeat(1025))) },
    )
    .await;
    assert_eq!(
        a.reason.as_deref(),
        Some("the handler's physical id is 1025 bytes; CloudFormation takes 1 to 1024")
    );
}

/// A response URL on 127.0.0.1 answering each PUT with the next of `statuses`; records what
/// it received.
struct Endpoint {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

/// A request's line, its headers (names in lower case) and its body.
type Received = (String, Vec<(String, String)>, Vec<u8>);

fn endpoint(statuses: &[u16]) -> Endpoint {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/bucket/key?X-Amz-Signature=abc",
        listener.local_addr().unwrap()
    );
    let received = Arc::new(Mutex::new(Vec::new()));
    let statuses = statuses.to_vec();
    let store = received.clone();
    std::thread::spawn(move || {
        for (status, stream) in statuses.into_iter().zip(listener.incoming()) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
            }
            let len: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            store
                .lock()
                .unwrap()
                .push((line.trim_end().to_string(), headers, body));
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 7\r\nConnection: close\r\n\r\nanswer!"
            )
            .unwrap();
        }
    });
    Endpoint { url, received }
}

#[tokio::test]
async fn the_answer_is_put_to_the_response_url_as_a_presigned_url_expects() {
    let ep = endpoint(&[200]);
    let a = process(event("Create", None, &ep.url), BUDGET, greet)
        .await
        .unwrap();
    let received = ep.received.lock().unwrap();
    assert_eq!(received.len(), 1);
    let (line, headers, sent) = &received[0];
    assert_eq!(line, "PUT /bucket/key?X-Amz-Signature=abc HTTP/1.1");
    // signed without a Content-Type: an empty one, as the documented examples send
    assert!(
        headers.contains(&("content-type".into(), String::new())),
        "{headers:?}"
    );
    assert_eq!(*sent, a.body());
    assert_eq!(
        serde_json::from_slice::<Json>(sent).unwrap()["Status"],
        "SUCCESS"
    );
}

#[tokio::test]
async fn a_5xx_is_retried_and_a_4xx_is_final() {
    let ep = endpoint(&[503, 200]);
    process(
        event("Delete", Some("greeting-Ada"), &ep.url),
        BUDGET,
        greet,
    )
    .await
    .unwrap();
    assert_eq!(ep.received.lock().unwrap().len(), 2);

    let ep = endpoint(&[403, 200]);
    let error = process(
        event("Delete", Some("greeting-Ada"), &ep.url),
        BUDGET,
        greet,
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot send the answer to CloudFormation: the response URL answered 403 Forbidden: answer!"
    );
    assert_eq!(ep.received.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_event_without_a_response_url_is_an_error_not_a_hang() {
    let mut e = event("Create", None, "http://x");
    e.as_object_mut().unwrap().remove("ResponseURL");
    let error = process(e, BUDGET, greet).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the event has no ResponseURL: nothing can answer CloudFormation"
    );
    let error = process(event("Create", None, "ftp://x/y"), BUDGET, greet)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the ResponseURL is neither https nor http"
    );
}
