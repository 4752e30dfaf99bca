//! The membership domain: who belongs to the network and who can see what.
//!
//! This crate owns the PostgreSQL schema `membership`: accounts with their
//! roles, login sessions and sign-in throttling. Other domains refer to
//! members by [`alumni_core::MemberId`] and read member data only through
//! this crate's services and loaders.

pub mod demo;
pub mod graphql;
pub mod model;
pub mod password;
mod schema;
pub mod service;
mod store;
pub mod visibility;

pub use graphql::{Member, MemberLoader, MembershipMutation, MembershipQuery, MembershipViewer};
pub use service::{AccountSettings, IssuedSession, MembershipService, NewAccount};
pub use visibility::MemberView;
