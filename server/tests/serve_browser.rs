//! A real browser against `mqttlab serve`: headless Chromium (driven by npm
//! `playwright-core`) loads a page from the server and opens
//! `ws://${location.host}/mqtt/NAME` with subprotocol `mqtt`, as the lab's own
//! page will. It proves what only a browser checks: the echoed subprotocol, the
//! `Origin` a page cannot forge, and that close reasons reach the page's
//! `CloseEvent`. Skipped when node, playwright-core or Chromium are missing.

#[path = "../../tests/src/peers.rs"]
mod peers;
mod serve_support;

use std::path::PathBuf;
use std::time::Duration;

use peers::{have, node_modules, Peer};
use serve_support::*;

/// The page: hand-made MQTT bytes over a browser WebSocket, results as JSON.
const INDEX_HTML: &str = r#"<!doctype html>
<title>bridge probe</title>
<script>
const utf8 = (s) => { const b = new TextEncoder().encode(s); return [b.length >> 8, b.length & 255, ...b]; };
function packet(first, body) {
  const out = [first];
  let n = body.length;
  do { let d = n % 128; n = Math.floor(n / 128); if (n > 0) d |= 128; out.push(d); } while (n > 0);
  return new Uint8Array([...out, ...body]);
}
// Opens the bridge, CONNECTs, SUBSCRIBEs to `filter`, and resolves with the
// first PUBLISH it receives or with the close event.
window.probe = (url, clientId, filter) => new Promise((resolve) => {
  const events = [];
  let buf = new Uint8Array(0);
  const ws = new WebSocket(url, ['mqtt']);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    events.push('open protocol=' + ws.protocol);
    ws.send(packet(0x10, [...utf8('MQTT'), 4, 2, 0, 60, ...utf8(clientId)]));
  };
  ws.onmessage = (e) => {
    const more = new Uint8Array(e.data);
    const all = new Uint8Array(buf.length + more.length);
    all.set(buf); all.set(more, buf.length); buf = all;
    for (;;) {
      let len = 0, mul = 1, i = 1;
      for (; i < buf.length; i++) { len += (buf[i] & 127) * mul; mul *= 128; if (!(buf[i] & 128)) break; }
      if (i >= buf.length || buf.length < i + 1 + len) return;
      const type = buf[0] >> 4, body = buf.slice(i + 1, i + 1 + len);
      buf = buf.slice(i + 1 + len);
      if (type === 2) {
        events.push('connack rc=' + body[1]);
        ws.send(packet(0x82, [0, 1, ...utf8(filter), 0]));
      } else if (type === 9) {
        events.push('suback');
        window.subscribed = true;
      } else if (type === 3) {
        const tl = (body[0] << 8) | body[1];
        const dec = new TextDecoder();
        resolve({ events, topic: dec.decode(body.slice(2, 2 + tl)), payload: dec.decode(body.slice(2 + tl)) });
        ws.close(1000, 'done');
      }
    }
  };
  ws.onclose = (e) => resolve({ events, close: [e.code, e.reason] });
});
</script>
<p id="ready">ready</p>
"#;

fn node_peers() -> Option<PathBuf> {
    have(&[Peer::NodeModule("playwright-core"), Peer::Chromium]).then(node_modules)
}

#[test]
fn a_browser_page_reaches_the_bridge_and_reads_its_close_reasons() {
    let Some(modules) = node_peers() else {
        return;
    };
    let dist = TempDir::new("browser-dist");
    std::fs::write(dist.0.join("index.html"), INDEX_HTML).unwrap();
    let mosquitto = Mosquitto::start();
    let serve = Serve::start(&[
        "--dist",
        dist.0.to_str().unwrap(),
        "--bridge",
        &format!("local={}", mosquitto.address()),
    ]);
    let port = serve.addr.port();
    let script = format!(
        r#"
import {{ chromium }} from {playwright:?};
import {{ execFileSync }} from 'node:child_process';
const browser = await chromium.launch({{
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}});
const results = {{}};
try {{
  const page = await browser.newPage();
  await page.goto('http://127.0.0.1:{port}/');
  // Same origin: subscribe through the bridge, publish with mosquitto_pub.
  const got = page.evaluate(() => window.probe(`ws://${{location.host}}/mqtt/local`, 'chromium', 'lab/browser/#'));
  await page.waitForFunction(() => window.subscribed === true, null, {{ timeout: 10000 }});
  execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', '{mqtt_port}', '-t', 'lab/browser/1', '-m', 'ola navegador']);
  results.same_origin = await got;
  // An upstream that was not named: the page reads the reason.
  results.unknown = await page.evaluate(() => window.probe(`ws://${{location.host}}/mqtt/nope`, 'x', 'a'));
  // A page of another origin (localhost is not 127.0.0.1) is refused at the handshake.
  const other = await browser.newPage();
  await other.goto('http://localhost:{port}/');
  results.foreign = await other.evaluate(() => window.probe('ws://127.0.0.1:{port}/mqtt/local', 'y', 'a'));
}} finally {{
  await browser.close();
}}
console.log(JSON.stringify(results));
"#,
        playwright = modules.join("playwright-core/index.mjs").to_str().unwrap(),
        mqtt_port = mosquitto.port,
    );
    let script_path = dist.0.join("probe.mjs");
    std::fs::write(&script_path, script).unwrap();
    let child = std::process::Command::new("node")
        .arg(&script_path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run node");
    let out = wait_with_timeout(child, Duration::from_secs(90));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "node failed: {stdout}\n{stderr}");
    let json = stdout.lines().last().unwrap_or_default();

    assert!(
        json.contains(r#""same_origin":{"events":["open protocol=mqtt","connack rc=0","suback"],"topic":"lab/browser/1","payload":"ola navegador"}"#),
        "{json}"
    );
    assert!(
        json.contains(r#""unknown":{"events":["open protocol=mqtt"],"close":[1008,"no upstream named 'nope' on this server; named upstreams: local"]}"#),
        "{json}"
    );
    assert!(
        json.contains(r#""foreign":{"events":[],"close":[1006,""]}"#),
        "{json}"
    );
    let log = serve.log().join("\n");
    assert!(
        log.contains("403 origin 'http://localhost:"),
        "the refusal is logged: {log}"
    );
}

/// Waits for `child`, killing it after `limit`.
fn wait_with_timeout(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "node ran over {limit:?}; stdout: {} stderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
