//! The AWS connection of deploy, diff, destroy and bootstrap: the standard chain (environment,
//! profile, SSO, instance role) with `--profile` and `--region` on top, checked before the first
//! call so that a missing region, missing credentials or an expired token each get one clear
//! message; and the translation of SDK errors into [`DeployError`]s.

use std::time::SystemTime;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

use crate::error::DeployError;

/// The clients deploy uses, and where they point.
#[derive(Debug, Clone)]
pub struct Aws {
    pub cfn: aws_sdk_cloudformation::Client,
    pub s3: aws_sdk_s3::Client,
    pub region: String,
    /// `AWS_ENDPOINT_URL` (a local stand-in such as moto), if set.
    pub endpoint: Option<String>,
    /// The loaded configuration, for other services' clients (none with mocked clients).
    pub config: Option<aws_config::SdkConfig>,
}

impl Aws {
    /// Clients over an already-loaded configuration (tests pass mocked clients directly).
    pub fn from_clients(
        cfn: aws_sdk_cloudformation::Client,
        s3: aws_sdk_s3::Client,
        region: &str,
        endpoint: Option<String>,
    ) -> Aws {
        Aws {
            cfn,
            s3,
            region: region.to_string(),
            endpoint,
            config: None,
        }
    }
}

/// Loads the configuration and checks region and credentials.
pub async fn connect(profile: Option<&str>, region: Option<&str>) -> Result<Aws, DeployError> {
    let config = crate::aws_config(profile, region).await;
    let region = config
        .region()
        .map(|r| r.to_string())
        .ok_or(DeployError::NoRegion)?;
    let profile = profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok());
    let provider = config
        .credentials_provider()
        .ok_or_else(|| DeployError::NoCredentials {
            profile: profile.clone(),
            detail: "no credentials provider is configured".to_string(),
        })?;
    match provider.provide_credentials().await {
        Ok(credentials) => {
            if credentials
                .expiry()
                .is_some_and(|at| at <= SystemTime::now())
            {
                return Err(DeployError::Expired { profile });
            }
        }
        Err(e) => return Err(credentials_error(profile, &e)),
    }
    let endpoint = config.endpoint_url().map(str::to_string);
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    // a local endpoint (moto, LocalStack, MinIO) cannot serve virtual-hosted bucket names
    let s3_config = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(endpoint.is_some())
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(s3_config);
    Ok(Aws {
        cfn,
        s3,
        region,
        endpoint,
        config: Some(config),
    })
}

fn credentials_error(profile: Option<String>, e: &CredentialsError) -> DeployError {
    let detail = chain(e);
    let lower = detail.to_lowercase();
    if lower.contains("expired") || lower.contains("token has expired") {
        return DeployError::Expired { profile };
    }
    DeployError::NoCredentials { profile, detail }
}

/// Whether an error says the stack does not exist (CloudFormation answers `ValidationError`).
pub fn is_missing_stack<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.code() == Some("ValidationError")
        && err.message().is_some_and(|m| m.contains("does not exist"))
}

/// An SDK error as a [`DeployError`]: expired or rejected credentials get their own message;
/// a service error shows its code and message, a transport error its whole chain.
pub fn aws_error<E, R>(
    operation: &'static str,
    stack: Option<&str>,
    err: SdkError<E, R>,
) -> DeployError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match err.code() {
        Some(
            "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired",
        ) => DeployError::Expired { profile: None },
        Some(
            "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "UnrecognizedClientException"
            | "InvalidAccessKeyId",
        ) => DeployError::BadCredentials {
            message: err.message().unwrap_or_default().to_string(),
        },
        Some(
            "Throttling"
            | "ThrottlingException"
            | "RequestLimitExceeded"
            | "TooManyRequestsException"
            | "SlowDown",
        ) => DeployError::Throttled {
            operation,
            message: err.message().unwrap_or_default().to_string(),
        },
        Some(code) => DeployError::Aws {
            operation,
            stack: stack.map(str::to_string),
            message: format!("{code}: {}", err.message().unwrap_or_default()),
        },
        // no answer from the service: the request never arrived or the answer never came
        None if matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
        ) =>
        {
            DeployError::Connection {
                operation,
                message: chain(&err),
            }
        }
        None => DeployError::Aws {
            operation,
            stack: stack.map(str::to_string),
            message: chain(&err),
        },
    }
}

/// An error and its sources, one after the other (`dispatch failure: io error: ... refused`).
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}
