//! `with NAME VALUE`: an MQTT 5.0 property on each PUBLISH a line makes (the
//! `publish` action, a sensor's or an ESP32's readings). The value is read by
//! the very reader `mosquitto_pub -D publish NAME VALUE` uses
//! ([`crate::tools::props::publish_property`]), so a scenario and a command
//! line take the same names and refuse the same values; only the spelling of a
//! User Property (`unit=C`, as `expect ... with user-property` writes it) and
//! the expectation's short `message-expiry` are the scenario's own.

use crate::codec::properties::Holder;
use crate::sim::scenario::ast::WithProperties;
use crate::sim::scenario::errors::{suggest, Problem};
use crate::sim::scenario::expected::Expected;
use crate::sim::scenario::problem::PUBLISH_PROPERTIES;
use crate::tools::props::{check_properties, publish_property, PropertyError};

use super::cursor::{Cur, R};

/// The expectation's names for what `-D publish` names otherwise.
const SHORT_NAMES: &[(&str, &str)] = &[("message-expiry", "message-expiry-interval")];

/// Reads one `NAME VALUE` after `with` (at column `with_col`) into `props`.
pub(super) fn with_property(c: &mut Cur, with_col: usize, props: &mut WithProperties) -> R<()> {
    if props.list.is_empty() {
        props.column = with_col;
    }
    let (word, name_col) = c.word(Expected::PublishProperty)?;
    let name = SHORT_NAMES
        .iter()
        .find(|(short, _)| *short == word)
        .map_or(word.as_str(), |(_, long)| long);
    let value_col = c.col();
    let (key, value) = if name == "user-property" {
        let kv = c.text(Expected::NameValue)?;
        match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => (Some(k.to_owned()), v.to_owned()),
            _ => return c.fail(value_col, Problem::NotNameValue { word: kv }),
        }
    } else {
        (None, c.text(Expected::PropertyValue)?)
    };
    let property = match publish_property(name, key.as_deref(), &value) {
        Ok(p) => p,
        Err(PropertyError::UnknownName) => {
            let suggestion = suggest(&word, PUBLISH_PROPERTIES.iter().copied()).map(str::to_owned);
            return c.fail(name_col, Problem::UnknownProperty { word, suggestion });
        }
        Err(e @ (PropertyError::NotAllowed(_) | PropertyError::NotSupported(_))) => {
            return c.fail(name_col, Problem::Property(e))
        }
        Err(e) => return c.fail(value_col, Problem::Property(e)),
    };
    props.list.push(property);
    // The properties before it passed: what fails now is about this one.
    match check_properties(Holder::Publish, &props.list) {
        Ok(()) => Ok(()),
        Err(e @ PropertyError::Duplicate(_)) => c.fail(name_col, Problem::Property(e)),
        Err(e) => c.fail(value_col, Problem::Property(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::codec::properties::{self as p, Property, PropertyId};
    use crate::sim::scenario::ast::{ActionSpec, NodeKind};
    use crate::sim::scenario::errors::{Problem, ScenarioError};
    use crate::tools::props::PropertyError;

    const WORLD: &str = "broker b\nclient c -> b version 5\n";

    fn publish_props(line: &str) -> Vec<Property> {
        let sc = ok(&format!("{WORLD}{line}"));
        match &sc.actions[0].action {
            ActionSpec::Publish(p) => p.properties.list.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn problem(src: &str) -> (usize, usize, Problem) {
        let e = crate::sim::scenario::parse(src).unwrap_err();
        let ScenarioError {
            line,
            column,
            problem,
            ..
        } = e.0[0].clone();
        (line, column, problem)
    }

    #[test]
    fn every_publish_property_in_the_order_given() {
        let got = publish_props(
            "at 1s publish c t x qos 1 with content-type text/plain with user-property unit=C \
             with message-expiry-interval 60 with response-topic r/1 with correlation-data \"id 7\" \
             with payload-format-indicator 1 with topic-alias 3 with user-property \"room=101 A\"",
        );
        assert_eq!(
            got,
            [
                Property::from(p::ContentType("text/plain".into())),
                p::UserProperty(("unit".into(), "C".into())).into(),
                p::MessageExpiryInterval(60).into(),
                p::ResponseTopic("r/1".into()).into(),
                p::CorrelationData(bytes::Bytes::from_static(b"id 7")).into(),
                p::PayloadFormatIndicator(1).into(),
                p::TopicAlias(3).into(),
                p::UserProperty(("room".into(), "101 A".into())).into(),
            ]
        );
    }

    #[test]
    fn the_expectations_short_name_for_message_expiry() {
        assert_eq!(
            publish_props("at 1s publish c t x with message-expiry 10"),
            [Property::from(p::MessageExpiryInterval(10))]
        );
    }

    #[test]
    fn a_property_no_publish_takes_is_named_where_it_is_written() {
        assert_eq!(
            problem(&format!("{WORLD}at 1s publish c t x with conten-type a")),
            (
                3,
                26,
                Problem::UnknownProperty {
                    word: "conten-type".into(),
                    suggestion: Some("content-type".into())
                }
            )
        );
        let (_, _, pr) = problem(&format!("{WORLD}at 1s publish c t x with colour red"));
        assert_eq!(pr.to_string(), "unknown property 'colour'; a PUBLISH takes: payload-format-indicator, message-expiry-interval, content-type, response-topic, correlation-data, topic-alias, user-property");
        assert_eq!(
            problem(&format!(
                "{WORLD}at 1s publish c t x with session-expiry-interval 5"
            )),
            (
                3,
                26,
                Problem::Property(PropertyError::NotAllowed(PropertyId::SessionExpiryInterval))
            )
        );
        assert_eq!(
            problem(&format!(
                "{WORLD}at 1s publish c t x with subscription-identifier 5"
            )),
            (
                3,
                26,
                Problem::Property(PropertyError::NotSupported(
                    PropertyId::SubscriptionIdentifier
                ))
            )
        );
    }

    #[test]
    fn bad_values_are_named_at_the_value() {
        assert_eq!(
            problem(&format!(
                "{WORLD}at 1s publish c t x with message-expiry-interval soon"
            )),
            (
                3,
                50,
                Problem::Property(PropertyError::NotANumber {
                    id: PropertyId::MessageExpiryInterval,
                    word: "soon".into()
                })
            )
        );
        assert_eq!(
            problem(&format!(
                "{WORLD}at 1s publish c t x with topic-alias 70000"
            )),
            (
                3,
                38,
                Problem::Property(PropertyError::OutOfRange {
                    id: PropertyId::TopicAlias,
                    value: 70000
                })
            )
        );
        let (line, col, pr) = problem(&format!(
            "{WORLD}at 1s publish c t x with payload-format-indicator 2"
        ));
        assert_eq!((line, col), (3, 51));
        assert_eq!(pr.to_string(), "payload-format-indicator is 0 or 1");
        let (_, col, pr) = problem(&format!("{WORLD}at 1s publish c t x with topic-alias 0"));
        assert_eq!(
            (col, pr.to_string().as_str()),
            (38, "topic-alias cannot be 0")
        );
        assert_eq!(
            problem(&format!(
                "{WORLD}at 1s publish c t x with user-property unit"
            )),
            (
                3,
                40,
                Problem::NotNameValue {
                    word: "unit".into()
                }
            )
        );
    }

    #[test]
    fn a_property_given_twice_is_refused_a_user_property_may_repeat() {
        assert_eq!(
            problem(&format!(
                "{WORLD}at 1s publish c t x with content-type a with content-type b"
            )),
            (
                3,
                46,
                Problem::Property(PropertyError::Duplicate(PropertyId::ContentType))
            )
        );
        assert_eq!(
            publish_props("at 1s publish c t x with user-property a=1 with user-property a=2")
                .len(),
            2
        );
    }

    #[test]
    fn properties_need_a_node_that_speaks_5() {
        assert_eq!(
            problem("broker b\nclient c -> b\nat 1s publish c t x with content-type a"),
            (3, 21, Problem::PropertiesNeedV5 { node: "c".into() })
        );
        // A connect line may make it speak 5.0.
        let sc = ok("broker b\nclient c -> b\nat 0s connect c version 5\nat 1s publish c t x with content-type a");
        assert_eq!(sc.actions.len(), 2);
        assert_eq!(
            problem("broker b\nsensor s -> b topic t every 1s with content-type a"),
            (2, 32, Problem::PropertiesNeedV5 { node: "s".into() })
        );
    }

    #[test]
    fn sensors_and_esp32_boards_put_them_on_each_reading() {
        let sc = ok("broker b
sensor s -> b topic t every 1s version 5 with content-type text/plain with user-property unit=C
esp32 e -> b profile esp-idf version 5 topic e/t every 5s with user-property unit=C");
        let NodeKind::Sensor { properties, .. } = &sc.nodes[1].kind else {
            panic!()
        };
        assert_eq!(properties.list.len(), 2);
        assert_eq!(properties.column, 42);
        let NodeKind::Esp32 { properties, .. } = &sc.nodes[2].kind else {
            panic!()
        };
        assert_eq!(
            properties.list,
            [Property::from(p::UserProperty(("unit".into(), "C".into())))]
        );
        let (line, _, msg) =
            err("broker b\nesp32 e -> b profile esp-idf version 5 with content-type a");
        assert_eq!(line, 2);
        assert!(msg.contains("on each reading"), "{msg}");
    }
}
