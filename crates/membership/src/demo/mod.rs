//! Demo data for `alumni seed --demo` and the first local run: a fictional
//! company with nine predecessors, a roster of former employees with
//! realistic Japanese names, about two hundred members with varied profiles
//! and visibility choices, a few applications awaiting review and a few
//! rejected, employees, one secretariat, one analyst and one member of
//! management. The network opened fifteen months ago: members joined over
//! that time, many at first and a trickle since, and signed in as the
//! members of a quiet network do (see [`presence`]). The data is the same on
//! every run, up to the day it is loaded on.

mod data;
pub mod presence;
pub mod synthetic;

use alumni_core::domain::demo_viewer;
use alumni_core::secrets::{self, ExposeSecret as _};
use alumni_core::{AppError, AppResult, MemberId, Role, RoleSet};
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc};
use diesel_async::AsyncConnection as _;

use self::presence::{Habit, Presence, Presences, VISIT_LENGTH};
use crate::model::{
    ApplicationId, ApplicationRecord, ApplicationStatus, ApprovalBasis, CompanyId, CompanyRecord,
    ConsentPurpose, ConsentRecord, Interest, InvitationId, InvitationRecord, MemberStatus,
    NameIndex, NewMember, NewProfile, Prefecture, ProfileChanges, ProfileLink, RosterEntryId,
    RosterEntryValues, SessionRecord, TagRecord, TermsRecord, TermsVersionId, Visibility,
};
use crate::service::{DEFAULT_SESSION_TTL_HOURS, MembershipService};
use crate::store::{accounts, applications, companies, profiles, roster, tags, terms};
use alumni_core::{SessionId, search};

/// Password of every demo account. Demo data is for local use only.
pub const DEMO_PASSWORD: &str = "alumni-demo-2026";

/// The demo secretariat (HR) account.
pub const DEMO_SECRETARIAT_EMAIL: &str = "secretariat@alumni.example";
/// The demo HR analyst account.
pub const DEMO_ANALYST_EMAIL: &str = "analyst@alumni.example";
/// The demo management account (answers the secretariat's proposals).
pub const DEMO_MANAGEMENT_EMAIL: &str = "management@alumni.example";
/// A demo alumna (佐藤 花子, formerly 山田).
pub const DEMO_ALUMNUS_EMAIL: &str = "hanako.sato@alumni.example";
/// A demo employee.
pub const DEMO_EMPLOYEE_EMAIL: &str = "employee@alumni.example";
/// A demo applicant whose application awaits review.
pub const DEMO_APPLICANT_EMAIL: &str = "applicant@alumni.example";

/// Demo sign-ins, as `(e-mail, what it shows)`, for printing.
pub const DEMO_LOGINS: [(&str, &str); 6] = [
    (DEMO_SECRETARIAT_EMAIL, "SECRETARIAT"),
    (DEMO_ANALYST_EMAIL, "ANALYST"),
    (DEMO_MANAGEMENT_EMAIL, "MANAGEMENT"),
    (DEMO_ALUMNUS_EMAIL, "ALUMNUS"),
    (DEMO_EMPLOYEE_EMAIL, "EMPLOYEE"),
    (DEMO_APPLICANT_EMAIL, "applicant"),
];

/// Former employees on the roster.
const ROSTER_SIZE: usize = 300;
/// Of them, approved members.
const MEMBER_COUNT: usize = 200;
/// Current employees with accounts.
const EMPLOYEE_COUNT: usize = 10;
/// Applications awaiting review.
const PENDING_COUNT: usize = 5;
/// Applications the secretariat turned down over the year.
const REJECTED_COUNT: usize = 7;
/// Alumni after the demo's own alumna who are the community's regulars:
/// other domains' demo data has them speak, write and answer.
const REGULAR_ALUMNI: usize = 12;
/// Employees, likewise (the magazine's writers among them).
const REGULAR_EMPLOYEES: usize = 3;

/// Why the demo's rejected applications were turned down.
const REJECTION_REASONS: [&str; 3] = [
    "在籍記録を確認できませんでした。社員番号と退職年月をご確認のうえ、あらためてお申し込みください。",
    "同じ方からのお申し込みがすでに承認されています。以前のアカウントでサインインしてください。",
    "ご本人の確認が取れませんでした。事務局までメールでご連絡ください。",
];

/// The demo members other domains' demo data can refer to (speakers,
/// registrants, authors).
#[derive(Debug, Clone, Default)]
pub struct DemoMembers {
    /// The secretariat account.
    pub secretariat: Option<MemberId>,
    /// The analyst account.
    pub analyst: Option<MemberId>,
    /// The management account.
    pub management: Option<MemberId>,
    /// Approved alumni.
    pub alumni: Vec<MemberId>,
    /// Current employees.
    pub employees: Vec<MemberId>,
    /// When each member joined and came by, for other domains' demo
    /// history to happen at those times. Alumni and employees are listed
    /// above in the order they joined.
    pub presence: Presences,
}

impl DemoMembers {
    /// The member's time on the network, if the demo made them.
    pub fn presence_of(&self, member: MemberId) -> Option<&Presence> {
        self.presence.get(&member)
    }
}

/// One person of the demo: an account with a profile.
struct Person {
    id: MemberId,
    email: String,
    roles: RoleSet,
    status: MemberStatus,
    name: (String, String),
    former_surnames: Vec<String>,
    employment: Option<(CompanyId, NaiveDate, NaiveDate, String)>,
    /// When the account was made (applicants: when they applied).
    created_at: DateTime<Utc>,
    /// When they became a member.
    joined_at: DateTime<Utc>,
    habit: Habit,
}

/// Loads the demo data into an empty database: the people in one
/// transaction, then the secretariat's curation of their skills.
pub async fn seed(service: &MembershipService) -> AppResult<DemoMembers> {
    let demo = seed_people(service).await?;
    if let Some(secretariat) = demo.secretariat {
        curate_vocabulary(service, secretariat).await?;
    }
    Ok(demo)
}

/// The companies, roster, members, profiles and consents, in one
/// transaction.
async fn seed_people(service: &MembershipService) -> AppResult<DemoMembers> {
    let password_hash = service.hash_password_trusted(DEMO_PASSWORD).await?;
    let now = service.context().now();
    let opened_at = now
        .checked_sub_months(chrono::Months::new(presence::NETWORK_AGE_MONTHS))
        .unwrap_or(now);
    // The companies, the vocabulary and HR's roster were ready before.
    let prepared_at = opened_at - Duration::days(45);
    let mut rng = fastrand::Rng::with_seed(2026);
    // The history draws from its own stream, so that tuning it leaves the
    // people and their profiles as they are.
    let mut history = fastrand::Rng::with_seed(2027);
    let mut conn = service.context().conn().await?;
    conn.transaction(async |conn| {
        let (current, predecessors) = company_history(prepared_at);
        for company in std::iter::once(&current).chain(&predecessors) {
            companies::insert_company(conn, company).await?;
        }
        let all_companies: Vec<CompanyId> = std::iter::once(current.id)
            .chain(predecessors.iter().map(|company| company.id))
            .collect();
        let terms = TermsRecord {
            id: TermsVersionId::new(),
            version: data::TERMS.0.to_owned(),
            title: data::TERMS.1.to_owned(),
            body: data::TERMS.2.to_owned(),
            published_at: opened_at - Duration::days(14),
            published_by: None,
        };
        terms::insert_terms(conn, &terms).await?;
        let skill_names: Vec<(String, String)> = data::SKILLS
            .iter()
            .map(|name| (search::normalize(name), (*name).to_owned()))
            .collect();
        let tags = tags::ensure_tags(conn, &skill_names, prepared_at).await?;

        let entries = roster_entries(&mut rng, &all_companies, now);
        let with_ids: Vec<(RosterEntryId, RosterEntryValues)> = entries
            .iter()
            .map(|entry| (RosterEntryId::new(), entry.clone()))
            .collect();
        roster::insert_entries(conn, &with_ids, prepared_at).await?;

        let mut people = Vec::new();
        let mut demo = DemoMembers::default();
        let staff = [
            (
                DEMO_SECRETARIAT_EMAIL,
                Role::Secretariat,
                ("森 恵子", "もり けいこ"),
            ),
            (
                DEMO_ANALYST_EMAIL,
                Role::Analyst,
                ("大野 修", "おおの おさむ"),
            ),
            (
                DEMO_MANAGEMENT_EMAIL,
                Role::Management,
                ("石川 誠一", "いしかわ せいいち"),
            ),
        ];
        for (email, role, (name, kana)) in staff {
            let habit = if role == Role::Secretariat {
                Habit::Frequent
            } else {
                Habit::Regular
            };
            let person = staff_person(
                email,
                RoleSet::EMPTY.with(role).with(Role::Employee),
                (name, kana),
                opened_at - Duration::days(7),
                habit,
            );
            let account = match role {
                Role::Secretariat => &mut demo.secretariat,
                Role::Management => &mut demo.management,
                _ => &mut demo.analyst,
            };
            *account = Some(person.id);
            people.push(person);
        }
        let mut applications = Vec::new();
        let joined = presence::join_times(
            &mut history,
            MEMBER_COUNT,
            opened_at,
            now - Duration::days(2),
        );
        for (index, ((entry_id, entry), joined_at)) in
            with_ids.iter().zip(joined).enumerate().take(MEMBER_COUNT)
        {
            let email = if index == 0 {
                DEMO_ALUMNUS_EMAIL.to_owned()
            } else {
                format!("alumni{index:03}@alumni.example")
            };
            let habit = match index {
                0 => Habit::Frequent,
                1..=REGULAR_ALUMNI => Habit::Regular,
                _ => Habit::drawn(&mut history),
            };
            // A roster match is approved as soon as the address is verified.
            let applied_at = joined_at - Duration::minutes(history.i64(10..180));
            let person = alumnus(
                entry,
                email,
                MemberStatus::Active,
                (applied_at, joined_at),
                habit,
            );
            applications.push(application_for(&person, entry, Some(*entry_id)));
            demo.alumni.push(person.id);
            people.push(person);
        }
        for index in 0..EMPLOYEE_COUNT {
            let email = if index == 0 {
                DEMO_EMPLOYEE_EMAIL.to_owned()
            } else {
                format!("employee{index:02}@alumni.example")
            };
            let (surname, surname_kana) = data::SURNAMES[(index * 7 + 3) % data::SURNAMES.len()];
            let (given, given_kana) = data::GIVEN_NAMES[(index * 5 + 11) % data::GIVEN_NAMES.len()];
            let habit = match index {
                0 => Habit::Frequent,
                _ if index < REGULAR_EMPLOYEES => Habit::Regular,
                _ => Habit::drawn(&mut history),
            };
            // The secretariat made employees' accounts in the first weeks.
            let created_at = opened_at + Duration::days(i64::try_from(index * 4).unwrap_or(0));
            let person = staff_person(
                &email,
                RoleSet::EMPTY.with(Role::Employee),
                (
                    &format!("{surname} {given}"),
                    &format!("{surname_kana} {given_kana}"),
                ),
                created_at,
                habit,
            );
            demo.employees.push(person.id);
            people.push(person);
        }
        for (offset, (_, entry)) in with_ids
            .iter()
            .skip(MEMBER_COUNT)
            .take(PENDING_COUNT)
            .enumerate()
        {
            let email = if offset == 0 {
                DEMO_APPLICANT_EMAIL.to_owned()
            } else {
                format!("applicant{offset:02}@alumni.example")
            };
            let near_miss = near_miss(entry, offset);
            let applied_at = now - Duration::hours(history.i64(6..240));
            let person = alumnus(
                &near_miss,
                email,
                MemberStatus::Applicant,
                (applied_at, applied_at),
                Habit::Lurker,
            );
            applications.push(application_for(&person, &near_miss, None));
            people.push(person);
        }
        // Turned down over the year, a few days after applying.
        let year = now - (now - Duration::days(365)).max(opened_at);
        for (offset, (_, entry)) in with_ids
            .iter()
            .skip(MEMBER_COUNT + PENDING_COUNT)
            .take(REJECTED_COUNT)
            .enumerate()
        {
            let near_miss = near_miss(entry, offset);
            let step = i32::try_from(offset + 1).unwrap_or(1);
            let applied_at =
                now - year + year * step / i32::try_from(REJECTED_COUNT + 1).unwrap_or(1);
            let person = alumnus(
                &near_miss,
                format!("rejected{offset:02}@alumni.example"),
                MemberStatus::Applicant,
                (applied_at, applied_at),
                Habit::Lurker,
            );
            let application = application_for(&person, &near_miss, None);
            applications.push(ApplicationRecord {
                status: ApplicationStatus::Rejected,
                decided_at: Some(applied_at + Duration::hours(history.i64(20..96))),
                decided_by: demo.secretariat,
                rejection_reason: Some(
                    REJECTION_REASONS[offset % REJECTION_REASONS.len()].to_owned(),
                ),
                ..application
            });
            people.push(person);
        }

        let new_members: Vec<NewMember<'_>> = people
            .iter()
            .map(|person| NewMember {
                id: person.id,
                email: &person.email,
                password_hash: &password_hash,
                roles: person.roles.to_names(),
                created_at: person.created_at,
                updated_at: person.joined_at,
                status: person.status,
            })
            .collect();
        accounts::insert_members(conn, &new_members).await?;
        applications::insert_applications(conn, &applications).await?;
        if let Some(secretariat) = demo.secretariat {
            // An invitation waiting to be used, so the secretariat's list
            // shows one. Its code is thrown away: only the hash is kept.
            let code = secrets::token("demo_")?;
            let created_at = now - Duration::days(3);
            applications::insert_invitation(
                conn,
                &InvitationRecord {
                    id: InvitationId::new(),
                    code_hash: secrets::hash(code.expose_secret()),
                    note: "田中さん (2019年退職, 関西システムズ) への招待".to_owned(),
                    created_by: secretariat,
                    created_at,
                    expires_at: created_at + Duration::days(30),
                    used_at: None,
                },
            )
            .await?;
        }

        let active: Vec<&Person> = people
            .iter()
            .filter(|person| person.status == MemberStatus::Active)
            .collect();
        let new_profiles: Vec<NewProfile> =
            active.iter().map(|person| new_profile(person)).collect();
        profiles::insert_profiles(conn, &new_profiles).await?;
        let mut skills = Vec::new();
        for person in &active {
            let (mut changes, chosen) =
                profile_details(&mut rng, &tags, person.roles.contains(Role::Employee));
            if person.email == DEMO_ALUMNUS_EMAIL {
                // The README's example: found by her former surname 山田.
                changes.former_surnames_visibility = Some(Visibility::Members);
                changes.listed_in_directory = Some(true);
            }
            let names = NameIndex::new(&person.name.0, &person.name.1, &person.former_surnames);
            profiles::update_profile(conn, person.id, &changes, &names).await?;
            skills.extend(chosen.into_iter().map(|tag| (person.id, tag)));
        }
        profiles::add_skills(conn, &skills).await?;

        let consents: Vec<ConsentRecord> = people
            .iter()
            .map(|person| ConsentRecord {
                member_id: person.id,
                terms_version_id: terms.id,
                accepted_at: person.created_at,
                purposes: purposes(&mut rng).into_iter().map(Some).collect(),
                updated_at: person.created_at,
            })
            .collect();
        terms::insert_consents(conn, &consents).await?;

        // Their visits since joining, each a sign-in ended by signing out.
        let until = now - Duration::hours(1);
        let mut sessions = Vec::new();
        for person in &active {
            let visits = presence::visits(&mut history, person.habit, person.joined_at, until);
            sessions.extend(
                visits
                    .iter()
                    .map(|visit| past_session(&mut history, person.id, *visit)),
            );
            let presence = Presence {
                joined_at: person.joined_at,
                visits,
            };
            accounts::mark_seen(conn, person.id, presence.last_seen(), Duration::zero()).await?;
            demo.presence.insert(person.id, presence);
        }
        accounts::insert_sessions(conn, &sessions).await?;
        Ok::<_, AppError>(demo)
    })
    .await
}

/// A session of a visit long past: its token was never kept, and it ended
/// when the visit did.
fn past_session(
    rng: &mut fastrand::Rng,
    member_id: MemberId,
    began_at: DateTime<Utc>,
) -> SessionRecord {
    SessionRecord {
        id: SessionId::new(),
        member_id,
        token_hash: std::iter::repeat_with(|| rng.u8(..)).take(32).collect(),
        created_at: began_at,
        expires_at: began_at + Duration::hours(DEFAULT_SESSION_TTL_HOURS),
        revoked_at: Some(began_at + VISIT_LENGTH),
    }
}

/// The secretariat's curation of the demo skills: synonyms and labels,
/// through the services as the secretariat would.
async fn curate_vocabulary(service: &MembershipService, secretariat: MemberId) -> AppResult<()> {
    let viewer = demo_viewer(secretariat, RoleSet::EMPTY.with(Role::Secretariat));
    let mut conn = service.context().conn().await?;
    let mut named = Vec::new();
    for (name, _) in data::TAG_ALIASES {
        named.push(service.tag_named_in(&mut conn, name).await?);
    }
    let mut labelled = Vec::new();
    for (name, _, _) in data::TAG_LABELS {
        labelled.push(service.tag_named_in(&mut conn, name).await?);
    }
    drop(conn);
    for (tag, (_, aliases)) in named.into_iter().zip(data::TAG_ALIASES) {
        let tag = tag.ok_or(AppError::NotFound { entity: "Tag" })?;
        for alias in aliases {
            service.add_tag_alias(&viewer, tag.id, alias).await?;
        }
    }
    for (tag, (_, ja, en)) in labelled.into_iter().zip(data::TAG_LABELS) {
        let tag = tag.ok_or(AppError::NotFound { entity: "Tag" })?;
        service.set_tag_labels(&viewer, tag.id, ja, en).await?;
    }
    Ok(())
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
}

fn company_history(at: DateTime<Utc>) -> (CompanyRecord, Vec<CompanyRecord>) {
    let (name, kana, short_name, description) = data::COMPANY;
    let current = CompanyRecord {
        id: CompanyId::new(),
        name: name.to_owned(),
        name_kana: kana.to_owned(),
        short_name: short_name.to_owned(),
        is_current: true,
        merged_on: None,
        description: description.to_owned(),
        created_at: at,
        updated_at: at,
    };
    let predecessors = data::PREDECESSORS
        .iter()
        .map(|(name, kana, short_name, merged_on)| CompanyRecord {
            id: CompanyId::new(),
            name: (*name).to_owned(),
            name_kana: (*kana).to_owned(),
            short_name: (*short_name).to_owned(),
            is_current: false,
            merged_on: Some(date(merged_on)),
            description: format!("{}に北辰情報システムへ合併。", &merged_on[..4]),
            created_at: at,
            updated_at: at,
        })
        .collect();
    (current, predecessors)
}

/// Former employees with unique names; careers end before the merger for
/// predecessors and after it for today's company.
fn roster_entries(
    rng: &mut fastrand::Rng,
    company_ids: &[CompanyId],
    now: DateTime<Utc>,
) -> Vec<RosterEntryValues> {
    let last_year = now.year() - 1;
    let mut entries = Vec::with_capacity(ROSTER_SIZE);
    let pairs = data::SURNAMES.len() * data::GIVEN_NAMES.len();
    for index in 0..ROSTER_SIZE {
        // A stride coprime with the number of pairs visits every pair once.
        let pair = (index * 37 + 5) % pairs;
        let (surname, surname_kana) = data::SURNAMES[pair % data::SURNAMES.len()];
        let (given, given_kana) = data::GIVEN_NAMES[pair / data::SURNAMES.len()];
        let (full_name, full_name_kana) = if index == 0 {
            ("佐藤 花子".to_owned(), "さとう はなこ".to_owned())
        } else {
            (
                format!("{surname} {given}"),
                format!("{surname_kana} {given_kana}"),
            )
        };
        let company_index = rng.usize(..company_ids.len());
        let (joined_year, left_year) = if company_index == 0 {
            let left = rng.i32(2012..=last_year);
            (rng.i32((left - 25).max(1990)..left - 2), left)
        } else {
            let merger = data::PREDECESSORS[company_index - 1].3[..4]
                .parse::<i32>()
                .unwrap_or(2008);
            let left = rng.i32(1995..merger);
            (rng.i32((left - 20).max(1985)..left - 1), left)
        };
        let joined_on = NaiveDate::from_ymd_opt(joined_year, 4, 1).unwrap_or_default();
        // Most people leave at the end of a month, many at the fiscal year's.
        let left_month = if rng.u8(..3) == 0 { rng.u32(1..=12) } else { 3 };
        let left_on = NaiveDate::from_ymd_opt(left_year, left_month, 1)
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .and_then(|next| next.pred_opt())
            .unwrap_or_default();
        let former_surnames = if index == 0 {
            vec!["山田".to_owned()]
        } else if rng.u8(..7) == 0 {
            vec![
                data::SURNAMES[rng.usize(..data::SURNAMES.len())]
                    .0
                    .to_owned(),
            ]
        } else {
            Vec::new()
        };
        let emails = if rng.bool() {
            vec![format!(
                "{}.{}@mail.example",
                search::romaji(given_kana),
                search::romaji(surname_kana)
            )]
        } else {
            Vec::new()
        };
        entries.push(RosterEntryValues {
            employee_number: format!("E{:06}", 100_000 + index * 17),
            name_key: search::normalize(&full_name),
            kana_key: search::normalize(&full_name_kana),
            full_name,
            full_name_kana,
            former_surnames,
            emails,
            company_id: company_ids[company_index],
            joined_on,
            left_on,
            last_department: data::DEPARTMENTS[rng.usize(..data::DEPARTMENTS.len())].to_owned(),
        });
    }
    entries
}

/// An applicant who does not quite match their roster entry: a kanji
/// variant, no employee number, a different e-mail address.
fn near_miss(entry: &RosterEntryValues, offset: usize) -> RosterEntryValues {
    let mut applicant = entry.clone();
    match offset % 3 {
        0 => applicant.employee_number.clear(),
        1 => applicant.full_name = applicant.full_name.replace('高', "髙").replace('斎', "齋"),
        _ => applicant.employee_number = format!("{}9", applicant.employee_number),
    }
    applicant.name_key = search::normalize(&applicant.full_name);
    applicant
}

/// Someone from the roster, who applied at `times.0` and became a member
/// at `times.1` (if they did).
fn alumnus(
    entry: &RosterEntryValues,
    email: String,
    status: MemberStatus,
    times: (DateTime<Utc>, DateTime<Utc>),
    habit: Habit,
) -> Person {
    Person {
        id: MemberId::new(),
        email,
        roles: if status == MemberStatus::Active {
            RoleSet::EMPTY.with(Role::Alumnus)
        } else {
            RoleSet::EMPTY
        },
        status,
        name: (entry.full_name.clone(), entry.full_name_kana.clone()),
        former_surnames: entry.former_surnames.clone(),
        employment: Some((
            entry.company_id,
            entry.joined_on,
            entry.left_on,
            entry.last_department.clone(),
        )),
        created_at: times.0,
        joined_at: times.1,
        habit,
    }
}

/// An account the secretariat made at `created_at`, a member from then.
fn staff_person(
    email: &str,
    roles: RoleSet,
    (name, kana): (&str, &str),
    created_at: DateTime<Utc>,
    habit: Habit,
) -> Person {
    Person {
        id: MemberId::new(),
        email: email.to_owned(),
        roles,
        status: MemberStatus::Active,
        name: (name.to_owned(), kana.to_owned()),
        former_surnames: Vec::new(),
        employment: None,
        created_at,
        joined_at: created_at,
        habit,
    }
}

/// The person's application, sent when their account was made: approved
/// when they joined if it matched `roster_entry`, pending otherwise.
fn application_for(
    person: &Person,
    entry: &RosterEntryValues,
    roster_entry: Option<RosterEntryId>,
) -> ApplicationRecord {
    let approved = roster_entry.is_some();
    ApplicationRecord {
        id: ApplicationId::new(),
        member_id: person.id,
        status: if approved {
            ApplicationStatus::Approved
        } else {
            ApplicationStatus::PendingReview
        },
        full_name: entry.full_name.clone(),
        full_name_kana: entry.full_name_kana.clone(),
        former_surnames: entry.former_surnames.iter().cloned().map(Some).collect(),
        employee_number: Some(entry.employee_number.clone()).filter(|number| !number.is_empty()),
        company_id: entry.company_id,
        joined_on: entry.joined_on,
        left_on: entry.left_on,
        last_department: entry.last_department.clone(),
        name_key: entry.name_key.clone(),
        kana_key: entry.kana_key.clone(),
        roster_entry_id: roster_entry,
        invitation_id: None,
        approval_basis: approved.then_some(ApprovalBasis::RosterMatch),
        submitted_at: person.created_at,
        decided_at: approved.then_some(person.joined_at),
        decided_by: None,
        rejection_reason: None,
        possible_duplicate: false,
        duplicate_of: None,
        email_verified_at: Some(person.created_at + Duration::minutes(5)),
    }
}

/// The profile made when the person joined.
fn new_profile(person: &Person) -> NewProfile {
    let base = NewProfile::new(
        person.id,
        &person.name.0,
        &person.name.1,
        person.former_surnames.clone(),
        person.joined_at,
    );
    match person.employment.clone() {
        Some((company_id, joined_on, left_on, last_department)) => NewProfile {
            company_id: Some(company_id),
            joined_on: Some(joined_on),
            left_on: Some(left_on),
            last_department,
            ..base
        },
        None => base,
    }
}

/// Varied profile details and visibility choices, and a few skills.
fn profile_details(
    rng: &mut fastrand::Rng,
    tags: &[TagRecord],
    employee: bool,
) -> (ProfileChanges, Vec<crate::model::TagId>) {
    let visibility = |rng: &mut fastrand::Rng| match rng.u8(..10) {
        0 => Visibility::Private,
        1 | 2 => Visibility::Secretariat,
        _ => Visibility::Members,
    };
    let prefectures = [
        Prefecture::Tokyo,
        Prefecture::Tokyo,
        Prefecture::Kanagawa,
        Prefecture::Osaka,
        Prefecture::Aichi,
        Prefecture::Fukuoka,
        Prefecture::Hokkaido,
        Prefecture::Miyagi,
        Prefecture::Hiroshima,
        Prefecture::Overseas,
    ];
    let interests: Vec<Interest> = Interest::ALL
        .iter()
        .copied()
        .filter(|_| rng.u8(..3) == 0)
        .collect();
    let chosen = (0..rng.usize(2..=6))
        .map(|_| tags[rng.usize(..tags.len())].id)
        .collect();
    let changes = ProfileChanges {
        current_company: Some(if employee {
            data::COMPANY.0.to_owned()
        } else {
            data::CURRENT_COMPANIES[rng.usize(..data::CURRENT_COMPANIES.len())].to_owned()
        }),
        current_title: Some(data::TITLES[rng.usize(..data::TITLES.len())].to_owned()),
        current_work_visibility: Some(visibility(rng)),
        prefecture: Some(Some(prefectures[rng.usize(..prefectures.len())])),
        prefecture_visibility: Some(visibility(rng)),
        bio: Some(data::BIOS[rng.usize(..data::BIOS.len())].to_owned()),
        bio_visibility: Some(visibility(rng)),
        skills_visibility: Some(visibility(rng)),
        interests: Some(interests),
        interests_visibility: Some(visibility(rng)),
        links: (rng.u8(..3) == 0).then(|| {
            let link = ProfileLink {
                label: "GitHub".to_owned(),
                url: format!("https://github.example/member{}", rng.u32(1000..9999)),
            };
            serde_json::to_value(vec![link]).unwrap_or_default()
        }),
        links_visibility: Some(visibility(rng)),
        former_surnames_visibility: Some(visibility(rng)),
        employment_visibility: Some(if rng.u8(..8) == 0 {
            Visibility::Secretariat
        } else {
            Visibility::Members
        }),
        open_to_returning: Some(!employee && rng.u8(..10) == 0),
        listed_in_directory: Some(rng.u8(..12) != 0),
        ..Default::default()
    };
    (changes, chosen)
}

fn purposes(rng: &mut fastrand::Rng) -> Vec<ConsentPurpose> {
    let mut purposes = vec![ConsentPurpose::Membership];
    if rng.u8(..4) != 0 {
        purposes.push(ConsentPurpose::Newsletter);
    }
    if rng.bool() {
        purposes.push(ConsentPurpose::Analytics);
    }
    purposes
}
