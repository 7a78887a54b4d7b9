//! Custom hooks.

pub mod slices;
pub mod use_clock;
