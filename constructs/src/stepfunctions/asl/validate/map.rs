//! The rules of a Map state's own fields: what needs a Distributed Map, its processor
//! config, reader, batcher and writer, and their limits.

use super::super::limits::*;
use super::super::model::*;
use super::{literal, shape, Checker};

impl Checker<'_> {
    /// Checks the fields of Map state `name` (besides its query-language fields and its
    /// Retry and Catch).
    pub(super) fn map_fields(&mut self, name: &str, m: &Map, language: QueryLanguage) {
        let distributed = m.is_distributed();
        let distributed_only = [
            (m.item_reader.is_some(), "ItemReader"),
            (m.item_batcher.is_some(), "ItemBatcher"),
            (m.result_writer.is_some(), "ResultWriter"),
            (
                m.tolerated_failure_percentage.is_some(),
                "ToleratedFailurePercentage",
            ),
            (m.tolerated_failure_count.is_some(), "ToleratedFailureCount"),
            (m.label.is_some(), "Label"),
        ];
        for (present, field) in distributed_only {
            if present && !distributed {
                self.at(
                    name,
                    format!("{field} needs a Distributed Map (ProcessorConfig Mode DISTRIBUTED)"),
                );
            }
        }
        if let Some(c) = m.processor_config {
            if c.mode == ProcessorMode::Inline && c.execution_type.is_some() {
                self.at(name, "ExecutionType applies to a Distributed Map only");
            }
            if c.mode == ProcessorMode::Distributed && c.execution_type.is_none() {
                self.at(
                    name,
                    "a Distributed Map needs an ExecutionType (STANDARD or EXPRESS)",
                );
            }
        }
        if distributed && self.options.express {
            self.at(name, "a Distributed Map needs a STANDARD state machine");
        }
        if let Some(r) = &m.item_reader {
            let resource = shape(&r.resource);
            if !(resource.ends_with(":states:::s3:getObject")
                || resource.ends_with(":states:::s3:listObjectsV2"))
            {
                self.at(
                    name,
                    format!(
                        "ItemReader reads from s3:getObject or s3:listObjectsV2, not {resource:?}"
                    ),
                );
            }
        }
        if let Some(w) = &m.result_writer {
            if let Some(r) = &w.resource {
                if !shape(r).ends_with(":states:::s3:putObject") {
                    self.at(name, "ResultWriter writes with s3:putObject");
                }
            }
        }
        if let Some(l) = &m.label {
            if l.chars().count() > 40 {
                self.at(name, "Label is longer than 40 characters");
            }
        }
        if let Some(Amount::Value(p)) = &m.tolerated_failure_percentage {
            if !(0.0..=100.0).contains(&p.as_f64().unwrap_or(-1.0)) {
                self.at(name, "ToleratedFailurePercentage must be between 0 and 100");
            }
        }
        if distributed {
            self.limit(
                name,
                "MaxConcurrency",
                literal(&m.max_concurrency),
                0,
                MAX_DISTRIBUTED_CONCURRENCY,
            );
        } else {
            self.limit(
                name,
                "MaxConcurrency",
                literal(&m.max_concurrency),
                0,
                MAX_INLINE_CONCURRENCY,
            );
        }
        if let Some(b) = &m.item_batcher {
            self.limit(
                name,
                "MaxInputBytesPerBatch",
                literal(&b.max_input_bytes_per_batch),
                1,
                MAX_BATCH_BYTES,
            );
            self.limit(
                name,
                "MaxItemsPerBatch",
                literal(&b.max_items_per_batch),
                1,
                i32::MAX as u64,
            );
        }
        if let Some(r) = &m.item_reader {
            self.input(name, &r.input, language);
            if let Some(c) = &r.reader_config {
                self.limit(
                    name,
                    "ReaderConfig.MaxItems",
                    literal(&c.max_items),
                    1,
                    MAX_READER_ITEMS,
                );
                let csv = c.input_type == Some(InputType::Csv);
                if !csv && (c.csv_headers.is_some() || c.csv_delimiter.is_some()) {
                    self.at(
                        name,
                        "CSVHeaderLocation and CSVDelimiter apply to InputType CSV only",
                    );
                }
                if csv && c.csv_headers.is_none() {
                    self.at(name, "InputType CSV needs CSVHeaderLocation (FIRST_ROW or GIVEN with the headers)");
                }
                if c.manifest_type.is_some() && c.input_type != Some(InputType::Manifest) {
                    self.at(name, "ManifestType applies to InputType MANIFEST only");
                }
            }
        }
        if let Some(w) = &m.result_writer {
            self.input(name, &w.input, language);
        }
    }
}
