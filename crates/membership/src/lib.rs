//! The membership domain: who may join, who they are, and who can see what.
//!
//! This crate owns the PostgreSQL schema `membership`: the company and its
//! predecessors, the former-employee roster, applications and invitations,
//! accounts with their roles and sessions, profiles with per-field
//! visibility, the directory, the shared tag vocabulary, and the terms of
//! use with members' consent. Other domains refer to members by
//! [`alumni_core::MemberId`] and read member data only through this crate's
//! services and loaders.

pub mod demo;
pub mod domain;
pub mod graphql;
pub mod jobs;
pub mod model;
pub mod moderation;
pub mod password;
pub mod rules;
mod schema;
pub mod service;
mod store;
pub mod visibility;

pub use graphql::{Member, MembershipMutation, MembershipQuery, MembershipViewer};
pub use service::{AccountSettings, IssuedSession, MembershipService, NewAccount, PersonName};
pub use visibility::MemberView;
