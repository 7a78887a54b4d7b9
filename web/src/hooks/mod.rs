//! Custom hooks.

pub mod use_clock;
pub mod use_route;
pub mod use_sim;
pub mod use_window_resize;
