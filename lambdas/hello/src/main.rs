//! The example stack's function: answers `{"name": "..."}` with a greeting.
//!
//! The logic lives in [`greet`], a plain function tested without AWS; `main` only wires it
//! into the Lambda runtime.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct Request {
    name: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
struct Response {
    message: String,
    table: String,
}

/// Builds the greeting; a missing or empty `name` is an error that says what is missing.
fn greet(request: Request, table: &str) -> Result<Response, String> {
    let name = request
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| "the event has no \"name\" (a non-empty string)".to_string())?;
    Ok(Response {
        message: format!("Hello, {name}!"),
        table: table.to_string(),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<serde_json::Value>| {
        let table = table.clone();
        async move {
            let request: Request = serde_json::from_value(event.payload)
                .map_err(|e| format!("malformed event: {e}"))?;
            greet(request, &table).map_err(Error::from)
        }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_name() {
        let r = greet(
            Request {
                name: Some("Ada".into()),
            },
            "T",
        )
        .unwrap();
        assert_eq!(r.message, "Hello, Ada!");
        assert_eq!(r.table, "T");
    }

    #[test]
    fn rejects_a_missing_or_blank_name() {
        assert!(greet(Request { name: None }, "T")
            .unwrap_err()
            .contains("\"name\""));
        assert!(greet(
            Request {
                name: Some("  ".into())
            },
            "T"
        )
        .is_err());
    }
}
