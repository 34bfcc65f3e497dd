//! L1: `AWS::Lambda::Function`, `Url`, `Permission`, `Version`, `Alias`,
//! `EventSourceMapping`.

use indexmap::IndexMap;

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

cfn_struct! {
    pub struct Code {
        image_uri: Option<Value> => "ImageUri",
        s3_bucket: Option<Value> => "S3Bucket",
        s3_key: Option<Value> => "S3Key",
        s3_object_version: Option<Value> => "S3ObjectVersion",
        zip_file: Option<String> => "ZipFile",
    }
}

cfn_struct! {
    pub struct Environment {
        variables: Option<IndexMap<String, Value>> => "Variables",
    }
}

cfn_struct! {
    pub struct LoggingConfig {
        application_log_level: Option<String> => "ApplicationLogLevel",
        log_format: Option<String> => "LogFormat",
        log_group: Option<Value> => "LogGroup",
        system_log_level: Option<String> => "SystemLogLevel",
    }
}

cfn_struct! {
    pub struct TracingConfig {
        mode: Option<TracingMode> => "Mode",
    }
}

cfn_struct! {
    pub struct EphemeralStorage {
        size: u32 => "Size",
    }
}

cfn_resource! {
    /// `AWS::Lambda::Function`
    pub struct CfnFunction: "AWS::Lambda::Function", required ["Code", "Role"],
        unique "FunctionName" as "function" in AccountAndRegion {
        architectures: Option<Vec<Architecture>> => "Architectures",
        code: Option<Code> => "Code",
        dead_letter_config: Option<Value> => "DeadLetterConfig",
        description: Option<String> => "Description",
        environment: Option<Environment> => "Environment",
        ephemeral_storage: Option<EphemeralStorage> => "EphemeralStorage",
        function_name: Option<Value> => "FunctionName",
        handler: Option<String> => "Handler",
        layers: Option<Vec<Value>> => "Layers",
        logging_config: Option<LoggingConfig> => "LoggingConfig",
        memory_size: Option<u32> => "MemorySize",
        reserved_concurrent_executions: Option<u32> => "ReservedConcurrentExecutions",
        role: Value => "Role",
        runtime: Option<String> => "Runtime",
        tags: Option<Vec<Value>> => "Tags",
        timeout: Option<u32> => "Timeout",
        tracing_config: Option<TracingConfig> => "TracingConfig",
        vpc_config: Option<Value> => "VpcConfig",
    }
}

cfn_struct! {
    /// `Cors` of a function URL.
    pub struct UrlCors {
        allow_credentials: Option<bool> => "AllowCredentials",
        allow_headers: Option<Vec<String>> => "AllowHeaders",
        allow_methods: Option<Vec<String>> => "AllowMethods",
        allow_origins: Option<Vec<String>> => "AllowOrigins",
        expose_headers: Option<Vec<String>> => "ExposeHeaders",
        max_age: Option<u32> => "MaxAge",
    }
}

cfn_resource! {
    /// `AWS::Lambda::Url`
    pub struct CfnUrl: "AWS::Lambda::Url", required ["AuthType", "TargetFunctionArn"] {
        auth_type: Option<FunctionUrlAuthType> => "AuthType",
        cors: Option<UrlCors> => "Cors",
        invoke_mode: Option<InvokeMode> => "InvokeMode",
        qualifier: Option<Value> => "Qualifier",
        target_function_arn: Value => "TargetFunctionArn",
    }
}

cfn_resource! {
    /// `AWS::Lambda::Permission`: a statement of the function's resource policy.
    pub struct CfnPermission: "AWS::Lambda::Permission", required ["Action", "FunctionName", "Principal"] {
        action: Value => "Action",
        event_source_token: Option<Value> => "EventSourceToken",
        function_name: Value => "FunctionName",
        function_url_auth_type: Option<FunctionUrlAuthType> => "FunctionUrlAuthType",
        invoked_via_function_url: Option<bool> => "InvokedViaFunctionUrl",
        principal: Value => "Principal",
        principal_org_id: Option<Value> => "PrincipalOrgID",
        source_account: Option<Value> => "SourceAccount",
        source_arn: Option<Value> => "SourceArn",
    }
}

cfn_resource! {
    /// `AWS::Lambda::Version`
    pub struct CfnVersion: "AWS::Lambda::Version", required ["FunctionName"] {
        code_sha256: Option<Value> => "CodeSha256",
        description: Option<String> => "Description",
        function_name: Value => "FunctionName",
    }
}

cfn_struct! {
    pub struct VersionWeight {
        function_version: Value => "FunctionVersion",
        function_weight: Option<f64> => "FunctionWeight",
    }
}

cfn_resource! {
    /// `AWS::Lambda::Alias`
    pub struct CfnAlias: "AWS::Lambda::Alias", required ["FunctionName", "FunctionVersion", "Name"] {
        description: Option<String> => "Description",
        function_name: Value => "FunctionName",
        function_version: Value => "FunctionVersion",
        name: Value => "Name",
        routing_config: Option<Value> => "RoutingConfig",
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
