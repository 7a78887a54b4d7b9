// The real-broker page under MQTT 5.0, in English and in Brazilian Portuguese:
//  a. `mqttlab serve --broker`: the page connects with 5.0 and CONNECT properties,
//     shows the broker's CONNACK properties (checked against what MQTT.js, a real
//     5.0 client, reads from the same broker), publishes with user properties,
//     message expiry, response topic and correlation data, which MQTT.js receives;
//     MQTT.js publishes with user properties, which the page shows; a PUBACK's
//     0x10 and a SUBACK's refusal are shown by name; the inspector names every
//     property. Screenshots at 1366x768.
//  b. aedes 1.2.0 over WebSocket refuses 5.0 (a 3.1.1 CONNACK 1): the page says
//     so in words, and the same page connects with 3.1.1; aedes 2.0.0-beta.1, the
//     first aedes with 5.0, takes the page's 5.0 CONNECT, and user properties go
//     both ways between the page and MQTT.js through it.
//  c. through `mqttlab serve --bridge` to mosquitto 2.0.11: the page's user
//     properties as `mosquitto_sub -V 5 -F %P` prints them.
// Every server is started here on a free loopback port and killed at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { root, dist, launchBrowser, screenshot, mqttlabBin, freePort, waitForPort } from './harness.mjs';

const WAIT = 15_000;
const children = [];
let browser;

function start(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  children.push(child);
  return child;
}

async function serve(...extra) {
  const port = await freePort();
  const child = start(mqttlabBin(), ['serve', '--listen', `127.0.0.1:${port}`, '--dist', dist, ...extra]);
  await waitForPort(port, `mqttlab serve (${child.output})`);
  return { port, url: `http://127.0.0.1:${port}/`, child };
}

async function aedes(version = '') {
  const port = await freePort();
  start(process.execPath, [path.join(root, 'tests', 'e2e', 'aedes_broker.mjs'), String(port), version]);
  await waitForPort(port, 'aedes');
  return port;
}

// mosquitto 2.0.11 with its -v log (on stderr, in child.output).
async function mosquitto() {
  const port = await freePort();
  const child = start('/usr/sbin/mosquitto', ['-v', '-p', String(port)]);
  await waitForPort(port, `mosquitto (${child.output})`);
  return { port, child };
}

// Resolves once the child's output so far matches `re`; fails, with the output,
// if the child exits or nothing matches in `timeout` ms.
async function waitForOutput(child, re, what, timeout = WAIT) {
  const t0 = Date.now();
  while (!re.test(child.output)) {
    if (child.exitCode !== null || Date.now() - t0 > timeout) throw new Error(`${what}: ${child.output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error(`no ${dist}/index.html: run 'trunk build --release' first`);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const c of children) c.kill('SIGKILL');
});

async function open(url, locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
  return { page, errors, context };
}

const arrows = (page) => page.$$eval('.seq-rows g:has(> text.label) > title', (els) => els.map((e) => e.textContent));
const logText = (page) => page.$$eval('.log-panel', (els) => els.map((e) => e.textContent).join('\n'));

async function waitForArrow(page, re, timeout = WAIT) {
  await page.waitForFunction(
    (src) => [...document.querySelectorAll('.seq-rows g:has(> text.label) > title')].some((e) => new RegExp(src).test(e.textContent)),
    re.source,
    { timeout },
  );
}

async function waitForLog(page, re, timeout = WAIT) {
  await page.waitForFunction(
    (src) => new RegExp(src).test([...document.querySelectorAll('.log-panel')].map((e) => e.textContent).join('\n')),
    re.source,
    { timeout },
  );
}

/** A real MQTT 5.0 client (MQTT.js) on `url`, resolved once connected, with its CONNACK. */
function peer(url, clientId) {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { protocolVersion: 5, clientId, reconnectPeriod: 0, connectTimeout: WAIT });
    c.once('connect', (connack) => resolve({ c, connack }));
    c.once('error', reject);
  });
}

const WORDS = {
  'en-US': { version: 'MQTT version', connack: "The broker's CONNACK", refused: /does not speak MQTT 5\.0/ },
  'pt-BR': { version: 'Versão do MQTT', connack: 'O CONNACK do broker', refused: /não fala MQTT 5\.0/ },
};

for (const locale of ['en-US', 'pt-BR']) {
  test(`${locale}: 5.0 to mqttlab serve --broker, properties both ways, reason codes by name`, { timeout: 120_000 }, async () => {
    const [tcp, ws] = [await freePort(), await freePort()];
    const server = await serve('--broker', '--broker-tcp', `127.0.0.1:${tcp}`, '--broker-ws', `127.0.0.1:${ws}`);
    try {
    await waitForPort(ws, 'the --broker WebSocket listener');
    const { page, errors } = await open(`${server.url}#/connect`, locale);
    const want = `ws://127.0.0.1:${server.port}/mqtt/lab`;
    await page.waitForFunction((w) => document.querySelector('#broker-url')?.value === w, want, { timeout: WAIT });
    assert.match(await page.textContent('.connect-form'), new RegExp(WORDS[locale].version));
    // 3.1.1 is the default; the 5.0 fields appear when 5.0 is chosen.
    assert.equal(await page.inputValue('#mqtt-version'), '4');
    assert.equal(await page.isVisible('#session-expiry'), false);
    await page.selectOption('#mqtt-version', '5');
    await page.fill('#client-id', `page5-${locale}`);
    await page.fill('#session-expiry', '120');
    await page.fill('#receive-maximum', '5');
    await page.fill('#connect-user-props', 'curso=mqtt\nturma=2026');
    await page.click('#connect');
    await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
    const connect = (await arrows(page)).find((a) => a.startsWith('CONNECT'));
    assert.match(connect, /v5\.0/, connect);

    // The CONNACK panel against what MQTT.js reads from the same broker.
    const { c: js, connack } = await peer(`ws://127.0.0.1:${ws}/`, `mqttjs-${locale}`);
    const panel = await page.textContent('#connack-panel');
    assert.match(panel, new RegExp(WORDS[locale].connack));
    assert.match(panel, /0x00 Success/);
    const props = connack.properties ?? {};
    if (props.topicAliasMaximum !== undefined) assert.match(panel, new RegExp(`Topic Alias Maximum: ${props.topicAliasMaximum}`));
    if (props.receiveMaximum !== undefined) assert.match(panel, new RegExp(`Receive Maximum: ${props.receiveMaximum}`));
    assert.ok(Object.keys(props).length > 0, 'the broker announces its limits');

    // The page publishes with properties; MQTT.js, a real 5.0 client, receives them.
    const got = new Promise((resolve) => js.on('message', (topic, payload, packet) => resolve({ topic, payload: String(payload), packet })));
    await new Promise((resolve, reject) => js.subscribe('lab5/#', { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    await page.fill('#pub-topic', 'lab5/sala');
    await page.fill('#pub-message', '21.5');
    await page.selectOption('#pub-qos', '1');
    await page.fill('#pub-expiry', '60');
    await page.fill('#pub-content-type', 'text/plain');
    await page.fill('#pub-response-topic', 'lab5/resposta');
    await page.fill('#pub-correlation', 'req-42');
    await page.fill('#pub-user-props', 'sala=101\nsensor=t1');
    await page.click('#publish');
    const m = await got;
    assert.equal(m.topic, 'lab5/sala');
    assert.equal(m.payload, '21.5');
    assert.deepEqual({ ...m.packet.properties.userProperties }, { sala: '101', sensor: 't1' });
    assert.ok(m.packet.properties.messageExpiryInterval <= 60 && m.packet.properties.messageExpiryInterval >= 58);
    assert.equal(m.packet.properties.responseTopic, 'lab5/resposta');
    assert.equal(m.packet.properties.contentType, 'text/plain');
    assert.equal(String(m.packet.properties.correlationData), 'req-42');
    await waitForArrow(page, /^PUBACK/);

    // MQTT.js publishes with user properties; the page shows them.
    await page.fill('#sub-filter', 'back5/#');
    await page.selectOption('#sub-qos', '1');
    await page.click('#subscribe');
    await waitForArrow(page, /^SUBACK/);
    js.publish('back5/x', 'from MQTT.js', { qos: 1, properties: { userProperties: { origem: 'mqttjs', lab: '5' } } });
    await waitForLog(page, /back5\/x: .*User Property: origem=mqttjs; User Property: lab=5/);
    await page.waitForFunction(() => [...document.querySelectorAll('.terminal .line')].some((l) => l.textContent === 'back5/x from MQTT.js'), null, {
      timeout: WAIT,
    });

    // Reason codes by name: the SUBACK's grant, and nobody subscribes to nada/x
    // (PUBACK 0x10).
    await waitForLog(page, /SUBACK m\d+: .*0x01 Granted QoS 1/);
    await page.fill('#pub-topic', 'nada/x');
    await page.fill('#pub-user-props', '');
    await page.click('#publish');
    await waitForLog(page, /PUBACK m\d+: .*0x10 No matching subscribers/);

    // The inspector names the PUBLISH's properties.
    const titles = await arrows(page);
    const i = titles.findIndex((a) => a.startsWith('PUBLISH') && a.includes('lab5/sala'));
    assert.ok(i >= 0, titles.join(' | '));
    await page.locator('.seq-rows g:has(> text.label) > title').nth(i).locator('xpath=..').click();
    await page.waitForSelector('.packet-inspector li.field', { timeout: WAIT });
    const tree = await page.$$eval('.packet-inspector li.field', (els) => els.map((e) => e.textContent).join('\n'));
    for (const name of ['Message Expiry Interval', 'Content Type: text/plain', 'Response Topic', 'Correlation Data', 'User Property']) {
      assert.ok(tree.includes(name), `${name} in\n${tree}`);
    }
    const shot = await screenshot(page, `live5-${locale}.png`);
    await page.click('.log-panel');
    await page.evaluate(() => document.querySelector('#connack-panel')?.scrollIntoView());
    await page.screenshot({ path: shot.replace('.png', '-top.png') });
    js.end(true);
    assert.deepEqual(errors, []);
    } finally {
      server.child.kill('SIGKILL');
    }
  });
}

test('aedes over WebSocket refuses MQTT 5.0 (CONNACK 1, 3.1.1 form); the page says so, and 3.1.1 works', { timeout: 120_000 }, async () => {
  const port = await aedes();
  for (const locale of ['en-US', 'pt-BR']) {
    const server = await serve();
    const { page, errors } = await open(`${server.url}#/connect`, locale);
    await page.fill('#broker-url', `ws://127.0.0.1:${port}/`);
    await page.selectOption('#mqtt-version', '5');
    await page.fill('#client-id', 'page5-aedes');
    await page.click('#connect');
    await page.waitForSelector('#conn-error', { timeout: WAIT });
    const why = await page.textContent('#conn-error');
    assert.match(why, /CONNACK 1/, why);
    assert.match(why, WORDS[locale].refused, why);
    const rows = await arrows(page);
    assert.ok(rows.some((a) => a.startsWith('CONNACK')), rows.join(' | '));
    await screenshot(page, `live5-aedes-${locale}.png`);
    await page.selectOption('#mqtt-version', '4');
    await page.click('#connect');
    await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
    assert.deepEqual(errors, []);
  }
});

test('aedes 2.0.0-beta.1 over WebSocket speaks 5.0: user properties from the page reach MQTT.js, and back', { timeout: 120_000 }, async () => {
  const port = await aedes('5.0');
  const server = await serve();
  try {
    const { page, errors } = await open(`${server.url}#/connect`, 'en-US');
    await page.fill('#broker-url', `ws://127.0.0.1:${port}/`);
    await page.selectOption('#mqtt-version', '5');
    await page.fill('#client-id', 'page5-aedes5');
    await page.click('#connect');
    await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
    const connack = (await arrows(page)).find((a) => a.startsWith('CONNACK'));
    assert.match(connack, /0x00/, connack);

    const { c: js } = await peer(`ws://127.0.0.1:${port}/`, 'mqttjs-aedes5');
    const got = new Promise((resolve) => js.on('message', (topic, payload, packet) => resolve({ topic, payload: String(payload), packet })));
    await new Promise((resolve, reject) => js.subscribe('aedes5/#', { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    await page.fill('#pub-topic', 'aedes5/sala');
    await page.fill('#pub-message', '22.0');
    await page.selectOption('#pub-qos', '1');
    await page.fill('#pub-user-props', 'sala=101\nsensor=t2');
    await page.click('#publish');
    const m = await got;
    assert.equal(m.topic, 'aedes5/sala');
    assert.equal(m.payload, '22.0');
    assert.deepEqual({ ...m.packet.properties.userProperties }, { sala: '101', sensor: 't2' });
    await waitForArrow(page, /^PUBACK/);

    await page.fill('#sub-filter', 'back5/#');
    await page.selectOption('#sub-qos', '1');
    await page.click('#subscribe');
    await waitForArrow(page, /^SUBACK/);
    js.publish('back5/y', 'from MQTT.js via aedes', { qos: 1, properties: { userProperties: { origem: 'mqttjs', broker: 'aedes' } } });
    await waitForLog(page, /back5\/y: .*User Property: origem=mqttjs; User Property: broker=aedes/);
    await screenshot(page, 'live5-aedes5-en-US.png');
    js.end(true);
    assert.deepEqual(errors, []);
  } finally {
    server.child.kill('SIGKILL');
  }
});

test("through mqttlab serve --bridge to mosquitto 2.0.11: the page's user properties as mosquitto_sub -V 5 prints them", { timeout: 120_000 }, async () => {
  const { port: mport, child: broker } = await mosquitto();
  const server = await serve('--bridge', `local=127.0.0.1:${mport}`);
  const { page, errors } = await open(`${server.url}#/connect`, 'pt-BR');
  await page.waitForFunction(() => document.querySelector('#broker-url')?.value.endsWith('/mqtt/local'), null, { timeout: WAIT });
  await page.selectOption('#mqtt-version', '5');
  await page.fill('#client-id', 'page5-mosq');
  await page.click('#connect');
  await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
  // mosquitto 2.0.11's CONNACK to a 5.0 client names its limits.
  assert.match(await page.textContent('#connack-panel'), /0x00 Success/);
  const sub = spawn('mosquitto_sub', ['-V', '5', '-p', String(mport), '-t', 'mosq5/#', '-C', '1', '-W', '10', '-F', '%t %p %P'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(sub);
  let out = '';
  sub.stdout.on('data', (d) => (out += d));
  const exited = new Promise((r) => sub.on('exit', r));
  // mosquitto_sub's SUBSCRIBE must be in before the page publishes: the broker
  // has answered it (its log names the filter, then the SUBACK).
  await waitForOutput(broker, /\tmosq5\/# \(QoS 0\)[^]*Sending SUBACK to /, "mosquitto's SUBACK to mosquitto_sub");
  await page.fill('#pub-topic', 'mosq5/sala');
  await page.fill('#pub-message', 'ola');
  await page.fill('#pub-user-props', 'sala=101\nandar=2');
  await page.click('#publish');
  assert.equal(await exited, 0, out);
  assert.equal(out.trim(), 'mosq5/sala ola sala:101 andar:2');
  assert.deepEqual(errors, []);
});
