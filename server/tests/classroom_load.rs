//! 500 simulated students on one `mqttlab serve --classroom`, each an MQTT 5.0
//! client over the WebSocket bridge as a page is: they join (presence,
//! subscriptions), the teacher pushes a lab to everyone, and the test prints
//! the latency of the push to each student (the last one's is the figure) and
//! the server's memory. Bounded in time (120 s), loopback only.
//!
//! By default it starts its own server. With `CLASSROOM_ADDR`, `CLASSROOM_TOKEN`,
//! `CLASSROOM_CODE`, `CLASSROOM_ROOM` (and `CLASSROOM_PID` for the memory) it
//! joins one already running, which is how the browser test runs it while its
//! 30 browser students work (`tests/e2e/classroom.test.mjs`).

mod classroom_support;
#[path = "../../tests/src/peers.rs"]
mod peers;
mod serve_support;

use std::time::{Duration, Instant};

use classroom_support::*;
use mqttlab_core::classroom::{student_id, Presence, Push, Room};

const STUDENTS: usize = 500;

/// What the teacher pushes: `CLASSROOM_PUSH` (the browser test gives the lab
/// its pages already show, so that they stay where they are), else the QoS 1 lab.
fn push_payload() -> Vec<u8> {
    let text = std::env::var("CLASSROOM_PUSH").unwrap_or_else(|_| "lab qos1 1".into());
    let push = Push::decode(text.as_bytes()).expect("CLASSROOM_PUSH is a push");
    push.encode()
}

fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn five_hundred_students_get_a_push() {
    let students: usize = std::env::var("CLASSROOM_STUDENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(STUDENTS);
    let own;
    let (class, pid) = match std::env::var("CLASSROOM_ADDR") {
        Ok(addr) => {
            let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is set"));
            (
                Class {
                    addr,
                    token: var("CLASSROOM_TOKEN"),
                    code: var("CLASSROOM_CODE"),
                    room: var("CLASSROOM_ROOM"),
                },
                std::env::var("CLASSROOM_PID")
                    .ok()
                    .and_then(|p| p.parse().ok()),
            )
        }
        Err(_) => {
            own = serve_support::Serve::start(&[
                "--classroom",
                "--room",
                "carga",
                "--broker-tcp",
                "127.0.0.1:0",
            ]);
            let code = own.wait_stdout("room code");
            let teacher = own.wait_stdout("#/teacher?token=");
            (
                Class::from_banner(own.addr.to_string(), &code, &teacher, "carga"),
                Some(own.pid()),
            )
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        tokio::time::timeout(Duration::from_secs(120), run(class, pid, students))
            .await
            .expect("the load test finished within 120 s");
    });
}

async fn run(class: Class, pid: Option<u32>, students: usize) {
    let room = Room::new(&class.room).unwrap();
    let before = pid.map(memory_kib);
    let joined_at = Instant::now();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(students);
    let (got_tx, mut got_rx) = tokio::sync::mpsc::channel::<Instant>(students);
    // Set once every student got the push (or the test gave up): until then
    // each stays connected, so no will of one that left slows the others'.
    let (done_tx, done_rx) = tokio::sync::watch::channel(false);
    let go = std::sync::Arc::new(tokio::sync::Semaphore::new(25));
    let mut tasks = Vec::new();
    for i in 0..students {
        let (class, room, ready_tx, got_tx, go, mut done_rx) = (
            class.clone(),
            room.clone(),
            ready_tx.clone(),
            got_tx.clone(),
            go.clone(),
            done_rx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&(i as u64).to_be_bytes());
            b[8] = 0x10;
            let id = student_id(b);
            let permit = go.acquire().await.unwrap();
            // As a page does: its will says it left.
            let options = student(&class, &id)
                .will(
                    &room.presence(&id),
                    Presence::Offline.encode(),
                    mqttlab_core::codec::QoS::AtLeastOnce,
                    true,
                )
                .unwrap();
            let (peer, outcome) = Peer::connect(&class.addr, "lab", options).await;
            let mut peer = peer.unwrap_or_else(|| panic!("student {i}: {outcome:?}"));
            let [all, own] = room.student_filters(&id);
            assert_eq!(peer.subscribe(&[&all, &own]).await, [1, 1]);
            peer.publish(
                &room.presence(&id),
                // Not "Aluno NN", the browser students' names in
                // classroom.test.mjs, whose roster check reads names.
                &Presence::Online(format!("Carga {i:03}")).encode(),
                true,
            )
            .await;
            drop(permit);
            ready_tx.send(()).await.unwrap();
            let push = push_payload();
            let got = loop {
                let got = peer
                    .message(Duration::from_secs(100), |t, p| {
                        t == room.push_all() && p == push.as_slice()
                    })
                    .await;
                // A copy with RETAIN 1 is the room's last push, kept for late
                // joiners and sent on SUBSCRIBE (in the browser test the
                // teacher pushed the same lab before): not the push being
                // timed, which reaches a subscriber with RETAIN 0.
                match got {
                    Some((_, _, true)) => continue,
                    other => break other,
                }
            };
            if got.is_some() {
                got_tx.send(Instant::now()).await.unwrap();
            }
            drop(got_tx);
            // Stay connected until every student got it.
            let _ = done_rx.wait_for(|done| *done).await;
            drop(peer);
        }));
    }
    drop((ready_tx, got_tx));
    for _ in 0..students {
        ready_rx.recv().await.expect("every student joins");
    }
    let join_time = joined_at.elapsed();
    let during = pid.map(memory_kib);

    let (t, outcome) = Peer::connect(&class.addr, "lab", teacher(&class, &class.token)).await;
    let mut t = t.unwrap_or_else(|| panic!("teacher: {outcome:?}"));
    let sent = Instant::now();
    assert_eq!(t.publish(&room.push_all(), &push_payload(), true).await, 0);
    let mut latencies = Vec::with_capacity(students);
    while let Some(at) = got_rx.recv().await {
        latencies.push(at.duration_since(sent));
        if latencies.len() == students {
            break;
        }
    }
    assert_eq!(latencies.len(), students, "every student got the push");
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let after = pid.map(memory_kib);
    done_tx.send_replace(true);
    println!(
        "classroom load: {students} students joined over the WebSocket bridge in {:.1} s; \
         push to everyone: first {:.1} ms, median {:.1} ms, p99 {:.1} ms, last student {:.1} ms",
        join_time.as_secs_f64(),
        ms(latencies[0]),
        ms(latencies[students / 2]),
        ms(latencies[students * 99 / 100]),
        ms(latencies[students - 1]),
    );
    if let (Some(b), Some(d), Some(a)) = (before, during, after) {
        println!(
            "classroom load: server memory (VmRSS) {} KiB before, {} KiB with {students} students, {} KiB after the push; peak (VmHWM) {} KiB",
            b.0, d.0, a.0, a.1
        );
    }
    assert!(
        latencies[students - 1] < Duration::from_secs(30),
        "the last student got the push within 30 s"
    );
    for task in tasks {
        let _ = task.await;
    }
}
