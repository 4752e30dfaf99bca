//! Fixtures: members of known cohorts and facts at known times, written
//! straight into the domains' tables (the facts the analytics views read),
//! so every expected figure can be worked out by hand.

use alumni_core::Role;
use alumni_test_support::{GqlResponse, TestApp, TestMember};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamptz, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid as RawUuid;

/// A time in Japan, e.g. `at("2026-02-03T10:00")`.
pub fn at(local: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{local}:00+09:00"))
        .expect("valid time")
        .to_utc()
}

/// A test app with terms in force (so consents mean something).
pub struct Fixture {
    pub app: TestApp,
    pub conn: AsyncPgConnection,
    terms: RawUuid,
}

/// Where a fixture member worked, and whether they consent to analytics.
#[derive(Clone, Copy)]
pub struct Cohort {
    pub company: Option<RawUuid>,
    pub left_year: Option<i32>,
    pub department: &'static str,
    pub consents: bool,
}

impl Fixture {
    pub async fn new() -> Self {
        let app = TestApp::spawn().await;
        let mut conn = app.database().connect().await;
        let terms = RawUuid::now_v7();
        diesel::sql_query(
            "INSERT INTO membership.terms_versions (id, version, title, body, published_at) \
             VALUES ($1, '1', '利用規約', '本文', '2025-01-01T00:00:00Z')",
        )
        .bind::<Uuid, _>(terms)
        .execute(&mut conn)
        .await
        .expect("terms");
        Self { app, conn, terms }
    }

    /// A company (the first one made is today's, the others merged into it).
    pub async fn company(&mut self, name: &str) -> RawUuid {
        let id = RawUuid::now_v7();
        diesel::sql_query(
            "INSERT INTO membership.companies (id, name, short_name, is_current, merged_on, created_at, updated_at) \
             SELECT $1, $2, $2, NOT EXISTS (SELECT 1 FROM membership.companies), \
                    CASE WHEN EXISTS (SELECT 1 FROM membership.companies) THEN DATE '2010-04-01' END, now(), now()",
        )
        .bind::<Uuid, _>(id)
        .bind::<Text, _>(name)
        .execute(&mut self.conn)
        .await
        .expect("company");
        id
    }

    /// A signed-in member with `roles`, consenting to analytics or not;
    /// the factory's session counts as a sign-in at the test's start.
    pub async fn member(&mut self, roles: &[Role], cohort: Cohort) -> TestMember {
        let member = self.app.create_member(roles).await;
        diesel::sql_query(
            "UPDATE membership.profiles SET company_id = $2, \
                    left_on = make_date($3, 3, 31), joined_on = make_date($3 - 5, 4, 1), \
                    last_department = $4 \
              WHERE member_id = $1",
        )
        .bind::<Uuid, _>(member.id.0)
        .bind::<Nullable<Uuid>, _>(cohort.company)
        .bind::<Nullable<Integer>, _>(cohort.left_year)
        .bind::<Text, _>(cohort.department)
        .execute(&mut self.conn)
        .await
        .expect("profile");
        let purposes: Vec<&str> = if cohort.consents {
            vec!["MEMBERSHIP", "ANALYTICS"]
        } else {
            vec!["MEMBERSHIP"]
        };
        diesel::sql_query(
            "INSERT INTO membership.consents (member_id, terms_version_id, accepted_at, purposes, updated_at) \
             VALUES ($1, $2, '2025-01-02T00:00:00Z', $3, '2025-01-02T00:00:00Z')",
        )
        .bind::<Uuid, _>(member.id.0)
        .bind::<Uuid, _>(self.terms)
        .bind::<Array<Text>, _>(purposes)
        .execute(&mut self.conn)
        .await
        .expect("consent");
        member
    }

    /// `count` alumni of one cohort.
    pub async fn members(&mut self, count: usize, cohort: Cohort) -> Vec<TestMember> {
        let mut members = Vec::with_capacity(count);
        for _ in 0..count {
            members.push(self.member(&[Role::Alumnus], cohort).await);
        }
        members
    }

    /// An analyst outside every cohort (counted as 「不明」).
    pub async fn analyst(&mut self) -> TestMember {
        self.member(&[Role::Analyst, Role::Employee], Cohort::NONE)
            .await
    }

    /// Sets when members were last seen.
    pub async fn seen(&mut self, members: &[TestMember], when: DateTime<Utc>) {
        for member in members {
            diesel::sql_query("UPDATE membership.members SET last_seen_at = $2 WHERE id = $1")
                .bind::<Uuid, _>(member.id.0)
                .bind::<Timestamptz, _>(when)
                .execute(&mut self.conn)
                .await
                .expect("last seen");
        }
    }

    /// A post of the magazine for everyone, published `when`.
    pub async fn post(&mut self, title: &str, when: DateTime<Utc>) -> RawUuid {
        let id = RawUuid::now_v7();
        diesel::sql_query(
            "INSERT INTO content.posts (id, title, lead, body, body_html, state, published_at, audience, \
                                        search_text, search_grams, created_at, updated_at) \
             VALUES ($1, $2, '', '', '', 'PUBLISHED', $3, 'EVERYONE', '', '{}', $3, $3)",
        )
        .bind::<Uuid, _>(id)
        .bind::<Text, _>(title)
        .bind::<Timestamptz, _>(when)
        .execute(&mut self.conn)
        .await
        .expect("post");
        id
    }

    /// Each of `readers` first reads `post` at `when`.
    pub async fn read(&mut self, post: RawUuid, readers: &[TestMember], when: DateTime<Utc>) {
        for reader in readers {
            diesel::sql_query(
                "INSERT INTO content.reads (post_id, member_id, first_read_at, last_read_at) VALUES ($1, $2, $3, $3)",
            )
            .bind::<Uuid, _>(post)
            .bind::<Uuid, _>(reader.id.0)
            .bind::<Timestamptz, _>(when)
            .execute(&mut self.conn)
            .await
            .expect("read");
        }
    }

    /// Each of `members` comments on `post` at `when`.
    pub async fn comment(&mut self, post: RawUuid, members: &[TestMember], when: DateTime<Utc>) {
        for member in members {
            diesel::sql_query(
                "INSERT INTO content.comments (id, post_id, author_id, body, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'なるほど', $4, $4)",
            )
            .bind::<Uuid, _>(RawUuid::now_v7())
            .bind::<Uuid, _>(post)
            .bind::<Uuid, _>(member.id.0)
            .bind::<Timestamptz, _>(when)
            .execute(&mut self.conn)
            .await
            .expect("comment");
        }
    }

    /// Each of `members` signs in at `when`.
    pub async fn sign_in(&mut self, members: &[TestMember], when: DateTime<Utc>) {
        for member in members {
            diesel::sql_query(
                "INSERT INTO membership.sessions (id, member_id, token_hash, created_at, expires_at) \
                 VALUES ($1, $2, sha256(uuid_send($1)), $3, $3 + interval '30 days')",
            )
            .bind::<Uuid, _>(RawUuid::now_v7())
            .bind::<Uuid, _>(member.id.0)
            .bind::<Timestamptz, _>(when)
            .execute(&mut self.conn)
            .await
            .expect("session");
        }
    }

    /// A published online event starting `when` (two hours long).
    pub async fn event(&mut self, title: &str, when: DateTime<Utc>, by: &TestMember) -> RawUuid {
        let id = RawUuid::now_v7();
        diesel::sql_query(
            "INSERT INTO events.events (id, title, kind, format, join_url, starts_at, ends_at, audience, \
                                        registration_opens_at, registration_closes_at, status, created_by, \
                                        created_at, updated_at, published_at) \
             VALUES ($1, $2, 'STUDY_SESSION', 'ONLINE', 'https://meet.example/x', $3, $3 + interval '2 hours', \
                     'EVERYONE', $3 - interval '30 days', $3, 'PUBLISHED', $4, $3 - interval '30 days', \
                     $3 - interval '30 days', $3 - interval '30 days')",
        )
        .bind::<Uuid, _>(id)
        .bind::<Text, _>(title)
        .bind::<Timestamptz, _>(when)
        .bind::<Uuid, _>(by.id.0)
        .execute(&mut self.conn)
        .await
        .expect("event");
        id
    }

    /// Confirmed seats for `members` at `event`, registered a week before it
    /// starts; checked in at its start when `attended`.
    pub async fn register(&mut self, event: RawUuid, members: &[TestMember], attended: bool) {
        for member in members {
            diesel::sql_query(
                "INSERT INTO events.registrations (id, event_id, member_id, status, check_in_code, \
                                                   registered_at, confirmed_at, checked_in_at, updated_at) \
                 SELECT $1, e.id, $3, 'CONFIRMED', upper(substr(md5($1::text), 1, 8)), \
                        e.starts_at - interval '7 days', e.starts_at - interval '7 days', \
                        CASE WHEN $4 THEN e.starts_at END, e.starts_at \
                   FROM events.events e WHERE e.id = $2",
            )
            .bind::<Uuid, _>(RawUuid::now_v7())
            .bind::<Uuid, _>(event)
            .bind::<Uuid, _>(member.id.0)
            .bind::<Bool, _>(attended)
            .execute(&mut self.conn)
            .await
            .expect("registration");
        }
    }

    /// A question by `author` at `when`.
    pub async fn question(&mut self, author: &TestMember, when: DateTime<Utc>) -> RawUuid {
        let id = RawUuid::now_v7();
        diesel::sql_query(
            "INSERT INTO knowledge.questions (id, author_id, title, body, body_html, created_at, updated_at) \
             VALUES ($1, $2, 'どうすればよいですか', '', '', $3, $3)",
        )
        .bind::<Uuid, _>(id)
        .bind::<Uuid, _>(author.id.0)
        .bind::<Timestamptz, _>(when)
        .execute(&mut self.conn)
        .await
        .expect("question");
        id
    }

    /// An answer to `question` by `author` at `when`, accepted or not.
    pub async fn answer(
        &mut self,
        question: RawUuid,
        author: &TestMember,
        when: DateTime<Utc>,
        accepted: bool,
    ) {
        let id = RawUuid::now_v7();
        diesel::sql_query(
            "INSERT INTO knowledge.answers (id, question_id, author_id, body, body_html, created_at, updated_at) \
             VALUES ($1, $2, $3, 'こうです', '', $4, $4)",
        )
        .bind::<Uuid, _>(id)
        .bind::<Uuid, _>(question)
        .bind::<Uuid, _>(author.id.0)
        .bind::<Timestamptz, _>(when)
        .execute(&mut self.conn)
        .await
        .expect("answer");
        if accepted {
            diesel::sql_query(
                "UPDATE knowledge.questions SET accepted_answer_id = $2 WHERE id = $1",
            )
            .bind::<Uuid, _>(question)
            .bind::<Uuid, _>(id)
            .execute(&mut self.conn)
            .await
            .expect("accept");
        }
    }

    /// `count` people on HR's roster, of `company`, leaving in `left_year`.
    pub async fn roster(&mut self, company: RawUuid, left_year: i32, count: i32) {
        diesel::sql_query(
            "INSERT INTO membership.roster_entries (id, employee_number, full_name, full_name_kana, company_id, \
                                                   joined_on, left_on, name_key, kana_key, created_at, updated_at) \
             SELECT gen_random_uuid(), gen_random_uuid()::text, '名簿 太郎', 'めいぼ たろう', $1, \
                    make_date($2 - 5, 4, 1), make_date($2, 3, 31), 'めいぼたろう', 'めいぼたろう', now(), now() \
               FROM generate_series(1, $3)",
        )
        .bind::<Uuid, _>(company)
        .bind::<Integer, _>(left_year)
        .bind::<Integer, _>(count)
        .execute(&mut self.conn)
        .await
        .expect("roster");
    }

    /// Approved applications of `members`, of `company`, leaving in `left_year`.
    pub async fn approved_applications(
        &mut self,
        members: &[TestMember],
        company: RawUuid,
        left_year: i32,
    ) {
        for member in members {
            diesel::sql_query(
                "INSERT INTO membership.applications (id, member_id, status, full_name, full_name_kana, company_id, \
                                                      joined_on, left_on, name_key, kana_key, approval_basis, \
                                                      submitted_at, decided_at) \
                 VALUES (gen_random_uuid(), $1, 'APPROVED', '会員', 'かいいん', $2, make_date($3 - 5, 4, 1), \
                         make_date($3, 3, 31), $1::text, $1::text, 'SECRETARIAT', \
                         '2025-05-20T00:00:00Z', '2025-06-01T00:00:00Z')",
            )
            .bind::<Uuid, _>(member.id.0)
            .bind::<Uuid, _>(company)
            .bind::<Integer, _>(left_year)
            .execute(&mut self.conn)
            .await
            .expect("application");
        }
    }

    /// Refreshes the analytics views as of the app's clock.
    pub async fn refresh(&self) {
        self.app
            .services
            .analytics
            .refresh()
            .await
            .expect("refresh");
    }

    /// Asks `query` as `viewer`.
    pub async fn ask(&self, viewer: &TestMember, query: &str) -> GqlResponse {
        self.app.client_as(viewer).query(query).await
    }
}

impl Cohort {
    /// No company, leave year or department (staff, say).
    pub const NONE: Cohort = Cohort {
        company: None,
        left_year: None,
        department: "",
        consents: true,
    };

    /// Of `company`, leaving in `left_year`, last in `department`.
    pub fn of(company: RawUuid, left_year: i32, department: &'static str) -> Self {
        Self {
            company: Some(company),
            left_year: Some(left_year),
            department,
            consents: true,
        }
    }

    /// The same cohort, without consent to analytics.
    pub fn without_consent(self) -> Self {
        Self {
            consents: false,
            ..self
        }
    }
}

/// A count as the API shows it: `Some(n)`, or `None` when withheld (and
/// then flagged so).
pub fn count(value: &Value) -> Option<i64> {
    let suppressed = value["suppressed"].as_bool().expect("suppressed flag");
    assert_eq!(
        suppressed,
        value["value"].is_null(),
        "withheld iff null: {value}"
    );
    value["value"].as_i64()
}

/// The CSV file at `path` as `viewer` downloads it: its rows after the
/// header (which is checked to be `header`), byte-order mark checked.
pub async fn csv_rows(
    app: &TestApp,
    viewer: &TestMember,
    path: &str,
    header: &[&str],
) -> Vec<Vec<String>> {
    let response = app.client_as(viewer).get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{path}"
    );
    let body = response.bytes().await.unwrap();
    assert!(
        body.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 byte-order mark first"
    );
    let mut reader = csv::Reader::from_reader(&body[3..]);
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), header);
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The small network most tests count: company A (本社, left 2016, 営業部)
/// with 10 members, five of them seen in the last 90 days; B (旧東京システム,
/// left 2021, 開発部) with 6 and C (旧大阪データ, left 2021, 開発部) with 2, all
/// seen recently; and 7 staff without a cohort (the analyst among them),
/// seen the day before. 25 members, each signed in once at the test's start.
pub struct Network {
    pub fixture: Fixture,
    pub analyst: TestMember,
    pub a: Vec<TestMember>,
    pub b: Vec<TestMember>,
    pub c: Vec<TestMember>,
    pub companies: [RawUuid; 3],
}

pub async fn network() -> Network {
    let mut fixture = Fixture::new().await;
    let company_a = fixture.company("本社").await;
    let company_b = fixture.company("旧東京システム").await;
    let company_c = fixture.company("旧大阪データ").await;
    let analyst = fixture.analyst().await;
    let mut staff = vec![analyst.clone()];
    for _ in 0..6 {
        staff.push(fixture.member(&[Role::Employee], Cohort::NONE).await);
    }
    let a = fixture
        .members(10, Cohort::of(company_a, 2016, "営業部"))
        .await;
    let b = fixture
        .members(6, Cohort::of(company_b, 2021, "開発部"))
        .await;
    let c = fixture
        .members(2, Cohort::of(company_c, 2021, "開発部"))
        .await;
    fixture.seen(&a[..5], at("2026-03-20T12:00")).await;
    fixture.seen(&a[5..], at("2025-10-01T12:00")).await;
    fixture.seen(&b, at("2026-03-01T12:00")).await;
    fixture.seen(&c, at("2026-03-01T12:00")).await;
    fixture.seen(&staff, at("2026-03-31T12:00")).await;
    Network {
        fixture,
        analyst,
        a,
        b,
        c,
        companies: [company_a, company_b, company_c],
    }
}
