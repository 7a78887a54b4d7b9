//! The classroom's payloads: one line of words (a world pushed carries its
//! scenario text after the first line). Each decodes to a typed value or a
//! [`MessageError`] saying what was wrong, so a page that sends garbage is
//! named and ignored, never obeyed and never a panic.

use std::fmt;

/// The longest payload read (a pushed world's scenario text included).
pub const MAX_PAYLOAD: usize = 64 * 1024;
/// The longest display name, in characters.
pub const MAX_NAME: usize = 40;

/// What was wrong with a classroom payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageError {
    /// Not UTF-8 text.
    NotText,
    /// Longer than [`MAX_PAYLOAD`]; holds the length.
    TooLarge(usize),
    /// Nothing in it.
    Empty,
    /// A first word no message of this topic starts with.
    UnknownWord(String),
    /// A field that should follow is missing; its name.
    Missing(&'static str),
    /// A field that should be a number is not: its name and what came.
    NotANumber(&'static str, String),
    /// A lab or scenario name with characters other than `a-z`, `0-9`, `-`, `_`, `.`.
    BadName(String),
    /// A display name that is empty, too long or holds control characters.
    BadDisplayName,
    /// A step or answer out of range: what and the number.
    OutOfRange(&'static str, u64),
    /// A topic under the room that carries no classroom message.
    UnknownTopic(String),
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::NotText => f.write_str("the payload is not UTF-8 text"),
            MessageError::TooLarge(n) => {
                write!(f, "the payload is {n} bytes, at most {MAX_PAYLOAD}")
            }
            MessageError::Empty => f.write_str("the payload is empty"),
            MessageError::UnknownWord(w) => write!(f, "'{w}' starts no classroom message"),
            MessageError::Missing(what) => write!(f, "the {what} is missing"),
            MessageError::NotANumber(what, got) => write!(f, "the {what} '{got}' is not a number"),
            MessageError::BadName(n) => write!(f, "'{n}' is not a lab or scenario name"),
            MessageError::BadDisplayName => f.write_str(
                "the display name is empty, longer than 40 characters or holds control characters",
            ),
            MessageError::OutOfRange(what, n) => write!(f, "the {what} {n} is out of range"),
            MessageError::UnknownTopic(t) => write!(f, "no classroom message goes to '{t}'"),
        }
    }
}

fn text(payload: &[u8]) -> Result<&str, MessageError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(MessageError::TooLarge(payload.len()));
    }
    let s = std::str::from_utf8(payload).map_err(|_| MessageError::NotText)?;
    if s.trim().is_empty() {
        return Err(MessageError::Empty);
    }
    Ok(s)
}

fn number(what: &'static str, word: Option<&str>) -> Result<u64, MessageError> {
    let w = word.ok_or(MessageError::Missing(what))?;
    w.parse()
        .map_err(|_| MessageError::NotANumber(what, w.chars().take(20).collect()))
}

fn name(what: &'static str, word: Option<&str>) -> Result<String, MessageError> {
    let w = word.ok_or(MessageError::Missing(what))?;
    if w.is_empty()
        || w.len() > 64
        || !w.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
    {
        return Err(MessageError::BadName(w.chars().take(40).collect()));
    }
    Ok(w.to_string())
}

/// What the teacher tells a student's page to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// A guided lab, at a step (1-based): the steps before it are done for the
    /// student, as a shared link does.
    Lab {
        /// The lab's id.
        id: String,
        /// The step it opens at.
        step: usize,
    },
    /// A bundled scenario, by name, in the workspace.
    Scenario {
        /// Its name.
        name: String,
    },
    /// The teacher's own world: a scenario's text and seed, in the workspace.
    World {
        /// The scenario language text.
        text: String,
        /// The seed.
        seed: u64,
    },
}

impl Push {
    /// The payload.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Push::Lab { id, step } => format!("lab {id} {step}"),
            Push::Scenario { name } => format!("scenario {name}"),
            Push::World { text, seed } => format!("world {seed}\n{text}"),
        }
        .into_bytes()
    }

    /// Reads a payload.
    pub fn decode(payload: &[u8]) -> Result<Push, MessageError> {
        let s = text(payload)?;
        let (first, rest) = s.split_once('\n').unwrap_or((s, ""));
        let mut words = first.split_whitespace();
        match words.next().unwrap_or("") {
            "lab" => {
                let id = name("lab", words.next())?;
                let step = number("step", words.next())?;
                if step == 0 || step > 100 {
                    return Err(MessageError::OutOfRange("step", step));
                }
                Ok(Push::Lab {
                    id,
                    step: step as usize,
                })
            }
            "scenario" => Ok(Push::Scenario {
                name: name("scenario", words.next())?,
            }),
            "world" => Ok(Push::World {
                seed: number("seed", words.next())?,
                text: rest.to_string(),
            }),
            w => Err(MessageError::UnknownWord(w.chars().take(20).collect())),
        }
    }
}

/// Whether students' clocks may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Every student's clock stops, for a "what happens next?".
    Frozen,
    /// Clocks run again.
    Running,
}

impl Clock {
    /// The payload.
    pub fn encode(self) -> Vec<u8> {
        match self {
            Clock::Frozen => b"frozen".to_vec(),
            Clock::Running => b"running".to_vec(),
        }
    }

    /// Reads a payload.
    pub fn decode(payload: &[u8]) -> Result<Clock, MessageError> {
        match text(payload)?.trim() {
            "frozen" => Ok(Clock::Frozen),
            "running" => Ok(Clock::Running),
            w => Err(MessageError::UnknownWord(w.chars().take(20).collect())),
        }
    }
}

/// What the teacher sends students.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToStudent {
    /// Open this.
    Push(Push),
    /// Freeze or unfreeze the clock.
    Clock(Clock),
}

/// A student is here (with its display name), or has left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// Connected, with the name it gave.
    Online(String),
    /// Gone: said on leaving, or its will when the connection was lost.
    Offline,
}

impl Presence {
    /// The payload.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Presence::Online(n) => format!("online {n}"),
            Presence::Offline => "offline".into(),
        }
        .into_bytes()
    }

    /// Reads a payload.
    pub fn decode(payload: &[u8]) -> Result<Presence, MessageError> {
        let s = text(payload)?;
        match s.split_once(' ') {
            Some(("online", n)) => Ok(Presence::Online(display_name(n)?)),
            None if s.trim() == "offline" => Ok(Presence::Offline),
            None if s.trim() == "online" => Err(MessageError::Missing("display name")),
            _ => Err(MessageError::UnknownWord(
                s.split_whitespace()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(20)
                    .collect(),
            )),
        }
    }
}

/// A display name as a student typed it, checked: trimmed, 1 to
/// [`MAX_NAME`] characters, no control characters.
pub fn display_name(typed: &str) -> Result<String, MessageError> {
    let n = typed.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME || n.chars().any(char::is_control) {
        return Err(MessageError::BadDisplayName);
    }
    Ok(n.to_string())
}

/// How far a student is through a lab: steps done (each a check that went
/// green) of the lab's total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The lab.
    pub lab: String,
    /// Steps done, each with its check green.
    pub done: usize,
    /// Steps in the lab.
    pub total: usize,
}

impl Progress {
    /// The payload.
    pub fn encode(&self) -> Vec<u8> {
        format!("{} {} {}", self.lab, self.done, self.total).into_bytes()
    }

    /// Reads a payload.
    pub fn decode(payload: &[u8]) -> Result<Progress, MessageError> {
        let s = text(payload)?;
        let mut w = s.split_whitespace();
        let lab = name("lab", w.next())?;
        let done = number("steps done", w.next())?;
        let total = number("step count", w.next())?;
        if total == 0 || total > 100 {
            return Err(MessageError::OutOfRange("step count", total));
        }
        if done > total {
            return Err(MessageError::OutOfRange("steps done", done));
        }
        Ok(Progress {
            lab,
            done: done as usize,
            total: total as usize,
        })
    }
}

/// A student's answer to a step's prediction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The lab.
    pub lab: String,
    /// The step (1-based).
    pub step: usize,
    /// The option chosen (0-based).
    pub option: usize,
}

impl Answer {
    /// The payload (the lab and step travel in the topic).
    pub fn encode(&self) -> Vec<u8> {
        self.option.to_string().into_bytes()
    }

    /// Reads an answer from its topic's last two levels and its payload.
    pub fn decode(lab: &str, step: &str, payload: &[u8]) -> Result<Answer, MessageError> {
        let lab = name("lab", Some(lab))?;
        let step = number("step", Some(step))?;
        if step == 0 || step > 100 {
            return Err(MessageError::OutOfRange("step", step));
        }
        let option = number("option", Some(text(payload)?.trim()))?;
        if option >= 16 {
            return Err(MessageError::OutOfRange("option", option));
        }
        Ok(Answer {
            lab,
            step: step as usize,
            option: option as usize,
        })
    }
}

/// What a student sends the teacher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromStudent {
    /// Here or gone.
    Presence(Presence),
    /// Its progress.
    Progress(Progress),
    /// An answer.
    Answer(Answer),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_round_trips() {
        for p in [
            Push::Lab {
                id: "last-will".into(),
                step: 2,
            },
            Push::Scenario {
                name: "06-last-will.mqtt".into(),
            },
            Push::World {
                text: "broker b\nclient c\n".into(),
                seed: 7,
            },
        ] {
            assert_eq!(Push::decode(&p.encode()), Ok(p));
        }
        for c in [Clock::Frozen, Clock::Running] {
            assert_eq!(Clock::decode(&c.encode()), Ok(c));
        }
        for p in [Presence::Online("Ana Clara".into()), Presence::Offline] {
            assert_eq!(Presence::decode(&p.encode()), Ok(p));
        }
        let pr = Progress {
            lab: "last-will".into(),
            done: 2,
            total: 3,
        };
        assert_eq!(Progress::decode(&pr.encode()), Ok(pr));
        assert_eq!(
            Answer::decode("qos1", "3", b"2"),
            Ok(Answer {
                lab: "qos1".into(),
                step: 3,
                option: 2
            })
        );
    }

    #[test]
    fn garbage_is_a_typed_error_never_a_panic() {
        assert_eq!(Push::decode(b"\xff\xfe"), Err(MessageError::NotText));
        assert_eq!(Push::decode(b"  "), Err(MessageError::Empty));
        assert_eq!(
            Push::decode(b"rm -rf /"),
            Err(MessageError::UnknownWord("rm".into()))
        );
        assert_eq!(
            Push::decode(b"lab last-will"),
            Err(MessageError::Missing("step"))
        );
        assert_eq!(
            Push::decode(b"lab last-will dois"),
            Err(MessageError::NotANumber("step", "dois".into()))
        );
        assert_eq!(
            Push::decode(b"lab ../x 1"),
            Err(MessageError::BadName("../x".into()))
        );
        assert_eq!(
            Push::decode(b"lab x 0"),
            Err(MessageError::OutOfRange("step", 0))
        );
        assert_eq!(
            Push::decode(&vec![b'a'; MAX_PAYLOAD + 1]),
            Err(MessageError::TooLarge(MAX_PAYLOAD + 1))
        );
        assert_eq!(
            Presence::decode(b"online \x07bell"),
            Err(MessageError::BadDisplayName)
        );
        assert_eq!(
            Presence::decode(format!("online {}", "x".repeat(41)).as_bytes()),
            Err(MessageError::BadDisplayName)
        );
        assert_eq!(
            Progress::decode(b"qos1 5 3"),
            Err(MessageError::OutOfRange("steps done", 5))
        );
        assert_eq!(
            Answer::decode("qos1", "1", b"99"),
            Err(MessageError::OutOfRange("option", 99))
        );
        // Every byte string of a few bytes decodes or errs, for every message.
        for a in 0u8..=255 {
            for b in [b' ', b'1', b'\n', 0xff, a] {
                let p = [a, b, b'1'];
                let _ = Push::decode(&p);
                let _ = Clock::decode(&p);
                let _ = Presence::decode(&p);
                let _ = Progress::decode(&p);
                let _ = Answer::decode("x", "1", &p);
            }
        }
    }
}
