//! Notifications: what the network tells its members, and how.
//!
//! This crate owns the PostgreSQL schema `notify`: in-app notifications
//! with their unread state, each member's channel per kind of notification
//! (in the app, e-mail at once, the digest, or off), the mail outbox and
//! one-click unsubscribe tokens. Domains above it tell members of things
//! through [`NotifyService::notify_in`] inside their own transactions;
//! mail is sent by the job queue ([`alumni_core::jobs`]) over SMTP, or
//! written to a folder when no SMTP server is configured ([`mail`]); new
//! notifications reach open subscriptions of every server process through
//! [`alumni_core::live`]. The weekly or monthly activity digest is
//! composed from sections the domains register ([`digest`]). Membership, which sits below this crate, reaches
//! it through jobs it enqueues ([`membership`]).

pub mod digest;
pub mod domain;
pub mod graphql;
pub mod mail;
pub mod membership;
pub mod model;
pub mod rules;
mod schema;
pub mod service;
mod store;

pub use model::{
    DigestFrequency, NoticeKind, NoticeKinds, NotificationChannel, NotificationId,
    NotificationRecord,
};
pub use service::{DigestOutcome, MailContent, NOTIFICATIONS_CHANNEL, Notice, NotifyService};
