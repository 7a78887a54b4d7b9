//! Enhanced authentication in the broker (MQTT 5.0 §4.12): the AUTH exchange
//! between CONNECT and CONNACK, and re-authentication on a live connection,
//! with one method a student can follow packet by packet, SCRAM-SHA-256
//! (`crate::auth::scram`).
//!
//! ```text
//! client                                                broker
//! CONNECT  Authentication Method SCRAM-SHA-256,
//!          Authentication Data client-first      ->
//!                                                <-  AUTH 0x18 (Continue), server-first
//! AUTH 0x18, client-final                        ->
//!                                                <-  CONNACK 0x00, server-final
//! ...
//! AUTH 0x19 (Re-authenticate), client-first     ->
//!                                                <-  AUTH 0x18, server-first
//! AUTH 0x18, client-final                        ->
//!                                                <-  AUTH 0x00 (Success), server-final
//! ```
//!
//! Every AUTH and the successful CONNACK carry the CONNECT's method
//! (MQTT-4.12.0-5). The answers that end an exchange badly:
//!
//! - a method the broker does not offer: CONNACK 0x8C Bad authentication method
//!   (MQTT-4.12.0-1 allows 0x8C or 0x87; mosquitto 2.0.11 answers 0x8C);
//! - an unknown user, a wrong proof (wrong password), malformed or missing
//!   Authentication Data: CONNACK 0x87 Not authorized, as mosquitto answers a
//!   refused exchange (MQTT-4.12.0-4 allows any code from 0x80); the log and the
//!   event say which it was, the client is not told whether the user exists;
//! - the same during re-authentication: DISCONNECT 0x87 (MQTT-4.12.1-2;
//!   mosquitto 2.0.11 sends a CONNACK on the live connection instead);
//! - an AUTH from a client that did not start with a method, with another
//!   method than its CONNECT's (MQTT-4.12.1-1), or whose reason code does not
//!   fit (0x18 with no exchange in progress, 0x19 during one, 0x00 from a
//!   client): DISCONNECT 0x82 Protocol Error.
//!
//! The `-v` log has mosquitto's AUTH lines (`Sending AUTH to c1 (rc24,
//! SCRAM-SHA-256)`, `Received AUTH from c1 (rc24, SCRAM-SHA-256)`); mosquitto
//! has no SCRAM of its own, these are the lines its plugin interface logs.
//!
//! The broker's nonces come from a [`NonceGen`] whose key the driver gives
//! ([`EnhancedAuthConfig::nonce_key`]: the operating system's randomness in
//! `mqttlab broker`), or, without one, derived from the broker's seed, so that a
//! simulation replays byte for byte.

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::auth::{NonceGen, ScramCredentials, ScramError, ScramServer, SCRAM_SHA_256};
use crate::codec::properties::{AuthenticationData, AuthenticationMethod, Property};
use crate::codec::reason_codes::{AuthReasonCode, ConnackReasonCode, DisconnectReasonCode};
use crate::codec::v5;
use crate::time::Instant;

use super::connect::ConnectRequest;
use super::{Broker, BrokerEvent, CloseReason, ConnId, Timer};

/// What the broker knows for enhanced authentication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnhancedAuthConfig {
    /// SCRAM-SHA-256 users by name: salt, iteration count and keys, never the
    /// password. With none, the broker offers no method (CONNACK 0x8C to any).
    pub scram_users: BTreeMap<String, ScramCredentials>,
    /// The key of the broker's nonces (from the operating system on real
    /// sockets); `None` derives one from the broker's seed.
    pub nonce_key: Option<[u8; 32]>,
}

impl EnhancedAuthConfig {
    /// Adds (or replaces) a SCRAM-SHA-256 user, keeping only what the password
    /// derives with this salt and iteration count.
    pub fn add_scram_user(
        &mut self,
        username: &str,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
    ) {
        self.scram_users.insert(
            username.to_owned(),
            ScramCredentials::from_password(password, salt, iterations),
        );
    }

    /// Whether the broker offers `method`.
    pub fn offers(&self, method: &str) -> bool {
        method == SCRAM_SHA_256 && !self.scram_users.is_empty()
    }
}

/// Why an enhanced authentication ended badly: what the log, the events and the
/// reason code are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// A method this broker does not offer.
    UnsupportedMethod {
        /// The method the client named.
        method: String,
    },
    /// A step came without Authentication Data, which SCRAM needs at every step.
    NoData,
    /// SCRAM refused the data: unknown user, wrong proof, malformed message.
    Scram(ScramError),
    /// An AUTH named another method than the connection's (MQTT-4.12.1-1), or
    /// none.
    MethodChanged {
        /// The method it named, if any.
        method: Option<String>,
    },
    /// An AUTH from a client that did not authenticate with a method
    /// (MQTT-4.12.0-7).
    NoMethod,
    /// An AUTH whose reason code does not fit the exchange.
    UnexpectedAuth {
        /// Its reason code.
        reason: AuthReasonCode,
    },
}

impl AuthFailure {
    /// The CONNACK that refuses a first authentication.
    pub fn connack_reason(&self) -> ConnackReasonCode {
        match self {
            AuthFailure::UnsupportedMethod { .. } => ConnackReasonCode::BadAuthenticationMethod,
            AuthFailure::NoData | AuthFailure::Scram(_) => ConnackReasonCode::NotAuthorized,
            AuthFailure::MethodChanged { .. }
            | AuthFailure::NoMethod
            | AuthFailure::UnexpectedAuth { .. } => ConnackReasonCode::ProtocolError,
        }
    }

    /// The DISCONNECT that ends a connection whose re-authentication failed, or
    /// that broke the exchange's rules.
    pub fn disconnect_reason(&self) -> DisconnectReasonCode {
        // DISCONNECT has no 0x8C: on a live connection a method is a given.
        match self {
            AuthFailure::NoData | AuthFailure::Scram(_) => DisconnectReasonCode::NotAuthorized,
            AuthFailure::UnsupportedMethod { .. }
            | AuthFailure::MethodChanged { .. }
            | AuthFailure::NoMethod
            | AuthFailure::UnexpectedAuth { .. } => DisconnectReasonCode::ProtocolError,
        }
    }
}

impl AuthFailure {
    /// The normative statement a protocol error breaks.
    pub fn rule(&self) -> &'static str {
        match self {
            AuthFailure::MethodChanged { .. } => "MQTT-4.12.1-1",
            AuthFailure::NoMethod => "MQTT-4.12.0-7",
            AuthFailure::UnexpectedAuth { .. } => "MQTT-3.15.2-1",
            _ => "MQTT-4.12.0-4",
        }
    }
}

impl core::fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AuthFailure::UnsupportedMethod { method } => {
                write!(f, "authentication method '{method}' is not offered")
            }
            AuthFailure::NoData => f.write_str("no Authentication Data"),
            AuthFailure::Scram(e) => e.fmt(f),
            AuthFailure::MethodChanged { method: Some(m) } => write!(
                f,
                "AUTH with method '{m}', not the connection's (MQTT-4.12.1-1)"
            ),
            AuthFailure::MethodChanged { method: None } => {
                f.write_str("AUTH without Authentication Method (MQTT-4.12.1-1)")
            }
            AuthFailure::NoMethod => f.write_str(
                "AUTH from a client that connected without an Authentication Method (MQTT-4.12.0-7)",
            ),
            AuthFailure::UnexpectedAuth { reason } => {
                write!(f, "AUTH with reason code {:#04x} out of place", reason.as_u8())
            }
        }
    }
}

/// What to answer a step with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Answer {
    /// AUTH 0x18 (Continue authentication) with this data.
    Continue(Bytes),
    /// Authenticated: CONNACK 0x00 (first authentication) or AUTH 0x00
    /// (re-authentication) with this data; the user it proved to be.
    Success {
        /// The Authentication Data of the answer (SCRAM's server-final).
        data: Bytes,
        /// The user.
        username: String,
    },
}

/// One exchange in progress: the server's side of SCRAM, waiting for the
/// client-final.
type Exchange = ScramServer;

/// Every connection's enhanced authentication: the method each authenticated
/// with, and the exchanges in progress.
#[derive(Debug, Clone)]
pub(super) struct Authenticator {
    nonces: NonceGen,
    methods: BTreeMap<ConnId, String>,
    exchanges: BTreeMap<ConnId, Exchange>,
    /// CONNECTs waiting for their exchange to end before CONNACK.
    pending: BTreeMap<ConnId, ConnectRequest>,
}

impl Authenticator {
    pub(super) fn new(config: &EnhancedAuthConfig, seed: u64) -> Self {
        Authenticator {
            nonces: match config.nonce_key {
                Some(key) => NonceGen::new(key),
                None => NonceGen::from_seed(seed, "broker enhanced authentication"),
            },
            methods: BTreeMap::new(),
            exchanges: BTreeMap::new(),
            pending: BTreeMap::new(),
        }
    }

    /// Whether the connection's CONNECT waits for its exchange to end.
    pub(super) fn connecting(&self, conn: ConnId) -> bool {
        self.pending.contains_key(&conn)
    }

    /// The method the connection authenticates with, if it named one.
    pub(super) fn method(&self, conn: ConnId) -> Option<&str> {
        self.methods.get(&conn).map(String::as_str)
    }

    /// The connection is gone.
    pub(super) fn forget(&mut self, conn: ConnId) {
        self.methods.remove(&conn);
        self.exchanges.remove(&conn);
        self.pending.remove(&conn);
    }

    /// A CONNECT with an Authentication Method: the first step.
    pub(super) fn connect(
        &mut self,
        config: &EnhancedAuthConfig,
        conn: ConnId,
        method: &str,
        data: Option<&[u8]>,
    ) -> Result<Answer, AuthFailure> {
        if !config.offers(method) {
            return Err(AuthFailure::UnsupportedMethod {
                method: method.to_owned(),
            });
        }
        self.methods.insert(conn, method.to_owned());
        self.begin(config, conn, data)
    }

    /// An AUTH from the client.
    pub(super) fn auth(
        &mut self,
        config: &EnhancedAuthConfig,
        conn: ConnId,
        reason: AuthReasonCode,
        props: &[Property],
    ) -> Result<Answer, AuthFailure> {
        let Some(method) = self.methods.get(&conn) else {
            return Err(AuthFailure::NoMethod);
        };
        let (named, data) = read(props);
        if named != Some(method.as_str()) {
            return Err(AuthFailure::MethodChanged {
                method: named.map(str::to_owned),
            });
        }
        match (reason, self.exchanges.remove(&conn)) {
            (AuthReasonCode::ContinueAuthentication, Some(x)) => {
                let data = data.ok_or(AuthFailure::NoData)?;
                let username = x.username().to_owned();
                let last = x.handle_client_final(data).map_err(AuthFailure::Scram)?;
                Ok(Answer::Success {
                    data: Bytes::from(last),
                    username,
                })
            }
            (AuthReasonCode::ReAuthenticate, None) => self.begin(config, conn, data),
            (reason, _) => Err(AuthFailure::UnexpectedAuth { reason }),
        }
    }

    fn begin(
        &mut self,
        config: &EnhancedAuthConfig,
        conn: ConnId,
        data: Option<&[u8]>,
    ) -> Result<Answer, AuthFailure> {
        let data = data.ok_or(AuthFailure::NoData)?;
        let nonce = self.nonces.next_nonce();
        let (scram, first) = ScramServer::handle_client_first(data, &nonce, |user| {
            config.scram_users.get(user).cloned()
        })
        .map_err(AuthFailure::Scram)?;
        self.exchanges.insert(conn, scram);
        Ok(Answer::Continue(Bytes::from(first)))
    }
}

impl Broker {
    /// A CONNECT that names an Authentication Method: the first step of the
    /// exchange, in place of the user table (`connect.rs`).
    pub(super) fn begin_enhanced_auth(
        &mut self,
        now: Instant,
        conn: ConnId,
        method: String,
        req: ConnectRequest,
    ) {
        let client_id = req.connect.client_id.clone();
        let (_, data) = read(&req.connect.properties);
        let data = data.map(<[u8]>::to_vec);
        let answer = self
            .authn
            .connect(&self.config.enhanced_auth, conn, &method, data.as_deref());
        self.authn.pending.insert(conn, req);
        self.answer(now, conn, &client_id, answer, true);
    }

    /// An AUTH from the client: the next step of an exchange, or a
    /// re-authentication (AUTH 0x19).
    pub(super) fn on_auth(&mut self, now: Instant, conn: ConnId, a: v5::Auth) {
        let reason = a.reason.unwrap_or(AuthReasonCode::Success);
        let name = match (self.authn.pending.get(&conn), self.conns.get(&conn)) {
            (Some(req), _) => req.connect.client_id.clone(),
            (None, Some(c)) => c.log_name().to_owned(),
            (None, None) => return,
        };
        let props = a.properties.unwrap_or_default();
        let answer = self
            .authn
            .auth(&self.config.enhanced_auth, conn, reason, &props);
        let checked = !matches!(
            answer,
            Err(AuthFailure::NoMethod
                | AuthFailure::MethodChanged { .. }
                | AuthFailure::UnexpectedAuth { .. })
        );
        if let Some(method) = self
            .authn
            .method(conn)
            .filter(|_| checked)
            .map(str::to_owned)
        {
            // mosquitto logs an AUTH once it has checked its method and
            // reason code, before the method looks at its data.
            self.log(now, || {
                format!("Received AUTH from {name} (rc{}, {method})", reason.as_u8())
            });
        }
        self.answer(now, conn, &name, answer, false);
    }

    /// Sends what a step calls for: the next AUTH, the CONNACK or final AUTH
    /// of a success, or the refusal.
    fn answer(
        &mut self,
        now: Instant,
        conn: ConnId,
        name: &str,
        answer: Result<Answer, AuthFailure>,
        from_connect: bool,
    ) {
        let method = self.authn.method(conn).unwrap_or_default().to_owned();
        let reauth = !self.authn.connecting(conn);
        match answer {
            Ok(Answer::Continue(data)) => {
                self.send_auth(
                    now,
                    conn,
                    name,
                    AuthReasonCode::ContinueAuthentication,
                    &method,
                    &data,
                );
                if !reauth {
                    // The exchange must end as a CONNECT must arrive: within
                    // the connect timeout of each step.
                    if let (Some(grace), Some(c)) =
                        (self.config.connect_timeout, self.conns.get_mut(&conn))
                    {
                        c.timers.set(Timer::Connect, now + grace);
                    }
                    self.reschedule(conn);
                }
            }
            Ok(Answer::Success { data, username }) => {
                self.event(|| BrokerEvent::Authenticated {
                    conn,
                    client_id: name.to_owned(),
                    method: method.clone(),
                    username: username.clone(),
                    reauthentication: reauth,
                });
                if let Some(mut req) = self.authn.pending.remove(&conn) {
                    if let Some(c) = self.conns.get_mut(&conn) {
                        c.timers.clear(Timer::Connect);
                    }
                    // The user SCRAM proved is the connection's (its ACL and
                    // log line), as a mosquitto plugin sets it.
                    req.connect.username = Some(username);
                    req.connack_properties = properties(&method, &data);
                    self.accept(now, conn, req);
                } else {
                    self.send_auth(now, conn, name, AuthReasonCode::Success, &method, &data);
                    if let Some(c) = self.conns.get_mut(&conn) {
                        c.username = Some(username.clone());
                        if let Some(s) = c
                            .client_id
                            .clone()
                            .and_then(|id| self.sessions.get_mut(&id))
                        {
                            s.username = Some(username);
                        }
                    }
                }
            }
            Err(failure) => self.auth_failed(now, conn, name, failure, from_connect),
        }
    }

    fn auth_failed(
        &mut self,
        now: Instant,
        conn: ConnId,
        name: &str,
        failure: AuthFailure,
        from_connect: bool,
    ) {
        self.event(|| BrokerEvent::AuthenticationFailed {
            conn,
            client_id: name.to_owned(),
            failure: failure.clone(),
        });
        let protocol = failure.disconnect_reason() == DisconnectReasonCode::ProtocolError;
        if self.authn.pending.remove(&conn).is_some() {
            // Refused before CONNACK: CONNACK names the client by its
            // identifier, as mosquitto's does once it has read the CONNECT.
            let code = failure.connack_reason();
            self.send(
                now,
                conn,
                name,
                v5::Packet::Connack(v5::Connack {
                    session_present: false,
                    reason: code,
                    properties: Vec::new(),
                }),
            );
            // mosquitto 2.0.11's words: its CONNECT handler ends a refused
            // first step as "not authorised" and an unsupported method with
            // its text for MOSQ_ERR_NOT_SUPPORTED; its AUTH handler ends any
            // refusal as a protocol error.
            let why = match &failure {
                AuthFailure::UnsupportedMethod { .. } => {
                    "disconnected due to QoS too high or retain not supported."
                }
                _ if from_connect && !protocol => "disconnected, not authorised.",
                _ => "disconnected due to protocol error.",
            };
            self.log(now, || format!("Client <unknown> {why}"));
            let v3 = crate::codec::convert::connack_code_v3(code);
            self.event(|| BrokerEvent::ConnectionRefused { conn, code: v3 });
            self.end_connection(now, conn, CloseReason::Refused(v3));
        } else if protocol {
            self.protocol_error(now, conn, failure.to_string(), failure.rule(), false);
        } else {
            // A failed re-authentication ends the connection (MQTT-4.12.1-2).
            self.send_disconnect(
                now,
                conn,
                failure.disconnect_reason(),
                Some(failure.to_string()),
            );
            self.log(now, || {
                format!("Client {name} disconnected, not authorised.")
            });
            self.end_connection(now, conn, CloseReason::NotAuthorized);
        }
    }

    fn send_auth(
        &mut self,
        now: Instant,
        conn: ConnId,
        name: &str,
        reason: AuthReasonCode,
        method: &str,
        data: &Bytes,
    ) {
        self.log(now, || {
            format!("Sending AUTH to {name} (rc{}, {method})", reason.as_u8())
        });
        self.transmit(
            now,
            conn,
            v5::Packet::Auth(v5::Auth {
                reason: Some(reason),
                properties: Some(properties(method, data)),
            }),
        );
    }
}

/// The Authentication Method and Data of a CONNECT, AUTH or CONNACK.
pub(super) fn read(props: &[Property]) -> (Option<&str>, Option<&[u8]>) {
    let mut method = None;
    let mut data = None;
    for p in props {
        match p {
            Property::AuthenticationMethod(m) => method = Some(m.0.as_str()),
            Property::AuthenticationData(d) => data = Some(&d.0[..]),
            _ => {}
        }
    }
    (method, data)
}

/// The properties that carry a step: the method, and the data if any.
pub(super) fn properties(method: &str, data: &Bytes) -> Vec<Property> {
    let mut props = vec![AuthenticationMethod(method.to_owned()).into()];
    if !data.is_empty() {
        props.push(AuthenticationData(data.clone()).into());
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ScramClient;

    fn config() -> EnhancedAuthConfig {
        let mut c = EnhancedAuthConfig::default();
        c.add_scram_user("aluno", b"senha", b"sal", 64);
        c
    }

    fn step(method: &str, data: &[u8]) -> Vec<Property> {
        properties(method, &Bytes::copy_from_slice(data))
    }

    /// The client's side of one exchange, started by `start`.
    fn exchange(
        a: &mut Authenticator,
        cfg: &EnhancedAuthConfig,
        conn: ConnId,
        password: &[u8],
        start: impl FnOnce(&mut Authenticator, &[u8]) -> Result<Answer, AuthFailure>,
    ) -> Result<String, AuthFailure> {
        let (client, first) = ScramClient::new("aluno", password, "cnonce").unwrap();
        let Answer::Continue(server_first) = start(a, &first)? else {
            panic!("SCRAM takes two steps");
        };
        let (client, last) = client.handle_server_first(&server_first).unwrap();
        let props = step(SCRAM_SHA_256, &last);
        match a.auth(cfg, conn, AuthReasonCode::ContinueAuthentication, &props)? {
            Answer::Success { data, username } => {
                client.handle_server_final(&data).unwrap();
                Ok(username)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn connect_then_reauthenticate() {
        let cfg = config();
        let mut a = Authenticator::new(&cfg, 1);
        let c = ConnId(1);
        let user = exchange(&mut a, &cfg, c, b"senha", |a, first| {
            a.connect(&cfg, c, SCRAM_SHA_256, Some(first))
        });
        assert_eq!(user.as_deref(), Ok("aluno"));
        assert_eq!(a.method(c), Some(SCRAM_SHA_256));
        let user = exchange(&mut a, &cfg, c, b"senha", |a, first| {
            a.auth(
                &cfg,
                c,
                AuthReasonCode::ReAuthenticate,
                &step(SCRAM_SHA_256, first),
            )
        });
        assert_eq!(user.as_deref(), Ok("aluno"));
        a.forget(c);
        assert_eq!(a.method(c), None);
    }

    #[test]
    fn failures_and_their_reason_codes() {
        let cfg = config();
        let mut a = Authenticator::new(&cfg, 1);
        let c = ConnId(1);
        let e = exchange(&mut a, &cfg, c, b"errada", |a, first| {
            a.connect(&cfg, c, SCRAM_SHA_256, Some(first))
        })
        .unwrap_err();
        assert_eq!(e, AuthFailure::Scram(ScramError::BadProof));
        assert_eq!(e.connack_reason(), ConnackReasonCode::NotAuthorized);
        assert_eq!(e.disconnect_reason(), DisconnectReasonCode::NotAuthorized);

        let e = a.connect(&cfg, ConnId(2), "SCRAM-SHA-1", Some(b"n,,n=a,r=b"));
        let e = e.unwrap_err();
        assert_eq!(
            e.connack_reason(),
            ConnackReasonCode::BadAuthenticationMethod
        );
        // No users: nothing offered.
        let none = EnhancedAuthConfig::default();
        assert!(matches!(
            a.connect(&none, ConnId(3), SCRAM_SHA_256, Some(b"n,,n=a,r=b")),
            Err(AuthFailure::UnsupportedMethod { .. })
        ));
        assert_eq!(
            a.connect(&cfg, ConnId(4), SCRAM_SHA_256, None),
            Err(AuthFailure::NoData)
        );
        assert_eq!(
            a.connect(&cfg, ConnId(5), SCRAM_SHA_256, Some(b"n,,n=ninguem,r=x")),
            Err(AuthFailure::Scram(ScramError::UnknownUser {
                username: "ninguem".into()
            }))
        );
        // AUTH rules.
        let p = step(SCRAM_SHA_256, b"x");
        assert_eq!(
            a.auth(&cfg, ConnId(9), AuthReasonCode::ReAuthenticate, &p),
            Err(AuthFailure::NoMethod)
        );
        let ok = ConnId(6);
        exchange(&mut a, &cfg, ok, b"senha", |a, first| {
            a.connect(&cfg, ok, SCRAM_SHA_256, Some(first))
        })
        .unwrap();
        let e = a.auth(
            &cfg,
            ok,
            AuthReasonCode::ReAuthenticate,
            &step("PLAIN", b"x"),
        );
        assert_eq!(
            e,
            Err(AuthFailure::MethodChanged {
                method: Some("PLAIN".into())
            })
        );
        assert_eq!(
            e.unwrap_err().disconnect_reason(),
            DisconnectReasonCode::ProtocolError
        );
        for reason in [
            AuthReasonCode::ContinueAuthentication,
            AuthReasonCode::Success,
        ] {
            assert_eq!(
                a.auth(&cfg, ok, reason, &p),
                Err(AuthFailure::UnexpectedAuth { reason })
            );
        }
        assert_eq!(
            AuthFailure::Scram(ScramError::BadProof).to_string(),
            "wrong SCRAM client proof: wrong password"
        );
    }

    #[test]
    fn nonces_replay_from_the_seed_and_differ_with_a_key() {
        let cfg = config();
        let first = |a: &mut Authenticator| {
            let (_, f) = ScramClient::new("aluno", b"senha", "c").unwrap();
            a.connect(&cfg, ConnId(1), SCRAM_SHA_256, Some(&f)).unwrap()
        };
        let one = first(&mut Authenticator::new(&cfg, 7));
        assert_eq!(one, first(&mut Authenticator::new(&cfg, 7)));
        assert_ne!(one, first(&mut Authenticator::new(&cfg, 8)));
        let keyed = EnhancedAuthConfig {
            nonce_key: Some([9; 32]),
            ..cfg.clone()
        };
        let mut a = Authenticator::new(&keyed, 7);
        let (_, f) = ScramClient::new("aluno", b"senha", "c").unwrap();
        assert_ne!(
            one,
            a.connect(&keyed, ConnId(1), SCRAM_SHA_256, Some(&f))
                .unwrap()
        );
    }
}
