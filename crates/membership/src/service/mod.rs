//! The membership domain's rules. Every public function that acts for a
//! client takes the [`Viewer`](alumni_core::Viewer) and decides from it;
//! functions documented as "for trusted callers" serve the command line,
//! demo data and tests.

mod accounts;
mod address;
mod applications;
mod audit;
mod companies;
pub mod contact;
mod directory;
mod export;
mod lifecycle;
mod mail;
mod profiles;
mod roster;
mod tags;
mod terms;

use std::sync::Arc;

use alumni_core::{AppError, ServiceContext};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use accounts::AbuseGuards;
pub use accounts::{
    AccountSettings, DEFAULT_SESSION_TTL_HOURS, IssuedSession, NewAccount, PersonName, TOKEN_PREFIX,
};
pub use applications::{
    ApplicationInput, ApplicationReceipt, CandidateSignal, INVITATION_DEFAULT_DAYS,
    IssuedInvitation, RosterCandidate,
};
pub use companies::CompanyInput;
pub use directory::{DirectoryPage, MemberSearch};
pub use mail::{MailRecipient, NewsletterReader};
pub use profiles::{ProfileUpdate, SkillsByMember};
pub use roster::{RosterImportReport, RosterLineError, RosterRejected};
pub use tags::{MergingTags, SLUG_TAKEN, TagMerge};
pub use terms::TermsInput;

/// The membership domain's services.
#[derive(Clone)]
pub struct MembershipService {
    ctx: ServiceContext,
    settings: AccountSettings,
    guards: Arc<AbuseGuards>,
}

impl MembershipService {
    /// Services over a database and clock.
    pub fn new(ctx: ServiceContext, settings: AccountSettings) -> Self {
        let guards = Arc::new(AbuseGuards::new(&settings));
        Self {
            ctx,
            settings,
            guards,
        }
    }

    /// The shared service context.
    pub fn context(&self) -> &ServiceContext {
        &self.ctx
    }

    /// Today's date in Japan, where the network lives: leave dates and
    /// similar calendar facts are judged by it.
    fn today(&self) -> NaiveDate {
        japan_date(self.ctx.now())
    }
}

/// Japan's offset from UTC; Japan keeps no daylight saving time.
const JAPAN_UTC_OFFSET_SECONDS: i32 = 9 * 3600;

/// The calendar date in Japan at `instant`.
pub fn japan_date(instant: DateTime<Utc>) -> NaiveDate {
    FixedOffset::east_opt(JAPAN_UTC_OFFSET_SECONDS).map_or_else(
        || instant.date_naive(),
        |japan| instant.with_timezone(&japan).date_naive(),
    )
}

/// Maps a unique-constraint violation on one of `constraints` to
/// `CONFLICT` with its message; other errors pass through.
pub(crate) fn conflict_on(error: DieselError, constraints: &[(&str, &str)]) -> AppError {
    if let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &error
        && let Some(name) = info.constraint_name()
        && let Some((_, message)) = constraints
            .iter()
            .find(|(constraint, _)| *constraint == name)
    {
        return AppError::conflict(*message);
    }
    error.into()
}

/// Trims `value` and checks its length in characters; `field` names the
/// argument for the error.
pub(crate) fn text_field(
    value: &str,
    field: &str,
    required: bool,
    max_chars: usize,
) -> Result<String, AppError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if value.chars().count() > max_chars {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Checks a kana reading: hiragana, katakana, the long-vowel mark and
/// spaces only.
pub(crate) fn kana_field(value: &str, field: &str) -> Result<String, AppError> {
    let value = text_field(value, field, true, 100)?;
    let is_kana = value.chars().all(|c| {
        matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー' | '・' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ')
            || c.is_whitespace()
    });
    if is_kana {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            "must be written in kana (hiragana or katakana)",
        ))
    }
}

/// Checks a list of short texts (such as former surnames): at most
/// `max_items`, each at most `max_chars`; blanks and repeats are dropped.
pub(crate) fn list_field(
    values: &[String],
    field: &str,
    max_items: usize,
    max_chars: usize,
) -> Result<Vec<String>, AppError> {
    let values = crate::model::clean_list(values);
    if values.len() > max_items {
        return Err(AppError::bad_input(
            field,
            format!("at most {max_items} entries"),
        ));
    }
    if values.iter().any(|value| value.chars().count() > max_chars) {
        return Err(AppError::bad_input(
            field,
            format!("each entry must be at most {max_chars} characters"),
        ));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japan_date_is_nine_hours_ahead() {
        let late_evening_utc = DateTime::parse_from_rfc3339("2026-03-31T16:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            japan_date(late_evening_utc),
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
        );
    }

    #[test]
    fn kana_readings_are_checked() {
        assert_eq!(
            kana_field(" さとう はなこ ", "kana").unwrap(),
            "さとう はなこ"
        );
        assert!(kana_field("サトウ・ハナコ", "kana").is_ok());
        assert_eq!(
            kana_field("佐藤", "kana").unwrap_err().field(),
            Some("kana")
        );
        assert!(kana_field("sato", "kana").is_err());
        assert!(kana_field("  ", "kana").is_err());
    }

    #[test]
    fn lists_are_cleaned_and_bounded() {
        let names = vec![
            " 山田 ".to_owned(),
            "".to_owned(),
            "山田".to_owned(),
            "鈴木".to_owned(),
        ];
        assert_eq!(
            list_field(&names, "formerSurnames", 5, 10).unwrap(),
            ["山田", "鈴木"]
        );
        assert!(list_field(&names, "formerSurnames", 1, 10).is_err());
        assert!(list_field(&["長".repeat(11)], "formerSurnames", 5, 10).is_err());
    }
}
