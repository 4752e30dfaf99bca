//! The feedback domain against the real server and database: items named
//! and anonymous, receipts, limits and cohorts, the anonymity of the
//! rows, triage and replies, data rights; surveys with anonymous
//! responses and suppressed results; feedback figures.

mod anonymity;
mod digest;
mod items;
mod proposals;
mod summary;
mod support;
mod surveys;
mod triage;
