//! `put-item`: one item into a DynamoDB table (apps' own data-loading commands use it).

use std::io::Read;

use super::context::{run_async, Connection};
use super::ToolkitError;
use crate::cli::PutItemArgs;
use crate::deploy::InFlight;
use crate::error::DeployError;
use crate::put_item::{item, put, PutError};

pub fn run(conn: &Connection, args: &PutItemArgs) -> Result<(), ToolkitError> {
    let (text, name) = if args.item.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|source| DeployError::Io {
                action: "read the item from",
                path: "standard input".into(),
                source,
            })?;
        (text, "standard input".to_string())
    } else {
        let text = std::fs::read_to_string(&args.item).map_err(|source| DeployError::Io {
            action: "read the item from",
            path: args.item.clone(),
            source,
        })?;
        (text, args.item.display().to_string())
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
        Ok(put(&client, &args.table, attributes).await)
    })?;
    result?;
    Ok(())
}
