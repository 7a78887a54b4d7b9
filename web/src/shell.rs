//! The page's first load (issue 17): the frame and the labs list, which is all a
//! student needs to start, in a wasm module of its own (`main.rs`, the
//! `mqttlab-web` binary).
//!
//! Every other page (a lab, the workspace, topics, inspect, connect, captures,
//! the class) is in the pages module (`bin/app_pages.rs`), which mounts the
//! whole [`App`](crate::App). The shell starts fetching that module as soon as
//! the labs list is drawn, which also starts the simulation worker, so that a
//! lab opened later (offline in class) still runs. When the URL names another
//! page, or the tab is in a class, the shell waits for the module, removes itself
//! and lets the app mount in its place, in the same language and presenter mode.
//!
//! Both modules are built from this one crate: the split shares code, not copies.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::classroom::student;
use crate::components::frame::{use_frame_settings, Frame, FrameSettings};
use crate::hooks::use_route::use_route;
use crate::i18n::{t, Lang, Text};
use crate::pages::labs::LabsPage;
use crate::route::Page;

// The loader is a few lines of script in `index.html` (`window.mqttlabPages`):
// `preload()` imports the pages module (once), `open(lang, presenter, leave)`
// waits for it, calls `leave` and mounts the app.
#[wasm_bindgen(js_namespace = mqttlabPages)]
extern "C" {
    fn preload();
    fn open(lang: &str, presenter: bool, leave: JsValue) -> js_sys::Promise;
}

thread_local! {
    static HANDLE: RefCell<Option<yew::AppHandle<Shell>>> = const { RefCell::new(None) };
}

/// Mounts the shell on the page's body.
pub fn start() {
    let handle = yew::Renderer::<Shell>::new().render();
    HANDLE.with(|h| *h.borrow_mut() = Some(handle));
}

/// Replaces the shell by the whole app once the pages module has loaded.
fn open_pages(lang: Lang, presenter: bool, failed: UseStateHandle<bool>) {
    let leave = Closure::once_into_js(|| {
        if let Some(handle) = HANDLE.with(|h| h.borrow_mut().take()) {
            handle.destroy();
        }
    });
    let promise = open(lang.tag(), presenter, leave);
    wasm_bindgen_futures::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_err() {
            failed.set(true);
        }
    });
}

/// The first-load app: the frame, and the labs list or a note that the page is
/// on its way.
#[function_component(Shell)]
pub fn shell() -> Html {
    let FrameSettings {
        lang,
        presenter,
        on_lang,
        on_presenter,
    } = use_frame_settings(Lang::detect(), false);
    let route = use_route();
    let failed = use_state(|| false);

    // The labs list is all the shell draws; a student in a class needs the
    // class bar, which is the app's.
    let leaving = route.page != Page::Labs || student::saved_join().is_some();
    {
        let failed = failed.clone();
        use_effect_with(leaving, move |&leaving| {
            if leaving {
                open_pages(lang, presenter, failed);
            } else {
                preload();
            }
        });
    }

    let body = if *failed {
        html! { <p id="pages-failed" class="verdict error" role="alert">{ t(lang, Text::PagesFailed) }</p> }
    } else if leaving {
        html! { <p id="pages-loading" class="loading">{ t(lang, Text::PagesLoading) }</p> }
    } else {
        html! { <LabsPage lang={lang} /> }
    };
    html! {
        <Frame lang={lang} {on_lang} {presenter} {on_presenter} page={route.page.clone()}>
            { body }
        </Frame>
    }
}
