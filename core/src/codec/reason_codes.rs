//! MQTT 5.0 reason codes (§2.4): one type per packet, holding only the codes
//! that packet may carry, with the specification's names (which Wireshark's
//! dissector uses too). A code outside a packet's list does not decode.

use core::fmt;

macro_rules! reason_codes {
    ($( $(#[$doc:meta])* $ty:ident { $( $variant:ident = $code:literal $label:literal, )* } )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
            pub enum $ty {
                $( #[doc = $label] $variant = $code, )*
            }

            impl $ty {
                /// Every code, in numeric order.
                pub const ALL: &'static [$ty] = &[$( $ty::$variant, )*];

                /// The code for a byte, or `None` if this packet may not carry it.
                pub fn from_u8(b: u8) -> Option<$ty> {
                    match b {
                        $( $code => Some($ty::$variant), )*
                        _ => None,
                    }
                }

                /// The byte on the wire.
                pub fn as_u8(self) -> u8 {
                    self as u8
                }

                /// The specification's name.
                pub fn name(self) -> &'static str {
                    match self {
                        $( $ty::$variant => $label, )*
                    }
                }

                /// 0x80 and above are failures (§2.4).
                pub fn is_error(self) -> bool {
                    self.as_u8() >= 0x80
                }
            }

            impl fmt::Display for $ty {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(self.name())
                }
            }
        )*
    };
}

reason_codes! {
    /// CONNACK's reason codes (§3.2.2.2).
    ConnackReasonCode {
        Success = 0x00 "Success",
        UnspecifiedError = 0x80 "Unspecified error",
        MalformedPacket = 0x81 "Malformed Packet",
        ProtocolError = 0x82 "Protocol Error",
        ImplementationSpecificError = 0x83 "Implementation specific error",
        UnsupportedProtocolVersion = 0x84 "Unsupported Protocol Version",
        ClientIdentifierNotValid = 0x85 "Client Identifier not valid",
        BadUserNameOrPassword = 0x86 "Bad User Name or Password",
        NotAuthorized = 0x87 "Not authorized",
        ServerUnavailable = 0x88 "Server unavailable",
        ServerBusy = 0x89 "Server busy",
        Banned = 0x8a "Banned",
        BadAuthenticationMethod = 0x8c "Bad authentication method",
        TopicNameInvalid = 0x90 "Topic Name invalid",
        PacketTooLarge = 0x95 "Packet too large",
        QuotaExceeded = 0x97 "Quota exceeded",
        PayloadFormatInvalid = 0x99 "Payload format invalid",
        RetainNotSupported = 0x9a "Retain not supported",
        QosNotSupported = 0x9b "QoS not supported",
        UseAnotherServer = 0x9c "Use another server",
        ServerMoved = 0x9d "Server moved",
        ConnectionRateExceeded = 0x9f "Connection rate exceeded",
    }

    /// PUBACK's reason codes (§3.4.2.1).
    PubackReasonCode {
        Success = 0x00 "Success",
        NoMatchingSubscribers = 0x10 "No matching subscribers",
        UnspecifiedError = 0x80 "Unspecified error",
        ImplementationSpecificError = 0x83 "Implementation specific error",
        NotAuthorized = 0x87 "Not authorized",
        TopicNameInvalid = 0x90 "Topic Name invalid",
        PacketIdentifierInUse = 0x91 "Packet Identifier in use",
        QuotaExceeded = 0x97 "Quota exceeded",
        PayloadFormatInvalid = 0x99 "Payload format invalid",
    }

    /// PUBREC's reason codes (§3.5.2.1): PUBACK's list.
    PubrecReasonCode {
        Success = 0x00 "Success",
        NoMatchingSubscribers = 0x10 "No matching subscribers",
        UnspecifiedError = 0x80 "Unspecified error",
        ImplementationSpecificError = 0x83 "Implementation specific error",
        NotAuthorized = 0x87 "Not authorized",
        TopicNameInvalid = 0x90 "Topic Name invalid",
        PacketIdentifierInUse = 0x91 "Packet Identifier in use",
        QuotaExceeded = 0x97 "Quota exceeded",
        PayloadFormatInvalid = 0x99 "Payload format invalid",
    }

    /// PUBREL's reason codes (§3.6.2.1).
    PubrelReasonCode {
        Success = 0x00 "Success",
        PacketIdentifierNotFound = 0x92 "Packet Identifier not found",
    }

    /// PUBCOMP's reason codes (§3.7.2.1).
    PubcompReasonCode {
        Success = 0x00 "Success",
        PacketIdentifierNotFound = 0x92 "Packet Identifier not found",
    }

    /// SUBACK's reason codes, one per filter (§3.9.3).
    SubackReasonCode {
        GrantedQos0 = 0x00 "Granted QoS 0",
        GrantedQos1 = 0x01 "Granted QoS 1",
        GrantedQos2 = 0x02 "Granted QoS 2",
        UnspecifiedError = 0x80 "Unspecified error",
        ImplementationSpecificError = 0x83 "Implementation specific error",
        NotAuthorized = 0x87 "Not authorized",
        TopicFilterInvalid = 0x8f "Topic Filter invalid",
        PacketIdentifierInUse = 0x91 "Packet Identifier in use",
        QuotaExceeded = 0x97 "Quota exceeded",
        SharedSubscriptionsNotSupported = 0x9e "Shared Subscriptions not supported",
        SubscriptionIdentifiersNotSupported = 0xa1 "Subscription Identifiers not supported",
        WildcardSubscriptionsNotSupported = 0xa2 "Wildcard Subscriptions not supported",
    }

    /// UNSUBACK's reason codes, one per filter (§3.11.3).
    UnsubackReasonCode {
        Success = 0x00 "Success",
        NoSubscriptionExisted = 0x11 "No subscription existed",
        UnspecifiedError = 0x80 "Unspecified error",
        ImplementationSpecificError = 0x83 "Implementation specific error",
        NotAuthorized = 0x87 "Not authorized",
        TopicFilterInvalid = 0x8f "Topic Filter invalid",
        PacketIdentifierInUse = 0x91 "Packet Identifier in use",
    }

    /// DISCONNECT's reason codes (§3.14.2.1).
    DisconnectReasonCode {
        NormalDisconnection = 0x00 "Normal disconnection",
        DisconnectWithWillMessage = 0x04 "Disconnect with Will Message",
        UnspecifiedError = 0x80 "Unspecified error",
        MalformedPacket = 0x81 "Malformed Packet",
        ProtocolError = 0x82 "Protocol Error",
        ImplementationSpecificError = 0x83 "Implementation specific error",
        NotAuthorized = 0x87 "Not authorized",
        ServerBusy = 0x89 "Server busy",
        ServerShuttingDown = 0x8b "Server shutting down",
        KeepAliveTimeout = 0x8d "Keep Alive timeout",
        SessionTakenOver = 0x8e "Session taken over",
        TopicFilterInvalid = 0x8f "Topic Filter invalid",
        TopicNameInvalid = 0x90 "Topic Name invalid",
        ReceiveMaximumExceeded = 0x93 "Receive Maximum exceeded",
        TopicAliasInvalid = 0x94 "Topic Alias invalid",
        PacketTooLarge = 0x95 "Packet too large",
        MessageRateTooHigh = 0x96 "Message rate too high",
        QuotaExceeded = 0x97 "Quota exceeded",
        AdministrativeAction = 0x98 "Administrative action",
        PayloadFormatInvalid = 0x99 "Payload format invalid",
        RetainNotSupported = 0x9a "Retain not supported",
        QosNotSupported = 0x9b "QoS not supported",
        UseAnotherServer = 0x9c "Use another server",
        ServerMoved = 0x9d "Server moved",
        SharedSubscriptionsNotSupported = 0x9e "Shared Subscriptions not supported",
        ConnectionRateExceeded = 0x9f "Connection rate exceeded",
        MaximumConnectTime = 0xa0 "Maximum connect time",
        SubscriptionIdentifiersNotSupported = 0xa1 "Subscription Identifiers not supported",
        WildcardSubscriptionsNotSupported = 0xa2 "Wildcard Subscriptions not supported",
    }

    /// AUTH's reason codes (§3.15.2.1).
    AuthReasonCode {
        Success = 0x00 "Success",
        ContinueAuthentication = 0x18 "Continue authentication",
        ReAuthenticate = 0x19 "Re-authenticate",
    }
}

/// The name of `code` as the packet of type `t` would carry it, for a dissector
/// that shows whatever byte is there (`None`: that packet may not carry it).
pub fn reason_name(t: super::PacketType, code: u8) -> Option<&'static str> {
    use super::PacketType::*;
    match t {
        Connack => ConnackReasonCode::from_u8(code).map(ConnackReasonCode::name),
        Puback => PubackReasonCode::from_u8(code).map(PubackReasonCode::name),
        Pubrec => PubrecReasonCode::from_u8(code).map(PubrecReasonCode::name),
        Pubrel => PubrelReasonCode::from_u8(code).map(PubrelReasonCode::name),
        Pubcomp => PubcompReasonCode::from_u8(code).map(PubcompReasonCode::name),
        Suback => SubackReasonCode::from_u8(code).map(SubackReasonCode::name),
        Unsuback => UnsubackReasonCode::from_u8(code).map(UnsubackReasonCode::name),
        Disconnect => DisconnectReasonCode::from_u8(code).map(DisconnectReasonCode::name),
        Auth => AuthReasonCode::from_u8(code).map(AuthReasonCode::name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_packet_has_the_codes_of_table_2_6() {
        assert_eq!(ConnackReasonCode::ALL.len(), 22);
        assert_eq!(PubackReasonCode::ALL.len(), 9);
        assert_eq!(PubrelReasonCode::ALL.len(), 2);
        assert_eq!(SubackReasonCode::ALL.len(), 12);
        assert_eq!(UnsubackReasonCode::ALL.len(), 7);
        assert_eq!(DisconnectReasonCode::ALL.len(), 29);
        assert_eq!(AuthReasonCode::ALL.len(), 3);
        for &c in DisconnectReasonCode::ALL {
            assert_eq!(DisconnectReasonCode::from_u8(c.as_u8()), Some(c));
        }
        // 0x04 is DISCONNECT's only; 0x92 is not PUBACK's.
        assert_eq!(ConnackReasonCode::from_u8(0x04), None);
        assert_eq!(PubackReasonCode::from_u8(0x92), None);
        assert_eq!(
            PubrelReasonCode::from_u8(0x92).map(|c| c.name()),
            Some("Packet Identifier not found")
        );
        assert!(SubackReasonCode::NotAuthorized.is_error());
        assert!(!SubackReasonCode::GrantedQos2.is_error());
    }
}
