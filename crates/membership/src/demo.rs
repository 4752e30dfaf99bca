//! Demo accounts for `alumni seed --demo` and the first run on an empty
//! database. Addresses use the reserved `.example` domain.

use alumni_core::{AppResult, MemberId, Role, RoleSet};

use crate::service::{MembershipService, NewAccount};

/// Password of every demo account. Demo data is for local use only.
pub const DEMO_PASSWORD: &str = "alumni-demo-2026";

/// The demo secretariat (HR) account.
pub const DEMO_SECRETARIAT_EMAIL: &str = "secretariat@alumni.example";
/// The demo HR analyst account.
pub const DEMO_ANALYST_EMAIL: &str = "analyst@alumni.example";
/// A demo alumnus.
pub const DEMO_ALUMNUS_EMAIL: &str = "hanako.sato@alumni.example";

/// Demo sign-ins, as `(e-mail, role)` pairs, for printing.
pub const DEMO_LOGINS: [(&str, Role); 3] = [
    (DEMO_SECRETARIAT_EMAIL, Role::Secretariat),
    (DEMO_ANALYST_EMAIL, Role::Analyst),
    (DEMO_ALUMNUS_EMAIL, Role::Alumnus),
];

/// The demo members other domains' demo data can refer to (speakers,
/// registrants, authors).
#[derive(Debug, Clone, Default)]
pub struct DemoMembers {
    /// The secretariat account.
    pub secretariat: Option<MemberId>,
    /// The analyst account.
    pub analyst: Option<MemberId>,
    /// Approved alumni.
    pub alumni: Vec<MemberId>,
    /// Current employees.
    pub employees: Vec<MemberId>,
}

/// Creates the demo accounts.
pub async fn seed(service: &MembershipService) -> AppResult<DemoMembers> {
    let mut members = DemoMembers::default();
    for (email, role) in DEMO_LOGINS {
        let record = service
            .create_account(NewAccount {
                email: email.to_owned(),
                password: DEMO_PASSWORD.to_owned(),
                roles: RoleSet::EMPTY.with(role),
            })
            .await?;
        match role {
            Role::Secretariat => members.secretariat = Some(record.id),
            Role::Analyst => members.analyst = Some(record.id),
            Role::Employee => members.employees.push(record.id),
            Role::Alumnus | Role::Moderator => members.alumni.push(record.id),
        }
    }
    Ok(members)
}
