//! The app mounted in a real browser (headless Chromium via wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use mqttlab_web::i18n::{t, Lang, Text};
use mqttlab_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(30)).await;
}

fn text_of(id: &str) -> String {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("no #{id} on the page"))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_answers_with_the_core() {
    // The topic matcher's page; the app opens at the page the URL names.
    web_sys::window()
        .unwrap()
        .location()
        .set_hash("/topics")
        .unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root).render();
    settle().await;

    let lang = Lang::detect();
    assert_eq!(
        text_of("core-version"),
        format!("{} {}", t(lang, Text::CoreVersion), mqttlab_core::VERSION)
    );
    assert_eq!(text_of("verdict"), t(lang, Text::Matches));

    // Typing a topic on another floor's humidity sensor: not delivered.
    let topic: HtmlInputElement = document()
        .get_element_by_id("topic")
        .unwrap()
        .dyn_into()
        .unwrap();
    topic.set_value("casa/terreo/umidade");
    let event = web_sys::InputEvent::new("input").unwrap();
    topic.dispatch_event(&event).unwrap();
    settle().await;
    assert_eq!(text_of("verdict"), t(lang, Text::NoMatch));
}
