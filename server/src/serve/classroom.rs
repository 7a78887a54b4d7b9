//! `mqttlab serve --classroom`: the core broker set up for a class (the room's
//! users and access rules come from the core, `mqttlab_core::classroom`), the
//! teacher's token and the students' room code drawn from the OS, and
//! `GET /classroom.json` telling a served page which room this server holds.

use axum::response::IntoResponse;
use mqttlab_core::broker::{BrokerConfig, RateLimit};
use mqttlab_core::classroom::Room;

/// The letters of a room code: no 0/O, 1/I/L, so that it reads aloud and
/// types without doubt.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in a room code (31^6, about 2^30).
const CODE_LEN: usize = 6;

/// A class: its room, the teacher's token and the students' code.
#[derive(Debug, Clone)]
pub struct Classroom {
    /// The room.
    pub room: Room,
    /// The teacher's password: 128 bits from the OS, as 32 hex digits.
    pub token: String,
    /// The students' password, [`CODE_LEN`] letters and digits.
    pub code: String,
}

impl Classroom {
    /// A class in room `name`, its secrets drawn from the OS.
    pub fn new(name: &str) -> anyhow::Result<Classroom> {
        let room = Room::new(name).map_err(|e| anyhow::anyhow!("--room: {e}"))?;
        let mut bytes = [0u8; 16 + CODE_LEN];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("no randomness from the OS for the token: {e}"))?;
        let token = bytes[..16].iter().map(|b| format!("{b:02x}")).collect();
        // 256 is not a multiple of 31: redraw the few bytes past the last whole
        // multiple, so that every letter is as likely.
        let mut code = String::new();
        let limit = 256 - 256 % CODE_ALPHABET.len();
        let mut pool = bytes[16..].to_vec();
        while code.len() < CODE_LEN {
            let Some(b) = pool.pop() else {
                let mut more = [0u8; 8];
                getrandom::fill(&mut more)
                    .map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
                pool.extend_from_slice(&more);
                continue;
            };
            if (b as usize) < limit {
                code.push(CODE_ALPHABET[b as usize % CODE_ALPHABET.len()] as char);
            }
        }
        Ok(Classroom { room, token, code })
    }

    /// `config` with the room's users and access rules: no anonymous client, the
    /// teacher by token, students by code; and, unless the configuration file
    /// set one, the class's message rate limit, so that one page's flood is cut
    /// off before it reaches the teacher's console at flood rate.
    pub fn configure(&self, config: &mut BrokerConfig) {
        config.allow_anonymous = false;
        config.users = self.room.users(&self.token, &self.code);
        config.acl = Some(self.room.acl());
        config.max_message_rate.get_or_insert(RateLimit::CLASSROOM);
    }

    /// The body of `GET /classroom.json`: the room's name only (the code is
    /// what students type; the token never leaves the teacher's link).
    pub fn json(&self) -> String {
        // Room names are [A-Za-z0-9_-]: no escaping needed.
        format!(r#"{{"room":"{}"}}"#, self.room.name())
    }
}

/// `GET /classroom.json`.
pub async fn info(axum::extract::State(json): axum::extract::State<String>) -> impl IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        json,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_codes_are_fresh_and_well_formed() {
        let a = Classroom::new("sala").unwrap();
        let b = Classroom::new("sala").unwrap();
        assert_eq!(a.token.len(), 32);
        assert!(a.token.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.token, b.token);
        assert_eq!(a.code.len(), CODE_LEN);
        assert!(a.code.bytes().all(|c| CODE_ALPHABET.contains(&c)));
        assert_eq!(a.json(), r#"{"room":"sala"}"#);
        assert!(Classroom::new("a/b").is_err());
        let mut config = BrokerConfig::default();
        a.configure(&mut config);
        assert!(!config.allow_anonymous);
        assert_eq!(config.users["teacher"], a.token.as_bytes());
        assert_eq!(config.users["student"], a.code.as_bytes());
        assert_eq!(config.max_message_rate, Some(RateLimit::CLASSROOM));
        // A file's own limit stays.
        let mut config = BrokerConfig {
            max_message_rate: Some(RateLimit::new(5)),
            ..BrokerConfig::default()
        };
        a.configure(&mut config);
        assert_eq!(config.max_message_rate, Some(RateLimit::new(5)));
    }
}
