//! The pages module: the whole app ([`mqttlab_web::App`]) and the simulation
//! worker, in one wasm module (issue 17: the worker and the pages share most of
//! their code, the core's codec, checker and tools, serde, the allocator; built
//! apart, each carried its own copy). trunk builds it as `app_pages.js` +
//! `app_pages_bg.wasm` (an ES module, not injected into the page).
//!
//! The module runs in two places, and its loader says which: on the page, the
//! shell imports it (`index.html`), calls [`start`] and later [`mount`]; in the
//! worker, the loader of `mqttlab_web::sim::service` imports it and calls
//! [`serve_worlds`].

use gloo_worker::Registrable;
use mqttlab_web::i18n::Lang;
use mqttlab_web::sim::worker::SimWorker;
use mqttlab_web::{App, AppProps};
use wasm_bindgen::prelude::*;

/// Nothing: what runs depends on where the module is (see the module's doc).
fn main() {}

/// On the page, once loaded: starts the simulation worker, so that the module
/// is fetched while the network is there: a lab opened later (offline in class)
/// still runs.
#[wasm_bindgen]
pub fn start() {
    mqttlab_web::sim::service::start();
}

/// In the worker: serves the page's worlds.
#[wasm_bindgen]
pub fn serve_worlds() {
    SimWorker::registrar().register();
}

/// Mounts the app on the page's body, in the shell's language (`en`, `pt-BR`)
/// and presenter mode; the shell has removed itself.
#[wasm_bindgen]
pub fn mount(lang: &str, presenter: bool) {
    yew::Renderer::<App>::with_props(AppProps {
        lang: Lang::from_tag(lang),
        presenter,
    })
    .render();
}
