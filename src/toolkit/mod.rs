//! What the commands do with AWS: the only code of rcdk that calls it.

pub mod approval;
pub mod capabilities;
pub mod load_table;
pub mod scaffold;
pub mod status;

/// The AWS configuration of the standard chain (environment, profile, `AWS_ENDPOINT_URL`).
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
