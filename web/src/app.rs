//! The page: header with navigation and the language switch, then the open page.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::{t, Lang, Text};
use crate::pages::inspect::InspectPage;
use crate::pages::topics::TopicsPage;
use crate::route::Page;

/// The whole lab.
#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(Lang::detect);
    let page = use_state(Page::current);

    // Screen readers and the browser's own translation offer read <html lang>.
    use_effect_with(*lang, |lang| {
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.tag());
        }
    });

    // Back/forward and edited fragments switch pages too.
    {
        let page = page.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || page.set(Page::current()));
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

    let switcher = Lang::ALL
        .iter()
        .map(|&l| {
            let lang_state = lang.clone();
            let onclick = Callback::from(move |_| lang_state.set(l));
            let class = if *lang == l { "lang active" } else { "lang" };
            html! {
                <button class={class} lang={l.tag()} aria-pressed={(*lang == l).to_string()} {onclick}>
                    { l.name() }
                </button>
            }
        })
        .collect::<Html>();

    let nav = Page::ALL
        .iter()
        .map(|&p| {
            let class = classes!("tab", (*page == p).then_some("active"));
            let current = (*page == p).then_some("page");
            html! {
                <a {class} href={format!("#{}", p.path())} aria-current={current}
                    id={format!("nav-{}", p.path().trim_start_matches('/'))}>
                    { t(*lang, p.title()) }
                </a>
            }
        })
        .collect::<Html>();

    let body = match *page {
        Page::Topics => html! { <TopicsPage lang={*lang} /> },
        Page::Inspect => html! { <InspectPage lang={*lang} /> },
    };

    html! {
        <div class="app" lang={lang.tag()}>
            <header>
                <h1>{ "MQTT Lab" }</h1>
                <p class="tagline">{ t(*lang, Text::Tagline) }</p>
                <nav class="langs" aria-label={t(*lang, Text::Language)}>{ switcher }</nav>
                <span id="core-version" class="version">
                    { format!("{} {}", t(*lang, Text::CoreVersion), mqttlab_core::VERSION) }
                </span>
            </header>
            <nav class="tabs">{ nav }</nav>
            <main>{ body }</main>
        </div>
    }
}
