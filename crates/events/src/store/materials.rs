//! Materials of events.

use alumni_core::moderation::ModerationState;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{Confidentiality, EventId, MaterialId, MaterialRecord};
use crate::schema::events::materials;

/// Attaches a material.
pub async fn insert_material(
    conn: &mut AsyncPgConnection,
    material: &MaterialRecord,
) -> QueryResult<()> {
    diesel::insert_into(materials::table)
        .values(material)
        .execute(conn)
        .await?;
    Ok(())
}

/// Materials by id that have one of the `levels`.
pub async fn materials_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[MaterialId],
    levels: &[Confidentiality],
) -> QueryResult<Vec<MaterialRecord>> {
    materials::table
        .filter(materials::id.eq_any(ids))
        .filter(materials::confidentiality.eq_any(levels))
        .select(MaterialRecord::as_select())
        .load(conn)
        .await
}

/// The materials of several events that have one of the `levels`, oldest
/// first.
pub async fn materials_of(
    conn: &mut AsyncPgConnection,
    event_ids: &[EventId],
    levels: &[Confidentiality],
) -> QueryResult<Vec<MaterialRecord>> {
    materials::table
        .filter(materials::event_id.eq_any(event_ids))
        .filter(materials::confidentiality.eq_any(levels))
        .order((materials::event_id, materials::added_at, materials::id))
        .select(MaterialRecord::as_select())
        .load(conn)
        .await
}

/// One material, whatever its confidentiality or state.
pub async fn material(
    conn: &mut AsyncPgConnection,
    id: MaterialId,
) -> QueryResult<Option<MaterialRecord>> {
    materials::table
        .find(id)
        .select(MaterialRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Sets whether members see a material.
pub async fn set_moderation(
    conn: &mut AsyncPgConnection,
    id: MaterialId,
    state: ModerationState,
) -> QueryResult<()> {
    diesel::update(materials::table.find(id))
        .set(materials::moderation.eq(state))
        .execute(conn)
        .await?;
    Ok(())
}
