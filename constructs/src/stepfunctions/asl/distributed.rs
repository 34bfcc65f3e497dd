//! The parts of a Map state beyond its iteration: how it runs (`ProcessorConfig`), and for a
//! Distributed Map where its items come from (`ItemReader`), how they are batched and where the
//! results go (`ResultWriter`), each with the rights it needs; and the stand-in for the
//! machine's own name that its child executions are started under.

use crate::core::token::fns;
use crate::core::value::Value;
use crate::iam::PolicyStatement;
use crate::s3::Bucket;

use super::input::Input;
use super::model::Amount;

/// The variable that stands for the state machine's own name until the `StateMachine`
/// construct knows it: an ARN built from it never refers to the machine's resource, so a
/// machine may call itself without a dependency cycle.
pub const THIS_MACHINE_NAME: &str = "rcdk:ThisStateMachineName";

/// The ARN of the state machine that runs the definition, built from its name
/// (`arn:<partition>:states:<region>:<account>:stateMachine:<name>`): for a machine that
/// starts executions of itself.
pub fn this_state_machine_arn() -> Value {
    fns::sub(format!(
        "arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:stateMachine:${{{THIS_MACHINE_NAME}}}"
    ))
}

/// The ARNs of the executions of the machine that runs the definition: its own executions
/// (`execution:<name>:*`) and a Distributed Map's child executions (`execution:<name>/*`).
pub fn this_state_machine_executions() -> Vec<Value> {
    [":", "/"]
        .iter()
        .map(|sep| {
            fns::sub(format!(
                "arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:execution:${{{THIS_MACHINE_NAME}}}{sep}*"
            ))
        })
        .collect()
}

/// `ProcessorConfig.Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessorMode {
    /// `INLINE`: the iterations run in this execution.
    Inline,
    /// `DISTRIBUTED`: each iteration (or batch) is a child execution.
    Distributed,
}

/// `ProcessorConfig.ExecutionType` (Distributed Map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionType {
    /// `STANDARD` child executions.
    Standard,
    /// `EXPRESS` child executions.
    Express,
}

/// `ItemProcessor.ProcessorConfig`: how a Map runs its iterations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessorConfig {
    /// `Mode`.
    pub mode: ProcessorMode,
    /// `ExecutionType` of the child executions (Distributed Map only).
    pub execution_type: Option<ExecutionType>,
}

/// `ReaderConfig.InputType`: what the object read holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// `CSV`.
    Csv,
    /// `JSON`: an array.
    Json,
    /// `JSONL`: one JSON value a line.
    Jsonl,
    /// `MANIFEST`: an S3 Inventory or Athena manifest.
    Manifest,
    /// `PARQUET`.
    Parquet,
}

impl InputType {
    /// The value written in the ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            InputType::Csv => "CSV",
            InputType::Json => "JSON",
            InputType::Jsonl => "JSONL",
            InputType::Manifest => "MANIFEST",
            InputType::Parquet => "PARQUET",
        }
    }
}

/// Where the column names of a CSV file come from (`CSVHeaderLocation`, `CSVHeaders`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvHeaders {
    /// `FIRST_ROW`.
    FirstRow,
    /// `GIVEN`, with the names.
    Given(Vec<String>),
}

/// `ReaderConfig.CSVDelimiter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvDelimiter {
    /// `COMMA`.
    Comma,
    /// `PIPE`.
    Pipe,
    /// `SEMICOLON`.
    Semicolon,
    /// `SPACE`.
    Space,
    /// `TAB`.
    Tab,
}

impl CsvDelimiter {
    /// The value written in the ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            CsvDelimiter::Comma => "COMMA",
            CsvDelimiter::Pipe => "PIPE",
            CsvDelimiter::Semicolon => "SEMICOLON",
            CsvDelimiter::Space => "SPACE",
            CsvDelimiter::Tab => "TAB",
        }
    }
}

/// `ReaderConfig.ManifestType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestType {
    /// An S3 Inventory manifest.
    S3Inventory,
    /// An Athena UNLOAD manifest.
    AthenaData,
}

impl ManifestType {
    /// The value written in the ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            ManifestType::S3Inventory => "S3_INVENTORY",
            ManifestType::AthenaData => "ATHENA_DATA",
        }
    }
}

/// `ItemReader.ReaderConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReaderConfig {
    /// `InputType`.
    pub input_type: Option<InputType>,
    /// `CSVHeaderLocation` and `CSVHeaders`.
    pub csv_headers: Option<CsvHeaders>,
    /// `CSVDelimiter`.
    pub csv_delimiter: Option<CsvDelimiter>,
    /// `MaxItems` (or `MaxItemsPath`): the most items read.
    pub max_items: Option<Amount>,
    /// `ManifestType`.
    pub manifest_type: Option<ManifestType>,
}

impl ReaderConfig {
    /// A reader config for objects holding `input_type`.
    pub fn new(input_type: InputType) -> Self {
        ReaderConfig {
            input_type: Some(input_type),
            ..Default::default()
        }
    }
    /// Where a CSV file's column names come from.
    pub fn csv_headers(mut self, headers: CsvHeaders) -> Self {
        self.csv_headers = Some(headers);
        self
    }
    /// The delimiter of a CSV file.
    pub fn csv_delimiter(mut self, delimiter: CsvDelimiter) -> Self {
        self.csv_delimiter = Some(delimiter);
        self
    }
    /// Reads at most this many items.
    pub fn max_items(mut self, amount: impl Into<Amount>) -> Self {
        self.max_items = Some(amount.into());
        self
    }
    /// The kind of manifest (with [`InputType::Manifest`]).
    pub fn manifest_type(mut self, kind: ManifestType) -> Self {
        self.manifest_type = Some(kind);
        self
    }
}

/// An S3 object key: literal, or from a path of the state's input.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    /// A key written as is, `orders/today.csv`.
    Literal(String),
    /// A key at a path of the state's input, `$.key`.
    Path(String),
}

impl ObjectKey {
    /// The key as a task input.
    pub fn input(&self) -> Input {
        match self {
            ObjectKey::Literal(k) => Input::from(k.as_str()),
            ObjectKey::Path(p) => Input::path(p.as_str()),
        }
    }

    /// The object ARN a policy names: the key, or every key when it comes from a path.
    pub fn object_arn(&self, bucket: &Bucket) -> Value {
        match self {
            ObjectKey::Literal(k) => bucket.arn_for_objects(k),
            ObjectKey::Path(_) => bucket.arn_for_objects("*"),
        }
    }
}

/// `ItemReader` of a Distributed Map: where the items come from.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReader {
    /// `arn:aws:states:::s3:getObject` or `arn:aws:states:::s3:listObjectsV2`.
    pub resource: Value,
    /// `ReaderConfig`.
    pub reader_config: Option<ReaderConfig>,
    /// As written (a parsed definition); the typed constructors write `input`.
    pub parameters: Option<Value>,
    /// As written (a parsed definition); the typed constructors write `input`.
    pub arguments: Option<Value>,
    /// Rendered as `Parameters` or `Arguments` by the Map's query language.
    pub input: Option<Input>,
    /// The rights reading needs (not part of the ASL).
    pub policy: Vec<PolicyStatement>,
}

impl ItemReader {
    /// Reads the items from one object (a JSON array, a CSV or JSONL file, a manifest):
    /// `s3:GetObject` on it.
    pub fn s3_object(bucket: &Bucket, key: ObjectKey, config: ReaderConfig) -> Self {
        ItemReader {
            resource: super::super::tasks::integration_arn("s3:getObject"),
            reader_config: Some(config),
            parameters: None,
            arguments: None,
            input: Some(
                Input::object()
                    .field("Bucket", bucket.name())
                    .field("Key", key.input()),
            ),
            policy: vec![PolicyStatement::allow()
                .action("s3:GetObject")
                .resource(key.object_arn(bucket))],
        }
    }

    /// Iterates over the objects under `prefix` (each item is one object's metadata):
    /// `s3:ListBucket` on the bucket, limited to the prefix.
    pub fn s3_objects(bucket: &Bucket, prefix: &str) -> Self {
        let mut input = Input::object().field("Bucket", bucket.name());
        let mut list = PolicyStatement::allow()
            .action("s3:ListBucket")
            .resource(bucket.arn());
        if !prefix.is_empty() {
            input = input.field("Prefix", prefix);
            list = list.condition("StringLike", "s3:prefix", format!("{prefix}*"));
        }
        ItemReader {
            resource: super::super::tasks::integration_arn("s3:listObjectsV2"),
            reader_config: None,
            parameters: None,
            arguments: None,
            input: Some(input),
            policy: vec![list],
        }
    }
}

/// `ItemBatcher` of a Distributed Map: groups items so that each child execution gets a
/// batch; `ItemBatcher::new()` then builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch` (or `MaxItemsPerBatchPath`): the most items in one batch.
    pub max_items_per_batch: Option<Amount>,
    /// `MaxInputBytesPerBatch` (or `MaxInputBytesPerBatchPath`): the largest batch, in bytes.
    pub max_input_bytes_per_batch: Option<Amount>,
    /// `BatchInput`: a JSON object added to every batch.
    pub batch_input: Option<Value>,
}

impl ItemBatcher {
    /// A batcher with no limit yet: set at least one of the two.
    pub fn new() -> Self {
        Self::default()
    }
    /// The most items in one batch (`MaxItemsPerBatch`).
    pub fn max_items_per_batch(mut self, amount: impl Into<Amount>) -> Self {
        self.max_items_per_batch = Some(amount.into());
        self
    }
    /// The largest batch in bytes (`MaxInputBytesPerBatch`), at most 256 KiB.
    pub fn max_input_bytes_per_batch(mut self, amount: impl Into<Amount>) -> Self {
        self.max_input_bytes_per_batch = Some(amount.into());
        self
    }
    /// A JSON object added to every batch (`BatchInput`).
    pub fn batch_input(mut self, input: impl Into<Value>) -> Self {
        self.batch_input = Some(input.into());
        self
    }
}

/// `WriterConfig.OutputType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputType {
    /// `JSON`: one array.
    Json,
    /// `JSONL`: one JSON value a line.
    Jsonl,
}

/// `WriterConfig.Transformation`: what is kept of each child execution's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transformation {
    /// The whole execution record.
    None,
    /// Output, status and error of each child.
    Compact,
    /// The outputs, flattened into one array.
    Flatten,
}

/// `ResultWriter.WriterConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WriterConfig {
    /// `OutputType`.
    pub output_type: Option<OutputType>,
    /// `Transformation`.
    pub transformation: Option<Transformation>,
}

/// `ResultWriter` of a Distributed Map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultWriter {
    /// `Resource`: `arn:aws:states:::s3:putObject`.
    pub resource: Option<Value>,
    /// As written (a parsed definition); [`ResultWriter::s3`] writes `input`.
    pub parameters: Option<Value>,
    /// As written (a parsed definition); [`ResultWriter::s3`] writes `input`.
    pub arguments: Option<Value>,
    /// Rendered as `Parameters` or `Arguments` by the Map's query language.
    pub input: Option<Input>,
    /// `WriterConfig`.
    pub writer_config: Option<WriterConfig>,
    /// The rights writing needs (not part of the ASL).
    pub policy: Vec<PolicyStatement>,
}

impl ResultWriter {
    /// Writes the Map Run's results under `prefix` of `bucket`: `s3:PutObject`, the
    /// multipart actions and `s3:GetObject` on the objects under the prefix.
    pub fn s3(bucket: &Bucket, prefix: &str) -> Self {
        let prefix = prefix.trim_end_matches('/');
        let objects = if prefix.is_empty() {
            bucket.arn_for_objects("*")
        } else {
            bucket.arn_for_objects(&format!("{prefix}/*"))
        };
        let mut input = Input::object().field("Bucket", bucket.name());
        if !prefix.is_empty() {
            input = input.field("Prefix", prefix);
        }
        ResultWriter {
            resource: Some(super::super::tasks::integration_arn("s3:putObject")),
            parameters: None,
            arguments: None,
            input: Some(input),
            writer_config: None,
            policy: vec![PolicyStatement::allow()
                .actions([
                    "s3:AbortMultipartUpload",
                    "s3:GetObject",
                    "s3:ListMultipartUploadParts",
                    "s3:PutObject",
                ])
                .resource(objects)],
        }
    }

    /// The format and transformation of the results.
    pub fn config(mut self, output_type: OutputType, transformation: Transformation) -> Self {
        self.writer_config = Some(WriterConfig {
            output_type: Some(output_type),
            transformation: Some(transformation),
        });
        self
    }
}
