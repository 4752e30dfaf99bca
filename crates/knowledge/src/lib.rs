//! The knowledge domain: a technology community where a question reaches
//! the few who can answer it. Members write articles, ask and answer
//! questions (routed on the job queue to members who said they are open to
//! them), find who knows a subject, ask an expert for a consultation, and
//! post offers and searches for collaboration.

pub mod demo;
pub mod digest;
pub mod domain;
pub mod graphql;
pub mod model;
pub mod moderation;
pub mod notices;
mod schema;
pub mod service;
mod store;

pub use service::KnowledgeService;
