//! `mqttlab pub` and `mqttlab sub`: `mosquitto_pub`/`mosquitto_sub` look-alikes that
//! drive the core's sans-IO [`Client`](mqttlab_core::client::Client) over real TCP.
//! The client does the protocol; tokio only moves bytes and reads the clock.

pub mod bench;
mod conn;
pub mod pub_cmd;
pub mod sub_cmd;

/// Runs `f` on a single-threaded tokio runtime and returns its exit code.
pub(crate) fn block_on<F: std::future::Future<Output = i32>>(f: F) -> i32 {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(f),
        Err(e) => {
            eprintln!("Error: cannot start the runtime: {e}");
            1
        }
    }
}
