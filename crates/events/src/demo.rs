//! Demo events for `alumni seed --demo`: a year of them, half past and half
//! upcoming, of every kind and format, with registrations, waitlists,
//! check-ins and materials.
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

/// How many demo events: one a fortnight for a year.
const EVENT_COUNT: i64 = 26;
/// Days between demo events.
const SPACING_DAYS: i64 = 14;

struct Programme {
    kind: EventKind,
    format: EventFormat,
    audience: Audience,
    title: &'static str,
    description: &'static str,
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
    let first_start = today - Duration::days(SPACING_DAYS * EVENT_COUNT / 2) + Duration::hours(10);

    for index in 0..EVENT_COUNT {
        let starts_at = first_start + Duration::days(SPACING_DAYS * index);
        let programme = &PROGRAMMES[usize::try_from(index).unwrap_or(0) % PROGRAMMES.len()];
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

        // Most of the eligible come (all of them while the demo has few
        // members); a quarter of them end up on the waitlist.
        let eligible: Vec<Person> = people
            .iter()
            .filter(|person| crate::visibility::in_audience(&viewer(**person), programme.audience))
            .copied()
            .collect();
        let registrants: Vec<Person> = eligible
            .iter()
            .enumerate()
            .filter(|(n, _)| {
                eligible.len() < 6 || (n + usize::try_from(index).unwrap_or(0)) % 3 != 0
            })
            .map(|(_, person)| *person)
            .collect();
        let capacity = i32::try_from(registrants.len() * 3 / 4)
            .unwrap_or(i32::MAX)
            .max(1);
        service
            .set_capacity(&secretariat, event.id, Some(capacity))
            .await?;

        // Registrations arrive over the first weeks of the window (only up
        // to the present for upcoming events).
        let spacing = (Duration::days(28) / i32::try_from(registrants.len().max(1)).unwrap_or(1))
            .min(Duration::hours(6));
        let mut arrival = opens_at;
        for person in &registrants {
            arrival += spacing;
            if arrival >= real_now.min(starts_at - Duration::days(1)) {
                break;
            }
            clock.set(arrival);
            service.register(&viewer(*person), event.id).await?;
        }
        // On every other event someone with a seat cannot come after all,
        // and the first on the waitlist moves up.
        let cancels_at = starts_at - Duration::days(2);
        if index % 2 == 0
            && cancels_at < real_now
            && let Some(first) = registrants.first()
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
        check_in_most(&service, &secretariat, &clock, event.id, starts_at).await?;
        clock.set(starts_at + Duration::days(2));
        add_materials(&service, &secretariat, event.id, index).await?;
    }
    Ok(())
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

/// Checks in four of every five confirmed attendees at the door.
async fn check_in_most(
    service: &EventsService,
    secretariat: &Viewer,
    clock: &ManualClock,
    event_id: crate::model::EventId,
    starts_at: DateTime<Utc>,
) -> AppResult<()> {
    use alumni_core::pagination::{MAX_PAGE_SIZE, PageRequest};

    use crate::model::{RegistrationPageKey, RegistrationStatus};

    clock.set(starts_at - Duration::minutes(15));
    let mut page = PageRequest::<RegistrationPageKey>::first(MAX_PAGE_SIZE);
    let mut seen = 0_usize;
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
            seen += 1;
            if !seen.is_multiple_of(5) {
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
