//! `client|sensor|actuator|controller|esp32 NAME -> BROKER OPTION...`.

use core::time::Duration;

use crate::codec::QoS;
use crate::sim::link::LinkParams;
use crate::sim::node::{Esp32Profile, ValueModel};
use crate::sim::scenario::ast::*;
use crate::sim::scenario::lexer::Tok;

use crate::sim::scenario::errors::Problem;
use crate::sim::scenario::expected::{Expected, Incomplete, Vocabulary};

use super::action::unknown;
use super::cursor::{Cur, R};
use super::model::model;
use super::options::{check_v5_options, conn_opt, link_opt, period};
use super::properties::with_property;

fn arrow(statement: &str, name: &str) -> Problem {
    Problem::ArrowMissing {
        statement: statement.to_owned(),
        name: name.to_owned(),
    }
}

pub(super) fn device(c: &mut Cur, sc: &mut Scenario, kw: &str) -> R<()> {
    let name = c.name(Expected::NodeName)?;
    if !c.at_end() && !matches!(c.toks.get(c.pos).map(|t| &t.tok), Some(Tok::Arrow)) {
        return c.fail(c.col(), arrow(kw, &name.name));
    }
    if c.at_end() {
        return c.fail(c.end_col, arrow(kw, &name.name));
    }
    c.pos += 1;
    let broker = c.name(Expected::BrokerName)?;
    let mut link = LinkChange::default();
    let mut conn = ConnSpec::default();
    let mut kind = match kw {
        "client" => NodeKind::Client,
        "sensor" => NodeKind::Sensor {
            topic: String::new(),
            every: Duration::ZERO,
            model: ValueModel::Constant(0.0),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: WithProperties::default(),
        },
        "actuator" => NodeKind::Actuator {
            topic: String::new(),
            qos: QoS::AtLeastOnce,
        },
        "controller" => NodeKind::Controller {
            input: String::new(),
            output: String::new(),
            setpoint: f64::NAN,
            hysteresis: 0.5,
        },
        "responder" => NodeKind::Responder {
            topic: String::new(),
            reply: String::new(),
            qos: QoS::AtMostOnce,
        },
        _ => NodeKind::Esp32 {
            profile: Esp32Profile::PubSubClient { buffer: 256 },
            sensor: None,
            command: None,
            announce: None,
            reconnect: None,
            properties: WithProperties::default(),
        },
    };
    let mut esp_sensor: (Option<String>, Option<Duration>, Option<ValueModel>) = (None, None, None);
    let mut have_profile = false;
    let mut esp_qos = QoS::AtMostOnce;
    while !c.at_end() {
        let (opt, col) = c.word(Expected::DeviceOption)?;
        if link_opt(c, &opt, &mut link)? || conn_opt(c, &opt, &mut conn)? {
            continue;
        }
        let handled = match (&mut kind, opt.as_str()) {
            (NodeKind::Sensor { topic, .. }, "topic") => {
                *topic = c.topic(false)?;
                true
            }
            (NodeKind::Sensor { every, .. }, "every") => {
                *every = period(c)?;
                true
            }
            (NodeKind::Sensor { model: m, .. }, "model") => {
                *m = model(c)?;
                true
            }
            (NodeKind::Sensor { qos, .. }, "qos") => {
                *qos = c.qos()?;
                true
            }
            (NodeKind::Sensor { retain, .. }, "retain") => {
                *retain = true;
                true
            }
            (NodeKind::Sensor { properties, .. } | NodeKind::Esp32 { properties, .. }, "with") => {
                with_property(c, col, properties)?;
                true
            }
            (NodeKind::Actuator { topic, .. }, "topic") => {
                *topic = c.topic(true)?;
                true
            }
            (NodeKind::Actuator { qos, .. }, "qos") => {
                *qos = c.qos()?;
                true
            }
            (NodeKind::Controller { input, .. }, "input") => {
                *input = c.topic(true)?;
                true
            }
            (NodeKind::Controller { output, .. }, "output") => {
                *output = c.topic(false)?;
                true
            }
            (NodeKind::Controller { setpoint, .. }, "setpoint") => {
                *setpoint = c.float(Expected::Temperature)?;
                true
            }
            (NodeKind::Controller { hysteresis, .. }, "hysteresis") => {
                *hysteresis = c.float(Expected::Number)?;
                true
            }
            (NodeKind::Responder { topic, .. }, "topic") => {
                *topic = c.topic(true)?;
                true
            }
            (NodeKind::Responder { reply, .. }, "reply") => {
                *reply = c.text(Expected::ReplyPayload)?;
                true
            }
            (NodeKind::Responder { qos, .. }, "qos") => {
                *qos = c.qos()?;
                true
            }
            (NodeKind::Esp32 { profile, .. }, "profile") => {
                let (p, pc) = c.word(Expected::Profile)?;
                *profile = match p.as_str() {
                    "pubsubclient" => Esp32Profile::PubSubClient { buffer: 256 },
                    "pubsubclient-128" => Esp32Profile::PubSubClient { buffer: 128 },
                    "esp-idf" => Esp32Profile::EspIdf,
                    other => {
                        return c.fail(
                            pc,
                            unknown(
                                Vocabulary::Profile,
                                other,
                                &["pubsubclient", "pubsubclient-128", "esp-idf"],
                            ),
                        )
                    }
                };
                have_profile = true;
                true
            }
            (NodeKind::Esp32 { .. }, "topic") => {
                esp_sensor.0 = Some(c.topic(false)?);
                true
            }
            (NodeKind::Esp32 { .. }, "qos") => {
                esp_qos = c.qos()?;
                true
            }
            (NodeKind::Esp32 { .. }, "every") => {
                esp_sensor.1 = Some(period(c)?);
                true
            }
            (NodeKind::Esp32 { .. }, "model") => {
                esp_sensor.2 = Some(model(c)?);
                true
            }
            (NodeKind::Esp32 { command, .. }, "subscribe") => {
                let f = c.topic(true)?;
                let q = if c.eat("qos") {
                    c.qos()?
                } else {
                    QoS::AtMostOnce
                };
                *command = Some((f, q));
                true
            }
            (NodeKind::Esp32 { announce, .. }, "announce") => {
                let t = c.topic(false)?;
                let p = c.text(Expected::Payload)?;
                *announce = Some((t, p));
                true
            }
            (NodeKind::Esp32 { reconnect, .. }, "reconnect") => {
                *reconnect = Some(c.duration()?);
                true
            }
            _ => false,
        };
        if !handled {
            return c.fail(
                col,
                Problem::NotAnOptionOf {
                    option: opt,
                    statement: kw.to_owned(),
                },
            );
        }
    }
    let properties = match &kind {
        NodeKind::Sensor { properties, .. } | NodeKind::Esp32 { properties, .. } => {
            Some(properties)
        }
        _ => None,
    };
    if let Some(p) = properties.filter(|p| !p.is_empty()) {
        if conn.protocol != Some(crate::codec::Protocol::V5) {
            return c.fail(
                p.column,
                Problem::PropertiesNeedV5 {
                    node: name.name.clone(),
                },
            );
        }
        if matches!(kind, NodeKind::Esp32 { .. }) && esp_sensor.0.is_none() {
            return c.fail(
                p.column,
                Problem::PropertiesWithoutReadings {
                    node: name.name.clone(),
                },
            );
        }
    }
    match &mut kind {
        NodeKind::Sensor { topic, every, .. } => {
            if topic.is_empty() || every.is_zero() {
                return c.fail(c.end_col, Problem::Incomplete(Incomplete::Sensor));
            }
        }
        NodeKind::Actuator { topic, .. } if topic.is_empty() => {
            return c.fail(c.end_col, Problem::Incomplete(Incomplete::Actuator));
        }
        NodeKind::Responder { topic, .. } if topic.is_empty() => {
            return c.fail(c.end_col, Problem::Incomplete(Incomplete::Responder));
        }
        NodeKind::Responder { .. } => match conn.protocol {
            // Request/response is MQTT 5.0's: it speaks 5.0 unless told otherwise,
            // and cannot be told otherwise.
            None => conn.protocol = Some(crate::codec::Protocol::V5),
            Some(crate::codec::Protocol::V5) => {}
            Some(_) => return c.fail(c.end_col, Problem::ResponderNeedsV5),
        },
        NodeKind::Controller {
            input,
            output,
            setpoint,
            ..
        } if input.is_empty() || output.is_empty() || setpoint.is_nan() => {
            return c.fail(c.end_col, Problem::Incomplete(Incomplete::Controller));
        }
        NodeKind::Esp32 {
            sensor, profile, ..
        } => {
            if matches!(profile, Esp32Profile::PubSubClient { .. })
                && conn.protocol == Some(crate::codec::Protocol::V5)
            {
                return c.fail(c.end_col, Problem::PubSubClientV5);
            }
            if !have_profile {
                return c.fail(c.end_col, Problem::Incomplete(Incomplete::Esp32Profile));
            }
            match esp_sensor {
                (Some(t), Some(e), m) => {
                    *sensor = Some((t, e, m.unwrap_or(ValueModel::Constant(0.0)), esp_qos))
                }
                (None, None, None) => {}
                _ => return c.fail(c.end_col, Problem::Incomplete(Incomplete::Esp32Sensor)),
            }
        }
        _ => {}
    }
    check_v5_options(c, &conn)?;
    let mut params = LinkParams::default();
    link.apply(&mut params);
    sc.nodes.push(NodeDecl {
        name,
        kind,
        broker: Some(broker),
        link: params,
        conn,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::codec::QoS;
    use crate::sim::node::{Esp32Profile, ValueModel};
    use crate::sim::scenario::ast::NodeKind;
    use core::time::Duration;

    #[test]
    fn each_kind_with_its_options() {
        let sc = ok("broker b
sensor s -> b topic t/1 every 2s qos 1 retain
actuator a -> b topic cmd/# qos 2
controller k -> b input t/1 output cmd/h setpoint 21.5 hysteresis 1
esp32 e -> b profile esp-idf topic e/t every 5s subscribe e/cmd qos 1 announce e/up hi reconnect 3s
client c -> b");
        let kinds: Vec<_> = sc.nodes.iter().map(|n| &n.kind).collect();
        assert!(
            matches!(kinds[1], NodeKind::Sensor { topic, every, qos: QoS::AtLeastOnce, retain: true, .. }
            if topic == "t/1" && *every == Duration::from_secs(2))
        );
        assert!(
            matches!(kinds[2], NodeKind::Actuator { topic, qos: QoS::ExactlyOnce } if topic == "cmd/#")
        );
        assert!(
            matches!(kinds[3], NodeKind::Controller { input, output, setpoint, hysteresis }
            if input == "t/1" && output == "cmd/h" && *setpoint == 21.5 && *hysteresis == 1.0)
        );
        let NodeKind::Esp32 {
            profile,
            sensor,
            command,
            announce,
            reconnect,
            ..
        } = kinds[4]
        else {
            panic!("{:?}", kinds[4])
        };
        assert_eq!(*profile, Esp32Profile::EspIdf);
        assert_eq!(
            sensor,
            &Some((
                "e/t".into(),
                Duration::from_secs(5),
                ValueModel::Constant(0.0),
                QoS::AtMostOnce
            ))
        );
        assert_eq!(command, &Some(("e/cmd".into(), QoS::AtLeastOnce)));
        assert_eq!(announce, &Some(("e/up".into(), "hi".into())));
        assert_eq!(*reconnect, Some(Duration::from_secs(3)));
        assert_eq!(sc.nodes[5].kind, NodeKind::Client);
        assert_eq!(sc.nodes[5].broker.as_ref().unwrap().name, "b");
    }

    #[test]
    fn a_responder_speaks_5_0() {
        let sc = ok(r#"broker b
responder t -> b topic casa/termostato/get reply "21.5" qos 1"#);
        assert_eq!(
            sc.nodes[1].kind,
            NodeKind::Responder {
                topic: "casa/termostato/get".into(),
                reply: "21.5".into(),
                qos: QoS::AtLeastOnce
            }
        );
        assert_eq!(sc.nodes[1].conn.protocol, Some(crate::codec::Protocol::V5));
        assert_eq!(
            err("broker b\nresponder t -> b reply x"),
            (
                2,
                25,
                "a responder needs 'topic FILTER reply PAYLOAD'".into()
            )
        );
        assert_eq!(
            err("broker b\nresponder t -> b topic a reply x version 311"),
            (
                2,
                45,
                "a responder answers on a request's Response Topic, which only MQTT 5.0 has: leave out 'version'".into()
            )
        );
    }

    #[test]
    fn the_arrow_and_the_broker_are_required() {
        assert_eq!(
            err("broker b\nclient c b"),
            (
                2,
                10,
                "expected '->' and a broker: client c -> broker1".into()
            )
        );
        assert_eq!(
            err("broker b\nclient c"),
            (
                2,
                9,
                "expected '->' and a broker: client c -> broker1".into()
            )
        );
    }

    #[test]
    fn an_option_of_another_kind_is_refused() {
        assert_eq!(
            err("broker b\nclient c -> b topic t"),
            (2, 15, "'topic' is not an option of client".into())
        );
    }

    #[test]
    fn what_each_kind_needs() {
        assert_eq!(
            err("broker b\nsensor s -> b topic t"),
            (
                2,
                22,
                "a sensor needs 'topic TOPIC' and 'every DURATION'".into()
            )
        );
        assert_eq!(
            err("broker b\nactuator a -> b"),
            (2, 16, "an actuator needs 'topic TOPIC'".into())
        );
        assert_eq!(
            err("broker b\ncontroller k -> b input t output u"),
            (
                2,
                35,
                "a controller needs 'input TOPIC output TOPIC setpoint VALUE'".into()
            )
        );
        assert_eq!(
            err("broker b\nesp32 e -> b"),
            (
                2,
                13,
                "an esp32 needs 'profile pubsubclient|pubsubclient-128|esp-idf'".into()
            )
        );
        assert_eq!(
            err("broker b\nesp32 e -> b profile pubsubclient topic t"),
            (
                2,
                42,
                "an esp32 sensor needs both 'topic TOPIC' and 'every DURATION'".into()
            )
        );
        assert_eq!(
            err("broker b\nesp32 e -> b profile arduino"),
            (
                2,
                22,
                "unknown profile 'arduino' (pubsubclient, pubsubclient-128, esp-idf)".into()
            )
        );
    }
}
