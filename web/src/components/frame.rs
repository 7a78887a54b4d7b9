//! What every page sits in: the header (title, presenter mode, the language
//! switch, the core's version), the navigation tabs, and the open page under
//! them. The first-load shell ([`crate::shell`]) and the whole app
//! ([`crate::App`]) both draw it, so the page looks the same before and after
//! the pages module has loaded.

use yew::prelude::*;

use crate::i18n::{t, Lang, Text};
use crate::route::Page;

/// Properties of [`Frame`].
#[derive(Properties, PartialEq)]
pub struct FrameProps {
    /// The language.
    pub lang: Lang,
    /// A language button was pressed.
    pub on_lang: Callback<Lang>,
    /// Whether presenter mode (larger type) is on.
    pub presenter: bool,
    /// The presenter button was pressed.
    pub on_presenter: Callback<()>,
    /// The open page (its tab looks active).
    pub page: Page,
    /// The class bar, drawn under the tabs (empty outside a class).
    #[prop_or_default]
    pub bar: Html,
    /// The open page.
    #[prop_or_default]
    pub children: Html,
}

/// The header, the tabs and the open page.
#[function_component(Frame)]
pub fn frame(props: &FrameProps) -> Html {
    let lang = props.lang;
    let switcher = Lang::ALL
        .iter()
        .map(|&l| {
            let on_lang = props.on_lang.clone();
            let onclick = Callback::from(move |_| on_lang.emit(l));
            let class = if lang == l { "lang active" } else { "lang" };
            html! {
                <button class={class} lang={l.tag()} aria-pressed={(lang == l).to_string()} {onclick}>
                    { l.name() }
                </button>
            }
        })
        .collect::<Html>();

    let nav = Page::NAV
        .iter()
        .map(|p| {
            let active = props.page.is_under(p);
            let class = classes!("tab", active.then_some("active"));
            let current = active.then_some("page");
            let path = p.path();
            html! {
                <a {class} href={format!("#{path}")} aria-current={current}
                    id={format!("nav-{}", path.trim_start_matches('/'))}>
                    { t(lang, p.title()) }
                </a>
            }
        })
        .collect::<Html>();

    let toggle_presenter = props.on_presenter.reform(|_: MouseEvent| ());

    html! {
        <div class={classes!("app", props.presenter.then_some("presenter"))} lang={lang.tag()}>
            <header>
                <h1>{ "MQTT Lab" }</h1>
                <p class="tagline">{ t(lang, Text::Tagline) }</p>
                <button id="presenter" class="lang" aria-pressed={props.presenter.to_string()}
                    title={t(lang, Text::PresenterHelp)} onclick={toggle_presenter}>
                    { t(lang, Text::Presenter) }
                </button>
                <nav class="langs" aria-label={t(lang, Text::Language)}>{ switcher }</nav>
                <span id="core-version" class="version">
                    { format!("{} {}", t(lang, Text::CoreVersion), mqttlab_core::VERSION) }
                </span>
            </header>
            <nav class="tabs">{ nav }</nav>
            { props.bar.clone() }
            <main>{ props.children.clone() }</main>
        </div>
    }
}

/// Keeps `<html lang>` on the page's language (screen readers and the browser's
/// own translation offer read it).
#[hook]
fn use_document_lang(lang: Lang) {
    use_effect_with(lang, |lang| {
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.tag());
        }
    });
}

/// The language and presenter mode a page's [`Frame`] shows, and the callbacks
/// its buttons call. The first-load shell and the whole app hold them alike.
pub struct FrameSettings {
    /// The language.
    pub lang: Lang,
    /// Whether presenter mode is on.
    pub presenter: bool,
    /// For [`FrameProps::on_lang`].
    pub on_lang: Callback<Lang>,
    /// For [`FrameProps::on_presenter`].
    pub on_presenter: Callback<()>,
}

/// Holds a frame's language (kept on `<html lang>` too) and presenter mode,
/// starting from `lang` and `presenter`.
#[hook]
pub fn use_frame_settings(lang: Lang, presenter: bool) -> FrameSettings {
    let lang = use_state(|| lang);
    let presenter = use_state(|| presenter);
    use_document_lang(*lang);
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |l| lang.set(l))
    };
    let on_presenter = {
        let presenter = presenter.clone();
        Callback::from(move |()| presenter.set(!*presenter))
    };
    FrameSettings {
        lang: *lang,
        presenter: *presenter,
        on_lang,
        on_presenter,
    }
}
