//! # mqttlab-core
//!
//! The protocol heart of MQTT Lab: an MQTT 3.1.1 codec, broker and client, and a
//! deterministic simulator, all *sans-IO*. Nothing in this crate opens a socket,
//! reads a clock or asks the operating system for randomness: bytes and time come
//! in through `handle_*` methods, and bytes, deadlines and events go out through
//! `poll_*` methods. The same inputs therefore give the same outputs, natively and
//! in the browser (wasm32), which is what lets a scenario replay byte for byte.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
pub mod broker;
pub mod capture;
pub mod checker;
pub mod classroom;
pub mod client;
pub mod codec;
pub mod hex;
pub mod rng;
pub mod sim;
pub mod time;
pub mod tools;
pub mod topic;

/// The version of this crate, shown by the web lab and `mqttlab --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
