//! What an event's particulars, capacity, programme and materials may be.
//! Errors name the input field at fault.

use std::collections::HashSet;

use alumni_core::{AppError, AppResult};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::model::{EventFields, EventFormat, EventId, SpeakerId, SpeakerRecord, SpeakerSlot};

/// The zone events are announced in unless another is given.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Tokyo";
/// Longest title of an event or material.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest event description.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Largest capacity accepted.
pub const MAX_CAPACITY: i32 = 100_000;
/// Most speakers on one programme.
pub const MAX_SPEAKERS: usize = 20;

/// When registration opens unless the secretariat says otherwise: at once,
/// or at the start for an event entered after it began.
pub fn default_registration_opens(now: DateTime<Utc>, starts_at: DateTime<Utc>) -> DateTime<Utc> {
    now.min(starts_at)
}

/// Checks and normalises an event's particulars: trimmed title and venue,
/// a normalised join URL, and neither a join URL for in-person events nor
/// a venue for online ones.
pub fn validate_fields(mut fields: EventFields) -> AppResult<EventFields> {
    fields.title = validate_title(&fields.title, "input.title")?;
    if fields.description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(AppError::bad_input(
            "input.description",
            format!("at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    if fields.ends_at <= fields.starts_at {
        return Err(AppError::bad_input(
            "input.endsAt",
            "must be after the start",
        ));
    }
    if fields.time_zone.parse::<Tz>().is_err() {
        return Err(AppError::bad_input(
            "input.timeZone",
            "not an IANA time zone name such as Asia/Tokyo",
        ));
    }
    fields.venue = fields
        .venue
        .map(|venue| venue.trim().to_owned())
        .filter(|venue| !venue.is_empty());
    fields.join_url = fields
        .join_url
        .map(|url| validate_url(&url, "input.joinUrl"))
        .transpose()?;
    match fields.format {
        EventFormat::InPerson => fields.join_url = None,
        EventFormat::Online => fields.venue = None,
        EventFormat::Hybrid => {}
    }
    if fields.format != EventFormat::Online && fields.venue.is_none() {
        return Err(AppError::bad_input(
            "input.venue",
            "in-person and hybrid events need a venue",
        ));
    }
    if fields.format != EventFormat::InPerson && fields.join_url.is_none() {
        return Err(AppError::bad_input(
            "input.joinUrl",
            "online and hybrid events need a join URL",
        ));
    }
    if fields.registration_closes_at <= fields.registration_opens_at {
        return Err(AppError::bad_input(
            "input.registrationClosesAt",
            "must be after registration opens",
        ));
    }
    if fields.registration_closes_at > fields.ends_at {
        return Err(AppError::bad_input(
            "input.registrationClosesAt",
            "must not be after the event ends",
        ));
    }
    Ok(fields)
}

/// A title of an event, material or guest speaker, trimmed.
pub fn validate_title(title: &str, field: &str) -> AppResult<String> {
    let title = title.trim();
    let length = title.chars().count();
    if length == 0 || length > MAX_TITLE_CHARS {
        return Err(AppError::bad_input(
            field,
            format!("between 1 and {MAX_TITLE_CHARS} characters"),
        ));
    }
    Ok(title.to_owned())
}

/// A web link (http or https, with a host), normalised. Anything else
/// could run script when a member clicks it.
pub fn validate_url(raw: &str, field: &str) -> AppResult<String> {
    match url::Url::parse(raw.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(url.to_string())
        }
        _ => Err(AppError::bad_input(field, "not an http(s) URL")),
    }
}

/// Seats in all: none to [`MAX_CAPACITY`], or `None` for no limit.
pub fn validate_capacity(capacity: Option<i32>) -> AppResult<()> {
    match capacity {
        Some(capacity) if !(0..=MAX_CAPACITY).contains(&capacity) => Err(AppError::bad_input(
            "capacity",
            format!("between 0 and {MAX_CAPACITY}, or null for no limit"),
        )),
        _ => Ok(()),
    }
}

/// The programme as stored, in the order given: at most [`MAX_SPEAKERS`],
/// each member once, guests named, affiliations trimmed and short.
pub fn speaker_records(
    event_id: EventId,
    slots: Vec<SpeakerSlot>,
) -> AppResult<Vec<SpeakerRecord>> {
    if slots.len() > MAX_SPEAKERS {
        return Err(AppError::bad_input(
            "input.speakers",
            format!("at most {MAX_SPEAKERS} speakers"),
        ));
    }
    let mut seen = HashSet::new();
    slots
        .into_iter()
        .zip(1..)
        .map(|(slot, position)| {
            let (member_id, guest_name, affiliation) = match slot {
                SpeakerSlot::Member {
                    member_id,
                    affiliation,
                } => {
                    if !seen.insert(member_id) {
                        return Err(AppError::bad_input(
                            "input.speakers",
                            "a member is listed twice",
                        ));
                    }
                    (Some(member_id), None, affiliation)
                }
                SpeakerSlot::Guest { name, affiliation } => {
                    let name = validate_title(&name, "input.speakers")?;
                    (None, Some(name), affiliation)
                }
            };
            let affiliation = affiliation
                .map(|text| text.trim().to_owned())
                .filter(|text| !text.is_empty());
            if affiliation
                .as_ref()
                .is_some_and(|text| text.chars().count() > MAX_TITLE_CHARS)
            {
                return Err(AppError::bad_input(
                    "input.speakers",
                    format!("affiliations have at most {MAX_TITLE_CHARS} characters"),
                ));
            }
            Ok(SpeakerRecord {
                id: SpeakerId::new(),
                event_id,
                position,
                member_id,
                guest_name,
                affiliation,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use alumni_core::MemberId;
    use chrono::Duration;

    use super::*;
    use crate::rules::sample;

    fn field_at_fault(fields: EventFields) -> Option<String> {
        validate_fields(fields)
            .err()
            .and_then(|error| error.field().map(str::to_owned))
    }

    #[test]
    fn particulars_are_trimmed_and_fitted_to_the_format() {
        let fields = EventFields {
            title: "  勉強会 ".into(),
            venue: Some(" 本社 ".into()),
            format: EventFormat::InPerson,
            ..sample::fields()
        };
        let fields = validate_fields(fields).unwrap();
        assert_eq!(fields.title, "勉強会");
        assert_eq!(fields.venue.as_deref(), Some("本社"));
        assert_eq!(fields.join_url, None);

        let online = EventFields {
            format: EventFormat::Online,
            ..sample::fields()
        };
        assert_eq!(validate_fields(online).unwrap().venue, None);
    }

    #[test]
    fn particulars_name_the_field_at_fault() {
        let base = sample::fields();
        let cases = [
            (
                EventFields {
                    title: " ".into(),
                    ..base.clone()
                },
                "input.title",
            ),
            (
                EventFields {
                    ends_at: base.starts_at,
                    ..base.clone()
                },
                "input.endsAt",
            ),
            (
                EventFields {
                    time_zone: "Tokyo".into(),
                    ..base.clone()
                },
                "input.timeZone",
            ),
            (
                EventFields {
                    venue: Some("  ".into()),
                    ..base.clone()
                },
                "input.venue",
            ),
            (
                EventFields {
                    join_url: None,
                    ..base.clone()
                },
                "input.joinUrl",
            ),
            (
                EventFields {
                    registration_closes_at: base.registration_opens_at,
                    ..base.clone()
                },
                "input.registrationClosesAt",
            ),
            (
                EventFields {
                    registration_closes_at: base.ends_at + Duration::minutes(1),
                    ..base.clone()
                },
                "input.registrationClosesAt",
            ),
        ];
        for (fields, field) in cases {
            assert_eq!(field_at_fault(fields).as_deref(), Some(field));
        }
    }

    #[test]
    fn registration_opens_now_unless_the_event_has_begun() {
        let now = sample::now();
        assert_eq!(
            default_registration_opens(now, now + Duration::days(1)),
            now
        );
        let started = now - Duration::hours(1);
        assert_eq!(default_registration_opens(now, started), started);
    }

    #[test]
    fn urls_must_be_web_links() {
        assert!(validate_url("https://meet.example/abc", "f").is_ok());
        for bad in ["javascript:alert(1)", "ftp://x.example", "not a url", ""] {
            assert_eq!(validate_url(bad, "f").unwrap_err().code(), "BAD_USER_INPUT");
        }
    }

    #[test]
    fn capacity_is_bounded_or_unlimited() {
        assert!(validate_capacity(None).is_ok());
        assert!(validate_capacity(Some(0)).is_ok());
        assert!(validate_capacity(Some(MAX_CAPACITY)).is_ok());
        assert!(validate_capacity(Some(-1)).is_err());
        assert!(validate_capacity(Some(MAX_CAPACITY + 1)).is_err());
    }

    #[test]
    fn programmes_keep_their_order_and_list_each_member_once() {
        let event_id = EventId::new();
        let member_id = MemberId::new();
        let member = || SpeakerSlot::Member {
            member_id,
            affiliation: Some("  ".into()),
        };
        let guest = SpeakerSlot::Guest {
            name: " 山田 太郎 ".into(),
            affiliation: Some(" ゲスト ".into()),
        };
        let records = speaker_records(event_id, vec![member(), guest]).unwrap();
        assert_eq!(records[0].position, 1);
        assert_eq!(records[0].affiliation, None);
        assert_eq!(records[1].guest_name.as_deref(), Some("山田 太郎"));
        assert_eq!(records[1].affiliation.as_deref(), Some("ゲスト"));

        assert!(speaker_records(event_id, vec![member(), member()]).is_err());
        let crowd = (0..=MAX_SPEAKERS)
            .map(|_| SpeakerSlot::Member {
                member_id: MemberId::new(),
                affiliation: None,
            })
            .collect();
        assert!(speaker_records(event_id, crowd).is_err());
    }
}
