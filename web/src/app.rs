//! The page: header with the language switch, then the lab's panels.

use yew::prelude::*;

use crate::components::topic_matcher::TopicMatcher;
use crate::i18n::{t, Lang, Text};

/// The whole lab.
#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(Lang::detect);

    // Screen readers and the browser's own translation offer read <html lang>.
    use_effect_with(*lang, |lang| {
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.tag());
        }
    });

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

    html! {
        <div class="app" lang={lang.tag()}>
            <header>
                <h1>{ "MQTT Lab" }</h1>
                <p class="tagline">{ t(*lang, Text::Tagline) }</p>
                <nav aria-label={t(*lang, Text::Language)}>{ switcher }</nav>
                <span id="core-version" class="version">
                    { format!("{} {}", t(*lang, Text::CoreVersion), mqttlab_core::VERSION) }
                </span>
            </header>
            <main>
                <TopicMatcher lang={*lang} />
            </main>
        </div>
    }
}
