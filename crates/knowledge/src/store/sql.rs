//! Statements put together from optional parts, with numbered
//! placeholders added as the parts need them.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{Array, Integer, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

/// A value for a placeholder.
pub enum Bind {
    /// Text.
    Text(String),
    /// Texts.
    Texts(Vec<String>),
    /// An id.
    Uuid(Uuid),
    /// Ids.
    Uuids(Vec<Uuid>),
    /// A number.
    Int(i32),
    /// A time.
    Time(DateTime<Utc>),
}

/// The values of a statement's placeholders, in order.
#[derive(Default)]
pub struct Binds(Vec<Bind>);

impl Binds {
    /// Adds a value and names its placeholder (`$n`).
    pub fn add(&mut self, bind: Bind) -> String {
        self.0.push(bind);
        format!("${}", self.0.len())
    }

    /// The statement with every value bound.
    pub fn bind_to(
        self,
        sql: String,
    ) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
        let mut query = diesel::sql_query(sql).into_boxed::<Pg>();
        for bind in self.0 {
            query = match bind {
                Bind::Text(value) => query.bind::<Text, _>(value),
                Bind::Texts(value) => query.bind::<Array<Text>, _>(value),
                Bind::Uuid(value) => query.bind::<SqlUuid, _>(value),
                Bind::Uuids(value) => query.bind::<Array<SqlUuid>, _>(value),
                Bind::Int(value) => query.bind::<Integer, _>(value),
                Bind::Time(value) => query.bind::<Timestamptz, _>(value),
            };
        }
        query
    }
}
