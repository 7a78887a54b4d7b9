//! The page: header with navigation, presenter mode and the language switch, then
//! the open page.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::classroom::student::{self, Status};
use crate::i18n::{c, t, Class, Lang, Text};
use crate::pages::capture::CapturePage;
use crate::pages::connect::ConnectPage;
use crate::pages::inspect::InspectPage;
use crate::pages::join::JoinPage;
use crate::pages::lab::LabPage;
use crate::pages::labs::LabsPage;
use crate::pages::teacher::TeacherPage;
use crate::pages::topics::TopicsPage;
use crate::pages::workspace::WorkspacePage;
use crate::route::{Page, Route};

/// The whole lab.
#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(Lang::detect);
    let route = use_state(Route::current);
    let presenter = use_state(|| false);
    // Bumped by a teacher's push, so that the page it opens starts afresh even
    // when the same page is already open.
    let generation = use_state(|| 0u32);
    let pushes = use_mut_ref(|| 0u32);
    let class_redraw = use_force_update();

    // The student's class: re-render on its changes, open what the teacher
    // pushes, and join again after a reload.
    {
        let route = route.clone();
        let generation = generation.clone();
        use_effect_with((), move |_| {
            student::set_listener(move || class_redraw.force_update());
            student::set_navigator(move |push| {
                let next = crate::classroom::push_route(&push);
                next.replace();
                *pushes.borrow_mut() += 1;
                generation.set(*pushes.borrow());
                route.set(next);
            });
            student::rejoin();
        });
    }
    let class_view = student::view();

    // Screen readers and the browser's own translation offer read <html lang>.
    use_effect_with(*lang, |lang| {
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.tag());
        }
    });

    // The simulation worker is fetched and started with the page.
    use_effect_with((), |_| crate::sim::service::start());

    // Links, back/forward and edited fragments switch pages.
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                let next = Route::current();
                // Pages rewrite their own parameters (seed, step) in place; only a
                // new page re-mounts.
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

    // A page opens at its top, not at the scroll position of the one before
    // (a long list of labs).
    use_effect_with(route.page.clone(), |_| {
        if let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
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

    let nav = Page::NAV
        .iter()
        .map(|p| {
            let active = route.page.is_under(p);
            let class = classes!("tab", active.then_some("active"));
            let current = active.then_some("page");
            let path = p.path();
            html! {
                <a {class} href={format!("#{path}")} aria-current={current}
                    id={format!("nav-{}", path.trim_start_matches('/'))}>
                    { t(*lang, p.title()) }
                </a>
            }
        })
        .collect::<Html>();

    let toggle_presenter = {
        let presenter = presenter.clone();
        Callback::from(move |_| presenter.set(!*presenter))
    };

    let r = (*route).clone();
    let body = match &r.page {
        Page::Topics => html! { <TopicsPage lang={*lang} /> },
        Page::Inspect => html! { <InspectPage lang={*lang} /> },
        Page::Connect => html! { <ConnectPage lang={*lang} /> },
        Page::Capture => html! { <CapturePage lang={*lang} /> },
        Page::Labs => html! { <LabsPage lang={*lang} /> },
        Page::Lab(id) => {
            html! { <LabPage lang={*lang} id={id.clone()} route={r.clone()} key={format!("{id}-{}", *generation)} /> }
        }
        Page::Workspace => {
            html! { <WorkspacePage lang={*lang} route={r.clone()} key={format!("ws-{}", *generation)} /> }
        }
        Page::Join => html! { <JoinPage lang={*lang} view={class_view.clone()} /> },
        Page::Teacher => {
            html! { <TeacherPage lang={*lang} route={r.clone()} presenter={*presenter} /> }
        }
    };
    let class_bar = (!matches!(class_view.status, Status::Out)).then(|| {
        let state = match &class_view.status {
            Status::Joined => c(*lang, Class::Joined).to_string(),
            Status::Joining => c(*lang, Class::Joining).to_string(),
            Status::Away => c(*lang, Class::Away).to_string(),
            Status::Failed(e) => crate::i18n::class_error(*lang, e),
            Status::Out => String::new(),
        };
        html! {
            <div id="class-bar" class={classes!("class-bar", matches!(class_view.status, Status::Away | Status::Failed(_)).then_some("away"))}
                data-status={format!("{:?}", class_view.status)}>
                <a href="#/join">{ format!("{} “{}”", c(*lang, Class::ClassLabel), class_view.room.clone().unwrap_or_default()) }</a>
                { format!(" · {} {} · {state}", c(*lang, Class::YouAre), class_view.name) }
                if class_view.frozen {
                    <strong id="frozen-banner" class="frozen">{ format!(" · {}", c(*lang, Class::Frozen)) }</strong>
                }
                if let Some(e) = &class_view.denied {
                    <span class="verdict error">{ format!(" · {}", crate::i18n::class_error(*lang, e)) }</span>
                }
            </div>
        }
    });

    html! {
        <div class={classes!("app", presenter.then_some("presenter"))} lang={lang.tag()}>
            <header>
                <h1>{ "MQTT Lab" }</h1>
                <p class="tagline">{ t(*lang, Text::Tagline) }</p>
                <button id="presenter" class="lang" aria-pressed={presenter.to_string()}
                    title={t(*lang, Text::PresenterHelp)} onclick={toggle_presenter}>
                    { t(*lang, Text::Presenter) }
                </button>
                <nav class="langs" aria-label={t(*lang, Text::Language)}>{ switcher }</nav>
                <span id="core-version" class="version">
                    { format!("{} {}", t(*lang, Text::CoreVersion), mqttlab_core::VERSION) }
                </span>
            </header>
            <nav class="tabs">{ nav }</nav>
            { class_bar.unwrap_or_default() }
            <main>{ body }</main>
        </div>
    }
}
