//! The MQTT-over-WebSocket → TCP bridge.
//!
//! A page opens `ws://HOST:PORT/mqtt/<NAME>` with WebSocket subprotocol `mqtt`
//! (MQTT 3.1.1 §6), where `<NAME>` is one of the `--bridge NAME=HOST:PORT`
//! upstreams; from the page served by this same server that is
//! `new WebSocket(`ws://${location.host}/mqtt/NAME`, ["mqtt"])`.
//!
//! A connection goes through three phases:
//!
//! 1. **Handshake checks** (HTTP answers, before any WebSocket exists): a wrong
//!    `Origin` is refused with 403, a handshake not offering `mqtt` with 400,
//!    a plain HTTP request with 426 (404 for an unknown name). Everything else is
//!    upgraded, so that a browser page can read the reason of any later refusal
//!    in its `CloseEvent` (a refused handshake only shows up as code 1006).
//! 2. **Is it MQTT?** Binary frames are buffered until they hold a whole first
//!    packet, which must be a CONNECT. Nothing is opened upstream before that.
//!    An unknown name (1008), a full server (1013), non-MQTT bytes (1002), a text
//!    frame (1003), an oversized frame (1009) or no CONNECT in time (1008) closes
//!    the socket with a reason that says which.
//! 3. **Byte pipe.** The CONNECT and whatever followed it go to the upstream's TCP
//!    port, and from then on bytes flow both ways unchanged: an MQTT packet may
//!    span frames and a frame may hold several packets (§6), so nothing is parsed.
//!    An upstream that cannot be reached closes with 1011 and says why; one that
//!    hangs up closes with 1000; no traffic for `--idle-timeout` closes with 1001.
//!
//! Each connection is its own task: a client that misbehaves, stalls or floods
//! only ever closes its own socket. One log line on stderr opens each bridged
//! connection and one closes it (bytes each way, duration, reason).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::connection::{code, drain, send_close, Connection};
use super::limits::{Limits, Slots};
use super::log;
use super::origin::OriginPolicy;
use super::upstream::Upstream;

/// Everything the bridge handlers share.
#[derive(Debug)]
pub struct Bridge {
    upstreams: BTreeMap<String, Upstream>,
    origins: OriginPolicy,
    limits: Limits,
    slots: Slots,
    next_id: AtomicU64,
    /// `--record DIR`.
    record: Option<std::sync::Arc<std::path::PathBuf>>,
}

impl Bridge {
    /// A bridge to `upstreams` (names must be distinct).
    pub fn new(
        upstreams: Vec<Upstream>,
        origins: OriginPolicy,
        limits: Limits,
    ) -> Result<Bridge, String> {
        let mut by_name = BTreeMap::new();
        for u in upstreams {
            if let Some(old) = by_name.insert(u.name.clone(), u.clone()) {
                return Err(format!("--bridge names {old} and {u} share a name"));
            }
        }
        Ok(Bridge {
            upstreams: by_name,
            slots: Slots::new(limits.max_connections),
            origins,
            limits,
            next_id: AtomicU64::new(1),
            record: None,
        })
    }

    /// Writes each bridged connection as `dir/bridge-N.pcapng` when it ends.
    pub fn record_to(&mut self, dir: std::path::PathBuf) {
        self.record = Some(std::sync::Arc::new(dir));
    }

    /// The upstreams, in name order.
    pub fn upstreams(&self) -> impl Iterator<Item = &Upstream> {
        self.upstreams.values()
    }

    fn names(&self) -> String {
        if self.upstreams.is_empty() {
            "none (start the server with --bridge NAME=HOST:PORT)".to_owned()
        } else {
            let names: Vec<&str> = self.upstreams.keys().map(String::as_str).collect();
            names.join(", ")
        }
    }

    fn unknown(&self, name: &str) -> String {
        format!(
            "no upstream named '{name}' on this server; named upstreams: {}",
            self.names()
        )
    }
}

/// `GET /mqtt/`: the upstream names as JSON, for a page to offer them:
/// `{"subprotocol":"mqtt","upstreams":[{"name":"local","path":"/mqtt/local"}]}`.
/// Addresses are left out: a page only ever needs the name.
pub async fn list(State(bridge): State<Arc<Bridge>>) -> Response {
    // Names are [A-Za-z0-9._-] (see `upstream`), so they need no JSON escaping.
    let upstreams: Vec<String> = bridge
        .upstreams
        .keys()
        .map(|n| format!(r#"{{"name":"{n}","path":"/mqtt/{n}"}}"#))
        .collect();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        format!(
            r#"{{"subprotocol":"mqtt","upstreams":[{}]}}"#,
            upstreams.join(",")
        ),
    )
        .into_response()
}

/// `/mqtt/{name}`: the handshake checks of phase 1, then the upgrade.
pub async fn handle(
    State(bridge): State<Arc<Bridge>>,
    Path(name): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let origin = headers
        .get(ORIGIN)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    if let Err(why) = bridge.origins.check(origin, host) {
        log(format_args!(
            "bridge refused {peer} /mqtt/{name}: 403 {why}"
        ));
        return (StatusCode::FORBIDDEN, format!("{why}\n")).into_response();
    }
    let upstream = bridge.upstreams.get(&name).cloned();
    let ws = match (ws, &upstream) {
        (Ok(ws), _) => ws,
        (Err(_), None) => {
            return (
                StatusCode::NOT_FOUND,
                format!("{}\n", bridge.unknown(&name)),
            )
                .into_response()
        }
        (Err(rejection), Some(u)) => {
            let message = format!(
                "{}: /mqtt/{name} is the MQTT-over-WebSocket bridge to upstream {u}; \
                 open it with a WebSocket client offering subprotocol 'mqtt'\n",
                rejection.body_text()
            );
            return (rejection.status(), message).into_response();
        }
    };
    let ws = ws.protocols(["mqtt"]);
    if ws.selected_protocol().is_none() {
        let why = "the WebSocket handshake must offer subprotocol 'mqtt' \
                   (Sec-WebSocket-Protocol: mqtt, MQTT 3.1.1 MQTT-6.0.0-3)";
        log(format_args!(
            "bridge refused {peer} /mqtt/{name}: 400 {why}"
        ));
        return (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response();
    }
    let max_frame = bridge.limits.max_frame;
    let ws = ws.max_frame_size(max_frame).max_message_size(max_frame);
    let id = bridge.next_id.fetch_add(1, Ordering::Relaxed);
    let refusal = match (upstream, bridge.slots.try_take()) {
        (None, _) => Err((code::POLICY, bridge.unknown(&name))),
        (Some(_), None) => Err((
            code::TRY_AGAIN_LATER,
            format!(
                "server busy: {} bridged connections are open, the limit (--max-connections)",
                bridge.slots.max()
            ),
        )),
        (Some(u), Some(slot)) => Ok((u, slot)),
    };
    match refusal {
        Ok((upstream, slot)) => ws.on_upgrade(move |socket| async move {
            let conn = Connection {
                id,
                peer,
                upstream,
                limits: bridge.limits,
                _slot: slot,
                record: bridge.record.clone(),
            };
            conn.run(socket).await;
        }),
        Err((code, why)) => ws.on_upgrade(move |mut socket| async move {
            log(format_args!(
                "bridge #{id} refused {peer} /mqtt/{name}: {code} {why}"
            ));
            send_close(&mut socket, code, &why).await;
            drain(&mut socket).await;
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_names_are_refused() {
        let u = |s| Upstream::parse(s).unwrap();
        let err = Bridge::new(
            vec![u("a=127.0.0.1:1"), u("a=127.0.0.1:2")],
            OriginPolicy::default(),
            Limits::default(),
        )
        .unwrap_err();
        assert!(err.contains("share a name"), "{err}");
    }
}
