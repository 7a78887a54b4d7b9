//! `mqttlab pub` and `mqttlab sub`: the core's `mosquitto_pub`/`mosquitto_sub`
//! ([`mqttlab_core::tools::Tool`]) and its client over real TCP; tokio only moves
//! bytes, reads the clock, standard input and files. `mqttlab bench` too.

pub mod bench;
mod conn;
pub mod pub_cmd;
pub mod rr_cmd;
mod run;
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
