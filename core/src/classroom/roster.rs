//! The teacher's view of the class, built from the students' messages alone:
//! who is here, how far each is through each lab, and how the class answered
//! each prediction. Sans-IO: the teacher's page feeds it every message under
//! [`Room::teacher_filter`] and draws what it holds.

use std::collections::BTreeMap;

use super::message::{FromStudent, MessageError, Presence, Progress};
use super::{Incoming, Room};

/// One student as the teacher sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    /// Its client identifier.
    pub id: String,
    /// The display name it gave, once its presence arrived.
    pub name: Option<String>,
    /// Whether it is connected (its presence says online, no will since).
    pub online: bool,
    /// Its progress per lab.
    pub progress: BTreeMap<String, Progress>,
    /// The lab it reported last.
    pub current_lab: Option<String>,
    /// Its answers: (lab, step) to the option chosen.
    pub answers: BTreeMap<(String, usize), usize>,
    /// How many of its messages could not be read, and the last reason.
    pub unreadable: (u32, Option<MessageError>),
}

impl Student {
    fn new(id: &str) -> Student {
        Student {
            id: id.to_string(),
            name: None,
            online: false,
            progress: BTreeMap::new(),
            current_lab: None,
            answers: BTreeMap::new(),
            unreadable: (0, None),
        }
    }

    /// Steps done in `lab` (0 if it never reported it).
    pub fn done(&self, lab: &str) -> usize {
        self.progress.get(lab).map_or(0, |p| p.done)
    }
}

/// The class, as the teacher's console holds it.
#[derive(Debug, Clone)]
pub struct Roster {
    room: Room,
    students: BTreeMap<String, Student>,
}

impl Roster {
    /// An empty class in `room`.
    pub fn new(room: Room) -> Roster {
        Roster {
            room,
            students: BTreeMap::new(),
        }
    }

    /// The room.
    pub fn room(&self) -> &Room {
        &self.room
    }

    /// Takes one message the teacher received. `Ok(false)` for a topic that is
    /// not a student's report; an unreadable report is counted against the
    /// student who sent it and returned as the error, changing nothing else.
    pub fn handle_message(&mut self, topic: &str, payload: &[u8]) -> Result<bool, MessageError> {
        let Some(read) = self.room.read(topic, payload) else {
            return Ok(false);
        };
        match read {
            Ok(Incoming::FromStudent(id, msg)) => {
                let s = self
                    .students
                    .entry(id.clone())
                    .or_insert_with(|| Student::new(&id));
                match msg {
                    FromStudent::Presence(Presence::Online(name)) => {
                        s.name = Some(name);
                        s.online = true;
                    }
                    FromStudent::Presence(Presence::Offline) => s.online = false,
                    FromStudent::Progress(p) => {
                        s.current_lab = Some(p.lab.clone());
                        s.progress.insert(p.lab.clone(), p);
                    }
                    FromStudent::Answer(a) => {
                        s.answers.insert((a.lab, a.step), a.option);
                    }
                }
                Ok(true)
            }
            // The teacher's own broadcasts come back to it: nothing to count.
            Ok(Incoming::ToStudent(_)) => Ok(false),
            Err(e) => {
                if let Some(id) = student_of(topic, &self.room) {
                    let s = self
                        .students
                        .entry(id.clone())
                        .or_insert_with(|| Student::new(&id));
                    s.unreadable.0 = s.unreadable.0.saturating_add(1);
                    s.unreadable.1 = Some(e.clone());
                }
                Err(e)
            }
        }
    }

    /// Every student heard from: those connected first, each part by display
    /// name (then identifier), an order that does not depend on who spoke first.
    pub fn students(&self) -> Vec<&Student> {
        let mut v: Vec<&Student> = self.students.values().collect();
        // Those connected first: after a break, or a load test, the teacher
        // looks for who is here, not through everyone who ever joined.
        v.sort_by(|a, b| (!a.online, &a.name, &a.id).cmp(&(!b.online, &b.name, &b.id)));
        v
    }

    /// One student.
    pub fn student(&self, id: &str) -> Option<&Student> {
        self.students.get(id)
    }

    /// How many are connected.
    pub fn online(&self) -> usize {
        self.students.values().filter(|s| s.online).count()
    }

    /// The students who have done at least `steps` steps of `lab`.
    pub fn done_at_least(&self, lab: &str, steps: usize) -> Vec<&Student> {
        self.students()
            .into_iter()
            .filter(|s| s.done(lab) >= steps)
            .collect()
    }

    /// How many students chose each of `options` options at step `step` of
    /// `lab` (an answer beyond the options is not counted).
    pub fn tally(&self, lab: &str, step: usize, options: usize) -> Vec<usize> {
        let mut counts = vec![0; options];
        for s in self.students.values() {
            if let Some(&o) = s.answers.get(&(lab.to_string(), step)) {
                if let Some(c) = counts.get_mut(o) {
                    *c += 1;
                }
            }
        }
        counts
    }
}

/// The student a `from/ID/...` topic of `room` is about.
fn student_of(topic: &str, room: &Room) -> Option<String> {
    let prefix = format!("{}/{}/from/", super::ROOT, room.name());
    let rest = topic.strip_prefix(&prefix)?;
    Some(rest.split('/').next()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classroom::{student_id, Answer};

    #[test]
    fn the_roster_counts_presence_progress_and_answers() {
        let room = Room::new("sala").unwrap();
        let mut r = Roster::new(room.clone());
        let ids: Vec<String> = (0..4u8).map(|i| student_id([i; 16])).collect();
        for (i, id) in ids.iter().enumerate() {
            let name = ["Duda", "Ana", "Caio", "Bia"][i];
            assert_eq!(
                r.handle_message(&room.presence(id), &Presence::Online(name.into()).encode()),
                Ok(true)
            );
        }
        let names = |r: &Roster| -> Vec<String> {
            r.students()
                .iter()
                .map(|s| s.name.clone().unwrap())
                .collect()
        };
        assert_eq!(names(&r), ["Ana", "Bia", "Caio", "Duda"]);
        for (id, done) in ids.iter().zip([2, 1, 2, 0]) {
            let p = Progress {
                lab: "last-will".into(),
                done,
                total: 3,
            };
            r.handle_message(&room.progress(id), &p.encode()).unwrap();
        }
        let two: Vec<_> = r
            .done_at_least("last-will", 2)
            .iter()
            .map(|s| s.id.clone())
            .collect();
        assert_eq!(two, [ids[2].clone(), ids[0].clone()], "Caio and Duda");
        for (id, option) in ids.iter().zip([1, 1, 0, 3]) {
            let a = Answer {
                lab: "last-will".into(),
                step: 2,
                option,
            };
            r.handle_message(&room.answer(id, "last-will", 2), &a.encode())
                .unwrap();
        }
        // Answering again replaces the answer.
        r.handle_message(&room.answer(&ids[3], "last-will", 2), b"1")
            .unwrap();
        assert_eq!(r.tally("last-will", 2, 3), [1, 3, 0]);
        // Garbage is counted against its sender only.
        assert!(r.handle_message(&room.progress(&ids[1]), b"\xff").is_err());
        assert_eq!(r.student(&ids[1]).unwrap().unreadable.0, 1);
        assert_eq!(r.student(&ids[1]).unwrap().done("last-will"), 1);
        r.handle_message(&room.presence(&ids[0]), &Presence::Offline.encode())
            .unwrap();
        assert_eq!(r.online(), 3);
        // Duda left: those here come first, then those gone.
        assert_eq!(names(&r), ["Ana", "Bia", "Caio", "Duda"]);
        r.handle_message(&room.presence(&ids[1]), &Presence::Offline.encode())
            .unwrap();
        assert_eq!(names(&r), ["Bia", "Caio", "Ana", "Duda"]);
        assert_eq!(r.handle_message("sensor1/status", b"on"), Ok(false));
        assert_eq!(
            r.handle_message(&room.push_all(), b"lab last-will 2"),
            Ok(false)
        );
    }
}
