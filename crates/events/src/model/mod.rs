//! Rows of the events schema, the enums stored in them, and the invariants
//! on their values; one module per concept.

mod calendar_feed;
mod event;
mod material;
mod registration;
mod speaker;

pub use calendar_feed::*;
pub use event::*;
pub use material::*;
pub use registration::*;
pub use speaker::*;
