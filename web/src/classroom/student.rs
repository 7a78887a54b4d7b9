//! The student's side of the class, one per tab: joined with the room code and
//! a display name, it obeys the teacher's pushes and clock and reports progress
//! and answers. The page's lab keeps working when the server goes away: the
//! link is retried in the background (1 s, 2 s, 4 s... at most 10 s), and what
//! was reported meanwhile is sent again once it is back.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use mqttlab_core::classroom::{
    display_name, student_id, Answer, Clock, Incoming, Presence, Progress, Push, Room, ToStudent,
    STUDENT_USER,
};
use mqttlab_core::client::ConnectOptions;
use mqttlab_core::codec::QoS;

use super::link::{bridge_url, Link, LinkEvent};
use super::{fetch_room, random_bytes, session_storage, ClassError};

/// Where the student's class stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not in a class.
    Out,
    /// Connecting.
    Joining,
    /// In the class.
    Joined,
    /// Was in the class; the server went away (the lab keeps working), retrying.
    Away,
    /// Could not join, and why (no retry).
    Failed(ClassError),
}

/// What the page shows of the student's class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// Where it stands.
    pub status: Status,
    /// The room's name, once known.
    pub room: Option<String>,
    /// The display name.
    pub name: String,
    /// Whether the teacher froze the clock.
    pub frozen: bool,
    /// Something the broker refused this page (a student cannot push or read
    /// others' topics: should the page ever try, it is said here).
    pub denied: Option<ClassError>,
}

struct Session {
    view: View,
    room: Option<Room>,
    id: String,
    code: String,
    link: Option<Rc<Link>>,
    retry: Option<Timeout>,
    attempts: u32,
    ever_joined: bool,
    progress: BTreeMap<String, Progress>,
    answers: BTreeMap<(String, usize), usize>,
}

type Listener = Rc<dyn Fn()>;
type Navigator = Rc<dyn Fn(Push)>;

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    static LISTENER: RefCell<Option<Listener>> = const { RefCell::new(None) };
    static NAVIGATOR: RefCell<Option<Navigator>> = const { RefCell::new(None) };
}

const KEY_JOIN: &str = "mqttlab.class.join";
const KEY_ID: &str = "mqttlab.class.id";
const KEY_PUSH: &str = "mqttlab.class.push";

/// The app's re-render, called after every change.
pub fn set_listener(f: impl Fn() + 'static) {
    LISTENER.with(|l| *l.borrow_mut() = Some(Rc::new(f)));
}

/// What the app does with a push (opens the lab, scenario or world).
pub fn set_navigator(f: impl Fn(Push) + 'static) {
    NAVIGATOR.with(|n| *n.borrow_mut() = Some(Rc::new(f)));
}

fn changed() {
    if let Some(f) = LISTENER.with(|l| l.borrow().clone()) {
        f();
    }
}

/// The student's class as the page shows it.
pub fn view() -> View {
    SESSION.with(|s| {
        s.borrow().as_ref().map_or_else(
            || View {
                status: Status::Out,
                room: None,
                name: String::new(),
                frozen: false,
                denied: None,
            },
            |s| s.view.clone(),
        )
    })
}

/// Whether the teacher froze this student's clock.
pub fn frozen() -> bool {
    SESSION.with(|s| s.borrow().as_ref().is_some_and(|s| s.view.frozen))
}

/// The tab's identity: drawn once, kept for the tab's life (reloads included).
fn identity() -> String {
    let store = session_storage();
    if let Some(id) = store
        .as_ref()
        .and_then(|s| s.get_item(KEY_ID).ok().flatten())
        .filter(|id| mqttlab_core::classroom::is_student_id(id))
    {
        return id;
    }
    let id = student_id(random_bytes());
    if let Some(s) = store {
        let _ = s.set_item(KEY_ID, &id);
    }
    id
}

/// Joins the class of this page's server. Errors in the form come back at once;
/// the rest arrive in [`view`].
pub fn join(code: &str, name: &str) -> Result<(), ClassError> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(ClassError::NoCode);
    }
    let name = display_name(name).map_err(ClassError::BadName)?;
    leave();
    if let Some(s) = session_storage() {
        let _ = s.set_item(KEY_JOIN, &format!("{code}\n{name}"));
    }
    SESSION.with(|s| {
        *s.borrow_mut() = Some(Session {
            view: View {
                status: Status::Joining,
                room: None,
                name: name.clone(),
                frozen: false,
                denied: None,
            },
            room: None,
            id: identity(),
            code,
            link: None,
            retry: None,
            attempts: 0,
            ever_joined: false,
            progress: BTreeMap::new(),
            answers: BTreeMap::new(),
        })
    });
    changed();
    wasm_bindgen_futures::spawn_local(async {
        match fetch_room().await {
            Ok(room) => {
                with_session(|s| {
                    s.view.room = Some(room.name().to_string());
                    s.room = Some(room);
                });
                connect();
            }
            Err(e) => fail(e),
        }
    });
    Ok(())
}

/// Joins again after a reload, if this tab had joined.
pub fn rejoin() {
    if let Some((code, name)) = saved_join() {
        let _ = join(&code, &name);
    }
}

/// The class code and name this tab joined with and has not left, if any.
pub fn saved_join() -> Option<(String, String)> {
    let saved = session_storage()?.get_item(KEY_JOIN).ok()??;
    let (code, name) = saved.split_once('\n')?;
    Some((code.to_string(), name.to_string()))
}

/// Leaves the class (DISCONNECT: no will, but the presence says offline).
pub fn leave() {
    let old = SESSION.with(|s| s.borrow_mut().take());
    if let Some(s) = old {
        if let (Some(link), Some(room)) = (&s.link, &s.room) {
            if link.is_connected() {
                link.publish(&room.presence(&s.id), Presence::Offline.encode(), true);
            }
            link.close();
        }
    }
    if let Some(s) = session_storage() {
        let _ = s.remove_item(KEY_JOIN);
    }
    changed();
}

fn with_session<R>(f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    SESSION.with(|s| s.borrow_mut().as_mut().map(f))
}

fn fail(e: ClassError) {
    // A refused join is not tried again at the next reload.
    if let Some(s) = session_storage() {
        let _ = s.remove_item(KEY_JOIN);
    }
    with_session(|s| {
        s.view.status = Status::Failed(e);
        s.link = None;
        s.retry = None;
    });
    changed();
}

fn connect() {
    let Some((room, id, code, name)) = with_session(|s| {
        (
            s.room.clone(),
            s.id.clone(),
            s.code.clone(),
            s.view.name.clone(),
        )
    }) else {
        return;
    };
    let (Some(room), Some(url)) = (room, bridge_url()) else {
        return fail(ClassError::NoClassroom);
    };
    let options = ConnectOptions::new(id.clone())
        .v5(Vec::new())
        .keep_alive(20)
        .login(STUDENT_USER, Some(code.into_bytes().into()))
        .will(
            &room.presence(&id),
            Presence::Offline.encode(),
            QoS::AtLeastOnce,
            true,
        );
    let options = match options {
        Ok(o) => o,
        Err(_) => return fail(ClassError::NoClassroom),
    };
    let _ = name;
    match Link::open(&url, options, on_event) {
        Ok(link) => {
            with_session(|s| s.link = Some(link));
        }
        Err(_) => schedule_retry(),
    }
}

fn on_event(e: LinkEvent) {
    match e {
        LinkEvent::Connected => {
            let sent = with_session(|s| {
                s.view.status = Status::Joined;
                s.ever_joined = true;
                s.attempts = 0;
                let (Some(link), Some(room)) = (s.link.clone(), s.room.clone()) else {
                    return;
                };
                link.subscribe(&room.student_filters(&s.id));
                link.publish(
                    &room.presence(&s.id),
                    Presence::Online(s.view.name.clone()).encode(),
                    true,
                );
                for p in s.progress.values() {
                    link.publish(&room.progress(&s.id), p.encode(), true);
                }
                for ((lab, step), option) in &s.answers {
                    let a = Answer {
                        lab: lab.clone(),
                        step: *step,
                        option: *option,
                    };
                    link.publish(&room.answer(&s.id, lab, *step), a.encode(), true);
                }
            });
            if sent.is_some() {
                changed();
            }
        }
        LinkEvent::Refused(0x86) => fail(ClassError::WrongCode),
        LinkEvent::Refused(code) => fail(ClassError::Refused(code)),
        LinkEvent::Denied { packet, code } => {
            with_session(|s| s.view.denied = Some(ClassError::Denied { packet, code }));
            changed();
        }
        LinkEvent::Published { .. } => {}
        LinkEvent::Message { topic, payload, .. } => on_message(&topic, &payload),
        LinkEvent::Closed { code, reason } => {
            let joined = with_session(|s| {
                s.link = None;
                s.ever_joined
            });
            match joined {
                Some(true) => {
                    with_session(|s| s.view.status = Status::Away);
                    changed();
                    schedule_retry();
                }
                Some(false)
                    if matches!(
                        with_session(|s| s.view.status.clone()),
                        Some(Status::Joining)
                    ) =>
                {
                    fail(ClassError::Bridge { code, reason })
                }
                _ => {}
            }
        }
    }
}

fn on_message(topic: &str, payload: &[u8]) {
    let Some(room) = with_session(|s| s.room.clone()).flatten() else {
        return;
    };
    // Anything unreadable is ignored: only the teacher can write here.
    let Some(Ok(Incoming::ToStudent(msg))) = room.read(topic, payload) else {
        return;
    };
    match msg {
        ToStudent::Clock(c) => {
            with_session(|s| s.view.frozen = c == Clock::Frozen);
            changed();
        }
        ToStudent::Push(push) => {
            // The broker keeps the last push for those who join late and gives
            // it again at every reconnect: a push this tab already obeyed is
            // not obeyed twice (the teacher moves the class on with another).
            let text = String::from_utf8_lossy(payload).to_string();
            let store = session_storage();
            let seen = store
                .as_ref()
                .and_then(|s| s.get_item(KEY_PUSH).ok().flatten());
            if seen.as_deref() == Some(text.as_str()) {
                return;
            }
            if let Some(s) = store {
                let _ = s.set_item(KEY_PUSH, &text);
            }
            if let Some(nav) = NAVIGATOR.with(|n| n.borrow().clone()) {
                nav(push);
            }
        }
    }
}

fn schedule_retry() {
    let wait = with_session(|s| {
        s.attempts = s.attempts.saturating_add(1);
        (1000u32 << s.attempts.min(4).saturating_sub(1)).min(10_000)
    });
    if let Some(ms) = wait {
        let t = Timeout::new(ms, connect);
        with_session(|s| s.retry = Some(t));
    }
}

/// Reports progress through a lab (kept, and sent again after a reconnect).
pub fn report_progress(lab: &str, done: usize, total: usize) {
    let p = Progress {
        lab: lab.to_string(),
        done,
        total,
    };
    with_session(|s| {
        if s.progress.get(lab) == Some(&p) {
            return;
        }
        s.progress.insert(lab.to_string(), p.clone());
        if let (Some(link), Some(room)) = (&s.link, &s.room) {
            if link.is_connected() {
                link.publish(&room.progress(&s.id), p.encode(), true);
            }
        }
    });
}

/// Reports an answer to a step's prediction (1-based step, 0-based option).
pub fn report_answer(lab: &str, step: usize, option: usize) {
    with_session(|s| {
        s.answers.insert((lab.to_string(), step), option);
        if let (Some(link), Some(room)) = (&s.link, &s.room) {
            if link.is_connected() {
                let a = Answer {
                    lab: lab.to_string(),
                    step,
                    option,
                };
                link.publish(&room.answer(&s.id, lab, step), a.encode(), true);
            }
        }
    });
}
