//! The membership domain over HTTP (and, where the rule is the point, at
//! the service level), each test on a database of its own.

mod accounts;
mod applications;
mod companies;
mod directory;
mod email_change;
mod lifecycle;
mod password_reset;
mod roster;
mod search_paths;
mod support;
mod synthetic;
mod tags;
mod terms;
mod visibility;
