//! The AWS connection of deploy, diff, destroy and bootstrap: the standard chain (environment,
//! profile, SSO, instance role) with `--profile` and `--region` on top, checked before the first
//! call so that a missing region, missing credentials or an expired token each get one clear
//! message; and the translation of SDK errors into [`DeployError`]s.

use std::time::{Duration, SystemTime};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

use crate::error::DeployError;
use crate::ui::{clean, mask_urls};

/// How long a TCP (and TLS) connection may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the first byte of an answer may take, from the request's start: the calls rcdk
/// makes are answered in a second or two; an endpoint that accepts the connection and never
/// answers is given up on after this (and the attempt retried, see [`bounded_retries`]).
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one attempt may take in all (the answer's body included).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long loading the configuration and the credentials may take (an SSO or web-identity
/// profile calls an endpoint of its own).
pub const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(60);
/// The most attempts of one call, whatever `AWS_MAX_ATTEMPTS` or the profile say.
pub const MAX_ATTEMPTS: u32 = 5;
/// The longest pause between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// The SDK clients' timeouts: connect, read and attempt timeouts always; `deadline` (the
/// command's `--timeout`) as the operation timeout, which bounds a call with all its retries.
pub fn timeouts(deadline: Option<Duration>) -> TimeoutConfig {
    let mut t = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT);
    if let Some(d) = deadline {
        t = t.operation_timeout(d);
    }
    t.build()
}

/// The retries of the configuration (the SDK's standard mode, 3 attempts, unless
/// `AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE` or the profile say otherwise), bounded: at most
/// [`MAX_ATTEMPTS`] attempts and [`MAX_BACKOFF`] between two.
pub fn bounded_retries(configured: Option<&RetryConfig>) -> RetryConfig {
    let given = configured.cloned().unwrap_or_else(RetryConfig::standard);
    given
        .clone()
        .with_max_attempts(given.max_attempts().clamp(1, MAX_ATTEMPTS))
        .with_max_backoff(given.max_backoff().min(MAX_BACKOFF))
}

/// Timeouts for one upload of `bytes` bytes: the read and attempt timeouts grow by a second
/// per 64 KiB (an upload at 64 KiB/s still finishes), within the configuration's deadline.
pub fn upload_timeouts(config: Option<&aws_config::SdkConfig>, bytes: usize) -> TimeoutConfig {
    let extra = Duration::from_secs((bytes / 65_536) as u64);
    let mut t = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT + extra)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT + extra);
    if let Some(d) = config
        .and_then(|c| c.timeout_config())
        .and_then(|t| t.operation_timeout())
    {
        t = t.operation_timeout(d);
    }
    t.build()
}

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
    /// Where the calls go, for messages: `AWS_ENDPOINT_URL` (its user and password masked),
    /// or AWS's endpoints of the region.
    pub fn destination(&self) -> String {
        match &self.endpoint {
            Some(e) => mask_urls(e).into_owned(),
            None => format!("AWS ({})", self.region),
        }
    }

    /// [`aws_error`], a call that got no answer naming where it went.
    pub fn error<E, R>(
        &self,
        operation: &'static str,
        stack: Option<&str>,
        err: SdkError<E, R>,
    ) -> DeployError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        match aws_error(operation, stack, err) {
            DeployError::Connection {
                operation, message, ..
            } => DeployError::Connection {
                operation,
                endpoint: self.destination(),
                message,
            },
            other => other,
        }
    }

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

/// Loads the configuration and checks region and credentials (rcdk's timeouts, no deadline).
pub async fn connect(profile: Option<&str>, region: Option<&str>) -> Result<Aws, DeployError> {
    connect_within(profile, region, None).await
}

/// [`connect`], every call of the clients bounded by `deadline` (the command's `--timeout`).
pub async fn connect_within(
    profile: Option<&str>,
    region: Option<&str>,
    deadline: Option<Duration>,
) -> Result<Aws, DeployError> {
    let loading = || DeployError::Connection {
        operation: "loading the AWS configuration",
        endpoint: "the configured credential and region providers".to_string(),
        message: format!("no answer within {} s", CREDENTIALS_TIMEOUT.as_secs()),
    };
    let config = tokio::time::timeout(
        CREDENTIALS_TIMEOUT,
        crate::aws_config(profile, region, deadline),
    )
    .await
    .map_err(|_| loading())?;
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
    let provided = tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials())
        .await
        .map_err(|_| DeployError::NoCredentials {
            profile: profile.clone(),
            detail: format!(
                "the credential provider gave no answer within {} s",
                CREDENTIALS_TIMEOUT.as_secs()
            ),
        })?;
    match provided {
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
    Ok(clients(config, region))
}

/// The clients of a loaded configuration.
fn clients(config: aws_config::SdkConfig, region: String) -> Aws {
    let endpoint = config.endpoint_url().map(str::to_string);
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    // a local endpoint (moto, LocalStack, MinIO) cannot serve virtual-hosted bucket names
    let s3_config = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(endpoint.is_some())
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(s3_config);
    Aws {
        cfn,
        s3,
        region,
        endpoint,
        config: Some(config),
    }
}

/// The same connection with the credentials of `role` (STS AssumeRole with `aws`'s own,
/// refreshed before they expire), checked before the first call.
pub async fn assume_role(aws: &Aws, role: &str) -> Result<Aws, DeployError> {
    let failed = |detail: String| DeployError::AssumeRole {
        role: role.to_string(),
        detail,
    };
    let Some(base) = aws.config.clone() else {
        return Err(failed("no AWS configuration to assume it with".into()));
    };
    let provider = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name("rcdk")
        .configure(&base)
        .build()
        .await;
    match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await {
        Err(_) => {
            return Err(failed(format!(
                "STS gave no answer within {} s",
                CREDENTIALS_TIMEOUT.as_secs()
            )))
        }
        Ok(Err(e)) => return Err(failed(chain(&e))),
        Ok(Ok(_)) => {}
    }
    let config = base
        .to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        )
        .build();
    Ok(clients(config, aws.region.clone()))
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
                endpoint: "AWS".to_string(),
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

/// An error and its sources, one after the other (`dispatch failure: io error: ... refused`),
/// control characters escaped and URLs' passwords masked.
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
    mask_urls(&clean(&parts.join(": "))).into_owned()
}

/// The account of the credentials, from STS GetCallerIdentity (query protocol, sent signed).
pub async fn caller_account(aws: &Aws) -> Result<String, DeployError> {
    let answer = crate::signed::Signed::new(aws)
        .send(
            "sts",
            "POST",
            "/",
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            b"Action=GetCallerIdentity&Version=2011-06-15".to_vec(),
        )
        .await
        .map_err(|e| DeployError::Aws {
            operation: "GetCallerIdentity",
            stack: None,
            message: e.to_string(),
        })?;
    let text = String::from_utf8_lossy(&answer.body);
    if answer.status >= 300 {
        return Err(DeployError::Aws {
            operation: "GetCallerIdentity",
            stack: None,
            message: format!(
                "{}: {} (status {})",
                crate::publish::xml_text(&text, "Code").unwrap_or_default(),
                crate::publish::xml_text(&text, "Message").unwrap_or_default(),
                answer.status
            ),
        });
    }
    crate::publish::xml_text(&text, "Account")
        .filter(|a| a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| DeployError::Aws {
            operation: "GetCallerIdentity",
            stack: None,
            message: "the answer names no 12-digit account".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::retry::RetryMode;

    #[test]
    fn every_call_has_connect_read_and_attempt_timeouts_and_the_deadline() {
        let t = timeouts(None);
        assert_eq!(t.connect_timeout(), Some(CONNECT_TIMEOUT));
        assert_eq!(t.read_timeout(), Some(READ_TIMEOUT));
        assert_eq!(t.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert_eq!(t.operation_timeout(), None);
        let t = timeouts(Some(Duration::from_secs(60)));
        assert_eq!(t.operation_timeout(), Some(Duration::from_secs(60)));
        // an upload of 64 MiB may take 1,024 s more than a call
        let t = upload_timeouts(None, 64 * 1024 * 1024);
        assert_eq!(
            t.read_timeout(),
            Some(READ_TIMEOUT + Duration::from_secs(1024))
        );
    }

    #[test]
    fn retries_are_bounded_whatever_the_environment_says() {
        let r = bounded_retries(Some(
            &RetryConfig::adaptive()
                .with_max_attempts(1000)
                .with_max_backoff(Duration::from_secs(3600)),
        ));
        assert_eq!(r.max_attempts(), MAX_ATTEMPTS);
        assert_eq!(r.max_backoff(), MAX_BACKOFF);
        assert_eq!(r.mode(), RetryMode::Adaptive);
        assert_eq!(bounded_retries(None).max_attempts(), 3);
    }
}
