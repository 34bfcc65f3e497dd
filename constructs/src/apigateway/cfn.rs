//! The REST API L2's enums, and how the generated L1 (`l1::apigateway`) has them.

use crate::cfn_enum;
use crate::l1::apigateway::method;

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

impl From<IntegrationType> for method::Type {
    fn from(t: IntegrationType) -> Self {
        match t {
            IntegrationType::Aws => Self::Aws,
            IntegrationType::AwsProxy => Self::AwsProxy,
            IntegrationType::Http => Self::Http,
            IntegrationType::HttpProxy => Self::HttpProxy,
            IntegrationType::Mock => Self::Mock,
        }
    }
}

impl From<PassthroughBehavior> for method::PassthroughBehavior {
    fn from(b: PassthroughBehavior) -> Self {
        match b {
            PassthroughBehavior::WhenNoMatch => Self::WhenNoMatch,
            PassthroughBehavior::WhenNoTemplates => Self::WhenNoTemplates,
            PassthroughBehavior::Never => Self::Never,
        }
    }
}
