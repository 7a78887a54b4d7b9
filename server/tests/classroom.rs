//! `mqttlab serve --classroom` end to end, as pages reach it (MQTT 5.0 over the
//! WebSocket bridge): the teacher's token is the only key to what students
//! obey, a student reads only the room's broadcasts and its own topics, the
//! bridge still refuses every unnamed upstream, and one student's garbage,
//! floods or reconnect loops reach no one else. Each test bounds its time.

mod classroom_support;
#[path = "../../tests/src/peers.rs"]
mod peers;
mod serve_support;

use std::future::Future;
use std::time::Duration;

use classroom_support::*;
use mqttlab_core::classroom::{student_id, Presence, Push, Room};
use serve_support::Serve;

fn bounded<F: Future<Output = ()>>(test: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(90), test)
                .await
                .expect("test finished within 90 s")
        });
}

fn start(room: &str) -> (Serve, Class) {
    let serve = Serve::start(&["--classroom", "--room", room, "--broker-tcp", "127.0.0.1:0"]);
    let code = serve.wait_stdout("room code");
    let teacher = serve.wait_stdout("#/teacher?token=");
    let class = Class::from_banner(serve.addr.to_string(), &code, &teacher, room);
    (serve, class)
}

#[test]
fn the_banner_gives_a_teacher_link_a_room_code_and_names_the_room() {
    let (serve, class) = start("turma3b");
    assert_eq!(class.token.len(), 32, "{class:?}");
    assert!(class.token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(class.code.len(), 6);
    let (status, ct, body) = serve.get("/classroom.json");
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    assert_eq!(body, br#"{"room":"turma3b"}"#);
    // Two servers, two tokens.
    let (_other, other) = start("turma3b");
    assert_ne!(class.token, other.token);
}

#[test]
fn a_wrong_or_missing_teacher_token_is_refused() {
    bounded(async {
        let (_serve, class) = start("sala");
        let (_, wrong) =
            Peer::connect(&class.addr, "lab", teacher(&class, "0123456789abcdef")).await;
        assert_eq!(wrong, Outcome::Refused(0x86), "Bad User Name or Password");
        // The room code is not the teacher's token.
        let (_, code) = Peer::connect(&class.addr, "lab", teacher(&class, &class.code)).await;
        assert_eq!(code, Outcome::Refused(0x86));
        // No user name at all: anonymous clients are refused.
        let anon = mqttlab_core::client::ConnectOptions::new("x").v5(Vec::new());
        let (_, none) = Peer::connect(&class.addr, "lab", anon).await;
        assert_eq!(none, Outcome::Refused(0x87), "Not authorized");
        // A wrong room code, for a student.
        let mut bad = class.clone();
        bad.code = "WRONG1".into();
        let (_, s) = Peer::connect(&class.addr, "lab", student(&bad, &student_id([1; 16]))).await;
        assert_eq!(s, Outcome::Refused(0x86));
        let (t, ok) = Peer::connect(&class.addr, "lab", teacher(&class, &class.token)).await;
        assert_eq!(ok, Outcome::Accepted);
        drop(t);
    });
}

#[test]
fn a_student_cannot_push_or_read_another_students_answers() {
    bounded(async {
        let (_serve, class) = start("sala");
        let room = Room::new("sala").unwrap();
        let (ana_id, bia_id) = (student_id([0xa; 16]), student_id([0xb; 16]));
        let (ana, _) = Peer::connect(&class.addr, "lab", student(&class, &ana_id)).await;
        let (bia, _) = Peer::connect(&class.addr, "lab", student(&class, &bia_id)).await;
        let (mut ana, mut bia) = (ana.unwrap(), bia.unwrap());
        let (t, _) = Peer::connect(&class.addr, "lab", teacher(&class, &class.token)).await;
        let mut t = t.unwrap();
        assert_eq!(t.subscribe(&[&room.teacher_filter()]).await, [0x01]);

        // Each student subscribes to what it may read: granted.
        let [all, own] = room.student_filters(&ana_id);
        assert_eq!(ana.subscribe(&[&all, &own]).await, [0x01, 0x01]);
        let [all_b, own_b] = room.student_filters(&bia_id);
        assert_eq!(bia.subscribe(&[&all_b, &own_b]).await, [0x01, 0x01]);

        // Ana cannot push to the class, to Bia, or freeze the clock: 0x87.
        let push = Push::Lab {
            id: "last-will".into(),
            step: 2,
        }
        .encode();
        assert_eq!(ana.publish(&room.push_all(), &push, true).await, 0x87);
        assert_eq!(
            ana.publish(&room.push_to(&bia_id), &push, false).await,
            0x87
        );
        assert_eq!(ana.publish(&room.clock(), b"frozen", true).await, 0x87);
        // Nor can she write as Bia.
        assert_eq!(
            ana.publish(&room.answer(&bia_id, "last-will", 2), b"0", true)
                .await,
            0x87
        );
        // Bia got none of it; the teacher got no forged answer.
        assert!(bia
            .message(Duration::from_millis(500), |_, _| true)
            .await
            .is_none());

        // Bia answers; Ana cannot subscribe to Bia's answers, nor to every
        // student's, nor to everything under $classroom.
        assert_eq!(
            bia.publish(&room.answer(&bia_id, "last-will", 2), b"1", true)
                .await,
            0x00
        );
        let got = t
            .message(Duration::from_secs(5), |topic, _| {
                topic.contains("/answer/")
            })
            .await
            .expect("the teacher reads Bia's answer");
        assert_eq!(got.0, room.answer(&bia_id, "last-will", 2));
        for filter in [
            format!("$classroom/sala/from/{bia_id}/#"),
            room.teacher_filter(),
            "$classroom/#".to_string(),
            "$classroom/sala/to/+/push".to_string(),
        ] {
            assert_eq!(ana.subscribe(&[&filter]).await, [0x87], "{filter}");
        }
        assert!(ana
            .message(Duration::from_millis(500), |t, _| t.contains("/answer/"))
            .await
            .is_none());

        // The teacher's push reaches both; a push to Ana only reaches Ana.
        assert_eq!(t.publish(&room.push_all(), &push, true).await, 0x00);
        for s in [&mut ana, &mut bia] {
            let (topic, payload, _) = s
                .message(Duration::from_secs(5), |t, _| t.ends_with("/push"))
                .await
                .expect("the push arrives");
            assert_eq!(
                (topic.as_str(), payload.as_slice()),
                (room.push_all().as_str(), &push[..])
            );
        }
        assert_eq!(
            t.publish(&room.push_to(&ana_id), b"scenario 06-last-will.mqtt", false)
                .await,
            0
        );
        assert!(ana
            .message(Duration::from_secs(5), |t, _| t.contains("/to/"))
            .await
            .is_some());
        assert!(bia
            .message(Duration::from_millis(500), |t, _| t.contains("/to/"))
            .await
            .is_none());
    });
}

#[test]
fn the_bridge_still_refuses_every_unnamed_upstream() {
    bounded(async {
        let (serve, class) = start("sala");
        for name in ["elsewhere", "127.0.0.1:1883", "mosquitto"] {
            let (_, out) = Peer::connect(&class.addr, name, student(&class, "s-x")).await;
            match out {
                Outcome::Closed(1008, reason) => {
                    assert!(
                        reason.contains(&format!("no upstream named '{name}'")),
                        "{reason}"
                    );
                    assert!(reason.contains("lab"), "{reason}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        let (status, _, body) = serve.get("/mqtt/");
        assert_eq!(status, 200);
        assert_eq!(
            String::from_utf8_lossy(&body),
            r#"{"subprotocol":"mqtt","upstreams":[{"name":"lab","path":"/mqtt/lab"}]}"#
        );
    });
}

#[test]
fn garbage_floods_and_reconnect_loops_from_one_student_reach_no_one_else() {
    bounded(async {
        let (_serve, class) = start("sala");
        let room = Room::new("sala").unwrap();
        let honest_id = student_id([1; 16]);
        let (honest, _) = Peer::connect(&class.addr, "lab", student(&class, &honest_id)).await;
        let mut honest = honest.unwrap();
        honest
            .subscribe(
                &room
                    .student_filters(&honest_id)
                    .each_ref()
                    .map(String::as_str),
            )
            .await;
        let (t, _) = Peer::connect(&class.addr, "lab", teacher(&class, &class.token)).await;
        let mut t = t.unwrap();
        t.subscribe(&[&room.teacher_filter()]).await;

        // Garbage on the wire: the broker closes that connection only.
        let bad_id = student_id([2; 16]);
        let (bad, _) = Peer::connect(&class.addr, "lab", student(&class, &bad_id)).await;
        let mut bad = bad.unwrap();
        bad.send_raw(vec![0xff; 64]).await;
        assert!(bad.closed(Duration::from_secs(5)).await.is_some());

        // Garbage in a report is only the sender's: the teacher's roster
        // counts it against that student.
        let (flood, _) = Peer::connect(&class.addr, "lab", student(&class, &bad_id)).await;
        let mut flood = flood.unwrap();
        assert_eq!(
            flood
                .publish(&room.progress(&bad_id), b"\xff\xfe", true)
                .await,
            0
        );
        // A flood of 2,000 reports, not waiting for acknowledgements.
        for i in 0..2000u32 {
            flood
                .publish_nowait(
                    &room.progress(&bad_id),
                    format!("x {i} 3").as_bytes(),
                    false,
                )
                .await;
        }
        // Reconnecting in a loop, with the same identity and others.
        for i in 0..20u8 {
            let (p, _) = Peer::connect(
                &class.addr,
                "lab",
                student(&class, &student_id([3 + i % 2; 16])),
            )
            .await;
            drop(p);
        }
        // Meanwhile the honest student still gets the teacher's push at once.
        let started = std::time::Instant::now();
        t.publish(&room.push_all(), b"lab qos1 1", true).await;
        let got = honest
            .message(Duration::from_secs(5), |topic, _| topic.ends_with("/push"))
            .await;
        assert!(got.is_some(), "the honest student got the push");
        let latency = started.elapsed();
        eprintln!("push to the honest student during the flood: {latency:?}");
        assert!(latency < Duration::from_secs(3), "{latency:?}");
        // And its presence reaches the teacher.
        honest
            .publish(
                &room.presence(&honest_id),
                &Presence::Online("Ana".into()).encode(),
                true,
            )
            .await;
        assert!(t
            .message(Duration::from_secs(10), |topic, p| topic
                == room.presence(&honest_id)
                && p.starts_with(b"online"))
            .await
            .is_some());
    });
}

/// The class's rate limit (`max_message_rate`, core `broker/rate.rs`): a
/// student flooding its own progress topic, which the teacher's console
/// subscribes to, is cut off after the burst (DISCONNECT 0x96), its will tells
/// the console it left, and an honest student's report still reaches the
/// console at once. Prints the figures.
#[test]
fn a_flooding_student_is_cut_off_and_the_console_stays_quick() {
    use mqttlab_core::broker::RateLimit;
    bounded(async {
        let (_serve, class) = start("sala");
        let room = Room::new("sala").unwrap();
        let (t, _) = Peer::connect(&class.addr, "lab", teacher(&class, &class.token)).await;
        let mut t = t.unwrap();
        t.subscribe(&[&room.teacher_filter()]).await;
        let honest_id = student_id([1; 16]);
        let (honest, _) = Peer::connect(&class.addr, "lab", student(&class, &honest_id)).await;
        let mut honest = honest.unwrap();
        let flood_id = student_id([2; 16]);
        let options = student(&class, &flood_id)
            .will(
                &room.presence(&flood_id),
                Presence::Offline.encode(),
                mqttlab_core::codec::QoS::AtLeastOnce,
                true,
            )
            .unwrap();
        let (flood, _) = Peer::connect(&class.addr, "lab", options).await;
        let mut flood = flood.unwrap();

        // The console's latency for an honest report, quiet.
        let report = |i: usize| format!("last-will {} 3", i % 4);
        let mut quiet = Vec::new();
        for i in 0..5 {
            let sent = std::time::Instant::now();
            honest
                .publish_nowait(&room.progress(&honest_id), report(i).as_bytes(), true)
                .await;
            t.message(Duration::from_secs(5), |topic, _| {
                topic == room.progress(&honest_id)
            })
            .await
            .expect("the console hears the honest student");
            quiet.push(sent.elapsed());
        }

        // 5,000 reports as fast as the socket takes them.
        let flood_started = std::time::Instant::now();
        for i in 0..5000 {
            flood
                .publish_qos0(&room.progress(&flood_id), report(i).as_bytes(), true)
                .await;
        }
        let code = flood.disconnected_by_server(Duration::from_secs(10)).await;
        assert_eq!(code, Some(0x96), "DISCONNECT 0x96 Message rate too high");
        let flood_for = flood_started.elapsed();

        // Meanwhile and after, the honest student's reports are as quick.
        let mut during = Vec::new();
        for i in 0..5 {
            let sent = std::time::Instant::now();
            honest
                .publish_nowait(&room.progress(&honest_id), report(i + 1).as_bytes(), true)
                .await;
            t.message(Duration::from_secs(5), |topic, _| {
                topic == room.progress(&honest_id)
            })
            .await
            .expect("the console still hears the honest student");
            during.push(sent.elapsed());
        }
        // The flooder's will: the console sees it leave.
        assert!(t
            .message(Duration::from_secs(5), |topic, p| topic
                == room.presence(&flood_id)
                && p == b"offline")
            .await
            .is_some());
        // What of the flood reached the console: the burst, and what 20 a
        // second refilled while it ran.
        let mut reached = 0;
        while t
            .message(Duration::from_millis(300), |topic, _| {
                topic == room.progress(&flood_id)
            })
            .await
            .is_some()
        {
            reached += 1;
        }
        let limit = RateLimit::CLASSROOM;
        let most = limit.burst as u64
            + (flood_for.as_secs_f64() * f64::from(limit.per_second)).ceil() as u64
            + 1;
        let ms = |v: &[Duration]| {
            v.iter()
                .map(|d| format!("{:.1}", d.as_secs_f64() * 1000.0))
                .collect::<Vec<_>>()
                .join(", ")
        };
        eprintln!(
            "classroom flood: 5000 reports sent in {flood_for:?}, cut off with 0x96; {reached} reached the console (at most {most}); \
             honest report to the console, quiet: [{}] ms, after the flood: [{}] ms",
            ms(&quiet),
            ms(&during)
        );
        assert!(
            (1..=most).contains(&reached),
            "{reached} of the flood reached the console"
        );
        let worst = during.iter().max().unwrap();
        assert!(*worst < Duration::from_millis(500), "{worst:?}");
    });
}
