//! The classroom: a teacher and students on one broker, everything as MQTT under
//! `$classroom/ROOM/...`, access enforced by the broker's own ACL
//! ([`crate::broker::Acl`]).
//!
//! ## Who is who
//!
//! - The **teacher** logs in with user name [`TEACHER_USER`] and the room's
//!   token as password (128 random bits from the OS, made by `mqttlab serve
//!   --classroom`, carried in the teacher's link).
//! - A **student** logs in with user name [`STUDENT_USER`] and the room code as
//!   password (short, printed for the class to type). Its client identifier is
//!   its identity: `s-` and 32 hex digits the student's page draws once
//!   ([`is_student_id`]), known to the student's page and the teacher only. The
//!   ACL's `%c` gives each student its own topics; an identifier holding `/`,
//!   `+` or `#` gets none.
//!
//! ## Topics (ROOM is the room's name)
//!
//! | topic | written by | read by | payload |
//! | --- | --- | --- | --- |
//! | `$classroom/ROOM/all/push` | teacher, retained | every student | [`Push`] |
//! | `$classroom/ROOM/all/clock` | teacher, retained | every student | [`Clock`] |
//! | `$classroom/ROOM/to/ID/push` | teacher | student ID | [`Push`] |
//! | `$classroom/ROOM/from/ID/presence` | student ID, retained, and its will | teacher | [`Presence`] |
//! | `$classroom/ROOM/from/ID/progress` | student ID, retained | teacher | [`Progress`] |
//! | `$classroom/ROOM/from/ID/answer/LAB/STEP` | student ID, retained | teacher | [`Answer`] |
//!
//! A student may read only `all/#` and its own `to/ID/#`, and write only its
//! own `from/ID/#`; everything else under `$classroom/` is denied to it (a
//! PUBLISH acknowledged and dropped, 0x87 under MQTT 5.0; a SUBSCRIBE refused,
//! 0x80 or 0x87). Outside `$classroom/` the broker stays the lab's playground:
//! anyone logged in reads and writes any topic, and reads `$SYS/#`.

mod message;
mod roster;

pub use message::{
    display_name, Answer, Clock, FromStudent, MessageError, Presence, Progress, Push, ToStudent,
    MAX_NAME, MAX_PAYLOAD,
};
pub use roster::{Roster, Student};

use std::collections::BTreeMap;

use crate::broker::{Access, Acl, AclRule, AclSubject};
use crate::topic::TopicFilter;

/// The teacher's user name.
pub const TEACHER_USER: &str = "teacher";
/// Every student's user name (the room code is the password).
pub const STUDENT_USER: &str = "student";
/// The first level of every classroom topic.
pub const ROOT: &str = "$classroom";

/// Why a room name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomError {
    /// Empty.
    Empty,
    /// Longer than 32 bytes; holds the length.
    TooLong(usize),
    /// A character other than ASCII letters, digits, `-` and `_`.
    BadChar(char),
}

impl std::fmt::Display for RoomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoomError::Empty => f.write_str("the room name is empty"),
            RoomError::TooLong(n) => write!(f, "the room name is {n} bytes long, at most 32"),
            RoomError::BadChar(c) => write!(
                f,
                "the room name holds {c:?}; use letters, digits, '-' and '_'"
            ),
        }
    }
}

/// One classroom: its name, which is a topic level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    name: String,
}

impl Room {
    /// A room named `name` (ASCII letters, digits, `-`, `_`; 1 to 32 bytes).
    pub fn new(name: &str) -> Result<Room, RoomError> {
        if name.is_empty() {
            return Err(RoomError::Empty);
        }
        if name.len() > 32 {
            return Err(RoomError::TooLong(name.len()));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
        {
            return Err(RoomError::BadChar(c));
        }
        Ok(Room { name: name.into() })
    }

    /// The room's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn topic(&self, rest: &str) -> String {
        format!("{ROOT}/{}/{rest}", self.name)
    }

    /// Where the teacher pushes to everyone.
    pub fn push_all(&self) -> String {
        self.topic("all/push")
    }

    /// Where the teacher freezes and unfreezes every student's clock.
    pub fn clock(&self) -> String {
        self.topic("all/clock")
    }

    /// Where the teacher pushes to one student.
    pub fn push_to(&self, student: &str) -> String {
        self.topic(&format!("to/{student}/push"))
    }

    /// What a student subscribes to: the room's broadcasts and its own topics.
    pub fn student_filters(&self, student: &str) -> [String; 2] {
        [self.topic("all/#"), self.topic(&format!("to/{student}/#"))]
    }

    /// What the teacher subscribes to: every student's reports.
    pub fn teacher_filter(&self) -> String {
        self.topic("from/+/#")
    }

    /// Where student `id` says it is here (retained; its will says it left).
    pub fn presence(&self, id: &str) -> String {
        self.topic(&format!("from/{id}/presence"))
    }

    /// Where student `id` reports its progress through a lab (retained).
    pub fn progress(&self, id: &str) -> String {
        self.topic(&format!("from/{id}/progress"))
    }

    /// Where student `id` answers step `step` (1-based) of lab `lab` (retained).
    pub fn answer(&self, id: &str, lab: &str, step: usize) -> String {
        self.topic(&format!("from/{id}/answer/{lab}/{step}"))
    }

    /// The message a topic of this room carries, read from its payload; `None`
    /// when the topic is not one of this room's.
    pub fn read(&self, topic: &str, payload: &[u8]) -> Option<Result<Incoming, MessageError>> {
        let rest = topic
            .strip_prefix(ROOT)?
            .strip_prefix('/')?
            .strip_prefix(self.name.as_str())?
            .strip_prefix('/')?;
        let levels: Vec<&str> = rest.split('/').collect();
        Some(match levels.as_slice() {
            ["all", "push"] | ["to", _, "push"] => {
                Push::decode(payload).map(|p| Incoming::ToStudent(ToStudent::Push(p)))
            }
            ["all", "clock"] => {
                Clock::decode(payload).map(|c| Incoming::ToStudent(ToStudent::Clock(c)))
            }
            ["from", id, "presence"] => Presence::decode(payload)
                .map(|p| Incoming::FromStudent(id.to_string(), FromStudent::Presence(p))),
            ["from", id, "progress"] => Progress::decode(payload)
                .map(|p| Incoming::FromStudent(id.to_string(), FromStudent::Progress(p))),
            ["from", id, "answer", lab, step] => Answer::decode(lab, step, payload)
                .map(|a| Incoming::FromStudent(id.to_string(), FromStudent::Answer(a))),
            _ => Err(MessageError::UnknownTopic(topic.to_string())),
        })
    }

    /// The broker's user table for this room: the teacher's token and the
    /// students' room code.
    pub fn users(&self, token: &str, code: &str) -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([
            (TEACHER_USER.to_string(), token.as_bytes().to_vec()),
            (STUDENT_USER.to_string(), code.as_bytes().to_vec()),
        ])
    }

    /// The broker's access rules for this room (see the module's table).
    pub fn acl(&self) -> Acl {
        let rule = |who: AclSubject, access, filter: String| AclRule {
            who,
            access,
            // Room names are checked, and every other level is fixed here.
            filter: TopicFilter::new(filter).expect("a valid filter"),
        };
        let teacher = || AclSubject::User(TEACHER_USER.into());
        let student = || AclSubject::User(STUDENT_USER.into());
        Acl {
            rules: vec![
                rule(teacher(), Access::ReadWrite, self.topic("#")),
                rule(student(), Access::Read, self.topic("all/#")),
                rule(student(), Access::Read, self.topic("to/%c/#")),
                rule(student(), Access::Write, self.topic("from/%c/#")),
                rule(AclSubject::Anyone, Access::Deny, format!("{ROOT}/#")),
                rule(AclSubject::Anyone, Access::Read, "$SYS/#".into()),
                rule(AclSubject::Anyone, Access::ReadWrite, "#".into()),
            ],
        }
    }
}

/// A classroom message, by who it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// From the teacher to students.
    ToStudent(ToStudent),
    /// From a student (its identifier) to the teacher.
    FromStudent(String, FromStudent),
}

/// Whether `id` is a student identifier as pages draw them: `s-` and 32
/// lowercase hex digits (128 bits).
pub fn is_student_id(id: &str) -> bool {
    id.strip_prefix("s-").is_some_and(|hex| {
        hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// A student identifier from 16 random bytes the caller drew.
pub fn student_id(random: [u8; 16]) -> String {
    let mut s = String::with_capacity(34);
    s.push_str("s-");
    for b in random {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topic::TopicName;

    fn t(s: &str) -> TopicName {
        TopicName::new(s).unwrap()
    }

    #[test]
    fn room_names_are_one_safe_level() {
        assert!(Room::new("turma-3B_2026").is_ok());
        assert_eq!(Room::new(""), Err(RoomError::Empty));
        assert_eq!(Room::new("a/b"), Err(RoomError::BadChar('/')));
        assert_eq!(Room::new("#"), Err(RoomError::BadChar('#')));
        assert_eq!(Room::new(&"x".repeat(33)), Err(RoomError::TooLong(33)));
    }

    #[test]
    fn the_acl_gives_each_student_its_own_topics_and_the_broadcasts() {
        let room = Room::new("sala").unwrap();
        let acl = room.acl();
        let (ana, bia) = (student_id([1; 16]), student_id([2; 16]));
        let s = Some(STUDENT_USER);
        let teacher = Some(TEACHER_USER);
        // The teacher reads and writes the whole room.
        assert!(acl.may_publish("prof", teacher, &t(&room.push_all())));
        assert!(acl.may_publish("prof", teacher, &t(&room.push_to(&ana))));
        assert!(acl.may_subscribe("prof", teacher, &room.teacher_filter()));
        // A student: the broadcasts and its own pushes, nothing else.
        for f in room.student_filters(&ana) {
            assert!(acl.may_subscribe(&ana, s, &f), "{f}");
        }
        assert!(acl.may_read(&ana, s, &t(&room.push_all())));
        assert!(acl.may_read(&ana, s, &t(&room.push_to(&ana))));
        assert!(!acl.may_read(&ana, s, &t(&room.push_to(&bia))));
        assert!(!acl.may_subscribe(&ana, s, &room.student_filters(&bia)[1]));
        // It cannot push, freeze, or read anyone's answers, its own included.
        assert!(!acl.may_publish(&ana, s, &t(&room.push_all())));
        assert!(!acl.may_publish(&ana, s, &t(&room.clock())));
        assert!(!acl.may_publish(&ana, s, &t(&room.push_to(&bia))));
        assert!(!acl.may_subscribe(&ana, s, &room.teacher_filter()));
        assert!(!acl.may_subscribe(&ana, s, "$classroom/#"));
        assert!(!acl.may_read(&ana, s, &t(&room.answer(&bia, "last-will", 2))));
        // It writes its own reports only.
        assert!(acl.may_publish(&ana, s, &t(&room.answer(&ana, "last-will", 2))));
        assert!(acl.may_publish(&ana, s, &t(&room.presence(&ana))));
        assert!(!acl.may_publish(&ana, s, &t(&room.answer(&bia, "last-will", 2))));
        // Another room is closed to both.
        let other = Room::new("outra").unwrap();
        assert!(!acl.may_subscribe("prof", teacher, &other.teacher_filter()));
        assert!(!acl.may_publish(&ana, s, &t(&other.presence(&ana))));
        // The playground stays open, and $SYS readable.
        assert!(acl.may_publish(&ana, s, &t("sensor1/status")));
        assert!(acl.may_subscribe(&ana, s, "#"));
        assert!(acl.may_subscribe(&ana, s, "$SYS/#"));
        assert!(acl.may_read(&ana, s, &t("$SYS/broker/uptime")));
    }

    #[test]
    fn topics_read_back_as_their_messages() {
        let room = Room::new("sala").unwrap();
        let id = student_id([0xab; 16]);
        assert!(is_student_id(&id));
        assert!(!is_student_id("s-+"));
        let got = room
            .read(&room.answer(&id, "last-will", 2), b"1")
            .unwrap()
            .unwrap();
        assert_eq!(
            got,
            Incoming::FromStudent(
                id.clone(),
                FromStudent::Answer(Answer {
                    lab: "last-will".into(),
                    step: 2,
                    option: 1
                })
            )
        );
        assert_eq!(room.read("sensor1/status", b"on"), None);
        assert_eq!(room.read("$classroom/outra/all/push", b"x"), None);
        assert_eq!(
            room.read("$classroom/sala/all/other", b"x"),
            Some(Err(MessageError::UnknownTopic(
                "$classroom/sala/all/other".into()
            )))
        );
    }
}
