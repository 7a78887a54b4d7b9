//! `broker NAME OPTION...` and `acl BROKER WHO topic [ACCESS] FILTER`.

use crate::broker::{Access, AclRule, AclSubject, BrokerConfig};
use crate::sim::link::LinkParams;
use crate::sim::scenario::ast::*;
use crate::sim::scenario::errors::Problem;
use crate::sim::scenario::expected::{Expected, Vocabulary};

use super::action::unknown;

use super::cursor::{Cur, R};

/// The words a `broker` line takes.
pub(super) const BROKER_OPTIONS: &[&str] = &[
    "port",
    "user",
    "no-anonymous",
    "reject-id",
    "max-connections",
    "max-queued",
    "queue-qos0",
    "resend-timeout",
    "max-packet",
    "max-queued-bytes",
    "max-inflight",
    "max-inflight-bytes",
    "max-retained",
    "max-retained-bytes",
    "max-subscriptions",
    "max-topic-length",
    "max-topic-levels",
    "max-per-address",
    "hold-acks",
    "v5-only",
    "receive-maximum",
    "topic-alias-maximum",
    "server-keepalive",
    "maximum-qos",
    "no-retain",
    "sys-interval",
    "scram-user",
    "max-message-rate",
];

pub(super) fn broker(c: &mut Cur, sc: &mut Scenario) -> R<()> {
    let name = c.name(Expected::BrokerName)?;
    let mut cfg = BrokerConfig::default();
    while !c.at_end() {
        let (opt, col) = c.word(Expected::BrokerOption)?;
        match opt.as_str() {
            "port" => cfg.listener_port = c.number(Expected::Port)?,
            "user" => {
                let u = c.text(Expected::UserName)?;
                let p = c.text(Expected::Password)?;
                cfg.users.insert(u, p.into_bytes());
            }
            "no-anonymous" => cfg.allow_anonymous = false,
            "reject-id" => cfg.rejected_client_ids.push(c.text(Expected::ClientId)?),
            "max-connections" => cfg.max_connections = Some(c.number(Expected::Number)?),
            "max-queued" => cfg.max_queued_messages = c.number(Expected::Number)?,
            "queue-qos0" => cfg.queue_qos0 = true,
            "resend-timeout" => cfg.resend_timeout = Some(c.duration()?),
            "max-packet" => cfg.max_packet_size = c.number(Expected::Bytes)?,
            "max-queued-bytes" => cfg.max_queued_bytes = c.number(Expected::Bytes)?,
            "max-inflight" => cfg.max_inflight_messages = c.number(Expected::Number)?,
            "max-inflight-bytes" => cfg.max_inflight_bytes = c.number(Expected::Bytes)?,
            "max-retained" => cfg.max_retained_messages = c.number(Expected::Number)?,
            "max-retained-bytes" => cfg.max_retained_bytes = c.number(Expected::Bytes)?,
            "max-subscriptions" => cfg.max_subscriptions_per_client = c.number(Expected::Number)?,
            "max-topic-length" => cfg.max_topic_length = c.number(Expected::Bytes)?,
            "max-topic-levels" => cfg.max_topic_levels = c.number(Expected::Number)?,
            "max-per-address" => cfg.max_connections_per_address = c.number(Expected::Number)?,
            "hold-acks" => cfg.hold_acks = true,
            "v5-only" => cfg.v5.only = true,
            "receive-maximum" => {
                let col = c.col();
                cfg.v5.receive_maximum = c.number(Expected::OneTo65535)?;
                if cfg.v5.receive_maximum == 0 {
                    return c.fail(col, Problem::ReceiveMaximumZero);
                }
            }
            "topic-alias-maximum" => cfg.v5.topic_alias_maximum = c.number(Expected::Number)?,
            "server-keepalive" => cfg.v5.server_keep_alive = Some(c.number(Expected::KeepAlive)?),
            "maximum-qos" => {
                let col = c.col();
                cfg.v5.maximum_qos = match c.number::<u8>(Expected::BrokerQos)? {
                    0 => crate::codec::QoS::AtMostOnce,
                    1 => crate::codec::QoS::AtLeastOnce,
                    _ => return c.fail(col, Problem::BrokerMaximumQos),
                };
            }
            "no-retain" => cfg.v5.retain_available = false,
            // mosquitto's `sys_interval`: the `$SYS/broker/...` topics
            // (`broker/sys.rs`); 0s publishes none, as there.
            "sys-interval" => {
                let d = c.duration()?;
                cfg.sys_interval = (!d.is_zero()).then_some(d);
            }
            // `max_message_rate` and `max_message_burst` (`broker/rate.rs`):
            // `max-message-rate 20` or `max-message-rate 20 burst 5`.
            "max-message-rate" => {
                // 0 is no limit, as in the configuration file; a burst of 0
                // is 1 (`RateLimit::with_burst`).
                let n: u32 = c.number(Expected::Number)?;
                let mut limit = crate::broker::RateLimit::new(n);
                if c.eat("burst") {
                    limit = limit.with_burst(c.number(Expected::Number)?);
                }
                cfg.max_message_rate = (n > 0).then_some(limit);
            }
            "scram-user" => {
                let u = c.text(Expected::UserName)?;
                let p = c.text(Expected::Password)?;
                // mqttlab broker draws a random salt; a scenario replays, so
                // its salt follows from the broker's and the user's names.
                let salt = scram_salt(&name.name, &u);
                cfg.enhanced_auth
                    .add_scram_user(&u, p.as_bytes(), &salt, SCRAM_ITERATIONS);
            }
            other => {
                return c.fail(
                    col,
                    unknown(Vocabulary::BrokerOption, other, BROKER_OPTIONS),
                )
            }
        }
    }
    sc.nodes.push(NodeDecl {
        name,
        kind: NodeKind::Broker(Box::new(cfg)),
        broker: None,
        link: LinkParams::default(),
        conn: ConnSpec::default(),
    });
    Ok(())
}

/// The iteration count of a scenario's SCRAM users: RFC 7677's minimum, as
/// `mqttlab broker`'s `scram_user` uses by default.
pub const SCRAM_ITERATIONS: u32 = 4096;

/// A SCRAM user's salt in a scenario: 16 bytes from the broker's and the user's
/// names, so that a run replays byte for byte.
pub fn scram_salt(broker: &str, user: &str) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"mqttlab scram salt\0");
    h.update(broker.as_bytes());
    h.update([0]);
    h.update(user.as_bytes());
    let d = h.finalize();
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&d[..16]);
    salt
}

pub(super) const ACL_SUBJECTS: &[&str] = &["user", "client", "anyone"];
pub(super) const ACL_ACCESS: &[&str] = &["read", "write", "readwrite", "deny"];

/// `acl BROKER (user NAME | client ID | anyone) topic [read|write|readwrite|deny] FILTER`:
/// the words of mosquitto's `acl_file` (`user aluno` then `topic read casa/#`) on
/// one line. As there, the access may be left out and is then `readwrite`. The
/// rules are checked in the order written, the first that speaks deciding
/// (`broker/acl.rs`).
pub(super) fn acl(c: &mut Cur) -> R<AclSpec> {
    let broker = c.name(Expected::BrokerName)?;
    let (kind, kc) = c.word(Expected::AclSubject)?;
    let who = match kind.as_str() {
        "user" => AclSubject::User(c.text(Expected::UserName)?),
        "client" | "clientid" => AclSubject::Client(c.text(Expected::ClientId)?),
        "anyone" => AclSubject::Anyone,
        other => return c.fail(kc, unknown(Vocabulary::AclSubject, other, ACL_SUBJECTS)),
    };
    let example = |who: &AclSubject| {
        let w = match who {
            AclSubject::User(u) => format!("user {u}"),
            AclSubject::Client(id) => format!("client {id}"),
            AclSubject::Anyone => "anyone".into(),
        };
        format!("acl {} {w} topic read sensores/#", broker.name)
    };
    let tc = c.col();
    match c.peek_word() {
        Some("topic") => c.pos += 1,
        Some("pattern") => return c.fail(tc, Problem::AclPattern),
        _ => {
            return c.fail(
                tc,
                Problem::AclTopicMissing {
                    example: example(&who),
                },
            )
        }
    }
    let ac = c.col();
    let access = match c.peek_word().and_then(Access::from_word) {
        Some(a) => Some(a),
        // A misspelt access word followed by a filter, not a one-word filter.
        None if c.toks.len() > c.pos + 1 => {
            let w = c.peek_word().unwrap_or_default();
            return c.fail(ac, unknown(Vocabulary::Access, w, ACL_ACCESS));
        }
        None => None,
    };
    if access.is_some() {
        c.pos += 1;
    }
    let fc = c.col();
    let filter = c.topic(true)?;
    let filter = crate::topic::TopicFilter::new(&filter).or_else(|error| {
        c.fail(
            fc,
            Problem::BadTopic {
                topic: filter.clone(),
                error,
            },
        )
    })?;
    c.finish()?;
    Ok(AclSpec {
        broker,
        rule: AclRule {
            who,
            filter,
            access: access.unwrap_or(Access::ReadWrite),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::broker::{Access, AclSubject};
    use crate::sim::scenario::ast::NodeKind;

    #[test]
    fn broker_options() {
        let sc = ok("broker b port 1884 user u p no-anonymous reject-id bad max-connections 3 max-queued 10 queue-qos0 resend-timeout 20s max-packet 512");
        let NodeKind::Broker(cfg) = &sc.nodes[0].kind else {
            panic!("not a broker")
        };
        assert_eq!(cfg.listener_port, 1884);
        assert_eq!(cfg.users.get("u").map(Vec::as_slice), Some(&b"p"[..]));
        assert!(!cfg.allow_anonymous);
        assert_eq!(cfg.rejected_client_ids, ["bad"]);
        assert_eq!(cfg.max_connections, Some(3));
        assert_eq!(cfg.max_queued_messages, 10);
        assert!(cfg.queue_qos0);
        assert_eq!(cfg.max_packet_size, 512);
    }

    #[test]
    fn sys_interval_is_mosquittos_sys_interval() {
        let cfg = |src: &str| {
            let sc = ok(src);
            let NodeKind::Broker(cfg) = &sc.nodes[0].kind else {
                panic!("not a broker")
            };
            cfg.sys_interval
        };
        assert_eq!(cfg("broker b"), None);
        assert_eq!(
            cfg("broker b sys-interval 10s"),
            Some(std::time::Duration::from_secs(10))
        );
        assert_eq!(cfg("broker b sys-interval 0s"), None, "0 turns it off");
    }

    #[test]
    fn max_message_rate_is_a_token_bucket() {
        use crate::broker::RateLimit;
        let cfg = |src: &str| {
            let sc = ok(src);
            let NodeKind::Broker(cfg) = &sc.nodes[0].kind else {
                panic!("not a broker")
            };
            cfg.max_message_rate
        };
        assert_eq!(cfg("broker b"), None);
        assert_eq!(
            cfg("broker b max-message-rate 20"),
            Some(RateLimit::new(20))
        );
        assert_eq!(
            cfg("broker b max-message-rate 2 burst 3 port 1884"),
            Some(RateLimit::new(2).with_burst(3))
        );
        assert_eq!(cfg("broker b max-message-rate 0"), None, "0: no limit");
    }

    #[test]
    fn a_scram_user_is_kept_as_keys_with_a_salt_from_the_names() {
        let sc = ok("broker b scram-user aluno senha");
        let NodeKind::Broker(cfg) = &sc.nodes[0].kind else {
            panic!("not a broker")
        };
        let creds = &cfg.enhanced_auth.scram_users["aluno"];
        let want = crate::auth::ScramCredentials::from_password(
            b"senha",
            &super::scram_salt("b", "aluno"),
            super::SCRAM_ITERATIONS,
        );
        assert_eq!(creds, &want);
        assert_ne!(
            super::scram_salt("b", "aluno"),
            super::scram_salt("c", "aluno")
        );
        assert_eq!(
            err("broker b scram-user aluno"),
            (1, 26, "expected a password at the end of the line".into())
        );
    }

    #[test]
    fn unknown_broker_option() {
        let (line, col, msg) = err("broker b prot 1884");
        assert_eq!((line, col), (1, 10));
        assert!(
            msg.starts_with("unknown broker option 'prot' (port, user,"),
            "{msg}"
        );
        assert_eq!(
            err("broker b port x"),
            (1, 15, "'x' is not a port number".into())
        );
    }

    #[test]
    fn acl_rules_in_acl_file_words() {
        let sc = ok("broker b\nacl b user aluno topic read casa/#\nacl b client c1 topic t\nacl b anyone topic write x/+\nacl b anyone topic deny test/nosubscribe");
        let rules: Vec<_> = sc
            .acls
            .iter()
            .map(|a| (&a.rule.who, a.rule.access, a.rule.filter.as_str()))
            .collect();
        assert_eq!(
            rules,
            [
                (&AclSubject::User("aluno".into()), Access::Read, "casa/#"),
                (&AclSubject::Client("c1".into()), Access::ReadWrite, "t"),
                (&AclSubject::Anyone, Access::Write, "x/+"),
                (&AclSubject::Anyone, Access::Deny, "test/nosubscribe"),
            ]
        );
    }

    #[test]
    fn acl_errors() {
        assert_eq!(
            err("broker b\nacl b usr aluno topic t"),
            (
                2,
                7,
                "an ACL rule is for 'user NAME', 'client ID' or 'anyone', not 'usr' (did you mean 'user'?)".into()
            )
        );
        assert_eq!(
            err("broker b\nacl b anyone topic reed t"),
            (
                2,
                20,
                "unknown access 'reed' (did you mean 'read'?); write read, write, readwrite or deny, then the topic".into()
            )
        );
        assert_eq!(
            err("broker b\nacl b anyone read t"),
            (
                2,
                14,
                "expected 'topic', as in mosquitto's acl_file: acl b anyone topic read sensores/#"
                    .into()
            )
        );
        let (_, col, msg) = err("broker b\nacl b anyone topic denny t");
        assert_eq!(col, 20);
        assert!(msg.contains("(did you mean 'deny'?)"), "{msg}");
    }

    #[test]
    fn acl_must_name_a_broker() {
        assert_eq!(
            err("broker b\nclient c -> b\nacl c anyone topic t"),
            (3, 5, "'c' is not a broker".into())
        );
    }
}
