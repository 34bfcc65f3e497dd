//! How the toolkit reads a deployed stack's physical ids (hotswap, logs, destroy's retained
//! resources), against mocked CloudFormation answers: every page of ListStackResources
//! (DescribeStackResources answers a stack's first 100 resources only: "Only the first 100
//! resources will be returned. If your stack has more resources than this, you should use
//! ListStackResources instead.", CloudFormation API reference, DescribeStackResources), a
//! stack CloudFormation does not have (`ValidationError` "... does not exist") as none, and
//! any other failure as the error.

use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::list_stack_resources::{
    ListStackResourcesError, ListStackResourcesOutput,
};
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{ResourceStatus, StackResourceSummary};
use aws_smithy_mocks::{mock, mock_client, RuleMode};

use rcdk_toolkit::aws::Aws;
use rcdk_toolkit::cfn::physical_ids;

fn summary(i: usize) -> StackResourceSummary {
    StackResourceSummary::builder()
        .logical_resource_id(format!("Queue{i}"))
        .physical_resource_id(format!("https://sqs/q{i}"))
        .resource_type("AWS::SQS::Queue")
        .resource_status(ResourceStatus::CreateComplete)
        .last_updated_timestamp(DateTime::from_secs(0))
        .build()
}

fn aws(cfn: aws_sdk_cloudformation::Client) -> Aws {
    let s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, []);
    Aws::from_clients(cfn, s3, "us-east-1", None)
}

fn refused(code: &str, message: &str) -> ListStackResourcesError {
    ListStackResourcesError::generic(ErrorMetadata::builder().code(code).message(message).build())
}

#[tokio::test]
async fn every_page_of_a_stack_of_150_resources_is_read() {
    let first = mock!(aws_sdk_cloudformation::Client::list_stack_resources)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListStackResourcesOutput::builder()
                .set_stack_resource_summaries(Some((0..100).map(summary).collect()))
                .next_token("page2")
                .build()
        });
    let second = mock!(aws_sdk_cloudformation::Client::list_stack_resources)
        .match_requests(|r| r.next_token() == Some("page2"))
        .then_output(|| {
            ListStackResourcesOutput::builder()
                .set_stack_resource_summaries(Some((100..150).map(summary).collect()))
                .build()
        });
    let cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        [&first, &second]
    );
    let ids = physical_ids(&aws(cfn), "Big")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the stack is there"));
    assert_eq!(ids.len(), 150);
    assert_eq!(ids["Queue149"], "https://sqs/q149");
}

#[tokio::test]
async fn a_missing_stack_is_none_and_a_refused_call_the_error() {
    let missing = mock!(aws_sdk_cloudformation::Client::list_stack_resources)
        .then_error(|| refused("ValidationError", "Stack with id Gone does not exist"));
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&missing]);
    let found = physical_ids(&aws(cfn), "Gone")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(found.is_none());

    let denied = mock!(aws_sdk_cloudformation::Client::list_stack_resources)
        .then_error(|| refused("AccessDenied", "not for you"));
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&denied]);
    let e = match physical_ids(&aws(cfn), "Mine").await {
        Ok(found) => panic!("a refused call is an error, not {found:?}"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("not for you"), "{e}");
}
