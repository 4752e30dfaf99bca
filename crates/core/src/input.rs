//! What the database can store of a client's input.
//!
//! PostgreSQL refuses text containing NUL characters, and dates and
//! timestamps outside its range, with an error that would otherwise reach
//! the client as `INTERNAL`. Both are the client's mistake, so they are
//! refused as `BAD_USER_INPUT` before any query runs: by the gateway for
//! every GraphQL argument, and by [`crate::pagination`] for cursors.
//!
//! Dates are accepted from year 1 to year 9999: the range RFC 3339 and
//! ISO 8601 (without expanded years) can write, well inside PostgreSQL's
//! (4713 BC to 5874897 AD for `date`, to 294276 AD for `timestamptz`).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The earliest year a date or timestamp may have.
pub const EARLIEST_YEAR: i32 = 1;
/// The latest year a date or timestamp may have.
pub const LATEST_YEAR: i32 = 9999;

/// Text PostgreSQL can store: anything without NUL characters.
pub fn check_text(text: &str) -> Result<(), String> {
    if text.contains('\0') {
        Err("must not contain NUL characters".to_owned())
    } else {
        Ok(())
    }
}

/// A date in the accepted range.
pub fn check_date(date: NaiveDate) -> Result<(), String> {
    check_year(date.year())
}

/// A timestamp in the accepted range (its year in UTC).
pub fn check_timestamp(at: &DateTime<Utc>) -> Result<(), String> {
    check_year(at.year())
}

fn check_year(year: i32) -> Result<(), String> {
    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(format!(
            "must be a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_nul_is_refused() {
        assert!(check_text("a\0b").is_err());
        assert!(check_text("佐藤 花子").is_ok());
        assert!(check_text("").is_ok());
    }

    #[test]
    fn dates_outside_years_1_to_9999_are_refused() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(check_date(date(1, 1, 1)).is_ok());
        assert!(check_date(date(9999, 12, 31)).is_ok());
        assert!(check_date(date(0, 12, 31)).is_err());
        assert!(check_date(date(-200_000, 1, 1)).is_err());
        assert!(check_date(date(10_000, 1, 1)).is_err());
    }

    #[test]
    fn timestamps_are_judged_in_utc() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        assert!(check_timestamp(&at("0001-01-01T00:00:00Z")).is_ok());
        assert!(check_timestamp(&at("0001-01-01T00:30:00+01:00")).is_err());
        assert!(check_timestamp(&at("9999-12-31T23:59:59Z")).is_ok());
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1)
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .unwrap()
            .and_utc();
        assert!(check_timestamp(&far).is_err());
    }
}
