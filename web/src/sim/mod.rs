//! The simulated world, run off the main thread.
//!
//! A world of thousands of nodes can need seconds of work to reach a time; run
//! on the page's own thread it would freeze scrolling and typing. So the world
//! lives in a web worker (which runs the pages module, `src/bin/app_pages.rs`,
//! built by trunk as `app_pages.js`), and the page keeps only a
//! [`mirror::Mirror`] of what it draws:
//!
//! - [`protocol`]: the messages, plain data;
//! - [`host`]: the worker's side, a `Session` answering requests (native-testable);
//! - [`runner`]: runs a host's long work in slices between messages;
//! - [`worker`]: the web worker around a runner;
//! - [`service`]: the page's end, one worker for the page's life (or, if a worker
//!   cannot start, a runner on the page's own thread, in slices);
//! - [`mirror`]: what the page knows of the world, from the updates;
//! - [`row_view`]: which rows the diagram shows (a filter, a window, a summary);
//! - [`sweep_job`]: a sweep (many runs of one scenario) in slices.
//! - [`fork_link`]: a fork as a shareable link.

pub mod fork_link;
pub mod host;
pub mod mirror;
pub mod protocol;
pub mod row_view;
pub mod runner;
pub mod service;
pub mod sweep_job;
pub mod worker;

#[cfg(test)]
mod tests;
