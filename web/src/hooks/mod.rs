//! Custom hooks.

pub mod use_clock;
