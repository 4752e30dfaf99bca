//! The contract between a domain and the rest of the system.
//!
//! Every crate that owns data (membership, events, and the domains to come)
//! provides one [`Domain`]: what it puts into each request, its part of a
//! member's data export, of their withdrawal and of "sign out everywhere",
//! its demo data, the files it serves outside GraphQL, and the enums it
//! stores. The gateway
//! registers the domains in one place and drives them through this trait,
//! so a new domain cannot be forgotten by a cross-domain feature: export,
//! withdrawal and sign-out run over every registered domain, inside one
//! transaction the gateway opens. The gateway's tests check the other half:
//! that every schema whose tables refer to members belongs to a registered
//! domain, that every node type round-trips through `node(id:)`, and that
//! every stored enum has the values its columns allow.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::Data;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::enums::StoredEnum;
use crate::error::AppError;
use crate::id::{MemberId, SessionId};
use crate::jobs::JobRegistry;
use crate::viewer::{Identity, RoleSet, Standing, Viewer};

/// A future the contract returns (traits cannot name `async fn` futures
/// that must be `Send` and object-safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What one domain provides to the gateway.
pub trait Domain: Send + Sync + 'static {
    /// Its name: also the key of its part in a member's data export.
    fn name(&self) -> &'static str;

    /// The PostgreSQL schemas whose tables it owns.
    fn schemas(&self) -> &'static [&'static str];

    /// The enums it stores as text, with their columns; the gateway's tests
    /// compare them with the database's lists of allowed values.
    fn stored_enums(&self) -> &'static [StoredEnum];

    /// Adds what one operation needs: the domain's services and
    /// DataLoaders bound to `viewer`. `caching` is false for subscriptions,
    /// whose events are hours apart and must not see stale data.
    fn attach(&self, data: &mut Data, viewer: &Viewer, caching: bool);

    /// Everything the domain holds about the viewer, for their data export,
    /// read on the gateway's connection (one snapshot for all domains).
    /// `None` when it holds nothing about members.
    fn export_member<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, AppError>>;

    /// Removes or releases what the domain holds about a leaving member,
    /// inside the gateway's transaction: should any domain fail, nothing
    /// has happened. Changes announced to live subscribers (see
    /// [`crate::live`]) are heard once that transaction commits.
    fn withdraw_member<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
        leaving: Leaving,
    ) -> BoxFuture<'a, Result<(), AppError>>;

    /// Moves every reference the domain holds to the tag `from` onto the
    /// tag `into` (dropping references that would then repeat), inside the
    /// secretariat's merge transaction. The merge deletes `from`
    /// afterwards, so a reference left behind fails the merge instead of
    /// being lost.
    fn merge_tag<'a>(
        &'a self,
        _conn: &'a mut AsyncPgConnection,
        _from: Uuid,
        _into: Uuid,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async { Ok(()) })
    }

    /// Ends every credential of the member the domain issued (sessions,
    /// feed tokens…), inside the gateway's transaction, for "sign out
    /// everywhere". Returns how many sessions ended, if it keeps sessions.
    fn sign_out_everywhere<'a>(
        &'a self,
        _conn: &'a mut AsyncPgConnection,
        _viewer: &'a Viewer,
    ) -> BoxFuture<'a, Result<usize, AppError>> {
        Box::pin(async { Ok(0) })
    }

    /// Loads the domain's demo data; earlier domains have left theirs in
    /// `demo` (domains are seeded in registration order).
    fn seed_demo<'a>(&'a self, _demo: &'a mut DemoWorld) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async { Ok(()) })
    }

    /// Registers the handlers of the jobs it enqueues, and its recurring
    /// jobs (see [`crate::jobs`]).
    fn jobs(&self, _registry: &mut JobRegistry) {}

    /// The files it serves outside GraphQL (calendars, CSV exports).
    fn files(&self) -> Vec<FileRoute> {
        Vec::new()
    }
}

/// A member leaving the network, and what they chose on the way out.
#[derive(Debug, Clone, Copy)]
pub struct Leaving {
    /// The member.
    pub member: MemberId,
    /// Whether what they wrote for others' benefit (questions and answers)
    /// goes too; by default it stays under "withdrawn member".
    pub erase_contributions: bool,
    /// Whether the text of their named feedback may stay (without their
    /// name) for the company to learn from; by default it is erased.
    pub keep_feedback_text: bool,
}

/// A demo member acting through the services while demo data is written,
/// as a request of theirs would (approved, terms accepted, holding
/// `roles`), so demo data passes every rule real data does.
pub fn demo_viewer(member: MemberId, roles: RoleSet) -> Viewer {
    Viewer::Member(Identity {
        member_id: member,
        session_id: SessionId::new(),
        session_expires_at: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        roles,
        standing: Standing::Member,
        terms_accepted: true,
    })
}

/// What earlier domains' demo data left for later ones (membership's demo
/// members for events, say), by type.
#[derive(Default)]
pub struct DemoWorld(HashMap<TypeId, Box<dyn Any + Send>>);

impl DemoWorld {
    /// Leaves `value` for the domains seeded later.
    pub fn insert<T: Any + Send>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Box::new(value));
    }

    /// What an earlier domain left, if it did.
    pub fn get<T: Any + Send>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

/// A file served at `GET path`, where `path` has one parameter, e.g.
/// `/calendar/{file}`.
#[derive(Clone)]
pub struct FileRoute {
    /// The route, in axum's syntax, with one `{parameter}`.
    pub path: &'static str,
    /// Whether the bearer token is read: files reached by a secret in
    /// their URL (calendar feeds) need none.
    pub signed_in: bool,
    /// Produces the file.
    pub serve: Arc<dyn Fn(FileRequest) -> BoxFuture<'static, Result<File, AppError>> + Send + Sync>,
}

/// A request for a file.
pub struct FileRequest {
    /// Who asks.
    pub viewer: Viewer,
    /// The path's one parameter, e.g. `01a2….ics`.
    pub parameter: String,
    /// The query string's pairs, decoded, in order (`from=2026-01-01`).
    pub query: Vec<(String, String)>,
}

/// A file to send.
pub struct File {
    /// Its media type, e.g. `text/calendar; charset=utf-8`.
    pub content_type: &'static str,
    /// The name to save it under.
    pub name: String,
    /// Its bytes.
    pub body: Vec<u8>,
}
