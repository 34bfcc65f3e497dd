//! What the commands do with AWS: the only code of rcdk that calls it.

pub mod approval;
pub mod assets;
pub mod aws;
pub mod bootstrap;
pub mod capabilities;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod error;
pub mod load_table;
pub mod scaffold;
pub mod status;
pub mod ui;

/// The AWS configuration of the standard chain (environment, profile, `AWS_ENDPOINT_URL`).
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
