//! `put-item`: one item into a DynamoDB table (apps' own data-loading commands use it).

use std::io::Read;

use super::context::{run_async, Connection};
use super::ToolkitError;
use crate::cli::PutItemArgs;
use crate::deploy::InFlight;
use crate::error::DeployError;
use crate::put_item::{item, put_to, PutError};

/// The most JSON text read for one item: DynamoDB's item limit is 400 KB, and no JSON text ten
/// times that size holds an item DynamoDB would take, so a larger input (a wrong file, an
/// endless stream on standard input) is refused before it fills the memory.
const MAX_ITEM_TEXT: u64 = 4_000_000;

/// At most [`MAX_ITEM_TEXT`] bytes of `reader`, or the error that says the item is too large.
fn read_bounded(reader: impl Read, name: &str) -> Result<String, ToolkitError> {
    let mut text = String::new();
    reader
        .take(MAX_ITEM_TEXT + 1)
        .read_to_string(&mut text)
        .map_err(|source| DeployError::Io {
            action: "read the item from",
            path: name.into(),
            source,
        })?;
    if text.len() as u64 > MAX_ITEM_TEXT {
        return Err(PutError::TooLarge {
            source_name: name.to_string(),
            limit: MAX_ITEM_TEXT,
        }
        .into());
    }
    Ok(text)
}

pub fn run(conn: &Connection, args: &PutItemArgs) -> Result<(), ToolkitError> {
    let (text, name) = if args.item.as_os_str() == "-" {
        let name = "standard input".to_string();
        (read_bounded(std::io::stdin(), &name)?, name)
    } else {
        let name = args.item.display().to_string();
        let file = std::fs::File::open(&args.item).map_err(|source| DeployError::Io {
            action: "read the item from",
            path: args.item.clone(),
            source,
        })?;
        (read_bounded(file, &name)?, name)
    };
    let attributes = item(&text, &name)?;
    let in_flight = InFlight::default();
    let result: Result<(), PutError> = run_async(&in_flight, "put-item", async {
        let aws = conn.connect().await?;
        let client = match &aws.config {
            Some(config) => aws_sdk_dynamodb::Client::new(config),
            None => {
                return Ok(Err(PutError::Aws {
                    table: args.table.clone(),
                    message: "no AWS configuration".into(),
                }))
            }
        };
        Ok(put_to(&client, &args.table, attributes, &aws.destination()).await)
    })?;
    result?;
    Ok(())
}
