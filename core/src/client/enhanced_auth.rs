//! Enhanced authentication on the client side (MQTT 5.0 §4.12) with
//! SCRAM-SHA-256: what the client puts in CONNECT, answers to the broker's AUTH,
//! and checks in the CONNACK (or the AUTH 0x00 that ends a re-authentication),
//! as a small sans-IO state machine over 5.0 packets.
//!
//! ```
//! use mqttlab_core::client::ScramAuth;
//! use mqttlab_core::codec::properties::Property;
//!
//! let mut auth = ScramAuth::new("aluno", b"senha");
//! // CONNECT's properties: Authentication Method and the client-first.
//! let props = auth.connect_properties("cnonce").unwrap();
//! assert!(matches!(&props[0], Property::AuthenticationMethod(m) if m.0 == "SCRAM-SHA-256"));
//! ```
//!
//! The nonce is the driver's (the simulator's seeded generator, the operating
//! system on real sockets): the core draws no randomness.

use bytes::Bytes;

use crate::auth::{ScramClient, ScramClientFinal, ScramError, SCRAM_SHA_256};
use crate::codec::properties::{AuthenticationData, AuthenticationMethod, Property};
use crate::codec::reason_codes::{AuthReasonCode, ConnackReasonCode, DisconnectReasonCode};
use crate::codec::{v5, PacketType};

/// Why the client's side of an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// SCRAM refused what the broker sent (a wrong server signature: the broker
    /// does not know the password), or the nonce the driver gave.
    Scram(ScramError),
    /// The broker refused the connection (0x87 for a wrong password, 0x8C for
    /// a method it does not offer).
    Refused(ConnackReasonCode),
    /// The broker closed the connection during a re-authentication.
    Disconnected(DisconnectReasonCode),
    /// A step from the broker without the method, with another, or without the
    /// data SCRAM needs (MQTT-4.12.0-5).
    BadStep,
    /// A packet that does not fit the exchange where it stands.
    Unexpected(PacketType),
}

impl core::fmt::Display for AuthError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AuthError::Scram(e) => e.fmt(f),
            AuthError::Refused(r) => write!(f, "the broker refused the connection: {r}"),
            AuthError::Disconnected(r) => write!(f, "the broker disconnected: {r}"),
            AuthError::BadStep => {
                f.write_str("an authentication step without this exchange's method and data")
            }
            AuthError::Unexpected(t) => write!(f, "{t} in the middle of an authentication"),
        }
    }
}

#[derive(Debug, Clone)]
enum State {
    Idle,
    First(ScramClient),
    Final(ScramClientFinal),
}

/// A client's SCRAM-SHA-256 login: one exchange at a time, as many times as it
/// re-authenticates.
#[derive(Debug, Clone)]
pub struct ScramAuth {
    username: String,
    password: Vec<u8>,
    state: State,
    authenticated: u32,
}

impl ScramAuth {
    /// A login as `username` with `password`.
    pub fn new(username: &str, password: &[u8]) -> Self {
        ScramAuth {
            username: username.to_owned(),
            password: password.to_vec(),
            state: State::Idle,
            authenticated: 0,
        }
    }

    /// How many exchanges have ended with the broker's signature verified.
    pub fn authenticated(&self) -> u32 {
        self.authenticated
    }

    /// Whether an exchange is in progress.
    pub fn in_progress(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    fn start(&mut self, nonce: &str) -> Result<Vec<Property>, AuthError> {
        let (client, first) =
            ScramClient::new(&self.username, &self.password, nonce).map_err(AuthError::Scram)?;
        self.state = State::First(client);
        Ok(step(first))
    }

    /// The CONNECT's Authentication Method and Data (the client-first).
    pub fn connect_properties(&mut self, nonce: &str) -> Result<Vec<Property>, AuthError> {
        self.start(nonce)
    }

    /// The AUTH 0x19 that re-authenticates a live connection.
    pub fn reauthenticate(&mut self, nonce: &str) -> Result<v5::Auth, AuthError> {
        Ok(v5::Auth {
            reason: Some(AuthReasonCode::ReAuthenticate),
            properties: Some(self.start(nonce)?),
        })
    }

    /// A packet from the broker while an exchange is in progress: the AUTH to
    /// answer with, or `None` when the exchange ended with the broker proven.
    pub fn handle(&mut self, packet: &v5::Packet) -> Result<Option<v5::Auth>, AuthError> {
        let state = std::mem::replace(&mut self.state, State::Idle);
        match (state, packet) {
            (State::First(client), v5::Packet::Auth(a))
                if a.reason == Some(AuthReasonCode::ContinueAuthentication) =>
            {
                let data = data(a.properties.as_deref().unwrap_or(&[]))?;
                let (client, last) = client.handle_server_first(data).map_err(AuthError::Scram)?;
                self.state = State::Final(client);
                Ok(Some(v5::Auth {
                    reason: Some(AuthReasonCode::ContinueAuthentication),
                    properties: Some(step(last)),
                }))
            }
            (State::Final(client), v5::Packet::Connack(c))
                if c.reason == ConnackReasonCode::Success =>
            {
                self.finish(client, &c.properties)
            }
            (State::Final(client), v5::Packet::Auth(a))
                if a.reason.unwrap_or(AuthReasonCode::Success) == AuthReasonCode::Success =>
            {
                self.finish(client, a.properties.as_deref().unwrap_or(&[]))
            }
            (_, v5::Packet::Connack(c)) => Err(AuthError::Refused(c.reason)),
            (_, v5::Packet::Disconnect(d)) => Err(AuthError::Disconnected(
                d.reason
                    .unwrap_or(DisconnectReasonCode::NormalDisconnection),
            )),
            (_, other) => Err(AuthError::Unexpected(other.packet_type())),
        }
    }

    fn finish(
        &mut self,
        client: ScramClientFinal,
        props: &[Property],
    ) -> Result<Option<v5::Auth>, AuthError> {
        client
            .handle_server_final(data(props)?)
            .map_err(AuthError::Scram)?;
        self.authenticated += 1;
        Ok(None)
    }
}

/// The properties of one step: the method and the data.
fn step(data: Vec<u8>) -> Vec<Property> {
    vec![
        AuthenticationMethod(SCRAM_SHA_256.to_owned()).into(),
        AuthenticationData(Bytes::from(data)).into(),
    ]
}

/// The data of a step, which must name this method (MQTT-4.12.0-5).
fn data(props: &[Property]) -> Result<&[u8], AuthError> {
    let mut method = None;
    let mut data = None;
    for p in props {
        match p {
            Property::AuthenticationMethod(m) => method = Some(m.0.as_str()),
            Property::AuthenticationData(d) => data = Some(&d.0[..]),
            _ => {}
        }
    }
    match (method, data) {
        (Some(SCRAM_SHA_256), Some(d)) => Ok(d),
        _ => Err(AuthError::BadStep),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{ScramCredentials, ScramServer};

    fn server_step(server_first: &[u8]) -> v5::Packet {
        v5::Packet::Auth(v5::Auth {
            reason: Some(AuthReasonCode::ContinueAuthentication),
            properties: Some(step(server_first.to_vec())),
        })
    }

    fn data_of(props: &[Property]) -> Vec<u8> {
        data(props).unwrap().to_vec()
    }

    #[test]
    fn an_exchange_and_a_reauthentication() {
        let creds = ScramCredentials::from_password(b"senha", b"sal", 16);
        let mut auth = ScramAuth::new("aluno", b"senha");
        let first = data_of(&auth.connect_properties("c1").unwrap());
        let (server, server_first) =
            ScramServer::handle_client_first(&first, "s1", |_| Some(creds.clone())).unwrap();
        let answer = auth.handle(&server_step(&server_first)).unwrap().unwrap();
        assert_eq!(answer.reason, Some(AuthReasonCode::ContinueAuthentication));
        let last = server
            .handle_client_final(&data_of(answer.properties.as_deref().unwrap()))
            .unwrap();
        let connack = v5::Packet::Connack(v5::Connack {
            session_present: false,
            reason: ConnackReasonCode::Success,
            properties: step(last.clone()),
        });
        assert_eq!(auth.handle(&connack), Ok(None));
        assert_eq!(auth.authenticated(), 1);
        // Re-authentication, ending in AUTH 0x00.
        let again = auth.reauthenticate("c2").unwrap();
        assert_eq!(again.reason, Some(AuthReasonCode::ReAuthenticate));
        let (server, server_first) = ScramServer::handle_client_first(
            &data_of(again.properties.as_deref().unwrap()),
            "s2",
            |_| Some(creds.clone()),
        )
        .unwrap();
        let answer = auth.handle(&server_step(&server_first)).unwrap().unwrap();
        let last = server
            .handle_client_final(&data_of(answer.properties.as_deref().unwrap()))
            .unwrap();
        let ok = v5::Packet::Auth(v5::Auth {
            reason: Some(AuthReasonCode::Success),
            properties: Some(step(last)),
        });
        assert_eq!(auth.handle(&ok), Ok(None));
        assert_eq!(auth.authenticated(), 2);
        assert!(!auth.in_progress());
    }

    #[test]
    fn refusals_and_a_broker_that_does_not_know_the_password() {
        let mut auth = ScramAuth::new("aluno", b"senha");
        auth.connect_properties("c1").unwrap();
        let refused = v5::Packet::Connack(v5::Connack {
            session_present: false,
            reason: ConnackReasonCode::BadAuthenticationMethod,
            properties: vec![],
        });
        assert_eq!(
            auth.handle(&refused),
            Err(AuthError::Refused(
                ConnackReasonCode::BadAuthenticationMethod
            ))
        );
        // A broker with other credentials for the user: its signature is wrong.
        let other = ScramCredentials::from_password(b"outra", b"sal", 16);
        let first = data_of(&auth.connect_properties("c1").unwrap());
        let (server, server_first) =
            ScramServer::handle_client_first(&first, "s", |_| Some(other)).unwrap();
        let answer = auth.handle(&server_step(&server_first)).unwrap().unwrap();
        // It cannot check our proof either; say it answered Success anyway with
        // a signature of its own.
        assert!(server
            .handle_client_final(&data_of(answer.properties.as_deref().unwrap()))
            .is_err());
        let forged = v5::Packet::Auth(v5::Auth {
            reason: None,
            properties: Some(step(
                b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".to_vec(),
            )),
        });
        assert_eq!(
            auth.handle(&forged),
            Err(AuthError::Scram(ScramError::BadServerSignature))
        );
        // A step without the method.
        auth.connect_properties("c1").unwrap();
        let bare = v5::Packet::Auth(v5::Auth {
            reason: Some(AuthReasonCode::ContinueAuthentication),
            properties: Some(vec![AuthenticationData(Bytes::from_static(
                b"r=c1x,s=c2FsdA==,i=1",
            ))
            .into()]),
        });
        assert_eq!(auth.handle(&bare), Err(AuthError::BadStep));
        assert_eq!(
            auth.handle(&v5::Packet::Pingresp),
            Err(AuthError::Unexpected(PacketType::Pingresp))
        );
    }
}
