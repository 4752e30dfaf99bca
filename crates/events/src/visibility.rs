//! What of an event each viewer may see and do. Services, GraphQL objects
//! and the calendar all decide through these functions, so no path (a list,
//! `node(id:)`, a nested field, a loader, a calendar file) reads around them.

use alumni_core::moderation;
use alumni_core::{Role, RoleSet, Viewer};

use crate::model::{
    Audience, Confidentiality, EventRecord, EventStatus, MaterialRecord, RegistrationRecord,
    RegistrationStatus,
};

/// Whether the viewer may see the event at all: drafts are for the
/// secretariat; everything else for every signed-in member.
pub fn sees_event(viewer: &Viewer, event: &EventRecord) -> bool {
    // The viewer's gates (applicant, outstanding terms) apply here too, so
    // no caller can show an event to someone not yet allowed in.
    viewer.identity().is_ok()
        && (event.status != EventStatus::Draft || viewer.has_role(Role::Secretariat))
        && moderation::sees(viewer, event.moderation, Some(event.created_by))
}

/// Whether the viewer may see a material of an event they see: held,
/// hidden and deleted material only for whoever added it and moderators.
pub fn sees_material(viewer: &Viewer, material: &MaterialRecord) -> bool {
    moderation::sees(viewer, material.moderation, Some(material.added_by))
}

/// Whether lists show the viewer held, hidden and deleted events and
/// materials (moderators and the secretariat, who work the review queue).
pub fn sees_withheld(viewer: &Viewer) -> bool {
    moderation::moderates(viewer)
}

/// Whether the viewer may see drafts.
pub fn sees_drafts(viewer: &Viewer) -> bool {
    viewer.has_role(Role::Secretariat)
}

/// Whether the viewer may see the event's join URL: the secretariat, and
/// members whose own registration (`registration`) is confirmed.
pub fn sees_join_url(viewer: &Viewer, registration: Option<&RegistrationRecord>) -> bool {
    viewer.has_role(Role::Secretariat)
        || registration.is_some_and(|registration| {
            registration.status == RegistrationStatus::Confirmed
                && viewer.is_member(registration.member_id)
        })
}

/// The confidentiality levels of material the viewer may see: internal-only
/// material is for employees and the secretariat.
pub fn visible_confidentiality(viewer: &Viewer) -> &'static [Confidentiality] {
    if viewer.has_role(Role::Employee) || viewer.has_role(Role::Secretariat) {
        &[Confidentiality::AlumniOk, Confidentiality::InternalOnly]
    } else {
        &[Confidentiality::AlumniOk]
    }
}

/// Whether the viewer may see a registration's private particulars
/// (waitlist position, check-in code): its member and the secretariat.
pub fn sees_registration_details(viewer: &Viewer, registration: &RegistrationRecord) -> bool {
    viewer.is_member(registration.member_id) || viewer.has_role(Role::Secretariat)
}

/// Whether the viewer belongs to the audience and may register.
pub fn in_audience(viewer: &Viewer, audience: Audience) -> bool {
    match audience {
        Audience::Everyone => matches!(viewer, Viewer::Member(_)),
        _ => viewer
            .identity()
            .is_ok_and(|identity| admits(identity.roles, audience)),
    }
}

/// Whether a member holding `roles` belongs to the audience (for work
/// done for a member outside a request, such as their digest).
pub fn admits(roles: RoleSet, audience: Audience) -> bool {
    match audience {
        Audience::Alumni => roles.contains(Role::Alumnus),
        Audience::Employees => roles.contains(Role::Employee),
        Audience::Everyone => true,
    }
}
