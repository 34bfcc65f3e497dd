//! L1: `AWS::StepFunctions::StateMachine`.

use indexmap::IndexMap;

use crate::core::value::Value;
use crate::{cfn_enum, cfn_resource, cfn_struct};

cfn_enum! {
    /// `StateMachineType`.
    pub enum StateMachineType { Standard => "STANDARD", Express => "EXPRESS" }
}

cfn_enum! {
    /// `LoggingConfiguration.Level`.
    pub enum LogLevel { All => "ALL", Error => "ERROR", Fatal => "FATAL", Off => "OFF" }
}

cfn_struct! {
    /// `CloudWatchLogsLogGroup`: the log group a state machine logs to.
    pub struct CloudWatchLogsLogGroup {
        log_group_arn: Value => "LogGroupArn",
    }
}

cfn_struct! {
    /// `LogDestination`: one destination of `LoggingConfiguration.Destinations`.
    pub struct LogDestination {
        cloud_watch_logs_log_group: CloudWatchLogsLogGroup => "CloudWatchLogsLogGroup",
    }
}

cfn_struct! {
    /// `LoggingConfiguration`: what a state machine logs, and where.
    pub struct LoggingConfiguration {
        destinations: Option<Vec<LogDestination>> => "Destinations",
        include_execution_data: Option<bool> => "IncludeExecutionData",
        level: Option<LogLevel> => "Level",
    }
}

cfn_struct! {
    /// `TracingConfiguration`: X-Ray tracing of executions.
    pub struct TracingConfiguration {
        enabled: Option<bool> => "Enabled",
    }
}

cfn_resource! {
    /// `AWS::StepFunctions::StateMachine`. rcdk sets `Definition` (an object) and carries
    /// every token in `DefinitionSubstitutions`.
    pub struct CfnStateMachine: "AWS::StepFunctions::StateMachine", required ["RoleArn"],
        unique "StateMachineName" as "state machine" in AccountAndRegion {
        definition: Option<Value> => "Definition",
        definition_string: Option<Value> => "DefinitionString",
        definition_substitutions: Option<IndexMap<String, Value>> => "DefinitionSubstitutions",
        logging_configuration: Option<LoggingConfiguration> => "LoggingConfiguration",
        role_arn: Value => "RoleArn",
        state_machine_name: Option<Value> => "StateMachineName",
        state_machine_type: Option<StateMachineType> => "StateMachineType",
        tags: Option<Vec<Value>> => "Tags",
        tracing_configuration: Option<TracingConfiguration> => "TracingConfiguration",
    }
}
