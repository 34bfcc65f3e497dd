//! The Lambda L2's enums, and how the generated L1 (`l1::lambda`) has them.

use crate::cfn_enum;

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
