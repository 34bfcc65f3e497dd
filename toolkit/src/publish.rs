//! Publishing a stack's local folders to its buckets after it deploys
//! ([`constructs::s3::BucketDeployment`]): the folder is listed within the bounds of
//! [`constructs::core::folder`], each file's MD5 is compared with the object's ETag (or, where
//! the ETag is not an MD5, as with SSE-KMS, with the `rcdk-md5` metadata the upload wrote), the
//! files that differ are uploaded ([`UPLOADS_AT_ONCE`] at a time, streamed from disk, each with
//! `Content-MD5` so S3 refuses a body that is not the file that was hashed), the objects under
//! the prefix that the folder does not hold are deleted (`prune`), and when anything changed the
//! distribution's cache is invalidated and the invalidation awaited (within `--timeout`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use constructs::core::folder;
use constructs::core::synth::FolderEntry;
use md5::{Digest, Md5};

use crate::aws::Aws;
use crate::error::DeployError;
use crate::signed::Signed;
use crate::ui::Ui;

/// How many files are uploaded at once.
pub const UPLOADS_AT_ONCE: usize = 8;
/// The most objects listed under a prefix before rcdk refuses to compare (ten times what one
/// folder may hold).
pub const MAX_LISTED: usize = 10 * folder::MAX_FILES;
/// The user metadata that holds an upload's MD5 (`x-amz-meta-rcdk-md5`).
pub const MD5_METADATA: &str = "rcdk-md5";
/// DeleteObjects takes at most 1,000 keys (Amazon S3 API Reference, DeleteObjects).
const DELETE_BATCH: usize = 1000;

/// A file of the folder, hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalObject {
    /// Its key (prefix + path below the folder).
    pub key: String,
    /// Where it is read from.
    pub path: PathBuf,
    pub size: u64,
    /// Hex MD5 of its content.
    pub md5: String,
}

/// An object of the bucket under the prefix, as ListObjectsV2 gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteObject {
    pub key: String,
    pub size: i64,
    /// The ETag without its quotes.
    pub etag: String,
}

/// What publishing a folder does.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncPlan {
    /// Local files (indexes) the bucket lacks or holds with another size or content.
    pub upload: Vec<usize>,
    /// Local files whose object has the size but an ETag that is not their MD5 (SSE-KMS, a
    /// multipart upload): their `rcdk-md5` metadata decides.
    pub check: Vec<usize>,
    /// Keys under the prefix the folder does not hold (only when pruning).
    pub delete: Vec<String>,
    /// How many objects are as the folder has them.
    pub unchanged: usize,
}

/// Compares the folder with the bucket's objects under the prefix.
pub fn plan(local: &[LocalObject], remote: &[RemoteObject], prune: bool) -> SyncPlan {
    let by_key: HashMap<&str, &RemoteObject> = remote.iter().map(|r| (r.key.as_str(), r)).collect();
    let mut out = SyncPlan::default();
    for (i, l) in local.iter().enumerate() {
        match by_key.get(l.key.as_str()) {
            None => out.upload.push(i),
            Some(r) if u64::try_from(r.size).ok() != Some(l.size) => out.upload.push(i),
            Some(r) if r.etag.eq_ignore_ascii_case(&l.md5) => out.unchanged += 1,
            Some(_) => out.check.push(i),
        }
    }
    if prune {
        let wanted: std::collections::HashSet<&str> =
            local.iter().map(|l| l.key.as_str()).collect();
        out.delete = remote
            .iter()
            .filter(|r| !wanted.contains(r.key.as_str()))
            .map(|r| r.key.clone())
            .collect();
    }
    out
}

/// The Content-Type of a key, from its extension (`application/octet-stream` when unknown);
/// text types say they are UTF-8.
pub fn content_type(key: &str) -> String {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml");
    if text && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// Hex MD5 of a file, read in pieces; its length must still be `size`.
fn md5_of(path: &Path, size: u64) -> std::io::Result<String> {
    let mut hasher = Md5::new();
    constructs::core::asset::read_in_pieces(path, size, |piece| hasher.update(piece))
        .map_err(|e| std::io::Error::other(format!("{e}; run deploy again")))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The folder's files, listed and hashed (on a blocking thread).
pub async fn local_objects(dir: &Path, prefix: &str) -> Result<Vec<LocalObject>, String> {
    let dir = dir.to_path_buf();
    let prefix = prefix.to_string();
    tokio::task::spawn_blocking(move || {
        let files = folder::list(&dir, &prefix).map_err(|e| e.to_string())?;
        files
            .into_iter()
            .map(|f| {
                let md5 = md5_of(&f.path, f.size).map_err(|e| format!("{}: {e}", f.relative))?;
                Ok(LocalObject {
                    key: format!("{prefix}{}", f.relative),
                    path: f.path,
                    size: f.size,
                    md5,
                })
            })
            .collect()
    })
    .await
    .map_err(|e| format!("hashing ended abnormally: {e}"))?
}

/// What publishing one folder did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Published {
    pub uploaded: usize,
    pub deleted: usize,
    pub unchanged: usize,
    /// The invalidation's id, when one was made.
    pub invalidation: Option<String>,
}

/// The bucket (and its owner) or distribution behind a logical id of the deployed stack.
async fn physical_id(
    aws: &Aws,
    stack: &str,
    logical: &str,
) -> Result<(String, Option<String>), DeployError> {
    let out = aws
        .cfn
        .describe_stack_resource()
        .stack_name(stack)
        .logical_resource_id(logical)
        .send()
        .await
        .map_err(|e| aws.error("DescribeStackResource", Some(stack), e))?;
    let detail = out.stack_resource_detail();
    let id = detail
        .and_then(|d| d.physical_resource_id())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| DeployError::Template {
            stack: stack.to_string(),
            message: format!("the resource {logical} has no physical id yet"),
        })?;
    let owner = detail
        .and_then(|d| d.stack_id())
        .and_then(crate::assets::arn_account)
        .map(str::to_string);
    Ok((id.to_string(), owner))
}

/// The objects of the bucket under `prefix`, page by page, at most [`MAX_LISTED`].
async fn remote_objects(
    aws: &Aws,
    bucket: &str,
    owner: Option<&str>,
    prefix: &str,
) -> Result<Vec<RemoteObject>, String> {
    let mut out = Vec::new();
    let mut pages = aws
        .s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .set_expected_bucket_owner(owner.map(str::to_string))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| crate::aws::aws_error("ListObjectsV2", None, e).to_string())?;
        for o in page.contents() {
            let Some(key) = o.key() else { continue };
            out.push(RemoteObject {
                key: key.to_string(),
                size: o.size().unwrap_or(-1),
                etag: o.e_tag().unwrap_or_default().trim_matches('"').to_string(),
            });
            if out.len() > MAX_LISTED {
                return Err(format!(
                    "the bucket holds more than {MAX_LISTED} objects under {prefix:?}; rcdk does not compare that many (publish under a prefix of its own)"
                ));
            }
        }
    }
    Ok(out)
}

/// Whether the object's `rcdk-md5` metadata is `md5`.
async fn same_by_metadata(
    aws: &Aws,
    bucket: &str,
    owner: Option<&str>,
    object: &LocalObject,
) -> Result<bool, String> {
    let head = aws
        .s3
        .head_object()
        .bucket(bucket)
        .key(&object.key)
        .set_expected_bucket_owner(owner.map(str::to_string))
        .send()
        .await
        .map_err(|e| crate::aws::aws_error("HeadObject", None, e).to_string())?;
    Ok(head
        .metadata()
        .and_then(|m| m.get(MD5_METADATA))
        .is_some_and(|m| m.eq_ignore_ascii_case(&object.md5)))
}

/// Uploads one file, streamed from disk, with its Content-MD5.
async fn upload(
    aws: &Aws,
    bucket: &str,
    owner: Option<&str>,
    object: &LocalObject,
    cache_control: Option<&str>,
) -> Result<(), String> {
    let body = ByteStream::from_path(&object.path)
        .await
        .map_err(|e| format!("{}: {e}", object.key))?;
    let raw: Vec<u8> = (0..object.md5.len() / 2)
        .filter_map(|i| u8::from_str_radix(object.md5.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    let size = usize::try_from(object.size).unwrap_or(usize::MAX);
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(&object.key)
        .set_expected_bucket_owner(owner.map(str::to_string))
        .body(body)
        .content_length(i64::try_from(object.size).unwrap_or(i64::MAX))
        .content_md5(aws_smithy_types::base64::encode(&raw))
        .content_type(content_type(&object.key))
        .set_cache_control(cache_control.map(str::to_string))
        .metadata(MD5_METADATA, &object.md5)
        .customize()
        .config_override(
            aws_sdk_s3::config::Builder::default()
                .timeout_config(crate::aws::upload_timeouts(aws.config.as_ref(), size)),
        )
        .send()
        .await
        .map_err(|e| {
            format!(
                "{}: {}",
                object.key,
                crate::aws::aws_error("PutObject", None, e)
            )
        })?;
    Ok(())
}

/// Deletes keys, a thousand per request; a key S3 did not delete is an error.
async fn delete(
    aws: &Aws,
    bucket: &str,
    owner: Option<&str>,
    keys: &[String],
) -> Result<(), String> {
    for batch in keys.chunks(DELETE_BATCH) {
        let objects = batch
            .iter()
            .map(|k| ObjectIdentifier::builder().key(k).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let request = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| e.to_string())?;
        let out = aws
            .s3
            .delete_objects()
            .bucket(bucket)
            .set_expected_bucket_owner(owner.map(str::to_string))
            .delete(request)
            .send()
            .await
            .map_err(|e| crate::aws::aws_error("DeleteObjects", None, e).to_string())?;
        if let Some(e) = out.errors().first() {
            return Err(format!(
                "{} of {} key(s) not deleted; {}: {} {}",
                out.errors().len(),
                batch.len(),
                e.key().unwrap_or("?"),
                e.code().unwrap_or("?"),
                e.message().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// The path an invalidation of `prefix` names: `/*`, or `/<prefix>*` with every character
/// but letters, digits, `-._~/` percent-encoded (CloudFront Developer Guide, "Specifying the
/// objects to invalidate").
pub fn invalidation_path(prefix: &str) -> String {
    let mut out = String::from("/");
    for b in prefix.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push('*');
    out
}

/// The text of the first `<tag>` element of an XML answer, its entities decoded.
pub fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{tag}>"))?;
    Some(
        body[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// A CloudFront answer that is not a success, as an error text.
fn cloudfront_error(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match (xml_text(&text, "Code"), xml_text(&text, "Message")) {
        (Some(code), message) => {
            format!("{code}: {} (status {status})", message.unwrap_or_default())
        }
        _ => format!("status {status}"),
    }
}

/// Invalidates `/<prefix>*` of the distribution and waits until CloudFront says it is
/// complete (polling every `poll`, at most `timeout`); the invalidation's id.
pub async fn invalidate(
    signed: &Signed,
    distribution: &str,
    prefix: &str,
    poll: Duration,
    timeout: Duration,
) -> Result<String, String> {
    let reference = format!(
        "rcdk-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default()
    );
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>1</Quantity><Items><Path>{}</Path></Items></Paths><CallerReference>{reference}</CallerReference></InvalidationBatch>",
        invalidation_path(prefix)
    );
    let base = format!("/2020-05-31/distribution/{distribution}/invalidation");
    let answer = signed
        .send(
            "cloudfront",
            "POST",
            &base,
            &[("content-type", "application/xml")],
            body.into_bytes(),
        )
        .await
        .map_err(|e| format!("CreateInvalidation: {e}"))?;
    if answer.status >= 300 {
        return Err(format!(
            "CreateInvalidation: {}",
            cloudfront_error(answer.status, &answer.body)
        ));
    }
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    let id = xml_text(&text, "Id")
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .ok_or("CreateInvalidation: the answer names no invalidation id")?;
    let mut status = xml_text(&text, "Status").unwrap_or_default();
    let started = Instant::now();
    while !status.eq_ignore_ascii_case("Completed") {
        if started.elapsed() >= timeout {
            return Err(format!(
                "the invalidation {id} is still {status} after {} s (--timeout); the files are published, the cache may serve old ones until it completes",
                timeout.as_secs()
            ));
        }
        tokio::time::sleep(poll).await;
        let answer = signed
            .send(
                "cloudfront",
                "GET",
                &format!("{base}/{id}"),
                &[],
                Vec::new(),
            )
            .await
            .map_err(|e| format!("GetInvalidation: {e}"))?;
        if answer.status >= 300 {
            return Err(format!(
                "GetInvalidation: {}",
                cloudfront_error(answer.status, &answer.body)
            ));
        }
        status = xml_text(&String::from_utf8_lossy(&answer.body), "Status").unwrap_or_default();
    }
    Ok(id)
}

/// Publishes one folder of the deployed `stack`: the folder `root/<source>`.
pub async fn publish_folder(
    aws: &Aws,
    ui: &Ui,
    stack: &str,
    root: &Path,
    entry: &FolderEntry,
    poll: Duration,
    timeout: Duration,
) -> Result<Published, DeployError> {
    let fail = |message: String| DeployError::Publish {
        stack: stack.to_string(),
        construct: entry.path.clone(),
        folder: entry.source.clone(),
        message,
    };
    let dir = root.join(&entry.source);
    // the folder, as the assembly names it, must still be inside the workspace
    let inside = match (dir.canonicalize(), root.canonicalize()) {
        (Ok(d), Ok(r)) => d.starts_with(r),
        _ => false,
    };
    if !inside {
        return Err(fail(format!(
            "{} is missing or leads out of the app's workspace {}",
            dir.display(),
            root.display()
        )));
    }
    let started = Instant::now();
    let local = local_objects(&dir, &entry.key_prefix).await.map_err(fail)?;
    let (bucket, owner) = physical_id(aws, stack, &entry.bucket).await?;
    let owner = owner.as_deref();
    let remote = remote_objects(aws, &bucket, owner, &entry.key_prefix)
        .await
        .map_err(fail)?;
    let mut sync = plan(&local, &remote, entry.prune);
    for i in std::mem::take(&mut sync.check) {
        if same_by_metadata(aws, &bucket, owner, &local[i])
            .await
            .map_err(fail)?
        {
            sync.unchanged += 1;
        } else {
            sync.upload.push(i);
        }
    }
    let local = Arc::new(local);
    let mut running = tokio::task::JoinSet::new();
    let mut pending = sync.upload.clone().into_iter();
    let mut first_error = None;
    loop {
        while running.len() < UPLOADS_AT_ONCE && first_error.is_none() {
            let Some(i) = pending.next() else { break };
            let (aws, bucket, owner, local, cache) = (
                aws.clone(),
                bucket.clone(),
                owner.map(str::to_string),
                local.clone(),
                entry.cache_control.clone(),
            );
            running.spawn(async move {
                upload(&aws, &bucket, owner.as_deref(), &local[i], cache.as_deref()).await
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let result = done.unwrap_or_else(|e| Err(format!("an upload ended abnormally: {e}")));
        if let (Err(e), None) = (result, &first_error) {
            first_error = Some(e);
        }
    }
    if let Some(e) = first_error {
        return Err(fail(e));
    }
    delete(aws, &bucket, owner, &sync.delete)
        .await
        .map_err(fail)?;
    let mut published = Published {
        uploaded: sync.upload.len(),
        deleted: sync.delete.len(),
        unchanged: sync.unchanged,
        invalidation: None,
    };
    let bytes: u64 = sync.upload.iter().map(|&i| local[i].size).sum();
    ui.line(format!(
        "{stack}: {} → s3://{bucket}/{}: {} uploaded ({} KiB), {} deleted, {} unchanged ({:.1} s)",
        entry.source,
        entry.key_prefix,
        published.uploaded,
        bytes.div_ceil(1024),
        published.deleted,
        published.unchanged,
        started.elapsed().as_secs_f64()
    ));
    let changed = published.uploaded + published.deleted > 0;
    if let (Some(distribution), true) = (&entry.distribution, changed) {
        let (id, _) = physical_id(aws, stack, distribution).await?;
        let signed = Signed::new(aws);
        let waited = Instant::now();
        let invalidation = invalidate(&signed, &id, &entry.key_prefix, poll, timeout)
            .await
            .map_err(fail)?;
        ui.line(format!(
            "{stack}: CloudFront distribution {id}: {} invalidated ({invalidation}, {:.1} s)",
            invalidation_path(&entry.key_prefix),
            waited.elapsed().as_secs_f64()
        ));
        published.invalidation = Some(invalidation);
    }
    Ok(published)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(key: &str, size: u64, md5: &str) -> LocalObject {
        LocalObject {
            key: key.into(),
            path: PathBuf::from(key),
            size,
            md5: md5.into(),
        }
    }

    fn remote(key: &str, size: i64, etag: &str) -> RemoteObject {
        RemoteObject {
            key: key.into(),
            size,
            etag: etag.into(),
        }
    }

    #[test]
    fn new_and_changed_files_are_uploaded_removed_ones_pruned_the_rest_kept() {
        let files = [
            local("index.html", 10, "aa"),
            local("app.js", 5, "bb"),
            local("new.css", 3, "cc"),
            local("logo.png", 7, "dd"),
            local("kms.txt", 4, "ee"),
        ];
        let objects = [
            remote("index.html", 10, "AA"),
            remote("app.js", 6, "bb"),
            remote("logo.png", 7, "00"),
            remote("kms.txt", 4, "ee-2"),
            remote("old.css", 3, "ff"),
        ];
        let p = plan(&files, &objects, true);
        assert_eq!(p.upload, [1, 2]);
        // an ETag that is not the MD5 (SSE-KMS, multipart): the metadata decides
        assert_eq!(p.check, [3, 4]);
        assert_eq!(p.unchanged, 1);
        assert_eq!(p.delete, ["old.css"]);
        assert!(plan(&files, &objects, false).delete.is_empty());
    }

    #[test]
    fn content_types_come_from_the_extension_and_text_is_utf8() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(
            content_type("site.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type("logo.png"), "image/png");
        assert_eq!(content_type("m.wasm"), "application/wasm");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn invalidation_paths_are_percent_encoded() {
        assert_eq!(invalidation_path(""), "/*");
        assert_eq!(invalidation_path("v2/static/"), "/v2/static/*");
        assert_eq!(invalidation_path("a b&<é/"), "/a%20b%26%3C%C3%A9/*");
    }

    #[test]
    fn xml_text_reads_the_first_element_and_decodes_entities() {
        let body = "<ErrorResponse><Error><Code>NoSuchDistribution</Code><Message>a &amp; &lt;b&gt;</Message></Error></ErrorResponse>";
        assert_eq!(
            xml_text(body, "Code").as_deref(),
            Some("NoSuchDistribution")
        );
        assert_eq!(xml_text(body, "Message").as_deref(), Some("a & <b>"));
        assert_eq!(xml_text(body, "Id"), None);
        assert_eq!(
            cloudfront_error(404, body.as_bytes()),
            "NoSuchDistribution: a & <b> (status 404)"
        );
    }

    #[test]
    fn a_file_is_hashed_as_md5_and_a_changed_length_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        std::fs::write(&f, "hello").unwrap();
        // RFC 1321 test suite style value: md5("hello")
        assert_eq!(md5_of(&f, 5).unwrap(), "5d41402abc4b2a76b9719d911017c592");
        assert!(md5_of(&f, 4).is_err());
    }
}
