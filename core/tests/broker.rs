//! Broker behaviour, driven on a virtual clock through bytes in and bytes out.
//! Each file under `broker/` covers one area of MQTT 3.1.1; `harness` holds the
//! test driver.
#![cfg(not(target_arch = "wasm32"))]

#[path = "broker/harness.rs"]
mod harness;

#[path = "broker/connect.rs"]
mod connect;
#[path = "broker/connect_timeout.rs"]
mod connect_timeout;
#[path = "broker/errors.rs"]
mod errors;
#[path = "broker/flow_control.rs"]
mod flow_control;
#[path = "broker/limits.rs"]
mod limits;
#[path = "broker/mixed.rs"]
mod mixed;
#[path = "broker/properties.rs"]
mod properties;
#[path = "broker/qos.rs"]
mod qos;
#[path = "broker/rate_limit.rs"]
mod rate_limit;
#[path = "broker/retained.rs"]
mod retained;
#[path = "broker/sessions.rs"]
mod sessions;
#[path = "broker/sys_tree.rs"]
mod sys_tree;
#[path = "broker/v5.rs"]
mod v5;
#[path = "broker/will_keepalive.rs"]
mod will_keepalive;
