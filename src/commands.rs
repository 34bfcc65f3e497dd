//! The patterns app's own commands, next to rcdk's built-in ones.

use std::path::PathBuf;

use crate::config::Config;
use crate::load_table;

#[derive(Debug, clap::Subcommand)]
pub enum PatternsCommand {
    /// Load a JSON list into pattern 004's table (the item its state machine maps over).
    LoadTable(LoadTableArgs),
}

#[derive(Debug, clap::Args)]
pub struct LoadTableArgs {
    /// The JSON file of the list (simplelist.json, listofdicts.json).
    #[arg(long, value_name = "FILE")]
    pub json: PathBuf,

    /// The table; default: config.json's `mapDynamoDb.ddb.tableName`.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
}

/// Runs one of the app's own commands.
pub fn run(ctx: &rcdk::Context, command: PatternsCommand) -> Result<(), rcdk::Error> {
    match command {
        PatternsCommand::LoadTable(args) => {
            let config: Config = ctx.validated_config()?;
            let ddb = &config.map_dynamo_db.ddb;
            let table = args.table.clone().unwrap_or_else(|| ddb.table_name.clone());
            let item = load_table::list_item(
                &args.json,
                &ddb.partition_key_name,
                &ddb.partition_key_value_field,
            )?;
            load_table::put(ctx, &table, &item)?;
            println!(
                "loaded {} into {table} ({} = {})",
                args.json.display(),
                ddb.partition_key_name,
                ddb.partition_key_value_field
            );
            Ok(())
        }
    }
}
