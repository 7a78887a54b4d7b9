//! A broker made to misbehave on purpose by a fault rule (`fault wrong-id`,
//! `set-retain`, `raise-qos`, `forget`) is caught by the specification
//! checker with the statement it breaks; the same world without the rule
//! breaks nothing.

use mqttlab_core::checker::trace::check_trace;
use mqttlab_core::checker::{Report, Severity};
use mqttlab_core::sim::scenario;

fn run(source: &str) -> Report {
    let r = scenario::run(source, Some(1)).unwrap_or_else(|e| panic!("{source}: {e:?}"));
    check_trace(r.world.trace().entries())
}

fn musts(r: &Report) -> Vec<&'static str> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Must)
        .map(|f| f.id)
        .collect()
}

const QOS1: &str = "broker broker
client sub -> broker
client pub -> broker
at 1s sub: mosquitto_sub -h broker -t t -q 1 -i sub
at 3s pub: mosquitto_pub -h broker -t t -m hello -q 1 -i pub
run 10s
";

const QOS0: &str = "broker broker
client sub -> broker
client pub -> broker
at 1s sub: mosquitto_sub -h broker -t t -i sub
at 3s pub: mosquitto_pub -h broker -t t -m hello -i pub
run 10s
";

const WILL: &str = "broker broker
client monitor -> broker
client sensor -> broker
client app -> broker
at 1s monitor: mosquitto_sub -h broker -t sensor/status -q 1 -i monitor
at 2s sensor: mosquitto_sub -h broker -t cmd -i sensor --will-topic sensor/status --will-payload off-line --will-qos 1
at 5s kill sensor
at 8s app: mosquitto_pub -h broker -t sensor/status -m back -q 1 -i app
run 15s
";

/// The world with a fault rule armed before anything happens.
fn with(world: &str, rule: &str) -> String {
    world.replacen("at 1s", &format!("fault {rule}\nat 1s"), 1)
}

#[test]
fn a_misbehaving_broker_is_caught_with_its_statement() {
    for world in [QOS1, QOS0, WILL] {
        let r = run(world);
        assert_eq!(musts(&r), Vec::<&str>::new(), "{world}\n{r}");
        assert!(r.coverage.held().count() >= 5, "the world ran: {r}");
    }
    for (world, rule, id) in [
        (QOS1, "wrong-id next PUBACK from broker", "MQTT-2.3.1-6"),
        (
            QOS0,
            "set-retain next PUBLISH from broker to sub",
            "MQTT-3.3.1-9",
        ),
        (
            QOS0,
            "raise-qos next PUBLISH from broker to sub",
            "MQTT-3.8.4-6",
        ),
        (
            WILL,
            "forget next PUBLISH from broker to monitor",
            "MQTT-3.1.2-8",
        ),
    ] {
        let source = with(world, rule);
        let r = run(&source);
        let m = musts(&r);
        assert!(
            !m.is_empty() && m.iter().all(|x| *x == id),
            "{rule}: expected only {id}\n{r}"
        );
    }
}
