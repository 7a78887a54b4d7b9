//! `--config FILE`: a small mosquitto-like configuration file for `mqttlab broker`.
//!
//! ```text
//! # comments and blank lines are ignored
//! allow_anonymous false
//! user alice secret            # user name and clear-text password (a lab, not production)
//! scram_user aluno senha 4096  # an MQTT 5.0 enhanced-authentication (SCRAM-SHA-256) user:
//!                              # kept as salt (random), iteration count (default 4096) and keys
//! acl user alice readwrite open/#
//! acl client sensor1 write sensor1/#
//! acl user aluno write turma/%c/#   # %c: the client's own id, %u: its user name (whole levels)
//! acl anyone deny grades/#     # checked in order: the first rule that matches decides
//! acl anyone read #            # any acl line turns access control on: deny unless allowed
//! max_queued_messages 100      # per client, beyond the in-flight window (default 1000)
//! max_queued_bytes 1048576     # the same in payload bytes (default 0: no limit)
//! max_inflight_messages 20     # QoS 1/2 unacknowledged per client (default 20)
//! max_inflight_bytes 0         # the same in payload bytes (default 0: no limit)
//! queue_qos0_messages true
//! max_connections 50
//! max_connections_per_address 20   # sockets from one IP; more are closed at once (default 0: none)
//! max_message_rate 20          # PUBLISH a second per connection, a token bucket; beyond it the
//!                              # connection closes (5.0: DISCONNECT 0x96). Default 0: none, as
//!                              # mosquitto 2.0.11, which has no such option (core broker/rate.rs)
//! max_message_burst 200        # the bucket: how many at once (default ten seconds' worth)
//! max_packet_size 65536
//! max_retained_messages 10000  # topics with a retained message (default 0: no limit)
//! max_retained_bytes 10485760  # their payload bytes (default 0: no limit)
//! max_subscriptions_per_client 1000   # more get SUBACK 0x80 (default 0: no limit)
//! max_topic_length 1024        # bytes; a longer PUBLISH topic closes, a filter gets 0x80 (default 0)
//! max_topic_levels 201         # levels, as mosquitto (default 201; 0: no limit)
//! resend_timeout 5             # teaching mode: resend after 5 s without an ack
//! hold_acks true               # hold a publisher's PUBACK while a subscriber's queue holds its message
//!                              # (default false, as mosquitto: see core broker/flow.rs for the price)
//! connect_timeout 10           # close a socket without CONNECT after 10 s (0: never; default 90)
//! seed 42
//! sys_interval 10              # publish $SYS/broker/... every 10 s (default 10, as mosquitto; 0: none)
//! # MQTT 5.0, announced in CONNACK
//! max_topic_alias 10           # Topic Alias Maximum (default 10, as mosquitto; 0: none)
//! receive_maximum 20           # Receive Maximum; one more unacknowledged is DISCONNECT 0x93
//! server_keep_alive 30         # Server Keep Alive imposed on 5.0 clients (default: theirs)
//! max_qos 1                    # Maximum QoS (default 2); above it is DISCONNECT 0x9B
//! retain_available false       # Retain Available (default true); a retained PUBLISH is 0x9A
//! server_reference other:1883  # refuse every 5.0 CONNECT with 0x9C Use another server
//! server_moved other:1883      # ... with 0x9D Server moved
//! ```

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use mqttlab_core::broker::{Access, Acl, AclRule, AclSubject, BrokerConfig};
use mqttlab_core::topic::TopicFilter;

/// mosquitto's default `sys_interval`: `$SYS` every 10 s.
pub const DEFAULT_SYS_INTERVAL: Duration = Duration::from_secs(10);

/// Reads a configuration file's text into a broker configuration.
pub fn parse(text: &str, mut config: BrokerConfig) -> anyhow::Result<BrokerConfig> {
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        // A `#` inside an acl topic is a wildcard, not a comment.
        let line = if raw.trim_start().starts_with("acl ") {
            raw.trim()
        } else {
            line
        };
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        parse_line(&words, &mut config).with_context(|| format!("line {}: {raw}", n + 1))?;
    }
    Ok(config)
}

fn flag(v: Option<&&str>) -> anyhow::Result<bool> {
    match v.copied() {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        other => bail!("expected true or false, got {other:?}"),
    }
}

fn number<T: std::str::FromStr>(v: Option<&&str>) -> anyhow::Result<T> {
    v.and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("expected a number"))
}

/// A timeout in seconds, 0 for none.
pub(super) fn seconds(secs: f64) -> anyhow::Result<Option<Duration>> {
    if secs == 0.0 {
        return Ok(None);
    }
    Duration::try_from_secs_f64(secs)
        .map(Some)
        .map_err(|_| anyhow!("expected a number of seconds, got {secs}"))
}

fn parse_line(w: &[&str], c: &mut BrokerConfig) -> anyhow::Result<()> {
    match w[0] {
        "allow_anonymous" => c.allow_anonymous = flag(w.get(1))?,
        "allow_zero_length_clientid" => c.allow_zero_length_client_id = flag(w.get(1))?,
        "queue_qos0_messages" => c.queue_qos0 = flag(w.get(1))?,
        "hold_acks" => c.hold_acks = flag(w.get(1))?,
        "max_queued_messages" => c.max_queued_messages = number(w.get(1))?,
        "max_queued_bytes" => c.max_queued_bytes = number(w.get(1))?,
        "max_inflight_messages" => c.max_inflight_messages = number(w.get(1))?,
        "max_inflight_bytes" => c.max_inflight_bytes = number(w.get(1))?,
        "max_retained_messages" => c.max_retained_messages = number(w.get(1))?,
        "max_retained_bytes" => c.max_retained_bytes = number(w.get(1))?,
        "max_subscriptions_per_client" => c.max_subscriptions_per_client = number(w.get(1))?,
        "max_topic_length" => c.max_topic_length = number(w.get(1))?,
        "max_topic_levels" => c.max_topic_levels = number(w.get(1))?,
        "max_connections_per_address" => c.max_connections_per_address = number(w.get(1))?,
        "max_message_rate" => {
            let n: u32 = number(w.get(1))?;
            c.max_message_rate = (n > 0).then(|| mqttlab_core::broker::RateLimit::new(n));
        }
        "max_message_burst" => {
            let n: u32 = number(w.get(1))?;
            let Some(limit) = c.max_message_rate else {
                bail!("max_message_burst needs a max_message_rate on a line before it");
            };
            if n == 0 {
                bail!("max_message_burst must be at least 1");
            }
            c.max_message_rate = Some(limit.with_burst(n));
        }
        "max_connections" => {
            let n: i64 = number(w.get(1))?;
            c.max_connections = usize::try_from(n).ok();
        }
        "max_packet_size" => c.max_packet_size = number(w.get(1))?,
        "resend_timeout" => {
            c.resend_timeout = Some(Duration::from_secs_f64(number::<f64>(w.get(1))?))
        }
        "connect_timeout" => c.connect_timeout = seconds(number(w.get(1))?)?,
        "seed" => c.seed = number(w.get(1))?,
        "sys_interval" => c.sys_interval = seconds(number(w.get(1))?)?,
        // MQTT 5.0 (core broker/v5_config.rs); mosquitto's words where it has them.
        "max_topic_alias" => c.v5.topic_alias_maximum = number(w.get(1))?,
        "receive_maximum" => {
            c.v5.receive_maximum = number(w.get(1))?;
            if c.v5.receive_maximum == 0 {
                bail!("receive_maximum must be at least 1 (§3.2.2.3.3)");
            }
        }
        "server_keep_alive" => c.v5.server_keep_alive = Some(number(w.get(1))?),
        "max_qos" => {
            let q: u8 = number(w.get(1))?;
            c.v5.maximum_qos = mqttlab_core::codec::QoS::from_u8(q)
                .ok_or_else(|| anyhow!("expected a QoS, 0 to 2"))?;
        }
        "retain_available" => c.v5.retain_available = flag(w.get(1))?,
        "server_reference" | "server_moved" => {
            let r = w
                .get(1)
                .ok_or_else(|| anyhow!("expected a server reference"))?;
            c.v5.server_reference = Some(mqttlab_core::broker::ServerReference {
                reference: (*r).to_owned(),
                moved: w[0] == "server_moved",
            });
        }
        "user" => {
            let (Some(u), Some(p)) = (w.get(1), w.get(2)) else {
                bail!("expected: user NAME PASSWORD");
            };
            c.users.insert((*u).to_owned(), p.as_bytes().to_vec());
        }
        "scram_user" => {
            let (Some(u), Some(p)) = (w.get(1), w.get(2)) else {
                bail!("expected: scram_user NAME PASSWORD [ITERATIONS]");
            };
            let iterations: u32 = match w.get(3) {
                Some(_) => number(w.get(3))?,
                None => 4096,
            };
            if iterations == 0 {
                bail!("the iteration count must be at least 1 (RFC 7677 asks for 4096)");
            }
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt).map_err(|e| anyhow!("no randomness for a salt: {e}"))?;
            c.enhanced_auth
                .add_scram_user(u, p.as_bytes(), &salt, iterations);
        }
        "reject_client_id" => {
            let id = w.get(1).ok_or_else(|| anyhow!("expected a client id"))?;
            c.rejected_client_ids.push((*id).to_owned());
        }
        "acl" => {
            let (who, rest) = match w.get(1).copied() {
                Some("anyone") => (AclSubject::Anyone, &w[2..]),
                Some("user") if w.len() > 2 => (AclSubject::User(w[2].to_owned()), &w[3..]),
                Some("client") if w.len() > 2 => (AclSubject::Client(w[2].to_owned()), &w[3..]),
                _ => bail!(
                    "expected: acl anyone|user NAME|client ID read|write|readwrite|deny FILTER"
                ),
            };
            let (Some(access), Some(filter)) = (rest.first(), rest.get(1)) else {
                bail!("expected an access and a topic filter");
            };
            let access = Access::from_word(access).ok_or_else(|| {
                anyhow!("unknown access {access:?}: read, write, readwrite or deny")
            })?;
            let filter = TopicFilter::new(*filter).map_err(|e| anyhow!("{e}"))?;
            c.acl.get_or_insert_with(Acl::default).rules.push(AclRule {
                who,
                filter,
                access,
            });
        }
        other => bail!("unknown option {other:?}"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_option() {
        let c = parse(
            "# lab\nallow_anonymous false\nuser alice secret\nacl user alice readwrite open/#\n\
             acl anyone read #\nmax_queued_messages 3\nqueue_qos0_messages true\n\
             resend_timeout 2.5\nmax_connections 4\nseed 9\nsys_interval 1\n",
            BrokerConfig::default(),
        )
        .unwrap();
        assert!(!c.allow_anonymous);
        assert_eq!(c.users["alice"], b"secret");
        let acl = c.acl.unwrap();
        assert_eq!(acl.rules.len(), 2);
        assert_eq!(acl.rules[1].filter.as_str(), "#");
        assert_eq!(c.max_queued_messages, 3);
        assert!(c.queue_qos0);
        assert_eq!(c.resend_timeout, Some(Duration::from_millis(2500)));
        assert_eq!(c.max_connections, Some(4));
        assert_eq!(c.seed, 9);
        assert_eq!(c.sys_interval, Some(Duration::from_secs(1)));
        assert_eq!(
            parse("sys_interval 0", BrokerConfig::default())
                .unwrap()
                .sys_interval,
            None,
            "0 publishes no $SYS, as in mosquitto"
        );
        assert_eq!(
            c.connect_timeout,
            Some(Duration::from_secs(90)),
            "mosquitto's"
        );
        assert!(parse("bogus 1", BrokerConfig::default()).is_err());
    }

    #[test]
    fn acl_filters_may_name_the_clients_own_id_and_user() {
        let c = parse(
            "acl user aluno write turma/%c/#\nacl anyone read users/%u\n",
            BrokerConfig::default(),
        )
        .unwrap();
        let acl = c.acl.unwrap();
        let t = |s: &str| mqttlab_core::topic::TopicName::new(s).unwrap();
        assert!(acl.may_publish("ana", Some("aluno"), &t("turma/ana/x")));
        assert!(!acl.may_publish("ana", Some("aluno"), &t("turma/bia/x")));
        assert!(acl.may_subscribe("c", Some("bia"), "users/bia"));
        assert!(!acl.may_subscribe("c", Some("bia"), "users/ana"));
    }

    #[test]
    fn acl_rules_keep_their_order_and_may_deny() {
        let c = parse(
            "acl anyone deny test/nosubscribe\nacl anyone readwrite #\n",
            BrokerConfig::default(),
        )
        .unwrap();
        let acl = c.acl.unwrap();
        let rules: Vec<_> = acl
            .rules
            .iter()
            .map(|r| (r.access, r.filter.as_str()))
            .collect();
        assert_eq!(
            rules,
            [(Access::Deny, "test/nosubscribe"), (Access::ReadWrite, "#")]
        );
        assert!(!acl.may_subscribe("c", None, "test/nosubscribe"));
        assert!(acl.may_subscribe("c", None, "test/#"));
        let e = parse("acl anyone allow x\n", BrokerConfig::default()).unwrap_err();
        assert!(
            format!("{e:#}").contains("read, write, readwrite or deny"),
            "{e:#}"
        );
    }

    #[test]
    fn scram_users_keep_keys_not_passwords() {
        use mqttlab_core::auth::{ScramClient, ScramServer};
        let c = parse(
            "scram_user aluno senha\nscram_user prof outra 100\n",
            BrokerConfig::default(),
        )
        .unwrap();
        let users = &c.enhanced_auth.scram_users;
        assert_eq!(users["aluno"].iterations, 4096);
        assert_eq!(users["prof"].iterations, 100);
        assert_eq!(users["aluno"].salt.len(), 16);
        assert_ne!(
            users["aluno"].salt, users["prof"].salt,
            "a random salt each"
        );
        // The stored keys check the password they came from, and no other.
        for (password, ok) in [(&b"outra"[..], true), (b"senha", false)] {
            let (client, first) = ScramClient::new("prof", password, "n").unwrap();
            let (server, server_first) =
                ScramServer::handle_client_first(&first, "s", |u| users.get(u).cloned()).unwrap();
            let (_, last) = client.handle_server_first(&server_first).unwrap();
            assert_eq!(server.handle_client_final(&last).is_ok(), ok);
        }
        assert!(parse("scram_user aluno\n", BrokerConfig::default()).is_err());
        assert!(parse("scram_user a b 0\n", BrokerConfig::default()).is_err());
    }

    #[test]
    fn limits_words() {
        let c = parse(
            "max_queued_bytes 1000\nmax_inflight_bytes 500\nmax_retained_messages 3\n\
             max_retained_bytes 90\nmax_subscriptions_per_client 4\nmax_topic_length 64\n\
             max_topic_levels 5\nmax_connections_per_address 2\n",
            BrokerConfig::default(),
        )
        .unwrap();
        assert_eq!(
            (c.max_queued_bytes, c.max_inflight_bytes),
            (1000, 500),
            "mosquitto's words"
        );
        assert_eq!((c.max_retained_messages, c.max_retained_bytes), (3, 90));
        assert_eq!(c.max_subscriptions_per_client, 4);
        assert_eq!((c.max_topic_length, c.max_topic_levels), (64, 5));
        assert_eq!(c.max_connections_per_address, 2);
        assert!(!BrokerConfig::default().hold_acks, "off unless asked");
        assert!(parse("max_queued_bytes lots\n", BrokerConfig::default()).is_err());
    }

    #[test]
    fn message_rate_words() {
        use mqttlab_core::broker::RateLimit;
        let rate = |text: &str| parse(text, BrokerConfig::default()).map(|c| c.max_message_rate);
        assert_eq!(rate("").unwrap(), None, "none unless asked, as mosquitto");
        assert_eq!(
            rate("max_message_rate 20\n").unwrap(),
            Some(RateLimit {
                per_second: 20,
                burst: 200
            })
        );
        assert_eq!(
            rate("max_message_rate 5\nmax_message_burst 12\n").unwrap(),
            Some(RateLimit {
                per_second: 5,
                burst: 12
            })
        );
        assert_eq!(rate("max_message_rate 0\n").unwrap(), None);
        let e = rate("max_message_burst 12\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("needs a max_message_rate"),
            "{e:#}"
        );
        assert!(rate("max_message_rate 5\nmax_message_burst 0\n").is_err());
        assert!(rate("max_message_rate fast\n").is_err());
    }

    #[test]
    fn connect_timeout_in_seconds_and_0_for_never() {
        let c = parse("connect_timeout 2.5\n", BrokerConfig::default()).unwrap();
        assert_eq!(c.connect_timeout, Some(Duration::from_millis(2500)));
        let c = parse("connect_timeout 0\n", BrokerConfig::default()).unwrap();
        assert_eq!(c.connect_timeout, None);
        assert!(parse("connect_timeout -1\n", BrokerConfig::default()).is_err());
        assert!(parse("connect_timeout soon\n", BrokerConfig::default()).is_err());
        let c = parse("hold_acks true\n", BrokerConfig::default()).unwrap();
        assert!(c.hold_acks);
    }
}
