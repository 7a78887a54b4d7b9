//! The table of normative statements the checker judges from the wire: each
//! one's number in MQTT 3.1.1 and in MQTT 5.0 (`MQTT-x.y.z-n`), its severity
//! and its section. Statements a single malformed packet breaks are the
//! codec's ([`crate::codec::DecodeErrorKind::rule`]), not repeated here.
//!
//! Words (the rule in our own words, English and Portuguese, with a link to
//! the OASIS section) are made at the edge; [`fmt::Display`] gives the English
//! one-line form the CLI prints.

use core::fmt;

use crate::codec::Protocol;

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Severity {
    /// A MUST (or MUST NOT) was broken.
    Must,
    /// A SHOULD was not followed.
    Should,
    /// Worth knowing, breaks nothing.
    Note,
}

macro_rules! statements {
    ($( $(#[$doc:meta])* $name:ident $v3:literal $v5:literal $sev:ident $v3sec:literal $v5sec:literal $en:literal; )*) => {
        /// A normative statement the checker judges.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Statement {
            $( $(#[$doc])* $name, )*
        }

        impl Statement {
            /// Every statement, in table order.
            pub const ALL: &'static [Statement] = &[$(Statement::$name,)*];

            /// Its number in MQTT 3.1.1 (levels 3 and 4) or 5.0, or its
            /// section (`§3.3.5`) where the standard gives it no number.
            pub fn id(self, protocol: Protocol) -> &'static str {
                match (self, protocol) {
                    $( (Statement::$name, Protocol::V5) => $v5, (Statement::$name, _) => $v3, )*
                }
            }

            /// The section of the standard that states it.
            pub fn section(self, protocol: Protocol) -> &'static str {
                match (self, protocol) {
                    $( (Statement::$name, Protocol::V5) => $v5sec, (Statement::$name, _) => $v3sec, )*
                }
            }

            /// MUST, SHOULD or note.
            pub fn severity(self) -> Severity {
                match self {
                    $( Statement::$name => Severity::$sev, )*
                }
            }

            /// The statements whose number is `id` at either level (`MQTT-3.8.4-6`
            /// is SUBACK's one code per filter in 5.0 and the delivery QoS in 3.1.1).
            pub fn with_id(id: &str) -> Vec<(Statement, Protocol)> {
                let mut out = Vec::new();
                $(
                    if $v3 == id { out.push((Statement::$name, Protocol::V311)); }
                    if $v5 == id { out.push((Statement::$name, Protocol::V5)); }
                )*
                out
            }

            /// A short English statement of the rule (the CLI's words).
            pub fn english(self) -> &'static str {
                match self {
                    $( Statement::$name => $en, )*
                }
            }
        }
    };
}

statements! {
    /// The client's first packet is CONNECT.
    FirstPacketConnect "MQTT-3.1.0-1" "MQTT-3.1.0-1" Must "§3.1" "§3.1"
        "the first packet a client sends is CONNECT";
    /// A second CONNECT on one connection is a protocol violation.
    OneConnect "MQTT-3.1.0-2" "MQTT-3.1.0-2" Must "§3.1" "§3.1"
        "a client sends CONNECT only once per connection";
    /// The server's first packet is CONNACK.
    FirstPacketConnack "MQTT-3.2.0-1" "MQTT-3.2.0-1" Must "§3.2" "§3.2"
        "the first packet the server sends is CONNACK";
    /// Clean Session / Clean Start 1 gets Session Present 0.
    SessionPresentClean "MQTT-3.2.2-1" "MQTT-3.2.2-2" Must "§3.2.2.2" "§3.2.2.1.1"
        "a clean session is answered with Session Present 0";
    /// After a refusing CONNACK the server closes the connection.
    CloseAfterRefusal "MQTT-3.2.2-5" "MQTT-3.2.2-7" Must "§3.2.2.3" "§3.2.2.2"
        "after a CONNACK that refuses the connection the server sends nothing more and closes it";
    /// Each packet type flows one way only (the standard's table of packet types).
    PacketDirection "§2.2.1" "§2.1.2" Must "§2.2.1" "§2.1.2"
        "each packet type is sent only in the direction the standard gives it (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ from the client; CONNACK, SUBACK, UNSUBACK, PINGRESP from the server)";
    /// Nothing after DISCONNECT.
    NothingAfterDisconnect "MQTT-3.14.4-2" "MQTT-3.14.4-1" Must "§3.14.4" "§3.14.4"
        "after DISCONNECT the sender sends no more packets on the connection";
    /// PINGRESP answers PINGREQ.
    PingrespForPingreq "MQTT-3.12.4-1" "MQTT-3.12.4-1" Must "§3.12.4" "§3.12.4"
        "the server answers each PINGREQ with a PINGRESP";
    /// The server closes a connection silent for one and a half keep alives.
    KeepAliveClose "MQTT-3.1.2-24" "MQTT-3.1.2-22" Must "§3.1.2.10" "§3.1.2.10"
        "the server closes a connection silent for one and a half keep alive periods";
    /// The client's new QoS 1/2 PUBLISH, SUBSCRIBE or UNSUBSCRIBE takes an unused identifier.
    PacketIdUnused "MQTT-2.3.1-2" "MQTT-2.2.1-3" Must "§2.3.1" "§2.2.1"
        "a client's new PUBLISH, SUBSCRIBE or UNSUBSCRIBE takes a packet identifier not in use";
    /// The server's new QoS 1/2 PUBLISH takes an unused identifier.
    ServerPacketIdUnused "MQTT-2.3.1-4" "MQTT-2.2.1-4" Must "§2.3.1" "§2.2.1"
        "a server's new PUBLISH takes a packet identifier not in use";
    /// PUBACK, PUBREC, PUBREL and PUBCOMP carry the identifier of a PUBLISH in flight.
    AckMatchesPublish "MQTT-2.3.1-6" "MQTT-2.2.1-5" Must "§2.3.1" "§2.2.1"
        "PUBACK, PUBREC, PUBREL and PUBCOMP carry the identifier of the PUBLISH they answer";
    /// SUBACK and UNSUBACK carry the identifier of their request.
    SubackMatchesSubscribe "MQTT-2.3.1-7" "MQTT-2.2.1-6" Must "§2.3.1" "§2.2.1"
        "SUBACK and UNSUBACK carry the identifier of the SUBSCRIBE or UNSUBSCRIBE they answer";
    /// A PUBLISH sent again has DUP 1.
    DupOnResend "MQTT-3.3.1-1" "MQTT-3.3.1-1" Must "§3.3.1.1" "§3.3.1.1"
        "a PUBLISH sent again has DUP set to 1";
    /// QoS 2 sender: the PUBLISH stays unacknowledged until its PUBREC, so
    /// PUBREL comes only after PUBREC (3.1.1 states the sender's steps as one).
    PubrelAfterPubrec "MQTT-4.3.3-1" "MQTT-4.3.3-3" Must "§4.3.3" "§4.3.3"
        "a QoS 2 sender sends PUBREL only after the PUBREC of its PUBLISH";
    /// QoS 2 receiver: PUBCOMP answers a PUBREL (3.1.1 states the receiver's steps as one).
    PubcompAfterPubrel "MQTT-4.3.3-2" "MQTT-4.3.3-11" Must "§4.3.3" "§4.3.3"
        "a QoS 2 receiver sends PUBCOMP in answer to PUBREL, not before it";
    /// QoS 1 receiver: PUBACK answers a QoS 1 PUBLISH.
    PubackForQos1 "MQTT-4.3.2-2" "MQTT-4.3.2-4" Must "§4.3.2" "§4.3.2"
        "a QoS 1 PUBLISH is answered with PUBACK";
    /// QoS 2 receiver: PUBREC answers a QoS 2 PUBLISH.
    PubrecForQos2 "MQTT-4.3.3-2" "MQTT-4.3.3-8" Must "§4.3.3" "§4.3.3"
        "a QoS 2 PUBLISH is answered with PUBREC";
    /// SUBSCRIBE is answered with SUBACK.
    SubackForSubscribe "MQTT-3.8.4-1" "MQTT-3.8.4-1" Must "§3.8.4" "§3.8.4"
        "the server answers each SUBSCRIBE with a SUBACK";
    /// UNSUBSCRIBE is answered with UNSUBACK.
    UnsubackForUnsubscribe "MQTT-3.10.4-4" "MQTT-3.10.4-4" Must "§3.10.4" "§3.10.4"
        "the server answers each UNSUBSCRIBE with an UNSUBACK";
    /// One SUBACK code per topic filter.
    SubackOneCodePerFilter "MQTT-3.8.4-5" "MQTT-3.8.4-6" Must "§3.8.4" "§3.8.4"
        "a SUBACK has one return code per topic filter of the SUBSCRIBE";
    /// Granted QoS is no higher than asked.
    GrantedNoHigher "§3.9.3" "§3.9.3" Must "§3.9.3" "§3.9.3"
        "the QoS a SUBACK grants is no higher than the one asked";
    /// Delivery at min(published, granted) QoS.
    DeliveryQos "MQTT-3.8.4-6" "MQTT-3.8.4-8" Must "§3.8.4" "§3.8.4"
        "a message goes to a subscriber at the lower of its published QoS and the granted QoS";
    /// A delivery matches one of the subscriber's filters.
    DeliveryMatchesFilter "MQTT-3.3.2-3" "MQTT-3.3.2-3" Must "§3.3.2.1" "§3.3.2.1"
        "the server sends a client only messages whose topic matches one of its subscriptions";
    /// Every matching subscriber gets the message: the server adds it to the
    /// session of each client with a matching subscription.
    EveryMatchingSubscriber "MQTT-4.5.0-1" "MQTT-4.5.0-1" Must "§4.5" "§4.5"
        "every client whose subscription matches a message gets it";
    /// RETAIN 1 on a message sent because of a new subscription.
    RetainOnRetained "MQTT-3.3.1-8" "§3.3.1.3" Must "§3.3.1.3" "§3.3.1.3"
        "a retained message sent for a new subscription has RETAIN 1";
    /// RETAIN 0 on a live delivery.
    RetainClearOnLive "MQTT-3.3.1-9" "MQTT-3.3.1-12" Must "§3.3.1.3" "§3.3.1.3"
        "a message sent to an established subscription has RETAIN 0 (in 5.0, unless Retain As Published)";
    /// Messages of one topic and QoS arrive in the order they were published.
    OrderedTopic "MQTT-4.6.0-6" "MQTT-4.6.0-5" Must "§4.6" "§4.6"
        "messages of one topic and QoS from one client reach each subscriber in the order sent";
    /// The will is published when the connection ends without DISCONNECT.
    WillOnUngracefulClose "MQTT-3.1.2-8" "MQTT-3.1.2-8" Must "§3.1.2.5" "§3.1.2.5"
        "the will message is published when the connection closes without DISCONNECT";
    /// The will is discarded on DISCONNECT.
    NoWillAfterDisconnect "MQTT-3.14.4-3" "MQTT-3.14.4-3" Must "§3.14.4" "§3.14.4"
        "after a normal DISCONNECT the will message is not published";
    /// 5.0: the client keeps to the server's Receive Maximum.
    ClientReceiveMaximum "§3.3.4" "MQTT-3.3.4-7" Must "§3.3.4" "§3.3.4"
        "a client has no more QoS 1 and 2 PUBLISH unacknowledged than the server's Receive Maximum";
    /// 5.0: the server keeps to the client's Receive Maximum.
    ServerReceiveMaximum "§3.3.4" "MQTT-3.3.4-9" Must "§3.3.4" "§3.3.4"
        "the server has no more QoS 1 and 2 PUBLISH unacknowledged than the client's Receive Maximum";
    /// 5.0: the client keeps to the server's Topic Alias Maximum.
    ClientTopicAliasMaximum "§3.3.2" "MQTT-3.3.2-9" Must "§3.3.2" "§3.3.2.3.4"
        "a client uses no Topic Alias above the server's Topic Alias Maximum";
    /// 5.0: the server keeps to the client's Topic Alias Maximum.
    ServerTopicAliasMaximum "§3.3.2" "MQTT-3.3.2-11" Must "§3.3.2" "§3.3.2.3.4"
        "the server uses no Topic Alias above the client's Topic Alias Maximum";
    /// 5.0: the server keeps to the client's Maximum Packet Size.
    ServerMaximumPacketSize "§3.1.2" "MQTT-3.1.2-24" Must "§3.1.2" "§3.1.2.11.4"
        "the server sends no packet larger than the client's Maximum Packet Size";
    /// 5.0: the client keeps to the server's Maximum Packet Size.
    ClientMaximumPacketSize "§3.2.2" "MQTT-3.2.2-15" Must "§3.2.2" "§3.2.2.3.6"
        "a client sends no packet larger than the server's Maximum Packet Size";
    /// 5.0: a copy whose Message Expiry Interval passed before its delivery
    /// started is deleted, not delivered.
    ExpiredNotDelivered "§3.3.2" "MQTT-3.3.2-5" Must "§3.3.2" "§3.3.2.3.3"
        "a message whose Message Expiry Interval passed before its delivery to a subscriber started is not delivered to that subscriber";
    /// 5.0: a forwarded message's Message Expiry Interval is the received one
    /// less the time it waited in the server.
    ExpiryReduced "§3.3.2" "MQTT-3.3.2-6" Must "§3.3.2" "§3.3.2.3.3"
        "a message the server sends carries its Message Expiry Interval less the time it waited in the server";
    /// 5.0: the server discards a session once the connection is closed and
    /// its Session Expiry Interval has passed.
    SessionExpired "§4.1" "MQTT-4.1.0-2" Must "§4.1" "§4.1"
        "a session whose Session Expiry Interval passed after its connection closed is discarded: resuming it gets Session Present 0";
    /// 5.0: a receiver carries no Topic Alias from one connection to another.
    AliasNotCarriedForward "§3.3.2" "MQTT-3.3.2-7" Must "§3.3.2" "§3.3.2.3.4"
        "the server carries no Topic Alias from one connection to the next: a PUBLISH naming only an alias set on an earlier connection is refused";
    /// 5.0: no PUBLISH carries Topic Alias 0 (a broken one is malformed: the
    /// codec names the same number).
    AliasNotZero "§3.3.2" "MQTT-3.3.2-8" Must "§3.3.2" "§3.3.2.3.4"
        "no PUBLISH carries Topic Alias 0";
    /// 5.0: the server accepts every Topic Alias up to the maximum its CONNACK gave.
    ServerAcceptsAliases "§3.3.2" "MQTT-3.3.2-12" Must "§3.3.2" "§3.3.2.3.4"
        "the server accepts every Topic Alias from 1 to the Topic Alias Maximum its CONNACK gave";
    /// 5.0: a shared subscription's ShareName.
    ShareNameSyntax "§4.8" "MQTT-4.8.2-2" Must "§4.8" "§4.8.2"
        "a shared subscription's ShareName holds no '/', '+' or '#' and is followed by '/' and a topic filter";
    /// 5.0: a message sent to a shared subscription's member respects the QoS
    /// granted to it (as MQTT-3.8.4-8 for others).
    SharedGrantedQos "§4.8" "MQTT-4.8.2-3" Must "§4.8" "§4.8.2"
        "a message sent to a member of a shared subscription respects the QoS granted to that member";
    /// 5.0: a will whose client reconnects to its session within the Will
    /// Delay Interval is not published.
    WillDelayCancelled "§3.1.3" "MQTT-3.1.3-9" Must "§3.1.3" "§3.1.3.2.2"
        "a will whose client reconnects to its session before the Will Delay Interval passed is not published";
    /// A QoS 1 or 2 exchange left open when the connection ended (a note: the
    /// session may finish it later).
    ExchangeOpenAtClose "§4.3" "§4.3" Note "§4.3" "§4.3"
        "a QoS 1 or 2 exchange was still open when the connection ended";
}

/// The OASIS standard's text at `protocol`'s level (3.1 is judged by 3.1.1's
/// statements).
pub fn standard_url(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::V5 => "https://docs.oasis-open.org/mqtt/mqtt/v5.0/os/mqtt-v5.0-os.html",
        _ => "https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html",
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.english())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Must => "MUST",
            Severity::Should => "SHOULD",
            Severity::Note => "note",
        })
    }
}
