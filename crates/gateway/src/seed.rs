//! Demo data for every domain.

use alumni_core::AppResult;

use crate::app::App;

/// Loads each domain's demo data into an empty database. Membership goes
/// first: the other domains' demo data refers to its members.
pub async fn demo(app: &App) -> AppResult<()> {
    let members = alumni_membership::demo::seed(&app.services.membership).await?;
    alumni_events::demo::seed(&app.services.events, &members).await?;
    Ok(())
}
