//! Environments: the account and region a stack is deployed to. A stack names both, one, or
//! neither (environment-agnostic: the deploying shell's credentials and region decide); what
//! it names is written to the assembly (`aws://account/region`), resolves `Aws::region()`,
//! `Aws::account_id()`, `Aws::partition()` and `Aws::url_suffix()` to literals at synth, and
//! is where `rcdk deploy` sends the stack.
//!
//! ```
//! use constructs::core::env::Environment;
//! use constructs::Stack;
//!
//! let mut certificates = Stack::new("Certificates");
//! certificates.set_env(Environment::of("123456789012", "us-east-1"));
//! let mut app = Stack::new("App");
//! app.set_env(Environment::region("eu-west-1")); // the account of the credentials
//! ```

/// The account and region of a stack; `None` where the deploying shell decides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Environment {
    /// The 12-digit account id.
    pub account: Option<String>,
    /// The region (`eu-west-1`).
    pub region: Option<String>,
}

/// What the assembly writes for an unknown account.
pub const UNKNOWN_ACCOUNT: &str = "unknown-account";
/// What the assembly writes for an unknown region.
pub const UNKNOWN_REGION: &str = "unknown-region";

impl Environment {
    /// No account or region: the deploying shell's.
    pub fn agnostic() -> Environment {
        Environment::default()
    }

    /// An account and a region.
    pub fn of(account: impl Into<String>, region: impl Into<String>) -> Environment {
        Environment {
            account: Some(account.into()),
            region: Some(region.into()),
        }
    }

    /// A region, in the account of the deploying credentials.
    pub fn region(region: impl Into<String>) -> Environment {
        Environment {
            account: None,
            region: Some(region.into()),
        }
    }

    /// What the shell that runs synth says: the region of `AWS_REGION` (else
    /// `AWS_DEFAULT_REGION`), the account of `RCDK_DEFAULT_ACCOUNT` (else the AWS CDK's
    /// `CDK_DEFAULT_ACCOUNT`); what is not set stays the deploying shell's.
    pub fn from_shell() -> Environment {
        Environment::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Environment::from_shell`] over the variables `get` gives (empty ones count as unset).
    fn from_vars(get: impl Fn(&str) -> Option<String>) -> Environment {
        let var = |names: &[&str]| names.iter().find_map(|n| get(n).filter(|v| !v.is_empty()));
        Environment {
            account: var(&["RCDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_ACCOUNT"]),
            region: var(&["AWS_REGION", "AWS_DEFAULT_REGION"]),
        }
    }

    /// Whether neither account nor region is named.
    pub fn is_agnostic(&self) -> bool {
        self.account.is_none() && self.region.is_none()
    }

    /// `aws://<account>/<region>`, `unknown-account` and `unknown-region` for what is not named
    /// (the cloud assembly's form).
    pub fn uri(&self) -> String {
        format!(
            "aws://{}/{}",
            self.account.as_deref().unwrap_or(UNKNOWN_ACCOUNT),
            self.region.as_deref().unwrap_or(UNKNOWN_REGION)
        )
    }

    /// The environment of an `aws://account/region` URI, if it is one.
    pub fn parse(uri: &str) -> Option<Environment> {
        let rest = uri.strip_prefix("aws://")?;
        let (account, region) = rest.split_once('/')?;
        let env = Environment {
            account: (account != UNKNOWN_ACCOUNT).then(|| account.to_string()),
            region: (region != UNKNOWN_REGION).then(|| region.to_string()),
        };
        env.problems().is_empty().then_some(env)
    }

    /// What is wrong with the account or region named: an account of 12 digits, a region of
    /// lower-case letters, digits and dashes (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        if let Some(a) = &self.account {
            if a.len() != 12 || !a.chars().all(|c| c.is_ascii_digit()) {
                found.push(format!(
                    "the account {a:?} is not a 12-digit AWS account id"
                ));
            }
        }
        if let Some(r) = &self.region {
            let parts: Vec<&str> = r.split('-').collect();
            let ok = parts.len() >= 3
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
                && parts
                    .last()
                    .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
                && parts[0].len() == 2
                && parts[0].chars().all(|c| c.is_ascii_lowercase());
            if !ok {
                found.push(format!(
                    "the region {r:?} is not a region name (such as eu-west-1)"
                ));
            }
        }
        found
    }

    /// The partition of the region (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`),
    /// when the region is named.
    pub fn partition(&self) -> Option<&'static str> {
        let r = self.region.as_deref()?;
        Some(if r.starts_with("cn-") {
            "aws-cn"
        } else if r.starts_with("us-gov-") {
            "aws-us-gov"
        } else if r.starts_with("us-isob-") {
            "aws-iso-b"
        } else if r.starts_with("us-iso-") {
            "aws-iso"
        } else {
            "aws"
        })
    }

    /// The domain suffix of the region's endpoints (`amazonaws.com`, `amazonaws.com.cn`, ...).
    pub fn url_suffix(&self) -> Option<&'static str> {
        Some(match self.partition()? {
            "aws-cn" => "amazonaws.com.cn",
            "aws-iso" => "c2s.ic.gov",
            "aws-iso-b" => "sc2s.sgov.gov",
            _ => "amazonaws.com",
        })
    }

    /// How the environment is shown: `aws://123456789012/eu-west-1`, or `the deploying
    /// shell's` when agnostic.
    pub fn describe(&self) -> String {
        if self.is_agnostic() {
            "the deploying shell's environment".to_string()
        } else {
            self.uri()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_environment_round_trips_through_its_uri() {
        for env in [
            Environment::agnostic(),
            Environment::of("123456789012", "eu-west-1"),
            Environment::region("us-gov-west-1"),
        ] {
            assert_eq!(
                Environment::parse(&env.uri()),
                Some(env.clone()),
                "{}",
                env.uri()
            );
        }
        assert_eq!(
            Environment::agnostic().uri(),
            "aws://unknown-account/unknown-region"
        );
        assert_eq!(Environment::parse("aws://1/eu-west-1"), None);
        assert_eq!(Environment::parse("s3://x/y"), None);
    }

    #[test]
    fn the_shell_gives_the_region_and_account_rcdk_or_the_aws_cdk_name() {
        let from = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Environment::from_vars(|name| {
                pairs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
        };
        assert_eq!(
            from(&[
                ("AWS_DEFAULT_REGION", "eu-west-1"),
                ("CDK_DEFAULT_ACCOUNT", "111111111111")
            ]),
            Environment::of("111111111111", "eu-west-1")
        );
        assert_eq!(
            from(&[
                ("AWS_REGION", "us-east-2"),
                ("AWS_DEFAULT_REGION", "eu-west-1"),
                ("RCDK_DEFAULT_ACCOUNT", "222222222222"),
                ("CDK_DEFAULT_ACCOUNT", "111111111111")
            ]),
            Environment::of("222222222222", "us-east-2"),
            "AWS_REGION and rcdk's own first"
        );
        assert_eq!(from(&[("AWS_REGION", "")]), Environment::agnostic());
    }

    #[test]
    fn accounts_and_regions_are_checked() {
        assert!(Environment::of("123456789012", "ap-southeast-2")
            .problems()
            .is_empty());
        assert_eq!(
            Environment::of("12345", "Europe").problems(),
            [
                "the account \"12345\" is not a 12-digit AWS account id",
                "the region \"Europe\" is not a region name (such as eu-west-1)"
            ]
        );
        assert_eq!(Environment::region("eu-west").problems().len(), 1);
    }

    #[test]
    fn the_partition_and_url_suffix_follow_the_region() {
        let p = |r: &str| {
            let e = Environment::region(r);
            (e.partition().unwrap(), e.url_suffix().unwrap())
        };
        assert_eq!(p("eu-west-1"), ("aws", "amazonaws.com"));
        assert_eq!(p("cn-north-1"), ("aws-cn", "amazonaws.com.cn"));
        assert_eq!(p("us-gov-east-1"), ("aws-us-gov", "amazonaws.com"));
        assert_eq!(Environment::agnostic().partition(), None);
    }
}
