//! L1: `AWS::Lambda::Function`, `Url`, `Permission`, `Version`, `Alias`.

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
    pub struct CfnFunction: "AWS::Lambda::Function", required ["Code", "Role"] {
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
