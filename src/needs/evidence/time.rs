//! Timestamps as the AWS CLI prints them: ISO 8601 (`2024-09-29T22:10:00+00:00` from CLI v2,
//! `2014-02-19T00:18:00Z` from old CLI v1, with or without fractional seconds, any UTC offset)
//! or epoch seconds (`1727647800.0`, CLI v1's `wire` format over the JSON protocol). Seconds
//! since 1970-01-01 UTC, without a date-time dependency.

use crate::date::Date;

/// Seconds since 1970-01-01T00:00:00Z.
pub type EpochSeconds = i64;

/// The first second of year 10000: later timestamps are not CloudWatch's (an epoch in
/// milliseconds would land there).
const MAX_EPOCH: f64 = 253_402_300_800.0;

/// Epoch seconds from a JSON number; fractions of a second are dropped (CloudWatch periods are
/// whole minutes).
pub fn from_number(n: f64) -> Option<EpochSeconds> {
    (n.is_finite() && (0.0..MAX_EPOCH).contains(&n)).then(|| n.floor() as EpochSeconds)
}

/// Epoch seconds from `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM|±HHMM|±HH]` (a space for the
/// `T` too; no zone means UTC, as botocore prints it).
pub fn parse_iso(s: &str) -> Option<EpochSeconds> {
    let b = s.as_bytes();
    let date = Date::parse(s.get(..10)?)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let two = |at: usize| -> Option<i64> {
        let d = b.get(at..at + 2)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| i64::from(d[0] - b'0') * 10 + i64::from(d[1] - b'0'))
    };
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = s.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest.as_bytes() {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let digits = |d: &[u8]| -> Option<i64> {
                match d {
                    [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
                        Some(i64::from(a - b'0') * 10 + i64::from(b - b'0'))
                    }
                    _ => None,
                }
            };
            let (h, m) = match zone {
                [h0, h1] => (digits(&[*h0, *h1])?, 0),
                [h0, h1, b':', m0, m1] | [h0, h1, m0, m1] => (digits(&[*h0, *h1])?, digits(&[*m0, *m1])?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    let seconds = date.days_since_epoch() * 86_400 + hour * 3600 + minute * 60 + second - offset;
    (seconds >= 0).then_some(seconds)
}

/// `2026-10-15T00:00:00Z`, as kpulint writes query times.
pub fn format_iso(t: EpochSeconds) -> String {
    let date = Date::from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

/// `2026-10-15 14:00 UTC`, as messages show a time.
pub fn format_human(t: EpochSeconds) -> String {
    let date = Date::from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!("{date} {:02}:{:02} UTC", s / 3600, s % 3600 / 60)
}

/// Midnight UTC at the start of `date`.
pub fn midnight(date: Date) -> EpochSeconds {
    date.days_since_epoch() * 86_400
}

/// Now: midnight of `KPULINT_TODAY` when it is set (reproducible runs), else the clock.
pub fn now() -> EpochSeconds {
    if let Some(d) = std::env::var("KPULINT_TODAY").ok().and_then(|s| Date::parse(&s)) {
        return midnight(d);
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as EpochSeconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cli_form_reads_as_the_same_second() {
        let t = 1_727_647_800; // 2024-09-29T22:10:00Z
        for s in [
            "2024-09-29T22:10:00+00:00",
            "2024-09-29T22:10:00Z",
            "2024-09-29T22:10:00.000Z",
            "2024-09-29T22:10:00.123456+00:00",
            "2024-09-30T00:10:00+02:00",
            "2024-09-30T00:10:00+0200",
            "2024-09-29T20:10:00-02:00",
            "2024-09-29 22:10:00",
            "2024-09-29T22:10:00",
        ] {
            assert_eq!(parse_iso(s), Some(t), "{s}");
        }
        assert_eq!(from_number(1_727_647_800.0), Some(t));
        assert_eq!(from_number(1_727_647_800.5), Some(t));
        assert_eq!(format_iso(t), "2024-09-29T22:10:00Z");
        assert_eq!(parse_iso(&format_iso(t)), Some(t));
        assert_eq!(format_human(t), "2024-09-29 22:10 UTC");
    }

    #[test]
    fn malformed_times_are_refused() {
        for s in [
            "",
            "2024-09-29",
            "2024-09-29T22:10",
            "2024-09-29T25:10:00Z",
            "2024-02-30T22:10:00Z",
            "2024-09-29T22:10:00.Z",
            "2024-09-29T22:10:00+2:00",
            "2024-09-29T22:10:00 UTC",
            "2024-09-29T22:10:00+24:00",
            "1969-12-31T23:59:59Z",
            "ٱ024-09-29T22:10:00Z",
            "2024-09-29T22:1é:00Z",
        ] {
            assert_eq!(parse_iso(s), None, "{s}");
        }
        assert_eq!(from_number(f64::NAN), None);
        assert_eq!(from_number(-1.0), None);
        assert_eq!(from_number(1_727_647_800_000.0), None);
    }
}
