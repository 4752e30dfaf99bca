//! Queries of the membership schema: async functions over a connection,
//! one module per concept. Rules live in the services, not here.

pub mod accounts;
pub mod applications;
pub mod companies;
pub mod contact;
pub mod directory;
pub mod profiles;
pub mod recipients;
pub mod roster;
pub mod tags;
pub mod terms;
pub mod verification;
