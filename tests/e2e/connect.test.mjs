// "Connect to a broker": the built app's own MQTT client on real brokers.
//  a. through `mqttlab serve --bridge` to Debian's mosquitto (TCP only), receiving
//     a message sent with mosquitto_pub;
//  b. directly to a third-party broker with a WebSocket listener (aedes), QoS 1
//     and QoS 2 exchanges;
//  c. refusals in words: bad credentials, an upstream the bridge does not name,
//     an address that is not ws://;
//  d. `mqttlab serve --broker`: the lab's own broker as the upstream `lab`.
// Every server is started here on a free loopback port and killed at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { root, dist, launchBrowser, openPage, screenshot, mqttlabBin, freePort, waitForPort } from './harness.mjs';

const WAIT = 15_000;
const children = [];
let browser;

/** Starts a child process that the `after` hook kills; its output is kept for failures. */
function start(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  children.push(child);
  return child;
}

async function mosquitto() {
  const port = await freePort();
  const child = start('/usr/sbin/mosquitto', ['-p', String(port)]);
  await waitForPort(port, `mosquitto (${child.output})`);
  return port;
}

async function aedes() {
  const port = await freePort();
  start(process.execPath, [path.join(root, 'tests', 'e2e', 'aedes_broker.mjs'), String(port)]);
  await waitForPort(port, 'aedes');
  return port;
}

async function serve(...extra) {
  const port = await freePort();
  const child = start(mqttlabBin(), ['serve', '--listen', `127.0.0.1:${port}`, '--dist', dist, ...extra]);
  await waitForPort(port, `mqttlab serve (${child.output})`);
  return { port, url: `http://127.0.0.1:${port}/`, child };
}

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const c of children) c.kill('SIGKILL');
});

/** The labels of the diagram's arrows, in order (full text from their tooltips). */
const arrows = (page) => page.$$eval('.seq-rows g:has(> text.label) > title', (els) => els.map((e) => e.textContent));

async function waitForArrow(page, re, timeout = WAIT) {
  await page.waitForFunction(
    (src) => [...document.querySelectorAll('.seq-rows g:has(> text.label) > title')].some((e) => new RegExp(src).test(e.textContent)),
    re.source,
    { timeout },
  );
}

async function connect(page, { url, clientId, username, password } = {}) {
  if (url) await page.fill('#broker-url', url);
  if (clientId) await page.fill('#client-id', clientId);
  if (username) await page.fill('#username', username);
  if (password) await page.fill('#password', password);
  await page.click('#connect');
}

async function terminal(page, line) {
  await page.fill('.terminal input', line);
  await page.press('.terminal input', 'Enter');
}

test('through mqttlab serve to mosquitto: subscribe, receive a mosquitto_pub message', { timeout: 120_000 }, async () => {
  const mport = await mosquitto();
  const server = await serve('--bridge', `local=127.0.0.1:${mport}`);
  const { page, errors } = await openPage(browser, `${server.url}#/connect`, 'en-US');
  // The server's upstream is offered as the address.
  const want = `ws://127.0.0.1:${server.port}/mqtt/local`;
  await page.waitForFunction((w) => document.querySelector('#broker-url')?.value === w, want, { timeout: WAIT });
  assert.match(await page.textContent('.upstreams'), /mqtt\/local/);

  for (const id of ['#will-qos', '#pub-qos', '#sub-qos']) assert.equal(await page.inputValue(id), '0', id);
  assert.equal(await page.isChecked('#clean-session'), true);
  // The student reads the form for a while before connecting.
  await page.waitForTimeout(1000);
  await connect(page, { clientId: 'e2e-sub' });
  await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
  assert.deepEqual((await page.$$eval('.lane-head', (els) => els.map((e) => e.textContent))), [
    'e2e-sub',
    `127.0.0.1:${server.port}`,
  ]);
  await terminal(page, 'mosquitto_sub -t lab/e2e -q 1 -v');
  await waitForArrow(page, /^SUBACK m\d+/);

  const pub = spawnSync('mosquitto_pub', ['-p', String(mport), '-t', 'lab/e2e', '-m', 'hello from mosquitto_pub', '-q', '1'], {
    timeout: 10_000,
  });
  assert.equal(pub.status, 0, String(pub.stderr));
  await page.waitForFunction(
    () => [...document.querySelectorAll('.terminal .line')].some((l) => l.textContent === 'lab/e2e hello from mosquitto_pub'),
    null,
    { timeout: WAIT },
  );
  await waitForArrow(page, /^PUBLISH q1 .*lab\/e2e/);
  await waitForArrow(page, /^PUBACK m\d+/);
  const labels = await arrows(page);
  assert.equal(labels[0], 'CONNECT c1 k60 e2e-sub');
  assert.match(labels[1], /^CONNACK 0/);
  // Time counts from the connection, as a capture does: the first row is at 0 s
  // even though the page was open before.
  const firstTime = await page.$eval('.seq-times text.time', (t) => Number(t.textContent));
  assert.ok(firstTime < 0.5, `first row at ${firstTime} s`);

  // A row opens its packet in the inspector.
  const i = labels.findIndex((l) => l.startsWith('PUBLISH'));
  const y = await page.$$eval(
    '.seq-rows g:has(> text.label) > title',
    (els, k) => Number(els[k].parentElement.querySelector('text').getAttribute('y')),
    i,
  );
  const box = await page.$eval('.seq-scroll', (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x };
  });
  const svgTop = await page.$eval('.seq-rows', (el) => el.getBoundingClientRect().y);
  await page.mouse.click(box.x + 200, svgTop + y);
  await page.waitForSelector('.packet-inspector li.field', { timeout: WAIT });
  const fields = await page.$$eval('.packet-inspector li.field', (els) => els.map((e) => e.textContent.trim()));
  assert.ok(fields.includes('Topic: lab/e2e'), JSON.stringify(fields));
  assert.ok(fields.includes('Message: hello from mosquitto_pub'), JSON.stringify(fields));

  await screenshot(page, 'connect-en.png');
  await page.click('#disconnect');
  await waitForArrow(page, /^DISCONNECT/);
  await page.waitForSelector('#conn-state.idle', { timeout: WAIT });
  assert.equal(await page.$('#conn-error'), null);
  assert.deepEqual(errors, []);
});

test('directly to aedes over WebSocket: QoS 1 and QoS 2 exchanges', { timeout: 120_000 }, async () => {
  const aport = await aedes();
  const server = await serve();
  const { page, errors } = await openPage(browser, `${server.url}#/connect`, 'pt-BR');
  await page.waitForSelector('#broker-url');
  await connect(page, { url: `ws://127.0.0.1:${aport}/`, clientId: 'e2e-qos' });
  await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
  assert.equal((await page.textContent('#conn-state')).trim(), 'conectado');

  await page.fill('#sub-filter', 'lab/qos/#');
  await page.selectOption('#sub-qos', '2');
  await page.click('#subscribe');
  await waitForArrow(page, /^SUBACK m\d+ \[2\]|^SUBACK/);

  await page.fill('#pub-topic', 'lab/qos/1');
  await page.fill('#pub-message', 'um');
  await page.selectOption('#pub-qos', '1');
  await page.click('#publish');
  await waitForArrow(page, /^PUBACK m\d+/);

  await page.fill('#pub-topic', 'lab/qos/2');
  await page.fill('#pub-message', 'dois');
  await page.selectOption('#pub-qos', '2');
  await page.click('#publish');
  for (const re of [/^PUBREC m\d+/, /^PUBREL m\d+/, /^PUBCOMP m\d+/]) await waitForArrow(page, re);
  // Both came back through the subscription, printed as mosquitto_sub -v does.
  await page.waitForFunction(
    () => {
      const lines = [...document.querySelectorAll('.terminal .line')].map((l) => l.textContent);
      return lines.includes('lab/qos/1 um') && lines.includes('lab/qos/2 dois');
    },
    null,
    { timeout: WAIT },
  );
  // The QoS 2 exchange from the client's side, in order.
  const labels = await arrows(page);
  const pub2 = labels.findIndex((l) => /^PUBLISH q2 .*lab\/qos\/2/.test(l));
  assert.ok(pub2 >= 0, JSON.stringify(labels));
  const after2 = labels.slice(pub2).map((l) => l.split(' ')[0]);
  assert.ok(after2.includes('PUBREC') && after2.includes('PUBREL') && after2.includes('PUBCOMP'), JSON.stringify(labels));
  // The terminal publishes at QoS 2 too.
  await terminal(page, 'mosquitto_pub -t lab/qos/t -m tres -q 2');
  await page.waitForFunction(
    () => [...document.querySelectorAll('.terminal .line')].some((l) => l.textContent === 'lab/qos/t tres'),
    null,
    { timeout: WAIT },
  );
  // Live traffic re-renders the page; what the student typed stays.
  assert.equal(await page.inputValue('#client-id'), 'e2e-qos');
  assert.equal(await page.inputValue('#broker-url'), `ws://127.0.0.1:${aport}/`);
  assert.equal(await page.inputValue('#pub-message'), 'dois');
  assert.equal(await page.inputValue('#sub-qos'), '2');
  await screenshot(page, 'connect-pt-BR.png');
  assert.deepEqual(errors, []);
});

test('refusals and bad addresses are explained in words', { timeout: 120_000 }, async () => {
  const aport = await aedes();
  const mport = await mosquitto();
  const server = await serve('--bridge', `local=127.0.0.1:${mport}`);
  const { page } = await openPage(browser, `${server.url}#/connect`, 'en-US');
  await page.waitForSelector('#broker-url');

  // Not a WebSocket address: nothing is opened, the form says why.
  await connect(page, { url: 'http://127.0.0.1:1883/' });
  assert.match(await page.textContent('#form-error'), /must start with ws:\/\/.*“http:\/\/”/);
  await connect(page, { url: 'ws://:9001/' });
  assert.match(await page.textContent('#form-error'), /no host/);
  assert.equal((await arrows(page)).length, 0);

  // Wrong credentials: CONNACK 4.
  await connect(page, { url: `ws://127.0.0.1:${aport}/`, clientId: 'e2e-bad', username: 'wrong', password: 'x' });
  await page.waitForSelector('#conn-error', { timeout: WAIT });
  assert.match(await page.textContent('#conn-error'), /CONNACK 4.*wrong user name or password/);
  await waitForArrow(page, /^CONNACK 4/);
  await page.waitForSelector('#conn-state.idle', { timeout: WAIT });

  // An upstream the bridge does not name: its close code and reason.
  await page.fill('#username', '');
  await page.fill('#password', '');
  await connect(page, { url: `ws://127.0.0.1:${server.port}/mqtt/nowhere` });
  await page.waitForFunction(() => /no upstream named/.test(document.querySelector('#conn-error')?.textContent ?? ''), null, {
    timeout: WAIT,
  });
  const text = await page.textContent('#conn-error');
  assert.match(text, /close code 1008/);
  assert.match(text, /no upstream named 'nowhere'/);
  assert.match(text, /unknown broker name/);

  // Nothing listening: the WebSocket never opens.
  const closed = await freePort();
  await connect(page, { url: `ws://127.0.0.1:${closed}/` });
  await page.waitForFunction(() => /Could not open a WebSocket/.test(document.querySelector('#conn-error')?.textContent ?? ''), null, {
    timeout: WAIT,
  });

  // The same refusal in Portuguese.
  await page.click('button[lang="pt-BR"]');
  assert.match(await page.textContent('#conn-error'), /Não foi possível abrir um WebSocket/);
  await screenshot(page, 'connect-refused-pt-BR.png');
});

test('a broker that stops answering pings, and one that drops the connection', { timeout: 120_000 }, async () => {
  // A fake broker: CONNACK 0 to CONNECT, then silence (/silent) or a close 300 ms
  // later (/drop).
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'mqtt' });
  await new Promise((r) => wss.on('listening', r));
  const seen = [];
  wss.on('connection', (sock, req) => {
    sock.on('message', (data) => {
      seen.push(`${req.url} ${data[0].toString(16)}`);
      if (data[0] === 0x10) {
        sock.send(Buffer.from([0x20, 0x02, 0x00, 0x00]));
        if (req.url === '/drop') setTimeout(() => sock.close(1001, 'going away'), 300);
      }
    });
  });
  try {
    const server = await serve();
    const { page } = await openPage(browser, `${server.url}#/connect`, 'en-US');
    await page.waitForSelector('#broker-url');
    await page.fill('#keepalive', '1');
    await connect(page, { url: `ws://127.0.0.1:${wss.address().port}/silent`, clientId: 'e2e-ping' });
    await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
    await page.waitForFunction(() => /did not answer PINGREQ/.test(document.querySelector('#conn-error')?.textContent ?? ''), null, {
      timeout: WAIT,
    });
    await waitForArrow(page, /^PINGREQ/);

    await connect(page, { url: `ws://127.0.0.1:${wss.address().port}/drop`, clientId: 'e2e-drop' });
    await page.waitForFunction(() => /The connection dropped/.test(document.querySelector('#conn-error')?.textContent ?? ''), null, {
      timeout: WAIT,
    });
    assert.match(await page.textContent('#conn-error'), /close code 1001, reason: “going away”/);

    // Leaving the page ends an open connection with DISCONNECT (the broker then
    // discards the will).
    await page.fill('#keepalive', '60');
    await connect(page, { url: `ws://127.0.0.1:${wss.address().port}/leave`, clientId: 'e2e-leave' });
    await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
    await page.click('#nav-topics');
    const t0 = Date.now();
    while (!seen.includes('/leave e0') && Date.now() - t0 < WAIT) await new Promise((r) => setTimeout(r, 50));
    assert.ok(seen.includes('/leave e0'), JSON.stringify(seen));
  } finally {
    wss.close();
  }
});

test('mqttlab serve --broker: the lab broker is the upstream "lab", on TCP and on WebSocket', { timeout: 120_000 }, async () => {
  const [tcp, ws] = [await freePort(), await freePort()];
  const server = await serve('--broker', '--broker-tcp', `127.0.0.1:${tcp}`, '--broker-ws', `127.0.0.1:${ws}`);
  await waitForPort(tcp, 'the --broker TCP listener');
  const { page, errors } = await openPage(browser, `${server.url}#/connect`, 'en-US');
  const want = `ws://127.0.0.1:${server.port}/mqtt/lab`;
  await page.waitForFunction((w) => document.querySelector('#broker-url')?.value === w, want, { timeout: WAIT });
  await connect(page, { clientId: 'e2e-lab' });
  await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
  await terminal(page, 'mosquitto_sub -t lab/own -q 1');
  await waitForArrow(page, /^SUBACK/);
  // A device on the broker's TCP port reaches the page.
  const pub = spawnSync('mosquitto_pub', ['-p', String(tcp), '-t', 'lab/own', '-m', 'from-tcp', '-q', '1'], { timeout: 10_000 });
  assert.equal(pub.status, 0, String(pub.stderr));
  await terminal(page, 'mosquitto_pub -t lab/own -m own-broker -q 1');
  await page.waitForFunction(
    () => {
      const lines = [...document.querySelectorAll('.terminal .line')].map((l) => l.textContent);
      return lines.includes('from-tcp') && lines.includes('own-broker');
    },
    null,
    { timeout: WAIT },
  );
  await waitForArrow(page, /^PUBACK/);
  // Each terminal command is a client of its own, on a lane of its own:
  // mosquitto_sub -C 1 ends after one message with DISCONNECT, as the real tool
  // does, and the next message is not printed.
  await terminal(page, 'mosquitto_sub -t lab/count -C 1');
  await waitForArrow(page, /^SUBSCRIBE m\d+ lab\/count/);
  await terminal(page, 'mosquitto_pub -t lab/count -m first -q 1');
  await page.waitForFunction(
    () => [...document.querySelectorAll('.seq-rows g:has(> text.label) > title')].filter((e) => e.textContent.startsWith('DISCONNECT')).length >= 3,
    null,
    { timeout: WAIT },
  );
  await terminal(page, 'mosquitto_pub -t lab/count -m second -q 1');
  // PUBACKs: from-tcp and own-broker to the subscriber, own-broker, first and
  // second to their publishers.
  await page.waitForFunction(
    () => [...document.querySelectorAll('.seq-rows g:has(> text.label) > title')].filter((e) => e.textContent.startsWith('PUBACK')).length >= 5,
    null,
    { timeout: WAIT },
  );
  const lines = await page.$$eval('.terminal .line', (els) => els.map((e) => e.textContent));
  assert.ok(lines.includes('first') && !lines.includes('second'), JSON.stringify(lines));
  // The broker's own WebSocket listener, without the bridge.
  // Keep alive 1 s: the driver's timer sends PINGREQ and the broker answers.
  await page.fill('#keepalive', '1');
  await connect(page, { url: `ws://127.0.0.1:${ws}/`, clientId: 'e2e-lab-ws' });
  await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
  await waitForArrow(page, /^CONNACK 0/);
  await waitForArrow(page, /^PINGREQ/);
  await waitForArrow(page, /^PINGRESP/);
  assert.deepEqual(errors, []);
});
