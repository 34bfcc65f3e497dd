//! Construct paths and the logical ids derived from them.
//!
//! A logical id depends only on its own construct path, so adding or removing an unrelated
//! construct never renames a resource. A resource directly under the stack keeps its id
//! (letters and digits only); a deeper one gets its path's components, letters and digits
//! only, followed by 8 hex digits of a SHA-256 of the path, which tells apart paths whose
//! readable parts are equal. `Resource` and `Default` components are left out of the readable
//! part, as the AWS CDK does, so `Table/Resource` reads `Table...`.

use sha2::{Digest, Sha256};

/// The longest logical id CloudFormation accepts.
pub const MAX_LOGICAL_ID: usize = 255;
const HASH_LEN: usize = 8;

/// Why a construct id (one component of a construct path) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConstructIdError {
    /// An empty id (`Stack//Table`).
    #[error("a construct id must not be empty")]
    Empty,
    /// An id with white space around it.
    #[error("construct id \"{0}\" must not start or end with white space")]
    WhiteSpace(String),
    /// An id holding a control character.
    #[error("construct id {0:?} holds a control character")]
    Control(String),
}

/// Checks one construct id (one component of a path).
pub fn check_construct_id(id: &str) -> Result<(), ConstructIdError> {
    if id.is_empty() {
        return Err(ConstructIdError::Empty);
    }
    if id.trim() != id {
        return Err(ConstructIdError::WhiteSpace(id.to_string()));
    }
    if id.chars().any(char::is_control) {
        return Err(ConstructIdError::Control(id.to_string()));
    }
    Ok(())
}

fn alphanumeric(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The first 8 hex digits (upper case) of the SHA-256 of `text`: what keeps a name derived
/// from a construct path unique and the same at every synth.
/// Whether the construct `path` is `prefix` or below it (every path when `prefix` is
/// `None`): the scope of a tag rule or an aspect.
pub(crate) fn within(prefix: Option<&str>, path: &str) -> bool {
    prefix.is_none_or(|prefix| {
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// The construct path `path`, given relative to a scope whose own paths start with `base`
/// (a stack's name; none for the app).
pub(crate) fn in_scope(base: Option<&str>, path: &str) -> String {
    match base {
        Some(base) => format!("{base}/{}", path.trim_matches('/')),
        None => path.trim_matches('/').to_string(),
    }
}

pub(crate) fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(HASH_LEN / 2)
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The logical id of the construct at `components` (the path below the stack).
pub fn logical_id(components: &[&str]) -> String {
    let components: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| *c != "Default")
        .collect();
    if let [only] = components.as_slice() {
        let id = alphanumeric(only);
        if !id.is_empty() && id.len() <= MAX_LOGICAL_ID {
            return id;
        }
    }
    let hash = short_hash(&components.join("/"));
    let mut human = String::new();
    let mut previous: Option<&str> = None;
    for c in &components {
        if *c == "Resource" || previous == Some(c) {
            previous = Some(c);
            continue;
        }
        previous = Some(c);
        human.push_str(&alphanumeric(c));
    }
    human.truncate(MAX_LOGICAL_ID - HASH_LEN);
    human + &hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_ids_keep_their_name() {
        assert_eq!(logical_id(&["Results"]), "Results");
        assert_eq!(logical_id(&["My-Table_1"]), "MyTable1");
    }

    #[test]
    fn nested_ids_are_readable_and_hashed() {
        let id = logical_id(&["Results", "Resource"]);
        assert!(id.starts_with("Results"), "{id}");
        assert_eq!(id.len(), "Results".len() + 8);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        // same readable part, different paths: different ids
        assert_ne!(logical_id(&["A", "BC"]), logical_id(&["AB", "C"]));
        // stable
        assert_eq!(id, logical_id(&["Results", "Resource"]));
        // Default is dropped
        assert_eq!(logical_id(&["Api", "Default"]), "Api");
    }

    #[test]
    fn ids_are_capped_at_255_characters() {
        let long = "x".repeat(300);
        let id = logical_id(&[long.as_str(), "Resource"]);
        assert_eq!(id.len(), MAX_LOGICAL_ID);
        let top = logical_id(&[long.as_str()]);
        assert_eq!(top.len(), MAX_LOGICAL_ID);
        assert_ne!(top, logical_id(&["x".repeat(301).as_str()]));
    }

    #[test]
    fn non_alphanumeric_only_ids_still_get_an_id() {
        let id = logical_id(&["---"]);
        assert_eq!(id.len(), 8);
    }

    #[test]
    fn construct_ids_are_checked() {
        assert!(check_construct_id("Results Table").is_ok());
        assert_eq!(check_construct_id(""), Err(ConstructIdError::Empty));
        assert_eq!(
            check_construct_id(" x").unwrap_err().to_string(),
            "construct id \" x\" must not start or end with white space"
        );
        assert_eq!(
            check_construct_id("a\u{7}"),
            Err(ConstructIdError::Control("a\u{7}".into()))
        );
    }
}
