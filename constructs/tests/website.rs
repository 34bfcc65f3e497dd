//! A static website from a user's app: the private bucket read by the distribution through
//! origin access control (the bucket policy statement whole), the root object, the
//! single-page-app fallback, the security headers, the custom domain with its certificate and
//! alias records; and the refusals (a CloudFront certificate outside us-east-1, a name the
//! certificate does not cover or outside the zone).
//!
//! Expected values come from AWS's documentation: "Restrict access to an Amazon S3 origin"
//! (CloudFront Developer Guide: origin access control with SigV4 signing, and a bucket policy
//! allowing `cloudfront.amazonaws.com` `s3:GetObject` with `AWS:SourceArn` the distribution's
//! ARN); "Requirements for using SSL/TLS certificates with CloudFront" (the ACM certificate
//! must be in us-east-1); Route 53's AliasTarget (a CloudFront distribution's hosted zone is
//! Z2FDTNDATAQYW2); the managed cache policy CachingOptimized's id.

mod common;

use common::{assert_contains_all, problems};

use constructs::assertions::Template;
use constructs::website::{
    Certificate, HostedZone, SiteCertificate, SiteDomain, StaticSite, StaticSiteProps,
};
use constructs::Stack;
use serde_json::json;

#[test]
fn a_site_behind_cloudfront_with_its_domain() {
    let mut s = Stack::new("Site");
    let zone = HostedZone::from_attributes("Z0123456789", "example.com");
    let certificate = Certificate::new(&mut s, "Cert", "example.com", &["*.example.com"], &zone);
    let site = StaticSite::new(
        &mut s,
        "Web",
        StaticSiteProps::new()
            .content_security_policy("default-src 'self'")
            .domain(SiteDomain {
                names: vec!["www.example.com".into()],
                certificate: SiteCertificate::Of(certificate),
                zone: Some(zone),
            }),
    );
    s.add_output("Url", site.url());
    let t = Template::from_stack(&s);
    let bucket = t.logical_id_of_type("AWS::S3::Bucket");
    let distribution = t.logical_id_of_type("AWS::CloudFront::Distribution");
    let oac = t.logical_id_of_type("AWS::CloudFront::OriginAccessControl");
    let headers = t.logical_id_of_type("AWS::CloudFront::ResponseHeadersPolicy");
    let cert = t.logical_id_of_type("AWS::CertificateManager::Certificate");
    t.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        json!({
            "DomainName": "example.com",
            "SubjectAlternativeNames": ["*.example.com"],
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [
                {"DomainName": "example.com", "HostedZoneId": "Z0123456789"},
                {"DomainName": "*.example.com", "HostedZoneId": "Z0123456789"}
            ]
        }),
    );
    t.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        json!({"OriginAccessControlConfig": {
            "Name": "Site-Web", "OriginAccessControlOriginType": "s3",
            "SigningBehavior": "always", "SigningProtocol": "sigv4"
        }}),
    );
    t.has_resource_properties(
        "AWS::CloudFront::Distribution",
        json!({"DistributionConfig": {
            "Enabled": true,
            "DefaultRootObject": "index.html",
            "Aliases": ["www.example.com"],
            "HttpVersion": "http2and3",
            "IPV6Enabled": true,
            "Origins": [{
                "DomainName": {"Fn::GetAtt": [bucket, "RegionalDomainName"]},
                "Id": "S3",
                "OriginAccessControlId": {"Fn::GetAtt": [oac, "Id"]},
                "S3OriginConfig": {"OriginAccessIdentity": ""}
            }],
            "DefaultCacheBehavior": {
                "TargetOriginId": "S3",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                "Compress": true,
                "ResponseHeadersPolicyId": {"Fn::GetAtt": [headers, "Id"]}
            },
            "CustomErrorResponses": [
                {"ErrorCode": 403, "ResponseCode": 200, "ResponsePagePath": "/index.html", "ErrorCachingMinTTL": 10},
                {"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html", "ErrorCachingMinTTL": 10}
            ],
            "ViewerCertificate": {
                "AcmCertificateArn": {"Ref": cert},
                "SslSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021"
            }
        }}),
    );
    t.has_resource_properties(
        "AWS::CloudFront::ResponseHeadersPolicy",
        json!({"ResponseHeadersPolicyConfig": {"SecurityHeadersConfig": {
            "StrictTransportSecurity": {"AccessControlMaxAgeSec": 63072000, "Override": true, "IncludeSubdomains": true},
            "ContentTypeOptions": {"Override": true},
            "FrameOptions": {"FrameOption": "DENY", "Override": true},
            "ReferrerPolicy": {"Override": true, "ReferrerPolicy": "strict-origin-when-cross-origin"},
            "ContentSecurityPolicy": {"ContentSecurityPolicy": "default-src 'self'", "Override": true}
        }}}),
    );
    let policies = t.find_resources("AWS::S3::BucketPolicy", json!({}));
    let (_, policy) = policies.first().expect("the bucket policy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        statements.contains(&json!({
            "Action": "s3:GetObject",
            "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": [
                "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}",
                {"Distribution": {"Ref": distribution}}
            ]}}},
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Resource": {"Fn::Sub": ["${Bucket}/*", {"Bucket": {"Fn::GetAtt": [bucket, "Arn"]}}]}
        })),
        "{statements:#?}"
    );
    for kind in ["A", "AAAA"] {
        t.has_resource_properties(
            "AWS::Route53::RecordSet",
            json!({
                "Name": "www.example.com.",
                "Type": kind,
                "HostedZoneId": "Z0123456789",
                "AliasTarget": {"DNSName": {"Fn::GetAtt": [distribution, "DomainName"]}, "HostedZoneId": "Z2FDTNDATAQYW2"}
            }),
        );
    }
}

#[test]
fn what_cloudfront_and_acm_refuse_is_reported() {
    let mut s = Stack::new("Site");
    let zone = HostedZone::from_attributes("Z0123456789", "example.com");
    StaticSite::new(
        &mut s,
        "Eu",
        StaticSiteProps::new().domain(SiteDomain {
            names: vec!["shop.example.org".into()],
            certificate: SiteCertificate::Arn(
                "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            ),
            zone: Some(zone.clone()),
        }),
    );
    let narrow = Certificate::new(&mut s, "Cert", "www.example.com", &[], &zone);
    StaticSite::new(
        &mut s,
        "Narrow",
        StaticSiteProps::new()
            .root_object("/index.html")
            .domain(SiteDomain {
                names: vec!["shop.example.com".into()],
                certificate: SiteCertificate::Of(narrow),
                zone: None,
            }),
    );
    Certificate::new(&mut s, "Outside", "example.net", &[], &zone);
    let all = problems(s);
    assert_contains_all(
        &all,
        &[
            "Site/Eu/Distribution/Resource [DistributionConfig.ViewerCertificate.AcmCertificateArn]: the certificate is in eu-west-1: CloudFront takes certificates from us-east-1 only",
            "Site/Eu/Distribution/Resource [DistributionConfig.Aliases]: shop.example.org is not in the hosted zone example.com",
            "Site/Narrow/Distribution/Resource [DistributionConfig.ViewerCertificate]: the certificate does not cover shop.example.com",
            "Site/Narrow/Distribution/Resource [DistributionConfig.DefaultRootObject]: the root object \"/index.html\" must be a key without a leading /",
            "Site/Outside/Resource [DomainValidationOptions]: example.net is not in the hosted zone example.com",
        ],
    );
}

#[test]
fn a_certificate_validated_in_a_zone_the_same_stack_creates_is_warned_about() {
    let mut s = Stack::new("Site");
    let zone = HostedZone::new(&mut s, "Zone", "example.com");
    Certificate::new(&mut s, "Cert", "example.com", &[], &zone);
    let mut app = constructs::App::new(".");
    app.add_stack(s);
    let assembly = app.synth().expect("a warning, not a problem");
    let warnings: Vec<String> = assembly.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.contains("Site/Cert/Resource")
            && w.contains("only once the parent domain delegates to the new zone's name servers")),
        "{warnings:?}"
    );
}

#[test]
fn two_sites_claiming_one_cloudfront_name_are_refused() {
    // CloudFront is global: an origin access control's and a headers policy's names are
    // unique in the account; stack A's site B/C and stack A-B's site C both make "A-B-C"
    let mut app = constructs::App::new(".");
    let mut a = Stack::new("A");
    StaticSite::new(&mut a, "B/C", StaticSiteProps::new());
    app.add_stack(a);
    let mut ab = Stack::new("A-B");
    StaticSite::new(&mut ab, "C", StaticSiteProps::new());
    app.add_stack(ab);
    let all = match app.synth() {
        Ok(_) => panic!("the names collide"),
        Err(e) => e
            .problems()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    };
    assert_contains_all(
        &all,
        &["origin access control", "response headers policy", "A-B-C"],
    );
}

/// A site in eu-west-1 whose certificate is made in the stack `certificate_region` names.
fn site_with_certificate_in(certificate_region: &str) -> constructs::App {
    use constructs::core::env::Environment;
    let zone = HostedZone::from_attributes("Z0123456789", "example.com");
    let mut certs = Stack::new("Certs");
    certs.set_env(Environment::region(certificate_region));
    let certificate = Certificate::new(&mut certs, "Cert", "www.example.com", &[], &zone);
    let mut web = Stack::new("Web");
    web.set_env(Environment::region("eu-west-1"));
    StaticSite::new(
        &mut web,
        "Site",
        StaticSiteProps::new().domain(SiteDomain {
            names: vec!["www.example.com".into()],
            certificate: SiteCertificate::Of(certificate),
            zone: None,
        }),
    );
    let mut app = constructs::App::new(".");
    app.cross_region_references(true);
    app.add_stack(certs);
    app.add_stack(web);
    app
}

#[test]
fn a_certificate_of_the_app_must_be_made_in_a_us_east_1_stack() {
    let problems: Vec<String> = match site_with_certificate_in("eu-central-1").synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    };
    assert_eq!(
        problems,
        ["Web/Site/Distribution/Resource [DistributionConfig.ViewerCertificate.AcmCertificateArn]: the certificate Certs/Cert/Resource is made in stack Certs, in eu-central-1: CloudFront takes certificates from us-east-1 only"]
    );
    // in us-east-1, the site (in eu-west-1) reads its ARN through a carried parameter
    let assembly = site_with_certificate_in("us-east-1")
        .synth()
        .unwrap_or_else(|e| panic!("{e}"));
    let web = assembly.stack("Web").unwrap();
    assert_eq!(web.dependencies, ["Certs"]);
    assert_eq!(web.from_outputs.len(), 1);
}
