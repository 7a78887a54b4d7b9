//! `mqttlab pub` / `mqttlab sub` (the core's sans-IO client on real TCP) against a
//! real Debian `mosquitto` 2.0 broker, with Debian's `mosquitto_pub`/`mosquitto_sub`
//! on the other side: the course text's experiments, both directions.
//!
//! Each test starts its own `mosquitto` on a free 127.0.0.1 port, bounds every wait,
//! and kills what it started when it ends (also on panic). Tests are skipped, with a
//! note, when `mosquitto` is not installed.

mod client_common;

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use client_common::*;
use mqttlab_tests::procs::{free_port, have_mosquitto, mqttlab, mqttlab_within, Mosquitto, Proc};

fn publish_and_expect(our_sub: bool, qos: &str, retain: bool) {
    let b = Mosquitto::start();
    let port = b.port();
    let mut sub = ready_sub(our_sub, &b, &["-t", "topico", "-q", qos, "-C", "1"]);
    let mut args = vec![
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-t",
        "topico",
        "-m",
        "mensagem",
        "-q",
        qos,
    ];
    if retain {
        args.push("-r");
    }
    let mut publ = if our_sub {
        theirs("mosquitto_pub", &args)
    } else {
        ours("mqttlab pub", "pub", &args)
    };
    assert!(publ.wait(T).success(), "publisher failed");
    assert_eq!(sub.messages(T), ["topico mensagem"]);
    assert!(sub.wait(T).success(), "subscriber failed");
}

#[test]
fn our_sub_receives_mosquitto_pub_at_qos_0_1_2() {
    if !have_mosquitto() {
        return;
    }
    for qos in ["0", "1", "2"] {
        publish_and_expect(true, qos, false);
    }
}

#[test]
fn mosquitto_sub_receives_our_pub_at_qos_0_1_2() {
    if !have_mosquitto() {
        return;
    }
    for qos in ["0", "1", "2"] {
        publish_and_expect(false, qos, false);
    }
}

#[test]
fn qos2_exchange_reads_like_libmosquitto_in_debug_mode() {
    if !have_mosquitto() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    let mut sub = ready_sub(true, &b, &["-t", "topico", "-q", "2", "-C", "1"]);
    let mut p = ours(
        "mqttlab pub",
        "pub",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "topico",
            "-m",
            "hello",
            "-q",
            "2",
            "-d",
        ],
    );
    assert!(p.wait(T).success());
    let lines: Vec<String> = std::iter::from_fn(|| p.line(Duration::from_millis(500))).collect();
    assert_eq!(
        lines,
        [
            "Client (null) sending CONNECT",
            "Client (null) received CONNACK (0)",
            "Client (null) sending PUBLISH (d0, q2, r0, m1, 'topico', ... (5 bytes))",
            "Client (null) received PUBREC (Mid: 1)",
            "Client (null) sending PUBREL (m1)",
            "Client (null) received PUBCOMP (Mid: 1, RC:0)",
            "Client (null) sending DISCONNECT",
        ]
    );
    let got: Vec<String> = std::iter::from_fn(|| sub.line(T)).collect();
    let pos = |l: &str| {
        got.iter()
            .position(|g| g == l)
            .unwrap_or_else(|| panic!("{l} in {got:?}"))
    };
    // Exactly once, and the handshake completes before our sub disconnects.
    assert!(
        pos("Client (null) sending PUBREC (m1, rc0)")
            < pos("Client (null) received PUBREL (Mid: 1)")
    );
    assert!(pos("Client (null) sending PUBCOMP (m1)") < pos("Client (null) sending DISCONNECT"));
    assert_eq!(got.iter().filter(|l| *l == "topico hello").count(), 1);
}

#[test]
fn retained_messages_reach_later_subscribers_both_ways() {
    if !have_mosquitto() {
        return;
    }
    for our_pub in [true, false] {
        let b = Mosquitto::start();
        let port = b.port();
        let args = [
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-m",
            "mensagem",
            "-t",
            "topico",
            "-q",
            "1",
            "-r",
        ];
        let mut p = if our_pub {
            ours("mqttlab pub", "pub", &args)
        } else {
            theirs("mosquitto_pub", &args)
        };
        assert!(p.wait(T).success());
        // Subscribing after the publish: the broker sends the retained copy.
        let sub_args = [
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "topico",
            "-q",
            "1",
            "-v",
            "-C",
            "1",
        ];
        let mut s = if our_pub {
            theirs("mosquitto_sub", &sub_args)
        } else {
            ours("mqttlab sub", "sub", &sub_args)
        };
        assert_eq!(s.messages(T), ["topico mensagem"]);
        assert!(s.wait(T).success());
        if !our_pub {
            // -R skips the stale retained message: nothing within one second.
            let mut s = ours(
                "mqttlab sub -R",
                "sub",
                &[
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "-t",
                    "topico",
                    "-R",
                    "-W",
                    "1",
                ],
            );
            assert_eq!(s.wait(T).code(), Some(27), "timed out, as mosquitto_sub -W");
            assert_eq!(s.messages(Duration::from_millis(200)), Vec::<String>::new());
        }
    }
}

#[test]
fn persistent_session_gets_the_message_published_while_offline() {
    if !have_mosquitto() {
        return;
    }
    for our_sub in [true, false] {
        let b = Mosquitto::start();
        let port = b.port();
        let sub_args = |extra: &'static [&'static str]| {
            let mut a = vec![
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-t",
                "topico",
                "-q",
                "1",
                "-c",
                "-i",
                "sub1",
                "-v",
            ];
            a.extend_from_slice(extra);
            a
        };
        let run_sub = |args: &[&str]| {
            if our_sub {
                ours("mqttlab sub", "sub", args)
            } else {
                theirs("mosquitto_sub", args)
            }
        };
        // Connect with -c, subscribe, leave (gracefully, after -W 1).
        let mut s = run_sub(&sub_args(&["-W", "1", "-d"]));
        s.wait_line(T, subscribed);
        assert_eq!(s.wait(T).code(), Some(27));
        // While sub1 is offline, mensagem2 is published at QoS 1.
        let pub_args = [
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-m",
            "mensagem2",
            "-t",
            "topico",
            "-q",
            "1",
        ];
        let mut p = if our_sub {
            theirs("mosquitto_pub", &pub_args)
        } else {
            ours("mqttlab pub", "pub", &pub_args)
        };
        assert!(p.wait(T).success());
        // sub1 comes back: the broker delivers the queued message.
        let mut s = run_sub(&sub_args(&["-C", "1"]));
        assert_eq!(s.messages(T), ["topico mensagem2"]);
        assert!(s.wait(T).success());
    }
}

#[test]
fn killed_publisher_fires_its_will_both_ways() {
    if !have_mosquitto() {
        return;
    }
    for our_pub in [true, false] {
        let b = Mosquitto::start();
        let port = b.port();
        let mut sub = if our_pub {
            ready_sub(false, &b, &["-t", "sensor1/status"])
        } else {
            ready_sub(true, &b, &["-t", "sensor1/status"])
        };
        // The course text's command line.
        let args = [
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-m",
            "on-line",
            "-t",
            "sensor1/status",
            "-r",
            "--repeat",
            "20",
            "--repeat-delay",
            "5",
            "--will-topic",
            "sensor1/status",
            "--will-payload",
            "off-line",
            "--will-retain",
        ];
        let mut p = if our_pub {
            ours("mqttlab pub", "pub", &args)
        } else {
            theirs("mosquitto_pub", &args)
        };
        sub.wait_line(T, |l| l == "sensor1/status on-line");
        // SIGKILL: no DISCONNECT, the broker sees the socket close and sends the will.
        p.kill();
        sub.wait_line(T, |l| l == "sensor1/status off-line");
        // Retained will: a new subscriber sees it too.
        let mut late = theirs(
            "mosquitto_sub",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-t",
                "sensor1/status",
                "-C",
                "1",
            ],
        );
        assert_eq!(late.messages(T), ["off-line"]);
    }
}

#[test]
fn graceful_exit_sends_disconnect_so_no_will() {
    if !have_mosquitto() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    let mut sub = ready_sub(false, &b, &["-t", "sensor1/status"]);
    let mut p = ours(
        "mqttlab pub",
        "pub",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-m",
            "on-line",
            "-t",
            "sensor1/status",
            "--will-topic",
            "sensor1/status",
            "--will-payload",
            "off-line",
        ],
    );
    assert!(p.wait(T).success());
    assert_eq!(
        sub.messages(Duration::from_millis(1500)),
        ["sensor1/status on-line"]
    );
}

#[test]
fn keep_alive_pings_hold_an_idle_connection_open() {
    if !have_mosquitto() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    // mosquitto drops a client silent for 1.5 x 5 s; our pings keep it for 9 s.
    let mut s = ours(
        "mqttlab sub",
        "sub",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "t",
            "-k",
            "5",
            "-W",
            "9",
            "-d",
        ],
    );
    assert_eq!(
        s.wait(Duration::from_secs(15)).code(),
        Some(27),
        "ran to -W, not cut off"
    );
    let lines: Vec<String> = std::iter::from_fn(|| s.line(Duration::from_millis(300))).collect();
    let pings = lines
        .iter()
        .filter(|l| *l == "Client (null) sending PINGREQ")
        .count();
    let pongs = lines
        .iter()
        .filter(|l| *l == "Client (null) received PINGRESP")
        .count();
    assert!(pings >= 1 && pongs == pings, "{lines:?}");
}

#[test]
fn refused_connection_and_bad_flags_fail_like_mosquitto() {
    let port = free_port().to_string();
    let mut p = ours(
        "mqttlab pub",
        "pub",
        &["-h", "127.0.0.1", "-p", &port, "-t", "a", "-m", "b"],
    );
    assert_eq!(p.wait(T).code(), Some(1));
    let out = Command::new(mqttlab())
        .args(["pub", "-t", "a", "-q", "3", "-m", "x"])
        .output()
        .expect("run mqttlab");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Error: Invalid QoS given: 3"));
}

/// The core client on a blocking socket, with a hand on what it receives: the
/// test decodes the broker's bytes itself and can drop a packet before the
/// client sees it, as a lossy network would before a reconnect.
struct Wire {
    client: mqttlab_core::client::Client,
    stream: TcpStream,
    decoder: mqttlab_core::codec::Decoder,
    t0: Instant,
    sent: Vec<mqttlab_core::codec::Packet>,
}

impl Wire {
    fn connect(
        client: mqttlab_core::client::Client,
        port: u16,
        opts: mqttlab_core::client::ConnectOptions,
        t0: Instant,
    ) -> Wire {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let mut w = Wire {
            client,
            stream,
            decoder: mqttlab_core::codec::Decoder::new(1 << 20),
            t0,
            sent: Vec::new(),
        };
        let now = w.now();
        w.client.connect(now, opts).expect("connect options");
        w
    }

    fn now(&self) -> mqttlab_core::time::Instant {
        mqttlab_core::time::Instant::from_micros(self.t0.elapsed().as_micros() as u64)
    }

    fn flush(&mut self) {
        use std::io::Write;
        while let Some(t) = self.client.poll_transmit() {
            self.stream.write_all(&t.bytes).expect("write");
            self.sent.push(t.packet);
        }
    }

    /// Runs until an event matches `until` (or, with `stop_on_drop`, until a
    /// packet is dropped), handing the client every received packet except those
    /// `drop` picks. Returns the events seen.
    fn run(
        &mut self,
        drop: impl Fn(&mqttlab_core::codec::Packet) -> bool,
        stop_on_drop: bool,
        until: impl Fn(&mqttlab_core::client::ClientEvent) -> bool,
    ) -> Vec<mqttlab_core::client::ClientEvent> {
        use std::io::Read;
        let end = Instant::now() + T;
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            self.flush();
            while let Some(ev) = self.client.poll_event() {
                let done = until(&ev);
                seen.push(ev);
                if done {
                    self.flush();
                    return seen;
                }
            }
            assert!(Instant::now() < end, "no matching event; saw {seen:?}");
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    let now = self.now();
                    self.client.handle_closed(now);
                }
                Ok(n) => {
                    self.decoder.push(&buf[..n]);
                    let mut dropped = false;
                    while let Ok(Some(p)) = self.decoder.next_packet() {
                        if drop(&p) {
                            dropped = true;
                        } else {
                            let now = self.now();
                            self.client.handle_packet(now, p);
                        }
                    }
                    if dropped && stop_on_drop {
                        self.flush();
                        while let Some(ev) = self.client.poll_event() {
                            seen.push(ev);
                        }
                        return seen;
                    }
                }
                Err(_) => {
                    let now = self.now();
                    self.client.handle_timeout(now);
                }
            }
        }
    }

    /// Closes the socket without DISCONNECT and gives the client (its session) back.
    fn cut(mut self) -> mqttlab_core::client::Client {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
        let now = self.now();
        self.client.handle_closed(now);
        while self.client.poll_event().is_some() {}
        self.client
    }
}

#[test]
fn unacknowledged_messages_are_resent_on_reconnect_mqtt_4_4_0_1() {
    use mqttlab_core::client::{Client, ClientEvent, ConnectOptions};
    use mqttlab_core::codec::{Packet, PacketType, QoS};
    if !have_mosquitto() {
        return;
    }
    let b = Mosquitto::start();
    let mut sub = ready_sub(false, &b, &["-t", "resend/#", "-q", "2"]);
    let opts = ConnectOptions::new("resender").clean_session(false);
    let t0 = Instant::now();
    let connected = |e: &ClientEvent| matches!(e, ClientEvent::Connected { .. });
    let keep = |_: &Packet| false;

    // QoS 1 whose PUBACK is lost, and QoS 2 whose PUBCOMP is lost; then the
    // connection drops.
    let mut w = Wire::connect(Client::new(), b.port, opts.clone(), t0);
    w.run(keep, false, connected);
    let now = w.now();
    let m1 = w
        .client
        .publish(now, "resend/q1", "m1", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    w.run(|p| matches!(p, Packet::Puback(_)), true, |_| false);
    let now = w.now();
    let m2 = w
        .client
        .publish(now, "resend/q2", "m2", QoS::ExactlyOnce, false)
        .unwrap()
        .unwrap();
    w.run(|p| matches!(p, Packet::Pubcomp(_)), true, |_| false);
    assert!(w.sent.contains(&Packet::Pubrel(m2)));
    let client = w.cut();
    assert_eq!(client.pending_messages(), 2);

    // Reconnect with the same session: PUBLISH m1 again with DUP=1, PUBREL m2
    // again; mosquitto completes both.
    let mut w = Wire::connect(client, b.port, opts, t0);
    let events = w.run(keep, false, connected);
    assert_eq!(
        events,
        [ClientEvent::Connected {
            session_present: true
        }]
    );
    let events = w.run(keep, false, |e| {
        matches!(
            e,
            ClientEvent::Published {
                qos: QoS::ExactlyOnce,
                ..
            }
        )
    });
    let resent: Vec<_> = w
        .sent
        .iter()
        .skip_while(|p| !matches!(p, Packet::Connect(_)))
        .skip(1)
        .cloned()
        .collect();
    match &resent[..] {
        [Packet::Publish(p), Packet::Pubrel(id), ..] => {
            assert!(p.dup, "the resent PUBLISH carries DUP=1 (MQTT-3.3.1-1)");
            assert_eq!(p.qospid.pid(), Some(m1));
            assert_eq!(*id, m2);
        }
        other => panic!("after CONNACK we sent {other:?}"),
    }
    assert!(events.contains(&ClientEvent::Resent {
        pid: m1,
        packet: PacketType::Publish
    }));
    assert!(events.contains(&ClientEvent::Resent {
        pid: m2,
        packet: PacketType::Pubrel
    }));
    if !events.iter().any(|e| {
        matches!(
            e,
            ClientEvent::Published {
                qos: QoS::AtLeastOnce,
                ..
            }
        )
    }) {
        w.run(keep, false, |e| {
            matches!(
                e,
                ClientEvent::Published {
                    qos: QoS::AtLeastOnce,
                    ..
                }
            )
        });
    }
    assert_eq!(w.client.pending_messages(), 0);

    // QoS 2 arrived once; QoS 1 at least once.
    let got = sub.messages(Duration::from_millis(1000));
    assert_eq!(
        got.iter().filter(|l| *l == "resend/q2 m2").count(),
        1,
        "{got:?}"
    );
    assert!(got.iter().any(|l| l == "resend/q1 m1"), "{got:?}");
}

#[test]
fn credentials_are_sent_and_refusals_reported_like_mosquitto_pub() {
    if !have_mosquitto() || !std::path::Path::new("/usr/bin/mosquitto_passwd").exists() {
        return;
    }
    let pw = std::env::temp_dir().join(format!("mqttlab-client-pw-{}", std::process::id()));
    let made = Command::new("/usr/bin/mosquitto_passwd")
        .args(["-c", "-b", pw.to_str().expect("utf-8"), "ana", "segredo"])
        .output()
        .expect("mosquitto_passwd");
    assert!(made.status.success());
    let b = Mosquitto::start_with(&format!(
        "allow_anonymous false\npassword_file {}\n",
        pw.display()
    ));
    let port = b.port();
    let run = |extra: &[&str]| {
        let mut args = vec!["pub", "-h", "127.0.0.1", "-p", &port, "-t", "a", "-m", "b"];
        args.extend_from_slice(extra);
        mqttlab_within(10)
            .args(&args)
            .output()
            .expect("run mqttlab pub")
    };
    assert!(run(&["-u", "ana", "-P", "segredo"]).status.success());
    for bad in [&["-u", "ana", "-P", "errado"][..], &[][..]] {
        let out = run(bad);
        // mosquitto 2.0 answers CONNACK 5 to a wrong password and to no login.
        assert_eq!(out.status.code(), Some(5), "{out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "Connection error: Connection Refused: not authorised.\nError: The connection was refused.\n"
        );
    }
    let _ = std::fs::remove_file(pw);
}

#[test]
fn our_sub_reconnects_and_resubscribes_after_a_broker_restart() {
    if !have_mosquitto() {
        return;
    }
    let mut b = Mosquitto::start();
    let port = b.port();
    let args = ["-t", "topico", "-q", "1", "-k", "5"];
    let mut sub = ready_sub(true, &b, &args);
    let mut real = ready_sub(false, &b, &args);
    b.restart(Duration::from_millis(1500));
    // Resubscribed on the new broker, as mosquitto_sub does, and with the
    // packet id after the first SUBSCRIBE's: libmosquitto does not start its
    // ids again on a reconnect.
    let again = sub.wait_line(T, subscribed);
    assert_eq!(again, real.wait_line(T, subscribed));
    assert_eq!(again, "Subscribed (mid: 2): 1");
    let mut p = theirs(
        "mosquitto_pub",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "topico",
            "-m",
            "de volta",
            "-q",
            "1",
        ],
    );
    assert!(p.wait(T).success());
    sub.wait_line(T, |l| l == "topico de volta");
    real.wait_line(T, |l| l == "topico de volta");
}

#[test]
fn pub_l_publishes_each_line_of_stdin() {
    if !have_mosquitto() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    let mut sub = ready_sub(false, &b, &["-t", "linhas", "-q", "1", "-C", "4"]);
    let mut child = mqttlab_within(10)
        .args([
            "pub",
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "linhas",
            "-l",
            "-q",
            "1",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("run mqttlab pub -l");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"um\ndois\n\ntres\n").expect("write stdin");
    }
    assert!(child.wait().expect("wait").success());
    // An empty line is an empty message (checked against mosquitto_pub 2.0.11).
    assert_eq!(
        sub.messages(T),
        ["linhas um", "linhas dois", "linhas (null)", "linhas tres"]
    );
}

/// All stdout lines of a finished process.
fn all_lines(p: &mut Proc) -> Vec<String> {
    std::iter::from_fn(|| p.line(Duration::from_millis(500))).collect()
}

#[test]
fn pub_debug_output_matches_mosquitto_pub_line_for_line() {
    if !have_mosquitto() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    for extra in [
        &["-q", "0"][..],
        &["-q", "1"],
        &["-q", "2"],
        &["-q", "1", "-r"],
        &["-q", "1", "--repeat", "3"],
        &["-n", "-q", "2"],
        &[
            "-i",
            "sensor1",
            "-k",
            "30",
            "--will-topic",
            "w",
            "--will-payload",
            "x",
        ],
        &["-u", "ana", "-P", "segredo", "-q", "2", "-r"],
    ] {
        let mut args = vec!["-h", "127.0.0.1", "-p", &port, "-t", "dif/pub", "-d"];
        if !extra.contains(&"-n") {
            args.extend(["-m", "mensagem"]);
        }
        args.extend_from_slice(extra);
        let mut theirs_p = theirs("mosquitto_pub", &args);
        assert!(theirs_p.wait(T).success());
        let mut ours_p = ours("mqttlab pub", "pub", &args);
        assert!(ours_p.wait(T).success());
        assert_eq!(
            all_lines(&mut ours_p),
            all_lines(&mut theirs_p),
            "{extra:?}"
        );
    }
}

#[test]
fn sub_debug_output_matches_mosquitto_sub_line_for_line() {
    if !have_mosquitto() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    for qos in ["0", "1", "2"] {
        let topic = format!("dif/sub/{qos}");
        let extra = ["-t", topic.as_str(), "-q", qos, "-C", "1"];
        let mut theirs_s = ready_sub(false, &b, &extra);
        let mut ours_s = ready_sub(true, &b, &extra);
        let mut p = theirs(
            "mosquitto_pub",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-t",
                &topic,
                "-m",
                "mensagem",
                "-q",
                qos,
            ],
        );
        assert!(p.wait(T).success());
        assert!(theirs_s.wait(T).success());
        assert!(ours_s.wait(T).success());
        // ready_sub consumed the lines up to "Subscribed"; compare the rest.
        assert_eq!(
            all_lines(&mut ours_s),
            all_lines(&mut theirs_s),
            "QoS {qos}"
        );
    }
}
