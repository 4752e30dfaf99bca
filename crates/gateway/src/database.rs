//! The database the server runs on: where it is, and its migrations.

use alumni_core::db::local::{PgServer, ServerOrigin};
use alumni_core::db::{self, MigrationError};
use alumni_migrations::MIGRATIONS;

use crate::config::DatabaseConfig;

/// The database created on a server found automatically.
pub const LOCAL_DATABASE_NAME: &str = "alumni";

/// A database ready to connect to.
#[derive(Debug, Clone)]
pub struct ResolvedDatabase {
    /// Its URL.
    pub url: String,
    /// How it was found.
    pub origin: ServerOrigin,
}

/// Resolves the database as described in [`alumni_core::db::local`],
/// creating database `alumni` on a server found automatically.
pub async fn resolve(config: &DatabaseConfig) -> anyhow::Result<ResolvedDatabase> {
    let server = PgServer::locate(
        config.database_url.as_deref(),
        &config.data_dir.join("postgres"),
    )
    .await?;
    let url = match server.origin {
        ServerOrigin::Configured => server.url().to_owned(),
        ServerOrigin::LocalDefault | ServerOrigin::PrivateCluster(_) => {
            server.ensure_database(LOCAL_DATABASE_NAME).await?
        }
    };
    Ok(ResolvedDatabase {
        url,
        origin: server.origin,
    })
}

/// Applies pending migrations; returns the versions applied.
pub async fn migrate(database_url: &str) -> Result<Vec<String>, MigrationError> {
    db::run_migrations(database_url, MIGRATIONS).await
}
