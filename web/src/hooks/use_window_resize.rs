//! A measurement of the page's layout taken when a component is first drawn and
//! again whenever the window changes size (a phone turned, a window dragged).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `measure` once the component is drawn, then on every `resize` of the
/// window until the component is taken away. `measure` is the first render's:
/// it should read what it needs through node refs and state handles.
#[hook]
pub fn use_window_resize<F>(measure: F)
where
    F: Fn() + 'static,
{
    use_effect_with((), move |_| {
        measure();
        let listener = Closure::<dyn Fn()>::new(measure);
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback(
                    "resize",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
