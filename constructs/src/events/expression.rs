//! Schedule expressions shared by EventBridge rules and EventBridge Scheduler: `rate(...)` and
//! `cron(...)` (and, for the Scheduler, `at(...)`), checked the way both services read them.

/// Why a schedule expression is refused: each names the expression as it would be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpressionError {
    /// `rate(0 ...)`.
    #[error("{expression}: a rate is at least 1 (the shortest is rate(1 minute))")]
    ZeroRate {
        /// The expression.
        expression: String,
    },
    /// A cron expression without exactly six fields.
    #[error("{expression} has {count} fields; a cron expression has six: minutes hours day-of-month month day-of-week year")]
    CronFields {
        /// The expression.
        expression: String,
        /// How many fields it has.
        count: usize,
    },
    /// A character a cron field may not hold.
    #[error("{expression}: the {field} field \"{value}\" may not hold {character:?}")]
    CronCharacter {
        /// The expression.
        expression: String,
        /// The field's name (`day-of-week`).
        field: &'static str,
        /// The field, as written.
        value: String,
        /// The first character refused.
        character: char,
    },
    /// `?` in both or neither of day-of-month and day-of-week.
    #[error("{expression}: give either day-of-month or day-of-week, and ? in the other (\"{day_of_month}\" and \"{day_of_week}\")")]
    CronDays {
        /// The expression.
        expression: String,
        /// The day-of-month field.
        day_of_month: String,
        /// The day-of-week field.
        day_of_week: String,
    },
    /// An `at(...)` that is not a date and time without a zone.
    #[error("{expression}: a one-time schedule is at(yyyy-mm-ddThh:mm:ss), without a time zone (give it as the schedule's time zone)")]
    At {
        /// The expression.
        expression: String,
    },
    /// An expression longer than the service takes.
    #[error("the expression has {length} characters; the Scheduler takes at most {max}")]
    TooLong {
        /// Its length.
        length: usize,
        /// The most the service takes.
        max: usize,
    },
}

/// The unit of a `rate(...)` expression; the singular is written for a value of 1, as EventBridge
/// requires (`rate(1 minute)`, `rate(5 minutes)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    /// Minutes: the smallest unit either service accepts.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

impl RateUnit {
    fn word(self, value: u32) -> &'static str {
        match (self, value == 1) {
            (RateUnit::Minutes, true) => "minute",
            (RateUnit::Minutes, false) => "minutes",
            (RateUnit::Hours, true) => "hour",
            (RateUnit::Hours, false) => "hours",
            (RateUnit::Days, true) => "day",
            (RateUnit::Days, false) => "days",
        }
    }
}

/// `rate(value unit)`, or why it is refused: the value is a positive whole number.
pub fn rate_expression(value: u32, unit: RateUnit) -> Result<String, ExpressionError> {
    let text = format!("rate({value} {})", unit.word(value));
    if value == 0 {
        return Err(ExpressionError::ZeroRate { expression: text });
    }
    Ok(text)
}

/// The field names of a cron expression, in order.
const CRON_FIELDS: [&str; 6] = [
    "minutes",
    "hours",
    "day-of-month",
    "month",
    "day-of-week",
    "year",
];

/// `cron(fields)` from its six fields (`0 12 * * ? *`; a `cron(...)` wrapper is accepted), or
/// why it is refused: six fields (minutes, hours, day-of-month, month, day-of-week, year),
/// `?` in exactly one of day-of-month and day-of-week and nowhere else, and only the characters
/// each field may hold.
pub fn cron_expression(fields: &str) -> Result<String, ExpressionError> {
    let inner = fields
        .trim()
        .strip_prefix("cron(")
        .and_then(|f| f.strip_suffix(')'))
        .unwrap_or(fields.trim());
    let text = format!("cron({inner})");
    let parts: Vec<&str> = inner.split_whitespace().collect();
    if parts.len() != 6 {
        return Err(ExpressionError::CronFields {
            count: parts.len(),
            expression: text,
        });
    }
    for (i, (part, name)) in parts.iter().zip(CRON_FIELDS).enumerate() {
        let extra: &str = match i {
            2 => "?LW",
            3 => "",
            4 => "?L#",
            _ => "",
        };
        let letters_ok = i == 2 || i == 3 || i == 4;
        if let Some(bad) = part.chars().find(|c| {
            !(c.is_ascii_digit()
                || ",-*/".contains(*c)
                || extra.contains(*c)
                || (letters_ok && c.is_ascii_alphabetic()))
        }) {
            return Err(ExpressionError::CronCharacter {
                expression: text,
                field: name,
                value: part.to_string(),
                character: bad,
            });
        }
    }
    let (dom, dow) = (parts[2], parts[4]);
    if (dom == "?") == (dow == "?") {
        return Err(ExpressionError::CronDays {
            day_of_month: dom.to_string(),
            day_of_week: dow.to_string(),
            expression: text,
        });
    }
    Ok(text)
}

/// `at(yyyy-mm-ddThh:mm:ss)` from the time stamp (an `at(...)` wrapper is accepted), or why it
/// is refused: exactly that form, with a real month, day, hour, minute and second.
pub fn at_expression(timestamp: &str) -> Result<String, ExpressionError> {
    let inner = timestamp
        .trim()
        .strip_prefix("at(")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(timestamp.trim());
    let text = format!("at({inner})");
    match parse_date_time(inner) {
        Some(_) if inner.len() == 19 => Ok(text),
        _ => Err(ExpressionError::At { expression: text }),
    }
}

/// The parts of `yyyy-mm-ddThh:mm:ss` at the start of `text`, when they form a real date and
/// time (a day up to 31 in any month).
pub(crate) fn parse_date_time(text: &str) -> Option<[u32; 6]> {
    let b = text.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let sep_ok = b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
    if !sep_ok {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let s = text.get(from..to)?;
        if s.chars().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let parts = [
        num(0, 4)?,
        num(5, 7)?,
        num(8, 10)?,
        num(11, 13)?,
        num(14, 16)?,
        num(17, 19)?,
    ];
    let [_, month, day, hour, minute, second] = parts;
    let ok = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 59;
    ok.then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_singular_for_one() {
        assert_eq!(
            rate_expression(1, RateUnit::Minutes).unwrap(),
            "rate(1 minute)"
        );
        assert_eq!(
            rate_expression(12, RateUnit::Hours).unwrap(),
            "rate(12 hours)"
        );
        assert_eq!(
            rate_expression(0, RateUnit::Days),
            Err(ExpressionError::ZeroRate {
                expression: "rate(0 days)".into()
            })
        );
        assert_eq!(
            rate_expression(0, RateUnit::Days).unwrap_err().to_string(),
            "rate(0 days): a rate is at least 1 (the shortest is rate(1 minute))"
        );
    }

    #[test]
    fn cron_needs_six_fields_and_one_question_mark() {
        assert_eq!(
            cron_expression("0 12 * * ? *").unwrap(),
            "cron(0 12 * * ? *)"
        );
        assert_eq!(
            cron_expression("cron(0/15 8-17 ? * MON-FRI *)").unwrap(),
            "cron(0/15 8-17 ? * MON-FRI *)"
        );
        assert!(matches!(
            cron_expression("0 12 * * *"),
            Err(ExpressionError::CronFields { count: 5, .. })
        ));
        assert!(cron_expression("0 12 * * * *")
            .unwrap_err()
            .to_string()
            .contains("either day-of-month or day-of-week"));
        assert!(matches!(
            cron_expression("0 12 ? * ? *"),
            Err(ExpressionError::CronDays { .. })
        ));
        assert_eq!(
            cron_expression("0 ? 1 * ? *"),
            Err(ExpressionError::CronCharacter {
                expression: "cron(0 ? 1 * ? *)".into(),
                field: "hours",
                value: "?".into(),
                character: '?',
            })
        );
    }

    #[test]
    fn at_is_a_plain_local_time_stamp() {
        assert_eq!(
            at_expression("2030-01-31T08:30:00").unwrap(),
            "at(2030-01-31T08:30:00)"
        );
        assert_eq!(
            at_expression("2030-13-01T00:00:00"),
            Err(ExpressionError::At {
                expression: "at(2030-13-01T00:00:00)".into()
            })
        );
        assert!(at_expression("2030-01-01T00:00:00Z").is_err());
        assert!(at_expression("2030-01-01 00:00:00").is_err());
    }
}
