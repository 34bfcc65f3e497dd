//! The Lambda L2's enums (and how the generated L1 has them), and the hand-written L1 of
//! `AWS::Lambda::EventSourceMapping` (the event sources move onto the generated one next).

use crate::core::value::Value;
use crate::{cfn_enum, cfn_resource, cfn_struct};

cfn_enum! {
    /// `Architectures` item.
    pub enum Architecture { Arm64 => "arm64", X86_64 => "x86_64" }
}

cfn_enum! {
    /// `TracingConfig.Mode`.
    pub enum TracingMode { Active => "Active", PassThrough => "PassThrough" }
}

cfn_enum! {
    /// `AuthType` of a function URL.
    pub enum FunctionUrlAuthType { AwsIam => "AWS_IAM", None => "NONE" }
}

cfn_enum! {
    /// `InvokeMode` of a function URL.
    pub enum InvokeMode { Buffered => "BUFFERED", ResponseStream => "RESPONSE_STREAM" }
}

// The L2's enums as the generated L1 has them.
impl From<Architecture> for crate::l1::lambda::function::Architecture {
    fn from(a: Architecture) -> Self {
        match a {
            Architecture::Arm64 => Self::Arm64,
            Architecture::X86_64 => Self::X8664,
        }
    }
}

impl From<TracingMode> for crate::l1::lambda::function::Mode {
    fn from(m: TracingMode) -> Self {
        match m {
            TracingMode::Active => Self::Active,
            TracingMode::PassThrough => Self::PassThrough,
        }
    }
}

impl From<FunctionUrlAuthType> for crate::l1::lambda::url::AuthType {
    fn from(a: FunctionUrlAuthType) -> Self {
        match a {
            FunctionUrlAuthType::AwsIam => Self::AwsIam,
            FunctionUrlAuthType::None => Self::NoneValue,
        }
    }
}

impl From<FunctionUrlAuthType> for crate::l1::lambda::permission::FunctionUrlAuthType {
    fn from(a: FunctionUrlAuthType) -> Self {
        match a {
            FunctionUrlAuthType::AwsIam => Self::AwsIam,
            FunctionUrlAuthType::None => Self::NoneValue,
        }
    }
}

impl From<InvokeMode> for crate::l1::lambda::url::InvokeMode {
    fn from(m: InvokeMode) -> Self {
        match m {
            InvokeMode::Buffered => Self::Buffered,
            InvokeMode::ResponseStream => Self::ResponseStream,
        }
    }
}

cfn_enum! {
    /// `StartingPosition` of a stream's event source mapping: where Lambda starts reading.
    pub enum StartingPosition {
        /// The oldest record still in the stream (DynamoDB keeps 24 hours).
        TrimHorizon => "TRIM_HORIZON",
        /// Only records written after the mapping is created.
        Latest => "LATEST",
    }
}

cfn_struct! {
    /// One pattern of `FilterCriteria` (`Filters` item).
    pub struct EventFilter {
        pattern: Option<String> => "Pattern",
    }
}

cfn_struct! {
    /// `FilterCriteria`: Lambda invokes only for records one of the patterns matches.
    pub struct FilterCriteria {
        filters: Option<Vec<EventFilter>> => "Filters",
    }
}

cfn_struct! {
    /// `OnFailure`: where a stream mapping sends the records it discards.
    pub struct OnFailure {
        destination: Option<Value> => "Destination",
    }
}

cfn_struct! {
    /// `DestinationConfig` of a stream mapping.
    pub struct DestinationConfig {
        on_failure: Option<OnFailure> => "OnFailure",
    }
}

cfn_struct! {
    /// `ScalingConfig` of an SQS mapping.
    pub struct ScalingConfig {
        maximum_concurrency: Option<u32> => "MaximumConcurrency",
    }
}

cfn_resource! {
    /// `AWS::Lambda::EventSourceMapping`: Lambda polls a queue or a stream and invokes the
    /// function with batches of its records.
    pub struct CfnEventSourceMapping: "AWS::Lambda::EventSourceMapping", required ["FunctionName"] {
        batch_size: Option<u32> => "BatchSize",
        bisect_batch_on_function_error: Option<bool> => "BisectBatchOnFunctionError",
        destination_config: Option<DestinationConfig> => "DestinationConfig",
        enabled: Option<bool> => "Enabled",
        event_source_arn: Option<Value> => "EventSourceArn",
        filter_criteria: Option<FilterCriteria> => "FilterCriteria",
        function_name: Value => "FunctionName",
        function_response_types: Option<Vec<String>> => "FunctionResponseTypes",
        maximum_batching_window_in_seconds: Option<u32> => "MaximumBatchingWindowInSeconds",
        maximum_record_age_in_seconds: Option<i32> => "MaximumRecordAgeInSeconds",
        maximum_retry_attempts: Option<i32> => "MaximumRetryAttempts",
        parallelization_factor: Option<u32> => "ParallelizationFactor",
        scaling_config: Option<ScalingConfig> => "ScalingConfig",
        starting_position: Option<StartingPosition> => "StartingPosition",
        tumbling_window_in_seconds: Option<u32> => "TumblingWindowInSeconds",
    }
}
