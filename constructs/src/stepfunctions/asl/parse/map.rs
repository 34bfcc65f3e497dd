//! Parsing a Map state's own fields: its iteration, item selector, and a Distributed Map's
//! reader (with its typed config), batcher and writer.

use serde_json::Value as Json;

use crate::core::value::Value;

use super::super::model::*;
use super::{catchers, err, parse_definition_at, retriers, Fields, ParseError, Result, Scope};

fn parse_reader_config(at: &str, v: &Json) -> Result<ReaderConfig> {
    let mut f = Fields::new(at, v)?;
    let csv_headers = match f.take("CSVHeaders") {
        None => None,
        Some(Json::Array(items)) => Some(
            items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| ParseError {
                    at: format!("{at}/CSVHeaders"),
                    message: "expected strings".into(),
                })?,
        ),
        Some(_) => return err(&format!("{at}/CSVHeaders"), "expected an array"),
    };
    let one_of = |key: &str, value: Option<String>, allowed: &[&str]| -> Result<Option<usize>> {
        match value {
            None => Ok(None),
            Some(v) => match allowed.iter().position(|a| *a == v) {
                Some(i) => Ok(Some(i)),
                None => err(
                    &format!("{at}/{key}"),
                    format!("{v:?} is not one of {}", allowed.join(", ")),
                ),
            },
        }
    };
    const INPUT_TYPES: [InputType; 5] = [
        InputType::Csv,
        InputType::Json,
        InputType::Jsonl,
        InputType::Manifest,
        InputType::Parquet,
    ];
    const DELIMITERS: [CsvDelimiter; 5] = [
        CsvDelimiter::Comma,
        CsvDelimiter::Pipe,
        CsvDelimiter::Semicolon,
        CsvDelimiter::Space,
        CsvDelimiter::Tab,
    ];
    const MANIFESTS: [ManifestType; 2] = [ManifestType::S3Inventory, ManifestType::AthenaData];
    let input_type = one_of(
        "InputType",
        f.string("InputType")?,
        &INPUT_TYPES.map(InputType::as_str),
    )?
    .map(|i| INPUT_TYPES[i]);
    let csv_headers = match (f.string("CSVHeaderLocation")?.as_deref(), csv_headers) {
        (None, None) => None,
        (Some("FIRST_ROW"), None) => Some(CsvHeaders::FirstRow),
        (Some("GIVEN"), Some(names)) => Some(CsvHeaders::Given(names)),
        (Some("GIVEN"), None) => return err(at, "CSVHeaderLocation GIVEN needs CSVHeaders"),
        (Some("FIRST_ROW") | None, Some(_)) => {
            return err(at, "CSVHeaders go with CSVHeaderLocation GIVEN")
        }
        (Some(other), _) => {
            return err(
                &format!("{at}/CSVHeaderLocation"),
                format!("{other:?} is not one of FIRST_ROW, GIVEN"),
            )
        }
    };
    let csv_delimiter = one_of(
        "CSVDelimiter",
        f.string("CSVDelimiter")?,
        &DELIMITERS.map(CsvDelimiter::as_str),
    )?
    .map(|i| DELIMITERS[i]);
    let max_items = f.amount("MaxItems", "MaxItemsPath")?;
    let manifest_type = one_of(
        "ManifestType",
        f.string("ManifestType")?,
        &MANIFESTS.map(ManifestType::as_str),
    )?
    .map(|i| MANIFESTS[i]);
    let config = ReaderConfig {
        input_type,
        csv_headers,
        csv_delimiter,
        max_items,
        manifest_type,
    };
    f.finish()?;
    Ok(config)
}

pub(super) fn parse_map(f: &mut Fields<'_>) -> Result<Map> {
    let (processor_json, legacy_iterator) = match (f.take("ItemProcessor"), f.take("Iterator")) {
        (Some(p), None) => (p, false),
        (None, Some(i)) => (i, true),
        (Some(_), Some(_)) => {
            return err(&f.at, "ItemProcessor and Iterator are mutually exclusive")
        }
        (None, None) => return err(&f.at, "a Map state needs ItemProcessor"),
    };
    let processor_at = f.here(if legacy_iterator {
        "Iterator"
    } else {
        "ItemProcessor"
    });
    let (processor, processor_config) =
        parse_definition_at(&processor_at, processor_json, Scope::Processor)?;
    let (item_selector, legacy_parameters) = match (f.take("ItemSelector"), f.take("Parameters")) {
        (Some(s), None) => (Some(Value::from(s.clone())), false),
        (None, Some(p)) => (Some(Value::from(p.clone())), true),
        (Some(_), Some(_)) => {
            return err(&f.at, "ItemSelector and Parameters are mutually exclusive")
        }
        (None, None) => (None, false),
    };
    let item_reader = match f.take("ItemReader") {
        None => None,
        Some(v) => {
            let at = f.here("ItemReader");
            let mut r = Fields::new(&at, v)?;
            let resource = Value::String(r.required_string("Resource")?);
            let reader_config = match r.take("ReaderConfig") {
                None => None,
                Some(c) => Some(parse_reader_config(&format!("{at}/ReaderConfig"), c)?),
            };
            let reader = ItemReader {
                resource,
                reader_config,
                parameters: r.value("Parameters"),
                arguments: r.value("Arguments"),
                input: None,
                policy: Vec::new(),
            };
            r.finish()?;
            Some(reader)
        }
    };
    let item_batcher = match f.take("ItemBatcher") {
        None => None,
        Some(v) => {
            let mut b = Fields::new(&f.here("ItemBatcher"), v)?;
            let batcher = ItemBatcher {
                max_items_per_batch: b.amount("MaxItemsPerBatch", "MaxItemsPerBatchPath")?,
                max_input_bytes_per_batch: b
                    .amount("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")?,
                batch_input: b.value("BatchInput"),
            };
            b.finish()?;
            Some(batcher)
        }
    };
    let result_writer = match f.take("ResultWriter") {
        None => None,
        Some(v) => {
            let at = f.here("ResultWriter");
            let mut w = Fields::new(&at, v)?;
            let writer_config = match w.take("WriterConfig") {
                None => None,
                Some(c) => {
                    let mut cf = Fields::new(&format!("{at}/WriterConfig"), c)?;
                    let output_type = match cf.string("OutputType")?.as_deref() {
                        None => None,
                        Some("JSON") => Some(OutputType::Json),
                        Some("JSONL") => Some(OutputType::Jsonl),
                        Some(other) => {
                            return err(
                                &format!("{at}/WriterConfig/OutputType"),
                                format!("{other:?} is not one of JSON, JSONL"),
                            )
                        }
                    };
                    let transformation = match cf.string("Transformation")?.as_deref() {
                        None => None,
                        Some("NONE") => Some(Transformation::None),
                        Some("COMPACT") => Some(Transformation::Compact),
                        Some("FLATTEN") => Some(Transformation::Flatten),
                        Some(other) => {
                            return err(
                                &format!("{at}/WriterConfig/Transformation"),
                                format!("{other:?} is not one of NONE, COMPACT, FLATTEN"),
                            )
                        }
                    };
                    let config = WriterConfig {
                        output_type,
                        transformation,
                    };
                    cf.finish()?;
                    Some(config)
                }
            };
            let writer = ResultWriter {
                resource: w.string("Resource")?.map(Value::String),
                parameters: w.value("Parameters"),
                arguments: w.value("Arguments"),
                input: None,
                writer_config,
                policy: Vec::new(),
            };
            w.finish()?;
            Some(writer)
        }
    };
    Ok(Map {
        items_path: f.string("ItemsPath")?,
        items: f.value("Items"),
        item_selector,
        legacy_parameters,
        processor: Box::new(processor),
        legacy_iterator,
        processor_config,
        item_reader,
        item_batcher,
        result_writer,
        max_concurrency: f.amount("MaxConcurrency", "MaxConcurrencyPath")?,
        tolerated_failure_percentage: f.amount(
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        )?,
        tolerated_failure_count: f.amount("ToleratedFailureCount", "ToleratedFailureCountPath")?,
        label: f.string("Label")?,
        result_selector: f.value("ResultSelector"),
        result_path: f.path_value("ResultPath")?,
        retry: retriers(f)?,
        catch: catchers(f)?,
        next: f.transition()?,
    })
}
