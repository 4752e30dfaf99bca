//! The content domain: the secretariat's magazine.

pub mod demo;
pub mod render;
