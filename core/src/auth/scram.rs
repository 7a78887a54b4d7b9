//! SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash): a password check in which
//! neither side sends the password, each proves it knows it, and the server keeps
//! only keys derived from it.
//!
//! ```text
//! client                                           server
//!   client-first   n,,n=user,r=CNONCE        ->
//!                                            <-  server-first  r=CNONCE+SNONCE,s=SALT,i=4096
//!   client-final   c=biws,r=CNONCE+SNONCE,p=PROOF ->
//!                                            <-  server-final  v=SIGNATURE
//! ```
//!
//! In MQTT 5.0 (§4.12) the client-first rides in CONNECT's Authentication Data,
//! the server-first in an AUTH (0x18 Continue authentication), the client-final
//! in the client's AUTH, and the server-final in the CONNACK (or, when
//! re-authenticating, in the AUTH 0x00 Success) that ends the exchange.
//!
//! Each side is a small state machine whose states are types: a
//! [`ScramClient`] takes the server-first and becomes a [`ScramClientFinal`],
//! which checks the server-final; a [`ScramServer`] is made from a client-first
//! and checks the client-final. Nonces are arguments (see [`NonceGen`]).
//! Passwords are taken as their UTF-8 bytes, without RFC 4013's SASLprep, which
//! changes nothing for ASCII passwords; channel binding (`p=`) and authorization
//! identities (`a=`) are refused with their own errors, MQTT over TCP having no
//! channel to bind to.
//!
//! [`NonceGen`]: super::NonceGen

use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The method's name, as CONNECT's Authentication Method carries it.
pub const SCRAM_SHA_256: &str = "SCRAM-SHA-256";

/// The most iterations a client computes: a server asking for more is refused
/// rather than letting it make the client spin (RFC 7677 asks for at least
/// 4096; mosquitto's own password hashes use 101).
pub const MAX_ITERATIONS: u32 = 1_000_000;

type HmacSha256 = Hmac<Sha256>;

/// Which of the four messages an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScramMessage {
    /// `n,,n=user,r=nonce`, in CONNECT (or the AUTH 0x19 that re-authenticates).
    ClientFirst,
    /// `r=nonce,s=salt,i=count`, in the broker's first AUTH.
    ServerFirst,
    /// `c=biws,r=nonce,p=proof`, in the client's AUTH.
    ClientFinal,
    /// `v=signature` or `e=error`, in CONNACK or the final AUTH.
    ServerFinal,
}

impl ScramMessage {
    fn name(self) -> &'static str {
        match self {
            ScramMessage::ClientFirst => "client-first-message",
            ScramMessage::ServerFirst => "server-first-message",
            ScramMessage::ClientFinal => "client-final-message",
            ScramMessage::ServerFinal => "server-final-message",
        }
    }
}

/// What a malformed message should have had where it went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Text in UTF-8.
    Utf8,
    /// This attribute and `=`, e.g. `r=`.
    Attribute(char),
    /// The GS2 channel binding flag: `n`, `y` or `p=`.
    ChannelBindingFlag,
    /// A comma between attributes.
    Comma,
    /// The end of the message.
    End,
    /// base64.
    Base64,
    /// A positive decimal number.
    Count,
    /// A user name with `,` and `=` written `=2C` and `=3D`.
    SaslName,
    /// A nonce: printable ASCII without `,`.
    Nonce,
    /// A 32-byte value (a proof or a signature), base64.
    Hash32,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Utf8 => f.write_str("UTF-8 text"),
            Expected::Attribute(c) => write!(f, "'{c}='"),
            Expected::ChannelBindingFlag => f.write_str("'n', 'y' or 'p=' (channel binding)"),
            Expected::Comma => f.write_str("','"),
            Expected::End => f.write_str("the end of the message"),
            Expected::Base64 => f.write_str("base64"),
            Expected::Count => f.write_str("an iteration count (a positive number)"),
            Expected::SaslName => f.write_str("a user name (',' as =2C, '=' as =3D)"),
            Expected::Nonce => f.write_str("a nonce (printable ASCII, no ',')"),
            Expected::Hash32 => f.write_str("32 bytes in base64"),
        }
    }
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScramError {
    /// Not RFC 5802's grammar: `expected` was wanted at byte `at` of `message`.
    Malformed {
        /// The message.
        message: ScramMessage,
        /// The byte offset where it went wrong.
        at: usize,
        /// What should have been there.
        expected: Expected,
    },
    /// The client asked for channel binding (`p=`): nothing to bind to here.
    ChannelBindingUnsupported,
    /// The client named an authorization identity (`a=`), not supported.
    AuthzidUnsupported,
    /// A mandatory extension (`m=`) that this side does not know.
    MandatoryExtension {
        /// The message.
        message: ScramMessage,
    },
    /// The server's nonce does not start with the client's, or the
    /// client-final's nonce is not the one the server sent.
    NonceMismatch {
        /// The message with the wrong nonce.
        message: ScramMessage,
    },
    /// The client-final's `c=` is not the base64 of the client-first's GS2
    /// header.
    ChannelBindingMismatch,
    /// The server asked for more iterations than a client computes.
    TooManyIterations {
        /// What the server asked for.
        got: u32,
        /// [`MAX_ITERATIONS`].
        max: u32,
    },
    /// No credentials for this user name.
    UnknownUser {
        /// The user name, unescaped.
        username: String,
    },
    /// The client's proof is wrong: it does not know the password.
    BadProof,
    /// The server's signature is wrong: it does not know the password (or the
    /// exchange was tampered with).
    BadServerSignature,
    /// The server ended the exchange with `e=VALUE`.
    ServerError {
        /// The error value, e.g. `invalid-proof`.
        value: String,
    },
}

impl fmt::Display for ScramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScramError::Malformed {
                message,
                at,
                expected,
            } => write!(
                f,
                "malformed SCRAM {}: expected {expected} at byte {at} (RFC 5802 §7)",
                message.name()
            ),
            ScramError::ChannelBindingUnsupported => {
                f.write_str("SCRAM channel binding ('p=') is not supported (RFC 5802 §6)")
            }
            ScramError::AuthzidUnsupported => {
                f.write_str("a SCRAM authorization identity ('a=') is not supported")
            }
            ScramError::MandatoryExtension { message } => write!(
                f,
                "unknown mandatory extension ('m=') in the SCRAM {} (RFC 5802 §5.1)",
                message.name()
            ),
            ScramError::NonceMismatch { message } => write!(
                f,
                "the nonce of the SCRAM {} is not the one of this exchange (RFC 5802 §5.1)",
                message.name()
            ),
            ScramError::ChannelBindingMismatch => f.write_str(
                "the SCRAM client-final-message's 'c=' is not the client-first-message's GS2 header",
            ),
            ScramError::TooManyIterations { got, max } => {
                write!(f, "the server asks for {got} SCRAM iterations, more than {max}")
            }
            ScramError::UnknownUser { username } => write!(f, "no SCRAM user '{username}'"),
            ScramError::BadProof => f.write_str("wrong SCRAM client proof: wrong password"),
            ScramError::BadServerSignature => {
                f.write_str("wrong SCRAM server signature: the server does not know the password")
            }
            ScramError::ServerError { value } => write!(f, "the SCRAM server says e={value}"),
        }
    }
}

impl std::error::Error for ScramError {}

// ---- the keys (RFC 5802 §3) ----

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn xor(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    core::array::from_fn(|i| a[i] ^ b[i])
}

/// SaltedPassword := Hi(password, salt, i), PBKDF2 with HMAC-SHA-256.
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
    out
}

/// What a server keeps for one user: the salt, the iteration count and two keys
/// derived from the password, never the password itself.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramCredentials {
    /// The salt.
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count.
    pub iterations: u32,
    /// StoredKey := H(HMAC(SaltedPassword, "Client Key")).
    pub stored_key: [u8; 32],
    /// ServerKey := HMAC(SaltedPassword, "Server Key").
    pub server_key: [u8; 32],
}

impl fmt::Debug for ScramCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramCredentials")
            .field("salt", &STANDARD.encode(&self.salt))
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl ScramCredentials {
    /// The credentials for `password` with this salt and iteration count.
    pub fn from_password(password: &[u8], salt: &[u8], iterations: u32) -> Self {
        let salted = salted_password(password, salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        ScramCredentials {
            salt: salt.to_vec(),
            iterations,
            stored_key: Sha256::digest(client_key).into(),
            server_key: hmac(&salted, b"Server Key"),
        }
    }
}

// ---- parsing (RFC 5802 §7) ----

struct Cur<'a> {
    s: &'a str,
    pos: usize,
    message: ScramMessage,
}

impl<'a> Cur<'a> {
    fn new(bytes: &'a [u8], message: ScramMessage) -> Result<Self, ScramError> {
        let s = core::str::from_utf8(bytes).map_err(|e| ScramError::Malformed {
            message,
            at: e.valid_up_to(),
            expected: Expected::Utf8,
        })?;
        Ok(Cur { s, pos: 0, message })
    }

    fn err<T>(&self, at: usize, expected: Expected) -> Result<T, ScramError> {
        Err(ScramError::Malformed {
            message: self.message,
            at,
            expected,
        })
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    /// `NAME=value` up to the next comma or the end; the value and where it starts.
    fn attr(&mut self, name: char) -> Result<(&'a str, usize), ScramError> {
        let rest = self.rest();
        let mut chars = rest.chars();
        if chars.next() != Some(name) || chars.next() != Some('=') {
            return self.err(self.pos, Expected::Attribute(name));
        }
        let start = self.pos + 2;
        let len = self.s[start..].find(',').unwrap_or(self.s.len() - start);
        self.pos = start + len;
        Ok((&self.s[start..start + len], start))
    }

    fn comma(&mut self) -> Result<(), ScramError> {
        if self.rest().starts_with(',') {
            self.pos += 1;
            Ok(())
        } else {
            self.err(self.pos, Expected::Comma)
        }
    }

    /// Optional extensions (`,x=...`) until the end: known to no one here, so
    /// skipped, as RFC 5802 lets a receiver do.
    fn extensions(&mut self) -> Result<(), ScramError> {
        while !self.rest().is_empty() {
            self.comma()?;
            let name = match self.rest().chars().next() {
                Some(c) if c.is_ascii_alphabetic() => c,
                _ => return self.err(self.pos, Expected::End),
            };
            self.attr(name)?;
        }
        Ok(())
    }

    fn base64(&self, value: &str, at: usize) -> Result<Vec<u8>, ScramError> {
        STANDARD
            .decode(value)
            .or_else(|_| self.err(at, Expected::Base64))
    }

    fn hash32(&self, value: &str, at: usize) -> Result<[u8; 32], ScramError> {
        let bytes = self.base64(value, at)?;
        bytes.try_into().or_else(|_| self.err(at, Expected::Hash32))
    }

    fn nonce(&self, value: &'a str, at: usize) -> Result<&'a str, ScramError> {
        match value.bytes().position(|b| !(0x21..=0x7e).contains(&b)) {
            None if !value.is_empty() => Ok(value),
            None => self.err(at, Expected::Nonce),
            Some(i) => self.err(at + i, Expected::Nonce),
        }
    }
}

/// `=2C` for `,` and `=3D` for `=` (RFC 5802 §5.1).
fn escape_name(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

fn unescape_name(cur: &Cur<'_>, value: &str, at: usize) -> Result<String, ScramError> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        match rest.get(i..i + 3) {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            _ => return cur.err(at + (value.len() - rest.len()) + i, Expected::SaslName),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    if out.is_empty() {
        return cur.err(at, Expected::SaslName);
    }
    Ok(out)
}

/// A client-first-message's parts.
struct ClientFirst<'a> {
    gs2_header: &'a str,
    bare: &'a str,
    username: String,
    nonce: &'a str,
}

fn parse_client_first(bytes: &[u8]) -> Result<ClientFirst<'_>, ScramError> {
    let mut c = Cur::new(bytes, ScramMessage::ClientFirst)?;
    match c.rest().as_bytes().first() {
        Some(b'n' | b'y') => c.pos += 1,
        Some(b'p') if c.rest().as_bytes().get(1) == Some(&b'=') => {
            return Err(ScramError::ChannelBindingUnsupported)
        }
        _ => return c.err(0, Expected::ChannelBindingFlag),
    }
    c.comma()?;
    if c.rest().starts_with("a=") {
        return Err(ScramError::AuthzidUnsupported);
    }
    c.comma()?;
    let gs2_header = &c.s[..c.pos];
    let bare_at = c.pos;
    if c.rest().starts_with("m=") {
        return Err(ScramError::MandatoryExtension {
            message: ScramMessage::ClientFirst,
        });
    }
    let (name, at) = c.attr('n')?;
    let username = unescape_name(&c, name, at)?;
    c.comma()?;
    let (nonce, at) = c.attr('r')?;
    let nonce = c.nonce(nonce, at)?;
    c.extensions()?;
    Ok(ClientFirst {
        gs2_header,
        bare: &c.s[bare_at..],
        username,
        nonce,
    })
}

// ---- the client ----

/// The client before the server-first-message: it has sent its client-first.
#[derive(Clone)]
pub struct ScramClient {
    password: Vec<u8>,
    nonce: String,
    first_bare: String,
}

impl fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramClient")
            .field("first_bare", &self.first_bare)
            .finish_non_exhaustive()
    }
}

impl ScramClient {
    /// Starts an exchange for `username` with `password` and the client nonce
    /// `nonce` (printable ASCII without `,`, e.g. from [`NonceGen`]); also gives
    /// the client-first-message to send.
    ///
    /// [`NonceGen`]: super::NonceGen
    pub fn new(
        username: &str,
        password: &[u8],
        nonce: &str,
    ) -> Result<(Self, Vec<u8>), ScramError> {
        let first_bare = format!("n={},r={nonce}", escape_name(username));
        let first = format!("n,,{first_bare}");
        // Checks what the caller gave as the server will.
        parse_client_first(first.as_bytes())?;
        Ok((
            ScramClient {
                password: password.to_vec(),
                nonce: nonce.to_owned(),
                first_bare,
            },
            first.into_bytes(),
        ))
    }

    /// Takes the server-first-message; gives the client-final-message to send
    /// and the state that checks the server's answer.
    pub fn handle_server_first(
        self,
        server_first: &[u8],
    ) -> Result<(ScramClientFinal, Vec<u8>), ScramError> {
        let mut c = Cur::new(server_first, ScramMessage::ServerFirst)?;
        if c.rest().starts_with("m=") {
            return Err(ScramError::MandatoryExtension {
                message: ScramMessage::ServerFirst,
            });
        }
        if c.rest().starts_with("e=") {
            let (value, _) = c.attr('e')?;
            return Err(ScramError::ServerError {
                value: value.to_owned(),
            });
        }
        let (nonce, at) = c.attr('r')?;
        let nonce = c.nonce(nonce, at)?;
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return Err(ScramError::NonceMismatch {
                message: ScramMessage::ServerFirst,
            });
        }
        c.comma()?;
        let (salt, at) = c.attr('s')?;
        let salt = c.base64(salt, at)?;
        c.comma()?;
        let (count, at) = c.attr('i')?;
        let iterations: u32 = match count.parse() {
            Ok(n) if n > 0 && !count.starts_with('+') => n,
            _ => return c.err(at, Expected::Count),
        };
        if iterations > MAX_ITERATIONS {
            return Err(ScramError::TooManyIterations {
                got: iterations,
                max: MAX_ITERATIONS,
            });
        }
        c.extensions()?;
        let server_first = c.s;
        // c=biws: base64 of the GS2 header "n,,".
        let without_proof = format!("c={},r={nonce}", STANDARD.encode("n,,"));
        let auth_message = format!("{},{server_first},{without_proof}", self.first_bare);
        let salted = salted_password(&self.password, &salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key: [u8; 32] = Sha256::digest(client_key).into();
        let proof = xor(&client_key, &hmac(&stored_key, auth_message.as_bytes()));
        let server_key = hmac(&salted, b"Server Key");
        let final_msg = format!("{without_proof},p={}", STANDARD.encode(proof));
        Ok((
            ScramClientFinal {
                server_signature: hmac(&server_key, auth_message.as_bytes()),
            },
            final_msg.into_bytes(),
        ))
    }
}

/// The client after its client-final-message: it checks the server-final.
#[derive(Clone)]
pub struct ScramClientFinal {
    server_signature: [u8; 32],
}

impl fmt::Debug for ScramClientFinal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramClientFinal").finish_non_exhaustive()
    }
}

impl ScramClientFinal {
    /// Checks the server-final-message: `Ok` when the server proved it knows
    /// the password.
    pub fn handle_server_final(self, server_final: &[u8]) -> Result<(), ScramError> {
        let mut c = Cur::new(server_final, ScramMessage::ServerFinal)?;
        if c.rest().starts_with("e=") {
            let (value, _) = c.attr('e')?;
            return Err(ScramError::ServerError {
                value: value.to_owned(),
            });
        }
        let (sig, at) = c.attr('v')?;
        let sig = c.hash32(sig, at)?;
        c.extensions()?;
        if bool::from(sig.ct_eq(&self.server_signature)) {
            Ok(())
        } else {
            Err(ScramError::BadServerSignature)
        }
    }
}

// ---- the server ----

/// The server after the client-first-message: it has sent its server-first and
/// waits for the client-final.
#[derive(Clone)]
pub struct ScramServer {
    username: String,
    credentials: ScramCredentials,
    gs2_header: String,
    nonce: String,
    auth_prefix: String,
}

impl fmt::Debug for ScramServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramServer")
            .field("username", &self.username)
            .field("nonce", &self.nonce)
            .finish_non_exhaustive()
    }
}

impl ScramServer {
    /// Takes a client-first-message, looks its user up with `credentials`, and
    /// gives the server-first-message to send, with `server_nonce` appended to
    /// the client's nonce.
    pub fn handle_client_first(
        client_first: &[u8],
        server_nonce: &str,
        credentials: impl FnOnce(&str) -> Option<ScramCredentials>,
    ) -> Result<(ScramServer, Vec<u8>), ScramError> {
        let first = parse_client_first(client_first)?;
        let Some(creds) = credentials(&first.username) else {
            return Err(ScramError::UnknownUser {
                username: first.username,
            });
        };
        let nonce = format!("{}{server_nonce}", first.nonce);
        let server_first = format!(
            "r={nonce},s={},i={}",
            STANDARD.encode(&creds.salt),
            creds.iterations
        );
        Ok((
            ScramServer {
                auth_prefix: format!("{},{server_first}", first.bare),
                username: first.username,
                credentials: creds,
                gs2_header: first.gs2_header.to_owned(),
                nonce,
            },
            server_first.into_bytes(),
        ))
    }

    /// The user name the client gave.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Checks the client-final-message; gives the server-final-message (`v=`)
    /// when the proof is right.
    pub fn handle_client_final(self, client_final: &[u8]) -> Result<Vec<u8>, ScramError> {
        let mut c = Cur::new(client_final, ScramMessage::ClientFinal)?;
        let (binding, at) = c.attr('c')?;
        let binding = c.base64(binding, at)?;
        if binding != self.gs2_header.as_bytes() {
            return Err(ScramError::ChannelBindingMismatch);
        }
        c.comma()?;
        let (nonce, at) = c.attr('r')?;
        c.nonce(nonce, at)?;
        if nonce != self.nonce {
            return Err(ScramError::NonceMismatch {
                message: ScramMessage::ClientFinal,
            });
        }
        // Extensions may come before the proof, which is always last.
        let proof_at = match c.rest().rfind(",p=") {
            Some(i) => c.pos + i,
            None => return c.err(c.s.len(), Expected::Attribute('p')),
        };
        let without_proof = &c.s[..proof_at];
        c.pos = proof_at;
        c.comma()?;
        let (proof, at) = c.attr('p')?;
        let proof = c.hash32(proof, at)?;
        if !c.rest().is_empty() {
            return c.err(c.pos, Expected::End);
        }
        let auth_message = format!("{},{without_proof}", self.auth_prefix);
        let signature = hmac(&self.credentials.stored_key, auth_message.as_bytes());
        let client_key = xor(&proof, &signature);
        let stored: [u8; 32] = Sha256::digest(client_key).into();
        if !bool::from(stored.ct_eq(&self.credentials.stored_key)) {
            return Err(ScramError::BadProof);
        }
        let server_signature = hmac(&self.credentials.server_key, auth_message.as_bytes());
        Ok(format!("v={}", STANDARD.encode(server_signature)).into_bytes())
    }
}

#[cfg(test)]
mod tests;
