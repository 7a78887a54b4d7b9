//! The classroom in the page: a student's side (join with the room code and a
//! display name, obey the teacher's pushes and clock, report progress and
//! answers) and what both sides share. The teacher's console is
//! `pages/teacher.rs`. The topics, payloads, access rules and the class roster
//! are the core's (`mqttlab_core::classroom`); this is only their driver.

pub mod link;
pub mod student;

use mqttlab_core::classroom::MessageError;
use mqttlab_core::codec::PacketType;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why the classroom could not do something, for the page to say in words
/// (`i18n/classroom.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassError {
    /// The page's server runs no class (no `/classroom.json`).
    NoClassroom,
    /// No room code typed.
    NoCode,
    /// The room code is wrong (CONNACK 0x86 to a student).
    WrongCode,
    /// The teacher's link carries no token.
    NoToken,
    /// The token is wrong (CONNACK 0x86 to the teacher).
    WrongToken,
    /// The display name is not usable.
    BadName(MessageError),
    /// Another CONNACK refusal, by its reason code.
    Refused(u8),
    /// The broker refused a PUBLISH or SUBSCRIBE (0x87: not authorized).
    Denied {
        /// PUBACK or SUBACK.
        packet: PacketType,
        /// Its reason code.
        code: u8,
    },
    /// The socket closed before the broker answered: the bridge's close code
    /// and reason (1008: no such upstream).
    Bridge {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// The server went away; the page works on alone and tries again.
    Away,
}

/// The page a push opens: a lab at its step, a bundled scenario or a world in
/// the workspace.
pub fn push_route(push: &mqttlab_core::classroom::Push) -> crate::route::Route {
    use crate::route::{encode_text, Page, Route};
    use mqttlab_core::classroom::Push;
    match push {
        Push::Lab { id, step } => {
            let mut r = Route::to(Page::Lab(id.clone()));
            r.params.insert("step".into(), step.to_string());
            r
        }
        Push::Scenario { name } => {
            let mut r = Route::to(Page::Workspace);
            r.params.insert("bundled".into(), name.clone());
            r
        }
        Push::World { text, seed } => {
            let mut r = Route::to(Page::Workspace);
            r.params.insert("scenario".into(), encode_text(text));
            r.params.insert("seed".into(), seed.to_string());
            r
        }
    }
}

/// The room this page's server holds (`GET /classroom.json`), or why not.
pub async fn fetch_room() -> Result<mqttlab_core::classroom::Room, ClassError> {
    let window = web_sys::window().ok_or(ClassError::NoClassroom)?;
    let resp = JsFuture::from(window.fetch_with_str("/classroom.json"))
        .await
        .map_err(|_| ClassError::NoClassroom)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| ClassError::NoClassroom)?;
    if !resp.ok() {
        return Err(ClassError::NoClassroom);
    }
    let json = JsFuture::from(resp.json().map_err(|_| ClassError::NoClassroom)?)
        .await
        .map_err(|_| ClassError::NoClassroom)?;
    let name = js_sys::Reflect::get(&json, &"room".into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or(ClassError::NoClassroom)?;
    mqttlab_core::classroom::Room::new(&name).map_err(|_| ClassError::NoClassroom)
}

/// 16 bytes from the browser's cryptographic generator.
pub fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut b);
    }
    b
}

/// The tab's session storage (per tab: two tabs are two students, never one
/// identity taking the other's connection over in a loop).
pub fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}
