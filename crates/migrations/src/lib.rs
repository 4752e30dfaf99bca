//! Every migration of the database, in one place: the server applies them,
//! and the test harness builds its template database from them. A crate of
//! its own, so that a new migration rebuilds only what runs migrations, not
//! every domain.

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

/// Every migration, embedded in the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// SHA-256 of the migration files, names and contents: the same on every
/// machine and with every Rust release, so test templates built by one
/// checkout are found by another with the same migrations.
pub const FINGERPRINT: &str = env!("ALUMNI_MIGRATIONS_FINGERPRINT");
