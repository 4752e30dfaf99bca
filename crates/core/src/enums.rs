//! Enums stored as text: one declaration gives the GraphQL enum, the
//! diesel mapping to a `text` column and serde, with the same names
//! everywhere.
//!
//! The database checks stored values against a list of its own
//! (`CHECK (status IN (…))`, or `<@ ARRAY[…]` for arrays). An enum names the
//! columns that hold it (`stored in …`), which gives it a [`StoredEnum`];
//! every crate lists its stored enums (a [`Domain`](crate::domain::Domain)
//! returns them), and a test of the migrated database
//! (`tests/api/stored_enums.rs`) compares each column's list with the
//! enum's values, both ways, so a value added on one side only fails it.

/// An enum stored as text and the columns that hold it.
#[derive(Debug, Clone, Copy)]
pub struct StoredEnum {
    /// The Rust type, for messages.
    pub name: &'static str,
    /// Each column holding it, as `schema.table.column`: `text`, or `text[]`
    /// for a set of values.
    pub columns: &'static [&'static str],
    /// The names of its values.
    pub values: &'static [&'static str],
    /// Values it has but never stores (they are derived when a row is
    /// read), which the database must refuse.
    pub derived: &'static [&'static str],
}

impl StoredEnum {
    /// The values its columns may hold.
    pub fn stored_values(&self) -> impl Iterator<Item = &'static str> {
        let derived = self.derived;
        self.values
            .iter()
            .copied()
            .filter(move |value| !derived.contains(value))
    }
}

/// The enums core stores in its own tables.
pub const STORED_ENUMS: &[StoredEnum] = &[
    crate::idempotency::KeyState::STORED,
    crate::jobs::JobState::STORED,
];

/// Declares an enum whose variants are stored, serialised and exposed in
/// GraphQL under the given names. Doc comments on variants become their
/// GraphQL descriptions. The crate using it must depend on `async-graphql`,
/// `diesel` and `serde`.
///
/// An enum kept in the database names its columns after `stored in`, and
/// after `except` any values that are derived rather than stored; this
/// gives it `STORED`, a [`StoredEnum`] for its crate's list.
///
/// ```
/// alumni_core::text_enum! {
///     /// How loud.
///     pub enum Volume stored in "studio.takes.volume" {
///         /// Barely.
///         Quiet = "QUIET",
///         /// Very.
///         Loud = "LOUD",
///     }
/// }
/// assert_eq!(Volume::parse("LOUD"), Some(Volume::Loud));
/// assert_eq!(Volume::Quiet.as_str(), "QUIET");
/// assert_eq!(Volume::STORED.columns, ["studio.takes.volume"]);
/// assert_eq!(Volume::STORED.values, ["QUIET", "LOUD"]);
/// ```
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident
            $(stored in $($column:literal),+ $(except $($derived:literal),+)?)?
        {
            $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::async_graphql::Enum,
            ::serde::Serialize, ::serde::Deserialize,
            ::diesel::expression::AsExpression, ::diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = ::diesel::sql_types::Text)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                #[serde(rename = $text)]
                #[graphql(name = $text)]
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored name of every variant, in declaration order.
            pub const VALUES: &'static [&'static str] = &[$($text,)+];

            $(
                /// The columns holding this enum, with its values.
                pub const STORED: $crate::enums::StoredEnum = $crate::enums::StoredEnum {
                    name: ::std::stringify!($name),
                    columns: &[$($column,)+],
                    values: $name::VALUES,
                    derived: &[$($($derived,)+)?],
                };
            )?

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The variant stored under `text`.
            pub fn parse(text: &str) -> ::std::option::Option<Self> {
                match text {
                    $($text => ::std::option::Option::Some($name::$variant),)+
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, ::diesel::pg::Pg>,
            ) -> ::diesel::serialize::Result {
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl ::diesel::deserialize::FromSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $name {
            fn from_sql(bytes: ::diesel::pg::PgValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let text = <::std::string::String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    ::diesel::pg::Pg,
                >>::from_sql(bytes)?;
                $name::parse(&text).ok_or_else(|| {
                    format!("unknown {} value {:?}", stringify!($name), text).into()
                })
            }
        }
    };
}
