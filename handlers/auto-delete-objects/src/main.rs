//! The handler of `s3::BucketProps::auto_delete_objects`: on Delete, it deletes every object
//! version and delete marker of the bucket, a page of at most 1,000 at a time, so that
//! CloudFormation can then delete the bucket (S3 refuses to delete one that is not empty).
//!
//! It empties only a bucket tagged `rcdk:auto-delete-objects=true`: when a user turns the
//! option off, the custom resource leaves the stack (a Delete) while the tag has already gone
//! from the bucket, and the objects stay. A bucket that no longer exists is already empty.
//! Create and Update only name the resource after the bucket; a new bucket name is a new
//! physical id, so CloudFormation sends a Delete for the old bucket once it replaces it.

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use aws_sdk_s3::Client;
use rcdk_custom_resource::{Error, Event, Request, Response};
use serde::Deserialize;

/// The tag that allows emptying the bucket (`constructs::s3::AUTO_DELETE_TAG`).
const TAG: &str = "rcdk:auto-delete-objects";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Props {
    bucket_name: String,
}

async fn handle(client: &Client, event: Event<Props>) -> Result<Response, Error> {
    match event.request {
        Request::Create { properties } | Request::Update { properties, .. } => {
            Ok(Response::new().physical_id(properties.bucket_name))
        }
        Request::Delete { properties, .. } => {
            let deleted = empty(client, &properties.bucket_name).await?;
            Ok(Response::new()
                .physical_id(properties.bucket_name)
                .data("DeletedObjects", deleted))
        }
    }
}

/// Deletes every version and delete marker of a tagged bucket; how many it deleted.
async fn empty(client: &Client, bucket: &str) -> Result<u64, Error> {
    match client.get_bucket_tagging().bucket(bucket).send().await {
        Ok(tagging) => {
            if !tagging
                .tag_set()
                .iter()
                .any(|t| t.key() == TAG && t.value() == "true")
            {
                println!("{bucket} is not tagged {TAG}=true: its objects are kept");
                return Ok(0);
            }
        }
        Err(e) if e.code() == Some("NoSuchBucket") => {
            println!("{bucket} does not exist: nothing to delete");
            return Ok(0);
        }
        Err(e) if e.code() == Some("NoSuchTagSet") => {
            println!("{bucket} has no tags: its objects are kept");
            return Ok(0);
        }
        Err(e) => return Err(format!("cannot read the tags of {bucket}: {}", message(&e)).into()),
    }
    let mut deleted = 0u64;
    let (mut key_marker, mut version_marker) = (None::<String>, None::<String>);
    loop {
        let page = client
            .list_object_versions()
            .bucket(bucket)
            .set_key_marker(key_marker.take())
            .set_version_id_marker(version_marker.take())
            .max_keys(1000)
            .send()
            .await
            .map_err(|e| format!("cannot list the objects of {bucket}: {}", message(&e)))?;
        let mut objects = Vec::new();
        let versions = page.versions().iter().map(|v| (v.key(), v.version_id()));
        let markers = page
            .delete_markers()
            .iter()
            .map(|m| (m.key(), m.version_id()));
        for (key, version) in versions.chain(markers) {
            let Some(key) = key else { continue };
            objects.push(
                ObjectIdentifier::builder()
                    .key(key)
                    .set_version_id(version.map(str::to_string))
                    .build()?,
            );
        }
        if !objects.is_empty() {
            let n = objects.len() as u64;
            let out = client
                .delete_objects()
                .bucket(bucket)
                .delete(
                    Delete::builder()
                        .set_objects(Some(objects))
                        .quiet(true)
                        .build()?,
                )
                .send()
                .await
                .map_err(|e| format!("cannot delete the objects of {bucket}: {}", message(&e)))?;
            if let Some(first) = out.errors().first() {
                return Err(format!(
                    "S3 did not delete {} of {n} objects of {bucket}; the first, {}: {} {}",
                    out.errors().len(),
                    first.key().unwrap_or_default(),
                    first.code().unwrap_or_default(),
                    first.message().unwrap_or_default()
                )
                .into());
            }
            deleted += n;
        }
        if page.is_truncated() != Some(true) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
        if key_marker.is_none() && version_marker.is_none() {
            return Err(
                format!("S3 listed {bucket} as truncated without a marker to go on").into(),
            );
        }
    }
    println!("{bucket}: deleted {deleted} object versions and delete markers");
    Ok(deleted)
}

fn message(e: &(impl ProvideErrorMetadata + std::fmt::Display)) -> String {
    match (e.code(), e.message()) {
        (Some(code), Some(text)) => format!("{code}: {text}"),
        (Some(code), None) => code.to_string(),
        _ => e.to_string(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_from_env().await;
    let client = Client::new(&config);
    rcdk_custom_resource::run(move |event: Event<Props>| {
        let client = client.clone();
        async move { handle(&client, event).await }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::operation::delete_objects::DeleteObjectsOutput;
    use aws_sdk_s3::operation::get_bucket_tagging::{
        GetBucketTaggingError, GetBucketTaggingOutput,
    };
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput;
    use aws_sdk_s3::types::{DeleteMarkerEntry, ObjectVersion, Tag};
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    fn tagged(value: &str) -> GetBucketTaggingOutput {
        GetBucketTaggingOutput::builder()
            .tag_set(Tag::builder().key(TAG).value(value).build().unwrap())
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn deletes_every_version_and_marker_page_by_page() {
        let tags = mock!(Client::get_bucket_tagging).then_output(|| tagged("true"));
        let first = mock!(Client::list_object_versions)
            .match_requests(|r| r.key_marker().is_none())
            .then_output(|| {
                ListObjectVersionsOutput::builder()
                    .versions(ObjectVersion::builder().key("a").version_id("1").build())
                    .versions(ObjectVersion::builder().key("a").version_id("2").build())
                    .delete_markers(
                        DeleteMarkerEntry::builder()
                            .key("b")
                            .version_id("3")
                            .build(),
                    )
                    .is_truncated(true)
                    .next_key_marker("b")
                    .next_version_id_marker("3")
                    .build()
            });
        let second = mock!(Client::list_object_versions)
            .match_requests(|r| r.key_marker() == Some("b") && r.version_id_marker() == Some("3"))
            .then_output(|| {
                ListObjectVersionsOutput::builder()
                    .versions(ObjectVersion::builder().key("c").version_id("null").build())
                    .is_truncated(false)
                    .build()
            });
        let delete = mock!(Client::delete_objects)
            .match_requests(|r| {
                let d = r.delete().unwrap();
                d.quiet() == Some(true) && !d.objects().is_empty()
            })
            .then_output(|| DeleteObjectsOutput::builder().build());
        let client = mock_client!(
            aws_sdk_s3,
            RuleMode::MatchAny,
            [&tags, &first, &second, &delete]
        );
        assert_eq!(empty(&client, "bucket").await.unwrap(), 4);
        assert_eq!(first.num_calls() + second.num_calls(), 2);
        assert_eq!(delete.num_calls(), 2);
    }

    #[tokio::test]
    async fn an_untagged_or_gone_bucket_is_left_alone() {
        let off = mock!(Client::get_bucket_tagging).then_output(|| tagged("false"));
        let list = mock!(Client::list_object_versions)
            .then_output(|| ListObjectVersionsOutput::builder().build());
        let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&off, &list]);
        assert_eq!(empty(&client, "bucket").await.unwrap(), 0);
        assert_eq!(list.num_calls(), 0);

        let gone = mock!(Client::get_bucket_tagging).then_error(|| {
            GetBucketTaggingError::generic(
                aws_sdk_s3::error::ErrorMetadata::builder()
                    .code("NoSuchBucket")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&gone, &list]);
        assert_eq!(empty(&client, "bucket").await.unwrap(), 0);
        assert_eq!(list.num_calls(), 0);
    }

    #[tokio::test]
    async fn objects_s3_would_not_delete_fail_the_request() {
        let tags = mock!(Client::get_bucket_tagging).then_output(|| tagged("true"));
        let list = mock!(Client::list_object_versions).then_output(|| {
            ListObjectVersionsOutput::builder()
                .versions(
                    ObjectVersion::builder()
                        .key("locked")
                        .version_id("1")
                        .build(),
                )
                .build()
        });
        let delete = mock!(Client::delete_objects).then_output(|| {
            DeleteObjectsOutput::builder()
                .errors(
                    aws_sdk_s3::types::Error::builder()
                        .key("locked")
                        .code("AccessDenied")
                        .message("Access Denied because object protected by object lock.")
                        .build(),
                )
                .build()
        });
        let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&tags, &list, &delete]);
        assert_eq!(
            empty(&client, "bucket").await.unwrap_err().to_string(),
            "S3 did not delete 1 of 1 objects of bucket; the first, locked: AccessDenied \
             Access Denied because object protected by object lock."
        );
    }
}
