//! The read-only role of `alumni analytics grant`: it reads the
//! `analytics` schema and nothing else, and cannot write.

use alumni_analytics::role::{Grant, Granted, grant};
use alumni_core::Role;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};

use crate::support::{Cohort, Fixture};

const PASSWORD: &str = "a long analyst password";

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `url` with `role` (and its password) as the user.
fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{role}:{}@{host}", PASSWORD.replace(' ', "%20"))
}

async fn refused(conn: &mut AsyncPgConnection, sql: &str) {
    let error = diesel::sql_query(sql)
        .execute(conn)
        .await
        .expect_err(&format!("the role ran {sql}"));
    assert!(
        error.to_string().contains("permission denied"),
        "{sql}: {error}"
    );
}

async fn setting(conn: &mut AsyncPgConnection, name: &str) -> String {
    diesel::sql_query(format!("SELECT current_setting('{name}') AS name"))
        .get_result::<Name>(conn)
        .await
        .expect("setting")
        .name
}

async fn drop_role(conn: &mut AsyncPgConnection, role: &str) {
    for sql in [format!("DROP OWNED BY {role}"), format!("DROP ROLE {role}")] {
        diesel::sql_query(sql)
            .execute(conn)
            .await
            .expect("drop the role");
    }
}

#[tokio::test]
async fn the_role_reads_the_analytics_schema_and_nothing_else() {
    let mut f = Fixture::new().await;
    let company = f.company("本社").await;
    f.member(&[Role::Analyst], Cohort::NONE).await;
    f.members(5, Cohort::of(company, 2016, "営業部")).await;
    f.member(
        &[Role::Alumnus],
        Cohort::of(company, 2016, "営業部").without_consent(),
    )
    .await;
    f.refresh().await;
    let role = format!(
        "analyst_{}",
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    );
    let settings = Grant {
        role: &role,
        password: Some(PASSWORD),
        statement_timeout: "30s",
    };
    assert_eq!(
        grant(&mut f.conn, &settings).await.unwrap(),
        Granted::Created
    );

    let mut analyst = AsyncPgConnection::establish(&as_role(f.app.database().url(), &role))
        .await
        .expect("the role connects");
    // The views, by their names alone (the search path is `analytics`).
    let members: Count = diesel::sql_query("SELECT count(*) AS n FROM members")
        .get_result(&mut analyst)
        .await
        .expect("members");
    assert_eq!(members.n, 6, "consenting members only");
    for view in [
        "member_activity",
        "events",
        "posts",
        "question_months",
        "refresh",
    ] {
        diesel::sql_query(format!("SELECT count(*) AS n FROM analytics.{view}"))
            .get_result::<Count>(&mut analyst)
            .await
            .unwrap_or_else(|error| panic!("{view}: {error}"));
    }
    assert_eq!(setting(&mut analyst, "statement_timeout").await, "30s");
    assert_eq!(
        setting(&mut analyst, "default_transaction_read_only").await,
        "on"
    );

    // Every table and view of every other schema.
    let elsewhere: Vec<Name> = diesel::sql_query(
        "SELECT format('%I.%I', schemaname, relname) AS name FROM ( \
             SELECT schemaname, tablename AS relname FROM pg_tables \
             UNION ALL SELECT schemaname, viewname FROM pg_views \
             UNION ALL SELECT schemaname, matviewname FROM pg_matviews) r \
          WHERE schemaname NOT IN ('analytics', 'pg_catalog', 'information_schema')",
    )
    .load(&mut f.conn)
    .await
    .unwrap();
    let names: Vec<&str> = elsewhere.iter().map(|n| n.name.as_str()).collect();
    for expected in [
        "membership.members",
        "membership.analytics_members",
        "feedback.items",
        "analytics_private.members",
        "analytics_private.pseudonym_secret",
        "public.__diesel_schema_migrations",
    ] {
        assert!(names.contains(&expected), "{expected} is among {names:?}");
    }
    for name in &names {
        refused(&mut analyst, &format!("SELECT 1 FROM {name} LIMIT 1")).await;
    }

    // No writes, even with read-only transactions turned off.
    diesel::sql_query("SET default_transaction_read_only = off")
        .execute(&mut analyst)
        .await
        .unwrap();
    for sql in [
        "UPDATE analytics.refresh SET as_of = now()",
        "DELETE FROM analytics.refresh",
        "CREATE TABLE analytics.scratch (id integer)",
        "CREATE TABLE public.scratch (id integer)",
        "CREATE SCHEMA scratch",
        "CREATE VIEW analytics.copy AS SELECT 1",
        "REFRESH MATERIALIZED VIEW analytics_private.members",
    ] {
        let error = diesel::sql_query(sql)
            .execute(&mut analyst)
            .await
            .expect_err(sql);
        let message = error.to_string();
        assert!(
            message.contains("permission denied") || message.contains("must be owner"),
            "{sql}: {message}"
        );
    }
    drop(analyst);

    // Granting again takes back whatever was given since.
    for sql in [
        format!("GRANT USAGE ON SCHEMA membership TO {role}"),
        format!("GRANT SELECT ON membership.members TO {role}"),
    ] {
        diesel::sql_query(sql).execute(&mut f.conn).await.unwrap();
    }
    assert_eq!(
        grant(&mut f.conn, &settings).await.unwrap(),
        Granted::Updated
    );
    let mut analyst = AsyncPgConnection::establish(&as_role(f.app.database().url(), &role))
        .await
        .unwrap();
    refused(&mut analyst, "SELECT 1 FROM membership.members").await;
    drop(analyst);
    drop_role(&mut f.conn, &role).await;
}

#[tokio::test]
async fn a_privileged_role_is_never_turned_into_an_analysts_role() {
    let mut f = Fixture::new().await;
    let current: Name = diesel::sql_query("SELECT current_user::text AS name")
        .get_result(&mut f.conn)
        .await
        .unwrap();
    let error = grant(
        &mut f.conn,
        &Grant {
            role: &current.name,
            password: None,
            statement_timeout: "30s",
        },
    )
    .await
    .expect_err("the connected role is refused");
    assert_eq!(error.code(), "BAD_USER_INPUT");
    for bad in ["Robert'); DROP TABLE x;--", "pg_read_all_data"] {
        let error = grant(
            &mut f.conn,
            &Grant {
                role: bad,
                password: None,
                statement_timeout: "30s",
            },
        )
        .await
        .expect_err(bad);
        assert_eq!(error.code(), "BAD_USER_INPUT");
    }
}
