//! A website: a private bucket behind a CloudFront distribution that reads it through origin
//! access control, with the default root object, a single-page-app fallback, a
//! response-headers policy with the security headers, and a custom domain (an ACM
//! certificate, DNS-validated through a Route 53 hosted zone, and alias records). What
//! CloudFront or ACM would refuse is a synth problem with the construct path and property.

use crate::core::error::Problem;
use crate::core::resource::{CfnResource, NameScope, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{PolicyStatement, Principal};
use crate::l1::certificatemanager::{certificate, CfnCertificate};
use crate::l1::cloudfront::{
    distribution, origin_access_control, response_headers_policy, CfnDistribution,
    CfnOriginAccessControl, CfnResponseHeadersPolicy,
};
use crate::l1::route53::{record_set, CfnRecordSet};
use crate::s3::{Bucket, BucketDeployment, BucketDeploymentProps, BucketProps};

/// An origin access control's name is unique in the account (CloudFront is global).
const OAC_NAME: UniqueName = UniqueName {
    property: "OriginAccessControlConfig.Name",
    kind: "origin access control",
    scope: NameScope::Account,
};
/// A response headers policy's name is unique in the account.
const HEADERS_POLICY_NAME: UniqueName = UniqueName {
    property: "ResponseHeadersPolicyConfig.Name",
    kind: "response headers policy",
    scope: NameScope::Account,
};

/// The hosted zone of every CloudFront distribution, what an alias record to one names
/// (Route 53 API reference, AliasTarget: "Specify Z2FDTNDATAQYW2").
pub const CLOUDFRONT_HOSTED_ZONE_ID: &str = "Z2FDTNDATAQYW2";
/// CloudFront's managed cache policy CachingOptimized (CloudFront Developer Guide, "Use
/// managed cache policies").
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/// A Route 53 public hosted zone: one this stack creates ([`HostedZone::new`]), or one that
/// exists already ([`HostedZone::from_attributes`]): its id and its name.
///
/// # Examples
///
/// ```
/// use constructs::website::HostedZone;
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Dns");
/// let zone = HostedZone::new(&mut stack, "Zone", "example.com.");
/// assert_eq!(zone.name, "example.com");
/// stack.add_output("ZoneId", zone.id.clone());
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::Route53::HostedZone", json!({"Name": "example.com."}));
/// let zone_id = template.logical_id_of_type("AWS::Route53::HostedZone");
/// template.has_output("ZoneId", json!({"Value": {"Ref": zone_id}}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HostedZone {
    /// `Z123...`, or a token.
    pub id: Value,
    /// `example.com`.
    pub name: String,
    /// The zone's resource, when the app creates it.
    created: Option<ResourceRef>,
}

impl HostedZone {
    /// A new public hosted zone for `name` (`AWS::Route53::HostedZone`); its name servers
    /// are then delegated to by the parent domain's registrar.
    pub fn new(stack: &mut Stack, id: &str, name: &str) -> HostedZone {
        let name = name.trim_end_matches('.').to_string();
        let path = stack.path_of(&format!("{id}/Resource"));
        let labels_ok = name.split('.').count() >= 2
            && name.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !labels_ok || name.len() > 253 {
            stack.add_problem(
                Problem::new(&path, format!("{name:?} is not a domain name (labels of letters, digits and -, separated by dots)"))
                    .property("Name"),
            );
        }
        let zone = stack.add(
            &format!("{id}/Resource"),
            &crate::l1::route53::CfnHostedZone::new().name(format!("{name}.")),
        );
        HostedZone {
            id: zone.reference(),
            name,
            created: Some(zone),
        }
    }

    /// A zone by id and name.
    pub fn from_attributes(id: impl Into<Value>, name: impl Into<String>) -> Self {
        HostedZone {
            id: id.into(),
            name: name.into().trim_end_matches('.').to_string(),
            created: None,
        }
    }

    fn covers(&self, domain: &str) -> bool {
        domain == self.name || domain.ends_with(&format!(".{}", self.name))
    }
}

/// An ACM certificate for `domain` (and alternative names), validated by DNS through a
/// hosted zone. For CloudFront it must be made in us-east-1.
///
/// # Examples
///
/// ```
/// use constructs::website::{Certificate, HostedZone};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Certificates");
/// let zone = HostedZone::from_attributes("Z0123456789EXAMPLE", "example.com");
/// let site = Certificate::new(&mut stack, "Site", "example.com", &["www.example.com"], &zone);
/// assert!(site.covers("www.example.com") && !site.covers("api.example.com"));
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::CertificateManager::Certificate", json!({
///     "DomainName": "example.com",
///     "SubjectAlternativeNames": ["www.example.com"],
///     "ValidationMethod": "DNS",
///     "DomainValidationOptions": [
///         {"DomainName": "example.com", "HostedZoneId": "Z0123456789EXAMPLE"},
///         {"DomainName": "www.example.com", "HostedZoneId": "Z0123456789EXAMPLE"},
///     ],
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    resource: ResourceRef,
    names: Vec<String>,
}

impl Certificate {
    /// The certificate; a name outside the zone is reported at synth.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        domain: &str,
        alternative_names: &[&str],
        zone: &HostedZone,
    ) -> Certificate {
        let path = stack.path_of(&format!("{id}/Resource"));
        let names: Vec<String> = std::iter::once(domain)
            .chain(alternative_names.iter().copied())
            .map(str::to_string)
            .collect();
        for name in &names {
            if !zone.covers(name.trim_start_matches("*.")) {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!(
                            "{name} is not in the hosted zone {}: ACM could not validate it there",
                            zone.name
                        ),
                    )
                    .property("DomainValidationOptions"),
                );
            }
        }
        if let Some(created) = &zone.created {
            if created.stack() == stack.name() {
                stack.add_warning(
                    &path,
                    format!(
                        "the certificate is validated in the hosted zone {} this stack creates: ACM validates (and the deploy waits) only once the parent domain delegates to the new zone's name servers; create the zone in a stack deployed before, and delegate to it",
                        zone.name
                    ),
                );
            }
        }
        let mut cfn = CfnCertificate::new(domain)
            .validation_method("DNS")
            .domain_validation_options(
                names
                    .iter()
                    .map(|n| {
                        certificate::DomainValidationOption::new()
                            .domain_name(n.as_str())
                            .hosted_zone_id(zone.id.clone())
                    })
                    .collect::<Vec<_>>(),
            );
        if !alternative_names.is_empty() {
            cfn = cfn.subject_alternative_names(alternative_names.to_vec());
        }
        Certificate {
            resource: stack.add(&format!("{id}/Resource"), &cfn),
            names,
        }
    }

    /// The certificate's ARN (`Ref`).
    pub fn arn(&self) -> Value {
        self.resource.reference()
    }

    /// True when the certificate covers `domain` (by name, or by a wildcard one level up).
    pub fn covers(&self, domain: &str) -> bool {
        self.names.iter().any(|n| match n.strip_prefix("*.") {
            Some(parent) => domain
                .split_once('.')
                .is_some_and(|(_, rest)| rest == parent),
            None => n == domain,
        })
    }
}

/// The certificate of a site's domain: one of the app, or an existing one's ARN.
#[derive(Debug, Clone, PartialEq)]
pub enum SiteCertificate {
    /// A certificate of the app (its stack must deploy to us-east-1).
    Of(Certificate),
    /// An existing certificate by ARN (a literal ARN is checked to be in us-east-1).
    Arn(Value),
}

/// A site's own domain: its names, their certificate, and the zone its alias records go to.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteDomain {
    /// The names (`www.example.com`, `example.com`): the distribution's aliases.
    pub names: Vec<String>,
    /// Their certificate.
    pub certificate: SiteCertificate,
    /// The zone that gets an A and an AAAA alias record per name; none: records made
    /// elsewhere.
    pub zone: Option<HostedZone>,
}

/// CloudFront takes a certificate made in us-east-1 only (CloudFront Developer Guide,
/// "Requirements for using SSL/TLS certificates with CloudFront"): a certificate of the app in
/// a stack whose region is another is a synth problem.
#[derive(Debug)]
struct CertificateInUsEast1 {
    path: String,
    certificate: ResourceRef,
}

impl crate::core::check::Check for CertificateInUsEast1 {
    fn check(&self, _stack: &Stack, app: &crate::App) -> Vec<Problem> {
        let region = app
            .stack(self.certificate.stack())
            .and_then(|s| s.env().region.clone());
        match region {
            Some(r) if r != "us-east-1" => vec![Problem::new(
                &self.path,
                format!(
                    "the certificate {} is made in stack {}, in {r}: CloudFront takes certificates from us-east-1 only",
                    self.certificate.path(),
                    self.certificate.stack()
                ),
            )
            .property("DistributionConfig.ViewerCertificate.AcmCertificateArn")
            .help("make the certificate in a stack with Environment::region(\"us-east-1\") (and App::cross_region_references when the site is elsewhere)")],
            _ => Vec::new(),
        }
    }
}

/// Settings of a [`StaticSite`]; `StaticSiteProps::new()` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct StaticSiteProps {
    /// `DefaultRootObject`; default `index.html`.
    pub root_object: String,
    /// A single-page app: 403 and 404 answer the root object with 200 (default: true).
    pub spa: bool,
    /// A `Content-Security-Policy` header; default: none.
    pub content_security_policy: Option<String>,
    /// The site's own domain; default: the distribution's `*.cloudfront.net` name only.
    pub domain: Option<SiteDomain>,
    /// A local folder `rcdk deploy` publishes to the bucket (pruned, the distribution
    /// invalidated): a [`crate::s3::BucketDeployment`] at `<id>/Content`; default: none.
    pub content: Option<std::path::PathBuf>,
}

impl Default for StaticSiteProps {
    fn default() -> Self {
        StaticSiteProps {
            root_object: "index.html".into(),
            spa: true,
            content_security_policy: None,
            domain: None,
            content: None,
        }
    }
}

impl StaticSiteProps {
    /// `index.html` at the root, a single-page app, the security headers.
    pub fn new() -> Self {
        Self::default()
    }
    /// A site of separate pages: a missing page is CloudFront's 403/404.
    pub fn pages(mut self) -> Self {
        self.spa = false;
        self
    }
    /// The root object.
    pub fn root_object(mut self, key: impl Into<String>) -> Self {
        self.root_object = key.into();
        self
    }
    /// A `Content-Security-Policy` header on every answer.
    pub fn content_security_policy(mut self, policy: impl Into<String>) -> Self {
        self.content_security_policy = Some(policy.into());
        self
    }
    /// The site's own domain.
    pub fn domain(mut self, domain: SiteDomain) -> Self {
        self.domain = Some(domain);
        self
    }
    /// The folder (relative to the app's root) `rcdk deploy` publishes to the site: changed
    /// files uploaded, removed ones deleted, the distribution's cache invalidated.
    pub fn content(mut self, folder: impl Into<std::path::PathBuf>) -> Self {
        self.content = Some(folder.into());
        self
    }
}

/// A static website: its bucket and distribution.
///
/// # Examples
///
/// ```
/// use constructs::website::{StaticSite, StaticSiteProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Site");
/// let site = StaticSite::new(&mut stack, "Site", StaticSiteProps::new());
/// stack.add_output("Url", site.url());
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::CloudFront::Distribution", json!({"DistributionConfig": {
///     "DefaultRootObject": "index.html",
///     "DefaultCacheBehavior": {"ViewerProtocolPolicy": "redirect-to-https"},
///     "CustomErrorResponses": [ // a single-page app: unknown paths answer the root object
///         {"ErrorCode": 403, "ResponseCode": 200, "ResponsePagePath": "/index.html"},
///         {"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"},
///     ],
/// }}));
/// // the bucket is private: CloudFront reads it through origin access control
/// template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1);
/// ```
#[derive(Debug, Clone)]
pub struct StaticSite {
    bucket: Bucket,
    distribution: ResourceRef,
}

impl StaticSite {
    /// The bucket (private, TLS only, retained), the origin access control, the headers
    /// policy, the distribution, the bucket policy statement that lets this distribution
    /// read, and the alias records.
    pub fn new(stack: &mut Stack, id: &str, props: StaticSiteProps) -> StaticSite {
        let path = stack.path_of(&format!("{id}/Distribution/Resource"));
        let bucket = Bucket::new(stack, &format!("{id}/Bucket"), BucketProps::new());
        if props.root_object.starts_with('/') || props.root_object.is_empty() {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "the root object {:?} must be a key without a leading /",
                        props.root_object
                    ),
                )
                .property("DistributionConfig.DefaultRootObject"),
            );
        }
        let name: String = format!("{}-{}", stack.name(), id.replace('/', "-"))
            .chars()
            .take(64)
            .collect();
        let oac = stack.add_resource(
            &format!("{id}/OriginAccessControl"),
            CfnResource::from_props(&CfnOriginAccessControl::new(
                origin_access_control::OriginAccessControlConfig::new(
                    name.as_str(),
                    "s3",
                    "always",
                    "sigv4",
                ),
            ))
            .with_unique_name(OAC_NAME),
        );
        let mut security = response_headers_policy::SecurityHeadersConfig::new()
            .strict_transport_security(
                response_headers_policy::StrictTransportSecurity::new(63_072_000, true)
                    .include_subdomains(true),
            )
            .content_type_options(response_headers_policy::ContentTypeOptions::new(true))
            .frame_options(response_headers_policy::FrameOptions::new("DENY", true))
            .referrer_policy(response_headers_policy::ReferrerPolicy::new(
                true,
                "strict-origin-when-cross-origin",
            ));
        if let Some(csp) = &props.content_security_policy {
            security = security.content_security_policy(
                response_headers_policy::ContentSecurityPolicy::new(csp.as_str(), true),
            );
        }
        let headers = stack.add_resource(
            &format!("{id}/Headers"),
            CfnResource::from_props(&CfnResponseHeadersPolicy::new(
                response_headers_policy::ResponseHeadersPolicyConfig::new(name.as_str())
                    .comment("security headers")
                    .security_headers_config(security),
            ))
            .with_unique_name(HEADERS_POLICY_NAME),
        );
        let behavior = distribution::DefaultCacheBehavior::new(
            "S3",
            distribution::ViewerProtocolPolicy::RedirectToHttps,
        )
        .cache_policy_id(CACHING_OPTIMIZED)
        .compress(true)
        .response_headers_policy_id(headers.get_att("Id"));
        let origin =
            distribution::Origin::new(bucket.resource().get_att("RegionalDomainName"), "S3")
                .origin_access_control_id(oac.get_att("Id"))
                .s3_origin_config(distribution::S3OriginConfig::new().origin_access_identity(""));
        let mut config = distribution::DistributionConfig::new(behavior, true)
            .origins(vec![origin])
            .default_root_object(props.root_object.as_str())
            .http_version(distribution::HttpVersion::Http2and3)
            .ipv6_enabled(true);
        if props.spa {
            let fallback = |code: u32| {
                distribution::CustomErrorResponse::new(code)
                    .response_code(200)
                    .response_page_path(format!("/{}", props.root_object))
                    .error_caching_min_ttl(10)
            };
            config = config.custom_error_responses(vec![fallback(403), fallback(404)]);
        }
        if let Some(domain) = &props.domain {
            if domain.names.is_empty() {
                stack.add_problem(
                    Problem::new(&path, "a domain needs at least one name")
                        .property("DistributionConfig.Aliases"),
                );
            }
            let arn = match &domain.certificate {
                SiteCertificate::Of(c) => {
                    for n in &domain.names {
                        if !c.covers(n) {
                            stack.add_problem(
                                Problem::new(&path, format!("the certificate does not cover {n}"))
                                    .property("DistributionConfig.ViewerCertificate"),
                            );
                        }
                    }
                    // the certificate's stack's region is known once the app is built
                    stack.add_check(CertificateInUsEast1 {
                        path: path.clone(),
                        certificate: c.resource.clone(),
                    });
                    c.arn()
                }
                SiteCertificate::Arn(arn) => {
                    if let Some(region) = arn.as_str().and_then(|a| a.split(':').nth(3)) {
                        if region != "us-east-1" {
                            stack.add_problem(
                                Problem::new(
                                    &path,
                                    format!("the certificate is in {region}: CloudFront takes certificates from us-east-1 only"),
                                )
                                .property("DistributionConfig.ViewerCertificate.AcmCertificateArn"),
                            );
                        }
                    }
                    arn.clone()
                }
            };
            config = config.aliases(domain.names.clone()).viewer_certificate(
                distribution::ViewerCertificate::new()
                    .acm_certificate_arn(arn)
                    .ssl_support_method(distribution::SslSupportMethod::SniOnly)
                    .minimum_protocol_version(distribution::MinimumProtocolVersion::TLSv122021),
            );
        }
        let distribution = stack.add(
            &format!("{id}/Distribution/Resource"),
            &CfnDistribution::new(config),
        );
        // only this distribution reads the bucket (CloudFront Developer Guide, "Restrict
        // access to an Amazon S3 origin": the service principal with AWS:SourceArn)
        bucket.add_to_resource_policy(
            stack,
            PolicyStatement::allow()
                .action("s3:GetObject")
                .principal(Principal::service("cloudfront.amazonaws.com"))
                .resource(bucket.arn_for_objects("*"))
                .condition(
                    "StringEquals",
                    "AWS:SourceArn",
                    fns::sub_with(
                        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}",
                        [("Distribution", distribution.reference())],
                    ),
                ),
        );
        if let Some(SiteDomain {
            names,
            zone: Some(zone),
            ..
        }) = &props.domain
        {
            for (i, n) in names.iter().enumerate() {
                if !zone.covers(n) {
                    stack.add_problem(
                        Problem::new(
                            &path,
                            format!("{n} is not in the hosted zone {}", zone.name),
                        )
                        .property("DistributionConfig.Aliases"),
                    );
                }
                for kind in ["A", "AAAA"] {
                    let record = CfnRecordSet::new(format!("{n}."), kind)
                        .hosted_zone_id(zone.id.clone())
                        .alias_target(record_set::AliasTarget::new(
                            distribution.get_att("DomainName"),
                            CLOUDFRONT_HOSTED_ZONE_ID,
                        ));
                    stack.add_resource(
                        &format!("{id}/Alias{i}{kind}"),
                        CfnResource::from_props(&record),
                    );
                }
            }
        }
        if let Some(folder) = props.content {
            BucketDeployment::new(
                stack,
                &format!("{id}/Content"),
                &bucket,
                BucketDeploymentProps::new(folder).invalidate(&distribution),
            );
        }
        StaticSite {
            bucket,
            distribution,
        }
    }

    /// The site's bucket.
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// The `AWS::CloudFront::Distribution` resource.
    pub fn distribution(&self) -> &ResourceRef {
        &self.distribution
    }

    /// The distribution's id (`Ref`), what an invalidation names.
    pub fn distribution_id(&self) -> Value {
        self.distribution.reference()
    }

    /// `https://<id>.cloudfront.net`.
    pub fn url(&self) -> Value {
        fns::join(
            "",
            [
                Value::from("https://"),
                self.distribution.get_att("DomainName"),
            ],
        )
    }
}
