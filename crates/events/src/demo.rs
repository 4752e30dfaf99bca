//! Demo events for `alumni seed --demo`: a year of past ones and the next
//! three months', of every kind and format, with registrations,
//! waitlists, check-ins and materials. Members register on their visits while
//! registration is open (see `alumni_membership::demo::presence`): the
//! regulars often, the others seldom, so an event draws a few dozen.
//!
//! Everything goes through the services and their rules. For events in the
//! past a manual clock is set to the moments things would have happened
//! (registration, the day of the event), so the data looks like a real
//! history, audit entries included.

use std::sync::Arc;

use alumni_core::clock::ManualClock;
use alumni_core::domain::demo_viewer;
use alumni_core::{AppResult, MemberId, Role, RoleSet, Viewer};
use alumni_membership::demo::DemoMembers;
use chrono::{DateTime, Duration, DurationRound as _, Utc};

use crate::model::{
    Audience, Confidentiality, EventFields, EventFormat, EventKind, MaterialKind, SpeakerSlot,
};
use crate::rules::DEFAULT_TIME_ZONE;
use crate::service::{EventsService, NewEvent, NewMaterial};

/// How many demo events: one a fortnight for a year, and three months
/// ahead.
const EVENT_COUNT: i64 = 32;
/// Of them, those already held (or called off).
const PAST_EVENT_COUNT: i64 = 26;
/// Days between demo events.
const SPACING_DAYS: i64 = 14;
/// A registrant seen on the network this many days before an event, or
/// later, still goes to events; one not seen for longer has drifted away.
const STILL_AROUND_DAYS: i64 = 30;

struct Programme {
    kind: EventKind,
    format: EventFormat,
    audience: Audience,
    title: &'static str,
    description: &'static str,
}

/// The chance that a member who comes by while registration is open
/// registers on that visit: hands-on and social events draw more.
fn pull(kind: EventKind) -> f64 {
    match kind {
        EventKind::Workshop => 0.15,
        EventKind::Meetup | EventKind::StudySession => 0.12,
        EventKind::AlumniTalk => 0.1,
        _ => 0.08,
    }
}

const PROGRAMMES: [Programme; 10] = [
    Programme {
        kind: EventKind::AlumniTalk,
        format: EventFormat::Hybrid,
        audience: Audience::Everyone,
        title: "アルムナイ・トーク: SIer からクラウドネイティブの現場へ",
        description: "退職後にクラウドネイティブなスタートアップへ移った先輩が、**転身して気づいたこと**を話します。\n\n質疑応答の時間もあります。",
    },
    Programme {
        kind: EventKind::Meetup,
        format: EventFormat::InPerson,
        audience: Audience::Everyone,
        title: "アルムナイ交流会 (東京)",
        description: "事務局主催の交流会です。部署や世代を越えて、気軽にお話ししましょう。軽食をご用意します。",
    },
    Programme {
        kind: EventKind::StudySession,
        format: EventFormat::Online,
        audience: Audience::Everyone,
        title: "Kubernetes 運用勉強会",
        description: "社内の Kubernetes 勉強会をアルムナイにも公開します。今回は監視とアラート設計がテーマです。",
    },
    Programme {
        kind: EventKind::Seminar,
        format: EventFormat::Online,
        audience: Audience::Alumni,
        title: "キャリアセミナー: 副業と複業のはじめ方",
        description: "アルムナイ向けのセミナーです。契約・税務の基本と、会社との協業の窓口をご紹介します。",
    },
    Programme {
        kind: EventKind::Workshop,
        format: EventFormat::InPerson,
        audience: Audience::Employees,
        title: "設計レビュー ワークショップ",
        description: "現役社員向けのハンズオンです。アルムナイ講師と一緒に、実際の設計書をレビューします。",
    },
    Programme {
        kind: EventKind::AlumniTalk,
        format: EventFormat::Online,
        audience: Audience::Employees,
        title: "アルムナイ・トーク: 外から見た私たちの強み",
        description: "他社で経験を積んだアルムナイから、現役社員へのメッセージ。",
    },
    Programme {
        kind: EventKind::StudySession,
        format: EventFormat::Hybrid,
        audience: Audience::Everyone,
        title: "Rust 入門勉強会",
        description: "所有権と借用から始める Rust 勉強会。ノート PC をお持ちください。",
    },
    Programme {
        kind: EventKind::Meetup,
        format: EventFormat::Hybrid,
        audience: Audience::Alumni,
        title: "関西アルムナイ ミートアップ",
        description: "旧関西事業部のメンバーを中心にしたミートアップです。オンライン参加も歓迎します。",
    },
    Programme {
        kind: EventKind::Seminar,
        format: EventFormat::InPerson,
        audience: Audience::Everyone,
        title: "データ活用セミナー",
        description: "ゲスト講師を迎えて、現場でのデータ活用事例を紹介します。",
    },
    Programme {
        kind: EventKind::Workshop,
        format: EventFormat::Online,
        audience: Audience::Everyone,
        title: "オブザーバビリティ ハンズオン",
        description: "OpenTelemetry でトレースを集めるハンズオン。事前にアカウント作成が必要です。",
    },
];

const VENUES: [&str; 3] = [
    "本社 20F 大会議室 (東京都港区)",
    "大阪オフィス セミナールーム",
    "名古屋オフィス 3F ラウンジ",
];

/// A demo member and the roles they act with.
#[derive(Clone, Copy)]
struct Person {
    id: MemberId,
    role: Role,
}

fn viewer(person: Person) -> Viewer {
    demo_viewer(person.id, RoleSet::EMPTY.with(person.role))
}

/// Loads the demo events. Needs the demo secretariat; without it there is
/// no one to run events, and nothing is loaded.
pub async fn seed(service: &EventsService, members: &DemoMembers) -> AppResult<()> {
    let Some(secretariat_id) = members.secretariat else {
        return Ok(());
    };
    let secretariat = viewer(Person {
        id: secretariat_id,
        role: Role::Secretariat,
    });
    let people: Vec<Person> = members
        .alumni
        .iter()
        .map(|id| Person {
            id: *id,
            role: Role::Alumnus,
        })
        .chain(members.employees.iter().map(|id| Person {
            id: *id,
            role: Role::Employee,
        }))
        .chain(members.analyst.iter().map(|id| Person {
            id: *id,
            role: Role::Analyst,
        }))
        .collect();

    let real_now = service.now();
    let clock = Arc::new(ManualClock::new(real_now));
    let service = service.with_clock(clock.clone());
    // Events start at 19:00 Tokyo time (10:00 UTC), on a fortnightly grid.
    let today = real_now
        .duration_trunc(Duration::days(1))
        .unwrap_or(real_now);
    let first_start = today - Duration::days(SPACING_DAYS * PAST_EVENT_COUNT) + Duration::hours(10);

    for index in 0..EVENT_COUNT {
        let starts_at = first_start + Duration::days(SPACING_DAYS * index);
        // Stepping by three through the programmes keeps the two for
        // employees only apart, in different months.
        let programme = &PROGRAMMES[usize::try_from(index * 3).unwrap_or(0) % PROGRAMMES.len()];
        let opens_at = starts_at - Duration::days(45);
        // Announce (create and publish) the event when registration opens,
        // or now if that is still to come.
        clock.set(opens_at.min(real_now) - Duration::days(1));
        let event = service
            .create_event(
                &secretariat,
                new_event(programme, index, starts_at, opens_at, members, &people),
            )
            .await?;
        let stays_draft = index == EVENT_COUNT - 1;
        if stays_draft {
            continue;
        }
        service.publish_event(&secretariat, event.id).await?;

        let mut rng = fastrand::Rng::with_seed(2026 + u64::try_from(index).unwrap_or(0));
        let closes_at = (starts_at - Duration::days(1)).min(real_now);
        let registrants = registrants(&mut rng, members, &people, programme, (opens_at, closes_at));
        // Rooms have seats for four in five of those who ask (the rest
        // wait); online rooms have room for all.
        if programme.format == EventFormat::InPerson {
            let seats = (registrants.len() * 4 / 5 / 5 * 5).max(5);
            service
                .set_capacity(
                    &secretariat,
                    event.id,
                    Some(i32::try_from(seats).unwrap_or(i32::MAX)),
                )
                .await?;
        }
        for (registered_at, person) in &registrants {
            clock.set(*registered_at);
            service.register(&viewer(*person), event.id).await?;
        }
        // On every other event someone with a seat cannot come after all,
        // and the first on the waitlist moves up.
        let cancels_at = starts_at - Duration::days(2);
        if index % 2 == 0
            && cancels_at < real_now
            && let Some((_, first)) = registrants.first()
        {
            clock.set(cancels_at);
            service
                .cancel_registration(&viewer(*first), event.id)
                .await?;
        }

        let called_off = index % 9 == 4;
        if called_off {
            clock.set((starts_at - Duration::days(3)).min(real_now));
            service.cancel_event(&secretariat, event.id).await?;
            continue;
        }
        if starts_at >= real_now {
            continue;
        }
        // Most come; those who had stopped coming by the network by then
        // do not.
        let turnout = 0.65 + 0.25 * rng.f64();
        let still_around = |member: MemberId| {
            members.presence_of(member).is_some_and(|presence| {
                presence.last_seen() >= starts_at - Duration::days(STILL_AROUND_DAYS)
            })
        };
        check_in_those_present(
            &service,
            &secretariat,
            &clock,
            (event.id, starts_at),
            turnout,
            still_around,
        )
        .await?;
        clock.set(starts_at + Duration::days(2));
        add_materials(&service, &secretariat, event.id, index).await?;
    }
    Ok(())
}

/// Who registers, and when, in registration order: eligible members who
/// came by while registration was open (`opens_at` until `closes_at`), on
/// each visit with the event's [`pull`]. The demo's own alumna registers for everything open to
/// her, so her account shows registrations.
fn registrants(
    rng: &mut fastrand::Rng,
    members: &DemoMembers,
    people: &[Person],
    programme: &Programme,
    (opens_at, closes_at): (DateTime<Utc>, DateTime<Utc>),
) -> Vec<(DateTime<Utc>, Person)> {
    let keen = members.alumni.first().copied();
    let mut registrants: Vec<(DateTime<Utc>, Person)> = people
        .iter()
        .filter(|person| crate::visibility::in_audience(&viewer(**person), programme.audience))
        .filter_map(|person| {
            let visits = members
                .presence_of(person.id)?
                .visits_between(opens_at, closes_at);
            let visit = visits
                .iter()
                .find(|_| Some(person.id) == keen || rng.f64() < pull(programme.kind))?;
            Some((*visit + Duration::minutes(rng.i64(2..20)), *person))
        })
        .collect();
    registrants.sort_by_key(|(at, _)| *at);
    registrants
}

fn new_event(
    programme: &Programme,
    index: i64,
    starts_at: DateTime<Utc>,
    opens_at: DateTime<Utc>,
    members: &DemoMembers,
    people: &[Person],
) -> NewEvent {
    let venue = VENUES[usize::try_from(index).unwrap_or(0) % VENUES.len()];
    let mut speakers = Vec::new();
    if programme.kind == EventKind::AlumniTalk || programme.kind == EventKind::Workshop {
        let alumni = &members.alumni;
        if !alumni.is_empty() {
            let speaker = alumni[usize::try_from(index).unwrap_or(0) % alumni.len()];
            speakers.push(SpeakerSlot::Member {
                member_id: speaker,
                affiliation: Some("元 関西事業部 / 現 クラウド系スタートアップ".to_owned()),
            });
        }
    }
    if programme.kind == EventKind::Seminar || speakers.is_empty() && !people.is_empty() {
        speakers.push(SpeakerSlot::Guest {
            name: "山田 太郎".to_owned(),
            affiliation: Some("株式会社サンプル データ基盤部".to_owned()),
        });
    }
    NewEvent {
        fields: EventFields {
            title: format!("{} #{}", programme.title, index + 1),
            description: programme.description.to_owned(),
            kind: programme.kind,
            format: programme.format,
            venue: (programme.format != EventFormat::Online).then(|| venue.to_owned()),
            join_url: (programme.format != EventFormat::InPerson)
                .then(|| format!("https://meet.alumni.example/e/{}", index + 1)),
            starts_at,
            ends_at: starts_at + Duration::hours(2),
            time_zone: DEFAULT_TIME_ZONE.to_owned(),
            audience: programme.audience,
            registration_opens_at: opens_at,
            registration_closes_at: starts_at - Duration::hours(1),
        },
        capacity: None,
        speakers,
        confirm_warnings: false,
    }
}

/// Checks in, at the door, `turnout` of the confirmed attendees who are
/// `still_around`, spread evenly over the list.
async fn check_in_those_present(
    service: &EventsService,
    secretariat: &Viewer,
    clock: &ManualClock,
    (event_id, starts_at): (crate::model::EventId, DateTime<Utc>),
    turnout: f64,
    still_around: impl Fn(MemberId) -> bool,
) -> AppResult<()> {
    use alumni_core::pagination::{MAX_PAGE_SIZE, PageRequest};

    use crate::model::{RegistrationPageKey, RegistrationStatus};

    clock.set(starts_at - Duration::minutes(15));
    let mut page = PageRequest::<RegistrationPageKey>::first(MAX_PAGE_SIZE);
    let (mut expected, mut checked_in) = (0.0, 0.0);
    loop {
        let confirmed = service
            .registration_pages(
                secretariat,
                &[event_id],
                Some(RegistrationStatus::Confirmed),
                &page,
            )
            .await?;
        for registration in confirmed.iter().take(MAX_PAGE_SIZE) {
            if !still_around(registration.member_id) {
                continue;
            }
            expected += turnout;
            if checked_in < f64::round(expected) {
                checked_in += 1.0;
                service
                    .check_in(secretariat, event_id, &registration.check_in_code)
                    .await?;
            }
        }
        if confirmed.len() <= MAX_PAGE_SIZE {
            break;
        }
        page.after = confirmed.get(MAX_PAGE_SIZE - 1).map(|r| r.page_key());
    }
    Ok(())
}

async fn add_materials(
    service: &EventsService,
    secretariat: &Viewer,
    event_id: crate::model::EventId,
    index: i64,
) -> AppResult<()> {
    service
        .add_material(
            secretariat,
            event_id,
            NewMaterial {
                kind: MaterialKind::Slides,
                title: "発表スライド".to_owned(),
                url: format!("https://slides.alumni.example/{}", index + 1),
                confidentiality: Confidentiality::AlumniOk,
                confirm_warnings: false,
            },
        )
        .await?;
    if index % 2 == 0 {
        service
            .add_material(
                secretariat,
                event_id,
                NewMaterial {
                    kind: MaterialKind::Recording,
                    title: "録画 (社内限定)".to_owned(),
                    url: format!("https://video.alumni.example/internal/{}", index + 1),
                    confidentiality: Confidentiality::InternalOnly,
                    confirm_warnings: false,
                },
            )
            .await?;
    }
    Ok(())
}
