//! Typed identifiers and Relay global ids.
//!
//! Every entity is keyed by a UUID v7 (time-ordered, so inserts stay at the
//! right edge of their B-tree index). In Rust each entity gets its own newtype
//! so a `MemberId` can never be passed where an `EventId` is expected; in
//! GraphQL every object with identity exposes an opaque global id that names
//! both its type and its key, so `node(id:)` can resolve any of them.

use async_graphql::ID;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::AppError;

/// An entity id that can be turned into a Relay global id and back.
pub trait NodeId: Copy + Sized {
    /// The GraphQL type name this id belongs to, e.g. `"Member"`.
    const NODE_TYPE: &'static str;

    /// Wraps a raw UUID.
    fn from_uuid(uuid: Uuid) -> Self;

    /// The raw UUID.
    fn uuid(&self) -> Uuid;

    /// The opaque global id clients see.
    fn to_global(&self) -> ID {
        GlobalId {
            node_type: Self::NODE_TYPE.to_owned(),
            uuid: self.uuid(),
        }
        .encode()
    }

    /// Decodes a global id supplied as argument `field`, refusing ids of other
    /// types with `BAD_USER_INPUT`.
    fn from_global(id: &ID, field: &str) -> Result<Self, AppError> {
        let global = GlobalId::decode(id, field)?;
        if global.node_type != Self::NODE_TYPE {
            return Err(AppError::bad_input(
                field,
                format!("expected the id of a {}", Self::NODE_TYPE),
            ));
        }
        Ok(Self::from_uuid(global.uuid))
    }
}

/// A decoded Relay global id: the GraphQL type name and the entity's UUID.
///
/// The wire form is URL-safe base64 of `Type:uuid`. Clients must treat it as
/// opaque; the encoding may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalId {
    /// GraphQL type name of the entity.
    pub node_type: String,
    /// Primary key of the entity.
    pub uuid: Uuid,
}

impl GlobalId {
    /// Encodes to the opaque wire form.
    pub fn encode(&self) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", self.node_type, self.uuid.simple())))
    }

    /// Decodes the wire form; `field` names the argument for error reporting.
    pub fn decode(id: &ID, field: &str) -> Result<Self, AppError> {
        let malformed = || AppError::bad_input(field, "not a valid id");
        let bytes = URL_SAFE_NO_PAD
            .decode(id.as_str())
            .map_err(|_| malformed())?;
        let text = String::from_utf8(bytes).map_err(|_| malformed())?;
        let (node_type, raw_uuid) = text.split_once(':').ok_or_else(malformed)?;
        let uuid = Uuid::try_parse(raw_uuid).map_err(|_| malformed())?;
        if node_type.is_empty() {
            return Err(malformed());
        }
        Ok(Self {
            node_type: node_type.to_owned(),
            uuid,
        })
    }
}

/// Declares a typed UUID v7 id that maps to a PostgreSQL `uuid` column and to
/// a Relay global id of the given GraphQL type.
///
/// The crate using it must depend on `diesel`, `serde` and `uuid` (every
/// domain crate does).
///
/// ```
/// alumni_core::typed_id!(
///     /// Identifies a widget.
///     WidgetId, "Widget"
/// );
/// let id = WidgetId::new();
/// use alumni_core::NodeId;
/// assert_eq!(WidgetId::from_global(&id.to_global(), "id").unwrap(), id);
/// ```
#[macro_export]
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident, $node_type:literal) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize,
            ::diesel::expression::AsExpression, ::diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = ::diesel::sql_types::Uuid)]
        #[serde(transparent)]
        pub struct $name(pub ::uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(::uuid::Uuid::now_v7())
            }
        }

        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl $crate::pagination::KeyPart for $name {
            fn check(&self) -> ::std::result::Result<(), ::std::string::String> {
                ::std::result::Result::Ok(())
            }
        }

        impl $crate::NodeId for $name {
            const NODE_TYPE: &'static str = $node_type;
            fn from_uuid(uuid: ::uuid::Uuid) -> Self {
                Self(uuid)
            }
            fn uuid(&self) -> ::uuid::Uuid {
                self.0
            }
        }

        impl ::diesel::serialize::ToSql<::diesel::sql_types::Uuid, ::diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, ::diesel::pg::Pg>,
            ) -> ::diesel::serialize::Result {
                <::uuid::Uuid as ::diesel::serialize::ToSql<
                    ::diesel::sql_types::Uuid,
                    ::diesel::pg::Pg,
                >>::to_sql(&self.0, out)
            }
        }

        impl ::diesel::deserialize::FromSql<::diesel::sql_types::Uuid, ::diesel::pg::Pg> for $name {
            fn from_sql(
                bytes: ::diesel::pg::PgValue<'_>,
            ) -> ::diesel::deserialize::Result<Self> {
                <::uuid::Uuid as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Uuid,
                    ::diesel::pg::Pg,
                >>::from_sql(bytes)
                .map(Self)
            }
        }
    };
}

typed_id!(
    /// Identifies a member of the network: anyone with an account, whatever
    /// their roles. Defined in core because every domain refers to members
    /// (authors, speakers, registrants) and the viewer is one.
    MemberId,
    "Member"
);

typed_id!(
    /// Identifies a login session. Part of the viewer so that `logout` can
    /// end exactly the session it was called with.
    SessionId,
    "Session"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_id_round_trips() {
        let id = MemberId::new();
        let global = id.to_global();
        assert_eq!(MemberId::from_global(&global, "id").unwrap(), id);
    }

    #[test]
    fn global_id_of_another_type_is_refused() {
        let global = SessionId::new().to_global();
        let err = MemberId::from_global(&global, "memberId").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert_eq!(err.field(), Some("memberId"));
    }

    #[test]
    fn malformed_global_ids_are_refused() {
        for raw in ["", "***", "TWVtYmVy", "TWVtYmVyOm5vdC1hLXV1aWQ", "OjAxOTM"] {
            let err = GlobalId::decode(&ID(raw.to_owned()), "id").unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{raw}");
        }
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let first = MemberId::new();
        let second = MemberId::new();
        assert!(first < second);
        assert_eq!(first.0.get_version_num(), 7);
    }
}
