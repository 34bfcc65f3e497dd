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

/// Checks a stack name: 1 to 128 characters, a letter first, then letters, digits and hyphens.
pub fn check_stack_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 128 {
        return Err(format!(
            "stack name \"{name}\" must be 1 to 128 characters long (it has {})",
            name.chars().count()
        ));
    }
    let mut chars = name.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err(format!("stack name \"{name}\" must start with a letter"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "stack name \"{name}\" may hold only letters, digits and hyphens, not {bad:?}"
        ));
    }
    Ok(())
}

/// Checks an alphanumeric template name (logical id, output, parameter): 1 to 255 characters.
pub fn check_alphanumeric(kind: &str, name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 255 {
        return Err(format!(
            "{kind} \"{name}\" must be 1 to 255 characters long"
        ));
    }
    if let Some(bad) = name.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(format!(
            "{kind} \"{name}\" may hold only letters and digits, not {bad:?}"
        ));
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
) -> Result<(), String> {
    let len = name.chars().count();
    if len < min || len > max {
        return Err(format!(
            "{kind} \"{name}\" must be {min} to {max} characters long (it has {len})"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || extra.contains(*c)))
    {
        let allowed: Vec<String> = extra.chars().map(|c| format!("'{c}'")).collect();
        return Err(format!(
            "{kind} \"{name}\" may hold only letters, digits{}{}, not {bad:?}",
            if allowed.is_empty() { "" } else { " and " },
            allowed.join(" ")
        ));
    }
    Ok(())
}

/// Checks an S3 bucket name against S3's general-purpose bucket rules.
pub fn check_bucket_name(name: &str) -> Result<(), String> {
    let len = name.len();
    if !(3..=63).contains(&len) {
        return Err(format!(
            "bucket name \"{name}\" must be 3 to 63 characters long (it has {len})"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Err(format!(
            "bucket name \"{name}\" may hold only lowercase letters, digits, '.' and '-', not {bad:?}"
        ));
    }
    let first_last_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_last_ok(name.chars().next()) || !first_last_ok(name.chars().last()) {
        return Err(format!(
            "bucket name \"{name}\" must begin and end with a letter or a digit"
        ));
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return Err(format!(
            "bucket name \"{name}\" must not hold \"..\", \".-\" or \"-.\""
        ));
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Err(format!(
            "bucket name \"{name}\" must not look like an IP address"
        ));
    }
    if name.starts_with("xn--") || name.starts_with("sthree-") || name.ends_with("-s3alias") {
        return Err(format!(
            "bucket name \"{name}\" uses a prefix or suffix S3 reserves"
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
        assert!(check_stack_name("1Stack")
            .unwrap_err()
            .contains("start with a letter"));
        assert!(check_stack_name("My_Stack").unwrap_err().contains("'_'"));
        assert!(check_stack_name(&"a".repeat(129))
            .unwrap_err()
            .contains("128"));
        assert!(check_stack_name("").is_err());
    }

    #[test]
    fn bucket_names() {
        assert!(check_bucket_name("my-bucket.logs").is_ok());
        assert!(check_bucket_name("My-Bucket").unwrap_err().contains("'M'"));
        assert!(check_bucket_name("ab").is_err());
        assert!(check_bucket_name("-bucket").is_err());
        assert!(check_bucket_name("a..b").is_err());
        assert!(check_bucket_name("192.168.5.4").unwrap_err().contains("IP"));
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
        assert!(e.contains("' '"), "{e}");
    }
}
