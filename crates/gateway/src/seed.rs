//! Demo data for every domain.

use alumni_core::AppResult;

use crate::app::App;

/// Loads each domain's demo data into an empty database.
pub async fn demo(app: &App) -> AppResult<()> {
    alumni_membership::demo::seed(&app.membership).await
}
