//! The audience rule of the migration's `content.admits` as a filter, for
//! the tables whose rows carry an audience (posts and issues).

use diesel::dsl::sql;
use diesel::expression::{AsExpression, SqlLiteral, UncheckedBind};
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Uuid};

use crate::visibility::Reader;

type Roles = <Vec<String> as AsExpression<Array<Text>>>::Expression;
type Company = <Option<uuid::Uuid> as AsExpression<Nullable<Uuid>>>::Expression;
type Year = <Option<i32> as AsExpression<Nullable<Integer>>>::Expression;

/// `content.admits(<table>.audience, …, roles, company, left year)`.
pub type Admitted = SqlLiteral<
    Bool,
    UncheckedBind<
        SqlLiteral<
            Bool,
            UncheckedBind<SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, Roles>>, Company>,
        >,
        Year,
    >,
>;

/// Whether `reader` belongs to the audience of a row of `table`
/// (`content.posts` or `content.issues`, whose audience columns match).
pub fn admitted(table: &'static str, reader: &Reader) -> Admitted {
    sql::<Bool>(&format!(
        "content.admits({table}.audience, {table}.cohort_company_id, {table}.cohort_left_from, \
         {table}.cohort_left_to, {table}.cohort_role, "
    ))
    .bind::<Array<Text>, _>(reader.role_names())
    .sql(", ")
    .bind::<Nullable<Uuid>, _>(reader.company)
    .sql(", ")
    .bind::<Nullable<Integer>, _>(reader.left_year)
    .sql(")")
}
