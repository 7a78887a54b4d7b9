//! The route of the URL's fragment, as state: links, back/forward and edited
//! fragments switch pages.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::route::Route;

/// The open route; it changes when the fragment names another page. Pages
/// rewrite their own parameters (seed, step) in place, and only a new page
/// re-mounts.
#[hook]
pub fn use_route() -> UseStateHandle<Route> {
    let route = use_state(Route::current);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                let next = Route::current();
                if next.page != route.page {
                    route.set(next);
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    route
}
