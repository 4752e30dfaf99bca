//! Test harness of the Alumni Network.
//!
//! - [`TestDb`]: an isolated database per test, cloned from a migrated
//!   template, dropped afterwards; parallel-safe.
//! - [`TestApp`]: the real router on an ephemeral port over such a
//!   database, with a manual clock, a statement counter for N+1 tests and a
//!   cuttable link to the database for outage tests.
//! - [`TestClient`]: GraphQL over HTTP, signed in as a given member or not;
//!   subscriptions over WebSocket ([`TestSubscription`]).
//! - [`SmtpServer`]: a real SMTP server that records what it receives.
//!
//! ```no_run
//! # async fn example() {
//! use alumni_core::Role;
//! use alumni_test_support::TestApp;
//!
//! let app = TestApp::spawn().await;
//! let secretariat = app.create_member(&[Role::Secretariat]).await;
//! let response = app.client_as(&secretariat).query("{ me { roles } }").await;
//! assert_eq!(response.data()["me"]["roles"][0], "SECRETARIAT");
//! # }
//! ```

mod app;
pub mod browser;
mod client;
mod proxy;
mod smtp;
mod subscription;

pub use alumni_test_db::TestDb;
pub use app::{TEST_PASSWORD, TestApp, TestMember, test_start};
pub use client::{GqlResponse, TestClient};
pub use proxy::DbProxy;
pub use smtp::{ReceivedMail, SmtpServer};
pub use subscription::{SocketEvent, TestSocket, TestSubscription};
