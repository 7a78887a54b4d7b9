//! The "Connect to a broker" page in a real browser (wasm-bindgen-test): its
//! first values, and a bad address explained without anything being opened.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use mqttlab_web::i18n::{t, Lang, Text};
use mqttlab_web::pages::connect::{ConnectPage, ConnectPageProps, DEFAULT_URL};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn input(id: &str) -> HtmlInputElement {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("no #{id} on the page"))
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_bad_address_is_explained_and_nothing_opens() {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<ConnectPage>::with_root_and_props(root, ConnectPageProps { lang: Lang::PtBr })
        .render();
    yew::platform::time::sleep(Duration::from_millis(50)).await;

    assert_eq!(input("client-id").value(), "mqttlab-web");
    assert!(input("clean-session").checked());
    let url = input("broker-url");
    // The test runner's server bridges nothing: the default stays.
    assert_eq!(url.value(), DEFAULT_URL);

    url.set_value("mqtt://127.0.0.1:1883");
    let connect: HtmlElement = document()
        .get_element_by_id("connect")
        .unwrap()
        .dyn_into()
        .unwrap();
    connect.click();
    yew::platform::time::sleep(Duration::from_millis(50)).await;
    let error = document()
        .get_element_by_id("form-error")
        .expect("an explanation")
        .text_content()
        .unwrap_or_default();
    assert!(error.starts_with(t(Lang::PtBr, Text::UrlScheme)), "{error}");
    assert!(error.contains("mqtt://"), "{error}");
    // No connection was attempted: the diagram is empty and the state idle.
    assert_eq!(
        document()
            .query_selector(".sequence-diagram")
            .unwrap()
            .unwrap()
            .get_attribute("data-rows")
            .as_deref(),
        Some("0")
    );
    assert_eq!(
        document()
            .get_element_by_id("conn-state")
            .unwrap()
            .text_content()
            .unwrap_or_default(),
        t(Lang::PtBr, Text::StateIdle)
    );
}
