//! The PostgreSQL role an analyst's own tools (psql, Metabase, Excel)
//! connect as: it reads the `analytics` schema and nothing else.
//!
//! What holds it there is privileges, not settings: the role is no
//! superuser, creates nothing, belongs to no other role, and holds
//! nothing on any schema but `analytics`, where it may only `SELECT`
//! (granting it again revokes whatever else it was given since). Its
//! defaults (read-only transactions, a statement timeout, `analytics` on
//! the search path) guard against mistakes; PostgreSQL lets any session
//! change them for itself, so they are no limit on a determined user
//! (docs/analytics.md).

use alumni_core::{AppError, AppResult};
use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};

/// The statement timeout the role gets unless told otherwise.
pub const DEFAULT_STATEMENT_TIMEOUT: &str = "30s";

/// How many connections the role may hold at once.
const CONNECTION_LIMIT: i32 = 10;

/// What `alumni analytics grant` sets up.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    /// The role's name: lower-case letters, digits and `_`, at most 63.
    pub role: &'a str,
    /// Its password, if it signs in with one (otherwise `pg_hba.conf`
    /// decides how it may connect).
    pub password: Option<&'a str>,
    /// Its statement timeout, in PostgreSQL's units (`30s`, `2min`).
    pub statement_timeout: &'a str,
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granted {
    /// The role did not exist.
    Created,
    /// The role existed and was brought back to read the analytics schema
    /// only.
    Updated,
}

#[derive(QueryableByName)]
struct ExistingRole {
    #[diesel(sql_type = Bool)]
    privileged: bool,
    #[diesel(sql_type = Bool)]
    current: bool,
}

#[derive(QueryableByName)]
struct Statement {
    #[diesel(sql_type = Text)]
    sql: String,
}

fn checked_name(role: &str) -> AppResult<()> {
    let valid = !role.is_empty()
        && role.len() <= 63
        && role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !role.starts_with("pg_");
    if valid {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "role",
            "lower-case letters, digits and _ (at most 63, not starting with pg_)",
        ))
    }
}

fn checked_timeout(timeout: &str) -> AppResult<()> {
    let digits = timeout.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &timeout[digits.len()..];
    let valid = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && ["ms", "s", "min"].contains(&unit)
        && digits.parse::<u64>().is_ok_and(|n| n > 0);
    if valid {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "statement_timeout",
            "a positive number with ms, s or min, e.g. 30s",
        ))
    }
}

/// Runs a statement built by the server's `format()`, which quotes the
/// identifiers (`%I`) and literals (`%L`) given as parameters.
async fn run_formatted(
    conn: &mut AsyncPgConnection,
    template: &str,
    arguments: &[&str],
) -> diesel::QueryResult<()> {
    let placeholders: Vec<String> = (1..=arguments.len()).map(|n| format!("${n}")).collect();
    let query = format!(
        "SELECT format('{template}', {}) AS sql",
        placeholders.join(", ")
    );
    let mut statement = diesel::sql_query(query).into_boxed();
    for argument in arguments {
        statement = statement.bind::<Text, _>(argument.to_string());
    }
    let built: Statement = statement.get_result(conn).await?;
    diesel::sql_query(built.sql).execute(conn).await?;
    Ok(())
}

/// Creates the role, or brings an existing one back to reading the
/// analytics schema only, in one transaction. Refuses a role that is a
/// superuser or may create roles or databases, and the role connected.
pub async fn grant(conn: &mut AsyncPgConnection, grant: &Grant<'_>) -> AppResult<Granted> {
    checked_name(grant.role)?;
    checked_timeout(grant.statement_timeout)?;
    let role = grant.role;
    conn.transaction(async |conn| {
        let existing: Option<ExistingRole> = diesel::sql_query(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls AS privileged, \
                    rolname = current_user AS current \
               FROM pg_roles WHERE rolname = $1",
        )
        .bind::<Text, _>(role)
        .get_result(conn)
        .await
        .map(Some)
        .or_else(|error| match error {
            diesel::result::Error::NotFound => Ok(None),
            error => Err(error),
        })?;
        if let Some(existing) = &existing
            && (existing.privileged || existing.current)
        {
            return Err(AppError::bad_input(
                "role",
                "is a privileged role or the one connected: choose a role for analysts only",
            ));
        }
        let verb = if existing.is_some() { "ALTER" } else { "CREATE" };
        let attributes = format!(
            "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT {CONNECTION_LIMIT}"
        );
        run_formatted(conn, &format!("{verb} ROLE %I {attributes}"), &[role]).await?;
        match grant.password {
            Some(password) => run_formatted(conn, "ALTER ROLE %I PASSWORD %L", &[role, password]).await?,
            None => run_formatted(conn, "ALTER ROLE %I PASSWORD NULL", &[role]).await?,
        }
        for (setting, value) in [
            ("statement_timeout", grant.statement_timeout),
            ("idle_in_transaction_session_timeout", "60s"),
            ("default_transaction_read_only", "on"),
            ("search_path", "analytics"),
        ] {
            run_formatted(conn, "ALTER ROLE %I SET %s = %L", &[role, setting, value]).await?;
        }
        // Whatever it was given before: memberships of other roles, and
        // every privilege on every other schema of this database.
        let memberships: Vec<Statement> = diesel::sql_query(
            "SELECT format('REVOKE %I FROM %I', g.rolname, m.rolname) AS sql \
               FROM pg_auth_members a \
               JOIN pg_roles g ON g.oid = a.roleid \
               JOIN pg_roles m ON m.oid = a.member \
              WHERE m.rolname = $1",
        )
        .bind::<Text, _>(role)
        .load(conn)
        .await?;
        let revocations: Vec<Statement> = diesel::sql_query(
            "SELECT format(t, nspname, $1) AS sql \
               FROM pg_namespace, \
                    unnest(ARRAY['REVOKE ALL ON SCHEMA %I FROM %I', \
                                 'REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', \
                                 'REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', \
                                 'REVOKE ALL ON ALL ROUTINES IN SCHEMA %I FROM %I']) AS t \
              WHERE nspname NOT IN ('analytics', 'pg_catalog', 'information_schema') \
                AND nspname NOT LIKE 'pg\\_%'",
        )
        .bind::<Text, _>(role)
        .load(conn)
        .await?;
        for statement in memberships.into_iter().chain(revocations) {
            diesel::sql_query(statement.sql).execute(conn).await?;
        }
        let database: Statement = diesel::sql_query("SELECT current_database() AS sql")
            .get_result(conn)
            .await?;
        run_formatted(conn, "GRANT CONNECT ON DATABASE %I TO %I", &[&database.sql, role]).await?;
        for template in [
            "REVOKE ALL ON SCHEMA analytics FROM %I",
            "REVOKE ALL ON ALL TABLES IN SCHEMA analytics FROM %I",
            "GRANT USAGE ON SCHEMA analytics TO %I",
            "GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO %I",
            // Views added by later migrations are readable too.
            "ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO %I",
        ] {
            run_formatted(conn, template, &[role]).await?;
        }
        Ok(if existing.is_some() {
            Granted::Updated
        } else {
            Granted::Created
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_timeouts_are_checked_before_anything_runs() {
        for good in ["analyst", "bi_tool_2", "_x"] {
            assert!(checked_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Analyst",
            "pg_monitor",
            "a-b",
            "a\"; DROP",
            &"a".repeat(64),
        ] {
            assert!(checked_name(bad).is_err(), "{bad}");
        }
        for good in ["30s", "500ms", "2min"] {
            assert!(checked_timeout(good).is_ok(), "{good}");
        }
        for bad in ["", "0s", "30", "s", "1h", "30s; RESET"] {
            assert!(checked_timeout(bad).is_err(), "{bad}");
        }
    }
}
