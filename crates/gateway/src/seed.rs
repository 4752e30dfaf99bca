//! Demo data for every domain.

use alumni_core::AppResult;
use alumni_core::domain::DemoWorld;

use crate::app::App;

/// Loads each domain's demo data into an empty database, in registration
/// order: later domains' demo data refers to earlier ones' (events to
/// membership's members).
pub async fn demo(app: &App) -> AppResult<()> {
    let mut world = DemoWorld::default();
    for domain in app.domains.iter() {
        domain.seed_demo(&mut world).await?;
    }
    // As a running server's workers would: what the demo set off (notices
    // and their mail) is done, and the queue's upkeep is scheduled.
    app.jobs.drain().await?;
    app.jobs.schedule_recurring().await
}
