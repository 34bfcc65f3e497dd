//! L1: `AWS::ApiGateway::RestApi`, `Resource`, `Method`, `Authorizer`, `Deployment`, `Stage`,
//! `Account`, `ApiKey`, `UsagePlan`, `UsagePlanKey`.

use indexmap::IndexMap;

use crate::core::value::Value;
use crate::{cfn_enum, cfn_resource, cfn_struct};

cfn_enum! {
    /// `EndpointConfiguration.Types` item.
    pub enum EndpointType { Regional => "REGIONAL", Edge => "EDGE", Private => "PRIVATE" }
}

cfn_enum! {
    /// `Integration.Type`.
    pub enum IntegrationType {
        Aws => "AWS",
        AwsProxy => "AWS_PROXY",
        Http => "HTTP",
        HttpProxy => "HTTP_PROXY",
        Mock => "MOCK",
    }
}

cfn_enum! {
    /// `Integration.PassthroughBehavior`.
    pub enum PassthroughBehavior {
        WhenNoMatch => "WHEN_NO_MATCH",
        WhenNoTemplates => "WHEN_NO_TEMPLATES",
        Never => "NEVER",
    }
}

cfn_struct! {
    pub struct EndpointConfiguration {
        types: Option<Vec<EndpointType>> => "Types",
        vpc_endpoint_ids: Option<Vec<Value>> => "VpcEndpointIds",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::RestApi`
    pub struct CfnRestApi: "AWS::ApiGateway::RestApi", required [] {
        api_key_source_type: Option<String> => "ApiKeySourceType",
        binary_media_types: Option<Vec<String>> => "BinaryMediaTypes",
        body: Option<Value> => "Body",
        description: Option<String> => "Description",
        disable_execute_api_endpoint: Option<bool> => "DisableExecuteApiEndpoint",
        endpoint_configuration: Option<EndpointConfiguration> => "EndpointConfiguration",
        fail_on_warnings: Option<bool> => "FailOnWarnings",
        minimum_compression_size: Option<u32> => "MinimumCompressionSize",
        name: Option<Value> => "Name",
        policy: Option<Value> => "Policy",
        tags: Option<Vec<Value>> => "Tags",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::Resource`
    pub struct CfnResourceProps: "AWS::ApiGateway::Resource", required ["ParentId", "PathPart", "RestApiId"] {
        parent_id: Value => "ParentId",
        path_part: Value => "PathPart",
        rest_api_id: Value => "RestApiId",
    }
}

cfn_struct! {
    pub struct IntegrationResponse {
        content_handling: Option<String> => "ContentHandling",
        response_parameters: Option<IndexMap<String, Value>> => "ResponseParameters",
        response_templates: Option<IndexMap<String, Value>> => "ResponseTemplates",
        selection_pattern: Option<String> => "SelectionPattern",
        status_code: Value => "StatusCode",
    }
}

cfn_struct! {
    pub struct Integration {
        cache_key_parameters: Option<Vec<String>> => "CacheKeyParameters",
        connection_type: Option<String> => "ConnectionType",
        content_handling: Option<String> => "ContentHandling",
        credentials: Option<Value> => "Credentials",
        integration_http_method: Option<String> => "IntegrationHttpMethod",
        integration_responses: Option<Vec<IntegrationResponse>> => "IntegrationResponses",
        passthrough_behavior: Option<PassthroughBehavior> => "PassthroughBehavior",
        request_parameters: Option<IndexMap<String, Value>> => "RequestParameters",
        request_templates: Option<IndexMap<String, Value>> => "RequestTemplates",
        response_transfer_mode: Option<String> => "ResponseTransferMode",
        timeout_in_millis: Option<u32> => "TimeoutInMillis",
        integration_type: Option<IntegrationType> => "Type",
        uri: Option<Value> => "Uri",
    }
}

cfn_struct! {
    pub struct MethodResponse {
        response_models: Option<IndexMap<String, Value>> => "ResponseModels",
        response_parameters: Option<IndexMap<String, bool>> => "ResponseParameters",
        status_code: Value => "StatusCode",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::Method`
    pub struct CfnMethod: "AWS::ApiGateway::Method", required ["HttpMethod", "ResourceId", "RestApiId"] {
        api_key_required: Option<bool> => "ApiKeyRequired",
        authorization_scopes: Option<Vec<String>> => "AuthorizationScopes",
        authorization_type: Option<String> => "AuthorizationType",
        authorizer_id: Option<Value> => "AuthorizerId",
        http_method: Value => "HttpMethod",
        integration: Option<Integration> => "Integration",
        method_responses: Option<Vec<MethodResponse>> => "MethodResponses",
        operation_name: Option<String> => "OperationName",
        request_models: Option<IndexMap<String, Value>> => "RequestModels",
        request_parameters: Option<IndexMap<String, bool>> => "RequestParameters",
        request_validator_id: Option<Value> => "RequestValidatorId",
        resource_id: Value => "ResourceId",
        rest_api_id: Value => "RestApiId",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::Authorizer`
    pub struct CfnAuthorizer: "AWS::ApiGateway::Authorizer", required ["Name", "RestApiId", "Type"] {
        authorizer_credentials: Option<Value> => "AuthorizerCredentials",
        authorizer_result_ttl_in_seconds: Option<u32> => "AuthorizerResultTtlInSeconds",
        authorizer_uri: Option<Value> => "AuthorizerUri",
        auth_type: Option<String> => "AuthType",
        identity_source: Option<String> => "IdentitySource",
        identity_validation_expression: Option<String> => "IdentityValidationExpression",
        name: Value => "Name",
        provider_arns: Option<Vec<Value>> => "ProviderARNs",
        rest_api_id: Value => "RestApiId",
        authorizer_type: Value => "Type",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::Deployment`
    pub struct CfnDeployment: "AWS::ApiGateway::Deployment", required ["RestApiId"] {
        description: Option<String> => "Description",
        rest_api_id: Value => "RestApiId",
        stage_name: Option<Value> => "StageName",
    }
}

cfn_struct! {
    pub struct AccessLogSetting {
        destination_arn: Option<Value> => "DestinationArn",
        format: Option<String> => "Format",
    }
}

cfn_struct! {
    pub struct MethodSetting {
        caching_enabled: Option<bool> => "CachingEnabled",
        data_trace_enabled: Option<bool> => "DataTraceEnabled",
        http_method: Option<String> => "HttpMethod",
        logging_level: Option<String> => "LoggingLevel",
        metrics_enabled: Option<bool> => "MetricsEnabled",
        resource_path: Option<String> => "ResourcePath",
        throttling_burst_limit: Option<u32> => "ThrottlingBurstLimit",
        throttling_rate_limit: Option<f64> => "ThrottlingRateLimit",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::Stage`
    pub struct CfnStage: "AWS::ApiGateway::Stage", required ["RestApiId"] {
        access_log_setting: Option<AccessLogSetting> => "AccessLogSetting",
        cache_cluster_enabled: Option<bool> => "CacheClusterEnabled",
        deployment_id: Option<Value> => "DeploymentId",
        description: Option<String> => "Description",
        method_settings: Option<Vec<MethodSetting>> => "MethodSettings",
        rest_api_id: Value => "RestApiId",
        stage_name: Option<Value> => "StageName",
        tags: Option<Vec<Value>> => "Tags",
        tracing_enabled: Option<bool> => "TracingEnabled",
        variables: Option<IndexMap<String, Value>> => "Variables",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::Account`: the account-wide CloudWatch role of API Gateway.
    pub struct CfnAccount: "AWS::ApiGateway::Account", required [] {
        cloud_watch_role_arn: Option<Value> => "CloudWatchRoleArn",
    }
}

cfn_struct! {
    pub struct StageKey {
        rest_api_id: Option<Value> => "RestApiId",
        stage_name: Option<Value> => "StageName",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::ApiKey`
    pub struct CfnApiKey: "AWS::ApiGateway::ApiKey", required [] {
        description: Option<String> => "Description",
        enabled: Option<bool> => "Enabled",
        name: Option<Value> => "Name",
        stage_keys: Option<Vec<StageKey>> => "StageKeys",
        value: Option<Value> => "Value",
    }
}

cfn_struct! {
    pub struct ThrottleSettings {
        burst_limit: Option<u32> => "BurstLimit",
        rate_limit: Option<f64> => "RateLimit",
    }
}

cfn_struct! {
    pub struct QuotaSettings {
        limit: Option<u32> => "Limit",
        offset: Option<u32> => "Offset",
        period: Option<String> => "Period",
    }
}

cfn_struct! {
    pub struct ApiStage {
        api_id: Option<Value> => "ApiId",
        stage: Option<Value> => "Stage",
        throttle: Option<IndexMap<String, ThrottleSettings>> => "Throttle",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::UsagePlan`
    pub struct CfnUsagePlan: "AWS::ApiGateway::UsagePlan", required [] {
        api_stages: Option<Vec<ApiStage>> => "ApiStages",
        description: Option<String> => "Description",
        quota: Option<QuotaSettings> => "Quota",
        throttle: Option<ThrottleSettings> => "Throttle",
        usage_plan_name: Option<Value> => "UsagePlanName",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::UsagePlanKey`
    pub struct CfnUsagePlanKey: "AWS::ApiGateway::UsagePlanKey", required ["KeyId", "KeyType", "UsagePlanId"] {
        key_id: Value => "KeyId",
        key_type: Value => "KeyType",
        usage_plan_id: Value => "UsagePlanId",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::RequestValidator`
    pub struct CfnRequestValidator: "AWS::ApiGateway::RequestValidator", required ["RestApiId"] {
        name: Option<Value> => "Name",
        rest_api_id: Value => "RestApiId",
        validate_request_body: Option<bool> => "ValidateRequestBody",
        validate_request_parameters: Option<bool> => "ValidateRequestParameters",
    }
}

cfn_resource! {
    /// `AWS::ApiGateway::Model`
    pub struct CfnModel: "AWS::ApiGateway::Model", required ["RestApiId"] {
        content_type: Option<String> => "ContentType",
        description: Option<String> => "Description",
        name: Option<Value> => "Name",
        rest_api_id: Value => "RestApiId",
        schema: Option<Value> => "Schema",
    }
}
