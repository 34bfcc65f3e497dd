//! CloudFormation's and the services' naming rules, checked at synth, and the names made for
//! resources that need one and were given none.

use crate::core::path::short_hash;

/// A name for a resource that needs one and was given none: the stack's name, the construct
/// id and a hash of both, at most `max` characters, the same at every synth. Each character
/// `keep` refuses becomes '-'.
pub(crate) fn generated_name(
    stack: &str,
    id: &str,
    max: usize,
    keep: impl Fn(char) -> bool,
) -> String {
    let hash = short_hash(&format!("{stack}/{id}")).to_ascii_lowercase();
    let head: String = format!("{stack}-{id}")
        .chars()
        .map(|c| if keep(c) { c } else { '-' })
        .take(max.saturating_sub(1 + hash.len()))
        .collect();
    format!("{head}-{hash}")
}

/// Why a name is refused: what it names (`table name`), the name, and the rule it breaks.
/// Its text is the message of the synth problem that reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Shorter or longer than allowed.
    #[error(
        "{kind} \"{name}\" must be {min} to {max} {unit} long{}",
        len.map(|n| format!(" (it has {n})")).unwrap_or_default()
    )]
    Length {
        /// What the name names.
        kind: String,
        /// The name.
        name: String,
        /// The shortest allowed.
        min: usize,
        /// The longest allowed.
        max: usize,
        /// Its length, in `unit`s, where the message gives it (not for a logical id,
        /// parameter or output name).
        len: Option<usize>,
        /// What the length counts.
        unit: LengthUnit,
    },
    /// A character the name may not hold.
    #[error("{kind} \"{name}\" may hold only {allowed}, not {character:?}")]
    Character {
        /// What the name names.
        kind: String,
        /// The name.
        name: String,
        /// The first character refused.
        character: char,
        /// What it may hold, in words (`letters, digits and '_' '-'`).
        allowed: String,
    },
    /// A control character, in a name that may hold any other.
    #[error(
        "{kind} \"{}\" must not hold the control character {character:?}",
        name.escape_debug()
    )]
    Control {
        /// What the name names.
        kind: String,
        /// The name.
        name: String,
        /// The control character.
        character: char,
    },
    /// A rule of its shape broken (`must start with a letter`, `must not look like an IP
    /// address`).
    #[error("{kind} \"{name}\" {rule}")]
    Shape {
        /// What the name names.
        kind: String,
        /// The name.
        name: String,
        /// The rule, as the message says it.
        rule: &'static str,
    },
    /// A name the service keeps for itself.
    #[error("{kind} {name} is reserved by {owner} and cannot be set")]
    Reserved {
        /// What the name names.
        kind: String,
        /// The name.
        name: String,
        /// Who reserves it (`Lambda`).
        owner: &'static str,
    },
}

/// What the length of a name counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    /// Characters.
    Characters,
    /// Bytes of UTF-8.
    Bytes,
}

impl std::fmt::Display for LengthUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LengthUnit::Characters => "characters",
            LengthUnit::Bytes => "bytes",
        })
    }
}

impl NameError {
    /// `name`, `min` to `max` characters long, has `len`.
    pub fn length(kind: &str, name: &str, min: usize, max: usize, len: usize) -> Self {
        NameError::Length {
            kind: kind.to_string(),
            name: name.to_string(),
            min,
            max,
            len: Some(len),
            unit: LengthUnit::Characters,
        }
    }

    /// `name` holds `character`; it may hold only what `allowed` says.
    pub fn character(kind: &str, name: &str, character: char, allowed: impl Into<String>) -> Self {
        NameError::Character {
            kind: kind.to_string(),
            name: name.to_string(),
            character,
            allowed: allowed.into(),
        }
    }

    /// `name` breaks `rule`.
    pub fn shape(kind: &str, name: &str, rule: &'static str) -> Self {
        NameError::Shape {
            kind: kind.to_string(),
            name: name.to_string(),
            rule,
        }
    }

    /// The name refused.
    pub fn name(&self) -> &str {
        match self {
            NameError::Length { name, .. }
            | NameError::Character { name, .. }
            | NameError::Control { name, .. }
            | NameError::Shape { name, .. }
            | NameError::Reserved { name, .. } => name,
        }
    }
}

/// Checks a stack name: 1 to 128 characters, a letter first, then letters, digits and hyphens.
pub fn check_stack_name(name: &str) -> Result<(), NameError> {
    const KIND: &str = "stack name";
    if name.is_empty() || name.len() > 128 {
        return Err(NameError::length(KIND, name, 1, 128, name.chars().count()));
    }
    let mut chars = name.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err(NameError::shape(KIND, name, "must start with a letter"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(NameError::character(
            KIND,
            name,
            bad,
            "letters, digits and hyphens",
        ));
    }
    Ok(())
}

/// Checks an alphanumeric template name (logical id, output, parameter): 1 to 255 characters.
pub fn check_alphanumeric(kind: &str, name: &str) -> Result<(), NameError> {
    if name.is_empty() || name.len() > 255 {
        return Err(NameError::Length {
            kind: kind.to_string(),
            name: name.to_string(),
            min: 1,
            max: 255,
            len: None,
            unit: LengthUnit::Characters,
        });
    }
    if let Some(bad) = name.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(NameError::character(kind, name, bad, "letters and digits"));
    }
    Ok(())
}

/// Checks a resource's physical name: length range and allowed characters (besides
/// ASCII letters and digits).
pub fn check_name(
    kind: &str,
    name: &str,
    min: usize,
    max: usize,
    extra: &str,
) -> Result<(), NameError> {
    let len = name.chars().count();
    if len < min || len > max {
        return Err(NameError::length(kind, name, min, max, len));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || extra.contains(*c)))
    {
        let allowed: Vec<String> = extra.chars().map(|c| format!("'{c}'")).collect();
        return Err(NameError::character(
            kind,
            name,
            bad,
            format!(
                "letters, digits{}{}",
                if allowed.is_empty() { "" } else { " and " },
                allowed.join(" ")
            ),
        ));
    }
    Ok(())
}

/// Checks an S3 bucket name against S3's general-purpose bucket rules.
pub fn check_bucket_name(name: &str) -> Result<(), NameError> {
    const KIND: &str = "bucket name";
    let len = name.len();
    if !(3..=63).contains(&len) {
        return Err(NameError::length(KIND, name, 3, 63, len));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Err(NameError::character(
            KIND,
            name,
            bad,
            "lowercase letters, digits, '.' and '-'",
        ));
    }
    let first_last_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_last_ok(name.chars().next()) || !first_last_ok(name.chars().last()) {
        return Err(NameError::shape(
            KIND,
            name,
            "must begin and end with a letter or a digit",
        ));
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return Err(NameError::shape(
            KIND,
            name,
            "must not hold \"..\", \".-\" or \"-.\"",
        ));
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Err(NameError::shape(
            KIND,
            name,
            "must not look like an IP address",
        ));
    }
    if name.starts_with("xn--") || name.starts_with("sthree-") || name.ends_with("-s3alias") {
        return Err(NameError::shape(
            KIND,
            name,
            "uses a prefix or suffix S3 reserves",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_names() {
        assert!(check_stack_name("My-Stack1").is_ok());
        assert_eq!(
            check_stack_name("1Stack").unwrap_err().to_string(),
            "stack name \"1Stack\" must start with a letter"
        );
        assert_eq!(
            check_stack_name("My_Stack").unwrap_err().to_string(),
            "stack name \"My_Stack\" may hold only letters, digits and hyphens, not '_'"
        );
        assert_eq!(
            check_stack_name(&"a".repeat(129)),
            Err(NameError::length(
                "stack name",
                &"a".repeat(129),
                1,
                128,
                129
            ))
        );
        assert!(matches!(
            check_stack_name(""),
            Err(NameError::Length { len: Some(0), .. })
        ));
    }

    #[test]
    fn bucket_names() {
        assert!(check_bucket_name("my-bucket.logs").is_ok());
        assert!(matches!(
            check_bucket_name("My-Bucket"),
            Err(NameError::Character { character: 'M', .. })
        ));
        assert!(check_bucket_name("ab").is_err());
        assert!(check_bucket_name("-bucket").is_err());
        assert!(check_bucket_name("a..b").is_err());
        assert_eq!(
            check_bucket_name("192.168.5.4").unwrap_err().to_string(),
            "bucket name \"192.168.5.4\" must not look like an IP address"
        );
    }

    #[test]
    fn generated_names() {
        let keep = |c: char| c.is_ascii_alphanumeric() || c == '-';
        let name = generated_name("Stack", "Bus/A b", 40, keep);
        assert!(name.starts_with("Stack-Bus-A-b-"), "{name}");
        assert_eq!(name, generated_name("Stack", "Bus/A b", 40, keep));
        assert_ne!(name, generated_name("Stack", "Bus/A-b", 40, keep));
        let long = generated_name("Stack", &"x".repeat(300), 64, keep);
        assert_eq!(long.chars().count(), 64);
    }

    #[test]
    fn physical_names() {
        assert!(check_name("table name", "Tasks_v1.x-y", 3, 255, "_.-").is_ok());
        let e = check_name("function name", "bad name", 1, 64, "_-").unwrap_err();
        assert_eq!(
            e.to_string(),
            "function name \"bad name\" may hold only letters, digits and '_' '-', not ' '"
        );
        assert_eq!(e.name(), "bad name");
        assert_eq!(
            check_alphanumeric("logical id", "")
                .unwrap_err()
                .to_string(),
            "logical id \"\" must be 1 to 255 characters long"
        );
    }
}
