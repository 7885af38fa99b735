//! TIMESTAMP (`docs/protocol.md`, "The client's side"): `EEE MMM d HH:mm:ss 'UTC' yyyy` in English
//! and UTC, the day of month not padded, e.g. `Sun Nov 1 02:22:00 UTC 2026`. Formatting is done
//! here from the civil calendar, with no locale, no clock and no allocator; only `Timestamp::now`
//! needs std.

use crate::{Error, encoding::AsciiBuf};
use core::fmt::{self, Write};

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// First and last instants that format as a four-digit year: 1970-01-01 and 9999-12-31 23:59:59.
const MIN_UNIX: i64 = 0;
const MAX_UNIX: i64 = 253_402_300_799;

/// A UTC instant, formatted as Cognito's `TIMESTAMP` challenge response wants it.
///
/// ```
/// use cognito_srp6a::Timestamp;
/// let t = Timestamp::from_unix_seconds(1_793_499_720).unwrap();
/// assert_eq!(t.as_str(), "Sun Nov 1 02:22:00 UTC 2026");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    unix_seconds: i64,
    text: AsciiBuf<32>,
}

impl Timestamp {
    /// The instant `unix_seconds` after 1970-01-01 00:00:00 UTC (leap seconds ignored, as Unix
    /// time does). Instants before 1970 or after the year 9999 are refused.
    pub fn from_unix_seconds(unix_seconds: i64) -> Result<Self, Error> {
        if !(MIN_UNIX..=MAX_UNIX).contains(&unix_seconds) {
            return Err(Error::IllegalValue {
                parameter: "TIMESTAMP",
            });
        }
        let days = unix_seconds.div_euclid(86_400);
        let secs = unix_seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        // 1970-01-01 was a Thursday.
        let weekday = (days + 4).rem_euclid(7) as usize;
        let mut text = AsciiBuf::new();
        write!(
            text,
            "{} {} {} {:02}:{:02}:{:02} UTC {}",
            WEEKDAYS.get(weekday).copied().unwrap_or("???"),
            MONTHS.get(month as usize - 1).copied().unwrap_or("???"),
            day,
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            year
        )
        .map_err(|_| Error::IllegalValue {
            parameter: "TIMESTAMP",
        })?;
        Ok(Self { unix_seconds, text })
    }

    /// Reads a `TIMESTAMP` strictly: exactly the text [`Timestamp::as_str`] would write for
    /// that instant, so the weekday must be the true one, the day unpadded, the time padded.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = Error::Malformed {
            parameter: "TIMESTAMP",
        };
        let mut fields = text.split(' ');
        let _weekday = fields.next().ok_or(bad)?;
        let month = fields.next().ok_or(bad)?;
        let day = fields.next().ok_or(bad)?;
        let time = fields.next().ok_or(bad)?;
        let _utc = fields.next().ok_or(bad)?;
        let year = fields.next().ok_or(bad)?;
        let month = MONTHS.iter().position(|m| *m == month).ok_or(bad)? as i64 + 1;
        let day = small_number(day).ok_or(bad)?;
        let mut hms = time.split(':');
        let hour = small_number(hms.next().ok_or(bad)?).ok_or(bad)?;
        let minute = small_number(hms.next().ok_or(bad)?).ok_or(bad)?;
        let second = small_number(hms.next().ok_or(bad)?).ok_or(bad)?;
        let year = small_number(year).ok_or(bad)?;
        if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 59 {
            return Err(bad);
        }
        let unix = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        let parsed = Self::from_unix_seconds(unix).map_err(|_| bad)?;
        // Formatting back catches every spelling that is not the canonical one: a false
        // weekday, Feb 30, a padded day, an unpadded hour, extra fields, another zone.
        if parsed.as_str() != text {
            return Err(bad);
        }
        Ok(parsed)
    }

    /// The current instant, from the system clock.
    #[cfg(feature = "std")]
    pub fn now() -> Result<Self, Error> {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| Error::IllegalValue {
                parameter: "TIMESTAMP",
            })?;
        Self::from_unix_seconds(i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
    }

    /// Seconds since 1970-01-01 00:00:00 UTC.
    pub const fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }

    /// The wire text, e.g. `Sun Nov 1 02:22:00 UTC 2026`.
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Timestamp").field(&self.as_str()).finish()
    }
}

/// A decimal number of at most four ASCII digits.
fn small_number(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.bytes()
        .try_fold(0i64, |acc, b| Some(acc * 10 + i64::from(b - b'0')))
}

/// (year, month 1-12, day 1-31) to days since 1970-01-01 (Howard Hinnant's
/// `days_from_civil`); the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_cognito() {
        let cases = [
            (0, "Thu Jan 1 00:00:00 UTC 1970"),
            (1_793_499_720, "Sun Nov 1 02:22:00 UTC 2026"),
            (951_782_400, "Tue Feb 29 00:00:00 UTC 2000"),
            (1_704_067_199, "Sun Dec 31 23:59:59 UTC 2023"),
            (1_704_067_200, "Mon Jan 1 00:00:00 UTC 2024"),
            (1_709_251_199, "Thu Feb 29 23:59:59 UTC 2024"),
            (1_718_371_845, "Fri Jun 14 13:30:45 UTC 2024"),
            (4_102_444_800, "Fri Jan 1 00:00:00 UTC 2100"),
            (MAX_UNIX, "Fri Dec 31 23:59:59 UTC 9999"),
        ];
        for (secs, want) in cases {
            assert_eq!(Timestamp::from_unix_seconds(secs).unwrap().as_str(), want);
            assert_eq!(Timestamp::parse(want).unwrap().unix_seconds(), secs);
        }
    }

    #[test]
    fn parse_is_strict() {
        for bad in [
            "",
            "Mon Nov 1 02:22:00 UTC 2026",
            "Sun Nov 01 02:22:00 UTC 2026",
            "Sun Nov 1 2:22:00 UTC 2026",
            "Sun Nov  1 02:22:00 UTC 2026",
            "Sun Nov 1 02:22:00 GMT 2026",
            "Sun Nov 1 02:22:00 UTC 2026 ",
            "sun nov 1 02:22:00 utc 2026",
            "Sun Nov 1 24:00:00 UTC 2026",
            "Sun Nov 1 02:60:00 UTC 2026",
            "Sun Nov 1 02:22:60 UTC 2026",
            "Sun Nov 1 02:22 UTC 2026",
            "Sun Nov 1 02:22:00:00 UTC 2026",
            "Mon Feb 30 00:00:00 UTC 2026",
            "Sun Nov 1 02:22:00 UTC +2026",
            "Sun Nov 1 02:22:00 UTC 12026",
            "Sun Nov 1 02:22:00 UTC 2026 extra",
        ] {
            assert_eq!(
                Timestamp::parse(bad),
                Err(Error::Malformed {
                    parameter: "TIMESTAMP"
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn civil_round_trips() {
        for days in (0..2_932_896).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn refuses_out_of_range() {
        for secs in [-1, MAX_UNIX + 1, i64::MIN, i64::MAX] {
            assert_eq!(
                Timestamp::from_unix_seconds(secs),
                Err(Error::IllegalValue {
                    parameter: "TIMESTAMP"
                })
            );
        }
    }
}
