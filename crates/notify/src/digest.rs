//! The activity digest's contract with the domains.
//!
//! A member gets a mail every week or month (their choice, or none) with
//! what is new since their last visit. The notification crate decides who
//! gets one and when, keeps it to one per member and period, adds the
//! member's own unread notifications they chose to read in the digest,
//! and leaves out a digest with nothing in it. Everything else comes from
//! [`DigestSource`]s, one or more per domain, which the gateway registers
//! in its domain list: a new domain adds a section without touching the
//! digest code.

use std::sync::Arc;

use alumni_core::domain::BoxFuture;
use alumni_core::{AppResult, MemberId, RoleSet};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

/// Whom a digest is for, and the window it covers.
#[derive(Debug, Clone)]
pub struct DigestReader {
    /// The member.
    pub member_id: MemberId,
    /// Their roles: a section lists only what they may see.
    pub roles: RoleSet,
    /// Their last visit (or, never seen, the start of the previous
    /// period): a section lists what is new since then.
    pub since: DateTime<Utc>,
    /// Now.
    pub now: DateTime<Utc>,
    /// The most items a section lists; it says how many more there are.
    pub limit: i64,
}

/// One section of a digest, e.g. the upcoming events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSection {
    /// Its heading.
    pub title: String,
    /// What it lists, at most [`DigestReader::limit`].
    pub items: Vec<DigestItem>,
    /// How many more there are beyond `items`.
    pub more: i64,
}

/// One entry of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestItem {
    /// What it is, e.g. an event's title.
    pub title: String,
    /// A line or two of particulars (when and where, say).
    pub details: Vec<String>,
    /// Where to read it: a path under the network's public address.
    pub path: Option<String>,
}

/// A part of the digest a domain writes.
pub trait DigestSource: Send + Sync + 'static {
    /// What it has for `reader`, on the digest's connection (inside the
    /// transaction that records the digest); `None` or an empty section
    /// when nothing is new. A constant number of statements: it runs once
    /// per member and period.
    fn section<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        reader: &'a DigestReader,
    ) -> BoxFuture<'a, AppResult<Option<DigestSection>>>;
}

/// Every registered source, in the order their sections appear.
#[derive(Clone, Default)]
pub struct DigestSources(Arc<[Arc<dyn DigestSource>]>);

impl DigestSources {
    /// The sources, in order.
    pub fn new(sources: Vec<Arc<dyn DigestSource>>) -> Self {
        Self(sources.into())
    }

    /// Each source, in order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn DigestSource> {
        self.0.iter().map(|source| &**source as &dyn DigestSource)
    }
}
