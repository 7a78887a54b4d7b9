// The Captures page: a student's Wireshark file opened in the page (file picker
// and drag-and-drop; nothing leaves the browser), drawn with the lab's diagram,
// inspector and broker state, in both languages at 1366×768; a cut file named
// by its byte offset; and 100,000 packets opened in under 3 s and scrolled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { root, screenshot, appUnderTest } from './harness.mjs';

const app = appUnderTest();
const fixtures = path.join(root, 'tests', 'fixtures', 'capture');
const QOS = path.join(fixtures, 'qos-311-p18931.pcapng');
const WILL = path.join(fixtures, 'will-5-p18931.pcap');

async function open(locale) {
  const context = await app.browser.newContext({ locale, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.server.url}#/capture`);
  await page.waitForSelector('#capture-file', { state: 'attached' });
  return { page, errors, context };
}

/** How many MQTT packets tshark shows in a file (the oracle), or null without tshark. */
function tsharkCount(file) {
  try {
    const out = execFileSync('tshark', ['-r', file, '-d', 'tcp.port==18931,mqtt', '-Y', 'mqtt', '-T', 'fields', '-e', 'mqtt.msgtype'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 30_000,
    });
    return out.toString().split('\n').filter((l) => l).reduce((n, l) => n + l.split(',').length, 0);
  } catch {
    if (process.env.MQTTLAB_REQUIRE_PEERS) throw new Error('tshark is missing (apt-get install tshark)');
    return null;
  }
}

test('a capture opens as a diagram with lifelines per client id, in English and Portuguese', { timeout: 90_000 }, async () => {
  for (const locale of ['en-US', 'pt-BR']) {
    const { page, errors, context } = await open(locale);
    await page.setInputFiles('#capture-file', QOS);
    const summary = await page.waitForSelector('#capture-summary');
    const packets = Number(await summary.getAttribute('data-packets'));
    const want = tsharkCount(QOS);
    if (want !== null) assert.equal(packets, want, 'MQTT packets: ours against tshark');
    const lanes = await page.$$eval('.lane-head', (els) => els.map((e) => e.textContent.trim()));
    for (const lane of ['watcher', '127.0.0.1:18931', 'sensor']) {
      assert.ok(lanes.includes(lane), `lane ${lane} in ${JSON.stringify(lanes)}`);
    }
    const text = await page.textContent('.sequence-diagram');
    assert.match(text, /PUBLISH q2 m1 lab\/qos\/2/);
    assert.match(text, locale === 'pt-BR' ? /TCP SYN \(abre a conexão\)/ : /TCP SYN/);
    // A PUBLISH's row: the inspector dissects it.
    const rows = await page.$$eval('.seq-rows g title', (els) => els.map((e) => e.textContent));
    const at = rows.findIndex((r) => r.startsWith('PUBLISH q1'));
    assert.ok(at >= 0, JSON.stringify(rows));
    await page.click('.seq-rows g:has(title:text-is("PUBLISH q1 m1 lab/qos/1")) text');
    await page.waitForSelector('.packet-inspector li.field');
    // That row was in view (the diagram is as tall as the screen allows): the
    // click did not scroll it, and the first row is still whole at the top.
    assert.equal(await page.$eval('.seq-scroll', (el) => el.scrollTop), 0);
    const fields = await page.$$eval('.packet-inspector li.field', (els) => els.map((e) => e.textContent.trim()));
    assert.ok(fields.includes('Topic: lab/qos/1'), JSON.stringify(fields));
    assert.match(await page.textContent('.capture-open'), locale === 'pt-BR' ? /nada é enviado/ : /nothing is uploaded/);
    await screenshot(page, `capture-${locale === 'pt-BR' ? 'pt' : 'en'}.png`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a dropped 5.0 capture shows the will the broker published, in its state', { timeout: 60_000 }, async () => {
  const { page, errors, context } = await open('en-US');
  const b64 = fs.readFileSync(WILL).toString('base64');
  await page.evaluate(async ({ b64 }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'will-5.pcap'));
    const target = document.querySelector('.capture-page');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { b64 });
  await page.waitForSelector('#capture-summary');
  assert.match(await page.textContent('#capture-summary'), /will-5\.pcap · pcap/);
  assert.match(await page.textContent('.capture-state .retained'), /lab\/will\/dying "offline"/);
  assert.match(await page.textContent('.capture-streams'), /dying/);
  assert.match(await page.textContent('.capture-streams'), /MQTT 5\.0/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a cut capture shows what it could read and names the byte offset', { timeout: 60_000 }, async () => {
  const { page, errors, context } = await open('pt-BR');
  const bytes = fs.readFileSync(QOS);
  await page.setInputFiles('#capture-file', { name: 'cortada.pcapng', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, 3000) });
  const e = await page.waitForSelector('#capture-error');
  const offset = Number(await e.getAttribute('data-offset'));
  assert.ok(offset > 0 && offset < 3000, `offset ${offset}`);
  assert.match(await e.textContent(), new RegExp(`termina no meio de um registro \\(byte ${offset}\\)`));
  await page.setInputFiles('#capture-file', { name: 'nada.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  assert.match(await page.textContent('#capture-error'), /nada\.txt: Este arquivo não pode ser lido: não é um arquivo pcap nem pcapng: começa com 68 65 6c 6c \(byte 0\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

/** A pcap of `n` frames of one MQTT connection: CONNECT, CONNACK, then PUBLISH and PINGRESP-sized answers. */
function bigCapture(n) {
  const frames = [];
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(1, 20);
  frames.push(head);
  let seq = [1000, 5000];
  for (let i = 0; i < n; i++) {
    const fromClient = i % 2 === 0;
    let payload;
    if (i === 0) payload = Buffer.from([0x10, 0x0d, 0, 4, 77, 81, 84, 84, 4, 2, 0, 60, 0, 1, 99]);
    else if (i === 1) payload = Buffer.from([0x20, 2, 0, 0]);
    else if (fromClient) payload = Buffer.concat([Buffer.from([0x30, 0x0c, 0, 5]), Buffer.from('lab/t'), Buffer.from(String(i % 100000).padStart(5, '0'))]);
    else payload = Buffer.from([0xd0, 0]);
    const ip = Buffer.alloc(40);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(40 + payload.length, 2);
    ip.writeUInt8(64, 8);
    ip.writeUInt8(6, 9);
    ip.writeUInt32BE(0x7f000001, 12);
    ip.writeUInt32BE(0x7f000001, 16);
    ip.writeUInt16BE(fromClient ? 50000 : 1883, 20);
    ip.writeUInt16BE(fromClient ? 1883 : 50000, 22);
    ip.writeUInt32BE(seq[fromClient ? 0 : 1] >>> 0, 24);
    ip.writeUInt8(0x50, 32);
    ip.writeUInt8(0x18, 33);
    seq[fromClient ? 0 : 1] += payload.length;
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, payload]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + Math.floor(i / 1000), 0);
    rec.writeUInt32LE((i % 1000) * 1000, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    frames.push(rec, frame);
  }
  return Buffer.concat(frames);
}

test('100,000 packets open in under 3 s and stay scrollable', { timeout: 120_000 }, async () => {
  const { page, errors, context } = await open('en-US');
  // On disk, so that the browser reads it as a student's file (not sent
  // through the test driver's protocol).
  const file = path.join(os.tmpdir(), `mqttlab-big-${process.pid}.pcap`);
  fs.writeFileSync(file, bigCapture(100_000));
  // From the file chosen (the input's change event) to the first frame
  // painted with the diagram's 100,000 rows.
  await page.$eval('#capture-file', (el) =>
    el.addEventListener('change', () => { window.chosenAt = performance.now(); }, { capture: true }));
  await page.setInputFiles('#capture-file', file);
  const summary = await page.waitForSelector('#capture-summary', { timeout: 60_000 });
  await page.waitForSelector('.sequence-diagram[data-rows="100000"]');
  const took = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(Math.round(performance.now() - window.chosenAt)))));
  fs.unlinkSync(file);
  const parse = Number(await summary.getAttribute('data-load-ms'));
  console.log(`capture of 100,000 packets: on screen ${took} ms after it was chosen (read by the core and made rows in ${parse} ms)`);
  assert.equal(await summary.getAttribute('data-packets'), '100000');
  assert.ok(took < 3000, `took ${took} ms`);
  // Scroll to the middle and the end: the rows there are drawn.
  for (const frac of [0.5, 1]) {
    await page.$eval('.seq-scroll', (el, f) => { el.scrollTop = (el.scrollHeight - el.clientHeight) * f; }, frac);
    await page.waitForTimeout(100);
    const labels = await page.$$eval('.seq-rows g title', (els) => els.map((e) => e.textContent));
    assert.ok(labels.some((l) => /^(PUBLISH q0 lab\/t|PINGRESP)/.test(l)), JSON.stringify(labels.slice(0, 3)));
  }
  assert.deepEqual(errors, []);
  await context.close();
});
