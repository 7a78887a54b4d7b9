//! The whole app: every page in the [`Frame`], the student's class bar, and the
//! simulation worker started with it.

use yew::prelude::*;

use crate::classroom::student::{self, Status};
use crate::components::frame::{use_frame_settings, Frame, FrameSettings};
use crate::hooks::use_route::use_route;
use crate::i18n::{c, Class, Lang};
use crate::pages::capture::CapturePage;
use crate::pages::connect::ConnectPage;
use crate::pages::inspect::InspectPage;
use crate::pages::join::JoinPage;
use crate::pages::lab::LabPage;
use crate::pages::labs::LabsPage;
use crate::pages::teacher::TeacherPage;
use crate::pages::topics::TopicsPage;
use crate::pages::workspace::WorkspacePage;
use crate::route::Page;

/// Properties of [`App`]: how the page starts.
#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The language the page opens in.
    pub lang: Lang,
    /// Whether presenter mode is on.
    #[prop_or_default]
    pub presenter: bool,
}

impl Default for AppProps {
    /// The browser's language, presenter mode off.
    fn default() -> Self {
        AppProps {
            lang: Lang::detect(),
            presenter: false,
        }
    }
}

/// The whole lab: every page. The page's first load is the smaller
/// [`crate::shell`], which mounts this app (from the pages module) when the
/// student opens anything but the labs list.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let FrameSettings {
        lang,
        presenter,
        on_lang,
        on_presenter,
    } = use_frame_settings(props.lang, props.presenter);
    let route = use_route();
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

    // The simulation worker is fetched and started with the page.
    use_effect_with((), |_| crate::sim::service::start());

    // A page opens at its top, not at the scroll position of the one before
    // (a long list of labs).
    use_effect_with(route.page.clone(), |_| {
        if let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    });

    let r = (*route).clone();
    let body = match &r.page {
        Page::Topics => html! { <TopicsPage lang={lang} /> },
        Page::Inspect => html! { <InspectPage lang={lang} /> },
        Page::Connect => html! { <ConnectPage lang={lang} /> },
        Page::Capture => html! { <CapturePage lang={lang} /> },
        Page::Labs => html! { <LabsPage lang={lang} /> },
        Page::Lab(id) => {
            html! { <LabPage lang={lang} id={id.clone()} route={r.clone()} key={format!("{id}-{}", *generation)} /> }
        }
        Page::Workspace => {
            html! { <WorkspacePage lang={lang} route={r.clone()} key={format!("ws-{}", *generation)} /> }
        }
        Page::Join => html! { <JoinPage lang={lang} view={class_view.clone()} /> },
        Page::Teacher => {
            html! { <TeacherPage lang={lang} route={r.clone()} {presenter} /> }
        }
    };
    let class_bar = (!matches!(class_view.status, Status::Out)).then(|| {
        let state = match &class_view.status {
            Status::Joined => c(lang, Class::Joined).to_string(),
            Status::Joining => c(lang, Class::Joining).to_string(),
            Status::Away => c(lang, Class::Away).to_string(),
            Status::Failed(e) => crate::i18n::class_error(lang, e),
            Status::Out => String::new(),
        };
        html! {
            <div id="class-bar" class={classes!("class-bar", matches!(class_view.status, Status::Away | Status::Failed(_)).then_some("away"))}
                data-status={format!("{:?}", class_view.status)}>
                <a href="#/join">{ format!("{} “{}”", c(lang, Class::ClassLabel), class_view.room.clone().unwrap_or_default()) }</a>
                { format!(" · {} {} · {state}", c(lang, Class::YouAre), class_view.name) }
                if class_view.frozen {
                    <strong id="frozen-banner" class="frozen">{ format!(" · {}", c(lang, Class::Frozen)) }</strong>
                }
                if let Some(e) = &class_view.denied {
                    <span class="verdict error">{ format!(" · {}", crate::i18n::class_error(lang, e)) }</span>
                }
            </div>
        }
    });

    html! {
        <Frame lang={lang} {on_lang} {presenter} {on_presenter} page={r.page.clone()}
            bar={class_bar.unwrap_or_default()}>
            { body }
        </Frame>
    }
}
