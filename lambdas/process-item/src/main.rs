//! Pattern 004's function: the Map state invokes it once per element of the list read from
//! DynamoDB (a DynamoDB-typed value such as `{"S": "Economics"}` or `{"M": {...}}`). It logs
//! the element and returns it unchanged.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

/// Checks the element and gives back what to log and return.
fn process(event: Value) -> Result<(String, Value), String> {
    let Some(fields) = event.as_object() else {
        return Err(format!(
            "the event must be a DynamoDB-typed value (an object), not {event}"
        ));
    };
    if fields.is_empty() {
        return Err("the event is an empty object; expected a DynamoDB-typed value such as {\"S\": \"...\"}".into());
    }
    let line = format!(
        "processing item {}",
        serde_json::to_string(&event).unwrap_or_default()
    );
    Ok((line, event))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        let (line, item) = process(event.payload).map_err(Error::from)?;
        println!("{line}");
        Ok::<Value, Error>(item)
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn returns_the_item_and_logs_it() {
        let item = json!({"M": {"topic": {"S": "cs"}, "name": {"S": "Computer Science"}}});
        let (line, back) = process(item.clone()).unwrap();
        assert_eq!(back, item);
        assert_eq!(line, "processing item {\"M\":{\"topic\":{\"S\":\"cs\"},\"name\":{\"S\":\"Computer Science\"}}}");
        assert_eq!(
            process(json!({"S": "Economics"})).unwrap().1,
            json!({"S": "Economics"})
        );
    }

    #[test]
    fn rejects_what_is_not_an_item() {
        assert!(process(json!("Economics"))
            .unwrap_err()
            .contains("must be a DynamoDB-typed value"));
        assert!(process(json!({})).unwrap_err().contains("empty object"));
    }
}
