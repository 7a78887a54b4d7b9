//! A student joins the class: the room code the teacher shows and a display
//! name. Once in, the teacher's pushes open labs on this page by themselves.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::classroom::student::{self, Status};
use crate::classroom::ClassError;
use crate::i18n::{c, class_error, Class, Lang};

/// Properties of [`JoinPage`].
#[derive(Properties, PartialEq)]
pub struct JoinPageProps {
    /// The language.
    pub lang: Lang,
    /// The student's class as the app last drew it (re-renders this page).
    pub view: student::View,
}

/// The join form, and where the student's class stands.
#[function_component(JoinPage)]
pub fn join_page(props: &JoinPageProps) -> Html {
    let lang = props.lang;
    let code = use_node_ref();
    let name = use_node_ref();
    let error = use_state(|| None::<ClassError>);
    let onsubmit = {
        let (code, name, error) = (code.clone(), name.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            error.set(student::join(&value(&code), &value(&name)).err());
        })
    };
    let leave = Callback::from(|_: MouseEvent| student::leave());
    let v = &props.view;
    let shown = error.as_ref().cloned().or(match &v.status {
        Status::Failed(e) => Some(e.clone()),
        _ => None,
    });
    let state = match &v.status {
        Status::Out | Status::Failed(_) => None,
        Status::Joining => Some(c(lang, Class::Joining)),
        Status::Joined => Some(c(lang, Class::WaitingForTeacher)),
        Status::Away => Some(c(lang, Class::Away)),
    };
    let joined = !matches!(v.status, Status::Out | Status::Failed(_));
    html! {
        <section class="panel join-page" id="join">
            <h2>{ c(lang, Class::JoinTitle) }</h2>
            <p class="intro">{ c(lang, Class::JoinIntro) }</p>
            if !joined {
                <form class="join-form" {onsubmit}>
                    <label>{ c(lang, Class::RoomCode) }
                        <input id="room-code" ref={code} type="text" autocomplete="off"
                            autocapitalize="characters" spellcheck="false" maxlength="12" />
                    </label>
                    <label>{ c(lang, Class::DisplayName) }
                        <input id="display-name" ref={name} type="text" autocomplete="nickname" maxlength="40" />
                    </label>
                    <button id="join-button" type="submit">{ c(lang, Class::Join) }</button>
                </form>
            } else {
                <p id="join-state" class="verdict" data-status={format!("{:?}", v.status)}>
                    { format!("{} {}", c(lang, Class::YouAre), v.name) }
                    { " · " }{ state.unwrap_or_default() }
                </p>
                <button id="leave-button" onclick={leave}>{ c(lang, Class::Leave) }</button>
            }
            if let Some(e) = shown {
                <p id="join-error" class="verdict error" role="alert">{ class_error(lang, &e) }</p>
            }
        </section>
    }
}
