//! Moments as people on call give them: `15 minutes ago`, `2 weeks ago`, `14:03` (today,
//! local time), `2026-03-01` (its start, local time), or an RFC 3339 time
//! (`2026-03-05T14:03:00Z`). Never in the future.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::error::{CommandError, Result};

/// Parse `text` as a past moment relative to `now`, for the flag `flag` (named in errors).
pub fn parse(flag: &str, text: &str, now: Timestamp) -> Result<Timestamp> {
    let text = text.trim();
    let at = moment(text, now, &TimeZone::system()).ok_or_else(|| {
        CommandError::usage(format!("{flag} `{text}` is not a time"))
            .hint("give `15 minutes ago`, `2 days ago`, `14:03` (today), `2026-03-01` or `2026-03-05T14:03:00Z`")
    })?;
    // A minute of slack for clocks that disagree a little.
    if at > now + SignedDuration::from_mins(1) {
        return Err(
            CommandError::usage(format!("{flag} `{text}` is in the future"))
                .hint("times given here are moments that already happened"),
        );
    }
    Ok(at)
}

fn moment(text: &str, now: Timestamp, zone: &TimeZone) -> Option<Timestamp> {
    if text == "now" {
        return Some(now);
    }
    if let Some(span) = text.strip_suffix("ago") {
        // Days and weeks count 24 hours each: `2 days ago` is 48 hours back.
        let span: jiff::Span = span.trim().parse().ok()?;
        let span = span
            .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
            .ok()?;
        return now.checked_sub(span.abs()).ok();
    }
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return date.to_zoned(zone.clone()).ok().map(|z| z.timestamp());
    }
    let time: jiff::civil::Time = text.parse().ok()?;
    now.to_zoned(zone.clone())
        .with()
        .time(time)
        .build()
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-03-05T14:23:00Z".parse().unwrap()
    }

    #[test]
    fn relative_absolute_and_clock_times() {
        let utc = TimeZone::UTC;
        let at = |text| moment(text, now(), &utc).map(|t| t.to_string());
        assert_eq!(at("15 minutes ago").unwrap(), "2026-03-05T14:08:00Z");
        assert_eq!(at("1h30m ago").unwrap(), "2026-03-05T12:53:00Z");
        assert_eq!(at("2 hours ago").unwrap(), "2026-03-05T12:23:00Z");
        assert_eq!(
            at("2026-03-05T13:00:00+01:00").unwrap(),
            "2026-03-05T12:00:00Z"
        );
        assert_eq!(at("14:03").unwrap(), "2026-03-05T14:03:00Z");
        assert_eq!(at("now").unwrap(), "2026-03-05T14:23:00Z");
        assert_eq!(at("2 days ago").unwrap(), "2026-03-03T14:23:00Z");
        assert_eq!(at("2026-03-01").unwrap(), "2026-03-01T00:00:00Z");
        assert_eq!(at("yesterday-ish"), None);
    }

    #[test]
    fn the_future_is_refused() {
        assert!(parse("--at", "2026-03-05T15:00:00Z", now()).is_err());
        assert!(parse("--at", "10 minutes ago", now()).is_ok());
    }
}
