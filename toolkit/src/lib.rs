//! rcdk's toolkit: everything that talks to AWS (deploy, diff, destroy, bootstrap, put-item,
//! the live calls of a local run)
//! and the scaffolding of new apps and crates, working on a cloud assembly that an app's
//! `synth` wrote. Its binary, `rcdk-toolkit`, is built once and reused by every app.

pub mod approval;
pub mod assets;
pub mod aws;
pub mod bootstrap;
pub mod capabilities;
pub mod cfn;
pub mod cli;
pub mod commands;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod error;
pub mod hotswap;
pub mod live;
pub mod logs;
pub mod plan;
pub mod put_item;
pub mod scaffold;
pub mod signed;
pub mod status;
pub mod template;
pub mod ui;

/// The AWS configuration of the standard chain (environment, profile, `AWS_ENDPOINT_URL`), with
/// `--profile` and `--region` on top.
pub async fn aws_config(profile: Option<&str>, region: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(aws_config::Region::new(r.to_string()));
    }
    loader.load().await
}
