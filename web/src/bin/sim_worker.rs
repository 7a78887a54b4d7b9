//! The web worker that runs MQTT Lab's simulated worlds off the page's thread
//! (trunk builds it as `sim_worker.js` + `sim_worker_bg.wasm`).

use gloo_worker::Registrable;
use mqttlab_web::sim::worker::SimWorker;

fn main() {
    SimWorker::registrar().register();
}
