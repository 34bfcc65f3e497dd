//! L1: `AWS::DynamoDB::Table`.

use crate::core::value::Value;
use crate::{cfn_enum, cfn_resource, cfn_struct};

cfn_enum! {
    /// `AttributeType`.
    pub enum ScalarAttributeType { S => "S", N => "N", B => "B" }
}

cfn_enum! {
    /// `KeyType`.
    pub enum KeyType { Hash => "HASH", Range => "RANGE" }
}

cfn_enum! {
    /// `BillingMode`.
    pub enum BillingMode { PayPerRequest => "PAY_PER_REQUEST", Provisioned => "PROVISIONED" }
}

cfn_enum! {
    /// `StreamViewType`: what a stream record holds.
    pub enum StreamViewType {
        KeysOnly => "KEYS_ONLY",
        NewImage => "NEW_IMAGE",
        OldImage => "OLD_IMAGE",
        NewAndOldImages => "NEW_AND_OLD_IMAGES",
    }
}

cfn_enum! {
    /// `ProjectionType`.
    pub enum ProjectionType { All => "ALL", KeysOnly => "KEYS_ONLY", Include => "INCLUDE" }
}

cfn_struct! {
    pub struct AttributeDefinition {
        attribute_name: Value => "AttributeName",
        attribute_type: Option<ScalarAttributeType> => "AttributeType",
    }
}

cfn_struct! {
    pub struct KeySchemaElement {
        attribute_name: Value => "AttributeName",
        key_type: Option<KeyType> => "KeyType",
    }
}

cfn_struct! {
    pub struct ProvisionedThroughput {
        read_capacity_units: Option<u32> => "ReadCapacityUnits",
        write_capacity_units: Option<u32> => "WriteCapacityUnits",
    }
}

cfn_struct! {
    pub struct Projection {
        non_key_attributes: Option<Vec<String>> => "NonKeyAttributes",
        projection_type: Option<ProjectionType> => "ProjectionType",
    }
}

cfn_struct! {
    pub struct GlobalSecondaryIndex {
        index_name: Value => "IndexName",
        key_schema: Vec<KeySchemaElement> => "KeySchema",
        projection: Projection => "Projection",
        provisioned_throughput: Option<ProvisionedThroughput> => "ProvisionedThroughput",
    }
}

cfn_struct! {
    pub struct LocalSecondaryIndex {
        index_name: Value => "IndexName",
        key_schema: Vec<KeySchemaElement> => "KeySchema",
        projection: Projection => "Projection",
    }
}

cfn_struct! {
    pub struct StreamSpecification {
        stream_view_type: Option<StreamViewType> => "StreamViewType",
    }
}

cfn_struct! {
    pub struct TimeToLiveSpecification {
        attribute_name: Option<Value> => "AttributeName",
        enabled: bool => "Enabled",
    }
}

cfn_struct! {
    pub struct PointInTimeRecoverySpecification {
        point_in_time_recovery_enabled: Option<bool> => "PointInTimeRecoveryEnabled",
    }
}

cfn_struct! {
    pub struct SseSpecification {
        kms_master_key_id: Option<Value> => "KMSMasterKeyId",
        sse_enabled: bool => "SSEEnabled",
        sse_type: Option<String> => "SSEType",
    }
}

cfn_resource! {
    /// `AWS::DynamoDB::Table`
    pub struct CfnTable: "AWS::DynamoDB::Table", required ["KeySchema"],
        unique "TableName" as "table" in AccountAndRegion {
        attribute_definitions: Option<Vec<AttributeDefinition>> => "AttributeDefinitions",
        billing_mode: Option<BillingMode> => "BillingMode",
        deletion_protection_enabled: Option<bool> => "DeletionProtectionEnabled",
        global_secondary_indexes: Option<Vec<GlobalSecondaryIndex>> => "GlobalSecondaryIndexes",
        key_schema: Option<Vec<KeySchemaElement>> => "KeySchema",
        local_secondary_indexes: Option<Vec<LocalSecondaryIndex>> => "LocalSecondaryIndexes",
        point_in_time_recovery_specification: Option<PointInTimeRecoverySpecification> => "PointInTimeRecoverySpecification",
        provisioned_throughput: Option<ProvisionedThroughput> => "ProvisionedThroughput",
        sse_specification: Option<SseSpecification> => "SSESpecification",
        stream_specification: Option<StreamSpecification> => "StreamSpecification",
        table_class: Option<String> => "TableClass",
        table_name: Option<Value> => "TableName",
        tags: Option<Vec<Value>> => "Tags",
        time_to_live_specification: Option<TimeToLiveSpecification> => "TimeToLiveSpecification",
    }
}
