//! Time: executions run on a virtual clock (a Wait or a retry interval moves it, nothing
//! sleeps), unless the run asks for real time. Timestamps are ISO 8601 as Step Functions
//! writes them: `2025-01-01T00:00:00Z`, `2025-01-01T00:00:00.250Z`.

use chrono::{DateTime, SecondsFormat, Utc};

/// A point in time, UTC, to the millisecond.
pub type Instant = DateTime<Utc>;

/// The time now, to the millisecond.
pub fn now() -> Instant {
    let t = Utc::now();
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// The instant `ms` milliseconds after the epoch.
pub fn from_millis(ms: i64) -> Instant {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Step Functions' form of a timestamp: `2025-01-01T00:00:00.250Z`, and without a fraction
/// when it is zero (`2025-01-01T00:00:00Z`): AWS removes zero fractional seconds rather than
/// pad them (the context object's page of the developer guide).
pub fn format(t: Instant) -> String {
    if t.timestamp_subsec_millis() == 0 {
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    } else {
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

/// Parses an RFC 3339 timestamp with an uppercase `T` (as the States Language requires);
/// `None` for anything else.
pub fn parse(s: &str) -> Option<Instant> {
    if s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `t` moved on by `seconds` (to the millisecond).
pub fn after(t: Instant, seconds: f64) -> Instant {
    let millis = (seconds * 1000.0).round();
    // a wait longer than chrono can represent ends at its end of time
    if !millis.is_finite() || millis >= i64::MAX as f64 {
        return DateTime::<Utc>::MAX_UTC;
    }
    t.checked_add_signed(chrono::TimeDelta::milliseconds(millis as i64))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Seconds from `a` to `b` (negative when `b` is earlier).
pub fn seconds_between(a: Instant, b: Instant) -> f64 {
    (b - a).num_milliseconds() as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_in_step_functions_form() {
        let t = parse("2016-03-14T01:59:00Z").unwrap();
        assert_eq!(format(t), "2016-03-14T01:59:00Z");
        assert_eq!(format(after(t, 1.5)), "2016-03-14T01:59:01.500Z");
        assert_eq!(parse("2016-03-14t01:59:00Z"), None);
        assert_eq!(parse("2016-03-14"), None);
        let offset = parse("2016-03-14T03:59:00+02:00").unwrap();
        assert_eq!(offset, t);
        assert_eq!(seconds_between(t, after(t, 30.0)), 30.0);
    }
}
