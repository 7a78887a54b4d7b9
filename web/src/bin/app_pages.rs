//! The pages module: the whole app ([`mqttlab_web::App`]), fetched by the
//! first-load shell (`mqttlab_web::shell`) once the labs list is drawn. trunk
//! builds it as `app_pages.js` + `app_pages_bg.wasm` (an ES module, not injected
//! into the page).

use mqttlab_web::i18n::Lang;
use mqttlab_web::{App, AppProps};
use wasm_bindgen::prelude::*;

/// Loading the module starts the simulation worker, so that its script is
/// fetched while the network is there: a lab opened later (offline in class)
/// still runs.
fn main() {
    mqttlab_web::sim::service::start();
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
