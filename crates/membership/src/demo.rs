//! Demo accounts for `alumni seed --demo` and the first run on an empty
//! database. Addresses use the reserved `.example` domain.

use alumni_core::{AppResult, Role, RoleSet};

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

/// Creates the demo accounts.
pub async fn seed(service: &MembershipService) -> AppResult<()> {
    for (email, role) in DEMO_LOGINS {
        service
            .create_account(NewAccount {
                email: email.to_owned(),
                password: DEMO_PASSWORD.to_owned(),
                roles: RoleSet::EMPTY.with(role),
            })
            .await?;
    }
    Ok(())
}
