//! The attendee list as CSV for the secretariat, written by core's
//! [`CsvWriter`] (UTF-8 with a byte-order mark for Excel, no cell a
//! formula: names are chosen by members).
//!
//! Columns are a table of header and value function: a column is one more
//! line.

use alumni_core::AppError;
use alumni_core::csv::CsvWriter;
use alumni_membership::MemberView;
use alumni_membership::visibility::ProfileView;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::model::RegistrationRecord;

/// One line of the export.
pub struct AttendeeRow<'a> {
    /// The registration.
    pub registration: &'a RegistrationRecord,
    /// The member as the exporting secretariat sees them.
    pub member: Option<&'a MemberView>,
    /// Whether the event is over (decides attended / no-show).
    pub event_ended: bool,
    /// The event's zone, which times are written in.
    pub time_zone: Tz,
}

type Column = (&'static str, fn(&AttendeeRow<'_>) -> String);

const COLUMNS: &[Column] = &[
    ("member_id", |row| row.registration.member_id.to_string()),
    ("name", |row| {
        profile_field(row, |profile| profile.display_name.clone())
    }),
    ("name_kana", |row| {
        profile_field(row, |profile| profile.display_name_kana.clone())
    }),
    ("email", |row| {
        row.member
            .and_then(|member| member.email().map(str::to_owned))
            .unwrap_or_default()
    }),
    ("status", |row| row.registration.status.as_str().to_owned()),
    ("waitlist_position", |row| {
        row.registration
            .waitlist_position
            .map(|position| position.to_string())
            .unwrap_or_default()
    }),
    ("registered_at", |row| {
        local_time(Some(row.registration.registered_at), row.time_zone)
    }),
    ("checked_in_at", |row| {
        local_time(row.registration.checked_in_at, row.time_zone)
    }),
    ("attendance", |row| {
        row.registration
            .attendance(row.event_ended)
            .map(|attendance| attendance.as_str().to_owned())
            .unwrap_or_default()
    }),
];

fn profile_field(row: &AttendeeRow<'_>, field: fn(&ProfileView) -> String) -> String {
    row.member
        .and_then(MemberView::profile)
        .map(field)
        .unwrap_or_default()
}

fn local_time(at: Option<DateTime<Utc>>, zone: Tz) -> String {
    at.map(|at| {
        at.with_timezone(&zone)
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string()
    })
    .unwrap_or_default()
}

/// Writes the header and `rows` as CSV.
pub fn write<'a>(rows: impl IntoIterator<Item = AttendeeRow<'a>>) -> Result<Vec<u8>, AppError> {
    let mut writer = CsvWriter::new();
    writer.write_row(COLUMNS.iter().map(|(header, _)| *header))?;
    for row in rows {
        writer.write_row(COLUMNS.iter().map(|(_, value)| value(&row)))?;
    }
    writer.finish()
}
