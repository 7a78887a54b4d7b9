use super::*;

/// A publisher at `qos` on a link that resets now and then, a subscriber on a
/// good one.
const SMALL: &str = "param qos 0 1 2
broker b
sensor s -> b topic t every 1s model count(1,1) qos $qos persistent keepalive 10 loss 25% retries 1
client c -> b
at 0s c: mosquitto_sub -h b -c -i c -q 2 -t t
run 60s
";

#[test]
fn a_lossless_link_delivers_every_message_once_at_the_cost_of_its_qos() {
    let src =
        "param qos 0 1 2\nbroker b\nsensor s -> b topic t every 1s model count(1,1) qos $qos\n\
               client c -> b\nat 0s c: mosquitto_sub -h b -q 2 -t t\nrun 30s\n";
    let r = run(src, 1, 2).unwrap();
    assert_eq!(r.params, ["qos"]);
    for (c, packets) in r.cells.iter().zip([2.0, 4.0, 8.0]) {
        assert_eq!(c.runs, 2);
        assert!(c.sent >= 18, "{c:?}");
        assert_eq!((c.delivered, c.duplicated, c.lost), (c.sent, 0, 0), "{c:?}");
        // One PUBLISH each way at QoS 0, plus PUBACK at 1, plus PUBREC, PUBREL,
        // PUBCOMP at 2: per hop 1, 2, 4 packets.
        assert_eq!(c.packets_per_delivered(), Some(packets), "{c:?}");
        assert!(c.latency_us(0.5).unwrap() >= 2_000, "two hops of 1 ms");
    }
}

#[test]
fn resets_lose_qos0_duplicate_qos1_and_never_touch_qos2() {
    let r = run(SMALL, 1, 6).unwrap();
    let [q0, q1, q2] = &r.cells[..] else {
        panic!("{r:?}")
    };
    assert!(q0.lost > 0 && q0.duplicated == 0, "QoS 0 loses: {q0:?}");
    assert!(
        q1.lost == 0 && q1.duplicated > 0,
        "QoS 1 duplicates: {q1:?}"
    );
    assert!(
        q2.lost == 0 && q2.duplicated == 0,
        "QoS 2 exactly once: {q2:?}"
    );
    assert!(q1.retransmissions > 0);
}

#[test]
fn the_same_seeds_give_the_same_table_and_the_csv_has_every_cell() {
    let a = run(SMALL, 3, 2).unwrap();
    let b = run(SMALL, 3, 2).unwrap();
    assert_eq!(a.to_csv(), b.to_csv());
    let csv = a.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("qos,runs,sent,delivered,duplicated,lost,lost_pct,"));
    assert!(lines[1].starts_with("0,2,"));
    assert_eq!(a.to_text().lines().count(), 4);
}

#[test]
fn step_by_step_equals_one_go_and_reports_progress() {
    let mut r = SweepRun::new(Sweep::new(SMALL).unwrap(), 1, 2).unwrap();
    assert_eq!((r.done(), r.total()), (0, 6));
    let mut steps = 0;
    while !r.step().unwrap() {
        steps += 1;
        assert_eq!(r.done(), steps);
    }
    assert_eq!(r.done(), 6);
    assert_eq!(r.result(), run(SMALL, 1, 2).unwrap());
}

#[test]
fn two_variables_make_a_grid_and_bad_values_say_which_cell() {
    let s = Sweep::new("param a 1 2\nparam b x y z\nbroker b1\n").unwrap();
    let labels: Vec<String> = s.cells().iter().map(|c| cell_label(c)).collect();
    assert_eq!(labels[0], "a=1 b=x");
    assert_eq!(labels[5], "a=2 b=z");
    let bad = "param qos 0 3\nbroker b\nsensor s -> b topic t every 1s qos $qos\n";
    let e = run(bad, 1, 1).unwrap_err();
    assert!(e.to_string().starts_with("with qos=3: line 3"), "{e}");
    assert_eq!(
        SweepRun::new(Sweep::new(SMALL).unwrap(), 1, 10_000).unwrap_err(),
        SweepError::TooManyRuns { runs: 30_000 }
    );
}

#[test]
fn the_bundled_sweep_runs_its_first_value_as_a_plain_scenario() {
    let b = bundled::find("qos-under-loss").unwrap();
    let sc = crate::sim::scenario::parse(b.source).unwrap();
    assert_eq!(sc.params.len(), 2);
    let report = sc.run(1, TraceMode::Full).unwrap();
    assert!(report.passed());
}
