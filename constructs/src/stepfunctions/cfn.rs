//! The state machine L2's enums, and how the generated L1 (`l1::stepfunctions`) has them.

use crate::cfn_enum;
use crate::l1::stepfunctions::state_machine as l1;

cfn_enum! {
    /// `StateMachineType`.
    pub enum StateMachineType { Standard => "STANDARD", Express => "EXPRESS" }
}

cfn_enum! {
    /// `LoggingConfiguration.Level`.
    pub enum LogLevel { All => "ALL", Error => "ERROR", Fatal => "FATAL", Off => "OFF" }
}

impl From<StateMachineType> for l1::StateMachineType {
    fn from(t: StateMachineType) -> Self {
        match t {
            StateMachineType::Standard => Self::Standard,
            StateMachineType::Express => Self::Express,
        }
    }
}

impl From<LogLevel> for l1::Level {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::All => Self::All,
            LogLevel::Error => Self::Error,
            LogLevel::Fatal => Self::Fatal,
            LogLevel::Off => Self::Off,
        }
    }
}
